//! Loan contracts of an item (Open Finance credit operations).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Date;
use crate::Timestamp;
use crate::ids::{ItemId, LoanId};

super::wire_enum!(
    /// The family of credit operation a contract belongs to.
    LoanKind {
        Loan = "LOAN",
        Financing = "FINANCING",
        InvoiceFinancing = "INVOICE_FINANCING",
        UnarrangedAccountOverdraft = "UNARRANGED_ACCOUNT_OVERDRAFT",
    }
);

super::wire_enum!(
    /// How often a loan's installments fall due.
    LoanInstallmentPeriodicity {
        WithoutRegularPeriodicity = "WITHOUT_REGULAR_PERIODICITY",
        Weekly = "WEEKLY",
        Fortnightly = "FORTNIGHTLY",
        Monthly = "MONTHLY",
        Bimonthly = "BIMONTHLY",
        Quarterly = "QUARTERLY",
        Semesterly = "SEMESTERLY",
        Yearly = "YEARLY",
        Others = "OTHERS",
    }
);

super::wire_enum!(
    /// The amortization system of a loan.
    LoanAmortization {
        Sac = "SAC",
        Price = "PRICE",
        Sam = "SAM",
        WithoutAmortizationSystem = "WITHOUT_AMORTIZATION_SYSTEM",
        Others = "OTHERS",
    }
);

super::wire_enum!(
    /// Whether an interest rate is nominal or effective.
    LoanTaxType {
        Nominal = "NOMINAL",
        Effective = "EFFECTIVE",
    }
);

super::wire_enum!(
    /// Whether interest is simple or compound.
    LoanInterestRateType {
        Simple = "SIMPLE",
        Compound = "COMPOUND",
    }
);

super::wire_enum!(
    /// The period an interest rate is expressed over.
    LoanTaxPeriodicity {
        Monthly = "MONTHLY",
        Yearly = "YEARLY",
    }
);

super::wire_enum!(
    /// Whether a contracted fee is charged once or with each installment.
    LoanFeeChargeType {
        Unique = "UNIQUE",
        ByInstallment = "BY_INSTALLMENT",
    }
);

super::wire_enum!(
    /// How a contracted fee is billed.
    LoanFeeCharge {
        Minimum = "MINIMUM",
        Maximum = "MAXIMUM",
        Fixed = "FIXED",
        Percentage = "PERCENTAGE",
    }
);

super::wire_enum!(
    /// The unit of a loan's total or remaining term.
    LoanTermType {
        Day = "DAY",
        Week = "WEEK",
        Month = "MONTH",
        Year = "YEAR",
        WithoutTotalPeriod = "WITHOUT_TOTAL_PERIOD",
        WithoutRemainingPeriod = "WITHOUT_REMAINING_PERIOD",
    }
);

/// A loan contract (`GET /loans?itemId=`, `GET /loans/{id}`).
///
/// Rates are fractions (`1` is 100%), amounts are in `currency_code`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Loan {
    /// The loan's id.
    pub id: LoanId,
    /// The item it belongs to.
    pub item_id: ItemId,
    /// The contract number at the institution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_number: Option<String>,
    /// The standard id of the credit operation (IPOC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipoc_code: Option<String>,
    /// The product's name as shown to the customer.
    #[serde(default)]
    pub product_name: String,
    /// The Open Finance product subtype (`CREDITO_PESSOAL_COM_CONSIGNACAO`, …; `type` on the wire).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub product_type: Option<String>,
    /// The family of credit operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<LoanKind>,
    /// When the data was collected (an offset-less time reads as UTC).
    #[serde(deserialize_with = "super::lenient_timestamp::deserialize")]
    pub date: Timestamp,
    /// When the loan was contracted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_date: Option<Date>,
    /// When the money was disbursed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disbursement_dates: Vec<Date>,
    /// When the loan was settled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement_date: Option<Date>,
    /// The contracted amount.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub contract_amount: Option<Decimal>,
    /// The currency of the amounts, e.g. `BRL`.
    #[serde(default)]
    pub currency_code: String,
    /// When the loan ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<Date>,
    /// How often installments fall due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installment_periodicity: Option<LoanInstallmentPeriodicity>,
    /// What the periodicity is, for `OTHERS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installment_periodicity_additional_info: Option<String>,
    /// When the first installment falls due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_installment_due_date: Option<Date>,
    /// The total effective cost (CET), as an annual rate (`0.29` is 29%).
    #[serde(
        rename = "CET",
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub cet: Option<Decimal>,
    /// The amortization system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amortization_scheduled: Option<LoanAmortization>,
    /// What the amortization system is, for `OTHERS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amortization_scheduled_additional_info: Option<String>,
    /// The CNPJ of the consignor, for payroll loans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnpj_consignee: Option<String>,
    /// The interest rates of the contract.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interest_rates: Vec<LoanInterestRate>,
    /// The fees agreed in the contract.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contracted_fees: Vec<LoanContractedFee>,
    /// The charges agreed in the contract (late interest, penalties…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contracted_finance_charges: Vec<LoanContractedFinanceCharge>,
    /// The collateral of the contract.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warranties: Vec<LoanWarranty>,
    /// The contract's term and installments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installments: Option<LoanInstallments>,
    /// What has been paid, and what remains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payments: Option<LoanPayments>,
}

