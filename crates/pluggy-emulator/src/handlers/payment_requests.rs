//! Payment requests (Pix, Pix QR and Automatic Pix mandates), their scheduled payments
//! (Pix Agendado), their Automatic Pix payments and their intents.

use pluggy_core::PaymentRequestId;
use pluggy_core::models::{
    AutomaticPix, CreateAutomaticPixPaymentRequest, CreatePaymentIntent, CreatePaymentRequest,
    CreatePixQrPaymentRequest, Date, PaymentRequest, PaymentRequestRecipient, PaymentRequestStatus,
    PaymentSchedulePlan, RetryAutomaticPixPayment, ScheduleAutomaticPixPayment,
    UpdatePaymentRequest,
};
use rust_decimal::Decimal;
use serde_json::json;
use time::Duration;

use super::payment_parties::{customer_of, recipient_of};
use super::payment_views::{
    self as pv, check_amount, check_cnpj, check_cpf, check_not_past, refusal, today,
};
use super::request::{Ctx, body_object, opt_webhook_url, page_json, paging, parse_body, skipped};
use crate::reply::{self, Reply};
use crate::world::clock::ts;
use crate::world::payments::{
    self, AutoPixRec, NewIntent, RequestKind, RequestRec, request_not_found,
};
use crate::world::state::State;

/// The most dates a schedule may have (Pix Agendado recurring payments go up to 60).
const MAX_OCCURRENCES: u32 = 60;

fn to_date(d: time::Date) -> Date {
    Date::from_ymd(d.year(), u8::from(d.month()), d.day())
        .unwrap_or_else(|| unreachable!("a time::Date is a valid date"))
}

/// The dates of a schedule plan, each between tomorrow and a year from today (scheduled Pix
/// payments are for a later day, up to 365 days ahead).
fn schedule_dates(plan: &PaymentSchedulePlan, now: i64) -> Result<Vec<Date>, Reply> {
    let first_allowed = today(now) + Duration::days(1);
    let last_allowed = today(now) + Duration::days(365);
    let in_range = |d: time::Date| -> Result<time::Date, Reply> {
        if d < first_allowed || d > last_allowed {
            Err(reply::bad_request(format!(
                "schedule date {d} must be between {first_allowed} and {last_allowed}"
            )))
        } else {
            Ok(d)
        }
    };
    // Every start date is checked first, so the dates computed from it stay near today.
    if let PaymentSchedulePlan::Daily { start_date, .. }
    | PaymentSchedulePlan::Weekly { start_date, .. }
    | PaymentSchedulePlan::Monthly { start_date, .. } = plan
    {
        in_range(start_date.get())?;
    }
    let count = |n: u32| -> Result<u32, Reply> {
        if (1..=MAX_OCCURRENCES).contains(&n) {
            Ok(n)
        } else {
            Err(reply::bad_request(format!(
                "schedule.occurrences must be between 1 and {MAX_OCCURRENCES}"
            )))
        }
    };
    let dates: Vec<time::Date> = match plan {
        PaymentSchedulePlan::Single { date } => vec![date.get()],
        PaymentSchedulePlan::Daily {
            start_date,
            occurrences,
        } => (0..count(*occurrences)?)
            .map(|i| start_date.get() + Duration::days(i64::from(i)))
            .collect(),
        PaymentSchedulePlan::Weekly {
            start_date,
            day_of_week,
            occurrences,
        } => {
            let target = match day_of_week.as_str() {
                "MONDAY" => time::Weekday::Monday,
                "TUESDAY" => time::Weekday::Tuesday,
                "WEDNESDAY" => time::Weekday::Wednesday,
                "THURSDAY" => time::Weekday::Thursday,
                "FRIDAY" => time::Weekday::Friday,
                "SATURDAY" => time::Weekday::Saturday,
                "SUNDAY" => time::Weekday::Sunday,
                other => {
                    return Err(reply::bad_request(format!(
                        "schedule.dayOfWeek '{other}' is not a day of the week"
                    )));
                }
            };
            let start = start_date.get();
            let first = (0..7)
                .map(|i| start + Duration::days(i))
                .find(|d| d.weekday() == target)
                .unwrap_or(start);
            (0..count(*occurrences)?)
                .map(|i| first + Duration::weeks(i64::from(i)))
                .collect()
        }
        PaymentSchedulePlan::Monthly {
            start_date,
            day_of_month,
            occurrences,
        } => {
            if !(1..=31).contains(day_of_month) {
                return Err(reply::bad_request(
                    "schedule.dayOfMonth must be between 1 and 31",
                ));
            }
            let start = start_date.get();
            let (mut year, mut month) = (start.year(), start.month());
            let on = |y: i32, m: time::Month| {
                let last = m.length(y);
                time::Date::from_calendar_date(
                    y,
                    m,
                    u8::try_from(*day_of_month).unwrap_or(1).min(last),
                )
            };
            let mut out = Vec::new();
            if on(year, month).is_ok_and(|d| d < start) {
                if month == time::Month::December {
                    year += 1;
                }
                month = month.next();
            }
            for _ in 0..count(*occurrences)? {
                if let Ok(d) = on(year, month) {
                    out.push(d);
                }
                if month == time::Month::December {
                    year += 1;
                }
                month = month.next();
            }
            out
        }
        PaymentSchedulePlan::Custom { dates, .. } => {
            if dates.is_empty() || dates.len() > MAX_OCCURRENCES as usize {
                return Err(reply::bad_request(format!(
                    "schedule.dates must have between 1 and {MAX_OCCURRENCES} dates"
                )));
            }
            let mut d: Vec<time::Date> = dates.iter().map(|d| d.get()).collect();
            d.sort_unstable();
            d.dedup();
            d
        }
        other => {
            return Err(reply::bad_request(format!(
                "schedule.type '{}' is not one of SINGLE, DAILY, WEEKLY, MONTHLY, CUSTOM",
                other.kind()
            )));
        }
    };
    dates
        .into_iter()
        .map(|d| in_range(d).map(to_date))
        .collect()
}

