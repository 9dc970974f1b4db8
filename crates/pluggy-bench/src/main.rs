//! `pluggy-bench`: measures what pluggy-rs promises, against an emulator started in this
//! process on 127.0.0.1.
//!
//! 1. SDK overhead: an authenticated `GET /connectors/0` through a hand-written request on
//!    hyper-util (resp. ureq) versus through `pluggy_async::Client` (resp.
//!    `pluggy_blocking::Client`), sequentially and concurrently, in interleaved rounds. Target:
//!    the SDK within 5% of the raw request.
//! 2. Single flight: bursts of 1, 100 and 1,000 concurrent first calls on a fresh async client,
//!    and again after the key expired; 64 threads on the blocking client. Each burst must cause
//!    exactly one `POST /auth` (counted by the emulator); otherwise the bench exits with 1.
//! 3. Emulator throughput under a closed loop of 1, 16 and 64 connections.
//! 4. With `--peers`: the official Node SDK next to pluggy-async, and the Prism mock server
//!    next to the emulator ([`peers`]).
//! 5. The fleet: 8 processes of 100 tasks sharing one key and one rate budget through Redis
//!    ([`fleet`]): one `POST /auth` per phase, no 429, no failure, and none either when Redis
//!    stops halfway. Skipped without `redis-server`.
//!
//! Usage: `pluggy-bench [--quick] [--json] [--peers] [--only PART] [--redis URL]
//! [--processes P] [--tasks T]` (normally through `cargo xtask bench`).

mod breakdown;
mod cpu;
mod error;
mod fleet;
mod overhead;
mod peers;
mod raw;
mod report;
mod single_flight;
mod stats;
mod throughput;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pluggy_emulator::{Config, Emulator, RunningEmulator};
use tokio::runtime::Runtime;

use crate::error::{Context, Result};
use crate::overhead::Sizes;
use crate::raw::RawHyper;
use crate::report::Report;
use crate::throughput::Target;

const USAGE: &str = "\
Usage: pluggy-bench [--quick] [--json] [--peers] [--only PART]

  --quick   a short run (seconds) instead of the full one (about a minute)
  --json    print one JSON document on standard output (the table goes to standard error)
  --peers   also compare with the official Node SDK and the Prism mock server (needs Node.js
            and npm; installs the pinned tools under target/peers/ on first use)
  --only    run one part only, for profiling it: overhead, sdk-work, single-flight,
            throughput, peers, fleet
  --redis URL, --processes P, --tasks T
            the fleet part's Redis server (default: a redis-server of its own) and size
            (default: 8 processes of 100 tasks)

Exit status: 0 when every check held, 1 when a single-flight burst did not make exactly one
POST /auth (or a call failed), 2 when the bench could not run.
";

/// The parts of the bench.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Overhead,
    SdkWork,
    SingleFlight,
    Throughput,
    Peers,
    Fleet,
}

/// Command-line options.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Options {
    quick: bool,
    json: bool,
    help: bool,
    peers: bool,
    only: Option<Part>,
    /// The fleet part's size and Redis server.
    fleet: fleet::Plan,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            quick: false,
            json: false,
            help: false,
            peers: false,
            only: None,
            fleet: fleet::Plan {
                processes: 8,
                tasks: 100,
                redis: None,
            },
        }
    }
}

impl Options {
    fn parse(args: impl IntoIterator<Item = String>) -> std::result::Result<Self, String> {
        let mut options = Options::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--quick" => options.quick = true,
                "--json" => options.json = true,
                "--help" | "-h" => options.help = true,
                "--peers" => options.peers = true,
                "--only" => {
                    options.only = Some(match args.next().as_deref() {
                        Some("overhead") => Part::Overhead,
                        Some("sdk-work") => Part::SdkWork,
                        Some("single-flight") => Part::SingleFlight,
                        Some("throughput") => Part::Throughput,
                        Some("peers") => Part::Peers,
                        Some("fleet") => Part::Fleet,
                        Some(other) => return Err(format!("unknown part `{other}`")),
                        None => return Err("--only needs a part".to_owned()),
                    })
                }
                "--redis" => {
                    options.fleet.redis = Some(
                        args.next()
                            .ok_or("--redis needs a URL (redis://host:port)")?,
                    )
                }
                "--processes" => options.fleet.processes = count(args.next(), "--processes")?,
                "--tasks" => options.fleet.tasks = count(args.next(), "--tasks")?,
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        Ok(options)
    }

