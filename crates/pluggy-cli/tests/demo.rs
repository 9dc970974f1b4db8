//! `pluggy demo`, run as a user runs it: the built binary, its exit code and its transcript.

mod common;

use common::{Background, EmulatorProcess, closed_port, pluggy, pluggy_with};
use serde_json::Value;

#[test]
fn the_demo_walks_the_whole_flow_on_the_embedded_emulator() {
    // The default pace, as a newcomer sees it: done in seconds.
    let started = std::time::Instant::now();
    let run = pluggy(&["demo"]).expect_code(0);
    let took = started.elapsed();
    assert!(took.as_secs() < 20, "the demo took {took:?}");
    let out = &run.stdout;
    let titles = [
        "[1/6] backend: client credentials → API key",
        "[2/6] backend: connect token for clientUserId \"demo-user\"",
        "[3/6] front end, with only the connect token: connect Pluggy Bank",
        "[4/6] scope: the connect token asks for transactions",
        "[5/6] backend, with the API key: the accounts' transactions, summed",
        "[6/6] webhooks: the item linked to \"demo-user\" through clientUserId",
    ];
    let mut at = 0;
    for title in titles {
        let found = out[at..]
            .find(title)
            .unwrap_or_else(|| panic!("{title:?} missing or out of order in\n{out}"));
        at += found + title.len();
    }
    // Step 1 shows when the key expires, and never the key (a JWT starts with "eyJ").
    assert!(out.contains("API key received"), "{out}");
    assert!(
        out.contains("(in 2h 0m)") || out.contains("(in 1h 59m)"),
        "{out}"
    );
    assert!(!out.contains("eyJ") && !run.stderr.contains("eyJ"), "{out}");
    // Step 3: the item synced and its reduced accounts were listed.
    assert!(out.contains("UPDATED"), "{out}");
    assert!(out.contains("in the reduced view"), "{out}");
    // Step 4: refused locally and by the API, with the reason.
    assert!(out.contains("refused by the SDK, nothing sent"), "{out}");
    assert!(out.contains("needs an API key"), "{out}");
    assert!(out.contains("the API refuses it too: 403"), "{out}");
    // Step 5: transactions counted and summed.
    assert!(out.contains("transactions, sum"), "{out}");
    // Step 6: the webhooks carry the user.
    assert!(out.contains("clientUserId demo-user"), "{out}");
    assert!(out.contains("belongs to \"demo-user\""), "{out}");
    assert!(out.contains("done: all 6 steps succeeded"), "{out}");
}

#[test]
fn the_payments_demo_walks_a_pix_payment_and_exits_0() {
    let run = pluggy(&["demo", "--payments"]).expect_code(0);
    let out = &run.stdout;
    let titles = [
        "[1/9] backend: client credentials → API key",
        "[2/9] backend: the demo's receiver subscribed to the payment events",
        "[3/9] backend: a recipient, the bank account that receives",
        "[4/9] backend: a customer, the payer",
        "[5/9] backend: a payment request of 12.34 and its payment page",
        "[6/9] the payer: picks a sandbox bank on the payment page, approves at the bank",
        "[7/9] the payment intent's statuses, until it settles",
        "[8/9] webhooks: payment_intent/* and payment_request/updated for the request",
        "[9/9] backend: the payment request, settled",
    ];
    let mut at = 0;
    for title in titles {
        let found = out[at..]
            .find(title)
            .unwrap_or_else(|| panic!("{title:?} missing or out of order in\n{out}"));
        at += found + title.len();
    }
    assert!(!out.contains("eyJ") && !run.stderr.contains("eyJ"), "{out}");
    assert!(
        out.contains("payment page (what the payer opens): http"),
        "{out}"
    );
    assert!(out.contains("PAYMENT_COMPLETED"), "{out}");
    assert!(out.contains("payment_request/updated"), "{out}");
    assert!(out.contains("status COMPLETED"), "{out}");
    assert!(out.contains("COMPLETED for 12.34"), "{out}");
    assert!(out.contains("done: all 9 steps succeeded"), "{out}");
}

#[test]
fn the_payments_demo_prints_one_json_object_per_step() {
    let run = pluggy(&["demo", "--payments", "--json"]).expect_code(0);
    let steps = run.json_lines();
    let names: Vec<&str> = steps.iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "api-key",
            "webhook",
            "recipient",
            "customer",
            "payment-request",
            "payer",
            "intent",
            "webhooks",
            "settled"
        ],
        "{}",
        run.stdout
    );
    for (i, step) in steps.iter().enumerate() {
        assert_eq!(step["step"], i + 1, "{step}");
        assert_eq!(step["ok"], true, "{step}");
    }
    let request = steps[4]["data"]["paymentRequestId"].as_str().expect("id");
    assert_eq!(steps[4]["data"]["amount"], "12.34");
    let statuses = steps[6]["data"]["statuses"].as_array().expect("statuses");
    assert_eq!(
        statuses.last().and_then(Value::as_str),
        Some("PAYMENT_COMPLETED")
    );
    let events = steps[7]["data"]["events"].as_array().expect("events");
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "payment_request/updated"
                && e["paymentRequestId"] == request
                && e["data"]["status"] == "COMPLETED"),
        "{events:?}"
    );
    assert!(
        events.iter().any(|e| e["event"]
            .as_str()
            .is_some_and(|n| n.starts_with("payment_intent/"))),
        "{events:?}"
    );
    assert_eq!(steps[8]["data"]["status"], "COMPLETED");
    assert_eq!(steps[8]["data"]["amount"], "12.34");
}

