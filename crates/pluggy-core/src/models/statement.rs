//! An account's monthly statement files and its real-time balance.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Timestamp;

/// One monthly statement of an account (`GET /accounts/{id}/statements`, page style).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountStatement {
    /// The statement's id (a UUID).
    pub id: String,
    /// The month it covers, as the API writes it: `MM-YYYY` (`01-2025`).
    #[serde(default)]
    pub month_year: String,
    /// A signed link to download the file. It stops working after about 30 minutes: list the
    /// statements again for a fresh one.
    #[serde(default)]
    pub url: String,
}

impl AccountStatement {
    /// The year and month (1–12) of `month_year`, if it has the `MM-YYYY` shape.
    pub fn year_month(&self) -> Option<(i32, u8)> {
        let (month, year) = self.month_year.trim().split_once('-')?;
        let month: u8 = month.parse().ok()?;
        let year: i32 = year.parse().ok()?;
        (1..=12).contains(&month).then_some((year, month))
    }
}

/// The real-time balance of an account (`GET /accounts/{id}/balance`), read from the
/// institution at the time of the call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountBalance {
    /// The available balance, the same figure as the account's `balance`.
    #[serde(with = "super::decimal")]
    pub balance: Decimal,
    /// Money held and not available, when the institution says.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub blocked_balance: Option<Decimal>,
    /// Money invested automatically from the account, when the institution says.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub automatically_invested_balance: Option<Decimal>,
    /// The currency of the amounts, e.g. `BRL`.
    #[serde(default)]
    pub currency_code: String,
    /// When the institution last updated the balance (an offset-less time reads as UTC).
    #[serde(deserialize_with = "super::lenient_timestamp::deserialize")]
    pub update_date_time: Timestamp,
}
