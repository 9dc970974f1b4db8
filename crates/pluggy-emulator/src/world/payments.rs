//! Payments as the emulator keeps them: customers, recipients, payment requests with their
//! intents, schedules (Pix Agendado) and Automatic Pix payments, smart-transfer
//! preauthorizations and payments, boleto connections and boletos; the status machines that
//! move them on the emulator's clock, and the payment webhooks they raise.
//!
//! The payer's side (choosing a bank, approving or rejecting the consent) has no API of its
//! own: the payment page and the tester routes call [`pay_request`], [`authorize_intent`],
//! [`reject_intent`], [`expire_intent`], [`cancel_intent`] and [`settle_intent`] (and the
//! smaller ones for preauthorizations, transfers, schedules, Automatic Pix and boletos).

use pluggy_core::models::{
    AutomaticPixPaymentStatus, Boleto, BoletoConnection, BoletoPaymentOrigin, BoletoStatus, Date,
    PaymentCustomer, PaymentInstitution, PaymentIntentErrorCode, PaymentIntentErrorDetail,
    PaymentIntentStatus, PaymentRecipient, PaymentRequest, PaymentRequestStatus,
    PaymentScheduleStatus, SmartTransferPaymentStatus, SmartTransferPreauthorization,
    SmartTransferPreauthorizationStatus,
};
use pluggy_core::webhook::PaymentEvent;
use pluggy_core::{PaymentInstitutionId, WebhookEvent};
use rust_decimal::Decimal;
use serde_json::json;

use super::clock::{Millis, ts};
use super::state::State;
use super::webhooks;

/// How long after it is created an intent's consent waits for the payer: Open Finance Brasil
/// payment consents lapse when not authorized within five minutes.
pub(crate) const CONSENT_WINDOW_MS: Millis = 5 * 60_000;

/// The time between two statuses of a payment once the payer has acted (consent authorized →
/// payment pending → completed), and between a smart-transfer payment's creation and its
/// completion.
pub(crate) const SETTLE_STEP_MS: Millis = 1_000;

const DAY_MS: Millis = 86_400_000;

/// A refusal of the world's logic, which the caller turns into the API's error shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// The HTTP status (400 or 404).
    pub(crate) status: u16,
    /// The `codeDescription`, if the API gives one.
    pub(crate) code: Option<&'static str>,
    /// The message.
    pub(crate) message: String,
}

impl Refusal {
    /// A 400 with this message.
    pub(crate) fn bad(message: impl Into<String>) -> Self {
        Self {
            status: 400,
            code: None,
            message: message.into(),
        }
    }

    /// A 404 with the resource's code and message.
    pub(crate) fn not_found(code: &'static str, message: &str) -> Self {
        Self {
            status: 404,
            code: Some(code),
            message: message.to_owned(),
        }
    }
}

/// `PAYMENT_REQUEST_NOT_FOUND`.
pub(crate) fn request_not_found() -> Refusal {
    Refusal::not_found("PAYMENT_REQUEST_NOT_FOUND", "Payment request not found")
}

/// `PAYMENT_INTENT_NOT_FOUND`.
pub(crate) fn intent_not_found() -> Refusal {
    Refusal::not_found("PAYMENT_INTENT_NOT_FOUND", "Payment intent not found")
}

/// A record owned by one client.
#[derive(Clone, Debug)]
pub(crate) struct Owned<T> {
    pub(crate) client_id: String,
    pub(crate) model: T,
}

/// What kind of payment a request asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RequestKind {
    /// One Pix payment now (or on its schedule's dates).
    Pix,
    /// A payment of a Pix QR code.
    PixQr,
    /// An Automatic Pix mandate.
    AutomaticPix,
}

/// A payment request.
#[derive(Clone, Debug)]
pub(crate) struct RequestRec {
    pub(crate) client_id: String,
    pub(crate) kind: RequestKind,
    /// The request as the API shows it (its recipient and customer as they were when set).
    pub(crate) model: PaymentRequest,
    /// The recipient and customer ids, for updates and the recipient's checks.
    pub(crate) recipient_id: Option<String>,
    pub(crate) customer_id: Option<String>,
    /// The dates of its schedule, computed at creation.
    pub(crate) schedule_dates: Vec<Date>,
    /// Where this request's own events also go.
    pub(crate) webhook_url: Option<String>,
}

/// One payment intent.
#[derive(Clone, Debug)]
pub(crate) struct IntentRec {
    pub(crate) client_id: String,
    pub(crate) id: String,
    pub(crate) request_id: String,
    pub(crate) connector_id: u32,
    pub(crate) status: PaymentIntentStatus,
    pub(crate) payer_cpf: Option<String>,
    pub(crate) payer_cnpj: Option<String>,
    pub(crate) payer_name: Option<String>,
    pub(crate) error: Option<PaymentIntentErrorDetail>,
    pub(crate) end_to_end_id: Option<String>,
    pub(crate) created_at: Millis,
    pub(crate) updated_at: Millis,
}

/// One scheduled payment (Pix Agendado) of a request.
#[derive(Clone, Debug)]
pub(crate) struct ScheduleRec {
    pub(crate) id: String,
    pub(crate) request_id: String,
    pub(crate) date: Date,
    pub(crate) status: PaymentScheduleStatus,
    pub(crate) end_to_end_id: Option<String>,
    /// Whether the tester made its settlement fail.
    pub(crate) fails: bool,
}

/// One payment under an Automatic Pix mandate.
#[derive(Clone, Debug)]
pub(crate) struct AutoPixRec {
    pub(crate) id: String,
    pub(crate) request_id: String,
    pub(crate) status: AutomaticPixPaymentStatus,
    pub(crate) amount: Decimal,
    pub(crate) description: Option<String>,
    pub(crate) date: Date,
    pub(crate) end_to_end_id: Option<String>,
    pub(crate) client_payment_id: Option<String>,
    pub(crate) recipient_id: Option<String>,
    pub(crate) is_first_payment: bool,
    /// Whether it ever reached `SCHEDULED`.
    pub(crate) reached_scheduled: bool,
    /// Whether a sandbox rule makes its next settlement fail.
    pub(crate) fails: bool,
}

/// A smart-transfer payment.
#[derive(Clone, Debug)]
pub(crate) struct TransferRec {
    pub(crate) client_id: String,
    pub(crate) model: pluggy_core::models::SmartTransferPayment,
}

