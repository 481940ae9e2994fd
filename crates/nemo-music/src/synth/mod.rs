//! Synthesis: a [`Synthesizer`] turns a [`Composition`] into stereo PCM of an exact length.
//!
//! Two implementations: [`SoundFontSynth`] (rustysynth, General MIDI instruments from an SF2
//! font) and [`FallbackSynth`] (pure code, fundsp oscillators and filters) for machines without a
//! `SoundFont`. Both consume the same sample-accurate event list built here.

mod fallback;
mod sf;

pub use fallback::FallbackSynth;
pub use sf::SoundFontSynth;

use nemo_mix::StereoBuffer;

use crate::MusicError;
use crate::compose::Composition;

/// Something that renders a composition.
pub trait Synthesizer {
    /// A short name for reports (`soundfont: TimGM6mb` or `built-in`).
    fn name(&self) -> String;

    /// Renders exactly `frames` stereo frames at `sample_rate`, calling `progress` with the
    /// fraction done (0..=1) from time to time.
    fn render(
        &mut self,
        comp: &Composition,
        sample_rate: u32,
        frames: usize,
        progress: &mut dyn FnMut(f32),
    ) -> Result<StereoBuffer, MusicError>;
}

/// A note event at a frame position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Event {
    pub(crate) frame: usize,
    pub(crate) channel: u8,
    pub(crate) key: u8,
    /// 0 = note off.
    pub(crate) velocity: u8,
}

/// Converts milliseconds to a frame index.
pub(crate) fn ms_to_frame(ms: f64, sample_rate: u32) -> usize {
    (ms.max(0.0) * f64::from(sample_rate) / 1000.0).round() as usize
}

/// All note-on/off events of the composition, sorted by frame with note-offs first.
pub(crate) fn events(comp: &Composition, sample_rate: u32) -> Vec<Event> {
    let mut out = Vec::new();
    for part in &comp.parts {
        for n in &part.notes {
            out.push(Event {
                frame: ms_to_frame(n.start_ms, sample_rate),
                channel: part.channel,
                key: n.key,
                velocity: n.velocity.max(1),
            });
            out.push(Event {
                frame: ms_to_frame(n.end_ms, sample_rate),
                channel: part.channel,
                key: n.key,
                velocity: 0,
            });
        }
    }
    out.sort_by_key(|e| (e.frame, e.velocity != 0, e.channel, e.key));
    out
}
