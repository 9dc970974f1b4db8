//! The API's answers, as pluggy-core's models built from the emulator's records.

use pluggy_core::models::{
    Account as AccountModel, AccountBalance, AccountStatement, AccountSubtype, AccountType,
    Address, BankData, Bill as BillModel, BillFinanceCharge, BillFinanceChargeType, BillPayment,
    BillPaymentMode, BillPaymentValueType, Category as CategoryModel, CategoryRule,
    CategoryRuleMatchType, Connector as ConnectorModel, ConnectorCredential, ConnectorHealth,
    Consent as ConsentModel, CredentialType, CreditCardHolderType, CreditCardMetadata,
    CreditCardStatus, CreditData, Date, Email, HealthStatus, Identity as IdentityModel,
    Investment as InvestmentModel, InvestmentStatus,
    InvestmentTransaction as InvestmentTransactionModel, InvestmentTransactionType, InvestmentType,
    Item, Loan as LoanModel, LoanAmortization, LoanInstallmentPeriodicity, LoanInstallments,
    LoanInterestRate, LoanInterestRateType, LoanKind, LoanPayments, LoanTaxPeriodicity,
    LoanTaxType, LoanTermType, Merchant, MerchantLookup, OpenFinancePermission, PhoneNumber,
    ProductStatus, ProductWarning, ReducedAccount, StatusDetail, Transaction as TransactionModel,
    TransactionStatus, TransactionType, Webhook, WebhookHeaders,
};
use pluggy_core::{
    AccountId, BillId, CategoryId, CategoryRuleId, ClientId, ClientUserId, ConnectorId, ConsentId,
    IdentityId, InvestmentId, ItemId, ItemStatus, LoanId, Product, TransactionId, WebhookId,
};
use rust_decimal::Decimal;

use crate::world::catalog::{self, Connector, Credential};
use crate::world::categories::{self, Category, RuleRec};
use crate::world::clock::{Millis, ts};
use crate::world::data::{self, Account, Identity, Investment, InvestmentTransaction, Transaction};
use crate::world::items::ItemRec;
use crate::world::merchants::MerchantRec;
use crate::world::products::{Bill, Consent, Loan, Statement};
use crate::world::sandbox::{self, Outcome};
use crate::world::webhooks::WebhookRec;

/// A fixed creation date for the catalog's connectors (2020-05-13T14:31:41.214Z).
const CATALOG_MILLIS: Millis = 1_589_380_301_214;

