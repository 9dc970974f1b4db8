//! The example backend against the emulator: a user gets a connect token, the front end
//! connects a bank with it, the webhook links the item to the user.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use pluggy_async::Client;
use pluggy_backend_example::{App, Limits, USER_HEADER, WEBHOOK_PATH, WEBHOOK_SECRET_HEADER};
use pluggy_core::models::{CreateItemRequest, ItemParameters};
use pluggy_core::{ClientSecret, ConnectToken, ConnectorId, WaitPolicy};
use pluggy_emulator::{Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};

/// One HTTP/1.1 request to the backend; the status and the JSON answer.
async fn call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Value) {
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let request = request
        .body(Full::new(Bytes::from(body.to_owned())))
        .expect("request");
    let response = sender.send_request(request).await.expect("send");
    let status = response.status().as_u16();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, value)
}

async fn items_of(addr: SocketAddr, user: &str) -> Vec<Value> {
    let (status, body) = call(addr, "GET", "/items", &[(USER_HEADER, user)], "").await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_connects_a_bank_and_the_webhook_links_the_item_to_them() {
    let emulator = Emulator::start(Config::for_tests())
        .await
        .expect("emulator");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let pluggy = Client::builder()
        .base_url(emulator.base_url())
        .credentials(DEFAULT_CLIENT_ID, ClientSecret::new(DEFAULT_CLIENT_SECRET))
        .build()
        .expect("client");
    let app = App::start(
        pluggy.clone(),
        &format!("http://{addr}"),
        "hook-secret".to_owned(),
    )
    .await
    .expect("app");
    let server = tokio::spawn(app.clone().serve(listener, Limits::default()));

    // The webhook is registered once, with the custom header, even when started again.
    App::start(
        pluggy.clone(),
        &format!("http://{addr}"),
        "hook-secret".to_owned(),
    )
    .await
    .expect("second start");
    let hooks = pluggy.list_webhooks().await.expect("webhooks").results;
    assert_eq!(hooks.len(), 1, "{hooks:?}");
    assert_eq!(
        hooks[0].headers.get(WEBHOOK_SECRET_HEADER),
        Some("hook-secret")
    );

    // Signed out: no token.
    let (status, _) = call(addr, "POST", "/connect-token", &[], "").await;
    assert_eq!(status, 401);

    // Alice gets a connect token; her front end connects Pluggy Bank with it, and nothing else.
    let (status, body) = call(
        addr,
        "POST",
        "/connect-token",
        &[(USER_HEADER, "alice")],
        "",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let token = body["accessToken"].as_str().expect("token").to_owned();
    let front = Client::builder()
        .base_url(emulator.base_url())
        .build_connect(ConnectToken::new(token))
        .expect("connect client");
    let params = ItemParameters::new()
        .with("user", "user-ok")
        .with("password", "password-ok");
    let item = front
        .create_item(&CreateItemRequest::new(ConnectorId::new(0), params))
        .await
        .expect("item");
    let policy = WaitPolicy {
        poll_interval: Duration::from_millis(20),
        deadline: Duration::from_secs(10),
    };
    front
        .wait_for_item(&item.id, policy, |_| {})
        .await
        .expect("synced");

    // The webhooks arrive; the backend reads the item and files it under Alice.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mine = loop {
        let mine = items_of(addr, "alice").await;
        if mine.iter().any(|i| i["status"] == "UPDATED") || Instant::now() > deadline {
            break mine;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0]["itemId"], item.id.as_str());
    assert_eq!(mine[0]["user"], "alice");
    assert_eq!(mine[0]["status"], "UPDATED");
    assert!(items_of(addr, "bob").await.is_empty());

    // A token to update the item: Alice's only.
    let update = json!({ "itemId": item.id.as_str() }).to_string();
    let (status, _) = call(
        addr,
        "POST",
        "/connect-token",
        &[(USER_HEADER, "bob")],
        &update,
    )
    .await;
    assert_eq!(status, 404);
    let (status, body) = call(
        addr,
        "POST",
        "/connect-token",
        &[(USER_HEADER, "alice")],
        &update,
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // A delivery without the custom header is refused; a repeat is acknowledged and dropped.
    let forged = json!({
        "event": "item/deleted", "eventId": "forged-1",
        "id": item.id.as_str(), "itemId": item.id.as_str(),
    })
    .to_string();
    let (status, _) = call(addr, "POST", WEBHOOK_PATH, &[], &forged).await;
    assert_eq!(status, 401);
    let (status, _) = call(
        addr,
        "POST",
        WEBHOOK_PATH,
        &[(WEBHOOK_SECRET_HEADER, "guess")],
        &forged,
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(items_of(addr, "alice").await.len(), 1);

    let updated = json!({
        "event": "item/updated", "eventId": "repeat-1", "id": item.id.as_str(),
        "itemId": item.id.as_str(), "clientUserId": "alice", "triggeredBy": "SYNC",
    })
    .to_string();
    let before = app.webhook_stats();
    for _ in 0..2 {
        let (status, _) = call(
            addr,
            "POST",
            WEBHOOK_PATH,
            &[(WEBHOOK_SECRET_HEADER, "hook-secret")],
            &updated,
        )
        .await;
        assert_eq!(status, 200);
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while app.webhook_stats().duplicates == before.duplicates && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let after = app.webhook_stats();
    assert_eq!(after.duplicates, before.duplicates + 1);
    assert_eq!(after.handled, before.handled + 1);

    // Deleting the item (with the API key) removes it from Alice's list through the webhook.
    pluggy.delete_item(&item.id).await.expect("delete");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !items_of(addr, "alice").await.is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(items_of(addr, "alice").await.is_empty());

    server.abort();
    emulator.shutdown().await;
}
