//! The command against servers that misbehave: tiny servers started here on 127.0.0.1 answer
//! garbage, never answer, send huge or hostile bodies, or redirect. The command fails with a
//! clear message and the right exit code, within its `--timeout`, never following a redirect
//! and never printing megabytes or escape sequences.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{Run, command};

/// What a tiny server does with one request: it gets the request line and the stream.
type Answer = dyn Fn(&str, &mut TcpStream) + Send + Sync;

/// A server on 127.0.0.1 that reads each request's head and body, then lets `answer` reply.
/// Its threads end with the test process.
struct Tiny {
    addr: SocketAddr,
    requests: Arc<AtomicUsize>,
}

impl Tiny {
    fn start(answer: impl Fn(&str, &mut TcpStream) + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let requests = Arc::new(AtomicUsize::new(0));
        let counted = requests.clone();
        let answer: Arc<Answer> = Arc::new(answer);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (answer, counted) = (answer.clone(), counted.clone());
                std::thread::spawn(move || serve(stream, &*answer, &counted));
            }
        });
        Self { addr, requests }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

fn serve(stream: TcpStream, answer: &Answer, counted: &AtomicUsize) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        counted.fetch_add(1, Ordering::SeqCst);
        answer(request_line.trim_end(), &mut writer);
        let _ = writer.flush();
    }
}

/// Writes an HTTP/1.1 answer.
fn reply(stream: &mut TcpStream, status: &str, headers: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\n{headers}\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

/// Answers `POST /auth` with a key, and every other request with `rest`.
fn after_auth(
    rest: impl Fn(&str, &mut TcpStream) + Send + Sync + 'static,
) -> impl Fn(&str, &mut TcpStream) + Send + Sync + 'static {
    move |line, stream| {
        if line.starts_with("POST /auth ") {
            let body = br#"{"apiKey":"not-a-jwt"}"#;
            reply(stream, "200 OK", "content-type: application/json\r\n", body);
        } else {
            rest(line, stream);
        }
    }
}

/// Runs `pluggy --base-url URL --timeout 1 ARGS…`, killed (and the test failed) if it is still
/// running after `limit`.
fn bounded(url: &str, args: &[&str], limit: Duration) -> Run {
    let mut all = vec!["--base-url", url, "--timeout", "1"];
    all.extend_from_slice(args);
    let mut child = command(&all)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn pluggy");
    let (mut out, mut err) = (
        child.stdout.take().expect("stdout"),
        child.stderr.take().expect("stderr"),
    );
    let readers = (
        std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = out.read_to_end(&mut text);
            text
        }),
        std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = err.read_to_end(&mut text);
            text
        }),
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("pluggy {all:?} still ran after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = readers.0.join().expect("stdout reader");
    let stderr = readers.1.join().expect("stderr reader");
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

const LIMIT: Duration = Duration::from_secs(20);

/// No escape sequence, no line break inside the message, not megabytes.
fn sane(run: &Run) {
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.len() < 10_000, "{} bytes printed", all.len());
    assert!(
        !all.chars().any(|c| c.is_control() && c != '\n'),
        "a control character was printed: {all:?}"
    );
    assert!(run.stderr.starts_with("pluggy: "), "{}", run.stderr);
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
}

#[test]
fn a_server_that_answers_garbage_is_a_clear_failure() {
    let not_http = Tiny::start(|_, stream| {
        let _ = stream.write_all(b"\x1b[2J\x1b]0;pwned\x07 this is not HTTP\r\n\r\n");
    });
    let run = bounded(&not_http.url(), &["connectors", "list"], LIMIT).expect_code(6);
    sane(&run);
    assert!(run.stderr.contains("POST /auth"), "{}", run.stderr);

    let not_json = Tiny::start(after_auth(|_, stream| {
        reply(
            stream,
            "200 OK",
            "content-type: application/json\r\n",
            b"<html>\x1b[31m",
        );
    }));
    let run = bounded(&not_json.url(), &["connectors", "list"], LIMIT).expect_code(5);
    sane(&run);
    assert!(run.stderr.contains("could not decode"), "{}", run.stderr);
}

