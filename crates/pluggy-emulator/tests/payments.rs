//! Payments against the emulator: every operation's happy path and not-found, the intent's
//! status machine through the tester routes, the payment page and the clock, the request
//! following it, schedules, Automatic Pix, smart transfers and boletos, their webhooks,
//! validation errors, connect-token refusals and determinism.

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use pluggy_emulator::RunningEmulator;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const CPF: &str = "52998224725";
const CNPJ: &str = "11222333000181";
/// The sandbox bank that initiates payments.
const BANK: u32 = 600;
const NON_EXISTENT: &str = "00000000-0000-0000-0000-000000000000";

/// The JSON bodies a receiver on 127.0.0.1 got (it always answers 200).
type Received = Arc<Mutex<Vec<Value>>>;

async fn receiver() -> (SocketAddr, Received) {
    receiver_answering(Vec::new()).await
}

/// A receiver answering with `statuses` in turn, then 200.
async fn receiver_answering(statuses: Vec<u16>) -> (SocketAddr, Received) {
    let script = Arc::new(Mutex::new(std::collections::VecDeque::from(statuses)));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let got: Received = Arc::default();
    let sink = got.clone();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let sink = sink.clone();
            let script = script.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let n = s.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buf[..p]).to_lowercase();
                    let len = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if buf.len() >= p + 4 + len {
                        let body =
                            serde_json::from_slice(&buf[p + 4..p + 4 + len]).unwrap_or(Value::Null);
                        sink.lock().unwrap().push(body);
                        let status = script.lock().unwrap().pop_front().unwrap_or(200);
                        let answer = format!(
                            "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        );
                        let _ = s.write_all(answer.as_bytes()).await;
                        return;
                    }
                }
            });
        }
    });
    (addr, got)
}

