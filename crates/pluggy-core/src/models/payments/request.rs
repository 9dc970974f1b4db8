//! Payment requests: an amount asked of a payer for a recipient, with the payment page the
//! payer opens, and what they carry (schedules, boleto, smart account).

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{AutomaticPix, PaymentCustomer, PaymentRecipient};
use crate::Timestamp;
use crate::http::Call;
use crate::ids::{PaymentCustomerId, PaymentRecipientId, PaymentRequestId};
use crate::models::Date;

crate::models::wire_enum!(
    /// Where a payment request is. It follows its latest payment intent: `IN_PROGRESS` while
    /// the payer is at their bank, `COMPLETED` once paid, back to `CREATED` after a failed
    /// attempt; `SCHEDULED` for scheduled payments and `AUTHORIZED` for an Automatic Pix
    /// mandate the payer approved.
    PaymentRequestStatus {
        Created = "CREATED",
        InProgress = "IN_PROGRESS",
        WaitingPayerAuthorization = "WAITING_PAYER_AUTHORIZATION",
        Authorized = "AUTHORIZED",
        Scheduled = "SCHEDULED",
        Completed = "COMPLETED",
        Error = "ERROR",
        RefundInProgress = "REFUND_IN_PROGRESS",
        Refunded = "REFUNDED",
        RefundError = "REFUND_ERROR",
        Expired = "EXPIRED",
        Canceled = "CANCELED",
    }
);

impl PaymentRequestStatus {
    /// Whether the request will not move any more: `COMPLETED`, `ERROR`, `EXPIRED`,
    /// `CANCELED`, `REFUNDED` or `REFUND_ERROR`. `SCHEDULED` and `AUTHORIZED` are not final
    /// (the schedules or the mandate still pay, and may be cancelled); nor is a value this
    /// version does not know.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Completed
                | Self::Error
                | Self::Expired
                | Self::Canceled
                | Self::Refunded
                | Self::RefundError
        )
    }

    /// Whether the request was paid (`COMPLETED`).
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Completed)
    }
}

crate::models::wire_enum!(
    /// A day of the week, for a weekly schedule.
    DayOfWeek {
        Monday = "MONDAY",
        Tuesday = "TUESDAY",
        Wednesday = "WEDNESDAY",
        Thursday = "THURSDAY",
        Friday = "FRIDAY",
        Saturday = "SATURDAY",
        Sunday = "SUNDAY",
    }
);

/// When a scheduled payment request (Pix Agendado) pays: the document's `schedule`, one of
/// `SINGLE`, `DAILY`, `WEEKLY`, `MONTHLY` or `CUSTOM` by its `type`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum PaymentSchedulePlan {
    /// Once, on `date`.
    Single {
        /// The day of the payment.
        date: Date,
    },
    /// Every day from `start_date`, `occurrences` times (3 to 59).
    Daily {
        /// The day of the first payment.
        start_date: Date,
        /// How many payments.
        occurrences: u32,
    },
    /// Every week on `day_of_week` from `start_date`, `occurrences` times (3 to 59).
    Weekly {
        /// The first day a payment may fall on.
        start_date: Date,
        /// The day of the week the payments fall on.
        day_of_week: DayOfWeek,
        /// How many payments.
        occurrences: u32,
    },
    /// Every month on `day_of_month` (1 to 30) from `start_date`, `occurrences` times (3 to 23).
    Monthly {
        /// The first day a payment may fall on.
        start_date: Date,
        /// The day of the month the payments fall on.
        day_of_month: u32,
        /// How many payments.
        occurrences: u32,
    },
    /// On each of `dates`.
    Custom {
        /// The days of the payments.
        dates: Vec<Date>,
        /// A note shown with the payments.
        additional_information: Option<String>,
    },
    /// A kind of schedule this version does not know, kept as the API wrote it.
    Unknown(serde_json::Value),
}

/// The known schedule shapes, as the wire writes them.
#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
enum WirePlan {
    Single {
        date: Date,
    },
    #[serde(rename_all = "camelCase")]
    Daily {
        start_date: Date,
        occurrences: u32,
    },
    #[serde(rename_all = "camelCase")]
    Weekly {
        start_date: Date,
        day_of_week: DayOfWeek,
        occurrences: u32,
    },
    #[serde(rename_all = "camelCase")]
    Monthly {
        start_date: Date,
        day_of_month: u32,
        occurrences: u32,
    },
    #[serde(rename_all = "camelCase")]
    Custom {
        dates: Vec<Date>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        additional_information: Option<String>,
    },
}

