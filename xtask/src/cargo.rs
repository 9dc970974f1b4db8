//! Running cargo from xtask.

use std::ffi::OsString;
use std::process::Command;

/// A command running the cargo that runs us (`CARGO`, else `cargo` from `PATH`), without the
/// variables cargo set for the xtask binary itself.
pub fn command() -> Command {
    let mut command =
        Command::new(std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo")));
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(is_package_var) {
            command.env_remove(&name);
        }
    }
    command
}

/// Whether `name` is one of the variables cargo sets for the xtask binary itself (its package
/// name, version, manifest). Passed on to the nested cargo they would look like a changed
/// environment to build scripts that watch them (ring's does) and force a rebuild.
fn is_package_var(name: &str) -> bool {
    name.starts_with("CARGO_PKG_")
        || name.starts_with("CARGO_MANIFEST_")
        || matches!(
            name,
            "CARGO_CRATE_NAME" | "CARGO_BIN_NAME" | "CARGO_PRIMARY_PACKAGE"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_only_the_variables_of_the_xtask_package() {
        for name in ["CARGO_PKG_NAME", "CARGO_MANIFEST_DIR", "CARGO_CRATE_NAME"] {
            assert!(is_package_var(name), "{name}");
        }
        for name in [
            "CARGO",
            "CARGO_HOME",
            "CARGO_TARGET_DIR",
            "RUSTFLAGS",
            "PATH",
        ] {
            assert!(!is_package_var(name), "{name}");
        }
    }
}
