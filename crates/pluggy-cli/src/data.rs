//! The data commands read with the API key: an account's real-time balance and statements,
//! transactions (`GET /v2/transactions`) and their category, categories and category rules,
//! loans, credit-card bills, consents and merchants.
//!
//! Every one is refused with a connect token before anything is sent (exit code 4): none of
//! these operations is open to connect tokens. Lists show every page.

use pluggy_core::models::{
    AccountSubtype, Bill, CategoryFilters, CategoryRule, CategoryRuleMatchType, Consent,
    CreateCategoryRule, CursorPage, CursorTransactionFilters, Loan, Merchant, MerchantLookup,
    Transaction, TransactionType,
};
use pluggy_core::{
    AccountId, BillId, CategoryId, CategoryRuleId, ConsentId, ItemId, LoanId, Timestamp,
    TransactionId, calls,
};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::json;

use crate::caller::Caller;
use crate::cli::{
    BillsCommand, CategoriesCommand, CategoryRulesCommand, ConsentsCommand, LoansCommand,
    RuleAccountType, RuleMatchType, RuleTransactionType,
};
use crate::fail::{Failure, Kind};
use crate::input::{checked_id, parse_date};
use crate::output::{Table, cell, join, json_line, sanitize, show, yes_no};
use crate::settings::Settings;

/// Longest `--next` taken: a cursor page's `next` is a short query string.
const MAX_NEXT_CHARS: usize = 4096;

/// Longest CNPJ taken, punctuation included (`00.000.000/0001-91` is 18 characters).
const MAX_CNPJ_CHARS: usize = 32;

/// `pluggy accounts balance`.
pub fn balance(settings: &Settings, account_id: String) -> Result<(), Failure> {
    let account = AccountId::new(checked_id("--account-id", account_id)?);
    let balance = Caller::of(settings)?
        .backend(calls::get_account_balance(&account))?
        .get_account_balance(&account)?;
    show(settings, &balance, |b| {
        let mut table = Table::new(&["BALANCE", "BLOCKED", "AUTO-INVESTED", "CURRENCY", "UPDATED"]);
        table.row(vec![
            b.balance.to_string(),
            cell(b.blocked_balance),
            cell(b.automatically_invested_balance),
            b.currency_code.clone(),
            b.update_date_time.to_string(),
        ]);
        table.print();
    })
}

/// `pluggy accounts statements`: every page.
pub fn statements(settings: &Settings, account_id: String) -> Result<(), Failure> {
    let account = AccountId::new(checked_id("--account-id", account_id)?);
    let caller = Caller::of(settings)?;
    let list = caller
        .backend(calls::list_account_statements(&account))?
        .account_statements(&account)
        .collect::<Result<Vec<_>, _>>()?;
    show(settings, &list, |list| {
        let mut table = Table::new(&["MONTH", "ID", "URL"]);
        for s in list {
            table.row(vec![s.month_year.clone(), s.id.clone(), s.url.clone()]);
        }
        table.print();
    })
}

/// The transactions table.
fn print_transactions(list: &[Transaction]) {
    let mut table = Table::new(&[
        "DATE",
        "AMOUNT",
        "CURRENCY",
        "DESCRIPTION",
        "CATEGORY",
        "ID",
    ]);
    for t in list {
        let date = t.date.to_string();
        table.row(vec![
            date.get(..10).unwrap_or(&date).to_owned(),
            t.amount.to_string(),
            t.currency_code.clone(),
            t.description.clone(),
            t.category.clone().unwrap_or_default(),
            t.id.to_string(),
        ]);
    }
    table.print();
}

