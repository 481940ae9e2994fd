//! Draft render plan -> ffmpeg command line, and the render itself.
//!
//! A [`RenderPlan`] is the timeline resolved to local files: visual segments played back to
//! back (video clips with in-points, still images held for a duration), audio segments placed
//! on the timeline (music beds with volume and fades) and text overlays. [`ffmpeg_args`] turns
//! it into one ffmpeg invocation:
//!
//! - every visual is trimmed, scaled to fit 1920x1080 keeping its aspect ratio and padded
//!   with black (never stretched), converted to a constant frame rate and concatenated;
//! - texts are burnt in with `drawtext` reading the text from a file (`textfile=`, with
//!   `expansion=none`), so user text never passes through filter-graph escaping at all;
//! - clip audio and music are positioned with `adelay`, faded, and summed over a silent bed
//!   as long as the video (`amix` with `normalize=0`, so volumes mean what they say);
//! - output is H.264 High yuv420p + AAC 48 kHz stereo with `+faststart`.
//!
//! When the picture needs no re-encode (one 1080p H.264 yuv420p clip from its start, no
//! texts) the video stream is copied and only the audio is rebuilt ([`VideoMode::Copy`]).
//!
//! [`render`] runs the command through [`Ffmpeg`] (progress, cancellation, temp-then-rename)
//! and verifies the result with ffprobe before reporting success.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tokio_util::sync::CancellationToken;

use crate::{Ffmpeg, MediaError, MediaInfo, Progress, probe};

/// Output width of every render.
pub const OUTPUT_WIDTH: u32 = 1920;
/// Output height of every render.
pub const OUTPUT_HEIGHT: u32 = 1080;
/// Output audio sample rate.
pub const OUTPUT_SAMPLE_RATE: u32 = 48_000;
/// How far the rendered duration may drift from the plan before the output is rejected.
pub const DURATION_TOLERANCE_MS: u64 = 150;
/// Font used for Latin text.
pub const LATIN_FONT_FILE: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// Everything a render needs, resolved to local files.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderPlan {
    /// Pictures, played back to back in this order.
    pub visuals: Vec<VisualSegment>,
    /// Sounds placed on the timeline (clip audio is taken from the visuals themselves).
    pub audio: Vec<AudioSegment>,
    /// Burnt-in texts.
    pub texts: Vec<TextSegment>,
    /// Output frame rate when re-encoding.
    pub fps: u32,
    /// Encoder settings.
    pub encode: EncodeSettings,
}

/// x264 settings: `preset` trades speed for size (tests use `ultrafast`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeSettings {
    /// x264 preset, e.g. `medium`, `veryfast`, `ultrafast`.
    pub preset: String,
    /// Constant rate factor (lower is better quality).
    pub crf: u8,
    /// AAC bit rate in kbit/s.
    pub audio_kbps: u32,
}

impl Default for EncodeSettings {
    fn default() -> Self {
        Self {
            preset: "veryfast".to_owned(),
            crf: 20,
            audio_kbps: 192,
        }
    }
}

/// One picture segment.
#[derive(Debug, Clone, PartialEq)]
pub struct VisualSegment {
    /// The source file.
    pub path: PathBuf,
    /// What ffprobe said about it at upload time.
    pub info: MediaInfo,
    /// Where playback starts inside the source (ignored for images).
    pub in_ms: u64,
    /// How long the segment lasts on the timeline.
    pub duration_ms: u64,
    /// Gain of the clip's own audio (1.0 = unchanged, 0 = muted).
    pub volume: f64,
}

impl VisualSegment {
    fn is_image(&self) -> bool {
        self.info.is_image || self.info.duration_ms.is_none()
    }

    fn has_audio(&self) -> bool {
        !self.is_image() && self.info.audio.is_some() && self.volume > 0.0
    }
}

