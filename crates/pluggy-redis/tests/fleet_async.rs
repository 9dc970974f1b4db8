//! Async clients sharing one key and one budget through a real Redis, each client standing for
//! one process of a fleet (its own member, connections and key cache).

#![cfg(feature = "async")]

mod support;

use std::sync::Arc;
use std::time::Duration;

use pluggy_async::Client;
use pluggy_core::models::{CreateItemRequest, ItemParameters};
use pluggy_core::{ConnectorId, Error, ItemId, WaitPolicy};
use pluggy_redis::{FleetConfig, RedisFleet};
use support::{
    PAST_EXPIRY, RedisServer, auth_calls, credentials, emulator, plant_dead_lease_holder, quick,
    record_key,
};

fn client(base: &str, fleet: Option<&RedisFleet>) -> Client {
    let (id, secret) = credentials();
    let builder = Client::builder().base_url(base).credentials(id, secret);
    match fleet {
        Some(fleet) => builder.fleet(fleet.clone()),
        None => builder,
    }
    .build()
    .unwrap()
}

/// `tasks` concurrent `GET /connectors/0` on each client; the failures.
async fn burst(clients: &[Client], tasks: usize) -> Vec<Error> {
    let mut set = tokio::task::JoinSet::new();
    for c in clients {
        for _ in 0..tasks {
            let c = c.clone();
            set.spawn(async move { c.get_connector(ConnectorId::new(0)).await.err() });
        }
    }
    let mut failures = Vec::new();
    while let Some(r) = set.join_next().await {
        failures.extend(r.unwrap());
    }
    failures
}

