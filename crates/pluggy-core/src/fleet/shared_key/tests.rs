//! One test per state and transition, without threads: each drives the machine by hand.

use super::*;
use crate::error::{AuthFailure, TransportError, TransportErrorKind};

const T0: i64 = 1_700_000_000;
const LIFE: i64 = 7_200;

fn at(secs: u64) -> Now {
    Now::new(Duration::from_secs(secs), T0 + secs as i64)
}

fn at_ms(ms: u64) -> Now {
    Now::new(Duration::from_millis(ms), T0 + (ms / 1000) as i64)
}

fn sk() -> SharedKey {
    SharedKey::new(SharedKeyConfig::default(), 7)
}

fn stored(epoch: u64, secret: &str, expires_unix: i64) -> StoredKey {
    StoredKey {
        key: ApiKey::new(secret),
        epoch: StoreEpoch::new(epoch),
        expires_unix,
    }
}

fn record(epoch: u64, secret: &str, expires_unix: i64) -> Option<Record> {
    Some(Record {
        epoch: StoreEpoch::new(epoch),
        key: Some(stored(epoch, secret, expires_unix)),
    })
}

fn transient() -> Error {
    Error::Transport {
        endpoint: "POST /auth",
        source: TransportError::new(TransportErrorKind::Timeout, "after 30s"),
    }
}

macro_rules! expect {
    ($e:expr, $p:pat => $out:expr) => {
        match $e {
            $p => $out,
            other => panic!("expected {}, got {other:?}", stringify!($p)),
        }
    };
}

fn use_epoch(a: Action) -> u64 {
    expect!(a, Action::Use { epoch, .. } => epoch.get())
}

/// Drives a process that holds a fresh key of `epoch` read from the store at t=0.
fn with_key(epoch: u64, expires_unix: i64) -> SharedKey {
    let mut s = sk();
    s.adopt(stored(epoch, "k", expires_unix), at(0));
    s.known = StoreEpoch::new(epoch);
    assert_eq!(s.epoch(), Some(StoreEpoch::new(epoch)));
    s
}

#[test]
fn cold_start_reads_leases_rereads_refreshes_publishes() {
    let mut s = sk();
    let t = expect!(s.poll(at(0)), Action::ReadStore { ticket } => ticket);
    let (t, lease) = expect!(s.on_record(t, at(0), Ok(None)),
        Action::AcquireLease { ticket, lease } => (ticket, lease));
    assert_eq!(lease.replaces, StoreEpoch::new(0));
    assert_eq!(lease.ttl, Duration::from_secs(30));
    let t = expect!(s.on_lease(t, at(0), Ok(LeaseReply::Acquired)),
        Action::ReadStore { ticket } => ticket);
    let (t, next) = expect!(s.on_record(t, at(0), Ok(None)),
        Action::Refresh { ticket, next } => (ticket, next));
    assert_eq!(next, StoreEpoch::new(1));
    let (t, key) = expect!(s.on_refreshed(t, at(1), Ok((ApiKey::new("new"), T0 + LIFE))),
        Action::Publish { ticket, key } => (ticket, key));
    assert_eq!(key, stored(1, "new", T0 + LIFE));
    let a = s.on_published(t, at(1), Ok(()));
    let key = expect!(a, Action::Use { key, epoch } => { assert_eq!(epoch.get(), 1); key });
    assert_eq!(key.expose_secret(), "new");
    assert_eq!(use_epoch(s.poll(at(2))), 1);
}

#[test]
fn a_fresh_record_is_used_without_auth() {
    let mut s = with_key(4, T0 + LIFE);
    assert_eq!(use_epoch(s.poll(at(100))), 4);
    assert_eq!(s.epoch(), Some(StoreEpoch::new(4)));
}

#[test]
fn one_store_operation_at_a_time_within_a_process() {
    let mut s = sk();
    let t = expect!(s.poll(at(0)), Action::ReadStore { ticket } => ticket);
    // Every other caller waits until the operation's timeout (or a wake-up).
    let until = expect!(s.poll(at(0)), Action::Wait { until } => until);
    assert_eq!(until, Duration::from_secs(2));
    expect!(s.poll(at_ms(1_500)), Action::Wait { .. } => ());
    assert_eq!(
        use_epoch(s.on_record(t, at(1), Ok(record(1, "k", T0 + LIFE)))),
        1
    );
}

