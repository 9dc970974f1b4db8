//! Identifiers as newtypes, so an item id can never be passed where an account id belongs.

use std::fmt;

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id as the API spells it.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as the API spells it.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

string_id!(
    /// The id (UUID) of an Item, one connection to one institution.
    ItemId
);
string_id!(
    /// The id (UUID) of an account.
    AccountId
);
string_id!(
    /// The id (UUID) of a transaction.
    TransactionId
);
string_id!(
    /// The id (UUID) of an investment.
    InvestmentId
);
string_id!(
    /// The id (UUID) of an identity record.
    IdentityId
);
string_id!(
    /// The id (UUID) of a webhook subscription.
    WebhookId
);
string_id!(
    /// The id (UUID) of a credit card bill.
    BillId
);
string_id!(
    /// The id (UUID) of a loan contract.
    LoanId
);
string_id!(
    /// The id of a transaction category, eight digits whose prefix is the parent's
    /// (`01010000` under `01000000`).
    CategoryId
);
string_id!(
    /// The id (UUID) of an Open Finance consent.
    ConsentId
);
string_id!(
    /// The id (UUID) of one of your category rules.
    CategoryRuleId
);
string_id!(
    /// Your own id for the end user an item belongs to (`clientUserId`).
    ClientUserId
);
string_id!(
    /// The `clientId` of a Pluggy application. Not a secret; its secret is [`crate::ClientSecret`].
    ClientId
);
string_id!(
    /// The unique id of one webhook delivery (`eventId`), for idempotent handling.
    EventId
);

string_id!(
    /// The id (UUID) of a payment customer, the payer of payment requests.
    PaymentCustomerId
);
string_id!(
    /// The id (UUID) of a payment recipient, the account that receives payments.
    PaymentRecipientId
);
string_id!(
    /// The id (UUID) of a payment institution, the bank a recipient's account is at.
    PaymentInstitutionId
);
string_id!(
    /// The id (UUID) of a payment request, an amount asked of a payer.
    PaymentRequestId
);
string_id!(
    /// The id (UUID) of a payment intent, one attempt to pay a payment request.
    PaymentIntentId
);
string_id!(
    /// The id (UUID) of one scheduled payment (Pix Agendado) of a payment request.
    PaymentScheduleId
);
string_id!(
    /// The id (UUID) of one payment of an Automatic Pix mandate.
    AutomaticPixPaymentId
);
string_id!(
    /// The id (UUID) of a smart transfer preauthorization.
    SmartTransferPreauthorizationId
);
string_id!(
    /// The id (UUID) of a payment made under a smart transfer preauthorization.
    SmartTransferPaymentId
);
string_id!(
    /// The id (UUID) of a boleto connection, the link to an institution that issues boletos.
    BoletoConnectionId
);
string_id!(
    /// The id (UUID) of an issued boleto.
    BoletoId
);

/// The numeric id of a connector (an institution integration).
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct ConnectorId(u32);

impl ConnectorId {
    /// Wraps a connector's numeric id.
    pub const fn new(id: u32) -> Self {
        Self(id)
    }

    /// The numeric value.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for ConnectorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<u32> for ConnectorId {
    fn from(id: u32) -> Self {
        Self(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_transparent_on_the_wire() {
        let id: ItemId = serde_json::from_str("\"9e1f\"").unwrap();
        assert_eq!(id.as_str(), "9e1f");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"9e1f\"");
        assert_eq!(format!("{id:?}"), "ItemId(\"9e1f\")");
        let c: ConnectorId = serde_json::from_str("201").unwrap();
        assert_eq!(c, ConnectorId::new(201));
    }
}
