//! Payment intents: one attempt to pay a payment request, through an Open Finance consent at
//! the payer's bank.

use serde::{Deserialize, Serialize};

use super::PaymentRequest;
use crate::Timestamp;
use crate::ids::{ConnectorId, PaymentIntentId, PaymentRequestId};
use crate::models::Connector;

crate::models::wire_enum!(
    /// Where a payment intent is, through the consent and the settlement.
    ///
    /// The document's list, plus `EXPIRED` and `PAYMENT_TIMEOUT` (final statuses in Pluggy's
    /// payment intent lifecycle page, <https://docs.pluggy.ai/docs/payment-intent-statuses>)
    /// and `PAYMENT_WAITING_CONFIRMATION`.
    PaymentIntentStatus {
        Started = "STARTED",
        Enqueued = "ENQUEUED",
        ConsentAwaitingAuthorization = "CONSENT_AWAITING_AUTHORIZATION",
        ConsentAuthorized = "CONSENT_AUTHORIZED",
        ConsentRejected = "CONSENT_REJECTED",
        PaymentPending = "PAYMENT_PENDING",
        PaymentPartiallyAccepted = "PAYMENT_PARTIALLY_ACCEPTED",
        PaymentSettlementProcessing = "PAYMENT_SETTLEMENT_PROCESSING",
        PaymentSettlementDebtorAccount = "PAYMENT_SETTLEMENT_DEBTOR_ACCOUNT",
        PaymentWaitingConfirmation = "PAYMENT_WAITING_CONFIRMATION",
        PaymentCompleted = "PAYMENT_COMPLETED",
        PaymentRejected = "PAYMENT_REJECTED",
        PaymentTimeout = "PAYMENT_TIMEOUT",
        Rejected = "REJECTED",
        Error = "ERROR",
        Expired = "EXPIRED",
        Canceled = "CANCELED",
        Revoked = "REVOKED",
        Consumed = "CONSUMED",
    }
);

impl PaymentIntentStatus {
    /// Whether the intent has ended: `PAYMENT_COMPLETED`, or one of the failures
    /// `CONSENT_REJECTED`, `PAYMENT_REJECTED`, `REJECTED`, `ERROR`, `CANCELED`, `EXPIRED`,
    /// `PAYMENT_TIMEOUT`, `REVOKED`.
    ///
    /// Pluggy's lifecycle page names the final statuses `PAYMENT_COMPLETED`,
    /// `CONSENT_REJECTED`, `PAYMENT_REJECTED`, `ERROR`, `CANCELED`, `EXPIRED` and
    /// `PAYMENT_TIMEOUT`; `REJECTED` and `REVOKED` are taken as failures too. Everything else
    /// (including `CONSUMED`, a consent that was used and whose payment goes on, and any
    /// value this version does not know) is still in progress.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::PaymentCompleted
                | Self::ConsentRejected
                | Self::PaymentRejected
                | Self::Rejected
                | Self::Error
                | Self::Canceled
                | Self::Expired
                | Self::PaymentTimeout
                | Self::Revoked
        )
    }

    /// Whether the intent paid: `PAYMENT_COMPLETED`, the credit made at the recipient's
    /// account. The only final status that is a success.
    pub fn is_success(&self) -> bool {
        matches!(self, Self::PaymentCompleted)
    }

    /// Whether the intent ended without paying (final and not a success).
    pub fn is_failure(&self) -> bool {
        self.is_final() && !self.is_success()
    }
}

crate::models::wire_enum!(
    /// How an intent pays: `PIS` (Open Finance payment initiation) or `PIX` (a Pix QR code the
    /// payer pays themselves).
    PaymentMethod {
        Pis = "PIS",
        Pix = "PIX",
    }
);

crate::models::wire_enum!(
    /// Why a payment intent failed. Most are the Open Finance codes in Portuguese, as the API
    /// writes them (`SALDO_INSUFICIENTE` is insufficient balance, `REJEITADO_USUARIO` the
    /// payer declined).
    PaymentIntentErrorCode {
        TempoExpiradoAutorizacao = "TEMPO_EXPIRADO_AUTORIZACAO",
        ConnectionError = "CONNECTION_ERROR",
        ValorAcimaLimite = "VALOR_ACIMA_LIMITE",
        FalhaInfraestruturaDetentora = "FALHA_INFRAESTRUTURA_DETENTORA",
        FalhaInfraestruturaDetentoraCallbackHybridFlow = "FALHA_INFRAESTRUTURA_DETENTORA_CALLBACK_HYBRID_FLOW",
        SaldoInsuficiente = "SALDO_INSUFICIENTE",
        ContasOrigemDestinoIguais = "CONTAS_ORIGEM_DESTINO_IGUAIS",
        ExpiredPaymentInitiation = "EXPIRED_PAYMENT_INITIATION",
        DataPagamentoInvalida = "DATA_PAGAMENTO_INVALIDA",
        ConsentimentoPendenteAutorizacao = "CONSENTIMENTO_PENDENTE_AUTORIZACAO",
        TempoExpiradoConsumo = "TEMPO_EXPIRADO_CONSUMO",
        PaymentIntentInvalidCpf = "PAYMENT_INTENT_INVALID_CPF",
        PaymentIntentInvalidCnpj = "PAYMENT_INTENT_INVALID_CNPJ",
        FalhaAgendamentoPagamentos = "FALHA_AGENDAMENTO_PAGAMENTOS",
        PagamentoDivergenteConsentimento = "PAGAMENTO_DIVERGENTE_CONSENTIMENTO",
        ContaNaoPermitePagamento = "CONTA_NAO_PERMITE_PAGAMENTO",
        RejeitadoUsuario = "REJEITADO_USUARIO",
        TimeoutConsentimento = "TIMEOUT_CONSENTIMENTO",
        PagamentoRecusadoSpi = "PAGAMENTO_RECUSADO_SPI",
        RevogadoRecebedor = "REVOGADO_RECEBEDOR",
        NaoInformado = "NAO_INFORMADO",
        AutenticacaoDivergente = "AUTENTICACAO_DIVERGENTE",
        TitularidadeInconsistente = "TITULARIDADE_INCONSISTENTE",
        PagamentoRecusadoDetentora = "PAGAMENTO_RECUSADO_DETENTORA",    }
);

