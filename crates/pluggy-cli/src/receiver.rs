//! A small webhook receiver on plain HTTP/1.1 (std::net): it checks the custom headers set on
//! the webhook, acknowledges each delivery at once with 200, then hands it over, marked as a
//! duplicate when its `eventId` was seen before. Used by `pluggy demo` and
//! `pluggy webhooks listen`.
//!
//! Against slow or many senders ([`Limits`]): each request (head and body) must arrive whole
//! within a deadline, or it is answered 408 and closed; at most so many connections are served
//! at once, and one more is answered 503 and closed at once, without a thread. Every answer
//! closes its connection, so no connection is ever kept idle.

use std::collections::HashSet;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use pluggy_core::verify_headers;
use pluggy_core::webhook::WebhookPayload;

/// Largest request body accepted.
const MAX_BODY: usize = 1024 * 1024;
/// Largest request head accepted (request line and headers).
const MAX_HEAD: usize = 16 * 1024;
/// Time allowed to write an answer to a sender that does not read it.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// How much a receiver gives to its senders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Time a sender has, from the connection, to deliver one whole request (head and body).
    pub request_deadline: Duration,
    /// Most connections served at once; a connection beyond is answered 503 and closed.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            request_deadline: Duration::from_secs(10),
            max_connections: 64,
        }
    }
}

/// What the receiver saw.
#[derive(Debug)]
pub enum Event {
    /// A delivery that passed the header check and parsed.
    Delivered(Box<Delivery>),
    /// A request refused, and why.
    Rejected {
        /// The status it was answered with.
        status: u16,
        /// Why.
        reason: String,
    },
}

/// One accepted delivery.
#[derive(Debug)]
pub struct Delivery {
    /// The typed payload.
    pub payload: WebhookPayload,
    /// The payload as received.
    pub raw: serde_json::Value,
    /// Whether a delivery with the same `eventId` came before (a retry).
    pub duplicate: bool,
}

/// A receiver running on its own threads until dropped: one accepts, one per connection (up to
/// [`Limits::max_connections`]) answers, one hands the events over in turn.
pub struct Receiver {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
    dispatcher: Option<JoinHandle<()>>,
}

impl Receiver {
    /// Listens on `bind` with the default [`Limits`] and calls `on_event` for every request,
    /// after it was answered. `expected_headers` are the custom headers every delivery must
    /// carry.
    pub fn start(
        bind: SocketAddr,
        expected_headers: Vec<(String, String)>,
        on_event: impl FnMut(Event) + Send + 'static,
    ) -> io::Result<Self> {
        Self::start_with(bind, expected_headers, Limits::default(), on_event)
    }

