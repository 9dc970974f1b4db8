//! The payments commands, run as a user runs them against `pluggy emulator`: customers,
//! recipients, institutions, payment requests (and `--wait` following one to its end after the
//! payer's approval), intents; and the values refused before anything is sent.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::time::Duration;

use common::{EmulatorProcess, closed_port, pluggy, pluggy_with};
use serde_json::Value;

/// Runs `pluggy --base-url URL ARGS…` (the emulator's own client is used on its own).
fn at(url: &str, args: &[&str]) -> common::Run {
    let mut all = vec!["--base-url", url];
    all.extend_from_slice(args);
    pluggy(&all)
}

/// The `--json` answer of a command that succeeds.
fn json(url: &str, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    at(url, &all).expect_code(0).json()
}

/// The text output of a command that succeeds.
fn text(url: &str, args: &[&str]) -> String {
    at(url, args).expect_code(0).stdout
}

fn str_of<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field}: {value}"))
}

fn array(value: &Value) -> &Vec<Value> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("an array: {value}"))
}

/// The table's data lines (the header dropped) that contain `needle`.
fn lines_with<'a>(table: &'a str, needle: &str) -> Vec<&'a str> {
    table
        .lines()
        .skip(1)
        .filter(|l| l.contains(needle))
        .collect()
}

/// `POST path` on the emulator with an empty JSON body, as a tester would: the status and
/// the body.
fn tester_post(url: &str, path: &str) -> (u16, String) {
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(host).expect("connect to the emulator");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Content-Length: 2\r\nConnection: close\r\n\r\n{{}}"
    )
    .expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not HTTP: {answer}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// A sandbox connector that initiates payments, as the payment page lists them.
fn payment_bank(url: &str) -> String {
    let connectors = json(url, &["connectors", "list", "--sandbox"]);
    array(&connectors)
        .iter()
        .find(|c| c["supportsPaymentInitiation"] == true)
        .map(|c| c["id"].to_string())
        .unwrap_or_else(|| panic!("no sandbox connector initiates payments: {connectors}"))
}

/// A recipient at the first institution, and a customer: their ids.
fn recipient_and_customer(url: &str) -> (String, String) {
    let institutions = json(url, &["payments", "institutions", "list"]);
    let institution = str_of(&array(&institutions)[0], "id").to_owned();
    let recipient = json(
        url,
        &[
            "payments",
            "recipients",
            "create",
            "--name",
            "Loja Teste",
            "--tax-number",
            "11.222.333/0001-81",
            "--institution-id",
            &institution,
            "--branch",
            "0001",
            "--account-number",
            "12345-6",
        ],
    );
    let customer = json(
        url,
        &[
            "payments",
            "customers",
            "create",
            "--name",
            "Maria Teste",
            "--cpf",
            "529.982.247-25",
            "--email",
            "maria@example.com",
        ],
    );
    (
        str_of(&recipient, "id").to_owned(),
        str_of(&customer, "id").to_owned(),
    )
}

/// The payer picks the sandbox bank (`payments intents create`, what the payment page does)
/// and approves at the bank (the emulator's tester route): the intent's id.
fn pay(url: &str, request: &str) -> String {
    answer(url, request, "authorize")
}

/// The payer picks the sandbox bank and answers at the bank with `action` (`authorize` or
/// `reject`, the emulator's tester routes): the intent's id.
fn answer(url: &str, request: &str, action: &str) -> String {
    let bank = payment_bank(url);
    let intent = json(
        url,
        &[
            "payments",
            "intents",
            "create",
            "--request-id",
            request,
            "--connector-id",
            &bank,
            "--cpf",
            "52998224725",
        ],
    );
    assert_eq!(intent["paymentRequest"]["id"], request, "{intent}");
    let id = str_of(&intent, "id").to_owned();
    let (status, body) = tester_post(url, &format!("/__emulator/payments/intents/{id}/{action}"));
    assert!((200..300).contains(&status), "{status} {body}");
    id
}

