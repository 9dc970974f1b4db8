//! Webhooks: the CRUD routes, the events items raise, and their delivery over plain HTTP with
//! retries. Deliveries to `https://` URLs count as failed: the emulator ships no TLS client.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::Request;
use hyper_util::rt::TokioIo;
use pluggy_core::models::{DeleteCount, Page, Webhook, WebhookHeaders, check_header};
use pluggy_core::webhook::{ItemEvent, TransactionsCreatedEvent, TriggeredBy, WebhookPayload};
use pluggy_core::{AccountId, ClientUserId, EventId, ItemId, WebhookEvent, WebhookId};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};

use crate::api::{Ctx, body_object, opt_string};
use crate::clock::{Millis, ts};
use crate::reply::{self, Reply};
use crate::sandbox::Failure;
use crate::state::{Shared, State};
use crate::views;

/// Most webhooks one client may register for one event.
const MAX_PER_EVENT: usize = 5;

/// A registered webhook.
#[derive(Clone, Debug)]
pub(crate) struct WebhookRec {
    pub(crate) id: String,
    pub(crate) client_id: String,
    pub(crate) url: String,
    pub(crate) event: WebhookEvent,
    pub(crate) headers: BTreeMap<String, String>,
    pub(crate) created_at: Millis,
    pub(crate) updated_at: Millis,
    pub(crate) disabled_at: Option<Millis>,
}

impl WebhookRec {
    fn view(&self) -> Webhook {
        Webhook {
            id: WebhookId::new(self.id.clone()),
            url: self.url.clone(),
            event: self.event.clone(),
            headers: self
                .headers
                .iter()
                .fold(WebhookHeaders::new(), |h, (k, v)| {
                    h.with(k.clone(), v.clone())
                }),
            disabled_at: self.disabled_at.map(ts),
            created_at: Some(ts(self.created_at)),
            updated_at: Some(ts(self.updated_at)),
        }
    }
}