/// One sound on the timeline (music bed, voice-over, sound effect).
#[derive(Debug, Clone, PartialEq)]
pub struct AudioSegment {
    /// The source file.
    pub path: PathBuf,
    /// Source duration when known; a segment longer than its source loops it.
    pub source_duration_ms: Option<u64>,
    /// Where it starts on the timeline.
    pub start_ms: u64,
    /// Where playback starts inside the source.
    pub in_ms: u64,
    /// How long it plays.
    pub duration_ms: u64,
    /// Gain, 1.0 = unchanged.
    pub volume: f64,
    /// Fade-in length.
    pub fade_in_ms: u64,
    /// Fade-out length.
    pub fade_out_ms: u64,
}

/// Where a text sits on the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextPosition {
    /// Centred (titles).
    #[default]
    Center,
    /// Lower third (captions).
    Bottom,
    /// Upper third.
    Top,
}

/// One burnt-in text.
#[derive(Debug, Clone, PartialEq)]
pub struct TextSegment {
    /// The text as the user typed it (any characters; never interpreted).
    pub text: String,
    /// When it appears.
    pub start_ms: u64,
    /// How long it stays.
    pub duration_ms: u64,
    /// Font size in pixels at 1080p.
    pub size: u32,
    /// Placement.
    pub position: TextPosition,
}

/// How the video stream is produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VideoMode {
    /// Decode, scale/pad, burn texts, encode H.264.
    Encode,
    /// Copy the single clip's H.264 stream untouched.
    Copy,
}

/// Why a plan cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// Nothing to show and nothing to hear.
    #[error("the timeline is empty: add a clip, an image or some music first")]
    Empty,
    /// A segment has zero length.
    #[error("segment {index} of the {track} track has no duration")]
    ZeroDuration {
        /// `video`, `audio` or `text`.
        track: &'static str,
        /// Position in its track.
        index: usize,
    },
}

/// What a finished render produced.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderReport {
    /// ffprobe of the output.
    pub info: MediaInfo,
    /// Whether the video stream was copied.
    pub mode: VideoMode,
    /// Planned duration.
    pub planned_ms: u64,
}

impl RenderPlan {
    /// Length of the output: the visuals back to back, or the end of the last sound or text
    /// when there are no visuals (then the picture is black).
    pub fn duration_ms(&self) -> u64 {
        if self.visuals.is_empty() {
            let audio_end = self.audio.iter().map(|a| a.start_ms + a.duration_ms);
            let text_end = self.texts.iter().map(|t| t.start_ms + t.duration_ms);
            audio_end.chain(text_end).max().unwrap_or(0)
        } else {
            self.visuals.iter().map(|v| v.duration_ms).sum()
        }
    }

    /// Checks the plan can produce a non-empty file.
    pub fn validate(&self) -> Result<(), PlanError> {
        for (index, v) in self.visuals.iter().enumerate() {
            if v.duration_ms == 0 {
                return Err(PlanError::ZeroDuration {
                    track: "video",
                    index,
                });
            }
        }
        for (index, a) in self.audio.iter().enumerate() {
            if a.duration_ms == 0 {
                return Err(PlanError::ZeroDuration {
                    track: "audio",
                    index,
                });
            }
        }
        for (index, t) in self.texts.iter().enumerate() {
            if t.duration_ms == 0 {
                return Err(PlanError::ZeroDuration {
                    track: "text",
                    index,
                });
            }
        }
        if self.duration_ms() == 0 {
            return Err(PlanError::Empty);
        }
        Ok(())
    }

