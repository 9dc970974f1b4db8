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
    ApiKey, AsyncTransport, BaseUrl, BlockingTransport, Call, ConnectorId, IntoCall,
    PreparedRequest, RawResponse, calls, parse_response,
};
use tokio::runtime::Runtime;
use tokio::task::JoinSet;

use crate::cpu::Threads;
use crate::error::{BenchError, Context, Result};
use crate::raw::{RawHyper, RawUreq, async_user_agent, blocking_user_agent, sdk_client};
use crate::stats::Spread;

/// The connector every call asks for (the emulator's sandbox bank).
const CONNECTOR: u32 = 0;

/// What one round's number is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// One caller alternating a baseline call and an SDK call (which goes first alternates
    /// too); each side's number is the median of its calls. Both sides see the same moments
    /// of a shared machine, and a few stalled calls do not move the median.
    AlternatingMedian,
    /// Many callers, the sides taking turns round by round; the round's wall time divided by
    /// its calls (the cost per call at that concurrency).
    WallPerCall,
    /// Many callers, the sides taking turns round by round; the CPU time the client
    /// runtime's threads used in the round divided by its calls. Time spent waiting, for the
    /// server or for a sleeping core to wake, is not in it, so it reads what a call costs the
    /// machine rather than how long it took.
    CpuPerCall,
}

impl Metric {
    /// A short name for tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Metric::AlternatingMedian => "median call",
            Metric::WallPerCall => "wall / calls",
            Metric::CpuPerCall => "CPU / calls",
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
    /// A comparison from its rounds: `sides` names the baseline and the subject, `rounds`
    /// holds their per-round numbers.
    fn new(
        name: &str,
        sides: (&'static str, &'static str),
        workers: usize,
        calls_per_round: usize,
        rounds: (Vec<f64>, Vec<f64>),
    ) -> Self {
        Self {
            name: name.to_owned(),
            baseline: sides.0,
            subject: sides.1,
            workers,
            calls_per_round,
            metric: if workers <= 1 {
                Metric::AlternatingMedian
            } else {
                Metric::WallPerCall
            },
            baseline_us: rounds.0,
            subject_us: rounds.1,
        }
    }

    /// The same comparison read with `metric`.
    fn with_metric(mut self, metric: Metric) -> Self {
        self.metric = metric;
        self
    }

    /// The baseline's per-call times over the rounds.
    pub fn baseline_spread(&self) -> Spread {
        Spread::of(&self.baseline_us)
    }

    /// The SDK's per-call times over the rounds.
    pub fn subject_spread(&self) -> Spread {
        Spread::of(&self.subject_us)
    }

    /// The median over rounds of the round's SDK time over its baseline time: paired round by
    /// round, so a round slowed down for both sides does not skew it.
    pub fn ratio(&self) -> f64 {
        self.round_ratios().median
    }

    /// The SDK's median over rounds divided by the baseline's (unpaired).
    pub fn ratio_of_medians(&self) -> f64 {
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
    /// Measured rounds of the one-caller comparisons (each side runs once per round), after
    /// one warm-up round.
    pub rounds: usize,
    /// Measured rounds of the concurrent comparisons. A round's wall time takes in every
    /// stall of the machine, so these need more rounds than the paired one-caller ones for a
    /// median as steady.
    pub concurrent_rounds: usize,
    /// Calls per side and round when calling one at a time.
    pub sequential_calls: usize,
    /// Calls per side and round when calling concurrently.
    pub concurrent_calls: usize,
    /// Concurrent tasks of the async comparison.
    pub tasks: usize,
    /// Concurrent threads of the blocking comparison.
    pub threads: usize,
}

/// One warm-up round, then `rounds` measured ones; each round gives one number per side.
fn measure_rounds(
    rounds: usize,
    mut round: impl FnMut() -> Result<(f64, f64)>,
) -> Result<(Vec<f64>, Vec<f64>)> {
    round()?;
    let mut times_a = Vec::with_capacity(rounds);
    let mut times_b = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let (a, b) = round()?;
        times_a.push(a);
        times_b.push(b);
    }
    Ok((times_a, times_b))
}

