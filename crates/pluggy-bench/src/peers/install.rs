//! Installs the Node tools under `target/peers/`: exactly `bench/peers/package-lock.json`,
//! through `npm ci`, again only when the lock file changed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::Paths;
use super::process::{self, Guard};

/// Longest wait for `npm ci`.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(300);
/// Longest wait for `node --version` or `npm --version`.
const VERSION_TIMEOUT: Duration = Duration::from_secs(30);
/// The files copied from `bench/peers/` to `target/peers/`.
const FILES: &[&str] = &["package.json", "package-lock.json", "fetch-item.js"];

/// The installed tools.
#[derive(Clone, Debug)]
pub struct Tools {
    /// `target/peers/`.
    pub dir: PathBuf,
    /// The Node.js executable.
    pub node: PathBuf,
}

impl Tools {
    /// The script that loads the official SDK.
    pub fn fetch_item_script(&self) -> PathBuf {
        self.dir.join("fetch-item.js")
    }

    /// Prism's command-line entry point.
    pub fn prism(&self) -> PathBuf {
        self.dir
            .join("node_modules")
            .join("@stoplight")
            .join("prism-cli")
            .join("dist")
            .join("index.js")
    }
}

/// The tools, installed if needed; otherwise the line that says why the peers are skipped.
pub fn ensure(paths: &Paths) -> Result<Tools, String> {
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    for (tool, what) in [("node", "Node.js 18.20 or later"), (npm, "npm")] {
        version(tool)
            .map_err(|why| format!("{what} is not usable ({why}); install it to run the peers"))?;
    }
    std::fs::create_dir_all(&paths.install)
        .map_err(|e| format!("cannot create {}: {e}", paths.install.display()))?;
    let source_lock = read(&paths.source.join("package-lock.json"))?;
    let installed_lock = std::fs::read_to_string(paths.install.join("package-lock.json")).ok();
    let marker = paths
        .install
        .join("node_modules")
        .join(".package-lock.json");
    for file in FILES {
        let (from, to) = (paths.source.join(file), paths.install.join(file));
        std::fs::copy(&from, &to)
            .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))?;
    }
    if installed_lock.as_deref() != Some(source_lock.as_str()) || !marker.is_file() {
        crate::progress(&format!("peers: npm ci in {}", paths.install.display()));
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
        .current_dir(&paths.install);
        let log = paths.install.join("npm-ci.log");
        process::run_to_end(&mut ci, "npm ci", &log, INSTALL_TIMEOUT)
            .map_err(|e| format!("the pinned Node tools could not be installed: {e}"))?;
    }
    Ok(Tools {
        dir: paths.install.clone(),
        node: PathBuf::from("node"),
    })
}

/// Runs `tool --version`, bounded; why it failed if it did.
fn version(tool: &str) -> Result<(), String> {
    let log = std::env::temp_dir().join(format!(
        "pluggy-bench-{}-{tool}-version.log",
        std::process::id()
    ));
    let mut command = Command::new(tool);
    command.arg("--version");
    let mut guard = Guard::spawn(&mut command, tool, &log).map_err(|e| e.to_string())?;
    let status = guard.wait(VERSION_TIMEOUT).map_err(|e| e.to_string())?;
    drop(guard);
    let _ = std::fs::remove_file(&log);
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{tool} --version` failed ({status})"))
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}
