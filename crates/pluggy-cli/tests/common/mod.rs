//! Runs the built `pluggy` binary, and `pluggy emulator` in the background.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::{Child, ChildStderr, ChildStdout, Command, Output, Stdio};

/// The binary under test.
pub const PLUGGY: &str = env!("CARGO_BIN_EXE_pluggy");

/// A finished run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Self {
        Self {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Panics with the whole output unless the exit code is `code`.
    pub fn expect_code(self, code: i32) -> Self {
        assert_eq!(
            self.code,
            Some(code),
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// Standard output as one JSON document per line.
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect()
    }

    /// Standard output as one JSON document.
    pub fn json(&self) -> serde_json::Value {
        let lines = self.json_lines();
        assert_eq!(
            lines.len(),
            1,
            "one JSON document expected: {}",
            self.stdout
        );
        lines.into_iter().next().unwrap_or_default()
    }
}

/// A command for the binary with a clean environment (no PLUGGY_* from the caller).
pub fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(PLUGGY);
    cmd.args(args)
        .env_remove("PLUGGY_BASE_URL")
        .env_remove("PLUGGY_CLIENT_ID")
        .env_remove("PLUGGY_CLIENT_SECRET")
        .stdin(Stdio::null());
    cmd
}

/// Runs the binary to the end.
pub fn pluggy(args: &[&str]) -> Run {
    Run::from(command(args).output().expect("run pluggy"))
}

/// Runs the binary with these environment variables and this standard input.
pub fn pluggy_with(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Run {
    let mut cmd = command(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn pluggy");
    if let Some(mut input) = child.stdin.take() {
        // The command may stop reading early (an input it refuses): a broken pipe then.
        let _ = input.write_all(stdin.as_bytes());
    }
    Run::from(child.wait_with_output().expect("wait pluggy"))
}

/// A port nothing listens on.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// A background child process, killed when dropped.
pub struct Background {
    child: Child,
    pub stdout: BufReader<ChildStdout>,
    pub stderr: BufReader<ChildStderr>,
}

impl Background {
    /// Spawns the binary with piped standard output.
    pub fn spawn(args: &[&str]) -> Self {
        let mut child = command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn pluggy");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let stderr = BufReader::new(child.stderr.take().expect("stderr"));
        Self {
            child,
            stdout,
            stderr,
        }
    }

    /// The next line of standard output.
    pub fn line(&mut self) -> String {
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("read a line");
        line
    }

    /// The next line of standard error.
    pub fn stderr_line(&mut self) -> String {
        let mut line = String::new();
        self.stderr.read_line(&mut line).expect("read a line");
        line
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `pluggy emulator` on a free port, quick syncs, no rate limits.
pub struct EmulatorProcess {
    _process: Background,
    pub url: String,
}

impl EmulatorProcess {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// The same, with more `pluggy emulator` flags.
    pub fn start_with(flags: &[&str]) -> Self {
        let mut args = vec![
            "emulator",
            "--port",
            "0",
            "--sync-delay-ms",
            "0",
            "--no-rate-limits",
        ];
        args.extend_from_slice(flags);
        let mut process = Background::spawn(&args);
        let first = process.line();
        let url = first
            .trim()
            .rsplit(' ')
            .next()
            .filter(|u| u.starts_with("http://"))
            .unwrap_or_else(|| panic!("unexpected first line: {first:?}"))
            .to_owned();
        Self {
            _process: process,
            url,
        }
    }
}