#[test]
fn lease_held_elsewhere_waits_for_notice_with_bounded_poll() {
    let mut s = sk();
    let t = expect!(s.poll(at(0)), Action::ReadStore { ticket } => ticket);
    let t = expect!(s.on_record(t, at(0), Ok(None)), Action::AcquireLease { ticket, .. } => ticket);
    let held = LeaseReply::Held {
        ttl: Duration::from_secs(20),
    };
    let until = expect!(s.on_lease(t, at(0), Ok(held)), Action::Wait { until } => until);
    assert_eq!(
        until,
        Duration::from_millis(500),
        "the bounded poll, not the lease's end"
    );
    // Before the poll interval: still waiting.
    expect!(s.poll(at_ms(200)), Action::Wait { .. } => ());
    // A notice of a newer epoch: the next poll reads the store at once.
    s.on_notice(StoreEpoch::new(1));
    let t = expect!(s.poll(at_ms(300)), Action::ReadStore { ticket } => ticket);
    assert_eq!(
        use_epoch(s.on_record(t, at_ms(300), Ok(record(1, "k", T0 + LIFE)))),
        1
    );
}

#[test]
fn bounded_poll_reads_again_and_keeps_waiting_while_held() {
    let mut s = sk();
    let t = expect!(s.poll(at(0)), Action::ReadStore { ticket } => ticket);
    let t = expect!(s.on_record(t, at(0), Ok(None)), Action::AcquireLease { ticket, .. } => ticket);
    let held = LeaseReply::Held {
        ttl: Duration::from_secs(20),
    };
    let _ = s.on_lease(t, at(0), Ok(held));
    // The notice was lost: at the poll interval the process reads the record itself.
    let t = expect!(s.poll(at_ms(500)), Action::ReadStore { ticket } => ticket);
    // Still nothing: the lease again (its holder may have released it), still held.
    let t = expect!(s.on_record(t, at_ms(500), Ok(None)), Action::AcquireLease { ticket, .. } => ticket);
    let held = LeaseReply::Held {
        ttl: Duration::from_millis(19_500),
    };
    let until = expect!(s.on_lease(t, at_ms(500), Ok(held)), Action::Wait { until } => until);
    assert_eq!(until, Duration::from_millis(1_000));
    // A published key found by the poll ends the wait.
    let t = expect!(s.poll(at_ms(1_000)), Action::ReadStore { ticket } => ticket);
    assert_eq!(
        use_epoch(s.on_record(t, at(1), Ok(record(1, "k", T0 + LIFE)))),
        1
    );
}

#[test]
fn a_dead_holders_lease_expires_and_the_next_caller_takes_over() {
    let mut s = sk();
    let t = expect!(s.poll(at(0)), Action::ReadStore { ticket } => ticket);
    let t = expect!(s.on_record(t, at(0), Ok(None)), Action::AcquireLease { ticket, .. } => ticket);
    let held = LeaseReply::Held {
        ttl: Duration::from_secs(3),
    };
    let _ = s.on_lease(t, at(0), Ok(held));
    // Nothing is published; the bounded polls find nothing until the lease's end.
    let mut now_ms = 500;
    let mut a = s.poll(at_ms(now_ms));
    loop {
        match a {
            Action::ReadStore { ticket } => {
                a = s.on_record(ticket, at_ms(now_ms), Ok(None));
                continue;
            }
            Action::Wait { until } => assert!(until <= Duration::from_secs(3), "{until:?}"),
            Action::AcquireLease { ticket, .. } if now_ms < 3_000 => {
                // The store answers for the dead holder's lease until it expires.
                let ttl = Duration::from_millis(3_000 - now_ms);
                a = s.on_lease(ticket, at_ms(now_ms), Ok(LeaseReply::Held { ttl }));
                continue;
            }
            Action::AcquireLease { ticket, .. } => {
                assert!(
                    now_ms >= 3_000,
                    "took over at {now_ms} ms, before the lease ended"
                );
                let t = expect!(s.on_lease(ticket, at_ms(now_ms), Ok(LeaseReply::Acquired)),
                    Action::ReadStore { ticket } => ticket);
                expect!(s.on_record(t, at_ms(now_ms), Ok(None)), Action::Refresh { .. } => ());
                return;
            }
            other => panic!("unexpected {other:?}"),
        }
        now_ms += 250;
        assert!(now_ms < 10_000);
        a = s.poll(at_ms(now_ms));
    }
}

