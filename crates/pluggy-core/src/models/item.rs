//! Items: one connection of one user to one institution.

use std::collections::BTreeMap;
use std::fmt;

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use super::{Connector, ConnectorCredential};
use crate::Timestamp;
use crate::generated::enums::{ExecutionStatus, ItemStatus, Product};
use crate::ids::{ClientUserId, ConnectorId, ItemId};
use crate::secret::CredentialValue;

/// Item credentials: parameter name → value (`{"user": "…", "password": "…"}`). Also the body
/// of `POST /items/{id}/mfa` (`{"token": "123456"}`).
///
/// The values are secrets: `Debug` shows the names only. `Serialize` writes the values, since
/// this is the body that carries them.
#[derive(Clone, Default, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct ItemParameters(BTreeMap<String, CredentialValue>);

impl ItemParameters {
    /// No parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) one parameter.
    pub fn with(mut self, name: impl Into<String>, value: impl Into<CredentialValue>) -> Self {
        self.insert(name, value);
        self
    }

    /// Adds (or replaces) one parameter.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<CredentialValue>) {
        self.0.insert(name.into(), value.into());
    }

    /// The value of a parameter.
    pub fn get(&self, name: &str) -> Option<&CredentialValue> {
        self.0.get(name)
    }

    /// The parameter names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// The parameters, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &CredentialValue)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// How many parameters there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: Into<String>, V: Into<CredentialValue>> FromIterator<(K, V)> for ItemParameters {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl fmt::Debug for ItemParameters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.keys().map(|k| (k, format_args!("<redacted>"))))
            .finish()
    }
}

impl Serialize for ItemParameters {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value.expose_secret())?;
        }
        map.end()
    }
}

/// The body of `POST /items`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateItemRequest {
    /// The connector to connect with.
    pub connector_id: ConnectorId,
    /// The credentials the connector asks for.
    pub parameters: ItemParameters,
    /// Where the item's events are delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    /// Your id for the end user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_user_id: Option<ClientUserId>,
    /// Where the user lands after an OAuth connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_redirect_uri: Option<String>,
    /// The products to collect (all the connector offers when `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub products: Option<Vec<Product>>,
    /// Refuse to create a second item for credentials that already have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avoid_duplicates: Option<bool>,
}

impl CreateItemRequest {
    /// A request with the connector and credentials only.
    pub fn new(connector_id: ConnectorId, parameters: ItemParameters) -> Self {
        Self {
            connector_id,
            parameters,
            webhook_url: None,
            client_user_id: None,
            oauth_redirect_uri: None,
            products: None,
            avoid_duplicates: None,
        }
    }
}

/// The body of `PATCH /items/{id}`: every field optional; without parameters the last
/// credentials are reused. Sending it starts a new sync.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateItemRequest {
    /// New credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<ItemParameters>,
    /// A new end-user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_user_id: Option<ClientUserId>,
    /// A new webhook URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    /// New products to collect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub products: Option<Vec<Product>>,
}

/// An item: one connection to one institution, and the state of its latest sync.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    /// The item's id.
    pub id: ItemId,
    /// The connector the item connects through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector: Option<Connector>,
    /// The item's status.
    pub status: ItemStatus,
    /// The status of the latest sync.
    pub execution_status: ExecutionStatus,
    /// Why the latest sync failed, or `null`.
    #[serde(default)]
    pub error: Option<ItemError>,
    /// The pending MFA prompt (`WAITING_USER_INPUT`), or `null`.
    #[serde(default)]
    pub parameter: Option<ConnectorCredential>,
    /// What the user must do at the institution (`WAITING_USER_ACTION`), or `null`.
    #[serde(default)]
    pub user_action: Option<UserAction>,
    /// Where the item's events are delivered, or `null`.
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// Your id for the end user, or `null`.
    #[serde(default)]
    pub client_user_id: Option<ClientUserId>,
    /// When the item was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When the item last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// When the item last synced successfully, or `null`.
    #[serde(default)]
    pub last_updated_at: Option<Timestamp>,
    /// Per-product outcome of the latest sync, or `null`.
    #[serde(default)]
    pub status_detail: Option<StatusDetail>,
    /// When the next automatic sync runs, or `null` when auto-sync is off.
    #[serde(default)]
    pub next_auto_sync_at: Option<Timestamp>,
    /// How many logins failed in a row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consecutive_failed_login_attempts: Option<u32>,
    /// When the Open Finance consent expires, or `null`.
    #[serde(default)]
    pub consent_expires_at: Option<Timestamp>,
    /// The products collected.
    #[serde(default)]
    pub products: Vec<Product>,
    /// Where the user lands after an OAuth connection, or `null`.
    #[serde(default)]
    pub oauth_redirect_uri: Option<String>,
    /// When the Open Finance resources were collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources_collected_at: Option<Timestamp>,
    /// Whether some Open Finance resources await authorization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_resources_pending_authorization: Option<bool>,
}

