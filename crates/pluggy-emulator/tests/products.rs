//! The data products beyond accounts and transactions: bills, balance, statements, loans,
//! consents, categories and their rules, the transaction category, merchants; how they agree
//! with each other, who may read them, and the retired v1 transactions.

mod common;

use std::collections::{HashMap, HashSet};

use common::*;
use pluggy_emulator::{Config, RunningEmulator};
use serde_json::{Value, json};

/// An item of `connector` synced with `user`, and its accounts (bank first, then the card).
async fn synced(
    emu: &RunningEmulator,
    key: &str,
    connector: u32,
    user: &str,
) -> (String, Vec<Value>) {
    let id = create_item(emu, key, connector, user).await;
    assert_eq!(settle(emu, key, &id).await["status"], "UPDATED");
    let accounts = get(emu, &format!("/accounts?itemId={id}"), key)
        .await
        .json();
    (id, accounts["results"].as_array().unwrap().clone())
}

fn str_of<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} is not a string in {v}"))
}

fn cents(v: &Value) -> i64 {
    (v.as_f64().unwrap_or_else(|| panic!("{v} is not a number")) * 100.0).round() as i64
}

fn results(r: &Resp) -> Vec<Value> {
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()["results"].as_array().expect("results").clone()
}

/// Every transaction of an account, through the cursor pages.
async fn all_transactions(emu: &RunningEmulator, key: &str, account: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut next = Some(format!("?accountId={account}"));
    while let Some(q) = next {
        let page = get(emu, &format!("/v2/transactions{q}"), key).await.json();
        out.extend(page["results"].as_array().unwrap().iter().cloned());
        next = page["next"].as_str().map(str::to_owned);
    }
    out
}

fn assert_not_found(r: &Resp, code: &str) {
    assert_eq!(r.status, 404, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["code"], 404);
    assert_eq!(r.json()["codeDescription"], code);
}

fn assert_bad_request(r: &Resp) -> String {
    assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["code"], 400);
    r.json()["message"].as_str().expect("message").to_owned()
}

#[tokio::test]
async fn bills_belong_to_the_card_and_its_transactions_carry_their_bill_id() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let (_, accounts) = synced(&emu, &key, 0, "user-ok-perf-4").await;
    let (bank, card) = (str_of(&accounts[0], "id"), str_of(&accounts[1], "id"));
    assert_eq!(accounts[1]["type"], "CREDIT");

    let bills = results(&get(&emu, &format!("/bills?accountId={card}"), &key).await);
    assert!((12..=14).contains(&bills.len()), "{} bills", bills.len());
    for b in &bills {
        assert_eq!(b["accountId"], card);
        assert_eq!(b["totalAmountCurrencyCode"], "BRL");
        assert!(b["financeCharges"].is_array() && b["payments"].is_array());
        let one = get(&emu, &format!("/bills/{}", str_of(b, "id")), &key).await;
        assert_eq!(one.status, 200);
        assert_eq!(&one.json(), b);
    }
    let by_id: HashMap<&str, &Value> = bills.iter().map(|b| (str_of(b, "id"), b)).collect();
    // A bill's period runs from the previous bill's closing date (excluded) to its own.
    let mut periods = HashMap::new();
    let mut previous: Option<&str> = None;
    for b in &bills {
        periods.insert(str_of(b, "id"), (previous, str_of(b, "billClosingDate")));
        previous = Some(str_of(b, "billClosingDate"));
    }
    let last_closing = str_of(bills.last().unwrap(), "billClosingDate");

    let txs = all_transactions(&emu, &key, card).await;
    assert_eq!(txs.len(), 100);
    let mut sums: HashMap<&str, i64> = HashMap::new();
    for t in &txs {
        let date = str_of(t, "date");
        match t["creditCardMetadata"]["billId"].as_str() {
            Some(bill) => {
                assert!(by_id.contains_key(bill), "unknown bill {bill}");
                let (opens_after, closing) = periods[bill];
                assert!(date <= closing, "{date} after {closing}");
                assert!(
                    opens_after.is_none_or(|o| date > o),
                    "{date} before the period"
                );
                *sums.entry(bill).or_default() += cents(&t["amount"]);
            }
            None => assert!(date > last_closing, "{date} has no bill"),
        }
    }
    for b in &bills {
        let charges: i64 = b["financeCharges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| cents(&c["amount"]))
            .sum();
        let id = str_of(b, "id");
        assert_eq!(
            cents(&b["totalAmount"]),
            sums.get(id).copied().unwrap_or(0) + charges,
            "bill {id}"
        );
    }
    // The v1 filter agrees.
    let some_bill = sums
        .keys()
        .next()
        .copied()
        .expect("a bill with transactions");
    let page = get(
        &emu,
        &format!("/transactions?accountId={card}&billId={some_bill}"),
        &key,
    )
    .await
    .json();
    let listed = page["results"].as_array().unwrap();
    assert!(!listed.is_empty());
    assert!(
        listed
            .iter()
            .all(|t| t["creditCardMetadata"]["billId"] == some_bill)
    );

    // A bank account has no bills and its transactions no card metadata.
    assert!(results(&get(&emu, &format!("/bills?accountId={bank}"), &key).await).is_empty());
    assert!(
        all_transactions(&emu, &key, bank)
            .await
            .iter()
            .all(|t| t["creditCardMetadata"].is_null())
    );
    assert_not_found(
        &get(&emu, "/bills/00000000-0000-4000-8000-000000000000", &key).await,
        "CREDIT_CARD_BILL_NOT_FOUND",
    );
    assert_not_found(
        &get(&emu, "/bills?accountId=nope", &key).await,
        "ACCOUNT_NOT_FOUND",
    );
    assert_bad_request(&get(&emu, "/bills", &key).await);
}

