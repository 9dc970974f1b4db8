//! What both drivers are made of, so that they differ only in how they lock, wait, send and
//! sleep: the settings a builder collects ([`Settings`], with its setters in
//! [`settings_setters!`](crate::settings_setters)), the credential a call is made with
//! ([`Auth`]), and the seed of each client's jitter ([`random_seed`]).

use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use crate::clock::{Clock, Now};
use crate::connect_token::ConnectTokenGrant;
use crate::error::Error;
use crate::exchange::Exchange;
use crate::exchange::KeyEpoch;
use crate::fleet::member::FleetScope;
use crate::http::{BaseUrl, Credential};
use crate::ids::ClientId;
use crate::operation::Request;
use crate::retry::RetryPolicy;
use crate::scope::CredentialScope;
use crate::secret::{ApiKey, ClientSecret};
use crate::token::{Epoch, KeySource, RefreshTicket, TokenConfig, TokenManager};

/// Everything a client builder collects besides the driver's own parts (transport, clock,
/// timer).
#[derive(Clone)]
pub struct Settings {
    /// The API's base URL, as given.
    pub base_url: String,
    /// The application's client id and secret.
    pub credentials: Option<(ClientId, ClientSecret)>,
    /// A fixed API key.
    pub api_key: Option<ApiKey>,
    /// How failed calls are retried.
    pub retry: RetryPolicy,
    /// When API keys are refreshed.
    pub token_config: TokenConfig,
    /// Text appended to the `User-Agent` header.
    pub user_agent_suffix: Option<String>,
    /// Connect timeout of the default transport.
    pub connect_timeout: Duration,
    /// Whole-request timeout of the default transport.
    pub request_timeout: Duration,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("base_url", &self.base_url)
            .field("client_id", &self.credentials.as_ref().map(|c| &c.0))
            .field("api_key", &self.api_key)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            base_url: BaseUrl::DEFAULT.to_owned(),
            credentials: None,
            api_key: None,
            retry: RetryPolicy::default(),
            token_config: TokenConfig::default(),
            user_agent_suffix: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
        }
    }
}

impl Settings {
    /// The base URL, checked.
    pub fn base(&self) -> Result<BaseUrl, Error> {
        BaseUrl::parse(&self.base_url)
    }

    /// `pluggy-rs/VERSION (DRIVER)`, then the caller's suffix: built once per client, and
    /// shared by its requests.
    pub fn user_agent(&self, driver: &str) -> Arc<str> {
        let mut agent = format!("pluggy-rs/{} ({driver})", env!("CARGO_PKG_VERSION"));
        if let Some(suffix) = &self.user_agent_suffix {
            agent.push(' ');
            agent.push_str(suffix);
        }
        agent.into()
    }

    /// What a client built with these settings joins a fleet with (see [`FleetScope`]).
    pub fn fleet_scope(&self) -> Result<FleetScope, Error> {
        Ok(FleetScope {
            base: self.base()?,
            credentials: self.credentials.clone(),
            token_config: self.token_config.clone(),
        })
    }

    /// Where an API-key client's keys come from, and the token manager that holds them.
    pub fn keys(&mut self) -> Result<(KeySource, TokenManager), Error> {
        let source = KeySource::from_parts(self.credentials.take(), self.api_key.take())?;
        let manager = source.manager(self.token_config.clone(), random_seed());
        Ok((source, manager))
    }
}

