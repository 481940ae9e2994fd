//! The one integration-test binary. Each module covers one area; see docs/TESTING.md.

// Test helpers fail loudly: an unwrap in a helper is an assertion.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

mod agent;
mod analysis;
mod cli;
mod client_http;
mod config;
mod draft;
mod engine;
mod fit;
mod montage;
mod music;
mod plugins;
mod recorded;
mod render;
mod render_poll;
mod router;
mod sse;
mod translate;
