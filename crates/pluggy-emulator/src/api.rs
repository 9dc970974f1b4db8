//! The API's operations: authentication, scope checks and one handler per endpoint.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use pluggy_core::endpoint::{Access, Endpoint, ItemBinding, View};
use pluggy_core::models::{
    AuthResponse, ConnectTokenOptions, ConnectTokenResponse, CursorPage, DeleteCount,
    ItemParameters, Page, ValidationError, ValidationResponse,
};
use pluggy_core::secret::constant_time_eq;
use pluggy_core::webhook::TriggeredBy;
use pluggy_core::{
    ApiKey, Call, ClientUserId, ConnectToken, CredentialScope, ErrorDetail, ItemId, Operation,
    Product, Timestamp, check_access,
};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::catalog::Connector;
use crate::clock::{Millis, parse_query_instant, ts};
use crate::config::ClientCredentials;
use crate::data::{Account, Transaction};
use crate::items::{ItemRec, millis};
use crate::jwt;
use crate::reply::{self, Reply};
use crate::state::{Shared, State, TokenScope};
use crate::views;
use crate::webhooks;

/// Page size of `GET /v2/transactions`.
pub(crate) const CURSOR_PAGE_SIZE: usize = 500;

/// The credential a request came with, once verified.
#[derive(Clone, Debug)]
pub(crate) enum Cred {
    /// None (only `POST /auth`).
    None,
    /// An API key of this client.
    ApiKey { client_id: String },
    /// A connect token of this client; its scope is `State::tokens[token_id]`.
    ConnectToken { token_id: String, client_id: String },
}

impl Cred {
    /// The client the credential belongs to.
    pub(crate) fn client_id(&self) -> &str {
        match self {
            Cred::ApiKey { client_id } | Cred::ConnectToken { client_id, .. } => client_id,
            Cred::None => "",
        }
    }

    fn trigger(&self) -> TriggeredBy {
        match self {
            Cred::ConnectToken { .. } => TriggeredBy::User,
            _ => TriggeredBy::Client,
        }
    }
}

/// One request, parsed.
pub(crate) struct Ctx<'a> {
    pub(crate) shared: &'a Shared,
    pub(crate) now: Millis,
    pub(crate) ep: &'static Endpoint,
    pub(crate) params: &'a [String],
    pub(crate) query: &'a [(String, String)],
    pub(crate) body: &'a [u8],
    pub(crate) cred: &'a Cred,
}

impl Ctx<'_> {
    fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// A list parameter: every occurrence of `name` (`ids=a&ids=b`, the OpenAPI default for
    /// arrays), each also split on commas (`ids=a,b`); `None` when it is absent or empty.
    fn list(&self, name: &str) -> Option<Vec<String>> {
        let values: Vec<String> = self
            .query
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect();
        (!values.is_empty()).then_some(values)
    }

    fn id(&self) -> &str {
        self.params.first().map(String::as_str).unwrap_or_default()
    }

    fn required(&self, name: &str) -> Result<&str, Reply> {
        self.q(name)
            .ok_or_else(|| reply::bad_request(format!("{name} is required")))
    }
}

/// The request body as a JSON object; an empty body is an empty object.
pub(crate) fn body_object(ctx: &Ctx<'_>) -> Result<Map<String, Value>, Reply> {
    if ctx.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(ctx.body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(reply::bad_request("The request body must be a JSON object")),
        Err(e) => Err(reply::bad_request(format!("Invalid JSON body: {e}"))),
    }
}

/// An optional string field; any other type is a 400.
pub(crate) fn opt_string(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, Reply> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(reply::bad_request(format!("{key} must be a string"))),
    }
}

fn opt_bool(obj: &Map<String, Value>, key: &str) -> Result<Option<bool>, Reply> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(reply::bad_request(format!("{key} must be a boolean"))),
    }
}

fn opt_products(obj: &Map<String, Value>, key: &str) -> Result<Option<Vec<Product>>, Reply> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| match v.as_str().map(Product::parse) {
                Some(Product::Unknown(p)) => {
                    Err(reply::bad_request(format!("Invalid product '{p}'")))
                }
                Some(p) => Ok(p),
                None => Err(reply::bad_request(format!(
                    "{key} must be an array of strings"
                ))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(reply::bad_request(format!("{key} must be an array"))),
    }
}