/// `pluggy transactions list`, on `GET /v2/transactions`: one cursor page (the first, or the
/// one at `next`), or every transaction with `all`.
pub fn transactions(
    settings: &Settings,
    account_id: String,
    all: bool,
    from: Option<String>,
    to: Option<String>,
    next: Option<String>,
) -> Result<(), Failure> {
    let filters = CursorTransactionFilters {
        date_from: parse_date("from", from)?,
        date_to: parse_date("to", to)?,
        ..Default::default()
    };
    let account = AccountId::new(checked_id("--account-id", account_id)?);
    let next = next.map(|n| checked_next(&account, n)).transpose()?;
    let caller = Caller::of(settings)?;
    let client = caller.backend(calls::list_transactions_cursor(&account, &filters))?;
    if all {
        let list = client
            .transactions(&account, &filters)
            .collect::<Result<Vec<_>, _>>()?;
        return show(settings, &list, |list| print_transactions(list));
    }
    let page: CursorPage<Transaction> = match &next {
        Some(next) => client.next_transactions_page(next)?,
        None => client.list_transactions_cursor(&account, &filters)?,
    };
    if settings.json {
        return json_line(&page);
    }
    print_transactions(&page.results);
    if let Some(next) = &page.next {
        eprintln!(
            "more: pluggy transactions list --account-id {account} --next {} (or --all for every \
             one)",
            shell_quoted(&sanitize(next))
        );
    }
    Ok(())
}

/// A `--next` value, checked before it is sent: a query string of printable ASCII, at most
/// [`MAX_NEXT_CHARS`] long, and, when it names an `accountId`, naming `account`'s (it
/// replaces the whole query, so it decides which account is read).
fn checked_next(account: &AccountId, next: String) -> Result<String, Failure> {
    let rule = "--next takes the `next` query string a page gave (?accountId=…&after=…)";
    let length = next.chars().count();
    if next.is_empty() || length > MAX_NEXT_CHARS {
        return Err(Failure::usage(format!(
            "--next is {length} characters long: {rule}, at most {MAX_NEXT_CHARS} characters"
        )));
    }
    if let Some(at) = next.chars().position(|c| !c.is_ascii_graphic() || c == '#') {
        return Err(Failure::usage(format!(
            "--next has a character no query string has (character {}): {rule}",
            at + 1
        )));
    }
    let named = next
        .trim_start_matches('?')
        .split('&')
        .filter_map(|pair| pair.strip_prefix("accountId="))
        .collect::<Vec<_>>();
    if named.iter().any(|a| *a != account.as_str()) {
        return Err(Failure::usage(
            "--next reads another account than --account-id: give the `next` of a page of this \
             account",
        ));
    }
    Ok(next)
}

