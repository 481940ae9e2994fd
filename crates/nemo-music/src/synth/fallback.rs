//! The built-in synthesiser used when no `SoundFont` is available.
//!
//! Each note is rendered on its own: a small fundsp graph (band-limited oscillators and state-
//! variable filters, chosen by the General MIDI program family) shaped by an envelope computed
//! here, then panned into the mix. Drums are synthesised (sine sweeps and filtered noise). A
//! short stereo reverb is fed from each part's reverb send. Everything is deterministic: noise
//! generators are seeded from the note's position.

use fundsp::prelude32::{
    AudioUnit, Wave, bandpass_hz, highpass_hz, lowpass_hz, noise, reverb_stereo, saw_hz, sine_hz,
    square_hz, triangle_hz,
};
use nemo_mix::StereoBuffer;

use super::{Synthesizer, ms_to_frame};
use crate::MusicError;
use crate::compose::{Composition, Note, Part, PartRole};

/// Pure-code synthesiser (no `SoundFont` needed).
#[derive(Debug, Clone, Copy, Default)]
pub struct FallbackSynth {
    /// Skip the reverb (faster; used for very long pieces).
    pub dry: bool,
}

/// Pieces longer than this skip the reverb to stay fast.
const REVERB_LIMIT_FRAMES: usize = 48_000 * 180;

/// Timbre family, from the GM program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Timbre {
    Keys,
    Mallet,
    Pluck,
    Bass,
    Strings,
    Brass,
    Flute,
    Lead,
    Pad,
}

fn timbre(part: &Part) -> Timbre {
    match part.program {
        8..=15 => Timbre::Mallet,
        24..=31 | 45 | 46 => Timbre::Pluck,
        32..=39 => Timbre::Bass,
        40..=44 | 48..=55 => Timbre::Strings,
        56..=63 => Timbre::Brass,
        64..=79 => Timbre::Flute,
        80..=87 => Timbre::Lead,
        88..=103 => Timbre::Pad,
        _ => Timbre::Keys,
    }
}

/// Attack, decay time constant (None = sustain), sustain level, release (seconds).
fn envelope_shape(t: Timbre) -> (f32, Option<f32>, f32, f32) {
    match t {
        Timbre::Keys => (0.004, Some(0.9), 0.0, 0.12),
        Timbre::Mallet => (0.002, Some(0.6), 0.0, 0.2),
        Timbre::Pluck => (0.003, Some(0.5), 0.0, 0.1),
        Timbre::Bass => (0.006, Some(1.2), 0.55, 0.06),
        Timbre::Strings => (0.25, None, 1.0, 0.35),
        Timbre::Brass => (0.06, None, 1.0, 0.15),
        Timbre::Flute => (0.05, None, 1.0, 0.1),
        Timbre::Lead => (0.01, None, 1.0, 0.05),
        Timbre::Pad => (0.4, None, 1.0, 0.6),
    }
}

fn oscillator(t: Timbre, f: f32) -> Box<dyn AudioUnit> {
    let bright = (f * 6.0).clamp(400.0, 9_000.0);
    match t {
        Timbre::Keys => {
            Box::new(sine_hz(f) * 0.6 + sine_hz(2.0 * f) * 0.25 + triangle_hz(3.0 * f) * 0.08)
        }
        Timbre::Mallet => Box::new(sine_hz(f) * 0.7 + sine_hz(4.0 * f) * 0.15),
        Timbre::Pluck => {
            Box::new((saw_hz(f) * 0.5 + triangle_hz(f) * 0.4) >> lowpass_hz(bright, 0.6))
        }
        Timbre::Bass => {
            Box::new((triangle_hz(f) * 0.7 + sine_hz(f) * 0.5) >> lowpass_hz(900.0, 0.6))
        }
        Timbre::Strings => Box::new(
            ((saw_hz(f) + saw_hz(f * 1.004)) * 0.25)
                >> lowpass_hz((f * 4.0).clamp(600.0, 5_000.0), 0.5),
        ),
        Timbre::Brass => {
            Box::new((saw_hz(f) * 0.4) >> lowpass_hz((f * 3.0).clamp(500.0, 3_000.0), 0.8))
        }
        Timbre::Flute => Box::new(sine_hz(f) * 0.7 + triangle_hz(2.0 * f) * 0.08),
        Timbre::Lead => {
            Box::new((square_hz(f) * 0.3) >> lowpass_hz((f * 5.0).clamp(800.0, 6_000.0), 0.7))
        }
        Timbre::Pad => Box::new(
            ((saw_hz(f) + saw_hz(f * 1.006) + triangle_hz(f * 0.5)) * 0.2)
                >> lowpass_hz((f * 3.0).clamp(500.0, 2_500.0), 0.4),
        ),
    }
}

