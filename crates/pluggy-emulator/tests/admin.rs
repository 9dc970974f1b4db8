//! The tester's routes, rate limits and hostile input.

mod common;

use std::time::{Duration, Instant};

use common::*;
use pluggy_emulator::Config;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test]
async fn stats_count_requests_by_route_template_and_status() {
    let emu = start().await;
    let key = api_key(&emu).await;
    get(&emu, "/items/a", &key).await;
    get(&emu, "/items/b", &key).await;
    get(&emu, "/connectors", "bad").await;
    call(&emu, "GET", "/nowhere", None, None).await;
    let s = stats(&emu).await;
    assert_eq!(s["requests"]["GET /items/{id}"]["404"], 2);
    assert_eq!(s["requests"]["GET /connectors"]["403"], 1);
    assert_eq!(s["requests"]["POST /auth"]["200"], 1);
    assert_eq!(s["auth_calls"], 1);
    assert_eq!(
        s["webhooks"],
        json!({"attempts": 0, "delivered": 0, "failed": 0})
    );
    assert_eq!(s["requests"]["GET (unknown)"]["404"], 1);
}

#[tokio::test]
async fn fault_rules_answer_for_a_number_of_times() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let rule = json!({"method": "GET", "route": "/connectors/{id}", "status": 503, "retry_after": 2, "times": 2});
    let r = call(&emu, "POST", "/__emulator/faults", None, Some(&rule)).await;
    assert_eq!(r.status, 200);
    assert!(r.json()["id"].is_string());
    for _ in 0..2 {
        let r = get(&emu, "/connectors/0", &key).await;
        assert_eq!(r.status, 503);
        assert_eq!(r.header("retry-after"), Some("2"));
        assert_eq!(r.json()["code"], 503);
    }
    assert_eq!(get(&emu, "/connectors/0", &key).await.status, 200);
    // Other routes are untouched.
    assert_eq!(get(&emu, "/connectors", &key).await.status, 200);
    let s = stats(&emu).await;
    assert_eq!(s["requests"]["GET /connectors/{id}"]["503"], 2);
    assert_eq!(s["requests"]["GET /connectors/{id}"]["200"], 1);
}

#[tokio::test]
async fn fault_rules_can_delay_drop_and_be_cleared() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let add = |rule: serde_json::Value| {
        let emu = &emu;
        async move { call(emu, "POST", "/__emulator/faults", None, Some(&rule)).await }
    };
    add(json!({"method": "GET", "route": "/connectors", "delay_ms": 150, "times": 1})).await;
    let t = Instant::now();
    assert_eq!(get(&emu, "/connectors", &key).await.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(150));

    add(json!({"method": "get", "route": "/connectors", "drop": true})).await;
    let mut req =
        format!("GET /connectors HTTP/1.1\r\nHost: x\r\nX-API-KEY: {key}\r\n\r\n").into_bytes();
    let answer = raw(emu.addr(), &req).await.unwrap();
    assert!(answer.is_empty(), "a dropped request gets no answer");
    assert_eq!(stats(&emu).await["dropped"], 1);
    let cleared = call(&emu, "DELETE", "/__emulator/faults", None, None).await;
    assert_eq!(cleared.json()["count"], 1);
    req.clear();
    assert_eq!(get(&emu, "/connectors", &key).await.status, 200);

    // Probability 0 never fires; a literal path works as a route too.
    add(json!({"method": "GET", "route": "/connectors/0", "status": 500, "probability": 0.0}))
        .await;
    assert_eq!(get(&emu, "/connectors/0", &key).await.status, 200);
    call(&emu, "DELETE", "/__emulator/faults", None, None).await;
    add(json!({"method": "GET", "route": "/connectors/0", "status": 500})).await;
    let r = get(&emu, "/connectors/0", &key).await;
    assert_eq!(r.status, 500);
    assert_eq!(r.json()["codeDescription"], "INTERNAL_SERVER_ERROR");

    for bad in [
        json!({"route": "/x"}),
        json!({"method": "GET"}),
        json!({"method": "GET", "route": "/x", "status": 42}),
        json!({"method": "GET", "route": "/x", "probability": 2}),
        json!({"method": "GET", "route": "/x", "times": 0}),
        json!([1]),
    ] {
        assert_eq!(add(bad.clone()).await.status, 400, "{bad}");
    }
}

#[tokio::test]
async fn rate_limits_answer_429_until_the_window_resets() {
    let emu = start_with(Config {
        rate_limits: true,
        ..Config::for_tests()
    })
    .await;
    let key = api_key(&emu).await;
    let id = create_item(&emu, &key, 0, "user-ok").await;
    settle(&emu, &key, &id).await;
    let path = format!("/items/{id}");
    // PATCH /items/{id}: 20 a minute. A sync finishes at once, so each update is accepted.
    for i in 0..20 {
        let r = patch(&emu, &path, &key, json!({})).await;
        assert_ne!(r.status, 429, "request {i}");
        assert_eq!(r.header("ratelimit-limit"), Some("20"));
        assert_eq!(
            r.header("ratelimit-remaining"),
            Some((19 - i).to_string().as_str())
        );
        settle(&emu, &key, &id).await;
    }
    let r = patch(&emu, &path, &key, json!({})).await;
    assert_eq!(r.status, 429);
    assert_eq!(
        r.json(),
        json!({"code": 429, "message": "Too many requests. Please try again later (see Retry-After header in seconds)"})
    );
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(
        r.header("ratelimit-reset"),
        Some(retry.to_string().as_str())
    );
    assert_eq!(r.header("ratelimit-remaining"), Some("0"));
    // Other limits are independent.
    assert_eq!(get(&emu, &path, &key).await.status, 200);
    advance(&emu, 61.0).await;
    assert_eq!(patch(&emu, &path, &key, json!({})).await.status, 200);
}

