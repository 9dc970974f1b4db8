//! Boleto management: connections to the issuing institution (from credentials or from an
//! item) and the boletos issued through them.

use pluggy_core::models::{
    Boleto, BoletoConnection, BoletoPayer, BoletoStatus, CreateBoleto, CreateBoletoConnection,
    CreateBoletoConnectionFromItem, is_valid_cnpj, is_valid_cpf,
};
use pluggy_core::{BoletoConnectionId, BoletoId, ConnectorId};
use rust_decimal::Decimal;

use super::payment_views::{check_amount, check_not_past, refusal};
use super::request::{Ctx, parse_body};
use crate::reply::{self, Reply};
use crate::world::clock::ts;
use crate::world::payments::{self, BoletoRec, Owned};
use crate::world::state::State;

/// The credential value the sandbox refuses, as the institution would refuse wrong ones.
const WRONG_CREDENTIAL: &str = "wrong";

fn check_connector(ctx: &Ctx<'_>, id: u32) -> Result<(), Reply> {
    let c = ctx
        .shared
        .connector(id)
        .ok_or_else(|| reply::bad_request(format!("Connector {id} not found")))?;
    if c.supports_payments() {
        Ok(())
    } else {
        Err(reply::bad_request(format!(
            "Connector {id} does not support boleto management"
        )))
    }
}

fn new_connection(ctx: &Ctx<'_>, st: &mut State, connector_id: ConnectorId) -> Reply {
    let model = BoletoConnection {
        id: BoletoConnectionId::new(st.rng.uuid()),
        connector_id,
        created_at: ts(ctx.now),
        updated_at: ts(ctx.now),
    };
    st.payments.boleto_connections.push(Owned {
        client_id: ctx.cred.client_id().to_owned(),
        model: model.clone(),
    });
    Reply::ok(&model)
}

/// `POST /boleto-connections`: credentials must be given; a credential whose value is
/// `wrong` is refused with the API's credentials error.
pub(crate) fn create_connection(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let body: CreateBoletoConnection = parse_body(ctx)?;
    check_connector(ctx, body.connector_id.get())?;
    if body.credentials.is_empty() {
        return Err(reply::bad_request("credentials should not be empty"));
    }
    if body
        .credentials
        .iter()
        .any(|(_, v)| v.expose_secret() == WRONG_CREDENTIAL)
    {
        return Err(reply::error(
            400,
            Some("BOLETO_CONNECTION_CREATION_CREDENTIALS_ERROR"),
            "INVALID_CREDENTIALS",
        ));
    }
    Ok(new_connection(ctx, st, body.connector_id))
}

/// `POST /boleto-connections/from-item`: the item's connector must manage boletos.
pub(crate) fn create_connection_from_item(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let body: CreateBoletoConnectionFromItem = parse_body(ctx)?;
    let client_id = ctx.cred.client_id();
    let connector_id = st
        .items
        .get(body.item_id.as_str())
        .filter(|i| i.client_id == client_id)
        .map(|i| i.connector_id)
        .ok_or_else(|| reply::bad_request(format!("Item {} not found", body.item_id)))?;
    check_connector(ctx, connector_id)?;
    Ok(new_connection(ctx, st, ConnectorId::new(connector_id)))
}

/// A modulo-10 check digit, as the digitable line's fields carry.
fn mod10(digits: &str) -> u32 {
    let sum: u32 = digits
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            let p = if i % 2 == 0 { d * 2 } else { d };
            p / 10 + p % 10
        })
        .sum();
    (10 - sum % 10) % 10
}

/// The barcode's modulo-11 check digit (weights 2 to 9; 0, 10 and 11 become 1).
fn mod11(digits: &str) -> u32 {
    let sum: u32 = digits
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| d * (2 + (i as u32 % 8)))
        .sum();
    match 11 - sum % 11 {
        0 | 10 | 11 => 1,
        d => d,
    }
}

/// The due-date factor: days since 1997-10-07, restarting at 1000 on 2025-02-22 when it
/// passed 9999.
fn due_factor(due: time::Date) -> i64 {
    let restart =
        time::Date::from_calendar_date(2025, time::Month::February, 22).unwrap_or(time::Date::MIN);
    let base =
        time::Date::from_calendar_date(1997, time::Month::October, 7).unwrap_or(time::Date::MIN);
    if due >= restart {
        1000 + (due - restart).whole_days() % 9000
    } else {
        (due - base).whole_days().clamp(0, 9999)
    }
}

/// The 44-digit barcode and 47-digit digitable line of a boleto of bank 077, with their
/// check digits; the free field comes from the boleto's number.
fn barcode_and_line(amount: Decimal, due: time::Date, nosso_numero: &str) -> (String, String) {
    let cents = (amount * Decimal::ONE_HUNDRED).trunc().to_string();
    let free: String = format!("{:0>25}", nosso_numero)
        .chars()
        .rev()
        .take(25)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let without_dv = format!("0779{:04}{:0>10}{free}", due_factor(due), cents);
    let dv = mod11(&without_dv);
    let barcode = format!("{}{dv}{}", &without_dv[..4], &without_dv[4..]);
    let f1 = format!("{}{}", &barcode[..4], &barcode[19..24]);
    let f2 = &barcode[24..34];
    let f3 = &barcode[34..44];
    let line = format!(
        "{f1}{}{f2}{}{f3}{}{}{}",
        mod10(&f1),
        mod10(f2),
        mod10(f3),
        &barcode[4..5],
        &barcode[5..19]
    );
    (barcode, line)
}

