//! # pluggy-emulator
//!
//! The Pluggy API, offline: a stateful HTTP server that answers like `https://api.pluggy.ai`
//! (same paths, `X-API-KEY` header, JSON bodies, status codes and error shapes), so that
//! this project's clients, Pluggy's official SDKs and your own code can run their flows in
//! tests and CI without network or credentials.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use pluggy_emulator::{Config, Emulator};
//!
//! let emulator = Emulator::start(Config::for_tests()).await?;
//! println!("point your client at {}", emulator.base_url());
//! // … POST /auth with pluggy_emulator::DEFAULT_CLIENT_ID / DEFAULT_CLIENT_SECRET …
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Without a tokio runtime of your own (a blocking client's tests),
//! [`Emulator::start_in_background`] runs it on its own thread.
//!
//! What it does:
//! - `POST /auth` issues API keys (HS256 JWTs with `exp`) to the configured clients, signed
//!   with a key drawn at random at start (or derived from the seed with
//!   [`Config::deterministic_keys`]);
//!   `POST /connect_token` (and the legacy `POST /connecttokens`) issues connect tokens whose
//!   scope (client, `itemId`, options) is kept server-side and enforced with pluggy-core's
//!   access rules (403 `FORBIDDEN` outside the scope; 403 without `codeDescription` for a
//!   missing, invalid or expired key).
//! - Sandbox connectors 0, 1 (MFA in one step), 2, 3 (MFA in two steps), 8 and 600 (Open
//!   Finance), plus a few ordinary ones; items run their sync asynchronously (one step every
//!   [`Config::sync_step_delay`]) with the sandbox usernames' outcomes (`user-ok`,
//!   `user-locked`, `user-ok-account-error`, `user-ok-perf-{x}`…).
//! - Accounts (reduced view for connect tokens), transactions (page and cursor style),
//!   identity and investments, generated deterministically from [`Config::seed`], and the
//!   products that agree with them: credit-card bills (the card's transactions carry their
//!   `billId`), the real-time balance (the account's), monthly statements, loans (for
//!   connectors that offer `LOANS`), consents (Open Finance connectors), the category tree the
//!   transactions' `categoryId` refer to, category rules and `PATCH /transactions/{id}` that
//!   change later reads, and merchants found by CNPJ.
//! - `GET /transactions` answers `410 ENDPOINT_DEPRECATED` with
//!   [`Config::retire_v1_transactions`], as the API does for some keys.
//! - Webhooks: CRUD, and delivery of item and transactions events with retries.
//! - Rate limits as documented (429, `Retry-After`, `RateLimit-*`), switchable off.
//! - Bounded connections ([`Config::max_connections`], 503 beyond), a timeout on slow or idle
//!   connections ([`Config::read_timeout`]), and limits on bodies, URIs and headers answered
//!   in the API's error shape (413, 414, 431).
//! - The Connect widget at `GET /connect` (plain HTML, CSS and JS embedded in the binary):
//!   terms, connectors, credentials, sync progress, MFA, success or error, run against the
//!   emulator's API with the connect token only; standalone (`/connect?connectToken=…`), as a
//!   script-tag drop-in (`/connect/pluggy-connect.js`, `window.PluggyConnect`) or as the zoid
//!   child of the official `pluggy-connect-sdk` with [`Config::connect_zoid`]. Its selectors
//!   and callbacks are listed in the README.
//! - For testers, under `/__emulator/`: `GET stats`, `POST clock/advance`, `POST`/`DELETE
//!   faults` and `POST reset` (see the README for their shapes).

#![forbid(unsafe_code)]

// Layers, each importing only those after it: `server` (start, connections, ticker) →
// `http` (request pipeline, router, auth) → `handlers` (one module per resource) → `world`
// (state, records, clock, generated data, sandbox rules). `delivery` sends the webhooks the
// world queues, `admin` serves `/__emulator/` (with `tester`,
// the payer's side of payments), `reply` is the answer type they share.
mod admin;
mod config;
mod connect;
mod delivery;
mod handlers;
mod http;
mod reply;
mod server;
mod tester;
mod world;

pub use config::{
    ClientCredentials, Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, WebhookDelivery,
};
pub use server::{BackgroundEmulator, Emulator, RunningEmulator, StartError};
