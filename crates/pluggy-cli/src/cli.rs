//! The command line, as clap types.

use std::net::IpAddr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::narration::DemoOptions;

pub mod payments;

use payments::{BoletosCommand, PaymentsCommand, SmartTransfersCommand};

const AFTER_HELP: &str = "\
Configuration: flags first, then the environment.
  PLUGGY_BASE_URL       the API (default https://api.pluggy.ai)
  PLUGGY_TIMEOUT        seconds allowed per request (default 30; --timeout)
  PLUGGY_CLIENT_ID      your application's client id
  PLUGGY_CLIENT_SECRET  your application's client secret (environment only, never a flag)
  PLUGGY_CONNECT_TOKEN  act as the front end with this connect token instead: connectors,
                        items create/get/update/mfa, accounts list (reduced view); other
                        commands (every data command: balances, statements, transactions,
                        categories, loans, bills, consents, merchants…; every payments,
                        smart-transfers and boletos command), and a token whose
                        expiry has passed, are refused before anything is sent (exit code
                        4); which items the token may touch only the API knows, and it
                        answers 403 (exit code 4 too)
Against an API on this machine (`pluggy emulator`), the emulator's own client is used when
PLUGGY_CLIENT_ID and PLUGGY_CLIENT_SECRET are unset.

Amounts are reais with a dot and at most two decimal places (12.34); CPF, CNPJ, Pix keys and
days (YYYY-MM-DD) are checked before anything is sent.

Exit codes: 0 ok, 1 other failure (sync failed, payment not completed, deadline), 2 usage or
configuration, 3 credentials refused, 4 scope refusal, 5 API error, 6 network failure.

Start here: pluggy demo (and pluggy demo --payments for Pix payments)";

/// The environment variable holding the API's base URL.
pub const BASE_URL_VAR: &str = "PLUGGY_BASE_URL";
/// The environment variable holding the per-request timeout, in seconds.
pub const TIMEOUT_VAR: &str = "PLUGGY_TIMEOUT";

/// The Pluggy open-finance API from the command line.
#[derive(Debug, Parser)]
#[command(name = "pluggy", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    /// The API's base URL (default `https://api.pluggy.ai`).
    #[arg(long, global = true, env = BASE_URL_VAR, value_name = "URL")]
    pub base_url: Option<String>,
    /// Print JSON (one document per line) instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// Give up on a request after this many seconds (connecting, sending and reading the whole
    /// answer).
    #[arg(
        long,
        global = true,
        env = TIMEOUT_VAR,
        value_name = "SECS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..=3600)
    )]
    pub timeout: u64,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Walk the whole Pluggy flow, narrated: on an emulator started in this process, or on
    /// --base-url with PLUGGY_CLIENT_ID/PLUGGY_CLIENT_SECRET.
    Demo(DemoArgs),
    /// Pluggy Connect for a person: a connect token, the emulator's Connect page to open with
    /// it, then the item and its webhooks once the flow there ends (exit 1 if it fails or
    /// --wait passes). Against Pluggy's API: the token, and how to open Pluggy Connect with it.
    Connect(ConnectArgs),
    /// The application's credentials.
    Auth {
        /// What to do.
        #[command(subcommand)]
        command: AuthCommand,
    },
    /// Connect tokens for Pluggy Connect.
    ConnectToken {
        /// What to do.
        #[command(subcommand)]
        command: ConnectTokenCommand,
    },
    /// Connectors (institutions).
    Connectors {
        /// What to do.
        #[command(subcommand)]
        command: ConnectorsCommand,
    },
    /// Items (connections to an institution).
    Items {
        /// What to do.
        #[command(subcommand)]
        command: ItemsCommand,
    },
    /// Accounts of an item, their real-time balance and statements.
    Accounts {
        /// What to do.
        #[command(subcommand)]
        command: AccountsCommand,
    },
    /// Transactions of an account, and setting their category.
    Transactions {
        /// What to do.
        #[command(subcommand)]
        command: TransactionsCommand,
    },
    /// Identity of an item's owner.
    Identity {
        /// What to do.
        #[command(subcommand)]
        command: IdentityCommand,
    },
    /// Investments of an item.
    Investments {
        /// What to do.
        #[command(subcommand)]
        command: InvestmentsCommand,
    },
    /// Transaction categories, and your category rules.
    Categories {
        /// What to do.
        #[command(subcommand)]
        command: CategoriesCommand,
    },
    /// Loan contracts of an item.
    Loans {
        /// What to do.
        #[command(subcommand)]
        command: LoansCommand,
    },
    /// Credit-card bills of an account.
    Bills {
        /// What to do.
        #[command(subcommand)]
        command: BillsCommand,
    },
    /// Open Finance consents of an item.
    Consents {
        /// What to do.
        #[command(subcommand)]
        command: ConsentsCommand,
    },
    /// Look merchants up by CNPJ.
    #[command(after_help = MERCHANTS_AFTER_HELP)]
    Merchants(MerchantsArgs),
    /// Webhook subscriptions, and a local receiver.
    Webhooks {
        /// What to do.
        #[command(subcommand)]
        command: WebhooksCommand,
    },
    /// Payments: customers, recipients and their institutions, payment requests and their
    /// intents, schedules (Pix Agendado) and Automatic Pix.
    Payments {
        /// What to do.
        #[command(subcommand)]
        command: PaymentsCommand,
    },
    /// Smart transfers: payments from a preauthorized account, without a new consent each time.
    SmartTransfers {
        /// What to do.
        #[command(subcommand)]
        command: SmartTransfersCommand,
    },
    /// Boletos: connections to the issuing institution, and the boletos issued through them.
    Boletos {
        /// What to do.
        #[command(subcommand)]
        command: BoletosCommand,
    },
    /// Run the Pluggy API emulator in the foreground.
    Emulator(EmulatorArgs),
}

