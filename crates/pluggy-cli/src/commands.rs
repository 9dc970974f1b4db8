//! Every command: the everyday ones here, the data products (balances, statements,
//! transactions, categories, loans, bills, consents, merchants) in [`crate::data`], payments,
//! smart transfers and boletos in [`crate::payments`], `pluggy demo` in [`crate::demo`].

use std::io::{BufRead, IsTerminal, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use pluggy_blocking::Client;
use pluggy_core::models::{
    ConnectTokenOptions, ConnectTokenRequest, Connector, ConnectorCredential, ConnectorFilters,
    CreateItemRequest, CreateWebhook, Item, ItemParameters, Page, ReducedAccount,
    UpdateItemRequest, UpdateWebhook, ValidationResponse, Webhook, WebhookHeaders, check_header,
};
use pluggy_core::{
    ConnectorId, ItemId, ItemProgress, WaitPolicy, WebhookEvent, WebhookId, WebhookPayload, calls,
};
use pluggy_emulator::{Config, Emulator};
use serde_json::{Value, json};

use crate::caller::{CONNECT_TOKEN_VAR, Caller, with_token};
use crate::cli::{
    AccountsCommand, AuthCommand, Command, ConnectTokenCommand, ConnectorsCommand, EmulatorArgs,
    IdentityCommand, InvestmentsCommand, ItemsCommand, TransactionsCommand, WebhooksCommand,
};
use crate::data;
use crate::fail::{Failure, Kind};
use crate::input::{MAX_CREDENTIAL_BYTES, checked_id, read_parameters};
use crate::output::{Table, cell, join, json_line, sanitize, show, yes_no};
use crate::receiver::{Event, Limits, Receiver};
use crate::settings::Settings;

/// Runs a command.
pub fn run(settings: &Settings, command: Command) -> Result<(), Failure> {
    match command {
        Command::Auth {
            command: AuthCommand::Check,
        } => auth_check(settings),
        Command::ConnectToken { command } => connect_token(settings, command),
        Command::Connectors { command } => connectors(settings, command),
        Command::Items { command } => items(settings, command),
        Command::Accounts { command } => match command {
            AccountsCommand::List { item_id } => {
                accounts(settings, &ItemId::new(checked_id("--item-id", item_id)?))
            }
            AccountsCommand::Balance { account_id } => data::balance(settings, account_id),
            AccountsCommand::Statements { account_id } => data::statements(settings, account_id),
        },
        Command::Transactions { command } => match command {
            TransactionsCommand::List {
                account_id,
                all,
                from,
                to,
                next,
            } => data::transactions(settings, account_id, all, from, to, next),
            TransactionsCommand::Categorize {
                transaction_id,
                category_id,
            } => data::categorize(settings, transaction_id, category_id),
        },
        Command::Identity {
            command: IdentityCommand::Get { item_id },
        } => identity(settings, &ItemId::new(checked_id("--item-id", item_id)?)),
        Command::Investments {
            command: InvestmentsCommand::List { item_id },
        } => investments(settings, &ItemId::new(checked_id("--item-id", item_id)?)),
        Command::Categories { command } => data::categories(settings, command),
        Command::Loans { command } => data::loans(settings, command),
        Command::Bills { command } => data::bills(settings, command),
        Command::Consents { command } => data::consents(settings, command),
        Command::Merchants(args) => data::merchants(settings, args.cnpjs),
        Command::Webhooks { command } => webhooks(settings, command),
        Command::Payments { command } => crate::payments::payments(settings, command),
        Command::SmartTransfers { command } => crate::payments::smart_transfers(settings, command),
        Command::Boletos { command } => crate::payments::boletos(settings, command),
        Command::Demo(args) => crate::demo::run(settings, &args.options()),
        Command::Connect(args) => crate::connect::run(
            settings,
            &crate::connect::ConnectOptions {
                client_user_id: args.client_user_id,
                open: args.open,
                wait: Duration::from_secs(args.wait),
            },
        ),
        Command::Emulator(args) => emulator(settings, &args),
    }
}

fn auth_check(settings: &Settings) -> Result<(), Failure> {
    let (_, expiry) = settings.fetch_api_key()?;
    let (client_id, _) = settings.credentials()?;
    let data = json!({
        "ok": true,
        "baseUrl": settings.base_url(),
        "clientId": client_id.as_str(),
        "expiresAt": expiry.timestamp().map(|t| t.to_string()),
        "expiresInSecs": expiry.seconds_left(),
    });
    show(settings, &data, |_| {
        println!(
            "credentials accepted by {} (client id {}): API key {}",
            settings.base_url(),
            client_id.as_str(),
            expiry.describe("2 hours")
        );
    })
}

fn connect_token(settings: &Settings, command: ConnectTokenCommand) -> Result<(), Failure> {
    let ConnectTokenCommand::Create {
        item_id,
        client_user_id,
        webhook_url,
        oauth_redirect_uri,
        avoid_duplicates,
    } = command;
    let options = ConnectTokenOptions {
        client_user_id: client_user_id.map(Into::into),
        webhook_url,
        oauth_redirect_uri,
        avoid_duplicates: avoid_duplicates.then_some(true),
        ..Default::default()
    };
    let item_id = item_id.map(|id| checked_id("--item-id", id)).transpose()?;
    let request = ConnectTokenRequest {
        item_id: item_id.map(ItemId::new),
        options: Some(options),
    };
    let grant = Caller::of(settings)?
        .backend(calls::create_connect_token(&request))?
        .create_connect_token(&request)?;
    // The token is the command's whole output, so that it can be piped.
    if settings.json {
        json_line(&json!({ "accessToken": grant.token().expose_secret() }))
    } else {
        println!("{}", grant.token().expose_secret());
        Ok(())
    }
}

fn connectors(settings: &Settings, command: ConnectorsCommand) -> Result<(), Failure> {
    let caller = Caller::of(settings)?;
    match command {
        ConnectorsCommand::List { sandbox, name } => {
            let filters = ConnectorFilters {
                sandbox: sandbox.then_some(true),
                name,
                ..Default::default()
            };
            let page: Page<Connector> =
                caller.call(settings, calls::list_connectors(&filters), &[])?;
            show(settings, &page.results, |list| {
                let mut table = Table::new(&["ID", "NAME", "TYPE", "COUNTRY", "SANDBOX", "MFA"]);
                for c in list {
                    table.row(vec![
                        c.id.to_string(),
                        c.name.clone(),
                        cell(c.kind.as_ref()),
                        cell(c.country.as_ref()),
                        yes_no(c.is_sandbox),
                        yes_no(c.has_mfa),
                    ]);
                }
                table.print();
            })
        }
        ConnectorsCommand::Get { id } => {
            let id = ConnectorId::new(id);
            let connector: Connector = caller.call(settings, calls::get_connector(id), &[])?;
            show(settings, &connector, |c| {
                println!(
                    "{} ({}), {}",
                    sanitize(&c.name),
                    c.id,
                    sanitize(&cell(c.kind.as_ref()))
                );
                println!("credentials:");
                print_credentials(&c.credentials);
            })
        }
        ConnectorsCommand::Validate { id, parameters } => {
            let parameters = read_parameters(&parameters)?;
            let connector = ConnectorId::new(id);
            let answer: ValidationResponse = caller.call(
                settings,
                calls::validate_connector(connector, &parameters),
                &[],
            )?;
            show_validation(settings, id, &answer)
        }
    }
}

/// Prints the API's verdict on credentials; credentials it found errors in fail the command
/// (exit code 1), each error named.
fn show_validation(
    settings: &Settings,
    connector: u32,
    answer: &ValidationResponse,
) -> Result<(), Failure> {
    let valid = answer.is_valid();
    let errors: Vec<Value> = answer
        .errors
        .iter()
        .map(|e| json!({ "parameter": e.parameter, "code": e.code, "message": e.message }))
        .collect();
    let names = answer
        .parameters
        .as_ref()
        .map(|p| p.names().map(str::to_owned).collect::<Vec<_>>());
    let data = json!({ "valid": valid, "errors": errors, "parameters": names });
    show(settings, &data, |_| {
        if valid {
            println!("the credentials pass connector {connector}'s rules");
        } else {
            let mut table = Table::new(&["PARAMETER", "CODE", "ERROR"]);
            for e in &answer.errors {
                table.row(vec![e.parameter.clone(), e.code.clone(), e.message.clone()]);
            }
            table.print();
        }
    })?;
    if valid {
        return Ok(());
    }
    let named: Vec<String> = answer
        .errors
        .iter()
        .map(|e| {
            let parameter = if e.parameter.is_empty() {
                "(no parameter named)"
            } else {
                e.parameter.as_str()
            };
            format!("{parameter}: {} (code {})", e.message, e.code)
        })
        .collect();
    Err(Failure::other(format!(
        "the credentials do not pass connector {connector}'s rules: {}",
        named.join("; ")
    )))
}

fn print_credentials(credentials: &[ConnectorCredential]) {
    let mut table = Table::new(&["NAME", "LABEL", "TYPE", "MFA", "OPTIONAL"]);
    for c in credentials {
        table.row(vec![
            c.name.clone(),
            c.label.clone(),
            cell(c.kind.as_ref()),
            yes_no(c.mfa),
            yes_no(c.optional),
        ]);
    }
    print!("{}", table.render());
}

fn items(settings: &Settings, command: ItemsCommand) -> Result<(), Failure> {
    let caller = Caller::of(settings)?;
    // Following a sync is the backend's job here: it polls with the API key.
    let waiter = |wait: bool| -> Result<Option<&Client>, Failure> {
        match (&caller, wait) {
            (_, false) => Ok(None),
            (Caller::Backend(client), true) => Ok(Some(client)),
            (Caller::Front(_), true) => Err(Failure::usage(format!(
                "waiting follows the item with the API key: unset {CONNECT_TOKEN_VAR}, or poll \
                 with `pluggy items get`"
            ))),
        }
    };
    match command {
        ItemsCommand::Create {
            connector_id,
            parameters,
            client_user_id,
            webhook_url,
            wait,
        } => {
            let waiter = waiter(wait)?;
            let mut request = CreateItemRequest::new(
                ConnectorId::new(connector_id),
                read_parameters(&parameters)?,
            );
            request.client_user_id = client_user_id.map(Into::into);
            request.webhook_url = webhook_url;
            let item: Item = caller.call(settings, calls::create_item(&request), &[])?;
            match waiter {
                Some(client) => wait_item(settings, client, &item.id, Duration::from_secs(300)),
                None => show_item(settings, &item),
            }
        }
        ItemsCommand::Get { id } => {
            let id = ItemId::new(checked_id("the item id", id)?);
            let item: Item =
                caller.call(settings, calls::get_item(&id), std::slice::from_ref(&id))?;
            show_item(settings, &item)
        }
        ItemsCommand::Update {
            id,
            parameters,
            wait,
        } => {
            let waiter = waiter(wait)?;
            let id = ItemId::new(checked_id("the item id", id)?);
            let given = read_parameters(&parameters)?;
            let request = UpdateItemRequest {
                parameters: (!given.is_empty()).then_some(given),
                ..Default::default()
            };
            let item: Item = caller.call(
                settings,
                calls::update_item(&id, &request),
                std::slice::from_ref(&id),
            )?;
            match waiter {
                Some(client) => wait_item(settings, client, &id, Duration::from_secs(300)),
                None => show_item(settings, &item),
            }
        }
        ItemsCommand::Delete { id } => {
            let id = ItemId::new(checked_id("the item id", id)?);
            let deleted = caller.backend(calls::delete_item(&id))?.delete_item(&id)?;
            show(
                settings,
                &json!({ "deleted": deleted.count, "itemId": id.as_str() }),
                |_| {
                    println!("item {id} deleted");
                },
            )
        }
        ItemsCommand::Mfa { id, parameters } => {
            let id = ItemId::new(checked_id("the item id", id)?);
            let answers = read_parameters(&parameters)?;
            if answers.is_empty() {
                return Err(Failure::usage(
                    "give the answer: --secret-parameter NAME reads it from standard input",
                ));
            }
            let item: Item = caller.call(
                settings,
                calls::send_mfa(&id, &answers),
                std::slice::from_ref(&id),
            )?;
            show_item(settings, &item)
        }
        ItemsCommand::Wait { id, timeout_secs } => match waiter(true)? {
            Some(client) => wait_item(
                settings,
                client,
                &ItemId::new(checked_id("the item id", id)?),
                Duration::from_secs(timeout_secs),
            ),
            None => Ok(()),
        },
    }
}

fn show_item(settings: &Settings, item: &Item) -> Result<(), Failure> {
    show(settings, item, |item| {
        let mut table = Table::new(&["ID", "CONNECTOR", "STATUS", "EXECUTION", "CLIENT USER"]);
        table.row(vec![
            item.id.to_string(),
            item.connector
                .as_ref()
                .map(|c| format!("{} ({})", c.name, c.id))
                .unwrap_or_default(),
            item.status.to_string(),
            item.execution_status.to_string(),
            cell(item.client_user_id.as_ref()),
        ]);
        table.print();
        if let Some(error) = &item.error {
            println!(
                "error: {}: {}",
                sanitize(&error.code.to_string()),
                sanitize(&error.message)
            );
        }
    })
}

/// Follows a sync to its end, printing each change on standard error and the final item on
/// standard output; MFA prompts are answered from standard input (prompted on a terminal). A
/// sync that does not end well exits non-zero.
fn wait_item(
    settings: &Settings,
    client: &Client,
    id: &ItemId,
    timeout: Duration,
) -> Result<(), Failure> {
    let started = Instant::now();
    let mut last = None;
    // Progress goes to standard error, so that standard output holds only the final item.
    let on_progress = |item: &Item| {
        let now = (item.status.to_string(), item.execution_status.to_string());
        if last.as_ref() != Some(&now) {
            eprintln!(
                "{:>6.1}s  {:<20} {}",
                started.elapsed().as_secs_f64(),
                sanitize(&now.0),
                sanitize(&now.1)
            );
            last = Some(now);
        }
    };
    let answer = |prompt: Option<ConnectorCredential>| {
        let (name, label) = prompt
            .map(|p| (p.name, p.label))
            .unwrap_or_else(|| ("token".to_owned(), "MFA code".to_owned()));
        let stdin = std::io::stdin();
        if stdin.is_terminal() {
            eprint!("{label}: ");
            let _ = std::io::stderr().flush();
        }
        let mut line = String::new();
        let mut bounded = std::io::Read::take(stdin.lock(), MAX_CREDENTIAL_BYTES as u64);
        match bounded.read_line(&mut line) {
            Ok(n) if n > 0 && !line.trim().is_empty() => {
                Some(ItemParameters::new().with(name, line.trim().to_owned()))
            }
            _ => None,
        }
    };
    let policy = WaitPolicy {
        poll_interval: Duration::from_secs(1),
        deadline: timeout,
    };
    let item = client.wait_for_item_with_mfa(id, policy, on_progress, answer)?;
    show_item(settings, &item)?;
    match item.progress() {
        ItemProgress::Done { .. } => Ok(()),
        ItemProgress::Failed { reason, .. } => {
            Err(Failure::other(format!("item {id}'s sync failed: {reason}")))
        }
        ItemProgress::NeedsMfaInput { .. } => Err(Failure::other(format!(
            "item {id} waits for an MFA answer: run `pluggy items mfa {id} --secret-parameter NAME` \
             (or `items wait` on a terminal)"
        ))),
        ItemProgress::NeedsUserAction { user_action } => Err(Failure::other(format!(
            "item {id} waits for the user to act at the institution{}",
            user_action
                .map(|a| format!(": {}", a.instructions))
                .unwrap_or_default()
        ))),
        ItemProgress::InProgress { .. } => {
            Err(Failure::other(format!("item {id} is still syncing")))
        }
    }
}

fn accounts(settings: &Settings, item_id: &ItemId) -> Result<(), Failure> {
    let client = match Caller::of(settings)? {
        Caller::Backend(client) => client,
        Caller::Front(token) => {
            let request = calls::reduced::list_accounts(item_id);
            let page: Page<ReducedAccount> =
                with_token(settings, &token, request, std::slice::from_ref(item_id))?;
            return show(settings, &page.results, |list| {
                let mut table = Table::new(&["ID", "NAME", "TYPE", "NUMBER", "CURRENCY"]);
                for a in list {
                    table.row(vec![
                        a.id.to_string(),
                        a.name.clone(),
                        format!("{}/{}", a.kind, a.subtype),
                        a.number.clone(),
                        a.currency_code.clone(),
                    ]);
                }
                table.print();
            });
        }
    };
    let page = client.list_accounts(item_id, None)?;
    show(settings, &page.results, |list| {
        let mut table = Table::new(&["ID", "NAME", "TYPE", "NUMBER", "BALANCE", "CURRENCY"]);
        for a in list {
            table.row(vec![
                a.id.to_string(),
                a.name.clone(),
                format!("{}/{}", a.kind, a.subtype),
                a.number.clone(),
                a.balance.to_string(),
                a.currency_code.clone(),
            ]);
        }
        table.print();
    })
}

fn identity(settings: &Settings, item_id: &ItemId) -> Result<(), Failure> {
    let identity = Caller::of(settings)?
        .backend(calls::get_identity_by_item(item_id))?
        .get_identity_by_item(item_id)?;
    show(settings, &identity, |i| {
        let mut table = Table::new(&["FIELD", "VALUE"]);
        let rows = [
            ("name", i.full_name.clone()),
            ("document", i.document.clone()),
            ("document type", i.document_type.clone()),
            ("birth date", i.birth_date.map(|d| d.to_string())),
            (
                "emails",
                Some(join(i.emails.iter().map(|e| e.value.as_str()))),
            ),
            (
                "phones",
                Some(join(i.phone_numbers.iter().map(|p| p.value.as_str()))),
            ),
        ];
        for (field, value) in rows {
            table.row(vec![field.to_owned(), value.unwrap_or_default()]);
        }
        table.print();
    })
}

fn investments(settings: &Settings, item_id: &ItemId) -> Result<(), Failure> {
    let page = Caller::of(settings)?
        .backend(calls::list_investments(item_id, &Default::default()))?
        .list_investments(item_id, &Default::default())?;
    show(settings, &page.results, |list| {
        let mut table = Table::new(&["ID", "NAME", "TYPE", "BALANCE", "CURRENCY"]);
        for i in list {
            table.row(vec![
                i.id.to_string(),
                i.name.clone(),
                i.kind.to_string(),
                i.balance.to_string(),
                i.currency_code.clone(),
            ]);
        }
        table.print();
    })
}

/// `K:V` pairs into headers, each checked against what HTTP can carry
/// ([`check_header`]): a header that fails could never be sent as written, so it is refused
/// here, before anything is sent. Only spaces and tabs around the name and the value are
/// dropped (as HTTP does around a value); a line break or control character is an error.
/// Messages name the header, never its value.
fn parse_headers(pairs: &[String]) -> Result<Vec<(String, String)>, Failure> {
    let ows: &[char] = &[' ', '\t'];
    pairs
        .iter()
        .enumerate()
        .map(|(n, pair)| {
            let (k, v) = pair.split_once(':').ok_or_else(|| {
                Failure::usage(format!(
                    "--header takes NAME:VALUE (--header number {} has no colon)",
                    n + 1
                ))
            })?;
            let (k, v) = (k.trim_matches(ows), v.trim_matches(ows));
            check_header(k, v).map_err(|e| Failure::usage(format!("--header: {e}")))?;
            Ok((k.to_owned(), v.to_owned()))
        })
        .collect()
}

fn parse_event(event: &str) -> Result<WebhookEvent, Failure> {
    match WebhookEvent::parse(event) {
        WebhookEvent::Unknown(other) => Err(Failure::usage(format!(
            "unknown webhook event {other:?}: use `all` or one such as `item/updated`, `item/error`, `transactions/created`"
        ))),
        known => Ok(known),
    }
}

/// A webhook for output: header names only, values hidden (they authenticate deliveries).
fn webhook_view(w: &Webhook) -> Value {
    let headers: serde_json::Map<String, Value> = w
        .headers
        .iter()
        .map(|(k, _)| (k.to_owned(), Value::String("<hidden>".into())))
        .collect();
    json!({
        "id": w.id.as_str(), "url": w.url, "event": w.event.as_str(), "headers": headers,
        "enabled": w.is_enabled(),
        "createdAt": w.created_at.map(|t| t.to_string()),
        "updatedAt": w.updated_at.map(|t| t.to_string()),
    })
}

fn print_webhooks(settings: &Settings, list: &[Webhook]) -> Result<(), Failure> {
    let views: Vec<Value> = list.iter().map(webhook_view).collect();
    show(settings, &views, |_| {
        let mut table = Table::new(&["ID", "EVENT", "URL", "ENABLED", "HEADERS"]);
        for w in list {
            table.row(vec![
                w.id.to_string(),
                w.event.to_string(),
                w.url.clone(),
                if w.is_enabled() { "yes" } else { "no" }.into(),
                join(w.headers.iter().map(|(k, _)| k)),
            ]);
        }
        table.print();
    })
}

fn webhooks(settings: &Settings, command: WebhooksCommand) -> Result<(), Failure> {
    if let WebhooksCommand::Listen {
        port,
        host,
        headers,
        max_connections,
        request_timeout_ms,
    } = command
    {
        let limits = Limits {
            request_deadline: Duration::from_millis(request_timeout_ms),
            max_connections: usize::try_from(max_connections).unwrap_or(usize::MAX),
        };
        return listen(
            settings,
            SocketAddr::new(host, port),
            parse_headers(&headers)?,
            limits,
        );
    }
    let caller = Caller::of(settings)?;
    let client = caller.backend(calls::list_webhooks())?;
    match command {
        WebhooksCommand::List => print_webhooks(settings, &client.list_webhooks()?.results),
        WebhooksCommand::Create {
            url,
            event,
            headers,
        } => {
            let headers = parse_headers(&headers)?;
            let request = CreateWebhook {
                url,
                event: parse_event(&event)?,
                headers: (!headers.is_empty()).then(|| headers.into_iter().collect()),
            };
            print_webhooks(settings, &[client.create_webhook(&request)?])
        }
        WebhooksCommand::Update {
            id,
            url,
            event,
            headers,
            enable,
        } => {
            let headers = parse_headers(&headers)?;
            let request = UpdateWebhook {
                url,
                event: event.as_deref().map(parse_event).transpose()?,
                headers: (!headers.is_empty())
                    .then(|| Some(headers.into_iter().collect::<WebhookHeaders>())),
                enabled: enable.then_some(true),
            };
            let id = WebhookId::new(checked_id("the webhook id", id)?);
            print_webhooks(settings, &[client.update_webhook(&id, &request)?])
        }
        WebhooksCommand::Delete { id } => {
            let id = WebhookId::new(checked_id("the webhook id", id)?);
            let deleted = client.delete_webhook(&id)?;
            show(
                settings,
                &json!({ "deleted": deleted.count, "webhookId": id.as_str() }),
                |_| {
                    println!("webhook {id} deleted");
                },
            )
        }
        WebhooksCommand::Listen { .. } => Ok(()),
    }
}

/// `pluggy webhooks listen`: prints every delivery until interrupted.
fn listen(
    settings: &Settings,
    bind: SocketAddr,
    headers: Vec<(String, String)>,
    limits: Limits,
) -> Result<(), Failure> {
    let json = settings.json;
    let checked = headers.len();
    let receiver = Receiver::start_with(bind, headers, limits, move |event| match event {
        Event::Delivered(d) => {
            if json {
                let _ = json_line(&json!({ "duplicate": d.duplicate, "payload": d.raw }));
            } else {
                let payload = &d.payload;
                let field = |value: Option<&str>| sanitize(value.unwrap_or("(none)")).into_owned();
                // A payment event is about payments, not items: its own ids instead.
                let about = match payload {
                    WebhookPayload::Payment(e) => crate::payments::event_ids(e),
                    _ => format!(
                        "item {}  clientUserId {}",
                        field(payload.item_id().as_ref().map(|i| i.as_str())),
                        field(payload.client_user_id().as_ref().map(|u| u.as_str())),
                    ),
                };
                println!(
                    "{:<26} eventId {}  {}{}",
                    sanitize(payload.event().as_str()),
                    field(payload.event_id().map(|e| e.as_str())),
                    sanitize(&about),
                    if d.duplicate {
                        "  (repeat, ignored)"
                    } else {
                        ""
                    }
                );
            }
            let _ = std::io::stdout().flush();
        }
        Event::Rejected { status, reason } => {
            eprintln!("refused a request ({status}): {}", sanitize(&reason));
        }
    })
    .map_err(|e| {
        Failure::new(
            Kind::Usage,
            format!("cannot listen on {bind}: {e} (pick another --port)"),
        )
    })?;
    eprintln!(
        "listening on http://{}/ for webhook deliveries ({} custom header{} checked); Ctrl-C stops",
        receiver.addr(),
        checked,
        if checked == 1 { "" } else { "s" }
    );
    let _ = std::io::stderr().flush();
    receiver.wait();
    Ok(())
}

/// `pluggy emulator`: the emulator in the foreground until Ctrl-C.
pub fn emulator(settings: &Settings, args: &EmulatorArgs) -> Result<(), Failure> {
    let config = Config {
        host: args.host,
        port: args.port,
        sync_step_delay: Duration::from_millis(args.sync_delay_ms),
        seed: args.seed,
        rate_limits: !args.no_rate_limits,
        allow_insecure_webhooks: !args.https_webhooks_only,
        retire_v1_transactions: args.retire_v1_transactions,
        ..Config::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::other(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let emulator = Emulator::start(config).await.map_err(|e| {
            Failure::usage(format!(
                "the emulator cannot start: {e} (try another --port)"
            ))
        })?;
        if settings.json {
            json_line(&json!({
                "baseUrl": emulator.base_url(),
                "clientId": pluggy_emulator::DEFAULT_CLIENT_ID,
            }))?;
        } else {
            println!("pluggy emulator listening on {}", emulator.base_url());
            println!(
                "client id {} (the emulator's own client; `pluggy --base-url {}` uses it when \
                 PLUGGY_CLIENT_ID is unset)",
                pluggy_emulator::DEFAULT_CLIENT_ID,
                emulator.base_url()
            );
            println!("Ctrl-C stops it");
        }
        let _ = std::io::stdout().flush();
        if let Err(e) = tokio::signal::ctrl_c().await {
            eprintln!("cannot wait for Ctrl-C ({e}); stopping");
        }
        emulator.shutdown().await;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::ParameterArgs;

    #[test]
    fn headers_and_parameters_are_split_once() {
        let headers = parse_headers(&["x-token: a:b".to_owned()]).expect("valid");
        assert_eq!(headers, [("x-token".to_owned(), "a:b".to_owned())]);
        let err = parse_headers(&["no-colon".to_owned()]).expect_err("invalid");
        assert_eq!(err.kind, Kind::Usage);
        assert!(!err.message.contains("no-colon"), "{err}");

        let args = ParameterArgs {
            parameters: vec!["user=user-ok".into(), "password=a=b".into()],
            secret_parameters: Vec::new(),
        };
        let parameters = read_parameters(&args).expect("valid");
        assert_eq!(
            parameters.get("password").map(|v| v.expose_secret()),
            Some("a=b")
        );
        let bad = ParameterArgs {
            parameters: vec!["password".into()],
            secret_parameters: Vec::new(),
        };
        assert_eq!(read_parameters(&bad).expect_err("no =").kind, Kind::Usage);
    }

    #[test]
    fn headers_http_cannot_carry_are_refused_by_name_never_by_value() {
        for (pair, name) in [
            ("x-webhook-secret:whsec-1\n", "x-webhook-secret"),
            ("x-webhook-secret:whsec-1\r\nx-evil: 1", "x-webhook-secret"),
            ("x-token:whsec-1\u{1b}[2J", "x-token"),
            ("x-token:whsec-1é", "x-token"),
            ("bad name:whsec-1", "bad name"),
            ("x(token):whsec-1", "x(token)"),
            (":whsec-1", ""),
        ] {
            let err = parse_headers(&[pair.to_owned()]).expect_err(pair);
            assert_eq!(err.kind, Kind::Usage, "{pair:?}");
            assert!(err.message.contains(name), "{pair:?}: {err}");
            assert!(!err.message.contains("whsec-1"), "{pair:?}: {err}");
        }
        let ok = parse_headers(&["x-token:\t a b \t".to_owned()]).expect("valid");
        assert_eq!(ok, [("x-token".to_owned(), "a b".to_owned())]);
    }

    #[test]
    fn webhook_header_values_never_reach_the_output() {
        let hook: Webhook = serde_json::from_value(json!({
            "id": "w1", "url": "https://example.com/hook", "event": "all",
            "headers": {"x-token": "top-s3cret"},
        }))
        .expect("valid");
        let view = webhook_view(&hook).to_string();
        assert!(
            view.contains("x-token") && !view.contains("top-s3cret"),
            "{view}"
        );
        assert!(parse_event("item/updated").is_ok());
        assert_eq!(
            parse_event("item/exploded").expect_err("unknown").kind,
            Kind::Usage
        );
    }
}