/// The setters of [`Settings`], for a driver's builder that keeps them in a field named
/// `settings`: both drivers' builders expand this, so they take the same options.
#[macro_export]
macro_rules! settings_setters {
    () => {
        /// The application's client id and secret, traded for API keys at `POST /auth`.
        pub fn credentials(
            mut self,
            client_id: impl Into<$crate::ClientId>,
            secret: $crate::ClientSecret,
        ) -> Self {
            self.settings.credentials = Some((client_id.into(), secret));
            self
        }

        /// A fixed API key, used as is and never refreshed.
        pub fn api_key(mut self, key: $crate::ApiKey) -> Self {
            self.settings.api_key = Some(key);
            self
        }

        /// The API's base URL; a path prefix is kept (`https://proxy.example/pluggy`).
        pub fn base_url(mut self, url: impl Into<String>) -> Self {
            self.settings.base_url = url.into();
            self
        }

        /// How failed calls are retried.
        pub fn retry_policy(mut self, policy: $crate::RetryPolicy) -> Self {
            self.settings.retry = policy;
            self
        }

        /// When API keys are refreshed.
        pub fn token_config(mut self, config: $crate::TokenConfig) -> Self {
            self.settings.token_config = config;
            self
        }

        /// Text appended to the `User-Agent` header (your application's name and version).
        pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
            self.settings.user_agent_suffix = Some(suffix.into());
            self
        }

        /// Connect and whole-request timeouts of the default transport.
        pub fn timeouts(
            mut self,
            connect: std::time::Duration,
            request: std::time::Duration,
        ) -> Self {
            self.settings.connect_timeout = connect;
            self.settings.request_timeout = request;
            self
        }
    };
}

/// The shape both drivers' clients share, written once: the builder's options and `build`
/// methods, [`Client`] and `ConnectClient` with their fields, `send`, `raw`, `pages`,
/// `create_connect_token`, `connect_client` and `grant`, and every operation of the list
/// (through [`client_methods!`](crate::client_methods)). `client_shape!(async pluggy_async)`
/// expands the async clients, `client_shape!(blocking pluggy_blocking)` the blocking ones.
///
/// The driver provides what differs: `ClientBuilder { settings: Settings, … }` with
/// `fn engine(&mut self) -> Result<Arc<Engine>, Error>`; `Engine` (fields `base`, `clock`) with
/// `send(request, Auth<'_, KeyCache>)`; `KeyCache::new(KeyState, Arc<Engine>) -> Arc<KeyCache>`;
/// and `Pages::new(Arc<Engine>, Arc<KeyCache>, Request<P>)`.
///
/// [`Client`]: https://docs.rs/pluggy-async/latest/pluggy_async/struct.Client.html
#[macro_export]
macro_rules! client_shape {
    (async $krate:ident) => {
        $crate::__client_shape!([async] [.await] $krate);
        $crate::__item_waits!(
            [async] [.await] [+ Send]
            [F, Fut]
            [
                F: FnMut(Option<$crate::models::ConnectorCredential>) -> Fut + Send,
                Fut: std::future::Future<Output = Option<$crate::models::ItemParameters>> + Send,
            ]
            [
                fn(Option<$crate::models::ConnectorCredential>)
                    -> std::future::Ready<Option<$crate::models::ItemParameters>>
            ]
        );
        $crate::client_methods!(async);
    };
    (blocking $krate:ident) => {
        $crate::__client_shape!([] [] $krate);
        $crate::__item_waits!(
            [] [] []
            [F]
            [
                F: FnMut(Option<$crate::models::ConnectorCredential>)
                    -> Option<$crate::models::ItemParameters>,
            ]
            [
                fn(Option<$crate::models::ConnectorCredential>)
                    -> Option<$crate::models::ItemParameters>
            ]
        );
        $crate::client_methods!(blocking);
    };
}

