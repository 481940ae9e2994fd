//! Fitting generated music to the video: the clips' analysis ([`VideoProfile`]s) laid out as the
//! timeline plays them, turned into a [`MusicBrief`] and the shaping applied around it.
//!
//! One function per step, each pure and unit-tested:
//!
//! ```text
//! clip profiles + trims --trim_profile/timeline_profile--> the sequence's profile
//!   --fitted_mood-->      valence/arousal (the user's words nudge it: "but calmer", "更欢快一点")
//!   --cut_accents-->      accents = cut times (the composer fits tempo + phase so beats hit them)
//!   --big_cuts + choose_composition--> the seed whose section changes sit nearest the big cuts
//!   --energy_gain_curve-> music gain following the picture's energy (quieter where it calms)
//!   --edge_fades-->       intro/outro fades at the video's start and end
//! ```
//!
//! [`fit_brief`] runs the pure steps at once; [`analyze_draft`] is the IO glue that analyses each
//! distinct clip of a draft exactly once (one decode pass per clip).

use std::collections::HashMap;
use std::path::PathBuf;

use nemo_analysis::{Cut, EnergyPoint, Mood, TimeRange, VideoProfile};
use nemo_music::{Composition, MusicBrief, MusicError, Section};
use nemo_protocol::RawDraft;
use serde::{Deserialize, Serialize};

use crate::media_store::MediaStore;
use crate::store::MediaRow;
use crate::timeline;

/// Cuts closer than this to the start or end of the video are not accents (nothing to hit).
pub const EDGE_GUARD_MS: u64 = 250;
/// A cut at least this strong (histogram distance, 0..=1) can start a new section; clip
/// boundaries count as 1.0.
pub const BIG_CUT_STRENGTH: f32 = 0.5;
/// Big cuts closer together than this are one change of scene for the form.
pub const MIN_SECTION_GAP_MS: u64 = 4_000;
/// How many seeds [`choose_composition`] tries (composing without synthesis is cheap).
pub const SECTION_SEED_TRIES: u64 = 24;
/// The music drops at most this much where the picture is calmest (dB).
pub const MAX_ENERGY_CUT_DB: f64 = -6.0;
/// How far below the mood's tempo the beat grid may go so cuts land on beats (factor).
pub const TEMPO_SLACK_DOWN: f64 = 0.8;
/// How far above the mood's tempo the beat grid may go so cuts land on beats (factor).
pub const TEMPO_SLACK_UP: f64 = 1.3;
/// Energy ranges narrower than this leave the music flat (a uniformly calm or busy video).
pub const MIN_ENERGY_RANGE: f64 = 0.1;
/// Half-width of the moving average over the energy curve (points of 500 ms): the music
/// follows scenes, not single frames.
pub const ENERGY_SMOOTHING_POINTS: usize = 3;

/// One clip of the timeline: its profile and how much of it plays.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineClip {
    /// The whole source clip's analysis.
    pub profile: VideoProfile,
    /// In-point inside the source (ms).
    pub in_ms: u64,
    /// Length on the timeline (ms).
    pub duration_ms: u64,
}

/// Everything the music generator needs to fit a track to the video.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitPlan {
    /// Exact music length: the final video length (ms).
    pub duration_ms: u64,
    /// Mood after the user's nudge.
    pub valence: f64,
    /// Mood after the user's nudge.
    pub arousal: f64,
    /// Mood label ("calm", "upbeat", ...).
    pub mood_label: String,
    /// Times beats should land on (cuts, clip boundaries).
    pub accents_ms: Vec<u64>,
    /// Cuts that should start a new section.
    pub big_cuts_ms: Vec<u64>,
    /// The picture's energy, smoothed, for [`energy_gain_curve`].
    pub energy: Vec<EnergyPoint>,
    /// Speech in the original audio (timeline times), ducked under at render time.
    pub speech: Vec<TimeRange>,
    /// Intro fade (ms).
    pub fade_in_ms: u64,
    /// Outro fade (ms).
    pub fade_out_ms: u64,
    /// The readable analysis summary.
    pub summary: String,
}

/// How well a composed track fits, for the report and the reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitReport {
    /// Accents (cuts) within 50 ms of a beat, 0..=1 (1 when there are none).
    pub accent_hit_ratio: f64,
    /// Number of accents.
    pub accents: usize,
    /// Mean distance from each big cut to the nearest section change (ms; 0 when none).
    pub section_offset_ms: f64,
    /// Seed that gave the best section placement.
    pub seed: u64,
}

