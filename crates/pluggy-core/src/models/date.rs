//! Date-only values (`2022-01-03`), such as a card's closing date or a birth date.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::error::Error;

/// A calendar date without a time of day.
///
/// Reads `YYYY-MM-DD` and also tolerates a full timestamp (`1991-05-01T00:00:00.000Z`), of
/// which it keeps the date as written. It writes back in the form it was read: `YYYY-MM-DD`,
/// or midnight UTC (`1991-05-01T00:00:00.000Z`) for a date that came as a timestamp, since
/// the API writes some dates (birth dates) that way. Equality, order and hashing look at the
/// date only.
#[derive(Clone, Copy)]
pub struct Date {
    date: time::Date,
    timestamp_form: bool,
}

impl Date {
    /// The date for a year, month (1–12) and day, if it exists. Written as `YYYY-MM-DD`.
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Option<Self> {
        let month = time::Month::try_from(month).ok()?;
        time::Date::from_calendar_date(year, month, day)
            .ok()
            .map(Self::from)
    }

    /// The same date, written as midnight UTC (`1991-05-01T00:00:00.000Z`).
    pub fn in_timestamp_form(self) -> Self {
        Self {
            timestamp_form: true,
            ..self
        }
    }

    /// Whether the date is written as a timestamp rather than `YYYY-MM-DD`.
    pub fn is_timestamp_form(self) -> bool {
        self.timestamp_form
    }

    /// The underlying date.
    pub fn get(self) -> time::Date {
        self.date
    }

    /// Parses `YYYY-MM-DD`, or an RFC 3339 timestamp (its date as written), or a timestamp
    /// without an offset (`2022-01-03T00:00:00`).
    pub fn parse(s: &str) -> Result<Self, Error> {
        let s = s.trim();
        if let Ok(d) = time::Date::parse(s, format_description!("[year]-[month]-[day]")) {
            return Ok(Self::from(d));
        }
        if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
            return Ok(Self::from(t.date()).in_timestamp_form());
        }
        let local = format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
        );
        if let Ok(t) = PrimitiveDateTime::parse(s, local) {
            return Ok(Self::from(t.date()).in_timestamp_form());
        }
        Err(Error::InvalidInput(format!(
            "{s:?} is not a date (expected YYYY-MM-DD or an RFC 3339 timestamp)"
        )))
    }
}

impl From<time::Date> for Date {
    fn from(date: time::Date) -> Self {
        Self {
            date,
            timestamp_form: false,
        }
    }
}

impl PartialEq for Date {
    fn eq(&self, other: &Self) -> bool {
        self.date == other.date
    }
}

impl Eq for Date {}

impl PartialOrd for Date {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Date {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.date.cmp(&other.date)
    }
}

impl std::hash::Hash for Date {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.date.hash(state);
    }
}

/// Writes `YYYY-MM-DD` whatever the form; the wire form is chosen by `Serialize`.
impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.date.year(),
            u8::from(self.date.month()),
            self.date.day()
        )
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

impl std::str::FromStr for Date {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.timestamp_form {
            s.collect_str(&format_args!("{self}T00:00:00.000Z"))
        } else {
            s.collect_str(self)
        }
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(|_| {
            serde::de::Error::custom(format_args!(
                "invalid date {s:?} (expected YYYY-MM-DD or an RFC 3339 timestamp)"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dates_and_timestamps_and_writes_dates() {
        let d = Date::from_ymd(2022, 1, 3).unwrap();
        for text in [
            "2022-01-03",
            "2022-01-03T00:00:00.000Z",
            "2022-01-03T22:30:00-03:00",
            "2022-01-03T10:00:00",
        ] {
            assert_eq!(Date::parse(text).unwrap(), d, "{text}");
        }
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"2022-01-03\"");
        let back: Date = serde_json::from_str("\"2022-01-03T00:00:00.000Z\"").unwrap();
        assert_eq!(back, d);
        assert!(back.is_timestamp_form() && !d.is_timestamp_form());
        assert_eq!(
            serde_json::to_string(&back).unwrap(),
            "\"2022-01-03T00:00:00.000Z\""
        );
        assert_eq!(back.to_string(), "2022-01-03");
    }

    #[test]
    fn refuses_garbage_with_the_value_in_the_error() {
        let err = serde_json::from_str::<Date>("\"2022-13-45\"").unwrap_err();
        assert!(err.to_string().contains("2022-13-45"), "{err}");
        assert!(Date::parse("soon").is_err());
        assert!(Date::from_ymd(2023, 2, 29).is_none());
    }
}
