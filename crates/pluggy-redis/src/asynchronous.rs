//! The member of a `pluggy-async` client: one multiplexed Redis connection (reopened after a
//! failure), a subscriber task for the epoch notices, tokio's timer for every timeout.

use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use futures_util::StreamExt;
use pluggy_core::endpoint::Endpoint;
use pluggy_core::fleet::limiter::LimitGroup;
use pluggy_core::fleet::member::{Async, Authenticate, Fleet, FleetMember, FleetScope};
use pluggy_core::fleet::shared_key::{LeaseRequest, StoreEpoch, StoreUnavailable, StoredKey};
use pluggy_core::{ApiKey, Error};
use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, ScriptInvocation};
use tokio::sync::Notify;

use crate::RedisFleet;

/// What the async member's calls answer.
type BoxFuture<'a, T> = <Async as pluggy_core::fleet::member::Io>::Out<'a, T>;
use crate::member::{Answer, Core, RawRecord, Scripts, admit, drive_key, record};

impl Fleet<Async> for RedisFleet {
    fn join(&self, scope: &FleetScope) -> Result<Arc<dyn FleetMember<Async>>, Error> {
        Ok(Arc::new(AsyncMember {
            inner: Arc::new(Inner {
                core: Core::new(self.config.clone(), scope),
                io: Io::new(self.client()?, self.config.op_timeout),
                notify: Notify::new(),
                subscribed: std::sync::Once::new(),
            }),
        }))
    }
}

/// One async client's membership.
struct AsyncMember {
    inner: Arc<Inner>,
}

struct Inner {
    core: Core,
    io: Io,
    /// Wakes the callers waiting for another process's refresh.
    notify: Notify,
    subscribed: std::sync::Once,
}

impl FleetMember<Async> for AsyncMember {
    fn key<'a>(
        &'a self,
        auth: &'a dyn Authenticate<Async>,
    ) -> BoxFuture<'a, Result<Option<(ApiKey, StoreEpoch)>, Error>> {
        Box::pin(async move {
            if self.inner.core.record.is_none() {
                return Ok(None);
            }
            self.inner.subscribe();
            let start = self.inner.core.poll();
            self.inner.drive(start, auth, false).await
        })
    }

    fn invalidate(&self, epoch: StoreEpoch) {
        let Some(invalidate) = self.inner.core.invalidate(epoch) else {
            return;
        };
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let inner = self.inner.clone();
            runtime.spawn(async move {
                let answer = inner.store().invalidate(invalidate.epoch).await;
                inner.core.report(&answer);
            });
        }
    }

    fn admit<'a>(&'a self, endpoint: &'static Endpoint) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let inner = &*self.inner;
            admit!(&inner.core, inner.store(), endpoint, [.await], sleep: |wait| {
                tokio::time::sleep(wait).await
            })
        })
    }
}

impl Inner {
    /// Drives the shared key from `start`. A caller given a soft key hands the lease to a
    /// spawned task (`background`) and goes on with the key; that task asks for the lease
    /// itself.
    fn drive<'a>(
        self: &'a Arc<Self>,
        start: pluggy_core::fleet::shared_key::Action,
        auth: &'a dyn Authenticate<Async>,
        background: bool,
    ) -> BoxFuture<'a, Result<Option<(ApiKey, StoreEpoch)>, Error>> {
        Box::pin(async move {
            let core = &self.core;
            let outcome = drive_key!(core, self.store(), auth, start, [.await],
                acquire: |key, epoch, ticket, lease| {
                    if background {
                        let ttl = self.store().lease(&lease).await;
                        core.on_lease(ticket, ttl)
                    } else {
                        match (tokio::runtime::Handle::try_current(), auth.owned()) {
                            (Ok(runtime), Some(auth)) => {
                                let inner = self.clone();
                                runtime.spawn(async move {
                                    let ttl = inner.store().lease(&lease).await;
                                    let next = inner.core.on_lease(ticket, ttl);
                                    inner.notify.notify_waiters();
                                    let _ = inner.drive(next, &*auth, true).await;
                                    inner.notify.notify_waiters();
                                });
                            }
                            _ => core.abandon(ticket),
                        }
                        break Ok(Some((key, epoch)));
                    }
                },
                wait: |until| {
                    let notified = self.notify.notified();
                    let mut notified = std::pin::pin!(notified);
                    notified.as_mut().enable();
                    match core.poll() {
                        pluggy_core::fleet::shared_key::Action::Wait { .. } => {
                            let wait = until.saturating_sub(core.now().mono);
                            let _ = tokio::time::timeout(wait, notified).await;
                            core.poll()
                        }
                        other => other,
                    }
                },
                wake: self.notify.notify_waiters(),
            );
            self.notify.notify_waiters();
            outcome
        })
    }

    /// Starts the subscriber task once, inside the caller's runtime.
    fn subscribe(self: &Arc<Self>) {
        self.subscribed.call_once(|| {
            let Ok(runtime) = tokio::runtime::Handle::try_current() else {
                return;
            };
            let weak = Arc::downgrade(self);
            runtime.spawn(subscriber(weak));
        });
    }
}

