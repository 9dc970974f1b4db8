//! The connectors the emulator knows: Pluggy's sandbox connectors with the ids the official
//! SDKs' test suites use, plus a few ordinary institutions. Every one of them answers to the
//! sandbox usernames (see [`crate::world::sandbox`]).

use pluggy_core::{ConnectorType, Product};

/// How a connector asks for a second factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mfa {
    /// No second factor.
    None,
    /// The token is one more credential, sent with the others.
    OneStep,
    /// The sync stops at `WAITING_USER_INPUT` and waits for `POST /items/{id}/mfa`.
    TwoStep,
}

/// A validation rule for one credential.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Rule {
    /// Starts with `prefix`, followed by `min..=max` characters.
    Prefix {
        prefix: &'static str,
        min: usize,
        max: usize,
    },
    /// `min..=max` characters.
    Length { min: usize, max: usize },
    /// Exactly `n` digits.
    Digits(usize),
}

impl Rule {
    /// The rule as the regular expression the API publishes.
    pub(crate) fn pattern(self) -> String {
        match self {
            Rule::Prefix { prefix, min, max } => format!("^{prefix}.{{{min},{max}}}$"),
            Rule::Length { min, max } => format!("^.{{{min},{max}}}$"),
            Rule::Digits(n) => format!("^\\d{{{n}}}$"),
        }
    }

    /// Whether `value` satisfies the rule.
    pub(crate) fn check(self, value: &str) -> bool {
        let chars = |s: &str| s.chars().count();
        match self {
            Rule::Prefix { prefix, min, max } => value
                .strip_prefix(prefix)
                .is_some_and(|rest| (min..=max).contains(&chars(rest))),
            Rule::Length { min, max } => (min..=max).contains(&chars(value)),
            Rule::Digits(n) => value.len() == n && value.bytes().all(|b| b.is_ascii_digit()),
        }
    }
}

/// One credential a connector asks for.
#[derive(Clone, Debug)]
pub(crate) struct Credential {
    pub(crate) name: &'static str,
    pub(crate) label: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) placeholder: &'static str,
    pub(crate) rule: Rule,
    pub(crate) message: &'static str,
    pub(crate) mfa: bool,
}

/// One connector of the catalog.
#[derive(Clone, Debug)]
pub(crate) struct Connector {
    pub(crate) id: u32,
    pub(crate) name: &'static str,
    pub(crate) kind: ConnectorType,
    pub(crate) sandbox: bool,
    pub(crate) mfa: Mfa,
    pub(crate) credentials: Vec<Credential>,
    pub(crate) products: Vec<Product>,
    pub(crate) primary_color: &'static str,
    pub(crate) institution_url: &'static str,
    pub(crate) open_finance: bool,
}

impl Connector {
    /// Whether the connector initiates payments (and smart transfers, schedules, Automatic
    /// Pix and boleto management): only the Open Finance sandbox bank does.
    pub(crate) fn supports_payments(&self) -> bool {
        self.sandbox && self.open_finance
    }

    /// The image shown for the connector.
    pub(crate) fn image_url(&self) -> String {
        if self.sandbox {
            "https://cdn.pluggy.ai/assets/connector-icons/sandbox.svg".to_owned()
        } else {
            format!(
                "https://cdn.pluggy.ai/assets/connector-icons/{}.svg",
                self.id
            )
        }
    }
}

/// The prompt a two-step MFA connector shows at `WAITING_USER_INPUT`.
pub(crate) fn mfa_prompt() -> Credential {
    token_credential()
}

fn user() -> Credential {
    Credential {
        name: "user",
        label: "User",
        kind: "text",
        placeholder: "user-ok",
        rule: Rule::Prefix {
            prefix: "user-",
            min: 2,
            max: 50,
        },
        message: "The user must be \"user-\" followed by 2 to 50 characters",
        mfa: false,
    }
}

fn password() -> Credential {
    Credential {
        name: "password",
        label: "Password",
        kind: "password",
        placeholder: "password-ok",
        rule: Rule::Length { min: 6, max: 20 },
        message: "The password must have between 6 and 20 characters",
        mfa: false,
    }
}

fn token_credential() -> Credential {
    Credential {
        name: "token",
        label: "Token",
        kind: "number",
        placeholder: "123456",
        rule: Rule::Digits(6),
        message: "The token must have 6 digits",
        mfa: true,
    }
}

