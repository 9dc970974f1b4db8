//! The hook through which a client joins a fleet, written once for both drivers: `M` is the
//! driver's way of answering ([`Async`]: a boxed future, [`Blocking`]: the value itself).
//! `pluggy-redis` implements it over Redis. The client asks its member at two points of a
//! call:
//!
//! - before taking its own cached key, [`FleetMember::key`]: the shared key, or `None` to use
//!   the client's own (for instance while the store is unreachable);
//! - before each attempt, [`FleetMember::admit`]: waits for the shared budget, or fails the
//!   call with [`Error::OverBudget`] without sending it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::shared_key::StoreEpoch;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::http::BaseUrl;
use crate::ids::ClientId;
use crate::secret::{ApiKey, ClientSecret};
use crate::token::{TokenConfig, jwt_exp};

/// How a driver's calls answer.
pub trait Io: 'static {
    /// The answer of a call that produces `T`.
    type Out<'a, T: 'a>;
}

/// `pluggy-async`: calls answer a boxed `Send` future.
#[derive(Debug)]
pub enum Async {}

impl Io for Async {
    type Out<'a, T: 'a> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
}

/// `pluggy-blocking`: calls answer when done.
#[derive(Debug)]
pub enum Blocking {}

impl Io for Blocking {
    type Out<'a, T: 'a> = T;
}

/// A fleet a client can join (its builder's `fleet`).
pub trait Fleet<M: Io>: Send + Sync {
    /// Joins the fleet as a client with this scope; called once, when the client is built.
    fn join(&self, scope: &FleetScope) -> Result<Arc<dyn FleetMember<M>>, Error>;
}

/// A shared key and its epoch.
pub type SharedApiKey = (ApiKey, StoreEpoch);

/// One client's membership of a fleet.
pub trait FleetMember<M: Io>: Send + Sync {
    /// The key the fleet shares, fetched with `auth` if this process is the one to refresh
    /// it; `Ok(None)` means "use your own key" (the fleet cannot help now).
    fn key<'a>(
        &'a self,
        auth: &'a dyn Authenticate<M>,
    ) -> M::Out<'a, Result<Option<SharedApiKey>, Error>>;

    /// The API refused the shared key of `epoch` as expired.
    fn invalidate(&self, epoch: StoreEpoch);

    /// Waits until the fleet's budget for `endpoint` allows one more call, and counts it;
    /// [`Error::OverBudget`] when that would take longer than the member allows.
    fn admit<'a>(&'a self, endpoint: &'static Endpoint) -> M::Out<'a, Result<(), Error>>;
}

/// `POST /auth` through the client, for the fleet member that refreshes the shared key.
pub trait Authenticate<M: Io>: Send + Sync {
    /// A new API key, and when it was asked for (Unix seconds, the client's clock): the
    /// member dates its expiry with [`FleetScope::expires_unix`].
    fn authenticate(&self) -> M::Out<'_, Result<(ApiKey, i64), Error>>;

    /// The same, as a handle a background refresh can keep; `None` once the client is gone.
    fn owned(&self) -> Option<Arc<dyn Authenticate<M>>>;
}

/// What a client tells the fleet it joins: the API it calls and the application whose key the
/// fleet shares. `Debug` shows neither secret.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct FleetScope {
    /// The API's base URL: fleets of different APIs never share a key or a budget.
    pub base: BaseUrl,
    /// The application's client id and secret; `None` for a client with a fixed API key,
    /// which shares only the rate budget.
    pub credentials: Option<(ClientId, ClientSecret)>,
    /// The client's refresh windows, which the shared key follows too.
    pub token_config: TokenConfig,
}

impl FleetScope {
    /// A scope for `base`, with these credentials and the default refresh windows.
    pub fn new(base: BaseUrl, credentials: Option<(ClientId, ClientSecret)>) -> Self {
        Self {
            base,
            credentials,
            token_config: TokenConfig::default(),
        }
    }

    /// When a key fetched at `sent` (Unix seconds) expires, in Unix seconds: at its JWT `exp`,
    /// and never later than the client's `max_lifetime` after `sent`.
    pub fn expires_unix(&self, key: &ApiKey, sent_unix: i64) -> i64 {
        let cap = i64::try_from(self.token_config.max_lifetime.as_secs()).unwrap_or(i64::MAX);
        let cap = sent_unix.saturating_add(cap);
        jwt_exp(key.expose_secret()).map_or(cap, |exp| exp.min(cap))
    }
}

/// Joins `fleet`, if the builder was given one, as a client with `scope`.
pub fn join<M: Io>(
    fleet: Option<Arc<dyn Fleet<M>>>,
    scope: impl FnOnce() -> Result<FleetScope, Error>,
) -> Result<Option<Arc<dyn FleetMember<M>>>, Error> {
    match fleet {
        Some(fleet) => Ok(Some(fleet.join(&scope()?)?)),
        None => Ok(None),
    }
}
