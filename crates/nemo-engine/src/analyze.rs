//! Clip analysis glue: one decode pass through nemo-media feeding nemo-analysis.
//!
//! The clip is probed, then decoded once to small RGB frames (long side
//! [`ANALYSIS_LONG_SIDE`] px, at the source frame rate up to [`MAX_ANALYSIS_FPS`] so cut times
//! are exact to a source frame) with its 16 kHz mono audio taken from the same ffmpeg process.
//! In a stream with B-frames only the frames other frames reference are decoded (about half
//! the decoding work); nemo-analysis treats the skipped slots as repeats and keeps cut times
//! within a frame. Frames are analysed as they arrive and dropped, so memory stays flat for
//! long clips.

use std::path::{Path, PathBuf};

use nemo_analysis::{ProfileBuilder, VideoProfile};
use nemo_media::{
    DecodeOptions, DecodedAudio, FrameDecoder, MediaError, RgbFrame, VAD_SAMPLE_RATE,
};

/// Long side of analysis frames, in pixels.
pub const ANALYSIS_LONG_SIDE: u32 = 160;
/// Highest analysis frame rate; faster sources are sampled down to it.
pub const MAX_ANALYSIS_FPS: f64 = 30.0;
/// Frame rate used for stills and streams without a usable rate.
const FALLBACK_FPS: f64 = 10.0;

/// Why a clip could not be analysed.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    /// ffmpeg/ffprobe failed, or the file is not media.
    #[error(transparent)]
    Media(#[from] MediaError),
    /// The analysis task panicked or was cancelled by the runtime.
    #[error("analysis of {} stopped unexpectedly: {detail}", path.display())]
    Task {
        /// The clip.
        path: PathBuf,
        /// What the runtime reported.
        detail: String,
    },
}

impl AnalyzeError {
    /// The analysis thread for `path` panicked or was cancelled.
    fn task(path: &Path, error: &tokio::task::JoinError) -> Self {
        Self::Task {
            path: path.to_owned(),
            detail: error.to_string(),
        }
    }
}

/// Options beyond the defaults.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnalyzeOptions {
    /// Also write the clip's audio as 48 kHz stereo float WAV here (same decode pass), for mixing.
    pub mix_audio: Option<PathBuf>,
}

/// A profile plus the side outputs of the pass.
#[derive(Debug, Clone, PartialEq)]
pub struct ClipAnalysis {
    /// The clip's profile.
    pub profile: VideoProfile,
    /// The 48 kHz WAV, when asked for and the clip has audio.
    pub mix_wav: Option<PathBuf>,
}

/// Analyses one clip (video, still image or audio-only file).
///
/// # Cancel safety
/// Dropping the future kills ffmpeg and leaves no temp files.
pub async fn analyze_clip(path: &Path) -> Result<VideoProfile, AnalyzeError> {
    Ok(analyze_clip_with(path, &AnalyzeOptions::default())
        .await?
        .profile)
}

/// Analyses clips one after another (each decode already uses both cores) and returns one
/// profile per clip; [`nemo_analysis::combine`] joins them into the sequence's profile.
///
/// # Cancel safety
/// Dropping the future kills the running ffmpeg.
pub async fn analyze_clips(paths: &[PathBuf]) -> Result<Vec<VideoProfile>, AnalyzeError> {
    let mut profiles = Vec::with_capacity(paths.len());
    for path in paths {
        profiles.push(analyze_clip(path).await?);
    }
    Ok(profiles)
}

