//! The API key lifecycle as a state machine: when to use the cached key, when to refresh it,
//! who refreshes it, and what everyone else does meanwhile.
//!
//! [`TokenManager`] never reads a clock and never sends anything: every input carries the
//! instant it happens at ([`Now`]), and every output is an owned [`Decision`] the driver acts
//! on. Single-flight is a property of the state: at most one [`RefreshTicket`] is outstanding,
//! so N concurrent first calls make one `POST /auth`, not N.
//!
//! # Rules
//!
//! A key stored at `received` with expiry `E` (see [`TokenManager::complete`]) goes through
//! four phases:
//!
//! | phase   | from                       | one caller gets               | the others get      |
//! |---------|----------------------------|-------------------------------|---------------------|
//! | fresh   | receipt                    | [`Decision::Use`]             | [`Decision::Use`]   |
//! | soft    | `E − soft_window − jitter` | [`Decision::UseAndRefresh`]   | [`Decision::Use`]   |
//! | hard    | `E − hard_window`          | [`Decision::Refresh`]         | [`Decision::Wait`]  |
//! | expired | `E`                        | [`Decision::Refresh`]         | [`Decision::Wait`]  |
//!
//! While a refresh is backing off after a failure (below), a key in its hard phase is still
//! used, and with no valid key every poll gets [`Decision::Fail`].
//!
//! - The jitter is drawn per key from the seed given to [`TokenManager::new`] (splitmix64) and
//!   moves the soft refresh earlier by at most half the soft window, so many processes started
//!   together do not refresh together.
//! - Both windows shrink for keys that live shorter than the configuration assumes: the soft
//!   window is at most half of the key's remaining life at receipt and the hard window at most
//!   a quarter, so every stored key is served fresh for a while and never causes a refresh
//!   loop. A hard window larger than the soft window is cut down to the soft window.
//! - A ticket older than `load_timeout` is reclaimed by the next poll, which may then issue a
//!   new one; [`TokenManager::abandon`] frees a ticket at once.
//! - A transient failure (network, 5xx, 429, a malformed answer) never displaces a key that is
//!   still valid: it is served until it expires, and no new ticket is issued before the
//!   backoff ends (exponential from `backoff_min` to `backoff_max`, at least the 429's
//!   `Retry-After`). Without a valid key, polls during the backoff fail with a copy of the last
//!   error.
//! - A permanent failure ([`Error::Auth`]: `CLIENT_KEYS_UNAUTHORIZED`, `CLIENT_DISABLED`, any
//!   other refusal of the credentials) fails every poll at once, without retrying, until
//!   [`TokenManager::reset_credentials`].
//! - [`TokenManager::invalidate`] drops the key a request was sent with when the API answered
//!   it with the expired-key 403, but only if that key is still the current one: N requests
//!   rejected together cause one refresh.
//!
//! # Driving it
//!
//! A driver keeps the manager behind a mutex and never holds the lock while sending or
//! waiting: lock → [`poll`](TokenManager::poll) → unlock → act on the decision. The caller
//! holding a ticket builds the request with [`auth_call`], sends it, reads the answer with
//! [`parse_auth_response`], then locks again, calls [`complete`](TokenManager::complete) and
//! wakes every waiter (a `Condvar`, or an async notifier). A caller told to
//! [`Wait`](Decision::Wait) sleeps until it is woken or until the deadline, then polls again.
//! If the holder of a ticket is cancelled, it calls [`abandon`](TokenManager::abandon) (from a
//! drop guard, for example) and wakes the waiters.
//!
//! ```
//! use std::time::Duration;
//!
//! use pluggy_core::token::{Decision, TokenConfig, TokenManager, auth_call, parse_auth_response};
//! use pluggy_core::{ApiKey, Call, ClientId, ClientSecret, Error, Now, RawResponse};
//!
//! /// One call's wait for a key. A real driver unlocks around `send` and sleeps on `Wait`.
//! fn key_for_one_call(
//!     tm: &mut TokenManager,
//!     now: Now,
//!     send: &dyn Fn(Call) -> Result<RawResponse, Error>,
//! ) -> Result<ApiKey, Error> {
//!     let (id, secret) = (ClientId::new("client-id"), ClientSecret::new("client-secret"));
//!     loop {
//!         match tm.poll(now) {
//!             Decision::Use { key, .. } => return Ok(key),
//!             Decision::UseAndRefresh { key, ticket, .. } => {
//!                 // A real driver spawns this refresh and returns the key at once.
//!                 let outcome = auth_call(&id, &secret)
//!                     .and_then(send)
//!                     .and_then(|raw| parse_auth_response(&raw));
//!                 tm.complete(ticket, now, now, outcome);
//!                 return Ok(key);
//!             }
//!             Decision::Refresh(ticket) => {
//!                 let outcome = auth_call(&id, &secret)
//!                     .and_then(send)
//!                     .and_then(|raw| parse_auth_response(&raw));
//!                 tm.complete(ticket, now, now, outcome);
//!                 // Poll again: the answer is either a key or the failure to report.
//!             }
//!             Decision::Wait { until } => {
//!                 // Sleep until a completion wakes us or `until` passes; then poll again.
//!                 let _ = until;
//!             }
//!             Decision::Fail(e) => return Err(e),
//!         }
//!     }
//! }
//!
//! // A fake network: `POST /auth` always answers with a key.
//! let send = |call: Call| {
//!     assert_eq!(call.endpoint().path, "/auth");
//!     Ok(RawResponse::new(200, vec![], br#"{"apiKey":"opaque-key"}"#.to_vec()))
//! };
//! let mut tm = TokenManager::new(TokenConfig::default(), 7);
//! let now = Now::new(Duration::ZERO, 1_700_000_000);
//! let key = key_for_one_call(&mut tm, now, &send).unwrap();
//! assert_eq!(key.expose_secret(), "opaque-key");
//! // A request answered with the expired-key 403 gives its key back; one refresh follows.
//! let Decision::Use { epoch, .. } = tm.poll(now) else { unreachable!() };
//! assert!(tm.invalidate(epoch));
//! assert!(matches!(tm.poll(now), Decision::Refresh(_)));
//! ```

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::{Deserialize, Serialize};

use crate::clock::Now;
use crate::endpoints;
use crate::error::Error;
use crate::http::{Call, RawResponse, parse_response};
use crate::ids::ClientId;
use crate::jitter::{splitmix64, unit_interval};
use crate::operation::Request;
use crate::secret::{ApiKey, ClientSecret};

