//! Ducking: a gain curve that lowers music under speech.
//!
//! The curve is built offline, so it can start lowering the music *before* speech begins (the
//! attack ramp ends exactly at the region start) and rise again after it ends. Regions separated
//! by less than [`DuckSettings::merge_gap_ms`] are joined so the bed does not pump up and down
//! between sentences. Ramps are raised-cosine in the dB domain: no corners, no clicks.

use crate::fade::fade_gain;
use crate::loudness::db_to_gain;

/// A span of speech in the clip's audio, in milliseconds from the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpeechRegion {
    /// Start of speech (ms).
    pub start_ms: u64,
    /// End of speech (ms, exclusive).
    pub end_ms: u64,
}

impl From<(u64, u64)> for SpeechRegion {
    fn from((start_ms, end_ms): (u64, u64)) -> Self {
        Self { start_ms, end_ms }
    }
}

/// How the music bed ducks under speech.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DuckSettings {
    /// Gain change under speech in dB (negative; default -12).
    pub depth_db: f64,
    /// Ramp-down length before speech starts (ms).
    pub attack_ms: f64,
    /// Ramp-up length after speech ends (ms).
    pub release_ms: f64,
    /// Gaps between regions shorter than this stay ducked (ms).
    pub merge_gap_ms: f64,
}

impl Default for DuckSettings {
    fn default() -> Self {
        Self {
            depth_db: -12.0,
            attack_ms: 200.0,
            release_ms: 500.0,
            merge_gap_ms: 800.0,
        }
    }
}

/// Per-frame linear gain for a bed of `frames` frames at `sample_rate` ducked under `regions`.
pub fn duck_gain_curve(
    frames: usize,
    sample_rate: u32,
    regions: &[SpeechRegion],
    settings: &DuckSettings,
) -> Vec<f32> {
    let mut depth = vec![0.0_f32; frames]; // 0 = not ducked, 1 = fully ducked
    let per_ms = f64::from(sample_rate) / 1000.0;
    let to_frame = |ms: f64| ((ms.max(0.0) * per_ms).round() as usize).min(frames);
    let attack = to_frame(settings.attack_ms).max(1);
    let release = to_frame(settings.release_ms).max(1);
    for (start_ms, end_ms) in merged(regions, settings.merge_gap_ms) {
        let start = to_frame(start_ms);
        let end = to_frame(end_ms);
        depth[start..end].fill(1.0);
        for k in 1..=attack.min(start) {
            let i = start - k;
            depth[i] = depth[i].max(fade_gain(1.0 - k as f64 / attack as f64));
        }
        for k in 0..release.min(frames.saturating_sub(end)) {
            let i = end + k;
            depth[i] = depth[i].max(fade_gain(1.0 - (k + 1) as f64 / release as f64));
        }
    }
    depth
        .into_iter()
        .map(|d| db_to_gain(f64::from(d) * settings.depth_db) as f32)
        .collect()
}

/// Sorted, non-empty regions with short gaps bridged, as `(start_ms, end_ms)`.
fn merged(regions: &[SpeechRegion], merge_gap_ms: f64) -> Vec<(f64, f64)> {
    let mut sorted: Vec<(f64, f64)> = regions
        .iter()
        .filter(|r| r.end_ms > r.start_ms)
        .map(|r| (r.start_ms as f64, r.end_ms as f64))
        .collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(sorted.len());
    for (start, end) in sorted {
        match out.last_mut() {
            Some(last) if start - last.1 < merge_gap_ms => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}
