//! Payment customers (payers), recipients (the accounts that receive, by Pix key or bank
//! details) and the institutions a recipient's bank details name.

use pluggy_core::models::{
    CreatePaymentCustomer, PaymentCustomer, PaymentCustomerType, PaymentRecipient,
    PaymentRecipientAccount, PaymentRecipientAccountType, PixKeyKind, UpdatePaymentCustomer,
    UpdatePaymentRecipient, is_valid_cnpj, is_valid_cpf, is_valid_pix_key, pix_key_kind,
};
use pluggy_core::{PaymentCustomerId, PaymentRecipientId};
use serde::Deserialize;
use serde_json::json;

use super::payment_views::{check_cnpj, check_cpf};
use super::request::{Ctx, page_json, paging, parse_body, parse_bool, skipped};
use crate::reply::{self, Reply};
use crate::world::clock::ts;
use crate::world::payments::{self, Owned};
use crate::world::state::State;

fn customer_not_found() -> Reply {
    reply::not_found("PAYMENT_CUSTOMER_NOT_FOUND", "Payment customer not found")
}

fn recipient_not_found() -> Reply {
    reply::not_found("PAYMENT_RECIPIENT_NOT_FOUND", "Payment recipient not found")
}

fn check_email(email: Option<&str>) -> Result<(), Reply> {
    match email {
        Some(e) if !looks_like_email(e) => Err(reply::bad_request("email must be an email")),
        _ => Ok(()),
    }
}

fn looks_like_email(e: &str) -> bool {
    let Some((user, domain)) = e.split_once('@') else {
        return false;
    };
    !user.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.chars().any(char::is_whitespace)
}

/// A customer's tax numbers against its type: an individual has a valid CPF, a business a
/// valid CNPJ (and, optionally, its representative's CPF).
fn check_customer(c: &PaymentCustomer) -> Result<(), Reply> {
    if c.name.trim().is_empty() {
        return Err(reply::bad_request("name should not be empty"));
    }
    check_email(c.email.as_deref())?;
    check_cpf("cpf", c.cpf.as_deref())?;
    check_cnpj("cnpj", c.cnpj.as_deref())?;
    match c.kind {
        Some(PaymentCustomerType::Individual) if c.cpf.is_none() => Err(reply::bad_request(
            "cpf is required for an INDIVIDUAL customer",
        )),
        Some(PaymentCustomerType::Business) if c.cnpj.is_none() => Err(reply::bad_request(
            "cnpj is required for a BUSINESS customer",
        )),
        Some(PaymentCustomerType::Unknown(ref t)) => Err(reply::bad_request(format!(
            "type must be INDIVIDUAL or BUSINESS, not '{t}'"
        ))),
        _ => Ok(()),
    }
}

/// `POST /payments/customers`.
pub(crate) fn create_customer(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let body: CreatePaymentCustomer = parse_body(ctx)?;
    let connector = match body.connector_id {
        Some(id) => Some(
            ctx.shared
                .connector(id.get())
                .map(super::views::connector)
                .ok_or_else(|| reply::bad_request(format!("Connector {id} not found")))?,
        ),
        None => None,
    };
    let model = PaymentCustomer {
        id: PaymentCustomerId::new(st.rng.uuid()),
        kind: Some(body.kind),
        name: body.name,
        email: body.email,
        cpf: body.cpf,
        cnpj: body.cnpj,
        connector,
        created_at: ts(ctx.now),
        updated_at: ts(ctx.now),
    };
    check_customer(&model)?;
    st.payments.customers.push(Owned {
        client_id: ctx.cred.client_id().to_owned(),
        model: model.clone(),
    });
    Ok(Reply::ok(&model))
}

fn contains_ci(hay: &str, needle: &str) -> bool {
    hay.to_lowercase().contains(&needle.to_lowercase())
}

/// `GET /payments/customers`.
pub(crate) fn list_customers(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let (page, size) = paging(ctx)?;
    let client_id = ctx.cred.client_id();
    let all: Vec<&PaymentCustomer> = st
        .payments
        .customers
        .iter()
        .filter(|c| c.client_id == client_id)
        .map(|c| &c.model)
        .filter(|c| ctx.q("name").is_none_or(|n| contains_ci(&c.name, n)))
        .filter(|c| ctx.q("email").is_none_or(|e| c.email.as_deref() == Some(e)))
        .filter(|c| ctx.q("cpf").is_none_or(|v| c.cpf.as_deref() == Some(v)))
        .filter(|c| ctx.q("cnpj").is_none_or(|v| c.cnpj.as_deref() == Some(v)))
        .collect();
    let results = all
        .iter()
        .skip(skipped(page, size))
        .take(size)
        .copied()
        .cloned()
        .collect();
    Ok(page_json(all.len(), page, size, results))
}

