//! What the SDK adds to a call: the same authenticated `GET /connectors/0`, decoded into the
//! same model, through a hand-written request on the HTTP client the SDK wraps (the baseline)
//! and through the SDK (the subject), in interleaved rounds so that drift on a shared machine
//! hits both sides alike.

use std::sync::Arc;
use std::time::{Duration, Instant};

use pluggy_async::HyperTransport;
use pluggy_blocking::UreqTransport;
use pluggy_core::http::Credential;
use pluggy_core::models::Connector;
use pluggy_core::{
    ApiKey, AsyncTransport, BaseUrl, BlockingTransport, Call, ConnectorId, PreparedRequest,
    RawResponse, calls, parse_response,
};
use tokio::runtime::Runtime;
use tokio::task::JoinSet;

use crate::error::{BenchError, Context, Result};
use crate::raw::{RawHyper, RawUreq, async_user_agent, blocking_user_agent};
use crate::stats::Spread;

/// The connector every call asks for (the emulator's sandbox bank).
const CONNECTOR: u32 = 0;

/// What one round's number is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// The median of the round's individual call times (one caller: robust to the stalls a
    /// shared machine inflicts on a few calls).
    MedianCall,
    /// The round's wall time divided by its calls (many callers: the cost per call at that
    /// concurrency).
    WallPerCall,
}

impl Metric {
    /// A short name for tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Metric::MedianCall => "median call",
            Metric::WallPerCall => "wall / calls",
        }
    }

    fn for_workers(workers: usize) -> Self {
        if workers <= 1 {
            Metric::MedianCall
        } else {
            Metric::WallPerCall
        }
    }
}

/// One baseline-versus-SDK comparison.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// What is compared, e.g. `async, 16 tasks`.
    pub name: String,
    /// The hand-written side.
    pub baseline: &'static str,
    /// The SDK side.
    pub subject: &'static str,
    /// Tasks or threads calling at the same time.
    pub workers: usize,
    /// Calls per side and round.
    pub calls_per_round: usize,
    /// What each round's number is.
    pub metric: Metric,
    /// Per-call time of the baseline in each round, in microseconds.
    pub baseline_us: Vec<f64>,
    /// Per-call time of the SDK in each round, in microseconds.
    pub subject_us: Vec<f64>,
}

impl Comparison {
    /// The baseline's per-call times over the rounds.
    pub fn baseline_spread(&self) -> Spread {
        Spread::of(&self.baseline_us)
    }

    /// The SDK's per-call times over the rounds.
    pub fn subject_spread(&self) -> Spread {
        Spread::of(&self.subject_us)
    }

    /// Median SDK time over median baseline time.
    pub fn ratio(&self) -> f64 {
        let base = self.baseline_spread().median;
        if base > 0.0 {
            self.subject_spread().median / base
        } else {
            f64::NAN
        }
    }

    /// The SDK-over-baseline ratios of the individual rounds.
    pub fn round_ratios(&self) -> Spread {
        let ratios: Vec<f64> = self
            .baseline_us
            .iter()
            .zip(&self.subject_us)
            .filter(|(b, _)| **b > 0.0)
            .map(|(b, s)| s / b)
            .collect();
        Spread::of(&ratios)
    }
}

/// How much work each comparison does.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    /// Measured rounds (each side runs once per round), after one warm-up round.
    pub rounds: usize,
    /// Calls per side and round when calling one at a time.
    pub sequential_calls: usize,
    /// Calls per side and round when calling concurrently.
    pub concurrent_calls: usize,
    /// Concurrent tasks of the async comparison.
    pub tasks: usize,
    /// Concurrent threads of the blocking comparison.
    pub threads: usize,
}

/// Runs `a` and `b` once to warm up, then `rounds` times each, alternating which goes first;
/// returns each side's per-call microseconds per round.
fn interleave(
    rounds: usize,
    mut a: impl FnMut() -> Result<f64>,
    mut b: impl FnMut() -> Result<f64>,
) -> Result<(Vec<f64>, Vec<f64>)> {
    a()?;
    b()?;
    let mut times_a = Vec::with_capacity(rounds);
    let mut times_b = Vec::with_capacity(rounds);
    for round in 0..rounds {
        if round % 2 == 0 {
            times_a.push(a()?);
            times_b.push(b()?);
        } else {
            times_b.push(b()?);
            times_a.push(a()?);
        }
    }
    Ok((times_a, times_b))
}

