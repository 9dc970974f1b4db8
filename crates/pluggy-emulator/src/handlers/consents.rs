//! Consents: the Open Finance consents of an item, and one consent.

use super::items::item_of;
use super::request::{Ctx, page_json, paging, skipped};
use super::views;
use crate::reply::{self, Reply};
use crate::world::state::State;

/// `GET /consents`: the item's consents (none unless its connector is an Open Finance one).
pub(crate) fn list(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let item = item_of(ctx, st, ctx.required("itemId")?)?;
    let (page, size) = paging(ctx)?;
    let all: Vec<_> = item.data.iter().flat_map(|d| d.consents.iter()).collect();
    let results: Vec<_> = all
        .iter()
        .skip(skipped(page, size))
        .take(size)
        .map(|c| views::consent(c))
        .collect();
    Ok(page_json(all.len(), page, size, results))
}

/// `GET /consents/{id}`.
pub(crate) fn retrieve(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let client = ctx.cred.client_id();
    st.items
        .values()
        .filter(|i| i.client_id == client)
        .filter_map(|i| i.data.as_ref())
        .flat_map(|d| d.consents.iter())
        .find(|c| c.id == ctx.id())
        .map(|c| Reply::ok(&views::consent(c)))
        .ok_or_else(|| reply::not_found("CONSENT_NOT_FOUND", "Consent not found"))
}
