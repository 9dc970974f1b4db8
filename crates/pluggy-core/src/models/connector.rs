//! Connectors: the institutions Pluggy integrates and the credentials each one asks for.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ItemParameters;
use crate::Timestamp;
use crate::generated::enums::{ConnectorType, Product};
use crate::http::Call;
use crate::ids::ConnectorId;

super::wire_enum!(
    /// The kind of input a credential asks for.
    CredentialType {
        Text = "text",
        Password = "password",
        Number = "number",
        Image = "image",
        Select = "select",
        EthAddress = "ethaddress",
        Hcaptcha = "hcaptcha",
    }
);

super::wire_enum!(
    /// The health of a connector.
    HealthStatus {
        Online = "ONLINE",
        Unstable = "UNSTABLE",
        Offline = "OFFLINE",
    }
);

/// An institution integration (`GET /connectors`, `Item.connector`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connector {
    /// The connector's id.
    pub id: ConnectorId,
    /// The institution's name.
    #[serde(default)]
    pub name: String,
    /// The institution's website.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub institution_url: Option<String>,
    /// The institution's logo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// The institution's colour, hex without `#`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_color: Option<String>,
    /// The kind of institution (`type` on the wire).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ConnectorType>,
    /// The country code, e.g. `BR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The credentials a user must give to connect.
    #[serde(default)]
    pub credentials: Vec<ConnectorCredential>,
    /// Whether connecting asks for a second factor.
    #[serde(rename = "hasMFA", default, skip_serializing_if = "Option::is_none")]
    pub has_mfa: Option<bool>,
    /// The products this connector can collect.
    #[serde(default)]
    pub products: Vec<Product>,
    /// Whether the connection goes through the institution's OAuth flow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<bool>,
    /// The OAuth URL, for OAuth connectors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_url: Option<String>,
    /// Where users reset their password at the institution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_password_url: Option<String>,
    /// The connector's health.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<ConnectorHealth>,
    /// Whether this is an Open Finance connector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_open_finance: Option<bool>,
    /// Whether this is a sandbox connector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_sandbox: Option<bool>,
    /// Whether it supports payment initiation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supports_payment_initiation: Option<bool>,
    /// Whether it supports scheduled payments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supports_scheduled_payments: Option<bool>,
    /// Whether it supports smart transfers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supports_smart_transfers: Option<bool>,
    /// Whether it supports boleto management.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supports_boleto_management: Option<bool>,
    /// Whether it supports automatic PIX.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supports_automatic_pix: Option<bool>,
    /// When the connector was added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When the connector last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
}

/// One credential a connector asks for; also an item's pending MFA prompt (`Item.parameter`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectorCredential {
    /// The key under which the value is sent (`user`, `password`, `token`…).
    #[serde(default)]
    pub name: String,
    /// The label to show.
    #[serde(default)]
    pub label: String,
    /// The kind of input (`type` on the wire).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<CredentialType>,
    /// A placeholder to show in the input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// A regular expression the value must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<String>,
    /// The message to show when the value does not match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_message: Option<String>,
    /// Whether this is a second-factor value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa: Option<bool>,
    /// Whether the value may be left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
    /// The choices, for `select` credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<CredentialOption>>,
    /// Extra data, such as a base64 image for `image` credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// Instructions for the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// Help text for the input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assistive_text: Option<String>,
    /// When the prompt expires (MFA prompts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
}

/// One choice of a `select` credential.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialOption {
    /// The value to send.
    #[serde(default)]
    pub value: String,
    /// The label to show.
    #[serde(default)]
    pub label: String,
}

/// A connector's health.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectorHealth {
    /// `ONLINE`, `UNSTABLE` or `OFFLINE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<HealthStatus>,
    /// The release stage (`BETA`), or `null`.
    #[serde(default)]
    pub stage: Option<String>,
    /// Connection statistics (with `healthDetails=true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<ConnectorHealthDetails>,
}

