//! The driving loop of the blocking client: prepare, send, follow core's retry decision, refresh
//! the API key when core says so. No protocol decision is made here; this file only locks,
//! waits, sends and sleeps.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

use pluggy_core::connect_token::ConnectTokenGrant;
use pluggy_core::http::Credential;
use pluggy_core::jitter::JitterSource;
use pluggy_core::{
    ApiKey, BaseUrl, BlockingTransport, Call, CredentialScope, Decision, Epoch, Error, Exchange,
    KeySource, PreparedRequest, RawResponse, RefreshTicket, RetryPolicy, Step, TokenManager,
    TransportError, parse_auth_response, parse_response,
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
    jitter: JitterSource,
}

/// The credential a call is made with.
pub(crate) enum Auth<'a> {
    /// `POST /auth` only.
    None,
    /// The client's managed API key.
    Key(&'a Arc<KeyCache>),
    /// A connect token.
    Connect(&'a ConnectTokenGrant),
}

impl Auth<'_> {
    /// The same credential, borrowed again for another call.
    pub(crate) fn reborrow(&self) -> Auth<'_> {
        match self {
            Auth::None => Auth::None,
            Auth::Key(cache) => Auth::Key(cache),
            Auth::Connect(grant) => Auth::Connect(grant),
        }
    }
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
        Self {
            base,
            transport,
            clock,
            retry,
            user_agent,
            jitter: JitterSource::new(seed),
        }
    }

    /// Makes a call and decodes its answer.
    pub(crate) fn call<T: DeserializeOwned>(&self, call: Call, auth: Auth<'_>) -> Result<T, Error> {
        let endpoint = call.endpoint();
        let raw = self.execute(call, auth)?;
        parse_response(endpoint, &raw)
    }

    /// Makes a call, with retries and key refreshes as core decides, and returns the final
    /// answer: a 2xx [`RawResponse`] or the typed error.
    pub(crate) fn execute(&self, call: Call, auth: Auth<'_>) -> Result<RawResponse, Error> {
        let (scope, refreshable) = match &auth {
            Auth::None => (CredentialScope::None, false),
            Auth::Key(cache) => (CredentialScope::ApiKey, cache.source.is_refreshable()),
            Auth::Connect(grant) => (grant.credential_scope(), false),
        };
        let mut exchange = Exchange::start(call, scope, self.retry.clone(), refreshable)?;
        loop {
            let key = match &auth {
                Auth::Key(cache) => Some(cache.key()?),
                _ => None,
            };
            let credential = match (&auth, &key) {
                (Auth::Connect(grant), _) => Credential::ConnectToken(grant.token()),
                (_, Some((key, _))) => Credential::ApiKey(key),
                _ => Credential::None,
            };
            let epoch = key.as_ref().map(|k| k.1);
            let request = exchange.request(&self.base, credential, epoch, &self.user_agent)?;
            let outcome = self.send(request, exchange.attempts() + 1);
            match exchange.on_outcome(outcome, self.jitter.next_unit()) {
                Step::Done(result) => return result,
                Step::Sleep(delay) => std::thread::sleep(delay),
                Step::Invalidate(epoch) => {
                    if let Auth::Key(cache) = &auth {
                        cache.invalidate(epoch);
                    }
                }
            }
        }
    }

    /// One attempt through the transport, in a span that records the outcome.
    fn send(&self, request: PreparedRequest, attempt: u32) -> Result<RawResponse, TransportError> {
        let span = tracing::debug_span!(
            "pluggy.call",
            endpoint = request.endpoint().name,
            attempt,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let outcome = span.in_scope(|| self.transport.send(request));
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        match &outcome {
            Ok(raw) => span.record("status", raw.status()),
            Err(e) => span.record("status", tracing::field::debug(e.kind)),
        };
        outcome
    }
}

/// The client's API key: core's [`TokenManager`] behind a mutex, with a condition variable that
/// wakes threads waiting for a refresh, and the engine that sends `POST /auth`.
pub(crate) struct KeyCache {
    manager: Mutex<TokenManager>,
    refreshed: Condvar,
    source: KeySource,
    engine: Arc<Engine>,
}

impl KeyCache {
    pub(crate) fn new(manager: TokenManager, source: KeySource, engine: Arc<Engine>) -> Self {
        Self {
            manager: Mutex::new(manager),
            refreshed: Condvar::new(),
            source,
            engine,
        }
    }

    fn lock(&self) -> MutexGuard<'_, TokenManager> {
        self.manager
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn invalidate(&self, epoch: Epoch) {
        self.lock().invalidate(epoch);
    }

    /// A usable key: the cached one, or one fetched now by exactly one thread while the others
    /// wait for it. A key about to expire is used while one background thread fetches the next.
    pub(crate) fn key(self: &Arc<Self>) -> Result<(ApiKey, Epoch), Error> {
        let mut manager = self.lock();
        loop {
            let now = self.engine.clock.now();
            match manager.poll(now) {
                Decision::Use { key, epoch } => return Ok((key, epoch)),
                Decision::UseAndRefresh { key, epoch, ticket } => {
                    drop(manager);
                    self.refresh_in_background(ticket);
                    return Ok((key, epoch));
                }
                Decision::Refresh(ticket) => {
                    drop(manager);
                    self.refresh(ticket);
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

    /// Runs the refresh of `ticket` on a thread of its own. If no thread can be started, the
    /// ticket is given back and a later caller tries again.
    fn refresh_in_background(self: &Arc<Self>, ticket: RefreshTicket) {
        let job = Background {
            cache: self.clone(),
            ticket: Some(ticket),
        };
        let spawned = std::thread::Builder::new()
            .name("pluggy-key-refresh".into())
            .spawn(move || {
                let mut job = job;
                if let Some(ticket) = job.ticket.take() {
                    job.cache.refresh(ticket);
                }
            });
        // On failure the closure, and with it the job, is dropped: its ticket is abandoned.
        drop(spawned);
    }

    fn refresh(&self, ticket: RefreshTicket) {
        let engine = &*self.engine;
        let mut guard = Abandon {
            cache: self,
            ticket: Some(ticket),
        };
        let sent = engine.clock.now();
        let outcome = self
            .source
            .auth_call()
            .and_then(|call| engine.execute(call, Auth::None))
            .and_then(|raw| parse_auth_response(&raw));
        if let Some(ticket) = guard.ticket.take() {
            let received = engine.clock.now();
            self.lock().complete(ticket, sent, received, outcome);
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

/// A refresh handed to a background thread; gives its ticket back if it never runs.
struct Background {
    cache: Arc<KeyCache>,
    ticket: Option<RefreshTicket>,
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            self.cache.lock().abandon(ticket);
            self.cache.refreshed.notify_all();
        }
    }
}
