//! Mood -> musical parameters.
//!
//! The mapping follows the most replicated cue-emotion findings in music psychology
//! (Hevner 1935/1937; Juslin & Laukka 2003 and Gabrielsson & Lindström 2010, reviews of
//! expressive cues; Eerola, Friberg & Bresin 2013, which ranks mode and tempo as the two
//! strongest cues, with register and dynamics next):
//!
//! | cue | driven by | rule used here |
//! |---|---|---|
//! | tempo | arousal | preferred BPM = 64 + 32 * (arousal + 1): 64 (a=-1) .. 96 (a=0) .. 128 (a=1), then clamped to the style's range |
//! | note density | arousal | 0.15 + 0.35 * (arousal + 1): melody and arpeggio notes per beat |
//! | dynamics | arousal | intensity 0.35 + 0.3 * (arousal + 1) -> MIDI velocity 45..115 |
//! | drums | arousal | none below -0.3, light below 0.2, groove below 0.6, driving above (clamped by style) |
//! | register | arousal and valence | melody shifted round(4 * arousal + 2 * valence) semitones (higher = brighter/more active) |
//! | mode | valence | major when valence >= 0, minor below |
//! | harmonic colour | valence and arousal | warm 7ths/9ths for positive, low-arousal moods; suspended/open colour for dreamy, near-neutral moods; tense colour (diminished ii, pedal bass) for negative, high-arousal moods; plain triads otherwise |
//!
//! Every value can be overridden through [`crate::ParamOverrides`] or the brief's tempo and key.

use crate::brief::{Mode, MusicBrief, Style, TempoSpec};

/// Harmonic colour: which chord extensions and progressions the composer prefers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    /// Plain triads.
    Plain,
    /// Diatonic sevenths (and ninths in the melody): warm, jazzy.
    Warm,
    /// Sus2/add9 colour: open, floating.
    Open,
    /// Diminished supertonic, pedal bass, darker progressions.
    Tense,
}

/// Musical parameters resolved from the mood, style and overrides.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MusicParams {
    /// Valence used (-1..1).
    pub valence: f32,
    /// Arousal used (-1..1).
    pub arousal: f32,
    /// Preferred tempo.
    pub preferred_bpm: f64,
    /// Allowed tempo range (accent fitting searches inside it).
    pub min_bpm: f64,
    /// Allowed tempo range (accent fitting searches inside it).
    pub max_bpm: f64,
    /// Major or minor.
    pub mode: Mode,
    /// 0..1 note activity.
    pub density: f32,
    /// 0..1 loudness of the performance.
    pub intensity: f32,
    /// 0 none, 1 light, 2 groove, 3 driving.
    pub drums: u8,
    /// Melody register shift in semitones.
    pub register_shift: i8,
    /// Harmonic colour.
    pub colour: Colour,
}

/// Tempo range and drum ceiling of a style.
fn style_limits(style: Style) -> (f64, f64, u8) {
    match style {
        Style::Ambient => (56.0, 84.0, 0),
        Style::Piano => (56.0, 110.0, 0),
        Style::LoFi => (68.0, 92.0, 2),
        Style::Pop => (90.0, 128.0, 3),
        Style::Cinematic => (64.0, 140.0, 3),
        Style::Electronic => (110.0, 132.0, 3),
        Style::Acoustic => (76.0, 124.0, 1),
        Style::Corporate => (92.0, 124.0, 2),
        Style::Chiptune => (112.0, 160.0, 3),
    }
}

/// The minimum drum level a style keeps even for calm moods (its groove defines it).
fn style_min_drums(style: Style) -> u8 {
    match style {
        Style::LoFi | Style::Electronic | Style::Chiptune | Style::Pop => 1,
        _ => 0,
    }
}