impl PaymentSchedulePlan {
    /// The `type` the API writes for this schedule.
    pub fn kind(&self) -> &str {
        match self {
            Self::Single { .. } => "SINGLE",
            Self::Daily { .. } => "DAILY",
            Self::Weekly { .. } => "WEEKLY",
            Self::Monthly { .. } => "MONTHLY",
            Self::Custom { .. } => "CUSTOM",
            Self::Unknown(v) => v.get("type").and_then(|t| t.as_str()).unwrap_or(""),
        }
    }
}

impl Serialize for PaymentSchedulePlan {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let wire = match self.clone() {
            Self::Single { date } => WirePlan::Single { date },
            Self::Daily {
                start_date,
                occurrences,
            } => WirePlan::Daily {
                start_date,
                occurrences,
            },
            Self::Weekly {
                start_date,
                day_of_week,
                occurrences,
            } => WirePlan::Weekly {
                start_date,
                day_of_week,
                occurrences,
            },
            Self::Monthly {
                start_date,
                day_of_month,
                occurrences,
            } => WirePlan::Monthly {
                start_date,
                day_of_month,
                occurrences,
            },
            Self::Custom {
                dates,
                additional_information,
            } => WirePlan::Custom {
                dates,
                additional_information,
            },
            Self::Unknown(v) => return v.serialize(s),
        };
        wire.serialize(s)
    }
}

impl<'de> Deserialize<'de> for PaymentSchedulePlan {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        let known = matches!(
            value.get("type").and_then(|t| t.as_str()),
            Some("SINGLE" | "DAILY" | "WEEKLY" | "MONTHLY" | "CUSTOM")
        );
        if !known {
            return Ok(Self::Unknown(value));
        }
        let wire = WirePlan::deserialize(value).map_err(serde::de::Error::custom)?;
        Ok(match wire {
            WirePlan::Single { date } => Self::Single { date },
            WirePlan::Daily {
                start_date,
                occurrences,
            } => Self::Daily {
                start_date,
                occurrences,
            },
            WirePlan::Weekly {
                start_date,
                day_of_week,
                occurrences,
            } => Self::Weekly {
                start_date,
                day_of_week,
                occurrences,
            },
            WirePlan::Monthly {
                start_date,
                day_of_month,
                occurrences,
            } => Self::Monthly {
                start_date,
                day_of_month,
                occurrences,
            },
            WirePlan::Custom {
                dates,
                additional_information,
            } => Self::Custom {
                dates,
                additional_information,
            },
        })
    }
}

/// Where the payer's browser goes after the payment page (`callbackUrls`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentCallbackUrls {
    /// After a successful payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success: Option<String>,
    /// While the payment is still pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<String>,
    /// After a failed payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Whom a payment request pays: the document's `PaymentRequestRecipient`, one of three shapes
/// by its `type`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum PaymentRequestRecipient {
    /// A recipient of yours (`BANK_ACCOUNT`).
    BankAccount(Box<PaymentRecipient>),
    /// The receiver of a Pix QR code (`PIX_QR_CODE`), for `POST /payments/requests/pix-qr`.
    PixQrCode {
        /// The receiver's name, from the code.
        name: Option<String>,
    },
    /// The beneficiary of a boleto (`BOLETO`).
    Boleto {
        /// The beneficiary's name.
        name: Option<String>,
        /// The beneficiary's CPF or CNPJ.
        tax_number: Option<String>,
    },
    /// A shape this version does not know, kept as the API wrote it.
    Unknown(serde_json::Value),
}

