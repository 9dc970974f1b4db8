//! The bench's results: a table for people and one JSON document for tools.

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{Value, json};

use crate::breakdown::Breakdown;
use crate::overhead::Comparison;
use crate::peers::Peers;
use crate::single_flight::Burst;
use crate::throughput::Load;

/// The design target: the SDK's median per-call time at most this multiple of the baseline's.
pub const TARGET_RATIO: f64 = 1.05;

/// Everything one run measured.
#[derive(Debug)]
pub struct Report {
    /// `quick` or `full`.
    pub mode: &'static str,
    /// CPUs available to this process.
    pub cpus: usize,
    /// Baseline-versus-SDK comparisons.
    pub overhead: Vec<Comparison>,
    /// The SDK's per-call work without network.
    pub breakdown: Option<Breakdown>,
    /// Single-flight bursts.
    pub single_flight: Vec<Burst>,
    /// Emulator throughput measurements.
    pub throughput: Vec<Load>,
    /// The comparisons with the peers (`--peers`).
    pub peers: Option<Peers>,
    /// The fleet sharing one key and budget through Redis.
    pub fleet: Option<crate::fleet::Fleet>,
    /// Wall time of the whole run.
    pub elapsed: Duration,
}

impl Report {
    /// Whether every check that must hold held (single flight: one `POST /auth` per burst,
    /// no failed call). Speed targets are reported, not enforced.
    pub fn passed(&self) -> bool {
        self.single_flight.iter().all(Burst::ok) && self.fleet.as_ref().is_none_or(|f| f.ok())
    }

    /// The note that goes with the throughput numbers.
    pub fn sharing_note(&self) -> String {
        format!(
            "the emulator (2 worker threads) and the load generator (2 worker threads) run in \
             this one process and share its {} CPU(s): the numbers are a lower bound for an \
             emulator with the machine to itself",
            self.cpus
        )
    }

