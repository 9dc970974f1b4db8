//! Credit-card bills: the closed bills of an account, and one bill.

use super::accounts::account_of;
use super::request::{Ctx, page_json, paging, skipped};
use super::views;
use crate::reply::{self, Reply};
use crate::world::state::State;

/// `GET /bills`: the account's closed bills, oldest first (none for a bank account).
pub(crate) fn list(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let account = account_of(ctx, st, ctx.required("accountId")?)?;
    let (page, size) = paging(ctx)?;
    let all: Vec<_> = st
        .items
        .get(&account.item_id)
        .and_then(|i| i.data.as_ref())
        .iter()
        .flat_map(|d| d.bills.iter())
        .filter(|b| b.account_id == account.id)
        .collect();
    let results: Vec<_> = all
        .iter()
        .skip(skipped(page, size))
        .take(size)
        .map(|b| views::bill(b))
        .collect();
    Ok(page_json(all.len(), page, size, results))
}

/// `GET /bills/{id}`.
pub(crate) fn retrieve(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let client = ctx.cred.client_id();
    st.items
        .values()
        .filter(|i| i.client_id == client)
        .filter_map(|i| i.data.as_ref())
        .flat_map(|d| d.bills.iter())
        .find(|b| b.id == ctx.id())
        .map(|b| Reply::ok(&views::bill(b)))
        .ok_or_else(|| reply::not_found("CREDIT_CARD_BILL_NOT_FOUND", "Bill not found"))
}
