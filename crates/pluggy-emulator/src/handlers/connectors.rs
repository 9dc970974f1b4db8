//! The connector catalog: list, retrieve and validate credentials against a connector's rules.

use std::collections::BTreeMap;

use pluggy_core::ErrorDetail;
use pluggy_core::models::{ItemParameters, ValidationError, ValidationResponse};
use serde_json::Value;

use super::request::{Ctx, body_object, page_json, parse_bool, string_map};
use super::views;
use crate::reply::{self, Reply};
use crate::world::catalog::Connector;

/// `GET /connectors`.
pub(crate) fn list(ctx: &Ctx<'_>) -> Result<Reply, Reply> {
    let sandbox = parse_bool(ctx.q("sandbox"))?.unwrap_or(false);
    let open_finance = parse_bool(ctx.q("isOpenFinance"))?;
    // The three payment capabilities go together here (`Connector::supports_payments`).
    let mut payments = None;
    for flag in [
        "supportsPaymentInitiation",
        "supportsSmartTransfers",
        "supportsAutomaticPix",
    ] {
        if let Some(wanted) = parse_bool(ctx.q(flag))? {
            payments = Some(wanted);
        }
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
        .filter(|c| payments.is_none_or(|p| p == c.supports_payments()))
        .map(views::connector)
        .collect();
    Ok(page_json(results.len(), 1, results.len().max(1), results))
}

fn connector_by_id<'s>(ctx: &'s Ctx<'_>, id: &str) -> Result<&'s Connector, Reply> {
    let id: u32 = id
        .parse()
        .map_err(|_| reply::bad_request(format!("Invalid connector id '{id}'")))?;
    ctx.shared
        .connector(id)
        .ok_or_else(|| reply::not_found("CONNECTOR_NOT_FOUND", "connector not found"))
}

/// `GET /connectors/{id}`: each connector's answer is encoded once (the catalog is fixed).
pub(crate) fn retrieve(ctx: &Ctx<'_>) -> Result<Reply, Reply> {
    let c = connector_by_id(ctx, ctx.id())?;
    let view = ctx
        .shared
        .connector_and_view(c.id)
        .map(|(c, slot)| slot.get_or_init(|| Reply::encode(&views::connector(c))));
    Ok(match view {
        Some(bytes) => Reply::ok_encoded(bytes),
        None => Reply::ok(&views::connector(c)),
    })
}

/// Checks credentials against a connector's rules: `001` missing, `002` invalid.
pub(crate) fn validate(c: &Connector, params: &BTreeMap<String, String>) -> Vec<ErrorDetail> {
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

/// `POST /connectors/{id}/validate`.
pub(crate) fn validate_parameters(ctx: &Ctx<'_>) -> Result<Reply, Reply> {
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

pub(crate) fn validation_error(details: Vec<ErrorDetail>) -> Reply {
    let mut body = reply::error_body(
        400,
        Some("CONNECTOR_VALIDATION_ERROR"),
        "Connector parameters do not match validation rules",
    );
    body.details = Some(details);
    Reply::json(400, &body)
}
