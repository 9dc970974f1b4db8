//! Reads answered under a shared guard, with remembered credentials and encoded views: the
//! same answers as encoding the records afresh, following every change, and counted.

mod common;

use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn an_items_answer_is_what_encoding_it_afresh_gives_and_follows_changes() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let id = create_item(&emu, &key, 0, "user-ok").await;
    let settled = settle(&emu, &key, &id).await;
    assert!(settled["nextAutoSyncAt"].is_string());
    let path = format!("/items/{id}");
    let first = get(&emu, &path, &key).await;
    let again = get(&emu, &path, &key).await;
    assert_eq!(first.body, again.body);

    // `PATCH …/disable-auto-sync` answers the item encoded afresh; the next read answers
    // the same bytes, not the view remembered before the change.
    let off = call(
        &emu,
        "PATCH",
        &format!("/items/{id}/disable-auto-sync"),
        Some(&key),
        None,
    )
    .await;
    assert_eq!(off.status, 200);
    assert!(off.json()["nextAutoSyncAt"].is_null());
    let after = get(&emu, &path, &key).await;
    assert_eq!(
        String::from_utf8_lossy(&after.body),
        String::from_utf8_lossy(&off.body)
    );
    assert_ne!(after.body, first.body);

    // Deleted, it is gone at once.
    assert_eq!(delete(&emu, &path, &key).await.status, 200);
    assert_eq!(get(&emu, &path, &key).await.status, 404);
}

#[tokio::test]
async fn an_items_answer_follows_the_clock_and_a_reset() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let id = create_item(&emu, &key, 0, "user-ok").await;
    let before = settle(&emu, &key, &id).await;
    let path = format!("/items/{id}");
    // The next automatic sync comes due a day later: reading after the jump runs it.
    advance(&emu, 2.0 * 86_400.0).await;
    let later = settle(&emu, &key, &id).await;
    assert_ne!(later["lastUpdatedAt"], before["lastUpdatedAt"]);
    emu.reset();
    assert_eq!(get(&emu, &path, &key).await.status, 403);
    let key = api_key(&emu).await;
    assert_eq!(get(&emu, &path, &key).await.status, 404);
}

#[tokio::test]
async fn a_connectors_answer_is_the_catalogs() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let all = get(&emu, "/connectors?sandbox=true", &key).await.json();
    let listed = all["results"]
        .as_array()
        .and_then(|r| r.iter().find(|c| c["id"] == 0))
        .cloned()
        .unwrap_or(Value::Null);
    for _ in 0..2 {
        let one = get(&emu, "/connectors/0", &key).await;
        assert_eq!(one.status, 200);
        assert_eq!(one.json(), listed);
    }
    assert_eq!(get(&emu, "/connectors/999999", &key).await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_reads_and_changes_are_all_answered_and_counted() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let id = create_item(&emu, &key, 0, "user-ok").await;
    settle(&emu, &key, &id).await;
    let base = stats(&emu).await["requests"]["GET /items/{id}"]["200"]
        .as_u64()
        .unwrap_or(0);
    let mut tasks = Vec::new();
    for i in 0..40 {
        let (addr, key, id) = (emu.addr(), key.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            if i % 10 == 0 {
                let body = json!({"webhookUrl": format!("https://example.com/hook/{i}")});
                let r = send(
                    addr,
                    "PATCH",
                    &format!("/items/{id}"),
                    Some(&key),
                    Some(body.to_string().as_bytes()),
                )
                .await;
                assert_eq!(r.status, 200, "change {i}");
            } else {
                let r = send(addr, "GET", &format!("/items/{id}"), Some(&key), None).await;
                assert_eq!(r.status, 200, "read {i}");
                assert_eq!(r.json()["id"], id.as_str());
            }
        }));
    }
    for t in tasks {
        t.await.expect("request task");
    }
    let counted = stats(&emu).await["requests"]["GET /items/{id}"]["200"]
        .as_u64()
        .unwrap_or(0);
    assert_eq!(counted - base, 36);
    let item = get(&emu, &format!("/items/{id}"), &key).await.json();
    assert!(
        item["webhookUrl"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://example.com/hook/"))
    );
}