/// Resolves the brief's mood, style and overrides into parameters.
pub fn resolve(brief: &MusicBrief) -> MusicParams {
    let (valence, arousal) = brief.mood.valence_arousal();
    let style = brief.effective_style();
    let (style_min, style_max, drum_ceiling) = style_limits(style);
    let mood_bpm = 64.0 + 32.0 * f64::from(arousal + 1.0);
    let (preferred_bpm, min_bpm, max_bpm) = match brief.tempo {
        TempoSpec::Bpm(b) => {
            let b = clamp_bpm(b);
            (b, b, b)
        }
        TempoSpec::Range { min, max } => {
            let (lo, hi) = (clamp_bpm(min.min(max)), clamp_bpm(min.max(max)));
            (mood_bpm.clamp(lo, hi), lo, hi)
        }
        TempoSpec::Auto => {
            let preferred = mood_bpm.clamp(style_min, style_max);
            // Accent fitting may move the tempo by up to about 12% either way.
            (
                preferred,
                (preferred * 0.88).max(style_min),
                (preferred * 1.12).min(style_max),
            )
        }
    };
    let mood_drums = if arousal < -0.3 {
        0
    } else if arousal < 0.2 {
        1
    } else if arousal < 0.6 {
        2
    } else {
        3
    };
    let drums = brief
        .overrides
        .drums
        .unwrap_or(mood_drums.max(style_min_drums(style)))
        .min(drum_ceiling);
    let colour = if style == Style::LoFi {
        Colour::Warm
    } else if valence < -0.2 && arousal > 0.3 {
        Colour::Tense
    } else if valence > 0.2 && arousal < -0.1 && style == Style::Ambient {
        Colour::Open
    } else if valence > 0.3 && arousal < 0.0 {
        Colour::Warm
    } else if arousal < -0.3 && valence.abs() < 0.45 {
        Colour::Open
    } else {
        Colour::Plain
    };
    MusicParams {
        valence,
        arousal,
        preferred_bpm,
        min_bpm,
        max_bpm,
        mode: brief.key.map_or(
            if valence >= 0.0 {
                Mode::Major
            } else {
                Mode::Minor
            },
            |k| k.mode,
        ),
        density: brief
            .overrides
            .density
            .unwrap_or(0.15 + 0.35 * (arousal + 1.0))
            .clamp(0.0, 1.0),
        intensity: brief
            .overrides
            .intensity
            .unwrap_or(0.35 + 0.3 * (arousal + 1.0))
            .clamp(0.0, 1.0),
        drums,
        register_shift: brief
            .overrides
            .register_shift
            .unwrap_or((4.0 * arousal + 2.0 * valence).round() as i8)
            .clamp(-12, 12),
        colour,
    }
}

fn clamp_bpm(b: f64) -> f64 {
    if b.is_finite() {
        b.clamp(30.0, 240.0)
    } else {
        96.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brief::{Mood, NamedMood};

    fn params(mood: NamedMood, style: Option<Style>) -> MusicParams {
        let mut brief = MusicBrief::new(Mood::Named(mood), 10_000);
        brief.style = style;
        resolve(&brief)
    }

    #[test]
    fn arousal_raises_tempo_density_and_dynamics() {
        let calm = params(NamedMood::Calm, Some(Style::Cinematic));
        let epic = params(NamedMood::Epic, Some(Style::Cinematic));
        assert!(epic.preferred_bpm > calm.preferred_bpm + 20.0);
        assert!(epic.density > calm.density);
        assert!(epic.intensity > calm.intensity);
        assert!(epic.drums > calm.drums);
    }

    #[test]
    fn valence_sets_mode() {
        assert_eq!(params(NamedMood::Happy, None).mode, Mode::Major);
        assert_eq!(params(NamedMood::Sad, None).mode, Mode::Minor);
        assert_eq!(params(NamedMood::Tense, None).colour, Colour::Tense);
    }

    #[test]
    fn overrides_win() {
        let mut brief = MusicBrief::new(Mood::Named(NamedMood::Calm), 10_000);
        brief.tempo = TempoSpec::Bpm(150.0);
        brief.style = Some(Style::Pop);
        brief.overrides.drums = Some(3);
        brief.overrides.density = Some(0.9);
        let p = resolve(&brief);
        assert!((p.preferred_bpm - 150.0).abs() < 1e-9);
        assert_eq!(p.drums, 3);
        assert!((p.density - 0.9).abs() < 1e-6);
        // Piano never gets drums, whatever the mood.
        brief.style = Some(Style::Piano);
        assert_eq!(resolve(&brief).drums, 0);
    }
}
