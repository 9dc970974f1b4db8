//! Attacks from outside: clock jumps, forged and foreign keys, headers that cannot be sent,
//! out-of-range numbers, oversized request heads, slow senders and connection floods.

mod common;

use std::time::Duration;

use common::*;
use pluggy_emulator::{Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

// ---------------------------------------------------------------------------------------------
// Clock jumps

/// The number of transactions of the item's first account, and the item itself.
async fn transaction_count(emu: &pluggy_emulator::RunningEmulator, key: &str, item: &str) -> u64 {
    let accounts = get(emu, &format!("/accounts?itemId={item}"), key)
        .await
        .json();
    let account = accounts["results"][0]["id"].as_str().expect("an account");
    let page = get(
        emu,
        &format!("/transactions?accountId={account}&pageSize=1"),
        key,
    )
    .await
    .json();
    page["total"].as_u64().expect("total")
}

async fn clock_now(emu: &pluggy_emulator::RunningEmulator) -> String {
    call(emu, "GET", "/__emulator/clock", None, None)
        .await
        .json()["now"]
        .as_str()
        .expect("now")
        .to_owned()
}

fn instant(ts: &str) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(ts, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{ts}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_clock_jump_runs_one_catch_up_sync() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let id = create_item(&emu, &key, 0, "user-ok").await;
    settle(&emu, &key, &id).await;
    let before = transaction_count(&emu, &key, &id).await;
    for round in 0..2 {
        advance(&emu, 1e10).await;
        // Let the background ticker run whatever it thinks is due.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let key = api_key(&emu).await;
        let item = settle(&emu, &key, &id).await;
        let after = transaction_count(&emu, &key, &id).await;
        // One sync adds three transactions per account.
        let expected_max = before + 3 * (round + 1);
        assert!(
            after <= expected_max,
            "round {round}: {before} transactions became {after}"
        );
        let now = instant(&clock_now(&emu).await);
        let next = instant(item["nextAutoSyncAt"].as_str().expect("nextAutoSyncAt"));
        assert!(
            next > now,
            "round {round}: next sync {next} is not after {now}"
        );
        // Nothing keeps running in the background.
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(transaction_count(&emu, &key, &id).await, after);
    }
}

#[tokio::test]
async fn absurd_clock_advances_are_refused_or_clamped() {
    let emu = start().await;
    for bad in [
        r#"{"seconds": 1e300}"#,
        r#"{"seconds": 1e400}"#,
        r#"{"seconds": -1}"#,
        r#"{"seconds": -1e300}"#,
        r#"{"seconds": NaN}"#,
        r#"{"seconds": "Infinity"}"#,
        r#"{"seconds": null}"#,
    ] {
        let r = send(
            emu.addr(),
            "POST",
            "/__emulator/clock/advance",
            None,
            Some(bad.as_bytes()),
        )
        .await;
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(r.json()["code"], 400, "{bad}");
    }
    // The largest accepted advance, again and again: the clock stops at a representable
    // instant instead of overflowing, and items still schedule their next sync after it.
    let key = api_key(&emu).await;
    let id = create_item(&emu, &key, 0, "user-ok").await;
    settle(&emu, &key, &id).await;
    let mut last = instant(&clock_now(&emu).await);
    for _ in 0..40 {
        let r = call(
            &emu,
            "POST",
            "/__emulator/clock/advance",
            None,
            Some(&json!({"seconds": 1e10})),
        )
        .await;
        assert_eq!(r.status, 200);
        let now = instant(r.json()["now"].as_str().unwrap());
        assert!(now >= last, "{now} went back from {last}");
        last = now;
    }
    assert!(last.year() >= 5000, "{last}");
    let key = api_key(&emu).await;
    let item = settle(&emu, &key, &id).await;
    let next = instant(item["nextAutoSyncAt"].as_str().unwrap());
    assert!(next > last, "{next} is not after {last}");
    // The handle saturates the same way.
    emu.advance_clock(Duration::MAX);
    assert_eq!(instant(&clock_now(&emu).await), last);
}

// ---------------------------------------------------------------------------------------------
// Forged and foreign keys

/// The signing key an emulator used to derive from its public seed (FNV-1a of the name mixed
/// with the seed, then splitmix64), as an attacker reading the source would compute it.
fn seed_derived_key(seed: u64) -> [u8; 32] {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in "signing-key-0".bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut state = seed ^ h;
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    next();
    let mut out = [0u8; 32];
    for chunk in out.chunks_mut(8) {
        chunk.copy_from_slice(&next().to_le_bytes());
    }
    out
}

/// An HS256 JWT of `claims` signed with `key`.
fn forge(claims: &Value, key: &[u8]) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use hmac::Mac;
    let mut token = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
    token.push('.');
    token.push_str(&URL_SAFE_NO_PAD.encode(claims.to_string()));
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    mac.update(token.as_bytes());
    token.push('.');
    token.push_str(&URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()));
    token
}

