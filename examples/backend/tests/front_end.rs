//! The example's front end and the routes it reads: the page with its Content-Security-Policy,
//! where it loads Pluggy Connect from, and the accounts and transactions of a user's item,
//! against the emulator.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::header::HeaderMap;
use hyper_util::rt::TokioIo;
use pluggy_async::Client;
use pluggy_backend_example::{App, CDN_WIDGET_SCRIPT, Limits, USER_HEADER};
use pluggy_core::models::{CreateItemRequest, ItemParameters};
use pluggy_core::{ClientSecret, ConnectToken, ConnectorId, WaitPolicy};
use pluggy_emulator::{
    Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator, RunningEmulator,
};
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};

/// One HTTP/1.1 request to the backend: the status, the headers and the body.
async fn raw(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, HeaderMap, Bytes) {
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
    let response = sender
        .send_request(request.body(Full::new(Bytes::new())).expect("request"))
        .await
        .expect("send");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, headers, body)
}

async fn call(addr: SocketAddr, method: &str, path: &str, user: Option<&str>) -> (u16, Value) {
    let headers: Vec<(&str, &str)> = user.map(|u| (USER_HEADER, u)).into_iter().collect();
    let (status, _, body) = raw(addr, method, path, &headers).await;
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

struct Setup {
    emulator: RunningEmulator,
    pluggy: Client,
    addr: SocketAddr,
    server: tokio::task::JoinHandle<()>,
}

async fn setup() -> Setup {
    let emulator = Emulator::start(Config::for_tests())
        .await
        .expect("emulator");
    let pluggy = Client::builder()
        .base_url(emulator.base_url())
        .credentials(DEFAULT_CLIENT_ID, ClientSecret::new(DEFAULT_CLIENT_SECRET))
        .build()
        .expect("client");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = App::start_at(
        pluggy.clone(),
        emulator.base_url(),
        &format!("http://{addr}"),
        "hook-secret".to_owned(),
    )
    .await
    .expect("app");
    let server = tokio::spawn(app.serve(listener, Limits::default()));
    Setup {
        emulator,
        pluggy,
        addr,
        server,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_is_served_with_its_policy_and_loads_the_emulators_widget() {
    let s = setup().await;
    let base = s.emulator.base_url().trim_end_matches('/').to_owned();

    let (status, headers, body) = raw(s.addr, "GET", "/", &[]).await;
    assert_eq!(status, 200);
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        header("content-type").starts_with("text/html"),
        "{headers:?}"
    );
    assert_eq!(header("x-content-type-options"), "nosniff");
    let csp = header("content-security-policy");
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(csp.contains(&format!("script-src 'self' {base}")), "{csp}");
    assert!(csp.contains(&format!("frame-src {base}")), "{csp}");
    assert!(csp.contains("object-src 'none'"), "{csp}");
    let scripts = csp
        .split(';')
        .find(|d| d.trim_start().starts_with("script-src"))
        .expect("script-src");
    assert!(!scripts.contains("unsafe"), "{csp}");
    let page = String::from_utf8(body.to_vec()).expect("utf-8");
    assert!(page.contains("<script src=\"/app.js\"></script>"), "{page}");
    // No inline script: the policy allows none.
    assert_eq!(page.matches("<script").count(), 1, "{page}");

    let (status, headers, body) = raw(s.addr, "GET", "/app.js", &[]).await;
    assert_eq!(status, 200);
    let kind = headers.get("content-type").and_then(|v| v.to_str().ok());
    assert_eq!(kind, Some("text/javascript; charset=utf-8"));
    let script = String::from_utf8(body.to_vec()).expect("utf-8");
    assert!(script.contains("PluggyConnect"));
    assert!(
        !script.contains("innerHTML"),
        "text goes in with textContent only"
    );

    let (status, config) = call(s.addr, "GET", "/config", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        config["widgetScript"],
        format!("{base}/connect/pluggy-connect.js")
    );

    // Started without the emulator's address, the page loads Pluggy's CDN build.
    let cdn = App::start(s.pluggy.clone(), "http://127.0.0.1:9", "x".to_owned())
        .await
        .expect("app");
    assert_eq!(cdn.widget_script(), CDN_WIDGET_SCRIPT);
    let csp = cdn.content_security_policy();
    assert!(
        csp.contains("script-src 'self' https://cdn.pluggy.ai"),
        "{csp}"
    );
    assert!(csp.contains("frame-src https://connect.pluggy.ai"), "{csp}");

    s.server.abort();
    s.emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_reads_the_accounts_and_transactions_of_their_item_only() {
    let s = setup().await;
    let addr = s.addr;

    // What the page does: a token for Alice, the widget creates the item with it.
    let (status, body) = call(addr, "POST", "/connect-token", Some("alice")).await;
    assert_eq!(status, 200, "{body}");
    let token = body["accessToken"].as_str().expect("token").to_owned();
    let front = Client::builder()
        .base_url(s.emulator.base_url())
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
    let accounts_path = format!("/items/{}/accounts", item.id.as_str());

    // Until the webhook has linked the item to Alice, it is no one's.
    let deadline = Instant::now() + Duration::from_secs(10);
    let accounts = loop {
        let (status, body) = call(addr, "GET", &accounts_path, Some("alice")).await;
        if status == 200 {
            break body["accounts"].as_array().cloned().expect("accounts");
        }
        assert_eq!(status, 404, "{body}");
        assert!(Instant::now() < deadline, "the item was never linked");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(!accounts.is_empty());
    for account in &accounts {
        for field in ["id", "name", "type", "number", "balance", "currencyCode"] {
            assert!(account.get(field).is_some(), "{field} in {account}");
        }
    }

    // Bob, and no one, get nothing of it.
    assert_eq!(call(addr, "GET", &accounts_path, Some("bob")).await.0, 404);
    assert_eq!(call(addr, "GET", &accounts_path, None).await.0, 401);
    assert_eq!(
        call(addr, "GET", "/items/no-such-item/accounts", Some("alice"))
            .await
            .0,
        404
    );

    let mut total = 0;
    for account in &accounts {
        let id = account["id"].as_str().expect("id");
        let path = format!("/accounts/{id}/transactions");
        let (status, body) = call(addr, "GET", &path, Some("alice")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["truncated"], false);
        let transactions = body["transactions"].as_array().expect("transactions");
        // The same as the API's own v2 listing, in order.
        let mut expected = Vec::new();
        let mut page = s
            .pluggy
            .list_transactions_cursor(&pluggy_core::AccountId::new(id), &Default::default())
            .await
            .expect("v2");
        loop {
            expected.extend(page.results.iter().map(|t| t.id.as_str().to_owned()));
            match page.next.clone() {
                Some(next) => {
                    page = s.pluggy.next_transactions_page(&next).await.expect("next");
                }
                None => break,
            }
        }
        let got: Vec<&str> = transactions
            .iter()
            .map(|t| t["id"].as_str().expect("id"))
            .collect();
        assert_eq!(got, expected);
        for t in transactions {
            for field in ["date", "description", "amount", "currencyCode"] {
                assert!(t.get(field).is_some(), "{field} in {t}");
            }
        }
        total += transactions.len();

        assert_eq!(call(addr, "GET", &path, Some("bob")).await.0, 404);
        assert_eq!(call(addr, "GET", &path, None).await.0, 401);
    }
    assert!(total > 0, "Pluggy Bank has transactions");
    assert_eq!(
        call(
            addr,
            "GET",
            "/accounts/no-such-account/transactions",
            Some("alice")
        )
        .await
        .0,
        404
    );

    s.server.abort();
    s.emulator.shutdown().await;
}
