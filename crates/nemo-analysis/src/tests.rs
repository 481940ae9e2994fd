//! Unit tests over synthetic frames and PCM.

use crate::*;

const W: u32 = 32;
const H: u32 = 18;

fn flat(r: u8, g: u8, b: u8) -> Vec<u8> {
    [r, g, b].repeat((W * H) as usize)
}

/// A horizontal luma gradient scaled by `gain` and shifted right by `shift` pixels.
fn pattern(gain: f32, shift: usize) -> Vec<u8> {
    let mut rgb = Vec::with_capacity((W * H * 3) as usize);
    for _y in 0..H {
        for x in 0..W as usize {
            let v = (((x + shift) * 255 / (W as usize * 2)) as f32 * gain) as u8;
            rgb.extend_from_slice(&[v, v / 2, 255 - v]);
        }
    }
    rgb
}

fn run(frames: &[Vec<u8>], fps: f64) -> VisualSummary {
    let mut analyzer = VisualAnalyzer::new(fps);
    for (i, frame) in frames.iter().enumerate() {
        analyzer.push_frame((i as f64 * 1000.0 / fps).round() as u64, W, H, frame);
    }
    analyzer.finish()
}

#[test]
fn hard_cut_is_reported_at_the_first_new_frame() {
    let mut frames: Vec<Vec<u8>> = (0..20).map(|i| pattern(1.0, i % 3)).collect();
    frames.extend((0..20).map(|_| flat(250, 120, 10)));
    let summary = run(&frames, 10.0);
    assert_eq!(summary.cuts.len(), 1, "{:?}", summary.cuts);
    assert_eq!(summary.cuts[0].time_ms, 2000);
    assert!(summary.cuts[0].strength > 0.5);
}

/// `frames` as a decoder that skips unreferenced B-frames delivers them: each slot where
/// `skipped` holds repeats the frame before it.
fn with_skipped(frames: &[Vec<u8>], skipped: impl Fn(usize) -> bool) -> Vec<Vec<u8>> {
    let mut delivered: Vec<Vec<u8>> = Vec::with_capacity(frames.len());
    for (i, frame) in frames.iter().enumerate() {
        let frame = match delivered.last() {
            Some(last) if skipped(i) => last.clone(),
            _ => frame.clone(),
        };
        delivered.push(frame);
    }
    delivered
}

#[test]
fn cuts_between_decoded_frames_are_placed_within_one_frame() {
    // Two moving shots (no frame repeats by itself), cut at every position relative to runs of
    // one or two skipped frames, as B-pyramids and two-B patterns skip them.
    for skip_run in [1_usize, 2] {
        for cut in 20..=20 + skip_run {
            let frames: Vec<Vec<u8>> = (0..40)
                .map(|i| {
                    if i < cut {
                        pattern(1.0, i % 5)
                    } else {
                        flat(250, 120, 10 + (i % 4) as u8)
                    }
                })
                .collect();
            let delivered = with_skipped(&frames, |i| i % (skip_run + 1) != 0);
            let summary = run(&delivered, 30.0);
            assert_eq!(
                summary.cuts.len(),
                1,
                "{skip_run} {cut}: {:?}",
                summary.cuts
            );
            let found = (summary.cuts[0].time_ms as f64 * 30.0 / 1000.0).round() as i64;
            assert!(
                (found - cut as i64).abs() <= 1,
                "run {skip_run}, cut at frame {cut}, found at {found}"
            );
            assert!(summary.transitions.is_empty(), "{:?}", summary.transitions);
        }
    }
}

#[test]
fn still_pictures_between_cuts_keep_every_cut_exact() {
    // A slideshow: every frame of a slide is identical, which is not a run of skipped frames.
    let slides = [pattern(1.0, 0), flat(250, 120, 10), pattern(0.5, 3)];
    let frames: Vec<Vec<u8>> = slides
        .iter()
        .flat_map(|slide| std::iter::repeat_n(slide.clone(), 15))
        .collect();
    let summary = run(&frames, 30.0);
    let cuts: Vec<u64> = summary.cuts.iter().map(|c| c.time_ms).collect();
    assert_eq!(cuts, vec![500, 1000]);
    assert!(summary.transitions.is_empty(), "{:?}", summary.transitions);
}

