//! A small webhook receiver on plain HTTP/1.1 (pluggy-server, on hyper): it checks the custom
//! headers set on the webhook, acknowledges each delivery at once with 200, then hands it over,
//! marked as a duplicate when its `eventId` was seen before. Used by `pluggy demo` and
//! `pluggy webhooks listen`.
//!
//! Against slow or many senders ([`Limits`]): a request head must arrive within a deadline
//! from the connection, and its body within the same deadline again, or it is answered 408 and
//! closed; at most so many connections are served at once, and one more is answered 503 and
//! closed at once, without a task of its own. Every answer closes its connection, so no
//! connection is ever kept idle.

use std::collections::HashSet;
use std::io;
use std::net::SocketAddr;
use std::sync::{Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use pluggy_core::verify_headers;
use pluggy_core::webhook::WebhookPayload;
use pluggy_server::header::{CONTENT_TYPE, HeaderValue};
use pluggy_server::{Bytes, Method, Request, Response, Server, StatusCode};

/// Largest request body accepted.
const MAX_BODY: usize = 1024 * 1024;
/// Largest request head accepted (request line and headers).
const MAX_HEAD: usize = 16 * 1024;
/// On drop, how long a request being answered may take to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// How much a receiver gives to its senders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Time a sender has, from the connection, to deliver a request head, and again, once the
    /// head is in, to deliver its body.
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

impl Limits {
    fn for_server(self) -> pluggy_server::Limits {
        pluggy_server::Limits {
            header_timeout: self.request_deadline,
            body_timeout: self.request_deadline,
            max_head_bytes: MAX_HEAD,
            max_body_bytes: MAX_BODY,
            max_connections: self.max_connections,
            shutdown_grace: SHUTDOWN_GRACE,
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

/// A receiver running until dropped: the server answers on its own thread, and one more
/// thread hands the events over in turn, so a slow `on_event` never delays an answer.
pub struct Receiver {
    addr: SocketAddr,
    server: Option<Server>,
    dispatcher: Option<JoinHandle<()>>,
}

impl Receiver {
    /// Listens on `bind` with the default [`Limits`] and calls `on_event` for every request.
    /// `expected_headers` are the custom headers every delivery must carry.
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
        let (events, queue) = mpsc::channel::<Event>();
        let refusals = events.clone();
        let seen = Mutex::new(HashSet::new());
        // Ends once the server, which holds every sender, is gone.
        let dispatcher = std::thread::Builder::new()
            .name("webhook-events".into())
            .spawn(move || {
                for event in queue {
                    on_event(event);
                }
            })?;
        let server = Server::builder()
            .addr(bind)
            .limits(limits.for_server())
            .keep_alive(false)
            .on_refusal(move |refusal| {
                let _ = refusals.send(Event::Rejected {
                    status: refusal.status().as_u16(),
                    reason: refusal.to_string(),
                });
            })
            .start(move |request| {
                let (status, event) = match judge(&request, &expected_headers, &seen) {
                    Ok(delivery) => (StatusCode::OK, Event::Delivered(Box::new(delivery))),
                    Err((status, reason)) => (
                        status,
                        Event::Rejected {
                            status: status.as_u16(),
                            reason,
                        },
                    ),
                };
                let _ = events.send(event);
                answer(status)
            });
        // Without the server the dispatcher's queue is closed, and its thread ends.
        let server = server?;
        Ok(Self {
            addr: server.addr(),
            server: Some(server),
            dispatcher: Some(dispatcher),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Blocks until the receiver stops (it stops only when dropped, so: forever).
    pub fn wait(mut self) {
        if let Some(server) = self.server.take() {
            server.wait();
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        // The server first: once it is gone, no more events come and the dispatcher ends.
        drop(self.server.take());
        if let Some(thread) = self.dispatcher.take() {
            let _ = thread.join();
        }
    }
}

/// Checks and parses a delivery.
fn judge(
    request: &Request<Bytes>,
    expected: &[(String, String)],
    seen: &Mutex<HashSet<String>>,
) -> Result<Delivery, (StatusCode, String)> {
    if request.method() != Method::POST {
        return Err((
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{} is not a delivery (POST)", request.method()),
        ));
    }
    let received = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
    if !verify_headers(expected.iter().map(|(k, v)| (k, v)), received) {
        return Err((
            StatusCode::UNAUTHORIZED,
            "a configured custom header is missing or has another value".into(),
        ));
    }
    let body = request.body();
    let raw: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        (
            StatusCode::BAD_REQUEST,
            format!("the body is not JSON: {e}"),
        )
    })?;
    let payload = WebhookPayload::parse(body)
        .map_err(|e| (StatusCode::BAD_REQUEST, format!("not a webhook: {e}")))?;
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

/// The answer with this status: whether the delivery was taken, as JSON.
fn answer(status: StatusCode) -> Response<Bytes> {
    let body: &'static [u8] = if status == StatusCode::OK {
        b"{\"received\":true}"
    } else {
        b"{\"received\":false}"
    };
    let mut answer = Response::new(Bytes::from_static(body));
    *answer.status_mut() = status;
    answer
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    answer
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::Instant;

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

    #[test]
    fn other_methods_and_oversize_bodies_are_refused_and_reported() {
        let (tx, rx) = mpsc::channel();
        let receiver = Receiver::start("127.0.0.1:0".parse().unwrap(), vec![], move |e| {
            let _ = tx.send(e);
        })
        .expect("start");
        let mut get = TcpStream::connect(receiver.addr()).expect("connect");
        get.write_all(b"GET /hook HTTP/1.1\r\nhost: x\r\n\r\n")
            .expect("write");
        let answer = answer_within(&mut get, Duration::from_secs(5));
        assert!(answer.starts_with("HTTP/1.1 405"), "{answer}");
        assert!(matches!(
            rx.recv_timeout(Duration::from_secs(2)).expect("event"),
            Event::Rejected { status: 405, .. }
        ));

        let mut large = TcpStream::connect(receiver.addr()).expect("connect");
        write!(
            large,
            "POST /hook HTTP/1.1\r\nhost: x\r\ncontent-length: {}\r\n\r\n",
            MAX_BODY + 1
        )
        .expect("write");
        let answer = answer_within(&mut large, Duration::from_secs(5));
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        match rx.recv_timeout(Duration::from_secs(2)).expect("event") {
            Event::Rejected {
                status: 413,
                reason,
            } => assert!(reason.contains(&MAX_BODY.to_string()), "{reason}"),
            other => panic!("{other:?}"),
        }
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
