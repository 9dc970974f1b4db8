//! The default transport: a ureq 3 agent over rustls (ring). Error statuses are answers, not
//! errors; redirects are never followed; connections are reused; every request has connect and
//! whole-call deadlines.

use std::time::Duration;

use pluggy_core::endpoint::Method;
use pluggy_core::http::append_http_headers;
use pluggy_core::{
    BlockingTransport, PreparedRequest, RawResponse, TransportError, TransportErrorKind,
};
use ureq::http;

/// Settings of a [`UreqTransport`].
#[derive(Clone, Debug)]
pub struct UreqTransportConfig {
    /// Time allowed to open a connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// Time allowed for a whole request: connect, send, and read the complete answer.
    pub request_timeout: Duration,
    /// Largest answer body accepted, in bytes.
    pub max_response_bytes: u64,
    /// Idle connections kept per host, so that threads calling at once reuse connections.
    pub pool_max_idle_per_host: usize,
}

impl Default for UreqTransportConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_response_bytes: 64 * 1024 * 1024,
            pool_max_idle_per_host: 32,
        }
    }
}

/// A ureq agent configured for the Pluggy API.
#[derive(Clone)]
pub struct UreqTransport {
    agent: ureq::Agent,
    config: UreqTransportConfig,
}

impl std::fmt::Debug for UreqTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UreqTransport")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Default for UreqTransport {
    fn default() -> Self {
        Self::with_config(UreqTransportConfig::default())
    }
}

impl UreqTransport {
    /// A transport with default settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// A transport with the given settings.
    pub fn with_config(config: UreqTransportConfig) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(config.connect_timeout))
            .timeout_global(Some(config.request_timeout))
            .max_idle_connections(config.pool_max_idle_per_host.saturating_mul(2))
            .max_idle_connections_per_host(config.pool_max_idle_per_host)
            .build()
            .new_agent();
        Self { agent, config }
    }
}

impl BlockingTransport for UreqTransport {
    fn send(&self, mut req: PreparedRequest) -> Result<RawResponse, TransportError> {
        let invalid = |what: String| TransportError::new(TransportErrorKind::InvalidRequest, what);
        let method = match req.method() {
            Method::Get => http::Method::GET,
            Method::Post => http::Method::POST,
            Method::Patch => http::Method::PATCH,
            Method::Put => http::Method::PUT,
            Method::Delete => http::Method::DELETE,
        };
        let body = req.take_body().map(|b| b.into_bytes()).unwrap_or_default();
        // The URL is handed over, not copied: the URI parses the `String` in place.
        let mut builder = http::Request::builder().method(method).uri(req.take_url());
        if let Some(headers) = builder.headers_mut() {
            append_http_headers(req.headers(), headers)?;
        }
        let request = builder
            .body(body)
            .map_err(|e| invalid(format!("could not build the request: {e}")))?;
        let response = self.agent.run(request).map_err(ureq_error)?;
        // The answer's header map is handed over, not copied.
        let (head, body) = response.into_parts();
        let body = body
            .into_with_config()
            .limit(self.config.max_response_bytes)
            .read_to_vec()
            .map_err(ureq_error)?;
        Ok(RawResponse::from_http(head, body))
    }
}

fn ureq_error(e: ureq::Error) -> TransportError {
    let kind = match &e {
        ureq::Error::Timeout(_) => TransportErrorKind::Timeout,
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => TransportErrorKind::Connect,
        ureq::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::ConnectionRefused => TransportErrorKind::Connect,
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                TransportErrorKind::Timeout
            }
            _ => TransportErrorKind::Closed,
        },
        ureq::Error::Protocol(_) => TransportErrorKind::Closed,
        ureq::Error::BadUri(_) | ureq::Error::Http(_) => TransportErrorKind::InvalidRequest,
        _ => TransportErrorKind::Other,
    };
    TransportError::new(kind, e.to_string())
}
