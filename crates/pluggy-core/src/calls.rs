//! One constructor per operation: which endpoint, which path and query parameters, which body.
//! Both drivers build their calls here, so the async and blocking clients cannot drift apart.

use crate::endpoints;
use crate::error::Error;
use crate::http::Call;
use crate::ids::{
    AccountId, ConnectorId, IdentityId, InvestmentId, ItemId, TransactionId, WebhookId,
};
use crate::models::{
    AccountType, ConnectTokenRequest, ConnectorFilters, CreateItemRequest, CreateWebhook,
    CursorTransactionFilters, InvestmentFilters, ItemParameters, TransactionFilters,
    UpdateItemRequest, UpdateWebhook,
};

/// `POST /connect_token`.
pub fn create_connect_token(request: &ConnectTokenRequest) -> Result<Call, Error> {
    Call::new(&endpoints::CONNECT_TOKEN_CREATE).json(request)
}

/// `GET /connectors` with filters.
pub fn list_connectors(filters: &ConnectorFilters) -> Call {
    filters.to_call()
}

/// `GET /connectors/{id}`.
pub fn get_connector(id: ConnectorId) -> Call {
    Call::new(&endpoints::CONNECTOR_RETRIEVE).path_param("id", id.to_string())
}

/// `POST /connectors/{id}/validate`.
pub fn validate_connector(id: ConnectorId, parameters: &ItemParameters) -> Result<Call, Error> {
    Call::new(&endpoints::CONNECTORS_VALIDATE)
        .path_param("id", id.to_string())
        .json(parameters)
}

/// `POST /items`.
pub fn create_item(request: &CreateItemRequest) -> Result<Call, Error> {
    Call::new(&endpoints::ITEMS_CREATE).json(request)
}

/// `GET /items/{id}`.
pub fn get_item(id: &ItemId) -> Call {
    Call::new(&endpoints::ITEMS_RETRIEVE).path_param("id", id.as_str())
}

/// `PATCH /items/{id}`: starts a new sync.
pub fn update_item(id: &ItemId, request: &UpdateItemRequest) -> Result<Call, Error> {
    Call::new(&endpoints::ITEMS_UPDATE)
        .path_param("id", id.as_str())
        .json(request)
}

/// `DELETE /items/{id}`.
pub fn delete_item(id: &ItemId) -> Call {
    Call::new(&endpoints::ITEMS_DELETE).path_param("id", id.as_str())
}

/// `POST /items/{id}/mfa` with the answers to the item's prompt.
pub fn send_mfa(id: &ItemId, answers: &ItemParameters) -> Result<Call, Error> {
    Call::new(&endpoints::ITEMS_SEND_MFA)
        .path_param("id", id.as_str())
        .json(answers)
}

/// `PATCH /items/{id}/disable-auto-sync`.
pub fn disable_auto_sync(id: &ItemId) -> Call {
    Call::new(&endpoints::ITEMS_DISABLE_AUTOSYNC).path_param("id", id.as_str())
}

/// `GET /accounts?itemId=…[&type=…]`.
pub fn list_accounts(item_id: &ItemId, kind: Option<&AccountType>) -> Call {
    Call::new(&endpoints::ACCOUNTS_LIST)
        .query("itemId", item_id.as_str())
        .query_opt("type", kind.map(|k| k.as_str().to_owned()))
}

/// `GET /accounts/{id}`.
pub fn get_account(id: &AccountId) -> Call {
    Call::new(&endpoints::ACCOUNTS_RETRIEVE).path_param("id", id.as_str())
}

/// `GET /transactions?accountId=…` (page style).
pub fn list_transactions(account_id: &AccountId, filters: &TransactionFilters) -> Call {
    filters.apply(Call::new(&endpoints::TRANSACTIONS_LIST).query("accountId", account_id.as_str()))
}

/// `GET /v2/transactions?accountId=…` (cursor style), first page.
pub fn list_transactions_cursor(
    account_id: &AccountId,
    filters: &CursorTransactionFilters,
) -> Call {
    filters.apply(
        Call::new(&endpoints::TRANSACTIONS_LIST_BY_CURSOR).query("accountId", account_id.as_str()),
    )
}

