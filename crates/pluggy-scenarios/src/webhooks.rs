//! A local webhook receiver: accepts `POST`s on a plain-HTTP port, answers 200 and keeps the
//! JSON bodies for the test to inspect.

use std::io::{BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::http::read_head;

#[derive(Default)]
struct Inbox {
    bodies: Mutex<Vec<Value>>,
    arrived: Condvar,
}

/// A running receiver; its thread ends with the test process.
pub struct WebhookReceiver {
    url: String,
    inbox: Arc<Inbox>,
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
        let listener = TcpListener::bind("127.0.0.1:0").expect("the receiver binds");
        let url = format!(
            "http://{}/webhooks/pluggy",
            listener.local_addr().expect("bound address")
        );
        let inbox = Arc::new(Inbox::default());
        let shared = inbox.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let inbox = shared.clone();
                std::thread::spawn(move || serve(stream, &inbox));
            }
        });
        Self { url, inbox }
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

fn serve(stream: TcpStream, inbox: &Inbox) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    // One request per connection: answer, then close.
    let Ok((_, length)) = read_head(&mut reader) else {
        return;
    };
    let mut body = vec![0; length.unwrap_or(0)];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let _ = writer.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    if let Ok(value) = serde_json::from_slice::<Value>(&body) {
        inbox
            .bodies
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(value);
        inbox.arrived.notify_all();
    }
}
