//! Part writers: pad, bass, arpeggio, melody and drums, bar by bar over the plan.

use std::collections::HashSet;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::arrangement::{Arrangement, BassPattern, Groove, Instrument, PadPattern, PartRole};
use super::harmony::{self, ChordSpec, degree_note};
use super::{BarPlan, Note, Part, SectionKind};
use crate::brief::Key;
use crate::grid::BeatGrid;
use crate::params::{Colour, MusicParams};

/// Everything a writer needs to know.
pub(crate) struct Context<'a> {
    pub(crate) key: Key,
    pub(crate) grid: &'a BeatGrid,
    pub(crate) params: &'a MusicParams,
    pub(crate) plan: &'a [BarPlan],
    pub(crate) final_chord_ms: f64,
    pub(crate) duration_ms: f64,
    pub(crate) accent_beats: &'a HashSet<i64>,
    pub(crate) arrangement: &'a Arrangement,
    pub(crate) colour: Colour,
}

/// Gap before the piece's last sample where every note has been released (ms).
const END_GAP_MS: f64 = 30.0;

impl Context<'_> {
    /// Time of a beat position inside bar `bar` (beats may be fractional).
    fn at(&self, bar: usize, beat: f64) -> f64 {
        self.grid
            .time_of_beat(bar as f64 * f64::from(self.grid.beats_per_bar) + beat)
    }

    fn beats(&self) -> u32 {
        self.grid.beats_per_bar
    }

    /// Is the beat at (bar, beat) one of the fitted accents?
    fn is_accent(&self, bar: usize, beat: u32) -> bool {
        let index = bar as i64 * i64::from(self.beats()) + i64::from(beat);
        self.accent_beats.contains(&index)
    }

    /// Base velocity for a part in a section.
    fn velocity(&self, rng: &mut ChaCha8Rng, section: SectionKind, scale: f32, strong: bool) -> u8 {
        let base = 45.0 + self.params.intensity * 70.0;
        let accent = if strong { 1.0 } else { 0.88 };
        let jitter = rng.random_range(-4.0_f32..=4.0);
        (base * section.energy() * scale * accent + jitter).clamp(1.0, 127.0) as u8
    }

    fn end_limit(&self) -> f64 {
        self.duration_ms - END_GAP_MS
    }

    /// A note clipped to end before the piece does; `None` if nothing would remain.
    fn note(&self, start_ms: f64, end_ms: f64, key: i32, velocity: u8) -> Option<Note> {
        let end = end_ms.min(self.end_limit());
        (end > start_ms + 5.0 && (0..=127).contains(&key) && velocity > 0).then_some(Note {
            start_ms,
            end_ms: end,
            key: key as u8,
            velocity,
        })
    }
}

/// Writes every part of the arrangement, in arrangement order (which fixes the order in which
/// random numbers are drawn, and hence determinism).
pub(crate) fn write_parts(ctx: &Context<'_>, rng: &mut ChaCha8Rng) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut channel = 0u8;
    for inst in &ctx.arrangement.instruments {
        let notes = match inst.role {
            PartRole::Pad => pad(ctx, *inst, rng),
            PartRole::Bass => bass(ctx, *inst, rng),
            PartRole::Arpeggio => arpeggio(ctx, *inst, rng),
            PartRole::Melody => melody(ctx, *inst, rng),
            PartRole::Drums => {
                if ctx.params.drums == 0 {
                    continue;
                }
                drums(ctx, rng)
            }
        };
        let part_channel = if inst.role == PartRole::Drums {
            9
        } else {
            let c = channel;
            channel += 1;
            if channel == 9 {
                channel = 10;
            }
            c
        };
        let mut notes = notes;
        notes.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms).then(a.key.cmp(&b.key)));
        parts.push(Part {
            role: inst.role,
            program: inst.program,
            channel: part_channel,
            volume: inst.volume,
            pan: inst.pan,
            reverb: inst.reverb,
            notes,
        });
    }
    parts
}

fn register_low(inst: Instrument, base: i32) -> i32 {
    base + i32::from(inst.octave) * 12
}

