//! Requests as data: building a [`PreparedRequest`] from a [`Call`] on the endpoint table, and
//! turning a [`RawResponse`] into a typed result or a typed [`Error`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroize;

use crate::endpoint::{Access, Endpoint, ItemBinding};
use crate::endpoints;
use crate::error::{ApiError, AuthFailure, Error, ErrorBody};
use crate::secret::{self, ApiKey, ConnectToken};

/// Everything but RFC 3986's unreserved characters is percent-encoded, in path segments and
/// query values alike (so `+`, `/`, `&`, `=` and `,` inside a value survive the trip).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The API's base URL: scheme, host, optional port and an optional path prefix that every
/// request keeps (`https://proxy.example/pluggy` sends `GET /pluggy/items/…`).
#[derive(Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// `scheme://authority` followed by the path prefix, without a trailing slash.
    base: String,
}

impl BaseUrl {
    /// Pluggy's production API, where the sandbox connectors live too.
    pub const DEFAULT: &'static str = "https://api.pluggy.ai";

    /// Parses and checks a base URL: `http` or `https`, a host, no query, fragment or
    /// credentials.
    pub fn parse(url: &str) -> Result<Self, Error> {
        let bad = |why: &str| Error::InvalidInput(format!("base URL {url:?} {why}"));
        let url = url.trim();
        let rest = if let Some(r) = url.strip_prefix("https://") {
            r
        } else if let Some(r) = url.strip_prefix("http://") {
            r
        } else {
            return Err(bad("must start with http:// or https://"));
        };
        if url.contains(['?', '#']) {
            return Err(bad("must not have a query or fragment"));
        }
        if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("must not contain spaces or control characters"));
        }
        let authority = rest.split('/').next().unwrap_or_default();
        if authority.is_empty() {
            return Err(bad("has no host"));
        }
        if authority.contains('@') {
            return Err(bad("must not carry credentials"));
        }
        Ok(Self {
            base: url.trim_end_matches('/').to_owned(),
        })
    }

    /// The base URL as given, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.base
    }
}

impl Default for BaseUrl {
    fn default() -> Self {
        Self {
            base: Self::DEFAULT.to_owned(),
        }
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BaseUrl({:?})", self.base)
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base)
    }
}

impl std::str::FromStr for BaseUrl {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

/// A request body. Its bytes are zeroized when dropped, since bodies carry client secrets
/// (`/auth`) and bank credentials (`/items`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Body(Vec<u8>);

impl Body {
    /// Wraps bytes.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The bytes to send.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Takes the bytes out; the caller is then responsible for them.
    pub fn into_bytes(mut self) -> Vec<u8> {
        std::mem::take(&mut self.0)
    }
}

impl Drop for Body {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Body(<{} bytes>)", self.0.len())
    }
}

/// One request header. Sensitive values (`X-API-KEY`) are redacted in `Debug`, shared with
/// the credential they come from rather than copied (so that the one copy is zeroized when the
/// credential is dropped), and should be marked sensitive by transports (HTTP/2 HPACK "never
/// indexed").
#[derive(Clone)]
pub struct Header {
    name: &'static str,
    value: Value,
}

/// A header's value, by where it lives.
#[derive(Clone)]
enum Value {
    /// One of core's constants (`application/json`).
    Constant(&'static str),
    /// Text that may be logged, shared by every request that sends it (the `User-Agent`).
    Text(Arc<str>),
    /// A secret, shared with the credential it belongs to.
    Secret(secret::Shared),
}

impl Header {
    /// A header whose value may be logged.
    pub fn new(name: &'static str, value: impl Into<Arc<str>>) -> Self {
        Self {
            name,
            value: Value::Text(value.into()),
        }
    }

    /// A header whose value is one of core's constants (`application/json`): nothing is
    /// allocated, and transports can use the value without copying it.
    fn constant(name: &'static str, value: &'static str) -> Self {
        Self {
            name,
            value: Value::Constant(value),
        }
    }

    /// A header whose value is a secret.
    pub fn sensitive(name: &'static str, value: impl Into<String>) -> Self {
        Self::secret(name, secret::Shared::new(value.into()))
    }

    /// A header carrying `secret`, which it shares instead of copying.
    fn secret(name: &'static str, secret: secret::Shared) -> Self {
        Self {
            name,
            value: Value::Secret(secret),
        }
    }

    /// The header name (lower case).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The header value. For a sensitive header this is the secret itself.
    pub fn value(&self) -> &str {
        match &self.value {
            Value::Constant(value) => value,
            Value::Text(value) => value,
            Value::Secret(value) => value.expose(),
        }
    }

    /// Whether the value is a secret.
    pub fn is_sensitive(&self) -> bool {
        matches!(self.value, Value::Secret(_))
    }

    /// The value when it is a constant of core's, valid as an HTTP header value: a transport
    /// may build its header from it without copying or checking it again.
    pub fn static_value(&self) -> Option<&'static str> {
        match self.value {
            Value::Constant(value) => Some(value),
            _ => None,
        }
    }