/// A boleto.
#[derive(Clone, Debug)]
pub(crate) struct BoletoRec {
    pub(crate) client_id: String,
    pub(crate) model: Boleto,
}

/// Something due at an instant.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Timer {
    /// The intent reaches its consent (`CONSENT_AWAITING_AUTHORIZATION`).
    AskConsent(String),
    /// The intent's consent lapses unless authorized.
    ExpireConsent(String),
    /// The authorized intent's payment goes pending.
    Pending(String),
    /// The pending intent's payment completes.
    Complete(String),
    /// A scheduled payment's date.
    Schedule(String),
    /// An Automatic Pix payment's date.
    AutoPix(String),
    /// A smart-transfer payment completes.
    Transfer(String),
    /// A boleto's due date passes.
    Overdue(String),
}

/// One payment event to deliver.
struct Raised {
    client_id: String,
    /// The request's own `webhookUrl`, if the event is about a request.
    url: Option<String>,
    event: WebhookEvent,
    payload: PaymentEvent,
}

/// Every payment record.
#[derive(Default)]
pub(crate) struct Payments {
    pub(crate) customers: Vec<Owned<PaymentCustomer>>,
    pub(crate) recipients: Vec<Owned<PaymentRecipient>>,
    pub(crate) requests: Vec<RequestRec>,
    pub(crate) intents: Vec<IntentRec>,
    pub(crate) schedules: Vec<ScheduleRec>,
    pub(crate) auto_pix: Vec<AutoPixRec>,
    pub(crate) preauthorizations: Vec<Owned<SmartTransferPreauthorization>>,
    pub(crate) transfers: Vec<TransferRec>,
    pub(crate) boleto_connections: Vec<Owned<BoletoConnection>>,
    pub(crate) boletos: Vec<BoletoRec>,
    timers: Vec<(Millis, u64, Timer)>,
    timer_seq: u64,
    raised: Vec<Raised>,
}

impl Payments {
    fn at(&mut self, when: Millis, timer: Timer) {
        self.timer_seq += 1;
        self.timers.push((when, self.timer_seq, timer));
    }

    /// The request with this id, of this client.
    pub(crate) fn request(&self, client_id: &str, id: &str) -> Option<&RequestRec> {
        self.requests
            .iter()
            .find(|r| r.model.id.as_str() == id && r.client_id == client_id)
    }

    fn request_mut(&mut self, id: &str) -> Option<&mut RequestRec> {
        self.requests.iter_mut().find(|r| r.model.id.as_str() == id)
    }

    fn intent_mut(&mut self, id: &str) -> Option<&mut IntentRec> {
        self.intents.iter_mut().find(|i| i.id == id)
    }

    /// When the next timer is due.
    pub(crate) fn next_due(&self) -> Option<Millis> {
        self.timers.iter().map(|(at, ..)| *at).min()
    }

    fn raise(
        &mut self,
        client_id: &str,
        url: Option<String>,
        event: WebhookEvent,
        payload: PaymentEvent,
    ) {
        self.raised.push(Raised {
            client_id: client_id.to_owned(),
            url,
            event,
            payload,
        });
    }

    /// Moves a request to `status`, raising `payment_request/updated` with `data.status`
    /// when it changes.
    fn set_request_status(&mut self, request_id: &str, status: PaymentRequestStatus, now: Millis) {
        let Some(r) = self.request_mut(request_id) else {
            return;
        };
        if r.model.status == status {
            return;
        }
        r.model.status = status.clone();
        r.model.updated_at = ts(now);
        let (client_id, url) = (r.client_id.clone(), r.webhook_url.clone());
        let mut e = event(WebhookEvent::PaymentRequestUpdated);
        e.payment_request_id = Some(r.model.id.clone());
        e.data = Some(json!({ "status": status.as_str() }));
        self.raise(&client_id, url, WebhookEvent::PaymentRequestUpdated, e);
    }

    /// Moves an intent to `status`, raising its `payment_intent/*` event, and its request
    /// along with it.
    fn set_intent_status(&mut self, intent_id: &str, status: PaymentIntentStatus, now: Millis) {
        let Some(i) = self.intent_mut(intent_id) else {
            return;
        };
        if i.status == status {
            return;
        }
        i.status = status.clone();
        i.updated_at = now;
        let (client_id, request_id) = (i.client_id.clone(), i.request_id.clone());
        let name = match &status {
            PaymentIntentStatus::ConsentAwaitingAuthorization => {
                Some(WebhookEvent::PaymentIntentWaitingPayerAuthorization)
            }
            PaymentIntentStatus::PaymentCompleted => Some(WebhookEvent::PaymentIntentCompleted),
            s if s.is_failure() => Some(WebhookEvent::PaymentIntentError),
            _ => None,
        };
        let url = self
            .request_mut(&request_id)
            .and_then(|r| r.webhook_url.clone());
        if let Some(name) = name {
            let mut e = event(name.clone());
            e.payment_intent_id = Some(pluggy_core::PaymentIntentId::new(intent_id));
            e.payment_request_id = Some(pluggy_core::PaymentRequestId::new(request_id.clone()));
            self.raise(&client_id, url, name, e);
        }
        let Some(kind) = self.request_mut(&request_id).map(|r| r.kind.clone()) else {
            return;
        };
        let scheduled = self
            .request_mut(&request_id)
            .is_some_and(|r| !r.schedule_dates.is_empty());
        let request_status = match status {
            PaymentIntentStatus::Started | PaymentIntentStatus::Enqueued => {
                Some(PaymentRequestStatus::InProgress)
            }
            PaymentIntentStatus::ConsentAwaitingAuthorization => {
                Some(PaymentRequestStatus::WaitingPayerAuthorization)
            }
            PaymentIntentStatus::ConsentAuthorized if kind == RequestKind::AutomaticPix => {
                Some(PaymentRequestStatus::Authorized)
            }
            PaymentIntentStatus::ConsentAuthorized if scheduled => {
                Some(PaymentRequestStatus::Scheduled)
            }
            PaymentIntentStatus::ConsentAuthorized => Some(PaymentRequestStatus::Authorized),
            PaymentIntentStatus::PaymentCompleted => Some(PaymentRequestStatus::Completed),
            PaymentIntentStatus::ConsentRejected
                if self
                    .intents
                    .iter()
                    .find(|i| i.id == intent_id)
                    .and_then(|i| i.error.as_ref())
                    .is_some_and(|e| {
                        e.code == PaymentIntentErrorCode::TempoExpiradoAutorizacao
                    }) =>
            {
                Some(PaymentRequestStatus::Expired)
            }
            PaymentIntentStatus::Expired => Some(PaymentRequestStatus::Expired),
            PaymentIntentStatus::Canceled => Some(PaymentRequestStatus::Canceled),
            s if s.is_failure() => Some(PaymentRequestStatus::Error),
            _ => None,
        };
        if let Some(s) = request_status {
            self.set_request_status(&request_id, s, now);
        }
    }
}

