//! `pluggy`: the Pluggy open-finance API from the command line.
//!
//! - `pluggy demo` walks the whole documented flow (API key, connect token, an item on the
//!   sandbox bank, scope, transactions, webhooks) against an emulator started in-process, or
//!   against any Pluggy API with `--base-url` and `PLUGGY_CLIENT_ID`/`PLUGGY_CLIENT_SECRET`;
//!   `pluggy demo --payments` walks a Pix payment the same way.
//! - Everyday commands: `auth check`, `connect-token create`, `connectors`, `items`,
//!   `accounts` (and their real-time `balance` and `statements`), `transactions` (read from
//!   `GET /v2/transactions`; `categorize` sets one's category), `identity`, `investments`,
//!   `categories` (and `categories rules`), `loans`, `bills`, `consents`, `merchants`,
//!   `webhooks` (and `webhooks listen`, a local receiver).
//! - Payments (API key only): `payments customers|recipients|institutions|requests|intents|
//!   schedules|automatic-pix`, `smart-transfers preauthorizations|payments`, `boletos`;
//!   `payments requests create --wait` follows a request until it settles.
//! - `pluggy connect` mints a connect token and prints the emulator's Connect page for it
//!   (`--open` opens it), then the item and its webhooks once the flow there ends.
//! - `pluggy emulator` runs the emulator in the foreground.
//!
//! Exit codes: 0 success, 1 other failures (an item's sync failed, a deadline passed), 2 usage
//! or configuration errors, 3 refused credentials, 4 scope refusals, 5 API errors, 6 network
//! failures.

#![forbid(unsafe_code)]

mod caller;
mod cli;
mod commands;
mod connect;
mod data;
mod demo;
mod embedded;
mod fail;
mod input;
mod narration;
mod output;
mod payment_demo;
mod payments;
mod receiver;
mod settings;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use crate::cli::Cli;
use crate::settings::Settings;

fn main() -> ExitCode {
    // clap reads these too, but would not say which one is unreadable.
    for var in [cli::BASE_URL_VAR, cli::TIMEOUT_VAR] {
        if let Err(failure) = settings::non_empty_var(var) {
            eprintln!("pluggy: {failure}");
            return ExitCode::from(failure.kind.exit_code());
        }
    }
    let cli = Cli::parse();
    let settings = Settings {
        base_url: cli.base_url.clone(),
        json: cli.json,
        timeout: Duration::from_secs(cli.timeout),
    };
    match commands::run(&settings, cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            // The message often carries the API's own text.
            eprintln!("pluggy: {}", output::sanitize(&failure.message));
            ExitCode::from(failure.kind.exit_code())
        }
    }
}
