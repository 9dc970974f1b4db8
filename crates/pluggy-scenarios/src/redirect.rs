//! A server that answers every request with a redirect to itself, counting the requests: a
//! client that follows redirects (and would carry its `X-API-KEY` along) shows up as a second
//! request.

use std::io::{BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::http::read_head;

/// A running redirecting server; its thread ends with the test process.
#[derive(Debug)]
pub struct RedirectServer {
    url: String,
    hits: Arc<AtomicUsize>,
}

impl RedirectServer {
    /// Listens on a free port of 127.0.0.1 and answers `302 Found` to `/elsewhere`.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("the server binds");
        let url = format!("http://{}", listener.local_addr().expect("bound address"));
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        let answer = format!(
            "HTTP/1.1 302 Found\r\nLocation: {url}/elsewhere\r\nContent-Length: 0\r\n\
             Connection: close\r\n\r\n"
        );
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let Ok(mut writer) = stream.try_clone() else {
                    continue;
                };
                let mut reader = BufReader::new(stream);
                let Ok((_, length)) = read_head(&mut reader) else {
                    continue;
                };
                let mut body = vec![0; length.unwrap_or(0)];
                if reader.read_exact(&mut body).is_ok() {
                    counter.fetch_add(1, Ordering::SeqCst);
                    let _ = writer.write_all(answer.as_bytes());
                }
            }
        });
        Self { url, hits }
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