fn payment_url(ctx: &Ctx<'_>, id: &str) -> String {
    format!("{}/__emulator/pay/{id}", ctx.shared.base_url)
}

fn new_request(ctx: &Ctx<'_>, id: &str, amount: Option<Decimal>) -> PaymentRequest {
    PaymentRequest {
        id: PaymentRequestId::new(id),
        amount,
        fees: None,
        description: None,
        status: PaymentRequestStatus::Created,
        client_payment_id: None,
        created_at: ts(ctx.now),
        updated_at: ts(ctx.now),
        callback_urls: None,
        recipient: None,
        customer: None,
        smart_account: None,
        payment_url: payment_url(ctx, id),
        pix_qr_code: None,
        boleto: None,
        automatic_pix: None,
        schedule: None,
        error_detail: None,
        is_sandbox: false,
    }
}

fn store(st: &mut State, rec: RequestRec) -> Reply {
    let view = pv::request(&rec);
    st.payments.requests.push(rec);
    Reply::ok(&view)
}

/// `POST /payments/requests`.
pub(crate) fn create(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let raw = body_object(ctx)?;
    let webhook_url = opt_webhook_url(&raw, ctx)?;
    let body: CreatePaymentRequest = parse_body(ctx)?;
    check_amount("amount", body.amount)?;
    let client_id = ctx.cred.client_id().to_owned();
    let recipient_id = body
        .recipient_id
        .ok_or_else(|| reply::bad_request("recipientId is required"))?;
    let recipient = recipient_of(st, &client_id, recipient_id.as_str())?;
    let customer = match &body.customer_id {
        Some(id) => Some(customer_of(st, &client_id, id.as_str())?),
        None => None,
    };
    let schedule_dates = match &body.schedule {
        Some(plan) => schedule_dates(plan, ctx.now)?,
        None => Vec::new(),
    };
    let id = st.rng.uuid();
    let mut model = new_request(ctx, &id, Some(body.amount));
    model.description = body.description;
    model.client_payment_id = body.client_payment_id;
    model.callback_urls = body.callback_urls;
    model.recipient = Some(PaymentRequestRecipient::BankAccount(Box::new(recipient)));
    model.customer = customer;
    model.schedule = body.schedule;
    model.is_sandbox = body.is_sandbox.unwrap_or(false);
    let rec = RequestRec {
        client_id,
        kind: RequestKind::Pix,
        model,
        recipient_id: Some(recipient_id.as_str().to_owned()),
        customer_id: body.customer_id.map(|c| c.as_str().to_owned()),
        schedule_dates,
        webhook_url,
    };
    Ok(store(st, rec))
}