/// Where the caller's customer `{id}` is in `st.payments.customers`.
fn customer_position(ctx: &Ctx<'_>, st: &State) -> Result<usize, Reply> {
    let client_id = ctx.cred.client_id();
    st.payments
        .customers
        .iter()
        .position(|c| c.client_id == client_id && c.model.id.as_str() == ctx.id())
        .ok_or_else(customer_not_found)
}

fn find_customer<'s>(ctx: &Ctx<'_>, st: &'s State) -> Result<&'s PaymentCustomer, Reply> {
    customer_position(ctx, st).map(|i| &st.payments.customers[i].model)
}

/// `GET /payments/customers/{id}`.
pub(crate) fn get_customer(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    Ok(Reply::ok(find_customer(ctx, st)?))
}

/// `PATCH /payments/customers/{id}`.
pub(crate) fn update_customer(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let body: UpdatePaymentCustomer = parse_body(ctx)?;
    let now = ctx.now;
    let mut next = find_customer(ctx, st)?.clone();
    if let Some(k) = body.kind {
        next.kind = Some(k);
    }
    if let Some(n) = body.name {
        next.name = n;
    }
    if body.email.is_some() {
        next.email = body.email;
    }
    if body.cpf.is_some() {
        next.cpf = body.cpf;
    }
    if body.cnpj.is_some() {
        next.cnpj = body.cnpj;
    }
    next.updated_at = ts(now);
    check_customer(&next)?;
    let at = customer_position(ctx, st)?;
    st.payments.customers[at].model = next.clone();
    Ok(Reply::ok(&next))
}

/// `DELETE /payments/customers/{id}`: `200` with an empty object.
pub(crate) fn delete_customer(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let id = find_customer(ctx, st)?.id.clone();
    st.payments.customers.retain(|c| c.model.id != id);
    Ok(Reply::ok(&json!({})))
}

/// The body of `POST /payments/recipients`: bank details (`taxNumber`, `name`,
/// `paymentInstitutionId`, `account`) or a Pix key, which the emulator resolves to an
/// account as the Pix directory would.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RecipientBody {
    #[serde(default)]
    tax_number: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    payment_institution_id: Option<String>,
    #[serde(default)]
    account: Option<PaymentRecipientAccount>,
    #[serde(default)]
    pix_key: Option<String>,
    #[serde(default)]
    is_default: Option<bool>,
}

/// A stable 64-bit hash (FNV-1a), so a Pix key always resolves to the same account.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A valid CPF made from nine digits of `h` and their two check digits.
fn cpf_from(h: u64) -> String {
    let mut digits: Vec<u32> = format!("{:09}", h % 1_000_000_000)
        .chars()
        .filter_map(|c| c.to_digit(10))
        .collect();
    // Nine equal digits make a CPF no one has, whatever the check digits.
    if digits.iter().all(|d| *d == digits[0]) {
        digits[8] = (digits[8] + 1) % 10;
    }
    for len in [9usize, 10] {
        let sum: u32 = digits
            .iter()
            .take(len)
            .enumerate()
            .map(|(i, d)| d * (len as u32 + 1 - i as u32))
            .sum();
        let r = (sum * 10) % 11;
        digits.push(if r == 10 { 0 } else { r });
    }
    digits
        .iter()
        .map(|d| char::from_digit(*d, 10).unwrap_or('0'))
        .collect()
}

fn check_bank_details(r: &PaymentRecipient) -> Result<(), Reply> {
    if r.name.trim().is_empty() {
        return Err(reply::bad_request("name should not be empty"));
    }
    if !(is_valid_cpf(&r.tax_number) || is_valid_cnpj(&r.tax_number)) {
        return Err(reply::bad_request("taxNumber must be a valid CPF or CNPJ"));
    }
    if let Some(a) = &r.account {
        let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '-');
        if !digits(&a.branch) || !digits(&a.number) {
            return Err(reply::bad_request(
                "account branch and number must be digits",
            ));
        }
        if let PaymentRecipientAccountType::Unknown(t) = &a.kind {
            return Err(reply::bad_request(format!(
                "account type '{t}' is not valid"
            )));
        }
    }
    Ok(())
}

