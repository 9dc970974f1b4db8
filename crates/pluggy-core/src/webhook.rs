//! Webhook deliveries: the typed payloads Pluggy POSTs to a webhook URL, and a check of the
//! custom headers configured on the webhook.
//!
//! Pluggy signs nothing; a receiver authenticates a delivery by the custom headers it set on
//! the webhook ([`verify_headers`]), acknowledges it at once with a 2xx, deduplicates on
//! [`WebhookPayload::event_id`], and then reads the current state with the API key.
//!
//! ```
//! use pluggy_core::webhook::WebhookPayload;
//!
//! let body = br#"{"event":"item/updated","eventId":"e1","id":"i1","itemId":"i1",
//!                 "triggeredBy":"SYNC","clientUserId":"user-42"}"#;
//! match WebhookPayload::parse(body)? {
//!     WebhookPayload::ItemUpdated(e) => assert_eq!(e.item_id.as_str(), "i1"),
//!     other => panic!("unexpected {other:?}"),
//! }
//! # Ok::<(), pluggy_core::Error>(())
//! ```

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::Timestamp;
use crate::error::Error;
use crate::generated::enums::WebhookEvent;
use crate::ids::{AccountId, ClientId, ClientUserId, ConnectorId, EventId, ItemId, TransactionId};
use crate::models::{HealthStatus, ItemError};
use crate::secret::constant_time_eq;

crate::models::wire_enum!(
    /// What started the sync an item event is about.
    TriggeredBy {
        Client = "CLIENT",
        User = "USER",
        Sync = "SYNC",
        Internal = "INTERNAL",
    }
);

/// One webhook delivery, by event.
///
/// Events this version does not model (payments, future events) are kept whole in
/// [`WebhookPayload::Unknown`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum WebhookPayload {
    /// `item/created`: an item was created and connected.
    ItemCreated(ItemEvent),
    /// `item/updated`: an item synced.
    ItemUpdated(ItemEvent),
    /// `item/error`: an item's sync failed (`error` says why).
    ItemError(ItemEvent),
    /// `item/deleted`: an item was deleted.
    ItemDeleted(ItemEvent),
    /// `item/waiting_user_input`: an item waits for an MFA value.
    ItemWaitingUserInput(ItemEvent),
    /// `item/waiting_user_action`: an item waits for the user to act at the institution.
    ItemWaitingUserAction(ItemEvent),
    /// `item/login_succeeded`: an item logged in and is still collecting.
    ItemLoginSucceeded(ItemEvent),
    /// `connector/status_updated`: a connector's health changed.
    ConnectorStatusUpdated(ConnectorStatusEvent),
    /// `transactions/created`: new transactions were collected.
    TransactionsCreated(TransactionsCreatedEvent),
    /// `transactions/updated`: transactions changed.
    TransactionsUpdated(TransactionsChangedEvent),
    /// `transactions/deleted`: transactions were removed.
    TransactionsDeleted(TransactionsChangedEvent),
    /// A payment event: `payment_intent/*`, `payment_request/updated`, `scheduled_payment/*`,
    /// `automatic_pix_payment/*`, `smart_transfer_preauthorization/*`,
    /// `smart_transfer_payment/*` or `boleto/updated` ([`PaymentEvent::event`] says which).
    Payment(PaymentEvent),
    /// Any other event, kept as received.
    Unknown {
        /// The event's name.
        event: String,
        /// The delivery's id, when present.
        event_id: Option<EventId>,
        /// The whole payload.
        raw: Value,
    },
}

/// The payload of an `item/*` event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemEvent {
    /// The delivery's unique id, for idempotent handling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<EventId>,
    /// The item's id again (deprecated field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The item.
    pub item_id: ItemId,
    /// What started the sync, or `null`.
    #[serde(default)]
    pub triggered_by: Option<TriggeredBy>,
    /// Your id for the item's end user, or `null`.
    #[serde(default)]
    pub client_user_id: Option<ClientUserId>,
    /// Why the sync failed (`item/error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ItemError>,
}

impl ItemEvent {
    /// An event about `item_id`, with its delivery id; the other fields empty.
    pub fn new(event_id: EventId, item_id: ItemId) -> Self {
        Self {
            event_id: Some(event_id),
            id: Some(item_id.as_str().to_owned()),
            item_id,
            triggered_by: None,
            client_user_id: None,
            error: None,
        }
    }
}