/// Waits until the receiver has an event matching `f`, and returns it.
async fn event(got: &Received, f: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..300 {
        if let Some(v) = got.lock().unwrap().iter().find(|v| f(v)) {
            return v.clone();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no such event among {:?}", got.lock().unwrap());
}

/// Today's date on the emulator's clock, shifted by `days`.
async fn day(emu: &RunningEmulator, days: i64) -> String {
    let now = call(emu, "GET", "/__emulator/clock", None, None)
        .await
        .json();
    let date = &now["now"].as_str().unwrap()[..10];
    let n: Vec<i32> = date.split('-').map(|p| p.parse().unwrap()).collect();
    let month = time::Month::try_from(u8::try_from(n[1]).unwrap()).unwrap();
    let d = time::Date::from_calendar_date(n[0], month, u8::try_from(n[2]).unwrap()).unwrap();
    (d + time::Duration::days(days)).to_string()
}

async fn tester(emu: &RunningEmulator, path: &str, body: Value) -> Resp {
    call(emu, "POST", path, None, Some(&body)).await
}

async fn ok(r: Resp) -> Value {
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

fn assert_error(r: &Resp, status: u16, code: Option<&str>) {
    assert_eq!(r.status, status, "{}", String::from_utf8_lossy(&r.body));
    let body = r.json();
    assert_eq!(body["code"], status, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    if let Some(c) = code {
        assert_eq!(body["codeDescription"], c, "{body}");
    }
}

async fn customer(emu: &RunningEmulator, key: &str) -> String {
    let c = ok(post(
        emu,
        "/payments/customers",
        key,
        json!({"type": "INDIVIDUAL", "name": "Ana Payer", "email": "ana@example.com", "cpf": CPF}),
    )
    .await)
    .await;
    c["id"].as_str().unwrap().to_owned()
}

async fn recipient(emu: &RunningEmulator, key: &str) -> (String, String) {
    let list = ok(get(emu, "/payments/recipients/institutions", key).await).await;
    let institution = list["results"][0]["id"].as_str().unwrap().to_owned();
    let r = ok(post(
        emu,
        "/payments/recipients",
        key,
        json!({
            "taxNumber": CNPJ, "name": "Loja <Exemplo>", "paymentInstitutionId": institution,
            "account": {"branch": "0001", "number": "12345-6", "type": "CHECKING_ACCOUNT"}
        }),
    )
    .await)
    .await;
    (r["id"].as_str().unwrap().to_owned(), institution)
}

async fn request(emu: &RunningEmulator, key: &str, body: Value) -> Value {
    ok(post(emu, "/payments/requests", key, body).await).await
}

async fn intent(emu: &RunningEmulator, key: &str, request_id: &str) -> Value {
    ok(post(
        emu,
        "/payments/intents",
        key,
        json!({"paymentRequestId": request_id, "connectorId": BANK, "parameters": {"cpf": CPF}}),
    )
    .await)
    .await
}

async fn status_of(emu: &RunningEmulator, key: &str, path: &str) -> String {
    ok(get(emu, path, key).await).await["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn customers_crud_and_validation() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let id = customer(&emu, &key).await;
    let list = ok(get(&emu, "/payments/customers?cpf=52998224725", &key).await).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["results"][0]["id"], id.as_str());
    let none = ok(get(&emu, "/payments/customers?name=nobody", &key).await).await;
    assert_eq!(none["total"], 0);
    let path = format!("/payments/customers/{id}");
    assert_eq!(ok(get(&emu, &path, &key).await).await["name"], "Ana Payer");
    let updated = ok(patch(&emu, &path, &key, json!({"name": "Ana Souza"})).await).await;
    assert_eq!(updated["name"], "Ana Souza");
    assert_error(
        &patch(&emu, &path, &key, json!({"cpf": "123"})).await,
        400,
        None,
    );
    let business = ok(post(
        &emu,
        "/payments/customers",
        &key,
        json!({"type": "BUSINESS", "name": "ACME", "cnpj": CNPJ}),
    )
    .await)
    .await;
    assert_eq!(business["type"], "BUSINESS");
    for bad in [
        json!({"type": "INDIVIDUAL", "name": "X", "cpf": "52998224724"}),
        json!({"type": "INDIVIDUAL", "name": "X"}),
        json!({"type": "BUSINESS", "name": "X", "cnpj": "11222333000180"}),
        json!({"type": "INDIVIDUAL", "name": "X", "cpf": CPF, "email": "not-an-email"}),
        json!({"type": "INDIVIDUAL", "name": "", "cpf": CPF}),
        json!({"name": "X", "cpf": CPF}),
    ] {
        assert_error(
            &post(&emu, "/payments/customers", &key, bad).await,
            400,
            None,
        );
    }
    let deleted = delete(&emu, &path, &key).await;
    assert_eq!(deleted.status, 200);
    assert_error(
        &get(&emu, &path, &key).await,
        404,
        Some("PAYMENT_CUSTOMER_NOT_FOUND"),
    );
    assert_error(
        &delete(&emu, &path, &key).await,
        404,
        Some("PAYMENT_CUSTOMER_NOT_FOUND"),
    );
    assert_error(
        &patch(&emu, &path, &key, json!({"name": "x"})).await,
        404,
        Some("PAYMENT_CUSTOMER_NOT_FOUND"),
    );
}

#[tokio::test]
async fn recipients_by_bank_details_or_pix_key_and_institutions() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let institutions = ok(get(&emu, "/payments/recipients/institutions", &key).await).await;
    assert_eq!(institutions["total"], 8);
    let found = ok(get(&emu, "/payments/recipients/institutions?name=nubank", &key).await).await;
    assert_eq!(found["total"], 1);
    assert_eq!(found["results"][0]["ispb"], "18236120");
    let id = found["results"][0]["id"].as_str().unwrap();
    let one = ok(get(
        &emu,
        &format!("/payments/recipients/institutions/{id}"),
        &key,
    )
    .await)
    .await;
    assert_eq!(one["compe"], "260");
    assert_error(
        &get(&emu, "/payments/recipients/institutions/nope", &key).await,
        404,
        Some("PAYMENT_INSTITUTION_NOT_FOUND"),
    );

    let (rid, _) = recipient(&emu, &key).await;
    let path = format!("/payments/recipients/{rid}");
    let r = ok(get(&emu, &path, &key).await).await;
    assert_eq!(r["taxNumber"], CNPJ);
    assert_eq!(
        r["paymentInstitution"]["id"],
        institutions["results"][0]["id"]
    );
    let by_key = ok(post(
        &emu,
        "/payments/recipients",
        &key,
        json!({"pixKey": "loja@example.com"}),
    )
    .await)
    .await;
    assert_eq!(by_key["pixKey"], "loja@example.com");
    assert!(by_key["paymentInstitution"]["id"].is_string());
    let again = ok(post(
        &emu,
        "/payments/recipients",
        &key,
        json!({"pixKey": "loja@example.com"}),
    )
    .await)
    .await;
    assert_eq!(
        again["account"], by_key["account"],
        "a key resolves to one account"
    );
    let by_cpf = ok(post(&emu, "/payments/recipients", &key, json!({"pixKey": CPF})).await).await;
    assert_eq!(by_cpf["taxNumber"], CPF);
    let filtered =
        ok(get(&emu, "/payments/recipients?pixKey=loja%40example.com", &key).await).await;
    assert_eq!(filtered["total"], 2);
    for bad in [
        json!({"pixKey": "not a key"}),
        json!({"pixKey": "+55119"}),
        json!({"taxNumber": "123", "name": "X", "paymentInstitutionId": id, "account": {"branch": "1", "number": "2", "type": "CHECKING_ACCOUNT"}}),
        json!({"taxNumber": CPF, "name": "X", "paymentInstitutionId": "nope", "account": {"branch": "1", "number": "2", "type": "CHECKING_ACCOUNT"}}),
        json!({"taxNumber": CPF, "name": "X", "paymentInstitutionId": id}),
        json!({"name": "X"}),
    ] {
        assert_error(
            &post(&emu, "/payments/recipients", &key, bad).await,
            400,
            None,
        );
    }
    let updated = ok(patch(&emu, &path, &key, json!({"name": "Loja Nova"})).await).await;
    assert_eq!(updated["name"], "Loja Nova");
    assert_error(
        &patch(&emu, &path, &key, json!({"taxNumber": "1"})).await,
        400,
        None,
    );
    assert_eq!(delete(&emu, &path, &key).await.status, 200);
    assert_error(
        &get(&emu, &path, &key).await,
        404,
        Some("PAYMENT_RECIPIENT_NOT_FOUND"),
    );
    assert_error(
        &delete(&emu, &path, &key).await,
        404,
        Some("PAYMENT_RECIPIENT_NOT_FOUND"),
    );
}

#[tokio::test]
async fn an_intent_settles_through_the_tester_routes_and_the_clock_with_its_webhooks() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let (addr, got) = receiver().await;
    ok(post(
        &emu,
        "/webhooks",
        &key,
        json!({"url": format!("http://{addr}/all"), "event": "all"}),
    )
    .await)
    .await;
    let cid = customer(&emu, &key).await;
    let (rid, _) = recipient(&emu, &key).await;
    let req = request(
        &emu,
        &key,
        json!({"amount": 100.5, "description": "Pedido 42", "recipientId": rid, "customerId": cid}),
    )
    .await;
    let req_id = req["id"].as_str().unwrap().to_owned();
    assert_eq!(req["status"], "CREATED");
    assert_eq!(req["amount"], 100.5);
    assert_eq!(req["recipient"]["id"], rid.as_str());
    assert_eq!(req["customer"]["id"], cid.as_str());
    assert_eq!(
        req["paymentUrl"],
        format!("{}/__emulator/pay/{req_id}", emu.base_url()).as_str()
    );
    let req_path = format!("/payments/requests/{req_id}");

    let i = intent(&emu, &key, &req_id).await;
    let intent_id = i["id"].as_str().unwrap().to_owned();
    assert_eq!(i["status"], "STARTED");
    assert_eq!(i["paymentRequest"]["id"], req_id.as_str());
    assert_eq!(i["connector"]["id"], BANK);
    let intent_path = format!("/payments/intents/{intent_id}");
    assert_eq!(
        status_of(&emu, &key, &intent_path).await,
        "CONSENT_AWAITING_AUTHORIZATION"
    );
    assert_eq!(
        status_of(&emu, &key, &req_path).await,
        "WAITING_PAYER_AUTHORIZATION"
    );
    // One attempt at a time.
    assert_error(
        &post(
            &emu,
            "/payments/intents",
            &key,
            json!({"paymentRequestId": req_id, "connectorId": BANK}),
        )
        .await,
        400,
        None,
    );

    let auth = ok(tester(
        &emu,
        &format!("/__emulator/payments/intents/{intent_id}/authorize"),
        json!({}),
    )
    .await)
    .await;
    assert_eq!(auth["status"], "CONSENT_AUTHORIZED");
    assert_eq!(auth["paymentRequestStatus"], "AUTHORIZED");
    assert_error(
        &tester(
            &emu,
            &format!("/__emulator/payments/intents/{intent_id}/reject"),
            json!({}),
        )
        .await,
        400,
        None,
    );
    advance(&emu, 1.0).await;
    assert_eq!(status_of(&emu, &key, &intent_path).await, "PAYMENT_PENDING");
    advance(&emu, 1.0).await;
    let done = ok(get(&emu, &intent_path, &key).await).await;
    assert_eq!(done["status"], "PAYMENT_COMPLETED");
    assert!(done["referenceId"].as_str().unwrap().starts_with('E'));
    assert_eq!(status_of(&emu, &key, &req_path).await, "COMPLETED");
    let intents = ok(get(
        &emu,
        &format!("/payments/intents?paymentRequestId={req_id}"),
        &key,
    )
    .await)
    .await;
    assert_eq!(intents["total"], 1);
    assert_eq!(intents["results"][0]["id"], intent_id.as_str());
    assert_error(&get(&emu, "/payments/intents", &key).await, 400, None);
    assert_error(
        &tester(
            &emu,
            &format!("/__emulator/payments/intents/{intent_id}/settle"),
            json!({}),
        )
        .await,
        400,
        None,
    );

    let ids = |v: &Value| {
        v["paymentIntentId"] == intent_id.as_str() && v["paymentRequestId"] == req_id.as_str()
    };
    for name in [
        "payment_intent/created",
        "payment_intent/waiting_payer_authorization",
        "payment_intent/completed",
    ] {
        event(&got, |v| v["event"] == name && ids(v)).await;
    }
    for status in [
        "IN_PROGRESS",
        "WAITING_PAYER_AUTHORIZATION",
        "AUTHORIZED",
        "COMPLETED",
    ] {
        event(&got, |v| {
            v["event"] == "payment_request/updated"
                && v["paymentRequestId"] == req_id.as_str()
                && v["data"]["status"] == status
        })
        .await;
    }
    let all = got.lock().unwrap().clone();
    let mut event_ids: Vec<&str> = all.iter().map(|v| v["eventId"].as_str().unwrap()).collect();
    event_ids.sort_unstable();
    event_ids.dedup();
    assert_eq!(
        event_ids.len(),
        all.len(),
        "every delivery has its own eventId"
    );
    // The SDK reads them as payment events.
    for v in &all {
        let parsed: pluggy_core::webhook::WebhookPayload =
            serde_json::from_value(v.clone()).unwrap();
        assert!(
            matches!(parsed, pluggy_core::webhook::WebhookPayload::Payment(_)),
            "{v}"
        );
    }

    assert_error(
        &get(&emu, "/payments/intents/nope", &key).await,
        404,
        Some("PAYMENT_INTENT_NOT_FOUND"),
    );
    assert_error(
        &tester(
            &emu,
            "/__emulator/payments/intents/nope/authorize",
            json!({}),
        )
        .await,
        404,
        Some("PAYMENT_INTENT_NOT_FOUND"),
    );
}

#[tokio::test]
async fn rejected_expired_and_failed_payments_end_the_request() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let (rid, _) = recipient(&emu, &key).await;
    let new = |amount: &'static str| {
        let rid = rid.clone();
        let key = key.clone();
        let emu = &emu;
        async move {
            let r = request(emu, &key, json!({"amount": amount, "recipientId": rid})).await;
            let id = r["id"].as_str().unwrap().to_owned();
            let i = intent(emu, &key, &id).await;
            (id, i["id"].as_str().unwrap().to_owned())
        }
    };
    let (req, i) = new("10.00").await;
    let r = ok(tester(
        &emu,
        &format!("/__emulator/payments/intents/{i}/reject"),
        json!({}),
    )
    .await)
    .await;
    assert_eq!(r["status"], "CONSENT_REJECTED");
    assert_eq!(r["paymentRequestStatus"], "ERROR");
    let got = ok(get(&emu, &format!("/payments/intents/{i}"), &key).await).await;
    assert_eq!(got["errorDetail"]["code"], "REJEITADO_USUARIO");
    assert_eq!(
        status_of(&emu, &key, &format!("/payments/requests/{req}")).await,
        "ERROR"
    );

    let (req, i) = new("11.00").await;
    let r = ok(tester(
        &emu,
        &format!("/__emulator/payments/intents/{i}/expire"),
        json!({}),
    )
    .await)
    .await;
    assert_eq!(r["status"], "CONSENT_REJECTED");
    assert_eq!(r["paymentRequestStatus"], "EXPIRED");
    assert_eq!(
        status_of(&emu, &key, &format!("/payments/requests/{req}")).await,
        "EXPIRED"
    );

    // Not authorized within the consent's five minutes.
    let (req, i) = new("12.00").await;
    advance(&emu, 299.0).await;
    assert_eq!(
        status_of(&emu, &key, &format!("/payments/intents/{i}")).await,
        "CONSENT_AWAITING_AUTHORIZATION"
    );
    advance(&emu, 2.0).await;
    let got = ok(get(&emu, &format!("/payments/intents/{i}"), &key).await).await;
    assert_eq!(got["status"], "CONSENT_REJECTED");
    assert_eq!(got["errorDetail"]["code"], "TEMPO_EXPIRADO_AUTORIZACAO");
    assert_eq!(
        status_of(&emu, &key, &format!("/payments/requests/{req}")).await,
        "EXPIRED"
    );

    let (req, i) = new("13.00").await;
    let r = ok(tester(
        &emu,
        &format!("/__emulator/payments/intents/{i}/settle"),
        json!({"outcome": "rejected"}),
    )
    .await)
    .await;
    assert_eq!(r["status"], "PAYMENT_REJECTED");
    assert_eq!(
        status_of(&emu, &key, &format!("/payments/requests/{req}")).await,
        "ERROR"
    );
    // Settling at once completes without waiting for the clock.
    let (req, i) = new("14.00").await;
    let r = ok(tester(
        &emu,
        &format!("/__emulator/payments/intents/{i}/settle"),
        json!({}),
    )
    .await)
    .await;
    assert_eq!(r["status"], "PAYMENT_COMPLETED");
    assert_eq!(
        status_of(&emu, &key, &format!("/payments/requests/{req}")).await,
        "COMPLETED"
    );
    let (req, c) = new("15.00").await;
    let r = ok(tester(
        &emu,
        &format!("/__emulator/payments/intents/{c}/cancel"),
        json!({}),
    )
    .await)
    .await;
    assert_eq!(r["status"], "CANCELED");
    assert_eq!(
        status_of(&emu, &key, &format!("/payments/requests/{req}")).await,
        "CANCELED"
    );
    assert_error(
        &tester(
            &emu,
            &format!("/__emulator/payments/intents/{i}/settle"),
            json!({"outcome": "maybe"}),
        )
        .await,
        400,
        None,
    );
    // A finished request takes no new intent.
    assert_error(
        &post(
            &emu,
            "/payments/intents",
            &key,
            json!({"paymentRequestId": req, "connectorId": BANK}),
        )
        .await,
        400,
        None,
    );
}

