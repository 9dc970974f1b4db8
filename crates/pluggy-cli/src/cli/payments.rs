//! The command line of payments: `pluggy payments …`, `pluggy smart-transfers …` and
//! `pluggy boletos …`, and the checks of the values they take (amounts, CPF, CNPJ, Pix keys,
//! dates), made by clap before anything is sent, so that a bad value is a usage error (exit
//! code 2).

use std::str::FromStr;

use clap::{Args, Subcommand, ValueEnum};
use pluggy_core::models::{
    AutomaticPixInterval, Date, PaymentRecipientAccountType, PaymentRequestStatus, is_valid_cnpj,
    is_valid_cpf, is_valid_pix_key, is_valid_tax_number,
};
use rust_decimal::Decimal;

use super::ParameterArgs;

/// Longest amount taken, in characters (`99999999999.99` is 14).
const MAX_AMOUNT_CHARS: usize = 32;

/// An amount in reais, as written on the command line (`12.34`): a decimal with a dot and at
/// most two decimal places, above zero. Never read through a float.
pub fn amount(text: &str) -> Result<Decimal, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("an amount is needed, such as 12.34".into());
    }
    if text.len() > MAX_AMOUNT_CHARS {
        return Err(format!(
            "an amount is at most {MAX_AMOUNT_CHARS} characters long"
        ));
    }
    if text.contains(',') {
        return Err("write amounts with a dot for the centavos: 12.34, not 12,34".into());
    }
    if !text
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '+')
    {
        return Err("an amount is digits with an optional dot, such as 12.34".into());
    }
    let value = Decimal::from_str(text)
        .map_err(|_| "an amount is digits with an optional dot, such as 12.34".to_owned())?;
    let mut value = value.normalize();
    if value.scale() > 2 {
        return Err("amounts are in reais with at most two decimal places (centavos)".into());
    }
    if value <= Decimal::ZERO {
        return Err("the amount must be above zero".into());
    }
    value.rescale(2);
    Ok(value)
}

/// A CPF (11 digits, bare or as `529.982.247-25`) whose check digits match.
pub fn cpf(text: &str) -> Result<String, String> {
    let text = text.trim();
    if is_valid_cpf(text) {
        Ok(text.to_owned())
    } else {
        Err(
            "not a valid CPF: 11 digits whose two check digits match, bare or as \
             529.982.247-25"
                .into(),
        )
    }
}

/// A CNPJ (14 characters, bare or as `11.222.333/0001-81`) whose check digits match.
pub fn cnpj(text: &str) -> Result<String, String> {
    let text = text.trim();
    if is_valid_cnpj(text) {
        Ok(text.to_owned())
    } else {
        Err(
            "not a valid CNPJ: 14 characters whose two check digits match, bare or as \
             11.222.333/0001-81"
                .into(),
        )
    }
}

/// A CPF or a CNPJ whose check digits match.
pub fn tax_number(text: &str) -> Result<String, String> {
    let text = text.trim();
    if is_valid_tax_number(text) {
        Ok(text.to_owned())
    } else {
        Err(
            "not a valid CPF or CNPJ: 11 (CPF) or 14 (CNPJ) characters whose check digits \
             match, such as 529.982.247-25 or 11.222.333/0001-81"
                .into(),
        )
    }
}

/// A Pix key as the key directory writes it.
pub fn pix_key(text: &str) -> Result<String, String> {
    let text = text.trim();
    if is_valid_pix_key(text) {
        Ok(text.to_owned())
    } else {
        Err(
            "not a Pix key: a CPF or CNPJ without punctuation, an e-mail, a phone as \
             +5511987654321, or a random key (a lower-case UUID)"
                .into(),
        )
    }
}

/// A day, `YYYY-MM-DD`.
pub fn date(text: &str) -> Result<Date, String> {
    let text = text.trim();
    let b = text.as_bytes();
    let shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    match shaped.then(|| Date::parse(text)) {
        Some(Ok(day)) => Ok(day),
        _ => Err("a day is written YYYY-MM-DD, such as 2026-12-24".into()),
    }
}

