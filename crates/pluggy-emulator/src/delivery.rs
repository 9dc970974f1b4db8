//! Webhook delivery over plain HTTP, with retries. Deliveries to `https://` URLs count as
//! failed: the emulator ships no TLS client.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};

use crate::world::state::{Shared, Stats};
use crate::world::webhooks::Delivery;

/// Delivers queued webhooks until shutdown. Each receiver URL gets its own worker, so one
/// receiver sees its events in the order they happened (a retried event holds back the later
/// ones), while a slow receiver never delays another.
pub(crate) async fn deliver_all(
    shared: Arc<Shared>,
    mut rx: mpsc::UnboundedReceiver<Delivery>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut workers: HashMap<String, mpsc::UnboundedSender<Delivery>> = HashMap::new();
    loop {
        tokio::select! {
            d = rx.recv() => match d {
                Some(d) => {
                    let worker = workers.entry(d.url.clone()).or_insert_with(|| {
                        let (tx, queue) = mpsc::unbounded_channel();
                        tokio::spawn(worker(shared.clone(), queue, shutdown.clone()));
                        tx
                    });
                    // A worker only stops at shutdown, when nothing is delivered any more.
                    let _ = worker.send(d);
                }
                None => break,
            },
            _ = shutdown.changed() => break,
        }
    }
}

async fn worker(
    shared: Arc<Shared>,
    mut queue: mpsc::UnboundedReceiver<Delivery>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            d = queue.recv() => match d {
                Some(d) => deliver(shared.clone(), d, shutdown.clone()).await,
                None => break,
            },
            _ = shutdown.changed() => break,
        }
    }
}

async fn deliver(shared: Arc<Shared>, d: Delivery, mut shutdown: watch::Receiver<bool>) {
    let cfg = shared.config.webhooks.clone();
    let count = |f: &dyn Fn(&mut Stats)| {
        let mut st = shared.lock();
        if st.generation == d.generation {
            f(&mut st.stats);
        }
    };
    let mut backoff = cfg.initial_backoff;
    for attempt in 1..=cfg.attempts.max(1) {
        count(&|s| s.webhook_attempts += 1);
        let result = tokio::time::timeout(cfg.timeout, post(&d)).await;
        match result {
            Ok(Ok(status)) if (200..300).contains(&status) => {
                count(&|s| s.webhooks_delivered += 1);
                return;
            }
            // A receiver answering 401 is not retried, like the API does; https is never
            // reachable from the emulator.
            Ok(Ok(401)) | Ok(Err(PostError::Unsupported)) => break,
            _ => {}
        }
        if attempt < cfg.attempts {
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = shutdown.changed() => return,
            }
            backoff = backoff.saturating_mul(2);
        }
    }
    count(&|s| s.webhooks_failed += 1);
}

#[derive(Debug)]
enum PostError {
    Unsupported,
    Failed,
}

async fn post(d: &Delivery) -> Result<u16, PostError> {
    let rest = d
        .url
        .strip_prefix("http://")
        .ok_or(PostError::Unsupported)?;
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let path = if path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_owned()
    };
    let (host, port) = if let Some(h) = authority.strip_prefix('[') {
        let (h, p) = h.split_once(']').ok_or(PostError::Failed)?;
        (h.to_owned(), p.strip_prefix(':').unwrap_or("80").to_owned())
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), p.to_owned()),
            None => (authority.to_owned(), "80".to_owned()),
        }
    };
    let port: u16 = port.parse().map_err(|_| PostError::Failed)?;
    let stream = TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|_| PostError::Failed)?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|_| PostError::Failed)?;
    tokio::spawn(conn);
    let mut req = Request::post(path)
        .header("host", authority)
        .header("content-type", "application/json")
        .header("user-agent", "pluggy-emulator");
    // Every stored header passed `check_header`, which HTTP accepts as it is; should one not,
    // building the request fails and the attempt counts as failed rather than going out
    // without it.
    for (k, v) in &d.headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let req = req
        .body(Full::new(Bytes::from(d.body.clone())))
        .map_err(|_| PostError::Failed)?;
    let resp = sender
        .send_request(req)
        .await
        .map_err(|_| PostError::Failed)?;
    Ok(resp.status().as_u16())
}
