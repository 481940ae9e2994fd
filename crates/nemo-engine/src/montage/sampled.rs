//! Sampled analysis for montages: never decode a frame the quality pass does not need.
//!
//! A montage only needs to know which stretches of a clip look good, so instead of decoding
//! every frame (most of a montage's time on grainy 1080p footage) it decodes short bursts:
//! [`BURST_FRAMES`] analysis frames (100 ms apart) right after each keyframe, at least
//! [`MIN_SAMPLE_GAP_MS`] and at most [`MAX_SAMPLE_GAP_MS`] apart. Starting a burst at a
//! keyframe means the decoder needs nothing before it, so with 2 s GOPs about one frame in
//! eight is decoded. Each ffmpeg run seeks several inputs (`-ss` before `-i`, one
//! single-threaded decoder each) and writes one small raw file per burst; clips are sampled two
//! at a time, one per core.
//!
//! Each burst becomes a quality window (brightness, contrast, detail, motion between its
//! frames); windows between bursts take the nearest burst's values. The clip's profile is built
//! from the same frames, with [`ProfileBuilder::gap`] between bursts so a jump between bursts is
//! neither a cut nor motion. What sampling gives up: cuts and black flashes that fall between
//! bursts are not seen, and there is no speech detection (a montage replaces the clip audio
//! with music). Short clips and stills use the full single pass ([`analyze_source`]).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use nemo_analysis::ProfileBuilder;
use nemo_media::{DecodeOptions, MediaError};

use super::quality::{
    MONTAGE_ANALYSIS_FPS, MontageSource, QualityWindow, WINDOW_MS, analyze_source, frame_measures,
};
use crate::analyze::{ANALYSIS_LONG_SIDE, AnalyzeError, off_thread};

/// Analysis frames per burst (at [`MONTAGE_ANALYSIS_FPS`]: 0, 100 and 200 ms).
pub const BURST_FRAMES: usize = 3;
/// Bursts are at least this far apart.
pub const MIN_SAMPLE_GAP_MS: u64 = 1_000;
/// ...and at most this far (extra bursts in long GOPs, which cost decoding from the keyframe).
pub const MAX_SAMPLE_GAP_MS: u64 = 2_500;
/// Clips shorter than this are analysed in full: sampling would save little.
pub const SAMPLED_MIN_MS: u64 = 8_000;
/// Inputs (bursts) per ffmpeg run: bounds the decoders open at once.
const BURSTS_PER_RUN: usize = 12;

/// Where bursts start (ms): keyframes thinned to [`MIN_SAMPLE_GAP_MS`], gaps longer than
/// [`MAX_SAMPLE_GAP_MS`] (also before the end) filled evenly, none later than a burst before
/// the end.
pub fn sample_times(keyframes_ms: &[u64], duration_ms: u64) -> Vec<u64> {
    let burst_ms = BURST_FRAMES as u64 * 1000 / MONTAGE_ANALYSIS_FPS as u64;
    let last_start = duration_ms.saturating_sub(burst_ms);
    let mut anchors: Vec<u64> = keyframes_ms
        .iter()
        .copied()
        .filter(|&k| k <= last_start)
        .collect();
    anchors.sort_unstable();
    if anchors.first() != Some(&0) {
        anchors.insert(0, 0);
    }
    let mut times: Vec<u64> = Vec::new();
    for &anchor in &anchors {
        if let Some(&previous) = times.last() {
            if anchor < previous + MIN_SAMPLE_GAP_MS {
                continue;
            }
            if anchor > previous + MAX_SAMPLE_GAP_MS {
                let gap = anchor - previous;
                let parts = gap.div_ceil(2_000);
                times.extend((1..parts).map(|k| previous + gap * k / parts));
            }
        }
        times.push(anchor);
    }
    // The tail: a burst near the end costs decoding from its keyframe, so only when the last
    // one is too far away.
    let mut last = times.last().copied().unwrap_or(0);
    while last_start > last + MAX_SAMPLE_GAP_MS {
        last = (last + 2_000).min(last_start);
        times.push(last);
    }
    times.dedup();
    times
}