    /// [`Receiver::start`] with these limits. When the connection bound is first reached
    /// (after being below it), `on_event` hears of it once, as a 503.
    pub fn start_with(
        bind: SocketAddr,
        expected_headers: Vec<(String, String)>,
        limits: Limits,
        mut on_event: impl FnMut(Event) + Send + 'static,
    ) -> io::Result<Self> {
        let listener = TcpListener::bind(bind)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let (events, queue) = mpsc::channel::<Event>();
        let dispatcher = std::thread::Builder::new()
            .name("webhook-events".into())
            .spawn(move || {
                // Ends once the acceptor and every connection are done.
                for event in queue {
                    on_event(event);
                }
            })?;
        let stopped = stop.clone();
        let expected = Arc::new(expected_headers);
        let seen = Arc::new(Mutex::new(HashSet::new()));
        let active = Arc::new(AtomicUsize::new(0));
        let acceptor = std::thread::Builder::new()
            .name("webhook-receiver".into())
            .spawn(move || {
                let mut saturated = false;
                while !stopped.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            if active.load(Ordering::SeqCst) >= limits.max_connections {
                                refuse(stream);
                                if !saturated {
                                    saturated = true;
                                    let _ = events.send(Event::Rejected {
                                        status: 503,
                                        reason: format!(
                                            "{} connections are open already: more are refused \
                                             until one ends",
                                            limits.max_connections
                                        ),
                                    });
                                }
                                continue;
                            }
                            saturated = false;
                            let slot = Slot::take(&active);
                            let (expected, seen, events) =
                                (expected.clone(), seen.clone(), events.clone());
                            // A slow sender holds up only its own connection, until its
                            // deadline.
                            let spawned = std::thread::Builder::new()
                                .name("webhook-connection".into())
                                .spawn(move || {
                                    let _slot = slot;
                                    let served =
                                        serve(stream, limits.request_deadline, &expected, &seen);
                                    if let Some(event) = served {
                                        let _ = events.send(event);
                                    }
                                });
                            if spawned.is_err() {
                                std::thread::sleep(Duration::from_millis(50));
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(10));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(50)),
                    }
                }
            })?;
        Ok(Self {
            addr,
            stop,
            acceptor: Some(acceptor),
            dispatcher: Some(dispatcher),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Blocks until the receiver stops (it stops only when dropped, so: forever).
    pub fn wait(mut self) {
        if let Some(thread) = self.acceptor.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in [self.acceptor.take(), self.dispatcher.take()]
            .into_iter()
            .flatten()
        {
            let _ = thread.join();
        }
    }
}

/// One of the receiver's connection slots, given back when dropped.
struct Slot(Arc<AtomicUsize>);

impl Slot {
    fn take(active: &Arc<AtomicUsize>) -> Self {
        active.fetch_add(1, Ordering::SeqCst);
        Self(active.clone())
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Answers a connection beyond the bound with 503 and closes it, without waiting on it.
fn refuse(mut stream: TcpStream) {
    if stream.set_nonblocking(true).is_ok() {
        let _ = stream.write_all(&answer(503));
    }
    let _ = stream.shutdown(Shutdown::Both);
}

/// Reads from a connection until a deadline: every read waits at most the time left, so a
/// sender trickling bytes cannot stretch the request past it.
struct DeadlineReader {
    stream: TcpStream,
    deadline: Instant,
}

impl Read for DeadlineReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read(buf)
    }
}

/// A parsed request.
struct Request {
    method: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Answers one connection, whose request must arrive within `deadline`; returns what it saw,
/// if it was a request at all.
fn serve(
    stream: TcpStream,
    deadline: Duration,
    expected: &[(String, String)],
    seen: &Mutex<HashSet<String>>,
) -> Option<Event> {
    // Accepted sockets may inherit the listener's non-blocking mode.
    stream.set_nonblocking(false).ok()?;
    stream.set_write_timeout(Some(WRITE_TIMEOUT)).ok()?;
    let mut writer = stream.try_clone().ok()?;
    let reader = DeadlineReader {
        stream,
        deadline: Instant::now() + deadline,
    };
    let request = match read_request(reader, deadline) {
        Ok(r) => r,
        Err((status, reason)) => {
            respond(&mut writer, status);
            return Some(Event::Rejected { status, reason });
        }
    };
    let outcome = judge(&request, expected, seen);
    match outcome {
        Ok(delivery) => {
            respond(&mut writer, 200);
            Some(Event::Delivered(Box::new(delivery)))
        }
        Err((status, reason)) => {
            respond(&mut writer, status);
            Some(Event::Rejected { status, reason })
        }
    }
}

/// Checks and parses a delivery.
fn judge(
    request: &Request,
    expected: &[(String, String)],
    seen: &Mutex<HashSet<String>>,
) -> Result<Delivery, (u16, String)> {
    if request.method != "POST" {
        return Err((405, format!("{} is not a delivery (POST)", request.method)));
    }
    if !verify_headers(expected.iter().map(|(k, v)| (k, v)), |name| {
        request.header(name)
    }) {
        return Err((
            401,
            "a configured custom header is missing or has another value".into(),
        ));
    }
    let raw: serde_json::Value = serde_json::from_slice(&request.body)
        .map_err(|e| (400, format!("the body is not JSON: {e}")))?;
    let payload =
        WebhookPayload::parse(&request.body).map_err(|e| (400, format!("not a webhook: {e}")))?;
    let duplicate = match payload.event_id() {
        Some(id) => !seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(id.as_str().to_owned()),
        None => false,
    };
    Ok(Delivery {
        payload,
        raw,
        duplicate,
    })
}

fn respond(stream: &mut TcpStream, status: u16) {
    let _ = stream.write_all(&answer(status));
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Write);
}

/// A whole answer with this status, closing the connection.
fn answer(status: u16) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Payload Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    };
    let body = if status == 200 {
        "{\"received\":true}"
    } else {
        "{\"received\":false}"
    };
    format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The answer to a read that failed: 408 when the deadline passed, else 400.
