//! Secret-bearing values: client secrets, API keys, connect tokens and item credentials.
//!
//! Every type here keeps its value in a [`secrecy::SecretString`]: `Debug` prints a redacted
//! marker, there is no `Display` and no `Serialize`, and the value is zeroized when dropped.
//! Clones share the one value, which is zeroized when the last of them is dropped, so that
//! putting a key into each request's header does not leave a copy of it behind per request.
//! The only way to read one is an explicit `expose_secret()`, which makes each use easy to find.

use std::fmt;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

/// A secret's value, shared by the clones of the secret that holds it and zeroized when the
/// last of them is dropped.
#[derive(Clone)]
pub(crate) struct Shared(Arc<SecretString>);

impl Shared {
    /// Holds `value`.
    pub(crate) fn new(value: String) -> Self {
        Self(Arc::new(SecretString::from(value)))
    }

    /// Reads the secret.
    pub(crate) fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

/// The bytes a transport sends: a [`bytes::Bytes`] built on it shares the value instead of
/// copying it.
impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        self.expose().as_bytes()
    }
}

macro_rules! secret_type {
    ($(#[$meta:meta])* $name:ident, $label:literal) => {
        $(#[$meta])*
        ///
        /// Cloning it shares the value instead of copying it.
        #[derive(Clone)]
        pub struct $name(Shared);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(Shared::new(value.into()))
            }

            /// Reads the secret. Call it only where the value is sent on the wire.
            pub fn expose_secret(&self) -> &str {
                self.0.expose()
            }
        }

        /// The value, shared, for a request's header.
        impl From<&$name> for Shared {
            fn from(secret: &$name) -> Self {
                secret.0.clone()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!($label, "(<redacted>)"))
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::new(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::new(value)
            }
        }

        impl PartialEq for $name {
            /// Compares in time independent of where the values first differ.
            fn eq(&self, other: &Self) -> bool {
                constant_time_eq(self.expose_secret().as_bytes(), other.expose_secret().as_bytes())
            }
        }

        impl Eq for $name {}

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d).map(Self::new)
            }
        }
    };
}

secret_type!(
    /// The `CLIENT_SECRET` of a Pluggy application, traded for an API key at `POST /auth`.
    ClientSecret,
    "ClientSecret"
);
secret_type!(
    /// An API key: the 2-hour credential that opens the whole API.
    ApiKey,
    "ApiKey"
);
secret_type!(
    /// A connect token: the 30-minute credential Pluggy Connect uses for one connection.
    ConnectToken,
    "ConnectToken"
);
secret_type!(
    /// One item credential value (a bank password, an MFA code, …).
    CredentialValue,
    "CredentialValue"
);

/// Compares two byte strings without an early exit on the first difference.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let values = [
            format!("{:?}", ClientSecret::new("s3cr3t-client")),
            format!("{:?}", ApiKey::new("s3cr3t-client")),
            format!("{:?}", ConnectToken::new("s3cr3t-client")),
            format!("{:?}", CredentialValue::new("s3cr3t-client")),
            format!("{:#?}", Some(ApiKey::new("s3cr3t-client"))),
        ];
        for v in values {
            assert!(!v.contains("s3cr3t"), "{v}");
            assert!(v.contains("redacted"), "{v}");
        }
    }

    #[test]
    fn expose_returns_the_value_and_eq_compares_it() {
        let a = ApiKey::new("abc");
        assert_eq!(a.expose_secret(), "abc");
        assert_eq!(a, ApiKey::from("abc"));
        assert_ne!(a, ApiKey::from("abd"));
        assert_ne!(a, ApiKey::from("abcd"));
    }

    #[test]
    fn deserializes_from_a_json_string() {
        let t: ConnectToken = serde_json::from_str("\"tok\"").unwrap();
        assert_eq!(t.expose_secret(), "tok");
    }
}
