//! Streaming per-frame visual features, hard cuts and gradual transitions.
//!
//! Frames are pushed one at a time; only a few recent small luma planes and histograms are kept,
//! so memory does not grow with clip length beyond one small feature record per frame.
//!
//! A frame byte-identical to the one before it is a *repeat*: a decoder that skips frames
//! nothing references (B-frames) delivers each skipped slot as a copy of the previous frame.
//! Repeats carry features like any frame but take no part in cut detection, so the detector
//! compares consecutive decoded frames. A cut found after `n` repeats happened somewhere in
//! those `n + 1` slots; it is placed in the middle, which is within one frame of the truth
//! when at most two frames in a row were skipped (B-pyramids skip one, two-B patterns two)
//! and exact in the common case of an encoder that makes the first frame of a shot a reference.
//! A longer run of repeats is a still picture, and the frame that changes it is the cut.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// Features of one frame, all in 0..=1 except `warmth` (-1..=1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FrameFeatures {
    /// Time from clip start.
    pub time_ms: u64,
    /// Mean Rec.709 luma.
    pub brightness: f32,
    /// Mean (red - blue): positive is warm (orange), negative cool (blue).
    pub warmth: f32,
    /// Mean HSV saturation.
    pub saturation: f32,
    /// Standard deviation of luma (RMS contrast).
    pub contrast: f32,
    /// Mean absolute luma change against the frame about 100 ms earlier.
    pub motion: f32,
}

/// A hard cut: the first frame of the new shot.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cut {
    /// Time of the first frame of the new shot.
    pub time_ms: u64,
    /// Histogram distance across the cut (0..=1).
    pub strength: f32,
}

/// The kind of a gradual transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransitionKind {
    /// Picture fades to black.
    FadeOut,
    /// Picture fades in from black.
    FadeIn,
    /// One shot blends into another.
    Dissolve,
}

/// A gradual transition (fade or dissolve), not counted as a cut.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Transition {
    /// What kind.
    pub kind: TransitionKind,
    /// Approximate start.
    pub start_ms: u64,
    /// Approximate end.
    pub end_ms: u64,
}

impl Transition {
    /// Midpoint of the transition.
    pub fn center_ms(&self) -> u64 {
        u64::midpoint(self.start_ms, self.end_ms)
    }
}

/// What the visual pass found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VisualSummary {
    /// Every frame's features, in order.
    pub frames: Vec<FrameFeatures>,
    /// Hard cuts in time order.
    pub cuts: Vec<Cut>,
    /// Fades and dissolves in time order.
    pub transitions: Vec<Transition>,
}

const BINS: usize = 16;
const HIST_LEN: usize = 3 * BINS;
type Histogram = [f32; HIST_LEN];

/// A cut's histogram distance must exceed this absolute floor...
const CUT_MIN_DISTANCE: f32 = 0.2;
/// ...and the recent mean by this many standard deviations...
const CUT_SIGMAS: f32 = 4.0;
/// ...and both neighbouring frames' distances by this factor (gradual changes are never spikes)...
const CUT_PEAK_RATIO: f32 = 2.0;
/// ...and the picture's structure must change: luma correlation across the cut below this
/// (fades and dissolves keep structure, so their correlation stays high).
const CUT_MAX_CORRELATION: f32 = 0.6;
/// Seconds of history for the adaptive threshold.
const BASELINE_SECONDS: f64 = 2.0;
/// Two cuts closer than this are one event (a flash frame); the first wins.
const MIN_CUT_SPACING_MS: u64 = 200;
/// Long-range histogram distance over [`GRADUAL_LAG_SECONDS`] that marks a gradual transition.
const GRADUAL_MIN_DISTANCE: f32 = 0.3;
const GRADUAL_LAG_SECONDS: f64 = 0.5;
/// Longest run of repeats taken for skipped frames rather than a still picture.
const MAX_SKIPPED_RUN: usize = 3;
/// Mean luma at or under which a frame counts as black (fade endpoints).
const BLACK_LEVEL: f32 = 0.08;

#[derive(Clone)]
struct FrameStats {
    time_ms: u64,
    /// When this picture was first shown: `time_ms`, or for a repeat the time of the frame it
    /// repeats. Gradual transitions are timed by it, so a skipped frame does not stretch them.
    shown_ms: u64,
    hist: Histogram,
    luma: Vec<u8>,
    brightness: f32,
    flat: bool,
}

struct CutCandidate {
    /// Time of the first frame of the new shot.
    time_ms: u64,
    distance: f32,
}

