//! Accounts: the list of an item (reduced for connect tokens) and one account.

use pluggy_core::endpoint::View;

use super::items::item_of;
use super::request::{Cred, Ctx, page_json};
use super::views;
use crate::reply::{self, Reply};
use crate::world::data::Account;
use crate::world::state::State;

fn accounts_of_client<'s>(ctx: &Ctx<'_>, st: &'s State) -> impl Iterator<Item = &'s Account> {
    let client = ctx.cred.client_id().to_owned();
    st.items
        .values()
        .filter(move |i| i.client_id == client)
        .filter_map(|i| i.data.as_ref())
        .flat_map(|d| d.accounts.iter())
}

pub(crate) fn account_of<'s>(ctx: &Ctx<'_>, st: &'s State, id: &str) -> Result<&'s Account, Reply> {
    accounts_of_client(ctx, st)
        .find(|a| a.id == id)
        .ok_or_else(|| reply::not_found("ACCOUNT_NOT_FOUND", "account not found"))
}

/// `GET /accounts/{id}`.
pub(crate) fn retrieve(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    account_of(ctx, st, ctx.id()).map(|a| Reply::ok(&views::account(a)))
}

/// `GET /accounts`.
pub(crate) fn list(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let item = item_of(ctx, st, ctx.required("itemId")?)?;
    let kind = ctx.q("type");
    if let Some(k) = kind {
        if k != "BANK" && k != "CREDIT" {
            return Err(reply::bad_request(format!("Invalid account type '{k}'")));
        }
    }
    let reduced =
        matches!(ctx.cred, Cred::ConnectToken { .. }) && ctx.ep.connect_token_view == View::Reduced;
    let accounts: Vec<&Account> = item
        .data
        .iter()
        .flat_map(|d| d.accounts.iter())
        .filter(|a| kind.is_none_or(|k| (k == "CREDIT") == a.credit))
        .collect();
    let n = accounts.len();
    Ok(if reduced {
        let results: Vec<_> = accounts.into_iter().map(views::reduced_account).collect();
        page_json(n, 1, n.max(1), results)
    } else {
        let results: Vec<_> = accounts.into_iter().map(views::account).collect();
        page_json(n, 1, n.max(1), results)
    })
}
