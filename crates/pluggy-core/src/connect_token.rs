//! A connect token and what it is good for: when it expires, which items it may touch, and
//! the options it was requested with.
//!
//! Connect tokens are not cached or refreshed: Pluggy recommends one per connection attempt,
//! and a new one may be minted for a different item or different options. A
//! [`ConnectTokenGrant`] records one answer of `POST /connect_token` so a driver can check
//! the token's expiry and scope before sending anything with it.
//!
//! ```
//! use std::time::Duration;
//!
//! use pluggy_core::connect_token::ConnectTokenGrant;
//! use pluggy_core::{ConnectToken, CredentialScope, ItemId, Now};
//!
//! let sent = Now::new(Duration::from_secs(10), 1_700_000_000);
//! let mut grant = ConnectTokenGrant::new(ConnectToken::new("opaque"), sent, None);
//! assert_eq!(grant.remaining(sent), Duration::from_secs(30 * 60));
//! grant.record_created_item(ItemId::new("item-1"));
//! let CredentialScope::ConnectToken { items } = grant.credential_scope() else { unreachable!() };
//! assert_eq!(items, [ItemId::new("item-1")]);
//! ```

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::clock::Now;
use crate::error::ScopeError;
use crate::ids::ItemId;
use crate::models::{ConnectTokenOptions, ConnectTokenRequest, ConnectTokenResponse};
use crate::scope::CredentialScope;
use crate::secret::ConnectToken;
use crate::token::expiry_on_mono;

/// One connect token as `POST /connect_token` returned it, with its expiry on the monotonic
/// clock and the items in its scope.
#[derive(Clone, Debug)]
pub struct ConnectTokenGrant {
    token: ConnectToken,
    expires_at: Duration,
    options: ConnectTokenOptions,
    /// The item it was issued for (first, when there is one), then the items it created.
    items: Vec<ItemId>,
    issued_for_item: bool,
}

impl ConnectTokenGrant {
    /// Records a token whose request was sent at `sent`, issued for `issued_for` (the request's
    /// `itemId`), with default options.
    ///
    /// It expires at its JWT `exp`, mapped onto the monotonic clock through `sent`, and never
    /// later than [`crate::CONNECT_TOKEN_LIFETIME_SECS`] after `sent`; a token that is not a
    /// JWT with an `exp` gets the full lifetime, and one whose `exp` is already past is expired.
    pub fn new(token: ConnectToken, sent: Now, issued_for: Option<ItemId>) -> Self {
        let expires_at = expiry_on_mono(
            token.expose_secret(),
            sent,
            Duration::from_secs(crate::CONNECT_TOKEN_LIFETIME_SECS),
        );
        Self {
            token,
            expires_at,
            options: ConnectTokenOptions::default(),
            issued_for_item: issued_for.is_some(),
            items: issued_for.into_iter().collect(),
        }
    }

    /// The grant for an answer of `POST /connect_token` to `request`, sent at `sent`: issued
    /// for the request's `itemId`, with its options.
    pub fn from_answer(
        answer: ConnectTokenResponse,
        sent: Now,
        request: &ConnectTokenRequest,
    ) -> Self {
        let grant = Self::new(answer.access_token, sent, request.item_id.clone());
        match &request.options {
            Some(options) => grant.with_options(options.clone()),
            None => grant,
        }
    }

    /// Refuses, with nothing sent, a call made after the token expired.
    pub fn check_usable(&self, now: Now) -> Result<(), ScopeError> {
        if self.is_expired(now) {
            Err(ScopeError::ConnectTokenExpired)
        } else {
            Ok(())
        }
    }

    /// The same grant, recording the options the token was requested with.
    pub fn with_options(mut self, options: ConnectTokenOptions) -> Self {
        self.options = options;
        self
    }

    /// The token, to send as `X-API-KEY` or hand to Pluggy Connect.
    pub fn token(&self) -> &ConnectToken {
        &self.token
    }

