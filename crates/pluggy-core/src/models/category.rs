//! Transaction categories, and your own rules that categorize transactions.

use serde::{Deserialize, Serialize};

use super::{AccountSubtype, TransactionType};
use crate::http::Call;
use crate::ids::{CategoryId, CategoryRuleId, ClientId};

/// A transaction category (`GET /categories`, `GET /categories/{id}`).
///
/// Categories form a tree: a subcategory names its parent in `parent_id`, and the
/// transactions' `categoryId` refer to these ids.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Category {
    /// The category's id (`01010000`).
    pub id: CategoryId,
    /// The category's name, in English (`Salary/pro-labore`).
    #[serde(default)]
    pub description: String,
    /// The category's name in Portuguese (`Salário`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_translated: Option<String>,
    /// The parent category, for a subcategory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<CategoryId>,
    /// The parent category's name, for a subcategory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_description: Option<String>,
}

impl Category {
    /// Whether the category is at the top of the tree (it has no parent).
    pub fn is_root(&self) -> bool {
        self.parent_id.is_none()
    }
}

/// Filters of `GET /categories`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CategoryFilters {
    /// Only the subcategories of this category.
    pub parent_id: Option<CategoryId>,
}

impl CategoryFilters {
    /// Adds these filters to a call of `GET /categories`.
    pub fn apply(&self, call: Call) -> Call {
        call.query_opt("parentId", self.parent_id.as_ref().map(|p| p.to_string()))
    }
}

super::wire_enum!(
    /// How a category rule compares its `description` with a transaction's description
    /// (`exact` when not given).
    CategoryRuleMatchType {
        Exact = "exact",
        Contains = "contains",
        StartsWith = "startsWith",
        EndsWith = "endsWith",
    }
);

/// One of your category rules (`GET /categories/rules`, the answer of
/// `POST /categories/rules`): transactions whose description matches get the rule's category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CategoryRule {
    /// The rule's id, which `DELETE /categories/rules/{id}` takes. The document's schema does
    /// not list it, so it is optional here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<CategoryRuleId>,
    /// The transaction description the rule matches.
    #[serde(default)]
    pub description: String,
    /// The category the rule gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_id: Option<CategoryId>,
    /// The name of that category.
    #[serde(default)]
    pub category: String,
    /// The application that owns the rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
    /// Only transactions in this direction (`DEBIT` or `CREDIT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_type: Option<TransactionType>,
    /// Only transactions of this kind of account (`CHECKING_ACCOUNT` or `CREDIT_CARD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_type: Option<AccountSubtype>,
    /// How the description is compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_type: Option<CategoryRuleMatchType>,
}

/// The body of `POST /categories/rules`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateCategoryRule {
    /// The transaction description to match.
    pub description: String,
    /// The category to give matching transactions.
    pub category_id: CategoryId,
    /// Only transactions in this direction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_type: Option<TransactionType>,
    /// Only transactions of this kind of account (`CHECKING_ACCOUNT` or `CREDIT_CARD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_type: Option<AccountSubtype>,
    /// How to compare the description; the API uses `exact` when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_type: Option<CategoryRuleMatchType>,
}

impl CreateCategoryRule {
    /// A rule giving `category_id` to transactions described exactly as `description`.
    pub fn new(description: impl Into<String>, category_id: CategoryId) -> Self {
        Self {
            description: description.into(),
            category_id,
            transaction_type: None,
            account_type: None,
            match_type: None,
        }
    }

    /// Only transactions in this direction.
    pub fn with_transaction_type(mut self, kind: TransactionType) -> Self {
        self.transaction_type = Some(kind);
        self
    }

    /// Only transactions of this kind of account.
    pub fn with_account_type(mut self, kind: AccountSubtype) -> Self {
        self.account_type = Some(kind);
        self
    }

    /// Compares the description this way instead of exactly.
    pub fn with_match_type(mut self, match_type: CategoryRuleMatchType) -> Self {
        self.match_type = Some(match_type);
        self
    }
}
