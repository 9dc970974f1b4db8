//! The products that follow from an item's accounts and transactions (credit-card bills,
//! monthly statements) and those collected beside them (loans, Open Finance consents).
//!
//! Bills and statements are recomputed after every sync from the transactions, with ids
//! derived from the seed, the account and the period, so that a bill keeps its id across
//! syncs and every transaction dated in a closed bill's period carries that bill's id.

use pluggy_core::Product;
use time::{Date, Month, OffsetDateTime};

use crate::world::clock::Millis;
use crate::world::data::{DAY_MS, ItemData};
use crate::world::rng::Rng;

/// Days from a bill's closing to its due date.
const DUE_AFTER_DAYS: i64 = 7;

/// A closed credit-card bill.
#[derive(Clone, Debug)]
pub(crate) struct Bill {
    pub(crate) id: String,
    pub(crate) account_id: String,
    /// The previous bill's closing date: the period is `(opens_after, closing_date]`.
    pub(crate) opens_after: Millis,
    pub(crate) closing_date: Millis,
    pub(crate) due_date: Millis,
    /// The sum of the period's transactions plus the finance charges.
    pub(crate) total_cents: i64,
    pub(crate) minimum_cents: i64,
    pub(crate) finance_charges: Vec<FinanceCharge>,
    pub(crate) payments: Vec<BillPayment>,
}

impl Bill {
    /// Whether a transaction dated `date` belongs to the bill's period.
    pub(crate) fn covers(&self, date: Millis) -> bool {
        self.opens_after < date && date <= self.closing_date
    }
}

/// A charge added to a bill (`IOF`, interest…).
#[derive(Clone, Debug)]
pub(crate) struct FinanceCharge {
    pub(crate) id: String,
    pub(crate) kind: &'static str,
    pub(crate) amount_cents: i64,
}

/// A payment of a bill.
#[derive(Clone, Debug)]
pub(crate) struct BillPayment {
    pub(crate) id: String,
    pub(crate) date: Millis,
    pub(crate) amount_cents: i64,
}

/// A monthly statement of a bank account.
#[derive(Clone, Debug)]
pub(crate) struct Statement {
    pub(crate) id: String,
    pub(crate) account_id: String,
    pub(crate) year: i32,
    /// 1 to 12.
    pub(crate) month: u8,
}

/// A loan contract.
#[derive(Clone, Debug)]
pub(crate) struct Loan {
    pub(crate) id: String,
    pub(crate) item_id: String,
    pub(crate) contract_number: String,
    pub(crate) ipoc_code: String,
    pub(crate) product_name: &'static str,
    /// The Open Finance modality (`CREDITO_PESSOAL_SEM_CONSIGNACAO`…).
    pub(crate) kind_code: &'static str,
    pub(crate) date: Millis,
    pub(crate) contract_date: Millis,
    pub(crate) contract_amount_cents: i64,
    pub(crate) due_date: Millis,
    pub(crate) first_installment_due: Millis,
    /// Effective total cost (CET), yearly, in hundredths of a percent.
    pub(crate) cet_bp: i64,
    /// Pre-fixed monthly rate, in hundredths of a percent.
    pub(crate) monthly_rate_bp: i64,
    pub(crate) installments: u32,
    pub(crate) paid_installments: u32,
    pub(crate) outstanding_cents: i64,
}

/// An Open Finance consent.
#[derive(Clone, Debug)]
pub(crate) struct Consent {
    pub(crate) id: String,
    pub(crate) item_id: String,
    pub(crate) products: Vec<Product>,
    pub(crate) permissions: Vec<&'static str>,
    pub(crate) created_at: Millis,
    pub(crate) expires_at: Millis,
}

fn day_of(ms: Millis) -> Date {
    OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .map(OffsetDateTime::date)
        .unwrap_or(Date::MIN)
}

fn midnight(d: Date) -> Millis {
    d.midnight().assume_utc().unix_timestamp() * 1000
}

/// The `(year, month)` after this one.
fn next_month(y: i32, m: u8) -> (i32, u8) {
    if m == 12 { (y + 1, 1) } else { (y, m + 1) }
}

fn previous_month(y: i32, m: u8) -> (i32, u8) {
    if m == 1 { (y - 1, 12) } else { (y, m - 1) }
}

/// Midnight UTC of day `day` (1 to 28) of a month.
fn on(y: i32, m: u8, day: u8) -> Millis {
    Month::try_from(m)
        .ok()
        .and_then(|month| Date::from_calendar_date(y, month, day).ok())
        .map_or(0, midnight)
}

