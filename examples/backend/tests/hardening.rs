//! The example backend under hostile or careless clients: idle and slow connections, floods
//! of connections, bad bodies, and a webhook secret HTTP cannot carry.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use pluggy_async::Client;
use pluggy_backend_example::{App, Limits, USER_HEADER};
use pluggy_core::{ClientSecret, Error};
use pluggy_emulator::{
    Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator, RunningEmulator,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const READ_TIMEOUT: Duration = Duration::from_millis(400);

/// How long any one check may wait before the test fails instead of hanging.
const PATIENCE: Duration = Duration::from_secs(5);

fn client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .credentials(DEFAULT_CLIENT_ID, ClientSecret::new(DEFAULT_CLIENT_SECRET))
        .build()
        .expect("client")
}

/// An emulator and the backend on it, serving within `limits`.
async fn backend(limits: Limits) -> (RunningEmulator, SocketAddr) {
    let emulator = Emulator::start(Config::for_tests())
        .await
        .expect("emulator");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = App::start(
        client(emulator.base_url()),
        &format!("http://{addr}"),
        "hook-secret".to_owned(),
    )
    .await
    .expect("app");
    tokio::spawn(app.serve(listener, limits));
    (emulator, addr)
}

fn limits(max_connections: usize) -> Limits {
    Limits {
        read_timeout: READ_TIMEOUT,
        max_connections,
    }
}

/// Everything the server sends until it closes the connection.
async fn read_all(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut out))
        .await
        .expect("the server closes the connection")
        .expect("read");
    String::from_utf8_lossy(&out).into_owned()
}

/// One request on its own connection, closed after the answer.
async fn request(addr: SocketAddr, head: &str, body: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(head.as_bytes()).await.expect("head");
    stream.write_all(body).await.expect("body");
    read_all(&mut stream).await
}

fn items_request() -> String {
    format!("GET /items HTTP/1.1\r\nhost: x\r\n{USER_HEADER}: ana\r\nconnection: close\r\n\r\n")
}

#[tokio::test]
async fn a_webhook_secret_http_cannot_carry_is_refused_before_anything_is_sent() {
    // Nothing listens here: a request would be a transport error, not the typed refusal.
    let pluggy = client("http://127.0.0.1:9");
    for secret in ["whsec\n", " whsec", "wh\u{1b}[2Jsec"] {
        let err = App::start(pluggy.clone(), "http://127.0.0.1:1", secret.to_owned())
            .await
            .expect_err("refused");
        assert!(matches!(err, Error::InvalidHeader(_)), "{err:?}");
        assert!(err.to_string().contains("x-webhook-secret"), "{err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_beyond_the_bound_are_turned_away_and_the_rest_time_out() {
    let (_emulator, addr) = backend(limits(4)).await;
    let mut idle = Vec::new();
    for _ in 0..4 {
        idle.push(TcpStream::connect(addr).await.expect("connect"));
    }
    // Give the accept loop the four connections before the fifth arrives.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let turned_away = request(addr, &items_request(), b"").await;
    assert!(
        turned_away.starts_with("HTTP/1.1 503"),
        "the fifth connection: {turned_away}"
    );
    assert!(turned_away.contains("retry-after: 1"), "{turned_away}");
    let started = Instant::now();
    for stream in &mut idle {
        assert_eq!(
            read_all(stream).await,
            "",
            "an idle connection gets no answer"
        );
    }
    assert!(
        started.elapsed() < READ_TIMEOUT * 4,
        "idle connections were held {:?}",
        started.elapsed()
    );
    let served = request(addr, &items_request(), b"").await;
    assert!(served.starts_with("HTTP/1.1 200"), "{served}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_alive_connection_left_idle_is_closed() {
    let (_emulator, addr) = backend(limits(16)).await;
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = format!("GET /items HTTP/1.1\r\nhost: x\r\n{USER_HEADER}: ana\r\n\r\n");
    stream.write_all(head.as_bytes()).await.expect("head");
    let started = Instant::now();
    let answer = read_all(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        started.elapsed() < READ_TIMEOUT * 4,
        "an idle kept-alive connection stayed open {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_sent_a_byte_at_a_time_is_cut_at_the_read_timeout() {
    let (_emulator, addr) = backend(limits(16)).await;
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let started = Instant::now();
    let mut cut = false;
    for byte in items_request().bytes() {
        if stream.write_all(&[byte]).await.is_err() {
            cut = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        if started.elapsed() > PATIENCE {
            break;
        }
    }
    let rest = read_all(&mut stream).await;
    assert!(
        cut || !rest.contains("200"),
        "a slow head was served: {rest}"
    );
    assert!(
        started.elapsed() < READ_TIMEOUT * 6,
        "the slow sender was held {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_never_arrives_is_answered_408() {
    let (_emulator, addr) = backend(limits(16)).await;
    let head = format!(
        "POST /connect-token HTTP/1.1\r\nhost: x\r\n{USER_HEADER}: ana\r\ncontent-length: 100\r\n\r\n"
    );
    let started = Instant::now();
    let answer = request(addr, &head, b"{\"item").await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() < READ_TIMEOUT * 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bodies_get_clear_answers() {
    let (_emulator, addr) = backend(limits(16)).await;
    let post = |len: usize| {
        format!(
            "POST /connect-token HTTP/1.1\r\nhost: x\r\n{USER_HEADER}: ana\r\nconnection: close\r\ncontent-length: {len}\r\n\r\n"
        )
    };
    let not_json = request(addr, &post(9), b"not json!").await;
    assert!(not_json.starts_with("HTTP/1.1 400"), "{not_json}");
    assert!(not_json.contains("body is not JSON"), "{not_json}");
    let huge = vec![b'x'; 80 * 1024];
    let too_large = request(addr, &post(huge.len()), &huge).await;
    assert!(too_large.starts_with("HTTP/1.1 413"), "{too_large}");
    let not_owned = request(addr, &post(19), br#"{"itemId": "other"}"#).await;
    assert!(not_owned.starts_with("HTTP/1.1 404"), "{not_owned}");
    let unsigned = "POST /webhooks/pluggy HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: 2\r\n\r\n";
    let forged = request(addr, unsigned, b"{}").await;
    assert!(forged.starts_with("HTTP/1.1 401"), "{forged}");
}
