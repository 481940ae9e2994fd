//! The one-call API: compose, synthesise, shape the ending, and bring the track to its loudness
//! target.

use nemo_mix::{LoudnessReport, LoudnessTarget, SAMPLE_RATE, StereoBuffer, fade_gain, normalize};

use crate::MusicError;
use crate::brief::MusicBrief;
use crate::compose::{Composition, SectionKind, compose};
use crate::soundfont::SoundFont;
use crate::synth::{FallbackSynth, SoundFontSynth, Synthesizer};

/// Options of [`compose_and_render`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RenderOptions {
    /// Loudness target of the finished track (default -14 LUFS, -1 dBTP).
    pub loudness: LoudnessTarget,
    /// Output sample rate (default 48 kHz).
    pub sample_rate: u32,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            loudness: LoudnessTarget::default(),
            sample_rate: SAMPLE_RATE,
        }
    }
}

/// Stages reported to the progress callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Writing notes.
    Compose,
    /// Synthesising audio.
    Synthesize,
    /// Measuring and normalising loudness.
    Loudness,
}

/// A section boundary for reports and video cutting.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionSummary {
    /// Kind.
    pub kind: SectionKind,
    /// Start (ms).
    pub start_ms: f64,
    /// End (ms).
    pub end_ms: f64,
    /// Full bars.
    pub bars: u32,
    /// Chord symbols in order.
    pub chords: Vec<String>,
}

/// Facts about a rendered track.
#[derive(Debug, Clone, PartialEq)]
pub struct MusicReport {
    /// Style name.
    pub style: String,
    /// Mood label.
    pub mood: String,
    /// Key ("D minor").
    pub key: String,
    /// Tempo.
    pub bpm: f64,
    /// Full bars before the final chord.
    pub bars: u32,
    /// Exact length (ms).
    pub duration_ms: u64,
    /// Exact length (frames).
    pub frames: usize,
    /// Fraction of accents within 50 ms of a beat.
    pub accent_hit_ratio: f64,
    /// Fraction of accents within 50 ms of a downbeat.
    pub accent_downbeat_ratio: f64,
    /// Every beat (ms) — cut video to these.
    pub beat_times_ms: Vec<f64>,
    /// Every downbeat (ms).
    pub downbeat_times_ms: Vec<f64>,
    /// Sections in order.
    pub sections: Vec<SectionSummary>,
    /// Integrated loudness after normalisation (LUFS).
    pub integrated_lufs: f64,
    /// True peak after limiting (dBTP).
    pub true_peak_dbtp: f64,
    /// Which synthesiser rendered it.
    pub synth: String,
}

impl MusicReport {
    /// One-line summary: style, key, BPM, bars, duration, LUFS, true peak.
    pub fn summary_line(&self) -> String {
        format!(
            "{} {}, {}, {:.1} BPM, {} bars, {:.2} s, {:.1} LUFS, {:.1} dBTP",
            self.mood,
            self.style,
            self.key,
            self.bpm,
            self.bars,
            self.duration_ms as f64 / 1000.0,
            self.integrated_lufs,
            self.true_peak_dbtp
        )
    }
}

/// A finished track.
#[derive(Debug, Clone)]
pub struct RenderedMusic {
    /// Stereo PCM, exactly `duration_ms` long.
    pub pcm: StereoBuffer,
    /// The score it was rendered from (export with [`crate::to_midi`]).
    pub composition: Composition,
    /// Facts for the user and for the video editor.
    pub report: MusicReport,
    /// Loudness before/after.
    pub loudness: LoudnessReport,
}

/// Exact number of frames for a duration (rounded to the nearest frame).
pub fn frames_for(duration_ms: u64, sample_rate: u32) -> usize {
    ((u128::from(duration_ms) * u128::from(sample_rate) + 500) / 1000) as usize
}