/// Why a payment intent failed (`errorDetail`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentIntentErrorDetail {
    /// The error code.
    pub code: PaymentIntentErrorCode,
    /// The institution's code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_code: Option<String>,
    /// The institution's title for the error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_title: Option<String>,
    /// The institution's explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_detail: Option<String>,
}

/// The Pix QR code of an intent paid by Pix (`pixData`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PixData {
    /// The code's text ("copia e cola").
    pub value: String,
    /// The code as an image (base64).
    pub qr: String,
}

/// The account the payer paid from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentIntentDebtorAccount {
    /// The branch, or `null`.
    #[serde(default)]
    pub agency: Option<String>,
    /// The account number, or `null`.
    #[serde(default)]
    pub account: Option<String>,
    /// The institution's name, or `null`.
    #[serde(default)]
    pub name: Option<String>,
}

/// Who paid (`debtor`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentIntentDebtor {
    /// The payer's name, or `null`.
    #[serde(default)]
    pub name: Option<String>,
    /// The payer's CPF or CNPJ, or `null`.
    #[serde(default)]
    pub tax_number: Option<String>,
    /// The account paid from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_account: Option<PaymentIntentDebtorAccount>,
}

/// A payment intent (`GET /payments/intents/{id}`, `GET /payments/intents?paymentRequestId=`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentIntent {
    /// The intent's id.
    pub id: PaymentIntentId,
    /// Where it is.
    pub status: PaymentIntentStatus,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// The request it pays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_request: Option<Box<PaymentRequest>>,
    /// The payer's institution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector: Option<Connector>,
    /// Where the payer authorizes the consent, at their bank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_url: Option<String>,
    /// The institution's reference for the payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_id: Option<String>,
    /// How it pays (the API's default is `PIS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<PaymentMethod>,
    /// The Pix QR code, for `PIX`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pix_data: Option<PixData>,
    /// Who paid, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debtor: Option<PaymentIntentDebtor>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_detail: Option<PaymentIntentErrorDetail>,
}

/// Who pays, for a new intent: the payer's tax number at their bank (the document's
/// `PaymentIntentParameter`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentIntentParameters {
    /// The payer's CPF.
    pub cpf: String,
    /// The company's CNPJ, for a business account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnpj: Option<String>,
    /// The payer's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl PaymentIntentParameters {
    /// A payer with this CPF.
    pub fn cpf(cpf: impl Into<String>) -> Self {
        Self {
            cpf: cpf.into(),
            cnpj: None,
            name: None,
        }
    }
}

/// The body of `POST /payments/intents`: start paying a request at one institution (what the
/// payment page does when the payer picks their bank).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePaymentIntent {
    /// The request to pay.
    pub payment_request_id: PaymentRequestId,
    /// Who pays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<PaymentIntentParameters>,
    /// The payer's institution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<ConnectorId>,
    /// How to pay (`PIS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<PaymentMethod>,
    /// Whether to pay with a dynamic Pix QR code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_dynamic_pix: Option<bool>,
    /// Whether it is a sandbox intent. The document's schema leaves it out but its example
    /// sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_sandbox: Option<bool>,
}

impl CreatePaymentIntent {
    /// An intent paying this request.
    pub fn new(payment_request_id: PaymentRequestId) -> Self {
        Self {
            payment_request_id,
            parameters: None,
            connector_id: None,
            payment_method: None,
            is_dynamic_pix: None,
            is_sandbox: None,
        }
    }

    /// Paid at this institution by this payer.
    pub fn with_payer(
        mut self,
        connector_id: ConnectorId,
        parameters: PaymentIntentParameters,
    ) -> Self {
        self.connector_id = Some(connector_id);
        self.parameters = Some(parameters);
        self
    }
}
