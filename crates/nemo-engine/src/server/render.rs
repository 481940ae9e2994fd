//! Render endpoints (shape B: `{success, data:{id,status,progress,outputUrl,error,...}}`).
//! Submitting inserts a job row; the worker renders it; polling reads the row.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use nemo_protocol::envelope::SuccessEnvelope;
use nemo_protocol::render::RenderJobData;
use nemo_protocol::{RawDraft, RenderRequest, RenderState};
use serde_json::json;

use super::AppState;
use crate::error::ApiError;
use crate::store::{EnqueueError, JobRow, JobState, NewJob, UserRow};

/// The job kind of a render.
pub(crate) const RENDER_JOB: &str = "render";
const MAX_RENDER_ID_LEN: usize = 128;

fn valid_render_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_RENDER_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// A job row as poll data.
pub(crate) fn job_data(state: &AppState, job: &JobRow) -> RenderJobData {
    let status = match job.state {
        JobState::Queued => RenderState::Pending,
        JobState::Running => RenderState::Processing,
        JobState::Completed => RenderState::Completed,
        JobState::Failed => RenderState::Failed,
        JobState::Cancelled => RenderState::Cancelled,
    };
    RenderJobData {
        id: job.id.clone(),
        status,
        progress: (job.progress * 10.0).round() / 10.0,
        output_url: job
            .output_sha256
            .as_deref()
            .filter(|_| job.state == JobState::Completed)
            .map(|sha| state.media_url(sha, "mp4")),
        error: job
            .error
            .clone()
            .filter(|_| matches!(job.state, JobState::Failed | JobState::Cancelled)),
        created_at: Some(job.created_at),
        completed_at: job.completed_at,
    }
}

async fn owned_job(state: &AppState, user: &UserRow, render_id: &str) -> Result<JobRow, ApiError> {
    match state.store.job(render_id).await? {
        Some(job) if job.user_id == user.id && job.kind == RENDER_JOB => Ok(job),
        _ => Err(ApiError::not_found(format!(
            "render {render_id} was not found"
        ))),
    }
}

pub(crate) async fn submit(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Json(request): Json<RenderRequest>,
) -> Result<Json<SuccessEnvelope<RenderJobData>>, ApiError> {
    let user = state
        .authenticate(&headers)
        .await
        .map_err(ApiError::for_render)?;
    let session = state
        .owned_session(&user, &request.session_id)
        .await
        .map_err(ApiError::for_render)?;
    if !valid_render_id(&request.id) {
        return Err(ApiError::bad_request(
            "the render id must be 1-128 characters of letters, digits, '_', '-' or '.'",
        )
        .for_render());
    }
    let draft: RawDraft = serde_json::from_value(request.draft.clone()).map_err(|e| {
        ApiError::bad_request(format!("the draft is not a timeline object: {e}")).for_render()
    })?;
    if draft.t.iter().all(|t| t.sg.is_empty()) {
        return Err(ApiError::bad_request(
            "the project has nothing to render yet: upload a clip or ask for music first",
        )
        .for_render());
    }
    let job = NewJob {
        id: request.id.clone(),
        kind: RENDER_JOB.to_owned(),
        session_id: session.id,
        user_id: user.id,
        payload: json!({"draft": request.draft, "output": request.output}),
        cost: state.config.render_cost(),
        max_attempts: state.config.job_max_attempts,
    };
    let row = match state.store.enqueue_job(&job).await {
        Ok(row) => row,
        Err(EnqueueError::Duplicate(id)) => {
            return Err(ApiError::conflict(format!(
                "render id {id} was already used; submit again with a new id"
            ))
            .for_render());
        }
        Err(EnqueueError::NoCredits { needed, available }) => {
            return Err(ApiError::no_credits(needed, available).for_render());
        }
        Err(EnqueueError::Store(e)) => return Err(ApiError::from(e).for_render()),
    };
    state.job_queued.notify_one();
    Ok(job_envelope(&state, &row))
}

/// The shape-B body every render endpoint answers with.
fn job_envelope(state: &AppState, job: &JobRow) -> Json<SuccessEnvelope<RenderJobData>> {
    Json(SuccessEnvelope {
        success: true,
        data: Some(job_data(state, job)),
        error: None,
    })
}

pub(crate) async fn poll(
    State(state): State<Arc<AppState>>,
    Path(render_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<SuccessEnvelope<RenderJobData>>, ApiError> {
    let (_, job) = caller_render(&state, &headers, &render_id).await?;
    Ok(job_envelope(&state, &job))
}

/// The caller and their render `render_id`, with errors in the render endpoints' shape.
async fn caller_render(
    state: &AppState,
    headers: &HeaderMap,
    render_id: &str,
) -> Result<(UserRow, JobRow), ApiError> {
    let user = state
        .authenticate(headers)
        .await
        .map_err(ApiError::for_render)?;
    let job = owned_job(state, &user, render_id)
        .await
        .map_err(ApiError::for_render)?;
    Ok((user, job))
}

pub(crate) async fn cancel(
    State(state): State<Arc<AppState>>,
    Path(render_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<SuccessEnvelope<RenderJobData>>, ApiError> {
    let (user, _) = caller_render(&state, &headers, &render_id).await?;
    state
        .store
        .cancel_job(&render_id)
        .await
        .map_err(|e| ApiError::from(e).for_render())?;
    let job = owned_job(&state, &user, &render_id)
        .await
        .map_err(ApiError::for_render)?;
    Ok(job_envelope(&state, &job))
}

pub(crate) async fn download(
    State(state): State<Arc<AppState>>,
    Path(render_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let user = state.authenticate(&headers).await?;
    let job = owned_job(&state, &user, &render_id).await?;
    let key = match (job.state, job.output_key.as_deref()) {
        (JobState::Completed, Some(key)) => key.to_owned(),
        (JobState::Failed | JobState::Cancelled, _) => {
            return Err(ApiError::conflict(format!(
                "render {render_id} did not finish: {}",
                job.error.unwrap_or_else(|| "no output".to_owned())
            )));
        }
        _ => {
            return Err(ApiError::conflict(format!(
                "render {render_id} is still {}; poll until it completes",
                if job.state == JobState::Queued {
                    "pending"
                } else {
                    "processing"
                }
            )));
        }
    };
    super::files::stream_object(&state, &key, "video/mp4", Some(&format!("{render_id}.mp4"))).await
}