/// Step 1: the part of a clip's profile that plays, `[in_ms, in_ms + duration_ms)`, with times
/// shifted so the in-point is 0. Cuts exactly at the in-point are dropped (the clip boundary is
/// added by [`timeline_profile`]); speech is clipped to the window.
pub fn trim_profile(profile: &VideoProfile, in_ms: u64, duration_ms: u64) -> VideoProfile {
    let end_ms = in_ms + duration_ms;
    let inside = |t: u64| t > in_ms && t < end_ms;
    let mut trimmed = profile.clone();
    trimmed.duration_ms = duration_ms;
    trimmed.cuts = profile
        .cuts
        .iter()
        .filter(|c| inside(c.time_ms))
        .map(|c| Cut {
            time_ms: c.time_ms - in_ms,
            ..*c
        })
        .collect();
    trimmed
        .transitions
        .retain(|t| t.start_ms >= in_ms && t.end_ms <= end_ms);
    for t in &mut trimmed.transitions {
        t.start_ms -= in_ms;
        t.end_ms -= in_ms;
    }
    trimmed.speech = clip_ranges(&profile.speech, in_ms, end_ms);
    if let Some(audio) = &mut trimmed.audio {
        audio.speech = clip_ranges(&audio.speech, in_ms, end_ms);
        audio.silences = clip_ranges(&audio.silences, in_ms, end_ms);
    }
    trimmed.energy = profile
        .energy
        .iter()
        .filter(|e| {
            e.time_ms >= in_ms.saturating_sub(nemo_analysis::ENERGY_STEP_MS) && e.time_ms < end_ms
        })
        .map(|e| EnergyPoint {
            time_ms: e.time_ms.saturating_sub(in_ms),
            ..*e
        })
        .collect();
    trimmed
}

fn clip_ranges(ranges: &[TimeRange], start_ms: u64, end_ms: u64) -> Vec<TimeRange> {
    ranges
        .iter()
        .filter(|r| r.end_ms > start_ms && r.start_ms < end_ms)
        .map(|r| TimeRange {
            start_ms: r.start_ms.max(start_ms) - start_ms,
            end_ms: r.end_ms.min(end_ms) - start_ms,
        })
        .collect()
}

/// Step 2: the sequence's profile: each clip trimmed, then joined in timeline order
/// ([`nemo_analysis::combine`] adds a full-strength cut at every clip boundary).
pub fn timeline_profile(clips: &[TimelineClip]) -> Option<VideoProfile> {
    let trimmed: Vec<VideoProfile> = clips
        .iter()
        .map(|c| trim_profile(&c.profile, c.in_ms, c.duration_ms))
        .collect();
    nemo_analysis::combine(&trimmed)
}

/// Step 3: the music's mood: the picture's, nudged by the user's words when they hold any
/// ("but calmer", "a bit faster", "更欢快一点").
pub fn fitted_mood(profile: &VideoProfile, words: Option<&str>) -> Mood {
    match words {
        Some(text) => nemo_analysis::apply_nudge(&profile.mood, nemo_analysis::parse_nudge(text)),
        None => profile.mood.clone(),
    }
}

/// Step 4: accents for the beat grid: every cut (clip boundaries included), sorted, without
/// those within [`EDGE_GUARD_MS`] of the start or end.
pub fn cut_accents(profile: &VideoProfile) -> Vec<u64> {
    let end = profile.duration_ms.saturating_sub(EDGE_GUARD_MS);
    let mut accents: Vec<u64> = profile
        .cuts
        .iter()
        .map(|c| c.time_ms)
        .filter(|t| *t >= EDGE_GUARD_MS && *t <= end)
        .collect();
    accents.sort_unstable();
    accents.dedup();
    accents
}

/// Step 5: the cuts that deserve a change of section: strong ones ([`BIG_CUT_STRENGTH`]),
/// strongest first when two fall within [`MIN_SECTION_GAP_MS`], none near the edges.
pub fn big_cuts(profile: &VideoProfile) -> Vec<u64> {
    let mut strong: Vec<&Cut> = profile
        .cuts
        .iter()
        .filter(|c| c.strength >= BIG_CUT_STRENGTH)
        .filter(|c| {
            c.time_ms >= MIN_SECTION_GAP_MS / 2
                && c.time_ms + MIN_SECTION_GAP_MS / 2 <= profile.duration_ms
        })
        .collect();
    strong.sort_by(|a, b| {
        b.strength
            .total_cmp(&a.strength)
            .then(a.time_ms.cmp(&b.time_ms))
    });
    let mut chosen: Vec<u64> = Vec::new();
    for cut in strong {
        if chosen
            .iter()
            .all(|t| t.abs_diff(cut.time_ms) >= MIN_SECTION_GAP_MS)
        {
            chosen.push(cut.time_ms);
        }
    }
    chosen.sort_unstable();
    chosen
}