/// A payment request status, as the API writes it (`COMPLETED`).
pub fn request_status(text: &str) -> Result<PaymentRequestStatus, String> {
    match PaymentRequestStatus::parse(text.trim()) {
        PaymentRequestStatus::Unknown(_) => Err(
            "one of CREATED, IN_PROGRESS, WAITING_PAYER_AUTHORIZATION, AUTHORIZED, SCHEDULED, \
             COMPLETED, ERROR, REFUND_IN_PROGRESS, REFUNDED, REFUND_ERROR, EXPIRED, CANCELED"
                .into(),
        ),
        known => Ok(known),
    }
}

/// `--callback-url KIND=URL`: where the payer's browser goes after the payment page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallbackUrl {
    /// `success`, `pending` or `error`.
    pub kind: CallbackKind,
    /// The URL.
    pub url: String,
}

/// Which outcome a callback URL is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallbackKind {
    /// After a successful payment.
    Success,
    /// While the payment is pending.
    Pending,
    /// After a failed payment.
    Error,
}

/// Parses `success=URL`, `pending=URL` or `error=URL`; the URL must be http(s).
pub fn callback_url(text: &str) -> Result<CallbackUrl, String> {
    let rule = "takes KIND=URL, KIND one of success, pending, error (success=https://…)";
    let (kind, url) = text.split_once('=').ok_or_else(|| rule.to_owned())?;
    let kind = match kind.trim() {
        "success" => CallbackKind::Success,
        "pending" => CallbackKind::Pending,
        "error" => CallbackKind::Error,
        _ => return Err(rule.into()),
    };
    let url = url.trim();
    let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
    if !scheme_ok || url.len() > 2048 || url.chars().any(|c| c.is_control() || c == ' ') {
        return Err(
            "the URL must be http:// or https://, without spaces, at most 2048 \
                    characters"
                .into(),
        );
    }
    Ok(CallbackUrl {
        kind,
        url: url.to_owned(),
    })
}

/// The kind of a recipient's bank account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AccountKind {
    /// A checking account (`CHECKING_ACCOUNT`).
    Checking,
    /// A savings account (`SAVINGS_ACCOUNT`).
    Savings,
    /// A guaranteed account (`GUARANTEED_ACCOUNT`).
    Guaranteed,
}

impl AccountKind {
    /// As the API writes it.
    pub fn wire(self) -> PaymentRecipientAccountType {
        match self {
            AccountKind::Checking => PaymentRecipientAccountType::CheckingAccount,
            AccountKind::Savings => PaymentRecipientAccountType::SavingsAccount,
            AccountKind::Guaranteed => PaymentRecipientAccountType::GuaranteedAccount,
        }
    }
}

/// How often an Automatic Pix mandate pays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Interval {
    /// Every week.
    Weekly,
    /// Every month.
    Monthly,
    /// Every three months.
    Quarterly,
    /// Every six months.
    Semester,
    /// Every year.
    Yearly,
}

impl Interval {
    /// As the API writes it.
    pub fn wire(self) -> AutomaticPixInterval {
        match self {
            Interval::Weekly => AutomaticPixInterval::Weekly,
            Interval::Monthly => AutomaticPixInterval::Monthly,
            Interval::Quarterly => AutomaticPixInterval::Quarterly,
            Interval::Semester => AutomaticPixInterval::Semester,
            Interval::Yearly => AutomaticPixInterval::Yearly,
        }
    }
}

