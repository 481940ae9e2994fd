//! Fast ("smart") rendering of a cut list: every segment is rendered on its own, in parallel,
//! then the pieces are joined with the concat demuxer by stream copy and the music is muxed in.
//!
//! ```text
//! SegmentPlan { segments, fps, encode, audio }
//!   -> pieces: per segment one encode, or, when the source already is 1920x1080 H.264 yuv420p
//!      at the output rate and nothing is drawn on it, [encode head][copy whole GOPs][encode tail]
//!   -> a pool of `workers` ffmpeg processes (longest piece first) writes piece-NNNN.mp4
//!   -> concat demuxer `-c:v copy` + music (AAC 48 kHz stereo) + `+faststart`, temp then rename
//!   -> ffprobe: codecs, size, and the exact frame count (total = planned frames)
//! ```
//!
//! Why it is fast: a frame that is not shown is never decoded except the few between the
//! keyframe before an in-point and the in-point (input-side `-ss`, then `-frames:v`), copied
//! GOPs are neither decoded nor encoded, and the two cores work on different pieces instead of
//! sharing one filter graph whose stages wait on each other.
//!
//! Every encoded piece starts with a keyframe (each is its own x264 run) and uses identical
//! encoder settings. Copied GOPs keep their own parameter sets; ffmpeg's concat demuxer passes
//! them on and the MP4 muxer stores them in-band at the switch, which ffmpeg, browsers and
//! common players decode. Copy assumes closed GOPs (x264's and phones' default).

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::process::run_capture;
use crate::render::{
    EncodeSettings, OUTPUT_HEIGHT, OUTPUT_SAMPLE_RATE, OUTPUT_WIDTH, RenderError, TextPosition,
    drawtext, verify_output,
};
use crate::{AtomicOutput, Ffmpeg, MediaError, MediaInfo, Progress, tools};

/// MP4 time scale of every piece: 90 kHz represents all common frame rates exactly, so the
/// concat demuxer never has to round a timestamp between pieces of different origin.
const PIECE_TIMESCALE: &str = "90000";

/// How a picture that is not 16:9 fills the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Framing {
    /// Fit inside 1920x1080 with black bars.
    #[default]
    Letterbox,
    /// Fit inside 1920x1080 over a blurred, zoomed copy of itself (common for portrait video).
    BlurPad,
}

/// What a segment shows.
// A plan holds tens of segments; boxing the probe data would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum SegmentSource {
    /// A video clip from `in_ms` on.
    Clip {
        /// The file.
        path: PathBuf,
        /// Its ffprobe data.
        info: MediaInfo,
        /// In-point in milliseconds from the start of the clip.
        in_ms: f64,
    },
    /// A still image held for the whole segment.
    Still {
        /// The file.
        path: PathBuf,
    },
    /// A cross-dissolve over the whole segment from one source to another (each starting at
    /// its own in-point).
    Crossfade {
        /// Outgoing picture.
        from: Box<SegmentSource>,
        /// Incoming picture.
        to: Box<SegmentSource>,
    },
}

/// Text burnt into a segment.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentText {
    /// The text (never interpreted: written to a file and read with `textfile=`).
    pub text: String,
    /// First frame showing it, relative to the segment start.
    pub start_frame: u64,
    /// How many frames it stays.
    pub frames: u64,
    /// Font size in pixels.
    pub size: u32,
    /// Placement.
    pub position: TextPosition,
}

/// One segment of the output, in output frames.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// What it shows.
    pub source: SegmentSource,
    /// Length in output frames.
    pub frames: u64,
    /// How a picture that is not 16:9 is framed.
    pub framing: Framing,
    /// Fade in from black over this many frames (a "dip" transition).
    pub fade_in_frames: u64,
    /// Fade out to black over this many frames.
    pub fade_out_frames: u64,
    /// Burnt-in texts.
    pub texts: Vec<SegmentText>,
}

impl Segment {
    /// A plain segment: no fades, no texts, letterboxed.
    pub fn new(source: SegmentSource, frames: u64) -> Self {
        Self {
            source,
            frames,
            framing: Framing::Letterbox,
            fade_in_frames: 0,
            fade_out_frames: 0,
            texts: Vec::new(),
        }
    }
}

