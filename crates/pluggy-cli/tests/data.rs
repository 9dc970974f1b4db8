//! The data commands (balances, statements, transactions v2 and their category, categories and
//! rules, loans, bills, consents, merchants), run as a user runs them against `pluggy
//! emulator`: each as a table and as `--json`, the printed values those of the answer.

mod common;

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

fn array(value: &Value) -> &Vec<Value> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("an array: {value}"))
}

fn str_of<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field}: {value}"))
}

/// An item on the Open Finance sandbox connector (600): accounts, a credit card, loans and a
/// consent. Gives the item, its checking account and its credit-card account.
fn open_finance_item(url: &str) -> (String, String, String) {
    let item = json(
        url,
        &[
            "items",
            "create",
            "--connector-id",
            "600",
            "--parameter",
            "user=user-ok",
            "--parameter",
            "password=password-ok",
            "--wait",
        ],
    );
    assert_eq!(item["status"], "UPDATED", "{item}");
    let item = str_of(&item, "id").to_owned();
    let accounts = json(url, &["accounts", "list", "--item-id", &item]);
    let of = |subtype: &str| {
        array(&accounts)
            .iter()
            .find(|a| a["subtype"] == subtype)
            .map(|a| str_of(a, "id").to_owned())
            .unwrap_or_else(|| panic!("no {subtype} account: {accounts}"))
    };
    let checking = of("CHECKING_ACCOUNT");
    let card = of("CREDIT_CARD");
    (item, checking, card)
}

/// The table's data lines (the header dropped) that contain `needle`.
fn lines_with<'a>(table: &'a str, needle: &str) -> Vec<&'a str> {
    table
        .lines()
        .skip(1)
        .filter(|l| l.contains(needle))
        .collect()
}

#[test]
fn balance_and_statements_of_an_account() {
    let emulator = EmulatorProcess::start();
    let url = emulator.url.as_str();
    let (item, checking, _) = open_finance_item(url);

    let balance = json(url, &["accounts", "balance", "--account-id", &checking]);
    let accounts = json(url, &["accounts", "list", "--item-id", &item]);
    let account = array(&accounts)
        .iter()
        .find(|a| a["id"] == checking.as_str())
        .expect("listed");
    // The real-time balance agrees with the account.
    assert_eq!(balance["balance"], account["balance"], "{balance}");
    assert_eq!(
        balance["currencyCode"], account["currencyCode"],
        "{balance}"
    );
    let table = text(url, &["accounts", "balance", "--account-id", &checking]);
    assert!(table.starts_with("BALANCE "), "{table}");
    let row = table.lines().nth(1).expect("a row");
    assert!(
        row.starts_with(&balance["balance"].to_string()),
        "{row} / {balance}"
    );
    // Read from the institution at each call: the instant is the call's, the day the same.
    assert!(
        row.contains(&str_of(&balance, "updateDateTime")[..10]),
        "{row}"
    );

    let statements = json(url, &["accounts", "statements", "--account-id", &checking]);
    let statements = array(&statements);
    assert!(!statements.is_empty());
    let table = text(url, &["accounts", "statements", "--account-id", &checking]);
    assert!(table.starts_with("MONTH "), "{table}");
    assert_eq!(table.lines().count(), statements.len() + 1, "{table}");
    for s in statements {
        let line = lines_with(&table, str_of(s, "id"));
        assert_eq!(line.len(), 1, "{table}");
        assert!(line[0].starts_with(str_of(s, "monthYear")), "{}", line[0]);
        // Links are signed at each call: the file is the same, the signature is not.
        let file = str_of(s, "url").split('?').next().unwrap_or_default();
        assert!(line[0].contains(&format!("  {file}")), "{}", line[0]);
    }
}