/// `pluggy payments …`.
#[derive(Debug, Subcommand)]
pub enum PaymentsCommand {
    /// Payment customers: the payers.
    Customers {
        /// What to do.
        #[command(subcommand)]
        command: CustomersCommand,
    },
    /// Payment recipients: the bank accounts that receive.
    Recipients {
        /// What to do.
        #[command(subcommand)]
        command: RecipientsCommand,
    },
    /// The institutions a recipient's account may be at.
    Institutions {
        /// What to do.
        #[command(subcommand)]
        command: InstitutionsCommand,
    },
    /// Payment requests: an amount asked of a payer, with the payment page they open.
    Requests {
        /// What to do.
        #[command(subcommand)]
        command: RequestsCommand,
    },
    /// Payment intents: the payer's attempts to pay a request, at their bank.
    Intents {
        /// What to do.
        #[command(subcommand)]
        command: IntentsCommand,
    },
    /// The scheduled payments (Pix Agendado) of a payment request.
    Schedules {
        /// What to do.
        #[command(subcommand)]
        command: SchedulesCommand,
    },
    /// Automatic Pix: a mandate the payer approves once, and the payments scheduled under it.
    AutomaticPix {
        /// What to do.
        #[command(subcommand)]
        command: AutomaticPixCommand,
    },
}

/// `pluggy payments customers …`.
#[derive(Debug, Subcommand)]
pub enum CustomersCommand {
    /// List every customer (optionally filtered).
    List {
        /// Only customers with this name.
        #[arg(long)]
        name: Option<String>,
        /// Only customers with this e-mail.
        #[arg(long)]
        email: Option<String>,
        /// Only the customer with this CPF.
        #[arg(long, value_parser = cpf)]
        cpf: Option<String>,
        /// Only the customer with this CNPJ.
        #[arg(long, value_parser = cnpj)]
        cnpj: Option<String>,
    },
    /// Show one customer.
    Get {
        /// The customer's id.
        id: String,
    },
    /// Add a customer: a person (--cpf) or a company (--cnpj).
    Create {
        /// The customer's name.
        #[arg(long)]
        name: String,
        /// A person's CPF.
        #[arg(long, value_parser = cpf, required_unless_present = "cnpj", conflicts_with = "cnpj")]
        cpf: Option<String>,
        /// A company's CNPJ.
        #[arg(long, value_parser = cnpj)]
        cnpj: Option<String>,
        /// The customer's e-mail.
        #[arg(long)]
        email: Option<String>,
    },
    /// Change a customer: only the fields given change.
    Update {
        /// The customer's id.
        id: String,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        /// A new e-mail.
        #[arg(long)]
        email: Option<String>,
        /// A new CPF.
        #[arg(long, value_parser = cpf)]
        cpf: Option<String>,
        /// A new CNPJ.
        #[arg(long, value_parser = cnpj)]
        cnpj: Option<String>,
    },
    /// Delete a customer.
    Delete {
        /// The customer's id.
        id: String,
    },
}

/// A recipient's bank account on the command line.
#[derive(Debug, Args)]
pub struct AccountArgs {
    /// The branch (agência), such as 0001.
    #[arg(long)]
    pub branch: Option<String>,
    /// The account number, with its check digit.
    #[arg(long)]
    pub account_number: Option<String>,
    /// The kind of account (checking when not given).
    #[arg(long, value_enum)]
    pub account_type: Option<AccountKind>,
}

/// `pluggy payments recipients …`.
#[derive(Debug, Subcommand)]
pub enum RecipientsCommand {
    /// List every recipient (optionally filtered).
    List {
        /// Only recipients with this name.
        #[arg(long)]
        name: Option<String>,
        /// Only recipients with this CPF or CNPJ.
        #[arg(long, value_parser = tax_number)]
        tax_number: Option<String>,
        /// Only recipients with this Pix key.
        #[arg(long, value_parser = pix_key)]
        pix_key: Option<String>,
        /// Only your default recipient.
        #[arg(long)]
        default: bool,
    },
    /// Show one recipient.
    Get {
        /// The recipient's id.
        id: String,
    },
    /// Add a recipient: a bank account, at one of `pluggy payments institutions list`.
    Create {
        /// The account holder's name.
        #[arg(long)]
        name: String,
        /// The account holder's CPF or CNPJ.
        #[arg(long, value_parser = tax_number)]
        tax_number: String,
        /// The institution holding the account (`pluggy payments institutions list`).
        #[arg(long)]
        institution_id: String,
        /// The account.
        #[command(flatten)]
        account: AccountArgs,
    },
    /// Change a recipient: only the fields given change (the account as a whole: --branch
    /// and --account-number together).
    Update {
        /// The recipient's id.
        id: String,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        /// A new CPF or CNPJ.
        #[arg(long, value_parser = tax_number)]
        tax_number: Option<String>,
        /// A new institution.
        #[arg(long)]
        institution_id: Option<String>,
        /// A new account.
        #[command(flatten)]
        account: AccountArgs,
    },
    /// Delete a recipient.
    Delete {
        /// The recipient's id.
        id: String,
    },
}

