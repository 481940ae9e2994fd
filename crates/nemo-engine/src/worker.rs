//! The in-process render worker: claims `render` jobs from the store, renders them with
//! ffmpeg (no database lock held meanwhile), heartbeats the lease with progress, stores the
//! output content-addressed and completes the job guarded by its worker id.
//!
//! A worker that loses its lease (crash, pause, cancellation) stops: its heartbeat update
//! matches no row, so it kills ffmpeg and leaves the row to whoever owns it now.
//!
//! Drafts with music get their audio mixed by `nemo-mix` first ([`mix`]: clip audio + music
//! ducked under speech, at -14 LUFS); ffmpeg then only encodes that one track.
//!
//! Two renderers: drafts with several pictures, or with a crossfade, dip or blur-padding
//! (`m.transition`/`m.framing`, or a montage's `m.montage`), go through the segment renderer
//! ([`nemo_media::segments`]: the draft as a [`crate::montage::CutList`], parallel pieces, GOP
//! copy, frame-exact verification) with the `nemo-mix` track as the soundtrack (without music
//! it is the clips' own audio, not loudness-normalised, as the draft renderer plays it). A single
//! plain clip, or a draft with no pictures, goes to the draft renderer
//! ([`nemo_media::render`]), which can stream-copy a clip that needs no re-encode.

mod mix;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use nemo_media::MediaInfo;
use nemo_media::render::{
    AudioSegment, EncodeSettings, RenderError, RenderPlan, TextPosition, TextSegment, VisualSegment,
};
use nemo_protocol::{RawDraft, TrackType};
use tokio_util::sync::CancellationToken;

use crate::media_store::hash_file;
use crate::server::AppState;
use crate::store::{ClaimedJob, JobOutput, MediaRow};

/// Output frame rate of renders.
const RENDER_FPS: u32 = 30;
/// Progress shown once a job is claimed, before ffmpeg reports.
const STARTED_PROGRESS: f64 = 5.0;

fn ms(v: Option<i64>) -> u64 {
    v.unwrap_or(0).max(0) as u64
}

/// Why a draft cannot be turned into a render plan (shown to the user as the job's error).
fn plan_error(message: impl Into<String>) -> String {
    message.into()
}

/// Resolves a draft's media ids to stored files and builds the render plan.
pub(crate) fn plan_for(
    state: &AppState,
    draft: &RawDraft,
    media: &[MediaRow],
) -> Result<RenderPlan, String> {
    let find = |src: Option<&String>| -> Result<(&MediaRow, PathBuf), String> {
        let id = src.ok_or_else(|| plan_error("a segment has no media reference"))?;
        let row = media
            .iter()
            .find(|m| &m.id == id)
            .ok_or_else(|| plan_error(format!("media {id} is not part of this project")))?;
        let path = state.media.local_path(&row.object_key).map_err(|e| {
            tracing::error!(error = %e, "media path");
            plan_error(format!("media {id} is no longer stored"))
        })?;
        Ok((row, path))
    };
    let mut plan = RenderPlan {
        visuals: Vec::new(),
        audio: Vec::new(),
        texts: Vec::new(),
        fps: RENDER_FPS,
        encode: EncodeSettings {
            preset: state.config.x264_preset.clone(),
            ..EncodeSettings::default()
        },
    };
    let mut video_done = false;
    for track in &draft.t {
        match track.track_type() {
            // Only the first picture track is the main sequence; overlays come later.
            TrackType::Video if !video_done => {
                video_done = true;
                for seg in &track.sg {
                    let (row, path) = find(seg.src.as_ref())?;
                    let info: MediaInfo =
                        serde_json::from_value(row.probe.clone()).map_err(|_| {
                            plan_error(format!("media {} has no usable probe data", row.id))
                        })?;
                    plan.visuals.push(VisualSegment {
                        path,
                        info,
                        in_ms: ms(seg.source_in),
                        duration_ms: ms(seg.d),
                        volume: seg.vol.unwrap_or(1.0).clamp(0.0, 2.0),
                    });
                }
            }
            TrackType::Audio => {
                for seg in &track.sg {
                    let (row, path) = find(seg.src.as_ref())?;
                    plan.audio.push(AudioSegment {
                        path,
                        source_duration_ms: row.duration_ms.map(|d| d.max(0) as u64),
                        start_ms: ms(seg.st),
                        in_ms: ms(seg.source_in),
                        duration_ms: ms(seg.d),
                        volume: seg.vol.unwrap_or(1.0).clamp(0.0, 2.0),
                        fade_in_ms: ms(seg.fi),
                        fade_out_ms: ms(seg.fo),
                    });
                }
            }
            TrackType::Text => {
                for seg in &track.sg {
                    let Some(text) = seg.tx.as_deref().filter(|t| !t.trim().is_empty()) else {
                        continue;
                    };
                    let meta = seg.m.as_ref();
                    let position = match meta
                        .and_then(|m| m.get("position"))
                        .and_then(|p| p.as_str())
                    {
                        Some("bottom") => TextPosition::Bottom,
                        Some("top") => TextPosition::Top,
                        _ => TextPosition::Center,
                    };
                    let size = meta
                        .and_then(|m| m.get("size"))
                        .and_then(serde_json::Value::as_u64)
                        .unwrap_or(96);
                    plan.texts.push(TextSegment {
                        text: text.to_owned(),
                        start_ms: ms(seg.st),
                        duration_ms: ms(seg.d),
                        size: size.clamp(12, 300) as u32,
                        position,
                    });
                }
            }
            _ => {}
        }
    }
    plan.validate().map_err(|e| e.to_string())?;
    Ok(plan)
}