#[tokio::test]
async fn the_payment_page_picks_a_bank_and_approves() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let (rid, _) = recipient(&emu, &key).await;
    let req = request(
        &emu,
        &key,
        json!({"amount": "25.00", "description": "<script>alert(1)</script>{{FORM}}", "recipientId": rid}),
    )
    .await;
    let id = req["id"].as_str().unwrap();
    let path = format!("/__emulator/pay/{id}");
    let page = call(&emu, "GET", &path, None, None).await;
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let html = String::from_utf8(page.body.clone()).unwrap();
    assert!(html.contains("Pluggy Bank Open Finance"));
    assert!(html.contains("R$ 25.00"));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;{{FORM}}"),
        "{html}"
    );
    assert!(!html.contains("<script>"));
    assert!(html.contains("Loja &lt;Exemplo&gt;"));
    assert!(html.contains("name=\"connectorId\" value=\"600\""));
    // The form, as a browser sends it.
    let answer = send(
        emu.addr(),
        "POST",
        &path,
        None,
        Some(format!("connectorId={BANK}&action=approve").as_bytes()),
    )
    .await;
    assert_eq!(answer.status, 200);
    let html = String::from_utf8(answer.body).unwrap();
    assert!(html.contains("Approved"), "{html}");
    assert!(!html.contains("<form"), "no second payment from the page");
    let intents = ok(get(
        &emu,
        &format!("/payments/intents?paymentRequestId={id}"),
        &key,
    )
    .await)
    .await;
    assert_eq!(intents["results"][0]["status"], "CONSENT_AUTHORIZED");
    advance(&emu, 2.0).await;
    assert_eq!(
        status_of(&emu, &key, &format!("/payments/requests/{id}")).await,
        "COMPLETED"
    );
    // A bank that does not initiate payments, and an unknown request.
    let other = request(&emu, &key, json!({"amount": "1.00", "recipientId": rid})).await;
    let other_path = format!("/__emulator/pay/{}", other["id"].as_str().unwrap());
    assert_error(
        &tester(
            &emu,
            &other_path,
            json!({"connectorId": 0, "action": "approve"}),
        )
        .await,
        400,
        None,
    );
    assert_error(
        &tester(
            &emu,
            &other_path,
            json!({"connectorId": BANK, "action": "maybe"}),
        )
        .await,
        400,
        None,
    );
    let r = ok(tester(
        &emu,
        &other_path,
        json!({"connectorId": BANK, "action": "reject"}),
    )
    .await)
    .await;
    assert_eq!(r["paymentRequestStatus"], "ERROR");
    assert_eq!(
        call(&emu, "GET", "/__emulator/pay/nope", None, None)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn scheduled_payments_settle_on_their_dates_and_can_be_canceled() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let (addr, got) = receiver().await;
    ok(post(
        &emu,
        "/webhooks",
        &key,
        json!({"url": format!("http://{addr}/"), "event": "all"}),
    )
    .await)
    .await;
    let (rid, _) = recipient(&emu, &key).await;
    let tomorrow = day(&emu, 1).await;
    assert_error(
        &post(
            &emu,
            "/payments/requests",
            &key,
            json!({"amount": "5.00", "recipientId": rid,
            "schedule": {"type": "SINGLE", "date": day(&emu, -1).await}}),
        )
        .await,
        400,
        None,
    );
    assert_error(
        &post(
            &emu,
            "/payments/requests",
            &key,
            json!({"amount": "5.00", "recipientId": rid,
            "schedule": {"type": "DAILY", "startDate": tomorrow, "occurrences": 0}}),
        )
        .await,
        400,
        None,
    );
    let req = request(
        &emu,
        &key,
        json!({"amount": "5.00", "recipientId": rid,
            "schedule": {"type": "DAILY", "startDate": tomorrow, "occurrences": 3}}),
    )
    .await;
    let id = req["id"].as_str().unwrap().to_owned();
    assert_eq!(req["schedule"]["type"], "DAILY");
    let schedules_path = format!("/payments/requests/{id}/schedules");
    assert_eq!(ok(get(&emu, &schedules_path, &key).await).await["total"], 0);
    ok(tester(
        &emu,
        &format!("/__emulator/pay/{id}"),
        json!({"connectorId": BANK, "action": "approve"}),
    )
    .await)
    .await;
    assert_eq!(
        status_of(&emu, &key, &format!("/payments/requests/{id}")).await,
        "SCHEDULED"
    );
    let list = ok(get(&emu, &schedules_path, &key).await).await;
    assert_eq!(list["total"], 3);
    assert_eq!(list["results"][0]["scheduledDate"], tomorrow.as_str());
    assert_eq!(list["results"][2]["status"], "SCHEDULED");
    let last = list["results"][2]["id"].as_str().unwrap().to_owned();
    let first = list["results"][0]["id"].as_str().unwrap().to_owned();
    ok(tester(
        &emu,
        &format!("/__emulator/payments/requests/{id}/schedules/{first}/fail"),
        json!({}),
    )
    .await)
    .await;
    let cancel = call(
        &emu,
        "POST",
        &format!("/payments/requests/{id}/schedules/{last}/cancel"),
        Some(&key),
        None,
    )
    .await;
    assert_eq!(cancel.status, 204);
    assert!(cancel.body.is_empty());
    assert_error(
        &call(
            &emu,
            "POST",
            &format!("/payments/requests/{id}/schedules/nope/cancel"),
            Some(&key),
            None,
        )
        .await,
        404,
        None,
    );
    advance(&emu, 4.0 * 86_400.0).await;
    let key = api_key(&emu).await;
    let list = ok(get(&emu, &schedules_path, &key).await).await;
    let statuses: Vec<&str> = list["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["ERROR", "COMPLETED", "CANCELED"]);
    assert!(list["results"][1]["endToEndId"].is_string());
    event(&got, |v| {
        v["event"] == "scheduled_payment/error" && v["scheduledPaymentId"] == first.as_str()
    })
    .await;
    assert_eq!(
        status_of(&emu, &key, &format!("/payments/requests/{id}")).await,
        "COMPLETED"
    );
    for name in [
        "scheduled_payment/created",
        "scheduled_payment/all_created",
        "scheduled_payment/completed",
        "scheduled_payment/canceled",
    ] {
        event(&got, |v| {
            v["event"] == name && v["paymentRequestId"] == id.as_str()
        })
        .await;
    }
    event(&got, |v| {
        v["event"] == "scheduled_payment/canceled" && v["scheduledPaymentId"] == last.as_str()
    })
    .await;

    // Cancel them all before any date.
    let req = request(&emu, &key, json!({"amount": "5.00", "recipientId": rid,
        "schedule": {"type": "WEEKLY", "startDate": day(&emu, 1).await, "dayOfWeek": "MONDAY", "occurrences": 2}})).await;
    let id = req["id"].as_str().unwrap().to_owned();
    ok(tester(
        &emu,
        &format!("/__emulator/pay/{id}"),
        json!({"connectorId": BANK, "action": "approve"}),
    )
    .await)
    .await;
    let list = ok(get(&emu, &format!("/payments/requests/{id}/schedules"), &key).await).await;
    assert_eq!(list["total"], 2);
    let r = call(
        &emu,
        "POST",
        &format!("/payments/requests/{id}/schedules/cancel"),
        Some(&key),
        None,
    )
    .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        status_of(&emu, &key, &format!("/payments/requests/{id}")).await,
        "CANCELED"
    );
    assert_error(
        &call(
            &emu,
            "POST",
            "/payments/requests/nope/schedules/cancel",
            Some(&key),
            None,
        )
        .await,
        404,
        Some("PAYMENT_REQUEST_NOT_FOUND"),
    );
    assert_error(
        &get(&emu, "/payments/requests/nope/schedules", &key).await,
        404,
        Some("PAYMENT_REQUEST_NOT_FOUND"),
    );
}