fn read_failure(e: &io::Error, deadline: Duration, what: &str) -> (u16, String) {
    if matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    ) {
        (
            408,
            format!(
                "the request did not arrive whole within {} ms",
                deadline.as_millis()
            ),
        )
    } else {
        (400, format!("{what}: {e}"))
    }
}

/// Reads a request with a `Content-Length` body; chunked bodies are not taken. `deadline` is
/// the reader's, for the message when it passes.
fn read_request(stream: impl Read, deadline: Duration) -> Result<Request, (u16, String)> {
    let bad = |why: &str| (400, why.to_owned());
    let mut reader = BufReader::new(stream);
    let mut head_len = 0;
    let mut line = String::new();
    let mut read_line = |line: &mut String, len: &mut usize| {
        line.clear();
        let n = reader
            .by_ref()
            .take((MAX_HEAD - *len) as u64)
            .read_line(line)
            .map_err(|e| read_failure(&e, deadline, "cannot read the request"))?;
        *len += n;
        if n == 0 || !line.ends_with('\n') {
            return Err((400, "the request head is cut short or too long".to_owned()));
        }
        Ok(())
    };
    read_line(&mut line, &mut head_len)?;
    let method = line
        .split_whitespace()
        .next()
        .ok_or_else(|| bad("empty request line"))?
        .to_owned();
    let mut headers = Vec::new();
    loop {
        read_line(&mut line, &mut head_len)?;
        let text = line.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            break;
        }
        let (name, value) = text
            .split_once(':')
            .ok_or_else(|| bad("a header line has no colon"))?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let mut request = Request {
        method,
        headers,
        body: Vec::new(),
    };
    if request
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    {
        return Err((411, "chunked bodies are not accepted".into()));
    }
    let length = match request.header("content-length") {
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| bad("content-length is not a number"))?,
        None => 0,
    };
    if length > MAX_BODY {
        return Err((413, format!("the body is larger than {MAX_BODY} bytes")));
    }
    let mut body = vec![0; length];
    reader
        .read_exact(&mut body)
        .map_err(|e| read_failure(&e, deadline, "the body is cut short"))?;
    request.body = body;
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(addr: SocketAddr, headers: &str, body: &str) -> String {
        let mut s = TcpStream::connect(addr).expect("connect");
        let req = format!(
            "POST /hook HTTP/1.1\r\nhost: x\r\n{headers}content-length: {}\r\n\r\n{body}",
            body.len()
        );
        s.write_all(req.as_bytes()).expect("write");
        let mut answer = String::new();
        s.read_to_string(&mut answer).expect("read");
        answer
    }

    #[test]
    fn checks_headers_acknowledges_and_flags_repeats() {
        let (tx, rx) = mpsc::channel();
        let receiver = Receiver::start(
            "127.0.0.1:0".parse().unwrap(),
            vec![("x-hook-token".into(), "letmein".into())],
            move |e| {
                let _ = tx.send(e);
            },
        )
        .expect("start");
        let body = r#"{"event":"item/updated","eventId":"ev-1","id":"i1","itemId":"i1","triggeredBy":"SYNC","clientUserId":"u1"}"#;
        // A sender that connects and says nothing holds up no one else.
        let _idle = TcpStream::connect(receiver.addr()).expect("connect");

        let answer = post(receiver.addr(), "x-hook-token: letmein\r\n", body);
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        match rx.recv_timeout(Duration::from_secs(2)).expect("event") {
            Event::Delivered(d) => {
                assert!(!d.duplicate);
                assert_eq!(
                    d.payload.client_user_id().map(|u| u.as_str().to_owned()),
                    Some("u1".to_owned())
                );
            }
            other => panic!("{other:?}"),
        }

        let answer = post(receiver.addr(), "X-Hook-Token: letmein\r\n", body);
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        match rx.recv_timeout(Duration::from_secs(5)).expect("event") {
            Event::Delivered(d) => assert!(d.duplicate),
            other => panic!("{other:?}"),
        }

        let answer = post(receiver.addr(), "x-hook-token: guess\r\n", body);
        assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
        assert!(matches!(
            rx.recv_timeout(Duration::from_secs(5)).expect("event"),
            Event::Rejected { status: 401, .. }
        ));

        let answer = post(receiver.addr(), "x-hook-token: letmein\r\n", "{not json");
        assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    }

    /// Reads what the receiver answers, giving up after `limit`.
    fn answer_within(stream: &mut TcpStream, limit: Duration) -> String {
        stream.set_read_timeout(Some(limit)).expect("timeout");
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    }

    #[test]
    fn a_slow_sender_is_cut_off_at_the_request_deadline() {
        let limits = Limits {
            request_deadline: Duration::from_millis(300),
            max_connections: 8,
        };
        let (tx, rx) = mpsc::channel();
        let receiver =
            Receiver::start_with("127.0.0.1:0".parse().unwrap(), vec![], limits, move |e| {
                let _ = tx.send(e);
            })
            .expect("start");
        let mut slow = TcpStream::connect(receiver.addr()).expect("connect");
        let started = Instant::now();
        // One byte every 50 ms: each read is quick, the request never ends.
        let mut trickle = slow.try_clone().expect("clone");
        let sender = std::thread::spawn(move || {
            for byte in b"POST /hook HTTP/1.1\r\nhost: x\r\nx-padding: "
                .iter()
                .cycle()
                .take(200)
            {
                if trickle.write_all(&[*byte]).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        let answer = answer_within(&mut slow, Duration::from_secs(5));
        let took = started.elapsed();
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
        assert!(took < Duration::from_secs(2), "{took:?}");
        match rx.recv_timeout(Duration::from_secs(2)).expect("event") {
            Event::Rejected {
                status: 408,
                reason,
            } => assert!(reason.contains("300 ms"), "{reason}"),
            other => panic!("{other:?}"),
        }
        drop(slow);
        let _ = sender.join();

        // A connection that says nothing is closed at the deadline too.
        let mut idle = TcpStream::connect(receiver.addr()).expect("connect");
        let started = Instant::now();
        let answer = answer_within(&mut idle, Duration::from_secs(5));
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn connections_beyond_the_bound_get_503_at_once() {
        let limits = Limits {
            request_deadline: Duration::from_millis(1500),
            max_connections: 2,
        };
        let (tx, rx) = mpsc::channel();
        let receiver =
            Receiver::start_with("127.0.0.1:0".parse().unwrap(), vec![], limits, move |e| {
                let _ = tx.send(e);
            })
            .expect("start");
        let holders: Vec<TcpStream> = (0..2)
            .map(|_| TcpStream::connect(receiver.addr()).expect("connect"))
            .collect();
        // Let the acceptor take both.
        std::thread::sleep(Duration::from_millis(200));
        for _ in 0..5 {
            let mut extra = TcpStream::connect(receiver.addr()).expect("connect");
            let started = Instant::now();
            let answer = answer_within(&mut extra, Duration::from_secs(1));
            assert!(answer.starts_with("HTTP/1.1 503"), "{answer:?}");
            assert!(
                started.elapsed() < Duration::from_millis(900),
                "{:?}",
                started.elapsed()
            );
        }
        // Told once, not once per connection.
        match rx.recv_timeout(Duration::from_secs(1)).expect("event") {
            Event::Rejected { status: 503, .. } => {}
            other => panic!("{other:?}"),
        }
        // Once the holders' deadline passes, their slots are free again.
        for mut holder in holders {
            let answer = answer_within(&mut holder, Duration::from_secs(5));
            assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
        let body = r#"{"event":"item/updated","eventId":"ev-9","itemId":"i1"}"#;
        let answer = post(receiver.addr(), "", body);
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
}
