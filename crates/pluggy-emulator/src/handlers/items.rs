//! Items: create, retrieve, update (which starts a sync), delete, MFA and automatic syncs.

use std::collections::BTreeMap;

use pluggy_core::models::DeleteCount;
use pluggy_core::{ErrorDetail, ItemId};
use serde_json::{Value, json};

use super::connectors::{validate, validation_error};
use super::request::{
    Cred, Ctx, body_object, opt_bool, opt_products, opt_string, opt_webhook_url, string_map,
};
use super::views;
use crate::reply::{self, Reply};
use crate::world::clock::millis;
use crate::world::items::ItemRec;
use crate::world::state::State;
use crate::world::webhooks;

pub(crate) fn item_reply(ctx: &Ctx<'_>, item: &ItemRec) -> Reply {
    Reply::ok(&views::item(item, ctx.shared.connector(item.connector_id)))
}

pub(crate) fn item_of<'s>(ctx: &Ctx<'_>, st: &'s State, id: &str) -> Result<&'s ItemRec, Reply> {
    st.items
        .get(id)
        .filter(|i| i.client_id == ctx.cred.client_id())
        .ok_or_else(|| reply::not_found("ITEM_NOT_FOUND", "item not found"))
}

/// `GET /items/{id}`: the item's answer is encoded once per state of the world.
pub(crate) fn retrieve(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let item = item_of(ctx, st, ctx.id())?;
    let view = ctx.shared.item_views.get_or_encode(&item.id, st.epoch, || {
        Reply::encode(&views::item(item, ctx.shared.connector(item.connector_id)))
    });
    Ok(Reply::ok_encoded(&view))
}

/// `POST /items`.
pub(crate) fn create(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let body = body_object(ctx)?;
    let connector_id = match body.get("connectorId") {
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| reply::bad_request("connectorId must be a positive integer"))?,
        None | Some(Value::Null) => return Err(reply::bad_request("connectorId is required")),
        Some(_) => return Err(reply::bad_request("connectorId must be a number")),
    };
    let connector = ctx
        .shared
        .connector(connector_id)
        .ok_or_else(|| reply::not_found("CONNECTOR_NOT_FOUND", "connector not found"))?;
    let params = string_map(body.get("parameters"), "parameters")?;
    let errors = validate(connector, &params);
    if !errors.is_empty() {
        return Err(validation_error(errors));
    }
    let token = match ctx.cred {
        Cred::ConnectToken { token_id, .. } => st.tokens.get(&**token_id).cloned(),
        _ => None,
    };
    let defaults = token.map(|t| t.options).unwrap_or_default();
    let avoid = opt_bool(&body, "avoidDuplicates")?
        .or(defaults.avoid_duplicates)
        .unwrap_or(false);
    let client_id = ctx.cred.client_id().to_owned();
    if avoid {
        let dupes: Vec<&str> = st
            .items
            .values()
            .filter(|i| {
                i.client_id == client_id
                    && i.connector_id == connector_id
                    && i.params.get("user").map(|u| u.expose_secret())
                        == params.get("user").map(String::as_str)
            })
            .map(|i| i.id.as_str())
            .collect();
        if !dupes.is_empty() {
            let body = reply::error_body(
                400,
                Some("ITEM_USER_ALREADY_EXISTS"),
                "There are other items with the same credentials, you can't create a new one",
            );
            return Err(reply::error_with(400, body, json!({"items": dupes})));
        }
    }
    let mut item = ItemRec::new(st.rng.uuid(), client_id, connector, ctx.now);
    item.params = params.into_iter().collect();
    item.webhook_url = opt_webhook_url(&body, ctx)?.or(defaults.webhook_url);
    item.client_user_id = opt_string(&body, "clientUserId")?
        .or(defaults.client_user_id.map(|c| c.as_str().to_owned()));
    item.oauth_redirect_uri =
        opt_string(&body, "oauthRedirectUri")?.or(defaults.oauth_redirect_uri);
    if let Some(p) = opt_products(&body, "products")?.or(defaults.products) {
        item.products = p;
    }
    item.start_sync(
        connector,
        millis(ctx.shared.config.sync_step_delay),
        ctx.now,
        ctx.cred.trigger(),
    );
    if let Cred::ConnectToken { token_id, .. } = ctx.cred {
        if let Some(t) = st.tokens.get_mut(&**token_id) {
            t.items.push(ItemId::new(item.id.clone()));
        }
    }
    let reply = item_reply(ctx, &item);
    st.items.insert(item.id.clone(), item);
    Ok(reply)
}