/// One POST to make to one receiver.
#[derive(Clone, Debug)]
pub(crate) struct Delivery {
    pub(crate) generation: u64,
    pub(crate) url: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

/// What an event carries besides the item.
#[derive(Clone, Debug)]
pub(crate) enum Extra {
    /// Nothing more.
    None,
    /// The failure of an `item/error`.
    Error(Failure),
    /// The account and instant of a `transactions/created`.
    TransactionsCreated {
        account_id: String,
        from: Millis,
        base_url: String,
    },
}

/// Queues `event` about `item_id` for every receiver that wants it: the item's `webhookUrl`
/// and the client's webhooks registered for this event or for `all`.
pub(crate) fn raise(
    st: &mut State,
    item_id: &str,
    event: WebhookEvent,
    trigger: TriggeredBy,
    extra: Extra,
) {
    let Some(item) = st.items.get(item_id) else {
        return;
    };
    let event_id = EventId::new(st.rng.uuid());
    let item_ref = ItemId::new(item.id.clone());
    let client_user_id = item.client_user_id.clone().map(ClientUserId::new);
    let payload = match (&event, extra) {
        (
            WebhookEvent::TransactionsCreated,
            Extra::TransactionsCreated {
                account_id,
                from,
                base_url,
            },
        ) => WebhookPayload::TransactionsCreated(TransactionsCreatedEvent {
            event_id: Some(event_id),
            id: Some(item.id.clone()),
            item_id: item_ref,
            created_transactions_link: Some(format!(
                "{base_url}/v2/transactions?accountId={account_id}&createdAtFrom={}",
                ts(from)
            )),
            account_id: Some(AccountId::new(account_id)),
            client_user_id,
            transactions_created_at_from: Some(ts(from)),
        }),
        (_, extra) => {
            let mut e = ItemEvent::new(event_id, item_ref);
            e.triggered_by = Some(trigger);
            e.client_user_id = client_user_id;
            if let Extra::Error(f) = extra {
                e.error = Some(views::item_error(&f));
            }
            match event {
                WebhookEvent::ItemCreated => WebhookPayload::ItemCreated(e),
                WebhookEvent::ItemUpdated => WebhookPayload::ItemUpdated(e),
                WebhookEvent::ItemError => WebhookPayload::ItemError(e),
                WebhookEvent::ItemDeleted => WebhookPayload::ItemDeleted(e),
                WebhookEvent::ItemWaitingUserInput => WebhookPayload::ItemWaitingUserInput(e),
                WebhookEvent::ItemWaitingUserAction => WebhookPayload::ItemWaitingUserAction(e),
                WebhookEvent::ItemLoginSucceeded => WebhookPayload::ItemLoginSucceeded(e),
                // Items raise only item events, and transactions/created with its data.
                _ => return,
            }
        }
    };
    let body = serde_json::to_vec(&payload).unwrap_or_default();
    let mut targets: Vec<(String, Vec<(String, String)>)> = Vec::new();
    if let Some(url) = &item.webhook_url {
        targets.push((url.clone(), Vec::new()));
    }
    for w in &st.webhooks {
        if w.client_id == item.client_id
            && w.disabled_at.is_none()
            && (w.event == event || w.event == WebhookEvent::All)
        {
            let headers = w
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let t = (w.url.clone(), headers);
            if !targets.contains(&t) {
                targets.push(t);
            }
        }
    }
    for (url, headers) in targets {
        st.outbox.push(Delivery {
            generation: st.generation,
            url,
            headers,
            body: body.clone(),
        });
    }
}

/// Why a webhook URL is refused, if it is.
pub(crate) fn check_url(url: &str, allow_insecure: bool) -> Result<(), String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("Invalid url '{url}' for webhook"))?;
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = if let Some(h) = host_port.strip_prefix('[') {
        h.split(']').next().unwrap_or_default()
    } else {
        host_port
            .rsplit_once(':')
            .map(|(h, _)| h)
            .unwrap_or(host_port)
    }
    .to_ascii_lowercase();
    if host.is_empty() || host_port.contains('@') || url.chars().any(char::is_whitespace) {
        return Err(format!("Invalid url '{url}' for webhook"));
    }
    if allow_insecure {
        return if scheme == "http" || scheme == "https" {
            Ok(())
        } else {
            Err(format!(
                "Invalid url '{url}' for webhook: use http or https"
            ))
        };
    }
    if scheme != "https" {
        return Err(format!(
            "Invalid url '{url}' for webhook: it must use https"
        ));
    }
    if host.parse::<std::net::IpAddr>().is_ok() {
        return Err(format!(
            "Invalid url '{url}' for webhook: IP addresses are not allowed"
        ));
    }
    if host == "localhost"
        || [".localhost", ".local", ".internal"]
            .iter()
            .any(|s| host.ends_with(s))
    {
        return Err(format!("Invalid url '{url}' for webhook: reserved host"));
    }
    Ok(())
}

/// The custom headers of a webhook, each one checked with pluggy-core's rule for what HTTP
/// can carry unchanged: a header that could never be sent is a 400 naming it (never its
/// value), not a delivery that silently goes out without it.
fn parse_headers(v: Option<&Value>) -> Result<Option<BTreeMap<String, String>>, Reply> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => check_header(k, s)
                    .map(|()| (k.clone(), s.clone()))
                    .map_err(|e| reply::bad_request(e.to_string())),
                _ => Err(reply::bad_request(format!(
                    "Header '{k}' of the webhook must be a string"
                ))),
            })
            .collect::<Result<BTreeMap<_, _>, _>>()
            .map(Some),
        Some(_) => Err(reply::bad_request("headers must be an object of strings")),
    }
}

fn check_event(event: &str) -> Result<WebhookEvent, Reply> {
    match WebhookEvent::parse(event) {
        WebhookEvent::Unknown(_) => Err(reply::bad_request(format!(
            "Invalid event type '{event}' for webhook"
        ))),
        e => Ok(e),
    }
}

fn conflicts(
    st: &State,
    client_id: &str,
    event: &WebhookEvent,
    url: &str,
    except: &str,
) -> Result<(), Reply> {
    let same_event = st
        .webhooks
        .iter()
        .filter(|w| w.client_id == client_id && w.event == *event && w.id != except);
    let mut n = 0;
    for w in same_event {
        if w.url == url {
            return Err(reply::bad_request(format!(
                "A webhook for event '{event}' and url '{url}' already exists."
            )));
        }
        n += 1;
    }
    if n >= MAX_PER_EVENT {
        return Err(reply::bad_request(format!(
            "You can't have more than {MAX_PER_EVENT} webhooks for event '{event}'."
        )));
    }
    Ok(())
}

