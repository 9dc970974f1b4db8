//! Every failure the SDK reports, as one typed [`Error`].
//!
//! `Display` says what happened and what to do about it; [`Error::is_transient`] says whether
//! the same call may succeed later. No variant ever carries a secret.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The message of the API's answer to a missing, invalid or expired API key.
pub const INVALID_TOKEN_MESSAGE: &str = "Missing or invalid authorization token";

/// An error body as the API sends it (`GlobalErrorResponse` and its variants).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// The HTTP status, repeated in the body.
    #[serde(default)]
    pub code: Option<i64>,
    /// A stable name for the error, e.g. `ITEM_NOT_FOUND`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_description: Option<String>,
    /// A human-readable message.
    #[serde(default)]
    pub message: String,
    /// Extra context some errors carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
    /// Per-parameter validation failures (item creation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Vec<ErrorDetail>>,
    /// Request id for Pluggy support, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
}

/// One parameter validation failure.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetail {
    /// A code such as `"001"`.
    #[serde(default)]
    pub code: Option<String>,
    /// The parameter that failed, e.g. `user`.
    #[serde(default)]
    pub parameter: Option<String>,
    /// What is wrong with it.
    #[serde(default)]
    pub message: String,
}

/// An error answer from the API.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// The operation that failed, e.g. `GET /items/{id}`.
    pub endpoint: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// The decoded body; `message` holds the raw text when the body was not JSON.
    pub body: ErrorBody,
}

impl ApiError {
    /// The `codeDescription`, e.g. `ITEM_NOT_FOUND`.
    pub fn code_description(&self) -> Option<&str> {
        self.body.code_description.as_deref()
    }

    /// Whether this is the API's answer to a missing, invalid or expired API key: a 403 without
    /// `codeDescription` saying "Missing or invalid authorization token", or a bare 401.
    /// The right reaction is one refresh of the key and one retry.
    pub fn is_invalid_credential(&self) -> bool {
        if self.body.code_description.is_some() {
            return false;
        }
        match self.status {
            401 => true,
            403 => self
                .body
                .message
                .trim()
                .eq_ignore_ascii_case(INVALID_TOKEN_MESSAGE),
            _ => false,
        }
    }

    fn advice(&self) -> &'static str {
        match self.status {
            400 => "check the request's parameters",
            401 | 403 if self.is_invalid_credential() => {
                "the credential is missing, invalid or expired: get a new API key or connect token"
            }
            403 => "this credential may not call this operation",
            404 => "check the id",
            409 => "the resource is busy or at a limit: try later",
            500..=599 => "the API failed: try again later",
            _ => "see the message",
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} answered {}", self.endpoint, self.status)?;
        if let Some(code) = &self.body.code_description {
            write!(f, " {code}")?;
        }
        if !self.body.message.is_empty() {
            write!(f, ": {}", self.body.message)?;
        }
        for d in self.body.details.iter().flatten() {
            match &d.parameter {
                Some(p) => write!(f, "; {p}: {}", d.message)?,
                None => write!(f, "; {}", d.message)?,
            }
        }
        write!(f, " ({})", self.advice())
    }
}

/// Why `POST /auth` refused the client credentials. These are permanent: retrying with the
/// same credentials cannot succeed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthFailure {
    /// `CLIENT_KEYS_UNAUTHORIZED`: the client id or secret is wrong.
    InvalidClientKeys,
    /// `CLIENT_DISABLED`: the application is disabled.
    ClientDisabled,
    /// Another 4xx refusal, with the API's message.
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The API's message.
        message: String,
    },
}

impl fmt::Display for AuthFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthFailure::InvalidClientKeys => f.write_str(
                "Pluggy rejected the client credentials (CLIENT_KEYS_UNAUTHORIZED): check CLIENT_ID and CLIENT_SECRET",
            ),
            AuthFailure::ClientDisabled => f.write_str(
                "the Pluggy application is disabled (CLIENT_DISABLED): contact Pluggy or use another application",
            ),
            AuthFailure::Rejected { status, message } => write!(
                f,
                "Pluggy refused the client credentials ({status}: {message}): check CLIENT_ID and CLIENT_SECRET"
            ),
        }
    }
}

/// What kind of transport failure happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be opened (refused, DNS, TLS handshake).
    Connect,
    /// No complete answer arrived within the timeout.
    Timeout,
    /// The connection broke before a complete answer arrived.
    Closed,
    /// The request could not be built by the transport (bad URL or header).
    InvalidRequest,
    /// Anything else the transport reports.
    Other,
}

