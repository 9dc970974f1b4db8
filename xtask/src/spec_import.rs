//! `cargo xtask spec-import <path>`: the facts-only extract of the official OpenAPI document.
//!
//! Keeps the operations listed in `spec/access.toml` (method, path, parameters, request body
//! and response schemas) and the component schemas they reach, and drops every piece of prose
//! (`description`, `summary`, `title`, `example(s)`, `externalDocs`, `x-*`). The result,
//! `spec/pluggy-api.json`, is written with sorted keys so that re-running the import on the
//! same document changes nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Map, Value};

use crate::access::AccessFile;
use crate::spec::{self, Operation};
use crate::{Error, Result, read_file, write_file};

/// The extract, relative to the project root.
pub const OUTPUT: &str = "spec/pluggy-api.json";
/// The access rules, relative to the project root.
pub const ACCESS: &str = "spec/access.toml";

/// Keys that only carry prose or samples, dropped wherever they are keywords.
const PROSE_KEYS: &[&str] = &[
    "description",
    "summary",
    "example",
    "examples",
    "title",
    "externalDocs",
];

/// Schema keywords whose value maps names to schemas (the keys are names, not keywords).
const NAMED_SCHEMA_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];

/// Schema keywords whose value is data, kept verbatim.
const DATA_KEYWORDS: &[&str] = &["enum", "const", "default", "required"];

const SCHEMA_REF_PREFIX: &str = "#/components/schemas/";

/// Runs the import: reads `source` and `spec/access.toml`, writes `spec/pluggy-api.json`.
pub fn run(root: &Path, source: &Path) -> Result<()> {
    let access = AccessFile::parse(&read_file(&root.join(ACCESS))?)?;
    let text = read_file(source)?;
    let official: Value = serde_json::from_str(&text)
        .map_err(|e| Error::new(format!("{} is not valid JSON: {e}", source.display())))?;
    let mut extract = extract(&official, &access)?;
    let out = root.join(OUTPUT);
    write_file(&out, &to_sorted_pretty(&mut extract)?)?;
    let operations = access.operations.len();
    let schemas = extract
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map_or(0, Map::len);
    println!("wrote {OUTPUT}: {operations} operations, {schemas} schemas");
    Ok(())
}

