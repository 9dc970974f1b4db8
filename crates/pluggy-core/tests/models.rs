//! Decoding and encoding of the API's bodies, against fixtures shaped like the API's answers.

mod common;

use std::str::FromStr;

use common::{fixture, fixture_names, missing_keys, normalized};
use pluggy_core::error::{AuthFailure, ErrorBody};
use pluggy_core::models::{
    Account, AccountBalance, AccountStatement, AccountSubtype, AccountType, AuthRequest,
    AuthResponse, Bill, BillFinanceChargeType, BillPaymentMode, BillPaymentValueType, Category,
    CategoryFilters, CategoryRule, CategoryRuleMatchType, ConnectTokenResponse, Connector, Consent,
    CreateCategoryRule, CreateItemRequest, CreditCardStatus, CursorPage, Date, HealthStatus,
    Identity, Investment, InvestmentTransaction, InvestmentType, Item, ItemParameters, Loan,
    LoanAmortization, LoanFeeChargeType, LoanInstallmentPeriodicity, LoanKind, LoanTaxType,
    LoanTermType, MerchantLookup, OpenFinancePermission, Page, ReducedAccount, Transaction,
    TransactionStatus, TransactionType, UpdateTransaction, ValidationResponse, Webhook,
    WebhookHeaders,
};
use pluggy_core::models::{
    AutomaticPixPayment, AutomaticPixPaymentDetail, Boleto, BoletoConnection, PaymentCustomer,
    PaymentInstitution, PaymentIntent, PaymentRecipient, PaymentRequest, PaymentSchedule,
    SmartTransferPayment, SmartTransferPreauthorization,
};
use pluggy_core::progress::ItemProgress;
use pluggy_core::webhook::WebhookPayload;
use pluggy_core::{
    AccountId, BaseUrl, BillId, Call, CategoryId, CategoryRuleId, ClientId, ClientSecret,
    ConnectorId, ConnectorType, ConsentId, Error, ExecutionStatus, ItemId, ItemStatus, LoanId,
    Product, REDUCED_ACCOUNT_FIELDS, RawResponse, Timestamp, WebhookEvent, endpoints,
    parse_response,
};
use rust_decimal::Decimal;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn decode<T: DeserializeOwned>(name: &str) -> T {
    serde_json::from_str(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// Decodes a fixture as `T` and encodes it again.
fn reencode<T: DeserializeOwned + Serialize>(text: &str) -> Result<Value, String> {
    let t: T = serde_json::from_str(text).map_err(|e| e.to_string())?;
    serde_json::to_value(&t).map_err(|e| e.to_string())
}

type Reencode = fn(&str) -> Result<Value, String>;

/// Every fixture, the type it decodes into, and what its encoding may leave out or change
/// (JSON pointers of fields the models do not carry or write differently).
const FIXTURES: &[(&str, Reencode, &[&str])] = &[
    ("account_balance.json", reencode::<AccountBalance>, &[]),
    (
        "account_statements_page.json",
        reencode::<Page<AccountStatement>>,
        &[],
    ),
    ("accounts_page.json", reencode::<Page<Account>>, &[]),
    ("auth_response.json", reencode::<AuthResponse>, &[]),
    (
        "automatic_pix_payment_detail.json",
        reencode::<AutomaticPixPaymentDetail>,
        &[],
    ),
    (
        "automatic_pix_payments_page.json",
        reencode::<Page<AutomaticPixPayment>>,
        &[],
    ),
    ("bills_page.json", reencode::<Page<Bill>>, &[]),
    ("boleto.json", reencode::<Boleto>, &[]),
    ("boleto_connection.json", reencode::<BoletoConnection>, &[]),
    ("categories_page.json", reencode::<Page<Category>>, &[]),
    (
        "category_rules_page.json",
        reencode::<Page<CategoryRule>>,
        &[],
    ),
    (
        "connect_token_response.json",
        reencode::<ConnectTokenResponse>,
        &[],
    ),
    ("connectors_page.json", reencode::<Page<Connector>>, &[]),
    ("consents_page.json", reencode::<Page<Consent>>, &[]),
    ("error_400_details.json", reencode::<ErrorBody>, &[]),
    (
        "error_401_client_keys_unauthorized.json",
        reencode::<ErrorBody>,
        &[],
    ),
    ("error_403_invalid_token.json", reencode::<ErrorBody>, &[]),
    ("error_404_item_not_found.json", reencode::<ErrorBody>, &[]),
    ("error_429.json", reencode::<ErrorBody>, &[]),
    ("identity.json", reencode::<Identity>, &[]),
    (
        "investment_transactions_page.json",
        reencode::<Page<InvestmentTransaction>>,
        &[],
    ),
    (
        "investments_page.json",
        // The deprecated embedded `transactions` and the `institution` object are not modelled.
        reencode::<Page<Investment>>,
        &["/results/0/transactions", "/results/2/institution"],
    ),
    ("item_login_error.json", reencode::<Item>, &[]),
    ("item_updated.json", reencode::<Item>, &[]),
    ("item_waiting_user_input.json", reencode::<Item>, &[]),
    ("loans_page.json", reencode::<Page<Loan>>, &[]),
    ("merchants_lookup.json", reencode::<MerchantLookup>, &[]),
    (
        "payment_customers_page.json",
        reencode::<Page<PaymentCustomer>>,
        &[],
    ),
    (
        "payment_institutions_page.json",
        reencode::<Page<PaymentInstitution>>,
        &[],
    ),
    ("payment_intent.json", reencode::<PaymentIntent>, &[]),
    (
        "payment_intents_page.json",
        reencode::<Page<PaymentIntent>>,
        &[],
    ),
    (
        "payment_recipients_page.json",
        reencode::<Page<PaymentRecipient>>,
        &[],
    ),
    (
        "payment_request_automatic_pix.json",
        reencode::<PaymentRequest>,
        &[],
    ),
    (
        "payment_requests_page.json",
        reencode::<Page<PaymentRequest>>,
        &[],
    ),
    (
        "payment_schedules_page.json",
        reencode::<Page<PaymentSchedule>>,
        &[],
    ),
    (
        "smart_transfer_payments_page.json",
        reencode::<Page<SmartTransferPayment>>,
        &[],
    ),
    (
        "smart_transfer_preauthorizations_page.json",
        reencode::<Page<SmartTransferPreauthorization>>,
        &[],
    ),
    (
        "transactions_cursor_page.json",
        reencode::<CursorPage<Transaction>>,
        &[],
    ),
    (
        "transactions_page.json",
        // `payeeMCC` arrives as a number here and is kept as the string "1234".
        reencode::<Page<Transaction>>,
        &["/results/4/creditCardMetadata/payeeMCC"],
    ),
    (
        "validation_response.json",
        reencode::<ValidationResponse>,
        &[],
    ),
    (
        "webhook_connector_status_updated.json",
        reencode::<WebhookPayload>,
        &[],
    ),
    ("webhook_item_created.json", reencode::<WebhookPayload>, &[]),
    ("webhook_item_deleted.json", reencode::<WebhookPayload>, &[]),
    ("webhook_item_error.json", reencode::<WebhookPayload>, &[]),
    (
        "webhook_item_login_succeeded.json",
        reencode::<WebhookPayload>,
        &[],
    ),
    ("webhook_item_updated.json", reencode::<WebhookPayload>, &[]),
    (
        "webhook_item_waiting_user_action.json",
        reencode::<WebhookPayload>,
        &[],
    ),
    (
        "webhook_item_waiting_user_input.json",
        reencode::<WebhookPayload>,
        &[],
    ),
    (
        "webhook_payment_intent_created.json",
        reencode::<WebhookPayload>,
        &[],
    ),
    (
        "webhook_transactions_created.json",
        reencode::<WebhookPayload>,
        &[],
    ),
    (
        "webhook_transactions_deleted.json",
        reencode::<WebhookPayload>,
        &[],
    ),
    (
        "webhook_transactions_updated.json",
        reencode::<WebhookPayload>,
        &[],
    ),
    ("webhooks_page.json", reencode::<Page<Webhook>>, &[]),
];

#[test]
fn every_fixture_decodes_and_encodes_back_to_the_same_document() {
    let listed: Vec<&str> = FIXTURES.iter().map(|(n, _, _)| *n).collect();
    assert_eq!(
        fixture_names(),
        listed,
        "every fixture must be listed (in name order)"
    );
    for (name, reencode, allowed) in FIXTURES {
        let text = fixture(name);
        let original: Value = serde_json::from_str(&text).unwrap();
        let encoded = reencode(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (mut a, mut b) = (normalized(&original), normalized(&encoded));
        for pointer in *allowed {
            assert!(
                a.pointer(pointer).is_some(),
                "{name}: {pointer} is not in the fixture"
            );
            remove(&mut a, pointer);
            remove(&mut b, pointer);
        }
        let (mut lost, mut added) = (Vec::new(), Vec::new());
        missing_keys(&a, &b, "", &mut lost);
        missing_keys(&b, &a, "", &mut added);
        assert!(lost.is_empty(), "{name}: encoding lost {lost:?}");
        assert!(added.is_empty(), "{name}: encoding added {added:?}");
        assert_eq!(a, b, "{name}: values changed");
    }
}

fn remove(v: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    if let Some(Value::Object(m)) = v.pointer_mut(parent) {
        m.remove(key);
    }
}

#[test]
fn item_fixtures_decode_with_their_state() {
    let updated: Item = decode("item_updated.json");
    assert_eq!(updated.status, ItemStatus::Updated);
    assert_eq!(updated.execution_status, ExecutionStatus::Success);
    assert_eq!(
        updated.connector.as_ref().map(|c| c.id),
        Some(ConnectorId::new(200))
    );
    assert_eq!(
        updated.client_user_id.as_ref().map(|c| c.as_str()),
        Some("gabriel@pluggy.ai")
    );
    assert_eq!(
        updated.last_updated_at.map(|t| t.to_string()).as_deref(),
        Some("2024-09-19T13:11:23.595Z")
    );
    let detail = updated.status_detail.as_ref().unwrap();
    assert_eq!(detail.accounts.as_ref().unwrap().is_updated, Some(true));
    assert!(detail.payment_data.is_none());
    assert!(updated.products.contains(&Product::CreditCards));
    assert_eq!(updated.progress(), ItemProgress::Done { partial: false });

    let mfa: Item = decode("item_waiting_user_input.json");
    match mfa.progress() {
        ItemProgress::NeedsMfaInput { parameter: Some(p) } => {
            assert_eq!(p.name, "token");
            assert_eq!(p.mfa, Some(true));
            assert!(p.expires_at.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert!(mfa.last_updated_at.is_none());

    let failed: Item = decode("item_login_error.json");
    match failed.progress() {
        ItemProgress::Failed { error, reason, .. } => {
            let error = error.unwrap();
            assert_eq!(error.code, ExecutionStatus::InvalidCredentials);
            assert_eq!(
                error.provider_message.as_deref(),
                Some("Usuario ou senha invalidos")
            );
            assert!(reason.contains("INVALID_CREDENTIALS"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(failed.consecutive_failed_login_attempts, Some(1));
}

#[test]
fn item_encodes_absent_state_as_null_and_decodes_back_equal() {
    for name in [
        "item_updated.json",
        "item_waiting_user_input.json",
        "item_login_error.json",
    ] {
        let item: Item = decode(name);
        let v = serde_json::to_value(&item).unwrap();
        for key in [
            "error",
            "parameter",
            "userAction",
            "lastUpdatedAt",
            "webhookUrl",
            "clientUserId",
            "statusDetail",
            "nextAutoSyncAt",
            "consentExpiresAt",
        ] {
            assert!(
                v.get(key).is_some(),
                "{name}: {key} must be written, as null if absent"
            );
        }
        let back: Item = serde_json::from_value(v).unwrap();
        assert_eq!(back, item, "{name}");
    }
    let updated: Item = decode("item_updated.json");
    let v = serde_json::to_value(&updated).unwrap();
    assert_eq!(v["error"], Value::Null);
    assert_eq!(v["userAction"], Value::Null);
}

#[test]
fn accounts_decode_with_bank_and_credit_data() {
    let page: Page<Account> = decode("accounts_page.json");
    assert_eq!((page.page, page.total, page.total_pages), (1, 2, 1));
    assert!(!page.has_next());
    let bank = &page.results[0];
    assert_eq!(bank.kind, AccountType::Bank);
    assert_eq!(bank.subtype, AccountSubtype::CheckingAccount);
    assert_eq!(bank.balance, dec("120950"));
    assert_eq!(
        bank.bank_data
            .as_ref()
            .unwrap()
            .automatically_invested_balance,
        Some(dec("100"))
    );
    let card = &page.results[1];
    assert_eq!(card.kind, AccountType::Credit);
    let credit = card.credit_data.as_ref().unwrap();
    assert_eq!(credit.balance_close_date, Date::from_ymd(2022, 1, 3));
    assert_eq!(credit.minimum_payment, Some(dec("16190")));
    assert_eq!(credit.status, Some(CreditCardStatus::Active));
}

#[test]
fn reduced_account_has_exactly_the_reduced_fields() {
    let page: Page<Account> = decode("accounts_page.json");
    let mut full = page.results[1].clone();
    full.marketing_name = Some("PLUGGY UNICLASS MASTERCARD BLACK".into());
    let reduced = ReducedAccount::from(&full);
    let v = serde_json::to_value(&reduced).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let mut expected: Vec<&str> = REDUCED_ACCOUNT_FIELDS.to_vec();
    keys.sort_unstable();
    expected.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!(v["type"], "CREDIT");
    assert_eq!(v["number"], "xxxx8670");
    // A full account read through the reduced type keeps only those fields.
    let from_full: ReducedAccount =
        serde_json::from_value(serde_json::to_value(&full).unwrap()).unwrap();
    assert_eq!(from_full, reduced);
}

#[test]
fn transactions_decode_with_exact_amounts_and_details() {
    let page: Page<Transaction> = decode("transactions_page.json");
    assert_eq!(page.total, 8);
    let first = &page.results[0];
    assert_eq!(first.amount, dec("-212.45"));
    assert_eq!(first.balance, Some(dec("4439.4")));
    assert_eq!(first.kind, Some(TransactionType::Debit));
    assert_eq!(first.status, Some(TransactionStatus::Posted));
    let foreign = &page.results[1];
    assert_eq!(foreign.amount_in_account_currency, Some(dec("-298.19")));
    assert_eq!(
        foreign.merchant.as_ref().unwrap().cnae.as_deref(),
        Some("5911100")
    );
    let card = page.results[4].credit_card_metadata.as_ref().unwrap();
    assert_eq!(card.payee_mcc.as_deref(), Some("1234"));
    assert_eq!(card.total_installments, Some(2));
    let ted = &page.results[6];
    assert!(ted.description_raw.is_none());
    let payer = ted.payment_data.as_ref().unwrap().payer.as_ref().unwrap();
    assert_eq!(
        payer.document_number.as_ref().unwrap().value.as_deref(),
        Some("882.937.076-23")
    );

    let cursor: CursorPage<Transaction> = decode("transactions_cursor_page.json");
    let next = cursor.next.as_deref().unwrap();
    let req = Call::new(&endpoints::TRANSACTIONS_LIST_BY_CURSOR)
        .raw_query(next)
        .unwrap()
        .prepare(
            &BaseUrl::default(),
            pluggy_core::http::Credential::None,
            &"t".into(),
        )
        .unwrap();
    assert_eq!(
        req.url(),
        format!("https://api.pluggy.ai/v2/transactions{next}")
    );
    let last: CursorPage<Transaction> =
        serde_json::from_value(json!({"results": [], "next": null})).unwrap();
    assert!(last.next.is_none());
}

#[test]
fn money_is_exact() {
    let t: Transaction = serde_json::from_value(json!({
        "id": "t1", "accountId": "a1", "description": "x", "currencyCode": "BRL",
        "amount": 1234.56, "date": "2024-01-01T00:00:00.000Z"
    }))
    .unwrap();
    assert_eq!(t.amount, dec("1234.56"));
    assert_eq!(t.amount.to_string(), "1234.56");
    let encoded = serde_json::to_string(&t).unwrap();
    assert!(encoded.contains(r#""amount":1234.56"#), "{encoded}");

    let tenth: Transaction = serde_json::from_value(json!({
        "id": "t2", "accountId": "a1", "description": "x", "currencyCode": "BRL",
        "amount": 0.1, "balance": 0.2, "date": "2024-01-01T00:00:00.000Z"
    }))
    .unwrap();
    let sum = tenth.amount + tenth.balance.unwrap();
    assert_eq!(sum, dec("0.3"));
    assert_eq!(sum.to_string(), "0.3");

    let page: Page<Account> = decode("accounts_page.json");
    let total: Decimal = page.results.iter().map(|a| a.balance).sum();
    assert_eq!(total, dec("241900"));
    // Whole amounts are written as integers, as the API writes them.
    let v = serde_json::to_string(&page.results[0]).unwrap();
    assert!(v.contains(r#""balance":120950,"#), "{v}");

    // Amounts sent as strings are read too.
    let s: Transaction = serde_json::from_value(json!({
        "id": "t3", "accountId": "a1", "amount": "-0.07", "date": "2024-01-01T00:00:00Z"
    }))
    .unwrap();
    assert_eq!(s.amount, dec("-0.07"));
}

#[test]
fn unknown_enum_values_and_extra_fields_are_kept_or_ignored() {
    let mut v: Value = serde_json::from_str(&fixture("item_updated.json")).unwrap();
    v["status"] = json!("HIBERNATING");
    v["executionStatus"] = json!("QUANTUM_IN_PROGRESS");
    v["products"] = json!(["ACCOUNTS", "CRYPTO_WALLETS"]);
    v["connector"]["type"] = json!("SPACE_BANK");
    v["connector"]["health"]["status"] = json!("SLEEPY");
    v["connector"]["brandNewField"] = json!({"nested": [1, 2, 3]});
    v["anotherNewField"] = json!(42);
    let item: Item = serde_json::from_value(v).unwrap();
    assert_eq!(item.status, ItemStatus::Unknown("HIBERNATING".into()));
    assert_eq!(
        item.products,
        vec![Product::Accounts, Product::Unknown("CRYPTO_WALLETS".into())]
    );
    let connector = item.connector.as_ref().unwrap();
    assert_eq!(
        connector.kind,
        Some(ConnectorType::Unknown("SPACE_BANK".into()))
    );
    assert_eq!(
        connector.health.as_ref().unwrap().status,
        Some(HealthStatus::Unknown("SLEEPY".into()))
    );
    assert_eq!(
        item.progress(),
        ItemProgress::InProgress {
            execution_status: ExecutionStatus::Unknown("QUANTUM_IN_PROGRESS".into())
        }
    );
    // Unknown values are written back as they came.
    let again = serde_json::to_value(&item).unwrap();
    assert_eq!(again["status"], "HIBERNATING");
    assert_eq!(again["products"][1], "CRYPTO_WALLETS");

    let account: Account = serde_json::from_value(json!({
        "id": "a", "itemId": "i", "type": "WALLET", "subtype": "CRYPTO", "balance": 1,
        "currencyCode": "BTC", "surprise": true
    }))
    .unwrap();
    assert_eq!(account.kind, AccountType::Unknown("WALLET".into()));
    let inv: Page<Investment> = decode("investments_page.json");
    assert_eq!(inv.results[0].kind, InvestmentType::MutualFund);
    let hooks: Page<Webhook> = decode("webhooks_page.json");
    assert_eq!(
        hooks.results[1].event,
        WebhookEvent::Unknown("item/all".into())
    );
    assert!(hooks.results[0].headers.is_empty());
    assert_eq!(
        hooks.results[1].headers.get("x-webhook-token"),
        Some("9f8e7d6c5b4a")
    );
    assert!(!hooks.results[0].is_enabled() && hooks.results[1].is_enabled());
}

#[test]
fn identity_and_investments_decode() {
    let id: Identity = decode("identity.json");
    assert_eq!(id.full_name.as_deref(), Some("Francisco Sousa"));
    assert_eq!(id.birth_date, Date::from_ymd(1991, 5, 1));
    assert_eq!(id.phone_numbers[0].value, "+54 911 12345678");
    assert_eq!(id.relations.len(), 2);
    assert_eq!(id.addresses[0].postal_code.as_deref(), Some("22620-171"));

    let inv: Page<Investment> = decode("investments_page.json");
    let cdb = &inv.results[1];
    assert_eq!(cdb.balance, dec("2000"));
    assert_eq!(cdb.fixed_annual_rate, Some(dec("10.5")));
    assert!(cdb.taxes.is_none());
    assert_eq!(inv.results[0].taxes, Some(dec("40.61")));

    let txs: Page<InvestmentTransaction> = decode("investment_transactions_page.json");
    assert_eq!(txs.results[0].amount, Some(dec("60000")));
    assert_eq!(txs.results[1].net_amount, Some(dec("10000")));
}

#[test]
fn error_fixtures_become_the_right_errors() {
    let raw = |status: u16, name: &str| {
        RawResponse::new(
            status,
            vec![("Retry-After".into(), "60".into())],
            fixture(name).into_bytes(),
        )
    };
    let e = parse_response::<Item>(
        &endpoints::AUTH_CREATE,
        &raw(401, "error_401_client_keys_unauthorized.json"),
    )
    .unwrap_err();
    assert!(
        matches!(e, Error::Auth(AuthFailure::InvalidClientKeys)),
        "{e:?}"
    );

    let e = parse_response::<Item>(
        &endpoints::ITEMS_RETRIEVE,
        &raw(403, "error_403_invalid_token.json"),
    )
    .unwrap_err();
    assert!(e.api().unwrap().is_invalid_credential(), "{e:?}");

    let e = parse_response::<Item>(
        &endpoints::ITEMS_CREATE,
        &raw(400, "error_400_details.json"),
    )
    .unwrap_err();
    let api = e.api().unwrap();
    assert_eq!(api.code_description(), Some("CONNECTOR_VALIDATION_ERROR"));
    let details = api.body.details.as_ref().unwrap();
    assert_eq!(details[0].parameter.as_deref(), Some("user"));

    let e = parse_response::<Item>(&endpoints::ITEMS_RETRIEVE, &raw(429, "error_429.json"))
        .unwrap_err();
    assert!(matches!(e, Error::RateLimited { .. }), "{e:?}");

    let e = parse_response::<Item>(
        &endpoints::ITEMS_RETRIEVE,
        &raw(404, "error_404_item_not_found.json"),
    )
    .unwrap_err();
    assert_eq!(e.api().unwrap().code_description(), Some("ITEM_NOT_FOUND"));
}

#[test]
fn secrets_never_show_in_debug() {
    let secret = "pa55-w0rd-zz";
    let auth = AuthRequest::new(ClientId::new("cid"), ClientSecret::new(secret));
    let params = ItemParameters::new()
        .with("user", "user-ok")
        .with("password", secret);
    let create = CreateItemRequest::new(ConnectorId::new(2), params.clone());
    let validation: ValidationResponse = serde_json::from_value(json!({
        "parameters": {"user": "user-ok", "password": secret}, "errors": []
    }))
    .unwrap();
    let headers = WebhookHeaders::new().with("x-token", secret);
    let api_key: AuthResponse = decode("auth_response.json");
    let token: ConnectTokenResponse = decode("connect_token_response.json");
    let shown = [
        format!("{auth:?}"),
        format!("{params:#?}"),
        format!("{create:?}"),
        format!("{validation:?}"),
        format!("{headers:?}"),
        format!("{api_key:?}"),
        format!("{token:?}"),
    ];
    for s in &shown {
        assert!(!s.contains(secret), "{s}");
        assert!(!s.contains("eyJ"), "{s}");
    }
    assert!(
        shown[1].contains("password"),
        "names stay visible: {}",
        shown[1]
    );
    // The wire body does carry them.
    let body = serde_json::to_value(&create).unwrap();
    assert_eq!(body["parameters"]["password"], secret);
    assert_eq!(
        serde_json::to_value(&api_key).unwrap(),
        serde_json::from_str::<Value>(&fixture("auth_response.json")).unwrap()
    );
}

#[test]
fn connectors_decode_with_credentials_and_health() {
    let page: Page<Connector> = decode("connectors_page.json");
    let sandbox = page
        .results
        .iter()
        .find(|c| c.id == ConnectorId::new(2))
        .unwrap();
    assert_eq!(sandbox.is_sandbox, Some(true));
    assert_eq!(sandbox.kind, Some(ConnectorType::PersonalBank));
    let names: Vec<&str> = sandbox
        .credentials
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["user", "password"]);
    let details = sandbox.health.as_ref().unwrap().details.as_ref().unwrap();
    assert_eq!(details.connection_rate_last_6_hours, Some(dec("0.97")));
    let itau = &page.results[0];
    assert_eq!(itau.supports_automatic_pix, Some(true));
    assert_eq!(
        itau.health.as_ref().unwrap().status,
        Some(HealthStatus::Online)
    );
}

#[test]
fn statements_and_balance_decode() {
    let page: Page<AccountStatement> = decode("account_statements_page.json");
    assert_eq!(page.total, 2);
    assert_eq!(page.results[0].month_year, "01-2025");
    assert_eq!(page.results[0].year_month(), Some((2025, 1)));
    assert!(page.results[1].url.starts_with("https://"));
    let odd = AccountStatement {
        id: "s".into(),
        month_year: "2025-13".into(),
        url: String::new(),
    };
    assert_eq!(odd.year_month(), None);

    let balance: AccountBalance = decode("account_balance.json");
    assert_eq!(balance.balance, dec("1500.5"));
    assert_eq!(balance.automatically_invested_balance, Some(dec("200.0")));
    assert_eq!(balance.blocked_balance, Some(Decimal::ZERO));
    assert_eq!(balance.currency_code, "BRL");
    assert_eq!(
        balance.update_date_time,
        Timestamp::parse("2024-01-15T10:30:00Z").unwrap()
    );
    // The document's own example writes the time without milliseconds; an institution may
    // leave out the offset too, which reads as UTC. Only the required fields need be there.
    for text in [
        "2024-01-15T10:30:00Z",
        "2024-01-15T10:30:00",
        "2024-01-15T07:30:00-03:00",
    ] {
        let b: AccountBalance = serde_json::from_value(json!({
            "balance": 0.1, "currencyCode": "BRL", "updateDateTime": text
        }))
        .unwrap();
        assert_eq!(b.update_date_time, balance.update_date_time, "{text}");
        assert_eq!(b.balance, dec("0.1"));
        assert!(b.blocked_balance.is_none() && b.automatically_invested_balance.is_none());
    }
    assert!(
        serde_json::from_value::<AccountBalance>(json!({
            "balance": 1, "currencyCode": "BRL", "updateDateTime": "yesterday"
        }))
        .is_err()
    );
}

#[test]
fn categories_and_rules_decode_and_encode() {
    let page: Page<Category> = decode("categories_page.json");
    let [income, salary, ..] = &page.results[..] else {
        panic!("two categories at least")
    };
    assert!(income.is_root() && !salary.is_root());
    assert_eq!(salary.id, CategoryId::new("01010000"));
    assert_eq!(salary.parent_id.as_ref(), Some(&income.id));
    assert_eq!(salary.description_translated.as_deref(), Some("Salário"));
    assert_eq!(salary.parent_description.as_deref(), Some("Income"));
    // Only `id` and `description` are required.
    let bare: Category =
        serde_json::from_value(json!({"id": "99000000", "description": "X"})).unwrap();
    assert!(bare.parent_id.is_none() && bare.description_translated.is_none());

    let rules: Page<CategoryRule> = decode("category_rules_page.json");
    let uber = &rules.results[0];
    assert_eq!(
        uber.id,
        Some(CategoryRuleId::new("3d0c6a0e-5b8f-4c3e-9f7a-2b1d4e6f8a90"))
    );
    assert_eq!(uber.transaction_type, Some(TransactionType::Debit));
    assert_eq!(uber.account_type, Some(AccountSubtype::CheckingAccount));
    assert_eq!(uber.match_type, Some(CategoryRuleMatchType::Contains));
    assert_eq!(
        uber.client_id,
        Some(ClientId::new("03cc0eff-4ec5-495c-adb3-1ef9611624fc"))
    );
    let plain = &rules.results[1];
    assert!(plain.id.is_none() && plain.transaction_type.is_none() && plain.match_type.is_none());
    let odd: CategoryRule = serde_json::from_value(json!({
        "description": "x", "category": "y", "matchType": "regex", "accountType": "WALLET"
    }))
    .unwrap();
    assert_eq!(
        odd.match_type,
        Some(CategoryRuleMatchType::Unknown("regex".into()))
    );
    assert_eq!(
        odd.account_type,
        Some(AccountSubtype::Unknown("WALLET".into()))
    );

    let body = CreateCategoryRule::new("uber payment", CategoryId::new("08070000"));
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({"description": "uber payment", "categoryId": "08070000"})
    );
    let body = body
        .with_transaction_type(TransactionType::Debit)
        .with_account_type(AccountSubtype::CreditCard)
        .with_match_type(CategoryRuleMatchType::StartsWith);
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({
            "description": "uber payment", "categoryId": "08070000", "transactionType": "DEBIT",
            "accountType": "CREDIT_CARD", "matchType": "startsWith"
        })
    );
    let back: CreateCategoryRule =
        serde_json::from_value(serde_json::to_value(&body).unwrap()).unwrap();
    assert_eq!(back, body);

    assert_eq!(
        serde_json::to_value(UpdateTransaction::new(CategoryId::new("07010000"))).unwrap(),
        json!({"categoryId": "07010000"})
    );

    let list = || Call::new(&endpoints::CATEGORIES_LIST);
    assert_eq!(
        CategoryFilters::default()
            .apply(list())
            .query_value("parentId"),
        None
    );
    let children = CategoryFilters {
        parent_id: Some(CategoryId::new("01000000")),
    };
    assert_eq!(
        children.apply(list()).query_value("parentId"),
        Some("01000000")
    );
}

#[test]
fn bills_decode_with_exact_amounts() {
    let page: Page<Bill> = decode("bills_page.json");
    let bill = &page.results[0];
    assert_eq!(bill.id, BillId::new("05c693bf-c196-47ea-a28c-8251d6bb8a06"));
    assert_eq!(
        bill.account_id,
        Some(AccountId::new("5e9f8f8f-f8f8-4f8f-8f8f-8f8f8f8f8f8f"))
    );
    assert_eq!(bill.due_date, Date::from_ymd(2023, 7, 20).unwrap());
    assert_eq!(bill.bill_closing_date, Date::from_ymd(2023, 7, 13));
    assert_eq!(bill.total_amount, dec("50000"));
    assert_eq!(bill.minimum_payment_amount, Some(dec("7500.15")));
    assert_eq!(bill.allows_installments, Some(true));
    let iof = &bill.finance_charges[0];
    assert_eq!(iof.kind, BillFinanceChargeType::Iof);
    assert_eq!(iof.amount, dec("20.51"));
    assert_eq!(iof.credit_card_bill_id.as_ref(), Some(&bill.id));
    // 20.51 + 0.1 is exactly 20.61 (it is not in f64).
    assert_eq!(bill.finance_charges_total(), Some(dec("20.61")));
    let paid = &bill.payments[0];
    assert_eq!(paid.value_type, Some(BillPaymentValueType::FullPayment));
    assert_eq!(paid.payment_mode, Some(BillPaymentMode::Pix));
    assert_eq!(paid.amount, dec("4321.09"));
    assert_eq!(paid.payment_date, Date::from_ymd(2023, 6, 19));
    assert!(bill.payments[1].payment_mode.is_none());
    let open = &page.results[1];
    assert!(open.bill_closing_date.is_none() && open.minimum_payment_amount.is_none());
    assert!(open.account_id.is_none());
    assert_eq!(open.finance_charges_total(), Some(Decimal::ZERO));
    // A `null` closing date is written back as `null`.
    assert_eq!(
        serde_json::to_value(open).unwrap()["billClosingDate"],
        Value::Null
    );

    // The document's example: offset-less dates, no `payments`, an unknown charge kind.
    let spec: Bill = serde_json::from_value(json!({
        "id": "05c693bf-c196-47ea-a28c-8251d6bb8a06",
        "dueDate": "2023-07-20T00:00:00",
        "billClosingDate": "2023-07-13T00:00:00",
        "totalAmount": 50000,
        "totalAmountCurrencyCode": "BRL",
        "minimumPaymentAmount": 50000,
        "allowsInstallments": true,
        "financeCharges": [{
            "id": "123456bf-c196-47ea-a28c-8251d6bb8777", "type": "ANNUITY",
            "amount": 20.51, "currencyCode": "BRL", "additionalInfo": "NA"
        }]
    }))
    .unwrap();
    assert_eq!(spec.due_date, bill.due_date);
    assert!(spec.payments.is_empty());
    assert_eq!(
        spec.finance_charges[0].kind,
        BillFinanceChargeType::Unknown("ANNUITY".into())
    );
    assert_eq!(
        serde_json::to_value(&spec).unwrap()["financeCharges"][0]["type"],
        "ANNUITY"
    );
}

#[test]
fn consents_decode() {
    let page: Page<Consent> = decode("consents_page.json");
    let active = &page.results[0];
    assert_eq!(
        active.id,
        ConsentId::new("71996b6d-8991-450c-8542-ae59069d1a9d")
    );
    assert_eq!(
        active.item_id,
        ItemId::new("9aab8d24-c89b-4b0e-8974-7dd5614686e4")
    );
    assert_eq!(active.products, vec![Product::Accounts, Product::Identity]);
    assert_eq!(
        active.open_finance_permissions_granted,
        vec![
            OpenFinancePermission::AccountsAll,
            OpenFinancePermission::RegistrationAll
        ]
    );
    let during = Timestamp::parse("2024-01-01T00:00:00Z").unwrap();
    let after = Timestamp::parse("2025-01-01T00:00:00Z").unwrap();
    assert!(active.is_active(during) && !active.is_active(after));
    let revoked = &page.results[1];
    assert!(revoked.expires_at.is_none());
    assert!(!revoked.is_active(during));
    assert!(revoked.is_active(Timestamp::parse("2023-02-01T00:00:00Z").unwrap()));
    // Never-expiring, unrevoked consents write both as `null`.
    let v = serde_json::to_value(revoked).unwrap();
    assert_eq!(v["expiresAt"], Value::Null);

    let odd: Consent = serde_json::from_value(json!({
        "id": "c", "itemId": "i", "products": ["PIX_AUTOMATICO"],
        "openFinancePermissionsGranted": ["INSURANCE_ALL"],
        "createdAt": "2023-10-02T03:00:00.000Z"
    }))
    .unwrap();
    assert_eq!(
        odd.products,
        vec![Product::Unknown("PIX_AUTOMATICO".into())]
    );
    assert_eq!(
        odd.open_finance_permissions_granted,
        vec![OpenFinancePermission::Unknown("INSURANCE_ALL".into())]
    );
    assert!(odd.expires_at.is_none() && odd.revoked_at.is_none());
}

#[test]
fn merchant_lookup_decodes() {
    let found: MerchantLookup = decode("merchants_lookup.json");
    let bb = found.find("00.000.000/0001-91").unwrap();
    assert_eq!(bb.name.as_deref(), Some("BANCO DO BRASIL"));
    assert_eq!(bb.category.as_deref(), Some("Banking"));
    assert!(found.find("60701190000104").is_none());
    assert_eq!(found.not_found_merchants, ["60701190000104"]);
    assert_eq!(found.invalid_cnpjs, ["12345"]);
    let empty: MerchantLookup = serde_json::from_value(json!({})).unwrap();
    assert!(empty.found_merchants.is_empty());
}

#[test]
fn loans_decode_with_exact_rates_and_nested_details() {
    let page: Page<Loan> = decode("loans_page.json");
    let loan = &page.results[0];
    assert_eq!(loan.id, LoanId::new("05c693bf-c196-47ea-a28c-8251d6bb8a06"));
    assert_eq!(loan.kind, Some(LoanKind::Loan));
    assert_eq!(
        loan.product_type.as_deref(),
        Some("CREDITO_PESSOAL_COM_CONSIGNACAO")
    );
    assert_eq!(loan.contract_amount, Some(dec("50000")));
    assert_eq!(loan.cet, Some(dec("0.29")));
    assert_eq!(loan.contract_date, Date::from_ymd(2022, 8, 1));
    assert_eq!(
        loan.disbursement_dates,
        [Date::from_ymd(2018, 1, 15).unwrap()]
    );
    assert_eq!(
        loan.installment_periodicity,
        Some(LoanInstallmentPeriodicity::Monthly)
    );
    assert_eq!(loan.amortization_scheduled, Some(LoanAmortization::Sac));
    let rate = &loan.interest_rates[0];
    assert_eq!(rate.tax_type, Some(LoanTaxType::Effective));
    assert_eq!(rate.pre_fixed_rate, Some(dec("0.6")));
    assert_eq!(rate.post_fixed_rate, Some(dec("0.55")));
    let fee = &loan.contracted_fees[0];
    assert_eq!(fee.charge_type, Some(LoanFeeChargeType::Unique));
    assert_eq!(fee.amount, Some(dec("100000.04")));
    assert_eq!(fee.rate, Some(dec("0.062")));
    assert_eq!(loan.contracted_finance_charges[0].rate, Some(dec("0.07")));
    assert_eq!(loan.warranties[0].amount, Some(dec("1000.04")));
    let inst = loan.installments.as_ref().unwrap();
    assert_eq!(inst.type_number_of_installments, Some(LoanTermType::Month));
    assert_eq!(inst.total_number_of_installments, Some(130));
    assert_eq!(loan.remaining_installments(), Some(59));
    let balloon = &inst.balloon_payments[0];
    assert_eq!(balloon.amount.as_ref().unwrap().value, Some(dec("1000.04")));
    let payments = loan.payments.as_ref().unwrap();
    assert_eq!(payments.contract_outstanding_balance, Some(dec("1000.04")));
    let release = &payments.releases[0];
    assert_eq!(release.is_over_parcel_payment, Some(true));
    assert_eq!(release.paid_date, Date::from_ymd(2021, 5, 21));
    let over = release.over_parcel.as_ref().unwrap();
    assert_eq!(over.fees[0].amount, Some(dec("100000.04")));
    assert_eq!(
        over.charges[0].kind.as_deref(),
        Some("JUROS_REMUNERATORIOS_POR_ATRASO")
    );

    // Only the required fields: everything else is absent.
    let overdraft = &page.results[1];
    assert_eq!(overdraft.kind, Some(LoanKind::UnarrangedAccountOverdraft));
    assert!(overdraft.installments.is_none() && overdraft.interest_rates.is_empty());
    assert!(overdraft.cet.is_none() && overdraft.remaining_installments().is_none());
    assert_eq!(
        overdraft.date,
        Timestamp::parse("2023-07-20T12:34:56.789Z").unwrap()
    );
}

#[test]
fn the_documents_loan_example_decodes() {
    // As the document's example writes it: offset-less dates, Portuguese values where the
    // schema lists English ones, `chargeAdditionalInfo`/`chargeRate` for a finance charge,
    // no `kind`.
    let loan: Loan = serde_json::from_value(json!({
        "id": "05c693bf-c196-47ea-a28c-8251d6bb8a06",
        "itemId": "5e9f8f8f-f8f8-4f8f-8f8f-8f8f8f8f8f8f",
        "productName": "Crédito Pessoal Consignado",
        "type": "CREDITO_PESSOAL_COM_CONSIGNACAO",
        "date": "2023-07-20T00:00:00",
        "contractDate": "2022-08-01T00:00:00",
        "disbursementDates": ["2018-01-15T00:00:00"],
        "contractAmount": 50000,
        "currencyCode": "BRL",
        "CET": 0.29,
        "interestRates": [{
            "taxType": "EFETIVA", "interestRateType": "SIMPLES", "taxPeriodicity": "AA",
            "preFixedRate": 0.6
        }],
        "contractedFees": [{"chargeType": "UNICA", "charge": "MINIMO", "amount": 100000.04}],
        "contractedFinanceCharges": [{
            "type": "JUROS_REMUNERATORIOS_POR_ATRASO", "chargeAdditionalInfo": "x",
            "chargeRate": 0.07
        }],
        "installments": {"typeNumberOfInstallments": "MES", "typeContractRemaining": "DIA"}
    }))
    .unwrap();
    assert_eq!(loan.date, Timestamp::parse("2023-07-20T00:00:00Z").unwrap());
    assert_eq!(loan.contract_date, Date::from_ymd(2022, 8, 1));
    assert_eq!(
        loan.disbursement_dates,
        [Date::from_ymd(2018, 1, 15).unwrap()]
    );
    assert!(loan.kind.is_none());
    let rate = &loan.interest_rates[0];
    assert_eq!(rate.tax_type, Some(LoanTaxType::Unknown("EFETIVA".into())));
    assert_eq!(
        loan.contracted_fees[0].charge_type,
        Some(LoanFeeChargeType::Unknown("UNICA".into()))
    );
    let charge = &loan.contracted_finance_charges[0];
    assert_eq!(charge.rate, Some(dec("0.07")));
    assert_eq!(charge.additional_info.as_deref(), Some("x"));
    assert_eq!(
        loan.installments
            .as_ref()
            .unwrap()
            .type_number_of_installments,
        Some(LoanTermType::Unknown("MES".into()))
    );
    // Unknown values go back out as they came; the charge is written with the schema's names.
    let v = serde_json::to_value(&loan).unwrap();
    assert_eq!(v["interestRates"][0]["taxPeriodicity"], "AA");
    assert_eq!(v["contractedFinanceCharges"][0]["rate"], 0.07);
    assert_eq!(v["CET"], 0.29);
    assert_eq!(v["date"], "2023-07-20T00:00:00.000Z");
}

#[test]
fn transaction_filters_cover_the_document() {
    use pluggy_core::TransactionId;
    use pluggy_core::models::{CursorTransactionFilters, TransactionFilters};
    let ids = vec![
        TransactionId::new("a8534c85-53ce-4f21-94d7-50e9d2ee4957"),
        TransactionId::new("05c693bf-c196-47ea-a28c-8251d6bb8a06"),
    ];
    let v1 = TransactionFilters {
        ids: ids.clone(),
        bill_id: Some(BillId::new("abced929-edc4-408c-a959-d51f79ab1123")),
        created_at_from: Some(Timestamp::parse("2020-10-13T03:00:00.000Z").unwrap()),
        ..Default::default()
    };
    let call = v1.apply(Call::new(&endpoints::TRANSACTIONS_LIST).query("accountId", "ac"));
    assert_eq!(
        call.query_value("ids"),
        Some("a8534c85-53ce-4f21-94d7-50e9d2ee4957,05c693bf-c196-47ea-a28c-8251d6bb8a06")
    );
    assert_eq!(
        call.query_value("billId"),
        Some("abced929-edc4-408c-a959-d51f79ab1123")
    );
    assert_eq!(
        call.query_value("createdAtFrom"),
        Some("2020-10-13T03:00:00.000Z")
    );
    let v2 = CursorTransactionFilters {
        ids,
        ..Default::default()
    };
    let call = v2.apply(Call::new(&endpoints::TRANSACTIONS_LIST_BY_CURSOR));
    assert!(call.query_value("ids").unwrap().contains(','));

    // A card transaction names its bill.
    let page: Page<Transaction> = decode("transactions_page.json");
    assert_eq!(
        page.results[4].bill_id(),
        Some(&BillId::new("abced929-edc4-408c-a959-d51f79ab1123"))
    );
    assert!(page.results[0].bill_id().is_none());
}

mod payments {
    use super::{dec, decode};
    use pluggy_core::models::{
        AutomaticPixErrorCode, AutomaticPixFirstPayment, AutomaticPixInterval, AutomaticPixPayment,
        AutomaticPixPaymentAttemptStatus, AutomaticPixPaymentDetail, AutomaticPixPaymentStatus,
        Boleto, BoletoConnection, BoletoCredentials, BoletoFine, BoletoFineType,
        BoletoPaymentOrigin, BoletoStatus, BoletoToIssuePayer, CreateAutomaticPixPaymentRequest,
        CreateBoleto, CreateBoletoConnection, CreateBoletoConnectionFromItem,
        CreatePaymentCustomer, CreatePaymentIntent, CreatePaymentRecipient, CreatePaymentRequest,
        CreatePixQrPaymentRequest, CreateSmartTransferPayment, CreateSmartTransferPreauthorization,
        Date, DayOfWeek, Page, PaymentCallbackUrls, PaymentCustomer, PaymentCustomerFilters,
        PaymentCustomerType, PaymentInstitution, PaymentInstitutionFilters, PaymentIntent,
        PaymentIntentErrorCode, PaymentIntentParameters, PaymentIntentStatus, PaymentMethod,
        PaymentRecipient, PaymentRecipientAccount, PaymentRecipientAccountType,
        PaymentRecipientFilters, PaymentRequest, PaymentRequestFilters, PaymentRequestRecipient,
        PaymentRequestStatus, PaymentSchedule, PaymentSchedulePlan, PaymentScheduleStatus,
        PixKeyKind, RetryAutomaticPixPayment, ScheduleAutomaticPixPayment, SmartTransferPayment,
        SmartTransferPaymentErrorCode, SmartTransferPaymentFilters, SmartTransferPaymentStatus,
        SmartTransferPreauthorization, SmartTransferPreauthorizationFilters,
        SmartTransferPreauthorizationParameters, SmartTransferPreauthorizationStatus,
        UpdatePaymentCustomer, UpdatePaymentRecipient, UpdatePaymentRequest, is_valid_cnpj,
        is_valid_cpf, is_valid_pix_key, is_valid_tax_number, pix_key_kind,
    };
    use pluggy_core::{
        AutomaticPixPaymentId, BoletoConnectionId, BoletoId, Call, ConnectorId, ItemId,
        PaymentCustomerId, PaymentInstitutionId, PaymentIntentId, PaymentRecipientId,
        PaymentRequestId, PaymentScheduleId, SmartTransferPaymentId,
        SmartTransferPreauthorizationId, Timestamp, endpoints,
    };
    use serde_json::{Value, json};

    fn date(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn body<T: serde::Serialize>(t: &T) -> Value {
        serde_json::to_value(t).unwrap()
    }

    #[test]
    fn payment_requests_decode_with_exact_amounts_schedules_and_recipients() {
        let page: Page<PaymentRequest> = decode("payment_requests_page.json");
        assert_eq!(page.total, 8);
        let r = &page.results;

        assert_eq!(
            r[0].id,
            PaymentRequestId::new("05c693bf-c196-47ea-a28c-8251d6bb8a06")
        );
        assert_eq!(r[0].amount, Some(dec("100.5")));
        assert_eq!(r[0].status, PaymentRequestStatus::Created);
        assert_eq!(r[0].description.as_deref(), Some("Transferência"));
        assert!(r[0].recipient.is_none() && r[0].callback_urls.is_none());
        assert_eq!(
            r[0].payment_url,
            "https://pay.pluggy.ai/05c693bf-c196-47ea-a28c-8251d6bb8a06"
        );

        // A monthly Pix Agendado to a recipient of ours, paid by a customer.
        assert_eq!(r[1].status, PaymentRequestStatus::Scheduled);
        assert_eq!(r[1].fees, Some(dec("0.45")));
        assert!(r[1].is_sandbox);
        assert_eq!(
            r[1].schedule,
            Some(PaymentSchedulePlan::Monthly {
                start_date: date("2025-04-01"),
                day_of_month: 5,
                occurrences: 12,
            })
        );
        assert_eq!(r[1].schedule.as_ref().unwrap().kind(), "MONTHLY");
        let to = r[1].recipient.as_ref().unwrap().as_bank_account().unwrap();
        assert_eq!(
            to.id,
            PaymentRecipientId::new("5e9f8f8f-f8f8-4f8f-8f8f-8f8f8f8f8f8f")
        );
        let customer = r[1].customer.as_ref().unwrap();
        assert_eq!(customer.kind, Some(PaymentCustomerType::Individual));
        assert_eq!(
            r[1].callback_urls.as_ref().unwrap().success.as_deref(),
            Some("https://merchant.example.com/orders/4821/success")
        );

        assert_eq!(
            r[2].schedule,
            Some(PaymentSchedulePlan::Weekly {
                start_date: date("2025-04-01"),
                day_of_week: DayOfWeek::Friday,
                occurrences: 4,
            })
        );
        assert_eq!(r[3].amount, Some(dec("1234.56")));
        assert_eq!(r[3].amount.unwrap().to_string(), "1234.56");
        assert_eq!(
            r[3].schedule,
            Some(PaymentSchedulePlan::Custom {
                dates: vec![date("2025-04-01"), date("2025-04-15")],
                additional_information: Some("Parcelas".into()),
            })
        );
        // A status this version does not know is kept.
        assert_eq!(
            r[4].status,
            PaymentRequestStatus::Unknown("A_FUTURE_STATUS".into())
        );
        assert!(!r[4].status.is_final());
        assert_eq!(
            r[4].schedule,
            Some(PaymentSchedulePlan::Single {
                date: date("2025-05-02")
            })
        );
        assert_eq!(r[5].status, PaymentRequestStatus::Error);
        assert_eq!(
            r[5].error_detail.as_ref().unwrap().code.as_deref(),
            Some("PAYMENT_REJECTED")
        );
        assert_eq!(
            r[5].schedule,
            Some(PaymentSchedulePlan::Daily {
                start_date: date("2025-05-02"),
                occurrences: 3
            })
        );

        // A Pix QR payment names the code's receiver.
        assert_eq!(
            r[6].recipient,
            Some(PaymentRequestRecipient::PixQrCode {
                name: Some("example-name".into())
            })
        );
        assert!(r[6].pix_qr_code.as_deref().unwrap().starts_with("000201"));

        // A boleto payment, received in a smart account.
        assert_eq!(
            r[7].recipient,
            Some(PaymentRequestRecipient::Boleto {
                name: Some("Companhia de Luz".into()),
                tax_number: Some("11222333000181".into()),
            })
        );
        let boleto = r[7].boleto.as_ref().unwrap();
        assert_eq!(boleto.base_amount, dec("1500"));
        assert_eq!(boleto.interest_amount, Some(dec("5.3")));
        assert_eq!(boleto.total_amount, dec("1520.3"));
        assert_eq!(
            boleto.total_amount,
            boleto.base_amount + boleto.penalty_amount + boleto.interest_amount.unwrap()
                - boleto.discount_amount
        );
        assert_eq!(boleto.due_date, Some(date("2025-03-20")));
        let smart = r[7].smart_account.as_ref().unwrap();
        assert_eq!(smart.verifying_digit, "8");
        assert!(smart.is_sandbox);
    }

    #[test]
    fn unknown_schedule_and_recipient_shapes_are_kept() {
        let v = json!({"type": "YEARLY", "startDate": "2025-01-01"});
        let plan: PaymentSchedulePlan = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(plan, PaymentSchedulePlan::Unknown(v.clone()));
        assert_eq!(plan.kind(), "YEARLY");
        assert_eq!(body(&plan), v);

        let v = json!({"type": "WALLET", "name": "x"});
        let to: PaymentRequestRecipient = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(to, PaymentRequestRecipient::Unknown(v.clone()));
        assert_eq!(body(&to), v);
        // A known kind with a bad shape is an error, not silently unknown.
        assert!(serde_json::from_value::<PaymentSchedulePlan>(json!({"type": "DAILY"})).is_err());
    }

    #[test]
    fn payment_request_statuses() {
        use PaymentRequestStatus as S;
        for s in [
            S::Completed,
            S::Error,
            S::Expired,
            S::Canceled,
            S::Refunded,
            S::RefundError,
        ] {
            assert!(s.is_final(), "{s}");
        }
        for s in [
            S::Created,
            S::InProgress,
            S::WaitingPayerAuthorization,
            S::Authorized,
            S::Scheduled,
            S::RefundInProgress,
        ] {
            assert!(!s.is_final(), "{s}");
        }
        assert!(S::Completed.is_success());
        assert!(!S::Refunded.is_success());
        assert_eq!(
            S::parse("WAITING_PAYER_AUTHORIZATION"),
            S::WaitingPayerAuthorization
        );
    }

    #[test]
    fn automatic_pix_request_and_payments_decode() {
        let req: PaymentRequest = decode("payment_request_automatic_pix.json");
        assert_eq!(req.amount, None);
        let auto = req.automatic_pix.as_ref().unwrap();
        assert_eq!(auto.interval, AutomaticPixInterval::Weekly);
        assert_eq!(auto.fixed_amount, Some(dec("0.01")));
        assert_eq!(auto.start_date, date("2025-06-11"));
        assert_eq!(
            auto.expires_at,
            Some(Timestamp::parse("2025-06-16T23:59:59Z").unwrap())
        );
        assert_eq!(auto.first_payment.as_ref().unwrap().amount, dec("0.01"));
        // The embedded recipient's account is masked; its kind is kept as written.
        let to = req.recipient.as_ref().unwrap().as_bank_account().unwrap();
        assert_eq!(
            to.account.as_ref().unwrap().kind,
            PaymentRecipientAccountType::Unknown("*******".into())
        );

        // `expiresAt` may come as a bare date (the document's example writes `startDate` so).
        let lenient: pluggy_core::models::AutomaticPix = serde_json::from_value(json!({
            "interval": "MONTHLY", "startDate": "2025-06-11T00:00:00.000Z", "expiresAt": "2025-12-31"
        }))
        .unwrap();
        assert_eq!(
            lenient.expires_at,
            Some(Timestamp::parse("2025-12-31T00:00:00Z").unwrap())
        );
        assert_eq!(lenient.start_date, date("2025-06-11"));

        let page: Page<AutomaticPixPayment> = decode("automatic_pix_payments_page.json");
        let first = &page.results[0];
        assert_eq!(
            first.id,
            AutomaticPixPaymentId::new("66d503f1-0cfa-4d64-9f87-0782d959eba7")
        );
        assert_eq!(first.status, AutomaticPixPaymentStatus::Scheduled);
        assert_eq!(first.amount, dec("0.01"));
        assert_eq!(first.date, date("2025-06-08"));
        assert_eq!(first.is_first_payment, Some(false));
        let failed = &page.results[1];
        assert_eq!(failed.amount, dec("89.9"));
        assert!(failed.status.is_final() && !failed.status.is_success());
        assert_eq!(
            failed.error_detail.as_ref().unwrap().code,
            AutomaticPixErrorCode::SaldoInsuficiente
        );
        assert_eq!(failed.attempts.len(), 2);
        assert_eq!(
            failed.attempts[1].status,
            AutomaticPixPaymentAttemptStatus::InProgress
        );

        let detail: AutomaticPixPaymentDetail = decode("automatic_pix_payment_detail.json");
        assert!(!detail.scheduled_status_reached);
        assert_eq!(detail.payment.amount, dec("0.01"));
        assert_eq!(
            detail.payment.client_payment_id.as_deref(),
            Some("external-ref-456")
        );

        let code: AutomaticPixErrorCode = serde_json::from_value(json!("NOVO_CODIGO")).unwrap();
        assert_eq!(code, AutomaticPixErrorCode::Unknown("NOVO_CODIGO".into()));
    }

    #[test]
    fn payment_intents_decode() {
        let one: PaymentIntent = decode("payment_intent.json");
        assert_eq!(
            one.id,
            PaymentIntentId::new("4cfe1f6d-ae71-4c35-aae0-8f8a535ffbbd")
        );
        assert_eq!(
            one.status,
            PaymentIntentStatus::ConsentAwaitingAuthorization
        );
        assert_eq!(one.consent_url.as_deref(), Some("https://consenturl.com"));
        let req = one.payment_request.as_ref().unwrap();
        assert_eq!(req.status, PaymentRequestStatus::InProgress);
        assert_eq!(req.amount, Some(dec("100.5")));
        assert_eq!(one.connector.as_ref().unwrap().id, ConnectorId::new(603));

        let page: Page<PaymentIntent> = decode("payment_intents_page.json");
        let done = &page.results[1];
        assert_eq!(done.status, PaymentIntentStatus::PaymentCompleted);
        assert!(done.status.is_final() && done.status.is_success());
        assert_eq!(done.payment_method, Some(PaymentMethod::Pis));
        let debtor = done.debtor.as_ref().unwrap();
        assert_eq!(debtor.tax_number.as_deref(), Some("52998224725"));
        assert_eq!(
            debtor.bank_account.as_ref().unwrap().agency.as_deref(),
            Some("0001")
        );
        let rejected = &page.results[2];
        assert!(rejected.status.is_failure());
        assert_eq!(rejected.payment_method, Some(PaymentMethod::Pix));
        assert_eq!(rejected.pix_data.as_ref().unwrap().qr, "iVBORw0KGgo=");
        assert_eq!(
            rejected.error_detail.as_ref().unwrap().code,
            PaymentIntentErrorCode::SaldoInsuficiente
        );
        let odd = &page.results[3];
        assert_eq!(
            odd.status,
            PaymentIntentStatus::Unknown("SOME_NEW_STATUS".into())
        );
        assert!(!odd.status.is_final());
        assert_eq!(
            odd.error_detail.as_ref().unwrap().code,
            PaymentIntentErrorCode::Unknown("A_NEW_ERROR_CODE".into())
        );
    }

    #[test]
    fn payment_intent_statuses_end_as_documented() {
        use PaymentIntentStatus as S;
        let success = [S::PaymentCompleted];
        let failures = [
            S::ConsentRejected,
            S::PaymentRejected,
            S::Rejected,
            S::Error,
            S::Canceled,
            S::Expired,
            S::PaymentTimeout,
            S::Revoked,
        ];
        let going_on = [
            S::Started,
            S::Enqueued,
            S::ConsentAwaitingAuthorization,
            S::ConsentAuthorized,
            S::PaymentPending,
            S::PaymentPartiallyAccepted,
            S::PaymentSettlementProcessing,
            S::PaymentSettlementDebtorAccount,
            S::PaymentWaitingConfirmation,
            S::Consumed,
            S::Unknown("NEW".into()),
        ];
        for s in success {
            assert!(s.is_final() && s.is_success() && !s.is_failure(), "{s}");
        }
        for s in failures {
            assert!(s.is_final() && !s.is_success() && s.is_failure(), "{s}");
        }
        for s in going_on {
            assert!(!s.is_final() && !s.is_success() && !s.is_failure(), "{s}");
        }
        // Every value round-trips through its wire text.
        for s in [
            "STARTED",
            "PAYMENT_SETTLEMENT_DEBTOR_ACCOUNT",
            "EXPIRED",
            "CANCELED",
        ] {
            assert_eq!(S::parse(s).as_str(), s);
            assert!(!matches!(S::parse(s), S::Unknown(_)));
        }
    }

    #[test]
    fn customers_recipients_and_institutions_decode() {
        let page: Page<PaymentCustomer> = decode("payment_customers_page.json");
        assert_eq!(
            page.results[0].kind, None,
            "the document's list example has no type"
        );
        assert_eq!(page.results[0].email.as_deref(), Some("msilva@pluggy.ai"));
        assert_eq!(page.results[1].cpf.as_deref(), Some("123.456.789-00"));
        let business = &page.results[2];
        assert_eq!(
            business.id,
            PaymentCustomerId::new("7c1d9a44-0b7e-4a4e-9a51-1f2b3c4d5e6f")
        );
        assert_eq!(business.kind, Some(PaymentCustomerType::Business));
        assert!(is_valid_cnpj(business.cnpj.as_deref().unwrap()));

        let page: Page<PaymentRecipient> = decode("payment_recipients_page.json");
        let bank = &page.results[0];
        assert_eq!(bank.kind, "BANK_ACCOUNT");
        assert!(!bank.is_default);
        assert_eq!(
            bank.account,
            Some(PaymentRecipientAccount::checking("0001", "123456"))
        );
        let inst = bank.payment_institution.as_ref().unwrap();
        assert_eq!(inst.ispb, "03017677");
        assert_eq!(inst.compe.as_deref(), Some("074"));
        let pix = &page.results[1];
        assert!(pix.is_default);
        assert_eq!(pix.pix_key.as_deref(), Some("pagamentos@example.com.br"));

        let page: Page<PaymentInstitution> = decode("payment_institutions_page.json");
        assert_eq!(
            page.results[1].id,
            PaymentInstitutionId::new("abfd2a88-bc7b-407f-9fcc-395548ee6840")
        );
        assert_eq!(page.results[1].trade_name, "BCO XP S.A.");
    }

    #[test]
    fn schedules_decode() {
        let page: Page<PaymentSchedule> = decode("payment_schedules_page.json");
        let [failed, done, pending] = &page.results[..] else {
            panic!("three schedules")
        };
        assert_eq!(
            failed.id,
            PaymentScheduleId::new("05c693bf-c196-47ea-a28c-8251d6bb8a04")
        );
        assert_eq!(failed.status, PaymentScheduleStatus::Error);
        assert_eq!(
            failed.error_detail.as_ref().unwrap().code.as_deref(),
            Some("INSUFFICIENT_BALANCE")
        );
        assert_eq!(done.status, PaymentScheduleStatus::Completed);
        assert_eq!(
            done.end_to_end_id.as_deref(),
            Some("E44471172202505141500U29c6ff88e3")
        );
        assert_eq!(pending.scheduled_date, date("2024-07-04"));
        assert_eq!(pending.description, "PAGAMENTO AGENDADO 3/3");
        assert!(!pending.status.is_final() && done.status.is_final());
    }

    #[test]
    fn smart_transfers_decode() {
        let page: Page<SmartTransferPreauthorization> =
            decode("smart_transfer_preauthorizations_page.json");
        let pre = &page.results[0];
        assert_eq!(
            pre.id,
            SmartTransferPreauthorizationId::new("db97ad98-5b8f-4027-a248-6e112a73ced8")
        );
        assert_eq!(pre.status, SmartTransferPreauthorizationStatus::Created);
        assert!(!pre.status.is_authorized() && !pre.status.is_failure());
        assert_eq!(pre.recipients.len(), 1);
        assert_eq!(pre.connector.as_ref().unwrap().id, ConnectorId::new(612));
        let conf = pre.configuration.as_ref().unwrap();
        assert_eq!(conf.total_allowed_amount, Some(dec("10000")));
        assert_eq!(conf.transaction_limit, Some(dec("500.5")));
        let day = conf.periodic_limits.as_ref().unwrap().day.as_ref().unwrap();
        assert_eq!(day.quantity_limit, Some(3));

        let page: Page<SmartTransferPayment> = decode("smart_transfer_payments_page.json");
        let paid = &page.results[0];
        assert_eq!(
            paid.id,
            SmartTransferPaymentId::new("b5a1c4f0-6a3e-4e5b-9c0d-1e2f3a4b5c6d")
        );
        assert_eq!(paid.preauthorization_id, pre.id);
        assert_eq!(paid.amount, dec("100.1"));
        assert!(paid.status.is_final() && paid.status.is_success());
        let rejected = &page.results[1];
        assert_eq!(rejected.status, SmartTransferPaymentStatus::PaymentRejected);
        assert!(rejected.recipient.is_none());
        assert_eq!(
            rejected.error_detail.as_ref().unwrap().code,
            Some(SmartTransferPaymentErrorCode::PaymentRejectedByHolder)
        );
        assert!(!SmartTransferPaymentStatus::PaymentPending.is_final());
        assert!(!SmartTransferPaymentStatus::Unknown("X".into()).is_final());
    }

    #[test]
    fn boletos_decode() {
        let conn: BoletoConnection = decode("boleto_connection.json");
        assert_eq!(
            conn.id,
            BoletoConnectionId::new("dc3537ad-13b4-4770-b248-e4578983899c")
        );
        assert_eq!(conn.connector_id, ConnectorId::new(225));

        let b: Boleto = decode("boleto.json");
        assert_eq!(b.id, BoletoId::new("0b4f2c9e-6d1a-4b8e-9f3c-7a5d2e1b0c48"));
        assert_eq!(b.amount, dec("150.75"));
        assert_eq!(b.amount_paid, Some(dec("150.75")));
        assert_eq!(b.status, BoletoStatus::Paid);
        assert_eq!(b.payment_origin, Some(BoletoPaymentOrigin::Pix));
        assert_eq!(b.due_date, date("2025-08-10"));
        assert_eq!(
            b.fine,
            Some(BoletoFine {
                value: dec("2"),
                kind: BoletoFineType::Percentage
            })
        );
        assert_eq!(b.payer.address_state, "SP");
        assert_eq!(b.boleto_connection_id, conn.id);
        let s: BoletoStatus = serde_json::from_value(json!("WRITTEN_OFF")).unwrap();
        assert_eq!(s, BoletoStatus::Unknown("WRITTEN_OFF".into()));
    }

    #[test]
    fn request_bodies_serialize_to_the_documented_json() {
        // The document's example bodies.
        let create = CreatePaymentRequest::new(dec("100.5")).with_description("Transferência");
        assert_eq!(
            body(&create),
            json!({"amount": 100.5, "description": "Transferência"})
        );
        let full = CreatePaymentRequest::new(dec("1234.56"))
            .with_recipient(PaymentRecipientId::new("r1"))
            .with_customer(PaymentCustomerId::new("c1"))
            .with_client_payment_id("order-1")
            .with_callback_urls(PaymentCallbackUrls {
                success: Some("https://x.example/ok".into()),
                ..Default::default()
            })
            .with_schedule(PaymentSchedulePlan::Weekly {
                start_date: date("2025-04-01"),
                day_of_week: DayOfWeek::Monday,
                occurrences: 3,
            })
            .with_sandbox(true);
        assert_eq!(
            body(&full),
            json!({
                "amount": 1234.56, "recipientId": "r1", "customerId": "c1",
                "clientPaymentId": "order-1", "callbackUrls": {"success": "https://x.example/ok"},
                "schedule": {"type": "WEEKLY", "startDate": "2025-04-01", "dayOfWeek": "MONDAY",
                             "occurrences": 3},
                "isSandbox": true
            })
        );
        let single =
            CreatePaymentRequest::new(dec("10")).with_schedule(PaymentSchedulePlan::Single {
                date: date("2025-05-02"),
            });
        assert_eq!(
            body(&single),
            json!({"amount": 10, "schedule": {"type": "SINGLE", "date": "2025-05-02"}})
        );
        let custom = PaymentSchedulePlan::Custom {
            dates: vec![date("2025-05-02")],
            additional_information: None,
        };
        assert_eq!(
            body(&custom),
            json!({"type": "CUSTOM", "dates": ["2025-05-02"]})
        );

        assert_eq!(body(&UpdatePaymentRequest::default()), json!({}));
        let update = UpdatePaymentRequest {
            amount: Some(dec("100.5")),
            description: Some("Transferência".into()),
            is_sandbox: Some(false),
            ..Default::default()
        };
        assert_eq!(
            body(&update),
            json!({"amount": 100.5, "description": "Transferência", "isSandbox": false})
        );

        let qr = CreatePixQrPaymentRequest::new("000201...");
        assert_eq!(body(&qr), json!({"pixQrCode": "000201..."}));

        let auto = CreateAutomaticPixPaymentRequest::new(
            PaymentRecipientId::new("05c693bf-c196-47ea-a28c-8251d6bb8a06"),
            AutomaticPixInterval::Weekly,
            date("2025-06-10"),
        )
        .with_fixed_amount(dec("100.5"))
        .with_expiry(date("2025-10-01"))
        .with_first_payment(AutomaticPixFirstPayment {
            date: Some(date("2025-06-10")),
            description: Some("Primeiro pagamento".into()),
            amount: dec("100.5"),
        });
        let auto = CreateAutomaticPixPaymentRequest {
            is_retry_accepted: Some(true),
            ..auto
        };
        assert_eq!(
            body(&auto),
            json!({
                "fixedAmount": 100.5, "startDate": "2025-06-10", "expiresAt": "2025-10-01",
                "isRetryAccepted": true,
                "firstPayment": {"date": "2025-06-10", "description": "Primeiro pagamento",
                                 "amount": 100.5},
                "interval": "WEEKLY", "recipientId": "05c693bf-c196-47ea-a28c-8251d6bb8a06"
            })
        );
        let variable = CreateAutomaticPixPaymentRequest::new(
            PaymentRecipientId::new("r"),
            AutomaticPixInterval::Monthly,
            date("2025-06-10"),
        )
        .with_variable_amounts(None, dec("500"));
        assert_eq!(
            body(&variable),
            json!({"maximumVariableAmount": 500, "startDate": "2025-06-10",
                   "interval": "MONTHLY", "recipientId": "r"})
        );

        let schedule = ScheduleAutomaticPixPayment::new(dec("100.5"), date("2025-06-10"))
            .with_description("Transferência")
            .with_client_payment_id("external-ref-456");
        assert_eq!(
            body(&schedule),
            json!({"amount": 100.5, "date": "2025-06-10", "description": "Transferência",
                   "clientPaymentId": "external-ref-456"})
        );
        assert_eq!(
            body(&RetryAutomaticPixPayment::new(date("2025-06-10"))),
            json!({"date": "2025-06-10"})
        );
    }

    #[test]
    fn other_bodies_serialize_to_the_documented_json() {
        let intent = CreatePaymentIntent::new(PaymentRequestId::new(
            "c2a6b7d9-3349-435d-8341-44021449ebbc",
        ))
        .with_payer(
            ConnectorId::new(603),
            PaymentIntentParameters::cpf("11111111111"),
        );
        assert_eq!(
            body(&intent),
            json!({"paymentRequestId": "c2a6b7d9-3349-435d-8341-44021449ebbc",
                   "connectorId": 603, "parameters": {"cpf": "11111111111"}})
        );
        assert_eq!(
            body(&CreatePaymentIntent::new(PaymentRequestId::new("p"))),
            json!({"paymentRequestId": "p"})
        );

        let customer = CreatePaymentCustomer::individual("Marco Silva", "12345678900")
            .with_email("msilva@pluggy.ai");
        assert_eq!(
            body(&customer),
            json!({"type": "INDIVIDUAL", "name": "Marco Silva", "email": "msilva@pluggy.ai",
                   "cpf": "12345678900"})
        );
        let business = CreatePaymentCustomer::business("Loja", "11222333000181")
            .with_connector(ConnectorId::new(201));
        assert_eq!(
            body(&business),
            json!({"type": "BUSINESS", "name": "Loja", "cnpj": "11222333000181",
                   "connectorId": 201})
        );
        let update = UpdatePaymentCustomer {
            name: Some("Marco Silva".into()),
            email: Some("msilva@pluggy.ai".into()),
            ..Default::default()
        };
        assert_eq!(
            body(&update),
            json!({"name": "Marco Silva", "email": "msilva@pluggy.ai"})
        );

        let recipient = CreatePaymentRecipient::new(
            "123456789-00",
            "Conta empresa",
            PaymentInstitutionId::new("00000000-0000-0000-0000-000000000000"),
            PaymentRecipientAccount::checking("0001", "123456"),
        );
        assert_eq!(
            body(&recipient),
            json!({"taxNumber": "123456789-00", "name": "Conta empresa",
                   "paymentInstitutionId": "00000000-0000-0000-0000-000000000000",
                   "account": {"branch": "0001", "number": "123456", "type": "CHECKING_ACCOUNT"}})
        );
        assert_eq!(body(&UpdatePaymentRecipient::default()), json!({}));
        let savings = UpdatePaymentRecipient {
            account: Some(PaymentRecipientAccount::new(
                "0002",
                "9",
                PaymentRecipientAccountType::SavingsAccount,
            )),
            ..Default::default()
        };
        assert_eq!(
            body(&savings),
            json!({"account": {"branch": "0002", "number": "9", "type": "SAVINGS_ACCOUNT"}})
        );

        let pre = CreateSmartTransferPreauthorization::new(
            ConnectorId::new(612),
            SmartTransferPreauthorizationParameters::cpf("52998224725"),
            vec![PaymentRecipientId::new("r1"), PaymentRecipientId::new("r2")],
        );
        assert_eq!(
            body(&pre),
            json!({"connectorId": 612, "parameters": {"cpf": "52998224725"},
                   "recipientIds": ["r1", "r2"]})
        );
        let pay = CreateSmartTransferPayment::new(
            SmartTransferPreauthorizationId::new("p"),
            PaymentRecipientId::new("r1"),
            dec("0.1"),
        )
        .with_description("x");
        assert_eq!(
            body(&pay),
            json!({"preauthorizationId": "p", "recipientId": "r1", "amount": 0.1,
                   "description": "x"})
        );

        let boleto = CreateBoleto::new(
            BoletoConnectionId::new("dc3537ad-13b4-4770-b248-e4578983899c"),
            "0000001234",
            dec("150.75"),
            date("2025-08-10T00:00:00.000Z"),
            BoletoToIssuePayer::new("41.679.495/0001-00", "NOME LEGAL EMPRESA", "SP", "01001000"),
        );
        assert_eq!(
            body(&boleto),
            json!({"boletoConnectionId": "dc3537ad-13b4-4770-b248-e4578983899c",
                   "boleto": {"seuNumero": "0000001234", "amount": 150.75,
                              "dueDate": "2025-08-10T00:00:00.000Z",
                              "payer": {"taxNumber": "41.679.495/0001-00",
                                        "name": "NOME LEGAL EMPRESA", "addressState": "SP",
                                        "addressZipCode": "01001000"}}})
        );

        assert_eq!(
            body(&CreateBoletoConnectionFromItem::new(ItemId::new(
                "0303c07b-fef0-4903-af9a-007fa086ca8c"
            ))),
            json!({"itemId": "0303c07b-fef0-4903-af9a-007fa086ca8c"})
        );
    }

    #[test]
    fn boleto_connection_credentials_are_secret() {
        let creds: BoletoCredentials = [
            ("clientId", "your-client-id"),
            ("clientSecret", "s3cr3t-value"),
        ]
        .into_iter()
        .collect();
        let create = CreateBoletoConnection::new(ConnectorId::new(225), creds);
        let shown = format!("{create:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(!shown.contains("your-client-id"), "{shown}");
        assert!(shown.contains("clientSecret"), "{shown}");
        // The wire body carries them.
        assert_eq!(
            body(&create),
            json!({"connectorId": 225,
                   "credentials": {"clientId": "your-client-id", "clientSecret": "s3cr3t-value"}})
        );
    }

    #[test]
    fn filters_add_exactly_the_documented_query_parameters() {
        let call = || Call::new(&endpoints::CATEGORIES_LIST);
        let names = |c: &Call, names: &[&str]| -> Vec<Option<String>> {
            names
                .iter()
                .map(|n| c.query_value(n).map(str::to_owned))
                .collect()
        };
        let all = [
            "page",
            "pageSize",
            "name",
            "email",
            "cpf",
            "cnpj",
            "isDefault",
            "pixKey",
            "taxNumber",
            "from",
            "to",
            "customer",
            "status",
        ];
        let none = vec![None; all.len()];

        assert_eq!(
            names(&PaymentCustomerFilters::default().apply(call()), &all),
            none
        );
        assert_eq!(
            names(&PaymentRecipientFilters::default().apply(call()), &all),
            none
        );
        assert_eq!(
            names(&PaymentInstitutionFilters::default().apply(call()), &all),
            none
        );
        assert_eq!(
            names(&PaymentRequestFilters::default().apply(call()), &all),
            none
        );
        assert_eq!(
            names(&SmartTransferPaymentFilters::default().apply(call()), &all),
            none
        );
        assert_eq!(
            names(
                &SmartTransferPreauthorizationFilters::default().apply(call()),
                &all
            ),
            none
        );

        let s = |v: &str| Some(v.to_owned());
        let c = PaymentCustomerFilters {
            page: Some(2),
            page_size: Some(50),
            name: Some("Marco Silva".into()),
            email: Some("msilva@pluggy.ai".into()),
            cpf: Some("12345678900".into()),
            cnpj: Some("11222333000181".into()),
        }
        .apply(call());
        assert_eq!(
            names(&c, &["page", "pageSize", "name", "email", "cpf", "cnpj"]),
            vec![
                s("2"),
                s("50"),
                s("Marco Silva"),
                s("msilva@pluggy.ai"),
                s("12345678900"),
                s("11222333000181")
            ]
        );

        let r = PaymentRecipientFilters {
            page: Some(1),
            page_size: Some(20),
            is_default: Some(false),
            pix_key: Some("pagamentos@example.com.br".into()),
            name: Some("Conta".into()),
            tax_number: Some("11222333000181".into()),
        }
        .apply(call());
        assert_eq!(
            names(
                &r,
                &[
                    "page",
                    "pageSize",
                    "isDefault",
                    "pixKey",
                    "name",
                    "taxNumber"
                ]
            ),
            vec![
                s("1"),
                s("20"),
                s("false"),
                s("pagamentos@example.com.br"),
                s("Conta"),
                s("11222333000181")
            ]
        );

        let i = PaymentInstitutionFilters {
            page: None,
            page_size: Some(500),
            name: Some("Safra".into()),
        }
        .apply(call());
        assert_eq!(
            names(&i, &["page", "pageSize", "name"]),
            vec![None, s("500"), s("Safra")]
        );

        let q = PaymentRequestFilters {
            page: Some(3),
            page_size: Some(10),
            from: Some(date("2025-01-01")),
            to: Some(date("2025-01-31T00:00:00.000Z")),
            customer: Some("c1".into()),
            pix_key: Some("+5511987654321".into()),
            status: Some(PaymentRequestStatus::WaitingPayerAuthorization),
        }
        .apply(call());
        assert_eq!(
            names(
                &q,
                &[
                    "page", "pageSize", "from", "to", "customer", "pixKey", "status"
                ]
            ),
            vec![
                s("3"),
                s("10"),
                s("2025-01-01"),
                s("2025-01-31"),
                s("c1"),
                s("+5511987654321"),
                s("WAITING_PAYER_AUTHORIZATION")
            ]
        );

        let t = SmartTransferPaymentFilters {
            from: Some(date("2025-01-01")),
            to: Some(date("2025-02-01")),
            page: Some(1),
            page_size: Some(25),
        }
        .apply(call());
        assert_eq!(
            names(&t, &["from", "to", "page", "pageSize"]),
            vec![s("2025-01-01"), s("2025-02-01"), s("1"), s("25")]
        );
        let p = SmartTransferPreauthorizationFilters {
            page: Some(4),
            page_size: None,
        }
        .apply(call());
        assert_eq!(names(&p, &["page", "pageSize"]), vec![s("4"), None]);
    }

    #[test]
    fn tax_numbers_and_pix_keys() {
        assert!(is_valid_cpf("529.982.247-25") && is_valid_cpf("52998224725"));
        assert!(!is_valid_cpf("529.982.247-26"));
        assert!(
            !is_valid_cpf("123.456.789-00"),
            "the document's example CPF is not valid"
        );
        assert!(!is_valid_cpf("00000000000"));
        assert!(is_valid_cnpj("11.222.333/0001-81") && is_valid_cnpj("11222333000181"));
        assert!(!is_valid_cnpj("11.222.333/0001-80"));
        assert!(!is_valid_cnpj("22222222222222"));
        assert!(is_valid_cnpj("12ABC34501DE35"), "alphanumeric CNPJ");
        assert!(is_valid_tax_number("52998224725") && is_valid_tax_number("11222333000181"));
        assert!(!is_valid_tax_number("12345678900"));
        assert_eq!(pix_key_kind("52998224725"), Some(PixKeyKind::Cpf));
        assert_eq!(pix_key_kind("+5511987654321"), Some(PixKeyKind::Phone));
        assert_eq!(
            pix_key_kind("123e4567-e89b-12d3-a456-426614174000"),
            Some(PixKeyKind::Random)
        );
        assert!(is_valid_pix_key("pagamentos@example.com.br"));
        assert!(!is_valid_pix_key("dict-key"));
    }
}
