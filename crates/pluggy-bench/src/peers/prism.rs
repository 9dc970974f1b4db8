//! Prism serving Pluggy's OpenAPI document as a mock, against the emulator, on
//! `GET /items/{id}` under the same closed-loop load.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pluggy_core::ItemId;
use pluggy_emulator::RunningEmulator;
use tokio::runtime::Runtime;

use super::install::Tools;
use super::process::{self, Guard};
use super::{MockPair, Paths, Plan, alternate, merge_loads};
use crate::error::{BenchError, Context, Result};
use crate::throughput::{self, Target};

/// An item id of the shape the document asks for (`format: uuid`); Prism answers any.
const PRISM_ITEM_PATH: &str = "/items/d0f8a8c0-e8e3-11e9-b210-d663bd873d93";
/// The API key sent to Prism: the document's security scheme wants an `X-API-KEY` header, and
/// a mock checks only that it is there.
const PRISM_KEY: &str = "bench-peers-key";
/// Longest wait for Prism to read the document and listen.
const START_TIMEOUT: Duration = Duration::from_secs(90);

/// Starts Prism on a free loopback port and loads it and the emulator in turn, for each number
/// of connections of `plan`. Prism is stopped on every path.
pub fn compare(
    client_rt: &Runtime,
    tools: &Tools,
    paths: &Paths,
    emulator: &RunningEmulator,
    item: &ItemId,
    emulator_key: Arc<str>,
    plan: Plan,
) -> Result<Vec<MockPair>> {
    let port = free_port()?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    crate::progress(&format!("peers: starting Prism on {addr}"));
    let mut command = Command::new(&tools.node);
    command
        .arg(tools.prism())
        .args(["mock", "--host", "127.0.0.1", "--port", &port.to_string()])
        // Prism logs every request (and, even at level `error`, each violation of the
        // document's own example) by default; silent, it is measured serving, not logging.
        .args(["--errors", "false", "--verboseLevel", "silent"])
        .arg(&paths.spec)
        .current_dir(&tools.dir);
    let log = tools.dir.join("prism.log");
    let mut prism = Guard::spawn(&mut command, "Prism", &log)?;
    wait_until_serving(&mut prism, addr, &log)?;

    // The target's path is `&'static str`; one item id per run is leaked for it.
    let item_path: &'static str = format!("/items/{}", item.as_str()).leak();
    let on_emulator = Target {
        label: "GET /items/{id} (emulator)",
        path: item_path,
        api_key: Some(emulator_key),
    };
    let on_prism = Target {
        label: "GET /items/{id} (Prism mock)",
        path: PRISM_ITEM_PATH,
        api_key: Some(PRISM_KEY.into()),
    };
    let mut pairs = Vec::new();
    for &connections in plan.connections {
        crate::progress(&format!(
            "peers: emulator vs Prism, {connections} connection(s), {} round(s)",
            plan.rounds
        ));
        let load = |target: &Target, at: SocketAddr| {
            throughput::closed_loop(client_rt, at, target, connections, plan.warmup, plan.window)
        };
        let (emulator_loads, prism_loads) = alternate(
            plan.rounds,
            || load(&on_emulator, emulator.addr()),
            || load(&on_prism, addr).context("loading Prism"),
        )?;
        if let (Some(emulator), Some(prism)) =
            (merge_loads(emulator_loads), merge_loads(prism_loads))
        {
            pairs.push(MockPair { emulator, prism });
        }
    }
    drop(prism);
    Ok(pairs)
}

/// A loopback port nothing listens on now.
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).context("finding a free port")?;
    Ok(listener.local_addr().context("finding a free port")?.port())
}

/// Waits until Prism answers 200 to the loaded request, or fails (Prism ended, another answer,
/// or no answer within [`START_TIMEOUT`]).
fn wait_until_serving(prism: &mut Guard, addr: SocketAddr, log: &std::path::Path) -> Result<()> {
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Some(status) = prism.try_wait()? {
            return Err(BenchError::new(format!(
                "Prism ended ({status}) before serving: {}",
                process::log_tail(log)
            )));
        }
        match probe(addr) {
            Ok(200) => return Ok(()),
            Ok(status) => {
                return Err(BenchError::new(format!(
                    "Prism (pid {}) answered {status} to GET {PRISM_ITEM_PATH}",
                    prism.id()
                )));
            }
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(200)),
            Err(e) => {
                return Err(BenchError::new(format!(
                    "Prism did not serve within {} s: {e}: {}",
                    START_TIMEOUT.as_secs(),
                    process::log_tail(log)
                )));
            }
        }
    }
}

/// One `GET` of the loaded path on a fresh connection; the answer's status.
fn probe(addr: SocketAddr) -> Result<u16> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1))
        .context(format_args!("connecting to {addr}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .context("setting a read timeout")?;
    let request = format!(
        "GET {PRISM_ITEM_PATH} HTTP/1.1\r\nhost: {addr}\r\naccept: application/json\r\n\
         x-api-key: {PRISM_KEY}\r\nconnection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .context("sending the probe")?;
    let mut head = [0u8; 64];
    let mut read = 0;
    while read < head.len() && !head[..read].contains(&b'\n') {
        match stream.read(&mut head[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) => return Err(BenchError::new(format!("reading the probe's answer: {e}"))),
        }
    }
    status_code(&String::from_utf8_lossy(&head[..read]))
        .ok_or_else(|| BenchError::new("the probe's answer has no HTTP status line"))
}

/// The status code of an HTTP/1.x status line.
fn status_code(head: &str) -> Option<u16> {
    let line = head.lines().next()?;
    let mut words = line.split_whitespace();
    if !words.next()?.starts_with("HTTP/1.") {
        return None;
    }
    words
        .next()?
        .parse()
        .ok()
        .filter(|c| (100..600).contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_status_of_a_status_line() {
        assert_eq!(status_code("HTTP/1.1 200 OK\r\nContent-Type: x"), Some(200));
        assert_eq!(status_code("HTTP/1.0 401 Unauthorized\r\n"), Some(401));
        assert_eq!(status_code("HTTP/1.1 200"), Some(200));
        assert_eq!(status_code("SSH-2.0-OpenSSH\r\n"), None);
        assert_eq!(status_code("HTTP/1.1 abc OK"), None);
        assert_eq!(status_code("HTTP/1.1 999 Nope"), None);
        assert_eq!(status_code(""), None);
    }
}
