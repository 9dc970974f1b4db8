//! Payments: customers (payers), recipients and their institutions, payment requests with
//! their schedules (Pix Agendado) and Automatic Pix mandates, payment intents, smart transfers
//! and boletos.
//!
//! A **recipient** is the account that receives; a **customer** is the payer; a **payment
//! request** asks an amount for a recipient and carries the `paymentUrl` the payer opens; a
//! **payment intent** is one attempt to pay a request, through an Open Finance consent. The
//! tax numbers and Pix keys here are plain strings as the API writes them; [`is_valid_cpf`],
//! [`is_valid_cnpj`] and [`pix_key_kind`] check them.

mod automatic_pix;
mod boleto;
mod customer;
mod intent;
mod recipient;
mod request;
mod schedule;
mod smart_transfer;
mod tax;

pub use automatic_pix::{
    AutomaticPix, AutomaticPixErrorCode, AutomaticPixErrorDetail, AutomaticPixFirstPayment,
    AutomaticPixInterval, AutomaticPixPayment, AutomaticPixPaymentAttempt,
    AutomaticPixPaymentAttemptStatus, AutomaticPixPaymentDetail, AutomaticPixPaymentStatus,
    AutomaticPixRetriesConfiguration, AutomaticPixSchedulerConfiguration,
    CreateAutomaticPixPaymentRequest, RetryAutomaticPixPayment, ScheduleAutomaticPixPayment,
};
pub use boleto::{
    Boleto, BoletoConnection, BoletoCredentials, BoletoFine, BoletoFineType, BoletoInterest,
    BoletoInterestType, BoletoPayer, BoletoPaymentOrigin, BoletoStatus, BoletoToIssue,
    BoletoToIssuePayer, CreateBoleto, CreateBoletoConnection, CreateBoletoConnectionFromItem,
};
pub use customer::{
    CreatePaymentCustomer, PaymentCustomer, PaymentCustomerFilters, PaymentCustomerType,
    UpdatePaymentCustomer,
};
pub use intent::{
    CreatePaymentIntent, PaymentIntent, PaymentIntentDebtor, PaymentIntentDebtorAccount,
    PaymentIntentErrorCode, PaymentIntentErrorDetail, PaymentIntentParameters, PaymentIntentStatus,
    PaymentMethod, PixData,
};
pub use recipient::{
    CreatePaymentRecipient, PaymentInstitution, PaymentInstitutionFilters, PaymentRecipient,
    PaymentRecipientAccount, PaymentRecipientAccountType, PaymentRecipientFilters,
    UpdatePaymentRecipient,
};
pub use request::{
    CreatePaymentRequest, CreatePixQrPaymentRequest, DayOfWeek, PaymentCallbackUrls,
    PaymentRequest, PaymentRequestBoleto, PaymentRequestBoletoParty, PaymentRequestErrorDetail,
    PaymentRequestFilters, PaymentRequestRecipient, PaymentRequestStatus, PaymentSchedulePlan,
    SmartAccount, UpdatePaymentRequest,
};
pub use schedule::{PaymentSchedule, PaymentScheduleErrorDetail, PaymentScheduleStatus};
pub use smart_transfer::{
    CreateSmartTransferPayment, CreateSmartTransferPreauthorization, SmartTransferCallbackUrls,
    SmartTransferErrorDetail, SmartTransferPayment, SmartTransferPaymentErrorCode,
    SmartTransferPaymentErrorDetail, SmartTransferPaymentFilters, SmartTransferPaymentStatus,
    SmartTransferPeriodicLimit, SmartTransferPeriodicLimits, SmartTransferPreauthorization,
    SmartTransferPreauthorizationConfiguration, SmartTransferPreauthorizationFilters,
    SmartTransferPreauthorizationParameters, SmartTransferPreauthorizationStatus,
};
pub use tax::{
    PixKeyKind, is_valid_cnpj, is_valid_cpf, is_valid_pix_key, is_valid_tax_number, pix_key_kind,
};

use crate::http::Call;

/// Adds the `page` and `pageSize` query parameters of a page-style list.
fn page_query(call: Call, page: Option<u32>, page_size: Option<u32>) -> Call {
    call.query_opt("page", page.map(|p| p.to_string()))
        .query_opt("pageSize", page_size.map(|p| p.to_string()))
}
