//! The client runs, each in a child process: the official Node SDK's script, and this binary
//! re-executed with [`CHILD_COMMAND`] for pluggy-async. Both print one JSON line with what
//! they counted and their own peak resident set.

use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use pluggy_core::ItemId;
use serde_json::{Value, json};
use tokio::task::JoinSet;

use super::install::Tools;
use super::process::{self, Guard};
use super::{ASYNC_CLIENT, ClientRun, NODE_CLIENT};
use crate::error::{BenchError, Context, Result};

/// The hidden first argument that makes `pluggy-bench` one pluggy-async client run:
/// `pluggy-bench __peer-async BASE_URL ITEM_ID IN_FLIGHT WARMUP_MS WINDOW_MS`.
pub const CHILD_COMMAND: &str = "__peer-async";

/// Time a child may take beyond its warmup and window (start, authentication, first call).
const START_ALLOWANCE: Duration = Duration::from_secs(60);

/// One client run's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunArgs {
    /// The emulator's base URL.
    pub base: String,
    /// The item read.
    pub item: String,
    /// Calls in flight.
    pub in_flight: usize,
    /// Time not counted.
    pub warmup: Duration,
    /// Time counted.
    pub window: Duration,
}

impl RunArgs {
    /// The arguments after [`CHILD_COMMAND`].
    fn to_args(&self) -> Vec<String> {
        vec![
            self.base.clone(),
            self.item.clone(),
            self.in_flight.to_string(),
            self.warmup.as_millis().to_string(),
            self.window.as_millis().to_string(),
        ]
    }

    /// Parses the arguments after [`CHILD_COMMAND`].
    fn parse(args: &[String]) -> std::result::Result<Self, String> {
        let [base, item, in_flight, warmup, window] = args else {
            return Err(format!(
                "usage: pluggy-bench {CHILD_COMMAND} BASE_URL ITEM_ID IN_FLIGHT WARMUP_MS WINDOW_MS"
            ));
        };
        let number = |what: &str, text: &str| {
            text.parse::<u64>()
                .map_err(|_| format!("{what} must be a whole number, not `{text}`"))
        };
        let in_flight = number("IN_FLIGHT", in_flight)?;
        let window = number("WINDOW_MS", window)?;
        if in_flight == 0 || window == 0 {
            return Err("IN_FLIGHT and WINDOW_MS must be above 0".to_owned());
        }
        Ok(Self {
            base: base.clone(),
            item: item.clone(),
            in_flight: usize::try_from(in_flight).map_err(|_| "IN_FLIGHT is too large")?,
            warmup: Duration::from_millis(number("WARMUP_MS", warmup)?),
            window: Duration::from_millis(window),
        })
    }

    fn timeout(&self) -> Duration {
        self.warmup + self.window + START_ALLOWANCE
    }
}

/// The official Node SDK's run, in a `node` process.
pub fn run_node(tools: &Tools, run: &RunArgs) -> Result<ClientRun> {
    let mut command = Command::new(&tools.node);
    command
        .arg(tools.fetch_item_script())
        .current_dir(&tools.dir)
        .env("PLUGGY_API_URL", &run.base)
        .env("PLUGGY_CLIENT_ID", pluggy_emulator::DEFAULT_CLIENT_ID)
        .env(
            "PLUGGY_CLIENT_SECRET",
            pluggy_emulator::DEFAULT_CLIENT_SECRET,
        )
        .env("PEER_ITEM_ID", &run.item)
        .env("PEER_IN_FLIGHT", run.in_flight.to_string())
        .env("PEER_WARMUP_MS", run.warmup.as_millis().to_string())
        .env("PEER_WINDOW_MS", run.window.as_millis().to_string())
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost");
    let log = tools.dir.join(format!("node-{}.log", run.in_flight));
    collect(&mut command, NODE_CLIENT, run, &log)
}

