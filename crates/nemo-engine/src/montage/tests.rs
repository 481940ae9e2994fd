//! Planner unit tests: stretch selection, ordering, beat snapping, exact totals, draft and
//! segment conversion. Pure logic, no media.

use std::path::PathBuf;

use nemo_media::{MediaInfo, VideoStream};
use nemo_protocol::TrackType;

use super::*;

/// A clip of `seconds` whose quality windows come from `score_at(window index)`:
/// (brightness, contrast, edges, motion).
fn clip(seconds: f64, look: impl Fn(usize) -> (f64, f64, f64, f64)) -> SourceSummary {
    let duration_ms = (seconds * 1000.0) as u64;
    let windows = (0..duration_ms.div_ceil(WINDOW_MS) as usize)
        .map(|k| {
            let (brightness, contrast, edges, motion) = look(k);
            QualityWindow {
                start_ms: k as u64 * WINDOW_MS,
                brightness,
                contrast,
                edges,
                motion,
            }
        })
        .collect();
    SourceSummary {
        duration_ms,
        is_image: false,
        windows,
        cuts_ms: Vec::new(),
        keyframes_ms: Vec::new(),
    }
}

fn plain(seconds: f64) -> SourceSummary {
    clip(seconds, |_| (0.5, 0.2, 0.06, 0.02))
}

fn still() -> SourceSummary {
    SourceSummary {
        is_image: true,
        ..SourceSummary::default()
    }
}

/// A regular grid: `bpm`, first downbeat at `first_ms`, 4/4.
fn grid(bpm: f64, first_ms: f64, total_ms: f64) -> BeatTimes {
    let beat = 60_000.0 / bpm;
    let mut beats_ms = Vec::new();
    let mut downbeats_ms = Vec::new();
    let mut k = 0;
    loop {
        let t = first_ms + f64::from(k) * beat;
        if t >= total_ms {
            break;
        }
        beats_ms.push(t);
        if k % 4 == 0 {
            downbeats_ms.push(t);
        }
        k += 1;
    }
    BeatTimes {
        beats_ms,
        downbeats_ms,
    }
}

#[test]
fn window_scores_reject_black_and_prefer_detail_and_motion() {
    let black = QualityWindow {
        brightness: 0.02,
        contrast: 0.01,
        ..QualityWindow::default()
    };
    assert!(black.is_black());
    assert!(black.score() < 0.0);
    let detailed = QualityWindow {
        brightness: 0.5,
        contrast: 0.2,
        edges: 0.08,
        motion: 0.03,
        ..QualityWindow::default()
    };
    let frozen = QualityWindow {
        motion: 0.0,
        ..detailed
    };
    let blurry = QualityWindow {
        edges: 0.01,
        ..detailed
    };
    let shaky = QualityWindow {
        motion: 0.4,
        ..detailed
    };
    assert!(frozen.is_frozen());
    assert!(detailed.score() > frozen.score());
    assert!(detailed.score() > blurry.score());
    assert!(detailed.score() > shaky.score());
    assert!((detailed.energy() - 0.6).abs() < 1e-9);
}

#[test]
fn best_stretch_avoids_black_frozen_and_internal_cuts() {
    // 10 s: black for the first 3 s, frozen 3-6 s, good 6-10 s.
    let source = clip(10.0, |k| match k {
        0..=5 => (0.02, 0.01, 0.0, 0.0),
        6..=11 => (0.5, 0.2, 0.06, 0.0),
        _ => (0.5, 0.2, 0.06, 0.03),
    });
    let stretch = best_stretch(&source, (0, 10_000), 60, 0, 30).unwrap();
    assert!(stretch.in_frame >= 180, "{stretch:?}");
    assert!(stretch.in_frame + 60 <= 300);
    assert!(stretch.score > 0.4, "{stretch:?}");

    // Uniform picture with a hard cut at 5 s: a 2 s shot does not straddle it.
    let mut cut = plain(10.0);
    cut.cuts_ms = vec![5_000];
    let stretch = best_stretch(&cut, (3_000, 8_000), 60, 0, 30).unwrap();
    let (a, b) = (
        stretch.in_frame * 1000 / 30,
        (stretch.in_frame + 60) * 1000 / 30,
    );
    assert!(
        !(a + 300 < 5_000 && 5_000 + 300 < b),
        "{a}..{b} straddles the cut"
    );
}

