//! Transactions: page style (`GET /transactions`, retired on request), cursor style
//! (`GET /v2/transactions`), one transaction, and setting its category.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use pluggy_core::Timestamp;
use pluggy_core::models::CursorPage;

use super::accounts::account_of;
use serde::Deserialize;

use super::request::{Ctx, date_filter, ids_filter, page_json, paging, parse_body, skipped};
use super::views;
use crate::reply::{self, Reply};
use crate::world::categories;
use crate::world::clock::{Millis, ts};
use crate::world::data::{Account, Transaction};
use crate::world::state::State;

/// Page size of `GET /v2/transactions`.
pub(crate) const CURSOR_PAGE_SIZE: usize = 500;

fn account_transactions<'s>(
    ctx: &Ctx<'_>,
    st: &'s State,
) -> Result<(&'s Account, Vec<&'s Transaction>), Reply> {
    let account = account_of(ctx, st, ctx.required("accountId")?)?;
    let txs = st
        .items
        .get(&account.item_id)
        .and_then(|i| i.data.as_ref())
        .map(|d| {
            d.transactions
                .iter()
                .filter(|t| t.account_id == account.id)
                .collect()
        })
        .unwrap_or_default();
    Ok((account, txs))
}

/// What `GET /transactions` answers once retired ([`Config::retire_v1_transactions`]).
///
/// [`Config::retire_v1_transactions`]: crate::Config::retire_v1_transactions
pub(crate) const RETIRED_MESSAGE: &str = "GET /transactions is deprecated and no longer available \
     for this client: use GET /v2/transactions";

/// `GET /transactions`.
pub(crate) fn list(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    if ctx.shared.config.retire_v1_transactions {
        return Err(reply::error(
            410,
            Some("ENDPOINT_DEPRECATED"),
            RETIRED_MESSAGE,
        ));
    }
    let (account, txs) = account_transactions(ctx, st)?;
    let (page, size) = paging(ctx)?;
    let from = date_filter(ctx, "from", false)?;
    let to = date_filter(ctx, "to", true)?;
    let created_from = date_filter(ctx, "createdAtFrom", false)?;
    let ids = ids_filter(ctx)?;
    let matching: Vec<&Transaction> = txs
        .into_iter()
        .filter(|t| from.is_none_or(|f| t.date >= f))
        .filter(|t| to.is_none_or(|x| t.date <= x))
        .filter(|t| created_from.is_none_or(|c| t.created_at >= c))
        .filter(|t| ids.as_ref().is_none_or(|ids| ids.contains(&t.id)))
        .filter(|t| {
            ctx.q("billId")
                .is_none_or(|b| t.bill_id.as_deref() == Some(b))
        })
        .collect();
    let results: Vec<_> = matching
        .iter()
        .skip(skipped(page, size))
        .take(size)
        .map(|t| views::transaction(t, account.credit))
        .collect();
    Ok(page_json(matching.len(), page, size, results))
}

fn cursor_of(t: &Transaction) -> String {
    STANDARD.encode(format!("{}|{}", ts(t.date), t.id))
}

fn parse_cursor(raw: &str) -> Option<(Millis, String)> {
    // A `+` of the base64 alphabet arrives as a space when a client did not percent-encode it.
    let bytes = STANDARD.decode(raw.replace(' ', "+")).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (date, id) = text.split_once('|')?;
    Some((Timestamp::parse(date).ok()?.unix_millis(), id.to_owned()))
}