fn institution(id: &str) -> Result<pluggy_core::models::PaymentInstitution, Reply> {
    payments::institution(id)
        .ok_or_else(|| reply::bad_request(format!("Payment institution {id} not found")))
}

/// `POST /payments/recipients`.
pub(crate) fn create_recipient(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let body: RecipientBody = parse_body(ctx)?;
    let client_id = ctx.cred.client_id().to_owned();
    let model = match body.pix_key {
        Some(key) => {
            // The Pix directory's phone keys are Brazilian: `+55`, the area code and the
            // number (10 or 11 digits); pluggy-core's check takes any E.164 number.
            let brazilian_phone = |k: &str| {
                k.strip_prefix("+55")
                    .is_some_and(|n| (10..=11).contains(&n.len()) && !n.starts_with('0'))
            };
            if !is_valid_pix_key(&key)
                || (pix_key_kind(&key) == Some(PixKeyKind::Phone) && !brazilian_phone(&key))
            {
                return Err(reply::bad_request(format!(
                    "pixKey '{key}' is not a valid Pix key"
                )));
            }
            let h = fnv(&key);
            let list = payments::institutions();
            let inst = list[usize::try_from(h % list.len() as u64).unwrap_or(0)].clone();
            let tax_number = match pix_key_kind(&key) {
                Some(PixKeyKind::Cpf | PixKeyKind::Cnpj) => key.clone(),
                _ => body.tax_number.unwrap_or_else(|| cpf_from(h)),
            };
            PaymentRecipient {
                id: PaymentRecipientId::new(st.rng.uuid()),
                kind: "BANK_ACCOUNT".to_owned(),
                name: body.name.unwrap_or_else(|| "Recebedor Pix".to_owned()),
                tax_number,
                payment_institution: Some(inst),
                is_default: body.is_default.unwrap_or(false),
                account: Some(PaymentRecipientAccount::checking(
                    "0001",
                    format!("{:07}-{}", (h >> 8) % 10_000_000, h % 10),
                )),
                pix_key: Some(key),
                created_at: ts(ctx.now),
                updated_at: ts(ctx.now),
            }
        }
        None => {
            let tax_number = body
                .tax_number
                .ok_or_else(|| reply::bad_request("taxNumber is required"))?;
            let name = body
                .name
                .ok_or_else(|| reply::bad_request("name is required"))?;
            let inst_id = body
                .payment_institution_id
                .ok_or_else(|| reply::bad_request("paymentInstitutionId is required"))?;
            let account = body
                .account
                .ok_or_else(|| reply::bad_request("account is required"))?;
            PaymentRecipient {
                id: PaymentRecipientId::new(st.rng.uuid()),
                kind: "BANK_ACCOUNT".to_owned(),
                name,
                tax_number,
                payment_institution: Some(institution(&inst_id)?),
                is_default: body.is_default.unwrap_or(false),
                account: Some(account),
                pix_key: None,
                created_at: ts(ctx.now),
                updated_at: ts(ctx.now),
            }
        }
    };
    check_bank_details(&model)?;
    st.payments.recipients.push(Owned {
        client_id,
        model: model.clone(),
    });
    Ok(Reply::ok(&model))
}

/// `GET /payments/recipients`.
pub(crate) fn list_recipients(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let (page, size) = paging(ctx)?;
    let is_default = parse_bool(ctx.q("isDefault"))?;
    let client_id = ctx.cred.client_id();
    let all: Vec<&PaymentRecipient> = st
        .payments
        .recipients
        .iter()
        .filter(|r| r.client_id == client_id)
        .map(|r| &r.model)
        .filter(|r| is_default.is_none_or(|d| r.is_default == d))
        .filter(|r| {
            ctx.q("pixKey")
                .is_none_or(|k| r.pix_key.as_deref() == Some(k))
        })
        .filter(|r| ctx.q("name").is_none_or(|n| contains_ci(&r.name, n)))
        .filter(|r| ctx.q("taxNumber").is_none_or(|t| r.tax_number == t))
        .collect();
    let results = all
        .iter()
        .skip(skipped(page, size))
        .take(size)
        .copied()
        .cloned()
        .collect();
    Ok(page_json(all.len(), page, size, results))
}

