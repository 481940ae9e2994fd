//! An offline look-ahead true-peak limiter.
//!
//! Written by hand because no maintained pure-Rust limiter crate exists (crates.md §2.3): the
//! gain needed at every sample is computed from a 4x-interpolated peak estimate, spread over a
//! short look-ahead window with a min-filter, smoothed with a box filter (so the gain never
//! rises above what any sample in reach needs, and never steps), then released slowly.

use crate::StereoBuffer;

/// Look-ahead / attack length in milliseconds.
const ATTACK_MS: f64 = 2.0;
/// Release time constant in milliseconds.
const RELEASE_MS: f64 = 80.0;

/// Limits `buf` in place so its (4x interpolated) peaks stay at or below `ceiling` (linear).
///
/// Returns the smallest gain applied (1.0 when nothing needed limiting).
pub fn limit_true_peak(buf: &mut StereoBuffer, ceiling: f32) -> f32 {
    let frames = buf.frames();
    if frames == 0 || ceiling <= 0.0 {
        return 1.0;
    }
    let required = required_gain(&buf.left[..frames], &buf.right[..frames], ceiling);
    let Some(first) = required.iter().position(|g| *g < 1.0) else {
        return 1.0;
    };
    let rate = f64::from(buf.sample_rate.max(1));
    let window = ((ATTACK_MS * rate / 1000.0).round() as usize).max(1);
    let held = future_min(&required, window);
    let smoothed = box_average(&held, window);
    let release = (-1.0 / (RELEASE_MS * rate / 1000.0)).exp() as f32;
    let mut gain = 1.0_f32;
    let mut lowest = 1.0_f32;
    // Samples long before the first limited one keep gain 1; start a little early for the ramp.
    let start = first.saturating_sub(2 * window);
    for (i, &target) in smoothed.iter().enumerate().skip(start) {
        gain = if target < gain {
            target
        } else {
            (target + (gain - target) * release).min(target)
        };
        lowest = lowest.min(gain);
        buf.left[i] *= gain;
        buf.right[i] *= gain;
    }
    lowest
}

/// Per-sample gain that would bring the local (interpolated) peak down to `ceiling`.
fn required_gain(left: &[f32], right: &[f32], ceiling: f32) -> Vec<f32> {
    // Inter-sample peaks exceed neighbouring samples by a few dB at most for real music, so
    // only interpolate where the samples are already within 6 dB of the ceiling.
    let check = ceiling * 0.5;
    let table = sinc_table();
    let mut out = vec![1.0_f32; left.len()];
    for ch in [left, right] {
        for i in 0..ch.len() {
            let here = ch[i].abs();
            let next = ch.get(i + 1).map_or(0.0, |s| s.abs());
            if here.max(next) < check {
                continue;
            }
            let peak = here.max(interpolated_peak(ch, i, &table));
            if peak > ceiling {
                out[i] = out[i].min(ceiling / peak);
                if let Some(n) = out.get_mut(i + 1) {
                    *n = n.min(ceiling / peak);
                }
            }
        }
    }
    out
}

/// Half-width of the windowed-sinc interpolator.
const TAPS: isize = 8;

/// Windowed-sinc coefficients for the three fractional positions 1/4, 2/4, 3/4, taps
/// `k = 1 - TAPS ..= TAPS` (computed once per call of the limiter, not per sample).
fn sinc_table() -> [[f32; 2 * TAPS as usize]; 3] {
    let mut table = [[0.0_f32; 2 * TAPS as usize]; 3];
    for (p, row) in table.iter_mut().enumerate() {
        let frac = (p + 1) as f64 / 4.0;
        for (j, c) in row.iter_mut().enumerate() {
            let k = j as isize + 1 - TAPS;
            *c = windowed_sinc(frac - k as f64) as f32;
        }
    }
    table
}

/// Largest magnitude at the three 4x-oversampled points between sample `i` and `i + 1`.
fn interpolated_peak(ch: &[f32], i: usize, table: &[[f32; 2 * TAPS as usize]; 3]) -> f32 {
    let first = i as isize + 1 - TAPS;
    let mut peak = 0.0_f32;
    for row in table {
        let mut acc = 0.0_f32;
        for (j, c) in row.iter().enumerate() {
            let idx = first + j as isize;
            if idx >= 0 && (idx as usize) < ch.len() {
                acc += ch[idx as usize] * c;
            }
        }
        peak = peak.max(acc.abs());
    }
    peak
}

fn windowed_sinc(x: f64) -> f64 {
    use std::f64::consts::PI;
    if x.abs() < 1e-9 {
        return 1.0;
    }
    let w = TAPS as f64;
    if x.abs() >= w {
        return 0.0;
    }
    let sinc = (PI * x).sin() / (PI * x);
    let hann = 0.5 * (1.0 + (PI * x / w).cos());
    sinc * hann
}

/// `out[i] = min(values[i .. i + window])`, via a monotonic deque (O(n)).
fn future_min(values: &[f32], window: usize) -> Vec<f32> {
    let n = values.len();
    let mut out = vec![1.0_f32; n];
    let mut deque = std::collections::VecDeque::<usize>::new();
    // Walk backwards so the window [i, i + window) is "the last `window` pushed".
    for i in (0..n).rev() {
        while deque.back().is_some_and(|&j| values[j] >= values[i]) {
            deque.pop_back();
        }
        deque.push_back(i);
        while deque.front().is_some_and(|&j| j >= i + window) {
            deque.pop_front();
        }
        out[i] = deque.front().map_or(1.0, |&j| values[j]);
    }
    out
}

/// `out[i] = mean(values[i + 1 - window ..= i])`, treating values before the start as
/// `values[0]` (which, after [`future_min`], already covers the first window).
fn box_average(values: &[f32], window: usize) -> Vec<f32> {
    let Some(&first) = values.first() else {
        return Vec::new();
    };
    let first = f64::from(first);
    let mut out = Vec::with_capacity(values.len());
    let mut sum = window as f64 * first; // the virtual samples before the start
    for i in 0..values.len() {
        sum += f64::from(values[i]);
        let leaving = if i >= window {
            f64::from(values[i - window])
        } else {
            first
        };
        sum -= leaving;
        out.push((sum / window as f64) as f32);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn future_min_and_box_average_never_exceed_requirement() {
        let mut req = vec![1.0_f32; 100];
        req[50] = 0.5;
        req[52] = 0.25;
        let held = future_min(&req, 4);
        let avg = box_average(&held, 4);
        for (i, r) in req.iter().enumerate() {
            assert!(
                avg[i] <= *r + 1e-6,
                "gain {} above requirement {} at {i}",
                avg[i],
                r
            );
        }
        assert!((avg[20] - 1.0).abs() < 1e-6);
    }

    #[test]
    fn limiter_brings_a_hot_sine_under_the_ceiling_without_steps() {
        let rate = 48_000;
        let left: Vec<f32> = (0..rate)
            .map(|i| 1.6 * (i as f32 * 2.0 * std::f32::consts::PI * 997.0 / rate as f32).sin())
            .collect();
        let mut buf = StereoBuffer::from_channels(rate, left.clone(), left);
        let ceiling = 0.8;
        let lowest = limit_true_peak(&mut buf, ceiling);
        assert!(lowest < 0.55);
        assert!(
            buf.sample_peak() <= ceiling + 1e-4,
            "peak {}",
            buf.sample_peak()
        );
    }
}