fn opt_webhook_url(obj: &Map<String, Value>, ctx: &Ctx<'_>) -> Result<Option<String>, Reply> {
    let url = opt_string(obj, "webhookUrl")?;
    if let Some(u) = &url {
        webhooks::check_url(u, ctx.shared.config.allow_insecure_webhooks)
            .map_err(reply::bad_request)?;
    }
    Ok(url)
}

/// Verifies the `X-API-KEY` header: an unexpired API key or connect token signed by this
/// emulator for one of its configured clients.
pub(crate) fn authenticate(
    st: &State,
    clients: &[ClientCredentials],
    header: Option<&str>,
    now: Millis,
) -> Result<Cred, Reply> {
    let token = header.map(str::trim).filter(|t| !t.is_empty());
    let claims = token
        .and_then(|t| jwt::verify(t, &st.signing_key))
        .ok_or_else(reply::invalid_token)?;
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    if exp.saturating_mul(1000) <= now {
        return Err(reply::invalid_token());
    }
    let client_id = claims
        .get("clientId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if !clients.iter().any(|c| c.client_id.as_str() == client_id) {
        return Err(reply::invalid_token());
    }
    match claims.get("data").and_then(Value::as_str) {
        None => Ok(Cred::ApiKey { client_id }),
        Some(token_id) => match st.tokens.get(token_id) {
            Some(scope) if scope.expires_at > now && scope.client_id == client_id => {
                Ok(Cred::ConnectToken {
                    token_id: token_id.to_owned(),
                    client_id: scope.client_id.clone(),
                })
            }
            _ => Err(reply::invalid_token()),
        },
    }
}

/// Applies the connect-token scope rules of pluggy-core server-side.
pub(crate) fn authorize(ctx: &Ctx<'_>, st: &State) -> Result<(), Reply> {
    let Cred::ConnectToken { token_id, .. } = ctx.cred else {
        return Ok(());
    };
    let items: &[ItemId] = st
        .tokens
        .get(token_id)
        .map(|t| t.items.as_slice())
        .unwrap_or(&[]);
    let mut call = Call::new(ctx.ep);
    match ctx.ep.access {
        Access::ConnectToken(ItemBinding::PathItem) => {
            call = call.path_param("id", ctx.id());
        }
        Access::ConnectToken(ItemBinding::QueryItem) => {
            call = call.query_opt("itemId", ctx.q("itemId"));
        }
        _ => {}
    }
    check_access(&call, CredentialScope::ConnectToken { items })
        .map_err(|e| reply::error(403, Some("FORBIDDEN"), e.to_string()))
}

/// Runs the handler of `ctx.ep`: one arm per operation of the generated table, with no
/// fallback, so an operation without a handler does not compile.
pub(crate) fn dispatch(ctx: &Ctx<'_>, st: &mut State) -> Reply {
    let result = match ctx.ep.operation {
        Operation::AuthCreate => auth(ctx, st),
        Operation::ConnectTokenCreate => connect_token(ctx, st),
        Operation::ConnectorsList => connectors_list(ctx),
        Operation::ConnectorRetrieve => connector_get(ctx),
        Operation::ConnectorsValidate => connectors_validate(ctx),
        Operation::ItemsCreate => items_create(ctx, st),
        Operation::ItemsRetrieve => item_of(ctx, st, ctx.id()).map(|i| item_reply(ctx, i)),
        Operation::ItemsUpdate => items_update(ctx, st),
        Operation::ItemsDelete => items_delete(ctx, st),
        Operation::ItemsSendMfa => items_mfa(ctx, st),
        Operation::ItemsDisableAutosync => items_disable_autosync(ctx, st),
        Operation::AccountsList => accounts_list(ctx, st),
        Operation::AccountsRetrieve => {
            account_of(ctx, st, ctx.id()).map(|a| Reply::ok(&views::account(a)))
        }
        Operation::TransactionsList => transactions_page(ctx, st),
        Operation::TransactionsListByCursor => transactions_cursor(ctx, st),
        Operation::TransactionsRetrieve => transaction_get(ctx, st),
        Operation::InvestmentsList => investments_list(ctx, st),
        Operation::InvestmentsRetrieve => investment_get(ctx, st),
        Operation::InvestmentTransactionsList => investment_transactions(ctx, st),
        Operation::IdentityFindByItem => identity_by_item(ctx, st),
        Operation::IdentityRetrieve => identity_get(ctx, st),
        Operation::WebhooksList => Ok(webhooks::list(ctx, st)),
        Operation::WebhooksCreate => webhooks::create(ctx, st),
        Operation::WebhooksRetrieve => webhooks::get(ctx, st),
        Operation::WebhooksUpdate => webhooks::update(ctx, st),
        Operation::WebhooksDelete => webhooks::delete(ctx, st),
    };
    result.unwrap_or_else(|e| e)
}

