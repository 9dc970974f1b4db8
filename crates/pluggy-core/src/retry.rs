//! Whether to send a call again, and when: a pure decision over one attempt's outcome.
//!
//! A driver keeps one [`RetryState`] per call and, after each attempt, asks it what to do
//! with the answer or the transport failure, passing where a random number for the jitter
//! comes from (drawn only when a backoff needs it):
//!
//! ```
//! use std::time::Duration;
//!
//! use pluggy_core::retry::{Next, RetryPolicy, RetryState};
//! use pluggy_core::{RawResponse, endpoints};
//!
//! let mut state = RetryState::new(&endpoints::ITEMS_RETRIEVE, RetryPolicy::default());
//! let busy = RawResponse::new(503, vec![], b"{}".to_vec());
//! assert!(matches!(state.next(Ok(&busy), || 0.5), Next::Retry { .. }));
//! let limited = RawResponse::new(429, vec![("Retry-After".into(), "2".into())], vec![]);
//! let wait = Duration::from_secs(2);
//! assert!(matches!(state.next(Ok(&limited), || 0.5), Next::Retry { after } if after == wait));
//! // The third attempt is the last one: its answer is handed to `parse_response`.
//! assert!(matches!(state.next(Ok(&busy), || 0.5), Next::Done));
//! ```
//!
//! The rules:
//! - A 429 means the request was not processed, so it is retried for every operation, after
//!   the `Retry-After` seconds when given (a longer wait than
//!   [`max_retry_after`](RetryPolicy::max_retry_after) gives up at once with
//!   [`Error::RateLimited`]), after the backoff otherwise.
//! - 5xx answers and transient transport failures are retried only for operations whose
//!   [`Endpoint::retryable`] says so: reads, deletes, `POST /auth` and `POST /connect_token`.
//!   `POST /items` is never sent twice automatically (a duplicate opens a second bank
//!   connection).
//! - The expired-key answer ([`crate::ApiError::is_invalid_credential`]) asks for one key
//!   refresh and one more attempt, for any operation (the request was not processed). It is
//!   not counted against `max_attempts`, and happens at most once per call.
//! - Every other answer, and every non-transient transport failure, is final.
//! - Backoff is exponential from `base_delay`, capped at `max_delay`, with equal jitter (a
//!   delay `d` becomes a pick in `[d/2, d]` by the jitter given).

use std::time::Duration;

use crate::endpoint::Endpoint;
use crate::error::{Error, TransportError};
use crate::http::{RawResponse, error_from_response};

/// How persistently a call is retried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The most attempts a call makes, the first one included. Default: 3. `0` counts as 1.
    pub max_attempts: u32,
    /// The backoff before the first retry, before jitter. Default: 200 ms.
    pub base_delay: Duration,
    /// The longest backoff between attempts. Default: 10 s.
    pub max_delay: Duration,
    /// The longest `Retry-After` a 429 may make a call wait; beyond it the call gives up with
    /// [`Error::RateLimited`] instead. Default: 60 s.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries (the expired-key refresh still happens once).
    pub fn never() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }
}

/// What to do after an attempt.
#[derive(Debug)]
#[must_use]
pub enum Next {
    /// Stop here: hand the answer to [`crate::parse_response`], or the transport failure on
    /// as [`Error::Transport`].
    Done,
    /// Send the call again after this delay.
    Retry {
        /// How long to wait first.
        after: Duration,
    },
    /// The API key was rejected as missing, invalid or expired: invalidate it
    /// ([`crate::token::TokenManager::invalidate`]), get the next one, and send again at once.
    /// A driver whose credential cannot be refreshed (a static key, a connect token) treats
    /// this as [`Next::Done`].
    RefreshKeyAndRetry,
    /// Stop with this error instead of the answer.
    GiveUp(Error),
}

/// The retry decisions of one call.
#[derive(Clone, Debug)]
pub struct RetryState {
    endpoint: &'static Endpoint,
    policy: RetryPolicy,
    /// Attempts counted against `max_attempts`.
    attempts: u32,
    refreshed_key: bool,
}

