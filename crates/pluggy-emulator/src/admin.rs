//! The tester's routes under `/__emulator/`: statistics, clock, fault rules and reset, and
//! (in [`crate::tester`]) the payer's side of payments.

use serde_json::{Value, json};

use crate::reply::{self, Reply};
use crate::world::clock::ts;
use crate::world::faults::{FaultAction, FaultRule};
use crate::world::state::Shared;

/// The largest step of `POST /__emulator/clock/advance`, in seconds (about 317 years); the
/// clock itself stops at the year 9000 however often it is advanced.
const MAX_ADVANCE_SECS: f64 = 1e10;

/// Answers one `/__emulator/…` request.
pub(crate) fn handle(shared: &Shared, method: &str, path: &str, body: &[u8]) -> Reply {
    if let Some(r) = crate::tester::handle(shared, method, path.trim_end_matches('/'), body) {
        return r;
    }
    match (method, path.trim_end_matches('/')) {
        ("GET", "/__emulator/stats") => Reply::ok(&shared.stats_json()),
        ("POST", "/__emulator/clock/advance") => advance(shared, body),
        ("GET", "/__emulator/clock") => {
            Reply::ok(&json!({"now": ts(shared.clock.now()).to_string()}))
        }
        ("POST", "/__emulator/faults") => add_fault(shared, body),
        ("GET", "/__emulator/faults") => list_faults(shared),
        ("DELETE", "/__emulator/faults") => {
            let count = shared.faults.clear();
            Reply::ok(&json!({"count": count}))
        }
        ("POST", "/__emulator/reset") => {
            shared.reset();
            Reply::ok(&json!({"reset": true}))
        }
        _ => reply::error(404, None, format!("No emulator route {method} {path}")),
    }
}

fn json_body(body: &[u8]) -> Result<serde_json::Map<String, Value>, Reply> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(reply::bad_request("The request body must be a JSON object")),
        Err(e) => Err(reply::bad_request(format!("Invalid JSON body: {e}"))),
    }
}

fn advance(shared: &Shared, body: &[u8]) -> Reply {
    let secs = match json_body(body) {
        Ok(m) => m.get("seconds").and_then(Value::as_f64),
        Err(e) => return e,
    };
    let Some(secs) = secs.filter(|s| (0.0..=MAX_ADVANCE_SECS).contains(s)) else {
        return reply::bad_request(format!(
            "seconds must be a number from 0 to {MAX_ADVANCE_SECS}"
        ));
    };
    shared.advance_clock(std::time::Duration::from_secs_f64(secs));
    Reply::ok(&json!({"now": ts(shared.clock.now()).to_string()}))
}

fn add_fault(shared: &Shared, body: &[u8]) -> Reply {
    match parse_fault(body) {
        Ok(mut rule) => {
            rule.id = shared.lock().rng.uuid();
            let id = rule.id.clone();
            shared.faults.add(rule);
            Reply::ok(&json!({"id": id}))
        }
        Err(e) => e,
    }
}

fn parse_fault(body: &[u8]) -> Result<FaultRule, Reply> {
    let m = json_body(body)?;
    let s = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_owned);
    let n = |k: &str| -> Result<Option<u64>, Reply> {
        match m.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .map(Some)
                .ok_or_else(|| reply::bad_request(format!("{k} must be a non-negative integer"))),
        }
    };
    let method = s("method").ok_or_else(|| reply::bad_request("method is required"))?;
    let route = s("route").ok_or_else(|| reply::bad_request("route is required"))?;
    let status = match n("status")? {
        None => None,
        Some(c) if (100..=599).contains(&c) => Some(c as u16),
        Some(_) => return Err(reply::bad_request("status must be an HTTP status code")),
    };
    let drop = match m.get("drop") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(reply::bad_request("drop must be a boolean")),
    };
    let probability = match m.get("probability") {
        None | Some(Value::Null) => 1.0,
        Some(v) => v
            .as_f64()
            .filter(|p| (0.0..=1.0).contains(p))
            .ok_or_else(|| reply::bad_request("probability must be between 0 and 1"))?,
    };
    let times = n("times")?;
    if times == Some(0) {
        return Err(reply::bad_request("times must be at least 1"));
    }
    Ok(FaultRule {
        id: String::new(),
        method: method.to_ascii_uppercase(),
        route,
        action: FaultAction {
            status,
            retry_after: n("retry_after")?,
            delay_ms: n("delay_ms")?.unwrap_or(0).min(600_000),
            drop,
        },
        times,
        probability,
    })
}

fn list_faults(shared: &Shared) -> Reply {
    let rules: Vec<Value> = shared
        .faults
        .list()
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "method": r.method, "route": r.route, "status": r.action.status,
                "retry_after": r.action.retry_after, "delay_ms": r.action.delay_ms,
                "drop": r.action.drop,
                "times": r.times, "probability": r.probability,
            })
        })
        .collect();
    Reply::ok(&rules)
}
