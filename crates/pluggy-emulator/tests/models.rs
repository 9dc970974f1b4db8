//! Every answer decodes with pluggy-core's models and its response parser, the way this
//! project's clients read them.

mod common;

use common::*;
use pluggy_core::endpoints;
use pluggy_core::models::{
    Account, Connector, CursorPage, DeleteCount, Identity, Investment, InvestmentTransaction, Item,
    Page, ReducedAccount, Transaction, ValidationResponse, Webhook,
};
use pluggy_core::progress::ItemProgress;
use pluggy_core::{Error, RawResponse, parse_response};
use serde::de::DeserializeOwned;
use serde_json::json;

fn decode<T: DeserializeOwned>(
    ep: &'static pluggy_core::endpoint::Endpoint,
    r: &Resp,
) -> Result<T, Error> {
    parse_response(
        ep,
        &RawResponse::new(r.status, r.headers.clone(), r.body.clone()),
    )
}

#[tokio::test]
async fn answers_decode_with_the_core_models() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let list: Page<Connector> = decode(
        &endpoints::CONNECTORS_LIST,
        &get(&emu, "/connectors?sandbox=true", &key).await,
    )
    .unwrap();
    assert!(list.results.iter().any(|c| c.id.get() == 0));
    let c: Connector = decode(
        &endpoints::CONNECTOR_RETRIEVE,
        &get(&emu, "/connectors/3", &key).await,
    )
    .unwrap();
    assert_eq!(c.has_mfa, Some(true));
    let v: ValidationResponse = decode(
        &endpoints::CONNECTORS_VALIDATE,
        &post(&emu, "/connectors/0/validate", &key, json!({"user": "u"})).await,
    )
    .unwrap();
    assert!(!v.is_valid());

    let created = post(
        &emu,
        "/items",
        &key,
        json!({"connectorId": 3, "parameters": {"user": "user-ok", "password": "password-ok"}}),
    )
    .await;
    let item: Item = decode(&endpoints::ITEMS_CREATE, &created).unwrap();
    assert!(matches!(item.progress(), ItemProgress::InProgress { .. }));
    let id = item.id.as_str().to_owned();
    settle(&emu, &key, &id).await;
    let waiting: Item = decode(
        &endpoints::ITEMS_RETRIEVE,
        &get(&emu, &format!("/items/{id}"), &key).await,
    )
    .unwrap();
    assert!(matches!(
        waiting.progress(),
        ItemProgress::NeedsMfaInput { parameter: Some(_) }
    ));
    post(
        &emu,
        &format!("/items/{id}/mfa"),
        &key,
        json!({"token": "123456"}),
    )
    .await;
    settle(&emu, &key, &id).await;
    let done: Item = decode(
        &endpoints::ITEMS_RETRIEVE,
        &get(&emu, &format!("/items/{id}"), &key).await,
    )
    .unwrap();
    assert!(matches!(
        done.progress(),
        ItemProgress::Done { partial: false }
    ));
    assert!(done.status_detail.is_some());

    let accounts: Page<Account> = decode(
        &endpoints::ACCOUNTS_LIST,
        &get(&emu, &format!("/accounts?itemId={id}"), &key).await,
    )
    .unwrap();
    assert_eq!(accounts.results.len(), 2);
    let account = accounts.results[0].id.as_str().to_owned();
    let one: Account = decode(
        &endpoints::ACCOUNTS_RETRIEVE,
        &get(&emu, &format!("/accounts/{account}"), &key).await,
    )
    .unwrap();
    assert_eq!(one, accounts.results[0]);
    let txs: Page<Transaction> = decode(
        &endpoints::TRANSACTIONS_LIST,
        &get(&emu, &format!("/transactions?accountId={account}"), &key).await,
    )
    .unwrap();
    assert_eq!(txs.total, 25);
    let cursor: CursorPage<Transaction> = decode(
        &endpoints::TRANSACTIONS_LIST_BY_CURSOR,
        &get(&emu, &format!("/v2/transactions?accountId={account}"), &key).await,
    )
    .unwrap();
    assert_eq!(cursor.results.len(), 25);
    assert!(cursor.next.is_none());
    let tx: Transaction = decode(
        &endpoints::TRANSACTIONS_RETRIEVE,
        &get(&emu, &format!("/transactions/{}", txs.results[0].id), &key).await,
    )
    .unwrap();
    assert_eq!(tx, txs.results[0]);
    let identity: Identity = decode(
        &endpoints::IDENTITY_FIND_BY_ITEM,
        &get(&emu, &format!("/identity?itemId={id}"), &key).await,
    )
    .unwrap();
    assert!(identity.full_name.is_some());
    let inv: Page<Investment> = decode(
        &endpoints::INVESTMENTS_LIST,
        &get(&emu, &format!("/investments?itemId={id}"), &key).await,
    )
    .unwrap();
    let inv_txs: Page<InvestmentTransaction> = decode(
        &endpoints::INVESTMENT_TRANSACTIONS_LIST,
        &get(
            &emu,
            &format!("/investments/{}/transactions", inv.results[0].id),
            &key,
        )
        .await,
    )
    .unwrap();
    assert!(!inv_txs.results.is_empty());

    let token = connect_token(&emu, &key, json!({"itemId": id})).await;
    let reduced: Page<ReducedAccount> = decode(
        &endpoints::ACCOUNTS_LIST,
        &get(&emu, &format!("/accounts?itemId={id}"), &token).await,
    )
    .unwrap();
    assert_eq!(
        reduced.results[0],
        ReducedAccount::from(&accounts.results[0])
    );

    let hook: Webhook = decode(
        &endpoints::WEBHOOKS_CREATE,
        &post(
            &emu,
            "/webhooks",
            &key,
            json!({"url": "https://example.com/h", "event": "all"}),
        )
        .await,
    )
    .unwrap();
    assert!(hook.is_enabled());
    let hooks: Page<Webhook> = decode(
        &endpoints::WEBHOOKS_LIST,
        &get(&emu, "/webhooks", &key).await,
    )
    .unwrap();
    assert_eq!(hooks.results, [hook]);
    let count: DeleteCount = decode(
        &endpoints::ITEMS_DELETE,
        &delete(&emu, &format!("/items/{id}"), &key).await,
    )
    .unwrap();
    assert_eq!(count.count, 1);
}

#[tokio::test]
async fn errors_decode_into_the_typed_errors_clients_act_on() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let expired = get(&emu, "/items/x", "not-a-key").await;
    let err = decode::<Item>(&endpoints::ITEMS_RETRIEVE, &expired).unwrap_err();
    assert!(
        err.api().is_some_and(|e| e.is_invalid_credential()),
        "{err:?}"
    );
    let missing = get(&emu, "/items/x", &key).await;
    let err = decode::<Item>(&endpoints::ITEMS_RETRIEVE, &missing).unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.code_description(), Some("ITEM_NOT_FOUND"));
    assert!(!api.is_invalid_credential());
    // A scope refusal is a 403 that is not mistaken for an expired key.
    let token = connect_token(&emu, &key, json!({})).await;
    let refused = get(&emu, "/webhooks", &token).await;
    let err = decode::<Page<Webhook>>(&endpoints::WEBHOOKS_LIST, &refused).unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert!(!err.api().unwrap().is_invalid_credential());
    let bad = call(
        &emu,
        "POST",
        "/auth",
        None,
        Some(&json!({"clientId": "x", "clientSecret": "y"})),
    )
    .await;
    let err = decode::<serde_json::Value>(&endpoints::AUTH_CREATE, &bad).unwrap_err();
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
}
