//! `pluggy demo --payments`: a Pix payment, end to end, narrated like the item flow.
//!
//! Without `--base-url` it starts the emulator in this process and a webhook receiver of its
//! own on 127.0.0.1. Nine steps, each verdict read from the API's answer:
//!
//! 1. backend: client credentials → API key;
//! 2. backend: the demo's receiver subscribed to every event (`POST /webhooks`);
//! 3. a recipient: the institutions a recipient may bank at, and a bank account there;
//! 4. a customer: the payer, with a CPF;
//! 5. a payment request of 12.34 to the recipient, paid by the customer, with its payment page;
//! 6. the payer: picks a sandbox bank on the payment page (`POST /payments/intents`, what the
//!    page does) and approves the consent at the bank (on an emulator its tester route, what
//!    the bank's page does; elsewhere the person running the demo, at the consent page);
//! 7. the intent's statuses, followed until it settles;
//! 8. the webhooks: `payment_intent/*` and `payment_request/updated` for the request;
//! 9. the request, settled: `COMPLETED`, for the amount asked.
//!
//! The first failing step ends the demo; its number and title are in the error, and the exit
//! code tells the kind of failure. The webhook subscription is removed at the end either way.

use std::net::SocketAddr;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use pluggy_blocking::Client;
use pluggy_core::endpoint::{Access, Endpoint, Idempotency, Method, View};
use pluggy_core::http::Credential;
use pluggy_core::models::{
    ConnectorFilters, CreatePaymentCustomer, CreatePaymentIntent, CreatePaymentRecipient,
    CreatePaymentRequest, CreateWebhook, PaymentInstitutionFilters, PaymentIntent,
    PaymentIntentParameters, PaymentRecipientAccount, PaymentRequest, PaymentRequestStatus,
};
use pluggy_core::webhook::WebhookPayload;
use pluggy_core::{Call, PaymentRequestId, WaitPolicy, WebhookEvent, WebhookId};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::fail::{Failure, Kind};
use crate::narration::{DemoOptions, Transcript, collect_deliveries, expiry_json, stage};
use crate::output::{money, sanitize};
use crate::receiver::{Delivery, Event, Receiver};
use crate::settings::{Settings, is_local, poll_interval};

/// How many steps the payments demo has.
const STEPS: u8 = 9;

/// What the demo asks for: 12.34 reais.
const AMOUNT: Decimal = Decimal::from_parts(1234, 0, 0, false, 2);

/// The demo recipient's CNPJ (a well-formed one, of no real company).
const RECIPIENT_CNPJ: &str = "11.222.333/0001-81";

/// The demo payer's CPF (well formed, of no real person).
const PAYER_CPF: &str = "529.982.247-25";

/// The emulator's tester route that approves an intent's consent, as the payer would at the
/// bank's page. Only an emulator serves it.
static APPROVE_INTENT: Endpoint = Endpoint {
    name: "emulator-payment-intent-authorize",
    method: Method::Post,
    path: "/__emulator/payments/intents/{id}/authorize",
    route: "POST /__emulator/payments/intents/{id}/authorize",
    path_params: &["id"],
    query_params: &[],
    has_body: false,
    access: Access::Public,
    connect_token_view: View::Full,
    idempotency: Idempotency::NotIdempotent,
    rate_limit_per_minute: None,
};