#[test]
fn a_server_that_never_answers_is_given_up_on() {
    let silent = Tiny::start(|_, _| std::thread::sleep(Duration::from_secs(60)));
    let started = Instant::now();
    let run = bounded(&silent.url(), &["connectors", "list"], LIMIT).expect_code(6);
    sane(&run);
    assert!(run.stderr.contains("POST /auth"), "{}", run.stderr);
    // Three attempts of one second, and their backoff.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_huge_hostile_error_message_is_cleaned_and_cut() {
    let message = format!(
        "\x1b[2J\r\nERROR {}",
        "A\x1b[31m".repeat(5 * 1024 * 1024 / 6)
    );
    let body = serde_json::to_vec(&serde_json::json!({
        "code": 400, "codeDescription": "BAD\x1b[5m", "message": message,
    }))
    .expect("json");
    let size = message.len();
    let server = Tiny::start(after_auth(move |_, stream| {
        reply(
            stream,
            "400 Bad Request",
            "content-type: application/json\r\n",
            &body,
        );
    }));
    let run = bounded(&server.url(), &["connectors", "get", "1"], LIMIT).expect_code(5);
    sane(&run);
    assert!(run.stderr.contains("ERROR A[31mA[31m"), "{}", run.stderr);
    assert!(run.stderr.contains("… (cut at 2000 of "), "{}", run.stderr);
    assert!(size > 5_000_000);
}

#[test]
fn an_answer_larger_than_the_limit_is_refused() {
    let server = Tiny::start(after_auth(|_, stream| {
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 104857600\r\n\r\n";
        let _ = stream.write_all(head.as_bytes());
        let chunk = vec![b' '; 1024 * 1024];
        for _ in 0..100 {
            if stream.write_all(&chunk).is_err() {
                return;
            }
        }
    }));
    let run = bounded(&server.url(), &["connectors", "get", "1"], LIMIT).expect_code(6);
    sane(&run);
}

#[test]
fn a_redirect_is_not_followed() {
    let target = Tiny::start(after_auth(|_, stream| {
        reply(
            stream,
            "200 OK",
            "content-type: application/json\r\n",
            br#"{"id":1,"name":"x"}"#,
        );
    }));
    let location = format!("location: {}/connectors/1\r\n", target.url());
    let redirecting = Tiny::start(move |_, stream| {
        reply(stream, "307 Temporary Redirect", &location, b"");
    });
    let run = bounded(&redirecting.url(), &["connectors", "get", "1"], LIMIT).expect_code(5);
    sane(&run);
    assert!(run.stderr.contains("307"), "{}", run.stderr);
    assert_eq!(target.requests(), 0, "the redirect was followed");
    assert!(redirecting.requests() >= 1);
}

#[test]
fn webhook_headers_http_cannot_carry_are_refused_before_sending() {
    let server = Tiny::start(after_auth(|_, stream| {
        reply(stream, "500 Internal Server Error", "", b"");
    }));
    for header in [
        "x-webhook-secret:whsec-1\n",
        "x-webhook-secret:whsec-1\r\nx-other: 1",
        "bad name:whsec-1",
    ] {
        for command in [
            vec![
                "webhooks",
                "create",
                "--url",
                "https://example.com/h",
                "--event",
                "all",
            ],
            vec!["webhooks", "update", "wh-1", "--event", "all"],
        ] {
            let mut args = command.clone();
            args.extend(["--header", header]);
            let run = bounded(&server.url(), &args, LIMIT).expect_code(2);
            sane(&run);
            assert!(run.stderr.contains("--header"), "{}", run.stderr);
            assert!(!run.stderr.contains("whsec-1"), "{}", run.stderr);
        }
    }
    assert_eq!(server.requests(), 0, "something was sent");
}