#[test]
fn recipients_customers_and_requests_as_tables_and_json() {
    let emulator = EmulatorProcess::start();
    let url = emulator.url.as_str();

    let institutions = json(url, &["payments", "institutions", "list"]);
    let first = &array(&institutions)[0];
    let table = text(url, &["payments", "institutions", "list"]);
    assert!(table.starts_with("ID "), "{table}");
    assert_eq!(
        table.lines().count(),
        array(&institutions).len() + 1,
        "{table}"
    );
    let got = json(
        url,
        &["payments", "institutions", "get", str_of(first, "id")],
    );
    assert_eq!(got["ispb"], first["ispb"], "{got}");

    let (recipient, customer) = recipient_and_customer(url);
    let shown = json(url, &["payments", "recipients", "get", &recipient]);
    assert_eq!(shown["name"], "Loja Teste", "{shown}");
    assert_eq!(shown["account"]["number"], "12345-6", "{shown}");
    let table = text(url, &["payments", "recipients", "list"]);
    let row = lines_with(&table, &recipient);
    assert_eq!(row.len(), 1, "{table}");
    assert!(
        row[0].contains("Loja Teste") && row[0].contains("12345-6"),
        "{table}"
    );

    let updated = json(
        url,
        &[
            "payments",
            "customers",
            "update",
            &customer,
            "--name",
            "Maria T. Silva",
        ],
    );
    assert_eq!(updated["name"], "Maria T. Silva", "{updated}");
    let table = text(url, &["payments", "customers", "get", &customer]);
    assert!(table.starts_with("ID "), "{table}");
    assert!(
        table.contains("Maria T. Silva") && table.contains("INDIVIDUAL"),
        "{table}"
    );

    let request = json(
        url,
        &[
            "payments",
            "requests",
            "create",
            "--amount",
            "12.34",
            "--description",
            "pedido 1",
            "--recipient-id",
            &recipient,
            "--customer-id",
            &customer,
            "--callback-url",
            "success=https://example.com/ok",
        ],
    );
    // The amount exactly as asked, a payment page, and the callback kept.
    assert_eq!(request["amount"].to_string(), "12.34", "{request}");
    assert_eq!(request["status"], "CREATED", "{request}");
    assert!(
        str_of(&request, "paymentUrl").starts_with("http"),
        "{request}"
    );
    assert_eq!(
        request["callbackUrls"]["success"], "https://example.com/ok",
        "{request}"
    );
    let id = str_of(&request, "id");
    let table = text(url, &["payments", "requests", "get", id]);
    let row = lines_with(&table, id);
    assert!(
        row[0].contains("12.34") && row[0].contains("CREATED"),
        "{table}"
    );
    assert!(table.contains("payment page: http"), "{table}");
    let listed = json(url, &["payments", "requests", "list"]);
    assert!(array(&listed).iter().any(|r| r["id"] == id), "{listed}");
    let intents = json(url, &["payments", "intents", "list", "--request-id", id]);
    assert!(array(&intents).is_empty(), "{intents}");

    // Changed before anyone paid: the answer carries the new amount.
    let changed = json(
        url,
        &[
            "payments",
            "requests",
            "update",
            id,
            "--amount",
            "13.00",
            "--description",
            "pedido 1b",
        ],
    );
    assert_eq!(changed["amount"], 13, "{changed}");
    assert_eq!(changed["description"], "pedido 1b", "{changed}");

    // A Pix QR code's request: the amount and the receiver come from the code.
    let code = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000\
                520400005303986540512.505802BR5913Fulano de Tal6008BRASILIA62070503***6304ABCD";
    let qr = text(url, &["payments", "requests", "pix-qr", "--qr-code", code]);
    let row = qr.lines().nth(1).expect("a row");
    assert!(
        row.contains("12.50") && row.contains("Pix QR Fulano de Tal"),
        "{qr}"
    );

    // Deleting: gone afterwards, as the API says.
    let deleted = json(url, &["payments", "requests", "delete", id]);
    assert_eq!(deleted["deleted"], true, "{deleted}");
    let gone = at(url, &["payments", "requests", "get", id]).expect_code(5);
    assert!(gone.stderr.contains("404"), "{}", gone.stderr);
    let deleted = text(url, &["payments", "customers", "delete", &customer]);
    assert_eq!(deleted.trim(), format!("customer {customer} deleted"));
    at(url, &["payments", "customers", "get", &customer]).expect_code(5);
    let deleted = json(url, &["payments", "recipients", "delete", &recipient]);
    assert_eq!(deleted["recipientId"], recipient.as_str(), "{deleted}");
    let left = json(url, &["payments", "recipients", "list"]);
    assert!(
        !array(&left).iter().any(|r| r["id"] == recipient.as_str()),
        "{left}"
    );
}