    /// The readable table.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "pluggy-bench ({} run, {:.1}s, {} CPU(s)); emulator in-process on 127.0.0.1, \
             rate limits off",
            self.mode,
            self.elapsed.as_secs_f64(),
            self.cpus
        );
        if !self.overhead.is_empty() {
            let _ = writeln!(
                s,
                "\nSDK overhead: GET /connectors/0 with x-api-key, body read, JSON decoded into \
                 pluggy_core::models::Connector.\nOne caller: each round alternates raw and SDK \
                 calls and takes each side's median call. Several callers: the sides take turns \
                 round by round,\neach round's number is wall time / calls. raw/sdk us: each side's \
                 median over rounds; ratio: median over rounds of that round's sdk/raw (paired, \
                 so it\nneed not equal the quotient of the two medians when rounds differ), with \
                 its lowest and highest. \"raw twice\" puts a second raw client in the SDK's \
                 place:\nits ratio is what the method reads when both sides do the same work. \
                 The raw clients have the transports' pool, body limit and 30 s deadline;\n\
                 \"deadline\" times a raw client without it against one with it. \"1 worker\" \
                 runs both sides on a client runtime of one worker thread.\n\"CPU\" rows \
                 charge each round with the CPU time the client runtime's threads used (user \
                 and kernel, from /proc), divided by its calls: what a call costs, without the \
                 time spent waiting."
            );
            let _ = writeln!(
                s,
                "{:<31} {:<12} {:>6} {:>6} {:>9} {:>9} {:>7} {:>13}  <= 1.05",
                "case", "per round", "calls", "rounds", "raw us", "sdk us", "ratio", "round ratios"
            );
            for c in &self.overhead {
                let r = c.round_ratios();
                let _ = writeln!(
                    s,
                    "{:<31} {:<12} {:>6} {:>6} {:>9.1} {:>9.1} {:>7.3} {:>6.3}-{:<6.3}  {}",
                    c.name,
                    c.metric.name(),
                    c.calls_per_round,
                    c.baseline_us.len(),
                    c.baseline_spread().median,
                    c.subject_spread().median,
                    c.ratio(),
                    r.min,
                    r.max,
                    if c.ratio() <= TARGET_RATIO {
                        "yes"
                    } else {
                        "NO"
                    }
                );
            }
        }
        if let Some(b) = &self.breakdown {
            let _ = writeln!(
                s,
                "\nSDK work per call without network: get_connector through an in-memory \
                 transport answering with the recorded emulator answer ({} calls per round; \
                 medians over rounds, the added work paired round by round)",
                b.calls
            );
            let _ = writeln!(
                s,
                "  serde_json decode only {:>7.2} us\n  pluggy-async           {:>7.2} us \
                 (+{:.2} us)\n  pluggy-blocking        {:>7.2} us (+{:.2} us)",
                b.decode_us, b.async_us, b.async_extra_us, b.blocking_us, b.blocking_extra_us
            );
        }
        if !self.single_flight.is_empty() {
            let _ = writeln!(
                s,
                "\nSingle flight: POST /auth requests per burst of concurrent get_connector calls \
                 (must be 1)"
            );
            let _ = writeln!(
                s,
                "{:<16} {:>8} {:<13} {:>6} {:>7} {:>9}  ok",
                "client", "callers", "phase", "/auth", "failed", "ms"
            );
            for b in &self.single_flight {
                let _ = writeln!(
                    s,
                    "{:<16} {:>8} {:<13} {:>6} {:>7} {:>9.1}  {}",
                    b.client,
                    b.callers,
                    b.phase.name(),
                    b.auth_calls,
                    b.failed_calls,
                    b.elapsed.as_secs_f64() * 1e3,
                    if b.ok() { "yes" } else { "NO" }
                );
                if let Some(e) = &b.first_error {
                    let _ = writeln!(s, "    first error: {e}");
                }
            }
        }
        if !self.throughput.is_empty() {
            let _ = writeln!(
                s,
                "\nEmulator throughput: closed loop, C keep-alive connections, hyper load generator"
            );
            let _ = writeln!(
                s,
                "{:<38} {:>5} {:>8} {:>10} {:>12} {:>7}",
                "route", "C", "window", "req/s", "mean lat us", "errors"
            );
            for l in &self.throughput {
                let _ = writeln!(
                    s,
                    "{:<38} {:>5} {:>7.1}s {:>10.0} {:>12.1} {:>7}",
                    l.label,
                    l.connections,
                    l.window.as_secs_f64(),
                    l.per_second(),
                    l.mean_latency_us(),
                    l.errors
                );
            }
            let _ = writeln!(s, "note: {}", self.sharing_note());
        }
        if let Some(fleet) = &self.fleet {
            s.push_str(&fleet.table());
        }
        if let Some(peers) = &self.peers {
            s.push_str(&peers.table());
        }
        let _ = writeln!(
            s,
            "\nresult: {}",
            if self.single_flight.is_empty() {
                "single flight not measured in this run"
            } else if self.passed() {
                "single flight held in every burst"
            } else {
                "FAILED: a burst sent more or fewer than one POST /auth, or a call failed"
            }
        );
        s
    }

    /// The JSON document.
    pub fn to_json(&self) -> Value {
        let overhead: Vec<Value> = self
            .overhead
            .iter()
            .map(|c| {
                let (b, t, r) = (c.baseline_spread(), c.subject_spread(), c.round_ratios());
                json!({
                    "case": c.name,
                    "baseline": c.baseline,
                    "subject": c.subject,
                    "workers": c.workers,
                    "calls_per_round": c.calls_per_round,
                    "round_metric": c.metric.name(),
                    "rounds": c.baseline_us.len(),
                    "baseline_us": {"median": b.median, "min": b.min, "max": b.max},
                    "subject_us": {"median": t.median, "min": t.min, "max": t.max},
                    "ratio": c.ratio(),
                    "ratio_of_medians": c.ratio_of_medians(),
                    "round_ratio": {"median": r.median, "min": r.min, "max": r.max},
                    "target_ratio": TARGET_RATIO,
                    "within_target": c.ratio() <= TARGET_RATIO,
                })
            })
            .collect();
        let single_flight: Vec<Value> = self
            .single_flight
            .iter()
            .map(|b| {
                json!({
                    "client": b.client,
                    "callers": b.callers,
                    "phase": b.phase.name(),
                    "auth_calls": b.auth_calls,
                    "failed_calls": b.failed_calls,
                    "first_error": b.first_error,
                    "ms": b.elapsed.as_secs_f64() * 1e3,
                    "ok": b.ok(),
                })
            })
            .collect();
        let throughput: Vec<Value> = self
            .throughput
            .iter()
            .map(|l| {
                json!({
                    "route": l.label,
                    "connections": l.connections,
                    "window_secs": l.window.as_secs_f64(),
                    "requests": l.requests,
                    "errors": l.errors,
                    "requests_per_sec": l.per_second(),
                    "mean_latency_us": l.mean_latency_us(),
                })
            })
            .collect();
        let breakdown = self.breakdown.as_ref().map(|b| {
            json!({
                "calls_per_round": b.calls,
                "decode_us": b.decode_us,
                "async_us": b.async_us,
                "blocking_us": b.blocking_us,
                "async_extra_us": b.async_extra_us,
                "blocking_extra_us": b.blocking_extra_us,
            })
        });
        json!({
            "mode": self.mode,
            "cpus": self.cpus,
            "elapsed_secs": self.elapsed.as_secs_f64(),
            "overhead": overhead,
            "sdk_work_without_network": breakdown,
            "single_flight": single_flight,
            "throughput": throughput,
            "throughput_note": self.sharing_note(),
            "peers": self.peers.as_ref().map(Peers::to_json),
            "fleet": self.fleet.as_ref().map(crate::fleet::Fleet::to_json),
            "passed": self.passed(),
        })
    }
}
