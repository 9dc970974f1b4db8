//! Deterministic jitter from a caller-chosen seed (splitmix64), so the core stays free of
//! randomness sources and its decisions can be replayed in tests.

use std::sync::atomic::{AtomicU64, Ordering};

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// The output of splitmix64 for one state.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Advances a splitmix64 state and returns the next number.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(GOLDEN_GAMMA);
    mix(*state)
}

/// The top 53 bits of `x` as a number in `[0, 1)`.
pub fn unit_interval(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// A splitmix64 stream shared by concurrent callers (each draw is one atomic add).
#[derive(Debug)]
pub struct JitterSource(AtomicU64);

impl JitterSource {
    /// A stream starting at `seed`; give each client a different one.
    pub fn new(seed: u64) -> Self {
        Self(AtomicU64::new(seed))
    }

    /// The next number in `[0, 1)`.
    pub fn next_unit(&self) -> f64 {
        let state = self
            .0
            .fetch_add(GOLDEN_GAMMA, Ordering::Relaxed)
            .wrapping_add(GOLDEN_GAMMA);
        unit_interval(mix(state))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_stream_matches_the_sequential_one_and_stays_in_range() {
        let mut state = 42;
        let source = JitterSource::new(42);
        for _ in 0..1_000 {
            let expected = unit_interval(splitmix64(&mut state));
            let got = source.next_unit();
            assert_eq!(got, expected);
            assert!((0.0..1.0).contains(&got));
        }
    }

    #[test]
    fn different_seeds_give_different_streams() {
        let a = JitterSource::new(1);
        let b = JitterSource::new(2);
        assert_ne!(a.next_unit(), b.next_unit());
    }
}
