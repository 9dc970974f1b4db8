//! Clocks: the system clock for real use; [`ManualClock`] (from pluggy-core) for tests.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use pluggy_core::Now;
pub use pluggy_core::clock::{Clock, ManualClock};

/// The system clocks: `Instant` for the monotonic reading, `SystemTime` for the wall clock.
#[derive(Debug)]
pub struct SystemClock {
    origin: Instant,
}

impl SystemClock {
    /// A clock whose monotonic origin is now.
    pub fn new() -> Self {
        Self {
            origin: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Now {
        let unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Now::new(
            self.origin.elapsed(),
            i64::try_from(unix.as_secs()).unwrap_or(i64::MAX),
        )
    }
}
