//! `cargo xtask bench [--quick] [--json] [--peers] [--only PART] [--redis URL]
//! [--processes P] [--tasks T]`: builds the benchmarks in
//! release mode and runs them (`cargo run --release -p pluggy-bench -- …`), ending with the
//! benchmark's exit status.

use std::path::Path;

use crate::{Error, Result};

/// The flags `pluggy-bench` accepts and this command passes on.
const PASSED_ON: &[&str] = &["--quick", "--json", "--peers"];
/// The options that take a value (the part to run, the fleet's Redis and size), passed on
/// with it; `pluggy-bench` checks the value.
const WITH_VALUE: &[&str] = &["--only", "--redis", "--processes", "--tasks"];
const USAGE: &str = "usage: cargo xtask bench [--quick] [--json] [--peers] [--only PART] \
                     [--redis URL] [--processes P] [--tasks T]";

/// The arguments for cargo: run the bench crate in release mode with `options` after `--`.
fn cargo_args(options: &[&str]) -> Result<Vec<String>> {
    let mut rest = options.iter();
    while let Some(option) = rest.next() {
        if WITH_VALUE.contains(option) {
            if rest.next().is_none() {
                return Err(Error::new(format!("{option} needs a value; {USAGE}")));
            }
        } else if !PASSED_ON.contains(option) {
            return Err(Error::new(format!("unknown option `{option}`; {USAGE}")));
        }
    }
    let mut args: Vec<String> = ["run", "--release", "--package", "pluggy-bench", "--"]
        .iter()
        .map(|a| (*a).to_owned())
        .collect();
    args.extend(options.iter().map(|o| (*o).to_owned()));
    Ok(args)
}

/// The arguments as printed: a Redis URL may hold a password, so it is never shown.
fn shown(args: &[String]) -> Vec<&str> {
    let mut out = Vec::with_capacity(args.len());
    let mut hide = false;
    for arg in args {
        out.push(if hide { "<redis url>" } else { arg.as_str() });
        hide = arg == "--redis";
    }
    out
}

/// Runs the benchmarks. Returns their exit code (0 when every check held); fails only when
/// cargo could not be started or was killed by a signal.
pub fn run(root: &Path, options: &[&str]) -> Result<i32> {
    let args = cargo_args(options)?;
    eprintln!("$ cargo {}", shown(&args).join(" "));
    let mut command = crate::cargo::command();
    command.args(&args).current_dir(root);
    let status = command
        .status()
        .map_err(|e| Error::new(format!("cannot run cargo: {e}")))?;
    status
        .code()
        .ok_or_else(|| Error::new(format!("the benchmark was stopped ({status})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_redis_url_is_passed_on_but_never_shown() {
        let args = cargo_args(&["--only", "fleet", "--redis", "redis://:pw@h:6379"]).unwrap();
        assert_eq!(args.last().map(String::as_str), Some("redis://:pw@h:6379"));
        assert!(!shown(&args).join(" ").contains("pw"));
        assert!(cargo_args(&["--redis"]).is_err());
    }

    #[test]
    fn passes_the_known_options_after_the_separator() {
        let args = cargo_args(&["--quick", "--json"]).expect("valid");
        assert_eq!(
            args,
            [
                "run",
                "--release",
                "--package",
                "pluggy-bench",
                "--",
                "--quick",
                "--json"
            ]
        );
        assert_eq!(
            cargo_args(&[]).expect("valid").last().map(String::as_str),
            Some("--")
        );
    }

    #[test]
    fn passes_the_peers_and_a_part_on() {
        let args = cargo_args(&["--quick", "--peers", "--only", "peers"]).expect("valid");
        assert_eq!(args[5..], ["--quick", "--peers", "--only", "peers"]);
    }

    #[test]
    fn refuses_unknown_options() {
        assert!(cargo_args(&["--fast"]).is_err());
        assert!(cargo_args(&["--only"]).is_err());
        assert!(cargo_args(&["peers"]).is_err());
    }
}
