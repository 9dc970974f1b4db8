//! The member of a `pluggy-blocking` client: a small pool of blocking Redis connections with
//! read and write timeouts, a subscriber thread for the epoch notices, and a condition
//! variable on which callers wait for another process's refresh.

use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::Duration;

use pluggy_core::endpoint::Endpoint;
use pluggy_core::fleet::limiter::LimitGroup;
use pluggy_core::fleet::member::{Authenticate, Blocking, Fleet, FleetMember, FleetScope};
use pluggy_core::fleet::shared_key::{
    Action, LeaseRequest, StoreEpoch, StoreUnavailable, StoredKey,
};
use pluggy_core::{ApiKey, Error};
use redis::ScriptInvocation;

use crate::RedisFleet;
use crate::member::{Answer, Core, RawRecord, Scripts, admit, drive_key, record};

/// Connections kept open for reuse; more are opened under load and closed after.
const POOL: usize = 8;

impl Fleet<Blocking> for RedisFleet {
    fn join(&self, scope: &FleetScope) -> Result<Arc<dyn FleetMember<Blocking>>, Error> {
        Ok(Arc::new(BlockingMember {
            inner: Arc::new(Inner {
                core: Core::new(self.config.clone(), scope),
                io: Io::new(self.client()?, self.config.op_timeout),
                changed: Condvar::new(),
                subscribed: std::sync::Once::new(),
            }),
        }))
    }
}

/// One blocking client's membership.
struct BlockingMember {
    inner: Arc<Inner>,
}

struct Inner {
    core: Core,
    io: Io,
    /// Signalled after every change of the shared key's state.
    changed: Condvar,
    subscribed: std::sync::Once,
}

impl FleetMember<Blocking> for BlockingMember {
    fn key(
        &self,
        auth: &dyn Authenticate<Blocking>,
    ) -> Result<Option<(ApiKey, StoreEpoch)>, Error> {
        if self.inner.core.record.is_none() {
            return Ok(None);
        }
        self.inner.subscribe();
        let start = self.inner.core.poll();
        self.inner.drive(start, auth, false)
    }

    fn invalidate(&self, epoch: StoreEpoch) {
        if let Some(invalidate) = self.inner.core.invalidate(epoch) {
            let answer = self.inner.store().invalidate(invalidate.epoch);
            self.inner.core.report(&answer);
        }
    }

    fn admit(&self, endpoint: &'static Endpoint) -> Result<(), Error> {
        let inner = &*self.inner;
        admit!(&inner.core, inner.store(), endpoint, [], sleep: |wait| std::thread::sleep(wait))
    }
}

impl Inner {
    /// Drives the shared key from `start`. A caller given a soft key hands the lease to a
    /// thread of its own (`background`) and goes on with the key.
    fn drive(
        self: &Arc<Self>,
        start: Action,
        auth: &dyn Authenticate<Blocking>,
        background: bool,
    ) -> Result<Option<(ApiKey, StoreEpoch)>, Error> {
        let core = &self.core;
        let outcome = drive_key!(core, self.store(), auth, start, [],
            acquire: |key, epoch, ticket, lease| {
                if background {
                    let ttl = self.store().lease(&lease);
                    core.on_lease(ticket, ttl)
                } else {
                    match auth.owned() {
                        Some(auth) => {
                            let inner = self.clone();
                            let spawned = std::thread::Builder::new()
                                .name("pluggy-fleet-refresh".into())
                                .spawn(move || {
                                    let ttl = inner.store().lease(&lease);
                                    let next = inner.core.on_lease(ticket, ttl);
                                    inner.changed.notify_all();
                                    let _ = inner.drive(next, &*auth, true);
                                });
                            // Without a thread the ticket times out, and a later caller
                            // asks for the lease again.
                            drop(spawned);
                        }
                        None => core.abandon(ticket),
                    }
                    break Ok(Some((key, epoch)));
                }
            },
            wait: |until| {
                let mut state = core.lock();
                let now = core.now();
                match state.poll(now) {
                    Action::Wait { until } => {
                        let wait = until.saturating_sub(now.mono);
                        state = self
                            .changed
                            .wait_timeout(state, wait)
                            .map(|(guard, _)| guard)
                            .unwrap_or_else(|poisoned| poisoned.into_inner().0);
                        let now = core.now();
                        state.poll(now)
                    }
                    other => {
                        let _ = until;
                        other
                    }
                }
            },
            wake: self.changed.notify_all(),
        );
        self.changed.notify_all();
        outcome
    }