/// Runs `a` then `b`, or `b` then `a` on odd rounds, and returns both results in (a, b) order.
fn take_turns<T>(
    round: usize,
    a: impl FnOnce() -> Result<T>,
    b: impl FnOnce() -> Result<T>,
) -> Result<(T, T)> {
    if round % 2 == 0 {
        let ta = a()?;
        Ok((ta, b()?))
    } else {
        let tb = b()?;
        Ok((a()?, tb))
    }
}

/// One warm-up round, then `rounds` measured ones, each running `a` and `b` once, which goes
/// first alternating from round to round.
fn rounds_in_turns(
    rounds: usize,
    mut a: impl FnMut() -> Result<f64>,
    mut b: impl FnMut() -> Result<f64>,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let mut turn = 0;
    measure_rounds(rounds, || {
        turn += 1;
        take_turns(turn, &mut a, &mut b)
    })
}

/// The median of call times, in microseconds.
fn median_us(times: &[Duration]) -> f64 {
    let us: Vec<f64> = times.iter().map(|d| d.as_secs_f64() * 1e6).collect();
    Spread::of(&us).median
}

/// A time spread over `calls` calls: per call, in microseconds.
fn per_call_us(time: Duration, calls: usize) -> f64 {
    time.as_secs_f64() * 1e6 / calls.max(1) as f64
}

/// The two items in turn order: `a` first on even turns, `b` first on odd ones.
fn ordered<T>(turn: usize, a: T, b: T) -> [T; 2] {
    if turn % 2 == 0 { [a, b] } else { [b, a] }
}

/// The calls of worker `index` when `calls` are shared among `workers`.
fn share(calls: usize, workers: usize, index: usize) -> usize {
    calls / workers + usize::from(index < calls % workers)
}

/// What every call of the transport-only side needs besides its transport.
struct Prepared {
    base: BaseUrl,
    key: ApiKey,
    user_agent: Arc<str>,
}

impl Prepared {
    fn new(base: &str, key: &str, user_agent: String) -> Result<Self> {
        Ok(Self {
            base: BaseUrl::parse(base).context("parsing the emulator's base URL")?,
            key: ApiKey::new(key),
            user_agent: user_agent.into(),
        })
    }

