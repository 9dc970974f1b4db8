//! The financial data of an item, generated deterministically from the seed and the item id.

use crate::world::categories::{self, RuleRec, Subject};
use crate::world::clock::Millis;
use crate::world::merchants::{self, MerchantRec};
use crate::world::products::{self, Bill, Consent, Loan, Statement};
use crate::world::rng::Rng;

pub(crate) const DAY_MS: i64 = 86_400_000;

/// An account of an item.
#[derive(Clone, Debug)]
pub(crate) struct Account {
    pub(crate) id: String,
    pub(crate) item_id: String,
    pub(crate) credit: bool,
    pub(crate) number: String,
    pub(crate) name: &'static str,
    pub(crate) marketing_name: &'static str,
    pub(crate) balance_cents: i64,
    pub(crate) credit_limit_cents: i64,
    pub(crate) owner: String,
    pub(crate) tax_number: String,
    pub(crate) created_at: Millis,
    pub(crate) updated_at: Millis,
}

/// A transaction of an account.
#[derive(Clone, Debug)]
pub(crate) struct Transaction {
    pub(crate) id: String,
    pub(crate) account_id: String,
    pub(crate) date: Millis,
    pub(crate) description: &'static str,
    pub(crate) amount_cents: i64,
    pub(crate) balance_cents: i64,
    /// An id of [`categories::TREE`]: the generator's choice, a rule's, or `PATCH`'s.
    pub(crate) category_id: &'static str,
    pub(crate) merchant: Option<&'static MerchantRec>,
    /// The closed bill whose period holds the transaction's date (credit cards only).
    pub(crate) bill_id: Option<String>,
    pub(crate) created_at: Millis,
    pub(crate) updated_at: Millis,
}

impl Transaction {
    /// Whether the transaction is a debit, on an account of this kind.
    pub(crate) fn debit(&self, credit_account: bool) -> bool {
        is_debit(credit_account, self.amount_cents)
    }

    /// What a category rule looks at.
    pub(crate) fn subject(&self, credit_account: bool) -> Subject<'_> {
        Subject {
            description: self.description,
            debit: self.debit(credit_account),
            credit_account,
        }
    }
}

/// The identity of the item's owner.
#[derive(Clone, Debug)]
pub(crate) struct Identity {
    pub(crate) id: String,
    pub(crate) item_id: String,
    pub(crate) full_name: String,
    pub(crate) tax_number: String,
    pub(crate) birth_date: Millis,
    pub(crate) email: String,
    pub(crate) phone: String,
    pub(crate) city: &'static str,
    pub(crate) created_at: Millis,
}

/// An investment and its movements.
#[derive(Clone, Debug)]
pub(crate) struct Investment {
    pub(crate) id: String,
    pub(crate) item_id: String,
    pub(crate) kind: &'static str,
    pub(crate) subtype: &'static str,
    pub(crate) name: &'static str,
    pub(crate) code: String,
    pub(crate) balance_cents: i64,
    pub(crate) amount_original_cents: i64,
    /// The annual rate in hundredths of a percent.
    pub(crate) annual_rate_bp: i64,
    pub(crate) date: Millis,
    pub(crate) transactions: Vec<InvestmentTransaction>,
}

/// One movement of an investment.
#[derive(Clone, Debug)]
pub(crate) struct InvestmentTransaction {
    pub(crate) id: String,
    pub(crate) buy: bool,
    pub(crate) amount_cents: i64,
    pub(crate) quantity: i64,
    pub(crate) date: Millis,
}

/// Everything a successful sync collected.
#[derive(Clone, Debug, Default)]
pub(crate) struct ItemData {
    /// The earliest date the data covers (a year before the first sync).
    pub(crate) since: Millis,
    pub(crate) accounts: Vec<Account>,
    /// Sorted by date, then id.
    pub(crate) transactions: Vec<Transaction>,
    pub(crate) identity: Option<Identity>,
    pub(crate) investments: Vec<Investment>,
    /// The closed bills of the credit-card accounts, oldest first.
    pub(crate) bills: Vec<Bill>,
    /// The monthly statements of the bank accounts, oldest first.
    pub(crate) statements: Vec<Statement>,
    pub(crate) loans: Vec<Loan>,
    /// The Open Finance consents the item was given (Open Finance connectors only).
    pub(crate) consents: Vec<Consent>,
}

