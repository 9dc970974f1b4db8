//! The `pluggy-emulator` binary: its first line, its flags.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use common::*;
use serde_json::json;

struct Running {
    child: Child,
    addr: SocketAddr,
    lines: Vec<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(args: &[&str], extra_lines: usize) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pluggy-emulator"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut lines = Vec::new();
    for _ in 0..=extra_lines {
        let mut line = String::new();
        out.read_line(&mut line).expect("a line");
        lines.push(line.trim_end().to_owned());
    }
    let addr = lines[0]
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("first line: {:?}", lines[0]))
        .parse()
        .expect("HOST:PORT");
    Running { child, addr, lines }
}

#[tokio::test]
async fn prints_its_address_then_the_default_credentials() {
    let run = spawn(
        &[
            "--port",
            "0",
            "--sync-delay-ms",
            "0",
            "--rate-limits",
            "off",
        ],
        2,
    );
    assert_eq!(
        run.lines[1],
        format!("client id: {}", pluggy_emulator::DEFAULT_CLIENT_ID)
    );
    assert_eq!(
        run.lines[2],
        format!("client secret: {}", pluggy_emulator::DEFAULT_CLIENT_SECRET)
    );
    assert_ne!(run.addr.port(), 0);
    let body = json!({"clientId": pluggy_emulator::DEFAULT_CLIENT_ID, "clientSecret": pluggy_emulator::DEFAULT_CLIENT_SECRET});
    let r = send(
        run.addr,
        "POST",
        "/auth",
        None,
        Some(body.to_string().as_bytes()),
    )
    .await;
    assert_eq!(r.status, 200);
    let key = r.json()["apiKey"].as_str().unwrap().to_owned();
    let r = send(run.addr, "GET", "/connectors/0", Some(&key), None).await;
    assert_eq!(r.json()["name"], "Pluggy Bank");
    assert_eq!(
        send(run.addr, "GET", "/__emulator/stats", None, None)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn flags_set_credentials_ttl_and_admin() {
    let run = spawn(
        &[
            "--host",
            "127.0.0.1",
            "--client-id",
            "me",
            "--client-secret",
            "s3cret",
            "--api-key-ttl-secs",
            "60",
            "--connect-token-ttl-secs",
            "30",
            "--seed",
            "9",
            "--no-admin",
            "--allow-insecure-webhooks",
            "--retire-v1-transactions",
        ],
        0,
    );
    let ok = json!({"clientId": "me", "clientSecret": "s3cret"}).to_string();
    let r = send(run.addr, "POST", "/auth", None, Some(ok.as_bytes())).await;
    assert_eq!(r.status, 200);
    let key = r.json()["apiKey"].as_str().unwrap().to_owned();
    let c = claims(&key);
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 60);
    let t = send(run.addr, "POST", "/connect_token", Some(&key), Some(b"{}")).await;
    let c = claims(t.json()["accessToken"].as_str().unwrap());
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 30);
    let hook = json!({"url": "http://127.0.0.1:9/h", "event": "all"}).to_string();
    assert_eq!(
        send(
            run.addr,
            "POST",
            "/webhooks",
            Some(&key),
            Some(hook.as_bytes())
        )
        .await
        .status,
        200
    );
    let default = json!({"clientId": pluggy_emulator::DEFAULT_CLIENT_ID, "clientSecret": pluggy_emulator::DEFAULT_CLIENT_SECRET}).to_string();
    assert_eq!(
        send(run.addr, "POST", "/auth", None, Some(default.as_bytes()))
            .await
            .status,
        401
    );
    assert_eq!(
        send(run.addr, "GET", "/__emulator/stats", None, None)
            .await
            .status,
        404
    );
    let v1 = send(
        run.addr,
        "GET",
        "/transactions?accountId=x",
        Some(&key),
        None,
    )
    .await;
    assert_eq!(v1.status, 410);
    assert_eq!(v1.json()["codeDescription"], "ENDPOINT_DEPRECATED");
}

#[test]
fn a_busy_port_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_pluggy-emulator"))
        .args(["--port", &port])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("could not listen on"), "{err}");
    let bad = Command::new(env!("CARGO_BIN_EXE_pluggy-emulator"))
        .args(["--rate-limits", "maybe"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
}

#[tokio::test]
async fn keys_are_random_unless_deterministic_keys_are_asked_for() {
    let auth = json!({"clientId": pluggy_emulator::DEFAULT_CLIENT_ID, "clientSecret": pluggy_emulator::DEFAULT_CLIENT_SECRET}).to_string();
    let key_of = |addr| {
        let auth = auth.clone();
        async move {
            let r = send(addr, "POST", "/auth", None, Some(auth.as_bytes())).await;
            r.json()["apiKey"].as_str().unwrap().to_owned()
        }
    };
    for (flags, accepted) in [
        (&["--seed", "5"][..], 403),
        (&["--seed", "5", "--deterministic-keys"][..], 200),
    ] {
        let a = spawn(flags, 2);
        let b = spawn(flags, 2);
        let key = key_of(a.addr).await;
        let r = send(b.addr, "GET", "/connectors", Some(&key), None).await;
        assert_eq!(r.status, accepted, "{flags:?}");
        let own = key_of(b.addr).await;
        let r = send(b.addr, "GET", "/connectors", Some(&own), None).await;
        assert_eq!(r.status, 200, "{flags:?}");
    }
}

#[tokio::test]
async fn connection_flags_bound_connections_and_idle_time() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let run = spawn(&["--max-connections", "1", "--read-timeout-ms", "300"], 2);
    // An idle connection holds the only slot until the read timeout closes it.
    let mut hog = tokio::net::TcpStream::connect(run.addr).await.unwrap();
    hog.write_all(b"GET /connectors HTTP/1.1\r\n")
        .await
        .unwrap();
    // A client that sends its request at once still reads the 503 (the connection is reset
    // after it, as the server closed without reading the request).
    let mut extra = tokio::net::TcpStream::connect(run.addr).await.unwrap();
    let _ = extra
        .write_all(b"GET /__emulator/stats HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    while let Ok(Ok(n @ 1..)) =
        tokio::time::timeout(std::time::Duration::from_secs(3), extra.read(&mut buf)).await
    {
        answer.extend_from_slice(&buf[..n]);
    }
    let r = parse(&answer).expect("a 503 answer");
    assert_eq!(r.status, 503);
    assert_eq!(r.json()["code"], 503);
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        hog.read_to_end(&mut rest),
    )
    .await;
    assert!(closed.is_ok(), "the idle connection was not closed");
    let mut status = 0;
    for _ in 0..100 {
        status = send(run.addr, "GET", "/__emulator/stats", None, None)
            .await
            .status;
        if status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(status, 200);
    for bad in [["--max-connections", "0"], ["--read-timeout-ms", "0"]] {
        let out = Command::new(env!("CARGO_BIN_EXE_pluggy-emulator"))
            .args(bad)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{bad:?}");
    }
}
