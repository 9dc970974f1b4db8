//! `spec/access.toml`: the operations the SDK covers and the facts the spec lacks.

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::{Error, Result};

/// The whole of `spec/access.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessFile {
    /// Credential lifetimes.
    pub lifetimes: Lifetimes,
    /// The reduced view of accounts a connect token gets.
    pub reduced_view: ReducedView,
    /// The covered operations, in table order.
    #[serde(rename = "operation", default)]
    pub operations: Vec<OperationRule>,
    /// The string enums to generate, in file order.
    #[serde(rename = "enum", default)]
    pub enums: Vec<EnumRule>,
}

/// Credential lifetimes, in seconds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lifetimes {
    /// Lifetime of an API key.
    pub api_key_secs: u64,
    /// Lifetime of a connect token.
    pub connect_token_secs: u64,
}

/// The reduced view of an account.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReducedView {
    /// The account fields a connect token sees.
    pub account_fields: Vec<String>,
}

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccessKind {
    /// No credential.
    Public,
    /// An API key only.
    ApiKey,
    /// An API key or a connect token.
    ConnectToken,
}

/// How a connect-token operation relates to the token's items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemBindingKind {
    /// Not about an item.
    Unbound,
    /// Creates an item.
    CreatesItem,
    /// The `id` path parameter names the item.
    PathItem,
    /// The `itemId` query parameter names the item.
    QueryItem,
}

/// What a connect token sees of the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ViewKind {
    /// The whole resource.
    #[default]
    Full,
    /// The reduced view.
    Reduced,
}

/// Whether an operation may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdempotencyKind {
    /// Repeating changes nothing more.
    Idempotent,
    /// A duplicate only mints another credential.
    SafeToRepeat,
    /// Repeating may act twice.
    NotIdempotent,
}

/// The rule for one operation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationRule {
    /// The spec's operationId.
    pub id: String,
    /// Who may call it.
    pub access: AccessKind,
    /// The item binding, for connect-token operations.
    #[serde(default)]
    pub item: Option<ItemBindingKind>,
    /// What a connect token sees.
    #[serde(default)]
    pub view: ViewKind,
    /// Whether a retry is safe.
    pub idempotency: IdempotencyKind,
    /// The documented per-minute rate limit.
    #[serde(default)]
    pub rate_limit_per_minute: Option<u32>,
}

/// Where the spec enumerates an enum's values.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumSource {
    /// A component schema name.
    #[serde(default)]
    pub schema: Option<String>,
    /// A property of `schema`.
    #[serde(default)]
    pub property: Option<String>,
    /// An operationId.
    #[serde(default)]
    pub operation: Option<String>,
    /// A parameter of `operation`.
    #[serde(default)]
    pub parameter: Option<String>,
}

/// One string enum to generate.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumRule {
    /// The Rust type name.
    pub name: String,
    /// The first line of its doc comment.
    pub doc: String,
    /// Where the spec enumerates it, if it does.
    #[serde(default)]
    pub source: Option<EnumSource>,
    /// Values the spec does not enumerate.
    #[serde(default)]
    pub values: Vec<String>,
}

impl AccessFile {
    /// Parses and checks the text of `access.toml`.
    pub fn parse(text: &str) -> Result<Self> {
        let file: AccessFile = toml::from_str(text)
            .map_err(|e| Error::new(format!("spec/access.toml is invalid: {e}")))?;
        file.validate()?;
        Ok(file)
    }

    /// Looks up the rule of an operation.
    pub fn operation(&self, id: &str) -> Option<&OperationRule> {
        self.operations.iter().find(|rule| rule.id == id)
    }