/// `pluggy payments institutions …`.
#[derive(Debug, Subcommand)]
pub enum InstitutionsCommand {
    /// List every institution (optionally by name).
    List {
        /// Only institutions whose name matches this.
        #[arg(long)]
        name: Option<String>,
    },
    /// Show one institution.
    Get {
        /// The institution's id.
        id: String,
    },
}

const REQUESTS_CREATE_AFTER_HELP: &str = "\
Amounts are reais with a dot and at most two decimal places (12.34); zero or less is refused.
The answer's payment URL is the page the payer opens. --wait then follows the request until it
settles: each change on standard error, the final request on standard output; exit code 0 when
it completed, 1 when it ended otherwise or the deadline passed.";

/// `pluggy payments requests …`.
#[derive(Debug, Subcommand)]
pub enum RequestsCommand {
    /// List every payment request (optionally filtered).
    List {
        /// Only requests in this status (COMPLETED, …).
        #[arg(long, value_parser = request_status)]
        status: Option<PaymentRequestStatus>,
        /// Only requests created on or after this day (YYYY-MM-DD).
        #[arg(long, value_parser = date)]
        from: Option<Date>,
        /// Only requests created on or before this day (YYYY-MM-DD).
        #[arg(long, value_parser = date)]
        to: Option<Date>,
        /// Only requests of this customer.
        #[arg(long)]
        customer: Option<String>,
        /// Only requests to this Pix key.
        #[arg(long, value_parser = pix_key)]
        pix_key: Option<String>,
    },
    /// Show one payment request.
    Get {
        /// The request's id.
        id: String,
    },
    /// Ask for an amount: a payment request, and the payment page the payer opens.
    #[command(after_help = REQUESTS_CREATE_AFTER_HELP)]
    Create {
        /// The amount, in reais (12.34).
        #[arg(long, value_parser = amount)]
        amount: Decimal,
        /// The description shown to the payer.
        #[arg(long)]
        description: Option<String>,
        /// The recipient paid (your default recipient when not given).
        #[arg(long)]
        recipient_id: Option<String>,
        /// The customer who pays.
        #[arg(long)]
        customer_id: Option<String>,
        /// Where the payer goes after the page, KIND=URL with KIND success, pending or error
        /// (repeatable).
        #[arg(long = "callback-url", value_name = "KIND=URL", value_parser = callback_url)]
        callback_urls: Vec<CallbackUrl>,
        /// Your own reference for the payment.
        #[arg(long)]
        client_payment_id: Option<String>,
        /// Pay on this day instead of at once (Pix Agendado; YYYY-MM-DD).
        #[arg(long, value_parser = date)]
        schedule_date: Option<Date>,
        /// A sandbox request: no real money moves.
        #[arg(long)]
        sandbox: bool,
        /// Then follow the request until it settles.
        #[arg(long)]
        wait: bool,
        /// With --wait, give up after this many seconds.
        #[arg(long, default_value_t = 600, requires = "wait")]
        wait_secs: u64,
    },
    /// Ask the payer to pay a Pix QR code (BR Code, "copia e cola"): a payment request whose
    /// recipient is the code's receiver.
    PixQr {
        /// The code's text.
        #[arg(long)]
        qr_code: String,
        /// The customer who pays.
        #[arg(long)]
        customer_id: Option<String>,
        /// Where the payer goes after the page, KIND=URL (repeatable).
        #[arg(long = "callback-url", value_name = "KIND=URL", value_parser = callback_url)]
        callback_urls: Vec<CallbackUrl>,
        /// A sandbox request.
        #[arg(long)]
        sandbox: bool,
    },
    /// Change a payment request not yet paid: only the fields given change.
    Update {
        /// The request's id.
        id: String,
        /// A new amount, in reais.
        #[arg(long, value_parser = amount)]
        amount: Option<Decimal>,
        /// A new description.
        #[arg(long)]
        description: Option<String>,
        /// A new recipient.
        #[arg(long)]
        recipient_id: Option<String>,
        /// A new customer.
        #[arg(long)]
        customer_id: Option<String>,
        /// A new reference of yours.
        #[arg(long)]
        client_payment_id: Option<String>,
    },
    /// Follow a payment request until it settles (exit code 0 only when it completed).
    Wait {
        /// The request's id.
        id: String,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 600)]
        wait_secs: u64,
    },
    /// Delete a payment request.
    Delete {
        /// The request's id.
        id: String,
    },
}