/// The soundtrack.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentAudio {
    /// Audio file (WAV from the composer, or anything ffmpeg reads).
    pub path: PathBuf,
    /// Gain, 1.0 = unchanged.
    pub volume: f64,
    /// Fade-in length.
    pub fade_in_ms: u64,
    /// Fade-out length (ending at the end of the video).
    pub fade_out_ms: u64,
}

/// A cut list to render.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentPlan {
    /// Segments back to back.
    pub segments: Vec<Segment>,
    /// Output frame rate.
    pub fps: u32,
    /// x264/AAC settings (the same for every piece).
    pub encode: EncodeSettings,
    /// Soundtrack; silence when `None`.
    pub audio: Option<SegmentAudio>,
    /// Parallel ffmpeg processes (2 on a 2-core machine).
    pub workers: usize,
    /// Threads per ffmpeg process; `None` lets ffmpeg decide.
    pub threads: Option<u32>,
    /// Copy whole GOPs of sources that already match the output.
    pub smart_copy: bool,
}

impl SegmentPlan {
    /// A plan with default settings: 2 workers, 1 thread each, smart copy on.
    pub fn new(segments: Vec<Segment>, fps: u32, audio: Option<SegmentAudio>) -> Self {
        Self {
            segments,
            fps,
            encode: EncodeSettings::default(),
            audio,
            workers: 2,
            threads: Some(1),
            smart_copy: true,
        }
    }

    /// Total length in frames.
    pub fn total_frames(&self) -> u64 {
        self.segments.iter().map(|s| s.frames).sum()
    }

    /// Total length in milliseconds (rounded).
    pub fn duration_ms(&self) -> u64 {
        frames_to_ms(self.total_frames(), self.fps)
    }
}

/// Milliseconds of `frames` at `fps`, rounded to the nearest millisecond.
pub fn frames_to_ms(frames: u64, fps: u32) -> u64 {
    (frames * 1000 + u64::from(fps.max(1)) / 2) / u64::from(fps.max(1))
}

/// What went wrong in a segment render.
#[derive(Debug, thiserror::Error)]
pub enum SegmentError {
    /// Nothing to render.
    #[error("the montage has no segments")]
    Empty,
    /// A segment has no frames.
    #[error("segment {index} has no frames")]
    ZeroFrames {
        /// Position in the plan.
        index: usize,
    },
    /// The frame rate is zero.
    #[error("the output frame rate must be at least 1")]
    ZeroFps,
    /// ffmpeg or ffprobe failed.
    #[error(transparent)]
    Media(#[from] MediaError),
    /// The output failed verification.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// The joined file does not have the planned number of frames.
    #[error("the montage has {found} frames, planned {planned}")]
    FrameCount {
        /// Frames found by ffprobe.
        found: u64,
        /// Frames planned.
        planned: u64,
    },
    /// A worker task stopped unexpectedly.
    #[error("a render worker stopped unexpectedly: {0}")]
    Worker(String),
}

/// What a segment render produced.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentReport {
    /// ffprobe of the output.
    pub info: MediaInfo,
    /// Frames in the output (verified).
    pub frames: u64,
    /// Frames copied from sources without re-encoding.
    pub copied_frames: u64,
    /// Frames encoded.
    pub encoded_frames: u64,
    /// ffmpeg runs for pieces.
    pub pieces: usize,
}

/// Keyframe positions of a source, in source frames from its first frame.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyframeIndex {
    /// Stream time base (numerator, denominator).
    pub time_base: (u64, u64),
    /// Presentation timestamp of the first frame, in time-base units.
    pub start_pts: i64,
    /// Keyframes: (frame index, presentation timestamp in time-base units), ascending.
    pub keyframes: Vec<(u64, i64)>,
}

/// A contiguous range of one segment, in output frames relative to the segment start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PieceRange {
    /// Decode and encode these frames.
    Encode {
        /// First frame, relative to the segment start.
        offset: u64,
        /// Frame count.
        frames: u64,
    },
    /// Copy the GOPs starting at source keyframe `keyframe` (an index into
    /// [`KeyframeIndex::keyframes`]) for `frames` frames.
    Copy {
        /// First frame, relative to the segment start.
        offset: u64,
        /// Frame count.
        frames: u64,
        /// Index of the first keyframe in the keyframe list.
        keyframe: usize,
    },
}

impl PieceRange {
    fn frames(self) -> u64 {
        match self {
            Self::Encode { frames, .. } | Self::Copy { frames, .. } => frames,
        }
    }
}

