//! Loans: the contracts of an item (for connectors that offer `LOANS`) and one contract.

use super::items::item_of;
use super::request::{Ctx, page_json, paging, skipped};
use super::views;
use crate::reply::{self, Reply};
use crate::world::state::State;

/// `GET /loans`.
pub(crate) fn list(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let item = item_of(ctx, st, ctx.required("itemId")?)?;
    let (page, size) = paging(ctx)?;
    let all: Vec<_> = item.data.iter().flat_map(|d| d.loans.iter()).collect();
    let results: Vec<_> = all
        .iter()
        .skip(skipped(page, size))
        .take(size)
        .map(|l| views::loan(l))
        .collect();
    Ok(page_json(all.len(), page, size, results))
}

/// `GET /loans/{id}`.
pub(crate) fn retrieve(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let client = ctx.cred.client_id();
    st.items
        .values()
        .filter(|i| i.client_id == client)
        .filter_map(|i| i.data.as_ref())
        .flat_map(|d| d.loans.iter())
        .find(|l| l.id == ctx.id())
        .map(|l| Reply::ok(&views::loan(l)))
        .ok_or_else(|| reply::not_found("LOAN_NOT_FOUND", "loan not found"))
}