/// `pluggy payments intents …`.
#[derive(Debug, Subcommand)]
pub enum IntentsCommand {
    /// List every intent of a payment request.
    List {
        /// The payment request's id.
        #[arg(long)]
        request_id: String,
    },
    /// Show one intent.
    Get {
        /// The intent's id.
        id: String,
    },
    /// Start paying a request at the payer's bank (what the payment page does when the payer
    /// picks their bank).
    Create {
        /// The payment request's id.
        #[arg(long)]
        request_id: String,
        /// The payer's institution (a connector id).
        #[arg(long)]
        connector_id: u32,
        /// The payer's CPF.
        #[arg(long, value_parser = cpf)]
        cpf: String,
        /// The company's CNPJ, for a business account.
        #[arg(long, value_parser = cnpj)]
        cnpj: Option<String>,
        /// The payer's name.
        #[arg(long)]
        name: Option<String>,
        /// A sandbox intent.
        #[arg(long)]
        sandbox: bool,
    },
}

/// `pluggy payments schedules …`.
#[derive(Debug, Subcommand)]
pub enum SchedulesCommand {
    /// List every scheduled payment of a request.
    List {
        /// The payment request's id.
        #[arg(long)]
        request_id: String,
    },
    /// Cancel one scheduled payment, or with --all every one of the request.
    Cancel {
        /// The payment request's id.
        #[arg(long)]
        request_id: String,
        /// The scheduled payment to cancel.
        #[arg(long, required_unless_present = "all", conflicts_with = "all")]
        schedule_id: Option<String>,
        /// Cancel every scheduled payment of the request.
        #[arg(long)]
        all: bool,
    },
}

