//! The driving loop shared by [`crate::Client`] and [`crate::ConnectClient`]: start core's
//! exchange, send, follow its decision, refresh the API key when it says so. No protocol
//! decision is made here; this file only locks, waits, sends and sleeps.

use std::pin::pin;
use std::sync::{Arc, Weak};
use std::time::Instant;

use pluggy_core::driver::{Auth, HeldKey, KeyHolder, KeyState};
use pluggy_core::fleet::member::{Async, Authenticate, FleetMember};
use pluggy_core::fleet::shared_key::StoreEpoch;
use pluggy_core::jitter::JitterSource;
use pluggy_core::{
    ApiKey, AsyncTransport, BaseUrl, Decision, Error, KeyEpoch, PreparedRequest, RawResponse,
    RefreshTicket, Request, RetryPolicy, Step, TransportError,
};
use tokio::sync::Notify;
use tracing::Instrument;

use crate::runtime::{BoxFuture, Clock, Sleeper, first};

/// Everything a call needs besides its credential.
pub(crate) struct Engine {
    pub(crate) base: BaseUrl,
    pub(crate) transport: Arc<dyn AsyncTransport>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) sleeper: Arc<dyn Sleeper>,
    pub(crate) retry: RetryPolicy,
    pub(crate) user_agent: Arc<str>,
    pub(crate) jitter: JitterSource,
    /// The fleet this client shares its key and rate budget with, if any.
    pub(crate) fleet: Option<Arc<dyn FleetMember<Async>>>,
}

impl Engine {
    /// Executes a request, with retries and key refreshes as core decides, up to its decoded
    /// answer or typed error.
    pub(crate) async fn send<T>(
        &self,
        request: Request<T>,
        auth: Auth<'_, KeyCache>,
    ) -> Result<T, Error> {
        let mut exchange = auth.exchange(request, self.retry.clone(), &*self.clock)?;
        loop {
            let key = match auth.keys() {
                Some(keys) => Some(keys.key().await?),
                None => None,
            };
            let credential = auth.credential(key.as_ref().map(HeldKey::key));
            let epoch = key.as_ref().map(HeldKey::epoch);
            let request = exchange.request(&self.base, credential, epoch, &self.user_agent)?;
            if let Some(fleet) = &self.fleet {
                fleet.admit(request.endpoint()).await?;
            }
            let outcome = self.attempt(request, exchange.attempts() + 1).await;
            match exchange.on_outcome(outcome, || self.jitter.next_unit()) {
                Step::Done(result) => return result,
                Step::Sleep(delay) => self.pause(delay).await,
                Step::Invalidate(epoch) => auth.invalidate(epoch),
            }
        }
    }

    /// Waits `delay` on the client's timer.
    pub(crate) async fn pause(&self, delay: std::time::Duration) {
        self.sleeper.sleep(delay).await;
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
        // Without a subscriber that wants the span, its timing is never read: skip the clock.
        let started = (!span.is_disabled()).then(Instant::now);
        let outcome = self.transport.send(request).instrument(span.clone()).await;
        if let Some(started) = started {
            span.record("duration_ms", started.elapsed().as_millis() as u64);
        }
        match &outcome {
            Ok(raw) => span.record("status", raw.status()),
            Err(e) => span.record("status", tracing::field::debug(e.kind)),
        };
        outcome
    }
}

/// The client's API key: core's [`KeyState`], a notifier that wakes callers waiting for a
/// refresh, and the engine that sends `POST /auth`.
pub(crate) struct KeyCache {
    state: KeyState,
    notify: Notify,
    engine: Arc<Engine>,
    /// The cache itself, for the background refresh task to own.
    me: Weak<KeyCache>,
}

impl KeyHolder for KeyCache {
    fn state(&self) -> &KeyState {
        &self.state
    }

    fn invalidate_shared(&self, epoch: StoreEpoch) {
        if let Some(fleet) = &self.engine.fleet {
            fleet.invalidate(epoch);
        }
    }
}

impl Authenticate<Async> for KeyCache {
    fn authenticate(&self) -> BoxFuture<'_, Result<(ApiKey, i64), Error>> {
        Box::pin(async move {
            let engine = &*self.engine;
            let sent = engine.clock.now().unix_secs;
            let key = engine
                .send(self.state.source().auth_request(), Auth::None)
                .await?;
            Ok((key, sent))
        })
    }

    fn owned(&self) -> Option<Arc<dyn Authenticate<Async>>> {
        self.me
            .upgrade()
            .map(|cache| cache as Arc<dyn Authenticate<Async>>)
    }
}

impl KeyCache {
    pub(crate) fn new(state: KeyState, engine: Arc<Engine>) -> Arc<Self> {
        Arc::new_cyclic(|me| Self {
            state,
            notify: Notify::new(),
            engine,
            me: me.clone(),
        })
    }

    /// A usable key: the cached one, or one fetched now by exactly one caller while the others
    /// wait for it. A key about to expire is used while the next one is fetched in a spawned
    /// task (inside a tokio runtime, with the `hyper` feature) or, without a runtime to spawn
    /// on, by the caller before its request.
    async fn key(&self) -> Result<HeldKey, Error> {
        let engine = &*self.engine;
        if let (Some(fleet), true) = (&engine.fleet, self.state.source().is_refreshable()) {
            if let Some((key, epoch)) = fleet.key(self).await? {
                return Ok(HeldKey::new(key, KeyEpoch::Shared(epoch)));
            }
        }
        loop {
            let now = engine.clock.now();
            if let Some(key) = self.state.fresh(now) {
                return Ok(key);
            }
            let mut decision = self.state.lock().poll(now);
            if let Decision::Wait { .. } = decision {
                // Register for the wake-up, then look again: a refresh that completed between
                // the two polls is seen by the second, one that completes later wakes us.
                let mut notified = pin!(self.notify.notified());
                notified.as_mut().enable();
                decision = self.state.lock().poll(now);
                if let Decision::Wait { until } = decision {
                    let wait = until.saturating_sub(now.mono);
                    first(notified, engine.sleeper.sleep(wait)).await;
                    continue;
                }
            }
            match decision {
                Decision::Use { key, epoch } => {
                    return Ok(HeldKey::new(key, KeyEpoch::Local(epoch)));
                }
                Decision::UseAndRefresh { key, epoch, ticket } => {
                    match self.spawn_refresh(ticket) {
                        None => return Ok(HeldKey::new(key, KeyEpoch::Local(epoch))),
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

    /// Fetches a key for `ticket`. Boxed, with its type written out: its `POST /auth` goes
    /// through [`Engine::send`], which contains this function and may not contain itself.
    fn refresh(&self, ticket: RefreshTicket) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let engine = &*self.engine;
            let refreshing = self
                .state
                .refreshing(ticket, || self.notify.notify_waiters());
            let sent = engine.clock.now();
            let outcome = engine.send(refreshing.request(), Auth::None).await;
            refreshing.finish(sent, engine.clock.now(), outcome);
        })
    }
}
