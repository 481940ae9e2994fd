//! The clip's own audio: speech regions (earshot VAD), loudness and silence.

use serde::{Deserialize, Serialize};

/// Sample rate every function here expects (16 kHz mono, as earshot requires).
pub const SAMPLE_RATE: u32 = 16_000;
/// earshot scores frames of exactly this many samples (16 ms).
const VAD_FRAME: usize = 256;
const VAD_FRAME_MS: f64 = VAD_FRAME as f64 * 1000.0 / SAMPLE_RATE as f64;

/// A span of time in milliseconds from the clip start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeRange {
    /// Start, inclusive.
    pub start_ms: u64,
    /// End, exclusive.
    pub end_ms: u64,
}

impl TimeRange {
    /// Length in milliseconds.
    pub fn duration_ms(&self) -> u64 {
        self.end_ms.saturating_sub(self.start_ms)
    }
}

/// How raw VAD scores become speech regions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VadConfig {
    /// Frames scoring at least this are voiced.
    pub threshold: f32,
    /// Unvoiced stretches shorter than this inside speech are bridged (pauses between words).
    pub merge_gap_ms: u64,
    /// Regions shorter than this after merging are dropped (clicks, breaths).
    pub min_region_ms: u64,
    /// Added before each region: earshot's 48 ms analysis window makes onsets register late.
    pub pad_start_ms: u64,
    /// Added after each region. earshot's context frames already hold a voiced decision about
    /// 70-90 ms past the last voiced sample (measured on espeak-ng speech), so the default is 0;
    /// ducking adds its own release on top.
    pub pad_end_ms: u64,
}

impl Default for VadConfig {
    fn default() -> Self {
        Self {
            threshold: 0.5,
            merge_gap_ms: 300,
            min_region_ms: 120,
            pad_start_ms: 40,
            pad_end_ms: 0,
        }
    }
}

/// earshot scores (0..=1), one per 16 ms frame of 16 kHz mono PCM. A trailing partial frame is
/// zero-padded.
pub fn vad_scores(pcm: &[i16]) -> Vec<f32> {
    let mut detector = earshot::Detector::default();
    let mut frame = [0_i16; VAD_FRAME];
    pcm.chunks(VAD_FRAME)
        .map(|chunk| {
            frame.fill(0);
            frame[..chunk.len()].copy_from_slice(chunk);
            detector.predict_i16(&frame)
        })
        .collect()
}

/// Speech regions of 16 kHz mono PCM: scores thresholded, short gaps merged, short blips
/// dropped, edges padded, clamped to the audio's length.
pub fn speech_regions(pcm: &[i16], config: &VadConfig) -> Vec<TimeRange> {
    let total_ms = pcm.len() as u64 * 1000 / u64::from(SAMPLE_RATE);
    let scores = vad_scores(pcm);
    let mut regions: Vec<TimeRange> = Vec::new();
    let mut open: Option<usize> = None;
    for (i, &score) in scores.iter().chain(std::iter::once(&0.0)).enumerate() {
        match (open, score >= config.threshold) {
            (None, true) => open = Some(i),
            (Some(start), false) => {
                regions.push(TimeRange {
                    start_ms: frame_ms(start),
                    end_ms: frame_ms(i),
                });
                open = None;
            }
            _ => {}
        }
    }
    let merged = merge_close(regions, config.merge_gap_ms);
    let padded = merged
        .into_iter()
        .filter(|r| r.duration_ms() >= config.min_region_ms)
        .map(|r| TimeRange {
            start_ms: r.start_ms.saturating_sub(config.pad_start_ms),
            end_ms: (r.end_ms + config.pad_end_ms).min(total_ms),
        });
    // Padding can make neighbours touch; merge once more so regions never overlap.
    merge_close(padded.collect(), 0)
}

fn frame_ms(frame: usize) -> u64 {
    (frame as f64 * VAD_FRAME_MS).round() as u64
}