#[test]
fn the_reread_under_the_lease_adopts_a_key_published_meanwhile() {
    let mut s = sk();
    let t = expect!(s.poll(at(0)), Action::ReadStore { ticket } => ticket);
    let t = expect!(s.on_record(t, at(0), Ok(None)), Action::AcquireLease { ticket, .. } => ticket);
    let t = expect!(s.on_lease(t, at(0), Ok(LeaseReply::Acquired)),
        Action::ReadStore { ticket } => ticket);
    let t = expect!(s.on_record(t, at(0), Ok(record(3, "other", T0 + LIFE))),
        Action::Release { ticket } => ticket);
    assert_eq!(use_epoch(s.on_released(t, at(0), Ok(()))), 3);
}

#[test]
fn soft_window_one_caller_tries_the_lease_others_use() {
    // Expires in 200 s: inside the 5-minute soft window, outside the 1-minute hard one.
    let mut s = with_key(1, T0 + 200);
    let (t, lease) = expect!(s.poll(at(0)),
        Action::UseAndAcquire { ticket, lease, epoch, .. } => { assert_eq!(epoch.get(), 1); (ticket, lease) });
    assert_eq!(lease.replaces, StoreEpoch::new(1));
    assert_eq!(use_epoch(s.poll(at(0))), 1, "the others use the old key");
    // Someone else holds the lease: keep using the key, do not ask again while it is held.
    let held = LeaseReply::Held {
        ttl: Duration::from_secs(30),
    };
    assert_eq!(use_epoch(s.on_lease(t, at(0), Ok(held))), 1);
    assert_eq!(use_epoch(s.poll(at(10))), 1);
    // The lease has ended, still soft: try again.
    expect!(s.poll(at(31)), Action::UseAndAcquire { .. } => ());
}

#[test]
fn soft_window_holder_refreshes_in_the_background() {
    let mut s = with_key(1, T0 + 200);
    let t = expect!(s.poll(at(0)), Action::UseAndAcquire { ticket, .. } => ticket);
    let t = expect!(s.on_lease(t, at(0), Ok(LeaseReply::Acquired)), Action::ReadStore { ticket } => ticket);
    // The store still holds epoch 1: this process refreshes, as epoch 2.
    let (t, next) = expect!(s.on_record(t, at(0), Ok(record(1, "k", T0 + 200))),
        Action::Refresh { ticket, next } => (ticket, next));
    assert_eq!(next.get(), 2);
    assert_eq!(
        use_epoch(s.poll(at(0))),
        1,
        "the old key serves during the refresh"
    );
    let t = expect!(s.on_refreshed(t, at(1), Ok((ApiKey::new("k2"), T0 + LIFE))),
        Action::Publish { ticket, .. } => ticket);
    assert_eq!(use_epoch(s.on_published(t, at(1), Ok(()))), 2);
}

#[test]
fn soft_start_is_jittered_by_seed_within_half_the_window() {
    let mut starts = std::collections::BTreeSet::new();
    for seed in 0..20 {
        let mut s = SharedKey::new(SharedKeyConfig::default(), seed);
        let t = expect!(s.poll(at(0)), Action::ReadStore { ticket } => ticket);
        let _ = s.on_record(t, at(0), Ok(record(1, "k", T0 + 1_000)));
        let start = (0..1_000)
            .find(|sec| matches!(s.poll(at(*sec)), Action::UseAndAcquire { .. }))
            .unwrap();
        // soft window 300 s, jitter up to 150 s earlier: soft starts in [550, 700].
        assert!((550..=700).contains(&start), "seed {seed}: {start}");
        starts.insert(start);
    }
    assert!(starts.len() > 5, "{starts:?}");
}

#[test]
fn hard_window_stops_using_the_key() {
    let mut s = with_key(1, T0 + 30);
    expect!(s.poll(at(0)), Action::ReadStore { .. } => ());
    // An expired key in the store is not adopted.
    let mut s = sk();
    let t = expect!(s.poll(at(0)), Action::ReadStore { ticket } => ticket);
    expect!(s.on_record(t, at(0), Ok(record(1, "k", T0 - 1))), Action::AcquireLease { .. } => ());
    assert_eq!(s.epoch(), None);
}

