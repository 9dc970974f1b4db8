//! `pluggy demo`: the documented Pluggy flow, end to end, narrated.
//!
//! Without `--base-url` it starts the emulator in this process (no network, no credentials)
//! and runs a webhook receiver of its own on 127.0.0.1. Six steps:
//!
//! 1. backend: client credentials → API key (its expiry is shown, never the key);
//! 2. backend: a connect token for `clientUserId` "demo-user", with a `webhookUrl` pointing
//!    at the demo's receiver;
//! 3. front end, with only the connect token: the sandbox connectors, an item on Pluggy Bank
//!    (`user-ok`/`password-ok`), its sync followed to the end, its accounts (reduced view);
//! 4. scope: the connect token asking for transactions (`GET /v2/transactions`) is refused,
//!    by the SDK before sending and by the API when sent anyway;
//! 5. backend with the API key: every transaction of the accounts (`GET /v2/transactions`,
//!    page after page), summed;
//! 6. the webhooks received, linking the item to "demo-user" through `clientUserId`.
//!
//! The first failing step ends the demo; its number and title are in the error, and the exit
//! code tells the kind of failure. `--payments` walks a Pix payment instead
//! ([`crate::payment_demo`]).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use pluggy_blocking::ConnectClient;
use pluggy_core::http::Credential;
use pluggy_core::models::{
    ConnectTokenOptions, ConnectTokenRequest, ConnectorFilters, CreateItemRequest, Item,
    ItemParameters, ReducedAccount,
};
use pluggy_core::webhook::WebhookPayload;
use pluggy_core::{
    ConnectorId, Error, IntoCall, ItemProgress, WaitPolicy, calls, check_access, endpoints,
    parse_response,
};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::fail::{Failure, Kind};
use crate::narration::{DemoOptions, Transcript, collect_deliveries, expiry_json, stage};
use crate::output::sanitize;
use crate::receiver::{Delivery, Event, Receiver};
use crate::settings::{Expiry, Settings, is_local};

/// The `clientUserId` the demo's user goes by.
pub const DEMO_USER: &str = "demo-user";
/// The sandbox's MFA code.
const SANDBOX_MFA_CODE: &str = "123456";
/// How many steps the demo has.
const STEPS: u8 = 6;

/// The sandbox connector and credentials the demo connects.
struct Bank {
    connector: ConnectorId,
    name: &'static str,
}

impl Bank {
    fn for_options(options: &DemoOptions) -> Self {
        if options.mfa {
            Bank {
                connector: ConnectorId::new(3),
                name: "Pluggy Bank MFA 2-step",
            }
        } else {
            Bank {
                connector: ConnectorId::new(0),
                name: "Pluggy Bank",
            }
        }
    }
}

