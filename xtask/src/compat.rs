//! `cargo xtask compat [node] [python]`: runs the flows of Pluggy's official SDKs (`compat/`)
//! against a freshly started emulator and reports, per SDK, whether they passed.
//!
//! For each SDK: install its pinned dependencies (`npm ci` into `compat/node`; a virtualenv
//! under `target/compat/` for Python), start `pluggy-emulator` on an ephemeral port of
//! 127.0.0.1, run the SDK's script with `PLUGGY_API_URL`, `PLUGGY_CLIENT_ID` and
//! `PLUGGY_CLIENT_SECRET` pointing at it, and stop the emulator. Everything after the emulator
//! build shares one deadline, so the command always ends in bounded time.

use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{Error, Result};

/// The client the emulator is started with; a UUID, as the Python SDK's `AuthRequest` requires.
pub(crate) const CLIENT_ID: &str = "c0ffee00-0000-4000-8000-00000000c0de";
/// The secret of [`CLIENT_ID`]; it guards nothing, the emulator lives for one run.
pub(crate) const CLIENT_SECRET: &str = "compat-client-secret";
/// Time for everything after the emulator build: installs, emulators and scripts.
const TOTAL_BUDGET: Duration = Duration::from_secs(170);
/// Longest wait for an install (`npm ci`, virtualenv, `pip install`).
const INSTALL_TIMEOUT: Duration = Duration::from_secs(90);
/// Longest wait for the emulator's first line.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// Longest run of one SDK's script.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(60);

/// An official SDK with a compatibility script under `compat/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sdk {
    /// npm `pluggy-sdk`, `compat/node`.
    Node,
    /// PyPI `pluggy-sdk`, `compat/python`.
    Python,
}

impl Sdk {
    /// Every SDK, in the order they run.
    pub const ALL: [Sdk; 2] = [Sdk::Node, Sdk::Python];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Sdk::Node => "node",
            Sdk::Python => "python",
        }
    }

    /// The SDK called `name`.
    pub fn parse(name: &str) -> Option<Sdk> {
        Sdk::ALL.into_iter().find(|sdk| sdk.name() == name)
    }
}

/// The SDKs named on the command line (all of them when none is named), without repeats.
pub fn parse_args(args: &[&str]) -> Result<Vec<Sdk>> {
    if args.is_empty() {
        return Ok(Sdk::ALL.to_vec());
    }
    let mut sdks = Vec::new();
    for arg in args {
        let sdk = Sdk::parse(arg).ok_or_else(|| {
            Error::new(format!(
                "unknown SDK `{arg}`; usage: cargo xtask compat [node] [python]"
            ))
        })?;
        if !sdks.contains(&sdk) {
            sdks.push(sdk);
        }
    }
    Ok(sdks)
}

/// How one SDK fared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Its whole flow passed.
    Passed,
    /// Its dependencies could not be installed (a registry or toolchain problem, not the
    /// emulator's).
    InstallFailed(String),
    /// Its flow failed against the emulator, or the emulator did not start.
    Failed(String),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Passed => f.write_str("passed"),
            Outcome::InstallFailed(why) => write!(f, "NOT RUN, install failed: {why}"),
            Outcome::Failed(why) => write!(f, "FAILED: {why}"),
        }
    }
}

