//! Composer tests: form, key, determinism, accents, voice leading.

use super::*;
use crate::brief::{Mood, NamedMood, TempoSpec};

fn brief(mood: NamedMood, style: Style, ms: u64, seed: u64) -> MusicBrief {
    let mut b = MusicBrief::new(Mood::Named(mood), ms);
    b.style = Some(style);
    b.seed = seed;
    b
}

/// Pitch classes allowed in a key: the scale, plus the leading tone in minor (harmonic minor
/// dominant).
fn allowed(key: Key) -> Vec<u8> {
    let mut pcs = key.scale_pitch_classes().to_vec();
    if key.mode == Mode::Minor {
        pcs.push(key.leading_tone());
    }
    pcs
}

#[test]
fn every_pitched_note_is_in_key_for_every_style_and_mood() {
    for (i, style) in Style::ALL.iter().enumerate() {
        for mood in [
            NamedMood::Happy,
            NamedMood::Sad,
            NamedMood::Tense,
            NamedMood::Dreamy,
        ] {
            let comp = compose(&brief(mood, *style, 40_000, i as u64)).unwrap();
            let ok = allowed(comp.key);
            for n in comp.pitched_notes() {
                assert!(
                    ok.contains(&(n.key % 12)),
                    "{style:?} {mood:?} {} note {} out of key",
                    comp.key,
                    n.key
                );
            }
        }
    }
}

#[test]
fn key_and_mode_follow_the_brief() {
    let mut b = brief(NamedMood::Happy, Style::Pop, 30_000, 3);
    b.key = Some(Key::parse("D minor").unwrap());
    let comp = compose(&b).unwrap();
    assert_eq!(comp.key.to_string(), "D minor");
    // The piece ends on the tonic in bass and melody.
    let bass = comp.part(PartRole::Bass).unwrap().notes.last().unwrap();
    assert_eq!(bass.key % 12, 2);
    let melody = comp.part(PartRole::Melody).unwrap().notes.last().unwrap();
    assert_eq!(melody.key % 12, 2);
    assert!((melody.start_ms - comp.final_chord_ms).abs() < 1e-6);
    // Sad without a key gives minor; happy gives major.
    assert_eq!(
        compose(&brief(NamedMood::Sad, Style::Piano, 20_000, 1))
            .unwrap()
            .key
            .mode,
        Mode::Minor
    );
    assert_eq!(
        compose(&brief(NamedMood::Happy, Style::Piano, 20_000, 1))
            .unwrap()
            .key
            .mode,
        Mode::Major
    );
}

#[test]
fn melody_moves_mostly_by_step() {
    for seed in 0..5 {
        let comp = compose(&brief(NamedMood::Calm, Style::Piano, 60_000, seed)).unwrap();
        let notes = &comp.part(PartRole::Melody).unwrap().notes;
        let intervals: Vec<i32> = notes
            .windows(2)
            .map(|w| (i32::from(w[1].key) - i32::from(w[0].key)).abs())
            .collect();
        let steps = intervals.iter().filter(|i| **i <= 2).count();
        let leaps = intervals.iter().filter(|i| **i > 7).count();
        assert!(
            steps as f64 / intervals.len() as f64 >= 0.5,
            "seed {seed}: {intervals:?}"
        );
        assert!(
            leaps as f64 / (intervals.len() as f64) < 0.1,
            "seed {seed}: {intervals:?}"
        );
        let lo = notes.iter().map(|n| n.key).min().unwrap();
        let hi = notes.iter().map(|n| n.key).max().unwrap();
        assert!(hi - lo <= 21, "range {lo}..{hi}");
    }
}

#[test]
fn same_seed_same_notes_different_seed_different_notes() {
    let a = compose(&brief(NamedMood::Upbeat, Style::Pop, 30_000, 7)).unwrap();
    let b = compose(&brief(NamedMood::Upbeat, Style::Pop, 30_000, 7)).unwrap();
    let c = compose(&brief(NamedMood::Upbeat, Style::Pop, 30_000, 8)).unwrap();
    assert_eq!(a, b);
    assert_ne!(a.part(PartRole::Melody), c.part(PartRole::Melody));
}