/// Pretty-prints `value` (two-space indent) with object keys sorted at every level, ending with
/// a newline. Sorting explicitly keeps the text the same byte for byte even when another crate
/// of the workspace switches on serde_json's `preserve_order` feature.
fn to_sorted_pretty(value: &mut Value) -> Result<String> {
    value.sort_all_objects();
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::new(format!("cannot print the extract as JSON: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// Builds the extract of `official` for the operations `access` lists.
pub fn extract(official: &Value, access: &AccessFile) -> Result<Value> {
    let operations = spec::operations(official)?;
    let unlisted: Vec<&str> = operations
        .iter()
        .map(|op| op.id)
        .filter(|id| !access.operations.iter().any(|rule| rule.id == *id))
        .collect();
    if !unlisted.is_empty() {
        return Err(Error::new(format!(
            "the official document has operations spec/access.toml does not list: {}; add each \
             with its access rule and idempotency (nothing of the document is dropped)",
            unlisted.join(", ")
        )));
    }
    let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut pending: Vec<String> = Vec::new();
    for rule in &access.operations {
        let op = operations
            .iter()
            .find(|op| op.id == rule.id)
            .ok_or_else(|| {
                Error::new(format!(
                    "spec/access.toml lists operation `{}`, which the official document lacks",
                    rule.id
                ))
            })?;
        let object = extract_operation(official, op, &mut pending)?;
        paths
            .entry(op.path.to_owned())
            .or_default()
            .insert(op.method.to_owned(), object);
    }

    let mut schemas = Map::new();
    let mut seen = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let schema = strip(spec::schema(official, &name)?);
        collect_schema_refs(&schema, &mut pending)?;
        schemas.insert(name, schema);
    }

    let mut doc = Map::new();
    if let Some(version) = official.get("openapi") {
        doc.insert("openapi".to_owned(), version.clone());
    }
    if let Some(version) = official.pointer("/info/version") {
        doc.insert(
            "info".to_owned(),
            json_object([("version", version.clone())]),
        );
    }
    if let Some(servers) = official.get("servers").and_then(Value::as_array) {
        let urls = servers
            .iter()
            .filter_map(|s| s.get("url"))
            .map(|url| json_object([("url", url.clone())]))
            .collect();
        doc.insert("servers".to_owned(), Value::Array(urls));
    }
    let paths = paths
        .into_iter()
        .map(|(path, methods)| (path, Value::Object(methods)))
        .collect();
    doc.insert("paths".to_owned(), Value::Object(paths));
    doc.insert(
        "components".to_owned(),
        json_object([("schemas", Value::Object(schemas))]),
    );
    Ok(Value::Object(doc))
}

/// The kept parts of one operation; the schemas it refers to are added to `refs`.
fn extract_operation(doc: &Value, op: &Operation<'_>, refs: &mut Vec<String>) -> Result<Value> {
    let mut out = Map::new();
    out.insert("operationId".to_owned(), Value::String(op.id.to_owned()));

    let mut parameters = Vec::new();
    for param in &op.parameters {
        let mut kept = Map::new();
        for key in ["name", "in", "required"] {
            if let Some(value) = param.get(key) {
                kept.insert(key.to_owned(), value.clone());
            }
        }
        if let Some(schema) = param.get("schema") {
            let schema = strip(schema);
            collect_schema_refs(&schema, refs)?;
            kept.insert("schema".to_owned(), schema);
        }
        parameters.push(Value::Object(kept));
    }
    if !parameters.is_empty() {
        out.insert("parameters".to_owned(), Value::Array(parameters));
    }

    if let Some(body) = op.object.get("requestBody") {
        let body = spec::resolve(doc, body)?;
        let mut kept = Map::new();
        if let Some(required) = body.get("required") {
            kept.insert("required".to_owned(), required.clone());
        }
        kept.insert("content".to_owned(), extract_content(body, refs)?);
        out.insert("requestBody".to_owned(), Value::Object(kept));
    }

    let responses = op
        .object
        .get("responses")
        .and_then(Value::as_object)
        .ok_or_else(|| Error::new(format!("operation `{}` has no responses", op.id)))?;
    let mut kept_responses = Map::new();
    for (status, response) in responses {
        let response = spec::resolve(doc, response)?;
        let mut kept = Map::new();
        if response.get("content").is_some() {
            kept.insert("content".to_owned(), extract_content(response, refs)?);
        }
        kept_responses.insert(status.clone(), Value::Object(kept));
    }
    out.insert("responses".to_owned(), Value::Object(kept_responses));
    Ok(Value::Object(out))
}

/// `content` of a request body or response, keeping only each media type's schema.
fn extract_content(holder: &Value, refs: &mut Vec<String>) -> Result<Value> {
    let mut content = Map::new();
    if let Some(media_types) = holder.get("content").and_then(Value::as_object) {
        for (media_type, media) in media_types {
            let mut kept = Map::new();
            if let Some(schema) = media.get("schema") {
                let schema = strip(schema);
                collect_schema_refs(&schema, refs)?;
                kept.insert("schema".to_owned(), schema);
            }
            content.insert(media_type.clone(), Value::Object(kept));
        }
    }
    Ok(Value::Object(content))
}

/// A schema without its prose. Property names that happen to be `description` or `title`
/// are names, not keywords, and are kept.
pub fn strip(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                if PROSE_KEYS.contains(&key.as_str()) || key.starts_with("x-") {
                    continue;
                }
                let kept = if DATA_KEYWORDS.contains(&key.as_str()) {
                    value.clone()
                } else if NAMED_SCHEMA_MAPS.contains(&key.as_str()) {
                    match value {
                        Value::Object(named) => Value::Object(
                            named
                                .iter()
                                .map(|(name, s)| (name.clone(), strip(s)))
                                .collect(),
                        ),
                        other => strip(other),
                    }
                } else if key == "discriminator" {
                    strip_discriminator(value)
                } else {
                    strip(value)
                };
                out.insert(key.clone(), kept);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(strip).collect()),
        other => other.clone(),
    }
}

