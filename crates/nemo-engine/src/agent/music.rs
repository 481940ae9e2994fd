//! Generated background music: a brief from the request (and, when asked to match the video,
//! from the clips' analysis), composed and synthesised by `nemo-music`, encoded as WAV.
//!
//! With a [`FitPlan`] (see [`crate::fit`]) the track is fitted to the video: exact length, mood
//! from the picture (nudged by the user's words), beats on the cuts, the seed whose sections
//! change nearest the big cuts, and a gain envelope following the picture's energy. Ducking
//! under speech and the final loudness happen at render time (the worker), so later edits of
//! the clips' volume or the "mute the original audio" flag still apply.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::OnceLock;

use nemo_music::{FontChoice, MusicBrief, MusicError, NamedMood, RenderOptions, SoundFont};
use serde_json::{Value, json};

use super::edit::GeneratedInfo;
use crate::fit::{self, FitPlan, FitReport};
use crate::wav::encode_wav;

/// Shortest track the composer writes.
pub const MIN_MUSIC_MS: u64 = nemo_music::MIN_DURATION_MS;
/// Length used when there is no video to fit and none was asked for.
pub const DEFAULT_MUSIC_MS: u64 = 30_000;

/// What to compose.
#[derive(Debug, Clone, PartialEq)]
pub struct MusicSpec {
    /// A named mood ("calm", "欢快", ...); `None` uses `valence_arousal` or calm.
    pub mood: Option<String>,
    /// Mood from video analysis, used when no mood word was given.
    pub valence_arousal: Option<(f32, f32)>,
    pub length_ms: u64,
    /// Times that should land on beats (clip boundaries, cuts).
    pub accents_ms: Vec<u64>,
    pub seed: u64,
    /// Fit to the video (overrides `length_ms`, `valence_arousal` and `accents_ms`).
    pub fit: Option<FitPlan>,
}

/// A finished track.
#[derive(Debug, Clone)]
pub struct GeneratedTrack {
    /// 16-bit 48 kHz stereo WAV.
    pub wav: Vec<u8>,
    /// Display name ("calm piano").
    pub name: String,
    pub info: GeneratedInfo,
    /// The generator's report (beat grid, loudness, sections) for `generated_media`.
    pub report: Value,
    pub duration_ms: u64,
    /// How well it fits the video, when it was fitted.
    pub fit: Option<FitReport>,
}

/// Errors of music generation.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error(transparent)]
    Music(#[from] MusicError),
    #[error("could not encode the music as WAV: {0}")]
    Wav(#[from] hound::Error),
}

/// Loads the system `SoundFont` now (call it on a blocking thread while the video is analysed,
/// so generation does not wait for it later).
pub fn preload_soundfont() {
    let _ = soundfont();
}

/// The system `SoundFont`, loaded once per process (`None`: use the built-in synthesiser).
fn soundfont() -> Option<&'static SoundFont> {
    static FONT: OnceLock<Option<SoundFont>> = OnceLock::new();
    FONT.get_or_init(|| match nemo_music::find_soundfont(None, None, None, Path::exists) {
        FontChoice::Found { path, .. } => {
            let loaded = std::fs::read(&path).ok().and_then(|bytes| SoundFont::from_bytes(&bytes).ok());
            if loaded.is_none() {
                tracing::warn!(path = %path.display(), "SoundFont unreadable; using the built-in synthesiser");
            }
            loaded
        }
        _ => None,
    })
    .as_ref()
}

/// The brief for a spec.
pub fn brief(spec: &MusicSpec) -> MusicBrief {
    let mood = match (
        spec.mood.as_deref().and_then(NamedMood::parse),
        spec.valence_arousal,
    ) {
        (Some(named), _) => nemo_music::Mood::Named(named),
        (None, Some((valence, arousal))) => nemo_music::Mood::ValenceArousal { valence, arousal },
        (None, None) => nemo_music::Mood::default(),
    };
    let mut brief = MusicBrief::new(mood, spec.length_ms.max(MIN_MUSIC_MS));
    brief.accents_ms.clone_from(&spec.accents_ms);
    brief.seed = spec.seed;
    brief
}

