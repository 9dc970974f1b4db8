//! A backend for an app that connects its users' bank accounts through Pluggy, on hyper and
//! pluggy-async: what Pluggy's quickstarts do, in one file to copy.
//!
//! - `POST /connect-token` mints a connect token for the signed-in user, with the user's id as
//!   `clientUserId`; the front end opens Pluggy Connect with it. A body `{"itemId": …}` asks
//!   for a token that updates one of the user's items.
//! - `POST /webhooks/pluggy` receives Pluggy's events: the custom header registered with the
//!   webhook is checked, the delivery is acknowledged at once, and handled afterwards on a
//!   task that drops repeats (same `eventId`), reads the item with the API key and records
//!   which items belong to which user.
//! - `GET /items` lists the signed-in user's items; `GET /items/{id}/accounts` reads one of
//!   their items' accounts and `GET /accounts/{id}/transactions` one of those accounts'
//!   transactions (over `GET /v2/transactions`), both with the API key, after checking that
//!   the item is the user's.
//! - `GET /` serves the front end: one page (plain HTML and JS, `GET /app.js`, embedded in the
//!   binary) that asks for a connect token, opens Pluggy Connect with the drop-in script, and
//!   on `onSuccess` shows the item, then, once the webhook has linked it to the user, its
//!   accounts and transactions. The script is `{base}/connect/pluggy-connect.js` of the Pluggy
//!   base URL the backend talks to when that is an emulator, Pluggy's CDN build otherwise
//!   ([`App::widget_script`]); the page's Content-Security-Policy allows this origin and the
//!   backend itself, nothing else.
//!
//! With `PLUGGY_BASE_URL` pointing at a running emulator, `cargo run -p pluggy-backend-example`
//! runs the whole quickstart offline: open the printed address, pick a user, connect Pluggy
//! Bank with `user-ok` / `password-ok`.
//!
//! The server protects itself the way any server facing the internet must: a client has
//! [`Limits::read_timeout`] to send each request's head (the same timer closes a kept-alive
//! connection that sits idle that long) and again for its body, and at most
//! [`Limits::max_connections`] connections are open at once; one more is answered `503` at once
//! and closed, so idle or slow clients can hold up no one for longer than the timeout.
//!
//! Who is signed in comes from the `x-user-id` header here: a stand-in for your own session
//! or token check. The records live in memory; a real app keeps the item-to-user links and the
//! `eventId`s it has handled (a day is plenty: Pluggy's retries span a few hours) in its
//! database.
//!
//! Many processes behind a load balancer share the `eventId`s through Redis with
//! [`AppOptions::seen_events`] (`REDIS_URL` for the binary): an event is handled by the first
//! process that claims it, whichever process a repeat lands on. Should Redis fail, each process
//! goes on deduplicating with its own memory: no delivery is dropped or refused for it.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use pluggy_async::Client;
//! use pluggy_backend_example::App;
//! use pluggy_core::ClientSecret;
//!
//! let pluggy = Client::builder()
//!     .credentials("client-id", ClientSecret::new(std::env::var("PLUGGY_CLIENT_SECRET")?))
//!     .build()?;
//! let app = App::start(pluggy, "https://backend.example.com", std::env::var("WEBHOOK_SECRET")?).await?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! app.serve(listener, pluggy_backend_example::Limits::default()).await;
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

use std::collections::{BTreeMap, HashSet};
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::HeaderValue;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use pluggy_async::Client;
use pluggy_core::models::{
    ConnectTokenOptions, ConnectTokenRequest, CreateWebhook, CursorTransactionFilters,
    UpdateWebhook, WebhookHeaders, check_header,
};
use pluggy_core::webhook::WebhookPayload;
use pluggy_core::{AccountId, BaseUrl, Error, ItemId, WebhookEvent, verify_headers};
use pluggy_redis::SeenEvents;
use serde::Serialize;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, mpsc};

