//! The peers (`--peers`): pluggy-rs next to what a team would otherwise use.
//!
//! 1. Pluggy's official Node SDK (`pluggy-sdk`) calling `fetchItem` in a loop on one item,
//!    against pluggy-async's `get_item` on the same emulator and the same item, one call at a
//!    time and 64 in flight. Each client runs in a child process of its own (Node runs
//!    `bench/peers/fetch-item.js`; pluggy-async re-executes this binary with
//!    `__peer-async`), so the peak resident set each one reports (`VmHWM`) is its own and
//!    not the emulator's.
//! 2. The Prism mock server (`@stoplight/prism-cli`) serving Pluggy's OpenAPI document, against
//!    the emulator, on `GET /items/{id}` under the bench's closed-loop load generator
//!    ([`throughput`](mod@crate::throughput)).
//!
//! The Node tools are installed, pinned by `bench/peers/package-lock.json`, under
//! `target/peers/` on first use. Without Node.js or npm, or without the OpenAPI document, the
//! part says why it was skipped; the exit status does not change.

mod child;
mod install;
mod prism;
mod process;
mod report;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pluggy_core::models::{CreateItemRequest, ItemParameters};
use pluggy_core::{ConnectorId, ItemId, ItemStatus};
use pluggy_emulator::RunningEmulator;
use tokio::runtime::Runtime;

use crate::error::{BenchError, Context, Result};
use crate::raw::{RawHyper, sdk_client};
use crate::throughput::Load;

pub use child::child_main;

/// The official Node SDK's version, as pinned in `bench/peers/package.json` (and
/// `compat/node/package.json`).
pub const NODE_SDK: &str = "pluggy-sdk@0.90.0";
/// Prism's version, as pinned in `bench/peers/package.json`: the newest release that still
/// runs on Node.js 18 and 20 (5.15 and later require Node.js 24).
pub const PRISM: &str = "@stoplight/prism-cli@5.14.2";
/// The environment variable naming Pluggy's OpenAPI document for Prism.
pub const SPEC_VAR: &str = "PLUGGY_OAS3";

/// How long each peer run lasts.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Calls in flight in the client runs.
    pub in_flight: &'static [usize],
    /// Keep-alive connections in the mock-server runs.
    pub connections: &'static [usize],
    /// Rounds per setting; in each round both sides run once, which one first alternating, and
    /// a side's result sums its rounds, so that load from outside the bench falls on both.
    pub rounds: usize,
    /// Time not counted at the start of each run.
    pub warmup: Duration,
    /// Time counted in each run.
    pub window: Duration,
}

impl Plan {
    /// The quick or the full plan.
    pub fn new(quick: bool) -> Self {
        Self {
            in_flight: &[1, 64],
            connections: &[1, 64],
            rounds: if quick { 3 } else { 5 },
            warmup: Duration::from_millis(if quick { 200 } else { 500 }),
            window: Duration::from_millis(if quick { 600 } else { 3000 }),
        }
    }
}

/// Runs `first` and `second` once per round, `first` leading in even rounds and `second` in
/// odd ones; each side's results in the order they ran.
fn alternate<T>(
    rounds: usize,
    mut first: impl FnMut() -> Result<T>,
    mut second: impl FnMut() -> Result<T>,
) -> Result<(Vec<T>, Vec<T>)> {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for round in 0..rounds.max(1) {
        if round % 2 == 0 {
            a.push(first()?);
            b.push(second()?);
        } else {
            b.push(second()?);
            a.push(first()?);
        }
    }
    Ok((a, b))
}

/// One side's rounds as one load: calls and windows summed.
fn merge_loads(rounds: Vec<Load>) -> Option<Load> {
    rounds.into_iter().reduce(|mut sum, l| {
        sum.requests += l.requests;
        sum.errors += l.errors;
        sum.window += l.window;
        sum
    })
}

