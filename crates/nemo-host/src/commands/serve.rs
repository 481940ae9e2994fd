//! The engine as its own processes: `nemo serve` runs the embedded engine alone, for other
//! clients (or other machines through a proxy) to use, and `nemo worker` runs a render worker
//! alone beside an engine started with `--no-worker`, on the same database and data dir. Both
//! run until Ctrl-C.
//!
//! The data directory is the global `--data-dir` (clap does not allow a second flag of that
//! name on a subcommand): the caller copies it into the args' `data_dir`.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use nemo_engine::{Engine, EngineConfig};
use tokio_util::sync::CancellationToken;

/// Where the engine keeps its state, shared by `serve` and `worker`.
#[derive(Debug, Clone, clap::Args)]
pub struct StorageArgs {
    /// Database URL: `sqlite://...` or `postgres://...`; default: `nemo.db` in the data dir.
    /// Every process of one engine must use the same one.
    #[arg(
        long,
        value_name = "URL",
        env = "NEMO_DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Where the engine keeps its database and media (from the global `--data-dir`);
    /// `None` = the platform data dir (`~/.local/share/nemo`).
    #[arg(skip)]
    pub data_dir: Option<PathBuf>,
}

impl StorageArgs {
    fn data_dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(EngineConfig::default_data_dir)
    }

    fn config(&self) -> EngineConfig {
        EngineConfig {
            database_url: self.database_url.clone(),
            ..EngineConfig::new(self.data_dir())
        }
    }
}

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
    /// Queue renders without rendering them here: `nemo worker` processes render them.
    #[arg(long)]
    pub no_worker: bool,
    #[command(flatten)]
    pub storage: StorageArgs,
}

/// Arguments of `nemo worker`.
#[derive(Debug, Clone, clap::Args)]
pub struct WorkerArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
}

/// Starts the engine, prints where it listens, and serves until Ctrl-C.
pub async fn run(args: ServeArgs) -> Result<()> {
    let data_dir = args.storage.data_dir();
    let config = EngineConfig {
        listen: args.listen.clone(),
        public_url: args.public_url.clone(),
        run_worker: !args.no_worker,
        ..args.storage.config()
    };
    let renders = if args.no_worker {
        "renders wait for `nemo worker`"
    } else {
        "rendering here"
    };
    Engine::serve(config, |engine| {
        // The one line a user or script needs: where to point `--api-url`.
        let _ = writeln!(
            std::io::stdout().lock(),
            "nemo engine listening on {} (data in {}, {renders}); press Ctrl-C to stop",
            engine.base_url(),
            data_dir.display()
        );
    })
    .await
    .with_context(|| format!("running the engine on {}", args.listen))
}

/// Renders queued jobs until Ctrl-C, then hands a render in progress back to the queue.
pub async fn work(args: WorkerArgs) -> Result<()> {
    let data_dir = args.storage.data_dir();
    let shutdown = CancellationToken::new();
    let on_ctrl_c = shutdown.clone();
    tokio::spawn(async move {
        // If the handler cannot be installed, the worker runs until the process is killed.
        if tokio::signal::ctrl_c().await.is_ok() {
            on_ctrl_c.cancel();
        }
    });
    let _ = writeln!(
        std::io::stdout().lock(),
        "nemo worker rendering jobs from the engine with data in {}; press Ctrl-C to stop",
        data_dir.display()
    );
    Engine::work(args.storage.config(), shutdown)
        .await
        .with_context(|| format!("running a render worker on {}", data_dir.display()))
}
