//! Each protection of the server against slow, idle, many or large clients, with limits in
//! milliseconds, over raw sockets on 127.0.0.1.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pluggy_server::{Bytes, Limits, Refusal, Response, Server, StatusCode};

fn fast() -> Limits {
    Limits {
        header_timeout: Duration::from_millis(300),
        body_timeout: Duration::from_millis(300),
        max_head_bytes: 16 * 1024,
        max_body_bytes: 64,
        max_connections: 4,
        shutdown_grace: Duration::from_millis(200),
    }
}

/// A server echoing the body's length, reporting refusals and handled requests.
fn start(
    limits: Limits,
    keep_alive: bool,
) -> (Server, mpsc::Receiver<Refusal>, Arc<Mutex<Vec<Bytes>>>) {
    let (tx, refusals) = mpsc::channel();
    let handled = Arc::new(Mutex::new(Vec::new()));
    let seen = handled.clone();
    let server = Server::builder()
        .limits(limits)
        .keep_alive(keep_alive)
        .on_refusal(move |r| {
            let _ = tx.send(r.clone());
        })
        .start(move |request| {
            let body = request.into_body();
            let answer = format!("{} bytes", body.len());
            seen.lock().expect("not poisoned").push(body);
            let mut response = Response::new(Bytes::from(answer));
            *response.status_mut() = StatusCode::CREATED;
            response
        })
        .expect("the server starts");
    (server, refusals, handled)
}

fn connect(server: &Server) -> TcpStream {
    let stream = TcpStream::connect(server.addr()).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("read timeout");
    stream
}

/// Everything until the server closes (or 5 s pass).
fn read_all(stream: &mut TcpStream) -> String {
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// One answer with a `content-length` body, leaving the connection open.
fn read_answer(stream: &mut TcpStream) -> String {
    let mut bytes = Vec::new();
    let mut byte = [0u8; 1];
    while !bytes.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => bytes.push(byte[0]),
            _ => panic!(
                "the answer's head was cut: {:?}",
                String::from_utf8_lossy(&bytes)
            ),
        }
    }
    let head = String::from_utf8_lossy(&bytes).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .expect("a content-length");
    let mut body = vec![0; length];
    stream.read_exact(&mut body).expect("the body");
    head + &String::from_utf8_lossy(&body)
}

