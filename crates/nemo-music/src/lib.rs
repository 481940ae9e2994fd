//! nemo-music: writes new, mood-matched background music of any exact length.
//!
//! Pure compute (no files, environment or processes): callers pass a [`MusicBrief`] and,
//! optionally, `SoundFont` bytes; they get back PCM, the score, a MIDI file and a report with the
//! beat grid (so video can be cut to the music).
//!
//! ```text
//! brief --params--> tempo/mode/density/dynamics/drums/register/colour   (params.rs: the mood table)
//!       --grid----> tempo + phase fitted to accent times                 (grid.rs)
//!       --compose-> sections, chords, parts (notes)                      (compose/)
//!       --synth---> rustysynth (`SoundFont`) | fundsp fallback             (synth/)
//!       --mix-----> ending fade, EBU R128 gain + true-peak limit         (nemo-mix)
//! ```

mod brief;
mod compose;
mod error;
mod grid;
mod midi;
pub mod params;
mod render;
mod soundfont;
mod synth;

pub use brief::{Key, Mode, Mood, MusicBrief, NamedMood, ParamOverrides, Style, TempoSpec};
pub use compose::{
    ChordEvent, Composition, MAX_DURATION_MS, MIN_DURATION_MS, Note, Part, PartRole, Section,
    SectionKind, compose,
};
pub use error::MusicError;
pub use grid::{
    ACCENT_TOLERANCE_MS, AccentReport, BeatGrid, TempoRange, evaluate as evaluate_accents,
    fit as fit_grid,
};
pub use midi::{TICKS_PER_BEAT, to_midi};
pub use nemo_mix::{LoudnessTarget, StereoBuffer};
pub use params::{Colour, MusicParams};
pub use render::{
    MusicReport, RenderOptions, RenderedMusic, SectionSummary, Stage, compose_and_render,
    compose_and_render_with_progress, frames_for, render,
};
pub use soundfont::{
    FontChoice, FontSource, NO_SOUNDFONT_HINT, SYSTEM_SOUNDFONTS, SoundFont, find_soundfont,
};
pub use synth::{FallbackSynth, SoundFontSynth, Synthesizer};
