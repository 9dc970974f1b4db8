//! The hook through which the processes of a fleet share one API key and one rate budget.
//! `pluggy-redis` implements it over Redis; the client only asks it, at two points of a call:
//!
//! - before taking its own cached key, [`FleetMember::key`] (the shared key, or `None` to use
//!   the client's own: for instance while the store is unreachable);
//! - before each attempt, [`FleetMember::admit`] (waits for the shared budget, or fails the
//!   call with [`Error::OverBudget`] without sending it).
//!
//! The rules (leases, epochs, windows, fallback) are pluggy-core's
//! [`pluggy_core::fleet`]; an implementation adds only the store's I/O.

use std::sync::Arc;

use pluggy_core::driver::FleetScope;
use pluggy_core::endpoint::Endpoint;
use pluggy_core::fleet::shared_key::StoreEpoch;
use pluggy_core::{ApiKey, Error};

use crate::runtime::BoxFuture;

/// A fleet a client can join ([`crate::ClientBuilder::fleet`]).
pub trait Fleet: Send + Sync {
    /// Joins the fleet as a client with this scope; called once, when the client is built.
    fn join(&self, scope: &FleetScope) -> Result<Arc<dyn FleetMember>, Error>;
}

/// One client's membership of a fleet.
pub trait FleetMember: Send + Sync {
    /// The key the fleet shares, fetched with `auth` if this process is the one to refresh
    /// it; `Ok(None)` means "use your own key" (the fleet cannot help now).
    fn key<'a>(
        &'a self,
        auth: &'a dyn Authenticate,
    ) -> BoxFuture<'a, Result<Option<(ApiKey, StoreEpoch)>, Error>>;

    /// The API refused the shared key of `epoch` as expired.
    fn invalidate(&self, epoch: StoreEpoch);

    /// Waits until the fleet's budget for `endpoint` allows one more call, and counts it;
    /// [`Error::OverBudget`] when that would take longer than the member allows.
    fn admit<'a>(&'a self, endpoint: &'static Endpoint) -> BoxFuture<'a, Result<(), Error>>;
}

/// `POST /auth` through the client, for the fleet member that refreshes the shared key.
pub trait Authenticate: Send + Sync {
    /// A new API key and when it expires (Unix seconds).
    fn authenticate(&self) -> BoxFuture<'_, Result<(ApiKey, i64), Error>>;

    /// The same, as a handle a background refresh can keep; `None` once the client is gone.
    fn owned(&self) -> Option<Arc<dyn Authenticate>>;
}