/// Runs the worker loop until `shutdown`.
pub(crate) async fn run(state: Arc<AppState>, shutdown: CancellationToken) {
    let worker = format!("worker-{}", uuid::Uuid::new_v4().simple());
    let lease_ms = i64::try_from(state.config.job_lease.as_millis()).unwrap_or(30_000);
    loop {
        if shutdown.is_cancelled() {
            return;
        }
        let claimed = match state
            .store
            .claim_job(crate::server::RENDER_JOB, &worker, lease_ms)
            .await
        {
            Ok(job) => job,
            Err(e) => {
                tracing::error!(error = %e, "could not claim a render job");
                None
            }
        };
        match claimed {
            Some(job) => process(&state, &worker, lease_ms, job, &shutdown).await,
            None => {
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = tokio::time::sleep(state.config.job_poll) => {}
                    () = state.job_queued.notified() => {}
                }
            }
        }
    }
}

/// Renders one claimed job to completion, failure, or hand-back.
async fn process(
    state: &AppState,
    worker: &str,
    lease_ms: i64,
    job: ClaimedJob,
    shutdown: &CancellationToken,
) {
    tracing::info!(job = %job.id, attempt = job.attempts, "rendering");
    let progress = Arc::new(AtomicU64::new(STARTED_PROGRESS.to_bits()));
    let lost = CancellationToken::new();
    let heartbeat = tokio::spawn(heartbeat(
        state.store.clone(),
        job.id.clone(),
        worker.to_owned(),
        lease_ms,
        state.config.job_heartbeat,
        progress.clone(),
        lost.clone(),
    ));
    let cancel = CancellationToken::new();
    let result = tokio::select! {
        result = render_job(state, &job, cancel.clone(), progress.clone()) => Some(result),
        () = lost.cancelled() => { cancel.cancel(); None }
        () = shutdown.cancelled() => { cancel.cancel(); None }
    };
    heartbeat.abort();
    let store = &state.store;
    let outcome = match result {
        Some(Ok(output)) => store
            .complete_job(&job.id, worker, &output)
            .await
            .map(|done| {
                if !done {
                    tracing::warn!(job = %job.id, "finished a render this worker no longer owned");
                }
            }),
        Some(Err(Failure { message, retry })) => {
            let backoff = 1000 * job.attempts;
            store
                .fail_job(&job.id, worker, &message, retry, backoff)
                .await
                .map(|_| ())
        }
        None if shutdown.is_cancelled() => store.release_job(&job.id, worker).await.map(|_| ()),
        None => Ok(()), // cancelled by the user or lease lost: the row already says so
    };
    if let Err(e) = outcome {
        tracing::error!(job = %job.id, error = %e, "could not record the render outcome");
    }
}

/// Extends the lease and writes progress until aborted; cancels `lost` when the row is no
/// longer ours.
async fn heartbeat(
    store: crate::store::Store,
    id: String,
    worker: String,
    lease_ms: i64,
    every: Duration,
    progress: Arc<AtomicU64>,
    lost: CancellationToken,
) {
    loop {
        let value = f64::from_bits(progress.load(Ordering::Relaxed));
        match store
            .heartbeat_job(&id, &worker, lease_ms, Some(value))
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                lost.cancel();
                return;
            }
            Err(e) => tracing::warn!(job = %id, error = %e, "heartbeat failed"),
        }
        tokio::time::sleep(every).await;
    }
}

struct Failure {
    message: String,
    retry: bool,
}