/// The item waits of both clients and their loop, for [`client_shape!`](crate::client_shape):
/// core's [`ItemWait`](crate::ItemWait) decides; the loop fetches, pauses (the driver's
/// `Engine::pause`) and asks for MFA answers.
#[doc(hidden)]
#[macro_export]
macro_rules! __item_waits {
    (@settle [$($kw:tt)?] [$($aw:tt)*] [$($send:tt)*]
        $(#[$meta:meta])*
        $name:ident($id:ty) -> $out:ty = $get:ident
    ) => {
        $(#[$meta])*
        pub $($kw)? fn $name(
            &self,
            id: &$id,
            policy: $crate::WaitPolicy,
            mut on_progress: impl FnMut(&$out) $($send)*,
        ) -> Result<$out, $crate::Error> {
            let mut wait = $crate::SettleWait::new(self.engine.clock.now(), policy);
            loop {
                let current = self.send($crate::calls::$get(id)) $($aw)* ?;
                on_progress(&current);
                match wait.on_look(self.engine.clock.now(), &current) {
                    $crate::WaitStep::Sleep(delay) => self.engine.pause(delay) $($aw)*,
                    $crate::WaitStep::Failed(error) => return Err(error),
                    $crate::WaitStep::Finished | $crate::WaitStep::AskMfa(_) => return Ok(current),
                }
            }
        }
    };
    (
        [$($kw:tt)?] [$($aw:tt)*] [$($send:tt)*]
        [$($generics:tt)*] [$($bounds:tt)*] [$no_mfa:ty]
    ) => {
        impl Client {
            /// Waits for an item's sync to end, calling `on_progress` with each look at it.
            /// Returns the item in its final state (check its `progress()`), or as soon as it
            /// needs MFA input (use [`wait_for_item_with_mfa`](Self::wait_for_item_with_mfa) to
            /// answer it).
            pub $($kw)? fn wait_for_item(
                &self,
                id: &$crate::ItemId,
                policy: $crate::WaitPolicy,
                on_progress: impl FnMut(&$crate::models::Item) $($send)*,
            ) -> Result<$crate::models::Item, $crate::Error> {
                let auth = $crate::driver::Auth::Key(&*self.keys);
                wait_for_item(&self.engine, auth, id, policy, on_progress, None::<$no_mfa>) $($aw)*
            }

            /// Like [`wait_for_item`](Self::wait_for_item), answering MFA prompts with `answer`:
            /// it gets the prompt and returns the answers to send, or `None` to stop waiting.
            pub $($kw)? fn wait_for_item_with_mfa<$($generics)*>(
                &self,
                id: &$crate::ItemId,
                policy: $crate::WaitPolicy,
                on_progress: impl FnMut(&$crate::models::Item) $($send)*,
                answer: F,
            ) -> Result<$crate::models::Item, $crate::Error>
            where
                $($bounds)*
            {
                let auth = $crate::driver::Auth::Key(&*self.keys);
                wait_for_item(&self.engine, auth, id, policy, on_progress, Some(answer)) $($aw)*
            }
        }

        impl ConnectClient {
            /// Waits for the sync of an item in this token's scope; see
            /// [`Client::wait_for_item`].
            pub $($kw)? fn wait_for_item(
                &self,
                id: &$crate::ItemId,
                policy: $crate::WaitPolicy,
                on_progress: impl FnMut(&$crate::models::Item) $($send)*,
            ) -> Result<$crate::models::Item, $crate::Error> {
                let grant = self.grant.current();
                let auth = $crate::driver::Auth::Connect(&grant);
                wait_for_item(&self.engine, auth, id, policy, on_progress, None::<$no_mfa>) $($aw)*
            }

            /// Waits and answers MFA prompts; see [`Client::wait_for_item_with_mfa`].
            pub $($kw)? fn wait_for_item_with_mfa<$($generics)*>(
                &self,
                id: &$crate::ItemId,
                policy: $crate::WaitPolicy,
                on_progress: impl FnMut(&$crate::models::Item) $($send)*,
                answer: F,
            ) -> Result<$crate::models::Item, $crate::Error>
            where
                $($bounds)*
            {
                let grant = self.grant.current();
                let auth = $crate::driver::Auth::Connect(&grant);
                wait_for_item(&self.engine, auth, id, policy, on_progress, Some(answer)) $($aw)*
            }
        }

        impl Client {
            $crate::__item_waits!(@settle [$($kw)?] [$($aw)*] [$($send)*]
                /// Waits for a payment intent to settle (paid, rejected, expired or cancelled),
                /// calling `on_progress` with each look at it; past `policy.deadline` the wait
                /// fails with [`Error::DeadlineExceeded`](pluggy_core::Error::DeadlineExceeded).
                wait_for_payment_intent($crate::PaymentIntentId) -> $crate::models::PaymentIntent
                    = get_payment_intent
            );
            $crate::__item_waits!(@settle [$($kw)?] [$($aw)*] [$($send)*]
                /// Waits for a payment request to settle (its intent paid it, or it can no
                /// longer be paid), calling `on_progress` with each look at it; past
                /// `policy.deadline` the wait fails with
                /// [`Error::DeadlineExceeded`](pluggy_core::Error::DeadlineExceeded).
                wait_for_payment_request($crate::PaymentRequestId) -> $crate::models::PaymentRequest
                    = get_payment_request
            );
        }

        /// The wait loop: core's `ItemWait` decides, this fetches, pauses and asks.
        $($kw)? fn wait_for_item<$($generics)*>(
            engine: &Engine,
            auth: $crate::driver::Auth<'_, KeyCache>,
            id: &$crate::ItemId,
            policy: $crate::WaitPolicy,
            mut on_progress: impl FnMut(&$crate::models::Item) $($send)*,
            mut answer: Option<F>,
        ) -> Result<$crate::models::Item, $crate::Error>
        where
            $($bounds)*
        {
            use $crate::WaitStep;
            let mut wait = $crate::ItemWait::new(engine.clock.now(), policy, answer.is_some());
            loop {
                let item = engine.send($crate::calls::get_item(id), auth) $($aw)* ?;
                on_progress(&item);
                match wait.on_item(engine.clock.now(), &item) {
                    WaitStep::Finished => return Ok(item),
                    WaitStep::Sleep(delay) => engine.pause(delay) $($aw)*,
                    WaitStep::AskMfa(prompt) => {
                        let Some(answer) = answer.as_mut() else {
                            return Ok(item);
                        };
                        let Some(answers) = answer(prompt.map(|p| *p)) $($aw)* else {
                            return Ok(item);
                        };
                        engine.send($crate::calls::send_mfa(id, &answers), auth) $($aw)* ?;
                        wait.mfa_sent();
                    }
                    WaitStep::Failed(error) => return Err(error),
                }
            }
        }
    };
}

/// The expansion of [`client_shape!`](crate::client_shape).
#[doc(hidden)]
#[macro_export]
macro_rules! __client_shape {
    ([$($kw:tt)?] [$($aw:tt)*] $krate:ident) => {
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

            $crate::settings_setters!();

            /// Builds an API-key client. Needs [`credentials`](Self::credentials) or an
            /// [`api_key`](Self::api_key).
            pub fn build(mut self) -> Result<Client, $crate::Error> {
                let engine = self.engine()?;
                let state = $crate::driver::KeyState::new(&mut self.settings)?;
                let keys = KeyCache::new(state, engine.clone());
                Ok(Client { engine, keys })
            }

            /// Builds a connect-token client from a raw token (as a front end receives it). Its
            /// scope is the items it creates; use
            /// [`build_connect_grant`](Self::build_connect_grant) for a token issued for an
            /// existing item.
            pub fn build_connect(
                mut self,
                token: $crate::ConnectToken,
            ) -> Result<ConnectClient, $crate::Error> {
                let engine = self.engine()?;
                let grant = $crate::ConnectTokenGrant::new(token, engine.clock.now(), None);
                Ok(ConnectClient::new(engine, grant))
            }

            /// Builds a connect-token client from a grant: the token with the item it was issued
            /// for and its options (see [`ConnectTokenGrant::new`](pluggy_core::ConnectTokenGrant::new)).
            pub fn build_connect_grant(
                mut self,
                grant: $crate::ConnectTokenGrant,
            ) -> Result<ConnectClient, $crate::Error> {
                Ok(ConnectClient::new(self.engine()?, grant))
            }
        }

        /// The backend's client: an API key (fetched and refreshed on its own) and the whole
        /// API.
        ///
        /// Cheap to clone; clones share the key, the connection pool and the settings.
        #[derive(Clone)]
        pub struct Client {
            engine: std::sync::Arc<Engine>,
            keys: std::sync::Arc<KeyCache>,
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

            /// Executes any request with the API key: retries and key refreshes as for every
            /// call.
            pub $($kw)? fn send<T>(&self, request: $crate::Request<T>) -> Result<T, $crate::Error> {
                self.engine.send(request, $crate::driver::Auth::Key(&*self.keys)) $($aw)*
            }

            /// Any call, answered raw: the escape hatch for endpoints this SDK does not model
            /// yet. Scope, retries and the API key are handled as for every other call.
            pub $($kw)? fn raw(
                &self,
                call: impl $crate::IntoCall,
            ) -> Result<$crate::RawResponse, $crate::Error> {
                self.send($crate::Request::raw(call)) $($aw)*
            }

            /// Every item of a paged list whose first page `request` asks for, read page after
            /// page as they are needed.
            pub fn pages<P: $crate::Paged>(&self, request: $crate::Request<P>) -> Pages<P> {
                Pages::new(self.engine.clone(), self.keys.clone(), request)
            }

            /// Every item of a paged list whose first page `first` asks for, read to its end;
            /// the first failing page is the error.
            pub $($kw)? fn collect_all<P: $crate::Paged>(
                &self,
                first: $crate::Request<P>,
            ) -> Result<Vec<P::Item>, $crate::Error> {
                let mut pager = $crate::Pager::new(first);
                let mut items = Vec::new();
                loop {
                    match pager.step() {
                        $crate::PagerStep::Item(item) => items.push(item),
                        $crate::PagerStep::End => return Ok(items),
                        $crate::PagerStep::Fetch(request) => {
                            let page = self.send(request) $($aw)* ?;
                            pager.on_page(page);
                        }
                    }
                }
            }

            /// A credit-card account's bills, each with the transactions its `billId` links to
            /// it, and the transactions on no bill yet: every page of `GET /bills` and of
            /// `GET /v2/transactions`.
            pub $($kw)? fn bills_with_transactions(
                &self,
                account_id: &$crate::AccountId,
            ) -> Result<$crate::bills::BilledTransactions, $crate::Error> {
                let bills = self.collect_all($crate::calls::list_bills(account_id)) $($aw)* ?;
                let everything = $crate::models::CursorTransactionFilters::default();
                let transactions = self
                    .collect_all($crate::calls::list_transactions_cursor(account_id, &everything))
                    $($aw)* ?;
                Ok($crate::bills::BilledTransactions::group(bills, transactions))
            }

            /// Mints a connect token for Pluggy Connect (`POST /connect_token`): one per
            /// connection; with `item_id` it updates that item.
            pub $($kw)? fn create_connect_token(
                &self,
                request: &$crate::models::ConnectTokenRequest,
            ) -> Result<$crate::ConnectTokenGrant, $crate::Error> {
                let sent = self.engine.clock.now();
                let answer = self.send($crate::calls::create_connect_token(request)) $($aw)* ?;
                Ok($crate::ConnectTokenGrant::from_answer(answer, sent, request))
            }

            /// A connect-token client sharing this client's transport and settings.
            pub fn connect_client(&self, grant: $crate::ConnectTokenGrant) -> ConnectClient {
                ConnectClient::new(self.engine.clone(), grant)
            }
        }

        /// The front end's client: a connect token and only what it may do (connectors,
        /// creating one item, following and updating that item, its reduced accounts).
        /// Everything else is not on this type, and core's scope check refuses it at run time
        /// too:
        ///
        #[doc = concat!("```compile_fail\n# fn front_end(front: &", stringify!($krate), "::ConnectClient, account: &pluggy_core::AccountId) {")]
        /// // Transactions need the API key: a connect client has no such call.
        /// let _ = front.list_transactions_cursor(account, &Default::default());
        /// # }
        /// ```
        pub struct ConnectClient {
            engine: std::sync::Arc<Engine>,
            grant: $crate::connect_token::SharedGrant,
        }

        impl std::fmt::Debug for ConnectClient {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct("ConnectClient")
                    .field("grant", &self.grant)
                    .finish_non_exhaustive()
            }
        }

        impl ConnectClient {
            fn new(engine: std::sync::Arc<Engine>, grant: $crate::ConnectTokenGrant) -> Self {
                Self {
                    engine,
                    grant: $crate::connect_token::SharedGrant::new(grant),
                }
            }

            /// The token's grant: expiry, options and the items in its scope.
            pub fn grant(&self) -> $crate::ConnectTokenGrant {
                $crate::ConnectTokenGrant::clone(&self.grant.current())
            }

            fn record_created(&self, item: &$crate::models::Item) {
                self.grant.record_created_item(item.id.clone());
            }

            /// Executes any request a connect token may make. The token's expiry and scope are
            /// checked first: a request outside them fails with
            /// [`Error::Scope`](pluggy_core::Error::Scope) and nothing is sent.
            pub $($kw)? fn send<T>(&self, request: $crate::Request<T>) -> Result<T, $crate::Error> {
                let grant = self.grant.current();
                self.engine.send(request, $crate::driver::Auth::Connect(&grant)) $($aw)*
            }

            /// Any call a connect token may make, answered raw: the escape hatch for endpoints
            /// this SDK does not model yet. The token's scope is checked first: a call outside
            /// it fails with [`Error::Scope`](pluggy_core::Error::Scope) and nothing is sent.
            pub $($kw)? fn raw(
                &self,
                call: impl $crate::IntoCall,
            ) -> Result<$crate::RawResponse, $crate::Error> {
                self.send($crate::Request::raw(call)) $($aw)*
            }
        }
    };
}