#[tokio::test]
async fn the_balance_is_the_accounts_balance() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let (_, accounts) = synced(&emu, &key, 0, "user-ok").await;
    for a in &accounts {
        let r = get(
            &emu,
            &format!("/accounts/{}/balance", str_of(a, "id")),
            &key,
        )
        .await;
        assert_eq!(r.status, 200);
        let b = r.json();
        assert_eq!(b["balance"], a["balance"]);
        assert_eq!(b["currencyCode"], "BRL");
        assert!(b["updateDateTime"].is_string());
    }
    assert_not_found(
        &get(&emu, "/accounts/nope/balance", &key).await,
        "ACCOUNT_NOT_FOUND",
    );
}

#[tokio::test]
async fn statements_are_listed_per_bank_account() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let (_, accounts) = synced(&emu, &key, 0, "user-ok").await;
    let (bank, card) = (str_of(&accounts[0], "id"), str_of(&accounts[1], "id"));
    let r = get(&emu, &format!("/accounts/{bank}/statements"), &key).await;
    let statements = results(&r);
    assert!(
        (11..=13).contains(&statements.len()),
        "{}",
        statements.len()
    );
    assert_eq!(r.json()["total"], statements.len());
    let mut months = HashSet::new();
    for s in &statements {
        let (month, year) = str_of(s, "monthYear").split_once('-').expect("MM-YYYY");
        assert_eq!(month.len(), 2);
        assert!((1..=12).contains(&month.parse::<u8>().unwrap()));
        assert_eq!(year.len(), 4);
        assert!(months.insert(str_of(s, "monthYear").to_owned()), "twice");
        assert!(str_of(s, "url").contains(str_of(s, "id")));
    }
    let paged = get(
        &emu,
        &format!("/accounts/{bank}/statements?pageSize=5&page=2"),
        &key,
    )
    .await;
    // The links are signed per read (their expiry moves); the statements do not.
    let ids = |v: &[Value]| v.iter().map(|s| s["id"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&results(&paged)), ids(&statements[5..10]));
    assert!(results(&get(&emu, &format!("/accounts/{card}/statements"), &key).await).is_empty());
    assert_not_found(
        &get(&emu, "/accounts/nope/statements", &key).await,
        "ACCOUNT_NOT_FOUND",
    );
}