/// The payload of `connector/status_updated`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectorStatusEvent {
    /// The delivery's unique id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<EventId>,
    /// The connector's id, as a string (deprecated field).
    #[serde(
        default,
        deserialize_with = "crate::models::lenient_string::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// The connector's id, when sent as its own field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<ConnectorId>,
    /// The new status.
    pub data: ConnectorStatusData,
}

impl ConnectorStatusEvent {
    /// The connector, from `connectorId` or else the numeric `id`.
    pub fn connector(&self) -> Option<ConnectorId> {
        self.connector_id.or_else(|| {
            self.id
                .as_deref()
                .and_then(|s| s.trim().parse::<u32>().ok())
                .map(ConnectorId::new)
        })
    }
}

/// The `data` of `connector/status_updated`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectorStatusData {
    /// `ONLINE`, `UNSTABLE` or `OFFLINE`.
    pub status: HealthStatus,
}

/// The payload of `transactions/created`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionsCreatedEvent {
    /// The delivery's unique id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<EventId>,
    /// The related entity's id (deprecated field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The item.
    pub item_id: ItemId,
    /// The account the transactions belong to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<AccountId>,
    /// Your id for the item's end user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_user_id: Option<ClientUserId>,
    /// The new transactions are those collected from this instant on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transactions_created_at_from: Option<Timestamp>,
    /// A ready URL that lists the new transactions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_transactions_link: Option<String>,
}

/// The payload of a payment event: the ids of what it is about, and the new status where the
/// event carries one (`payment_request/updated`'s `data.status`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentEvent {
    /// Which payment event this is (the payload's `event`).
    #[serde(skip, default = "unnamed_event")]
    pub event: WebhookEvent,
    /// The delivery's unique id, for idempotent handling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<EventId>,
    /// The payment request concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_request_id: Option<crate::ids::PaymentRequestId>,
    /// The payment intent concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_intent_id: Option<crate::ids::PaymentIntentId>,
    /// The scheduled payment concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_payment_id: Option<String>,
    /// The bulk payment concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bulk_payment_id: Option<String>,
    /// The Automatic Pix payment concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automatic_pix_payment_id: Option<crate::ids::AutomaticPixPaymentId>,
    /// The smart-transfer preauthorization concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preauthorization_id: Option<crate::ids::SmartTransferPreauthorizationId>,
    /// The smart-transfer payment concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smart_transfer_payment_id: Option<crate::ids::SmartTransferPaymentId>,
    /// The boleto concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boleto_id: Option<crate::ids::BoletoId>,
    /// Extra data, e.g. `{"status": "COMPLETED"}` on `payment_request/updated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl PaymentEvent {
    /// The new status the event reports (`data.status`), if any.
    pub fn status(&self) -> Option<&str> {
        self.data.as_ref()?.get("status")?.as_str()
    }
}

/// The placeholder a payment event's name replaces as soon as it is read.
fn unnamed_event() -> WebhookEvent {
    WebhookEvent::Unknown(String::new())
}

/// Whether `event` is one of the payment events.
fn is_payment_event(event: &WebhookEvent) -> bool {
    const FAMILIES: [&str; 6] = [
        "payment_intent/",
        "payment_request/",
        "scheduled_payment/",
        "automatic_pix_payment/",
        "smart_transfer_",
        "boleto/",
    ];
    !matches!(event, WebhookEvent::Unknown(_))
        && FAMILIES
            .iter()
            .any(|family| event.as_str().starts_with(family))
}

/// The payload of `transactions/updated` and `transactions/deleted`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionsChangedEvent {
    /// The delivery's unique id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<EventId>,
    /// The related entity's id (deprecated field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The item.
    pub item_id: ItemId,
    /// The account the transactions belong to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<AccountId>,
    /// The application the item belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
    /// Your id for the item's end user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_user_id: Option<ClientUserId>,
    /// The transactions concerned.
    #[serde(default)]
    pub transaction_ids: Vec<TransactionId>,
}

