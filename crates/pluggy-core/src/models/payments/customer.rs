//! Payment customers: the payers of payment requests.

use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::http::Call;
use crate::ids::{ConnectorId, PaymentCustomerId};
use crate::models::Connector;

crate::models::wire_enum!(
    /// Whether a customer is a person (with a CPF) or a company (with a CNPJ).
    PaymentCustomerType {
        Individual = "INDIVIDUAL",
        Business = "BUSINESS",
    }
);

/// A payment customer, the payer (`GET /payments/customers/{id}`, the answer of its create and
/// update).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentCustomer {
    /// The customer's id.
    pub id: PaymentCustomerId,
    /// A person or a company (`type` on the wire). The document requires it but its own list
    /// example leaves it out, so it is optional here.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<PaymentCustomerType>,
    /// The customer's name.
    #[serde(default)]
    pub name: String,
    /// The customer's e-mail, or `null`.
    #[serde(default)]
    pub email: Option<String>,
    /// The CPF of a person, as given (`123.456.789-00` or bare digits), or `null`.
    #[serde(default)]
    pub cpf: Option<String>,
    /// The CNPJ of a company, as given, or `null`.
    #[serde(default)]
    pub cnpj: Option<String>,
    /// The institution the customer pays from, when one was chosen, or `null`.
    #[serde(default)]
    pub connector: Option<Connector>,
    /// When the customer was created.
    pub created_at: Timestamp,
    /// When the customer last changed.
    pub updated_at: Timestamp,
}

/// The body of `POST /payments/customers` (the document's `CreatePaymentCustomerRequestBody`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePaymentCustomer {
    /// A person or a company (`type` on the wire).
    #[serde(rename = "type")]
    pub kind: PaymentCustomerType,
    /// The customer's name.
    pub name: String,
    /// The customer's e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The CPF of a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpf: Option<String>,
    /// The CNPJ of a company.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnpj: Option<String>,
    /// The institution the customer pays from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<ConnectorId>,
}

impl CreatePaymentCustomer {
    /// A customer of this kind and name, nothing else.
    pub fn new(kind: PaymentCustomerType, name: impl Into<String>) -> Self {
        Self {
            kind,
            name: name.into(),
            email: None,
            cpf: None,
            cnpj: None,
            connector_id: None,
        }
    }

    /// A person, with their CPF.
    pub fn individual(name: impl Into<String>, cpf: impl Into<String>) -> Self {
        Self {
            cpf: Some(cpf.into()),
            ..Self::new(PaymentCustomerType::Individual, name)
        }
    }

    /// A company, with its CNPJ.
    pub fn business(name: impl Into<String>, cnpj: impl Into<String>) -> Self {
        Self {
            cnpj: Some(cnpj.into()),
            ..Self::new(PaymentCustomerType::Business, name)
        }
    }

    /// With the customer's e-mail.
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// With the institution the customer pays from.
    pub fn with_connector(mut self, connector_id: ConnectorId) -> Self {
        self.connector_id = Some(connector_id);
        self
    }
}

/// The body of `PATCH /payments/customers/{id}` (the document's
/// `CreateOrUpdatePaymentCustomer`): only the fields given change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdatePaymentCustomer {
    /// A person or a company (`type` on the wire).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<PaymentCustomerType>,
    /// A new name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A new e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// A new CPF.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpf: Option<String>,
    /// A new CNPJ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnpj: Option<String>,
}

/// Filters of `GET /payments/customers`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaymentCustomerFilters {
    /// The page to fetch, from 1.
    pub page: Option<u32>,
    /// How many customers per page.
    pub page_size: Option<u32>,
    /// Only customers with this name.
    pub name: Option<String>,
    /// Only customers with this e-mail.
    pub email: Option<String>,
    /// Only the customer with this CPF.
    pub cpf: Option<String>,
    /// Only the customer with this CNPJ.
    pub cnpj: Option<String>,
}

impl PaymentCustomerFilters {
    /// Adds these filters to a call of `GET /payments/customers`.
    pub fn apply(&self, call: Call) -> Call {
        super::page_query(call, self.page, self.page_size)
            .query_opt("name", self.name.clone())
            .query_opt("email", self.email.clone())
            .query_opt("cpf", self.cpf.clone())
            .query_opt("cnpj", self.cnpj.clone())
    }
}
