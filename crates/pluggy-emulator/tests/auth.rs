//! `POST /auth`, `POST /connect_token`, expiry and the credential errors.

mod common;

use std::time::Duration;

use common::*;
use pluggy_emulator::{ClientCredentials, Config, DEFAULT_CLIENT_ID};
use serde_json::json;

#[tokio::test]
async fn api_key_is_a_jwt_with_exp_after_the_configured_ttl() {
    let emu = start_with(Config {
        api_key_ttl: Duration::from_secs(600),
        ..Config::for_tests()
    })
    .await;
    let key = api_key(&emu).await;
    let c = claims(&key);
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 600);
    assert_eq!(c["clientId"], DEFAULT_CLIENT_ID);
    let header = key.split('.').next().unwrap();
    assert_eq!(header, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
    assert_eq!(get(&emu, "/connectors", &key).await.status, 200);
    // Two keys issued in the same second still differ.
    assert_ne!(api_key(&emu).await, key);
}

#[tokio::test]
async fn bad_client_keys_get_401_client_keys_unauthorized() {
    let emu = start_with(Config {
        clients: vec![ClientCredentials::new("my-id", "my-secret")],
        ..Config::for_tests()
    })
    .await;
    for body in [
        json!({"clientId": "my-id", "clientSecret": "wrong"}),
        json!({"clientId": "other", "clientSecret": "my-secret"}),
    ] {
        let r = call(&emu, "POST", "/auth", None, Some(&body)).await;
        assert_eq!(r.status, 401);
        assert_eq!(
            r.json(),
            json!({"code": 401, "codeDescription": "CLIENT_KEYS_UNAUTHORIZED", "message": "Client keys are invalid"})
        );
    }
    let ok = call(
        &emu,
        "POST",
        "/auth",
        None,
        Some(&json!({"clientId": "my-id", "clientSecret": "my-secret", "nonExpiring": false})),
    )
    .await;
    assert_eq!(ok.status, 200);
    let missing = call(
        &emu,
        "POST",
        "/auth",
        None,
        Some(&json!({"clientId": "my-id"})),
    )
    .await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.json()["code"], 400);
    let wrong_type = call(
        &emu,
        "POST",
        "/auth",
        None,
        Some(&json!({"clientId": 5, "clientSecret": "x"})),
    )
    .await;
    assert_eq!(wrong_type.status, 400);
    assert_eq!(stats(&emu).await["auth_calls"], 5);
}

#[tokio::test]
async fn missing_invalid_and_forged_keys_get_403_without_code_description() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let mut forged: Vec<&str> = key.split('.').collect();
    let payload = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"clientId":"x","iat":1,"exp":99999999999}"#)
    };
    forged[1] = &payload;
    let forged = forged.join(".");
    for k in [None, Some(""), Some("garbage"), Some(forged.as_str())] {
        let r = call(&emu, "GET", "/connectors", k, None).await;
        assert_eq!(r.status, 403, "{k:?}");
        assert_eq!(
            r.json(),
            json!({"code": 403, "message": "Missing or invalid authorization token"})
        );
    }
}

#[tokio::test]
async fn keys_and_tokens_expire_when_the_clock_advances() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let token = connect_token(&emu, &key, json!({})).await;
    assert_eq!(get(&emu, "/connectors", &token).await.status, 200);
    advance(&emu, 1801.0).await;
    let r = get(&emu, "/connectors", &token).await;
    assert_eq!(r.status, 403);
    assert!(r.json().get("codeDescription").is_none());
    assert_eq!(get(&emu, "/connectors", &key).await.status, 200);
    advance(&emu, 7200.0).await;
    let r = get(&emu, "/connectors", &key).await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json()["message"],
        "Missing or invalid authorization token"
    );
    // The handle moves the same clock.
    let fresh = api_key(&emu).await;
    emu.advance_clock(Duration::from_secs(7201));
    assert_eq!(get(&emu, "/connectors", &fresh).await.status, 403);
    assert_eq!(emu.stats()["requests"]["GET /connectors"]["403"], 3);
    // A fresh key works again, with exp on the emulator's clock.
    let fresh = api_key(&emu).await;
    assert_eq!(get(&emu, "/connectors", &fresh).await.status, 200);
}

#[tokio::test]
async fn connect_token_is_a_jwt_with_client_id_and_30_minutes() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let token = connect_token(&emu, &key, json!({"options": {"clientUserId": "u1"}})).await;
    let c = claims(&token);
    assert_eq!(
        c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(),
        1800
    );
    assert_eq!(c["clientId"], DEFAULT_CLIENT_ID);
    assert!(c["data"].is_string());
    // The legacy path answers the same way.
    let legacy = post(&emu, "/connecttokens", &key, json!({})).await;
    assert_eq!(legacy.status, 200);
    assert!(legacy.json()["accessToken"].is_string());
    let s = stats(&emu).await;
    assert_eq!(s["requests"]["POST /connecttokens"]["200"], 1);
    assert_eq!(s["requests"]["POST /connect_token"]["200"], 1);
    // An empty body is accepted too.
    let empty = call(&emu, "POST", "/connect_token", Some(&key), None).await;
    assert_eq!(empty.status, 200);
}

#[tokio::test]
async fn connect_token_for_an_unknown_item_is_404() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let r = post(
        &emu,
        "/connect_token",
        &key,
        json!({"itemId": "00000000-0000-4000-8000-000000000000"}),
    )
    .await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json(),
        json!({"code": 404, "codeDescription": "ITEM_NOT_FOUND", "message": "item not found"})
    );
    let bad = post(
        &emu,
        "/connect_token",
        &key,
        json!({"options": {"avoidDuplicates": "yes"}}),
    )
    .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn reset_forgets_keys_items_and_counts() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let id = create_item(&emu, &key, 0, "user-ok").await;
    let r = call(&emu, "POST", "/__emulator/reset", None, None).await;
    assert_eq!(r.status, 200);
    assert_eq!(get(&emu, "/connectors", &key).await.status, 403);
    let key = api_key(&emu).await;
    assert_eq!(get(&emu, &format!("/items/{id}"), &key).await.status, 404);
    let s = stats(&emu).await;
    assert_eq!(s["auth_calls"], 1);
    assert_eq!(s["requests"]["GET /items/{id}"]["404"], 1);
    assert!(s["requests"].get("POST /items").is_none());
}