impl WebhookPayload {
    /// Parses the raw body of a delivery.
    ///
    /// Fails with [`Error::InvalidInput`] when the body is not a JSON object with a string
    /// `event`, or when a known event lacks a field it needs (such as `itemId`).
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| invalid(format!("the body is not JSON ({e})")))?;
        Self::from_value(value)
    }

    /// Reads a payload already parsed as JSON.
    pub fn from_value(value: Value) -> Result<Self, Error> {
        from_value(value).map_err(invalid)
    }

    /// The event, as the generated enum (`Unknown` for events it does not list).
    pub fn event(&self) -> WebhookEvent {
        WebhookEvent::parse(self.event_name())
    }

    /// The event's name, e.g. `item/updated`.
    pub fn event_name(&self) -> &str {
        match self {
            WebhookPayload::ItemCreated(_) => "item/created",
            WebhookPayload::ItemUpdated(_) => "item/updated",
            WebhookPayload::ItemError(_) => "item/error",
            WebhookPayload::ItemDeleted(_) => "item/deleted",
            WebhookPayload::ItemWaitingUserInput(_) => "item/waiting_user_input",
            WebhookPayload::ItemWaitingUserAction(_) => "item/waiting_user_action",
            WebhookPayload::ItemLoginSucceeded(_) => "item/login_succeeded",
            WebhookPayload::ConnectorStatusUpdated(_) => "connector/status_updated",
            WebhookPayload::TransactionsCreated(_) => "transactions/created",
            WebhookPayload::TransactionsUpdated(_) => "transactions/updated",
            WebhookPayload::TransactionsDeleted(_) => "transactions/deleted",
            WebhookPayload::Payment(e) => e.event.as_str(),
            WebhookPayload::Unknown { event, .. } => event,
        }
    }

    /// The delivery's unique id (`eventId`), for idempotent handling.
    pub fn event_id(&self) -> Option<&EventId> {
        match self {
            WebhookPayload::ItemCreated(e)
            | WebhookPayload::ItemUpdated(e)
            | WebhookPayload::ItemError(e)
            | WebhookPayload::ItemDeleted(e)
            | WebhookPayload::ItemWaitingUserInput(e)
            | WebhookPayload::ItemWaitingUserAction(e)
            | WebhookPayload::ItemLoginSucceeded(e) => e.event_id.as_ref(),
            WebhookPayload::ConnectorStatusUpdated(e) => e.event_id.as_ref(),
            WebhookPayload::TransactionsCreated(e) => e.event_id.as_ref(),
            WebhookPayload::TransactionsUpdated(e) | WebhookPayload::TransactionsDeleted(e) => {
                e.event_id.as_ref()
            }
            WebhookPayload::Payment(e) => e.event_id.as_ref(),
            WebhookPayload::Unknown { event_id, .. } => event_id.as_ref(),
        }
    }

    /// The item the event is about, if any (read from `itemId` for unknown events too).
    pub fn item_id(&self) -> Option<ItemId> {
        match self {
            WebhookPayload::ItemCreated(e)
            | WebhookPayload::ItemUpdated(e)
            | WebhookPayload::ItemError(e)
            | WebhookPayload::ItemDeleted(e)
            | WebhookPayload::ItemWaitingUserInput(e)
            | WebhookPayload::ItemWaitingUserAction(e)
            | WebhookPayload::ItemLoginSucceeded(e) => Some(e.item_id.clone()),
            WebhookPayload::ConnectorStatusUpdated(_) | WebhookPayload::Payment(_) => None,
            WebhookPayload::TransactionsCreated(e) => Some(e.item_id.clone()),
            WebhookPayload::TransactionsUpdated(e) | WebhookPayload::TransactionsDeleted(e) => {
                Some(e.item_id.clone())
            }
            WebhookPayload::Unknown { raw, .. } => raw_str(raw, "itemId").map(ItemId::new),
        }
    }

    /// Your id for the item's end user (`clientUserId`), if the payload carries it.
    pub fn client_user_id(&self) -> Option<ClientUserId> {
        match self {
            WebhookPayload::ItemCreated(e)
            | WebhookPayload::ItemUpdated(e)
            | WebhookPayload::ItemError(e)
            | WebhookPayload::ItemDeleted(e)
            | WebhookPayload::ItemWaitingUserInput(e)
            | WebhookPayload::ItemWaitingUserAction(e)
            | WebhookPayload::ItemLoginSucceeded(e) => e.client_user_id.clone(),
            WebhookPayload::ConnectorStatusUpdated(_) | WebhookPayload::Payment(_) => None,
            WebhookPayload::TransactionsCreated(e) => e.client_user_id.clone(),
            WebhookPayload::TransactionsUpdated(e) | WebhookPayload::TransactionsDeleted(e) => {
                e.client_user_id.clone()
            }
            WebhookPayload::Unknown { raw, .. } => {
                raw_str(raw, "clientUserId").map(ClientUserId::new)
            }
        }
    }
}

