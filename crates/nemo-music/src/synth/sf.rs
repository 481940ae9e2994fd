//! `SoundFont` rendering with rustysynth.

use nemo_mix::StereoBuffer;
use rustysynth::{Synthesizer as Rusty, SynthesizerSettings};

use super::{Synthesizer, events};
use crate::MusicError;
use crate::compose::{Composition, PartRole};
use crate::soundfont::SoundFont;

/// Frames rendered between progress callbacks.
const CHUNK: usize = 8_192;

/// Renders through a General MIDI `SoundFont`.
#[derive(Debug, Clone)]
pub struct SoundFontSynth {
    font: SoundFont,
}

impl SoundFontSynth {
    /// A synthesiser using `font`.
    pub fn new(font: SoundFont) -> Self {
        Self { font }
    }
}

const PROGRAM_CHANGE: i32 = 0xC0;
const CONTROL_CHANGE: i32 = 0xB0;

impl Synthesizer for SoundFontSynth {
    fn name(&self) -> String {
        format!("soundfont: {}", self.font.name())
    }

    fn render(
        &mut self,
        comp: &Composition,
        sample_rate: u32,
        frames: usize,
        progress: &mut dyn FnMut(f32),
    ) -> Result<StereoBuffer, MusicError> {
        let mut settings = SynthesizerSettings::new(sample_rate as i32);
        settings.maximum_polyphony = 128;
        let mut synth =
            Rusty::new(&self.font.0, &settings).map_err(|e| MusicError::Synth(e.to_string()))?;
        for part in &comp.parts {
            let ch = i32::from(part.channel);
            if part.role != PartRole::Drums {
                synth.process_midi_message(ch, PROGRAM_CHANGE, i32::from(part.program), 0);
            }
            synth.process_midi_message(ch, CONTROL_CHANGE, 7, i32::from(part.volume));
            synth.process_midi_message(ch, CONTROL_CHANGE, 10, i32::from(part.pan));
            synth.process_midi_message(ch, CONTROL_CHANGE, 91, i32::from(part.reverb));
        }
        let mut left = vec![0.0_f32; frames];
        let mut right = vec![0.0_f32; frames];
        let mut pos = 0usize;
        let mut render_to =
            |synth: &mut Rusty, pos: &mut usize, target: usize, progress: &mut dyn FnMut(f32)| {
                while *pos < target {
                    let end = (*pos + CHUNK).min(target);
                    synth.render(&mut left[*pos..end], &mut right[*pos..end]);
                    *pos = end;
                    progress(*pos as f32 / frames.max(1) as f32);
                }
            };
        for ev in events(comp, sample_rate) {
            let target = ev.frame.min(frames);
            render_to(&mut synth, &mut pos, target, progress);
            if ev.frame >= frames {
                break;
            }
            if ev.velocity == 0 {
                synth.note_off(i32::from(ev.channel), i32::from(ev.key));
            } else {
                synth.note_on(
                    i32::from(ev.channel),
                    i32::from(ev.key),
                    i32::from(ev.velocity),
                );
            }
        }
        render_to(&mut synth, &mut pos, frames, progress);
        Ok(StereoBuffer::from_channels(sample_rate, left, right))
    }
}
