//! Waiting for an item's sync, as a state machine: the driver fetches the item, hands it here
//! with the time, and does what the [`WaitStep`] says. A deadline always applies, so a waiter
//! can never spin forever on an item that needs a person.

use std::time::Duration;

use crate::clock::Now;
use crate::error::Error;
use crate::generated::enums::ItemStatus;
use crate::models::{ConnectorCredential, Item};
use crate::progress::ItemProgress;

/// How to wait for an item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitPolicy {
    /// Time between two looks at the item.
    pub poll_interval: Duration,
    /// Longest total wait; past it the wait fails with [`Error::DeadlineExceeded`].
    pub deadline: Duration,
}

impl Default for WaitPolicy {
    /// Looks every 2 s for up to 5 minutes (sandbox syncs take seconds to a few minutes).
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(2),
            deadline: Duration::from_secs(300),
        }
    }
}

/// What the driver does next.
#[derive(Clone, Debug, PartialEq)]
pub enum WaitStep {
    /// The wait is over: the item reached a final state (check [`Item::progress`]), or it needs
    /// MFA input and no one was there to answer.
    Finished,
    /// Sleep this long, then fetch the item again.
    Sleep(Duration),
    /// The institution asks for a second factor: ask the MFA hook, send its answer with
    /// `POST /items/{id}/mfa`, call [`ItemWait::mfa_sent`], then fetch the item again.
    AskMfa(Option<Box<ConnectorCredential>>),
    /// The deadline passed.
    Failed(Error),
}

/// The state of one wait.
#[derive(Clone, Debug)]
pub struct ItemWait {
    policy: WaitPolicy,
    started: Duration,
    can_answer_mfa: bool,
    mfa_pending: bool,
}

impl ItemWait {
    /// Starts a wait at `now`. `can_answer_mfa` says whether the driver has an MFA hook.
    pub fn new(now: Now, policy: WaitPolicy, can_answer_mfa: bool) -> Self {
        Self {
            policy,
            started: now.mono,
            can_answer_mfa,
            mfa_pending: false,
        }
    }

    /// The driver sent an MFA answer; the prompt still showing is not asked again until the
    /// item has moved on.
    pub fn mfa_sent(&mut self) {
        self.mfa_pending = true;
    }

    /// Decides what follows a look at `item` taken at `now`.
    pub fn on_item(&mut self, now: Now, item: &Item) -> WaitStep {
        if self.mfa_pending && item.status != ItemStatus::WaitingUserInput {
            self.mfa_pending = false;
        }
        let elapsed = now.mono.saturating_sub(self.started);
        match item.progress() {
            ItemProgress::Done { .. } | ItemProgress::Failed { .. } => return WaitStep::Finished,
            ItemProgress::NeedsMfaInput { parameter } if !self.mfa_pending => {
                return if self.can_answer_mfa {
                    WaitStep::AskMfa(parameter.map(Box::new))
                } else {
                    WaitStep::Finished
                };
            }
            ItemProgress::NeedsMfaInput { .. }
            | ItemProgress::NeedsUserAction { .. }
            | ItemProgress::InProgress { .. } => {}
        }
        match self.policy.deadline.checked_sub(elapsed) {
            Some(left) if !left.is_zero() => WaitStep::Sleep(self.policy.poll_interval.min(left)),
            _ => WaitStep::Failed(Error::DeadlineExceeded(format!(
                "item {} is still {} ({}) after {} s: raise the deadline or look again later",
                item.id,
                item.status,
                item.execution_status,
                self.policy.deadline.as_secs()
            ))),
        }
    }
}

/// Something a driver can wait on until it settles: a payment request or intent.
pub trait Settles {
    /// Whether it reached a status it will not leave (paid, rejected, expired, cancelled…).
    fn is_settled(&self) -> bool;
    /// What it is and where it stands, for progress and the deadline's error
    /// (`payment intent 1a2b… is PAYMENT_PENDING`).
    fn describe(&self) -> String;
}

/// Waiting for a payment request or intent to settle, as a state machine: the driver fetches
/// it, hands it here with the time, and sleeps or stops as the [`WaitStep`] says (never
/// [`WaitStep::AskMfa`]). A deadline always applies.
#[derive(Clone, Debug)]
pub struct SettleWait {
    policy: WaitPolicy,
    started: Duration,
}

impl SettleWait {
    /// Starts a wait at `now`.
    pub fn new(now: Now, policy: WaitPolicy) -> Self {
        Self {
            policy,
            started: now.mono,
        }
    }

    /// Decides what follows a look at `thing` taken at `now`.
    pub fn on_look(&mut self, now: Now, thing: &impl Settles) -> WaitStep {
        if thing.is_settled() {
            return WaitStep::Finished;
        }
        let elapsed = now.mono.saturating_sub(self.started);
        match self.policy.deadline.checked_sub(elapsed) {
            Some(left) if !left.is_zero() => WaitStep::Sleep(self.policy.poll_interval.min(left)),
            _ => WaitStep::Failed(Error::DeadlineExceeded(format!(
                "{} after {} s: raise the deadline or look again later",
                thing.describe(),
                self.policy.deadline.as_secs()
            ))),
        }
    }
}

