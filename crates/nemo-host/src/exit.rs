//! Failures and exit codes. Distinct codes let scripts and agents tell a usage mistake from an
//! API refusal from a broken plugin from a local problem (missing ffmpeg, unreadable file).

use std::process::ExitCode;

use nemo_client::Category;

/// An API or server error (body code or HTTP status).
pub(crate) const API: u8 = 1;
/// Bad command-line usage.
pub(crate) const USAGE: u8 = 2;
/// A platform plugin could not be loaded or failed.
pub(crate) const PLUGIN: u8 = 3;
/// A local problem: files, ffmpeg, the embedded engine.
pub(crate) const LOCAL: u8 = 4;
/// The user pressed Ctrl-C.
pub(crate) const CANCELLED: u8 = 130;

/// What went wrong, with the exit code it maps to and an optional hint line.
#[derive(Debug)]
pub struct Failure {
    pub(crate) code: u8,
    pub(crate) error: anyhow::Error,
    pub(crate) hint: Option<String>,
}

impl Failure {
    pub(crate) fn local(error: anyhow::Error) -> Self {
        Self {
            code: LOCAL,
            error,
            hint: None,
        }
    }

    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self {
            code: USAGE,
            error: anyhow::anyhow!(message.into()),
            hint: None,
        }
    }

    pub(crate) fn plugin(error: anyhow::Error) -> Self {
        Self {
            code: PLUGIN,
            error,
            hint: None,
        }
    }

    pub(crate) fn cancelled() -> Self {
        Self {
            code: CANCELLED,
            error: anyhow::anyhow!("cancelled"),
            hint: None,
        }
    }

    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The user-facing message of an API error (what the plugin words for its platform).
    pub(crate) fn message(&self) -> String {
        format!("{:#}", self.error)
    }
}

impl From<nemo_client::Error> for Failure {
    fn from(err: nemo_client::Error) -> Self {
        let code = match err.category() {
            Category::Io | Category::Config => LOCAL,
            _ => API,
        };
        let hint = err.hint();
        Self {
            code,
            error: anyhow::Error::new(err),
            hint,
        }
    }
}

/// Prints `error: ...` with the cause chain and a `hint:` line, returns the exit code.
#[expect(
    clippy::print_stderr,
    reason = "the one place that reports fatal errors"
)]
pub(crate) fn report(failure: &Failure) -> ExitCode {
    if failure.code == CANCELLED {
        eprintln!("cancelled");
    } else {
        eprintln!("error: {:#}", failure.error);
        if let Some(hint) = &failure.hint {
            eprintln!("hint: {hint}");
        }
    }
    ExitCode::from(failure.code)
}
