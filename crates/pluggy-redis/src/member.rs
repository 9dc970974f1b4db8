//! What both members share: core's [`SharedKey`] behind a mutex, the local limiter the process
//! falls back to, the health that is logged once per outage, and the loop that drives the
//! shared key ([`drive_key!`]), expanded once per driver.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use pluggy_core::fleet::limiter::{self, ADMIT_SCRIPT, Admission, LimitGroup, SlidingWindow};
use pluggy_core::fleet::member::FleetScope;
use pluggy_core::fleet::seal::{open_key, seal_key};
use pluggy_core::fleet::shared_key::{
    Action, INVALIDATE_SCRIPT, Invalidate, LeaseReply, LeaseRequest, PUBLISH_SCRIPT,
    RELEASE_SCRIPT, Record, SharedKey, SharedKeyConfig, StoreEpoch, StoreTicket, StoreUnavailable,
    StoredKey,
};
use pluggy_core::{ApiKey, BaseUrl, Error, Now};
use redis::{Script, ScriptInvocation};

use crate::FleetConfig;
use crate::names::{LEASE_SCRIPT, Names};
use crate::seal::AesGcmSealer;

/// A store answer, or the store's failure (an error or a timeout).
pub(crate) type Answer<T> = Result<T, StoreUnavailable>;

/// The record as read: `HMGET record epoch blob`.
pub(crate) type RawRecord = (Option<String>, Option<Vec<u8>>);

/// The shared key's names and sealer, for a client with credentials.
pub(crate) struct KeyRecord {
    pub(crate) names: Names,
    sealer: AesGcmSealer,
}

/// The state of one member, shared by its callers (and its subscriber).
pub(crate) struct Core {
    pub(crate) config: FleetConfig,
    pub(crate) base: BaseUrl,
    /// What the client joined with: it dates the keys the client fetches.
    scope: FleetScope,
    pub(crate) record: Option<KeyRecord>,
    /// This process's lease token: the lease is only ever released by its holder.
    pub(crate) token: String,
    state: Mutex<SharedKey>,
    origin: Instant,
    healthy: AtomicBool,
    windows: Mutex<HashMap<&'static str, SlidingWindow>>,
    rate_down_until: Mutex<Option<Duration>>,
    attempts: AtomicU64,
}

impl Core {
    pub(crate) fn new(config: FleetConfig, scope: &FleetScope) -> Self {
        let seed = pluggy_core::driver::random_seed();
        let record = scope.credentials.as_ref().map(|(id, secret)| {
            let names = Names::new(&scope.base, id);
            let sealer = AesGcmSealer::new(secret, &names.context);
            KeyRecord { names, sealer }
        });
        let tokens = &scope.token_config;
        let mut key = SharedKeyConfig::default();
        key.soft_window = tokens.soft_window;
        key.hard_window = tokens.hard_window;
        key.backoff_min = tokens.backoff_min;
        key.backoff_max = tokens.backoff_max;
        key.lease_ttl = config.lease_ttl;
        key.poll_interval = config.poll_interval;
        key.op_timeout = config.op_timeout * 2;
        key.rejoin_after = config.rejoin_after;
        Self {
            base: scope.base.clone(),
            scope: scope.clone(),
            record,
            token: format!("{seed:016x}-{}", std::process::id()),
            state: Mutex::new(SharedKey::new(key, seed)),
            origin: Instant::now(),
            healthy: AtomicBool::new(true),
            windows: Mutex::new(HashMap::new()),
            rate_down_until: Mutex::new(None),
            attempts: AtomicU64::new(0),
            config,
        }
    }

    /// The member's clock: monotonic since it joined, and the wall clock.
    pub(crate) fn now(&self) -> Now {
        let unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        Now::new(self.origin.elapsed(), unix)
    }

    /// The shared key's state, locked (the blocking member also waits on it with a condvar).
    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, SharedKey> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records whether the store just answered, logging the change once per outage.
    pub(crate) fn report<T>(&self, answer: &Answer<T>) {
        let ok = answer.is_ok();
        if self.healthy.swap(ok, Ordering::Relaxed) != ok {
            if ok {
                tracing::info!(base = %self.base, "the fleet's Redis answers again: rejoining");
            } else {
                tracing::warn!(
                    base = %self.base,
                    "the fleet's Redis is unavailable: this process uses its own API key and rate \
                     limits until it answers again"
                );
            }
        }
    }