#[test]
fn invalidation_is_for_one_epoch_only() {
    let mut s = with_key(2, T0 + LIFE);
    // A stale 403 for epoch 1 changes nothing.
    assert_eq!(s.invalidate(StoreEpoch::new(1)), None);
    assert_eq!(use_epoch(s.poll(at(1))), 2);
    // The current key's 403: dropped, and the store is asked to clear epoch 2 only.
    assert_eq!(
        s.invalidate(StoreEpoch::new(2)),
        Some(Invalidate {
            epoch: StoreEpoch::new(2)
        })
    );
    assert_eq!(
        s.invalidate(StoreEpoch::new(2)),
        None,
        "N rejections, one invalidation"
    );
    let t = expect!(s.poll(at(1)), Action::ReadStore { ticket } => ticket);
    // The store still shows epoch 2 (the invalidation has not landed): never re-adopted.
    let t = expect!(s.on_record(t, at(1), Ok(record(2, "k", T0 + LIFE))),
        Action::AcquireLease { ticket, .. } => ticket);
    let t = expect!(s.on_lease(t, at(1), Ok(LeaseReply::Acquired)), Action::ReadStore { ticket } => ticket);
    let next = expect!(s.on_record(t, at(1), Ok(Some(Record { epoch: StoreEpoch::new(2), key: None }))),
        Action::Refresh { next, .. } => next);
    assert_eq!(next.get(), 3);
}

#[test]
fn a_fresh_key_published_after_invalidation_is_adopted() {
    let mut s = with_key(2, T0 + LIFE);
    let _ = s.invalidate(StoreEpoch::new(2));
    let t = expect!(s.poll(at(1)), Action::ReadStore { ticket } => ticket);
    assert_eq!(
        use_epoch(s.on_record(t, at(1), Ok(record(3, "k3", T0 + LIFE)))),
        3
    );
}

#[test]
fn publish_uses_the_successor_of_the_newest_epoch_seen() {
    let mut s = sk();
    let t = expect!(s.poll(at(0)), Action::ReadStore { ticket } => ticket);
    // Epoch 5 was invalidated, or its blob could not be opened: ignored and replaced.
    let empty = Some(Record {
        epoch: StoreEpoch::new(5),
        key: None,
    });
    let t = expect!(s.on_record(t, at(0), Ok(empty.clone())), Action::AcquireLease { ticket, lease } => {
        assert_eq!(lease.replaces.get(), 5); ticket });
    let t = expect!(s.on_lease(t, at(0), Ok(LeaseReply::Acquired)), Action::ReadStore { ticket } => ticket);
    let t = expect!(s.on_record(t, at(0), Ok(empty)), Action::Refresh { ticket, next } => {
        assert_eq!(next.get(), 6); ticket });
    let key = expect!(s.on_refreshed(t, at(0), Ok((ApiKey::new("k"), T0 + LIFE))),
        Action::Publish { key, .. } => key);
    assert_eq!(key.epoch.get(), 6);
}

#[test]
fn a_record_whose_key_disagrees_with_its_epoch_is_ignored() {
    let mut s = sk();
    let t = expect!(s.poll(at(0)), Action::ReadStore { ticket } => ticket);
    let odd = Some(Record {
        epoch: StoreEpoch::new(4),
        key: Some(stored(3, "k", T0 + LIFE)),
    });
    expect!(s.on_record(t, at(0), Ok(odd)), Action::AcquireLease { .. } => ());
}

#[test]
fn store_unavailable_falls_back_to_local_and_rejoins() {
    let mut s = sk();
    let t = expect!(s.poll(at(0)), Action::ReadStore { ticket } => ticket);
    let until =
        expect!(s.on_record(t, at(0), Err(StoreUnavailable)), Action::Local { until } => until);
    assert_eq!(until, Duration::from_secs(30));
    expect!(s.poll(at(29)), Action::Local { .. } => ());
    // Rejoin: the next poll after `rejoin_after` reads the store again.
    expect!(s.poll(at(30)), Action::ReadStore { .. } => ());
}