/// The timing rules of a [`TokenManager`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenConfig {
    /// How long before expiry one caller starts a background refresh while the others keep
    /// using the old key. Default: 5 minutes.
    pub soft_window: Duration,
    /// How long before expiry callers stop using the old key and wait for the refresh.
    /// Default: 1 minute. Never more than `soft_window`.
    pub hard_window: Duration,
    /// How long a refresh may take before its ticket is abandoned and a new one may be issued.
    /// Default: 30 seconds. At least one second.
    pub load_timeout: Duration,
    /// The longest a key is used after it was requested, whatever its `exp` says.
    /// Default: 2 hours ([`crate::API_KEY_LIFETIME_SECS`]).
    pub max_lifetime: Duration,
    /// The wait after a first failed refresh. Default: 1 second.
    pub backoff_min: Duration,
    /// The longest wait between failed refreshes. Default: 30 seconds. Never less than
    /// `backoff_min`.
    pub backoff_max: Duration,
}

impl TokenConfig {
    /// The rules as applied: a hard window no larger than the soft one, a load timeout of at
    /// least a second (a zero timeout would reclaim every ticket at once and defeat
    /// single-flight), and a backoff range that is not upside down.
    fn normalized(mut self) -> Self {
        self.hard_window = self.hard_window.min(self.soft_window);
        self.load_timeout = self.load_timeout.max(Duration::from_secs(1));
        self.backoff_max = self.backoff_max.max(self.backoff_min);
        self
    }
}

impl Default for TokenConfig {
    fn default() -> Self {
        Self {
            soft_window: Duration::from_secs(5 * 60),
            hard_window: Duration::from_secs(60),
            load_timeout: Duration::from_secs(30),
            max_lifetime: Duration::from_secs(crate::API_KEY_LIFETIME_SECS),
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(30),
        }
    }
}

/// Which stored key a request was sent with: the count of keys stored so far, starting at 1.
/// Hand it back to [`TokenManager::invalidate`] when that key is rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Epoch(u64);

impl Epoch {
    /// The number of keys stored up to and including this one.
    pub fn get(self) -> u64 {
        self.0
    }
}

/// The right and duty to refresh the key: exactly one is outstanding at a time. Give it back
/// with [`TokenManager::complete`] or [`TokenManager::abandon`] on the manager that issued it.
#[derive(Debug, PartialEq, Eq)]
#[must_use = "complete or abandon the ticket, or refreshes stall until the load timeout"]
pub struct RefreshTicket {
    id: u64,
    generation: u64,
}

/// What a caller asking for a key must do now.
#[derive(Debug)]
#[must_use]
pub enum Decision {
    /// Send the request with this key.
    Use {
        /// The key.
        key: ApiKey,
        /// Which key it is, for [`TokenManager::invalidate`].
        epoch: Epoch,
    },
    /// Send the request with this key, and refresh the key in the background with `ticket`:
    /// the key expires soon. Issued to one caller only.
    UseAndRefresh {
        /// The key.
        key: ApiKey,
        /// Which key it is, for [`TokenManager::invalidate`].
        epoch: Epoch,
        /// The refresh to run in the background.
        ticket: RefreshTicket,
    },
    /// There is no usable key: refresh it now with this ticket, then poll again.
    Refresh(RefreshTicket),
    /// Another caller is refreshing and there is no usable key: wait until a completion is
    /// announced or until the monotonic instant `until` (when that refresh counts as
    /// abandoned), then poll again.
    Wait {
        /// The deadline, on the [`Now::mono`] scale.
        until: Duration,
    },
    /// No key can be had: a permanent failure, or a transient one while backing off.
    Fail(Error),
}

/// What [`TokenManager::complete`] did with an outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completion {
    /// The key was stored under this epoch.
    Stored(Epoch),
    /// A transient failure: no refresh before this monotonic instant.
    BackingOff {
        /// The end of the backoff, on the [`Now::mono`] scale.
        until: Duration,
    },
    /// A permanent failure: every poll fails until [`TokenManager::reset_credentials`].
    Failed,
    /// The ticket was not the outstanding one and its outcome was dropped.
    Ignored,
}

#[derive(Debug)]
struct StoredKey {
    key: ApiKey,
    epoch: Epoch,
    /// Start of the soft window, jitter included.
    refresh_at: Duration,
    /// Start of the hard window.
    hard_at: Duration,
    expires_at: Duration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Fresh,
    Soft,
    Hard,
    Unusable,
}

impl StoredKey {
    fn phase(&self, t: Duration) -> Phase {
        if t >= self.expires_at {
            Phase::Unusable
        } else if t >= self.hard_at {
            Phase::Hard
        } else if t >= self.refresh_at {
            Phase::Soft
        } else {
            Phase::Fresh
        }
    }
}

#[derive(Debug)]
struct InFlight {
    id: u64,
    deadline: Duration,
}

#[derive(Debug)]
enum Failure {
    Permanent(Error),
    Backoff { until: Duration, error: Error },
}

/// The API key lifecycle state machine. See the [module documentation](self) for its rules
/// and the loop that drives it.
#[derive(Debug)]
pub struct TokenManager {
    config: TokenConfig,
    refreshable: bool,
    key: Option<StoredKey>,
    in_flight: Option<InFlight>,
    failure: Option<Failure>,
    /// Transient failures since the last stored key.
    failures: u32,
    next_ticket: u64,
    /// Bumped by `reset_credentials`; tickets of an older generation are ignored.
    generation: u64,
    stored: u64,
    rng: u64,
}

impl TokenManager {
    /// A manager that fetches keys itself, lazily on the first poll. `jitter_seed` decides the
    /// jitter of the soft refresh point; give each client a different one (for example from
    /// the system's random source) so that processes do not refresh in step.
    pub fn new(config: TokenConfig, jitter_seed: u64) -> Self {
        Self {
            config: config.normalized(),
            refreshable: true,
            key: None,
            in_flight: None,
            failure: None,
            failures: 0,
            next_ticket: 0,
            generation: 0,
            stored: 0,
            rng: jitter_seed,
        }
    }

    /// A manager around a key the user supplied: always [`Decision::Use`], never refreshed.
    /// When the API rejects it, [`invalidate`](Self::invalidate) returns `false` and the
    /// rejection is an error for the caller.
    pub fn with_static_key(key: ApiKey) -> Self {
        let mut manager = Self::new(TokenConfig::default(), 0);
        manager.refreshable = false;
        manager.stored = 1;
        manager.key = Some(StoredKey {
            key,
            epoch: Epoch(1),
            refresh_at: Duration::MAX,
            hard_at: Duration::MAX,
            expires_at: Duration::MAX,
        });
        manager
    }

