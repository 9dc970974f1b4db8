//! # pluggy-redis
//!
//! Many processes of one application (pods, workers, cron jobs) behind one egress IP share
//! Pluggy's per-IP rate limits without knowing it, and each one fetches an API key of its own.
//! This crate makes them a fleet, through the Redis they already run:
//!
//! - **One API key.** Before calling `POST /auth`, a client reads the fleet's key from Redis.
//!   One process at a time refreshes it, under a lease (`SET NX PX`); the others wait for its
//!   pub/sub notice (with a bounded poll behind it). A holder that dies releases nothing: its
//!   lease expires and the next caller takes over. The expired-key 403 invalidates the shared
//!   key of that epoch only, so a late invalidation never throws away a fresh key.
//! - **One rate budget.** Before each attempt of an endpoint with a documented limit (360/min
//!   on `POST /auth` and the data reads, 20/min on `PATCH /items/{id}`), the client takes a
//!   slot in a sliding window held in Redis and updated by one Lua script. A call that would
//!   exceed the limit waits, up to [`FleetConfig::max_wait`], instead of drawing a 429, and
//!   then fails with [`pluggy_core::Error::OverBudget`] without being sent. Budgets are per base
//!   URL, so the emulator and the real API never share one.
//! - **Sealed at rest.** The key is stored encrypted with AES-256-GCM under a key derived by
//!   HKDF-SHA256 from the client secret, bound to the base URL and client id: whoever reads
//!   Redis without the client secret cannot use it. The Redis URL's password is never shown.
//! - **Faults cost nothing.** Redis down, slow or flapping never fails a call that could have
//!   succeeded: every Redis call has a timeout ([`FleetConfig::op_timeout`]); on a failure the
//!   process falls back to its own single flight and its own limiter, logs it once, and rejoins
//!   when Redis answers again ([`FleetConfig::rejoin_after`]). A record that does not parse or
//!   open is ignored and replaced.
//!
//! The rules are pluggy-core's [`pluggy_core::fleet`], pure and tested without Redis; this
//! crate adds the Redis I/O, for `pluggy-async` (feature `async`, on tokio) and
//! `pluggy-blocking` (feature `blocking`); both are on by default.
//!
//! ```no_run
//! # #[cfg(feature = "async")]
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use pluggy_core::ClientSecret;
//! use pluggy_redis::RedisFleet;
//!
//! let client = pluggy_async::Client::builder()
//!     .credentials("client-id", ClientSecret::new("client-secret"))
//!     .fleet(RedisFleet::new("redis://:password@10.0.0.5:6379/0")?)
//!     .build()?;
//! let connectors = client.list_connectors(&Default::default()).await?;
//! # Ok(()) }
//! ```

mod local;
#[cfg(any(feature = "async", feature = "blocking"))]
mod member;
#[cfg(any(feature = "async", feature = "blocking"))]
mod names;
mod seal;

#[cfg(feature = "async")]
mod asynchronous;
#[cfg(feature = "blocking")]
mod blocking;
#[cfg(feature = "async")]
mod events;

use std::fmt;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

#[cfg(feature = "async")]
pub use events::{EVENT_TTL, SeenEvents, Unavailable};
pub use local::LocalRedis;
pub use seal::AesGcmSealer;

/// The timing of a fleet member. Every field has a default that suits the real API.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FleetConfig {
    /// The longest any Redis call may take before it counts as a failure. Default: 500 ms.
    pub op_timeout: Duration,
    /// How long a process stays on its own key and limiter after a Redis failure before it
    /// tries Redis again. Default: 10 s.
    pub rejoin_after: Duration,
    /// The refresh lease's life: long enough for one `POST /auth`. Default: 30 s.
    pub lease_ttl: Duration,
    /// How often a process waiting for another's refresh reads the store, should the pub/sub
    /// notice not come. Default: 250 ms.
    pub poll_interval: Duration,
    /// The longest a call waits for the shared rate budget before failing unsent with
    /// [`pluggy_core::Error::OverBudget`]. Default: 30 s.
    pub max_wait: Duration,
    /// The window the per-minute limits are counted over. Default: one minute; shorter only
    /// for tests.
    pub rate_window: Duration,
}

impl Default for FleetConfig {
    fn default() -> Self {
        Self {
            op_timeout: Duration::from_millis(500),
            rejoin_after: Duration::from_secs(10),
            lease_ttl: Duration::from_secs(30),
            poll_interval: Duration::from_millis(250),
            max_wait: Duration::from_secs(30),
            rate_window: pluggy_core::fleet::limiter::WINDOW,
        }
    }
}

/// A Redis URL was not usable. Its text never includes the URL's password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidRedisUrl {
    redacted: String,
}

impl fmt::Display for InvalidRedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a Redis URL (expected redis://[user:password@]host[:port][/db])",
            self.redacted
        )
    }
}

impl std::error::Error for InvalidRedisUrl {}

/// A fleet on one Redis server: give it to `ClientBuilder::fleet` of either driver. Cheap to
/// clone; each client that joins opens its own connections.
///
/// `Debug` shows the URL with its password replaced by `***`.
#[derive(Clone)]
pub struct RedisFleet {
    url: SecretString,
    config: FleetConfig,
}

impl fmt::Debug for RedisFleet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisFleet")
            .field("url", &redact_url(self.url.expose_secret()))
            .field("config", &self.config)
            .finish()
    }
}

impl RedisFleet {
    /// A fleet on the Redis server at `url` (`redis://[user:password@]host[:port][/db]`), with
    /// the default [`FleetConfig`]. Nothing is connected until a client joins and calls.
    pub fn new(url: &str) -> Result<Self, InvalidRedisUrl> {
        redis::Client::open(url).map_err(|_| InvalidRedisUrl {
            redacted: redact_url(url),
        })?;
        Ok(Self {
            url: SecretString::from(url.to_owned()),
            config: FleetConfig::default(),
        })
    }

    /// The same fleet with other timings.
    pub fn with_config(mut self, config: FleetConfig) -> Self {
        self.config = config;
        self
    }

    /// The timings.
    pub fn config(&self) -> &FleetConfig {
        &self.config
    }

    #[cfg(any(feature = "async", feature = "blocking"))]
    fn client(&self) -> Result<redis::Client, pluggy_core::Error> {
        redis::Client::open(self.url.expose_secret()).map_err(|_| {
            pluggy_core::Error::InvalidInput(
                InvalidRedisUrl {
                    redacted: redact_url(self.url.expose_secret()),
                }
                .to_string(),
            )
        })
    }
}

/// `url` with the password of its user info replaced by `***`.
fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "***".to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
            if userinfo.contains(':') {
                format!("{scheme}://{user}:***@{host}{path}")
            } else {
                format!("{scheme}://***@{host}{path}")
            }
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        for (url, shown) in [
            (
                "redis://:hunter2@10.0.0.5:6379/0",
                "redis://:***@10.0.0.5:6379/0",
            ),
            ("redis://app:hunter2@cache/1", "redis://app:***@cache/1"),
            ("redis://hunter2@cache", "redis://***@cache"),
            ("redis://127.0.0.1:6379", "redis://127.0.0.1:6379"),
            ("hunter2", "***"),
        ] {
            assert_eq!(redact_url(url), shown, "{url}");
        }
        let fleet = RedisFleet::new("redis://app:hunter2@cache:6379/0").unwrap();
        let debug = format!("{fleet:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("redis://app:***@cache:6379/0"), "{debug}");
        let err = RedisFleet::new("http://app:hunter2@cache").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
}
