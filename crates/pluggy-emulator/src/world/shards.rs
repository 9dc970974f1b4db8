//! What every request touches besides the world itself — request counts, rate-limit windows,
//! the claims of verified keys — kept in independent shards, so that concurrent requests do
//! not queue behind one lock for them.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use bytes::Bytes;
use hyper::Method;

use crate::world::clock::Millis;

/// How many independent parts each structure is split into.
const SHARDS: usize = 16;

/// Most encoded views remembered per shard; beyond it, those of earlier states are forgotten
/// first, then an arbitrary one.
const VIEWS_PER_SHARD: usize = 256;

/// Most verified credentials remembered per shard; beyond it expired ones are forgotten first,
/// then an arbitrary one.
const VERIFIED_PER_SHARD: usize = 256;

/// A lock that a panicking holder poisoned still guards consistent data here: every update
/// is a single insertion or increment.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The shard of the calling thread: threads are spread over the shards in turn, so the
/// runtime's workers each count into a shard of their own.
fn thread_shard() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static SHARD: usize = NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS;
    }
    SHARD.with(|s| *s)
}

fn hashed_shard(key: &impl Hash) -> usize {
    let mut h = DefaultHasher::new();
    key.hash(&mut h);
    // The remainder is below `SHARDS`, so the conversion cannot truncate.
    (h.finish() % SHARDS as u64) as usize
}

