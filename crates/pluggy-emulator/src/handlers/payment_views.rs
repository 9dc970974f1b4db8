//! Payment records as the API shows them, and the checks every payment handler shares
//! (amounts, dates, tax numbers) answering the API's 400 shape.

use pluggy_core::models::{
    AutomaticPixPayment, AutomaticPixPaymentDetail, Date, PaymentIntent, PaymentIntentDebtor,
    PaymentMethod, PaymentRequest, PaymentSchedule, is_valid_cnpj, is_valid_cpf,
};
use pluggy_core::{AutomaticPixPaymentId, PaymentIntentId, PaymentRecipientId, PaymentScheduleId};
use rust_decimal::Decimal;

use super::request::Ctx;
use super::views;
use crate::reply::{self, Reply};
use crate::world::clock::{Millis, ts};
use crate::world::payments::{self, AutoPixRec, IntentRec, Refusal, RequestRec, ScheduleRec};
use crate::world::state::State;

/// A refusal of the world's payment logic in the API's error shape.
pub(crate) fn refusal(r: Refusal) -> Reply {
    reply::error(r.status, r.code, r.message)
}

/// An amount the API accepts: above zero, in cents at most.
pub(crate) fn check_amount(name: &str, amount: Decimal) -> Result<(), Reply> {
    if amount <= Decimal::ZERO {
        return Err(reply::bad_request(format!("{name} must be greater than 0")));
    }
    if amount.normalize().scale() > 2 {
        return Err(reply::bad_request(format!(
            "{name} must have at most 2 decimal places"
        )));
    }
    Ok(())
}

/// Today on the emulator's clock (UTC).
pub(crate) fn today(now: Millis) -> time::Date {
    payments::day_of(now)
}

/// A date that is not before today.
pub(crate) fn check_not_past(name: &str, date: Date, now: Millis) -> Result<(), Reply> {
    if date.get() < today(now) {
        return Err(reply::bad_request(format!(
            "{name} must not be in the past ({date} is before {})",
            today(now)
        )));
    }
    Ok(())
}

/// A CPF, when one is given.
pub(crate) fn check_cpf(name: &str, cpf: Option<&str>) -> Result<(), Reply> {
    match cpf {
        Some(c) if !is_valid_cpf(c) => {
            Err(reply::bad_request(format!("{name} is not a valid CPF")))
        }
        _ => Ok(()),
    }
}

/// A CNPJ, when one is given.
pub(crate) fn check_cnpj(name: &str, cnpj: Option<&str>) -> Result<(), Reply> {
    match cnpj {
        Some(c) if !is_valid_cnpj(c) => {
            Err(reply::bad_request(format!("{name} is not a valid CNPJ")))
        }
        _ => Ok(()),
    }
}

/// The request as the API shows it.
pub(crate) fn request(r: &RequestRec) -> PaymentRequest {
    r.model.clone()
}

/// The intent as the API shows it, with its request and connector.
pub(crate) fn intent(ctx: &Ctx<'_>, st: &State, i: &IntentRec) -> PaymentIntent {
    let request = st
        .payments
        .request(&i.client_id, &i.request_id)
        .map(|r| Box::new(request(r)));
    PaymentIntent {
        id: PaymentIntentId::new(i.id.clone()),
        status: i.status.clone(),
        created_at: ts(i.created_at),
        updated_at: ts(i.updated_at),
        payment_request: request,
        connector: ctx.shared.connector(i.connector_id).map(views::connector),
        consent_url: Some(format!(
            "{}/__emulator/pay/{}",
            ctx.shared.base_url, i.request_id
        )),
        reference_id: i.end_to_end_id.clone(),
        payment_method: Some(PaymentMethod::Pix),
        pix_data: None,
        debtor: Some(PaymentIntentDebtor {
            name: i.payer_name.clone(),
            tax_number: i.payer_cnpj.clone().or_else(|| i.payer_cpf.clone()),
            bank_account: None,
        }),
        error_detail: i.error.clone(),
    }
}

/// A scheduled payment as the API shows it.
pub(crate) fn schedule(st: &State, s: &ScheduleRec) -> PaymentSchedule {
    let description = st
        .payments
        .requests
        .iter()
        .find(|r| r.model.id.as_str() == s.request_id)
        .and_then(|r| r.model.description.clone())
        .unwrap_or_default();
    PaymentSchedule {
        id: PaymentScheduleId::new(s.id.clone()),
        description,
        status: s.status.clone(),
        scheduled_date: s.date,
        end_to_end_id: s.end_to_end_id.clone(),
        error_detail: None,
        is_sandbox: Some(true),
    }
}

/// An Automatic Pix payment as the API lists it.
pub(crate) fn auto_pix(a: &AutoPixRec) -> AutomaticPixPayment {
    AutomaticPixPayment {
        id: AutomaticPixPaymentId::new(a.id.clone()),
        status: a.status.clone(),
        amount: a.amount,
        description: a.description.clone(),
        date: a.date,
        end_to_end_id: a.end_to_end_id.clone(),
        error_detail: (a.status == pluggy_core::models::AutomaticPixPaymentStatus::Error).then(
            || pluggy_core::models::AutomaticPixErrorDetail {
                code: pluggy_core::models::AutomaticPixErrorCode::SaldoInsuficiente,
                detail: "Insufficient funds".to_owned(),
            },
        ),
        client_payment_id: a.client_payment_id.clone(),
        recipient_id: a.recipient_id.clone().map(PaymentRecipientId::new),
        is_first_payment: Some(a.is_first_payment),
        attempts: Vec::new(),
        is_sandbox: Some(true),
    }
}

/// An Automatic Pix payment as the API shows one.
pub(crate) fn auto_pix_detail(a: &AutoPixRec) -> AutomaticPixPaymentDetail {
    AutomaticPixPaymentDetail {
        payment: auto_pix(a),
        scheduled_status_reached: a.reached_scheduled,
    }
}