/// A driver's API key cache, as core sees it: around a [`KeyState`].
pub trait KeyHolder {
    /// The state of the key.
    fn state(&self) -> &KeyState;

    /// The fleet's shared key of `epoch` was refused as expired. A cache without a fleet never
    /// hands out shared keys, so by default there is nothing to do.
    fn invalidate_shared(&self, epoch: crate::fleet::shared_key::StoreEpoch) {
        let _ = epoch;
    }
}

/// The state of a client's API key, shared by its threads or tasks: core's [`TokenManager`]
/// behind a std mutex that is never held across a wait, and where the keys come from. A
/// driver adds only how callers wait for a refresh (a condition variable, a notifier).
///
/// While the stored key is fresh, [`fresh`](Self::fresh) hands it out from a snapshot behind
/// a read lock, without the manager's mutex, without polling and without copying the secret.
/// The snapshot is taken from the manager, under its mutex, whenever a key is stored or
/// invalidated; it carries the instant its key stops being fresh, after which callers go
/// through [`lock`](Self::lock) and the manager's [`poll`](TokenManager::poll) again.
pub struct KeyState {
    manager: Mutex<TokenManager>,
    source: KeySource,
    fresh: RwLock<Option<FreshKey>>,
}

/// The manager's fresh key, as [`TokenManager::fresh_key`] described it.
struct FreshKey {
    key: ApiKey,
    epoch: Epoch,
    /// The monotonic instant the key stops being fresh.
    until: Duration,
}

