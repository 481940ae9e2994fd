//! Unit tests of the fitting steps over hand-built profiles.

use nemo_analysis::{Cut, EnergyPoint, ProfileBuilder, TimeRange, VideoProfile};

use super::*;

fn profile(duration_ms: u64, cuts: &[(u64, f32)], speech: &[(u64, u64)]) -> VideoProfile {
    let mut p = ProfileBuilder::new(10.0).finish(duration_ms, None);
    p.duration_ms = duration_ms;
    p.cuts = cuts
        .iter()
        .map(|&(time_ms, strength)| Cut { time_ms, strength })
        .collect();
    p.speech = speech
        .iter()
        .map(|&(start_ms, end_ms)| TimeRange { start_ms, end_ms })
        .collect();
    p.energy = (0..duration_ms / 500)
        .map(|k| EnergyPoint {
            time_ms: k * 500,
            energy: 0.5,
        })
        .collect();
    p
}

#[test]
fn trimming_keeps_only_the_played_window_shifted_to_zero() {
    let p = profile(
        10_000,
        &[(2000, 0.9), (5000, 0.8), (9000, 0.7)],
        &[(1500, 3500), (8000, 9500)],
    );
    let t = trim_profile(&p, 3000, 5500);
    assert_eq!(t.duration_ms, 5500);
    assert_eq!(
        t.cuts.iter().map(|c| c.time_ms).collect::<Vec<_>>(),
        vec![2000]
    );
    assert_eq!(
        t.speech,
        vec![
            TimeRange {
                start_ms: 0,
                end_ms: 500
            },
            TimeRange {
                start_ms: 5000,
                end_ms: 5500
            }
        ]
    );
    assert!(t.energy.iter().all(|e| e.time_ms < 5500));
    assert_eq!(t.energy.first().map(|e| e.time_ms), Some(0));
}

#[test]
fn timeline_profile_follows_order_and_trims() {
    let a = profile(6000, &[(3000, 0.9)], &[(1000, 2000)]);
    let b = profile(4000, &[], &[(500, 1500)]);
    let seq = timeline_profile(&[
        TimelineClip {
            profile: b.clone(),
            in_ms: 0,
            duration_ms: 4000,
        },
        TimelineClip {
            profile: a,
            in_ms: 2000,
            duration_ms: 3000,
        },
    ])
    .unwrap();
    assert_eq!(seq.duration_ms, 7000);
    // The boundary at 4 s, then a's cut at 3 s -> 1 s into its trimmed part -> 5 s.
    assert_eq!(
        seq.cuts.iter().map(|c| c.time_ms).collect::<Vec<_>>(),
        vec![4000, 5000]
    );
    assert_eq!(
        seq.speech,
        vec![TimeRange {
            start_ms: 500,
            end_ms: 1500
        }]
    );
    assert!(timeline_profile(&[]).is_none());
}

#[test]
fn words_nudge_the_mood() {
    let p = profile(10_000, &[], &[]);
    let base = fitted_mood(&p, None);
    let calmer = fitted_mood(&p, Some("add music that matches my video but calmer"));
    let livelier = fitted_mood(&p, Some("配一段更欢快一点的音乐"));
    assert!(
        calmer.arousal < base.arousal - 0.2,
        "{calmer:?} vs {base:?}"
    );
    assert!(livelier.valence > base.valence, "{livelier:?} vs {base:?}");
    assert_eq!(fitted_mood(&p, Some("add background music")), base);
}

#[test]
fn accents_are_sorted_cuts_away_from_the_edges() {
    let p = profile(
        10_000,
        &[
            (6000, 0.4),
            (100, 0.9),
            (2000, 0.9),
            (9900, 0.9),
            (2000, 0.3),
        ],
        &[],
    );
    assert_eq!(cut_accents(&p), vec![2000, 6000]);
}

#[test]
fn big_cuts_are_strong_spaced_and_inside() {
    let p = profile(
        30_000,
        &[
            (1000, 1.0),
            (5000, 0.6),
            (6000, 0.9),
            (12_000, 0.3),
            (15_000, 0.8),
            (29_000, 1.0),
        ],
        &[],
    );
    // 1 s and 29 s are too near the edges, 5 s loses to the stronger 6 s, 12 s is weak.
    assert_eq!(big_cuts(&p), vec![6000, 15_000]);
}

