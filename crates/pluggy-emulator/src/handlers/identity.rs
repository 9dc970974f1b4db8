//! Identity: of an item, or by its id.

use super::items::item_of;
use super::request::Ctx;
use super::views;
use crate::reply::{self, Reply};
use crate::world::state::State;

/// `GET /identity`.
pub(crate) fn find_by_item(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let item = item_of(ctx, st, ctx.required("itemId")?)?;
    item.data
        .as_ref()
        .and_then(|d| d.identity.as_ref())
        .map(|i| Reply::ok(&views::identity(i)))
        .ok_or_else(|| reply::not_found("IDENTITY_NOT_FOUND", "identity not found"))
}

/// `GET /identity/{id}`.
pub(crate) fn retrieve(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let client = ctx.cred.client_id();
    st.items
        .values()
        .filter(|i| i.client_id == client)
        .filter_map(|i| i.data.as_ref()?.identity.as_ref())
        .find(|i| i.id == ctx.id())
        .map(|i| Reply::ok(&views::identity(i)))
        .ok_or_else(|| reply::not_found("IDENTITY_NOT_FOUND", "identity not found"))
}
