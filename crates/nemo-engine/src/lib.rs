//! The embedded engine: the `nemo_agent` protocol served on loopback, so the unchanged client
//! works with no account and no network.
//!
//! ```text
//! Engine::start(EngineConfig) -> RunningEngine { base_url, shutdown() }
//!   server/   axum routes of the protocol (auth, sessions, upload, run_sse, state, render)
//!   store/    sqlx AnyPool (SQLite by default): users, tokens, sessions, drafts, messages,
//!             media, jobs (lease + heartbeat queue)
//!   media_store  object_store, content-addressed `sha256/ab/<hash>`
//!   worker    in-process render worker: claim -> ffmpeg (nemo-media) -> store -> complete
//!   agent/    rule-based chat agent (EN/ZH): intent -> edit -> reply; music via nemo-music
//!   timeline  how media is laid out in the draft
//! ```

pub mod agent;
pub mod analyze;
pub mod config;
mod engine;
pub mod error;
pub mod fit;
pub mod media_store;
pub mod montage;
mod server;
pub mod store;
pub mod timeline;
mod wav;
mod worker;

pub use config::{CreditPolicy, EngineConfig, UNLIMITED_CREDITS};
pub use engine::{Engine, RunningEngine};
pub use error::{ApiError, EngineError};
