//! # pluggy-scenarios
//!
//! Test support shared by the `pluggy-async` and `pluggy-blocking` suites, so that both
//! drivers are held to one list of scenarios with one set of expectations:
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
//! - [`scenario_tests!`]: one `#[test]` per scenario of [`SCENARIOS`], each calling the
//!   driver's function of the same name, so a driver that misses one does not compile.
//!
//! Each driver's suite implements every scenario with its own client; nothing here wraps a
//! client.

mod capture;
mod emulator;
pub mod expect;
mod http;
mod redirect;
pub mod sandbox;
mod webhooks;

pub use capture::{Captured, assert_no_secret, tracing_capture};
pub use emulator::{Emulator, Fault, Stats, slow_sync_config, test_config};
pub use redirect::RedirectServer;
pub use webhooks::WebhookReceiver;

/// Every scenario, by the name of the test (and of the driver function) that runs it.
pub const SCENARIOS: &[&str] = &[
    "every_api_key_call",
    "every_connect_token_call",
    "documented_flow",
    "mfa_two_steps_through_the_hook",
    "wait_deadline_is_a_typed_error",
    "scope_refusals_send_nothing",
    "single_flight_first_key",
    "single_flight_at_expiry",
    "expired_key_403_refreshes_once",
    "soft_refresh_does_not_delay_callers",
    "failed_soft_refresh_keeps_the_valid_key",
    "server_errors_retried_for_reads",
    "rate_limit_retry_after_honoured",
    "dropped_connections_retried_for_reads",
    "slow_answers_time_out",
    "redirects_not_followed",
    "create_item_once_under_server_error",
    "create_item_once_under_dropped_connection",
    "abandoned_refresh_taken_over",
    "no_secret_in_debug_errors_or_traces",
];

/// Expands to one test per entry of [`SCENARIOS`], each calling `$driver::<name>()`.
///
/// ```text
/// mod scenarios { pub fn documented_flow() { /* … */ } /* every other scenario */ }
/// pluggy_scenarios::scenario_tests!(#[test] scenarios);
///
/// mod scenarios { pub async fn documented_flow() { /* … */ } /* … */ }
/// pluggy_scenarios::scenario_tests!(#[tokio::test(flavor = "multi_thread")] async scenarios);
/// ```
#[macro_export]
macro_rules! scenario_tests {
    (#[$attr:meta] async $driver:ident) => {
        $crate::scenario_tests!(@all [#[$attr] async] [.await] $driver);
    };
    (#[$attr:meta] $driver:ident) => {
        $crate::scenario_tests!(@all [#[$attr]] [] $driver);
    };
    (@all $head:tt $tail:tt $driver:ident) => {
        $crate::scenario_tests!(@each $head $tail $driver
            every_api_key_call
            every_connect_token_call
            documented_flow
            mfa_two_steps_through_the_hook
            wait_deadline_is_a_typed_error
            scope_refusals_send_nothing
            single_flight_first_key
            single_flight_at_expiry
            expired_key_403_refreshes_once
            soft_refresh_does_not_delay_callers
            failed_soft_refresh_keeps_the_valid_key
            server_errors_retried_for_reads
            rate_limit_retry_after_honoured
            dropped_connections_retried_for_reads
            slow_answers_time_out
            redirects_not_followed
            create_item_once_under_server_error
            create_item_once_under_dropped_connection
            abandoned_refresh_taken_over
            no_secret_in_debug_errors_or_traces
        );
    };
    (@each $head:tt $tail:tt $driver:ident) => {};
    (@each $head:tt $tail:tt $driver:ident $name:ident $($rest:ident)*) => {
        $crate::scenario_tests!(@one $head $tail $driver $name);
        $crate::scenario_tests!(@each $head $tail $driver $($rest)*);
    };
    (@one [$($head:tt)*] [$($tail:tt)*] $driver:ident $name:ident) => {
        $($head)* fn $name() {
            $driver::$name() $($tail)*
        }
    };
}