    /// The value as [`Bytes`], for transports whose header values are built on them
    /// (`http::HeaderValue::from_maybe_shared`). A secret's bytes are shared with the
    /// credential, not copied, so the request leaves no copy of the secret behind when it is
    /// dropped; a constant is not copied either.
    pub fn value_bytes(&self) -> Bytes {
        match &self.value {
            Value::Constant(value) => Bytes::from_static(value.as_bytes()),
            Value::Text(value) => Bytes::copy_from_slice(value.as_bytes()),
            Value::Secret(value) => Bytes::from_owner(value.clone()),
        }
    }
}

impl PartialEq for Header {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.is_sensitive() == other.is_sensitive()
            && crate::secret::constant_time_eq(self.value().as_bytes(), other.value().as_bytes())
    }
}

impl Eq for Header {}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_sensitive() {
            write!(f, "{}: <redacted>", self.name)
        } else {
            write!(f, "{}: {:?}", self.name, self.value())
        }
    }
}

/// The credential a request is sent with.
#[derive(Clone, Copy, Debug)]
pub enum Credential<'a> {
    /// No credential (`POST /auth`).
    None,
    /// An API key.
    ApiKey(&'a ApiKey),
    /// A connect token.
    ConnectToken(&'a ConnectToken),
}

/// A request ready for a transport: method, absolute URL, headers and body.
#[derive(Clone, Debug)]
pub struct PreparedRequest {
    endpoint: &'static Endpoint,
    url: String,
    headers: Vec<Header>,
    body: Option<Body>,
}

impl PreparedRequest {
    /// The operation this request performs.
    pub fn endpoint(&self) -> &'static Endpoint {
        self.endpoint
    }

    /// The HTTP method.
    pub fn method(&self) -> crate::endpoint::Method {
        self.endpoint.method
    }

    /// The absolute URL, path and query percent-encoded.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Takes the URL out, for transports that parse it into a URI of their own without
    /// copying it; [`url`](Self::url) is empty afterwards.
    pub fn take_url(&mut self) -> String {
        std::mem::take(&mut self.url)
    }

    /// The headers to send.
    pub fn headers(&self) -> &[Header] {
        &self.headers
    }

    /// The body to send, if any.
    pub fn body(&self) -> Option<&Body> {
        self.body.as_ref()
    }

    /// Takes the body out, for transports that need to own it.
    pub fn take_body(&mut self) -> Option<Body> {
        self.body.take()
    }
}

/// The header fields of an answer, in the order received. A transport built on the `http`
/// crate hands over the map its client read, which is kept as it is (with the `http`
/// feature); any other transport copies the fields into one buffer, with two allocations
/// whatever their number. Names are compared case-insensitively, and a field whose value is
/// not visible ASCII (the only text HTTP guarantees) is left out of every reading.
#[derive(Clone, Default)]
pub struct Headers(Fields);

/// Where an answer's fields live.
#[derive(Clone)]
enum Fields {
    /// Every name and value in one buffer; for each field, where its name ends and where its
    /// value ends in `text`.
    Text {
        text: String,
        ends: Vec<(usize, usize)>,
    },
    /// The map an HTTP client built on the `http` crate read.
    #[cfg(feature = "http")]
    Map(::http::HeaderMap),
}

impl Default for Fields {
    fn default() -> Self {
        Self::Text {
            text: String::new(),
            ends: Vec::new(),
        }
    }
}

impl Headers {
    /// No fields.
    pub fn new() -> Self {
        Self::default()
    }

    /// Room for `fields` fields whose names and values add up to `bytes` bytes.
    pub fn with_capacity(fields: usize, bytes: usize) -> Self {
        Self(Fields::Text {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(fields),
        })
    }

    /// A copy of the fields a transport received, in one buffer sized up front: `fields`
    /// lists them as sent (name, value bytes) and is called twice, once to size the buffer
    /// and once to fill it. A field whose value is not visible ASCII (the only text HTTP
    /// guarantees, as `http::HeaderValue::to_str` reads it) is left out.
    pub fn copy_of<'a, I>(fields: impl Fn() -> I) -> Self
    where
        I: Iterator<Item = (&'a str, &'a [u8])>,
    {
        let text = |(name, value): (&'a str, &'a [u8])| Some((name, visible_ascii(value)?));
        let (count, bytes) = fields()
            .filter_map(text)
            .fold((0, 0), |(count, bytes), (name, value)| {
                (count + 1, bytes + name.len() + value.len())
            });
        let mut headers = Self::with_capacity(count, bytes);
        for (name, value) in fields().filter_map(text) {
            headers.push(name, value);
        }
        headers
    }