    /// Whether `part` runs: the one `--only` names, else every part but the peers, which
    /// run with `--peers` only.
    fn runs(&self, part: Part) -> bool {
        match (self.only, part) {
            (_, Part::Peers) if self.peers => true,
            (Some(only), _) => only == part,
            (None, Part::Peers) => false,
            (None, _) => true,
        }
    }
}

/// A count from 1 to 10,000 given to `flag`.
fn count(value: Option<String>, flag: &str) -> std::result::Result<usize, String> {
    value
        .as_deref()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| (1..=10_000).contains(n))
        .ok_or_else(|| format!("{flag} needs a count from 1 to 10000"))
}

/// How long each part runs.
#[derive(Clone, Copy, Debug)]
struct Plan {
    mode: &'static str,
    async_sizes: Sizes,
    blocking_sizes: Sizes,
    breakdown_rounds: usize,
    breakdown_calls: usize,
    flight_callers: &'static [usize],
    blocking_flight_threads: usize,
    load_connections: &'static [usize],
    load_warmup: Duration,
    load_window: Duration,
}

impl Plan {
    fn new(quick: bool) -> Self {
        let (rounds, concurrent_rounds, sequential_calls, concurrent_calls) = if quick {
            (6, 6, 100, 400)
        } else {
            (30, 90, 300, 1600)
        };
        let sizes = Sizes {
            rounds,
            concurrent_rounds,
            sequential_calls,
            concurrent_calls,
            tasks: 16,
            threads: 4,
        };
        Self {
            mode: if quick { "quick" } else { "full" },
            async_sizes: sizes,
            blocking_sizes: sizes,
            breakdown_rounds: if quick { 15 } else { 60 },
            breakdown_calls: 1000,
            flight_callers: &[1, 100, 1000],
            blocking_flight_threads: 64,
            load_connections: &[1, 16, 64],
            load_warmup: Duration::from_millis(if quick { 100 } else { 500 }),
            load_window: Duration::from_millis(if quick { 500 } else { 3000 }),
        }
    }
}

/// A runtime of two worker threads, as the emulator and the clients run on.
fn runtime(name: &str) -> Result<Runtime> {
    runtime_of(name, 2)
}

/// A multi-thread runtime of `workers` worker threads, timers and I/O on.
fn runtime_of(name: &str, workers: usize) -> Result<Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name(name)
        .enable_all()
        .build()
        .context(format_args!("starting the {name} runtime"))
}

/// The clients' runtime of two worker threads, each of its threads joining `threads` as it
/// starts, so that the CPU time of the client side can be read.
fn client_runtime(threads: &Arc<cpu::Threads>) -> Result<Runtime> {
    let joining = threads.clone();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("client")
        .on_thread_start(move || joining.join_current())
        .enable_all()
        .build()
        .context("starting the client runtime")
}

/// The emulator as the bench runs it: no rate limits, syncs without delay.
fn emulator_config() -> Config {
    let mut config = Config::for_tests();
    config.rate_limits = false;
    config.sync_step_delay = Duration::ZERO;
    // Bursts of a thousand fresh connections may overlap the previous burst's closing ones.
    config.max_connections = 4096;
    config
}

fn start_emulator(rt: &Runtime) -> Result<RunningEmulator> {
    rt.block_on(Emulator::start(emulator_config()))
        .context("starting the emulator")
}

