//! The async client without tokio or hyper: a hand-written executor, a timer and a transport
//! that makes blocking HTTP/1.1 requests with `std::net` on a helper thread.
//!
//! It runs the documented flow (API key → connect token → item on the sandbox connector →
//! wait → reduced accounts → transactions) against a local emulator:
//!
//! ```text
//! cargo run -p pluggy-emulator -- --port 8080 &
//! cargo run -p pluggy-async --no-default-features --example custom_executor -- http://127.0.0.1:8080
//! ```
//!
//! The client id and secret come from `PLUGGY_CLIENT_ID` and `PLUGGY_CLIENT_SECRET`, or are
//! the emulator's defaults. The transport speaks plain `http://` only: put a TLS library of
//! your choice in `exchange` to reach `https://api.pluggy.ai`.

use std::future::Future;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;
use std::time::Duration;

use futures_core::Stream;
use pluggy_async::runtime::{BoxFuture, Sleeper};
use pluggy_async::{Client, TransactionStream};
use pluggy_core::models::{ConnectTokenOptions, ConnectTokenRequest, CreateItemRequest};
use pluggy_core::models::{ItemParameters, ReducedAccount};
use pluggy_core::{
    AsyncTransport, ClientSecret, ConnectorId, Error, ItemStatus, PreparedRequest, RawResponse,
    TransportError, TransportErrorKind, WaitPolicy,
};

/// The emulator's default client id and secret: public test values.
const EMULATOR_CLIENT_ID: &str = "6f2c9a4e-1b3d-4e5f-8a7b-0c1d2e3f4a5b";
const EMULATOR_CLIENT_SECRET: &str = "emulator-client-secret";

