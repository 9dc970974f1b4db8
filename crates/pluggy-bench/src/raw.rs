//! The baselines: the same requests the SDK makes, written by hand on the HTTP clients the SDK
//! wraps (hyper-util's pooled client and a ureq agent), configured as the SDK's transports
//! configure them. Also the plain requests the bench makes to the emulator's admin routes, and
//! the pluggy-async client the parts measure the SDK with.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use pluggy_async::HyperTransportConfig;
use pluggy_blocking::UreqTransportConfig;
use pluggy_core::RawResponse;
use pluggy_core::models::Connector;
use serde_json::Value;

use crate::error::{BenchError, Context, Result};

/// The `User-Agent` pluggy-async sends, so both sides put the same bytes on the wire.
pub fn async_user_agent() -> String {
    format!("pluggy-rs/{} (async)", env!("CARGO_PKG_VERSION"))
}

/// The `User-Agent` pluggy-blocking sends.
pub fn blocking_user_agent() -> String {
    format!("pluggy-rs/{} (blocking)", env!("CARGO_PKG_VERSION"))
}

/// A pluggy-async client of the emulator's default application.
pub fn sdk_client(base: &str) -> Result<pluggy_async::Client> {
    pluggy_async::Client::builder()
        .base_url(base)
        .credentials(
            pluggy_emulator::DEFAULT_CLIENT_ID,
            pluggy_core::ClientSecret::new(pluggy_emulator::DEFAULT_CLIENT_SECRET),
        )
        .build()
        .context("building the pluggy-async client")
}

/// A hand-written client on hyper-util's pooled client, with the connector stack, pool
/// settings and body limit of `pluggy_async::HyperTransport`, and its deadline over the whole
/// exchange unless built [`without_deadline`](Self::without_deadline).
#[derive(Clone)]
pub struct RawHyper {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    base: Arc<str>,
    user_agent: Arc<str>,
    deadline: Option<Duration>,
    max_body: usize,
}

