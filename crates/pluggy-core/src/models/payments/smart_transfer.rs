//! Smart transfers: payments from a preauthorized account to your recipients, without a new
//! consent each time.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::PaymentRecipient;
use crate::Timestamp;
use crate::http::Call;
use crate::ids::{
    ConnectorId, PaymentRecipientId, SmartTransferPaymentId, SmartTransferPreauthorizationId,
};
use crate::models::{Connector, Date};

crate::models::wire_enum!(
    /// Where a smart transfer preauthorization is: `CREATED` until the payer authorizes it at
    /// their bank, `COMPLETED` once authorized (payments may then be made), `REVOKED`,
    /// `REJECTED` or `ERROR`.
    SmartTransferPreauthorizationStatus {
        Created = "CREATED",
        Completed = "COMPLETED",
        Revoked = "REVOKED",
        Rejected = "REJECTED",
        Error = "ERROR",
    }
);

impl SmartTransferPreauthorizationStatus {
    /// Whether payments may be made under it (`COMPLETED`).
    pub fn is_authorized(&self) -> bool {
        matches!(self, Self::Completed)
    }

    /// Whether it will never allow payments (`REVOKED`, `REJECTED` or `ERROR`).
    pub fn is_failure(&self) -> bool {
        matches!(self, Self::Revoked | Self::Rejected | Self::Error)
    }
}

crate::models::wire_enum!(
    /// Where a smart transfer payment is, through the same settlement statuses as a payment
    /// intent.
    SmartTransferPaymentStatus {
        ConsentAuthorized = "CONSENT_AUTHORIZED",
        ConsentRejected = "CONSENT_REJECTED",
        PaymentPending = "PAYMENT_PENDING",
        PaymentPartiallyAccepted = "PAYMENT_PARTIALLY_ACCEPTED",
        PaymentSettlementProcessing = "PAYMENT_SETTLEMENT_PROCESSING",
        PaymentSettlementDebtorAccount = "PAYMENT_SETTLEMENT_DEBTOR_ACCOUNT",
        PaymentCompleted = "PAYMENT_COMPLETED",
        PaymentRejected = "PAYMENT_REJECTED",
        Error = "ERROR",
        Canceled = "CANCELED",
    }
);

impl SmartTransferPaymentStatus {
    /// Whether the payment has ended: `PAYMENT_COMPLETED`, `CONSENT_REJECTED`,
    /// `PAYMENT_REJECTED`, `ERROR` or `CANCELED` (a value this version does not know is not).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::PaymentCompleted
                | Self::ConsentRejected
                | Self::PaymentRejected
                | Self::Error
                | Self::Canceled
        )
    }

    /// Whether the payment was made (`PAYMENT_COMPLETED`).
    pub fn is_success(&self) -> bool {
        matches!(self, Self::PaymentCompleted)
    }
}

crate::models::wire_enum!(
    /// Why a smart transfer payment failed.
    SmartTransferPaymentErrorCode {
        InfrastructureFailure = "INFRASTRUCTURE_FAILURE",
        PaymentDifferentFromConsent = "PAYMENT_DIFFERENT_FROM_CONSENT",
        UnknownError = "UNKNOWN_ERROR",
        InvalidPaymentDetail = "INVALID_PAYMENT_DETAIL",
        PaymentRejectedByHolder = "PAYMENT_REJECTED_BY_HOLDER",
        PaymentRejectedBySpi = "PAYMENT_REJECTED_BY_SPI",    }
);

/// Where the payer's browser goes after authorizing a preauthorization.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmartTransferCallbackUrls {
    /// After a successful authorization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success: Option<String>,
    /// After a failed one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The limits of one period (a day, a week, …) of a preauthorization.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmartTransferPeriodicLimit {
    /// How many payments the period allows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity_limit: Option<u32>,
    /// The most one payment may be in the period.
    #[serde(
        default,
        with = "crate::models::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub transaction_limit: Option<Decimal>,
}

/// The limits per day, week, month and year of a preauthorization.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmartTransferPeriodicLimits {
    /// Per day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<SmartTransferPeriodicLimit>,
    /// Per week.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub week: Option<SmartTransferPeriodicLimit>,
    /// Per month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<SmartTransferPeriodicLimit>,
    /// Per year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<SmartTransferPeriodicLimit>,
}

/// The limits a preauthorization allows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmartTransferPreauthorizationConfiguration {
    /// The most all payments together may be.
    #[serde(
        default,
        with = "crate::models::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_allowed_amount: Option<Decimal>,
    /// The most one payment may be.
    #[serde(
        default,
        with = "crate::models::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub transaction_limit: Option<Decimal>,
    /// Limits per period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub periodic_limits: Option<SmartTransferPeriodicLimits>,
}

/// Why a preauthorization failed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmartTransferErrorDetail {
    /// The error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// What it means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The institution's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A smart transfer preauthorization (`GET /smart-transfers/preauthorizations/{id}`): the