impl ItemData {
    /// Whether `account_id` is one of the item's credit-card accounts.
    pub(crate) fn is_credit(&self, account_id: &str) -> bool {
        self.accounts.iter().any(|a| a.id == account_id && a.credit)
    }

    /// Gives the client's rules' categories to the transactions from index `from` on.
    pub(crate) fn apply_rules(&mut self, rules: &[RuleRec], from: usize) {
        if rules.is_empty() {
            return;
        }
        let credit: Vec<String> = self
            .accounts
            .iter()
            .filter(|a| a.credit)
            .map(|a| a.id.clone())
            .collect();
        for t in self.transactions.iter_mut().skip(from) {
            let on_card = credit.contains(&t.account_id);
            if let Some(c) = categories::categorize(rules.iter(), t.subject(on_card)) {
                t.category_id = c;
            }
        }
    }

    /// Recomputes what follows from the transactions as of `now`: bills (and the transactions'
    /// `bill_id`) and statements.
    pub(crate) fn refresh(&mut self, seed: u64, now: Millis) {
        products::refresh_bills(self, seed, now);
        products::refresh_statements(self, seed, now);
    }
}

/// What to generate.
pub(crate) struct Plan {
    pub(crate) bank_accounts: bool,
    pub(crate) credit_cards: bool,
    pub(crate) transactions_per_account: usize,
    pub(crate) identity: bool,
    pub(crate) investments: bool,
    pub(crate) loans: bool,
    /// The item's products (what its consent covers).
    pub(crate) products: Vec<pluggy_core::Product>,
    /// Whether the connector is an Open Finance one (the item then has a consent).
    pub(crate) open_finance: bool,
}

/// What transactions are made of: description, category id, whether money comes in, and the
/// merchant (by name in the merchant base). Money coming in comes first: a credit card only
/// draws from the rest.
const DESCRIPTIONS: &[(&str, &str, bool, Option<&str>)] = &[
    ("Salario", "01010000", true, None),
    ("Pix recebido", "05070000", true, None),
    (
        "Supermercado Bom Preco",
        "10000000",
        false,
        Some("Bom Preço"),
    ),
    ("Posto Estrada", "19050001", false, Some("Posto Estrada")),
    ("Farmacia Saude", "18020000", false, Some("Farmácia Saúde")),
    (
        "Restaurante Sabor",
        "11010000",
        false,
        Some("Restaurante Sabor"),
    ),
    (
        "Streaming Mensal",
        "09020000",
        false,
        Some("Streaming Mensal"),
    ),
    ("Conta de luz", "17020002", false, Some("Energia Paulista")),
    ("Transporte App", "19010000", false, Some("Transporte App")),
    (
        "Livraria Central",
        "08060000",
        false,
        Some("Livraria Central"),
    ),
];

/// How many entries of [`DESCRIPTIONS`] bring money in.
const INCOMING: usize = 2;

const FIRST: &[&str] = &[
    "Ana", "Bruno", "Carla", "Diego", "Elisa", "Felipe", "Gabriela",
];
const LAST: &[&str] = &["Silva", "Souza", "Oliveira", "Costa", "Pereira", "Almeida"];
const CITIES: &[&str] = &["Sao Paulo", "Rio de Janeiro", "Belo Horizonte", "Curitiba"];

fn digits(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + (rng.below(10) as u8)))
        .collect()
}

