//! The emulator's memory: tokens, items, webhooks, counters, fault rules and rate windows.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::ops::{Deref, DerefMut};
use std::sync::{OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard};

use bytes::Bytes;
use pluggy_core::ItemId;
use pluggy_core::models::ConnectTokenOptions;
use tokio::sync::{Notify, mpsc};

use crate::config::Config;
use crate::world::catalog::{self, Connector};
use crate::world::categories::RuleRec;
use crate::world::clock::{Clock, Millis};
use crate::world::faults::Faults;
use crate::world::items::ItemRec;
use crate::world::payments::Payments;
use crate::world::rng::Rng;
use crate::world::shards::{RateWindows, RequestCounts, VerifiedTokens, ViewCache};
use crate::world::webhooks::{Delivery, WebhookRec};

/// What every connection task shares.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) clock: Clock,
    pub(crate) connectors: Vec<Connector>,
    pub(crate) addr: SocketAddr,
    pub(crate) base_url: String,
    pub(crate) wake: Notify,
    pub(crate) deliveries: mpsc::UnboundedSender<Delivery>,
    /// Where each generation's signing key is derived from (see [`signing_key_base`]).
    key_base: [u8; 32],
    /// Requests read the state under a shared guard; only changes take it exclusively.
    state: RwLock<State>,
    /// Answered requests by route and status, counted outside the state's lock.
    pub(crate) requests: RequestCounts,
    /// The rate-limit windows, outside the state's lock.
    pub(crate) windows: RateWindows,
    /// The claims of keys and tokens whose signature was already checked.
    pub(crate) verified: VerifiedTokens,
    /// The fault injection rules.
    pub(crate) faults: Faults,
    /// Items' answers as encoded for the current [`State::epoch`].
    pub(crate) item_views: ViewCache,
    /// Each connector's answer, once encoded (the catalog never changes), in catalog order.
    pub(crate) connector_views: Vec<OnceLock<Bytes>>,
}

/// The secret every signing key of an emulator is derived from: random, or derived from the
/// seed when [`Config::deterministic_keys`] asks for reproducible keys.
pub(crate) fn signing_key_base(config: &Config) -> Result<[u8; 32], getrandom::Error> {
    if config.deterministic_keys {
        return Ok(Rng::derived(config.seed, "signing-key").bytes::<32>());
    }
    let mut base = [0u8; 32];
    getrandom::fill(&mut base)?;
    Ok(base)
}

/// The key that signs this generation's keys and tokens: a reset changes it, so keys issued
/// before a reset stop working.
fn signing_key(base: &[u8; 32], generation: u64) -> [u8; 32] {
    crate::world::jwt::derive_key(base, &format!("signing-key-{generation}"))
}

impl Shared {
    pub(crate) fn new(
        config: Config,
        addr: SocketAddr,
        base_url: String,
        deliveries: mpsc::UnboundedSender<Delivery>,
        key_base: [u8; 32],
    ) -> Self {
        let state = State::new(config.seed, 0, signing_key(&key_base, 0));
        let connectors = catalog::catalog();
        let connector_views = connectors.iter().map(|_| OnceLock::new()).collect();
        let faults = Faults::new(config.seed);
        Self {
            config,
            clock: Clock::default(),
            connectors,
            addr,
            base_url,
            wake: Notify::new(),
            deliveries,
            key_base,
            state: RwLock::new(state),
            requests: RequestCounts::default(),
            windows: RateWindows::default(),
            verified: VerifiedTokens::default(),
            faults,
            item_views: ViewCache::default(),
            connector_views,
        }
    }

    /// The state, exclusively, to change it, even if a panicking task poisoned the lock (the
    /// state stays consistent because every mutation is completed under the lock before it
    /// is released). When the guard is released, the state's next due instant is recomputed.
    pub(crate) fn lock(&self) -> StateGuard<'_> {
        StateGuard(self.state.write().unwrap_or_else(|e| e.into_inner()))
    }

    /// The state, shared with other readers, to read it.
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The `/__emulator/stats` document.
    pub(crate) fn stats_json(&self) -> serde_json::Value {
        let st = self.read();
        st.stats.to_json(&self.requests.snapshot())
    }

    /// A connector of the catalog.
    pub(crate) fn connector(&self, id: u32) -> Option<&Connector> {
        self.connectors.iter().find(|c| c.id == id)
    }

    /// A connector of the catalog and the slot of its encoded answer.
    pub(crate) fn connector_and_view(&self, id: u32) -> Option<(&Connector, &OnceLock<Bytes>)> {
        let i = self.connectors.iter().position(|c| c.id == id)?;
        Some((&self.connectors[i], self.connector_views.get(i)?))
    }

    /// Hands queued webhook deliveries to the delivery task.
    pub(crate) fn flush(&self, st: &mut State) {
        for d in st.outbox.drain(..) {
            // The receiver lives as long as the server; after shutdown there is nobody to deliver to.
            let _ = self.deliveries.send(d);
        }
    }

    /// Runs every item's sync up to the current time and sends the resulting webhooks.
    pub(crate) fn tick(&self) -> Option<Millis> {
        let now = self.clock.now();
        let mut st = self.lock();
        st.advance(self, now);
        self.flush(&mut st);
        st.next_due()
    }

    /// Forgets everything, as if the emulator had just started (old keys stop working).
    pub(crate) fn reset(&self) {
        {
            let mut st = self.lock();
            let generation = st.generation + 1;
            // The epoch goes on counting, so no view of the old world matches the new one.
            let epoch = st.epoch;
            *st = State::new(
                self.config.seed,
                generation,
                signing_key(&self.key_base, generation),
            );
            st.epoch = epoch;
            self.clock.reset();
            self.requests.clear();
            self.windows.clear();
            self.verified.clear();
            self.item_views.clear();
            self.faults.reset();
        }
        self.wake.notify_one();
    }

    /// Moves the clock forward and runs whatever became due.
    pub(crate) fn advance_clock(&self, by: std::time::Duration) {
        self.clock.advance(crate::world::clock::millis(by));
        self.tick();
        self.wake.notify_one();
    }
}

