//! Who a command calls the API as: the backend (the application's credentials, an API key) or,
//! when `PLUGGY_CONNECT_TOKEN` is set, the front end holding only that connect token, as
//! Pluggy Connect would. With a token, operations a connect token may never call (and any call
//! once the token's own `exp` has passed) are refused before anything is sent (exit code 4).
//! Which items a token covers is not checked here: the command cannot know the item a token
//! was issued for or created in an earlier run, so every item the command names is let
//! through, and the API answers 403 for another's.

use pluggy_blocking::Client;
use pluggy_core::{ConnectToken, CredentialScope, Error, ItemId, Request, check_access};

use crate::fail::{Failure, Kind};
use crate::settings::{Settings, non_empty_var};

/// The environment variable holding a connect token to act with.
pub const CONNECT_TOKEN_VAR: &str = "PLUGGY_CONNECT_TOKEN";

/// The credential a command runs with.
pub enum Caller {
    /// The application's client (API key).
    Backend(Client),
    /// A connect token.
    Front(ConnectToken),
}

impl Caller {
    /// The connect token from the environment if set, else the application's client.
    pub fn of(settings: &Settings) -> Result<Self, Failure> {
        match non_empty_var(CONNECT_TOKEN_VAR)? {
            Some(token) => Ok(Caller::Front(ConnectToken::new(token.trim()))),
            None => Ok(Caller::Backend(settings.client()?)),
        }
    }

    /// Makes a request open to connect tokens, with the API key or with the token (`items`
    /// are the items the command names: the CLI cannot tell which item a token was issued
    /// for, so it lets the API decide about those).
    pub fn call<T>(
        &self,
        settings: &Settings,
        request: Request<T>,
        items: &[ItemId],
    ) -> Result<T, Failure> {
        match self {
            Caller::Backend(client) => Ok(client.send(request)?),
            Caller::Front(token) => with_token(settings, token, request, items),
        }
    }

    /// The client, for calls only an API key may make (`probe` is one of them); with a
    /// connect token, the scope refusal.
    pub fn backend<T>(&self, probe: Request<T>) -> Result<&Client, Failure> {
        match self {
            Caller::Backend(client) => Ok(client),
            Caller::Front(_) => {
                let call = probe.into_parts().0?;
                check_access(&call, CredentialScope::ConnectToken { items: &[] })
                    .map_err(refused)?;
                Err(Failure::new(
                    Kind::Scope,
                    format!("{} is not open to connect tokens", call.endpoint()),
                ))
            }
        }
    }
}

/// Makes `request` with a connect token: refused locally outside its scope (or once the token
/// has expired), else sent through the SDK's connect-token client.
pub fn with_token<T>(
    settings: &Settings,
    token: &ConnectToken,
    request: Request<T>,
    items: &[ItemId],
) -> Result<T, Failure> {
    settings
        .connect_client(token, items)?
        .send(request)
        .map_err(|e| match e {
            Error::Scope(refusal) => refused(refusal),
            other => Failure::from(other),
        })
}

fn refused(error: pluggy_core::ScopeError) -> Failure {
    Failure::from(Error::Scope(error)).context(format_args!(
        "refused with the connect token in {CONNECT_TOKEN_VAR} (unset it to use the \
         application's credentials)"
    ))
}
