//! The driving loop shared by [`crate::Client`] and [`crate::ConnectClient`]: start core's
//! exchange, send, follow its decision, refresh the API key when it says so. No protocol
//! decision is made here; this file only locks, waits, sends and sleeps.

use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Instant;

use pluggy_core::driver::{Auth, KeyHolder};
use pluggy_core::jitter::JitterSource;
use pluggy_core::{
    ApiKey, AsyncTransport, BaseUrl, Decision, Epoch, Error, KeySource, PreparedRequest,
    RawResponse, RefreshTicket, Request, RetryPolicy, Step, TokenManager, TransportError,
};
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
    pub(crate) jitter: JitterSource,
}

/// Where the attempt loop takes API keys from.
pub(crate) trait Keys: KeyHolder + Sync {
    /// A usable key and its epoch.
    fn key(&self) -> impl Future<Output = Result<(ApiKey, Epoch), Error>> + Send;
    /// The key of `epoch` was refused as expired.
    fn invalidate(&self, epoch: Epoch);
}

/// No key at all: the credential of `POST /auth`, whose loop must not contain the key cache's
/// (which contains this loop).
pub(crate) enum NoKeys {}

impl KeyHolder for NoKeys {
    fn source(&self) -> &KeySource {
        match *self {}
    }
}

impl Keys for NoKeys {
    async fn key(&self) -> Result<(ApiKey, Epoch), Error> {
        match *self {}
    }
    fn invalidate(&self, _: Epoch) {
        match *self {}
    }
}

impl Engine {
    /// Executes a request, with retries and key refreshes as core decides, up to its decoded
    /// answer or typed error.
    pub(crate) async fn send<T, K: Keys>(
        &self,
        request: Request<T>,
        auth: Auth<'_, K>,
    ) -> Result<T, Error> {
        let mut exchange = auth.exchange(request, self.retry.clone(), self.clock.now())?;
        loop {
            let key = match auth.keys() {
                Some(keys) => Some(keys.key().await?),
                None => None,
            };
            let credential = auth.credential(key.as_ref().map(|k| &k.0));
            let epoch = key.as_ref().map(|k| k.1);
            let request = exchange.request(&self.base, credential, epoch, &self.user_agent)?;
            let outcome = self.attempt(request, exchange.attempts() + 1).await;
            match exchange.on_outcome(outcome, self.jitter.next_unit()) {
                Step::Done(result) => return result,
                Step::Sleep(delay) => self.sleeper.sleep(delay).await,
                Step::Invalidate(epoch) => {
                    auth.keys().into_iter().for_each(|k| k.invalidate(epoch))
                }
            }
        }
    }

    /// One attempt through the transport, in a span that records the outcome.
    async fn attempt(
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

/// The client's API key: core's [`TokenManager`] behind a std mutex that is never held across
/// an await, a notifier that wakes callers waiting for a refresh, and the engine that sends
/// `POST /auth`.
pub(crate) struct KeyCache {
    manager: Mutex<TokenManager>,
    notify: Notify,
    source: KeySource,
    engine: Arc<Engine>,
    /// The cache itself, for the background refresh task to own.
    me: Weak<KeyCache>,
}

impl KeyHolder for KeyCache {
    fn source(&self) -> &KeySource {
        &self.source
    }
}

impl Keys for KeyCache {
    async fn key(&self) -> Result<(ApiKey, Epoch), Error> {
        KeyCache::key(self).await
    }
    fn invalidate(&self, epoch: Epoch) {
        self.lock().invalidate(epoch);
    }
}

impl KeyCache {
    pub(crate) fn new(manager: TokenManager, source: KeySource, engine: Arc<Engine>) -> Arc<Self> {
        Arc::new_cyclic(|me| Self {
            manager: Mutex::new(manager),
            notify: Notify::new(),
            source,
            engine,
            me: me.clone(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, TokenManager> {
        self.manager
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A usable key: the cached one, or one fetched now by exactly one caller while the others
    /// wait for it. A key about to expire is used while the next one is fetched in a spawned
    /// task (inside a tokio runtime, with the `hyper` feature) or, without a runtime to spawn
    /// on, by the caller before its request.
    async fn key(&self) -> Result<(ApiKey, Epoch), Error> {
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
    fn spawn_refresh(&self, ticket: RefreshTicket) -> Option<RefreshTicket> {
        #[cfg(feature = "hyper")]
        if let (Ok(runtime), Some(cache)) =
            (tokio::runtime::Handle::try_current(), self.me.upgrade())
        {
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
        let outcome = engine
            .send(self.source.auth_request(), Auth::<NoKeys>::None)
            .await;
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
