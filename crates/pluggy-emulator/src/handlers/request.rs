//! A request as the handlers see it (the parsed request, its verified credential), and the
//! parsing of its body and query into typed values, answering the API's 400 shape otherwise.

use std::collections::BTreeMap;
use std::sync::Arc;

use pluggy_core::Product;
use pluggy_core::endpoint::Endpoint;
use pluggy_core::models::Page;
use pluggy_core::webhook::TriggeredBy;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::reply::{self, Reply};
use crate::world::clock::{Millis, parse_query_instant};
use crate::world::state::Shared;
use crate::world::webhooks;

/// The credential a request came with, once verified.
#[derive(Clone, Debug)]
pub(crate) enum Cred {
    /// None (only `POST /auth`).
    None,
    /// An API key of this client.
    ApiKey { client_id: Arc<str> },
    /// A connect token of this client; its scope is `State::tokens[token_id]`.
    ConnectToken {
        token_id: Arc<str>,
        client_id: Arc<str>,
    },
}

impl Cred {
    /// The client the credential belongs to.
    pub(crate) fn client_id(&self) -> &str {
        match self {
            Cred::ApiKey { client_id } | Cred::ConnectToken { client_id, .. } => client_id,
            Cred::None => "",
        }
    }

    pub(crate) fn trigger(&self) -> TriggeredBy {
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
    /// The operation, for exhaustive matches.
    pub(crate) op: pluggy_core::Operation,
    pub(crate) ep: &'static Endpoint,
    pub(crate) params: &'a [String],
    pub(crate) query: &'a [(String, String)],
    pub(crate) body: &'a [u8],
    pub(crate) cred: &'a Cred,
}

impl Ctx<'_> {
    pub(crate) fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// A list parameter: every occurrence of `name` (`ids=a&ids=b`, the OpenAPI default for
    /// arrays), each also split on commas (`ids=a,b`); `None` when it is absent or empty.
    pub(crate) fn list(&self, name: &str) -> Option<Vec<String>> {
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

    pub(crate) fn id(&self) -> &str {
        self.params.first().map(String::as_str).unwrap_or_default()
    }

    pub(crate) fn required(&self, name: &str) -> Result<&str, Reply> {
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

pub(crate) fn opt_bool(obj: &Map<String, Value>, key: &str) -> Result<Option<bool>, Reply> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(reply::bad_request(format!("{key} must be a boolean"))),
    }
}

pub(crate) fn opt_products(
    obj: &Map<String, Value>,
    key: &str,
) -> Result<Option<Vec<Product>>, Reply> {
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

pub(crate) fn opt_webhook_url(
    obj: &Map<String, Value>,
    ctx: &Ctx<'_>,
) -> Result<Option<String>, Reply> {
    let url = opt_string(obj, "webhookUrl")?;
    if let Some(u) = &url {
        webhooks::check_url(u, ctx.shared.config.allow_insecure_webhooks)
            .map_err(reply::bad_request)?;
    }
    Ok(url)
}

pub(crate) fn string_map(v: Option<&Value>, what: &str) -> Result<BTreeMap<String, String>, Reply> {
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

pub(crate) fn parse_bool(v: Option<&str>) -> Result<Option<bool>, Reply> {
    match v {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(reply::bad_request(format!("'{other}' is not a boolean"))),
    }
}

/// `page` (1 to the largest page number a page can carry, `u32::MAX`) and `pageSize` (1 to
/// 500); anything else, including numbers too large for any integer type, is a 400 — a page
/// number is never answered with another one.
pub(crate) fn paging(ctx: &Ctx<'_>) -> Result<(u32, usize), Reply> {
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
pub(crate) fn skipped(page: u32, size: usize) -> usize {
    usize::try_from(page - 1)
        .unwrap_or(usize::MAX)
        .saturating_mul(size)
}

/// A date filter: `YYYY-MM-DD` (the whole day) or a date-time (see [`parse_query_instant`]).
pub(crate) fn date_filter(
    ctx: &Ctx<'_>,
    name: &str,
    end_of_day: bool,
) -> Result<Option<Millis>, Reply> {
    let Some(v) = ctx.q(name) else {
        return Ok(None);
    };
    parse_query_instant(v, end_of_day).map(Some).ok_or_else(|| {
        reply::bad_request(format!(
            "{name} must be a date (YYYY-MM-DD) or an ISO timestamp"
        ))
    })
}

pub(crate) fn ids_filter(ctx: &Ctx<'_>) -> Result<Option<Vec<String>>, Reply> {
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

pub(crate) fn page_json<T: Serialize>(
    total: usize,
    page: u32,
    page_size: usize,
    results: Vec<T>,
) -> Reply {
    let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    Reply::ok(&Page {
        page,
        total: total as u64,
        total_pages: n(total.div_ceil(page_size.max(1))),
        results,
    })
}

/// The request body read into `T` (an empty body reads as `{}`); a body that is not JSON, or
/// that lacks a field or has one of the wrong type, is a 400 saying what is wrong.
pub(crate) fn parse_body<T: DeserializeOwned>(ctx: &Ctx<'_>) -> Result<T, Reply> {
    let body = body_object(ctx)?;
    serde_json::from_value(Value::Object(body)).map_err(|e| {
        // serde names the field when one is missing, but not when a value has the wrong
        // type: the message then says which type was expected.
        reply::bad_request(format!("Invalid request body: {e}"))
    })
}