fn merge_close(regions: Vec<TimeRange>, gap_ms: u64) -> Vec<TimeRange> {
    let mut merged: Vec<TimeRange> = Vec::with_capacity(regions.len());
    for region in regions {
        match merged.last_mut() {
            Some(last) if region.start_ms <= last.end_ms + gap_ms => {
                last.end_ms = last.end_ms.max(region.end_ms);
            }
            _ => merged.push(region),
        }
    }
    merged
}

/// Loudness and silence of the clip's own audio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudioSummary {
    /// EBU R128 integrated loudness (LUFS); `None` when the audio is silent throughout.
    pub integrated_lufs: Option<f64>,
    /// Highest sample, dBFS (`-inf` is reported as -120).
    pub peak_dbfs: f64,
    /// Fraction of 100 ms windows quieter than [`SILENCE_DBFS`].
    pub silence_ratio: f64,
    /// Silent stretches of at least [`MIN_SILENCE_MS`].
    pub silences: Vec<TimeRange>,
    /// Detected speech.
    pub speech: Vec<TimeRange>,
    /// Fraction of the clip covered by speech regions.
    pub speech_ratio: f64,
}

/// RMS level under which a 100 ms window counts as silence.
pub const SILENCE_DBFS: f64 = -50.0;
/// Shortest silence reported in [`AudioSummary::silences`].
pub const MIN_SILENCE_MS: u64 = 500;
const LEVEL_WINDOW: usize = SAMPLE_RATE as usize / 10;

/// Analyses 16 kHz mono PCM: speech, loudness, silence.
pub fn analyze_audio(pcm: &[i16], vad: &VadConfig) -> AudioSummary {
    let total_ms = pcm.len() as u64 * 1000 / u64::from(SAMPLE_RATE);
    let speech = speech_regions(pcm, vad);
    let speech_ms: u64 = speech.iter().map(TimeRange::duration_ms).sum();
    let peak = pcm.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
    let (silence_ratio, silences) = silences(pcm);
    AudioSummary {
        integrated_lufs: integrated_loudness(pcm),
        peak_dbfs: to_dbfs(f64::from(peak) / 32768.0),
        silence_ratio,
        silences,
        speech,
        speech_ratio: if total_ms == 0 {
            0.0
        } else {
            speech_ms as f64 / total_ms as f64
        },
    }
}

fn to_dbfs(linear: f64) -> f64 {
    if linear <= 1e-6 {
        -120.0
    } else {
        20.0 * linear.log10()
    }
}

/// EBU R128 integrated loudness via the `ebur128` crate (which matches ffmpeg to 0.1 LU).
fn integrated_loudness(pcm: &[i16]) -> Option<f64> {
    let mut meter = ebur128::EbuR128::new(1, SAMPLE_RATE, ebur128::Mode::I).ok()?;
    meter.add_frames_i16(pcm).ok()?;
    meter.loudness_global().ok().filter(|l| l.is_finite())
}

fn silences(pcm: &[i16]) -> (f64, Vec<TimeRange>) {
    let windows: Vec<bool> = pcm
        .chunks(LEVEL_WINDOW)
        .map(|w| {
            let mean_square = w
                .iter()
                .map(|&s| (f64::from(s) / 32768.0).powi(2))
                .sum::<f64>()
                / w.len() as f64;
            to_dbfs(mean_square.sqrt()) < SILENCE_DBFS
        })
        .collect();
    if windows.is_empty() {
        return (0.0, Vec::new());
    }
    let ratio = windows.iter().filter(|&&s| s).count() as f64 / windows.len() as f64;
    let total_ms = pcm.len() as u64 * 1000 / u64::from(SAMPLE_RATE);
    let mut ranges = Vec::new();
    let mut open: Option<usize> = None;
    for (i, &silent) in windows.iter().chain(std::iter::once(&false)).enumerate() {
        match (open, silent) {
            (None, true) => open = Some(i),
            (Some(start), false) => {
                let range = TimeRange {
                    start_ms: start as u64 * 100,
                    end_ms: (i as u64 * 100).min(total_ms),
                };
                if range.duration_ms() >= MIN_SILENCE_MS {
                    ranges.push(range);
                }
                open = None;
            }
            _ => {}
        }
    }
    (ratio, ranges)
}
