//! `cargo xtask bench [--quick] [--json]`: builds the benchmarks in release mode and runs them
//! (`cargo run --release -p pluggy-bench -- …`), ending with the benchmark's exit status.

use std::path::Path;

use crate::{Error, Result};

/// The options `pluggy-bench` accepts and this command passes on.
const PASSED_ON: &[&str] = &["--quick", "--json"];

/// The arguments for cargo: run the bench crate in release mode with `options` after `--`.
fn cargo_args(options: &[&str]) -> Result<Vec<String>> {
    if let Some(unknown) = options.iter().find(|o| !PASSED_ON.contains(o)) {
        return Err(Error::new(format!(
            "unknown option `{unknown}`; usage: cargo xtask bench [--quick] [--json]"
        )));
    }
    let mut args: Vec<String> = ["run", "--release", "--package", "pluggy-bench", "--"]
        .iter()
        .map(|a| (*a).to_owned())
        .collect();
    args.extend(options.iter().map(|o| (*o).to_owned()));
    Ok(args)
}

/// Runs the benchmarks. Returns their exit code (0 when every check held); fails only when
/// cargo could not be started or was killed by a signal.
pub fn run(root: &Path, options: &[&str]) -> Result<i32> {
    let args = cargo_args(options)?;
    eprintln!("$ cargo {}", args.join(" "));
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
    fn refuses_unknown_options() {
        assert!(cargo_args(&["--fast"]).is_err());
    }
}
