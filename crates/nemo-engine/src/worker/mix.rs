//! The final audio mix of a render, done with `nemo-mix` before ffmpeg runs: the clips' own
//! audio (as the timeline plays it) plus the music bed ducked under detected speech, brought
//! to the loudness target, written as one WAV. The renderer then gets that single track, so
//! its filter graph only encodes it and the video stream can still be copied.
//!
//! Draft flags read here (set them in the draft's `m` object):
//! - `m.mute_original: true` — drop every clip's own audio; the music plays at full level
//!   (nothing to duck under). A clip segment's `vol: 0` mutes just that clip.
//! - music segment `m.duck: false` (first `tt=1` track) — no ducking; absent or `true` ducks
//!   the music about 12 dB under detected speech (200 ms attack, 500 ms release).
//! - `m.export_stem: "music"` — export the processed music bed alone (ducked and faded as in
//!   the mix, with the mix's loudness gain), e.g. an instrumental version or a check of the
//!   ducking.
//!
//! Speech regions are re-derived here from the clips' audio (16 kHz VAD, the same detector as
//! analysis) so they follow every later trim, reorder and volume change.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use nemo_analysis::VadConfig;
use nemo_media::render::{AudioSegment, RenderPlan};
use nemo_media::{MIX_SAMPLE_RATE, MediaError, VAD_SAMPLE_RATE};
use nemo_mix::{LoudnessTarget, MixSettings, SpeechRegion, StereoBuffer};
use nemo_protocol::RawDraft;

/// Draft `m` key: mute the clips' own audio.
pub(crate) const MUTE_ORIGINAL_KEY: &str = "mute_original";
/// Draft `m` key: `"music"` exports the music stem alone.
pub(crate) const EXPORT_STEM_KEY: &str = "export_stem";
/// Loudness target of exports: -14 LUFS integrated. The true-peak ceiling is kept 1 dB below
/// the -1 dBTP delivery limit because AAC encoding overshoots the PCM's peaks (measured up to
/// 0.6 dB on fitted music with speech at 192 kbit/s).
pub(crate) const EXPORT_TARGET: LoudnessTarget = LoudnessTarget {
    integrated_lufs: -14.0,
    true_peak_dbtp: -2.0,
};

/// The delivery limit every export's audio must meet, measured on the encoded file.
pub(crate) const DELIVERY_TRUE_PEAK_DBTP: f64 = -1.0;
/// Extra headroom taken when the encoded audio has to be turned down.
const PEAK_MARGIN_DB: f64 = 0.3;

/// Measures the true peak of `output`'s encoded audio and, when AAC overshoot pushed it past
/// the delivery limit, turns the audio down just enough and re-encodes it (the picture is
/// stream-copied). The PCM ceiling ([`EXPORT_TARGET`]) leaves room for typical overshoot; this
/// check makes the limit a guarantee rather than a likelihood. At most two passes.
pub(crate) async fn enforce_true_peak(output: &Path) -> Result<(), MediaError> {
    for _ in 0..2 {
        let pcm = nemo_media::extract_pcm(output, MIX_SAMPLE_RATE, 2).await?;
        let buffer = StereoBuffer::from_interleaved(MIX_SAMPLE_RATE, &pcm);
        let Ok(measured) = nemo_mix::measure(&buffer) else {
            return Ok(());
        };
        let over = measured.true_peak_dbtp - DELIVERY_TRUE_PEAK_DBTP;
        if !over.is_finite() || over <= 0.0 {
            return Ok(());
        }
        let gain_db = -(over + PEAK_MARGIN_DB);
        tracing::info!(
            peak = measured.true_peak_dbtp,
            gain_db,
            "encoded audio over the true-peak limit; turning it down"
        );
        nemo_media::Ffmpeg::new()
            .arg("-i")
            .arg(output)
            .args(["-map", "0:v?", "-map", "0:a", "-c:v", "copy", "-af"])
            .arg(format!("volume={gain_db:.2}dB"))
            .args([
                "-c:a",
                "aac",
                "-b:a",
                "192k",
                "-ar",
                "48000",
                "-ac",
                "2",
                "-movflags",
                "+faststart",
            ])
            .run_to_file(output, |_| {})
            .await?;
    }
    Ok(())
}

/// What the draft asks of the mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct MixFlags {
    pub(crate) mute_original: bool,
    pub(crate) music_stem_only: bool,
    pub(crate) no_ducking: bool,
}