/// `GET /v2/transactions` at the `next` query string a cursor page gave back, sent verbatim.
pub fn next_transactions_cursor(next: &str) -> Result<Call, Error> {
    Call::new(&endpoints::TRANSACTIONS_LIST_BY_CURSOR).raw_query(next)
}

/// `GET /transactions/{id}`.
pub fn get_transaction(id: &TransactionId) -> Call {
    Call::new(&endpoints::TRANSACTIONS_RETRIEVE).path_param("id", id.as_str())
}

/// `GET /investments?itemId=…`.
pub fn list_investments(item_id: &ItemId, filters: &InvestmentFilters) -> Call {
    filters.apply(Call::new(&endpoints::INVESTMENTS_LIST).query("itemId", item_id.as_str()))
}

/// `GET /investments/{id}`.
pub fn get_investment(id: &InvestmentId) -> Call {
    Call::new(&endpoints::INVESTMENTS_RETRIEVE).path_param("id", id.as_str())
}

/// `GET /investments/{id}/transactions`.
pub fn list_investment_transactions(
    id: &InvestmentId,
    page: Option<u32>,
    page_size: Option<u32>,
) -> Call {
    Call::new(&endpoints::INVESTMENT_TRANSACTIONS_LIST)
        .path_param("id", id.as_str())
        .query_opt("page", page.map(|p| p.to_string()))
        .query_opt("pageSize", page_size.map(|p| p.to_string()))
}

/// `GET /identity?itemId=…`.
pub fn get_identity_by_item(item_id: &ItemId) -> Call {
    Call::new(&endpoints::IDENTITY_FIND_BY_ITEM).query("itemId", item_id.as_str())
}

/// `GET /identity/{id}`.
pub fn get_identity(id: &IdentityId) -> Call {
    Call::new(&endpoints::IDENTITY_RETRIEVE).path_param("id", id.as_str())
}

/// `GET /webhooks`.
pub fn list_webhooks() -> Call {
    Call::new(&endpoints::WEBHOOKS_LIST)
}

/// `POST /webhooks`. Headers that HTTP cannot carry are refused before anything is sent.
pub fn create_webhook(request: &CreateWebhook) -> Result<Call, Error> {
    if let Some(headers) = &request.headers {
        headers.check()?;
    }
    Call::new(&endpoints::WEBHOOKS_CREATE).json(request)
}

/// `GET /webhooks/{id}`.
pub fn get_webhook(id: &WebhookId) -> Call {
    Call::new(&endpoints::WEBHOOKS_RETRIEVE).path_param("id", id.as_str())
}

/// `PATCH /webhooks/{id}`. Headers that HTTP cannot carry are refused before anything is
/// sent.
pub fn update_webhook(id: &WebhookId, request: &UpdateWebhook) -> Result<Call, Error> {
    if let Some(Some(headers)) = &request.headers {
        headers.check()?;
    }
    Call::new(&endpoints::WEBHOOKS_UPDATE)
        .path_param("id", id.as_str())
        .json(request)
}

