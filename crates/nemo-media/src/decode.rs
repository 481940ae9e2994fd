//! One streaming low-resolution decode pass for analysis.
//!
//! A single ffmpeg process decodes the clip once and writes up to three outputs: small RGB frames
//! on stdout (read one at a time, never all held), 16 kHz mono PCM for voice detection and,
//! optionally, a 48 kHz stereo float WAV for mixing. Audio goes to temp files because a child
//! process only gets stdout/stderr as pipes without `unsafe` fd juggling; both are tiny next to
//! the video decode and ffmpeg writes them as it goes.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use tokio::io::AsyncReadExt;
use tokio::process::{Child, ChildStdout};
use tokio::task::JoinHandle;

use crate::ffmpeg::AtomicOutput;
use crate::process::{check_status, read_tail, spawn};
use crate::{MediaError, tools};

/// Sample rate of the voice-detection tap.
pub const VAD_SAMPLE_RATE: u32 = 16_000;
/// Sample rate of the mixing tap.
pub const MIX_SAMPLE_RATE: u32 = 48_000;

/// What the analysis decode produces.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeOptions {
    /// Frame width in pixels.
    pub width: u32,
    /// Frame height in pixels.
    pub height: u32,
    /// Frames per second delivered (ffmpeg's `fps` filter drops or repeats to hit it).
    pub fps: f64,
    /// Decode only the frames other frames reference (`-skip_frame noref`): in a stream with
    /// B-frames that skips about half of them and roughly halves decoding time. Each skipped
    /// frame's slot is then delivered as an exact copy of the frame before it.
    pub reference_frames_only: bool,
    /// Also extract 16 kHz mono `i16` PCM (only when the file has an audio stream).
    pub vad_audio: bool,
    /// Also write 48 kHz stereo `f32` WAV here, atomically (only when the file has audio).
    pub mix_audio: Option<PathBuf>,
}

impl DecodeOptions {
    /// Frames whose long side is `long_side` pixels with the clip's aspect ratio (even sizes,
    /// at least 2), at `fps`, no audio taps.
    pub fn fitting(display_width: u32, display_height: u32, long_side: u32, fps: f64) -> Self {
        let (w, h) = (
            f64::from(display_width.max(1)),
            f64::from(display_height.max(1)),
        );
        let scale = f64::from(long_side) / w.max(h);
        let even = |v: f64| ((v * scale / 2.0).round() as u32).max(1) * 2;
        Self {
            width: even(w),
            height: even(h),
            fps,
            reference_frames_only: false,
            vad_audio: false,
            mix_audio: None,
        }
    }
}

/// One decoded frame, packed RGB24 (`width * height * 3` bytes, row-major).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RgbFrame {
    /// 0-based frame number in the decoded sequence.
    pub index: u64,
    /// Presentation time from the clip start, `index / fps`, in milliseconds.
    pub time_ms: u64,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// RGB bytes.
    pub data: Vec<u8>,
}

/// Audio taps delivered when the decode finishes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DecodedAudio {
    /// 16 kHz mono PCM, when asked for.
    pub vad_pcm: Option<Vec<i16>>,
    /// Path of the finished 48 kHz stereo WAV, when asked for.
    pub mix_wav: Option<PathBuf>,
}

/// A running analysis decode. Read frames with [`next_frame`](Self::next_frame) until `None`,
/// then call [`finish`](Self::finish) for the audio. Dropping it kills ffmpeg and removes temp files.
#[derive(Debug)]
pub struct FrameDecoder {
    child: Child,
    stdout: ChildStdout,
    stderr: JoinHandle<String>,
    options: DecodeOptions,
    frame_bytes: usize,
    next_index: u64,
    vad_tmp: Option<AtomicOutput>,
    mix_out: Option<AtomicOutput>,
}

impl FrameDecoder {
    /// Starts ffmpeg on `path`. Ask for audio taps only when the file has an audio stream.
    pub fn open(path: &Path, options: DecodeOptions) -> Result<Self, MediaError> {
        let vad_tmp = if options.vad_audio {
            let name = format!("nemo-vad-{}.s16le", std::process::id());
            Some(AtomicOutput::new(&std::env::temp_dir().join(name))?)
        } else {
            None
        };
        let mix_out = options
            .mix_audio
            .as_deref()
            .map(AtomicOutput::new)
            .transpose()?;
        let args = decode_args(path, &options, vad_tmp.as_ref(), mix_out.as_ref());
        let mut child = spawn("ffmpeg", &tools()?.ffmpeg, &args)?;
        let stdout = child.stdout.take().ok_or_else(|| MediaError::Spawn {
            tool: "ffmpeg",
            source: std::io::Error::other("stdout was not piped"),
        })?;
        let stderr = tokio::spawn(read_tail(child.stderr.take()));
        let frame_bytes = options.width as usize * options.height as usize * 3;
        Ok(Self {
            child,
            stdout,
            stderr,
            options,
            frame_bytes,
            next_index: 0,
            vad_tmp,
            mix_out,
        })
    }