/// A payment event with only its name's placeholder set; the caller fills in the ids.
fn event(name: WebhookEvent) -> PaymentEvent {
    PaymentEvent {
        event: name,
        event_id: None,
        payment_request_id: None,
        payment_intent_id: None,
        scheduled_payment_id: None,
        bulk_payment_id: None,
        automatic_pix_payment_id: None,
        preauthorization_id: None,
        smart_transfer_payment_id: None,
        boleto_id: None,
        data: None,
    }
}

/// The calendar day (UTC) of an instant.
pub(crate) fn day_of(ms: Millis) -> time::Date {
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .map(|t| t.date())
        .unwrap_or(time::Date::MIN)
}

/// The first millisecond (UTC) of a date.
pub(crate) fn start_of(date: Date) -> Millis {
    date.get().midnight().assume_utc().unix_timestamp() * 1000
}

/// An end-to-end id as the Pix system writes them: `E`, the payer bank's ISPB, the date and
/// time, and eleven more characters (here from the record's id, so it is deterministic).
fn end_to_end_id(ispb: &str, at: Millis, seed_id: &str) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(at.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let tail: String = seed_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(11)
        .collect::<String>()
        .to_ascii_uppercase();
    format!(
        "E{ispb}{:04}{:02}{:02}{:02}{:02}{tail}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// The payment institutions a recipient's bank details may name: a small list of Brazilian
/// banks with their real ISPB and COMPE codes, under fixed ids.
pub(crate) fn institutions() -> Vec<PaymentInstitution> {
    const LIST: [(&str, &str, &str, &str, &str); 8] = [
        (
            "3b5c4b1e-0001-4a00-8000-000000000001",
            "BCO DO BRASIL S.A.",
            "Banco do Brasil",
            "00000000",
            "001",
        ),
        (
            "3b5c4b1e-0001-4a00-8000-000000000033",
            "BCO SANTANDER (BRASIL) S.A.",
            "Santander",
            "90400888",
            "033",
        ),
        (
            "3b5c4b1e-0001-4a00-8000-000000000077",
            "BANCO INTER",
            "Inter",
            "00416968",
            "077",
        ),
        (
            "3b5c4b1e-0001-4a00-8000-000000000104",
            "CAIXA ECONOMICA FEDERAL",
            "Caixa",
            "00360305",
            "104",
        ),
        (
            "3b5c4b1e-0001-4a00-8000-000000000237",
            "BCO BRADESCO S.A.",
            "Bradesco",
            "60746948",
            "237",
        ),
        (
            "3b5c4b1e-0001-4a00-8000-000000000260",
            "NU PAGAMENTOS - IP",
            "Nubank",
            "18236120",
            "260",
        ),
        (
            "3b5c4b1e-0001-4a00-8000-000000000341",
            "ITAÚ UNIBANCO S.A.",
            "Itaú",
            "60701190",
            "341",
        ),
        (
            "3b5c4b1e-0001-4a00-8000-000000000999",
            "PLUGGY SANDBOX IP",
            "Pluggy Bank",
            "99999999",
            "999",
        ),
    ];
    // The same fixed instant the connector catalog carries.
    let at = ts(1_589_380_301_214);
    LIST.iter()
        .map(|(id, name, trade, ispb, compe)| PaymentInstitution {
            id: PaymentInstitutionId::new(*id),
            name: (*name).to_owned(),
            trade_name: (*trade).to_owned(),
            ispb: (*ispb).to_owned(),
            compe: Some((*compe).to_owned()),
            created_at: Some(at),
            updated_at: Some(at),
        })
        .collect()
}

/// The institution with this id.
pub(crate) fn institution(id: &str) -> Option<PaymentInstitution> {
    institutions().into_iter().find(|i| i.id.as_str() == id)
}

/// Starts an intent for a request: `STARTED` now, its consent one step later, which lapses
/// after [`CONSENT_WINDOW_MS`] unless the payer authorizes it.
pub(crate) struct NewIntent<'a> {
    pub(crate) client_id: &'a str,
    pub(crate) request_id: &'a str,
    pub(crate) connector_id: u32,
    pub(crate) cpf: Option<String>,
    pub(crate) cnpj: Option<String>,
    pub(crate) name: Option<String>,
}

/// Creates an intent for a request that can still be paid.
pub(crate) fn start_intent(
    st: &mut State,
    new: NewIntent<'_>,
    now: Millis,
) -> Result<String, Refusal> {
    let request = st
        .payments
        .request(new.client_id, new.request_id)
        .ok_or_else(request_not_found)?;
    if request.model.status.is_final()
        || matches!(
            request.model.status,
            PaymentRequestStatus::Authorized | PaymentRequestStatus::Scheduled
        )
    {
        return Err(Refusal::bad(format!(
            "Payment request {} is {} and cannot be paid again",
            new.request_id, request.model.status
        )));
    }
    let busy = st.payments.intents.iter().any(|i| {
        i.request_id == new.request_id
            && !i.status.is_final()
            && i.status != PaymentIntentStatus::ConsentAuthorized
    });
    if busy {
        return Err(Refusal::bad(format!(
            "Payment request {} already has an intent in progress",
            new.request_id
        )));
    }
    let id = st.rng.uuid();
    let p = &mut st.payments;
    p.intents.push(IntentRec {
        client_id: new.client_id.to_owned(),
        id: id.clone(),
        request_id: new.request_id.to_owned(),
        connector_id: new.connector_id,
        status: PaymentIntentStatus::Started,
        payer_cpf: new.cpf,
        payer_cnpj: new.cnpj,
        payer_name: new.name,
        error: None,
        end_to_end_id: None,
        created_at: now,
        updated_at: now,
    });
    let url = p
        .request_mut(new.request_id)
        .and_then(|r| r.webhook_url.clone());
    let mut e = event(WebhookEvent::PaymentIntentCreated);
    e.payment_intent_id = Some(pluggy_core::PaymentIntentId::new(id.clone()));
    e.payment_request_id = Some(pluggy_core::PaymentRequestId::new(new.request_id));
    p.raise(new.client_id, url, WebhookEvent::PaymentIntentCreated, e);
    p.set_request_status(new.request_id, PaymentRequestStatus::InProgress, now);
    p.at(now, Timer::AskConsent(id.clone()));
    p.at(now + CONSENT_WINDOW_MS, Timer::ExpireConsent(id.clone()));
    Ok(id)
}

fn waiting_intent<'p>(
    p: &'p mut Payments,
    client_id: Option<&str>,
    id: &str,
) -> Result<&'p mut IntentRec, Refusal> {
    let i = p
        .intents
        .iter_mut()
        .find(|i| i.id == id && client_id.is_none_or(|c| c == i.client_id))
        .ok_or_else(intent_not_found)?;
    if i.status.is_final() {
        return Err(Refusal::bad(format!(
            "Payment intent {id} is already {}",
            i.status
        )));
    }
    Ok(i)
}