#[tokio::test]
async fn loans_exist_for_the_connectors_that_offer_them() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let bank = get(&emu, "/connectors/0", &key).await.json();
    assert!(
        bank["products"]
            .as_array()
            .unwrap()
            .contains(&json!("LOANS"))
    );
    let (item, _) = synced(&emu, &key, 0, "user-ok").await;
    let loans = results(&get(&emu, &format!("/loans?itemId={item}"), &key).await);
    assert!(!loans.is_empty());
    for l in &loans {
        assert_eq!(l["itemId"], item.as_str());
        assert!(l["productName"].is_string() && l["currencyCode"] == "BRL");
        let i = &l["installments"];
        assert_eq!(
            i["totalNumberOfInstallments"].as_u64().unwrap(),
            i["paidInstallments"].as_u64().unwrap() + i["dueInstallments"].as_u64().unwrap()
        );
        let one = get(&emu, &format!("/loans/{}", str_of(l, "id")), &key).await;
        assert_eq!(one.status, 200);
        assert_eq!(&one.json(), l);
    }
    // The broker offers no loans, and its items have none.
    let broker = get(&emu, "/connectors/203", &key).await.json();
    assert!(
        !broker["products"]
            .as_array()
            .unwrap()
            .contains(&json!("LOANS"))
    );
    let (other, _) = synced(&emu, &key, 203, "user-ok").await;
    assert!(results(&get(&emu, &format!("/loans?itemId={other}"), &key).await).is_empty());
    // Nor do the items that did not ask for the product.
    let r = post(
        &emu,
        "/items",
        &key,
        json!({"connectorId": 0, "parameters": {"user": "user-ok", "password": "password-ok"}, "products": ["ACCOUNTS", "TRANSACTIONS"]}),
    )
    .await;
    let without = str_of(&r.json(), "id").to_owned();
    settle(&emu, &key, &without).await;
    assert!(results(&get(&emu, &format!("/loans?itemId={without}"), &key).await).is_empty());

    assert_not_found(
        &get(&emu, "/loans/00000000-0000-4000-8000-000000000000", &key).await,
        "LOAN_NOT_FOUND",
    );
    assert_not_found(
        &get(&emu, "/loans?itemId=nope", &key).await,
        "ITEM_NOT_FOUND",
    );
    assert_bad_request(&get(&emu, "/loans", &key).await);
}

#[tokio::test]
async fn consents_exist_for_open_finance_items() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let connectors = get(&emu, "/connectors?sandbox=true&isOpenFinance=true", &key)
        .await
        .json();
    let of = connectors["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["isOpenFinance"] == true)
        .expect("an Open Finance sandbox connector");
    let of_id = u32::try_from(of["id"].as_u64().unwrap()).unwrap();
    let (item, _) = synced(&emu, &key, of_id, "user-ok").await;
    let consents = results(&get(&emu, &format!("/consents?itemId={item}"), &key).await);
    assert_eq!(consents.len(), 1);
    let c = &consents[0];
    assert_eq!(c["itemId"], item.as_str());
    assert!(
        c["products"]
            .as_array()
            .unwrap()
            .contains(&json!("ACCOUNTS"))
    );
    assert!(
        c["openFinancePermissionsGranted"]
            .as_array()
            .unwrap()
            .contains(&json!("ACCOUNTS_ALL"))
    );
    assert!(c["revokedAt"].is_null());
    let one = get(&emu, &format!("/consents/{}", str_of(c, "id")), &key).await;
    assert_eq!(one.status, 200);
    assert_eq!(&one.json(), c);
    let it = get(&emu, &format!("/items/{item}"), &key).await.json();
    assert_eq!(it["consentExpiresAt"], c["expiresAt"]);

    let (plain, _) = synced(&emu, &key, 0, "user-ok").await;
    assert!(results(&get(&emu, &format!("/consents?itemId={plain}"), &key).await).is_empty());
    assert_not_found(
        &get(&emu, "/consents/00000000-0000-4000-8000-000000000000", &key).await,
        "CONSENT_NOT_FOUND",
    );
    assert_not_found(
        &get(&emu, "/consents?itemId=nope", &key).await,
        "ITEM_NOT_FOUND",
    );
    assert_bad_request(&get(&emu, "/consents", &key).await);
}

