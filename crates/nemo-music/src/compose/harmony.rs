//! Harmony: diatonic chords, progressions per mode and colour, the bar-by-bar plan with its
//! closing cadence, and voice-led voicings.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::brief::{Key, Mode};
use crate::params::Colour;

/// A diatonic chord on a scale degree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChordSpec {
    /// Scale degree of the root, 0-based (0 = tonic).
    pub(crate) degree: i32,
    /// Add the diatonic seventh.
    pub(crate) seventh: bool,
    /// Replace the third by the second (sus2).
    pub(crate) sus2: bool,
}

impl ChordSpec {
    pub(crate) const fn triad(degree: i32) -> Self {
        Self {
            degree,
            seventh: false,
            sus2: false,
        }
    }

    /// Is this the dominant, whose third is raised in minor (harmonic minor)?
    pub(crate) fn is_dominant(self) -> bool {
        self.degree.rem_euclid(7) == 4
    }

    /// Chord members as scale degrees relative to the tonic (root first).
    pub(crate) fn degrees(self) -> Vec<i32> {
        let d = self.degree;
        let mut out = vec![d, if self.sus2 { d + 1 } else { d + 2 }, d + 4];
        if self.seventh {
            out.push(d + 6);
        }
        out
    }

    /// Whether a scale degree is a member (octave-equivalent).
    pub(crate) fn contains_degree(self, degree: i32) -> bool {
        self.degrees()
            .iter()
            .any(|d| d.rem_euclid(7) == degree.rem_euclid(7))
    }
}

/// MIDI note of a scale degree, applying the raised leading tone when the chord is a dominant in
/// minor (so melody and harmony agree).
pub(crate) fn degree_note(key: Key, degree: i32, octave: i32, chord: ChordSpec) -> i32 {
    let note = key.degree_to_midi(degree, octave);
    if key.mode == Mode::Minor && chord.is_dominant() && degree.rem_euclid(7) == 6 {
        note + 1
    } else {
        note
    }
}

/// Pitch classes of a chord in a key.
pub(crate) fn chord_pitch_classes(key: Key, chord: ChordSpec) -> Vec<u8> {
    chord
        .degrees()
        .iter()
        .map(|d| degree_note(key, *d, 4, chord).rem_euclid(12) as u8)
        .collect()
}

const ROMAN: [&str; 7] = ["I", "II", "III", "IV", "V", "VI", "VII"];

/// Roman-numeral symbol, lower case for minor chords ("vi", "V7", "iisus2").
pub(crate) fn chord_symbol(key: Key, chord: ChordSpec) -> String {
    let pcs = chord_pitch_classes(key, chord);
    let third = (i32::from(pcs[1]) - i32::from(pcs[0])).rem_euclid(12);
    let fifth = (i32::from(pcs[2]) - i32::from(pcs[0])).rem_euclid(12);
    let base = ROMAN[chord.degree.rem_euclid(7) as usize];
    let mut s = if chord.sus2 || third == 4 {
        base.to_owned()
    } else {
        base.to_lowercase()
    };
    if fifth == 6 {
        s.push('°');
    }
    if chord.sus2 {
        s.push_str("sus2");
    }
    if chord.seventh {
        s.push('7');
    }
    s
}

const MAJOR_PROGRESSIONS: &[[i32; 4]] = &[
    [0, 4, 5, 3],
    [0, 5, 3, 4],
    [5, 3, 0, 4],
    [0, 3, 5, 4],
    [0, 2, 3, 4],
    [3, 0, 4, 5],
    [0, 3, 0, 4],
    [0, 5, 1, 4],
];
const MINOR_PROGRESSIONS: &[[i32; 4]] = &[
    [0, 5, 2, 6],
    [0, 3, 5, 4],
    [0, 6, 5, 6],
    [0, 3, 6, 2],
    [5, 6, 0, 0],
    [0, 5, 3, 4],
];
const TENSE_PROGRESSIONS: &[[i32; 4]] = &[[0, 1, 0, 4], [0, 5, 1, 4], [0, 0, 5, 4], [0, 3, 1, 4]];