/// pluggy-async's run, in a copy of this process.
pub fn run_async(tools_dir: &std::path::Path, run: &RunArgs) -> Result<ClientRun> {
    let exe = std::env::current_exe().context("finding the bench's own executable")?;
    let mut command = Command::new(exe);
    command.arg(CHILD_COMMAND).args(run.to_args());
    let log = tools_dir.join(format!("async-{}.log", run.in_flight));
    collect(&mut command, ASYNC_CLIENT, run, &log)
}

/// Runs a child to its end and reads its line.
fn collect(
    command: &mut Command,
    client: &'static str,
    run: &RunArgs,
    log: &std::path::Path,
) -> Result<ClientRun> {
    let mut guard = Guard::spawn(command, client, log)?;
    let status = guard.wait(run.timeout())?;
    drop(guard);
    if !status.success() {
        return Err(BenchError::new(format!(
            "the {client} run failed ({status}): {}",
            process::log_tail(log)
        )));
    }
    let text = std::fs::read_to_string(log).context(format_args!("reading {}", log.display()))?;
    let run = parse_line(&text, client, run.in_flight).map_err(|e| {
        BenchError::new(format!("the {client} run: {e}: {}", process::log_tail(log)))
    })?;
    if run.requests == 0 {
        return Err(BenchError::new(format!(
            "the {client} run completed no call inside its window (first error: {})",
            run.first_error.as_deref().unwrap_or("none")
        )));
    }
    Ok(run)
}

