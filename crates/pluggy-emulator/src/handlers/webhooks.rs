//! Webhooks: create, list, retrieve, update and delete a client's registered webhooks.

use std::collections::BTreeMap;

use pluggy_core::WebhookEvent;
use pluggy_core::models::{DeleteCount, Page, Webhook, check_header};
use serde_json::Value;

use super::request::{Ctx, body_object, opt_string};
use super::views;
use crate::reply::{self, Reply};
use crate::world::state::State;
use crate::world::webhooks::{WebhookRec, check_url};

/// Most webhooks one client may register for one event.
const MAX_PER_EVENT: usize = 5;

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
    let view = views::webhook(&rec);
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
        .map(views::webhook)
        .collect();
    Reply::ok(&Page {
        page: 1,
        total: results.len() as u64,
        total_pages: u32::from(!results.is_empty()),
        results,
    })
}

/// Where the caller's webhook `{id}` is in `st.webhooks`.
fn position(ctx: &Ctx<'_>, st: &State) -> Result<usize, Reply> {
    let client_id = ctx.cred.client_id();
    st.webhooks
        .iter()
        .position(|w| w.id == ctx.id() && w.client_id == client_id)
        .ok_or_else(|| reply::not_found("WEBHOOK_NOT_FOUND", "webhook not found"))
}

fn find<'s>(ctx: &Ctx<'_>, st: &'s State) -> Result<&'s WebhookRec, Reply> {
    position(ctx, st).map(|i| &st.webhooks[i])
}

/// `GET /webhooks/{id}`.
pub(crate) fn retrieve(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    Ok(Reply::ok(&views::webhook(find(ctx, st)?)))
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
    let at = position(ctx, st)?;
    let w = &mut st.webhooks[at];
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
    Ok(Reply::ok(&views::webhook(w)))
}

/// `DELETE /webhooks/{id}`.
pub(crate) fn delete(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let id = find(ctx, st)?.id.clone();
    st.webhooks.retain(|w| w.id != id);
    Ok(Reply::ok(&DeleteCount { count: 1 }))
}
