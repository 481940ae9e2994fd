//! Audio transcoding and PCM extraction.

use std::ffi::OsString;
use std::path::Path;

use crate::ffmpeg::Progress;
use crate::process::run_capture;
use crate::{Ffmpeg, MediaError, tools};

/// Encoder arguments for an audio output, chosen by its extension.
pub fn audio_codec_args(output: &Path) -> Result<&'static [&'static str], MediaError> {
    let extension = output
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    Ok(match extension.as_str() {
        "wav" => &["-c:a", "pcm_s16le"],
        "mp3" => &["-c:a", "libmp3lame", "-b:a", "192k"],
        "m4a" | "aac" => &["-c:a", "aac", "-b:a", "192k"],
        "flac" => &["-c:a", "flac"],
        "opus" | "ogg" => &["-c:a", "libopus", "-b:a", "160k"],
        _ => return Err(MediaError::UnsupportedOutput { extension }),
    })
}

/// Re-encodes the first audio stream of `input` into `output` (format from its extension:
/// wav, mp3, m4a, aac, flac, opus/ogg), written atomically.
///
/// # Cancel safety
/// Dropping the future kills ffmpeg and leaves no partial output.
pub async fn transcode_audio(input: &Path, output: &Path) -> Result<(), MediaError> {
    transcode_audio_with_progress(input, output, None, |_| {}).await
}

/// [`transcode_audio`] with progress reports (`total_ms` gives them a fraction).
pub async fn transcode_audio_with_progress(
    input: &Path,
    output: &Path,
    total_ms: Option<u64>,
    on_progress: impl FnMut(Progress) + Send,
) -> Result<(), MediaError> {
    let codec = audio_codec_args(output)?;
    let mut job = Ffmpeg::new()
        .arg("-i")
        .arg(input)
        .args(["-vn", "-map", "0:a:0"])
        .args(codec.iter().copied());
    if let Some(total_ms) = total_ms {
        job = job.total_duration_ms(total_ms);
    }
    job.run_to_file(output, on_progress)
        .await
        .map_err(|e| no_audio_error(e, input))
}

/// Decodes the first audio stream to interleaved `f32` samples at `sample_rate` with `channels`.
///
/// # Cancel safety
/// Dropping the future kills ffmpeg.
pub async fn extract_pcm(
    path: &Path,
    sample_rate: u32,
    channels: u32,
) -> Result<Vec<f32>, MediaError> {
    let bytes = extract_raw(path, sample_rate, channels, "f32le").await?;
    Ok(bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect())
}

/// Decodes the first audio stream to interleaved `i16` samples at `sample_rate` with `channels`.
///
/// # Cancel safety
/// Dropping the future kills ffmpeg.
pub async fn extract_pcm_i16(
    path: &Path,
    sample_rate: u32,
    channels: u32,
) -> Result<Vec<i16>, MediaError> {
    let bytes = extract_raw(path, sample_rate, channels, "s16le").await?;
    Ok(bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect())
}

async fn extract_raw(
    path: &Path,
    sample_rate: u32,
    channels: u32,
    format: &str,
) -> Result<Vec<u8>, MediaError> {
    tokio::fs::metadata(path)
        .await
        .map_err(|source| MediaError::io("reading", path, source))?;
    let mut args: Vec<OsString> = ["-hide_banner", "-nostdin", "-loglevel", "error", "-i"]
        .into_iter()
        .map(Into::into)
        .collect();
    args.push(path.as_os_str().to_owned());
    let rest = [
        "-vn",
        "-map",
        "0:a:0",
        "-ac",
        &channels.to_string(),
        "-ar",
        &sample_rate.to_string(),
        "-f",
        format,
        "pipe:1",
    ]
    .map(OsString::from);
    args.extend(rest);
    run_capture("ffmpeg", &tools()?.ffmpeg, &args)
        .await
        .map_err(|e| no_audio_error(e, path))
}

/// ffmpeg reports a missing audio stream as a failed stream map; say it plainly instead.
pub(crate) fn no_audio_error(error: MediaError, input: &Path) -> MediaError {
    match error {
        MediaError::Failed {
            ref stderr_tail, ..
        } if stderr_tail.contains("matches no streams") => MediaError::NoAudioStream {
            path: input.to_owned(),
        },
        other => other,
    }
}
