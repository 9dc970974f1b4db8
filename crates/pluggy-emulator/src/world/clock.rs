//! The emulator's clock: real time plus an offset that `/__emulator/clock/advance` moves.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use pluggy_core::Timestamp;

/// Milliseconds since the Unix epoch on the emulator's clock.
pub(crate) type Millis = i64;

/// The latest instant the clock reaches (9000-01-01T00:00:00Z): advancing further leaves it
/// there, so every instant computed from it (expiries, the next day's sync) stays a valid
/// timestamp.
pub(crate) const LATEST: Millis = 221_845_392_000_000;

/// Real time shifted by an adjustable offset, so tests can expire keys and finish syncs
/// without waiting.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    /// The emulator's current time, never later than [`LATEST`].
    pub(crate) fn now(&self) -> Millis {
        real_now()
            .saturating_add(self.offset_ms.load(Ordering::SeqCst))
            .min(LATEST)
    }

    /// Moves the clock forward by `ms` milliseconds (a negative `ms` does nothing), stopping
    /// at [`LATEST`].
    pub(crate) fn advance(&self, ms: i64) {
        let ms = ms.max(0);
        // The offset never exceeds what reaches `LATEST` now, so it cannot overflow however
        // often the clock is advanced.
        let _ = self
            .offset_ms
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |offset| {
                let cap = LATEST.saturating_sub(real_now());
                Some(offset.saturating_add(ms).min(cap.max(offset)))
            });
    }

    /// Puts the clock back on real time.
    pub(crate) fn reset(&self) {
        self.offset_ms.store(0, Ordering::SeqCst);
    }
}

/// Real time, in milliseconds since the Unix epoch.
fn real_now() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The API's timestamp for an instant on the emulator's clock.
pub(crate) fn ts(ms: Millis) -> Timestamp {
    // Out-of-range instants (only reachable with absurd clock advances) show as the epoch.
    Timestamp::from_unix_millis(ms).unwrap_or(Timestamp::new(time::OffsetDateTime::UNIX_EPOCH))
}

/// A date filter of a query string, in milliseconds: `YYYY-MM-DD` (midnight UTC, or the day's
/// last millisecond with `end_of_day`) or an ISO 8601 date-time as clients send it — any number
/// of fraction digits, an offset written `Z`, `+HH:MM`, `+HHMM` or `+HH`, or none at all (UTC).
/// Python's `strftime("%Y-%m-%dT%H:%M:%S.%f%z")`, the official Python SDK's format, is one of
/// these. `None` when the text is none of them.
pub(crate) fn parse_query_instant(text: &str, end_of_day: bool) -> Option<Millis> {
    const DAY_MS: Millis = 86_400_000;
    if text.len() == 10 {
        let midnight = Timestamp::parse(&format!("{text}T00:00:00Z")).ok()?;
        let extra = if end_of_day { DAY_MS - 1 } else { 0 };
        return Some(midnight.unix_millis() + extra);
    }
    let (date_time, offset) = split_offset(text)?;
    Timestamp::parse(&format!("{date_time}{offset}"))
        .ok()
        .map(|t| t.unix_millis())
}

/// Splits a date-time into its local part and an RFC 3339 offset (`Z` or `+HH:MM`).
fn split_offset(text: &str) -> Option<(&str, String)> {
    let time_start = text.find(['T', 't'])?;
    let time = &text[time_start..];
    if let Some(local) = text.strip_suffix(['Z', 'z']) {
        return Some((local, "Z".to_owned()));
    }
    let Some(sign_at) = time.rfind(['+', '-']) else {
        return Some((text, "Z".to_owned()));
    };
    let (local, offset) = text.split_at(time_start + sign_at);
    let (sign, digits) = offset.split_at(1);
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (hours, minutes) = match digits.len() {
        2 => (digits.as_str(), "00"),
        4 => digits.split_at(2),
        _ => return None,
    };
    Some((local, format!("{sign}{hours}:{minutes}")))
}

/// A duration in whole milliseconds.
pub(crate) fn millis(d: std::time::Duration) -> Millis {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_instants_in_the_forms_clients_send() {
        let midnight = 1_764_288_000_000; // 2025-11-28T00:00:00Z
        let cases = [
            ("2025-11-28", midnight),
            ("2025-11-28T00:00:00.000Z", midnight),
            ("2025-11-28T00:00:00Z", midnight),
            // Python's strftime("%Y-%m-%dT%H:%M:%S.%f%z"), aware and naive.
            ("2025-11-28T00:00:00.000000+0000", midnight),
            ("2025-11-28T03:00:00.000000+0300", midnight),
            ("2025-11-28T00:00:00.000000", midnight),
            ("2025-11-27T21:00:00-03:00", midnight),
            ("2025-11-27T21:00:00.5-03", midnight + 500),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_query_instant(text, false), Some(expected), "{text}");
        }
        assert_eq!(
            parse_query_instant("2025-11-28", true),
            Some(midnight + 86_400_000 - 1)
        );
        for bad in [
            "",
            "yesterday",
            "2025-13-01",
            "2025-11-28T00:00:00+1",
            "2025-11-28Tx",
        ] {
            assert_eq!(parse_query_instant(bad, false), None, "{bad}");
        }
    }

    #[test]
    fn advance_moves_the_clock() {
        let c = Clock::default();
        let before = c.now();
        c.advance(3_600_000);
        assert!(c.now() - before >= 3_600_000);
        c.reset();
        assert!(c.now() - before < 3_600_000);
        c.advance(i64::MAX);
        c.advance(i64::MAX);
        c.advance(-5);
        assert_eq!(c.now(), LATEST);
        assert!(!ts(LATEST + 86_400_000).to_string().starts_with("1970"));
        assert_eq!(ts(0).to_string(), "1970-01-01T00:00:00.000Z");
    }
}
