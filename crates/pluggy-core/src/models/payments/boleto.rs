//! Boleto management: connections to an institution that issues boletos, and the boletos
//! issued through them.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::ids::{BoletoConnectionId, BoletoId, ConnectorId, ItemId};
use crate::models::{Date, ItemParameters};

/// The credentials of a boleto connection (`clientId`, `clientSecret`, `certificate`,
/// `privateKey`, … as the connector asks): secrets, kept as
/// [`CredentialValue`](crate::CredentialValue)s that print redacted, like item parameters.
pub type BoletoCredentials = ItemParameters;

/// A boleto connection (the answer of `POST /boleto-connections` and
/// `POST /boleto-connections/from-item`): the link through which you issue boletos.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BoletoConnection {
    /// The connection's id, which [`CreateBoleto`] takes.
    pub id: BoletoConnectionId,
    /// The issuing institution's connector.
    pub connector_id: ConnectorId,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// The body of `POST /boleto-connections`: a connection from the institution's API
/// credentials. `Debug` never shows the credentials; serializing sends them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBoletoConnection {
    /// The issuing institution's connector.
    pub connector_id: ConnectorId,
    /// Its credentials.
    pub credentials: BoletoCredentials,
}

impl CreateBoletoConnection {
    /// A connection to `connector_id` with these credentials.
    pub fn new(connector_id: ConnectorId, credentials: BoletoCredentials) -> Self {
        Self {
            connector_id,
            credentials,
        }
    }
}

/// The body of `POST /boleto-connections/from-item`: a connection reusing an item's access.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBoletoConnectionFromItem {
    /// The item whose institution issues the boletos.
    pub item_id: ItemId,
}

impl CreateBoletoConnectionFromItem {
    /// A connection from this item.
    pub fn new(item_id: ItemId) -> Self {
        Self { item_id }
    }
}

crate::models::wire_enum!(
    /// Where an issued boleto is.
    BoletoStatus {
        Open = "OPEN",
        Paid = "PAID",
        Overdue = "OVERDUE",
        Cancelled = "CANCELLED",
        Protested = "PROTESTED",
    }
);

crate::models::wire_enum!(
    /// How a boleto was paid: by its Pix QR code or as a boleto.
    BoletoPaymentOrigin {
        Pix = "PIX",
        Boleto = "BOLETO",
    }
);

crate::models::wire_enum!(
    /// How a boleto's late fine is given.
    BoletoFineType {
        Percentage = "PERCENTAGE",
        Fixed = "FIXED",
    }
);

crate::models::wire_enum!(
    /// How a boleto's late interest is given.
    BoletoInterestType {
        Percentage = "PERCENTAGE",
    }
);

/// The fine charged on a boleto paid late.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BoletoFine {
    /// A percentage of the amount or a fixed amount, per `kind`.
    #[serde(with = "crate::models::decimal")]
    pub value: Decimal,
    /// `PERCENTAGE` or `FIXED` (`type` on the wire).
    #[serde(rename = "type")]
    pub kind: BoletoFineType,
}

/// The interest charged on a boleto paid late.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BoletoInterest {
    /// The rate, in percent.
    #[serde(with = "crate::models::decimal")]
    pub value: Decimal,
    /// `PERCENTAGE` (`type` on the wire).
    #[serde(rename = "type")]
    pub kind: BoletoInterestType,
}

/// Who owes an issued boleto.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BoletoPayer {
    /// Their CPF or CNPJ.
    #[serde(default)]
    pub tax_number: String,
    /// A person or a company, as the institution writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_type: Option<String>,
    /// Their name.
    #[serde(default)]
    pub name: String,
    /// Street.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_street: Option<String>,
    /// Number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_number: Option<String>,
    /// Complement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_complement: Option<String>,
    /// Neighborhood.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_neighborhood: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_city: Option<String>,
    /// State (`SP`).
    #[serde(default)]
    pub address_state: String,
    /// Postal code (CEP).
    #[serde(default)]
    pub address_zip_code: String,
    /// E-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone area code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ddd: Option<String>,
    /// Phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