fn auth(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    st.stats.auth_calls += 1;
    let body = body_object(ctx)?;
    let id = opt_string(&body, "clientId")?;
    let secret = opt_string(&body, "clientSecret")?;
    opt_bool(&body, "nonExpiring")?;
    let (Some(id), Some(secret)) = (id, secret) else {
        return Err(reply::bad_request("clientId and clientSecret are required"));
    };
    let known = ctx.shared.config.clients.iter().any(|c| {
        c.client_id.as_str() == id
            && constant_time_eq(
                c.client_secret.expose_secret().as_bytes(),
                secret.as_bytes(),
            )
    });
    if !known {
        return Err(reply::error(
            401,
            Some("CLIENT_KEYS_UNAUTHORIZED"),
            "Client keys are invalid",
        ));
    }
    let iat = ctx.now / 1000;
    let exp = iat + millis(ctx.shared.config.api_key_ttl) / 1000;
    let claims = json!({"clientId": id, "jti": st.rng.uuid(), "iat": iat, "exp": exp});
    Ok(Reply::ok(&AuthResponse {
        api_key: ApiKey::new(jwt::sign(&claims, &st.signing_key)),
    }))
}

fn connect_token(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let body = body_object(ctx)?;
    let client_id = ctx.cred.client_id().to_owned();
    let mut items = Vec::new();
    if let Some(item_id) = opt_string(&body, "itemId")? {
        item_of(ctx, st, &item_id)?;
        items.push(ItemId::new(item_id));
    }
    let options = match body.get("options") {
        None | Some(Value::Null) => ConnectTokenOptions::default(),
        Some(Value::Object(o)) => ConnectTokenOptions {
            client_user_id: opt_string(o, "clientUserId")?.map(ClientUserId::new),
            webhook_url: opt_webhook_url(o, ctx)?,
            oauth_redirect_uri: opt_string(o, "oauthRedirectUri")?,
            avoid_duplicates: opt_bool(o, "avoidDuplicates")?,
            products: opt_products(o, "products")?,
        },
        Some(_) => return Err(reply::bad_request("options must be an object")),
    };
    let token_id: String = st
        .rng
        .bytes::<16>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let iat = ctx.now / 1000;
    let ttl = millis(ctx.shared.config.connect_token_ttl);
    let claims =
        json!({"clientId": client_id, "data": token_id, "iat": iat, "exp": iat + ttl / 1000});
    st.tokens.insert(
        token_id,
        TokenScope {
            client_id,
            items,
            options,
            expires_at: (iat * 1000).saturating_add(ttl),
        },
    );
    Ok(Reply::ok(&ConnectTokenResponse {
        access_token: ConnectToken::new(jwt::sign(&claims, &st.signing_key)),
    }))
}

fn parse_bool(v: Option<&str>) -> Result<Option<bool>, Reply> {
    match v {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(reply::bad_request(format!("'{other}' is not a boolean"))),
    }
}

