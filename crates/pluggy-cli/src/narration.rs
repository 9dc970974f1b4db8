//! What both demos share: their options, the transcript that narrates each step (text or one
//! JSON object per step), and the embedded emulator's settings.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use pluggy_emulator::{Config, WebhookDelivery};
use serde_json::{Value, json};

use crate::embedded::Embedded;
use crate::fail::Failure;
use crate::output::sanitize;
use crate::receiver::{Delivery, Event};
use crate::settings::{Expiry, Settings};

/// How the demo runs.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// Walk the two-step MFA sandbox connector instead of the plain one.
    pub mfa: bool,
    /// Walk the payments flow (recipient, customer, request, the payer's approval, the intent's
    /// statuses, the webhooks) instead of the item flow.
    pub payments: bool,
    /// Delay between two steps of the embedded emulator's sync.
    pub step_delay: Duration,
    /// How long to wait for the webhooks after the sync ended.
    pub webhook_wait: Duration,
}

/// Narrates the demo: human lines, or one JSON object per step.
pub(crate) struct Transcript {
    /// One JSON object per step instead of lines.
    pub(crate) json: bool,
    /// How many steps the demo has.
    pub(crate) steps: u8,
}

impl Transcript {
    /// Prints a line of the current step (wire text in it is sanitized).
    pub(crate) fn line(&self, text: impl AsRef<str>) {
        if !self.json {
            // Lines quote what the API answered.
            println!("      {}", sanitize(text.as_ref()));
        }
    }

    /// Runs step `n`; its closure returns the step's result and its JSON data.
    pub(crate) fn step<T>(
        &self,
        n: u8,
        name: &str,
        title: &str,
        body: impl FnOnce() -> Result<(T, Value), Failure>,
    ) -> Result<T, Failure> {
        if !self.json {
            println!("\n[{n}/{}] {title}", self.steps);
        }
        match body() {
            Ok((value, data)) => {
                if self.json {
                    let object = json!({
                        "step": n, "name": name, "title": title, "ok": true, "data": data,
                    });
                    println!("{object}");
                }
                Ok(value)
            }
            Err(failure) => {
                if self.json {
                    let object = json!({
                        "step": n, "name": name, "title": title, "ok": false,
                        "error": sanitize(&failure.message), "kind": failure.kind.name(),
                        "exitCode": failure.kind.exit_code(),
                    });
                    println!("{object}");
                }
                Err(failure.context(format_args!("step {n}/{} ({title}) failed", self.steps)))
            }
        }
    }
}

/// The embedded emulator's settings: quick syncs, local webhooks allowed, quick retries.
pub(crate) fn emulator_config(options: &DemoOptions) -> Config {
    Config {
        sync_step_delay: options.step_delay,
        allow_insecure_webhooks: true,
        webhooks: WebhookDelivery {
            attempts: 3,
            initial_backoff: Duration::from_millis(100),
            timeout: Duration::from_secs(2),
        },
        ..Config::default()
    }
}

pub(crate) fn expiry_json(expiry: &Expiry) -> Value {
    json!({
        "expiresAt": expiry.timestamp().map(|t| t.to_string()),
        "expiresInSecs": expiry.seconds_left(),
    })
}

/// Where a demo runs: the emulator it starts in this process when the settings name no base
/// URL (with settings pointing at it), or the API the settings name.
pub(crate) fn stage(
    settings: &Settings,
    options: &DemoOptions,
) -> Result<(Option<Embedded>, Settings), Failure> {
    if settings.base_url.is_some() {
        return Ok((None, settings.clone()));
    }
    let emulator = Embedded::start(emulator_config(options))?;
    let settings = Settings {
        base_url: Some(emulator.base_url().to_owned()),
        ..settings.clone()
    };
    Ok((Some(emulator), settings))
}

/// The deliveries of a demo's receiver until one is `is_final` or `deadline` passes (refusals
/// are narrated), then those already queued behind it.
pub(crate) fn collect_deliveries(
    transcript: &Transcript,
    events: &mpsc::Receiver<Event>,
    deadline: Instant,
    is_final: impl Fn(&Delivery) -> bool,
) -> Vec<Delivery> {
    let mut received = Vec::new();
    while !received.iter().any(&is_final) {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match events.recv_timeout(left) {
            Ok(Event::Delivered(delivery)) => received.push(*delivery),
            Ok(Event::Rejected { status, reason }) => {
                transcript.line(format!("a request was refused ({status}): {reason}"));
            }
            Err(_) => break,
        }
    }
    while let Ok(event) = events.recv_timeout(Duration::from_millis(100)) {
        if let Event::Delivered(delivery) = event {
            received.push(*delivery);
        }
    }
    received
}