/// `text` quoted for a POSIX shell (single quotes), unless it needs none.
fn shell_quoted(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "?&=%-._~+/:,@".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        return format!("'{text}'");
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// `pluggy transactions categorize`: the transaction as the API answers, and a failure when
/// the answer does not carry the category asked for.
pub fn categorize(
    settings: &Settings,
    transaction_id: String,
    category_id: String,
) -> Result<(), Failure> {
    let transaction = TransactionId::new(checked_id("--transaction-id", transaction_id)?);
    let category = CategoryId::new(checked_id("--category-id", category_id)?);
    let updated = Caller::of(settings)?
        .backend(calls::update_transaction_category(&transaction, &category))?
        .update_transaction_category(&transaction, &category)?;
    let given = updated.category_id.as_ref();
    show(settings, &updated, |t| {
        println!(
            "transaction {}: category {} ({})",
            sanitize(t.id.as_str()),
            sanitize(t.category.as_deref().unwrap_or("(no name)")),
            sanitize(given.map(CategoryId::as_str).unwrap_or("none"))
        );
        print_transactions(std::slice::from_ref(t));
    })?;
    if given == Some(&category) {
        return Ok(());
    }
    Err(Failure::new(
        Kind::Api,
        format!(
            "the API answered transaction {transaction} with category {}, not {category}",
            given.map(CategoryId::as_str).unwrap_or("none")
        ),
    ))
}

/// `pluggy categories …`.
pub fn categories(settings: &Settings, command: CategoriesCommand) -> Result<(), Failure> {
    match command {
        CategoriesCommand::List { parent_id } => {
            let filters = CategoryFilters {
                parent_id: parent_id
                    .map(|p| checked_id("--parent-id", p).map(CategoryId::new))
                    .transpose()?,
            };
            let list = Caller::of(settings)?
                .backend(calls::list_categories(&filters))?
                .categories(&filters)
                .collect::<Result<Vec<_>, _>>()?;
            show(settings, &list, |list| print_categories(list))
        }
        CategoriesCommand::Get { id } => {
            let id = CategoryId::new(checked_id("the category id", id)?);
            let category = Caller::of(settings)?
                .backend(calls::get_category(&id))?
                .get_category(&id)?;
            show(settings, &category, |c| {
                print_categories(std::slice::from_ref(c));
            })
        }
        CategoriesCommand::Rules { command } => category_rules(settings, command),
    }
}

fn print_categories(list: &[pluggy_core::models::Category]) {
    let mut table = Table::new(&["ID", "DESCRIPTION", "TRANSLATED", "PARENT ID", "PARENT"]);
    for c in list {
        table.row(vec![
            c.id.to_string(),
            c.description.clone(),
            cell(c.description_translated.as_ref()),
            cell(c.parent_id.as_ref()),
            cell(c.parent_description.as_ref()),
        ]);
    }
    table.print();
}

fn category_rules(settings: &Settings, command: CategoryRulesCommand) -> Result<(), Failure> {
    match command {
        CategoryRulesCommand::List => {
            let list = Caller::of(settings)?
                .backend(calls::list_category_rules())?
                .category_rules()
                .collect::<Result<Vec<_>, _>>()?;
            show(settings, &list, |list| print_rules(list))
        }
        CategoryRulesCommand::Create {
            description,
            category_id,
            transaction_type,
            account_type,
            match_type,
        } => {
            if description.trim().is_empty() {
                return Err(Failure::usage(
                    "--description is empty: give the transaction description to match",
                ));
            }
            let category = CategoryId::new(checked_id("--category-id", category_id)?);
            let rule = CreateCategoryRule {
                transaction_type: transaction_type.map(|t| match t {
                    RuleTransactionType::Debit => TransactionType::Debit,
                    RuleTransactionType::Credit => TransactionType::Credit,
                }),
                account_type: account_type.map(|a| match a {
                    RuleAccountType::CheckingAccount => AccountSubtype::CheckingAccount,
                    RuleAccountType::CreditCard => AccountSubtype::CreditCard,
                }),
                match_type: match_type.map(|m| match m {
                    RuleMatchType::Exact => CategoryRuleMatchType::Exact,
                    RuleMatchType::Contains => CategoryRuleMatchType::Contains,
                    RuleMatchType::StartsWith => CategoryRuleMatchType::StartsWith,
                    RuleMatchType::EndsWith => CategoryRuleMatchType::EndsWith,
                }),
                ..CreateCategoryRule::new(description, category)
            };
            let created = Caller::of(settings)?
                .backend(calls::create_category_rule(&rule))?
                .create_category_rule(&rule)?;
            show(settings, &created, |r| print_rules(std::slice::from_ref(r)))
        }
        CategoryRulesCommand::Delete { id } => {
            let id = CategoryRuleId::new(checked_id("the rule id", id)?);
            Caller::of(settings)?
                .backend(calls::delete_category_rule(&id))?
                .delete_category_rule(&id)?;
            show(
                settings,
                &json!({ "deleted": true, "ruleId": id.as_str() }),
                |_| println!("category rule {id} deleted"),
            )
        }
    }
}

fn print_rules(list: &[CategoryRule]) {
    let mut table = Table::new(&[
        "ID",
        "DESCRIPTION",
        "MATCH",
        "CATEGORY ID",
        "CATEGORY",
        "TRANSACTION TYPE",
        "ACCOUNT TYPE",
    ]);
    for r in list {
        table.row(vec![
            cell(r.id.as_ref()),
            r.description.clone(),
            cell(r.match_type.as_ref()),
            cell(r.category_id.as_ref()),
            r.category.clone(),
            cell(r.transaction_type.as_ref()),
            cell(r.account_type.as_ref()),
        ]);
    }
    table.print();
}

/// `pluggy loans …`.
pub fn loans(settings: &Settings, command: LoansCommand) -> Result<(), Failure> {
    match command {
        LoansCommand::List { item_id } => {
            let item = ItemId::new(checked_id("--item-id", item_id)?);
            let list = Caller::of(settings)?
                .backend(calls::list_loans(&item))?
                .loans(&item)
                .collect::<Result<Vec<_>, _>>()?;
            show(settings, &list, |list| {
                let mut table = Table::new(&[
                    "ID",
                    "PRODUCT",
                    "KIND",
                    "CONTRACTED",
                    "OUTSTANDING",
                    "CURRENCY",
                    "INSTALLMENTS LEFT",
                    "DUE DATE",
                ]);
                for l in list {
                    table.row(vec![
                        l.id.to_string(),
                        l.product_name.clone(),
                        cell(l.kind.as_ref()),
                        cell(l.contract_amount),
                        cell(outstanding(l)),
                        l.currency_code.clone(),
                        cell(l.remaining_installments()),
                        cell(l.due_date),
                    ]);
                }
                table.print();
            })
        }
        LoansCommand::Get { id } => {
            let id = LoanId::new(checked_id("the loan id", id)?);
            let loan = Caller::of(settings)?
                .backend(calls::get_loan(&id))?
                .get_loan(&id)?;
            show(settings, &loan, print_loan)
        }
    }
}

fn outstanding(loan: &Loan) -> Option<Decimal> {
    loan.payments.as_ref()?.contract_outstanding_balance
}

fn print_loan(l: &Loan) {
    let installments = l.installments.as_ref();
    let count = |f: fn(&pluggy_core::models::LoanInstallments) -> Option<u32>| {
        cell(installments.and_then(f))
    };
    // Each rate as "pre 0.0294 post 0.01 CDI MONTHLY", the parts the institution gave.
    let rates: Vec<String> = l
        .interest_rates
        .iter()
        .map(|r| {
            let part = |name: &str, rate: Option<Decimal>| {
                rate.map(|r| format!("{name} {r}")).unwrap_or_default()
            };
            [
                part("pre", r.pre_fixed_rate),
                part("post", r.post_fixed_rate),
                cell(r.referential_rate_indexer_sub_type.as_ref()),
                cell(r.tax_periodicity.as_ref()),
            ]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
        })
        .collect();
    let rates = join(rates.iter().map(String::as_str));
    let rows = [
        ("id", l.id.to_string()),
        ("item", l.item_id.to_string()),
        ("product", l.product_name.clone()),
        ("type", cell(l.product_type.as_ref())),
        ("kind", cell(l.kind.as_ref())),
        ("contract number", cell(l.contract_number.as_ref())),
        ("contract date", cell(l.contract_date)),
        ("contract amount", cell(l.contract_amount)),
        ("currency", l.currency_code.clone()),
        ("outstanding", cell(outstanding(l))),
        ("CET", cell(l.cet)),
        ("interest rates", rates),
        ("periodicity", cell(l.installment_periodicity.as_ref())),
        ("first installment", cell(l.first_installment_due_date)),
        ("due date", cell(l.due_date)),
        ("installments", count(|i| i.total_number_of_installments)),
        ("paid", count(|i| i.paid_installments)),
        ("due", count(|i| i.due_installments)),
        ("past due", count(|i| i.past_due_installments)),
        ("amortization", cell(l.amortization_scheduled.as_ref())),
    ];
    print_fields(&rows);
}

/// A two-column table of named values.
fn print_fields(rows: &[(&str, String)]) {
    let mut table = Table::new(&["FIELD", "VALUE"]);
    for (field, value) in rows {
        table.row(vec![(*field).to_owned(), value.clone()]);
    }
    table.print();
}

/// `pluggy bills …`.
pub fn bills(settings: &Settings, command: BillsCommand) -> Result<(), Failure> {
    match command {
        BillsCommand::List { account_id } => {
            let account = AccountId::new(checked_id("--account-id", account_id)?);
            let list = Caller::of(settings)?
                .backend(calls::list_bills(&account))?
                .bills(&account)
                .collect::<Result<Vec<_>, _>>()?;
            show(settings, &list, |list| {
                let mut table = Table::new(&[
                    "ID",
                    "DUE DATE",
                    "CLOSING DATE",
                    "TOTAL",
                    "CURRENCY",
                    "MINIMUM",
                    "CHARGES",
                    "PAYMENTS",
                ]);
                for b in list {
                    table.row(vec![
                        b.id.to_string(),
                        b.due_date.to_string(),
                        cell(b.bill_closing_date),
                        b.total_amount.to_string(),
                        b.total_amount_currency_code.clone(),
                        cell(b.minimum_payment_amount),
                        charges_total(b),
                        b.payments.len().to_string(),
                    ]);
                }
                table.print();
            })
        }
        BillsCommand::Get { id } => {
            let id = BillId::new(checked_id("the bill id", id)?);
            let bill = Caller::of(settings)?
                .backend(calls::get_bill(&id))?
                .get_bill(&id)?;
            show(settings, &bill, print_bill)
        }
    }
}

/// The sum of a bill's finance charges, or what keeps it from being one.
fn charges_total(bill: &Bill) -> String {
    match bill.finance_charges_total() {
        Some(total) => total.to_string(),
        None => "(several currencies)".to_owned(),
    }
}

fn print_bill(b: &Bill) {
    print_fields(&[
        ("id", b.id.to_string()),
        ("account", cell(b.account_id.as_ref())),
        ("due date", b.due_date.to_string()),
        ("closing date", cell(b.bill_closing_date)),
        ("total", b.total_amount.to_string()),
        ("currency", b.total_amount_currency_code.clone()),
        ("minimum payment", cell(b.minimum_payment_amount)),
        ("installments allowed", yes_no(b.allows_installments)),
        ("finance charges", charges_total(b)),
    ]);
    if !b.finance_charges.is_empty() {
        println!("finance charges:");
        let mut table = Table::new(&["TYPE", "AMOUNT", "CURRENCY", "INFO"]);
        for c in &b.finance_charges {
            table.row(vec![
                c.kind.to_string(),
                c.amount.to_string(),
                c.currency_code.clone(),
                cell(c.additional_info.as_ref()),
            ]);
        }
        table.print();
    }
    if !b.payments.is_empty() {
        println!("payments:");
        let mut table = Table::new(&["DATE", "AMOUNT", "CURRENCY", "COVERS", "MODE"]);
        for p in &b.payments {
            table.row(vec![
                cell(p.payment_date),
                p.amount.to_string(),
                p.currency_code.clone(),
                cell(p.value_type.as_ref()),
                cell(p.payment_mode.as_ref()),
            ]);
        }
        table.print();
    }
}

/// `pluggy consents …`.
pub fn consents(settings: &Settings, command: ConsentsCommand) -> Result<(), Failure> {
    let now = now();
    match command {
        ConsentsCommand::List { item_id } => {
            let item = ItemId::new(checked_id("--item-id", item_id)?);
            let list = Caller::of(settings)?
                .backend(calls::list_consents(&item))?
                .consents(&item)
                .collect::<Result<Vec<_>, _>>()?;
            show(settings, &list, |list| {
                let mut table =
                    Table::new(&["ID", "STATUS", "CREATED", "EXPIRES", "REVOKED", "PRODUCTS"]);
                for c in list {
                    table.row(vec![
                        c.id.to_string(),
                        consent_status(c, now).to_owned(),
                        c.created_at.to_string(),
                        cell(c.expires_at),
                        cell(c.revoked_at),
                        join(c.products.iter().map(|p| p.as_str())),
                    ]);
                }
                table.print();
            })
        }
        ConsentsCommand::Get { id } => {
            let id = ConsentId::new(checked_id("the consent id", id)?);
            let consent = Caller::of(settings)?
                .backend(calls::get_consent(&id))?
                .get_consent(&id)?;
            show(settings, &consent, |c| {
                print_fields(&[
                    ("id", c.id.to_string()),
                    ("item", c.item_id.to_string()),
                    ("status", consent_status(c, now).to_owned()),
                    ("created", c.created_at.to_string()),
                    ("expires", cell(c.expires_at)),
                    ("revoked", cell(c.revoked_at)),
                    ("products", join(c.products.iter().map(|p| p.as_str()))),
                    (
                        "permissions",
                        join(
                            c.open_finance_permissions_granted
                                .iter()
                                .map(|p| p.as_str()),
                        ),
                    ),
                ]);
            })
        }
    }
}

/// Now, as a [`Timestamp`].
fn now() -> Timestamp {
    Timestamp::new(time::OffsetDateTime::now_utc())
}

/// A consent's state at `now`, from its dates: revoked, expired or active.
fn consent_status(consent: &Consent, now: Timestamp) -> &'static str {
    if consent.revoked_at.is_some_and(|at| at <= now) {
        "revoked"
    } else if consent.is_active(now) {
        "active"
    } else {
        "expired"
    }
}