/// Generates an item's data as of `now`.
pub(crate) fn generate(seed: u64, item_id: &str, plan: &Plan, now: Millis) -> ItemData {
    let mut rng = Rng::derived(seed, item_id);
    let owner = format!("{} {}", *rng.pick(FIRST), *rng.pick(LAST));
    let cpf = digits(&mut rng, 11);
    let mut data = ItemData {
        since: now - 365 * DAY_MS,
        ..ItemData::default()
    };
    let mut kinds = Vec::new();
    if plan.bank_accounts {
        kinds.push(false);
    }
    if plan.credit_cards {
        kinds.push(true);
    }
    for credit in kinds {
        let account = Account {
            id: rng.uuid(),
            item_id: item_id.to_owned(),
            credit,
            number: if credit {
                format!("{}/{}", digits(&mut rng, 4), digits(&mut rng, 4))
            } else {
                format!(
                    "{}/{}-{}",
                    digits(&mut rng, 4),
                    digits(&mut rng, 7),
                    digits(&mut rng, 1)
                )
            },
            name: if credit {
                "Mastercard Black"
            } else {
                "Conta Corrente"
            },
            marketing_name: if credit {
                "Pluggy Card"
            } else {
                "Pluggy Conta"
            },
            balance_cents: rng.range(10_000, 2_000_000),
            credit_limit_cents: if credit {
                rng.range(500_000, 3_000_000)
            } else {
                0
            },
            owner: owner.clone(),
            tax_number: cpf.clone(),
            created_at: now,
            updated_at: now,
        };
        let n = plan.transactions_per_account;
        data.transactions.extend(transactions(
            &mut rng,
            &account,
            n,
            now - 365 * DAY_MS,
            now,
            now,
        ));
        data.accounts.push(account);
    }
    sort(&mut data.transactions);
    if plan.identity {
        data.identity = Some(Identity {
            id: rng.uuid(),
            item_id: item_id.to_owned(),
            full_name: owner.clone(),
            tax_number: cpf.clone(),
            birth_date: now - rng.range(20 * 365, 70 * 365) * DAY_MS,
            email: format!("{}@example.com", owner.to_lowercase().replace(' ', ".")),
            phone: format!("+55 11 9{}", digits(&mut rng, 8)),
            city: rng.pick::<&str>(CITIES),
            created_at: now,
        });
    }
    if plan.investments {
        let kinds = [
            ("FIXED_INCOME", "CDB", "CDB Pluggy 110% CDI"),
            ("MUTUAL_FUND", "INVESTMENT_FUND", "Fundo Pluggy Renda Fixa"),
            ("EQUITY", "STOCK", "PLGY3"),
        ];
        for (kind, subtype, name) in kinds {
            let id = rng.uuid();
            let mut txs = Vec::new();
            let mut total = 0;
            for _ in 0..rng.range(2, 5) {
                let amount = rng.range(10_000, 500_000);
                total += amount;
                txs.push(InvestmentTransaction {
                    id: rng.uuid(),
                    buy: true,
                    amount_cents: amount,
                    quantity: rng.range(1, 100),
                    date: now - rng.range(1, 700) * DAY_MS,
                });
            }
            txs.sort_by_key(|t| t.date);
            data.investments.push(Investment {
                id,
                item_id: item_id.to_owned(),
                kind,
                subtype,
                name,
                code: format!("PLG{}", digits(&mut rng, 4)),
                balance_cents: total + total * rng.range(0, 15) / 100,
                amount_original_cents: total,
                annual_rate_bp: rng.range(500, 1500),
                date: now,
                transactions: txs,
            });
        }
    }
    if plan.loans {
        data.loans = products::loans(
            &mut Rng::derived(seed, &format!("{item_id}-loans")),
            item_id,
            now,
        );
    }
    if plan.open_finance {
        data.consents = vec![products::consent(
            &mut Rng::derived(seed, &format!("{item_id}-consent")),
            item_id,
            &plan.products,
            now,
        )];
    }
    data.refresh(seed, now);
    data
}

