//! Test-media generators with known ground truth (feature `testing`).
//!
//! Every generator writes a tiny H.264/AAC MP4 with ffmpeg's lavfi sources, blocking (tests call
//! them before starting any async work, or from `spawn_blocking`). Shared by this crate's unit
//! tests, `tests/it/analysis.rs` and anyone else who needs real clips: enable with
//! `nemo-media = { workspace = true, features = ["testing"] }` under `[dev-dependencies]`.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use crate::{MediaError, tools};

/// Frame size and rate of a generated clip.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClipFormat {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Frames per second.
    pub fps: u32,
    /// Unreferenced B-frames between reference frames (x264 `-bf N` without a B-pyramid):
    /// a decoder that skips unreferenced frames skips runs of exactly this many.
    pub b_frames: u32,
}

impl ClipFormat {
    /// 320x180 at 30 fps, the default for tests where resolution does not matter.
    pub const SMALL: Self = Self {
        width: 320,
        height: 180,
        fps: 30,
        b_frames: 0,
    };

    fn size(self) -> String {
        format!("{}x{}", self.width, self.height)
    }
}

/// `source` with size, rate and (optionally) duration options appended.
fn source_with(source: &str, format: ClipFormat, seconds: Option<f64>) -> String {
    let separator = if source.contains('=') { ':' } else { '=' };
    let mut text = format!("{source}{separator}s={}:r={}", format.size(), format.fps);
    if let Some(seconds) = seconds {
        let _ = write!(text, ":d={seconds}");
    }
    text
}

/// Runs ffmpeg (blocking) with `-hide_banner -loglevel error -y` and `args`.
pub fn ffmpeg_blocking<I, S>(args: I) -> Result<(), MediaError>
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    let mut all: Vec<OsString> = ["-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
        .map(OsString::from)
        .into();
    all.extend(args.into_iter().map(Into::into));
    let output = Command::new(&tools()?.ffmpeg)
        .args(&all)
        .output()
        .map_err(|source| MediaError::Spawn {
            tool: "ffmpeg",
            source,
        })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(MediaError::Failed {
            tool: "ffmpeg",
            status: output.status.to_string(),
            stderr_tail: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        })
    }
}

/// Encoder arguments shared by every generator: fast, small, widely decodable. `ultrafast`
/// never moves keyframes to cuts (no scene-cut detection), so cuts land on any frame type.
fn video_encode(format: ClipFormat) -> Vec<OsString> {
    let mut args: Vec<OsString> = [
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-g",
        "30",
    ]
    .map(OsString::from)
    .into();
    if format.b_frames > 0 {
        args.extend(["-bf".into(), format.b_frames.to_string().into()]);
        args.extend(["-x264-params", "b-pyramid=none"].map(OsString::from));
    }
    args
}
const AUDIO_ENCODE: [&str; 6] = ["-c:a", "aac", "-b:a", "96k", "-ar", "48000"];

/// A clip from one lavfi video source expression (without size/rate, which are appended, e.g.
/// `testsrc2`, `color=c=navy`) lasting `seconds`, with a quiet 220 Hz tone when `with_audio`.
pub fn lavfi_clip(
    path: &Path,
    source: &str,
    seconds: f64,
    format: ClipFormat,
    with_audio: bool,
) -> Result<(), MediaError> {
    let graph = source_with(source, format, None);
    let mut args: Vec<OsString> = vec!["-f".into(), "lavfi".into(), "-i".into(), graph.into()];
    if with_audio {
        args.extend(
            ["-f", "lavfi", "-i", "sine=frequency=220:sample_rate=48000"].map(OsString::from),
        );
    }
    args.extend(["-t".into(), seconds.to_string().into()]);
    args.extend(video_encode(format));
    if with_audio {
        args.extend(AUDIO_ENCODE.map(OsString::from));
        args.extend(["-af", "volume=0.1"].map(OsString::from));
    }
    args.push(path.into());
    ffmpeg_blocking(args)
}

/// Visually distinct lavfi sources for building hard cuts.
pub const DISTINCT_LOOKS: [&str; 5] = [
    "testsrc2",
    "smptebars",
    "color=c=navy",
    "rgbtestsrc",
    "color=c=orange",
];

/// Concatenates segments of different lavfi sources (`(source, seconds)`); returns the true cut
/// times in milliseconds (the start of every segment after the first). Durations are rounded to
/// whole frames, so the cut lands exactly on a frame boundary.
pub fn cuts_clip(
    path: &Path,
    segments: &[(&str, f64)],
    format: ClipFormat,
) -> Result<Vec<u64>, MediaError> {
    let mut args: Vec<OsString> = Vec::new();
    let mut graph = String::new();
    let mut cuts = Vec::new();
    let mut frames_so_far = 0_u64;
    for (i, (source, seconds)) in segments.iter().enumerate() {
        let frames = (seconds * f64::from(format.fps)).round() as u64;
        if i > 0 {
            cuts.push(frames_so_far * 1000 / u64::from(format.fps));
        }
        frames_so_far += frames;
        let input = source_with(source, format, None);
        args.extend([
            "-f".into(),
            "lavfi".into(),
            "-i".into(),
            OsString::from(input),
        ]);
        let _ = write!(
            graph,
            "[{i}:v]trim=end_frame={frames},setpts=PTS-STARTPTS,format=yuv420p,setsar=1[v{i}];"
        );
    }
    for i in 0..segments.len() {
        let _ = write!(graph, "[v{i}]");
    }
    let _ = write!(graph, "concat=n={}:v=1:a=0[v]", segments.len());
    args.extend([
        "-filter_complex".into(),
        graph.into(),
        "-map".into(),
        "[v]".into(),
    ]);
    args.extend(video_encode(format));
    args.push(path.into());
    ffmpeg_blocking(args)?;
    Ok(cuts)
}

