//! How good each half second of a clip looks, measured in the same single decode pass that
//! builds the clip's [`VideoProfile`] (so a montage never decodes a clip twice for analysis).
//!
//! Per window of [`WINDOW_MS`]: mean brightness, RMS contrast, edge energy (mean absolute
//! luma gradient: a cheap sharpness proxy, blur flattens it), and motion (mean absolute luma
//! change between consecutive analysis frames). From those: black (dark and flat), frozen (no
//! change at all), and a score that prefers detailed, well-exposed, moving pictures.

use std::path::{Path, PathBuf};

use nemo_analysis::{ProfileBuilder, VideoProfile};
use nemo_media::{DecodeOptions, FrameDecoder, MediaInfo};

use crate::analyze::{ANALYSIS_LONG_SIDE, AnalyzeError, analyze_frames, off_thread};

use super::plan::SourceSummary;

/// Length of a quality window.
pub const WINDOW_MS: u64 = 500;
/// Analysis frame rate for montage sources (enough for motion and cuts, cheap to decode).
pub const MONTAGE_ANALYSIS_FPS: f64 = 10.0;

/// Picture quality of one window.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct QualityWindow {
    /// Start of the window (ms).
    pub start_ms: u64,
    /// Mean luma, 0..=1.
    pub brightness: f64,
    /// Luma standard deviation, 0..=0.5.
    pub contrast: f64,
    /// Mean absolute horizontal + vertical luma gradient, 0..=1.
    pub edges: f64,
    /// Mean absolute luma change between consecutive analysis frames, 0..=1.
    pub motion: f64,
}

impl QualityWindow {
    /// Dark and flat: a black (or nearly black) picture.
    pub fn is_black(&self) -> bool {
        self.brightness < 0.07 && self.contrast < 0.05
    }

    /// Nothing changes: a frozen frame or a still shot of a still scene.
    pub fn is_frozen(&self) -> bool {
        self.motion < 0.002
    }

    /// Motion energy 0..=1 (0.05 mean luma change per frame step is full energy).
    pub fn energy(&self) -> f64 {
        (self.motion / 0.05).min(1.0)
    }

    /// How good the window looks: detail 35%, contrast 25%, motion 30% (moderate motion is
    /// best, shaking is penalised), exposure 10%. Black windows score -1, frozen ones half.
    pub fn score(&self) -> f64 {
        if self.is_black() {
            return -1.0;
        }
        let detail = (self.edges / 0.08).min(1.0);
        let contrast = (self.contrast / 0.2).min(1.0);
        let motion =
            ((self.motion / 0.03).min(1.0) - ((self.motion - 0.15) / 0.15).max(0.0)).max(0.0);
        let exposure = 1.0 - ((self.brightness - 0.5).abs() * 2.0).min(1.0);
        let score = 0.35 * detail + 0.25 * contrast + 0.3 * motion + 0.1 * exposure;
        if self.is_frozen() { score * 0.5 } else { score }
    }
}

/// Picture measures of one frame.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct FrameMeasures {
    /// BT.709 luma, one byte per pixel.
    pub luma: Vec<u8>,
    /// Mean luma, 0..=1.
    pub brightness: f64,
    /// Luma standard deviation, 0..=0.5.
    pub contrast: f64,
    /// Mean absolute horizontal + vertical luma gradient, 0..=1.
    pub edges: f64,
}

/// Measures one RGB24 frame (`None` when empty or too short for its size).
pub(super) fn frame_measures(width: u32, height: u32, rgb: &[u8]) -> Option<FrameMeasures> {
    let (w, h) = (width as usize, height as usize);
    if w == 0 || h == 0 || rgb.len() < w * h * 3 {
        return None;
    }
    let luma: Vec<u8> = rgb
        .chunks_exact(3)
        .take(w * h)
        .map(|p| {
            (0.2126 * f32::from(p[0]) + 0.7152 * f32::from(p[1]) + 0.0722 * f32::from(p[2])).round()
                as u8
        })
        .collect();
    let n = luma.len() as f64;
    let mean = luma.iter().map(|&y| f64::from(y)).sum::<f64>() / n;
    let variance = luma
        .iter()
        .map(|&y| (f64::from(y) - mean).powi(2))
        .sum::<f64>()
        / n;
    let mut gradient = 0_u64;
    for y in 0..h {
        for x in 0..w {
            let here = luma[y * w + x];
            if x + 1 < w {
                gradient += u64::from(here.abs_diff(luma[y * w + x + 1]));
            }
            if y + 1 < h {
                gradient += u64::from(here.abs_diff(luma[(y + 1) * w + x]));
            }
        }
    }
    Some(FrameMeasures {
        brightness: mean / 255.0,
        contrast: variance.sqrt() / 255.0,
        edges: gradient as f64 / (2.0 * n * 255.0),
        luma,
    })
}

/// Accumulates per-frame measures into windows.
#[derive(Debug, Default)]
pub struct QualityMeter {
    windows: Vec<QualityWindow>,
    current: Option<(u64, [f64; 4], u32)>,
    previous_luma: Option<Vec<u8>>,
}