/// `pluggy demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Connect the two-step MFA sandbox connector and answer its prompt.
    #[arg(long)]
    pub mfa: bool,
    /// Walk the payments flow instead: a recipient, a customer, a payment request, the
    /// payer's approval, the intent's statuses, the webhooks and the settled request.
    #[arg(long, conflicts_with = "mfa")]
    pub payments: bool,
    /// Delay between two steps of the embedded emulator's sync, in milliseconds.
    #[arg(long, default_value_t = 150, hide = true)]
    pub step_delay_ms: u64,
    /// How long to wait for the webhooks, in seconds.
    #[arg(long, default_value_t = 10, hide = true)]
    pub webhook_wait_secs: u64,
}

impl DemoArgs {
    /// The demo's options.
    pub fn options(&self) -> DemoOptions {
        DemoOptions {
            mfa: self.mfa,
            payments: self.payments,
            step_delay: Duration::from_millis(self.step_delay_ms),
            webhook_wait: Duration::from_secs(self.webhook_wait_secs),
        }
    }
}

/// `pluggy auth …`.
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Trade the credentials for an API key and show its expiry (never the key).
    Check,
}

/// `pluggy connect-token …`.
#[derive(Debug, Subcommand)]
pub enum ConnectTokenCommand {
    /// Mint a connect token and print it, alone, on standard output (for piping).
    Create {
        /// Update this item instead of creating one.
        #[arg(long)]
        item_id: Option<String>,
        /// Your id for the end user; it comes back in the item and its webhooks.
        #[arg(long)]
        client_user_id: Option<String>,
        /// Where the item's events are sent.
        #[arg(long)]
        webhook_url: Option<String>,
        /// Where an OAuth institution sends the user back.
        #[arg(long)]
        oauth_redirect_uri: Option<String>,
        /// Refuse to create an item that duplicates one of this user's.
        #[arg(long)]
        avoid_duplicates: bool,
    },
}

/// `pluggy connectors …`.
#[derive(Debug, Subcommand)]
pub enum ConnectorsCommand {
    /// List connectors.
    List {
        /// Include the sandbox connectors.
        #[arg(long)]
        sandbox: bool,
        /// Only connectors whose name contains this.
        #[arg(long)]
        name: Option<String>,
    },
    /// Show one connector and the credentials it asks for.
    Get {
        /// The connector's id.
        id: u32,
    },
    /// Check item credentials against a connector's rules, without connecting.
    Validate {
        /// The connector's id.
        id: u32,
        /// A credential, NAME=VALUE (repeatable).
        #[command(flatten)]
        parameters: ParameterArgs,
    },
}

