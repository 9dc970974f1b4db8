//! The emulator's throughput: a closed loop of `C` keep-alive connections, each sending its
//! next request as soon as the previous answer is read, from a hyper client in this process.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::runtime::Runtime;
use tokio::sync::Barrier;
use tokio::task::JoinSet;

use crate::error::{BenchError, Context, Result};

/// One loaded route.
#[derive(Clone, Debug)]
pub struct Target {
    /// The request line's method and path, for the report.
    pub label: &'static str,
    /// The path requested.
    pub path: &'static str,
    /// The API key sent as `x-api-key`, if the route needs one.
    pub api_key: Option<Arc<str>>,
}

/// The result of loading one route with one number of connections.
#[derive(Clone, Debug)]
pub struct Load {
    /// The route loaded.
    pub label: &'static str,
    /// Connections, each with one request in flight at a time.
    pub connections: usize,
    /// Length of the measured window.
    pub window: Duration,
    /// 200 answers completed inside the window.
    pub requests: u64,
    /// Other answers completed inside the window.
    pub errors: u64,
}

impl Load {
    /// 200 answers per second.
    pub fn per_second(&self) -> f64 {
        let secs = self.window.as_secs_f64();
        if secs > 0.0 {
            self.requests as f64 / secs
        } else {
            0.0
        }
    }

    /// Mean time from sending a request to reading its answer, by Little's law.
    pub fn mean_latency_us(&self) -> f64 {
        let rate = self.per_second();
        if rate > 0.0 {
            self.connections as f64 / rate * 1e6
        } else {
            0.0
        }
    }
}

/// Loads `target` at `addr` with `connections` connections: `warmup` not counted, then
/// `window` counted.
pub fn closed_loop(
    rt: &Runtime,
    addr: SocketAddr,
    target: &Target,
    connections: usize,
    warmup: Duration,
    window: Duration,
) -> Result<Load> {
    rt.block_on(async {
        let gate = Arc::new(Barrier::new(connections));
        let mut set = JoinSet::new();
        for _ in 0..connections {
            let gate = gate.clone();
            let target = target.clone();
            set.spawn(async move { one_connection(addr, &target, &gate, warmup, window).await });
        }
        let (mut requests, mut errors) = (0, 0);
        while let Some(done) = set.join_next().await {
            let (ok, bad) = done.context("a load task failed")??;
            requests += ok;
            errors += bad;
        }
        Ok(Load {
            label: target.label,
            connections,
            window,
            requests,
            errors,
        })
    })
}

/// One connection's loop; returns its 200 answers and other answers inside the window.
async fn one_connection(
    addr: SocketAddr,
    target: &Target,
    gate: &Barrier,
    warmup: Duration,
    window: Duration,
) -> Result<(u64, u64)> {
    let stream = TcpStream::connect(addr)
        .await
        .context(format_args!("connecting to {addr}"))?;
    stream.set_nodelay(true).context("setting TCP_NODELAY")?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(TokioIo::new(stream))
            .await
            .context("HTTP/1.1 handshake")?;
    tokio::spawn(async move {
        // The connection ends when the sender is dropped; its error, if any, shows up as a
        // failed request below.
        let _ = conn.await;
    });
    let host = addr.to_string();
    gate.wait().await;
    let start = Instant::now();
    let from = start + warmup;
    let until = from + window;
    let (mut ok, mut bad) = (0u64, 0u64);
    while Instant::now() < until {
        sender.ready().await.context("connection closed")?;
        let mut builder = hyper::Request::get(target.path)
            .header("host", &host)
            .header("accept", "application/json");
        if let Some(key) = &target.api_key {
            builder = builder.header("x-api-key", &**key);
        }
        let request = builder
            .body(Empty::<Bytes>::new())
            .context("building a request")?;
        let response = sender
            .send_request(request)
            .await
            .context(format_args!("GET {}", target.path))?;
        let status = response.status();
        response
            .into_body()
            .collect()
            .await
            .context(format_args!("reading the answer of {}", target.path))?;
        let done = Instant::now();
        if done >= from && done < until {
            if status == hyper::StatusCode::OK {
                ok += 1;
            } else {
                bad += 1;
            }
        }
    }
    if ok == 0 && bad > 0 {
        return Err(BenchError::new(format!(
            "every answer of GET {} inside the window was an error",
            target.path
        )));
    }
    Ok((ok, bad))
}

/// Most connections the bare server serves at once; the bench opens at most 64.
const BARE_MAX_CONNECTIONS: usize = 256;

/// A hyper server that answers every request with one recorded body and does nothing else,
/// on a runtime like the emulator's (two workers) and with the same header-read timeout: the
/// most any server built on hyper can serve on this machine, for the emulator's rows to be
/// read against. It stops when dropped.
pub struct Bare {
    addr: SocketAddr,
    runtime: Option<Runtime>,
}

impl Bare {
    /// Listens on a free port of 127.0.0.1 and answers `body` as `application/json`.
    pub fn start(body: Vec<u8>) -> Result<Self> {
        use hyper::server::conn::http1;
        use hyper_util::rt::TokioTimer;

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .context("starting the bare server's runtime")?;
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .context("binding the bare server")?;
        let addr = listener.local_addr().context("the bare server's address")?;
        let body = Bytes::from(body);
        let slots = Arc::new(tokio::sync::Semaphore::new(BARE_MAX_CONNECTIONS));
        runtime.spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    // Out of descriptors, or a connection reset before accept: wait a little
                    // rather than spin.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let Ok(slot) = slots.clone().try_acquire_owned() else {
                    continue;
                };
                let body = body.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |_request| {
                        let response = hyper::Response::builder()
                            .header("content-type", "application/json; charset=utf-8")
                            .body(http_body_util::Full::new(body.clone()));
                        async move { response }
                    });
                    let _ = http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(Duration::from_secs(30))
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                    drop(slot);
                });
            }
        });
        Ok(Self {
            addr,
            runtime: Some(runtime),
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Bare {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
