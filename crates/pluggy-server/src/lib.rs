//! # pluggy-server
//!
//! A small HTTP/1.1 server on hyper for the project's local helpers: the CLI's webhook
//! receiver and the test suites' receivers and redirect server. It runs on its own thread with
//! its own single-threaded tokio runtime, so callers without a runtime (a blocking CLI, blocking
//! tests) can use it, and it stops when its [`Server`] handle is dropped.
//!
//! The handler is a plain function from a request with its body already read to an answer.
//! It runs on the server's thread, so it should be quick: hand long work to another thread.
//!
//! ```
//! use pluggy_server::{Bytes, Response, Server, StatusCode};
//!
//! let server = Server::builder().start(|request| {
//!     let mut answer = Response::new(Bytes::from(format!("{} bytes", request.body().len())));
//!     *answer.status_mut() = StatusCode::OK;
//!     answer
//! })?;
//! println!("listening on http://{}", server.addr());
//! drop(server); // stops it
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Against slow or many clients ([`Limits`]):
//! - a request head must arrive within [`Limits::header_timeout`] (hyper's header read
//!   timeout); a connection that sent no whole request by then is answered 408, and a
//!   kept-alive connection waiting that long for its next request is closed;
//! - a body must arrive within [`Limits::body_timeout`] once its head has (408), and be at most
//!   [`Limits::max_body_bytes`] long, declared or sent (413);
//! - at most [`Limits::max_connections`] connections are served at once; one more is accepted,
//!   answered 503 with `Retry-After: 1` in a single non-blocking write and closed, with no task
//!   of its own ([`refuse`], which other servers of the project use too).
//!
//! Every answer the server gives on its own is a [`Refusal`], and the observer set with
//! [`Builder::on_refusal`] hears of it.

mod limits;
mod refuse;
mod serve;

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::thread::JoinHandle;

pub use bytes::Bytes;
pub use hyper::{Method, Request, Response, StatusCode, header};
pub use limits::{Limits, Refusal};
pub use refuse::refuse;

use serve::{Handler, Observer, Shared};

/// Configures and starts a [`Server`].
pub struct Builder {
    addr: SocketAddr,
    limits: Limits,
    keep_alive: bool,
    on_refusal: Option<Arc<Observer>>,
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("addr", &self.addr)
            .field("limits", &self.limits)
            .field("keep_alive", &self.keep_alive)
            .field("on_refusal", &self.on_refusal.is_some())
            .finish()
    }
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    /// A server on a free port of 127.0.0.1, with the default [`Limits`] and keep-alive.
    pub fn new() -> Self {
        Self {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            limits: Limits::default(),
            keep_alive: true,
            on_refusal: None,
        }
    }

    /// Listens on `addr` instead (port 0 picks a free one).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Gives clients these limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Whether a connection may carry more than one request (the default). Without, every
    /// answer closes its connection.
    pub fn keep_alive(mut self, keep_alive: bool) -> Self {
        self.keep_alive = keep_alive;
        self
    }

    /// Calls `observer` for every [`Refusal`], on the server's thread, after it was decided
    /// (the answer may still be on its way).
    pub fn on_refusal(mut self, observer: impl Fn(&Refusal) + Send + Sync + 'static) -> Self {
        self.on_refusal = Some(Arc::new(observer));
        self
    }

    /// Binds the address and starts serving on a new thread; every request whose body was
    /// read within the limits goes to `handler`.
    pub fn start(
        self,
        handler: impl Fn(Request<Bytes>) -> Response<Bytes> + Send + Sync + 'static,
    ) -> io::Result<Server> {
        let listener = std::net::TcpListener::bind(self.addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = {
            let _entered = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let handler: Arc<Handler> = Arc::new(handler);
        let shared = Arc::new(Shared {
            limits: self.limits,
            keep_alive: self.keep_alive,
            handler,
            on_refusal: self.on_refusal,
        });
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("pluggy-server".to_owned())
            .spawn(move || runtime.block_on(serve::accept_loop(listener, shared, stopped)))?;
        Ok(Server {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

/// A running server. Dropping it stops accepting, lets open connections finish their request
/// within [`Limits::shutdown_grace`], cuts the rest and waits for its thread.
pub struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// A [`Builder`]: 127.0.0.1 on a free port, default limits.
    pub fn builder() -> Builder {
        Builder::new()
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Blocks for as long as the server runs. Only dropping the handle stops it, so this
    /// returns only if its thread ends on its own.
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
