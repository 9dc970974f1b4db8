//! The payments commands: customers, recipients and institutions, payment requests (and
//! following one to its end), intents, schedules, Automatic Pix, smart transfers and boletos.
//!
//! Every one takes the API key: with a connect token in the environment each is refused
//! before anything is sent (exit code 4). Values that would be refused by the API for their
//! form (amounts, CPF, CNPJ, Pix keys, dates) are checked by the command line first (exit code
//! 2); ids by [`checked_id`]. Lists show every page.

use std::time::{Duration, Instant};

use pluggy_blocking::Client;
use pluggy_core::models::{
    AutomaticPix, AutomaticPixFirstPayment, AutomaticPixPayment, Boleto, BoletoConnection,
    BoletoToIssuePayer, CreateAutomaticPixPaymentRequest, CreateBoleto, CreateBoletoConnection,
    CreateBoletoConnectionFromItem, CreatePaymentCustomer, CreatePaymentIntent,
    CreatePaymentRecipient, CreatePaymentRequest, CreatePixQrPaymentRequest,
    CreateSmartTransferPayment, CreateSmartTransferPreauthorization, PaymentCallbackUrls,
    PaymentCustomer, PaymentCustomerFilters, PaymentInstitution, PaymentInstitutionFilters,
    PaymentIntent, PaymentIntentParameters, PaymentRecipient, PaymentRecipientAccount,
    PaymentRecipientFilters, PaymentRequest, PaymentRequestFilters, PaymentRequestRecipient,
    PaymentSchedule, PaymentSchedulePlan, RetryAutomaticPixPayment, ScheduleAutomaticPixPayment,
    SmartTransferPayment, SmartTransferPreauthorization, SmartTransferPreauthorizationParameters,
    UpdatePaymentCustomer, UpdatePaymentRecipient, UpdatePaymentRequest,
};
use pluggy_core::webhook::PaymentEvent;
use pluggy_core::{
    AutomaticPixPaymentId, BoletoConnectionId, BoletoId, ConnectorId, ItemId, PaymentCustomerId,
    PaymentInstitutionId, PaymentIntentId, PaymentRecipientId, PaymentRequestId, PaymentScheduleId,
    SmartTransferPaymentId, SmartTransferPreauthorizationId, WaitPolicy, calls,
};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::caller::Caller;
use crate::cli::payments::{
    AccountArgs, AccountKind, AutomaticPixCommand, BoletoConnectionsCommand, BoletosCommand,
    CallbackKind, CallbackUrl, CustomersCommand, InstitutionsCommand, IntentsCommand,
    PaymentsCommand, PreauthorizationsCommand, RecipientsCommand, RequestsCommand,
    SchedulesCommand, SmartPaymentsCommand, SmartTransfersCommand,
};
use crate::fail::Failure;
use crate::input::{checked_id, read_parameters};
use crate::output::{Table, cell, join, money, sanitize, show, yes_no};
use crate::settings::{Settings, poll_interval};

/// The least a boleto may be, in reais.
const MIN_BOLETO_AMOUNT: Decimal = Decimal::from_parts(250, 0, 0, false, 2);

/// Longest Pix QR code text taken (a BR Code is a few hundred bytes).
const MAX_QR_CODE_BYTES: usize = 4096;

/// Longest "seu número" of a boleto.
const MAX_SEU_NUMERO_CHARS: usize = 10;

/// `pluggy payments …`.
pub fn payments(settings: &Settings, command: PaymentsCommand) -> Result<(), Failure> {
    match command {
        PaymentsCommand::Customers { command } => customers(settings, command),
        PaymentsCommand::Recipients { command } => recipients(settings, command),
        PaymentsCommand::Institutions { command } => institutions(settings, command),
        PaymentsCommand::Requests { command } => requests(settings, command),
        PaymentsCommand::Intents { command } => intents(settings, command),
        PaymentsCommand::Schedules { command } => schedules(settings, command),
        PaymentsCommand::AutomaticPix { command } => automatic_pix(settings, command),
    }
}

/// Prints what a delete or a cancel acknowledged: `{"<verb>": true, <what>: id, …}` or a line.
fn acknowledged(
    settings: &Settings,
    verb: &str,
    fields: &[(&str, &str)],
    line: String,
) -> Result<(), Failure> {
    let mut data = serde_json::Map::new();
    data.insert(verb.to_owned(), Value::Bool(true));
    for (name, value) in fields {
        data.insert((*name).to_owned(), Value::String((*value).to_owned()));
    }
    show(settings, &Value::Object(data), |_| println!("{line}"))
}

/// An empty `--name` and the like filter nothing: refused rather than sent.
fn non_empty(flag: &str, value: Option<String>) -> Result<Option<String>, Failure> {
    match value {
        Some(v) if v.trim().is_empty() => Err(Failure::usage(format!("{flag} is empty"))),
        other => Ok(other),
    }
}