    /// When it expires, on the [`Now::mono`] scale.
    pub fn expires_at(&self) -> Duration {
        self.expires_at
    }

    /// Whether it has expired at `now`.
    pub fn is_expired(&self, now: Now) -> bool {
        now.mono >= self.expires_at
    }

    /// How long it stays valid after `now` (zero once expired).
    pub fn remaining(&self, now: Now) -> Duration {
        self.expires_at.saturating_sub(now.mono)
    }

    /// The item it was issued for, if any.
    pub fn issued_for(&self) -> Option<&ItemId> {
        self.items.first().filter(|_| self.issued_for_item)
    }

    /// The options it was requested with.
    pub fn options(&self) -> &ConnectTokenOptions {
        &self.options
    }

    /// Records an item created with this token (the answer of `POST /items`), which brings it
    /// into the token's scope. Recording an item twice changes nothing.
    pub fn record_created_item(&mut self, item: ItemId) {
        if !self.items.contains(&item) {
            self.items.push(item);
        }
    }

    /// The items it may touch: the one it was issued for, then those it created.
    pub fn scope_items(&self) -> &[ItemId] {
        &self.items
    }

    /// Its scope, for [`crate::check_access`].
    pub fn credential_scope(&self) -> CredentialScope<'_> {
        CredentialScope::ConnectToken { items: &self.items }
    }
}

/// A connect client's grant, shared by its calls: each call takes the grant as it is with one
/// reference count, and an item the token creates joins its scope (copying the grant on write).
pub struct SharedGrant(Mutex<Arc<ConnectTokenGrant>>);

impl std::fmt::Debug for SharedGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.lock().fmt(f)
    }
}

impl SharedGrant {
    /// Shares `grant`.
    pub fn new(grant: ConnectTokenGrant) -> Self {
        Self(Mutex::new(Arc::new(grant)))
    }

    fn lock(&self) -> MutexGuard<'_, Arc<ConnectTokenGrant>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The grant as it is now, for one call.
    pub fn current(&self) -> Arc<ConnectTokenGrant> {
        Arc::clone(&self.lock())
    }

