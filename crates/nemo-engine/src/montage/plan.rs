//! The pure montage planner: how many shots each clip gets, which stretch of the clip each shot
//! shows, in what order, and where the cuts go so every cut lands on a beat of the music.
//!
//! Two phases, because the music is composed for the cuts and the cuts are then snapped to
//! the music:
//!
//! 1. [`layout`]: shots per clip (a share of the target proportional to the clip's usable
//!    footage, capped so no clip dominates), each clip cut into chronological zones (one per
//!    shot), the order (user order, or an energy arc), and the ideal cut times. Those cut
//!    times are the accents the composer fits its beat grid to ([`montage_accents`]).
//! 2. [`plan_montage`]: each cut snapped to the nearest beat of the composed music (a downbeat
//!    when one is close), keeping every shot within what its clip can give and the total at
//!    exactly the target frame count; then the best-looking stretch of the shot's zone with the
//!    final length is picked (motion, detail, contrast, not black, not frozen, no internal cut).
//!
//! All times are whole output frames, so the total is exact and a cut is at most half a frame
//! from the beat it was snapped to.

use nemo_media::segments::Framing;

use super::quality::{QualityWindow, WINDOW_MS};

/// Shortest shot, in seconds (shorter reads as a flash).
pub const MIN_SHOT_SECONDS: f64 = 0.6;
/// Longest shot the layout aims for, in seconds.
pub const MAX_IDEAL_SHOT_SECONDS: f64 = 4.0;
/// Shortest shot the layout aims for when there is room, in seconds.
pub const MIN_IDEAL_SHOT_SECONDS: f64 = 1.5;
/// How long a still is worth at most, in seconds, when sharing the target.
pub const STILL_SHARE_SECONDS: f64 = 3.0;
/// A stretch starting on a keyframe is preferred over the best stretch when its score is at
/// most this much lower (scores are 0..=1; black costs 1, an inner cut 0.4): it renders by
/// copying whole GOPs instead of re-encoding a partial one.
pub const KEYFRAME_SCORE_SLACK: f64 = 0.03;

/// How shots are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ShotOrder {
    /// Clips in the order given, each clip's shots in their order within the clip.
    #[default]
    UserOrder,
    /// Calm shots first, building to the most energetic about three quarters in, easing off at
    /// the end.
    EnergyArc,
}

/// Transition between shots. The cut point (the middle of the transition) is on the beat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transition {
    /// Hard cuts.
    #[default]
    None,
    /// Cross-dissolve.
    Crossfade,
    /// Fade through black.
    Dip,
}

impl Transition {
    /// Name used in drafts and replies.
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "cut",
            Self::Crossfade => "crossfade",
            Self::Dip => "dip",
        }
    }
}

/// What the user asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct MontageOptions {
    /// Total length.
    pub target_ms: u64,
    /// Shot order.
    pub ordering: ShotOrder,
    /// Transition between shots.
    pub transition: Transition,
    /// Length of a transition.
    pub transition_ms: u64,
    /// Title shown over the opening.
    pub title: Option<String>,
    /// Text shown over the ending.
    pub end_card: Option<String>,
    /// Framing of pictures that are not 16:9.
    pub framing: Framing,
    /// Output frame rate.
    pub fps: u32,
    /// Mood words for the music ("upbeat", "欢快"); `None` follows the footage.
    pub mood: Option<String>,
    /// Style words for the music ("piano", "电子").
    pub style: Option<String>,
    /// Seed of the composer.
    pub seed: u64,
}

impl MontageOptions {
    /// Defaults for a montage of `target_ms`: user order, hard cuts, letterbox, 30 fps.
    pub fn new(target_ms: u64) -> Self {
        Self {
            target_ms,
            ordering: ShotOrder::UserOrder,
            transition: Transition::None,
            transition_ms: 400,
            title: None,
            end_card: None,
            framing: Framing::Letterbox,
            fps: 30,
            mood: None,
            style: None,
            seed: 0,
        }
    }

    fn frames(&self, ms: f64) -> u64 {
        (ms * f64::from(self.fps) / 1000.0).round().max(0.0) as u64
    }

    /// Total length in frames.
    pub fn total_frames(&self) -> u64 {
        self.frames(self.target_ms as f64)
    }

