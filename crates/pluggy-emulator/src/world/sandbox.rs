//! What a sync does with the credentials it was given: the documented sandbox usernames.

use pluggy_core::models::ItemError;
use pluggy_core::{ExecutionStatus, ItemStatus};

/// The sandbox password that logs in.
pub(crate) const PASSWORD_OK: &str = "password-ok";

/// The MFA token that is accepted.
pub(crate) const MFA_TOKEN_OK: &str = "123456";

/// Transactions per account for `user-ok`; `user-ok-perf-{x}` multiplies it.
pub(crate) const BASE_TRANSACTIONS: usize = 25;

/// The most transactions one account gets with `user-ok-perf-{x}`.
pub(crate) const MAX_TRANSACTIONS: usize = 5000;

/// How a sync ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// `UPDATED` + `SUCCESS`; `warnings` adds product warnings to `statusDetail`.
    Success { warnings: bool },
    /// `UPDATED` + `PARTIAL_SUCCESS`: the accounts product failed.
    Partial,
    /// A failed login (`LOGIN_ERROR`) or a failed execution (`OUTDATED`).
    Fail(Failure),
}

/// A failed sync: the execution status, the item status and the `error` object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) execution: ExecutionStatus,
    pub(crate) message: &'static str,
    pub(crate) provider_message: Option<&'static str>,
}

impl Failure {
    fn new(execution: ExecutionStatus, message: &'static str) -> Self {
        Self {
            execution,
            message,
            provider_message: None,
        }
    }

    /// The item status a sync ending this way leaves behind.
    pub(crate) fn status(&self) -> ItemStatus {
        use ExecutionStatus as E;
        match self.execution {
            E::InvalidCredentials
            | E::InvalidCredentialsMfa
            | E::AccountLocked
            | E::AccountCredentialsReset
            | E::UserNotSupported
            | E::UserAuthorizationNotGranted
            | E::UserInputTimeout => ItemStatus::LoginError,
            _ => ItemStatus::Outdated,
        }
    }

    /// Whether the failure happens at login (before any data is read).
    pub(crate) fn at_login(&self) -> bool {
        self.status() == ItemStatus::LoginError
            || matches!(
                self.execution,
                ExecutionStatus::AlreadyLoggedIn | ExecutionStatus::SiteNotAvailable
            )
    }

    /// The wrong MFA token.
    pub(crate) fn wrong_mfa() -> Self {
        Self::new(
            ExecutionStatus::InvalidCredentialsMfa,
            "Invalid MFA token, please try again.",
        )
    }

    /// No MFA answer in time.
    pub(crate) fn mfa_timeout() -> Self {
        Self::new(
            ExecutionStatus::UserInputTimeout,
            "The MFA was not sent in time, please try again.",
        )
    }
}

/// The outcome of a login with `user` and `password`.
pub(crate) fn outcome(user: &str, password: &str) -> Outcome {
    use ExecutionStatus as E;
    let fail = |e, m| Outcome::Fail(Failure::new(e, m));
    if password != PASSWORD_OK {
        return fail(E::InvalidCredentials, "Invalid credentials.");
    }
    if user == "user-ok" || perf_multiplier(user).is_some() {
        return Outcome::Success { warnings: false };
    }
    match user {
        "user-ok-account-warning" => Outcome::Success { warnings: true },
        "user-ok-account-error" => Outcome::Partial,
        "user-logged" => fail(
            E::AlreadyLoggedIn,
            "The user is already logged in at the institution.",
        ),
        "user-locked" => fail(
            E::AccountLocked,
            "The account is locked at the institution.",
        ),
        "user-error" => fail(E::UnexpectedError, "An unexpected error happened."),
        "user-unavailable" => fail(
            E::SiteNotAvailable,
            "The institution is not available right now.",
        ),
        "user-account-need-actions" => fail(
            E::AccountNeedsAction,
            "The account needs an action at the institution.",
        ),
        "user-account-need-actions-provider-message" => Outcome::Fail(Failure {
            execution: E::AccountNeedsAction,
            message: "The account needs an action at the institution.",
            provider_message: Some("Please accept the new terms of use in the bank's app."),
        }),
        "user-connection-error" => {
            fail(E::ConnectionError, "Connectivity error, please try again.")
        }
        "user-account-credentials-reset" => fail(
            E::AccountCredentialsReset,
            "The credentials must be reset at the institution.",
        ),
        "user-not-supported" => fail(E::UserNotSupported, "This user is not supported."),
        _ => fail(E::InvalidCredentials, "Invalid credentials."),
    }
}

/// The `x` of `user-ok-perf-{x}`.
pub(crate) fn perf_multiplier(user: &str) -> Option<usize> {
    user.strip_prefix("user-ok-perf-")?.parse::<usize>().ok()
}

/// Transactions per account for this user.
pub(crate) fn transactions_per_account(user: &str) -> usize {
    perf_multiplier(user)
        .map(|x| BASE_TRANSACTIONS.saturating_mul(x))
        .unwrap_or(BASE_TRANSACTIONS)
        .min(MAX_TRANSACTIONS)
}

/// The `error` of an item, or of an `item/error` event.
pub(crate) fn item_error(f: &Failure) -> ItemError {
    ItemError {
        code: f.execution.clone(),
        message: f.message.to_owned(),
        provider_message: f.provider_message.map(str::to_owned),
        attributes: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_map_to_outcomes() {
        assert_eq!(
            outcome("user-ok", "password-ok"),
            Outcome::Success { warnings: false }
        );
        assert_eq!(
            outcome("user-ok-account-error", "password-ok"),
            Outcome::Partial
        );
        let Outcome::Fail(f) = outcome("user-locked", "password-ok") else {
            panic!()
        };
        assert_eq!(f.status(), ItemStatus::LoginError);
        let Outcome::Fail(f) = outcome("user-error", "password-ok") else {
            panic!()
        };
        assert_eq!(f.status(), ItemStatus::Outdated);
        assert!(!f.at_login());
        let Outcome::Fail(f) = outcome("user-ok", "nope-nope") else {
            panic!()
        };
        assert_eq!(f.execution, ExecutionStatus::InvalidCredentials);
        assert_eq!(transactions_per_account("user-ok-perf-4"), 100);
        assert_eq!(
            transactions_per_account("user-ok-perf-100000"),
            MAX_TRANSACTIONS
        );
        assert_eq!(transactions_per_account("user-ok"), BASE_TRANSACTIONS);
    }
}