fn assert_invalid_token(r: &Resp, what: &str) {
    assert_eq!(r.status, 403, "{what}");
    let body = r.json();
    assert_eq!(body["code"], 403, "{what}");
    assert_eq!(
        body["message"], "Missing or invalid authorization token",
        "{what}"
    );
    assert!(body.get("codeDescription").is_none(), "{what}: {body}");
}

#[tokio::test]
async fn keys_signed_offline_are_refused() {
    let emu = start().await;
    let far = 4_000_000_000i64;
    let claims = json!({"clientId": DEFAULT_CLIENT_ID, "jti": "x", "iat": 0, "exp": far});
    for key in [
        seed_derived_key(emu.config().seed).to_vec(),
        b"any key at all".to_vec(),
        Vec::new(),
    ] {
        let forged = forge(&claims, &key);
        let r = get(&emu, "/connectors", &forged).await;
        assert_invalid_token(&r, "a forged key");
    }
    // The emulator's own keys still work.
    let key = api_key(&emu).await;
    assert_eq!(get(&emu, "/connectors", &key).await.status, 200);
}

#[tokio::test]
async fn keys_of_one_emulator_are_refused_by_another() {
    let a = start().await;
    let key = api_key(&a).await;
    let token = connect_token(&a, &key, json!({})).await;
    // Same configuration, random keys: nothing minted by `a` opens `b`.
    let b = start().await;
    assert_invalid_token(&get(&b, "/connectors", &key).await, "same config");
    assert_invalid_token(&get(&b, "/connectors", &token).await, "same config token");
    // Other client credentials.
    let other = start_with(Config {
        clients: vec![pluggy_emulator::ClientCredentials::new("other", "secret")],
        ..Config::for_tests()
    })
    .await;
    assert_invalid_token(&get(&other, "/connectors", &key).await, "other client");
    assert_eq!(get(&a, "/connectors", &key).await.status, 200);
}

fn deterministic(clients: Vec<pluggy_emulator::ClientCredentials>) -> Config {
    Config {
        deterministic_keys: true,
        clients,
        ..Config::for_tests()
    }
}

#[tokio::test]
async fn deterministic_keys_are_shared_by_emulators_of_one_seed_and_client() {
    let a = start_with(deterministic(vec![Default::default()])).await;
    let b = start_with(deterministic(vec![Default::default()])).await;
    let key = api_key(&a).await;
    assert_eq!(get(&b, "/connectors", &key).await.status, 200);
    // Another seed signs with another key.
    let c = start_with(Config {
        seed: 2,
        ..deterministic(vec![Default::default()])
    })
    .await;
    assert_invalid_token(&get(&c, "/connectors", &key).await, "other seed");
    // A key whose client is not configured is refused even when its signature is good.
    let other = start_with(deterministic(vec![
        pluggy_emulator::ClientCredentials::new("other", "secret"),
    ]))
    .await;
    assert_invalid_token(&get(&other, "/connectors", &key).await, "foreign client");
    let token = connect_token(&a, &key, json!({})).await;
    assert_invalid_token(&get(&other, "/connectors", &token).await, "foreign token");
    // A reset changes the key: earlier keys stop working.
    a.reset();
    assert_invalid_token(&get(&a, "/connectors", &key).await, "after reset");
}

