//! [`Client`] (API key: the whole API) and [`ConnectClient`] (connect token: what Pluggy
//! Connect may do), and the builder that makes both. Blocking: every call returns when the
//! answer is in. Their operations are expanded from pluggy-core's one list,
//! [`pluggy_core::for_each_operation!`].

use std::sync::Arc;
use std::time::Duration;

use pluggy_core::calls;
use pluggy_core::connect_token::SharedGrant;
use pluggy_core::driver::{Auth, Settings, random_seed};
use pluggy_core::jitter::JitterSource;
use pluggy_core::models::{ConnectTokenRequest, ConnectorCredential, Item, ItemParameters};
use pluggy_core::{
    BlockingTransport, ConnectToken, ConnectTokenGrant, Error, IntoCall, ItemId, ItemWait, Paged,
    RawResponse, Request, WaitPolicy, WaitStep,
};

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
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// A builder with the defaults.
    pub fn new() -> Self {
        Self::default()
    }

    pluggy_core::settings_setters!();

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

    fn engine(&mut self) -> Result<Arc<Engine>, Error> {
        let settings = &self.settings;
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
        }))
    }

    /// Builds an API-key client. Needs [`credentials`](Self::credentials) or an
    /// [`api_key`](Self::api_key).
    pub fn build(mut self) -> Result<Client, Error> {
        let engine = self.engine()?;
        let (source, manager) = self.settings.keys()?;
        let keys = KeyCache::new(manager, source, engine.clone());
        Ok(Client { engine, keys })
    }

    /// Builds a connect-token client from a raw token (as a front end receives it). Its scope
    /// is the items it creates; use [`build_connect_grant`](Self::build_connect_grant) for a
    /// token issued for an existing item.
    pub fn build_connect(mut self, token: ConnectToken) -> Result<ConnectClient, Error> {
        let engine = self.engine()?;
        let grant = ConnectTokenGrant::new(token, engine.clock.now(), None);
        Ok(ConnectClient::new(engine, grant))
    }

    /// Builds a connect-token client from a grant: the token with the item it was issued for
    /// and its options (see [`ConnectTokenGrant::new`]).
    pub fn build_connect_grant(mut self, grant: ConnectTokenGrant) -> Result<ConnectClient, Error> {
        Ok(ConnectClient::new(self.engine()?, grant))
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

/// The backend's client: an API key (fetched and refreshed on its own) and the whole API.
///
/// Cheap to clone; clones share the key, the connection pool and the settings.
#[derive(Clone)]
pub struct Client {
    engine: Arc<Engine>,
    keys: Arc<KeyCache>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.engine.base)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// Executes any request with the API key: retries and key refreshes as for every call.
    pub fn send<T>(&self, request: Request<T>) -> Result<T, Error> {
        self.engine.send(request, Auth::Key(&*self.keys))
    }

    /// Any call, answered raw: the escape hatch for endpoints this SDK does not model yet.
    /// Scope, retries and the API key are handled as for every other call.
    pub fn raw(&self, call: impl IntoCall) -> Result<RawResponse, Error> {
        self.send(Request::raw(call))
    }

    /// Every item of a paged list whose first page `request` asks for, as an iterator.
    pub fn pages<P: Paged>(&self, request: Request<P>) -> Pages<P> {
        Pages::new(self.engine.clone(), self.keys.clone(), request)
    }

    /// Mints a connect token for Pluggy Connect (`POST /connect_token`): one per connection;
    /// with `item_id` it updates that item.
    pub fn create_connect_token(
        &self,
        request: &ConnectTokenRequest,
    ) -> Result<ConnectTokenGrant, Error> {
        let sent = self.engine.clock.now();
        let answer = self.send(calls::create_connect_token(request))?;
        Ok(ConnectTokenGrant::from_answer(answer, sent, request))
    }

    /// A connect-token client sharing this client's transport and settings.
    pub fn connect_client(&self, grant: ConnectTokenGrant) -> ConnectClient {
        ConnectClient::new(self.engine.clone(), grant)
    }

    /// Waits for an item's sync to end, calling `on_progress` with each look at it. Returns the
    /// item in its final state (check [`Item::progress`]), or as soon as it needs MFA input
    /// (use [`wait_for_item_with_mfa`](Self::wait_for_item_with_mfa) to answer it).
    pub fn wait_for_item(
        &self,
        id: &ItemId,
        policy: WaitPolicy,
        on_progress: impl FnMut(&Item),
    ) -> Result<Item, Error> {
        let auth = Auth::Key(&*self.keys);
        wait_for_item(&self.engine, auth, id, policy, on_progress, None::<NoMfa>)
    }

    /// Like [`wait_for_item`](Self::wait_for_item), answering MFA prompts with `answer`: it gets
    /// the prompt and returns the answers to send, or `None` to stop waiting.
    pub fn wait_for_item_with_mfa<F>(
        &self,
        id: &ItemId,
        policy: WaitPolicy,
        on_progress: impl FnMut(&Item),
        answer: F,
    ) -> Result<Item, Error>
    where
        F: FnMut(Option<ConnectorCredential>) -> Option<ItemParameters>,
    {
        let auth = Auth::Key(&*self.keys);
        wait_for_item(&self.engine, auth, id, policy, on_progress, Some(answer))
    }
}