/// One quality window from a burst's frames (RGB24, `width` x `height`).
pub fn burst_window(start_ms: u64, width: u32, height: u32, frames: &[Vec<u8>]) -> QualityWindow {
    let measures: Vec<_> = frames
        .iter()
        .filter_map(|rgb| frame_measures(width, height, rgb))
        .collect();
    let n = measures.len().max(1) as f64;
    let steps: Vec<f64> = measures
        .windows(2)
        .map(|pair| {
            let (a, b) = (&pair[0].luma, &pair[1].luma);
            let total: f64 = a
                .iter()
                .zip(b)
                .map(|(&x, &y)| f64::from(x.abs_diff(y)))
                .sum();
            total / (a.len().max(1) as f64 * 255.0)
        })
        .collect();
    QualityWindow {
        start_ms: start_ms / WINDOW_MS * WINDOW_MS,
        brightness: measures.iter().map(|m| m.brightness).sum::<f64>() / n,
        contrast: measures.iter().map(|m| m.contrast).sum::<f64>() / n,
        edges: measures.iter().map(|m| m.edges).sum::<f64>() / n,
        motion: steps.iter().sum::<f64>() / steps.len().max(1) as f64,
    }
}

/// Every [`WINDOW_MS`] window of a clip of `duration_ms`, each a copy of the nearest sampled
/// window (`samples` ascending by start).
pub fn fill_windows(samples: &[QualityWindow], duration_ms: u64) -> Vec<QualityWindow> {
    if samples.is_empty() {
        return Vec::new();
    }
    (0..duration_ms.div_ceil(WINDOW_MS).max(1))
        .map(|k| {
            let start_ms = k * WINDOW_MS;
            let nearest = samples
                .iter()
                .min_by_key(|s| s.start_ms.abs_diff(start_ms))
                .copied()
                .unwrap_or_default();
            QualityWindow {
                start_ms,
                ..nearest
            }
        })
        .collect()
}

/// Analyses a clip for a montage from sampled bursts (see the module docs); stills, clips
/// shorter than [`SAMPLED_MIN_MS`] and files without keyframe data use the full pass.
/// Burst files go to `scratch` (created when missing, removed afterwards).
///
/// # Cancel safety
/// Dropping the future kills ffmpeg.
pub async fn analyze_source_sampled(
    path: &Path,
    scratch: &Path,
) -> Result<MontageSource, AnalyzeError> {
    // The keyframe scan (demux only) runs alongside the probe; stills ignore it. At a "frame
    // rate" of 1000 its frame positions are milliseconds.
    let (info, keyframes) = tokio::join!(
        nemo_media::probe(path),
        nemo_media::segments::probe_keyframes(path, 1000)
    );
    let info = info?;
    let duration_ms = info.duration_ms.unwrap_or(0);
    let Some(video) = info.video.as_ref().filter(|_| !info.is_image) else {
        return analyze_source(path).await;
    };
    if duration_ms < SAMPLED_MIN_MS {
        return analyze_source(path).await;
    }
    let keyframes_ms = match keyframes {
        Ok(index) => index.keyframes.iter().map(|k| k.0).collect::<Vec<_>>(),
        Err(_) => return analyze_source(path).await,
    };
    let size = DecodeOptions::fitting(
        video.display_width(),
        video.display_height(),
        ANALYSIS_LONG_SIDE,
        MONTAGE_ANALYSIS_FPS,
    );
    let times = sample_times(&keyframes_ms, duration_ms);
    let keyframes = keyframes_ms.clone();
    let bursts = decode_bursts(path, &times, size.width, size.height, scratch).await?;
    let (width, height) = (size.width, size.height);
    let (profile, windows) = off_thread(path, move || {
        let mut builder = ProfileBuilder::new(MONTAGE_ANALYSIS_FPS);
        let mut samples = Vec::with_capacity(bursts.len());
        for (k, (start_ms, frames)) in times.iter().zip(&bursts).enumerate() {
            if frames.is_empty() {
                continue;
            }
            if k > 0 {
                builder.gap();
            }
            let step_ms = (1000.0 / MONTAGE_ANALYSIS_FPS) as u64;
            for (j, rgb) in frames.iter().enumerate() {
                builder.push_frame(start_ms + j as u64 * step_ms, width, height, rgb);
            }
            samples.push(burst_window(*start_ms, width, height, frames));
        }
        (
            builder.finish(duration_ms, None),
            fill_windows(&samples, duration_ms),
        )
    })
    .await?;
    Ok(MontageSource {
        path: path.to_owned(),
        info,
        profile,
        windows,
        keyframes_ms: keyframes,
    })
}

