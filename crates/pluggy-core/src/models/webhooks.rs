//! Webhook subscriptions (`/webhooks`).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::generated::enums::WebhookEvent;
use crate::header::{InvalidHeader, check_header};
use crate::ids::WebhookId;

/// The custom headers Pluggy sends with every delivery of a webhook: header name → value.
///
/// They are how a receiver authenticates Pluggy, so the values are treated as secrets:
/// `Debug` shows the names only. On the wire they are a plain JSON object.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WebhookHeaders(BTreeMap<String, String>);

impl WebhookHeaders {
    /// No headers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) one header.
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.insert(name.into(), value.into());
        self
    }

    /// The value of a header, by exact name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The headers, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// How many headers there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Checks that every header can be sent as it is written (see [`check_header`]); the
    /// first one that cannot is the error.
    pub fn check(&self) -> Result<(), InvalidHeader> {
        self.iter()
            .try_for_each(|(name, value)| check_header(name, value))
    }
}

impl<'a> IntoIterator for &'a WebhookHeaders {
    type Item = (&'a String, &'a String);
    type IntoIter = std::collections::btree_map::Iter<'a, String, String>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for WebhookHeaders {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl fmt::Debug for WebhookHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.keys().map(|k| (k, format_args!("<redacted>"))))
            .finish()
    }
}

/// A webhook subscription.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    /// The webhook's id.
    pub id: WebhookId,
    /// Where events are delivered.
    pub url: String,
    /// The event subscribed to (`all` for every event).
    pub event: WebhookEvent,
    /// Headers sent with every delivery (always present, `{}` when none).
    #[serde(default)]
    pub headers: WebhookHeaders,
    /// When the webhook was disabled after failing deliveries, or `null` while active.
    #[serde(default)]
    pub disabled_at: Option<Timestamp>,
    /// When the webhook was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When the webhook last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
}

impl Webhook {
    /// Whether deliveries are on.
    pub fn is_enabled(&self) -> bool {
        self.disabled_at.is_none()
    }
}

/// The body of `POST /webhooks`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreateWebhook {
    /// Where to deliver events (public https).
    pub url: String,
    /// The event to subscribe to.
    pub event: WebhookEvent,
    /// Headers to send with every delivery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<WebhookHeaders>,
}

/// The body of `PATCH /webhooks/{id}`: every field optional.
///
/// `headers`: `None` leaves them, `Some(None)` clears them (`"headers": null`),
/// `Some(Some(h))` replaces them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UpdateWebhook {
    /// A new URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A new event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<WebhookEvent>,
    /// New headers, or `Some(None)` to clear them.
    #[serde(
        default,
        deserialize_with = "super::double_option::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub headers: Option<Option<WebhookHeaders>>,
    /// `true` re-enables a disabled webhook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn update_tells_absent_null_and_set_headers_apart() {
        let cases = [
            (json!({"enabled": true}), None),
            (json!({"headers": null}), Some(None)),
            (
                json!({"headers": {"x-auth": "v"}}),
                Some(Some(WebhookHeaders::new().with("x-auth", "v"))),
            ),
        ];
        for (body, headers) in cases {
            let u: UpdateWebhook = serde_json::from_value(body.clone()).unwrap();
            assert_eq!(u.headers, headers, "{body}");
            assert_eq!(serde_json::to_value(&u).unwrap(), body);
        }
    }

    #[test]
    fn headers_that_http_cannot_carry_are_named_without_their_value() {
        for (name, value) in [("x-webhook-secret", "whsec"), ("X_Auth.1~", "a b\tc")] {
            assert_eq!(check_header(name, value), Ok(()), "{name}");
        }
        let cases = [
            ("", "v", InvalidHeader::EmptyName),
            (
                "bad name",
                "v",
                InvalidHeader::BadName {
                    name: "bad name".into(),
                },
            ),
            ("x:y", "v", InvalidHeader::BadName { name: "x:y".into() }),
            (
                "\u{e9}",
                "v",
                InvalidHeader::BadName {
                    name: "\u{e9}".into(),
                },
            ),
        ];
        for (name, value, expected) in cases {
            assert_eq!(check_header(name, value), Err(expected), "{name:?}");
        }
        for value in [
            "s3cret\n",
            "s3\rcret",
            "s3cret\0",
            "s3cr\u{e9}t",
            " s3cret",
            "s3cret\t",
        ] {
            let err = check_header("x-webhook-secret", value).unwrap_err();
            assert!(matches!(err, InvalidHeader::BadValue { .. }), "{value:?}");
            let text = err.to_string();
            assert!(
                text.contains("x-webhook-secret") && !text.contains("s3"),
                "{text}"
            );
        }
        let headers = WebhookHeaders::new()
            .with("x-ok", "fine")
            .with("x-webhook-secret", "whsec\n");
        assert!(matches!(
            headers.check(),
            Err(InvalidHeader::BadValue { name, .. }) if name == "x-webhook-secret"
        ));
    }

    #[test]
    fn header_values_stay_out_of_debug() {
        let w = CreateWebhook {
            url: "https://example.com/hook".into(),
            event: WebhookEvent::All,
            headers: Some(WebhookHeaders::new().with("x-token", "top-s3cret")),
        };
        let dbg = format!("{w:?}");
        assert!(
            dbg.contains("x-token") && !dbg.contains("top-s3cret"),
            "{dbg}"
        );
        assert_eq!(
            serde_json::to_value(&w).unwrap()["headers"],
            json!({"x-token": "top-s3cret"})
        );
    }
}