    /// The request pluggy-core builds for `GET /connectors/0` with the API key.
    fn request(&self) -> Result<(Call, PreparedRequest)> {
        let call = calls::get_connector(ConnectorId::new(CONNECTOR))
            .into_call()
            .context("building GET /connectors/0")?;
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

    /// `calls` calls shared among `tasks` tasks on the runtime; wall time per call.
    fn concurrent(&self, rt: &Runtime, calls: usize, tasks: usize) -> Result<f64> {
        rt.block_on(async {
            let started = Instant::now();
            let mut set = JoinSet::new();
            for index in 0..tasks {
                let side = self.clone();
                let n = share(calls, tasks, index);
                set.spawn(async move {
                    for _ in 0..n {
                        side.call().await?;
                    }
                    Ok::<_, BenchError>(())
                });
            }
            while let Some(done) = set.join_next().await {
                done.context("a bench task failed")??;
            }
            Ok(per_call_us(started.elapsed(), calls))
        })
    }

    /// `calls` calls shared among `tasks` tasks on the runtime; the CPU time `threads` (the
    /// runtime's) used, per call, in microseconds.
    fn cpu_per_call(
        &self,
        rt: &Runtime,
        threads: &Threads,
        calls: usize,
        tasks: usize,
    ) -> Result<f64> {
        let unreadable = || BenchError::new("the client threads' CPU time cannot be read");
        let before = threads.used().ok_or_else(unreadable)?;
        self.concurrent(rt, calls, tasks)?;
        let used = threads
            .used()
            .ok_or_else(unreadable)?
            .saturating_sub(before);
        Ok(per_call_us(used, calls))
    }

    /// `calls` calls of each of `a` and `b`, alternating, from one task on a runtime worker
    /// (as a server's handler would run); the median call of each.
    fn alternating(rt: &Runtime, a: &Self, b: &Self, calls: usize) -> Result<(f64, f64)> {
        let (a, b) = (a.clone(), b.clone());
        rt.block_on(async move {
            tokio::spawn(async move {
                let mut times_a = Vec::with_capacity(calls);
                let mut times_b = Vec::with_capacity(calls);
                for i in 0..calls {
                    for (side, times) in ordered(i, (&a, &mut times_a), (&b, &mut times_b)) {
                        let sent = Instant::now();
                        side.call().await?;
                        times.push(sent.elapsed());
                    }
                }
                Ok((median_us(&times_a), median_us(&times_b)))
            })
            .await
            .context("the bench task failed")?
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

    /// `calls` calls shared among `threads` threads; wall time per call.
    fn concurrent(&self, calls: usize, threads: usize) -> Result<f64> {
        let started = Instant::now();
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|index| {
                    let n = share(calls, threads, index);
                    scope.spawn(move || (0..n).try_for_each(|_| self.call()))
                })
                .collect();
            for worker in workers {
                worker
                    .join()
                    .map_err(|_| BenchError::new("a bench thread panicked"))??;
            }
            Ok::<_, BenchError>(())
        })?;
        Ok(per_call_us(started.elapsed(), calls))
    }

    /// `calls` calls of each of `a` and `b`, alternating, on this thread; the median call of
    /// each.
    fn alternating(a: &Self, b: &Self, calls: usize) -> Result<(f64, f64)> {
        let mut times_a = Vec::with_capacity(calls);
        let mut times_b = Vec::with_capacity(calls);
        for i in 0..calls {
            for (side, times) in ordered(i, (a, &mut times_a), (b, &mut times_b)) {
                let sent = Instant::now();
                side.call()?;
                times.push(sent.elapsed());
            }
        }
        Ok((median_us(&times_a), median_us(&times_b)))
    }
}

/// A side of hand-written calls on `client`, with an API key of its own (also returned).
fn raw_side(rt: &Runtime, client: RawHyper) -> Result<(AsyncSide, Arc<str>)> {
    let key: Arc<str> = rt.block_on(client.api_key())?.into();
    Ok((
        AsyncSide::Raw {
            client,
            key: key.clone(),
        },
        key,
    ))
}

/// A side of calls through a `pluggy_async::Client` of the emulator's default application.
fn sdk_side(base: &str) -> Result<AsyncSide> {
    sdk_client(base).map(AsyncSide::Sdk)
}

/// Raw hyper-util against `pluggy_async::Client`, one task at a time, on `one`, a runtime of
/// a single worker thread, each side with clients and connections of its own: the SDK's own
/// cost without calls, answers and connection tasks being spread over two workers.
pub fn compare_async_one_worker(one: &Runtime, base: &str, sizes: Sizes) -> Result<Comparison> {
    let (raw, _) = raw_side(one, RawHyper::new(base)?)?;
    let sdk = sdk_side(base)?;
    Ok(Comparison::new(
        "async, sequential, 1 worker",
        ("raw hyper-util", "pluggy-async"),
        1,
        sizes.sequential_calls,
        measure_rounds(sizes.rounds, || {
            AsyncSide::alternating(one, &raw, &sdk, sizes.sequential_calls)
        })?,
    ))
}

/// The async comparisons: raw hyper-util against `pluggy_async::Client`, one task at a time
/// and with `sizes.tasks` tasks; then raw hyper-util against the SDK's transport alone, which
/// splits the SDK's cost between transport and client; then, one task at a time and with
/// `sizes.tasks` tasks, a second raw client in the SDK's place (the method's noise floor);
/// and raw hyper-util without its request deadline against it with one (what the deadline
/// costs).
pub fn compare_async(rt: &Runtime, base: &str, sizes: Sizes) -> Result<Vec<Comparison>> {
    let (raw, key) = raw_side(rt, RawHyper::new(base)?)?;
    let transport = AsyncSide::Transport {
        transport: HyperTransport::new().context("starting HyperTransport")?,
        prepared: Arc::new(Prepared::new(base, &key, async_user_agent())?),
    };
    let sdk = sdk_side(base)?;
    let sequential = |subject: &AsyncSide| {
        measure_rounds(sizes.rounds, || {
            AsyncSide::alternating(rt, &raw, subject, sizes.sequential_calls)
        })
    };
    let (calls, tasks) = (sizes.concurrent_calls, sizes.tasks);
    let against = |baseline: &AsyncSide, subject: &AsyncSide| {
        rounds_in_turns(
            sizes.concurrent_rounds,
            || baseline.concurrent(rt, calls, tasks),
            || subject.concurrent(rt, calls, tasks),
        )
    };
    let concurrent = |subject: &AsyncSide| against(&raw, subject);
    // A second hand-written client with its own pool and key: what the method reads when
    // both sides do the same work (its ratio is the noise floor of the rows above).
    let (twin, _) = raw_side(rt, RawHyper::new(base)?)?;
    let (bare, _) = raw_side(rt, RawHyper::new(base)?.without_deadline())?;
    Ok(vec![
        Comparison::new(
            "async, sequential",
            ("raw hyper-util", "pluggy-async"),
            1,
            sizes.sequential_calls,
            sequential(&sdk)?,
        ),
        Comparison::new(
            &format!("async, {tasks} tasks"),
            ("raw hyper-util", "pluggy-async"),
            tasks,
            calls,
            concurrent(&sdk)?,
        ),
        Comparison::new(
            "async, transport only",
            ("raw hyper-util", "HyperTransport"),
            1,
            sizes.sequential_calls,
            sequential(&transport)?,
        ),
        Comparison::new(
            &format!("async, {tasks} tasks, transport"),
            ("raw hyper-util", "HyperTransport"),
            tasks,
            calls,
            concurrent(&transport)?,
        ),
        Comparison::new(
            "async, sequential, raw twice",
            ("raw hyper-util", "raw hyper-util"),
            1,
            sizes.sequential_calls,
            sequential(&twin)?,
        ),
        Comparison::new(
            &format!("async, {tasks} tasks, raw twice"),
            ("raw hyper-util", "raw hyper-util"),
            tasks,
            calls,
            concurrent(&twin)?,
        ),
        Comparison::new(
            &format!("async, {tasks} tasks, deadline"),
            ("raw, no deadline", "raw hyper-util"),
            tasks,
            calls,
            against(&bare, &raw)?,
        ),
    ])
}

/// Raw hyper-util against `pluggy_async::Client`, against the SDK's transport alone, and
/// against a second raw client (the noise floor), with `sizes.tasks` tasks, read as the CPU
/// time the client runtime's `threads` used per call; none when that time cannot be read (not
/// Linux).
///
/// One task at a time is left out: there a call's CPU time is mostly the kernel waking the
/// other side's thread, cheap when the two threads share a core and dear when the wake-up
/// must reach another one, and which of the two a side gets sticks to it for a whole run.
pub fn compare_async_cpu(
    rt: &Runtime,
    threads: &Threads,
    base: &str,
    sizes: Sizes,
) -> Result<Vec<Comparison>> {
    if threads.used().is_none() {
        return Ok(Vec::new());
    }
    let (raw, key) = raw_side(rt, RawHyper::new(base)?)?;
    let (twin, _) = raw_side(rt, RawHyper::new(base)?)?;
    let sdk = sdk_side(base)?;
    let transport = AsyncSide::Transport {
        transport: HyperTransport::new().context("starting HyperTransport")?,
        prepared: Arc::new(Prepared::new(base, &key, async_user_agent())?),
    };
    let (calls, tasks) = (sizes.concurrent_calls, sizes.tasks);
    let against = |subject: &AsyncSide| {
        rounds_in_turns(
            sizes.concurrent_rounds,
            || raw.cpu_per_call(rt, threads, calls, tasks),
            || subject.cpu_per_call(rt, threads, calls, tasks),
        )
    };
    let row = |name: String, subject_name, subject: &AsyncSide| {
        let rounds = against(subject)?;
        let sides = ("raw hyper-util", subject_name);
        Ok(Comparison::new(&name, sides, tasks, calls, rounds).with_metric(Metric::CpuPerCall))
    };
    Ok(vec![
        row(format!("async, {tasks} tasks, CPU"), "pluggy-async", &sdk)?,
        row(
            format!("async, {tasks} tasks, CPU, transport"),
            "HyperTransport",
            &transport,
        )?,
        row(
            format!("async, {tasks} tasks, CPU, raw twice"),
            "raw hyper-util",
            &twin,
        )?,
    ])
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
    let sequential = |subject: &BlockingSide<'_>| {
        measure_rounds(sizes.rounds, || {
            BlockingSide::alternating(&raw, subject, sizes.sequential_calls)
        })
    };
    let (calls, threads) = (sizes.concurrent_calls, sizes.threads);
    let concurrent = rounds_in_turns(
        sizes.concurrent_rounds,
        || raw.concurrent(calls, threads),
        || sdk.concurrent(calls, threads),
    )?;
    Ok(vec![
        Comparison::new(
            "blocking, sequential",
            ("raw ureq", "pluggy-blocking"),
            1,
            sizes.sequential_calls,
            sequential(&sdk)?,
        ),
        Comparison::new(
            &format!("blocking, {threads} threads"),
            ("raw ureq", "pluggy-blocking"),
            threads,
            calls,
            concurrent,
        ),
        Comparison::new(
            "blocking, transport only",
            ("raw ureq", "UreqTransport"),
            1,
            sizes.sequential_calls,
            sequential(&transport)?,
        ),
    ])
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
    fn medians_and_wall_time_per_call() {
        let us = Duration::from_micros;
        assert!((median_us(&[us(10), us(1000), us(12), us(11), us(13)]) - 12.0).abs() < 1e-6);
        assert!((per_call_us(us(2000), 5) - 400.0).abs() < 1e-6);
    }