impl Settles for crate::models::PaymentIntent {
    fn is_settled(&self) -> bool {
        self.status.is_final()
    }
    fn describe(&self) -> String {
        format!("payment intent {} is {}", self.id, self.status)
    }
}

impl Settles for crate::models::PaymentRequest {
    fn is_settled(&self) -> bool {
        self.status.is_final()
    }
    fn describe(&self) -> String {
        format!("payment request {} is {}", self.id, self.status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(status: &str, execution: &str) -> Item {
        serde_json::from_value(serde_json::json!({
            "id": "it-1",
            "status": status,
            "executionStatus": execution,
            "createdAt": "2024-09-19T13:11:23.595Z",
            "updatedAt": "2024-09-19T13:11:23.595Z",
        }))
        .unwrap()
    }

    fn at(secs: u64) -> Now {
        Now::new(Duration::from_secs(secs), 1_700_000_000 + secs as i64)
    }

    struct Payment(bool);

    impl Settles for Payment {
        fn is_settled(&self) -> bool {
            self.0
        }
        fn describe(&self) -> String {
            "payment intent pi-1 is PAYMENT_PENDING".into()
        }
    }

    #[test]
    fn a_settle_wait_stops_at_a_final_status_or_its_deadline() {
        let policy = WaitPolicy {
            poll_interval: Duration::from_secs(2),
            deadline: Duration::from_secs(5),
        };
        let mut wait = SettleWait::new(at(0), policy);
        assert_eq!(
            wait.on_look(at(0), &Payment(false)),
            WaitStep::Sleep(Duration::from_secs(2))
        );
        assert_eq!(
            wait.on_look(at(4), &Payment(false)),
            WaitStep::Sleep(Duration::from_secs(1))
        );
        assert_eq!(wait.on_look(at(4), &Payment(true)), WaitStep::Finished);
        match wait.on_look(at(5), &Payment(false)) {
            WaitStep::Failed(Error::DeadlineExceeded(text)) => {
                assert!(
                    text.contains("pi-1 is PAYMENT_PENDING") && text.contains("5 s"),
                    "{text}"
                )
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn table() {
        let policy = WaitPolicy {
            poll_interval: Duration::from_secs(2),
            deadline: Duration::from_secs(10),
        };
        // (status, execution, can answer, seconds elapsed, expected)
        type Row = (&'static str, &'static str, bool, u64, fn(&WaitStep) -> bool);
        let rows: &[Row] = &[
            ("UPDATING", "LOGIN_IN_PROGRESS", false, 0, |s| {
                *s == WaitStep::Sleep(Duration::from_secs(2))
            }),
            ("UPDATING", "LOGIN_IN_PROGRESS", false, 9, |s| {
                *s == WaitStep::Sleep(Duration::from_secs(1))
            }),
            ("UPDATING", "LOGIN_IN_PROGRESS", false, 10, |s| {
                matches!(s, WaitStep::Failed(Error::DeadlineExceeded(_)))
            }),
            ("UPDATED", "SUCCESS", false, 0, |s| *s == WaitStep::Finished),
            ("UPDATED", "PARTIAL_SUCCESS", false, 0, |s| {
                *s == WaitStep::Finished
            }),
            ("LOGIN_ERROR", "INVALID_CREDENTIALS", false, 0, |s| {
                *s == WaitStep::Finished
            }),
            ("OUTDATED", "SITE_NOT_AVAILABLE", false, 0, |s| {
                *s == WaitStep::Finished
            }),
            ("WAITING_USER_INPUT", "WAITING_USER_INPUT", true, 0, |s| {
                matches!(s, WaitStep::AskMfa(_))
            }),
            ("WAITING_USER_INPUT", "WAITING_USER_INPUT", false, 0, |s| {
                *s == WaitStep::Finished
            }),
            (
                "WAITING_USER_ACTION",
                "WAITING_USER_ACTION",
                false,
                0,
                |s| matches!(s, WaitStep::Sleep(_)),
            ),
        ];
        for (status, execution, can, secs, check) in rows {
            let mut w = ItemWait::new(at(0), policy.clone(), *can);
            let step = w.on_item(at(*secs), &item(status, execution));
            assert!(check(&step), "{status}/{execution} at {secs}s: {step:?}");
        }
    }

    #[test]
    fn mfa_is_asked_once_per_prompt() {
        let mut w = ItemWait::new(at(0), WaitPolicy::default(), true);
        let waiting = item("WAITING_USER_INPUT", "WAITING_USER_INPUT");
        assert!(matches!(w.on_item(at(0), &waiting), WaitStep::AskMfa(_)));
        w.mfa_sent();
        assert!(matches!(w.on_item(at(1), &waiting), WaitStep::Sleep(_)));
        assert!(matches!(
            w.on_item(at(2), &item("UPDATING", "LOGIN_MFA_IN_PROGRESS")),
            WaitStep::Sleep(_)
        ));
        assert!(matches!(w.on_item(at(3), &waiting), WaitStep::AskMfa(_)));
    }
}
