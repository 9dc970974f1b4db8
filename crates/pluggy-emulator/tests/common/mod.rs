//! A tiny HTTP/1.1 client over a raw `TcpStream`, and fixtures shared by the tests.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use pluggy_emulator::{
    Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator, RunningEmulator,
};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A complete answer.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {} body is not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends raw bytes and reads until the server closes (or 5 s pass).
pub async fn raw(addr: SocketAddr, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut s = TcpStream::connect(addr).await?;
    s.write_all(bytes).await?;
    let mut out = Vec::new();
    match tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await {
        Ok(r) => r.map(|_| out),
        Err(_) => Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "no answer",
        )),
    }
}

/// Parses a raw HTTP/1.1 answer.
pub fn parse(raw: &[u8]) -> Option<Resp> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Some(Resp {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    })
}

/// One request with `Connection: close`.
pub async fn call(
    emu: &RunningEmulator,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<&Value>,
) -> Resp {
    let body = body.map(|b| b.to_string());
    send(
        emu.addr(),
        method,
        path,
        key,
        body.as_deref().map(str::as_bytes),
    )
    .await
}

/// One request with a raw body.
pub async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<&[u8]>,
) -> Resp {
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(k) = key {
        req.push_str(&format!("X-API-KEY: {k}\r\n"));
    }
    let mut bytes = req.into_bytes();
    if let Some(b) = body {
        bytes.extend_from_slice(
            format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                b.len()
            )
            .as_bytes(),
        );
        bytes.extend_from_slice(b"\r\n");
        bytes.extend_from_slice(b);
    } else {
        bytes.extend_from_slice(b"\r\n");
    }
    let answer = raw(addr, &bytes).await.expect("request failed");
    parse(&answer)
        .unwrap_or_else(|| panic!("unparsable answer: {:?}", String::from_utf8_lossy(&answer)))
}

pub async fn get(emu: &RunningEmulator, path: &str, key: &str) -> Resp {
    call(emu, "GET", path, Some(key), None).await
}

pub async fn post(emu: &RunningEmulator, path: &str, key: &str, body: Value) -> Resp {
    call(emu, "POST", path, Some(key), Some(&body)).await
}

pub async fn patch(emu: &RunningEmulator, path: &str, key: &str, body: Value) -> Resp {
    call(emu, "PATCH", path, Some(key), Some(&body)).await
}

pub async fn delete(emu: &RunningEmulator, path: &str, key: &str) -> Resp {
    call(emu, "DELETE", path, Some(key), None).await
}

pub async fn start() -> RunningEmulator {
    start_with(Config::for_tests()).await
}

pub async fn start_with(config: Config) -> RunningEmulator {
    Emulator::start(config).await.expect("emulator starts")
}

pub async fn api_key(emu: &RunningEmulator) -> String {
    let r = call(
        emu,
        "POST",
        "/auth",
        None,
        Some(&json!({"clientId": DEFAULT_CLIENT_ID, "clientSecret": DEFAULT_CLIENT_SECRET})),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    r.json()["apiKey"].as_str().expect("apiKey").to_owned()
}

pub async fn connect_token(emu: &RunningEmulator, key: &str, body: Value) -> String {
    let r = post(emu, "/connect_token", key, body).await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    r.json()["accessToken"]
        .as_str()
        .expect("accessToken")
        .to_owned()
}

pub async fn advance(emu: &RunningEmulator, seconds: f64) {
    let r = call(
        emu,
        "POST",
        "/__emulator/clock/advance",
        None,
        Some(&json!({ "seconds": seconds })),
    )
    .await;
    assert_eq!(r.status, 200);
}

/// Creates an item and returns its id.
pub async fn create_item(emu: &RunningEmulator, key: &str, connector: u32, user: &str) -> String {
    let r = post(
        emu,
        "/items",
        key,
        json!({"connectorId": connector, "parameters": {"user": user, "password": "password-ok"}}),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    r.json()["id"].as_str().expect("id").to_owned()
}

/// Polls an item until it leaves `UPDATING`, returning it.
pub async fn settle(emu: &RunningEmulator, key: &str, id: &str) -> Value {
    for _ in 0..200 {
        let item = get(emu, &format!("/items/{id}"), key).await.json();
        if item["status"] != "UPDATING" {
            return item;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("item {id} never settled");
}

/// The JWT payload of a key, decoded.
pub fn claims(jwt: &str) -> Value {
    use base64::Engine;
    let part = jwt.split('.').nth(1).expect("payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("json")
}

/// Stats from the emulator.
pub async fn stats(emu: &RunningEmulator) -> Value {
    call(emu, "GET", "/__emulator/stats", None, None)
        .await
        .json()
}
