//! Credit card bills of a credit account.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Date;
use crate::ids::{AccountId, BillId};

super::wire_enum!(
    /// The kind of a charge on a bill.
    BillFinanceChargeType {
        LatePaymentRemunerativeInterest = "LATE_PAYMENT_REMUNERATIVE_INTEREST",
        LatePaymentFee = "LATE_PAYMENT_FEE",
        LatePaymentInterest = "LATE_PAYMENT_INTEREST",
        Iof = "IOF",
        Other = "OTHER",
    }
);

super::wire_enum!(
    /// What a payment of a bill covered.
    BillPaymentValueType {
        InstallmentPayment = "INSTALLMENT_PAYMENT",
        FullPayment = "FULL_PAYMENT",
        OtherPayment = "OTHER_PAYMENT",
    }
);

super::wire_enum!(
    /// How a bill was paid.
    BillPaymentMode {
        DebitAccount = "DEBIT_ACCOUNT",
        BankSlip = "BANK_SLIP",
        PayrollDeduction = "PAYROLL_DEDUCTION",
        Pix = "PIX",
    }
);

/// A credit card bill (`GET /bills?accountId=`, `GET /bills/{id}`).
///
/// The card's transactions name their bill in `creditCardMetadata.billId`
/// ([`Transaction::bill_id`](super::Transaction::bill_id)).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bill {
    /// The bill's id.
    pub id: BillId,
    /// The credit card account it belongs to (the list leaves it out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<AccountId>,
    /// When the bill is due.
    pub due_date: Date,
    /// When the bill closed, or `null`.
    #[serde(default)]
    pub bill_closing_date: Option<Date>,
    /// The bill's total.
    #[serde(with = "super::decimal")]
    pub total_amount: Decimal,
    /// The currency of `total_amount`, e.g. `BRL`.
    #[serde(default)]
    pub total_amount_currency_code: String,
    /// The least that may be paid.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub minimum_payment_amount: Option<Decimal>,
    /// Whether the bill may be paid in installments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allows_installments: Option<bool>,
    /// Interest, fees and taxes charged on the bill.
    #[serde(default)]
    pub finance_charges: Vec<BillFinanceCharge>,
    /// Payments made towards the bill.
    #[serde(default)]
    pub payments: Vec<BillPayment>,
}

/// A charge on a bill: interest, a fee or a tax.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillFinanceCharge {
    /// The charge's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The bill it is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_card_bill_id: Option<BillId>,
    /// The kind of charge (`type` on the wire).
    #[serde(rename = "type")]
    pub kind: BillFinanceChargeType,
    /// The amount charged.
    #[serde(with = "super::decimal")]
    pub amount: Decimal,
    /// The currency of `amount`.
    #[serde(default)]
    pub currency_code: String,
    /// What the charge is, for `OTHER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<String>,
}

/// A payment towards a bill.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillPayment {
    /// The payment's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What the payment covered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_type: Option<BillPaymentValueType>,
    /// When it was paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_date: Option<Date>,
    /// How it was paid, or `null`.
    #[serde(default)]
    pub payment_mode: Option<BillPaymentMode>,
    /// The amount paid.
    #[serde(with = "super::decimal")]
    pub amount: Decimal,
    /// The currency of `amount`.
    #[serde(default)]
    pub currency_code: String,
}

impl Bill {
    /// The sum of the bill's finance charges, if they share the bill's currency (`None`
    /// when one is in another currency).
    pub fn finance_charges_total(&self) -> Option<Decimal> {
        self.finance_charges
            .iter()
            .try_fold(Decimal::ZERO, |sum, c| {
                (c.currency_code.is_empty() || c.currency_code == self.total_amount_currency_code)
                    .then(|| sum + c.amount)
            })
    }
}