impl RetryState {
    /// The state of a new call of `endpoint`, before its first attempt.
    pub fn new(endpoint: &'static Endpoint, policy: RetryPolicy) -> Self {
        Self {
            endpoint,
            policy,
            attempts: 0,
            refreshed_key: false,
        }
    }

    /// The attempts made so far that count against `max_attempts`.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Decides what follows an attempt that got `outcome`. `jitter` gives a random number in
    /// `[0, 1)` (values outside are clamped; NaN counts as 0); it is called only for a
    /// backoff, so an answer that needs none costs no draw.
    pub fn next(
        &mut self,
        outcome: Result<&RawResponse, &TransportError>,
        jitter: impl FnOnce() -> f64,
    ) -> Next {
        self.attempts = self.attempts.saturating_add(1);
        let attempts_left = self.attempts < self.policy.max_attempts.max(1);
        match outcome {
            Ok(raw) => match raw.status() {
                429 => match raw.retry_after() {
                    Some(asked) if asked > self.policy.max_retry_after => {
                        Next::GiveUp(Error::RateLimited {
                            endpoint: self.endpoint.route,
                            retry_after: Some(asked),
                            retry_after_exceeds_budget: true,
                        })
                    }
                    Some(asked) if attempts_left => Next::Retry { after: asked },
                    None if attempts_left => self.backoff(jitter()),
                    _ => Next::Done,
                },
                401 | 403 if !self.refreshed_key && self.is_invalid_credential(raw) => {
                    self.refreshed_key = true;
                    self.attempts -= 1;
                    Next::RefreshKeyAndRetry
                }
                500..=599 if attempts_left && self.endpoint.retryable() => self.backoff(jitter()),
                _ => Next::Done,
            },
            Err(e) if attempts_left && e.is_transient() && self.endpoint.retryable() => {
                self.backoff(jitter())
            }
            Err(_) => Next::Done,
        }
    }

    fn is_invalid_credential(&self, raw: &RawResponse) -> bool {
        error_from_response(self.endpoint, raw)
            .api()
            .is_some_and(|e| e.is_invalid_credential())
    }

