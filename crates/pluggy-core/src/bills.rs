//! A credit-card account's bills with the transactions each one holds: the transactions'
//! `billId` links them to their bill.

use std::collections::HashMap;

use crate::ids::BillId;
use crate::models::{Bill, Transaction};

/// One bill and its transactions, in the order the API listed them.
#[derive(Clone, Debug, PartialEq)]
pub struct BillTransactions {
    /// The bill.
    pub bill: Bill,
    /// The transactions whose `billId` is this bill's.
    pub transactions: Vec<Transaction>,
}

/// A credit-card account's bills with their transactions, and the transactions on no bill of
/// the list (not billed yet, or on a bill the API no longer lists).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BilledTransactions {
    /// Each bill with its transactions, in the order of the bills.
    pub bills: Vec<BillTransactions>,
    /// The transactions on none of those bills.
    pub unbilled: Vec<Transaction>,
}

impl BilledTransactions {
    /// Groups `transactions` under the `bills` their `billId` names.
    pub fn group(bills: Vec<Bill>, transactions: Vec<Transaction>) -> Self {
        let index: HashMap<BillId, usize> = bills
            .iter()
            .enumerate()
            .map(|(i, bill)| (bill.id.clone(), i))
            .collect();
        let mut grouped: Vec<BillTransactions> = bills
            .into_iter()
            .map(|bill| BillTransactions {
                bill,
                transactions: Vec::new(),
            })
            .collect();
        let mut unbilled = Vec::new();
        for transaction in transactions {
            match transaction.bill_id().and_then(|id| index.get(id)) {
                Some(&i) => grouped[i].transactions.push(transaction),
                None => unbilled.push(transaction),
            }
        }
        Self {
            bills: grouped,
            unbilled,
        }
    }
}