#[test]
fn during_fallback_a_fresh_key_is_still_used_and_a_soft_one_goes_local() {
    let mut s = with_key(1, T0 + 400);
    let t = expect!(s.poll(at(200)), Action::UseAndAcquire { ticket, .. } => ticket);
    // The store fails: a soft key no longer drives the fleet's refresh; the local one does.
    expect!(s.on_lease(t, at(200), Err(StoreUnavailable)), Action::Local { .. } => ());
    // A fresh key is used as is during the fallback.
    let mut s = with_key(1, T0 + LIFE);
    s.fall_back(at(0));
    assert_eq!(use_epoch(s.poll(at(10))), 1);
}

#[test]
fn a_store_call_that_times_out_counts_as_unavailable_and_its_late_answer_is_ignored() {
    let mut s = sk();
    let t = expect!(s.poll(at(0)), Action::ReadStore { ticket } => ticket);
    expect!(s.poll(at(2)), Action::Local { .. } => ());
    // The read answers after all: its ticket is stale.
    expect!(s.on_record(t, at(3), Ok(record(1, "k", T0 + LIFE))), Action::Local { .. } => ());
    assert_eq!(s.epoch(), None);
}

#[test]
fn a_lease_failure_falls_back() {
    let mut s = sk();
    let t = expect!(s.poll(at(0)), Action::ReadStore { ticket } => ticket);
    let t = expect!(s.on_record(t, at(0), Ok(None)), Action::AcquireLease { ticket, .. } => ticket);
    expect!(s.on_lease(t, at(0), Err(StoreUnavailable)), Action::Local { .. } => ());
}

#[test]
fn a_failed_publish_still_serves_the_new_key() {
    let mut s = sk();
    let t = expect!(s.poll(at(0)), Action::ReadStore { ticket } => ticket);
    let t = expect!(s.on_record(t, at(0), Ok(None)), Action::AcquireLease { ticket, .. } => ticket);
    let t = expect!(s.on_lease(t, at(0), Ok(LeaseReply::Acquired)), Action::ReadStore { ticket } => ticket);
    let t = expect!(s.on_record(t, at(0), Ok(None)), Action::Refresh { ticket, .. } => ticket);
    let t = expect!(s.on_refreshed(t, at(0), Ok((ApiKey::new("k"), T0 + LIFE))),
        Action::Publish { ticket, .. } => ticket);
    assert_eq!(
        use_epoch(s.on_published(t, at(0), Err(StoreUnavailable))),
        1
    );
    assert_eq!(use_epoch(s.poll(at(5))), 1);
}

#[test]
fn a_failed_refresh_releases_the_lease_and_backs_off() {
    let mut s = sk();
    let t = expect!(s.poll(at(0)), Action::ReadStore { ticket } => ticket);
    let t = expect!(s.on_record(t, at(0), Ok(None)), Action::AcquireLease { ticket, .. } => ticket);
    let t = expect!(s.on_lease(t, at(0), Ok(LeaseReply::Acquired)), Action::ReadStore { ticket } => ticket);
    let t = expect!(s.on_record(t, at(0), Ok(None)), Action::Refresh { ticket, .. } => ticket);
    let t =
        expect!(s.on_refreshed(t, at(0), Err(transient())), Action::Release { ticket } => ticket);
    // During the backoff (1 s), with no key, polls fail with a copy of the error.
    let e = expect!(s.on_released(t, at(0), Ok(())), Action::Fail(e) => e);
    assert_eq!(e, transient());
    // After it, the process tries again (reading the store first).
    expect!(s.poll(at(1)), Action::ReadStore { .. } => ());
}

#[test]
fn a_refused_credential_fails_every_poll_until_reset() {
    let mut s = sk();
    let t = expect!(s.poll(at(0)), Action::ReadStore { ticket } => ticket);
    let t = expect!(s.on_record(t, at(0), Ok(None)), Action::AcquireLease { ticket, .. } => ticket);
    let t = expect!(s.on_lease(t, at(0), Ok(LeaseReply::Acquired)), Action::ReadStore { ticket } => ticket);
    let t = expect!(s.on_record(t, at(0), Ok(None)), Action::Refresh { ticket, .. } => ticket);
    let refused = Error::Auth(AuthFailure::InvalidClientKeys);
    let t = expect!(s.on_refreshed(t, at(0), Err(refused.clone())), Action::Release { ticket } => ticket);
    expect!(s.on_released(t, at(0), Ok(())), Action::Fail(Error::Auth(_)) => ());
    expect!(s.poll(at(3_600)), Action::Fail(Error::Auth(_)) => ());
    s.reset_credentials();
    expect!(s.poll(at(3_600)), Action::ReadStore { .. } => ());
}