    pub(crate) fn poll(&self) -> Action {
        let now = self.now();
        self.lock().poll(now)
    }

    pub(crate) fn on_record(&self, ticket: StoreTicket, raw: Answer<Option<RawRecord>>) -> Action {
        self.report(&raw);
        let record = raw.map(|raw| raw.and_then(|raw| self.parse(raw)));
        let now = self.now();
        self.lock().on_record(ticket, now, record)
    }

    /// A record as read; `None` for no record or an epoch that is not a number (garbage,
    /// replaced by the next publish, since the publish script reads it as 0).
    fn parse(&self, (epoch, blob): RawRecord) -> Option<Record> {
        let epoch = StoreEpoch::new(epoch?.trim().parse::<u64>().ok().filter(|e| *e > 0)?);
        let key = match (blob, &self.record) {
            (Some(blob), Some(record)) => {
                open_key(&record.sealer, &blob, &record.names.context).filter(|k| k.epoch == epoch)
            }
            _ => None,
        };
        Some(Record { epoch, key })
    }

    pub(crate) fn on_lease(&self, ticket: StoreTicket, ttl_ms: Answer<i64>) -> Action {
        self.report(&ttl_ms);
        let reply = ttl_ms.map(|ms| match u64::try_from(ms) {
            Ok(ms) => LeaseReply::Held {
                ttl: Duration::from_millis(ms),
            },
            Err(_) => LeaseReply::Acquired,
        });
        let now = self.now();
        self.lock().on_lease(ticket, now, reply)
    }

    pub(crate) fn on_refreshed(
        &self,
        ticket: StoreTicket,
        outcome: Result<(ApiKey, i64), Error>,
    ) -> Action {
        let outcome = outcome.map(|(key, sent)| {
            let expires = self.scope.expires_unix(&key, sent);
            (key, expires)
        });
        let now = self.now();
        self.lock().on_refreshed(ticket, now, outcome)
    }

    pub(crate) fn on_published(&self, ticket: StoreTicket, result: Answer<()>) -> Action {
        self.report(&result);
        let now = self.now();
        self.lock().on_published(ticket, now, result)
    }

    pub(crate) fn on_released(&self, ticket: StoreTicket, result: Answer<()>) -> Action {
        self.report(&result);
        let now = self.now();
        self.lock().on_released(ticket, now, result)
    }

    pub(crate) fn abandon(&self, ticket: StoreTicket) {
        self.lock().abandon(ticket);
    }