/// What requests are counted by: the method and the route's template, `None` for a path
/// that no route knows.
type RouteKey = (Method, Option<&'static str>);

/// Answered requests, by method, route template and status.
#[derive(Debug, Default)]
pub(crate) struct RequestCounts {
    shards: [Mutex<HashMap<RouteKey, BTreeMap<u16, u64>>>; SHARDS],
}

impl RequestCounts {
    /// Counts one answered request.
    pub(crate) fn record(&self, method: &Method, template: Option<&'static str>, status: u16) {
        let mut shard = lock(&self.shards[thread_shard()]);
        let by_status = shard.entry((method.clone(), template)).or_default();
        *by_status.entry(status).or_default() += 1;
    }

    /// Every count, summed over the shards, by `"METHOD /template"` (`(unknown)` for an
    /// unknown path), as `/__emulator/stats` shows them.
    pub(crate) fn snapshot(&self) -> BTreeMap<String, BTreeMap<String, u64>> {
        let mut out: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        for shard in &self.shards {
            for ((method, template), by_status) in lock(shard).iter() {
                let route = format!("{method} {}", template.unwrap_or("(unknown)"));
                let totals = out.entry(route).or_default();
                for (status, n) in by_status {
                    *totals.entry(status.to_string()).or_default() += n;
                }
            }
        }
        out
    }

    /// Forgets every count.
    pub(crate) fn clear(&self) {
        for shard in &self.shards {
            lock(shard).clear();
        }
    }
}

/// An encoded answer and the epoch of the state it was encoded from.
type EncodedView = (u64, Bytes);

/// Encoded answers of records (an item's JSON), each valid for the state it was encoded from:
/// the state's [`epoch`](crate::world::state::State::epoch) changes with every change, so a
/// view read under a shared guard of that same epoch is exactly what encoding the record
/// again would give.
#[derive(Debug, Default)]
pub(crate) struct ViewCache {
    shards: [Mutex<HashMap<String, EncodedView>>; SHARDS],
}

impl ViewCache {
    /// The view of `key` encoded at `epoch`, or `encode()`'s, remembered for that epoch.
    pub(crate) fn get_or_encode(
        &self,
        key: &str,
        epoch: u64,
        encode: impl FnOnce() -> Bytes,
    ) -> Bytes {
        let shard = &self.shards[hashed_shard(&key)];
        if let Some((at, view)) = lock(shard).get(key) {
            if *at == epoch {
                return view.clone();
            }
        }
        let view = encode();
        let mut shard = lock(shard);
        if shard.len() >= VIEWS_PER_SHARD {
            shard.retain(|_, (at, _)| *at == epoch);
        }
        if shard.len() >= VIEWS_PER_SHARD {
            if let Some(k) = shard.keys().next().cloned() {
                shard.remove(&k);
            }
        }
        shard.insert(key.to_owned(), (epoch, view.clone()));
        view
    }

    /// Forgets every view.
    pub(crate) fn clear(&self) {
        for shard in &self.shards {
            lock(shard).clear();
        }
    }
}

/// One rate-limit window (fixed, one minute, per source address and limit group).
#[derive(Clone, Copy, Debug)]
struct Window {
    start: Millis,
    count: u32,
}

/// The rate-limit windows, by source address and limit group.
#[derive(Debug, Default)]
pub(crate) struct RateWindows {
    shards: [Mutex<HashMap<(IpAddr, &'static str), Window>>; SHARDS],
}

impl RateWindows {
    /// Counts a request against its rate limit; `Err` when it is over the limit. Both carry
    /// `(limit, remaining, seconds until the window resets)`.
    pub(crate) fn count(
        &self,
        ip: IpAddr,
        group: &'static str,
        limit: u32,
        now: Millis,
    ) -> Result<(u32, u32, u64), (u32, u32, u64)> {
        let key = (ip, group);
        let mut shard = lock(&self.shards[hashed_shard(&key)]);
        let w = shard.entry(key).or_insert(Window {
            start: now,
            count: 0,
        });
        if now - w.start >= 60_000 || now < w.start {
            *w = Window {
                start: now,
                count: 0,
            };
        }
        let reset = u64::try_from((w.start + 60_000 - now + 999) / 1000).unwrap_or(60);
        if w.count >= limit {
            return Err((limit, 0, reset.max(1)));
        }
        w.count += 1;
        Ok((limit, limit - w.count, reset.max(1)))
    }

    /// Forgets every window.
    pub(crate) fn clear(&self) {
        for shard in &self.shards {
            lock(shard).clear();
        }
    }
}

/// The claims of a key or token whose signature checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Claims {
    /// `exp`, in milliseconds on the emulator's clock.
    pub(crate) expires_at: Millis,
    /// `clientId`.
    pub(crate) client_id: Arc<str>,
    /// `data`: the connect token's id, for connect tokens.
    pub(crate) token_id: Option<Arc<str>>,
}

/// A verified credential and the signing generation it was verified against.
#[derive(Clone, Debug)]
struct Verified {
    generation: u64,
    claims: Claims,
}

/// The claims of credentials already verified, by the credential's exact text, so that a key
/// sent with every request has its signature checked and its claims decoded once. Only
/// credentials that verified are remembered; what they claim (expiry, a connect token's
/// server-side scope) is still checked on every request.
#[derive(Default)]
pub(crate) struct VerifiedTokens {
    shards: [RwLock<HashMap<Box<str>, Verified>>; SHARDS],
}

impl std::fmt::Debug for VerifiedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The keys are credentials: never shown.
        f.debug_struct("VerifiedTokens").finish_non_exhaustive()
    }
}

/// The shard of a credential: from its last bytes, the signature's, which differ between any
/// two credentials of one emulator.
fn token_shard(token: &str) -> usize {
    let tail = token.as_bytes().iter().rev().take(4);
    tail.fold(0usize, |acc, b| {
        acc.wrapping_mul(31).wrapping_add(usize::from(*b))
    }) % SHARDS
}

impl VerifiedTokens {
    /// The claims of `token` if it was verified against the signing key of `generation`.
    pub(crate) fn get(&self, token: &str, generation: u64) -> Option<Claims> {
        let shard = self.shards[token_shard(token)]
            .read()
            .unwrap_or_else(|e| e.into_inner());
        shard
            .get(token)
            .filter(|v| v.generation == generation)
            .map(|v| v.claims.clone())
    }