fn fleet(redis: &RedisServer, config: FleetConfig) -> RedisFleet {
    RedisFleet::new(&redis.url()).unwrap().with_config(config)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fleet_makes_one_auth_per_expiry() {
    let redis = RedisServer::start();
    let emulator = emulator(true);
    let fleet = fleet(&redis, quick());
    let clients: Vec<_> = (0..6)
        .map(|_| client(emulator.base_url(), Some(&fleet)))
        .collect();

    assert!(burst(&clients, 40).await.is_empty());
    assert_eq!(
        auth_calls(&emulator),
        1,
        "one POST /auth for the whole fleet"
    );

    // The API's clock passes the key's expiry: every process meets the expired-key 403.
    emulator.advance_clock(PAST_EXPIRY);
    assert!(burst(&clients, 40).await.is_empty());
    assert_eq!(auth_calls(&emulator), 2, "one more POST /auth after expiry");

    // Without the fleet, each process fetches its own key.
    let alone: Vec<_> = (0..6).map(|_| client(emulator.base_url(), None)).collect();
    assert!(burst(&alone, 5).await.is_empty());
    assert_eq!(auth_calls(&emulator), 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_at_rest_is_sealed_with_the_client_secret() {
    let redis = RedisServer::start();
    let emulator = emulator(false);
    let fleet = fleet(&redis, quick());
    let c = client(emulator.base_url(), Some(&fleet));
    c.get_connector(ConnectorId::new(0)).await.unwrap();

    let mut raw = redis.connection();
    let record = record_key(&mut raw);
    let blob: Vec<u8> = redis::cmd("HGET")
        .arg(record)
        .arg("blob")
        .query(&mut raw)
        .unwrap();
    // The emulator's keys are JWTs: their header would show in clear as `eyJ`.
    assert!(!blob.windows(3).any(|w| w == b"eyJ"), "the key is in clear");

    // A process with another secret for the same client id cannot open it: it refreshes.
    let (id, _) = credentials();
    let intruder = Client::builder()
        .base_url(emulator.base_url())
        .credentials(id, pluggy_core::ClientSecret::new("not-the-secret"))
        .fleet(fleet.clone())
        .build()
        .unwrap();
    assert!(matches!(
        intruder.get_connector(ConnectorId::new(0)).await,
        Err(Error::Auth(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_never_fails_a_call_and_the_fleet_rejoins() {
    let mut redis = RedisServer::start();
    let emulator = emulator(true);
    let fleet = fleet(&redis, quick());
    let clients: Vec<_> = (0..4)
        .map(|_| client(emulator.base_url(), Some(&fleet)))
        .collect();
    assert!(burst(&clients, 20).await.is_empty());
    assert_eq!(auth_calls(&emulator), 1);

    redis.stop();
    emulator.advance_clock(PAST_EXPIRY);
    assert!(
        burst(&clients, 20).await.is_empty(),
        "Redis down fails no call"
    );
    let during = auth_calls(&emulator) - 1;
    assert!(
        (1..=4).contains(&during),
        "each process fetched at most one key of its own: {during}"
    );

    redis.restart();
    tokio::time::sleep(quick().rejoin_after * 2).await;
    emulator.advance_clock(PAST_EXPIRY);
    let before = auth_calls(&emulator);
    assert!(burst(&clients, 20).await.is_empty());
    // Back on the shared key: the next expiry costs the fleet one POST /auth. (A process
    // whose own key was still fresh in its cache may use it until it is refused.)
    let after = auth_calls(&emulator) - before;
    assert!((1..=4).contains(&after), "{after}");
    emulator.advance_clock(PAST_EXPIRY);
    let before = auth_calls(&emulator);
    assert!(burst(&clients, 20).await.is_empty());
    assert_eq!(
        auth_calls(&emulator) - before,
        1,
        "rejoined: one POST /auth"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_redis_never_fails_a_call() {
    let redis = RedisServer::start();
    let emulator = emulator(true);
    let fleet = fleet(&redis, quick());
    let clients: Vec<_> = (0..3)
        .map(|_| client(emulator.base_url(), Some(&fleet)))
        .collect();
    assert!(burst(&clients, 10).await.is_empty());

    redis.freeze();
    emulator.advance_clock(PAST_EXPIRY);
    assert!(
        burst(&clients, 10).await.is_empty(),
        "a hung Redis fails no call"
    );
    assert!(auth_calls(&emulator) - 1 <= 3);
    redis.thaw();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_in_redis_is_ignored_and_replaced() {
    let redis = RedisServer::start();
    let emulator = emulator(false);
    let fleet = fleet(&redis, quick());
    let probe = client(emulator.base_url(), Some(&fleet));
    probe.get_connector(ConnectorId::new(0)).await.unwrap();
    let mut raw = redis.connection();
    let record = record_key(&mut raw);

    for (epoch, blob) in [
        ("7", &b"not a sealed key"[..]),
        ("seven", b"\x01\x02"),
        ("1e308", b""),
    ] {
        let _: () = redis::cmd("HSET")
            .arg(&record)
            .arg("epoch")
            .arg(epoch)
            .arg("blob")
            .arg(blob)
            .query(&mut raw)
            .unwrap();
        let before = auth_calls(&emulator);
        let fresh: Vec<_> = (0..3)
            .map(|_| client(emulator.base_url(), Some(&fleet)))
            .collect();
        assert!(burst(&fresh, 5).await.is_empty(), "epoch {epoch}");
        assert_eq!(
            auth_calls(&emulator) - before,
            1,
            "epoch {epoch}: replaced once"
        );
        let now: String = redis::cmd("HGET")
            .arg(&record)
            .arg("epoch")
            .query(&mut raw)
            .unwrap();
        assert_ne!(now, epoch, "the garbage was replaced");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_lease_holder_is_taken_over() {
    let redis = RedisServer::start();
    let emulator = emulator(false);
    let fleet = fleet(&redis, quick());
    let probe = client(emulator.base_url(), Some(&fleet));
    probe.get_connector(ConnectorId::new(0)).await.unwrap();
    let mut raw = redis.connection();
    let record = record_key(&mut raw);

    plant_dead_lease_holder(&mut raw, &record, 800);
    let before = auth_calls(&emulator);
    let fresh: Vec<_> = (0..3)
        .map(|_| client(emulator.base_url(), Some(&fleet)))
        .collect();
    assert!(burst(&fresh, 10).await.is_empty());
    assert_eq!(auth_calls(&emulator) - before, 1, "one process took over");
}

async fn item(c: &Client) -> ItemId {
    let params = ItemParameters::new()
        .with("user", "user-ok")
        .with("password", "password-ok");
    let item = c
        .create_item(&CreateItemRequest::new(ConnectorId::new(0), params))
        .await
        .unwrap();
    c.wait_for_item(&item.id, WaitPolicy::default(), |_| {})
        .await
        .unwrap();
    item.id
}

fn statuses(emulator: &pluggy_emulator::BackgroundEmulator, route: &str) -> serde_json::Value {
    emulator.stats()["requests"][route].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fleet_stays_under_the_per_ip_limit_instead_of_drawing_429s() {
    let redis = RedisServer::start();
    let emulator = emulator(true);
    let mut config = quick();
    config.max_wait = Duration::from_millis(100);
    let fleet = fleet(&redis, config);
    let a = client(emulator.base_url(), Some(&fleet));
    let b = client(emulator.base_url(), Some(&fleet));
    let id = Arc::new(item(&a).await);

    // 2 × 185 reads of `GET /accounts` (360/min per IP) from two processes.
    let mut set = tokio::task::JoinSet::new();
    for c in [a.clone(), b.clone()] {
        for _ in 0..185 {
            let (c, id) = (c.clone(), id.clone());
            set.spawn(async move { c.list_accounts(&id, None).await.err() });
        }
    }
    let (mut over, mut other) = (0, Vec::new());
    while let Some(r) = set.join_next().await {
        match r.unwrap() {
            None => {}
            Some(Error::OverBudget(e)) => {
                assert_eq!((e.group, e.per_minute), ("GET /accounts", 360));
                over += 1;
            }
            Some(e) => other.push(e),
        }
    }
    assert!(other.is_empty(), "{other:?}");
    assert_eq!(over, 10, "the calls past the budget fail unsent");
    let seen = statuses(&emulator, "GET /accounts");
    assert_eq!(seen["200"], 360, "{seen}");
    assert!(seen.get("429").is_none(), "no 429 drawn: {seen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_over_the_budget_waits_for_a_slot() {
    let redis = RedisServer::start();
    let emulator = emulator(false);
    let mut config = quick();
    // A short window, so the calls past the limit wait for slots instead of failing.
    config.rate_window = Duration::from_millis(300);
    let fleet = fleet(&redis, config);
    let a = client(emulator.base_url(), Some(&fleet));
    let id = Arc::new(item(&a).await);
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..400 {
        let (c, id) = (a.clone(), id.clone());
        set.spawn(async move { c.list_accounts(&id, None).await.err() });
    }
    while let Some(r) = set.join_next().await {
        assert!(r.unwrap().is_none());
    }
    assert_eq!(statuses(&emulator, "GET /accounts")["200"], 400);
}
