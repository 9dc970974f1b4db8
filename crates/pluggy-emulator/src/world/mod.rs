//! The emulated world: state, records, clock, generated data and sandbox rules. It knows
//! nothing of HTTP or handlers; they read it under [`state::Shared::read`] (shared) and
//! change it under [`state::Shared::lock`] (exclusive). What every request touches besides
//! the world (counters, rate windows, verified credentials, encoded views) is in [`shards`].

pub(crate) mod catalog;
pub(crate) mod categories;
pub(crate) mod clock;
pub(crate) mod data;
pub(crate) mod faults;
pub(crate) mod items;
pub(crate) mod jwt;
pub(crate) mod merchants;
pub(crate) mod payments;
pub(crate) mod products;
pub(crate) mod rng;
pub(crate) mod sandbox;
pub(crate) mod shards;
pub(crate) mod state;
pub(crate) mod webhooks;