/// An API key taken for one call, and which key it is (for [`Auth::invalidate`]). Cloning it
/// shares the secret instead of copying it.
#[derive(Clone, Debug)]
pub struct HeldKey {
    key: ApiKey,
    epoch: KeyEpoch,
}

impl HeldKey {
    /// A key and its epoch.
    pub fn new(key: ApiKey, epoch: KeyEpoch) -> Self {
        Self { key, epoch }
    }

    /// The key.
    pub fn key(&self) -> &ApiKey {
        &self.key
    }

    /// Which key it is.
    pub fn epoch(&self) -> KeyEpoch {
        self.epoch
    }
}

impl std::fmt::Debug for KeyState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyState")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl KeyState {
    /// The state of a client built with `settings`: its key source and a token manager.
    pub fn new(settings: &mut Settings) -> Result<Self, Error> {
        let (source, manager) = settings.keys()?;
        let state = Self {
            manager: Mutex::new(manager),
            source,
            fresh: RwLock::new(None),
        };
        state.publish(&state.lock());
        Ok(state)
    }

    /// Where the keys come from.
    pub fn source(&self) -> &KeySource {
        &self.source
    }

    /// The token manager, locked.
    pub fn lock(&self) -> MutexGuard<'_, TokenManager> {
        self.manager
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The stored key, when it is still fresh at `now`: then the manager would answer
    /// [`Decision::Use`](crate::Decision::Use) with it, and a caller may use it without
    /// polling. `None` means: poll the manager.
    pub fn fresh(&self, now: Now) -> Option<HeldKey> {
        let fresh = self
            .fresh
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let fresh = fresh.as_ref().filter(|f| now.mono < f.until)?;
        Some(HeldKey {
            key: fresh.key.clone(),
            epoch: KeyEpoch::Local(fresh.epoch),
        })
    }

    /// Replaces the snapshot [`fresh`](Self::fresh) reads with the fresh key of `manager`
    /// (this state's manager, locked by the caller, so snapshots follow the manager's order).
    fn publish(&self, manager: &TokenManager) {
        let next = manager.fresh_key().map(|(key, epoch, until)| FreshKey {
            key: key.clone(),
            epoch,
            until,
        });
        *self
            .fresh
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = next;
    }

    /// The key of `epoch` was refused as expired.
    pub fn invalidate(&self, epoch: Epoch) {
        let mut manager = self.lock();
        manager.invalidate(epoch);
        self.publish(&manager);
    }

    /// Takes charge of the refresh of `ticket`: the `POST /auth` request to make, and a guard
    /// that records its outcome, or hands the ticket back if it is dropped unfinished (its
    /// task was cancelled, its thread unwound). `wake` wakes every waiting caller afterwards.
    pub fn refreshing<W: Fn()>(&self, ticket: RefreshTicket, wake: W) -> Refreshing<'_, W> {
        Refreshing {
            state: self,
            ticket: Some(ticket),
            wake,
        }
    }
}