/// A failure below HTTP: nothing (or nothing complete) came back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportError {
    /// The kind of failure.
    pub kind: TransportErrorKind,
    /// The transport's description. Must never contain a secret.
    pub message: String,
}

impl TransportError {
    /// Builds a transport error.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// Whether the same request may succeed later.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            TransportErrorKind::Connect | TransportErrorKind::Timeout | TransportErrorKind::Closed
        )
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportErrorKind::Connect => "could not connect to the API",
            TransportErrorKind::Timeout => "the API did not answer in time",
            TransportErrorKind::Closed => "the connection closed before the answer was complete",
            TransportErrorKind::InvalidRequest => "the request could not be sent",
            TransportErrorKind::Other => "the transport failed",
        };
        write!(f, "{what}: {}", self.message)?;
        if self.is_transient() {
            f.write_str(" (check the network and the base URL; retrying may help)")?;
        }
        Ok(())
    }
}

impl std::error::Error for TransportError {}

/// A call refused before anything was sent: the credential's scope does not cover it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScopeError {
    /// The operation needs an API key; a connect token may not call it.
    #[error(
        "{endpoint} needs an API key: a connect token may only create or update its own item and read that item's reduced accounts (call it from your backend with the API key)"
    )]
    ApiKeyRequired {
        /// The refused operation.
        endpoint: &'static str,
    },
    /// The item is not one this connect token created or was issued for.
    #[error(
        "{endpoint}: item {item_id} is outside this connect token's scope (a connect token sees only the item it was issued for or created; mint a token with this itemId)"
    )]
    ItemOutOfScope {
        /// The refused operation.
        endpoint: &'static str,
        /// The item asked for.
        item_id: String,
    },
    /// The call names no item, but a connect token must name one of its own.
    #[error("{endpoint}: a connect token must name one of its own items (pass itemId)")]
    ItemRequired {
        /// The refused operation.
        endpoint: &'static str,
    },
    /// The connect token has expired.
    #[error(
        "the connect token has expired (connect tokens live 30 minutes): ask the backend for a new one"
    )]
    ConnectTokenExpired,
    /// The operation takes no credential and none may be sent.
    #[error("{endpoint} takes client credentials, not an API key or connect token")]
    NoCredentialAllowed {
        /// The refused operation.
        endpoint: &'static str,
    },
}

/// The fleet's shared rate budget (pluggy-core's fleet limiter) would let the call go only after
/// the caller's deadline: the call fails instead of drawing a 429.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{group} would exceed the shared rate budget ({per_minute}/min) for {wait:?} more, past the deadline; nothing was sent"
)]
#[non_exhaustive]
pub struct OverBudget {
    /// The limit group's name.
    pub group: &'static str,
    /// Its limit per minute.
    pub per_minute: u32,
    /// The wait the budget asked for.
    pub wait: Duration,
}

