//! The fleet: `P` OS processes with `T` concurrent callers each, against one emulator (rate
//! limits on) and one Redis server, sharing one API key and one rate budget through
//! pluggy-redis.
//!
//! Each run has two phases: every caller makes its first call together (`GET /items/{id}`);
//! then the emulator's clock jumps past the key's expiry and all of them call again. The runs:
//!
//! 1. without the store, rate limits off: the baseline the added latency is measured against
//!    (with rate limits on, its `P` simultaneous `POST /auth` per phase would be spread by
//!    429s and `Retry-After` over a minute);
//! 2. with the store: the goal is one `POST /auth` per phase, no 429 and no failed call;
//! 3. with the store, and Redis stopped between the phases: no failed call, and at most `P`
//!    `POST /auth` per phase.
//!
//! The workers are this binary run again (`__fleet-worker`), driven over their standard input
//! and output: `ready`, then one `go` per phase answered by one JSON line.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use pluggy_core::models::{CreateItemRequest, ItemParameters};
use pluggy_core::{ClientSecret, ConnectorId, ItemId, WaitPolicy};
use pluggy_emulator::{BackgroundEmulator, Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use pluggy_redis::{LocalRedis, RedisFleet};
use serde_json::{Value, json};

use crate::error::{BenchError, Context, Result};

/// The hidden subcommand a worker runs.
const WORKER: &str = "__fleet-worker";

/// Past the emulator's two-hour API key.
const PAST_EXPIRY: Duration = Duration::from_secs(2 * 3600 + 60);

/// How long any step of a worker may take before the run is called off.
const STEP_TIMEOUT: Duration = Duration::from_secs(120);

/// The size of the fleet, and the Redis server to use (`None`: one started by the bench).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// OS processes.
    pub processes: usize,
    /// Concurrent callers in each.
    pub tasks: usize,
    /// A Redis server to use instead of one of our own. The outage run always stops a server
    /// of its own.
    pub redis: Option<String>,
}

/// One run of the fleet.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// What was run.
    pub label: &'static str,
    /// Whether the processes shared the store.
    pub store: bool,
    /// Whether Redis was stopped between the phases.
    pub outage: bool,
    /// `POST /auth` requests the emulator served in the first phase.
    pub auth_calls_first: u64,
    /// And after the clock passed the key's expiry.
    pub auth_calls_after_expiry: u64,
    /// 429 answers the emulator gave, over both phases.
    pub rate_limited_answers: u64,
    /// Calls that returned an error to their caller.
    pub failed_calls: u64,
    /// Each call's latency, microseconds, both phases.
    pub latencies_us: Vec<u64>,
    /// The first error a worker saw, if any.
    pub first_error: Option<String>,
}

/// Everything the fleet part measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Fleet {
    /// Processes per run.
    pub processes: usize,
    /// Callers per process.
    pub tasks: usize,
    /// The runs, baseline first; empty when skipped.
    pub runs: Vec<Run>,
    /// Why the part did not run.
    pub skipped: Option<String>,
}

impl Fleet {
    fn run(&self, store: bool, outage: bool) -> Option<&Run> {
        self.runs
            .iter()
            .find(|r| r.store == store && r.outage == outage)
    }

    /// Whether the goals held: one `POST /auth` per phase, no 429, no failure with the store;
    /// no failure and at most one `POST /auth` per process per phase through the outage.
    pub fn ok(&self) -> bool {
        let p = self.processes as u64;
        let shared = self.run(true, false).is_none_or(|r| {
            r.auth_calls_first == 1
                && r.auth_calls_after_expiry == 1
                && r.rate_limited_answers == 0
                && r.failed_calls == 0
        });
        let outage = self.run(true, true).is_none_or(|r| {
            r.failed_calls == 0 && r.auth_calls_first <= p && r.auth_calls_after_expiry <= p
        });
        shared && outage
    }

    /// The store's added latency at quantile `q` (0.5, 0.99), microseconds, against the
    /// baseline.
    pub fn added_latency_us(&self, q: f64) -> Option<i64> {
        let base = quantile(&self.run(false, false)?.latencies_us, q)?;
        let with = quantile(&self.run(true, false)?.latencies_us, q)?;
        Some(with as i64 - base as i64)
    }

