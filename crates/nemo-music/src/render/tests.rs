//! Rendering tests: exact length, determinism, loudness, sanity of the samples.

use super::*;
use crate::brief::{Mood, NamedMood, Style};

const FONT: &str = "/usr/share/sounds/sf2/TimGM6mb.sf2";

fn font() -> SoundFont {
    let bytes =
        std::fs::read(FONT).expect("timgm6mb-soundfont is installed on dev and CI machines");
    SoundFont::from_bytes(&bytes).unwrap()
}

fn brief(mood: NamedMood, style: Style, ms: u64, seed: u64) -> MusicBrief {
    let mut b = MusicBrief::new(Mood::Named(mood), ms);
    b.style = Some(style);
    b.seed = seed;
    b
}

/// Largest sample-to-sample jump in a window around `ms`.
fn max_jump_near(pcm: &StereoBuffer, ms: f64) -> f32 {
    let centre = pcm.ms_to_frame(ms);
    let lo = centre.saturating_sub(480);
    let hi = (centre + 480).min(pcm.frames() - 1);
    (lo..hi)
        .map(|i| {
            (pcm.left[i + 1] - pcm.left[i])
                .abs()
                .max((pcm.right[i + 1] - pcm.right[i]).abs())
        })
        .fold(0.0, f32::max)
}

fn assert_sane(out: &RenderedMusic) {
    let pcm = &out.pcm;
    assert!(
        pcm.left.iter().chain(&pcm.right).all(|s| s.is_finite()),
        "NaN or inf in output"
    );
    let dc_l = pcm.left.iter().map(|s| f64::from(*s)).sum::<f64>() / pcm.frames() as f64;
    let dc_r = pcm.right.iter().map(|s| f64::from(*s)).sum::<f64>() / pcm.frames() as f64;
    assert!(
        dc_l.abs() < 0.01 && dc_r.abs() < 0.01,
        "DC offset {dc_l} {dc_r}"
    );
    assert!(pcm.sample_peak() < 0.95, "peak {}", pcm.sample_peak());
    // No clicks where sections meet, and silence at the very end (fade, not a cut).
    for s in &out.composition.sections[1..] {
        let jump = max_jump_near(pcm, s.start_ms);
        assert!(jump < 0.35, "jump {jump} at section start {}", s.start_ms);
    }
    let last = pcm.frames() - 1;
    assert!(pcm.left[last].abs() < 1e-3 && pcm.right[last].abs() < 1e-3);
}

#[test]
fn soundfont_render_is_exact_length_loud_enough_and_clean() {
    let f = font();
    for (ms, style) in [
        (5_000, Style::Pop),
        (60_500, Style::Cinematic),
        (12_345, Style::LoFi),
    ] {
        let out = compose_and_render(
            &brief(NamedMood::Epic, style, ms, 4),
            Some(&f),
            &RenderOptions::default(),
        )
        .unwrap();
        assert_eq!(out.pcm.frames(), ms as usize * 48, "{style:?} {ms}");
        assert_eq!(out.report.frames, ms as usize * 48);
        assert!(
            (out.report.integrated_lufs + 14.0).abs() <= 0.5,
            "{:?}",
            out.report
        );
        assert!(out.report.true_peak_dbtp <= -1.0, "{:?}", out.report);
        assert!(out.report.synth.starts_with("soundfont"));
        assert_sane(&out);
    }
}

#[test]
fn ten_minutes_with_the_fallback_synth_is_exact() {
    let out = compose_and_render(
        &brief(NamedMood::Calm, Style::Ambient, 600_000, 9),
        None,
        &RenderOptions::default(),
    )
    .unwrap();
    assert_eq!(out.pcm.frames(), 600_000 * 48);
    assert!(
        (out.report.integrated_lufs + 14.0).abs() <= 0.5,
        "{:?}",
        out.report.integrated_lufs
    );
    assert!(out.report.true_peak_dbtp <= -1.0);
    assert_eq!(out.report.synth, "built-in");
    assert_sane(&out);
}

#[test]
fn fallback_covers_every_style() {
    for (i, style) in Style::ALL.into_iter().enumerate() {
        let out = compose_and_render(
            &brief(NamedMood::Upbeat, style, 6_000, i as u64),
            None,
            &RenderOptions::default(),
        )
        .unwrap();
        assert_eq!(out.pcm.frames(), 6_000 * 48);
        assert!(
            (out.report.integrated_lufs + 14.0).abs() <= 0.5,
            "{style:?} {}",
            out.report.integrated_lufs
        );
        assert_sane(&out);
    }
}

#[test]
fn same_seed_is_bit_identical_and_seeds_differ() {
    let f = font();
    let render = |seed| {
        compose_and_render(
            &brief(NamedMood::Happy, Style::Pop, 8_000, seed),
            Some(&f),
            &RenderOptions::default(),
        )
        .unwrap()
        .pcm
    };
    let a = render(11);
    let b = render(11);
    let c = render(12);
    assert!(
        a.left
            .iter()
            .zip(&b.left)
            .all(|(x, y)| x.to_bits() == y.to_bits())
    );
    assert!(
        a.right
            .iter()
            .zip(&b.right)
            .all(|(x, y)| x.to_bits() == y.to_bits())
    );
    let diff: f64 = a
        .left
        .iter()
        .zip(&c.left)
        .map(|(x, y)| f64::from((x - y).abs()))
        .sum::<f64>()
        / a.frames() as f64;
    assert!(
        diff > 1e-3,
        "different seeds should sound different (mean diff {diff})"
    );
    let fallback = |seed| {
        compose_and_render(
            &brief(NamedMood::Happy, Style::Pop, 4_000, seed),
            None,
            &RenderOptions::default(),
        )
        .unwrap()
        .pcm
    };
    assert_eq!(fallback(3), fallback(3));
}

#[test]
fn broadcast_target_is_configurable() {
    let options = RenderOptions {
        loudness: LoudnessTarget::lufs(-23.0),
        ..RenderOptions::default()
    };
    let out = compose_and_render(
        &brief(NamedMood::Sad, Style::Piano, 10_000, 2),
        Some(&font()),
        &options,
    )
    .unwrap();
    assert!((out.report.integrated_lufs + 23.0).abs() <= 0.5);
}

#[test]
fn report_exposes_the_grid_and_summary() {
    let mut b = brief(NamedMood::Energetic, Style::Electronic, 20_000, 5);
    b.accents_ms = vec![2_000, 4_000, 6_000, 8_000, 10_000, 12_000, 14_000, 16_000];
    let out = compose_and_render(&b, None, &RenderOptions::default()).unwrap();
    let r = &out.report;
    assert!(r.accent_hit_ratio >= 0.8);
    assert!(
        !r.beat_times_ms.is_empty() && r.downbeat_times_ms.len() * 4 <= r.beat_times_ms.len() + 4
    );
    assert!(
        r.beat_times_ms
            .windows(2)
            .all(|w| ((w[1] - w[0]) - 60_000.0 / r.bpm).abs() < 1e-6)
    );
    let line = r.summary_line();
    for part in ["electronic", "BPM", "bars", "LUFS", "dBTP"] {
        assert!(line.contains(part), "{line}");
    }
    let midi = crate::to_midi(&out.composition).unwrap();
    assert_eq!(&midi[..4], b"MThd");
}