fn connectors_list(ctx: &Ctx<'_>) -> Result<Reply, Reply> {
    let sandbox = parse_bool(ctx.q("sandbox"))?.unwrap_or(false);
    let open_finance = parse_bool(ctx.q("isOpenFinance"))?;
    for flag in [
        "supportsPaymentInitiation",
        "supportsSmartTransfers",
        "supportsAutomaticPix",
    ] {
        parse_bool(ctx.q(flag))?;
    }
    let list = |name| -> Vec<String> {
        ctx.list(name)
            .unwrap_or_default()
            .iter()
            .map(|v| v.to_uppercase())
            .collect()
    };
    let countries = list("countries");
    let types = list("types");
    let name = ctx.q("name").map(str::to_lowercase);
    let wants_payments = [
        "supportsPaymentInitiation",
        "supportsSmartTransfers",
        "supportsAutomaticPix",
    ]
    .iter()
    .any(|f| ctx.q(f) == Some("true"));
    let results: Vec<_> = ctx
        .shared
        .connectors
        .iter()
        .filter(|c| sandbox || !c.sandbox)
        .filter(|_| countries.is_empty() || countries.iter().any(|x| x == "BR"))
        .filter(|c| types.is_empty() || types.iter().any(|t| t == c.kind.as_str()))
        .filter(|c| {
            name.as_ref()
                .is_none_or(|n| c.name.to_lowercase().contains(n))
        })
        .filter(|c| open_finance.is_none_or(|o| o == c.open_finance))
        .filter(|_| !wants_payments)
        .map(views::connector)
        .collect();
    Ok(page_json(results.len(), 1, results.len().max(1), results))
}

fn page_json<T: Serialize>(total: usize, page: u32, page_size: usize, results: Vec<T>) -> Reply {
    let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    Reply::ok(&Page {
        page,
        total: total as u64,
        total_pages: n(total.div_ceil(page_size.max(1))),
        results,
    })
}

fn connector_by_id<'s>(ctx: &'s Ctx<'_>, id: &str) -> Result<&'s Connector, Reply> {
    let id: u32 = id
        .parse()
        .map_err(|_| reply::bad_request(format!("Invalid connector id '{id}'")))?;
    ctx.shared
        .connector(id)
        .ok_or_else(|| reply::not_found("CONNECTOR_NOT_FOUND", "connector not found"))
}

fn connector_get(ctx: &Ctx<'_>) -> Result<Reply, Reply> {
    Ok(Reply::ok(&views::connector(connector_by_id(
        ctx,
        ctx.id(),
    )?)))
}

/// Checks credentials against a connector's rules: `001` missing, `002` invalid.
fn validate(c: &Connector, params: &BTreeMap<String, String>) -> Vec<ErrorDetail> {
    let mut errors = Vec::new();
    for cred in &c.credentials {
        match params.get(cred.name).filter(|v| !v.is_empty()) {
            None => errors.push(ErrorDetail {
                code: Some("001".into()),
                parameter: Some(cred.name.into()),
                message: format!("{} parameter is required", cred.name),
            }),
            Some(v) if !cred.rule.check(v) => errors.push(ErrorDetail {
                code: Some("002".into()),
                parameter: Some(cred.name.into()),
                message: cred.message.into(),
            }),
            Some(_) => {}
        }
    }
    errors
}

fn string_map(v: Option<&Value>, what: &str) -> Result<BTreeMap<String, String>, Reply> {
    match v {
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                _ => Err(reply::bad_request(format!(
                    "{what}: '{k}' must be a string"
                ))),
            })
            .collect(),
        Some(Value::String(_)) => Err(reply::bad_request(
            "Encrypted parameters are not supported by the emulator; send them as an object",
        )),
        _ => Err(reply::bad_request(format!(
            "{what} must be an object of strings"
        ))),
    }
}

fn connectors_validate(ctx: &Ctx<'_>) -> Result<Reply, Reply> {
    let c = connector_by_id(ctx, ctx.id())?;
    let body = body_object(ctx)?;
    let params = string_map(Some(&Value::Object(body)), "parameters")?;
    let errors = validate(c, &params)
        .into_iter()
        .map(|d| ValidationError {
            code: d.code.unwrap_or_default(),
            message: d.message,
            parameter: d.parameter.unwrap_or_default(),
            data: None,
        })
        .collect();
    Ok(Reply::ok(&ValidationResponse {
        parameters: Some(params.into_iter().collect::<ItemParameters>()),
        errors,
    }))
}

fn validation_error(details: Vec<ErrorDetail>) -> Reply {
    let mut body = reply::error_body(
        400,
        Some("CONNECTOR_VALIDATION_ERROR"),
        "Connector parameters do not match validation rules",
    );
    body.details = Some(details);
    Reply::json(400, &body)
}

fn item_reply(ctx: &Ctx<'_>, item: &ItemRec) -> Reply {
    Reply::ok(&views::item(item, ctx.shared.connector(item.connector_id)))
}

