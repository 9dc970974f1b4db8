//! The everyday commands, run as a user runs them against `pluggy emulator`.

mod common;

use common::{Background, EmulatorProcess, closed_port, pluggy, pluggy_with};

/// Runs `pluggy --base-url URL ARGS…` (the emulator's own client is used on its own).
fn at(url: &str, args: &[&str]) -> common::Run {
    let mut all = vec!["--base-url", url];
    all.extend_from_slice(args);
    pluggy(&all)
}

fn at_with_stdin(url: &str, args: &[&str], stdin: &str) -> common::Run {
    let mut all = vec!["--base-url", url];
    all.extend_from_slice(args);
    pluggy_with(&all, &[], stdin)
}

#[test]
fn an_item_from_creation_to_its_data() {
    let emulator = EmulatorProcess::start();
    let url = emulator.url.as_str();

    let check = at(url, &["auth", "check"]).expect_code(0);
    assert!(
        check.stdout.contains("credentials accepted"),
        "{}",
        check.stdout
    );
    assert!(check.stdout.contains("expires"), "{}", check.stdout);
    assert!(
        !check.stdout.contains("eyJ"),
        "the key was printed: {}",
        check.stdout
    );

    let connectors = at(url, &["connectors", "list", "--sandbox", "--json"]).expect_code(0);
    let list = connectors.json();
    assert!(
        list.as_array()
            .expect("array")
            .iter()
            .any(|c| c["id"] == 0 && c["name"] == "Pluggy Bank"),
        "{list}"
    );
    let table = at(url, &["connectors", "list", "--sandbox"]).expect_code(0);
    assert!(table.stdout.starts_with("ID  "), "{}", table.stdout);
    assert!(
        table.stdout.contains("Pluggy Bank MFA 2-step"),
        "{}",
        table.stdout
    );

    // The password comes from standard input, not the command line.
    let created = at_with_stdin(
        url,
        &[
            "items",
            "create",
            "--connector-id",
            "0",
            "--parameter",
            "user=user-ok",
            "--secret-parameter",
            "password",
            "--client-user-id",
            "user-42",
            "--wait",
            "--json",
        ],
        "password-ok\n",
    )
    .expect_code(0);
    // Progress on stderr, the final item alone on stdout.
    let last = created.json();
    assert_eq!(last["status"], "UPDATED", "{}", created.stdout);
    assert!(created.stderr.contains("SUCCESS"), "{}", created.stderr);
    let item = last["id"].as_str().expect("item id").to_owned();

    let got = at(url, &["items", "get", &item, "--json"])
        .expect_code(0)
        .json();
    assert_eq!(got["clientUserId"], "user-42");
    assert_eq!(got["status"], "UPDATED");

    let accounts = at(url, &["accounts", "list", "--item-id", &item, "--json"])
        .expect_code(0)
        .json();
    let accounts = accounts.as_array().expect("array");
    assert!(!accounts.is_empty());
    let account = accounts[0]["id"].as_str().expect("id");
    assert!(
        accounts[0].get("balance").is_some(),
        "the API key sees balances"
    );

    let all = at(
        url,
        &[
            "transactions",
            "list",
            "--account-id",
            account,
            "--all",
            "--json",
        ],
    )
    .expect_code(0)
    .json();
    let all = all.as_array().expect("array");
    assert!(!all.is_empty());
    assert!(all.iter().all(|t| t["accountId"] == account));
    let page = at(
        url,
        &["transactions", "list", "--account-id", account, "--json"],
    )
    .expect_code(0)
    .json();
    // One cursor page of GET /v2/transactions, with the query of the next one.
    let results = page["results"].as_array().expect("results");
    assert!(results.len() <= all.len(), "{page}");
    assert!(results.iter().all(|t| all.contains(t)), "{page}");
    assert!(page.get("next").is_some(), "{page}");

    let identity = at(url, &["identity", "get", "--item-id", &item, "--json"])
        .expect_code(0)
        .json();
    assert_eq!(identity["itemId"], item.as_str());
    at(url, &["investments", "list", "--item-id", &item, "--json"]).expect_code(0);

    let deleted = at(url, &["items", "delete", &item]).expect_code(0);
    assert!(deleted.stdout.contains("deleted"), "{}", deleted.stdout);
    // Gone: an API error, with advice.
    let missing = at(url, &["items", "get", &item]).expect_code(5);
    assert!(missing.stderr.contains("404"), "{}", missing.stderr);
    assert!(
        missing.stderr.contains("check the id"),
        "{}",
        missing.stderr
    );
}

