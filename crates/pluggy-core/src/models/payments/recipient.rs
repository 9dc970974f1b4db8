//! Payment recipients, the accounts that receive payments, and the institutions they are at.

use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::http::Call;
use crate::ids::{PaymentInstitutionId, PaymentRecipientId};

crate::models::wire_enum!(
    /// The kind of a recipient's bank account. The API masks the account of a recipient
    /// embedded in some answers (`*******`), which is kept as `Unknown`.
    PaymentRecipientAccountType {
        CheckingAccount = "CHECKING_ACCOUNT",
        SavingsAccount = "SAVINGS_ACCOUNT",
        GuaranteedAccount = "GUARANTEED_ACCOUNT",
    }
);

/// The bank account of a recipient (the document's `PaymentRecipientAccount`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRecipientAccount {
    /// The branch (agência), e.g. `0001`.
    pub branch: String,
    /// The account number, with its check digit.
    pub number: String,
    /// The kind of account (`type` on the wire).
    #[serde(rename = "type")]
    pub kind: PaymentRecipientAccountType,
}

impl PaymentRecipientAccount {
    /// A checking account at this branch with this number.
    pub fn checking(branch: impl Into<String>, number: impl Into<String>) -> Self {
        Self::new(branch, number, PaymentRecipientAccountType::CheckingAccount)
    }

    /// An account of this kind at this branch with this number.
    pub fn new(
        branch: impl Into<String>,
        number: impl Into<String>,
        kind: PaymentRecipientAccountType,
    ) -> Self {
        Self {
            branch: branch.into(),
            number: number.into(),
            kind,
        }
    }
}

/// A payment institution: a bank that can hold a recipient's account
/// (`GET /payments/recipients/institutions`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentInstitution {
    /// The institution's id, which a recipient's `paymentInstitutionId` takes.
    pub id: PaymentInstitutionId,
    /// The legal name (`Banco J. Safra S.A.`).
    #[serde(default)]
    pub name: String,
    /// The trade name (`Banco Safra`).
    #[serde(default)]
    pub trade_name: String,
    /// The institution's ISPB code in the Brazilian payment system (8 digits).
    #[serde(default)]
    pub ispb: String,
    /// The institution's COMPE bank code (3 digits), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compe: Option<String>,
    /// When the institution was added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When it last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
}

/// A payment recipient (`GET /payments/recipients/{id}`): the account a payment goes to.
///
/// The document gives recipients the one kind `BANK_ACCOUNT` (`type`), kept in `kind`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRecipient {
    /// The recipient's id.
    pub id: PaymentRecipientId,
    /// `BANK_ACCOUNT` (`type` on the wire).
    #[serde(rename = "type", default = "bank_account")]
    pub kind: String,
    /// The recipient's name.
    #[serde(default)]
    pub name: String,
    /// The account holder's CPF or CNPJ, as given.
    #[serde(default)]
    pub tax_number: String,
    /// The institution holding the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_institution: Option<PaymentInstitution>,
    /// Whether this is your default recipient (used when a request names none).
    #[serde(default)]
    pub is_default: bool,
    /// The bank account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<PaymentRecipientAccount>,
    /// The recipient's Pix key, or `null`.
    #[serde(default)]
    pub pix_key: Option<String>,
    /// When the recipient was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

fn bank_account() -> String {
    "BANK_ACCOUNT".to_owned()
}

/// The body of `POST /payments/recipients`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePaymentRecipient {
    /// The account holder's CPF or CNPJ.
    pub tax_number: String,
    /// The recipient's name.
    pub name: String,
    /// The institution holding the account, one of [`PaymentInstitution`]'s ids.
    pub payment_institution_id: PaymentInstitutionId,
    /// The bank account.
    pub account: PaymentRecipientAccount,
}

impl CreatePaymentRecipient {
    /// A recipient with every field the API requires.
    pub fn new(
        tax_number: impl Into<String>,
        name: impl Into<String>,
        payment_institution_id: PaymentInstitutionId,
        account: PaymentRecipientAccount,
    ) -> Self {
        Self {
            tax_number: tax_number.into(),
            name: name.into(),
            payment_institution_id,
            account,
        }
    }
}

/// The body of `PATCH /payments/recipients/{id}`: only the fields given change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdatePaymentRecipient {
    /// A new CPF or CNPJ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_number: Option<String>,
    /// A new name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A new institution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_institution_id: Option<PaymentInstitutionId>,
    /// A new bank account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<PaymentRecipientAccount>,
}

/// Filters of `GET /payments/recipients`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaymentRecipientFilters {
    /// The page to fetch, from 1.
    pub page: Option<u32>,
    /// How many recipients per page.
    pub page_size: Option<u32>,
    /// Only the default recipient (`true`) or only the others (`false`).
    pub is_default: Option<bool>,
    /// Only recipients with this Pix key.
    pub pix_key: Option<String>,
    /// Only recipients with this name.
    pub name: Option<String>,
    /// Only recipients with this CPF or CNPJ.
    pub tax_number: Option<String>,
}

impl PaymentRecipientFilters {
    /// Adds these filters to a call of `GET /payments/recipients`.
    pub fn apply(&self, call: Call) -> Call {
        super::page_query(call, self.page, self.page_size)
            .query_opt("isDefault", self.is_default.map(|b| b.to_string()))
            .query_opt("pixKey", self.pix_key.clone())
            .query_opt("name", self.name.clone())
            .query_opt("taxNumber", self.tax_number.clone())
    }
}

/// Filters of `GET /payments/recipients/institutions`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaymentInstitutionFilters {
    /// The page to fetch, from 1.
    pub page: Option<u32>,
    /// How many institutions per page.
    pub page_size: Option<u32>,
    /// Only institutions whose name matches this.
    pub name: Option<String>,
}

impl PaymentInstitutionFilters {
    /// Adds these filters to a call of `GET /payments/recipients/institutions`.
    pub fn apply(&self, call: Call) -> Call {
        super::page_query(call, self.page, self.page_size).query_opt("name", self.name.clone())
    }
}