/// Builds the emulator, runs each SDK's flow against its own emulator and reports; fails when
/// any SDK did not pass.
pub fn run(root: &Path, sdks: &[Sdk]) -> Result<()> {
    let emulator = build_emulator(root)?;
    let deadline = Deadline::new(TOTAL_BUDGET);
    let mut report = Vec::new();
    for &sdk in sdks {
        println!("\n--> compat: {}", sdk.name());
        let started = Instant::now();
        let outcome = run_sdk(root, &emulator, sdk, &deadline);
        println!(
            "<-- compat: {} {outcome} ({:.1}s)",
            sdk.name(),
            started.elapsed().as_secs_f64()
        );
        report.push((sdk, outcome));
    }
    println!("\n{}", summary(&report));
    if report.iter().all(|(_, o)| *o == Outcome::Passed) {
        Ok(())
    } else {
        Err(Error::new(format!(
            "official SDKs not compatible with the emulator: {}",
            report
                .iter()
                .filter(|(_, o)| *o != Outcome::Passed)
                .map(|(sdk, _)| sdk.name())
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }
}

/// One line per SDK.
fn summary(report: &[(Sdk, Outcome)]) -> String {
    let mut text = String::from("compat summary:");
    for (sdk, outcome) in report {
        text.push_str(&format!("\n  {:<7} {outcome}", sdk.name()));
    }
    text
}

fn run_sdk(root: &Path, emulator: &Path, sdk: Sdk, deadline: &Deadline) -> Outcome {
    let script = match install(root, sdk, deadline) {
        Ok(script) => script,
        Err(e) => return Outcome::InstallFailed(e.to_string()),
    };
    let running = match RunningEmulator::start(emulator, deadline, 0, &[]) {
        Ok(running) => running,
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    println!("emulator at {}", running.url);
    let mut command = script;
    command
        .env("PLUGGY_API_URL", &running.url)
        .env("PLUGGY_CLIENT_ID", CLIENT_ID)
        .env("PLUGGY_CLIENT_SECRET", CLIENT_SECRET)
        .env("NO_PROXY", loopback_no_proxy("NO_PROXY"))
        .env("no_proxy", loopback_no_proxy("no_proxy"));
    let outcome = match run_bounded(&mut command, deadline.cap(SCRIPT_TIMEOUT)) {
        Ok(status) if status.success() => Outcome::Passed,
        Ok(status) => Outcome::Failed(format!("the {} flow failed ({status})", sdk.name())),
        Err(e) => Outcome::Failed(e.to_string()),
    };
    running.stop();
    outcome
}

/// `NO_PROXY` as set, plus the loopback addresses the scripts talk to.
pub(crate) fn loopback_no_proxy(name: &str) -> String {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => format!("{v},127.0.0.1,localhost"),
        _ => "127.0.0.1,localhost".to_owned(),
    }
}

/// `cargo build -p pluggy-emulator`; the path of the binary it built.
pub(crate) fn build_emulator(root: &Path) -> Result<PathBuf> {
    build_binary(root, "pluggy-emulator", "pluggy-emulator")
}

/// `cargo build -p PACKAGE --bin BIN`; the path of the binary it built.
pub(crate) fn build_binary(root: &Path, package: &str, bin: &str) -> Result<PathBuf> {
    let args = [
        "build",
        "-p",
        package,
        "--bin",
        bin,
        "--message-format=json-render-diagnostics",
    ];
    println!("$ cargo {}", args.join(" "));
    let output = crate::cargo::command()
        .args(args)
        .current_dir(root)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Error::new(format!("cannot run cargo: {e}")))?;
    if !output.status.success() {
        return Err(Error::new(format!(
            "`cargo build -p {package}` failed ({})",
            output.status
        )));
    }
    let messages = String::from_utf8_lossy(&output.stdout);
    executable(&messages, bin).ok_or_else(|| {
        Error::new(format!(
            "`cargo build -p {package}` reported no {bin} executable"
        ))
    })
}

/// The executable of the binary `bin` in cargo's JSON messages.
fn executable(messages: &str, bin: &str) -> Option<PathBuf> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == bin)
        .filter_map(|m| m["executable"].as_str().map(PathBuf::from))
        .next_back()
}

/// Installs an SDK's pinned dependencies; the command that runs its script.
fn install(root: &Path, sdk: Sdk, deadline: &Deadline) -> Result<Command> {
    match sdk {
        Sdk::Node => install_node(&root.join("compat").join("node"), deadline),
        Sdk::Python => install_python(root, deadline),
    }
}