/// `pluggy payments automatic-pix …`.
#[derive(Debug, Subcommand)]
pub enum AutomaticPixCommand {
    /// Ask the payer for a mandate: a payment request they authorize once.
    Create {
        /// The recipient the payments go to.
        #[arg(long)]
        recipient_id: String,
        /// How often it pays.
        #[arg(long, value_enum)]
        interval: Interval,
        /// The first day it may pay (YYYY-MM-DD).
        #[arg(long, value_parser = date)]
        start_date: Date,
        /// Every payment of this amount.
        #[arg(long, value_parser = amount, required_unless_present = "max_amount", conflicts_with_all = ["max_amount", "min_amount"])]
        fixed_amount: Option<Decimal>,
        /// Variable amounts: at most this much each.
        #[arg(long, value_parser = amount)]
        max_amount: Option<Decimal>,
        /// Variable amounts: at least this much each.
        #[arg(long, value_parser = amount, requires = "max_amount")]
        min_amount: Option<Decimal>,
        /// The last day of the mandate (YYYY-MM-DD).
        #[arg(long, value_parser = date)]
        expires_on: Option<Date>,
        /// A payment made as soon as the payer approves, of this amount.
        #[arg(long, value_parser = amount)]
        first_payment: Option<Decimal>,
        /// The description shown to the payer.
        #[arg(long)]
        description: Option<String>,
        /// The customer who pays.
        #[arg(long)]
        customer_id: Option<String>,
        /// A sandbox request.
        #[arg(long)]
        sandbox: bool,
    },
    /// Schedule one payment under an authorized mandate.
    Schedule {
        /// The mandate's payment request id.
        #[arg(long)]
        request_id: String,
        /// The amount, in reais.
        #[arg(long, value_parser = amount)]
        amount: Decimal,
        /// The day it pays (YYYY-MM-DD).
        #[arg(long, value_parser = date)]
        date: Date,
        /// Its description.
        #[arg(long)]
        description: Option<String>,
    },
    /// List every payment under a mandate.
    List {
        /// The mandate's payment request id.
        #[arg(long)]
        request_id: String,
    },
    /// Show one payment under a mandate.
    Get {
        /// The mandate's payment request id.
        #[arg(long)]
        request_id: String,
        /// The payment's id.
        #[arg(long)]
        payment_id: String,
    },
    /// Cancel one payment (--payment-id), or revoke the whole mandate (--mandate).
    Cancel {
        /// The mandate's payment request id.
        #[arg(long)]
        request_id: String,
        /// The payment to cancel.
        #[arg(long, required_unless_present = "mandate", conflicts_with = "mandate")]
        payment_id: Option<String>,
        /// Revoke the mandate itself.
        #[arg(long)]
        mandate: bool,
    },
    /// Try a failed payment again, on a day.
    Retry {
        /// The mandate's payment request id.
        #[arg(long)]
        request_id: String,
        /// The failed payment.
        #[arg(long)]
        payment_id: String,
        /// The day of the new attempt (YYYY-MM-DD).
        #[arg(long, value_parser = date)]
        date: Date,
    },
}

/// `pluggy smart-transfers …`.
#[derive(Debug, Subcommand)]
pub enum SmartTransfersCommand {
    /// Preauthorizations: the payer's standing consent to pay your recipients.
    Preauthorizations {
        /// What to do.
        #[command(subcommand)]
        command: PreauthorizationsCommand,
    },
    /// Payments under a preauthorization, with no new consent.
    Payments {
        /// What to do.
        #[command(subcommand)]
        command: SmartPaymentsCommand,
    },
}

/// `pluggy smart-transfers preauthorizations …`.
#[derive(Debug, Subcommand)]
pub enum PreauthorizationsCommand {
    /// List every preauthorization.
    List,
    /// Show one preauthorization.
    Get {
        /// The preauthorization's id.
        id: String,
    },
    /// Ask the payer to preauthorize transfers to these recipients; they authorize it at the
    /// consent URL of the answer.
    Create {
        /// The payer's institution (a connector id).
        #[arg(long)]
        connector_id: u32,
        /// The payer's CPF.
        #[arg(long, value_parser = cpf)]
        cpf: String,
        /// The company's CNPJ, for a business account.
        #[arg(long, value_parser = cnpj)]
        cnpj: Option<String>,
        /// A recipient it may pay (repeatable).
        #[arg(long = "recipient-id", required = true)]
        recipient_ids: Vec<String>,
        /// Your own reference.
        #[arg(long)]
        client_preauthorization_id: Option<String>,
    },
}

/// `pluggy smart-transfers payments …`.
#[derive(Debug, Subcommand)]
pub enum SmartPaymentsCommand {
    /// List every payment of a preauthorization.
    List {
        /// The preauthorization's id.
        #[arg(long)]
        preauthorization_id: String,
    },
    /// Show one payment.
    Get {
        /// The payment's id.
        id: String,
    },
    /// Pay one of a preauthorization's recipients.
    Create {
        /// The preauthorization.
        #[arg(long)]
        preauthorization_id: String,
        /// One of its recipients.
        #[arg(long)]
        recipient_id: String,
        /// The amount, in reais.
        #[arg(long, value_parser = amount)]
        amount: Decimal,
        /// A description.
        #[arg(long)]
        description: Option<String>,
        /// Your own reference.
        #[arg(long)]
        client_payment_id: Option<String>,
    },
}