struct GradualRun {
    start_ms: u64,
    end_ms: u64,
    /// Darkest frame of the run: (brightness, time).
    darkest: (f32, u64),
}

/// Feeds on RGB frames one at a time; call [`finish`](Self::finish) at the end.
pub struct VisualAnalyzer {
    frame_interval_ms: f64,
    motion_lag: usize,
    gradual_lag: usize,
    baseline_len: usize,
    recent: VecDeque<FrameStats>,
    baseline: VecDeque<f32>,
    last_distance: f32,
    candidate: Option<CutCandidate>,
    gradual: Option<GradualRun>,
    summary: VisualSummary,
    /// Index of the first frame after a [`gap`](VisualAnalyzer::gap): it takes the motion of
    /// the frame after it, since it has no predecessor to measure against.
    after_gap: Option<usize>,
    /// The last frame pushed, to recognise repeats.
    last_rgb: Vec<u8>,
    /// How many repeats came since the last decoded (non-repeat) frame.
    repeats: usize,
}

impl std::fmt::Debug for VisualAnalyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VisualAnalyzer")
            .field("frames", &self.summary.frames.len())
            .finish_non_exhaustive()
    }
}

impl VisualAnalyzer {
    /// An analyzer for frames delivered at `fps`.
    pub fn new(fps: f64) -> Self {
        let fps = if fps.is_finite() && fps > 0.0 {
            fps
        } else {
            10.0
        };
        let frames_in = |seconds: f64| ((seconds * fps).round() as usize).max(1);
        Self {
            frame_interval_ms: 1000.0 / fps,
            motion_lag: frames_in(0.1),
            gradual_lag: frames_in(GRADUAL_LAG_SECONDS).max(2),
            baseline_len: frames_in(BASELINE_SECONDS).max(5),
            recent: VecDeque::new(),
            baseline: VecDeque::new(),
            last_distance: 0.0,
            candidate: None,
            gradual: None,
            summary: VisualSummary::default(),
            after_gap: None,
            last_rgb: Vec::new(),
            repeats: 0,
        }
    }

    /// Frames before and after this call are not consecutive (a sampled decode skipped part
    /// of the clip): nothing is compared across it, so the jump is neither a cut nor motion.
    /// A cut candidate waiting for the next frame's confirmation is dropped (no false cuts).
    pub fn gap(&mut self) {
        self.candidate = None;
        self.close_gradual();
        self.recent.clear();
        self.last_distance = 0.0;
        self.after_gap = Some(self.summary.frames.len());
        self.last_rgb.clear();
        self.repeats = 0;
    }

    /// Adds one packed RGB24 frame (`rgb.len() == width * height * 3`). Frames of another size
    /// are ignored.
    pub fn push_frame(&mut self, time_ms: u64, width: u32, height: u32, rgb: &[u8]) {
        let pixels = width as usize * height as usize;
        if pixels == 0 || rgb.len() != pixels * 3 {
            return;
        }
        let repeat = self.last_rgb == rgb;
        let (stats, mut features) = match (repeat, self.recent.back(), self.summary.frames.last()) {
            // A repeat measures exactly like the frame it copies; only its time differs.
            (true, Some(last), Some(last_features)) => (
                FrameStats {
                    time_ms,
                    ..last.clone()
                },
                FrameFeatures {
                    time_ms,
                    ..*last_features
                },
            ),
            _ => measure(time_ms, rgb),
        };
        if let Some(lagged) = self
            .recent
            .iter()
            .rev()
            .nth(self.motion_lag - 1)
            .or_else(|| self.recent.front())
        {
            features.motion = mean_abs_diff(&stats.luma, &lagged.luma);
            if let Some(first) = self.after_gap.take()
                && let Some(frame) = self.summary.frames.get_mut(first)
            {
                frame.motion = features.motion;
            }
        }
        if repeat {
            self.observe_repeat();
        } else {
            self.observe_decoded(&stats);
            self.last_rgb.clear();
            self.last_rgb.extend_from_slice(rgb);
        }
        self.recent.push_back(stats);
        while self.recent.len() > self.gradual_lag.max(self.motion_lag) + 1 {
            self.recent.pop_front();
        }
        self.observe_gradual();
        self.summary.frames.push(features);
    }

    /// Ends the stream and returns everything found.
    pub fn finish(mut self) -> VisualSummary {
        if let Some(candidate) = self.candidate.take() {
            self.accept_cut(&candidate);
        }
        self.close_gradual();
        self.summary
    }

