//! The emulator on its own tokio runtime in a background thread, so blocking tests (which must
//! not run inside a runtime) and async tests (on any executor) share one harness, plus its
//! tester's routes: statistics, faults and the clock.

use std::net::SocketAddr;
use std::thread::JoinHandle;
use std::time::Duration;

use pluggy_emulator::{Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use serde_json::{Value, json};

use crate::http;

/// A running emulator, stopped when dropped.
pub struct Emulator {
    addr: SocketAddr,
    base_url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

/// The configuration every scenario starts from: [`Config::for_tests`] (instant syncs, no rate
/// limits, local webhooks allowed).
pub fn test_config() -> Config {
    Config::for_tests()
}

/// [`test_config`] with syncs that take a minute per step, for waits that must time out.
pub fn slow_sync_config() -> Config {
    Config {
        sync_step_delay: Duration::from_secs(60),
        ..test_config()
    }
}

impl Emulator {
    /// Starts an emulator with [`test_config`].
    pub fn start() -> Self {
        Self::start_with(test_config())
    }

    /// Starts an emulator with `config`. Panics if it cannot (a test harness).
    pub fn start_with(config: Config) -> Self {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("pluggy-emulator".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("the emulator's runtime starts");
                runtime.block_on(async move {
                    let running = pluggy_emulator::Emulator::start(config)
                        .await
                        .expect("the emulator starts");
                    let _ = ready_tx.send((running.addr(), running.base_url().to_owned()));
                    let _ = stop_rx.await;
                    drop(running);
                });
                runtime.shutdown_timeout(Duration::from_millis(200));
            })
            .expect("the emulator's thread starts");
        let (addr, base_url) = ready_rx.recv().expect("the emulator reports its address");
        Self {
            addr,
            base_url,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The emulator's client id.
    pub fn client_id(&self) -> &'static str {
        DEFAULT_CLIENT_ID
    }

    /// The emulator's client secret.
    pub fn client_secret(&self) -> &'static str {
        DEFAULT_CLIENT_SECRET
    }

    fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string());
        let answer = http::request(self.addr, method, path, body.as_deref().map(str::as_bytes))
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        assert_eq!(
            answer.status,
            200,
            "{method} {path}: {}",
            String::from_utf8_lossy(&answer.body)
        );
        serde_json::from_slice(&answer.body).expect("the admin routes answer JSON")
    }

    /// `GET /__emulator/stats`.
    pub fn stats(&self) -> Stats {
        Stats(self.admin("GET", "/__emulator/stats", None))
    }

    /// Polls the statistics until `done` holds, for work the client finishes in the
    /// background; panics after `timeout`.
    pub fn wait_for_stats(&self, timeout: Duration, done: impl Fn(&Stats) -> bool) -> Stats {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let stats = self.stats();
            if done(&stats) {
                return stats;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the emulator never saw what was expected: {}",
                stats.0
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Adds a fault rule (`POST /__emulator/faults`).
    pub fn fault(&self, fault: Fault) {
        self.admin("POST", "/__emulator/faults", Some(fault.0));
    }

    /// Plays the payer approving a payment intent at their bank
    /// (`POST /__emulator/payments/intents/{id}/authorize`).
    pub fn authorize_payment_intent(&self, id: &str) {
        self.admin(
            "POST",
            &format!("/__emulator/payments/intents/{id}/authorize"),
            None,
        );
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.admin("DELETE", "/__emulator/faults", None);
    }

    /// Moves the emulator's clock forward.
    pub fn advance_clock(&self, by: Duration) {
        self.admin(
            "POST",
            "/__emulator/clock/advance",
            Some(json!({ "seconds": by.as_secs_f64() })),
        );
    }

    /// An API key straight from `POST /auth` (counted in [`Stats::auth_calls`]), for tests that
    /// build a client around a known key.
    pub fn api_key(&self) -> String {
        let body = json!({"clientId": DEFAULT_CLIENT_ID, "clientSecret": DEFAULT_CLIENT_SECRET});
        let answer = http::request(
            self.addr,
            "POST",
            "/auth",
            Some(body.to_string().as_bytes()),
        )
        .expect("POST /auth");
        let value: Value = serde_json::from_slice(&answer.body).expect("JSON");
        value["apiKey"].as_str().expect("apiKey").to_owned()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A snapshot of `/__emulator/stats`: requests by route template (`GET /items/{id}`) and
/// status, `POST /auth` calls, dropped connections.
#[derive(Clone, Debug)]
pub struct Stats(pub Value);

impl Stats {
    /// Requests to `route` (`"POST /items"`) answered with `status`.
    pub fn requests(&self, route: &str, status: u16) -> u64 {
        self.0["requests"][route][status.to_string()]
            .as_u64()
            .unwrap_or(0)
    }

    /// Requests to `route` answered, whatever the status.
    pub fn answered(&self, route: &str) -> u64 {
        self.0["requests"][route]
            .as_object()
            .map(|by_status| by_status.values().filter_map(Value::as_u64).sum())
            .unwrap_or(0)
    }

    /// Every request answered, all routes together.
    pub fn total(&self) -> u64 {
        self.0["requests"]
            .as_object()
            .map(|routes| routes.keys().map(|r| self.answered(r)).sum())
            .unwrap_or(0)
    }

    /// `POST /auth` requests handled.
    pub fn auth_calls(&self) -> u64 {
        self.0["auth_calls"].as_u64().unwrap_or(0)
    }

    /// Connections closed without an answer by a `drop` fault.
    pub fn dropped(&self) -> u64 {
        self.0["dropped"].as_u64().unwrap_or(0)
    }

    /// Webhook deliveries that reached a receiver.
    pub fn webhooks_delivered(&self) -> u64 {
        self.0["webhooks"]["delivered"].as_u64().unwrap_or(0)
    }
}

/// A fault rule for `POST /__emulator/faults`.
#[derive(Clone, Debug)]
pub struct Fault(Value);

impl Fault {
    /// A rule for requests matching `method` and `route` (a template such as `/items/{id}` or
    /// a literal path), firing every time until limited with [`times`](Self::times).
    pub fn on(method: &str, route: &str) -> Self {
        Self(json!({ "method": method, "route": route }))
    }

    fn set(mut self, key: &str, value: Value) -> Self {
        self.0[key] = value;
        self
    }

    /// Answer with this status instead of handling the request.
    pub fn status(self, status: u16) -> Self {
        self.set("status", json!(status))
    }

    /// Add a `Retry-After` header (seconds).
    pub fn retry_after(self, secs: u64) -> Self {
        self.set("retry_after", json!(secs))
    }

    /// Wait this long before anything else.
    pub fn delay(self, delay: Duration) -> Self {
        self.set("delay_ms", json!(delay.as_millis() as u64))
    }

    /// Close the connection without answering.
    pub fn drop_connection(self) -> Self {
        self.set("drop", json!(true))
    }

    /// Fire only this many times.
    pub fn times(self, n: u64) -> Self {
        self.set("times", json!(n))
    }
}
