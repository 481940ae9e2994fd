//! The music-under-dialogue mix: fades, music level, ducking, sum, loudness target.

use crate::duck::{DuckSettings, SpeechRegion, duck_gain_curve};
use crate::fade::apply_fades;
use crate::loudness::{LoudnessReport, LoudnessTarget, db_to_gain, measure, normalize};
use crate::{MixError, StereoBuffer};

/// Settings of [`mix_under_dialogue`] and [`music_stem`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MixSettings {
    /// Music loudness relative to the original audio's integrated loudness, in LU (default -6).
    /// When the original audio is silent the music is used as it comes.
    pub music_level_lu: f64,
    /// Fade-in length of the music (ms).
    pub fade_in_ms: f64,
    /// Fade-out length of the music (ms).
    pub fade_out_ms: f64,
    /// Ducking under speech.
    pub duck: DuckSettings,
    /// Loudness target of the final mix.
    pub target: LoudnessTarget,
}

impl Default for MixSettings {
    fn default() -> Self {
        Self {
            music_level_lu: -6.0,
            fade_in_ms: 1000.0,
            fade_out_ms: 2000.0,
            duck: DuckSettings::default(),
            target: LoudnessTarget::default(),
        }
    }
}

/// The finished mix.
#[derive(Debug, Clone, PartialEq)]
pub struct MixOutput {
    /// Final PCM, the length of the original audio.
    pub pcm: StereoBuffer,
    /// Loudness before and after normalisation.
    pub loudness: LoudnessReport,
    /// Static gain that was applied to the music before ducking (dB).
    pub music_gain_db: f64,
}

/// The processed music bed alone: fitted to `frames`, faded, ducked under `speech`, scaled by
/// `music_gain_db`. This is exactly what [`mix_under_dialogue`] adds to the original audio
/// (before the final loudness gain, which applies to the whole mix).
pub fn music_stem(
    music: &StereoBuffer,
    frames: usize,
    speech: &[SpeechRegion],
    music_gain_db: f64,
    settings: &MixSettings,
) -> StereoBuffer {
    let mut bed = music.clone();
    bed.resize(frames);
    apply_fades(&mut bed, settings.fade_in_ms, settings.fade_out_ms);
    let duck = duck_gain_curve(frames, bed.sample_rate, speech, &settings.duck);
    let gain = db_to_gain(music_gain_db) as f32;
    for (i, d) in duck.iter().enumerate() {
        bed.left[i] *= d * gain;
        bed.right[i] *= d * gain;
    }
    bed
}

/// Lays `music` under `original` (the clip's own audio), ducking under `speech`, and brings the
/// sum to `settings.target`. The output has exactly the length of `original`.
pub fn mix_under_dialogue(
    music: &StereoBuffer,
    original: &StereoBuffer,
    speech: &[SpeechRegion],
    settings: &MixSettings,
) -> Result<MixOutput, MixError> {
    if music.sample_rate != original.sample_rate {
        return Err(MixError::RateMismatch {
            music: music.sample_rate,
            original: original.sample_rate,
        });
    }
    let music_gain_db = relative_music_gain(music, original, settings.music_level_lu)?;
    let frames = original.frames();
    let bed = music_stem(music, frames, speech, music_gain_db, settings);
    let mut pcm = StereoBuffer::silent(original.sample_rate, frames);
    for i in 0..frames {
        pcm.left[i] = original.left[i] + bed.left[i];
        pcm.right[i] = original.right[i] + bed.right[i];
    }
    let loudness = normalize(&mut pcm, &settings.target)?;
    Ok(MixOutput {
        pcm,
        loudness,
        music_gain_db,
    })
}

/// Gain that puts the music `level_lu` below (or above) the original audio's loudness.
fn relative_music_gain(
    music: &StereoBuffer,
    original: &StereoBuffer,
    level_lu: f64,
) -> Result<f64, MixError> {
    let music_lufs = measure(music)?.integrated_lufs;
    let original_lufs = measure(original)?.integrated_lufs;
    if !music_lufs.is_finite() || !original_lufs.is_finite() {
        return Ok(0.0);
    }
    Ok(original_lufs + level_lu - music_lufs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(frames: usize, freq: f32, amp: f32) -> StereoBuffer {
        let s: Vec<f32> = (0..frames)
            .map(|i| amp * (i as f32 * 2.0 * std::f32::consts::PI * freq / 48_000.0).sin())
            .collect();
        StereoBuffer::from_channels(48_000, s.clone(), s)
    }

    fn rms(x: &[f32]) -> f64 {
        (x.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
    }

    #[test]
    fn stem_is_ducked_by_the_requested_depth_inside_speech() {
        let music = tone(48_000 * 10, 220.0, 0.3);
        let settings = MixSettings::default();
        let speech = [SpeechRegion::from((3000, 6000))];
        let bed = music_stem(&music, music.frames(), &speech, 0.0, &settings);
        let inside = rms(&bed.left[48 * 3500..48 * 5500]);
        let outside = rms(&bed.left[48 * 7500..48 * 7900]);
        let drop = 20.0 * (inside / outside).log10();
        assert!((drop + 12.0).abs() < 0.2, "drop {drop}");
    }

    #[test]
    fn duck_curve_has_no_steps() {
        let curve = duck_gain_curve(
            48_000 * 4,
            48_000,
            &[SpeechRegion::from((1000, 2000))],
            &DuckSettings::default(),
        );
        let max_step = curve
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0_f32, f32::max);
        assert!(max_step < 1e-3, "step {max_step}");
        assert!((curve[48 * 1500] - db_to_gain(-12.0) as f32).abs() < 1e-4);
        assert!((curve[48 * 100] - 1.0).abs() < 1e-6);
    }

    #[test]
    fn mix_lands_on_target_and_keeps_original_length() {
        let music = tone(48_000 * 12, 330.0, 0.2);
        let original = tone(48_000 * 10, 180.0, 0.1);
        let out = mix_under_dialogue(
            &music,
            &original,
            &[SpeechRegion::from((2000, 8000))],
            &MixSettings::default(),
        )
        .unwrap();
        assert_eq!(out.pcm.frames(), original.frames());
        assert!((out.loudness.after.integrated_lufs + 14.0).abs() <= 0.5);
        assert!(out.loudness.after.true_peak_dbtp <= -1.0);
    }

    #[test]
    fn rate_mismatch_is_an_error() {
        let a = StereoBuffer::silent(48_000, 10);
        let b = StereoBuffer::silent(44_100, 10);
        assert!(matches!(
            mix_under_dialogue(&a, &b, &[], &MixSettings::default()),
            Err(MixError::RateMismatch { .. })
        ));
    }
}
