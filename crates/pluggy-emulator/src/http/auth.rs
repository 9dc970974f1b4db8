//! Who is calling: the `X-API-KEY` header verified into a [`Cred`], and pluggy-core's
//! connect-token scope rules applied server-side.

use std::sync::Arc;

use pluggy_core::endpoint::{Access, ItemBinding};
use pluggy_core::{Call, CredentialScope, ItemId, check_access};
use serde_json::Value;

use crate::config::ClientCredentials;
use crate::handlers::request::{Cred, Ctx};
use crate::reply::{self, Reply};
use crate::world::clock::Millis;
use crate::world::jwt;
use crate::world::shards::Claims;
use crate::world::state::{Shared, State};

/// Verifies the `X-API-KEY` header: an unexpired API key or connect token signed by this
/// emulator for one of its configured clients. A credential's signature is checked and its
/// claims decoded once (then remembered in [`Shared::verified`] for the state's signing
/// generation); its expiry, and a connect token's server-side scope, on every request.
pub(crate) fn authenticate(
    shared: &Shared,
    st: &State,
    header: Option<&str>,
    now: Millis,
) -> Result<Cred, Reply> {
    let token = header
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(reply::invalid_token)?;
    let claims = match shared.verified.get(token, st.generation) {
        Some(c) => c,
        None => {
            let c = verify(token, &st.signing_key, &shared.config.clients)
                .ok_or_else(reply::invalid_token)?;
            shared.verified.insert(token, st.generation, c.clone(), now);
            c
        }
    };
    if claims.expires_at <= now {
        return Err(reply::invalid_token());
    }
    let Claims {
        client_id,
        token_id,
        ..
    } = claims;
    match token_id {
        None => Ok(Cred::ApiKey { client_id }),
        Some(token_id) => match st.tokens.get(&*token_id) {
            Some(scope) if scope.expires_at > now && *scope.client_id == *client_id => {
                Ok(Cred::ConnectToken {
                    token_id,
                    client_id,
                })
            }
            _ => Err(reply::invalid_token()),
        },
    }
}

/// The claims of a token signed with `key` for one of `clients`; `None` for anything else.
fn verify(token: &str, key: &[u8], clients: &[ClientCredentials]) -> Option<Claims> {
    let claims = jwt::verify(token, key)?;
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    let client_id = claims
        .get("clientId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !clients.iter().any(|c| c.client_id.as_str() == client_id) {
        return None;
    }
    Some(Claims {
        expires_at: exp.saturating_mul(1000),
        client_id: client_id.into(),
        token_id: claims.get("data").and_then(Value::as_str).map(Arc::from),
    })
}

/// Applies the connect-token scope rules of pluggy-core server-side.
pub(crate) fn authorize(ctx: &Ctx<'_>, st: &State) -> Result<(), Reply> {
    let Cred::ConnectToken { token_id, .. } = ctx.cred else {
        return Ok(());
    };
    let items: &[ItemId] = st
        .tokens
        .get(&**token_id)
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
