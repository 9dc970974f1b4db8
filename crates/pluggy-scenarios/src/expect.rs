//! What the emulator must have seen after each scenario, and what the client must have
//! returned: the checks both suites share.

use pluggy_core::models::{Item, ReducedAccount};
use pluggy_core::{ExecutionStatus, ItemStatus};
use serde_json::Value;

use crate::Stats;
use crate::sandbox::CLIENT_USER_ID;

/// The item's sync finished: `UPDATED` with `SUCCESS`.
pub fn synced(item: &Item) {
    assert_eq!(item.status, ItemStatus::Updated, "{item:?}");
    assert_eq!(item.execution_status, ExecutionStatus::Success, "{item:?}");
}

/// The reduced accounts a connect token sees: some accounts, each without the full view's
/// fields (the emulator and the model agree on the reduced shape).
pub fn reduced_accounts(accounts: &[ReducedAccount]) {
    assert!(!accounts.is_empty(), "the sandbox item has accounts");
}

/// Nothing reached the emulator between two snapshots: no request, no `POST /auth`.
pub fn nothing_sent(before: &Stats, after: &Stats) {
    assert_eq!(
        after.total(),
        before.total(),
        "requests reached the emulator: {} → {}",
        before.0,
        after.0
    );
    assert_eq!(after.auth_calls(), before.auth_calls());
    assert_eq!(after.dropped(), before.dropped());
}

/// Exactly `n` `POST /auth` requests between two snapshots.
pub fn auth_calls(before: &Stats, after: &Stats, n: u64) {
    assert_eq!(
        after.auth_calls() - before.auth_calls(),
        n,
        "POST /auth count: {}",
        after.0
    );
}

/// A read on `route` met one injected `status` and then succeeded on the retry.
pub fn retried_once(stats: &Stats, route: &str, status: u16) {
    assert_eq!(stats.requests(route, status), 1, "{}", stats.0);
    assert_eq!(stats.requests(route, 200), 1, "{}", stats.0);
    assert_eq!(stats.answered(route), 2, "{}", stats.0);
}

/// A read on `route` lost its first connection and succeeded on the retry.
pub fn retried_after_drop(stats: &Stats, route: &str) {
    assert_eq!(stats.dropped(), 1, "{}", stats.0);
    assert_eq!(stats.requests(route, 200), 1, "{}", stats.0);
    assert_eq!(stats.answered(route), 1, "{}", stats.0);
}

/// `POST /items` reached the emulator once, was answered with `status`, and was not sent
/// again.
pub fn create_item_sent_once(stats: &Stats, status: u16) {
    assert_eq!(stats.requests("POST /items", status), 1, "{}", stats.0);
    assert_eq!(stats.answered("POST /items"), 1, "{}", stats.0);
    assert_eq!(stats.dropped(), 0, "{}", stats.0);
}

/// `POST /items` lost its one connection and was not sent again.
pub fn create_item_dropped_once(stats: &Stats) {
    assert_eq!(stats.dropped(), 1, "{}", stats.0);
    assert_eq!(stats.answered("POST /items"), 0, "{}", stats.0);
}

/// The expired-key 403 on `route` was followed by one `POST /auth` and one successful retry.
pub fn refreshed_on_403(before: &Stats, after: &Stats, route: &str) {
    auth_calls(before, after, 1);
    assert_eq!(
        after.requests(route, 403) - before.requests(route, 403),
        1,
        "{}",
        after.0
    );
    assert_eq!(
        after.requests(route, 200) - before.requests(route, 200),
        1,
        "{}",
        after.0
    );
}

/// A webhook about `item_id` carrying the flow's `clientUserId`.
pub fn webhook_for(body: &Value, item_id: &str) {
    assert_eq!(body["itemId"], item_id, "{body}");
    assert_eq!(body["clientUserId"], CLIENT_USER_ID, "{body}");
}

/// Whether a webhook body is about `item_id`.
pub fn is_about(body: &Value, item_id: &str) -> bool {
    body["itemId"] == item_id
}