    /// A pub/sub notice: the epoch published, as text.
    pub(crate) fn on_notice(&self, payload: &[u8]) {
        let epoch = std::str::from_utf8(payload)
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok());
        if let Some(epoch) = epoch {
            self.lock().on_notice(StoreEpoch::new(epoch));
        }
    }

    pub(crate) fn invalidate(&self, epoch: StoreEpoch) -> Option<Invalidate> {
        self.lock().invalidate(epoch)
    }

    /// The shared key's names; the store is of no use to a client without credentials.
    pub(crate) fn names(&self) -> Answer<&Names> {
        self.record
            .as_ref()
            .map(|r| &r.names)
            .ok_or(StoreUnavailable)
    }

    /// The sealed blob of `key`, for the publish script.
    pub(crate) fn seal(&self, key: &StoredKey) -> Vec<u8> {
        match &self.record {
            Some(record) => seal_key(&record.sealer, key, &record.names.context),
            None => Vec::new(),
        }
    }

    /// The lease request's `PX`, in milliseconds.
    pub(crate) fn lease_ms(lease: &LeaseRequest) -> u64 {
        u64::try_from(lease.ttl.as_millis())
            .unwrap_or(u64::MAX)
            .max(1)
    }

    /// The window of the limits, in milliseconds.
    pub(crate) fn window_ms(&self) -> u64 {
        u64::try_from(self.config.rate_window.as_millis())
            .unwrap_or(u64::MAX)
            .max(1)
    }

    /// A member name unique to one admission attempt.
    pub(crate) fn attempt_id(&self) -> String {
        let n = self.attempts.fetch_add(1, Ordering::Relaxed);
        format!("{}-{n}", self.token)
    }

    /// Whether the rate budget is asked of Redis now (not during a fallback).
    pub(crate) fn rate_store_usable(&self) -> bool {
        let now = self.now().mono;
        let mut down = self
            .rate_down_until
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        match *down {
            Some(until) if now < until => false,
            Some(_) => {
                *down = None;
                true
            }
            None => true,
        }
    }

    /// The store failed an admission: use the local window for `rejoin_after`.
    pub(crate) fn rate_store_failed(&self) {
        self.report::<()>(&Err(StoreUnavailable));
        let until = self.now().mono + self.config.rejoin_after;
        *self
            .rate_down_until
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(until);
    }

    /// The local window's answer (`0`: recorded, send; else milliseconds to wait).
    pub(crate) fn admit_locally(&self, group: LimitGroup) -> u64 {
        let now_ms = u64::try_from(self.now().mono.as_millis()).unwrap_or(u64::MAX);
        let window = self.window_ms();
        self.windows
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(group.name)
            .or_default()
            .admit(now_ms, window, group.per_minute)
    }

    /// What an admission answer means for a caller whose deadline is `deadline` (member
    /// clock).
    pub(crate) fn decide(
        &self,
        group: LimitGroup,
        answer_ms: u64,
        deadline: Duration,
    ) -> Result<Admission, Error> {
        Ok(limiter::decide(
            group,
            answer_ms,
            self.now().mono,
            Some(deadline),
        )?)
    }
}

/// The store's commands, with their keys and arguments, for either member to run.
pub(crate) struct Scripts {
    lease: Script,
    publish: Script,
    invalidate: Script,
    release: Script,
    admit: Script,
}

impl Scripts {
    pub(crate) fn new() -> Self {
        Self {
            lease: Script::new(LEASE_SCRIPT),
            publish: Script::new(PUBLISH_SCRIPT),
            invalidate: Script::new(INVALIDATE_SCRIPT),
            release: Script::new(RELEASE_SCRIPT),
            admit: Script::new(ADMIT_SCRIPT),
        }
    }

    /// `HMGET record epoch blob`.
    pub(crate) fn read(core: &Core) -> Answer<redis::Cmd> {
        let mut cmd = redis::cmd("HMGET");
        cmd.arg(&core.names()?.record).arg("epoch").arg("blob");
        Ok(cmd)
    }

    /// Takes the lease for this process, or answers its remaining life.
    pub(crate) fn lease(&self, core: &Core, lease: &LeaseRequest) -> Answer<ScriptInvocation<'_>> {
        let mut invocation = self.lease.key(&core.names()?.lease);
        invocation.arg(&core.token).arg(Core::lease_ms(lease));
        Ok(invocation)
    }

    /// Publishes `key`, sealed, and releases this process's lease.
    pub(crate) fn publish(&self, core: &Core, key: &StoredKey) -> Answer<ScriptInvocation<'_>> {
        let names = core.names()?;
        let mut invocation = self.publish.key(&names.record);
        invocation
            .key(&names.lease)
            .arg(key.epoch.get())
            .arg(core.seal(key))
            .arg(&core.token)
            .arg(&names.channel);
        Ok(invocation)
    }

    /// Releases this process's lease.
    pub(crate) fn release(&self, core: &Core) -> Answer<ScriptInvocation<'_>> {
        let mut invocation = self.release.key(&core.names()?.lease);
        invocation.arg(&core.token);
        Ok(invocation)
    }

    /// Clears `epoch`'s key if the record still holds that epoch.
    pub(crate) fn invalidate(
        &self,
        core: &Core,
        epoch: StoreEpoch,
    ) -> Answer<ScriptInvocation<'_>> {
        let mut invocation = self.invalidate.key(&core.names()?.record);
        invocation.arg(epoch.get());
        Ok(invocation)
    }

    /// Takes a slot of `group`'s budget, on the Redis server's clock.
    pub(crate) fn admit(&self, core: &Core, group: LimitGroup) -> ScriptInvocation<'_> {
        let mut invocation = self.admit.key(group.key(&core.base));
        invocation
            .arg("")
            .arg(core.window_ms())
            .arg(group.per_minute)
            .arg(core.attempt_id());
        invocation
    }
}

