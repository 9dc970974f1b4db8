//! The Connect widget's routes, without a browser: content types, the security policy, no
//! third-party code, the drop-in script, the zoid route (404 unless configured), and the API
//! calls the app makes with a connect token only.

mod common;

use common::*;
use pluggy_emulator::Config;
use serde_json::json;

fn text(r: &Resp) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

async fn fetch(emu: &pluggy_emulator::RunningEmulator, path: &str) -> Resp {
    call(emu, "GET", path, None, None).await
}

#[tokio::test]
async fn serves_the_page_its_script_and_style_sheet() {
    let emu = start().await;
    for (path, kind) in [
        ("/connect", "text/html"),
        ("/connect/", "text/html"),
        ("/connect/connect.js", "text/javascript"),
        ("/connect/connect.css", "text/css"),
        ("/connect/pluggy-connect.js", "text/javascript"),
    ] {
        let r = fetch(&emu, path).await;
        assert_eq!(r.status, 200, "{path}");
        let ct = r.header("content-type").unwrap_or_default();
        assert!(ct.starts_with(kind), "{path}: {ct}");
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("connect-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe"), "{path}: {csp}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    }
    let page = text(&fetch(&emu, "/connect?connectToken=abc").await);
    assert!(page.contains("<script src=\"/connect/connect.js\""));
    assert!(
        !page.contains("zoid"),
        "no zoid script without a configured path"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn embeds_no_third_party_code() {
    let emu = start().await;
    for path in [
        "/connect",
        "/connect/connect.js",
        "/connect/connect.css",
        "/connect/pluggy-connect.js",
    ] {
        let body = text(&fetch(&emu, path).await);
        for marker in [
            "http://",
            "https://",
            "//cdn",
            "innerHTML",
            "eval(",
            "document.write",
        ] {
            assert!(!body.contains(marker), "{path} contains {marker}");
        }
    }
    let page = text(&fetch(&emu, "/connect").await);
    for tag in page.split("<script").skip(1) {
        assert!(tag.trim_start().starts_with("src=\"/connect/"), "{tag}");
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn the_app_carries_the_contract() {
    let emu = start().await;
    let app = text(&fetch(&emu, "/connect/connect.js").await);
    for needle in [
        "'data-connector-id'",
        "'data-state'",
        "type: 'submit'",
        "'terms'",
        "'connectors'",
        "'credentials'",
        "'syncing'",
        "'mfa'",
        "'success'",
        "'error'",
        "'X-API-KEY'",
        "'pluggy-connect-widget'",
        "name + 'Prop'",
        "SUBMITTED_CONSENT",
        "SELECTED_INSTITUTION",
        "SUBMITTED_LOGIN",
        "SUBMITTED_MFA",
        "LOGIN_SUCCESS",
        "LOGIN_MFA_SUCCESS",
        "LOGIN_STEP_COMPLETED",
        "ITEM_RESPONSE",
        "'onSuccess'",
        "'onError'",
        "'onOpen'",
        "'onClose'",
        "'onEvent'",
    ] {
        assert!(app.contains(needle), "connect.js lacks {needle}");
    }
    let drop_in = text(&fetch(&emu, "/connect/pluggy-connect.js").await);
    for needle in [
        "window.PluggyConnect",
        "prototype.init",
        "prototype.show",
        "prototype.hide",
        "prototype.destroy",
        "e.origin !== EMULATOR_ORIGIN",
    ] {
        assert!(drop_in.contains(needle), "pluggy-connect.js lacks {needle}");
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn unknown_paths_and_methods() {
    let emu = start().await;
    assert_eq!(fetch(&emu, "/connect/nothing.js").await.status, 404);
    assert_eq!(
        call(&emu, "POST", "/connect", None, Some(&json!({})))
            .await
            .status,
        405
    );
    // The connect token route is not the widget's.
    let key = api_key(&emu).await;
    let r = post(&emu, "/connect_token", &key, json!({})).await;
    assert_eq!(r.status, 200, "{}", text(&r));
    emu.shutdown().await;
}

#[tokio::test]
async fn the_zoid_route_needs_a_configured_file() {
    let emu = start().await;
    assert_eq!(fetch(&emu, "/connect/zoid.frame.js").await.status, 404);
    emu.shutdown().await;

    let dir = std::env::temp_dir().join(format!("pluggy-emulator-zoid-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("zoid.frame.js");
    std::fs::write(&file, "window.zoid = { create: function () {} };\n").expect("write");
    let emu = start_with(Config {
        connect_zoid: Some(file.clone()),
        ..Config::for_tests()
    })
    .await;
    let r = fetch(&emu, "/connect/zoid.frame.js").await;
    assert_eq!(r.status, 200);
    assert!(
        r.header("content-type")
            .unwrap_or_default()
            .starts_with("text/javascript")
    );
    assert_eq!(text(&r), "window.zoid = { create: function () {} };\n");
    let page = text(&fetch(&emu, "/connect").await);
    let zoid = page
        .find("/connect/zoid.frame.js")
        .expect("zoid script tag");
    let app = page.find("/connect/connect.js").expect("app script tag");
    assert!(zoid < app, "zoid loads before the app");
    emu.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// What the app does, as plain API calls with the connect token only.
#[tokio::test]
async fn the_flow_runs_with_a_connect_token_only() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let token = connect_token(&emu, &key, json!({"options": {"clientUserId": "u-1"}})).await;
    let list = get(&emu, "/connectors?sandbox=true&types=PERSONAL_BANK", &token).await;
    assert_eq!(list.status, 200, "{}", text(&list));
    let bank = list.json()["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|c| c["id"] == 0)
        .cloned()
        .expect("Pluggy Bank");
    assert!(bank["credentials"][0]["validation"].is_string());
    assert!(bank["credentials"][0]["validationMessage"].is_string());
    let item = post(
        &emu,
        "/items",
        &token,
        json!({"connectorId": 0, "parameters": {"user": "user-ok", "password": "password-ok"}}),
    )
    .await;
    assert_eq!(item.status, 200, "{}", text(&item));
    let id = item.json()["id"].as_str().expect("id").to_owned();
    let read = get(&emu, &format!("/items/{id}"), &token).await;
    assert_eq!(read.status, 200, "{}", text(&read));
    assert_eq!(read.json()["clientUserId"], "u-1");

    // Update mode: a token issued for that item reads it and its connector, and patches it.
    let update = connect_token(&emu, &key, json!({"itemId": id})).await;
    assert_eq!(
        get(&emu, &format!("/items/{id}"), &update).await.status,
        200
    );
    assert_eq!(get(&emu, "/connectors/0", &update).await.status, 200);
    let patched = patch(
        &emu,
        &format!("/items/{id}"),
        &update,
        json!({"parameters": {"user": "user-ok", "password": "password-ok"}}),
    )
    .await;
    assert_eq!(patched.status, 200, "{}", text(&patched));

    // Outside its scope: the message the error screen shows.
    let other = create_item(&emu, &key, 0, "user-ok").await;
    let denied = get(&emu, &format!("/items/{other}"), &update).await;
    assert_eq!(denied.status, 403, "{}", text(&denied));
    assert!(denied.json()["message"].is_string());
    emu.shutdown().await;
}