// ---------------------------------------------------------------------------------------------
// Webhook headers

#[tokio::test]
async fn webhook_headers_that_cannot_be_sent_are_refused() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let url = "http://127.0.0.1:9/hook";
    let bad_headers = [
        (json!({"x-webhook-secret": "whsec\n"}), "x-webhook-secret"),
        (json!({"bad name": "v"}), "bad name"),
        (
            json!({"x-ok": "v", "x-secret": "a\r\nInjected: 1"}),
            "x-secret",
        ),
        (json!({"": "v"}), "empty"),
        (json!({"x-secret": " padded "}), "x-secret"),
        (json!({"x-secret": "ç"}), "x-secret"),
    ];
    for (headers, named) in &bad_headers {
        let r = post(
            &emu,
            "/webhooks",
            &key,
            json!({"url": url, "event": "all", "headers": headers}),
        )
        .await;
        assert_eq!(r.status, 400, "{headers}");
        let body = r.json();
        assert_eq!(body["code"], 400, "{headers}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(named), "{message}");
        assert!(!message.contains("whsec") && !message.contains("Injected"));
    }
    assert_eq!(get(&emu, "/webhooks", &key).await.json()["total"], 0);
    // A good one is stored; updating it with a bad header is refused and changes nothing.
    let good = json!({"x-webhook-secret": "whsec_abc 123"});
    let created = post(
        &emu,
        "/webhooks",
        &key,
        json!({"url": url, "event": "all", "headers": good}),
    )
    .await;
    assert_eq!(created.status, 200, "{:?}", created.json());
    let id = created.json()["id"].as_str().unwrap().to_owned();
    for (headers, _) in &bad_headers {
        let r = patch(
            &emu,
            &format!("/webhooks/{id}"),
            &key,
            json!({"headers": headers, "url": "http://127.0.0.1:10/other"}),
        )
        .await;
        assert_eq!(r.status, 400, "{headers}");
    }
    let stored = get(&emu, &format!("/webhooks/{id}"), &key).await.json();
    assert_eq!(stored["headers"], good);
    assert_eq!(stored["url"], url);
}

// ---------------------------------------------------------------------------------------------
// Numbers in query strings

#[tokio::test]
async fn out_of_range_page_numbers_are_refused_not_truncated() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let id = create_item(&emu, &key, 0, "user-ok").await;
    settle(&emu, &key, &id).await;
    let accounts = get(&emu, &format!("/accounts?itemId={id}"), &key)
        .await
        .json();
    let account = accounts["results"][0]["id"].as_str().unwrap().to_owned();
    let investments = get(&emu, &format!("/investments?itemId={id}"), &key)
        .await
        .json();
    let investment = investments["results"][0]["id"].as_str().unwrap().to_owned();
    let lists = [
        format!("/transactions?accountId={account}"),
        format!("/investments?itemId={id}"),
        format!("/investments/{investment}/transactions?x=1"),
    ];
    for list in &lists {
        for bad in [
            "page=18446744073709551615",
            "page=18446744073709551616",
            "page=4294967296",
            "page=0",
            "page=-1",
            "page=1.5",
            "pageSize=0",
            "pageSize=501",
            "pageSize=18446744073709551617",
        ] {
            let r = get(&emu, &format!("{list}&{bad}"), &key).await;
            assert_eq!(r.status, 400, "{list}&{bad}");
            assert_eq!(r.json()["code"], 400, "{list}&{bad}");
        }
        let r = get(&emu, &format!("{list}&page=4294967295"), &key).await;
        assert_eq!(r.status, 200, "{list}");
        assert_eq!(r.json()["page"], 4_294_967_295u64, "{list}");
        assert_eq!(r.json()["results"], json!([]), "{list}");
    }
    for bad in ["/connectors/4294967296", "/connectors/18446744073709551615"] {
        let r = get(&emu, bad, &key).await;
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(r.json()["code"], 400, "{bad}");
    }
}

// ---------------------------------------------------------------------------------------------
// Oversized request heads

