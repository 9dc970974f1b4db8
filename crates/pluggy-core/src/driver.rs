//! What both drivers are made of, so that they differ only in how they lock, wait, send and
//! sleep: the settings a builder collects ([`Settings`], with its setters in
//! [`settings_setters!`](crate::settings_setters)), the credential a call is made with
//! ([`Auth`]), and the seed of each client's jitter ([`random_seed`]).

use std::time::Duration;

use crate::clock::Now;
use crate::connect_token::ConnectTokenGrant;
use crate::error::Error;
use crate::exchange::Exchange;
use crate::http::{BaseUrl, Credential};
use crate::ids::ClientId;
use crate::operation::Request;
use crate::retry::RetryPolicy;
use crate::scope::CredentialScope;
use crate::secret::{ApiKey, ClientSecret};
use crate::token::{KeySource, TokenConfig, TokenManager};

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

    /// `pluggy-rs/VERSION (DRIVER)`, then the caller's suffix.
    pub fn user_agent(&self, driver: &str) -> String {
        let mut agent = format!("pluggy-rs/{} ({driver})", env!("CARGO_PKG_VERSION"));
        if let Some(suffix) = &self.user_agent_suffix {
            agent.push(' ');
            agent.push_str(suffix);
        }
        agent
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

/// What core needs to know of a driver's API key cache.
pub trait KeyHolder {
    /// Where its keys come from.
    fn source(&self) -> &KeySource;
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
    /// the connect token has expired or its scope does not cover the call.
    pub fn exchange<T>(
        self,
        request: Request<T>,
        policy: RetryPolicy,
        now: Now,
    ) -> Result<Exchange<T>, Error> {
        let (scope, refreshable) = match self {
            Auth::None => (CredentialScope::None, false),
            Auth::Key(keys) => (CredentialScope::ApiKey, keys.source().is_refreshable()),
            Auth::Connect(grant) => {
                grant.check_usable(now)?;
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
    use crate::error::ScopeError;
    use crate::ids::AccountId;
    use crate::secret::ConnectToken;

    struct Keys(KeySource);

    impl KeyHolder for Keys {
        fn source(&self) -> &KeySource {
            &self.0
        }
    }

    #[test]
    fn a_connect_token_is_refused_out_of_scope_and_after_expiry() {
        let now = Now::new(Duration::ZERO, 1_700_000_000);
        let grant = ConnectTokenGrant::new(ConnectToken::new("opaque"), now, None);
        let auth: Auth<'_, Keys> = Auth::Connect(&grant);
        let transactions = calls::list_transactions(&AccountId::new("a"), &Default::default());
        assert!(matches!(
            auth.exchange(transactions, RetryPolicy::default(), now),
            Err(Error::Scope(ScopeError::ApiKeyRequired { .. }))
        ));
        let connectors = || calls::list_connectors(&Default::default());
        assert!(
            auth.exchange(connectors(), RetryPolicy::default(), now)
                .is_ok()
        );
        let later = now.advanced(Duration::from_secs(31 * 60));
        assert!(matches!(
            auth.exchange(connectors(), RetryPolicy::default(), later),
            Err(Error::Scope(ScopeError::ConnectTokenExpired))
        ));
        assert!(matches!(auth.credential(None), Credential::ConnectToken(_)));
    }

    #[test]
    fn a_static_key_is_used_but_never_refreshed() {
        let keys = Keys(KeySource::Static(ApiKey::new("k")));
        let auth = Auth::Key(&keys);
        assert!(auth.keys().is_some());
        let key = ApiKey::new("k");
        assert!(matches!(auth.credential(Some(&key)), Credential::ApiKey(_)));
        let none: Auth<'_, Keys> = Auth::None;
        assert!(matches!(none.credential(None), Credential::None));
    }

    #[test]
    fn seeds_differ_between_calls() {
        assert_ne!(random_seed(), random_seed());
    }
}
