//! How a command fails: a message that says what to do, and an exit code that tells the kind of
//! failure apart. Every [`pluggy_core::Error`] is mapped here, in [`Kind::of`], and nowhere else.

use std::fmt;

use pluggy_core::Error;

/// The kind of a failure; its exit code is the process's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Anything else: an item whose sync failed, a payment request that ended without being
    /// paid, a wait past its deadline, a webhook that never came, a local I/O error.
    Other,
    /// Bad arguments or missing configuration (clap uses the same code).
    Usage,
    /// The credentials or the key were refused.
    Auth,
    /// A connect token asked for something outside its scope.
    Scope,
    /// The API answered with an error (or something undecodable, or 429).
    Api,
    /// The API could not be reached.
    Network,
}

impl Kind {
    /// The process exit code of this kind.
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Other => 1,
            Kind::Usage => 2,
            Kind::Auth => 3,
            Kind::Scope => 4,
            Kind::Api => 5,
            Kind::Network => 6,
        }
    }

    /// A short name, for JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Other => "other",
            Kind::Usage => "usage",
            Kind::Auth => "auth",
            Kind::Scope => "scope",
            Kind::Api => "api",
            Kind::Network => "network",
        }
    }

    /// The kind of an SDK error.
    pub fn of(error: &Error) -> Kind {
        match error {
            Error::Auth(_) => Kind::Auth,
            Error::Api(api) if api.is_invalid_credential() => Kind::Auth,
            Error::Scope(_) => Kind::Scope,
            // A 403 that is not about a bad credential: the credential may not do this.
            Error::Api(api) if api.status == 403 => Kind::Scope,
            Error::Api(_)
            | Error::RateLimited { .. }
            | Error::Decode { .. }
            | Error::Retired { .. } => Kind::Api,
            Error::Transport { .. } => Kind::Network,
            Error::InvalidInput(_) | Error::InvalidHeader(_) => Kind::Usage,
            _ => Kind::Other,
        }
    }
}

/// A failed command: what went wrong and what to do, and its [`Kind`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The kind, hence the exit code.
    pub kind: Kind,
    /// The message shown to the user.
    pub message: String,
}

impl Failure {
    /// A failure of this kind.
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// A usage or configuration error.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }

    /// A failure of no other kind.
    pub fn other(message: impl Into<String>) -> Self {
        Self::new(Kind::Other, message)
    }

    /// The same failure, its message prefixed with what was being done.
    pub fn context(self, what: impl fmt::Display) -> Self {
        Self {
            kind: self.kind,
            message: format!("{what}: {}", self.message),
        }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        let kind = Kind::of(&error);
        let mut message = error.to_string();
        if kind == Kind::Auth && matches!(error, Error::Auth(_)) {
            message.push_str(
                " (PLUGGY_CLIENT_ID and PLUGGY_CLIENT_SECRET are read from the environment)",
            );
        }
        Self { kind, message }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pluggy_core::{
        ApiError, AuthFailure, ErrorBody, ScopeError, TransportError, TransportErrorKind,
    };

    fn api(status: u16, code: Option<&str>, message: &str) -> Error {
        Error::Api(Box::new(ApiError {
            endpoint: "GET /items/{id}",
            status,
            body: ErrorBody {
                code: Some(i64::from(status)),
                code_description: code.map(str::to_owned),
                message: message.to_owned(),
                ..ErrorBody::default()
            },
        }))
    }

    #[test]
    fn every_error_kind_has_its_own_exit_code() {
        let cases = [
            (Error::Auth(AuthFailure::InvalidClientKeys), Kind::Auth, 3),
            (
                api(403, None, "Missing or invalid authorization token"),
                Kind::Auth,
                3,
            ),
            (
                Error::Scope(ScopeError::ApiKeyRequired {
                    endpoint: "GET /transactions",
                }),
                Kind::Scope,
                4,
            ),
            (api(403, Some("FORBIDDEN"), "not allowed"), Kind::Scope, 4),
            (api(404, Some("ITEM_NOT_FOUND"), "no item"), Kind::Api, 5),
            (api(500, None, "down"), Kind::Api, 5),
            (
                Error::Transport {
                    endpoint: "POST /auth",
                    source: TransportError::new(TransportErrorKind::Connect, "refused"),
                },
                Kind::Network,
                6,
            ),
            (Error::InvalidInput("bad".into()), Kind::Usage, 2),
            (Error::DeadlineExceeded("late".into()), Kind::Other, 1),
        ];
        for (error, kind, code) in cases {
            let failure = Failure::from(error.clone());
            assert_eq!(failure.kind, kind, "{error:?}");
            assert_eq!(failure.kind.exit_code(), code, "{error:?}");
            assert!(failure.message.contains(&error.to_string()));
        }
    }

    #[test]
    fn refused_credentials_say_where_they_come_from() {
        let failure = Failure::from(Error::Auth(AuthFailure::InvalidClientKeys));
        assert!(
            failure.message.contains("PLUGGY_CLIENT_SECRET"),
            "{failure}"
        );
        let step = failure.context("step 1");
        assert!(step.message.starts_with("step 1: "), "{step}");
        assert_eq!(step.kind, Kind::Auth);
    }
}