/// Composes, synthesises and encodes a track; CPU-bound, run it on a blocking thread.
/// `progress` receives 0..=1.
pub fn generate(
    spec: &MusicSpec,
    progress: &mut dyn FnMut(f32),
) -> Result<GeneratedTrack, GenerateError> {
    let brief = match &spec.fit {
        Some(plan) => fit::fit_brief(
            plan,
            spec.mood.as_deref().and_then(NamedMood::parse),
            spec.seed,
        ),
        None => brief(spec),
    };
    generate_brief(&brief, spec.fit.as_ref(), progress)
}

/// Composes a whole [`MusicBrief`] (mood, style, tempo, key, accents; what a restyle asks for)
/// and, with a [`FitPlan`], fits it to the video as [`generate`] does: the brief's accents and
/// length are used as given (build them from the plan, e.g. with [`fit::fit_brief`]), the seed
/// whose sections change nearest the plan's big cuts is chosen, and the energy envelope and
/// the loudness target are applied. CPU-bound; `progress` receives 0..=1.
pub fn generate_brief(
    brief: &MusicBrief,
    fit: Option<&FitPlan>,
    progress: &mut dyn FnMut(f32),
) -> Result<GeneratedTrack, GenerateError> {
    let mut on_stage = |stage: nemo_music::Stage, fraction: f32| {
        let overall = match stage {
            nemo_music::Stage::Compose => 0.1 * fraction,
            nemo_music::Stage::Synthesize => 0.1 + 0.8 * fraction,
            nemo_music::Stage::Loudness => 0.9 + 0.1 * fraction,
        };
        progress(overall);
    };
    let (rendered, seed, fit_report) = if let Some(plan) = fit {
        let (rendered, report) = render_fitted(brief, plan, &mut on_stage)?;
        let seed = report.seed;
        (rendered, seed, Some(report))
    } else {
        let rendered = nemo_music::compose_and_render_with_progress(
            brief,
            soundfont(),
            &RenderOptions::default(),
            &mut on_stage,
        )?;
        (rendered, brief.seed, None)
    };
    let report = &rendered.report;
    let wav = encode_wav(&rendered.pcm)?;
    let info = GeneratedInfo {
        mood: report.mood.clone(),
        style: report.style.clone(),
        key: report.key.clone(),
        bpm: report.bpm,
        fitted: fit
            .zip(fit_report.as_ref())
            .map(|(plan, r)| fitted_summary(plan, r)),
    };
    Ok(GeneratedTrack {
        wav,
        name: format!("{} {}", report.mood, report.style),
        report: json!({
            "summary": report.summary_line(),
            "mood": report.mood,
            "style": report.style,
            "key": report.key,
            "bpm": report.bpm,
            "bars": report.bars,
            "duration_ms": report.duration_ms,
            "beat_times_ms": report.beat_times_ms,
            "downbeat_times_ms": report.downbeat_times_ms,
            "sections": report.sections.iter().map(|s| json!({
                "kind": s.kind.name(), "start_ms": s.start_ms, "end_ms": s.end_ms,
            })).collect::<Vec<_>>(),
            "accent_hit_ratio": report.accent_hit_ratio,
            "integrated_lufs": report.integrated_lufs,
            "true_peak_dbtp": report.true_peak_dbtp,
            "synth": report.synth,
            "seed": seed,
            "fit": fit.map(|plan| json!({
                "plan": plan,
                "report": fit_report,
            })),
        }),
        duration_ms: report.duration_ms,
        info,
        fit: fit_report,
    })
}