/// The front end's client: a connect token and only what it may do (connectors, creating one
/// item, following and updating that item, its reduced accounts). Everything else is not on
/// this type, and core's scope check refuses it at run time too:
///
/// ```compile_fail
/// # fn front_end(front: &pluggy_blocking::ConnectClient, account: &pluggy_core::AccountId) {
/// // Transactions need the API key: a connect client has no such call.
/// let _ = front.list_transactions(account, &Default::default());
/// # }
/// ```
pub struct ConnectClient {
    engine: Arc<Engine>,
    grant: SharedGrant,
}

impl std::fmt::Debug for ConnectClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectClient")
            .field("grant", &self.grant)
            .finish_non_exhaustive()
    }
}

impl ConnectClient {
    fn new(engine: Arc<Engine>, grant: ConnectTokenGrant) -> Self {
        Self {
            engine,
            grant: SharedGrant::new(grant),
        }
    }

    /// The token's grant: expiry, options and the items in its scope.
    pub fn grant(&self) -> ConnectTokenGrant {
        ConnectTokenGrant::clone(&self.grant.current())
    }

    fn record_created(&self, item: &Item) {
        self.grant.record_created_item(item.id.clone());
    }

    /// Executes any request a connect token may make. The token's expiry and scope are checked
    /// first: a request outside them fails with [`Error::Scope`] and nothing is sent.
    pub fn send<T>(&self, request: Request<T>) -> Result<T, Error> {
        self.engine
            .send(request, Auth::Connect(&self.grant.current()))
    }

    /// Any call a connect token may make, answered raw: the escape hatch for endpoints this
    /// SDK does not model yet. The token's scope is checked first: a call outside it fails
    /// with [`Error::Scope`] and nothing is sent.
    pub fn raw(&self, call: impl IntoCall) -> Result<RawResponse, Error> {
        self.send(Request::raw(call))
    }

    /// Waits for the sync of an item in this token's scope; see [`Client::wait_for_item`].
    pub fn wait_for_item(
        &self,
        id: &ItemId,
        policy: WaitPolicy,
        on_progress: impl FnMut(&Item),
    ) -> Result<Item, Error> {
        let grant = self.grant.current();
        let auth = Auth::Connect(&grant);
        wait_for_item(&self.engine, auth, id, policy, on_progress, None::<NoMfa>)
    }

    /// Waits and answers MFA prompts; see [`Client::wait_for_item_with_mfa`].
    pub fn wait_for_item_with_mfa<F>(
        &self,
        id: &ItemId,
        policy: WaitPolicy,
        on_progress: impl FnMut(&Item),
        answer: F,
    ) -> Result<Item, Error>
    where
        F: FnMut(Option<ConnectorCredential>) -> Option<ItemParameters>,
    {
        let grant = self.grant.current();
        let auth = Auth::Connect(&grant);
        wait_for_item(&self.engine, auth, id, policy, on_progress, Some(answer))
    }
}

pluggy_core::client_methods!(blocking);

type NoMfa = fn(Option<ConnectorCredential>) -> Option<ItemParameters>;

/// The wait loop: core's [`ItemWait`] decides, this fetches, sleeps and asks.
fn wait_for_item<F>(
    engine: &Engine,
    auth: Auth<'_, KeyCache>,
    id: &ItemId,
    policy: WaitPolicy,
    mut on_progress: impl FnMut(&Item),
    mut answer: Option<F>,
) -> Result<Item, Error>
where
    F: FnMut(Option<ConnectorCredential>) -> Option<ItemParameters>,
{
    let mut wait = ItemWait::new(engine.clock.now(), policy, answer.is_some());
    loop {
        let item = engine.send(calls::get_item(id), auth)?;
        on_progress(&item);
        match wait.on_item(engine.clock.now(), &item) {
            WaitStep::Finished => return Ok(item),
            WaitStep::Sleep(delay) => std::thread::sleep(delay),
            WaitStep::AskMfa(prompt) => {
                let Some(answer) = answer.as_mut() else {
                    return Ok(item);
                };
                let Some(answers) = answer(prompt.map(|p| *p)) else {
                    return Ok(item);
                };
                engine.send(calls::send_mfa(id, &answers), auth)?;
                wait.mfa_sent();
            }
            WaitStep::Failed(error) => return Err(error),
        }
    }
}
