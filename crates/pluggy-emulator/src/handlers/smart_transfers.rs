//! Smart transfers: preauthorizations (one consent for future transfers to a set of
//! recipients) and the payments made under them without a new consent.

use pluggy_core::models::{
    CreateSmartTransferPayment, CreateSmartTransferPreauthorization, SmartTransferPayment,
    SmartTransferPaymentStatus, SmartTransferPreauthorization, SmartTransferPreauthorizationStatus,
};
use pluggy_core::{SmartTransferPaymentId, SmartTransferPreauthorizationId};
use rust_decimal::Decimal;

use super::payment_parties::recipient_of;
use super::payment_views::{check_amount, check_cnpj, check_cpf};
use super::request::{Ctx, date_filter, page_json, paging, parse_body, skipped};
use super::views;
use crate::reply::{self, Reply};
use crate::world::clock::ts;
use crate::world::payments::{self, Owned, TransferRec};
use crate::world::state::State;

fn preauthorization_not_found() -> Reply {
    reply::not_found(
        "SMART_TRANSFER_PREAUTHORIZATION_NOT_FOUND",
        "Smart Transfer Preauthorization not found",
    )
}

/// `POST /smart-transfers/preauthorizations`: `CREATED`, waiting for the payer's consent at
/// its `consentUrl` (the emulator's payment page, or the tester's route).
pub(crate) fn create_preauthorization(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let body: CreateSmartTransferPreauthorization = parse_body(ctx)?;
    let connector = ctx
        .shared
        .connector(body.connector_id.get())
        .ok_or_else(|| reply::bad_request(format!("Connector {} not found", body.connector_id)))?;
    if !connector.supports_payments() {
        return Err(reply::bad_request(format!(
            "Connector {} does not support smart transfers",
            body.connector_id
        )));
    }
    if body.parameters.cpf.is_empty() {
        return Err(reply::bad_request("parameters.cpf is required"));
    }
    check_cpf("parameters.cpf", Some(&body.parameters.cpf))?;
    check_cnpj("parameters.cnpj", body.parameters.cnpj.as_deref())?;
    if body.recipient_ids.is_empty() {
        return Err(reply::bad_request("recipientIds should not be empty"));
    }
    let client_id = ctx.cred.client_id().to_owned();
    let recipients = body
        .recipient_ids
        .iter()
        .map(|id| recipient_of(st, &client_id, id.as_str()))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(c) = &body.configuration {
        if let Some(a) = c.total_allowed_amount {
            check_amount("configuration.totalAllowedAmount", a)?;
        }
        if let Some(a) = c.transaction_limit {
            check_amount("configuration.transactionLimit", a)?;
        }
    }
    let id = st.rng.uuid();
    let model = SmartTransferPreauthorization {
        id: SmartTransferPreauthorizationId::new(id.clone()),
        status: SmartTransferPreauthorizationStatus::Created,
        consent_url: Some(format!("{}/__emulator/pay/{id}", ctx.shared.base_url)),
        client_preauthorization_id: body.client_preauthorization_id,
        callback_urls: body.callback_urls,
        recipients,
        connector: Some(views::connector(connector)),
        created_at: Some(ts(ctx.now)),
        updated_at: Some(ts(ctx.now)),
        configuration: body.configuration,
        error_detail: None,
        is_sandbox: Some(true),
    };
    st.payments.preauthorizations.push(Owned {
        client_id,
        model: model.clone(),
    });
    Ok(Reply::ok(&model))
}

/// `GET /smart-transfers/preauthorizations`.
pub(crate) fn list_preauthorizations(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let (page, size) = paging(ctx)?;
    let client_id = ctx.cred.client_id();
    let all: Vec<&SmartTransferPreauthorization> = st
        .payments
        .preauthorizations
        .iter()
        .filter(|p| p.client_id == client_id)
        .map(|p| &p.model)
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

fn find_preauthorization<'s>(
    st: &'s State,
    client_id: &str,
    id: &str,
) -> Option<&'s SmartTransferPreauthorization> {
    st.payments
        .preauthorizations
        .iter()
        .find(|p| p.client_id == client_id && p.model.id.as_str() == id)
        .map(|p| &p.model)
}

/// `GET /smart-transfers/preauthorizations/{id}`.
pub(crate) fn get_preauthorization(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    find_preauthorization(st, ctx.cred.client_id(), ctx.id())
        .map(Reply::ok)
        .ok_or_else(preauthorization_not_found)
}

