//! `cargo xtask tidy`: structural rules that code review forgets. Also runs as a test, so a
//! plain `cargo test` enforces it.
//!
//! Checks: internal dependency edges point down the layer map (docs/ARCHITECTURE.md); pure
//! crates use no IO; `unsafe` is allowed only where the plugin ABI needs it; every member opts
//! into workspace lints; every module has a `//!` doc; no `#[should_panic]`; no `#[ignore]`
//! without a FIXME; no token-looking literals; `docs/PLUGIN_ABI.md` carries the ABI source
//! hash; `docs/ARCHITECTURE.md` names every crate.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Internal dependencies each crate may have (normal and build edges). Everything not listed
/// here may not depend on any workspace crate. Adding an edge is an architecture change: update
/// docs/ARCHITECTURE.md in the same commit.
const ALLOWED_EDGES: &[(&str, &[&str])] = &[
    ("nemo-protocol", &[]),
    ("nemo-plugin-abi", &[]),
    ("nemo-plugin-sdk", &["nemo-plugin-abi"]),
    ("nemo-plugin-clawhub", &["nemo-plugin-sdk"]),
    ("nemo-plugin-cursor", &["nemo-plugin-sdk"]),
    ("nemo-plugin-unknown", &["nemo-plugin-sdk"]),
    (
        "nemo-plugin-panicky",
        &["nemo-plugin-sdk", "nemo-plugin-abi"],
    ),
    (
        "nemo-plugin-wrongabi",
        &["nemo-plugin-sdk", "nemo-plugin-abi"],
    ),
    ("nemo-plugin-noentry", &[]),
    ("nemo-draft", &["nemo-protocol"]),
    ("nemo-router", &["nemo-protocol"]),
    ("nemo-translator", &["nemo-protocol", "nemo-draft"]),
    ("nemo-render-poller", &["nemo-protocol"]),
    ("nemo-analysis", &[]),
    ("nemo-mix", &[]),
    ("nemo-music", &["nemo-mix"]),
    ("nemo-media", &["nemo-protocol", "nemo-draft"]),
    ("nemo-config", &["nemo-protocol"]),
    (
        "nemo-client",
        &[
            "nemo-protocol",
            "nemo-draft",
            "nemo-render-poller",
            "nemo-config",
        ],
    ),
    (
        "nemo-plugin-host",
        &["nemo-plugin-abi", "nemo-plugin-sdk", "nemo-plugin-unknown"],
    ),
    (
        "nemo-engine",
        &[
            "nemo-protocol",
            "nemo-draft",
            "nemo-media",
            "nemo-music",
            "nemo-mix",
            "nemo-analysis",
            "nemo-router",
            "nemo-translator",
        ],
    ),
    (
        "nemo-test-support",
        &["nemo-protocol", "nemo-engine", "nemo-client"],
    ),
    (
        "nemo-host",
        &[
            "nemo-protocol",
            "nemo-router",
            "nemo-translator",
            "nemo-draft",
            "nemo-render-poller",
            "nemo-client",
            "nemo-config",
            "nemo-plugin-host",
            "nemo-engine",
            "nemo-media",
            "nemo-music",
            "nemo-mix",
            "nemo-analysis",
        ],
    ),
    (
        "xtask",
        &[
            "nemo-protocol",
            "nemo-client",
            "nemo-engine",
            "nemo-config",
            // `fixtures`: the recording format, recorder and scenarios; lavfi test clips.
            "nemo-test-support",
            "nemo-media",
        ],
    ),
    ("nemo-tests", &[]),
];

/// Sans-IO crates: no runtime, network, dynamic loading, config or database crates.
const PURE_CRATES: &[&str] = &[
    "nemo-protocol",
    "nemo-router",
    "nemo-translator",
    "nemo-draft",
    "nemo-render-poller",
    "nemo-analysis",
    "nemo-music",
    "nemo-mix",
    "nemo-plugin-abi",
];
const BANNED_IN_PURE: &[&str] = &[
    "tokio",
    "reqwest",
    "libloading",
    "figment",
    "sqlx",
    "axum",
    "object_store",
    "hyper",
    "which",
];
const BANNED_PATHS_IN_PURE: &[&str] =
    &["std::fs", "std::env", "std::process", "std::net", "tokio::"];

