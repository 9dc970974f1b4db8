//! Investments of an item and their transactions.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Date, TransactionType};
use crate::Timestamp;
use crate::http::Call;
use crate::ids::{InvestmentId, ItemId};

super::wire_enum!(
    /// The kind of investment.
    InvestmentType {
        Coe = "COE",
        Equity = "EQUITY",
        Etf = "ETF",
        FixedIncome = "FIXED_INCOME",
        MutualFund = "MUTUAL_FUND",
        Security = "SECURITY",
        Other = "OTHER",
    }
);

super::wire_enum!(
    /// The status of an investment.
    InvestmentStatus {
        Active = "ACTIVE",
        Pending = "PENDING",
        TotalWithdrawal = "TOTAL_WITHDRAWAL",
    }
);

super::wire_enum!(
    /// The kind of investment transaction.
    InvestmentTransactionType {
        Buy = "BUY",
        Sell = "SELL",
        Tax = "TAX",
        Transfer = "TRANSFER",
        Interest = "INTEREST",
        Amortization = "AMORTIZATION",
    }
);

macro_rules! decimal_fields {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[doc = $doc:literal])* $field:ident),* $(,)? } extra { $($rest:tt)* }) => {
        $(#[$meta])*
        pub struct $name {
            $(
                $(#[doc = $doc])*
                #[serde(default, with = "super::decimal_opt", skip_serializing_if = "Option::is_none")]
                pub $field: Option<Decimal>,
            )*
            $($rest)*
        }
    };
}

decimal_fields!(
    /// An investment (`GET /investments?itemId=`).
    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Investment {
        /// The rate of last month, in percent.
        last_month_rate,
        /// The rate of the last twelve months, in percent.
        last_twelve_months_rate,
        /// The annual rate, in percent.
        annual_rate,
        /// The value of one unit (quota, share).
        value,
        /// How many units are held.
        quantity,
        /// The gross amount.
        amount,
        /// Taxes due on withdrawal.
        taxes,
        /// Other taxes due on withdrawal.
        taxes2,
        /// The profit so far.
        amount_profit,
        /// The amount that could be withdrawn now.
        amount_withdrawal,
        /// The amount originally invested.
        amount_original,
        /// The contracted rate.
        rate,
        /// The fixed annual rate, for hybrid fixed income.
        fixed_annual_rate,
        /// The price factor.
        price_factor,
    } extra {
        /// The investment's id.
        pub id: InvestmentId,
        /// The item it belongs to.
        pub item_id: ItemId,
        /// The kind of investment (`type` on the wire).
        #[serde(rename = "type")]
        pub kind: InvestmentType,
        /// The kind of investment, in more detail (`CDB`, `STOCK`, …).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub subtype: Option<String>,
        /// The investment's number at the institution.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub number: Option<String>,
        /// The investment's name.
        #[serde(default)]
        pub name: String,
        /// The net balance.
        #[serde(with = "super::decimal")]
        pub balance: Decimal,
        /// The currency, e.g. `BRL`.
        #[serde(default)]
        pub currency_code: String,
        /// The investment's code (ticker, fund CNPJ…).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub code: Option<String>,
        /// The ISIN.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub isin: Option<String>,
        /// When the balance was taken.
        pub date: Timestamp,
        /// The holder's name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub owner: Option<String>,
        /// Fund and plan details.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub metadata: Option<InvestmentMetadata>,
        /// When it matures.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub due_date: Option<Date>,
        /// The issuer's name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub issuer: Option<String>,
        /// The issuer's CNPJ.
        #[serde(rename = "issuerCNPJ", default, skip_serializing_if = "Option::is_none")]
        pub issuer_cnpj: Option<String>,
        /// When it was issued.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub issue_date: Option<Timestamp>,
        /// When it was bought.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub purchase_date: Option<Timestamp>,
        /// The end of the grace period.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub grace_period_date: Option<Timestamp>,
        /// The rate's index (`CDI`, `IPCA`, …).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub rate_type: Option<String>,
        /// Whether it is tax exempt.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub tax_exempt: Option<bool>,
        /// How often the rate applies.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub rate_periodicity: Option<String>,
        /// More about the index.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub indexer_additional_info: Option<String>,
        /// The investment's status.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<InvestmentStatus>,
    }
);

/// Fund and plan details of an investment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvestmentMetadata {
    /// The tax regime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_regime: Option<String>,
    /// The proposal number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal_number: Option<String>,
    /// The process number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_number: Option<String>,
    /// The fund's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fund_name: Option<String>,
    /// The insurer, for retirement plans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insurer: Option<InvestmentCompany>,
    /// The ANBIMA class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anbima_class: Option<String>,
    /// The ANBIMA subclass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anbima_subclass: Option<String>,
    /// The ANBIMA category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anbima_category: Option<String>,
}

/// A company named by an investment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvestmentCompany {
    /// The company's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The company's CNPJ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnpj: Option<String>,
}

decimal_fields!(
    /// A movement of an investment (`GET /investments/{id}/transactions`).
    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct InvestmentTransaction {
        /// How many units moved.
        quantity,
        /// The value of one unit.
        value,
        /// The gross amount.
        amount,
        /// The net amount.
        net_amount,
        /// The agreed rate.
        agreed_rate,
        /// The percentage of the index.
        indexer_percentage,
        /// The price factor.
        price_factor,
    } extra {
        /// The movement's id.
        pub id: String,
        /// The kind of movement (`type` on the wire).
        #[serde(rename = "type")]
        pub kind: InvestmentTransactionType,
        /// Whether money entered (`CREDIT`) or left (`DEBIT`) the investment.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub movement_type: Option<TransactionType>,
        /// A description.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub description: Option<String>,
        /// When the movement settled.
        pub date: Timestamp,
        /// When the trade was made.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub trade_date: Option<Timestamp>,
        /// The brokerage note's number.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub brokerage_number: Option<String>,
        /// Fees and taxes of the movement.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub expenses: Option<InvestmentExpenses>,
    }
);

decimal_fields!(
    /// Fees and taxes of an investment movement.
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct InvestmentExpenses {
        /// Service tax.
        service_tax,
        /// Brokerage fee.
        brokerage_fee,
        /// Income tax.
        income_tax,
        /// Trading assets notice fee.
        trading_assets_notice_fee,
        /// Maintenance fee.
        maintenance_fee,
        /// Settlement fee.
        settlement_fee,
        /// Clearing fee.
        clearing_fee,
        /// Stock exchange fee.
        stock_exchange_fee,
        /// Custody fee.
        custody_fee,
        /// Operating fee.
        operating_fee,
        /// Other expenses.
        other,
        /// IOF tax.
        iof,
        /// IOF provision.
        iof_provision,
    } extra {}
);

/// Filters of `GET /investments`. The driver sets `itemId`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InvestmentFilters {
    /// Only investments of this kind.
    pub kind: Option<InvestmentType>,
    /// The page to fetch, from 1.
    pub page: Option<u32>,
    /// Results per page.
    pub page_size: Option<u32>,
}

impl InvestmentFilters {
    /// Adds these filters to a call of `GET /investments` (or, without `kind`, of
    /// `GET /investments/{id}/transactions`).
    pub fn apply(&self, call: Call) -> Call {
        call.query_opt("type", self.kind.as_ref().map(|k| k.as_str().to_owned()))
            .query_opt("page", self.page.map(|p| p.to_string()))
            .query_opt("pageSize", self.page_size.map(|p| p.to_string()))
    }
}
