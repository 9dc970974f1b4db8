//! The API's request and response bodies as Rust types.
//!
//! The models are tolerant of drift: unknown fields are ignored, most fields are optional,
//! and enum values this version does not know are kept (`Unknown(String)`) instead of failing
//! the whole answer. Money is [`Decimal`](rust_decimal::Decimal), read from and written as
//! JSON numbers without ever passing through `f64` arithmetic; instants are
//! [`Timestamp`](crate::Timestamp) and date-only fields are [`Date`] (due dates, contract dates…,
//! which the API may write as a midnight timestamp). An instant written without an offset (a
//! loan's `date`, a balance's `updateDateTime`) is read as UTC.
//!
//! Every model also serializes to the API's shape (the emulator answers with them). Absent
//! values follow one rule: a field the API sends as `null` when it has no value (an item's
//! `error`, `parameter`, `userAction`, `lastUpdatedAt`…, a webhook's `disabledAt`, a cursor
//! page's `next`, the nullable transaction fields) is written as `null`; any other `None` is
//! left out.
//!
//! Secret-bearing bodies ([`AuthRequest`], [`AuthResponse`], [`ConnectTokenResponse`],
//! [`ItemParameters`] and the models holding them) print redacted in `Debug` but serialize
//! their secret: they are the wire bodies that carry it.

mod account;
mod auth;
mod bill;
mod category;
mod connector;
mod consent;
mod date;
mod identity;
mod investment;
mod item;
mod loan;
mod merchant;
mod payments;
mod statement;
mod transaction;
mod webhooks;

pub use crate::header::{InvalidHeader, check_header};
pub use account::{
    Account, AccountSubtype, AccountType, AdditionalCard, BankData, CreditCardHolderType,
    CreditCardStatus, CreditData, DisaggregatedCreditLimit, ReducedAccount, ReservedBalance,
    ReservedBalanceAmount,
};
pub use auth::{
    AuthRequest, AuthResponse, ConnectTokenOptions, ConnectTokenRequest, ConnectTokenResponse,
};
pub use bill::{
    Bill, BillFinanceCharge, BillFinanceChargeType, BillPayment, BillPaymentMode,
    BillPaymentValueType,
};
pub use category::{
    Category, CategoryFilters, CategoryRule, CategoryRuleMatchType, CreateCategoryRule,
};
pub use connector::{
    Connector, ConnectorCredential, ConnectorFilters, ConnectorHealth, ConnectorHealthDetails,
    CredentialOption, CredentialType, HealthStatus, ValidationError, ValidationResponse,
};
pub use consent::{Consent, OpenFinancePermission};
pub use date::Date;
pub use identity::{Address, Email, GeographicCoordinates, Identity, PhoneNumber, Relation};
pub use investment::{
    Investment, InvestmentCompany, InvestmentExpenses, InvestmentFilters, InvestmentMetadata,
    InvestmentStatus, InvestmentTransaction, InvestmentTransactionType, InvestmentType,
};
pub use item::{
    CreateItemRequest, Item, ItemError, ItemParameters, ProductStatus, ProductWarning,
    StatusDetail, UpdateItemRequest, UserAction, UserActionType,
};
pub use loan::{
    Loan, LoanAmortization, LoanAmount, LoanBalloonPayment, LoanContractedFee,
    LoanContractedFinanceCharge, LoanFeeCharge, LoanFeeChargeType, LoanInstallmentPeriodicity,
    LoanInstallments, LoanInterestRate, LoanInterestRateType, LoanKind, LoanOverParcel,
    LoanOverParcelCharge, LoanOverParcelFee, LoanPaymentRelease, LoanPayments, LoanTaxPeriodicity,
    LoanTaxType, LoanTermType, LoanWarranty,
};
pub use merchant::{Merchant, MerchantLookup};
pub use payments::*;
pub use statement::{AccountBalance, AccountStatement};
pub use transaction::{
    BoletoMetadata, CreditCardMetadata, CursorTransactionFilters, Document, PaymentData,
    PaymentParticipant, Transaction, TransactionFilters, TransactionStatus, TransactionType,
    UpdateTransaction,
};
pub use webhooks::{CreateWebhook, UpdateWebhook, Webhook, WebhookHeaders};

use serde::{Deserialize, Serialize};

/// One page of a page-style list (`{page, total, totalPages, results}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The page number, from 1.
    #[serde(default)]
    pub page: u32,
    /// How many results there are over all pages.
    #[serde(default)]
    pub total: u64,
    /// How many pages there are.
    #[serde(default)]
    pub total_pages: u32,
    /// The results on this page.
    pub results: Vec<T>,
}

impl<T> Page<T> {
    /// Whether a page follows this one.
    pub fn has_next(&self) -> bool {
        self.page < self.total_pages
    }
}

