//! # pluggy-async
//!
//! The async driver of the Pluggy SDK over [`pluggy_core`].

pub use pluggy_core as core;

#[cfg(feature = "hyper")]
mod hyper_transport;
#[cfg(feature = "hyper")]
pub use hyper_transport::{HyperTransport, HyperTransportConfig};

pub mod runtime;