/// A CNPJ in the form compared: its letters and digits, letters in upper case (punctuation
/// dropped; alphanumeric CNPJs have letters).
fn cnpj_key(cnpj: &str) -> String {
    cnpj.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A CNPJ given on the command line (`n` counts from 1), checked before it is sent: 1 to
/// [`MAX_CNPJ_CHARS`] ASCII letters, digits, `.`, `/` or `-`, with at least one letter or
/// digit. What is left (check digits, length) is the API's to judge.
fn checked_cnpj(n: usize, cnpj: &str) -> Result<(), Failure> {
    let rule = format!(
        "a CNPJ is 1 to {MAX_CNPJ_CHARS} letters, digits, '.', '/' or '-' (00.000.000/0001-91)"
    );
    let length = cnpj.chars().count();
    if length > MAX_CNPJ_CHARS {
        return Err(Failure::usage(format!(
            "CNPJ number {n} is {length} characters long: {rule}"
        )));
    }
    if let Some(at) = cnpj
        .chars()
        .position(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '-')))
    {
        return Err(Failure::usage(format!(
            "CNPJ number {n} has a character no CNPJ has (character {}): {rule}",
            at + 1
        )));
    }
    if cnpj_key(cnpj).is_empty() {
        return Err(Failure::usage(format!("CNPJ number {n} is empty: {rule}")));
    }
    Ok(())
}

