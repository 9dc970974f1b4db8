//! [`Client`] (API key: the whole API) and [`ConnectClient`] (connect token: what Pluggy
//! Connect may do), and the builder that makes both. Their operations are expanded from
//! pluggy-core's one list, [`pluggy_core::for_each_operation!`].

use std::sync::Arc;
use std::time::Duration;

use pluggy_core::driver::{Settings, random_seed};
use pluggy_core::fleet::member::{self, Async, Fleet};
use pluggy_core::jitter::JitterSource;
use pluggy_core::{AsyncTransport, Error};

use crate::engine::{Engine, KeyCache};
use crate::runtime::{Clock, Sleeper, SystemClock};
use crate::stream::Pages;

/// Builds a [`Client`] or a [`ConnectClient`].
///
/// Defaults: base URL `https://api.pluggy.ai`, the hyper transport (with the `hyper` feature),
/// the system clock, tokio's timer, [`RetryPolicy::default`](pluggy_core::RetryPolicy::default),
/// [`TokenConfig::default`](pluggy_core::TokenConfig::default).
#[derive(Default)]
pub struct ClientBuilder {
    settings: Settings,
    transport: Option<Arc<dyn AsyncTransport>>,
    clock: Option<Arc<dyn Clock>>,
    sleeper: Option<Arc<dyn Sleeper>>,
    fleet: Option<Arc<dyn Fleet<Async>>>,
}

impl ClientBuilder {
    /// The transport requests go through (default: [`crate::HyperTransport`]).
    pub fn transport(mut self, transport: impl AsyncTransport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// The clock (default: [`SystemClock`]).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// The clock, shared with the caller (tests move a [`crate::runtime::ManualClock`]).
    pub fn shared_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The timer used between retries and while waiting (default: tokio's).
    pub fn sleeper(mut self, sleeper: impl Sleeper + 'static) -> Self {
        self.sleeper = Some(Arc::new(sleeper));
        self
    }

    /// The fleet this client shares its API key and rate budget with (`pluggy-redis`): joined
    /// when the client is built, with the client's base URL and credentials.
    pub fn fleet(mut self, fleet: impl Fleet<Async> + 'static) -> Self {
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
        let sleeper = match self.sleeper.take() {
            Some(s) => s,
            None => default_sleeper()?,
        };
        Ok(Arc::new(Engine {
            base: settings.base()?,
            transport,
            clock: self
                .clock
                .take()
                .unwrap_or_else(|| Arc::new(SystemClock::new())),
            sleeper,
            retry: settings.retry.clone(),
            user_agent: settings.user_agent("async"),
            jitter: JitterSource::new(random_seed()),
            fleet,
        }))
    }
}

#[cfg(feature = "hyper")]
fn default_transport(
    connect: Duration,
    request: Duration,
) -> Result<Arc<dyn AsyncTransport>, Error> {
    let config = crate::HyperTransportConfig {
        connect_timeout: connect,
        request_timeout: request,
        ..Default::default()
    };
    crate::HyperTransport::with_config(config)
        .map(|t| Arc::new(t) as Arc<dyn AsyncTransport>)
        .map_err(|e| Error::InvalidInput(format!("the default transport could not start: {e}")))
}

#[cfg(not(feature = "hyper"))]
fn default_transport(_: Duration, _: Duration) -> Result<Arc<dyn AsyncTransport>, Error> {
    Err(Error::InvalidInput(
        "built without the `hyper` feature: give the builder a transport".into(),
    ))
}

#[cfg(feature = "hyper")]
fn default_sleeper() -> Result<Arc<dyn Sleeper>, Error> {
    Ok(Arc::new(crate::runtime::TokioSleeper))
}

#[cfg(not(feature = "hyper"))]
fn default_sleeper() -> Result<Arc<dyn Sleeper>, Error> {
    Err(Error::InvalidInput(
        "built without the `hyper` feature: give the builder a sleeper".into(),
    ))
}

pluggy_core::client_shape!(async pluggy_async);