    /// Stream copy applies when the picture would come out unchanged: one video clip,
    /// already H.264 yuv420p at exactly 1920x1080 (unrotated), played from its start, with no
    /// text to burn in.
    pub fn video_mode(&self) -> VideoMode {
        let [only] = self.visuals.as_slice() else {
            return VideoMode::Encode;
        };
        let Some(video) = only.info.video.as_ref() else {
            return VideoMode::Encode;
        };
        let fits = !only.is_image()
            && video.codec == "h264"
            && video.pix_fmt.as_deref() == Some("yuv420p")
            && video.width == OUTPUT_WIDTH
            && video.height == OUTPUT_HEIGHT
            && video.rotation == 0
            && only.in_ms == 0
            && only
                .info
                .duration_ms
                .is_some_and(|d| only.duration_ms <= d + 50)
            && self.texts.is_empty();
        if fits {
            VideoMode::Copy
        } else {
            VideoMode::Encode
        }
    }
}

/// Seconds with millisecond precision, as ffmpeg options expect.
fn secs(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// Escapes a value for a filter option inside a filter graph: first the option level
/// (`\`, `'`, `:`), then the graph level (`\`, `'`, `[`, `]`, `,`, `;`).
pub fn escape_filter_value(value: &str) -> String {
    let mut level1 = String::with_capacity(value.len());
    for ch in value.chars() {
        if matches!(ch, '\\' | '\'' | ':') {
            level1.push('\\');
        }
        level1.push(ch);
    }
    let mut level2 = String::with_capacity(level1.len());
    for ch in level1.chars() {
        if matches!(ch, '\\' | '\'' | '[' | ']' | ',' | ';') {
            level2.push('\\');
        }
        level2.push(ch);
    }
    level2
}

/// Whether a text needs a CJK-capable font (`DejaVu Sans` has no Han/Kana/Hangul glyphs).
pub(crate) fn needs_cjk_font(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c as u32, 0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
    })
}

/// CJK font files of the usual Debian/Ubuntu packages, preferred first (`fonts-noto-cjk`,
/// `fonts-wqy-microhei`, `fonts-wqy-zenhei`, `fonts-arphic-uming`, `fonts-droid-fallback`).
const CJK_FONT_FILES: [&str; 5] = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
];

/// An installed font file with Chinese glyphs: a known package's file, else the first font
/// fontconfig lists for Chinese (`fc-list`, when present). Looked up once per process.
///
/// A file, because drawtext's fontconfig lookup ignores `:lang=`: a pattern like
/// `sans:lang=zh` quietly resolves to `DejaVu Sans` and draws empty boxes.
pub(crate) fn cjk_font_file() -> Option<&'static Path> {
    static FOUND: OnceLock<Option<PathBuf>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            let known = CJK_FONT_FILES
                .iter()
                .map(PathBuf::from)
                .find(|p| p.is_file());
            known.or_else(listed_cjk_font)
        })
        .as_deref()
}

/// The first file `fc-list :lang=zh-cn file` names.
fn listed_cjk_font() -> Option<PathBuf> {
    let output = std::process::Command::new("fc-list")
        .args([":lang=zh-cn", "file"])
        .output()
        .ok()?;
    let listing = String::from_utf8_lossy(&output.stdout);
    let first = listing.lines().next()?.trim().trim_end_matches(':');
    Some(PathBuf::from(first)).filter(|p| p.is_file())
}

/// The font part of a drawtext filter: `DejaVu Sans` for Latin text, an installed CJK font for
/// Chinese, Japanese or Korean (see [`cjk_font_file`]; without one the text shows as boxes,
/// and the render logs how to install one).
pub(crate) fn font_option(text: &str) -> String {
    if needs_cjk_font(text) {
        if let Some(file) = cjk_font_file() {
            format!("fontfile={}", escape_filter_value(&file.to_string_lossy()))
        } else {
            tracing::warn!(
                "no CJK font installed: Chinese text will show as boxes \
                 (sudo apt-get install fonts-wqy-microhei)"
            );
            format!("font={}", escape_filter_value("sans"))
        }
    } else if Path::new(LATIN_FONT_FILE).is_file() {
        format!("fontfile={}", escape_filter_value(LATIN_FONT_FILE))
    } else {
        format!("font={}", escape_filter_value("DejaVu Sans"))
    }
}

