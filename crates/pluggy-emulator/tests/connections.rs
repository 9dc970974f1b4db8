//! Connection handling: keep-alive, concurrency, many clients at once.

mod common;

use bytes::Bytes;
use common::*;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpStream;

#[tokio::test]
async fn a_kept_alive_connection_serves_many_requests() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let stream = TcpStream::connect(emu.addr()).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    for i in 0..5 {
        let req = Request::get(format!("/connectors/{}", i % 4))
            .header("host", emu.addr().to_string())
            .header("x-api-key", &key)
            .body(Full::new(Bytes::new()))
            .unwrap();
        let resp = sender.send_request(req).await.unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(
            resp.headers()["content-type"],
            "application/json; charset=utf-8"
        );
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["id"], i % 4);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_clients_are_all_answered() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let addr = emu.addr();
        let key = key.clone();
        tasks.push(tokio::spawn(async move {
            let body = serde_json::json!({"connectorId": 0, "parameters": {"user": "user-ok", "password": "password-ok"}});
            let r = send(addr, "POST", "/items", Some(&key), Some(body.to_string().as_bytes())).await;
            assert_eq!(r.status, 200, "request {i}");
            r.json()["id"].as_str().unwrap().to_owned()
        }));
    }
    let mut ids = std::collections::HashSet::new();
    for t in tasks {
        ids.insert(t.await.unwrap());
    }
    assert_eq!(ids.len(), 40);
    assert_eq!(stats(&emu).await["requests"]["POST /items"]["200"], 40);
}
