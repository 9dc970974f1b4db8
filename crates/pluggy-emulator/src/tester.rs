//! The payer's side of payments, for testers: the payment page at a request's `paymentUrl`
//! (`/__emulator/pay/{id}`, also a preauthorization's `consentUrl`) and the routes that do
//! the same without a browser — authorize, reject, expire, cancel or settle an intent, answer
//! a smart-transfer preauthorization, reject a smart-transfer payment, pay a boleto, make a
//! scheduled or Automatic Pix payment fail.
//!
//! Every route changes the world the way the payer's bank would, then runs whatever that
//! makes due and sends the webhooks it raised.

use pluggy_core::models::{BoletoPaymentOrigin, PaymentRequestRecipient};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use crate::reply::{self, Reply};
use crate::world::payments::{self, Refusal};
use crate::world::state::{Shared, State};

/// The payment page, with `{{…}}` placeholders filled in (escaped) by [`page`].
const PAGE: &str = include_str!("connect/pay.html");

/// Answers a tester's payment route, or `None` when `path` is not one.
pub(crate) fn handle(shared: &Shared, method: &str, path: &str, body: &[u8]) -> Option<Reply> {
    let parts: Vec<&str> = path.trim_start_matches("/__emulator/").split('/').collect();
    let reply = match (method, parts.as_slice()) {
        ("GET", ["pay", id]) => page(shared, id, None),
        ("POST", ["pay", id]) => pay(shared, id, body),
        ("POST", ["payments", "intents", id, action]) => intent_action(shared, id, action, body),
        (
            "POST",
            [
                "smart-transfers",
                "preauthorizations",
                id,
                action @ ("authorize" | "reject"),
            ],
        ) => change(shared, |st, now| {
            payments::answer_preauthorization(&mut st.payments, id, *action == "authorize", now)?;
            let p = st
                .payments
                .preauthorizations
                .iter()
                .find(|p| p.model.id.as_str() == *id)
                .map(|p| json!({"id": id, "status": p.model.status.as_str()}));
            Ok(p.unwrap_or(Value::Null))
        }),
        ("POST", ["boletos", id, "pay"]) => pay_boleto(shared, id, body),
        ("POST", ["smart-transfers", "payments", id, "reject"]) => change(shared, |st, now| {
            payments::reject_transfer(&mut st.payments, id, now)?;
            Ok(json!({"id": id, "status": "PAYMENT_REJECTED"}))
        }),
        (
            "POST",
            [
                "payments",
                "requests",
                request_id,
                "schedules",
                schedule_id,
                "fail",
            ],
        ) => change(shared, |st, _| {
            payments::fail_schedule(&mut st.payments, request_id, schedule_id)?;
            Ok(json!({"id": schedule_id, "failsNext": true}))
        }),
        (
            "POST",
            [
                "payments",
                "requests",
                request_id,
                "automatic-pix",
                "schedules",
                payment_id,
                "fail",
            ],
        ) => change(shared, |st, _| {
            let belongs = st
                .payments
                .auto_pix
                .iter()
                .any(|a| a.id == *payment_id && a.request_id == *request_id);
            if !belongs {
                return Err(payments::auto_pix_not_found());
            }
            payments::fail_next_auto_pix(&mut st.payments, payment_id)?;
            Ok(json!({"id": payment_id, "failsNext": true}))
        }),
        _ => return None,
    };
    Some(reply)
}

/// Runs `f` on the world brought up to now, then runs what became due and sends the
/// webhooks raised.
fn change(shared: &Shared, f: impl FnOnce(&mut State, i64) -> Result<Value, Refusal>) -> Reply {
    let now = shared.clock.now();
    let mut st = shared.lock();
    st.advance(shared, now);
    let result = f(&mut st, now);
    st.advance(shared, now);
    payments::flush_raised(&mut st);
    shared.flush(&mut st);
    drop(st);
    shared.wake.notify_one();
    match result {
        Ok(v) => Reply::ok(&v),
        Err(r) => reply::error(r.status, r.code, r.message),
    }
}

fn object(body: &[u8]) -> Result<Map<String, Value>, Reply> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(reply::bad_request("The request body must be a JSON object")),
        Err(e) => Err(reply::bad_request(format!("Invalid JSON body: {e}"))),
    }
}

fn intent_status(st: &State, id: &str) -> Value {
    let i = st.payments.intents.iter().find(|i| i.id == id);
    let request = i.and_then(|i| {
        st.payments
            .requests
            .iter()
            .find(|r| r.model.id.as_str() == i.request_id)
    });
    json!({
        "id": id,
        "status": i.map(|i| i.status.as_str()),
        "paymentRequestId": i.map(|i| i.request_id.as_str()),
        "paymentRequestStatus": request.map(|r| r.model.status.as_str()),
    })
}

