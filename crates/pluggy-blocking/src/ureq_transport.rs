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
        // A request without content whose method anticipates none (GET, DELETE) announces
        // no length (RFC 9110, section 8.6); any other carries its bytes, `content-length: 0`
        // when there are none.
        let body = match req.take_body() {
            Some(body) => Some(body.into_bytes()),
            None if matches!(method, http::Method::GET | http::Method::DELETE) => None,
            None => Some(Vec::new()),
        };
        // The URL is handed over, not copied: the URI parses the `String` in place.
        let mut builder = http::Request::builder().method(method).uri(req.take_url());
        if let Some(headers) = builder.headers_mut() {
            append_http_headers(req.headers(), headers)?;
        }
        let unbuilt = |e: http::Error| invalid(format!("could not build the request: {e}"));
        let response = match body {
            Some(bytes) => self.agent.run(builder.body(bytes).map_err(unbuilt)?),
            None => self.agent.run(builder.body(()).map_err(unbuilt)?),
        }
        .map_err(ureq_error)?;
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

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use pluggy_core::http::Credential;
    use pluggy_core::models::ItemParameters;
    use pluggy_core::{ApiKey, BaseUrl, BlockingTransport, ConnectorId, IntoCall, ItemId, calls};

    use super::UreqTransport;

    /// Sends `call` through the transport to a one-answer server on 127.0.0.1 and returns the
    /// request as the server read it, head and body.
    fn sent(call: impl IntoCall) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().expect("accept");
            let mut read = Vec::new();
            let mut buf = [0u8; 4096];
            // The head, then as many body bytes as it announces.
            loop {
                let n = stream.read(&mut buf).expect("read");
                if n == 0 {
                    break;
                }
                read.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&read);
                let Some(end) = text.find("\r\n\r\n") else {
                    continue;
                };
                let length = text[..end]
                    .lines()
                    .find_map(|line| line.strip_prefix("content-length: "))
                    .map_or(0, |n| n.trim().parse::<usize>().expect("length"));
                if read.len() >= end + 4 + length {
                    break;
                }
            }
            stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
                .expect("write");
            String::from_utf8(read).expect("UTF-8 request")
        });
        let request = call
            .into_call()
            .expect("call")
            .prepare(
                &BaseUrl::parse(&base).expect("base URL"),
                Credential::ApiKey(&ApiKey::new("key")),
                &"test".into(),
            )
            .expect("request");
        let answer = UreqTransport::new().send(request).expect("answer");
        assert_eq!(answer.status(), 200);
        server.join().expect("server")
    }

    #[test]
    fn a_get_or_delete_announces_no_content() {
        for request in [
            sent(calls::get_connector(ConnectorId::new(0))),
            sent(calls::delete_item(&ItemId::new("item-1"))),
        ] {
            let head = request.to_ascii_lowercase();
            assert!(!head.contains("content-length"), "{request}");
            assert!(!head.contains("transfer-encoding"), "{request}");
        }
    }

    #[test]
    fn a_request_with_content_announces_its_length_and_sends_it() {
        let parameters = ItemParameters::new().with("user", "user-ok");
        let request = sent(calls::validate_connector(ConnectorId::new(0), &parameters));
        let (head, body) = request.split_once("\r\n\r\n").expect("a head");
        assert!(head.starts_with("POST /connectors/0/validate "), "{head}");
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
        assert_eq!(body, r#"{"user":"user-ok"}"#);
    }
}