fn item_of<'s>(ctx: &Ctx<'_>, st: &'s State, id: &str) -> Result<&'s ItemRec, Reply> {
    st.items
        .get(id)
        .filter(|i| i.client_id == ctx.cred.client_id())
        .ok_or_else(|| reply::not_found("ITEM_NOT_FOUND", "item not found"))
}

fn items_create(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
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
        Cred::ConnectToken { token_id, .. } => st.tokens.get(token_id).cloned(),
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
        if let Some(t) = st.tokens.get_mut(token_id) {
            t.items.push(ItemId::new(item.id.clone()));
        }
    }
    let reply = item_reply(ctx, &item);
    st.items.insert(item.id.clone(), item);
    Ok(reply)
}

fn items_update(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
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

fn items_delete(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
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

fn items_mfa(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
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
    let prompt = crate::catalog::mfa_prompt();
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

fn items_disable_autosync(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let id = item_of(ctx, st, ctx.id())?.id.clone();
    let item = st
        .items
        .get_mut(&id)
        .ok_or_else(|| reply::not_found("ITEM_NOT_FOUND", "item not found"))?;
    item.auto_sync = false;
    item.next_auto_sync_at = None;
    Ok(item_reply(ctx, item))
}

fn accounts_of_client<'s>(ctx: &Ctx<'_>, st: &'s State) -> impl Iterator<Item = &'s Account> {
    let client = ctx.cred.client_id().to_owned();
    st.items
        .values()
        .filter(move |i| i.client_id == client)
        .filter_map(|i| i.data.as_ref())
        .flat_map(|d| d.accounts.iter())
}

fn account_of<'s>(ctx: &Ctx<'_>, st: &'s State, id: &str) -> Result<&'s Account, Reply> {
    accounts_of_client(ctx, st)
        .find(|a| a.id == id)
        .ok_or_else(|| reply::not_found("ACCOUNT_NOT_FOUND", "account not found"))
}

fn accounts_list(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let item = item_of(ctx, st, ctx.required("itemId")?)?;
    let kind = ctx.q("type");
    if let Some(k) = kind {
        if k != "BANK" && k != "CREDIT" {
            return Err(reply::bad_request(format!("Invalid account type '{k}'")));
        }
    }
    let reduced =
        matches!(ctx.cred, Cred::ConnectToken { .. }) && ctx.ep.connect_token_view == View::Reduced;
    let accounts: Vec<&Account> = item
        .data
        .iter()
        .flat_map(|d| d.accounts.iter())
        .filter(|a| kind.is_none_or(|k| (k == "CREDIT") == a.credit))
        .collect();
    let n = accounts.len();
    Ok(if reduced {
        let results: Vec<_> = accounts.into_iter().map(views::reduced_account).collect();
        page_json(n, 1, n.max(1), results)
    } else {
        let results: Vec<_> = accounts.into_iter().map(views::account).collect();
        page_json(n, 1, n.max(1), results)
    })
}

/// `page` (1 to the largest page number a page can carry, `u32::MAX`) and `pageSize` (1 to
/// 500); anything else, including numbers too large for any integer type, is a 400 — a page
/// number is never answered with another one.
fn paging(ctx: &Ctx<'_>) -> Result<(u32, usize), Reply> {
    let num = |name: &str, default: u32, max: u32| -> Result<u32, Reply> {
        match ctx.q(name) {
            None => Ok(default),
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| {
                    reply::bad_request(format!("{name} must be an integer between 1 and {max}"))
                }),
        }
    };
    let page = num("page", 1, u32::MAX)?;
    let size = num("pageSize", 500, 500)?;
    Ok((page, usize::try_from(size).unwrap_or(500)))
}

/// How many results come before `page` of `size`.
fn skipped(page: u32, size: usize) -> usize {
    usize::try_from(page - 1)
        .unwrap_or(usize::MAX)
        .saturating_mul(size)
}

/// A date filter: `YYYY-MM-DD` (the whole day) or a date-time (see [`parse_query_instant`]).
fn date_filter(ctx: &Ctx<'_>, name: &str, end_of_day: bool) -> Result<Option<Millis>, Reply> {
    let Some(v) = ctx.q(name) else {
        return Ok(None);
    };
    parse_query_instant(v, end_of_day).map(Some).ok_or_else(|| {
        reply::bad_request(format!(
            "{name} must be a date (YYYY-MM-DD) or an ISO timestamp"
        ))
    })
}

fn ids_filter(ctx: &Ctx<'_>) -> Result<Option<Vec<String>>, Reply> {
    let Some(ids) = ctx.list("ids") else {
        return Ok(None);
    };
    if ids.len() > 500 {
        return Err(reply::error(
            400,
            Some("IDS_PARAMETER_EXCEEDS_MAX_LENGTH"),
            "ids can have at most 500 values",
        ));
    }
    Ok(Some(ids))
}

fn account_transactions<'s>(
    ctx: &Ctx<'_>,
    st: &'s State,
) -> Result<(&'s Account, Vec<&'s Transaction>), Reply> {
    let account = account_of(ctx, st, ctx.required("accountId")?)?;
    let txs = st
        .items
        .get(&account.item_id)
        .and_then(|i| i.data.as_ref())
        .map(|d| {
            d.transactions
                .iter()
                .filter(|t| t.account_id == account.id)
                .collect()
        })
        .unwrap_or_default();
    Ok((account, txs))
}

fn transactions_page(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let (account, txs) = account_transactions(ctx, st)?;
    let (page, size) = paging(ctx)?;
    let from = date_filter(ctx, "from", false)?;
    let to = date_filter(ctx, "to", true)?;
    let created_from = date_filter(ctx, "createdAtFrom", false)?;
    let ids = ids_filter(ctx)?;
    let matching: Vec<&Transaction> = txs
        .into_iter()
        .filter(|t| from.is_none_or(|f| t.date >= f))
        .filter(|t| to.is_none_or(|x| t.date <= x))
        .filter(|t| created_from.is_none_or(|c| t.created_at >= c))
        .filter(|t| ids.as_ref().is_none_or(|ids| ids.contains(&t.id)))
        .filter(|_| ctx.q("billId").is_none())
        .collect();
    let results: Vec<_> = matching
        .iter()
        .skip(skipped(page, size))
        .take(size)
        .map(|t| views::transaction(t, account.credit))
        .collect();
    Ok(page_json(matching.len(), page, size, results))
}

fn cursor_of(t: &Transaction) -> String {
    STANDARD.encode(format!("{}|{}", ts(t.date), t.id))
}

fn parse_cursor(raw: &str) -> Option<(Millis, String)> {
    // A `+` of the base64 alphabet arrives as a space when a client did not percent-encode it.
    let bytes = STANDARD.decode(raw.replace(' ', "+")).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (date, id) = text.split_once('|')?;
    Some((Timestamp::parse(date).ok()?.unix_millis(), id.to_owned()))
}

fn transactions_cursor(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let (account, txs) = account_transactions(ctx, st)?;
    if ctx.q("createdAtFrom").is_some() && ctx.q("dateFrom").is_some() {
        return Err(reply::bad_request(
            "createdAtFrom and dateFrom cannot be used together",
        ));
    }
    let from = date_filter(ctx, "dateFrom", false)?;
    let to = date_filter(ctx, "dateTo", true)?;
    let created_from = date_filter(ctx, "createdAtFrom", false)?;
    let ids = ids_filter(ctx)?;
    let after = match ctx.q("after") {
        None => None,
        Some(c) => Some(parse_cursor(c).ok_or_else(|| reply::bad_request("Invalid cursor"))?),
    };
    let mut matching = txs
        .into_iter()
        .filter(|t| from.is_none_or(|f| t.date >= f))
        .filter(|t| to.is_none_or(|x| t.date <= x))
        .filter(|t| created_from.is_none_or(|c| t.created_at >= c))
        .filter(|t| ids.as_ref().is_none_or(|ids| ids.contains(&t.id)))
        .filter(|t| {
            after
                .as_ref()
                .is_none_or(|(d, id)| (t.date, t.id.as_str()) > (*d, id.as_str()))
        });
    let page: Vec<&Transaction> = matching.by_ref().take(CURSOR_PAGE_SIZE).collect();
    let more = matching.next().is_some();
    let next = match (more, page.last()) {
        (true, Some(last)) => {
            let mut q = format!("?accountId={}", enc(&account.id));
            if let Some(ids) = ctx.list("ids") {
                q.push_str(&format!("&ids={}", enc(&ids.join(","))));
            }
            for name in ["dateFrom", "dateTo", "createdAtFrom"] {
                if let Some(v) = ctx.q(name) {
                    q.push_str(&format!("&{name}={}", enc(v)));
                }
            }
            q.push_str(&format!("&after={}", enc(&cursor_of(last))));
            Some(q)
        }
        _ => None,
    };
    let results = page
        .iter()
        .map(|t| views::transaction(t, account.credit))
        .collect();
    Ok(Reply::ok(&CursorPage { results, next }))
}

/// RFC 3986's unreserved characters stay; everything else (`+`, `/`, `=` of a cursor) is
/// percent-encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn enc(v: &str) -> String {
    utf8_percent_encode(v, QUERY_VALUE).to_string()
}