/// The header that says who is signed in (stand-in for a real session).
pub const USER_HEADER: &str = "x-user-id";
/// The custom header registered with the webhook; deliveries without its value are refused.
pub const WEBHOOK_SECRET_HEADER: &str = "x-webhook-secret";
/// Where Pluggy delivers events, under the backend's public URL.
pub const WEBHOOK_PATH: &str = "/webhooks/pluggy";
/// Pluggy Connect's script on Pluggy's CDN, pinned, for a backend talking to the real API.
pub const CDN_WIDGET_SCRIPT: &str = "https://cdn.pluggy.ai/pluggy-connect/v2.7.0/pluggy-connect.js";
/// Transactions of one account sent to the page at most.
const MAX_TRANSACTIONS: usize = 500;
/// The page, its script.
const INDEX_HTML: &str = include_str!("front/index.html");
const APP_JS: &str = include_str!("front/app.js");
/// Largest request body accepted.
const MAX_BODY: usize = 64 * 1024;

/// What one client may hold of the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Time to send a request's head, and to send its body; a kept-alive connection idle this
    /// long is closed.
    pub read_timeout: Duration,
    /// Connections open at once; the next one is answered `503` and closed.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            read_timeout: Duration::from_secs(10),
            max_connections: 512,
        }
    }
}

/// The whole answer to a connection beyond [`Limits::max_connections`].
fn busy_answer() -> Vec<u8> {
    let body = json!({"error": "too many connections: retry in a second"}).to_string();
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         retry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// One item of one user, as the backend knows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemRecord {
    /// The item.
    pub item_id: String,
    /// Its owner in this app (the `clientUserId` given to the connect token).
    pub user: String,
    /// Its status when last read.
    pub status: String,
    /// Its connector's name, if known.
    pub connector: Option<String>,
}

/// Counters of the webhook handler.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WebhookStats {
    /// Deliveries handled (first time seen).
    pub handled: u64,
    /// Deliveries dropped as repeats of an `eventId` already handled.
    pub duplicates: u64,
}

/// How the backend is set up beyond its client, URLs and secret; the default is one process
/// on its own.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct AppOptions {
    /// The `eventId`s shared with the other processes of this app (see
    /// `pluggy_redis::RedisFleet::events`). `None`: this process's memory only.
    pub seen_events: Option<SeenEvents>,
}

impl AppOptions {
    /// The options with webhook deduplication shared through `seen_events`.
    pub fn seen_events(mut self, seen_events: SeenEvents) -> Self {
        self.seen_events = Some(seen_events);
        self
    }
}

#[derive(Default)]
struct Store {
    seen: HashSet<String>,
    items: BTreeMap<String, ItemRecord>,
    stats: WebhookStats,
}

struct Inner {
    pluggy: Client,
    pluggy_base_url: String,
    webhook_secret: String,
    events: mpsc::UnboundedSender<WebhookPayload>,
    store: Mutex<Store>,
    shared: Option<SeenEvents>,
    /// Whether the shared record failed last time (so that an outage is logged once).
    shared_down: AtomicBool,
}

/// The backend: cheap to clone, shared by every connection.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").finish_non_exhaustive()
    }
}

impl App {
    /// Registers (or refreshes) the webhook `{public_url}/webhooks/pluggy` for every event,
    /// with the custom header carrying `webhook_secret`, and starts the event handler task.
    /// Call it on a tokio runtime. A secret that HTTP cannot carry as a header value (a line
    /// break, a control character, whitespace at either end) is refused before anything is
    /// sent: every delivery would fail the check.
    ///
    /// The front end loads Pluggy Connect from Pluggy's CDN; [`App::start_at`] says which
    /// Pluggy the client talks to, so that an emulator's widget is loaded instead.
    pub async fn start(
        pluggy: Client,
        public_url: &str,
        webhook_secret: String,
    ) -> Result<Self, Error> {
        Self::start_at(pluggy, BaseUrl::DEFAULT, public_url, webhook_secret).await
    }

