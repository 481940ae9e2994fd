//! `VideoProfile`: everything the music needs to know about a clip (or a sequence of clips).

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::audio::{AudioSummary, TimeRange, VadConfig, analyze_audio};
use crate::mood::{Mood, MoodFeatures, MusicSuggestion, mood_from_features, suggest_music};
use crate::visual::{Cut, FrameFeatures, Transition, VisualAnalyzer, VisualSummary};

/// Energy curve resolution.
pub const ENERGY_STEP_MS: u64 = 500;

/// One point of the energy curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EnergyPoint {
    /// Start of the window.
    pub time_ms: u64,
    /// Visual activity 0..=1: motion in the window (0.08 luma change per 100 ms = full), plus a
    /// bump for cuts within a second.
    pub energy: f64,
}

/// The analysis of one clip, or of clips played in sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VideoProfile {
    /// Length in milliseconds.
    pub duration_ms: u64,
    /// Hard cuts (clip boundaries included when clips are combined).
    pub cuts: Vec<Cut>,
    /// Fades and dissolves.
    pub transitions: Vec<Transition>,
    /// Speech in the original audio (empty when there is none or no audio).
    pub speech: Vec<TimeRange>,
    /// The original audio's analysis; `None` when the clip has no audio stream.
    pub audio: Option<AudioSummary>,
    /// Visual energy every [`ENERGY_STEP_MS`].
    pub energy: Vec<EnergyPoint>,
    /// The aggregate features the mood came from.
    pub features: MoodFeatures,
    /// Valence/arousal and label.
    pub mood: Mood,
    /// Suggested tempo, key and mood label for the music.
    pub music: MusicSuggestion,
    /// Frames analysed and their rate.
    pub frames_analyzed: u64,
    /// Analysis frame rate.
    pub analysis_fps: f64,
}

/// Collects a clip's frames and audio into a [`VideoProfile`].
#[derive(Debug)]
pub struct ProfileBuilder {
    visual: VisualAnalyzer,
    fps: f64,
}

impl ProfileBuilder {
    /// A builder for frames at `fps`.
    pub fn new(fps: f64) -> Self {
        Self {
            visual: VisualAnalyzer::new(fps),
            fps,
        }
    }

    /// Adds one RGB24 frame.
    pub fn push_frame(&mut self, time_ms: u64, width: u32, height: u32, rgb: &[u8]) {
        self.visual.push_frame(time_ms, width, height, rgb);
    }

    /// The next frame does not follow the previous one (a sampled decode); see
    /// [`VisualAnalyzer::gap`].
    pub fn gap(&mut self) {
        self.visual.gap();
    }

    /// Finishes with the clip's duration and its 16 kHz mono audio (`None`: no audio stream).
    pub fn finish(self, duration_ms: u64, audio_16k_mono: Option<&[i16]>) -> VideoProfile {
        let visual = self.visual.finish();
        let audio = audio_16k_mono.map(|pcm| analyze_audio(pcm, &VadConfig::default()));
        build_profile(visual, audio, duration_ms, self.fps)
    }
}

fn build_profile(
    visual: VisualSummary,
    audio: Option<AudioSummary>,
    duration_ms: u64,
    fps: f64,
) -> VideoProfile {
    let duration_ms = duration_ms.max(visual.frames.last().map_or(0, |f| f.time_ms));
    let features = aggregate(&visual.frames, visual.cuts.len(), duration_ms);
    let mood = mood_from_features(&features);
    VideoProfile {
        duration_ms,
        energy: energy_curve(&visual.frames, &visual.cuts, duration_ms),
        speech: audio.as_ref().map(|a| a.speech.clone()).unwrap_or_default(),
        cuts: visual.cuts,
        transitions: visual.transitions,
        audio,
        features,
        music: suggest_music(&mood),
        mood,
        frames_analyzed: visual.frames.len() as u64,
        analysis_fps: fps,
    }
}

