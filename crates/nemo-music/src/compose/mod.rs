//! The composer: brief -> [`Composition`] (form, harmony, parts, beat grid), deterministic for a
//! given brief and seed.
//!
//! Order of work: resolve parameters ([`crate::params`]), pick a key, fit the beat grid to the
//! accents ([`crate::grid`]), lay out the bars (pickup, intro, alternating A/B blocks, outro
//! cadence, final tonic chord that rings to the end), then write each part bar by bar
//! ([`writers`]). All randomness comes from one `ChaCha8Rng` seeded with the brief's seed, and
//! parts are written in a fixed order, so the same brief always yields the same notes.

mod arrangement;
mod harmony;
mod writers;

use std::collections::HashSet;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub use arrangement::PartRole;
pub(crate) use harmony::ChordSpec;

use crate::MusicError;
use crate::brief::{Key, Mode, MusicBrief, Style};
use crate::grid::{self, AccentReport, BeatGrid, TempoRange};
use crate::params::{self, Colour, MusicParams};

/// Shortest piece the composer writes (ms).
pub const MIN_DURATION_MS: u64 = 1_000;
/// Longest piece the composer writes (ms): three hours.
pub const MAX_DURATION_MS: u64 = 3 * 60 * 60 * 1000;
/// The final chord gets at least this long to ring before the piece ends (ms).
const MIN_TAIL_MS: f64 = 1_600.0;
const BEATS_PER_BAR: u32 = 4;

/// Formal section kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SectionKind {
    /// Opening: accompaniment only.
    Intro,
    /// Main theme.
    A,
    /// Contrasting theme (different progression, higher, fuller).
    B,
    /// Closing cadence and final chord.
    Outro,
}

impl SectionKind {
    /// Name used in reports ("intro", "A", "B", "outro").
    pub fn name(self) -> &'static str {
        match self {
            Self::Intro => "intro",
            Self::A => "A",
            Self::B => "B",
            Self::Outro => "outro",
        }
    }

    /// Relative energy used for velocities and textures.
    pub(crate) fn energy(self) -> f32 {
        match self {
            Self::Intro => 0.75,
            Self::A => 0.9,
            Self::B => 1.0,
            Self::Outro => 0.82,
        }
    }
}

/// One chord of the progression, placed in time.
#[derive(Debug, Clone, PartialEq)]
pub struct ChordEvent {
    /// Roman-numeral symbol ("I", "vi", "V7", "ii°").
    pub symbol: String,
    /// Scale degree of the root (0 = tonic).
    pub degree: u8,
    /// Pitch classes of the chord members, root first.
    pub pitch_classes: Vec<u8>,
    /// Start (ms).
    pub start_ms: f64,
    /// End (ms).
    pub end_ms: f64,
}

/// A formal section.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Kind.
    pub kind: SectionKind,
    /// Start (ms); the first section starts at 0 (including any pickup).
    pub start_ms: f64,
    /// End (ms); the last section ends at the piece's end.
    pub end_ms: f64,
    /// Index of its first full bar.
    pub start_bar: u32,
    /// Number of bars.
    pub bars: u32,
    /// Its chords.
    pub chords: Vec<ChordEvent>,
}

/// One note.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Note {
    /// Onset (ms from the start).
    pub start_ms: f64,
    /// Release (ms from the start).
    pub end_ms: f64,
    /// MIDI key.
    pub key: u8,
    /// MIDI velocity 1..=127.
    pub velocity: u8,
}

/// One instrument's notes and mix settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// What it plays.
    pub role: PartRole,
    /// General MIDI program (0-based); ignored for drums.
    pub program: u8,
    /// MIDI channel (9 for drums).
    pub channel: u8,
    /// Channel volume (CC7).
    pub volume: u8,
    /// Pan (CC10, 64 = centre).
    pub pan: u8,
    /// Reverb send (CC91).
    pub reverb: u8,
    /// Notes sorted by onset.
    pub notes: Vec<Note>,
}

/// A composed piece.
#[derive(Debug, Clone, PartialEq)]
pub struct Composition {
    /// Style used.
    pub style: Style,
    /// Mood label ("calm" or "v=.. a=..").
    pub mood: String,
    /// Key.
    pub key: Key,
    /// Resolved parameters.
    pub params: MusicParams,
    /// The beat grid (one tempo for the whole piece).
    pub grid: BeatGrid,
    /// Sections in order, covering `0 .. duration`.
    pub sections: Vec<Section>,
    /// Parts (drums on channel 9).
    pub parts: Vec<Part>,
    /// How the accents landed.
    pub accents: AccentReport,
    /// Full bars before the final chord.
    pub bars: u32,
    /// Onset of the final tonic chord (ms).
    pub final_chord_ms: f64,
    /// Where the closing fade starts (ms); it reaches silence at the end.
    pub fade_out_start_ms: f64,
}