#[test]
fn requests_create_wait_follows_the_request_until_it_settles() {
    let emulator = EmulatorProcess::start();
    let url = emulator.url.as_str();
    let (recipient, customer) = recipient_and_customer(url);

    let mut child = common::command(&[
        "--base-url",
        url,
        "payments",
        "requests",
        "create",
        "--amount",
        "25.10",
        "--recipient-id",
        &recipient,
        "--customer-id",
        &customer,
        "--wait",
        "--wait-secs",
        "60",
        "--json",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("spawn pluggy");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut first = String::new();
    stderr.read_line(&mut first).expect("a line");
    // "payment request ID created for 25.10: the payer pays at URL"
    let request = first
        .strip_prefix("payment request ")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("unexpected first line: {first:?}"))
        .to_owned();
    assert!(first.contains("25.10"), "{first}");
    let rest = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });

    let intent = pay(url, &request);

    let output = child.wait_with_output().expect("wait");
    let progress = rest.join().expect("stderr");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{first}{progress}");
    // Standard output: the final request alone.
    let settled: Value = serde_json::from_str(stdout.trim()).expect("one JSON document");
    assert_eq!(settled["id"], request.as_str(), "{settled}");
    assert_eq!(settled["status"], "COMPLETED", "{settled}");
    assert_eq!(settled["amount"].to_string(), "25.1", "{settled}");
    // Standard error: the statuses as they moved, ending at COMPLETED.
    assert!(progress.trim_end().ends_with("COMPLETED"), "{progress}");

    // The intent the payer made is listed, paid.
    let intents = json(
        url,
        &["payments", "intents", "list", "--request-id", &request],
    );
    assert!(
        array(&intents)
            .iter()
            .any(|i| i["status"] == "PAYMENT_COMPLETED"),
        "{intents}"
    );
    let table = text(
        url,
        &["payments", "intents", "list", "--request-id", &request],
    );
    assert!(
        lines_with(&table, "PAYMENT_COMPLETED").len() == 1,
        "{table}"
    );

    let shown = text(url, &["payments", "intents", "get", &intent]);
    let row = lines_with(&shown, &intent);
    assert!(
        row[0].contains("PAYMENT_COMPLETED") && row[0].contains(&request),
        "{shown}"
    );

    // Waiting on a request already settled returns at once, exit 0.
    let again = at(url, &["payments", "requests", "wait", &request]).expect_code(0);
    assert!(again.stdout.contains("COMPLETED"), "{}", again.stdout);
}

#[test]
fn a_request_the_payer_rejects_ends_the_wait_with_exit_1() {
    let emulator = EmulatorProcess::start();
    let url = emulator.url.as_str();
    let (recipient, _) = recipient_and_customer(url);
    let request = json(
        url,
        &[
            "payments",
            "requests",
            "create",
            "--amount",
            "8.00",
            "--recipient-id",
            &recipient,
        ],
    );
    let id = str_of(&request, "id");
    answer(url, id, "reject");
    let run = at(url, &["payments", "requests", "wait", id, "--json"]).expect_code(1);
    // The request as it ended on standard output, and why on standard error.
    assert_eq!(run.json()["status"], "ERROR", "{}", run.stdout);
    assert!(
        run.stderr
            .contains(&format!("payment request {id} ended ERROR")),
        "{}",
        run.stderr
    );
}

#[test]
fn a_request_that_does_not_complete_exits_1_after_waiting() {
    let emulator = EmulatorProcess::start();
    let url = emulator.url.as_str();
    let (recipient, _) = recipient_and_customer(url);
    let request = json(
        url,
        &[
            "payments",
            "requests",
            "create",
            "--amount",
            "3.00",
            "--recipient-id",
            &recipient,
        ],
    );
    let id = str_of(&request, "id");
    // Nobody pays: the deadline passes, and the command says where the request stands.
    let run = at(
        url,
        &["payments", "requests", "wait", id, "--wait-secs", "1"],
    )
    .expect_code(1);
    assert!(run.stderr.contains("CREATED"), "{}", run.stderr);
}

