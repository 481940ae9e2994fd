//! Integration tests: analysis of real generated clips (ffmpeg lavfi + espeak-ng) through
//! `nemo_engine::analyze`, against known ground truth.

use std::path::{Path, PathBuf};

use nemo_analysis::{TransitionKind, VideoProfile};
use nemo_engine::analyze::{
    AnalyzeError, AnalyzeOptions, analyze_clip, analyze_clip_with, analyze_clips,
};
use nemo_media::MediaError;
use nemo_media::testing::{self, ClipFormat};

/// One source frame at 30 fps, rounded up.
const ONE_FRAME_MS: i64 = 34;

fn cut_times(profile: &VideoProfile) -> Vec<u64> {
    profile.cuts.iter().map(|c| c.time_ms).collect()
}

async fn analyze(path: &Path) -> VideoProfile {
    analyze_clip(path).await.unwrap()
}

async fn generate<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(work).await.unwrap()
}

/// `SMALL` with `b_frames` unreferenced B-frames between references, which the analysis skips.
fn with_b_frames(b_frames: u32) -> ClipFormat {
    ClipFormat {
        b_frames,
        ..ClipFormat::SMALL
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hard_cuts_are_found_within_one_frame() {
    assert_cuts_within_one_frame(ClipFormat::SMALL).await;
}

// The cuts fall on skipped frames too: at 30 fps, frames 45, 81, 111 and 138.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hard_cuts_are_found_within_one_frame_when_single_b_frames_are_skipped() {
    assert_cuts_within_one_frame(with_b_frames(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hard_cuts_are_found_within_one_frame_when_pairs_of_b_frames_are_skipped() {
    assert_cuts_within_one_frame(with_b_frames(2)).await;
}

async fn assert_cuts_within_one_frame(format: ClipFormat) {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("cuts.mp4");
    let path = clip.clone();
    let segments = [
        ("testsrc2", 1.5),
        ("smptebars", 1.2),
        ("color=c=navy", 1.0),
        ("rgbtestsrc", 0.9),
        ("testsrc2", 1.1),
    ];
    let truth = generate(move || testing::cuts_clip(&path, &segments, format).unwrap()).await;
    assert_eq!(truth, vec![1500, 2700, 3700, 4600]);
    let info = nemo_media::probe(&clip).await.unwrap();
    assert_eq!(info.video.unwrap().b_frames, format.b_frames > 0);
    let profile = analyze(&clip).await;
    let found = cut_times(&profile);
    assert_eq!(found.len(), truth.len(), "found {found:?}, truth {truth:?}");
    for (f, t) in found.iter().zip(&truth) {
        assert!(
            (*f as i64 - *t as i64).abs() <= ONE_FRAME_MS,
            "found {found:?}, truth {truth:?}"
        );
    }
    assert!(profile.transitions.is_empty(), "{:?}", profile.transitions);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_pan_has_no_cuts() {
    let dir = tempfile::tempdir().unwrap();
    let mut motions = Vec::new();
    for b_frames in [0, 2] {
        let clip = dir.path().join(format!("pan-{b_frames}.mp4"));
        let path = clip.clone();
        let format = with_b_frames(b_frames);
        generate(move || testing::pan_clip(&path, 4.0, 60.0, format).unwrap()).await;
        let profile = analyze(&clip).await;
        assert!(profile.cuts.is_empty(), "{b_frames}: {:?}", profile.cuts);
        assert!(profile.features.motion > 0.0);
        motions.push(profile.features.motion);
    }
    // Skipping B-frames must not change how much motion is measured.
    let (all, skipped) = (motions[0], motions[1]);
    assert!((skipped / all - 1.0).abs() < 0.15, "{all} vs {skipped}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fade_through_black_is_a_transition_not_a_cut() {
    let dir = tempfile::tempdir().unwrap();
    for b_frames in [0, 2] {
        let clip = dir.path().join(format!("fade-{b_frames}.mp4"));
        let path = clip.clone();
        let format = with_b_frames(b_frames);
        let black_at = generate(move || {
            testing::fade_clip(&path, ("testsrc2", 2.5), ("smptebars", 2.5), 1.0, format).unwrap()
        })
        .await;
        let profile = analyze(&clip).await;
        assert!(profile.cuts.is_empty(), "{b_frames}: {:?}", profile.cuts);
        let kinds: Vec<TransitionKind> = profile.transitions.iter().map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            vec![TransitionKind::FadeOut, TransitionKind::FadeIn],
            "{b_frames}: {:?}",
            profile.transitions
        );
        let out = profile.transitions[0];
        let fade_in = profile.transitions[1];
        assert!(
            out.end_ms <= black_at + 100 && out.start_ms >= black_at - 1200,
            "{b_frames}: {out:?}"
        );
        assert!(
            fade_in.start_ms + 100 >= black_at && fade_in.end_ms <= black_at + 1200,
            "{b_frames}: {fade_in:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dissolve_is_a_transition_not_a_cut() {
    let dir = tempfile::tempdir().unwrap();
    for b_frames in [0, 2] {
        let clip = dir.path().join(format!("dissolve-{b_frames}.mp4"));
        let path = clip.clone();
        let format = with_b_frames(b_frames);
        let center = generate(move || {
            testing::dissolve_clip(&path, "testsrc2", "color=c=orange", 1.5, 1.0, 1.5, format)
                .unwrap()
        })
        .await;
        let profile = analyze(&clip).await;
        assert!(profile.cuts.is_empty(), "{b_frames}: {:?}", profile.cuts);
        assert_eq!(
            profile.transitions.len(),
            1,
            "{b_frames}: {:?}",
            profile.transitions
        );
        let dissolve = profile.transitions[0];
        assert_eq!(dissolve.kind, TransitionKind::Dissolve);
        assert!(
            (dissolve.center_ms() as i64 - center as i64).abs() <= 300,
            "{b_frames}: {dissolve:?} vs {center}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bright_fast_clip_is_happier_and_more_excited_than_dark_slow_clip() {
    let dir = tempfile::tempdir().unwrap();
    let dark = dir.path().join("dark.mp4");
    let bright = dir.path().join("bright.mp4");
    let (dark_path, bright_path) = (dark.clone(), bright.clone());
    generate(move || {
        // A slow drift across a dim, desaturated, cool pattern.
        testing::ffmpeg_blocking([
            "-f",
            "lavfi",
            "-i",
            "testsrc=s=640x360:r=30:d=6,crop=320:180:x='t*8':y=0,eq=brightness=-0.3:saturation=0.3,colorbalance=bs=0.3:rs=-0.2",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            dark_path.to_str().unwrap(),
        ])
        .unwrap();
        let looks = ["color=c=orange", "testsrc2", "color=c=yellow", "rgbtestsrc", "color=c=red", "testsrc2"];
        let segments: Vec<(&str, f64)> = looks.iter().cycle().take(12).map(|l| (*l, 0.5)).collect();
        testing::cuts_clip(&bright_path, &segments, ClipFormat::SMALL).unwrap();
    })
    .await;
    let profiles = analyze_clips(&[dark, bright]).await.unwrap();
    let (dark, bright) = (&profiles[0], &profiles[1]);
    assert!(
        bright.mood.valence > dark.mood.valence + 0.3,
        "{:?} vs {:?}",
        bright.mood,
        dark.mood
    );
    assert!(
        bright.mood.arousal > dark.mood.arousal + 0.3,
        "{:?} vs {:?}",
        bright.mood,
        dark.mood
    );
    assert!(bright.music.tempo_bpm > dark.music.tempo_bpm + 10);
    assert!(dark.mood.valence < 0.0 && bright.mood.valence > 0.0);
    assert_eq!(bright.cuts.len(), 11);
    assert!(bright.summary().contains("11 cuts"), "{}", bright.summary());
    assert!(dark.summary().starts_with("dark"), "{}", dark.summary());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn speech_regions_match_espeak_phrases_within_150_ms() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("speech.mp4");
    let path = clip.clone();
    let truth = generate(move || {
        let phrases = [
            (1.0, "Hello there, this is the first sentence."),
            (5.5, "And here is another one, a little later."),
        ];
        testing::speech_clip(&path, &phrases, 10.0, ClipFormat::SMALL).unwrap()
    })
    .await;
    let profile = analyze(&clip).await;
    let found: Vec<(u64, u64)> = profile
        .speech
        .iter()
        .map(|r| (r.start_ms, r.end_ms))
        .collect();
    assert_eq!(found.len(), truth.len(), "found {found:?}, truth {truth:?}");
    for ((fs, fe), (ts, te)) in found.iter().zip(&truth) {
        assert!(
            (*fs as i64 - *ts as i64).abs() <= 150,
            "start: found {found:?}, truth {truth:?}"
        );
        assert!(
            (*fe as i64 - *te as i64).abs() <= 150,
            "end: found {found:?}, truth {truth:?}"
        );
    }
    let audio = profile.audio.as_ref().unwrap();
    assert!(audio.integrated_lufs.is_some());
    assert!(
        audio
            .silences
            .iter()
            .any(|s| s.start_ms < 900 && s.end_ms >= 900),
        "{:?}",
        audio.silences
    );
    assert!(
        profile.summary().contains("speech 0:01-"),
        "{}",
        profile.summary()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clip_without_audio_has_no_audio_profile() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("silent.mp4");
    let path = clip.clone();
    generate(move || testing::no_audio_clip(&path, 2.0).unwrap()).await;
    let mix = dir.path().join("mix.wav");
    let analysis = analyze_clip_with(
        &clip,
        &AnalyzeOptions {
            mix_audio: Some(mix.clone()),
        },
    )
    .await
    .unwrap();
    assert!(analysis.profile.audio.is_none());
    assert!(analysis.profile.speech.is_empty());
    assert_eq!(analysis.mix_wav, None);
    assert!(!mix.exists());
    assert!(
        analysis.profile.summary().contains("no audio"),
        "{}",
        analysis.profile.summary()
    );
    assert_eq!(analysis.profile.frames_analyzed, 60);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mix_audio_comes_from_the_same_pass() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("tone.mp4");
    let path = clip.clone();
    generate(move || testing::lavfi_clip(&path, "testsrc2", 2.0, ClipFormat::SMALL, true).unwrap())
        .await;
    let mix = dir.path().join("mix.wav");
    let analysis = analyze_clip_with(
        &clip,
        &AnalyzeOptions {
            mix_audio: Some(mix.clone()),
        },
    )
    .await
    .unwrap();
    assert_eq!(analysis.mix_wav.as_deref(), Some(mix.as_path()));
    let audio = nemo_media::probe(&mix).await.unwrap().audio.unwrap();
    assert_eq!((audio.sample_rate, audio.channels), (48_000, 2));
    assert!(
        analysis.profile.audio.unwrap().speech.is_empty(),
        "a steady tone is not speech"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portrait_and_single_frame_clips_are_analysed() {
    let dir = tempfile::tempdir().unwrap();
    let portrait = dir.path().join("portrait.mp4");
    let one = dir.path().join("one.mp4");
    let png = dir.path().join("still.png");
    let (p, o, s) = (portrait.clone(), one.clone(), png.clone());
    generate(move || {
        testing::portrait_clip(&p, 2.0).unwrap();
        testing::one_frame_clip(&o).unwrap();
        testing::png_image(&s, 64, 48).unwrap();
    })
    .await;
    let profile = analyze(&portrait).await;
    assert_eq!(profile.frames_analyzed, 60);
    assert!(profile.cuts.is_empty());
    assert!((1900..=2100).contains(&profile.duration_ms));

    let single = analyze(&one).await;
    assert_eq!(single.frames_analyzed, 1);
    assert!(single.cuts.is_empty() && single.transitions.is_empty());
    assert!(single.features.brightness > 0.1);

    let still = analyze(&png).await;
    assert_eq!(still.frames_analyzed, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_serialise_and_sequences_combine() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.mp4");
    let b = dir.path().join("b.mp4");
    let (pa, pb) = (a.clone(), b.clone());
    generate(move || {
        testing::lavfi_clip(&pa, "testsrc2", 2.0, ClipFormat::SMALL, true).unwrap();
        testing::lavfi_clip(&pb, "smptebars", 3.0, ClipFormat::SMALL, false).unwrap();
    })
    .await;
    let profiles = analyze_clips(&[a, b]).await.unwrap();
    let json = serde_json::to_string(&profiles[0]).unwrap();
    let back: VideoProfile = serde_json::from_str(&json).unwrap();
    assert_eq!(back, profiles[0]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    for key in [
        "duration_ms",
        "cuts",
        "speech",
        "energy",
        "mood",
        "features",
        "music",
    ] {
        assert!(value.get(key).is_some(), "{key} missing from {json}");
    }
    let combined = nemo_analysis::combine(&profiles).unwrap();
    assert_eq!(
        combined.duration_ms,
        profiles[0].duration_ms + profiles[1].duration_ms
    );
    assert_eq!(cut_times(&combined), vec![profiles[0].duration_ms]);
    assert_eq!(
        combined.energy.len(),
        profiles[0].energy.len() + profiles[1].energy.len()
    );
}

#[tokio::test]
async fn non_media_files_are_rejected_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let fake: PathBuf = dir.path().join("notes.mp4");
    std::fs::write(&fake, "not a video").unwrap();
    let err = analyze_clip(&fake).await.unwrap_err();
    assert!(
        matches!(err, AnalyzeError::Media(MediaError::NotMedia { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("notes.mp4"), "{err}");
}