/// Where the caller's recipient `{id}` is in `st.payments.recipients`.
fn recipient_position(ctx: &Ctx<'_>, st: &State) -> Result<usize, Reply> {
    let client_id = ctx.cred.client_id();
    st.payments
        .recipients
        .iter()
        .position(|r| r.client_id == client_id && r.model.id.as_str() == ctx.id())
        .ok_or_else(recipient_not_found)
}

fn find_recipient<'s>(ctx: &Ctx<'_>, st: &'s State) -> Result<&'s PaymentRecipient, Reply> {
    recipient_position(ctx, st).map(|i| &st.payments.recipients[i].model)
}

/// `GET /payments/recipients/{id}`.
pub(crate) fn get_recipient(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    Ok(Reply::ok(find_recipient(ctx, st)?))
}

/// `PATCH /payments/recipients/{id}`.
pub(crate) fn update_recipient(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let body: UpdatePaymentRecipient = parse_body(ctx)?;
    let now = ctx.now;
    let mut next = find_recipient(ctx, st)?.clone();
    if let Some(t) = body.tax_number {
        next.tax_number = t;
    }
    if let Some(n) = body.name {
        next.name = n;
    }
    if let Some(i) = body.payment_institution_id {
        next.payment_institution = Some(institution(i.as_str())?);
    }
    if let Some(a) = body.account {
        next.account = Some(a);
    }
    next.updated_at = ts(now);
    check_bank_details(&next)?;
    let at = recipient_position(ctx, st)?;
    st.payments.recipients[at].model = next.clone();
    Ok(Reply::ok(&next))
}

/// `DELETE /payments/recipients/{id}`: `200` with an empty object.
pub(crate) fn delete_recipient(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let id = find_recipient(ctx, st)?.id.clone();
    st.payments.recipients.retain(|r| r.model.id != id);
    Ok(Reply::ok(&json!({})))
}

/// `GET /payments/recipients/institutions`.
pub(crate) fn list_institutions(ctx: &Ctx<'_>) -> Result<Reply, Reply> {
    let (page, size) = paging(ctx)?;
    let all: Vec<_> = payments::institutions()
        .into_iter()
        .filter(|i| {
            ctx.q("name")
                .is_none_or(|n| contains_ci(&i.name, n) || contains_ci(&i.trade_name, n))
        })
        .collect();
    let total = all.len();
    let results = all
        .into_iter()
        .skip(skipped(page, size))
        .take(size)
        .collect();
    Ok(page_json(total, page, size, results))
}

/// `GET /payments/recipients/institutions/{id}`.
pub(crate) fn get_institution(ctx: &Ctx<'_>) -> Result<Reply, Reply> {
    payments::institution(ctx.id())
        .map(|i| Reply::ok(&i))
        .ok_or_else(|| {
            reply::not_found(
                "PAYMENT_INSTITUTION_NOT_FOUND",
                "Payment institution not found",
            )
        })
}

/// The recipient with this id, of this client, for the handlers that name one in a body.
pub(crate) fn recipient_of(
    st: &State,
    client_id: &str,
    id: &str,
) -> Result<PaymentRecipient, Reply> {
    st.payments
        .recipients
        .iter()
        .find(|r| r.client_id == client_id && r.model.id.as_str() == id)
        .map(|r| r.model.clone())
        .ok_or_else(|| reply::bad_request(format!("Payment recipient {id} not found")))
}

/// The customer with this id, of this client, for the handlers that name one in a body.
pub(crate) fn customer_of(st: &State, client_id: &str, id: &str) -> Result<PaymentCustomer, Reply> {
    st.payments
        .customers
        .iter()
        .find(|c| c.client_id == client_id && c.model.id.as_str() == id)
        .map(|c| c.model.clone())
        .ok_or_else(|| reply::bad_request(format!("Payment customer {id} not found")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_cpfs_are_valid() {
        for h in [0u64, 1, 42, 123_456_789, u64::MAX] {
            assert!(is_valid_cpf(&cpf_from(h)), "{}", cpf_from(h));
        }
    }

    #[test]
    fn emails() {
        assert!(looks_like_email("a@b.co"));
        assert!(!looks_like_email("a@b"));
        assert!(!looks_like_email("ab.co"));
        assert!(!looks_like_email("a b@c.co"));
    }
}
