//! Fade-in and fade-out with raised-cosine curves (smooth at both ends, so no clicks).

use crate::StereoBuffer;

/// Gain of a raised-cosine fade at `position` in `0..=1` (0 = silent, 1 = full).
pub fn fade_gain(position: f64) -> f32 {
    let p = position.clamp(0.0, 1.0);
    (0.5 - 0.5 * (std::f64::consts::PI * p).cos()) as f32
}

/// Fades the start of `buf` in over `fade_in_ms` and its end out over `fade_out_ms`, reaching
/// exact silence on the last frame. Fades longer than the buffer are shortened to fit.
pub fn apply_fades(buf: &mut StereoBuffer, fade_in_ms: f64, fade_out_ms: f64) {
    let frames = buf.frames();
    let fade_in = buf.ms_to_frame(fade_in_ms).min(frames);
    let fade_out = buf.ms_to_frame(fade_out_ms).min(frames);
    for i in 0..fade_in {
        let g = fade_gain(i as f64 / fade_in as f64);
        buf.left[i] *= g;
        buf.right[i] *= g;
    }
    for k in 0..fade_out {
        // k = 0 is the last frame, which ends at exact silence.
        let i = frames - 1 - k;
        let g = fade_gain(k as f64 / fade_out as f64);
        buf.left[i] *= g;
        buf.right[i] *= g;
    }
}