async fn render_job(
    state: &AppState,
    job: &ClaimedJob,
    cancel: CancellationToken,
    progress: Arc<AtomicU64>,
) -> Result<JobOutput, Failure> {
    let fail = |message: String| Failure {
        message,
        retry: false,
    };
    let draft: RawDraft =
        serde_json::from_value(job.payload.get("draft").cloned().unwrap_or_default())
            .map_err(|e| fail(format!("the draft is not a timeline: {e}")))?;
    let media = state
        .store
        .session_media(&job.session_id)
        .await
        .map_err(|e| Failure {
            message: format!("could not read the project's media: {e}"),
            retry: true,
        })?;
    let mut plan = plan_for(state, &draft, &media).map_err(fail)?;
    let base = state
        .config
        .tmp_dir()
        .join(format!("render-{}-{}", job.id, job.attempts));
    let output = base.with_extension("mp4");
    let work_dir = base.with_extension("d");
    let segmented = use_segment_renderer(&draft, &plan);
    let mixed = segmented || !plan.audio.is_empty();
    if mixed && let Err(failure) = mix_audio(&mut plan, &draft, &work_dir, &job.id).await {
        let _ = tokio::fs::remove_dir_all(&work_dir).await;
        return Err(failure);
    }
    // 5 % at claim, 95 % when ffmpeg is done; the last 5 % is verify + store.
    let on_progress = |p: nemo_media::Progress| {
        if let Some(f) = p.fraction {
            progress.store((STARTED_PROGRESS + 90.0 * f).to_bits(), Ordering::Relaxed);
        }
    };
    let stored = if segmented {
        match segment_plan_for(state, &draft, &media, &plan) {
            Ok(segments) => {
                let result = nemo_media::segments::render_segments(
                    &segments,
                    &output,
                    &work_dir,
                    cancel,
                    on_progress,
                )
                .await;
                match result {
                    Ok(report) => {
                        tracing::info!(job = %job.id, pieces = report.pieces,
                            copied = report.copied_frames, encoded = report.encoded_frames,
                            "segment render done");
                        deliver(
                            state,
                            &job.id,
                            mixed,
                            &output,
                            &report.info,
                            segments.duration_ms(),
                        )
                        .await
                    }
                    Err(e) => Err(segment_failure(&job.id, &e)),
                }
            }
            Err(message) => Err(fail(message)),
        }
    } else {
        let result =
            nemo_media::render::render(&plan, &output, &work_dir, cancel, on_progress).await;
        match result {
            Ok(report) => {
                deliver(
                    state,
                    &job.id,
                    mixed,
                    &output,
                    &report.info,
                    report.planned_ms,
                )
                .await
            }
            Err(e) => Err(render_failure(&job.id, &e)),
        }
    };
    let _ = tokio::fs::remove_file(&output).await;
    let _ = tokio::fs::remove_dir_all(&work_dir).await;
    stored
}

/// Whether a draft goes through the segment renderer ([`nemo_media::segments`]): every draft
/// with pictures except a single clip without transitions or blur-padding. The segment
/// renderer is frame-exact (shot lengths rounded from the running total, the frame count
/// verified), draws crossfades, dips and blur-padding, renders pieces in parallel and copies
/// whole GOPs of sources already in the output format. A single plain clip stays on the draft
/// renderer, which can stream-copy the whole picture.
fn use_segment_renderer(draft: &RawDraft, plan: &RenderPlan) -> bool {
    !plan.visuals.is_empty()
        && (plan.visuals.len() > 1 || crate::montage::needs_segment_renderer(draft))
}

/// The draft as a segment plan: the cut list of its picture track (files resolved through the
/// media store) with the mixed soundtrack of `mixed` (after [`mix_audio`]) as its audio.
fn segment_plan_for(
    state: &AppState,
    draft: &RawDraft,
    media: &[MediaRow],
    mixed: &RenderPlan,
) -> Result<nemo_media::segments::SegmentPlan, String> {
    let cuts = crate::montage::CutList::from_draft(draft, RENDER_FPS, |id| {
        let row = media.iter().find(|m| m.id == id)?;
        let path = state.media.local_path(&row.object_key).ok()?;
        let info = serde_json::from_value(row.probe.clone()).ok()?;
        Some(crate::montage::RenderSource { path, info })
    })
    .map_err(|e| e.to_string())?;
    let audio = mixed
        .audio
        .first()
        .map(|a| nemo_media::segments::SegmentAudio {
            path: a.path.clone(),
            volume: a.volume,
            fade_in_ms: 0,
            fade_out_ms: 0,
        });
    let encode = EncodeSettings {
        preset: state.config.x264_preset.clone(),
        ..EncodeSettings::default()
    };
    Ok(cuts.segment_plan(audio, encode))
}

