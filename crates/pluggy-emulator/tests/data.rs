//! Accounts, transactions (page and cursor style), identity and investments.

mod common;

use std::collections::HashSet;

use common::*;
use pluggy_emulator::Config;
use serde_json::{Value, json};

async fn synced(
    emu: &pluggy_emulator::RunningEmulator,
    key: &str,
    user: &str,
) -> (String, Vec<Value>) {
    let id = create_item(emu, key, 0, user).await;
    assert_eq!(settle(emu, key, &id).await["status"], "UPDATED");
    let accounts = get(emu, &format!("/accounts?itemId={id}"), key)
        .await
        .json();
    (id, accounts["results"].as_array().unwrap().clone())
}

#[tokio::test]
async fn accounts_are_a_checking_account_and_a_credit_card() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let (id, accounts) = synced(&emu, &key, "user-ok").await;
    let kinds: Vec<(&str, &str)> = accounts
        .iter()
        .map(|a| (a["type"].as_str().unwrap(), a["subtype"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [("BANK", "CHECKING_ACCOUNT"), ("CREDIT", "CREDIT_CARD")]
    );
    for a in &accounts {
        for field in [
            "id",
            "number",
            "name",
            "balance",
            "itemId",
            "currencyCode",
            "createdAt",
            "updatedAt",
        ] {
            assert!(!a[field].is_null(), "{field}");
        }
        assert_eq!(a["itemId"], id.as_str());
    }
    assert!(accounts[1]["creditData"]["creditLimit"].is_number());
    let credit = get(&emu, &format!("/accounts?itemId={id}&type=CREDIT"), &key)
        .await
        .json();
    assert_eq!(credit["total"], 1);
    assert_eq!(
        get(&emu, &format!("/accounts?itemId={id}&type=X"), &key)
            .await
            .status,
        400
    );
    let one = get(
        &emu,
        &format!("/accounts/{}", accounts[0]["id"].as_str().unwrap()),
        &key,
    )
    .await;
    assert_eq!(one.json(), accounts[0]);
    let missing = get(&emu, "/accounts/nope", &key).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["codeDescription"], "ACCOUNT_NOT_FOUND");
    assert_eq!(get(&emu, "/accounts", &key).await.status, 400);
    // The accounts product failing leaves only the credit card.
    let (_, partial) = synced(&emu, &key, "user-ok-account-error").await;
    assert_eq!(partial.len(), 1);
    assert_eq!(partial[0]["type"], "CREDIT");
}

#[tokio::test]
async fn transactions_page_style() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let (_, accounts) = synced(&emu, &key, "user-ok").await;
    let account = accounts[0]["id"].as_str().unwrap();
    let all = get(&emu, &format!("/transactions?accountId={account}"), &key)
        .await
        .json();
    assert_eq!(all["total"], 25);
    assert_eq!(all["page"], 1);
    let mut seen = HashSet::new();
    for page in 1..=3 {
        let p = get(
            &emu,
            &format!("/transactions?accountId={account}&pageSize=10&page={page}"),
            &key,
        )
        .await
        .json();
        assert_eq!(p["totalPages"], 3);
        for t in p["results"].as_array().unwrap() {
            assert!(seen.insert(t["id"].as_str().unwrap().to_owned()));
            assert_eq!(t["accountId"], account);
            assert!(t["amount"].is_number());
            assert!(t["date"].as_str().unwrap().ends_with(".000Z"));
        }
    }
    assert_eq!(seen.len(), 25);
    let first = all["results"][0].clone();
    let one = get(
        &emu,
        &format!("/transactions/{}", first["id"].as_str().unwrap()),
        &key,
    )
    .await;
    assert_eq!(one.json(), first);
    assert_eq!(
        get(&emu, "/transactions/nope", &key).await.json()["codeDescription"],
        "TRANSACTION_NOT_FOUND"
    );
    assert_eq!(
        get(
            &emu,
            &format!("/transactions?accountId={account}&pageSize=501"),
            &key
        )
        .await
        .status,
        400
    );
    assert_eq!(
        get(
            &emu,
            &format!("/transactions?accountId={account}&page=0"),
            &key
        )
        .await
        .status,
        400
    );
    assert_eq!(get(&emu, "/transactions", &key).await.status, 400);
    // Date filters keep only the matching days.
    let day = &first["date"].as_str().unwrap()[..10];
    let filtered = get(
        &emu,
        &format!("/transactions?accountId={account}&from={day}&to={day}"),
        &key,
    )
    .await
    .json();
    let results = filtered["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert!(
        results
            .iter()
            .all(|t| t["date"].as_str().unwrap().starts_with(day))
    );
    assert_eq!(
        get(
            &emu,
            &format!("/transactions?accountId={account}&from=yesterday"),
            &key
        )
        .await
        .status,
        400
    );
}

