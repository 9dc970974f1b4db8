//! The driving loop of the blocking client: prepare, send, follow core's retry decision, refresh
//! the API key when core says so. No protocol decision is made here; this file only locks,
//! waits, sends and sleeps.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

use pluggy_core::connect_token::ConnectTokenGrant;
use pluggy_core::http::Credential;
use pluggy_core::models::AuthResponse;
use pluggy_core::retry::{Next, RetryPolicy, RetryState};
use pluggy_core::token::{Decision, Epoch, RefreshTicket, TokenManager, auth_call};
use pluggy_core::{
    ApiKey, BaseUrl, BlockingTransport, Call, ClientId, ClientSecret, CredentialScope, Error,
    RawResponse, check_access, parse_response,
};
use serde::de::DeserializeOwned;

use crate::clock::Clock;

/// Everything a call needs besides its credential.
pub(crate) struct Engine {
    pub(crate) base: BaseUrl,
    pub(crate) transport: Arc<dyn BlockingTransport>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) retry: RetryPolicy,
    pub(crate) user_agent: String,
    rng: AtomicU64,
}

/// The credential a call is made with.
pub(crate) enum Auth<'a> {
    /// `POST /auth` only.
    None,
    /// The client's managed API key.
    Key(&'a KeyCache),
    /// A connect token.
    Connect(&'a ConnectTokenGrant),
}

impl Engine {
    pub(crate) fn new(
        base: BaseUrl,
        transport: Arc<dyn BlockingTransport>,
        clock: Arc<dyn Clock>,
        retry: RetryPolicy,
        user_agent: String,
        seed: u64,
    ) -> Self {
        Self { base, transport, clock, retry, user_agent, rng: AtomicU64::new(seed) }
    }

    /// A uniformly distributed number in `[0, 1)` for backoff jitter (splitmix64).
    fn jitter(&self) -> f64 {
        let mut z = self.rng.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Makes a call and decodes its answer.
    pub(crate) fn call<T: DeserializeOwned>(&self, call: &Call, auth: Auth<'_>) -> Result<T, Error> {
        let raw = self.execute(call, auth)?;
        parse_response(call.endpoint(), &raw)
    }

    /// Makes a call, with retries and key refreshes as core decides, and returns the final
    /// answer: a 2xx [`RawResponse`] or the typed error.
    pub(crate) fn execute(&self, call: &Call, auth: Auth<'_>) -> Result<RawResponse, Error> {
        let endpoint = call.endpoint();
        let scope = match &auth {
            Auth::None => CredentialScope::None,
            Auth::Key(_) => CredentialScope::ApiKey,
            Auth::Connect(grant) => grant.credential_scope(),
        };
        check_access(call, scope)?;
        let mut retry = RetryState::new(endpoint, self.retry.clone());
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let (request, epoch) = match &auth {
                Auth::None => (call.prepare(&self.base, Credential::None, &self.user_agent)?, None),
                Auth::Key(cache) => {
                    let (key, epoch) = cache.key(self)?;
                    (call.prepare(&self.base, Credential::ApiKey(&key), &self.user_agent)?, Some(epoch))
                }
                Auth::Connect(grant) => {
                    let token = grant.token();
                    (call.prepare(&self.base, Credential::ConnectToken(token), &self.user_agent)?, None)
                }
            };
            let span = tracing::debug_span!(
                "pluggy.call",
                endpoint = endpoint.name,
                attempt,
                status = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
            );
            let started = Instant::now();
            let outcome = span.in_scope(|| self.transport.send(request));
            span.record("duration_ms", started.elapsed().as_millis() as u64);
            if let Ok(raw) = &outcome {
                span.record("status", raw.status());
            }
            match retry.next(outcome.as_ref(), self.jitter()) {
                Next::Done => {
                    return match outcome {
                        Ok(raw) if (200..300).contains(&raw.status()) => Ok(raw),
                        Ok(raw) => Err(pluggy_core::http::error_from_response(endpoint, &raw)),
                        Err(source) => Err(Error::Transport { endpoint: endpoint.name, source }),
                    };
                }
                Next::Retry { after } => {
                    tracing::debug!(endpoint = endpoint.name, attempt, delay_ms = after.as_millis() as u64, "retrying");
                    std::thread::sleep(after);
                }
                Next::RefreshKeyAndRetry => match (&auth, epoch) {
                    (Auth::Key(cache), Some(epoch)) => cache.invalidate(epoch),
                    _ => {
                        return Err(match outcome {
                            Ok(raw) => pluggy_core::http::error_from_response(endpoint, &raw),
                            Err(source) => Error::Transport { endpoint: endpoint.name, source },
                        });
                    }
                },
                Next::GiveUp(error) => return Err(error),
            }
        }
    }
}

/// The client's API key: core's [`TokenManager`] behind a mutex, with a condition variable that
/// wakes threads waiting for a refresh.
pub(crate) struct KeyCache {
    manager: Mutex<TokenManager>,
    refreshed: Condvar,
    credentials: Option<(ClientId, ClientSecret)>,
}

impl KeyCache {
    pub(crate) fn new(manager: TokenManager, credentials: Option<(ClientId, ClientSecret)>) -> Self {
        Self { manager: Mutex::new(manager), refreshed: Condvar::new(), credentials }
    }

    fn lock(&self) -> MutexGuard<'_, TokenManager> {
        self.manager.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn invalidate(&self, epoch: Epoch) {
        self.lock().invalidate(epoch);
    }

    /// A usable key: the cached one, or one fetched now by exactly one thread while the others
    /// wait for it.
    pub(crate) fn key(&self, engine: &Engine) -> Result<(ApiKey, Epoch), Error> {
        let mut manager = self.lock();
        loop {
            let now = engine.clock.now();
            match manager.poll(now) {
                Decision::Use { key, epoch } => return Ok((key, epoch)),
                Decision::UseAndRefresh { ticket, .. } | Decision::Refresh(ticket) => {
                    drop(manager);
                    self.refresh(engine, ticket);
                    manager = self.lock();
                }
                Decision::Wait { until } => {
                    let wait = until.saturating_sub(now.mono);
                    manager = self
                        .refreshed
                        .wait_timeout(manager, wait)
                        .map(|(guard, _)| guard)
                        .unwrap_or_else(|poisoned| poisoned.into_inner().0);
                }
                Decision::Fail(error) => return Err(error),
            }
        }
    }

    fn refresh(&self, engine: &Engine, ticket: RefreshTicket) {
        let mut guard = Abandon { cache: self, ticket: Some(ticket) };
        let sent = engine.clock.now();
        let outcome = match &self.credentials {
            Some((id, secret)) => auth_call(id, secret)
                .and_then(|call| engine.call::<AuthResponse>(&call, Auth::None))
                .map(|r| r.api_key),
            None => Err(Error::InvalidInput(
                "this client has a static API key and no client credentials to refresh it".into(),
            )),
        };
        if let Some(ticket) = guard.ticket.take() {
            self.lock().complete(ticket, sent, outcome);
            self.refreshed.notify_all();
        }
    }
}

/// Hands a refresh ticket back if the refreshing thread unwinds, so another thread takes over.
struct Abandon<'a> {
    cache: &'a KeyCache,
    ticket: Option<RefreshTicket>,
}

impl Drop for Abandon<'_> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            self.cache.lock().abandon(ticket);
            self.cache.refreshed.notify_all();
        }
    }
}