fn pad(ctx: &Context<'_>, inst: Instrument, rng: &mut ChaCha8Rng) -> Vec<Note> {
    let low = register_low(inst, 53);
    let mut notes = Vec::new();
    let mut previous: Option<Vec<i32>> = None;
    let tonic = ChordSpec::triad(0);
    // Pickup: hold the tonic softly until the first downbeat.
    let first = ctx.at(0, 0.0);
    if first > 250.0 {
        let voicing = harmony::voice(ctx.key, tonic, low, None);
        let v = ctx.velocity(rng, SectionKind::Intro, 0.6, false);
        notes.extend(voicing.iter().filter_map(|k| ctx.note(0.0, first, *k, v)));
    }
    for (bar, plan) in ctx.plan.iter().enumerate() {
        let voicing = harmony::voice(ctx.key, plan.chord, low, previous.as_deref());
        let pattern = if plan.section == SectionKind::Intro {
            PadPattern::Sustain
        } else {
            ctx.arrangement.pad
        };
        let hits: Vec<(f64, f64)> = match pattern {
            PadPattern::Sustain => vec![(0.0, f64::from(ctx.beats()))],
            PadPattern::Beats => (0..ctx.beats()).map(|b| (f64::from(b), 0.9)).collect(),
            PadPattern::Pulse => vec![(0.0, 1.8), (2.0, 1.8)],
        };
        for (beat, len) in hits {
            let strong = beat == 0.0 || ctx.is_accent(bar, beat as u32);
            let v = ctx.velocity(rng, plan.section, 0.85, strong);
            let start = ctx.at(bar, beat);
            let end = ctx.at(bar, beat + len) - 8.0;
            notes.extend(voicing.iter().filter_map(|k| ctx.note(start, end, *k, v)));
        }
        previous = Some(voicing);
    }
    let voicing = harmony::voice(ctx.key, tonic, low, previous.as_deref());
    let v = ctx.velocity(rng, SectionKind::Outro, 0.85, true);
    notes.extend(
        voicing
            .iter()
            .filter_map(|k| ctx.note(ctx.final_chord_ms, ctx.duration_ms, *k, v)),
    );
    notes
}

fn bass_root(ctx: &Context<'_>, inst: Instrument, chord: ChordSpec) -> i32 {
    // Tense colour keeps a tonic pedal under the changes.
    let degree = if ctx.colour == Colour::Tense {
        0
    } else {
        chord.degree
    };
    degree_note(
        ctx.key,
        degree.rem_euclid(7),
        2 + i32::from(inst.octave),
        chord,
    )
}

fn bass(ctx: &Context<'_>, inst: Instrument, rng: &mut ChaCha8Rng) -> Vec<Note> {
    let mut notes = Vec::new();
    let beats = f64::from(ctx.beats());
    for (bar, plan) in ctx.plan.iter().enumerate() {
        let root = bass_root(ctx, inst, plan.chord);
        let fifth = degree_note(
            ctx.key,
            plan.chord.degree.rem_euclid(7) + 4,
            2 + i32::from(inst.octave),
            plan.chord,
        );
        let pattern = if plan.section == SectionKind::Intro {
            BassPattern::Whole
        } else {
            ctx.arrangement.bass
        };
        let hits: Vec<(f64, f64, i32)> = match pattern {
            BassPattern::Whole => vec![(0.0, beats, root)],
            BassPattern::RootFifth => vec![(0.0, 1.9, root), (2.0, 1.9, fifth)],
            BassPattern::Eighths => (0..ctx.beats() * 2)
                .map(|i| {
                    (
                        f64::from(i) * 0.5,
                        0.45,
                        if i == 7 { root + 12 } else { root },
                    )
                })
                .collect(),
            BassPattern::Syncopated => vec![(0.0, 1.4, root), (1.5, 0.9, root), (2.5, 1.4, fifth)],
        };
        let mut covered = HashSet::new();
        for (beat, len, key) in hits {
            if beat.fract() == 0.0 {
                covered.insert(beat as u32);
            }
            let strong = beat == 0.0 || (beat.fract() == 0.0 && ctx.is_accent(bar, beat as u32));
            let v = ctx.velocity(rng, plan.section, 1.0, strong);
            if let Some(n) = ctx.note(ctx.at(bar, beat), ctx.at(bar, beat + len) - 10.0, key, v) {
                notes.push(n);
            }
        }
        // Accents the pattern does not already strike get a short root.
        for beat in 0..ctx.beats() {
            if ctx.is_accent(bar, beat) && !covered.contains(&beat) {
                let v = ctx.velocity(rng, plan.section, 1.05, true);
                let start = ctx.at(bar, f64::from(beat));
                if let Some(n) = ctx.note(start, ctx.at(bar, f64::from(beat) + 0.9), root, v) {
                    notes.push(n);
                }
            }
        }
    }
    let tonic = ChordSpec::triad(0);
    let v = ctx.velocity(rng, SectionKind::Outro, 1.0, true);
    let root = bass_root(ctx, inst, tonic);
    notes.extend(ctx.note(ctx.final_chord_ms, ctx.duration_ms, root, v));
    notes
}

