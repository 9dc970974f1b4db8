//! The fleet: many processes behind one egress IP sharing one API key and one rate budget,
//! through a store such as Redis. Everything here is pure: the drivers (or `pluggy-redis`) do
//! the I/O, pass [`crate::Now`] in, and act on the owned answers.
//!
//! - [`shared_key`]: the key store protocol (record, epoch, lease, notices, fallback);
//! - [`limiter`]: the sliding-window rate limiter and its Lua script;
//! - [`seal`]: the byte layout of a key at rest and the [`seal::Sealer`] the AEAD implements;
//! - [`member`]: the hook a client joins a fleet through, for both drivers.

pub mod limiter;
pub mod member;
pub mod seal;
pub mod shared_key;