fn strip_discriminator(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| !key.starts_with("x-"))
                .map(|(key, v)| (key.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Adds the names of the component schemas `schema` refers to. Any other `$ref` is an error:
/// the extract inlines parameters, request bodies and responses.
fn collect_schema_refs(schema: &Value, out: &mut Vec<String>) -> Result<()> {
    match schema {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                let name = reference.strip_prefix(SCHEMA_REF_PREFIX).ok_or_else(|| {
                    Error::new(format!("unsupported `$ref` `{reference}` in a kept schema"))
                })?;
                out.push(name.to_owned());
            }
            for (key, item) in map {
                if DATA_KEYWORDS.contains(&key.as_str()) {
                    continue;
                }
                match item {
                    Value::Object(named) if NAMED_SCHEMA_MAPS.contains(&key.as_str()) => {
                        for nested in named.values() {
                            collect_schema_refs(nested, out)?;
                        }
                    }
                    _ => collect_schema_refs(item, out)?,
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_schema_refs(item, out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn json_object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn access(ids: &[&str]) -> AccessFile {
        let mut text = String::from(
            "[lifetimes]\napi_key_secs = 1\nconnect_token_secs = 1\n\
             [reduced_view]\naccount_fields = [\"id\"]\n",
        );
        for id in ids {
            text.push_str(&format!(
                "[[operation]]\nid = \"{id}\"\naccess = \"api-key\"\nidempotency = \"idempotent\"\n"
            ));
        }
        AccessFile::parse(&text).expect("valid access file")
    }

    fn official() -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "T", "version": "1.0.0", "description": "prose"},
            "paths": {
                "/things/{id}": {
                    "get": {
                        "operationId": "things-retrieve",
                        "summary": "prose",
                        "x-readme": {},
                        "parameters": [{"name": "id", "in": "path", "required": true,
                            "description": "prose", "example": "1", "schema": {"type": "string"}}],
                        "responses": {"200": {"description": "ok", "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Thing"},
                                "example": {"id": "1"}}}}}
                    },
                    "post": {
                        "operationId": "things-create",
                        "requestBody": {"$ref": "#/components/requestBodies/NewThing"},
                        "responses": {"201": {"description": "created"},
                            "default": {"content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/Problem"}}}}}
                    }
                },
                "/other": {"get": {"operationId": "other-list", "responses": {}}}
            },
            "components": {
                "requestBodies": {"NewThing": {"required": true, "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/NewThing"}}}}},
                "schemas": {
                    "Thing": {"type": "object", "title": "Thing", "required": ["description"],
                        "properties": {
                            "description": {"type": "string", "description": "prose"},
                            "part": {"$ref": "#/components/schemas/Part"}}},
                    "Part": {"type": "string", "enum": ["A"], "x-internal": true},
                    "NewThing": {"type": "object", "externalDocs": {"url": "u"}},
                    "Problem": {"properties": {"default": {"$ref": "#/components/schemas/Code"}}},
                    "Code": {"type": "integer"},
                    "Unused": {"type": "string"}
                }
            }
        })
    }

    #[test]
    fn refuses_a_document_with_operations_access_toml_does_not_list() {
        let err = extract(&official(), &access(&["things-retrieve", "things-create"]))
            .expect_err("other-list is not listed");
        assert!(err.to_string().contains("other-list"), "{err}");
        assert!(!err.to_string().contains("things-create"), "{err}");
    }

    #[test]
    fn keeps_listed_operations_and_the_schemas_they_reach() {
        let mut extract = extract(
            &official(),
            &access(&["things-retrieve", "things-create", "other-list"]),
        )
        .expect("ok");
        // `/other` is kept too; the rest of the test is about the things.
        let other = extract["paths"]
            .as_object_mut()
            .and_then(|paths| paths.remove("/other"))
            .expect("the other path is kept");
        assert_eq!(
            other,
            json!({"get": {"operationId": "other-list", "responses": {}}})
        );
        let expected = json!({
            "openapi": "3.1.0",
            "info": {"version": "1.0.0"},
            "paths": {"/things/{id}": {
                "get": {
                    "operationId": "things-retrieve",
                    "parameters": [{"name": "id", "in": "path", "required": true,
                        "schema": {"type": "string"}}],
                    "responses": {"200": {"content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Thing"}}}}}
                },
                "post": {
                    "operationId": "things-create",
                    "requestBody": {"required": true, "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/NewThing"}}}},
                    "responses": {"201": {}, "default": {"content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Problem"}}}}}
                }
            }},
            "components": {"schemas": {
                "Thing": {"type": "object", "required": ["description"], "properties": {
                    "description": {"type": "string"},
                    "part": {"$ref": "#/components/schemas/Part"}}},
                "Part": {"type": "string", "enum": ["A"]},
                "NewThing": {"type": "object"},
                "Problem": {"properties": {"default": {"$ref": "#/components/schemas/Code"}}},
                "Code": {"type": "integer"}
            }}
        });
        assert_eq!(extract, expected);
    }

    #[test]
    fn rejects_an_operation_the_document_lacks() {
        let err = extract(
            &official(),
            &access(&[
                "things-retrieve",
                "things-create",
                "other-list",
                "things-delete",
            ]),
        )
        .expect_err("missing");
        assert!(err.to_string().contains("`things-delete`"), "{err}");
    }

    #[test]
    fn is_deterministic() {
        let rules = access(&["things-retrieve", "things-create", "other-list"]);
        let a = to_sorted_pretty(&mut extract(&official(), &rules).expect("ok")).expect("prints");
        let b = to_sorted_pretty(&mut extract(&official(), &rules).expect("ok")).expect("prints");
        assert_eq!(a, b);
    }

    #[test]
    fn prints_sorted_keys_at_every_level_with_a_final_newline() {
        let mut value = json!({"b": {"z": 1, "a": [true, null]}, "a": "x\"y", "c": [], "d": {}});
        let expected = "{\n  \"a\": \"x\\\"y\",\n  \"b\": {\n    \"a\": [\n      true,\n      \
                        null\n    ],\n    \"z\": 1\n  },\n  \"c\": [],\n  \"d\": {}\n}\n";
        assert_eq!(to_sorted_pretty(&mut value).expect("prints"), expected);
    }

    #[test]
    fn printed_text_parses_back_to_the_same_value() {
        let value = json!({"k": [1, 2.5, "s", {"y": false, "x": -3}]});
        let text = to_sorted_pretty(&mut value.clone()).expect("prints");
        let back: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(back, value);
    }
}