impl Composition {
    /// Length in ms.
    pub fn duration_ms(&self) -> u64 {
        self.grid.duration_ms
    }

    /// Tempo in BPM.
    pub fn bpm(&self) -> f64 {
        self.grid.bpm()
    }

    /// Times of every beat (ms).
    pub fn beat_times_ms(&self) -> Vec<f64> {
        self.grid.beat_times_ms()
    }

    /// Times of every downbeat (ms).
    pub fn downbeat_times_ms(&self) -> Vec<f64> {
        self.grid.downbeat_times_ms()
    }

    /// All pitched notes (everything but drums).
    pub fn pitched_notes(&self) -> impl Iterator<Item = &Note> {
        self.parts
            .iter()
            .filter(|p| p.role != PartRole::Drums)
            .flat_map(|p| p.notes.iter())
    }

    /// The part playing `role`, if any.
    pub fn part(&self, role: PartRole) -> Option<&Part> {
        self.parts.iter().find(|p| p.role == role)
    }
}

/// One bar of the plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BarPlan {
    pub(crate) section: SectionKind,
    /// Index of the section block this bar belongs to (0, 1, 2, ...).
    pub(crate) block: usize,
    pub(crate) bar_in_block: u32,
    pub(crate) block_len: u32,
    pub(crate) chord: ChordSpec,
}

/// Composes a piece for `brief`.
pub fn compose(brief: &MusicBrief) -> Result<Composition, MusicError> {
    if !(MIN_DURATION_MS..=MAX_DURATION_MS).contains(&brief.duration_ms) {
        return Err(MusicError::InvalidDuration {
            duration_ms: brief.duration_ms,
            min_ms: MIN_DURATION_MS,
            max_ms: MAX_DURATION_MS,
        });
    }
    let style = brief.effective_style();
    let params = params::resolve(brief);
    let mut rng = ChaCha8Rng::seed_from_u64(brief.seed);
    let key = brief
        .key
        .unwrap_or_else(|| pick_key(&mut rng, style, params.mode));
    let duration = brief.duration_ms as f64;

    let mut accents: Vec<f64> = brief
        .accents_ms
        .iter()
        .map(|a| *a as f64)
        .filter(|a| *a < duration)
        .collect();
    accents.sort_by(f64::total_cmp);
    accents.dedup();
    let tempo = TempoRange {
        preferred_bpm: params.preferred_bpm,
        min_bpm: params.min_bpm,
        max_bpm: params.max_bpm,
    };
    let grid = grid::fit(&accents, tempo, BEATS_PER_BAR, brief.duration_ms);
    let accent_report = grid::evaluate(&grid, &accents);

    let (bars, final_chord_ms) = count_bars(&grid, duration);
    let plan = plan_bars(&mut rng, bars, params.mode, params.colour);
    let sections = sections(&grid, key, &plan, final_chord_ms, duration);
    let tail = duration - final_chord_ms;
    let fade_out_start_ms = final_chord_ms + (tail * 0.3).min(grid.beat_ms());

    let hit_beats: HashSet<i64> = accent_report.hit_beats.iter().copied().collect();
    let arrangement = arrangement::arrangement(style, params.arousal);
    let ctx = writers::Context {
        key,
        grid: &grid,
        params: &params,
        plan: &plan,
        final_chord_ms,
        duration_ms: duration,
        accent_beats: &hit_beats,
        arrangement: &arrangement,
        colour: params.colour,
    };
    let parts = writers::write_parts(&ctx, &mut rng);

    Ok(Composition {
        style,
        mood: brief.mood.label(),
        key,
        params,
        grid,
        sections,
        parts,
        accents: accent_report,
        bars,
        final_chord_ms,
        fade_out_start_ms,
    })
}

/// Keys that sit well on the style's instruments, one picked by the seed.
fn pick_key(rng: &mut ChaCha8Rng, style: Style, mode: Mode) -> Key {
    let tonics: &[u8] = match (style, mode) {
        (Style::Chiptune | Style::Electronic, _) => &[0, 2, 5, 7, 9],
        (Style::Acoustic, Mode::Major) => &[0, 2, 4, 7, 9],
        (_, Mode::Major) => &[0, 2, 3, 5, 7, 8, 10],
        (_, Mode::Minor) => &[0, 2, 4, 5, 7, 9, 11],
    };
    Key {
        tonic: tonics[rng.random_range(0..tonics.len())],
        mode,
    }
}

