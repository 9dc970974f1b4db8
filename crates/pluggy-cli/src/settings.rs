//! Where the command talks to and with which credentials: flags first, then the environment
//! (`PLUGGY_BASE_URL`, `PLUGGY_CLIENT_ID`, `PLUGGY_CLIENT_SECRET`). The client secret is read
//! from the environment only, never from the command line.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pluggy_blocking::clock::{Clock, SystemClock};
use pluggy_blocking::{Client, ConnectClient, UreqTransport, UreqTransportConfig};
use pluggy_core::http::Credential;
use pluggy_core::{
    ApiKey, BaseUrl, BlockingTransport, Call, ClientId, ClientSecret, ConnectToken,
    ConnectTokenGrant, Error, ItemId, RawResponse, Timestamp, auth_call, parse_auth_response,
};

use crate::fail::Failure;

/// The environment variable holding the application's client id.
pub const CLIENT_ID_VAR: &str = "PLUGGY_CLIENT_ID";
/// The environment variable holding the application's client secret.
pub const CLIENT_SECRET_VAR: &str = "PLUGGY_CLIENT_SECRET";

/// Largest answer read from the API; a larger one fails as a network error instead of filling
/// the memory (a page of 500 transactions is well under 1 MiB).
const MAX_ANSWER_BYTES: u64 = 16 * 1024 * 1024;

/// Longest time allowed to open a connection (less when the whole request is allowed less).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The `User-Agent` suffix of every request the command makes.
const USER_AGENT: &str = concat!("pluggy-cli/", env!("CARGO_PKG_VERSION"));

/// The options every command shares.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The API's base URL (flag or `PLUGGY_BASE_URL`), if one was given.
    pub base_url: Option<String>,
    /// Print JSON instead of tables.
    pub json: bool,
    /// Time allowed for one request, from connecting to reading the whole answer.
    pub timeout: Duration,
}

impl Settings {
    /// The base URL in use: the one given, or the real API's.
    pub fn base_url(&self) -> &str {
        self.base_url.as_deref().unwrap_or(BaseUrl::DEFAULT)
    }

    /// The application's credentials from the environment. Against an API on this machine
    /// (an emulator) the emulator's default client is used when none are set.
    pub fn credentials(&self) -> Result<(ClientId, ClientSecret), Failure> {
        credentials_for(self.base_url())
    }

    /// An API-key client with the credentials; it fetches its key on first use.
    pub fn client(&self) -> Result<Client, Failure> {
        let (id, secret) = self.credentials()?;
        Client::builder()
            .base_url(self.base_url())
            .transport(self.transport())
            .credentials(id, secret)
            .user_agent_suffix(USER_AGENT)
            .build()
            .map_err(|e| Failure::from(e).context("cannot set up the client"))
    }

    /// A connect-token client for `token`, whose scope is the items the command names: the
    /// command cannot tell which item a token was issued for, so it lets the API decide
    /// about those.
    pub fn connect_client(
        &self,
        token: &ConnectToken,
        items: &[ItemId],
    ) -> Result<ConnectClient, Failure> {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
        let mut grant = ConnectTokenGrant::new(token.clone(), clock.now(), None);
        for item in items {
            grant.record_created_item(item.clone());
        }
        Client::builder()
            .base_url(self.base_url())
            .transport(self.transport())
            .user_agent_suffix(USER_AGENT)
            .shared_clock(clock)
            .build_connect_grant(grant)
            .map_err(|e| Failure::from(e).context("cannot set up the client"))
    }

    /// An API-key client with a key obtained already.
    pub fn client_with_key(&self, key: ApiKey) -> Result<Client, Failure> {
        Client::builder()
            .base_url(self.base_url())
            .transport(self.transport())
            .api_key(key)
            .user_agent_suffix(USER_AGENT)
            .build()
            .map_err(|e| Failure::from(e).context("cannot set up the client"))
    }

    /// The transport of every request: the timeout, no redirects (the driver never follows
    /// them), answers up to [`MAX_ANSWER_BYTES`].
    fn transport(&self) -> UreqTransport {
        UreqTransport::with_config(UreqTransportConfig {
            connect_timeout: CONNECT_TIMEOUT.min(self.timeout),
            request_timeout: self.timeout,
            max_response_bytes: MAX_ANSWER_BYTES,
            ..UreqTransportConfig::default()
        })
    }

    /// Trades the credentials for an API key (`POST /auth`) and reads its expiry.
    pub fn fetch_api_key(&self) -> Result<(ApiKey, Expiry), Failure> {
        let (id, secret) = self.credentials()?;
        let call = auth_call(&id, &secret)?;
        let raw = self.send(&call, Credential::None)?;
        let key = parse_auth_response(&raw)?;
        let expiry = Expiry::of_jwt(key.expose_secret());
        Ok((key, expiry))
    }

    /// Sends one call as is, with no retry and no scope check: what a caller holding only this
    /// credential would see from the API.
    pub fn send(&self, call: &Call, credential: Credential<'_>) -> Result<RawResponse, Error> {
        let base = BaseUrl::parse(self.base_url())?;
        let request = call.prepare(&base, credential, &USER_AGENT.into())?;
        self.transport()
            .send(request)
            .map_err(|source| Error::Transport {
                endpoint: call.endpoint().route,
                source,
            })
    }
}

