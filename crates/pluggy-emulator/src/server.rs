//! Starting and stopping an emulator: binding, accepting a bounded number of connections,
//! serving each with hyper, the ticker that runs syncs, and shutdown.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::{JoinHandle, JoinSet};

use crate::config::Config;
use crate::reply::{self, Reply};
use crate::world::state::{self, Shared};
use crate::{delivery, http};

/// The HTTP parser's buffer, above the emulator's bounds on a request head so that it is the
/// emulator that answers those, in the API's error shape; beyond it the parser answers itself,
/// without a body. The parser's bound on header fields is its default (100), kept because a
/// larger one costs every request an allocation: more fields get a bare 431.
const PARSER_MAX_BUF: usize = 256 * 1024;

/// Starts emulators.
#[derive(Debug)]
pub struct Emulator;

/// Connections the kernel may hold completed before the accept loop takes them: a fleet's
/// burst of first calls opens hundreds at once, and a full queue drops SYNs, which clients
/// resend only after a second.
const BACKLOG: u32 = 4096;

fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

impl Emulator {
    /// Binds `config.host:config.port` and serves the API in the background on the current
    /// tokio runtime until [`RunningEmulator::shutdown`] (or until the handle is dropped).
    pub async fn start(config: Config) -> Result<RunningEmulator, StartError> {
        let requested = SocketAddr::new(config.host, config.port);
        let key_base = state::signing_key_base(&config).map_err(|e| StartError {
            cause: Cause::Random,
            source: std::io::Error::other(e.to_string()),
        })?;
        let listener = listen(requested).map_err(|source| StartError::bind(requested, source))?;
        let addr = listener
            .local_addr()
            .map_err(|source| StartError::bind(requested, source))?;
        let base_url = match addr {
            SocketAddr::V4(a) => format!("http://{a}"),
            SocketAddr::V6(a) => format!("http://[{}]:{}", a.ip(), a.port()),
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared::new(config, addr, base_url, tx, key_base));
        let (stop, stop_rx) = watch::channel(false);
        let tasks = vec![
            tokio::spawn(accept_loop(listener, shared.clone(), stop_rx.clone())),
            tokio::spawn(ticker(shared.clone(), stop_rx.clone())),
            tokio::spawn(delivery::deliver_all(shared.clone(), rx, stop_rx)),
        ];
        Ok(RunningEmulator {
            shared,
            stop,
            tasks,
        })
    }
}

impl Emulator {
    /// Starts an emulator on its own thread and tokio runtime, for callers without one (tests
    /// of blocking clients, tools). It stops when the handle is shut down or dropped.
    pub fn start_in_background(config: Config) -> Result<BackgroundEmulator, StartError> {
        let requested = SocketAddr::new(config.host, config.port);
        let fail = move |source| StartError::bind(requested, source);
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("pluggy-emulator".to_owned())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(fail(e)));
                        return;
                    }
                };
                runtime.block_on(async move {
                    match Emulator::start(config).await {
                        Ok(emu) => {
                            let _ = ready_tx.send(Ok(emu.shared.clone()));
                            // Either an explicit stop or the handle being dropped ends the wait.
                            let _ = stop_rx.await;
                            emu.shutdown().await;
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                    }
                });
            })
            .map_err(fail)?;
        let started = ready_rx.recv().map_err(|_| {
            fail(std::io::Error::other(
                "the emulator's thread ended before it started",
            ))
        });
        match started.and_then(|r| r) {
            Ok(shared) => Ok(BackgroundEmulator {
                shared,
                stop: Some(stop_tx),
                thread: Some(thread),
            }),
            Err(e) => {
                let _ = thread.join();
                Err(e)
            }
        }
    }
}