/// A refresh in progress (see [`KeyState::refreshing`]).
pub struct Refreshing<'a, W: Fn()> {
    state: &'a KeyState,
    ticket: Option<RefreshTicket>,
    wake: W,
}

impl<W: Fn()> Refreshing<'_, W> {
    /// The request that fetches the new key.
    pub fn request(&self) -> Request<ApiKey> {
        self.state.source.auth_request()
    }

    /// Records the outcome of the request sent at `sent` and answered at `received`.
    pub fn finish(mut self, sent: Now, received: Now, outcome: Result<ApiKey, Error>) {
        if let Some(ticket) = self.ticket.take() {
            let mut manager = self.state.lock();
            manager.complete(ticket, sent, received, outcome);
            self.state.publish(&manager);
            drop(manager);
            (self.wake)();
        }
    }
}

impl<W: Fn()> Drop for Refreshing<'_, W> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            self.state.lock().abandon(ticket);
            (self.wake)();
        }
    }
}

/// The credential a call is made with. `K` is the driver's API key cache.
#[derive(Debug)]
pub enum Auth<'a, K> {
    /// None at all: `POST /auth`.
    None,
    /// The client's managed API key.
    Key(&'a K),
    /// A connect token.
    Connect(&'a ConnectTokenGrant),
}

impl<K> Clone for Auth<'_, K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K> Copy for Auth<'_, K> {}

impl<'a, K: KeyHolder> Auth<'a, K> {
    /// Starts the exchange of `request` with this credential: refused, with nothing sent, when
    /// the connect token has expired (on `clock`, read only for a connect token) or its scope
    /// does not cover the call.
    pub fn exchange<T>(
        self,
        request: Request<T>,
        policy: RetryPolicy,
        clock: &dyn Clock,
    ) -> Result<Exchange<T>, Error> {
        let (scope, refreshable) = match self {
            Auth::None => (CredentialScope::None, false),
            Auth::Key(keys) => (
                CredentialScope::ApiKey,
                keys.state().source().is_refreshable(),
            ),
            Auth::Connect(grant) => {
                grant.check_usable(clock.now())?;
                (grant.credential_scope(), false)
            }
        };
        Exchange::start(request, scope, policy, refreshable)
    }

    /// The key cache, when the credential is the managed API key.
    pub fn keys(self) -> Option<&'a K> {
        match self {
            Auth::Key(keys) => Some(keys),
            _ => None,
        }
    }

    /// The key of `epoch` was refused as expired (core's [`Step::Invalidate`](crate::Step)).
    pub fn invalidate(self, epoch: KeyEpoch) {
        if let Auth::Key(keys) = self {
            match epoch {
                KeyEpoch::Local(epoch) => keys.state().invalidate(epoch),
                KeyEpoch::Shared(epoch) => keys.invalidate_shared(epoch),
            }
        }
    }

    /// The credential of one attempt, given the API key taken from the cache for it.
    pub fn credential<'k>(self, key: Option<&'k ApiKey>) -> Credential<'k>
    where
        'a: 'k,
    {
        match (self, key) {
            (Auth::Connect(grant), _) => Credential::ConnectToken(grant.token()),
            (_, Some(key)) => Credential::ApiKey(key),
            _ => Credential::None,
        }
    }
}