/// Full bars before the final chord, and the final chord's onset.
fn count_bars(grid: &BeatGrid, duration: f64) -> (u32, f64) {
    let first = grid.time_of_bar(0);
    if first + MIN_TAIL_MS > duration {
        // Too short for even one bar: the final chord starts the piece.
        return (0, 0.0);
    }
    let bars = ((duration - MIN_TAIL_MS - first) / grid.bar_ms())
        .floor()
        .max(0.0) as u32;
    (bars, grid.time_of_bar(bars))
}

/// Splits `bars` into intro / A / B ... / outro and assigns chords.
fn plan_bars(rng: &mut ChaCha8Rng, bars: u32, mode: Mode, colour: Colour) -> Vec<BarPlan> {
    let (intro, outro) = match bars {
        0..=3 => (0, bars),
        4..=7 => (0, 2),
        8..=15 => (2, 2),
        16..=31 => (4, 2),
        _ => (4, 4),
    };
    let middle = bars - intro - outro;
    let prog_a = harmony::pick_progression(rng, mode, colour, None);
    let prog_b = harmony::pick_progression(rng, mode, colour, Some(prog_a));
    let mut plan = Vec::with_capacity(bars as usize);
    let push_block = |plan: &mut Vec<BarPlan>, kind: SectionKind, chords: &[ChordSpec]| {
        let block = plan.last().map_or(0, |b: &BarPlan| b.block + 1);
        for (i, chord) in chords.iter().enumerate() {
            plan.push(BarPlan {
                section: kind,
                block,
                bar_in_block: i as u32,
                block_len: chords.len() as u32,
                chord: *chord,
            });
        }
    };
    let cycle = |prog: [i32; 4], n: u32| -> Vec<ChordSpec> {
        (0..n)
            .map(|i| harmony::colour_chord(prog[(i % 4) as usize], colour, mode))
            .collect()
    };
    if intro > 0 {
        push_block(&mut plan, SectionKind::Intro, &cycle(prog_a, intro));
    }
    for (kind, len) in middle_blocks(middle) {
        let prog = if kind == SectionKind::A {
            prog_a
        } else {
            prog_b
        };
        push_block(&mut plan, kind, &cycle(prog, len));
    }
    if outro > 0 {
        push_block(
            &mut plan,
            SectionKind::Outro,
            &harmony::cadence(outro, colour, mode),
        );
    }
    plan
}

/// Alternating A/B blocks of eight bars (a short remainder joins the last block).
fn middle_blocks(middle: u32) -> Vec<(SectionKind, u32)> {
    if middle == 0 {
        return Vec::new();
    }
    if middle < 12 {
        return vec![(SectionKind::A, middle)];
    }
    let mut blocks = Vec::new();
    let mut left = middle;
    let mut kind = SectionKind::A;
    while left > 0 {
        let len = if left < 12 { left } else { 8 };
        blocks.push((kind, len));
        left -= len;
        kind = if kind == SectionKind::A {
            SectionKind::B
        } else {
            SectionKind::A
        };
    }
    blocks
}

/// Builds the public section list from the bar plan.
fn sections(
    grid: &BeatGrid,
    key: Key,
    plan: &[BarPlan],
    final_chord_ms: f64,
    duration: f64,
) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    for (bar, p) in plan.iter().enumerate() {
        let bar = bar as u32;
        let start = grid.time_of_bar(bar);
        let chord = ChordEvent {
            symbol: harmony::chord_symbol(key, p.chord),
            degree: p.chord.degree.rem_euclid(7) as u8,
            pitch_classes: harmony::chord_pitch_classes(key, p.chord),
            start_ms: start,
            end_ms: grid.time_of_bar(bar + 1),
        };
        match out.last_mut() {
            Some(s) if p.bar_in_block > 0 => {
                s.bars += 1;
                s.end_ms = chord.end_ms;
                s.chords.push(chord);
            }
            _ => out.push(Section {
                kind: p.section,
                start_ms: start,
                end_ms: chord.end_ms,
                start_bar: bar,
                bars: 1,
                chords: vec![chord],
            }),
        }
    }
    let tonic = ChordSpec::triad(0);
    let final_chord = ChordEvent {
        symbol: harmony::chord_symbol(key, tonic),
        degree: 0,
        pitch_classes: harmony::chord_pitch_classes(key, tonic),
        start_ms: final_chord_ms,
        end_ms: duration,
    };
    match out.last_mut() {
        Some(s) if s.kind == SectionKind::Outro => {
            s.chords.push(final_chord);
            s.end_ms = duration;
        }
        _ => out.push(Section {
            kind: SectionKind::Outro,
            start_ms: final_chord_ms,
            end_ms: duration,
            start_bar: plan.len() as u32,
            bars: 0,
            chords: vec![final_chord],
        }),
    }
    if let Some(first) = out.first_mut() {
        first.start_ms = 0.0;
    }
    out
}

#[cfg(test)]
mod tests;
