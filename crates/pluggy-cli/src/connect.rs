//! `pluggy connect`: Pluggy Connect for a person, against an emulator. A connect token for
//! the user, the emulator's standalone widget page to open with it, and, once the person has
//! connected a bank there, the item and the webhooks the flow sent.
//!
//! The webhooks go to a receiver of this process ([`crate::receiver`]), subscribed through
//! the connect token's `webhookUrl` as `pluggy demo` does: only an API on this machine reaches
//! it. Against Pluggy's API there is no page to open (Pluggy Connect runs in your front end),
//! so the command prints the token and how to use it.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use pluggy_blocking::Client;
use pluggy_core::models::{ConnectTokenOptions, ConnectTokenRequest, Item};
use pluggy_core::{BaseUrl, ItemId, ItemProgress, calls};
use serde_json::{Value, json};

use crate::caller::Caller;
use crate::fail::Failure;
use crate::output::{json_line, sanitize};
use crate::receiver::{Event, Receiver};
use crate::settings::{Settings, is_local};

/// How often the item is read once a webhook named it.
const POLL: Duration = Duration::from_millis(200);
/// After the webhook of the item's final state, how long late ones (`transactions/created`,
/// …) are still collected.
const GRACE: Duration = Duration::from_millis(500);

/// What `pluggy connect` was asked.
#[derive(Debug)]
pub struct ConnectOptions {
    /// The `clientUserId` of the token.
    pub client_user_id: Option<String>,
    /// Open the page in a browser.
    pub open: bool,
    /// How long to wait for the flow to end.
    pub wait: Duration,
}

/// One webhook delivery, as printed.
struct Hook {
    event: String,
    event_id: Option<String>,
    item_id: Option<String>,
    duplicate: bool,
    raw: Value,
}