#[tokio::test]
async fn automatic_pix_mandates_schedule_cancel_and_retry_payments() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let (addr, got) = receiver().await;
    ok(post(
        &emu,
        "/webhooks",
        &key,
        json!({"url": format!("http://{addr}/"), "event": "all"}),
    )
    .await)
    .await;
    let (rid, _) = recipient(&emu, &key).await;
    let today = day(&emu, 0).await;
    assert_error(
        &post(&emu, "/payments/requests/automatic-pix", &key, json!({"fixedAmount": "0", "interval": "MONTHLY", "startDate": today, "recipientId": rid})).await,
        400,
        None,
    );
    assert_error(
        &post(&emu, "/payments/requests/automatic-pix", &key, json!({"fixedAmount": "50.00", "interval": "MONTHLY", "startDate": day(&emu, -3).await, "recipientId": rid})).await,
        400,
        None,
    );
    let mandate = ok(post(
        &emu,
        "/payments/requests/automatic-pix",
        &key,
        json!({"fixedAmount": "50.00", "interval": "MONTHLY", "startDate": today, "recipientId": rid,
               "description": "Assinatura", "isRetryAccepted": true,
               "firstPayment": {"amount": "50.00", "date": today}}),
    )
    .await)
    .await;
    let id = mandate["id"].as_str().unwrap().to_owned();
    assert_eq!(mandate["automaticPix"]["interval"], "MONTHLY");
    let base = format!("/payments/requests/{id}/automatic-pix");
    let tomorrow = day(&emu, 1).await;
    // Not authorized yet.
    assert_error(
        &post(
            &emu,
            &format!("{base}/schedule"),
            &key,
            json!({"amount": "50.00", "date": tomorrow}),
        )
        .await,
        400,
        None,
    );
    ok(tester(
        &emu,
        &format!("/__emulator/pay/{id}"),
        json!({"connectorId": BANK, "action": "approve"}),
    )
    .await)
    .await;
    assert_eq!(
        status_of(&emu, &key, &format!("/payments/requests/{id}")).await,
        "AUTHORIZED"
    );
    let list = ok(get(&emu, &format!("{base}/schedules"), &key).await).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["results"][0]["isFirstPayment"], true);
    advance(&emu, 1.0).await;
    let list = ok(get(&emu, &format!("{base}/schedules"), &key).await).await;
    assert_eq!(list["results"][0]["status"], "COMPLETED");

    assert_error(
        &post(
            &emu,
            &format!("{base}/schedule"),
            &key,
            json!({"amount": "49.99", "date": tomorrow}),
        )
        .await,
        400,
        None,
    );
    assert_error(
        &post(
            &emu,
            &format!("{base}/schedule"),
            &key,
            json!({"amount": "50.00", "date": day(&emu, -1).await}),
        )
        .await,
        400,
        None,
    );
    let p = ok(post(
        &emu,
        &format!("{base}/schedule"),
        &key,
        json!({"amount": "50.00", "date": tomorrow}),
    )
    .await)
    .await;
    assert_eq!(p["status"], "SCHEDULED");
    let pid = p["id"].as_str().unwrap().to_owned();
    let detail = ok(get(&emu, &format!("{base}/schedules/{pid}"), &key).await).await;
    assert_eq!(detail["scheduledStatusReached"], true);
    assert_eq!(detail["amount"], "50.00".parse::<f64>().unwrap());
    // Cancel it; a second one fails on its date, then is retried.
    let r = call(
        &emu,
        "POST",
        &format!("{base}/schedules/{pid}/cancel"),
        Some(&key),
        None,
    )
    .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        status_of(&emu, &key, &format!("{base}/schedules/{pid}")).await,
        "CANCELED"
    );
    assert_error(
        &call(
            &emu,
            "POST",
            &format!("{base}/schedules/{pid}/cancel"),
            Some(&key),
            None,
        )
        .await,
        400,
        None,
    );
    let p2 = ok(post(
        &emu,
        &format!("{base}/schedule"),
        &key,
        json!({"amount": "50.00", "date": tomorrow}),
    )
    .await)
    .await;
    let pid2 = p2["id"].as_str().unwrap().to_owned();
    ok(tester(
        &emu,
        &format!("/__emulator/payments/requests/{id}/automatic-pix/schedules/{pid2}/fail"),
        json!({}),
    )
    .await)
    .await;
    assert_error(
        &post(
            &emu,
            &format!("{base}/schedules/{pid2}/retry"),
            &key,
            json!({"date": tomorrow}),
        )
        .await,
        400,
        None,
    );
    advance(&emu, 86_400.0).await;
    let key = api_key(&emu).await;
    assert_eq!(
        status_of(&emu, &key, &format!("{base}/schedules/{pid2}")).await,
        "ERROR"
    );
    let retry_date = day(&emu, 1).await;
    let r = post(
        &emu,
        &format!("{base}/schedules/{pid2}/retry"),
        &key,
        json!({"date": retry_date}),
    )
    .await;
    assert_eq!(r.status, 204, "{}", String::from_utf8_lossy(&r.body));
    assert!(r.body.is_empty());
    advance(&emu, 86_400.0).await;
    let key = api_key(&emu).await;
    assert_eq!(
        status_of(&emu, &key, &format!("{base}/schedules/{pid2}")).await,
        "COMPLETED"
    );
    for name in [
        "automatic_pix_payment/created",
        "automatic_pix_payment/completed",
        "automatic_pix_payment/canceled",
        "automatic_pix_payment/error",
    ] {
        event(&got, |v| {
            v["event"] == name && v["paymentRequestId"] == id.as_str()
        })
        .await;
    }
    event(&got, |v| {
        v["event"] == "automatic_pix_payment/error" && v["automaticPixPaymentId"] == pid2.as_str()
    })
    .await;

    let r = call(&emu, "POST", &format!("{base}/cancel"), Some(&key), None).await;
    assert_eq!(r.status, 204);
    assert_eq!(
        status_of(&emu, &key, &format!("/payments/requests/{id}")).await,
        "CANCELED"
    );
    assert_error(
        &call(&emu, "POST", &format!("{base}/cancel"), Some(&key), None).await,
        400,
        None,
    );
    assert_error(
        &get(&emu, &format!("{base}/schedules/nope"), &key).await,
        404,
        Some("AUTOMATIC_PIX_PAYMENT_NOT_FOUND"),
    );
    assert_error(
        &get(
            &emu,
            "/payments/requests/nope/automatic-pix/schedules",
            &key,
        )
        .await,
        404,
        Some("PAYMENT_REQUEST_NOT_FOUND"),
    );
    assert_error(
        &call(
            &emu,
            "POST",
            "/payments/requests/nope/automatic-pix/cancel",
            Some(&key),
            None,
        )
        .await,
        404,
        Some("PAYMENT_REQUEST_NOT_FOUND"),
    );
    // A Pix request is no mandate.
    let pix = request(&emu, &key, json!({"amount": "1.00", "recipientId": rid})).await;
    assert_error(
        &get(
            &emu,
            &format!(
                "/payments/requests/{}/automatic-pix/schedules",
                pix["id"].as_str().unwrap()
            ),
            &key,
        )
        .await,
        400,
        None,
    );
}