fn invalid(why: String) -> Error {
    Error::InvalidInput(format!("webhook payload: {why}"))
}

fn raw_str<'a>(raw: &'a Value, key: &str) -> Option<&'a str> {
    raw.get(key).and_then(Value::as_str)
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn from_value(value: Value) -> Result<WebhookPayload, String> {
    let Some(map) = value.as_object() else {
        return Err(format!(
            "expected a JSON object, found {}",
            json_kind(&value)
        ));
    };
    let event = match map.get("event") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(format!(
                "`event` must be a string, found {}",
                json_kind(other)
            ));
        }
        None => return Err("the `event` field is missing".to_owned()),
    };
    fn typed<T: serde::de::DeserializeOwned>(
        event: &str,
        value: Value,
        wrap: fn(T) -> WebhookPayload,
    ) -> Result<WebhookPayload, String> {
        serde_json::from_value(value)
            .map(wrap)
            .map_err(|e| format!("{event}: {e}"))
    }
    use WebhookPayload as P;
    match WebhookEvent::parse(&event) {
        WebhookEvent::ItemCreated => typed(&event, value, P::ItemCreated),
        WebhookEvent::ItemUpdated => typed(&event, value, P::ItemUpdated),
        WebhookEvent::ItemError => typed(&event, value, P::ItemError),
        WebhookEvent::ItemDeleted => typed(&event, value, P::ItemDeleted),
        WebhookEvent::ItemWaitingUserInput => typed(&event, value, P::ItemWaitingUserInput),
        WebhookEvent::ItemWaitingUserAction => typed(&event, value, P::ItemWaitingUserAction),
        WebhookEvent::ItemLoginSucceeded => typed(&event, value, P::ItemLoginSucceeded),
        WebhookEvent::ConnectorStatusUpdated => typed(&event, value, P::ConnectorStatusUpdated),
        WebhookEvent::TransactionsCreated => typed(&event, value, P::TransactionsCreated),
        WebhookEvent::TransactionsUpdated => typed(&event, value, P::TransactionsUpdated),
        WebhookEvent::TransactionsDeleted => typed(&event, value, P::TransactionsDeleted),
        kind if is_payment_event(&kind) => serde_json::from_value::<PaymentEvent>(value)
            .map(|payload| {
                P::Payment(PaymentEvent {
                    event: kind,
                    ..payload
                })
            })
            .map_err(|e| format!("{event}: {e}")),
        _ => {
            let event_id = raw_str(&value, "eventId").map(EventId::new);
            Ok(P::Unknown {
                event,
                event_id,
                raw: value,
            })
        }
    }
}

/// A typed payload with its `event` name, serialized as one flat object.
#[derive(Serialize)]
struct Tagged<'a, T> {
    event: &'a str,
    #[serde(flatten)]
    body: &'a T,
}