#[test]
fn sections_cover_the_piece_and_end_on_the_tonic() {
    for ms in [1_000, 5_000, 12_345, 60_500, 600_000] {
        let comp = compose(&brief(NamedMood::Epic, Style::Cinematic, ms, 1)).unwrap();
        let first = comp.sections.first().unwrap();
        let last = comp.sections.last().unwrap();
        assert!(first.start_ms.abs() < 1e-9);
        assert!((last.end_ms - ms as f64).abs() < 1e-9);
        assert_eq!(last.kind, SectionKind::Outro);
        assert_eq!(
            last.chords.last().unwrap().degree,
            0,
            "final chord is the tonic"
        );
        for w in comp.sections.windows(2) {
            assert!((w[0].end_ms - w[1].start_ms).abs() < 1e-6);
        }
        for part in &comp.parts {
            for n in &part.notes {
                assert!(n.end_ms <= ms as f64 && n.start_ms >= 0.0 && n.end_ms > n.start_ms);
            }
        }
        if comp.bars >= 2 {
            // Authentic cadence: the bar before the final chord is the dominant.
            let outro = comp.sections.last().unwrap();
            let penultimate = &outro.chords[outro.chords.len() - 2];
            assert_eq!(penultimate.degree, 4, "{:?}", outro.chords);
        }
        if ms >= 60_000 {
            let kinds: Vec<SectionKind> = comp.sections.iter().map(|s| s.kind).collect();
            assert!(
                kinds.contains(&SectionKind::Intro) && kinds.contains(&SectionKind::A),
                "{kinds:?}"
            );
        }
        if ms >= 600_000 {
            assert!(comp.sections.iter().any(|s| s.kind == SectionKind::B));
        }
    }
}

#[test]
fn evenly_spaced_accents_hit_beats() {
    for (seed, spacing) in [(1, 2_000u64), (2, 3_300), (3, 2_750)] {
        let mut b = brief(NamedMood::Energetic, Style::Electronic, 45_000, seed);
        b.accents_ms = (0..14)
            .map(|i| 1_100 + i * spacing)
            .filter(|a| *a < 45_000)
            .collect();
        let comp = compose(&b).unwrap();
        assert!(
            comp.accents.hit_ratio >= 0.8,
            "spacing {spacing}: {:?}",
            comp.accents
        );
        let beats = comp.beat_times_ms();
        for a in &comp.accents.accents_ms {
            let nearest = beats.iter().map(|t| (t - a).abs()).fold(f64::MAX, f64::min);
            assert!(nearest <= 50.0, "accent {a} is {nearest} ms from a beat");
        }
    }
}

#[test]
fn fixed_tempo_is_respected() {
    let mut b = brief(NamedMood::Calm, Style::LoFi, 20_000, 1);
    b.tempo = TempoSpec::Bpm(84.0);
    let comp = compose(&b).unwrap();
    assert!((comp.bpm() - 84.0).abs() < 0.01);
}

#[test]
fn out_of_range_durations_are_rejected() {
    assert!(matches!(
        compose(&brief(NamedMood::Calm, Style::Piano, 10, 1)),
        Err(MusicError::InvalidDuration { .. })
    ));
}

#[test]
fn drums_follow_arousal() {
    let calm = compose(&brief(NamedMood::Calm, Style::Pop, 30_000, 1)).unwrap();
    let energetic = compose(&brief(NamedMood::Energetic, Style::Pop, 30_000, 1)).unwrap();
    let count = |c: &Composition| {
        c.part(PartRole::Drums).map_or(0, |p| p.notes.len()) as f64 / c.duration_ms() as f64
    };
    assert!(count(&energetic) > count(&calm) * 1.3);
    assert!(
        compose(&brief(NamedMood::Energetic, Style::Piano, 30_000, 1))
            .unwrap()
            .part(PartRole::Drums)
            .is_none()
    );
}
