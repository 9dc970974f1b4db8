//! The HTTP side of one request: limits on its head and body, fault rules, rate limits,
//! routing, authentication and scope, then the operation's handler, all answered in the
//! API's error shape.

pub(crate) mod auth;
pub(crate) mod router;

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Body, Incoming};
use hyper::header::CONTENT_LENGTH;
use hyper::http::request::Parts;
use hyper::{Request, Response};
use pluggy_core::Operation;
use pluggy_core::endpoint::{Access, Endpoint};

use crate::admin;
use crate::handlers::request::{Cred, Ctx};
use crate::reply::{self, Reply};
use crate::world::state::{Shared, State};
use router::Route;

/// Longest request target (path and query) served; longer ones get 414. It leaves room for
/// 500 `ids` of a transactions query.
pub(crate) const MAX_URI_BYTES: usize = 32 * 1024;

/// Largest header block served (names, values and line framing); larger ones get 431.
pub(crate) const MAX_HEADER_BYTES: usize = 64 * 1024;

/// The message of the API's 429 answer.
const RATE_LIMIT_MESSAGE: &str =
    "Too many requests. Please try again later (see Retry-After header in seconds)";

/// Returned by the service to close the connection without answering (fault `drop`).
#[derive(Debug)]
pub(crate) struct Dropped;

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped by a fault rule")
    }
}

impl std::error::Error for Dropped {}

pub(crate) async fn handle(
    shared: Arc<Shared>,
    peer: IpAddr,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Dropped> {
    if let Some(r) = oversized_head(&req) {
        return Ok(r.with_header("connection", "close").into_response());
    }
    let (head, body) = req.into_parts();
    let method = head.method.as_str();
    let path = head.uri.path();
    if path == "/__emulator" || path.starts_with("/__emulator/") {
        if !shared.config.admin {
            return Ok(reply::error(404, None, "Not Found").into_response());
        }
        let reply = match read_body(&shared, &head, body).await {
            Ok(body) => admin::handle(&shared, method, path, &body),
            Err(r) => r,
        };
        return Ok(reply.into_response());
    }
    if crate::connect::owns(path) {
        return Ok(crate::connect::handle(&shared, method, path).into_response());
    }
    let route = router::route(method, path);
    let template = route.template();
    if let Some(f) = shared.faults.take(method, template, path) {
        if f.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(f.delay_ms)).await;
        }
        if f.drop {
            shared.lock().stats.dropped += 1;
            return Err(Dropped);
        }
        if let Some(status) = f.status {
            let mut r = fault_reply(status);
            if let Some(s) = f.retry_after {
                r = r.with_header("retry-after", s.to_string());
            }
            shared.requests.record(&head.method, template, status);
            return Ok(r.into_response());
        }
    }
    let reply = process(&shared, peer, &head, body, route).await;
    shared.requests.record(&head.method, template, reply.status);
    Ok(reply.into_response())
}

/// 414 or 431 for a request head beyond the emulator's limits ([`MAX_URI_BYTES`],
/// [`MAX_HEADER_BYTES`]).
fn oversized_head(req: &Request<Incoming>) -> Option<Reply> {
    let uri = req.uri();
    let target = uri.path_and_query().map_or(0, |p| p.as_str().len())
        + uri.authority().map_or(0, |a| a.as_str().len())
        + uri.scheme_str().map_or(0, |s| s.len() + 3);
    if target > MAX_URI_BYTES {
        return Some(reply::error(
            414,
            None,
            format!("The request URI is longer than {MAX_URI_BYTES} bytes"),
        ));
    }
    // Each field as it travels: `name: value\r\n`.
    let bytes: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if bytes > MAX_HEADER_BYTES {
        return Some(reply::error(
            431,
            None,
            format!("The request's header fields are larger than {MAX_HEADER_BYTES} bytes"),
        ));
    }
    None
}

fn fault_reply(status: u16) -> Reply {
    match status {
        429 => reply::error(429, None, RATE_LIMIT_MESSAGE),
        500 => reply::error(500, Some("INTERNAL_SERVER_ERROR"), "Internal Server Error"),
        s => {
            let reason = hyper::StatusCode::from_u16(s)
                .ok()
                .and_then(|c| c.canonical_reason())
                .unwrap_or("Injected fault");
            reply::error(s, None, reason)
        }
    }
}

