//! The peers' part of the table and of the JSON document.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{ASYNC_CLIENT, ClientRun, NODE_CLIENT, NODE_SDK, PRISM, Peers, ratio};

/// One number in flight: the Node SDK's run and pluggy-async's.
struct Side<'a> {
    in_flight: usize,
    node: Option<&'a ClientRun>,
    rust: Option<&'a ClientRun>,
}

impl Side<'_> {
    /// pluggy-async's calls per second over the Node SDK's.
    fn speedup(&self) -> Option<f64> {
        ratio(self.rust?.per_second(), self.node?.per_second())
    }

    /// The Node SDK's peak resident set over pluggy-async's.
    fn memory_ratio(&self) -> Option<f64> {
        ratio(
            self.node?.peak_rss_kib? as f64,
            self.rust?.peak_rss_kib? as f64,
        )
    }
}

impl Peers {
    /// The runs paired by number in flight, in the order they ran.
    fn sides(&self) -> Vec<Side<'_>> {
        let mut sides: Vec<Side<'_>> = Vec::new();
        for run in &self.clients {
            let side = match sides.iter_mut().find(|s| s.in_flight == run.in_flight) {
                Some(side) => side,
                None => {
                    sides.push(Side {
                        in_flight: run.in_flight,
                        node: None,
                        rust: None,
                    });
                    let last = sides.len() - 1;
                    &mut sides[last]
                }
            };
            if run.client == NODE_CLIENT {
                side.node = Some(run);
            } else if run.client == ASYNC_CLIENT {
                side.rust = Some(run);
            }
        }
        sides
    }

    /// The readable table.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "\nPeers: the official Node SDK ({NODE_SDK}) fetchItem vs pluggy-async get_item, \
             one item, same emulator;\neach client in a child process of its own (peak RSS = \
             its VmHWM, the highest of its rounds), closed loop of N calls in flight;\nrounds: \
             one process per client per round, which client goes first alternating; window: \
             counted time over all rounds"
        );
        if let Some(why) = &self.clients_skipped {
            let _ = writeln!(s, "skipped: {why}");
        } else {
            let _ = writeln!(
                s,
                "{:<20} {:>9} {:>6} {:>8} {:>10} {:>13} {:>7}",
                "client", "in flight", "rounds", "window", "req/s", "peak RSS MiB", "errors"
            );
            for run in &self.clients {
                let _ = writeln!(
                    s,
                    "{:<20} {:>9} {:>6} {:>7.1}s {:>10.0} {:>13} {:>7}",
                    run.client,
                    run.in_flight,
                    run.rounds,
                    run.window_secs,
                    run.per_second(),
                    run.peak_rss_kib
                        .map_or_else(|| "n/a".to_owned(), |k| format!("{:.1}", k as f64 / 1024.0)),
                    run.errors
                );
                if let Some(e) = &run.first_error {
                    let _ = writeln!(s, "    first error: {e}");
                }
            }
            for side in self.sides() {
                let _ = writeln!(
                    s,
                    "{} in flight: pluggy-async makes {} the Node SDK's req/s; the Node SDK's peak \
                     RSS is {} pluggy-async's",
                    side.in_flight,
                    times(side.speedup()),
                    times(side.memory_ratio()),
                );
            }
        }
        let _ = writeln!(
            s,
            "\nPeers: Prism mock ({PRISM}) serving Pluggy's OpenAPI document vs the emulator, \
             GET /items/{{id}} with x-api-key,\nsame closed-loop hyper load generator, the two \
             taking turns round by round; window: counted time over all rounds"
        );
        if let Some(why) = &self.mock_skipped {
            let _ = writeln!(s, "skipped: {why}");
        } else {
            let _ = writeln!(
                s,
                "{:>5} {:>8} {:>14} {:>12} {:>9} {:>7}",
                "C", "window", "emulator req/s", "Prism req/s", "ratio", "errors"
            );
            for pair in &self.mock {
                let _ = writeln!(
                    s,
                    "{:>5} {:>7.1}s {:>14.0} {:>12.0} {:>9} {:>7}",
                    pair.emulator.connections,
                    pair.emulator.window.as_secs_f64(),
                    pair.emulator.per_second(),
                    pair.prism.per_second(),
                    times(pair.ratio()),
                    pair.emulator.errors + pair.prism.errors
                );
            }
            let _ = writeln!(
                s,
                "note: Prism runs with --verboseLevel silent (its best case: no log line per \
                 request); the emulator serves from the bench process"
            );
        }
        s
    }

    /// The `peers` object of the JSON document.
    pub fn to_json(&self) -> Value {
        let runs: Vec<Value> = self
            .clients
            .iter()
            .map(|r| {
                json!({
                    "client": r.client,
                    "in_flight": r.in_flight,
                    "rounds": r.rounds,
                    "window_secs": r.window_secs,
                    "requests": r.requests,
                    "errors": r.errors,
                    "requests_per_sec": r.per_second(),
                    "peak_rss_kib": r.peak_rss_kib,
                    "first_error": r.first_error,
                })
            })
            .collect();
        let ratios: Vec<Value> = self
            .sides()
            .iter()
            .map(|side| {
                json!({
                    "in_flight": side.in_flight,
                    "async_over_node_requests_per_sec": side.speedup(),
                    "node_over_async_peak_rss": side.memory_ratio(),
                })
            })
            .collect();
        let mock: Vec<Value> = self
            .mock
            .iter()
            .map(|p| {
                json!({
                    "connections": p.emulator.connections,
                    "window_secs": p.emulator.window.as_secs_f64(),
                    "emulator_requests_per_sec": p.emulator.per_second(),
                    "emulator_errors": p.emulator.errors,
                    "prism_requests_per_sec": p.prism.per_second(),
                    "prism_errors": p.prism.errors,
                    "emulator_over_prism": p.ratio(),
                })
            })
            .collect();
        json!({
            "official_sdk": {
                "package": NODE_SDK,
                "skipped": self.clients_skipped,
                "runs": runs,
                "ratios": ratios,
            },
            "prism": {
                "package": PRISM,
                "skipped": self.mock_skipped,
                "route": "GET /items/{id}",
                "runs": mock,
            },
        })
    }
}

