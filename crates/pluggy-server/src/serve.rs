//! The server's tasks, on its own runtime: the accept loop (with the connection bound), one
//! task per admitted connection, and the request pipeline that buffers a body before the
//! handler sees it.

use std::convert::Infallible;
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot, watch};
use tokio::task::JoinSet;

use crate::limits::{Limits, Refusal};

/// The handler every buffered request goes to.
pub(crate) type Handler = dyn Fn(Request<Bytes>) -> Response<Bytes> + Send + Sync;
/// Hears of every [`Refusal`].
pub(crate) type Observer = dyn Fn(&Refusal) + Send + Sync;

/// The answer to a connection beyond the bound, written whole in one non-blocking write.
const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nretry-after: 1\r\nconnection: close\r\n\
content-length: 0\r\n\r\n";

/// What every connection task shares.
pub(crate) struct Shared {
    pub(crate) limits: Limits,
    pub(crate) keep_alive: bool,
    pub(crate) handler: Arc<Handler>,
    pub(crate) on_refusal: Option<Arc<Observer>>,
}

impl Shared {
    fn report(&self, refusal: &Refusal) {
        if let Some(observer) = &self.on_refusal {
            observer(refusal);
        }
    }
}

/// Accepts until `stop` fires (or its sender is dropped), then lets open connections finish
/// within the grace period and cuts the rest.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stop: oneshot::Receiver<()>,
) {
    let bound = shared.limits.max_connections.min(Semaphore::MAX_PERMITS);
    let permits = Arc::new(Semaphore::new(bound));
    let (closing, closing_rx) = watch::channel(false);
    let mut conns = JoinSet::new();
    let mut saturated = false;
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => match permits.clone().try_acquire_owned() {
                    Ok(permit) => {
                        saturated = false;
                        conns.spawn(connection(stream, permit, shared.clone(), closing_rx.clone()));
                    }
                    Err(_) => {
                        // At the bound: answered from here, without a task.
                        crate::refuse(stream, BUSY);
                        if !saturated {
                            saturated = true;
                            shared.report(&Refusal::Busy { max_connections: bound });
                        }
                    }
                },
                // Out of file descriptors, or a connection reset before it was accepted.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            _ = &mut stop => break,
        }
    }
    drop(listener);
    closing.send_replace(true);
    let drain = async { while conns.join_next().await.is_some() {} };
    if tokio::time::timeout(shared.limits.shutdown_grace, drain)
        .await
        .is_err()
    {
        conns.shutdown().await;
    }
}

/// Serves one admitted connection; its permit is given back when it ends.
async fn connection(
    stream: TcpStream,
    _permit: OwnedSemaphorePermit,
    shared: Arc<Shared>,
    mut closing: watch::Receiver<bool>,
) {
    // A second handle on the socket, to answer 408 after hyper gave up on the head.
    let Ok((stream, spare)) = with_spare(stream) else {
        return;
    };
    let requested = Arc::new(AtomicBool::new(false));
    let service = {
        let shared = shared.clone();
        let requested = requested.clone();
        service_fn(move |request| {
            requested.store(true, Ordering::Relaxed);
            let shared = shared.clone();
            async move { Ok::<_, Infallible>(exchange(&shared, request).await) }
        })
    };
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(shared.limits.header_timeout)
        .max_header_size(shared.limits.max_head_bytes)
        .keep_alive(shared.keep_alive);
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    let served = tokio::select! {
        served = conn.as_mut() => served,
        _ = closing.changed() => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = served {
        // A kept-alive connection that goes quiet is closed without a word; one that never
        // finished its first head is told why.
        if e.is_timeout() && !requested.load(Ordering::Relaxed) {
            let refusal = Refusal::HeadTimeout {
                limit: shared.limits.header_timeout,
            };
            let _ = (&spare).write(&timeout_answer(&refusal));
            shared.report(&refusal);
        }
    }
}

/// Splits a connection into the stream hyper serves and a duplicate of its socket.
fn with_spare(stream: TcpStream) -> io::Result<(TcpStream, std::net::TcpStream)> {
    let stream = stream.into_std()?;
    let spare = stream.try_clone()?;
    Ok((TcpStream::from_std(stream)?, spare))
}

/// A whole 408 answer closing the connection, as bytes for one non-blocking write.
fn timeout_answer(refusal: &Refusal) -> Vec<u8> {
    let body = format!("{refusal}\n");
    format!(
        "HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Buffers the body within the limits, then asks the handler.
async fn exchange(shared: &Shared, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let limits = &shared.limits;
    let too_large = Refusal::TooLarge {
        limit: limits.max_body_bytes,
    };
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits.max_body_bytes as u64) {
        return refused(shared, too_large);
    }
    let (parts, body) = request.into_parts();
    let collect = Limited::new(body, limits.max_body_bytes).collect();
    match tokio::time::timeout(limits.body_timeout, collect).await {
        Err(_) => refused(
            shared,
            Refusal::BodyTimeout {
                limit: limits.body_timeout,
            },
        ),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => refused(shared, too_large),
        Ok(Err(_)) => closing(
            StatusCode::BAD_REQUEST,
            "the request body could not be read\n".into(),
        ),
        Ok(Ok(body)) => {
            let answer = (shared.handler)(Request::from_parts(parts, body.to_bytes()));
            answer.map(Full::new)
        }
    }
}

fn refused(shared: &Shared, refusal: Refusal) -> Response<Full<Bytes>> {
    shared.report(&refusal);
    closing(refusal.status(), format!("{refusal}\n"))
}

/// A plain-text answer that closes the connection (the rest of the request is not read).
fn closing(status: StatusCode, text: String) -> Response<Full<Bytes>> {
    let mut answer = Response::new(Full::new(Bytes::from(text)));
    *answer.status_mut() = status;
    let headers = answer.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(CONNECTION, HeaderValue::from_static("close"));
    answer
}
