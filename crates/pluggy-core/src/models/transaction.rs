//! Transactions of an account, and the filters of the two list operations.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Date, Merchant};
use crate::Timestamp;
use crate::http::Call;
use crate::ids::{AccountId, BillId, CategoryId, TransactionId};

super::wire_enum!(
    /// Whether money left (`DEBIT`) or entered (`CREDIT`) the account.
    TransactionType {
        Debit = "DEBIT",
        Credit = "CREDIT",
    }
);

super::wire_enum!(
    /// Whether a transaction is settled.
    TransactionStatus {
        Posted = "POSTED",
        Pending = "PENDING",
    }
);

/// One transaction of an account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    /// The transaction's id.
    pub id: TransactionId,
    /// The account it belongs to.
    pub account_id: AccountId,
    /// The description, cleaned up.
    #[serde(default)]
    pub description: String,
    /// The description as the institution gave it, or `null`.
    #[serde(default)]
    pub description_raw: Option<String>,
    /// The currency of `amount`.
    #[serde(default)]
    pub currency_code: String,
    /// The amount, in `currency_code`; negative for debits on bank accounts.
    #[serde(with = "super::decimal")]
    pub amount: Decimal,
    /// The amount in the account's currency, when it differs.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount_in_account_currency: Option<Decimal>,
    /// When the transaction happened.
    pub date: Timestamp,
    /// `DEBIT` or `CREDIT` (`type` on the wire).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<TransactionType>,
    /// The account balance after the transaction.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub balance: Option<Decimal>,
    /// The institution's code for the transaction, or `null`.
    #[serde(default)]
    pub provider_code: Option<String>,
    /// `POSTED` or `PENDING`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TransactionStatus>,
    /// The category's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The category's id, one of [`Category`](super::Category)'s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_id: Option<CategoryId>,
    /// Payer, receiver and method of a transfer, or `null`.
    #[serde(default)]
    pub payment_data: Option<PaymentData>,
    /// Installments and bill of a credit card transaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_card_metadata: Option<CreditCardMetadata>,
    /// The merchant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant: Option<Merchant>,
    /// The kind of operation (`PIX`, `TED`, …), or `null`.
    #[serde(default)]
    pub operation_type: Option<String>,
    /// More about the operation, or `null`.
    #[serde(default)]
    pub operation_type_additional_info: Option<String>,
    /// The institution's id for the transaction, or `null`.
    #[serde(default)]
    pub provider_id: Option<String>,
    /// The position among transactions of the same date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<i64>,
    /// When the transaction was first collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When the transaction last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
}

impl Transaction {
    /// The credit card bill the transaction belongs to (`creditCardMetadata.billId`, where
    /// the API puts it), if any.
    pub fn bill_id(&self) -> Option<&BillId> {
        self.credit_card_metadata.as_ref()?.bill_id.as_ref()
    }
}

/// The body of `PATCH /transactions/{id}`: the transaction's new category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTransaction {
    /// The category to give the transaction.
    pub category_id: CategoryId,
}

impl UpdateTransaction {
    /// Recategorizes a transaction as `category_id`.
    pub fn new(category_id: CategoryId) -> Self {
        Self { category_id }
    }
}

/// Payer, receiver and method of a transfer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentData {
    /// Who paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer: Option<PaymentParticipant>,
    /// Who received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver: Option<PaymentParticipant>,
    /// The reason given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The payment's reference number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_number: Option<String>,
    /// The receiver's reference id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver_reference_id: Option<String>,
    /// The method, e.g. `PIX`, `TED`, `BOLETO`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    /// Details of a boleto payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boleto_metadata: Option<BoletoMetadata>,
}

/// One side of a transfer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentParticipant {
    /// The participant's document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_number: Option<Document>,
    /// The participant's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The account number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_number: Option<String>,
    /// The branch number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch_number: Option<String>,
    /// The bank's code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_number: Option<String>,
    /// The bank's ISPB code.
    #[serde(
        rename = "routingNumberISPB",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub routing_number_ispb: Option<String>,
}

/// A document: its kind (`CPF`, `CNPJ`) and formatted value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// `CPF` or `CNPJ` (`type` on the wire).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The formatted number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// Details of a boleto payment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BoletoMetadata {
    /// The digitable line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digitable_line: Option<String>,
    /// The barcode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcode: Option<String>,
    /// The amount before interest, penalty and discount.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub base_amount: Option<Decimal>,
    /// Interest paid.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub interest_amount: Option<Decimal>,
    /// Penalty paid.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub penalty_amount: Option<Decimal>,
    /// Discount received.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub discount_amount: Option<Decimal>,
}

/// Installments and bill of a credit card transaction.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditCardMetadata {
    /// Which installment this is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installment_number: Option<u32>,
    /// How many installments there are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_installments: Option<u32>,
    /// The amount of the whole purchase.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_amount: Option<Decimal>,
    /// The kind of fee, for fees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_type: Option<String>,
    /// More about the fee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_type_additional_info: Option<String>,
    /// The kind of other credit, for credits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_credits_type: Option<String>,
    /// More about the other credit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_credits_additional_info: Option<String>,
    /// When the purchase was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_date: Option<Timestamp>,
    /// The merchant category code (read from a string or a number).
    #[serde(
        rename = "payeeMCC",
        default,
        deserialize_with = "super::lenient_string::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub payee_mcc: Option<String>,
    /// The last digits of the card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_number: Option<String>,
    /// The bill the transaction belongs to ([`Bill`](super::Bill)), once the bill exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_id: Option<BillId>,
    /// The month of the expected bill (`2020-10`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_forecast_date: Option<String>,
}