/// The payer approves the consent: `CONSENT_AUTHORIZED` now; a single payment then goes
/// `PAYMENT_PENDING` and `PAYMENT_COMPLETED` a step apart, a scheduled one gets its schedule
/// and an Automatic Pix mandate is authorized (with its first payment, if it has one).
pub(crate) fn authorize_intent(st: &mut State, id: &str, now: Millis) -> Result<(), Refusal> {
    let i = waiting_intent(&mut st.payments, None, id)?;
    if i.status != PaymentIntentStatus::Started
        && i.status != PaymentIntentStatus::Enqueued
        && i.status != PaymentIntentStatus::ConsentAwaitingAuthorization
    {
        return Err(Refusal::bad(format!(
            "Payment intent {id} is already {}",
            i.status
        )));
    }
    let request_id = i.request_id.clone();
    st.payments
        .set_intent_status(id, PaymentIntentStatus::ConsentAuthorized, now);
    let Some(r) = st.payments.request_mut(&request_id).cloned() else {
        return Ok(());
    };
    match r.kind {
        RequestKind::AutomaticPix => {
            if let Some(first) = r
                .model
                .automatic_pix
                .as_ref()
                .and_then(|a| a.first_payment.clone())
            {
                let date = first.date.unwrap_or_else(|| today(now));
                let pid = st.rng.uuid();
                add_auto_pix(
                    &mut st.payments,
                    AutoPixRec {
                        id: pid,
                        request_id: request_id.clone(),
                        status: AutomaticPixPaymentStatus::Created,
                        amount: first.amount,
                        description: first.description,
                        date,
                        end_to_end_id: None,
                        client_payment_id: r.model.client_payment_id.clone(),
                        recipient_id: r.recipient_id.clone(),
                        is_first_payment: true,
                        reached_scheduled: false,
                        fails: false,
                    },
                    &r.client_id,
                    now,
                );
            }
        }
        _ if !r.schedule_dates.is_empty() => {
            for date in &r.schedule_dates {
                let sid = st.rng.uuid();
                let p = &mut st.payments;
                p.schedules.push(ScheduleRec {
                    id: sid.clone(),
                    request_id: request_id.clone(),
                    date: *date,
                    status: PaymentScheduleStatus::Scheduled,
                    end_to_end_id: None,
                    fails: false,
                });
                let mut e = event(WebhookEvent::ScheduledPaymentCreated);
                e.payment_request_id = Some(r.model.id.clone());
                e.scheduled_payment_id = Some(sid.clone());
                p.raise(
                    &r.client_id,
                    r.webhook_url.clone(),
                    WebhookEvent::ScheduledPaymentCreated,
                    e,
                );
                p.at(start_of(*date).max(now), Timer::Schedule(sid));
            }
            let mut e = event(WebhookEvent::ScheduledPaymentAllCreated);
            e.payment_request_id = Some(r.model.id.clone());
            st.payments.raise(
                &r.client_id,
                r.webhook_url.clone(),
                WebhookEvent::ScheduledPaymentAllCreated,
                e,
            );
        }
        _ => st
            .payments
            .at(now + SETTLE_STEP_MS, Timer::Pending(id.to_owned())),
    }
    Ok(())
}

fn today(now: Millis) -> Date {
    let d = day_of(now);
    Date::from_ymd(d.year(), u8::from(d.month()), d.day()).unwrap_or_else(|| {
        Date::from_ymd(1970, 1, 1).unwrap_or_else(|| unreachable!("1970-01-01 is a date"))
    })
}

/// Adds an Automatic Pix payment, `SCHEDULED` at once, settling on its date.
pub(crate) fn add_auto_pix(p: &mut Payments, mut rec: AutoPixRec, client_id: &str, now: Millis) {
    rec.status = AutomaticPixPaymentStatus::Scheduled;
    rec.reached_scheduled = true;
    let url = p
        .request_mut(&rec.request_id)
        .and_then(|r| r.webhook_url.clone());
    let mut e = event(WebhookEvent::AutomaticPixPaymentCreated);
    e.payment_request_id = Some(pluggy_core::PaymentRequestId::new(rec.request_id.clone()));
    e.automatic_pix_payment_id = Some(pluggy_core::AutomaticPixPaymentId::new(rec.id.clone()));
    p.raise(client_id, url, WebhookEvent::AutomaticPixPaymentCreated, e);
    p.at(start_of(rec.date).max(now), Timer::AutoPix(rec.id.clone()));
    p.auto_pix.push(rec);
}

/// Raises an Automatic Pix payment's event.
fn auto_pix_event(p: &mut Payments, payment_id: &str, name: WebhookEvent) {
    let Some(a) = p.auto_pix.iter().find(|a| a.id == payment_id) else {
        return;
    };
    let request_id = a.request_id.clone();
    let Some(r) = p.request_mut(&request_id) else {
        return;
    };
    let (client_id, url) = (r.client_id.clone(), r.webhook_url.clone());
    let mut e = event(name.clone());
    e.payment_request_id = Some(pluggy_core::PaymentRequestId::new(request_id));
    e.automatic_pix_payment_id = Some(pluggy_core::AutomaticPixPaymentId::new(payment_id));
    p.raise(&client_id, url, name, e);
}