    /// Frames each side of a cut that a crossfade needs from the neighbouring shots.
    fn handle_frames(&self) -> u64 {
        match self.transition {
            Transition::Crossfade => self.frames(self.transition_ms as f64).div_ceil(2),
            Transition::None | Transition::Dip => 0,
        }
    }
}

/// What the planner needs to know about one clip or still.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourceSummary {
    /// Length; 0 for stills.
    pub duration_ms: u64,
    /// True for still images.
    pub is_image: bool,
    /// Picture quality every [`WINDOW_MS`].
    pub windows: Vec<QualityWindow>,
    /// Hard cuts inside the clip (a shot should not straddle one).
    pub cuts_ms: Vec<u64>,
    /// Keyframe times (ms; empty when unknown). A shot that starts on a keyframe renders
    /// without re-encoding its head: its whole GOPs are copied.
    pub keyframes_ms: Vec<u64>,
}

/// The music's beat grid.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BeatTimes {
    /// Every beat (ms).
    pub beats_ms: Vec<f64>,
    /// Every downbeat (ms).
    pub downbeats_ms: Vec<f64>,
}

/// One shot of the montage.
#[derive(Debug, Clone, PartialEq)]
pub struct MontageShot {
    /// Index of its source in the input.
    pub source: usize,
    /// First source frame shown, in output frames from the start of the source.
    pub in_frame: u64,
    /// In-point in milliseconds (`in_frame` at the output rate).
    pub in_ms: f64,
    /// First frame on the timeline.
    pub start_frame: u64,
    /// Length in frames.
    pub frames: u64,
    /// The cut into this shot is within half a frame of a beat (always true for the first).
    pub on_beat: bool,
    /// ...and that beat is a downbeat.
    pub on_downbeat: bool,
    /// Mean picture score of the stretch (higher is better; negative contains black).
    pub score: f64,
    /// Mean motion energy of the stretch, 0..=1.
    pub energy: f64,
}

/// Text over the opening or the ending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// The text.
    pub text: String,
    /// First frame.
    pub start_frame: u64,
    /// Length in frames.
    pub frames: u64,
}

/// A complete montage plan (music attached by the caller, see [`super::MontageMusic`]).
#[derive(Debug, Clone, PartialEq)]
pub struct MontagePlan {
    /// Shots back to back.
    pub shots: Vec<MontageShot>,
    /// Output frame rate.
    pub fps: u32,
    /// Exact length in frames.
    pub total_frames: u64,
    /// Transition between shots.
    pub transition: Transition,
    /// Length of each transition in frames (0 for hard cuts).
    pub transition_frames: u64,
    /// Framing of pictures that are not 16:9.
    pub framing: Framing,
    /// Title over the opening.
    pub title: Option<Card>,
    /// Text over the ending.
    pub end_card: Option<Card>,
    /// Sources left out because the target is too short to show them all.
    pub dropped_sources: Vec<usize>,
}

impl MontagePlan {
    /// Milliseconds of a frame position (rounded to the millisecond).
    pub fn frame_ms(&self, frame: u64) -> u64 {
        nemo_media::segments::frames_to_ms(frame, self.fps)
    }

    /// Exact length in milliseconds (rounded).
    pub fn duration_ms(&self) -> u64 {
        self.frame_ms(self.total_frames)
    }

    /// Times of the cuts (start of every shot after the first), exact, in ms.
    pub fn cut_times_ms(&self) -> Vec<f64> {
        self.shots
            .iter()
            .skip(1)
            .map(|s| s.start_frame as f64 * 1000.0 / f64::from(self.fps))
            .collect()
    }

    /// Fraction of cuts that landed on a beat.
    pub fn beat_hit_ratio(&self) -> f64 {
        let cuts = self.shots.len().saturating_sub(1);
        if cuts == 0 {
            return 1.0;
        }
        self.shots.iter().skip(1).filter(|s| s.on_beat).count() as f64 / cuts as f64
    }
}

/// Why a montage cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// No clips or stills.
    #[error("a montage needs at least one clip or image")]
    NoSources,
    /// The target is too short.
    #[error("a montage must be at least {min_ms} ms long (asked for {target_ms} ms)")]
    TooShort {
        /// Requested.
        target_ms: u64,
        /// Minimum.
        min_ms: u64,
    },
    /// Every clip is unusable (black or empty).
    #[error("none of the clips has usable footage (all black or empty)")]
    NothingUsable,
}

