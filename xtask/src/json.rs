//! Deterministic JSON text: keys sorted, two-space indent, trailing newline.
//!
//! The order of keys never depends on how `serde_json` was built (its `preserve_order`
//! feature may be switched on by another crate of the workspace), so the output is the same
//! byte for byte on every machine.

use serde_json::Value;

/// Pretty-prints `value` with object keys sorted, ending with a newline.
pub fn to_sorted_pretty(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, 0);
    out.push('\n');
    out
}

fn write_value(out: &mut String, value: &Value, depth: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(out, s),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_value(out, item, depth + 1);
            }
            newline(out, depth);
            out.push(']');
        }
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_string(out, key);
                out.push_str(": ");
                write_value(out, item, depth + 1);
            }
            newline(out, depth);
            out.push('}');
        }
    }
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn write_string(out: &mut String, s: &str) {
    // Serializing a string cannot fail; the fallback keeps this total anyway.
    match serde_json::to_string(s) {
        Ok(quoted) => out.push_str(&quoted),
        Err(_) => out.push_str("\"\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_keys_at_every_level_and_ends_with_newline() {
        let value = json!({"b": {"z": 1, "a": [true, null]}, "a": "x\"y", "c": [], "d": {}});
        let expected = "{\n  \"a\": \"x\\\"y\",\n  \"b\": {\n    \"a\": [\n      true,\n      \
                        null\n    ],\n    \"z\": 1\n  },\n  \"c\": [],\n  \"d\": {}\n}\n";
        assert_eq!(to_sorted_pretty(&value), expected);
    }

    #[test]
    fn output_parses_back_to_the_same_value() {
        let value = json!({"k": [1, 2.5, "s", {"y": false, "x": -3}]});
        let text = to_sorted_pretty(&value);
        let back: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(back, value);
    }
}