    /// The timing rules, as applied (see the bounds on each field of [`TokenConfig`]).
    pub fn config(&self) -> &TokenConfig {
        &self.config
    }

    /// Whether this manager fetches keys itself (`false` for a static key).
    pub fn is_refreshable(&self) -> bool {
        self.refreshable
    }

    /// The stored key while it is fresh, its epoch, and the monotonic instant at which it
    /// stops being fresh. Until that instant, and as long as the manager is not changed,
    /// every [`poll`](Self::poll) answers [`Decision::Use`] with this key and epoch, so a
    /// driver may hand it out without polling. `None` when no key is stored or a permanent
    /// failure stands.
    pub fn fresh_key(&self) -> Option<(&ApiKey, Epoch, Duration)> {
        if let Some(Failure::Permanent(_)) = &self.failure {
            return None;
        }
        let stored = self.key.as_ref()?;
        let until = stored.refresh_at.min(stored.hard_at).min(stored.expires_at);
        Some((&stored.key, stored.epoch, until))
    }

    /// Decides what a caller that needs a key at `now` must do.
    pub fn poll(&mut self, now: Now) -> Decision {
        let t = now.mono;
        if let Some(Failure::Permanent(e)) = &self.failure {
            return Decision::Fail(Clone::clone(e));
        }
        if self.in_flight.as_ref().is_some_and(|f| t >= f.deadline) {
            self.in_flight = None;
        }
        if self
            .key
            .as_ref()
            .is_some_and(|k| k.phase(t) == Phase::Unusable)
        {
            // An expired key is of no use to anyone: do not keep the secret around.
            self.key = None;
        }
        let backing_off = self.backoff_error(t).is_some();
        let stored = self
            .key
            .as_ref()
            .map(|k| (k.phase(t), k.key.clone(), k.epoch));
        match stored {
            Some((Phase::Fresh, key, epoch)) => Decision::Use { key, epoch },
            Some((Phase::Soft, key, epoch)) if self.in_flight.is_none() && !backing_off => {
                let ticket = self.issue(t);
                Decision::UseAndRefresh { key, epoch, ticket }
            }
            Some((Phase::Soft, key, epoch)) => Decision::Use { key, epoch },
            Some((Phase::Hard, key, epoch)) if self.in_flight.is_none() && backing_off => {
                // No refresh may start yet: a still-valid key beats waiting for nothing.
                Decision::Use { key, epoch }
            }
            _ => {
                if let Some(f) = &self.in_flight {
                    Decision::Wait { until: f.deadline }
                } else if let Some(error) = self.backoff_error(t) {
                    Decision::Fail(Clone::clone(error))
                } else {
                    Decision::Refresh(self.issue(t))
                }
            }
        }
    }

    /// Records the outcome of the refresh of `ticket`: the request was sent at `sent` and its
    /// answer (or failure) arrived at `received`. Wake every waiter afterwards.
    ///
    /// On success the key expires at the earliest of its JWT `exp` (mapped onto the
    /// monotonic clock through `sent`'s pair of readings) and `sent + max_lifetime`; a key
    /// that is not a JWT, or has no readable `exp`, gets `sent + max_lifetime`. A key that
    /// has already expired on receipt (an `exp` at or before the local clock, which means the
    /// clocks disagree) is not stored: it counts as a transient failure, so a bad clock gives
    /// a clear error and a backoff instead of a refresh loop.
    ///
    /// An outcome for a ticket that is no longer outstanding (reclaimed after the load
    /// timeout, or abandoned) is ignored, except a success that expires later than the
    /// current key: that key is good and is stored, while the outstanding ticket stays
    /// outstanding. Tickets issued before [`reset_credentials`](Self::reset_credentials) are
    /// always ignored.
    pub fn complete(
        &mut self,
        ticket: RefreshTicket,
        sent: Now,
        received: Now,
        outcome: Result<ApiKey, Error>,
    ) -> Completion {
        if ticket.generation != self.generation || !self.refreshable {
            return Completion::Ignored;
        }
        let current = self.in_flight.as_ref().is_some_and(|f| f.id == ticket.id);
        if current {
            self.in_flight = None;
        }
        match outcome {
            Ok(key) => {
                let expires_at =
                    expiry_on_mono(key.expose_secret(), sent, self.config.max_lifetime);
                if expires_at <= received.mono {
                    if !current {
                        return Completion::Ignored;
                    }
                    let error = Error::Decode {
                        endpoint: endpoints::AUTH_CREATE.route,
                        status: 200,
                        message: "the API key received had already expired by the local clock \
                                  (check the system clock)"
                            .to_owned(),
                    };
                    return self.back_off(received, error);
                }
                if !current {
                    let newer = self.key.as_ref().is_none_or(|k| k.expires_at < expires_at);
                    if !newer || matches!(self.failure, Some(Failure::Permanent(_))) {
                        return Completion::Ignored;
                    }
                }
                Completion::Stored(self.store(key, expires_at, received.mono))
            }
            Err(_) if !current => Completion::Ignored,
            Err(error @ Error::Auth(_)) => {
                self.failure = Some(Failure::Permanent(error));
                Completion::Failed
            }
            Err(error) => self.back_off(received, error),
        }
    }

    /// Gives back a ticket whose refresh will never complete (its task was cancelled). The
    /// next poll may issue a new ticket at once. Wake every waiter afterwards.
    pub fn abandon(&mut self, ticket: RefreshTicket) {
        if ticket.generation == self.generation
            && self.in_flight.as_ref().is_some_and(|f| f.id == ticket.id)
        {
            self.in_flight = None;
        }
    }

    /// Reports that a request sent with the key of `epoch` was answered with the expired-key
    /// 403 ([`crate::ApiError::is_invalid_credential`]). The key is dropped only if it is still
    /// the current one, so the next poll refreshes once however many requests report it.
    ///
    /// Returns whether the caller should poll again and retry with the next key; `false` for
    /// a static key, whose rejection is the caller's error.
    pub fn invalidate(&mut self, epoch: Epoch) -> bool {
        if !self.refreshable {
            return false;
        }
        if self.key.as_ref().is_some_and(|k| k.epoch == epoch) {
            self.key = None;
        }
        true
    }

    /// Forgets the key, the outstanding ticket and every failure, for example after the
    /// client credentials were replaced. Outcomes of earlier tickets are ignored from now on.
    /// Does nothing for a static key.
    pub fn reset_credentials(&mut self) {
        if !self.refreshable {
            return;
        }
        self.generation += 1;
        self.key = None;
        self.in_flight = None;
        self.failure = None;
        self.failures = 0;
    }