    /// Appends a field. Fields kept as an HTTP client's map are copied into one buffer first.
    pub fn push(&mut self, name: &str, value: &str) {
        match &mut self.0 {
            Fields::Text { text, ends } => {
                text.push_str(name);
                let name_end = text.len();
                text.push_str(value);
                ends.push((name_end, text.len()));
            }
            #[cfg(feature = "http")]
            Fields::Map(map) => {
                let mut copied: Headers = map_fields(map).collect();
                copied.push(name, value);
                *self = copied;
            }
        }
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        match &self.0 {
            Fields::Text { ends, .. } => ends.len(),
            #[cfg(feature = "http")]
            Fields::Map(_) => self.iter().count(),
        }
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The fields, as `(name, value)`, in the order received.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let (text, map) = match &self.0 {
            Fields::Text { text, ends } => (Some((text, ends)), None),
            #[cfg(feature = "http")]
            Fields::Map(map) => (None, Some(map)),
        };
        let text = text.into_iter().flat_map(|(text, ends)| {
            let mut start = 0;
            ends.iter().map(move |&(name_end, value_end)| {
                let field = (&text[start..name_end], &text[name_end..value_end]);
                start = value_end;
                field
            })
        });
        text.chain(map.into_iter().flat_map(map_fields))
    }

    /// The first value of the field `name`, compared case-insensitively.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }
}

/// The fields of an HTTP client's map that [`Headers`] reads: those with visible-ASCII values.
#[cfg(feature = "http")]
fn map_fields(map: &::http::HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    map.iter()
        .filter_map(|(name, value)| Some((name.as_str(), visible_ascii(value.as_bytes())?)))
}

/// Without the `http` feature there is no map to read.
#[cfg(not(feature = "http"))]
fn map_fields(never: &std::convert::Infallible) -> std::iter::Empty<(&str, &str)> {
    match *never {}
}

/// `value` as text when every byte is visible ASCII, a space or a tab.
fn visible_ascii(value: &[u8]) -> Option<&str> {
    let visible = value
        .iter()
        .all(|&b| b == b'\t' || (b' '..=b'~').contains(&b));
    std::str::from_utf8(value).ok().filter(|_| visible)
}

impl<N: AsRef<str>, V: AsRef<str>> FromIterator<(N, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(fields: I) -> Self {
        let mut headers = Self::new();
        for (name, value) in fields {
            headers.push(name.as_ref(), value.as_ref());
        }
        headers
    }
}

/// The fields of an answer read by an HTTP client built on the `http` crate (hyper, ureq),
/// copied by [`Headers::copy_of`]'s rule.
#[cfg(feature = "http")]
impl From<&::http::HeaderMap> for Headers {
    fn from(fields: &::http::HeaderMap) -> Self {
        Self::copy_of(|| {
            fields
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_bytes()))
        })
    }
}

/// A request's headers for an HTTP client built on the `http` crate (hyper, ureq), appended
/// to `fields`. Core's constants are used as they are; a secret's value is shared with its
/// credential, not copied, and marked sensitive. Fails with
/// [`TransportErrorKind::InvalidRequest`](crate::TransportErrorKind::InvalidRequest), naming
/// the header but not its value, when a value has a character HTTP forbids.
#[cfg(feature = "http")]
pub fn append_http_headers(
    headers: &[Header],
    fields: &mut ::http::HeaderMap,
) -> Result<(), crate::TransportError> {
    use ::http::{HeaderName, HeaderValue};
    fields.reserve(headers.len());
    for header in headers {
        let value = match header.static_value() {
            Some(value) => Ok(HeaderValue::from_static(value)),
            None => HeaderValue::from_maybe_shared(header.value_bytes()),
        };
        let mut value = value.map_err(|_| {
            crate::TransportError::new(
                crate::TransportErrorKind::InvalidRequest,
                format!("the {} header has characters HTTP forbids", header.name()),
            )
        })?;
        value.set_sensitive(header.is_sensitive());
        fields.append(HeaderName::from_static(header.name()), value);
    }
    Ok(())
}

impl From<Vec<(String, String)>> for Headers {
    fn from(fields: Vec<(String, String)>) -> Self {
        fields.into_iter().collect()
    }
}

/// The map an HTTP client built on the `http` crate read (hyper, ureq), kept without a copy.
#[cfg(feature = "http")]
impl From<::http::HeaderMap> for Headers {
    fn from(map: ::http::HeaderMap) -> Self {
        Self(Fields::Map(map))
    }
}

/// Two sets of fields are equal when they read the same, field by field.
impl PartialEq for Headers {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Headers {}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// A complete HTTP answer as a transport received it.
#[derive(Clone, PartialEq, Eq)]
pub struct RawResponse {
    status: u16,
    headers: Headers,
    body: Bytes,
}

impl RawResponse {
    /// Builds a response from its parts: `headers` is a [`Headers`], or a list of
    /// `(name, value)` pairs; `body` is a `Vec<u8>`, or the [`Bytes`] an HTTP client read,
    /// kept without a copy.
    pub fn new(status: u16, headers: impl Into<Headers>, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            headers: headers.into(),
            body: body.into(),
        }
    }