/// Splits `frames` frames starting at source frame `in_frame` into an encoded head up to the
/// first keyframe, whole GOPs copied, and an encoded tail from the last keyframe. Keyframe
/// frame indices must be ascending. Without a whole GOP inside, the segment is one encode.
pub fn split_at_keyframes(in_frame: u64, frames: u64, keyframes: &[u64]) -> Vec<PieceRange> {
    let end = in_frame + frames;
    let first = keyframes.iter().position(|&k| k >= in_frame);
    let last = keyframes.iter().rposition(|&k| k <= end);
    let (Some(first), Some(last)) = (first, last) else {
        return vec![PieceRange::Encode { offset: 0, frames }];
    };
    if first >= last {
        return vec![PieceRange::Encode { offset: 0, frames }];
    }
    let (copy_start, copy_end) = (keyframes[first], keyframes[last]);
    let mut pieces = Vec::with_capacity(3);
    if copy_start > in_frame {
        pieces.push(PieceRange::Encode {
            offset: 0,
            frames: copy_start - in_frame,
        });
    }
    pieces.push(PieceRange::Copy {
        offset: copy_start - in_frame,
        frames: copy_end - copy_start,
        keyframe: first,
    });
    if end > copy_end {
        pieces.push(PieceRange::Encode {
            offset: copy_end - in_frame,
            frames: end - copy_end,
        });
    }
    pieces
}

/// Lists a source's keyframes with one demux pass (`ffprobe -show_entries packet`, no decode).
pub async fn probe_keyframes(path: &Path, fps: u32) -> Result<KeyframeIndex, MediaError> {
    let out = probe_video_entries(path, "stream=time_base:packet=pts,flags").await?;
    parse_keyframes(&String::from_utf8_lossy(&out), fps).ok_or_else(|| MediaError::ProbeOutput {
        path: path.to_owned(),
        detail: "no video packets with timestamps".to_owned(),
    })
}

/// Parses `ffprobe -show_entries stream=time_base:packet=pts,flags -of csv=p=0` output.
fn parse_keyframes(text: &str, fps: u32) -> Option<KeyframeIndex> {
    let mut time_base = None;
    let mut packets: Vec<(i64, bool)> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some((num, den)) = line.split_once('/') {
            if let (Ok(num), Ok(den)) = (num.trim().parse(), den.trim().parse::<u64>())
                && den > 0
            {
                time_base = Some((num, den));
            }
            continue;
        }
        let mut fields = line.split(',');
        let (Some(pts), Some(flags)) = (fields.next(), fields.next()) else {
            continue;
        };
        if let Ok(pts) = pts.parse::<i64>() {
            packets.push((pts, flags.contains('K')));
        }
    }
    let time_base: (u64, u64) = time_base?;
    let start_pts = packets.iter().map(|p| p.0).min()?;
    let frame_of = |pts: i64| -> u64 {
        let seconds = (pts - start_pts) as f64 * time_base.0 as f64 / time_base.1 as f64;
        (seconds * f64::from(fps)).round().max(0.0) as u64
    };
    let mut keyframes: Vec<(u64, i64)> = packets
        .iter()
        .filter(|p| p.1)
        .map(|&(pts, _)| (frame_of(pts), pts))
        .collect();
    keyframes.sort_unstable();
    keyframes.dedup_by_key(|k| k.0);
    Some(KeyframeIndex {
        time_base,
        start_pts,
        keyframes,
    })
}

/// True when a source's frames can be copied into the output unchanged.
fn matches_output(info: &MediaInfo, fps: u32) -> bool {
    let Some(video) = info.video.as_ref() else {
        return false;
    };
    !info.is_image
        && video.codec == "h264"
        && video.pix_fmt.as_deref() == Some("yuv420p")
        && video.width == OUTPUT_WIDTH
        && video.height == OUTPUT_HEIGHT
        && video.rotation == 0
        && video.fps.is_some_and(|f| (f - f64::from(fps)).abs() < 0.01)
}

/// One ffmpeg run: encode part of a segment, or copy GOPs.
#[derive(Debug, Clone)]
struct Piece {
    args: Vec<OsString>,
    frames: u64,
    copy: bool,
    file: String,
}

