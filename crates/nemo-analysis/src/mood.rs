//! Features -> mood -> music suggestion: the one documented table, plus user nudges.
//!
//! Each feature is normalised to -1..=1 as `clamp((value - neutral) / span)`, then
//! `valence = sum(weight_v * n)` and `arousal = sum(weight_a * n)`, each clamped to -1..=1
//! (the same valence/arousal plane `nemo-music` uses: -1 negative/sleepy, 1 positive/excited).
//!
//! | feature                         | neutral | span | valence | arousal |
//! |---------------------------------|---------|------|---------|---------|
//! | brightness (mean luma)          | 0.45    | 0.30 | +0.45   | +0.10   |
//! | warmth (mean red - blue)        | 0.00    | 0.15 | +0.30   |  0      |
//! | saturation (mean HSV S)         | 0.30    | 0.30 | +0.25   | +0.10   |
//! | contrast (luma std dev)         | 0.20    | 0.12 |  0      | +0.10   |
//! | motion (luma change per 100 ms) | 0.03    | 0.05 |  0      | +0.40   |
//! | cuts per minute                 | 12      | 18   |  0      | +0.30   |
//!
//! Brighter, warmer, more saturated pictures read as more positive; more motion and faster
//! cutting as more excited. Tempo follows arousal: `bpm = 95 + 40 * arousal` (55..135), and the
//! key follows the quadrant (major when valence >= 0).

use serde::{Deserialize, Serialize};

/// The aggregate features the mood is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct MoodFeatures {
    /// Mean luma, 0..=1.
    pub brightness: f64,
    /// Mean red minus blue, -1..=1.
    pub warmth: f64,
    /// Mean HSV saturation, 0..=1.
    pub saturation: f64,
    /// Mean luma standard deviation, 0..=0.5.
    pub contrast: f64,
    /// Mean luma change per 100 ms, 0..=1.
    pub motion: f64,
    /// Hard cuts per minute.
    pub cuts_per_minute: f64,
}

/// One row of the table: how a feature moves valence and arousal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MoodRule {
    /// Feature name as in [`MoodFeatures`].
    pub feature: &'static str,
    /// Value that contributes nothing.
    pub neutral: f64,
    /// Distance from neutral that contributes the full weight.
    pub span: f64,
    /// Weight on valence.
    pub valence: f64,
    /// Weight on arousal.
    pub arousal: f64,
}

/// The features -> mood table (see the module docs).
pub const MOOD_TABLE: [MoodRule; 6] = [
    MoodRule {
        feature: "brightness",
        neutral: 0.45,
        span: 0.30,
        valence: 0.45,
        arousal: 0.10,
    },
    MoodRule {
        feature: "warmth",
        neutral: 0.0,
        span: 0.15,
        valence: 0.30,
        arousal: 0.0,
    },
    MoodRule {
        feature: "saturation",
        neutral: 0.30,
        span: 0.30,
        valence: 0.25,
        arousal: 0.10,
    },
    MoodRule {
        feature: "contrast",
        neutral: 0.20,
        span: 0.12,
        valence: 0.0,
        arousal: 0.10,
    },
    MoodRule {
        feature: "motion",
        neutral: 0.03,
        span: 0.05,
        valence: 0.0,
        arousal: 0.40,
    },
    MoodRule {
        feature: "cuts_per_minute",
        neutral: 12.0,
        span: 18.0,
        valence: 0.0,
        arousal: 0.30,
    },
];

impl MoodFeatures {
    fn value(&self, feature: &str) -> f64 {
        match feature {
            "brightness" => self.brightness,
            "warmth" => self.warmth,
            "saturation" => self.saturation,
            "contrast" => self.contrast,
            "motion" => self.motion,
            "cuts_per_minute" => self.cuts_per_minute,
            _ => 0.0,
        }
    }
}

/// A point on the valence/arousal plane with a readable label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mood {
    /// -1 (negative) ..= 1 (positive).
    pub valence: f64,
    /// -1 (calm) ..= 1 (excited).
    pub arousal: f64,
    /// Nearest named mood ("upbeat", "calm", ...).
    pub label: String,
}

impl Mood {
    /// A mood at `(valence, arousal)` (clamped) with its label.
    pub fn new(valence: f64, arousal: f64) -> Self {
        let (valence, arousal) = (valence.clamp(-1.0, 1.0), arousal.clamp(-1.0, 1.0));
        Self {
            valence,
            arousal,
            label: label_for(valence, arousal).to_owned(),
        }
    }
}

/// Named moods placed as `nemo-music` places them, so labels agree across crates.
const LABELS: [(&str, f64, f64); 12] = [
    ("calm", 0.4, -0.6),
    ("happy", 0.8, 0.4),
    ("upbeat", 0.7, 0.6),
    ("energetic", 0.5, 0.9),
    ("epic", 0.2, 0.85),
    ("romantic", 0.6, -0.3),
    ("sad", -0.7, -0.5),
    ("dark", -0.6, 0.1),
    ("tense", -0.5, 0.7),
    ("dreamy", 0.3, -0.5),
    ("nostalgic", -0.15, -0.3),
    ("mysterious", -0.3, -0.2),
];

