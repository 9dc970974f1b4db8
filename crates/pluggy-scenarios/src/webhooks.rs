//! A local webhook receiver: accepts requests on a plain-HTTP port of 127.0.0.1 (pluggy-server),
//! answers 200 and keeps the JSON bodies for the test to inspect.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use pluggy_server::{Bytes, Response, Server};
use serde_json::Value;

#[derive(Default)]
struct Inbox {
    bodies: Mutex<Vec<Value>>,
    arrived: Condvar,
}

impl Inbox {
    fn keep(&self, body: &[u8]) {
        if let Ok(value) = serde_json::from_slice::<Value>(body) {
            self.bodies
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(value);
            self.arrived.notify_all();
        }
    }
}

/// A running receiver; it stops when dropped.
pub struct WebhookReceiver {
    url: String,
    inbox: Arc<Inbox>,
    _server: Server,
}

impl std::fmt::Debug for WebhookReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookReceiver")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl WebhookReceiver {
    /// Listens on a free port of 127.0.0.1.
    pub fn start() -> Self {
        let inbox = Arc::new(Inbox::default());
        let shared = inbox.clone();
        let server = Server::builder()
            .start(move |request| {
                shared.keep(request.body());
                Response::new(Bytes::new())
            })
            .expect("the receiver binds");
        let url = format!("http://{}/webhooks/pluggy", server.addr());
        Self {
            url,
            inbox,
            _server: server,
        }
    }

    /// The URL to register (`http://127.0.0.1:PORT/webhooks/pluggy`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every body received so far.
    pub fn received(&self) -> Vec<Value> {
        self.inbox
            .bodies
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The first body matching `wanted`, waiting up to `timeout` for it.
    pub fn wait_for(&self, timeout: Duration, wanted: impl Fn(&Value) -> bool) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        let mut bodies = self.inbox.bodies.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(found) = bodies.iter().find(|b| wanted(b)) {
                return Some(found.clone());
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            bodies = self
                .inbox
                .arrived
                .wait_timeout(bodies, left)
                .map(|(guard, _)| guard)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpStream;

    fn post(receiver: &WebhookReceiver, body: &str) -> String {
        let addr = receiver.url().trim_start_matches("http://");
        let addr = addr.split('/').next().expect("host:port");
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        write!(
            stream,
            "POST /webhooks/pluggy HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\
             content-length: {}\r\n\r\n{body}",
            body.len()
        )
        .expect("write");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
    }

    #[test]
    fn keeps_json_bodies_and_answers_200() {
        let receiver = WebhookReceiver::start();
        assert!(post(&receiver, "not json").starts_with("HTTP/1.1 200"));
        assert!(post(&receiver, r#"{"event":"item/created"}"#).starts_with("HTTP/1.1 200"));
        let found = receiver.wait_for(Duration::from_secs(2), |b| b["event"] == "item/created");
        assert_eq!(found, Some(serde_json::json!({"event": "item/created"})));
        assert_eq!(receiver.received().len(), 1);
        assert_eq!(
            receiver.wait_for(Duration::from_millis(50), |b| b["event"] == "x"),
            None
        );
    }
}
