//! Project automation for pluggy-rs, run as `cargo xtask <command>`.
//!
//! - `spec-import <path>`: extracts the facts the SDK needs from the official OpenAPI document
//!   into `spec/pluggy-api.json`.
//! - `codegen [--check]`: generates `crates/pluggy-core/src/generated/` from `spec/`.
//! - `compat [node] [python]`: runs Pluggy's official SDKs against the emulator.
//! - `browser`: Pluggy Connect (official SDK, drop-in, standalone) in headless Chromium.
//! - `ci`: the whole CI pipeline, stopping at the first failing step.
//! - `bench [--quick] [--json] [--peers] [--only PART] [--redis URL] [--processes P] [--tasks T]`: the benchmarks, built and run in
//!   release mode.

mod access;
mod bench;
mod browser;
mod cargo;
mod ci;
mod codegen;
mod compat;
mod spec;
mod spec_import;

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const HELP: &str = "\
Usage: cargo xtask <command>

Commands:
  spec-import <path>   Extract the covered operations and the schemas they use from the
                       official OpenAPI document at <path> into spec/pluggy-api.json.
  codegen [--check]    Generate crates/pluggy-core/src/generated/ from spec/. With --check,
                       write nothing and fail if a generated file is stale.
  compat [node] [python]
                       Run the official SDKs' flows (compat/) against the emulator.
  browser              Run Pluggy Connect (the official pluggy-connect-sdk, the drop-in
                       script, the standalone page) against the emulator in headless
                       Chromium (compat/browser/; needs /usr/bin/chromium or $CHROMIUM).
  ci                   Run every CI step in order, stopping at the first failure.
  bench [--quick] [--json] [--peers] [--only PART] [--redis URL] [--processes P] [--tasks T]
                       Build and run the benchmarks (pluggy-bench) in release mode: SDK
                       overhead against raw hyper/ureq, single flight, emulator throughput.
                       --peers adds the official Node SDK against pluggy-async and the
                       Prism mock against the emulator (Node.js tools pinned in
                       bench/peers/, installed under target/peers/). --only runs one part
                       (overhead, sdk-work, single-flight, throughput, peers, fleet); the
                       fleet part (8 processes x 100 tasks sharing one key through Redis)
                       takes --redis, --processes, --tasks.
                       Exits with the benchmark's status (1: a single-flight check failed).
  help                 Show this message.
";

/// A failure of an xtask command, with a message meant for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl Error {
    /// An error with the given message.
    pub fn new(message: impl Into<String>) -> Self {
        Error(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// The result of an xtask operation.
pub type Result<T> = std::result::Result<T, Error>;

/// The root of the workspace (the parent of the `xtask` crate).
pub fn project_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map_or_else(|| manifest_dir.to_path_buf(), Path::to_path_buf)
}

/// Reads a file as UTF-8, naming it in the error.
pub fn read_file(path: &Path) -> Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| Error::new(format!("cannot read {}: {e}", path.display())))
}

/// Writes a file, creating its parent folder, naming it in the error.
pub fn write_file(path: &Path, contents: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Error::new(format!("cannot create {}: {e}", parent.display())))?;
    }
    std::fs::write(path, contents)
        .map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))
}

fn run(args: &[String]) -> Result<()> {
    let root = project_root();
    let rest: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    match args.first().map(String::as_str) {
        None | Some("help" | "--help" | "-h") => {
            print!("{HELP}");
            Ok(())
        }
        Some("spec-import") => match rest.as_slice() {
            [path] => spec_import::run(&root, Path::new(path)),
            _ => Err(Error::new(
                "usage: cargo xtask spec-import <path to the official OpenAPI document>",
            )),
        },
        Some("codegen") => match rest.as_slice() {
            [] => codegen::run(&root, codegen::Mode::Write),
            ["--check"] => codegen::run(&root, codegen::Mode::Check),
            _ => Err(Error::new("usage: cargo xtask codegen [--check]")),
        },
        Some("compat") => compat::parse_args(&rest).and_then(|sdks| compat::run(&root, &sdks)),
        Some("browser") => match rest.as_slice() {
            [] => browser::run(&root),
            _ => Err(Error::new("usage: cargo xtask browser")),
        },
        Some("ci") => match rest.as_slice() {
            [] => ci::run(&root),
            _ => Err(Error::new("usage: cargo xtask ci")),
        },
        Some("bench") => match bench::run(&root, &rest)? {
            0 => Ok(()),
            code => std::process::exit(code),
        },
        Some(other) => Err(Error::new(format!(
            "unknown command `{other}`; run `cargo xtask help`"
        ))),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