fn bank_products() -> Vec<Product> {
    vec![
        Product::Accounts,
        Product::CreditCards,
        Product::Transactions,
        Product::Investments,
        Product::InvestmentsTransactions,
        Product::Identity,
        Product::Loans,
    ]
}

/// An investment broker's products: no cards, no loans.
fn broker_products() -> Vec<Product> {
    vec![
        Product::Accounts,
        Product::Transactions,
        Product::Investments,
        Product::InvestmentsTransactions,
        Product::Identity,
    ]
}

/// The whole catalog, in id order.
pub(crate) fn catalog() -> Vec<Connector> {
    let sandbox = |id, name, kind, mfa: Mfa| {
        let mut credentials = vec![user(), password()];
        if mfa == Mfa::OneStep {
            credentials.push(token_credential());
        }
        Connector {
            id,
            name,
            kind,
            sandbox: true,
            mfa,
            credentials,
            products: bank_products(),
            primary_color: "ef294b",
            institution_url: "https://pluggy.ai",
            open_finance: false,
        }
    };
    let real = |id, name, kind, color, url| Connector {
        id,
        name,
        products: if kind == ConnectorType::Investment {
            broker_products()
        } else {
            bank_products()
        },
        kind,
        sandbox: false,
        mfa: Mfa::None,
        credentials: vec![user(), password()],
        primary_color: color,
        institution_url: url,
        open_finance: false,
    };
    vec![
        sandbox(0, "Pluggy Bank", ConnectorType::PersonalBank, Mfa::None),
        sandbox(
            1,
            "Pluggy Bank MFA",
            ConnectorType::PersonalBank,
            Mfa::OneStep,
        ),
        sandbox(2, "Pluggy Bank", ConnectorType::PersonalBank, Mfa::None),
        sandbox(
            3,
            "Pluggy Bank MFA 2-step",
            ConnectorType::PersonalBank,
            Mfa::TwoStep,
        ),
        sandbox(
            8,
            "Pluggy Bank Business",
            ConnectorType::BusinessBank,
            Mfa::None,
        ),
        real(
            201,
            "Banco Aurora",
            ConnectorType::PersonalBank,
            "1f6feb",
            "https://aurora.example.com",
        ),
        real(
            202,
            "Banco Aurora Empresas",
            ConnectorType::BusinessBank,
            "1f6feb",
            "https://aurora.example.com/empresas",
        ),
        real(
            203,
            "Corretora Horizonte",
            ConnectorType::Investment,
            "0b7a75",
            "https://horizonte.example.com",
        ),
        // Pluggy's Open Finance sandbox institution. The real one sends the user to the
        // institution to consent (OAuth); here it takes the sandbox credentials like the
        // other sandbox connectors, and its items get a consent.
        Connector {
            open_finance: true,
            ..sandbox(
                600,
                "Pluggy Bank Open Finance",
                ConnectorType::PersonalBank,
                Mfa::None,
            )
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_check_what_they_publish() {
        let u = user().rule;
        assert!(u.check("user-ok"));
        assert!(!u.check("user-"));
        assert!(!u.check("ok"));
        assert_eq!(u.pattern(), "^user-.{2,50}$");
        assert!(password().rule.check("password-ok"));
        assert!(!password().rule.check("short"));
        assert!(token_credential().rule.check("123456"));
        assert!(!token_credential().rule.check("12345a"));
        let ids: Vec<u32> = catalog().iter().map(|c| c.id).collect();
        assert!(ids.starts_with(&[0, 1, 2, 3]));
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "in id order");
        let c = catalog();
        assert!(c.iter().any(|c| c.sandbox && c.open_finance));
        assert!(
            c.iter()
                .any(|c| c.sandbox && c.products.contains(&Product::Loans))
        );
        assert!(c.iter().any(|c| !c.products.contains(&Product::Loans)));
    }

    #[test]
    fn messages_state_the_whole_rule() {
        for cred in [user(), password(), token_credential()] {
            let must_say = match cred.rule {
                Rule::Prefix { prefix, min, max } => {
                    vec![format!("\"{prefix}\""), format!("{min} to {max}")]
                }
                Rule::Length { min, max } => vec![format!("between {min} and {max}")],
                Rule::Digits(n) => vec![format!("{n} digits")],
            };
            for part in must_say {
                assert!(
                    cred.message.contains(&part),
                    "{}: {}",
                    cred.name,
                    cred.message
                );
            }
        }
    }
}
