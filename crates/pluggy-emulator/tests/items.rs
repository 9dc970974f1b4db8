//! Connectors, items, the sync state machine, MFA and the sandbox usernames.

mod common;

use std::time::Duration;

use common::*;
use pluggy_emulator::Config;
use serde_json::json;

#[tokio::test]
async fn connectors_list_filters_and_get() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let all = get(&emu, "/connectors?sandbox=true", &key).await.json();
    let ids: Vec<u64> = all["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_u64().unwrap())
        .collect();
    for id in [0, 1, 2, 3] {
        assert!(ids.contains(&id), "{ids:?}");
    }
    assert_eq!(all["total"].as_u64().unwrap() as usize, ids.len());
    let real = get(&emu, "/connectors", &key).await.json();
    assert!(!real["results"].as_array().unwrap().is_empty());
    assert!(
        real["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["isSandbox"] == false)
    );
    let business = get(&emu, "/connectors?sandbox=true&types=BUSINESS_BANK", &key)
        .await
        .json();
    assert!(
        business["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["type"] == "BUSINESS_BANK")
    );
    assert!(!business["results"].as_array().unwrap().is_empty());
    let named = get(
        &emu,
        "/connectors?sandbox=true&name=pluggy%20bank%20mfa",
        &key,
    )
    .await
    .json();
    assert!(
        named["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["name"].as_str().unwrap().starts_with("Pluggy Bank MFA"))
    );
    let none = get(&emu, "/connectors?sandbox=true&countries=AR", &key)
        .await
        .json();
    assert_eq!(none["total"], 0);
    assert_eq!(
        get(&emu, "/connectors?sandbox=maybe", &key).await.status,
        400
    );

    let c0 = get(&emu, "/connectors/0", &key).await.json();
    assert_eq!(c0["name"], "Pluggy Bank");
    assert_eq!(c0["isSandbox"], true);
    assert_eq!(c0["hasMFA"], false);
    let names: Vec<&str> = c0["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["user", "password"]);
    assert_eq!(
        get(&emu, "/connectors/1", &key).await.json()["hasMFA"],
        true
    );
    let missing = get(&emu, "/connectors/999", &key).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["codeDescription"], "CONNECTOR_NOT_FOUND");
    assert_eq!(get(&emu, "/connectors/abc", &key).await.status, 400);
}

#[tokio::test]
async fn validate_reports_missing_and_invalid_parameters() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let ok = post(
        &emu,
        "/connectors/0/validate",
        &key,
        json!({"user": "user-ok", "password": "password-ok"}),
    )
    .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json()["errors"], json!([]));
    let bad = post(
        &emu,
        "/connectors/0/validate",
        &key,
        json!({"user": "nobody", "password": "x"}),
    )
    .await
    .json();
    let errors = bad["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["parameter"], "user");
    assert_eq!(errors[0]["code"], "002");
    let missing = post(
        &emu,
        "/connectors/1/validate",
        &key,
        json!({"user": "user-ok", "password": "password-ok"}),
    )
    .await
    .json();
    assert_eq!(missing["errors"][0]["parameter"], "token");
    assert_eq!(missing["errors"][0]["code"], "001");
}

#[tokio::test]
async fn sandbox_usernames_decide_the_outcome() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let cases = [
        ("user-ok", "UPDATED", "SUCCESS"),
        ("user-ok-account-error", "UPDATED", "PARTIAL_SUCCESS"),
        ("user-ok-account-warning", "UPDATED", "SUCCESS"),
        ("user-locked", "LOGIN_ERROR", "ACCOUNT_LOCKED"),
        ("user-error", "OUTDATED", "UNEXPECTED_ERROR"),
        ("user-unavailable", "OUTDATED", "SITE_NOT_AVAILABLE"),
        ("user-connection-error", "OUTDATED", "CONNECTION_ERROR"),
        (
            "user-account-credentials-reset",
            "LOGIN_ERROR",
            "ACCOUNT_CREDENTIALS_RESET",
        ),
        ("user-not-supported", "LOGIN_ERROR", "USER_NOT_SUPPORTED"),
        ("user-whoever", "LOGIN_ERROR", "INVALID_CREDENTIALS"),
    ];
    for connector in [0, 2, 201] {
        for (user, status, execution) in cases {
            let id = create_item(&emu, &key, connector, user).await;
            let item = settle(&emu, &key, &id).await;
            assert_eq!(item["status"], status, "{connector} {user}");
            assert_eq!(item["executionStatus"], execution, "{connector} {user}");
            if status == "UPDATED" {
                assert!(item["error"].is_null());
                assert!(item["lastUpdatedAt"].is_string());
            } else {
                assert_eq!(item["error"]["code"], execution);
                assert!(item["error"]["message"].is_string());
            }
        }
    }
    let id = create_item(&emu, &key, 0, "user-ok-account-error").await;
    let item = settle(&emu, &key, &id).await;
    assert_eq!(item["statusDetail"]["accounts"]["isUpdated"], false);
    let provider = create_item(&emu, &key, 0, "user-account-need-actions-provider-message").await;
    let item = settle(&emu, &key, &provider).await;
    assert_eq!(item["executionStatus"], "ACCOUNT_NEEDS_ACTION");
    assert!(item["error"]["providerMessage"].is_string());
    let wrong_password = post(
        &emu,
        "/items",
        &key,
        json!({"connectorId": 0, "parameters": {"user": "user-ok", "password": "password-no"}}),
    )
    .await
    .json();
    let item = settle(&emu, &key, wrong_password["id"].as_str().unwrap()).await;
    assert_eq!(item["executionStatus"], "INVALID_CREDENTIALS");
}

#[tokio::test]
async fn item_create_answers_updating_then_the_sync_runs() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let r = post(
        &emu,
        "/items",
        &key,
        json!({
            "connectorId": 2,
            "parameters": {"user": "user-ok", "password": "password-ok"},
            "clientUserId": "customer-7",
            "products": ["ACCOUNTS", "TRANSACTIONS"],
        }),
    )
    .await;
    assert_eq!(r.status, 200);
    let item = r.json();
    assert_eq!(item["status"], "UPDATING");
    assert_eq!(item["executionStatus"], "CREATED");
    assert_eq!(item["connector"]["id"], 2);
    assert_eq!(item["clientUserId"], "customer-7");
    assert!(item["lastUpdatedAt"].is_null());
    let created = item["createdAt"].as_str().unwrap();
    assert_eq!(created.len(), 24);
    assert!(created.ends_with('Z'));
    let id = item["id"].as_str().unwrap();
    assert_eq!(id.len(), 36);
    let done = settle(&emu, &key, id).await;
    assert_eq!(done["products"], json!(["ACCOUNTS", "TRANSACTIONS"]));
    assert!(done["nextAutoSyncAt"].is_string());
    assert_eq!(done["statusDetail"]["identity"], serde_json::Value::Null);

    let off = call(
        &emu,
        "PATCH",
        &format!("/items/{id}/disable-auto-sync"),
        Some(&key),
        None,
    )
    .await;
    assert_eq!(off.status, 200);
    assert!(off.json()["nextAutoSyncAt"].is_null());

    let deleted = delete(&emu, &format!("/items/{id}"), &key).await;
    assert_eq!(deleted.json(), json!({"count": 1}));
    let gone = get(&emu, &format!("/items/{id}"), &key).await;
    assert_eq!(gone.status, 404);
    assert_eq!(
        gone.json(),
        json!({"code": 404, "codeDescription": "ITEM_NOT_FOUND", "message": "item not found"})
    );
    assert_eq!(
        delete(&emu, &format!("/items/{id}"), &key).await.status,
        404
    );
}