fn main() {
    let base_url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned());
    let id = std::env::var("PLUGGY_CLIENT_ID").unwrap_or_else(|_| EMULATOR_CLIENT_ID.into());
    let secret =
        std::env::var("PLUGGY_CLIENT_SECRET").unwrap_or_else(|_| EMULATOR_CLIENT_SECRET.into());
    match block_on(run(&base_url, &id, &secret)) {
        Ok(summary) => println!(
            "item {} ({}): {} accounts, {} transactions",
            summary.item_status, summary.client_user_id, summary.accounts, summary.transactions
        ),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

/// What the flow found.
#[derive(Debug)]
pub struct Summary {
    /// The item's status after the wait.
    pub item_status: ItemStatus,
    /// The `clientUserId` the item carries.
    pub client_user_id: String,
    /// Accounts in the connect token's reduced view.
    pub accounts: usize,
    /// Transactions read with the API key, over every account.
    pub transactions: usize,
}

/// The documented flow, on whatever executor polls it.
pub async fn run(base_url: &str, client_id: &str, secret: &str) -> Result<Summary, Error> {
    let backend = Client::builder()
        .base_url(base_url)
        .credentials(client_id, ClientSecret::new(secret))
        .transport(StdHttp {
            timeout: Duration::from_secs(10),
        })
        .sleeper(ThreadSleeper)
        .build()?;
    let grant = backend
        .create_connect_token(&ConnectTokenRequest {
            options: Some(ConnectTokenOptions {
                client_user_id: Some("user-42".into()),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await?;
    let front = backend.connect_client(grant);
    let parameters = ItemParameters::new()
        .with("user", "user-ok")
        .with("password", "password-ok");
    let item = front
        .create_item(&CreateItemRequest::new(ConnectorId::new(0), parameters))
        .await?;
    let policy = WaitPolicy {
        poll_interval: Duration::from_millis(100),
        ..WaitPolicy::default()
    };
    let item = front.wait_for_item(&item.id, policy, |_| {}).await?;
    let accounts: Vec<ReducedAccount> = front.list_accounts(&item.id).await?.results;
    let mut transactions = 0;
    for account in &accounts {
        transactions += count(backend.transactions(&account.id, &Default::default())).await?;
    }
    Ok(Summary {
        item_status: item.status,
        client_user_id: item
            .client_user_id
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
        accounts: accounts.len(),
        transactions,
    })
}

/// Reads a stream of transactions to its end.
async fn count(mut stream: TransactionStream) -> Result<usize, Error> {
    let mut n = 0;
    while let Some(next) = std::future::poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await {
        next?;
        n += 1;
    }
    Ok(n)
}

// ---- The executor: poll, park until woken, poll again. -------------------------------------

struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs a future to completion on the current thread.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        // A spurious wake-up only costs one more poll.
        std::thread::park();
    }
}

// ---- Blocking work on a helper thread, awaited as a future. ---------------------------------

type Slot<T> = Arc<Mutex<(Option<T>, Option<Waker>)>>;

/// The result of `work`, run on a new thread; `None` if it panicked.
struct OnThread<T>(Slot<Option<T>>);

fn on_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> OnThread<T> {
    let slot: Slot<Option<T>> = Arc::new(Mutex::new((None, None)));
    let shared = slot.clone();
    std::thread::spawn(move || {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).ok();
        let waker = {
            let mut state = shared.lock().unwrap_or_else(|p| p.into_inner());
            state.0 = Some(result);
            state.1.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    });
    OnThread(slot)
}

impl<T> Future for OnThread<T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut state = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match state.0.take() {
            Some(result) => Poll::Ready(result),
            None => {
                state.1 = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

// ---- The timer: a thread that sleeps. --------------------------------------------------------

struct ThreadSleeper;

impl Sleeper for ThreadSleeper {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            on_thread(move || std::thread::sleep(duration)).await;
        })
    }
}

// ---- The transport: HTTP/1.1 over std::net, one connection per request. ----------------------

struct StdHttp {
    timeout: Duration,
}

#[async_trait::async_trait]
impl AsyncTransport for StdHttp {
    async fn send(&self, request: PreparedRequest) -> Result<RawResponse, TransportError> {
        let timeout = self.timeout;
        on_thread(move || exchange(request, timeout))
            .await
            .unwrap_or_else(|| {
                Err(TransportError::new(
                    TransportErrorKind::Other,
                    "the transport thread panicked",
                ))
            })
    }
}

fn io_error(e: std::io::Error) -> TransportError {
    let kind = match e.kind() {
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
            TransportErrorKind::Timeout
        }
        std::io::ErrorKind::ConnectionRefused => TransportErrorKind::Connect,
        _ => TransportErrorKind::Closed,
    };
    TransportError::new(kind, e.to_string())
}

fn exchange(
    mut request: PreparedRequest,
    timeout: Duration,
) -> Result<RawResponse, TransportError> {
    let invalid = |what: &str| TransportError::new(TransportErrorKind::InvalidRequest, what);
    let body = request
        .take_body()
        .map(|b| b.into_bytes())
        .unwrap_or_default();
    let rest = request
        .url()
        .strip_prefix("http://")
        .ok_or_else(|| invalid("this transport speaks plain http:// only"))?;
    let (host, target) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], rest[i..].to_owned()),
        None => (rest, "/".to_owned()),
    };
    let target = if target.starts_with('?') {
        format!("/{target}")
    } else {
        target
    };
    let addr = host
        .to_socket_addrs()
        .map_err(|e| TransportError::new(TransportErrorKind::Connect, e.to_string()))?
        .next()
        .ok_or_else(|| TransportError::new(TransportErrorKind::Connect, "no address"))?;
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| {
        let mut e = io_error(e);
        if e.kind == TransportErrorKind::Closed {
            e.kind = TransportErrorKind::Connect;
        }
        e
    })?;
    stream.set_read_timeout(Some(timeout)).map_err(io_error)?;
    stream.set_write_timeout(Some(timeout)).map_err(io_error)?;

    let mut head = format!(
        "{} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        request.method().as_str(),
        body.len()
    );
    for header in request.headers() {
        head.push_str(header.name());
        head.push_str(": ");
        head.push_str(header.value());
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).map_err(io_error)?;
    stream.write_all(&body).map_err(io_error)?;

    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).map_err(io_error)?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| TransportError::new(TransportErrorKind::Closed, "no status line"))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).map_err(io_error)?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let find = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    let body = if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        read_chunked(&mut reader)?
    } else if let Some(length) = find("content-length").and_then(|v| v.parse::<usize>().ok()) {
        let mut body = vec![0; length];
        reader.read_exact(&mut body).map_err(io_error)?;
        body
    } else {
        let mut body = Vec::new();
        reader.read_to_end(&mut body).map_err(io_error)?;
        body
    };
    Ok(RawResponse::new(status, headers, body))
}

fn read_chunked(reader: &mut impl BufRead) -> Result<Vec<u8>, TransportError> {
    let mut body = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        reader.read_line(&mut line).map_err(io_error)?;
        let size = line.trim().split(';').next().unwrap_or_default();
        let size = usize::from_str_radix(size, 16)
            .map_err(|_| TransportError::new(TransportErrorKind::Closed, "bad chunk size"))?;
        if size == 0 {
            return Ok(body);
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..]).map_err(io_error)?;
        line.clear();
        reader.read_line(&mut line).map_err(io_error)?;
    }
}