#[test]
fn transactions_are_read_from_v2_and_categorized() {
    // GET /transactions answers 410 here: every read below goes through /v2/transactions.
    let emulator = EmulatorProcess::start_with(&["--retire-v1-transactions"]);
    let url = emulator.url.as_str();
    let (_, checking, card) = open_finance_item(url);

    let all = json(
        url,
        &["transactions", "list", "--account-id", &card, "--all"],
    );
    let all = array(&all).clone();
    assert!(!all.is_empty());
    let page = json(url, &["transactions", "list", "--account-id", &card]);
    let first = array(&page["results"]);
    assert!(first.iter().all(|t| all.contains(t)), "{page}");
    if page["next"].is_null() {
        assert_eq!(first.len(), all.len(), "the last page holds them all");
    }
    let table = at(url, &["transactions", "list", "--account-id", &card]).expect_code(0);
    assert!(table.stdout.starts_with("DATE "), "{}", table.stdout);
    assert_eq!(table.stdout.lines().count(), first.len() + 1);
    assert_eq!(
        table.stderr.contains("--next"),
        !page["next"].is_null(),
        "{}",
        table.stderr
    );
    for t in first {
        let line = lines_with(&table.stdout, str_of(t, "id"));
        assert_eq!(line.len(), 1, "{}", table.stdout);
        assert!(line[0].contains(&t["amount"].to_string()), "{}", line[0]);
        assert!(
            line[0].contains(t["category"].as_str().unwrap_or_default()),
            "{}",
            line[0]
        );
    }

    // --from/--to are dateFrom/dateTo; --next is sent as given.
    let middle = &all[all.len() / 2];
    let day = &str_of(middle, "date")[..10];
    let since = json(
        url,
        &["transactions", "list", "--account-id", &card, "--from", day],
    );
    let since = array(&since["results"]);
    assert!(since.contains(middle), "{middle}");
    assert!(since.iter().all(|t| &str_of(t, "date")[..10] >= day));
    let next = format!("?accountId={card}&dateFrom={day}");
    let continued = json(
        url,
        &[
            "transactions",
            "list",
            "--account-id",
            &card,
            "--next",
            &next,
        ],
    );
    assert_eq!(&continued["results"], &Value::Array(since.clone()));
    // A `next` of another account is refused before anything is sent.
    let other = format!("?accountId={checking}&dateFrom={day}");
    let run = at(
        url,
        &[
            "transactions",
            "list",
            "--account-id",
            &card,
            "--next",
            &other,
        ],
    )
    .expect_code(2);
    assert!(run.stderr.contains("another account"), "{}", run.stderr);

    // Categorize: the answer's category is printed, and later reads return it.
    let target = &all[0];
    let transaction = str_of(target, "id");
    let categories = json(url, &["categories", "list"]);
    let category = array(&categories)
        .iter()
        .find(|c| c["id"] != target["categoryId"] && !c["parentId"].is_null())
        .expect("another category");
    let category_id = str_of(category, "id");
    let args = [
        "transactions",
        "categorize",
        "--transaction-id",
        transaction,
        "--category-id",
        category_id,
    ];
    let updated = json(url, &args);
    assert_eq!(updated["id"], transaction);
    assert_eq!(updated["categoryId"], category_id, "{updated}");
    let shown = text(url, &args);
    let first_line = shown.lines().next().unwrap_or_default();
    assert_eq!(
        first_line,
        format!(
            "transaction {transaction}: category {} ({category_id})",
            str_of(&updated, "category")
        )
    );
    assert_eq!(
        updated["category"], category["description"],
        "the category's name"
    );
    let reread = json(
        url,
        &["transactions", "list", "--account-id", &card, "--all"],
    );
    let reread = array(&reread)
        .iter()
        .find(|t| t["id"] == transaction)
        .expect("still listed");
    assert_eq!(reread["categoryId"], category_id, "{reread}");

    // The demo reads v2 too.
    let demo = at(url, &["demo", "--json"]).expect_code(0);
    let steps = demo.json_lines();
    assert!(steps.iter().all(|s| s["ok"] == true), "{}", demo.stdout);
    assert_eq!(steps[3]["data"]["endpoint"], "GET /v2/transactions");
}