fn customers(settings: &Settings, command: CustomersCommand) -> Result<(), Failure> {
    let caller = Caller::of(settings)?;
    match command {
        CustomersCommand::List {
            name,
            email,
            cpf,
            cnpj,
        } => {
            let filters = PaymentCustomerFilters {
                name: non_empty("--name", name)?,
                email: non_empty("--email", email)?,
                cpf,
                cnpj,
                ..Default::default()
            };
            let list = caller
                .backend(calls::list_payment_customers(&filters))?
                .payment_customers(&filters)
                .collect::<Result<Vec<_>, _>>()?;
            show(settings, &list, |l| print_customers(l))
        }
        CustomersCommand::Get { id } => {
            let id = PaymentCustomerId::new(checked_id("the customer id", id)?);
            let customer = caller
                .backend(calls::get_payment_customer(&id))?
                .get_payment_customer(&id)?;
            show(settings, &customer, |c| {
                print_customers(std::slice::from_ref(c))
            })
        }
        CustomersCommand::Create {
            name,
            cpf,
            cnpj,
            email,
        } => {
            let name = required_text("--name", name)?;
            let mut request = match (cpf, cnpj) {
                (Some(cpf), _) => CreatePaymentCustomer::individual(name, cpf),
                (None, Some(cnpj)) => CreatePaymentCustomer::business(name, cnpj),
                (None, None) => return Err(Failure::usage("give --cpf or --cnpj")),
            };
            request.email = non_empty("--email", email)?;
            let customer = caller
                .backend(calls::create_payment_customer(&request))?
                .create_payment_customer(&request)?;
            show(settings, &customer, |c| {
                print_customers(std::slice::from_ref(c))
            })
        }
        CustomersCommand::Update {
            id,
            name,
            email,
            cpf,
            cnpj,
        } => {
            let id = PaymentCustomerId::new(checked_id("the customer id", id)?);
            let update = UpdatePaymentCustomer {
                name: non_empty("--name", name)?,
                email: non_empty("--email", email)?,
                cpf,
                cnpj,
                ..Default::default()
            };
            if update == UpdatePaymentCustomer::default() {
                return Err(Failure::usage(
                    "nothing to change: give --name, --email, --cpf or --cnpj",
                ));
            }
            let customer = caller
                .backend(calls::update_payment_customer(&id, &update))?
                .update_payment_customer(&id, &update)?;
            show(settings, &customer, |c| {
                print_customers(std::slice::from_ref(c))
            })
        }
        CustomersCommand::Delete { id } => {
            let id = PaymentCustomerId::new(checked_id("the customer id", id)?);
            caller
                .backend(calls::delete_payment_customer(&id))?
                .delete_payment_customer(&id)?;
            acknowledged(
                settings,
                "deleted",
                &[("customerId", id.as_str())],
                format!("customer {id} deleted"),
            )
        }
    }
}

/// A text flag that must say something.
fn required_text(flag: &str, value: String) -> Result<String, Failure> {
    if value.trim().is_empty() {
        Err(Failure::usage(format!("{flag} is empty")))
    } else {
        Ok(value)
    }
}

fn print_customers(list: &[PaymentCustomer]) {
    let mut table = Table::new(&["ID", "TYPE", "NAME", "CPF/CNPJ", "EMAIL", "CREATED"]);
    for c in list {
        table.row(vec![
            c.id.to_string(),
            cell(c.kind.as_ref()),
            c.name.clone(),
            c.cpf.clone().or_else(|| c.cnpj.clone()).unwrap_or_default(),
            cell(c.email.as_ref()),
            c.created_at.to_string(),
        ]);
    }
    table.print();
}

/// The account of `--branch`/`--account-number`/`--account-type`: the first two together
/// (the kind is a checking account unless given), or none of the three.
fn account(args: AccountArgs) -> Result<Option<PaymentRecipientAccount>, Failure> {
    match (args.branch, args.account_number) {
        (Some(branch), Some(number)) => {
            let branch = required_text("--branch", branch)?;
            let number = required_text("--account-number", number)?;
            let kind = args.account_type.unwrap_or(AccountKind::Checking);
            Ok(Some(PaymentRecipientAccount::new(
                branch,
                number,
                kind.wire(),
            )))
        }
        (None, None) if args.account_type.is_none() => Ok(None),
        _ => Err(Failure::usage(
            "an account is --branch and --account-number together (and --account-type, if \
             not a checking account)",
        )),
    }
}

fn recipients(settings: &Settings, command: RecipientsCommand) -> Result<(), Failure> {
    let caller = Caller::of(settings)?;
    match command {
        RecipientsCommand::List {
            name,
            tax_number,
            pix_key,
            default,
        } => {
            let filters = PaymentRecipientFilters {
                name: non_empty("--name", name)?,
                tax_number,
                pix_key,
                is_default: default.then_some(true),
                ..Default::default()
            };
            let list = caller
                .backend(calls::list_payment_recipients(&filters))?
                .payment_recipients(&filters)
                .collect::<Result<Vec<_>, _>>()?;
            show(settings, &list, |l| print_recipients(l))
        }
        RecipientsCommand::Get { id } => {
            let id = PaymentRecipientId::new(checked_id("the recipient id", id)?);
            let recipient = caller
                .backend(calls::get_payment_recipient(&id))?
                .get_payment_recipient(&id)?;
            show(settings, &recipient, |r| {
                print_recipients(std::slice::from_ref(r))
            })
        }
        RecipientsCommand::Create {
            name,
            tax_number,
            institution_id,
            account: account_args,
        } => {
            let name = required_text("--name", name)?;
            let institution =
                PaymentInstitutionId::new(checked_id("--institution-id", institution_id)?);
            let account = account(account_args)?.ok_or_else(|| {
                Failure::usage("a recipient needs its account: --branch and --account-number")
            })?;
            let request = CreatePaymentRecipient::new(tax_number, name, institution, account);
            let recipient = caller
                .backend(calls::create_payment_recipient(&request))?
                .create_payment_recipient(&request)?;
            show(settings, &recipient, |r| {
                print_recipients(std::slice::from_ref(r))
            })
        }
        RecipientsCommand::Update {
            id,
            name,
            tax_number,
            institution_id,
            account: account_args,
        } => {
            let id = PaymentRecipientId::new(checked_id("the recipient id", id)?);
            let update = UpdatePaymentRecipient {
                name: non_empty("--name", name)?,
                tax_number,
                payment_institution_id: institution_id
                    .map(|i| checked_id("--institution-id", i).map(PaymentInstitutionId::new))
                    .transpose()?,
                account: account(account_args)?,
            };
            if update == UpdatePaymentRecipient::default() {
                return Err(Failure::usage(
                    "nothing to change: give --name, --tax-number, --institution-id, or \
                     --branch with --account-number",
                ));
            }
            let recipient = caller
                .backend(calls::update_payment_recipient(&id, &update))?
                .update_payment_recipient(&id, &update)?;
            show(settings, &recipient, |r| {
                print_recipients(std::slice::from_ref(r))
            })
        }
        RecipientsCommand::Delete { id } => {
            let id = PaymentRecipientId::new(checked_id("the recipient id", id)?);
            caller
                .backend(calls::delete_payment_recipient(&id))?
                .delete_payment_recipient(&id)?;
            acknowledged(
                settings,
                "deleted",
                &[("recipientId", id.as_str())],
                format!("recipient {id} deleted"),
            )
        }
    }
}

