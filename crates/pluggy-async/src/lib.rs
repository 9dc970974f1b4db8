//! # pluggy-async
//!
//! The async client of the Pluggy open-finance API, a thin driver over [`pluggy_core`].
//!
//! - [`Client`] holds your application's credentials. It fetches the 2-hour API key lazily,
//!   refreshes it ahead of expiry with a single `POST /auth` however many tasks are calling
//!   (in a spawned task while the old key still serves, inside a tokio runtime), answers the
//!   expired-key 403 with one refresh and one retry, and reaches the whole API.
//! - [`ConnectClient`] holds a 30-minute connect token and offers only what Pluggy Connect may
//!   do: connectors, creating one item, following and updating it, its reduced accounts.
//!   Anything else is not on the type, and pluggy-core's scope check refuses it before any
//!   request is sent.
//! - Requests go through an [`AsyncTransport`](pluggy_core::AsyncTransport). The default
//!   (feature `hyper`) is hyper-util's pooled client over rustls with ring; without it the
//!   crate needs no runtime and you bring a transport and a [`runtime::Sleeper`].
//!
//! The whole flow, run here against a local emulator of the API (leave `base_url` out to talk
//! to `https://api.pluggy.ai`):
//!
//! ```
//! # #[cfg(feature = "hyper")]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), pluggy_core::Error> {
//! # let emulator = pluggy_scenarios::Emulator::start();
//! # let (base_url, client_id, client_secret) =
//! #     (emulator.base_url(), emulator.client_id(), emulator.client_secret());
//! use futures_util::StreamExt;
//! use pluggy_async::Client;
//! use pluggy_core::models::{ConnectTokenOptions, ConnectTokenRequest, CreateItemRequest, ItemParameters};
//! use pluggy_core::{ClientSecret, ConnectorId, ItemStatus, WaitPolicy};
//!
//! // Backend: client credentials → API key (lazily) → a connect token for one user.
//! let backend = Client::builder()
//!     .base_url(base_url)
//!     .credentials(client_id, ClientSecret::new(client_secret))
//!     .build()?;
//! let grant = backend
//!     .create_connect_token(&ConnectTokenRequest {
//!         options: Some(ConnectTokenOptions {
//!             client_user_id: Some("user-42".into()),
//!             ..Default::default()
//!         }),
//!         ..Default::default()
//!     })
//!     .await?;
//!
//! // Front end: only the connect token; connect the sandbox bank and wait for the sync.
//! let front = backend.connect_client(grant);
//! let params = ItemParameters::new().with("user", "user-ok").with("password", "password-ok");
//! let item = front.create_item(&CreateItemRequest::new(ConnectorId::new(0), params)).await?;
//! let item = front.wait_for_item(&item.id, WaitPolicy::default(), |_| {}).await?;
//! assert_eq!(item.status, ItemStatus::Updated);
//! let accounts = front.list_accounts(&item.id).await?; // the reduced view
//!
//! // Backend again, with the API key: every transaction, page after page.
//! for account in &accounts.results {
//!     let mut transactions = backend.transactions(&account.id, &Default::default());
//!     let mut count = 0;
//!     while let Some(transaction) = transactions.next().await {
//!         let transaction = transaction?;
//!         assert_eq!(transaction.account_id, account.id);
//!         count += 1;
//!     }
//!     println!("{}: {count} transactions", account.name);
//! }
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "hyper"))]
//! # fn main() {}
//! ```
//!
//! Without the `hyper` feature, give the builder a [`transport`](ClientBuilder::transport) and
//! a [`sleeper`](ClientBuilder::sleeper); `examples/custom_executor.rs` runs this flow on a
//! hand-written executor with a `std::net` transport.

/// The README's examples, compiled as doctests so that they keep compiling.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeExamples;

mod client;
mod engine;
pub mod runtime;
mod stream;

pub use client::{Client, ClientBuilder, ConnectClient};
pub use pluggy_core as core;
pub use stream::{Pages, TransactionStream};

#[cfg(feature = "hyper")]
mod hyper_transport;
#[cfg(feature = "hyper")]
pub use hyper_transport::{HyperTransport, HyperTransportConfig};