impl QualityMeter {
    /// An empty meter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one RGB24 frame.
    pub fn push_frame(&mut self, time_ms: u64, width: u32, height: u32, rgb: &[u8]) {
        let Some(measures) = frame_measures(width, height, rgb) else {
            return;
        };
        let FrameMeasures {
            luma,
            brightness,
            contrast,
            edges,
        } = measures;
        let n = luma.len() as f64;
        let motion = self.previous_luma.as_ref().map_or(0.0, |prev| {
            prev.iter()
                .zip(&luma)
                .map(|(&a, &b)| f64::from(a.abs_diff(b)))
                .sum::<f64>()
                / (n * 255.0)
        });
        let has_motion = self.previous_luma.is_some();
        self.previous_luma = Some(luma);
        let start = time_ms / WINDOW_MS * WINDOW_MS;
        if self.current.is_some_and(|c| c.0 != start) {
            self.close_window();
        }
        let entry = self.current.get_or_insert((start, [0.0; 4], 0));
        entry.1[0] += brightness;
        entry.1[1] += contrast;
        entry.1[2] += edges;
        // The first frame has nothing to compare with; count it as the window's average.
        entry.1[3] += if has_motion { motion } else { f64::NAN };
        entry.2 += 1;
    }

    fn close_window(&mut self) {
        let Some((start_ms, sums, count)) = self.current.take() else {
            return;
        };
        let n = f64::from(count.max(1));
        let motion = if sums[3].is_nan() { 0.0 } else { sums[3] / n };
        self.windows.push(QualityWindow {
            start_ms,
            brightness: sums[0] / n,
            contrast: sums[1] / n,
            edges: sums[2] / n,
            motion,
        });
    }

    /// The windows, in order.
    pub fn finish(mut self) -> Vec<QualityWindow> {
        self.close_window();
        // A window whose only motion sample was the first frame borrows its neighbour's.
        if self.windows.len() > 1 && self.windows[0].motion == 0.0 {
            self.windows[0].motion = self.windows[1].motion;
        }
        self.windows
    }
}

/// A clip or still ready for planning.
#[derive(Debug, Clone, PartialEq)]
pub struct MontageSource {
    /// The file.
    pub path: PathBuf,
    /// ffprobe data.
    pub info: MediaInfo,
    /// The clip's analysis.
    pub profile: VideoProfile,
    /// Picture quality every [`WINDOW_MS`] (empty for stills).
    pub windows: Vec<QualityWindow>,
    /// Keyframe times in ms (empty when not probed), for shots that start on one.
    pub keyframes_ms: Vec<u64>,
}

impl MontageSource {
    /// What the planner needs.
    pub fn summary(&self) -> SourceSummary {
        let is_image = self.info.is_image || self.info.duration_ms.is_none();
        SourceSummary {
            duration_ms: if is_image {
                0
            } else {
                self.info.duration_ms.unwrap_or(self.profile.duration_ms)
            },
            is_image,
            windows: if self.windows.is_empty() && !is_image {
                windows_from_profile(&self.profile)
            } else {
                self.windows.clone()
            },
            cuts_ms: self.profile.cuts.iter().map(|c| c.time_ms).collect(),
            keyframes_ms: if is_image {
                Vec::new()
            } else {
                self.keyframes_ms.clone()
            },
        }
    }
}

/// Windows from a profile alone (callers that analysed the clip elsewhere): motion from the
/// energy curve, neutral picture measures.
pub fn windows_from_profile(profile: &VideoProfile) -> Vec<QualityWindow> {
    profile
        .energy
        .iter()
        .map(|e| QualityWindow {
            start_ms: e.time_ms,
            brightness: profile.features.brightness,
            contrast: profile.features.contrast,
            edges: 0.04,
            motion: e.energy * 0.05,
        })
        .collect()
}

/// Probes and analyses one clip or still in a single decode pass: the clip's profile (as
/// [`crate::analyze::analyze_clip`] computes it) and its quality windows.
///
/// # Cancel safety
/// Dropping the future kills ffmpeg.
pub async fn analyze_source(path: &Path) -> Result<MontageSource, AnalyzeError> {
    let info = nemo_media::probe(path).await?;
    let Some(video) = info.video.as_ref() else {
        return Err(AnalyzeError::Media(nemo_media::MediaError::NotMedia {
            path: path.to_owned(),
            detail: "no picture: a montage needs video clips or images".to_owned(),
        }));
    };
    let has_audio = info.audio.is_some() && !info.is_image;
    let decode = DecodeOptions {
        reference_frames_only: video.b_frames,
        vad_audio: has_audio,
        ..DecodeOptions::fitting(
            video.display_width(),
            video.display_height(),
            ANALYSIS_LONG_SIDE,
            MONTAGE_ANALYSIS_FPS,
        )
    };
    let decoder = FrameDecoder::open(path, decode)?;
    let analysers = (
        ProfileBuilder::new(MONTAGE_ANALYSIS_FPS),
        QualityMeter::new(),
    );
    let ((builder, meter), audio) =
        analyze_frames(path, decoder, analysers, |(builder, meter), frame| {
            meter.push_frame(frame.time_ms, frame.width, frame.height, &frame.data);
            builder.push_frame(frame.time_ms, frame.width, frame.height, &frame.data);
        })
        .await?;
    let duration_ms = info.duration_ms.unwrap_or(0);
    let pcm = audio.vad_pcm;
    let (profile, windows) = off_thread(path, move || {
        (builder.finish(duration_ms, pcm.as_deref()), meter.finish())
    })
    .await?;
    let windows = if info.is_image { Vec::new() } else { windows };
    Ok(MontageSource {
        path: path.to_owned(),
        info,
        profile,
        windows,
        keyframes_ms: Vec::new(),
    })
}