fn arpeggio(ctx: &Context<'_>, inst: Instrument, rng: &mut ChaCha8Rng) -> Vec<Note> {
    let low = register_low(inst, 55);
    let mut notes = Vec::new();
    let mut previous: Option<Vec<i32>> = None;
    let bpm = ctx.grid.bpm();
    let subdivision = if ctx.params.density > 0.55 || bpm < 80.0 {
        ctx.arrangement.arp_max_subdivision
    } else {
        2
    };
    let subdivision = if bpm > 118.0 && subdivision > 2 && ctx.params.density < 0.7 {
        2
    } else {
        subdivision
    };
    let step_beats = 1.0 / f64::from(subdivision);
    let shape: &[usize] = match rng.random_range(0..3) {
        0 => &[0, 1, 2, 3, 2, 1],
        1 => &[0, 2, 1, 3, 2, 1],
        _ => &[0, 1, 2, 3, 1, 2, 3, 2],
    };
    for (bar, plan) in ctx.plan.iter().enumerate() {
        let mut voicing = harmony::voice(ctx.key, plan.chord, low, previous.as_deref());
        previous = Some(voicing.clone());
        // Root an octave below the voicing anchors the pattern (a pianist's left hand).
        let root = degree_note(
            ctx.key,
            plan.chord.degree.rem_euclid(7),
            3 + i32::from(inst.octave),
            plan.chord,
        ) - 12
            + if ctx
                .arrangement
                .instruments
                .iter()
                .any(|i| i.role == PartRole::Bass)
            {
                12
            } else {
                0
            };
        voicing.insert(0, root);
        let steps = ctx.beats() * subdivision;
        for step in 0..steps {
            let beat = f64::from(step) * step_beats;
            // Sparse textures in intros and calm pieces: skip some off-beat notes.
            if step % subdivision != 0
                && (plan.section == SectionKind::Intro || ctx.params.density < 0.3)
                && rng.random_bool(0.5)
            {
                continue;
            }
            let idx = shape[step as usize % shape.len()] % voicing.len();
            let strong =
                step == 0 || (step % subdivision == 0 && ctx.is_accent(bar, step / subdivision));
            let v = ctx.velocity(
                rng,
                plan.section,
                if step % subdivision == 0 { 0.85 } else { 0.72 },
                strong,
            );
            let start = ctx.at(bar, beat);
            // Let notes ring over two steps, like a sustain pedal / open strings.
            let end = ctx.at(bar, (beat + 2.0 * step_beats).min(f64::from(ctx.beats()))) - 5.0;
            notes.extend(ctx.note(start, end, voicing[idx], v));
        }
    }
    // Final chord: a quick upward roll held to the end.
    let voicing = harmony::voice(ctx.key, ChordSpec::triad(0), low, previous.as_deref());
    let roll = (ctx.grid.beat_ms() / 8.0).min(60.0);
    for (i, k) in voicing.iter().enumerate() {
        let v = ctx.velocity(rng, SectionKind::Outro, 0.8, true);
        notes.extend(ctx.note(ctx.final_chord_ms + roll * i as f64, ctx.duration_ms, *k, v));
    }
    notes
}

/// Melody state: current scale degree (relative to the tonic of the melody octave).
struct Line {
    degree: i32,
    low: i32,
    high: i32,
    last_leap: i32,
}

impl Line {
    /// Next degree by voice-leading rules: tendency tones resolve (7 -> 8, 4 -> 3), mostly
    /// steps, occasional thirds and leaps that are recovered by a step the other way.
    fn step(&mut self, rng: &mut ChaCha8Rng, centre: i32) -> i32 {
        let d = self.degree;
        let next = if d.rem_euclid(7) == 6 {
            d + 1
        } else if d.rem_euclid(7) == 3 && rng.random_bool(0.6) {
            d - 1
        } else if self.last_leap != 0 {
            d - self.last_leap.signum()
        } else {
            let up_bias = (0.5 - f64::from(d - centre) * 0.08).clamp(0.15, 0.85);
            let dir = if rng.random_bool(up_bias) { 1 } else { -1 };
            let r: f64 = rng.random();
            let size = if r < 0.62 {
                1
            } else if r < 0.74 {
                0
            } else if r < 0.92 {
                2
            } else {
                rng.random_range(3..=4)
            };
            d + dir * size
        };
        let next = reflect(next, self.low, self.high);
        let interval = next - d;
        self.last_leap = if interval.abs() >= 3 { interval } else { 0 };
        self.degree = next;
        next
    }

