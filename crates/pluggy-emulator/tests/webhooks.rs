//! Webhook CRUD and delivery to a local receiver.

mod common;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use pluggy_emulator::Config;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the receiver got: path, headers (lower-case names), JSON body.
type Received = Arc<Mutex<Vec<(String, Vec<(String, String)>, Value)>>>;

/// A receiver on 127.0.0.1 answering with `statuses` in turn (then 200).
async fn receiver(statuses: Vec<u16>) -> (SocketAddr, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let got: Received = Arc::default();
    let script = Arc::new(Mutex::new(VecDeque::from(statuses)));
    let sink = got.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            let sink = sink.clone();
            let script = script.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let (head_end, length) = loop {
                    let n = s.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..p]).to_lowercase();
                        let len = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        break (p + 4, len);
                    }
                };
                while buf.len() < head_end + length {
                    let n = s.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let mut lines = head.split("\r\n");
                let path = lines
                    .next()
                    .unwrap_or("")
                    .split(' ')
                    .nth(1)
                    .unwrap_or("")
                    .to_owned();
                let headers = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_owned()))
                    .collect();
                let body = serde_json::from_slice(&buf[head_end..]).unwrap_or(Value::Null);
                sink.lock().unwrap().push((path, headers, body));
                let status = script.lock().unwrap().pop_front().unwrap_or(200);
                let answer = format!(
                    "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                let _ = s.write_all(answer.as_bytes()).await;
            });
        }
    });
    (addr, got)
}