/// One shot before its stretch is chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct ShotSlot {
    /// Source index.
    pub source: usize,
    /// Zone of the source this shot draws from, in source ms (`start..end`).
    pub zone_ms: (u64, u64),
    /// Ideal length in frames.
    pub ideal_frames: u64,
    /// Longest the shot may be, in frames (stills: the whole montage).
    pub max_frames: u64,
    /// Energy of the best stretch of the zone, for ordering.
    pub energy: f64,
}

/// Shots in timeline order with their ideal lengths.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Shots in timeline order.
    pub slots: Vec<ShotSlot>,
    /// Total frames.
    pub total_frames: u64,
    /// Ideal cut positions (frames), one fewer than the slots.
    pub ideal_cuts: Vec<u64>,
    /// Sources left out.
    pub dropped: Vec<usize>,
    /// Shortest allowed shot.
    pub min_frames: u64,
}

fn source_frames(source: &SourceSummary, fps: u32) -> u64 {
    source.duration_ms * u64::from(fps) / 1000
}

/// Usable (not black) footage in ms.
fn usable_ms(source: &SourceSummary) -> u64 {
    if source.windows.is_empty() {
        return source.duration_ms;
    }
    let black = source.windows.iter().filter(|w| w.is_black()).count() as u64;
    source.duration_ms.saturating_sub(black * WINDOW_MS)
}

/// Phase 1: shots per clip, their zones, their order and the ideal cut times.
pub fn layout(sources: &[SourceSummary], options: &MontageOptions) -> Result<Layout, PlanError> {
    if sources.is_empty() {
        return Err(PlanError::NoSources);
    }
    let fps = options.fps.max(1);
    let total = options.total_frames();
    let handle = options.handle_frames();
    let min_frames = options
        .frames(MIN_SHOT_SECONDS * 1000.0)
        .max(2 * handle + 2)
        .max(1);
    let min_ms = (min_frames * 1000).div_ceil(u64::from(fps));
    if total < min_frames {
        return Err(PlanError::TooShort {
            target_ms: options.target_ms,
            min_ms,
        });
    }
    // Each source can supply shots at most this long (handles for crossfades on both sides).
    let max_frames = |s: &SourceSummary| -> u64 {
        if s.is_image {
            total
        } else {
            source_frames(s, fps).saturating_sub(2 * handle)
        }
    };
    let mut usable: Vec<usize> = (0..sources.len())
        .filter(|&i| {
            sources[i].is_image
                || (usable_ms(&sources[i]) > 0 && max_frames(&sources[i]) >= min_frames.min(total))
        })
        .collect();
    if usable.is_empty() {
        return Err(PlanError::NothingUsable);
    }
    let mut dropped: Vec<usize> = (0..sources.len()).filter(|i| !usable.contains(i)).collect();
    let fit = (total / min_frames).max(1) as usize;
    if usable.len() > fit {
        dropped.extend(usable.split_off(fit));
        dropped.sort_unstable();
    }
    let n = usable.len() as f64;
    let share_ms = options.target_ms as f64 / n;
    let weight = |s: &SourceSummary| -> f64 {
        if s.is_image {
            (STILL_SHARE_SECONDS * 1000.0).min(share_ms)
        } else {
            (usable_ms(s) as f64).min(2.0 * share_ms).max(1.0)
        }
    };
    let total_weight: f64 = usable.iter().map(|&i| weight(&sources[i])).sum();
    let ideal_shot =
        (share_ms / 1000.0).clamp(MIN_IDEAL_SHOT_SECONDS, MAX_IDEAL_SHOT_SECONDS) * f64::from(fps);
    // Per source: frames allotted, then shot count.
    let mut per_source: Vec<(usize, Vec<ShotSlot>)> = Vec::new();
    for &i in &usable {
        let source = &sources[i];
        let allotted = total as f64 * weight(source) / total_weight;
        let cap = max_frames(source).max(1) as f64;
        let shots = ((allotted / ideal_shot).round() as usize)
            .max((allotted / cap).ceil() as usize)
            .max(1)
            .min(((allotted / min_frames as f64).floor() as usize).max(1));
        let length = (allotted / shots as f64).max(1.0);
        let zones = zones(source, shots);
        let slots = zones
            .into_iter()
            .map(|zone_ms| {
                let frames = length.round() as u64;
                let energy =
                    best_stretch(source, zone_ms, frames, handle, fps).map_or(0.0, |s| s.energy);
                ShotSlot {
                    source: i,
                    zone_ms,
                    ideal_frames: frames,
                    max_frames: max_frames(source).max(1),
                    energy,
                }
            })
            .collect();
        per_source.push((i, slots));
    }
    let mut slots: Vec<ShotSlot> = per_source.into_iter().flat_map(|(_, s)| s).collect();
    if options.ordering == ShotOrder::EnergyArc {
        slots = energy_arc(slots);
    }
    let ideal_cuts = ideal_cuts(&slots, total);
    Ok(Layout {
        slots,
        total_frames: total,
        ideal_cuts,
        dropped,
        min_frames,
    })
}

