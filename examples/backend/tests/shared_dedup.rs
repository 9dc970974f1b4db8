//! Two processes of the backend behind one load balancer, sharing the webhook `eventId`s
//! through a real Redis: a repeat that lands on the other process is dropped there too, and
//! with Redis gone every delivery is still handled.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use pluggy_async::Client;
use pluggy_backend_example::{
    App, AppOptions, Limits, WEBHOOK_PATH, WEBHOOK_SECRET_HEADER, WebhookStats,
};
use pluggy_core::ClientSecret;
use pluggy_emulator::{Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator};
use pluggy_redis::{FleetConfig, LocalRedis, RedisFleet};
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};

const SECRET: &str = "hook-secret";

/// Delivers one webhook to the backend at `addr`, with the custom header; the status.
async fn deliver(addr: SocketAddr, event_id: &str) -> u16 {
    let body = json!({
        "event": "item/updated", "eventId": event_id, "id": "no-such-item",
        "itemId": "no-such-item", "clientUserId": "alice", "triggeredBy": "SYNC",
    })
    .to_string();
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let request = Request::builder()
        .method("POST")
        .uri(WEBHOOK_PATH)
        .header("host", addr.to_string())
        .header(WEBHOOK_SECRET_HEADER, SECRET)
        .body(Full::new(Bytes::from(body)))
        .expect("request");
    let response = sender.send_request(request).await.expect("send");
    let status = response.status().as_u16();
    let _ = response.into_body().collect().await;
    status
}

/// One process: its own client (in the fleet) and its own App, serving on a port of its own.
async fn process(base_url: &str, fleet: &RedisFleet) -> (App, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let pluggy = Client::builder()
        .base_url(base_url)
        .credentials(DEFAULT_CLIENT_ID, ClientSecret::new(DEFAULT_CLIENT_SECRET))
        .fleet(fleet.clone())
        .build()
        .expect("client");
    let options = AppOptions::default().seen_events(fleet.events(DEFAULT_CLIENT_ID));
    let app = App::start_with(
        pluggy,
        base_url,
        "http://backend.example.com",
        SECRET.to_owned(),
        options,
    )
    .await
    .expect("app");
    tokio::spawn(app.clone().serve(listener, Limits::default()));
    (app, addr)
}

/// The two processes' stats summed, once they have handled or dropped `events` in all.
async fn settled(apps: &[&App], events: u64) -> WebhookStats {
    let sum = || {
        apps.iter().fold(WebhookStats::default(), |mut sum, app| {
            let s = app.webhook_stats();
            sum.handled += s.handled;
            sum.duplicates += s.duplicates;
            sum
        })
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while sum().handled + sum().duplicates < events && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeat_on_another_process_is_dropped_and_redis_down_loses_nothing() {
    let mut redis = LocalRedis::start().expect("redis-server (Debian's package) starts");
    let emulator = Emulator::start(Config::for_tests())
        .await
        .expect("emulator");
    let mut config = FleetConfig::default();
    config.op_timeout = Duration::from_millis(200);
    config.rejoin_after = Duration::from_millis(300);
    let fleet = RedisFleet::new(&redis.url())
        .expect("url")
        .with_config(config);
    let (a, a_addr) = process(emulator.base_url(), &fleet).await;
    let (b, b_addr) = process(emulator.base_url(), &fleet).await;

    // Pluggy delivers, the load balancer sends the first attempt to A and the retry to B.
    assert_eq!(deliver(a_addr, "evt-shared-1").await, 200);
    assert_eq!(settled(&[&a], 1).await.handled, 1);
    assert_eq!(deliver(b_addr, "evt-shared-1").await, 200);
    let both = settled(&[&a, &b], 2).await;
    assert_eq!(
        both,
        WebhookStats {
            handled: 1,
            duplicates: 1
        }
    );
    assert_eq!(b.webhook_stats().duplicates, 1);

    // Redis gone: each process still handles every new event, and still drops its own
    // repeats.
    redis.stop();
    assert_eq!(deliver(a_addr, "evt-down-1").await, 200);
    assert_eq!(deliver(b_addr, "evt-down-2").await, 200);
    assert_eq!(deliver(a_addr, "evt-down-1").await, 200);
    let after = settled(&[&a, &b], 5).await;
    assert_eq!(
        after,
        WebhookStats {
            handled: 3,
            duplicates: 2
        }
    );
    assert_eq!(a.webhook_stats().handled, 2);
    assert_eq!(b.webhook_stats().handled, 1);

    emulator.shutdown().await;
}