/// `POST /__emulator/payments/intents/{id}/{authorize|reject|expire|cancel|settle}`; `settle`
/// takes `{"outcome": "completed" | "rejected"}` (completed when absent).
fn intent_action(shared: &Shared, id: &str, action: &str, body: &[u8]) -> Reply {
    let completed = match action {
        "settle" => match object(body) {
            Ok(m) => match m.get("outcome").and_then(Value::as_str) {
                None | Some("completed") => true,
                Some("rejected") => false,
                Some(other) => {
                    return reply::bad_request(format!(
                        "outcome must be completed or rejected, not '{other}'"
                    ));
                }
            },
            Err(e) => return e,
        },
        "authorize" | "reject" | "expire" | "cancel" => true,
        other => return reply::error(404, None, format!("No intent action '{other}'")),
    };
    change(shared, |st, now| {
        match action {
            "authorize" => payments::authorize_intent(st, id, now)?,
            "reject" => payments::reject_intent(st, id, now)?,
            "expire" => payments::expire_intent(st, id, now)?,
            "cancel" => payments::cancel_intent(st, id, now)?,
            _ => payments::settle_intent(st, id, completed, now)?,
        }
        Ok(intent_status(st, id))
    })
}

/// `POST /__emulator/boletos/{id}/pay`, optionally with `{"amount": "…", "origin": "PIX" |
/// "BOLETO"}`.
fn pay_boleto(shared: &Shared, id: &str, body: &[u8]) -> Reply {
    let m = match object(body) {
        Ok(m) => m,
        Err(e) => return e,
    };
    let amount = match m.get("amount") {
        None | Some(Value::Null) => None,
        Some(v) => match v
            .as_str()
            .map(str::to_owned)
            .or_else(|| v.as_number().map(ToString::to_string))
            .and_then(|s| s.parse::<Decimal>().ok())
        {
            Some(d) => Some(d),
            None => return reply::bad_request("amount must be a decimal number"),
        },
    };
    let origin = match m.get("origin").and_then(Value::as_str) {
        None | Some("BOLETO") => BoletoPaymentOrigin::Boleto,
        Some("PIX") => BoletoPaymentOrigin::Pix,
        Some(other) => {
            return reply::bad_request(format!("origin must be PIX or BOLETO, not '{other}'"));
        }
    };
    change(shared, |st, now| {
        let b = payments::pay_boleto(&mut st.payments, id, amount, origin, now)?;
        Ok(serde_json::to_value(&b).unwrap_or(Value::Null))
    })
}

/// The page's form, or a tester's JSON: `connectorId` (a bank that initiates payments) and
/// `action` (`approve` or `reject`). A form gets the page back; JSON gets the intent's
/// status.
fn pay(shared: &Shared, id: &str, body: &[u8]) -> Reply {
    let is_json = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let fields: Vec<(String, String)> = if is_json {
        match object(body) {
            Ok(m) => m
                .into_iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (k, v)
                })
                .collect(),
            Err(e) => return e,
        }
    } else {
        form_pairs(body)
    };
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let approve = match field("action") {
        Some("approve") => true,
        Some("reject") => false,
        _ => return reply::bad_request("action must be approve or reject"),
    };
    let is_preauthorization = shared
        .lock()
        .payments
        .preauthorizations
        .iter()
        .any(|p| p.model.id.as_str() == id);
    let connector_id = match field("connectorId").map(str::parse::<u32>) {
        Some(Ok(c)) => c,
        None if is_preauthorization => 0,
        _ => return reply::bad_request("connectorId must be the id of a bank"),
    };
    if !is_preauthorization
        && !shared
            .connector(connector_id)
            .is_some_and(crate::world::catalog::Connector::supports_payments)
    {
        return reply::bad_request(format!(
            "Connector {connector_id} does not support payment initiation"
        ));
    }
    let answer = change(shared, |st, now| {
        if is_preauthorization {
            payments::answer_preauthorization(&mut st.payments, id, approve, now)?;
            return Ok(json!({"id": id}));
        }
        let intent = payments::pay_request(st, id, connector_id, approve, now)?;
        Ok(intent_status(st, &intent))
    });
    if is_json {
        return answer;
    }
    let message = if answer.status == 200 {
        if approve {
            "Approved. The payment settles on the emulator's clock."
        } else {
            "Rejected."
        }
        .to_owned()
    } else {
        serde_json::from_slice::<Value>(&answer.body)
            .ok()
            .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_else(|| "The payment could not be made.".to_owned())
    };
    page(shared, id, Some(&message))
}