#[test]
fn the_payments_demo_cleans_up_and_names_its_failing_step() {
    // Against a separate emulator, twice: each run removes its webhook subscription.
    let emulator = EmulatorProcess::start();
    for _ in 0..2 {
        let run = pluggy(&["demo", "--payments", "--base-url", &emulator.url]).expect_code(0);
        assert!(
            run.stdout.contains("done: all 9 steps succeeded"),
            "{}",
            run.stdout
        );
    }
    let hooks = pluggy(&["webhooks", "list", "--json", "--base-url", &emulator.url]).expect_code(0);
    assert_eq!(hooks.json(), serde_json::json!([]), "{}", hooks.stdout);

    // Nothing listens: a network failure at step 1, named.
    let url = format!("http://127.0.0.1:{}", closed_port());
    let run = pluggy(&["demo", "--payments", "--base-url", &url]).expect_code(6);
    assert!(
        run.stderr
            .contains("step 1/9 (backend: client credentials → API key) failed"),
        "{}",
        run.stderr
    );
}

fn steps(run: &common::Run) -> Vec<Value> {
    let steps = run.json_lines();
    assert_eq!(steps.len(), 6, "{}", run.stdout);
    for (i, step) in steps.iter().enumerate() {
        assert_eq!(step["step"], i + 1, "{step}");
        assert_eq!(step["ok"], true, "{step}");
    }
    steps
}

#[test]
fn the_demo_prints_one_json_object_per_step() {
    let run = pluggy(&["demo", "--json", "--step-delay-ms", "0"]).expect_code(0);
    let steps = steps(&run);
    let names: Vec<&str> = steps.iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "api-key",
            "connect-token",
            "connect",
            "scope",
            "transactions",
            "webhooks"
        ]
    );
    let left = steps[0]["data"]["expiresInSecs"].as_i64().expect("expiry");
    assert!((7100..=7200).contains(&left), "{left}");
    assert_eq!(steps[1]["data"]["clientUserId"], "demo-user");
    let item = steps[2]["data"]["itemId"].as_str().expect("item id");
    let accounts = steps[2]["data"]["accounts"].as_array().expect("accounts");
    assert!(!accounts.is_empty());
    for account in accounts {
        // The reduced view: identification only.
        assert!(account.get("balance").is_none(), "{account}");
        assert!(account.get("owner").is_none(), "{account}");
    }
    assert_eq!(steps[3]["data"]["apiStatus"], 403);
    let counted = steps[4]["data"]["transactions"].as_u64().expect("count");
    let per_account: u64 = steps[4]["data"]["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .filter_map(|a| a["transactions"].as_u64())
        .sum();
    assert!(counted > 0);
    assert_eq!(counted, per_account);
    let events = steps[5]["data"]["events"].as_array().expect("events");
    assert!(
        events
            .iter()
            .any(|e| e["itemId"] == item && e["clientUserId"] == "demo-user"),
        "{events:?}"
    );
}

#[test]
fn the_demo_answers_the_two_step_mfa_with_mfa() {
    let run = pluggy(&["demo", "--mfa", "--json", "--step-delay-ms", "0"]).expect_code(0);
    let steps = steps(&run);
    assert_eq!(steps[2]["data"]["connectorId"], 3);
    assert_eq!(steps[2]["data"]["mfaAnswered"], 1);
    let statuses = steps[2]["data"]["statuses"].as_array().expect("statuses");
    assert!(
        statuses.iter().any(|s| s["status"] == "WAITING_USER_INPUT"),
        "{statuses:?}"
    );
}

#[test]
fn the_demo_names_the_failing_step_and_exits_with_its_kind() {
    // Nothing listens: a network failure at step 1.
    let url = format!("http://127.0.0.1:{}", closed_port());
    let run = pluggy(&["demo", "--base-url", &url]).expect_code(6);
    assert!(
        run.stderr
            .contains("step 1/6 (backend: client credentials → API key) failed"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("could not connect"), "{}", run.stderr);

    // An emulator that does not know these credentials: an auth failure at step 1, as JSON too.
    let emulator = EmulatorProcess::start();
    let env = [
        ("PLUGGY_CLIENT_ID", "someone-else"),
        ("PLUGGY_CLIENT_SECRET", "not-the-secret"),
    ];
    let run =
        pluggy_with(&["demo", "--json", "--base-url", &emulator.url], &env, "").expect_code(3);
    let failed = run.json();
    assert_eq!(failed["step"], 1);
    assert_eq!(failed["ok"], false);
    assert_eq!(failed["kind"], "auth");
    assert_eq!(failed["exitCode"], 3);
    assert!(run.stderr.contains("step 1/6"), "{}", run.stderr);
    assert!(
        run.stderr.contains("PLUGGY_CLIENT_SECRET"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("not-the-secret"), "{}", run.stderr);
}

#[test]
fn the_demo_runs_against_a_separate_emulator_given_by_base_url() {
    let emulator = EmulatorProcess::start();
    let run = pluggy_with(&["demo"], &[("PLUGGY_BASE_URL", &emulator.url)], "").expect_code(0);
    assert!(
        run.stdout.contains(&format!("against {}", emulator.url)),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("done: all 6 steps succeeded"),
        "{}",
        run.stdout
    );
}

#[test]
fn an_emulator_refusing_local_webhooks_fails_step_2_with_advice() {
    let mut emulator =
        Background::spawn(&["emulator", "--port", "0", "--https-webhooks-only", "--json"]);
    let line = emulator.line();
    let announced: Value = serde_json::from_str(&line).expect("JSON");
    let url = announced["baseUrl"].as_str().expect("baseUrl");
    let run = pluggy(&["demo", "--base-url", url]).expect_code(5);
    assert!(run.stdout.contains("[1/6]"), "{}", run.stdout);
    assert!(run.stderr.contains("step 2/6"), "{}", run.stderr);
    assert!(
        run.stderr.contains("--allow-insecure-webhooks"),
        "{}",
        run.stderr
    );
}
