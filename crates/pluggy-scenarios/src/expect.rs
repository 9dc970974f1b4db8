//! What the emulator must have seen after each scenario, and what the client must have
//! returned: the checks both suites share.

use pluggy_core::models::{Item, Page, ReducedAccount};
use pluggy_core::{ExecutionStatus, ItemStatus, REDUCED_ACCOUNT_FIELDS, RawResponse};
use serde_json::Value;

use crate::Stats;
use crate::sandbox::CLIENT_USER_ID;

/// The item's sync finished: `UPDATED` with `SUCCESS`.
pub fn synced(item: &Item) {
    assert_eq!(item.status, ItemStatus::Updated, "{item:?}");
    assert_eq!(item.execution_status, ExecutionStatus::Success, "{item:?}");
}

/// The answer a connect token got from `GET /accounts`: some accounts, each with nothing but
/// the reduced view's fields (no balance, owner, tax number, bank or credit data), and each
/// decoding as a [`ReducedAccount`].
pub fn reduced_accounts(answer: &RawResponse) {
    assert_eq!(answer.status(), 200);
    let page: Value = serde_json::from_slice(answer.body()).expect("the accounts page is JSON");
    let accounts = page["results"].as_array().expect("a page has results");
    assert!(!accounts.is_empty(), "the sandbox item has accounts");
    for account in accounts {
        let fields = account.as_object().expect("an account is an object");
        for name in fields.keys() {
            assert!(
                REDUCED_ACCOUNT_FIELDS.contains(&name.as_str()),
                "the reduced view shows `{name}`: {account}"
            );
        }
        for name in ["id", "itemId", "type", "subtype"] {
            assert!(fields.contains_key(name), "no `{name}` in {account}");
        }
    }
    let typed: Page<ReducedAccount> =
        serde_json::from_slice(answer.body()).expect("the accounts decode as ReducedAccount");
    assert_eq!(typed.results.len(), accounts.len());
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

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(account: Value) -> RawResponse {
        let page =
            serde_json::json!({"results": [account], "page": 1, "total": 1, "totalPages": 1});
        RawResponse::new(200, Vec::new(), page.to_string().into_bytes())
    }

    fn reduced() -> Value {
        serde_json::json!({
            "id": "a", "itemId": "i", "type": "BANK", "subtype": "CHECKING_ACCOUNT",
            "name": "Conta", "number": "1", "currencyCode": "BRL"
        })
    }

    #[test]
    fn the_reduced_view_passes() {
        reduced_accounts(&answer(reduced()));
    }

    #[test]
    #[should_panic(expected = "the reduced view shows `balance`")]
    fn a_full_view_field_fails() {
        let mut account = reduced();
        account["balance"] = serde_json::json!(10.5);
        reduced_accounts(&answer(account));
    }

    #[test]
    #[should_panic(expected = "the sandbox item has accounts")]
    fn no_accounts_fails() {
        let empty = RawResponse::new(200, Vec::new(), br#"{"results": []}"#.to_vec());
        reduced_accounts(&empty);
    }
}
