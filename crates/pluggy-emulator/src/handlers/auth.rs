//! `POST /auth` (API keys) and `POST /connect_token` (connect tokens and their server-side
//! scope).

use pluggy_core::models::{AuthResponse, ConnectTokenOptions, ConnectTokenResponse};
use pluggy_core::secret::constant_time_eq;
use pluggy_core::{ApiKey, ClientUserId, ConnectToken, ItemId};
use serde_json::{Value, json};

use super::items::item_of;
use super::request::{Ctx, body_object, opt_bool, opt_products, opt_string, opt_webhook_url};
use crate::reply::{self, Reply};
use crate::world::clock::millis;
use crate::world::jwt;
use crate::world::state::{State, TokenScope};

/// `POST /auth`.
pub(crate) fn create_api_key(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
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

/// `POST /connect_token`.
pub(crate) fn create_connect_token(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
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