/// `pluggy boletos …`.
#[derive(Debug, Subcommand)]
pub enum BoletosCommand {
    /// Boleto connections: the link to the institution that issues your boletos.
    Connections {
        /// What to do.
        #[command(subcommand)]
        command: BoletoConnectionsCommand,
    },
    /// Issue a boleto through a connection.
    Create {
        /// The boleto connection.
        #[arg(long)]
        connection_id: String,
        /// The amount, in reais (at least 2.50).
        #[arg(long, value_parser = amount)]
        amount: Decimal,
        /// When it is due (YYYY-MM-DD).
        #[arg(long, value_parser = date)]
        due_date: Date,
        /// Your number for it (seu número, up to 10 characters).
        #[arg(long)]
        seu_numero: String,
        /// The payer's name.
        #[arg(long)]
        payer_name: String,
        /// The payer's CPF or CNPJ.
        #[arg(long, value_parser = tax_number)]
        payer_tax_number: String,
        /// The payer's state (SP).
        #[arg(long)]
        payer_state: String,
        /// The payer's postal code (CEP).
        #[arg(long)]
        payer_zip_code: String,
    },
    /// Show one boleto.
    Get {
        /// The boleto's id.
        id: String,
    },
    /// Cancel a boleto.
    Cancel {
        /// The boleto's id.
        id: String,
    },
}

/// `pluggy boletos connections …`.
#[derive(Debug, Subcommand)]
pub enum BoletoConnectionsCommand {
    /// Connect an institution's boleto API with its credentials (pass secrets with
    /// --secret-parameter, read from standard input).
    Create {
        /// The issuing institution's connector.
        #[arg(long)]
        connector_id: u32,
        /// The credentials.
        #[command(flatten)]
        credentials: ParameterArgs,
    },
    /// Connect through an item's access to the institution.
    FromItem {
        /// The item's id.
        #[arg(long)]
        item_id: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_positive_decimals_with_centavos_at_most() {
        assert_eq!(amount("12.34"), Ok(Decimal::new(1234, 2)));
        assert_eq!(amount("0.01"), Ok(Decimal::new(1, 2)));
        assert_eq!(amount("100"), Ok(Decimal::new(100, 0)));
        assert_eq!(
            amount("12.50").map(|d| d.to_string()).as_deref(),
            Ok("12.50")
        );
        assert_eq!(
            amount("1.000").map(|d| d.to_string()).as_deref(),
            Ok("1.00")
        );
        for bad in [
            "0", "0.00", "-1", "-0.01", "12,34", "1.234", "1e3", "abc", "", "NaN",
        ] {
            assert!(amount(bad).is_err(), "{bad:?}");
        }
        // 0.1 + 0.2 stays exact.
        assert_eq!(
            amount("0.1").unwrap() + amount("0.2").unwrap(),
            Decimal::new(3, 1)
        );
    }

    #[test]
    fn tax_numbers_and_keys_are_checked() {
        assert!(cpf("529.982.247-25").is_ok());
        assert!(cpf("123.456.789-00").is_err());
        assert!(cnpj("11.222.333/0001-81").is_ok());
        assert!(cnpj("11.222.333/0001-82").is_err());
        assert!(tax_number("52998224725").is_ok());
        assert!(tax_number("1").is_err());
        assert!(pix_key("+5511987654321").is_ok());
        assert!(pix_key("not a key").is_err());
        assert!(date("2026-12-24").is_ok());
        assert!(date("24/12/2026").is_err());
        assert!(request_status("COMPLETED").is_ok());
        assert!(request_status("DONE").is_err());
        let cb = callback_url("success=https://example.com/ok").expect("valid");
        assert_eq!(cb.kind, CallbackKind::Success);
        assert!(callback_url("https://example.com").is_err());
        assert!(callback_url("success=ftp://x").is_err());
    }
}
