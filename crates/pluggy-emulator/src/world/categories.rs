//! The category tree the transactions refer to, and the clients' category rules.
//!
//! Ids have eight digits, two per level: `01000000` is a root, `01010000` one of its
//! children, `07010001` a child of `07010000`. A category's parent is the id with its last
//! non-zero pair zeroed.

/// One category: id, English name, Portuguese name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Category {
    pub(crate) id: &'static str,
    pub(crate) description: &'static str,
    pub(crate) translated: &'static str,
}

const fn c(id: &'static str, description: &'static str, translated: &'static str) -> Category {
    Category {
        id,
        description,
        translated,
    }
}

/// The whole tree, each parent before its children.
pub(crate) const TREE: &[Category] = &[
    c("01000000", "Income", "Renda"),
    c("01010000", "Salary", "Salário"),
    c("01020000", "Retirement", "Aposentadoria"),
    c(
        "01030000",
        "Entrepreneurial activities",
        "Atividades empresariais",
    ),
    c("01040000", "Government aid", "Auxílio do governo"),
    c("01050000", "Non-recurring income", "Renda não recorrente"),
    c(
        "02000000",
        "Loans and financing",
        "Empréstimos e financiamentos",
    ),
    c(
        "02010000",
        "Late payment and overdraft costs",
        "Atraso no pagamento e custos de cheque especial",
    ),
    c("02020000", "Interests charged", "Juros cobrados"),
    c("02030000", "Financing", "Financiamento"),
    c("03000000", "Investments", "Investimentos"),
    c(
        "03010000",
        "Automatic investment",
        "Investimento automático",
    ),
    c("03020000", "Fixed income", "Renda fixa"),
    c("03030000", "Mutual funds", "Fundos multimercado"),
    c("03040000", "Variable income", "Renda variável"),
    c(
        "03060000",
        "Proceeds interests and dividends",
        "Juros de rendimentos de dividendos",
    ),
    c("03070000", "Pension", "Previdência"),
    c(
        "04000000",
        "Same person transfer",
        "Transferência mesma titularidade",
    ),
    c(
        "04020000",
        "Same person transfer - PIX",
        "Transferência mesma titularidade - PIX",
    ),
    c(
        "04030000",
        "Same person transfer - TED",
        "Transferência mesma titularidade - TED",
    ),
    c("05000000", "Transfers", "Transferências"),
    c(
        "05010000",
        "Transfer - Bank slip",
        "Transferência - Boleto bancário",
    ),
    c("05020000", "Transfer - Cash", "Transferência - Dinheiro"),
    c("05070000", "Transfer - PIX", "Transferência - PIX"),
    c("05080000", "Transfer - TED", "Transferência - TED"),
    c(
        "05100000",
        "Credit card payment",
        "Pagamento de cartão de crédito",
    ),
    c("06000000", "Legal obligations", "Obrigações legais"),
    c("07000000", "Services", "Serviços"),
    c("07010000", "Telecommunications", "Telecomunicações"),
    c("07010001", "Internet", "Internet"),
    c("07010002", "Mobile", "Celular"),
    c("07010003", "TV", "TV"),
    c("07020000", "Education", "Educação"),
    c("07020001", "Online courses", "Cursos online"),
    c("07020002", "University", "Faculdade"),
    c("07030000", "Wellness and fitness", "Bem-estar e fitness"),
    c(
        "07030001",
        "Gyms and fitness centers",
        "Academias e centros de fitness",
    ),
    c("08000000", "Shopping", "Compras"),
    c("08010000", "Online shopping", "Compras online"),
    c("08020000", "Electronics", "Eletrônicos"),
    c("08030000", "Pet supplies and vet", "Pet shop e veterinário"),
    c("08040000", "Clothing", "Vestuário"),
    c("08060000", "Bookstore", "Livraria"),
    c("09000000", "Digital services", "Serviços digitais"),
    c("09010000", "Gaming", "Jogos online"),
    c("09020000", "Video streaming", "Streaming de vídeo"),
    c("09030000", "Music streaming", "Streaming de música"),
    c("10000000", "Groceries", "Supermercado"),
    c("11000000", "Food and drinks", "Alimentos e bebidas"),
    c(
        "11010000",
        "Eating out",
        "Restaurantes, bares e lanchonetes",
    ),
    c("11020000", "Food delivery", "Delivery de alimentos"),
    c("12000000", "Travel", "Viagens"),
    c(
        "12010000",
        "Airport and airlines",
        "Aeroportos e cias. aéreas",
    ),
    c("12020000", "Accomodation", "Hospedagem"),
    c("13000000", "Donations", "Doações"),
    c("14000000", "Gambling", "Apostas"),
    c("15000000", "Taxes", "Impostos"),
    c("15010000", "Income taxes", "Imposto de renda"),
    c(
        "15020000",
        "Tax on financial operations",
        "Imposto sobre operações financeiras",
    ),
    c("16000000", "Bank fees", "Taxas bancárias"),
    c("16010000", "Account fees", "Tarifas de conta"),
    c("16030000", "Credit card fees", "Taxas de cartão de crédito"),
    c("17000000", "Housing", "Moradia"),
    c("17010000", "Rent", "Aluguel"),
    c("17020000", "Utilities", "Serviços de utilidade pública"),
    c("17020001", "Water", "Água"),
    c("17020002", "Electricity", "Eletricidade"),
    c("17020003", "Gas", "Gás"),
    c("18000000", "Healthcare", "Saúde"),
    c("18010000", "Dentist", "Dentista"),
    c("18020000", "Pharmacy", "Farmácia"),
    c(
        "18040000",
        "Hospital clinics and labs",
        "Hospitais, clínicas e laboratórios",
    ),
    c("19000000", "Transportation", "Transporte"),
    c(
        "19010000",
        "Taxi and ride-hailing",
        "Táxi e transporte privado urbano",
    ),
    c("19020000", "Public transportation", "Transporte público"),
    c("19050000", "Automotive", "Veículos"),
    c("19050001", "Gas stations", "Postos de gasolina"),
    c("19050002", "Parking", "Estacionamentos"),
    c("20000000", "Insurance", "Seguros"),
    c("20010000", "Life insurance", "Seguro de vida"),
    c("21000000", "Leisure", "Lazer"),
    c("99999999", "Other", "Outros"),
];