impl Item {
    /// An item with its id and state only; every other field empty (`null` on the wire).
    pub fn new(id: ItemId, status: ItemStatus, execution_status: ExecutionStatus) -> Self {
        Self {
            id,
            connector: None,
            status,
            execution_status,
            error: None,
            parameter: None,
            user_action: None,
            webhook_url: None,
            client_user_id: None,
            created_at: None,
            updated_at: None,
            last_updated_at: None,
            status_detail: None,
            next_auto_sync_at: None,
            consecutive_failed_login_attempts: None,
            consent_expires_at: None,
            products: Vec::new(),
            oauth_redirect_uri: None,
            resources_collected_at: None,
            has_resources_pending_authorization: None,
        }
    }
}

/// Why an item's latest sync failed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemError {
    /// The execution error code, e.g. `INVALID_CREDENTIALS`.
    pub code: ExecutionStatus,
    /// A message for the user.
    #[serde(default)]
    pub message: String,
    /// The institution's own message, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_message: Option<String>,
    /// Extra context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<serde_json::Value>,
}

super::wire_enum!(
    /// What kind of action the user must take at the institution.
    UserActionType {
        Qr = "qr",
        AuthorizeAccess = "authorize-access",
    }
);

/// What the user must do at the institution for the sync to go on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserAction {
    /// What to tell the user.
    #[serde(default)]
    pub instructions: String,
    /// The kind of action (`type` on the wire).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<UserActionType>,
    /// Extra context, such as a QR code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<serde_json::Value>,
    /// When the action expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
}

/// The per-product outcome of an item's latest sync; `null` for products not requested.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusDetail {
    /// Accounts.
    #[serde(default)]
    pub accounts: Option<ProductStatus>,
    /// Credit cards.
    #[serde(default)]
    pub credit_cards: Option<ProductStatus>,
    /// Transactions.
    #[serde(default)]
    pub transactions: Option<ProductStatus>,
    /// Investments.
    #[serde(default)]
    pub investments: Option<ProductStatus>,
    /// Identity.
    #[serde(default)]
    pub identity: Option<ProductStatus>,
    /// Investment transactions (also read from `investmentTransactions`).
    #[serde(default, alias = "investmentTransactions")]
    pub investments_transactions: Option<ProductStatus>,
    /// Payment data.
    #[serde(default)]
    pub payment_data: Option<ProductStatus>,
    /// Loans.
    #[serde(default)]
    pub loans: Option<ProductStatus>,
    /// Account statements.
    #[serde(default)]
    pub account_statements: Option<ProductStatus>,
}

impl StatusDetail {
    /// The products present, by wire name.
    pub fn products(&self) -> impl Iterator<Item = (&'static str, &ProductStatus)> {
        [
            ("accounts", &self.accounts),
            ("creditCards", &self.credit_cards),
            ("transactions", &self.transactions),
            ("investments", &self.investments),
            ("identity", &self.identity),
            ("investmentsTransactions", &self.investments_transactions),
            ("paymentData", &self.payment_data),
            ("loans", &self.loans),
            ("accountStatements", &self.account_statements),
        ]
        .into_iter()
        .filter_map(|(name, p)| p.as_ref().map(|p| (name, p)))
    }

    /// Whether any product reported a warning.
    pub fn has_warnings(&self) -> bool {
        self.products()
            .any(|(_, p)| p.warnings.as_ref().is_some_and(|w| !w.is_empty()))
    }
}

/// The outcome of one product in a sync.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductStatus {
    /// Whether the product's data is up to date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_updated: Option<bool>,
    /// When the product last synced successfully, or `null`.
    #[serde(default)]
    pub last_updated_at: Option<Timestamp>,
    /// What went partly wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warnings: Option<Vec<ProductWarning>>,
}

/// A problem collecting one product that did not fail the sync.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductWarning {
    /// A code for the warning.
    #[serde(default)]
    pub code: String,
    /// What went wrong.
    #[serde(default)]
    pub message: String,
    /// The institution's own message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_message: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parameters_hide_values_in_debug_and_write_them_on_the_wire() {
        let p = ItemParameters::new()
            .with("user", "user-ok")
            .with("password", "hunter2-secret");
        let dbg = format!("{p:?}");
        assert!(dbg.contains("password") && dbg.contains("user"), "{dbg}");
        assert!(
            !dbg.contains("hunter2") && !dbg.contains("user-ok"),
            "{dbg}"
        );
        let req = CreateItemRequest::new(ConnectorId::new(2), p.clone());
        assert!(!format!("{req:#?}").contains("hunter2"));
        let v = serde_json::to_value(&req).unwrap();
        assert_eq!(
            v,
            json!({"connectorId": 2, "parameters": {"user": "user-ok", "password": "hunter2-secret"}})
        );
        let back: CreateItemRequest = serde_json::from_value(v).unwrap();
        assert_eq!(back.parameters, p);
        assert_eq!(
            back.parameters.get("password").unwrap().expose_secret(),
            "hunter2-secret"
        );
    }

    #[test]
    fn empty_update_is_an_empty_object() {
        assert_eq!(
            serde_json::to_value(UpdateItemRequest::default()).unwrap(),
            json!({})
        );
    }
}