/// Decodes the burst starting at each of `times` (ms): frames per burst, in order.
async fn decode_bursts(
    path: &Path,
    times: &[u64],
    width: u32,
    height: u32,
    scratch: &Path,
) -> Result<Vec<Vec<Vec<u8>>>, MediaError> {
    tokio::fs::create_dir_all(scratch)
        .await
        .map_err(|source| MediaError::Io {
            action: "creating",
            path: scratch.to_owned(),
            source,
        })?;
    let frame_bytes = width as usize * height as usize * 3;
    let mut bursts = Vec::with_capacity(times.len());
    for (run, chunk) in times.chunks(BURSTS_PER_RUN).enumerate() {
        let outputs: Vec<PathBuf> = (0..chunk.len())
            .map(|i| scratch.join(format!("burst-{run}-{i}.rgb")))
            .collect();
        let args = burst_args(path, chunk, width, height, &outputs);
        let ffmpeg = &nemo_media::tools()?.ffmpeg;
        let output = tokio::process::Command::new(ffmpeg)
            .args(&args)
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true)
            .output()
            .await
            .map_err(|source| MediaError::Spawn {
                tool: "ffmpeg",
                source,
            })?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
            return Err(MediaError::Failed {
                tool: "ffmpeg",
                status: output.status.to_string(),
                stderr_tail: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
            });
        }
        for file in &outputs {
            let bytes = tokio::fs::read(file)
                .await
                .map_err(|source| MediaError::Io {
                    action: "reading",
                    path: file.clone(),
                    source,
                })?;
            let _ = tokio::fs::remove_file(file).await;
            bursts.push(
                bytes
                    .chunks_exact(frame_bytes)
                    .map(<[u8]>::to_vec)
                    .collect(),
            );
        }
    }
    Ok(bursts)
}

