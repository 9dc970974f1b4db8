//! The JSON the API answers with, built from the emulator's records.

use pluggy_core::{ItemStatus, Product, REDUCED_ACCOUNT_FIELDS};
use serde_json::{Map, Value, json};

use crate::catalog::{self, Connector, Credential};
use crate::clock::{Millis, ts};
use crate::data::{self, Account, Identity, Investment, InvestmentTransaction, Transaction};
use crate::items::ItemRec;
use crate::sandbox::Outcome;

/// A fixed creation date for the catalog's connectors.
const CATALOG_DATE: &str = "2020-05-13T14:31:41.214Z";

fn t(ms: Millis) -> String {
    ts(ms).to_string()
}

fn money(cents: i64) -> Value {
    json!(cents as f64 / 100.0)
}

fn credential(c: &Credential) -> Value {
    json!({
        "name": c.name,
        "label": c.label,
        "type": c.kind,
        "placeholder": c.placeholder,
        "validation": c.rule.pattern(),
        "validationMessage": c.message,
        "mfa": c.mfa,
        "optional": false,
    })
}

/// A connector.
pub(crate) fn connector(c: &Connector) -> Value {
    json!({
        "id": c.id,
        "name": c.name,
        "institutionUrl": c.institution_url,
        "imageUrl": c.image_url(),
        "primaryColor": c.primary_color,
        "type": c.kind.as_str(),
        "country": "BR",
        "credentials": c.credentials.iter().map(credential).collect::<Vec<_>>(),
        "hasMFA": c.mfa != catalog::Mfa::None,
        "products": c.products.iter().map(Product::as_str).collect::<Vec<_>>(),
        "oauth": false,
        "oauthUrl": null,
        "resetPasswordUrl": null,
        "health": {"status": "ONLINE", "stage": null},
        "isOpenFinance": c.open_finance,
        "isSandbox": c.sandbox,
        "supportsPaymentInitiation": false,
        "supportsScheduledPayments": false,
        "supportsSmartTransfers": false,
        "supportsBoletoManagement": false,
        "supportsAutomaticPix": false,
        "createdAt": CATALOG_DATE,
        "updatedAt": CATALOG_DATE,
    })
}

fn status_detail(item: &ItemRec) -> Value {
    let Some(outcome) = &item.last_outcome else {
        return Value::Null;
    };
    if matches!(outcome, Outcome::Fail(_)) {
        return Value::Null;
    }
    let at = item.last_updated_at.map(t);
    let has = |p: Product| item.products.contains(&p);
    let ok = |p: Product| {
        if has(p) {
            json!({"isUpdated": true, "lastUpdatedAt": at, "warnings": []})
        } else {
            Value::Null
        }
    };
    let mut accounts = ok(Product::Accounts);
    if *outcome == Outcome::Partial && has(Product::Accounts) {
        accounts = json!({"isUpdated": false, "lastUpdatedAt": null, "warnings": []});
    }
    if *outcome == (Outcome::Success { warnings: true }) && has(Product::Accounts) {
        accounts["warnings"] = json!([{
            "code": "001",
            "message": "Some account details could not be collected",
            "providerMessage": null,
        }]);
    }
    json!({
        "accounts": accounts,
        "creditCards": ok(Product::CreditCards),
        "transactions": ok(Product::Transactions),
        "investments": ok(Product::Investments),
        "identity": ok(Product::Identity),
        "investmentsTransactions": ok(Product::InvestmentsTransactions),
        "paymentData": null,
        "loans": null,
    })
}

/// An item.
pub(crate) fn item(i: &ItemRec, c: Option<&Connector>) -> Value {
    let parameter = match (
        i.status == ItemStatus::WaitingUserInput,
        i.prompt_expires_at,
    ) {
        (true, Some(exp)) => {
            let mut p = credential(&catalog::mfa_prompt());
            p["expiresAt"] = json!(t(exp));
            p
        }
        _ => Value::Null,
    };
    let error = i.error.as_ref().map(|f| {
        let mut e = json!({"code": f.execution.as_str(), "message": f.message});
        if let Some(p) = f.provider_message {
            e["providerMessage"] = json!(p);
        }
        e
    });
    json!({
        "id": i.id,
        "connector": c.map(connector),
        "status": i.status.as_str(),
        "executionStatus": i.execution.as_str(),
        "error": error,
        "parameter": parameter,
        "userAction": null,
        "webhookUrl": i.webhook_url,
        "clientUserId": i.client_user_id,
        "oauthRedirectUri": i.oauth_redirect_uri,
        "createdAt": t(i.created_at),
        "updatedAt": t(i.updated_at),
        "lastUpdatedAt": i.last_updated_at.map(t),
        "statusDetail": status_detail(i),
        "nextAutoSyncAt": if i.auto_sync { i.next_auto_sync_at.map(t) } else { None },
        "consecutiveFailedLoginAttempts": i.failed_logins,
        "consentExpiresAt": null,
        "products": i.products.iter().map(Product::as_str).collect::<Vec<_>>(),
    })
}