#[tokio::test]
async fn categories_form_the_tree_the_transactions_refer_to() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let all = results(&get(&emu, "/categories", &key).await);
    let by_id: HashMap<&str, &Value> = all.iter().map(|c| (str_of(c, "id"), c)).collect();
    assert_eq!(by_id.len(), all.len(), "ids repeat");
    for c in &all {
        let id = str_of(c, "id");
        assert_eq!(id.len(), 8);
        if let Some(p) = c["parentId"].as_str() {
            let parent = by_id
                .get(p)
                .unwrap_or_else(|| panic!("{id}: no parent {p}"));
            assert_eq!(c["parentDescription"], parent["description"]);
        } else {
            assert!(c["parentDescription"].is_null());
        }
    }
    let income = get(&emu, "/categories/01000000", &key).await.json();
    assert_eq!(income["description"], "Income");
    assert!(income["parentId"].is_null());
    let salary = get(&emu, "/categories/01010000", &key).await.json();
    assert_eq!(salary["parentId"], "01000000");
    let children = results(&get(&emu, "/categories?parentId=01000000", &key).await);
    assert!(children.iter().any(|c| c["id"] == "01010000"));
    assert!(children.iter().all(|c| c["parentId"] == "01000000"));
    assert_not_found(
        &get(&emu, "/categories/nope", &key).await,
        "CATEGORY_NOT_FOUND",
    );

    let (_, accounts) = synced(&emu, &key, 0, "user-ok").await;
    for a in &accounts {
        for t in all_transactions(&emu, &key, str_of(a, "id")).await {
            let c = by_id
                .get(str_of(&t, "categoryId"))
                .unwrap_or_else(|| panic!("{t}: category not in the tree"));
            assert_eq!(t["category"], c["description"]);
        }
    }
}

