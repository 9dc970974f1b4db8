//! `cargo xtask ci`: every check CI runs, in order, stopping at the first failure.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{Error, Result, browser, codegen, compat};

/// Crates the sans-IO core must never depend on (by name prefix).
const CORE_FORBIDDEN: &[&str] = &["tokio", "hyper", "ureq", "rustls"];
/// Crates the blocking driver must never depend on (by name prefix).
const BLOCKING_FORBIDDEN: &[&str] = &["tokio"];

struct Step {
    name: &'static str,
    run: fn(&Path) -> Result<()>,
}

const STEPS: &[Step] = &[
    Step {
        name: "format",
        run: |root| cargo(root, &["fmt", "--all", "--", "--check"], &[]),
    },
    Step {
        name: "clippy",
        run: |root| {
            cargo(
                root,
                &[
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ],
                &[],
            )
        },
    },
    Step {
        name: "codegen check",
        run: codegen::check,
    },
    Step {
        name: "tests",
        run: |root| cargo(root, &["test", "--workspace"], &[]),
    },
    Step {
        name: "feature matrix",
        run: feature_matrix,
    },
    Step {
        name: "dependency guard",
        run: dependency_guard,
    },
    Step {
        name: "docs",
        run: |root| {
            cargo(
                root,
                &["doc", "--workspace", "--no-deps"],
                &[("RUSTDOCFLAGS", "-D warnings")],
            )
        },
    },
    Step {
        name: "official SDKs",
        run: |root| compat::run(root, &compat::Sdk::ALL),
    },
    Step {
        name: "browser",
        run: browser::run,
    },
    Step {
        name: "cargo deny",
        run: |root| cargo(root, &["deny", "check", "bans", "licenses", "sources"], &[]),
    },
];

/// Runs every step; the error names the step that failed.
pub fn run(root: &Path) -> Result<()> {
    let started = Instant::now();
    for (i, step) in STEPS.iter().enumerate() {
        println!("\n==> [{}/{}] {}", i + 1, STEPS.len(), step.name);
        let step_started = Instant::now();
        let outcome = (step.run)(root);
        let took = seconds(step_started.elapsed());
        match outcome {
            Ok(()) => println!("<== {} passed in {took}", step.name),
            Err(e) => {
                return Err(Error::new(format!(
                    "CI step `{}` failed after {took}: {e}",
                    step.name
                )));
            }
        }
    }
    println!(
        "\nCI passed: {} steps in {}",
        STEPS.len(),
        seconds(started.elapsed())
    );
    Ok(())
}