fn segment_failure(job_id: &str, error: &nemo_media::segments::SegmentError) -> Failure {
    use nemo_media::segments::SegmentError;
    match error {
        SegmentError::Media(e) => media_failure(job_id, e),
        SegmentError::Render(e) => render_failure(job_id, e),
        SegmentError::FrameCount { .. } => {
            tracing::error!(job = %job_id, error = %error, "segment render failed");
            Failure {
                message: format!("the rendered file was not valid: {error}"),
                retry: false,
            }
        }
        SegmentError::Empty | SegmentError::ZeroFrames { .. } | SegmentError::ZeroFps => {
            tracing::error!(job = %job_id, error = %error, "segment render failed");
            Failure {
                message: error.to_string(),
                retry: false,
            }
        }
        SegmentError::Worker(_) => {
            tracing::error!(job = %job_id, error = %error, "segment render failed");
            Failure {
                message: "the render stopped unexpectedly; it will be tried again".to_owned(),
                retry: true,
            }
        }
    }
}

/// The `nemo-mix` pass for drafts with music (see [`mix`]).
async fn mix_audio(
    plan: &mut RenderPlan,
    draft: &RawDraft,
    work_dir: &std::path::Path,
    job_id: &str,
) -> Result<(), Failure> {
    tokio::fs::create_dir_all(work_dir).await.map_err(|e| {
        tracing::error!(job = %job_id, error = %e, "render work dir");
        Failure {
            message: "the engine could not write the video (disk full?)".to_owned(),
            retry: true,
        }
    })?;
    let flags = mix::MixFlags::from_draft(draft);
    match mix::mix_into_plan(plan, flags, work_dir).await {
        Ok(summary) => {
            tracing::info!(job = %job_id, speech = summary.speech.len(),
                lufs = summary.integrated_lufs, dbtp = summary.true_peak_dbtp, "audio mixed");
            Ok(())
        }
        Err(e) => {
            tracing::error!(job = %job_id, error = %e, "audio mix failed");
            Err(Failure {
                message: "the engine could not mix the audio of this timeline; the engine log has the details".to_owned(),
                retry: false,
            })
        }
    }
}

fn render_failure(job_id: &str, error: &RenderError) -> Failure {
    match error {
        RenderError::Plan(e) => {
            tracing::error!(job = %job_id, error = %error, "render failed");
            Failure {
                message: e.to_string(),
                retry: false,
            }
        }
        RenderError::Verify(detail) => {
            tracing::error!(job = %job_id, error = %error, "render failed");
            Failure {
                message: format!("the rendered file was not valid: {detail}"),
                retry: false,
            }
        }
        RenderError::Media(e) => media_failure(job_id, e),
    }
}

fn media_failure(job_id: &str, error: &nemo_media::MediaError) -> Failure {
    tracing::error!(job = %job_id, error = %error, "render failed");
    match error {
        nemo_media::MediaError::ToolMissing { .. } => Failure {
            message: "ffmpeg is not installed on the engine's machine; install it (apt-get install ffmpeg) and export again".to_owned(),
            retry: false,
        },
        nemo_media::MediaError::Io { .. } => {
            Failure { message: "the engine could not write the video (disk full?)".to_owned(), retry: true }
        }
        // ffmpeg's own messages name local files, which API responses never show.
        _ => Failure {
            message: "ffmpeg could not render this timeline; the engine log has the details".to_owned(),
            retry: false,
        },
    }
}

/// Checks the encoded audio of a mixed render against the true-peak limit (fixing it when AAC
/// overshot), then stores the file.
async fn deliver(
    state: &AppState,
    job_id: &str,
    mixed: bool,
    output: &std::path::Path,
    info: &MediaInfo,
    planned_ms: u64,
) -> Result<JobOutput, Failure> {
    if mixed && info.audio.is_some() {
        mix::enforce_true_peak(output)
            .await
            .map_err(|e| media_failure(job_id, &e))?;
    }
    store_output(state, output, info, planned_ms).await
}

async fn store_output(
    state: &AppState,
    output: &std::path::Path,
    info: &MediaInfo,
    planned_ms: u64,
) -> Result<JobOutput, Failure> {
    let retry = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, "storing the render failed");
        Failure {
            message: "the engine could not store the rendered video".to_owned(),
            retry: true,
        }
    };
    let (sha256, size) = hash_file(output).await.map_err(|e| retry(&e))?;
    let key = state
        .media
        .put_file(output, &sha256, size)
        .await
        .map_err(|e| retry(&e))?;
    Ok(JobOutput {
        key,
        sha256,
        size: size as i64,
        duration_ms: info.duration_ms.unwrap_or(planned_ms) as i64,
    })
}