/// `GET /smart-transfers/preauthorizations/{id}/payments`, filtered by creation date.
pub(crate) fn list_payments(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let (page, size) = paging(ctx)?;
    let from = date_filter(ctx, "from", false)?;
    let to = date_filter(ctx, "to", true)?;
    let client_id = ctx.cred.client_id();
    let pre =
        find_preauthorization(st, client_id, ctx.id()).ok_or_else(preauthorization_not_found)?;
    let all: Vec<&SmartTransferPayment> = st
        .payments
        .transfers
        .iter()
        .filter(|t| t.client_id == client_id && t.model.preauthorization_id == pre.id)
        .map(|t| &t.model)
        .filter(|t| from.is_none_or(|f| t.created_at.unix_millis() >= f))
        .filter(|t| to.is_none_or(|x| t.created_at.unix_millis() <= x))
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

/// `POST /smart-transfers/payments`: `PAYMENT_PENDING`, completed a step later with no new
/// consent, within the preauthorization's recipients and limits.
pub(crate) fn create_payment(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let body: CreateSmartTransferPayment = parse_body(ctx)?;
    check_amount("amount", body.amount)?;
    let client_id = ctx.cred.client_id().to_owned();
    let pre = find_preauthorization(st, &client_id, body.preauthorization_id.as_str())
        .ok_or_else(|| {
            reply::bad_request(format!(
                "Smart transfer preauthorization {} not found",
                body.preauthorization_id
            ))
        })?
        .clone();
    if pre.status != SmartTransferPreauthorizationStatus::Completed {
        return Err(reply::bad_request(format!(
            "Smart transfer preauthorization {} is {}, not COMPLETED",
            pre.id, pre.status
        )));
    }
    let recipient = pre
        .recipients
        .iter()
        .find(|r| r.id == body.recipient_id)
        .cloned()
        .ok_or_else(|| {
            reply::bad_request(format!(
                "Recipient {} is not one of the preauthorization's recipients",
                body.recipient_id
            ))
        })?;
    // The recipient must still exist.
    recipient_of(st, &client_id, recipient.id.as_str())?;
    if let Some(c) = &pre.configuration {
        if c.transaction_limit.is_some_and(|l| body.amount > l) {
            return Err(reply::bad_request(
                "amount is above the preauthorization's transaction limit",
            ));
        }
        if let Some(total) = c.total_allowed_amount {
            let spent: Decimal = st
                .payments
                .transfers
                .iter()
                .filter(|t| t.model.preauthorization_id == pre.id)
                .filter(|t| {
                    !matches!(
                        t.model.status,
                        SmartTransferPaymentStatus::PaymentRejected
                            | SmartTransferPaymentStatus::Error
                            | SmartTransferPaymentStatus::Canceled
                    )
                })
                .map(|t| t.model.amount)
                .try_fold(Decimal::ZERO, Decimal::checked_add)
                .unwrap_or(Decimal::MAX);
            if spent.checked_add(body.amount).is_none_or(|s| s > total) {
                return Err(reply::bad_request(
                    "amount is above what the preauthorization still allows",
                ));
            }
        }
    }
    let model = SmartTransferPayment {
        id: SmartTransferPaymentId::new(st.rng.uuid()),
        preauthorization_id: pre.id.clone(),
        status: SmartTransferPaymentStatus::PaymentPending,
        amount: body.amount,
        description: body.description,
        recipient: Some(recipient),
        client_payment_id: body.client_payment_id,
        created_at: ts(ctx.now),
        updated_at: ts(ctx.now),
        error_detail: None,
    };
    payments::start_transfer(
        &mut st.payments,
        TransferRec {
            client_id,
            model: model.clone(),
        },
        ctx.now,
    );
    Ok(Reply::ok(&model))
}

/// `GET /smart-transfers/payments/{id}`.
pub(crate) fn get_payment(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let client_id = ctx.cred.client_id();
    st.payments
        .transfers
        .iter()
        .find(|t| t.client_id == client_id && t.model.id.as_str() == ctx.id())
        .map(|t| Reply::ok(&t.model))
        .ok_or_else(|| {
            reply::not_found(
                "SMART_TRANSFER_PAYMENT_NOT_FOUND",
                "Smart Transfer Payment not found",
            )
        })
}
