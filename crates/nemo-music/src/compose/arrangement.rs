//! Style -> instruments (General MIDI programs), their mix settings and playing patterns.

use crate::brief::Style;

/// What a part does in the texture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartRole {
    /// GM percussion on MIDI channel 10 (index 9).
    Drums,
    /// Root-based bass line.
    Bass,
    /// Sustained or struck chords.
    Pad,
    /// Broken chords / arpeggios.
    Arpeggio,
    /// The tune.
    Melody,
}

impl PartRole {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Drums => "drums",
            Self::Bass => "bass",
            Self::Pad => "pad",
            Self::Arpeggio => "arpeggio",
            Self::Melody => "melody",
        }
    }
}

/// How chords are played by the pad part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PadPattern {
    /// Held for the whole bar.
    Sustain,
    /// Struck on every beat.
    Beats,
    /// Struck on beats 1 and 3 (or 1 and the "and" of 2).
    Pulse,
}

/// How the bass plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BassPattern {
    /// One long root per bar.
    Whole,
    /// Root on 1, fifth on 3.
    RootFifth,
    /// Repeated roots in eighth notes.
    Eighths,
    /// Root on 1, syncopated pickup.
    Syncopated,
}

/// Drum groove family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Groove {
    /// Kick 1 & 3, snare 2 & 4, eighth hats.
    Backbeat,
    /// Kick every beat, clap 2 & 4, off-beat open hats.
    FourOnFloor,
    /// Swung boom-bap.
    BoomBap,
    /// Toms and bass drum, no hats.
    Cinematic,
    /// Shaker and soft kick.
    Percussion,
}

/// One instrument of the arrangement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Instrument {
    pub(crate) role: PartRole,
    pub(crate) program: u8,
    pub(crate) volume: u8,
    pub(crate) pan: u8,
    pub(crate) reverb: u8,
    /// Octave offset relative to the role's default register.
    pub(crate) octave: i8,
}

const fn inst(role: PartRole, program: u8, volume: u8, pan: u8, reverb: u8) -> Instrument {
    Instrument {
        role,
        program,
        volume,
        pan,
        reverb,
        octave: 0,
    }
}

/// The whole band for a style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Arrangement {
    pub(crate) instruments: Vec<Instrument>,
    pub(crate) pad: PadPattern,
    pub(crate) bass: BassPattern,
    pub(crate) groove: Groove,
    /// Swing amount for off-beat eighths (0 = straight).
    pub(crate) swing: u8,
    /// Arpeggio subdivision per beat when density is high (2 = eighths, 4 = sixteenths).
    pub(crate) arp_max_subdivision: u32,
}

/// Instruments and patterns of a style. `arousal` picks the brighter or darker lead where a
/// style has both.
pub(crate) fn arrangement(style: Style, arousal: f32) -> Arrangement {
    use PartRole::{Arpeggio, Bass, Drums, Melody, Pad};
    let (instruments, pad, bass, groove, swing, arp) = match style {
        Style::Ambient => (
            vec![
                inst(Pad, 89, 100, 64, 110),
                inst(Bass, 48, 70, 64, 100),
                inst(Melody, 11, 72, 80, 110),
                Instrument {
                    octave: 1,
                    ..inst(Arpeggio, 8, 50, 40, 120)
                },
            ],
            PadPattern::Sustain,
            BassPattern::Whole,
            Groove::Percussion,
            0,
            2,
        ),
        Style::Piano => (
            vec![
                inst(Melody, 0, 100, 70, 70),
                inst(Arpeggio, 0, 88, 58, 70),
                inst(Pad, 49, 52, 64, 90),
            ],
            PadPattern::Sustain,
            BassPattern::Whole,
            Groove::Percussion,
            0,
            2,
        ),
        Style::LoFi => (
            vec![
                inst(Pad, 4, 88, 54, 60),
                inst(Bass, 33, 96, 64, 20),
                inst(Melody, 11, 76, 76, 70),
                inst(Drums, 0, 92, 64, 30),
            ],
            PadPattern::Pulse,
            BassPattern::Syncopated,
            Groove::BoomBap,
            30,
            2,
        ),
        Style::Pop => (
            vec![
                inst(Pad, 0, 84, 56, 50),
                Instrument {
                    octave: 1,
                    ..inst(Arpeggio, 48, 56, 74, 80)
                },
                inst(Bass, 33, 98, 64, 10),
                inst(Melody, 81, 66, 70, 60),
                inst(Drums, 0, 96, 64, 30),
            ],
            PadPattern::Beats,
            BassPattern::RootFifth,
            Groove::Backbeat,
            0,
            2,
        ),
        Style::Cinematic => (
            vec![
                inst(Pad, 48, 100, 64, 100),
                inst(Bass, 43, 96, 60, 80),
                inst(Melody, if arousal >= 0.0 { 60 } else { 40 }, 96, 72, 100),
                inst(Arpeggio, if arousal >= 0.0 { 45 } else { 46 }, 74, 52, 80),
                inst(Drums, 0, 100, 64, 70),
            ],
            PadPattern::Sustain,
            BassPattern::Whole,
            Groove::Cinematic,
            0,
            2,
        ),
        Style::Electronic => (
            vec![
                inst(Pad, 90, 76, 64, 80),
                inst(Bass, 38, 100, 64, 10),
                inst(Arpeggio, 81, 58, 84, 60),
                inst(Melody, 80, 58, 44, 60),
                inst(Drums, 0, 104, 64, 20),
            ],
            PadPattern::Sustain,
            BassPattern::Eighths,
            Groove::FourOnFloor,
            0,
            4,
        ),
        Style::Acoustic => (
            vec![
                inst(Arpeggio, 25, 96, 56, 50),
                inst(Bass, 32, 92, 64, 20),
                inst(Melody, 73, 84, 76, 70),
                inst(Drums, 0, 76, 64, 30),
            ],
            PadPattern::Sustain,
            BassPattern::RootFifth,
            Groove::Percussion,
            0,
            2,
        ),
        Style::Corporate => (
            vec![
                inst(Arpeggio, 0, 90, 56, 50),
                inst(Pad, 48, 70, 70, 80),
                inst(Bass, 33, 94, 64, 10),
                Instrument {
                    octave: 1,
                    ..inst(Melody, 9, 70, 74, 60)
                },
                inst(Drums, 0, 88, 64, 30),
            ],
            PadPattern::Sustain,
            BassPattern::Eighths,
            Groove::Backbeat,
            0,
            2,
        ),
        Style::Chiptune => (
            vec![
                inst(Melody, 80, 72, 64, 10),
                inst(Arpeggio, 80, 50, 40, 10),
                Instrument {
                    octave: 1,
                    ..inst(Bass, 80, 78, 64, 0)
                },
                inst(Drums, 0, 96, 64, 10),
            ],
            PadPattern::Sustain,
            BassPattern::Eighths,
            Groove::Backbeat,
            0,
            4,
        ),
    };
    Arrangement {
        instruments,
        pad,
        bass,
        groove,
        swing,
        arp_max_subdivision: arp,
    }
}