/// Splits a clip into `shots` equal chronological zones (a still is one zone repeated).
fn zones(source: &SourceSummary, shots: usize) -> Vec<(u64, u64)> {
    if source.is_image {
        return vec![(0, 0); shots];
    }
    let d = source.duration_ms;
    (0..shots as u64)
        .map(|k| (d * k / shots as u64, d * (k + 1) / shots as u64))
        .collect()
}

/// Cumulative ideal lengths scaled to the exact total.
fn ideal_cuts(slots: &[ShotSlot], total: u64) -> Vec<u64> {
    let sum: u64 = slots.iter().map(|s| s.ideal_frames).sum::<u64>().max(1);
    let mut at = 0_u64;
    slots
        .iter()
        .take(slots.len().saturating_sub(1))
        .map(|s| {
            at += s.ideal_frames;
            ((at as f64) * total as f64 / sum as f64).round() as u64
        })
        .collect()
}

/// Reorders shots so energy rises to a peak about 75% in and eases off at the end: slots of
/// the target curve, ranked, receive the shots ranked by energy.
fn energy_arc(slots: Vec<ShotSlot>) -> Vec<ShotSlot> {
    let n = slots.len();
    let curve = |i: usize| -> f64 {
        let x = (i as f64 + 0.5) / n as f64;
        if x <= 0.75 {
            x / 0.75
        } else {
            1.0 - (x - 0.75) / 0.25 * 0.8
        }
    };
    let mut positions: Vec<usize> = (0..n).collect();
    positions.sort_by(|a, b| curve(*a).total_cmp(&curve(*b)));
    let mut by_energy = slots;
    by_energy.sort_by(|a, b| a.energy.total_cmp(&b.energy));
    let mut placed: Vec<Option<ShotSlot>> = vec![None; n];
    for (position, slot) in positions.into_iter().zip(by_energy) {
        placed[position] = Some(slot);
    }
    placed.into_iter().flatten().collect()
}

/// The accents for the composer: the ideal cut times in ms.
pub fn montage_accents(layout: &Layout, fps: u32) -> Vec<u64> {
    layout
        .ideal_cuts
        .iter()
        .map(|&f| nemo_media::segments::frames_to_ms(f, fps.max(1)))
        .collect()
}

/// A chosen stretch of a source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stretch {
    /// First frame (output-rate frames from the start of the source).
    pub in_frame: u64,
    /// Mean score.
    pub score: f64,
    /// Mean energy.
    pub energy: f64,
}