fn aggregate(frames: &[FrameFeatures], cuts: usize, duration_ms: u64) -> MoodFeatures {
    if frames.is_empty() {
        return MoodFeatures::default();
    }
    let n = frames.len() as f64;
    let mean =
        |f: fn(&FrameFeatures) -> f32| frames.iter().map(|x| f64::from(f(x))).sum::<f64>() / n;
    // The first frame has no predecessor, so its zero motion would bias short clips calm.
    let moving = &frames[1.min(frames.len() - 1)..];
    let motion = moving.iter().map(|x| f64::from(x.motion)).sum::<f64>() / moving.len() as f64;
    // Clips under 10 s are treated as 10 s so one cut in a 2 s clip is not "30 cuts a minute".
    let minutes = (duration_ms.max(10_000) as f64) / 60_000.0;
    MoodFeatures {
        brightness: mean(|f| f.brightness),
        warmth: mean(|f| f.warmth),
        saturation: mean(|f| f.saturation),
        contrast: mean(|f| f.contrast),
        motion,
        cuts_per_minute: cuts as f64 / minutes,
    }
}

fn energy_curve(frames: &[FrameFeatures], cuts: &[Cut], duration_ms: u64) -> Vec<EnergyPoint> {
    let steps = duration_ms.div_ceil(ENERGY_STEP_MS).max(1);
    (0..steps)
        .map(|step| {
            let start = step * ENERGY_STEP_MS;
            let end = start + ENERGY_STEP_MS;
            let window: Vec<f64> = frames
                .iter()
                .filter(|f| (start..end).contains(&f.time_ms))
                .map(|f| f64::from(f.motion))
                .collect();
            let motion = if window.is_empty() {
                0.0
            } else {
                window.iter().sum::<f64>() / window.len() as f64
            };
            let near_cut = cuts
                .iter()
                .any(|c| c.time_ms + 1000 >= start && c.time_ms <= end + 1000);
            let energy = (motion / 0.08).min(1.0) * 0.8 + if near_cut { 0.2 } else { 0.0 };
            EnergyPoint {
                time_ms: start,
                energy: energy.min(1.0),
            }
        })
        .collect()
}

/// Profiles of clips played back to back: times shifted by each clip's start, a cut at every
/// boundary, features weighted by duration, and the mood recomputed from the combined features.
pub fn combine(profiles: &[VideoProfile]) -> Option<VideoProfile> {
    let (first, rest) = profiles.split_first()?;
    if rest.is_empty() {
        return Some(first.clone());
    }
    let total_ms: u64 = profiles.iter().map(|p| p.duration_ms).sum();
    let mut combined = VideoProfile {
        duration_ms: total_ms,
        cuts: Vec::new(),
        transitions: Vec::new(),
        speech: Vec::new(),
        audio: None,
        energy: Vec::new(),
        ..first.clone()
    };
    let mut offset = 0;
    let mut features = MoodFeatures::default();
    for (i, profile) in profiles.iter().enumerate() {
        if i > 0 {
            combined.cuts.push(Cut {
                time_ms: offset,
                strength: 1.0,
            });
        }
        combined.cuts.extend(profile.cuts.iter().map(|c| Cut {
            time_ms: c.time_ms + offset,
            ..*c
        }));
        combined
            .transitions
            .extend(profile.transitions.iter().map(|t| Transition {
                start_ms: t.start_ms + offset,
                end_ms: t.end_ms + offset,
                ..*t
            }));
        combined
            .speech
            .extend(profile.speech.iter().map(|r| TimeRange {
                start_ms: r.start_ms + offset,
                end_ms: r.end_ms + offset,
            }));
        combined
            .energy
            .extend(profile.energy.iter().map(|e| EnergyPoint {
                time_ms: e.time_ms + offset,
                ..*e
            }));
        let weight = profile.duration_ms as f64 / total_ms.max(1) as f64;
        let f = &profile.features;
        features.brightness += f.brightness * weight;
        features.warmth += f.warmth * weight;
        features.saturation += f.saturation * weight;
        features.contrast += f.contrast * weight;
        features.motion += f.motion * weight;
        offset += profile.duration_ms;
    }
    features.cuts_per_minute =
        combined.cuts.len() as f64 / (total_ms.max(10_000) as f64 / 60_000.0);
    combined.features = features;
    combined.audio = combine_audio(profiles, total_ms);
    combined.mood = mood_from_features(&features);
    combined.music = suggest_music(&combined.mood);
    combined.frames_analyzed = profiles.iter().map(|p| p.frames_analyzed).sum();
    Some(combined)
}