/// Composes and renders `brief`; uses `font` when given, the built-in synthesiser otherwise.
pub fn compose_and_render(
    brief: &MusicBrief,
    font: Option<&SoundFont>,
    options: &RenderOptions,
) -> Result<RenderedMusic, MusicError> {
    compose_and_render_with_progress(brief, font, options, &mut |_, _| {})
}

/// As [`compose_and_render`], reporting progress as (stage, fraction of that stage).
pub fn compose_and_render_with_progress(
    brief: &MusicBrief,
    font: Option<&SoundFont>,
    options: &RenderOptions,
    progress: &mut dyn FnMut(Stage, f32),
) -> Result<RenderedMusic, MusicError> {
    progress(Stage::Compose, 0.0);
    let composition = compose(brief)?;
    progress(Stage::Compose, 1.0);
    match font {
        Some(f) => render(
            composition,
            &mut SoundFontSynth::new(f.clone()),
            options,
            progress,
        ),
        None => render(
            composition,
            &mut FallbackSynth::default(),
            options,
            progress,
        ),
    }
}

/// Renders an existing composition with any synthesiser: synthesis, ending fade, loudness.
pub fn render(
    composition: Composition,
    synth: &mut dyn Synthesizer,
    options: &RenderOptions,
    progress: &mut dyn FnMut(Stage, f32),
) -> Result<RenderedMusic, MusicError> {
    let rate = options.sample_rate;
    let frames = frames_for(composition.duration_ms(), rate);
    let mut pcm = synth.render(&composition, rate, frames, &mut |f| {
        progress(Stage::Synthesize, f);
    })?;
    pcm.resize(frames);
    shape_edges(&mut pcm, composition.fade_out_start_ms);
    progress(Stage::Loudness, 0.0);
    let loudness = normalize(&mut pcm, &options.loudness)?;
    progress(Stage::Loudness, 1.0);
    let report = report(&composition, frames, &loudness, synth.name());
    Ok(RenderedMusic {
        pcm,
        composition,
        report,
        loudness,
    })
}

/// A 5 ms fade-in (no click at the first sample) and the closing fade from `fade_start_ms` to
/// silence on the last frame.
fn shape_edges(pcm: &mut StereoBuffer, fade_start_ms: f64) {
    let frames = pcm.frames();
    let fade_in = pcm.ms_to_frame(5.0).min(frames);
    for i in 0..fade_in {
        let g = fade_gain(i as f64 / fade_in as f64);
        pcm.left[i] *= g;
        pcm.right[i] *= g;
    }
    let start = pcm.ms_to_frame(fade_start_ms).min(frames.saturating_sub(1));
    let len = frames - start;
    for k in 0..len {
        let g = fade_gain(1.0 - (k + 1) as f64 / len as f64);
        pcm.left[start + k] *= g;
        pcm.right[start + k] *= g;
    }
}

fn report(
    comp: &Composition,
    frames: usize,
    loudness: &LoudnessReport,
    synth: String,
) -> MusicReport {
    MusicReport {
        style: comp.style.name().to_owned(),
        mood: comp.mood.clone(),
        key: comp.key.to_string(),
        bpm: comp.bpm(),
        bars: comp.bars,
        duration_ms: comp.duration_ms(),
        frames,
        accent_hit_ratio: comp.accents.hit_ratio,
        accent_downbeat_ratio: comp.accents.downbeat_hit_ratio,
        beat_times_ms: comp.beat_times_ms(),
        downbeat_times_ms: comp.downbeat_times_ms(),
        sections: comp
            .sections
            .iter()
            .map(|s| SectionSummary {
                kind: s.kind,
                start_ms: s.start_ms,
                end_ms: s.end_ms,
                bars: s.bars,
                chords: s.chords.iter().map(|c| c.symbol.clone()).collect(),
            })
            .collect(),
        integrated_lufs: loudness.after.integrated_lufs,
        true_peak_dbtp: loudness.after.true_peak_dbtp,
        synth,
    }
}

#[cfg(test)]
mod tests;