fn transaction_get(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let id = ctx.id();
    let client = ctx.cred.client_id();
    for item in st.items.values().filter(|i| i.client_id == client) {
        let Some(d) = &item.data else { continue };
        if let Some(t) = d.transactions.iter().find(|t| t.id == id) {
            let credit = d.accounts.iter().any(|a| a.id == t.account_id && a.credit);
            return Ok(Reply::ok(&views::transaction(t, credit)));
        }
    }
    Err(reply::not_found(
        "TRANSACTION_NOT_FOUND",
        "transaction not found",
    ))
}

fn investments_list(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let item = item_of(ctx, st, ctx.required("itemId")?)?;
    let (page, size) = paging(ctx)?;
    let kind = ctx.q("type");
    let all: Vec<_> = item
        .data
        .iter()
        .flat_map(|d| d.investments.iter())
        .filter(|i| kind.is_none_or(|k| k == i.kind))
        .map(views::investment)
        .collect();
    let total = all.len();
    let results: Vec<_> = all
        .into_iter()
        .skip(skipped(page, size))
        .take(size)
        .collect();
    Ok(page_json(total, page, size, results))
}

fn investment_of<'s>(ctx: &Ctx<'_>, st: &'s State) -> Result<&'s crate::data::Investment, Reply> {
    let client = ctx.cred.client_id();
    st.items
        .values()
        .filter(|i| i.client_id == client)
        .filter_map(|i| i.data.as_ref())
        .flat_map(|d| d.investments.iter())
        .find(|i| i.id == ctx.id())
        .ok_or_else(|| reply::not_found("INVESTMENT_NOT_FOUND", "investment not found"))
}

