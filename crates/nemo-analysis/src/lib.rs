//! Per-clip analysis as pure computation over decoded frames and PCM (no IO): visual features,
//! cuts and transitions ([`visual`]), speech, loudness and silence ([`audio`]), the
//! features -> mood -> music table and user nudges ([`mood`]), and [`VideoProfile`].
//!
//! Feed RGB frames to a [`ProfileBuilder`], then finish it with the clip's 16 kHz mono audio.

pub mod audio;
pub mod mood;
mod profile;
pub mod visual;

pub use audio::{AudioSummary, TimeRange, VadConfig, analyze_audio, speech_regions, vad_scores};
pub use mood::{
    MOOD_TABLE, Mood, MoodFeatures, MoodNudge, MusicSuggestion, apply_nudge, mood_from_features,
    parse_nudge, suggest_music,
};
pub use profile::{ENERGY_STEP_MS, EnergyPoint, ProfileBuilder, VideoProfile, clock, combine};
pub use visual::{Cut, FrameFeatures, Transition, TransitionKind, VisualAnalyzer, VisualSummary};

#[cfg(test)]
mod tests;
