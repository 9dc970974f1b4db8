//! Automatic Pix (Pix Automático): a mandate the payer approves once, with fixed or variable
//! amounts and an interval, and the payments you schedule under it.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::PaymentCallbackUrls;
use crate::Timestamp;
use crate::ids::{AutomaticPixPaymentId, PaymentCustomerId, PaymentRecipientId};
use crate::models::Date;

crate::models::wire_enum!(
    /// How often an Automatic Pix mandate pays.
    AutomaticPixInterval {
        Weekly = "WEEKLY",
        Monthly = "MONTHLY",
        Quarterly = "QUARTERLY",
        Semester = "SEMESTER",
        Yearly = "YEARLY",
    }
);

crate::models::wire_enum!(
    /// Where a payment of an Automatic Pix mandate is.
    AutomaticPixPaymentStatus {
        Scheduled = "SCHEDULED",
        Created = "CREATED",
        Completed = "COMPLETED",
        Canceled = "CANCELED",
        Error = "ERROR",
    }
);

impl AutomaticPixPaymentStatus {
    /// Whether the payment will not move any more (`COMPLETED`, `CANCELED` or `ERROR`).
    /// An `ERROR` payment may still be retried, which schedules a new attempt.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Completed | Self::Canceled | Self::Error)
    }

    /// Whether the payment was made (`COMPLETED`).
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Completed)
    }
}

crate::models::wire_enum!(
    /// Where one attempt of an Automatic Pix payment is.
    AutomaticPixPaymentAttemptStatus {
        InProgress = "IN_PROGRESS",
        Completed = "COMPLETED",
        Canceled = "CANCELED",
        Error = "ERROR",
    }
);

crate::models::wire_enum!(
    /// Why an Automatic Pix payment or attempt failed: the Open Finance codes, in Portuguese
    /// as the API writes them (`SALDO_INSUFICIENTE` is insufficient balance).
    AutomaticPixErrorCode {
        SaldoInsuficiente = "SALDO_INSUFICIENTE",
        ValorAcimaLimite = "VALOR_ACIMA_LIMITE",
        ValorInvalido = "VALOR_INVALIDO",
        NaoInformado = "NAO_INFORMADO",
        PagamentoDivergenteConsentimento = "PAGAMENTO_DIVERGENTE_CONSENTIMENTO",
        PagamentoRecusadoDetentora = "PAGAMENTO_RECUSADO_DETENTORA",
        PagamentoRecusadoSpi = "PAGAMENTO_RECUSADO_SPI",
        ConsentimentoInvalido = "CONSENTIMENTO_INVALIDO",
        FalhaInfraestruturaSpi = "FALHA_INFRAESTRUTURA_SPI",
        FalhaInfraestruturaIcp = "FALHA_INFRAESTRUTURA_ICP",
        FalhaInfraestruturaPspRecebedor = "FALHA_INFRAESTRUTURA_PSP_RECEBEDOR",
        FalhaInfraestruturaDetentora = "FALHA_INFRAESTRUTURA_DETENTORA",
        TitularidadeInconsistente = "TITULARIDADE_INCONSISTENTE",
        LimitePeriodoValorExcedido = "LIMITE_PERIODO_VALOR_EXCEDIDO",
        LimitePeriodoQuantidadeExcedido = "LIMITE_PERIODO_QUANTIDADE_EXCEDIDO",
        LimiteValorTotalConsentimentoExcedido = "LIMITE_VALOR_TOTAL_CONSENTIMENTO_EXCEDIDO",
        LimiteValorTransacaoConsentimentoExcedido = "LIMITE_VALOR_TRANSACAO_CONSENTIMENTO_EXCEDIDO",
        LimiteTentativasExcedido = "LIMITE_TENTATIVAS_EXCEDIDO",
        ConsentimentoRevogado = "CONSENTIMENTO_REVOGADO",
        ForaPrazoPermitido = "FORA_PRAZO_PERMITIDO",
        DetalheTentativaInvalido = "DETALHE_TENTATIVA_INVALIDO",
        DetalhePagamentoInvalido = "DETALHE_PAGAMENTO_INVALIDO",    }
);

/// Serde helper: an optional instant that may come as a bare date (read as midnight UTC).
mod lenient_timestamp_opt {
    use serde::{Deserialize, Deserializer};

    use crate::Timestamp;

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Timestamp>, D::Error> {
        match Option::<std::borrow::Cow<'de, str>>::deserialize(d)? {
            None => Ok(None),
            Some(s) => crate::models::lenient_timestamp::parse(&s)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom(format_args!("invalid timestamp {s:?}"))),
        }
    }
}