fn post(body: &str) -> String {
    format!(
        "POST /hook HTTP/1.1\r\nhost: x\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn answers_requests_on_a_kept_alive_connection() {
    let (server, _refusals, handled) = start(fast(), true);
    let mut stream = connect(&server);
    for body in ["one", "second"] {
        stream.write_all(post(body).as_bytes()).expect("write");
        let answer = read_answer(&mut stream);
        assert!(answer.starts_with("HTTP/1.1 201"), "{answer:?}");
        assert!(
            answer.ends_with(&format!("{} bytes", body.len())),
            "{answer:?}"
        );
    }
    let handled = handled.lock().expect("not poisoned").clone();
    assert_eq!(handled, [Bytes::from("one"), Bytes::from("second")]);
}

#[test]
fn without_keep_alive_every_answer_closes() {
    let (server, _refusals, _) = start(fast(), false);
    let mut stream = connect(&server);
    stream.write_all(post("x").as_bytes()).expect("write");
    let started = Instant::now();
    let answer = read_all(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer:?}");
    assert!(
        started.elapsed() < Duration::from_millis(250),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_slow_head_is_answered_408_at_the_header_timeout() {
    let (server, refusals, handled) = start(fast(), true);
    let mut slow = connect(&server);
    let mut trickle = slow.try_clone().expect("clone");
    // One byte every 20 ms: each read is quick, the head never ends.
    let sender = std::thread::spawn(move || {
        for byte in b"POST /hook HTTP/1.1\r\nhost: x\r\nx-padding: "
            .iter()
            .cycle()
            .take(100)
        {
            if trickle.write_all(&[*byte]).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    let started = Instant::now();
    let answer = read_all(&mut slow);
    let took = started.elapsed();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert!(answer.contains("300 ms"), "{answer:?}");
    assert!(took < Duration::from_millis(1500), "{took:?}");
    assert!(took >= Duration::from_millis(250), "{took:?}");
    let refusal = refusals
        .recv_timeout(Duration::from_secs(2))
        .expect("reported");
    assert_eq!(
        refusal,
        Refusal::HeadTimeout {
            limit: Duration::from_millis(300)
        }
    );
    assert_eq!(refusal.status(), StatusCode::REQUEST_TIMEOUT);
    drop(slow);
    let _ = sender.join();

    // A connection that says nothing at all is told the same.
    let mut silent = connect(&server);
    let answer = read_all(&mut silent);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert!(handled.lock().expect("not poisoned").is_empty());
}

#[test]
fn a_slow_body_is_answered_408_at_the_body_timeout() {
    let (server, refusals, handled) = start(fast(), true);
    let mut stream = connect(&server);
    stream
        .write_all(b"POST /hook HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\n\r\nabc")
        .expect("write");
    let started = Instant::now();
    let answer = read_all(&mut stream);
    let took = started.elapsed();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert!(
        answer.to_ascii_lowercase().contains("connection: close"),
        "{answer:?}"
    );
    assert!(took < Duration::from_millis(1500), "{took:?}");
    assert_eq!(
        refusals
            .recv_timeout(Duration::from_secs(2))
            .expect("reported"),
        Refusal::BodyTimeout {
            limit: Duration::from_millis(300)
        }
    );
    assert!(handled.lock().expect("not poisoned").is_empty());
}

#[test]
fn an_idle_kept_alive_connection_is_closed_without_an_answer() {
    let (server, refusals, _) = start(fast(), true);
    let mut stream = connect(&server);
    stream.write_all(post("x").as_bytes()).expect("write");
    assert!(read_answer(&mut stream).starts_with("HTTP/1.1 201"));
    let started = Instant::now();
    let rest = read_all(&mut stream);
    let took = started.elapsed();
    assert_eq!(rest, "", "nothing more is said");
    assert!(
        took >= Duration::from_millis(250),
        "closed too early: {took:?}"
    );
    assert!(took < Duration::from_millis(1500), "{took:?}");
    assert!(refusals.recv_timeout(Duration::from_millis(100)).is_err());
}

#[test]
fn connections_beyond_the_bound_get_503_at_once_and_slots_come_back() {
    let limits = Limits {
        max_connections: 2,
        header_timeout: Duration::from_secs(3),
        ..fast()
    };
    let (server, refusals, _) = start(limits, true);
    let holders: Vec<TcpStream> = (0..2).map(|_| connect(&server)).collect();
    // Let the server admit both.
    std::thread::sleep(Duration::from_millis(100));
    for _ in 0..5 {
        let mut extra = connect(&server);
        let started = Instant::now();
        let answer = read_all(&mut extra);
        assert!(answer.starts_with("HTTP/1.1 503"), "{answer:?}");
        let lower = answer.to_ascii_lowercase();
        assert!(lower.contains("retry-after: 1\r\n"), "{answer:?}");
        assert!(lower.contains("connection: close\r\n"), "{answer:?}");
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "{:?}",
            started.elapsed()
        );
    }
    // Told once, not once per connection.
    assert_eq!(
        refusals
            .recv_timeout(Duration::from_secs(1))
            .expect("reported"),
        Refusal::Busy { max_connections: 2 }
    );
    assert!(refusals.recv_timeout(Duration::from_millis(100)).is_err());

    // Closing the holders gives their slots back.
    drop(holders);
    std::thread::sleep(Duration::from_millis(100));
    let mut stream = connect(&server);
    stream.write_all(post("x").as_bytes()).expect("write");
    assert!(read_answer(&mut stream).starts_with("HTTP/1.1 201"));
}

#[test]
fn an_oversize_body_is_answered_413_declared_or_sent() {
    let (server, refusals, handled) = start(fast(), true);
    let large = "x".repeat(65);

    let mut declared = connect(&server);
    declared.write_all(post(&large).as_bytes()).expect("write");
    let answer = read_all(&mut declared);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer:?}");
    assert!(answer.contains("64 bytes"), "{answer:?}");

    // A chunked body declares nothing and is cut as it arrives.
    let mut chunked = connect(&server);
    let request = format!(
        "POST /hook HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n\
         20\r\n{a}\r\n20\r\n{a}\r\n20\r\n{a}\r\n0\r\n\r\n",
        a = "y".repeat(32)
    );
    chunked.write_all(request.as_bytes()).expect("write");
    let answer = read_all(&mut chunked);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer:?}");

    for _ in 0..2 {
        assert_eq!(
            refusals
                .recv_timeout(Duration::from_secs(2))
                .expect("reported"),
            Refusal::TooLarge { limit: 64 }
        );
    }
    assert!(handled.lock().expect("not poisoned").is_empty());

    // At the limit exactly, it is taken.
    let mut fits = connect(&server);
    fits.write_all(post(&"z".repeat(64)).as_bytes())
        .expect("write");
    assert!(read_answer(&mut fits).ends_with("64 bytes"));
}

#[test]
fn an_oversize_head_is_refused_by_hyper() {
    let limits = Limits {
        max_head_bytes: 8 * 1024,
        ..fast()
    };
    let (server, _refusals, handled) = start(limits, true);
    let mut stream = connect(&server);
    let request = format!(
        "GET / HTTP/1.1\r\nhost: x\r\nx-padding: {}\r\n\r\n",
        "p".repeat(9 * 1024)
    );
    let _ = stream.write_all(request.as_bytes());
    let answer = read_all(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer:?}");
    assert!(handled.lock().expect("not poisoned").is_empty());
}

#[test]
fn dropping_the_server_stops_it_promptly() {
    let (server, _refusals, _) = start(fast(), true);
    let addr = server.addr();
    // An idle open connection does not hold the shutdown past the grace period.
    let _open = connect(&server);
    std::thread::sleep(Duration::from_millis(50));
    let started = Instant::now();
    drop(server);
    assert!(
        started.elapsed() < Duration::from_millis(1000),
        "{:?}",
        started.elapsed()
    );
    assert!(TcpStream::connect(addr).is_err(), "still listening");
}