/// The API's verdict on one CNPJ.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Verdict<'a> {
    /// The CNPJ as given.
    cnpj: &'a str,
    /// `found`, `notFound` or `invalid`.
    status: &'static str,
    /// The merchant, when found.
    merchant: Option<&'a Merchant>,
}

/// Where the answer places each CNPJ given, in the order given; a CNPJ the answer places
/// nowhere is an error (its position is named).
fn verdicts<'a>(
    asked: &'a [String],
    answer: &'a MerchantLookup,
) -> Result<Vec<Verdict<'a>>, Failure> {
    asked
        .iter()
        .enumerate()
        .map(|(n, cnpj)| {
            let key = cnpj_key(cnpj);
            let listed = |list: &[String]| list.iter().any(|c| cnpj_key(c) == key);
            let merchant = answer
                .found_merchants
                .iter()
                .find(|m| m.cnpj.as_deref().is_some_and(|c| cnpj_key(c) == key));
            let status = if merchant.is_some() {
                "found"
            } else if listed(&answer.not_found_merchants) {
                "notFound"
            } else if listed(&answer.invalid_cnpjs) {
                "invalid"
            } else {
                return Err(Failure::new(
                    Kind::Api,
                    format!(
                        "the API's answer does not say whether CNPJ number {} ({}) was found",
                        n + 1,
                        sanitize(cnpj)
                    ),
                ));
            };
            Ok(Verdict {
                cnpj,
                status,
                merchant,
            })
        })
        .collect()
}