    /// The table's lines.
    pub fn table(&self) -> String {
        let mut out = format!(
            "\nFleet: {} processes x {} tasks, GET /items/{{id}} together, then again past the \
             key's expiry; emulator rate limits on (off for the baseline)\n",
            self.processes, self.tasks
        );
        if let Some(reason) = &self.skipped {
            out.push_str(&format!("skipped: {reason}\n"));
            return out;
        }
        out.push_str(&format!(
            "{:<34} {:>10} {:>11} {:>5} {:>7} {:>9} {:>9}\n",
            "run", "auth first", "auth expiry", "429s", "failed", "p50 us", "p99 us"
        ));
        for r in &self.runs {
            out.push_str(&format!(
                "{:<34} {:>10} {:>11} {:>5} {:>7} {:>9} {:>9}\n",
                r.label,
                r.auth_calls_first,
                r.auth_calls_after_expiry,
                r.rate_limited_answers,
                r.failed_calls,
                quantile(&r.latencies_us, 0.5).unwrap_or(0),
                quantile(&r.latencies_us, 0.99).unwrap_or(0),
            ));
            if let Some(e) = &r.first_error {
                out.push_str(&format!("  first error: {e}\n"));
            }
        }
        if let (Some(p50), Some(p99)) = (self.added_latency_us(0.5), self.added_latency_us(0.99)) {
            out.push_str(&format!(
                "the store adds {p50} us at p50 and {p99} us at p99 (first call and call past \
                 expiry, against the baseline)\n"
            ));
        }
        out.push_str(&format!(
            "result: {}\n",
            if self.ok() {
                "the fleet held its goals"
            } else {
                "the fleet MISSED a goal"
            }
        ));
        out
    }

    /// The JSON document of the part.
    pub fn to_json(&self) -> Value {
        let runs: Vec<Value> = self
            .runs
            .iter()
            .map(|r| {
                json!({
                    "run": r.label,
                    "store": r.store,
                    "redis_stopped_halfway": r.outage,
                    "processes": self.processes,
                    "tasks_per_process": self.tasks,
                    "auth_calls_first": r.auth_calls_first,
                    "auth_calls_after_expiry": r.auth_calls_after_expiry,
                    "rate_limited_answers": r.rate_limited_answers,
                    "failed_calls": r.failed_calls,
                    "p50_us": quantile(&r.latencies_us, 0.5),
                    "p99_us": quantile(&r.latencies_us, 0.99),
                    "first_error": r.first_error,
                })
            })
            .collect();
        let shared = self.run(true, false);
        json!({
            "processes": self.processes,
            "tasks_per_process": self.tasks,
            "auth_calls_first": shared.map(|r| r.auth_calls_first),
            "auth_calls_after_expiry": shared.map(|r| r.auth_calls_after_expiry),
            "rate_limited_answers": shared.map(|r| r.rate_limited_answers),
            "failed_calls": shared.map(|r| r.failed_calls),
            "added_latency_p50_us": self.added_latency_us(0.5),
            "added_latency_p99_us": self.added_latency_us(0.99),
            "ok": self.ok(),
            "skipped": self.skipped,
            "runs": runs,
        })
    }
}

/// The value at quantile `q` of `values` (nearest rank).
fn quantile(values: &[u64], q: f64) -> Option<u64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// Runs the part: the baseline, the shared fleet and the outage.
pub fn run(plan: &Plan) -> Result<Fleet> {
    let mut fleet = Fleet {
        processes: plan.processes,
        tasks: plan.tasks,
        runs: Vec::new(),
        skipped: None,
    };
    let own = match &plan.redis {
        Some(_) => None,
        None if !LocalRedis::available() => {
            fleet.skipped = Some(
                "redis-server is not installed (Debian's redis-server package), and no --redis \
                 URL was given"
                    .to_owned(),
            );
            return Ok(fleet);
        }
        None => Some(LocalRedis::start().context("starting redis-server")?),
    };
    let url = match (&plan.redis, &own) {
        (Some(url), _) => url.clone(),
        (None, Some(own)) => own.url(),
        (None, None) => unreachable!("one of the two is set above"),
    };
    RedisFleet::new(&url).map_err(|e| BenchError::new(e.to_string()))?;

    fleet.runs.push(one_run(
        plan,
        "baseline: no store, no rate limits",
        None,
        None,
    )?);
    fleet.runs.push(one_run(
        plan,
        "shared key and budget (Redis)",
        Some(&url),
        None,
    )?);
    if LocalRedis::available() {
        let mut outage = LocalRedis::start().context("starting redis-server")?;
        let url = outage.url();
        fleet.runs.push(one_run(
            plan,
            "Redis stopped between the phases",
            Some(&url),
            Some(&mut outage),
        )?);
    }
    Ok(fleet)
}

/// The worker processes of one run, killed when dropped.
struct Workers {
    children: Vec<Child>,
    inputs: Vec<ChildStdin>,
    lines: mpsc::Receiver<(usize, String)>,
}