/// `GET /v2/transactions`.
pub(crate) fn list_by_cursor(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let (account, txs) = account_transactions(ctx, st)?;
    if ctx.q("createdAtFrom").is_some() && ctx.q("dateFrom").is_some() {
        return Err(reply::bad_request(
            "createdAtFrom and dateFrom cannot be used together",
        ));
    }
    let from = date_filter(ctx, "dateFrom", false)?;
    let to = date_filter(ctx, "dateTo", true)?;
    let created_from = date_filter(ctx, "createdAtFrom", false)?;
    let ids = ids_filter(ctx)?;
    let after = match ctx.q("after") {
        None => None,
        Some(c) => Some(parse_cursor(c).ok_or_else(|| reply::bad_request("Invalid cursor"))?),
    };
    let mut matching = txs
        .into_iter()
        .filter(|t| from.is_none_or(|f| t.date >= f))
        .filter(|t| to.is_none_or(|x| t.date <= x))
        .filter(|t| created_from.is_none_or(|c| t.created_at >= c))
        .filter(|t| ids.as_ref().is_none_or(|ids| ids.contains(&t.id)))
        .filter(|t| {
            after
                .as_ref()
                .is_none_or(|(d, id)| (t.date, t.id.as_str()) > (*d, id.as_str()))
        });
    let page: Vec<&Transaction> = matching.by_ref().take(CURSOR_PAGE_SIZE).collect();
    let more = matching.next().is_some();
    let next = match (more, page.last()) {
        (true, Some(last)) => {
            let mut q = format!("?accountId={}", enc(&account.id));
            if let Some(ids) = ctx.list("ids") {
                q.push_str(&format!("&ids={}", enc(&ids.join(","))));
            }
            for name in ["dateFrom", "dateTo", "createdAtFrom"] {
                if let Some(v) = ctx.q(name) {
                    q.push_str(&format!("&{name}={}", enc(v)));
                }
            }
            q.push_str(&format!("&after={}", enc(&cursor_of(last))));
            Some(q)
        }
        _ => None,
    };
    let results = page
        .iter()
        .map(|t| views::transaction(t, account.credit))
        .collect();
    Ok(Reply::ok(&CursorPage { results, next }))
}

/// RFC 3986's unreserved characters stay; everything else (`+`, `/`, `=` of a cursor) is
/// percent-encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn enc(v: &str) -> String {
    utf8_percent_encode(v, QUERY_VALUE).to_string()
}

/// Where the caller's transaction is: its item's key and its place among the item's
/// transactions, with the record and whether its account is a credit card.
struct Found<'s> {
    item: &'s String,
    at: usize,
    transaction: &'s Transaction,
    credit: bool,
}

/// The caller's transaction `id`.
fn find<'s>(ctx: &Ctx<'_>, st: &'s State, id: &str) -> Option<Found<'s>> {
    let client = ctx.cred.client_id();
    st.items
        .iter()
        .filter(|(_, i)| i.client_id == client)
        .find_map(|(item, i)| {
            let d = i.data.as_ref()?;
            let at = d.transactions.iter().position(|t| t.id == id)?;
            let transaction = &d.transactions[at];
            Some(Found {
                item,
                at,
                transaction,
                credit: d.is_credit(&transaction.account_id),
            })
        })
}

fn not_found() -> Reply {
    reply::not_found("TRANSACTION_NOT_FOUND", "transaction not found")
}

/// `GET /transactions/{id}`.
pub(crate) fn retrieve(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let found = find(ctx, st, ctx.id()).ok_or_else(not_found)?;
    Ok(Reply::ok(&views::transaction(
        found.transaction,
        found.credit,
    )))
}

/// The body of `PATCH /transactions/{id}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateBody {
    category_id: String,
}

/// `PATCH /transactions/{id}`: gives the transaction another category of the tree; later
/// reads return it.
pub(crate) fn update(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let body: UpdateBody = parse_body(ctx)?;
    let now = ctx.now;
    let (item, at, credit) = find(ctx, st, ctx.id())
        .map(|f| (f.item.clone(), f.at, f.credit))
        .ok_or_else(not_found)?;
    let category = categories::find(body.category_id.trim())
        .ok_or_else(|| reply::not_found("CATEGORY_NOT_FOUND", "category not found"))?;
    let t = st
        .items
        .get_mut(&item)
        .and_then(|i| i.data.as_mut())
        .map(|d| &mut d.transactions[at])
        .ok_or_else(not_found)?;
    t.category_id = category.id;
    t.updated_at = now;
    Ok(Reply::ok(&views::transaction(t, credit)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip_survives_plus_as_space() {
        let t = Transaction {
            id: "a8534c85-x".into(),
            account_id: "acc".into(),
            date: 1_602_720_000_000,
            description: "x",
            amount_cents: 1,
            balance_cents: 1,
            category_id: "99999999",
            merchant: None,
            bill_id: None,
            created_at: 0,
            updated_at: 0,
        };
        let c = cursor_of(&t);
        assert_eq!(parse_cursor(&c), Some((t.date, t.id.clone())));
        assert_eq!(parse_cursor(&c.replace('+', " ")), Some((t.date, t.id)));
        assert!(parse_cursor("!!!").is_none());
    }
}