/// The category with this id.
pub(crate) fn find(id: &str) -> Option<&'static Category> {
    TREE.iter().find(|c| c.id == id)
}

/// The id of `id`'s parent: the id with its last non-zero pair of digits zeroed (`None` for
/// a root, whose id has only its first pair set, and for `99999999`).
pub(crate) fn parent_id(id: &str) -> Option<String> {
    if id.len() != 8 || !id.bytes().all(|b| b.is_ascii_digit()) || id == "99999999" {
        return None;
    }
    let pairs: Vec<&str> = (0..4).map(|i| &id[2 * i..2 * i + 2]).collect();
    let last = pairs.iter().rposition(|p| *p != "00")?;
    if last == 0 {
        return None;
    }
    let mut parent: String = pairs[..last].concat();
    parent.push_str(&"00".repeat(4 - last));
    Some(parent)
}

/// The parent category of `cat`, if it has one.
pub(crate) fn parent(cat: &Category) -> Option<&'static Category> {
    parent_id(cat.id).and_then(|p| find(&p))
}

/// How a rule compares its description with a transaction's (case-insensitively).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MatchType {
    Exact,
    Contains,
    StartsWith,
    EndsWith,
}

impl MatchType {
    /// The wire names, in the order the API documents them.
    pub(crate) const NAMES: &'static [&'static str] =
        &["exact", "contains", "startsWith", "endsWith"];

    /// The match type of a wire name.
    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "exact" => Some(Self::Exact),
            "contains" => Some(Self::Contains),
            "startsWith" => Some(Self::StartsWith),
            "endsWith" => Some(Self::EndsWith),
            _ => None,
        }
    }

    /// The wire name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Contains => "contains",
            Self::StartsWith => "startsWith",
            Self::EndsWith => "endsWith",
        }
    }
}