/// One client's run in its own process.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientRun {
    /// Which client: [`NODE_CLIENT`] or [`ASYNC_CLIENT`].
    pub client: &'static str,
    /// Calls in flight.
    pub in_flight: usize,
    /// Runs (processes) summed into this one.
    pub rounds: usize,
    /// Successful calls completed inside the window.
    pub requests: u64,
    /// Failed calls completed inside the window.
    pub errors: u64,
    /// Length of the window (of all rounds together), in seconds.
    pub window_secs: f64,
    /// The process's peak resident set in KiB, as it reported it (the highest of the rounds).
    pub peak_rss_kib: Option<u64>,
    /// The first failure, if a call failed.
    pub first_error: Option<String>,
}

impl ClientRun {
    /// One side's rounds as one run: calls and windows summed, the highest peak, the first
    /// failure.
    fn merge(rounds: Vec<ClientRun>) -> Option<ClientRun> {
        rounds.into_iter().reduce(|mut sum, r| {
            sum.rounds += r.rounds;
            sum.requests += r.requests;
            sum.errors += r.errors;
            sum.window_secs += r.window_secs;
            sum.peak_rss_kib = sum.peak_rss_kib.max(r.peak_rss_kib);
            sum.first_error = sum.first_error.take().or(r.first_error);
            sum
        })
    }

    /// Successful calls per second.
    pub fn per_second(&self) -> f64 {
        if self.window_secs > 0.0 {
            self.requests as f64 / self.window_secs
        } else {
            0.0
        }
    }
}

/// The name of the official Node SDK's runs.
pub const NODE_CLIENT: &str = "pluggy-sdk (Node)";
/// The name of pluggy-async's runs.
pub const ASYNC_CLIENT: &str = "pluggy-async";

/// The emulator and Prism under the same load.
#[derive(Clone, Debug)]
pub struct MockPair {
    /// The emulator's run.
    pub emulator: Load,
    /// Prism's run.
    pub prism: Load,
}

impl MockPair {
    /// The emulator's requests per second over Prism's.
    pub fn ratio(&self) -> Option<f64> {
        ratio(self.emulator.per_second(), self.prism.per_second())
    }
}

/// `a / b` when `b` is above zero.
fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0).then(|| a / b)
}

/// What the peers part measured, or why a half of it was skipped.
#[derive(Clone, Debug, Default)]
pub struct Peers {
    /// The client runs, Node and pluggy-async alternating, for each number in flight.
    pub clients: Vec<ClientRun>,
    /// Why the client runs were skipped.
    pub clients_skipped: Option<String>,
    /// The mock-server runs, one pair per number of connections.
    pub mock: Vec<MockPair>,
    /// Why the mock-server runs were skipped.
    pub mock_skipped: Option<String>,
}

/// Where the peers' files are.
#[derive(Clone, Debug)]
struct Paths {
    /// `bench/peers/` in the repository: package.json, package-lock.json, the script.
    source: PathBuf,
    /// `target/peers/`: the installed tools.
    install: PathBuf,
    /// Pluggy's OpenAPI document.
    spec: PathBuf,
}

impl Paths {
    fn new() -> Self {
        let root = repo_root();
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .map_or_else(|| root.join("target"), |t| root.join(t));
        let spec = std::env::var_os(SPEC_VAR).map_or_else(
            || root.join("../shared/spec/pluggy-oas3.json"),
            |p| root.join(p),
        );
        Self {
            source: root.join("bench").join("peers"),
            install: target.join("peers"),
            spec,
        }
    }
}

/// The repository's root: two levels above this crate's manifest.
fn repo_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .map_or_else(|| manifest.clone(), PathBuf::from)
}

