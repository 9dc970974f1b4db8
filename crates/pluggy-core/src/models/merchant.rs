//! Merchants: the companies behind transactions, and the answer of a lookup by CNPJ.

use serde::{Deserialize, Serialize};

/// A merchant: on a transaction (`merchant`), or found by `GET /merchants?cnpjs=`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Merchant {
    /// The merchant's trading name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The merchant's legal name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_name: Option<String>,
    /// The merchant's CNPJ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnpj: Option<String>,
    /// The merchant's CNAE activity code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnae: Option<String>,
    /// The merchant's category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

/// The answer of `GET /merchants?cnpjs=…`: each CNPJ asked for lands in exactly one of the
/// three lists.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MerchantLookup {
    /// The merchants found.
    #[serde(default)]
    pub found_merchants: Vec<Merchant>,
    /// Valid CNPJs that match no known merchant.
    #[serde(default)]
    pub not_found_merchants: Vec<String>,
    /// The values that are not valid CNPJs.
    #[serde(default)]
    pub invalid_cnpjs: Vec<String>,
}

impl MerchantLookup {
    /// The merchant found for `cnpj`, compared on digits only (`00.000.000/0001-91` finds
    /// `00000000000191`).
    pub fn find(&self, cnpj: &str) -> Option<&Merchant> {
        let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
        let wanted = digits(cnpj);
        self.found_merchants
            .iter()
            .find(|m| m.cnpj.as_deref().is_some_and(|c| digits(c) == wanted))
    }
}