/// Cancels a scheduled Automatic Pix payment (`automatic_pix_payment/canceled`).
pub(crate) fn cancel_auto_pix(p: &mut Payments, payment_id: &str) -> Result<(), Refusal> {
    let a = p
        .auto_pix
        .iter_mut()
        .find(|a| a.id == payment_id)
        .ok_or_else(auto_pix_not_found)?;
    if a.status != AutomaticPixPaymentStatus::Scheduled
        && a.status != AutomaticPixPaymentStatus::Created
    {
        return Err(Refusal::bad(format!(
            "Automatic Pix payment {payment_id} is {} and cannot be canceled",
            a.status
        )));
    }
    a.status = AutomaticPixPaymentStatus::Canceled;
    auto_pix_event(p, payment_id, WebhookEvent::AutomaticPixPaymentCanceled);
    Ok(())
}

/// `AUTOMATIC_PIX_PAYMENT_NOT_FOUND`.
pub(crate) fn auto_pix_not_found() -> Refusal {
    Refusal::not_found(
        "AUTOMATIC_PIX_PAYMENT_NOT_FOUND",
        "Automatic Pix payment not found",
    )
}

/// Schedules a failed Automatic Pix payment again on `date`.
pub(crate) fn retry_auto_pix(
    p: &mut Payments,
    payment_id: &str,
    date: Date,
    now: Millis,
) -> Result<(), Refusal> {
    let a = p
        .auto_pix
        .iter_mut()
        .find(|a| a.id == payment_id)
        .ok_or_else(auto_pix_not_found)?;
    if a.status != AutomaticPixPaymentStatus::Error {
        return Err(Refusal::bad(format!(
            "Only a payment in ERROR can be retried; {payment_id} is {}",
            a.status
        )));
    }
    a.status = AutomaticPixPaymentStatus::Scheduled;
    a.date = date;
    a.fails = false;
    let id = a.id.clone();
    p.at(start_of(date).max(now), Timer::AutoPix(id));
    Ok(())
}

/// Makes the next settlement of an Automatic Pix payment fail (`SALDO_INSUFICIENTE`), so a
/// tester can exercise retries.
pub(crate) fn fail_next_auto_pix(p: &mut Payments, payment_id: &str) -> Result<(), Refusal> {
    let a = p
        .auto_pix
        .iter_mut()
        .find(|a| a.id == payment_id)
        .ok_or_else(auto_pix_not_found)?;
    a.fails = true;
    Ok(())
}

/// Makes a scheduled payment's settlement fail on its date (`ERROR`,
/// `scheduled_payment/error`).
pub(crate) fn fail_schedule(
    p: &mut Payments,
    request_id: &str,
    schedule_id: &str,
) -> Result<(), Refusal> {
    let s = p
        .schedules
        .iter_mut()
        .find(|s| s.id == schedule_id && s.request_id == request_id)
        .ok_or_else(|| {
            Refusal::not_found("PAYMENT_SCHEDULE_NOT_FOUND", "Payment schedule not found")
        })?;
    if s.status != PaymentScheduleStatus::Scheduled {
        return Err(Refusal::bad(format!(
            "Schedule {schedule_id} is already {}",
            s.status
        )));
    }
    s.fails = true;
    Ok(())
}

/// Rejects a pending smart-transfer payment at the payer's bank: `PAYMENT_REJECTED`
/// (`PAYMENT_REJECTED_BY_HOLDER`), `smart_transfer_payment/error`.
pub(crate) fn reject_transfer(p: &mut Payments, id: &str, now: Millis) -> Result<(), Refusal> {
    let t = p
        .transfers
        .iter_mut()
        .find(|t| t.model.id.as_str() == id)
        .ok_or_else(|| {
            Refusal::not_found(
                "SMART_TRANSFER_PAYMENT_NOT_FOUND",
                "Smart Transfer Payment not found",
            )
        })?;
    if t.model.status != SmartTransferPaymentStatus::PaymentPending {
        return Err(Refusal::bad(format!(
            "Smart transfer payment {id} is already {}",
            t.model.status
        )));
    }
    t.model.status = SmartTransferPaymentStatus::PaymentRejected;
    t.model.updated_at = ts(now);
    t.model.error_detail = Some(pluggy_core::models::SmartTransferPaymentErrorDetail {
        code: Some(pluggy_core::models::SmartTransferPaymentErrorCode::PaymentRejectedByHolder),
        description: Some("Payment rejected by the payer's institution".to_owned()),
        detail: None,
    });
    let client_id = t.client_id.clone();
    let mut e = event(WebhookEvent::SmartTransferPaymentError);
    e.smart_transfer_payment_id = Some(t.model.id.clone());
    e.preauthorization_id = Some(t.model.preauthorization_id.clone());
    p.raise(&client_id, None, WebhookEvent::SmartTransferPaymentError, e);
    Ok(())
}

/// Cancels an intent that has not ended: `CANCELED`, and the request with it.
pub(crate) fn cancel_intent(st: &mut State, id: &str, now: Millis) -> Result<(), Refusal> {
    waiting_intent(&mut st.payments, None, id)?;
    let p = &mut st.payments;
    p.timers.retain(|(_, _, t)| {
        *t != Timer::Pending(id.to_owned()) && *t != Timer::Complete(id.to_owned())
    });
    p.set_intent_status(id, PaymentIntentStatus::Canceled, now);
    Ok(())
}

/// The payer rejects the consent: `CONSENT_REJECTED` (`REJEITADO_USUARIO`), the request `ERROR`.
pub(crate) fn reject_intent(st: &mut State, id: &str, now: Millis) -> Result<(), Refusal> {
    let i = waiting_intent(&mut st.payments, None, id)?;
    if i.status == PaymentIntentStatus::ConsentAuthorized
        || i.status == PaymentIntentStatus::PaymentPending
    {
        return Err(Refusal::bad(format!(
            "Payment intent {id} is already {}; settle it instead",
            i.status
        )));
    }
    i.error = Some(error_detail(
        PaymentIntentErrorCode::RejeitadoUsuario,
        "Consent rejected by the payer",
    ));
    st.payments
        .set_intent_status(id, PaymentIntentStatus::ConsentRejected, now);
    Ok(())
}