#[test]
fn a_hung_refresh_is_reclaimed_after_the_lease_ttl_without_falling_back() {
    let mut s = sk();
    let t = expect!(s.poll(at(0)), Action::ReadStore { ticket } => ticket);
    let t = expect!(s.on_record(t, at(0), Ok(None)), Action::AcquireLease { ticket, .. } => ticket);
    let t = expect!(s.on_lease(t, at(0), Ok(LeaseReply::Acquired)), Action::ReadStore { ticket } => ticket);
    let _hung = expect!(s.on_record(t, at(0), Ok(None)), Action::Refresh { ticket, .. } => ticket);
    let until = expect!(s.poll(at(10)), Action::Wait { until } => until);
    assert_eq!(until, Duration::from_secs(30));
    expect!(s.poll(at(30)), Action::ReadStore { .. } => ());
}

#[test]
fn abandon_frees_the_operation_and_stale_tickets_are_ignored() {
    let mut s = sk();
    let t = expect!(s.poll(at(0)), Action::ReadStore { ticket } => ticket);
    s.abandon(StoreTicket(999));
    expect!(s.poll(at(0)), Action::Wait { .. } => ());
    s.abandon(t);
    let t2 = expect!(s.poll(at(0)), Action::ReadStore { ticket } => ticket);
    // A ticket of the wrong kind is ignored, too.
    expect!(s.on_lease(StoreTicket(t2.0), at(0), Ok(LeaseReply::Acquired)), Action::Wait { .. } => ());
    assert_eq!(
        use_epoch(s.on_record(t2, at(0), Ok(record(1, "k", T0 + LIFE)))),
        1
    );
}

#[test]
fn old_notices_change_nothing() {
    let mut s = sk();
    let t = expect!(s.poll(at(0)), Action::ReadStore { ticket } => ticket);
    let t = expect!(s.on_record(t, at(0), Ok(Some(Record { epoch: StoreEpoch::new(3), key: None }))),
        Action::AcquireLease { ticket, .. } => ticket);
    let _ = s.on_lease(
        t,
        at(0),
        Ok(LeaseReply::Held {
            ttl: Duration::from_secs(20),
        }),
    );
    s.on_notice(StoreEpoch::new(3));
    expect!(s.poll(at_ms(100)), Action::Wait { .. } => ());
}

#[test]
fn secrets_stay_out_of_debug() {
    let s = with_key(1, T0 + LIFE);
    let a = s_poll(s);
    let text = format!("{a:?} {:?}", stored(1, "top-secret", T0));
    assert!(
        !text.contains("top-secret") && !text.contains("\"k\""),
        "{text}"
    );
}

fn s_poll(mut s: SharedKey) -> Action {
    s.poll(at(1))
}

#[test]
fn a_lease_released_early_is_taken_at_the_next_poll() {
    let mut s = sk();
    let t = expect!(s.poll(at(0)), Action::ReadStore { ticket } => ticket);
    let t = expect!(s.on_record(t, at(0), Ok(None)), Action::AcquireLease { ticket, .. } => ticket);
    let held = LeaseReply::Held {
        ttl: Duration::from_secs(20),
    };
    let _ = s.on_lease(t, at(0), Ok(held));
    // The holder's refresh failed and it released the lease after 100 ms.
    let t = expect!(s.poll(at_ms(500)), Action::ReadStore { ticket } => ticket);
    let t = expect!(s.on_record(t, at_ms(500), Ok(None)), Action::AcquireLease { ticket, .. } => ticket);
    let t = expect!(s.on_lease(t, at_ms(500), Ok(LeaseReply::Acquired)), Action::ReadStore { ticket } => ticket);
    expect!(s.on_record(t, at_ms(500), Ok(None)), Action::Refresh { .. } => ());
}

/// A fleet in one thread: processes share a fake store (record, `SET NX PX` lease, notices)
/// and take one step each per 100 ms round. Returns the `POST /auth` count.
struct FakeStore {
    record: Option<Record>,
    lease: Option<(usize, Duration)>,
    auths: usize,
}