    /// An answer an HTTP client built on the `http` crate read: its status, its header map
    /// (kept, not copied) and the body read from it.
    #[cfg(feature = "http")]
    pub fn from_http(head: ::http::response::Parts, body: impl Into<Bytes>) -> Self {
        Self::new(head.status.as_u16(), head.headers, body)
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The body bytes.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The headers, as received.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    /// `Retry-After` as a delay, when it is a number of seconds.
    pub fn retry_after(&self) -> Option<Duration> {
        self.header("retry-after")?
            .trim()
            .parse::<u64>()
            .ok()
            .map(Duration::from_secs)
    }
}

impl fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Bodies can hold API keys and connect tokens (`/auth`, `/connect_token`): never print them.
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

/// One call of an operation, before a credential is attached: which endpoint, with which path
/// parameters, query and body. Prepare it again for each attempt (the key may have changed).
#[derive(Clone, Debug)]
pub struct Call {
    endpoint: &'static Endpoint,
    path: Vec<(&'static str, String)>,
    query: Vec<(String, String)>,
    raw_query: Option<String>,
    body: Option<Body>,
}

impl Call {
    /// Starts a call of `endpoint`.
    pub fn new(endpoint: &'static Endpoint) -> Self {
        Self {
            endpoint,
            path: Vec::new(),
            query: Vec::new(),
            raw_query: None,
            body: None,
        }
    }

    /// The operation.
    pub fn endpoint(&self) -> &'static Endpoint {
        self.endpoint
    }

    /// Sets a path parameter (`{id}`); the value is percent-encoded as one segment.
    pub fn path_param(mut self, name: &'static str, value: impl Into<String>) -> Self {
        let value = value.into();
        match self.path.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.path.push((name, value)),
        }
        self
    }

    /// Adds a query parameter; the value is percent-encoded.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Sets a query parameter, replacing any value it had; the value is percent-encoded.
    pub fn set_query(mut self, name: &str, value: impl Into<String>) -> Self {
        let value = value.into();
        match self.query.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.query.push((name.to_owned(), value)),
        }
        self
    }

    /// Adds a query parameter when `value` is `Some`.
    pub fn query_opt<V: Into<String>>(self, name: impl Into<String>, value: Option<V>) -> Self {
        match value {
            Some(v) => self.query(name, v),
            None => self,
        }
    }

    /// Adds an array query parameter, comma-joined as the API expects (`countries=BR,AR`).
    pub fn query_list<I, V>(self, name: impl Into<String>, values: I) -> Self
    where
        I: IntoIterator<Item = V>,
        V: AsRef<str>,
    {
        let joined = values
            .into_iter()
            .map(|v| v.as_ref().to_owned())
            .collect::<Vec<_>>()
            .join(",");
        if joined.is_empty() {
            self
        } else {
            self.query(name, joined)
        }
    }

    /// Uses a query string the API gave back verbatim, such as a cursor page's `next`
    /// (`?accountId=…&after=…`). It replaces any other query parameters and is not re-encoded,
    /// so the cursor reaches the server byte for byte.
    pub fn raw_query(mut self, next: &str) -> Result<Self, Error> {
        let q = next.strip_prefix('?').unwrap_or(next);
        if q.chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '#')
        {
            return Err(Error::InvalidInput(format!(
                "{}: the query string {next:?} contains spaces, control characters or '#'",
                self.endpoint
            )));
        }
        self.query.clear();
        self.raw_query = Some(q.to_owned());
        Ok(self)
    }

    /// Sets the JSON body.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            Error::InvalidInput(format!("{}: could not encode the body: {e}", self.endpoint))
        })?;
        self.body = Some(Body::new(bytes));
        Ok(self)
    }

    /// The value of a path parameter, as given.
    pub fn path_value(&self, name: &str) -> Option<&str> {
        self.path
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of a query parameter, as given (not found in a raw query).
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The item this call is about, per its endpoint's item binding: the `{id}` path parameter
    /// or the `itemId` query parameter (read from a raw query too).
    pub fn item_id(&self) -> Option<String> {
        let binding = match self.endpoint.access {
            Access::ConnectToken(b) => b,
            _ => return None,
        };
        match binding {
            ItemBinding::PathItem => self.path_value("id").map(str::to_owned),
            ItemBinding::QueryItem => {
                if let Some(v) = self.query_value("itemId") {
                    return Some(v.to_owned());
                }
                let raw = self.raw_query.as_deref()?;
                raw.split('&').find_map(|pair| {
                    let (k, v) = pair.split_once('=')?;
                    (k == "itemId").then(|| {
                        percent_encoding::percent_decode_str(v)
                            .decode_utf8_lossy()
                            .into_owned()
                    })
                })
            }
            ItemBinding::Unbound | ItemBinding::CreatesItem => None,
        }
    }

    /// Builds the request for one attempt.
    ///
    /// Fails with [`Error::InvalidInput`] when a path parameter is missing or empty, a query
    /// parameter is not one the operation takes, or a body is given to an operation without one.
    pub fn prepare(
        &self,
        base: &BaseUrl,
        credential: Credential<'_>,
        user_agent: &Arc<str>,
    ) -> Result<PreparedRequest, Error> {
        let ep = self.endpoint;
        let invalid = |why: String| Error::InvalidInput(format!("{ep}: {why}"));
        let mut url = String::with_capacity(base.as_str().len() + ep.path.len() + 64);
        url.push_str(base.as_str());
        let mut rest = ep.path;
        while let Some(open) = rest.find('{') {
            let close = rest[open..]
                .find('}')
                .map(|c| open + c)
                .unwrap_or(rest.len());
            url.push_str(&rest[..open]);
            let name = &rest[open + 1..close];
            let value = self
                .path_value(name)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| {
                    invalid(format!("the path parameter {name:?} is missing or empty"))
                })?;
            url.extend(utf8_percent_encode(value, COMPONENT));
            rest = rest.get(close + 1..).unwrap_or_default();
        }
        url.push_str(rest);
        if let Some(raw) = &self.raw_query {
            if !raw.is_empty() {
                url.push('?');
                url.push_str(raw);
            }
        } else {
            let mut sep = '?';
            for (name, value) in &self.query {
                if !ep.query_params.contains(&name.as_str()) {
                    return Err(invalid(format!(
                        "{name:?} is not a query parameter of this operation (it takes {:?})",
                        ep.query_params
                    )));
                }
                url.push(sep);
                sep = '&';
                url.extend(utf8_percent_encode(name, COMPONENT));
                url.push('=');
                url.extend(utf8_percent_encode(value, COMPONENT));
            }
        }
        if self.body.is_some() && !ep.has_body {
            return Err(invalid("this operation takes no body".to_owned()));
        }
        let mut headers = Vec::with_capacity(4);
        headers.push(Header::constant("accept", "application/json"));
        headers.push(Header::new("user-agent", Arc::clone(user_agent)));
        match credential {
            Credential::None => {}
            Credential::ApiKey(key) => headers.push(Header::secret("x-api-key", key.into())),
            Credential::ConnectToken(token) => {
                headers.push(Header::secret("x-api-key", token.into()))
            }
        }
        if self.body.is_some() {
            headers.push(Header::constant("content-type", "application/json"));
        }
        Ok(PreparedRequest {
            endpoint: ep,
            url,
            headers,
            body: self.body.clone(),
        })
    }
}