#[test]
fn a_refused_login_fails_the_wait_and_an_mfa_prompt_is_answered_from_stdin() {
    let emulator = EmulatorProcess::start();
    let url = emulator.url.as_str();
    let locked = at(
        url,
        &[
            "items",
            "create",
            "--connector-id",
            "0",
            "--parameter",
            "user=user-locked",
            "--parameter",
            "password=password-ok",
            "--wait",
        ],
    )
    .expect_code(1);
    assert!(locked.stderr.contains("sync failed"), "{}", locked.stderr);

    let mfa = at_with_stdin(
        url,
        &[
            "items",
            "create",
            "--connector-id",
            "3",
            "--parameter",
            "user=user-ok",
            "--parameter",
            "password=password-ok",
            "--wait",
            "--json",
        ],
        "123456\n",
    )
    .expect_code(0);
    assert!(mfa.stderr.contains("WAITING_USER_INPUT"), "{}", mfa.stderr);
    assert_eq!(mfa.json()["status"], "UPDATED");
}

#[test]
fn connect_tokens_print_alone_for_piping() {
    let emulator = EmulatorProcess::start();
    let run = at(
        &emulator.url,
        &[
            "connect-token",
            "create",
            "--client-user-id",
            "user-42",
            "--avoid-duplicates",
        ],
    )
    .expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    assert_eq!(lines[0].split('.').count(), 3, "a JWT: {}", lines[0]);
}

