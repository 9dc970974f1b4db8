//! Investments: the list of an item, one investment and its movements.

use super::items::item_of;
use super::request::{Ctx, page_json, paging, skipped};
use super::views;
use crate::reply::{self, Reply};
use crate::world::data::Investment;
use crate::world::state::State;

/// `GET /investments`.
pub(crate) fn list(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let item = item_of(ctx, st, ctx.required("itemId")?)?;
    let (page, size) = paging(ctx)?;
    let kind = ctx.q("type");
    let all: Vec<_> = item
        .data
        .iter()
        .flat_map(|d| d.investments.iter())
        .filter(|i| kind.is_none_or(|k| k == i.kind))
        .map(views::investment)
        .collect();
    let total = all.len();
    let results: Vec<_> = all
        .into_iter()
        .skip(skipped(page, size))
        .take(size)
        .collect();
    Ok(page_json(total, page, size, results))
}

fn investment_of<'s>(ctx: &Ctx<'_>, st: &'s State) -> Result<&'s Investment, Reply> {
    let client = ctx.cred.client_id();
    st.items
        .values()
        .filter(|i| i.client_id == client)
        .filter_map(|i| i.data.as_ref())
        .flat_map(|d| d.investments.iter())
        .find(|i| i.id == ctx.id())
        .ok_or_else(|| reply::not_found("INVESTMENT_NOT_FOUND", "investment not found"))
}

/// `GET /investments/{id}`.
pub(crate) fn retrieve(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    Ok(Reply::ok(&views::investment(investment_of(ctx, st)?)))
}

/// `GET /investments/{id}/transactions`.
pub(crate) fn transactions(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let inv = investment_of(ctx, st)?;
    let (page, size) = paging(ctx)?;
    let results: Vec<_> = inv
        .transactions
        .iter()
        .skip(skipped(page, size))
        .take(size)
        .map(views::investment_transaction)
        .collect();
    Ok(page_json(inv.transactions.len(), page, size, results))
}