/// `PATCH /items/{id}`.
pub(crate) fn update(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let body = body_object(ctx)?;
    let id = item_of(ctx, st, ctx.id())?.id.clone();
    let new_params = match body.get("parameters") {
        None | Some(Value::Null) => None,
        v => Some(string_map(v, "parameters")?),
    };
    let webhook_url = opt_webhook_url(&body, ctx)?;
    let client_user_id = opt_string(&body, "clientUserId")?;
    let products = opt_products(&body, "products")?;
    let item = st
        .items
        .get_mut(&id)
        .ok_or_else(|| reply::not_found("ITEM_NOT_FOUND", "item not found"))?;
    if item.in_progress() {
        return Err(reply::error(
            400,
            Some("ITEM_ALREADY_UPDATING"),
            "An update is already in progress, wait until the last execution ends",
        ));
    }
    let connector = ctx
        .shared
        .connector(item.connector_id)
        .ok_or_else(|| reply::not_found("CONNECTOR_NOT_FOUND", "connector not found"))?;
    if let Some(p) = new_params {
        let mut merged: BTreeMap<String, String> = item
            .params
            .iter()
            .map(|(k, v)| (k.to_owned(), v.expose_secret().to_owned()))
            .collect();
        merged.extend(p);
        let errors = validate(connector, &merged);
        if !errors.is_empty() {
            return Err(validation_error(errors));
        }
        item.params = merged.into_iter().collect();
    }
    if let Some(u) = webhook_url {
        item.webhook_url = Some(u);
    }
    if let Some(c) = client_user_id {
        item.client_user_id = Some(c);
    }
    if let Some(p) = products {
        item.products = p;
    }
    item.start_sync(
        connector,
        millis(ctx.shared.config.sync_step_delay),
        ctx.now,
        ctx.cred.trigger(),
    );
    Ok(item_reply(ctx, item))
}

/// `DELETE /items/{id}`.
pub(crate) fn delete(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let id = item_of(ctx, st, ctx.id())?.id.clone();
    webhooks::raise(
        st,
        &id,
        pluggy_core::WebhookEvent::ItemDeleted,
        ctx.cred.trigger(),
        webhooks::Extra::None,
    );
    st.items.remove(&id);
    Ok(Reply::ok(&DeleteCount { count: 1 }))
}

/// `POST /items/{id}/mfa`.
pub(crate) fn send_mfa(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let body = body_object(ctx)?;
    let id = item_of(ctx, st, ctx.id())?.id.clone();
    let step = millis(ctx.shared.config.sync_step_delay);
    let item = st
        .items
        .get_mut(&id)
        .ok_or_else(|| reply::not_found("ITEM_NOT_FOUND", "item not found"))?;
    if item.status != pluggy_core::ItemStatus::WaitingUserInput {
        return Err(reply::error(
            400,
            Some("ITEM_NOT_WAITING_USER_INPUT"),
            "The item is not waiting for user input",
        ));
    }
    let prompt = crate::world::catalog::mfa_prompt();
    let Some(token) = opt_string(&body, prompt.name)?.filter(|t| !t.is_empty()) else {
        return Err(validation_error(vec![ErrorDetail {
            code: Some("001".into()),
            parameter: Some(prompt.name.into()),
            message: format!("{} parameter is required", prompt.name),
        }]));
    };
    item.send_mfa(&token, step, ctx.now);
    Ok(item_reply(ctx, item))
}

/// `PATCH /items/{id}/disable-auto-sync`.
pub(crate) fn disable_autosync(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let id = item_of(ctx, st, ctx.id())?.id.clone();
    let item = st
        .items
        .get_mut(&id)
        .ok_or_else(|| reply::not_found("ITEM_NOT_FOUND", "item not found"))?;
    item.auto_sync = false;
    item.next_auto_sync_at = None;
    Ok(item_reply(ctx, item))
}
