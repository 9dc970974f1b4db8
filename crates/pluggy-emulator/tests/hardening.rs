//! Attacks from outside: clock jumps, forged and foreign keys, headers that cannot be sent,
//! out-of-range numbers, oversized request heads, slow senders and connection floods.

mod common;

use std::time::Duration;

use common::*;
use pluggy_emulator::{Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

// ---------------------------------------------------------------------------------------------
// Clock jumps

/// The number of transactions of the item's first account, and the item itself.
async fn transaction_count(emu: &pluggy_emulator::RunningEmulator, key: &str, item: &str) -> u64 {
    let accounts = get(emu, &format!("/accounts?itemId={item}"), key)
        .await
        .json();
    let account = accounts["results"][0]["id"].as_str().expect("an account");
    let page = get(
        emu,
        &format!("/transactions?accountId={account}&pageSize=1"),
        key,
    )
    .await
    .json();
    page["total"].as_u64().expect("total")
}

async fn clock_now(emu: &pluggy_emulator::RunningEmulator) -> String {
    call(emu, "GET", "/__emulator/clock", None, None)
        .await
        .json()["now"]
        .as_str()
        .expect("now")
        .to_owned()
}

fn instant(ts: &str) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(ts, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{ts}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_clock_jump_runs_one_catch_up_sync() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let id = create_item(&emu, &key, 0, "user-ok").await;
    settle(&emu, &key, &id).await;
    let before = transaction_count(&emu, &key, &id).await;
    for round in 0..2 {
        advance(&emu, 1e10).await;
        // Let the background ticker run whatever it thinks is due.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let key = api_key(&emu).await;
        let item = settle(&emu, &key, &id).await;
        let after = transaction_count(&emu, &key, &id).await;
        // One sync adds three transactions per account.
        let expected_max = before + 3 * (round + 1);
        assert!(
            after <= expected_max,
            "round {round}: {before} transactions became {after}"
        );
        let now = instant(&clock_now(&emu).await);
        let next = instant(item["nextAutoSyncAt"].as_str().expect("nextAutoSyncAt"));
        assert!(
            next > now,
            "round {round}: next sync {next} is not after {now}"
        );
        // Nothing keeps running in the background.
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(transaction_count(&emu, &key, &id).await, after);
    }
}

#[tokio::test]
async fn absurd_clock_advances_are_refused_or_clamped() {
    let emu = start().await;
    for bad in [
        r#"{"seconds": 1e300}"#,
        r#"{"seconds": 1e400}"#,
        r#"{"seconds": -1}"#,
        r#"{"seconds": -1e300}"#,
        r#"{"seconds": NaN}"#,
        r#"{"seconds": "Infinity"}"#,
        r#"{"seconds": null}"#,
    ] {
        let r = send(
            emu.addr(),
            "POST",
            "/__emulator/clock/advance",
            None,
            Some(bad.as_bytes()),
        )
        .await;
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(r.json()["code"], 400, "{bad}");
    }
    // The largest accepted advance, again and again: the clock stops at a representable
    // instant instead of overflowing, and items still schedule their next sync after it.
    let key = api_key(&emu).await;
    let id = create_item(&emu, &key, 0, "user-ok").await;
    settle(&emu, &key, &id).await;
    let mut last = instant(&clock_now(&emu).await);
    for _ in 0..40 {
        let r = call(
            &emu,
            "POST",
            "/__emulator/clock/advance",
            None,
            Some(&json!({"seconds": 1e10})),
        )
        .await;
        assert_eq!(r.status, 200);
        let now = instant(r.json()["now"].as_str().unwrap());
        assert!(now >= last, "{now} went back from {last}");
        last = now;
    }
    assert!(last.year() >= 5000, "{last}");
    let key = api_key(&emu).await;
    let item = settle(&emu, &key, &id).await;
    let next = instant(item["nextAutoSyncAt"].as_str().unwrap());
    assert!(next > last, "{next} is not after {last}");
    // The handle saturates the same way.
    emu.advance_clock(Duration::MAX);
    assert_eq!(instant(&clock_now(&emu).await), last);
}