/// Runs `pluggy connect`.
pub fn run(settings: &Settings, options: &ConnectOptions) -> Result<(), Failure> {
    let base = settings.base_url().trim_end_matches('/').to_owned();
    let real_api = base == BaseUrl::DEFAULT;
    let (events_tx, events) = mpsc::channel::<Event>();
    let receiver = if is_local(&base) {
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

    let request = ConnectTokenRequest {
        options: Some(ConnectTokenOptions {
            client_user_id: options.client_user_id.clone().map(Into::into),
            webhook_url: webhook_url.clone(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let caller = Caller::of(settings)?;
    let backend = caller.backend(calls::create_connect_token(&request))?;
    let grant = backend.create_connect_token(&request)?;
    let token = grant.token().expose_secret();

    if real_api {
        // No page to open: Pluggy Connect is the front end's.
        if settings.json {
            json_line(&json!({ "accessToken": token, "widgetUrl": null }))?;
        } else {
            println!("{token}");
            eprintln!(
                "pluggy connect: {base} is Pluggy's API, which serves no Connect page; open \
                 Pluggy Connect in your front end with this connect token (the script \
                 https://cdn.pluggy.ai/pluggy-connect/latest/pluggy-connect.js, then \
                 new PluggyConnect({{connectToken}}).init()). Against `pluggy emulator`, this \
                 command prints the emulator's page and waits for the flow's end."
            );
        }
        return Ok(());
    }

    // The emulator's banks are sandbox connectors (Pluggy Bank): listed.
    let url = format!(
        "{base}/connect?connectToken={}&includeSandbox=true",
        query_escape(token)
    );
    if settings.json {
        json_line(&json!({ "widgetUrl": url, "webhookUrl": webhook_url }))?;
    } else {
        println!("open {}", sanitize(&url));
    }
    let _ = std::io::stdout().flush();
    if options.open {
        open_in_browser(&url);
    }
    let Some(receiver) = receiver else {
        eprintln!(
            "pluggy connect: {} is not on this machine, so its webhooks cannot reach this \
             command; follow the item with `pluggy items get` once it is created",
            sanitize(&base)
        );
        return Ok(());
    };
    eprintln!(
        "waiting up to {}s for the flow to end (webhooks to http://{}/webhooks/pluggy)…",
        options.wait.as_secs(),
        receiver.addr()
    );
    let _ = std::io::stderr().flush();

    let outcome = follow(backend, &events, options.wait);
    drop(receiver);
    let (item, hooks) = outcome?;
    report(settings, &item, &hooks)?;
    match ItemProgress::of(&item) {
        ItemProgress::Done { .. } => Ok(()),
        ItemProgress::Failed { reason, .. } => Err(Failure::other(format!(
            "the connection ended in {}: {reason}",
            item.status
        ))),
        _ => Ok(()),
    }
}

/// Waits for a webhook naming an item, then for that item's final state, collecting every
/// delivery; fails once `wait` has passed.
fn follow(
    backend: &Client,
    events: &mpsc::Receiver<Event>,
    wait: Duration,
) -> Result<(Item, Vec<Hook>), Failure> {
    let deadline = Instant::now() + wait;
    let mut hooks: Vec<Hook> = Vec::new();
    let mut item_id: Option<ItemId> = None;
    let mut last_poll: Option<Instant> = None;
    // The item once final, and since when its own final webhook is in.
    let mut done: Option<(Item, Option<Instant>)> = None;
    loop {
        let now = Instant::now();
        if let Some((item, final_hook)) = &done {
            let settled = final_hook.is_some_and(|at| now >= at + GRACE);
            if settled || now >= deadline {
                if !settled {
                    eprintln!(
                        "warning: the item is {} but no {} webhook has arrived",
                        item.status,
                        final_events(item).join(" or ")
                    );
                }
                let id = item.id.as_str().to_owned();
                hooks.retain(|h| h.item_id.as_deref().is_none_or(|i| i == id));
                return Ok((item.clone(), hooks));
            }
        } else if now >= deadline {
            let what = match &item_id {
                Some(id) => format!("item {} did not reach a final state", sanitize(id.as_str())),
                None => "no item was created".to_owned(),
            };
            return Err(Failure::other(format!(
                "{what} within {}s (--wait)",
                wait.as_secs()
            )));
        }
        match events.recv_timeout(POLL) {
            Ok(Event::Delivered(d)) => {
                let payload = &d.payload;
                let hook = Hook {
                    event: payload.event().as_str().to_owned(),
                    event_id: payload.event_id().map(|e| e.as_str().to_owned()),
                    item_id: payload.item_id().map(|i| i.as_str().to_owned()),
                    duplicate: d.duplicate,
                    raw: d.raw,
                };
                if item_id.is_none() {
                    item_id = hook.item_id.clone().map(ItemId::new);
                }
                hooks.push(hook);
                // A delivery may say the state changed: read the item now.
                last_poll = None;
            }
            Ok(Event::Rejected { status, reason }) => {
                eprintln!("refused a request ({status}): {}", sanitize(&reason));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(Failure::other("the webhook receiver stopped"));
            }
        }
        let due = last_poll.is_none_or(|at| at.elapsed() >= POLL);
        if let (Some(id), None, true) = (&item_id, &done, due) {
            last_poll = Some(Instant::now());
            let item = backend.get_item(id)?;
            if ItemProgress::of(&item).is_terminal() {
                done = Some((item, None));
            }
        }
        if let Some((item, final_hook @ None)) = &mut done {
            let wanted = final_events(item);
            let id = item.id.as_str();
            if hooks
                .iter()
                .any(|h| wanted.contains(&h.event.as_str()) && h.item_id.as_deref() == Some(id))
            {
                *final_hook = Some(Instant::now());
            }
        }
    }
}

/// The webhooks that tell of the item's final state: `item/created` after its first sync,
/// `item/updated` after a later one, `item/error` when it failed.
fn final_events(item: &Item) -> &'static [&'static str] {
    match ItemProgress::of(item) {
        ItemProgress::Done { .. } => &["item/created", "item/updated"],
        _ => &["item/error"],
    }
}

/// Prints the item and its webhooks.
fn report(settings: &Settings, item: &Item, hooks: &[Hook]) -> Result<(), Failure> {
    if settings.json {
        let webhooks: Vec<Value> = hooks
            .iter()
            .map(|h| json!({ "duplicate": h.duplicate, "payload": h.raw }))
            .collect();
        return json_line(&json!({ "item": item, "webhooks": webhooks }));
    }
    let field = |v: Option<&str>| sanitize(v.unwrap_or("(none)")).into_owned();
    println!(
        "item {}  {}  {}  clientUserId {}",
        sanitize(item.id.as_str()),
        field(item.connector.as_ref().map(|c| c.name.as_str())),
        sanitize(item.status.as_str()),
        field(item.client_user_id.as_ref().map(|u| u.as_str())),
    );
    println!("webhooks ({}):", hooks.len());
    for hook in hooks {
        println!(
            "  {:<24} eventId {}{}",
            sanitize(&hook.event),
            field(hook.event_id.as_deref()),
            if hook.duplicate { "  (repeat)" } else { "" }
        );
    }
    Ok(())
}

/// Percent-encodes what a query value cannot carry as is (a JWT never needs it).
fn query_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Asks the desktop to open `url`; a failure is a warning, the URL is printed anyway.
fn open_in_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let spawned = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match spawned {
        // Reaped on its own thread: the opener returns at once, the browser lives on.
        Ok(mut child) => {
            std::thread::spawn(move || match child.wait() {
                Ok(status) if !status.success() => eprintln!(
                    "warning: {opener} could not open the page ({status}); open it by hand"
                ),
                _ => {}
            });
        }
        Err(e) => eprintln!("warning: cannot run {opener} ({e}); open the page by hand"),
    }
}

#[cfg(test)]
mod tests {
    use super::query_escape;

    #[test]
    fn a_token_goes_into_the_query_as_is_and_anything_else_escaped() {
        assert_eq!(query_escape("eyJ.a-b_c"), "eyJ.a-b_c");
        assert_eq!(query_escape("a b&c=d"), "a%20b%26c%3Dd");
    }
}