/// Connection statistics of a connector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectorHealthDetails {
    /// The share of successful connections over the last 6 hours.
    #[serde(
        rename = "connectionRateLast6Hours",
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub connection_rate_last_6_hours: Option<Decimal>,
    /// The number of connections over the last 6 hours.
    #[serde(
        rename = "connectionsLast6Hours",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub connections_last_6_hours: Option<u64>,
}

/// Filters of `GET /connectors`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnectorFilters {
    /// Include sandbox connectors (the API excludes them by default).
    pub sandbox: Option<bool>,
    /// Only these countries (`BR`, …).
    pub countries: Vec<String>,
    /// Only these kinds of institution.
    pub types: Vec<ConnectorType>,
    /// Only connectors whose name looks like this.
    pub name: Option<String>,
    /// Include connection statistics in `health.details`.
    pub health_details: Option<bool>,
    /// Only Open Finance connectors (`true`) or only the others (`false`).
    pub is_open_finance: Option<bool>,
    /// Only connectors that do (or do not) support payment initiation.
    pub supports_payment_initiation: Option<bool>,
    /// Only connectors that do (or do not) support smart transfers.
    pub supports_smart_transfers: Option<bool>,
    /// Only connectors that do (or do not) support automatic PIX.
    pub supports_automatic_pix: Option<bool>,
}

impl ConnectorFilters {
    /// Adds these filters to a call of `GET /connectors` (arrays comma-joined).
    pub fn apply(&self, call: Call) -> Call {
        let flag = |b: Option<bool>| b.map(|b| b.to_string());
        call.query_opt("sandbox", flag(self.sandbox))
            .query_list("countries", &self.countries)
            .query_list("types", self.types.iter().map(ConnectorType::as_str))
            .query_opt("name", self.name.clone())
            .query_opt("healthDetails", flag(self.health_details))
            .query_opt("isOpenFinance", flag(self.is_open_finance))
            .query_opt(
                "supportsPaymentInitiation",
                flag(self.supports_payment_initiation),
            )
            .query_opt(
                "supportsSmartTransfers",
                flag(self.supports_smart_transfers),
            )
            .query_opt("supportsAutomaticPix", flag(self.supports_automatic_pix))
    }
}

/// The answer of `POST /connectors/{id}/validate`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ValidationResponse {
    /// The parameters as validated (secret values: `Debug` shows names only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<ItemParameters>,
    /// What is wrong; empty when the parameters are valid.
    #[serde(default)]
    pub errors: Vec<ValidationError>,
}

impl ValidationResponse {
    /// Whether the parameters passed validation.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

/// One parameter that failed validation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ValidationError {
    /// A code such as `002`.
    #[serde(default)]
    pub code: String,
    /// What is wrong.
    #[serde(default)]
    pub message: String,
    /// The parameter's name.
    #[serde(default)]
    pub parameter: String,
    /// Extra context, such as `{"min": 6}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{BaseUrl, Credential};

    #[test]
    fn filters_become_a_query() {
        let filters = ConnectorFilters {
            sandbox: Some(true),
            countries: vec!["BR".into(), "AR".into()],
            types: vec![ConnectorType::PersonalBank, ConnectorType::Investment],
            name: Some("Pluggy Bank".into()),
            is_open_finance: Some(false),
            ..ConnectorFilters::default()
        };
        let req = filters
            .apply(Call::new(&crate::endpoints::CONNECTORS_LIST))
            .prepare(&BaseUrl::default(), Credential::None, &"t".into())
            .unwrap();
        assert_eq!(
            req.url(),
            "https://api.pluggy.ai/connectors?sandbox=true&countries=BR%2CAR\
             &types=PERSONAL_BANK%2CINVESTMENT&name=Pluggy%20Bank&isOpenFinance=false"
        );
        let req = ConnectorFilters::default()
            .apply(Call::new(&crate::endpoints::CONNECTORS_LIST))
            .prepare(&BaseUrl::default(), Credential::None, &"t".into())
            .unwrap();
        assert_eq!(req.url(), "https://api.pluggy.ai/connectors");
    }
}