fn money(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

fn date(ms: Millis) -> Option<Date> {
    let d = ts(ms).get().date();
    Date::from_ymd(d.year(), u8::from(d.month()), d.day())
}

fn credential(c: &Credential) -> ConnectorCredential {
    ConnectorCredential {
        name: c.name.to_owned(),
        label: c.label.to_owned(),
        kind: Some(CredentialType::parse(c.kind)),
        placeholder: Some(c.placeholder.to_owned()),
        validation: Some(c.rule.pattern()),
        validation_message: Some(c.message.to_owned()),
        mfa: Some(c.mfa),
        optional: Some(false),
        options: None,
        data: None,
        instructions: None,
        assistive_text: None,
        expires_at: None,
    }
}

/// A connector.
pub(crate) fn connector(c: &Connector) -> ConnectorModel {
    let created = ts(CATALOG_MILLIS);
    ConnectorModel {
        id: ConnectorId::new(c.id),
        name: c.name.to_owned(),
        institution_url: Some(c.institution_url.to_owned()),
        image_url: Some(c.image_url()),
        primary_color: Some(c.primary_color.to_owned()),
        kind: Some(c.kind.clone()),
        country: Some("BR".to_owned()),
        credentials: c.credentials.iter().map(credential).collect(),
        has_mfa: Some(c.mfa != catalog::Mfa::None),
        products: c.products.clone(),
        oauth: Some(false),
        oauth_url: None,
        reset_password_url: None,
        health: Some(ConnectorHealth {
            status: Some(HealthStatus::Online),
            stage: None,
            details: None,
        }),
        is_open_finance: Some(c.open_finance),
        is_sandbox: Some(c.sandbox),
        supports_payment_initiation: Some(c.supports_payments()),
        supports_scheduled_payments: Some(c.supports_payments()),
        supports_smart_transfers: Some(c.supports_payments()),
        supports_boleto_management: Some(c.supports_payments()),
        supports_automatic_pix: Some(c.supports_payments()),
        created_at: Some(created),
        updated_at: Some(created),
    }
}

fn status_detail(item: &ItemRec) -> Option<StatusDetail> {
    let outcome = item.last_outcome.as_ref()?;
    if matches!(outcome, Outcome::Fail(_)) {
        return None;
    }
    let at = item.last_updated_at.map(ts);
    let status = |p: Product| {
        item.products.contains(&p).then(|| ProductStatus {
            is_updated: Some(true),
            last_updated_at: at,
            warnings: Some(Vec::new()),
        })
    };
    let mut accounts = status(Product::Accounts);
    if let Some(a) = accounts.as_mut() {
        match outcome {
            Outcome::Partial => {
                a.is_updated = Some(false);
                a.last_updated_at = None;
            }
            Outcome::Success { warnings: true } => {
                a.warnings = Some(vec![ProductWarning {
                    code: "001".to_owned(),
                    message: "Some account details could not be collected".to_owned(),
                    provider_message: None,
                }]);
            }
            _ => {}
        }
    }
    Some(StatusDetail {
        accounts,
        credit_cards: status(Product::CreditCards),
        transactions: status(Product::Transactions),
        investments: status(Product::Investments),
        identity: status(Product::Identity),
        investments_transactions: status(Product::InvestmentsTransactions),
        loans: status(Product::Loans),
        ..StatusDetail::default()
    })
}

/// An item.
pub(crate) fn item(i: &ItemRec, c: Option<&Connector>) -> Item {
    let mut item = Item::new(
        ItemId::new(i.id.clone()),
        i.status.clone(),
        i.execution.clone(),
    );
    item.connector = c.map(connector);
    item.error = i.error.as_ref().map(sandbox::item_error);
    if i.status == ItemStatus::WaitingUserInput {
        item.parameter = i.prompt_expires_at.map(|exp| ConnectorCredential {
            expires_at: Some(ts(exp)),
            ..credential(&catalog::mfa_prompt())
        });
    }
    item.webhook_url = i.webhook_url.clone();
    item.client_user_id = i.client_user_id.clone().map(ClientUserId::new);
    item.oauth_redirect_uri = i.oauth_redirect_uri.clone();
    item.created_at = Some(ts(i.created_at));
    item.updated_at = Some(ts(i.updated_at));
    item.last_updated_at = i.last_updated_at.map(ts);
    item.status_detail = status_detail(i);
    item.next_auto_sync_at = i.next_auto_sync_at.filter(|_| i.auto_sync).map(ts);
    item.consecutive_failed_login_attempts = Some(i.failed_logins);
    item.products = i.products.clone();
    item.consent_expires_at = i
        .data
        .iter()
        .flat_map(|d| d.consents.iter())
        .map(|c| c.expires_at)
        .max()
        .map(ts);
    item
}

/// An account, in full.
pub(crate) fn account(a: &Account) -> AccountModel {
    let (bank_data, credit_data) = if a.credit {
        let credit = CreditData {
            level: Some("BLACK".to_owned()),
            brand: Some("MASTERCARD".to_owned()),
            balance_close_date: date(a.updated_at + 10 * 86_400_000),
            balance_due_date: date(a.updated_at + 17 * 86_400_000),
            available_credit_limit: Some(money(a.credit_limit_cents - a.balance_cents)),
            minimum_payment: Some(money(a.balance_cents / 10)),
            credit_limit: Some(money(a.credit_limit_cents)),
            is_limit_flexible: Some(false),
            status: Some(CreditCardStatus::Active),
            holder_type: Some(CreditCardHolderType::Main),
            ..CreditData::default()
        };
        (None, Some(credit))
    } else {
        let bank = BankData {
            transfer_number: Some(a.number.clone()),
            closing_balance: Some(money(a.balance_cents)),
            automatically_invested_balance: Some(Decimal::ZERO),
            overdraft_contracted_limit: Some(Decimal::ZERO),
            overdraft_used_limit: Some(Decimal::ZERO),
            unarranged_overdraft_amount: Some(Decimal::ZERO),
            ..BankData::default()
        };
        (Some(bank), None)
    };
    AccountModel {
        id: AccountId::new(a.id.clone()),
        item_id: ItemId::new(a.item_id.clone()),
        kind: if a.credit {
            AccountType::Credit
        } else {
            AccountType::Bank
        },
        subtype: if a.credit {
            AccountSubtype::CreditCard
        } else {
            AccountSubtype::CheckingAccount
        },
        number: a.number.clone(),
        name: a.name.to_owned(),
        marketing_name: Some(a.marketing_name.to_owned()),
        balance: money(a.balance_cents),
        tax_number: Some(a.tax_number.clone()),
        owner: Some(a.owner.clone()),
        currency_code: "BRL".to_owned(),
        bank_data,
        credit_data,
        created_at: Some(ts(a.created_at)),
        updated_at: Some(ts(a.updated_at)),
    }
}

/// An account as a connect token sees it (the fields of `REDUCED_ACCOUNT_FIELDS`).
pub(crate) fn reduced_account(a: &Account) -> ReducedAccount {
    ReducedAccount::from(&account(a))
}

/// A merchant of the base.
fn merchant(m: &MerchantRec) -> Merchant {
    Merchant {
        name: Some(m.name.to_owned()),
        business_name: Some(m.business_name.to_owned()),
        cnpj: Some(m.cnpj.clone()),
        cnae: Some(m.cnae.to_owned()),
        category: categories::find(m.category_id).map(|c| c.description.to_owned()),
    }
}

/// A transaction: its category's name comes from the tree, a card purchase carries its bill.
pub(crate) fn transaction(tx: &Transaction, credit_account: bool) -> TransactionModel {
    let debit = data::is_debit(credit_account, tx.amount_cents);
    let category = categories::find(tx.category_id);
    TransactionModel {
        id: TransactionId::new(tx.id.clone()),
        account_id: AccountId::new(tx.account_id.clone()),
        description: tx.description.to_owned(),
        description_raw: Some(tx.description.to_uppercase()),
        currency_code: "BRL".to_owned(),
        amount: money(tx.amount_cents),
        amount_in_account_currency: None,
        date: ts(tx.date),
        kind: Some(if debit {
            TransactionType::Debit
        } else {
            TransactionType::Credit
        }),
        balance: (!credit_account).then(|| money(tx.balance_cents)),
        provider_code: None,
        status: Some(TransactionStatus::Posted),
        category: category.map(|c| c.description.to_owned()),
        category_id: Some(CategoryId::new(tx.category_id)),
        payment_data: None,
        credit_card_metadata: credit_account.then(|| CreditCardMetadata {
            installment_number: Some(1),
            total_installments: Some(1),
            total_amount: Some(money(tx.amount_cents)),
            bill_id: tx.bill_id.clone().map(BillId::new),
            ..CreditCardMetadata::default()
        }),
        merchant: tx.merchant.map(merchant),
        operation_type: None,
        operation_type_additional_info: None,
        provider_id: None,
        order: None,
        created_at: Some(ts(tx.created_at)),
        updated_at: Some(ts(tx.updated_at)),
    }
}

/// A date written as midnight UTC, as the API writes the dates of bills and loans.
fn day(ms: Millis) -> Option<Date> {
    date(ms).map(Date::in_timestamp_form)
}

/// A monthly statement; its link points at the emulator and says until when it is valid.
pub(crate) fn statement(s: &Statement, base_url: &str, now: Millis) -> AccountStatement {
    AccountStatement {
        id: s.id.clone(),
        month_year: format!("{:02}-{}", s.month, s.year),
        url: format!(
            "{}/__emulator/statements/{}.pdf?expiresAt={}",
            base_url.trim_end_matches('/'),
            s.id,
            now + 30 * 60 * 1000
        ),
    }
}

/// The real-time balance of an account: the account's own `balance`.
pub(crate) fn balance(a: &Account, now: Millis) -> AccountBalance {
    AccountBalance {
        balance: money(a.balance_cents),
        blocked_balance: (!a.credit).then_some(Decimal::ZERO),
        automatically_invested_balance: (!a.credit).then_some(Decimal::ZERO),
        currency_code: "BRL".to_owned(),
        update_date_time: ts(now),
    }
}

/// A category of the tree.
pub(crate) fn category(c: &Category) -> CategoryModel {
    let parent = categories::parent(c);
    CategoryModel {
        id: CategoryId::new(c.id),
        description: c.description.to_owned(),
        description_translated: Some(c.translated.to_owned()),
        parent_id: parent.map(|p| CategoryId::new(p.id)),
        parent_description: parent.map(|p| p.description.to_owned()),
    }
}

/// A category rule.
pub(crate) fn category_rule(r: &RuleRec) -> CategoryRule {
    CategoryRule {
        id: Some(CategoryRuleId::new(r.id.clone())),
        description: r.description.clone(),
        category_id: Some(CategoryId::new(r.category_id)),
        category: categories::find(r.category_id)
            .map(|c| c.description.to_owned())
            .unwrap_or_default(),
        client_id: Some(ClientId::new(r.client_id.clone())),
        transaction_type: r.transaction_type.map(TransactionType::parse),
        account_type: r.account_type.map(AccountSubtype::parse),
        match_type: Some(CategoryRuleMatchType::parse(r.match_type.as_str())),
    }
}

/// A credit-card bill.
pub(crate) fn bill(b: &Bill) -> BillModel {
    BillModel {
        id: BillId::new(b.id.clone()),
        account_id: Some(AccountId::new(b.account_id.clone())),
        due_date: day(b.due_date).unwrap_or_else(|| Date::from(ts(b.due_date).get().date())),
        bill_closing_date: day(b.closing_date),
        total_amount: money(b.total_cents),
        total_amount_currency_code: "BRL".to_owned(),
        minimum_payment_amount: Some(money(b.minimum_cents)),
        allows_installments: Some(true),
        finance_charges: b
            .finance_charges
            .iter()
            .map(|c| BillFinanceCharge {
                id: Some(c.id.clone()),
                credit_card_bill_id: Some(BillId::new(b.id.clone())),
                kind: BillFinanceChargeType::parse(c.kind),
                amount: money(c.amount_cents),
                currency_code: "BRL".to_owned(),
                additional_info: None,
            })
            .collect(),
        payments: b
            .payments
            .iter()
            .map(|p| BillPayment {
                id: Some(p.id.clone()),
                value_type: Some(BillPaymentValueType::FullPayment),
                payment_date: day(p.date),
                payment_mode: Some(BillPaymentMode::DebitAccount),
                amount: money(p.amount_cents),
                currency_code: "BRL".to_owned(),
            })
            .collect(),
    }
}

/// A loan contract.
pub(crate) fn loan(l: &Loan) -> LoanModel {
    let due = l.installments - l.paid_installments;
    LoanModel {
        id: LoanId::new(l.id.clone()),
        item_id: ItemId::new(l.item_id.clone()),
        contract_number: Some(l.contract_number.clone()),
        ipoc_code: Some(l.ipoc_code.clone()),
        product_name: l.product_name.to_owned(),
        product_type: Some(l.kind_code.to_owned()),
        kind: Some(LoanKind::Loan),
        date: ts(l.date),
        contract_date: day(l.contract_date),
        disbursement_dates: date(l.contract_date).into_iter().collect(),
        settlement_date: day(l.contract_date),
        contract_amount: Some(money(l.contract_amount_cents)),
        currency_code: "BRL".to_owned(),
        due_date: day(l.due_date),
        installment_periodicity: Some(LoanInstallmentPeriodicity::Monthly),
        installment_periodicity_additional_info: None,
        first_installment_due_date: day(l.first_installment_due),
        cet: Some(Decimal::new(l.cet_bp, 4)),
        amortization_scheduled: Some(LoanAmortization::Price),
        amortization_scheduled_additional_info: None,
        cnpj_consignee: None,
        interest_rates: vec![LoanInterestRate {
            tax_type: Some(LoanTaxType::Effective),
            interest_rate_type: Some(LoanInterestRateType::Compound),
            tax_periodicity: Some(LoanTaxPeriodicity::Monthly),
            calculation: Some("21/252".to_owned()),
            referential_rate_indexer_type: Some("PRE_FIXADO".to_owned()),
            pre_fixed_rate: Some(Decimal::new(l.monthly_rate_bp, 4)),
            ..LoanInterestRate::default()
        }],
        contracted_fees: Vec::new(),
        contracted_finance_charges: Vec::new(),
        warranties: Vec::new(),
        installments: Some(LoanInstallments {
            type_number_of_installments: Some(LoanTermType::Month),
            total_number_of_installments: Some(l.installments),
            type_contract_remaining: Some(LoanTermType::Month),
            contract_remaining_number: Some(due),
            paid_installments: Some(l.paid_installments),
            due_installments: Some(due),
            past_due_installments: Some(0),
            balloon_payments: Vec::new(),
        }),
        payments: Some(LoanPayments {
            contract_outstanding_balance: Some(money(l.outstanding_cents)),
            releases: Vec::new(),
        }),
    }
}

/// An Open Finance consent.
pub(crate) fn consent(c: &Consent) -> ConsentModel {
    ConsentModel {
        id: ConsentId::new(c.id.clone()),
        item_id: ItemId::new(c.item_id.clone()),
        products: c.products.clone(),
        open_finance_permissions_granted: c
            .permissions
            .iter()
            .map(|p| OpenFinancePermission::parse(p))
            .collect(),
        created_at: ts(c.created_at),
        expires_at: Some(ts(c.expires_at)),
        revoked_at: None,
    }
}

/// The answer of a merchant lookup.
pub(crate) fn merchant_lookup(
    found: &[&MerchantRec],
    not_found: Vec<String>,
    invalid: Vec<String>,
) -> MerchantLookup {
    MerchantLookup {
        found_merchants: found.iter().map(|m| merchant(m)).collect(),
        not_found_merchants: not_found,
        invalid_cnpjs: invalid,
    }
}

/// The identity of an item's owner.
pub(crate) fn identity(i: &Identity) -> IdentityModel {
    IdentityModel {
        id: IdentityId::new(i.id.clone()),
        item_id: ItemId::new(i.item_id.clone()),
        // The API writes birth dates as midnight UTC timestamps.
        birth_date: date(i.birth_date).map(Date::in_timestamp_form),
        tax_number: Some(i.tax_number.clone()),
        document: Some(i.tax_number.clone()),
        document_type: Some("CPF".to_owned()),
        job_title: None,
        full_name: Some(i.full_name.clone()),
        social_name: None,
        establishment_code: None,
        establishment_name: None,
        company_name: None,
        incorporation_date: None,
        phone_numbers: vec![PhoneNumber {
            kind: Some("Personal".to_owned()),
            value: i.phone.clone(),
            ..PhoneNumber::default()
        }],
        emails: vec![Email {
            kind: Some("Personal".to_owned()),
            value: i.email.clone(),
        }],
        addresses: vec![Address {
            full_address: Some(format!("Rua Exemplo 100, {}", i.city)),
            primary_address: Some("Rua Exemplo 100".to_owned()),
            city: Some(i.city.to_owned()),
            postal_code: Some("01000-000".to_owned()),
            country: Some("Brasil".to_owned()),
            kind: Some("Personal".to_owned()),
            ..Address::default()
        }],
        relations: Vec::new(),
        investor_profile: None,
        sex: None,
        companies_cnpj: None,
        created_at: Some(ts(i.created_at)),
        updated_at: Some(ts(i.created_at)),
    }
}

/// An investment.
pub(crate) fn investment(i: &Investment) -> InvestmentModel {
    InvestmentModel {
        id: InvestmentId::new(i.id.clone()),
        item_id: ItemId::new(i.item_id.clone()),
        kind: InvestmentType::parse(i.kind),
        subtype: Some(i.subtype.to_owned()),
        number: None,
        name: i.name.to_owned(),
        balance: money(i.balance_cents),
        currency_code: "BRL".to_owned(),
        code: Some(i.code.clone()),
        isin: None,
        date: ts(i.date),
        owner: None,
        metadata: None,
        due_date: None,
        issuer: None,
        issuer_cnpj: None,
        issue_date: None,
        purchase_date: i.transactions.first().map(|t| ts(t.date)),
        grace_period_date: None,
        rate_type: None,
        tax_exempt: Some(false),
        rate_periodicity: None,
        indexer_additional_info: None,
        status: Some(InvestmentStatus::Active),
        last_month_rate: None,
        last_twelve_months_rate: None,
        annual_rate: Some(Decimal::new(i.annual_rate_bp, 2)),
        value: None,
        quantity: None,
        amount: Some(money(i.balance_cents)),
        taxes: None,
        taxes2: None,
        amount_profit: Some(money(i.balance_cents - i.amount_original_cents)),
        amount_withdrawal: None,
        amount_original: Some(money(i.amount_original_cents)),
        rate: None,
        fixed_annual_rate: None,
        price_factor: None,
    }
}

/// One movement of an investment.
pub(crate) fn investment_transaction(tx: &InvestmentTransaction) -> InvestmentTransactionModel {
    InvestmentTransactionModel {
        id: tx.id.clone(),
        kind: if tx.buy {
            InvestmentTransactionType::Buy
        } else {
            InvestmentTransactionType::Sell
        },
        movement_type: Some(if tx.buy {
            TransactionType::Credit
        } else {
            TransactionType::Debit
        }),
        description: None,
        date: ts(tx.date),
        trade_date: Some(ts(tx.date)),
        brokerage_number: None,
        expenses: None,
        quantity: Some(Decimal::from(tx.quantity)),
        value: Some(money(tx.amount_cents / tx.quantity.max(1))),
        amount: Some(money(tx.amount_cents)),
        net_amount: Some(money(tx.amount_cents)),
        agreed_rate: None,
        indexer_percentage: None,
        price_factor: None,
    }
}

/// A registered webhook.
pub(crate) fn webhook(w: &WebhookRec) -> Webhook {
    Webhook {
        id: WebhookId::new(w.id.clone()),
        url: w.url.clone(),
        event: w.event.clone(),
        headers: w.headers.iter().fold(WebhookHeaders::new(), |h, (k, v)| {
            h.with(k.clone(), v.clone())
        }),
        disabled_at: w.disabled_at.map(ts),
        created_at: Some(ts(w.created_at)),
        updated_at: Some(ts(w.updated_at)),
    }
}