#[tokio::test]
async fn perf_users_multiply_transactions_and_cursors_walk_them_all() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let (_, accounts) = synced(&emu, &key, "user-ok-perf-30").await;
    let account = accounts[0]["id"].as_str().unwrap();
    let mut path = format!("/v2/transactions?accountId={account}");
    let mut ids = HashSet::new();
    let mut pages = 0;
    let mut last_key: Option<(String, String)> = None;
    loop {
        let page = get(&emu, &path, &key).await;
        assert_eq!(page.status, 200, "{:?}", page.json());
        let page = page.json();
        pages += 1;
        for t in page["results"].as_array().unwrap() {
            let k = (
                t["date"].as_str().unwrap().to_owned(),
                t["id"].as_str().unwrap().to_owned(),
            );
            if let Some(prev) = &last_key {
                assert!(*prev < k, "cursor order");
            }
            last_key = Some(k);
            assert!(ids.insert(t["id"].as_str().unwrap().to_owned()));
        }
        match page["next"].as_str() {
            // The next query is reused verbatim.
            Some(next) => path = format!("/v2/transactions{next}"),
            None => break,
        }
    }
    assert_eq!(ids.len(), 750);
    assert_eq!(pages, 2);
    let bad = get(
        &emu,
        &format!("/v2/transactions?accountId={account}&after=%%%"),
        &key,
    )
    .await;
    assert_eq!(bad.status, 400);
    let many: Vec<String> = (0..501).map(|i| format!("id{i}")).collect();
    let r = get(
        &emu,
        &format!(
            "/v2/transactions?accountId={account}&ids={}",
            many.join(",")
        ),
        &key,
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["codeDescription"],
        "IDS_PARAMETER_EXCEEDS_MAX_LENGTH"
    );
    let r = get(
        &emu,
        &format!(
            "/v2/transactions?accountId={account}&dateFrom=2020-01-01&createdAtFrom=2020-01-01"
        ),
        &key,
    )
    .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn identity_and_investments() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let (id, _) = synced(&emu, &key, "user-ok").await;
    let identity = get(&emu, &format!("/identity?itemId={id}"), &key).await;
    assert_eq!(identity.status, 200);
    let identity = identity.json();
    assert_eq!(identity["itemId"], id.as_str());
    assert!(identity["fullName"].is_string());
    assert!(
        identity["birthDate"]
            .as_str()
            .unwrap()
            .ends_with("T00:00:00.000Z")
    );
    let again = get(
        &emu,
        &format!("/identity/{}", identity["id"].as_str().unwrap()),
        &key,
    )
    .await;
    assert_eq!(again.json(), identity);
    assert_eq!(
        get(&emu, "/identity/nope", &key).await.json()["codeDescription"],
        "IDENTITY_NOT_FOUND"
    );

    let inv = get(&emu, &format!("/investments?itemId={id}"), &key)
        .await
        .json();
    assert_eq!(inv["total"], 3);
    let first = inv["results"][0].clone();
    for field in [
        "id",
        "itemId",
        "type",
        "balance",
        "name",
        "currencyCode",
        "date",
    ] {
        assert!(!first[field].is_null(), "{field}");
    }
    let fixed = get(
        &emu,
        &format!("/investments?itemId={id}&type=FIXED_INCOME"),
        &key,
    )
    .await
    .json();
    assert_eq!(fixed["total"], 1);
    let inv_id = first["id"].as_str().unwrap();
    assert_eq!(
        get(&emu, &format!("/investments/{inv_id}"), &key)
            .await
            .json(),
        first
    );
    let txs = get(&emu, &format!("/investments/{inv_id}/transactions"), &key)
        .await
        .json();
    assert!(txs["total"].as_u64().unwrap() >= 2);
    assert!(txs["results"][0]["type"].is_string());
    assert_eq!(
        get(&emu, "/investments/nope", &key).await.json()["codeDescription"],
        "INVESTMENT_NOT_FOUND"
    );

    // An item whose login failed has no identity.
    let failed = create_item(&emu, &key, 0, "user-locked").await;
    settle(&emu, &key, &failed).await;
    assert_eq!(
        get(&emu, &format!("/identity?itemId={failed}"), &key)
            .await
            .status,
        404
    );
    assert_eq!(
        get(&emu, &format!("/accounts?itemId={failed}"), &key)
            .await
            .json()["total"],
        0
    );
}