/// The consent lapses: `CONSENT_REJECTED` with `TEMPO_EXPIRADO_AUTORIZACAO` (Pluggy's final
/// status for a consent that expired), the request `EXPIRED`.
pub(crate) fn expire_intent(st: &mut State, id: &str, now: Millis) -> Result<(), Refusal> {
    let i = waiting_intent(&mut st.payments, None, id)?;
    if i.status == PaymentIntentStatus::ConsentAuthorized
        || i.status == PaymentIntentStatus::PaymentPending
    {
        return Err(Refusal::bad(format!(
            "Payment intent {id} is already {}",
            i.status
        )));
    }
    i.error = Some(error_detail(
        PaymentIntentErrorCode::TempoExpiradoAutorizacao,
        "The consent was not authorized in time",
    ));
    st.payments
        .set_intent_status(id, PaymentIntentStatus::ConsentRejected, now);
    Ok(())
}

/// Ends an intent's payment now: `PAYMENT_COMPLETED`, or `PAYMENT_REJECTED`
/// (`SALDO_INSUFICIENTE`) when `completed` is false. A consent not yet authorized is
/// authorized first.
pub(crate) fn settle_intent(
    st: &mut State,
    id: &str,
    completed: bool,
    now: Millis,
) -> Result<(), Refusal> {
    let status = waiting_intent(&mut st.payments, None, id)?.status.clone();
    if status != PaymentIntentStatus::ConsentAuthorized
        && status != PaymentIntentStatus::PaymentPending
    {
        authorize_intent(st, id, now)?;
    }
    let p = &mut st.payments;
    p.timers.retain(|(_, _, t)| {
        *t != Timer::Pending(id.to_owned()) && *t != Timer::Complete(id.to_owned())
    });
    finish_intent(p, id, completed, now);
    Ok(())
}

fn finish_intent(p: &mut Payments, id: &str, completed: bool, now: Millis) {
    let Some(i) = p.intent_mut(id) else {
        return;
    };
    if completed {
        i.end_to_end_id = Some(end_to_end_id("99999999", now, id));
        p.set_intent_status(id, PaymentIntentStatus::PaymentCompleted, now);
    } else {
        i.error = Some(error_detail(
            PaymentIntentErrorCode::SaldoInsuficiente,
            "Insufficient funds",
        ));
        p.set_intent_status(id, PaymentIntentStatus::PaymentRejected, now);
    }
}

fn error_detail(code: PaymentIntentErrorCode, detail: &str) -> PaymentIntentErrorDetail {
    PaymentIntentErrorDetail {
        code,
        provider_code: None,
        provider_title: None,
        provider_detail: Some(detail.to_owned()),
    }
}

/// The payment page's action: an intent at the chosen bank, then the payer's answer.
pub(crate) fn pay_request(
    st: &mut State,
    request_id: &str,
    connector_id: u32,
    approve: bool,
    now: Millis,
) -> Result<String, Refusal> {
    let client_id = st
        .payments
        .requests
        .iter()
        .find(|r| r.model.id.as_str() == request_id)
        .map(|r| r.client_id.clone())
        .ok_or_else(request_not_found)?;
    let cpf = st
        .payments
        .request(&client_id, request_id)
        .and_then(|r| r.model.customer.as_ref())
        .and_then(|c| c.cpf.clone());
    let id = start_intent(
        st,
        NewIntent {
            client_id: &client_id,
            request_id,
            connector_id,
            cpf,
            cnpj: None,
            name: None,
        },
        now,
    )?;
    if approve {
        authorize_intent(st, &id, now)?;
    } else {
        reject_intent(st, &id, now)?;
    }
    Ok(id)
}

/// Cancels one scheduled payment of a request, or all of them (`scheduled_payment/canceled`
/// each); the request is `CANCELED` once none is left to pay and none was paid.
pub(crate) fn cancel_schedules(
    p: &mut Payments,
    request_id: &str,
    only: Option<&str>,
    now: Millis,
) -> Result<(), Refusal> {
    if let Some(sid) = only {
        let s = p
            .schedules
            .iter()
            .find(|s| s.id == sid && s.request_id == request_id)
            .ok_or_else(|| {
                Refusal::not_found("PAYMENT_SCHEDULE_NOT_FOUND", "Payment schedule not found")
            })?;
        if s.status != PaymentScheduleStatus::Scheduled {
            return Err(Refusal::bad(format!(
                "Schedule {sid} is {} and cannot be canceled",
                s.status
            )));
        }
    }
    let Some(r) = p.request_mut(request_id) else {
        return Err(request_not_found());
    };
    let (client_id, url, rid) = (
        r.client_id.clone(),
        r.webhook_url.clone(),
        r.model.id.clone(),
    );
    let targets: Vec<String> = p
        .schedules
        .iter()
        .filter(|s| s.request_id == request_id && s.status == PaymentScheduleStatus::Scheduled)
        .filter(|s| only.is_none_or(|o| o == s.id))
        .map(|s| s.id.clone())
        .collect();
    for sid in targets {
        if let Some(s) = p.schedules.iter_mut().find(|s| s.id == sid) {
            s.status = PaymentScheduleStatus::Canceled;
        }
        let mut e = event(WebhookEvent::ScheduledPaymentCanceled);
        e.payment_request_id = Some(rid.clone());
        e.scheduled_payment_id = Some(sid);
        p.raise(
            &client_id,
            url.clone(),
            WebhookEvent::ScheduledPaymentCanceled,
            e,
        );
    }
    schedules_done(p, request_id, now);
    Ok(())
}