    /// The last transient error, while its backoff lasts.
    fn backoff_error(&self, t: Duration) -> Option<&Error> {
        match &self.failure {
            Some(Failure::Backoff { until, error }) if t < *until => Some(error),
            _ => None,
        }
    }

    fn issue(&mut self, t: Duration) -> RefreshTicket {
        self.next_ticket += 1;
        self.in_flight = Some(InFlight {
            id: self.next_ticket,
            deadline: t.saturating_add(self.config.load_timeout),
        });
        RefreshTicket {
            id: self.next_ticket,
            generation: self.generation,
        }
    }

    fn store(&mut self, key: ApiKey, expires_at: Duration, received: Duration) -> Epoch {
        let remaining = expires_at.saturating_sub(received);
        let soft = self.config.soft_window.min(remaining / 2);
        let hard = self.config.hard_window.min(remaining / 4).min(soft);
        let jitter = (soft / 2).mul_f64(unit_interval(splitmix64(&mut self.rng)));
        self.stored += 1;
        let epoch = Epoch(self.stored);
        self.key = Some(StoredKey {
            key,
            epoch,
            refresh_at: expires_at.saturating_sub(soft).saturating_sub(jitter),
            hard_at: expires_at.saturating_sub(hard),
            expires_at,
        });
        self.failure = None;
        self.failures = 0;
        epoch
    }

    fn back_off(&mut self, received: Now, error: Error) -> Completion {
        self.failures = self.failures.saturating_add(1);
        let exponent = (self.failures - 1).min(31);
        let mut delay = self
            .config
            .backoff_min
            .saturating_mul(1 << exponent)
            .min(self.config.backoff_max);
        if let Error::RateLimited {
            retry_after: Some(asked),
            ..
        } = &error
        {
            delay = delay.max(*asked);
        }
        let until = received.mono.saturating_add(delay);
        self.failure = Some(Failure::Backoff { until, error });
        Completion::BackingOff { until }
    }
}

/// The `POST /auth` call that trades the client credentials for an API key.
///
/// The body is `{"clientId":…,"clientSecret":…}`, held in a [`crate::Body`] that is zeroized
/// when dropped.
pub fn auth_call(client_id: &ClientId, secret: &ClientSecret) -> Result<Call, Error> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct AuthBody<'a> {
        client_id: &'a str,
        client_secret: &'a str,
    }
    Call::new(&endpoints::AUTH_CREATE).json(&AuthBody {
        client_id: client_id.as_str(),
        client_secret: secret.expose_secret(),
    })
}

/// Reads the API key out of the answer of `POST /auth`, or the typed error it carries
/// ([`Error::Auth`] for refused credentials). An empty `apiKey` is a decode error.
pub fn parse_auth_response(raw: &RawResponse) -> Result<ApiKey, Error> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct AuthAnswer {
        api_key: ApiKey,
    }
    let answer = parse_response::<AuthAnswer>(&endpoints::AUTH_CREATE, raw)?;
    if answer.api_key.expose_secret().trim().is_empty() {
        return Err(Error::Decode {
            endpoint: endpoints::AUTH_CREATE.route,
            status: raw.status(),
            message: "the answer's apiKey is empty".to_owned(),
        });
    }
    Ok(answer.api_key)
}

/// Where a client's API keys come from.
#[derive(Clone, Debug)]
pub enum KeySource {
    /// The application's client id and secret, traded for keys at `POST /auth`.
    Credentials {
        /// The application's client id.
        client_id: ClientId,
        /// The application's client secret.
        secret: ClientSecret,
    },
    /// A key the user supplied: used as is, never refreshed.
    Static(ApiKey),
}

impl KeySource {
    /// The source a client builder was given: a static key when there is one, else the
    /// credentials; an error naming both options when there is neither.
    pub fn from_parts(
        credentials: Option<(ClientId, ClientSecret)>,
        api_key: Option<ApiKey>,
    ) -> Result<Self, Error> {
        match (credentials, api_key) {
            (_, Some(key)) => Ok(KeySource::Static(key)),
            (Some((client_id, secret)), None) => Ok(KeySource::Credentials { client_id, secret }),
            (None, None) => Err(Error::InvalidInput(
                "a Client needs client credentials (credentials) or an API key (api_key)".into(),
            )),
        }
    }

    /// The token manager for this source: one that fetches keys, or one around the static key.
    pub fn manager(&self, config: TokenConfig, jitter_seed: u64) -> TokenManager {
        match self {
            KeySource::Credentials { .. } => TokenManager::new(config, jitter_seed),
            KeySource::Static(key) => TokenManager::with_static_key(key.clone()),
        }
    }

    /// Whether keys from this source can be replaced (a static key cannot).
    pub fn is_refreshable(&self) -> bool {
        matches!(self, KeySource::Credentials { .. })
    }

    /// The `POST /auth` request that fetches a new key, decoded into the key; a static key has
    /// none.
    pub fn auth_request(&self) -> Request<ApiKey> {
        let call = match self {
            KeySource::Credentials { client_id, secret } => auth_call(client_id, secret),
            KeySource::Static(_) => Err(Error::InvalidInput(
                "this client has a static API key and no client credentials to refresh it".into(),
            )),
        };
        Request::with_decoder(call, |_, raw| parse_auth_response(&raw))
    }
}

