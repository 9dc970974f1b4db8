//! Merchants: looking companies up by CNPJ in the merchant base.

use super::request::Ctx;
use super::views;
use crate::reply::{self, Reply};
use crate::world::merchants;

/// Most CNPJs one lookup takes.
pub(crate) const MAX_CNPJS: usize = 100;

/// `GET /merchants?cnpjs=a,b`: each CNPJ asked for lands in exactly one list — found,
/// valid but unknown (`notFoundMerchants`), or not a CNPJ (`invalidCnpjs`), in the order asked.
pub(crate) fn lookup(ctx: &Ctx<'_>) -> Result<Reply, Reply> {
    let asked = ctx.list("cnpjs").unwrap_or_default();
    if asked.len() > MAX_CNPJS {
        return Err(reply::bad_request(format!(
            "cnpjs can have at most {MAX_CNPJS} values"
        )));
    }
    let mut found = Vec::new();
    let mut not_found = Vec::new();
    let mut invalid = Vec::new();
    for raw in asked {
        match merchants::normalize(&raw) {
            None => invalid.push(raw),
            Some(cnpj) => match merchants::by_cnpj(&cnpj) {
                Some(m) => found.push(m),
                None => not_found.push(raw),
            },
        }
    }
    Ok(Reply::ok(&views::merchant_lookup(
        &found, not_found, invalid,
    )))
}
