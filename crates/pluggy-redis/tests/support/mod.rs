//! A real `redis-server` on a free port of 127.0.0.1, started and stopped by the test, and an
//! emulator of the API beside it.

#![allow(dead_code)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pluggy_emulator::{BackgroundEmulator, Config, Emulator};

/// A `redis-server` child process; killed on drop.
pub struct RedisServer {
    port: u16,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts one on a free port and waits until it answers `PING`.
    pub fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let mut server = Self { port, child: None };
        server.spawn();
        server
    }

    fn spawn(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (Debian's redis-server package)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.ping() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server did not answer on port {}", self.port);
    }

    fn ping(&self) -> bool {
        let Ok(client) = redis::Client::open(self.url()) else {
            return false;
        };
        let Ok(mut c) = client.get_connection_with_timeout(Duration::from_millis(200)) else {
            return false;
        };
        redis::cmd("PING").query::<String>(&mut c).is_ok()
    }

    /// `redis://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// A plain connection, for the test's own reads and writes.
    pub fn connection(&self) -> redis::Connection {
        let client = redis::Client::open(self.url()).unwrap();
        let c = client
            .get_connection_with_timeout(Duration::from_secs(2))
            .unwrap();
        c.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        c
    }

    /// Kills the server (its data is gone).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, empty.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }

    /// Freezes the process (`SIGSTOP`): connections open, nothing answers.
    pub fn freeze(&self) {
        self.signal("-STOP");
    }

    /// Thaws a frozen server (`SIGCONT`).
    pub fn thaw(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        if let Some(child) = &self.child {
            let status = Command::new("kill")
                .args([signal, &child.id().to_string()])
                .status()
                .expect("kill");
            assert!(status.success());
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.thaw();
        self.stop();
    }
}

/// An emulator for the tests: instant syncs, rate limits as asked.
pub fn emulator(rate_limits: bool) -> BackgroundEmulator {
    let mut config = Config::for_tests();
    config.rate_limits = rate_limits;
    Emulator::start_in_background(config).expect("the emulator starts")
}

/// The emulator's count of `POST /auth`.
pub fn auth_calls(emulator: &BackgroundEmulator) -> u64 {
    emulator.stats()["auth_calls"].as_u64().expect("auth_calls")
}

/// The emulator's first client credentials.
pub fn credentials() -> (pluggy_core::ClientId, pluggy_core::ClientSecret) {
    let c = pluggy_emulator::ClientCredentials::default();
    (c.client_id, c.client_secret)
}

/// A fleet config with short timings for tests.
pub fn quick() -> pluggy_redis::FleetConfig {
    let mut config = pluggy_redis::FleetConfig::default();
    config.op_timeout = Duration::from_millis(200);
    config.rejoin_after = Duration::from_millis(300);
    config.poll_interval = Duration::from_millis(50);
    config.lease_ttl = Duration::from_secs(5);
    config.max_wait = Duration::from_secs(5);
    config
}

/// Past the emulator's API key lifetime.
pub const PAST_EXPIRY: Duration = Duration::from_secs(2 * 3600 + 60);