    /// Counts a repeat. Once the run is too long for skipped frames it is a still picture, whose
    /// frames are real and unchanged: the detector sees each as a zero distance, which confirms
    /// a cut just before the picture and keeps the baseline honest.
    fn observe_repeat(&mut self) {
        self.repeats += 1;
        let unchanged_frames = match self.repeats {
            n if n == MAX_SKIPPED_RUN + 1 => n,
            n if n > MAX_SKIPPED_RUN + 1 => 1,
            _ => 0,
        };
        for _ in 0..unchanged_frames {
            // The time is never read: a zero distance is never a cut candidate.
            self.observe_distance(0, 0.0, 1.0);
        }
    }

    /// Feeds the cut detector with a decoded (non-repeat) frame against the slot before it,
    /// which holds the previous decoded frame.
    fn observe_decoded(&mut self, stats: &FrameStats) {
        let repeats = std::mem::take(&mut self.repeats);
        let Some(previous) = self.recent.back() else {
            return;
        };
        let distance = histogram_distance(&previous.hist, &stats.hist);
        let correlation = if previous.flat || stats.flat {
            0.0
        } else {
            correlation(&previous.luma, &stats.luma)
        };
        // The middle of the slots since the last decoded frame: one back after two or three
        // skipped frames. A longer run is a still picture, and the frame that changes is the cut.
        let shot_start_ms = if (2..=MAX_SKIPPED_RUN).contains(&repeats) {
            previous.time_ms
        } else {
            stats.time_ms
        };
        self.observe_distance(shot_start_ms, distance, correlation);
    }

    fn observe_distance(&mut self, time_ms: u64, distance: f32, correlation: f32) {
        if let Some(candidate) = self.candidate.take()
            && candidate.distance >= CUT_PEAK_RATIO * distance
        {
            self.accept_cut(&candidate);
        }
        let (mean, std_dev) = mean_std(self.baseline.iter().copied());
        let is_spike = distance >= CUT_MIN_DISTANCE
            && distance >= mean + CUT_SIGMAS * std_dev
            && distance >= CUT_PEAK_RATIO * self.last_distance
            && correlation < CUT_MAX_CORRELATION;
        if is_spike {
            self.candidate = Some(CutCandidate { time_ms, distance });
        } else {
            self.baseline.push_back(distance);
            if self.baseline.len() > self.baseline_len {
                self.baseline.pop_front();
            }
        }
        self.last_distance = distance;
    }

    fn accept_cut(&mut self, candidate: &CutCandidate) {
        if let Some(last) = self.summary.cuts.last()
            && candidate.time_ms < last.time_ms + MIN_CUT_SPACING_MS
        {
            return;
        }
        self.summary.cuts.push(Cut {
            time_ms: candidate.time_ms,
            strength: candidate.distance,
        });
        // A new shot starts a new baseline, and no gradual transition spans a cut.
        self.baseline.clear();
        self.gradual = None;
    }

    fn observe_gradual(&mut self) {
        let newest = self.recent.back().map(|s| (s.shown_ms, s.brightness));
        let (Some((now_ms, now_brightness)), Some(lagged)) = (newest, self.lagged_picture()) else {
            return;
        };
        let old = &self.recent[lagged];
        let last_cut = self.summary.cuts.last().map_or(0, |c| c.time_ms);
        let pending_cut = self.candidate.is_some();
        let window_has_cut =
            pending_cut || (!self.summary.cuts.is_empty() && last_cut > old.shown_ms);
        let changing = !window_has_cut
            && histogram_distance(&old.hist, &self.recent[self.recent.len() - 1].hist)
                >= GRADUAL_MIN_DISTANCE;
        match (&mut self.gradual, changing) {
            (Some(run), true) => {
                run.end_ms = now_ms;
                if now_brightness < run.darkest.0 {
                    run.darkest = (now_brightness, now_ms);
                }
            }
            (None, true) => {
                let window = self
                    .recent
                    .range(self.recent.len() - 1 - self.gradual_lag..);
                let darkest = window
                    .map(|s| (s.brightness, s.shown_ms))
                    .min_by(|a, b| a.0.total_cmp(&b.0))
                    .unwrap_or((now_brightness, now_ms));
                self.gradual = Some(GradualRun {
                    start_ms: old.shown_ms,
                    end_ms: now_ms,
                    darkest,
                });
            }
            (Some(_), false) => self.close_gradual(),
            (None, false) => {}
        }
    }