/// A record as `HMGET` answers it: `None` when neither field is there.
pub(crate) fn record(raw: RawRecord) -> Option<RawRecord> {
    match raw {
        (None, None) => None,
        raw => Some(raw),
    }
}

/// Drives the shared key from `$start` to a key for the caller (`Ok(Some(..))`), "use your
/// own" (`Ok(None)`) or an error, doing each store operation through `$io` and the refresh
/// through `$auth`. `[$($aw)*]` is `.await` for the async member and nothing for the blocking
/// one; `acquire` says what a caller given a soft key does with the lease to ask for,
/// `wait` waits for a notice or the deadline and answers the next action, and `wake` wakes
/// the process's other waiters after each store answer.
macro_rules! drive_key {
    (
        $core:expr, $io:expr, $auth:expr, $start:expr, [$($aw:tt)*],
        acquire: |$key:ident, $epoch:ident, $ticket:ident, $lease:ident| $acquire:expr,
        wait: |$until:ident| $wait:expr,
        wake: $wake:expr $(,)?
    ) => {{
        use pluggy_core::fleet::shared_key::Action;
        let core: &$crate::member::Core = $core;
        let mut action = $start;
        loop {
            action = match action {
                Action::Use { key, epoch } => break Ok(Some((key, epoch))),
                Action::UseAndAcquire {
                    key: $key,
                    epoch: $epoch,
                    ticket: $ticket,
                    lease: $lease,
                } => $acquire,
                Action::ReadStore { ticket } => {
                    let record = $io.read() $($aw)*;
                    { let next = core.on_record(ticket, record); $wake; next }
                }
                Action::AcquireLease { ticket, lease } => {
                    let ttl = $io.lease(&lease) $($aw)*;
                    { let next = core.on_lease(ticket, ttl); $wake; next }
                }
                Action::Refresh { ticket, .. } => {
                    let outcome = $auth.authenticate() $($aw)*;
                    { let next = core.on_refreshed(ticket, outcome); $wake; next }
                }
                Action::Publish { ticket, key } => {
                    let published = $io.publish(&key) $($aw)*;
                    { let next = core.on_published(ticket, published); $wake; next }
                }
                Action::Release { ticket } => {
                    let released = $io.release() $($aw)*;
                    { let next = core.on_released(ticket, released); $wake; next }
                }
                Action::Wait { until: $until } => $wait,
                Action::Fail(error) => break Err(error),
                // `Local`, and any action a newer core may add: use the client's own key.
                _ => break Ok(None),
            };
        }
    }};
}
pub(crate) use drive_key;

/// Drives the rate budget of one attempt: Redis's window while it answers, the local one
/// otherwise, waiting between answers with `$sleep`.
macro_rules! admit {
    ($core:expr, $io:expr, $endpoint:expr, [$($aw:tt)*], sleep: |$d:ident| $sleep:expr $(,)?) => {{
        use pluggy_core::fleet::limiter::Admission;
        let core: &$crate::member::Core = $core;
        match pluggy_core::fleet::limiter::LimitGroup::for_endpoint($endpoint) {
            None => Ok(()),
            Some(group) => {
                let deadline = core.now().mono + core.config.max_wait;
                loop {
                    let answer = if core.rate_store_usable() {
                        match $io.admit(group) $($aw)* {
                            Ok(ms) => ms,
                            Err(_) => {
                                core.rate_store_failed();
                                core.admit_locally(group)
                            }
                        }
                    } else {
                        core.admit_locally(group)
                    };
                    match core.decide(group, answer, deadline) {
                        Ok(Admission::Send) => break Ok(()),
                        Ok(Admission::Wait($d)) => $sleep,
                        Err(error) => break Err(error),
                    }
                }
            }
        }
    }};
}
pub(crate) use admit;
