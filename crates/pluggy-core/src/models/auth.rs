//! Bodies of `POST /auth` and `POST /connect_token`.

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

use crate::generated::enums::Product;
use crate::ids::{ClientId, ClientUserId, ItemId};
use crate::secret::{ApiKey, ClientSecret, ConnectToken};

/// The body of `POST /auth`: the application's credentials.
///
/// `Debug` redacts the secret; `Serialize` writes it, since this is the body that carries it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthRequest {
    /// The application's `CLIENT_ID`.
    pub client_id: ClientId,
    /// The application's `CLIENT_SECRET`.
    pub client_secret: ClientSecret,
    /// Asks for a key without expiry (undocumented; omitted when `None`).
    #[serde(default)]
    pub non_expiring: Option<bool>,
}

impl AuthRequest {
    /// A request for an ordinary (expiring) API key.
    pub fn new(client_id: ClientId, client_secret: ClientSecret) -> Self {
        Self {
            client_id,
            client_secret,
            non_expiring: None,
        }
    }
}

impl Serialize for AuthRequest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let fields = if self.non_expiring.is_some() { 3 } else { 2 };
        let mut st = s.serialize_struct("AuthRequest", fields)?;
        st.serialize_field("clientId", &self.client_id)?;
        st.serialize_field("clientSecret", self.client_secret.expose_secret())?;
        if let Some(n) = self.non_expiring {
            st.serialize_field("nonExpiring", &n)?;
        }
        st.end()
    }
}

/// The answer of `POST /auth`.
///
/// `Debug` redacts the key; `Serialize` writes it, for servers answering `/auth`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthResponse {
    /// The API key.
    pub api_key: ApiKey,
}

impl Serialize for AuthResponse {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("AuthResponse", 1)?;
        st.serialize_field("apiKey", self.api_key.expose_secret())?;
        st.end()
    }
}

/// The body of `POST /connect_token`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectTokenRequest {
    /// Scopes the token to an existing item, so Pluggy Connect can update it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<ItemId>,
    /// Options applied to every item created with the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<ConnectTokenOptions>,
}

/// Options of a connect token (`options` in the body of `POST /connect_token`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectTokenOptions {
    /// Your id for the end user; stored on the items and echoed in their webhooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_user_id: Option<ClientUserId>,
    /// Where the events of the items are delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    /// Where the user lands after an OAuth connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_redirect_uri: Option<String>,
    /// Refuse to create a second item for credentials that already have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avoid_duplicates: Option<bool>,
    /// Products to collect when the item request names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub products: Option<Vec<Product>>,
}

/// The answer of `POST /connect_token`.
///
/// `Debug` redacts the token; `Serialize` writes it, for servers answering `/connect_token`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectTokenResponse {
    /// The connect token.
    pub access_token: ConnectToken,
}

impl Serialize for ConnectTokenResponse {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ConnectTokenResponse", 1)?;
        st.serialize_field("accessToken", self.access_token.expose_secret())?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn auth_body_carries_the_secret_but_debug_does_not() {
        let req = AuthRequest::new(ClientId::new("cid"), ClientSecret::new("s3cr3t"));
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({"clientId": "cid", "clientSecret": "s3cr3t"})
        );
        assert!(!format!("{req:?}").contains("s3cr3t"));
        let req = AuthRequest {
            non_expiring: Some(false),
            ..req
        };
        let v = serde_json::to_value(&req).unwrap();
        assert_eq!(v["nonExpiring"], json!(false));
        let back: AuthRequest = serde_json::from_value(v).unwrap();
        assert_eq!(back, req);
    }

    #[test]
    fn responses_round_trip_and_redact() {
        let r: AuthResponse = serde_json::from_str(r#"{"apiKey":"k3y","extra":1}"#).unwrap();
        assert_eq!(r.api_key.expose_secret(), "k3y");
        assert!(!format!("{r:?}").contains("k3y"));
        assert_eq!(serde_json::to_value(&r).unwrap(), json!({"apiKey": "k3y"}));

        let t: ConnectTokenResponse = serde_json::from_str(r#"{"accessToken":"t0k"}"#).unwrap();
        assert!(!format!("{t:?}").contains("t0k"));
        assert_eq!(
            serde_json::to_value(&t).unwrap(),
            json!({"accessToken": "t0k"})
        );
    }

    #[test]
    fn connect_token_options_go_inside_options() {
        let req = ConnectTokenRequest {
            item_id: Some(ItemId::new("i1")),
            options: Some(ConnectTokenOptions {
                client_user_id: Some(ClientUserId::new("u1")),
                webhook_url: Some("https://example.com/hook".into()),
                avoid_duplicates: Some(true),
                ..ConnectTokenOptions::default()
            }),
        };
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({"itemId": "i1", "options": {
                "clientUserId": "u1",
                "webhookUrl": "https://example.com/hook",
                "avoidDuplicates": true
            }})
        );
        assert_eq!(
            serde_json::to_value(ConnectTokenRequest::default()).unwrap(),
            json!({})
        );
    }
}