    /// [`App::start`], for a client built with `base_url(pluggy_base_url)`: the page loads
    /// the widget from there when it is not Pluggy's API (an emulator).
    pub async fn start_at(
        pluggy: Client,
        pluggy_base_url: &str,
        public_url: &str,
        webhook_secret: String,
    ) -> Result<Self, Error> {
        Self::start_with(
            pluggy,
            pluggy_base_url,
            public_url,
            webhook_secret,
            AppOptions::default(),
        )
        .await
    }

    /// [`App::start_at`] with `options`: with [`AppOptions::seen_events`], repeats are
    /// recognised across every process sharing that record.
    pub async fn start_with(
        pluggy: Client,
        pluggy_base_url: &str,
        public_url: &str,
        webhook_secret: String,
        options: AppOptions,
    ) -> Result<Self, Error> {
        check_header(WEBHOOK_SECRET_HEADER, &webhook_secret)?;
        let url = format!("{}{WEBHOOK_PATH}", public_url.trim_end_matches('/'));
        let headers = WebhookHeaders::new().with(WEBHOOK_SECRET_HEADER, webhook_secret.clone());
        let existing = pluggy.list_webhooks().await?.results;
        match existing
            .iter()
            .find(|w| w.url == url && w.event == WebhookEvent::All)
        {
            Some(hook) => {
                let update = UpdateWebhook {
                    headers: Some(Some(headers)),
                    enabled: Some(true),
                    ..Default::default()
                };
                pluggy.update_webhook(&hook.id, &update).await?;
            }
            None => {
                let create = CreateWebhook {
                    url,
                    event: WebhookEvent::All,
                    headers: Some(headers),
                };
                pluggy.create_webhook(&create).await?;
            }
        }
        let (events, queue) = mpsc::unbounded_channel();
        let app = App {
            inner: Arc::new(Inner {
                pluggy,
                pluggy_base_url: pluggy_base_url.trim_end_matches('/').to_owned(),
                webhook_secret,
                events,
                store: Mutex::new(Store::default()),
                shared: options.seen_events,
                shared_down: AtomicBool::new(false),
            }),
        };
        tokio::spawn(app.clone().handle_events(queue));
        Ok(app)
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        self.inner
            .store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The items of `user`, by item id.
    pub fn items_of(&self, user: &str) -> Vec<ItemRecord> {
        self.store()
            .items
            .values()
            .filter(|r| r.user == user)
            .cloned()
            .collect()
    }

    /// Where the page loads Pluggy Connect's drop-in script from: the emulator's
    /// `{base}/connect/pluggy-connect.js`, or [`CDN_WIDGET_SCRIPT`] for Pluggy's API.
    pub fn widget_script(&self) -> String {
        let base = &self.inner.pluggy_base_url;
        if base == BaseUrl::DEFAULT {
            CDN_WIDGET_SCRIPT.to_owned()
        } else {
            format!("{base}/connect/pluggy-connect.js")
        }
    }

    /// The page's Content-Security-Policy: the backend itself, and the origins of the widget
    /// (its script, and the frame it opens) and of the Pluggy base URL.
    pub fn content_security_policy(&self) -> String {
        let base = origin(&self.inner.pluggy_base_url);
        let script = origin(&self.widget_script());
        let frames = if self.inner.pluggy_base_url == BaseUrl::DEFAULT {
            "https://connect.pluggy.ai".to_owned()
        } else {
            base.clone()
        };
        format!(
            "default-src 'self'; script-src 'self' {script}; connect-src 'self' {base}; \
             frame-src {frames}; img-src 'self' {base} data:; style-src 'self' {script} 'unsafe-inline'; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        )
    }

    /// The webhook handler's counters.
    pub fn webhook_stats(&self) -> WebhookStats {
        self.store().stats
    }

    /// Serves HTTP/1.1 on `listener` within `limits` until the task is dropped.
    pub async fn serve(self, listener: TcpListener, limits: Limits) {
        let permits = Arc::new(Semaphore::new(limits.max_connections));
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of file descriptors or similar: give the system a moment.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let Ok(permit) = permits.clone().try_acquire_owned() else {
                // Answered and closed from here: nothing waits on it.
                pluggy_server::refuse(stream, &busy_answer());
                continue;
            };
            let app = self.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let app = app.clone();
                    async move { Ok::<_, Infallible>(app.route(req, limits.read_timeout).await) }
                });
                let _ = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(limits.read_timeout)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
                drop(permit);
            });
        }
    }

    async fn route(&self, req: Request<Incoming>, read_timeout: Duration) -> Response<Full<Bytes>> {
        let (parts, body) = req.into_parts();
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let body = match tokio::time::timeout(read_timeout, Limited::new(body, MAX_BODY).collect())
            .await
        {
            Ok(Ok(collected)) => collected.to_bytes(),
            Ok(Err(_)) => {
                return reply(StatusCode::PAYLOAD_TOO_LARGE, json!({"error": "too large"}));
            }
            Err(_) => {
                return reply(
                    StatusCode::REQUEST_TIMEOUT,
                    json!({"error": "the body was not received in time"}),
                );
            }
        };
        match (&parts.method, parts.uri.path()) {
            (&Method::POST, "/connect-token") => match header(USER_HEADER) {
                Some(user) => self.connect_token(&user, &body).await,
                None => not_signed_in(),
            },
            (&Method::POST, WEBHOOK_PATH) => {
                let lookup = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
                self.webhook(lookup, &body)
            }
            (&Method::GET, "/items") => match header(USER_HEADER) {
                Some(user) => reply(StatusCode::OK, json!({ "items": self.items_of(&user) })),
                None => not_signed_in(),
            },
            (&Method::GET, "/") => self.page(INDEX_HTML, "text/html; charset=utf-8"),
            (&Method::GET, "/app.js") => self.page(APP_JS, "text/javascript; charset=utf-8"),
            (&Method::GET, "/favicon.ico") => {
                // None: an empty answer, so that browsers stop asking.
                let mut empty = Response::new(Full::new(Bytes::new()));
                *empty.status_mut() = StatusCode::NO_CONTENT;
                empty
            }
            (&Method::GET, "/config") => reply(
                StatusCode::OK,
                json!({ "widgetScript": self.widget_script() }),
            ),
            (&Method::GET, path) if path.starts_with("/items/") && path.ends_with("/accounts") => {
                let id = &path["/items/".len()..path.len() - "/accounts".len()];
                match header(USER_HEADER) {
                    Some(user) => self.accounts(&user, id).await,
                    None => not_signed_in(),
                }
            }
            (&Method::GET, path)
                if path.starts_with("/accounts/") && path.ends_with("/transactions") =>
            {
                let id = &path["/accounts/".len()..path.len() - "/transactions".len()];
                match header(USER_HEADER) {
                    Some(user) => self.transactions(&user, id).await,
                    None => not_signed_in(),
                }
            }
            _ => reply(StatusCode::NOT_FOUND, json!({"error": "no such route"})),
        }
    }

    /// `POST /connect-token`: a token for this user, to create an item or update one of theirs.
    async fn connect_token(&self, user: &str, body: &[u8]) -> Response<Full<Bytes>> {
        let item_id = if body.is_empty() {
            None
        } else {
            match serde_json::from_slice::<Value>(body) {
                Ok(v) => v.get("itemId").and_then(Value::as_str).map(str::to_owned),
                Err(_) => {
                    return reply(
                        StatusCode::BAD_REQUEST,
                        json!({"error": "body is not JSON"}),
                    );
                }
            }
        };
        if let Some(id) = &item_id {
            let owned = self
                .store()
                .items
                .get(id)
                .is_some_and(|record| record.user == user);
            if !owned {
                return reply(StatusCode::NOT_FOUND, json!({"error": "no such item"}));
            }
        }
        let request = ConnectTokenRequest {
            item_id: item_id.map(ItemId::new),
            options: Some(ConnectTokenOptions {
                client_user_id: Some(user.into()),
                ..Default::default()
            }),
        };
        match self.inner.pluggy.create_connect_token(&request).await {
            Ok(grant) => reply(
                StatusCode::OK,
                json!({ "accessToken": grant.token().expose_secret() }),
            ),
            Err(e) => reply(StatusCode::BAD_GATEWAY, json!({ "error": e.to_string() })),
        }
    }

    /// A static part of the front end, with its security headers.
    fn page(&self, text: &'static str, kind: &'static str) -> Response<Full<Bytes>> {
        let mut response = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
        let headers = response.headers_mut();
        headers.insert(hyper::header::CONTENT_TYPE, HeaderValue::from_static(kind));
        if let Ok(csp) = HeaderValue::from_str(&self.content_security_policy()) {
            headers.insert(hyper::header::CONTENT_SECURITY_POLICY, csp);
        }
        headers.insert(
            hyper::header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(
            hyper::header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        headers.insert(
            hyper::header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        );
        response
    }

    /// Whether `item_id` is one of `user`'s items (linked by the webhook).
    fn owns(&self, user: &str, item_id: &str) -> bool {
        self.store()
            .items
            .get(item_id)
            .is_some_and(|record| record.user == user)
    }

    /// `GET /items/{id}/accounts`: the accounts of one of the user's items, read with the API
    /// key.
    async fn accounts(&self, user: &str, item_id: &str) -> Response<Full<Bytes>> {
        if !self.owns(user, item_id) {
            return reply(StatusCode::NOT_FOUND, json!({"error": "no such item"}));
        }
        let id = ItemId::new(item_id);
        match self.inner.pluggy.list_accounts(&id, None).await {
            Ok(page) => {
                let accounts: Vec<Value> = page
                    .results
                    .iter()
                    .map(|a| {
                        json!({
                            "id": a.id.as_str(), "name": a.name, "type": a.kind.as_str(),
                            "number": a.number, "balance": a.balance.to_string(),
                            "currencyCode": a.currency_code,
                        })
                    })
                    .collect();
                reply(StatusCode::OK, json!({ "accounts": accounts }))
            }
            Err(e) => reply(StatusCode::BAD_GATEWAY, json!({ "error": e.to_string() })),
        }
    }

    /// `GET /accounts/{id}/transactions`: the transactions of an account of one of the user's
    /// items (at most [`MAX_TRANSACTIONS`]), over the cursor pages of `GET /v2/transactions`.
    async fn transactions(&self, user: &str, account_id: &str) -> Response<Full<Bytes>> {
        let pluggy = &self.inner.pluggy;
        let id = AccountId::new(account_id);
        // The account says which item it belongs to; that item must be the user's. An
        // unknown account and someone else's answer alike.
        let owned = match pluggy.get_account(&id).await {
            Ok(account) => self.owns(user, account.item_id.as_str()),
            Err(_) => false,
        };
        if !owned {
            return reply(StatusCode::NOT_FOUND, json!({"error": "no such account"}));
        }
        let mut stream = pluggy.transactions(&id, &CursorTransactionFilters::default());
        let mut transactions = Vec::new();
        let mut truncated = false;
        loop {
            let next = std::future::poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await;
            match next {
                None => break,
                Some(Ok(_)) if transactions.len() == MAX_TRANSACTIONS => {
                    truncated = true;
                    break;
                }
                Some(Ok(t)) => transactions.push(json!({
                    "id": t.id.as_str(), "date": t.date.to_string(),
                    "description": t.description, "amount": t.amount.to_string(),
                    "currencyCode": t.currency_code,
                })),
                Some(Err(e)) => {
                    return reply(StatusCode::BAD_GATEWAY, json!({ "error": e.to_string() }));
                }
            }
        }
        reply(
            StatusCode::OK,
            json!({ "transactions": transactions, "truncated": truncated }),
        )
    }

    /// `POST /webhooks/pluggy`: check, acknowledge, queue.
    fn webhook<'a>(
        &self,
        header: impl Fn(&str) -> Option<&'a str>,
        body: &[u8],
    ) -> Response<Full<Bytes>> {
        let expected = [(WEBHOOK_SECRET_HEADER, self.inner.webhook_secret.as_str())];
        if !verify_headers(expected, header) {
            return reply(StatusCode::UNAUTHORIZED, json!({"error": "unknown sender"}));
        }
        match WebhookPayload::parse(body) {
            Ok(payload) => {
                // Handled after the answer: Pluggy wants a 2xx quickly.
                let _ = self.inner.events.send(payload);
                reply(StatusCode::OK, json!({"received": true}))
            }
            Err(_) => reply(StatusCode::BAD_REQUEST, json!({"error": "not a webhook"})),
        }
    }

    /// The event handler: drops repeats, reads the item with the API key, records its owner.
    async fn handle_events(self, mut queue: mpsc::UnboundedReceiver<WebhookPayload>) {
        while let Some(payload) = queue.recv().await {
            let repeat = match payload.event_id() {
                Some(id) => !self.first_time(id.as_str()).await,
                None => false,
            };
            if repeat {
                self.store().stats.duplicates += 1;
                continue;
            }
            self.handle(&payload).await;
            self.store().stats.handled += 1;
        }
    }

    /// Whether no process has seen `event_id` yet: this one's memory first, then the shared
    /// record if there is one. When that fails, this process's memory decides alone.
    async fn first_time(&self, event_id: &str) -> bool {
        if !self.store().seen.insert(event_id.to_owned()) {
            return false;
        }
        let Some(shared) = &self.inner.shared else {
            return true;
        };
        match shared.first_time(event_id).await {
            Ok(first) => {
                if self.inner.shared_down.swap(false, Ordering::Relaxed) {
                    eprintln!("webhooks: the shared eventId record answers again");
                }
                first
            }
            Err(e) => {
                if !self.inner.shared_down.swap(true, Ordering::Relaxed) {
                    eprintln!(
                        "webhooks: {e}; repeats are recognised by this process alone until it answers"
                    );
                }
                true
            }
        }
    }

    async fn handle(&self, payload: &WebhookPayload) {
        let Some(item_id) = payload.item_id() else {
            return;
        };
        if let WebhookPayload::ItemDeleted(_) = payload {
            self.store().items.remove(item_id.as_str());
            return;
        }
        // The payload is a notification; the item itself is read with the API key.
        let Ok(item) = self.inner.pluggy.get_item(&item_id).await else {
            return;
        };
        let user = item
            .client_user_id
            .or_else(|| payload.client_user_id())
            .map(|u| u.as_str().to_owned());
        let Some(user) = user else {
            return;
        };
        let record = ItemRecord {
            item_id: item.id.as_str().to_owned(),
            user,
            status: item.status.to_string(),
            connector: item.connector.map(|c| c.name),
        };
        self.store().items.insert(record.item_id.clone(), record);
    }
}

fn not_signed_in() -> Response<Full<Bytes>> {
    reply(
        StatusCode::UNAUTHORIZED,
        json!({ "error": format!("sign in first (the {USER_HEADER} header)") }),
    )
}

fn reply(status: StatusCode, body: Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// `scheme://host[:port]` of a URL (a CSP source), or the URL itself if it has no path.
fn origin(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(slash) => url[..after_scheme + slash].to_owned(),
        None => url.to_owned(),
    }
}
