//! A real `redis-server` on a free port of 127.0.0.1, started and stopped by the test, and an
//! emulator of the API beside it.

#![allow(dead_code)]

use std::time::Duration;

use pluggy_emulator::{BackgroundEmulator, Config, Emulator};

/// The server the tests start (and stop, freeze and restart).
pub struct RedisServer(pub pluggy_redis::LocalRedis);

impl RedisServer {
    pub fn start() -> Self {
        Self(
            pluggy_redis::LocalRedis::start()
                .expect("redis-server must be installed (Debian's redis-server package)"),
        )
    }
    pub fn url(&self) -> String {
        self.0.url()
    }
    pub fn connection(&self) -> redis::Connection {
        self.0
            .connection()
            .expect("a connection to the test's redis-server")
    }
    pub fn stop(&mut self) {
        self.0.stop();
    }
    pub fn restart(&mut self) {
        self.0.restart().expect("redis-server restarts");
    }
    pub fn freeze(&self) {
        self.0.freeze();
    }
    pub fn thaw(&self) {
        self.0.thaw();
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

/// The name of the fleet's key record (the one key under `pluggy:key:` without a suffix).
pub fn record_key(raw: &mut redis::Connection) -> String {
    let keys: Vec<String> = redis::cmd("KEYS").arg("pluggy:key:*").query(raw).unwrap();
    keys.into_iter()
        .find(|k| !k.ends_with(":lease") && !k.ends_with(":epochs"))
        .expect("a key record")
}

/// Leaves the store as a process that took the lease for `ttl_ms`, cleared the key for its
/// refresh, and died would.
pub fn plant_dead_lease_holder(raw: &mut redis::Connection, record: &str, ttl_ms: u64) {
    let _: () = redis::cmd("HDEL")
        .arg(record)
        .arg("blob")
        .query(raw)
        .unwrap();
    let _: () = redis::cmd("SET")
        .arg(format!("{record}:lease"))
        .arg("a-process-that-died")
        .arg("PX")
        .arg(ttl_ms)
        .query(raw)
        .unwrap();
}
