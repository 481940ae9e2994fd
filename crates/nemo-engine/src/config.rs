//! Engine configuration: where data lives, what it listens on, credits, limits and timings.

use std::path::PathBuf;
use std::time::Duration;

/// What unlimited credits show as: large, but safely inside every JSON number type.
pub const UNLIMITED_CREDITS: i64 = 1_000_000_000;

/// How credits work on this engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditPolicy {
    /// The local single user: nothing is ever charged (the default).
    Unlimited,
    /// Cloud-like accounting: each new user starts with `initial`, each render costs
    /// `render_cost` (frozen while it runs, consumed when it completes, refunded otherwise).
    Metered { initial: i64, render_cost: i64 },
}

/// What [`crate::Engine::start`] needs.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Root of everything the engine stores: `nemo.db`, `media/`, `tmp/`.
    pub data_dir: PathBuf,
    /// Address to bind, e.g. `127.0.0.1:0` (any free port) or `127.0.0.1:8765`.
    pub listen: String,
    /// Database URL; `None` means the `SQLite` file `<data_dir>/nemo.db`.
    pub database_url: Option<String>,
    /// Base URL clients reach this engine at (for `outputUrl`/`cdn_url`); `None` means the
    /// bound address. Set it when the engine sits behind a proxy.
    pub public_url: Option<String>,
    pub credits: CreditPolicy,
    /// Largest accepted upload (file or URL download), in bytes.
    pub max_upload_bytes: u64,
    /// Anonymous token lifetime.
    pub token_ttl: Duration,
    /// Tokens per client id within one token lifetime (the cloud allows one).
    pub tokens_per_client: u32,
    /// SSE heartbeat interval while a turn is working (must stay under 15 s).
    pub sse_heartbeat: Duration,
    /// Run the in-process render worker (turn off to run workers elsewhere).
    pub run_worker: bool,
    /// Render job lease; a worker that stops heartbeating loses its job after this.
    pub job_lease: Duration,
    /// How often a worker extends its lease and writes progress.
    pub job_heartbeat: Duration,
    /// How often an idle worker looks for work.
    pub job_poll: Duration,
    /// Attempts before a render is failed for good.
    pub job_max_attempts: i64,
    /// x264 preset for renders (`veryfast` by default; tests use `ultrafast`).
    pub x264_preset: String,
    /// How long an uploaded still image shows on the timeline.
    pub image_segment: Duration,
    /// Timeout for downloading a URL upload.
    pub url_timeout: Duration,
}

impl EngineConfig {
    /// Defaults for a data dir: loopback on any free port, `SQLite`, unlimited credits.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            listen: "127.0.0.1:0".to_owned(),
            database_url: None,
            public_url: None,
            credits: CreditPolicy::Unlimited,
            max_upload_bytes: nemo_protocol::MAX_UPLOAD_BYTES,
            token_ttl: Duration::from_hours(7 * 24),
            tokens_per_client: 1,
            sse_heartbeat: Duration::from_secs(10),
            run_worker: true,
            job_lease: Duration::from_secs(30),
            job_heartbeat: Duration::from_secs(5),
            job_poll: Duration::from_millis(500),
            job_max_attempts: 3,
            x264_preset: "veryfast".to_owned(),
            image_segment: Duration::from_secs(3),
            url_timeout: Duration::from_mins(1),
        }
    }

    /// `~/.local/share/nemo` (the platform data dir), or `./nemo-data` when there is none.
    pub fn default_data_dir() -> PathBuf {
        dirs::data_dir().map_or_else(|| PathBuf::from("nemo-data"), |d| d.join("nemo"))
    }

    pub(crate) fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| crate::store::sqlite_url(&self.data_dir.join("nemo.db")))
    }

    pub(crate) fn media_dir(&self) -> PathBuf {
        self.data_dir.join("media")
    }

    pub(crate) fn tmp_dir(&self) -> PathBuf {
        self.data_dir.join("tmp")
    }

    pub(crate) fn initial_credits(&self) -> i64 {
        match self.credits {
            CreditPolicy::Unlimited => 0,
            CreditPolicy::Metered { initial, .. } => initial,
        }
    }

    pub(crate) fn render_cost(&self) -> i64 {
        match self.credits {
            CreditPolicy::Unlimited => 0,
            CreditPolicy::Metered { render_cost, .. } => render_cost,
        }
    }
}