    /// Index in `recent` of the first picture shown at or after one gradual lag ago: the frame
    /// a lag back, or when that slot repeats an older frame, the next decoded one (comparing
    /// with the older picture would stretch transitions by the skipped frames).
    fn lagged_picture(&self) -> Option<usize> {
        let index = self.recent.len().checked_sub(self.gradual_lag + 1)?;
        let target_ms = self.recent[index].time_ms;
        let ahead = self
            .recent
            .range(index..)
            .position(|s| s.shown_ms >= target_ms)
            .unwrap_or(0);
        Some(index + ahead)
    }

    fn close_gradual(&mut self) {
        let Some(run) = self.gradual.take() else {
            return;
        };
        // The run starts when a frame differs from the one a lag earlier, so its start is about
        // half a lag early; trim that lead.
        let lead = (self.gradual_lag as f64 * self.frame_interval_ms) as u64 / 2;
        let start_ms = (run.start_ms + lead).min(run.end_ms);
        // Symmetrically, the run outlasts the change by about half a lag.
        let end_ms = run.end_ms.saturating_sub(lead).max(start_ms);
        let (darkest_level, darkest_ms) = run.darkest;
        // Through black: the part before the darkest frame is a fade-out, the part after it a
        // fade-in; each edge is trimmed at the black frame.
        let (kind, start_ms, end_ms) = if darkest_level > BLACK_LEVEL {
            (TransitionKind::Dissolve, start_ms, end_ms)
        } else if darkest_ms >= u64::midpoint(start_ms, run.end_ms) {
            (
                TransitionKind::FadeOut,
                start_ms.min(darkest_ms),
                darkest_ms,
            )
        } else {
            (TransitionKind::FadeIn, darkest_ms, end_ms.max(darkest_ms))
        };
        self.summary.transitions.push(Transition {
            kind,
            start_ms,
            end_ms,
        });
    }
}

/// Computes the histogram, luma plane and per-frame features (motion filled in by the caller).
///
/// This runs on every pixel of every frame while ffmpeg waits on the pipe, so the inner loop
/// uses lookup tables and integer sums rather than per-pixel float rounding and division.
fn measure(time_ms: u64, rgb: &[u8]) -> (FrameStats, FrameFeatures) {
    let pixels = rgb.len() / 3;
    let mut counts = [0_u32; HIST_LEN];
    let mut luma = Vec::with_capacity(pixels);
    let (mut sum_y, mut sum_y2, mut sum_warm, mut sum_sat) = (0.0_f64, 0.0_f64, 0_i64, 0.0_f64);
    for px in rgb.chunks_exact(3) {
        let (r, g, b) = (px[0], px[1], px[2]);
        let y = 0.2126 * f32::from(r) + 0.7152 * f32::from(g) + 0.0722 * f32::from(b);
        // y is in 0..=255, so adding a half and truncating rounds it.
        luma.push((y + 0.5) as u8);
        sum_y += f64::from(y);
        sum_y2 += f64::from(y) * f64::from(y);
        sum_warm += i64::from(r) - i64::from(b);
        let (max, min) = (r.max(g).max(b), r.min(g).min(b));
        sum_sat += f64::from(f32::from(max - min) * RECIPROCAL[usize::from(max)]);
        for (channel, value) in [r, g, b].into_iter().enumerate() {
            add_soft(&mut counts[channel * BINS..(channel + 1) * BINS], value);
        }
    }
    let n = pixels as f64;
    let norm = 1.0 / (n as f32 * SOFT_UNIT as f32);
    let hist: Histogram = counts.map(|count| count as f32 * norm);
    let mean_y = sum_y / n;
    let variance = (sum_y2 / n - mean_y * mean_y).max(0.0);
    let contrast = (variance.sqrt() / 255.0) as f32;
    let brightness = (mean_y / 255.0) as f32;
    let features = FrameFeatures {
        time_ms,
        brightness,
        warmth: (sum_warm as f64 / n / 255.0) as f32,
        saturation: (sum_sat / n) as f32,
        contrast,
        motion: 0.0,
    };
    // Under 1% RMS contrast the picture is a flat colour and correlation means nothing.
    let flat = contrast < 0.01;
    (
        FrameStats {
            time_ms,
            shown_ms: time_ms,
            hist,
            luma,
            brightness,
            flat,
        },
        features,
    )
}

/// `1 / max` for HSV saturation (`(max - min) / max`); 0 for black, whose saturation is 0.
static RECIPROCAL: [f32; 256] = {
    let mut table = [0.0; 256];
    let mut max = 1;
    while max < 256 {
        table[max] = 1.0 / max as f32;
        max += 1;
    }
    table
};