/// A round's number, in microseconds per call.
fn round_us(metric: Metric, calls: &[Duration], wall: Duration) -> f64 {
    match metric {
        Metric::MedianCall => {
            let us: Vec<f64> = calls.iter().map(|d| d.as_secs_f64() * 1e6).collect();
            Spread::of(&us).median
        }
        Metric::WallPerCall => wall.as_secs_f64() * 1e6 / calls.len().max(1) as f64,
    }
}

/// The calls of worker `index` when `calls` are shared among `workers`.
fn share(calls: usize, workers: usize, index: usize) -> usize {
    calls / workers + usize::from(index < calls % workers)
}

/// What every call of the transport-only side needs besides its transport.
struct Prepared {
    base: BaseUrl,
    key: ApiKey,
    user_agent: String,
}

impl Prepared {
    fn new(base: &str, key: &str, user_agent: String) -> Result<Self> {
        Ok(Self {
            base: BaseUrl::parse(base).context("parsing the emulator's base URL")?,
            key: ApiKey::new(key),
            user_agent,
        })
    }

    /// The request pluggy-core builds for `GET /connectors/0` with the API key.
    fn request(&self) -> Result<(Call, PreparedRequest)> {
        let call = calls::get_connector(ConnectorId::new(CONNECTOR));
        let request = call
            .prepare(&self.base, Credential::ApiKey(&self.key), &self.user_agent)
            .context("preparing GET /connectors/0")?;
        Ok((call, request))
    }

    /// pluggy-core's parse of the answer.
    fn parse(call: &Call, raw: &RawResponse) -> Result<Connector> {
        parse_response(call.endpoint(), raw).context("parsing GET /connectors/0")
    }
}

/// One side of the async comparison.
#[derive(Clone)]
enum AsyncSide {
    Raw {
        client: RawHyper,
        key: Arc<str>,
    },
    /// The SDK's transport alone: a request prepared by pluggy-core, sent through
    /// `HyperTransport`, parsed by pluggy-core; no key manager, retry loop or span.
    Transport {
        transport: HyperTransport,
        prepared: Arc<Prepared>,
    },
    Sdk(pluggy_async::Client),
}

impl AsyncSide {
    async fn call(&self) -> Result<()> {
        match self {
            AsyncSide::Raw { client, key } => client.get_connector(CONNECTOR, key).await.map(drop),
            AsyncSide::Transport {
                transport,
                prepared,
            } => {
                let (call, request) = prepared.request()?;
                let raw = transport
                    .send(request)
                    .await
                    .context("HyperTransport send")?;
                Prepared::parse(&call, &raw).map(drop)
            }
            AsyncSide::Sdk(client) => client
                .get_connector(ConnectorId::new(CONNECTOR))
                .await
                .map(drop)
                .context("pluggy-async get_connector"),
        }
    }

    /// `calls` calls shared among `tasks` tasks on the runtime (always spawned, so that even
    /// one task runs on a worker like a server's handler would); the round's number.
    fn run(&self, rt: &Runtime, calls: usize, tasks: usize) -> Result<f64> {
        rt.block_on(async {
            let started = Instant::now();
            let mut set = JoinSet::new();
            for index in 0..tasks {
                let side = self.clone();
                let n = share(calls, tasks, index);
                set.spawn(async move {
                    let mut times = Vec::with_capacity(n);
                    for _ in 0..n {
                        let sent = Instant::now();
                        side.call().await?;
                        times.push(sent.elapsed());
                    }
                    Ok::<_, BenchError>(times)
                });
            }
            let mut times = Vec::with_capacity(calls);
            while let Some(done) = set.join_next().await {
                times.extend(done.context("a bench task failed")??);
            }
            Ok(round_us(
                Metric::for_workers(tasks),
                &times,
                started.elapsed(),
            ))
        })
    }
}