impl RawHyper {
    /// A client for the server at `base` (`http://host:port`).
    pub fn new(base: &str) -> Result<Self> {
        let config = HyperTransportConfig::default();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(config.connect_timeout));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .context("TLS setup of the raw hyper client")?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(config.pool_idle_timeout)
            .pool_max_idle_per_host(config.pool_max_idle_per_host)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(https);
        Ok(Self {
            client,
            base: base.into(),
            user_agent: async_user_agent().into(),
            deadline: Some(config.request_timeout),
            max_body: config.max_response_bytes,
        })
    }

    /// The same client with no deadline on its requests: what the deadline costs.
    pub fn without_deadline(mut self) -> Self {
        self.deadline = None;
        self
    }

    /// Sends one request and returns the status and the whole body.
    async fn send(
        &self,
        method: hyper::Method,
        path: &str,
        api_key: Option<&str>,
        json: Option<&Value>,
    ) -> Result<(u16, Bytes)> {
        let exchange = async {
            let response = self.response(method, path, api_key, json).await?;
            let status = response.status().as_u16();
            let body = http_body_util::Limited::new(response.into_body(), self.max_body)
                .collect()
                .await
                .map_err(|e| BenchError::new(format!("reading the answer of {path}: {e}")))?
                .to_bytes();
            Ok((status, body))
        };
        match self.deadline {
            Some(limit) => tokio::time::timeout(limit, exchange)
                .await
                .map_err(|_| BenchError::new(format!("no answer to {path} within {limit:?}")))?,
            None => exchange.await,
        }
    }

    /// Sends one request and returns the answer as pluggy-core sees it, headers included.
    pub async fn capture(
        &self,
        method: hyper::Method,
        path: &str,
        api_key: Option<&str>,
        json: Option<&Value>,
    ) -> Result<RawResponse> {
        let response = self.response(method, path, api_key, json).await?;
        let status = response.status().as_u16();
        let headers = pluggy_core::Headers::from(response.headers());
        let body = response
            .into_body()
            .collect()
            .await
            .context(format_args!("reading the answer of {path}"))?
            .to_bytes();
        Ok(RawResponse::new(status, headers, body.to_vec()))
    }

    /// Sends one request; the answer's body is not read yet.
    async fn response(
        &self,
        method: hyper::Method,
        path: &str,
        api_key: Option<&str>,
        json: Option<&Value>,
    ) -> Result<hyper::Response<hyper::body::Incoming>> {
        let url = format!("{}{path}", self.base);
        let mut builder = hyper::Request::builder()
            .method(method)
            .uri(url)
            .header("accept", "application/json")
            .header("user-agent", &*self.user_agent);
        if let Some(key) = api_key {
            builder = builder.header("x-api-key", key);
        }
        let body = match json {
            Some(v) => {
                builder = builder.header("content-type", "application/json");
                Bytes::from(serde_json::to_vec(v).context("encoding a request body")?)
            }
            None => Bytes::new(),
        };
        let request = builder
            .body(Full::new(body))
            .context("building a request")?;
        self.client
            .request(request)
            .await
            .context(format_args!("{path}"))
    }

    /// `GET /connectors/{id}` with an API key, decoded: the baseline of the async comparison.
    pub async fn get_connector(&self, id: u32, api_key: &str) -> Result<Connector> {
        let path = format!("/connectors/{id}");
        let (status, body) = self
            .send(hyper::Method::GET, &path, Some(api_key), None)
            .await?;
        expect_ok(status, &path, &body)?;
        serde_json::from_slice(&body).context(format_args!("decoding {path}"))
    }

    /// `POST /auth` with the emulator's default client: a fresh API key.
    pub async fn api_key(&self) -> Result<String> {
        let body = serde_json::json!({
            "clientId": pluggy_emulator::DEFAULT_CLIENT_ID,
            "clientSecret": pluggy_emulator::DEFAULT_CLIENT_SECRET,
        });
        let (status, answer) = self
            .send(hyper::Method::POST, "/auth", None, Some(&body))
            .await?;
        expect_ok(status, "/auth", &answer)?;
        let doc: Value = serde_json::from_slice(&answer).context("decoding /auth")?;
        doc.get("apiKey")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| BenchError::new("the answer of POST /auth has no apiKey"))
    }

    /// The emulator's count of `POST /auth` requests, from `GET /__emulator/stats`.
    pub async fn auth_calls(&self) -> Result<u64> {
        let path = "/__emulator/stats";
        let (status, body) = self.send(hyper::Method::GET, path, None, None).await?;
        expect_ok(status, path, &body)?;
        let doc: Value = serde_json::from_slice(&body).context("decoding the emulator's stats")?;
        doc.get("auth_calls")
            .and_then(Value::as_u64)
            .ok_or_else(|| BenchError::new("the emulator's stats have no auth_calls count"))
    }

    /// Moves the emulator's clock forward (`POST /__emulator/clock/advance`).
    pub async fn advance_clock(&self, by: Duration) -> Result<()> {
        let path = "/__emulator/clock/advance";
        let body = serde_json::json!({ "seconds": by.as_secs_f64() });
        let (status, answer) = self
            .send(hyper::Method::POST, path, None, Some(&body))
            .await?;
        expect_ok(status, path, &answer)
    }
}

/// A hand-written client on a ureq agent, configured as `pluggy_blocking::UreqTransport`
/// configures its own.
pub struct RawUreq {
    agent: ureq::Agent,
    base: String,
    user_agent: String,
    max_body: u64,
}

impl RawUreq {
    /// A client for the server at `base`.
    pub fn new(base: &str) -> Self {
        let config = UreqTransportConfig::default();
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(config.connect_timeout))
            .timeout_global(Some(config.request_timeout))
            .max_idle_connections(config.pool_max_idle_per_host.saturating_mul(2))
            .max_idle_connections_per_host(config.pool_max_idle_per_host)
            .build()
            .new_agent();
        Self {
            agent,
            base: base.to_owned(),
            user_agent: blocking_user_agent(),
            max_body: config.max_response_bytes,
        }
    }

    /// `GET /connectors/{id}` with an API key, decoded: the baseline of the blocking
    /// comparison.
    pub fn get_connector(&self, id: u32, api_key: &str) -> Result<Connector> {
        let path = format!("/connectors/{id}");
        let url = format!("{}{path}", self.base);
        let mut response = self
            .agent
            .get(&url)
            .header("accept", "application/json")
            .header("user-agent", &self.user_agent)
            .header("x-api-key", api_key)
            .call()
            .context(format_args!("{path}"))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(self.max_body)
            .read_to_vec()
            .context(format_args!("reading the answer of {path}"))?;
        expect_ok(status, &path, &body)?;
        serde_json::from_slice(&body).context(format_args!("decoding {path}"))
    }
}

/// Fails unless the answer is a 200, quoting the start of its body.
pub fn expect_ok(status: u16, what: &str, body: &[u8]) -> Result<()> {
    if status == 200 {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
    Err(BenchError::new(format!(
        "{what} answered {status} instead of 200: {text}"
    )))
}