#[tokio::test]
async fn smart_transfers_pay_without_a_new_consent() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let (addr, got) = receiver().await;
    ok(post(
        &emu,
        "/webhooks",
        &key,
        json!({"url": format!("http://{addr}/"), "event": "all"}),
    )
    .await)
    .await;
    let (rid, _) = recipient(&emu, &key).await;
    let body = json!({"connectorId": BANK, "parameters": {"cpf": CPF}, "recipientIds": [rid],
        "configuration": {"transactionLimit": 100, "totalAllowedAmount": 150}});
    assert_error(
        &post(
            &emu,
            "/smart-transfers/preauthorizations",
            &key,
            json!({"connectorId": BANK, "parameters": {"cpf": "1"}, "recipientIds": [rid]}),
        )
        .await,
        400,
        None,
    );
    assert_error(
        &post(
            &emu,
            "/smart-transfers/preauthorizations",
            &key,
            json!({"connectorId": 0, "parameters": {"cpf": CPF}, "recipientIds": [rid]}),
        )
        .await,
        400,
        None,
    );
    assert_error(
        &post(
            &emu,
            "/smart-transfers/preauthorizations",
            &key,
            json!({"connectorId": BANK, "parameters": {"cpf": CPF}, "recipientIds": ["nope"]}),
        )
        .await,
        400,
        None,
    );
    let pre = ok(post(&emu, "/smart-transfers/preauthorizations", &key, body).await).await;
    let pre_id = pre["id"].as_str().unwrap().to_owned();
    assert_eq!(pre["status"], "CREATED");
    assert_eq!(pre["recipients"][0]["id"], rid.as_str());
    let pay = json!({"preauthorizationId": pre_id, "recipientId": rid, "amount": 60});
    assert_error(
        &post(&emu, "/smart-transfers/payments", &key, pay.clone()).await,
        400,
        None,
    );
    let r = ok(tester(
        &emu,
        &format!("/__emulator/smart-transfers/preauthorizations/{pre_id}/authorize"),
        json!({}),
    )
    .await)
    .await;
    assert_eq!(r["status"], "COMPLETED");
    event(&got, |v| {
        v["event"] == "smart_transfer_preauthorization/completed"
            && v["preauthorizationId"] == pre_id.as_str()
    })
    .await;
    let p = ok(post(&emu, "/smart-transfers/payments", &key, pay.clone()).await).await;
    assert_eq!(p["status"], "PAYMENT_PENDING");
    let pid = p["id"].as_str().unwrap().to_owned();
    advance(&emu, 1.0).await;
    assert_eq!(
        status_of(&emu, &key, &format!("/smart-transfers/payments/{pid}")).await,
        "PAYMENT_COMPLETED"
    );
    event(&got, |v| {
        v["event"] == "smart_transfer_payment/completed"
            && v["smartTransferPaymentId"] == pid.as_str()
    })
    .await;
    // The payer's bank can still refuse a transfer (it then does not count against the total).
    let refused = ok(post(
        &emu,
        "/smart-transfers/payments",
        &key,
        json!({"preauthorizationId": pre_id, "recipientId": rid, "amount": 10}),
    )
    .await)
    .await;
    let refused_id = refused["id"].as_str().unwrap().to_owned();
    ok(tester(
        &emu,
        &format!("/__emulator/smart-transfers/payments/{refused_id}/reject"),
        json!({}),
    )
    .await)
    .await;
    let got_refused = ok(get(
        &emu,
        &format!("/smart-transfers/payments/{refused_id}"),
        &key,
    )
    .await)
    .await;
    assert_eq!(got_refused["status"], "PAYMENT_REJECTED");
    assert_eq!(
        got_refused["errorDetail"]["code"],
        "PAYMENT_REJECTED_BY_HOLDER"
    );
    event(&got, |v| {
        v["event"] == "smart_transfer_payment/error"
            && v["smartTransferPaymentId"] == refused_id.as_str()
    })
    .await;
    assert_error(
        &tester(
            &emu,
            &format!("/__emulator/smart-transfers/payments/{refused_id}/reject"),
            json!({}),
        )
        .await,
        400,
        None,
    );
    // Limits: 101 is above the transaction limit; 60 + 60 + 60 above the total.
    assert_error(
        &post(
            &emu,
            "/smart-transfers/payments",
            &key,
            json!({"preauthorizationId": pre_id, "recipientId": rid, "amount": 101}),
        )
        .await,
        400,
        None,
    );
    ok(post(&emu, "/smart-transfers/payments", &key, pay.clone()).await).await;
    assert_error(
        &post(&emu, "/smart-transfers/payments", &key, pay.clone()).await,
        400,
        None,
    );
    assert_error(
        &post(
            &emu,
            "/smart-transfers/payments",
            &key,
            json!({"preauthorizationId": pre_id, "recipientId": rid, "amount": 0}),
        )
        .await,
        400,
        None,
    );
    let list = ok(get(
        &emu,
        &format!("/smart-transfers/preauthorizations/{pre_id}/payments"),
        &key,
    )
    .await)
    .await;
    assert_eq!(list["total"], 3);
    let all = ok(get(&emu, "/smart-transfers/preauthorizations", &key).await).await;
    assert_eq!(all["total"], 1);
    assert_eq!(
        ok(get(
            &emu,
            &format!("/smart-transfers/preauthorizations/{pre_id}"),
            &key
        )
        .await)
        .await["status"],
        "COMPLETED"
    );
    assert_error(
        &get(&emu, "/smart-transfers/preauthorizations/nope", &key).await,
        404,
        Some("SMART_TRANSFER_PREAUTHORIZATION_NOT_FOUND"),
    );
    assert_error(
        &get(
            &emu,
            "/smart-transfers/preauthorizations/nope/payments",
            &key,
        )
        .await,
        404,
        Some("SMART_TRANSFER_PREAUTHORIZATION_NOT_FOUND"),
    );
    assert_error(
        &get(&emu, "/smart-transfers/payments/nope", &key).await,
        404,
        Some("SMART_TRANSFER_PAYMENT_NOT_FOUND"),
    );
}