#[test]
fn categories_and_category_rules() {
    let emulator = EmulatorProcess::start();
    let url = emulator.url.as_str();

    let all = json(url, &["categories", "list"]);
    let all = array(&all);
    let child = all
        .iter()
        .find(|c| !c["parentId"].is_null())
        .expect("a subcategory");
    let parent = str_of(child, "parentId");
    let branch = json(url, &["categories", "list", "--parent-id", parent]);
    let branch = array(&branch);
    assert!(branch.contains(child), "{child}");
    assert!(branch.iter().all(|c| c["parentId"] == parent));
    assert!(branch.len() < all.len());

    let table = text(url, &["categories", "list", "--parent-id", parent]);
    assert!(table.starts_with("ID "), "{table}");
    assert_eq!(table.lines().count(), branch.len() + 1, "{table}");
    for c in branch {
        let line = lines_with(&table, str_of(c, "id"));
        assert_eq!(line.len(), 1, "{table}");
        assert!(line[0].contains(str_of(c, "description")), "{}", line[0]);
    }

    let got = json(url, &["categories", "get", str_of(child, "id")]);
    assert_eq!(&got, child);
    let table = text(url, &["categories", "get", str_of(child, "id")]);
    assert!(
        table
            .lines()
            .nth(1)
            .is_some_and(|l| l.contains(str_of(child, "description")) && l.contains(parent)),
        "{table}"
    );
    let missing = at(url, &["categories", "get", "98989898"]).expect_code(5);
    assert!(missing.stderr.contains("404"), "{}", missing.stderr);

    // Rules: created, listed, deleted.
    assert_eq!(
        json(url, &["categories", "rules", "list"]),
        Value::Array(vec![])
    );
    let created = json(
        url,
        &[
            "categories",
            "rules",
            "create",
            "--description",
            "Posto",
            "--category-id",
            str_of(child, "id"),
            "--match-type",
            "startsWith",
            "--transaction-type",
            "DEBIT",
            "--account-type",
            "CREDIT_CARD",
        ],
    );
    let rule = str_of(&created, "id").to_owned();
    assert_eq!(created["description"], "Posto");
    assert_eq!(created["categoryId"], child["id"]);
    assert_eq!(created["matchType"], "startsWith");
    assert_eq!(created["transactionType"], "DEBIT");
    assert_eq!(created["accountType"], "CREDIT_CARD");
    let listed = json(url, &["categories", "rules", "list"]);
    assert_eq!(array(&listed), &vec![created.clone()]);
    let table = text(url, &["categories", "rules", "list"]);
    let line = lines_with(&table, &rule);
    assert_eq!(line.len(), 1, "{table}");
    for value in [
        "Posto",
        "startsWith",
        "DEBIT",
        "CREDIT_CARD",
        str_of(&created, "category"),
    ] {
        assert!(line[0].contains(value), "{value}: {}", line[0]);
    }
    let deleted = at(url, &["categories", "rules", "delete", &rule]).expect_code(0);
    assert_eq!(
        deleted.stdout.trim(),
        format!("category rule {rule} deleted")
    );
    assert_eq!(
        json(url, &["categories", "rules", "list"]),
        Value::Array(vec![])
    );
    let again = at(url, &["categories", "rules", "delete", &rule, "--json"]).expect_code(5);
    assert!(again.stderr.contains("404"), "{}", again.stderr);
}

