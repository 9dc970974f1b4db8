//! Parsing of webhook deliveries, against one fixture per event kind.

mod common;

use common::fixture;
use pluggy_core::models::{HealthStatus, WebhookHeaders};
use pluggy_core::webhook::{TriggeredBy, WebhookPayload, verify_headers};
use pluggy_core::{ConnectorId, ExecutionStatus, WebhookEvent};

fn parse(name: &str) -> WebhookPayload {
    WebhookPayload::parse(fixture(name).as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

const ITEM: &str = "e062ab2b-9006-45e8-b689-defabba53647";

#[test]
fn item_events_parse_into_their_variant_with_ids() {
    let cases: &[(&str, WebhookEvent, Option<TriggeredBy>, Option<&str>)] = &[
        (
            "webhook_item_created.json",
            WebhookEvent::ItemCreated,
            Some(TriggeredBy::User),
            Some("gabriel@pluggy.ai"),
        ),
        (
            "webhook_item_updated.json",
            WebhookEvent::ItemUpdated,
            Some(TriggeredBy::Sync),
            Some("gabriel@pluggy.ai"),
        ),
        (
            "webhook_item_error.json",
            WebhookEvent::ItemError,
            Some(TriggeredBy::Client),
            Some("gabriel@pluggy.ai"),
        ),
        (
            "webhook_item_deleted.json",
            WebhookEvent::ItemDeleted,
            None,
            Some("gabriel@pluggy.ai"),
        ),
        (
            "webhook_item_waiting_user_input.json",
            WebhookEvent::ItemWaitingUserInput,
            Some(TriggeredBy::User),
            Some("gabriel@pluggy.ai"),
        ),
        (
            "webhook_item_waiting_user_action.json",
            WebhookEvent::ItemWaitingUserAction,
            Some(TriggeredBy::Internal),
            Some("gabriel@pluggy.ai"),
        ),
        (
            "webhook_item_login_succeeded.json",
            WebhookEvent::ItemLoginSucceeded,
            Some(TriggeredBy::Sync),
            None,
        ),
    ];
    for (name, event, triggered_by, client_user_id) in cases {
        let p = parse(name);
        assert_eq!(&p.event(), event, "{name}");
        assert_eq!(p.event_name(), event.as_str(), "{name}");
        assert_eq!(p.item_id().unwrap().as_str(), ITEM, "{name}");
        assert!(p.event_id().is_some(), "{name}");
        assert_eq!(
            p.client_user_id().as_ref().map(|c| c.as_str()),
            *client_user_id,
            "{name}"
        );
        let e = match &p {
            WebhookPayload::ItemCreated(e)
            | WebhookPayload::ItemUpdated(e)
            | WebhookPayload::ItemError(e)
            | WebhookPayload::ItemDeleted(e)
            | WebhookPayload::ItemWaitingUserInput(e)
            | WebhookPayload::ItemWaitingUserAction(e)
            | WebhookPayload::ItemLoginSucceeded(e) => e,
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(&e.triggered_by, triggered_by, "{name}");
    }
    match parse("webhook_item_error.json") {
        WebhookPayload::ItemError(e) => {
            let error = e.error.unwrap();
            assert_eq!(error.code, ExecutionStatus::SiteNotAvailable);
            assert!(!error.message.is_empty());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn connector_and_transaction_events_parse() {
    match parse("webhook_connector_status_updated.json") {
        WebhookPayload::ConnectorStatusUpdated(e) => {
            assert_eq!(e.data.status, HealthStatus::Unstable);
            assert_eq!(e.connector(), Some(ConnectorId::new(201)));
        }
        other => panic!("{other:?}"),
    }
    let created = parse("webhook_transactions_created.json");
    assert_eq!(created.item_id().unwrap().as_str(), ITEM);
    match created {
        WebhookPayload::TransactionsCreated(e) => {
            assert_eq!(
                e.transactions_created_at_from.unwrap().to_string(),
                "2024-09-19T13:11:23.595Z"
            );
            assert!(
                e.created_transactions_link
                    .unwrap()
                    .contains("createdAtFrom=")
            );
        }
        other => panic!("{other:?}"),
    }
    match parse("webhook_transactions_updated.json") {
        WebhookPayload::TransactionsUpdated(e) => assert_eq!(e.transaction_ids.len(), 2),
        other => panic!("{other:?}"),
    }
    match parse("webhook_transactions_deleted.json") {
        WebhookPayload::TransactionsDeleted(e) => {
            assert_eq!(
                e.transaction_ids[0].as_str(),
                "97536285-cc22-4a5a-9d05-f5fe24410d0c"
            );
            assert!(e.client_id.is_some());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn payment_events_are_typed() {
    let p = parse("webhook_payment_intent_created.json");
    match &p {
        WebhookPayload::Payment(e) => {
            assert_eq!(e.event, WebhookEvent::PaymentIntentCreated);
            assert_eq!(
                e.event_id.as_ref().unwrap().as_str(),
                "5d1c5f4e-0a3b-4c2d-9e8f-000000000012"
            );
            assert_eq!(
                e.payment_intent_id.as_ref().unwrap().as_str(),
                "0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(p.event(), WebhookEvent::PaymentIntentCreated);
    assert_eq!(p.event_name(), "payment_intent/created");
    assert!(p.item_id().is_none());
}

#[test]
fn unknown_events_are_kept_whole() {
    let body = br#"{"event":"payment_intent/refunded","eventId":"ev-9","paymentIntentId":"pi-1"}"#;
    let p = WebhookPayload::parse(body).unwrap();
    match &p {
        WebhookPayload::Unknown {
            event,
            event_id,
            raw,
        } => {
            assert_eq!(event, "payment_intent/refunded");
            assert_eq!(event_id.as_ref().unwrap().as_str(), "ev-9");
            assert_eq!(raw["paymentIntentId"], "pi-1");
        }
        other => panic!("{other:?}"),
    }
    // A payload without a typed variant still names its event.
    assert_eq!(p.event_name(), "payment_intent/refunded");
    assert!(matches!(p.event(), WebhookEvent::Unknown(_)));
    assert!(p.item_id().is_none());
}

#[test]
fn payloads_serialize_to_what_parses_back_equal() {
    for name in common::fixture_names()
        .iter()
        .filter(|n| n.starts_with("webhook_"))
    {
        let p = parse(name);
        let bytes = serde_json::to_vec(&p).unwrap();
        let back = WebhookPayload::parse(&bytes).unwrap();
        assert_eq!(back, p, "{name}");
        let via_serde: WebhookPayload = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(via_serde, p, "{name}");
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["event"], p.event_name(), "{name}");
    }
}

#[test]
fn custom_headers_are_checked_case_insensitively_by_the_lookup() {
    let configured = WebhookHeaders::new().with("x-webhook-token", "9f8e7d6c5b4a");
    let request_headers = [
        ("Content-Type".to_owned(), "application/json".to_owned()),
        ("X-Webhook-Token".to_owned(), "9f8e7d6c5b4a".to_owned()),
    ];
    let lookup = |name: &str| {
        request_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    assert!(verify_headers(&configured, lookup));
    let forged = WebhookHeaders::new().with("x-webhook-token", "9f8e7d6c5b4b");
    assert!(!verify_headers(&forged, lookup));
    let pairs = [("x-webhook-token".to_owned(), "9f8e7d6c5b4a".to_owned())];
    assert!(verify_headers(pairs.iter().map(|(k, v)| (k, v)), lookup));
}

#[test]
fn a_built_item_event_serializes_like_a_delivery() {
    use pluggy_core::webhook::ItemEvent;
    use pluggy_core::{ClientUserId, EventId, ItemId};
    let p = WebhookPayload::ItemUpdated(ItemEvent {
        triggered_by: Some(TriggeredBy::Sync),
        client_user_id: Some(ClientUserId::new("gabriel@pluggy.ai")),
        ..ItemEvent::new(
            EventId::new("5d1c5f4e-0a3b-4c2d-9e8f-000000000002"),
            ItemId::new(ITEM),
        )
    });
    let expected: serde_json::Value =
        serde_json::from_str(&fixture("webhook_item_updated.json")).unwrap();
    assert_eq!(serde_json::to_value(&p).unwrap(), expected);
}