/// A seed for the jitter of retries and key refreshes that differs between clients and
/// processes (std's per-process random hash keys, mixed with a per-call counter), so that
/// clients started together do not retry or refresh in step.
pub fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calls;
    use crate::clock::ManualClock;
    use crate::error::ScopeError;
    use crate::ids::AccountId;
    use crate::secret::ConnectToken;

    struct Keys(KeyState);

    impl KeyHolder for Keys {
        fn state(&self) -> &KeyState {
            &self.0
        }
    }

    fn keys(settings: Settings) -> Keys {
        let mut settings = settings;
        Keys(KeyState::new(&mut settings).unwrap())
    }

    #[test]
    fn a_connect_token_is_refused_out_of_scope_and_after_expiry() {
        let now = Now::new(Duration::ZERO, 1_700_000_000);
        let clock = ManualClock::new(now);
        let grant = ConnectTokenGrant::new(ConnectToken::new("opaque"), now, None);
        let auth: Auth<'_, Keys> = Auth::Connect(&grant);
        let transactions =
            calls::list_transactions_cursor(&AccountId::new("a"), &Default::default());
        assert!(matches!(
            auth.exchange(transactions, RetryPolicy::default(), &clock),
            Err(Error::Scope(ScopeError::ApiKeyRequired { .. }))
        ));
        let connectors = || calls::list_connectors(&Default::default());
        assert!(
            auth.exchange(connectors(), RetryPolicy::default(), &clock)
                .is_ok()
        );
        clock.advance(Duration::from_secs(31 * 60));
        assert!(matches!(
            auth.exchange(connectors(), RetryPolicy::default(), &clock),
            Err(Error::Scope(ScopeError::ConnectTokenExpired))
        ));
        assert!(matches!(auth.credential(None), Credential::ConnectToken(_)));
    }

    #[test]
    fn a_static_key_is_used_but_never_refreshed() {
        let keys = keys(Settings {
            api_key: Some(ApiKey::new("k")),
            ..Settings::default()
        });
        assert!(!keys.state().source().is_refreshable());
        let auth = Auth::Key(&keys);
        assert!(auth.keys().is_some());
        let key = ApiKey::new("k");
        assert!(matches!(auth.credential(Some(&key)), Credential::ApiKey(_)));
        let none: Auth<'_, Keys> = Auth::None;
        assert!(matches!(none.credential(None), Credential::None));
    }

    #[test]
    fn a_fresh_key_is_handed_out_until_its_soft_window_or_its_invalidation() {
        let keys = keys(Settings {
            credentials: Some((ClientId::from("id"), ClientSecret::new("s"))),
            ..Settings::default()
        });
        let state = keys.state();
        let now = Now::new(Duration::ZERO, 1_700_000_000);
        assert!(
            state.fresh(now).is_none(),
            "no key before the first refresh"
        );
        let crate::token::Decision::Refresh(ticket) = state.lock().poll(now) else {
            panic!("the first poll refreshes");
        };
        state
            .refreshing(ticket, || {})
            .finish(now, now, Ok(ApiKey::new("k1")));
        let held = state.fresh(now).expect("a stored key is fresh");
        assert_eq!(held.key().expose_secret(), "k1");
        let KeyEpoch::Local(epoch) = held.epoch() else {
            panic!("a local key");
        };
        assert!(matches!(
            state.lock().poll(now),
            crate::token::Decision::Use { epoch: e, .. } if e == epoch
        ));
        let Some((_, _, until)) = state.lock().fresh_key().map(|(k, e, u)| (k.clone(), e, u))
        else {
            panic!("the manager has the key");
        };
        assert!(
            state.fresh(now.advanced(until)).is_none(),
            "not past its fresh phase"
        );
        state.invalidate(epoch);
        assert!(
            state.fresh(now).is_none(),
            "an invalidated key is not handed out"
        );
    }

    #[test]
    fn a_static_key_is_always_fresh() {
        let keys = keys(Settings {
            api_key: Some(ApiKey::new("k")),
            ..Settings::default()
        });
        let now = Now::new(Duration::from_secs(365 * 86_400), 0);
        let held = keys.state().fresh(now).expect("fresh");
        assert_eq!(held.key().expose_secret(), "k");
    }

    #[test]
    fn seeds_differ_between_calls() {
        assert_ne!(random_seed(), random_seed());
    }
}
