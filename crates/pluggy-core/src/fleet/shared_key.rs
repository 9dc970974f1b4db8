//! The shared key store protocol: what one process does given what the fleet's store tells it.
//!
//! The store holds one record per namespace (base URL + client id): the current [`StoreEpoch`]
//! and, unless that epoch was invalidated, the sealed key ([`super::seal`]). A lease
//! (`SET NX PX`) names the one process allowed to call `POST /auth`; a pub/sub channel carries
//! each new epoch. [`SharedKey`] decides; the driver does the I/O and reports back.
//!
//! # Rules
//!
//! | phase of the cached key      | one caller gets              | the others get          |
//! |------------------------------|------------------------------|-------------------------|
//! | fresh                        | [`Action::Use`]              | [`Action::Use`]         |
//! | soft (`E − soft − jitter`)   | [`Action::UseAndAcquire`]    | [`Action::Use`]         |
//! | hard (`E − hard`), or none   | read store, lease, refresh   | [`Action::Wait`]        |
//!
//! - Expiries are wall-clock Unix seconds (`now.unix_secs`), since they are shared between
//!   processes; waits and timeouts are on the process's monotonic scale (`now.mono`).
//! - The jitter moves the soft refresh earlier by at most half the soft window, drawn from the
//!   process's seed and the key's epoch, so the fleet does not race for the lease together.
//! - At most one store operation (read, lease, refresh, publish, release) is outstanding per
//!   process; each is named by a [`StoreTicket`], and an answer with a stale ticket is ignored.
//!   An operation older than `op_timeout` (`lease_ttl` for a refresh) is reclaimed by the next
//!   poll; a reclaimed store operation counts as the store being unavailable.
//! - Before refreshing, a process that acquired the lease reads the record again: if another
//!   process published meanwhile, it adopts that key and releases the lease.
//! - While waiting without a usable key, the process polls every `poll_interval` (the bounded
//!   poll behind the pub/sub notice): it reads the record, and if it is still not usable, asks
//!   for the lease again. A lease holder that dies releases nothing: the lease expires after
//!   `lease_ttl`, and the next such poll takes it.
//! - A new key is published under `max(epochs seen) + 1`; the store keeps a record only if its
//!   epoch is newer ([`PUBLISH_SCRIPT`]). The expired-key 403 invalidates one epoch:
//!   [`SharedKey::invalidate`] drops the key locally and asks the store to clear it only if
//!   the store still holds that epoch ([`INVALIDATE_SCRIPT`]), so a stale invalidation never
//!   throws away a fresh key. An invalidated epoch is never adopted again.
//! - A failed refresh releases the lease and backs this process off (`backoff_min` doubling up
//!   to `backoff_max`); without a usable key, polls during the backoff fail with a copy of the
//!   error. A refused credential ([`Error::Auth`]) fails every poll until
//!   [`SharedKey::reset_credentials`].
//! - When the store is unavailable (an error or a timeout on any store call), the process falls
//!   back for `rejoin_after`: a fresh cached key is still used, and everything else gets
//!   [`Action::Local`], which means "ask your own [`crate::TokenManager`]". After that the next
//!   poll reads the store again (rejoin).
//!
//! # Driving it
//!
//! The driver keeps one `SharedKey` behind a mutex (never held across I/O) and a local
//! `TokenManager` for the fallback. Each caller runs:
//!
//! ```text
//! action = lock(sk).poll(now)
//! loop match action:
//!   Use { key, epoch }            => send the call with key; on the expired-key 403:
//!                                    if let Some(inv) = lock(sk).invalidate(epoch) { EVAL INVALIDATE_SCRIPT (errors ignored) }
//!   UseAndAcquire { key, lease, ticket, .. }
//!                                 => spawn { r = SET lease token NX PX ttl; lock(sk).on_lease(ticket, now, r) and drive on }; use key
//!   ReadStore { ticket }          => r = HGETALL record, opened with seal::open_key; action = lock(sk).on_record(ticket, now, r)
//!   AcquireLease { ticket, lease }=> r = SET lease token NX PX ttl (PTTL if refused); action = lock(sk).on_lease(ticket, now, r)
//!   Refresh { ticket, .. }        => r = POST /auth; action = lock(sk).on_refreshed(ticket, now, r)
//!   Publish { ticket, key }       => r = EVAL PUBLISH_SCRIPT (seal_key(key)); action = lock(sk).on_published(ticket, now, r)
//!   Release { ticket }            => r = EVAL RELEASE_SCRIPT; action = lock(sk).on_released(ticket, now, r)
//!   Wait { until }                => wait for a local wake-up, a pub/sub notice (lock(sk).on_notice(epoch)), or until; action = poll
//!   Local { .. }                  => use the local TokenManager for this call
//!   Fail(e)                       => return Err(e)
//! ```
//!
//! Every `on_*` call and every notice wakes the process's local waiters. Every store call has a
//! timeout; a timeout is reported as `Err(StoreUnavailable)`.