#[test]
fn loans_bills_and_consents_of_an_item() {
    let emulator = EmulatorProcess::start();
    let url = emulator.url.as_str();
    let (item, _, card) = open_finance_item(url);

    let loans = json(url, &["loans", "list", "--item-id", &item]);
    let loans = array(&loans);
    assert!(!loans.is_empty());
    assert!(loans.iter().all(|l| l["itemId"] == item.as_str()));
    let table = text(url, &["loans", "list", "--item-id", &item]);
    assert_eq!(table.lines().count(), loans.len() + 1, "{table}");
    let loan = &loans[0];
    let id = str_of(loan, "id");
    let line = lines_with(&table, id);
    assert!(line[0].contains(str_of(loan, "productName")), "{}", line[0]);
    assert!(
        line[0].contains(&loan["contractAmount"].to_string()),
        "{}",
        line[0]
    );
    assert_eq!(&json(url, &["loans", "get", id]), loan);
    let shown = text(url, &["loans", "get", id]);
    for (field, value) in [
        ("product", str_of(loan, "productName").to_owned()),
        ("contract amount", loan["contractAmount"].to_string()),
        (
            "outstanding",
            loan["payments"]["contractOutstandingBalance"].to_string(),
        ),
    ] {
        assert!(
            shown
                .lines()
                .any(|l| l.starts_with(field) && l.trim_end().ends_with(&value)),
            "{field} {value}: {shown}"
        );
    }

    let bills = json(url, &["bills", "list", "--account-id", &card]);
    let bills = array(&bills);
    assert!(!bills.is_empty());
    let table = text(url, &["bills", "list", "--account-id", &card]);
    assert_eq!(table.lines().count(), bills.len() + 1, "{table}");
    for b in bills {
        let line = lines_with(&table, str_of(b, "id"));
        assert_eq!(line.len(), 1, "{table}");
        // Dates come as instants at midnight; the table shows the day.
        assert!(line[0].contains(&str_of(b, "dueDate")[..10]), "{}", line[0]);
        assert!(
            line[0].contains(&b["totalAmount"].to_string()),
            "{}",
            line[0]
        );
    }
    let bill = bills
        .iter()
        .find(|b| !array(&b["financeCharges"]).is_empty())
        .unwrap_or(&bills[0]);
    let id = str_of(bill, "id");
    let got = json(url, &["bills", "get", id]);
    assert_eq!(got["id"], bill["id"]);
    assert_eq!(got["totalAmount"], bill["totalAmount"]);
    assert_eq!(got["accountId"], card.as_str(), "{got}");
    let shown = text(url, &["bills", "get", id]);
    assert!(
        shown
            .lines()
            .any(|l| l.starts_with("total ")
                && l.trim_end().ends_with(&bill["totalAmount"].to_string())),
        "{shown}"
    );
    assert_eq!(
        shown.contains("finance charges:"),
        !array(&bill["financeCharges"]).is_empty(),
        "{shown}"
    );

    let consents = json(url, &["consents", "list", "--item-id", &item]);
    let consents = array(&consents);
    assert_eq!(consents.len(), 1, "{consents:?}");
    let consent = &consents[0];
    let id = str_of(consent, "id");
    assert_eq!(consent["itemId"], item.as_str());
    // The status printed follows the answer's dates: the consent was given during this test,
    // so its createdAt is about now (RFC 3339 UTC instants compare as text).
    let expected = if !consent["revokedAt"].is_null() {
        "revoked"
    } else if consent["expiresAt"]
        .as_str()
        .is_some_and(|at| at <= str_of(consent, "createdAt"))
    {
        "expired"
    } else {
        "active"
    };
    let table = text(url, &["consents", "list", "--item-id", &item]);
    let line = lines_with(&table, id);
    assert_eq!(line.len(), 1, "{table}");
    assert!(
        line[0].contains(&format!("{id}  {expected}")),
        "{}",
        line[0]
    );
    assert!(
        line[0].contains(str_of(consent, "createdAt")),
        "{}",
        line[0]
    );
    assert_eq!(&json(url, &["consents", "get", id]), consent);
    let shown = text(url, &["consents", "get", id]);
    for permission in array(&consent["openFinancePermissionsGranted"]) {
        assert!(
            shown.contains(permission.as_str().unwrap_or("?")),
            "{shown}"
        );
    }

    // An item of a connector without Open Finance has no consent, and an unknown bill is 404.
    let plain = json(
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
            "--wait",
        ],
    );
    let plain = str_of(&plain, "id");
    assert_eq!(
        json(url, &["consents", "list", "--item-id", plain]),
        Value::Array(vec![])
    );
    at(url, &["bills", "get", "no-such-bill"]).expect_code(5);
}