/// Step 6: how far the big cuts sit from the nearest section change (mean, ms). Changes are
/// the starts of every section after the first; 0 when there are no big cuts.
pub fn section_offset_ms(sections: &[Section], big_cuts_ms: &[u64]) -> f64 {
    if big_cuts_ms.is_empty() {
        return 0.0;
    }
    let changes: Vec<f64> = sections.iter().skip(1).map(|s| s.start_ms).collect();
    let total: f64 = big_cuts_ms
        .iter()
        .map(|cut| {
            let cut = *cut as f64;
            changes
                .iter()
                .map(|c| (c - cut).abs())
                .fold(cut.max(1.0), f64::min)
        })
        .sum();
    total / big_cuts_ms.len() as f64
}

/// Step 7: composes `brief` with [`SECTION_SEED_TRIES`] seeds derived from its own and keeps
/// the composition whose section changes sit nearest the big cuts (ties: the first). The
/// composer's form is seeded, so this is how sections follow the video without changing it;
/// composing costs milliseconds, synthesis (done once, afterwards) is what is slow.
pub fn choose_composition(
    brief: &MusicBrief,
    big_cuts_ms: &[u64],
) -> Result<(MusicBrief, Composition, f64), MusicError> {
    let tries = if big_cuts_ms.is_empty() {
        1
    } else {
        SECTION_SEED_TRIES
    };
    let mut best: Option<(MusicBrief, Composition, f64)> = None;
    for k in 0..tries {
        let mut candidate = brief.clone();
        candidate.seed = brief
            .seed
            .wrapping_add(k.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let composition = nemo_music::compose(&candidate)?;
        let offset = section_offset_ms(&composition.sections, big_cuts_ms);
        if best.as_ref().is_none_or(|(_, _, b)| offset < *b) {
            best = Some((candidate, composition, offset));
        }
    }
    // `tries >= 1`, so `best` is set; compose once more rather than panic if it ever is not.
    match best {
        Some(found) => Ok(found),
        None => Ok((brief.clone(), nemo_music::compose(brief)?, 0.0)),
    }
}

/// Step 8: per-frame music gain from the picture's energy: a moving average over
/// ±[`ENERGY_SMOOTHING_POINTS`] points, scaled so the busiest moment plays at full level and the
/// calmest [`MAX_ENERGY_CUT_DB`] lower, interpolated linearly between point centres. A flat
/// curve (range below [`MIN_ENERGY_RANGE`]) or no curve gives unity gain.
pub fn energy_gain_curve(energy: &[EnergyPoint], frames: usize, sample_rate: u32) -> Vec<f32> {
    let smoothed = smooth_energy(energy);
    let (lo, hi) = smoothed
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p.energy), hi.max(p.energy))
        });
    if smoothed.is_empty() || hi - lo < MIN_ENERGY_RANGE {
        return vec![1.0; frames];
    }
    let gain_at = |e: f64| nemo_mix::db_to_gain(MAX_ENERGY_CUT_DB * (1.0 - (e - lo) / (hi - lo)));
    let half_step = nemo_analysis::ENERGY_STEP_MS as f64 / 2.0;
    let centres: Vec<(f64, f64)> = smoothed
        .iter()
        .map(|p| (p.time_ms as f64 + half_step, gain_at(p.energy)))
        .collect();
    let per_frame_ms = 1000.0 / f64::from(sample_rate.max(1));
    let mut next = 0;
    (0..frames)
        .map(|i| {
            let t = i as f64 * per_frame_ms;
            while next < centres.len() && centres[next].0 <= t {
                next += 1;
            }
            let gain = match (next.checked_sub(1).map(|k| centres[k]), centres.get(next)) {
                (Some((t0, g0)), Some(&(t1, g1))) => g0 + (g1 - g0) * (t - t0) / (t1 - t0),
                (Some((_, g)), None) | (None, Some(&(_, g))) => g,
                (None, None) => 1.0,
            };
            gain as f32
        })
        .collect()
}

