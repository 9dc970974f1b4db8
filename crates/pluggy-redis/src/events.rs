//! Webhook deduplication shared by every process of an application: an `eventId` is claimed
//! once in Redis (`SET … NX EX`), so a repeat delivery that lands on another process behind the
//! load balancer is recognised there too.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use redis::AsyncConnectionConfig;
use redis::aio::MultiplexedConnection;

use crate::RedisFleet;

/// How long a claimed `eventId` is remembered. Pluggy retries a delivery that was not
/// acknowledged for up to about 2 hours after the first attempt (3 immediate attempts, 3 after
/// 1 h, 3 after 2 h); a day covers that window with a wide margin.
pub const EVENT_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// Redis did not answer a claim in time, or answered with an error. The caller decides for
/// itself (a backend falls back to its own memory). Its text names no URL and no password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unavailable {
    reason: &'static str,
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the shared event store is unavailable: {}", self.reason)
    }
}

impl std::error::Error for Unavailable {}

/// The `eventId`s seen by any process of one application, kept in Redis for [`EVENT_TTL`]
/// under `pluggy:event:{namespace}:{eventId}`. Made by [`RedisFleet::events`]; cheap to clone
/// (clones share one multiplexed connection).
///
/// Every claim is bounded by [`crate::FleetConfig::op_timeout`]. After a failure the
/// connection is dropped and, for [`crate::FleetConfig::rejoin_after`], claims answer
/// [`Unavailable`] at once instead of waiting on Redis again; the next claim after that
/// reconnects.
#[derive(Clone)]
pub struct SeenEvents {
    inner: Arc<Inner>,
}

struct Inner {
    /// `None` only for a URL that no longer opens (a [`RedisFleet`] checked it when made).
    client: Option<redis::Client>,
    prefix: String,
    timeout: Duration,
    rejoin_after: Duration,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    connection: Option<MultiplexedConnection>,
    /// Claims fail at once until this instant, after a failure.
    down_until: Option<Instant>,
}

impl fmt::Debug for SeenEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeenEvents")
            .field("prefix", &self.inner.prefix)
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisFleet {
    /// The shared record of webhook `eventId`s of the application `namespace` (its client id,
    /// say) on this fleet's Redis, with this fleet's timeouts. Nothing is connected until the
    /// first claim.
    pub fn events(&self, namespace: &str) -> SeenEvents {
        SeenEvents {
            inner: Arc::new(Inner {
                client: self.client().ok(),
                prefix: format!("pluggy:event:{namespace}:"),
                timeout: self.config.op_timeout,
                rejoin_after: self.config.rejoin_after,
                state: Mutex::new(State::default()),
            }),
        }
    }
}

impl SeenEvents {
    /// Claims `event_id`: `Ok(true)` the first time any process asks within [`EVENT_TTL`],
    /// `Ok(false)` for a repeat. Runs `SET pluggy:event:{namespace}:{event_id} 1 NX EX 86400`
    /// within the fleet's `op_timeout`, connection included.
    pub async fn first_time(&self, event_id: &str) -> Result<bool, Unavailable> {
        let inner = &*self.inner;
        if inner
            .state()
            .down_until
            .is_some_and(|until| Instant::now() < until)
        {
            return Err(Unavailable {
                reason: "it failed moments ago",
            });
        }
        let key = format!("{}{event_id}", inner.prefix);
        let answer = match tokio::time::timeout(inner.timeout, inner.claim(&key)).await {
            Ok(answer) => answer,
            Err(_) => Err(Unavailable {
                reason: "no answer in time",
            }),
        };
        let mut state = inner.state();
        match answer {
            Ok(first) => {
                state.down_until = None;
                Ok(first)
            }
            Err(e) => {
                state.connection = None;
                state.down_until = Some(Instant::now() + inner.rejoin_after);
                Err(e)
            }
        }
    }
}

impl Inner {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn claim(&self, key: &str) -> Result<bool, Unavailable> {
        let mut connection = self.connection().await?;
        let set: Option<String> = redis::cmd("SET")
            .arg(key)
            .arg(1)
            .arg("NX")
            .arg("EX")
            .arg(EVENT_TTL.as_secs())
            .query_async(&mut connection)
            .await
            .map_err(|_| Unavailable {
                reason: "the command failed",
            })?;
        Ok(set.is_some())
    }

    /// The cached connection, or a new one.
    async fn connection(&self) -> Result<MultiplexedConnection, Unavailable> {
        if let Some(connection) = self.state().connection.clone() {
            return Ok(connection);
        }
        let client = self.client.as_ref().ok_or(Unavailable {
            reason: "the Redis URL does not open",
        })?;
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout));
        let connection = client
            .get_multiplexed_async_connection_with_config(&config)
            .await
            .map_err(|_| Unavailable {
                reason: "no connection",
            })?;
        self.state().connection = Some(connection.clone());
        Ok(connection)
    }
}
