//! The default transport: hyper-util's pooled HTTP/1.1 client over hyper-rustls with the ring
//! provider. Connections are kept alive and reused; redirects are never followed; every request
//! has a deadline covering connect, send and the whole response body.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderName, HeaderValue};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use pluggy_core::endpoint::Method;
use pluggy_core::{
    AsyncTransport, Headers, PreparedRequest, RawResponse, TransportError, TransportErrorKind,
};

/// Settings of a [`HyperTransport`].
#[derive(Clone, Debug)]
pub struct HyperTransportConfig {
    /// Time allowed to open a TCP connection.
    pub connect_timeout: Duration,
    /// Time allowed for a whole request: connect, send, and read the complete answer.
    pub request_timeout: Duration,
    /// How long an idle pooled connection is kept.
    pub pool_idle_timeout: Duration,
    /// Idle connections kept per host.
    pub pool_max_idle_per_host: usize,
    /// Largest answer body accepted, in bytes.
    pub max_response_bytes: usize,
}

impl Default for HyperTransportConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            pool_idle_timeout: Duration::from_secs(90),
            pool_max_idle_per_host: 32,
            max_response_bytes: 64 * 1024 * 1024,
        }
    }
}

/// hyper-util's pooled client over rustls (ring). Needs a tokio runtime with timers enabled.
#[derive(Clone)]
pub struct HyperTransport {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    config: HyperTransportConfig,
}

impl std::fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperTransport")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl HyperTransport {
    /// A transport with default settings.
    pub fn new() -> Result<Self, TransportError> {
        Self::with_config(HyperTransportConfig::default())
    }

    /// A transport with the given settings.
    pub fn with_config(config: HyperTransportConfig) -> Result<Self, TransportError> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(config.connect_timeout));
        let provider = rustls::crypto::ring::default_provider();
        let tls_error = |e: rustls::Error| {
            TransportError::new(TransportErrorKind::Other, format!("TLS setup failed: {e}"))
        };
        #[cfg(feature = "native-roots")]
        let builder = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(provider)
            .map_err(|e| {
                TransportError::new(
                    TransportErrorKind::Other,
                    format!("no usable native root certificates: {e}"),
                )
            })?;
        #[cfg(not(feature = "native-roots"))]
        let builder = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(provider)
            .map_err(tls_error)?;
        #[cfg(feature = "native-roots")]
        let _ = tls_error;
        let https = builder.https_or_http().enable_http1().wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(config.pool_idle_timeout)
            .pool_max_idle_per_host(config.pool_max_idle_per_host)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(https);
        Ok(Self { client, config })
    }

    async fn exchange(&self, mut req: PreparedRequest) -> Result<RawResponse, TransportError> {
        let invalid = |what: &str| TransportError::new(TransportErrorKind::InvalidRequest, what);
        let method = match req.method() {
            Method::Get => hyper::Method::GET,
            Method::Post => hyper::Method::POST,
            Method::Patch => hyper::Method::PATCH,
            Method::Put => hyper::Method::PUT,
            Method::Delete => hyper::Method::DELETE,
        };
        let body = req
            .take_body()
            .map(|b| Bytes::from(b.into_bytes()))
            .unwrap_or_default();
        // The URL is handed over, not copied: hyper parses the `String` in place.
        let mut builder = hyper::Request::builder().method(method).uri(req.take_url());
        if let Some(headers) = builder.headers_mut() {
            headers.reserve(req.headers().len());
            for h in req.headers() {
                let mut value = match h.static_value() {
                    Some(value) => HeaderValue::from_static(value),
                    None => HeaderValue::from_str(h.value()).map_err(|_| {
                        invalid(&format!(
                            "the {} header has characters HTTP forbids",
                            h.name()
                        ))
                    })?,
                };
                value.set_sensitive(h.is_sensitive());
                headers.append(HeaderName::from_static(h.name()), value);
            }
        }
        let request = builder
            .body(Full::new(body))
            .map_err(|e| invalid(&format!("could not build the request: {e}")))?;
        let response = self.client.request(request).await.map_err(client_error)?;
        let status = response.status().as_u16();
        let headers = Headers::copy_of(|| {
            response
                .headers()
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_bytes()))
        });
        let body = read_body(response.into_body(), self.config.max_response_bytes).await?;
        Ok(RawResponse::new(status, headers, body))
    }
}

/// Reads a whole answer body, of at most `limit` bytes, straight into one buffer sized from
/// its announced length (no intermediate chunk list, no second copy).
async fn read_body(
    mut body: hyper::body::Incoming,
    limit: usize,
) -> Result<Vec<u8>, TransportError> {
    use hyper::body::Body as _;
    /// The most buffer reserved ahead on the word of a `Content-Length`.
    const MAX_RESERVED: usize = 1 << 20;
    let too_big = || {
        TransportError::new(
            TransportErrorKind::Other,
            "reading the answer failed: length limit exceeded",
        )
    };
    let announced = usize::try_from(body.size_hint().lower()).unwrap_or(usize::MAX);
    if announced > limit {
        return Err(too_big());
    }
    let mut bytes = Vec::with_capacity(announced.min(MAX_RESERVED));
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            TransportError::new(
                TransportErrorKind::Closed,
                format!("reading the answer failed: {e}"),
            )
        })?;
        if let Ok(data) = frame.into_data() {
            if data.len() > limit - bytes.len() {
                return Err(too_big());
            }
            bytes.extend_from_slice(&data);
        }
    }
    Ok(bytes)
}

fn client_error(e: hyper_util::client::legacy::Error) -> TransportError {
    let kind = if e.is_connect() {
        TransportErrorKind::Connect
    } else {
        TransportErrorKind::Closed
    };
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    TransportError::new(kind, message)
}

#[async_trait::async_trait]
impl AsyncTransport for HyperTransport {
    async fn send(&self, request: PreparedRequest) -> Result<RawResponse, TransportError> {
        let limit = self.config.request_timeout;
        match tokio::time::timeout(limit, self.exchange(request)).await {
            Ok(result) => result,
            Err(_) => Err(TransportError::new(
                TransportErrorKind::Timeout,
                format!("no complete answer within {} ms", limit.as_millis()),
            )),
        }
    }
}
