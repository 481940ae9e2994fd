//! `nemo serve [--listen ADDR]`: run the embedded engine alone, for other clients (or other
//! machines through a proxy) to use, until Ctrl-C.
//!
//! The data directory is the global `--data-dir` (clap does not allow a second flag of that
//! name on the subcommand): the caller copies it into [`ServeArgs::data_dir`].

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use nemo_engine::{Engine, EngineConfig};

/// Arguments of `nemo serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; keep it on loopback unless a proxy with TLS sits in front.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8765")]
    pub listen: String,
    /// Base URL clients reach this engine at, when it differs from the listen address
    /// (behind a proxy); used in download links.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// Where the engine keeps its database and media (from the global `--data-dir`);
    /// `None` = the platform data dir (`~/.local/share/nemo`).
    #[arg(skip)]
    pub data_dir: Option<PathBuf>,
}

/// Starts the engine, prints where it listens, and serves until Ctrl-C.
pub async fn run(args: ServeArgs) -> Result<()> {
    let data_dir = args
        .data_dir
        .clone()
        .unwrap_or_else(EngineConfig::default_data_dir);
    let mut config = EngineConfig::new(&data_dir);
    config.listen.clone_from(&args.listen);
    config.public_url.clone_from(&args.public_url);
    Engine::serve(config, |engine| {
        // The one line a user or script needs: where to point `--api-url`.
        let _ = writeln!(
            std::io::stdout().lock(),
            "nemo engine listening on {} (data in {}); press Ctrl-C to stop",
            engine.base_url(),
            data_dir.display()
        );
    })
    .await
    .with_context(|| format!("running the engine on {}", args.listen))
}
