//! Accounts: bank accounts and credit cards of an item.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Date;
use crate::Timestamp;
use crate::ids::{AccountId, ItemId};

super::wire_enum!(
    /// The kind of account.
    AccountType {
        Bank = "BANK",
        Credit = "CREDIT",
    }
);

super::wire_enum!(
    /// The kind of account, in more detail.
    AccountSubtype {
        CheckingAccount = "CHECKING_ACCOUNT",
        SavingsAccount = "SAVINGS_ACCOUNT",
        CreditCard = "CREDIT_CARD",
    }
);

super::wire_enum!(
    /// The status of a credit card.
    CreditCardStatus {
        Active = "ACTIVE",
        Blocked = "BLOCKED",
        Cancelled = "CANCELLED",
    }
);

super::wire_enum!(
    /// Whether the card holder is the main or an additional holder.
    CreditCardHolderType {
        Main = "MAIN",
        Additional = "ADDITIONAL",
    }
);

/// An account of an item (`GET /accounts` with an API key).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// The account's id.
    pub id: AccountId,
    /// The item the account belongs to.
    pub item_id: ItemId,
    /// `BANK` or `CREDIT` (`type` on the wire).
    #[serde(rename = "type")]
    pub kind: AccountType,
    /// The kind of account, in more detail.
    pub subtype: AccountSubtype,
    /// The account number.
    #[serde(default)]
    pub number: String,
    /// The account's name.
    #[serde(default)]
    pub name: String,
    /// The commercial name of the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marketing_name: Option<String>,
    /// The balance (for credit cards, the amount due).
    #[serde(with = "super::decimal")]
    pub balance: Decimal,
    /// The holder's tax number (CPF/CNPJ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_number: Option<String>,
    /// The holder's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The currency, e.g. `BRL`.
    #[serde(default)]
    pub currency_code: String,
    /// Details of a bank account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_data: Option<BankData>,
    /// Details of a credit card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_data: Option<CreditData>,
    /// When the account was first collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When the account last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
}

/// Details of a bank account.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BankData {
    /// The number to transfer to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer_number: Option<String>,
    /// The closing balance.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub closing_balance: Option<Decimal>,
    /// The amount invested automatically.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub automatically_invested_balance: Option<Decimal>,
    /// The contracted overdraft limit.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub overdraft_contracted_limit: Option<Decimal>,
    /// The overdraft in use.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub overdraft_used_limit: Option<Decimal>,
    /// The overdraft used beyond the contracted limit.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub unarranged_overdraft_amount: Option<Decimal>,
    /// Whether part of the balance is reserved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_reserved_balance: Option<bool>,
    /// The reserved parts of the balance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_balances: Option<Vec<ReservedBalance>>,
}

/// A reserved part of a balance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReservedBalance {
    /// A name for the reservation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The reservation's identification.
    #[serde(default)]
    pub identification: String,
    /// The amounts reserved.
    #[serde(default)]
    pub available_amounts: Vec<ReservedBalanceAmount>,
}

/// One reserved amount.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReservedBalanceAmount {
    /// The amount.
    #[serde(with = "super::decimal")]
    pub amount: Decimal,
    /// Its currency.
    #[serde(default)]
    pub currency_code: String,
}

/// Details of a credit card.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditData {
    /// The card level, e.g. `BLACK`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// The card brand, e.g. `MASTERCARD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    /// More about the brand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand_additional_info: Option<String>,
    /// When the current bill closes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance_close_date: Option<Date>,
    /// When the current bill is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance_due_date: Option<Date>,
    /// The credit still available.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub available_credit_limit: Option<Decimal>,
    /// The balance in foreign currency.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub balance_foreign_currency: Option<Decimal>,
    /// The minimum payment of the current bill.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub minimum_payment: Option<Decimal>,
    /// The credit limit.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub credit_limit: Option<Decimal>,
    /// Whether the limit is flexible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_limit_flexible: Option<bool>,
    /// The card's status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<CreditCardStatus>,
    /// Main or additional holder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder_type: Option<CreditCardHolderType>,
    /// Limits per credit line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disaggregated_credit_limits: Option<Vec<DisaggregatedCreditLimit>>,
    /// Additional cards on the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_cards: Option<Vec<AdditionalCard>>,
}

/// The limit of one credit line of a card.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DisaggregatedCreditLimit {
    /// The kind of limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_line_limit_type: Option<String>,
    /// How the limit is consolidated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consolidation_type: Option<String>,
    /// The line's identification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identification_number: Option<String>,
    /// Whether the limit is flexible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_limit_flexible: Option<bool>,
    /// The name of the line, e.g. `CREDITO_A_VISTA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_name: Option<String>,
    /// More about the line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_name_additional_info: Option<String>,
    /// The amount in use.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub used_amount: Option<Decimal>,
    /// The currency of the amount in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_amount_currency_code: Option<String>,
    /// The limit.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub limit_amount: Option<Decimal>,
    /// The currency of the limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_amount_currency_code: Option<String>,
    /// Why the limit is what it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_amount_reason: Option<String>,
    /// A limit the holder set.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub customized_limit_amount: Option<Decimal>,
    /// The currency of the customized limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customized_limit_amount_currency_code: Option<String>,
    /// The amount still available.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub available_amount: Option<Decimal>,
    /// The currency of the available amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_amount_currency_code: Option<String>,
}

/// An additional card on a credit card account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdditionalCard {
    /// The card number (usually masked).
    #[serde(default)]
    pub number: String,
}

/// The reduced view of an account that a connect token sees: exactly the fields of
/// [`REDUCED_ACCOUNT_FIELDS`](crate::REDUCED_ACCOUNT_FIELDS).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReducedAccount {
    /// The account's id.
    pub id: AccountId,
    /// The item the account belongs to.
    pub item_id: ItemId,
    /// `BANK` or `CREDIT` (`type` on the wire).
    #[serde(rename = "type")]
    pub kind: AccountType,
    /// The kind of account, in more detail.
    pub subtype: AccountSubtype,
    /// The account's name.
    #[serde(default)]
    pub name: String,
    /// The commercial name of the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marketing_name: Option<String>,
    /// The account number.
    #[serde(default)]
    pub number: String,
    /// The currency, e.g. `BRL`.
    #[serde(default)]
    pub currency_code: String,
}

impl From<&Account> for ReducedAccount {
    fn from(a: &Account) -> Self {
        Self {
            id: a.id.clone(),
            item_id: a.item_id.clone(),
            kind: a.kind.clone(),
            subtype: a.subtype.clone(),
            name: a.name.clone(),
            marketing_name: a.marketing_name.clone(),
            number: a.number.clone(),
            currency_code: a.currency_code.clone(),
        }
    }
}
