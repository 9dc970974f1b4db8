//! # pluggy-scenarios
//!
//! Test support shared by the `pluggy-async` and `pluggy-blocking` suites, so that both
//! drivers are held to one suite of scenarios with one set of expectations:
//!
//! - [`Emulator`]: the emulator on its own runtime in a background thread, with its tester's
//!   routes ([`Stats`], [`Fault`], the clock);
//! - [`WebhookReceiver`]: a local plain-HTTP receiver for the emulator's deliveries;
//! - [`RedirectServer`]: a server that only redirects, to show redirects are not followed
//!   (both on pluggy-server);
//! - [`sandbox`]: the sandbox connectors, credentials and the fast policies every suite uses;
//! - [`expect`]: what the emulator must have seen after each scenario;
//! - [`tracing_capture`] and [`assert_no_secret`]: everything a client prints, searched for
//!   secrets;
//! - [`scenario_suite!`]: every scenario, written once and expanded for one driver, with or
//!   without `async` and `.await`, over the driver's own client and a small kit of what
//!   differs (tasks or threads, streams or iterators, how a refresh is abandoned).
//!
//! Each driver's `tests/scenarios.rs` is its kit and one invocation of the suite; nothing
//! here wraps a client.

mod capture;
mod emulator;
pub mod expect;
mod http;
mod redirect;
pub mod sandbox;
mod suite;
mod webhooks;

pub use capture::{Captured, assert_no_secret, tracing_capture};
pub use emulator::{Emulator, Fault, Stats, slow_sync_config, test_config};
pub use redirect::RedirectServer;
pub use webhooks::WebhookReceiver;

/// What the expansion of [`scenario_suite!`] names through `$crate`, so that a driver's suite
/// needs no dependency of its own on them.
#[doc(hidden)]
pub mod __private {
    pub use pluggy_core;
    pub use serde_json;
}
