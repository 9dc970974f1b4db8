//! # pluggy-blocking
//!
//! The blocking client of the Pluggy open-finance API, a thin driver over [`pluggy_core`] with
//! no async runtime anywhere in its dependency tree: safe to call from plain threads and from a
//! blocking section of an async program.
//!
//! - [`Client`] holds your application's credentials. It fetches the 2-hour API key lazily,
//!   refreshes it ahead of expiry with a single `POST /auth` however many threads are calling
//!   (`Mutex` + `Condvar`; on a background thread while the old key still serves), answers the
//!   expired-key 403 with one refresh and one retry, and reaches the whole API.
//! - [`ConnectClient`] holds a 30-minute connect token and offers only what Pluggy Connect may
//!   do; anything else is not on the type, and pluggy-core's scope check refuses it before any
//!   request is sent.
//! - Requests go through a [`BlockingTransport`](pluggy_core::BlockingTransport); the default
//!   (feature `ureq`) is a ureq 3 agent over rustls with ring. A closure is a transport too.
//!
//! The whole flow, run here against a local emulator of the API (leave `base_url` out to talk
//! to `https://api.pluggy.ai`):
//!
//! ```
//! # #[cfg(feature = "ureq")]
//! # fn main() -> Result<(), pluggy_core::Error> {
//! # let emulator = pluggy_scenarios::Emulator::start();
//! # let (base_url, client_id, client_secret) =
//! #     (emulator.base_url(), emulator.client_id(), emulator.client_secret());
//! use pluggy_blocking::Client;
//! use pluggy_core::models::{ConnectTokenOptions, ConnectTokenRequest, CreateItemRequest, ItemParameters};
//! use pluggy_core::{ClientSecret, ConnectorId, ItemStatus, WaitPolicy};
//!
//! // Backend: client credentials → API key (lazily) → a connect token for one user.
//! let backend = Client::builder()
//!     .base_url(base_url)
//!     .credentials(client_id, ClientSecret::new(client_secret))
//!     .build()?;
//! let grant = backend.create_connect_token(&ConnectTokenRequest {
//!     options: Some(ConnectTokenOptions {
//!         client_user_id: Some("user-42".into()),
//!         ..Default::default()
//!     }),
//!     ..Default::default()
//! })?;
//!
//! // Front end: only the connect token; connect the sandbox bank and wait for the sync.
//! let front = backend.connect_client(grant);
//! let params = ItemParameters::new().with("user", "user-ok").with("password", "password-ok");
//! let item = front.create_item(&CreateItemRequest::new(ConnectorId::new(0), params))?;
//! let item = front.wait_for_item(&item.id, WaitPolicy::default(), |_| {})?;
//! assert_eq!(item.status, ItemStatus::Updated);
//! let accounts = front.list_accounts(&item.id)?; // the reduced view
//!
//! // Backend again, with the API key: every transaction, page after page.
//! for account in &accounts.results {
//!     let transactions = backend
//!         .transactions(&account.id, &Default::default())
//!         .collect::<Result<Vec<_>, _>>()?;
//!     println!("{}: {} transactions", account.name, transactions.len());
//! }
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "ureq"))]
//! # fn main() {}
//! ```

mod client;
pub mod clock;
mod engine;
mod pages;

pub use client::{Client, ClientBuilder, ConnectClient};
pub use pages::{Pages, TransactionIter};
pub use pluggy_core as core;

#[cfg(feature = "ureq")]
mod ureq_transport;
#[cfg(feature = "ureq")]
pub use ureq_transport::{UreqTransport, UreqTransportConfig};