/// The best stretch of `frames` frames inside `zone_ms` (widened symmetrically when the zone is
/// shorter), keeping `handle` frames free on both sides for crossfades.
pub fn best_stretch(
    source: &SourceSummary,
    zone_ms: (u64, u64),
    frames: u64,
    handle: u64,
    fps: u32,
) -> Option<Stretch> {
    if source.is_image {
        return Some(Stretch {
            in_frame: 0,
            score: 0.5,
            energy: 0.1,
        });
    }
    let available = source_frames(source, fps);
    if available < frames + 2 * handle {
        // Too short for the shot with handles: start at the handle (or 0) and let the renderer
        // hold the last frame.
        return Some(Stretch {
            in_frame: handle.min(available.saturating_sub(frames)),
            score: window_mean(source, 0, source.duration_ms, QualityWindow::score),
            energy: window_mean(source, 0, source.duration_ms, QualityWindow::energy),
        });
    }
    let to_frame = |ms: u64| ms * u64::from(fps) / 1000;
    let (lo_limit, hi_limit) = (handle, available - handle - frames);
    let (mut lo, mut hi) = (
        to_frame(zone_ms.0),
        to_frame(zone_ms.1).saturating_sub(frames),
    );
    if hi < lo {
        let centre = u64::midpoint(to_frame(zone_ms.0), to_frame(zone_ms.1));
        lo = centre.saturating_sub(frames / 2);
        hi = lo;
    }
    let (lo, hi) = (lo.clamp(lo_limit, hi_limit), hi.clamp(lo_limit, hi_limit));
    let step = (u64::from(fps) / 4).max(1);
    let mut best: Option<Stretch> = None;
    let mut start = lo;
    loop {
        let candidate = score_stretch(source, start, frames, fps);
        if best.is_none_or(|b| candidate.score > b.score + 1e-9) {
            best = Some(candidate);
        }
        if start >= hi {
            break;
        }
        start = (start + step).min(hi);
    }
    let best = best?;
    let on_keyframe = source
        .keyframes_ms
        .iter()
        .map(|&ms| (ms as f64 * f64::from(fps) / 1000.0).round() as u64)
        .filter(|k| (lo..=hi).contains(k))
        .map(|k| score_stretch(source, k, frames, fps))
        .filter(|s| s.score >= best.score - KEYFRAME_SCORE_SLACK)
        .max_by(|a, b| a.score.total_cmp(&b.score));
    Some(on_keyframe.unwrap_or(best))
}

fn score_stretch(source: &SourceSummary, in_frame: u64, frames: u64, fps: u32) -> Stretch {
    let fps = u64::from(fps);
    let (a, b) = (in_frame * 1000 / fps, (in_frame + frames) * 1000 / fps);
    let mut score = window_mean(source, a, b, QualityWindow::score);
    // A cut inside the stretch (not at its very edges) would read as two shots.
    let margin = 300;
    let inner_cuts = source
        .cuts_ms
        .iter()
        .filter(|&&c| c > a + margin && c + margin < b)
        .count();
    score -= 0.4 * inner_cuts as f64;
    Stretch {
        in_frame,
        score,
        energy: window_mean(source, a, b, QualityWindow::energy),
    }
}