    /// Moves to the nearest tonic (the final note of the piece).
    fn resolve_to_tonic(&mut self) -> i32 {
        let below = self.degree.div_euclid(7) * 7;
        let above = below + 7;
        self.degree = if self.degree - below <= above - self.degree {
            below
        } else {
            above
        };
        self.degree
    }

    /// Moves to the nearest chord tone (used on strong beats and phrase ends).
    fn snap(&mut self, chord: ChordSpec, prefer_tonic: bool) -> i32 {
        let d = self.degree;
        let mut best = d;
        let mut best_cost = i32::MAX;
        for candidate in (d - 3)..=(d + 3) {
            if candidate < self.low || candidate > self.high || !chord.contains_degree(candidate) {
                continue;
            }
            let mut cost = (candidate - d).abs() * 2;
            if prefer_tonic && candidate.rem_euclid(7) != 0 {
                cost += 3;
            }
            if cost < best_cost {
                best_cost = cost;
                best = candidate;
            }
        }
        self.degree = best;
        best
    }
}

fn reflect(d: i32, low: i32, high: i32) -> i32 {
    if d < low {
        (2 * low - d).min(high)
    } else if d > high {
        (2 * high - d).max(low)
    } else {
        d
    }
}

/// Rhythm of one bar as onsets on the eighth-note grid (slot 0..8), from the density.
fn bar_rhythm(rng: &mut ChaCha8Rng, density: f32) -> Vec<u32> {
    let d = f64::from(density);
    let mut slots = vec![0];
    for slot in 1..8u32 {
        let p = match slot {
            4 => 0.55 + 0.35 * d,
            2 | 6 => 0.2 + 0.6 * d,
            _ => (0.75 * d - 0.12).max(0.0),
        };
        if rng.random_bool(p.clamp(0.0, 1.0)) {
            slots.push(slot);
        }
    }
    slots
}

fn melody(ctx: &Context<'_>, inst: Instrument, rng: &mut ChaCha8Rng) -> Vec<Note> {
    let octave = 4 + i32::from(inst.octave);
    // Register shift in semitones -> scale degrees (7 degrees per 12 semitones).
    let centre = (f64::from(ctx.params.register_shift) * 7.0 / 12.0).round() as i32 + 2;
    let mut line = Line {
        degree: centre,
        low: centre - 5,
        high: centre + 6,
        last_leap: 0,
    };
    let mut notes = Vec::new();
    let eighth = 0.5;
    let mut motif: Vec<Vec<u32>> = Vec::new();
    let mut current_block = usize::MAX;
    for (bar, plan) in ctx.plan.iter().enumerate() {
        if plan.section == SectionKind::Intro {
            continue;
        }
        let chord = plan.chord;
        if plan.section == SectionKind::Outro {
            // Cadence: one long chord tone per bar, stepping towards the final tonic.
            let degree = line.snap(chord, false);
            let v = ctx.velocity(rng, plan.section, 0.95, true);
            notes.extend(ctx.note(
                ctx.at(bar, 0.0),
                ctx.at(bar, f64::from(ctx.beats())) - 20.0,
                degree_note(ctx.key, degree, octave, chord),
                v,
            ));
            continue;
        }
        if plan.block != current_block {
            current_block = plan.block;
            // A two-bar rhythmic motif per block; B sections sit higher and busier.
            let density = if plan.section == SectionKind::B {
                (ctx.params.density + 0.1).min(1.0)
            } else {
                ctx.params.density
            };
            motif = vec![bar_rhythm(rng, density), bar_rhythm(rng, density)];
            let lift = if plan.section == SectionKind::B { 2 } else { 0 };
            line.low = centre - 5 + lift;
            line.high = centre + 6 + lift;
            line.degree = reflect(line.degree, line.low, line.high);
        }
        let phrase_pos = plan.bar_in_block % 4;
        let last_of_block = plan.bar_in_block + 1 == plan.block_len;
        if phrase_pos == 3 || last_of_block {
            // Phrase end: a chord tone held for half a bar or more, then breathe.
            let degree = line.snap(chord, last_of_block);
            let v = ctx.velocity(rng, plan.section, 0.95, true);
            let hold = if last_of_block {
                f64::from(ctx.beats()) - 0.5
            } else {
                2.5
            };
            notes.extend(ctx.note(
                ctx.at(bar, 0.0),
                ctx.at(bar, hold),
                degree_note(ctx.key, degree, octave, chord),
                v,
            ));
            continue;
        }
        let rhythm = motif[(phrase_pos % 2) as usize].clone();
        for (i, slot) in rhythm.iter().enumerate() {
            let strong = *slot == 0 || *slot == 4;
            let degree = if strong {
                line.step(rng, centre);
                line.snap(chord, false)
            } else {
                line.step(rng, centre)
            };
            let next_slot = rhythm.get(i + 1).copied().unwrap_or(8);
            let beat = f64::from(*slot) * eighth;
            let len = (f64::from(next_slot - slot) * eighth).min(2.0);
            let v = ctx.velocity(
                rng,
                plan.section,
                0.95,
                strong || ctx.is_accent(bar, *slot / 2),
            );
            notes.extend(ctx.note(
                ctx.at(bar, beat),
                ctx.at(bar, beat + len) - 15.0,
                degree_note(ctx.key, degree, octave, chord),
                v,
            ));
        }
    }
    if !ctx.plan.is_empty() {
        let tonic = ChordSpec::triad(0);
        let degree = line.resolve_to_tonic();
        let v = ctx.velocity(rng, SectionKind::Outro, 0.95, true);
        notes.extend(ctx.note(
            ctx.final_chord_ms,
            ctx.duration_ms,
            degree_note(ctx.key, degree, octave, tonic),
            v,
        ));
    }
    notes
}