fn install_node(dir: &Path, deadline: &Deadline) -> Result<Command> {
    npm_ci(dir, deadline)?;
    let mut script = Command::new("node");
    script.arg("compat.js").current_dir(dir);
    Ok(script)
}

/// `npm ci` in `dir`: exactly its `package-lock.json`, after checking that Node.js and npm
/// are on `PATH`.
pub(crate) fn npm_ci(dir: &Path, deadline: &Deadline) -> Result<()> {
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    require_tool("node", &["--version"], "Node.js 18 or later")?;
    require_tool(npm, &["--version"], "npm (it comes with Node.js)")?;
    // `npm ci` installs exactly package-lock.json (integrity-checked) and fails if it does not
    // match package.json; no audit, funding or install scripts, nothing but the registry.
    let mut ci = Command::new(npm);
    ci.args([
        "ci",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        "--prefer-offline",
        "--loglevel=error",
    ])
    .env("npm_config_update_notifier", "false")
    .current_dir(dir);
    println!("$ npm ci (in {})", dir.display());
    expect_success(&mut ci, "npm ci", deadline.cap(INSTALL_TIMEOUT))
}

fn install_python(root: &Path, deadline: &Deadline) -> Result<Command> {
    let dir = root.join("compat").join("python");
    let requirements = dir.join("requirements.txt");
    let wanted = crate::read_file(&requirements)?;
    let venv = target_dir(root).join("compat").join("python-venv");
    let python = venv_python(&venv);
    let stamp = venv.join("installed-requirements.txt");
    let up_to_date = python.is_file() && std::fs::read_to_string(&stamp).ok() == Some(wanted);
    if up_to_date {
        println!("virtualenv {} is up to date", venv.display());
    } else {
        let system_python = find_python()?;
        if venv.exists() {
            std::fs::remove_dir_all(&venv)
                .map_err(|e| Error::new(format!("cannot remove {}: {e}", venv.display())))?;
        }
        println!("$ {system_python} -m venv {}", venv.display());
        expect_success(
            Command::new(&system_python)
                .arg("-m")
                .arg("venv")
                .arg(&venv),
            "python -m venv",
            deadline.cap(INSTALL_TIMEOUT),
        )?;
        // Exactly the pinned set: no dependency resolution, then a consistency check.
        println!("$ pip install --no-deps -r {}", requirements.display());
        expect_success(
            Command::new(&python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--disable-pip-version-check",
                    "--no-input",
                    "--quiet",
                    "--no-deps",
                    "--only-binary=:all:",
                    "-r",
                ])
                .arg(&requirements),
            "pip install",
            deadline.cap(INSTALL_TIMEOUT),
        )?;
        expect_success(
            Command::new(&python).args(["-m", "pip", "check", "--disable-pip-version-check"]),
            "pip check (the pinned requirements are inconsistent)",
            deadline.cap(INSTALL_TIMEOUT),
        )?;
        std::fs::copy(&requirements, &stamp)
            .map_err(|e| Error::new(format!("cannot write {}: {e}", stamp.display())))?;
    }
    let mut script = Command::new(python);
    script.arg("compat.py").current_dir(dir);
    Ok(script)
}

/// `CARGO_TARGET_DIR` when set, else `target/` of the workspace.
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                root.join(dir)
            }
        })
        .unwrap_or_else(|| root.join("target"))
}

fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

/// A Python 3.11+ interpreter on `PATH` (the SDK requires 3.11).
fn find_python() -> Result<String> {
    for candidate in ["python3", "python"] {
        let output = Command::new(candidate)
            .args(["-c", "import sys; print(int(sys.version_info >= (3, 11)))"])
            .stderr(Stdio::null())
            .output();
        if let Ok(output) = output {
            if output.status.success() && String::from_utf8_lossy(&output.stdout).trim() == "1" {
                return Ok(candidate.to_owned());
            }
        }
    }
    Err(Error::new(
        "no Python 3.11 or later on PATH (tried python3, python); the Python SDK needs it",
    ))
}