/// An issued boleto (the document's `IssuedBoleto`: `GET /boletos/{id}`, the answer of
/// `POST /boletos` and `POST /boletos/{id}/cancel`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Boleto {
    /// The boleto's id.
    pub id: BoletoId,
    /// Its amount (at least 2.50).
    #[serde(with = "crate::models::decimal")]
    pub amount: Decimal,
    /// Where it is.
    pub status: BoletoStatus,
    /// Your number for it (seu número, up to 10 characters).
    #[serde(default)]
    pub seu_numero: String,
    /// When it is due.
    pub due_date: Date,
    /// Who owes it.
    pub payer: BoletoPayer,
    /// The Pix QR code that also pays it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pix_qr: Option<String>,
    /// The typeable line (linha digitável).
    #[serde(default)]
    pub digitable_line: String,
    /// The institution's number for it (nosso número).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nosso_numero: Option<String>,
    /// The barcode digits.
    #[serde(default)]
    pub barcode: String,
    /// The connection it was issued through.
    pub boleto_connection_id: BoletoConnectionId,
    /// When it was issued.
    pub created_at: Timestamp,
    /// What was paid, or `null` until paid.
    #[serde(default, with = "crate::models::decimal_opt")]
    pub amount_paid: Option<Decimal>,
    /// How it was paid, or `null`.
    #[serde(default)]
    pub payment_origin: Option<BoletoPaymentOrigin>,
    /// The late fine, or `null`.
    #[serde(default)]
    pub fine: Option<BoletoFine>,
    /// The late interest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interest: Option<BoletoInterest>,
    /// When it was paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<Timestamp>,
}

/// Who owes a boleto to issue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BoletoToIssuePayer {
    /// Their CPF or CNPJ.
    pub tax_number: String,
    /// Their name.
    pub name: String,
    /// Street.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_street: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_city: Option<String>,
    /// State (`SP`).
    pub address_state: String,
    /// Postal code (CEP).
    pub address_zip_code: String,
}

impl BoletoToIssuePayer {
    /// A payer with the fields the API requires.
    pub fn new(
        tax_number: impl Into<String>,
        name: impl Into<String>,
        address_state: impl Into<String>,
        address_zip_code: impl Into<String>,
    ) -> Self {
        Self {
            tax_number: tax_number.into(),
            name: name.into(),
            address_street: None,
            address_city: None,
            address_state: address_state.into(),
            address_zip_code: address_zip_code.into(),
        }
    }
}

/// The boleto to issue, inside [`CreateBoleto`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BoletoToIssue {
    /// Your number for it (seu número, up to 10 characters).
    pub seu_numero: String,
    /// Its amount (at least 2.50).
    #[serde(with = "crate::models::decimal")]
    pub amount: Decimal,
    /// When it is due. The document types it as a date-time; a [`Date`] read from one (or
    /// made with [`Date::in_timestamp_form`]) is written back as midnight UTC.
    pub due_date: Date,
    /// Who owes it.
    pub payer: BoletoToIssuePayer,
    /// The late fine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fine: Option<BoletoFine>,
    /// The late interest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interest: Option<BoletoInterest>,
}

/// The body of `POST /boletos`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBoleto {
    /// The connection to issue through.
    pub boleto_connection_id: BoletoConnectionId,
    /// The boleto.
    pub boleto: BoletoToIssue,
}

impl CreateBoleto {
    /// Issue a boleto of `amount`, due on `due_date`, owed by `payer`, numbered `seu_numero`.
    pub fn new(
        boleto_connection_id: BoletoConnectionId,
        seu_numero: impl Into<String>,
        amount: Decimal,
        due_date: Date,
        payer: BoletoToIssuePayer,
    ) -> Self {
        Self {
            boleto_connection_id,
            boleto: BoletoToIssue {
                seu_numero: seu_numero.into(),
                amount,
                due_date,
                payer,
                fine: None,
                interest: None,
            },
        }
    }
}