/// Every failure of an SDK call.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The client credentials were refused at `POST /auth`.
    #[error("{0}")]
    Auth(AuthFailure),
    /// The call is outside the credential's scope; nothing was sent.
    #[error("{0}")]
    Scope(#[from] ScopeError),
    /// The API's rate limit was hit and retries (if any) are used up.
    #[error(
        "{endpoint} is rate limited (429){}: slow down{}",
        retry_after.map(|d| format!(", retry after {}s", d.as_secs())).unwrap_or_default(),
        if *retry_after_exceeds_budget { " (the wait is longer than the retry policy allows)" } else { "" }
    )]
    RateLimited {
        /// The operation.
        endpoint: &'static str,
        /// How long the API asked to wait (`Retry-After`).
        retry_after: Option<Duration>,
        /// Whether the wait asked for was longer than the retry policy's limit.
        retry_after_exceeds_budget: bool,
    },
    /// The answer could not be decoded into the expected type.
    #[error(
        "could not decode the answer of {endpoint} (status {status}): {message} (the API may have changed; please report it)"
    )]
    Decode {
        /// The operation.
        endpoint: &'static str,
        /// The HTTP status of the answer.
        status: u16,
        /// What the decoder found wrong.
        message: String,
    },
    /// The request never got a complete answer.
    #[error("{endpoint}: {source}")]
    Transport {
        /// The operation.
        endpoint: &'static str,
        /// The transport's failure.
        source: TransportError,
    },
    /// The arguments of the call are invalid; nothing was sent.
    #[error("invalid request: {0}")]
    InvalidInput(String),
    /// The API has retired this operation for this key (410 `ENDPOINT_DEPRECATED`): the same
    /// call will keep failing; move to its successor.
    #[error("{endpoint} is retired by the API (410 ENDPOINT_DEPRECATED){}: move to {successor}", if message.is_empty() { String::new() } else { format!(": {message}") })]
    Retired {
        /// The retired operation.
        endpoint: &'static str,
        /// What replaces it.
        successor: &'static str,
        /// The API's message.
        message: String,
    },
    /// A custom webhook header can never be sent as written; nothing was sent.
    #[error("invalid request: {0}")]
    InvalidHeader(#[from] crate::header::InvalidHeader),
    /// A deadline given by the caller passed (for example while waiting for an item).
    #[error("{0}")]
    DeadlineExceeded(String),
    /// The fleet's shared rate budget would only allow the call after its deadline; nothing
    /// was sent.
    #[error("{0}")]
    OverBudget(#[from] OverBudget),
}

impl Error {
    /// Whether the same call may succeed if tried again later.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Api(e) => e.status >= 500 || e.status == 429,
            Error::RateLimited { .. } | Error::OverBudget(_) => true,
            Error::Transport { source, .. } => source.is_transient(),
            Error::Auth(_)
            | Error::Scope(_)
            | Error::Decode { .. }
            | Error::InvalidInput(_)
            | Error::InvalidHeader(_)
            | Error::Retired { .. }
            | Error::DeadlineExceeded(_) => false,
        }
    }

    /// The API error, if the API answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e.as_ref()),
            _ => None,
        }
    }

    /// The HTTP status of the answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::RateLimited { .. } => Some(429),
            Error::Decode { status, .. } => Some(*status),
            Error::Retired { .. } => Some(410),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: Option<&str>, message: &str) -> ApiError {
        ApiError {
            endpoint: "GET /items/{id}",
            status,
            body: ErrorBody {
                code: Some(i64::from(status)),
                code_description: code.map(str::to_owned),
                message: message.to_owned(),
                ..ErrorBody::default()
            },
        }
    }

    #[test]
    fn expired_key_403_is_recognised_and_others_are_not() {
        assert!(api(403, None, INVALID_TOKEN_MESSAGE).is_invalid_credential());
        assert!(api(403, None, "missing or invalid authorization token").is_invalid_credential());
        assert!(!api(403, Some("FORBIDDEN"), INVALID_TOKEN_MESSAGE).is_invalid_credential());
        assert!(!api(403, None, "Forbidden").is_invalid_credential());
        assert!(api(401, None, "Unauthorized").is_invalid_credential());
        assert!(!api(401, Some("CLIENT_KEYS_UNAUTHORIZED"), "x").is_invalid_credential());
    }

    #[test]
    fn display_carries_code_message_details_and_advice() {
        let mut e = api(
            400,
            Some("CONNECTOR_VALIDATION_ERROR"),
            "Connector parameters do not match",
        );
        e.body.details = Some(vec![ErrorDetail {
            code: Some("001".into()),
            parameter: Some("user".into()),
            message: "user parameter is required".into(),
        }]);
        let s = Error::Api(Box::new(e)).to_string();
        assert!(s.contains("400 CONNECTOR_VALIDATION_ERROR"), "{s}");
        assert!(s.contains("user: user parameter is required"), "{s}");
        assert!(s.contains("check the request"), "{s}");
    }

    #[test]
    fn transience() {
        assert!(Error::Api(Box::new(api(503, None, "down"))).is_transient());
        assert!(
            !Error::Api(Box::new(api(404, Some("ITEM_NOT_FOUND"), "item not found")))
                .is_transient()
        );
        assert!(!Error::Auth(AuthFailure::InvalidClientKeys).is_transient());
        let t = TransportError::new(TransportErrorKind::Timeout, "after 30s");
        assert!(
            Error::Transport {
                endpoint: "GET /x",
                source: t
            }
            .is_transient()
        );
        let s = Error::RateLimited {
            endpoint: "POST /auth",
            retry_after: Some(Duration::from_secs(60)),
            retry_after_exceeds_budget: false,
        }
        .to_string();
        assert!(s.contains("retry after 60s"), "{s}");
    }
}
