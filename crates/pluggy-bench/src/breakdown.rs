//! Where an SDK call's time goes when the network is taken away: the SDK driven through an
//! in-memory transport that hands back a recorded answer, against decoding that answer alone.
//! The difference is the work the SDK does per call besides the HTTP client's.

use std::sync::Arc;
use std::time::Instant;

use pluggy_core::models::Connector;
use pluggy_core::{
    AsyncTransport, ClientSecret, ConnectorId, PreparedRequest, RawResponse, TransportError,
};
use tokio::runtime::Runtime;

use crate::error::{BenchError, Context, Result};
use crate::raw::RawHyper;
use crate::stats::Spread;

/// The per-call costs without network, in microseconds (medians over rounds).
#[derive(Clone, Debug)]
pub struct Breakdown {
    /// Calls per round.
    pub calls: usize,
    /// Decoding the recorded body into `Connector` with serde_json.
    pub decode_us: f64,
    /// A `pluggy_async::Client::get_connector` call through the in-memory transport.
    pub async_us: f64,
    /// A `pluggy_blocking::Client::get_connector` call through the in-memory transport.
    pub blocking_us: f64,
    /// What pluggy-async adds to decoding: the median over rounds of each round's
    /// difference, so that a slow stretch of the machine, which falls on one round's three
    /// paths alike, cancels out.
    pub async_extra_us: f64,
    /// What pluggy-blocking adds to decoding, paired round by round the same way.
    pub blocking_extra_us: f64,
}

/// Answers `POST /auth` and every other request with recorded answers. Each answer is cloned,
/// as a real transport allocates a fresh one.
#[derive(Clone)]
struct Recorded {
    auth: Arc<RawResponse>,
    connector: Arc<RawResponse>,
}

impl Recorded {
    fn answer(&self, request: &PreparedRequest) -> RawResponse {
        if request.endpoint().name == pluggy_core::endpoints::AUTH_CREATE.name {
            (*self.auth).clone()
        } else {
            (*self.connector).clone()
        }
    }
}

#[async_trait::async_trait]
impl AsyncTransport for Recorded {
    async fn send(
        &self,
        request: PreparedRequest,
    ) -> std::result::Result<RawResponse, TransportError> {
        Ok(self.answer(&request))
    }
}

fn per_call_us(started: Instant, calls: usize) -> f64 {
    started.elapsed().as_secs_f64() * 1e6 / calls.max(1) as f64
}

/// Records the emulator's answers to `POST /auth` and `GET /connectors/0`, then times the
/// three paths in `rounds` interleaved rounds of `calls` calls.
pub fn measure(rt: &Runtime, base: &str, rounds: usize, calls: usize) -> Result<Breakdown> {
    let recorded = rt.block_on(async {
        let raw = RawHyper::new(base)?;
        let auth_body = serde_json::json!({
            "clientId": pluggy_emulator::DEFAULT_CLIENT_ID,
            "clientSecret": pluggy_emulator::DEFAULT_CLIENT_SECRET,
        });
        let auth = raw
            .capture(hyper::Method::POST, "/auth", None, Some(&auth_body))
            .await?;
        let key: serde_json::Value =
            serde_json::from_slice(auth.body()).context("decoding /auth")?;
        let key = key
            .get("apiKey")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| BenchError::new("the answer of POST /auth has no apiKey"))?;
        let connector = raw
            .capture(hyper::Method::GET, "/connectors/0", Some(key), None)
            .await?;
        Ok::<_, BenchError>(Recorded {
            auth: Arc::new(auth),
            connector: Arc::new(connector),
        })
    })?;
    let secret = || ClientSecret::new(pluggy_emulator::DEFAULT_CLIENT_SECRET);
    let async_client = pluggy_async::Client::builder()
        .credentials(pluggy_emulator::DEFAULT_CLIENT_ID, secret())
        .transport(recorded.clone())
        .build()
        .context("building the pluggy-async client")?;
    let blocking_recorded = recorded.clone();
    let blocking_client = pluggy_blocking::Client::builder()
        .credentials(pluggy_emulator::DEFAULT_CLIENT_ID, secret())
        .transport(move |request: PreparedRequest| Ok(blocking_recorded.answer(&request)))
        .build()
        .context("building the pluggy-blocking client")?;
    let body = recorded.connector.body().to_vec();

    let decode = || -> Result<f64> {
        let started = Instant::now();
        for _ in 0..calls {
            let c: Connector = serde_json::from_slice(&body).context("decoding a connector")?;
            std::hint::black_box(c);
        }
        Ok(per_call_us(started, calls))
    };
    // The calls run on this thread, inside the runtime, as the other two paths do: a worker
    // thread may sit on another core, and the two cores of a shared machine differ by more
    // than the SDK's work.
    let via_async = || -> Result<f64> {
        rt.block_on(async {
            let started = Instant::now();
            for _ in 0..calls {
                let c = async_client.get_connector(ConnectorId::new(0)).await;
                std::hint::black_box(c.context("pluggy-async get_connector")?);
            }
            Ok(per_call_us(started, calls))
        })
    };
    let via_blocking = || -> Result<f64> {
        let started = Instant::now();
        for _ in 0..calls {
            let c = blocking_client.get_connector(ConnectorId::new(0));
            std::hint::black_box(c.context("pluggy-blocking get_connector")?);
        }
        Ok(per_call_us(started, calls))
    };

    // One warm-up pass, then interleaved rounds.
    decode()?;
    via_async()?;
    via_blocking()?;
    let (mut d, mut a, mut b) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        d.push(decode()?);
        a.push(via_async()?);
        b.push(via_blocking()?);
    }
    let extra = |sdk: &[f64]| {
        let paired: Vec<f64> = sdk.iter().zip(&d).map(|(s, d)| s - d).collect();
        Spread::of(&paired).median
    };
    Ok(Breakdown {
        calls,
        decode_us: Spread::of(&d).median,
        async_us: Spread::of(&a).median,
        blocking_us: Spread::of(&b).median,
        async_extra_us: extra(&a),
        blocking_extra_us: extra(&b),
    })
}