impl PaymentRequestRecipient {
    /// The recipient, when it is one of yours (`BANK_ACCOUNT`).
    pub fn as_bank_account(&self) -> Option<&PaymentRecipient> {
        match self {
            Self::BankAccount(r) => Some(r),
            _ => None,
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireOtherRecipient {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tax_number: Option<String>,
}

impl Serialize for PaymentRequestRecipient {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::BankAccount(r) => r.serialize(s),
            Self::PixQrCode { name } => WireOtherRecipient {
                kind: "PIX_QR_CODE".into(),
                name: name.clone(),
                tax_number: None,
            }
            .serialize(s),
            Self::Boleto { name, tax_number } => WireOtherRecipient {
                kind: "BOLETO".into(),
                name: name.clone(),
                tax_number: tax_number.clone(),
            }
            .serialize(s),
            Self::Unknown(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for PaymentRequestRecipient {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let value = serde_json::Value::deserialize(d)?;
        let kind = value
            .get("type")
            .and_then(|t| t.as_str())
            .map(str::to_owned);
        match kind.as_deref() {
            // A recipient without `type` that has an id is one of yours.
            Some("BANK_ACCOUNT") | None if value.get("id").is_some() => {
                PaymentRecipient::deserialize(value)
                    .map(|r| Self::BankAccount(Box::new(r)))
                    .map_err(D::Error::custom)
            }
            Some("PIX_QR_CODE") => {
                let w = WireOtherRecipient::deserialize(value).map_err(D::Error::custom)?;
                Ok(Self::PixQrCode { name: w.name })
            }
            Some("BOLETO") => {
                let w = WireOtherRecipient::deserialize(value).map_err(D::Error::custom)?;
                Ok(Self::Boleto {
                    name: w.name,
                    tax_number: w.tax_number,
                })
            }
            _ => Ok(Self::Unknown(value)),
        }
    }
}

/// The payer or the beneficiary of a boleto a payment request pays (the document's
/// `BoletoPayer` and `BoletoRecipient`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRequestBoletoParty {
    /// Their CPF or CNPJ.
    #[serde(default)]
    pub tax_number: String,
    /// Their name.
    #[serde(default)]
    pub name: String,
}

/// The boleto a payment request pays (the document's `Boleto`; an issued boleto of yours is
/// [`Boleto`](super::Boleto)).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRequestBoleto {
    /// The typeable line (linha digitável).
    #[serde(default)]
    pub digitable_line: String,
    /// The barcode digits.
    #[serde(default)]
    pub barcode: String,
    /// Who owes the boleto.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer: Option<PaymentRequestBoletoParty>,
    /// Who receives the payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<PaymentRequestBoletoParty>,
    /// When the boleto was issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// When it is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<Date>,
    /// The last day it may be paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<Date>,
    /// The face amount.
    #[serde(with = "crate::models::decimal")]
    pub base_amount: Decimal,
    /// The late-payment penalty.
    #[serde(default, with = "crate::models::decimal")]
    pub penalty_amount: Decimal,
    /// The late-payment interest.
    #[serde(
        default,
        with = "crate::models::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub interest_amount: Option<Decimal>,
    /// The discount.
    #[serde(default, with = "crate::models::decimal")]
    pub discount_amount: Decimal,
    /// What is paid: base plus penalty and interest, minus discount.
    #[serde(with = "crate::models::decimal")]
    pub total_amount: Decimal,
    /// When these amounts were computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
}

/// The account Pluggy opened for you to receive payments (`smartAccount`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmartAccount {
    /// The account's id.
    pub id: String,
    /// The branch.
    #[serde(default)]
    pub agency: String,
    /// The account number.
    #[serde(default)]
    pub number: String,
    /// The account number's check digit.
    #[serde(default)]
    pub verifying_digit: String,
    /// The kind of account, `CHECKING_ACCOUNT` (`type` on the wire).
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Whether it is a sandbox account.
    #[serde(default)]
    pub is_sandbox: bool,
    /// The holder's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The account's Pix key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pix_key: Option<String>,
}

/// Why a payment request failed (`errorDetail`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRequestErrorDetail {
    /// The error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The institution's message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_message: Option<String>,
}

/// A payment request (`GET /payments/requests/{id}`, the answer of each create).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRequest {
    /// The request's id.
    pub id: PaymentRequestId,
    /// The amount asked, in BRL (an Automatic Pix request has none: its payments carry theirs).
    #[serde(
        default,
        with = "crate::models::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
    /// Pluggy's fees for the payment, or `null`.
    #[serde(default, with = "crate::models::decimal_opt")]
    pub fees: Option<Decimal>,
    /// The description shown to the payer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where the request is.
    pub status: PaymentRequestStatus,
    /// Your own reference for the payment, or `null`.
    #[serde(default)]
    pub client_payment_id: Option<String>,
    /// When the request was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// Where the payer goes after the payment page, or `null`.
    #[serde(default)]
    pub callback_urls: Option<PaymentCallbackUrls>,
    /// Whom the request pays, or `null`.
    #[serde(default)]
    pub recipient: Option<PaymentRequestRecipient>,
    /// Who pays, or `null`.
    #[serde(default)]
    pub customer: Option<PaymentCustomer>,
    /// The smart account that receives, or `null`.
    #[serde(default)]
    pub smart_account: Option<SmartAccount>,
    /// The payment page the payer opens.
    #[serde(default)]
    pub payment_url: String,
    /// The Pix QR code the request pays (`/payments/requests/pix-qr`), or `null`.
    #[serde(default)]
    pub pix_qr_code: Option<String>,
    /// The boleto the request pays, or `null`.
    #[serde(default)]
    pub boleto: Option<PaymentRequestBoleto>,
    /// The Automatic Pix mandate the request asks for, or `null`.
    #[serde(default)]
    pub automatic_pix: Option<AutomaticPix>,
    /// When a scheduled request pays (Pix Agendado), or `null`.
    #[serde(default)]
    pub schedule: Option<PaymentSchedulePlan>,
    /// Why the request failed, or `null`.
    #[serde(default)]
    pub error_detail: Option<PaymentRequestErrorDetail>,
    /// Whether it is a sandbox request (no real money moves).
    #[serde(default)]
    pub is_sandbox: bool,
}