#[test]
fn merchants_get_the_api_verdict_on_each_cnpj() {
    let emulator = EmulatorProcess::start();
    let url = emulator.url.as_str();
    // Banco do Brasil's CNPJ, formatted; a valid CNPJ of no merchant; not a CNPJ.
    let args = ["merchants", "00.000.000/0001-91", "11222333000181", "123"];
    let run = at(url, &args).expect_code(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", run.stdout);
    assert!(lines[0].starts_with("CNPJ "), "{}", run.stdout);
    assert!(
        lines[1].starts_with("00.000.000/0001-91  found "),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains("Banco do Brasil"), "{}", lines[1]);
    assert_eq!(lines[2].trim_end(), "11222333000181      not found");
    assert_eq!(lines[3].trim_end(), "123                 invalid");
    assert!(run.stderr.contains("invalid: 123"), "{}", run.stderr);

    let mut with_json = args.to_vec();
    with_json.push("--json");
    let verdicts = at(url, &with_json).expect_code(1).json();
    let statuses: Vec<&str> = array(&verdicts)
        .iter()
        .map(|v| str_of(v, "status"))
        .collect();
    assert_eq!(statuses, ["found", "notFound", "invalid"]);
    assert_eq!(verdicts[0]["merchant"]["cnpj"], "00000000000191");
    assert_eq!(verdicts[0]["cnpj"], "00.000.000/0001-91");
    assert!(verdicts[1]["merchant"].is_null());

    // Not found is an answer: exit 0.
    let found = json(url, &["merchants", "11222333000181", "00000000000191"]);
    let statuses: Vec<&str> = array(&found).iter().map(|v| str_of(v, "status")).collect();
    assert_eq!(statuses, ["notFound", "found"]);
}

#[test]
fn the_data_commands_need_the_api_key_and_take_only_well_formed_ids() {
    // Nothing listens there: exit 6 means the call was sent, 4 or 2 that it was refused first.
    let url = format!("http://127.0.0.1:{}", closed_port());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let token = {
        use base64::Engine as _;
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256"}"#),
            URL_SAFE_NO_PAD.encode(format!(r#"{{"exp":{}}}"#, now + 600))
        )
    };
    let commands: Vec<Vec<&str>> = vec![
        vec!["accounts", "balance", "--account-id", "ac-1"],
        vec!["accounts", "statements", "--account-id", "ac-1"],
        vec![
            "transactions",
            "categorize",
            "--transaction-id",
            "tx-1",
            "--category-id",
            "01010000",
        ],
        vec!["categories", "list"],
        vec!["categories", "get", "01010000"],
        vec!["categories", "rules", "list"],
        vec!["categories", "rules", "delete", "r-1"],
        vec!["loans", "list", "--item-id", "it-1"],
        vec!["bills", "get", "b-1"],
        vec!["consents", "list", "--item-id", "it-1"],
        vec!["merchants", "00000000000191"],
    ];
    for args in &commands {
        let mut all = vec!["--base-url", url.as_str(), "--timeout", "2"];
        all.extend_from_slice(args);
        let run = pluggy_with(&all, &[("PLUGGY_CONNECT_TOKEN", &token)], "").expect_code(4);
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
    // With the API key they are sent (the closed port: exit 6).
    at(&url, &["--timeout", "2", "bills", "get", "b-1"]).expect_code(6);

    for args in [
        vec!["accounts", "balance", "--account-id", "a/../b"],
        vec!["accounts", "statements", "--account-id", ""],
        vec![
            "transactions",
            "categorize",
            "--transaction-id",
            "tx 1",
            "--category-id",
            "01010000",
        ],
        vec![
            "transactions",
            "categorize",
            "--transaction-id",
            "tx-1",
            "--category-id",
            "01/01",
        ],
        vec!["categories", "list", "--parent-id", "x?y"],
        vec!["categories", "get", "01010000\u{1b}[2J"],
        vec![
            "categories",
            "rules",
            "create",
            "--description",
            "Posto",
            "--category-id",
            "a b",
        ],
        vec!["categories", "rules", "delete", "r/1"],
        vec!["loans", "list", "--item-id", "it 1"],
        vec!["loans", "get", "l%2F1"],
        vec!["bills", "list", "--account-id", "ac;1"],
        vec!["bills", "get", "../b"],
        vec!["consents", "list", "--item-id", "it\n1"],
        vec!["consents", "get", "c#1"],
    ] {
        let run = at(&url, &args).expect_code(2);
        assert!(
            run.stderr.contains("ids are 1 to 128"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains('\u{1b}'), "{}", run.stderr);
    }
    for (args, says) in [
        (vec!["merchants", "1,2"], "CNPJ number 1 has a character"),
        (
            vec!["merchants", "00000000000191", "./-"],
            "CNPJ number 2 is empty",
        ),
        (vec!["merchants"], "<CNPJ>"),
        (
            vec![
                "categories",
                "rules",
                "create",
                "--description",
                " ",
                "--category-id",
                "01",
            ],
            "--description is empty",
        ),
        (
            vec![
                "categories",
                "rules",
                "create",
                "--description",
                "Posto",
                "--category-id",
                "01",
                "--match-type",
                "regex",
            ],
            "startsWith",
        ),
        (
            vec![
                "transactions",
                "list",
                "--account-id",
                "a",
                "--next",
                "?after=x y",
            ],
            "--next has a character",
        ),
        (
            vec![
                "transactions",
                "list",
                "--account-id",
                "a",
                "--all",
                "--next",
                "?after=x",
            ],
            "cannot be used with",
        ),
    ] {
        let run = at(&url, &args).expect_code(2);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
    }
}
