//! Library half of the `nemo` binary: CLI definitions, wiring and output, so integration
//! tests can reach them. `main.rs` only calls [`main_entry`].
//!
//! The host holds no business logic: it routes messages (nemo-router), talks to the API
//! (nemo-client), starts the embedded engine when no `api_url` is set (nemo-engine), and words
//! everything for the detected platform (nemo-plugin-host).

mod app;
pub mod cli;
pub mod commands;
mod exit;
mod output;
mod projects;
mod update_check;

use std::process::ExitCode;

use clap::Parser;

pub use exit::Failure;

/// Parses the command line, runs the command, and maps failures to exit codes:
/// 0 ok, 1 API error, 2 usage error, 3 plugin error, 4 local error, 130 cancelled.
pub fn main_entry() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { exit::USAGE } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    init_logging(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            return exit::report(&Failure::local(
                anyhow::Error::new(err).context("starting the async runtime"),
            ));
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => exit::report(&failure),
    }
}

/// Logs go to stderr, quiet by default; `-v` shows progress details, `-vv` debug.
/// `RUST_LOG` overrides. Tokens never reach logs (they live in redacting types).
fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info,nemo=debug",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