/// Once every schedule of a request is final: `COMPLETED` (and
/// `scheduled_payment/all_completed`) if any was paid, `CANCELED` if all were canceled,
/// `ERROR` otherwise.
fn schedules_done(p: &mut Payments, request_id: &str, now: Millis) {
    let of: Vec<&ScheduleRec> = p
        .schedules
        .iter()
        .filter(|s| s.request_id == request_id)
        .collect();
    if of.is_empty() || of.iter().any(|s| !s.status.is_final()) {
        return;
    }
    let any_paid = of
        .iter()
        .any(|s| s.status == PaymentScheduleStatus::Completed);
    let all_canceled = of
        .iter()
        .all(|s| s.status == PaymentScheduleStatus::Canceled);
    let all_paid = of
        .iter()
        .all(|s| s.status == PaymentScheduleStatus::Completed);
    let status = if all_canceled {
        PaymentRequestStatus::Canceled
    } else if any_paid {
        PaymentRequestStatus::Completed
    } else {
        PaymentRequestStatus::Error
    };
    if all_paid {
        if let Some(r) = p.request_mut(request_id) {
            let (client_id, url) = (r.client_id.clone(), r.webhook_url.clone());
            let mut e = event(WebhookEvent::ScheduledPaymentAllCompleted);
            e.payment_request_id = Some(r.model.id.clone());
            p.raise(
                &client_id,
                url,
                WebhookEvent::ScheduledPaymentAllCompleted,
                e,
            );
        }
    }
    p.set_request_status(request_id, status, now);
}

/// Revokes an Automatic Pix mandate: the request `CANCELED`, its scheduled payments canceled.
pub(crate) fn cancel_mandate(p: &mut Payments, request_id: &str, now: Millis) {
    let pending: Vec<String> = p
        .auto_pix
        .iter()
        .filter(|a| a.request_id == request_id)
        .filter(|a| {
            matches!(
                a.status,
                AutomaticPixPaymentStatus::Scheduled | AutomaticPixPaymentStatus::Created
            )
        })
        .map(|a| a.id.clone())
        .collect();
    for id in pending {
        let _ = cancel_auto_pix(p, &id);
    }
    p.set_request_status(request_id, PaymentRequestStatus::Canceled, now);
}

/// Schedules a smart-transfer payment's completion one step after its creation.
pub(crate) fn start_transfer(p: &mut Payments, rec: TransferRec, now: Millis) {
    p.at(
        now + SETTLE_STEP_MS,
        Timer::Transfer(rec.model.id.as_str().to_owned()),
    );
    p.transfers.push(rec);
}

/// The payer answers a smart-transfer preauthorization's consent:
/// `COMPLETED` (`smart_transfer_preauthorization/completed`) or `REJECTED`
/// (`smart_transfer_preauthorization/error`).
pub(crate) fn answer_preauthorization(
    p: &mut Payments,
    id: &str,
    approve: bool,
    now: Millis,
) -> Result<(), Refusal> {
    let pre = p
        .preauthorizations
        .iter_mut()
        .find(|x| x.model.id.as_str() == id)
        .ok_or_else(|| {
            Refusal::not_found(
                "SMART_TRANSFER_PREAUTHORIZATION_NOT_FOUND",
                "Smart Transfer Preauthorization not found",
            )
        })?;
    if pre.model.status != SmartTransferPreauthorizationStatus::Created {
        return Err(Refusal::bad(format!(
            "Preauthorization {id} is already {}",
            pre.model.status
        )));
    }
    let (status, name) = if approve {
        (
            SmartTransferPreauthorizationStatus::Completed,
            WebhookEvent::SmartTransferPreauthorizationCompleted,
        )
    } else {
        (
            SmartTransferPreauthorizationStatus::Rejected,
            WebhookEvent::SmartTransferPreauthorizationError,
        )
    };
    pre.model.status = status;
    pre.model.updated_at = Some(ts(now));
    let client_id = pre.client_id.clone();
    let mut e = event(name.clone());
    e.preauthorization_id = Some(pre.model.id.clone());
    p.raise(&client_id, None, name, e);
    Ok(())
}

/// Schedules a new boleto's passage to `OVERDUE` the day after its due date.
pub(crate) fn issue_boleto(p: &mut Payments, rec: BoletoRec) {
    let due = start_of(rec.model.due_date) + DAY_MS;
    p.at(due, Timer::Overdue(rec.model.id.as_str().to_owned()));
    p.boletos.push(rec);
}

/// Changes a boleto's status, raising `boleto/updated`.
fn boleto_updated(p: &mut Payments, id: &str) {
    let Some(b) = p.boletos.iter().find(|b| b.model.id.as_str() == id) else {
        return;
    };
    let client_id = b.client_id.clone();
    let mut e = event(WebhookEvent::BoletoUpdated);
    e.boleto_id = Some(b.model.id.clone());
    e.data = Some(json!({ "status": b.model.status.as_str() }));
    p.raise(&client_id, None, WebhookEvent::BoletoUpdated, e);
}

/// Cancels an open or overdue boleto.
pub(crate) fn cancel_boleto(
    p: &mut Payments,
    client_id: &str,
    id: &str,
) -> Result<Boleto, Refusal> {
    let b = p
        .boletos
        .iter_mut()
        .find(|b| b.model.id.as_str() == id && b.client_id == client_id)
        .ok_or_else(boleto_not_found)?;
    if !matches!(b.model.status, BoletoStatus::Open | BoletoStatus::Overdue) {
        return Err(Refusal::bad(format!(
            "Boleto {id} is {} and cannot be cancelled",
            b.model.status
        )));
    }
    b.model.status = BoletoStatus::Cancelled;
    let model = b.model.clone();
    boleto_updated(p, id);
    Ok(model)
}

/// `BOLETO_NOT_FOUND`.
pub(crate) fn boleto_not_found() -> Refusal {
    Refusal::not_found("BOLETO_NOT_FOUND", "Boleto not found")
}

/// The payer pays a boleto (the tester's route): `PAID` with the amount, origin and instant.
pub(crate) fn pay_boleto(
    p: &mut Payments,
    id: &str,
    amount: Option<Decimal>,
    origin: BoletoPaymentOrigin,
    now: Millis,
) -> Result<Boleto, Refusal> {
    let b = p
        .boletos
        .iter_mut()
        .find(|b| b.model.id.as_str() == id)
        .ok_or_else(boleto_not_found)?;
    if !matches!(b.model.status, BoletoStatus::Open | BoletoStatus::Overdue) {
        return Err(Refusal::bad(format!(
            "Boleto {id} is {} and cannot be paid",
            b.model.status
        )));
    }
    let amount = amount.unwrap_or(b.model.amount);
    if amount <= Decimal::ZERO {
        return Err(Refusal::bad("amount must be greater than 0"));
    }
    b.model.status = BoletoStatus::Paid;
    b.model.amount_paid = Some(amount);
    b.model.payment_origin = Some(origin);
    b.model.paid_at = Some(ts(now));
    let model = b.model.clone();
    boleto_updated(p, id);
    Ok(model)
}

