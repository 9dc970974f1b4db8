//! `pluggy connect` without a browser: the test plays the person at the printed page, creating
//! the item with the page's connect token through the API as the widget would, and reads what
//! the command prints once the flow ends.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Stdio};

use common::{EmulatorProcess, command};
use pluggy_blocking::Client;
use pluggy_core::models::{CreateItemRequest, ItemParameters};
use pluggy_core::{ConnectToken, ConnectorId};

/// `pluggy connect …` running, its first line of output read.
struct Running {
    child: Child,
    stdout: BufReader<std::process::ChildStdout>,
    first: String,
}

impl Running {
    fn start(args: &[&str]) -> Self {
        let mut child = command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn pluggy");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut first = String::new();
        stdout.read_line(&mut first).expect("first line");
        Self {
            child,
            stdout,
            first,
        }
    }

    /// The connect token in the printed page's URL.
    fn token(&self, base: &str) -> String {
        let prefix = format!("{base}/connect?connectToken=");
        let at = self
            .first
            .find(&prefix)
            .unwrap_or_else(|| panic!("no widget URL in {:?}", self.first));
        let rest = self.first[at + prefix.len()..].trim();
        assert!(rest.ends_with("&includeSandbox=true"), "{rest}");
        rest.split(['&', '"']).next().unwrap_or_default().to_owned()
    }

    /// The rest of standard output, standard error and the exit code.
    fn finish(mut self) -> (String, String, Option<i32>) {
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest).expect("stdout");
        let mut stderr = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            e.read_to_string(&mut stderr).expect("stderr");
        }
        let status = self.child.wait().expect("wait");
        (rest, stderr, status.code())
    }
}

/// What the widget does on the page: the item, created with the page's connect token only.
fn connect_bank(base: &str, token: String, user: &str, password: &str) -> String {
    let front = Client::builder()
        .base_url(base)
        .build_connect(ConnectToken::new(token))
        .expect("connect client");
    let params = ItemParameters::new()
        .with("user", user)
        .with("password", password);
    let item = front
        .create_item(&CreateItemRequest::new(ConnectorId::new(0), params))
        .expect("item created with the connect token");
    item.id.as_str().to_owned()
}

#[test]
fn the_flow_at_the_printed_page_ends_with_the_item_and_its_webhooks() {
    let emulator = EmulatorProcess::start();
    let base = emulator.url.trim_end_matches('/');
    let run = Running::start(&[
        "connect",
        "--client-user-id",
        "user-42",
        "--wait",
        "30",
        "--base-url",
        base,
    ]);
    assert!(run.first.starts_with("open "), "{:?}", run.first);
    let token = run.token(base);
    assert!(token.len() > 20, "{token}");
    let item_id = connect_bank(base, token, "user-ok", "password-ok");

    let (rest, stderr, code) = run.finish();
    assert_eq!(code, Some(0), "--- stdout\n{rest}\n--- stderr\n{stderr}");
    assert!(stderr.contains("waiting up to 30s"), "{stderr}");
    let mut lines = rest.lines();
    let item_line = lines.next().unwrap_or_default();
    assert!(item_line.starts_with(&format!("item {item_id} ")), "{rest}");
    assert!(item_line.contains("Pluggy Bank"), "{item_line}");
    assert!(item_line.contains("UPDATED"), "{item_line}");
    assert!(item_line.contains("clientUserId user-42"), "{item_line}");
    let hooks_line = lines.next().unwrap_or_default();
    assert!(hooks_line.starts_with("webhooks ("), "{rest}");
    let events: Vec<&str> = lines.filter_map(|l| l.split_whitespace().next()).collect();
    assert!(events.contains(&"item/created"), "{rest}");
    assert!(events.contains(&"item/login_succeeded"), "{rest}");
    // The API key never shows; the connect token only in the URL of the first line.
    assert!(!rest.contains("eyJ"), "{rest}");
}

#[test]
fn json_output_and_a_refused_login_exit_1_with_the_item() {
    let emulator = EmulatorProcess::start();
    let base = emulator.url.trim_end_matches('/');
    let run = Running::start(&["connect", "--json", "--wait", "30", "--base-url", base]);
    let first: serde_json::Value = serde_json::from_str(&run.first).expect("JSON");
    let url = first["widgetUrl"].as_str().expect("widgetUrl");
    let token = url
        .split_once("connectToken=")
        .and_then(|(_, t)| t.split('&').next())
        .map(str::to_owned)
        .expect("token");
    assert!(
        first["webhookUrl"]
            .as_str()
            .is_some_and(|u| u.starts_with("http://127.0.0.1:")),
        "{first}"
    );
    let item_id = connect_bank(base, token, "user-locked", "password-ok");

    let (rest, stderr, code) = run.finish();
    assert_eq!(code, Some(1), "--- stdout\n{rest}\n--- stderr\n{stderr}");
    assert!(stderr.contains("LOGIN_ERROR"), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(rest.trim()).expect("one JSON document");
    assert_eq!(report["item"]["id"], item_id.as_str());
    assert_eq!(report["item"]["status"], "LOGIN_ERROR");
    let events: Vec<&str> = report["webhooks"]
        .as_array()
        .expect("webhooks")
        .iter()
        .filter_map(|w| w["payload"]["event"].as_str())
        .collect();
    assert!(events.contains(&"item/error"), "{report}");
}

#[test]
fn no_item_before_the_deadline_is_exit_1() {
    let emulator = EmulatorProcess::start();
    let base = emulator.url.trim_end_matches('/');
    let run = Running::start(&["connect", "--wait", "1", "--base-url", base]);
    let (rest, stderr, code) = run.finish();
    assert_eq!(code, Some(1), "--- stdout\n{rest}\n--- stderr\n{stderr}");
    assert!(stderr.contains("no item was created within 1s"), "{stderr}");
}