/// Renders `plan` to `output` (an `.mp4`): pieces in `work_dir`, joined, music muxed, verified
/// frame-exact. On failure or cancellation `output` is untouched and no partial file is left.
///
/// # Cancel safety
/// Dropping the future kills every running ffmpeg.
pub async fn render_segments(
    plan: &SegmentPlan,
    output: &Path,
    work_dir: &Path,
    cancel: CancellationToken,
    mut on_progress: impl FnMut(Progress) + Send,
) -> Result<SegmentReport, SegmentError> {
    validate(plan)?;
    tokio::fs::create_dir_all(work_dir)
        .await
        .map_err(|source| MediaError::io("creating", work_dir, source))?;
    let pieces = plan_pieces(plan, work_dir).await?;
    let total_frames = plan.total_frames();
    let total_ms = plan.duration_ms();
    let copied_frames: u64 = pieces.iter().filter(|p| p.copy).map(|p| p.frames).sum();
    let encoded_frames = total_frames - copied_frames;
    let list = work_dir.join("pieces.txt");
    let mut listing = String::from("ffconcat version 1.0\n");
    for piece in &pieces {
        let _ = writeln!(listing, "file {}", piece.file);
    }
    tokio::fs::write(&list, listing)
        .await
        .map_err(|source| MediaError::io("writing", &list, source))?;

    let mut done_frames = 0_u64;
    run_pool(plan, &pieces, &cancel, |frames| {
        done_frames += frames;
        // Joining and muxing take the last few percent.
        let fraction = 0.95 * done_frames as f64 / total_frames.max(1) as f64;
        on_progress(Progress {
            out_time_ms: frames_to_ms(done_frames, plan.fps),
            fraction: Some(fraction),
            speed: None,
            done: false,
        });
    })
    .await?;

    let target = AtomicOutput::new(output)?;
    Ffmpeg::new()
        .args(join_args(plan, &list))
        .total_duration_ms(total_ms)
        .cancel_on(cancel)
        .arg(target.temp_path())
        .run()
        .await?;
    let info = verify_output(target.temp_path(), total_ms).await?;
    let found = count_frames(target.temp_path()).await?;
    if found != total_frames {
        return Err(SegmentError::FrameCount {
            found,
            planned: total_frames,
        });
    }
    target.commit().await?;
    for piece in &pieces {
        let _ = tokio::fs::remove_file(work_dir.join(&piece.file)).await;
    }
    on_progress(Progress {
        out_time_ms: total_ms,
        fraction: Some(1.0),
        speed: None,
        done: true,
    });
    Ok(SegmentReport {
        info,
        frames: total_frames,
        copied_frames,
        encoded_frames,
        pieces: pieces.len(),
    })
}

fn validate(plan: &SegmentPlan) -> Result<(), SegmentError> {
    if plan.fps == 0 {
        return Err(SegmentError::ZeroFps);
    }
    if plan.segments.is_empty() {
        return Err(SegmentError::Empty);
    }
    if let Some(index) = plan.segments.iter().position(|s| s.frames == 0) {
        return Err(SegmentError::ZeroFrames { index });
    }
    Ok(())
}

/// Turns segments into ffmpeg runs, probing keyframes of sources that can be copied.
async fn plan_pieces(plan: &SegmentPlan, work_dir: &Path) -> Result<Vec<Piece>, SegmentError> {
    let mut keyframe_cache: HashMap<PathBuf, Option<KeyframeIndex>> = HashMap::new();
    let mut pieces = Vec::new();
    for (index, segment) in plan.segments.iter().enumerate() {
        let copyable = plan.smart_copy
            && segment.texts.is_empty()
            && segment.fade_in_frames == 0
            && segment.fade_out_frames == 0;
        let smart = match &segment.source {
            SegmentSource::Clip { path, info, in_ms }
                if copyable && matches_output(info, plan.fps) =>
            {
                if !keyframe_cache.contains_key(path) {
                    // A source whose packets cannot be listed is simply re-encoded.
                    let probed = probe_keyframes(path, plan.fps).await.ok();
                    keyframe_cache.insert(path.clone(), probed);
                }
                keyframe_cache
                    .get(path)
                    .and_then(Option::as_ref)
                    .map(|index| (path, *in_ms, index))
            }
            _ => None,
        };
        let ranges = match smart {
            Some((_, in_ms, keys)) => {
                let in_frame = ms_to_frame(in_ms, plan.fps);
                let frames: Vec<u64> = keys.keyframes.iter().map(|k| k.0).collect();
                split_at_keyframes(in_frame, segment.frames, &frames)
            }
            None => vec![PieceRange::Encode {
                offset: 0,
                frames: segment.frames,
            }],
        };
        let text_files = write_text_files(segment, index, work_dir).await?;
        for range in ranges {
            let file = format!("piece-{:04}.mp4", pieces.len());
            let out = work_dir.join(&file);
            let (args, copy) = match (range, smart) {
                (
                    PieceRange::Copy {
                        frames, keyframe, ..
                    },
                    Some((path, _, keys)),
                ) => (copy_args(path, keys, keyframe, frames, &out), true),
                (PieceRange::Encode { offset, frames }, smart) => {
                    let absolute = smart.map(|(_, _, keys)| keys);
                    let args =
                        encode_args(plan, segment, offset, frames, absolute, &text_files, &out);
                    (args, false)
                }
                (PieceRange::Copy { .. }, None) => continue,
            };
            pieces.push(Piece {
                args,
                frames: range.frames(),
                copy,
                file,
            });
        }
    }
    Ok(pieces)
}