#[tokio::test]
async fn patching_a_transaction_changes_what_later_reads_return() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let (_, accounts) = synced(&emu, &key, 0, "user-ok").await;
    let account = str_of(&accounts[0], "id");
    let tx = all_transactions(&emu, &key, account).await[0].clone();
    let id = str_of(&tx, "id");
    let r = patch(
        &emu,
        &format!("/transactions/{id}"),
        &key,
        json!({"categoryId": "99999999"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["categoryId"], "99999999");
    assert_eq!(r.json()["category"], "Other");
    assert_eq!(r.json()["amount"], tx["amount"]);
    let again = get(&emu, &format!("/transactions/{id}"), &key).await.json();
    assert_eq!(again, r.json());
    let listed = all_transactions(&emu, &key, account).await;
    let found = listed.iter().find(|t| t["id"] == id).unwrap();
    assert_eq!(found["categoryId"], "99999999");

    assert_not_found(
        &patch(
            &emu,
            &format!("/transactions/{id}"),
            &key,
            json!({"categoryId": "12345678"}),
        )
        .await,
        "CATEGORY_NOT_FOUND",
    );
    assert_not_found(
        &patch(
            &emu,
            "/transactions/nope",
            &key,
            json!({"categoryId": "99999999"}),
        )
        .await,
        "TRANSACTION_NOT_FOUND",
    );
    let path = format!("/transactions/{id}");
    let missing = assert_bad_request(&patch(&emu, &path, &key, json!({})).await);
    assert!(missing.contains("categoryId"), "{missing}");
    assert_bad_request(&patch(&emu, &path, &key, json!({"categoryId": 99999999})).await);
    assert_bad_request(&patch(&emu, &path, &key, json!([1])).await);
    assert_bad_request(&send(emu.addr(), "PATCH", &path, Some(&key), Some(b"{nope")).await);
    // None of them changed it.
    assert_eq!(
        get(&emu, &path, &key).await.json()["categoryId"],
        "99999999"
    );
}

#[tokio::test]
async fn a_rule_categorizes_the_transactions_synced_after_it() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let (_, before_accounts) = synced(&emu, &key, 0, "user-ok-perf-4").await;
    let rule = post(
        &emu,
        "/categories/rules",
        &key,
        json!({"description": "posto", "categoryId": "19050002", "matchType": "contains", "transactionType": "DEBIT"}),
    )
    .await;
    assert_eq!(rule.status, 200, "{}", String::from_utf8_lossy(&rule.body));
    let rule = rule.json();
    assert_eq!(rule["categoryId"], "19050002");
    assert_eq!(rule["category"], "Parking");
    assert_eq!(rule["matchType"], "contains");
    let card_only = post(
        &emu,
        "/categories/rules",
        &key,
        json!({"description": "Supermercado Bom Preco", "categoryId": "08010000", "accountType": "CREDIT_CARD"}),
    )
    .await
    .json();
    let listed = results(&get(&emu, "/categories/rules", &key).await);
    assert_eq!(listed, [rule.clone(), card_only.clone()]);

    // What was synced before keeps its categories.
    for a in &before_accounts {
        for t in all_transactions(&emu, &key, str_of(a, "id")).await {
            assert_ne!(t["categoryId"], "19050002");
            assert_ne!(t["categoryId"], "08010000");
        }
    }
    let (_, accounts) = synced(&emu, &key, 0, "user-ok-perf-4").await;
    let (mut parked, mut card_groceries, mut bank_groceries) = (0, 0, 0);
    for (i, a) in accounts.iter().enumerate() {
        for t in all_transactions(&emu, &key, str_of(a, "id")).await {
            match str_of(&t, "description") {
                "Posto Estrada" => {
                    assert_eq!(t["categoryId"], "19050002");
                    assert_eq!(t["category"], "Parking");
                    parked += 1;
                }
                "Supermercado Bom Preco" if i == 1 => {
                    assert_eq!(t["categoryId"], "08010000");
                    card_groceries += 1;
                }
                "Supermercado Bom Preco" => {
                    assert_eq!(t["categoryId"], "10000000");
                    bank_groceries += 1;
                }
                _ => assert_ne!(t["categoryId"], "19050002"),
            }
        }
    }
    assert!(parked > 0 && card_groceries > 0 && bank_groceries > 0);

    // Deleting: 204, then 404; another client's rule is not this client's to delete.
    let rule_path = format!("/categories/rules/{}", str_of(&rule, "id"));
    let gone = delete(&emu, &rule_path, &key).await;
    assert_eq!(gone.status, 204);
    assert!(gone.body.is_empty());
    assert_not_found(
        &delete(&emu, &rule_path, &key).await,
        "CATEGORY_RULE_NOT_FOUND",
    );
    assert_eq!(
        results(&get(&emu, "/categories/rules", &key).await),
        [card_only]
    );

    // Bodies the API refuses.
    let create = |body: Value| {
        let emu = &emu;
        let key = &key;
        async move { post(emu, "/categories/rules", key, body).await }
    };
    let m = assert_bad_request(&create(json!({"categoryId": "10000000"})).await);
    assert!(m.contains("description"), "{m}");
    assert_bad_request(&create(json!({"description": " ", "categoryId": "10000000"})).await);
    assert_bad_request(&create(json!({"description": 5, "categoryId": "10000000"})).await);
    let m = assert_bad_request(
        &create(json!({"description": "x", "categoryId": "10000000", "matchType": "regex"})).await,
    );
    assert!(m.contains("matchType"), "{m}");
    assert_bad_request(
        &create(json!({"description": "x", "categoryId": "10000000", "accountType": "LOAN"})).await,
    );
    assert_bad_request(
        &create(json!({"description": "x", "categoryId": "10000000", "transactionType": "IN"}))
            .await,
    );
    assert_not_found(
        &create(json!({"description": "x", "categoryId": "00000001"})).await,
        "CATEGORY_NOT_FOUND",
    );
}