/// One page of a cursor-style list (`{results, next}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CursorPage<T> {
    /// The results on this page.
    pub results: Vec<T>,
    /// The query string of the next page (`?accountId=…&after=…`), to be sent back verbatim
    /// with [`Call::raw_query`](crate::Call::raw_query); `None` on the last page.
    #[serde(default)]
    pub next: Option<String>,
}

/// The answer of a delete (`{count}`): how many resources were deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteCount {
    /// The number of deleted resources.
    pub count: u64,
}

/// Exact decimals (money, rates) as JSON numbers, for `#[serde(with = …)]`.
///
/// Reading accepts a JSON number (through its shortest decimal text, so `1234.56` stays
/// `1234.56`) or a numeric string. Writing gives an integer for whole values (`120950`, as the
/// API writes them) and otherwise the nearest double, whose shortest text is the same decimal
/// for up to 15 significant digits.
pub(crate) mod decimal {
    use rust_decimal::Decimal;
    use rust_decimal::prelude::ToPrimitive;
    use serde::{Deserializer, Serializer};

    /// Reads a number or a numeric string.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        rust_decimal::serde::float::deserialize(d)
    }

    /// Writes a JSON number.
    pub(crate) fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        if value.fract().is_zero() {
            if let Some(i) = value.to_i64() {
                return s.serialize_i64(i);
            }
        }
        // Parsing the decimal text gives the correctly rounded double.
        let f = value
            .to_string()
            .parse::<f64>()
            .map_err(serde::ser::Error::custom)?;
        s.serialize_f64(f)
    }
}

/// Optional exact decimals as JSON numbers (`null` reads as `None`), for `#[serde(with = …)]`.
pub(crate) mod decimal_opt {
    use rust_decimal::Decimal;
    use serde::{Deserializer, Serializer};

    /// Reads a number, a numeric string or `null`.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Decimal>, D::Error> {
        rust_decimal::serde::float_option::deserialize(d)
    }

    /// Writes a JSON number, or `null` for `None`.
    pub(crate) fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => super::decimal::serialize(v, s),
            None => s.serialize_none(),
        }
    }
}

/// Serde helper for a field where `null` and absence mean different things:
/// absent → `None`, `null` → `Some(None)`, a value → `Some(Some(v))`.
pub(crate) mod double_option {
    use serde::{Deserialize, Deserializer};

    /// Reads a present field (absent fields never reach this; pair with `#[serde(default)]`).
    pub(crate) fn deserialize<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
    where
        T: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// Serde helper for string fields the API sometimes writes as a JSON number (a connector id
/// in a webhook, a merchant category code).
pub(crate) mod lenient_string {
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum StringOrNumber {
        String(String),
        Number(serde_json::Number),
    }

    /// Reads a string or a number as a string; `null` reads as `None`.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(Option::<StringOrNumber>::deserialize(d)?.map(|v| match v {
            StringOrNumber::String(s) => s,
            StringOrNumber::Number(n) => n.to_string(),
        }))
    }
}

/// Defines a string enum of the API with an `Unknown(String)` fallback, the same shape as
/// the generated enums in [`crate::generated::enums`].
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        ///
        /// Values this version does not know are kept in `Unknown`.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $(
                #[doc = concat!("`", $wire, "`")]
                $variant,
            )+
            /// A value this version does not know.
            Unknown(String),
        }

        impl $name {
            /// The value as the API writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Unknown(s) => s,
                }
            }

            /// Parses a value; anything unknown becomes `Unknown`.
            pub fn parse(s: &str) -> Self {
                match s {
                    $($wire => $name::$variant,)+
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Ok(Self::parse(&s))
            }
        }
    };
}
pub(crate) use wire_enum;

/// Serde helper for instants the API sometimes writes without an offset
/// (`2024-01-15T10:30:00`, as in the loan and balance examples) or as a bare date: those are
/// read as UTC (midnight for a date). RFC 3339 text reads as usual; writing is
/// [`Timestamp`](crate::Timestamp)'s own (UTC with milliseconds).
pub(crate) mod lenient_timestamp {
    use serde::{Deserialize, Deserializer};
    use time::macros::format_description;
    use time::{PrimitiveDateTime, Time};

    use crate::Timestamp;

    /// Parses RFC 3339, an offset-less date-time (as UTC) or a date (midnight UTC).
    pub(crate) fn parse(s: &str) -> Option<Timestamp> {
        let s = s.trim();
        if let Ok(t) = Timestamp::parse(s) {
            return Some(t);
        }
        let local = format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
        );
        if let Ok(t) = PrimitiveDateTime::parse(s, local) {
            return Some(Timestamp::new(t.assume_utc()));
        }
        time::Date::parse(s, format_description!("[year]-[month]-[day]"))
            .ok()
            .map(|d| Timestamp::new(PrimitiveDateTime::new(d, Time::MIDNIGHT).assume_utc()))
    }

    /// Reads a required instant.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        parse(&s).ok_or_else(|| serde::de::Error::custom(format_args!("invalid timestamp {s:?}")))
    }
}
