//! `cargo xtask dist` and `cargo xtask release`.
//!
//! We assemble archives ourselves (rust-analyzer style) instead of cargo-dist: cargo-dist's
//! cdylib packaging is still experimental and installs libraries next to the binary on PATH.

use std::path::Path;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use xshell::{Shell, cmd};

/// Builds `nemo` and the shipped plugins in release mode into
/// `target/dist/nemo-<version>-<target>.tar.gz` plus `SHA256SUMS`.
pub(crate) fn dist(sh: &Shell) -> Result<()> {
    let version = workspace_version()?;
    let triple = host_triple(sh)?;
    cmd!(sh, "cargo build --release --locked -p nemo-host").run()?;
    let plugins = crate::plugins::build(sh, true)?;
    let target = crate::target_dir(sh);
    let name = format!("nemo-{version}-{triple}");
    let stage = target.join("dist").join(&name);
    if stage.exists() {
        std::fs::remove_dir_all(&stage)?;
    }
    std::fs::create_dir_all(stage.join("plugins"))?;
    std::fs::copy(target.join("release/nemo"), stage.join("nemo")).context("copying nemo")?;
    for plugin in &plugins {
        let file = plugin.file_name().context("plugin has no file name")?;
        std::fs::copy(plugin, stage.join("plugins").join(file))?;
    }
    let root = crate::project_root();
    for doc in ["README.md", "docs/PLUGIN_ABI.md"] {
        let from = root.join(doc);
        if from.exists() {
            std::fs::copy(&from, stage.join(from.file_name().context("doc name")?))?;
        }
    }
    let dist_dir = target.join("dist");
    let archive = format!("{name}.tar.gz");
    {
        let _dir = sh.push_dir(&dist_dir);
        cmd!(sh, "tar -czf {archive} {name}").run()?;
    }
    let sums = sha256_line(&dist_dir.join(&archive))?;
    std::fs::write(dist_dir.join("SHA256SUMS"), &sums)?;
    println!("{}", dist_dir.join(&archive).display());
    print!("{sums}");
    Ok(())
}

fn sha256_line(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path)?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    Ok(format!("{}  {name}\n", hex::encode(Sha256::digest(&bytes))))
}

fn host_triple(sh: &Shell) -> Result<String> {
    let verbose = cmd!(sh, "rustc -vV").read()?;
    verbose
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_owned)
        .context("rustc -vV printed no host triple")
}

fn workspace_version() -> Result<String> {
    let manifest = std::fs::read_to_string(crate::project_root().join("Cargo.toml"))?;
    version_in(&manifest).context("no version in [workspace.package]")
}

fn version_in(manifest: &str) -> Option<String> {
    let package = manifest.split("[workspace.package]").nth(1)?;
    let line = package
        .lines()
        .find(|l| l.trim_start().starts_with("version"))?;
    Some(line.split('"').nth(1)?.to_owned())
}

/// Bumps `[workspace.package].version`, checks the tree is clean, commits and tags `vX.Y.Z`.
/// Building and publishing the archives is `cargo xtask dist`.
pub(crate) fn release(sh: &Shell, version: &str, dry_run: bool) -> Result<()> {
    if !is_semver(version) {
        bail!("release version must look like 1.2.3, got `{version}`");
    }
    let current = workspace_version()?;
    let dirty = cmd!(sh, "git status --porcelain").read()?;
    println!(
        "release: {current} -> {version}{}",
        if dry_run { " (dry run)" } else { "" }
    );
    if !dirty.trim().is_empty() {
        if dry_run {
            println!("would refuse: the working tree has uncommitted changes");
        } else {
            bail!("the working tree has uncommitted changes; commit or stash them first");
        }
    }
    let tag = format!("v{version}");
    if dry_run {
        println!(
            "would set [workspace.package] version = \"{version}\", run `cargo xtask ci`, commit and tag {tag}"
        );
        return Ok(());
    }
    let path = crate::project_root().join("Cargo.toml");
    let manifest = std::fs::read_to_string(&path)?;
    let bumped = manifest.replacen(
        &format!("version = \"{current}\""),
        &format!("version = \"{version}\""),
        1,
    );
    std::fs::write(&path, bumped)?;
    crate::ci::ci(sh)?;
    cmd!(sh, "git commit -am {tag}").run()?;
    cmd!(sh, "git tag {tag}").run()?;
    println!("tagged {tag}; push it and run `cargo xtask dist` on each target");
    Ok(())
}

fn is_semver(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_workspace_version() {
        let manifest = "[workspace]\nmembers=[]\n[workspace.package]\nversion = \"1.2.3\"\n";
        assert_eq!(version_in(manifest).as_deref(), Some("1.2.3"));
    }

    #[test]
    fn semver_check() {
        assert!(is_semver("0.1.0"));
        assert!(!is_semver("1.2"));
        assert!(!is_semver("v1.2.3"));
    }
}