fn seconds(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

fn cargo_command(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = crate::cargo::command();
    command.args(args).current_dir(root);
    for (key, value) in env {
        command.env(key, value);
    }
    command
}

fn describe(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut text = String::new();
    for (key, value) in env {
        text.push_str(&format!("{key}=\"{value}\" "));
    }
    text.push_str("cargo ");
    text.push_str(&args.join(" "));
    text
}

/// Runs cargo with inherited output; fails on a non-zero exit.
fn cargo(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<()> {
    let shown = describe(args, env);
    println!("$ {shown}");
    let status = cargo_command(root, args, env)
        .status()
        .map_err(|e| Error::new(format!("cannot run `{shown}`: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::new(format!("`{shown}` failed ({status})")))
    }
}

/// Runs cargo and returns its standard output; its standard error is shown.
fn cargo_output(root: &Path, args: &[&str]) -> Result<String> {
    let shown = describe(args, &[]);
    println!("$ {shown}");
    let output = cargo_command(root, args, &[])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Error::new(format!("cannot run `{shown}`: {e}")))?;
    if !output.status.success() {
        return Err(Error::new(format!("`{shown}` failed ({})", output.status)));
    }
    String::from_utf8(output.stdout)
        .map_err(|_| Error::new(format!("`{shown}` printed something that is not UTF-8")))
}

/// Checks every workspace crate that has features without its default features and with them.
fn feature_matrix(root: &Path) -> Result<()> {
    let metadata = cargo_output(root, &["metadata", "--no-deps", "--format-version", "1"])?;
    let crates = crates_with_features(&metadata)?;
    if crates.is_empty() {
        println!("no workspace crate has features");
    }
    for name in &crates {
        cargo(
            root,
            &[
                "check",
                "-p",
                name,
                "--no-default-features",
                "--all-targets",
            ],
            &[],
        )?;
        cargo(root, &["check", "-p", name, "--all-targets"], &[])?;
    }
    Ok(())
}

/// The names of the packages in `cargo metadata` output that declare features, sorted.
fn crates_with_features(metadata: &str) -> Result<Vec<String>> {
    let doc: Value = serde_json::from_str(metadata)
        .map_err(|e| Error::new(format!("`cargo metadata` printed invalid JSON: {e}")))?;
    let packages = doc
        .get("packages")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::new("`cargo metadata` printed no `packages` list"))?;
    let mut names = BTreeSet::new();
    for package in packages {
        let has_features = package
            .get("features")
            .and_then(Value::as_object)
            .is_some_and(|features| !features.is_empty());
        if has_features {
            if let Some(name) = package.get("name").and_then(Value::as_str) {
                names.insert(name.to_owned());
            }
        }
    }
    Ok(names.into_iter().collect())
}

/// Fails when the core or the blocking driver pulls in a crate it must not depend on.
fn dependency_guard(root: &Path) -> Result<()> {
    for (package, forbidden) in [
        ("pluggy-core", CORE_FORBIDDEN),
        ("pluggy-blocking", BLOCKING_FORBIDDEN),
    ] {
        let tree = cargo_output(
            root,
            &[
                "tree", "-p", package, "-e", "normal", "--target", "all", "--prefix", "none",
            ],
        )?;
        let found = forbidden_crates(&tree, forbidden);
        if !found.is_empty() {
            return Err(Error::new(format!(
                "{package} depends on {} (forbidden: any crate named {}*)",
                found.join(", "),
                forbidden.join("*, ")
            )));
        }
        println!(
            "{package}: none of {} in its normal dependencies",
            forbidden.join(", ")
        );
    }
    Ok(())
}

/// The crates of a `cargo tree --prefix none` listing whose names start with a forbidden
/// prefix, sorted and without repeats.
fn forbidden_crates(tree: &str, prefixes: &[&str]) -> Vec<String> {
    let found: BTreeSet<&str> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| prefixes.iter().any(|prefix| name.starts_with(prefix)))
        .collect();
    found.into_iter().map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_forbidden_crates_by_prefix() {
        let tree = "pluggy-core v0.1.0 (/w/crates/pluggy-core)\nserde v1.0.0\n\
                    hyper-util v0.1.0\ntokio v1.0.0\ntokio v1.0.0 (*)\nrustls-pki-types v1.0.0\n";
        assert_eq!(
            forbidden_crates(tree, CORE_FORBIDDEN),
            ["hyper-util", "rustls-pki-types", "tokio"]
        );
        assert!(
            forbidden_crates("pluggy-blocking v0.1.0\nureq v3.0.0\n", BLOCKING_FORBIDDEN)
                .is_empty()
        );
    }

    #[test]
    fn lists_only_crates_that_declare_features() {
        let metadata = r#"{"packages": [
            {"name": "pluggy-core", "features": {}},
            {"name": "pluggy-blocking", "features": {"default": ["ureq"], "ureq": []}},
            {"name": "pluggy-async", "features": {"default": ["hyper"], "hyper": []}}
        ]}"#;
        assert_eq!(
            crates_with_features(metadata).expect("valid"),
            ["pluggy-async", "pluggy-blocking"]
        );
        assert!(crates_with_features("not json").is_err());
    }

    #[test]
    fn steps_run_cheapest_first_and_end_with_the_licence_audit() {
        let names: Vec<&str> = STEPS.iter().map(|s| s.name).collect();
        assert_eq!(
            names,
            [
                "format",
                "clippy",
                "codegen check",
                "tests",
                "feature matrix",
                "dependency guard",
                "docs",
                "official SDKs",
                "browser",
                "cargo deny"
            ]
        );
    }
}
