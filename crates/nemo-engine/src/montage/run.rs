//! The async side of montages: analysis, music composition (on a blocking thread), WAV
//! output, rendering; and videos from a description with generated visuals.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use futures_util::{StreamExt, TryStreamExt};

use nemo_media::generate::{Palette, Reactive, VisualsSpec, generate_visuals, palette_for_mood};
use nemo_media::render::{EncodeSettings, RenderError};
use nemo_media::segments::{SegmentError, SegmentReport, render_segments};
use nemo_media::{MediaError, MediaInfo, Progress};
use nemo_music::{
    FontChoice, Mood, MusicBrief, MusicError, NamedMood, RenderOptions, SoundFont, Style,
};
use tokio_util::sync::CancellationToken;

use super::RenderSource;
use super::plan::{
    BeatTimes, Layout, MontageOptions, MontagePlan, PlanError, layout, montage_accents,
    plan_from_layout,
};
use super::quality::MontageSource;
use super::sampled::analyze_source_sampled;
use crate::analyze::AnalyzeError;
use crate::wav::encode_wav;

/// The composed soundtrack.
#[derive(Debug, Clone, PartialEq)]
pub struct MontageMusic {
    /// The WAV (48 kHz stereo 16-bit).
    pub path: PathBuf,
    /// Display name ("upbeat pop").
    pub name: String,
    /// One-line description (mood, style, key, BPM, loudness).
    pub summary: String,
    /// Tempo.
    pub bpm: f64,
    /// Exact length.
    pub duration_ms: u64,
    /// The beat grid.
    pub beats: BeatTimes,
    /// Valence and arousal the music was written for.
    pub valence_arousal: (f32, f32),
}