/// A slow pan across a static test pattern (no cuts): a window of `format`'s size moving
/// `pixels_per_second` right and half that down over a 4x larger `smptehdbars`/`testsrc` canvas.
pub fn pan_clip(
    path: &Path,
    seconds: f64,
    pixels_per_second: f64,
    format: ClipFormat,
) -> Result<(), MediaError> {
    let (w, h) = (format.width, format.height);
    let graph = format!(
        "testsrc=s={}x{}:r={}:d={seconds},crop={w}:{h}:x='min(iw-ow\\,t*{pixels_per_second})':y='min(ih-oh\\,t*{})'",
        w * 4,
        h * 4,
        format.fps,
        pixels_per_second / 2.0
    );
    let mut args: Vec<OsString> = ["-f", "lavfi", "-i"].map(OsString::from).into();
    args.push(graph.into());
    args.extend(video_encode(format));
    args.push(path.into());
    ffmpeg_blocking(args)
}

/// `first` fading to black over `fade_seconds` ending at `first_seconds`, then `second` fading in
/// from black over `fade_seconds` (no hard cut anywhere). Returns the midpoint of the black gap in ms.
pub fn fade_clip(
    path: &Path,
    (first, first_seconds): (&str, f64),
    (second, second_seconds): (&str, f64),
    fade_seconds: f64,
    format: ClipFormat,
) -> Result<u64, MediaError> {
    let graph = format!(
        "{},format=yuv420p,fade=t=out:st={}:d={fade_seconds}[a];\
         {},format=yuv420p,fade=t=in:st=0:d={fade_seconds}[b];\
         [a][b]concat=n=2:v=1:a=0",
        source_with(first, format, Some(first_seconds)),
        first_seconds - fade_seconds,
        source_with(second, format, Some(second_seconds)),
    );
    let mut args: Vec<OsString> = ["-f", "lavfi", "-i"].map(OsString::from).into();
    args.push(graph.into());
    args.extend(video_encode(format));
    args.push(path.into());
    ffmpeg_blocking(args)?;
    Ok((first_seconds * 1000.0) as u64)
}

/// A cross-dissolve (`xfade`) from `first` to `second` over `dissolve_seconds` starting at
/// `offset_seconds`; total length `offset + dissolve + tail`. Returns the dissolve midpoint in ms.
pub fn dissolve_clip(
    path: &Path,
    first: &str,
    second: &str,
    offset_seconds: f64,
    dissolve_seconds: f64,
    tail_seconds: f64,
    format: ClipFormat,
) -> Result<u64, MediaError> {
    let first_len = offset_seconds + dissolve_seconds;
    let second_len = dissolve_seconds + tail_seconds;
    let graph = format!(
        "{},format=yuv420p,setsar=1[a];\
         {},format=yuv420p,setsar=1[b];\
         [a][b]xfade=transition=fade:duration={dissolve_seconds}:offset={offset_seconds}",
        source_with(first, format, Some(first_len)),
        source_with(second, format, Some(second_len)),
    );
    let mut args: Vec<OsString> = ["-f", "lavfi", "-i"].map(OsString::from).into();
    args.push(graph.into());
    args.extend(video_encode(format));
    args.push(path.into());
    ffmpeg_blocking(args)?;
    Ok(((offset_seconds + dissolve_seconds / 2.0) * 1000.0) as u64)
}

