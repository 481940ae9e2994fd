//! The async ffmpeg runner: progress from `-progress pipe:1`, cancellation, atomic outputs.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::ChildStdout;
use tokio_util::sync::CancellationToken;

use crate::process::{check_status, read_tail, spawn};
use crate::{MediaError, tools};

/// One `-progress` report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Output time reached, in milliseconds.
    pub out_time_ms: u64,
    /// `out_time_ms / total`, clamped to 0..=1, when the total duration is known.
    pub fraction: Option<f64>,
    /// Encoding speed relative to realtime (`1.5` = 1.5x), when reported.
    pub speed: Option<f64>,
    /// True on the final report (`progress=end`).
    pub done: bool,
}

/// An ffmpeg invocation whose output goes to files (not stdout, which carries progress).
///
/// ffmpeg always runs with `-hide_banner -nostdin -loglevel error -nostats -progress pipe:1 -y`.
/// Dropping the future returned by [`Ffmpeg::run`] kills the process.
#[derive(Debug, Clone, Default)]
pub struct Ffmpeg {
    args: Vec<OsString>,
    total_ms: Option<u64>,
    cancel: Option<CancellationToken>,
}

impl Ffmpeg {
    /// An invocation with no arguments yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one argument.
    #[must_use]
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Appends several arguments.
    #[must_use]
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// The expected output duration, so progress reports carry a fraction.
    #[must_use]
    pub fn total_duration_ms(mut self, total_ms: u64) -> Self {
        self.total_ms = Some(total_ms);
        self
    }

    /// Kills ffmpeg and returns [`MediaError::Cancelled`] when `token` is cancelled.
    #[must_use]
    pub fn cancel_on(mut self, token: CancellationToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// The full argument list ffmpeg will receive (for logs and tests).
    pub fn command_line(&self) -> Vec<OsString> {
        let mut all: Vec<OsString> = [
            "-hide_banner",
            "-nostdin",
            "-loglevel",
            "error",
            "-nostats",
            "-progress",
            "pipe:1",
            "-y",
        ]
        .into_iter()
        .map(OsString::from)
        .collect();
        all.extend(self.args.iter().cloned());
        all
    }

    /// Runs ffmpeg to completion without progress reports.
    ///
    /// # Cancel safety
    /// Dropping the future kills ffmpeg.
    pub async fn run(self) -> Result<(), MediaError> {
        self.run_with_progress(|_| {}).await
    }

    /// Runs ffmpeg, calling `on_progress` for every `-progress` block.
    ///
    /// # Cancel safety
    /// Dropping the future kills ffmpeg.
    pub async fn run_with_progress(
        self,
        mut on_progress: impl FnMut(Progress) + Send,
    ) -> Result<(), MediaError> {
        let program = &tools()?.ffmpeg;
        let mut child = spawn("ffmpeg", program, &self.command_line())?;
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let total_ms = self.total_ms;
        let finished = tokio::select! {
            finished = async {
                tokio::join!(read_progress(stdout, total_ms, &mut on_progress), read_tail(stderr), child.wait())
            } => Some(finished),
            () = cancelled(self.cancel.as_ref()) => None,
        };
        let Some(((), tail, status)) = finished else {
            // The kill error only means it already exited; cancellation wins either way.
            let _ = child.kill().await;
            return Err(MediaError::Cancelled { tool: "ffmpeg" });
        };
        let status = status.map_err(|source| MediaError::Spawn {
            tool: "ffmpeg",
            source,
        })?;
        check_status("ffmpeg", status, tail)
    }

    /// Runs ffmpeg with `output` as its last argument, written atomically: ffmpeg writes a temp
    /// file in the same directory, renamed over `output` only on success. On failure or
    /// cancellation nothing is left behind and an existing `output` is untouched.
    ///
    /// # Cancel safety
    /// Dropping the future kills ffmpeg and removes the temp file.
    pub async fn run_to_file(
        self,
        output: &Path,
        on_progress: impl FnMut(Progress) + Send,
    ) -> Result<(), MediaError> {
        let target = AtomicOutput::new(output)?;
        self.arg(target.temp_path())
            .run_with_progress(on_progress)
            .await?;
        target.commit().await.map(|_| ())
    }
}

async fn cancelled(token: Option<&CancellationToken>) {
    match token {
        Some(token) => token.cancelled().await,
        None => std::future::pending().await,
    }
}

async fn read_progress(
    stdout: Option<ChildStdout>,
    total_ms: Option<u64>,
    on_progress: &mut (impl FnMut(Progress) + Send),
) {
    let Some(stdout) = stdout else { return };
    let mut lines = BufReader::new(stdout).lines();
    let mut parser = ProgressParser::new(total_ms);
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(report) = parser.feed(&line) {
            on_progress(report);
        }
    }
}

