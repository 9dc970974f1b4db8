//! One call from first attempt to final answer, as a state machine a driver steps through.
//!
//! The driver's whole job per call:
//!
//! ```text
//! let mut ex = Exchange::start(request, scope, policy, refreshable)?; // scope checked here
//! loop {
//!     let (credential, epoch) = /* the API key (from the TokenManager) or connect token */;
//!     let request = ex.request(&base, credential, epoch, user_agent)?;
//!     let outcome = transport.send(request);                          // the only I/O
//!     match ex.on_outcome(outcome, || jitter.next_unit()) {
//!         Step::Done(result) => return result,                       // decoded answer or typed error
//!         Step::Sleep(delay) => sleep(delay),
//!         Step::Invalidate(epoch) => keys.invalidate(epoch),          // then loop: new key
//!     }
//! }
//! ```
//!
//! Every decision (scope, retries, the expired-key refresh, error typing) is made here, so the
//! async and blocking drivers cannot disagree.

use std::time::Duration;

use crate::error::{Error, TransportError};
use crate::fleet::shared_key::StoreEpoch;
use crate::http::{BaseUrl, Call, Credential, PreparedRequest, RawResponse, error_from_response};
use crate::operation::{Decoder, Request};
use crate::retry::{Next, RetryPolicy, RetryState};
use crate::scope::{CredentialScope, check_access};
use crate::token::Epoch;

/// What the driver does after an attempt.
#[derive(Debug)]
pub enum Step<T = RawResponse> {
    /// The call is over: the decoded answer, or the typed error.
    Done(Result<T, Error>),
    /// Wait this long, then make the next attempt.
    Sleep(Duration),
    /// The API key of this epoch was refused as expired: invalidate it where it came from,
    /// then make the next attempt with a fresh key.
    Invalidate(KeyEpoch),
}

/// Which managed API key an attempt was sent with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyEpoch {
    /// One of this client's own keys ([`crate::TokenManager`]).
    Local(Epoch),
    /// One shared by the client's fleet ([`crate::fleet::shared_key`]).
    Shared(StoreEpoch),
}

/// The attempts of one call, up to its decoded answer.
pub struct Exchange<T = RawResponse> {
    call: Call,
    decode: Decoder<T>,
    retry: RetryState,
    refreshable: bool,
    epoch: Option<KeyEpoch>,
}

impl<T> std::fmt::Debug for Exchange<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exchange")
            .field("call", &self.call)
            .field("retry", &self.retry)
            .field("epoch", &self.epoch)
            .finish_non_exhaustive()
    }
}

impl<T> Exchange<T> {
    /// Starts a request made with a credential of `scope`. Refuses it, with nothing sent, when
    /// its arguments were invalid or the scope does not cover it. `refreshable` says whether the
    /// credential can be replaced after an expired-key answer (a managed API key can; a connect
    /// token or static key cannot).
    pub fn start(
        request: Request<T>,
        scope: CredentialScope<'_>,
        policy: RetryPolicy,
        refreshable: bool,
    ) -> Result<Self, Error> {
        let (call, decode) = request.into_parts();
        let call = call?;
        check_access(&call, scope)?;
        let retry = RetryState::new(call.endpoint(), policy);
        Ok(Self {
            call,
            decode,
            retry,
            refreshable,
            epoch: None,
        })
    }

    /// The call being made.
    pub fn call(&self) -> &Call {
        &self.call
    }

    /// Attempts made so far (not counting the one after a key refresh).
    pub fn attempts(&self) -> u32 {
        self.retry.attempts()
    }

    /// Builds the request of the next attempt. `epoch` is the API key's epoch, if the
    /// credential is a managed key.
    pub fn request(
        &mut self,
        base: &BaseUrl,
        credential: Credential<'_>,
        epoch: Option<KeyEpoch>,
        user_agent: &std::sync::Arc<str>,
    ) -> Result<PreparedRequest, Error> {
        self.epoch = epoch;
        self.call.prepare(base, credential, user_agent)
    }