/// Sends raw bytes, half-closes, and parses whatever answer arrives before the server closes.
async fn raw_answer(emu: &pluggy_emulator::RunningEmulator, bytes: &[u8]) -> Resp {
    let answer = raw(emu.addr(), bytes).await.expect("an answer");
    parse(&answer).unwrap_or_else(|| panic!("unparsable: {:?}", String::from_utf8_lossy(&answer)))
}

fn assert_error_shape(r: &Resp, status: u16) {
    assert_eq!(r.status, status);
    let body = r.json();
    assert_eq!(body["code"], status, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert_eq!(r.header("connection"), Some("close"));
}

#[tokio::test]
async fn oversized_request_heads_get_the_api_error_shape() {
    let emu = start().await;
    let key = api_key(&emu).await;
    // A URI longer than the emulator takes, but short enough for HTTP parsing: 414.
    let long = format!(
        "GET /connectors?name={} HTTP/1.1\r\nHost: x\r\nX-API-KEY: {key}\r\n\r\n",
        "a".repeat(40_000)
    );
    assert_error_shape(&raw_answer(&emu, long.as_bytes()).await, 414);
    // The same on an admin route.
    let long = format!(
        "GET /__emulator/stats?{} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(40_000)
    );
    assert_error_shape(&raw_answer(&emu, long.as_bytes()).await, 414);
    // A hundred header fields are served; more get the parser's bare 431.
    let with_fields = |n: usize| {
        let mut head = format!(
            "GET /connectors HTTP/1.1\r\nHost: x\r\nX-API-KEY: {key}\r\nConnection: close\r\n"
        );
        for i in 0..n - 3 {
            head.push_str(&format!("X-Filler-{i}: v\r\n"));
        }
        head + "\r\n"
    };
    let r = raw_answer(&emu, with_fields(100).as_bytes()).await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    assert_eq!(
        raw_answer(&emu, with_fields(101).as_bytes()).await.status,
        431
    );
    // A header block too large in bytes: 431.
    let big = format!(
        "GET /connectors HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "b".repeat(70_000)
    );
    assert_error_shape(&raw_answer(&emu, big.as_bytes()).await, 431);
    // Within the limits everything is served as usual: a 20 KB query of 500 ids.
    let ids: Vec<String> = (0..500).map(|i| format!("{i:036}")).collect();
    let r = get(
        &emu,
        &format!("/transactions?accountId=none&ids={}", ids.join(",")),
        &key,
    )
    .await;
    assert_eq!(r.status, 404, "{:?}", r.json());
    // Beyond what HTTP parsing takes, the answer is the bare status; the server lives on.
    let huge = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(70_000));
    assert_eq!(raw_answer(&emu, huge.as_bytes()).await.status, 414);
    assert_eq!(get(&emu, "/connectors", &key).await.status, 200);
}

// ---------------------------------------------------------------------------------------------
// Slow senders, idle connections and floods

