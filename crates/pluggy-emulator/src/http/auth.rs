//! Who is calling: the `X-API-KEY` header verified into a [`Cred`], and pluggy-core's
//! connect-token scope rules applied server-side.

use pluggy_core::endpoint::{Access, ItemBinding};
use pluggy_core::{Call, CredentialScope, ItemId, check_access};
use serde_json::Value;

use crate::config::ClientCredentials;
use crate::handlers::request::{Cred, Ctx};
use crate::reply::{self, Reply};
use crate::world::clock::Millis;
use crate::world::jwt;
use crate::world::state::State;

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
