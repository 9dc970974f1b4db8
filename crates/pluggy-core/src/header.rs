//! The rule for custom webhook headers: what HTTP/1.1 can carry unchanged.

/// Why a custom webhook header can never be sent as written. `Display` names the header and
/// the rule it breaks, never the value (header values are secrets).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidHeader {
    /// The name is empty.
    #[error("a webhook header has an empty name")]
    EmptyName,
    /// The name has a character HTTP does not allow in header names.
    #[error(
        "the webhook header name {name:?} is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)"
    )]
    BadName {
        /// The name, as given.
        name: String,
    },
    /// The value has a character HTTP cannot carry in a header, or whitespace at either end
    /// (which HTTP strips, so the receiver would see another value).
    #[error("the value of the webhook header {name:?} {problem}")]
    BadValue {
        /// The header's name.
        name: String,
        /// What is wrong with the value, without the value.
        problem: &'static str,
    },
}

/// Checks one custom webhook header against what HTTP/1.1 can carry unchanged (RFC 9110 §5):
/// the name is a non-empty token; the value is visible ASCII with inner spaces or tabs, and no
/// whitespace at either end. A header that fails would be refused by the sender or arrive
/// altered, and the receiver checking it would refuse every delivery.
pub fn check_header(name: &str, value: &str) -> Result<(), InvalidHeader> {
    if name.is_empty() {
        return Err(InvalidHeader::EmptyName);
    }
    if !name.bytes().all(is_token_byte) {
        return Err(InvalidHeader::BadName {
            name: name.to_owned(),
        });
    }
    let bad_value = |problem| InvalidHeader::BadValue {
        name: name.to_owned(),
        problem,
    };
    if value.bytes().any(|b| b == b'\r' || b == b'\n') {
        return Err(bad_value("has a line break"));
    }
    if !value
        .bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
    {
        return Err(bad_value(
            "has a control or non-ASCII character (visible ASCII, spaces and tabs only)",
        ));
    }
    if value.starts_with([' ', '\t']) || value.ends_with([' ', '\t']) {
        return Err(bad_value(
            "starts or ends with whitespace, which HTTP strips in transit",
        ));
    }
    Ok(())
}

/// RFC 9110 `tchar`.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}