/// What a connect token may reach, held server-side.
#[derive(Clone, Debug)]
pub(crate) struct TokenScope {
    /// The client that minted the token.
    pub(crate) client_id: String,
    /// The item it was issued for and the items it created.
    pub(crate) items: Vec<ItemId>,
    /// Defaults for the items it creates.
    pub(crate) options: ConnectTokenOptions,
    /// When it stops working, on the emulator's clock.
    pub(crate) expires_at: Millis,
}

/// The state under an exclusive guard. Releasing it records when something next becomes due,
/// so that requests can tell, under a shared guard, whether the world must be advanced first.
pub(crate) struct StateGuard<'a>(RwLockWriteGuard<'a, State>);

impl Deref for StateGuard<'_> {
    type Target = State;

    fn deref(&self) -> &State {
        &self.0
    }
}

impl DerefMut for StateGuard<'_> {
    fn deref_mut(&mut self) -> &mut State {
        &mut self.0
    }
}

impl Drop for StateGuard<'_> {
    fn drop(&mut self) {
        let due = self.0.next_due();
        self.0.due = due;
        self.0.epoch = self.0.epoch.wrapping_add(1);
    }
}

/// Delivery and authentication counters (requests are counted in [`Shared::requests`]).
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) auth_calls: u64,
    pub(crate) dropped: u64,
    pub(crate) webhook_attempts: u64,
    pub(crate) webhooks_delivered: u64,
    pub(crate) webhooks_failed: u64,
}

impl Stats {
    /// The `/__emulator/stats` document, with the request counts by route and status.
    pub(crate) fn to_json(
        &self,
        requests: &BTreeMap<String, BTreeMap<String, u64>>,
    ) -> serde_json::Value {
        serde_json::json!({
            "requests": requests,
            "auth_calls": self.auth_calls,
            "dropped": self.dropped,
            "webhooks": {
                "attempts": self.webhook_attempts,
                "delivered": self.webhooks_delivered,
                "failed": self.webhooks_failed,
            },
        })
    }
}

/// Everything the emulator remembers.
pub(crate) struct State {
    pub(crate) generation: u64,
    pub(crate) rng: Rng,
    pub(crate) signing_key: [u8; 32],
    pub(crate) tokens: HashMap<String, TokenScope>,
    pub(crate) items: BTreeMap<String, ItemRec>,
    pub(crate) webhooks: Vec<WebhookRec>,
    /// Every client's category rules, oldest first.
    pub(crate) rules: Vec<RuleRec>,
    /// Every payment record and the timers of their status machines.
    pub(crate) payments: Payments,
    pub(crate) stats: Stats,
    pub(crate) outbox: Vec<Delivery>,
    /// [`State::next_due`] as of the last change: a request at or after it advances the
    /// world before it is answered.
    pub(crate) due: Option<Millis>,
    /// Changes with every exclusive guard released: views encoded under one epoch stay
    /// exact while it lasts.
    pub(crate) epoch: u64,
}

impl State {
    fn new(seed: u64, generation: u64, signing_key: [u8; 32]) -> Self {
        Self {
            generation,
            rng: Rng::new(seed),
            signing_key,
            tokens: HashMap::new(),
            items: BTreeMap::new(),
            webhooks: Vec::new(),
            rules: Vec::new(),
            payments: Payments::default(),
            stats: Stats::default(),
            outbox: Vec::new(),
            due: None,
            epoch: 0,
        }
    }

    /// Whether something (a sync step, an automatic sync, a payment timer) is due at `now`,
    /// so that the world must be advanced before a request is answered.
    pub(crate) fn is_due(&self, now: Millis) -> bool {
        self.due.is_some_and(|at| at <= now)
    }
}