fn ms_to_frame(ms: f64, fps: u32) -> u64 {
    (ms.max(0.0) * f64::from(fps) / 1000.0).round() as u64
}

async fn write_text_files(
    segment: &Segment,
    index: usize,
    work_dir: &Path,
) -> Result<Vec<PathBuf>, MediaError> {
    let mut files = Vec::with_capacity(segment.texts.len());
    for (k, text) in segment.texts.iter().enumerate() {
        let file = work_dir.join(format!("text-{index}-{k}.txt"));
        tokio::fs::write(&file, text.text.as_bytes())
            .await
            .map_err(|source| MediaError::io("writing", &file, source))?;
        files.push(file);
    }
    Ok(files)
}

/// Seconds as ffmpeg parses them (microsecond precision).
fn secs(seconds: f64) -> String {
    format!("{:.6}", seconds.max(0.0))
}

/// Copy `frames` frames of whole GOPs from keyframe `keyframe` on. The seek target is the
/// keyframe's own timestamp rounded up to the microsecond (`-seek_timestamp` makes it absolute),
/// so the backward seek lands exactly on it and the keyframe is kept.
fn copy_args(
    path: &Path,
    keys: &KeyframeIndex,
    keyframe: usize,
    frames: u64,
    out: &Path,
) -> Vec<OsString> {
    let pts = keys.keyframes.get(keyframe).map_or(keys.start_pts, |k| k.1);
    let (num, den) = keys.time_base;
    let micros = (i128::from(pts) * i128::from(num) * 1_000_000 + i128::from(den) - 1)
        .div_euclid(i128::from(den));
    let seek = format!(
        "{}{}.{:06}",
        if micros < 0 { "-" } else { "" },
        micros.abs() / 1_000_000,
        micros.abs() % 1_000_000
    );
    let mut args: Vec<OsString> = ["-seek_timestamp", "1", "-ss"].map(OsString::from).into();
    args.push(seek.into());
    args.extend(["-i".into(), path.as_os_str().to_owned()]);
    args.extend(
        [
            "-map",
            "0:v:0",
            "-frames:v",
            &frames.to_string(),
            "-c:v",
            "copy",
            "-an",
            "-sn",
            "-dn",
            "-video_track_timescale",
            PIECE_TIMESCALE,
            "-f",
            "mp4",
        ]
        .map(OsString::from),
    );
    args.push(out.as_os_str().to_owned());
    args
}

/// Input arguments and the picture chain for one source starting `offset` frames into the
/// segment. `absolute` carries the keyframe index of a copyable source: its seeks use absolute
/// timestamps so they agree exactly with the copied GOPs.
fn source_input(
    source: &SegmentSource,
    offset: u64,
    fps: u32,
    absolute: Option<&KeyframeIndex>,
    args: &mut Vec<OsString>,
) {
    let half_frame = 0.5 / f64::from(fps);
    match source {
        SegmentSource::Clip { path, in_ms, .. } => {
            let frame = ms_to_frame(*in_ms, fps) + offset;
            let relative = frame as f64 / f64::from(fps);
            // Half a frame early: the wanted frame survives rounding, the one before it does not.
            let seek = match absolute {
                Some(keys) => {
                    args.extend(["-seek_timestamp".into(), "1".into()]);
                    let start =
                        keys.start_pts as f64 * keys.time_base.0 as f64 / keys.time_base.1 as f64;
                    start + relative - half_frame
                }
                None => relative - half_frame,
            };
            args.extend(["-ss".into(), secs(seek).into(), "-i".into()]);
            args.push(path.as_os_str().to_owned());
        }
        SegmentSource::Still { path } => {
            args.push("-i".into());
            args.push(path.as_os_str().to_owned());
        }
        SegmentSource::Crossfade { from, to } => {
            source_input(from, offset, fps, None, args);
            source_input(to, offset, fps, None, args);
        }
    }
}