async fn process(
    shared: &Shared,
    peer: IpAddr,
    head: &Parts,
    body: Incoming,
    route: Route,
) -> Reply {
    let (operation, endpoint, params) = match route {
        Route::Api {
            operation,
            endpoint,
            params,
            ..
        } => (operation, endpoint, params),
        Route::MethodNotAllowed { .. } => return reply::error(405, None, "Method Not Allowed"),
        Route::NotFound => return reply::error(404, None, "Not Found"),
    };
    let mut rate = None;
    if let (true, Some(limit)) = (shared.config.rate_limits, endpoint.rate_limit_per_minute) {
        let now = shared.clock.now();
        match shared.windows.count(
            peer,
            pluggy_core::fleet::limiter::group_name(endpoint),
            limit,
            now,
        ) {
            Ok(r) => rate = Some(r),
            Err((limit, _, reset)) => {
                return reply::error(429, None, RATE_LIMIT_MESSAGE)
                    .with_header("retry-after", reset.to_string())
                    .with_header("ratelimit-limit", limit.to_string())
                    .with_header("ratelimit-remaining", "0")
                    .with_header("ratelimit-reset", reset.to_string());
            }
        }
    }
    let api_key = head.headers.get("x-api-key").and_then(|v| v.to_str().ok());
    let query = router::parse_query(head.uri.query().unwrap_or_default());
    let body = match read_body(shared, head, body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let asked = Asked {
        operation,
        endpoint,
        params: &params,
        query: &query,
        body: &body,
        api_key,
        now: shared.clock.now(),
    };
    let reply = match answer_reading(shared, &asked) {
        Some(reply) => reply,
        None => answer_changing(shared, &asked),
    };
    match rate {
        Some((limit, remaining, reset)) => reply
            .with_header("ratelimit-limit", limit.to_string())
            .with_header("ratelimit-remaining", remaining.to_string())
            .with_header("ratelimit-reset", reset.to_string()),
        None => reply,
    }
}

/// A routed request, read to its end.
struct Asked<'a> {
    operation: Operation,
    endpoint: &'static Endpoint,
    params: &'a [String],
    query: &'a [(String, String)],
    body: &'a [u8],
    api_key: Option<&'a str>,
    now: crate::world::clock::Millis,
}

impl<'a> Asked<'a> {
    /// The verified credential of the request.
    fn credential(&self, shared: &Shared, st: &State) -> Result<Cred, Reply> {
        if self.endpoint.access == Access::Public {
            Ok(Cred::None)
        } else {
            auth::authenticate(shared, st, self.api_key, self.now)
        }
    }

    fn ctx(&self, shared: &'a Shared, cred: &'a Cred) -> Ctx<'a> {
        Ctx {
            shared,
            now: self.now,
            op: self.operation,
            ep: self.endpoint,
            params: self.params,
            query: self.query,
            body: self.body,
            cred,
        }
    }
}

/// The answer given under a shared guard, when nothing in the world is due (so it needs no
/// advancing) and the request is refused or only reads; `None` when it must be answered by
/// [`answer_changing`].
fn answer_reading(shared: &Shared, asked: &Asked<'_>) -> Option<Reply> {
    let st = shared.read();
    if st.is_due(asked.now) {
        return None;
    }
    let cred = match asked.credential(shared, &st) {
        Ok(c) => c,
        Err(r) => return Some(r),
    };
    let ctx = asked.ctx(shared, &cred);
    if let Err(r) = auth::authorize(&ctx, &st) {
        return Some(r);
    }
    router::dispatch_read(&ctx, &st)
}

/// The answer given under the exclusive guard, on the world advanced to the request's time;
/// the webhooks raised are sent and the ticker is told of what may have become due.
fn answer_changing(shared: &Shared, asked: &Asked<'_>) -> Reply {
    let mut st = shared.lock();
    st.advance(shared, asked.now);
    let reply = match asked.credential(shared, &st) {
        Err(r) => r,
        Ok(cred) => {
            let ctx = asked.ctx(shared, &cred);
            match auth::authorize(&ctx, &st) {
                Ok(()) => router::dispatch(&ctx, &mut st),
                Err(r) => r,
            }
        }
    };
    shared.flush(&mut st);
    drop(st);
    shared.wake.notify_one();
    reply
}

async fn read_body(shared: &Shared, head: &Parts, body: Incoming) -> Result<Bytes, Reply> {
    let limit = shared.config.max_body_bytes;
    let too_large = || {
        reply::error(
            413,
            None,
            format!("The request body is larger than {limit} bytes"),
        )
    };
    let declared = head
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    // Most reads come without a body: nothing to wait for, so no timer to set.
    if body.is_end_stream() {
        return Ok(Bytes::new());
    }
    let collect = Limited::new(body, limit).collect();
    match tokio::time::timeout(shared.config.read_timeout, collect).await {
        Err(_) => Err(reply::error(
            408,
            None,
            "The request body was not received in time",
        )),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Ok(Err(_)) => Err(reply::bad_request("The request body could not be read")),
        Ok(Ok(c)) => Ok(c.to_bytes()),
    }
}