#[tokio::test]
async fn item_creation_errors() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let r = post(
        &emu,
        "/items",
        &key,
        json!({"connectorId": 0, "parameters": {"user": "nobody"}}),
    )
    .await;
    assert_eq!(r.status, 400);
    let body = r.json();
    assert_eq!(body["codeDescription"], "CONNECTOR_VALIDATION_ERROR");
    let details = body["details"].as_array().unwrap();
    assert!(
        details
            .iter()
            .any(|d| d["parameter"] == "user" && d["code"] == "002")
    );
    assert!(
        details
            .iter()
            .any(|d| d["parameter"] == "password" && d["code"] == "001")
    );
    let r = post(&emu, "/items", &key, json!({"parameters": {}})).await;
    assert_eq!(r.status, 400);
    let r = post(
        &emu,
        "/items",
        &key,
        json!({"connectorId": "0", "parameters": {}}),
    )
    .await;
    assert_eq!(r.status, 400);
    let r = post(
        &emu,
        "/items",
        &key,
        json!({"connectorId": 4242, "parameters": {}}),
    )
    .await;
    assert_eq!(r.status, 404);
    let r = post(
        &emu,
        "/items",
        &key,
        json!({"connectorId": 0, "parameters": "encrypted"}),
    )
    .await;
    assert_eq!(r.status, 400);
    let r = post(
        &emu,
        "/items",
        &key,
        json!({"connectorId": 0, "parameters": {"user": "user-ok", "password": "password-ok"}, "products": ["NOPE"]}),
    )
    .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn avoid_duplicates_refuses_the_same_credentials() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let first = create_item(&emu, &key, 0, "user-ok").await;
    let body = json!({
        "connectorId": 0,
        "parameters": {"user": "user-ok", "password": "password-ok"},
        "avoidDuplicates": true,
    });
    let r = post(&emu, "/items", &key, body.clone()).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["codeDescription"], "ITEM_USER_ALREADY_EXISTS");
    assert_eq!(r.json()["items"], json!([first]));
    // Without the flag, a second item is created.
    let mut again = body;
    again["avoidDuplicates"] = json!(false);
    assert_eq!(post(&emu, "/items", &key, again).await.status, 200);
}