fn midi_hz(key: u8) -> f32 {
    440.0 * 2f32.powf((f32::from(key) - 69.0) / 12.0)
}

/// Constant-power pan gains for a MIDI pan value.
fn pan_gains(pan: u8) -> (f32, f32) {
    let p = f32::from(pan.min(127)) / 127.0 * std::f32::consts::FRAC_PI_2;
    (p.cos(), p.sin())
}

impl Synthesizer for FallbackSynth {
    fn name(&self) -> String {
        "built-in".to_owned()
    }

    fn render(
        &mut self,
        comp: &Composition,
        sample_rate: u32,
        frames: usize,
        progress: &mut dyn FnMut(f32),
    ) -> Result<StereoBuffer, MusicError> {
        let rate = sample_rate as f32;
        let mut dry = StereoBuffer::silent(sample_rate, frames);
        let mut send = StereoBuffer::silent(sample_rate, frames);
        let total_notes: usize = comp
            .parts
            .iter()
            .map(|p| p.notes.len())
            .sum::<usize>()
            .max(1);
        let mut done = 0usize;
        let mut scratch = Vec::new();
        for part in &comp.parts {
            let (pl, pr) = pan_gains(part.pan);
            let volume = (f32::from(part.volume) / 127.0).powi(2);
            let send_level = f32::from(part.reverb) / 127.0 * 0.5;
            for (i, note) in part.notes.iter().enumerate() {
                let start = ms_to_frame(note.start_ms, sample_rate);
                if start >= frames {
                    continue;
                }
                scratch.clear();
                if part.role == PartRole::Drums {
                    render_drum(note, rate, (start as u64) ^ (i as u64) << 20, &mut scratch);
                } else {
                    render_note(timbre(part), note, rate, &mut scratch);
                }
                let gain = volume * (f32::from(note.velocity) / 127.0).powf(1.5);
                for (k, s) in scratch.iter().enumerate() {
                    let idx = start + k;
                    if idx >= frames {
                        break;
                    }
                    let v = s * gain;
                    dry.left[idx] += v * pl;
                    dry.right[idx] += v * pr;
                    send.left[idx] += v * pl * send_level;
                    send.right[idx] += v * pr * send_level;
                }
                done += 1;
                if done.is_multiple_of(256) {
                    progress(0.8 * done as f32 / total_notes as f32);
                }
            }
        }
        if !self.dry && frames <= REVERB_LIMIT_FRAMES {
            add_reverb(&mut dry, &send, sample_rate);
        }
        progress(1.0);
        Ok(dry)
    }
}

/// Renders one pitched note (including its release tail) into `out`.
fn render_note(t: Timbre, note: &Note, rate: f32, out: &mut Vec<f32>) {
    let (attack, decay, sustain, release) = envelope_shape(t);
    let held = ((note.end_ms - note.start_ms).max(1.0) / 1000.0) as f32;
    let total = ((held + release) * rate) as usize;
    let mut osc = oscillator(t, midi_hz(note.key));
    // Block rendering (fundsp's SIMD path) is several times faster than per-sample ticks.
    let wave = Wave::render(
        f64::from(rate),
        total as f64 / f64::from(rate),
        osc.as_mut(),
    );
    let samples = wave.channel(0);
    let mut level_at_release = 0.0_f32;
    for (n, sample) in samples.iter().enumerate().take(total) {
        let time = n as f32 / rate;
        let body = |time: f32| -> f32 {
            let a = if attack > 0.0 {
                (time / attack).min(1.0)
            } else {
                1.0
            };
            let d = decay.map_or(1.0, |tau| sustain + (1.0 - sustain) * (-time / tau).exp());
            a * d
        };
        let env = if time < held {
            level_at_release = body(time);
            level_at_release
        } else {
            // Raised-cosine release from the level reached: no click at note-off.
            let r = ((time - held) / release).min(1.0);
            level_at_release * (0.5 + 0.5 * (std::f32::consts::PI * r).cos())
        };
        out.push(sample * env);
    }
}