#[tokio::test]
async fn merchants_are_found_by_cnpj() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let (_, accounts) = synced(&emu, &key, 0, "user-ok").await;
    let txs = all_transactions(&emu, &key, str_of(&accounts[0], "id")).await;
    let merchant = txs
        .iter()
        .find_map(|t| t["merchant"].as_object())
        .expect("a transaction with a merchant")
        .clone();
    let cnpj = merchant["cnpj"].as_str().unwrap().to_owned();
    let formatted = format!(
        "{}.{}.{}/{}-{}",
        &cnpj[..2],
        &cnpj[2..5],
        &cnpj[5..8],
        &cnpj[8..12],
        &cnpj[12..]
    );
    // 11.222.333/0001-81 is a valid CNPJ the base does not hold; the others are not CNPJs.
    let q = format!("/merchants?cnpjs={cnpj},11222333000181,11222333000182,abc,{formatted}");
    let r = get(&emu, &q, &key).await;
    assert_eq!(r.status, 200);
    let body = r.json();
    let found = body["foundMerchants"].as_array().unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found[0]["cnpj"], cnpj.as_str());
    assert_eq!(found[0]["name"], merchant["name"]);
    assert_eq!(found[0]["businessName"], merchant["businessName"]);
    assert_eq!(body["notFoundMerchants"], json!(["11222333000181"]));
    assert_eq!(body["invalidCnpjs"], json!(["11222333000182", "abc"]));
    // Repeated keys work too, and nothing asked finds nothing.
    let r = get(
        &emu,
        &format!("/merchants?cnpjs={cnpj}&cnpjs=00000000000191"),
        &key,
    )
    .await
    .json();
    assert_eq!(r["foundMerchants"][1]["businessName"], "BANCO DO BRASIL SA");
    let none = get(&emu, "/merchants", &key).await.json();
    assert_eq!(
        none,
        json!({"foundMerchants": [], "notFoundMerchants": [], "invalidCnpjs": []})
    );
    let many: Vec<String> = (0..101).map(|_| "00000000000191".to_owned()).collect();
    assert_bad_request(&get(&emu, &format!("/merchants?cnpjs={}", many.join(",")), &key).await);
}

#[tokio::test]
async fn a_connect_token_reads_none_of_the_products() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let token = connect_token(&emu, &key, json!({})).await;
    let item = create_item(&emu, &token, 0, "user-ok").await;
    settle(&emu, &token, &item).await;
    let accounts = results(&get(&emu, &format!("/accounts?itemId={item}"), &token).await);
    let account = str_of(&accounts[1], "id");
    let tx = all_transactions(&emu, &key, account).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bill = results(&get(&emu, &format!("/bills?accountId={account}"), &key).await)[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reads = [
        format!("/accounts/{account}/statements"),
        format!("/accounts/{account}/balance"),
        "/categories".to_owned(),
        "/categories/01000000".to_owned(),
        "/categories/rules".to_owned(),
        format!("/loans?itemId={item}"),
        "/loans/x".to_owned(),
        format!("/bills?accountId={account}"),
        format!("/bills/{bill}"),
        format!("/consents?itemId={item}"),
        "/consents/x".to_owned(),
        "/merchants?cnpjs=00000000000191".to_owned(),
    ];
    for path in &reads {
        let r = get(&emu, path, &token).await;
        assert_eq!(r.status, 403, "GET {path}");
        assert_eq!(r.json()["codeDescription"], "FORBIDDEN", "GET {path}");
        assert_ne!(
            get(&emu, path, &key).await.status,
            403,
            "GET {path} with the API key"
        );
    }
    let r = patch(
        &emu,
        &format!("/transactions/{tx}"),
        &token,
        json!({"categoryId": "99999999"}),
    )
    .await;
    assert_eq!(r.status, 403);
    let r = post(
        &emu,
        "/categories/rules",
        &token,
        json!({"description": "x", "categoryId": "99999999"}),
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        delete(&emu, "/categories/rules/x", &token).await.status,
        403
    );
    // Nothing changed.
    assert_ne!(
        get(&emu, &format!("/transactions/{tx}"), &key).await.json()["categoryId"],
        "99999999"
    );
    assert!(results(&get(&emu, "/categories/rules", &key).await).is_empty());
}