#[tokio::test]
async fn boletos_are_issued_paid_cancelled_and_fall_overdue() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let (addr, got) = receiver().await;
    ok(post(
        &emu,
        "/webhooks",
        &key,
        json!({"url": format!("http://{addr}/"), "event": "boleto/updated"}),
    )
    .await)
    .await;
    assert_error(
        &post(
            &emu,
            "/boleto-connections",
            &key,
            json!({"connectorId": BANK, "credentials": {"clientId": "wrong"}}),
        )
        .await,
        400,
        Some("BOLETO_CONNECTION_CREATION_CREDENTIALS_ERROR"),
    );
    assert_error(
        &post(
            &emu,
            "/boleto-connections",
            &key,
            json!({"connectorId": 0, "credentials": {"clientId": "a"}}),
        )
        .await,
        400,
        None,
    );
    let conn = ok(post(
        &emu,
        "/boleto-connections",
        &key,
        json!({"connectorId": BANK, "credentials": {"clientId": "a", "clientSecret": "b"}}),
    )
    .await)
    .await;
    assert_eq!(conn["connectorId"], BANK);
    let item = create_item(&emu, &key, BANK, "user-ok").await;
    let from_item = ok(post(
        &emu,
        "/boleto-connections/from-item",
        &key,
        json!({"itemId": item}),
    )
    .await)
    .await;
    assert_eq!(from_item["connectorId"], BANK);
    let other = create_item(&emu, &key, 0, "user-ok").await;
    assert_error(
        &post(
            &emu,
            "/boleto-connections/from-item",
            &key,
            json!({"itemId": other}),
        )
        .await,
        400,
        None,
    );
    assert_error(
        &post(
            &emu,
            "/boleto-connections/from-item",
            &key,
            json!({"itemId": "nope"}),
        )
        .await,
        400,
        None,
    );
    let boleto = |amount: &str, due: &str| {
        json!({"boletoConnectionId": conn["id"], "boleto": {"seuNumero": "42", "amount": amount, "dueDate": due,
            "payer": {"taxNumber": CPF, "name": "Ana", "addressState": "SP", "addressZipCode": "01001000"}}})
    };
    let tomorrow = day(&emu, 1).await;
    assert_error(
        &post(&emu, "/boletos", &key, boleto("0", &tomorrow)).await,
        400,
        None,
    );
    assert_error(
        &post(
            &emu,
            "/boletos",
            &key,
            boleto("10.00", &day(&emu, -1).await),
        )
        .await,
        400,
        None,
    );
    let b = ok(post(&emu, "/boletos", &key, boleto("10.00", &tomorrow)).await).await;
    let bid = b["id"].as_str().unwrap().to_owned();
    assert_eq!(b["status"], "OPEN");
    assert_eq!(b["barcode"].as_str().unwrap().len(), 44);
    assert_eq!(b["digitableLine"].as_str().unwrap().len(), 47);
    assert_eq!(
        ok(get(&emu, &format!("/boletos/{bid}"), &key).await).await["amount"],
        10.0
    );
    let paid = ok(tester(
        &emu,
        &format!("/__emulator/boletos/{bid}/pay"),
        json!({"origin": "PIX"}),
    )
    .await)
    .await;
    assert_eq!(paid["status"], "PAID");
    assert_eq!(paid["paymentOrigin"], "PIX");
    event(&got, |v| {
        v["event"] == "boleto/updated" && v["boletoId"] == bid.as_str()
    })
    .await;
    assert_error(
        &call(
            &emu,
            "POST",
            &format!("/boletos/{bid}/cancel"),
            Some(&key),
            None,
        )
        .await,
        400,
        None,
    );
    let b2 = ok(post(&emu, "/boletos", &key, boleto("20.00", &tomorrow)).await).await;
    let b2 = b2["id"].as_str().unwrap().to_owned();
    let c = ok(call(
        &emu,
        "POST",
        &format!("/boletos/{b2}/cancel"),
        Some(&key),
        None,
    )
    .await)
    .await;
    assert_eq!(c["status"], "CANCELLED");
    let b3 = ok(post(&emu, "/boletos", &key, boleto("30.00", &tomorrow)).await).await;
    let b3 = b3["id"].as_str().unwrap().to_owned();
    advance(&emu, 3.0 * 86_400.0).await;
    let key = api_key(&emu).await;
    assert_eq!(
        status_of(&emu, &key, &format!("/boletos/{b3}")).await,
        "OVERDUE"
    );
    assert_error(
        &get(&emu, "/boletos/nope", &key).await,
        404,
        Some("BOLETO_NOT_FOUND"),
    );
    assert_error(
        &call(&emu, "POST", "/boletos/nope/cancel", Some(&key), None).await,
        404,
        Some("BOLETO_NOT_FOUND"),
    );
    assert_error(
        &tester(&emu, "/__emulator/boletos/nope/pay", json!({})).await,
        404,
        Some("BOLETO_NOT_FOUND"),
    );
}