/// General MIDI percussion keys.
mod gm {
    pub(super) const KICK: u8 = 36;
    pub(super) const SIDE_STICK: u8 = 37;
    pub(super) const SNARE: u8 = 38;
    pub(super) const CLAP: u8 = 39;
    pub(super) const FLOOR_TOM: u8 = 41;
    pub(super) const CLOSED_HAT: u8 = 42;
    pub(super) const LOW_TOM: u8 = 45;
    pub(super) const OPEN_HAT: u8 = 46;
    pub(super) const MID_TOM: u8 = 47;
    pub(super) const CRASH: u8 = 49;
    pub(super) const TAMBOURINE: u8 = 54;
    pub(super) const SHAKER: u8 = 70;
}

/// One bar of a groove: (sixteenth step, key, relative velocity).
fn groove_bar(groove: Groove, level: u8) -> Vec<(u32, u8, f32)> {
    use gm::{
        CLAP, CLOSED_HAT, FLOOR_TOM, KICK, LOW_TOM, MID_TOM, OPEN_HAT, SHAKER, SIDE_STICK, SNARE,
        TAMBOURINE,
    };
    let mut hits = Vec::new();
    let eighths =
        |key: u8, v: f32| (0..8).map(move |i| (i * 2, key, if i % 2 == 0 { v } else { v * 0.75 }));
    match groove {
        Groove::Backbeat => {
            hits.extend([(0, KICK, 1.0), (8, KICK, 0.9)]);
            if level >= 2 {
                hits.extend([(4, SNARE, 0.95), (12, SNARE, 0.95), (10, KICK, 0.7)]);
                hits.extend(eighths(CLOSED_HAT, 0.6));
            } else {
                hits.extend([(4, SIDE_STICK, 0.7), (12, SIDE_STICK, 0.7)]);
                hits.extend((0..4).map(|i| (i * 4, CLOSED_HAT, 0.5)));
            }
            if level >= 3 {
                hits.extend((0..8).map(|i| (i * 2 + 1, CLOSED_HAT, 0.35)));
                hits.push((14, OPEN_HAT, 0.55));
            }
        }
        Groove::FourOnFloor => {
            hits.extend((0..4).map(|i| (i * 4, KICK, 1.0)));
            hits.extend((0..4).map(|i| {
                (
                    i * 4 + 2,
                    if level >= 3 { OPEN_HAT } else { CLOSED_HAT },
                    0.6,
                )
            }));
            if level >= 2 {
                hits.extend([(4, CLAP, 0.9), (12, CLAP, 0.9)]);
                hits.extend((0..4).map(|i| (i * 4 + 1, CLOSED_HAT, 0.35)));
                hits.extend((0..4).map(|i| (i * 4 + 3, CLOSED_HAT, 0.35)));
            }
        }
        Groove::BoomBap => {
            hits.extend([(0, KICK, 1.0), (7, KICK, 0.75)]);
            hits.extend(eighths(CLOSED_HAT, 0.5));
            if level >= 2 {
                hits.extend([(4, SNARE, 0.9), (12, SNARE, 0.9), (10, KICK, 0.8)]);
            } else {
                hits.extend([(4, SIDE_STICK, 0.7), (12, SIDE_STICK, 0.7)]);
            }
        }
        Groove::Cinematic => {
            hits.extend([(0, KICK, 1.0), (0, FLOOR_TOM, 0.9)]);
            if level >= 2 {
                hits.extend([
                    (8, KICK, 0.85),
                    (6, LOW_TOM, 0.7),
                    (12, FLOOR_TOM, 0.75),
                    (14, LOW_TOM, 0.6),
                ]);
            }
            if level >= 3 {
                hits.extend([
                    (3, KICK, 0.7),
                    (11, KICK, 0.7),
                    (4, SNARE, 0.8),
                    (12, SNARE, 0.85),
                    (10, MID_TOM, 0.6),
                ]);
            }
        }
        Groove::Percussion => {
            hits.push((0, KICK, 0.8));
            hits.extend(eighths(SHAKER, 0.5));
            if level >= 2 {
                hits.extend([(4, TAMBOURINE, 0.6), (12, TAMBOURINE, 0.6), (8, KICK, 0.7)]);
            }
        }
    }
    hits
}

