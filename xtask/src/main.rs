//! `cargo xtask`: the project's automation. One entry point for CI and developers alike,
//! so "what CI runs" and "what I run" never drift apart.

#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "xtask talks to a terminal"
)]

mod bench;
mod ci;
mod dist;
mod fixtures;
mod plugins;
mod tidy;

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "nemo project automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Everything CI checks: fmt, clippy, plugin build, tests, tidy.
    Ci,
    /// Build the plugins, then run the test suite.
    Test {
        /// Extra arguments passed to `cargo test` (after `--`).
        #[arg(trailing_var_arg = true)]
        args: Vec<String>,
    },
    /// Structural checks: dependency directions, unsafe allow-list, lints, docs, secrets.
    Tidy,
    /// Build or install the platform plugins.
    Plugins {
        #[command(subcommand)]
        action: plugins::Action,
    },
    /// Record the real client's traffic with the embedded engine (tests/fixtures/recorded).
    Fixtures {
        #[command(subcommand)]
        action: fixtures::Action,
    },
    /// Benchmarks against their physical floors and peer tools (release build; prints tables).
    Bench(bench::Args),
    /// Release build of `nemo` and the plugins into a versioned archive with SHA-256 sums.
    Dist,
    /// Prepare a release: bump the version, check the tree, tag.
    Release {
        version: String,
        /// Show what would change without changing anything.
        #[arg(long)]
        dry_run: bool,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let sh = xshell::Shell::new()?;
    sh.change_dir(project_root());
    match cli.command {
        Command::Ci => ci::ci(&sh),
        Command::Test { args } => ci::test(&sh, &args),
        Command::Tidy => tidy::run(&project_root()),
        Command::Plugins { action } => plugins::run(&sh, &action),
        Command::Fixtures { action } => fixtures::run(&sh, &action),
        Command::Bench(args) => bench::run(&sh, &args),
        Command::Dist => dist::dist(&sh),
        Command::Release { version, dry_run } => dist::release(&sh, &version, dry_run),
    }
}

/// The workspace root (xtask lives one level below it).
pub(crate) fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The cargo target directory, honouring `CARGO_TARGET_DIR`.
pub(crate) fn target_dir(sh: &xshell::Shell) -> PathBuf {
    sh.var("CARGO_TARGET_DIR")
        .map_or_else(|_| project_root().join("target"), PathBuf::from)
}