#[tokio::test]
async fn requests_validate_amounts_parties_and_states() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let (rid, _) = recipient(&emu, &key).await;
    let cid = customer(&emu, &key).await;
    for bad in [
        json!({"amount": 0, "recipientId": rid}),
        json!({"amount": -1, "recipientId": rid}),
        json!({"amount": "1.001", "recipientId": rid}),
        json!({"amount": "abc", "recipientId": rid}),
        json!({"amount": 1}),
        json!({"amount": 1, "recipientId": "nope"}),
        json!({"amount": 1, "recipientId": rid, "customerId": "nope"}),
        json!({"amount": 1, "recipientId": rid, "schedule": {"type": "YEARLY"}}),
    ] {
        assert_error(
            &post(&emu, "/payments/requests", &key, bad).await,
            400,
            None,
        );
    }
    let req = request(&emu, &key, json!({"amount": "9.90", "recipientId": rid})).await;
    let id = req["id"].as_str().unwrap().to_owned();
    let path = format!("/payments/requests/{id}");
    let updated = ok(patch(
        &emu,
        &path,
        &key,
        json!({"amount": "19.90", "customerId": cid, "description": "x"}),
    )
    .await)
    .await;
    assert_eq!(updated["amount"], 19.9);
    assert_eq!(updated["customer"]["id"], cid.as_str());
    assert_error(
        &patch(&emu, &path, &key, json!({"amount": 0})).await,
        400,
        None,
    );
    let list = ok(get(&emu, "/payments/requests?status=CREATED", &key).await).await;
    assert_eq!(list["total"], 1);
    let list = ok(get(&emu, &format!("/payments/requests?customer={CPF}"), &key).await).await;
    assert_eq!(list["total"], 1);
    assert_eq!(
        ok(get(&emu, "/payments/requests?status=COMPLETED", &key).await).await["total"],
        0
    );
    for bad in [
        json!({"paymentRequestId": "nope", "connectorId": BANK}),
        json!({"paymentRequestId": id, "connectorId": 0}),
        json!({"paymentRequestId": id, "connectorId": 999}),
        json!({"paymentRequestId": id}),
        json!({"paymentRequestId": id, "connectorId": BANK, "parameters": {"cpf": "123"}}),
    ] {
        assert_error(&post(&emu, "/payments/intents", &key, bad).await, 400, None);
    }
    intent(&emu, &key, &id).await;
    assert_error(
        &patch(&emu, &path, &key, json!({"amount": "1.00"})).await,
        400,
        None,
    );
    assert_eq!(delete(&emu, &path, &key).await.status, 200);
    assert_error(
        &get(&emu, &path, &key).await,
        404,
        Some("PAYMENT_REQUEST_NOT_FOUND"),
    );
    assert_error(
        &delete(&emu, &path, &key).await,
        404,
        Some("PAYMENT_REQUEST_NOT_FOUND"),
    );
    assert_error(
        &patch(&emu, &path, &key, json!({})).await,
        404,
        Some("PAYMENT_REQUEST_NOT_FOUND"),
    );

    // Pix QR: the amount and the receiver come from the code.
    let code = "00020101021226360014br.gov.bcb.pix0114+55119999999995204000053039865406123.455802BR5909Loja Pix 6009SAO PAULO6304ABCD";
    let qr = ok(post(
        &emu,
        "/payments/requests/pix-qr",
        &key,
        json!({"pixQrCode": code}),
    )
    .await)
    .await;
    assert_eq!(qr["amount"], 123.45);
    assert_eq!(qr["recipient"]["type"], "PIX_QR_CODE");
    assert_eq!(qr["recipient"]["name"], "Loja Pix ");
    assert_eq!(qr["pixQrCode"], code);
    assert_error(
        &post(
            &emu,
            "/payments/requests/pix-qr",
            &key,
            json!({"pixQrCode": "hello"}),
        )
        .await,
        400,
        None,
    );
    assert_error(
        &post(&emu, "/payments/requests/pix-qr", &key, json!({})).await,
        400,
        None,
    );
}