/// A fill for the last beat of a phrase.
fn fill(level: u8) -> Vec<(u32, u8, f32)> {
    use gm::{FLOOR_TOM, LOW_TOM, MID_TOM, SNARE};
    if level >= 3 {
        vec![
            (12, SNARE, 0.7),
            (13, SNARE, 0.75),
            (14, MID_TOM, 0.85),
            (15, LOW_TOM, 0.9),
        ]
    } else {
        vec![(12, SNARE, 0.6), (14, FLOOR_TOM, 0.75)]
    }
}

fn drums(ctx: &Context<'_>, rng: &mut ChaCha8Rng) -> Vec<Note> {
    let groove = ctx.arrangement.groove;
    let swing = f64::from(ctx.arrangement.swing) / 100.0;
    let mut notes = Vec::new();
    let push = |notes: &mut Vec<Note>, start: f64, key: u8, v: u8| {
        notes.extend(ctx.note(start, start + 120.0, i32::from(key), v));
    };
    for (bar, plan) in ctx.plan.iter().enumerate() {
        let level = match plan.section {
            SectionKind::Intro => ctx.params.drums.saturating_sub(1),
            SectionKind::A | SectionKind::Outro => ctx
                .params
                .drums
                .saturating_sub(u8::from(ctx.params.drums > 2)),
            SectionKind::B => ctx.params.drums,
        };
        if level == 0 {
            continue;
        }
        let mut hits = groove_bar(groove, level);
        let phrase_end = plan.bar_in_block % 4 == 3 || plan.bar_in_block + 1 == plan.block_len;
        if phrase_end && level >= 2 {
            hits.retain(|(step, _, _)| *step < 12);
            hits.extend(fill(level));
        }
        if plan.bar_in_block == 0 && plan.section != SectionKind::Intro && level >= 2 {
            hits.push((0, gm::CRASH, 0.85));
        }
        for beat in 0..ctx.beats() {
            if ctx.is_accent(bar, beat) {
                hits.push((beat * 4, gm::CRASH, 0.95));
                hits.push((beat * 4, gm::KICK, 1.0));
            }
        }
        for (step, key, rel) in hits {
            let mut beat = f64::from(step) / 4.0;
            if step % 4 == 2 {
                beat += swing * 0.25;
            }
            let v = ctx.velocity(rng, plan.section, rel, step % 4 == 0);
            push(&mut notes, ctx.at(bar, beat), key, v);
        }
    }
    if !ctx.plan.is_empty() {
        let v = ctx.velocity(rng, SectionKind::Outro, 1.0, true);
        push(&mut notes, ctx.final_chord_ms, gm::CRASH, v);
        push(&mut notes, ctx.final_chord_ms, gm::KICK, v);
    }
    // Identical (time, key) pairs would retrigger the same voice; keep the loudest.
    notes.sort_by(|a, b| {
        a.start_ms
            .total_cmp(&b.start_ms)
            .then(a.key.cmp(&b.key))
            .then(b.velocity.cmp(&a.velocity))
    });
    notes.dedup_by(|a, b| a.key == b.key && (a.start_ms - b.start_ms).abs() < 1.0);
    notes
}