#[test]
fn exit_codes_tell_failures_apart() {
    // Usage: clap's own code, and ours for bad values.
    let run = pluggy(&["items", "create"]).expect_code(2);
    assert!(run.stderr.contains("--connector-id"), "{}", run.stderr);
    let url = format!("http://127.0.0.1:{}", closed_port());
    let run = at(
        &url,
        &[
            "transactions",
            "list",
            "--account-id",
            "a",
            "--from",
            "2024-13-01",
        ],
    )
    .expect_code(2);
    assert!(run.stderr.contains("YYYY-MM-DD"), "{}", run.stderr);

    // Configuration: a remote API needs credentials from the environment.
    let run = at("https://api.invalid", &["auth", "check"]).expect_code(2);
    assert!(
        run.stderr.contains("PLUGGY_CLIENT_ID is not set"),
        "{}",
        run.stderr
    );

    // Network.
    let run = at(&url, &["auth", "check"]).expect_code(6);
    assert!(run.stderr.contains("could not connect"), "{}", run.stderr);

    // Auth.
    let emulator = EmulatorProcess::start();
    let run = pluggy_with(
        &["--base-url", &emulator.url, "connectors", "list"],
        &[
            ("PLUGGY_CLIENT_ID", "nobody"),
            ("PLUGGY_CLIENT_SECRET", "wrong-secret"),
        ],
        "",
    )
    .expect_code(3);
    assert!(
        run.stderr.contains("PLUGGY_CLIENT_SECRET"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("wrong-secret"), "{}", run.stderr);

    // API error.
    let run = at(&emulator.url, &["connectors", "get", "999999"]).expect_code(5);
    assert!(run.stderr.contains("404"), "{}", run.stderr);
}

#[test]
fn webhooks_are_managed_and_received_by_listen() {
    let emulator = EmulatorProcess::start();
    let url = emulator.url.as_str();
    let mut listener = Background::spawn(&[
        "webhooks",
        "listen",
        "--port",
        "0",
        "--header",
        "x-hook-token:letmein",
    ]);
    let banner = listener.stderr_line();
    let address = banner
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {banner:?}"))
        .to_owned();

    let created = at(
        url,
        &[
            "webhooks",
            "create",
            "--url",
            &address,
            "--event",
            "all",
            "--header",
            "x-hook-token:letmein",
            "--json",
        ],
    )
    .expect_code(0)
    .json();
    let hook = created[0]["id"].as_str().expect("id").to_owned();
    assert_eq!(created[0]["headers"]["x-hook-token"], "<hidden>");

    let listed = at(url, &["webhooks", "list"]).expect_code(0);
    assert!(listed.stdout.contains(&hook), "{}", listed.stdout);
    assert!(listed.stdout.contains("x-hook-token"), "{}", listed.stdout);
    assert!(!listed.stdout.contains("letmein"), "{}", listed.stdout);

    at(
        url,
        &[
            "items",
            "create",
            "--connector-id",
            "0",
            "--parameter",
            "user=user-ok",
            "--parameter",
            "password=password-ok",
            "--client-user-id",
            "user-7",
        ],
    )
    .expect_code(0);
    let mut seen = String::new();
    while !seen.contains("item/created") {
        let line = listener.line();
        assert!(!line.is_empty(), "the listener stopped; saw:\n{seen}");
        seen.push_str(&line);
    }
    assert!(seen.contains("clientUserId user-7"), "{seen}");

    let updated = at(
        url,
        &[
            "webhooks",
            "update",
            &hook,
            "--event",
            "item/error",
            "--json",
        ],
    )
    .expect_code(0)
    .json();
    assert_eq!(updated[0]["event"], "item/error");
    assert_eq!(updated[0]["headers"]["x-hook-token"], "<hidden>");
    at(url, &["webhooks", "delete", &hook]).expect_code(0);
    let listed = at(url, &["webhooks", "list", "--json"])
        .expect_code(0)
        .json();
    assert_eq!(listed.as_array().map(Vec::len), Some(0), "{listed}");
}

#[test]
fn a_connect_token_acts_as_the_front_end_and_is_refused_the_rest() {
    let emulator = EmulatorProcess::start();
    let url = emulator.url.as_str();
    let token = at(
        url,
        &["connect-token", "create", "--client-user-id", "user-9"],
    )
    .expect_code(0)
    .stdout
    .trim()
    .to_owned();
    let other = at(
        url,
        &[
            "items",
            "create",
            "--connector-id",
            "0",
            "--parameter",
            "user=user-ok",
            "--parameter",
            "password=password-ok",
            "--json",
        ],
    )
    .expect_code(0)
    .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let front = |args: &[&str]| {
        let mut all = vec!["--base-url", url];
        all.extend_from_slice(args);
        pluggy_with(&all, &[("PLUGGY_CONNECT_TOKEN", &token)], "")
    };

    let connectors = front(&["connectors", "list", "--sandbox", "--json"]).expect_code(0);
    assert!(connectors.json().as_array().is_some_and(|l| !l.is_empty()));
    let item = front(&[
        "items",
        "create",
        "--connector-id",
        "0",
        "--parameter",
        "user=user-ok",
        "--parameter",
        "password=password-ok",
        "--json",
    ])
    .expect_code(0)
    .json();
    let item = item["id"].as_str().expect("id").to_owned();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let got = front(&["items", "get", &item, "--json"])
            .expect_code(0)
            .json();
        assert_eq!(got["clientUserId"], "user-9");
        if got["status"] == "UPDATED" || std::time::Instant::now() > deadline {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let accounts = front(&["accounts", "list", "--item-id", &item, "--json"])
        .expect_code(0)
        .json();
    let accounts = accounts.as_array().expect("array");
    assert!(!accounts.is_empty());
    for account in accounts {
        assert!(account.get("balance").is_none(), "reduced view: {account}");
    }

    // Outside the token's scope: refused before sending, exit 4, and told why.
    let refused = front(&["transactions", "list", "--account-id", "any"]).expect_code(4);
    assert!(
        refused.stderr.contains("needs an API key"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("PLUGGY_CONNECT_TOKEN"),
        "{}",
        refused.stderr
    );
    front(&["items", "delete", &item]).expect_code(4);
    front(&["webhooks", "list"]).expect_code(4);
    // Another item: the API refuses it (the CLI cannot know the token's item), exit 4 too.
    let theirs = front(&["items", "get", &other]).expect_code(4);
    assert!(theirs.stderr.contains("403"), "{}", theirs.stderr);
    // Waiting is the backend's job.
    front(&["items", "wait", &item]).expect_code(2);
}

#[test]
fn the_emulator_announces_itself_as_json_too() {
    let mut emulator = Background::spawn(&["emulator", "--port", "0", "--json"]);
    let line = emulator.line();
    let announced: serde_json::Value =
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    let url = announced["baseUrl"].as_str().expect("baseUrl");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let check = at(url, &["auth", "check", "--json"]).expect_code(0).json();
    assert_eq!(check["ok"], true);
    assert_eq!(check["clientId"], announced["clientId"]);
    assert!(check.get("apiKey").is_none(), "{check}");
}

#[test]
fn connectors_validate_reports_the_api_verdict() {
    let emulator = EmulatorProcess::start();
    let url = emulator.url.as_str();
    let good = at(
        url,
        &[
            "connectors",
            "validate",
            "0",
            "--parameter",
            "user=user-ok",
            "--parameter",
            "password=password-ok",
            "--json",
        ],
    )
    .expect_code(0)
    .json();
    assert_eq!(good["valid"], true, "{good}");
    assert_eq!(good["errors"].as_array().map(Vec::len), Some(0), "{good}");

    let bad_args = [
        "connectors",
        "validate",
        "0",
        "--parameter",
        "user=nobody",
        "--parameter",
        "password=123",
    ];
    let bad = at(url, &bad_args).expect_code(1);
    assert!(!bad.stdout.contains("credentials pass"), "{}", bad.stdout);
    assert!(bad.stdout.contains("PARAMETER"), "{}", bad.stdout);
    for name in ["user", "password"] {
        assert!(
            bad.stderr.contains(&format!("{name}: ")),
            "{name} not named: {}",
            bad.stderr
        );
    }
    let mut json_args = bad_args.to_vec();
    json_args.push("--json");
    let bad = at(url, &json_args).expect_code(1);
    let verdict = bad.json();
    assert_eq!(verdict["valid"], false, "{verdict}");
    let named: Vec<&str> = verdict["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["parameter"].as_str())
        .collect();
    assert!(
        named.contains(&"user") && named.contains(&"password"),
        "{verdict}"
    );
}

/// The address `pluggy webhooks listen` announces on its first line of standard error.
fn listen_address(listener: &mut Background) -> std::net::SocketAddr {
    let banner = listener.stderr_line();
    banner
        .split_whitespace()
        .find_map(|w| w.strip_prefix("http://"))
        .and_then(|a| a.trim_end_matches('/').parse().ok())
        .unwrap_or_else(|| panic!("no address in {banner:?}"))
}

fn read_answer(stream: &mut std::net::TcpStream) -> String {
    use std::io::Read;
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .expect("timeout");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn listen_prints_hostile_payloads_cleaned_and_bounds_slow_senders() {
    use std::io::Write;
    use std::net::TcpStream;
    use std::time::{Duration, Instant};

    let mut listener = Background::spawn(&[
        "webhooks",
        "listen",
        "--port",
        "0",
        "--max-connections",
        "2",
        "--request-timeout-ms",
        "400",
    ]);
    let addr = listen_address(&mut listener);

    let body = serde_json::json!({
        "event": "item/updated\u{1b}[2J", "eventId": "ev-1\r\nFAKE LINE",
        "itemId": "i1\u{1b}]0;owned\u{7}", "clientUserId": format!("u{}", "\u{1b}[31m".repeat(2000)),
    })
    .to_string();
    let mut sender = TcpStream::connect(addr).expect("connect");
    write!(
        sender,
        "POST /hook HTTP/1.1\r\nhost: x\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    assert!(read_answer(&mut sender).starts_with("HTTP/1.1 200"));
    let line = listener.line();
    assert!(
        !line.contains('\u{1b}') && !line.contains('\u{7}'),
        "{line:?}"
    );
    assert!(line.contains("ev-1  FAKE LINE"), "{line:?}");
    assert!(line.contains("(cut at 2000 of "), "{line:?}");
    assert!(line.len() < 6000, "{} bytes", line.len());

    // Two slow senders fill the bound; a third is answered 503 at once.
    let mut slow: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut s = TcpStream::connect(addr).expect("connect");
            s.write_all(b"POST /hook HTTP/1.1\r\n").expect("write");
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(100));
    let mut extra = TcpStream::connect(addr).expect("connect");
    assert!(read_answer(&mut extra).starts_with("HTTP/1.1 503"));
    // The slow ones are cut off at their deadline.
    let started = Instant::now();
    for s in &mut slow {
        let answer = read_answer(s);
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    }
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn odd_arguments_and_environments_are_usage_errors_that_say_why() {
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;

    let url = format!("http://127.0.0.1:{}", closed_port());
    let short = |run: &common::Run| {
        assert!(
            run.stderr.len() < 1000,
            "{} bytes: {}",
            run.stderr.len(),
            run.stderr
        );
        assert!(!run.stderr.contains("aaaaaaaaaa"), "the value was repeated");
    };

    // Ids: checked before anything is sent (a closed port would be exit 6).
    let huge = "a".repeat(100 * 1024);
    for args in [
        vec!["items", "get", huge.as_str()],
        vec!["accounts", "list", "--item-id", huge.as_str()],
        vec!["webhooks", "delete", huge.as_str()],
    ] {
        let run = at(&url, &args).expect_code(2);
        short(&run);
        assert!(
            run.stderr.contains("102400 characters long"),
            "{}",
            run.stderr
        );
    }
    for id in ["a/../b", "it 1", "", "x\u{1b}[2J"] {
        let run = at(&url, &["items", "get", id]).expect_code(2);
        assert!(run.stderr.contains("ids are 1 to 128"), "{}", run.stderr);
        assert!(!run.stderr.contains('\u{1b}'), "{}", run.stderr);
    }

    // Credentials too large for any API: refused, not sent into a closed connection.
    let big = "a".repeat(5 * 1024 * 1024);
    let run = at_with_stdin(
        &url,
        &[
            "items",
            "create",
            "--connector-id",
            "0",
            "--secret-parameter",
            "password",
        ],
        &format!("{big}\n"),
    )
    .expect_code(2);
    short(&run);
    assert!(run.stderr.contains("\"password\""), "{}", run.stderr);
    assert!(run.stderr.contains("65536 bytes"), "{}", run.stderr);
    let pair = format!("password={}", &big[..100 * 1024]);
    let run = at(&url, &["connectors", "validate", "0", "--parameter", &pair]).expect_code(2);
    short(&run);
    assert!(run.stderr.contains("65536 bytes"), "{}", run.stderr);

    // An environment variable that is set but not text.
    let not_utf8 = OsString::from_vec(b"secret\xff\xfe".to_vec());
    for (var, args) in [
        (
            "PLUGGY_CLIENT_SECRET",
            vec!["--base-url", "https://api.invalid", "auth", "check"],
        ),
        (
            "PLUGGY_CONNECT_TOKEN",
            vec!["--base-url", url.as_str(), "items", "get", "it-1"],
        ),
        ("PLUGGY_BASE_URL", vec!["auth", "check"]),
        ("PLUGGY_TIMEOUT", vec!["auth", "check"]),
    ] {
        let output = common::command(&args)
            .env("PLUGGY_CLIENT_ID", "someone")
            .env(var, &not_utf8)
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{var}: {stderr}");
        assert!(
            stderr.contains(&format!("{var} is set but is not valid UTF-8")),
            "{var}: {stderr}"
        );
        assert!(!stderr.contains("secret"), "{var}: {stderr}");
    }
}

#[test]
fn with_a_connect_token_the_operation_and_the_expiry_are_checked_locally_the_item_is_not() {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let jwt = |exp: u64| {
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256"}"#),
            URL_SAFE_NO_PAD.encode(format!(r#"{{"exp":{exp}}}"#))
        )
    };
    // Nothing listens there: exit 6 means the call was sent, 4 that it was refused first.
    let url = format!("http://127.0.0.1:{}", closed_port());
    let front = |token: &str, args: &[&str]| {
        let mut all = vec!["--base-url", url.as_str(), "--timeout", "2"];
        all.extend_from_slice(args);
        pluggy_with(&all, &[("PLUGGY_CONNECT_TOKEN", token)], "")
    };
    let live = jwt(now + 600);
    let expired = jwt(now - 60);

    let run = front(&live, &["transactions", "list", "--account-id", "a1"]).expect_code(4);
    assert!(run.stderr.contains("needs an API key"), "{}", run.stderr);
    front(&live, &["webhooks", "list"]).expect_code(4);
    let run = front(&expired, &["items", "get", "it-1"]).expect_code(4);
    assert!(run.stderr.contains("expired"), "{}", run.stderr);
    // Any item is sent: only the API knows which items the token covers.
    front(&live, &["items", "get", "someone-elses-item"]).expect_code(6);
    front(
        &live,
        &["accounts", "list", "--item-id", "someone-elses-item"],
    )
    .expect_code(6);
}