impl Drop for Workers {
    fn drop(&mut self) {
        self.inputs.clear();
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Workers {
    fn start(plan: &Plan, base: &str, item: &ItemId, redis: Option<&str>) -> Result<Self> {
        let exe = std::env::current_exe().context("locating the bench binary")?;
        let (tx, lines) = mpsc::channel();
        let mut workers = Self {
            children: Vec::new(),
            inputs: Vec::new(),
            lines,
        };
        for n in 0..plan.processes {
            let mut child = Command::new(&exe)
                .args([WORKER, base, item.as_str(), &plan.tasks.to_string()])
                .arg(redis.unwrap_or("-"))
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .context("starting a fleet worker")?;
            let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
                return Err(BenchError::new("a fleet worker has no pipes"));
            };
            workers.children.push(child);
            workers.inputs.push(stdin);
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { return };
                    if tx.send((n, line)).is_err() {
                        return;
                    }
                }
            });
        }
        workers.collect(|line| (line == "ready").then_some(()))?;
        Ok(workers)
    }

    /// One line from every worker, each parsed by `parse` (`None`: not the line expected).
    fn collect<T>(&self, parse: impl Fn(&str) -> Option<T>) -> Result<Vec<T>> {
        let deadline = Instant::now() + STEP_TIMEOUT;
        let mut answers: Vec<Option<T>> = (0..self.children.len()).map(|_| None).collect();
        while answers.iter().any(Option::is_none) {
            let left = deadline.saturating_duration_since(Instant::now());
            let (n, line) = self
                .lines
                .recv_timeout(left)
                .map_err(|_| BenchError::new("a fleet worker stopped answering"))?;
            let answer = parse(&line)
                .ok_or_else(|| BenchError::new(format!("fleet worker {n} answered `{line}`")))?;
            answers[n] = Some(answer);
        }
        Ok(answers.into_iter().flatten().collect())
    }

    /// Starts a phase in every worker at once and waits for each one's results.
    fn phase(&mut self) -> Result<Vec<Value>> {
        for input in &mut self.inputs {
            input
                .write_all(b"go\n")
                .and_then(|()| input.flush())
                .context("starting a phase")?;
        }
        self.collect(|line| serde_json::from_str::<Value>(line).ok())
    }
}

fn one_run(
    plan: &Plan,
    label: &'static str,
    redis: Option<&str>,
    outage: Option<&mut LocalRedis>,
) -> Result<Run> {
    let mut config = Config::for_tests();
    config.rate_limits = redis.is_some();
    config.max_connections = config.max_connections.max(plan.processes * plan.tasks * 2);
    let emulator =
        pluggy_emulator::Emulator::start_in_background(config).context("starting the emulator")?;
    let item = create_item(emulator.base_url())?;
    let mut workers = Workers::start(plan, emulator.base_url(), &item, redis)?;

    let stopped = outage.is_some();
    let auth_before = auth_calls(&emulator)?;
    let first = workers.phase()?;
    let auth_first = auth_calls(&emulator)?;
    if let Some(redis) = outage {
        redis.stop();
    }
    emulator.advance_clock(PAST_EXPIRY);
    let second = workers.phase()?;
    let auth_after = auth_calls(&emulator)?;
    drop(workers);

    let mut run = Run {
        label,
        store: redis.is_some(),
        outage: stopped,
        auth_calls_first: auth_first - auth_before,
        auth_calls_after_expiry: auth_after - auth_first,
        rate_limited_answers: rate_limited(&emulator.stats()),
        failed_calls: 0,
        latencies_us: Vec::new(),
        first_error: None,
    };
    for answer in first.iter().chain(&second) {
        run.failed_calls += answer["failed"].as_u64().unwrap_or(0);
        if let Some(list) = answer["latencies_us"].as_array() {
            run.latencies_us
                .extend(list.iter().filter_map(Value::as_u64));
        }
        if run.first_error.is_none() {
            run.first_error = answer["error"].as_str().map(str::to_owned);
        }
    }
    emulator.shutdown();
    Ok(run)
}

/// A sandbox item for the workers to read, created with a client of the bench's own.
fn create_item(base: &str) -> Result<ItemId> {
    let client = pluggy_blocking::Client::builder()
        .base_url(base)
        .credentials(DEFAULT_CLIENT_ID, ClientSecret::new(DEFAULT_CLIENT_SECRET))
        .build()
        .context("building the bench's client")?;
    let params = ItemParameters::new()
        .with("user", "user-ok")
        .with("password", "password-ok");
    let item = client
        .create_item(&CreateItemRequest::new(ConnectorId::new(0), params))
        .context("creating the item")?;
    client
        .wait_for_item(&item.id, WaitPolicy::default(), |_| {})
        .context("waiting for the item")?;
    Ok(item.id)
}