/// The credentials to use against `base_url`.
fn credentials_for(base_url: &str) -> Result<(ClientId, ClientSecret), Failure> {
    let id = non_empty_var(CLIENT_ID_VAR)?;
    let secret = non_empty_var(CLIENT_SECRET_VAR)?;
    match (id, secret) {
        (Some(id), Some(secret)) => Ok((ClientId::new(id), ClientSecret::new(secret))),
        (None, None) if is_local(base_url) => Ok((
            ClientId::new(pluggy_emulator::DEFAULT_CLIENT_ID),
            ClientSecret::new(pluggy_emulator::DEFAULT_CLIENT_SECRET),
        )),
        (id, _) => {
            let missing = if id.is_none() {
                CLIENT_ID_VAR
            } else {
                CLIENT_SECRET_VAR
            };
            Err(Failure::usage(format!(
                "{missing} is not set: export {CLIENT_ID_VAR} and {CLIENT_SECRET_VAR} (from the \
                 Pluggy dashboard) to call {base_url}, or run `pluggy emulator` and pass its \
                 address with --base-url"
            )))
        }
    }
}

/// An environment variable's value; `None` when unset or blank. A value that is not UTF-8
/// is an error that says so (its value is never shown: it may be a secret).
pub fn non_empty_var(name: &str) -> Result<Option<String>, Failure> {
    match std::env::var(name) {
        Ok(value) => Ok(Some(value).filter(|v| !v.trim().is_empty())),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(Failure::usage(format!(
            "{name} is set but is not valid UTF-8: set it again to the text of the value"
        ))),
    }
}

/// Whether a base URL points at this machine (where an emulator would run).
pub fn is_local(base_url: &str) -> bool {
    let Some((_, rest)) = base_url.split_once("://") else {
        return false;
    };
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// When a credential expires, as far as the client can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expiry {
    /// The credential's `exp` claim, in seconds since the Unix epoch, if it is a JWT with one.
    pub unix_secs: Option<i64>,
}

impl Expiry {
    /// The expiry of a token: its JWT `exp` claim, read without checking the signature.
    pub fn of_jwt(token: &str) -> Self {
        Self {
            unix_secs: pluggy_core::token::jwt_exp(token),
        }
    }

    /// The expiry as an RFC 3339 timestamp.
    pub fn timestamp(&self) -> Option<Timestamp> {
        self.unix_secs
            .and_then(|s| Timestamp::from_unix_millis(s.saturating_mul(1000)))
    }

    /// Seconds left from now; negative once expired.
    pub fn seconds_left(&self) -> Option<i64> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        self.unix_secs.map(|exp| exp - now)
    }

    /// "2026-11-28T22:36:40.000Z (in 2h 0m)", or a fallback when the token carries no expiry.
    pub fn describe(&self, documented_lifetime: &str) -> String {
        match (self.timestamp(), self.seconds_left()) {
            (Some(at), Some(left)) if left >= 0 => format!("expires {at} (in {})", human(left)),
            (Some(at), _) => format!("expired at {at}"),
            _ => format!("no readable expiry; documented lifetime {documented_lifetime}"),
        }
    }
}

/// "2h 0m", "29m 59s", "12s".
fn human(secs: i64) -> String {
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m {s}s")
    } else {
        format!("{s}s")
    }
}

/// How often to look at something that settles: often on this machine, less elsewhere.
pub(crate) fn poll_interval(settings: &Settings) -> Duration {
    if is_local(settings.base_url()) {
        Duration::from_millis(100)
    } else {
        Duration::from_secs(2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn jwt(claims: &str) -> String {
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256"}"#),
            URL_SAFE_NO_PAD.encode(claims.as_bytes())
        )
    }

    #[test]
    fn reads_the_expiry_of_a_jwt_and_nothing_else() {
        let expiry = Expiry::of_jwt(&jwt(r#"{"exp":1800000000,"sub":"x"}"#));
        assert_eq!(expiry.unix_secs, Some(1_800_000_000));
        assert_eq!(
            expiry.timestamp().map(|t| t.to_string()).as_deref(),
            Some("2027-01-15T08:00:00.000Z")
        );
        assert_eq!(Expiry::of_jwt("not-a-jwt").unix_secs, None);
        assert_eq!(Expiry::of_jwt(&jwt(r#"{"sub":"x"}"#)).unix_secs, None);
        assert!(
            Expiry::of_jwt("opaque")
                .describe("2 hours")
                .contains("documented lifetime 2 hours")
        );
    }

    #[test]
    fn durations_read_like_a_person_would_write_them() {
        assert_eq!(human(7200), "2h 0m");
        assert_eq!(human(1799), "29m 59s");
        assert_eq!(human(12), "12s");
    }

    #[test]
    fn local_addresses_are_recognised() {
        assert!(is_local("http://127.0.0.1:8080"));
        assert!(is_local("http://localhost:3000/prefix"));
        assert!(is_local("http://[::1]:8080"));
        assert!(!is_local("https://api.pluggy.ai"));
        assert!(!is_local("https://127.0.0.1.example.com"));
        assert!(!is_local("not a url"));
    }
}