#[test]
fn section_offset_measures_distance_to_the_nearest_change() {
    let brief = MusicBrief::new(nemo_music::Mood::default(), 40_000);
    let comp = nemo_music::compose(&brief).unwrap();
    assert!(comp.sections.len() >= 3);
    let change = comp.sections[1].start_ms;
    let offset = section_offset_ms(&comp.sections, &[change.round() as u64]);
    assert!(offset <= 0.5, "{offset}");
    assert!((section_offset_ms(&comp.sections, &[]) - 0.0).abs() < f64::EPSILON);
}

#[test]
fn chosen_composition_places_sections_no_worse_than_the_first_seed() {
    let mut brief = MusicBrief::new(nemo_music::Mood::default(), 45_000);
    brief.seed = 11;
    let cuts = [13_000, 27_000];
    let first = nemo_music::compose(&brief).unwrap();
    let first_offset = section_offset_ms(&first.sections, &cuts);
    let (chosen, comp, offset) = choose_composition(&brief, &cuts).unwrap();
    assert!(offset <= first_offset, "{offset} > {first_offset}");
    assert!((section_offset_ms(&comp.sections, &cuts) - offset).abs() < 1e-9);
    assert_eq!(comp.duration_ms(), 45_000);
    // Same brief, same choice.
    let (again, _, _) = choose_composition(&brief, &cuts).unwrap();
    assert_eq!(again.seed, chosen.seed);
    // No big cuts: the brief's own seed.
    assert_eq!(choose_composition(&brief, &[]).unwrap().0.seed, 11);
}

#[test]
fn energy_envelope_is_quieter_where_the_picture_calms() {
    let mut energy = Vec::new();
    for k in 0..40_u64 {
        let e = if (10..30).contains(&k) { 0.05 } else { 0.8 };
        energy.push(EnergyPoint {
            time_ms: k * 500,
            energy: e,
        });
    }
    let rate = 1000; // one frame per ms keeps the test small
    let curve = energy_gain_curve(&energy, 20_000, rate);
    assert_eq!(curve.len(), 20_000);
    let busy = f64::from(curve[1000]);
    let calm = f64::from(curve[10_000]);
    assert!((nemo_mix::gain_to_db(busy)).abs() < 0.5, "busy {busy}");
    assert!(
        (nemo_mix::gain_to_db(calm) - MAX_ENERGY_CUT_DB).abs() < 0.5,
        "calm {calm}"
    );
    let max_step = curve
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0_f32, f32::max);
    assert!(max_step < 0.01, "step {max_step}");
}

#[test]
fn flat_or_missing_energy_leaves_the_music_alone() {
    let flat: Vec<EnergyPoint> = (0..10)
        .map(|k| EnergyPoint {
            time_ms: k * 500,
            energy: 0.3,
        })
        .collect();
    assert!(
        energy_gain_curve(&flat, 500, 100)
            .iter()
            .all(|g| (*g - 1.0).abs() < 1e-6)
    );
    assert!(
        energy_gain_curve(&[], 500, 100)
            .iter()
            .all(|g| (*g - 1.0).abs() < 1e-6)
    );
}

#[test]
fn fades_fit_the_video() {
    assert_eq!(edge_fades(60_000), (1000, 2000));
    assert_eq!(edge_fades(4000), (1000, 1000));
    assert_eq!(edge_fades(0), (0, 0));
}

#[test]
fn plan_and_brief_carry_length_mood_accents_and_speech() {
    let p = profile(12_345, &[(3000, 0.9), (7000, 0.9)], &[(4000, 6000)]);
    let plan = fit_plan(&p, Some("but calmer"));
    assert_eq!(plan.duration_ms, 12_345);
    assert_eq!(plan.accents_ms, vec![3000, 7000]);
    assert_eq!(plan.speech, p.speech);
    assert!(plan.arousal < p.mood.arousal);
    let brief = fit_brief(&plan, None, 5);
    assert_eq!(brief.duration_ms, 12_345);
    assert_eq!(brief.accents_ms, vec![3000, 7000]);
    assert_eq!(brief.seed, 5);
    assert!(matches!(
        brief.mood,
        nemo_music::Mood::ValenceArousal { .. }
    ));
    assert!(matches!(brief.tempo, nemo_music::TempoSpec::Range { min, max } if max / min > 1.6));
    let mut no_cuts = plan.clone();
    no_cuts.accents_ms.clear();
    assert_eq!(
        fit_brief(&no_cuts, None, 5).tempo,
        nemo_music::TempoSpec::Auto
    );
    let named = fit_brief(&plan, Some(nemo_music::NamedMood::Happy), 5);
    assert_eq!(
        named.mood,
        nemo_music::Mood::Named(nemo_music::NamedMood::Happy)
    );
}
