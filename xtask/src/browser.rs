//! `cargo xtask browser`: Pluggy Connect in a real browser. Runs `compat/browser/browser.js`
//! (puppeteer-core driving headless Chromium) against a freshly started emulator that serves
//! the Connect widget as the official `pluggy-connect-sdk`'s zoid child (`--connect-zoid`,
//! the `dist/zoid.frame.js` that `npm ci` installs), through the drop-in script and as the
//! standalone page; and the page of the backend example (`examples/backend`, started on an
//! ephemeral port against the same emulator), end to end.
//!
//! Chromium is not downloaded: the step uses `$CHROMIUM`, else `/usr/bin/chromium` (Debian's
//! `chromium` package, which `.ci/run` installs), and fails naming the package when neither
//! exists. Screenshots of every screen land in `target/browser-screenshots/`. Everything after
//! the emulator build shares one deadline.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::compat::{self, Deadline, RunningEmulator};
use crate::{Error, Result};

/// Time for everything after the emulator build: `npm ci`, the emulator and the browser.
const TOTAL_BUDGET: Duration = Duration::from_secs(170);
/// Longest run of `browser.js` (it bounds each of its own waits and cases too).
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(150);
/// Delay between two steps of an item's sync: small, but enough for the syncing screen.
const SYNC_DELAY_MS: u64 = 100;
/// Longest wait for the backend example's first line.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// Where Debian's `chromium` package puts the browser.
const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";

/// Builds the emulator, installs `compat/browser`'s pinned packages and runs the browser cases.
pub fn run(root: &Path) -> Result<()> {
    let chromium = chromium(std::env::var_os("CHROMIUM"))?;
    let emulator = compat::build_emulator(root)?;
    let backend = compat::build_binary(root, "pluggy-backend-example", "pluggy-backend-example")?;
    let deadline = Deadline::new(TOTAL_BUDGET);
    let started = Instant::now();
    let dir = root.join("compat").join("browser");
    compat::npm_ci(&dir, &deadline)?;
    let zoid = dir
        .join("node_modules")
        .join("zoid")
        .join("dist")
        .join("zoid.frame.js");
    if !zoid.is_file() {
        return Err(Error::new(format!(
            "{} is missing after npm ci",
            zoid.display()
        )));
    }
    let running = RunningEmulator::start(
        &emulator,
        &deadline,
        SYNC_DELAY_MS,
        &[OsStr::new("--connect-zoid"), zoid.as_os_str()],
    )?;
    println!("emulator at {}", running.url);
    let example = match Backend::start(&backend, &running.url, &deadline) {
        Ok(example) => example,
        Err(e) => {
            running.stop();
            return Err(e);
        }
    };
    println!("backend example at {}", example.url);
    let shots = compat::target_dir(root).join("browser-screenshots");
    let mut script = std::process::Command::new("node");
    script
        .arg("browser.js")
        .current_dir(&dir)
        .env("PLUGGY_API_URL", &running.url)
        .env("PLUGGY_CLIENT_ID", compat::CLIENT_ID)
        .env("PLUGGY_CLIENT_SECRET", compat::CLIENT_SECRET)
        .env("CHROMIUM", &chromium)
        .env("SCREENSHOT_DIR", &shots)
        .env("BACKEND_URL", &example.url)
        .env("NO_PROXY", compat::loopback_no_proxy("NO_PROXY"))
        .env("no_proxy", compat::loopback_no_proxy("no_proxy"));
    let status = compat::run_bounded(&mut script, deadline.cap(SCRIPT_TIMEOUT));
    example.stop();
    running.stop();
    let status = status?;
    println!(
        "browser cases took {:.1}s (npm ci included)",
        started.elapsed().as_secs_f64()
    );
    if status.success() {
        Ok(())
    } else {
        Err(Error::new(format!(
            "the browser cases failed ({status}); screenshots in {}",
            shots.display()
        )))
    }
}

/// The backend example (`pluggy-backend-example`), stopped when dropped.
struct Backend {
    child: Child,
    url: String,
}

