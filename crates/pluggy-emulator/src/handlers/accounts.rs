//! Accounts: the list of an item (reduced for connect tokens), one account, its monthly
//! statements and its real-time balance.

use pluggy_core::endpoint::View;

use super::items::item_of;
use super::request::{Cred, Ctx, page_json, paging, skipped};
use super::views;
use crate::reply::{self, Reply};
use crate::world::data::{Account, ItemData};
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

/// The item data an account belongs to.
fn data_of<'s>(st: &'s State, account: &Account) -> Option<&'s ItemData> {
    st.items.get(&account.item_id).and_then(|i| i.data.as_ref())
}

/// `GET /accounts/{id}/statements`: the account's monthly statements, newest first.
pub(crate) fn statements(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let account = account_of(ctx, st, ctx.id())?;
    let (page, size) = paging(ctx)?;
    let all: Vec<_> = data_of(st, account)
        .iter()
        .flat_map(|d| d.statements.iter().rev())
        .filter(|s| s.account_id == account.id)
        .collect();
    let results: Vec<_> = all
        .iter()
        .skip(skipped(page, size))
        .take(size)
        .map(|s| views::statement(s, &ctx.shared.base_url, ctx.now))
        .collect();
    Ok(page_json(all.len(), page, size, results))
}

/// `GET /accounts/{id}/balance`: the account's balance, read "now".
pub(crate) fn balance(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let account = account_of(ctx, st, ctx.id())?;
    Ok(Reply::ok(&views::balance(account, ctx.now)))
}