/// The fields of a Pix QR code (EMV BR Code): `(id, value)` pairs of its top level, or
/// `None` when it is not one.
fn emv_fields(code: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut rest = code;
    while !rest.is_empty() {
        let id = rest.get(..2)?;
        let len: usize = rest.get(2..4)?.parse().ok()?;
        let value = rest.get(4..4 + len)?;
        out.push((id.to_owned(), value.to_owned()));
        rest = &rest[4 + len..];
    }
    Some(out)
}

/// `POST /payments/requests/pix-qr`: the amount and the receiver's name come from the code.
pub(crate) fn create_pix_qr(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let raw = body_object(ctx)?;
    let webhook_url = opt_webhook_url(&raw, ctx)?;
    let body: CreatePixQrPaymentRequest = parse_body(ctx)?;
    let fields = emv_fields(body.pix_qr_code.trim())
        .filter(|f| f.first().is_some_and(|(id, v)| id == "00" && v == "01"))
        .filter(|_| {
            body.pix_qr_code
                .to_ascii_lowercase()
                .contains("br.gov.bcb.pix")
        })
        .ok_or_else(|| reply::bad_request("pixQrCode is not a valid Pix QR code"))?;
    let field = |id: &str| fields.iter().find(|(i, _)| i == id).map(|(_, v)| v.clone());
    let amount = match field("54") {
        Some(a) => {
            let a: Decimal = a
                .parse()
                .map_err(|_| reply::bad_request("pixQrCode has an invalid amount"))?;
            check_amount("amount", a)?;
            Some(a)
        }
        None => None,
    };
    let client_id = ctx.cred.client_id().to_owned();
    let customer = match &body.customer_id {
        Some(id) => Some(customer_of(st, &client_id, id.as_str())?),
        None => None,
    };
    let id = st.rng.uuid();
    let mut model = new_request(ctx, &id, amount);
    model.callback_urls = body.callback_urls;
    model.recipient = Some(PaymentRequestRecipient::PixQrCode { name: field("59") });
    model.customer = customer;
    model.pix_qr_code = Some(body.pix_qr_code);
    model.is_sandbox = body.is_sandbox.unwrap_or(false);
    let rec = RequestRec {
        client_id,
        kind: RequestKind::PixQr,
        model,
        recipient_id: None,
        customer_id: body.customer_id.map(|c| c.as_str().to_owned()),
        schedule_dates: Vec::new(),
        webhook_url,
    };
    Ok(store(st, rec))
}