pub(crate) fn require_tool(program: &str, args: &[&str], what: &str) -> Result<()> {
    let found = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        Ok(())
    } else {
        Err(Error::new(format!(
            "`{program}` not found on PATH; install {what}"
        )))
    }
}

fn expect_success(command: &mut Command, what: &str, timeout: Duration) -> Result<()> {
    let status = run_bounded(command, timeout)?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::new(format!("{what} failed ({status})")))
    }
}

/// Runs a command with inherited output; kills it when it outlives `timeout`.
pub(crate) fn run_bounded(command: &mut Command, timeout: Duration) -> Result<ExitStatus> {
    let program = command.get_program().to_string_lossy().into_owned();
    let mut child = command
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| Error::new(format!("cannot run `{program}`: {e}")))?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if started.elapsed() >= timeout => {
                stop(&mut child);
                return Err(Error::new(format!(
                    "`{program}` did not finish within {}s and was stopped",
                    timeout.as_secs()
                )));
            }
            Ok(None) => thread::sleep(Duration::from_millis(50)),
            Err(e) => {
                stop(&mut child);
                return Err(Error::new(format!("cannot wait for `{program}`: {e}")));
            }
        }
    }
}

pub(crate) fn stop(child: &mut Child) {
    // The child may have exited in the meantime; either way it is reaped.
    let _ = child.kill();
    let _ = child.wait();
}

/// One point in time every step's timeout is capped by.
pub(crate) struct Deadline(Instant);

impl Deadline {
    pub(crate) fn new(budget: Duration) -> Self {
        Deadline(Instant::now() + budget)
    }

    /// `timeout`, or less when the deadline is nearer.
    pub(crate) fn cap(&self, timeout: Duration) -> Duration {
        timeout.min(self.0.saturating_duration_since(Instant::now()))
    }
}

/// A `pluggy-emulator` process, stopped when dropped.
pub(crate) struct RunningEmulator {
    child: Child,
    pub(crate) url: String,
}