/// What went wrong making a montage or a generated video.
#[derive(Debug, thiserror::Error)]
pub enum MontageError {
    /// The clips cannot be planned into the requested montage.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// A clip could not be analysed.
    #[error(transparent)]
    Analyze(#[from] AnalyzeError),
    /// The music could not be composed.
    #[error("could not compose the music: {0}")]
    Music(#[from] MusicError),
    /// The music could not be written.
    #[error("could not write the music: {0}")]
    Wav(#[from] hound::Error),
    /// ffmpeg or a file operation failed.
    #[error(transparent)]
    Media(#[from] MediaError),
    /// The montage render failed.
    #[error(transparent)]
    Render(#[from] SegmentError),
    /// The generated video failed.
    #[error(transparent)]
    Generate(#[from] RenderError),
    /// A blocking task stopped unexpectedly.
    #[error("music composition stopped unexpectedly: {0}")]
    Task(String),
}

/// A finished montage.
#[derive(Debug, Clone, PartialEq)]
pub struct MontageOutcome {
    /// The plan that was rendered.
    pub plan: MontagePlan,
    /// The soundtrack.
    pub music: MontageMusic,
    /// The render (frames copied/encoded, ffprobe of the output).
    pub report: SegmentReport,
    /// Where the time went.
    pub timings: StageTimings,
}

/// Wall-clock time of each stage of [`make_montage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StageTimings {
    /// Probing and analysing every clip.
    pub analysis: Duration,
    /// Layout, composing and writing the music, and planning the cuts.
    pub music: Duration,
    /// Rendering the MP4.
    pub render: Duration,
}

/// The system `SoundFont`, loaded once per process (`None`: nemo-music's built-in synthesiser).
fn soundfont() -> Option<&'static SoundFont> {
    static FONT: OnceLock<Option<SoundFont>> = OnceLock::new();
    FONT.get_or_init(
        || match nemo_music::find_soundfont(None, None, None, Path::exists) {
            FontChoice::Found { path, .. } => std::fs::read(&path)
                .ok()
                .and_then(|bytes| SoundFont::from_bytes(&bytes).ok()),
            _ => None,
        },
    )
    .as_ref()
}

/// The brief for a montage: as long as the montage exactly, accents at the ideal cuts, mood
/// from the user's words or else from the footage, style from the user's words.
pub fn music_brief(
    sources: &[MontageSource],
    options: &MontageOptions,
    layout: &Layout,
) -> MusicBrief {
    let words = options.mood.as_deref().unwrap_or("");
    let profiles: Vec<_> = sources.iter().map(|s| s.profile.clone()).collect();
    let mood = match NamedMood::find_in(words) {
        Some(named) => Mood::Named(named),
        None => nemo_analysis::combine(&profiles).map_or(Mood::Named(NamedMood::Upbeat), |p| {
            Mood::ValenceArousal {
                valence: p.mood.valence as f32,
                arousal: p.mood.arousal as f32,
            }
        }),
    };
    let mut brief = MusicBrief::new(
        mood,
        nemo_media::segments::frames_to_ms(layout.total_frames, options.fps.max(1)),
    );
    brief.style = options
        .style
        .as_deref()
        .and_then(Style::find_in)
        .or_else(|| Style::find_in(words));
    brief.accents_ms = montage_accents(layout, options.fps);
    brief.seed = options.seed;
    brief
}

/// Composes and synthesises `brief` on a blocking thread and writes it as a WAV in `dir`
/// (created when missing).
pub async fn compose_music(brief: MusicBrief, dir: &Path) -> Result<MontageMusic, MontageError> {
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|source| MediaError::Io {
            action: "creating",
            path: dir.to_owned(),
            source,
        })?;
    let wav = dir.join(format!("music-{}-{}.wav", brief.seed, brief.duration_ms));
    let target = nemo_media::AtomicOutput::new(&wav)?;
    let temp = target.temp_path().to_owned();
    let valence_arousal = brief.mood.valence_arousal();
    let report =
        tokio::task::spawn_blocking(move || -> Result<nemo_music::MusicReport, MontageError> {
            let rendered =
                nemo_music::compose_and_render(&brief, soundfont(), &RenderOptions::default())?;
            let bytes = encode_wav(&rendered.pcm)?;
            std::fs::write(&temp, bytes).map_err(|source| MediaError::Io {
                action: "writing",
                path: temp.clone(),
                source,
            })?;
            Ok(rendered.report)
        })
        .await
        .map_err(|e| MontageError::Task(e.to_string()))??;
    let path = target.commit().await?;
    Ok(MontageMusic {
        path,
        name: format!("{} {}", report.mood, report.style),
        summary: report.summary_line(),
        bpm: report.bpm,
        duration_ms: report.duration_ms,
        beats: BeatTimes {
            beats_ms: report.beat_times_ms,
            downbeats_ms: report.downbeat_times_ms,
        },
        valence_arousal,
    })
}

/// Clips/images to a finished 1080p montage MP4 in one call: analyse each file (sampled
/// bursts, two files at a time, see [`analyze_source_sampled`]), lay out the shots, compose the music for the cuts, snap the cuts to its beats,
/// and render with [`render_segments`] (parallel pieces, GOP copy when sources match).
/// Intermediate files go to `work_dir`; `output` is written atomically.
///
/// # Cancel safety
/// Dropping the future kills every running ffmpeg.
pub async fn make_montage(
    paths: &[PathBuf],
    options: &MontageOptions,
    encode: EncodeSettings,
    output: &Path,
    work_dir: &Path,
    cancel: CancellationToken,
    on_progress: impl FnMut(Progress) + Send,
) -> Result<MontageOutcome, MontageError> {
    tokio::fs::create_dir_all(work_dir)
        .await
        .map_err(|source| MediaError::Io {
            action: "creating",
            path: work_dir.to_owned(),
            source,
        })?;
    let started = Instant::now();
    // Two clips at a time: each sampled decode is single-threaded, one per core.
    let sources: Vec<MontageSource> = futures_util::stream::iter(paths.iter().enumerate())
        .map(|(i, path)| {
            let scratch = work_dir.join(format!("analysis-{i}"));
            async move { analyze_source_sampled(path, &scratch).await }
        })
        .buffered(2)
        .try_collect()
        .await?;
    let analysed = Instant::now();
    let summaries: Vec<_> = sources.iter().map(MontageSource::summary).collect();
    let layout = layout(&summaries, options)?;
    let music = compose_music(music_brief(&sources, options, &layout), work_dir).await?;
    let plan = plan_from_layout(&summaries, options, &layout, &music.beats);
    let planned = Instant::now();
    let render_sources: Vec<RenderSource> = sources.iter().map(RenderSource::from).collect();
    let segments = plan.segment_plan(&render_sources, Some(&music.path), encode);
    let report = render_segments(&segments, output, work_dir, cancel, on_progress).await?;
    Ok(MontageOutcome {
        plan,
        music,
        report,
        timings: StageTimings {
            analysis: analysed - started,
            music: planned - analysed,
            render: planned.elapsed(),
        },
    })
}

/// A video from a description alone.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptVideoOptions {
    /// What the user typed ("a 30-second upbeat video for my bakery opening").
    pub prompt: String,
    /// Length; see [`duration_from_text`] to read it from the prompt.
    pub duration_ms: u64,
    /// Title to show; `None` derives one with [`title_from_prompt`].
    pub title: Option<String>,
    /// Mood words; `None` looks for them in the prompt (default upbeat).
    pub mood: Option<String>,
    /// Audio-reactive layer.
    pub reactive: Reactive,
    /// Output frame rate.
    pub fps: u32,
    /// Encoder settings.
    pub encode: EncodeSettings,
    /// Composer seed.
    pub seed: u64,
}

impl PromptVideoOptions {
    /// Defaults for `prompt`: length from the prompt (30 s when it names none), waves, 30 fps.
    pub fn new(prompt: &str) -> Self {
        Self {
            prompt: prompt.to_owned(),
            duration_ms: duration_from_text(prompt).unwrap_or(30_000),
            title: None,
            mood: None,
            reactive: Reactive::Waves,
            fps: 30,
            encode: EncodeSettings::default(),
            seed: 0,
        }
    }
}

/// A finished generated video.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptVideo {
    /// ffprobe of the output.
    pub info: MediaInfo,
    /// The soundtrack.
    pub music: MontageMusic,
    /// The colours used.
    pub palette: Palette,
    /// The title drawn (if any).
    pub title: Option<String>,
    /// Always true: the picture is generated, not footage. Replies must say so.
    pub visuals_generated: bool,
}

/// Music from the prompt's mood, then generated visuals that follow it (palette from the
/// mood, beat pulses, audio-reactive layer, title). The caller's reply must say the visuals
/// are generated and invite the user to upload clips.
///
/// # Cancel safety
/// Dropping the future kills ffmpeg.
pub async fn video_from_prompt(
    options: &PromptVideoOptions,
    output: &Path,
    work_dir: &Path,
    cancel: CancellationToken,
    on_progress: impl FnMut(Progress) + Send,
) -> Result<PromptVideo, MontageError> {
    tokio::fs::create_dir_all(work_dir)
        .await
        .map_err(|source| MediaError::Io {
            action: "creating",
            path: work_dir.to_owned(),
            source,
        })?;
    let words = options.mood.as_deref().unwrap_or(&options.prompt);
    let mood = NamedMood::find_in(words).unwrap_or(NamedMood::Upbeat);
    let mut brief = MusicBrief::new(
        Mood::Named(mood),
        options.duration_ms.max(nemo_music::MIN_DURATION_MS),
    );
    brief.style = Style::find_in(&options.prompt);
    brief.seed = options.seed;
    let music = compose_music(brief, work_dir).await?;
    let (valence, arousal) = music.valence_arousal;
    let palette = palette_for_mood(valence, arousal);
    let title = options
        .title
        .clone()
        .or_else(|| title_from_prompt(&options.prompt))
        .filter(|t| !t.trim().is_empty());
    let spec = VisualsSpec {
        music: music.path.clone(),
        duration_ms: music.duration_ms,
        beat_times_ms: music.beats.beats_ms.clone(),
        downbeat_times_ms: music.beats.downbeats_ms.clone(),
        palette: palette.clone(),
        title: title.clone(),
        reactive: options.reactive,
        fps: options.fps,
        encode: options.encode.clone(),
    };
    let info = generate_visuals(&spec, output, work_dir, cancel, on_progress).await?;
    Ok(PromptVideo {
        info,
        music,
        palette,
        title,
        visuals_generated: true,
    })
}

fn duration_regex() -> &'static regex::Regex {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| {
        #[allow(clippy::expect_used)] // a constant pattern, covered by tests
        regex::Regex::new(
            r"(?i)(\d+(?:\.\d+)?)\s*-?\s*(seconds?|secs?|s\b|minutes?|mins?|m\b|秒钟|秒|分钟|分)",
        )
        .expect("valid duration pattern")
    })
}

