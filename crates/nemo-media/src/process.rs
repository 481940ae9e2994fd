//! Spawning ffmpeg/ffprobe: stderr tails, captured stdout, cancellation by kill.

use std::ffi::OsString;
use std::path::Path;
use std::process::{ExitStatus, Stdio};

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::{Child, Command};

use crate::MediaError;

/// How much of stderr we keep for error messages.
const STDERR_TAIL_BYTES: usize = 4096;

/// A command with the settings every run shares: no stdin, killed when dropped.
pub(crate) fn command(program: &Path, args: &[OsString]) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

pub(crate) fn spawn(
    tool: &'static str,
    program: &Path,
    args: &[OsString],
) -> Result<Child, MediaError> {
    tracing::debug!(tool, ?args, "spawning");
    command(program, args)
        .spawn()
        .map_err(|source| MediaError::Spawn { tool, source })
}

/// Reads a stream to the end, keeping only its last [`STDERR_TAIL_BYTES`].
pub(crate) async fn read_tail<R: AsyncRead + Unpin>(reader: Option<R>) -> String {
    let Some(mut reader) = reader else {
        return String::new();
    };
    let mut tail: Vec<u8> = Vec::new();
    let mut chunk = [0_u8; 4096];
    while let Ok(n) = reader.read(&mut chunk).await {
        if n == 0 {
            break;
        }
        tail.extend_from_slice(&chunk[..n]);
        if tail.len() > 2 * STDERR_TAIL_BYTES {
            tail.drain(..tail.len() - STDERR_TAIL_BYTES);
        }
    }
    let start = tail.len().saturating_sub(STDERR_TAIL_BYTES);
    String::from_utf8_lossy(&tail[start..]).trim().to_owned()
}

/// Turns an exit status into `Ok` or [`MediaError::Failed`] carrying the stderr tail.
pub(crate) fn check_status(
    tool: &'static str,
    status: ExitStatus,
    stderr_tail: String,
) -> Result<(), MediaError> {
    if status.success() {
        Ok(())
    } else {
        Err(MediaError::Failed {
            tool,
            status: status.to_string(),
            stderr_tail,
        })
    }
}

/// Runs a tool to completion and returns everything it wrote to stdout.
pub(crate) async fn run_capture(
    tool: &'static str,
    program: &Path,
    args: &[OsString],
) -> Result<Vec<u8>, MediaError> {
    let mut child = spawn(tool, program, args)?;
    let mut stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let read_stdout = async {
        let mut out = Vec::new();
        if let Some(stdout) = stdout.as_mut() {
            stdout.read_to_end(&mut out).await.map(|_| out)
        } else {
            Ok(out)
        }
    };
    let (out, tail, status) = tokio::join!(read_stdout, read_tail(stderr), child.wait());
    let status = status.map_err(|source| MediaError::Spawn { tool, source })?;
    check_status(tool, status, tail)?;
    out.map_err(|source| MediaError::Spawn { tool, source })
}