/// `POST /payments/requests/automatic-pix`: a mandate with a fixed amount or a variable
/// range, an interval, a start date and optionally a first payment.
pub(crate) fn create_automatic_pix(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let raw = body_object(ctx)?;
    let webhook_url = opt_webhook_url(&raw, ctx)?;
    let body: CreateAutomaticPixPaymentRequest = parse_body(ctx)?;
    match (
        body.fixed_amount,
        body.minimum_variable_amount,
        body.maximum_variable_amount,
    ) {
        (Some(f), None, None) => check_amount("fixedAmount", f)?,
        (None, min, max) => {
            if let Some(m) = min {
                check_amount("minimumVariableAmount", m)?;
            }
            if let Some(m) = max {
                check_amount("maximumVariableAmount", m)?;
            }
            if let (Some(a), Some(b)) = (min, max) {
                if a > b {
                    return Err(reply::bad_request(
                        "minimumVariableAmount must not exceed maximumVariableAmount",
                    ));
                }
            }
        }
        _ => {
            return Err(reply::bad_request(
                "fixedAmount cannot be combined with variable amounts",
            ));
        }
    }
    if let pluggy_core::models::AutomaticPixInterval::Unknown(i) = &body.interval {
        return Err(reply::bad_request(format!("interval '{i}' is not valid")));
    }
    check_not_past("startDate", body.start_date, ctx.now)?;
    if let Some(e) = body.expires_at {
        if e.get() <= body.start_date.get() {
            return Err(reply::bad_request("expiresAt must be after startDate"));
        }
    }
    if let Some(first) = &body.first_payment {
        check_amount("firstPayment.amount", first.amount)?;
        if let Some(d) = first.date {
            check_not_past("firstPayment.date", d, ctx.now)?;
        }
    }
    let client_id = ctx.cred.client_id().to_owned();
    let recipient = recipient_of(st, &client_id, body.recipient_id.as_str())?;
    let customer = match &body.customer_id {
        Some(id) => Some(customer_of(st, &client_id, id.as_str())?),
        None => None,
    };
    let id = st.rng.uuid();
    let mut model = new_request(ctx, &id, None);
    model.description = body.description.clone();
    model.client_payment_id = body.client_payment_id.clone();
    model.callback_urls = body.callback_urls.clone();
    model.recipient = Some(PaymentRequestRecipient::BankAccount(Box::new(recipient)));
    model.customer = customer;
    model.is_sandbox = body.is_sandbox.unwrap_or(false);
    model.automatic_pix = Some(AutomaticPix {
        fixed_amount: body.fixed_amount,
        minimum_variable_amount: body.minimum_variable_amount,
        maximum_variable_amount: body.maximum_variable_amount,
        start_date: body.start_date,
        expires_at: body.expires_at.map(|d| ts(payments::start_of(d))),
        is_retry_accepted: body.is_retry_accepted,
        first_payment: body.first_payment,
        interval: body.interval,
        automatic_retries_configuration: body.automatic_retries_configuration,
        scheduler_configuration: body.scheduler_configuration,
    });
    let rec = RequestRec {
        client_id,
        kind: RequestKind::AutomaticPix,
        model,
        recipient_id: Some(body.recipient_id.as_str().to_owned()),
        customer_id: body.customer_id.map(|c| c.as_str().to_owned()),
        schedule_dates: Vec::new(),
        webhook_url,
    };
    Ok(store(st, rec))
}

/// `GET /payments/requests`: filtered by creation date (`from`, `to`), `customer` (id, name,
/// CPF or CNPJ), the recipient's `pixKey` and `status`.
pub(crate) fn list(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let (page, size) = paging(ctx)?;
    let from = super::request::date_filter(ctx, "from", false)?;
    let to = super::request::date_filter(ctx, "to", true)?;
    let client_id = ctx.cred.client_id();
    let customer_matches = |r: &PaymentRequest, q: &str| {
        r.customer.as_ref().is_some_and(|c| {
            c.id.as_str() == q
                || c.name.eq_ignore_ascii_case(q)
                || c.cpf.as_deref() == Some(q)
                || c.cnpj.as_deref() == Some(q)
        })
    };
    let all: Vec<PaymentRequest> = st
        .payments
        .requests
        .iter()
        .filter(|r| r.client_id == client_id)
        .map(pv::request)
        .filter(|r| from.is_none_or(|f| r.created_at.unix_millis() >= f))
        .filter(|r| to.is_none_or(|t| r.created_at.unix_millis() <= t))
        .filter(|r| ctx.q("customer").is_none_or(|q| customer_matches(r, q)))
        .filter(|r| {
            ctx.q("pixKey").is_none_or(|k| {
                r.recipient
                    .as_ref()
                    .and_then(|x| x.as_bank_account())
                    .and_then(|x| x.pix_key.as_deref())
                    == Some(k)
            })
        })
        .filter(|r| ctx.q("status").is_none_or(|s| r.status.as_str() == s))
        .collect();
    let total = all.len();
    let results = all
        .into_iter()
        .skip(skipped(page, size))
        .take(size)
        .collect();
    Ok(page_json(total, page, size, results))
}

fn find<'s>(ctx: &Ctx<'_>, st: &'s State) -> Result<&'s RequestRec, Reply> {
    st.payments
        .request(ctx.cred.client_id(), ctx.id())
        .ok_or_else(|| refusal(request_not_found()))
}

/// `GET /payments/requests/{id}`.
pub(crate) fn retrieve(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    Ok(Reply::ok(&pv::request(find(ctx, st)?)))
}