/// A length named in free text: "30-second", "60s", "1.5 minutes", "60秒", "2分钟".
pub fn duration_from_text(text: &str) -> Option<u64> {
    let caps = duration_regex().captures(text)?;
    let value: f64 = caps.get(1)?.as_str().parse().ok()?;
    let unit = caps.get(2)?.as_str().to_lowercase();
    let seconds = if unit.starts_with('m') || unit.starts_with('分') {
        value * 60.0
    } else {
        value
    };
    (seconds > 0.0 && seconds <= 3600.0).then(|| (seconds * 1000.0).round() as u64)
}

/// A title from a description: quoted text when there is some ("'Tokyo 2026'", 「开业」),
/// otherwise what the video is for ("for my bakery opening" -> "Bakery Opening"), otherwise the
/// Chinese subject between the length and "视频" ("生成一个60秒的旅行混剪视频" -> "旅行混剪").
pub fn title_from_prompt(prompt: &str) -> Option<String> {
    static QUOTED: OnceLock<regex::Regex> = OnceLock::new();
    static PURPOSE: OnceLock<regex::Regex> = OnceLock::new();
    static CHINESE: OnceLock<regex::Regex> = OnceLock::new();
    #[allow(clippy::expect_used)] // constant patterns, covered by tests
    let quoted = QUOTED.get_or_init(|| {
        regex::Regex::new(r#"["“”'‘’「『《]([^"“”'‘’」』》]{1,60})["“”'‘’」』》]"#)
            .expect("valid pattern")
    });
    if let Some(c) = quoted.captures(prompt) {
        return c.get(1).map(|m| m.as_str().trim().to_owned());
    }
    #[allow(clippy::expect_used)]
    let purpose = PURPOSE.get_or_init(|| {
        regex::Regex::new(
            r"(?i)\b(?:for|about|of|celebrating)\s+(?:my|our|the|a|an)?\s*([\p{L}\p{N} &'-]{2,60})",
        )
        .expect("valid pattern")
    });
    if let Some(c) = purpose.captures(prompt) {
        let words: Vec<String> = c
            .get(1)?
            .as_str()
            .split_whitespace()
            .take(6)
            .map(capitalise)
            .collect();
        return (!words.is_empty()).then(|| words.join(" "));
    }
    #[allow(clippy::expect_used)]
    let chinese = CHINESE.get_or_init(|| {
        regex::Regex::new(r"(?:\d+\s*(?:秒钟|秒|分钟|分)的?|一个|一段|做|生成|制作)([\p{Han}]{2,12}?)(?:视频|短片|影片)")
            .expect("valid pattern")
    });
    chinese
        .captures(prompt)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().trim_start_matches('的').to_owned())
        .filter(|t| !t.is_empty())
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