#[tokio::test]
async fn connect_tokens_reach_no_payment_operation() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let token = connect_token(&emu, &key, json!({})).await;
    for (method, path) in [
        ("GET", "/payments/customers"),
        ("POST", "/payments/requests"),
        ("GET", "/payments/intents?paymentRequestId=x"),
        ("POST", "/payments/intents"),
        ("GET", "/smart-transfers/preauthorizations"),
        ("POST", "/boletos"),
        ("GET", "/payments/recipients/institutions"),
    ] {
        let r = call(&emu, method, path, Some(&token), Some(&json!({}))).await;
        assert_eq!(r.status, 403, "{method} {path}");
        assert_eq!(r.json()["code"], 403);
    }
    assert_eq!(
        call(&emu, "GET", "/payments/customers", None, None)
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn the_same_seed_makes_the_same_payments() {
    async fn run() -> Vec<Value> {
        let emu = start().await;
        let key = api_key(&emu).await;
        let cid = customer(&emu, &key).await;
        let (rid, _) = recipient(&emu, &key).await;
        let pix = ok(post(
            &emu,
            "/payments/recipients",
            &key,
            json!({"pixKey": "+5511999999999"}),
        )
        .await)
        .await;
        let req = request(
            &emu,
            &key,
            json!({"amount": "1.00", "recipientId": rid, "customerId": cid}),
        )
        .await;
        let id = req["id"].as_str().unwrap().to_owned();
        let i = intent(&emu, &key, &id).await;
        let intent_id = i["id"].as_str().unwrap().to_owned();
        ok(tester(
            &emu,
            &format!("/__emulator/payments/intents/{intent_id}/settle"),
            json!({}),
        )
        .await)
        .await;
        let settled = ok(get(&emu, &format!("/payments/intents/{intent_id}"), &key).await).await;
        vec![
            json!(cid),
            json!(rid),
            pix["account"].clone(),
            json!(id),
            json!(intent_id),
            settled["status"].clone(),
        ]
    }
    let a = run().await;
    let b = run().await;
    assert_eq!(a, b);
    assert_eq!(a[5], "PAYMENT_COMPLETED");
}

#[tokio::test]
async fn unknown_ids_in_paths_are_404_and_hostile_values_400() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let x = NON_EXISTENT;
    for (method, path, code) in [
        (
            "GET",
            format!("/payments/customers/{x}"),
            "PAYMENT_CUSTOMER_NOT_FOUND",
        ),
        (
            "PATCH",
            format!("/payments/customers/{x}"),
            "PAYMENT_CUSTOMER_NOT_FOUND",
        ),
        (
            "DELETE",
            format!("/payments/customers/{x}"),
            "PAYMENT_CUSTOMER_NOT_FOUND",
        ),
        (
            "GET",
            format!("/payments/recipients/{x}"),
            "PAYMENT_RECIPIENT_NOT_FOUND",
        ),
        (
            "PATCH",
            format!("/payments/recipients/{x}"),
            "PAYMENT_RECIPIENT_NOT_FOUND",
        ),
        (
            "DELETE",
            format!("/payments/recipients/{x}"),
            "PAYMENT_RECIPIENT_NOT_FOUND",
        ),
        (
            "GET",
            format!("/payments/recipients/institutions/{x}"),
            "PAYMENT_INSTITUTION_NOT_FOUND",
        ),
        (
            "GET",
            format!("/payments/requests/{x}"),
            "PAYMENT_REQUEST_NOT_FOUND",
        ),
        (
            "PATCH",
            format!("/payments/requests/{x}"),
            "PAYMENT_REQUEST_NOT_FOUND",
        ),
        (
            "DELETE",
            format!("/payments/requests/{x}"),
            "PAYMENT_REQUEST_NOT_FOUND",
        ),
        (
            "POST",
            format!("/payments/requests/{x}/automatic-pix/schedule"),
            "PAYMENT_REQUEST_NOT_FOUND",
        ),
        (
            "GET",
            format!("/payments/requests/{x}/automatic-pix/schedules"),
            "PAYMENT_REQUEST_NOT_FOUND",
        ),
        (
            "GET",
            format!("/payments/requests/{x}/automatic-pix/schedules/{x}"),
            "PAYMENT_REQUEST_NOT_FOUND",
        ),
        (
            "POST",
            format!("/payments/requests/{x}/automatic-pix/cancel"),
            "PAYMENT_REQUEST_NOT_FOUND",
        ),
        (
            "POST",
            format!("/payments/requests/{x}/automatic-pix/schedules/{x}/cancel"),
            "PAYMENT_REQUEST_NOT_FOUND",
        ),
        (
            "POST",
            format!("/payments/requests/{x}/automatic-pix/schedules/{x}/retry"),
            "PAYMENT_REQUEST_NOT_FOUND",
        ),
        (
            "GET",
            format!("/payments/requests/{x}/schedules"),
            "PAYMENT_REQUEST_NOT_FOUND",
        ),
        (
            "POST",
            format!("/payments/requests/{x}/schedules/cancel"),
            "PAYMENT_REQUEST_NOT_FOUND",
        ),
        (
            "POST",
            format!("/payments/requests/{x}/schedules/{x}/cancel"),
            "PAYMENT_REQUEST_NOT_FOUND",
        ),
        (
            "GET",
            format!("/payments/intents/{x}"),
            "PAYMENT_INTENT_NOT_FOUND",
        ),
        (
            "GET",
            format!("/smart-transfers/preauthorizations/{x}"),
            "SMART_TRANSFER_PREAUTHORIZATION_NOT_FOUND",
        ),
        (
            "GET",
            format!("/smart-transfers/preauthorizations/{x}/payments"),
            "SMART_TRANSFER_PREAUTHORIZATION_NOT_FOUND",
        ),
        (
            "GET",
            format!("/smart-transfers/payments/{x}"),
            "SMART_TRANSFER_PAYMENT_NOT_FOUND",
        ),
        ("POST", format!("/boletos/{x}/cancel"), "BOLETO_NOT_FOUND"),
        ("GET", format!("/boletos/{x}"), "BOLETO_NOT_FOUND"),
    ] {
        let body = json!({"amount": "1.00", "date": day(&emu, 1).await});
        let r = call(&emu, method, &path, Some(&key), Some(&body)).await;
        assert_error(&r, 404, Some(code));
    }
    // Values at the edges of what a date or an amount can hold never panic nor hang.
    let (rid, _) = recipient(&emu, &key).await;
    for schedule in [
        json!({"type": "WEEKLY", "startDate": "9999-12-31", "dayOfWeek": "MONDAY", "occurrences": 60}),
        json!({"type": "DAILY", "startDate": "9999-12-31", "occurrences": 60}),
        json!({"type": "MONTHLY", "startDate": "9999-12-31", "dayOfMonth": 31, "occurrences": 60}),
        json!({"type": "CUSTOM", "dates": ["9999-12-31", "0001-01-01"]}),
        json!({"type": "CUSTOM", "dates": []}),
        json!({"type": "WEEKLY", "startDate": day(&emu, 1).await, "dayOfWeek": "FUNDAY", "occurrences": 2}),
        json!({"type": "MONTHLY", "startDate": day(&emu, 1).await, "dayOfMonth": 32, "occurrences": 2}),
    ] {
        let r = post(
            &emu,
            "/payments/requests",
            &key,
            json!({"amount": "1.00", "recipientId": rid, "schedule": schedule}),
        )
        .await;
        assert_error(&r, 400, None);
    }
    let huge = "79228162514264337593543950335";
    assert_error(
        &post(
            &emu,
            "/payments/requests",
            &key,
            json!({"amount": 1e300, "recipientId": rid}),
        )
        .await,
        400,
        None,
    );
    let big = request(&emu, &key, json!({"amount": huge, "recipientId": rid})).await;
    assert_eq!(big["status"], "CREATED");
    let conn = ok(post(
        &emu,
        "/boleto-connections",
        &key,
        json!({"connectorId": BANK, "credentials": {"clientId": "a"}}),
    )
    .await)
    .await;
    let r = post(&emu, "/boletos", &key, json!({"boletoConnectionId": conn["id"], "boleto": {"seuNumero": "1", "amount": huge, "dueDate": day(&emu, 1).await,
        "payer": {"taxNumber": CPF, "name": "Ana", "addressState": "SP", "addressZipCode": "01001000"}}})).await;
    assert_error(&r, 400, None);
    let pre = ok(post(
        &emu,
        "/smart-transfers/preauthorizations",
        &key,
        json!({"connectorId": BANK, "parameters": {"cpf": CPF}, "recipientIds": [rid],
        "configuration": {"totalAllowedAmount": huge}}),
    )
    .await)
    .await;
    let pre_id = pre["id"].as_str().unwrap();
    ok(tester(
        &emu,
        &format!("/__emulator/smart-transfers/preauthorizations/{pre_id}/authorize"),
        json!({}),
    )
    .await)
    .await;
    let pay = json!({"preauthorizationId": pre_id, "recipientId": rid, "amount": huge});
    ok(post(&emu, "/smart-transfers/payments", &key, pay.clone()).await).await;
    assert_error(
        &post(&emu, "/smart-transfers/payments", &key, pay).await,
        400,
        None,
    );
}

#[tokio::test]
async fn a_request_webhook_url_gets_that_request_events_only() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let (addr, got) = receiver().await;
    let (rid, _) = recipient(&emu, &key).await;
    assert_error(
        &post(
            &emu,
            "/payments/requests",
            &key,
            json!({"amount": "1.00", "recipientId": rid, "webhookUrl": "not a url"}),
        )
        .await,
        400,
        None,
    );
    let url = format!("http://{addr}/request");
    let mine = request(
        &emu,
        &key,
        json!({"amount": "1.00", "recipientId": rid, "webhookUrl": url}),
    )
    .await;
    let other = request(&emu, &key, json!({"amount": "2.00", "recipientId": rid})).await;
    for r in [&mine, &other] {
        let id = r["id"].as_str().unwrap();
        let i = intent(&emu, &key, id).await;
        let iid = i["id"].as_str().unwrap();
        ok(tester(
            &emu,
            &format!("/__emulator/payments/intents/{iid}/settle"),
            json!({}),
        )
        .await)
        .await;
    }
    let mine_id = mine["id"].as_str().unwrap();
    event(&got, |v| {
        v["event"] == "payment_request/updated"
            && v["paymentRequestId"] == mine_id
            && v["data"]["status"] == "COMPLETED"
    })
    .await;
    event(&got, |v| v["event"] == "payment_intent/completed").await;
    let all = got.lock().unwrap().clone();
    assert!(
        all.iter().all(|v| v["paymentRequestId"] == mine_id),
        "{all:?}"
    );
}

#[tokio::test]
async fn payment_webhooks_are_retried_like_item_events() {
    let emu = start().await;
    let key = api_key(&emu).await;
    let (addr, got) = receiver_answering(vec![500]).await;
    ok(post(
        &emu,
        "/webhooks",
        &key,
        json!({"url": format!("http://{addr}/"), "event": "payment_intent/created"}),
    )
    .await)
    .await;
    let (rid, _) = recipient(&emu, &key).await;
    let req = request(&emu, &key, json!({"amount": "1.00", "recipientId": rid})).await;
    let i = intent(&emu, &key, req["id"].as_str().unwrap()).await;
    let iid = i["id"].as_str().unwrap();
    for _ in 0..300 {
        if got.lock().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let all = got.lock().unwrap().clone();
    assert_eq!(all.len(), 2, "one failed attempt, then the retry: {all:?}");
    assert_eq!(
        all[0], all[1],
        "the retry carries the same eventId and body"
    );
    assert_eq!(all[1]["event"], "payment_intent/created");
    assert_eq!(all[1]["paymentIntentId"], iid);
    let s = stats(&emu).await;
    assert_eq!(s["webhooks"]["delivered"], 1, "{s}");
    assert_eq!(s["webhooks"]["attempts"], 2, "{s}");
}
