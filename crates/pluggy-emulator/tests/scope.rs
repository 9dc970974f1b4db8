//! Connect tokens: what they may reach, enforced server-side with pluggy-core's rules.

mod common;

use common::*;
use pluggy_core::REDUCED_ACCOUNT_FIELDS;
use serde_json::json;

#[tokio::test]
async fn a_connect_token_creates_and_sees_only_its_items() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let other = create_item(&emu, &key, 0, "user-ok").await;
    let token = connect_token(
        &emu,
        &key,
        json!({"options": {"clientUserId": "end-user-1", "webhookUrl": "http://127.0.0.1:9/hook", "avoidDuplicates": false}}),
    )
    .await;
    assert_eq!(
        get(&emu, "/connectors?sandbox=true", &token).await.status,
        200
    );
    assert_eq!(get(&emu, "/connectors/0", &token).await.status, 200);
    let v = post(
        &emu,
        "/connectors/0/validate",
        &token,
        json!({"user": "user-ok", "password": "password-ok"}),
    )
    .await;
    assert_eq!(v.status, 200);
    let mine = create_item(&emu, &token, 0, "user-ok").await;
    let item = settle(&emu, &token, &mine).await;
    assert_eq!(item["status"], "UPDATED");
    assert_eq!(item["clientUserId"], "end-user-1");
    assert_eq!(item["webhookUrl"], "http://127.0.0.1:9/hook");

    let refused = get(&emu, &format!("/items/{other}"), &token).await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.json()["code"], 403);
    assert_eq!(refused.json()["codeDescription"], "FORBIDDEN");
    assert_eq!(
        patch(&emu, &format!("/items/{other}"), &token, json!({}))
            .await
            .status,
        403
    );
    assert_eq!(
        get(&emu, &format!("/accounts?itemId={other}"), &token)
            .await
            .status,
        403
    );
    assert_eq!(get(&emu, "/accounts", &token).await.status, 403);

    // Its own item: update, and the reduced account view.
    let accounts = get(&emu, &format!("/accounts?itemId={mine}"), &token).await;
    assert_eq!(accounts.status, 200);
    let results = accounts.json()["results"].as_array().unwrap().clone();
    assert!(!results.is_empty());
    for a in &results {
        let mut keys: Vec<&str> = a.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        let mut expected = REDUCED_ACCOUNT_FIELDS.to_vec();
        expected.sort_unstable();
        assert_eq!(keys, expected);
    }
    let full = get(&emu, &format!("/accounts?itemId={mine}"), &key)
        .await
        .json();
    assert!(full["results"][0]["balance"].is_number());
    assert_eq!(
        patch(&emu, &format!("/items/{mine}"), &token, json!({}))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_connect_token_is_refused_everything_else() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let token = connect_token(&emu, &key, json!({})).await;
    let mine = create_item(&emu, &token, 0, "user-ok").await;
    settle(&emu, &token, &mine).await;
    let account = get(&emu, &format!("/accounts?itemId={mine}"), &key)
        .await
        .json()["results"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (method, path) in [
        ("GET", format!("/accounts/{account}")),
        ("GET", format!("/transactions?accountId={account}")),
        ("GET", format!("/v2/transactions?accountId={account}")),
        ("GET", format!("/identity?itemId={mine}")),
        ("GET", format!("/investments?itemId={mine}")),
        ("GET", "/webhooks".to_owned()),
        ("POST", "/webhooks".to_owned()),
        ("POST", "/connect_token".to_owned()),
        ("DELETE", format!("/items/{mine}")),
        ("PATCH", format!("/items/{mine}/disable-auto-sync")),
    ] {
        let r = call(&emu, method, &path, Some(&token), Some(&json!({}))).await;
        assert_eq!(r.status, 403, "{method} {path}");
        assert_eq!(r.json()["codeDescription"], "FORBIDDEN", "{method} {path}");
    }
    // The item survived the refused delete.
    assert_eq!(get(&emu, &format!("/items/{mine}"), &key).await.status, 200);
}

#[tokio::test]
async fn a_token_issued_for_an_item_reaches_that_item() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let id = create_item(&emu, &key, 3, "user-ok").await;
    settle(&emu, &key, &id).await;
    let token = connect_token(&emu, &key, json!({"itemId": id})).await;
    let item = get(&emu, &format!("/items/{id}"), &token).await;
    assert_eq!(item.status, 200);
    assert_eq!(item.json()["status"], "WAITING_USER_INPUT");
    let r = post(
        &emu,
        &format!("/items/{id}/mfa"),
        &token,
        json!({"token": "123456"}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(settle(&emu, &token, &id).await["status"], "UPDATED");
    // Another token does not.
    let stranger = connect_token(&emu, &key, json!({})).await;
    assert_eq!(
        get(&emu, &format!("/items/{id}"), &stranger).await.status,
        403
    );
}

#[tokio::test]
async fn clients_do_not_see_each_others_items() {
    use pluggy_emulator::{ClientCredentials, Config};
    let emu = start_with(Config {
        clients: vec![
            ClientCredentials::new("a", "sa"),
            ClientCredentials::new("b", "sb"),
        ],
        ..Config::for_tests()
    })
    .await;
    let key = |id: &'static str, secret: &'static str| {
        let emu = &emu;
        async move {
            let r = call(
                emu,
                "POST",
                "/auth",
                None,
                Some(&json!({"clientId": id, "clientSecret": secret})),
            )
            .await;
            r.json()["apiKey"].as_str().unwrap().to_owned()
        }
    };
    let ka = key("a", "sa").await;
    let kb = key("b", "sb").await;
    let id = create_item(&emu, &ka, 0, "user-ok").await;
    assert_eq!(get(&emu, &format!("/items/{id}"), &ka).await.status, 200);
    assert_eq!(get(&emu, &format!("/items/{id}"), &kb).await.status, 404);
    let r = post(&emu, "/connect_token", &kb, json!({"itemId": id})).await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn token_options_avoid_duplicates() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let first = create_item(&emu, &key, 0, "user-ok").await;
    let token = connect_token(&emu, &key, json!({"options": {"avoidDuplicates": true}})).await;
    let r = post(
        &emu,
        "/items",
        &token,
        json!({"connectorId": 0, "parameters": {"user": "user-ok", "password": "password-ok"}}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["codeDescription"], "ITEM_USER_ALREADY_EXISTS");
    assert_eq!(r.json()["items"], json!([first]));
    // The request may still override the token's option.
    let r = post(
        &emu,
        "/items",
        &token,
        json!({"connectorId": 0, "parameters": {"user": "user-ok", "password": "password-ok"}, "avoidDuplicates": false}),
    )
    .await;
    assert_eq!(r.status, 200);
}
