//! What a server gives its clients, and the refusals it answers when they ask for more.

use std::fmt;
use std::time::Duration;

use hyper::StatusCode;

/// How much a server gives to its clients. Every limit is configurable so that tests can run
/// them in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Time a client has to send a whole request head (request line and headers), counted
    /// from the connection or from the end of the previous answer. A connection that sent no
    /// request yet is answered 408 when it passes; a kept-alive connection waiting for its next
    /// request is closed without an answer, so this is also the idle timeout.
    pub header_timeout: Duration,
    /// Time a client has to send the whole body once the head has arrived; 408 when it passes.
    pub body_timeout: Duration,
    /// Largest request head accepted; hyper answers 431 beyond it.
    pub max_head_bytes: usize,
    /// Largest request body accepted, declared or sent; 413 beyond it.
    pub max_body_bytes: usize,
    /// Most connections served at once. One more is answered 503 (`Retry-After: 1`) and closed
    /// at once. Zero refuses every connection.
    pub max_connections: usize,
    /// On shutdown, how long open connections may take to finish their current request
    /// before they are cut.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_head_bytes: 16 * 1024,
            max_body_bytes: 1024 * 1024,
            max_connections: 64,
            shutdown_grace: Duration::from_secs(1),
        }
    }
}

/// A request or connection the server answered itself, without calling the handler. Its
/// `Display` says what happened in terms of the limit; it never carries request data.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// A connection's first request head did not arrive in time (408).
    HeadTimeout {
        /// [`Limits::header_timeout`].
        limit: Duration,
    },
    /// A body did not arrive in time (408).
    BodyTimeout {
        /// [`Limits::body_timeout`].
        limit: Duration,
    },
    /// A body was larger than allowed (413).
    TooLarge {
        /// [`Limits::max_body_bytes`].
        limit: usize,
    },
    /// The connection bound was reached (503). Reported once each time the bound is reached,
    /// not once per connection refused while it holds.
    Busy {
        /// [`Limits::max_connections`].
        max_connections: usize,
    },
}

impl Refusal {
    /// The status it was answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Refusal::HeadTimeout { .. } | Refusal::BodyTimeout { .. } => {
                StatusCode::REQUEST_TIMEOUT
            }
            Refusal::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Refusal::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::HeadTimeout { limit } => write!(
                f,
                "the request head did not arrive whole within {} ms",
                limit.as_millis()
            ),
            Refusal::BodyTimeout { limit } => write!(
                f,
                "the request body did not arrive whole within {} ms",
                limit.as_millis()
            ),
            Refusal::TooLarge { limit } => write!(f, "the body is larger than {limit} bytes"),
            Refusal::Busy { max_connections } => write!(
                f,
                "{max_connections} connections are open already: more are refused until one ends"
            ),
        }
    }
}
