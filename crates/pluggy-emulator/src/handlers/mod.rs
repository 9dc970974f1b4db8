//! One module per resource of the API, each with the handlers of its operations. A handler
//! takes the parsed request ([`request::Ctx`]) and the world's state and answers with a
//! [`Reply`](crate::reply::Reply); the HTTP router picks the handler of each operation.
//! Handlers never touch HTTP themselves, and the world never calls them.

pub(crate) mod accounts;
pub(crate) mod auth;
pub(crate) mod bills;
pub(crate) mod boletos;
pub(crate) mod categories;
pub(crate) mod connectors;
pub(crate) mod consents;
pub(crate) mod identity;
pub(crate) mod investments;
pub(crate) mod items;
pub(crate) mod loans;
pub(crate) mod merchants;
pub(crate) mod payment_parties;
pub(crate) mod payment_requests;
pub(crate) mod payment_views;
pub(crate) mod request;
pub(crate) mod smart_transfers;
pub(crate) mod transactions;
pub(crate) mod views;
pub(crate) mod webhooks;
