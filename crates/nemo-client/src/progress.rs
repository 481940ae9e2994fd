//! Transfer progress reporting for uploads and downloads (progress bars).

use std::sync::Arc;

/// Bytes moved so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transfer {
    pub done: u64,
    /// Total bytes when known (uploads always; downloads when the server sends a length).
    pub total: Option<u64>,
}

/// A shareable progress callback. Called from the task that moves the bytes, so it must be
/// quick (update a progress bar, not print a line per chunk).
#[derive(Clone)]
pub struct ProgressFn(Arc<dyn Fn(Transfer) + Send + Sync>);

impl ProgressFn {
    pub fn new(f: impl Fn(Transfer) + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    /// A callback that ignores progress.
    pub fn none() -> Self {
        Self::new(|_| {})
    }

    pub(crate) fn report(&self, transfer: Transfer) {
        (self.0)(transfer);
    }
}

impl Default for ProgressFn {
    fn default() -> Self {
        Self::none()
    }
}

impl std::fmt::Debug for ProgressFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressFn")
    }
}
