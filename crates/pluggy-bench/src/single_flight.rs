//! Single flight: however many callers make their first call at once, or call at once after
//! the API key expired, the client sends one `POST /auth`. Counted by the emulator.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use pluggy_core::clock::{Clock, ManualClock};
use pluggy_core::{ClientSecret, ConnectorId, Now};
use tokio::runtime::Runtime;
use tokio::task::JoinSet;

use crate::error::{Context, Result};
use crate::raw::RawHyper;

/// When the calls of a burst happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The client's very first calls: it has no key yet.
    First,
    /// Calls after the key expired (both clocks moved past its lifetime).
    AfterExpiry,
}

impl Phase {
    /// A short name for tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Phase::First => "first calls",
            Phase::AfterExpiry => "after expiry",
        }
    }
}

/// One burst of concurrent calls and what the emulator saw.
#[derive(Clone, Debug)]
pub struct Burst {
    /// `pluggy-async` or `pluggy-blocking`.
    pub client: &'static str,
    /// Callers released at the same moment (tasks or threads).
    pub callers: usize,
    /// When in the key's life the burst happens.
    pub phase: Phase,
    /// `POST /auth` requests the emulator received during the burst.
    pub auth_calls: u64,
    /// Calls that returned an error.
    pub failed_calls: usize,
    /// The first error, if any.
    pub first_error: Option<String>,
    /// Wall time of the burst.
    pub elapsed: Duration,
}

impl Burst {
    /// Whether the burst kept the promise: one `POST /auth` and no failed call.
    pub fn ok(&self) -> bool {
        self.auth_calls == 1 && self.failed_calls == 0
    }
}

/// A manual clock starting at the real wall time, so the keys' `exp` claims make sense to it.
fn manual_clock() -> Arc<ManualClock> {
    let unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    Arc::new(ManualClock::new(Now::new(Duration::ZERO, unix)))
}

/// How far both clocks move to expire a key of lifetime `ttl`.
fn past(ttl: Duration) -> Duration {
    ttl + Duration::from_secs(60)
}

/// Counts the errors of a burst and keeps the first message.
#[derive(Default)]
struct Failures {
    count: usize,
    first: Option<String>,
}

impl Failures {
    fn add(&mut self, message: String) {
        self.count += 1;
        self.first.get_or_insert(message);
    }
}

/// Bursts of `callers` concurrent `get_connector` calls on a fresh `pluggy_async::Client`:
/// first calls, then again after the key expired.
pub fn async_bursts(rt: &Runtime, base: &str, ttl: Duration, callers: usize) -> Result<Vec<Burst>> {
    rt.block_on(async {
        let admin = RawHyper::new(base)?;
        let clock = manual_clock();
        let client = pluggy_async::Client::builder()
            .base_url(base)
            .credentials(
                pluggy_emulator::DEFAULT_CLIENT_ID,
                ClientSecret::new(pluggy_emulator::DEFAULT_CLIENT_SECRET),
            )
            .shared_clock(clock.clone() as Arc<dyn Clock>)
            .build()
            .context("building the pluggy-async client")?;
        let mut bursts = Vec::new();
        for phase in [Phase::First, Phase::AfterExpiry] {
            if phase == Phase::AfterExpiry {
                admin.advance_clock(past(ttl)).await?;
                clock.advance(past(ttl));
            }
            let before = admin.auth_calls().await?;
            let gate = Arc::new(tokio::sync::Barrier::new(callers));
            let started = Instant::now();
            let mut set = JoinSet::new();
            for _ in 0..callers {
                let client = client.clone();
                let gate = gate.clone();
                set.spawn(async move {
                    gate.wait().await;
                    client.get_connector(ConnectorId::new(0)).await.map(drop)
                });
            }
            let mut failures = Failures::default();
            while let Some(done) = set.join_next().await {
                match done {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => failures.add(e.to_string()),
                    Err(e) => failures.add(format!("task failed: {e}")),
                }
            }
            let elapsed = started.elapsed();
            let after = admin.auth_calls().await?;
            bursts.push(Burst {
                client: "pluggy-async",
                callers,
                phase,
                auth_calls: after.saturating_sub(before),
                failed_calls: failures.count,
                first_error: failures.first,
                elapsed,
            });
        }
        Ok(bursts)
    })
}

/// Bursts of `callers` threads calling `get_connector` on a fresh `pluggy_blocking::Client`:
/// first calls, then again after the key expired.
pub fn blocking_bursts(
    rt: &Runtime,
    base: &str,
    ttl: Duration,
    callers: usize,
) -> Result<Vec<Burst>> {
    let admin = RawHyper::new(base)?;
    let clock = manual_clock();
    let client = pluggy_blocking::Client::builder()
        .base_url(base)
        .credentials(
            pluggy_emulator::DEFAULT_CLIENT_ID,
            ClientSecret::new(pluggy_emulator::DEFAULT_CLIENT_SECRET),
        )
        .shared_clock(clock.clone() as Arc<dyn Clock>)
        .build()
        .context("building the pluggy-blocking client")?;
    let mut bursts = Vec::new();
    for phase in [Phase::First, Phase::AfterExpiry] {
        if phase == Phase::AfterExpiry {
            rt.block_on(admin.advance_clock(past(ttl)))?;
            clock.advance(past(ttl));
        }
        let before = rt.block_on(admin.auth_calls())?;
        let gate = Barrier::new(callers);
        let started = Instant::now();
        let outcomes: Vec<std::result::Result<(), String>> = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..callers)
                .map(|_| {
                    scope.spawn(|| {
                        gate.wait();
                        client
                            .get_connector(ConnectorId::new(0))
                            .map(drop)
                            .map_err(|e| e.to_string())
                    })
                })
                .collect();
            threads
                .into_iter()
                .map(|t| {
                    t.join()
                        .unwrap_or_else(|_| Err("thread panicked".to_owned()))
                })
                .collect()
        });
        let elapsed = started.elapsed();
        let after = rt.block_on(admin.auth_calls())?;
        let mut failures = Failures::default();
        for e in outcomes.into_iter().filter_map(|o| o.err()) {
            failures.add(e);
        }
        bursts.push(Burst {
            client: "pluggy-blocking",
            callers,
            phase,
            auth_calls: after.saturating_sub(before),
            failed_calls: failures.count,
            first_error: failures.first,
            elapsed,
        });
    }
    Ok(bursts)
}