/// `,drawtext=...` for `text` (read from `file`, so no user text reaches the command line):
/// white with a dark outline, centred horizontally at `position`, shown while the `enable`
/// expression `when` holds.
pub(crate) fn drawtext(
    text: &str,
    file: &Path,
    size: u32,
    position: TextPosition,
    when: &str,
) -> String {
    let y = match position {
        TextPosition::Center => "(h-text_h)/2",
        TextPosition::Bottom => "h*0.8-text_h/2",
        TextPosition::Top => "h*0.15",
    };
    format!(
        ",drawtext={font}:textfile={file}:expansion=none:fontsize={size}:fontcolor=white:\
         borderw=4:bordercolor=black@0.7:x=(w-text_w)/2:y={y}:enable='{when}'",
        font = font_option(text),
        file = escape_filter_value(&file.to_string_lossy()),
    )
}

/// Builds ffmpeg's arguments (inputs, filter graph, encoders) for `plan`, without the output
/// path. `text_files[i]` must hold `plan.texts[i].text`.
pub fn ffmpeg_args(plan: &RenderPlan, text_files: &[PathBuf]) -> Vec<OsString> {
    let mode = plan.video_mode();
    let total_ms = plan.duration_ms();
    let mut args: Vec<OsString> = Vec::new();
    let mut graph: Vec<String> = Vec::new();
    let mut input = 0_usize;
    let mut mix_inputs: Vec<String> = Vec::new();

    // Silent bed as long as the video: fixes the output audio length and layout.
    graph.push(format!(
        "anullsrc=r={OUTPUT_SAMPLE_RATE}:cl=stereo,atrim=duration={}[abed]",
        secs(total_ms)
    ));
    mix_inputs.push("[abed]".to_owned());

    let mut video_labels: Vec<String> = Vec::new();
    let mut timeline_ms = 0_u64;
    for (k, seg) in plan.visuals.iter().enumerate() {
        if seg.is_image() {
            args.push("-i".into());
            args.push(seg.path.clone().into_os_string());
        } else {
            args.extend([
                "-ss".into(),
                secs(seg.in_ms).into(),
                "-t".into(),
                secs(seg.duration_ms).into(),
            ]);
            args.push("-i".into());
            args.push(seg.path.clone().into_os_string());
        }
        if mode == VideoMode::Encode {
            let hold = if seg.is_image() {
                // A still is one frame: clone it for the whole segment.
                format!(
                    "tpad=stop_mode=clone:stop_duration={},",
                    secs(seg.duration_ms)
                )
            } else {
                String::new()
            };
            graph.push(format!(
                "[{input}:v:0]{hold}fps={fps},trim=duration={d},setpts=PTS-STARTPTS,\
                 scale={OUTPUT_WIDTH}:{OUTPUT_HEIGHT}:force_original_aspect_ratio=decrease,\
                 pad={OUTPUT_WIDTH}:{OUTPUT_HEIGHT}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=yuv420p[v{k}]",
                fps = plan.fps,
                d = secs(seg.duration_ms),
            ));
            video_labels.push(format!("[v{k}]"));
        }
        if seg.has_audio() {
            graph.push(format!(
                "[{input}:a:0]atrim=duration={d},asetpts=PTS-STARTPTS,aresample={OUTPUT_SAMPLE_RATE},\
                 aformat=sample_fmts=fltp:channel_layouts=stereo,volume={vol:.3},adelay=delays={delay}:all=1[ca{k}]",
                d = secs(seg.duration_ms),
                vol = seg.volume,
                delay = timeline_ms,
            ));
            mix_inputs.push(format!("[ca{k}]"));
        }
        timeline_ms += seg.duration_ms;
        input += 1;
    }

    for (k, seg) in plan.audio.iter().enumerate() {
        let needs_loop = seg
            .source_duration_ms
            .is_some_and(|src| seg.in_ms + seg.duration_ms > src);
        if needs_loop {
            args.extend(["-stream_loop".into(), "-1".into()]);
        }
        args.push("-i".into());
        args.push(seg.path.clone().into_os_string());
        let mut chain = format!(
            "[{input}:a:0]atrim=start={start}:duration={d},asetpts=PTS-STARTPTS,aresample={OUTPUT_SAMPLE_RATE},\
             aformat=sample_fmts=fltp:channel_layouts=stereo,volume={vol:.3}",
            start = secs(seg.in_ms),
            d = secs(seg.duration_ms),
            vol = seg.volume,
        );
        if seg.fade_in_ms > 0 {
            let _ = write!(
                chain,
                ",afade=t=in:st=0:d={}",
                secs(seg.fade_in_ms.min(seg.duration_ms))
            );
        }
        if seg.fade_out_ms > 0 {
            let fade = seg.fade_out_ms.min(seg.duration_ms);
            let _ = write!(
                chain,
                ",afade=t=out:st={}:d={}",
                secs(seg.duration_ms - fade),
                secs(fade)
            );
        }
        let _ = write!(chain, ",adelay=delays={}:all=1[ma{k}]", seg.start_ms);
        graph.push(chain);
        mix_inputs.push(format!("[ma{k}]"));
        input += 1;
    }

    graph.push(format!(
        "{}amix=inputs={}:duration=first:dropout_transition=0:normalize=0,\
         aformat=sample_fmts=fltp:sample_rates={OUTPUT_SAMPLE_RATE}:channel_layouts=stereo[aout]",
        mix_inputs.concat(),
        mix_inputs.len()
    ));

    let video_out = if mode == VideoMode::Encode {
        let mut chain = if video_labels.is_empty() {
            format!(
                "color=c=black:s={OUTPUT_WIDTH}x{OUTPUT_HEIGHT}:r={}:d={},format=yuv420p",
                plan.fps,
                secs(total_ms)
            )
        } else {
            format!(
                "{}concat=n={}:v=1:a=0",
                video_labels.concat(),
                video_labels.len()
            )
        };
        for (text, file) in plan.texts.iter().zip(text_files) {
            let when = format!(
                "between(t,{},{})",
                secs(text.start_ms),
                secs(text.start_ms + text.duration_ms)
            );
            chain.push_str(&drawtext(&text.text, file, text.size, text.position, &when));
        }
        chain.push_str("[vout]");
        graph.push(chain);
        "[vout]".to_owned()
    } else {
        "0:v:0".to_owned()
    };

    args.push("-filter_complex".into());
    args.push(graph.join(";").into());
    args.extend([
        "-map".into(),
        video_out.into(),
        "-map".into(),
        "[aout]".into(),
    ]);
    match mode {
        VideoMode::Encode => args.extend(
            [
                "-c:v",
                "libx264",
                "-preset",
                &plan.encode.preset,
                "-crf",
                &plan.encode.crf.to_string(),
                "-profile:v",
                "high",
                // x264 signals the lowest profile the tools used need; fast presets turn the
                // 8x8 transform off and would come out Constrained Baseline.
                "-x264-params",
                "8x8dct=1",
                "-pix_fmt",
                "yuv420p",
            ]
            .map(OsString::from),
        ),
        VideoMode::Copy => args.extend(["-c:v", "copy"].map(OsString::from)),
    }
    args.extend(
        [
            "-c:a",
            "aac",
            "-b:a",
            &format!("{}k", plan.encode.audio_kbps),
            "-ar",
            &OUTPUT_SAMPLE_RATE.to_string(),
            "-ac",
            "2",
            "-t",
            &secs(total_ms),
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
        ]
        .map(OsString::from),
    );
    args
}

