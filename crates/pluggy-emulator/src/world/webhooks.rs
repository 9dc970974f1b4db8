//! Webhooks as the world keeps them: registered webhooks, the events items raise, queued in
//! the outbox as deliveries for the delivery task, and the rule for a webhook URL.

use std::collections::BTreeMap;

use pluggy_core::webhook::{
    ItemEvent, PaymentEvent, TransactionsCreatedEvent, TriggeredBy, WebhookPayload,
};
use pluggy_core::{AccountId, ClientUserId, EventId, ItemId, WebhookEvent};

use super::clock::{Millis, ts};
use super::sandbox::{self, Failure};
use super::state::State;

/// A registered webhook.
#[derive(Clone, Debug)]
pub(crate) struct WebhookRec {
    pub(crate) id: String,
    pub(crate) client_id: String,
    pub(crate) url: String,
    pub(crate) event: WebhookEvent,
    pub(crate) headers: BTreeMap<String, String>,
    pub(crate) created_at: Millis,
    pub(crate) updated_at: Millis,
    pub(crate) disabled_at: Option<Millis>,
}

/// One POST to make to one receiver.
#[derive(Clone, Debug)]
pub(crate) struct Delivery {
    pub(crate) generation: u64,
    pub(crate) url: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

/// What an event carries besides the item.
#[derive(Clone, Debug)]
pub(crate) enum Extra {
    /// Nothing more.
    None,
    /// The failure of an `item/error`.
    Error(Failure),
    /// The account and instant of a `transactions/created`.
    TransactionsCreated {
        account_id: String,
        from: Millis,
        base_url: String,
    },
}

/// Queues `event` about `item_id` for every receiver that wants it: the item's `webhookUrl`
/// and the client's webhooks registered for this event or for `all`.
pub(crate) fn raise(
    st: &mut State,
    item_id: &str,
    event: WebhookEvent,
    trigger: TriggeredBy,
    extra: Extra,
) {
    let Some(item) = st.items.get(item_id) else {
        return;
    };
    let event_id = EventId::new(st.rng.uuid());
    let item_ref = ItemId::new(item.id.clone());
    let client_user_id = item.client_user_id.clone().map(ClientUserId::new);
    let payload = match (&event, extra) {
        (
            WebhookEvent::TransactionsCreated,
            Extra::TransactionsCreated {
                account_id,
                from,
                base_url,
            },
        ) => WebhookPayload::TransactionsCreated(TransactionsCreatedEvent {
            event_id: Some(event_id),
            id: Some(item.id.clone()),
            item_id: item_ref,
            created_transactions_link: Some(format!(
                "{base_url}/v2/transactions?accountId={account_id}&createdAtFrom={}",
                ts(from)
            )),
            account_id: Some(AccountId::new(account_id)),
            client_user_id,
            transactions_created_at_from: Some(ts(from)),
        }),
        (_, extra) => {
            let mut e = ItemEvent::new(event_id, item_ref);
            e.triggered_by = Some(trigger);
            e.client_user_id = client_user_id;
            if let Extra::Error(f) = extra {
                e.error = Some(sandbox::item_error(&f));
            }
            match event {
                WebhookEvent::ItemCreated => WebhookPayload::ItemCreated(e),
                WebhookEvent::ItemUpdated => WebhookPayload::ItemUpdated(e),
                WebhookEvent::ItemError => WebhookPayload::ItemError(e),
                WebhookEvent::ItemDeleted => WebhookPayload::ItemDeleted(e),
                WebhookEvent::ItemWaitingUserInput => WebhookPayload::ItemWaitingUserInput(e),
                WebhookEvent::ItemWaitingUserAction => WebhookPayload::ItemWaitingUserAction(e),
                WebhookEvent::ItemLoginSucceeded => WebhookPayload::ItemLoginSucceeded(e),
                // Items raise only item events, and transactions/created with its data.
                _ => return,
            }
        }
    };
    let body = serde_json::to_vec(&payload).unwrap_or_default();
    let mut targets: Vec<(String, Vec<(String, String)>)> = Vec::new();
    if let Some(url) = &item.webhook_url {
        targets.push((url.clone(), Vec::new()));
    }
    push_registered(st, &item.client_id, &event, &mut targets);
    for (url, headers) in targets {
        st.outbox.push(Delivery {
            generation: st.generation,
            url,
            headers,
            body: body.clone(),
        });
    }
}

/// Queues a payment event for every receiver that wants it: `url` (the payment request's own
/// `webhookUrl`, if any) and the client's webhooks registered for this event or for `all`.
/// The event gets its `eventId` here.
pub(crate) fn raise_payment(
    st: &mut State,
    client_id: &str,
    url: Option<&str>,
    event: WebhookEvent,
    mut payload: PaymentEvent,
) {
    payload.event_id = Some(EventId::new(st.rng.uuid()));
    payload.event = event.clone();
    let body = serde_json::to_vec(&WebhookPayload::Payment(payload)).unwrap_or_default();
    let mut targets: Vec<(String, Vec<(String, String)>)> = Vec::new();
    if let Some(u) = url {
        targets.push((u.to_owned(), Vec::new()));
    }
    push_registered(st, client_id, &event, &mut targets);
    for (url, headers) in targets {
        st.outbox.push(Delivery {
            generation: st.generation,
            url,
            headers,
            body: body.clone(),
        });
    }
}

/// Adds the client's enabled webhooks for `event` (or `all`) to `targets`, once each.
fn push_registered(
    st: &State,
    client_id: &str,
    event: &WebhookEvent,
    targets: &mut Vec<(String, Vec<(String, String)>)>,
) {
    for w in &st.webhooks {
        if w.client_id == client_id
            && w.disabled_at.is_none()
            && (w.event == *event || w.event == WebhookEvent::All)
        {
            let headers = w
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let t = (w.url.clone(), headers);
            if !targets.contains(&t) {
                targets.push(t);
            }
        }
    }
}

/// Why a webhook URL is refused, if it is.
pub(crate) fn check_url(url: &str, allow_insecure: bool) -> Result<(), String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("Invalid url '{url}' for webhook"))?;
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = if let Some(h) = host_port.strip_prefix('[') {
        h.split(']').next().unwrap_or_default()
    } else {
        host_port
            .rsplit_once(':')
            .map(|(h, _)| h)
            .unwrap_or(host_port)
    }
    .to_ascii_lowercase();
    if host.is_empty() || host_port.contains('@') || url.chars().any(char::is_whitespace) {
        return Err(format!("Invalid url '{url}' for webhook"));
    }
    if allow_insecure {
        return if scheme == "http" || scheme == "https" {
            Ok(())
        } else {
            Err(format!(
                "Invalid url '{url}' for webhook: use http or https"
            ))
        };
    }
    if scheme != "https" {
        return Err(format!(
            "Invalid url '{url}' for webhook: it must use https"
        ));
    }
    if host.parse::<std::net::IpAddr>().is_ok() {
        return Err(format!(
            "Invalid url '{url}' for webhook: IP addresses are not allowed"
        ));
    }
    if host == "localhost"
        || [".localhost", ".local", ".internal"]
            .iter()
            .any(|s| host.ends_with(s))
    {
        return Err(format!("Invalid url '{url}' for webhook: reserved host"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_rules() {
        assert!(check_url("https://example.com/hook", false).is_ok());
        assert!(check_url("http://example.com/hook", false).is_err());
        assert!(check_url("https://127.0.0.1/hook", false).is_err());
        assert!(check_url("https://localhost/hook", false).is_err());
        assert!(check_url("https://a.internal/hook", false).is_err());
        assert!(check_url("https://[::1]/hook", false).is_err());
        assert!(check_url("http://127.0.0.1:9/hook", true).is_ok());
        assert!(check_url("ftp://example.com", true).is_err());
        assert!(check_url("not a url", true).is_err());
    }
}