#[tokio::test]
async fn v1_transactions_answer_410_when_retired() {
    let retired = start_with(Config {
        retire_v1_transactions: true,
        ..Config::for_tests()
    })
    .await;
    let key = api_key(&retired).await;
    let (_, accounts) = synced(&retired, &key, 0, "user-ok").await;
    let account = str_of(&accounts[0], "id");
    let r = get(
        &retired,
        &format!("/transactions?accountId={account}"),
        &key,
    )
    .await;
    assert_eq!(r.status, 410);
    let body = r.json();
    assert_eq!(body["code"], 410);
    assert_eq!(body["codeDescription"], "ENDPOINT_DEPRECATED");
    assert!(str_of(&body, "message").contains("/v2/transactions"));
    // v2 and one transaction still answer.
    assert_eq!(all_transactions(&retired, &key, account).await.len(), 25);

    let emu = start().await;
    let key = api_key(&emu).await;
    let (_, accounts) = synced(&emu, &key, 0, "user-ok").await;
    let r = get(
        &emu,
        &format!("/transactions?accountId={}", str_of(&accounts[0], "id")),
        &key,
    )
    .await;
    assert_eq!(r.status, 200);
}

/// The ids and figures of every product of an item, without what depends on the clock.
async fn snapshot(seed: u64) -> Value {
    let emu = start_with(Config {
        seed,
        ..Config::for_tests()
    })
    .await;
    let key = api_key(&emu).await;
    let (item, accounts) = synced(&emu, &key, 600, "user-ok").await;
    let (bank, card) = (str_of(&accounts[0], "id"), str_of(&accounts[1], "id"));
    let strip = |mut v: Vec<Value>, fields: &[&str]| {
        for x in &mut v {
            for f in fields {
                x.as_object_mut().unwrap().remove(*f);
            }
        }
        v
    };
    let statements = results(&get(&emu, &format!("/accounts/{bank}/statements"), &key).await);
    let statement_ids: Vec<&Value> = statements.iter().map(|s| &s["id"]).collect();
    json!({
        "bills": strip(results(&get(&emu, &format!("/bills?accountId={card}"), &key).await), &["dueDate", "billClosingDate", "payments"]),
        "loans": strip(results(&get(&emu, &format!("/loans?itemId={item}"), &key).await), &["date", "contractDate", "dueDate", "firstInstallmentDueDate", "settlementDate", "disbursementDates"]),
        "consents": strip(results(&get(&emu, &format!("/consents?itemId={item}"), &key).await), &["createdAt", "expiresAt"]),
        "statements": statement_ids,
        "card": strip(all_transactions(&emu, &key, card).await, &["date", "createdAt", "updatedAt", "creditCardMetadata"]),
    })
}

#[tokio::test]
async fn the_products_follow_from_the_seed() {
    let a = snapshot(7).await;
    assert_eq!(a, snapshot(7).await);
    let b = snapshot(8).await;
    assert_ne!(a["bills"], b["bills"]);
    assert_ne!(a["loans"], b["loans"]);
    assert_ne!(a["consents"], b["consents"]);
}