    #[test]
    fn turns_alternate_and_results_keep_their_side() {
        let mut order = Vec::new();
        for turn in 0..2 {
            let log = std::cell::RefCell::new(Vec::new());
            let got = take_turns(
                turn,
                || {
                    log.borrow_mut().push('a');
                    Ok(1)
                },
                || {
                    log.borrow_mut().push('b');
                    Ok(2)
                },
            )
            .expect("no error");
            assert_eq!(got, (1, 2));
            order.push(log.into_inner());
        }
        assert_eq!(order, [vec!['a', 'b'], vec!['b', 'a']]);
        assert_eq!(ordered(0, 'a', 'b'), ['a', 'b']);
        assert_eq!(ordered(1, 'a', 'b'), ['b', 'a']);
    }

    #[test]
    fn ratio_is_the_median_of_the_round_ratios() {
        let c = Comparison::new(
            "x",
            ("a", "b"),
            1,
            1,
            (vec![100.0, 110.0, 90.0], vec![105.0, 99.0, 120.0]),
        );
        assert_eq!(c.metric, Metric::AlternatingMedian);
        assert!((c.ratio() - 1.05).abs() < 1e-9);
        let r = c.round_ratios();
        assert!((r.min - 0.9).abs() < 1e-9);
        assert!((r.max - 120.0 / 90.0).abs() < 1e-9);
    }
}