#[test]
fn a_gap_is_neither_a_cut_nor_motion_but_cuts_inside_bursts_count() {
    // Sampled decoding: bursts of three frames 2 s apart, alternating between two unrelated
    // pictures, each burst moving a little. Without `gap` every jump would be a cut.
    let mut analyzer = VisualAnalyzer::new(10.0);
    for burst in 0..8_u64 {
        if burst > 0 {
            analyzer.gap();
        }
        for i in 0..3_u64 {
            let frame = if burst % 2 == 0 {
                pattern(1.0, i as usize)
            } else {
                flat(250, 120, 10)
            };
            analyzer.push_frame(burst * 2000 + i * 100, W, H, &frame);
        }
    }
    let summary = analyzer.finish();
    assert!(summary.cuts.is_empty(), "{:?}", summary.cuts);
    // The first frame of each burst takes the motion measured right after it.
    let still = &summary.frames[3..6];
    assert!(still.iter().all(|f| f.motion.abs() < 1e-9), "{still:?}");
    let panning = &summary.frames[6..9];
    assert!(panning[0].motion > 0.0, "{panning:?}");
    assert!(
        (panning[0].motion - panning[1].motion).abs() < 1e-9,
        "{panning:?}"
    );

    // A hard cut inside a burst is still found.
    let mut analyzer = VisualAnalyzer::new(10.0);
    for t in 0..10_u64 {
        analyzer.push_frame(t * 100, W, H, &pattern(1.0, (t % 3) as usize));
    }
    analyzer.gap();
    for t in 0..10_u64 {
        let frame = if t < 5 {
            pattern(1.0, (t % 3) as usize)
        } else {
            flat(250, 120, 10)
        };
        analyzer.push_frame(5000 + t * 100, W, H, &frame);
    }
    let cuts = analyzer.finish().cuts;
    assert_eq!(cuts.len(), 1, "{cuts:?}");
    assert_eq!(cuts[0].time_ms, 5500);
}

#[test]
fn brightness_ramp_and_slow_shift_are_not_cuts() {
    let ramp: Vec<Vec<u8>> = (0..60).map(|i| pattern(1.0 - i as f32 / 60.0, 0)).collect();
    assert!(run(&ramp, 30.0).cuts.is_empty());
    let pan: Vec<Vec<u8>> = (0..60).map(|i| pattern(1.0, i / 4)).collect();
    assert!(run(&pan, 30.0).cuts.is_empty());
}

#[test]
fn frame_features_measure_colour_and_motion() {
    let summary = run(
        &[flat(255, 128, 0), flat(255, 128, 0), flat(0, 0, 255)],
        10.0,
    );
    let warm = summary.frames[0];
    assert!(warm.warmth > 0.9 && warm.saturation > 0.99 && warm.contrast < 0.01);
    assert!((warm.brightness - (0.2126 + 0.7152 * 128.0 / 255.0)).abs() < 0.01);
    assert!(summary.frames[2].warmth < -0.9);
    assert!(summary.frames[1].motion < 0.001 && summary.frames[2].motion > 0.2);
    let wrong_size = {
        let mut analyzer = VisualAnalyzer::new(10.0);
        analyzer.push_frame(0, W, H, &[0, 0, 0]);
        analyzer.finish()
    };
    assert!(wrong_size.frames.is_empty());
}

fn features(
    brightness: f64,
    warmth: f64,
    saturation: f64,
    motion: f64,
    cuts_per_minute: f64,
) -> MoodFeatures {
    MoodFeatures {
        brightness,
        warmth,
        saturation,
        contrast: 0.2,
        motion,
        cuts_per_minute,
    }
}

#[test]
fn mood_table_orders_valence_and_arousal() {
    let base = features(0.45, 0.0, 0.3, 0.03, 12.0);
    let neutral = mood_from_features(&base);
    assert!(neutral.valence.abs() < 1e-9 && neutral.arousal.abs() < 1e-9);
    for brighter in [
        MoodFeatures {
            brightness: 0.7,
            ..base
        },
        MoodFeatures {
            warmth: 0.1,
            ..base
        },
        MoodFeatures {
            saturation: 0.6,
            ..base
        },
    ] {
        assert!(
            mood_from_features(&brighter).valence > neutral.valence,
            "{brighter:?}"
        );
    }
    for livelier in [
        MoodFeatures {
            motion: 0.07,
            ..base
        },
        MoodFeatures {
            cuts_per_minute: 30.0,
            ..base
        },
    ] {
        let mood = mood_from_features(&livelier);
        assert!(mood.arousal > neutral.arousal, "{livelier:?}");
        assert!(suggest_music(&mood).tempo_bpm > suggest_music(&neutral).tempo_bpm);
    }
    let extreme = mood_from_features(&features(1.0, 1.0, 1.0, 1.0, 600.0));
    assert!(extreme.valence <= 1.0 && extreme.arousal <= 1.0);
    let total_valence: f64 = MOOD_TABLE.iter().map(|r| r.valence).sum();
    assert!(
        (total_valence - 1.0).abs() < 1e-9,
        "valence weights sum to 1"
    );
}

#[test]
fn music_suggestion_follows_the_quadrant() {
    let upbeat = suggest_music(&Mood::new(0.7, 0.6));
    assert_eq!(
        (upbeat.mood.as_str(), upbeat.tempo_bpm, upbeat.key.as_str()),
        ("upbeat", 119, "C major")
    );
    let sad = suggest_music(&Mood::new(-0.7, -0.5));
    assert_eq!(
        (sad.mood.as_str(), sad.tempo_bpm, sad.key.as_str()),
        ("sad", 75, "A minor")
    );
    assert_eq!(suggest_music(&Mood::new(-0.5, 0.7)).key, "D minor");
    assert_eq!(suggest_music(&Mood::new(0.4, -0.6)).key, "F major");
}

