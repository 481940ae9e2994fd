//! Client of the `NemoVideo` `nemo_agent` API (cloud or the embedded engine).
//!
//! - [`Client`]: cheap-to-clone HTTP client. Every request carries `Authorization: Bearer` and
//!   the attribution headers the platform plugin supplies (the anonymous-token call carries
//!   `X-Client-Id` instead of `Authorization`). One method per endpoint; no retry policy.
//! - [`Session`]: a client plus a project and the protocol's error policy (re-auth on 1001, new
//!   session on 1002, new client id on 400, one wait-and-retry on 429, plan message on 402,
//!   registration or top-up advice on 2001), silent-turn diffs and the export flow.
//! - [`Error`]: one opaque error with predicates (`http_status`, `api_code`, `is_retryable`…).
//!
//! Tokens live in [`Secret`] and never reach `Debug`, `Display`, logs or error messages.

mod api;
mod client;
mod download;
mod error;
mod progress;
mod render;
mod session;
mod sse;
mod upload;

pub use api::{AnonymousAuth, ClaimLink};
pub use client::{
    Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_SSE_IDLE_TIMEOUT, DEFAULT_SSE_TIMEOUT, DEFAULT_TRANSFER_TIMEOUT,
};
pub use download::Downloaded;
pub use error::{Category, Error};
pub use nemo_config::Secret;
pub use nemo_render_poller::{PollPolicy, Progress as RenderProgress};
pub use progress::{ProgressFn, Transfer};
pub use render::TokioSleeper;
pub use session::{
    Account, ChatOutcome, DEFAULT_TASK_NAME, DraftChange, ExportOutcome, ExportProgress, Notice,
    RATE_LIMIT_WAIT, Session, SessionIds, SessionOptions,
};
pub use sse::{TurnEvent, TurnStream, TurnSummary};
pub use upload::{UploadCheck, check_upload};
