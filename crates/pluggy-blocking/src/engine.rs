//! The driving loop of the blocking client: start core's exchange, send, follow its decision,
//! refresh the API key when it says so. No protocol decision is made here; this file only
//! locks, waits, sends and sleeps.

use std::sync::{Arc, Condvar, Weak};
use std::time::Instant;

use pluggy_core::driver::{Auth, HeldKey, KeyHolder, KeyState};
use pluggy_core::fleet::member::{Authenticate, Blocking, FleetMember};
use pluggy_core::fleet::shared_key::StoreEpoch;
use pluggy_core::jitter::JitterSource;
use pluggy_core::{
    ApiKey, BaseUrl, BlockingTransport, Decision, Error, KeyEpoch, PreparedRequest, RawResponse,
    RefreshTicket, Request, RetryPolicy, Step, TransportError,
};

use crate::clock::Clock;

/// Everything a call needs besides its credential.
pub(crate) struct Engine {
    pub(crate) base: BaseUrl,
    pub(crate) transport: Arc<dyn BlockingTransport>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) retry: RetryPolicy,
    pub(crate) user_agent: Arc<str>,
    pub(crate) jitter: JitterSource,
    /// The fleet this client shares its key and rate budget with, if any.
    pub(crate) fleet: Option<Arc<dyn FleetMember<Blocking>>>,
}

impl Engine {
    /// Executes a request, with retries and key refreshes as core decides, up to its decoded
    /// answer or typed error.
    pub(crate) fn send<T>(
        &self,
        request: Request<T>,
        auth: Auth<'_, KeyCache>,
    ) -> Result<T, Error> {
        let mut exchange = auth.exchange(request, self.retry.clone(), &*self.clock)?;
        loop {
            let key = auth.keys().map(KeyCache::key).transpose()?;
            let credential = auth.credential(key.as_ref().map(HeldKey::key));
            let request = exchange.request(
                &self.base,
                credential,
                key.as_ref().map(HeldKey::epoch),
                &self.user_agent,
            )?;
            if let Some(fleet) = &self.fleet {
                fleet.admit(request.endpoint())?;
            }
            let outcome = self.attempt(request, exchange.attempts() + 1);
            match exchange.on_outcome(outcome, || self.jitter.next_unit()) {
                Step::Done(result) => return result,
                Step::Sleep(delay) => self.pause(delay),
                Step::Invalidate(epoch) => auth.invalidate(epoch),
            }
        }
    }

    /// Waits `delay` on this thread.
    pub(crate) fn pause(&self, delay: std::time::Duration) {
        std::thread::sleep(delay);
    }

    /// One attempt through the transport, in a span that records the outcome.
    fn attempt(
        &self,
        request: PreparedRequest,
        attempt: u32,
    ) -> Result<RawResponse, TransportError> {
        let span = tracing::debug_span!(
            "pluggy.call",
            endpoint = request.endpoint().name,
            attempt,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        // Without a subscriber that wants the span, its timing is never read: skip the clock.
        let started = (!span.is_disabled()).then(Instant::now);
        let outcome = span.in_scope(|| self.transport.send(request));
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

/// The client's API key: core's [`KeyState`], a condition variable that wakes threads waiting
/// for a refresh, and the engine that sends `POST /auth`.
pub(crate) struct KeyCache {
    state: KeyState,
    refreshed: Condvar,
    engine: Arc<Engine>,
    /// The cache itself, for the background refresh thread to own.
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

impl Authenticate<Blocking> for KeyCache {
    fn authenticate(&self) -> Result<(ApiKey, i64), Error> {
        let engine = &*self.engine;
        let sent = engine.clock.now().unix_secs;
        let key = engine.send(self.state.source().auth_request(), Auth::None)?;
        Ok((key, sent))
    }

    fn owned(&self) -> Option<Arc<dyn Authenticate<Blocking>>> {
        self.me
            .upgrade()
            .map(|cache| cache as Arc<dyn Authenticate<Blocking>>)
    }
}

impl KeyCache {
    pub(crate) fn new(state: KeyState, engine: Arc<Engine>) -> Arc<Self> {
        Arc::new_cyclic(|me| Self {
            state,
            refreshed: Condvar::new(),
            engine,
            me: me.clone(),
        })
    }

    /// A usable key: the cached one, or one fetched now by exactly one thread while the others
    /// wait for it. A key about to expire is used while one background thread fetches the next.
    fn key(&self) -> Result<HeldKey, Error> {
        if let (Some(fleet), true) = (&self.engine.fleet, self.state.source().is_refreshable()) {
            if let Some((key, epoch)) = fleet.key(self)? {
                return Ok(HeldKey::new(key, KeyEpoch::Shared(epoch)));
            }
        }
        if let Some(key) = self.state.fresh(self.engine.clock.now()) {
            return Ok(key);
        }
        let mut manager = self.state.lock();
        loop {
            let now = self.engine.clock.now();
            match manager.poll(now) {
                Decision::Use { key, epoch } => {
                    return Ok(HeldKey::new(key, KeyEpoch::Local(epoch)));
                }
                Decision::UseAndRefresh { key, epoch, ticket } => {
                    drop(manager);
                    self.refresh_in_background(ticket);
                    return Ok(HeldKey::new(key, KeyEpoch::Local(epoch)));
                }
                Decision::Refresh(ticket) => {
                    drop(manager);
                    self.refresh(ticket);
                    manager = self.state.lock();
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
    fn refresh_in_background(&self, ticket: RefreshTicket) {
        let Some(cache) = self.me.upgrade() else {
            self.state.lock().abandon(ticket);
            return;
        };
        let job = Background {
            cache,
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
        let refreshing = self
            .state
            .refreshing(ticket, || self.refreshed.notify_all());
        let sent = engine.clock.now();
        let outcome = engine.send(refreshing.request(), Auth::None);
        refreshing.finish(sent, engine.clock.now(), outcome);
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
            self.cache.state.lock().abandon(ticket);
            self.cache.refreshed.notify_all();
        }
    }
}