/// The body of `POST /payments/requests`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePaymentRequest {
    /// The amount to ask, in BRL.
    #[serde(with = "crate::models::decimal")]
    pub amount: Decimal,
    /// The description shown to the payer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where the payer goes after the payment page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_urls: Option<PaymentCallbackUrls>,
    /// The recipient to pay (your default recipient when `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_id: Option<PaymentRecipientId>,
    /// The customer who pays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<PaymentCustomerId>,
    /// Your own reference for the payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_payment_id: Option<String>,
    /// When to pay, for a scheduled payment (Pix Agendado); at once when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<PaymentSchedulePlan>,
    /// Whether it is a sandbox request (the API's default is `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_sandbox: Option<bool>,
}

impl CreatePaymentRequest {
    /// A request for this amount, to your default recipient, paid at once.
    pub fn new(amount: Decimal) -> Self {
        Self {
            amount,
            description: None,
            callback_urls: None,
            recipient_id: None,
            customer_id: None,
            client_payment_id: None,
            schedule: None,
            is_sandbox: None,
        }
    }

    /// With a description shown to the payer.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Paying this recipient.
    pub fn with_recipient(mut self, recipient_id: PaymentRecipientId) -> Self {
        self.recipient_id = Some(recipient_id);
        self
    }

    /// Paid by this customer.
    pub fn with_customer(mut self, customer_id: PaymentCustomerId) -> Self {
        self.customer_id = Some(customer_id);
        self
    }

    /// With your own reference for the payment.
    pub fn with_client_payment_id(mut self, id: impl Into<String>) -> Self {
        self.client_payment_id = Some(id.into());
        self
    }

    /// With these callback URLs.
    pub fn with_callback_urls(mut self, urls: PaymentCallbackUrls) -> Self {
        self.callback_urls = Some(urls);
        self
    }

    /// Scheduled (Pix Agendado).
    pub fn with_schedule(mut self, schedule: PaymentSchedulePlan) -> Self {
        self.schedule = Some(schedule);
        self
    }

    /// As a sandbox request, or not.
    pub fn with_sandbox(mut self, is_sandbox: bool) -> Self {
        self.is_sandbox = Some(is_sandbox);
        self
    }
}

/// The body of `PATCH /payments/requests/{id}`: only the fields given change.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdatePaymentRequest {
    /// A new amount.
    #[serde(
        default,
        with = "crate::models::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
    /// A new description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New callback URLs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_urls: Option<PaymentCallbackUrls>,
    /// A new recipient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_id: Option<PaymentRecipientId>,
    /// A new customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<PaymentCustomerId>,
    /// A new reference of yours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_payment_id: Option<String>,
    /// Sandbox or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_sandbox: Option<bool>,
}

/// The body of `POST /payments/requests/pix-qr`: a request that pays a Pix QR code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePixQrPaymentRequest {
    /// The Pix QR code's text (BR Code, "copia e cola").
    pub pix_qr_code: String,
    /// Where the payer goes after the payment page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_urls: Option<PaymentCallbackUrls>,
    /// The customer who pays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<PaymentCustomerId>,
    /// Whether it is a sandbox request (the API's default is `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_sandbox: Option<bool>,
}

impl CreatePixQrPaymentRequest {
    /// A request paying this Pix QR code.
    pub fn new(pix_qr_code: impl Into<String>) -> Self {
        Self {
            pix_qr_code: pix_qr_code.into(),
            callback_urls: None,
            customer_id: None,
            is_sandbox: None,
        }
    }
}

/// Filters of `GET /payments/requests`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaymentRequestFilters {
    /// The page to fetch, from 1.
    pub page: Option<u32>,
    /// How many requests per page.
    pub page_size: Option<u32>,
    /// Only requests created on or after this day.
    pub from: Option<Date>,
    /// Only requests created on or before this day.
    pub to: Option<Date>,
    /// Only requests of this customer.
    pub customer: Option<String>,
    /// Only requests to this Pix key.
    pub pix_key: Option<String>,
    /// Only requests in this status.
    pub status: Option<PaymentRequestStatus>,
}

impl PaymentRequestFilters {
    /// Adds these filters to a call of `GET /payments/requests`.
    pub fn apply(&self, call: Call) -> Call {
        super::page_query(call, self.page, self.page_size)
            .query_opt("from", self.from.map(|d| d.to_string()))
            .query_opt("to", self.to.map(|d| d.to_string()))
            .query_opt("customer", self.customer.clone())
            .query_opt("pixKey", self.pix_key.clone())
            .query_opt("status", self.status.as_ref().map(|s| s.to_string()))
    }
}
