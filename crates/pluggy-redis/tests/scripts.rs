//! pluggy-core's Lua scripts on a real Redis: the limiter replays the same cases as its local
//! model, and the key scripts keep their epoch rules.

mod support;

use pluggy_core::fleet::limiter::{ADMIT_SCRIPT, CASES, SlidingWindow};
use pluggy_core::fleet::shared_key::{INVALIDATE_SCRIPT, PUBLISH_SCRIPT, RELEASE_SCRIPT};
use redis::Script;
use support::RedisServer;

#[test]
fn the_admit_script_answers_as_the_local_window() {
    let redis = RedisServer::start();
    let mut c = redis.connection();
    let script = Script::new(ADMIT_SCRIPT);
    for (n, case) in CASES.iter().enumerate() {
        let key = format!("case:{n}");
        let mut local = SlidingWindow::new();
        for (i, &(at, expected)) in case.steps.iter().enumerate() {
            let answer: u64 = script
                .key(&key)
                .arg(at)
                .arg(case.window_ms)
                .arg(case.limit)
                .arg(format!("m{i}"))
                .invoke(&mut c)
                .unwrap();
            assert_eq!(answer, expected, "{}: step {i} in Redis", case.name);
            assert_eq!(
                local.admit(at, case.window_ms, case.limit),
                expected,
                "{}: step {i} locally",
                case.name
            );
        }
    }
    // With no time given, the script reads the server's clock.
    let answer: u64 = script
        .key("server-clock")
        .arg("")
        .arg(60_000)
        .arg(1)
        .arg("a")
        .invoke(&mut c)
        .unwrap();
    assert_eq!(answer, 0);
    let answer: u64 = script
        .key("server-clock")
        .arg("")
        .arg(60_000)
        .arg(1)
        .arg("b")
        .invoke(&mut c)
        .unwrap();
    assert!(answer > 59_000, "{answer}");
}

#[test]
fn publish_keeps_only_newer_epochs_and_invalidate_only_its_own() {
    let redis = RedisServer::start();
    let mut c = redis.connection();
    let publish = |c: &mut redis::Connection, epoch: u64, blob: &str, token: &str| -> i64 {
        Script::new(PUBLISH_SCRIPT)
            .key("rec")
            .key("lease")
            .arg(epoch)
            .arg(blob)
            .arg(token)
            .arg("chan")
            .invoke(c)
            .unwrap()
    };
    let invalidate = |c: &mut redis::Connection, epoch: u64| -> i64 {
        Script::new(INVALIDATE_SCRIPT)
            .key("rec")
            .arg(epoch)
            .invoke(c)
            .unwrap()
    };
    let blob = |c: &mut redis::Connection| -> Option<String> {
        redis::cmd("HGET").arg("rec").arg("blob").query(c).unwrap()
    };

    let _: () = redis::cmd("SET")
        .arg("lease")
        .arg("me")
        .query(&mut c)
        .unwrap();
    assert_eq!(publish(&mut c, 1, "one", "me"), 1);
    let lease: Option<String> = redis::cmd("GET").arg("lease").query(&mut c).unwrap();
    assert_eq!(lease, None, "the holder's publish releases its lease");
    assert_eq!(publish(&mut c, 1, "again", "me"), 0, "same epoch: kept");
    assert_eq!(publish(&mut c, 2, "two", "me"), 1);
    assert_eq!(blob(&mut c).as_deref(), Some("two"));

    assert_eq!(
        invalidate(&mut c, 1),
        0,
        "a stale invalidation keeps the fresh key"
    );
    assert_eq!(blob(&mut c).as_deref(), Some("two"));
    assert_eq!(invalidate(&mut c, 2), 1);
    assert_eq!(blob(&mut c), None);
    assert_eq!(
        publish(&mut c, 2, "two again", "me"),
        0,
        "an invalidated epoch stays spent"
    );
    assert_eq!(publish(&mut c, 3, "three", "me"), 1);

    // Garbage epochs read as 0, so any publish replaces them.
    for garbage in ["x", "1e308", "-4", "2.5"] {
        let _: () = redis::cmd("HSET")
            .arg("rec")
            .arg("epoch")
            .arg(garbage)
            .query(&mut c)
            .unwrap();
        assert_eq!(publish(&mut c, 1, "fresh", "me"), 1, "{garbage}");
    }

    let release = |c: &mut redis::Connection, token: &str| -> i64 {
        Script::new(RELEASE_SCRIPT)
            .key("lease")
            .arg(token)
            .invoke(c)
            .unwrap()
    };
    let _: () = redis::cmd("SET")
        .arg("lease")
        .arg("other")
        .query(&mut c)
        .unwrap();
    assert_eq!(release(&mut c, "me"), 0, "another holder's lease stays");
    assert_eq!(release(&mut c, "other"), 1);
}