/// Reads until the server closes the connection; `Err` if it is still open after `limit`.
async fn closed_within(s: &mut TcpStream, limit: Duration) -> Result<Vec<u8>, &'static str> {
    let mut out = Vec::new();
    match tokio::time::timeout(limit, async {
        let mut buf = [0u8; 4096];
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    {
        Ok(()) => Ok(out),
        Err(_) => Err("the connection is still open"),
    }
}

fn quick_timeouts() -> Config {
    Config {
        read_timeout: Duration::from_millis(400),
        ..Config::for_tests()
    }
}

#[tokio::test]
async fn a_head_sent_a_byte_at_a_time_is_cut_at_the_read_timeout() {
    let emu = start_with(quick_timeouts()).await;
    let mut s = TcpStream::connect(emu.addr()).await.unwrap();
    let (mut rd, mut wr) = s.split();
    let head = b"GET /connectors HTTP/1.1\r\nHost: x\r\nX-Padding: ".to_vec();
    let trickle = async {
        // Far longer than the read timeout if the server kept listening: 200 bytes, 50 ms apart.
        for b in head.iter().chain(std::iter::repeat_n(&b'a', 200)) {
            if wr.write_all(&[*b]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let read = async {
        let mut out = Vec::new();
        let _ = rd.read_to_end(&mut out).await;
        out
    };
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        tokio::select! {
            out = read => Some(out),
            _ = trickle => None,
        }
    })
    .await;
    assert!(
        matches!(closed, Ok(Some(_))),
        "the slow head was not cut off"
    );
    drop(s);
    let key = api_key(&emu).await;
    assert_eq!(get(&emu, "/connectors", &key).await.status, 200);
}

#[tokio::test]
async fn a_trickled_body_gets_408() {
    let emu = start_with(quick_timeouts()).await;
    let key = api_key(&emu).await;
    let mut s = TcpStream::connect(emu.addr()).await.unwrap();
    s.write_all(
        format!(
            "POST /items HTTP/1.1\r\nHost: x\r\nX-API-KEY: {key}\r\nContent-Length: 200\r\n\r\n"
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let (mut rd, mut wr) = s.split();
    let trickle = async {
        for _ in 0..200 {
            if wr.write_all(b" ").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        std::future::pending::<()>().await;
    };
    let read = async {
        let mut out = Vec::new();
        let _ = rd.read_to_end(&mut out).await;
        out
    };
    let answer = tokio::time::timeout(Duration::from_secs(5), async {
        tokio::select! {
            out = read => out,
            _ = trickle => unreachable!(),
        }
    })
    .await
    .expect("the trickled body was not cut off");
    let r = parse(&answer).expect("an answer");
    assert_eq!(r.status, 408);
    assert_eq!(r.json()["code"], 408);
}

/// Reads one answer with a `Content-Length` body off a kept-alive connection.
async fn read_one(s: &mut TcpStream) -> Resp {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(r) = parse(&buf) {
            let len: usize = r
                .header("content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            if r.body.len() >= len {
                return r;
            }
        }
        let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut chunk))
            .await
            .expect("an answer in time")
            .expect("read");
        assert!(n > 0, "closed before the answer was complete");
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_after_the_read_timeout() {
    let emu = start_with(quick_timeouts()).await;
    let mut s = TcpStream::connect(emu.addr()).await.unwrap();
    for _ in 0..2 {
        s.write_all(b"GET /__emulator/clock HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        assert_eq!(read_one(&mut s).await.status, 200);
    }
    // Silence after a served request: the server hangs up (well before 5 s).
    let rest = closed_within(&mut s, Duration::from_secs(5)).await;
    assert_eq!(rest, Ok(Vec::new()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_bound_get_503_at_once() {
    let emu = start_with(Config {
        max_connections: 4,
        read_timeout: Duration::from_secs(30),
        ..Config::for_tests()
    })
    .await;
    let key = api_key(&emu).await;
    let mut hogs = Vec::new();
    for _ in 0..4 {
        let mut s = TcpStream::connect(emu.addr()).await.unwrap();
        // Half a head: the connection stays open, holding its slot.
        s.write_all(b"GET /connectors HTTP/1.1\r\n").await.unwrap();
        hogs.push(s);
    }
    for _ in 0..3 {
        let mut s = TcpStream::connect(emu.addr()).await.unwrap();
        let answer = closed_within(&mut s, Duration::from_secs(3))
            .await
            .expect("the extra connection is answered and closed at once");
        let r = parse(&answer).expect("a 503");
        assert_error_shape(&r, 503);
        assert_eq!(r.header("retry-after"), Some("1"));
    }
    drop(hogs);
    // Once the hogs are gone, requests are served again (their slots free as soon as the
    // server sees them close).
    let mut served = None;
    for _ in 0..100 {
        let r = send(emu.addr(), "GET", "/connectors", Some(&key), None).await;
        if r.status == 200 {
            served = Some(r);
            break;
        }
        assert_eq!(r.status, 503);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(served.is_some(), "never served after the hogs left");
}

#[tokio::test]
async fn defaults_bound_connections_and_time() {
    let c = Config::default();
    assert!(c.max_connections >= 64);
    assert!(c.read_timeout > Duration::ZERO);
    assert!(!c.deterministic_keys);
    assert_eq!(
        Config::for_tests().max_connections,
        Config::default().max_connections
    );
    let _ = DEFAULT_CLIENT_SECRET;
}
