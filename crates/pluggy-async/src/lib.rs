//! # pluggy-async
//!
//! The async client of the Pluggy open-finance API, a thin driver over [`pluggy_core`].
//!
//! - [`Client`] holds your application's credentials. It fetches the 2-hour API key lazily,
//!   refreshes it ahead of expiry with a single `POST /auth` however many tasks are calling,
//!   answers the expired-key 403 with one refresh and one retry, and reaches the whole API.
//! - [`ConnectClient`] holds a 30-minute connect token and offers only what Pluggy Connect may
//!   do: connectors, creating one item, following and updating it, its reduced accounts.
//!   Anything else is not on the type, and pluggy-core's scope check refuses it before any
//!   request is sent.
//! - Requests go through an [`AsyncTransport`](pluggy_core::AsyncTransport). The default
//!   (feature `hyper`) is hyper-util's pooled client over rustls with ring; without it the
//!   crate needs no runtime and you bring a transport and a [`runtime::Sleeper`].
//!
//! ```no_run
//! use pluggy_async::Client;
//! use pluggy_core::models::{ConnectTokenOptions, ConnectTokenRequest, CreateItemRequest, ItemParameters};
//! use pluggy_core::{ClientSecret, ConnectorId, WaitPolicy};
//!
//! # async fn run() -> Result<(), pluggy_core::Error> {
//! // Backend: client credentials → API key (lazily) → a connect token for one user.
//! let backend = Client::builder()
//!     .credentials("your-client-id", ClientSecret::new("your-client-secret"))
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
//! let accounts = front.list_accounts(&item.id).await?; // the reduced view
//!
//! // Backend again, with the API key: the products.
//! for account in &accounts.results {
//!     let page = backend.list_transactions(&account.id, &Default::default()).await?;
//!     println!("{}: {} transactions", account.name, page.total);
//! }
//! # Ok(())
//! # }
//! ```

mod client;
mod engine;
pub mod runtime;
mod stream;

pub use client::{Client, ClientBuilder, ConnectClient};
pub use pluggy_core as core;
pub use stream::TransactionStream;

#[cfg(feature = "hyper")]
mod hyper_transport;
#[cfg(feature = "hyper")]
pub use hyper_transport::{HyperTransport, HyperTransportConfig};