impl RunningEmulator {
    /// Starts the emulator on an ephemeral loopback port, with items syncing at
    /// `sync_delay_ms` per step and `extra` arguments, and waits for its first line.
    pub(crate) fn start(
        executable: &Path,
        deadline: &Deadline,
        sync_delay_ms: u64,
        extra: &[&std::ffi::OsStr],
    ) -> Result<Self> {
        let mut child = Command::new(executable)
            .args([
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--sync-delay-ms",
                &sync_delay_ms.to_string(),
                "--rate-limits",
                "off",
                "--allow-insecure-webhooks",
                "--client-id",
                CLIENT_ID,
                "--client-secret",
                CLIENT_SECRET,
            ])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| Error::new(format!("cannot start {}: {e}", executable.display())))?;
        let Some(stdout) = child.stdout.take() else {
            stop(&mut child);
            return Err(Error::new("the emulator's standard output is not readable"));
        };
        let (lines, first) = mpsc::channel();
        // Reads the first line, then drains the rest so the emulator never blocks on a pipe.
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let read = reader.read_line(&mut line).map(|_| line);
            let _ = lines.send(read);
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let waited = deadline.cap(START_TIMEOUT);
        let line = match first.recv_timeout(waited) {
            Ok(Ok(line)) => line,
            Ok(Err(e)) => {
                stop(&mut child);
                return Err(Error::new(format!(
                    "cannot read the emulator's output: {e}"
                )));
            }
            Err(_) => {
                stop(&mut child);
                return Err(Error::new(format!(
                    "the emulator printed no first line within {}s",
                    waited.as_secs()
                )));
            }
        };
        match listen_url(&line) {
            Ok(url) => Ok(RunningEmulator { child, url }),
            Err(e) => {
                stop(&mut child);
                Err(e)
            }
        }
    }

    pub(crate) fn stop(mut self) {
        stop(&mut self.child);
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// The base URL in the emulator's first line, `listening on http://127.0.0.1:PORT`.
fn listen_url(line: &str) -> Result<String> {
    let line = line.trim();
    let url = line.strip_prefix("listening on ").ok_or_else(|| {
        if line.is_empty() {
            Error::new("the emulator exited before printing where it listens")
        } else {
            Error::new(format!("unexpected first line from the emulator: {line:?}"))
        }
    })?;
    let port = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|p| p.parse::<u16>().ok())
        .filter(|p| *p != 0);
    match port {
        Some(_) => Ok(url.to_owned()),
        None => Err(Error::new(format!(
            "the emulator listens on {url:?}, not on a port of http://127.0.0.1"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_arguments() {
        assert_eq!(parse_args(&[]).expect("valid"), Sdk::ALL);
        assert_eq!(
            parse_args(&["python", "node", "python"]).expect("valid"),
            [Sdk::Python, Sdk::Node]
        );
        let err = parse_args(&["java"]).expect_err("unknown").to_string();
        assert!(err.contains("unknown SDK `java`"), "{err}");
    }

    #[test]
    fn reads_the_emulator_url_from_its_first_line() {
        assert_eq!(
            listen_url("listening on http://127.0.0.1:40123\n").expect("valid"),
            "http://127.0.0.1:40123"
        );
        for bad in [
            "",
            "client id: x",
            "listening on http://0.0.0.0:40123",
            "listening on http://127.0.0.1:0",
            "listening on http://127.0.0.1:port",
        ] {
            assert!(listen_url(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn finds_the_emulator_executable_in_cargo_messages() {
        let messages = r#"{"reason":"compiler-artifact","target":{"name":"pluggy_core"},"executable":null}
{"reason":"compiler-artifact","target":{"name":"pluggy-emulator"},"executable":"/w/target/debug/pluggy-emulator"}
{"reason":"build-finished","success":true}"#;
        assert_eq!(
            executable(messages, "pluggy-emulator"),
            Some(PathBuf::from("/w/target/debug/pluggy-emulator"))
        );
        assert_eq!(executable(messages, "pluggy-backend-example"), None);
        assert_eq!(executable("not json\n", "pluggy-emulator"), None);
    }

    #[test]
    fn the_summary_names_each_sdk_and_why_it_failed() {
        let text = summary(&[
            (Sdk::Node, Outcome::Passed),
            (
                Sdk::Python,
                Outcome::InstallFailed("pip install failed (exit status: 1)".into()),
            ),
        ]);
        assert_eq!(
            text,
            "compat summary:\n  node    passed\n  python  NOT RUN, install failed: \
             pip install failed (exit status: 1)"
        );
    }

    #[test]
    fn a_missing_tool_is_named_with_what_to_install() {
        let err = require_tool(
            "pluggy-compat-no-such-tool",
            &["--version"],
            "Node.js 18 or later",
        )
        .expect_err("missing")
        .to_string();
        assert_eq!(
            err,
            "`pluggy-compat-no-such-tool` not found on PATH; install Node.js 18 or later"
        );
    }

    #[test]
    fn a_command_outliving_its_timeout_is_stopped() {
        if cfg!(windows) {
            return;
        }
        let started = Instant::now();
        let err = run_bounded(Command::new("sleep").arg("30"), Duration::from_millis(200))
            .expect_err("timed out")
            .to_string();
        assert!(err.contains("did not finish within"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10));
        let status = run_bounded(&mut Command::new("true"), Duration::from_secs(10)).expect("runs");
        assert!(status.success());
    }

    #[test]
    fn deadlines_cap_timeouts() {
        let near = Deadline::new(Duration::from_secs(1));
        assert!(near.cap(Duration::from_secs(60)) <= Duration::from_secs(1));
        let far = Deadline::new(Duration::from_secs(600));
        assert_eq!(far.cap(Duration::from_secs(5)), Duration::from_secs(5));
    }
}