#[tokio::test]
async fn data_is_deterministic_for_a_seed() {
    async fn snapshot(seed: u64) -> (String, Value) {
        let emu = start_with(Config {
            seed,
            ..Config::for_tests()
        })
        .await;
        let key = api_key(&emu).await;
        let (id, accounts) = synced(&emu, &key, "user-ok").await;
        let account = accounts[0]["id"].as_str().unwrap();
        let txs = get(&emu, &format!("/transactions?accountId={account}"), &key)
            .await
            .json();
        let ids: Vec<Value> = txs["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].clone())
            .collect();
        let amounts: Vec<Value> = txs["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["amount"].clone())
            .collect();
        (
            id,
            json!({"accounts": accounts.iter().map(|a| a["id"].clone()).collect::<Vec<_>>(), "ids": ids, "amounts": amounts}),
        )
    }
    let a = snapshot(42).await;
    let b = snapshot(42).await;
    let c = snapshot(43).await;
    assert_eq!(a, b);
    assert_ne!(a.0, c.0);
    assert_ne!(a.1, c.1);
}

#[tokio::test]
async fn an_update_adds_transactions() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let (id, accounts) = synced(&emu, &key, "user-ok").await;
    let account = accounts[0]["id"].as_str().unwrap();
    let before = get(&emu, &format!("/transactions?accountId={account}"), &key)
        .await
        .json()["total"]
        .clone();
    advance(&emu, 60.0).await;
    assert_eq!(
        patch(&emu, &format!("/items/{id}"), &key, json!({}))
            .await
            .status,
        200
    );
    settle(&emu, &key, &id).await;
    let after = get(&emu, &format!("/transactions?accountId={account}"), &key)
        .await
        .json()["total"]
        .clone();
    assert_eq!(after.as_u64().unwrap(), before.as_u64().unwrap() + 3);
}

#[tokio::test]
async fn cursor_pages_carry_their_filters() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let (_, accounts) = synced(&emu, &key, "user-ok-perf-60").await;
    let account = accounts[0]["id"].as_str().unwrap();
    let all = get(
        &emu,
        &format!("/transactions?accountId={account}&pageSize=500&page=1"),
        &key,
    )
    .await
    .json();
    // A date splitting the transactions roughly in two.
    let middle = all["results"][250]["date"].as_str().unwrap()[..10].to_owned();
    let mut expected = 0;
    let mut page = 1;
    loop {
        let p = get(
            &emu,
            &format!("/transactions?accountId={account}&from={middle}&pageSize=500&page={page}"),
            &key,
        )
        .await
        .json();
        expected += p["results"].as_array().unwrap().len();
        if p["page"] == p["totalPages"] || p["totalPages"] == 0 {
            break;
        }
        page += 1;
    }
    let mut path = format!("/v2/transactions?accountId={account}&dateFrom={middle}");
    let mut seen = 0;
    loop {
        let p = get(&emu, &path, &key).await.json();
        for t in p["results"].as_array().unwrap() {
            assert!(t["date"].as_str().unwrap()[..10] >= *middle.as_str());
            seen += 1;
        }
        match p["next"].as_str() {
            Some(next) => {
                assert!(next.contains(&format!("dateFrom={middle}")), "{next}");
                path = format!("/v2/transactions{next}");
            }
            None => break,
        }
    }
    assert_eq!(seen, expected);
    assert!(
        seen > 500,
        "the filter leaves more than one cursor page ({seen})"
    );
}
