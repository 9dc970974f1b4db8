//! Typed requests: one call of an operation together with the type its answer decodes into,
//! and the description of each entry of the operation list.

use std::fmt;

use serde::de::DeserializeOwned;

use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::http::{Call, RawResponse, parse_response};

/// How a 2xx answer becomes the request's output.
pub type Decoder<T> = fn(&'static Endpoint, RawResponse) -> Result<T, Error>;

/// One call of an operation and the decoder of its answer: what a driver executes.
///
/// A request whose arguments were invalid (a body that could not be encoded, a webhook header
/// HTTP cannot carry) holds that error; executing it fails at once, with nothing sent.
pub struct Request<T> {
    call: Result<Call, Error>,
    decode: Decoder<T>,
}

impl<T> fmt::Debug for Request<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("call", &self.call)
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned> Request<T> {
    /// A request whose answer is JSON decoding into `T`.
    pub fn new(call: impl IntoCall) -> Self {
        Self {
            call: call.into_call(),
            decode: decode_json::<T>,
        }
    }
}

impl Request<RawResponse> {
    /// A request answered raw: the 2xx [`RawResponse`] itself.
    pub fn raw(call: impl IntoCall) -> Self {
        Self {
            call: call.into_call(),
            decode: |_, raw| Ok(raw),
        }
    }
}

impl<T> Request<T> {
    /// A request with its own decoder (`POST /auth` reads its key this way).
    pub fn with_decoder(call: impl IntoCall, decode: Decoder<T>) -> Self {
        Self {
            call: call.into_call(),
            decode,
        }
    }

    /// The call, or why it could not be built.
    pub fn call(&self) -> Result<&Call, &Error> {
        self.call.as_ref()
    }

    /// The call and the decoder, apart.
    pub fn into_parts(self) -> (Result<Call, Error>, Decoder<T>) {
        (self.call, self.decode)
    }

    /// The same request on another call of the same answer type (a pager's next page).
    pub(crate) fn with_call(&self, call: Result<Call, Error>) -> Self {
        Self {
            call,
            decode: self.decode,
        }
    }
}

fn decode_json<T: DeserializeOwned>(
    endpoint: &'static Endpoint,
    raw: RawResponse,
) -> Result<T, Error> {
    parse_response(endpoint, &raw)
}

/// What a request constructor may produce: a call, or the error that kept it from being built.
pub trait IntoCall {
    /// The call, or the error.
    fn into_call(self) -> Result<Call, Error>;
}

impl IntoCall for Call {
    fn into_call(self) -> Result<Call, Error> {
        Ok(self)
    }
}

impl IntoCall for Result<Call, Error> {
    fn into_call(self) -> Result<Call, Error> {
        self
    }
}

/// A typed request used where a call is wanted (a client's `raw`): its decoder is dropped.
impl<T> IntoCall for Request<T> {
    fn into_call(self) -> Result<Call, Error> {
        self.call
    }
}

/// Which client offers an operation, following from its access rule in the endpoint table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offered {
    /// Both clients: a connect token may call it on what its scope covers.
    Both,
    /// Both clients; a connect client also takes the created item into its token's scope.
    BothCreatesItem,
    /// `Client` only, in the full view of an operation whose connect-token view is reduced.
    FullView,
    /// `ConnectClient` only: the reduced view of that operation.
    ReducedView,
    /// `Client` only: an API key is required.
    ApiKeyOnly,
    /// `Client` only, through a method of each driver that wraps the answer.
    Wrapped,
}

/// One entry of the operation list, as data: for tests, documentation and tools.
#[derive(Clone, Copy, Debug)]
pub struct OperationInfo {
    /// The method's name, also the name of its request constructor.
    pub name: &'static str,
    /// The endpoint it calls.
    pub endpoint: &'static Endpoint,
    /// Which client offers it.
    pub offered: Offered,
}

/// The answer of a call whose body carries nothing to read (a delete, a cancel, a 204): any
/// JSON, or none, is accepted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Acknowledged;

impl<'de> serde::Deserialize<'de> for Acknowledged {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(deserializer).map(|_| Acknowledged)
    }
}
