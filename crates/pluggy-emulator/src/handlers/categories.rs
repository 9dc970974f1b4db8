//! Categories (the tree, or one category) and the client's category rules, which give their
//! category to the matching transactions of later syncs.

use serde::Deserialize;

use super::request::{Ctx, page_json, parse_body};
use super::views;
use crate::reply::{self, Reply};
use crate::world::categories::{self, ACCOUNT_TYPES, MatchType, RuleRec, TREE};
use crate::world::state::State;

fn not_found() -> Reply {
    reply::not_found("CATEGORY_NOT_FOUND", "category not found")
}

/// `GET /categories`: the whole tree, or the direct children of `parentId`.
pub(crate) fn list(ctx: &Ctx<'_>) -> Result<Reply, Reply> {
    let parent = ctx.q("parentId");
    let results: Vec<_> = TREE
        .iter()
        .filter(|c| parent.is_none_or(|p| categories::parent_id(c.id).as_deref() == Some(p)))
        .map(views::category)
        .collect();
    let n = results.len();
    Ok(page_json(n, 1, n.max(1), results))
}

/// `GET /categories/{id}`.
pub(crate) fn retrieve(ctx: &Ctx<'_>) -> Result<Reply, Reply> {
    let cat = categories::find(ctx.id()).ok_or_else(not_found)?;
    Ok(Reply::ok(&views::category(cat)))
}

/// `GET /categories/rules`: the client's rules, oldest first.
pub(crate) fn rules(ctx: &Ctx<'_>, st: &State) -> Reply {
    let client = ctx.cred.client_id();
    let results: Vec<_> = st
        .rules
        .iter()
        .filter(|r| r.client_id == client)
        .map(views::category_rule)
        .collect();
    let n = results.len();
    page_json(n, 1, n.max(1), results)
}

/// The body of `POST /categories/rules`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateRuleBody {
    description: String,
    category_id: String,
    #[serde(default)]
    transaction_type: Option<String>,
    #[serde(default)]
    account_type: Option<String>,
    #[serde(default)]
    match_type: Option<String>,
}

/// `value` when it is one of `allowed`, as the `'static` name; otherwise a 400 naming the field.
fn one_of(
    field: &str,
    value: Option<&str>,
    allowed: &[&'static str],
) -> Result<Option<&'static str>, Reply> {
    let Some(v) = value else { return Ok(None) };
    allowed
        .iter()
        .find(|a| **a == v)
        .copied()
        .map(Some)
        .ok_or_else(|| {
            reply::bad_request(format!(
                "{field} must be one of {}, not '{v}'",
                allowed.join(", ")
            ))
        })
}

/// `POST /categories/rules`.
pub(crate) fn create_rule(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let body: CreateRuleBody = parse_body(ctx)?;
    let description = body.description.trim();
    if description.is_empty() {
        return Err(reply::bad_request("description should not be empty"));
    }
    let category = categories::find(body.category_id.trim()).ok_or_else(not_found)?;
    let transaction_type = one_of(
        "transactionType",
        body.transaction_type.as_deref(),
        &["DEBIT", "CREDIT"],
    )?;
    let account_type = one_of("accountType", body.account_type.as_deref(), ACCOUNT_TYPES)?;
    let match_type = match one_of("matchType", body.match_type.as_deref(), MatchType::NAMES)? {
        None => MatchType::Exact,
        Some(m) => MatchType::parse(m).unwrap_or(MatchType::Exact),
    };
    let rule = RuleRec {
        id: st.rng.uuid(),
        client_id: ctx.cred.client_id().to_owned(),
        description: description.to_owned(),
        category_id: category.id,
        transaction_type,
        account_type,
        match_type,
    };
    let view = views::category_rule(&rule);
    st.rules.push(rule);
    Ok(Reply::ok(&view))
}

/// `DELETE /categories/rules/{id}`: 204; another client's rule is a 403, as the API answers.
pub(crate) fn delete_rule(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let at = st
        .rules
        .iter()
        .position(|r| r.id == ctx.id())
        .ok_or_else(|| reply::not_found("CATEGORY_RULE_NOT_FOUND", "Category rule not found"))?;
    if st.rules[at].client_id != ctx.cred.client_id() {
        return Err(reply::error(
            403,
            Some("CATEGORY_RULE_FORBIDDEN"),
            "You do not have permission to delete this category rule",
        ));
    }
    st.rules.remove(at);
    Ok(Reply::empty(204))
}