    fn validate(&self) -> Result<()> {
        let mut ids = BTreeSet::new();
        for rule in &self.operations {
            if !ids.insert(rule.id.as_str()) {
                return Err(invalid(format!("operation `{}` is listed twice", rule.id)));
            }
            match (rule.access, rule.item) {
                (AccessKind::ConnectToken, None) => {
                    return Err(invalid(format!(
                        "operation `{}` is open to connect tokens but has no `item` binding",
                        rule.id
                    )));
                }
                (AccessKind::Public | AccessKind::ApiKey, Some(_)) => {
                    return Err(invalid(format!(
                        "operation `{}` has an `item` binding but is not open to connect tokens",
                        rule.id
                    )));
                }
                _ => {}
            }
            if rule.view == ViewKind::Reduced && rule.access != AccessKind::ConnectToken {
                return Err(invalid(format!(
                    "operation `{}` has a reduced view but is not open to connect tokens",
                    rule.id
                )));
            }
            if rule.rate_limit_per_minute == Some(0) {
                return Err(invalid(format!(
                    "operation `{}` has a rate limit of 0 per minute",
                    rule.id
                )));
            }
        }
        if self.reduced_view.account_fields.is_empty() {
            return Err(invalid("reduced_view.account_fields is empty".to_owned()));
        }
        let mut names = BTreeSet::new();
        for rule in &self.enums {
            if !names.insert(rule.name.as_str()) {
                return Err(invalid(format!("enum `{}` is listed twice", rule.name)));
            }
            if !is_type_name(&rule.name) {
                return Err(invalid(format!(
                    "enum name `{}` is not an UpperCamelCase Rust type name",
                    rule.name
                )));
            }
            if rule.source.is_none() && rule.values.is_empty() {
                return Err(invalid(format!(
                    "enum `{}` has neither a `source` in the spec nor `values`",
                    rule.name
                )));
            }
            if let Some(source) = &rule.source {
                let by_schema = source.schema.is_some() && source.operation.is_none();
                let by_parameter = source.schema.is_none()
                    && source.property.is_none()
                    && source.operation.is_some()
                    && source.parameter.is_some();
                if !by_schema && !by_parameter {
                    return Err(invalid(format!(
                        "enum `{}`: `source` needs either `schema` (and optionally \
                         `property`) or both `operation` and `parameter`",
                        rule.name
                    )));
                }
            }
        }
        Ok(())
    }
}

fn invalid(message: String) -> Error {
    Error::new(format!("spec/access.toml: {message}"))
}

fn is_type_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
        [lifetimes]
        api_key_secs = 7200
        connect_token_secs = 1800
        [reduced_view]
        account_fields = ["id"]
    "#;

    fn parse_with(extra: &str) -> Result<AccessFile> {
        AccessFile::parse(&format!("{MINIMAL}\n{extra}"))
    }

    #[test]
    fn parses_rules_with_defaults() {
        let file = parse_with(
            r#"
            [[operation]]
            id = "accounts-list"
            access = "connect-token"
            item = "query-item"
            view = "reduced"
            idempotency = "idempotent"
            rate_limit_per_minute = 360
            [[operation]]
            id = "items-delete"
            access = "api-key"
            idempotency = "idempotent"
            "#,
        )
        .expect("valid file");
        let list = file.operation("accounts-list").expect("listed");
        assert_eq!(list.item, Some(ItemBindingKind::QueryItem));
        assert_eq!(list.view, ViewKind::Reduced);
        assert_eq!(list.rate_limit_per_minute, Some(360));
        let delete = file.operation("items-delete").expect("listed");
        assert_eq!(delete.view, ViewKind::Full);
        assert_eq!(delete.rate_limit_per_minute, None);
    }

    #[test]
    fn rejects_connect_token_access_without_binding() {
        let err = parse_with(
            r#"
            [[operation]]
            id = "items-retrieve"
            access = "connect-token"
            idempotency = "idempotent"
            "#,
        )
        .expect_err("binding missing");
        assert!(err.to_string().contains("no `item` binding"), "{err}");
    }

    #[test]
    fn rejects_reduced_view_for_api_key_operations() {
        let err = parse_with(
            r#"
            [[operation]]
            id = "accounts-retrieve"
            access = "api-key"
            view = "reduced"
            idempotency = "idempotent"
            "#,
        )
        .expect_err("reduced view without connect token");
        assert!(err.to_string().contains("reduced view"), "{err}");
    }

    #[test]
    fn rejects_duplicates_and_unknown_keys() {
        let dup = parse_with(
            r#"
            [[operation]]
            id = "items-delete"
            access = "api-key"
            idempotency = "idempotent"
            [[operation]]
            id = "items-delete"
            access = "api-key"
            idempotency = "idempotent"
            "#,
        )
        .expect_err("duplicate");
        assert!(dup.to_string().contains("listed twice"), "{dup}");
        let unknown = parse_with(
            r#"
            [[operation]]
            id = "items-delete"
            access = "api-key"
            idempotency = "idempotent"
            retries = 3
            "#,
        )
        .expect_err("unknown key");
        assert!(unknown.to_string().contains("retries"), "{unknown}");
    }

    #[test]
    fn rejects_an_enum_without_values_or_source() {
        let err = parse_with(
            r#"
            [[enum]]
            name = "Empty"
            doc = "Nothing."
            "#,
        )
        .expect_err("no values");
        assert!(err.to_string().contains("neither"), "{err}");
    }
}
