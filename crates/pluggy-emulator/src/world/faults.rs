//! Fault injection rules (`/__emulator/faults`), kept beside the world rather than in it: a
//! request with no rule armed learns so from one atomic load, without touching the state's
//! lock.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::world::rng::Rng;

/// One fault injection rule.
#[derive(Clone, Debug)]
pub(crate) struct FaultRule {
    pub(crate) id: String,
    pub(crate) method: String,
    pub(crate) route: String,
    /// What the rule does to a request it fires on.
    pub(crate) action: FaultAction,
    pub(crate) times: Option<u64>,
    pub(crate) probability: f64,
}

/// What a firing fault rule does to a request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FaultAction {
    pub(crate) status: Option<u16>,
    pub(crate) retry_after: Option<u64>,
    pub(crate) delay_ms: u64,
    pub(crate) drop: bool,
}

/// The rules, in the order they were added, and the draws of their probabilities.
#[derive(Debug)]
struct Book {
    rules: Vec<FaultRule>,
    rng: Rng,
}

/// Every fault rule. `armed` is true exactly while there is a rule: it changes only under
/// the book's lock, together with the rules.
#[derive(Debug)]
pub(crate) struct Faults {
    armed: AtomicBool,
    book: Mutex<Book>,
    seed: u64,
}

impl Faults {
    /// No rules; probabilities drawn from a stream derived from `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            armed: AtomicBool::new(false),
            book: Mutex::new(Book {
                rules: Vec::new(),
                rng: Rng::derived(seed, "faults"),
            }),
            seed,
        }
    }

    /// Every rule change is a single push, removal or clear, so a poisoned book is whole.
    fn book(&self) -> MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn rearm(&self, book: &Book) {
        self.armed.store(!book.rules.is_empty(), Ordering::Release);
    }

    /// Adds a rule after the others.
    pub(crate) fn add(&self, rule: FaultRule) {
        let mut book = self.book();
        book.rules.push(rule);
        self.rearm(&book);
    }

    /// Removes every rule; how many there were.
    pub(crate) fn clear(&self) -> usize {
        let mut book = self.book();
        let count = book.rules.len();
        book.rules.clear();
        self.rearm(&book);
        count
    }

    /// Removes every rule and restarts the probability draws, as a fresh emulator has them.
    pub(crate) fn reset(&self) {
        let mut book = self.book();
        book.rules.clear();
        book.rng = Rng::derived(self.seed, "faults");
        self.rearm(&book);
    }

    /// A copy of the rules, in order.
    pub(crate) fn list(&self) -> Vec<FaultRule> {
        self.book().rules.clone()
    }

    /// The first rule for this request, if it fires, with one of its `times` consumed.
    pub(crate) fn take(
        &self,
        method: &str,
        template: Option<&str>,
        path: &str,
    ) -> Option<FaultAction> {
        if !self.armed.load(Ordering::Acquire) {
            return None;
        }
        let mut book = self.book();
        let idx = book.rules.iter().position(|r| {
            r.method.eq_ignore_ascii_case(method)
                && (r.route == path || Some(r.route.as_str()) == template)
        })?;
        let probability = book.rules[idx].probability;
        if probability < 1.0 && book.rng.unit() >= probability {
            return None;
        }
        let rule = &mut book.rules[idx];
        let action = rule.action;
        if let Some(t) = rule.times.as_mut() {
            *t = t.saturating_sub(1);
            if *t == 0 {
                book.rules.remove(idx);
                self.rearm(&book);
            }
        }
        Some(action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(times: Option<u64>) -> FaultRule {
        FaultRule {
            id: "f".to_owned(),
            method: "GET".to_owned(),
            route: "/items/{id}".to_owned(),
            action: FaultAction {
                status: Some(500),
                retry_after: None,
                delay_ms: 0,
                drop: false,
            },
            times,
            probability: 1.0,
        }
    }

    #[test]
    fn armed_follows_the_rules() {
        let f = Faults::new(1);
        assert!(f.take("GET", Some("/items/{id}"), "/items/x").is_none());
        f.add(rule(Some(2)));
        assert!(f.armed.load(Ordering::Acquire));
        assert!(f.take("get", Some("/items/{id}"), "/items/x").is_some());
        assert!(f.take("POST", Some("/items/{id}"), "/items/x").is_none());
        assert!(f.take("GET", None, "/items/{id}").is_some());
        // Both times used: the rule is gone and nothing is armed.
        assert!(!f.armed.load(Ordering::Acquire));
        assert!(f.take("GET", Some("/items/{id}"), "/items/x").is_none());
        f.add(rule(None));
        f.add(rule(None));
        assert_eq!(f.list().len(), 2);
        assert_eq!(f.clear(), 2);
        assert!(!f.armed.load(Ordering::Acquire));
        f.add(rule(None));
        f.reset();
        assert!(f.list().is_empty());
        assert!(!f.armed.load(Ordering::Acquire));
    }
}
