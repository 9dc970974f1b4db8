//! Query parameters in the forms Pluggy's official SDKs send them: the Python SDK's
//! `strftime("%Y-%m-%dT%H:%M:%S.%f%z")` date-times and repeated keys for arrays
//! (`ids=a&ids=b`, the OpenAPI default), next to the comma-separated lists the Node SDK sends.

mod common;

use std::collections::BTreeSet;

use common::*;
use pluggy_emulator::RunningEmulator;
use serde_json::Value;

/// A synced `user-ok-perf-4` item's checking account id (100 transactions).
async fn account(emu: &RunningEmulator, key: &str) -> String {
    let id = create_item(emu, key, 0, "user-ok-perf-4").await;
    assert_eq!(settle(emu, key, &id).await["status"], "UPDATED");
    let accounts = get(emu, &format!("/accounts?itemId={id}&type=BANK"), key)
        .await
        .json();
    accounts["results"][0]["id"].as_str().unwrap().to_owned()
}

fn ids_of(page: &Value) -> BTreeSet<String> {
    page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

/// All transactions of the account, on one page.
async fn all_transactions(emu: &RunningEmulator, key: &str, account: &str) -> Vec<Value> {
    get(emu, &format!("/transactions?accountId={account}"), key)
        .await
        .json()["results"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn date_filters_accept_python_sdk_date_times() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let account = account(&emu, &key).await;
    let all = all_transactions(&emu, &key, &account).await;
    // A day with transactions before and after it.
    let day = all[all.len() / 2]["date"].as_str().unwrap()[..10].to_owned();
    let reference = get(
        &emu,
        &format!("/transactions?accountId={account}&from={day}"),
        &key,
    )
    .await
    .json();
    let expected = ids_of(&reference);
    assert!(!expected.is_empty() && expected.len() < all.len());

    // The same instant (midnight UTC of `day`) as the Python SDK writes it, aware (`+0000`,
    // `+` percent-encoded as `quote` does) and naive (no offset: UTC), and with another offset.
    for from in [
        format!("{day}T00:00:00.000000%2B0000"),
        format!("{day}T00:00:00.000000"),
        format!("{day}T03:00:00.000000%2B0300"),
        format!("{day}T00:00:00.000Z"),
    ] {
        let page = get(
            &emu,
            &format!("/transactions?accountId={account}&from={from}"),
            &key,
        )
        .await;
        assert_eq!(page.status, 200, "from={from}: {:?}", page.json());
        assert_eq!(ids_of(&page.json()), expected, "from={from}");
        let cursor = get(
            &emu,
            &format!("/v2/transactions?accountId={account}&dateFrom={from}"),
            &key,
        )
        .await;
        assert_eq!(cursor.status, 200, "dateFrom={from}: {:?}", cursor.json());
        assert_eq!(ids_of(&cursor.json()), expected, "dateFrom={from}");
    }

    // `createdAtFrom` in the same form: no transaction was created after today.
    let today = get(&emu, "/__emulator/clock", &key).await.json()["now"]
        .as_str()
        .unwrap()[..10]
        .to_owned();
    let none = get(
        &emu,
        &format!(
            "/v2/transactions?accountId={account}&createdAtFrom={today}T23:59:59.999999%2B0000"
        ),
        &key,
    )
    .await;
    assert_eq!(none.status, 200, "{:?}", none.json());
    assert!(ids_of(&none.json()).is_empty());

    // Text that is no date is still refused, in the API's error shape.
    let bad = get(
        &emu,
        &format!("/transactions?accountId={account}&from={day}T00:00:00%2B1"),
        &key,
    )
    .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["code"], 400);
}

#[tokio::test]
async fn repeated_array_parameters_combine() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let account = account(&emu, &key).await;
    let all = all_transactions(&emu, &key, &account).await;
    let wanted: Vec<String> = all
        .iter()
        .step_by(7)
        .take(4)
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    let expected: BTreeSet<String> = wanted.iter().cloned().collect();

    let repeated = wanted
        .iter()
        .map(|id| format!("ids={id}"))
        .collect::<Vec<_>>()
        .join("&");
    let mixed = format!(
        "ids={},{}&ids={}&ids={}",
        wanted[0], wanted[1], wanted[2], wanted[3]
    );
    let commas = format!("ids={}", wanted.join(","));
    for query in [&repeated, &mixed, &commas] {
        for route in ["/transactions", "/v2/transactions"] {
            let page = get(&emu, &format!("{route}?accountId={account}&{query}"), &key)
                .await
                .json();
            assert_eq!(ids_of(&page), expected, "{route}?{query}");
        }
    }

    // More than 500 ids in total is refused however they are split.
    let many = (0..501)
        .map(|i| format!("ids=00000000-0000-4000-8000-{i:012}"))
        .collect::<Vec<_>>()
        .join("&");
    let refused = get(
        &emu,
        &format!("/transactions?accountId={account}&{many}"),
        &key,
    )
    .await;
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.json()["codeDescription"],
        "IDS_PARAMETER_EXCEEDS_MAX_LENGTH"
    );

    // Connector filters take repeated keys too.
    let kinds = |page: Value| -> BTreeSet<String> {
        page["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["type"].as_str().unwrap().to_owned())
            .collect()
    };
    let both: BTreeSet<String> = ["BUSINESS_BANK", "PERSONAL_BANK"].map(str::to_owned).into();
    for query in [
        "types=PERSONAL_BANK&types=BUSINESS_BANK",
        "types=PERSONAL_BANK,BUSINESS_BANK",
    ] {
        let page = get(&emu, &format!("/connectors?sandbox=true&{query}"), &key)
            .await
            .json();
        assert_eq!(kinds(page), both, "{query}");
    }
    let countries = get(
        &emu,
        "/connectors?sandbox=true&countries=AR&countries=BR",
        &key,
    )
    .await
    .json();
    assert!(!countries["results"].as_array().unwrap().is_empty());
}
