//! Answers as data: status, JSON body and extra headers, plus the API's error shapes.

use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;
use hyper::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use pluggy_core::ErrorBody;
use serde::Serialize;
use serde_json::Value;

/// One answer before it becomes an HTTP response.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Bytes,
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Reply {
    /// A JSON answer with this status.
    pub(crate) fn json<T: Serialize + ?Sized>(status: u16, body: &T) -> Self {
        let body = serde_json::to_vec(body).unwrap_or_else(|e| {
            format!(r#"{{"code":500,"message":"could not encode the response: {e}"}}"#).into_bytes()
        });
        Self {
            status,
            body: body.into(),
            headers: Vec::new(),
        }
    }

    /// `200` with a JSON body.
    pub(crate) fn ok<T: Serialize + ?Sized>(body: &T) -> Self {
        Self::json(200, body)
    }

    /// `200` with a JSON body already encoded (shared, not copied).
    pub(crate) fn ok_encoded(body: &Bytes) -> Self {
        Self {
            status: 200,
            body: body.clone(),
            headers: Vec::new(),
        }
    }

    /// The JSON encoding of `body`, as [`Reply::json`] sends it.
    pub(crate) fn encode<T: Serialize + ?Sized>(body: &T) -> Bytes {
        Self::json(200, body).body
    }

    /// A status without a body (`204`).
    pub(crate) fn empty(status: u16) -> Self {
        Self {
            status,
            body: Bytes::new(),
            headers: Vec::new(),
        }
    }

    /// Adds a header.
    pub(crate) fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The HTTP response.
    pub(crate) fn into_response(self) -> Response<Full<Bytes>> {
        let has_body = !self.body.is_empty();
        let mut resp = Response::new(Full::new(self.body));
        *resp.status_mut() =
            hyper::StatusCode::from_u16(self.status).unwrap_or(hyper::StatusCode::OK);
        let h = resp.headers_mut();
        if has_body {
            h.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
        }
        for (name, value) in self.headers {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&value),
            ) {
                h.insert(n, v);
            }
        }
        resp
    }
}

/// An error in the API's shape: `{code, message, codeDescription?}`.
pub(crate) fn error(
    status: u16,
    code_description: Option<&str>,
    message: impl Into<String>,
) -> Reply {
    Reply::json(status, &error_body(status, code_description, message))
}

/// The error body itself, for callers that add `data` or `details`.
pub(crate) fn error_body(
    status: u16,
    code_description: Option<&str>,
    message: impl Into<String>,
) -> ErrorBody {
    ErrorBody {
        code: Some(i64::from(status)),
        code_description: code_description.map(str::to_owned),
        message: message.into(),
        ..ErrorBody::default()
    }
}

/// An error with extra top-level fields merged in (e.g. `items` of `ITEM_USER_ALREADY_EXISTS`).
pub(crate) fn error_with(status: u16, body: ErrorBody, extra: Value) -> Reply {
    let mut v = serde_json::to_value(&body).unwrap_or(Value::Null);
    if let (Some(obj), Value::Object(more)) = (v.as_object_mut(), extra) {
        obj.extend(more);
    }
    Reply::json(status, &v)
}

/// `400` for a request the API cannot read.
pub(crate) fn bad_request(message: impl Into<String>) -> Reply {
    error(400, None, message)
}

/// `404` with the resource's code (`ITEM_NOT_FOUND` → "item not found").
pub(crate) fn not_found(code_description: &str, message: &str) -> Reply {
    error(404, Some(code_description), message)
}

/// The answer to a missing, invalid or expired credential.
pub(crate) fn invalid_token() -> Reply {
    error(403, None, pluggy_core::error::INVALID_TOKEN_MESSAGE)
}