/// `POST /boletos`: `OPEN` until paid, cancelled, or its due date passes (`OVERDUE`).
pub(crate) fn create(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let body: CreateBoleto = parse_body(ctx)?;
    let client_id = ctx.cred.client_id().to_owned();
    if !st
        .payments
        .boleto_connections
        .iter()
        .any(|c| c.client_id == client_id && c.model.id == body.boleto_connection_id)
    {
        return Err(reply::bad_request(format!(
            "Boleto connection {} not found",
            body.boleto_connection_id
        )));
    }
    let b = body.boleto;
    check_amount("boleto.amount", b.amount)?;
    // The barcode carries the amount in ten digits, cents included.
    if b.amount > Decimal::new(9_999_999_999, 2) {
        return Err(reply::bad_request(
            "boleto.amount must be at most 99999999.99",
        ));
    }
    check_not_past("boleto.dueDate", b.due_date, ctx.now)?;
    if b.seu_numero.trim().is_empty() {
        return Err(reply::bad_request("boleto.seuNumero should not be empty"));
    }
    let person_type = if is_valid_cpf(&b.payer.tax_number) {
        "FISICA"
    } else if is_valid_cnpj(&b.payer.tax_number) {
        "JURIDICA"
    } else {
        return Err(reply::bad_request(
            "boleto.payer.taxNumber must be a valid CPF or CNPJ",
        ));
    };
    if b.payer.name.trim().is_empty() {
        return Err(reply::bad_request("boleto.payer.name should not be empty"));
    }
    if let Some(f) = &b.fine {
        check_amount("boleto.fine.value", f.value)?;
    }
    if let Some(i) = &b.interest {
        check_amount("boleto.interest.value", i.value)?;
    }
    let id = st.rng.uuid();
    let nosso_numero = format!("{:011}", st.rng.below(100_000_000_000));
    let (barcode, digitable_line) = barcode_and_line(b.amount, b.due_date.get(), &nosso_numero);
    let model = Boleto {
        id: BoletoId::new(id.clone()),
        amount: b.amount,
        status: BoletoStatus::Open,
        seu_numero: b.seu_numero,
        due_date: b.due_date,
        payer: BoletoPayer {
            tax_number: b.payer.tax_number,
            person_type: Some(person_type.to_owned()),
            name: b.payer.name,
            address_street: b.payer.address_street,
            address_number: None,
            address_complement: None,
            address_neighborhood: None,
            address_city: b.payer.address_city,
            address_state: b.payer.address_state,
            address_zip_code: b.payer.address_zip_code,
            email: None,
            ddd: None,
            phone_number: None,
        },
        pix_qr: Some(format!(
            "00020101021226580014br.gov.bcb.pix2536pix.emulator.pluggy.local/boleto/{}5204000053039865802BR6304",
            &id[..8]
        )),
        digitable_line,
        nosso_numero: Some(nosso_numero),
        barcode,
        boleto_connection_id: body.boleto_connection_id,
        created_at: ts(ctx.now),
        amount_paid: None,
        payment_origin: None,
        fine: b.fine,
        interest: b.interest,
        paid_at: None,
    };
    payments::issue_boleto(
        &mut st.payments,
        BoletoRec {
            client_id,
            model: model.clone(),
        },
    );
    Ok(Reply::ok(&model))
}

/// `POST /boletos/{id}/cancel`: the cancelled boleto.
pub(crate) fn cancel(ctx: &Ctx<'_>, st: &mut State) -> Result<Reply, Reply> {
    let model = payments::cancel_boleto(&mut st.payments, ctx.cred.client_id(), ctx.id())
        .map_err(refusal)?;
    Ok(Reply::ok(&model))
}

/// `GET /boletos/{id}`.
pub(crate) fn retrieve(ctx: &Ctx<'_>, st: &State) -> Result<Reply, Reply> {
    let client_id = ctx.cred.client_id();
    st.payments
        .boletos
        .iter()
        .find(|b| b.client_id == client_id && b.model.id.as_str() == ctx.id())
        .map(|b| Reply::ok(&b.model))
        .ok_or_else(|| refusal(payments::boleto_not_found()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn barcodes_have_their_lengths_and_check_digit() {
        let due = time::Date::from_calendar_date(2026, time::Month::December, 31).unwrap();
        let (barcode, line) = barcode_and_line(Decimal::new(12345, 2), due, "12345678901");
        assert_eq!(barcode.len(), 44);
        assert_eq!(line.len(), 47);
        let without: String = format!("{}{}", &barcode[..4], &barcode[5..]);
        assert_eq!(barcode[4..5].parse::<u32>().unwrap(), mod11(&without));
        assert!(barcode.contains("0000012345"));
    }
}