use std::time::Duration;

use crate::clock::Now;
use crate::error::Error;
use crate::jitter::{splitmix64, unit_interval};
use crate::secret::ApiKey;

/// The generation of the shared key: the store's record counts up by one per published key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StoreEpoch(u64);

impl StoreEpoch {
    /// An epoch as read from the store.
    pub const fn new(n: u64) -> Self {
        Self(n)
    }

    /// Its number.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// The epoch after this one.
    pub const fn next(self) -> Self {
        Self(self.0.saturating_add(1))
    }
}

/// A key as the fleet shares it. `Debug` redacts the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredKey {
    /// The API key.
    pub key: ApiKey,
    /// Its epoch.
    pub epoch: StoreEpoch,
    /// When it expires, Unix seconds.
    pub expires_unix: i64,
}

/// The store's record, as read (`None` from [`SharedKey::on_record`] means no record at all).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The record's epoch.
    pub epoch: StoreEpoch,
    /// The key, or `None` if the epoch was invalidated or its blob did not parse or open
    /// (ignored, and replaced by the next publish).
    pub key: Option<StoredKey>,
}

/// The answer to `SET lease NX PX`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeaseReply {
    /// This process holds the lease.
    Acquired,
    /// Another process holds it, for `ttl` more (its `PTTL`).
    Held {
        /// The lease's remaining life.
        ttl: Duration,
    },
}

/// A store call failed or timed out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the shared key store is unavailable")]
pub struct StoreUnavailable;

/// The lease to ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LeaseRequest {
    /// The newest epoch this process has seen; the refresh will publish its successor.
    pub replaces: StoreEpoch,
    /// The lease's `PX`.
    pub ttl: Duration,
}

/// Names one outstanding store operation; hand it back with the matching `on_*` call.
#[derive(Debug, PartialEq, Eq)]
#[must_use = "report the operation's result, or the process waits until the operation timeout"]
pub struct StoreTicket(u64);

/// Ask the store to clear `epoch`'s key, if it still holds that epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct Invalidate {
    /// The epoch rejected by the API.
    pub epoch: StoreEpoch,
}

/// The timing rules of a [`SharedKey`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SharedKeyConfig {
    /// As [`crate::TokenConfig::soft_window`]. Default: 5 minutes.
    pub soft_window: Duration,
    /// As [`crate::TokenConfig::hard_window`]. Default: 1 minute; never more than the soft one.
    pub hard_window: Duration,
    /// The lease's life: long enough for one `POST /auth`. Default: 30 seconds.
    pub lease_ttl: Duration,
    /// The bounded poll while waiting for a notice. Default: 500 ms.
    pub poll_interval: Duration,
    /// The longest a store call may take before it counts as a failure. Default: 2 seconds.
    pub op_timeout: Duration,
    /// How long the process stays on local single flight after a store failure. Default: 30 s.
    pub rejoin_after: Duration,
    /// The wait after a first failed refresh. Default: 1 second.
    pub backoff_min: Duration,
    /// The longest wait between failed refreshes. Default: 30 seconds.
    pub backoff_max: Duration,
}

impl Default for SharedKeyConfig {
    fn default() -> Self {
        Self {
            soft_window: Duration::from_secs(300),
            hard_window: Duration::from_secs(60),
            lease_ttl: Duration::from_secs(30),
            poll_interval: Duration::from_millis(500),
            op_timeout: Duration::from_secs(2),
            rejoin_after: Duration::from_secs(30),
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(30),
        }
    }
}