/// An account, in full.
pub(crate) fn account(a: &Account) -> Value {
    let (bank_data, credit_data) = if a.credit {
        (
            Value::Null,
            json!({
                "level": "BLACK",
                "brand": "MASTERCARD",
                "balanceCloseDate": date_only(a.updated_at + 10 * 86_400_000),
                "balanceDueDate": date_only(a.updated_at + 17 * 86_400_000),
                "availableCreditLimit": money(a.credit_limit_cents - a.balance_cents),
                "creditLimit": money(a.credit_limit_cents),
                "minimumPayment": money(a.balance_cents / 10),
                "isLimitFlexible": false,
                "status": "ACTIVE",
                "holderType": "MAIN",
            }),
        )
    } else {
        (
            json!({
                "transferNumber": a.number,
                "closingBalance": money(a.balance_cents),
                "automaticallyInvestedBalance": 0.0,
                "overdraftContractedLimit": 0.0,
                "overdraftUsedLimit": 0.0,
                "unarrangedOverdraftAmount": 0.0,
            }),
            Value::Null,
        )
    };
    json!({
        "id": a.id,
        "type": if a.credit { "CREDIT" } else { "BANK" },
        "subtype": if a.credit { "CREDIT_CARD" } else { "CHECKING_ACCOUNT" },
        "number": a.number,
        "name": a.name,
        "marketingName": a.marketing_name,
        "balance": money(a.balance_cents),
        "itemId": a.item_id,
        "taxNumber": a.tax_number,
        "owner": a.owner,
        "currencyCode": "BRL",
        "bankData": bank_data,
        "creditData": credit_data,
        "createdAt": t(a.created_at),
        "updatedAt": t(a.updated_at),
    })
}

/// An account as a connect token sees it: only [`REDUCED_ACCOUNT_FIELDS`].
pub(crate) fn reduced_account(a: &Account) -> Value {
    let full = account(a);
    let mut out = Map::new();
    for f in REDUCED_ACCOUNT_FIELDS {
        if let Some(v) = full.get(*f) {
            out.insert((*f).to_owned(), v.clone());
        }
    }
    Value::Object(out)
}

fn date_only(ms: Millis) -> String {
    t(ms)[..10].to_owned()
}

/// A transaction.
pub(crate) fn transaction(tx: &Transaction, credit_account: bool) -> Value {
    let debit = data::is_debit(credit_account, tx.amount_cents);
    json!({
        "id": tx.id,
        "description": tx.description,
        "descriptionRaw": tx.description.to_uppercase(),
        "currencyCode": "BRL",
        "amount": money(tx.amount_cents),
        "amountInAccountCurrency": null,
        "date": t(tx.date),
        "type": if debit { "DEBIT" } else { "CREDIT" },
        "balance": if credit_account { Value::Null } else { money(tx.balance_cents) },
        "providerCode": null,
        "status": "POSTED",
        "category": tx.category,
        "categoryId": tx.category_id,
        "paymentData": null,
        "creditCardMetadata": null,
        "merchant": null,
        "operationType": null,
        "providerId": null,
        "accountId": tx.account_id,
        "createdAt": t(tx.created_at),
        "updatedAt": t(tx.created_at),
    })
}

/// The identity of an item's owner.
pub(crate) fn identity(i: &Identity) -> Value {
    json!({
        "id": i.id,
        "itemId": i.item_id,
        "fullName": i.full_name,
        "taxNumber": i.tax_number,
        "document": i.tax_number,
        "documentType": "CPF",
        "birthDate": t(i.birth_date),
        "jobTitle": null,
        "companyName": null,
        "phoneNumbers": [{"type": "Personal", "value": i.phone}],
        "emails": [{"type": "Personal", "value": i.email}],
        "addresses": [{
            "fullAddress": format!("Rua Exemplo 100, {}", i.city),
            "primaryAddress": "Rua Exemplo 100",
            "city": i.city,
            "postalCode": "01000-000",
            "state": null,
            "country": "Brasil",
            "type": "Personal",
        }],
        "relations": [],
        "investorProfile": null,
        "createdAt": t(i.created_at),
        "updatedAt": t(i.created_at),
    })
}

/// An investment.
pub(crate) fn investment(i: &Investment) -> Value {
    json!({
        "id": i.id,
        "itemId": i.item_id,
        "type": i.kind,
        "subtype": i.subtype,
        "number": null,
        "name": i.name,
        "code": i.code,
        "isin": null,
        "balance": money(i.balance_cents),
        "amount": money(i.balance_cents),
        "amountOriginal": money(i.amount_original_cents),
        "amountProfit": money(i.balance_cents - i.amount_original_cents),
        "annualRate": i.annual_rate,
        "currencyCode": "BRL",
        "date": t(i.date),
        "owner": null,
        "status": "ACTIVE",
    })
}

/// One movement of an investment.
pub(crate) fn investment_transaction(tx: &InvestmentTransaction) -> Value {
    json!({
        "id": tx.id,
        "type": if tx.buy { "BUY" } else { "SELL" },
        "movementType": if tx.buy { "CREDIT" } else { "DEBIT" },
        "quantity": tx.quantity,
        "value": money(tx.amount_cents / tx.quantity.max(1)),
        "amount": money(tx.amount_cents),
        "date": t(tx.date),
        "tradeDate": t(tx.date),
    })
}