/// The fields of an HTML form's body (`application/x-www-form-urlencoded`).
fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    String::from_utf8_lossy(body)
        .trim()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// The template with each `{{NAME}}` replaced by its value, in one pass over the template
/// only, so a value that contains a placeholder's text is never replaced in turn.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let name = &after[..end];
                match values.iter().find(|(n, _)| *n == name) {
                    Some((_, v)) => out.push_str(v),
                    None => out.push_str(&rest[start..start + 4 + end]),
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Escapes text for HTML content and attribute values.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `GET /__emulator/pay/{id}`: the payment page of a request (or a preauthorization): what
/// is asked, the banks that initiate payments, and approve / reject.
fn page(shared: &Shared, id: &str, message: Option<&str>) -> Reply {
    let st = shared.lock();
    let (title, amount, recipient, description, status, open) = if let Some(r) = st
        .payments
        .requests
        .iter()
        .find(|r| r.model.id.as_str() == id)
    {
        let m = &r.model;
        let recipient = match &m.recipient {
            Some(PaymentRequestRecipient::BankAccount(b)) => b.name.clone(),
            Some(PaymentRequestRecipient::PixQrCode { name }) => name.clone().unwrap_or_default(),
            _ => String::new(),
        };
        let open = matches!(
            m.status.as_str(),
            "CREATED" | "IN_PROGRESS" | "WAITING_PAYER_AUTHORIZATION"
        ) && !st
            .payments
            .intents
            .iter()
            .any(|i| i.request_id == id && !i.status.is_final());
        (
            "Payment request".to_owned(),
            m.amount.map(|a| format!("R$ {a}")).unwrap_or_default(),
            recipient,
            m.description.clone().unwrap_or_default(),
            m.status.as_str().to_owned(),
            open,
        )
    } else if let Some(p) = st
        .payments
        .preauthorizations
        .iter()
        .find(|p| p.model.id.as_str() == id)
    {
        let names: Vec<&str> = p.model.recipients.iter().map(|r| r.name.as_str()).collect();
        (
            "Smart transfer preauthorization".to_owned(),
            String::new(),
            names.join(", "),
            String::new(),
            p.model.status.as_str().to_owned(),
            p.model.status.as_str() == "CREATED",
        )
    } else {
        return reply::error(
            404,
            Some("PAYMENT_REQUEST_NOT_FOUND"),
            "Payment request not found",
        );
    };
    let is_request = title == "Payment request";
    drop(st);
    let form = if open {
        let banks: String = if is_request {
            let list: String = shared
                .connectors
                .iter()
                .filter(|c| c.supports_payments())
                .enumerate()
                .map(|(n, c)| {
                    format!(
                        "<label><input type=\"radio\" name=\"connectorId\" value=\"{}\"{}> {}</label>\n",
                        c.id,
                        if n == 0 { " checked" } else { "" },
                        escape(c.name)
                    )
                })
                .collect();
            format!("<fieldset><legend>Your bank</legend>\n{list}</fieldset>\n")
        } else {
            String::new()
        };
        format!(
            "<form method=\"post\" action=\"/__emulator/pay/{}\">\n{banks}<button name=\"action\" value=\"approve\">Approve</button><button name=\"action\" value=\"reject\">Reject</button>\n</form>",
            escape(id)
        )
    } else {
        String::new()
    };
    let html = fill(
        PAGE,
        &[
            ("TITLE", &escape(&title)),
            ("AMOUNT", &escape(&amount)),
            ("RECIPIENT", &escape(&recipient)),
            ("DESCRIPTION", &escape(&description)),
            ("STATUS", &escape(&status)),
            ("MESSAGE", &escape(message.unwrap_or(""))),
            ("FORM", &form),
        ],
    );
    Reply {
        status: 200,
        body: html.into_bytes().into(),
        headers: Vec::new(),
    }
    .with_header("content-type", "text/html; charset=utf-8")
    .with_header(
        "content-security-policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    )
    .with_header("x-content-type-options", "nosniff")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_placeholders_once() {
        assert_eq!(
            fill("a{{X}}b{{Y}}c{{Z}}", &[("X", "{{Y}}"), ("Y", "2")]),
            "a{{Y}}b2c{{Z}}"
        );
        assert_eq!(fill("{{open", &[]), "{{open");
        assert_eq!(
            form_pairs(b"connectorId=600&action=approve&x=a+b%21"),
            vec![
                ("connectorId".to_owned(), "600".to_owned()),
                ("action".to_owned(), "approve".to_owned()),
                ("x".to_owned(), "a b!".to_owned())
            ]
        );
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<b a=\"x\">&'</b>"),
            "&lt;b a=&quot;x&quot;&gt;&amp;&#39;&lt;/b&gt;"
        );
    }
}