/// `PATCH /payments/requests/{id}`: only while the request is `CREATED`.
pub(crate) fn update(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let body: UpdatePaymentRequest = parse_body(ctx)?;
    let client_id = ctx.cred.client_id().to_owned();
    let current = find(ctx, st)?.clone();
    if current.model.status != PaymentRequestStatus::Created {
        return Err(reply::bad_request(format!(
            "Payment request {} is {} and can no longer be changed",
            ctx.id(),
            current.model.status
        )));
    }
    let mut next = current;
    if let Some(a) = body.amount {
        check_amount("amount", a)?;
        next.model.amount = Some(a);
    }
    if let Some(r) = &body.recipient_id {
        let recipient = recipient_of(st, &client_id, r.as_str())?;
        next.model.recipient = Some(PaymentRequestRecipient::BankAccount(Box::new(recipient)));
        next.recipient_id = Some(r.as_str().to_owned());
    }
    if let Some(c) = &body.customer_id {
        next.model.customer = Some(customer_of(st, &client_id, c.as_str())?);
        next.customer_id = Some(c.as_str().to_owned());
    }
    if body.description.is_some() {
        next.model.description = body.description;
    }
    if body.callback_urls.is_some() {
        next.model.callback_urls = body.callback_urls;
    }
    if body.client_payment_id.is_some() {
        next.model.client_payment_id = body.client_payment_id;
    }
    if let Some(s) = body.is_sandbox {
        next.model.is_sandbox = s;
    }
    next.model.updated_at = ts(ctx.now);
    let view = pv::request(&next);
    if let Some(r) = st
        .payments
        .requests
        .iter_mut()
        .find(|r| r.model.id == next.model.id)
    {
        *r = next;
    }
    Ok(Reply::ok(&view))
}

/// `DELETE /payments/requests/{id}`: the request and its intents, schedules and Automatic
/// Pix payments; `200` with an empty object.
pub(crate) fn delete(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let id = find(ctx, st)?.model.id.as_str().to_owned();
    let p = &mut st.payments;
    p.requests.retain(|r| r.model.id.as_str() != id);
    p.intents.retain(|i| i.request_id != id);
    p.schedules.retain(|s| s.request_id != id);
    p.auto_pix.retain(|a| a.request_id != id);
    Ok(Reply::ok(&json!({})))
}

/// `GET /payments/requests/{id}/schedules`.
pub(crate) fn list_schedules(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let (page, size) = paging(ctx)?;
    let id = find(ctx, st)?.model.id.as_str();
    let all: Vec<_> = st
        .payments
        .schedules
        .iter()
        .filter(|s| s.request_id == id)
        .map(|s| pv::schedule(st, s))
        .collect();
    let total = all.len();
    let results = all
        .into_iter()
        .skip(skipped(page, size))
        .take(size)
        .collect();
    Ok(page_json(total, page, size, results))
}

/// `POST /payments/requests/{id}/schedules/cancel`: `204`.
pub(crate) fn cancel_schedules(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let id = find(ctx, st)?.model.id.as_str().to_owned();
    payments::cancel_schedules(&mut st.payments, &id, None, ctx.now).map_err(refusal)?;
    payments::flush_raised(st);
    Ok(Reply::empty(204))
}

/// `POST /payments/requests/{id}/schedules/{scheduleId}/cancel`: `204`.
pub(crate) fn cancel_schedule(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let id = find(ctx, st)?.model.id.as_str().to_owned();
    let sid = ctx.params.get(1).cloned().unwrap_or_default();
    payments::cancel_schedules(&mut st.payments, &id, Some(&sid), ctx.now).map_err(refusal)?;
    payments::flush_raised(st);
    Ok(Reply::empty(204))
}

fn find_mandate<'s>(ctx: &Ctx<'_>, st: &'s State) -> Result<&'s RequestRec, Reply> {
    let r = find(ctx, st)?;
    if r.kind != RequestKind::AutomaticPix {
        return Err(reply::bad_request(format!(
            "Payment request {} is not an Automatic Pix request",
            ctx.id()
        )));
    }
    Ok(r)
}