/// Moving average of the energy curve, same points.
pub fn smooth_energy(energy: &[EnergyPoint]) -> Vec<EnergyPoint> {
    (0..energy.len())
        .map(|i| {
            let from = i.saturating_sub(ENERGY_SMOOTHING_POINTS);
            let to = (i + ENERGY_SMOOTHING_POINTS + 1).min(energy.len());
            let window = &energy[from..to];
            EnergyPoint {
                time_ms: energy[i].time_ms,
                energy: window.iter().map(|p| p.energy).sum::<f64>() / window.len() as f64,
            }
        })
        .collect()
}

/// Step 9: intro and outro fades for a video of `duration_ms`: 1 s in and 2 s out, never more
/// than a quarter of the video each.
pub fn edge_fades(duration_ms: u64) -> (u64, u64) {
    (1000.min(duration_ms / 4), 2000.min(duration_ms / 4))
}

/// Steps 3-5 and 9 at once: the plan for music fitted to `profile`, nudged by `words`.
pub fn fit_plan(profile: &VideoProfile, words: Option<&str>) -> FitPlan {
    let mood = fitted_mood(profile, words);
    let (fade_in_ms, fade_out_ms) = edge_fades(profile.duration_ms);
    FitPlan {
        duration_ms: profile.duration_ms,
        valence: mood.valence,
        arousal: mood.arousal,
        mood_label: mood.label.clone(),
        accents_ms: cut_accents(profile),
        big_cuts_ms: big_cuts(profile),
        energy: smooth_energy(&profile.energy),
        speech: profile.speech.clone(),
        fade_in_ms,
        fade_out_ms,
        summary: profile.summary(),
    }
}

/// The brief for a plan: its mood as valence/arousal (or the named mood the user asked for),
/// its exact length and accents, and `seed`. With accents, the tempo may move from the mood's
/// ([`nemo_music::params`]: 64 + 32 * (arousal + 1) BPM) by [`TEMPO_SLACK_DOWN`] ..
/// [`TEMPO_SLACK_UP`], wider than the composer's own ±12 %, so more cuts can fall on beats.
pub fn fit_brief(
    plan: &FitPlan,
    named_mood: Option<nemo_music::NamedMood>,
    seed: u64,
) -> MusicBrief {
    let mood = match named_mood {
        Some(named) => nemo_music::Mood::Named(named),
        None => nemo_music::Mood::ValenceArousal {
            valence: plan.valence as f32,
            arousal: plan.arousal as f32,
        },
    };
    let mut brief = MusicBrief::new(mood, plan.duration_ms.max(nemo_music::MIN_DURATION_MS));
    brief.accents_ms.clone_from(&plan.accents_ms);
    brief.seed = seed;
    if !plan.accents_ms.is_empty() {
        let (_, arousal) = brief.mood.valence_arousal();
        let mood_bpm = 64.0 + 32.0 * (f64::from(arousal) + 1.0);
        brief.tempo = nemo_music::TempoSpec::Range {
            min: mood_bpm * TEMPO_SLACK_DOWN,
            max: mood_bpm * TEMPO_SLACK_UP,
        };
    }
    brief
}

/// Analyses the draft's picture clips (each distinct source once, one decode pass each) and
/// returns the timeline's profile, honouring order and trims. `None` when there are no clips,
/// a clip's media is missing, or analysis fails (music is then composed without it).
pub async fn analyze_draft(
    store: &MediaStore,
    draft: &RawDraft,
    media: &[MediaRow],
) -> Option<VideoProfile> {
    let mut profiles: HashMap<String, VideoProfile> = HashMap::new();
    let mut clips = Vec::new();
    for seg in timeline::clips(draft) {
        let src = seg.src.as_ref()?;
        if !profiles.contains_key(src) {
            let path = clip_path(store, media, src)?;
            match crate::analyze::analyze_clip(&path).await {
                Ok(profile) => {
                    profiles.insert(src.clone(), profile);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "clip analysis failed; composing without it");
                    return None;
                }
            }
        }
        clips.push(TimelineClip {
            profile: profiles.get(src)?.clone(),
            in_ms: seg.source_in.unwrap_or(0).max(0) as u64,
            duration_ms: seg.d.unwrap_or(0).max(0) as u64,
        });
    }
    timeline_profile(&clips)
}

fn clip_path(store: &MediaStore, media: &[MediaRow], src: &str) -> Option<PathBuf> {
    let row = media.iter().find(|m| m.id == src)?;
    store.local_path(&row.object_key).ok()
}

#[cfg(test)]
mod tests;