fn run_fleet(
    store: &mut FakeStore,
    procs: &mut [SharedKey],
    start_ms: u64,
    dead: Option<usize>,
) -> usize {
    let before = store.auths;
    let mut actions: Vec<Option<Action>> = procs
        .iter_mut()
        .map(|p| Some(p.poll(at_ms(start_ms))))
        .collect();
    for round in 1..1_000u64 {
        let now = at_ms(start_ms + round * 100);
        for i in 0..procs.len() {
            let Some(a) = actions[i].take() else { continue };
            let next = match a {
                Action::Use { .. } => {
                    actions[i] = Some(a);
                    continue;
                }
                Action::ReadStore { ticket } => {
                    procs[i].on_record(ticket, now, Ok(store.record.clone()))
                }
                Action::AcquireLease { ticket, lease } => {
                    let reply = match store.lease {
                        Some((_, until)) if until > now.mono => LeaseReply::Held {
                            ttl: until - now.mono,
                        },
                        _ => {
                            store.lease = Some((i, now.mono + lease.ttl));
                            LeaseReply::Acquired
                        }
                    };
                    procs[i].on_lease(ticket, now, Ok(reply))
                }
                Action::Refresh { ticket, .. } if dead == Some(i) => {
                    // Dies holding the lease: nothing is released or reported.
                    drop(ticket);
                    continue;
                }
                Action::Refresh { ticket, .. } => {
                    store.auths += 1;
                    let key = ApiKey::new(format!("key-{}", store.auths));
                    procs[i].on_refreshed(ticket, now, Ok((key, now.unix_secs + LIFE)))
                }
                Action::Publish { ticket, key } => {
                    if store.record.as_ref().is_none_or(|r| r.epoch < key.epoch) {
                        let epoch = key.epoch;
                        store.record = Some(Record {
                            epoch,
                            key: Some(key),
                        });
                        for p in procs.iter_mut() {
                            p.on_notice(epoch);
                        }
                    }
                    if store.lease.is_some_and(|(o, _)| o == i) {
                        store.lease = None;
                    }
                    procs[i].on_published(ticket, now, Ok(()))
                }
                Action::Release { ticket } => {
                    if store.lease.is_some_and(|(o, _)| o == i) {
                        store.lease = None;
                    }
                    procs[i].on_released(ticket, now, Ok(()))
                }
                Action::Wait { .. } => procs[i].poll(now),
                other => panic!("process {i}: unexpected {other:?}"),
            };
            actions[i] = Some(next);
        }
        let done = actions
            .iter()
            .enumerate()
            .all(|(i, a)| dead == Some(i) || matches!(a, Some(Action::Use { .. })));
        if done {
            return store.auths - before;
        }
    }
    panic!("the fleet never settled");
}

#[test]
fn a_fleet_makes_one_auth_per_phase() {
    let mut store = FakeStore {
        record: None,
        lease: None,
        auths: 0,
    };
    let mut procs: Vec<SharedKey> = (0..8)
        .map(|seed| SharedKey::new(SharedKeyConfig::default(), seed))
        .collect();
    assert_eq!(run_fleet(&mut store, &mut procs, 0, None), 1, "cold start");
    // Every process now uses epoch 1; the clock jumps past expiry.
    let after = (LIFE as u64 + 10) * 1_000;
    assert_eq!(
        run_fleet(&mut store, &mut procs, after, None),
        1,
        "after expiry"
    );
    assert_eq!(store.record.as_ref().map(|r| r.epoch.get()), Some(2));
    for p in &procs {
        assert_eq!(p.epoch(), Some(StoreEpoch::new(2)));
    }
}

#[test]
fn a_fleet_survives_a_lease_holder_that_dies() {
    let mut store = FakeStore {
        record: None,
        lease: None,
        auths: 0,
    };
    let mut procs: Vec<SharedKey> = (0..4)
        .map(|seed| SharedKey::new(SharedKeyConfig::default(), seed))
        .collect();
    // Process 0 polls first, so it wins the lease, and dies in its refresh.
    assert_eq!(run_fleet(&mut store, &mut procs, 0, Some(0)), 1);
    assert!(
        procs[1..]
            .iter()
            .all(|p| p.epoch() == Some(StoreEpoch::new(1)))
    );
}
