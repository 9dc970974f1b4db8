//! The shape of one API operation. The table of operations itself is generated from `spec/`
//! (see [`crate::endpoints`]); this module holds the types it is written in.

use std::fmt;

/// An HTTP method used by the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PATCH`
    Patch,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method as written on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who may call an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// No credential at all (`POST /auth`).
    Public,
    /// An API key only. A connect token is refused.
    ApiKey,
    /// An API key, or a connect token within the given item binding.
    ConnectToken(ItemBinding),
}

/// How an operation open to connect tokens relates to the token's items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemBinding {
    /// Not about an item (listing connectors, validating credentials).
    Unbound,
    /// Creates a new item, which then belongs to the token.
    CreatesItem,
    /// The item named by the `{id}` path parameter must belong to the token.
    PathItem,
    /// The item named by the `itemId` query parameter must belong to the token.
    QueryItem,
}

/// What a connect token sees of an operation's result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// The whole resource.
    Full,
    /// The reduced view: identification fields only (see [`crate::REDUCED_ACCOUNT_FIELDS`]).
    Reduced,
}

/// Whether sending an operation twice is safe, which decides automatic retries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Idempotency {
    /// Reads, deletes and full replacements: repeating changes nothing more.
    Idempotent,
    /// Not idempotent, but a duplicate only mints an extra credential (`/auth`,
    /// `/connect_token`), so it may be retried.
    SafeToRepeat,
    /// Repeating may act twice (for `POST /items`, open a second bank connection).
    /// Never retried automatically.
    NotIdempotent,
}

/// One operation of the API, as the generated table describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The operation id from the spec, e.g. `items-retrieve`.
    pub name: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path template, e.g. `/items/{id}`.
    pub path: &'static str,
    /// `METHOD /path/{template}`, the name errors, logs and emulator statistics use.
    pub route: &'static str,
    /// The names of the path template's parameters, in order.
    pub path_params: &'static [&'static str],
    /// The query parameters the operation accepts.
    pub query_params: &'static [&'static str],
    /// Whether the operation takes a JSON request body.
    pub has_body: bool,
    /// Who may call it.
    pub access: Access,
    /// What a connect token sees of the result.
    pub connect_token_view: View,
    /// Whether a retry is safe.
    pub idempotency: Idempotency,
    /// The documented per-minute rate limit, when one is known.
    pub rate_limit_per_minute: Option<u32>,
}

impl Endpoint {
    /// Whether 5xx answers and transport failures may be retried.
    pub fn retryable(&self) -> bool {
        !matches!(self.idempotency, Idempotency::NotIdempotent)
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.route)
    }
}
