//! [`Client`] (API key: the whole API) and [`ConnectClient`] (connect token: what Pluggy
//! Connect may do), and the builder that makes both.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pluggy_core::calls;
use pluggy_core::models::{
    Account, AccountType, ConnectTokenRequest, ConnectTokenResponse, Connector,
    ConnectorCredential, ConnectorFilters, CreateItemRequest, CreateWebhook, CursorPage,
    CursorTransactionFilters, DeleteCount, Identity, Investment, InvestmentFilters,
    InvestmentTransaction, Item, ItemParameters, Page, ReducedAccount, Transaction,
    TransactionFilters, UpdateItemRequest, UpdateWebhook, ValidationResponse, Webhook,
};
use pluggy_core::{
    AccountId, ApiKey, AsyncTransport, BaseUrl, Call, ClientId, ClientSecret, ConnectToken,
    ConnectTokenGrant, ConnectorId, Error, IdentityId, InvestmentId, ItemId, ItemWait, KeySource,
    RawResponse, RetryPolicy, TokenConfig, TransactionId, WaitPolicy, WaitStep, WebhookId,
};
use serde::de::DeserializeOwned;

use crate::engine::{Auth, Engine, KeyCache};
use crate::runtime::{Clock, Sleeper, SystemClock};
use crate::stream::TransactionStream;

/// Builds a [`Client`] or a [`ConnectClient`].
///
/// Defaults: base URL `https://api.pluggy.ai`, the hyper transport (with the `hyper` feature),
/// the system clock, tokio's timer, [`RetryPolicy::default`], [`TokenConfig::default`].
pub struct ClientBuilder {
    base_url: String,
    credentials: Option<(ClientId, ClientSecret)>,
    api_key: Option<ApiKey>,
    transport: Option<Arc<dyn AsyncTransport>>,
    clock: Option<Arc<dyn Clock>>,
    sleeper: Option<Arc<dyn Sleeper>>,
    retry: RetryPolicy,
    token_config: TokenConfig,
    user_agent_suffix: Option<String>,
    connect_timeout: Duration,
    request_timeout: Duration,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("client_id", &self.credentials.as_ref().map(|c| &c.0))
            .field("api_key", &self.api_key)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            base_url: BaseUrl::DEFAULT.to_owned(),
            credentials: None,
            api_key: None,
            transport: None,
            clock: None,
            sleeper: None,
            retry: RetryPolicy::default(),
            token_config: TokenConfig::default(),
            user_agent_suffix: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
        }
    }
}

impl ClientBuilder {
    /// A builder with the defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// The application's client id and secret, traded for API keys at `POST /auth`.
    pub fn credentials(mut self, client_id: impl Into<ClientId>, secret: ClientSecret) -> Self {
        self.credentials = Some((client_id.into(), secret));
        self
    }

    /// A fixed API key, used as is and never refreshed.
    pub fn api_key(mut self, key: ApiKey) -> Self {
        self.api_key = Some(key);
        self
    }

    /// The API's base URL; a path prefix is kept (`https://proxy.example/pluggy`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

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

    /// How failed calls are retried.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// When API keys are refreshed.
    pub fn token_config(mut self, config: TokenConfig) -> Self {
        self.token_config = config;
        self
    }

    /// Text appended to the `User-Agent` header (your application's name and version).
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Connect and whole-request timeouts of the default transport.
    pub fn timeouts(mut self, connect: Duration, request: Duration) -> Self {
        self.connect_timeout = connect;
        self.request_timeout = request;
        self
    }

    fn engine(&mut self) -> Result<Engine, Error> {
        let base = BaseUrl::parse(&self.base_url)?;
        let transport = match self.transport.take() {
            Some(t) => t,
            None => default_transport(self.connect_timeout, self.request_timeout)?,
        };
        let sleeper = match self.sleeper.take() {
            Some(s) => s,
            None => default_sleeper()?,
        };
        let clock = self
            .clock
            .take()
            .unwrap_or_else(|| Arc::new(SystemClock::new()));
        let mut user_agent = format!("pluggy-rs/{} (async)", env!("CARGO_PKG_VERSION"));
        if let Some(suffix) = &self.user_agent_suffix {
            user_agent.push(' ');
            user_agent.push_str(suffix);
        }
        let seed = random_seed();
        Ok(Engine::new(
            base,
            transport,
            clock,
            sleeper,
            self.retry.clone(),
            user_agent,
            seed,
        ))
    }