/// `DELETE /webhooks/{id}`.
pub fn delete_webhook(id: &WebhookId) -> Call {
    Call::new(&endpoints::WEBHOOKS_DELETE).path_param("id", id.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{BaseUrl, Credential};
    use crate::secret::ApiKey;

    fn url(call: Call) -> String {
        let key = ApiKey::new("k");
        call.prepare(&BaseUrl::default(), Credential::ApiKey(&key), "t")
            .unwrap()
            .url()
            .to_owned()
    }

    #[test]
    fn every_constructor_prepares_against_the_table() {
        let item = ItemId::new("it-1");
        let acc = AccountId::new("ac/1");
        let params = ItemParameters::new().with("user", "user-ok");
        let api = "https://api.pluggy.ai";
        let cases: Vec<(Call, &str)> = vec![
            (get_item(&item), "/items/it-1"),
            (list_accounts(&item, None), "/accounts?itemId=it-1"),
            (
                list_accounts(&item, Some(&AccountType::Credit)),
                "/accounts?itemId=it-1&type=CREDIT",
            ),
            (
                list_transactions(
                    &acc,
                    &TransactionFilters {
                        page: Some(2),
                        ..Default::default()
                    },
                ),
                "/transactions?accountId=ac%2F1&page=2",
            ),
            (
                next_transactions_cursor("?accountId=ac&after=a+b==").unwrap(),
                "/v2/transactions?accountId=ac&after=a+b==",
            ),
            (get_connector(ConnectorId::new(0)), "/connectors/0"),
            (
                list_investment_transactions(&InvestmentId::new("i"), Some(1), None),
                "/investments/i/transactions?page=1",
            ),
            (
                list_investment_transactions(&InvestmentId::new("i"), None, Some(50)),
                "/investments/i/transactions?pageSize=50",
            ),
            (get_identity_by_item(&item), "/identity?itemId=it-1"),
            (get_identity(&IdentityId::new("x y")), "/identity/x%20y"),
            (get_transaction(&TransactionId::new("t")), "/transactions/t"),
            (get_investment(&InvestmentId::new("i")), "/investments/i"),
            (
                list_investments(&item, &InvestmentFilters::default()),
                "/investments?itemId=it-1",
            ),
            (
                list_transactions_cursor(&acc, &CursorTransactionFilters::default()),
                "/v2/transactions?accountId=ac%2F1",
            ),
            (get_account(&acc), "/accounts/ac%2F1"),
            (delete_item(&item), "/items/it-1"),
            (disable_auto_sync(&item), "/items/it-1/disable-auto-sync"),
            (list_webhooks(), "/webhooks"),
            (get_webhook(&WebhookId::new("w")), "/webhooks/w"),
            (delete_webhook(&WebhookId::new("w")), "/webhooks/w"),
            (list_connectors(&ConnectorFilters::default()), "/connectors"),
            (
                create_item(&CreateItemRequest::new(ConnectorId::new(0), params.clone())).unwrap(),
                "/items",
            ),
            (send_mfa(&item, &params).unwrap(), "/items/it-1/mfa"),
            (
                validate_connector(ConnectorId::new(0), &params).unwrap(),
                "/connectors/0/validate",
            ),
            (
                update_item(&item, &UpdateItemRequest::default()).unwrap(),
                "/items/it-1",
            ),
            (
                create_connect_token(&ConnectTokenRequest::default()).unwrap(),
                "/connect_token",
            ),
            (
                create_webhook(&CreateWebhook {
                    url: "https://example.com/h".into(),
                    event: crate::WebhookEvent::All,
                    headers: None,
                })
                .unwrap(),
                "/webhooks",
            ),
            (
                update_webhook(&WebhookId::new("w"), &UpdateWebhook::default()).unwrap(),
                "/webhooks/w",
            ),
        ];
        for (call, path) in cases {
            let route = call.endpoint().route;
            assert_eq!(url(call), format!("{api}{path}"), "{route}");
        }
    }

    #[test]
    fn webhook_headers_http_cannot_carry_are_refused_before_sending() {
        use crate::models::WebhookHeaders;
        let bad = WebhookHeaders::new().with("x-webhook-secret", "whsec\n");
        let create = CreateWebhook {
            url: "https://example.com/h".into(),
            event: crate::WebhookEvent::All,
            headers: Some(bad.clone()),
        };
        let update = UpdateWebhook {
            headers: Some(Some(WebhookHeaders::new().with("bad name", "v"))),
            ..Default::default()
        };
        for result in [
            create_webhook(&create),
            update_webhook(&WebhookId::new("w"), &update),
        ] {
            let err = result.unwrap_err();
            assert!(matches!(err, Error::InvalidHeader(_)), "{err:?}");
            assert!(!err.is_transient());
        }
        let cleared = UpdateWebhook {
            headers: Some(None),
            ..Default::default()
        };
        assert!(update_webhook(&WebhookId::new("w"), &cleared).is_ok());
    }
}
