//! # pluggy-blocking
//!
//! The blocking driver of the Pluggy SDK over [`pluggy_core`].

pub use pluggy_core as core;

#[cfg(feature = "ureq")]
mod ureq_transport;
#[cfg(feature = "ureq")]
pub use ureq_transport::{UreqTransport, UreqTransportConfig};