/// A progress line on standard error, so standard output holds only the result.
fn progress(message: &str) {
    eprintln!("pluggy-bench: {message}");
}

fn run(options: &Options) -> Result<Report> {
    let started = Instant::now();
    let plan = Plan::new(options.quick);
    let server_rt = runtime("emulator")?;
    let client_threads = Arc::new(cpu::Threads::default());
    let client_rt = client_runtime(&client_threads)?;
    let emulator = start_emulator(&server_rt)?;
    let base = emulator.base_url().to_owned();

    let mut overhead = Vec::new();
    let mut breakdown = None;
    if options.runs(Part::Overhead) {
        progress("SDK overhead, async (raw hyper-util vs pluggy-async)");
        overhead.extend(overhead::compare_async(
            &client_rt,
            &base,
            plan.async_sizes,
        )?);
        overhead.extend(overhead::compare_async_cpu(
            &client_rt,
            &client_threads,
            &base,
            plan.async_sizes,
        )?);
        overhead.push(overhead::compare_async_one_worker(
            &runtime_of("client-1", 1)?,
            &base,
            plan.async_sizes,
        )?);
        progress("SDK overhead, blocking (raw ureq vs pluggy-blocking)");
        overhead.extend(overhead::compare_blocking(
            &client_rt,
            &base,
            plan.blocking_sizes,
        )?);
    }
    if options.runs(Part::SdkWork) {
        progress("SDK work per call without network (in-memory transport)");
        breakdown = Some(breakdown::measure(
            &client_rt,
            &base,
            plan.breakdown_rounds,
            plan.breakdown_calls,
        )?);
    }

    let mut loads = Vec::new();
    if options.runs(Part::Throughput) {
        progress("emulator throughput");
        loads = throughput(&client_rt, &emulator, &plan)?;
    }
    let peers = if options.runs(Part::Peers) {
        progress("peers (official Node SDK, Prism mock)");
        Some(peers::run(
            &client_rt,
            &emulator,
            peers::Plan::new(options.quick),
        )?)
    } else {
        None
    };
    server_rt.block_on(emulator.shutdown());

    let mut bursts = Vec::new();
    if options.runs(Part::SingleFlight) {
        progress("single flight");
        bursts = single_flight(&server_rt, &client_rt, &plan)?;
    }

    let fleet = if options.runs(Part::Fleet) {
        progress("fleet (processes sharing one key and budget through Redis)");
        Some(fleet::run(&options.fleet)?)
    } else {
        None
    };

    Ok(Report {
        mode: plan.mode,
        fleet,
        cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
        overhead,
        breakdown,
        single_flight: bursts,
        throughput: loads,
        peers,
        elapsed: started.elapsed(),
    })
}

