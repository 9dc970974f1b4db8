//! Clocks: the system clock for real use, [`ManualClock`] for tests (both from pluggy-core).

pub use pluggy_core::clock::{Clock, ManualClock, SystemClock};
