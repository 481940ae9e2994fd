//! Tests of measurement and normalisation.

use super::*;

fn noise_like(frames: usize, amp: f32) -> StereoBuffer {
    // A deterministic broadband signal: a few detuned partials with a slow swell.
    let mut left = Vec::with_capacity(frames);
    let mut right = Vec::with_capacity(frames);
    for i in 0..frames {
        let t = i as f32 / 48_000.0;
        let swell = 0.6 + 0.4 * (t * 0.7).sin();
        let v = (t * 2.0 * std::f32::consts::PI * 110.0).sin()
            + 0.5 * (t * 2.0 * std::f32::consts::PI * 467.0).sin()
            + 0.3 * (t * 2.0 * std::f32::consts::PI * 2_311.0).sin();
        left.push(amp * swell * v);
        right.push(amp * swell * v * 0.9);
    }
    StereoBuffer::from_channels(48_000, left, right)
}

#[test]
fn normalize_hits_minus_14_and_the_peak_ceiling() {
    let mut buf = noise_like(48_000 * 8, 0.05);
    let report = normalize(&mut buf, &LoudnessTarget::default()).unwrap();
    assert!(
        (report.after.integrated_lufs + 14.0).abs() <= 0.5,
        "{report:?}"
    );
    assert!(report.after.true_peak_dbtp <= -1.0, "{report:?}");
    assert!(buf.sample_peak() < 1.0);
}

#[test]
fn normalize_to_broadcast_target() {
    let mut buf = noise_like(48_000 * 8, 0.9);
    let report = normalize(&mut buf, &LoudnessTarget::lufs(-23.0)).unwrap();
    assert!(
        (report.after.integrated_lufs + 23.0).abs() <= 0.5,
        "{report:?}"
    );
    assert!(report.gain_db < 0.0);
}

#[test]
fn silence_is_left_alone() {
    let mut buf = StereoBuffer::silent(48_000, 48_000);
    let report = normalize(&mut buf, &LoudnessTarget::default()).unwrap();
    assert!(report.after.integrated_lufs.is_infinite());
    assert!(buf.sample_peak() <= 0.0);
}

#[test]
fn peaky_material_is_limited_not_clipped() {
    // Quiet body with loud spikes: reaching -14 LUFS needs lots of gain, so the limiter works hard.
    let mut buf = noise_like(48_000 * 6, 0.01);
    for k in 0..30 {
        let i = k * 9_000 + 100;
        for j in 0..200 {
            buf.left[i + j] = 0.9 * if j % 2 == 0 { 1.0 } else { -1.0 };
            buf.right[i + j] = buf.left[i + j];
        }
    }
    let report = normalize(&mut buf, &LoudnessTarget::default()).unwrap();
    assert!(report.after.true_peak_dbtp <= -1.0, "{report:?}");
    assert!(
        (report.after.integrated_lufs + 14.0).abs() <= 0.5,
        "{report:?}"
    );
}