    /// Builds an API-key client. Needs [`credentials`](Self::credentials) or an
    /// [`api_key`](Self::api_key).
    pub fn build(mut self) -> Result<Client, Error> {
        let engine = self.engine()?;
        let seed = random_seed();
        let engine = Arc::new(engine);
        let source = KeySource::from_parts(self.credentials.take(), self.api_key.take())?;
        let manager = source.manager(self.token_config.clone(), seed);
        let keys = KeyCache::new(manager, source, engine.clone());
        Ok(Client {
            engine,
            keys: Arc::new(keys),
        })
    }

    /// Builds a connect-token client from a raw token (as a front end receives it). Its scope
    /// is the items it creates; use [`build_connect_grant`](Self::build_connect_grant) for a
    /// token issued for an existing item.
    pub fn build_connect(mut self, token: ConnectToken) -> Result<ConnectClient, Error> {
        let engine = self.engine()?;
        let grant = ConnectTokenGrant::new(token, engine.clock.now(), None);
        Ok(ConnectClient::new(Arc::new(engine), grant))
    }

    /// Builds a connect-token client from a grant: the token with the item it was issued for
    /// and its options (see [`ConnectTokenGrant::new`]).
    pub fn build_connect_grant(mut self, grant: ConnectTokenGrant) -> Result<ConnectClient, Error> {
        let engine = self.engine()?;
        Ok(ConnectClient::new(Arc::new(engine), grant))
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

/// The backend's client: an API key (fetched and refreshed on its own) and the whole API.
///
/// Cheap to clone; clones share the key, the connection pool and the settings.
#[derive(Clone)]
pub struct Client {
    pub(crate) engine: Arc<Engine>,
    pub(crate) keys: Arc<KeyCache>,
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

    pub(crate) async fn call<T: DeserializeOwned>(&self, call: Call) -> Result<T, Error> {
        self.engine.call(call, Auth::Key(&self.keys)).await
    }

    /// Any call, answered raw: the escape hatch for endpoints this SDK does not model yet.
    /// Scope, retries and the API key are handled as for every other call.
    pub async fn raw(&self, call: Call) -> Result<RawResponse, Error> {
        self.engine.execute(call, Auth::Key(&self.keys)).await
    }

    /// Mints a connect token for Pluggy Connect (`POST /connect_token`): one per connection;
    /// with `item_id` it updates that item.
    pub async fn create_connect_token(
        &self,
        request: &ConnectTokenRequest,
    ) -> Result<ConnectTokenGrant, Error> {
        let sent = self.engine.clock.now();
        let answer: ConnectTokenResponse = self.call(calls::create_connect_token(request)?).await?;
        Ok(ConnectTokenGrant::from_answer(answer, sent, request))
    }

    /// A connect-token client sharing this client's transport and settings.
    pub fn connect_client(&self, grant: ConnectTokenGrant) -> ConnectClient {
        ConnectClient::new(self.engine.clone(), grant)
    }

    /// `GET /connectors`.
    pub async fn list_connectors(
        &self,
        filters: &ConnectorFilters,
    ) -> Result<Page<Connector>, Error> {
        self.call(calls::list_connectors(filters)).await
    }

    /// `GET /connectors/{id}`.
    pub async fn get_connector(&self, id: ConnectorId) -> Result<Connector, Error> {
        self.call(calls::get_connector(id)).await
    }

    /// `POST /connectors/{id}/validate`.
    pub async fn validate_connector(
        &self,
        id: ConnectorId,
        parameters: &ItemParameters,
    ) -> Result<ValidationResponse, Error> {
        self.call(calls::validate_connector(id, parameters)?).await
    }

    /// `POST /items`. Never retried automatically: a duplicate would open a second connection.
    pub async fn create_item(&self, request: &CreateItemRequest) -> Result<Item, Error> {
        self.call(calls::create_item(request)?).await
    }

    /// `GET /items/{id}`.
    pub async fn get_item(&self, id: &ItemId) -> Result<Item, Error> {
        self.call(calls::get_item(id)).await
    }

    /// `PATCH /items/{id}`: starts a new sync.
    pub async fn update_item(
        &self,
        id: &ItemId,
        request: &UpdateItemRequest,
    ) -> Result<Item, Error> {
        self.call(calls::update_item(id, request)?).await
    }

    /// `DELETE /items/{id}`.
    pub async fn delete_item(&self, id: &ItemId) -> Result<DeleteCount, Error> {
        self.call(calls::delete_item(id)).await
    }

    /// `POST /items/{id}/mfa`: answers the item's MFA prompt (`{prompt name: value}`).
    pub async fn send_mfa(&self, id: &ItemId, answers: &ItemParameters) -> Result<Item, Error> {
        self.call(calls::send_mfa(id, answers)?).await
    }

    /// `PATCH /items/{id}/disable-auto-sync`.
    pub async fn disable_auto_sync(&self, id: &ItemId) -> Result<Item, Error> {
        self.call(calls::disable_auto_sync(id)).await
    }

    /// Waits for an item's sync to end, calling `on_progress` with each look at it. Returns the
    /// item in its final state (check [`Item::progress`]), or as soon as it needs MFA input
    /// (use [`wait_for_item_with_mfa`](Self::wait_for_item_with_mfa) to answer it).
    pub async fn wait_for_item(
        &self,
        id: &ItemId,
        policy: WaitPolicy,
        on_progress: impl FnMut(&Item) + Send,
    ) -> Result<Item, Error> {
        wait_for_item(
            &self.engine,
            &Auth::Key(&self.keys),
            id,
            policy,
            on_progress,
            None::<NoMfa>,
        )
        .await
    }

    /// Like [`wait_for_item`](Self::wait_for_item), answering MFA prompts with `answer`: it gets
    /// the prompt and returns the answers to send, or `None` to stop waiting.
    pub async fn wait_for_item_with_mfa<F, Fut>(
        &self,
        id: &ItemId,
        policy: WaitPolicy,
        on_progress: impl FnMut(&Item) + Send,
        answer: F,
    ) -> Result<Item, Error>
    where
        F: FnMut(Option<ConnectorCredential>) -> Fut + Send,
        Fut: Future<Output = Option<ItemParameters>> + Send,
    {
        wait_for_item(
            &self.engine,
            &Auth::Key(&self.keys),
            id,
            policy,
            on_progress,
            Some(answer),
        )
        .await
    }

    /// `GET /accounts?itemId=…`, the full view.
    pub async fn list_accounts(
        &self,
        item_id: &ItemId,
        kind: Option<&AccountType>,
    ) -> Result<Page<Account>, Error> {
        self.call(calls::list_accounts(item_id, kind)).await
    }

    /// `GET /accounts/{id}`.
    pub async fn get_account(&self, id: &AccountId) -> Result<Account, Error> {
        self.call(calls::get_account(id)).await
    }

    /// `GET /transactions?accountId=…`: one page (page style).
    pub async fn list_transactions(
        &self,
        account_id: &AccountId,
        filters: &TransactionFilters,
    ) -> Result<Page<Transaction>, Error> {
        self.call(calls::list_transactions(account_id, filters))
            .await
    }

    /// `GET /v2/transactions?accountId=…`: one cursor page. Pass its `next` to
    /// [`next_transactions_page`](Self::next_transactions_page).
    pub async fn list_transactions_cursor(
        &self,
        account_id: &AccountId,
        filters: &CursorTransactionFilters,
    ) -> Result<CursorPage<Transaction>, Error> {
        self.call(calls::list_transactions_cursor(account_id, filters))
            .await
    }

    /// The cursor page at `next`, sent back verbatim.
    pub async fn next_transactions_page(
        &self,
        next: &str,
    ) -> Result<CursorPage<Transaction>, Error> {
        self.call(calls::next_transactions_cursor(next)?).await
    }

    /// Every transaction of an account, as a stream over the cursor pages of
    /// `GET /v2/transactions`. Pages are fetched as the stream is read.
    pub fn transactions(
        &self,
        account_id: &AccountId,
        filters: &CursorTransactionFilters,
    ) -> TransactionStream {
        TransactionStream::new(
            self.clone(),
            calls::list_transactions_cursor(account_id, filters),
        )
    }

    /// `GET /transactions/{id}`.
    pub async fn get_transaction(&self, id: &TransactionId) -> Result<Transaction, Error> {
        self.call(calls::get_transaction(id)).await
    }

    /// `GET /identity?itemId=…`.
    pub async fn get_identity_by_item(&self, item_id: &ItemId) -> Result<Identity, Error> {
        self.call(calls::get_identity_by_item(item_id)).await
    }

    /// `GET /identity/{id}`.
    pub async fn get_identity(&self, id: &IdentityId) -> Result<Identity, Error> {
        self.call(calls::get_identity(id)).await
    }

    /// `GET /investments?itemId=…`.
    pub async fn list_investments(
        &self,
        item_id: &ItemId,
        filters: &InvestmentFilters,
    ) -> Result<Page<Investment>, Error> {
        self.call(calls::list_investments(item_id, filters)).await
    }

    /// `GET /investments/{id}`.
    pub async fn get_investment(&self, id: &InvestmentId) -> Result<Investment, Error> {
        self.call(calls::get_investment(id)).await
    }

    /// `GET /investments/{id}/transactions`.
    pub async fn list_investment_transactions(
        &self,
        id: &InvestmentId,
        page: Option<u32>,
        page_size: Option<u32>,
    ) -> Result<Page<InvestmentTransaction>, Error> {
        self.call(calls::list_investment_transactions(id, page, page_size))
            .await
    }

    /// `GET /webhooks`.
    pub async fn list_webhooks(&self) -> Result<Page<Webhook>, Error> {
        self.call(calls::list_webhooks()).await
    }

    /// `POST /webhooks`.
    pub async fn create_webhook(&self, request: &CreateWebhook) -> Result<Webhook, Error> {
        self.call(calls::create_webhook(request)?).await
    }

    /// `GET /webhooks/{id}`.
    pub async fn get_webhook(&self, id: &WebhookId) -> Result<Webhook, Error> {
        self.call(calls::get_webhook(id)).await
    }

    /// `PATCH /webhooks/{id}`.
    pub async fn update_webhook(
        &self,
        id: &WebhookId,
        request: &UpdateWebhook,
    ) -> Result<Webhook, Error> {
        self.call(calls::update_webhook(id, request)?).await
    }

    /// `DELETE /webhooks/{id}`.
    pub async fn delete_webhook(&self, id: &WebhookId) -> Result<DeleteCount, Error> {
        self.call(calls::delete_webhook(id)).await
    }
}

/// The front end's client: a connect token and only what it may do (connectors, creating one
/// item, following and updating that item, its reduced accounts). Everything else is not on
/// this type, and core's scope check refuses it at run time too:
///
/// ```compile_fail
/// # fn front_end(front: &pluggy_async::ConnectClient, account: &pluggy_core::AccountId) {
/// // Transactions need the API key: a connect client has no such call.
/// let _ = front.list_transactions(account, &Default::default());
/// # }
/// ```
pub struct ConnectClient {
    engine: Arc<Engine>,
    /// Shared, so a call takes the grant with one reference count instead of a deep copy;
    /// recording a created item copies it on write.
    grant: Mutex<Arc<ConnectTokenGrant>>,
}

impl std::fmt::Debug for ConnectClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectClient")
            .field("grant", &**self.lock())
            .finish_non_exhaustive()
    }
}

