//! Time as data: the instant a decision is made ([`Now`]) and the API's timestamps
//! ([`Timestamp`]). Nothing in this crate reads a clock; drivers pass `Now` in, from their
//! [`Clock`]: [`SystemClock`] by default, [`ManualClock`] in tests.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// One reading of the caller's clocks.
///
/// `mono` is a monotonic reading (time since any fixed origin the driver picks, for example
/// the moment its client was built); all deadlines in this crate are on that scale. `wall` is
/// the wall clock, used only to map server-issued expiry times (`exp` claims) onto `mono`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Now {
    /// Monotonic time since the driver's origin.
    pub mono: Duration,
    /// Wall-clock time, as seconds since the Unix epoch.
    pub unix_secs: i64,
}

impl Now {
    /// Builds a reading from a monotonic offset and a Unix time in seconds.
    pub const fn new(mono: Duration, unix_secs: i64) -> Self {
        Self { mono, unix_secs }
    }

    /// The same reading moved forward by `by` on both clocks.
    pub fn advanced(self, by: Duration) -> Self {
        Self {
            mono: self.mono + by,
            unix_secs: self
                .unix_secs
                .saturating_add(i64::try_from(by.as_secs()).unwrap_or(i64::MAX)),
        }
    }
}

/// A source of [`Now`] readings.
pub trait Clock: Send + Sync {
    /// Reads the monotonic and the wall clock.
    fn now(&self) -> Now;
}

/// A clock that moves only when told to, for tests.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<Now>,
}

impl ManualClock {
    /// A clock reading `start`.
    pub fn new(start: Now) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }

    /// Moves both clocks forward.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|p| p.into_inner());
        *now = now.advanced(by);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Now {
        *self.now.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The system clocks: `Instant` for the monotonic reading, `SystemTime` for the wall clock.
///
/// The one clock of this crate that reads real time. Nothing in the crate calls it: drivers
/// hold it as their default [`Clock`] and pass its readings in.
#[derive(Debug)]
pub struct SystemClock {
    origin: std::time::Instant,
}

impl SystemClock {
    /// A clock whose monotonic origin is now.
    #[allow(clippy::disallowed_methods)]
    pub fn new() -> Self {
        Self {
            origin: std::time::Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> Now {
        let unix = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Now::new(
            self.origin.elapsed(),
            i64::try_from(unix.as_secs()).unwrap_or(i64::MAX),
        )
    }
}

/// An instant as the API writes it: RFC 3339 in UTC, with milliseconds
/// (`2024-09-19T13:11:23.595Z`).
///
/// Parsing accepts any RFC 3339 offset and precision; formatting always writes UTC with
/// exactly three fractional digits, the shape the API and its SDKs expect.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// Wraps a date-time, normalised to UTC.
    pub fn new(at: OffsetDateTime) -> Self {
        Self(at.to_offset(UtcOffset::UTC))
    }

    /// The instant `unix_millis` milliseconds after the Unix epoch, if representable.
    pub fn from_unix_millis(unix_millis: i64) -> Option<Self> {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_millis) * 1_000_000)
            .ok()
            .map(Self)
    }

    /// Milliseconds since the Unix epoch.
    pub fn unix_millis(self) -> i64 {
        i64::try_from(self.0.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
    }

    /// The underlying date-time (UTC).
    pub fn get(self) -> OffsetDateTime {
        self.0
    }

    /// Parses an RFC 3339 timestamp.
    pub fn parse(s: &str) -> Result<Self, time::error::Parse> {
        OffsetDateTime::parse(s, &Rfc3339).map(Self::new)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        )
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl std::str::FromStr for Timestamp {
    type Err = time::error::Parse;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s)
            .map_err(|e| serde::de::Error::custom(format_args!("invalid timestamp {s:?}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_the_api() {
        let t = Timestamp::parse("2024-09-19T13:11:23.595Z").unwrap();
        assert_eq!(t.to_string(), "2024-09-19T13:11:23.595Z");
        let t = Timestamp::parse("2024-09-19T10:11:23-03:00").unwrap();
        assert_eq!(t.to_string(), "2024-09-19T13:11:23.000Z");
        assert_eq!(Timestamp::from_unix_millis(t.unix_millis()), Some(t));
    }

    #[test]
    fn rejects_garbage_with_the_value_in_the_error() {
        let err = serde_json::from_str::<Timestamp>("\"yesterday\"").unwrap_err();
        assert!(err.to_string().contains("yesterday"));
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::new(Now::new(Duration::ZERO, 1_000));
        assert_eq!(c.now(), Now::new(Duration::ZERO, 1_000));
        c.advance(Duration::from_secs(90));
        assert_eq!(c.now(), Now::new(Duration::from_secs(90), 1_090));
    }

    #[test]
    fn now_advances_both_clocks() {
        let n = Now::new(Duration::from_secs(5), 100).advanced(Duration::from_secs(10));
        assert_eq!(n, Now::new(Duration::from_secs(15), 110));
    }
}