/// A pitched drum component: base frequency, sweep depth, decay time constant (s).
type Sweep = (f32, f32, f32);

/// Synthesised GM percussion.
fn render_drum(note: &Note, rate: f32, seed: u64, out: &mut Vec<f32>) {
    let (len, mut source, tone): (f32, Option<Box<dyn AudioUnit>>, Option<Sweep>) = match note.key {
        35 | 36 => (0.45, None, Some((48.0, 110.0, 0.25))),
        41 | 43 | 45 | 47 | 48 | 50 => {
            let base = 70.0 + (f32::from(note.key) - 41.0) * 12.0;
            (0.5, None, Some((base, base * 0.8, 0.3)))
        }
        37 => (
            0.08,
            Some(Box::new(noise().seed(seed) >> bandpass_hz(1_600.0, 2.0))),
            None,
        ),
        38..=40 => (
            0.25,
            Some(Box::new(
                noise().seed(seed)
                    >> bandpass_hz(if note.key == 39 { 1_200.0 } else { 2_000.0 }, 0.8),
            )),
            Some((185.0, 40.0, 0.06)),
        ),
        42 | 44 => (
            0.06,
            Some(Box::new(noise().seed(seed) >> highpass_hz(7_000.0, 0.7))),
            None,
        ),
        46 => (
            0.3,
            Some(Box::new(noise().seed(seed) >> highpass_hz(6_500.0, 0.7))),
            None,
        ),
        49 | 57 | 51 | 59 => (
            1.4,
            Some(Box::new(noise().seed(seed) >> highpass_hz(4_500.0, 0.5))),
            None,
        ),
        _ => (
            0.12,
            Some(Box::new(noise().seed(seed) >> highpass_hz(5_000.0, 0.7))),
            None,
        ),
    };
    let total = (len * rate) as usize;
    let noise_wave = source
        .as_mut()
        .map(|s| Wave::render(f64::from(rate), total as f64 / f64::from(rate), s.as_mut()));
    let noise_samples = noise_wave.as_ref().map(|w| w.channel(0));
    let noise_tau = len / 4.0;
    let mut phase = 0.0_f32;
    for n in 0..total {
        let time = n as f32 / rate;
        let fade = 1.0 - (n as f32 / total as f32).powi(4); // reach zero at the end: no click
        let mut v = 0.0;
        if let Some(samples) = noise_samples {
            v += samples.get(n).copied().unwrap_or(0.0) * (-time / noise_tau).exp() * 0.7;
        }
        if let Some((base, sweep, tau)) = tone {
            let f = base + sweep * (-time / 0.03).exp();
            phase += f / rate;
            v += (phase * std::f32::consts::TAU).sin() * (-time / tau).exp() * 0.9;
        }
        let attack = (time / 0.001).min(1.0);
        out.push(v * fade * attack);
    }
}

/// Adds a short stereo reverb of the send bus to the dry mix.
fn add_reverb(dry: &mut StereoBuffer, send: &StereoBuffer, sample_rate: u32) {
    let mut reverb = reverb_stereo(12.0, 1.8, 0.6);
    reverb.set_sample_rate(f64::from(sample_rate));
    let mut output = [0.0_f32; 2];
    for i in 0..dry.frames() {
        AudioUnit::tick(&mut reverb, &[send.left[i], send.right[i]], &mut output);
        dry.left[i] += output[0] * 0.6;
        dry.right[i] += output[1] * 0.6;
    }
}
