//! The HTTP side: binding, connections, the request pipeline and shutdown.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::CONTENT_LENGTH;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use pluggy_core::Operation;
use pluggy_core::endpoint::{Access, Endpoint};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::{JoinHandle, JoinSet};

use crate::api::{self, Cred, Ctx};
use crate::config::Config;
use crate::reply::{self, Reply};
use crate::router::{self, Route};
use crate::state::{self, Shared};
use crate::{admin, webhooks};

/// Longest request target (path and query) served; longer ones get 414. It leaves room for
/// 500 `ids` of a transactions query.
pub(crate) const MAX_URI_BYTES: usize = 32 * 1024;

/// Largest header block served (names, values and line framing); larger ones get 431.
pub(crate) const MAX_HEADER_BYTES: usize = 64 * 1024;

/// Most header fields served; more get 431.
pub(crate) const MAX_HEADERS: usize = 100;

/// The HTTP parser's own bounds, above the emulator's so that it is the emulator that
/// answers, in the API's error shape. Beyond these the parser answers itself, without a body.
const PARSER_MAX_BUF: usize = 256 * 1024;
const PARSER_MAX_HEADERS: usize = 256;

/// The message of the API's 429 answer.
const RATE_LIMIT_MESSAGE: &str =
    "Too many requests. Please try again later (see Retry-After header in seconds)";

/// Starts emulators.
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// Binds `config.host:config.port` and serves the API in the background on the current
    /// tokio runtime until [`RunningEmulator::shutdown`] (or until the handle is dropped).
    pub async fn start(config: Config) -> Result<RunningEmulator, StartError> {
        let requested = SocketAddr::new(config.host, config.port);
        let key_base = state::signing_key_base(&config).map_err(|e| StartError {
            cause: Cause::Random,
            source: std::io::Error::other(e.to_string()),
        })?;
        let listener = TcpListener::bind(requested)
            .await
            .map_err(|source| StartError::bind(requested, source))?;
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
            tokio::spawn(webhooks::deliver_all(shared.clone(), rx, stop_rx)),
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
        self.shared.lock().stats.to_json()
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
        self.shared.lock().stats.to_json()
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
                    Err(_) => refuse(stream, &busy),
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

/// Answers a connection over the bound with one non-blocking write of `answer`, then closes
/// it: nothing is spawned and nothing waits, so a flood cannot pile up work. A peer whose
/// socket buffer is full simply sees the connection closed.
fn refuse(stream: TcpStream, answer: &[u8]) {
    let _ = stream.try_write(answer);
    drop(stream);
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
        async move { handle(shared, peer.ip(), req).await }
    });
    // The header-read timer also runs while a kept-alive connection waits for its next
    // request, so `read_timeout` is the idle timeout too.
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(read_timeout)
        .max_buf_size(PARSER_MAX_BUF)
        .max_headers(PARSER_MAX_HEADERS)
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

/// Returned by the service to close the connection without answering (fault `drop`).
#[derive(Debug)]
struct Dropped;

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped by a fault rule")
    }
}

impl std::error::Error for Dropped {}

async fn handle(
    shared: Arc<Shared>,
    peer: IpAddr,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Dropped> {
    if let Some(r) = oversized_head(&req) {
        return Ok(r.with_header("connection", "close").into_response());
    }
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    if path == "/__emulator" || path.starts_with("/__emulator/") {
        if !shared.config.admin {
            return Ok(reply::error(404, None, "Not Found").into_response());
        }
        let reply = match read_body(&shared, req).await {
            Ok(body) => admin::handle(&shared, &method, &path, &body),
            Err(r) => r,
        };
        return Ok(reply.into_response());
    }
    let route = router::route(&method, &path);
    let stats_key = format!("{method} {}", route.template().unwrap_or("(unknown)"));
    let fault = shared.lock().take_fault(&method, route.template(), &path);
    if let Some(f) = fault {
        if f.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(f.delay_ms)).await;
        }
        if f.drop {
            shared.lock().stats.dropped += 1;
            return Err(Dropped);
        }
        if let Some(status) = f.status {
            let mut r = fault_reply(status);
            if let Some(s) = f.retry_after {
                r = r.with_header("retry-after", s.to_string());
            }
            shared.lock().stats.record(stats_key, status);
            return Ok(r.into_response());
        }
    }
    let reply = process(&shared, peer, req, route).await;
    shared.lock().stats.record(stats_key, reply.status);
    Ok(reply.into_response())
}

