//! Reading operations and enums out of an OpenAPI 3 document held as JSON.

use serde_json::{Map, Value};

use crate::{Error, Result};

/// The HTTP methods an OpenAPI path item may hold, in the order codegen knows them.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation of the document.
#[derive(Debug, Clone)]
pub struct Operation<'a> {
    /// The operationId.
    pub id: &'a str,
    /// The method, lower case as the document writes it.
    pub method: &'a str,
    /// The path template.
    pub path: &'a str,
    /// The parameters, `$ref`s resolved, in document order.
    pub parameters: Vec<&'a Value>,
    /// The operation object itself.
    pub object: &'a Map<String, Value>,
}

impl Operation<'_> {
    /// The names of the parameters found `location` (`path`, `query`, ...), in order.
    pub fn parameter_names(&self, location: &str) -> Vec<&str> {
        self.parameters
            .iter()
            .filter(|p| p.get("in").and_then(Value::as_str) == Some(location))
            .filter_map(|p| p.get("name").and_then(Value::as_str))
            .collect()
    }

    /// Whether the operation declares a request body.
    pub fn has_body(&self) -> bool {
        self.object.contains_key("requestBody")
    }
}

/// Every operation of the document, in the order of its `paths` object (the order of
/// `serde_json`'s map: callers must not rely on it).
pub fn operations(doc: &Value) -> Result<Vec<Operation<'_>>> {
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| Error::new("the document has no `paths` object"))?;
    let mut out = Vec::new();
    for (path, item) in paths {
        let item = item
            .as_object()
            .ok_or_else(|| Error::new(format!("path `{path}` is not an object")))?;
        let shared: Vec<&Value> = match item.get("parameters") {
            Some(list) => resolve_list(doc, list, path)?,
            None => Vec::new(),
        };
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let object = op
                .as_object()
                .ok_or_else(|| Error::new(format!("`{method} {path}` is not an object")))?;
            let id = object
                .get("operationId")
                .and_then(Value::as_str)
                .ok_or_else(|| Error::new(format!("`{method} {path}` has no operationId")))?;
            let mut parameters = shared.clone();
            if let Some(list) = object.get("parameters") {
                for param in resolve_list(doc, list, path)? {
                    // An operation's parameter overrides a path-level one of the same name and
                    // location.
                    parameters.retain(|p| !same_parameter(p, param));
                    parameters.push(param);
                }
            }
            out.push(Operation {
                id,
                method,
                path,
                parameters,
                object,
            });
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for op in &out {
        if !seen.insert(op.id) {
            return Err(Error::new(format!("operationId `{}` is used twice", op.id)));
        }
    }
    Ok(out)
}

fn same_parameter(a: &Value, b: &Value) -> bool {
    a.get("name") == b.get("name") && a.get("in") == b.get("in")
}

fn resolve_list<'a>(doc: &'a Value, list: &'a Value, path: &str) -> Result<Vec<&'a Value>> {
    let items = list
        .as_array()
        .ok_or_else(|| Error::new(format!("the parameters of `{path}` are not a list")))?;
    items.iter().map(|p| resolve(doc, p)).collect()
}

/// Follows `$ref`s (local ones, `#/...`) until a value without one.
pub fn resolve<'a>(doc: &'a Value, mut value: &'a Value) -> Result<&'a Value> {
    for _ in 0..32 {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => value = lookup(doc, reference)?,
            None => return Ok(value),
        }
    }
    Err(Error::new(
        "a `$ref` chain is longer than 32 links (a cycle?)",
    ))
}

/// The value a local `$ref` (`#/components/...`) points at.
pub fn lookup<'a>(doc: &'a Value, reference: &str) -> Result<&'a Value> {
    let pointer = reference
        .strip_prefix('#')
        .ok_or_else(|| Error::new(format!("`$ref` `{reference}` is not local to the document")))?;
    doc.pointer(pointer)
        .ok_or_else(|| Error::new(format!("`$ref` `{reference}` points at nothing")))
}

/// The string values of the `enum` of `schema`, or of its `items` when it is an array.
pub fn enum_values(doc: &Value, schema: &Value, what: &str) -> Result<Vec<String>> {
    let mut schema = resolve(doc, schema)?;
    if schema.get("enum").is_none() {
        if let Some(items) = schema.get("items") {
            schema = resolve(doc, items)?;
        }
    }
    let values = schema
        .get("enum")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::new(format!("{what} has no `enum` in the spec")))?;
    values
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| Error::new(format!("{what} has a value that is not a string: {v}")))
        })
        .collect()
}

/// The component schema called `name`.
pub fn schema<'a>(doc: &'a Value, name: &str) -> Result<&'a Value> {
    doc.get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(|s| s.get(name))
        .ok_or_else(|| Error::new(format!("the spec has no schema `{name}`")))
}

/// Property `property` of the component schema `name`, `$ref`s resolved.
pub fn schema_property<'a>(doc: &'a Value, name: &str, property: &str) -> Result<&'a Value> {
    let schema = resolve(doc, schema(doc, name)?)?;
    let prop = schema
        .get("properties")
        .and_then(|p| p.get(property))
        .ok_or_else(|| Error::new(format!("schema `{name}` has no property `{property}`")))?;
    resolve(doc, prop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "paths": {
                "/items/{id}": {
                    "parameters": [{"name": "id", "in": "path", "required": true}],
                    "get": {
                        "operationId": "items-retrieve",
                        "parameters": [{"$ref": "#/components/parameters/Expand"}]
                    },
                    "patch": {"operationId": "items-update", "requestBody": {}}
                }
            },
            "components": {
                "parameters": {"Expand": {"name": "expand", "in": "query"}},
                "schemas": {
                    "Kind": {"type": "string", "enum": ["A", "B"]},
                    "Thing": {"properties": {"kinds": {"type": "array",
                        "items": {"$ref": "#/components/schemas/Kind"}}}}
                }
            }
        })
    }

    #[test]
    fn reads_operations_with_path_level_and_referenced_parameters() {
        let doc = doc();
        let ops = operations(&doc).expect("valid");
        let get = ops
            .iter()
            .find(|o| o.id == "items-retrieve")
            .expect("present");
        assert_eq!(get.method, "get");
        assert_eq!(get.parameter_names("path"), ["id"]);
        assert_eq!(get.parameter_names("query"), ["expand"]);
        assert!(!get.has_body());
        let patch = ops
            .iter()
            .find(|o| o.id == "items-update")
            .expect("present");
        assert!(patch.has_body());
    }

    #[test]
    fn reads_enums_through_refs_and_array_items() {
        let doc = doc();
        let prop = schema_property(&doc, "Thing", "kinds").expect("present");
        assert_eq!(
            enum_values(&doc, prop, "Thing.kinds").expect("enum"),
            ["A", "B"]
        );
        let missing = schema_property(&doc, "Thing", "nope").expect_err("absent");
        assert!(missing.to_string().contains("no property `nope`"));
    }

    #[test]
    fn rejects_duplicate_operation_ids() {
        let doc = json!({"paths": {
            "/a": {"get": {"operationId": "x"}},
            "/b": {"get": {"operationId": "x"}}
        }});
        let err = operations(&doc).expect_err("duplicate");
        assert!(err.to_string().contains("used twice"));
    }
}