fn auth_calls(emulator: &BackgroundEmulator) -> Result<u64> {
    emulator.stats()["auth_calls"]
        .as_u64()
        .ok_or_else(|| BenchError::new("the emulator's stats have no auth_calls count"))
}

/// The 429 answers in the emulator's stats, over every route.
fn rate_limited(stats: &Value) -> u64 {
    stats["requests"].as_object().map_or(0, |routes| {
        routes
            .values()
            .filter_map(|statuses| statuses["429"].as_u64())
            .sum()
    })
}

/// Runs a worker when `args` ask for one: `__fleet-worker BASE ITEM TASKS REDIS|-`.
pub fn child_main(args: &[String]) -> Option<ExitCode> {
    if args.first().map(String::as_str) != Some(WORKER) {
        return None;
    }
    Some(match worker(&args[1..]) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pluggy-bench fleet worker: {e}");
            ExitCode::from(2)
        }
    })
}

fn worker(args: &[String]) -> Result<()> {
    let [base, item, tasks, redis] = args else {
        return Err(BenchError::new(
            "usage: __fleet-worker BASE ITEM TASKS REDIS|-",
        ));
    };
    let tasks: usize = tasks.parse().context("TASKS")?;
    let item = ItemId::new(item.as_str());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the worker's runtime")?;
    let mut builder = pluggy_async::Client::builder()
        .base_url(base.as_str())
        .credentials(DEFAULT_CLIENT_ID, ClientSecret::new(DEFAULT_CLIENT_SECRET));
    if redis != "-" {
        builder =
            builder.fleet(RedisFleet::new(redis).map_err(|e| BenchError::new(e.to_string()))?);
    }
    let client = builder.build().context("building the client")?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready").context("answering")?;
    out.flush().context("answering")?;
    for line in std::io::stdin().lines() {
        if line.context("reading a command")? != "go" {
            continue;
        }
        let answer = runtime.block_on(phase(&client, &item, tasks));
        writeln!(out, "{answer}").context("answering")?;
        out.flush().context("answering")?;
    }
    Ok(())
}

/// `tasks` concurrent `GET /items/{id}`: latencies, failures and the first error.
async fn phase(client: &pluggy_async::Client, item: &ItemId, tasks: usize) -> Value {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..tasks {
        let (client, item) = (client.clone(), item.clone());
        set.spawn(async move {
            let started = Instant::now();
            let outcome = client.get_item(&item).await;
            (started.elapsed(), outcome.err().map(|e| e.to_string()))
        });
    }
    let (mut latencies, mut failed, mut error) = (Vec::new(), 0u64, None);
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((elapsed, None)) => {
                latencies.push(u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX));
            }
            Ok((_, Some(e))) => {
                failed += 1;
                error.get_or_insert(e);
            }
            Err(e) => {
                failed += 1;
                error.get_or_insert(e.to_string());
            }
        }
    }
    json!({ "failed": failed, "latencies_us": latencies, "error": error })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_nearest_rank() {
        let values: Vec<u64> = (1..=100).collect();
        assert_eq!(quantile(&values, 0.5), Some(50));
        assert_eq!(quantile(&values, 0.99), Some(99));
        assert_eq!(quantile(&values, 1.0), Some(100));
        assert_eq!(quantile(&[7], 0.99), Some(7));
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn the_goals_come_from_the_counts() {
        let run = |store, outage, first, after, limited, failed| Run {
            label: "r",
            store,
            outage,
            auth_calls_first: first,
            auth_calls_after_expiry: after,
            rate_limited_answers: limited,
            failed_calls: failed,
            latencies_us: vec![10, 20],
            first_error: None,
        };
        let fleet = |runs| Fleet {
            processes: 8,
            tasks: 100,
            runs,
            skipped: None,
        };
        assert!(
            fleet(vec![
                run(true, false, 1, 1, 0, 0),
                run(true, true, 1, 8, 0, 0)
            ])
            .ok()
        );
        assert!(!fleet(vec![run(true, false, 2, 1, 0, 0)]).ok());
        assert!(!fleet(vec![run(true, false, 1, 1, 3, 0)]).ok());
        assert!(!fleet(vec![run(true, true, 1, 9, 0, 0)]).ok());
        assert!(!fleet(vec![run(true, true, 1, 3, 0, 1)]).ok());
        let counted = rate_limited(&json!({"requests": {
            "POST /auth": {"200": 360, "429": 440},
            "GET /items/{id}": {"200": 800, "429": 2},
        }}));
        assert_eq!(counted, 442);
    }
}