impl MixFlags {
    /// Reads the flags documented in the module docs from the draft's `m`.
    pub(crate) fn from_draft(draft: &RawDraft) -> Self {
        let m = draft.m.as_ref();
        Self {
            mute_original: m
                .and_then(|m| m.get(MUTE_ORIGINAL_KEY))
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false),
            music_stem_only: m
                .and_then(|m| m.get(EXPORT_STEM_KEY))
                .and_then(serde_json::Value::as_str)
                == Some("music"),
            no_ducking: crate::timeline::music(draft)
                .first()
                .and_then(|s| s.m.as_ref())
                .and_then(|m| m.get("duck"))
                .and_then(serde_json::Value::as_bool)
                == Some(false),
        }
    }
}

/// What the mix did, for the log.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MixSummary {
    pub(crate) speech: Vec<SpeechRegion>,
    pub(crate) integrated_lufs: f64,
    pub(crate) true_peak_dbtp: f64,
}

/// Why the mix failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum MixFailure {
    #[error(transparent)]
    Media(#[from] MediaError),
    #[error(transparent)]
    Mix(#[from] nemo_mix::MixError),
    #[error("could not write the mixed audio: {0}")]
    Wav(#[from] hound::Error),
    #[error("the audio mix stopped unexpectedly: {0}")]
    Task(String),
}

/// Decoded sources, keyed by path (a clip used twice is decoded once).
#[derive(Default)]
struct Sources {
    mix: HashMap<PathBuf, StereoBuffer>,
    vad: HashMap<PathBuf, Vec<i16>>,
}

impl Sources {
    async fn load(&mut self, path: &Path, with_vad: bool) -> Result<(), MediaError> {
        let need_mix = !self.mix.contains_key(path);
        let need_vad = with_vad && !self.vad.contains_key(path);
        // Both decodes run at once: two ffmpeg processes on the two cores.
        let (mix, vad) = tokio::join!(
            async {
                if need_mix {
                    nemo_media::extract_pcm(path, MIX_SAMPLE_RATE, 2)
                        .await
                        .map(Some)
                } else {
                    Ok(None)
                }
            },
            async {
                if need_vad {
                    nemo_media::extract_pcm_i16(path, VAD_SAMPLE_RATE, 1)
                        .await
                        .map(Some)
                } else {
                    Ok(None)
                }
            }
        );
        if let Some(samples) = mix? {
            self.mix.insert(
                path.to_owned(),
                StereoBuffer::from_interleaved(MIX_SAMPLE_RATE, &samples),
            );
        }
        if let Some(pcm) = vad? {
            self.vad.insert(path.to_owned(), pcm);
        }
        Ok(())
    }
}

/// One piece of decoded audio placed on the timeline.
struct Placed<'a> {
    source: &'a StereoBuffer,
    start_frame: usize,
    in_frame: usize,
    frames: usize,
    volume: f32,
    fade_in_ms: u64,
    fade_out_ms: u64,
    /// Repeat the source when the segment outlasts it (music beds).
    looped: bool,
}

/// Adds `piece` into `bed`.
fn place(bed: &mut StereoBuffer, piece: &Placed<'_>) {
    let src_len = piece.source.frames();
    if src_len == 0 {
        return;
    }
    let mut part = StereoBuffer::silent(MIX_SAMPLE_RATE, piece.frames);
    for i in 0..piece.frames {
        let mut k = piece.in_frame + i;
        if k >= src_len {
            if !piece.looped {
                break;
            }
            k %= src_len;
        }
        part.left[i] = piece.source.left[k] * piece.volume;
        part.right[i] = piece.source.right[k] * piece.volume;
    }
    nemo_mix::apply_fades(&mut part, piece.fade_in_ms as f64, piece.fade_out_ms as f64);
    let end = (piece.start_frame + piece.frames).min(bed.frames());
    for (i, at) in (piece.start_frame..end).enumerate() {
        bed.left[at] += part.left[i];
        bed.right[at] += part.right[i];
    }
}

fn frame_at(ms: u64, rate: u32) -> usize {
    ((u128::from(ms) * u128::from(rate) + 500) / 1000) as usize
}

/// Speech regions of one clip's played window, shifted to its timeline position.
fn clip_speech(pcm: &[i16], in_ms: u64, duration_ms: u64, offset_ms: u64) -> Vec<SpeechRegion> {
    let from = frame_at(in_ms, VAD_SAMPLE_RATE).min(pcm.len());
    let to = frame_at(in_ms + duration_ms, VAD_SAMPLE_RATE).min(pcm.len());
    nemo_analysis::speech_regions(&pcm[from..to], &VadConfig::default())
        .into_iter()
        .map(|r| SpeechRegion {
            start_ms: r.start_ms + offset_ms,
            end_ms: r.end_ms.min(duration_ms) + offset_ms,
        })
        .collect()
}

/// Mixes the plan's audio into `work_dir/mix.wav` and rewrites the plan to play only that
/// file (clip audio muted in the graph, one audio segment covering the whole render).
/// Without music the result is the clips' own audio as placed, not loudness-normalised (what
/// the draft renderer's own graph would play).
pub(crate) async fn mix_into_plan(
    plan: &mut RenderPlan,
    flags: MixFlags,
    work_dir: &Path,
) -> Result<MixSummary, MixFailure> {
    let total_ms = plan.duration_ms();
    let mut sources = Sources::default();
    let mut clip_offsets = Vec::with_capacity(plan.visuals.len());
    let mut offset = 0;
    for v in &plan.visuals {
        let audible = !flags.mute_original
            && v.volume > 0.0
            && v.info.audio.is_some()
            && !v.info.is_image
            && v.info.duration_ms.is_some();
        if audible {
            sources.load(&v.path, true).await?;
        }
        clip_offsets.push((offset, audible));
        offset += v.duration_ms;
    }
    for a in &plan.audio {
        sources.load(&a.path, false).await?;
    }
    let visuals = plan.visuals.clone();
    let music = plan.audio.clone();
    let (mixed, summary) = tokio::task::spawn_blocking(move || {
        mix_sources(&sources, &visuals, &clip_offsets, &music, total_ms, flags)
    })
    .await
    .map_err(|e| MixFailure::Task(e.to_string()))??;
    let path = work_dir.join("mix.wav");
    write_wav(&path, &mixed)?;
    for v in &mut plan.visuals {
        v.volume = 0.0;
    }
    plan.audio = vec![AudioSegment {
        path,
        source_duration_ms: Some(total_ms),
        start_ms: 0,
        in_ms: 0,
        duration_ms: total_ms,
        volume: 1.0,
        fade_in_ms: 0,
        fade_out_ms: 0,
    }];
    Ok(summary)
}

/// The CPU part: lay out, duck, sum, normalise.
fn mix_sources(
    sources: &Sources,
    visuals: &[nemo_media::render::VisualSegment],
    clip_offsets: &[(u64, bool)],
    music: &[AudioSegment],
    total_ms: u64,
    flags: MixFlags,
) -> Result<(StereoBuffer, MixSummary), MixFailure> {
    let frames = frame_at(total_ms, MIX_SAMPLE_RATE);
    let mut original = StereoBuffer::silent(MIX_SAMPLE_RATE, frames);
    let mut speech = Vec::new();
    for (v, &(offset_ms, audible)) in visuals.iter().zip(clip_offsets) {
        let (true, Some(source)) = (audible, sources.mix.get(&v.path)) else {
            continue;
        };
        place(
            &mut original,
            &Placed {
                source,
                start_frame: frame_at(offset_ms, MIX_SAMPLE_RATE),
                in_frame: frame_at(v.in_ms, MIX_SAMPLE_RATE),
                frames: frame_at(v.duration_ms, MIX_SAMPLE_RATE),
                volume: v.volume as f32,
                fade_in_ms: 0,
                fade_out_ms: 0,
                looped: false,
            },
        );
        if let Some(pcm) = sources.vad.get(&v.path) {
            speech.extend(clip_speech(pcm, v.in_ms, v.duration_ms, offset_ms));
        }
    }
    let mut bed = StereoBuffer::silent(MIX_SAMPLE_RATE, frames);
    for a in music {
        let Some(source) = sources.mix.get(&a.path) else {
            continue;
        };
        place(
            &mut bed,
            &Placed {
                source,
                start_frame: frame_at(a.start_ms, MIX_SAMPLE_RATE),
                in_frame: frame_at(a.in_ms, MIX_SAMPLE_RATE),
                frames: frame_at(a.duration_ms, MIX_SAMPLE_RATE),
                volume: a.volume as f32,
                fade_in_ms: a.fade_in_ms,
                fade_out_ms: a.fade_out_ms,
                looped: true,
            },
        );
    }
    // Fades were applied per segment above; the stem only ducks. Volumes mean what they say
    // (as in the renderer's own graph), so `music_stem` gets no relative gain here: the user's
    // music volume sets the balance and the loudness target sets the overall level.
    let settings = MixSettings {
        fade_in_ms: 0.0,
        fade_out_ms: 0.0,
        target: EXPORT_TARGET,
        ..MixSettings::default()
    };
    let duck_under: &[SpeechRegion] = if flags.no_ducking { &[] } else { &speech };
    let stem = nemo_mix::music_stem(&bed, frames, duck_under, 0.0, &settings);
    let mut mix = StereoBuffer::silent(MIX_SAMPLE_RATE, frames);
    for i in 0..frames {
        mix.left[i] = original.left[i] + stem.left[i];
        mix.right[i] = original.right[i] + stem.right[i];
    }
    // Without music there is nothing to balance: the clips play as recorded, as the draft
    // renderer plays them.
    let loudness = if music.is_empty() {
        let as_is = nemo_mix::measure(&mix)?;
        nemo_mix::LoudnessReport {
            before: as_is,
            after: as_is,
            gain_db: 0.0,
        }
    } else {
        nemo_mix::normalize(&mut mix, &settings.target)?
    };
    let out = if flags.music_stem_only {
        let mut only = stem;
        only.scale(nemo_mix::db_to_gain(loudness.gain_db) as f32);
        nemo_mix::limit_true_peak(
            &mut only,
            nemo_mix::db_to_gain(EXPORT_TARGET.true_peak_dbtp) as f32,
        );
        only
    } else {
        mix
    };
    Ok((
        out,
        MixSummary {
            speech,
            integrated_lufs: loudness.after.integrated_lufs,
            true_peak_dbtp: loudness.after.true_peak_dbtp,
        },
    ))
}

/// 32-bit float WAV: no quantisation before the AAC encoder.
fn write_wav(path: &Path, pcm: &StereoBuffer) -> Result<(), hound::Error> {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: pcm.sample_rate,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut writer = hound::WavWriter::create(path, spec)?;
    for (l, r) in pcm.left.iter().zip(&pcm.right) {
        writer.write_sample(*l)?;
        writer.write_sample(*r)?;
    }
    writer.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(frames: usize, amp: f32) -> StereoBuffer {
        let s: Vec<f32> = (0..frames)
            .map(|i| amp * (i as f32 * 2.0 * std::f32::consts::PI * 220.0 / 48_000.0).sin())
            .collect();
        StereoBuffer::from_channels(48_000, s.clone(), s)
    }

    #[test]
    fn placing_loops_scales_and_offsets() {
        let src = StereoBuffer::from_channels(48_000, vec![1.0; 480], vec![1.0; 480]);
        let mut bed = StereoBuffer::silent(48_000, 2000);
        place(
            &mut bed,
            &Placed {
                source: &src,
                start_frame: 100,
                in_frame: 240,
                frames: 1000,
                volume: 0.5,
                fade_in_ms: 0,
                fade_out_ms: 0,
                looped: true,
            },
        );
        assert!(bed.left[..100].iter().all(|s| *s == 0.0));
        assert!(bed.left[100..1100].iter().all(|s| (*s - 0.5).abs() < 1e-6));
        assert!(bed.left[1100..].iter().all(|s| *s == 0.0));
        let mut once = StereoBuffer::silent(48_000, 2000);
        place(
            &mut once,
            &Placed {
                source: &src,
                start_frame: 0,
                in_frame: 0,
                frames: 1000,
                volume: 1.0,
                fade_in_ms: 0,
                fade_out_ms: 0,
                looped: false,
            },
        );
        assert!(once.left[480..].iter().all(|s| *s == 0.0));
    }

    #[test]
    fn flags_come_from_the_draft_meta() {
        let mut draft = RawDraft::default();
        assert_eq!(MixFlags::from_draft(&draft), MixFlags::default());
        let mut m = serde_json::Map::new();
        m.insert(MUTE_ORIGINAL_KEY.to_owned(), serde_json::json!(true));
        m.insert(EXPORT_STEM_KEY.to_owned(), serde_json::json!("music"));
        draft.m = Some(m);
        assert_eq!(
            MixFlags::from_draft(&draft),
            MixFlags {
                mute_original: true,
                music_stem_only: true,
                no_ducking: false,
            }
        );
    }

    #[test]
    fn stem_only_keeps_the_mix_gain_and_ducks() {
        let path = PathBuf::from("/music.wav");
        let mut sources = Sources::default();
        sources.mix.insert(path.clone(), tone(48_000 * 6, 0.2));
        let music = [AudioSegment {
            path,
            source_duration_ms: Some(6000),
            start_ms: 0,
            in_ms: 0,
            duration_ms: 6000,
            volume: 1.0,
            fade_in_ms: 0,
            fade_out_ms: 0,
        }];
        let (mix, summary) =
            mix_sources(&sources, &[], &[], &music, 6000, MixFlags::default()).unwrap();
        assert_eq!(mix.frames(), 48_000 * 6);
        assert!((summary.integrated_lufs + 14.0).abs() < 0.5, "{summary:?}");
        assert!(summary.true_peak_dbtp <= -1.5 + 0.05);
        let stem_only = MixFlags {
            music_stem_only: true,
            ..MixFlags::default()
        };
        let (stem, _) = mix_sources(&sources, &[], &[], &music, 6000, stem_only).unwrap();
        // No original audio: the stem is the whole mix.
        let diff = mix
            .left
            .iter()
            .zip(&stem.left)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0_f32, f32::max);
        assert!(diff < 1e-3, "{diff}");
    }
}