/// `n` transactions of `account` dated in `from..=to`, created at `created_at`.
pub(crate) fn transactions(
    rng: &mut Rng,
    account: &Account,
    n: usize,
    from: Millis,
    to: Millis,
    created_at: Millis,
) -> Vec<Transaction> {
    let mut balance = account.balance_cents;
    let mut out = Vec::with_capacity(n);
    let choices = if account.credit {
        &DESCRIPTIONS[INCOMING..]
    } else {
        DESCRIPTIONS
    };
    for _ in 0..n {
        let (description, category_id, credit, merchant) = *rng.pick(choices);
        let magnitude = if credit {
            rng.range(5_000, 800_000)
        } else {
            rng.range(500, 60_000)
        };
        // On a credit card a purchase is a positive amount; on a bank account a debit is negative.
        let amount = match (account.credit, credit) {
            (false, true) | (true, false) => magnitude,
            _ => -magnitude,
        };
        balance += amount;
        // Transactions are dated at midnight UTC, as the API dates them.
        let day = rng.range(from / DAY_MS, to / DAY_MS);
        out.push(Transaction {
            id: rng.uuid(),
            account_id: account.id.clone(),
            date: day * DAY_MS,
            description,
            amount_cents: amount,
            balance_cents: balance,
            category_id: categories::find(category_id).map_or("99999999", |c| c.id),
            merchant: merchant.and_then(merchants::by_name),
            bill_id: None,
            created_at,
            updated_at: created_at,
        });
    }
    out
}

/// Orders transactions by date, then id (the cursor order).
pub(crate) fn sort(txs: &mut [Transaction]) {
    txs.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.id.cmp(&b.id)));
}

/// Whether a transaction is a debit for its account.
pub(crate) fn is_debit(credit_account: bool, amount_cents: i64) -> bool {
    if credit_account {
        amount_cents > 0
    } else {
        amount_cents < 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(n: usize) -> Plan {
        Plan {
            bank_accounts: true,
            credit_cards: true,
            transactions_per_account: n,
            identity: true,
            investments: true,
            loans: true,
            products: vec![pluggy_core::Product::Accounts],
            open_finance: true,
        }
    }

    #[test]
    fn same_seed_same_data() {
        let a = generate(5, "item", &plan(10), 1_700_000_000_000);
        let b = generate(5, "item", &plan(10), 1_700_000_000_000);
        let c = generate(6, "item", &plan(10), 1_700_000_000_000);
        assert_eq!(a.accounts[0].id, b.accounts[0].id);
        assert_eq!(a.transactions.len(), 20);
        assert_ne!(a.accounts[0].id, c.accounts[0].id);
        assert!(a.transactions.windows(2).all(|w| w[0].date <= w[1].date));
        assert!(a.identity.is_some());
        assert_eq!(a.investments.len(), 3);
        assert!(!a.loans.is_empty());
        assert_eq!(a.consents.len(), 1);
        assert!(!a.bills.is_empty());
        assert_eq!(a.bills[0].id, b.bills[0].id);
        assert_eq!(a.loans[0].id, b.loans[0].id);
        assert_ne!(a.bills[0].id, c.bills[0].id);
    }

    #[test]
    fn rules_touch_only_the_transactions_from_the_index_given() {
        let mut d = generate(5, "item", &plan(10), 1_700_000_000_000);
        let rule = RuleRec {
            id: "r".into(),
            client_id: "c".into(),
            description: "e".into(),
            category_id: "99999999",
            transaction_type: None,
            account_type: None,
            match_type: categories::MatchType::Contains,
        };
        let before: Vec<&str> = d.transactions.iter().map(|t| t.category_id).collect();
        d.apply_rules(std::slice::from_ref(&rule), 15);
        for (i, t) in d.transactions.iter().enumerate() {
            let matches = t.description.to_lowercase().contains('e');
            if i >= 15 && matches {
                assert_eq!(t.category_id, "99999999");
            } else {
                assert_eq!(t.category_id, before[i]);
            }
        }
    }
}
