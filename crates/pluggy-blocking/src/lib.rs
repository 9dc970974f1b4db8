//! # pluggy-blocking
//!
//! The blocking driver of the Pluggy SDK over [`pluggy_core`]. The client itself arrives with its
//! own work; today this crate re-exports the core so dependents can name one crate.

pub use pluggy_core as core;