fn investment_get(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    Ok(Reply::ok(&views::investment(investment_of(ctx, st)?)))
}

fn investment_transactions(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let inv = investment_of(ctx, st)?;
    let (page, size) = paging(ctx)?;
    let results: Vec<_> = inv
        .transactions
        .iter()
        .skip(skipped(page, size))
        .take(size)
        .map(views::investment_transaction)
        .collect();
    Ok(page_json(inv.transactions.len(), page, size, results))
}

fn identity_by_item(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let item = item_of(ctx, st, ctx.required("itemId")?)?;
    item.data
        .as_ref()
        .and_then(|d| d.identity.as_ref())
        .map(|i| Reply::ok(&views::identity(i)))
        .ok_or_else(|| reply::not_found("IDENTITY_NOT_FOUND", "identity not found"))
}

fn identity_get(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let client = ctx.cred.client_id();
    st.items
        .values()
        .filter(|i| i.client_id == client)
        .filter_map(|i| i.data.as_ref()?.identity.as_ref())
        .find(|i| i.id == ctx.id())
        .map(|i| Reply::ok(&views::identity(i)))
        .ok_or_else(|| reply::not_found("IDENTITY_NOT_FOUND", "identity not found"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip_survives_plus_as_space() {
        let t = Transaction {
            id: "a8534c85-x".into(),
            account_id: "acc".into(),
            date: 1_602_720_000_000,
            description: "x",
            amount_cents: 1,
            balance_cents: 1,
            category: "c",
            category_id: "1",
            created_at: 0,
        };
        let c = cursor_of(&t);
        assert_eq!(parse_cursor(&c), Some((t.date, t.id.clone())));
        assert_eq!(parse_cursor(&c.replace('+', " ")), Some((t.date, t.id)));
        assert!(parse_cursor("!!!").is_none());
    }
}