/// `3.2x`, or `n/a`.
fn times(ratio: Option<f64>) -> String {
    ratio.map_or_else(|| "n/a".to_owned(), |r| format!("{r:.2}x"))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::peers::MockPair;
    use crate::throughput::Load;

    fn run(client: &'static str, in_flight: usize, requests: u64, kib: u64) -> ClientRun {
        ClientRun {
            client,
            in_flight,
            rounds: 1,
            requests,
            errors: 0,
            window_secs: 2.0,
            peak_rss_kib: Some(kib),
            first_error: None,
        }
    }

    fn load(connections: usize, requests: u64) -> Load {
        Load {
            label: "GET /items/{id}",
            connections,
            window: Duration::from_secs(1),
            requests,
            errors: 0,
        }
    }

    #[test]
    fn pairs_the_runs_and_reports_the_ratios() {
        let peers = Peers {
            clients: vec![
                run(NODE_CLIENT, 1, 1000, 80_000),
                run(ASYNC_CLIENT, 1, 4000, 10_000),
                run(NODE_CLIENT, 64, 2000, 90_000),
            ],
            mock: vec![MockPair {
                emulator: load(64, 30_000),
                prism: load(64, 3_000),
            }],
            ..Peers::default()
        };
        let doc = peers.to_json();
        let ratios = &doc["official_sdk"]["ratios"];
        assert_eq!(ratios[0]["in_flight"], 1);
        assert_eq!(ratios[0]["async_over_node_requests_per_sec"], 4.0);
        assert_eq!(ratios[0]["node_over_async_peak_rss"], 8.0);
        assert_eq!(ratios[1]["async_over_node_requests_per_sec"], Value::Null);
        assert_eq!(doc["official_sdk"]["runs"][0]["requests_per_sec"], 500.0);
        assert_eq!(doc["prism"]["runs"][0]["emulator_over_prism"], 10.0);
        assert_eq!(doc["prism"]["skipped"], Value::Null);
        let table = peers.table();
        assert!(
            table.contains("1 in flight: pluggy-async makes 4.00x"),
            "{table}"
        );
        assert!(table.contains("10.00x"), "{table}");
    }

    #[test]
    fn says_why_a_half_was_skipped() {
        let peers = Peers {
            clients_skipped: Some("Node.js is not usable".to_owned()),
            mock_skipped: Some("no document".to_owned()),
            ..Peers::default()
        };
        let table = peers.table();
        assert!(table.contains("skipped: Node.js is not usable"));
        assert!(table.contains("skipped: no document"));
        assert_eq!(
            peers.to_json()["official_sdk"]["skipped"],
            "Node.js is not usable"
        );
    }
}