/// What a caller must do now.
#[derive(Debug)]
#[must_use]
#[non_exhaustive]
pub enum Action {
    /// Send the call with this key; give `epoch` to [`SharedKey::invalidate`] on the 403.
    Use {
        /// The key.
        key: ApiKey,
        /// Its epoch.
        epoch: StoreEpoch,
    },
    /// Send the call with this key, and in the background try the lease (soft window).
    UseAndAcquire {
        /// The key.
        key: ApiKey,
        /// Its epoch.
        epoch: StoreEpoch,
        /// The background operation.
        ticket: StoreTicket,
        /// The lease to ask for.
        lease: LeaseRequest,
    },
    /// Read the store's record; report with [`SharedKey::on_record`].
    ReadStore {
        /// The operation.
        ticket: StoreTicket,
    },
    /// `SET NX PX` the lease; report with [`SharedKey::on_lease`].
    AcquireLease {
        /// The operation.
        ticket: StoreTicket,
        /// The lease to ask for.
        lease: LeaseRequest,
    },
    /// Wait for a wake-up or a notice, at most until `until` (monotonic), then poll.
    Wait {
        /// The latest instant to poll again.
        until: Duration,
    },
    /// This process holds the lease: call `POST /auth`, report with [`SharedKey::on_refreshed`].
    Refresh {
        /// The operation.
        ticket: StoreTicket,
        /// The epoch the new key will be published under.
        next: StoreEpoch,
    },
    /// Seal and publish this key, notify, release the lease ([`PUBLISH_SCRIPT`]); report with
    /// [`SharedKey::on_published`].
    Publish {
        /// The operation.
        ticket: StoreTicket,
        /// The key to publish.
        key: StoredKey,
    },
    /// Release the lease ([`RELEASE_SCRIPT`]); report with [`SharedKey::on_released`].
    Release {
        /// The operation.
        ticket: StoreTicket,
    },
    /// The store is unavailable: use the local single flight until `until`, then rejoin.
    Local {
        /// When the next poll tries the store again.
        until: Duration,
    },
    /// Fail the call.
    Fail(Error),
}

/// Publishes a key: `KEYS[1]` record hash, `KEYS[2]` lease, `ARGV[1]` epoch, `ARGV[2]` sealed
/// blob, `ARGV[3]` this process's lease token, `ARGV[4]` notice channel. Writes only a newer
/// epoch (a stored epoch that is not a whole number reads as 0, so garbage is replaced);
/// publishes the epoch; releases the lease if this process holds it. Returns 1 if
/// written.
pub const PUBLISH_SCRIPT: &str = r#"
local cur = tonumber(redis.call('HGET', KEYS[1], 'epoch'))
if not cur or cur ~= math.floor(cur) or cur < 0 or cur >= 2^53 then cur = 0 end
local new = tonumber(ARGV[1])
local written = 0
if cur < new then
  redis.call('HSET', KEYS[1], 'epoch', ARGV[1], 'blob', ARGV[2])
  redis.call('PUBLISH', ARGV[4], ARGV[1])
  written = 1
end
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
return written
"#;

/// Invalidates one epoch: `KEYS[1]` record hash, `ARGV[1]` epoch. Clears the blob only if the
/// record still holds that epoch (the epoch stays, so the next key is its successor).
pub const INVALIDATE_SCRIPT: &str = r#"
if redis.call('HGET', KEYS[1], 'epoch') == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'blob')
  return 1
end
return 0
"#;

/// Releases the lease if this process holds it: `KEYS[1]` lease, `ARGV[1]` lease token.
pub const RELEASE_SCRIPT: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"#;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OpKind {
    Read,
    Lease,
    ReadUnderLease,
    Refresh,
    Publish,
    Release,
}

#[derive(Debug)]
struct Op {
    id: u64,
    kind: OpKind,
    started: Duration,
}

#[derive(Debug)]
struct Cached {
    key: StoredKey,
    soft_at: i64,
    hard_at: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Fresh,
    Soft,
    Unusable,
}

