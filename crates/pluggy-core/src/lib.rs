//! # pluggy-core
//!
//! The sans-IO core of the Pluggy SDK: everything the protocol knows, nothing that touches a
//! socket or a clock. It holds the models, the generated endpoint table, connect-token scope
//! rules, the API key lifecycle state machine, request building, response parsing, retry
//! decisions and the item-wait logic. The `pluggy-async` and `pluggy-blocking` drivers only
//! lock, wait, send and sleep; anyone on another runtime can drive this crate the same way.
//!
//! One call, as data:
//!
//! 1. [`calls`] builds a [`Call`] on the generated [`endpoints`] table;
//! 2. [`Exchange::start`] checks it against the credential's scope ([`check_access`]): a
//!    connect token asking for transactions fails here, with nothing sent;
//! 3. the driver asks its [`TokenManager`] for an API key, passing [`Now`];
//! 4. [`Exchange::request`] prepares the [`PreparedRequest`], which the driver sends through
//!    its [`AsyncTransport`] or [`BlockingTransport`];
//! 5. [`Exchange::on_outcome`] turns the [`RawResponse`] into a [`Step`]: done (with the answer
//!    or a typed [`Error`]), sleep and retry, or invalidate the key and retry;
//! 6. [`parse_response`] decodes the answer into a model.

#![forbid(unsafe_code)]

pub mod bills;
pub mod calls;
pub mod clock;
pub mod connect_token;
pub mod driver;
pub mod endpoint;
pub mod error;
pub mod exchange;
pub mod fleet;
pub mod generated;
pub mod header;
pub mod http;
pub mod ids;
pub mod jitter;
pub mod models;
pub mod operation;
pub mod pager;
pub mod progress;
pub mod retry;
pub mod scope;
pub mod secret;
pub mod token;
pub mod transport;
pub mod wait;
pub mod webhook;

pub use clock::{Now, Timestamp};
pub use connect_token::ConnectTokenGrant;
pub use error::{
    ApiError, AuthFailure, Error, ErrorBody, ErrorDetail, ScopeError, TransportError,
    TransportErrorKind,
};
pub use exchange::{Exchange, KeyEpoch, Step};
pub use generated::endpoints::{
    self, API_KEY_LIFETIME_SECS, CONNECT_TOKEN_LIFETIME_SECS, Operation, REDUCED_ACCOUNT_FIELDS,
};
pub use generated::enums::{ConnectorType, ExecutionStatus, ItemStatus, Product, WebhookEvent};
pub use http::{
    BaseUrl, Body, Call, Header, Headers, PreparedRequest, RawResponse, parse_response,
};
pub use ids::{
    AccountId, AutomaticPixPaymentId, BillId, BoletoConnectionId, BoletoId, CategoryId,
    CategoryRuleId, ClientId, ClientUserId, ConnectorId, ConsentId, EventId, IdentityId,
    InvestmentId, ItemId, LoanId, PaymentCustomerId, PaymentInstitutionId, PaymentIntentId,
    PaymentRecipientId, PaymentRequestId, PaymentScheduleId, SmartTransferPaymentId,
    SmartTransferPreauthorizationId, TransactionId, WebhookId,
};
pub use operation::{IntoCall, Request};
pub use pager::{Paged, Pager, PagerStep};
pub use progress::ItemProgress;
pub use retry::{Next, RetryPolicy, RetryState};
pub use scope::{CredentialScope, check_access};
pub use secret::{ApiKey, ClientSecret, ConnectToken, CredentialValue};
pub use token::{
    Decision, Epoch, KeySource, RefreshTicket, TokenConfig, TokenManager, auth_call,
    parse_auth_response,
};
pub use transport::{AsyncTransport, BlockingTransport};
pub use wait::{ItemWait, SettleWait, Settles, WaitPolicy, WaitStep};
pub use webhook::{WebhookPayload, verify_headers};
