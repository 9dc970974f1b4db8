//! A server that answers every request with a redirect to itself, counting the requests: a
//! client that follows redirects (and would carry its `X-API-KEY` along) shows up as a second
//! request.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use pluggy_server::header::{HeaderValue, LOCATION};
use pluggy_server::{Bytes, Response, Server, StatusCode};

/// A running redirecting server; it stops when dropped.
#[derive(Debug)]
pub struct RedirectServer {
    url: String,
    hits: Arc<AtomicUsize>,
    _server: Server,
}

impl RedirectServer {
    /// Listens on a free port of 127.0.0.1 and answers `302 Found` to `/elsewhere`.
    pub fn start() -> Self {
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        // The target names the port, known once bound; it is set before `start` returns, so
        // before any client has the URL.
        let location: Arc<std::sync::OnceLock<HeaderValue>> = Arc::default();
        let target = location.clone();
        let server = Server::builder()
            .start(move |_request| {
                counter.fetch_add(1, Ordering::SeqCst);
                let mut answer = Response::new(Bytes::new());
                *answer.status_mut() = StatusCode::FOUND;
                if let Some(location) = target.get() {
                    answer.headers_mut().insert(LOCATION, location.clone());
                }
                answer
            })
            .expect("the server binds");
        let url = format!("http://{}", server.addr());
        if let Ok(value) = HeaderValue::from_str(&format!("{url}/elsewhere")) {
            let _ = location.set(value);
        }
        Self {
            url,
            hits,
            _server: server,
        }
    }

    /// The base URL to give a client.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Requests received so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::Duration;

    #[test]
    fn answers_302_to_itself_and_counts() {
        let server = RedirectServer::start();
        assert_eq!(server.hits(), 0);
        let addr = server.url().trim_start_matches("http://");
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        stream
            .write_all(b"GET /connectors HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            .expect("write");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 302"), "{answer}");
        let location = format!("location: {}/elsewhere\r\n", server.url());
        assert!(answer.to_ascii_lowercase().contains(&location), "{answer}");
        assert_eq!(server.hits(), 1);
    }
}