impl ConnectClient {
    fn new(engine: Arc<Engine>, grant: ConnectTokenGrant) -> Self {
        Self {
            engine,
            grant: Mutex::new(Arc::new(grant)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Arc<ConnectTokenGrant>> {
        self.grant
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The token's grant: expiry, options and the items in its scope.
    pub fn grant(&self) -> ConnectTokenGrant {
        ConnectTokenGrant::clone(&self.lock())
    }

    /// The grant as it is now, for one call.
    fn current(&self) -> Arc<ConnectTokenGrant> {
        Arc::clone(&self.lock())
    }

    async fn call<T: DeserializeOwned>(&self, call: Call) -> Result<T, Error> {
        let endpoint = call.endpoint();
        let raw = self.execute(call).await?;
        pluggy_core::parse_response(endpoint, &raw)
    }

    async fn execute(&self, call: Call) -> Result<RawResponse, Error> {
        let grant = self.current();
        grant.check_usable(self.engine.clock.now())?;
        self.engine.execute(call, Auth::Connect(&grant)).await
    }

    /// Any call a connect token may make, answered raw: the escape hatch for endpoints this
    /// SDK does not model yet. The token's scope is checked first: a call outside it fails
    /// with [`Error::Scope`] and nothing is sent.
    pub async fn raw(&self, call: Call) -> Result<RawResponse, Error> {
        self.execute(call).await
    }

    /// `GET /connectors`.
    pub async fn list_connectors(
        &self,
        filters: &ConnectorFilters,
    ) -> Result<Page<Connector>, Error> {
        self.call(calls::list_connectors(filters)).await
    }

    /// `GET /connectors/{id}`.
    pub async fn get_connector(&self, id: ConnectorId) -> Result<Connector, Error> {
        self.call(calls::get_connector(id)).await
    }

    /// `POST /connectors/{id}/validate`.
    pub async fn validate_connector(
        &self,
        id: ConnectorId,
        parameters: &ItemParameters,
    ) -> Result<ValidationResponse, Error> {
        self.call(calls::validate_connector(id, parameters)?).await
    }

    /// `POST /items`; the new item joins this token's scope. Never retried automatically.
    pub async fn create_item(&self, request: &CreateItemRequest) -> Result<Item, Error> {
        let item: Item = self.call(calls::create_item(request)?).await?;
        Arc::make_mut(&mut self.lock()).record_created_item(item.id.clone());
        Ok(item)
    }

    /// `GET /items/{id}` of an item in this token's scope.
    pub async fn get_item(&self, id: &ItemId) -> Result<Item, Error> {
        self.call(calls::get_item(id)).await
    }

    /// `PATCH /items/{id}` of an item in this token's scope.
    pub async fn update_item(
        &self,
        id: &ItemId,
        request: &UpdateItemRequest,
    ) -> Result<Item, Error> {
        self.call(calls::update_item(id, request)?).await
    }

    /// `POST /items/{id}/mfa` for an item in this token's scope.
    pub async fn send_mfa(&self, id: &ItemId, answers: &ItemParameters) -> Result<Item, Error> {
        self.call(calls::send_mfa(id, answers)?).await
    }

    /// Waits for the sync of an item in this token's scope; see [`Client::wait_for_item`].
    pub async fn wait_for_item(
        &self,
        id: &ItemId,
        policy: WaitPolicy,
        on_progress: impl FnMut(&Item) + Send,
    ) -> Result<Item, Error> {
        let grant = self.current();
        wait_for_item(
            &self.engine,
            &Auth::Connect(&grant),
            id,
            policy,
            on_progress,
            None::<NoMfa>,
        )
        .await
    }

    /// Waits and answers MFA prompts; see [`Client::wait_for_item_with_mfa`].
    pub async fn wait_for_item_with_mfa<F, Fut>(
        &self,
        id: &ItemId,
        policy: WaitPolicy,
        on_progress: impl FnMut(&Item) + Send,
        answer: F,
    ) -> Result<Item, Error>
    where
        F: FnMut(Option<ConnectorCredential>) -> Fut + Send,
        Fut: Future<Output = Option<ItemParameters>> + Send,
    {
        let grant = self.current();
        wait_for_item(
            &self.engine,
            &Auth::Connect(&grant),
            id,
            policy,
            on_progress,
            Some(answer),
        )
        .await
    }

    /// `GET /accounts?itemId=…` in the reduced view a connect token gets.
    pub async fn list_accounts(&self, item_id: &ItemId) -> Result<Page<ReducedAccount>, Error> {
        self.call(calls::list_accounts(item_id, None)).await
    }
}

type NoMfa = fn(Option<ConnectorCredential>) -> std::future::Ready<Option<ItemParameters>>;

/// The wait loop: core's [`ItemWait`] decides, this fetches, sleeps and asks.
async fn wait_for_item<F, Fut>(
    engine: &Engine,
    auth: &Auth<'_>,
    id: &ItemId,
    policy: WaitPolicy,
    mut on_progress: impl FnMut(&Item) + Send,
    mut answer: Option<F>,
) -> Result<Item, Error>
where
    F: FnMut(Option<ConnectorCredential>) -> Fut + Send,
    Fut: Future<Output = Option<ItemParameters>> + Send,
{
    let mut wait = ItemWait::new(engine.clock.now(), policy, answer.is_some());
    loop {
        let item: Item = engine.call(calls::get_item(id), auth.reborrow()).await?;
        on_progress(&item);
        match wait.on_item(engine.clock.now(), &item) {
            WaitStep::Finished => return Ok(item),
            WaitStep::Sleep(delay) => engine.sleeper.sleep(delay).await,
            WaitStep::AskMfa(prompt) => {
                let Some(answer) = answer.as_mut() else {
                    return Ok(item);
                };
                let Some(answers) = answer(prompt.map(|p| *p)).await else {
                    return Ok(item);
                };
                let _: Item = engine
                    .call(calls::send_mfa(id, &answers)?, auth.reborrow())
                    .await?;
                wait.mfa_sent();
            }
            WaitStep::Failed(error) => return Err(error),
        }
    }
}

/// A seed for the jitter of retries and key refreshes that differs between clients and
/// processes (std's per-process random hash keys, mixed with a per-call counter), so that
/// clients started together do not retry or refresh in step.
fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.finish()
}
