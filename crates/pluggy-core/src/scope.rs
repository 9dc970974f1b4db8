//! What a credential may call, checked before anything is sent.
//!
//! The rules come from `spec/access.toml` through the generated endpoint table: an API key may
//! call everything; a connect token only the operations Pluggy Connect needs, and only for the
//! item it was issued for or the items it created. The emulator enforces the same rules.

use crate::endpoint::{Access, ItemBinding};
use crate::error::ScopeError;
use crate::http::Call;
use crate::ids::ItemId;

/// The credential a call would be sent with, and what it covers.
#[derive(Clone, Copy, Debug)]
pub enum CredentialScope<'a> {
    /// No credential: only public operations (`POST /auth`).
    None,
    /// An API key: every operation but the public ones.
    ApiKey,
    /// A connect token, bound to these items (the one it was issued for, and those it created).
    ConnectToken {
        /// Items this token may touch.
        items: &'a [ItemId],
    },
}

/// Checks that `scope` may make `call`. A refusal means nothing should be sent.
pub fn check_access(call: &Call, scope: CredentialScope<'_>) -> Result<(), ScopeError> {
    let ep = call.endpoint();
    match (ep.access, scope) {
        (Access::Public, CredentialScope::None) => Ok(()),
        (Access::Public, _) => Err(ScopeError::NoCredentialAllowed { endpoint: ep.route }),
        (_, CredentialScope::None) => Err(ScopeError::ApiKeyRequired { endpoint: ep.route }),
        (_, CredentialScope::ApiKey) => Ok(()),
        (Access::ApiKey, CredentialScope::ConnectToken { .. }) => {
            Err(ScopeError::ApiKeyRequired { endpoint: ep.route })
        }
        (Access::ConnectToken(binding), CredentialScope::ConnectToken { items }) => match binding {
            ItemBinding::Unbound | ItemBinding::CreatesItem => Ok(()),
            ItemBinding::PathItem | ItemBinding::QueryItem => match call.item_id() {
                None => Err(ScopeError::ItemRequired { endpoint: ep.route }),
                Some(id) if items.iter().any(|i| i.as_str() == id) => Ok(()),
                Some(id) => Err(ScopeError::ItemOutOfScope {
                    endpoint: ep.route,
                    item_id: id,
                }),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::Access;
    use crate::endpoints::{self, ALL};

    #[test]
    fn api_key_reaches_everything_but_auth() {
        for ep in ALL {
            let r = check_access(&Call::new(ep), CredentialScope::ApiKey);
            assert_eq!(r.is_ok(), ep.access != Access::Public, "{}", ep.name);
        }
    }

    #[test]
    fn connect_token_table() {
        let mine = [ItemId::new("mine")];
        let tok = CredentialScope::ConnectToken { items: &mine };
        let allowed = |call: Call| check_access(&call, tok);
        assert!(allowed(Call::new(&endpoints::CONNECTORS_LIST)).is_ok());
        assert!(allowed(Call::new(&endpoints::CONNECTOR_RETRIEVE).path_param("id", "0")).is_ok());
        assert!(allowed(Call::new(&endpoints::ITEMS_CREATE)).is_ok());
        assert!(allowed(Call::new(&endpoints::ITEMS_RETRIEVE).path_param("id", "mine")).is_ok());
        assert!(allowed(Call::new(&endpoints::ITEMS_UPDATE).path_param("id", "mine")).is_ok());
        assert!(allowed(Call::new(&endpoints::ITEMS_SEND_MFA).path_param("id", "mine")).is_ok());
        assert!(allowed(Call::new(&endpoints::ACCOUNTS_LIST).query("itemId", "mine")).is_ok());
        assert!(matches!(
            allowed(Call::new(&endpoints::ITEMS_RETRIEVE).path_param("id", "theirs")),
            Err(ScopeError::ItemOutOfScope { .. })
        ));
        assert!(matches!(
            allowed(Call::new(&endpoints::ACCOUNTS_LIST)),
            Err(ScopeError::ItemRequired { .. })
        ));
        for ep in [
            &endpoints::TRANSACTIONS_LIST,
            &endpoints::TRANSACTIONS_LIST_BY_CURSOR,
            &endpoints::IDENTITY_FIND_BY_ITEM,
            &endpoints::INVESTMENTS_LIST,
            &endpoints::WEBHOOKS_LIST,
            &endpoints::CONNECT_TOKEN_CREATE,
            &endpoints::ITEMS_DELETE,
            &endpoints::ACCOUNTS_RETRIEVE,
        ] {
            let err = allowed(Call::new(ep).query_opt(
                "itemId",
                ep.query_params.contains(&"itemId").then_some("mine"),
            ))
            .unwrap_err();
            assert!(
                matches!(err, ScopeError::ApiKeyRequired { .. }),
                "{}",
                ep.name
            );
            assert!(err.to_string().contains("API key"));
        }
    }

    #[test]
    fn auth_takes_no_credential() {
        assert!(check_access(&Call::new(&endpoints::AUTH_CREATE), CredentialScope::None).is_ok());
        assert!(check_access(&Call::new(&endpoints::ITEMS_CREATE), CredentialScope::None).is_err());
    }
}
