//! Blocking clients sharing one key and one budget through a real Redis, each client standing
//! for one process of a fleet.

#![cfg(feature = "blocking")]

mod support;

use std::time::Duration;

use pluggy_blocking::Client;
use pluggy_core::models::{CreateItemRequest, ItemParameters};
use pluggy_core::{ConnectorId, Error, WaitPolicy};
use pluggy_redis::RedisFleet;
use support::{
    PAST_EXPIRY, RedisServer, auth_calls, credentials, emulator, plant_dead_lease_holder, quick,
    record_key,
};

fn client(base: &str, fleet: &RedisFleet) -> Client {
    let (id, secret) = credentials();
    Client::builder()
        .base_url(base)
        .credentials(id, secret)
        .fleet(fleet.clone())
        .build()
        .unwrap()
}

/// `threads` concurrent `GET /connectors/0` on each client; the failures.
fn burst(clients: &[Client], threads: usize) -> Vec<Error> {
    std::thread::scope(|s| {
        let handles: Vec<_> = clients
            .iter()
            .flat_map(|c| (0..threads).map(move |_| c))
            .map(|c| s.spawn(move || c.get_connector(ConnectorId::new(0)).err()))
            .collect();
        handles
            .into_iter()
            .filter_map(|h| h.join().unwrap())
            .collect()
    })
}

#[test]
fn a_fleet_makes_one_auth_per_expiry_and_survives_redis_going_away() {
    let mut redis = RedisServer::start();
    let emulator = emulator(true);
    let fleet = RedisFleet::new(&redis.url()).unwrap().with_config(quick());
    let clients: Vec<_> = (0..4)
        .map(|_| client(emulator.base_url(), &fleet))
        .collect();

    assert!(burst(&clients, 16).is_empty());
    assert_eq!(auth_calls(&emulator), 1);
    emulator.advance_clock(PAST_EXPIRY);
    assert!(burst(&clients, 16).is_empty());
    assert_eq!(auth_calls(&emulator), 2, "one POST /auth per expiry");

    redis.freeze();
    emulator.advance_clock(PAST_EXPIRY);
    assert!(burst(&clients, 8).is_empty(), "a hung Redis fails no call");
    let during = auth_calls(&emulator) - 2;
    assert!((1..=4).contains(&during), "{during}");
    redis.thaw();

    redis.stop();
    emulator.advance_clock(PAST_EXPIRY);
    assert!(burst(&clients, 8).is_empty(), "Redis down fails no call");

    redis.restart();
    std::thread::sleep(quick().rejoin_after * 2);
    emulator.advance_clock(PAST_EXPIRY);
    assert!(burst(&clients, 8).is_empty());
    emulator.advance_clock(PAST_EXPIRY);
    let before = auth_calls(&emulator);
    assert!(burst(&clients, 8).is_empty());
    assert_eq!(
        auth_calls(&emulator) - before,
        1,
        "rejoined: one POST /auth"
    );
}

#[test]
fn a_dead_lease_holder_is_taken_over() {
    let redis = RedisServer::start();
    let emulator = emulator(false);
    let fleet = RedisFleet::new(&redis.url()).unwrap().with_config(quick());
    client(emulator.base_url(), &fleet)
        .get_connector(ConnectorId::new(0))
        .unwrap();
    let mut raw = redis.connection();
    let record = record_key(&mut raw);
    plant_dead_lease_holder(&mut raw, &record, 800);
    let before = auth_calls(&emulator);
    let fresh: Vec<_> = (0..3)
        .map(|_| client(emulator.base_url(), &fleet))
        .collect();
    assert!(burst(&fresh, 8).is_empty());
    assert_eq!(auth_calls(&emulator) - before, 1, "one process took over");
}

#[test]
fn calls_past_the_shared_budget_fail_unsent_instead_of_drawing_429s() {
    let redis = RedisServer::start();
    let emulator = emulator(true);
    let mut config = quick();
    config.max_wait = Duration::from_millis(50);
    let fleet = RedisFleet::new(&redis.url()).unwrap().with_config(config);
    let a = client(emulator.base_url(), &fleet);
    let b = client(emulator.base_url(), &fleet);
    let params = ItemParameters::new()
        .with("user", "user-ok")
        .with("password", "password-ok");
    let item = a
        .create_item(&CreateItemRequest::new(ConnectorId::new(0), params))
        .unwrap();
    a.wait_for_item(&item.id, WaitPolicy::default(), |_| {})
        .unwrap();

    // `GET /accounts` allows 360/min per IP; two processes ask for 370.
    let mut over = 0;
    for i in 0..370 {
        let c = if i % 2 == 0 { &a } else { &b };
        match c.list_accounts(&item.id, None) {
            Ok(_) => {}
            Err(Error::OverBudget(e)) => {
                assert_eq!(e.group, "GET /accounts");
                over += 1;
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(over, 10);
    let seen = &emulator.stats()["requests"]["GET /accounts"];
    assert_eq!(seen["200"], 360, "{seen}");
    assert!(seen.get("429").is_none(), "no 429 drawn: {seen}");
}
