//! What the commands take from the command line and standard input, checked before anything
//! is sent: ids, dates and item credentials.

use std::io::{BufRead, IsTerminal, Write};

use pluggy_core::models::{Date, ItemParameters};

use crate::cli::ParameterArgs;
use crate::fail::Failure;
use crate::output::sanitize;

/// Longest id taken from the command line (a Pluggy id is a 36-character UUID).
const MAX_ID_CHARS: usize = 128;

/// Longest credential value taken (from `--parameter` or standard input); the API takes far
/// smaller ones, and refuses large bodies.
pub(crate) const MAX_CREDENTIAL_BYTES: usize = 64 * 1024;

/// An id given on the command line (`what` names the argument), checked before it is sent:
/// 1 to [`MAX_ID_CHARS`] ASCII letters, digits, `-` or `_`. Messages never repeat the value.
pub(crate) fn checked_id(what: &str, id: String) -> Result<String, Failure> {
    let rule = format!(
        "ids are 1 to {MAX_ID_CHARS} letters, digits, '-' or '_' (a Pluggy id is a UUID such as \
         1c5a4a3f-7b8e-4bcd-9e0f-2a6b8c1d3e4f)"
    );
    if id.is_empty() {
        return Err(Failure::usage(format!("{what} is empty: {rule}")));
    }
    let length = id.chars().count();
    if length > MAX_ID_CHARS {
        return Err(Failure::usage(format!(
            "{what} is {length} characters long: {rule}"
        )));
    }
    if let Some(at) = id
        .chars()
        .position(|c| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    {
        return Err(Failure::usage(format!(
            "{what} has a character no id has (character {}): {rule}",
            at + 1
        )));
    }
    Ok(id)
}

/// A credential value, refused when larger than [`MAX_CREDENTIAL_BYTES`] (never repeated).
fn checked_credential(name: &str, value: &str) -> Result<(), Failure> {
    if value.len() > MAX_CREDENTIAL_BYTES {
        return Err(Failure::usage(format!(
            "the value of credential {:?} is {} bytes long: credentials are at most \
             {MAX_CREDENTIAL_BYTES} bytes",
            sanitize(name),
            value.len()
        )));
    }
    Ok(())
}

/// Item credentials from `--parameter NAME=VALUE` and `--secret-parameter NAME` (standard
/// input).
pub(crate) fn read_parameters(args: &ParameterArgs) -> Result<ItemParameters, Failure> {
    let mut parameters = ItemParameters::new();
    for pair in &args.parameters {
        let (name, value) = pair.split_once('=').ok_or_else(|| {
            Failure::usage(format!(
                "--parameter takes NAME=VALUE (got {:?}); pass secrets with --secret-parameter NAME",
                pair.split('=').next().unwrap_or_default()
            ))
        })?;
        if name.trim().is_empty() {
            return Err(Failure::usage("--parameter has an empty NAME"));
        }
        checked_credential(name.trim(), value)?;
        parameters.insert(name.trim(), value);
    }
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    let mut lines = stdin.lock();
    for name in &args.secret_parameters {
        if terminal {
            eprint!("{name}: ");
            let _ = std::io::stderr().flush();
        }
        let mut line = String::new();
        // One byte more than a value and its line break: a longer line is refused, not read
        // whole.
        let read = std::io::Read::take(&mut lines, MAX_CREDENTIAL_BYTES as u64 + 3)
            .read_line(&mut line)
            .map_err(|e| Failure::usage(format!("cannot read {name} from standard input: {e}")))?;
        if read == 0 {
            return Err(Failure::usage(format!(
                "standard input ended before the value of {name} (--secret-parameter reads one line per name)"
            )));
        }
        let value = line.trim_end_matches(['\r', '\n']);
        if value.len() > MAX_CREDENTIAL_BYTES {
            return Err(Failure::usage(format!(
                "the value of credential {:?} on standard input is longer than \
                 {MAX_CREDENTIAL_BYTES} bytes: credentials are at most that",
                sanitize(name)
            )));
        }
        parameters.insert(name.as_str(), value);
    }
    Ok(parameters)
}

/// An optional `--flag` date (YYYY-MM-DD); a malformed one is a usage error.
pub(crate) fn parse_date(flag: &str, value: Option<String>) -> Result<Option<Date>, Failure> {
    value
        .map(|v| {
            Date::parse(&v).map_err(|_| {
                Failure::usage(format!("--{flag} takes a date as YYYY-MM-DD (got {v:?})"))
            })
        })
        .transpose()
}