/// An emulator running on its own thread (see [`Emulator::start_in_background`]). Dropping
/// it stops the emulator and waits for its thread.
pub struct BackgroundEmulator {
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl fmt::Debug for BackgroundEmulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackgroundEmulator")
            .field("base_url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

impl BackgroundEmulator {
    /// `http://HOST:PORT`, the base URL to give a client.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// Moves the emulator's clock forward, like `POST /__emulator/clock/advance`.
    pub fn advance_clock(&self, by: Duration) {
        self.shared.advance_clock(by);
    }

    /// The counters of `GET /__emulator/stats`.
    pub fn stats(&self) -> serde_json::Value {
        self.shared.stats_json()
    }

    /// Forgets everything, like `POST /__emulator/reset`.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// Stops the emulator and waits for its thread to end.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for BackgroundEmulator {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// The emulator could not start: its address could not be bound, or no random signing key
/// could be drawn.
#[derive(Debug)]
pub struct StartError {
    cause: Cause,
    source: std::io::Error,
}

/// What failed at start.
#[derive(Debug)]
enum Cause {
    /// Binding this address.
    Bind(SocketAddr),
    /// Reading the system's random source for the signing key.
    Random,
}

impl StartError {
    fn bind(addr: SocketAddr, source: std::io::Error) -> Self {
        Self {
            cause: Cause::Bind(addr),
            source,
        }
    }
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cause {
            Cause::Bind(addr) => write!(
                f,
                "could not listen on {addr}: {} (is the port in use? port 0 picks a free one)",
                self.source
            ),
            Cause::Random => write!(
                f,
                "could not draw a random signing key from the system: {} (deterministic keys \
                 derived from the seed avoid it)",
                self.source
            ),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// A running emulator. Dropping it stops the server too; [`RunningEmulator::shutdown`]
/// also waits for open connections to finish (at most about a second).
pub struct RunningEmulator {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl fmt::Debug for RunningEmulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningEmulator")
            .field("base_url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

impl RunningEmulator {
    /// `http://HOST:PORT`, the base URL to give a client.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// Moves the emulator's clock forward, like `POST /__emulator/clock/advance`: keys and
    /// tokens expire, pending sync steps run.
    pub fn advance_clock(&self, by: Duration) {
        self.shared.advance_clock(by);
    }

    /// The counters of `GET /__emulator/stats`, in the same JSON shape.
    pub fn stats(&self) -> serde_json::Value {
        self.shared.stats_json()
    }

    /// Forgets everything, like `POST /__emulator/reset`.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    /// Stops accepting connections, lets open ones finish and waits for the server's tasks.
    pub async fn shutdown(mut self) {
        self.stop.send_replace(true);
        for t in self.tasks.drain(..) {
            let _ = t.await;
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut conns = JoinSet::new();
    let max = shared
        .config
        .max_connections
        .clamp(1, Semaphore::MAX_PERMITS);
    let slots = Arc::new(Semaphore::new(max));
    let busy = busy_answer(max);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => match slots.clone().try_acquire_owned() {
                    Ok(slot) => {
                        let conn = serve_connection(stream, peer, shared.clone(), stop.clone());
                        conns.spawn(async move {
                            conn.await;
                            drop(slot);
                        });
                    }
                    Err(_) => pluggy_server::refuse(stream, &busy),
                },
                // Out of file descriptors or a connection reset before accept: wait a little.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            _ = stop.changed() => break,
        }
    }
    drop(listener);
    let drain = async { while conns.join_next().await.is_some() {} };
    if tokio::time::timeout(Duration::from_secs(1), drain)
        .await
        .is_err()
    {
        conns.abort_all();
    }
}

/// The complete 503 answer to a connection beyond [`Config::max_connections`].
fn busy_answer(max: usize) -> Vec<u8> {
    let body = Reply::json(
        503,
        &reply::error_body(
            503,
            None,
            format!("The emulator is serving its maximum of {max} connections; retry in a second"),
        ),
    )
    .body;
    let mut answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json; charset=utf-8\r\n\
         content-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(&body);
    answer
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let read_timeout = shared.config.read_timeout;
    let svc = service_fn(move |req| {
        let shared = shared.clone();
        async move { http::handle(shared, peer.ip(), req).await }
    });
    // The header-read timer also runs while a kept-alive connection waits for its next
    // request, so `read_timeout` is the idle timeout too.
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(read_timeout)
        .max_buf_size(PARSER_MAX_BUF)
        .serve_connection(TokioIo::new(stream), svc);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = stop.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(Duration::from_secs(1), conn).await;
        }
    }
}

async fn ticker(shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    loop {
        let next = shared.tick();
        let wait_ms = next
            .map(|at| (at - shared.clock.now()).clamp(1, 1000))
            .unwrap_or(1000);
        let wait = Duration::from_millis(u64::try_from(wait_ms).unwrap_or(1000));
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shared.wake.notified() => {}
            _ = stop.changed() => break,
        }
    }
}
