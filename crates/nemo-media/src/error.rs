//! The error type of every ffmpeg/ffprobe operation.

use std::path::PathBuf;

/// What can go wrong when running ffmpeg or ffprobe.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The tool is not installed (or not where `NEMO_FFMPEG`/`NEMO_FFPROBE` points).
    #[error(
        "{tool} was not found on PATH; install it with `sudo apt-get install ffmpeg` \
         (Debian/Ubuntu package `ffmpeg`) or set {env_var} to its full path"
    )]
    ToolMissing {
        /// `ffmpeg` or `ffprobe`.
        tool: &'static str,
        /// The environment variable that overrides the lookup.
        env_var: &'static str,
    },
    /// The process could not be started.
    #[error("could not start {tool}")]
    Spawn {
        /// `ffmpeg` or `ffprobe`.
        tool: &'static str,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The process ran and exited unsuccessfully.
    #[error("{tool} failed ({status}): {stderr_tail}")]
    Failed {
        /// `ffmpeg` or `ffprobe`.
        tool: &'static str,
        /// Exit status as text (`exit status: 1`, `signal: 9`).
        status: String,
        /// The last lines ffmpeg printed on stderr.
        stderr_tail: String,
    },
    /// The file is not media that ffprobe understands (or has no audio/video streams).
    #[error("{} is not a media file ffmpeg can read: {detail}", path.display())]
    NotMedia {
        /// The file probed.
        path: PathBuf,
        /// Why (ffprobe's message, or "no audio or video streams").
        detail: String,
    },
    /// The file has no audio stream but audio was asked for.
    #[error("{} has no audio stream", path.display())]
    NoAudioStream {
        /// The input file.
        path: PathBuf,
    },
    /// ffprobe's JSON did not have the expected shape.
    #[error("unexpected ffprobe output for {}: {detail}", path.display())]
    ProbeOutput {
        /// The file probed.
        path: PathBuf,
        /// The parse error.
        detail: String,
    },
    /// The output extension is not one we know how to encode.
    #[error("cannot write audio as {extension:?}; use .wav, .mp3, .m4a, .aac, .flac or .opus")]
    UnsupportedOutput {
        /// The extension found (may be empty).
        extension: String,
    },
    /// A file-system operation failed.
    #[error("{action} {}", path.display())]
    Io {
        /// What we were doing ("reading", "renaming to", ...).
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The job was cancelled; the process was killed and no output was left behind.
    #[error("{tool} was cancelled")]
    Cancelled {
        /// `ffmpeg` or `ffprobe`.
        tool: &'static str,
    },
}

impl MediaError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