    /// Decides what follows an attempt. `jitter` gives a random number in `[0, 1)`, asked
    /// for only when a retry backs off. A 2xx answer ends the call decoded.
    pub fn on_outcome(
        &mut self,
        outcome: Result<RawResponse, TransportError>,
        jitter: impl FnOnce() -> f64,
    ) -> Step<T> {
        let endpoint = self.call.endpoint();
        let decode = self.decode;
        let finish = |outcome: Result<RawResponse, TransportError>| match outcome {
            Ok(raw) if (200..300).contains(&raw.status()) => Step::Done(decode(endpoint, raw)),
            Ok(raw) => Step::Done(Err(error_from_response(endpoint, &raw))),
            Err(source) => Step::Done(Err(Error::Transport {
                endpoint: endpoint.route,
                source,
            })),
        };
        match self.retry.next(outcome.as_ref(), jitter) {
            Next::Done => finish(outcome),
            Next::Retry { after } => Step::Sleep(after),
            Next::RefreshKeyAndRetry => match self.epoch {
                Some(epoch) if self.refreshable => Step::Invalidate(epoch),
                _ => finish(outcome),
            },
            Next::GiveUp(error) => Step::Done(Err(error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints;
    use crate::error::{ScopeError, TransportErrorKind};
    use crate::secret::ApiKey;
    use crate::token::{Decision, TokenManager};
    use crate::{ItemId, Now};

    const EXPIRED: &str = r#"{"code":403,"message":"Missing or invalid authorization token"}"#;

    fn raw(status: u16, body: &str) -> RawResponse {
        RawResponse::new(status, vec![], body.as_bytes().to_vec())
    }

    fn epoch() -> Epoch {
        let mut tm = TokenManager::with_static_key(ApiKey::new("k"));
        match tm.poll(Now::new(Duration::ZERO, 0)) {
            Decision::Use { epoch, .. } => epoch,
            other => panic!("{other:?}"),
        }
    }

    fn started(call: Call, refreshable: bool) -> Exchange {
        let mut ex = Exchange::start(
            Request::raw(call),
            CredentialScope::ApiKey,
            RetryPolicy::default(),
            refreshable,
        )
        .unwrap();
        let key = ApiKey::new("k");
        ex.request(
            &BaseUrl::default(),
            Credential::ApiKey(&key),
            Some(KeyEpoch::Local(epoch())),
            &"t".into(),
        )
        .unwrap();
        ex
    }

    #[test]
    fn out_of_scope_calls_never_start() {
        let mine = [ItemId::new("a")];
        let err = Exchange::start(
            Request::raw(Call::new(&endpoints::TRANSACTIONS_LIST)),
            CredentialScope::ConnectToken { items: &mine },
            RetryPolicy::default(),
            false,
        )
        .unwrap_err();
        assert!(matches!(
            err,
            Error::Scope(ScopeError::ApiKeyRequired { .. })
        ));
    }

    #[test]
    fn success_and_typed_errors_end_the_call() {
        let mut ex = started(
            Call::new(&endpoints::ITEMS_RETRIEVE).path_param("id", "x"),
            true,
        );
        assert!(matches!(
            ex.on_outcome(Ok(raw(200, "{}")), || 0.5),
            Step::Done(Ok(_))
        ));
        let mut ex = started(
            Call::new(&endpoints::ITEMS_RETRIEVE).path_param("id", "x"),
            true,
        );
        let body = r#"{"code":404,"codeDescription":"ITEM_NOT_FOUND","message":"item not found"}"#;
        match ex.on_outcome(Ok(raw(404, body)), || 0.5) {
            Step::Done(Err(Error::Api(e))) => assert_eq!(e.status, 404),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn expired_key_invalidates_once_when_refreshable() {
        let mut ex = started(Call::new(&endpoints::ACCOUNTS_LIST), true);
        assert!(matches!(
            ex.on_outcome(Ok(raw(403, EXPIRED)), || 0.5),
            Step::Invalidate(_)
        ));
        assert!(matches!(
            ex.on_outcome(Ok(raw(403, EXPIRED)), || 0.5),
            Step::Done(Err(Error::Api(_)))
        ));
        let mut ex = started(Call::new(&endpoints::ACCOUNTS_LIST), false);
        assert!(matches!(
            ex.on_outcome(Ok(raw(403, EXPIRED)), || 0.5),
            Step::Done(Err(Error::Api(_)))
        ));
    }

    #[test]
    fn create_item_is_never_retried_but_reads_are() {
        let dropped = || Err(TransportError::new(TransportErrorKind::Closed, "reset"));
        let mut ex = started(Call::new(&endpoints::ITEMS_CREATE), true);
        assert!(matches!(
            ex.on_outcome(dropped(), || 0.5),
            Step::Done(Err(Error::Transport { .. }))
        ));
        let mut ex = started(Call::new(&endpoints::ITEMS_CREATE), true);
        assert!(matches!(
            ex.on_outcome(Ok(raw(503, "{}")), || 0.5),
            Step::Done(Err(_))
        ));
        let mut ex = started(Call::new(&endpoints::CONNECTORS_LIST), true);
        assert!(matches!(ex.on_outcome(dropped(), || 0.5), Step::Sleep(_)));
    }

    #[test]
    fn jitter_is_drawn_only_for_a_backoff() {
        let mut draws = 0;
        let mut ex = started(Call::new(&endpoints::CONNECTORS_LIST), true);
        let step = ex.on_outcome(Ok(raw(200, "[]")), || {
            draws += 1;
            0.5
        });
        assert!(matches!(step, Step::Done(Ok(_))));
        assert_eq!(draws, 0);
        let mut ex = started(Call::new(&endpoints::CONNECTORS_LIST), true);
        let step = ex.on_outcome(Ok(raw(503, "{}")), || {
            draws += 1;
            0.0
        });
        assert!(matches!(step, Step::Sleep(_)));
        assert_eq!(draws, 1);
    }
}