/// `POST /payments/requests/{id}/automatic-pix/schedule`: one payment under an authorized
/// mandate, within its amounts and dates.
pub(crate) fn schedule_automatic_pix(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let body: ScheduleAutomaticPixPayment = parse_body(ctx)?;
    let r = find_mandate(ctx, st)?.clone();
    if r.model.status != PaymentRequestStatus::Authorized {
        return Err(reply::bad_request(format!(
            "The Automatic Pix mandate {} is {}, not AUTHORIZED",
            ctx.id(),
            r.model.status
        )));
    }
    check_amount("amount", body.amount)?;
    check_not_past("date", body.date, ctx.now)?;
    if let Some(a) = &r.model.automatic_pix {
        if let Some(f) = a.fixed_amount {
            if body.amount != f {
                return Err(reply::bad_request(format!(
                    "amount must be the mandate's fixed amount {f}"
                )));
            }
        }
        if a.minimum_variable_amount.is_some_and(|m| body.amount < m)
            || a.maximum_variable_amount.is_some_and(|m| body.amount > m)
        {
            return Err(reply::bad_request(
                "amount is outside the mandate's variable amounts",
            ));
        }
        if body.date.get() < a.start_date.get()
            || a.expires_at
                .is_some_and(|e| payments::start_of(body.date) >= e.unix_millis())
        {
            return Err(reply::bad_request("date is outside the mandate's period"));
        }
    }
    let recipient_id = match &body.recipient_id {
        Some(id) => Some(
            recipient_of(st, &r.client_id, id.as_str())?
                .id
                .as_str()
                .to_owned(),
        ),
        None => r.recipient_id.clone(),
    };
    let rec = AutoPixRec {
        id: st.rng.uuid(),
        request_id: r.model.id.as_str().to_owned(),
        status: pluggy_core::models::AutomaticPixPaymentStatus::Created,
        amount: body.amount,
        description: body.description,
        date: body.date,
        end_to_end_id: None,
        client_payment_id: body.client_payment_id,
        recipient_id,
        is_first_payment: false,
        reached_scheduled: false,
        fails: false,
    };
    let id = rec.id.clone();
    payments::add_auto_pix(&mut st.payments, rec, &r.client_id, ctx.now);
    payments::flush_raised(st);
    let view = st
        .payments
        .auto_pix
        .iter()
        .find(|a| a.id == id)
        .map(pv::auto_pix);
    Ok(Reply::ok(&view))
}

/// `GET /payments/requests/{id}/automatic-pix/schedules`.
pub(crate) fn list_automatic_pix(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let (page, size) = paging(ctx)?;
    let id = find_mandate(ctx, st)?.model.id.as_str();
    let all: Vec<_> = st
        .payments
        .auto_pix
        .iter()
        .filter(|a| a.request_id == id)
        .map(pv::auto_pix)
        .collect();
    let total = all.len();
    let results = all
        .into_iter()
        .skip(skipped(page, size))
        .take(size)
        .collect();
    Ok(page_json(total, page, size, results))
}

fn payment_param(ctx: &Ctx<'_>) -> String {
    ctx.params.get(1).cloned().unwrap_or_default()
}

fn find_auto_pix<'s>(ctx: &Ctx<'_>, st: &'s State) -> Result<&'s AutoPixRec, Reply> {
    let id = find_mandate(ctx, st)?.model.id.as_str().to_owned();
    let pid = payment_param(ctx);
    st.payments
        .auto_pix
        .iter()
        .find(|a| a.id == pid && a.request_id == id)
        .ok_or_else(|| refusal(payments::auto_pix_not_found()))
}

/// `GET /payments/requests/{requestId}/automatic-pix/schedules/{paymentId}`.
pub(crate) fn get_automatic_pix(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    Ok(Reply::ok(&pv::auto_pix_detail(find_auto_pix(ctx, st)?)))
}

/// `POST /payments/requests/{id}/automatic-pix/cancel`: revokes the mandate; `204`.
pub(crate) fn cancel_mandate(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let r = find_mandate(ctx, st)?;
    if r.model.status.is_final() {
        return Err(reply::bad_request(format!(
            "The Automatic Pix mandate {} is already {}",
            ctx.id(),
            r.model.status
        )));
    }
    let id = r.model.id.as_str().to_owned();
    payments::cancel_mandate(&mut st.payments, &id, ctx.now);
    payments::flush_raised(st);
    Ok(Reply::empty(204))
}

/// `POST /payments/requests/{id}/automatic-pix/schedules/{scheduleId}/cancel`: `204`.
pub(crate) fn cancel_automatic_pix(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let id = find_auto_pix(ctx, st)?.id.clone();
    payments::cancel_auto_pix(&mut st.payments, &id).map_err(refusal)?;
    payments::flush_raised(st);
    Ok(Reply::empty(204))
}