/// `POST /webhooks`.
pub(crate) fn create(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let body = body_object(ctx)?;
    let url = opt_string(&body, "url")?.ok_or_else(|| reply::bad_request("url is required"))?;
    let event =
        opt_string(&body, "event")?.ok_or_else(|| reply::bad_request("event is required"))?;
    let event = check_event(&event)?;
    check_url(&url, ctx.shared.config.allow_insecure_webhooks).map_err(reply::bad_request)?;
    let headers = parse_headers(body.get("headers"))?.unwrap_or_default();
    let client_id = ctx.cred.client_id().to_owned();
    conflicts(st, &client_id, &event, &url, "")?;
    let rec = WebhookRec {
        id: st.rng.uuid(),
        client_id,
        url,
        event,
        headers,
        created_at: ctx.now,
        updated_at: ctx.now,
        disabled_at: None,
    };
    let view = rec.view();
    st.webhooks.push(rec);
    Ok(Reply::ok(&view))
}

/// `GET /webhooks`.
pub(crate) fn list(ctx: &Ctx<'_>, st: &State) -> Reply {
    let client_id = ctx.cred.client_id();
    let results: Vec<Webhook> = st
        .webhooks
        .iter()
        .filter(|w| w.client_id == client_id)
        .map(WebhookRec::view)
        .collect();
    Reply::ok(&Page {
        page: 1,
        total: results.len() as u64,
        total_pages: u32::from(!results.is_empty()),
        results,
    })
}

fn find<'s>(ctx: &Ctx<'_>, st: &'s mut State) -> Result<&'s mut WebhookRec, Reply> {
    let client_id = ctx.cred.client_id().to_owned();
    let id = ctx.params.first().cloned().unwrap_or_default();
    st.webhooks
        .iter_mut()
        .find(|w| w.id == id && w.client_id == client_id)
        .ok_or_else(|| reply::not_found("WEBHOOK_NOT_FOUND", "webhook not found"))
}

/// `GET /webhooks/{id}`.
pub(crate) fn get(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    Ok(Reply::ok(&find(ctx, st)?.view()))
}

/// `PATCH /webhooks/{id}`.
pub(crate) fn update(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let body = body_object(ctx)?;
    let current = find(ctx, st)?.clone();
    let url = opt_string(&body, "url")?.unwrap_or(current.url.clone());
    let event = match opt_string(&body, "event")? {
        Some(e) => check_event(&e)?,
        None => current.event.clone(),
    };
    check_url(&url, ctx.shared.config.allow_insecure_webhooks).map_err(reply::bad_request)?;
    let headers = match body.get("headers") {
        Some(Value::Null) => Some(BTreeMap::new()),
        other => parse_headers(other)?,
    };
    let enabled = match body.get("enabled") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return Err(reply::bad_request("enabled must be a boolean")),
    };
    conflicts(st, &current.client_id, &event, &url, &current.id)?;
    let now = ctx.now;
    let w = find(ctx, st)?;
    w.url = url;
    w.event = event;
    if let Some(h) = headers {
        w.headers = h;
    }
    match enabled {
        Some(true) => w.disabled_at = None,
        Some(false) if w.disabled_at.is_none() => w.disabled_at = Some(now),
        _ => {}
    }
    w.updated_at = now;
    Ok(Reply::ok(&w.view()))
}

/// `DELETE /webhooks/{id}`.
pub(crate) fn delete(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let id = find(ctx, st)?.id.clone();
    st.webhooks.retain(|w| w.id != id);
    Ok(Reply::ok(&DeleteCount { count: 1 }))
}

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
    let count = |f: &dyn Fn(&mut crate::state::Stats)| {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_rules() {
        assert!(check_url("https://example.com/hook", false).is_ok());
        assert!(check_url("http://example.com/hook", false).is_err());
        assert!(check_url("https://127.0.0.1/hook", false).is_err());
        assert!(check_url("https://localhost/hook", false).is_err());
        assert!(check_url("https://a.internal/hook", false).is_err());
        assert!(check_url("https://[::1]/hook", false).is_err());
        assert!(check_url("http://127.0.0.1:9/hook", true).is_ok());
        assert!(check_url("ftp://example.com", true).is_err());
        assert!(check_url("not a url", true).is_err());
    }
}