    /// Starts the subscriber thread once.
    fn subscribe(self: &Arc<Self>) {
        self.subscribed.call_once(|| {
            let weak = Arc::downgrade(self);
            let _ = std::thread::Builder::new()
                .name("pluggy-fleet-notices".into())
                .spawn(move || subscriber(weak));
        });
    }

    fn store(&self) -> Bound<'_> {
        Bound {
            core: &self.core,
            io: &self.io,
        }
    }
}

/// Listens for the epoch notices until the member is dropped, reconnecting after a failure.
fn subscriber(inner: Weak<Inner>) {
    loop {
        let Some(strong) = inner.upgrade() else {
            return;
        };
        let client = strong.io.client.clone();
        let Some(channel) = strong.core.record.as_ref().map(|r| r.names.channel.clone()) else {
            return;
        };
        let timeout = strong.core.config.op_timeout;
        let pause = strong
            .core
            .config
            .poll_interval
            .max(Duration::from_millis(50));
        drop(strong);
        if let Ok(mut connection) = client.get_connection_with_timeout(timeout) {
            let ready = connection.set_write_timeout(Some(timeout)).is_ok()
                // Wake up now and then to notice that the member is gone.
                && connection.set_read_timeout(Some(Duration::from_secs(1))).is_ok();
            let mut pubsub = connection.as_pubsub();
            if ready && pubsub.subscribe(&channel).is_ok() {
                loop {
                    match pubsub.get_message() {
                        Ok(message) => match inner.upgrade() {
                            Some(strong) => {
                                strong.core.on_notice(message.get_payload_bytes());
                                strong.changed.notify_all();
                            }
                            None => return,
                        },
                        Err(e) if e.is_timeout() && inner.strong_count() > 0 => {}
                        Err(_) => break,
                    }
                }
            }
        }
        if inner.strong_count() == 0 {
            return;
        }
        std::thread::sleep(pause);
    }
}

/// The Redis side: a small pool of connections, each call within the timeout.
struct Io {
    client: redis::Client,
    pool: Mutex<Vec<redis::Connection>>,
    timeout: Duration,
    scripts: Scripts,
}

impl Io {
    fn new(client: redis::Client, timeout: Duration) -> Self {
        Self {
            client,
            pool: Mutex::new(Vec::new()),
            timeout,
            scripts: Scripts::new(),
        }
    }

    fn connection(&self) -> Answer<redis::Connection> {
        let pooled = self.pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
        if let Some(connection) = pooled {
            return Ok(connection);
        }
        let connection = self
            .client
            .get_connection_with_timeout(self.timeout)
            .map_err(|_| StoreUnavailable)?;
        connection
            .set_read_timeout(Some(self.timeout))
            .and_then(|()| connection.set_write_timeout(Some(self.timeout)))
            .map_err(|_| StoreUnavailable)?;
        Ok(connection)
    }

    /// Runs `op` on a pooled connection; a failure closes that connection.
    fn run<T>(
        &self,
        op: impl FnOnce(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> Answer<T> {
        let mut connection = self.connection()?;
        let value = op(&mut connection).map_err(|_| StoreUnavailable)?;
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < POOL {
            pool.push(connection);
        }
        Ok(value)
    }

    /// Runs a script invocation.
    fn invoke<T: redis::FromRedisValue>(
        &self,
        invocation: Answer<ScriptInvocation<'_>>,
    ) -> Answer<T> {
        let invocation = invocation?;
        self.run(|c| invocation.invoke(c))
    }
}

/// The store operations [`drive_key!`] and [`admit!`] call, bound to one member's core.
struct Bound<'a> {
    core: &'a Core,
    io: &'a Io,
}

impl Bound<'_> {
    fn read(&self) -> Answer<Option<RawRecord>> {
        let cmd = Scripts::read(self.core)?;
        Ok(record(self.io.run(|c| cmd.query(c))?))
    }

    fn lease(&self, lease: &LeaseRequest) -> Answer<i64> {
        self.io.invoke(self.io.scripts.lease(self.core, lease))
    }

    fn publish(&self, key: &StoredKey) -> Answer<()> {
        let answer: Answer<i64> = self.io.invoke(self.io.scripts.publish(self.core, key));
        answer.map(|_| ())
    }

    fn release(&self) -> Answer<()> {
        let answer: Answer<i64> = self.io.invoke(self.io.scripts.release(self.core));
        answer.map(|_| ())
    }

    fn invalidate(&self, epoch: StoreEpoch) -> Answer<()> {
        let answer: Answer<i64> = self.io.invoke(self.io.scripts.invalidate(self.core, epoch));
        answer.map(|_| ())
    }

    fn admit(&self, group: LimitGroup) -> Answer<u64> {
        self.io.invoke(Ok(self.io.scripts.admit(self.core, group)))
    }
}