/// Scale/pad (or blur-pad) chain for input `input`, ending in `[label]`.
fn framing_chain(input: usize, framing: Framing, fps: u32, seconds: f64, label: &str) -> String {
    let (w, h) = (OUTPUT_WIDTH, OUTPUT_HEIGHT);
    // A still is one frame and a clip may end a frame early: hold the last frame; `-frames:v`
    // caps the length.
    let head = format!(
        "[{input}:v:0]tpad=stop_mode=clone:stop_duration={},fps={fps},setpts=PTS-STARTPTS",
        secs(seconds + 1.0)
    );
    match framing {
        Framing::Letterbox => format!(
            "{head},scale={w}:{h}:force_original_aspect_ratio=decrease:force_divisible_by=2,\
             pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=yuv420p[{label}]"
        ),
        // The background is blurred at quarter size: the same look for a sixteenth of the work.
        Framing::BlurPad => format!(
            "{head},split=2[bg{label}][fg{label}];\
             [bg{label}]scale={qw}:{qh}:force_original_aspect_ratio=increase,crop={qw}:{qh},\
             boxblur=10:2,scale={w}:{h},setsar=1[bb{label}];\
             [fg{label}]scale={w}:{h}:force_original_aspect_ratio=decrease:force_divisible_by=2,setsar=1[ff{label}];\
             [bb{label}][ff{label}]overlay=(W-w)/2:(H-h)/2,format=yuv420p[{label}]",
            qw = w / 4,
            qh = h / 4,
        ),
    }
}

/// The filter graph of an encoded piece (`offset`/`frames` relative to the segment).
fn piece_graph(
    segment: &Segment,
    offset: u64,
    frames: u64,
    fps: u32,
    text_files: &[PathBuf],
) -> String {
    let seconds = frames as f64 / f64::from(fps);
    let mut graph = if let SegmentSource::Crossfade { .. } = &segment.source {
        format!(
            "{};{};[a][b]xfade=transition=fade:duration={}:offset=0",
            framing_chain(0, segment.framing, fps, seconds, "a"),
            framing_chain(1, segment.framing, fps, seconds, "b"),
            secs(seconds),
        )
    } else {
        let chain = framing_chain(0, segment.framing, fps, seconds, "p");
        format!("{chain};[p]null")
    };
    // Fades and texts are in segment frames; `n` counts this piece's frames from 0.
    if segment.fade_in_frames > 0 && offset < segment.fade_in_frames {
        let _ = write!(
            graph,
            ",fade=t=in:s=0:n={}",
            segment.fade_in_frames.saturating_sub(offset)
        );
    }
    let fade_out_start = segment.frames.saturating_sub(segment.fade_out_frames);
    if segment.fade_out_frames > 0 && offset + frames > fade_out_start {
        let _ = write!(
            graph,
            ",fade=t=out:s={}:n={}",
            fade_out_start.saturating_sub(offset),
            segment.fade_out_frames
        );
    }
    for (text, file) in segment.texts.iter().zip(text_files) {
        let first = text.start_frame as i64 - offset as i64;
        let last = first + text.frames as i64 - 1;
        if last < 0 || first >= frames as i64 {
            continue;
        }
        let when = format!("between(n,{first},{last})");
        graph.push_str(&drawtext(&text.text, file, text.size, text.position, &when));
    }
    graph.push_str("[v]");
    graph
}

/// x264 arguments shared by every encoded piece (and the naive comparison render).
pub fn x264_args(encode: &EncodeSettings, fps: u32) -> Vec<OsString> {
    [
        "-c:v",
        "libx264",
        "-preset",
        &encode.preset,
        "-crf",
        &encode.crf.to_string(),
        "-profile:v",
        "high",
        // Fast presets turn the 8x8 transform off and would signal Constrained Baseline.
        "-x264-params",
        "8x8dct=1",
        "-pix_fmt",
        "yuv420p",
        "-g",
        &(2 * fps).to_string(),
    ]
    .map(OsString::from)
    .into()
}

