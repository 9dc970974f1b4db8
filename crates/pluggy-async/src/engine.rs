//! The driving loop shared by [`crate::Client`] and [`crate::ConnectClient`]: prepare, send,
//! follow core's retry decision, refresh the API key when core says so. No protocol decision is
//! made here; this file only locks, waits, sends and sleeps.

use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use pluggy_core::connect_token::ConnectTokenGrant;
use pluggy_core::http::Credential;
use pluggy_core::jitter::JitterSource;
use pluggy_core::{
    ApiKey, AsyncTransport, BaseUrl, Call, CredentialScope, Decision, Epoch, Error, Exchange,
    KeySource, PreparedRequest, RawResponse, RefreshTicket, RetryPolicy, Step, TokenManager,
    TransportError, parse_auth_response, parse_response,
};
use serde::de::DeserializeOwned;
use tokio::sync::Notify;
use tracing::Instrument;

use crate::runtime::{Clock, Sleeper, first};

/// Everything a call needs besides its credential.
pub(crate) struct Engine {
    pub(crate) base: BaseUrl,
    pub(crate) transport: Arc<dyn AsyncTransport>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) sleeper: Arc<dyn Sleeper>,
    pub(crate) retry: RetryPolicy,
    pub(crate) user_agent: String,
    jitter: JitterSource,
}

/// The credential a call is made with.
pub(crate) enum Auth<'a> {
    /// The client's managed API key.
    Key(&'a Arc<KeyCache>),
    /// A connect token.
    Connect(&'a ConnectTokenGrant),
}

impl Auth<'_> {
    /// The same credential, borrowed again for another call.
    pub(crate) fn reborrow(&self) -> Auth<'_> {
        match self {
            Auth::Key(cache) => Auth::Key(cache),
            Auth::Connect(grant) => Auth::Connect(grant),
        }
    }
}

impl Engine {
    pub(crate) fn new(
        base: BaseUrl,
        transport: Arc<dyn AsyncTransport>,
        clock: Arc<dyn Clock>,
        sleeper: Arc<dyn Sleeper>,
        retry: RetryPolicy,
        user_agent: String,
        seed: u64,
    ) -> Self {
        Self {
            base,
            transport,
            clock,
            sleeper,
            retry,
            user_agent,
            jitter: JitterSource::new(seed),
        }
    }

    /// Makes a call and decodes its answer.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        call: Call,
        auth: Auth<'_>,
    ) -> Result<T, Error> {
        let endpoint = call.endpoint();
        let raw = self.execute(call, auth).await?;
        parse_response(endpoint, &raw)
    }

    /// Makes a call, with retries and key refreshes as core decides, and returns the final
    /// answer: a 2xx [`RawResponse`] or the typed error.
    pub(crate) async fn execute(&self, call: Call, auth: Auth<'_>) -> Result<RawResponse, Error> {
        match auth {
            Auth::Connect(grant) => {
                let fixed = Fixed(
                    Credential::ConnectToken(grant.token()),
                    grant.credential_scope(),
                );
                self.run(call, fixed).await
            }
            Auth::Key(cache) => self.run(call, cache).await,
        }
    }

    /// The attempt loop, generic over where the credential comes from so that fetching a key
    /// (which makes a call itself) does not make the loop's future contain itself.
    async fn run<S: Source>(&self, call: Call, source: S) -> Result<RawResponse, Error> {
        let mut exchange = Exchange::start(
            call,
            source.scope(),
            self.retry.clone(),
            source.refreshable(),
        )?;
        loop {
            let key = source.key(self).await?;
            let credential = match &key {
                Some((key, _)) => Credential::ApiKey(key),
                None => source.fixed(),
            };
            let epoch = key.as_ref().map(|k| k.1);
            let request = exchange.request(&self.base, credential, epoch, &self.user_agent)?;
            let outcome = self.send(request, exchange.attempts() + 1).await;
            match exchange.on_outcome(outcome, self.jitter.next_unit()) {
                Step::Done(result) => return result,
                Step::Sleep(delay) => self.sleeper.sleep(delay).await,
                Step::Invalidate(epoch) => source.invalidate(epoch),
            }
        }
    }

    /// One attempt through the transport, in a span that records the outcome.
    async fn send(
        &self,
        request: PreparedRequest,
        attempt: u32,
    ) -> Result<RawResponse, TransportError> {
        let endpoint = request.endpoint().name;
        let span = tracing::debug_span!(
            "pluggy.call",
            endpoint,
            attempt,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let outcome = self.transport.send(request).instrument(span.clone()).await;
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        match &outcome {
            Ok(raw) => span.record("status", raw.status()),
            Err(e) => span.record("status", tracing::field::debug(e.kind)),
        };
        outcome
    }
}

/// Where the attempt loop gets its credential.
trait Source: Sync {
    fn scope(&self) -> CredentialScope<'_>;
    fn refreshable(&self) -> bool;
    /// A managed API key and its epoch, or `None` to use [`Source::fixed`].
    fn key(
        &self,
        engine: &Engine,
    ) -> impl Future<Output = Result<Option<(ApiKey, Epoch)>, Error>> + Send;
    fn fixed(&self) -> Credential<'_>;
    fn invalidate(&self, epoch: Epoch);
}