/// Picks a four-chord progression for the mode and colour.
pub(crate) fn pick_progression(
    rng: &mut ChaCha8Rng,
    mode: Mode,
    colour: Colour,
    avoid: Option<[i32; 4]>,
) -> [i32; 4] {
    let table = match (mode, colour) {
        (Mode::Minor, Colour::Tense) => TENSE_PROGRESSIONS,
        (Mode::Major, _) => MAJOR_PROGRESSIONS,
        (Mode::Minor, _) => MINOR_PROGRESSIONS,
    };
    for _ in 0..8 {
        let p = table[rng.random_range(0..table.len())];
        if Some(p) != avoid {
            return p;
        }
    }
    table[0]
}

/// Applies the colour to a degree.
pub(crate) fn colour_chord(degree: i32, colour: Colour, mode: Mode) -> ChordSpec {
    let d = degree.rem_euclid(7);
    match colour {
        Colour::Warm => ChordSpec {
            degree: d,
            seventh: true,
            sus2: false,
        },
        // Sus2 on I and IV only: on other degrees it would produce a tritone or leave the key's
        // colour ambiguous.
        Colour::Open if d == 0 || (d == 3 && mode == Mode::Major) => ChordSpec {
            degree: d,
            seventh: false,
            sus2: true,
        },
        _ => ChordSpec::triad(d),
    }
}

/// The cadence that closes the piece: predominant then dominant, before the final tonic.
pub(crate) fn cadence(bars: u32, colour: Colour, mode: Mode) -> Vec<ChordSpec> {
    let predominant = if colour == Colour::Warm { 1 } else { 3 };
    let dominant = ChordSpec {
        degree: 4,
        seventh: colour != Colour::Open,
        sus2: false,
    };
    let mut out = match bars {
        0 => vec![],
        1 => vec![dominant],
        2 => vec![colour_chord(predominant, colour, mode), dominant],
        _ => {
            let mut v = vec![colour_chord(0, colour, mode); (bars - 3) as usize];
            v.extend([
                colour_chord(5, colour, mode),
                colour_chord(predominant, colour, mode),
                dominant,
            ]);
            v
        }
    };
    out.truncate(bars as usize);
    out
}

/// Close-position voicing of `chord` between `low` and about `low + 14`, choosing the inversion
/// nearest to `previous` (smallest total movement: basic voice leading).
pub(crate) fn voice(key: Key, chord: ChordSpec, low: i32, previous: Option<&[i32]>) -> Vec<i32> {
    let degrees = chord.degrees();
    let mut best: Option<(i32, Vec<i32>)> = None;
    for inversion in 0..degrees.len() {
        let mut notes = Vec::with_capacity(degrees.len());
        for d in degrees.iter().cycle().skip(inversion).take(degrees.len()) {
            let mut n = degree_note(key, *d, 3, chord);
            while n < low {
                n += 12;
            }
            while n >= low + 12 {
                n -= 12;
            }
            if let Some(&prev) = notes.last() {
                while n <= prev {
                    n += 12;
                }
            }
            notes.push(n);
        }
        let cost = previous.map_or(inversion as i32, |p| movement(p, &notes));
        if best.as_ref().is_none_or(|(c, _)| cost < *c) {
            best = Some((cost, notes));
        }
    }
    best.map(|(_, v)| v).unwrap_or_default()
}

fn movement(previous: &[i32], next: &[i32]) -> i32 {
    next.iter()
        .map(|n| previous.iter().map(|p| (p - n).abs()).min().unwrap_or(0))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dominant_in_minor_has_the_leading_tone() {
        let a_minor = Key::parse("A minor").unwrap();
        let v = ChordSpec::triad(4);
        assert_eq!(chord_pitch_classes(a_minor, v), vec![4, 8, 11]);
        assert_eq!(chord_symbol(a_minor, v), "V");
        assert_eq!(chord_symbol(a_minor, ChordSpec::triad(0)), "i");
        assert_eq!(chord_symbol(a_minor, ChordSpec::triad(1)), "ii°");
    }

    #[test]
    fn voicings_move_little() {
        let c = Key::parse("C").unwrap();
        let one = voice(c, ChordSpec::triad(0), 55, None);
        let four = voice(c, ChordSpec::triad(3), 55, Some(&one));
        assert!(movement(&one, &four) <= 4, "{one:?} -> {four:?}");
    }
}