/// Listens for the epoch notices until the member is dropped, reconnecting after a failure.
async fn subscriber(inner: Weak<Inner>) {
    loop {
        let Some(strong) = inner.upgrade() else {
            return;
        };
        let client = strong.io.client.clone();
        let channel = match &strong.core.record {
            Some(record) => record.names.channel.clone(),
            None => return,
        };
        let timeout = strong.core.config.op_timeout;
        let pause = strong
            .core
            .config
            .poll_interval
            .max(Duration::from_millis(50));
        drop(strong);
        let connected = tokio::time::timeout(timeout, async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            Ok::<_, redis::RedisError>(pubsub)
        })
        .await;
        if let Ok(Ok(pubsub)) = connected {
            let mut messages = pubsub.into_on_message();
            loop {
                // Wake up now and then to notice that the member is gone.
                match tokio::time::timeout(Duration::from_secs(1), messages.next()).await {
                    Ok(Some(message)) => match inner.upgrade() {
                        Some(strong) => {
                            strong.core.on_notice(message.get_payload_bytes());
                            strong.notify.notify_waiters();
                        }
                        None => return,
                    },
                    Ok(None) => break,
                    Err(_) if inner.strong_count() == 0 => return,
                    Err(_) => {}
                }
            }
        }
        tokio::time::sleep(pause).await;
    }
}

/// The Redis side: one multiplexed connection, opened on first use and again after a failure.
struct Io {
    client: redis::Client,
    connection: Mutex<Option<MultiplexedConnection>>,
    timeout: Duration,
    scripts: Scripts,
}

impl Io {
    fn new(client: redis::Client, timeout: Duration) -> Self {
        Self {
            client,
            connection: Mutex::new(None),
            timeout,
            scripts: Scripts::new(),
        }
    }

    async fn connection(&self) -> Answer<MultiplexedConnection> {
        let cached = self
            .connection
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(connection) = cached {
            return Ok(connection);
        }
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout));
        let connection = tokio::time::timeout(
            self.timeout,
            self.client
                .get_multiplexed_async_connection_with_config(&config),
        )
        .await
        .map_err(|_| StoreUnavailable)?
        .map_err(|_| StoreUnavailable)?;
        *self.connection.lock().unwrap_or_else(|p| p.into_inner()) = Some(connection.clone());
        Ok(connection)
    }

    /// Runs `op` on the connection within the timeout; a failure drops the connection.
    async fn run<T, F>(&self, op: impl FnOnce(MultiplexedConnection) -> F) -> Answer<T>
    where
        F: Future<Output = redis::RedisResult<T>>,
    {
        let connection = self.connection().await?;
        match tokio::time::timeout(self.timeout, op(connection)).await {
            Ok(Ok(value)) => Ok(value),
            _ => {
                *self.connection.lock().unwrap_or_else(|p| p.into_inner()) = None;
                Err(StoreUnavailable)
            }
        }
    }

    /// Runs a script invocation; its integer answer.
    async fn invoke<T: redis::FromRedisValue>(
        &self,
        invocation: Answer<ScriptInvocation<'_>>,
    ) -> Answer<T> {
        let invocation = invocation?;
        self.run(|mut c| async move { invocation.invoke_async(&mut c).await })
            .await
    }
}

/// The store operations [`drive_key!`] and [`admit!`] call, bound to one member's core.
struct Bound<'a> {
    core: &'a Core,
    io: &'a Io,
}

impl Inner {
    fn store(&self) -> Bound<'_> {
        Bound {
            core: &self.core,
            io: &self.io,
        }
    }
}

impl Bound<'_> {
    async fn read(&self) -> Answer<Option<RawRecord>> {
        let cmd = Scripts::read(self.core)?;
        let raw = self
            .io
            .run(|mut c| async move { cmd.query_async(&mut c).await })
            .await?;
        Ok(record(raw))
    }

    async fn lease(&self, lease: &LeaseRequest) -> Answer<i64> {
        self.io
            .invoke(self.io.scripts.lease(self.core, lease))
            .await
    }

    async fn publish(&self, key: &StoredKey) -> Answer<()> {
        let answer: Answer<i64> = self
            .io
            .invoke(self.io.scripts.publish(self.core, key))
            .await;
        answer.map(|_| ())
    }

    async fn release(&self) -> Answer<()> {
        let answer: Answer<i64> = self.io.invoke(self.io.scripts.release(self.core)).await;
        answer.map(|_| ())
    }

    async fn invalidate(&self, epoch: StoreEpoch) -> Answer<()> {
        let invocation = self.io.scripts.invalidate(self.core, epoch);
        let answer: Answer<i64> = self.io.invoke(invocation).await;
        answer.map(|_| ())
    }

    async fn admit(&self, group: LimitGroup) -> Answer<u64> {
        self.io
            .invoke(Ok(self.io.scripts.admit(self.core, group)))
            .await
    }
}