/// Turns an answer into the expected type or a typed error.
///
/// 2xx bodies decode into `T` (an empty body decodes as JSON `null`, so `()` and `Option` work).
/// 429 becomes [`Error::RateLimited`]; a refusal of `POST /auth` becomes [`Error::Auth`]; every
/// other error status becomes [`Error::Api`] with the decoded (or raw) body.
pub fn parse_response<T: DeserializeOwned>(
    endpoint: &'static Endpoint,
    raw: &RawResponse,
) -> Result<T, Error> {
    let status = raw.status();
    if (200..300).contains(&status) {
        let body = if raw.body().iter().all(u8::is_ascii_whitespace) {
            b"null".as_slice()
        } else {
            raw.body()
        };
        return serde_json::from_slice(body).map_err(|e| Error::Decode {
            endpoint: endpoint.route,
            status,
            message: describe_decode_error(endpoint, &e),
        });
    }
    Err(error_from_response(endpoint, raw))
}

/// The `codeDescription` of the API's 410 for an operation it has retired for this key.
pub const ENDPOINT_DEPRECATED: &str = "ENDPOINT_DEPRECATED";

/// What replaces a retired operation, as a person would look for it.
fn successor(endpoint: &Endpoint) -> &'static str {
    if endpoint.name == endpoints::TRANSACTIONS_LIST.name {
        "GET /v2/transactions (`transactions` for every transaction, `list_transactions_cursor` for one page)"
    } else {
        "the operation Pluggy's documentation names in its place"
    }
}

/// The typed error for a non-2xx answer.
pub fn error_from_response(endpoint: &'static Endpoint, raw: &RawResponse) -> Error {
    let status = raw.status();
    let body = decode_error_body(raw);
    if status == 429 {
        return Error::RateLimited {
            endpoint: endpoint.route,
            retry_after: raw.retry_after(),
            retry_after_exceeds_budget: false,
        };
    }
    if endpoint.name == endpoints::AUTH_CREATE.name && (400..500).contains(&status) {
        let failure = match body.code_description.as_deref() {
            Some("CLIENT_KEYS_UNAUTHORIZED") => AuthFailure::InvalidClientKeys,
            Some("CLIENT_DISABLED") => AuthFailure::ClientDisabled,
            _ => AuthFailure::Rejected {
                status,
                message: body.message,
            },
        };
        return Error::Auth(failure);
    }
    if status == 410 && body.code_description.as_deref() == Some(ENDPOINT_DEPRECATED) {
        return Error::Retired {
            endpoint: endpoint.route,
            successor: successor(endpoint),
            message: body.message,
        };
    }
    Error::Api(Box::new(ApiError {
        endpoint: endpoint.route,
        status,
        body,
    }))
}