#[tokio::test]
async fn mfa_one_step_takes_the_token_with_the_credentials() {
    let emu = start().await;
    let key = api_key(&emu).await;
    for (token, execution) in [("123456", "SUCCESS"), ("654321", "INVALID_CREDENTIALS_MFA")] {
        let r = post(
            &emu,
            "/items",
            &key,
            json!({"connectorId": 1, "parameters": {"user": "user-ok", "password": "password-ok", "token": token}}),
        )
        .await;
        let item = settle(&emu, &key, r.json()["id"].as_str().unwrap()).await;
        assert_eq!(item["executionStatus"], execution);
    }
}

#[tokio::test]
async fn mfa_two_steps_waits_for_user_input() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let id = create_item(&emu, &key, 3, "user-ok").await;
    let item = settle(&emu, &key, &id).await;
    assert_eq!(item["status"], "WAITING_USER_INPUT");
    assert_eq!(item["executionStatus"], "WAITING_USER_INPUT");
    assert_eq!(item["parameter"]["name"], "token");
    assert!(item["parameter"]["expiresAt"].is_string());
    assert!(item["lastUpdatedAt"].is_null());
    // Updating while waiting is refused.
    let busy = patch(&emu, &format!("/items/{id}"), &key, json!({})).await;
    assert_eq!(busy.status, 400);
    // The parameter is required.
    let r = post(
        &emu,
        &format!("/items/{id}/mfa"),
        &key,
        json!({"code": "123456"}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["details"][0]["parameter"], "token");
    let r = post(
        &emu,
        &format!("/items/{id}/mfa"),
        &key,
        json!({"token": "123456"}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "UPDATING");
    assert!(r.json()["parameter"].is_null());
    let done = settle(&emu, &key, &id).await;
    assert_eq!(done["status"], "UPDATED");
    assert_eq!(done["executionStatus"], "SUCCESS");
    let late = post(
        &emu,
        &format!("/items/{id}/mfa"),
        &key,
        json!({"token": "123456"}),
    )
    .await;
    assert_eq!(late.status, 400);

    let wrong = create_item(&emu, &key, 3, "user-ok").await;
    settle(&emu, &key, &wrong).await;
    post(
        &emu,
        &format!("/items/{wrong}/mfa"),
        &key,
        json!({"token": "000000"}),
    )
    .await;
    let item = settle(&emu, &key, &wrong).await;
    assert_eq!(item["status"], "LOGIN_ERROR");
    assert_eq!(item["executionStatus"], "INVALID_CREDENTIALS_MFA");
    assert_eq!(item["consecutiveFailedLoginAttempts"], 1);

    // A failing login never asks for the token.
    let locked = create_item(&emu, &key, 3, "user-locked").await;
    assert_eq!(
        settle(&emu, &key, &locked).await["executionStatus"],
        "ACCOUNT_LOCKED"
    );
}

#[tokio::test]
async fn mfa_prompt_times_out_when_the_clock_passes_it() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let id = create_item(&emu, &key, 3, "user-ok").await;
    assert_eq!(
        settle(&emu, &key, &id).await["status"],
        "WAITING_USER_INPUT"
    );
    advance(&emu, 301.0).await;
    let item = get(&emu, &format!("/items/{id}"), &key).await.json();
    assert_eq!(item["status"], "LOGIN_ERROR");
    assert_eq!(item["executionStatus"], "USER_INPUT_TIMEOUT");
    assert!(item["parameter"].is_null());
}