/// One process's view of the fleet's shared key. See the [module docs](self).
#[derive(Debug)]
pub struct SharedKey {
    config: SharedKeyConfig,
    seed: u64,
    cached: Option<Cached>,
    known: StoreEpoch,
    rejected: StoreEpoch,
    op: Option<Op>,
    next_id: u64,
    checked_at: Option<Duration>,
    held_until: Option<Duration>,
    local_until: Option<Duration>,
    backoff_until: Option<Duration>,
    backoff: Duration,
    last_error: Option<Error>,
    refused: Option<Error>,
}

impl SharedKey {
    /// A process that knows nothing yet. Give each process a different `seed` (jitter).
    pub fn new(mut config: SharedKeyConfig, seed: u64) -> Self {
        config.hard_window = config.hard_window.min(config.soft_window);
        config.op_timeout = config.op_timeout.max(Duration::from_millis(1));
        config.lease_ttl = config.lease_ttl.max(Duration::from_secs(1));
        config.backoff_max = config.backoff_max.max(config.backoff_min);
        Self {
            backoff: config.backoff_min,
            config,
            seed,
            cached: None,
            known: StoreEpoch(0),
            rejected: StoreEpoch(0),
            op: None,
            next_id: 0,
            checked_at: None,
            held_until: None,
            local_until: None,
            backoff_until: None,
            last_error: None,
            refused: None,
        }
    }

    /// The epoch of the cached key, if any.
    pub fn epoch(&self) -> Option<StoreEpoch> {
        self.cached.as_ref().map(|c| c.key.epoch)
    }

    /// What the caller must do now.
    pub fn poll(&mut self, now: Now) -> Action {
        if let Some(e) = &self.refused {
            return Action::Fail(e.clone());
        }
        if let Some(op) = &self.op {
            let limit = match op.kind {
                OpKind::Refresh => self.config.lease_ttl,
                _ => self.config.op_timeout,
            };
            if now.mono >= op.started + limit {
                let kind = op.kind;
                self.op = None;
                if kind != OpKind::Refresh {
                    self.fall_back(now);
                }
            }
        }
        let phase = self.phase(now);
        if let Some(until) = self.local_until {
            if now.mono < until {
                return match phase {
                    Phase::Fresh => self.use_key(),
                    _ => Action::Local { until },
                };
            }
            self.local_until = None;
            self.checked_at = None;
        }
        let backing_off = self.backoff_until.is_some_and(|t| now.mono < t);
        match phase {
            Phase::Fresh => self.use_key(),
            Phase::Soft => {
                if self.op.is_some() || self.held(now) || backing_off {
                    return self.use_key();
                }
                let ticket = self.start(OpKind::Lease, now);
                let Action::Use { key, epoch } = self.use_key() else {
                    unreachable!("a soft key is usable")
                };
                Action::UseAndAcquire {
                    key,
                    epoch,
                    ticket,
                    lease: self.lease(),
                }
            }
            Phase::Unusable => {
                if let Some(op) = &self.op {
                    return Action::Wait {
                        until: op.started + self.op_limit(op.kind),
                    };
                }
                if backing_off {
                    if let Some(e) = &self.last_error {
                        return Action::Fail(e.clone());
                    }
                }
                let next_check = self.checked_at.map(|t| t + self.config.poll_interval);
                if next_check.is_none_or(|t| now.mono >= t) {
                    let ticket = self.start(OpKind::Read, now);
                    return Action::ReadStore { ticket };
                }
                let next_check = next_check.unwrap_or(now.mono);
                match self.held_until {
                    Some(h) if now.mono < h => Action::Wait {
                        until: h.min(next_check),
                    },
                    _ => {
                        let ticket = self.start(OpKind::Lease, now);
                        Action::AcquireLease {
                            ticket,
                            lease: self.lease(),
                        }
                    }
                }
            }
        }
    }