/// Files that may carry `allow(unsafe_code)`: the host's loader and the SDK's export macro.
const UNSAFE_ALLOWED: &[&str] = &[
    "crates/nemo-plugin-host/src/dylib.rs",
    "crates/nemo-plugin-sdk/src/",
];

pub(crate) fn run(root: &Path) -> Result<()> {
    let mut problems = String::new();
    let metadata = cargo_metadata(root)?;
    check_edges(&metadata, &mut problems);
    check_manifests(&metadata, &mut problems);
    let sources = rust_sources(root)?;
    for file in &sources {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let rel = file
            .strip_prefix(root)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/");
        check_source(&rel, &text, &mut problems);
    }
    check_secrets(root, &mut problems)?;
    check_docs(root, &metadata, &mut problems);
    if problems.is_empty() {
        eprintln!("tidy: ok ({} source files)", sources.len());
        Ok(())
    } else {
        bail!("tidy found problems:\n{problems}")
    }
}

fn cargo_metadata(root: &Path) -> Result<Value> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(root)
        .output()
        .context("running cargo metadata")?;
    if !out.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

fn packages(metadata: &Value) -> impl Iterator<Item = &Value> {
    metadata["packages"].as_array().into_iter().flatten()
}

fn check_edges(metadata: &Value, problems: &mut String) {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED_EDGES.iter().copied().collect();
    let members: Vec<&str> = packages(metadata)
        .filter_map(|p| p["name"].as_str())
        .collect();
    for package in packages(metadata) {
        let name = package["name"].as_str().unwrap_or_default();
        let Some(allow) = allowed.get(name) else {
            let _ = writeln!(
                problems,
                "- {name}: not in tidy's ALLOWED_EDGES table (add its layer)"
            );
            continue;
        };
        for dep in package["dependencies"].as_array().into_iter().flatten() {
            let dep_name = dep["name"].as_str().unwrap_or_default();
            let is_dev = dep["kind"].as_str() == Some("dev");
            let internal = members.contains(&dep_name);
            if internal && !is_dev && !allow.contains(&dep_name) {
                let _ = writeln!(
                    problems,
                    "- {name} -> {dep_name}: dependency edge not allowed by the layer map"
                );
            }
            if internal && is_dev && matches!(dep_name, "nemo-host" | "xtask") {
                let _ = writeln!(
                    problems,
                    "- {name} -> {dep_name}: nothing depends on the binaries"
                );
            }
            if !is_dev && PURE_CRATES.contains(&name) && BANNED_IN_PURE.contains(&dep_name) {
                let _ = writeln!(problems, "- {name} is sans-IO but depends on `{dep_name}`");
            }
        }
    }
}

fn check_manifests(metadata: &Value, problems: &mut String) {
    for package in packages(metadata) {
        let manifest = package["manifest_path"].as_str().unwrap_or_default();
        let text = std::fs::read_to_string(manifest).unwrap_or_default();
        if !text.contains("[lints]\nworkspace = true") {
            let _ = writeln!(problems, "- {manifest}: missing `[lints] workspace = true`");
        }
    }
}