fn encode_args(
    plan: &SegmentPlan,
    segment: &Segment,
    offset: u64,
    frames: u64,
    absolute: Option<&KeyframeIndex>,
    text_files: &[PathBuf],
    out: &Path,
) -> Vec<OsString> {
    let mut args: Vec<OsString> = Vec::new();
    if let Some(threads) = plan.threads {
        args.extend(["-threads".into(), threads.to_string().into()]);
    }
    source_input(&segment.source, offset, plan.fps, absolute, &mut args);
    args.extend([
        "-filter_complex".into(),
        piece_graph(segment, offset, frames, plan.fps, text_files).into(),
        "-map".into(),
        "[v]".into(),
        "-frames:v".into(),
        frames.to_string().into(),
        "-an".into(),
    ]);
    if let Some(threads) = plan.threads {
        args.extend(["-threads".into(), threads.to_string().into()]);
    }
    args.extend(x264_args(&plan.encode, plan.fps));
    args.extend(["-video_track_timescale", PIECE_TIMESCALE, "-f", "mp4"].map(OsString::from));
    args.push(out.as_os_str().to_owned());
    args
}

/// Runs the pieces on a pool of `plan.workers` ffmpeg processes, longest first.
async fn run_pool(
    plan: &SegmentPlan,
    pieces: &[Piece],
    cancel: &CancellationToken,
    mut on_done: impl FnMut(u64),
) -> Result<(), SegmentError> {
    let mut order: Vec<usize> = (0..pieces.len()).collect();
    // Copies are cheap whatever their length; encodes cost about their frame count.
    order.sort_by_key(|&i| std::cmp::Reverse(if pieces[i].copy { 0 } else { pieces[i].frames }));
    let mut queue = order.into_iter();
    let mut running: JoinSet<Result<u64, MediaError>> = JoinSet::new();
    let workers = plan.workers.max(1);
    loop {
        while running.len() < workers {
            let Some(next) = queue.next() else { break };
            let Piece { args, frames, .. } = pieces[next].clone();
            let token = cancel.clone();
            running.spawn(async move {
                Ffmpeg::new()
                    .args(args)
                    .cancel_on(token)
                    .run()
                    .await
                    .map(|()| frames)
            });
        }
        let Some(finished) = running.join_next().await else {
            return Ok(());
        };
        match finished {
            Ok(Ok(frames)) => on_done(frames),
            Ok(Err(error)) => return Err(error.into()),
            Err(join) => return Err(SegmentError::Worker(join.to_string())),
        }
    }
}

/// Concat demuxer over the pieces (video copied) plus the soundtrack, `+faststart`.
fn join_args(plan: &SegmentPlan, list: &Path) -> Vec<OsString> {
    let total = plan.total_frames() as f64 / f64::from(plan.fps);
    let mut args: Vec<OsString> = ["-f", "concat", "-safe", "0", "-i"]
        .map(OsString::from)
        .into();
    args.push(list.as_os_str().to_owned());
    let audio_chain = match &plan.audio {
        Some(audio) => {
            args.extend(["-i".into(), audio.path.as_os_str().to_owned()]);
            let mut chain = format!(
                "[1:a]aresample={OUTPUT_SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo,volume={:.3}",
                audio.volume
            );
            if audio.fade_in_ms > 0 {
                let _ = write!(
                    chain,
                    ",afade=t=in:st=0:d={}",
                    secs(audio.fade_in_ms as f64 / 1000.0)
                );
            }
            if audio.fade_out_ms > 0 {
                let fade = (audio.fade_out_ms as f64 / 1000.0).min(total);
                let _ = write!(
                    chain,
                    ",afade=t=out:st={}:d={}",
                    secs(total - fade),
                    secs(fade)
                );
            }
            chain
        }
        None => format!("anullsrc=r={OUTPUT_SAMPLE_RATE}:cl=stereo"),
    };
    // Padded then trimmed: the soundtrack is exactly as long as the picture.
    let graph = format!("{audio_chain},apad,atrim=duration={}[a]", secs(total));
    args.extend([
        "-filter_complex".into(),
        graph.into(),
        "-map".into(),
        "0:v:0".into(),
        "-map".into(),
        "[a]".into(),
        "-c:v".into(),
        "copy".into(),
        "-c:a".into(),
        "aac".into(),
        "-b:a".into(),
        format!("{}k", plan.encode.audio_kbps).into(),
        "-ar".into(),
        OUTPUT_SAMPLE_RATE.to_string().into(),
        "-ac".into(),
        "2".into(),
        "-movflags".into(),
        "+faststart".into(),
        "-f".into(),
        "mp4".into(),
    ]);
    args
}