/// [`analyze_clip`] with options.
///
/// # Cancel safety
/// Dropping the future kills ffmpeg and leaves no temp files.
pub async fn analyze_clip_with(
    path: &Path,
    options: &AnalyzeOptions,
) -> Result<ClipAnalysis, AnalyzeError> {
    let info = nemo_media::probe(path).await?;
    let Some(video) = info.video.as_ref() else {
        return analyze_audio_only(path, info.duration_ms.unwrap_or(0), options).await;
    };
    let fps = if info.is_image {
        FALLBACK_FPS
    } else {
        video
            .fps
            .filter(|f| f.is_finite() && *f > 0.0)
            .map_or(FALLBACK_FPS, |f| f.min(MAX_ANALYSIS_FPS))
    };
    let has_audio = info.audio.is_some();
    let decode = DecodeOptions {
        // Skipped B-frames arrive as repeats, which the analysis expects (see nemo-analysis's
        // visual module): half the decoding for cuts within a frame.
        reference_frames_only: video.b_frames,
        vad_audio: has_audio,
        mix_audio: options.mix_audio.clone().filter(|_| has_audio),
        ..DecodeOptions::fitting(
            video.display_width(),
            video.display_height(),
            ANALYSIS_LONG_SIDE,
            fps,
        )
    };
    let decoder = FrameDecoder::open(path, decode)?;
    let (builder, audio) =
        analyze_frames(path, decoder, ProfileBuilder::new(fps), |builder, frame| {
            builder.push_frame(frame.time_ms, frame.width, frame.height, &frame.data);
        })
        .await?;
    let duration_ms = info.duration_ms.unwrap_or(0);
    let pcm = audio.vad_pcm;
    let profile = off_thread(path, move || builder.finish(duration_ms, pcm.as_deref())).await?;
    Ok(ClipAnalysis {
        profile,
        mix_wav: audio.mix_wav,
    })
}

async fn analyze_audio_only(
    path: &Path,
    duration_ms: u64,
    options: &AnalyzeOptions,
) -> Result<ClipAnalysis, AnalyzeError> {
    let pcm = nemo_media::extract_pcm_i16(path, VAD_SAMPLE_RATE, 1).await?;
    let mix_wav = match &options.mix_audio {
        Some(out) => {
            nemo_media::transcode_audio(path, out).await?;
            Some(out.clone())
        }
        None => None,
    };
    let builder = ProfileBuilder::new(FALLBACK_FPS);
    let profile = off_thread(path, move || builder.finish(duration_ms, Some(&pcm))).await?;
    Ok(ClipAnalysis { profile, mix_wav })
}

/// Frames ffmpeg may run ahead of the analysis: about half a second at 30 fps (under 1 MB of
/// small frames).
const FRAME_QUEUE: usize = 16;

/// Feeds every frame of `decoder` to `push(&mut analyser, frame)` on a blocking thread, then
/// collects the audio taps. This task only drains the pipe, so ffmpeg (which scales frames on
/// the thread that writes them) never waits while a frame is being measured.
///
/// # Cancel safety
/// Dropping the future kills ffmpeg; the analysis thread stops at the end of the queue.
pub(crate) async fn analyze_frames<A: Send + 'static>(
    path: &Path,
    mut decoder: FrameDecoder,
    mut analyser: A,
    push: impl Fn(&mut A, &RgbFrame) + Send + 'static,
) -> Result<(A, DecodedAudio), AnalyzeError> {
    let (frames, mut queue) = tokio::sync::mpsc::channel::<RgbFrame>(FRAME_QUEUE);
    let worker = tokio::task::spawn_blocking(move || {
        while let Some(frame) = queue.blocking_recv() {
            push(&mut analyser, &frame);
        }
        analyser
    });
    while let Some(frame) = decoder.next_frame().await? {
        if frames.send(frame).await.is_err() {
            break; // the analysis thread panicked: reported below
        }
    }
    drop(frames);
    let audio = decoder.finish().await?;
    let analyser = worker.await.map_err(|e| AnalyzeError::task(path, &e))?;
    Ok((analyser, audio))
}

/// Runs CPU-bound analysis of `path` (voice detection, loudness, profile building) on a
/// blocking thread, off the async workers.
pub(crate) async fn off_thread<T: Send + 'static>(
    path: &Path,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AnalyzeError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AnalyzeError::task(path, &e))
}