/// A still-coloured clip with `espeak-ng` speech laid over digital silence: each phrase
/// `(start_seconds, text)` starts at its time. Returns the true voiced spans in milliseconds
/// (first to last sample above -40 dBFS of each phrase), sorted.
pub fn speech_clip(
    path: &Path,
    phrases: &[(f64, &str)],
    seconds: f64,
    format: ClipFormat,
) -> Result<Vec<(u64, u64)>, MediaError> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let mut args: Vec<OsString> = Vec::new();
    let color = format!(
        "color=c=gray:s={}:r={}:d={seconds}",
        format.size(),
        format.fps
    );
    args.extend([
        "-f".into(),
        "lavfi".into(),
        "-i".into(),
        OsString::from(color),
    ]);
    args.extend(["-f", "lavfi", "-i"].map(OsString::from));
    args.push(format!("anullsrc=r=48000:cl=mono:d={seconds}").into());
    let mut graph = String::new();
    let mut truth = Vec::new();
    for (i, (start, text)) in phrases.iter().enumerate() {
        let wav = dir.join(format!(".speech-{}-{i}.wav", std::process::id()));
        espeak(&wav, text)?;
        let (lead_ms, end_ms) = voiced_span_ms(&wav)?;
        let start_ms = (start * 1000.0).round() as u64;
        truth.push((start_ms + lead_ms, start_ms + end_ms));
        args.extend(["-i".into(), wav.into_os_string()]);
        let _ = write!(
            graph,
            "[{}:a]aresample=48000,adelay={start_ms}:all=1[s{i}];",
            i + 2
        );
    }
    graph.push_str("[1:a]");
    for i in 0..phrases.len() {
        let _ = write!(graph, "[s{i}]");
    }
    let _ = write!(
        graph,
        "amix=inputs={}:duration=first:normalize=0[a]",
        phrases.len() + 1
    );
    args.extend([
        "-filter_complex".into(),
        graph.into(),
        "-map".into(),
        "0:v".into(),
        "-map".into(),
        "[a]".into(),
    ]);
    args.extend(video_encode(format));
    args.extend(AUDIO_ENCODE.map(OsString::from));
    args.extend(["-t".into(), seconds.to_string().into(), path.into()]);
    let result = ffmpeg_blocking(args);
    for i in 0..phrases.len() {
        let _ = std::fs::remove_file(dir.join(format!(".speech-{}-{i}.wav", std::process::id())));
    }
    result?;
    truth.sort_unstable();
    Ok(truth)
}

fn espeak(wav: &Path, text: &str) -> Result<(), MediaError> {
    let status = Command::new("espeak-ng")
        .arg("-w")
        .arg(wav)
        .arg(text)
        .status()
        .map_err(|source| MediaError::Spawn {
            tool: "espeak-ng",
            source,
        })?;
    if status.success() {
        Ok(())
    } else {
        Err(MediaError::Failed {
            tool: "espeak-ng",
            status: status.to_string(),
            stderr_tail: String::new(),
        })
    }
}

/// First and last sample above -40 dBFS, in ms from the start of the file.
fn voiced_span_ms(wav: &Path) -> Result<(u64, u64), MediaError> {
    const RATE: u64 = 16_000;
    let output = Command::new(&tools()?.ffmpeg)
        .args(["-hide_banner", "-loglevel", "error", "-i"])
        .arg(wav)
        .args(["-ac", "1", "-ar", "16000", "-f", "s16le", "pipe:1"])
        .output()
        .map_err(|source| MediaError::Spawn {
            tool: "ffmpeg",
            source,
        })?;
    let samples: Vec<i16> = output
        .stdout
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    let loud = |s: &&i16| s.unsigned_abs() > 328;
    let first = samples.iter().position(|s| loud(&s)).unwrap_or(0) as u64;
    let last = samples.iter().rposition(|s| loud(&s)).unwrap_or(0) as u64;
    Ok((first * 1000 / RATE, last * 1000 / RATE))
}

/// A `testsrc2` clip with no audio stream.
pub fn no_audio_clip(path: &Path, seconds: f64) -> Result<(), MediaError> {
    lavfi_clip(path, "testsrc2", seconds, ClipFormat::SMALL, false)
}

/// A 180x320 (portrait) `testsrc2` clip with audio.
pub fn portrait_clip(path: &Path, seconds: f64) -> Result<(), MediaError> {
    lavfi_clip(
        path,
        "testsrc2",
        seconds,
        ClipFormat {
            width: 180,
            height: 320,
            ..ClipFormat::SMALL
        },
        true,
    )
}

/// An MP4 holding exactly one video frame and no audio.
pub fn one_frame_clip(path: &Path) -> Result<(), MediaError> {
    let mut args: Vec<OsString> = [
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=320x180:r=30",
        "-frames:v",
        "1",
    ]
    .map(OsString::from)
    .into();
    args.extend(video_encode(ClipFormat::SMALL));
    args.push(path.into());
    ffmpeg_blocking(args)
}

/// A PNG still image.
pub fn png_image(path: &Path, width: u32, height: u32) -> Result<(), MediaError> {
    let source = format!("testsrc2=s={width}x{height}");
    let mut args: Vec<OsString> = ["-f", "lavfi", "-i"].map(OsString::from).into();
    args.extend([
        OsString::from(source),
        "-frames:v".into(),
        "1".into(),
        path.into(),
    ]);
    ffmpeg_blocking(args)
}

/// A mono WAV sine tone.
pub fn sine_wav(
    path: &Path,
    frequency: u32,
    seconds: f64,
    sample_rate: u32,
) -> Result<(), MediaError> {
    let source = format!("sine=frequency={frequency}:sample_rate={sample_rate}:duration={seconds}");
    let mut args: Vec<OsString> = ["-f", "lavfi", "-i"].map(OsString::from).into();
    args.extend([
        OsString::from(source),
        "-c:a".into(),
        "pcm_s16le".into(),
        path.into(),
    ]);
    ffmpeg_blocking(args)
}