/// `ffprobe -show_entries <entries>` of the first video stream, as bare CSV (no decode).
async fn probe_video_entries(path: &Path, entries: &str) -> Result<Vec<u8>, MediaError> {
    let ffprobe = &tools()?.ffprobe;
    let mut args: Vec<OsString> = ["-v", "error", "-select_streams", "v:0", "-show_entries"]
        .map(OsString::from)
        .into();
    args.push(entries.into());
    args.extend(["-of", "csv=p=0"].map(OsString::from));
    args.push(path.as_os_str().to_owned());
    run_capture("ffprobe", ffprobe, &args).await
}

/// Frames in the first video stream as the container records them (no decode).
pub async fn count_frames(path: &Path) -> Result<u64, MediaError> {
    let out = probe_video_entries(path, "stream=nb_frames").await?;
    String::from_utf8_lossy(&out)
        .trim()
        .parse()
        .map_err(|_| MediaError::ProbeOutput {
            path: path.to_owned(),
            detail: "no frame count for the video stream".to_owned(),
        })
}

/// The same cut list as one ffmpeg filter graph (seek and trim every source, frame,
/// concatenate, one libx264 encode): the straightforward way, kept as the baseline that benchmarks compare
/// [`render_segments`] against. Arguments without the output path.
pub fn single_graph_args(plan: &SegmentPlan) -> Vec<OsString> {
    let mut args: Vec<OsString> = Vec::new();
    let mut graph = String::new();
    let mut labels = String::new();
    let mut input = 0_usize;
    for (k, segment) in plan.segments.iter().enumerate() {
        let seconds = segment.frames as f64 / f64::from(plan.fps);
        let sources: Vec<&SegmentSource> = match &segment.source {
            SegmentSource::Crossfade { from, to } => vec![from, to],
            other => vec![other],
        };
        let mut chains = Vec::new();
        for (j, source) in sources.iter().enumerate() {
            // Input-side seeking, as a careful hand-written command would do.
            match source {
                SegmentSource::Clip { path, in_ms, .. } => {
                    args.extend([
                        "-ss".into(),
                        secs(in_ms / 1000.0).into(),
                        "-t".into(),
                        secs(seconds + 0.5).into(),
                        "-i".into(),
                        path.as_os_str().to_owned(),
                    ]);
                }
                SegmentSource::Still { path } => {
                    args.extend(["-i".into(), path.as_os_str().to_owned()]);
                }
                SegmentSource::Crossfade { .. } => continue,
            }
            let label = format!("s{k}x{j}");
            let _ = write!(
                graph,
                "[{input}:v:0]trim=duration={},{};",
                secs(seconds),
                framing_chain(0, segment.framing, plan.fps, seconds, &label)
                    .trim_start_matches("[0:v:0]")
            );
            chains.push(label);
            input += 1;
        }
        if let [a, b] = chains.as_slice() {
            let _ = write!(
                graph,
                "[{a}][{b}]xfade=transition=fade:duration={}:offset=0,trim=end_frame={}[c{k}];",
                secs(seconds),
                segment.frames
            );
        } else if let Some(a) = chains.first() {
            let _ = write!(graph, "[{a}]trim=end_frame={}[c{k}];", segment.frames);
        }
        let _ = write!(labels, "[c{k}]");
    }
    let _ = write!(graph, "{labels}concat=n={}:v=1:a=0[v]", plan.segments.len());
    let total = plan.total_frames() as f64 / f64::from(plan.fps);
    if let Some(audio) = &plan.audio {
        args.extend(["-i".into(), audio.path.as_os_str().to_owned()]);
    }
    args.extend([
        "-filter_complex".into(),
        graph.into(),
        "-map".into(),
        "[v]".into(),
    ]);
    if plan.audio.is_some() {
        args.extend(["-map".into(), format!("{input}:a:0").into()]);
    }
    args.extend(x264_args(&plan.encode, plan.fps));
    args.extend(
        [
            "-c:a",
            "aac",
            "-ar",
            "48000",
            "-ac",
            "2",
            "-t",
            &secs(total),
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
        ]
        .map(OsString::from),
    );
    args
}

#[cfg(test)]
mod tests;
