//! The emulator's sandbox: connectors, credentials, and the policies that keep suites fast.

use std::time::Duration;

use pluggy_core::models::{CreateItemRequest, ItemParameters};
use pluggy_core::{ConnectorId, RetryPolicy, WaitPolicy};

/// The sandbox connector that logs in with [`USER_OK`] / [`PASSWORD_OK`] without MFA.
pub const CONNECTOR: ConnectorId = ConnectorId::new(0);
/// The sandbox connector that asks for MFA in two steps (credentials, then a token).
pub const MFA_CONNECTOR: ConnectorId = ConnectorId::new(3);
/// The emulator's Open Finance sandbox connector (its items have consents).
pub const OPEN_FINANCE_CONNECTOR: ConnectorId = ConnectorId::new(600);
/// The sandbox user whose sync succeeds.
pub const USER_OK: &str = "user-ok";
/// The sandbox password that logs in.
pub const PASSWORD_OK: &str = "password-ok";
/// A sandbox user whose accounts get 750 transactions: more than one cursor page (500).
pub const USER_MANY_TRANSACTIONS: &str = "user-ok-perf-30";
/// The MFA token the sandbox accepts.
pub const MFA_TOKEN: &str = "123456";
/// The `clientUserId` the flows tag their items with.
pub const CLIENT_USER_ID: &str = "user-42";

/// `{"user": "user-ok", "password": "password-ok"}`.
pub fn credentials() -> ItemParameters {
    ItemParameters::new()
        .with("user", USER_OK)
        .with("password", PASSWORD_OK)
}

/// A `POST /items` body for `connector` with [`credentials`].
pub fn create_item(connector: ConnectorId) -> CreateItemRequest {
    CreateItemRequest::new(connector, credentials())
}

/// A `POST /items` body for `connector` logging in as `user` with [`PASSWORD_OK`].
pub fn create_item_as(connector: ConnectorId, user: &str) -> CreateItemRequest {
    let parameters = ItemParameters::new()
        .with("user", user)
        .with("password", PASSWORD_OK);
    CreateItemRequest::new(connector, parameters)
}

/// `{"token": "123456"}`.
pub fn mfa_answer() -> ItemParameters {
    ItemParameters::new().with("token", MFA_TOKEN)
}

/// Three attempts with millisecond backoffs; a `Retry-After` of up to 5 s is waited for.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
    }
}

/// A look every 20 ms for up to 10 s.
pub fn fast_wait() -> WaitPolicy {
    WaitPolicy {
        poll_interval: Duration::from_millis(20),
        deadline: Duration::from_secs(10),
    }
}

/// A wait that gives up after 300 ms, looking every 50 ms.
pub fn short_wait() -> WaitPolicy {
    WaitPolicy {
        poll_interval: Duration::from_millis(50),
        deadline: Duration::from_millis(300),
    }
}

/// How far past an API key's two hours a clock is moved to expire it.
pub const PAST_KEY_EXPIRY: Duration = Duration::from_secs(2 * 60 * 60 + 60);

/// How far into an API key's soft-refresh window (5 minutes before expiry, minus jitter) a
/// clock is moved, while the key is still valid.
pub const INTO_SOFT_WINDOW: Duration = Duration::from_secs(2 * 60 * 60 - 60 - 5);