fn decode_error_body(raw: &RawResponse) -> ErrorBody {
    match serde_json::from_slice::<ErrorBody>(raw.body()) {
        Ok(body) => body,
        Err(_) => {
            let text = String::from_utf8_lossy(raw.body());
            let text = text.trim();
            let mut message: String = text.chars().take(200).collect();
            if message.len() < text.len() {
                message.push('…');
            }
            ErrorBody {
                code: Some(i64::from(raw.status())),
                message,
                ..ErrorBody::default()
            }
        }
    }
}

/// serde_json quotes offending string values in its messages; for the operations whose answers
/// are credentials, keep only the position so a malformed key can never reach a log.
fn describe_decode_error(endpoint: &'static Endpoint, e: &serde_json::Error) -> String {
    let secret_bearing = endpoint.name == endpoints::AUTH_CREATE.name
        || endpoint.name == endpoints::CONNECT_TOKEN_CREATE.name;
    if secret_bearing {
        format!(
            "malformed answer ({:?} error at line {} column {})",
            e.classify(),
            e.line(),
            e.column()
        )
    } else {
        e.to_string()
    }
}

/// A minimal request for tests of other modules.
#[cfg(test)]
pub(crate) fn test_request() -> PreparedRequest {
    Call::new(&endpoints::CONNECTORS_LIST)
        .prepare(&BaseUrl::default(), Credential::None, &"test".into())
        .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ua() -> std::sync::Arc<str> {
        "pluggy-rs-test".into()
    }

    #[test]
    fn headers_keep_every_field_in_order_in_one_buffer() {
        let fields = [
            ("content-type", "application/json"),
            ("Retry-After", "2"),
            ("x-empty", ""),
            ("retry-after", "9"),
        ];
        let wire = || {
            fields
                .iter()
                .map(|(n, v)| (*n, v.as_bytes()))
                .chain([("x-binary", b"caf\xc3\xa9".as_slice())])
        };
        let copied = Headers::copy_of(wire);
        let collected: Headers = fields.iter().copied().collect();
        assert_eq!(copied, collected);
        assert_eq!(copied.len(), 4);
        assert_eq!(copied.iter().collect::<Vec<_>>(), fields);
        // The value that is not visible ASCII is left out; one buffer of exactly the kept
        // fields' bytes, nothing allocated per field.
        match &copied.0 {
            Fields::Text { text, ends } => {
                assert_eq!(text.capacity(), text.len());
                assert_eq!(ends.capacity(), ends.len());
            }
            #[cfg(feature = "http")]
            Fields::Map(_) => panic!("a copy is one buffer"),
        }
        assert_eq!(
            copied.get("RETRY-AFTER"),
            Some("2"),
            "the first, by any case"
        );
        assert_eq!(copied.get("x-empty"), Some(""));
        assert_eq!(copied.get("missing"), None);
        let raw = RawResponse::new(429, copied, Vec::new());
        assert_eq!(raw.retry_after(), Some(Duration::from_secs(2)));
        assert_eq!(
            format!("{:?}", raw.headers()),
            r#"[("content-type", "application/json"), ("Retry-After", "2"), ("x-empty", ""), ("retry-after", "9")]"#
        );
        assert!(Headers::new().is_empty());
    }

    #[cfg(feature = "http")]
    #[test]
    fn headers_from_an_http_header_map_follow_the_copy_rule() {
        let mut map = ::http::HeaderMap::new();
        map.append("retry-after", ::http::HeaderValue::from_static("3"));
        map.append(
            "x-binary",
            ::http::HeaderValue::from_bytes(b"caf\xc3\xa9").expect("opaque bytes"),
        );
        map.append(
            "content-type",
            ::http::HeaderValue::from_static("text/plain"),
        );
        let headers = Headers::from(&map);
        assert_eq!(
            headers.iter().collect::<Vec<_>>(),
            [("retry-after", "3"), ("content-type", "text/plain")]
        );
    }

    #[test]
    fn a_request_shares_its_credential_instead_of_copying_it() {
        let key = ApiKey::new("the-one-copy-of-the-key");
        let token = crate::ConnectToken::new("the-one-copy-of-the-token");
        let stored = |secret: &str| secret.as_ptr();
        for (credential, secret) in [
            (Credential::ApiKey(&key), key.expose_secret()),
            (Credential::ConnectToken(&token), token.expose_secret()),
        ] {
            let req = Call::new(&endpoints::CONNECTORS_LIST)
                .prepare(&BaseUrl::default(), credential, &ua())
                .unwrap();
            let header = req
                .headers()
                .iter()
                .find(|h| h.name() == "x-api-key")
                .unwrap();
            // The header, and the bytes a transport sends, point at the credential's storage:
            // dropping the request leaves no copy of the secret in freed memory.
            assert_eq!(header.value().as_ptr(), stored(secret));
            assert_eq!(header.value_bytes().as_ptr(), stored(secret));
            assert_eq!(&header.value_bytes()[..], secret.as_bytes());
            assert_eq!(
                key.clone().expose_secret().as_ptr(),
                stored(key.expose_secret())
            );
        }
    }

    #[cfg(feature = "http")]
    #[test]
    fn http_headers_carry_the_values_and_mark_secrets_sensitive() {
        let key = ApiKey::new("k-123");
        let req = Call::new(&endpoints::CONNECTORS_LIST)
            .prepare(&BaseUrl::default(), Credential::ApiKey(&key), &ua())
            .unwrap();
        let mut fields = ::http::HeaderMap::new();
        super::append_http_headers(req.headers(), &mut fields).unwrap();
        let field = |name: &str| fields.get(name).unwrap();
        assert_eq!(field("accept"), "application/json");
        assert_eq!(field("user-agent"), "pluggy-rs-test");
        assert!(!field("user-agent").is_sensitive());
        assert_eq!(field("x-api-key"), "k-123");
        assert!(field("x-api-key").is_sensitive());

        let bad = [Header::sensitive("x-api-key", "line\nbreak-secret")];
        let err = super::append_http_headers(&bad, &mut ::http::HeaderMap::new()).unwrap_err();
        assert_eq!(err.kind, crate::TransportErrorKind::InvalidRequest);
        assert!(err.message.contains("x-api-key"), "{err}");
        assert!(!err.message.contains("secret"), "{err}");
    }

    #[cfg(feature = "http")]
    #[test]
    fn an_http_header_map_is_kept_and_read_by_the_same_rule() {
        let mut map = ::http::HeaderMap::new();
        map.append("retry-after", ::http::HeaderValue::from_static("3"));
        map.append(
            "x-binary",
            ::http::HeaderValue::from_bytes(b"caf\xc3\xa9").expect("opaque bytes"),
        );
        map.append("x-twice", ::http::HeaderValue::from_static("first"));
        map.append("x-twice", ::http::HeaderValue::from_static("second"));
        let copied = Headers::from(&map);
        let mut kept = Headers::from(map);
        assert!(matches!(kept.0, Fields::Map(_)));
        assert_eq!(kept, copied);
        assert_eq!(
            kept.iter().collect::<Vec<_>>(),
            [
                ("retry-after", "3"),
                ("x-twice", "first"),
                ("x-twice", "second")
            ]
        );
        assert_eq!(kept.len(), 3);
        assert_eq!(kept.get("Retry-After"), Some("3"));
        assert_eq!(kept.get("x-binary"), None);
        let raw = RawResponse::new(429, kept.clone(), Vec::new());
        assert_eq!(raw.retry_after(), Some(Duration::from_secs(3)));
        kept.push("x-added", "yes");
        assert_eq!(kept.len(), 4);
        assert_eq!(kept.get("x-added"), Some("yes"));
        assert_eq!(kept.get("x-twice"), Some("first"));
    }

    #[test]
    fn a_retired_operation_is_a_typed_error_naming_its_successor() {
        let body = br#"{"code":410,"codeDescription":"ENDPOINT_DEPRECATED","message":"Use /v2/transactions"}"#;
        let raw = RawResponse::new(410, Vec::new(), body.to_vec());
        let err = error_from_response(&endpoints::TRANSACTIONS_LIST, &raw);
        assert!(matches!(err, Error::Retired { .. }), "{err:?}");
        assert_eq!(err.status(), Some(410));
        assert!(!err.is_transient());
        let text = err.to_string();
        assert!(
            text.contains("GET /transactions") && text.contains("GET /v2/transactions"),
            "{text}"
        );
        // Any other 410 stays an API error.
        let other = RawResponse::new(
            410,
            Vec::new(),
            br#"{"code":410,"message":"Gone"}"#.to_vec(),
        );
        assert!(matches!(
            error_from_response(&endpoints::TRANSACTIONS_LIST, &other),
            Error::Api(_)
        ));
    }

    #[test]
    fn path_and_query_are_percent_encoded_and_prefix_kept() {
        let base = BaseUrl::parse("https://proxy.example/pluggy/").unwrap();
        let key = ApiKey::new("k");
        let req = Call::new(&endpoints::ITEMS_RETRIEVE)
            .path_param("id", "a/b c")
            .prepare(&base, Credential::ApiKey(&key), &ua())
            .unwrap();
        assert_eq!(req.url(), "https://proxy.example/pluggy/items/a%2Fb%20c");
        let req = Call::new(&endpoints::TRANSACTIONS_LIST)
            .query("accountId", "x+y&z=1")
            .query("from", "2024-01-01")
            .prepare(&base, Credential::ApiKey(&key), &ua())
            .unwrap();
        assert_eq!(
            req.url(),
            "https://proxy.example/pluggy/transactions?accountId=x%2By%26z%3D1&from=2024-01-01"
        );
    }

    #[test]
    fn cursor_query_is_reused_verbatim() {
        let key = ApiKey::new("k");
        let next = "?accountId=abc&after=MjAyMC0xMC0xNVQwMDowMDowMC4wMDBa+fA==";
        let req = Call::new(&endpoints::TRANSACTIONS_LIST_BY_CURSOR)
            .query("accountId", "ignored")
            .raw_query(next)
            .unwrap()
            .prepare(&BaseUrl::default(), Credential::ApiKey(&key), &ua())
            .unwrap();
        assert_eq!(
            req.url(),
            format!("https://api.pluggy.ai/v2/transactions{next}")
        );
        assert!(
            Call::new(&endpoints::TRANSACTIONS_LIST_BY_CURSOR)
                .raw_query("?a=b c")
                .is_err()
        );
    }

    #[test]
    fn missing_path_param_and_unknown_query_are_refused() {
        let err = Call::new(&endpoints::ITEMS_RETRIEVE)
            .prepare(&BaseUrl::default(), Credential::None, &ua())
            .unwrap_err();
        assert!(err.to_string().contains("\"id\" is missing"), "{err}");
        let err = Call::new(&endpoints::ACCOUNTS_LIST)
            .query("itemid", "x")
            .prepare(&BaseUrl::default(), Credential::None, &ua())
            .unwrap_err();
        assert!(err.to_string().contains("not a query parameter"), "{err}");
    }

    #[test]
    fn api_key_header_is_sensitive_and_redacted() {
        let key = ApiKey::new("super-secret-key");
        let req = Call::new(&endpoints::CONNECTORS_LIST)
            .query_list("countries", ["BR", "AR"])
            .prepare(&BaseUrl::default(), Credential::ApiKey(&key), &ua())
            .unwrap();
        assert!(
            req.url().ends_with("/connectors?countries=BR%2CAR"),
            "{}",
            req.url()
        );
        let h = req
            .headers()
            .iter()
            .find(|h| h.name() == "x-api-key")
            .unwrap();
        assert!(h.is_sensitive());
        assert_eq!(h.value(), "super-secret-key");
        assert!(!format!("{req:?}").contains("super-secret"));
    }

    #[test]
    fn base_url_validation() {
        assert!(BaseUrl::parse("ftp://x").is_err());
        assert!(BaseUrl::parse("https://").is_err());
        assert!(BaseUrl::parse("https://u:p@host").is_err());
        assert!(BaseUrl::parse("https://host?x=1").is_err());
        assert_eq!(
            BaseUrl::parse("http://127.0.0.1:8080").unwrap().as_str(),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn responses_become_types_or_typed_errors() {
        #[derive(Debug, serde::Deserialize)]
        struct Count {
            count: u32,
        }
        let ok = RawResponse::new(200, vec![], br#"{"count":1,"extra":true}"#.to_vec());
        assert_eq!(
            parse_response::<Count>(&endpoints::ITEMS_DELETE, &ok)
                .unwrap()
                .count,
            1
        );

        let nf = RawResponse::new(
            404,
            vec![],
            br#"{"code":404,"codeDescription":"ITEM_NOT_FOUND","message":"item not found"}"#
                .to_vec(),
        );
        let e = parse_response::<Count>(&endpoints::ITEMS_RETRIEVE, &nf).unwrap_err();
        assert_eq!(e.api().unwrap().code_description(), Some("ITEM_NOT_FOUND"));

        let limited = RawResponse::new(
            429,
            vec![("Retry-After".into(), "60".into())],
            b"{}".to_vec(),
        );
        match parse_response::<Count>(&endpoints::ITEMS_RETRIEVE, &limited).unwrap_err() {
            Error::RateLimited { retry_after, .. } => {
                assert_eq!(retry_after, Some(Duration::from_secs(60)))
            }
            other => panic!("{other:?}"),
        }

        let bad_keys = RawResponse::new(
            401,
            vec![],
            br#"{"code":401,"codeDescription":"CLIENT_KEYS_UNAUTHORIZED","message":"Client keys are invalid"}"#.to_vec(),
        );
        assert!(matches!(
            parse_response::<Count>(&endpoints::AUTH_CREATE, &bad_keys).unwrap_err(),
            Error::Auth(AuthFailure::InvalidClientKeys)
        ));

        let html = RawResponse::new(502, vec![], b"<html>bad gateway</html>".to_vec());
        let e = parse_response::<Count>(&endpoints::ITEMS_RETRIEVE, &html).unwrap_err();
        assert!(e.to_string().contains("bad gateway"), "{e}");
        assert!(e.is_transient());
    }

    #[test]
    fn decode_errors_of_credential_answers_never_echo_values() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Auth {
            #[serde(rename = "apiKey")]
            api_key: u64,
        }
        let raw = RawResponse::new(200, vec![], br#"{"apiKey":"leaky-secret"}"#.to_vec());
        let e = parse_response::<Auth>(&endpoints::AUTH_CREATE, &raw).unwrap_err();
        assert!(!e.to_string().contains("leaky"), "{e}");
        assert!(!format!("{raw:?}").contains("leaky"));
    }
}