#[tokio::test]
async fn auth_has_its_own_limit_of_360_a_minute() {
    let emu = start_with(Config {
        rate_limits: true,
        ..Config::for_tests()
    })
    .await;
    for _ in 0..360 {
        let r = call(
            &emu,
            "POST",
            "/auth",
            None,
            Some(&json!({"clientId": "x", "clientSecret": "y"})),
        )
        .await;
        assert_eq!(r.status, 401);
    }
    let r = call(
        &emu,
        "POST",
        "/auth",
        None,
        Some(&json!({"clientId": "x", "clientSecret": "y"})),
    )
    .await;
    assert_eq!(r.status, 429);
    assert_eq!(r.header("ratelimit-limit"), Some("360"));
    assert_eq!(stats(&emu).await["requests"]["POST /auth"]["429"], 1);
}

#[tokio::test]
async fn rate_limits_can_be_switched_off() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let id = create_item(&emu, &key, 0, "user-ok").await;
    for _ in 0..25 {
        settle(&emu, &key, &id).await;
        let r = patch(&emu, &format!("/items/{id}"), &key, json!({})).await;
        assert_eq!(r.status, 200);
        assert!(r.header("ratelimit-limit").is_none());
    }
}

#[tokio::test]
async fn admin_routes_can_be_switched_off() {
    let emu = start_with(Config {
        admin: false,
        ..Config::for_tests()
    })
    .await;
    assert_eq!(
        call(&emu, "GET", "/__emulator/stats", None, None)
            .await
            .status,
        404
    );
    assert_eq!(
        call(&emu, "POST", "/__emulator/reset", None, None)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn clock_advance_validates_its_input() {
    let emu = start().await;
    for bad in [json!({}), json!({"seconds": -1}), json!({"seconds": "10"})] {
        let r = call(&emu, "POST", "/__emulator/clock/advance", None, Some(&bad)).await;
        assert_eq!(r.status, 400, "{bad}");
    }
    let r = call(
        &emu,
        "POST",
        "/__emulator/clock/advance",
        None,
        Some(&json!({"seconds": 3600})),
    )
    .await;
    let now = r.json()["now"].as_str().unwrap().to_owned();
    assert_eq!(now.len(), 24);
}

#[tokio::test]
async fn malformed_requests_get_the_error_shape() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let r = send(emu.addr(), "POST", "/items", Some(&key), Some(b"{not json")).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["code"], 400);
    assert!(r.json()["message"].as_str().unwrap().contains("JSON"));
    let r = send(emu.addr(), "POST", "/auth", None, Some(b"[1,2]")).await;
    assert_eq!(r.status, 400);
    let r = send(
        emu.addr(),
        "POST",
        "/webhooks",
        Some(&key),
        Some(&[0xff, 0xfe, 0x00]),
    )
    .await;
    assert_eq!(r.status, 400);
    let r = call(&emu, "GET", "/nowhere", Some(&key), None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["code"], 404);
    let r = call(&emu, "PUT", "/items/x", Some(&key), None).await;
    assert_eq!(r.status, 405);
    assert_eq!(r.json()["code"], 405);
    let r = send(emu.addr(), "GET", "/items/%ff%fe", Some(&key), None).await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn huge_bodies_get_413() {
    let emu = start_with(Config {
        max_body_bytes: 1024,
        ..Config::for_tests()
    })
    .await;
    let key = api_key(&emu).await;
    let big = vec![b'a'; 4096];
    let r = send(emu.addr(), "POST", "/items", Some(&key), Some(&big)).await;
    assert_eq!(r.status, 413);
    assert_eq!(r.json()["code"], 413);
    // A chunked body without a length is cut off at the limit too.
    let mut req = format!(
        "POST /items HTTP/1.1\r\nHost: x\r\nX-API-KEY: {key}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    for _ in 0..4 {
        req.extend_from_slice(b"400\r\n");
        req.extend_from_slice(&[b'a'; 1024]);
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"0\r\n\r\n");
    let answer = raw(emu.addr(), &req).await.unwrap();
    assert_eq!(parse(&answer).unwrap().status, 413);
    // The server still answers afterwards.
    assert_eq!(get(&emu, "/connectors", &key).await.status, 200);
}

#[tokio::test]
async fn garbage_and_slow_senders_never_hang_the_server() {
    let emu = start_with(Config {
        read_timeout: Duration::from_millis(300),
        ..Config::for_tests()
    })
    .await;
    // Bytes that are not HTTP: an error answer or a closed connection.
    let answer = raw(emu.addr(), b"\x00\x01\x02 garbage\r\n\r\n")
        .await
        .unwrap();
    if let Some(r) = parse(&answer) {
        assert!(r.status >= 400);
    }
    // Half a request head, then silence: the connection is closed after the read timeout.
    let mut s = TcpStream::connect(emu.addr()).await.unwrap();
    s.write_all(b"GET /connectors HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let t = Instant::now();
    let read = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the server closed the connection");
    assert!(t.elapsed() < Duration::from_secs(4));
    // A body that never arrives gets 408.
    let key = api_key(&emu).await;
    let mut s = TcpStream::connect(emu.addr()).await.unwrap();
    s.write_all(
        format!(
            "POST /items HTTP/1.1\r\nHost: x\r\nX-API-KEY: {key}\r\nContent-Length: 100\r\n\r\n{{"
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf)).await;
    assert_eq!(parse(&buf).map(|r| r.status), Some(408));
    // Still serving.
    assert_eq!(get(&emu, "/connectors", &key).await.status, 200);
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let emu = start().await;
    let addr = emu.addr();
    emu.shutdown().await;
    assert!(TcpStream::connect(addr).await.is_err());
}
