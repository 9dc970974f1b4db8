//! Open Finance consents given for an item.

use serde::{Deserialize, Serialize};

use crate::ids::{ConsentId, ItemId};
use crate::{Product, Timestamp};

super::wire_enum!(
    /// An Open Finance permission the user granted.
    OpenFinancePermission {
        RegistrationAll = "REGISTRATION_ALL",
        RegistrationIdentifications = "REGISTRATION_IDENTIFICATIONS",
        RegistrationQualifications = "REGISTRATION_QUALIFICATIONS",
        RegistrationFinancialRelations = "REGISTRATION_FINANCIAL_RELATIONS",
        AccountsAll = "ACCOUNTS_ALL",
        AccountsList = "ACCOUNTS_LIST",
        AccountsBalances = "ACCOUNTS_BALANCES",
        AccountsLimits = "ACCOUNTS_LIMITS",
        AccountsTransactions = "ACCOUNTS_TRANSACTIONS",
        CreditCardsAll = "CREDIT_CARDS_ALL",
        CreditCardsList = "CREDIT_CARDS_LIST",
        CreditCardsLimits = "CREDIT_CARDS_LIMITS",
        CreditCardsTransactions = "CREDIT_CARDS_TRANSACTIONS",
        CreditCardsBills = "CREDIT_CARDS_BILLS",
        CreditOperationsAll = "CREDIT_OPERATIONS_ALL",
        InvestmentsAll = "INVESTMENTS_ALL",
        ExchangesAll = "EXCHANGES_ALL",
    }
);

/// A consent the user gave for an Open Finance item (`GET /consents?itemId=`,
/// `GET /consents/{id}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    /// The consent's id.
    pub id: ConsentId,
    /// The item it was given for.
    pub item_id: ItemId,
    /// The products the connection collects.
    #[serde(default)]
    pub products: Vec<Product>,
    /// The Open Finance permissions the user granted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open_finance_permissions_granted: Vec<OpenFinancePermission>,
    /// When the consent was given.
    pub created_at: Timestamp,
    /// When it expires, or `null` if it does not.
    #[serde(default)]
    pub expires_at: Option<Timestamp>,
    /// When it was revoked, or `null`.
    #[serde(default)]
    pub revoked_at: Option<Timestamp>,
}

impl Consent {
    /// Whether the consent is in force at `now`: not revoked, and not expired.
    pub fn is_active(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none_or(|at| at > now) && self.expires_at.is_none_or(|at| at > now)
    }
}
