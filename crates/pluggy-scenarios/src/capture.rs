//! Everything the clients can print, gathered so a test can look for secrets in it: a
//! `tracing` subscriber that writes every span and event field as text.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// The text of every span and event recorded since the process installed the capture.
#[derive(Clone, Debug, Default)]
pub struct Captured(Arc<Mutex<String>>);

impl Captured {
    /// A copy of the text so far.
    pub fn text(&self) -> String {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn push(&self, line: &str) {
        let mut text = self.0.lock().unwrap_or_else(|p| p.into_inner());
        text.push_str(line);
        text.push('\n');
    }
}

struct Capture {
    out: Captured,
    next: AtomicU64,
}

struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = Fields(format!("span {}", span.metadata().name()));
        span.record(&mut fields);
        self.out.push(&fields.0);
        Id::from_u64(self.next.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut fields = Fields(format!("record {}", span.into_u64()));
        values.record(&mut fields);
        self.out.push(&fields.0);
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(format!("event {}", event.metadata().target()));
        event.record(&mut fields);
        self.out.push(&fields.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// Installs the capturing subscriber as the process's global default (once) and returns its
/// text. Call it before the calls whose traces you want to see.
pub fn tracing_capture() -> Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED
        .get_or_init(|| {
            let out = Captured::default();
            let subscriber = Capture {
                out: out.clone(),
                next: AtomicU64::new(0),
            };
            // Fails only if another global subscriber was installed first; then nothing is
            // captured and the secret checks still look at everything else.
            let _ = tracing::subscriber::set_global_default(subscriber);
            out
        })
        .clone()
}

/// Panics, naming the secret and where it appeared, if any of `secrets` occurs in `text`.
pub fn assert_no_secret(what: &str, text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(
            !secret.is_empty() && !text.contains(secret),
            "a secret ({}…) appears in {what}",
            secret.chars().take(6).collect::<String>()
        );
    }
}