    /// Records an item the token created (see [`ConnectTokenGrant::record_created_item`]).
    pub fn record_created_item(&self, item: ItemId) {
        Arc::make_mut(&mut self.lock()).record_created_item(item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints;
    use crate::http::Call;
    use crate::scope::check_access;
    use base64::Engine as _;

    const T0_UNIX: i64 = 1_700_000_000;
    const HALF_HOUR: Duration = Duration::from_secs(1800);

    fn at(secs: u64) -> Now {
        Now::new(Duration::from_secs(secs), T0_UNIX + secs as i64)
    }

    fn jwt_with_exp(exp: i64) -> ConnectToken {
        let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        ConnectToken::new(format!(
            "{}.{}.sig",
            enc.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
            enc.encode(format!(
                r#"{{"clientId":"c","iat":{},"exp":{exp}}}"#,
                exp - 1800
            ))
        ))
    }

    #[test]
    fn expiry_table() {
        let sent = at(100);
        let rows = [
            (
                "opaque token: 30 min",
                ConnectToken::new("opaque"),
                100 + 1800,
            ),
            (
                "exp in 10 min",
                jwt_with_exp(T0_UNIX + 100 + 600),
                100 + 600,
            ),
            (
                "exp in 2 h is capped",
                jwt_with_exp(T0_UNIX + 100 + 7200),
                100 + 1800,
            ),
            ("exp already past", jwt_with_exp(T0_UNIX + 50), 100),
        ];
        for (label, token, expected) in rows {
            let grant = ConnectTokenGrant::new(token, sent, None);
            assert_eq!(grant.expires_at(), Duration::from_secs(expected), "{label}");
        }
    }

    #[test]
    fn is_expired_and_remaining_follow_the_monotonic_clock() {
        let grant = ConnectTokenGrant::new(ConnectToken::new("opaque"), at(0), None);
        assert!(!grant.is_expired(at(0)));
        assert_eq!(grant.remaining(at(0)), HALF_HOUR);
        assert_eq!(grant.remaining(at(1799)), Duration::from_secs(1));
        assert!(!grant.is_expired(at(1799)));
        assert!(grant.is_expired(at(1800)));
        assert_eq!(grant.remaining(at(1800)), Duration::ZERO);
        assert_eq!(grant.remaining(at(99_999)), Duration::ZERO);
        // A wall clock set back does not revive it: only `mono` counts.
        assert!(grant.is_expired(Now::new(Duration::from_secs(1800), 0)));
    }

    #[test]
    fn scope_is_the_issued_for_item_then_created_items() {
        let mut grant =
            ConnectTokenGrant::new(ConnectToken::new("t"), at(0), Some(ItemId::new("old")));
        assert_eq!(grant.issued_for(), Some(&ItemId::new("old")));
        grant.record_created_item(ItemId::new("new"));
        grant.record_created_item(ItemId::new("new"));
        grant.record_created_item(ItemId::new("old"));
        assert_eq!(
            grant.scope_items(),
            [ItemId::new("old"), ItemId::new("new")]
        );

        let mut fresh = ConnectTokenGrant::new(ConnectToken::new("t"), at(0), None);
        assert!(fresh.scope_items().is_empty());
        fresh.record_created_item(ItemId::new("created"));
        assert_eq!(fresh.issued_for(), None);
        assert_eq!(fresh.scope_items(), [ItemId::new("created")]);
    }

    #[test]
    fn credential_scope_lets_only_its_items_through() {
        let mut grant =
            ConnectTokenGrant::new(ConnectToken::new("t"), at(0), Some(ItemId::new("mine")));
        let get = |id: &str| Call::new(&endpoints::ITEMS_RETRIEVE).path_param("id", id);
        assert!(check_access(&get("mine"), grant.credential_scope()).is_ok());
        assert!(check_access(&get("created"), grant.credential_scope()).is_err());
        grant.record_created_item(ItemId::new("created"));
        assert!(check_access(&get("created"), grant.credential_scope()).is_ok());
        assert!(check_access(&get("other"), grant.credential_scope()).is_err());
    }

    #[test]
    fn from_answer_keeps_item_and_options_and_expiry_refuses_calls() {
        let request = ConnectTokenRequest {
            item_id: Some(ItemId::new("it-9")),
            options: Some(ConnectTokenOptions {
                client_user_id: Some(crate::ClientUserId::new("u")),
                ..Default::default()
            }),
        };
        let answer = ConnectTokenResponse {
            access_token: ConnectToken::new("opaque"),
        };
        let grant = ConnectTokenGrant::from_answer(answer, at(0), &request);
        assert_eq!(grant.issued_for(), Some(&ItemId::new("it-9")));
        assert_eq!(grant.options(), request.options.as_ref().unwrap());
        assert!(grant.check_usable(at(1799)).is_ok());
        let err = grant.check_usable(at(1800)).unwrap_err();
        assert_eq!(err, ScopeError::ConnectTokenExpired);
        assert!(err.to_string().contains("new one"), "{err}");
    }

    #[test]
    fn options_are_kept_and_debug_hides_the_token() {
        let options = ConnectTokenOptions {
            client_user_id: Some(crate::ClientUserId::new("user-42")),
            webhook_url: Some("https://example.com/hook".into()),
            oauth_redirect_uri: None,
            avoid_duplicates: Some(true),
            products: None,
        };
        let grant = ConnectTokenGrant::new(ConnectToken::new("s3cr3t-token"), at(0), None)
            .with_options(options.clone());
        assert_eq!(grant.options(), &options);
        assert_eq!(grant.token().expose_secret(), "s3cr3t-token");
        let printed = format!("{grant:?}");
        assert!(!printed.contains("s3cr3t"), "{printed}");
        assert!(printed.contains("user-42"), "{printed}");
    }
}