impl Backend {
    /// Starts it on an ephemeral port of 127.0.0.1 against the emulator at `emulator` (with
    /// the emulator's client), and waits for its first line, `listening on 127.0.0.1:PORT`.
    fn start(executable: &Path, emulator: &str, deadline: &Deadline) -> Result<Self> {
        let mut child = Command::new(executable)
            .env("PLUGGY_BASE_URL", emulator)
            .env("PLUGGY_CLIENT_ID", compat::CLIENT_ID)
            .env("PLUGGY_CLIENT_SECRET", compat::CLIENT_SECRET)
            .env("HOST", "127.0.0.1")
            .env("PORT", "0")
            .env_remove("PUBLIC_URL")
            .env_remove("WEBHOOK_SECRET")
            .env("NO_PROXY", compat::loopback_no_proxy("NO_PROXY"))
            .env("no_proxy", compat::loopback_no_proxy("no_proxy"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| Error::new(format!("cannot start {}: {e}", executable.display())))?;
        let Some(stdout) = child.stdout.take() else {
            compat::stop(&mut child);
            return Err(Error::new("the backend example's output is not readable"));
        };
        let (lines, first) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let read = reader.read_line(&mut line).map(|_| line);
            let _ = lines.send(read);
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let waited = deadline.cap(START_TIMEOUT);
        let line = first.recv_timeout(waited);
        match line.as_ref().map(|l| l.as_deref().map(backend_url)) {
            Ok(Ok(Some(url))) => Ok(Backend { child, url }),
            other => {
                compat::stop(&mut child);
                Err(Error::new(match other {
                    Ok(Ok(_)) => {
                        format!("unexpected first line from the backend example: {line:?}")
                    }
                    Ok(Err(e)) => format!("cannot read the backend example's output: {e}"),
                    Err(_) => format!(
                        "the backend example printed no first line within {}s",
                        waited.as_secs()
                    ),
                }))
            }
        }
    }

    fn stop(mut self) {
        compat::stop(&mut self.child);
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        compat::stop(&mut self.child);
    }
}

/// `http://127.0.0.1:PORT` from the backend example's `listening on 127.0.0.1:PORT`.
fn backend_url(line: &str) -> Option<String> {
    let addr = line.trim().strip_prefix("listening on 127.0.0.1:")?;
    let port: u16 = addr.parse().ok().filter(|p| *p != 0)?;
    Some(format!("http://127.0.0.1:{port}"))
}

/// The Chromium to drive: `$CHROMIUM` when set, else Debian's `/usr/bin/chromium`.
fn chromium(from_env: Option<std::ffi::OsString>) -> Result<PathBuf> {
    let (path, source) = match from_env.filter(|v| !v.is_empty()) {
        Some(v) => (PathBuf::from(v), "$CHROMIUM"),
        None => (PathBuf::from(DEFAULT_CHROMIUM), "the default"),
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(Error::new(format!(
            "no Chromium at {} ({source}); install Debian's chromium package \
             (apt-get install -y chromium, as .ci/run does) or set CHROMIUM to a \
             Chromium or Chrome executable",
            path.display()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_chromium_names_the_package_to_install() {
        let err = chromium(Some("/nonexistent/chromium".into()))
            .expect_err("missing")
            .to_string();
        assert!(
            err.contains("no Chromium at /nonexistent/chromium ($CHROMIUM)"),
            "{err}"
        );
        assert!(err.contains("apt-get install -y chromium"), "{err}");
    }

    #[test]
    fn reads_the_backend_example_address() {
        assert_eq!(
            backend_url("listening on 127.0.0.1:40123\n").as_deref(),
            Some("http://127.0.0.1:40123")
        );
        for bad in [
            "",
            "listening on 0.0.0.0:1",
            "listening on 127.0.0.1:0",
            "x",
        ] {
            assert_eq!(backend_url(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn an_empty_chromium_variable_means_the_default() {
        match chromium(Some("".into())) {
            Ok(path) => assert_eq!(path, PathBuf::from(DEFAULT_CHROMIUM)),
            Err(e) => assert!(e.to_string().contains("(the default)"), "{e}"),
        }
    }
}