/// Recomputes the bills of every credit-card account as of `now`, and the transactions'
/// `bill_id`: one bill per closing date up to `now` from the month before the data begins;
/// the period after the last closing date is the open bill, whose transactions have none.
pub(crate) fn refresh_bills(data: &mut ItemData, seed: u64, now: Millis) {
    let mut bills = Vec::new();
    for account in data.accounts.iter().filter(|a| a.credit) {
        let closing_day =
            u8::try_from(Rng::derived(seed, &format!("bill-day-{}", account.id)).range(1, 28))
                .unwrap_or(1);
        let start = day_of(data.since);
        let (mut y, mut m) = previous_month(start.year(), u8::from(start.month()));
        let mut opens_after = {
            let (py, pm) = previous_month(y, m);
            on(py, pm, closing_day)
        };
        loop {
            let closing = on(y, m, closing_day);
            if closing > now {
                break;
            }
            let label = format!("bill-{}-{closing}", account.id);
            let mut rng = Rng::derived(seed, &label);
            let id = rng.uuid();
            let spent: i64 = data
                .transactions
                .iter()
                .filter(|t| t.account_id == account.id && opens_after < t.date && t.date <= closing)
                .map(|t| t.amount_cents)
                .sum();
            let mut finance_charges = Vec::new();
            if rng.below(4) == 0 {
                finance_charges.push(FinanceCharge {
                    id: rng.uuid(),
                    kind: "IOF",
                    amount_cents: rng.range(100, 3_000),
                });
            }
            let total = spent + finance_charges.iter().map(|c| c.amount_cents).sum::<i64>();
            let due = closing + DUE_AFTER_DAYS * DAY_MS;
            let payments = if due <= now && total > 0 {
                vec![BillPayment {
                    id: rng.uuid(),
                    date: due,
                    amount_cents: total,
                }]
            } else {
                Vec::new()
            };
            bills.push(Bill {
                id,
                account_id: account.id.clone(),
                opens_after,
                closing_date: closing,
                due_date: due,
                total_cents: total,
                minimum_cents: (total * 15 / 100).max(0),
                finance_charges,
                payments,
            });
            opens_after = closing;
            (y, m) = next_month(y, m);
        }
    }
    for t in &mut data.transactions {
        t.bill_id = bills
            .iter()
            .find(|b| b.account_id == t.account_id && b.covers(t.date))
            .map(|b| b.id.clone());
    }
    data.bills = bills;
}

/// Recomputes the statements of every bank account: one per month that ended by `now`, from
/// the month the data begins.
pub(crate) fn refresh_statements(data: &mut ItemData, seed: u64, now: Millis) {
    let mut statements = Vec::new();
    for account in data.accounts.iter().filter(|a| !a.credit) {
        let start = day_of(data.since);
        let (mut y, mut m) = (start.year(), u8::from(start.month()));
        loop {
            let (ny, nm) = next_month(y, m);
            if on(ny, nm, 1) > now {
                break;
            }
            let label = format!("statement-{}-{y}-{m}", account.id);
            statements.push(Statement {
                id: Rng::derived(seed, &label).uuid(),
                account_id: account.id.clone(),
                year: y,
                month: m,
            });
            (y, m) = (ny, nm);
        }
    }
    data.statements = statements;
}

/// What loans are made of: product name and Open Finance modality.
const LOAN_KINDS: &[(&str, &str)] = &[
    ("Crédito Pessoal", "CREDITO_PESSOAL_SEM_CONSIGNACAO"),
    ("Crédito Consignado", "CREDITO_PESSOAL_COM_CONSIGNACAO"),
    (
        "Capital de Giro",
        "CAPITAL_GIRO_PRAZO_VENCIMENTO_ATE_365_DIAS",
    ),
];

fn digits(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + u8::try_from(rng.below(10)).unwrap_or(0)))
        .collect()
}

/// One or two loans of an item, as of `now`.
pub(crate) fn loans(rng: &mut Rng, item_id: &str, now: Millis) -> Vec<Loan> {
    let n = rng.range(1, 2);
    (0..n)
        .map(|_| {
            let (product_name, kind_code) = *rng.pick(LOAN_KINDS);
            let installments = u32::try_from(rng.range(12, 48)).unwrap_or(12);
            let months_ago = rng.range(2, 11);
            let contract_date = midnight(day_of(now)) - months_ago * 30 * DAY_MS;
            let amount = rng.range(500_000, 5_000_000);
            let paid = u32::try_from(months_ago - 1).unwrap_or(0).min(installments);
            let outstanding =
                amount * i64::from(installments - paid) / i64::from(installments.max(1));
            Loan {
                id: rng.uuid(),
                item_id: item_id.to_owned(),
                contract_number: digits(rng, 15),
                ipoc_code: digits(rng, 40),
                product_name,
                kind_code,
                date: now,
                contract_date,
                contract_amount_cents: amount,
                due_date: contract_date + i64::from(installments) * 30 * DAY_MS,
                first_installment_due: contract_date + 30 * DAY_MS,
                cet_bp: rng.range(1_500, 6_000),
                monthly_rate_bp: rng.range(90, 450),
                installments,
                paid_installments: paid,
                outstanding_cents: outstanding,
            }
        })
        .collect()
}