#[test]
fn nudges_move_the_mood_in_the_asked_direction() {
    let start = Mood::new(0.2, 0.4);
    let calmer = apply_nudge(&start, parse_nudge("upbeat music but calmer"));
    assert!(calmer.arousal < start.arousal && (calmer.valence - start.valence).abs() < 1e-9);
    let cheerful = apply_nudge(&start, parse_nudge("更欢快一点"));
    assert!(cheerful.valence > start.valence && cheerful.arousal >= start.arousal);
    let slower_zh = parse_nudge("节奏慢一点");
    assert!(slower_zh.arousal < 0.0);
    let sadder = parse_nudge("make it darker");
    assert!(sadder.valence < 0.0);
    assert!(parse_nudge("much calmer").arousal < parse_nudge("calmer").arousal);
    assert!(parse_nudge("a bit calmer").arousal > parse_nudge("calmer").arousal);
    assert_eq!(parse_nudge("add a title please"), MoodNudge::default());
    let clamped = apply_nudge(&Mood::new(0.9, -0.9), parse_nudge("much calmer"));
    assert!((clamped.arousal + 1.0).abs() < 1e-9);
    assert_eq!(
        calmer.label,
        Mood::new(calmer.valence, calmer.arousal).label
    );
}

#[test]
fn silence_and_tones_have_no_speech() {
    let silence = vec![0_i16; 16_000 * 2];
    let summary = analyze_audio(&silence, &VadConfig::default());
    assert!(summary.speech.is_empty());
    assert_eq!(summary.integrated_lufs, None);
    assert!((summary.silence_ratio - 1.0).abs() < 1e-9);
    assert_eq!(
        summary.silences,
        vec![TimeRange {
            start_ms: 0,
            end_ms: 2000
        }]
    );

    // Steady broadband noise (a fan, rain). A pure 440 Hz sine, by contrast, does trip earshot.
    let mut state = 0x2545_f491_u32;
    let tone: Vec<i16> = (0..16_000 * 2)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            ((state >> 16) as i16) / 4
        })
        .collect();
    let summary = analyze_audio(&tone, &VadConfig::default());
    assert!(summary.speech.is_empty(), "{:?}", summary.speech);
    let lufs = summary.integrated_lufs.unwrap();
    assert!((-20.0..-5.0).contains(&lufs), "{lufs}");
    assert!(summary.silences.is_empty());
    assert_eq!(vad_scores(&tone).len(), 125);
}

#[test]
fn profile_summary_reads_like_a_sentence() {
    let mut builder = ProfileBuilder::new(10.0);
    for i in 0..40 {
        let frame = if i < 20 {
            flat(250, 200, 60)
        } else {
            flat(240, 90, 20)
        };
        builder.push_frame(i * 100, W, H, &frame);
    }
    let profile = builder.finish(4000, None);
    assert_eq!(profile.cuts.len(), 1);
    assert_eq!(profile.energy.len(), 8);
    let summary = profile.summary();
    assert!(
        summary.starts_with("bright, warm, colourful, still, 1 cut, no audio -> "),
        "{summary}"
    );
    assert!(
        summary.ends_with(&format!(
            "{} BPM, {}",
            profile.music.tempo_bpm, profile.music.key
        )),
        "{summary}"
    );
    assert_eq!(clock(754_000), "12:34");
    assert_eq!(clock(12_400), "0:12");
}

#[test]
fn combined_profiles_keep_speech_and_audio() {
    let mut with_audio = ProfileBuilder::new(10.0);
    let mut silent_video = ProfileBuilder::new(10.0);
    for i in 0..20 {
        with_audio.push_frame(i * 100, W, H, &flat(200, 100, 50));
        silent_video.push_frame(i * 100, W, H, &flat(20, 30, 90));
    }
    let noise = vec![0_i16; 32_000];
    let mut first = with_audio.finish(2000, Some(&noise));
    first.speech = vec![TimeRange {
        start_ms: 500,
        end_ms: 1500,
    }];
    if let Some(audio) = first.audio.as_mut() {
        audio.speech.clone_from(&first.speech);
    }
    let second = silent_video.finish(2000, None);
    let combined = combine(&[second.clone(), first.clone()]).unwrap();
    assert_eq!(combined.duration_ms, 4000);
    assert_eq!(
        combined.cuts.iter().map(|c| c.time_ms).collect::<Vec<_>>(),
        vec![2000]
    );
    assert_eq!(
        combined.speech,
        vec![TimeRange {
            start_ms: 2500,
            end_ms: 3500
        }]
    );
    let audio = combined.audio.as_ref().unwrap();
    assert_eq!(audio.speech, combined.speech);
    assert!((audio.silence_ratio - 1.0).abs() < 1e-9);
    assert!(
        combined.summary().contains("speech 0:03-0:04"),
        "{}",
        combined.summary()
    );
    assert!(combine(&[]).is_none());
    assert_eq!(combine(std::slice::from_ref(&first)).unwrap(), first);
}