/// Runs the payments demo.
pub fn run(settings: &Settings, options: &DemoOptions) -> Result<(), Failure> {
    let started = Instant::now();
    let transcript = Transcript {
        json: settings.json,
        steps: STEPS,
    };
    let (embedded, settings) = stage(settings, options)?;
    let base_url = settings.base_url().to_owned();
    if !transcript.json {
        match &embedded {
            Some(_) => println!(
                "pluggy demo --payments: a Pix payment, end to end, against the emulator at \
                 {base_url}\n(started in this process: no network, no credentials needed)"
            ),
            None => {
                println!("pluggy demo --payments: a Pix payment, end to end, against {base_url}")
            }
        }
    }

    let (events_tx, events) = mpsc::channel::<Event>();
    let receiver = if is_local(&base_url) {
        let bind: SocketAddr = ([127, 0, 0, 1], 0).into();
        let receiver = Receiver::start(bind, Vec::new(), move |event| {
            let _ = events_tx.send(event);
        })
        .map_err(|e| Failure::other(format!("cannot start the webhook receiver: {e}")))?;
        Some(receiver)
    } else {
        None
    };
    let webhook_url = receiver
        .as_ref()
        .map(|r| format!("http://{}/webhooks/pluggy", r.addr()));

    // 1. Client credentials → API key.
    let backend = transcript.step(
        1,
        "api-key",
        "backend: client credentials → API key",
        || {
            let (key, expiry) = settings.fetch_api_key()?;
            let (client_id, _) = settings.credentials()?;
            transcript.line(format!(
                "POST /auth with client id {}: API key received",
                client_id.as_str()
            ));
            transcript.line(format!(
                "it {}; the key itself is never printed; every payments call takes it",
                expiry.describe("2 hours")
            ));
            let client = settings.client_with_key(key)?;
            Ok((client, expiry_json(&expiry)))
        },
    )?;

    let mut subscription: Option<WebhookId> = None;
    let outcome = walk(
        &transcript,
        &settings,
        &backend,
        webhook_url.as_deref(),
        &events,
        options,
        &mut subscription,
    );
    // The subscription would go on sending this application's events to a receiver that is
    // gone.
    if let Some(id) = subscription {
        if let Err(e) = backend.delete_webhook(&id) {
            eprintln!(
                "pluggy: the demo's webhook subscription {} could not be removed: {}",
                sanitize(id.as_str()),
                sanitize(&e.to_string())
            );
        }
    }
    outcome?;

    drop(receiver);
    drop(embedded);
    if !transcript.json {
        println!(
            "\ndone: all {STEPS} steps succeeded in {:.1}s",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Steps 2 to 9; `subscription` gets the webhook made in step 2, for removal.
fn walk(
    transcript: &Transcript,
    settings: &Settings,
    backend: &Client,
    webhook_url: Option<&str>,
    events: &mpsc::Receiver<Event>,
    options: &DemoOptions,
    subscription: &mut Option<WebhookId>,
) -> Result<(), Failure> {
    // 2. The receiver subscribed.
    transcript.step(
        2,
        "webhook",
        "backend: the demo's receiver subscribed to the payment events",
        || match webhook_url {
            Some(url) => {
                let created = backend
                    .create_webhook(&CreateWebhook {
                        url: url.to_owned(),
                        event: WebhookEvent::All,
                        headers: None,
                    })
                    .map_err(|e| {
                        let refused_url = e.status() == Some(400);
                        let failure = Failure::from(e);
                        if refused_url {
                            failure.context(
                                "the API refused the demo's local webhook URL (an emulator \
                                 needs --allow-insecure-webhooks; `pluggy emulator` allows it \
                                 by default)",
                            )
                        } else {
                            failure
                        }
                    })?;
                transcript.line(format!(
                    "POST /webhooks for event \"{}\" at {url} (the demo's receiver): webhook {}",
                    created.event, created.id
                ));
                *subscription = Some(created.id.clone());
                let data = json!({ "webhookId": created.id.as_str(), "url": url });
                Ok(((), data))
            }
            None => {
                transcript.line(format!(
                    "skipped: {} cannot reach a receiver on this machine",
                    settings.base_url()
                ));
                Ok(((), json!({ "skipped": true })))
            }
        },
    )?;

    // 3. A recipient.
    let recipient = transcript.step(
        3,
        "recipient",
        "backend: a recipient, the bank account that receives",
        || {
            let filters = PaymentInstitutionFilters::default();
            let page = backend.list_payment_institutions(&filters)?;
            let Some(institution) = page.results.first() else {
                return Err(Failure::new(
                    Kind::Api,
                    "GET /payments/recipients/institutions listed no institution",
                ));
            };
            transcript.line(format!(
                "GET /payments/recipients/institutions: {} institutions on the first page; \
                 the account is at {} (ISPB {})",
                page.results.len(),
                display_name(&institution.trade_name, &institution.name),
                institution.ispb
            ));
            let request = CreatePaymentRecipient::new(
                RECIPIENT_CNPJ,
                "Loja Demo Ltda",
                institution.id.clone(),
                PaymentRecipientAccount::checking("0001", "12345-6"),
            );
            let recipient = backend.create_payment_recipient(&request)?;
            transcript.line(format!(
                "POST /payments/recipients, CNPJ {RECIPIENT_CNPJ}, branch 0001, account 12345-6: \
                 recipient {} \"{}\"",
                recipient.id, recipient.name
            ));
            let data = json!({
                "recipientId": recipient.id.as_str(),
                "institutionId": institution.id.as_str(),
                "name": recipient.name,
                "taxNumber": recipient.tax_number,
            });
            Ok((recipient, data))
        },
    )?;

    // 4. A customer.
    let customer = transcript.step(4, "customer", "backend: a customer, the payer", || {
        let request = CreatePaymentCustomer::individual("Maria Demo", PAYER_CPF)
            .with_email("maria.demo@example.com");
        let customer = backend.create_payment_customer(&request)?;
        transcript.line(format!(
            "POST /payments/customers, CPF {PAYER_CPF}: customer {} \"{}\" ({})",
            customer.id,
            customer.name,
            customer
                .kind
                .as_ref()
                .map(|k| k.to_string())
                .unwrap_or_else(|| "no type given".into())
        ));
        let data = json!({
            "customerId": customer.id.as_str(),
            "name": customer.name,
            "cpf": customer.cpf,
        });
        Ok((customer, data))
    })?;

    // 5. The payment request.
    let request = transcript.step(
        5,
        "payment-request",
        "backend: a payment request of 12.34 and its payment page",
        || {
            let body = CreatePaymentRequest::new(AMOUNT)
                .with_description("pluggy demo --payments")
                .with_recipient(recipient.id.clone())
                .with_customer(customer.id.clone());
            let request = backend.create_payment_request(&body)?;
            if request.amount != Some(AMOUNT) {
                return Err(Failure::new(
                    Kind::Api,
                    format!(
                        "payment request {} was created for {} instead of {AMOUNT}",
                        request.id,
                        request
                            .amount
                            .map(money)
                            .unwrap_or_else(|| "no amount".into())
                    ),
                ));
            }
            if request.payment_url.is_empty() {
                return Err(Failure::new(
                    Kind::Api,
                    format!("payment request {} has no paymentUrl", request.id),
                ));
            }
            transcript.line(format!(
                "POST /payments/requests for {AMOUNT} to recipient {}, paid by customer {}: \
                 request {}, {}",
                recipient.id, customer.id, request.id, request.status
            ));
            transcript.line(format!(
                "payment page (what the payer opens): {}",
                request.payment_url
            ));
            let data = json!({
                "paymentRequestId": request.id.as_str(),
                "amount": request.amount.map(money),
                "status": request.status.as_str(),
                "paymentUrl": request.payment_url,
            });
            Ok((request, data))
        },
    )?;

    // 6. The payer's approval.
    let intent = transcript.step(
        6,
        "payer",
        "the payer: picks a sandbox bank on the payment page, approves at the bank",
        || payer(transcript, settings, backend, &request),
    )?;

    // 7. The intent's statuses.
    let intent = transcript.step(
        7,
        "intent",
        "the payment intent's statuses, until it settles",
        || follow_intent(transcript, settings, backend, &intent),
    )?;

    // 8. The webhooks.
    transcript.step(
        8,
        "webhooks",
        "webhooks: payment_intent/* and payment_request/updated for the request",
        || match webhook_url {
            Some(_) => webhooks(transcript, events, &request.id, options.webhook_wait),
            None => {
                transcript.line("skipped: no receiver (the API is not on this machine)");
                Ok(((), json!({ "skipped": true })))
            }
        },
    )?;

    // 9. The settled request.
    transcript.step(
        9,
        "settled",
        "backend: the payment request, settled",
        || {
            let settled = backend.get_payment_request(&request.id)?;
            let intents = backend.list_payment_intents(&request.id)?.results;
            transcript.line(format!(
                "GET /payments/requests/{}: {} for {}",
                settled.id,
                settled.status,
                settled
                    .amount
                    .map(money)
                    .unwrap_or_else(|| "no amount".into())
            ));
            transcript.line(format!(
                "GET /payments/intents?paymentRequestId={}: {}",
                settled.id,
                intents
                    .iter()
                    .map(|i| format!("{} {}", i.id, i.status))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            if settled.status != PaymentRequestStatus::Completed {
                return Err(Failure::other(format!(
                    "payment request {} is {}, not COMPLETED",
                    settled.id, settled.status
                )));
            }
            if settled.amount != Some(AMOUNT) {
                return Err(Failure::new(
                    Kind::Api,
                    format!("payment request {} settled for another amount", settled.id),
                ));
            }
            if !intents
                .iter()
                .any(|i| i.id == intent.id && i.status.is_success())
            {
                return Err(Failure::new(
                    Kind::Api,
                    format!(
                        "the request's intents do not list intent {} as PAYMENT_COMPLETED",
                        intent.id
                    ),
                ));
            }
            transcript.line(format!(
                "→ {AMOUNT} paid to \"{}\": the backend marks the order paid on \
                 payment_request/updated, and can always check it here",
                recipient.name
            ));
            let data = json!({
                "paymentRequestId": settled.id.as_str(),
                "status": settled.status.as_str(),
                "amount": settled.amount.map(money),
                "intents": intents
                    .iter()
                    .map(|i| json!({ "id": i.id.as_str(), "status": i.status.as_str() }))
                    .collect::<Vec<_>>(),
            });
            Ok(((), data))
        },
    )?;
    Ok(())
}

/// A trade name, else the legal name.
fn display_name<'a>(trade: &'a str, legal: &'a str) -> &'a str {
    if trade.is_empty() { legal } else { trade }
}

/// Step 6: the payer picks a sandbox bank that initiates payments and the page starts an
/// intent there; then the payer approves the consent at the bank, which on the emulator is
/// its tester route.
fn payer(
    transcript: &Transcript,
    settings: &Settings,
    backend: &Client,
    request: &PaymentRequest,
) -> Result<(PaymentIntent, Value), Failure> {
    // The banks are told apart by what each connector says of itself.
    let connectors = backend.list_connectors(&ConnectorFilters {
        sandbox: Some(true),
        ..Default::default()
    })?;
    let Some(bank) = connectors
        .results
        .iter()
        .find(|c| c.is_sandbox == Some(true) && c.supports_payment_initiation == Some(true))
    else {
        return Err(Failure::new(
            Kind::Api,
            "GET /connectors?sandbox=true listed no sandbox bank with \
             supportsPaymentInitiation: is this a sandbox-enabled application?",
        ));
    };
    transcript.line(format!(
        "the payment page lists the banks that initiate payments; the payer picks {} ({})",
        bank.name,
        bank.id.get()
    ));
    let body = CreatePaymentIntent::new(request.id.clone())
        .with_payer(bank.id, PaymentIntentParameters::cpf(PAYER_CPF));
    let intent = backend.create_payment_intent(&body)?;
    transcript.line(format!(
        "POST /payments/intents (what the page sends): intent {}, {}",
        intent.id, intent.status
    ));
    if let Some(url) = &intent.consent_url {
        transcript.line(format!("consent page at the bank: {url}"));
    }
    if intent.status.is_failure() {
        return Err(Failure::new(
            Kind::Api,
            format!("intent {} ended at once: {}", intent.id, intent.status),
        ));
    }
    if !is_local(settings.base_url()) {
        // A real bank's consent page needs a person: the next step waits for them.
        transcript.line(format!(
            "approve the payment at the bank now: {}",
            intent
                .consent_url
                .as_deref()
                .unwrap_or(&request.payment_url)
        ));
        let data = json!({
            "connectorId": bank.id.get(),
            "connector": bank.name,
            "paymentIntentId": intent.id.as_str(),
            "status": intent.status.as_str(),
            "approvedWith": "the payer, at the bank",
        });
        return Ok((intent, data));
    }
    let route = APPROVE_INTENT.path.replace("{id}", intent.id.as_str());
    let call = Call::new(&APPROVE_INTENT).path_param("id", intent.id.as_str());
    let raw = settings.send(&call, Credential::None)?;
    if !(200..300).contains(&raw.status()) {
        return Err(Failure::new(
            Kind::Api,
            format!(
                "POST {route} answered {}: this API on this machine is not an emulator with \
                 the payment tester routes",
                raw.status()
            ),
        ));
    }
    transcript.line(format!(
        "the payer approves at the bank: POST {route} (the emulator's tester route, as the \
         bank's consent page would)"
    ));
    let data = json!({
        "connectorId": bank.id.get(),
        "connector": bank.name,
        "paymentIntentId": intent.id.as_str(),
        "status": intent.status.as_str(),
        "approvedWith": route,
    });
    Ok((intent, data))
}

/// Step 7: the intent followed to its end, each new status a line.
fn follow_intent(
    transcript: &Transcript,
    settings: &Settings,
    backend: &Client,
    intent: &PaymentIntent,
) -> Result<(PaymentIntent, Value), Failure> {
    let started = Instant::now();
    let mut statuses: Vec<String> = vec![intent.status.to_string()];
    transcript.line(format!("  {:>5.1}s  {}", 0.0, intent.status));
    // On an emulator the tester route approved at once; a person at a real bank takes longer.
    let deadline = if is_local(settings.base_url()) {
        Duration::from_secs(120)
    } else {
        Duration::from_secs(600)
    };
    let policy = WaitPolicy {
        poll_interval: poll_interval(settings),
        deadline,
    };
    let on_progress = |i: &PaymentIntent| {
        let now = i.status.to_string();
        if statuses.last() != Some(&now) {
            transcript.line(format!(
                "  {:>5.1}s  {now}",
                started.elapsed().as_secs_f64()
            ));
            statuses.push(now);
        }
    };
    let settled = backend.wait_for_payment_intent(&intent.id, policy, on_progress)?;
    if !settled.status.is_success() {
        return Err(Failure::other(format!(
            "intent {} ended {}{}",
            settled.id,
            settled.status,
            settled
                .error_detail
                .as_ref()
                .map(|e| format!(" ({})", e.code))
                .unwrap_or_default()
        )));
    }
    transcript.line(format!(
        "settled in {:.1}s: the money is at the recipient's account",
        started.elapsed().as_secs_f64()
    ));
    let data = json!({ "paymentIntentId": settled.id.as_str(), "statuses": statuses });
    Ok((settled, data))
}

/// Step 8: the deliveries about the request, until `payment_request/updated` says
/// `COMPLETED`.
fn webhooks(
    transcript: &Transcript,
    events: &mpsc::Receiver<Event>,
    request: &PaymentRequestId,
    wait: Duration,
) -> Result<((), Value), Failure> {
    let deadline = Instant::now() + wait;
    let about_request = |d: &Delivery| match &d.payload {
        WebhookPayload::Payment(e) => e.payment_request_id.as_ref() == Some(request),
        _ => false,
    };
    let is_final = |d: &Delivery| match &d.payload {
        WebhookPayload::Payment(e) => {
            e.event == WebhookEvent::PaymentRequestUpdated
                && e.payment_request_id.as_ref() == Some(request)
                && e.status() == Some("COMPLETED")
        }
        _ => false,
    };
    let received = collect_deliveries(transcript, events, deadline, is_final);
    let mut listed = Vec::new();
    for d in received.iter().filter(|d| about_request(d)) {
        let WebhookPayload::Payment(e) = &d.payload else {
            continue;
        };
        transcript.line(format!(
            "{:<34} request {}{}{}{}",
            e.event.as_str(),
            request,
            e.payment_intent_id
                .as_ref()
                .map(|i| format!("  intent {i}"))
                .unwrap_or_default(),
            e.status()
                .map(|s| format!("  status {s}"))
                .unwrap_or_default(),
            if d.duplicate {
                "  (repeat, ignored)"
            } else {
                ""
            }
        ));
        listed.push(d.raw.clone());
    }
    let intent_events = received
        .iter()
        .filter(|d| about_request(d))
        .filter(|d| d.payload.event().as_str().starts_with("payment_intent/"))
        .count();
    if !received.iter().any(is_final) {
        return Err(Failure::other(format!(
            "no payment_request/updated webhook with status COMPLETED for request {request} \
             arrived within {}s ({} deliveries about it)",
            wait.as_secs(),
            listed.len()
        )));
    }
    if intent_events == 0 {
        return Err(Failure::other(format!(
            "no payment_intent/* webhook for request {request} arrived"
        )));
    }
    transcript
        .line("→ the backend learns of the payment from payment_request/updated, without polling");
    Ok((
        (),
        json!({ "paymentRequestId": request.as_str(), "events": listed }),
    ))
}