/// The clips' audio as one track: ranges shifted, loudness power-averaged over the clips that
/// have sound, clips without audio counted as silence. `None` when no clip has audio.
fn combine_audio(profiles: &[VideoProfile], total_ms: u64) -> Option<AudioSummary> {
    if profiles.iter().all(|p| p.audio.is_none()) {
        return None;
    }
    let mut merged = AudioSummary {
        integrated_lufs: None,
        peak_dbfs: -120.0,
        silence_ratio: 0.0,
        silences: Vec::new(),
        speech: Vec::new(),
        speech_ratio: 0.0,
    };
    let (mut power, mut power_ms) = (0.0, 0.0);
    let mut offset = 0;
    for profile in profiles {
        let weight = profile.duration_ms as f64 / total_ms.max(1) as f64;
        let shift = |r: &TimeRange| TimeRange {
            start_ms: r.start_ms + offset,
            end_ms: r.end_ms + offset,
        };
        if let Some(audio) = &profile.audio {
            if let Some(lufs) = audio.integrated_lufs {
                power += 10_f64.powf(lufs / 10.0) * profile.duration_ms as f64;
                power_ms += profile.duration_ms as f64;
            }
            merged.peak_dbfs = merged.peak_dbfs.max(audio.peak_dbfs);
            merged.silence_ratio += audio.silence_ratio * weight;
            merged.silences.extend(audio.silences.iter().map(shift));
            merged.speech.extend(audio.speech.iter().map(shift));
            merged.speech_ratio += audio.speech_ratio * weight;
        } else {
            merged.silence_ratio += weight;
            merged.silences.push(TimeRange {
                start_ms: offset,
                end_ms: offset + profile.duration_ms,
            });
        }
        offset += profile.duration_ms;
    }
    merged.integrated_lufs = (power_ms > 0.0).then(|| 10.0 * (power / power_ms).log10());
    Some(merged)
}

impl VideoProfile {
    /// One readable line: "bright, warm, fast-moving, 14 cuts, speech 0:12-0:31 -> upbeat, 118 BPM, C major".
    pub fn summary(&self) -> String {
        let f = &self.features;
        let mut words: Vec<String> = Vec::new();
        words.push(
            if f.brightness >= 0.55 {
                "bright"
            } else if f.brightness <= 0.3 {
                "dark"
            } else {
                "medium-bright"
            }
            .to_owned(),
        );
        if f.warmth >= 0.04 {
            words.push("warm".to_owned());
        } else if f.warmth <= -0.04 {
            words.push("cool".to_owned());
        }
        if f.saturation >= 0.45 {
            words.push("colourful".to_owned());
        } else if f.saturation <= 0.12 {
            words.push("muted".to_owned());
        }
        words.push(
            if f.motion >= 0.05 {
                "fast-moving"
            } else if f.motion <= 0.012 {
                "still"
            } else {
                "gently moving"
            }
            .to_owned(),
        );
        let cuts = self.cuts.len();
        words.push(format!("{cuts} cut{}", if cuts == 1 { "" } else { "s" }));
        match &self.audio {
            None => words.push("no audio".to_owned()),
            Some(_) if self.speech.is_empty() => words.push("no speech".to_owned()),
            Some(_) => {
                let mut text = String::from("speech ");
                for (i, r) in self.speech.iter().take(3).enumerate() {
                    let _ = write!(
                        text,
                        "{}{}-{}",
                        if i > 0 { ", " } else { "" },
                        clock(r.start_ms),
                        clock(r.end_ms)
                    );
                }
                if self.speech.len() > 3 {
                    let _ = write!(text, " (+{} more)", self.speech.len() - 3);
                }
                words.push(text);
            }
        }
        format!(
            "{} -> {}, {} BPM, {}",
            words.join(", "),
            self.music.mood,
            self.music.tempo_bpm,
            self.music.key
        )
    }
}

/// `m:ss` for a time in milliseconds.
pub fn clock(ms: u64) -> String {
    let seconds = (ms + 500) / 1000;
    format!("{}:{:02}", seconds / 60, seconds % 60)
}