/// One ffmpeg run: an input-seeked, single-threaded decoder per burst, each writing
/// [`BURST_FRAMES`] small RGB frames to its own file.
fn burst_args(
    path: &Path,
    times: &[u64],
    width: u32,
    height: u32,
    outputs: &[PathBuf],
) -> Vec<OsString> {
    let mut args: Vec<OsString> = ["-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
        .map(OsString::from)
        .into();
    for &t in times {
        // 5 ms past the keyframe: the seek lands on it (never on the GOP before, which would
        // cost a whole GOP of decoding) whatever the rounding of its timestamp.
        let seek = format!("{:.3}", (t + 5) as f64 / 1000.0);
        args.extend(
            [
                "-threads",
                "1",
                "-skip_loop_filter",
                "all",
                "-ss",
                &seek,
                "-i",
            ]
            .map(OsString::from),
        );
        args.push(path.as_os_str().to_owned());
    }
    let filter = format!("fps={MONTAGE_ANALYSIS_FPS},scale={width}:{height}:flags=area");
    let frames = BURST_FRAMES.to_string();
    for (i, out) in outputs.iter().enumerate() {
        let map = format!("{i}:v:0");
        args.extend(
            [
                "-map",
                &map,
                "-vf",
                &filter,
                "-frames:v",
                &frames,
                "-an",
                "-pix_fmt",
                "rgb24",
                "-f",
                "rawvideo",
            ]
            .map(OsString::from),
        );
        args.push(out.as_os_str().to_owned());
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_start_at_keyframes_thinned_and_filled() {
        // 2 s GOPs over 20 s: every keyframe; the tail is within reach of the last one.
        let gop: Vec<u64> = (0..10).map(|k| k * 2000).collect();
        assert_eq!(sample_times(&gop, 20_000), gop);
        // Dense keyframes are thinned to 1 s apart.
        let dense: Vec<u64> = (0..40).map(|k| k * 250).collect();
        let times = sample_times(&dense, 10_000);
        assert!(
            times.windows(2).all(|w| w[1] - w[0] >= MIN_SAMPLE_GAP_MS),
            "{times:?}"
        );
        assert_eq!(times.first(), Some(&0));
        assert!(
            *times.last().unwrap() + MAX_SAMPLE_GAP_MS >= 9_700,
            "{times:?}"
        );
        // A 10 s GOP gets bursts in between, no gap over MAX_SAMPLE_GAP_MS.
        let times = sample_times(&[0, 10_000], 20_000);
        assert!(
            times.windows(2).all(|w| w[1] - w[0] <= MAX_SAMPLE_GAP_MS),
            "{times:?}"
        );
        assert!(times.contains(&10_000));
        assert!(
            *times.last().unwrap() + MAX_SAMPLE_GAP_MS >= 19_700,
            "{times:?}"
        );
        // No keyframe data: still covered from 0.
        let times = sample_times(&[], 9_000);
        assert_eq!(times.first(), Some(&0));
        assert!(times.windows(2).all(|w| w[1] - w[0] <= MAX_SAMPLE_GAP_MS));
    }

    #[test]
    fn burst_windows_measure_motion_and_fill_to_the_nearest() {
        let (w, h) = (8_u32, 4_u32);
        let grey = |v: u8| vec![v; (w * h * 3) as usize];
        let still = burst_window(2_100, w, h, &[grey(100), grey(100), grey(100)]);
        assert_eq!(still.start_ms, 2_000);
        assert!(still.is_frozen());
        let moving = burst_window(4_000, w, h, &[grey(100), grey(120), grey(140)]);
        assert!((moving.motion - 20.0 / 255.0).abs() < 1e-9, "{moving:?}");
        let black = burst_window(0, w, h, &[grey(0), grey(0)]);
        assert!(black.is_black());
        let filled = fill_windows(&[black, still, moving], 5_000);
        assert_eq!(filled.len(), 10);
        assert!(
            filled
                .iter()
                .enumerate()
                .all(|(k, w)| w.start_ms == k as u64 * WINDOW_MS)
        );
        // 0-0.5 s black, 1.5-2.5 s still, 3.5 s on moving.
        assert!(filled[0].is_black() && filled[1].is_black());
        assert!(filled[3].is_frozen() && filled[5].is_frozen());
        assert!((filled[8].motion - moving.motion).abs() < 1e-12);
    }

    /// 12 s at 320x180, 1 s GOPs: moving pattern, 4 s of black, moving pattern.
    fn clip_with_black_middle(path: &Path) {
        let status = std::process::Command::new("ffmpeg")
            .args([
                "-hide_banner",
                "-loglevel",
                "error",
                "-y",
                "-filter_complex",
            ])
            .arg(
                "testsrc2=s=320x180:r=30:d=4[a];color=black:s=320x180:r=30:d=4[b];\
                 testsrc2=s=320x180:r=30:d=4[c];[a][b][c]concat=n=3[v]",
            )
            .args([
                "-map",
                "[v]",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-g",
                "30",
            ])
            .args(["-pix_fmt", "yuv420p"])
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    }

    #[tokio::test]
    async fn sampled_analysis_finds_the_black_stretch_the_full_pass_finds() {
        let dir = tempfile::tempdir().unwrap();
        let clip = dir.path().join("clip.mp4");
        clip_with_black_middle(&clip);
        let sampled = analyze_source_sampled(&clip, &dir.path().join("scratch"))
            .await
            .unwrap();
        let full = analyze_source(&clip).await.unwrap();
        assert_eq!(sampled.windows.len(), 24, "{:?}", sampled.windows);
        assert_eq!(sampled.keyframes_ms.len(), 12, "{:?}", sampled.keyframes_ms);
        // Bursts decode a fraction of the frames (3 analysis frames per second of 10).
        assert!(sampled.profile.frames_analyzed <= full.profile.frames_analyzed / 3 + 3);
        for (s, f) in sampled.windows.iter().zip(&full.windows) {
            assert_eq!(s.start_ms, f.start_ms);
            // Windows at a burst agree with the full pass on black; the moving parts move.
            if s.start_ms % 1000 == 0 {
                assert_eq!(s.is_black(), f.is_black(), "{s:?} vs {f:?}");
            }
            if s.start_ms < 3_500 || s.start_ms >= 8_500 {
                assert!(!s.is_black() && !s.is_frozen(), "{s:?}");
            }
            if (4_500..7_500).contains(&s.start_ms) {
                assert!(s.is_black(), "{s:?}");
            }
        }
        // The jumps between bursts are not cuts, and the mood sees motion.
        assert!(
            sampled.profile.features.motion > 0.001,
            "{:?}",
            sampled.profile
        );
        assert!(!dir.path().join("scratch/burst-0-0.rgb").exists());
    }
}