/// Renders `plan` to `output` (an `.mp4` path): writes the text files into `work_dir`, runs
/// ffmpeg with progress, renames the temp output into place and verifies it with ffprobe.
/// On any failure, cancellation included, `output` is left untouched.
///
/// # Cancel safety
/// Dropping the future kills ffmpeg and removes the partial file.
pub async fn render(
    plan: &RenderPlan,
    output: &Path,
    work_dir: &Path,
    cancel: CancellationToken,
    on_progress: impl FnMut(Progress) + Send,
) -> Result<RenderReport, RenderError> {
    plan.validate()?;
    tokio::fs::create_dir_all(work_dir)
        .await
        .map_err(|source| MediaError::Io {
            action: "creating",
            path: work_dir.to_owned(),
            source,
        })?;
    let mut text_files = Vec::with_capacity(plan.texts.len());
    for (i, text) in plan.texts.iter().enumerate() {
        let file = work_dir.join(format!("text-{i}.txt"));
        tokio::fs::write(&file, text.text.as_bytes())
            .await
            .map_err(|source| MediaError::Io {
                action: "writing",
                path: file.clone(),
                source,
            })?;
        text_files.push(file);
    }
    let planned_ms = plan.duration_ms();
    let verify_target = output.with_extension("verify.mp4");
    Ffmpeg::new()
        .args(ffmpeg_args(plan, &text_files))
        .total_duration_ms(planned_ms)
        .cancel_on(cancel)
        .run_to_file(&verify_target, on_progress)
        .await?;
    let info = match verify_output(&verify_target, planned_ms).await {
        Ok(info) => info,
        Err(e) => {
            let _ = tokio::fs::remove_file(&verify_target).await;
            return Err(e);
        }
    };
    tokio::fs::rename(&verify_target, output)
        .await
        .map_err(|source| MediaError::Io {
            action: "renaming into",
            path: output.to_owned(),
            source,
        })?;
    Ok(RenderReport {
        info,
        mode: plan.video_mode(),
        planned_ms,
    })
}