/// The first payment of a mandate, made when the payer approves it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutomaticPixFirstPayment {
    /// The day of the first payment (today when `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// Its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its amount.
    #[serde(with = "crate::models::decimal")]
    pub amount: Decimal,
}

impl AutomaticPixFirstPayment {
    /// A first payment of this amount, made on approval.
    pub fn new(amount: Decimal) -> Self {
        Self {
            date: None,
            description: None,
            amount,
        }
    }
}

/// The weekdays on which a failed Automatic Pix payment is retried by itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutomaticPixRetriesConfiguration {
    /// The days of the week, 1 to 7.
    #[serde(default)]
    pub retry_days: Vec<u8>,
}

/// Whether Pluggy schedules the mandate's payments for you.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutomaticPixSchedulerConfiguration {
    /// Whether Pluggy schedules each payment by itself.
    pub enabled: bool,
    /// The amount Pluggy schedules for a mandate of variable amounts (at least 0.01).
    #[serde(
        default,
        with = "crate::models::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub value_for_variable_amount: Option<Decimal>,
}

/// The Automatic Pix mandate a payment request asks for (`automaticPix`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutomaticPix {
    /// The amount of every payment, for a mandate of fixed amounts.
    #[serde(
        default,
        with = "crate::models::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub fixed_amount: Option<Decimal>,
    /// The least a payment may be, for variable amounts.
    #[serde(
        default,
        with = "crate::models::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub minimum_variable_amount: Option<Decimal>,
    /// The most a payment may be, for variable amounts.
    #[serde(
        default,
        with = "crate::models::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub maximum_variable_amount: Option<Decimal>,
    /// The first day the mandate may pay (the document's example writes a bare date).
    pub start_date: Date,
    /// When the mandate ends.
    #[serde(
        default,
        deserialize_with = "lenient_timestamp_opt::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub expires_at: Option<Timestamp>,
    /// Whether a failed payment may be retried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_retry_accepted: Option<bool>,
    /// The payment made on approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_payment: Option<AutomaticPixFirstPayment>,
    /// How often it pays.
    pub interval: AutomaticPixInterval,
    /// When failed payments are retried by themselves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automatic_retries_configuration: Option<AutomaticPixRetriesConfiguration>,
    /// Whether Pluggy schedules the payments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduler_configuration: Option<AutomaticPixSchedulerConfiguration>,
}

/// The body of `POST /payments/requests/automatic-pix`: a payment request asking the payer
/// for an Automatic Pix mandate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateAutomaticPixPaymentRequest {
    /// The amount of every payment, for fixed amounts.
    #[serde(
        default,
        with = "crate::models::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub fixed_amount: Option<Decimal>,
    /// The least a payment may be, for variable amounts.
    #[serde(
        default,
        with = "crate::models::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub minimum_variable_amount: Option<Decimal>,
    /// The most a payment may be, for variable amounts.
    #[serde(
        default,
        with = "crate::models::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub maximum_variable_amount: Option<Decimal>,
    /// The description shown to the payer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The first day the mandate may pay.
    pub start_date: Date,
    /// The last day of the mandate (none when `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Date>,
    /// Whether a failed payment may be retried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_retry_accepted: Option<bool>,
    /// A payment made on approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_payment: Option<AutomaticPixFirstPayment>,
    /// How often it pays.
    pub interval: AutomaticPixInterval,
    /// When failed payments are retried by themselves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automatic_retries_configuration: Option<AutomaticPixRetriesConfiguration>,
    /// Whether Pluggy schedules the payments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduler_configuration: Option<AutomaticPixSchedulerConfiguration>,
    /// Where the payer goes after the payment page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_urls: Option<PaymentCallbackUrls>,
    /// The recipient the payments go to.
    pub recipient_id: PaymentRecipientId,
    /// Your own reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_payment_id: Option<String>,
    /// The customer who pays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<PaymentCustomerId>,
    /// Whether it is a sandbox request. The document's schema leaves it out but its example
    /// sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_sandbox: Option<bool>,
}

impl CreateAutomaticPixPaymentRequest {
    /// A mandate paying `recipient_id` every `interval` from `start_date`; give its amounts
    /// with [`with_fixed_amount`](Self::with_fixed_amount) or
    /// [`with_variable_amounts`](Self::with_variable_amounts).
    pub fn new(
        recipient_id: PaymentRecipientId,
        interval: AutomaticPixInterval,
        start_date: Date,
    ) -> Self {
        Self {
            fixed_amount: None,
            minimum_variable_amount: None,
            maximum_variable_amount: None,
            description: None,
            start_date,
            expires_at: None,
            is_retry_accepted: None,
            first_payment: None,
            interval,
            automatic_retries_configuration: None,
            scheduler_configuration: None,
            callback_urls: None,
            recipient_id,
            client_payment_id: None,
            customer_id: None,
            is_sandbox: None,
        }
    }