/// The Open Finance permissions that cover `products`.
fn permissions(products: &[Product]) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut add = |p: &[&'static str]| {
        for x in p {
            if !out.contains(x) {
                out.push(*x);
            }
        }
    };
    for p in products {
        match p {
            Product::Accounts => add(&[
                "ACCOUNTS_ALL",
                "ACCOUNTS_LIST",
                "ACCOUNTS_BALANCES",
                "ACCOUNTS_LIMITS",
            ]),
            Product::Transactions => add(&["ACCOUNTS_TRANSACTIONS"]),
            Product::CreditCards => add(&[
                "CREDIT_CARDS_ALL",
                "CREDIT_CARDS_LIST",
                "CREDIT_CARDS_LIMITS",
                "CREDIT_CARDS_TRANSACTIONS",
                "CREDIT_CARDS_BILLS",
            ]),
            Product::Identity => add(&[
                "REGISTRATION_ALL",
                "REGISTRATION_IDENTIFICATIONS",
                "REGISTRATION_QUALIFICATIONS",
                "REGISTRATION_FINANCIAL_RELATIONS",
            ]),
            Product::Loans => add(&["CREDIT_OPERATIONS_ALL"]),
            Product::Investments | Product::InvestmentsTransactions => add(&["INVESTMENTS_ALL"]),
            _ => {}
        }
    }
    out
}

/// The consent an Open Finance item was given at its first sync, valid for a year.
pub(crate) fn consent(rng: &mut Rng, item_id: &str, products: &[Product], now: Millis) -> Consent {
    Consent {
        id: rng.uuid(),
        item_id: item_id.to_owned(),
        products: products.to_vec(),
        permissions: permissions(products),
        created_at: now,
        expires_at: now + 365 * DAY_MS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::data::{Plan, generate};

    const NOW: Millis = 1_700_000_000_000;

    fn data() -> ItemData {
        let plan = Plan {
            bank_accounts: true,
            credit_cards: true,
            transactions_per_account: 200,
            identity: false,
            investments: false,
            loans: true,
            products: vec![Product::Accounts, Product::CreditCards, Product::Loans],
            open_finance: true,
        };
        generate(9, "item", &plan, NOW)
    }

    #[test]
    fn bills_cover_the_card_transactions_up_to_the_last_closing() {
        let d = data();
        let card = d.accounts.iter().find(|a| a.credit).unwrap();
        let bills: Vec<&Bill> = d.bills.iter().filter(|b| b.account_id == card.id).collect();
        assert!((12..=14).contains(&bills.len()), "{}", bills.len());
        for w in bills.windows(2) {
            assert_eq!(w[0].closing_date, w[1].opens_after);
        }
        let last = bills.last().unwrap().closing_date;
        for t in d.transactions.iter().filter(|t| t.account_id == card.id) {
            match &t.bill_id {
                Some(id) => {
                    let b = bills.iter().find(|b| &b.id == id).unwrap();
                    assert!(b.covers(t.date));
                }
                None => assert!(t.date > last),
            }
        }
        for b in &bills {
            let sum: i64 = d
                .transactions
                .iter()
                .filter(|t| t.bill_id.as_deref() == Some(b.id.as_str()))
                .map(|t| t.amount_cents)
                .sum();
            let charges: i64 = b.finance_charges.iter().map(|c| c.amount_cents).sum();
            assert_eq!(b.total_cents, sum + charges);
        }
        assert!(
            d.transactions
                .iter()
                .filter(|t| t.account_id != card.id)
                .all(|t| t.bill_id.is_none())
        );
    }

    #[test]
    fn refreshing_later_keeps_ids_and_adds_periods() {
        let mut d = data();
        let before: Vec<String> = d.bills.iter().map(|b| b.id.clone()).collect();
        let statements = d.statements.len();
        d.refresh(9, NOW + 40 * DAY_MS);
        assert!(d.bills.len() > before.len());
        assert!(before.iter().all(|id| d.bills.iter().any(|b| &b.id == id)));
        assert!(d.statements.len() > statements);
        assert!((11..=13).contains(&statements), "{statements}");
    }

    #[test]
    fn consents_cover_the_products() {
        let d = data();
        let c = &d.consents[0];
        assert!(c.permissions.contains(&"CREDIT_OPERATIONS_ALL"));
        assert!(c.permissions.contains(&"CREDIT_CARDS_BILLS"));
        assert!(c.expires_at > c.created_at);
    }
}
