//! A closed-loop load on a few read routes of an in-process emulator, reporting for each the
//! answers per second and the emulator's own CPU time per answer (its threads' time on a CPU,
//! from `/proc`, so the number holds up on a machine other work shares).
//!
//! ```text
//! cargo run --release -p pluggy-emulator --example read_load -- [CONNECTIONS] [SECONDS] [ROUTE]
//! ```

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use pluggy_emulator::{Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Nanoseconds on a CPU of every thread of this process whose name starts with `prefix`
/// (Linux only; 0 elsewhere).
fn cpu_ns(prefix: &str) -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .flatten()
        .filter(|t| {
            std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.starts_with(prefix))
        })
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// One request and its whole answer on a kept-alive connection; the answer's status.
async fn exchange(s: &mut TcpStream, request: &[u8], buf: &mut Vec<u8>) -> Result<u16, Error> {
    s.write_all(request).await?;
    buf.clear();
    loop {
        let mut chunk = [0u8; 8192];
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Err("connection closed".into());
        }
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = std::str::from_utf8(&buf[..end])?;
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .unwrap_or(0);
        if buf.len() >= end + 4 + length {
            let status = head
                .split(' ')
                .nth(1)
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
            return Ok(status);
        }
    }
}

fn request(method: &str, path: &str, key: Option<&str>, body: &str) -> Vec<u8> {
    let mut r = format!("{method} {path} HTTP/1.1\r\nhost: emulator\r\n");
    if let Some(k) = key {
        r.push_str(&format!("x-api-key: {k}\r\n"));
    }
    if !body.is_empty() {
        r.push_str("content-type: application/json\r\n");
    }
    r.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
    r.into_bytes()
}

async fn one(
    addr: SocketAddr,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: &str,
) -> Result<String, Error> {
    let mut s = TcpStream::connect(addr).await?;
    let mut buf = Vec::new();
    exchange(&mut s, &request(method, path, key, body), &mut buf).await?;
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(0);
    Ok(String::from_utf8_lossy(&buf[end + 4..]).into_owned())
}

fn field(json: &str, name: &str) -> Result<String, Error> {
    let v: serde_json::Value = serde_json::from_str(json)?;
    v.get(name)
        .and_then(|f| f.as_str())
        .map(str::to_owned)
        .ok_or_else(|| format!("no {name} in {json}").into())
}

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let connections: usize = args.next().map_or(Ok(16), |a| a.parse())?;
    let seconds: f64 = args.next().map_or(Ok(3.0), |a| a.parse())?;
    let only = args.next();
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("emu-server")
        .enable_all()
        .build()?;
    let client = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("emu-client")
        .enable_all()
        .build()?;
    let mut config = Config::for_tests();
    config.rate_limits = false;
    config.sync_step_delay = Duration::ZERO;
    let emulator = server.block_on(Emulator::start(config))?;
    let addr = emulator.addr();
    let (key, item) = client.block_on(async {
        let auth = format!(
            r#"{{"clientId":"{DEFAULT_CLIENT_ID}","clientSecret":"{DEFAULT_CLIENT_SECRET}"}}"#
        );
        let key = field(&one(addr, "POST", "/auth", None, &auth).await?, "apiKey")?;
        let create =
            r#"{"connectorId":0,"parameters":{"user":"user-ok","password":"password-ok"}}"#;
        let item = field(
            &one(addr, "POST", "/items", Some(&key), create).await?,
            "id",
        )?;
        Ok::<_, Error>((key, item))
    })?;
    std::thread::sleep(Duration::from_millis(200));
    let targets = [
        (
            "GET /items/{id}",
            format!("/items/{item}"),
            Some(key.clone()),
        ),
        (
            "GET /connectors/0",
            "/connectors/0".to_owned(),
            Some(key.clone()),
        ),
        (
            "GET /accounts",
            format!("/accounts?itemId={item}"),
            Some(key.clone()),
        ),
        (
            "GET /__emulator/clock",
            "/__emulator/clock".to_owned(),
            None,
        ),
    ];
    println!("{connections} connections, {seconds}s per route");
    println!(
        "{:<24} {:>10} {:>16} {:>8}",
        "route", "req/s", "emulator us/req", "errors"
    );
    for (label, path, key) in targets {
        if only.as_deref().is_some_and(|o| !label.contains(o)) {
            continue;
        }
        let req = Arc::new(request("GET", &path, key.as_deref(), ""));
        let stop = Arc::new(AtomicBool::new(false));
        let ok = Arc::new(AtomicU64::new(0));
        let bad = Arc::new(AtomicU64::new(0));
        let (elapsed, cpu) = client.block_on(async {
            let mut tasks = Vec::new();
            for _ in 0..connections {
                let (req, stop, ok, bad) = (req.clone(), stop.clone(), ok.clone(), bad.clone());
                tasks.push(tokio::spawn(async move {
                    let mut s = TcpStream::connect(addr).await?;
                    s.set_nodelay(true)?;
                    let mut buf = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        match exchange(&mut s, &req, &mut buf).await? {
                            200 => ok.fetch_add(1, Ordering::Relaxed),
                            _ => bad.fetch_add(1, Ordering::Relaxed),
                        };
                    }
                    Ok::<_, Error>(())
                }));
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            let (ok0, cpu0, t0) = (
                ok.load(Ordering::Relaxed),
                cpu_ns("emu-server"),
                Instant::now(),
            );
            tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
            let (ok1, cpu1, elapsed) = (
                ok.load(Ordering::Relaxed),
                cpu_ns("emu-server"),
                t0.elapsed(),
            );
            stop.store(true, Ordering::Relaxed);
            for t in tasks {
                t.await??;
            }
            Ok::<_, Error>(((ok1 - ok0, elapsed), cpu1 - cpu0))
        })?;
        let ((n, elapsed), cpu) = (elapsed, cpu);
        let rate = n as f64 / elapsed.as_secs_f64();
        let per = if n > 0 {
            cpu as f64 / n as f64 / 1000.0
        } else {
            0.0
        };
        println!(
            "{label:<24} {rate:>10.0} {per:>16.2} {:>8}",
            bad.load(Ordering::Relaxed)
        );
    }
    server.block_on(emulator.shutdown());
    Ok(())
}