/// A category rule of one client.
#[derive(Clone, Debug)]
pub(crate) struct RuleRec {
    pub(crate) id: String,
    pub(crate) client_id: String,
    pub(crate) description: String,
    pub(crate) category_id: &'static str,
    /// `DEBIT` or `CREDIT`, when the rule is limited to one direction.
    pub(crate) transaction_type: Option<&'static str>,
    /// An account type (`BANK`, `CREDIT`) or subtype (`CHECKING_ACCOUNT`, `CREDIT_CARD`…),
    /// when the rule is limited to one kind of account.
    pub(crate) account_type: Option<&'static str>,
    pub(crate) match_type: MatchType,
}

/// The account types and subtypes a rule may name.
pub(crate) const ACCOUNT_TYPES: &[&str] = &[
    "BANK",
    "CREDIT",
    "CHECKING_ACCOUNT",
    "SAVINGS_ACCOUNT",
    "CREDIT_CARD",
];

/// What a rule looks at in a transaction.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Subject<'a> {
    pub(crate) description: &'a str,
    pub(crate) debit: bool,
    pub(crate) credit_account: bool,
}

impl RuleRec {
    /// Whether the rule applies to the transaction.
    pub(crate) fn matches(&self, t: Subject<'_>) -> bool {
        let direction = if t.debit { "DEBIT" } else { "CREDIT" };
        if self.transaction_type.is_some_and(|k| k != direction) {
            return false;
        }
        let (kind, subtype) = if t.credit_account {
            ("CREDIT", "CREDIT_CARD")
        } else {
            ("BANK", "CHECKING_ACCOUNT")
        };
        if self.account_type.is_some_and(|a| a != kind && a != subtype) {
            return false;
        }
        let text = t.description.to_lowercase();
        let wanted = self.description.to_lowercase();
        match self.match_type {
            MatchType::Exact => text == wanted,
            MatchType::Contains => text.contains(&wanted),
            MatchType::StartsWith => text.starts_with(&wanted),
            MatchType::EndsWith => text.ends_with(&wanted),
        }
    }
}

/// The category the newest matching rule gives, if any rule matches.
pub(crate) fn categorize<'r>(
    rules: impl DoubleEndedIterator<Item = &'r RuleRec>,
    t: Subject<'_>,
) -> Option<&'static str> {
    rules.rev().find(|r| r.matches(t)).map(|r| r.category_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_has_its_parent_in_the_tree_before_it() {
        for (i, cat) in TREE.iter().enumerate() {
            if let Some(p) = parent_id(cat.id) {
                let at = TREE.iter().position(|c| c.id == p);
                assert!(at.is_some_and(|at| at < i), "{} has no parent {p}", cat.id);
            }
        }
        assert_eq!(parent_id("01010000").as_deref(), Some("01000000"));
        assert_eq!(parent_id("07010001").as_deref(), Some("07010000"));
        assert_eq!(parent_id("01000000"), None);
        assert_eq!(parent_id("99999999"), None);
        assert_eq!(parent_id("rules"), None);
        let mut ids: Vec<&str> = TREE.iter().map(|c| c.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), TREE.len());
    }

    #[test]
    fn rules_match_by_type_and_filters() {
        let rule = |match_type, transaction_type, account_type| RuleRec {
            id: "r".into(),
            client_id: "c".into(),
            description: "uber".into(),
            category_id: "19010000",
            transaction_type,
            account_type,
            match_type,
        };
        let t = Subject {
            description: "UBER *TRIP",
            debit: true,
            credit_account: true,
        };
        assert!(!rule(MatchType::Exact, None, None).matches(t));
        assert!(rule(MatchType::StartsWith, None, None).matches(t));
        assert!(rule(MatchType::Contains, Some("DEBIT"), Some("CREDIT_CARD")).matches(t));
        assert!(!rule(MatchType::Contains, Some("CREDIT"), None).matches(t));
        assert!(!rule(MatchType::Contains, None, Some("BANK")).matches(t));
        assert!(!rule(MatchType::EndsWith, None, None).matches(t));
        let rules = [
            rule(MatchType::Contains, None, None),
            RuleRec {
                category_id: "99999999",
                ..rule(MatchType::Contains, None, None)
            },
        ];
        assert_eq!(categorize(rules.iter(), t), Some("99999999"));
    }
}