/// Folds `key=value` lines from `-progress` into a [`Progress`] at each `progress=` line.
#[derive(Debug, Clone)]
pub struct ProgressParser {
    total_ms: Option<u64>,
    out_time_ms: u64,
    speed: Option<f64>,
}

impl ProgressParser {
    /// A parser for a job whose output lasts `total_ms` (if known).
    pub fn new(total_ms: Option<u64>) -> Self {
        Self {
            total_ms,
            out_time_ms: 0,
            speed: None,
        }
    }

    /// Feeds one line; returns a report when a block ends.
    pub fn feed(&mut self, line: &str) -> Option<Progress> {
        let (key, value) = line.trim().split_once('=')?;
        match key {
            // Despite its name ffmpeg's `out_time_ms` is in microseconds, like `out_time_us`.
            "out_time_us" | "out_time_ms" => {
                if let Ok(us) = value.parse::<i64>() {
                    self.out_time_ms = (us.max(0) / 1000) as u64;
                }
            }
            "speed" => self.speed = value.trim_end_matches('x').trim().parse().ok(),
            "progress" => {
                let done = value == "end";
                let fraction = self.total_ms.filter(|&t| t > 0).map(|total| {
                    if done {
                        1.0
                    } else {
                        (self.out_time_ms as f64 / total as f64).clamp(0.0, 1.0)
                    }
                });
                return Some(Progress {
                    out_time_ms: self.out_time_ms,
                    fraction,
                    speed: self.speed,
                    done,
                });
            }
            _ => {}
        }
        None
    }
}

/// An output file written under a temporary name in the same directory and renamed into place
/// on [`commit`](Self::commit). Dropped without committing, it deletes the temp file.
#[derive(Debug)]
pub struct AtomicOutput {
    final_path: PathBuf,
    temp_path: PathBuf,
    committed: bool,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl AtomicOutput {
    /// Reserves a temp name next to `final_path`, keeping its extension so ffmpeg picks the
    /// right muxer. Fails when the directory does not exist.
    pub fn new(final_path: &Path) -> Result<Self, MediaError> {
        let dir = match final_path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            let source =
                std::io::Error::new(std::io::ErrorKind::NotFound, "directory does not exist");
            return Err(MediaError::io("writing into", dir, source));
        }
        let stem = final_path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let unique = format!(
            "{}-{}",
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let mut name = format!(".{stem}.partial-{unique}");
        if let Some(ext) = final_path.extension() {
            name.push('.');
            name.push_str(&ext.to_string_lossy());
        }
        Ok(Self {
            final_path: final_path.to_owned(),
            temp_path: dir.join(name),
            committed: false,
        })
    }

    /// Where the writer should write.
    pub fn temp_path(&self) -> &Path {
        &self.temp_path
    }

    /// Where the file ends up.
    pub fn final_path(&self) -> &Path {
        &self.final_path
    }

    /// Renames the temp file over the final path.
    pub async fn commit(mut self) -> Result<PathBuf, MediaError> {
        tokio::fs::rename(&self.temp_path, &self.final_path)
            .await
            .map_err(|source| MediaError::io("renaming into", &self.final_path, source))?;
        self.committed = true;
        Ok(self.final_path.clone())
    }
}

impl Drop for AtomicOutput {
    fn drop(&mut self) {
        if !self.committed {
            // Missing is fine: the writer may have failed before creating it.
            let _ = std::fs::remove_file(&self.temp_path);
        }
    }
}