    /// Remembers the claims of `token`, verified against the signing key of `generation`.
    pub(crate) fn insert(&self, token: &str, generation: u64, claims: Claims, now: Millis) {
        let mut shard = self.shards[token_shard(token)]
            .write()
            .unwrap_or_else(|e| e.into_inner());
        if shard.len() >= VERIFIED_PER_SHARD {
            shard.retain(|_, v| v.claims.expires_at > now && v.generation == generation);
        }
        if shard.len() >= VERIFIED_PER_SHARD {
            if let Some(k) = shard.keys().next().cloned() {
                shard.remove(&k);
            }
        }
        shard.insert(token.into(), Verified { generation, claims });
    }

    /// Forgets every credential.
    pub(crate) fn clear(&self) {
        for shard in &self.shards {
            shard.write().unwrap_or_else(|e| e.into_inner()).clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: Millis) -> Claims {
        Claims {
            expires_at: exp,
            client_id: "c".into(),
            token_id: None,
        }
    }

    #[test]
    fn verified_tokens_are_bounded_and_tied_to_their_generation() {
        let v = VerifiedTokens::default();
        v.insert("a.b.c", 0, claims(10), 0);
        assert_eq!(v.get("a.b.c", 0), Some(claims(10)));
        assert_eq!(v.get("a.b.c", 1), None);
        assert_eq!(v.get("a.b.x", 0), None);
        for i in 0..(SHARDS * VERIFIED_PER_SHARD * 2) {
            v.insert(&format!("t.{i}"), 0, claims(10), 0);
        }
        let total: usize = v
            .shards
            .iter()
            .map(|s| s.read().unwrap_or_else(|e| e.into_inner()).len())
            .sum();
        assert!(total <= SHARDS * VERIFIED_PER_SHARD);
        v.clear();
        assert_eq!(v.get("t.1", 0), None);
    }

    #[test]
    fn views_are_encoded_once_per_epoch() {
        let cache = ViewCache::default();
        let mut encoded = 0;
        let mut view = |epoch| {
            cache.get_or_encode("item", epoch, || {
                encoded += 1;
                Bytes::from(format!("v{epoch}"))
            })
        };
        assert_eq!(&*view(1), b"v1");
        assert_eq!(&*view(1), b"v1");
        assert_eq!(&*view(2), b"v2");
        assert_eq!(encoded, 2);
        for i in 0..(SHARDS * VIEWS_PER_SHARD * 2) {
            cache.get_or_encode(&i.to_string(), 3, Bytes::new);
        }
        let total: usize = cache.shards.iter().map(|s| lock(s).len()).sum();
        assert!(total <= SHARDS * VIEWS_PER_SHARD);
    }

    #[test]
    fn request_counts_sum_over_shards() {
        let c = RequestCounts::default();
        c.record(&Method::GET, Some("/items/{id}"), 200);
        c.record(&Method::GET, Some("/items/{id}"), 200);
        c.record(&Method::GET, Some("/items/{id}"), 404);
        c.record(&Method::from_bytes(b"BREW").unwrap(), None, 404);
        let snap = c.snapshot();
        assert_eq!(snap["GET /items/{id}"]["200"], 2);
        assert_eq!(snap["GET /items/{id}"]["404"], 1);
        assert_eq!(snap["BREW (unknown)"]["404"], 1);
        c.clear();
        assert!(c.snapshot().is_empty());
    }

    #[test]
    fn rate_windows_count_per_address_and_group() {
        let w = RateWindows::default();
        let ip: IpAddr = [127, 0, 0, 1].into();
        assert_eq!(w.count(ip, "g", 2, 0), Ok((2, 1, 60)));
        assert_eq!(w.count(ip, "g", 2, 1000), Ok((2, 0, 59)));
        assert_eq!(w.count(ip, "g", 2, 2000), Err((2, 0, 58)));
        assert_eq!(w.count(ip, "h", 2, 2000), Ok((2, 1, 60)));
        assert_eq!(w.count(ip, "g", 2, 60_000), Ok((2, 1, 60)));
    }
}