/// payer's standing consent to pay the listed recipients within its limits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmartTransferPreauthorization {
    /// The preauthorization's id.
    pub id: SmartTransferPreauthorizationId,
    /// Where it is.
    pub status: SmartTransferPreauthorizationStatus,
    /// Where the payer authorizes it, at their bank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_url: Option<String>,
    /// Your own reference, or `null`.
    #[serde(default)]
    pub client_preauthorization_id: Option<String>,
    /// Where the payer goes after authorizing, or `null`.
    #[serde(default)]
    pub callback_urls: Option<SmartTransferCallbackUrls>,
    /// The recipients it may pay.
    #[serde(default)]
    pub recipients: Vec<PaymentRecipient>,
    /// The payer's institution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector: Option<Connector>,
    /// When it was created. The document requires it but its list example leaves it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When it last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// Its limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<SmartTransferPreauthorizationConfiguration>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_detail: Option<SmartTransferErrorDetail>,
    /// Whether it is a sandbox preauthorization (in the document's example, not its schema).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_sandbox: Option<bool>,
}

/// Who preauthorizes, at their bank (the document's `SmartTransferPreauthorizationParameter`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmartTransferPreauthorizationParameters {
    /// The payer's CPF.
    pub cpf: String,
    /// The company's CNPJ, for a business account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnpj: Option<String>,
}

impl SmartTransferPreauthorizationParameters {
    /// A payer with this CPF.
    pub fn cpf(cpf: impl Into<String>) -> Self {
        Self {
            cpf: cpf.into(),
            cnpj: None,
        }
    }
}

/// The body of `POST /smart-transfers/preauthorizations`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSmartTransferPreauthorization {
    /// The payer's institution.
    pub connector_id: ConnectorId,
    /// Who preauthorizes.
    pub parameters: SmartTransferPreauthorizationParameters,
    /// The recipients it may pay.
    pub recipient_ids: Vec<PaymentRecipientId>,
    /// Where the payer goes after authorizing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_urls: Option<SmartTransferCallbackUrls>,
    /// Your own reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_preauthorization_id: Option<String>,
    /// Its limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<SmartTransferPreauthorizationConfiguration>,
}

impl CreateSmartTransferPreauthorization {
    /// A preauthorization at `connector_id` by this payer for these recipients.
    pub fn new(
        connector_id: ConnectorId,
        parameters: SmartTransferPreauthorizationParameters,
        recipient_ids: Vec<PaymentRecipientId>,
    ) -> Self {
        Self {
            connector_id,
            parameters,
            recipient_ids,
            callback_urls: None,
            client_preauthorization_id: None,
            configuration: None,
        }
    }
}

/// Why a smart transfer payment failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmartTransferPaymentErrorDetail {
    /// The error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<SmartTransferPaymentErrorCode>,
    /// What it means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The institution's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A payment under a preauthorization (`GET /smart-transfers/payments/{id}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmartTransferPayment {
    /// The payment's id.
    pub id: SmartTransferPaymentId,
    /// The preauthorization it is made under.
    pub preauthorization_id: SmartTransferPreauthorizationId,
    /// Where it is.
    pub status: SmartTransferPaymentStatus,
    /// Its amount.
    #[serde(with = "crate::models::decimal")]
    pub amount: Decimal,
    /// Its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The recipient paid, or `null`.
    #[serde(default)]
    pub recipient: Option<PaymentRecipient>,
    /// Your own reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_payment_id: Option<String>,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_detail: Option<SmartTransferPaymentErrorDetail>,
}

/// The body of `POST /smart-transfers/payments`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSmartTransferPayment {
    /// The preauthorization to pay under.
    pub preauthorization_id: SmartTransferPreauthorizationId,
    /// One of its recipients.
    pub recipient_id: PaymentRecipientId,
    /// The amount, within its limits.
    #[serde(with = "crate::models::decimal")]
    pub amount: Decimal,
    /// A description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Your own reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_payment_id: Option<String>,
}

impl CreateSmartTransferPayment {
    /// A payment of `amount` to `recipient_id` under `preauthorization_id`.
    pub fn new(
        preauthorization_id: SmartTransferPreauthorizationId,
        recipient_id: PaymentRecipientId,
        amount: Decimal,
    ) -> Self {
        Self {
            preauthorization_id,
            recipient_id,
            amount,
            description: None,
            client_payment_id: None,
        }
    }

    /// With a description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// With your own reference.
    pub fn with_client_payment_id(mut self, id: impl Into<String>) -> Self {
        self.client_payment_id = Some(id.into());
        self
    }
}

/// Filters of `GET /smart-transfers/preauthorizations/{id}/payments`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SmartTransferPaymentFilters {
    /// Only payments on or after this day.
    pub from: Option<Date>,
    /// Only payments on or before this day.
    pub to: Option<Date>,
    /// The page to fetch, from 1.
    pub page: Option<u32>,
    /// How many payments per page.
    pub page_size: Option<u32>,
}

impl SmartTransferPaymentFilters {
    /// Adds these filters to a call of `GET /smart-transfers/preauthorizations/{id}/payments`.
    pub fn apply(&self, call: Call) -> Call {
        let call = call
            .query_opt("from", self.from.map(|d| d.to_string()))
            .query_opt("to", self.to.map(|d| d.to_string()));
        super::page_query(call, self.page, self.page_size)
    }
}

/// Filters of `GET /smart-transfers/preauthorizations`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SmartTransferPreauthorizationFilters {
    /// The page to fetch, from 1.
    pub page: Option<u32>,
    /// How many preauthorizations per page.
    pub page_size: Option<u32>,
}

impl SmartTransferPreauthorizationFilters {
    /// Adds these filters to a call of `GET /smart-transfers/preauthorizations`.
    pub fn apply(&self, call: Call) -> Call {
        super::page_query(call, self.page, self.page_size)
    }
}