/// The fitted path: the seed chosen for section placement, synthesis, then the energy
/// envelope and the loudness target again (the envelope only changes relative level).
fn render_fitted(
    brief: &MusicBrief,
    plan: &FitPlan,
    on_stage: &mut dyn FnMut(nemo_music::Stage, f32),
) -> Result<(nemo_music::RenderedMusic, FitReport), GenerateError> {
    on_stage(nemo_music::Stage::Compose, 0.0);
    let (chosen, composition, section_offset_ms) =
        fit::choose_composition(brief, &plan.big_cuts_ms)?;
    on_stage(nemo_music::Stage::Compose, 1.0);
    let options = RenderOptions::default();
    let mut rendered = match soundfont() {
        Some(font) => nemo_music::render(
            composition,
            &mut nemo_music::SoundFontSynth::new(font.clone()),
            &options,
            on_stage,
        )?,
        None => nemo_music::render(
            composition,
            &mut nemo_music::FallbackSynth::default(),
            &options,
            on_stage,
        )?,
    };
    let pcm = &mut rendered.pcm;
    let envelope = fit::energy_gain_curve(&plan.energy, pcm.frames(), pcm.sample_rate);
    for (i, g) in envelope.iter().enumerate() {
        pcm.left[i] *= g;
        pcm.right[i] *= g;
    }
    let loudness = nemo_mix::normalize(pcm, &options.loudness).map_err(MusicError::from)?;
    rendered.report.integrated_lufs = loudness.after.integrated_lufs;
    rendered.report.true_peak_dbtp = loudness.after.true_peak_dbtp;
    let report = FitReport {
        accent_hit_ratio: rendered.report.accent_hit_ratio,
        accents: brief.accents_ms.len(),
        section_offset_ms,
        seed: chosen.seed,
    };
    Ok((rendered, report))
}

/// The words the reply adds about the fit: length, cuts on the beat, speech.
fn fitted_summary(plan: &FitPlan, report: &FitReport) -> String {
    let mut text = format!("fitted to {:.1} s", plan.duration_ms as f64 / 1000.0);
    if report.accents > 0 {
        let hits = (report.accent_hit_ratio * report.accents as f64).round() as usize;
        let _ = write!(
            text,
            ", {hits} of {} cut{} on the beat ({:.0} %)",
            report.accents,
            if report.accents == 1 { "" } else { "s" },
            report.accent_hit_ratio * 100.0
        );
    }
    if !plan.speech.is_empty() {
        text.push_str(", kept low under speech");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_a_wav_of_the_requested_length() {
        let spec = MusicSpec {
            mood: Some("calm".to_owned()),
            valence_arousal: None,
            length_ms: 2000,
            accents_ms: vec![1000],
            seed: 7,
            fit: None,
        };
        let mut last = 0.0;
        let track = generate(&spec, &mut |p| last = p).unwrap();
        assert_eq!(track.duration_ms, 2000);
        assert!((last - 1.0).abs() < 1e-6);
        let reader = hound::WavReader::new(std::io::Cursor::new(&track.wav)).unwrap();
        assert_eq!(reader.spec().channels, 2);
        assert_eq!(reader.spec().sample_rate, 48_000);
        assert_eq!(reader.duration(), 96_000);
        assert!(track.name.starts_with("calm"), "{}", track.name);
    }

    #[test]
    fn analysis_mood_is_used_when_no_word_was_given() {
        let spec = MusicSpec {
            mood: None,
            valence_arousal: Some((-0.6, 0.7)),
            length_ms: 500,
            accents_ms: vec![],
            seed: 1,
            fit: None,
        };
        let b = brief(&spec);
        assert_eq!(b.duration_ms, MIN_MUSIC_MS);
        assert!(matches!(b.mood, nemo_music::Mood::ValenceArousal { .. }));
        let named = brief(&MusicSpec {
            mood: Some("欢快".to_owned()),
            ..spec
        });
        assert_eq!(named.mood, nemo_music::Mood::Named(NamedMood::Happy));
    }
}