/// Item credentials, from the command line or (for secrets) standard input.
#[derive(Debug, Args, Default)]
pub struct ParameterArgs {
    /// A credential, NAME=VALUE (repeatable). Use --secret-parameter for passwords.
    #[arg(long = "parameter", value_name = "NAME=VALUE")]
    pub parameters: Vec<String>,
    /// A credential whose value is read from standard input, one line each, in order
    /// (prompted for on a terminal; repeatable).
    #[arg(long = "secret-parameter", value_name = "NAME")]
    pub secret_parameters: Vec<String>,
}

/// `pluggy items …`.
#[derive(Debug, Subcommand)]
pub enum ItemsCommand {
    /// Connect an institution: create an item.
    Create {
        /// The connector's id.
        #[arg(long)]
        connector_id: u32,
        /// The credentials.
        #[command(flatten)]
        parameters: ParameterArgs,
        /// Your id for the end user.
        #[arg(long)]
        client_user_id: Option<String>,
        /// Where the item's events are sent.
        #[arg(long)]
        webhook_url: Option<String>,
        /// Then follow the sync until it ends (see `items wait`).
        #[arg(long)]
        wait: bool,
    },
    /// Show an item and its sync status.
    Get {
        /// The item's id.
        id: String,
    },
    /// Start a new sync, optionally with new credentials.
    Update {
        /// The item's id.
        id: String,
        /// New credentials.
        #[command(flatten)]
        parameters: ParameterArgs,
        /// Then follow the sync until it ends.
        #[arg(long)]
        wait: bool,
    },
    /// Delete an item.
    Delete {
        /// The item's id.
        id: String,
    },
    /// Answer an item's MFA prompt (use --secret-parameter to type the code).
    Mfa {
        /// The item's id.
        id: String,
        /// The answers.
        #[command(flatten)]
        parameters: ParameterArgs,
    },
    /// Follow an item's sync until it ends, answering MFA prompts from standard input.
    Wait {
        /// The item's id.
        id: String,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 300)]
        timeout_secs: u64,
    },
}

/// `pluggy accounts …`.
#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// List an item's accounts.
    List {
        /// The item's id.
        #[arg(long)]
        item_id: String,
    },
    /// Show an account's balance as the institution reports it now (`GET
    /// /accounts/{id}/balance`).
    Balance {
        /// The account's id.
        #[arg(long)]
        account_id: String,
    },
    /// List every monthly statement of an account, with its download link (a signed link
    /// that stops working after about 30 minutes: list again for a fresh one).
    Statements {
        /// The account's id.
        #[arg(long)]
        account_id: String,
    },
}

const TRANSACTIONS_LIST_AFTER_HELP: &str = "\
Reads GET /v2/transactions (cursor pages; GET /transactions is retired by Pluggy on 2026-12-31).
One page: the table, and on standard error the command that shows the next page; with --json,
the page itself, {\"results\": [...], \"next\": \"?accountId=...&after=...\" or null}.
--all: every transaction, a table or (with --json) one JSON array.";

/// `pluggy transactions …`.
#[derive(Debug, Subcommand)]
pub enum TransactionsCommand {
    /// List an account's transactions: one page, the page after it with --next, or --all of
    /// them.
    #[command(after_help = TRANSACTIONS_LIST_AFTER_HELP)]
    List {
        /// The account's id.
        #[arg(long)]
        account_id: String,
        /// Every page, not just one.
        #[arg(long)]
        all: bool,
        /// From this date (YYYY-MM-DD; `dateFrom`).
        #[arg(long, conflicts_with = "next")]
        from: Option<String>,
        /// Up to this date (YYYY-MM-DD; `dateTo`).
        #[arg(long, conflicts_with = "next")]
        to: Option<String>,
        /// The page after the one that gave this `next` (its query string, as printed; it
        /// carries the account and the dates).
        #[arg(long, value_name = "NEXT", conflicts_with = "all")]
        next: Option<String>,
    },
    /// Set a transaction's category (`PATCH /transactions/{id}`); the transaction as the API
    /// answers is shown.
    Categorize {
        /// The transaction's id.
        #[arg(long)]
        transaction_id: String,
        /// The category to give it (`pluggy categories list` shows the ids).
        #[arg(long)]
        category_id: String,
    },
}

/// `pluggy categories …`.
#[derive(Debug, Subcommand)]
pub enum CategoriesCommand {
    /// List every category, or every subcategory of one.
    List {
        /// Only the subcategories of this category.
        #[arg(long)]
        parent_id: Option<String>,
    },
    /// Show one category.
    Get {
        /// The category's id (`01010000`).
        id: String,
    },
    /// Your category rules: they categorize the matching transactions synced after them.
    Rules {
        /// What to do.
        #[command(subcommand)]
        command: CategoryRulesCommand,
    },
}

/// A transaction direction, as a rule takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RuleTransactionType {
    /// Money out.
    Debit,
    /// Money in.
    Credit,
}