/// One sample's weight in [`add_soft`]'s integer counts: a sample sits at `(2 v - 15) / 32`
/// bins, so thirty-seconds of a sample split it between two bins exactly.
const SOFT_UNIT: u32 = 32;

/// Adds one sample to a channel histogram with linear (triangular) binning, so a slow change in
/// value moves mass smoothly between bins instead of jumping at bin edges: fades then produce
/// steady small distances rather than spikes that look like cuts.
///
/// Bin centres are at values `16 i + 7.5`; a value's position in bins is
/// `(v + 0.5) / 16 - 0.5 = (2 v - 15) / 32`, split between the two bins around it in
/// thirty-seconds ([`SOFT_UNIT`]). Values below the first centre or above the last go
/// wholly to the end bin.
fn add_soft(channel: &mut [u32], value: u8) {
    let position = 2 * i32::from(value) - 15;
    let lower = position.div_euclid(SOFT_UNIT as i32);
    let upper_weight = position.rem_euclid(SOFT_UNIT as i32) as u32;
    let clamp = |i: i32| i.clamp(0, BINS as i32 - 1) as usize;
    channel[clamp(lower)] += SOFT_UNIT - upper_weight;
    channel[clamp(lower + 1)] += upper_weight;
}

/// Half the L1 distance averaged over the three channels: 0 identical, 1 disjoint.
fn histogram_distance(a: &Histogram, b: &Histogram) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f32>() / 6.0
}

fn mean_abs_diff(a: &[u8], b: &[u8]) -> f32 {
    if a.len() != b.len() || a.is_empty() {
        return 0.0;
    }
    let total: u64 = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| u64::from(x.abs_diff(y)))
        .sum();
    total as f32 / a.len() as f32 / 255.0
}

/// Pearson correlation of two luma planes.
fn correlation(first: &[u8], second: &[u8]) -> f32 {
    if first.len() != second.len() || first.is_empty() {
        return 0.0;
    }
    let count = first.len() as f64;
    // Exact integer sums (a 4K frame's sum of squares still fits easily in a u64).
    let (mut sum_a, mut sum_b, mut sum_aa, mut sum_bb, mut sum_ab) = (0_u64, 0_u64, 0, 0, 0);
    for (&a, &b) in first.iter().zip(second) {
        let (a, b) = (u64::from(a), u64::from(b));
        sum_a += a;
        sum_b += b;
        sum_aa += a * a;
        sum_bb += b * b;
        sum_ab += a * b;
    }
    let [sum_a, sum_b, sum_aa, sum_bb, sum_ab] =
        [sum_a, sum_b, sum_aa, sum_bb, sum_ab].map(|sum| sum as f64);
    let (mean_a, mean_b) = (sum_a / count, sum_b / count);
    let covariance = sum_ab / count - mean_a * mean_b;
    let variance_a = sum_aa / count - mean_a * mean_a;
    let variance_b = sum_bb / count - mean_b * mean_b;
    if variance_a <= f64::EPSILON || variance_b <= f64::EPSILON {
        return 0.0;
    }
    (covariance / (variance_a * variance_b).sqrt()) as f32
}

fn mean_std(values: impl Iterator<Item = f32> + Clone) -> (f32, f32) {
    let n = values.clone().count();
    if n == 0 {
        return (0.0, 0.0);
    }
    let mean = values.clone().sum::<f32>() / n as f32;
    let variance = values.map(|v| (v - mean).powi(2)).sum::<f32>() / n as f32;
    (mean, variance.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_binning_splits_each_value_between_the_two_nearest_bin_centres() {
        for value in 0..=255_u8 {
            let mut channel = [0_u32; BINS];
            add_soft(&mut channel, value);
            assert_eq!(channel.iter().sum::<u32>(), SOFT_UNIT, "{value}");
            let used: Vec<usize> = (0..BINS).filter(|&i| channel[i] > 0).collect();
            assert!(used.len() <= 2 && used.windows(2).all(|w| w[1] == w[0] + 1));
            // The weighted mean bin is the value's position, clamped to the end bins' centres.
            let mean =
                (0..BINS).map(|i| i as f32 * channel[i] as f32).sum::<f32>() / SOFT_UNIT as f32;
            let position = ((f32::from(value) + 0.5) / 16.0 - 0.5).clamp(0.0, BINS as f32 - 1.0);
            assert!(
                (mean - position).abs() < 1e-6,
                "{value}: {mean} vs {position}"
            );
        }
    }
}
