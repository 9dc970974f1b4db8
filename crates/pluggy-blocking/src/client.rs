//! [`Client`] (API key: the whole API) and [`ConnectClient`] (connect token: what Pluggy
//! Connect may do), and the builder that makes both. Blocking: every call returns when the
//! answer is in. Their operations are expanded from pluggy-core's one list,
//! [`pluggy_core::for_each_operation!`].

use std::sync::Arc;
use std::time::Duration;

use pluggy_core::driver::{Settings, random_seed};
use pluggy_core::fleet::member::{self, Blocking, Fleet};
use pluggy_core::jitter::JitterSource;
use pluggy_core::{BlockingTransport, Error};

use crate::clock::{Clock, SystemClock};
use crate::engine::{Engine, KeyCache};
use crate::pages::Pages;

/// Builds a [`Client`] or a [`ConnectClient`].
///
/// Defaults: base URL `https://api.pluggy.ai`, the ureq transport (with the `ureq` feature),
/// the system clock, [`RetryPolicy::default`](pluggy_core::RetryPolicy::default),
/// [`TokenConfig::default`](pluggy_core::TokenConfig::default).
#[derive(Default)]
pub struct ClientBuilder {
    settings: Settings,
    transport: Option<Arc<dyn BlockingTransport>>,
    clock: Option<Arc<dyn Clock>>,
    fleet: Option<Arc<dyn Fleet<Blocking>>>,
}

impl ClientBuilder {
    /// The transport requests go through (default: [`crate::UreqTransport`]). A closure
    /// `Fn(PreparedRequest) -> Result<RawResponse, TransportError>` is one.
    pub fn transport(mut self, transport: impl BlockingTransport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// The clock (default: [`SystemClock`]).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// The clock, shared with the caller (tests move a [`crate::clock::ManualClock`]).
    pub fn shared_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The fleet this client shares its API key and rate budget with (`pluggy-redis`): joined
    /// when the client is built, with the client's base URL and credentials.
    pub fn fleet(mut self, fleet: impl Fleet<Blocking> + 'static) -> Self {
        self.fleet = Some(Arc::new(fleet));
        self
    }

    fn engine(&mut self) -> Result<Arc<Engine>, Error> {
        let settings = &self.settings;
        let fleet = member::join(self.fleet.take(), || settings.fleet_scope())?;
        let transport = match self.transport.take() {
            Some(t) => t,
            None => default_transport(settings.connect_timeout, settings.request_timeout)?,
        };
        let clock = self.clock.take();
        Ok(Arc::new(Engine {
            base: settings.base()?,
            transport,
            clock: clock.unwrap_or_else(|| Arc::new(SystemClock::new())),
            retry: settings.retry.clone(),
            user_agent: settings.user_agent("blocking"),
            jitter: JitterSource::new(random_seed()),
            fleet,
        }))
    }
}

#[cfg(feature = "ureq")]
fn default_transport(
    connect: Duration,
    request: Duration,
) -> Result<Arc<dyn BlockingTransport>, Error> {
    let config = crate::UreqTransportConfig {
        connect_timeout: connect,
        request_timeout: request,
        ..Default::default()
    };
    Ok(Arc::new(crate::UreqTransport::with_config(config)))
}

#[cfg(not(feature = "ureq"))]
fn default_transport(_: Duration, _: Duration) -> Result<Arc<dyn BlockingTransport>, Error> {
    Err(Error::InvalidInput(
        "built without the `ureq` feature: give the builder a transport".into(),
    ))
}

pluggy_core::client_shape!(blocking pluggy_blocking);