    /// Every payment of this amount.
    pub fn with_fixed_amount(mut self, amount: Decimal) -> Self {
        self.fixed_amount = Some(amount);
        self
    }

    /// Payments of variable amounts, at most `maximum` (and at least `minimum`, if given).
    pub fn with_variable_amounts(mut self, minimum: Option<Decimal>, maximum: Decimal) -> Self {
        self.minimum_variable_amount = minimum;
        self.maximum_variable_amount = Some(maximum);
        self
    }

    /// Ending on this day.
    pub fn with_expiry(mut self, expires_at: Date) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// With a payment made on approval.
    pub fn with_first_payment(mut self, first: AutomaticPixFirstPayment) -> Self {
        self.first_payment = Some(first);
        self
    }

    /// With a description shown to the payer.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// Why an Automatic Pix payment or attempt failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutomaticPixErrorDetail {
    /// The error code.
    pub code: AutomaticPixErrorCode,
    /// What happened, in words.
    #[serde(default)]
    pub detail: String,
}

/// One attempt of an Automatic Pix payment (a retry makes another).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutomaticPixPaymentAttempt {
    /// The attempt's id.
    pub id: String,
    /// Where the attempt is.
    pub status: AutomaticPixPaymentAttemptStatus,
    /// The Pix end-to-end id, once sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_to_end_id: Option<String>,
    /// The day of the attempt.
    pub date: Date,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_detail: Option<AutomaticPixErrorDetail>,
}

/// A payment under an Automatic Pix mandate (`GET /payments/requests/{id}/automatic-pix/schedules`,
/// the answer of `POST …/automatic-pix/schedule`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutomaticPixPayment {
    /// The payment's id.
    pub id: AutomaticPixPaymentId,
    /// Where the payment is.
    pub status: AutomaticPixPaymentStatus,
    /// Its amount.
    #[serde(with = "crate::models::decimal")]
    pub amount: Decimal,
    /// Its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The day it pays.
    pub date: Date,
    /// The Pix end-to-end id once paid, or `null`.
    #[serde(default)]
    pub end_to_end_id: Option<String>,
    /// Why it failed, or `null`.
    #[serde(default)]
    pub error_detail: Option<AutomaticPixErrorDetail>,
    /// Your own reference, or `null`.
    #[serde(default)]
    pub client_payment_id: Option<String>,
    /// The recipient paid. The document requires it but its examples leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_id: Option<PaymentRecipientId>,
    /// Whether it is the mandate's first payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_first_payment: Option<bool>,
    /// Its attempts, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attempts: Vec<AutomaticPixPaymentAttempt>,
    /// Whether it is a sandbox payment (in the document's examples, not its schema).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_sandbox: Option<bool>,
}

/// One Automatic Pix payment with whether it reached its bank as scheduled
/// (`GET /payments/requests/{requestId}/automatic-pix/schedules/{paymentId}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutomaticPixPaymentDetail {
    /// The payment.
    #[serde(flatten)]
    pub payment: AutomaticPixPayment,
    /// Whether the payer's institution accepted the schedule (`SCHEDULED` was reached).
    #[serde(default)]
    pub scheduled_status_reached: bool,
}

/// The body of `POST /payments/requests/{id}/automatic-pix/schedule` (the document's
/// `ScheduleAutomaticPixPaymentRequest`): one payment under an authorized mandate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleAutomaticPixPayment {
    /// The amount (the mandate's fixed amount, or within its variable range).
    #[serde(with = "crate::models::decimal")]
    pub amount: Decimal,
    /// Its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The day it pays.
    pub date: Date,
    /// Your own reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_payment_id: Option<String>,
    /// Another of the mandate's recipients to pay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_id: Option<PaymentRecipientId>,
}

impl ScheduleAutomaticPixPayment {
    /// A payment of `amount` on `date`.
    pub fn new(amount: Decimal, date: Date) -> Self {
        Self {
            amount,
            description: None,
            date,
            client_payment_id: None,
            recipient_id: None,
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

/// The body of `POST /payments/requests/{id}/automatic-pix/schedules/{scheduleId}/retry`
/// (the document's `RetryAutomaticPixPaymentRequest`): when to try a failed payment again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryAutomaticPixPayment {
    /// The day of the new attempt.
    pub date: Date,
}

impl RetryAutomaticPixPayment {
    /// A retry on `date`.
    pub fn new(date: Date) -> Self {
        Self { date }
    }
}