/// One remunerative interest rate of a loan.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoanInterestRate {
    /// Nominal or effective.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_type: Option<LoanTaxType>,
    /// Simple or compound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interest_rate_type: Option<LoanInterestRateType>,
    /// The period the rate is expressed over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_periodicity: Option<LoanTaxPeriodicity>,
    /// The day-count basis (`21/252`, `30/360`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calculation: Option<String>,
    /// The kind of reference rate or index (`PRE_FIXADO`, `POS_FIXADO`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referential_rate_indexer_type: Option<String>,
    /// The reference rate or index itself (`TJLP`, `CDI`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referential_rate_indexer_sub_type: Option<String>,
    /// More about the reference rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referential_rate_indexer_additional_info: Option<String>,
    /// The fixed part of the rate, as a fraction.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub pre_fixed_rate: Option<Decimal>,
    /// The floating part of the rate, as a fraction.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub post_fixed_rate: Option<Decimal>,
    /// More about the rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<String>,
}

/// A fee agreed in a loan contract.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoanContractedFee {
    /// The fee's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The fee's code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Charged once or with each installment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge_type: Option<LoanFeeChargeType>,
    /// How the fee is billed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge: Option<LoanFeeCharge>,
    /// The fee's amount.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
    /// The fee's rate, as a fraction.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub rate: Option<Decimal>,
}

/// A charge agreed in a loan contract (late interest, penalty…).
///
/// Also reads `chargeAdditionalInfo` and `chargeRate`, the names in the document's example.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoanContractedFinanceCharge {
    /// The kind of charge (`JUROS_REMUNERATORIOS_POR_ATRASO`, …; `type` on the wire).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// More about the charge.
    #[serde(
        alias = "chargeAdditionalInfo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub additional_info: Option<String>,
    /// The charge's rate, as a fraction.
    #[serde(
        alias = "chargeRate",
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub rate: Option<Decimal>,
}

/// Collateral of a loan contract.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoanWarranty {
    /// The currency of `amount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
    /// The kind of collateral (`CESSAO_DIREITOS_CREDITORIOS`, …; `type` on the wire).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The kind of collateral, in more detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtype: Option<String>,
    /// The collateral's original value.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
}

/// The term and installments of a loan contract.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoanInstallments {
    /// The unit of `total_number_of_installments`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_number_of_installments: Option<LoanTermType>,
    /// The total term, in that unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_number_of_installments: Option<u32>,
    /// The unit of `contract_remaining_number`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_contract_remaining: Option<LoanTermType>,
    /// The remaining term, in that unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_remaining_number: Option<u32>,
    /// How many installments have been paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_installments: Option<u32>,
    /// How many installments are still to come.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_installments: Option<u32>,
    /// How many installments are overdue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub past_due_installments: Option<u32>,
    /// Irregular (balloon) installments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub balloon_payments: Vec<LoanBalloonPayment>,
}

/// An irregular (balloon) installment of a loan.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoanBalloonPayment {
    /// When it falls due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<Date>,
    /// Its amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<LoanAmount>,
}

/// An amount with its currency.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoanAmount {
    /// The amount.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub value: Option<Decimal>,
    /// Its currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
}

/// What has been paid on a loan, and what remains.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoanPayments {
    /// What it would take to settle the debt now.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub contract_outstanding_balance: Option<Decimal>,
    /// The payments made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub releases: Vec<LoanPaymentRelease>,
}

/// One payment on a loan.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoanPaymentRelease {
    /// Whether it was a one-off payment (`true`) rather than an agreed installment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_over_parcel_payment: Option<bool>,
    /// The installment paid, as the institution names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installment_id: Option<String>,
    /// When it was paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_date: Option<Date>,
    /// The currency of `paid_amount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
    /// The amount paid.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub paid_amount: Option<Decimal>,
    /// Fees and charges paid outside the installment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub over_parcel: Option<LoanOverParcel>,
}

/// Fees and charges paid outside an installment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoanOverParcel {
    /// The fees paid.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fees: Vec<LoanOverParcelFee>,
    /// The charges paid.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub charges: Vec<LoanOverParcelCharge>,
}

/// A fee paid outside an installment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoanOverParcelFee {
    /// The fee's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The fee's code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The amount paid.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
}

/// A charge paid outside an installment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoanOverParcelCharge {
    /// The kind of charge (`type` on the wire).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// More about the charge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<String>,
    /// The amount paid.
    #[serde(
        default,
        with = "super::decimal_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
}

impl Loan {
    /// How many installments remain (due and overdue), when the institution says.
    pub fn remaining_installments(&self) -> Option<u32> {
        let i = self.installments.as_ref()?;
        match (i.due_installments, i.past_due_installments) {
            (None, None) => None,
            (due, past) => Some(due.unwrap_or(0) + past.unwrap_or(0)),
        }
    }
}