    /// The frame rate frames are delivered at.
    pub fn fps(&self) -> f64 {
        self.options.fps
    }

    /// The next frame, or `None` when the video has ended (a trailing partial frame is dropped).
    ///
    /// # Cancel safety
    /// Not cancel safe: a cancelled call may lose part of a frame; drop the decoder instead.
    pub async fn next_frame(&mut self) -> Result<Option<RgbFrame>, MediaError> {
        let mut data = vec![0_u8; self.frame_bytes];
        let mut filled = 0;
        while filled < data.len() {
            let n = self
                .stdout
                .read(&mut data[filled..])
                .await
                .map_err(|source| MediaError::Spawn {
                    tool: "ffmpeg",
                    source,
                })?;
            if n == 0 {
                return Ok(None);
            }
            filled += n;
        }
        let index = self.next_index;
        self.next_index += 1;
        let time_ms = (index as f64 * 1000.0 / self.options.fps).round() as u64;
        Ok(Some(RgbFrame {
            index,
            time_ms,
            width: self.options.width,
            height: self.options.height,
            data,
        }))
    }

    /// Drains any remaining frames, waits for ffmpeg, and returns the audio taps.
    pub async fn finish(mut self) -> Result<DecodedAudio, MediaError> {
        let mut sink = Vec::new();
        // Unread frames must be drained or ffmpeg blocks on a full pipe.
        self.stdout
            .read_to_end(&mut sink)
            .await
            .map_err(|source| MediaError::Spawn {
                tool: "ffmpeg",
                source,
            })?;
        let status = self
            .child
            .wait()
            .await
            .map_err(|source| MediaError::Spawn {
                tool: "ffmpeg",
                source,
            })?;
        let tail = (&mut self.stderr).await.unwrap_or_default();
        check_status("ffmpeg", status, tail)?;
        let vad_pcm = match self.vad_tmp.take() {
            Some(tmp) => Some(read_s16le(tmp.temp_path()).await?),
            None => None,
        };
        let mix_wav = match self.mix_out.take() {
            Some(out) => Some(out.commit().await?),
            None => None,
        };
        Ok(DecodedAudio { vad_pcm, mix_wav })
    }
}

fn decode_args(
    path: &Path,
    options: &DecodeOptions,
    vad: Option<&AtomicOutput>,
    mix: Option<&AtomicOutput>,
) -> Vec<OsString> {
    let mut args: Vec<OsString> = Vec::new();
    let mut push = |items: &[&str]| args.extend(items.iter().map(OsString::from));
    // The loop filter only smooths block edges, invisible at analysis size; skipping it makes
    // H.264/HEVC decoding noticeably cheaper.
    push(&[
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-nostats",
        "-y",
        "-skip_loop_filter",
        "all",
    ]);
    if options.reference_frames_only {
        push(&["-skip_frame", "noref"]);
    }
    push(&["-i"]);
    args.push(path.as_os_str().to_owned());
    // `area` averages every source pixel (no aliasing of grain into motion), at a cost similar to
    // the default bicubic at a third of the frame rate.
    // `eof_action=pass` keeps the only frame of a still image or a 1-frame clip shorter than
    // one output frame interval, which the fps filter would otherwise drop.
    let fps = format!("fps={}:eof_action=pass", options.fps);
    let scale = format!("scale={}:{}:flags=area", options.width, options.height);
    // Scale after `fps` so frames it drops are never scaled, except when frames are skipped:
    // then `fps` mostly repeats, and repeating an already small frame saves scaling it twice.
    let filter = if options.reference_frames_only {
        format!("{scale},{fps}")
    } else {
        format!("{fps},{scale}")
    };
    let video = [
        "-map", "0:v:0", "-vf", &filter, "-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1",
    ];
    args.extend(video.map(OsString::from));
    if let Some(vad) = vad {
        let rate = VAD_SAMPLE_RATE.to_string();
        args.extend(["-map", "0:a:0", "-ac", "1", "-ar", &rate, "-f", "s16le"].map(OsString::from));
        args.push(vad.temp_path().as_os_str().to_owned());
    }
    if let Some(mix) = mix {
        let rate = MIX_SAMPLE_RATE.to_string();
        args.extend(
            [
                "-map",
                "0:a:0",
                "-ac",
                "2",
                "-ar",
                &rate,
                "-c:a",
                "pcm_f32le",
                "-f",
                "wav",
            ]
            .map(OsString::from),
        );
        args.push(mix.temp_path().as_os_str().to_owned());
    }
    args
}

async fn read_s16le(path: &Path) -> Result<Vec<i16>, MediaError> {
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|source| MediaError::io("reading", path, source))?;
    Ok(bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect())
}
