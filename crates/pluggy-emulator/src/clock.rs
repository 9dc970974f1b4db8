//! The emulator's clock: real time plus an offset that `/__emulator/clock/advance` moves.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use pluggy_core::Timestamp;

/// Milliseconds since the Unix epoch on the emulator's clock.
pub(crate) type Millis = i64;

/// Real time shifted by an adjustable offset, so tests can expire keys and finish syncs
/// without waiting.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    /// The emulator's current time.
    pub(crate) fn now(&self) -> Millis {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        real.saturating_add(self.offset_ms.load(Ordering::SeqCst))
    }

    /// Moves the clock forward by `ms` milliseconds.
    pub(crate) fn advance(&self, ms: i64) {
        self.offset_ms.fetch_add(ms, Ordering::SeqCst);
    }

    /// Puts the clock back on real time.
    pub(crate) fn reset(&self) {
        self.offset_ms.store(0, Ordering::SeqCst);
    }
}

/// The API's timestamp for an instant on the emulator's clock.
pub(crate) fn ts(ms: Millis) -> Timestamp {
    // Out-of-range instants (only reachable with absurd clock advances) show as the epoch.
    Timestamp::from_unix_millis(ms).unwrap_or(Timestamp::new(time::OffsetDateTime::UNIX_EPOCH))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_the_clock() {
        let c = Clock::default();
        let before = c.now();
        c.advance(3_600_000);
        assert!(c.now() - before >= 3_600_000);
        c.reset();
        assert!(c.now() - before < 3_600_000);
        assert_eq!(ts(0).to_string(), "1970-01-01T00:00:00.000Z");
    }
}