/// Mean of `f` over the windows overlapping `a..b` ms (0.5 without windows).
fn window_mean(source: &SourceSummary, a: u64, b: u64, f: impl Fn(&QualityWindow) -> f64) -> f64 {
    let values: Vec<f64> = source
        .windows
        .iter()
        .filter(|w| w.start_ms < b.max(a + 1) && w.start_ms + WINDOW_MS > a)
        .map(f)
        .collect();
    if values.is_empty() {
        0.5
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

/// Beat positions in frames: `(frame, is_downbeat)`, ascending, inside `1..total`.
fn beat_frames(beats: &BeatTimes, fps: u32, total: u64) -> Vec<(u64, bool)> {
    let to_frame = |ms: f64| (ms * f64::from(fps) / 1000.0).round();
    let mut out: Vec<(u64, bool)> = beats
        .beats_ms
        .iter()
        .map(|&b| {
            let is_down = beats.downbeats_ms.iter().any(|&d| (d - b).abs() < 1.0);
            (to_frame(b), is_down)
        })
        .filter(|(f, _)| *f >= 1.0 && *f < total as f64)
        .map(|(f, d)| (f as u64, d))
        .collect();
    out.sort_unstable();
    out.dedup_by(|b, a| {
        if a.0 == b.0 {
            a.1 |= b.1;
            true
        } else {
            false
        }
    });
    out
}

/// Snaps the ideal cuts to beats: left to right, each cut takes the beat closest to its ideal
/// position (a downbeat wins when it is at most one beat further), among the positions that keep
/// this shot within its limits and leave the remaining shots room to fill the rest exactly.
/// Returns the cut frames and whether each landed on a beat / downbeat.
pub fn snap_cuts(layout: &Layout, beats: &BeatTimes, fps: u32) -> Vec<(u64, bool, bool)> {
    let total = layout.total_frames;
    let grid = beat_frames(beats, fps, total);
    let beat_len = grid
        .windows(2)
        .map(|w| w[1].0 - w[0].0)
        .min()
        .unwrap_or(u64::from(fps) / 2)
        .max(1);
    let n = layout.slots.len();
    let min_len = layout.min_frames.min(total / n.max(1) as u64).max(1);
    let max_len: Vec<u64> = layout
        .slots
        .iter()
        .map(|s| s.max_frames.max(min_len))
        .collect();
    let mut cuts = Vec::with_capacity(n.saturating_sub(1));
    let mut prev = 0_u64;
    for i in 0..n.saturating_sub(1) {
        // Shots after this cut: i+1 ..= n-1.
        let rest_min: u64 = (n - i - 1) as u64 * min_len;
        let rest_max: u64 = max_len[i + 1..].iter().sum();
        let lo = (prev + min_len).max(total.saturating_sub(rest_max));
        let hi = (prev + max_len[i]).min(total.saturating_sub(rest_min));
        let ideal = layout.ideal_cuts[i].clamp(lo, hi.max(lo));
        let cost = |f: u64, down: bool| -> f64 {
            let distance = f.abs_diff(ideal) as f64;
            if down {
                distance - beat_len as f64
            } else {
                distance
            }
        };
        let choice = grid
            .iter()
            .filter(|(f, _)| (lo..=hi).contains(f))
            .min_by(|a, b| cost(a.0, a.1).total_cmp(&cost(b.0, b.1)));
        let cut = match choice {
            Some(&(f, down)) => (f, true, down),
            None => (ideal, false, false),
        };
        prev = cut.0;
        cuts.push(cut);
    }
    cuts
}

/// Phase 2: the full plan for `sources` against the music's beats.
pub fn plan_montage(
    sources: &[SourceSummary],
    options: &MontageOptions,
    beats: &BeatTimes,
) -> Result<MontagePlan, PlanError> {
    let layout = layout(sources, options)?;
    Ok(plan_from_layout(sources, options, &layout, beats))
}

/// Phase 2 for an existing layout.
pub fn plan_from_layout(
    sources: &[SourceSummary],
    options: &MontageOptions,
    layout: &Layout,
    beats: &BeatTimes,
) -> MontagePlan {
    let fps = options.fps.max(1);
    let handle = options.handle_frames();
    let cuts = snap_cuts(layout, beats, fps);
    let mut starts = vec![(
        0_u64,
        true,
        beats
            .downbeats_ms
            .first()
            .is_some_and(|d| *d < 1000.0 / f64::from(fps)),
    )];
    starts.extend(cuts);
    let mut shots = Vec::with_capacity(layout.slots.len());
    for (k, slot) in layout.slots.iter().enumerate() {
        let (start, on_beat, on_downbeat) = starts[k];
        let end = starts.get(k + 1).map_or(layout.total_frames, |c| c.0);
        let frames = end - start;
        let source = &sources[slot.source];
        let stretch = best_stretch(source, slot.zone_ms, frames, handle, fps).unwrap_or(Stretch {
            in_frame: 0,
            score: 0.0,
            energy: 0.0,
        });
        shots.push(MontageShot {
            source: slot.source,
            in_frame: stretch.in_frame,
            in_ms: stretch.in_frame as f64 * 1000.0 / f64::from(fps),
            start_frame: start,
            frames,
            on_beat,
            on_downbeat,
            score: stretch.score,
            energy: stretch.energy,
        });
    }
    let transition_frames = match options.transition {
        Transition::None => 0,
        Transition::Crossfade => 2 * handle,
        Transition::Dip => options.frames(options.transition_ms as f64).max(2),
    };
    let card_frames = options.frames(3000.0);
    let title = options
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|text| Card {
            text: text.to_owned(),
            start_frame: 0,
            frames: card_frames
                .min(shots.first().map_or(0, |s| s.frames))
                .max(1),
        });
    let end_card = options
        .end_card
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|text| {
            let frames = card_frames.min(layout.total_frames);
            Card {
                text: text.to_owned(),
                start_frame: layout.total_frames - frames,
                frames,
            }
        });
    MontagePlan {
        shots,
        fps,
        total_frames: layout.total_frames,
        transition: options.transition,
        transition_frames,
        framing: options.framing,
        title,
        end_card,
        dropped_sources: layout.dropped.clone(),
    }
}