fn label_for(valence: f64, arousal: f64) -> &'static str {
    LABELS
        .iter()
        .min_by(|a, b| {
            let d = |(_, v, a): &(&str, f64, f64)| (v - valence).powi(2) + (a - arousal).powi(2);
            d(a).total_cmp(&d(b))
        })
        .map_or("calm", |(name, _, _)| name)
}

/// Applies [`MOOD_TABLE`] to the features.
pub fn mood_from_features(features: &MoodFeatures) -> Mood {
    let (mut valence, mut arousal) = (0.0, 0.0);
    for rule in &MOOD_TABLE {
        let normalised =
            ((features.value(rule.feature) - rule.neutral) / rule.span).clamp(-1.0, 1.0);
        valence += rule.valence * normalised;
        arousal += rule.arousal * normalised;
    }
    Mood::new(valence, arousal)
}

/// What music the mood suggests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MusicSuggestion {
    /// Mood label, e.g. "upbeat".
    pub mood: String,
    /// Suggested tempo.
    pub tempo_bpm: u32,
    /// Suggested key, e.g. "C major", "A minor".
    pub key: String,
}

/// Tempo from arousal (`95 + 40 * arousal`, so 55..=135 BPM) and key from the quadrant.
pub fn suggest_music(mood: &Mood) -> MusicSuggestion {
    let tempo_bpm = (95.0 + 40.0 * mood.arousal).round() as u32;
    let key = match (mood.valence >= 0.0, mood.arousal >= 0.0) {
        (true, true) => "C major",
        (true, false) => "F major",
        (false, true) => "D minor",
        (false, false) => "A minor",
    };
    MusicSuggestion {
        mood: mood.label.clone(),
        tempo_bpm,
        key: key.to_owned(),
    }
}

/// A change to a mood asked for in words.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct MoodNudge {
    /// Added to valence.
    pub valence: f64,
    /// Added to arousal.
    pub arousal: f64,
}

const STEP: f64 = 0.35;

/// Words (lower-case English, Chinese) and the direction they push.
const NUDGE_WORDS: &[(&[&str], f64, f64)] = &[
    (
        &[
            "calmer",
            "slower",
            "softer",
            "quieter",
            "gentler",
            "more relaxed",
            "less intense",
            "平静",
            "舒缓",
            "慢一点",
            "更慢",
            "放慢",
            "安静",
            "柔和",
            "轻柔",
        ],
        0.0,
        -STEP,
    ),
    (
        &[
            "faster",
            "more energetic",
            "more energy",
            "livelier",
            "more intense",
            "punchier",
            "快一点",
            "更快",
            "加快",
            "动感",
            "激烈",
            "燃",
        ],
        0.0,
        STEP,
    ),
    (
        &[
            "happier",
            "brighter",
            "more cheerful",
            "more upbeat",
            "more joyful",
            "欢快",
            "开心",
            "快乐",
            "明亮",
            "愉快",
        ],
        STEP,
        STEP / 2.0,
    ),
    (
        &[
            "sadder",
            "darker",
            "more melancholic",
            "moodier",
            "more serious",
            "悲伤",
            "伤感",
            "忧郁",
            "更暗",
            "暗一点",
            "沉重",
        ],
        -STEP,
        0.0,
    ),
];

/// Parses nudges like "but calmer", "a bit faster", "更欢快一点". "much"/"a lot"/"很"/"非常"
/// double the step; "slightly"/"a little"/"稍微"/"有点" halve it. Unknown words change nothing.
pub fn parse_nudge(text: &str) -> MoodNudge {
    let lower = text.to_lowercase();
    let mut nudge = MoodNudge::default();
    for (words, valence, arousal) in NUDGE_WORDS {
        if words.iter().any(|w| lower.contains(w)) {
            nudge.valence += valence;
            nudge.arousal += arousal;
        }
    }
    let scale = if ["much", "a lot", "way ", "很", "非常", "更加"]
        .iter()
        .any(|w| lower.contains(w))
    {
        2.0
    } else if ["slightly", "a little", "a bit", "稍微", "有点", "略"]
        .iter()
        .any(|w| lower.contains(w))
    {
        0.5
    } else {
        1.0
    };
    MoodNudge {
        valence: nudge.valence * scale,
        arousal: nudge.arousal * scale,
    }
}

/// Applies a nudge (clamped to the plane) and relabels.
pub fn apply_nudge(mood: &Mood, nudge: MoodNudge) -> Mood {
    Mood::new(mood.valence + nudge.valence, mood.arousal + nudge.arousal)
}