    /// Reports the store's record (`Ok(None)`: no record).
    pub fn on_record(
        &mut self,
        ticket: StoreTicket,
        now: Now,
        record: Result<Option<Record>, StoreUnavailable>,
    ) -> Action {
        let Some(kind) = self.finish(&ticket, &[OpKind::Read, OpKind::ReadUnderLease]) else {
            return self.poll(now);
        };
        let record = match record {
            Ok(r) => r,
            Err(StoreUnavailable) => {
                self.fall_back(now);
                return self.poll(now);
            }
        };
        let before = self.epoch();
        if let Some(r) = record {
            self.known = self.known.max(r.epoch);
            if let Some(k) = r.key.filter(|k| k.epoch == r.epoch) {
                self.adopt(k, now);
            }
        }
        let usable = self.phase(now) != Phase::Unusable;
        self.checked_at = (!usable).then_some(now.mono);
        if !usable {
            // Nothing usable yet: ask for the lease again rather than trust the last PTTL
            // (its holder may have released it early, after a failed refresh).
            self.held_until = None;
        }
        if kind == OpKind::ReadUnderLease {
            let adopted_newer = self.epoch() > before && self.phase(now) == Phase::Fresh;
            if adopted_newer {
                let ticket = self.start(OpKind::Release, now);
                return Action::Release { ticket };
            }
            let next = self.known.max(self.epoch().unwrap_or(StoreEpoch(0))).next();
            let ticket = self.start(OpKind::Refresh, now);
            return Action::Refresh { ticket, next };
        }
        self.poll(now)
    }

    /// Reports the answer to `SET NX PX`.
    pub fn on_lease(
        &mut self,
        ticket: StoreTicket,
        now: Now,
        reply: Result<LeaseReply, StoreUnavailable>,
    ) -> Action {
        if self.finish(&ticket, &[OpKind::Lease]).is_none() {
            return self.poll(now);
        }
        match reply {
            Ok(LeaseReply::Acquired) => {
                self.held_until = None;
                let ticket = self.start(OpKind::ReadUnderLease, now);
                Action::ReadStore { ticket }
            }
            Ok(LeaseReply::Held { ttl }) => {
                self.held_until = Some(now.mono + ttl);
                self.poll(now)
            }
            Err(StoreUnavailable) => {
                self.fall_back(now);
                self.poll(now)
            }
        }
    }

    /// Reports `POST /auth`: the new key and its expiry (Unix seconds), or the failure.
    pub fn on_refreshed(
        &mut self,
        ticket: StoreTicket,
        now: Now,
        outcome: Result<(ApiKey, i64), Error>,
    ) -> Action {
        if self.finish(&ticket, &[OpKind::Refresh]).is_none() {
            return self.poll(now);
        }
        match outcome {
            Ok((key, expires_unix)) => {
                let epoch = self.known.max(self.epoch().unwrap_or(StoreEpoch(0))).next();
                self.known = epoch;
                let stored = StoredKey {
                    key,
                    epoch,
                    expires_unix,
                };
                self.adopt(stored.clone(), now);
                self.backoff = self.config.backoff_min;
                self.backoff_until = None;
                self.last_error = None;
                let ticket = self.start(OpKind::Publish, now);
                Action::Publish {
                    ticket,
                    key: stored,
                }
            }
            Err(e) => {
                if matches!(e, Error::Auth(_)) {
                    self.refused = Some(e.clone());
                }
                self.backoff_until = Some(now.mono + self.backoff);
                self.backoff = (self.backoff * 2).min(self.config.backoff_max);
                self.last_error = Some(e);
                let ticket = self.start(OpKind::Release, now);
                Action::Release { ticket }
            }
        }
    }

    /// Reports the publish. On failure the new key is still used while fresh; the process
    /// falls back.
    pub fn on_published(
        &mut self,
        ticket: StoreTicket,
        now: Now,
        result: Result<(), StoreUnavailable>,
    ) -> Action {
        if self.finish(&ticket, &[OpKind::Publish]).is_some() && result.is_err() {
            self.fall_back(now);
        }
        self.checked_at = None;
        self.poll(now)
    }

    /// Reports the lease's release.
    pub fn on_released(
        &mut self,
        ticket: StoreTicket,
        now: Now,
        result: Result<(), StoreUnavailable>,
    ) -> Action {
        if self.finish(&ticket, &[OpKind::Release]).is_some() && result.is_err() {
            self.fall_back(now);
        }
        self.poll(now)
    }

