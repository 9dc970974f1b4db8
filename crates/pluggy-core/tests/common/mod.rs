//! Helpers shared by the integration tests: fixture loading and JSON comparison.

use serde_json::Value;

/// The text of `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The names of every fixture file.
#[allow(dead_code)]
pub fn fixture_names() -> Vec<String> {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

#[allow(dead_code)]
/// The same JSON with `null` members dropped and every number as a double, so that two
/// documents that say the same thing compare equal (`{"a": null}` = `{}`, `200000.0` = `200000`).
pub fn normalized(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), normalized(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(normalized).collect()),
        Value::Number(n) => serde_json::Number::from_f64(n.as_f64().unwrap())
            .map(Value::Number)
            .unwrap(),
        other => other.clone(),
    }
}

/// Keys present in `a` but not in `b`, recursively, as JSON pointers.
#[allow(dead_code)]
pub fn missing_keys(a: &Value, b: &Value, at: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(ma), Value::Object(mb)) => {
            for (k, va) in ma {
                let here = format!("{at}/{k}");
                match mb.get(k) {
                    Some(vb) => missing_keys(va, vb, &here, out),
                    None => out.push(here),
                }
            }
        }
        (Value::Array(aa), Value::Array(ab)) => {
            for (i, (va, vb)) in aa.iter().zip(ab).enumerate() {
                missing_keys(va, vb, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}