/// `POST /payments/requests/{id}/automatic-pix/schedules/{scheduleId}/retry`: a payment in
/// `ERROR` is scheduled again on `date`, if the mandate accepts retries; `204`.
pub(crate) fn retry_automatic_pix(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let body: RetryAutomaticPixPayment = parse_body(ctx)?;
    check_not_past("date", body.date, ctx.now)?;
    let accepts = find_mandate(ctx, st)?
        .model
        .automatic_pix
        .as_ref()
        .and_then(|a| a.is_retry_accepted);
    if accepts == Some(false) {
        return Err(reply::bad_request("The mandate does not accept retries"));
    }
    let id = find_auto_pix(ctx, st)?.id.clone();
    payments::retry_auto_pix(&mut st.payments, &id, body.date, ctx.now).map_err(refusal)?;
    Ok(Reply::empty(204))
}

/// `POST /payments/intents`: an attempt to pay a request at a bank that initiates payments.
pub(crate) fn create_intent(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let body: CreatePaymentIntent = parse_body(ctx)?;
    let client_id = ctx.cred.client_id().to_owned();
    let request = st
        .payments
        .request(&client_id, body.payment_request_id.as_str())
        .ok_or_else(|| {
            reply::bad_request(format!(
                "Payment request {} not found",
                body.payment_request_id
            ))
        })?;
    let customer_cpf = request.model.customer.as_ref().and_then(|c| c.cpf.clone());
    let connector_id = body
        .connector_id
        .ok_or_else(|| reply::bad_request("connectorId is required"))?
        .get();
    let connector = ctx
        .shared
        .connector(connector_id)
        .ok_or_else(|| reply::bad_request(format!("Connector {connector_id} not found")))?;
    if !connector.supports_payments() {
        return Err(reply::bad_request(format!(
            "Connector {connector_id} does not support payment initiation"
        )));
    }
    let (cpf, cnpj, name) = match body.parameters {
        Some(p) => (Some(p.cpf), p.cnpj, p.name),
        None => (customer_cpf, None, None),
    };
    check_cpf("parameters.cpf", cpf.as_deref())?;
    check_cnpj("parameters.cnpj", cnpj.as_deref())?;
    let id = payments::start_intent(
        st,
        NewIntent {
            client_id: &client_id,
            request_id: body.payment_request_id.as_str(),
            connector_id,
            cpf,
            cnpj,
            name,
        },
        ctx.now,
    )
    .map_err(refusal)?;
    payments::flush_raised(st);
    let view = st
        .payments
        .intents
        .iter()
        .find(|i| i.id == id)
        .map(|i| pv::intent(ctx, st, i));
    Ok(Reply::ok(&view))
}

/// `GET /payments/intents?paymentRequestId=…`.
pub(crate) fn list_intents(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let (page, size) = paging(ctx)?;
    let request_id = ctx.required("paymentRequestId")?;
    let client_id = ctx.cred.client_id();
    let all: Vec<_> = st
        .payments
        .intents
        .iter()
        .filter(|i| i.client_id == client_id && i.request_id == request_id)
        .map(|i| pv::intent(ctx, st, i))
        .collect();
    let total = all.len();
    let results = all
        .into_iter()
        .skip(skipped(page, size))
        .take(size)
        .collect();
    Ok(page_json(total, page, size, results))
}

/// `GET /payments/intents/{id}`.
pub(crate) fn get_intent(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let client_id = ctx.cred.client_id();
    let i = st
        .payments
        .intents
        .iter()
        .find(|i| i.client_id == client_id && i.id == ctx.id())
        .ok_or_else(|| refusal(payments::intent_not_found()))?;
    Ok(Reply::ok(&pv::intent(ctx, st, i)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emv_codes_split_into_fields() {
        let f = emv_fields("00020101021226180014br.gov.bcb.pix5406100.005903Ana6304ABCD").unwrap();
        assert_eq!(f[0], ("00".into(), "01".into()));
        assert!(f.contains(&("54".into(), "100.00".into())));
        assert!(f.contains(&("59".into(), "Ana".into())));
        assert!(emv_fields("0002").is_none());
    }
}
