//! Standard MIDI File export (midly). The tempo meta event carries the grid's exact beat length
//! in microseconds, and note times are converted with the same grid, so the file plays in step
//! with the rendered audio.

use midly::num::{u4, u7, u15, u24, u28};
use midly::{Format, Header, MetaMessage, MidiMessage, Smf, Timing, TrackEvent, TrackEventKind};

use crate::MusicError;
use crate::brief::Mode;
use crate::compose::{Composition, PartRole};

/// Ticks per quarter note.
pub const TICKS_PER_BEAT: u16 = 480;

/// Encodes the composition as a format-1 Standard MIDI File.
pub fn to_midi(comp: &Composition) -> Result<Vec<u8>, MusicError> {
    let beat_us = comp.grid.beat_us;
    let to_tick = |ms: f64| -> u32 {
        (ms * 1000.0 * f64::from(TICKS_PER_BEAT) / beat_us as f64)
            .round()
            .max(0.0) as u32
    };

    let mut tracks = Vec::with_capacity(comp.parts.len() + 1);
    let sharps = key_signature_sharps(comp.key.tonic, comp.key.mode);
    let tempo = u24::try_from(beat_us.min(0xFF_FFFF) as u32)
        .ok_or_else(|| MusicError::Midi("tempo out of range".to_owned()))?;
    let conductor = vec![
        (0, TrackEventKind::Meta(MetaMessage::TrackName(b"nemo"))),
        (0, TrackEventKind::Meta(MetaMessage::Tempo(tempo))),
        (
            0,
            TrackEventKind::Meta(MetaMessage::TimeSignature(
                comp.grid.beats_per_bar as u8,
                2,
                24,
                8,
            )),
        ),
        (
            0,
            TrackEventKind::Meta(MetaMessage::KeySignature(
                sharps,
                comp.key.mode == Mode::Minor,
            )),
        ),
        (
            to_tick(comp.duration_ms() as f64),
            TrackEventKind::Meta(MetaMessage::EndOfTrack),
        ),
    ];
    tracks.push(delta_encode(conductor));

    for part in &comp.parts {
        let channel = u4::new(part.channel & 0x0F);
        let mut events: Vec<(u32, TrackEventKind<'static>)> = vec![
            (
                0,
                TrackEventKind::Meta(MetaMessage::TrackName(part.role.name().as_bytes())),
            ),
            (
                0,
                midi(
                    channel,
                    MidiMessage::Controller {
                        controller: u7::new(7),
                        value: u7::new(part.volume & 0x7F),
                    },
                ),
            ),
            (
                0,
                midi(
                    channel,
                    MidiMessage::Controller {
                        controller: u7::new(10),
                        value: u7::new(part.pan & 0x7F),
                    },
                ),
            ),
            (
                0,
                midi(
                    channel,
                    MidiMessage::Controller {
                        controller: u7::new(91),
                        value: u7::new(part.reverb & 0x7F),
                    },
                ),
            ),
        ];
        if part.role != PartRole::Drums {
            events.push((
                0,
                midi(
                    channel,
                    MidiMessage::ProgramChange {
                        program: u7::new(part.program & 0x7F),
                    },
                ),
            ));
        }
        for n in &part.notes {
            let key = u7::new(n.key & 0x7F);
            events.push((
                to_tick(n.start_ms),
                midi(
                    channel,
                    MidiMessage::NoteOn {
                        key,
                        vel: u7::new(n.velocity.clamp(1, 127)),
                    },
                ),
            ));
            events.push((
                to_tick(n.end_ms),
                midi(
                    channel,
                    MidiMessage::NoteOff {
                        key,
                        vel: u7::new(64),
                    },
                ),
            ));
        }
        // Stable sort: at equal ticks note-offs go first so re-struck notes are not cut.
        events.sort_by_key(|(tick, kind)| (*tick, !is_note_off(kind)));
        events.push((
            to_tick(comp.duration_ms() as f64),
            TrackEventKind::Meta(MetaMessage::EndOfTrack),
        ));
        tracks.push(delta_encode(events));
    }

    let smf = Smf {
        header: Header::new(Format::Parallel, Timing::Metrical(u15::new(TICKS_PER_BEAT))),
        tracks,
    };
    let mut out = Vec::new();
    smf.write_std(&mut out)
        .map_err(|e| MusicError::Midi(e.to_string()))?;
    Ok(out)
}

fn midi(channel: u4, message: MidiMessage) -> TrackEventKind<'static> {
    TrackEventKind::Midi { channel, message }
}

fn is_note_off(kind: &TrackEventKind<'_>) -> bool {
    matches!(
        kind,
        TrackEventKind::Midi {
            message: MidiMessage::NoteOff { .. },
            ..
        }
    )
}

/// Absolute ticks -> delta times (events must be sorted).
fn delta_encode(events: Vec<(u32, TrackEventKind<'static>)>) -> Vec<TrackEvent<'static>> {
    let mut last = 0u32;
    events
        .into_iter()
        .map(|(tick, kind)| {
            let delta = tick.saturating_sub(last);
            last = last.max(tick);
            TrackEvent {
                delta: u28::new(delta),
                kind,
            }
        })
        .collect()
}

/// Sharps (positive) or flats (negative) of each major key, by tonic pitch class.
const SHARPS: [i8; 12] = [0, -5, 2, -3, 4, -1, 6, 1, -4, 3, -2, 5];

/// Sharps (positive) or flats (negative) of the key signature.
fn key_signature_sharps(tonic: u8, mode: Mode) -> i8 {
    // Relative major of a minor key is three semitones up.
    let major_tonic = match mode {
        Mode::Major => tonic % 12,
        Mode::Minor => (tonic + 3) % 12,
    };
    SHARPS[usize::from(major_tonic)]
}