/// Errors of [`render`].
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The plan cannot be rendered.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// ffmpeg or ffprobe failed.
    #[error(transparent)]
    Media(#[from] MediaError),
    /// ffmpeg succeeded but the file is not what was asked for.
    #[error("the rendered file failed verification: {0}")]
    Verify(String),
}

/// Checks a finished render: H.264 yuv420p 1920x1080, AAC 48 kHz stereo, planned duration.
pub async fn verify_output(path: &Path, planned_ms: u64) -> Result<MediaInfo, RenderError> {
    let info = probe(path).await?;
    let video = info
        .video
        .as_ref()
        .ok_or_else(|| RenderError::Verify("no video stream".to_owned()))?;
    let audio = info
        .audio
        .as_ref()
        .ok_or_else(|| RenderError::Verify("no audio stream".to_owned()))?;
    let mut problems = Vec::new();
    if video.codec != "h264" {
        problems.push(format!("video codec {}", video.codec));
    }
    if video.pix_fmt.as_deref() != Some("yuv420p") {
        problems.push(format!("pixel format {:?}", video.pix_fmt));
    }
    if (video.display_width(), video.display_height()) != (OUTPUT_WIDTH, OUTPUT_HEIGHT) {
        problems.push(format!(
            "size {}x{}",
            video.display_width(),
            video.display_height()
        ));
    }
    if audio.codec != "aac" || audio.sample_rate != OUTPUT_SAMPLE_RATE || audio.channels != 2 {
        problems.push(format!(
            "audio {} {} Hz {} ch",
            audio.codec, audio.sample_rate, audio.channels
        ));
    }
    match info.duration_ms {
        Some(d) if d.abs_diff(planned_ms) <= DURATION_TOLERANCE_MS => {}
        other => problems.push(format!("duration {other:?} ms, planned {planned_ms} ms")),
    }
    if problems.is_empty() {
        Ok(info)
    } else {
        Err(RenderError::Verify(problems.join(", ")))
    }
}

#[cfg(test)]
mod tests;