/// An institution's short name: its trade name, else its legal name.
fn institution_name(institution: Option<&PaymentInstitution>) -> String {
    institution
        .map(|i| {
            if i.trade_name.is_empty() {
                i.name.clone()
            } else {
                i.trade_name.clone()
            }
        })
        .unwrap_or_default()
}

fn print_recipients(list: &[PaymentRecipient]) {
    let mut table = Table::new(&[
        "ID",
        "NAME",
        "TAX NUMBER",
        "INSTITUTION",
        "BRANCH",
        "ACCOUNT",
        "TYPE",
        "PIX KEY",
        "DEFAULT",
    ]);
    for r in list {
        let account = r.account.as_ref();
        table.row(vec![
            r.id.to_string(),
            r.name.clone(),
            r.tax_number.clone(),
            institution_name(r.payment_institution.as_ref()),
            account.map(|a| a.branch.clone()).unwrap_or_default(),
            account.map(|a| a.number.clone()).unwrap_or_default(),
            account.map(|a| a.kind.to_string()).unwrap_or_default(),
            cell(r.pix_key.as_ref()),
            yes_no(Some(r.is_default)),
        ]);
    }
    table.print();
}

fn institutions(settings: &Settings, command: InstitutionsCommand) -> Result<(), Failure> {
    let caller = Caller::of(settings)?;
    let print = |list: &[PaymentInstitution]| {
        let mut table = Table::new(&["ID", "NAME", "TRADE NAME", "ISPB", "COMPE"]);
        for i in list {
            table.row(vec![
                i.id.to_string(),
                i.name.clone(),
                i.trade_name.clone(),
                i.ispb.clone(),
                cell(i.compe.as_ref()),
            ]);
        }
        table.print();
    };
    match command {
        InstitutionsCommand::List { name } => {
            let filters = PaymentInstitutionFilters {
                name: non_empty("--name", name)?,
                ..Default::default()
            };
            let list = caller
                .backend(calls::list_payment_institutions(&filters))?
                .payment_institutions(&filters)
                .collect::<Result<Vec<_>, _>>()?;
            show(settings, &list, |l| print(l))
        }
        InstitutionsCommand::Get { id } => {
            let id = PaymentInstitutionId::new(checked_id("the institution id", id)?);
            let institution = caller
                .backend(calls::get_payment_institution(&id))?
                .get_payment_institution(&id)?;
            show(settings, &institution, |i| print(std::slice::from_ref(i)))
        }
    }
}

/// Whom a request pays, as a cell.
fn recipient_name(recipient: Option<&PaymentRequestRecipient>) -> String {
    match recipient {
        Some(PaymentRequestRecipient::BankAccount(r)) => r.name.clone(),
        Some(PaymentRequestRecipient::PixQrCode { name }) => {
            format!("Pix QR {}", name.as_deref().unwrap_or_default())
        }
        Some(PaymentRequestRecipient::Boleto { name, .. }) => {
            format!("boleto {}", name.as_deref().unwrap_or_default())
        }
        _ => String::new(),
    }
}

/// The payment requests table.
pub(crate) fn print_requests(list: &[PaymentRequest]) {
    let mut table = Table::new(&[
        "ID",
        "STATUS",
        "AMOUNT",
        "DESCRIPTION",
        "RECIPIENT",
        "CUSTOMER",
        "CREATED",
    ]);
    for r in list {
        table.row(vec![
            r.id.to_string(),
            r.status.to_string(),
            r.amount.map(money).unwrap_or_default(),
            cell(r.description.as_ref()),
            recipient_name(r.recipient.as_ref()),
            r.customer
                .as_ref()
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            r.created_at.to_string(),
        ]);
    }
    table.print();
}

/// One request: its row, its payment page, and why it failed if it did.
fn print_request(r: &PaymentRequest) {
    print_requests(std::slice::from_ref(r));
    if let Some(plan) = &r.schedule {
        println!("scheduled: {}", sanitize(&schedule_text(plan)));
    }
    if let Some(mandate) = &r.automatic_pix {
        println!("Automatic Pix: {}", sanitize(&mandate_text(mandate)));
    }
    if !r.payment_url.is_empty() {
        println!("payment page: {}", sanitize(&r.payment_url));
    }
    if let Some(error) = &r.error_detail {
        println!("error: {}", sanitize(&request_error(error)));
    }
}

