//! EBU R128 measurement (the `ebur128` crate) and normalisation to a loudness target.
//!
//! Normalisation is gain followed by the true-peak limiter in [`crate::limiter`]. Limiting lowers
//! the integrated loudness a little, so the gain/limit pair is re-run with a corrected gain until
//! the measured result is within tolerance (two or three passes in practice).

use ebur128::{EbuR128, Mode};

use crate::limiter::limit_true_peak;
use crate::{MixError, StereoBuffer};

/// Where a finished track should land.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoudnessTarget {
    /// Integrated loudness in LUFS (-14 for streaming platforms, -23 for EBU broadcast).
    pub integrated_lufs: f64,
    /// True-peak ceiling in dBTP.
    pub true_peak_dbtp: f64,
}

impl Default for LoudnessTarget {
    fn default() -> Self {
        Self {
            integrated_lufs: -14.0,
            true_peak_dbtp: -1.0,
        }
    }
}

impl LoudnessTarget {
    /// A target at `lufs` integrated with the default -1 dBTP ceiling.
    pub fn lufs(lufs: f64) -> Self {
        Self {
            integrated_lufs: lufs,
            ..Self::default()
        }
    }
}

/// One EBU R128 measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measurement {
    /// Integrated (gated) loudness in LUFS; `-inf` for silence.
    pub integrated_lufs: f64,
    /// Maximum true peak over both channels in dBTP; `-inf` for silence.
    pub true_peak_dbtp: f64,
}

/// The result of [`normalize`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoudnessReport {
    /// Measurement of the input (its true peak is not measured: NaN).
    pub before: Measurement,
    /// Measurement of the output.
    pub after: Measurement,
    /// Static gain applied before limiting, in dB.
    pub gain_db: f64,
}

/// Converts decibels to a linear amplitude factor.
pub fn db_to_gain(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

/// Converts a linear amplitude factor to decibels (`-inf` for zero).
pub fn gain_to_db(gain: f64) -> f64 {
    if gain <= 0.0 {
        f64::NEG_INFINITY
    } else {
        20.0 * gain.log10()
    }
}

/// Measures integrated loudness and true peak of a stereo buffer.
pub fn measure(buf: &StereoBuffer) -> Result<Measurement, MixError> {
    meter(buf, true)
}

/// Integrated loudness only (no 4x oversampled peak search: several times cheaper).
fn integrated(buf: &StereoBuffer) -> Result<f64, MixError> {
    meter(buf, false).map(|m| m.integrated_lufs)
}

fn meter(buf: &StereoBuffer, true_peak: bool) -> Result<Measurement, MixError> {
    if buf.sample_rate == 0 {
        return Err(MixError::InvalidBuffer("sample rate is zero"));
    }
    let frames = buf.frames();
    let mode = if true_peak {
        Mode::I | Mode::TRUE_PEAK
    } else {
        Mode::I
    };
    let mut meter = EbuR128::new(2, buf.sample_rate, mode)?;
    meter.add_frames_planar_f32(&[&buf.left[..frames], &buf.right[..frames]])?;
    let integrated_lufs = meter.loudness_global()?;
    let true_peak_dbtp = if true_peak {
        gain_to_db(meter.true_peak(0)?.max(meter.true_peak(1)?))
    } else {
        f64::NEG_INFINITY
    };
    Ok(Measurement {
        integrated_lufs,
        true_peak_dbtp,
    })
}

/// How close (in LU) the integrated loudness must get before normalisation stops iterating.
const LOUDNESS_TOLERANCE_LU: f64 = 0.15;
/// Head-room kept below the true-peak target by the limiter, because the limiter's own peak
/// estimate and the meter's 4x interpolator differ slightly.
const PEAK_MARGIN_DB: f64 = 0.3;
const MAX_PASSES: usize = 6;

/// Applies gain and true-peak limiting so `buf` lands at `target`.
///
/// Silence (integrated loudness `-inf`) is left untouched. The output never has a sample whose
/// magnitude exceeds the true-peak ceiling, so it cannot clip when written as integer PCM.
pub fn normalize(
    buf: &mut StereoBuffer,
    target: &LoudnessTarget,
) -> Result<LoudnessReport, MixError> {
    // The input's true peak is only reported, never used, so skip the expensive search.
    let before = Measurement {
        integrated_lufs: integrated(buf)?,
        true_peak_dbtp: f64::NAN,
    };
    if !before.integrated_lufs.is_finite() {
        return Ok(LoudnessReport {
            before,
            after: before,
            gain_db: 0.0,
        });
    }
    let original = buf.clone();
    let mut gain_db = target.integrated_lufs - before.integrated_lufs;
    let mut ceiling_db = target.true_peak_dbtp - PEAK_MARGIN_DB;
    let mut verified: Option<Measurement> = None;
    for _ in 0..MAX_PASSES {
        buf.clone_from(&original);
        buf.scale(db_to_gain(gain_db) as f32);
        limit_true_peak(buf, db_to_gain(ceiling_db) as f32);
        verified = None;
        // Check loudness cheaply first; pay for the true-peak search only once it is right.
        let loudness_error = target.integrated_lufs - integrated(buf)?;
        if loudness_error.abs() > LOUDNESS_TOLERANCE_LU {
            gain_db += loudness_error;
            continue;
        }
        let m = measure(buf)?;
        verified = Some(m);
        let peak_excess = m.true_peak_dbtp - (target.true_peak_dbtp - 0.1);
        if peak_excess <= 0.0 {
            break;
        }
        ceiling_db -= peak_excess + 0.05;
    }
    let mut after = match verified {
        Some(m) => m,
        None => measure(buf)?,
    };
    // Last resort for pathological input: never exceed the ceiling, even at the cost of
    // loudness.
    let excess = after.true_peak_dbtp - (target.true_peak_dbtp - 0.1);
    if excess > 0.0 {
        buf.scale(db_to_gain(-excess) as f32);
        gain_db -= excess;
        after = measure(buf)?;
    }
    Ok(LoudnessReport {
        before,
        after,
        gain_db,
    })
}

#[cfg(test)]
mod tests;