/// Runs both halves against `emulator` (rate limits off) with the load generator on
/// `client_rt`.
pub fn run(client_rt: &Runtime, emulator: &RunningEmulator, plan: Plan) -> Result<Peers> {
    let paths = Paths::new();
    let mut peers = Peers::default();
    let tools = install::ensure(&paths);
    let base = emulator.base_url().to_owned();
    let item = client_rt.block_on(create_item(&sdk_client(&base)?))?;

    match &tools {
        Ok(tools) => {
            for &in_flight in plan.in_flight {
                let run = child::RunArgs {
                    base: base.clone(),
                    item: item.as_str().to_owned(),
                    in_flight,
                    warmup: plan.warmup,
                    window: plan.window,
                };
                crate::progress(&format!(
                    "peers: {NODE_CLIENT} and {ASYNC_CLIENT}, {in_flight} in flight, {} \
                     round(s)",
                    plan.rounds
                ));
                let (node, rust) = alternate(
                    plan.rounds,
                    || child::run_node(tools, &run),
                    || child::run_async(&tools.dir, &run),
                )?;
                peers.clients.extend(ClientRun::merge(node));
                peers.clients.extend(ClientRun::merge(rust));
            }
        }
        Err(skip) => peers.clients_skipped = Some(skip.clone()),
    }

    match (&tools, paths.spec.is_file()) {
        (Err(skip), _) => peers.mock_skipped = Some(skip.clone()),
        (Ok(_), false) => {
            peers.mock_skipped = Some(format!(
                "Pluggy's OpenAPI document is not at {} (set {SPEC_VAR} to its path)",
                paths.spec.display()
            ));
        }
        (Ok(tools), true) => {
            let key: Arc<str> = client_rt.block_on(RawHyper::new(&base)?.api_key())?.into();
            peers.mock = prism::compare(client_rt, tools, &paths, emulator, &item, key, plan)?;
        }
    }
    Ok(peers)
}

/// A sandbox item, waited for until its first sync ended, so every run reads the same answer.
async fn create_item(client: &pluggy_async::Client) -> Result<ItemId> {
    let parameters = ItemParameters::new()
        .with("user", "user-ok")
        .with("password", "password-ok");
    let item = client
        .create_item(&CreateItemRequest::new(ConnectorId::new(0), parameters))
        .await
        .context("creating the sandbox item the peers read")?;
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut status = item.status;
    while matches!(status, ItemStatus::Updating | ItemStatus::Merging) {
        if Instant::now() > deadline {
            return Err(BenchError::new(format!(
                "item {} still syncing after 30 s",
                item.id.as_str()
            )));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        status = client
            .get_item(&item.id)
            .await
            .context("reading the sandbox item")?
            .status;
    }
    Ok(item.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(requests: u64, kib: Option<u64>, error: Option<&str>) -> ClientRun {
        ClientRun {
            client: NODE_CLIENT,
            in_flight: 1,
            rounds: 1,
            requests,
            errors: u64::from(error.is_some()),
            window_secs: 0.5,
            peak_rss_kib: kib,
            first_error: error.map(str::to_owned),
        }
    }

    #[test]
    fn rounds_alternate_which_side_leads() {
        let order = std::cell::RefCell::new(Vec::new());
        let (a, b) = alternate(
            3,
            || {
                order.borrow_mut().push('a');
                Ok(1)
            },
            || {
                order.borrow_mut().push('b');
                Ok(2)
            },
        )
        .expect("no failure");
        assert_eq!(order.into_inner(), ['a', 'b', 'b', 'a', 'a', 'b']);
        assert_eq!((a, b), (vec![1, 1, 1], vec![2, 2, 2]));
        let failed = alternate(2, || Ok(1), || Err::<i32, _>(BenchError::new("down")));
        assert!(failed.is_err());
    }

    #[test]
    fn a_sides_rounds_add_up() {
        let merged = ClientRun::merge(vec![
            run(100, Some(50_000), None),
            run(300, None, Some("timeout")),
            run(200, Some(60_000), Some("later")),
        ])
        .expect("three rounds");
        assert_eq!(merged.rounds, 3);
        assert_eq!(merged.requests, 600);
        assert_eq!(merged.errors, 2);
        assert!((merged.window_secs - 1.5).abs() < 1e-9);
        assert!((merged.per_second() - 400.0).abs() < 1e-9);
        assert_eq!(merged.peak_rss_kib, Some(60_000));
        assert_eq!(merged.first_error.as_deref(), Some("timeout"));
        assert_eq!(ClientRun::merge(Vec::new()), None);

        let load = |requests| Load {
            label: "GET /items/{id}",
            connections: 64,
            window: Duration::from_millis(500),
            requests,
            errors: 0,
        };
        let sum = merge_loads(vec![load(1000), load(3000)]).expect("two rounds");
        assert_eq!(sum.requests, 4000);
        assert_eq!(sum.window, Duration::from_secs(1));
        assert!(merge_loads(Vec::new()).is_none());
    }
}