/// Every route and connection count of the plan, on the running emulator.
fn throughput(
    client_rt: &Runtime,
    emulator: &RunningEmulator,
    plan: &Plan,
) -> Result<Vec<throughput::Load>> {
    let base = emulator.base_url();
    let raw = RawHyper::new(base)?;
    let key: Arc<str> = client_rt.block_on(raw.api_key())?.into();
    // One item of the sandbox connector, created the way a client would, to read back.
    let body = serde_json::json!({
        "connectorId": 0,
        "parameters": {"user": "user-ok", "password": "password-ok"},
    });
    let created =
        client_rt.block_on(raw.capture(hyper::Method::POST, "/items", Some(&key), Some(&body)))?;
    raw::expect_ok(created.status(), "POST /items", created.body())?;
    let item: serde_json::Value =
        serde_json::from_slice(created.body()).context("decoding the answer of POST /items")?;
    let item_id = item
        .get("id")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| error::BenchError::new("the answer of POST /items has no id"))?;
    let targets = [
        Target {
            label: "GET /items/{id} (x-api-key)",
            path: format!("/items/{item_id}").leak(),
            api_key: Some(key.clone()),
        },
        Target {
            label: "GET /connectors/0 (x-api-key)",
            path: "/connectors/0",
            api_key: Some(key.clone()),
        },
        Target {
            label: "GET /__emulator/clock (no credential)",
            path: "/__emulator/clock",
            api_key: None,
        },
    ];
    // The same item's answer from a server that does nothing but write it: the ceiling.
    let path = targets[0].path;
    let answer = client_rt.block_on(raw.capture(hyper::Method::GET, path, Some(&key), None))?;
    raw::expect_ok(answer.status(), path, answer.body())?;
    let bare = throughput::Bare::start(answer.body().to_vec())?;
    let ceiling = Target {
        label: "same bytes, bare hyper (ceiling)",
        path,
        api_key: Some(key),
    };
    let mut loads = Vec::new();
    for (target, addr) in targets
        .iter()
        .map(|t| (t, emulator.addr()))
        .chain([(&ceiling, bare.addr())])
    {
        for &connections in plan.load_connections {
            loads.push(throughput::closed_loop(
                client_rt,
                addr,
                target,
                connections,
                plan.load_warmup,
                plan.load_window,
            )?);
        }
    }
    Ok(loads)
}

/// Every single-flight burst of the plan, each client on an emulator of its own.
fn single_flight(
    server_rt: &Runtime,
    client_rt: &Runtime,
    plan: &Plan,
) -> Result<Vec<single_flight::Burst>> {
    let mut bursts = Vec::new();
    let ttl = emulator_config().api_key_ttl;
    for &callers in plan.flight_callers {
        let emulator = start_emulator(server_rt)?;
        bursts.extend(single_flight::async_bursts(
            client_rt,
            emulator.base_url(),
            ttl,
            callers,
        )?);
        server_rt.block_on(emulator.shutdown());
    }
    let emulator = start_emulator(server_rt)?;
    bursts.extend(single_flight::blocking_bursts(
        client_rt,
        emulator.base_url(),
        ttl,
        plan.blocking_flight_threads,
    )?);
    server_rt.block_on(emulator.shutdown());
    Ok(bursts)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(code) = peers::child_main(&args) {
        return code;
    }
    if let Some(code) = fleet::child_main(&args) {
        return code;
    }
    let options = match Options::parse(args) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("pluggy-bench: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if options.help {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let report = match run(&options) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("pluggy-bench: {e}");
            return ExitCode::from(2);
        }
    };
    if options.json {
        eprint!("{}", report.table());
        println!("{:#}", report.to_json());
    } else {
        print!("{}", report.table());
    }
    if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> std::result::Result<Options, String> {
        Options::parse(args.iter().map(|a| (*a).to_owned()))
    }

    #[test]
    fn parses_the_flags_and_refuses_unknown_ones() {
        let o = parse(&["--quick", "--json", "--only", "throughput"]).expect("valid");
        assert!(o.quick && o.json && !o.help);
        assert!(o.runs(Part::Throughput) && !o.runs(Part::Overhead));
        assert!(parse(&[]).expect("valid").runs(Part::SingleFlight));
        assert!(parse(&["--fast"]).is_err());
        assert!(parse(&["--only"]).is_err());
        assert!(parse(&["--only", "all"]).is_err());
    }

    #[test]
    fn the_peers_run_only_when_asked_for() {
        assert!(!parse(&[]).expect("valid").runs(Part::Peers));
        let with = parse(&["--peers"]).expect("valid");
        assert!(with.runs(Part::Peers) && with.runs(Part::Overhead));
        let only = parse(&["--only", "peers"]).expect("valid");
        assert!(only.runs(Part::Peers) && !only.runs(Part::Throughput));
        let both = parse(&["--only", "throughput", "--peers"]).expect("valid");
        assert!(both.runs(Part::Peers) && both.runs(Part::Throughput));
        assert!(!both.runs(Part::SingleFlight));
    }
}