impl State {
    /// Applies every payment timer due at `now` and queues the payment webhooks raised since
    /// the last call.
    pub(crate) fn advance_payments(&mut self, now: Millis) {
        loop {
            let p = &mut self.payments;
            let Some(idx) = p
                .timers
                .iter()
                .enumerate()
                .filter(|(_, (at, ..))| *at <= now)
                .min_by_key(|(_, (at, seq, _))| (*at, *seq))
                .map(|(i, _)| i)
            else {
                break;
            };
            let (at, _, timer) = p.timers.remove(idx);
            fire(p, timer, at);
        }
        let raised = std::mem::take(&mut self.payments.raised);
        for r in raised {
            webhooks::raise_payment(self, &r.client_id, r.url.as_deref(), r.event, r.payload);
        }
    }
}

fn fire(p: &mut Payments, timer: Timer, at: Millis) {
    let intent_status = |p: &Payments, id: &str| {
        p.intents
            .iter()
            .find(|i| i.id == id)
            .map(|i| i.status.clone())
    };
    match timer {
        Timer::AskConsent(id) => {
            if intent_status(p, &id) == Some(PaymentIntentStatus::Started) {
                p.set_intent_status(&id, PaymentIntentStatus::ConsentAwaitingAuthorization, at);
            }
        }
        Timer::ExpireConsent(id) => {
            if matches!(
                intent_status(p, &id),
                Some(
                    PaymentIntentStatus::Started
                        | PaymentIntentStatus::ConsentAwaitingAuthorization
                )
            ) {
                if let Some(i) = p.intent_mut(&id) {
                    i.error = Some(error_detail(
                        PaymentIntentErrorCode::TempoExpiradoAutorizacao,
                        "The consent was not authorized in time",
                    ));
                }
                p.set_intent_status(&id, PaymentIntentStatus::ConsentRejected, at);
            }
        }
        Timer::Pending(id) => {
            if intent_status(p, &id) == Some(PaymentIntentStatus::ConsentAuthorized) {
                p.set_intent_status(&id, PaymentIntentStatus::PaymentPending, at);
                p.at(at + SETTLE_STEP_MS, Timer::Complete(id));
            }
        }
        Timer::Complete(id) => {
            if intent_status(p, &id) == Some(PaymentIntentStatus::PaymentPending) {
                finish_intent(p, &id, true, at);
            }
        }
        Timer::Schedule(sid) => {
            let Some(s) = p.schedules.iter_mut().find(|s| s.id == sid) else {
                return;
            };
            if s.status != PaymentScheduleStatus::Scheduled {
                return;
            }
            let name = if s.fails {
                s.status = PaymentScheduleStatus::Error;
                WebhookEvent::ScheduledPaymentError
            } else {
                s.status = PaymentScheduleStatus::Completed;
                s.end_to_end_id = Some(end_to_end_id("99999999", at, &sid));
                WebhookEvent::ScheduledPaymentCompleted
            };
            let request_id = s.request_id.clone();
            if let Some(r) = p.request_mut(&request_id) {
                let (client_id, url) = (r.client_id.clone(), r.webhook_url.clone());
                let mut e = event(name.clone());
                e.payment_request_id = Some(r.model.id.clone());
                e.scheduled_payment_id = Some(sid);
                p.raise(&client_id, url, name, e);
            }
            schedules_done(p, &request_id, at);
        }
        Timer::AutoPix(id) => {
            let Some(a) = p.auto_pix.iter_mut().find(|a| a.id == id) else {
                return;
            };
            if a.status != AutomaticPixPaymentStatus::Scheduled {
                return;
            }
            let name = if a.fails {
                a.status = AutomaticPixPaymentStatus::Error;
                WebhookEvent::AutomaticPixPaymentError
            } else {
                a.status = AutomaticPixPaymentStatus::Completed;
                a.end_to_end_id = Some(end_to_end_id("99999999", at, &id));
                WebhookEvent::AutomaticPixPaymentCompleted
            };
            auto_pix_event(p, &id, name);
        }
        Timer::Transfer(id) => {
            let Some(t) = p.transfers.iter_mut().find(|t| t.model.id.as_str() == id) else {
                return;
            };
            if t.model.status != SmartTransferPaymentStatus::PaymentPending {
                return;
            }
            t.model.status = SmartTransferPaymentStatus::PaymentCompleted;
            t.model.updated_at = ts(at);
            let client_id = t.client_id.clone();
            let mut e = event(WebhookEvent::SmartTransferPaymentCompleted);
            e.smart_transfer_payment_id = Some(t.model.id.clone());
            e.preauthorization_id = Some(t.model.preauthorization_id.clone());
            p.raise(
                &client_id,
                None,
                WebhookEvent::SmartTransferPaymentCompleted,
                e,
            );
        }
        Timer::Overdue(id) => {
            let Some(b) = p.boletos.iter_mut().find(|b| b.model.id.as_str() == id) else {
                return;
            };
            if b.model.status == BoletoStatus::Open {
                b.model.status = BoletoStatus::Overdue;
                boleto_updated(p, &id);
            }
        }
    }
}

/// Queues the webhooks raised by a handler's change (the handler runs after `advance`).
pub(crate) fn flush_raised(st: &mut State) {
    let raised = std::mem::take(&mut st.payments.raised);
    for r in raised {
        webhooks::raise_payment(st, &r.client_id, r.url.as_deref(), r.event, r.payload);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_to_end_ids_have_the_pix_shape() {
        let id = end_to_end_id("99999999", 1_767_225_600_000, "ab12-cd34-ef56-7890-xyz");
        assert_eq!(id.len(), 1 + 8 + 12 + 11);
        assert!(id.starts_with("E99999999202601010000"));
    }

    #[test]
    fn institutions_have_unique_ids() {
        let list = institutions();
        let mut ids: Vec<_> = list.iter().map(|i| i.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), list.len());
        assert!(institution(list[0].id.as_str()).is_some());
        assert!(institution("nope").is_none());
    }
}