#[tokio::test]
async fn syncs_advance_with_the_clock_and_updates_are_guarded() {
    let emu = start_with(Config {
        sync_step_delay: Duration::from_secs(60),
        ..Config::for_tests()
    })
    .await;
    let key = api_key(&emu).await;
    let id = create_item(&emu, &key, 0, "user-ok").await;
    let path = format!("/items/{id}");
    let item = get(&emu, &path, &key).await.json();
    assert_eq!(item["status"], "UPDATING");
    let busy = patch(&emu, &path, &key, json!({})).await;
    assert_eq!(busy.status, 400);
    assert_eq!(busy.json()["codeDescription"], "ITEM_ALREADY_UPDATING");
    advance(&emu, 61.0).await;
    let item = get(&emu, &path, &key).await.json();
    assert_eq!(item["status"], "UPDATING");
    assert_eq!(item["executionStatus"], "LOGIN_IN_PROGRESS");
    advance(&emu, 600.0).await;
    let item = get(&emu, &path, &key).await.json();
    assert_eq!(item["status"], "UPDATED");
    // An update with new credentials runs a new sync with them.
    let r = patch(
        &emu,
        &path,
        &key,
        json!({"parameters": {"user": "user-locked"}, "clientUserId": "c2"}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "UPDATING");
    assert_eq!(r.json()["clientUserId"], "c2");
    advance(&emu, 600.0).await;
    let item = get(&emu, &path, &key).await.json();
    assert_eq!(item["status"], "LOGIN_ERROR");
    assert_eq!(item["executionStatus"], "ACCOUNT_LOCKED");
    let invalid = patch(&emu, &path, &key, json!({"parameters": {"user": "bad"}})).await;
    assert_eq!(invalid.status, 400);
    assert_eq!(
        invalid.json()["codeDescription"],
        "CONNECTOR_VALIDATION_ERROR"
    );
}

#[tokio::test]
async fn auto_sync_runs_a_day_later() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let id = create_item(&emu, &key, 0, "user-ok").await;
    let first = settle(&emu, &key, &id).await;
    advance(&emu, 86_401.0).await;
    let key = api_key(&emu).await;
    let again = settle(&emu, &key, &id).await;
    assert_eq!(again["status"], "UPDATED");
    assert_ne!(again["lastUpdatedAt"], first["lastUpdatedAt"]);
}