#[test]
fn bad_amounts_and_tax_numbers_are_usage_errors_and_nothing_is_sent() {
    // Nothing listens there: anything sent would be a network failure (exit code 6).
    let url = format!("http://127.0.0.1:{}", closed_port());
    let create = |amount: &str| {
        let flag = format!("--amount={amount}");
        at(&url, &["payments", "requests", "create", &flag])
    };
    for (amount, says) in [
        ("0", "above zero"),
        ("0.00", "above zero"),
        ("-5", "above zero"),
        ("12,34", "with a dot"),
        ("1.234", "two decimal places"),
        ("1e3", "digits"),
        ("doze", "digits"),
    ] {
        let run = create(amount).expect_code(2);
        assert!(run.stderr.contains(says), "{amount}: {}", run.stderr);
    }
    let cases: [(&[&str], &str); 7] = [
        (
            &[
                "payments",
                "customers",
                "create",
                "--name",
                "X",
                "--cpf",
                "123.456.789-00",
            ],
            "not a valid CPF",
        ),
        (
            &[
                "payments",
                "customers",
                "create",
                "--name",
                "X",
                "--cnpj",
                "11.222.333/0001-82",
            ],
            "not a valid CNPJ",
        ),
        (
            &[
                "payments",
                "recipients",
                "create",
                "--name",
                "X",
                "--tax-number",
                "1234",
                "--institution-id",
                "i",
                "--branch",
                "1",
                "--account-number",
                "2",
            ],
            "not a valid CPF or CNPJ",
        ),
        (
            &["payments", "recipients", "list", "--pix-key", "not a key"],
            "not a Pix key",
        ),
        (
            &[
                "payments",
                "intents",
                "create",
                "--request-id",
                "r",
                "--connector-id",
                "1",
                "--cpf",
                "11111111111",
            ],
            "not a valid CPF",
        ),
        (
            &["payments", "requests", "list", "--status", "PAID"],
            "COMPLETED",
        ),
        (
            &[
                "boletos",
                "create",
                "--connection-id",
                "c",
                "--amount",
                "1.00",
                "--due-date",
                "2026-12-24",
                "--seu-numero",
                "1",
                "--payer-name",
                "X",
                "--payer-tax-number",
                "52998224725",
                "--payer-state",
                "SP",
                "--payer-zip-code",
                "01000-000",
            ],
            "at least 2.50",
        ),
    ];
    for (args, says) in cases {
        let run = at(&url, args).expect_code(2);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
    }
    // A customer is a person or a company; an account has a branch and a number.
    let run = at(&url, &["payments", "customers", "create", "--name", "X"]).expect_code(2);
    assert!(run.stderr.contains("--cpf"), "{}", run.stderr);
    let run = at(
        &url,
        &[
            "payments",
            "recipients",
            "update",
            "r-1",
            "--account-type",
            "savings",
        ],
    )
    .expect_code(2);
    assert!(
        run.stderr.contains("--branch and --account-number"),
        "{}",
        run.stderr
    );
    // An id no Pluggy id looks like is refused too, without repeating it.
    let run = at(&url, &["payments", "requests", "get", "../../auth"]).expect_code(2);
    assert!(!run.stderr.contains("../"), "{}", run.stderr);
}

#[test]
fn payments_commands_refuse_a_connect_token_before_sending() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    for args in [
        &["payments", "customers", "list"][..],
        &["payments", "requests", "create", "--amount", "1.00"][..],
        &["smart-transfers", "preauthorizations", "list"][..],
        &["boletos", "get", "b-1"][..],
    ] {
        let mut all = vec!["--base-url", url.as_str()];
        all.extend_from_slice(args);
        let run =
            pluggy_with(&all, &[("PLUGGY_CONNECT_TOKEN", "a-connect-token")], "").expect_code(4);
        assert!(
            run.stderr.contains("needs an API key"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("PLUGGY_CONNECT_TOKEN"),
            "{args:?}: {}",
            run.stderr
        );
    }
}

/// The day `n` days from today (UTC), as YYYY-MM-DD.
fn day(n: i64) -> String {
    (time::OffsetDateTime::now_utc().date() + time::Duration::days(n)).to_string()
}