impl Serialize for WebhookPayload {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let event = self.event_name();
        match self {
            WebhookPayload::ItemCreated(e)
            | WebhookPayload::ItemUpdated(e)
            | WebhookPayload::ItemError(e)
            | WebhookPayload::ItemDeleted(e)
            | WebhookPayload::ItemWaitingUserInput(e)
            | WebhookPayload::ItemWaitingUserAction(e)
            | WebhookPayload::ItemLoginSucceeded(e) => Tagged { event, body: e }.serialize(s),
            WebhookPayload::ConnectorStatusUpdated(e) => Tagged { event, body: e }.serialize(s),
            WebhookPayload::TransactionsCreated(e) => Tagged { event, body: e }.serialize(s),
            WebhookPayload::TransactionsUpdated(e) | WebhookPayload::TransactionsDeleted(e) => {
                Tagged { event, body: e }.serialize(s)
            }
            WebhookPayload::Payment(e) => Tagged { event, body: e }.serialize(s),
            WebhookPayload::Unknown { raw, .. } => raw.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for WebhookPayload {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        from_value(value)
            .map_err(|e| serde::de::Error::custom(format_args!("webhook payload: {e}")))
    }
}

/// Checks that a delivery carries every custom header configured on the webhook, with the
/// configured value, comparing values in constant time.
///
/// `expected` is the webhook's headers (`&WebhookHeaders`, a `&BTreeMap`/`&HashMap` of
/// strings, or pairs such as `[("x-pluggy-token", "…")]`); `received` looks a header up in the
/// delivery by name, and should ignore case as HTTP does. Every expected header is checked,
/// whatever the outcome of the others. With no expected headers there is nothing to check
/// and the answer is `true`.
pub fn verify_headers<'r, I, K, V>(expected: I, received: impl Fn(&str) -> Option<&'r str>) -> bool
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut all_match = true;
    for (name, value) in expected {
        let matches = received(name.as_ref())
            .is_some_and(|got| constant_time_eq(got.as_bytes(), value.as_ref().as_bytes()));
        all_match &= matches;
    }
    all_match
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::WebhookHeaders;

    #[test]
    fn headers_must_all_match() {
        let expected = WebhookHeaders::new()
            .with("x-token", "s3cret")
            .with("x-app", "demo");
        let delivery = [("X-Token", "s3cret"), ("X-App", "demo")];
        let lookup = |name: &str| {
            delivery
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| *v)
        };
        assert!(verify_headers(&expected, lookup));
        let wrong = [("X-Token", "s3creT"), ("X-App", "demo")];
        assert!(!verify_headers(&expected, |name: &str| {
            wrong
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| *v)
        }));
        assert!(!verify_headers([("x-missing", "v")], lookup));
        assert!(verify_headers(&WebhookHeaders::new(), |_: &str| None));
    }

    #[test]
    fn payment_events_are_typed_and_unknown_ones_kept() {
        let body = br#"{"event":"payment_request/updated","eventId":"ev-1","paymentRequestId":"pr-1","data":{"status":"COMPLETED"}}"#;
        let payload = WebhookPayload::parse(body).unwrap();
        let WebhookPayload::Payment(event) = &payload else {
            panic!("{payload:?}");
        };
        assert_eq!(event.event, WebhookEvent::PaymentRequestUpdated);
        assert_eq!(event.status(), Some("COMPLETED"));
        assert_eq!(
            event.payment_request_id.as_ref().map(|id| id.as_str()),
            Some("pr-1")
        );
        assert_eq!(payload.event_id().map(EventId::as_str), Some("ev-1"));
        assert_eq!(payload.event_name(), "payment_request/updated");
        let round: Value = serde_json::to_value(&payload).unwrap();
        assert_eq!(round["event"], "payment_request/updated");
        assert_eq!(round["paymentRequestId"], "pr-1");
        for name in [
            "payment_intent/completed",
            "scheduled_payment/canceled",
            "automatic_pix_payment/error",
            "smart_transfer_preauthorization/completed",
            "smart_transfer_payment/completed",
            "boleto/updated",
        ] {
            let body = format!(r#"{{"event":"{name}","eventId":"e"}}"#);
            let payload = WebhookPayload::parse(body.as_bytes()).unwrap();
            assert!(
                matches!(payload, WebhookPayload::Payment(_)),
                "{name}: {payload:?}"
            );
            assert_eq!(payload.event_name(), name);
        }
        let future = br#"{"event":"payment_intent/refunded","eventId":"e"}"#;
        assert!(matches!(
            WebhookPayload::parse(future).unwrap(),
            WebhookPayload::Unknown { .. }
        ));
    }

    #[test]
    fn garbage_is_a_clear_error() {
        for (body, hint) in [
            (&b"not json"[..], "not JSON"),
            (b"[1,2]", "an array"),
            (b"{\"eventId\":\"e\"}", "`event` field is missing"),
            (b"{\"event\":5}", "must be a string"),
            (b"{\"event\":\"item/updated\",\"eventId\":\"e\"}", "itemId"),
        ] {
            let err = WebhookPayload::parse(body).unwrap_err();
            let msg = err.to_string();
            assert!(
                msg.contains("webhook payload") && msg.contains(hint),
                "{msg}"
            );
        }
    }
}
