//! `cargo xtask plugins build|install`: the platform plugins are cdylibs that `nemo` loads at
//! run time, so they are built explicitly (cargo does not build cdylibs for `cargo test`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Subcommand;
use xshell::{Shell, cmd};

/// Shipped plugins.
pub(crate) const SHIPPED: [&str; 3] = ["clawhub", "cursor", "unknown"];
/// Test-only plugins (never shipped): a panicking one, a wrong-ABI one, one without an entry.
const TEST_ONLY: [&str; 3] = [
    "nemo-plugin-panicky",
    "nemo-plugin-wrongabi",
    "nemo-plugin-noentry",
];

#[derive(Debug, Subcommand)]
pub(crate) enum Action {
    /// Build the shipped plugins (and, without --release, the test-only ones).
    Build {
        #[arg(long)]
        release: bool,
    },
    /// Build (release) and copy the shipped plugins into a directory.
    Install {
        #[arg(long)]
        dir: PathBuf,
    },
}

pub(crate) fn run(sh: &Shell, action: &Action) -> Result<()> {
    match action {
        Action::Build { release } => build(sh, *release).map(|_| ()),
        Action::Install { dir } => {
            let built = build(sh, true)?;
            install(&built, dir)
        }
    }
}

/// Builds the plugins and returns the paths of the shipped dylibs.
pub(crate) fn build(sh: &Shell, release: bool) -> Result<Vec<PathBuf>> {
    let mut packages: Vec<String> = SHIPPED.iter().map(|p| format!("nemo-plugin-{p}")).collect();
    if !release {
        packages.extend(
            TEST_ONLY
                .iter()
                .filter(|p| member_exists(p))
                .map(|p| (*p).to_owned()),
        );
    }
    let package_args: Vec<String> = packages
        .iter()
        .flat_map(|p| ["-p".to_owned(), p.clone()])
        .collect();
    let profile: &[&str] = if release { &["--release"] } else { &[] };
    cmd!(sh, "cargo build {profile...} {package_args...}").run()?;
    let dir = crate::target_dir(sh).join(if release { "release" } else { "debug" });
    Ok(SHIPPED.iter().map(|p| dir.join(dylib_name(p))).collect())
}

fn member_exists(package: &str) -> bool {
    crate::project_root()
        .join("tests/plugins")
        .join(package)
        .join("Cargo.toml")
        .exists()
}

/// `libnemo_plugin_<name>.so` (platform-specific prefix and suffix).
pub(crate) fn dylib_name(name: &str) -> String {
    format!(
        "{}nemo_plugin_{name}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

fn install(built: &[PathBuf], dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for path in built {
        let name = path.file_name().context("plugin path has no file name")?;
        std::fs::copy(path, dir.join(name))
            .with_context(|| format!("copying {}", path.display()))?;
        println!("installed {}", dir.join(name).display());
    }
    Ok(())
}