/// Runs the demo.
pub fn run(settings: &Settings, options: &DemoOptions) -> Result<(), Failure> {
    if options.payments {
        return crate::payment_demo::run(settings, options);
    }
    let started = Instant::now();
    let transcript = Transcript {
        json: settings.json,
        steps: STEPS,
    };
    let (embedded, settings) = stage(settings, options)?;
    let base_url = settings.base_url().to_owned();
    if !transcript.json {
        match &embedded {
            Some(_) => println!(
                "pluggy demo: the Pluggy flow, end to end, against the emulator at {base_url}\n\
                 (started in this process: no network, no credentials needed)"
            ),
            None => println!("pluggy demo: the Pluggy flow, end to end, against {base_url}"),
        }
    }

    // The demo's own webhook receiver, reachable only by an API on this machine.
    let (events_tx, events) = mpsc::channel::<Event>();
    let receiver = if is_local(&base_url) {
        let bind: SocketAddr = ([127, 0, 0, 1], 0).into();
        let receiver = Receiver::start(bind, Vec::new(), move |event| {
            let _ = events_tx.send(event);
        })
        .map_err(|e| Failure::other(format!("cannot start the webhook receiver: {e}")))?;
        Some(receiver)
    } else {
        None
    };
    let webhook_url = receiver
        .as_ref()
        .map(|r| format!("http://{}/webhooks/pluggy", r.addr()));
    let bank = Bank::for_options(options);
    let poll = if embedded.is_some() || is_local(&base_url) {
        Duration::from_millis(50)
    } else {
        Duration::from_secs(2)
    };

    // 1. Client credentials → API key.
    let backend = transcript.step(
        1,
        "api-key",
        "backend: client credentials → API key",
        || {
            let (key, expiry) = settings.fetch_api_key()?;
            let (client_id, _) = settings.credentials()?;
            transcript.line(format!(
                "POST /auth with client id {}: API key received",
                client_id.as_str()
            ));
            transcript.line(format!(
                "it {}; the key itself is never printed",
                expiry.describe("2 hours")
            ));
            transcript.line(
                "the SDK's Client does this on its own and refreshes the key ahead of expiry",
            );
            let client = settings.client_with_key(key)?;
            Ok((client, expiry_json(&expiry)))
        },
    )?;

    // 2. A connect token for the user.
    let grant = transcript.step(
        2,
        "connect-token",
        "backend: connect token for clientUserId \"demo-user\"",
        || {
            let request = ConnectTokenRequest {
                options: Some(ConnectTokenOptions {
                    client_user_id: Some(DEMO_USER.into()),
                    webhook_url: webhook_url.clone(),
                    ..Default::default()
                }),
                ..Default::default()
            };
            let grant = backend.create_connect_token(&request).map_err(|e| {
                let refused_url = webhook_url.is_some() && e.status() == Some(400);
                let failure = Failure::from(e);
                if refused_url {
                    failure.context(
                        "the API refused the demo's local webhook URL (an emulator needs \
                         --allow-insecure-webhooks; `pluggy emulator` allows it by default)",
                    )
                } else {
                    failure
                }
            })?;
            let expiry = Expiry::of_jwt(grant.token().expose_secret());
            transcript.line(format!(
                "POST /connect_token with clientUserId \"{DEMO_USER}\"{}",
                match &webhook_url {
                    Some(url) => format!(" and webhookUrl {url} (the demo's receiver)"),
                    None => String::new(),
                }
            ));
            transcript.line(format!(
                "connect token received; it {}; it goes to the front end and nowhere else",
                expiry.describe("30 minutes")
            ));
            let mut data = expiry_json(&expiry);
            data["clientUserId"] = json!(DEMO_USER);
            data["webhookUrl"] = json!(webhook_url);
            Ok((grant, data))
        },
    )?;

    // 3. The front end, with the connect token only.
    let front_title = format!(
        "front end, with only the connect token: connect {}",
        bank.name
    );
    let (front, item, accounts) = transcript.step(3, "connect", &front_title, || {
        let front = pluggy_blocking::Client::builder()
            .base_url(&base_url)
            .build_connect_grant(grant.clone())?;
        let (item, accounts, data) = connect(&transcript, &front, &bank, options, poll)?;
        Ok(((front, item, accounts), data))
    })?;

    // 4. The connect token's scope.
    transcript.step(
        4,
        "scope",
        "scope: the connect token asks for transactions",
        || scope(&transcript, &settings, &front, &accounts),
    )?;

    // 5. The backend reads the transactions with its API key.
    transcript.step(
        5,
        "transactions",
        "backend, with the API key: the accounts' transactions, summed",
        || {
            let mut per_account = Vec::new();
            let mut count = 0usize;
            let mut sums: BTreeMap<String, Decimal> = BTreeMap::new();
            for account in &accounts {
                let transactions = backend
                    .transactions(&account.id, &Default::default())
                    .collect::<Result<Vec<_>, Error>>()?;
                let sum: Decimal = transactions.iter().map(|t| t.amount).sum();
                transcript.line(format!(
                    "{}: {} transactions, sum {} {}",
                    account.name,
                    transactions.len(),
                    sum,
                    account.currency_code
                ));
                count += transactions.len();
                *sums.entry(account.currency_code.clone()).or_default() += sum;
                per_account.push(json!({
                    "accountId": account.id.as_str(), "name": account.name,
                    "transactions": transactions.len(), "sum": sum.to_string(),
                    "currencyCode": account.currency_code,
                }));
            }
            let totals: Vec<String> = sums.iter().map(|(c, s)| format!("{s} {c}")).collect();
            transcript.line(format!(
                "total: {count} transactions, {}",
                if totals.is_empty() {
                    "nothing to sum".to_owned()
                } else {
                    totals.join(", ")
                }
            ));
            let totals_json: BTreeMap<&String, String> =
                sums.iter().map(|(c, s)| (c, s.to_string())).collect();
            let data =
                json!({ "accounts": per_account, "transactions": count, "sums": totals_json });
            Ok(((), data))
        },
    )?;

    // 6. The webhooks.
    transcript.step(
        6,
        "webhooks",
        "webhooks: the item linked to \"demo-user\" through clientUserId",
        || match &receiver {
            Some(_) => webhooks(&transcript, &events, &item, options.webhook_wait),
            None => {
                transcript.line(format!(
                    "skipped: {base_url} cannot reach a receiver on this machine; the item's \
                     clientUserId is \"{}\"",
                    item.client_user_id
                        .as_ref()
                        .map(|u| u.as_str())
                        .unwrap_or("(none)")
                ));
                Ok(((), json!({ "skipped": true })))
            }
        },
    )?;

    drop(receiver);
    drop(embedded);
    if !transcript.json {
        println!(
            "\ndone: all {STEPS} steps succeeded in {:.1}s",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Step 3: connectors, the item, its sync, its reduced accounts.
fn connect(
    transcript: &Transcript,
    front: &ConnectClient,
    bank: &Bank,
    options: &DemoOptions,
    poll: Duration,
) -> Result<(Item, Vec<ReducedAccount>, Value), Failure> {
    let connectors = front.list_connectors(&ConnectorFilters {
        sandbox: Some(true),
        ..Default::default()
    })?;
    let sandbox: Vec<String> = connectors
        .results
        .iter()
        .filter(|c| c.is_sandbox == Some(true))
        .map(|c| format!("{} ({})", c.name, c.id.get()))
        .collect();
    transcript.line(format!(
        "GET /connectors?sandbox=true: {} connectors; sandbox: {}",
        connectors.results.len(),
        sandbox.join(", ")
    ));
    if !connectors.results.iter().any(|c| c.id == bank.connector) {
        return Err(Failure::new(
            Kind::Api,
            format!(
                "connector {} ({}) is not in the list: is this a sandbox-enabled application?",
                bank.connector.get(),
                bank.name
            ),
        ));
    }

    let parameters = ItemParameters::new()
        .with("user", "user-ok")
        .with("password", "password-ok");
    let item = front.create_item(&CreateItemRequest::new(bank.connector, parameters))?;
    transcript.line(format!(
        "POST /items on {} ({}) with user-ok / password-ok: item {}",
        bank.name,
        bank.connector.get(),
        item.id
    ));

    let started = Instant::now();
    let mut last: Option<(String, String)> = None;
    let mut statuses: Vec<Value> = Vec::new();
    let mut mfa_asked = 0u32;
    let policy = WaitPolicy {
        poll_interval: poll,
        deadline: Duration::from_secs(300),
    };
    let on_progress = |item: &Item| {
        let now = (item.status.to_string(), item.execution_status.to_string());
        if last.as_ref() != Some(&now) {
            transcript.line(format!(
                "  {:>5.1}s  {:<20} {}",
                started.elapsed().as_secs_f64(),
                now.0,
                now.1
            ));
            statuses.push(json!({ "status": now.0, "executionStatus": now.1 }));
            last = Some(now);
        }
    };
    let answer = |prompt: Option<pluggy_core::models::ConnectorCredential>| {
        if !options.mfa {
            return None;
        }
        mfa_asked += 1;
        let (name, label) = prompt
            .map(|p| (p.name, p.label))
            .unwrap_or_else(|| ("token".to_owned(), "Token".to_owned()));
        transcript.line(format!(
            "  MFA asked for \"{label}\": POST /items/{{id}}/mfa with the sandbox code {SANDBOX_MFA_CODE}"
        ));
        Some(ItemParameters::new().with(name, SANDBOX_MFA_CODE))
    };
    let item = front.wait_for_item_with_mfa(&item.id, policy, on_progress, answer)?;
    match item.progress() {
        ItemProgress::Done { partial } => transcript.line(format!(
            "sync finished in {:.1}s{}",
            started.elapsed().as_secs_f64(),
            if partial { " (partially)" } else { "" }
        )),
        ItemProgress::Failed { reason, .. } => {
            return Err(Failure::other(format!("the item's sync failed: {reason}")));
        }
        ItemProgress::NeedsMfaInput { .. } => {
            return Err(Failure::other(
                "the item asks for an MFA code the demo did not expect (run `pluggy demo --mfa` for the MFA connector)",
            ));
        }
        other => {
            return Err(Failure::other(format!(
                "the item stopped waiting in an unexpected state: {other:?}"
            )));
        }
    }

    let accounts = front.list_accounts(&item.id)?.results;
    transcript.line(format!(
        "GET /accounts?itemId={}: {} accounts, in the reduced view (no balance, owner or tax number)",
        item.id,
        accounts.len()
    ));
    for account in &accounts {
        transcript.line(format!(
            "  {:<24} {}/{}  number {}  {}",
            account.name, account.kind, account.subtype, account.number, account.currency_code
        ));
    }
    if accounts.is_empty() {
        return Err(Failure::other("the item has no accounts"));
    }
    let data = json!({
        "connectorId": bank.connector.get(),
        "itemId": item.id.as_str(),
        "statuses": statuses,
        "mfaAnswered": mfa_asked,
        "accounts": accounts,
    });
    Ok((item, accounts, data))
}

/// Step 4: transactions with the connect token are refused, locally and by the API.
fn scope(
    transcript: &Transcript,
    settings: &Settings,
    front: &ConnectClient,
    accounts: &[ReducedAccount],
) -> Result<((), Value), Failure> {
    let Some(account) = accounts.first() else {
        return Err(Failure::other("no account to ask transactions of"));
    };
    let call = calls::list_transactions_cursor(&account.id, &Default::default()).into_call()?;
    let grant = front.grant();
    let local = match check_access(&call, grant.credential_scope()) {
        Err(refusal) => refusal.to_string(),
        Ok(()) => {
            return Err(Failure::new(
                Kind::Scope,
                "the SDK would let a connect token read transactions",
            ));
        }
    };
    transcript.line(format!(
        "{}?accountId={}: refused by the SDK, nothing sent:",
        endpoints::TRANSACTIONS_LIST_BY_CURSOR,
        account.id
    ));
    transcript.line(format!("  {local}"));
    let raw = settings.send(&call, Credential::ConnectToken(grant.token()))?;
    let remote = match parse_response::<Value>(&endpoints::TRANSACTIONS_LIST_BY_CURSOR, &raw) {
        Err(Error::Api(api)) if api.status == 403 || api.status == 401 => api,
        Err(other) => return Err(other.into()),
        Ok(_) => {
            return Err(Failure::new(
                Kind::Scope,
                format!(
                    "the API answered {} with transactions to a connect token",
                    raw.status()
                ),
            ));
        }
    };
    transcript.line(format!(
        "sent anyway, the API refuses it too: {} {}{}",
        remote.status,
        remote.code_description().unwrap_or(""),
        if remote.body.message.is_empty() || remote.body.message == local {
            String::new()
        } else {
            format!(" \"{}\"", remote.body.message)
        }
    ));
    transcript.line("why: a connect token is for Pluggy Connect, which only creates and follows its own item; the data is read by the backend with the API key");
    let data = json!({
        "endpoint": endpoints::TRANSACTIONS_LIST_BY_CURSOR.to_string(),
        "sdkRefusal": local,
        "apiStatus": remote.status,
        "apiCode": remote.code_description(),
        "apiMessage": sanitize(&remote.body.message),
    });
    Ok(((), data))
}

/// Step 6: the deliveries of the demo's receiver, until the item's final event.
fn webhooks(
    transcript: &Transcript,
    events: &mpsc::Receiver<Event>,
    item: &Item,
    wait: Duration,
) -> Result<((), Value), Failure> {
    let deadline = Instant::now() + wait;
    let is_final = |d: &Delivery| {
        d.payload.item_id().as_ref() == Some(&item.id)
            && matches!(
                d.payload,
                WebhookPayload::ItemCreated(_) | WebhookPayload::ItemUpdated(_)
            )
    };
    let received = collect_deliveries(transcript, events, deadline, is_final);
    let mut listed = Vec::new();
    for d in &received {
        let user = d.payload.client_user_id();
        transcript.line(format!(
            "{:<26} item {}  clientUserId {}{}",
            d.payload.event().as_str(),
            d.payload
                .item_id()
                .map(|i| i.as_str().to_owned())
                .unwrap_or_default(),
            user.as_ref().map(|u| u.as_str()).unwrap_or("(none)"),
            if d.duplicate {
                "  (repeat, ignored)"
            } else {
                ""
            }
        ));
        listed.push(d.raw.clone());
    }
    if !received.iter().any(is_final) {
        return Err(Failure::other(format!(
            "no item/created or item/updated webhook for item {} arrived within {}s ({} other deliveries)",
            item.id,
            wait.as_secs(),
            received.len()
        )));
    }
    let linked = received.iter().any(|d| {
        is_final(d)
            && d.payload
                .client_user_id()
                .is_some_and(|u| u.as_str() == DEMO_USER)
    });
    if !linked {
        return Err(Failure::other(format!(
            "the webhooks of item {} do not carry clientUserId \"{DEMO_USER}\"",
            item.id
        )));
    }
    transcript.line(format!(
        "→ item {} belongs to \"{DEMO_USER}\": the backend stores that link and reads the data with its API key",
        item.id
    ));
    Ok((
        (),
        json!({ "itemId": item.id.as_str(), "clientUserId": DEMO_USER, "events": listed }),
    ))
}