#[test]
fn best_stretch_keeps_crossfade_handles_inside_the_clip() {
    let source = plain(3.0);
    let stretch = best_stretch(&source, (0, 3_000), 60, 6, 30).unwrap();
    assert!(stretch.in_frame >= 6);
    assert!(stretch.in_frame + 60 + 6 <= 90);
}

#[test]
fn layout_shares_the_target_and_orders_by_user() {
    let sources = vec![
        plain(20.0),
        plain(20.0),
        plain(20.0),
        plain(20.0),
        plain(20.0),
    ];
    let options = MontageOptions::new(60_000);
    let layout = layout(&sources, &options).unwrap();
    assert_eq!(layout.total_frames, 1800);
    assert_eq!(layout.slots.len(), 15, "3 shots of 4 s per 20 s clip");
    let order: Vec<usize> = layout.slots.iter().map(|s| s.source).collect();
    assert_eq!(order, vec![0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
    // Within a clip, zones are chronological.
    assert!(layout.slots[0].zone_ms.0 < layout.slots[1].zone_ms.0);
    assert_eq!(layout.ideal_cuts.len(), 14);
    assert_eq!(layout.ideal_cuts[0], 120);
    assert!(layout.ideal_cuts.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn too_many_clips_for_a_short_target_drop_the_last_ones() {
    let sources: Vec<_> = (0..10).map(|_| plain(5.0)).collect();
    let layout = layout(&sources, &MontageOptions::new(3_000)).unwrap();
    // 0.6 s minimum shot: five fit in 3 s.
    assert_eq!(layout.slots.len(), 5);
    assert_eq!(layout.dropped, vec![5, 6, 7, 8, 9]);
}

#[test]
fn unusable_inputs_are_errors() {
    assert_eq!(
        layout(&[], &MontageOptions::new(5_000)),
        Err(PlanError::NoSources)
    );
    let black = clip(4.0, |_| (0.0, 0.0, 0.0, 0.0));
    assert_eq!(
        layout(&[black], &MontageOptions::new(5_000)),
        Err(PlanError::NothingUsable)
    );
    assert!(matches!(
        layout(&[plain(4.0)], &MontageOptions::new(100)),
        Err(PlanError::TooShort { .. })
    ));
}

#[test]
fn energy_arc_builds_to_a_late_peak() {
    let calm = |_: usize| (0.5, 0.2, 0.06, 0.004);
    let busy = |_: usize| (0.5, 0.2, 0.06, 0.05);
    let medium = |_: usize| (0.5, 0.2, 0.06, 0.02);
    let sources = vec![
        clip(4.0, busy),
        clip(4.0, calm),
        clip(4.0, medium),
        clip(4.0, busy),
        clip(4.0, calm),
    ];
    let mut options = MontageOptions::new(10_000);
    options.ordering = ShotOrder::EnergyArc;
    let layout = layout(&sources, &options).unwrap();
    let energies: Vec<f64> = layout.slots.iter().map(|s| s.energy).collect();
    let peak = energies
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| i)
        .unwrap();
    assert!(peak >= 2 && peak < energies.len() - 1, "{energies:?}");
    assert!(energies[0] <= energies[peak]);
    assert!(
        energies[energies.len() - 1] < energies[peak],
        "{energies:?}"
    );
    assert!(energies[0] < 0.2, "opens calm: {energies:?}");
}

#[test]
fn cuts_land_on_beats_and_the_total_is_exact() {
    let sources = vec![
        plain(20.0),
        plain(20.0),
        plain(20.0),
        plain(20.0),
        plain(20.0),
    ];
    let options = MontageOptions::new(60_000);
    let beats = grid(117.0, 180.0, 60_000.0);
    let plan = plan_montage(&sources, &options, &beats).unwrap();
    assert_eq!(plan.total_frames, 1800);
    assert_eq!(plan.shots.iter().map(|s| s.frames).sum::<u64>(), 1800);
    assert_eq!(plan.duration_ms(), 60_000);
    let mut at = 0;
    for shot in &plan.shots {
        assert_eq!(shot.start_frame, at);
        at += shot.frames;
        assert!(shot.frames >= 18, "{shot:?}");
        assert!(
            shot.in_frame + shot.frames <= 600,
            "inside its 20 s clip: {shot:?}"
        );
    }
    for cut in plan.cut_times_ms() {
        let nearest = beats
            .beats_ms
            .iter()
            .map(|b| (b - cut).abs())
            .fold(f64::MAX, f64::min);
        assert!(
            nearest <= 1000.0 / 60.0 + 1e-6,
            "cut {cut} is {nearest} ms off"
        );
    }
    assert!((plan.beat_hit_ratio() - 1.0).abs() < 1e-9);
}

#[test]
fn cuts_prefer_downbeats_when_the_grid_fits_the_shots() {
    // 120 BPM from 0: a bar is 2 s, the ideal 4 s shots end on downbeats.
    let sources = vec![
        plain(20.0),
        plain(20.0),
        plain(20.0),
        plain(20.0),
        plain(20.0),
    ];
    let plan = plan_montage(
        &sources,
        &MontageOptions::new(60_000),
        &grid(120.0, 0.0, 60_000.0),
    )
    .unwrap();
    assert!(
        plan.shots.iter().skip(1).all(|s| s.on_downbeat),
        "{:?}",
        plan.cut_times_ms()
    );
    // With an unrelated tempo, a downbeat still wins over a nearer beat within one beat.
    let plan = plan_montage(
        &sources,
        &MontageOptions::new(60_000),
        &grid(117.0, 180.0, 60_000.0),
    )
    .unwrap();
    let downbeats = plan.shots.iter().skip(1).filter(|s| s.on_downbeat).count();
    assert!(
        downbeats * 3 >= plan.shots.len() - 1,
        "{downbeats} of {}",
        plan.shots.len() - 1
    );
}

#[test]
fn short_clips_and_stills_still_fill_the_target_exactly() {
    let sources = vec![plain(1.0), still(), plain(2.5), plain(0.8)];
    let options = MontageOptions::new(7_000);
    let beats = grid(128.0, 90.0, 7_000.0);
    let plan = plan_montage(&sources, &options, &beats).unwrap();
    assert_eq!(plan.total_frames, 210);
    assert_eq!(plan.shots.iter().map(|s| s.frames).sum::<u64>(), 210);
    for shot in &plan.shots {
        if !sources[shot.source].is_image {
            let available = sources[shot.source].duration_ms * 30 / 1000;
            assert!(shot.frames <= available, "{shot:?} longer than its clip");
        }
    }
    // Every source is used.
    for i in 0..sources.len() {
        assert!(
            plan.shots.iter().any(|s| s.source == i),
            "source {i} unused"
        );
    }
}

#[test]
fn snapping_without_beats_keeps_the_ideal_cuts() {
    let sources = vec![plain(5.0), plain(5.0)];
    let options = MontageOptions::new(6_000);
    let layout = layout(&sources, &options).unwrap();
    let cuts = snap_cuts(&layout, &BeatTimes::default(), 30);
    let frames: Vec<u64> = cuts.iter().map(|c| c.0).collect();
    assert_eq!(frames, layout.ideal_cuts);
    assert!(cuts.iter().all(|c| !c.1));
}

fn render_sources(n: usize) -> Vec<RenderSource> {
    (0..n)
        .map(|i| RenderSource {
            path: PathBuf::from(format!("clip{i}.mp4")),
            info: MediaInfo {
                format_name: "mov,mp4".to_owned(),
                duration_ms: Some(20_000),
                size_bytes: None,
                video: Some(VideoStream {
                    index: 0,
                    codec: "h264".to_owned(),
                    width: 640,
                    height: 360,
                    fps: Some(30.0),
                    pix_fmt: Some("yuv420p".to_owned()),
                    rotation: 0,
                    frame_count: None,
                    b_frames: false,
                }),
                audio: None,
                is_image: false,
            },
        })
        .collect()
}

#[test]
fn crossfades_become_blend_segments_centred_on_the_cuts() {
    let sources = vec![plain(8.0), plain(8.0), plain(8.0)];
    let mut options = MontageOptions::new(9_000);
    options.transition = Transition::Crossfade;
    options.transition_ms = 400;
    options.title = Some("Tokyo 2026".to_owned());
    options.end_card = Some("Thanks".to_owned());
    let beats = grid(120.0, 0.0, 9_000.0);
    let plan = plan_montage(&sources, &options, &beats).unwrap();
    assert_eq!(plan.transition_frames, 12);
    let segments = plan.segment_plan(
        &render_sources(3),
        None,
        nemo_media::render::EncodeSettings::default(),
    );
    assert_eq!(
        segments.total_frames(),
        270,
        "transitions do not change the length"
    );
    let blends: Vec<_> = segments
        .segments
        .iter()
        .filter(|s| {
            matches!(
                s.source,
                nemo_media::segments::SegmentSource::Crossfade { .. }
            )
        })
        .collect();
    assert_eq!(blends.len(), plan.shots.len() - 1);
    assert!(blends.iter().all(|b| b.frames == 12));
    // The blend's outgoing side continues the previous shot past its cut; the incoming side
    // starts half a transition before the next shot's in-point.
    if let nemo_media::segments::SegmentSource::Crossfade { from, to } = &blends[0].source {
        let (
            nemo_media::segments::SegmentSource::Clip { in_ms: from_ms, .. },
            nemo_media::segments::SegmentSource::Clip { in_ms: to_ms, .. },
        ) = (from.as_ref(), to.as_ref())
        else {
            panic!("clips expected");
        };
        let first = &plan.shots[0];
        let second = &plan.shots[1];
        assert!(
            (from_ms - (first.in_frame + first.frames - 6) as f64 * 1000.0 / 30.0).abs() < 1e-6
        );
        assert!((to_ms - (second.in_frame - 6) as f64 * 1000.0 / 30.0).abs() < 1e-6);
    }
    let texts: Vec<_> = segments
        .segments
        .iter()
        .flat_map(|s| s.texts.iter())
        .collect();
    let title_frames: u64 = texts
        .iter()
        .filter(|t| t.text == "Tokyo 2026")
        .map(|t| t.frames)
        .sum();
    let end_frames: u64 = texts
        .iter()
        .filter(|t| t.text == "Thanks")
        .map(|t| t.frames)
        .sum();
    assert_eq!(title_frames, plan.title.as_ref().unwrap().frames);
    assert_eq!(end_frames, 90);
}

#[test]
fn dips_fade_both_sides_of_each_cut() {
    let sources = vec![plain(4.0), plain(4.0)];
    let mut options = MontageOptions::new(5_000);
    options.transition = Transition::Dip;
    let plan = plan_montage(&sources, &options, &grid(100.0, 0.0, 5_000.0)).unwrap();
    let segments = plan.segment_plan(
        &render_sources(2),
        None,
        nemo_media::render::EncodeSettings::default(),
    );
    assert_eq!(segments.segments.len(), 2);
    assert_eq!(segments.segments[0].fade_in_frames, 0);
    assert_eq!(segments.segments[0].fade_out_frames, 6);
    assert_eq!(segments.segments[1].fade_in_frames, 6);
    assert_eq!(segments.segments[1].fade_out_frames, 0);
    assert_eq!(segments.total_frames(), 150);
}

#[test]
fn draft_uses_the_nemo_segment_keys_and_adds_up() {
    let sources = vec![plain(20.0), plain(20.0), plain(20.0)];
    let mut options = MontageOptions::new(10_000);
    options.title = Some("Summer".to_owned());
    options.framing = nemo_media::segments::Framing::BlurPad;
    let beats = grid(110.0, 200.0, 10_000.0);
    let plan = plan_montage(&sources, &options, &beats).unwrap();
    let ids: Vec<String> = (0..3).map(|i| format!("md_{i}")).collect();
    let music = MontageMusic {
        path: PathBuf::from("music.wav"),
        name: "upbeat pop".to_owned(),
        summary: "upbeat pop, C major, 110 BPM".to_owned(),
        bpm: 110.0,
        duration_ms: 10_000,
        beats,
        valence_arousal: (0.6, 0.5),
    };
    let draft = plan.to_draft(&ids, &render_sources(3), Some("md_music"), Some(&music));
    assert_eq!(draft.d, Some(10_000));
    let video = draft
        .t
        .iter()
        .find(|t| t.track_type() == TrackType::Video)
        .unwrap();
    assert_eq!(video.sg.len(), plan.shots.len());
    let mut at = 0;
    for (seg, shot) in video.sg.iter().zip(&plan.shots) {
        assert_eq!(seg.st, Some(at));
        at += seg.d.unwrap();
        assert_eq!(seg.src.as_deref(), Some(ids[shot.source].as_str()));
        assert_eq!(seg.vol, Some(0.0), "original audio muted under the music");
        let m = seg.m.as_ref().unwrap();
        assert_eq!(m["kind"], "video");
        assert_eq!(m["montage"]["framing"], "blur");
    }
    assert_eq!(at, 10_000, "segment lengths add up to the total");
    let audio = draft
        .t
        .iter()
        .find(|t| t.track_type() == TrackType::Audio)
        .unwrap();
    assert_eq!(audio.sg[0].src.as_deref(), Some("md_music"));
    assert_eq!(audio.sg[0].d, Some(10_000));
    assert_eq!(audio.sg[0].m.as_ref().unwrap()["kind"], "music");
    let text = draft
        .t
        .iter()
        .find(|t| t.track_type() == TrackType::Text)
        .unwrap();
    assert_eq!(text.sg[0].tx.as_deref(), Some("Summer"));
    assert_eq!(text.sg[0].st, Some(0));
    // Round-trips through JSON with the short keys.
    let json = serde_json::to_value(&draft).unwrap();
    assert!(json["t"][0]["sg"][0].get("in").is_some());
}

#[test]
fn durations_and_titles_from_prompts() {
    assert_eq!(
        duration_from_text("a 30-second upbeat video for my bakery opening"),
        Some(30_000)
    );
    assert_eq!(
        duration_from_text("生成一个60秒的旅行混剪视频"),
        Some(60_000)
    );
    assert_eq!(duration_from_text("make it 1.5 minutes long"), Some(90_000));
    assert_eq!(duration_from_text("2分钟的视频"), Some(120_000));
    assert_eq!(duration_from_text("45s teaser"), Some(45_000));
    assert_eq!(duration_from_text("a video for my bakery"), None);

    assert_eq!(
        title_from_prompt("a 30-second upbeat video for my bakery opening").as_deref(),
        Some("Bakery Opening")
    );
    assert_eq!(
        title_from_prompt("add a title 'Tokyo 2026' please").as_deref(),
        Some("Tokyo 2026")
    );
    assert_eq!(
        title_from_prompt("生成一个60秒的旅行混剪视频").as_deref(),
        Some("旅行混剪")
    );
    assert_eq!(
        title_from_prompt("做一个「开业大吉」的视频").as_deref(),
        Some("开业大吉")
    );
    assert_eq!(title_from_prompt("something nice"), None);
}

#[test]
fn stretches_start_on_keyframes_when_that_costs_little() {
    let gop = |source: SourceSummary, keyframes: &[u64]| SourceSummary {
        keyframes_ms: keyframes.to_vec(),
        ..source
    };
    // Uniform footage: any start is as good, so a keyframe (2 s GOPs) wins.
    let uniform = gop(plain(20.0), &(0..10).map(|k| k * 2000).collect::<Vec<_>>());
    let stretch = best_stretch(&uniform, (5_000, 15_000), 100, 0, 30).unwrap();
    assert_eq!(stretch.in_frame % 60, 0, "{stretch:?}");
    assert!((150..=350).contains(&stretch.in_frame), "{stretch:?}");
    // Black for the first 2 s: the keyframe at 2 s is as good as the best start.
    let dark_start = |k: usize| {
        if k < 4 {
            (0.01, 0.0, 0.0, 0.0)
        } else {
            (0.5, 0.2, 0.06, 0.02)
        }
    };
    let keyed = gop(clip(20.0, dark_start), &[0, 2000, 4000]);
    let stretch = best_stretch(&keyed, (0, 8_000), 90, 0, 30).unwrap();
    assert!([60, 120].contains(&stretch.in_frame), "{stretch:?}");
    assert!(stretch.score > 0.7, "{stretch:?}");
    // A keyframe only inside the black: never worth starting on black.
    let unkeyed = gop(clip(20.0, dark_start), &[0]);
    let stretch = best_stretch(&unkeyed, (0, 8_000), 90, 0, 30).unwrap();
    assert!(stretch.in_frame >= 60 && stretch.score > 0.3, "{stretch:?}");
    // Without keyframe data the choice is unchanged.
    let plain_choice = best_stretch(&clip(20.0, dark_start), (0, 8_000), 90, 0, 30).unwrap();
    assert_eq!(plain_choice, stretch);
}