/// One side of the blocking comparison.
enum BlockingSide<'a> {
    Raw {
        client: &'a RawUreq,
        key: &'a str,
    },
    /// The SDK's transport alone, as [`AsyncSide::Transport`].
    Transport {
        transport: &'a UreqTransport,
        prepared: &'a Prepared,
    },
    Sdk(&'a pluggy_blocking::Client),
}

impl BlockingSide<'_> {
    fn call(&self) -> Result<()> {
        match self {
            BlockingSide::Raw { client, key } => client.get_connector(CONNECTOR, key).map(drop),
            BlockingSide::Transport {
                transport,
                prepared,
            } => {
                let (call, request) = prepared.request()?;
                let raw = transport.send(request).context("UreqTransport send")?;
                Prepared::parse(&call, &raw).map(drop)
            }
            BlockingSide::Sdk(client) => client
                .get_connector(ConnectorId::new(CONNECTOR))
                .map(drop)
                .context("pluggy-blocking get_connector"),
        }
    }

    /// `n` calls in a row on this thread, each timed.
    fn timed_calls(&self, n: usize) -> Result<Vec<Duration>> {
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            let sent = Instant::now();
            self.call()?;
            times.push(sent.elapsed());
        }
        Ok(times)
    }

    /// `calls` calls shared among `threads` threads (the current one when there is one);
    /// the round's number.
    fn run(&self, calls: usize, threads: usize) -> Result<f64> {
        let started = Instant::now();
        let times = if threads <= 1 {
            self.timed_calls(calls)?
        } else {
            std::thread::scope(|scope| {
                let workers: Vec<_> = (0..threads)
                    .map(|index| {
                        let n = share(calls, threads, index);
                        scope.spawn(move || self.timed_calls(n))
                    })
                    .collect();
                let mut times = Vec::with_capacity(calls);
                for worker in workers {
                    times.extend(
                        worker
                            .join()
                            .map_err(|_| BenchError::new("a bench thread panicked"))??,
                    );
                }
                Ok::<_, BenchError>(times)
            })?
        };
        Ok(round_us(
            Metric::for_workers(threads),
            &times,
            started.elapsed(),
        ))
    }
}

/// The async comparisons: raw hyper-util against `pluggy_async::Client`, one task at a time
/// and with `sizes.tasks` tasks; then, one task at a time, raw hyper-util against the SDK's
/// transport alone, which splits the SDK's cost between transport and client.
pub fn compare_async(rt: &Runtime, base: &str, sizes: Sizes) -> Result<Vec<Comparison>> {
    let raw = RawHyper::new(base)?;
    let key: Arc<str> = rt.block_on(raw.api_key())?.into();
    let transport = AsyncSide::Transport {
        transport: HyperTransport::new().context("starting HyperTransport")?,
        prepared: Arc::new(Prepared::new(base, &key, async_user_agent())?),
    };
    let sdk = pluggy_async::Client::builder()
        .base_url(base)
        .credentials(
            pluggy_emulator::DEFAULT_CLIENT_ID,
            pluggy_core::ClientSecret::new(pluggy_emulator::DEFAULT_CLIENT_SECRET),
        )
        .build()
        .context("building the pluggy-async client")?;
    let raw = AsyncSide::Raw { client: raw, key };
    let sdk = AsyncSide::Sdk(sdk);
    let mut out = Vec::new();
    for (workers, calls) in [
        (1, sizes.sequential_calls),
        (sizes.tasks, sizes.concurrent_calls),
    ] {
        let (baseline_us, subject_us) = interleave(
            sizes.rounds,
            || raw.run(rt, calls, workers),
            || sdk.run(rt, calls, workers),
        )?;
        out.push(Comparison {
            name: workers_name("async", workers, "tasks"),
            baseline: "raw hyper-util",
            subject: "pluggy-async",
            workers,
            calls_per_round: calls,
            metric: Metric::for_workers(workers),
            baseline_us,
            subject_us,
        });
    }
    let calls = sizes.sequential_calls;
    let (baseline_us, subject_us) = interleave(
        sizes.rounds,
        || raw.run(rt, calls, 1),
        || transport.run(rt, calls, 1),
    )?;
    out.push(Comparison {
        name: "async, transport only".to_owned(),
        baseline: "raw hyper-util",
        subject: "HyperTransport",
        workers: 1,
        calls_per_round: calls,
        metric: Metric::MedianCall,
        baseline_us,
        subject_us,
    });
    Ok(out)
}