/// When a scheduled request pays, in words.
fn schedule_text(plan: &PaymentSchedulePlan) -> String {
    match plan {
        PaymentSchedulePlan::Single { date } => format!("once, on {date}"),
        PaymentSchedulePlan::Daily {
            start_date,
            occurrences,
        } => format!("daily from {start_date}, {occurrences} times"),
        PaymentSchedulePlan::Weekly {
            start_date,
            day_of_week,
            occurrences,
        } => format!("every {day_of_week} from {start_date}, {occurrences} times"),
        PaymentSchedulePlan::Monthly {
            start_date,
            day_of_month,
            occurrences,
        } => format!("on day {day_of_month} of each month from {start_date}, {occurrences} times"),
        PaymentSchedulePlan::Custom { dates, .. } => format!(
            "on {}",
            dates
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.kind().to_owned(),
    }
}

/// An Automatic Pix mandate's amounts and interval, in words.
fn mandate_text(m: &AutomaticPix) -> String {
    let amounts = match (
        m.fixed_amount,
        m.minimum_variable_amount,
        m.maximum_variable_amount,
    ) {
        (Some(fixed), _, _) => money(fixed),
        (None, Some(min), Some(max)) => format!("{} to {}", money(min), money(max)),
        (None, None, Some(max)) => format!("up to {}", money(max)),
        _ => "amounts not given".to_owned(),
    };
    format!("{amounts}, {} from {}", m.interval, m.start_date)
}

fn request_error(error: &pluggy_core::models::PaymentRequestErrorDetail) -> String {
    join(
        [error.code.as_deref(), error.provider_message.as_deref()]
            .into_iter()
            .flatten(),
    )
}

fn callback_urls(given: Vec<CallbackUrl>) -> Option<PaymentCallbackUrls> {
    if given.is_empty() {
        return None;
    }
    let mut urls = PaymentCallbackUrls::default();
    for c in given {
        let slot = match c.kind {
            CallbackKind::Success => &mut urls.success,
            CallbackKind::Pending => &mut urls.pending,
            CallbackKind::Error => &mut urls.error,
        };
        *slot = Some(c.url);
    }
    Some(urls)
}

fn requests(settings: &Settings, command: RequestsCommand) -> Result<(), Failure> {
    let caller = Caller::of(settings)?;
    match command {
        RequestsCommand::List {
            status,
            from,
            to,
            customer,
            pix_key,
        } => {
            let filters = PaymentRequestFilters {
                status,
                from,
                to,
                customer: non_empty("--customer", customer)?,
                pix_key,
                ..Default::default()
            };
            let list = caller
                .backend(calls::list_payment_requests(&filters))?
                .payment_requests(&filters)
                .collect::<Result<Vec<_>, _>>()?;
            show(settings, &list, |l| print_requests(l))
        }
        RequestsCommand::Get { id } => {
            let id = PaymentRequestId::new(checked_id("the payment request id", id)?);
            let request = caller
                .backend(calls::get_payment_request(&id))?
                .get_payment_request(&id)?;
            show(settings, &request, print_request)
        }
        RequestsCommand::Create {
            amount,
            description,
            recipient_id,
            customer_id,
            callback_urls: urls,
            client_payment_id,
            schedule_date,
            sandbox,
            wait,
            wait_secs,
        } => {
            let mut body = CreatePaymentRequest::new(amount);
            body.description = non_empty("--description", description)?;
            body.recipient_id = recipient_id
                .map(|r| checked_id("--recipient-id", r).map(PaymentRecipientId::new))
                .transpose()?;
            body.customer_id = customer_id
                .map(|c| checked_id("--customer-id", c).map(PaymentCustomerId::new))
                .transpose()?;
            body.callback_urls = callback_urls(urls);
            body.client_payment_id = non_empty("--client-payment-id", client_payment_id)?;
            body.schedule = schedule_date.map(|date| PaymentSchedulePlan::Single { date });
            body.is_sandbox = sandbox.then_some(true);
            let client = caller.backend(calls::create_payment_request(&body))?;
            let request = client.create_payment_request(&body)?;
            if !wait {
                return show(settings, &request, print_request);
            }
            eprintln!(
                "payment request {} created for {}: the payer pays at {}",
                sanitize(request.id.as_str()),
                request.amount.map(money).unwrap_or_default(),
                sanitize(&request.payment_url)
            );
            wait_request(
                settings,
                client,
                &request.id,
                Duration::from_secs(wait_secs),
            )
        }
        RequestsCommand::PixQr {
            qr_code,
            customer_id,
            callback_urls: urls,
            sandbox,
        } => {
            let code = required_text("--qr-code", qr_code)?;
            if code.len() > MAX_QR_CODE_BYTES || code.chars().any(char::is_control) {
                return Err(Failure::usage(format!(
                    "--qr-code is a Pix code's text: at most {MAX_QR_CODE_BYTES} bytes, on one line"
                )));
            }
            let mut body = CreatePixQrPaymentRequest::new(code);
            body.customer_id = customer_id
                .map(|c| checked_id("--customer-id", c).map(PaymentCustomerId::new))
                .transpose()?;
            body.callback_urls = callback_urls(urls);
            body.is_sandbox = sandbox.then_some(true);
            let request = caller
                .backend(calls::create_pix_qr_payment_request(&body))?
                .create_pix_qr_payment_request(&body)?;
            show(settings, &request, print_request)
        }
        RequestsCommand::Update {
            id,
            amount,
            description,
            recipient_id,
            customer_id,
            client_payment_id,
        } => {
            let id = PaymentRequestId::new(checked_id("the payment request id", id)?);
            let update = UpdatePaymentRequest {
                amount,
                description: non_empty("--description", description)?,
                recipient_id: recipient_id
                    .map(|r| checked_id("--recipient-id", r).map(PaymentRecipientId::new))
                    .transpose()?,
                customer_id: customer_id
                    .map(|c| checked_id("--customer-id", c).map(PaymentCustomerId::new))
                    .transpose()?,
                client_payment_id: non_empty("--client-payment-id", client_payment_id)?,
                ..Default::default()
            };
            if update == UpdatePaymentRequest::default() {
                return Err(Failure::usage(
                    "nothing to change: give --amount, --description, --recipient-id, \
                     --customer-id or --client-payment-id",
                ));
            }
            let request = caller
                .backend(calls::update_payment_request(&id, &update))?
                .update_payment_request(&id, &update)?;
            show(settings, &request, print_request)
        }
        RequestsCommand::Wait { id, wait_secs } => {
            let id = PaymentRequestId::new(checked_id("the payment request id", id)?);
            let client = caller.backend(calls::get_payment_request(&id))?;
            wait_request(settings, client, &id, Duration::from_secs(wait_secs))
        }
        RequestsCommand::Delete { id } => {
            let id = PaymentRequestId::new(checked_id("the payment request id", id)?);
            caller
                .backend(calls::delete_payment_request(&id))?
                .delete_payment_request(&id)?;
            acknowledged(
                settings,
                "deleted",
                &[("paymentRequestId", id.as_str())],
                format!("payment request {id} deleted"),
            )
        }
    }
}

/// Follows a payment request until it settles: each new status on standard error, the final
/// request on standard output. Only `COMPLETED` succeeds; any other end (or the deadline) is
/// exit code 1.
fn wait_request(
    settings: &Settings,
    client: &Client,
    id: &PaymentRequestId,
    deadline: Duration,
) -> Result<(), Failure> {
    let started = Instant::now();
    let mut last: Option<String> = None;
    let on_progress = |request: &PaymentRequest| {
        let now = request.status.to_string();
        if last.as_deref() != Some(now.as_str()) {
            eprintln!(
                "{:>6.1}s  {}",
                started.elapsed().as_secs_f64(),
                sanitize(&now)
            );
            last = Some(now);
        }
    };
    let policy = WaitPolicy {
        poll_interval: poll_interval(settings),
        deadline,
    };
    let request = client.wait_for_payment_request(id, policy, on_progress)?;
    show(settings, &request, print_request)?;
    if request.status.is_success() {
        return Ok(());
    }
    Err(Failure::other(format!(
        "payment request {id} ended {}{}",
        request.status,
        request
            .error_detail
            .as_ref()
            .map(|e| format!(": {}", request_error(e)))
            .unwrap_or_default()
    )))
}

/// The payment intents table.
pub(crate) fn print_intents(list: &[PaymentIntent]) {
    let mut table = Table::new(&[
        "ID", "STATUS", "REQUEST", "BANK", "METHOD", "UPDATED", "ERROR",
    ]);
    for i in list {
        table.row(vec![
            i.id.to_string(),
            i.status.to_string(),
            i.payment_request
                .as_ref()
                .map(|r| r.id.to_string())
                .unwrap_or_default(),
            i.connector
                .as_ref()
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            cell(i.payment_method.as_ref()),
            i.updated_at.to_string(),
            i.error_detail
                .as_ref()
                .map(|e| e.code.to_string())
                .unwrap_or_default(),
        ]);
    }
    table.print();
}

fn print_intent(i: &PaymentIntent) {
    print_intents(std::slice::from_ref(i));
    if let Some(url) = &i.consent_url {
        println!("consent page: {}", sanitize(url));
    }
}

fn intents(settings: &Settings, command: IntentsCommand) -> Result<(), Failure> {
    let caller = Caller::of(settings)?;
    match command {
        IntentsCommand::List { request_id } => {
            let id = PaymentRequestId::new(checked_id("--request-id", request_id)?);
            let list = caller
                .backend(calls::list_payment_intents(&id))?
                .payment_intents(&id)
                .collect::<Result<Vec<_>, _>>()?;
            show(settings, &list, |l| print_intents(l))
        }
        IntentsCommand::Get { id } => {
            let id = PaymentIntentId::new(checked_id("the intent id", id)?);
            let intent = caller
                .backend(calls::get_payment_intent(&id))?
                .get_payment_intent(&id)?;
            show(settings, &intent, print_intent)
        }
        IntentsCommand::Create {
            request_id,
            connector_id,
            cpf,
            cnpj,
            name,
            sandbox,
        } => {
            let id = PaymentRequestId::new(checked_id("--request-id", request_id)?);
            let payer = PaymentIntentParameters {
                cpf,
                cnpj,
                name: non_empty("--name", name)?,
            };
            let mut body =
                CreatePaymentIntent::new(id).with_payer(ConnectorId::new(connector_id), payer);
            body.is_sandbox = sandbox.then_some(true);
            let intent = caller
                .backend(calls::create_payment_intent(&body))?
                .create_payment_intent(&body)?;
            show(settings, &intent, print_intent)
        }
    }
}

fn schedules(settings: &Settings, command: SchedulesCommand) -> Result<(), Failure> {
    let caller = Caller::of(settings)?;
    match command {
        SchedulesCommand::List { request_id } => {
            let id = PaymentRequestId::new(checked_id("--request-id", request_id)?);
            let list = caller
                .backend(calls::list_payment_schedules(&id))?
                .payment_schedules(&id)
                .collect::<Result<Vec<_>, _>>()?;
            show(settings, &list, |l| print_schedules(l))
        }
        SchedulesCommand::Cancel {
            request_id,
            schedule_id,
            all,
        } => {
            let id = PaymentRequestId::new(checked_id("--request-id", request_id)?);
            match (schedule_id, all) {
                (Some(schedule), false) => {
                    let schedule = PaymentScheduleId::new(checked_id("--schedule-id", schedule)?);
                    caller
                        .backend(calls::cancel_payment_schedule(&id, &schedule))?
                        .cancel_payment_schedule(&id, &schedule)?;
                    acknowledged(
                        settings,
                        "canceled",
                        &[
                            ("paymentRequestId", id.as_str()),
                            ("scheduleId", schedule.as_str()),
                        ],
                        format!("scheduled payment {schedule} of payment request {id} canceled"),
                    )
                }
                _ => {
                    caller
                        .backend(calls::cancel_payment_schedules(&id))?
                        .cancel_payment_schedules(&id)?;
                    acknowledged(
                        settings,
                        "canceled",
                        &[("paymentRequestId", id.as_str())],
                        format!("every scheduled payment of payment request {id} canceled"),
                    )
                }
            }
        }
    }
}

fn print_schedules(list: &[PaymentSchedule]) {
    let mut table = Table::new(&[
        "ID",
        "DATE",
        "STATUS",
        "DESCRIPTION",
        "END-TO-END ID",
        "ERROR",
    ]);
    for s in list {
        table.row(vec![
            s.id.to_string(),
            s.scheduled_date.to_string(),
            s.status.to_string(),
            s.description.clone(),
            cell(s.end_to_end_id.as_ref()),
            s.error_detail
                .as_ref()
                .and_then(|e| e.code.clone())
                .unwrap_or_default(),
        ]);
    }
    table.print();
}

fn print_automatic_payments(list: &[AutomaticPixPayment]) {
    let mut table = Table::new(&[
        "ID",
        "DATE",
        "STATUS",
        "AMOUNT",
        "DESCRIPTION",
        "ATTEMPTS",
        "ERROR",
    ]);
    for p in list {
        table.row(vec![
            p.id.to_string(),
            p.date.to_string(),
            p.status.to_string(),
            money(p.amount),
            cell(p.description.as_ref()),
            p.attempts.len().to_string(),
            p.error_detail
                .as_ref()
                .map(|e| e.code.to_string())
                .unwrap_or_default(),
        ]);
    }
    table.print();
}

fn automatic_pix(settings: &Settings, command: AutomaticPixCommand) -> Result<(), Failure> {
    let caller = Caller::of(settings)?;
    match command {
        AutomaticPixCommand::Create {
            recipient_id,
            interval,
            start_date,
            fixed_amount,
            max_amount,
            min_amount,
            expires_on,
            first_payment,
            description,
            customer_id,
            sandbox,
        } => {
            let recipient = PaymentRecipientId::new(checked_id("--recipient-id", recipient_id)?);
            let mut body =
                CreateAutomaticPixPaymentRequest::new(recipient, interval.wire(), start_date);
            body = match (fixed_amount, max_amount) {
                (Some(fixed), _) => body.with_fixed_amount(fixed),
                (None, Some(max)) => {
                    if min_amount.is_some_and(|min| min > max) {
                        return Err(Failure::usage("--min-amount is above --max-amount"));
                    }
                    body.with_variable_amounts(min_amount, max)
                }
                (None, None) => {
                    return Err(Failure::usage("give --fixed-amount or --max-amount"));
                }
            };
            if let Some(end) = expires_on {
                if end < start_date {
                    return Err(Failure::usage("--expires-on is before --start-date"));
                }
                body = body.with_expiry(end);
            }
            if let Some(first) = first_payment {
                body = body.with_first_payment(AutomaticPixFirstPayment::new(first));
            }
            body.description = non_empty("--description", description)?;
            body.customer_id = customer_id
                .map(|c| checked_id("--customer-id", c).map(PaymentCustomerId::new))
                .transpose()?;
            body.is_sandbox = sandbox.then_some(true);
            let request = caller
                .backend(calls::create_automatic_pix_request(&body))?
                .create_automatic_pix_request(&body)?;
            show(settings, &request, print_request)
        }
        AutomaticPixCommand::Schedule {
            request_id,
            amount,
            date,
            description,
        } => {
            let id = PaymentRequestId::new(checked_id("--request-id", request_id)?);
            let mut body = ScheduleAutomaticPixPayment::new(amount, date);
            body.description = non_empty("--description", description)?;
            let payment = caller
                .backend(calls::schedule_automatic_pix_payment(&id, &body))?
                .schedule_automatic_pix_payment(&id, &body)?;
            show(settings, &payment, |p| {
                print_automatic_payments(std::slice::from_ref(p))
            })
        }
        AutomaticPixCommand::List { request_id } => {
            let id = PaymentRequestId::new(checked_id("--request-id", request_id)?);
            let list = caller
                .backend(calls::list_automatic_pix_payments(&id))?
                .automatic_pix_payments(&id)
                .collect::<Result<Vec<_>, _>>()?;
            show(settings, &list, |l| print_automatic_payments(l))
        }
        AutomaticPixCommand::Get {
            request_id,
            payment_id,
        } => {
            let id = PaymentRequestId::new(checked_id("--request-id", request_id)?);
            let payment = AutomaticPixPaymentId::new(checked_id("--payment-id", payment_id)?);
            let detail = caller
                .backend(calls::get_automatic_pix_payment(&id, &payment))?
                .get_automatic_pix_payment(&id, &payment)?;
            show(settings, &detail, |d| {
                print_automatic_payments(std::slice::from_ref(&d.payment));
                println!(
                    "accepted by the payer's bank as scheduled: {}",
                    yes_no(Some(d.scheduled_status_reached))
                );
            })
        }
        AutomaticPixCommand::Cancel {
            request_id,
            payment_id,
            mandate,
        } => {
            let id = PaymentRequestId::new(checked_id("--request-id", request_id)?);
            match (payment_id, mandate) {
                (Some(payment), false) => {
                    let payment = AutomaticPixPaymentId::new(checked_id("--payment-id", payment)?);
                    caller
                        .backend(calls::cancel_automatic_pix_payment(&id, &payment))?
                        .cancel_automatic_pix_payment(&id, &payment)?;
                    acknowledged(
                        settings,
                        "canceled",
                        &[
                            ("paymentRequestId", id.as_str()),
                            ("paymentId", payment.as_str()),
                        ],
                        format!("Automatic Pix payment {payment} of payment request {id} canceled"),
                    )
                }
                _ => {
                    caller
                        .backend(calls::cancel_automatic_pix_mandate(&id))?
                        .cancel_automatic_pix_mandate(&id)?;
                    acknowledged(
                        settings,
                        "canceled",
                        &[("paymentRequestId", id.as_str())],
                        format!("the Automatic Pix mandate of payment request {id} is revoked"),
                    )
                }
            }
        }
        AutomaticPixCommand::Retry {
            request_id,
            payment_id,
            date,
        } => {
            let id = PaymentRequestId::new(checked_id("--request-id", request_id)?);
            let payment = AutomaticPixPaymentId::new(checked_id("--payment-id", payment_id)?);
            let retry = RetryAutomaticPixPayment::new(date);
            caller
                .backend(calls::retry_automatic_pix_payment(&id, &payment, &retry))?
                .retry_automatic_pix_payment(&id, &payment, &retry)?;
            let day = date.to_string();
            acknowledged(
                settings,
                "retried",
                &[
                    ("paymentRequestId", id.as_str()),
                    ("paymentId", payment.as_str()),
                    ("date", &day),
                ],
                format!("Automatic Pix payment {payment} is tried again on {day}"),
            )
        }
    }
}

/// `pluggy smart-transfers …`.
pub fn smart_transfers(settings: &Settings, command: SmartTransfersCommand) -> Result<(), Failure> {
    let caller = Caller::of(settings)?;
    match command {
        SmartTransfersCommand::Preauthorizations { command } => match command {
            PreauthorizationsCommand::List => {
                let list = caller
                    .backend(calls::list_smart_transfer_preauthorizations(None, None))?
                    .smart_transfer_preauthorizations(None)
                    .collect::<Result<Vec<_>, _>>()?;
                show(settings, &list, |l| print_preauthorizations(l))
            }
            PreauthorizationsCommand::Get { id } => {
                let id = SmartTransferPreauthorizationId::new(checked_id(
                    "the preauthorization id",
                    id,
                )?);
                let found = caller
                    .backend(calls::get_smart_transfer_preauthorization(&id))?
                    .get_smart_transfer_preauthorization(&id)?;
                show(settings, &found, print_preauthorization)
            }
            PreauthorizationsCommand::Create {
                connector_id,
                cpf,
                cnpj,
                recipient_ids,
                client_preauthorization_id,
            } => {
                let recipients = recipient_ids
                    .into_iter()
                    .map(|r| checked_id("--recipient-id", r).map(PaymentRecipientId::new))
                    .collect::<Result<Vec<_>, _>>()?;
                let parameters = SmartTransferPreauthorizationParameters { cpf, cnpj };
                let mut body = CreateSmartTransferPreauthorization::new(
                    ConnectorId::new(connector_id),
                    parameters,
                    recipients,
                );
                body.client_preauthorization_id =
                    non_empty("--client-preauthorization-id", client_preauthorization_id)?;
                let created = caller
                    .backend(calls::create_smart_transfer_preauthorization(&body))?
                    .create_smart_transfer_preauthorization(&body)?;
                show(settings, &created, print_preauthorization)
            }
        },
        SmartTransfersCommand::Payments { command } => match command {
            SmartPaymentsCommand::List {
                preauthorization_id,
            } => {
                let id = SmartTransferPreauthorizationId::new(checked_id(
                    "--preauthorization-id",
                    preauthorization_id,
                )?);
                let filters = Default::default();
                let list = caller
                    .backend(calls::list_smart_transfer_payments(&id, &filters))?
                    .smart_transfer_payments(&id, &filters)
                    .collect::<Result<Vec<_>, _>>()?;
                show(settings, &list, |l| print_smart_payments(l))
            }
            SmartPaymentsCommand::Get { id } => {
                let id = SmartTransferPaymentId::new(checked_id("the payment id", id)?);
                let payment = caller
                    .backend(calls::get_smart_transfer_payment(&id))?
                    .get_smart_transfer_payment(&id)?;
                show(settings, &payment, |p| {
                    print_smart_payments(std::slice::from_ref(p))
                })
            }
            SmartPaymentsCommand::Create {
                preauthorization_id,
                recipient_id,
                amount,
                description,
                client_payment_id,
            } => {
                let preauthorization = SmartTransferPreauthorizationId::new(checked_id(
                    "--preauthorization-id",
                    preauthorization_id,
                )?);
                let recipient =
                    PaymentRecipientId::new(checked_id("--recipient-id", recipient_id)?);
                let mut body = CreateSmartTransferPayment::new(preauthorization, recipient, amount);
                body.description = non_empty("--description", description)?;
                body.client_payment_id = non_empty("--client-payment-id", client_payment_id)?;
                let payment = caller
                    .backend(calls::create_smart_transfer_payment(&body))?
                    .create_smart_transfer_payment(&body)?;
                show(settings, &payment, |p| {
                    print_smart_payments(std::slice::from_ref(p))
                })
            }
        },
    }
}

fn print_preauthorizations(list: &[SmartTransferPreauthorization]) {
    let mut table = Table::new(&["ID", "STATUS", "BANK", "RECIPIENTS", "CREATED"]);
    for p in list {
        table.row(vec![
            p.id.to_string(),
            p.status.to_string(),
            p.connector
                .as_ref()
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            join(p.recipients.iter().map(|r| r.name.as_str())),
            cell(p.created_at.as_ref()),
        ]);
    }
    table.print();
}

fn print_preauthorization(p: &SmartTransferPreauthorization) {
    print_preauthorizations(std::slice::from_ref(p));
    if let Some(url) = &p.consent_url {
        println!("consent page: {}", sanitize(url));
    }
}

fn print_smart_payments(list: &[SmartTransferPayment]) {
    let mut table = Table::new(&[
        "ID",
        "STATUS",
        "AMOUNT",
        "RECIPIENT",
        "DESCRIPTION",
        "PREAUTHORIZATION",
        "CREATED",
    ]);
    for p in list {
        table.row(vec![
            p.id.to_string(),
            p.status.to_string(),
            money(p.amount),
            p.recipient
                .as_ref()
                .map(|r| r.name.clone())
                .unwrap_or_default(),
            cell(p.description.as_ref()),
            p.preauthorization_id.to_string(),
            p.created_at.to_string(),
        ]);
    }
    table.print();
}

/// `pluggy boletos …`.
pub fn boletos(settings: &Settings, command: BoletosCommand) -> Result<(), Failure> {
    let caller = Caller::of(settings)?;
    match command {
        BoletosCommand::Connections { command } => {
            let connection = match command {
                BoletoConnectionsCommand::Create {
                    connector_id,
                    credentials,
                } => {
                    let credentials = read_parameters(&credentials)?;
                    if credentials.is_empty() {
                        return Err(Failure::usage(
                            "give the institution's credentials: --parameter NAME=VALUE, or \
                             --secret-parameter NAME to read a secret from standard input",
                        ));
                    }
                    let body =
                        CreateBoletoConnection::new(ConnectorId::new(connector_id), credentials);
                    caller
                        .backend(calls::create_boleto_connection(&body))?
                        .create_boleto_connection(&body)?
                }
                BoletoConnectionsCommand::FromItem { item_id } => {
                    let item = ItemId::new(checked_id("--item-id", item_id)?);
                    let body = CreateBoletoConnectionFromItem::new(item);
                    caller
                        .backend(calls::create_boleto_connection_from_item(&body))?
                        .create_boleto_connection_from_item(&body)?
                }
            };
            show(settings, &connection, print_connection)
        }
        BoletosCommand::Create {
            connection_id,
            amount,
            due_date,
            seu_numero,
            payer_name,
            payer_tax_number,
            payer_state,
            payer_zip_code,
        } => {
            let connection = BoletoConnectionId::new(checked_id("--connection-id", connection_id)?);
            if amount < MIN_BOLETO_AMOUNT {
                return Err(Failure::usage(format!(
                    "a boleto is at least {MIN_BOLETO_AMOUNT} reais"
                )));
            }
            let seu_numero = required_text("--seu-numero", seu_numero)?;
            if seu_numero.chars().count() > MAX_SEU_NUMERO_CHARS {
                return Err(Failure::usage(format!(
                    "--seu-numero is at most {MAX_SEU_NUMERO_CHARS} characters"
                )));
            }
            let payer = BoletoToIssuePayer::new(
                payer_tax_number,
                required_text("--payer-name", payer_name)?,
                required_text("--payer-state", payer_state)?,
                required_text("--payer-zip-code", payer_zip_code)?,
            );
            let body = CreateBoleto::new(connection, seu_numero, amount, due_date, payer);
            let boleto = caller
                .backend(calls::create_boleto(&body))?
                .create_boleto(&body)?;
            show(settings, &boleto, print_boleto)
        }
        BoletosCommand::Get { id } => {
            let id = BoletoId::new(checked_id("the boleto id", id)?);
            let boleto = caller.backend(calls::get_boleto(&id))?.get_boleto(&id)?;
            show(settings, &boleto, print_boleto)
        }
        BoletosCommand::Cancel { id } => {
            let id = BoletoId::new(checked_id("the boleto id", id)?);
            let boleto = caller
                .backend(calls::cancel_boleto(&id))?
                .cancel_boleto(&id)?;
            show(settings, &boleto, print_boleto)
        }
    }
}

fn print_connection(c: &BoletoConnection) {
    let mut table = Table::new(&["ID", "CONNECTOR", "CREATED"]);
    table.row(vec![
        c.id.to_string(),
        c.connector_id.to_string(),
        c.created_at.to_string(),
    ]);
    table.print();
}

fn print_boleto(b: &Boleto) {
    let mut table = Table::new(&[
        "ID",
        "STATUS",
        "AMOUNT",
        "DUE",
        "PAYER",
        "SEU NUMERO",
        "PAID",
    ]);
    table.row(vec![
        b.id.to_string(),
        b.status.to_string(),
        money(b.amount),
        b.due_date.to_string(),
        b.payer.name.clone(),
        b.seu_numero.clone(),
        b.amount_paid.map(money).unwrap_or_default(),
    ]);
    table.print();
    if !b.digitable_line.is_empty() {
        println!("digitable line: {}", sanitize(&b.digitable_line));
    }
}

/// The ids a payment event carries, and its status when it has one, as `paymentRequestId X
/// paymentIntentId Y status Z` (only those present).
pub(crate) fn event_ids(e: &PaymentEvent) -> String {
    let ids = [
        (
            "paymentRequestId",
            e.payment_request_id.as_ref().map(|i| i.as_str()),
        ),
        (
            "paymentIntentId",
            e.payment_intent_id.as_ref().map(|i| i.as_str()),
        ),
        ("scheduledPaymentId", e.scheduled_payment_id.as_deref()),
        ("bulkPaymentId", e.bulk_payment_id.as_deref()),
        (
            "automaticPixPaymentId",
            e.automatic_pix_payment_id.as_ref().map(|i| i.as_str()),
        ),
        (
            "preauthorizationId",
            e.preauthorization_id.as_ref().map(|i| i.as_str()),
        ),
        (
            "smartTransferPaymentId",
            e.smart_transfer_payment_id.as_ref().map(|i| i.as_str()),
        ),
        ("boletoId", e.boleto_id.as_ref().map(|i| i.as_str())),
        ("status", e.status()),
    ];
    ids.iter()
        .filter_map(|(name, value)| value.map(|v| format!("{name} {v}")))
        .collect::<Vec<_>>()
        .join("  ")
}
