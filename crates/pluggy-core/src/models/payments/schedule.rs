//! The scheduled payments (Pix Agendado) of a payment request.

use serde::{Deserialize, Serialize};

use crate::ids::PaymentScheduleId;
use crate::models::Date;

crate::models::wire_enum!(
    /// Where one scheduled payment is. The document lists `SCHEDULED`, `COMPLETED` and
    /// `ERROR`; `CANCELED` is what a cancelled one shows (the `scheduled_payment/canceled`
    /// webhook).
    PaymentScheduleStatus {
        Scheduled = "SCHEDULED",
        Completed = "COMPLETED",
        Error = "ERROR",
        Canceled = "CANCELED",
    }
);

impl PaymentScheduleStatus {
    /// Whether the payment will not move any more (`COMPLETED`, `ERROR` or `CANCELED`).
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Completed | Self::Error | Self::Canceled)
    }
}

/// Why a scheduled payment failed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentScheduleErrorDetail {
    /// The error code (`INSUFFICIENT_BALANCE`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// What it means, in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The institution's words, in Portuguese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// One scheduled payment of a payment request (`GET /payments/requests/{id}/schedules`, the
/// document's `SchedulePayment`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentSchedule {
    /// The scheduled payment's id, which `…/schedules/{scheduleId}/cancel` takes.
    pub id: PaymentScheduleId,
    /// Its description (`PAGAMENTO AGENDADO 1/3`).
    #[serde(default)]
    pub description: String,
    /// Where it is.
    pub status: PaymentScheduleStatus,
    /// The day it pays.
    pub scheduled_date: Date,
    /// The Pix end-to-end id once paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_to_end_id: Option<String>,
    /// Why it failed, or `null`.
    #[serde(default)]
    pub error_detail: Option<PaymentScheduleErrorDetail>,
    /// Whether it is a sandbox payment (in the document's example, not its schema).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_sandbox: Option<bool>,
}