/// `pluggy merchants CNPJ…`: one verdict per CNPJ (repeats asked once), exit code 1 when the
/// API calls any invalid.
pub fn merchants(settings: &Settings, cnpjs: Vec<String>) -> Result<(), Failure> {
    let mut asked: Vec<String> = Vec::new();
    for (n, cnpj) in cnpjs.into_iter().enumerate() {
        checked_cnpj(n + 1, &cnpj)?;
        if !asked.iter().any(|a| cnpj_key(a) == cnpj_key(&cnpj)) {
            asked.push(cnpj);
        }
    }
    let answer = Caller::of(settings)?
        .backend(calls::find_merchants(&asked))?
        .find_merchants(&asked)?;
    let verdicts = verdicts(&asked, &answer)?;
    show(settings, &verdicts, |list| {
        let mut table = Table::new(&[
            "CNPJ",
            "STATUS",
            "NAME",
            "BUSINESS NAME",
            "CNAE",
            "CATEGORY",
        ]);
        for v in list {
            let field = |f: fn(&Merchant) -> Option<&String>| cell(v.merchant.and_then(f));
            table.row(vec![
                v.cnpj.to_owned(),
                match v.status {
                    "notFound" => "not found",
                    other => other,
                }
                .to_owned(),
                field(|m| m.name.as_ref()),
                field(|m| m.business_name.as_ref()),
                field(|m| m.cnae.as_ref()),
                field(|m| m.category.as_ref()),
            ]);
        }
        table.print();
    })?;
    let invalid: Vec<&str> = verdicts
        .iter()
        .filter(|v| v.status == "invalid")
        .map(|v| v.cnpj)
        .collect();
    if invalid.is_empty() {
        return Ok(());
    }
    Err(Failure::other(format!(
        "the API calls {} of the CNPJs given invalid: {}",
        invalid.len(),
        invalid.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_checked_against_the_account() {
        let account = AccountId::new("ac-1");
        assert!(checked_next(&account, "?accountId=ac-1&after=abc".into()).is_ok());
        assert!(checked_next(&account, "after=abc".into()).is_ok());
        for bad in [
            "?accountId=ac-2&after=abc",
            "?accountId=ac-1&accountId=ac-2",
            "",
            "?after=a b",
            "?after=a#b",
            "?after=\u{1b}[2J",
        ] {
            let err = checked_next(&account, bad.into()).expect_err(bad);
            assert_eq!(err.kind, Kind::Usage, "{bad:?}");
            assert!(!err.message.contains('\u{1b}'), "{err}");
        }
        let long = format!("?after={}", "a".repeat(MAX_NEXT_CHARS));
        assert_eq!(
            checked_next(&account, long).expect_err("long").kind,
            Kind::Usage
        );
    }

    #[test]
    fn quoting_keeps_the_shell_from_reading_the_query() {
        assert_eq!(shell_quoted("?a=1&b=2"), "'?a=1&b=2'");
        assert_eq!(shell_quoted("it's"), r"'it'\''s'");
    }

    #[test]
    fn cnpjs_are_compared_on_letters_and_digits_and_shaped_locally() {
        assert_eq!(cnpj_key("00.000.000/0001-91"), "00000000000191");
        assert_eq!(cnpj_key("12.abc.345/01de-35"), "12ABC34501DE35");
        assert!(checked_cnpj(1, "00.000.000/0001-91").is_ok());
        for bad in ["", "./-", "1,2", "00 000", &"1".repeat(MAX_CNPJ_CHARS + 1)] {
            let err = checked_cnpj(2, bad).expect_err(bad);
            assert_eq!(err.kind, Kind::Usage, "{bad:?}");
            assert!(err.message.contains("CNPJ number 2"), "{err}");
        }
    }

    #[test]
    fn every_verdict_comes_from_the_answer() {
        let answer = MerchantLookup {
            found_merchants: vec![Merchant {
                name: Some("Banco do Brasil".into()),
                cnpj: Some("00000000000191".into()),
                ..Merchant::default()
            }],
            not_found_merchants: vec!["11.222.333/0001-81".into()],
            invalid_cnpjs: vec!["123".into()],
        };
        let asked = [
            "00.000.000/0001-91".to_owned(),
            "11222333000181".to_owned(),
            "123".to_owned(),
        ];
        let got = verdicts(&asked, &answer).expect("placed");
        let statuses: Vec<&str> = got.iter().map(|v| v.status).collect();
        assert_eq!(statuses, ["found", "notFound", "invalid"]);
        assert_eq!(
            got[0].merchant.and_then(|m| m.name.as_deref()),
            Some("Banco do Brasil")
        );
        let unplaced = ["99999999000199".to_owned()];
        let err = verdicts(&unplaced, &answer).expect_err("not placed");
        assert_eq!(err.kind, Kind::Api);
        assert!(err.message.contains("CNPJ number 1"), "{err}");
    }

    #[test]
    fn a_consent_state_follows_its_dates() {
        let consent: Consent = serde_json::from_value(json!({
            "id": "c1", "itemId": "it-1", "products": [],
            "createdAt": "2024-01-01T00:00:00.000Z",
            "expiresAt": "2025-01-01T00:00:00.000Z", "revokedAt": null,
        }))
        .expect("valid");
        let at = |s: &str| Timestamp::parse(s).expect("timestamp");
        assert_eq!(
            consent_status(&consent, at("2024-06-01T00:00:00Z")),
            "active"
        );
        assert_eq!(
            consent_status(&consent, at("2025-06-01T00:00:00Z")),
            "expired"
        );
        let revoked = Consent {
            revoked_at: Some(at("2024-03-01T00:00:00Z")),
            ..consent
        };
        assert_eq!(
            consent_status(&revoked, at("2024-06-01T00:00:00Z")),
            "revoked"
        );
    }
}