/// A kind of account, as a rule takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RuleAccountType {
    /// A checking account.
    CheckingAccount,
    /// A credit card.
    CreditCard,
}

/// How a rule compares its description with a transaction's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "camelCase")]
pub enum RuleMatchType {
    /// The whole description.
    Exact,
    /// Anywhere in the description.
    Contains,
    /// At the start of the description.
    StartsWith,
    /// At the end of the description.
    EndsWith,
}

/// `pluggy categories rules …`.
#[derive(Debug, Subcommand)]
pub enum CategoryRulesCommand {
    /// List the application's category rules.
    List,
    /// Add a rule: transactions whose description matches get the category.
    Create {
        /// The transaction description to match.
        #[arg(long)]
        description: String,
        /// The category to give matching transactions.
        #[arg(long)]
        category_id: String,
        /// Only transactions in this direction.
        #[arg(long, value_enum)]
        transaction_type: Option<RuleTransactionType>,
        /// Only transactions of this kind of account.
        #[arg(long, value_enum)]
        account_type: Option<RuleAccountType>,
        /// How to compare the description (the API compares it exactly when not given).
        #[arg(long, value_enum)]
        match_type: Option<RuleMatchType>,
    },
    /// Delete a rule.
    Delete {
        /// The rule's id (`pluggy categories rules list` shows the ids).
        id: String,
    },
}

/// `pluggy loans …`.
#[derive(Debug, Subcommand)]
pub enum LoansCommand {
    /// List every loan of an item.
    List {
        /// The item's id.
        #[arg(long)]
        item_id: String,
    },
    /// Show one loan.
    Get {
        /// The loan's id.
        id: String,
    },
}

/// `pluggy bills …`.
#[derive(Debug, Subcommand)]
pub enum BillsCommand {
    /// List every bill of a credit-card account.
    List {
        /// The credit-card account's id.
        #[arg(long)]
        account_id: String,
    },
    /// Show one bill, its finance charges and its payments.
    Get {
        /// The bill's id.
        id: String,
    },
}

/// `pluggy consents …`.
#[derive(Debug, Subcommand)]
pub enum ConsentsCommand {
    /// List every consent of an (Open Finance) item.
    List {
        /// The item's id.
        #[arg(long)]
        item_id: String,
    },
    /// Show one consent and the permissions it grants.
    Get {
        /// The consent's id.
        id: String,
    },
}

