//! The default transport: hyper-util's pooled HTTP/1.1 client over hyper-rustls with the ring
//! provider. Connections are kept alive and reused; redirects are never followed; every request
//! has a deadline covering connect, send and the whole response body.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use pluggy_core::endpoint::Method;
use pluggy_core::http::append_http_headers;
use pluggy_core::{
    AsyncTransport, PreparedRequest, RawResponse, TransportError, TransportErrorKind,
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
            append_http_headers(req.headers(), headers)?;
        }
        let request = builder
            .body(Full::new(body))
            .map_err(|e| invalid(&format!("could not build the request: {e}")))?;
        let response = self.client.request(request).await.map_err(client_error)?;
        // The answer's header map is handed over, not copied.
        let (head, body) = response.into_parts();
        let body = read_body(body, self.config.max_response_bytes).await?;
        Ok(RawResponse::from_http(head, body))
    }
}

/// Reads a whole answer body of at most `limit` bytes. A body that arrives in one frame, as
/// an answer of known length that fits the read buffer does, is kept as hyper read it;
/// several frames are joined into one buffer sized from the announced length.
async fn read_body(mut body: hyper::body::Incoming, limit: usize) -> Result<Bytes, TransportError> {
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
    // The body while it is one frame; once a second frame comes, every frame joined.
    let mut single = Bytes::new();
    let mut joined: Option<Vec<u8>> = None;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            TransportError::new(
                TransportErrorKind::Closed,
                format!("reading the answer failed: {e}"),
            )
        })?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let read = joined.as_ref().map_or(single.len(), Vec::len);
        if data.len() > limit - read {
            return Err(too_big());
        }
        match &mut joined {
            Some(buffer) => buffer.extend_from_slice(&data),
            None if single.is_empty() => single = data,
            None => {
                let mut buffer =
                    Vec::with_capacity(announced.min(MAX_RESERVED).max(read + data.len()));
                buffer.extend_from_slice(&single);
                buffer.extend_from_slice(&data);
                joined = Some(buffer);
            }
        }
    }
    Ok(joined.map_or(single, Bytes::from))
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use pluggy_core::http::Credential;
    use pluggy_core::{ApiKey, AsyncTransport, BaseUrl, ConnectorId, IntoCall, calls};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::{HyperTransport, HyperTransportConfig};

    /// Serves one connection: reads the request head, then writes `parts` with a pause between
    /// them, so that the client reads each part as a frame of its own.
    async fn serve(parts: Vec<Vec<u8>>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.expect("accept");
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = stream.read(&mut buf).await.expect("read");
                if n == 0 {
                    return;
                }
                head.extend_from_slice(&buf[..n]);
            }
            for part in parts {
                stream.write_all(&part).await.expect("write");
                stream.flush().await.expect("flush");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        format!("http://{addr}")
    }

    fn chunked(chunks: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut parts = vec![
            b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n"
                .to_vec(),
        ];
        for chunk in chunks {
            let mut part = format!("{:x}\r\n", chunk.len()).into_bytes();
            part.extend_from_slice(chunk);
            part.extend_from_slice(b"\r\n");
            parts.push(part);
        }
        parts.push(b"0\r\n\r\n".to_vec());
        parts
    }

    async fn get(
        base: &str,
        max_response_bytes: usize,
    ) -> Result<pluggy_core::RawResponse, pluggy_core::TransportError> {
        let transport = HyperTransport::with_config(HyperTransportConfig {
            max_response_bytes,
            ..Default::default()
        })
        .expect("transport");
        let request = calls::get_connector(ConnectorId::new(0))
            .into_call()
            .expect("call")
            .prepare(
                &BaseUrl::parse(base).expect("base URL"),
                Credential::ApiKey(&ApiKey::new("key")),
                &"test".into(),
            )
            .expect("request");
        transport.send(request).await
    }

    #[tokio::test]
    async fn a_body_in_several_frames_is_read_whole_and_in_order() {
        let base = serve(chunked(&[b"first,", b"second,", b"third"])).await;
        let answer = get(&base, 1024).await.expect("answer");
        assert_eq!(answer.status(), 200);
        assert_eq!(answer.body(), b"first,second,third");
    }

    #[tokio::test]
    async fn a_body_in_one_frame_is_kept_as_read() {
        let base = serve(vec![
            b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello".to_vec(),
        ])
        .await;
        assert_eq!(get(&base, 1024).await.expect("answer").body(), b"hello");
    }

    #[tokio::test]
    async fn frames_beyond_the_limit_fail_the_request() {
        // Each frame fits; the third takes the total past the limit of 16 bytes.
        let base = serve(chunked(&[b"123456", b"789012", b"345678"])).await;
        let error = get(&base, 16).await.expect_err("over the limit");
        assert!(
            error.to_string().contains("length limit exceeded"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn an_announced_length_beyond_the_limit_fails_before_reading() {
        let base = serve(vec![
            b"HTTP/1.1 200 OK\r\ncontent-length: 17\r\n\r\n".to_vec(),
        ])
        .await;
        let error = get(&base, 16).await.expect_err("over the limit");
        assert!(
            error.to_string().contains("length limit exceeded"),
            "{error}"
        );
    }
}
