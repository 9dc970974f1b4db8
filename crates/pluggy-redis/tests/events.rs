//! The shared record of webhook `eventId`s on a real Redis: claims, their TTL, and Redis
//! failing and coming back.

#![cfg(feature = "async")]

mod support;

use std::time::{Duration, Instant};

use pluggy_redis::{EVENT_TTL, RedisFleet, SeenEvents};
use support::{RedisServer, quick};

fn events(redis: &RedisServer, namespace: &str) -> SeenEvents {
    RedisFleet::new(&redis.url())
        .unwrap()
        .with_config(quick())
        .events(namespace)
}

/// Claims `id` until Redis answers (after its failure back-off), for at most 10 s.
async fn claim_when_back(events: &SeenEvents, id: &str) -> Result<bool, pluggy_redis::Unavailable> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let answer = events.first_time(id).await;
        if answer.is_ok() || Instant::now() > deadline {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_is_new_once_across_processes_and_ids_are_independent() {
    let redis = RedisServer::start();
    let a = events(&redis, "app");
    let b = events(&redis, "app");
    assert_eq!(a.first_time("evt-1").await, Ok(true));
    assert_eq!(a.first_time("evt-1").await, Ok(false));
    assert_eq!(b.first_time("evt-1").await, Ok(false));
    assert_eq!(b.first_time("evt-2").await, Ok(true));
    assert_eq!(a.first_time("evt-2").await, Ok(false));
    // Another application on the same Redis keeps its own record.
    let other = events(&redis, "other-app");
    assert_eq!(other.first_time("evt-1").await, Ok(true));

    let mut c = redis.connection();
    let ttl: i64 = redis::cmd("TTL")
        .arg("pluggy:event:app:evt-1")
        .query(&mut c)
        .unwrap();
    assert!(
        (86_000..=86_400).contains(&ttl),
        "TTL of a claimed event: {ttl}"
    );
    assert_eq!(EVENT_TTL, Duration::from_secs(86_400));
    let value: String = redis::cmd("GET")
        .arg("pluggy:event:app:evt-1")
        .query(&mut c)
        .unwrap();
    assert_eq!(value, "1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_is_an_error_within_the_timeout_and_claims_resume_after_it() {
    let mut redis = RedisServer::start();
    let events = events(&redis, "app");
    assert_eq!(events.first_time("before").await, Ok(true));

    // Frozen: the connection stays open and nothing answers; the claim gives up by itself.
    redis.freeze();
    let answer = tokio::time::timeout(Duration::from_secs(10), events.first_time("frozen")).await;
    redis.thaw();
    let err = answer
        .expect("the claim is bounded by op_timeout")
        .unwrap_err();
    assert!(!err.to_string().contains("127.0.0.1"), "{err}");

    // Stopped: refused, and no hang either.
    redis.stop();
    let answer = tokio::time::timeout(Duration::from_secs(10), events.first_time("down")).await;
    assert!(answer.expect("bounded").is_err());
    tokio::time::sleep(quick().rejoin_after).await;
    let answer = tokio::time::timeout(Duration::from_secs(10), events.first_time("down")).await;
    assert!(answer.expect("bounded").is_err());

    // Back (empty): the next claim reconnects.
    redis.restart();
    assert_eq!(claim_when_back(&events, "after").await, Ok(true));
    assert_eq!(events.first_time("after").await, Ok(false));
}

#[test]
fn the_error_and_debug_show_no_password() {
    let fleet = RedisFleet::new("redis://app:hunter2@127.0.0.1:1/0").unwrap();
    let events = fleet.events("app");
    let debug = format!("{events:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = runtime.block_on(events.first_time("x")).unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");
    assert!(!format!("{err:?}").contains("hunter2"), "{err:?}");
}