/// The `exp` claim of a JWT, read without checking the signature; `None` for anything that
/// is not a JWT with a numeric `exp`.
pub fn jwt_exp(token: &str) -> Option<i64> {
    const URL_SAFE_ANY_PADDING: GeneralPurpose = GeneralPurpose::new(
        &alphabet::URL_SAFE,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    #[derive(Deserialize)]
    struct Claims {
        #[serde(default)]
        exp: Option<serde_json::Number>,
    }
    let mut parts = token.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = URL_SAFE_ANY_PADDING.decode(payload).ok()?;
    let exp = serde_json::from_slice::<Claims>(&bytes).ok()?.exp?;
    exp.as_i64().or_else(|| {
        // A fractional `exp`: whole seconds are enough. Saturating float-to-int cast.
        exp.as_f64()
            .filter(|f| f.is_finite())
            .map(|f| f.floor() as i64)
    })
}

/// When a credential requested at `sent` expires on the monotonic clock: at its JWT `exp`
/// mapped through `sent`'s wall/mono pair, and never later than `sent + max_lifetime`. An
/// `exp` at or before `sent` gives `sent.mono` (expired already).
pub(crate) fn expiry_on_mono(token: &str, sent: Now, max_lifetime: Duration) -> Duration {
    let cap = sent.mono.saturating_add(max_lifetime);
    match jwt_exp(token) {
        None => cap,
        Some(exp) => {
            let secs = exp.saturating_sub(sent.unix_secs);
            match u64::try_from(secs) {
                Ok(secs) if secs > 0 => {
                    sent.mono.saturating_add(Duration::from_secs(secs)).min(cap)
                }
                _ => sent.mono,
            }
        }
    }
}

impl fmt::Display for Epoch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "key #{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_source_prefers_a_static_key_and_names_both_options() {
        let creds = || Some((ClientId::new("id"), ClientSecret::new("s3cr3t")));
        let source = KeySource::from_parts(creds(), Some(ApiKey::new("k"))).unwrap();
        assert!(!source.manager(TokenConfig::default(), 1).is_refreshable());
        assert!(!source.is_refreshable());
        assert!(source.auth_request().call().is_err());
        let source = KeySource::from_parts(creds(), None).unwrap();
        assert!(source.manager(TokenConfig::default(), 1).is_refreshable());
        assert_eq!(
            source.auth_request().call().unwrap().endpoint().route,
            "POST /auth"
        );
        assert!(!format!("{source:?}").contains("s3cr3t"));
        let err = KeySource::from_parts(None, None).unwrap_err();
        assert!(err.to_string().contains("credentials"), "{err}");
    }
    use crate::error::{AuthFailure, TransportError, TransportErrorKind};

    const T0_UNIX: i64 = 1_700_000_000;
    const SOFT: Duration = Duration::from_secs(300);
    const HARD: Duration = Duration::from_secs(60);
    const LOAD: Duration = Duration::from_secs(30);
    const TWO_HOURS: Duration = Duration::from_secs(7200);

    /// The instant `secs` seconds after the test's origin, on both clocks.
    fn at(secs: u64) -> Now {
        Now::new(Duration::from_secs(secs), T0_UNIX + secs as i64)
    }

    fn jwt(payload: &str) -> String {
        let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.c2lnbmF0dXJl",
            enc.encode(r#"{"alg":"HS256","typ":"JWT"}"#),
            enc.encode(payload)
        )
    }

    fn transient() -> Error {
        Error::Transport {
            endpoint: endpoints::AUTH_CREATE.route,
            source: TransportError::new(TransportErrorKind::Timeout, "after 10s"),
        }
    }

    fn ticket_of(d: Decision) -> RefreshTicket {
        match d {
            Decision::Refresh(t) | Decision::UseAndRefresh { ticket: t, .. } => t,
            other => panic!("expected a ticket, got {other:?}"),
        }
    }

    fn used_key(d: &Decision) -> Option<&str> {
        match d {
            Decision::Use { key, .. } | Decision::UseAndRefresh { key, .. } => {
                Some(key.expose_secret())
            }
            _ => None,
        }
    }

    /// A manager holding an opaque key `name` received at `t`, so it expires at `t + 2 h`.
    fn with_key_at(t: Now, name: &str) -> TokenManager {
        let mut tm = TokenManager::new(TokenConfig::default(), 1);
        let ticket = ticket_of(tm.poll(t));
        assert!(matches!(
            tm.complete(ticket, t, t, Ok(ApiKey::new(name))),
            Completion::Stored(_)
        ));
        tm
    }

    /// The soft refresh point of the stored key (jitter included).
    fn refresh_at(tm: &TokenManager) -> Duration {
        tm.key.as_ref().unwrap().refresh_at
    }

    #[test]
    fn first_poll_fetches_lazily_and_once() {
        let mut tm = TokenManager::new(TokenConfig::default(), 1);
        let first = tm.poll(at(0));
        assert!(matches!(first, Decision::Refresh(_)), "{first:?}");
        for _ in 0..999 {
            match tm.poll(at(0)) {
                Decision::Wait { until } => assert_eq!(until, LOAD),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn fresh_key_is_used_without_refresh() {
        let mut tm = with_key_at(at(0), "k1");
        for t in [0, 60, 3600, 7200 - 451] {
            let d = tm.poll(at(t));
            assert!(
                matches!(&d, Decision::Use { epoch, .. } if epoch.get() == 1),
                "{t}: {d:?}"
            );
            assert_eq!(used_key(&d), Some("k1"));
        }
    }

    #[test]
    fn soft_window_issues_one_background_refresh_and_serves_the_old_key() {
        let mut tm = with_key_at(at(0), "k1");
        let soft_start = TWO_HOURS - SOFT;
        let now = Now::new(soft_start, T0_UNIX + soft_start.as_secs() as i64);
        let decisions: Vec<_> = (0..1000).map(|_| tm.poll(now)).collect();
        let refreshes = decisions
            .iter()
            .filter(|d| matches!(d, Decision::UseAndRefresh { .. }))
            .count();
        let uses = decisions
            .iter()
            .filter(|d| matches!(d, Decision::Use { .. }))
            .count();
        assert_eq!((refreshes, uses), (1, 999));
        assert!(decisions.iter().all(|d| used_key(d) == Some("k1")));
    }

    #[test]
    fn hard_window_and_expiry_issue_one_refresh_and_the_others_wait() {
        let hard_start = (TWO_HOURS - HARD).as_secs();
        for (label, secs) in [
            ("hard window", hard_start),
            ("expired", 7200),
            ("long gone", 9000),
        ] {
            let mut tm = with_key_at(at(0), "k1");
            let decisions: Vec<_> = (0..1000).map(|_| tm.poll(at(secs))).collect();
            let refreshes = decisions
                .iter()
                .filter(|d| matches!(d, Decision::Refresh(_)))
                .count();
            let deadline = Duration::from_secs(secs) + LOAD;
            let waits = decisions
                .iter()
                .filter(|d| matches!(d, Decision::Wait { until } if *until == deadline))
                .count();
            assert_eq!((refreshes, waits), (1, 999), "{label}");
        }
    }

    #[test]
    fn a_completed_refresh_serves_the_new_key_to_waiters() {
        let mut tm = TokenManager::new(TokenConfig::default(), 1);
        let ticket = ticket_of(tm.poll(at(0)));
        assert!(matches!(tm.poll(at(1)), Decision::Wait { .. }));
        assert_eq!(
            tm.complete(ticket, at(0), at(2), Ok(ApiKey::new("k1"))),
            Completion::Stored(Epoch(1))
        );
        let d = tm.poll(at(2));
        assert_eq!(used_key(&d), Some("k1"));
        assert!(matches!(
            d,
            Decision::Use {
                epoch: Epoch(1),
                ..
            }
        ));

        // A background refresh replaces the key under a new epoch.
        let t = TWO_HOURS.as_secs() - 200;
        let ticket = ticket_of(tm.poll(at(t)));
        assert_eq!(
            tm.complete(ticket, at(t), at(t), Ok(ApiKey::new("k2"))),
            Completion::Stored(Epoch(2))
        );
        let d = tm.poll(at(t));
        assert!(matches!(
            d,
            Decision::Use {
                epoch: Epoch(2),
                ..
            }
        ));
        assert_eq!(used_key(&d), Some("k2"));
    }

    #[test]
    fn a_failed_refresh_keeps_serving_a_valid_key_and_backs_off() {
        let mut tm = with_key_at(at(0), "k1");
        let t = 7200 - 250; // soft window
        let ticket = ticket_of(tm.poll(at(t)));
        assert_eq!(
            tm.complete(ticket, at(t), at(t), Err(transient())),
            Completion::BackingOff {
                until: Duration::from_secs(t + 1)
            }
        );
        // During the backoff: the old key, no new ticket, even in the hard window.
        let d = tm.poll(at(t));
        assert!(matches!(d, Decision::Use { .. }));
        assert_eq!(used_key(&d), Some("k1"));
        // After it: a new background refresh.
        assert!(matches!(tm.poll(at(t + 1)), Decision::UseAndRefresh { .. }));

        // In the hard window a failure also keeps the key instead of making callers wait.
        let mut tm = with_key_at(at(0), "k1");
        let t = 7200 - 30;
        let ticket = ticket_of(tm.poll(at(t)));
        tm.complete(ticket, at(t), at(t), Err(transient()));
        assert_eq!(used_key(&tm.poll(at(t))), Some("k1"));
        assert!(matches!(tm.poll(at(t + 1)), Decision::Refresh(_)));
    }

    #[test]
    fn without_a_valid_key_polls_during_backoff_fail_with_the_last_error() {
        let mut tm = TokenManager::new(TokenConfig::default(), 1);
        let ticket = ticket_of(tm.poll(at(0)));
        tm.complete(ticket, at(0), at(0), Err(transient()));
        for _ in 0..3 {
            match tm.poll(at(0)) {
                Decision::Fail(e @ Error::Transport { .. }) => {
                    assert!(e.to_string().contains("after 10s"), "{e}")
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(matches!(tm.poll(at(1)), Decision::Refresh(_)));
    }

    #[test]
    fn backoff_grows_exponentially_and_is_capped() {
        let mut tm = TokenManager::new(TokenConfig::default(), 1);
        let mut t = Duration::ZERO;
        let mut delays = Vec::new();
        for _ in 0..8 {
            let now = Now::new(t, T0_UNIX);
            let ticket = ticket_of(tm.poll(now));
            match tm.complete(ticket, now, now, Err(transient())) {
                Completion::BackingOff { until } => {
                    delays.push((until - t).as_secs());
                    t = until;
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(delays, [1, 2, 4, 8, 16, 30, 30, 30]);

        // A success resets it.
        let now = Now::new(t, T0_UNIX);
        let ticket = ticket_of(tm.poll(now));
        tm.complete(ticket, now, now, Ok(ApiKey::new("k")));
        assert!(tm.invalidate(Epoch(1)));
        let ticket = ticket_of(tm.poll(now));
        assert_eq!(
            tm.complete(ticket, now, now, Err(transient())),
            Completion::BackingOff {
                until: t + Duration::from_secs(1)
            }
        );
    }

    #[test]
    fn a_429_from_auth_backs_off_at_least_its_retry_after() {
        let mut tm = TokenManager::new(TokenConfig::default(), 1);
        let ticket = ticket_of(tm.poll(at(0)));
        let limited = Error::RateLimited {
            endpoint: endpoints::AUTH_CREATE.route,
            retry_after: Some(Duration::from_secs(45)),
            retry_after_exceeds_budget: false,
        };
        assert_eq!(
            tm.complete(ticket, at(0), at(0), Err(limited)),
            Completion::BackingOff {
                until: Duration::from_secs(45)
            }
        );
        assert!(matches!(
            tm.poll(at(44)),
            Decision::Fail(Error::RateLimited { .. })
        ));
        assert!(matches!(tm.poll(at(45)), Decision::Refresh(_)));
    }

    #[test]
    fn permanent_failure_surfaces_at_once_and_stays_until_reset() {
        for failure in [AuthFailure::InvalidClientKeys, AuthFailure::ClientDisabled] {
            let mut tm = with_key_at(at(0), "k1");
            let t = 7200 - 200;
            let ticket = ticket_of(tm.poll(at(t)));
            assert_eq!(
                tm.complete(ticket, at(t), at(t), Err(Error::Auth(failure.clone()))),
                Completion::Failed
            );
            for later in [t, t + 1, t + 3600, t + 86_400] {
                match tm.poll(at(later)) {
                    Decision::Fail(Error::Auth(f)) => assert_eq!(f, failure),
                    other => panic!("{other:?}"),
                }
            }
            tm.reset_credentials();
            assert!(matches!(tm.poll(at(t + 1)), Decision::Refresh(_)));
        }
    }

    #[test]
    fn invalidate_with_the_current_epoch_forces_one_refresh() {
        let mut tm = with_key_at(at(0), "k1");
        let Decision::Use { epoch, .. } = tm.poll(at(10)) else {
            panic!("expected Use")
        };
        // Many requests sent with that key are rejected together: one refresh.
        for _ in 0..10 {
            assert!(tm.invalidate(epoch));
        }
        let decisions: Vec<_> = (0..10).map(|_| tm.poll(at(10))).collect();
        assert_eq!(
            decisions
                .iter()
                .filter(|d| matches!(d, Decision::Refresh(_)))
                .count(),
            1
        );
        assert!(decisions.iter().all(|d| used_key(d).is_none()));
    }

    #[test]
    fn invalidate_with_a_stale_epoch_keeps_the_new_key() {
        let mut tm = with_key_at(at(0), "k1");
        assert!(tm.invalidate(Epoch(1)));
        let ticket = ticket_of(tm.poll(at(10)));
        tm.complete(ticket, at(10), at(10), Ok(ApiKey::new("k2")));
        // A late 403 for a request sent with key #1 must not drop key #2.
        assert!(tm.invalidate(Epoch(1)));
        let d = tm.poll(at(11));
        assert!(
            matches!(
                d,
                Decision::Use {
                    epoch: Epoch(2),
                    ..
                }
            ),
            "{d:?}"
        );
    }

    #[test]
    fn an_abandoned_ticket_is_reclaimed_explicitly_or_after_the_load_timeout() {
        // Explicitly: the next poll gets a new ticket at once.
        let mut tm = TokenManager::new(TokenConfig::default(), 1);
        let ticket = ticket_of(tm.poll(at(0)));
        tm.abandon(ticket);
        assert!(matches!(tm.poll(at(0)), Decision::Refresh(_)));

        // Implicitly: waiters wait until the load timeout, then one of them takes over.
        let mut tm = TokenManager::new(TokenConfig::default(), 1);
        let lost = ticket_of(tm.poll(at(0)));
        assert!(matches!(tm.poll(at(29)), Decision::Wait { until } if until == LOAD));
        let mut again = (0..5).map(|_| tm.poll(at(30)));
        let replacement = ticket_of(again.next().unwrap());
        assert!(again.all(|d| matches!(d, Decision::Wait { until } if until == 2 * LOAD)));

        // The reclaimed ticket's failure is ignored; the outstanding one still counts.
        assert_eq!(
            tm.complete(lost, at(0), at(31), Err(transient())),
            Completion::Ignored
        );
        assert!(matches!(tm.poll(at(31)), Decision::Wait { .. }));
        assert!(matches!(
            tm.complete(replacement, at(30), at(32), Ok(ApiKey::new("k"))),
            Completion::Stored(_)
        ));
    }

    #[test]
    fn a_late_success_of_a_reclaimed_ticket_is_kept_only_if_newer() {
        let mut tm = TokenManager::new(TokenConfig::default(), 1);
        let lost = ticket_of(tm.poll(at(0)));
        let current = ticket_of(tm.poll(at(30)));
        // The old request did get a key: better than waiting on.
        assert_eq!(
            tm.complete(lost, at(0), at(31), Ok(ApiKey::new("late"))),
            Completion::Stored(Epoch(1))
        );
        assert_eq!(used_key(&tm.poll(at(31))), Some("late"));
        // The outstanding ticket is still the outstanding one, and its newer key wins.
        assert_eq!(
            tm.complete(current, at(30), at(32), Ok(ApiKey::new("current"))),
            Completion::Stored(Epoch(2))
        );
        assert_eq!(used_key(&tm.poll(at(32))), Some("current"));

        // A stale success that expires before the current key is dropped.
        let mut tm = TokenManager::new(TokenConfig::default(), 1);
        let lost = ticket_of(tm.poll(at(0)));
        let current = ticket_of(tm.poll(at(30)));
        tm.complete(current, at(30), at(31), Ok(ApiKey::new("current")));
        assert_eq!(
            tm.complete(lost, at(0), at(40), Ok(ApiKey::new("late"))),
            Completion::Ignored
        );
        assert_eq!(used_key(&tm.poll(at(41))), Some("current"));
    }

    #[test]
    fn tickets_from_before_a_reset_are_ignored() {
        let mut tm = TokenManager::new(TokenConfig::default(), 1);
        let old = ticket_of(tm.poll(at(0)));
        tm.reset_credentials();
        let new = ticket_of(tm.poll(at(0)));
        assert_eq!(
            tm.complete(old, at(0), at(1), Ok(ApiKey::new("old-credentials"))),
            Completion::Ignored
        );
        assert!(matches!(tm.poll(at(1)), Decision::Wait { .. }));
        tm.complete(new, at(0), at(1), Ok(ApiKey::new("new")));
        assert_eq!(used_key(&tm.poll(at(1))), Some("new"));
    }

    #[test]
    fn expiry_comes_from_the_jwt_exp_capped_at_two_hours_from_sending() {
        let sent = at(100);
        let received = at(101);
        let cases = [
            // (label, key, expected expiry on mono, in seconds)
            (
                "exp in 1 h",
                jwt(&format!(r#"{{"exp":{}}}"#, T0_UNIX + 100 + 3600)),
                3700,
            ),
            (
                "exp in 3 h",
                jwt(&format!(r#"{{"exp":{}}}"#, T0_UNIX + 100 + 3 * 3600)),
                7300,
            ),
            (
                "fractional exp",
                jwt(&format!(r#"{{"exp":{}.75,"iat":1}}"#, T0_UNIX + 100 + 600)),
                700,
            ),
            ("no exp claim", jwt(r#"{"sub":"x"}"#), 7300),
            ("opaque key", "not-a-jwt".to_owned(), 7300),
            ("garbage payload", "a.%%%.c".to_owned(), 7300),
        ];
        for (label, key, expected) in cases {
            let mut tm = TokenManager::new(TokenConfig::default(), 1);
            let ticket = ticket_of(tm.poll(sent));
            tm.complete(ticket, sent, received, Ok(ApiKey::new(key)));
            let expires_at = Duration::from_secs(expected);
            assert_eq!(tm.key.as_ref().unwrap().expires_at, expires_at, "{label}");
        }
    }

    #[test]
    fn exp_uses_the_wall_clock_of_the_send_time_not_the_mono_origin() {
        // Mono origin far from the wall clock: only the difference exp − sent.unix_secs counts.
        let sent = Now::new(Duration::from_secs(5), T0_UNIX);
        let key = jwt(&format!(r#"{{"exp":{}}}"#, T0_UNIX + 1800));
        assert_eq!(
            expiry_on_mono(&key, sent, TWO_HOURS),
            Duration::from_secs(1805)
        );
    }

    #[test]
    fn a_key_already_expired_on_arrival_is_a_transient_failure() {
        let expired = jwt(&format!(r#"{{"exp":{}}}"#, T0_UNIX - 10));
        let mut tm = with_key_at(at(0), "k1");
        let t = 7200 - 200;
        let ticket = ticket_of(tm.poll(at(t)));
        assert!(matches!(
            tm.complete(ticket, at(t), at(t), Ok(ApiKey::new(expired.clone()))),
            Completion::BackingOff { .. }
        ));
        // The valid old key stays.
        assert_eq!(used_key(&tm.poll(at(t))), Some("k1"));

        let mut tm = TokenManager::new(TokenConfig::default(), 1);
        let ticket = ticket_of(tm.poll(at(0)));
        tm.complete(ticket, at(0), at(0), Ok(ApiKey::new(expired)));
        match tm.poll(at(0)) {
            Decision::Fail(e) => assert!(e.to_string().contains("system clock"), "{e}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn short_lived_keys_get_proportionally_smaller_windows() {
        // A key valid for 100 s: soft at most 50 s, hard at most 25 s.
        let key = jwt(&format!(r#"{{"exp":{}}}"#, T0_UNIX + 100));
        let mut tm = TokenManager::new(TokenConfig::default(), 1);
        let ticket = ticket_of(tm.poll(at(0)));
        tm.complete(ticket, at(0), at(0), Ok(ApiKey::new(key)));
        // The soft refresh point lies in [25 s, 50 s] (jitter), the hard one at 75 s.
        assert!(matches!(tm.poll(at(24)), Decision::Use { .. }));
        assert!(matches!(tm.poll(at(50)), Decision::UseAndRefresh { .. }));
        assert!(matches!(tm.poll(at(74)), Decision::Use { .. }));
        assert!(matches!(tm.poll(at(75)), Decision::Wait { .. }));
    }

    #[test]
    fn jitter_stays_within_half_the_soft_window_and_is_deterministic() {
        let expires_at = TWO_HOURS;
        let mut seen = std::collections::BTreeSet::new();
        for seed in 0..2000u64 {
            let mut tm = TokenManager::new(TokenConfig::default(), seed);
            let ticket = ticket_of(tm.poll(at(0)));
            tm.complete(ticket, at(0), at(0), Ok(ApiKey::new("k")));
            let r = refresh_at(&tm);
            assert!(r <= expires_at - SOFT, "seed {seed}: {r:?}");
            assert!(r >= expires_at - SOFT - SOFT / 2, "seed {seed}: {r:?}");
            // Behaviour matches: fresh just before the refresh point, soft at it.
            assert!(matches!(
                tm.poll(Now::new(r - Duration::from_millis(1), 0)),
                Decision::Use { .. }
            ));
            assert!(matches!(
                tm.poll(Now::new(r, 0)),
                Decision::UseAndRefresh { .. }
            ));
            seen.insert(r);

            let mut twin = TokenManager::new(TokenConfig::default(), seed);
            let ticket = ticket_of(twin.poll(at(0)));
            twin.complete(ticket, at(0), at(0), Ok(ApiKey::new("k")));
            assert_eq!(refresh_at(&twin), r, "seed {seed} is not deterministic");
        }
        assert!(
            seen.len() > 1900,
            "jitter barely varies: {} values",
            seen.len()
        );
    }

    #[test]
    fn nonsensical_configs_cannot_break_single_flight() {
        let config = TokenConfig {
            load_timeout: Duration::ZERO,
            hard_window: Duration::from_secs(600),
            backoff_min: Duration::from_secs(10),
            backoff_max: Duration::from_secs(1),
            ..TokenConfig::default()
        };
        let mut tm = TokenManager::new(config, 1);
        assert!(matches!(tm.poll(at(0)), Decision::Refresh(_)));
        assert!(
            matches!(tm.poll(at(0)), Decision::Wait { until } if until == Duration::from_secs(1))
        );
        let applied = tm.config();
        assert_eq!(applied.hard_window, applied.soft_window);
        assert_eq!(applied.backoff_max, Duration::from_secs(10));
    }

    #[test]
    fn a_static_key_is_never_refreshed() {
        let mut tm = TokenManager::with_static_key(ApiKey::new("user-key"));
        assert!(!tm.is_refreshable());
        for secs in [0, 7200, 86_400 * 365] {
            let d = tm.poll(at(secs));
            assert!(
                matches!(
                    d,
                    Decision::Use {
                        epoch: Epoch(1),
                        ..
                    }
                ),
                "{d:?}"
            );
            assert_eq!(used_key(&d), Some("user-key"));
        }
        assert!(!tm.invalidate(Epoch(1)));
        tm.reset_credentials();
        assert_eq!(used_key(&tm.poll(at(0))), Some("user-key"));
    }

    #[test]
    fn debug_never_prints_the_key() {
        let mut tm = with_key_at(at(0), "s3cr3t-key");
        let soft = tm.poll(at(7200 - 200));
        let hard = tm.poll(at(7200 - 10));
        let printed = [
            format!("{tm:?}"),
            format!("{soft:?}"),
            format!("{hard:?}"),
            format!("{:?}", tm.poll(at(0))),
            format!(
                "{:?}",
                TokenManager::with_static_key(ApiKey::new("s3cr3t-key"))
            ),
        ];
        for p in printed {
            assert!(!p.contains("s3cr3t"), "{p}");
        }
    }

    #[test]
    fn auth_call_posts_the_client_credentials_as_json() {
        let call = auth_call(&ClientId::new("id-1"), &ClientSecret::new("s\"cret")).unwrap();
        let req = call
            .prepare(
                &crate::BaseUrl::default(),
                crate::http::Credential::None,
                &"t".into(),
            )
            .unwrap();
        assert_eq!(req.url(), "https://api.pluggy.ai/auth");
        let body: serde_json::Value =
            serde_json::from_slice(req.body().unwrap().as_bytes()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"clientId": "id-1", "clientSecret": "s\"cret"})
        );
        assert!(!format!("{req:?}").contains("cret"));
    }

    #[test]
    fn auth_answers_become_keys_or_typed_errors() {
        let ok = RawResponse::new(200, vec![], br#"{"apiKey":"k-123"}"#.to_vec());
        assert_eq!(parse_auth_response(&ok).unwrap().expose_secret(), "k-123");
        let empty = RawResponse::new(200, vec![], br#"{"apiKey":""}"#.to_vec());
        assert!(matches!(
            parse_auth_response(&empty),
            Err(Error::Decode { .. })
        ));
        let refused = RawResponse::new(
            401,
            vec![],
            br#"{"code":401,"codeDescription":"CLIENT_DISABLED","message":"Client is disabled"}"#
                .to_vec(),
        );
        assert!(matches!(
            parse_auth_response(&refused),
            Err(Error::Auth(AuthFailure::ClientDisabled))
        ));
    }

    #[test]
    fn jwt_exp_reads_only_well_formed_tokens() {
        assert_eq!(jwt_exp(&jwt(r#"{"exp":1700000000}"#)), Some(1_700_000_000));
        let padded = format!(
            "x.{}.y",
            base64::engine::general_purpose::URL_SAFE.encode(r#"{"exp":5}"#)
        );
        assert_eq!(jwt_exp(&padded), Some(5));
        assert_eq!(jwt_exp(&jwt(r#"{"exp":"soon"}"#)), None);
        assert_eq!(jwt_exp(&format!("{}.extra", jwt(r#"{"exp":5}"#))), None);
        assert_eq!(jwt_exp("only.two"), None);
        assert_eq!(jwt_exp(""), None);
    }
}