const MERCHANTS_AFTER_HELP: &str = "\
Each CNPJ gets one line, in the order given, with the API's verdict: found (and the merchant),
not found (a valid CNPJ of no known merchant) or invalid (not a CNPJ). Punctuation is allowed
(00.000.000/0001-91); letters too, for the alphanumeric CNPJs. --json prints one array of
{\"cnpj\", \"status\": \"found\"|\"notFound\"|\"invalid\", \"merchant\"}.
Exit code 1 when the API calls any CNPJ given invalid (after printing every verdict); not found
is an answer, exit code 0.";

/// `pluggy merchants`.
#[derive(Debug, Args)]
pub struct MerchantsArgs {
    /// The CNPJs to look up (one or more).
    #[arg(required = true, value_name = "CNPJ")]
    pub cnpjs: Vec<String>,
}

/// `pluggy identity …`.
#[derive(Debug, Subcommand)]
pub enum IdentityCommand {
    /// Show the identity of an item's owner.
    Get {
        /// The item's id.
        #[arg(long)]
        item_id: String,
    },
}

/// `pluggy investments …`.
#[derive(Debug, Subcommand)]
pub enum InvestmentsCommand {
    /// List an item's investments.
    List {
        /// The item's id.
        #[arg(long)]
        item_id: String,
    },
}

/// `pluggy webhooks …`.
#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// List the application's webhooks (header values are not shown).
    List,
    /// Subscribe a URL to an event.
    Create {
        /// Where to deliver.
        #[arg(long)]
        url: String,
        /// The event (`all`, `item/updated`, …).
        #[arg(long)]
        event: String,
        /// A custom header sent with every delivery, K:V (repeatable).
        #[arg(long = "header", value_name = "K:V")]
        headers: Vec<String>,
    },
    /// Change a webhook.
    Update {
        /// The webhook's id.
        id: String,
        /// New URL.
        #[arg(long)]
        url: Option<String>,
        /// New event.
        #[arg(long)]
        event: Option<String>,
        /// Replace the custom headers, K:V (repeatable).
        #[arg(long = "header", value_name = "K:V")]
        headers: Vec<String>,
        /// Re-enable it after the API disabled it for failed deliveries.
        #[arg(long)]
        enable: bool,
    },
    /// Delete a webhook.
    Delete {
        /// The webhook's id.
        id: String,
    },
    /// Receive deliveries on this machine: check the custom headers, acknowledge at once,
    /// drop repeats (same eventId), print each event.
    Listen {
        /// Port to listen on (0 picks one).
        #[arg(long)]
        port: u16,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        host: IpAddr,
        /// A custom header every delivery must carry, K:V (repeatable).
        #[arg(long = "header", value_name = "K:V")]
        headers: Vec<String>,
        /// Most deliveries received at once; one more is answered 503 (the sender retries).
        #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=10_000))]
        max_connections: u64,
        /// Time a sender has to deliver a request head, and again its body, in milliseconds.
        #[arg(long, default_value_t = 10_000, hide = true, value_parser = clap::value_parser!(u64).range(1..))]
        request_timeout_ms: u64,
    },
}

/// `pluggy connect`.
#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// The `clientUserId` of the connect token (your user's id), echoed in the item and its
    /// webhooks.
    #[arg(long, value_name = "U")]
    pub client_user_id: Option<String>,
    /// Open the page in a browser (xdg-open / open); if that fails the URL is still printed.
    #[arg(long)]
    pub open: bool,
    /// Seconds to wait for the flow to end.
    #[arg(long, value_name = "SECS", default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub wait: u64,
}

/// `pluggy emulator`.
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Port to listen on (0 picks a free one; the address is printed).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Delay between two steps of an item's sync, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    pub sync_delay_ms: u64,
    /// Seed of every generated id and record.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Do not enforce the documented rate limits.
    #[arg(long)]
    pub no_rate_limits: bool,
    /// Refuse webhook URLs that are not public https (as the real API does); by default
    /// local http:// receivers are allowed.
    #[arg(long)]
    pub https_webhooks_only: bool,
    /// Answer `GET /transactions` (page style, retired by Pluggy on 2026-12-31) with 410
    /// ENDPOINT_DEPRECATED, as the API already does for some keys.
    #[arg(long)]
    pub retire_v1_transactions: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_go_anywhere() {
        let cli = Cli::try_parse_from(["pluggy", "items", "get", "it-1", "--json"]).expect("ok");
        assert!(cli.json);
        let cli = Cli::try_parse_from(["pluggy", "--base-url", "http://127.0.0.1:1", "demo"])
            .expect("ok");
        assert_eq!(cli.base_url.as_deref(), Some("http://127.0.0.1:1"));
    }
}
