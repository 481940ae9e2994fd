//! Finding the `ffmpeg` and `ffprobe` binaries.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::OnceLock;

use crate::MediaError;

/// Paths of the two binaries every operation in this crate runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tools {
    /// The `ffmpeg` executable.
    pub ffmpeg: PathBuf,
    /// The `ffprobe` executable.
    pub ffprobe: PathBuf,
}

impl Tools {
    /// Looks up both tools: `NEMO_FFMPEG` / `NEMO_FFPROBE` when set (a path or a name), else `PATH`.
    pub fn discover() -> Result<Self, MediaError> {
        Ok(Self {
            ffmpeg: find("ffmpeg", "NEMO_FFMPEG")?,
            ffprobe: find("ffprobe", "NEMO_FFPROBE")?,
        })
    }
}

fn find(tool: &'static str, env_var: &'static str) -> Result<PathBuf, MediaError> {
    let wanted: OsString = std::env::var_os(env_var).unwrap_or_else(|| tool.into());
    which::which(&wanted).map_err(|_| MediaError::ToolMissing { tool, env_var })
}

static TOOLS: OnceLock<Tools> = OnceLock::new();

/// The process-wide tools, discovered on first use. A failed lookup is not cached, so installing
/// ffmpeg while a long-running engine is up fixes it without a restart.
pub fn tools() -> Result<&'static Tools, MediaError> {
    if let Some(found) = TOOLS.get() {
        return Ok(found);
    }
    let found = Tools::discover()?;
    Ok(TOOLS.get_or_init(|| found))
}