    /// A pub/sub notice: the store now holds `epoch`. The next poll reads it if it is new.
    pub fn on_notice(&mut self, epoch: StoreEpoch) {
        if epoch > self.known && epoch > self.epoch().unwrap_or(StoreEpoch(0)) {
            self.checked_at = None;
            self.held_until = None;
        }
    }

    /// The API rejected the key of `epoch` (the expired-key 403). If it is the cached key, it
    /// is dropped, never adopted again, and the store is asked to clear it.
    pub fn invalidate(&mut self, epoch: StoreEpoch) -> Option<Invalidate> {
        self.rejected = self.rejected.max(epoch);
        if self.epoch() != Some(epoch) {
            return None;
        }
        self.cached = None;
        self.checked_at = None;
        Some(Invalidate { epoch })
    }

    /// Frees the outstanding operation at once (its holder was cancelled).
    pub fn abandon(&mut self, ticket: StoreTicket) {
        if self.op.as_ref().is_some_and(|op| op.id == ticket.0) {
            self.op = None;
        }
    }

    /// Forgets a refusal of the credentials (new credentials were configured).
    pub fn reset_credentials(&mut self) {
        self.refused = None;
        self.last_error = None;
        self.backoff_until = None;
        self.backoff = self.config.backoff_min;
    }

    fn op_limit(&self, kind: OpKind) -> Duration {
        match kind {
            OpKind::Refresh => self.config.lease_ttl,
            _ => self.config.op_timeout,
        }
    }

    fn start(&mut self, kind: OpKind, now: Now) -> StoreTicket {
        self.next_id += 1;
        self.op = Some(Op {
            id: self.next_id,
            kind,
            started: now.mono,
        });
        StoreTicket(self.next_id)
    }

    fn finish(&mut self, ticket: &StoreTicket, kinds: &[OpKind]) -> Option<OpKind> {
        match &self.op {
            Some(op) if op.id == ticket.0 && kinds.contains(&op.kind) => {
                let kind = op.kind;
                self.op = None;
                Some(kind)
            }
            _ => None,
        }
    }

    fn fall_back(&mut self, now: Now) {
        self.local_until = Some(now.mono + self.config.rejoin_after);
        self.op = None;
    }

    fn held(&self, now: Now) -> bool {
        self.held_until.is_some_and(|h| now.mono < h)
    }

    fn lease(&self) -> LeaseRequest {
        LeaseRequest {
            replaces: self.known.max(self.epoch().unwrap_or(StoreEpoch(0))),
            ttl: self.config.lease_ttl,
        }
    }

    fn adopt(&mut self, key: StoredKey, now: Now) {
        if key.epoch <= self.rejected || key.expires_unix <= now.unix_secs {
            return;
        }
        if self.epoch().is_some_and(|e| e >= key.epoch) {
            return;
        }
        let mut s = self.seed ^ key.epoch.get().wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let half = self.config.soft_window.as_secs_f64() / 2.0;
        let jitter = (unit_interval(splitmix64(&mut s)) * half) as i64;
        let soft = i64::try_from(self.config.soft_window.as_secs()).unwrap_or(i64::MAX);
        let hard = i64::try_from(self.config.hard_window.as_secs()).unwrap_or(i64::MAX);
        self.cached = Some(Cached {
            soft_at: key.expires_unix.saturating_sub(soft).saturating_sub(jitter),
            hard_at: key.expires_unix.saturating_sub(hard),
            key,
        });
    }

    fn phase(&self, now: Now) -> Phase {
        match &self.cached {
            None => Phase::Unusable,
            Some(c) if now.unix_secs >= c.hard_at => Phase::Unusable,
            Some(c) if now.unix_secs >= c.soft_at => Phase::Soft,
            Some(_) => Phase::Fresh,
        }
    }

    fn use_key(&self) -> Action {
        match &self.cached {
            Some(c) => Action::Use {
                key: c.key.key.clone(),
                epoch: c.key.epoch,
            },
            None => unreachable!("use_key on a usable phase"),
        }
    }
}

#[cfg(test)]
mod tests;