/// 414 or 431 for a request head beyond the emulator's limits ([`MAX_URI_BYTES`],
/// [`MAX_HEADER_BYTES`], [`MAX_HEADERS`]).
fn oversized_head(req: &Request<Incoming>) -> Option<Reply> {
    let uri = req.uri();
    let target = uri.path_and_query().map_or(0, |p| p.as_str().len())
        + uri.authority().map_or(0, |a| a.as_str().len())
        + uri.scheme_str().map_or(0, |s| s.len() + 3);
    if target > MAX_URI_BYTES {
        return Some(reply::error(
            414,
            None,
            format!("The request URI is longer than {MAX_URI_BYTES} bytes"),
        ));
    }
    let headers = req.headers();
    if headers.len() > MAX_HEADERS {
        return Some(reply::error(
            431,
            None,
            format!("The request has more than {MAX_HEADERS} header fields"),
        ));
    }
    // Each field as it travels: `name: value\r\n`.
    let bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if bytes > MAX_HEADER_BYTES {
        return Some(reply::error(
            431,
            None,
            format!("The request's header fields are larger than {MAX_HEADER_BYTES} bytes"),
        ));
    }
    None
}

fn fault_reply(status: u16) -> Reply {
    match status {
        429 => reply::error(429, None, RATE_LIMIT_MESSAGE),
        500 => reply::error(500, Some("INTERNAL_SERVER_ERROR"), "Internal Server Error"),
        s => {
            let reason = hyper::StatusCode::from_u16(s)
                .ok()
                .and_then(|c| c.canonical_reason())
                .unwrap_or("Injected fault");
            reply::error(s, None, reason)
        }
    }
}

/// Requests sharing one documented limit count against the same window.
fn limit_group(ep: &Endpoint) -> &'static str {
    match ep.operation {
        Operation::AccountsList | Operation::AccountsRetrieve => "GET /accounts",
        Operation::TransactionsList | Operation::TransactionsRetrieve => "GET /transactions",
        Operation::InvestmentsList | Operation::InvestmentsRetrieve => "GET /investments",
        // Every other operation has a limit of its own.
        _ => ep.name,
    }
}

async fn process(shared: &Shared, peer: IpAddr, req: Request<Incoming>, route: Route) -> Reply {
    let (endpoint, params) = match route {
        Route::Api {
            endpoint, params, ..
        } => (endpoint, params),
        Route::MethodNotAllowed { .. } => return reply::error(405, None, "Method Not Allowed"),
        Route::NotFound => return reply::error(404, None, "Not Found"),
    };
    let mut rate = None;
    if let (true, Some(limit)) = (shared.config.rate_limits, endpoint.rate_limit_per_minute) {
        let now = shared.clock.now();
        match shared
            .lock()
            .rate_limit(peer, limit_group(endpoint), limit, now)
        {
            Ok(r) => rate = Some(r),
            Err((limit, _, reset)) => {
                return reply::error(429, None, RATE_LIMIT_MESSAGE)
                    .with_header("retry-after", reset.to_string())
                    .with_header("ratelimit-limit", limit.to_string())
                    .with_header("ratelimit-remaining", "0")
                    .with_header("ratelimit-reset", reset.to_string());
            }
        }
    }
    let api_key = req
        .headers()
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let query = router::parse_query(req.uri().query().unwrap_or_default());
    let body = match read_body(shared, req).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let now = shared.clock.now();
    let mut st = shared.lock();
    st.advance(shared, now);
    let cred = if endpoint.access == Access::Public {
        Ok(Cred::None)
    } else {
        api::authenticate(&st, &shared.config.clients, api_key.as_deref(), now)
    };
    let reply = match cred {
        Err(r) => r,
        Ok(cred) => {
            let ctx = Ctx {
                shared,
                now,
                ep: endpoint,
                params: &params,
                query: &query,
                body: &body,
                cred: &cred,
            };
            match api::authorize(&ctx, &st) {
                Ok(()) => api::dispatch(&ctx, &mut st),
                Err(r) => r,
            }
        }
    };
    shared.flush(&mut st);
    drop(st);
    shared.wake.notify_one();
    match rate {
        Some((limit, remaining, reset)) => reply
            .with_header("ratelimit-limit", limit.to_string())
            .with_header("ratelimit-remaining", remaining.to_string())
            .with_header("ratelimit-reset", reset.to_string()),
        None => reply,
    }
}

async fn read_body(shared: &Shared, req: Request<Incoming>) -> Result<Bytes, Reply> {
    let limit = shared.config.max_body_bytes;
    let too_large = || {
        reply::error(
            413,
            None,
            format!("The request body is larger than {limit} bytes"),
        )
    };
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let collect = Limited::new(req.into_body(), limit).collect();
    match tokio::time::timeout(shared.config.read_timeout, collect).await {
        Err(_) => Err(reply::error(
            408,
            None,
            "The request body was not received in time",
        )),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Ok(Err(_)) => Err(reply::bad_request("The request body could not be read")),
        Ok(Ok(c)) => Ok(c.to_bytes()),
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