fn rust_sources(root: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for top in ["crates", "plugins", "xtask", "tests"] {
        collect_rs(&root.join(top), &mut out)?;
    }
    out.sort();
    Ok(out)
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if path.is_dir() {
            if !matches!(name, "target" | "fixtures" | "snapshots") {
                collect_rs(&path, out)?;
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

fn check_source(rel: &str, text: &str, problems: &mut String) {
    let is_test_file = rel.ends_with("/tests.rs") || rel.starts_with("tests/it/");
    if !is_test_file && !text.trim_start().starts_with("//!") {
        let _ = writeln!(problems, "- {rel}: module has no `//!` doc comment");
    }
    if text.contains("allow(unsafe_code)")
        && !UNSAFE_ALLOWED.iter().any(|a| rel.starts_with(a))
        && !rel.starts_with("xtask/")
    {
        let _ = writeln!(
            problems,
            "- {rel}: `allow(unsafe_code)` outside the plugin loader and SDK"
        );
    }
    if text.contains("#[should_panic") && !rel.starts_with("xtask/") {
        let _ = writeln!(
            problems,
            "- {rel}: `#[should_panic]` test (assert on a Result instead)"
        );
    }
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("#[ignore")
            && !text
                .lines()
                .nth(i.saturating_sub(1))
                .unwrap_or_default()
                .contains("FIXME")
        {
            let _ = writeln!(
                problems,
                "- {rel}:{}: `#[ignore]` without a FIXME comment above it",
                i + 1
            );
        }
    }
    check_pure_source(rel, text, problems);
}

/// Library code of pure crates must not touch the file system, environment, processes or
/// the network. Test code (after the first `#[cfg(test)]`, or in `tests.rs`) may.
fn check_pure_source(rel: &str, text: &str, problems: &mut String) {
    let Some(krate) = rel
        .strip_prefix("crates/")
        .and_then(|r| r.split('/').next())
    else {
        return;
    };
    if !PURE_CRATES.contains(&krate) || rel.ends_with("/tests.rs") || rel.contains("/tests/") {
        return;
    }
    let library_part = text.split("#[cfg(test)]").next().unwrap_or_default();
    for banned in BANNED_PATHS_IN_PURE {
        if library_part.contains(banned) {
            let _ = writeln!(problems, "- {rel}: sans-IO crate uses `{banned}`");
        }
    }
}

/// Literal tokens must never be committed: `nmv_usr_`/`clm_` followed by a long random tail.
fn check_secrets(root: &Path, problems: &mut String) -> Result<()> {
    let mut files = rust_sources(root)?;
    for dir in ["tests/fixtures", "tests/it/snapshots", "docs"] {
        collect_all(&root.join(dir), &mut files)?;
    }
    collect_snapshots(root, &mut files)?;
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for prefix in ["nmv_usr_", "clm_"] {
            for (pos, _) in text.match_indices(prefix) {
                let tail: String = text[pos + prefix.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                if tail.len() >= 16 && !is_placeholder(&tail) {
                    let rel = file
                        .strip_prefix(root)
                        .unwrap_or(&file)
                        .display()
                        .to_string();
                    let _ = writeln!(
                        problems,
                        "- {rel}: token-looking literal `{prefix}…` (use a placeholder)"
                    );
                }
            }
        }
    }
    Ok(())
}

/// Test tokens say what they are (`...TESTtokenDoNotLeak...`, `...xxxxxxxx`); a committed
/// literal without such a marker might be a real token.
fn is_placeholder(tail: &str) -> bool {
    const MARKERS: [&str; 9] = [
        "test",
        "secret",
        "leak",
        "fake",
        "example",
        "dummy",
        "placeholder",
        "not-a-real",
        "12345678",
    ];
    let lower = tail.to_ascii_lowercase();
    lower.chars().all(|c| c == 'x')
        || lower.ends_with("xxxx")
        || MARKERS.iter().any(|m| lower.contains(m))
}

fn collect_all(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_all(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

fn collect_snapshots(root: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut all = Vec::new();
    collect_all(&root.join("crates"), &mut all)?;
    collect_all(&root.join("plugins"), &mut all)?;
    out.extend(
        all.into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "snap" || e == "new")),
    );
    Ok(())
}

fn check_docs(root: &Path, metadata: &Value, problems: &mut String) {
    let architecture =
        std::fs::read_to_string(root.join("docs/ARCHITECTURE.md")).unwrap_or_default();
    for package in packages(metadata) {
        let name = package["name"].as_str().unwrap_or_default();
        if !architecture.contains(name) {
            let _ = writeln!(
                problems,
                "- docs/ARCHITECTURE.md does not mention crate `{name}`"
            );
        }
    }
    let abi_src = root.join("crates/nemo-plugin-abi/src/lib.rs");
    if let Ok(bytes) = std::fs::read(&abi_src) {
        let hash = hex::encode(Sha256::digest(&bytes));
        let doc = std::fs::read_to_string(root.join("docs/PLUGIN_ABI.md")).unwrap_or_default();
        if !doc.contains(&hash) {
            let _ = writeln!(
                problems,
                "- docs/PLUGIN_ABI.md is stale: the ABI source changed (expected hash {hash}); review the doc and update the hash"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tidy_passes() {
        super::run(&crate::project_root()).unwrap();
    }
}