/// The blocking comparisons: a raw ureq agent against `pluggy_blocking::Client`, one call at
/// a time and with `sizes.threads` threads; then, one call at a time, against the SDK's
/// transport alone.
pub fn compare_blocking(rt: &Runtime, base: &str, sizes: Sizes) -> Result<Vec<Comparison>> {
    let key = rt.block_on(RawHyper::new(base)?.api_key())?;
    let ureq_transport = UreqTransport::new();
    let prepared = Prepared::new(base, &key, blocking_user_agent())?;
    let transport = BlockingSide::Transport {
        transport: &ureq_transport,
        prepared: &prepared,
    };
    let raw = RawUreq::new(base);
    let sdk = pluggy_blocking::Client::builder()
        .base_url(base)
        .credentials(
            pluggy_emulator::DEFAULT_CLIENT_ID,
            pluggy_core::ClientSecret::new(pluggy_emulator::DEFAULT_CLIENT_SECRET),
        )
        .build()
        .context("building the pluggy-blocking client")?;
    let raw = BlockingSide::Raw {
        client: &raw,
        key: &key,
    };
    let sdk = BlockingSide::Sdk(&sdk);
    let mut out = Vec::new();
    for (workers, calls) in [
        (1, sizes.sequential_calls),
        (sizes.threads, sizes.concurrent_calls),
    ] {
        let (baseline_us, subject_us) = interleave(
            sizes.rounds,
            || raw.run(calls, workers),
            || sdk.run(calls, workers),
        )?;
        out.push(Comparison {
            name: workers_name("blocking", workers, "threads"),
            baseline: "raw ureq",
            subject: "pluggy-blocking",
            workers,
            calls_per_round: calls,
            metric: Metric::for_workers(workers),
            baseline_us,
            subject_us,
        });
    }
    let calls = sizes.sequential_calls;
    let (baseline_us, subject_us) = interleave(
        sizes.rounds,
        || raw.run(calls, 1),
        || transport.run(calls, 1),
    )?;
    out.push(Comparison {
        name: "blocking, transport only".to_owned(),
        baseline: "raw ureq",
        subject: "UreqTransport",
        workers: 1,
        calls_per_round: calls,
        metric: Metric::MedianCall,
        baseline_us,
        subject_us,
    });
    Ok(out)
}

fn workers_name(kind: &str, workers: usize, unit: &str) -> String {
    if workers <= 1 {
        format!("{kind}, sequential")
    } else {
        format!("{kind}, {workers} {unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up_to_the_calls() {
        for (calls, workers) in [(10, 3), (16, 16), (5, 8), (1000, 16)] {
            let total: usize = (0..workers).map(|i| share(calls, workers, i)).sum();
            assert_eq!(total, calls);
        }
    }

    #[test]
    fn a_round_is_its_median_call_or_its_wall_time_per_call() {
        let us = Duration::from_micros;
        let calls = [us(10), us(1000), us(12), us(11), us(13)];
        assert!((round_us(Metric::MedianCall, &calls, us(2000)) - 12.0).abs() < 1e-6);
        assert!((round_us(Metric::WallPerCall, &calls, us(2000)) - 400.0).abs() < 1e-6);
    }

    #[test]
    fn ratio_is_the_quotient_of_the_medians() {
        let c = Comparison {
            name: "x".into(),
            baseline: "a",
            subject: "b",
            workers: 1,
            calls_per_round: 1,
            metric: Metric::MedianCall,
            baseline_us: vec![100.0, 110.0, 90.0],
            subject_us: vec![105.0, 99.0, 120.0],
        };
        assert!((c.ratio() - 105.0 / 100.0).abs() < 1e-9);
        let r = c.round_ratios();
        assert!((r.min - 0.9).abs() < 1e-9);
        assert!((r.max - 120.0 / 90.0).abs() < 1e-9);
    }
}
