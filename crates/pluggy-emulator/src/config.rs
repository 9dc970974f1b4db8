//! How an emulator is set up: where it listens, which clients exist, how fast time runs.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use pluggy_core::{API_KEY_LIFETIME_SECS, CONNECT_TOKEN_LIFETIME_SECS, ClientId, ClientSecret};

/// The client id of the client every emulator knows unless told otherwise.
pub const DEFAULT_CLIENT_ID: &str = "6f2c9a4e-1b3d-4e5f-8a7b-0c1d2e3f4a5b";

/// The client secret of the default client. It guards nothing real: the emulator is a test tool.
pub const DEFAULT_CLIENT_SECRET: &str = "emulator-client-secret";

/// One application allowed to call `POST /auth`.
#[derive(Clone, Debug)]
pub struct ClientCredentials {
    /// The application's `clientId`.
    pub client_id: ClientId,
    /// The application's `clientSecret`.
    pub client_secret: ClientSecret,
}

impl ClientCredentials {
    /// A client with this id and secret.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            client_id: ClientId::new(client_id.into()),
            client_secret: ClientSecret::new(client_secret.into()),
        }
    }
}

impl Default for ClientCredentials {
    fn default() -> Self {
        Self::new(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
    }
}

/// How webhook deliveries are attempted.
#[derive(Clone, Debug)]
pub struct WebhookDelivery {
    /// Attempts per event and destination, the first included.
    pub attempts: u32,
    /// Wait before the second attempt; it doubles before each further one.
    pub initial_backoff: Duration,
    /// How long a receiver may take to answer before the attempt counts as failed.
    pub timeout: Duration,
}

impl Default for WebhookDelivery {
    fn default() -> Self {
        Self {
            attempts: 3,
            initial_backoff: Duration::from_secs(1),
            timeout: Duration::from_secs(10),
        }
    }
}

/// Everything an emulator is started with. Fields are public; start from
/// [`Config::default`] (realistic) or [`Config::for_tests`] (instant syncs, no rate limits).
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to bind.
    pub host: IpAddr,
    /// Port to bind; `0` picks a free one.
    pub port: u16,
    /// Applications allowed to authenticate.
    pub clients: Vec<ClientCredentials>,
    /// Lifetime of an API key from `POST /auth`.
    pub api_key_ttl: Duration,
    /// Lifetime of a connect token from `POST /connect_token`.
    pub connect_token_ttl: Duration,
    /// Time between two steps of an item's sync (login, accounts, transactions…).
    pub sync_step_delay: Duration,
    /// How long an MFA prompt waits for `POST /items/{id}/mfa` before the sync fails with
    /// `USER_INPUT_TIMEOUT`.
    pub mfa_timeout: Duration,
    /// Seed of every id and every generated record. It does not reach the key that signs API
    /// keys and connect tokens unless [`Config::deterministic_keys`] asks for it.
    pub seed: u64,
    /// Whether API keys and connect tokens are signed with a key derived from
    /// [`Config::seed`], so that emulators started with the same seed sign identical keys and
    /// accept each other's. Off (the default), the signing key comes from the system's random
    /// source at start: a key cannot be forged offline, and no other emulator accepts it.
    /// Turn it on only for fixtures that need reproducible keys; anyone who knows the seed
    /// can then forge keys for this emulator.
    pub deterministic_keys: bool,
    /// Whether the documented per-minute rate limits are enforced.
    pub rate_limits: bool,
    /// Whether webhooks may point at plain `http://` URLs, IP literals and `localhost`.
    pub allow_insecure_webhooks: bool,
    /// Whether the `/__emulator/…` routes are served.
    pub admin: bool,
    /// Largest request body accepted; larger ones get 413.
    pub max_body_bytes: usize,
    /// How long a client may take to send a request's head or body, and how long a kept-alive
    /// connection may stay idle between two requests before it is closed.
    pub read_timeout: Duration,
    /// Most connections served at once. A connection beyond it is answered at once with 503
    /// (`Retry-After: 1`) and closed, so a flood of idle or slow connections cannot hold the
    /// server. `0` counts as `1`.
    pub max_connections: usize,
    /// Webhook delivery settings.
    pub webhooks: WebhookDelivery,
    /// Whether `GET /transactions` (page style, deprecated) answers `410 ENDPOINT_DEPRECATED`,
    /// as the API already does for some keys, so that a client can check it has moved to
    /// `GET /v2/transactions`. Off by default.
    pub retire_v1_transactions: bool,
    /// zoid's child script (`dist/zoid.frame.js` of the `zoid` npm package that
    /// `pluggy-connect-sdk` depends on), served at `/connect/zoid.frame.js` and loaded by the
    /// Connect page, so that the official SDK can render `/connect` as its zoid child. `None`
    /// (the default): that route answers 404 and the page runs standalone or as the drop-in's
    /// iframe. The file is read at each request and never shipped with the emulator.
    pub connect_zoid: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            host: IpAddr::from([127, 0, 0, 1]),
            port: 0,
            clients: vec![ClientCredentials::default()],
            api_key_ttl: Duration::from_secs(API_KEY_LIFETIME_SECS),
            connect_token_ttl: Duration::from_secs(CONNECT_TOKEN_LIFETIME_SECS),
            sync_step_delay: Duration::from_secs(1),
            mfa_timeout: Duration::from_secs(300),
            seed: 1,
            deterministic_keys: false,
            rate_limits: true,
            allow_insecure_webhooks: false,
            admin: true,
            max_body_bytes: 1024 * 1024,
            read_timeout: Duration::from_secs(30),
            max_connections: 1024,
            webhooks: WebhookDelivery::default(),
            retire_v1_transactions: false,
            connect_zoid: None,
        }
    }
}

impl Config {
    /// Settings for automated tests: syncs finish at once, rate limits are off, webhooks may
    /// go to local `http://` receivers and are retried quickly.
    pub fn for_tests() -> Self {
        Self {
            sync_step_delay: Duration::ZERO,
            rate_limits: false,
            allow_insecure_webhooks: true,
            webhooks: WebhookDelivery {
                attempts: 3,
                initial_backoff: Duration::from_millis(20),
                timeout: Duration::from_secs(2),
            },
            ..Self::default()
        }
    }
}