    /// Equal-jitter exponential backoff before retry number `self.attempts`.
    fn backoff(&self, jitter: f64) -> Next {
        let exponent = self.attempts.saturating_sub(1).min(31);
        let full = self
            .policy
            .base_delay
            .saturating_mul(1 << exponent)
            .min(self.policy.max_delay);
        let jitter = if jitter.is_nan() {
            0.0
        } else {
            jitter.clamp(0.0, 1.0)
        };
        let half = full / 2;
        Next::Retry {
            after: half + (full - half).mul_f64(jitter),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints;
    use crate::error::TransportErrorKind;

    const INVALID_TOKEN: &str =
        r#"{"code":403,"message":"Missing or invalid authorization token"}"#;

    fn answer(status: u16, body: &str) -> RawResponse {
        RawResponse::new(status, vec![], body.as_bytes().to_vec())
    }

    fn limited(retry_after: Option<&str>) -> RawResponse {
        let headers = retry_after
            .map(|v| vec![("Retry-After".to_owned(), v.to_owned())])
            .unwrap_or_default();
        RawResponse::new(429, headers, b"{}".to_vec())
    }

    fn broken(kind: TransportErrorKind) -> TransportError {
        TransportError::new(kind, "test")
    }

    #[derive(Debug, PartialEq)]
    enum Expect {
        Done,
        /// A retry, after exactly this delay when given.
        Retry(Option<Duration>),
        Refresh,
        GiveUpRateLimited,
    }

    fn classify(next: Next) -> Expect {
        match next {
            Next::Done => Expect::Done,
            Next::Retry { after } => Expect::Retry(Some(after)),
            Next::RefreshKeyAndRetry => Expect::Refresh,
            Next::GiveUp(Error::RateLimited {
                retry_after_exceeds_budget: true,
                ..
            }) => Expect::GiveUpRateLimited,
            Next::GiveUp(other) => panic!("unexpected give-up: {other:?}"),
        }
    }

    fn matches_expectation(got: &Expect, want: &Expect) -> bool {
        match (got, want) {
            (Expect::Retry(Some(_)), Expect::Retry(None)) => true,
            _ => got == want,
        }
    }

    /// Every call that can move money or open a connection to an institution.
    const NEVER_REPEATED: &[&Endpoint] = &[
        &endpoints::ITEMS_CREATE,
        &endpoints::PAYMENT_REQUEST_CREATE,
        &endpoints::PAYMENT_REQUEST_CREATE_AUTOMATIC_PIX,
        &endpoints::PAYMENT_REQUEST_CREATE_AUTOMATIC_PIX_SCHEDULE,
        &endpoints::RETRY_AUTOMATIC_PIX_SCHEDULE,
        &endpoints::PAYMENT_REQUEST_CREATE_PIX_QR,
        &endpoints::PAYMENT_INTENT_CREATE,
        &endpoints::SMART_TRANSFER_PREAUTHORIZATION_CREATE,
        &endpoints::SMART_TRANSFER_PAYMENT_CREATE,
        &endpoints::BOLETO_CONNECTION_CREATE,
        &endpoints::BOLETO_CONNECTION_CREATE_FROM_ITEM,
        &endpoints::BOLETO_CREATE,
    ];

    #[test]
    fn no_call_that_moves_money_or_opens_a_connection_repeats_itself() {
        let unavailable = answer(503, "<html>busy</html>");
        let server_error = answer(500, "{}");
        let faults = [
            Ok(&unavailable),
            Ok(&server_error),
            Err(broken(TransportErrorKind::Closed)),
            Err(broken(TransportErrorKind::Timeout)),
        ];
        for endpoint in NEVER_REPEATED {
            assert!(!endpoint.retryable(), "{endpoint} is marked safe to repeat");
            for fault in &faults {
                let mut state = RetryState::new(endpoint, RetryPolicy::default());
                let outcome = match fault {
                    Ok(raw) => Ok(*raw),
                    Err(e) => Err(e),
                };
                let next = state.next(outcome, || 0.5);
                assert!(
                    matches!(next, Next::Done),
                    "{endpoint} after {fault:?}: {next:?}"
                );
            }
        }
    }

    #[test]
    fn first_attempt_rules() {
        use Expect::*;
        let ok = answer(200, "{}");
        let not_found = answer(404, r#"{"code":404,"codeDescription":"ITEM_NOT_FOUND"}"#);
        let bad_request = answer(400, r#"{"code":400,"message":"bad"}"#);
        let unavailable = answer(503, "<html>busy</html>");
        let server_error = answer(500, "{}");
        let expired_key = answer(403, INVALID_TOKEN);
        let forbidden = answer(
            403,
            r#"{"code":403,"codeDescription":"FORBIDDEN","message":"no"}"#,
        );
        let bare_401 = answer(401, r#"{"code":401,"message":"Unauthorized"}"#);
        let bad_keys = answer(
            401,
            r#"{"code":401,"codeDescription":"CLIENT_KEYS_UNAUTHORIZED","message":"x"}"#,
        );
        let timeout = broken(TransportErrorKind::Timeout);
        let closed = broken(TransportErrorKind::Closed);
        let refused = broken(TransportErrorKind::Connect);
        let invalid = broken(TransportErrorKind::InvalidRequest);
        let seven = Some(Duration::from_secs(7));
        let limited_7 = limited(Some("7"));
        let limited_none = limited(None);
        let limited_date = limited(Some("Wed, 21 Oct 2015 07:28:00 GMT"));
        let limited_120 = limited(Some("120"));
        let rows: Vec<(
            &str,
            &'static Endpoint,
            Result<&RawResponse, &TransportError>,
            Expect,
        )> = vec![
            (
                "success is final",
                &endpoints::ITEMS_RETRIEVE,
                Ok(&ok),
                Done,
            ),
            (
                "404 is final",
                &endpoints::ITEMS_RETRIEVE,
                Ok(&not_found),
                Done,
            ),
            (
                "400 is final",
                &endpoints::ITEMS_CREATE,
                Ok(&bad_request),
                Done,
            ),
            (
                "503 on GET is retried",
                &endpoints::ITEMS_RETRIEVE,
                Ok(&unavailable),
                Retry(None),
            ),
            (
                "503 on DELETE is retried",
                &endpoints::ITEMS_DELETE,
                Ok(&unavailable),
                Retry(None),
            ),
            (
                "POST /items is never retried on 503",
                &endpoints::ITEMS_CREATE,
                Ok(&unavailable),
                Done,
            ),
            (
                "POST /items is never retried on a dropped connection",
                &endpoints::ITEMS_CREATE,
                Err(&closed),
                Done,
            ),
            (
                "POST /items is never retried on a timeout",
                &endpoints::ITEMS_CREATE,
                Err(&timeout),
                Done,
            ),
            (
                "a transport timeout on GET is retried",
                &endpoints::ITEMS_RETRIEVE,
                Err(&timeout),
                Retry(None),
            ),
            (
                "a refused connection on POST /auth is retried",
                &endpoints::AUTH_CREATE,
                Err(&refused),
                Retry(None),
            ),
            (
                "500 on POST /connect_token is retried",
                &endpoints::CONNECT_TOKEN_CREATE,
                Ok(&server_error),
                Retry(None),
            ),
            (
                "an unsendable request is final",
                &endpoints::ITEMS_RETRIEVE,
                Err(&invalid),
                Done,
            ),
            (
                "429 honours Retry-After even on POST /items",
                &endpoints::ITEMS_CREATE,
                Ok(&limited_7),
                Retry(seven),
            ),
            (
                "429 without Retry-After backs off",
                &endpoints::ITEMS_RETRIEVE,
                Ok(&limited_none),
                Retry(None),
            ),
            (
                "429 with a date Retry-After backs off",
                &endpoints::ITEMS_RETRIEVE,
                Ok(&limited_date),
                Retry(None),
            ),
            (
                "429 asking too long gives up",
                &endpoints::ITEMS_RETRIEVE,
                Ok(&limited_120),
                GiveUpRateLimited,
            ),
            (
                "the expired-key 403 refreshes, even for POST /items",
                &endpoints::ITEMS_CREATE,
                Ok(&expired_key),
                Refresh,
            ),
            (
                "a bare 401 refreshes",
                &endpoints::ACCOUNTS_LIST,
                Ok(&bare_401),
                Refresh,
            ),
            (
                "a 403 with a code is final",
                &endpoints::ITEMS_RETRIEVE,
                Ok(&forbidden),
                Done,
            ),
            (
                "refused client keys at /auth are final",
                &endpoints::AUTH_CREATE,
                Ok(&bad_keys),
                Done,
            ),
        ];
        for (label, endpoint, outcome, want) in rows {
            let got =
                classify(RetryState::new(endpoint, RetryPolicy::default()).next(outcome, || 0.5));
            assert!(
                matches_expectation(&got, &want),
                "{label}: got {got:?}, want {want:?}"
            );
        }
    }

    #[test]
    fn attempts_are_capped_by_max_attempts() {
        let busy = answer(503, "{}");
        let mut state = RetryState::new(&endpoints::ITEMS_RETRIEVE, RetryPolicy::default());
        assert!(matches!(state.next(Ok(&busy), || 0.0), Next::Retry { .. }));
        assert!(matches!(state.next(Ok(&busy), || 0.0), Next::Retry { .. }));
        assert!(matches!(state.next(Ok(&busy), || 0.0), Next::Done));
        assert_eq!(state.attempts(), 3);

        // Rate limiting counts too; the last 429 goes to parse_response as RateLimited.
        let mut state = RetryState::new(&endpoints::ITEMS_RETRIEVE, RetryPolicy::default());
        let limited = limited(Some("1"));
        assert!(matches!(
            state.next(Ok(&limited), || 0.0),
            Next::Retry { .. }
        ));
        assert!(matches!(
            state.next(Ok(&limited), || 0.0),
            Next::Retry { .. }
        ));
        assert!(matches!(state.next(Ok(&limited), || 0.0), Next::Done));

        for max_attempts in [0, 1] {
            let policy = RetryPolicy {
                max_attempts,
                ..RetryPolicy::default()
            };
            let mut state = RetryState::new(&endpoints::ITEMS_RETRIEVE, policy);
            assert!(
                matches!(state.next(Ok(&busy), || 0.0), Next::Done),
                "{max_attempts}"
            );
        }
    }

    #[test]
    fn the_key_refresh_happens_once_and_is_not_counted() {
        let expired = answer(403, INVALID_TOKEN);
        let busy = answer(503, "{}");
        let mut state = RetryState::new(&endpoints::ITEMS_RETRIEVE, RetryPolicy::default());
        assert!(matches!(state.next(Ok(&busy), || 0.0), Next::Retry { .. }));
        assert!(matches!(
            state.next(Ok(&expired), || 0.0),
            Next::RefreshKeyAndRetry
        ));
        assert!(matches!(state.next(Ok(&busy), || 0.0), Next::Retry { .. }));
        assert!(matches!(state.next(Ok(&busy), || 0.0), Next::Done));

        // A second expired-key answer is the caller's error.
        let mut state = RetryState::new(&endpoints::ITEMS_RETRIEVE, RetryPolicy::never());
        assert!(matches!(
            state.next(Ok(&expired), || 0.0),
            Next::RefreshKeyAndRetry
        ));
        assert!(matches!(state.next(Ok(&expired), || 0.0), Next::Done));
    }

    #[test]
    fn backoff_is_exponential_jittered_and_capped() {
        let policy = RetryPolicy {
            max_attempts: 10,
            ..RetryPolicy::default()
        };
        let busy = answer(503, "{}");
        let delays = |jitter: f64| -> Vec<u64> {
            let mut state = RetryState::new(&endpoints::ITEMS_RETRIEVE, policy.clone());
            (0..9)
                .map(|_| match state.next(Ok(&busy), || jitter) {
                    Next::Retry { after } => after.as_millis() as u64,
                    other => panic!("{other:?}"),
                })
                .collect()
        };
        // Equal jitter: between half and all of 200 ms · 2ⁿ, capped at 10 s.
        assert_eq!(
            delays(0.0),
            [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]
        );
        assert_eq!(
            delays(1.0),
            [200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000]
        );
        assert_eq!(delays(0.5)[0], 150);
        assert_eq!(delays(f64::NAN), delays(0.0));
        assert_eq!(delays(-3.0), delays(0.0));
        assert_eq!(delays(7.0), delays(1.0));
    }

    #[test]
    fn giving_up_on_a_long_retry_after_says_why() {
        let mut state = RetryState::new(&endpoints::AUTH_CREATE, RetryPolicy::default());
        match state.next(Ok(&limited(Some("61"))), || 0.0) {
            Next::GiveUp(e @ Error::RateLimited { .. }) => {
                assert_eq!(e.status(), Some(429));
                let s = e.to_string();
                assert!(s.contains("retry after 61s"), "{s}");
                assert!(s.contains("longer than the retry policy allows"), "{s}");
            }
            other => panic!("{other:?}"),
        }
        // Exactly the limit is still waited for.
        let mut state = RetryState::new(&endpoints::AUTH_CREATE, RetryPolicy::default());
        assert!(matches!(
            state.next(Ok(&limited(Some("60"))), || 0.0),
            Next::Retry { after } if after == Duration::from_secs(60)
        ));
    }
}