/// Filters of `GET /transactions` (page style). The driver sets `accountId`.
///
/// With `ids`, the API ignores `from` and `to`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TransactionFilters {
    /// Only these transactions (sent comma-joined), e.g. the ids of a `transactions/updated`
    /// webhook.
    pub ids: Vec<TransactionId>,
    /// Only transactions on or after this date.
    pub from: Option<Date>,
    /// Only transactions on or before this date.
    pub to: Option<Date>,
    /// The page to fetch, from 1.
    pub page: Option<u32>,
    /// Results per page (the API accepts 1 to 500).
    pub page_size: Option<u32>,
    /// Only the transactions of this bill, for a credit card account.
    pub bill_id: Option<BillId>,
    /// Only transactions collected at or after this instant.
    pub created_at_from: Option<Timestamp>,
}

impl TransactionFilters {
    /// Adds these filters to a call of `GET /transactions`.
    pub fn apply(&self, call: Call) -> Call {
        call.query_list("ids", &self.ids)
            .query_opt("from", self.from.map(|d| d.to_string()))
            .query_opt("to", self.to.map(|d| d.to_string()))
            .query_opt("page", self.page.map(|p| p.to_string()))
            .query_opt("pageSize", self.page_size.map(|p| p.to_string()))
            .query_opt("billId", self.bill_id.as_ref().map(|b| b.to_string()))
            .query_opt("createdAtFrom", self.created_at_from.map(|t| t.to_string()))
    }
}

/// Filters of `GET /v2/transactions` (cursor style). The driver sets `accountId`.
///
/// `created_at_from` and `date_from` exclude each other (the API refuses both).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CursorTransactionFilters {
    /// Only these transactions (sent comma-joined; the API accepts at most 500), e.g. the ids
    /// of a `transactions/updated` webhook.
    pub ids: Vec<TransactionId>,
    /// Only transactions on or after this date.
    pub date_from: Option<Date>,
    /// Only transactions on or before this date.
    pub date_to: Option<Date>,
    /// Only transactions collected at or after this instant.
    pub created_at_from: Option<Timestamp>,
}

impl CursorTransactionFilters {
    /// Adds these filters to a call of `GET /v2/transactions`.
    pub fn apply(&self, call: Call) -> Call {
        call.query_list("ids", &self.ids)
            .query_opt("dateFrom", self.date_from.map(|d| d.to_string()))
            .query_opt("dateTo", self.date_to.map(|d| d.to_string()))
            .query_opt("createdAtFrom", self.created_at_from.map(|t| t.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints;
    use crate::http::{BaseUrl, Credential};

    fn url(call: Call) -> String {
        call.prepare(&BaseUrl::default(), Credential::None, &"t".into())
            .unwrap()
            .url()
            .to_owned()
    }

    #[test]
    fn filters_become_queries() {
        let v1 = TransactionFilters {
            from: Date::from_ymd(2024, 1, 1),
            to: Date::from_ymd(2024, 1, 31),
            page: Some(2),
            page_size: Some(100),
            ..Default::default()
        };
        assert_eq!(
            url(v1.apply(Call::new(&endpoints::TRANSACTIONS_LIST).query("accountId", "a1"))),
            "https://api.pluggy.ai/transactions?accountId=a1&from=2024-01-01&to=2024-01-31\
             &page=2&pageSize=100"
        );
        let by_bill = TransactionFilters {
            ids: vec![TransactionId::new("t1"), TransactionId::new("t2")],
            bill_id: Some(BillId::new("b1")),
            created_at_from: Some(Timestamp::parse("2024-01-15T10:00:00Z").unwrap()),
            ..Default::default()
        };
        assert_eq!(
            url(by_bill.apply(Call::new(&endpoints::TRANSACTIONS_LIST).query("accountId", "a1"))),
            "https://api.pluggy.ai/transactions?accountId=a1&ids=t1%2Ct2&billId=b1\
             &createdAtFrom=2024-01-15T10%3A00%3A00.000Z"
        );
        let v2 = CursorTransactionFilters {
            date_to: Date::from_ymd(2024, 2, 1),
            created_at_from: Some(Timestamp::parse("2024-01-15T10:00:00Z").unwrap()),
            ..Default::default()
        };
        assert_eq!(
            url(v2.apply(Call::new(&endpoints::TRANSACTIONS_LIST_BY_CURSOR))),
            "https://api.pluggy.ai/v2/transactions?dateTo=2024-02-01\
             &createdAtFrom=2024-01-15T10%3A00%3A00.000Z"
        );
        let v2_ids = CursorTransactionFilters {
            ids: vec![TransactionId::new("t1"), TransactionId::new("t2")],
            ..Default::default()
        };
        assert_eq!(
            url(v2_ids.apply(Call::new(&endpoints::TRANSACTIONS_LIST_BY_CURSOR))),
            "https://api.pluggy.ai/v2/transactions?ids=t1%2Ct2"
        );
        assert_eq!(
            url(TransactionFilters::default().apply(Call::new(&endpoints::TRANSACTIONS_LIST))),
            "https://api.pluggy.ai/transactions"
        );
    }

    #[test]
    fn bill_id_comes_from_the_card_metadata() {
        let tx: Transaction = serde_json::from_value(serde_json::json!({
            "id": "t", "accountId": "a", "amount": 1, "date": "2024-01-01T00:00:00.000Z",
            "categoryId": "05000000",
            "creditCardMetadata": {"billId": "b1"}
        }))
        .unwrap();
        assert_eq!(tx.bill_id(), Some(&BillId::new("b1")));
        assert_eq!(tx.category_id, Some(CategoryId::new("05000000")));
        let body = serde_json::to_value(UpdateTransaction::new(CategoryId::new("07010000")));
        assert_eq!(body.unwrap(), serde_json::json!({"categoryId": "07010000"}));
    }
}