/// The last JSON line of a child's output.
fn parse_line(
    text: &str,
    client: &'static str,
    in_flight: usize,
) -> std::result::Result<ClientRun, String> {
    let doc: Value = text
        .lines()
        .rev()
        .find_map(|l| {
            serde_json::from_str::<Value>(l.trim())
                .ok()
                .filter(Value::is_object)
        })
        .ok_or("no result line")?;
    let count = |name: &str| {
        doc.get(name)
            .and_then(Value::as_u64)
            .ok_or_else(|| format!("the result line has no `{name}` count"))
    };
    let window_secs = doc
        .get("window_secs")
        .and_then(Value::as_f64)
        .filter(|s| *s > 0.0)
        .ok_or("the result line has no positive `window_secs`")?;
    let kib = |name: &str| doc.get(name).and_then(Value::as_u64).filter(|k| *k > 0);
    Ok(ClientRun {
        client,
        in_flight,
        rounds: 1,
        requests: count("requests")?,
        errors: count("errors")?,
        window_secs,
        peak_rss_kib: kib("vm_hwm_kib").or_else(|| kib("max_rss_kib")),
        first_error: doc
            .get("first_error")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

/// The hidden subcommand's entry point: `Some(exit code)` when `args` (without the program
/// name) start with [`CHILD_COMMAND`].
pub fn child_main(args: &[String]) -> Option<ExitCode> {
    let (first, rest) = args.split_first()?;
    if first != CHILD_COMMAND {
        return None;
    }
    let outcome = RunArgs::parse(rest)
        .map_err(BenchError::new)
        .and_then(|run| async_run(&run));
    Some(match outcome {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("pluggy-bench {CHILD_COMMAND}: {e}");
            ExitCode::from(2)
        }
    })
}

/// pluggy-async's closed loop: one call (it authenticates), then `in_flight` tasks calling
/// `get_item` until the window ends. The result line.
fn async_run(run: &RunArgs) -> Result<Value> {
    let rt = crate::runtime("peer")?;
    let client = crate::raw::sdk_client(&run.base)?;
    let id = ItemId::new(run.item.clone());
    let (warmup, window) = (run.warmup, run.window);
    let (requests, errors, first_error) = rt.block_on(async {
        client.get_item(&id).await.context("the first get_item")?;
        let from = Instant::now() + warmup;
        let until = from + window;
        let mut set = JoinSet::new();
        for _ in 0..run.in_flight {
            let (client, id) = (client.clone(), id.clone());
            set.spawn(async move {
                let (mut ok, mut bad, mut first_error) = (0u64, 0u64, None);
                while Instant::now() < until {
                    let outcome = client.get_item(&id).await;
                    let done = Instant::now();
                    if let Err(e) = &outcome {
                        first_error.get_or_insert_with(|| e.to_string());
                    }
                    if done >= from && done < until {
                        if outcome.is_ok() {
                            ok += 1;
                        } else {
                            bad += 1;
                        }
                    }
                }
                (ok, bad, first_error)
            });
        }
        let (mut requests, mut errors, mut first_error) = (0, 0, None);
        while let Some(done) = set.join_next().await {
            let (ok, bad, first) = done.context("a get_item task failed")?;
            requests += ok;
            errors += bad;
            first_error = first_error.or(first);
        }
        Ok::<_, BenchError>((requests, errors, first_error))
    })?;
    Ok(json!({
        "requests": requests,
        "errors": errors,
        "window_secs": window.as_secs_f64(),
        "vm_hwm_kib": process::own_vm_hwm_kib(),
        "first_error": first_error,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|a| (*a).to_owned()).collect()
    }

    #[test]
    fn the_child_arguments_round_trip_and_bad_ones_are_refused() {
        let run = RunArgs {
            base: "http://127.0.0.1:4000".to_owned(),
            item: "0c1d2e3f-0000-4000-8000-000000000001".to_owned(),
            in_flight: 64,
            warmup: Duration::from_millis(300),
            window: Duration::from_millis(1000),
        };
        assert_eq!(RunArgs::parse(&run.to_args()), Ok(run));
        assert!(RunArgs::parse(&strings(&["http://x", "item", "1", "0"])).is_err());
        assert!(RunArgs::parse(&strings(&["http://x", "item", "0", "0", "10"])).is_err());
        assert!(RunArgs::parse(&strings(&["http://x", "item", "1", "0", "0"])).is_err());
        assert!(RunArgs::parse(&strings(&["http://x", "item", "-1", "0", "10"])).is_err());
        assert!(RunArgs::parse(&strings(&["http://x", "item", "1", "soon", "10"])).is_err());
    }

    #[test]
    fn only_the_hidden_command_is_taken() {
        assert!(child_main(&strings(&["--quick"])).is_none());
        assert!(child_main(&[]).is_none());
        assert!(child_main(&strings(&[CHILD_COMMAND])).is_some());
    }

    #[test]
    fn reads_the_last_result_line_of_a_child() {
        let text = "(node:12) Warning: something\n\
                    {\"requests\":1200,\"errors\":0,\"window_secs\":1.0,\"vm_hwm_kib\":61234,\
                    \"max_rss_kib\":60000,\"first_error\":null}\n";
        let run = parse_line(text, NODE_CLIENT, 64).expect("valid");
        assert_eq!(run.requests, 1200);
        assert_eq!(run.peak_rss_kib, Some(61234));
        assert_eq!(run.in_flight, 64);
        assert!((run.per_second() - 1200.0).abs() < 1e-9);

        let without_proc = "{\"requests\":5,\"errors\":1,\"window_secs\":0.5,\
                            \"vm_hwm_kib\":null,\"max_rss_kib\":40000,\"first_error\":\"boom\"}";
        let run = parse_line(without_proc, NODE_CLIENT, 1).expect("valid");
        assert_eq!(run.peak_rss_kib, Some(40000));
        assert_eq!(run.first_error.as_deref(), Some("boom"));

        assert!(parse_line("", ASYNC_CLIENT, 1).is_err());
        assert!(parse_line("[1, 2]", ASYNC_CLIENT, 1).is_err());
        assert!(parse_line("{\"requests\":1}", ASYNC_CLIENT, 1).is_err());
        assert!(
            parse_line(
                "{\"requests\":1,\"errors\":0,\"window_secs\":0}",
                ASYNC_CLIENT,
                1
            )
            .is_err()
        );
    }
}