async fn wait_for(emu: &pluggy_emulator::RunningEmulator, what: &str, n: u64) -> Value {
    for _ in 0..300 {
        let s = stats(emu).await;
        if s["webhooks"][what].as_u64().unwrap_or(0) >= n {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("webhooks.{what} never reached {n}: {}", stats(emu).await);
}

#[tokio::test]
async fn webhook_crud_and_validation() {
    let emu = start_with(Config {
        allow_insecure_webhooks: false,
        ..Config::for_tests()
    })
    .await;
    let key = api_key(&emu).await;
    let r = post(&emu, "/webhooks", &key, json!({"url": "https://example.com/hook", "event": "item/created", "headers": {"x-secret": "s1"}})).await;
    assert_eq!(r.status, 200);
    let hook = r.json();
    assert_eq!(hook["event"], "item/created");
    assert_eq!(hook["headers"], json!({"x-secret": "s1"}));
    assert!(hook["disabledAt"].is_null());
    let id = hook["id"].as_str().unwrap();
    assert_eq!(
        get(&emu, &format!("/webhooks/{id}"), &key).await.json(),
        hook
    );
    let list = get(&emu, "/webhooks", &key).await.json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["results"][0], hook);

    for (body, why) in [
        (
            json!({"url": "https://example.com/hook", "event": "item/created"}),
            "duplicate",
        ),
        (
            json!({"url": "http://example.com/hook", "event": "item/updated"}),
            "not https",
        ),
        (
            json!({"url": "https://127.0.0.1/hook", "event": "item/updated"}),
            "ip literal",
        ),
        (
            json!({"url": "https://localhost/hook", "event": "item/updated"}),
            "localhost",
        ),
        (
            json!({"url": "https://svc.internal/hook", "event": "item/updated"}),
            "internal",
        ),
        (
            json!({"url": "https://example.com/hook", "event": "item/nope"}),
            "event",
        ),
        (json!({"event": "item/updated"}), "no url"),
        (
            json!({"url": "https://example.com/h", "event": "all", "headers": {"a": 1}}),
            "header type",
        ),
    ] {
        let r = post(&emu, "/webhooks", &key, body).await;
        assert_eq!(r.status, 400, "{why}");
        assert_eq!(r.json()["code"], 400, "{why}");
    }
    for i in 0..4 {
        let r = post(
            &emu,
            "/webhooks",
            &key,
            json!({"url": format!("https://example.com/{i}"), "event": "item/created"}),
        )
        .await;
        assert_eq!(r.status, 200);
    }
    let sixth = post(
        &emu,
        "/webhooks",
        &key,
        json!({"url": "https://example.com/6", "event": "item/created"}),
    )
    .await;
    assert_eq!(sixth.status, 400);

    let updated = patch(
        &emu,
        &format!("/webhooks/{id}"),
        &key,
        json!({"event": "all", "headers": null, "enabled": true}),
    )
    .await;
    assert_eq!(updated.status, 200);
    assert_eq!(updated.json()["event"], "all");
    assert_eq!(updated.json()["headers"], json!({}));
    assert_eq!(
        patch(
            &emu,
            &format!("/webhooks/{id}"),
            &key,
            json!({"url": "http://x.com"})
        )
        .await
        .status,
        400
    );
    let off = patch(
        &emu,
        &format!("/webhooks/{id}"),
        &key,
        json!({"enabled": false}),
    )
    .await;
    assert!(off.json()["disabledAt"].is_string());
    let on = patch(
        &emu,
        &format!("/webhooks/{id}"),
        &key,
        json!({"enabled": true}),
    )
    .await;
    assert!(on.json()["disabledAt"].is_null());
    assert_eq!(
        delete(&emu, &format!("/webhooks/{id}"), &key).await.json(),
        json!({"count": 1})
    );
    let gone = get(&emu, &format!("/webhooks/{id}"), &key).await;
    assert_eq!(gone.status, 404);
    assert_eq!(
        gone.json(),
        json!({"code": 404, "codeDescription": "WEBHOOK_NOT_FOUND", "message": "webhook not found"})
    );
}

#[tokio::test]
async fn item_events_reach_the_item_url_and_registered_webhooks() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let (hook_addr, hook_got) = receiver(vec![]).await;
    let (item_addr, item_got) = receiver(vec![]).await;
    let r = post(
        &emu,
        "/webhooks",
        &key,
        json!({"url": format!("http://{hook_addr}/pluggy"), "event": "item/created", "headers": {"X-Auth": "shh"}}),
    )
    .await;
    assert_eq!(r.status, 200);
    let token = connect_token(
        &emu,
        &key,
        json!({"options": {"clientUserId": "user-42", "webhookUrl": format!("http://{item_addr}/item")}}),
    )
    .await;
    let id = create_item(&emu, &token, 0, "user-ok").await;
    settle(&emu, &key, &id).await;
    // login_succeeded and created to the item's URL, created to the registered webhook.
    wait_for(&emu, "delivered", 3).await;
    let hook = hook_got.lock().unwrap().clone();
    assert_eq!(hook.len(), 1);
    let (path, headers, body) = &hook[0];
    assert_eq!(path, "/pluggy");
    assert!(headers.contains(&("x-auth".to_owned(), "shh".to_owned())));
    assert!(headers.contains(&("content-type".to_owned(), "application/json".to_owned())));
    assert_eq!(body["event"], "item/created");
    assert_eq!(body["itemId"], id.as_str());
    assert_eq!(body["id"], id.as_str());
    assert_eq!(body["clientUserId"], "user-42");
    assert_eq!(body["triggeredBy"], "USER");
    assert_eq!(body["eventId"].as_str().unwrap().len(), 36);
    let item_events: Vec<Value> = item_got
        .lock()
        .unwrap()
        .iter()
        .map(|(_, _, b)| b["event"].clone())
        .collect();
    assert_eq!(
        item_events,
        [json!("item/login_succeeded"), json!("item/created")]
    );
    let ids: Vec<Value> = item_got
        .lock()
        .unwrap()
        .iter()
        .map(|(_, _, b)| b["eventId"].clone())
        .collect();
    assert_ne!(ids[0], ids[1]);

    // An update by the client: item/updated and transactions/created, triggered by CLIENT.
    advance(&emu, 10.0).await;
    patch(&emu, &format!("/items/{id}"), &key, json!({})).await;
    settle(&emu, &key, &id).await;
    wait_for(&emu, "delivered", 7).await;
    let got = item_got.lock().unwrap().clone();
    let events: Vec<&str> = got
        .iter()
        .map(|(_, _, b)| b["event"].as_str().unwrap())
        .collect();
    assert!(events.contains(&"item/updated"), "{events:?}");
    let created = got
        .iter()
        .find(|(_, _, b)| b["event"] == "transactions/created")
        .unwrap();
    assert_eq!(created.2["itemId"], id.as_str());
    assert!(created.2["accountId"].is_string());
    assert!(created.2["transactionsCreatedAtFrom"].is_string());
    let updated = got
        .iter()
        .find(|(_, _, b)| b["event"] == "item/updated")
        .unwrap();
    assert_eq!(updated.2["triggeredBy"], "CLIENT");
    let link = created.2["createdTransactionsLink"].as_str().unwrap();
    assert!(link.starts_with(emu.base_url()));

    // A disabled webhook receives nothing.
    let hook_id = get(&emu, "/webhooks", &key).await.json()["results"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    patch(
        &emu,
        &format!("/webhooks/{hook_id}"),
        &key,
        json!({"enabled": false}),
    )
    .await;
    let quiet = create_item(&emu, &key, 0, "user-ok").await;
    settle(&emu, &key, &quiet).await;
    // Errors and deletion are reported too.
    delete(&emu, &format!("/items/{id}"), &key).await;
    let failing = create_item(&emu, &token, 0, "user-locked").await;
    settle(&emu, &key, &failing).await;
    for _ in 0..300 {
        let got = item_got.lock().unwrap().clone();
        let has = |e: &str| got.iter().any(|(_, _, b)| b["event"] == e);
        if has("item/deleted") && has("item/error") {
            let err = got
                .iter()
                .find(|(_, _, b)| b["event"] == "item/error")
                .unwrap();
            assert_eq!(err.2["error"]["code"], "ACCOUNT_LOCKED");
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("item/deleted or item/error never delivered");
}

#[tokio::test]
async fn failed_deliveries_are_retried_then_given_up() {
    let emu = start().await;
    let key = api_key(&emu).await;
    // Fails twice, then accepts: three attempts, one delivery.
    let (addr, got) = receiver(vec![500, 503]).await;
    post(
        &emu,
        "/webhooks",
        &key,
        json!({"url": format!("http://{addr}/h"), "event": "item/created"}),
    )
    .await;
    let id = create_item(&emu, &key, 0, "user-ok").await;
    settle(&emu, &key, &id).await;
    let s = wait_for(&emu, "delivered", 1).await;
    assert_eq!(s["webhooks"]["attempts"], 3);
    assert_eq!(s["webhooks"]["failed"], 0);
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 3);
    // Retries carry the same eventId.
    assert_eq!(got[0].2["eventId"], got[2].2["eventId"]);

    call(&emu, "POST", "/__emulator/reset", None, None).await;
    let key = api_key(&emu).await;
    // Nobody listening: every attempt fails, then the delivery is given up.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap()
    };
    post(
        &emu,
        "/webhooks",
        &key,
        json!({"url": format!("http://{closed}/h"), "event": "all"}),
    )
    .await;
    let id = create_item(&emu, &key, 0, "user-locked").await;
    settle(&emu, &key, &id).await;
    let s = wait_for(&emu, "failed", 1).await;
    assert_eq!(s["webhooks"]["attempts"], 3);
    assert_eq!(s["webhooks"]["delivered"], 0);
}

#[tokio::test]
async fn unauthorized_receivers_and_https_urls_are_not_retried() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let (addr, got) = receiver(vec![401]).await;
    post(
        &emu,
        "/webhooks",
        &key,
        json!({"url": format!("http://{addr}/h"), "event": "item/created"}),
    )
    .await;
    post(
        &emu,
        "/webhooks",
        &key,
        json!({"url": "https://127.0.0.1:1/h", "event": "item/created"}),
    )
    .await;
    let id = create_item(&emu, &key, 0, "user-ok").await;
    settle(&emu, &key, &id).await;
    let s = wait_for(&emu, "failed", 2).await;
    assert_eq!(s["webhooks"]["attempts"], 2);
    assert_eq!(got.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn syncs_run_in_real_time_without_anyone_polling() {
    let emu = start_with(Config {
        sync_step_delay: Duration::from_millis(20),
        ..Config::for_tests()
    })
    .await;
    let key = api_key(&emu).await;
    let (addr, got) = receiver(vec![]).await;
    post(
        &emu,
        "/webhooks",
        &key,
        json!({"url": format!("http://{addr}/h"), "event": "item/created"}),
    )
    .await;
    let id = create_item(&emu, &key, 0, "user-ok").await;
    // Nothing asks for the item: the background ticker runs its sync and sends the event.
    wait_for(&emu, "delivered", 1).await;
    assert_eq!(got.lock().unwrap()[0].2["itemId"], id.as_str());
    let item = get(&emu, &format!("/items/{id}"), &key).await.json();
    assert_eq!(item["status"], "UPDATED");
}