/// Moves the emulator's clock forward.
fn advance(url: &str, seconds: u64) {
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let body = format!("{{\"seconds\": {seconds}}}");
    let mut stream = TcpStream::connect(host).expect("connect to the emulator");
    write!(
        stream,
        "POST /__emulator/clock/advance HTTP/1.1\r\nHost: {host}\r\nContent-Type: \
         application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn schedules_and_automatic_pix_from_the_command_line() {
    let emulator = EmulatorProcess::start();
    let url = emulator.url.as_str();
    let (recipient, _) = recipient_and_customer(url);
    let (on, start, first, retry) = (day(20), day(10), day(40), day(90));

    // A scheduled request: once approved, its schedule is listed, then cancelled.
    let scheduled = json(
        url,
        &[
            "payments",
            "requests",
            "create",
            "--amount",
            "10.00",
            "--recipient-id",
            &recipient,
            "--schedule-date",
            &on,
        ],
    );
    let id = str_of(&scheduled, "id");
    let table = text(url, &["payments", "requests", "get", id]);
    assert!(
        table.contains(&format!("scheduled: once, on {on}")),
        "{table}"
    );
    pay(url, id);
    let schedules = json(url, &["payments", "schedules", "list", "--request-id", id]);
    let schedule = &array(&schedules)[0];
    assert_eq!(schedule["scheduledDate"], on.as_str(), "{schedules}");
    assert_eq!(schedule["status"], "SCHEDULED", "{schedules}");
    let schedule = str_of(schedule, "id");
    let canceled = json(
        url,
        &[
            "payments",
            "schedules",
            "cancel",
            "--request-id",
            id,
            "--schedule-id",
            schedule,
        ],
    );
    assert_eq!(canceled["canceled"], true, "{canceled}");
    let table = text(url, &["payments", "schedules", "list", "--request-id", id]);
    assert!(
        lines_with(&table, schedule)[0].contains("CANCELED"),
        "{table}"
    );

    // A mandate: approved by the payer, a payment scheduled under it, failed, retried.
    let mandate = json(
        url,
        &[
            "payments",
            "automatic-pix",
            "create",
            "--recipient-id",
            &recipient,
            "--interval",
            "monthly",
            "--start-date",
            &start,
            "--fixed-amount",
            "50",
        ],
    );
    let mandate_id = str_of(&mandate, "id");
    assert_eq!(mandate["automaticPix"]["fixedAmount"], 50, "{mandate}");
    let table = text(url, &["payments", "requests", "get", mandate_id]);
    assert!(
        table.contains(&format!("Automatic Pix: 50.00, MONTHLY from {start}")),
        "{table}"
    );
    pay(url, mandate_id);
    let authorized = json(url, &["payments", "requests", "get", mandate_id]);
    assert_eq!(authorized["status"], "AUTHORIZED", "{authorized}");
    let payment = json(
        url,
        &[
            "payments",
            "automatic-pix",
            "schedule",
            "--request-id",
            mandate_id,
            "--amount",
            "50.00",
            "--date",
            &first,
        ],
    );
    assert_eq!(payment["status"], "SCHEDULED", "{payment}");
    let payment_id = str_of(&payment, "id");
    let (status, body) = tester_post(
        url,
        &format!(
            "/__emulator/payments/requests/{mandate_id}/automatic-pix/schedules/{payment_id}/fail"
        ),
    );
    assert_eq!(status, 200, "{body}");
    // Past the payment's day: it fails, and the table says why.
    advance(url, 86_400 * 60);
    let table = text(
        url,
        &[
            "payments",
            "automatic-pix",
            "list",
            "--request-id",
            mandate_id,
        ],
    );
    let row = lines_with(&table, payment_id);
    assert!(
        row[0].contains("ERROR") && row[0].contains("50.00"),
        "{table}"
    );
    let retried = json(
        url,
        &[
            "payments",
            "automatic-pix",
            "retry",
            "--request-id",
            mandate_id,
            "--payment-id",
            payment_id,
            "--date",
            &retry,
        ],
    );
    assert_eq!(retried["retried"], true, "{retried}");
    let detail = json(
        url,
        &[
            "payments",
            "automatic-pix",
            "get",
            "--request-id",
            mandate_id,
            "--payment-id",
            payment_id,
        ],
    );
    assert_eq!(detail["status"], "SCHEDULED", "{detail}");
    assert_eq!(detail["date"], retry.as_str(), "{detail}");
    let revoked = text(
        url,
        &[
            "payments",
            "automatic-pix",
            "cancel",
            "--request-id",
            mandate_id,
            "--mandate",
        ],
    );
    assert!(revoked.contains("is revoked"), "{revoked}");
    let after = json(url, &["payments", "requests", "get", mandate_id]);
    assert_eq!(after["status"], "CANCELED", "{after}");
}

#[test]
fn smart_transfers_and_boletos_from_the_command_line() {
    let emulator = EmulatorProcess::start();
    let url = emulator.url.as_str();
    let (recipient, _) = recipient_and_customer(url);
    let bank = payment_bank(url);

    let preauthorization = json(
        url,
        &[
            "smart-transfers",
            "preauthorizations",
            "create",
            "--connector-id",
            &bank,
            "--cpf",
            "52998224725",
            "--recipient-id",
            &recipient,
        ],
    );
    assert_eq!(preauthorization["status"], "CREATED", "{preauthorization}");
    let pre = str_of(&preauthorization, "id");
    let (status, body) = tester_post(
        url,
        &format!("/__emulator/smart-transfers/preauthorizations/{pre}/authorize"),
    );
    assert_eq!(status, 200, "{body}");
    let table = text(url, &["smart-transfers", "preauthorizations", "list"]);
    assert!(lines_with(&table, pre)[0].contains("COMPLETED"), "{table}");
    let payment = json(
        url,
        &[
            "smart-transfers",
            "payments",
            "create",
            "--preauthorization-id",
            pre,
            "--recipient-id",
            &recipient,
            "--amount",
            "7.50",
            "--description",
            "aluguel",
        ],
    );
    assert_eq!(payment["amount"].to_string(), "7.5", "{payment}");
    let payment_id = str_of(&payment, "id");
    let got = json(url, &["smart-transfers", "payments", "get", payment_id]);
    assert_eq!(got["preauthorizationId"], pre, "{got}");
    let table = text(
        url,
        &[
            "smart-transfers",
            "payments",
            "list",
            "--preauthorization-id",
            pre,
        ],
    );
    let row = lines_with(&table, payment_id);
    assert!(
        row[0].contains("7.50") && row[0].contains("aluguel"),
        "{table}"
    );

    // A boleto connection from credentials (never printed), a boleto, paid, then refused
    // cancellation.
    let connection = at(
        url,
        &[
            "boletos",
            "connections",
            "create",
            "--connector-id",
            &bank,
            "--parameter",
            "clientId=abc",
            "--parameter",
            "clientSecret=s3cr3t-value",
            "--json",
        ],
    )
    .expect_code(0);
    assert!(
        !connection.stdout.contains("s3cr3t-value"),
        "{}",
        connection.stdout
    );
    let connection = connection.json();
    let boleto = json(
        url,
        &[
            "boletos",
            "create",
            "--connection-id",
            str_of(&connection, "id"),
            "--amount",
            "99.90",
            "--due-date",
            &day(30),
            "--seu-numero",
            "123",
            "--payer-name",
            "Joao",
            "--payer-tax-number",
            "52998224725",
            "--payer-state",
            "SP",
            "--payer-zip-code",
            "01310-100",
        ],
    );
    assert_eq!(boleto["status"], "OPEN", "{boleto}");
    let id = str_of(&boleto, "id");
    let table = text(url, &["boletos", "get", id]);
    assert!(lines_with(&table, id)[0].contains("99.90"), "{table}");
    assert!(table.contains("digitable line: "), "{table}");
    let canceled = json(url, &["boletos", "cancel", id]);
    assert_eq!(canceled["status"], "CANCELLED", "{canceled}");
}

#[test]
fn webhooks_listen_shows_the_ids_of_payment_events() {
    let mut listener = common::Background::spawn(&["webhooks", "listen", "--port", "0"]);
    let banner = listener.stderr_line();
    let addr = banner
        .split_whitespace()
        .find_map(|w| w.strip_prefix("http://"))
        .map(|a| a.trim_end_matches('/').to_owned())
        .unwrap_or_else(|| panic!("no address in {banner:?}"));
    let body = serde_json::json!({
        "event": "payment_request/updated", "eventId": "ev-9",
        "paymentRequestId": "pr-1", "data": {"status": "COMPLETED\u{1b}[2J"},
    })
    .to_string();
    let mut sender = TcpStream::connect(&addr).expect("connect");
    write!(
        sender,
        "POST /hook HTTP/1.1\r\nhost: x\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut answer = String::new();
    let _ = sender.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let line = listener.line();
    assert!(line.starts_with("payment_request/updated"), "{line:?}");
    assert!(
        line.contains("eventId ev-9  paymentRequestId pr-1  status COMPLETED[2J"),
        "{line:?}"
    );
    assert!(
        !line.contains("item (none)") && !line.contains('\u{1b}'),
        "{line:?}"
    );
}