/// A credential that never changes: none, or a connect token.
struct Fixed<'a>(Credential<'a>, CredentialScope<'a>);

impl Source for Fixed<'_> {
    fn scope(&self) -> CredentialScope<'_> {
        self.1
    }
    fn refreshable(&self) -> bool {
        false
    }
    async fn key(&self, _: &Engine) -> Result<Option<(ApiKey, Epoch)>, Error> {
        Ok(None)
    }
    fn fixed(&self) -> Credential<'_> {
        self.0
    }
    fn invalidate(&self, _: Epoch) {}
}

impl Source for &Arc<KeyCache> {
    fn scope(&self) -> CredentialScope<'_> {
        CredentialScope::ApiKey
    }
    fn refreshable(&self) -> bool {
        self.source.is_refreshable()
    }
    async fn key(&self, _: &Engine) -> Result<Option<(ApiKey, Epoch)>, Error> {
        KeyCache::key(self).await.map(Some)
    }
    fn fixed(&self) -> Credential<'_> {
        Credential::None
    }
    fn invalidate(&self, epoch: Epoch) {
        KeyCache::invalidate(self, epoch);
    }
}

/// The client's API key: core's [`TokenManager`] behind a std mutex that is never held across
/// an await, a notifier that wakes callers waiting for a refresh, and the engine that sends
/// `POST /auth`.
pub(crate) struct KeyCache {
    manager: Mutex<TokenManager>,
    notify: Notify,
    source: KeySource,
    engine: Arc<Engine>,
}

impl KeyCache {
    pub(crate) fn new(manager: TokenManager, source: KeySource, engine: Arc<Engine>) -> Self {
        Self {
            manager: Mutex::new(manager),
            notify: Notify::new(),
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

    /// A usable key: the cached one, or one fetched now by exactly one caller while the others
    /// wait for it. A key about to expire is used while the next one is fetched in a spawned
    /// task (inside a tokio runtime, with the `hyper` feature) or, without a runtime to spawn
    /// on, by the caller before its request.
    pub(crate) async fn key(self: &Arc<Self>) -> Result<(ApiKey, Epoch), Error> {
        let engine = &*self.engine;
        loop {
            let now = engine.clock.now();
            let mut decision = self.lock().poll(now);
            if let Decision::Wait { .. } = decision {
                // Register for the wake-up, then look again: a refresh that completed between
                // the two polls is seen by the second, one that completes later wakes us.
                let mut notified = pin!(self.notify.notified());
                notified.as_mut().enable();
                decision = self.lock().poll(now);
                if let Decision::Wait { until } = decision {
                    let wait = until.saturating_sub(now.mono);
                    first(notified, engine.sleeper.sleep(wait)).await;
                    continue;
                }
            }
            match decision {
                Decision::Use { key, epoch } => return Ok((key, epoch)),
                Decision::UseAndRefresh { key, epoch, ticket } => {
                    match self.spawn_refresh(ticket) {
                        None => return Ok((key, epoch)),
                        Some(ticket) => self.refresh(ticket).await,
                    }
                }
                Decision::Refresh(ticket) => self.refresh(ticket).await,
                // Handled above; a second Wait there loops back to a fresh poll.
                Decision::Wait { .. } => {}
                Decision::Fail(error) => return Err(error),
            }
        }
    }

    /// Hands the refresh of `ticket` to a spawned task; gives the ticket back when there is
    /// no runtime to spawn on.
    fn spawn_refresh(self: &Arc<Self>, ticket: RefreshTicket) -> Option<RefreshTicket> {
        #[cfg(feature = "hyper")]
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let cache = self.clone();
            runtime.spawn(async move { cache.refresh(ticket).await });
            return None;
        }
        Some(ticket)
    }

    async fn refresh(&self, ticket: RefreshTicket) {
        let engine = &*self.engine;
        let mut guard = Abandon {
            cache: self,
            ticket: Some(ticket),
        };
        let sent = engine.clock.now();
        let outcome = match self.source.auth_call() {
            Ok(call) => engine
                .run(call, Fixed(Credential::None, CredentialScope::None))
                .await
                .and_then(|raw| parse_auth_response(&raw)),
            Err(e) => Err(e),
        };
        if let Some(ticket) = guard.ticket.take() {
            let received = engine.clock.now();
            self.lock().complete(ticket, sent, received, outcome);
            self.notify.notify_waiters();
        }
    }
}

/// Hands a refresh ticket back when the future holding it is dropped before completing, so the
/// next caller takes over at once.
struct Abandon<'a> {
    cache: &'a KeyCache,
    ticket: Option<RefreshTicket>,
}

impl Drop for Abandon<'_> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            self.cache.lock().abandon(ticket);
            self.cache.notify.notify_waiters();
        }
    }
}
