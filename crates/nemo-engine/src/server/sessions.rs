//! Sessions, credits and the state endpoint.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use nemo_protocol::envelope::CodeEnvelope;
use nemo_protocol::{CreateSessionRequest, Credits, SessionCreated};
use serde_json::{Map, Value, json};

use super::{AppState, check_user_alias};
use crate::config::{CreditPolicy, UNLIMITED_CREDITS};
use crate::error::ApiError;
use crate::store::{MediaRow, UserRow};

pub(crate) fn balance(state: &AppState, user: &UserRow) -> Credits {
    match state.config.credits {
        CreditPolicy::Unlimited => Credits {
            available: UNLIMITED_CREDITS,
            frozen: 0,
            total: UNLIMITED_CREDITS,
        },
        CreditPolicy::Metered { .. } => Credits {
            available: user.credits,
            frozen: user.frozen,
            total: user.credits + user.frozen,
        },
    }
}

pub(crate) async fn create_session(
    State(state): State<Arc<AppState>>,
    Path(user_alias): Path<String>,
    headers: HeaderMap,
    body: Option<Json<CreateSessionRequest>>,
) -> Result<Json<CodeEnvelope<SessionCreated>>, ApiError> {
    let user = state.authenticate(&headers).await?;
    if user_alias != nemo_protocol::USER_ME && user_alias != user.id {
        return Err(ApiError::bad_request("use `me` as the user in this path"));
    }
    let (name, language) = match body {
        Some(Json(req)) => (req.task_name, req.language),
        None => ("project".to_owned(), None),
    };
    let name = name.trim();
    let name = if name.is_empty() { "project" } else { name };
    let name: String = name.chars().take(200).collect();
    let session = state
        .store
        .create_session(&user.id, &name, language.as_deref())
        .await?;
    Ok(Json(CodeEnvelope::ok(SessionCreated {
        task_id: Some(session.task_id),
        session_id: session.id,
        user_id: Some(user.id),
    })))
}

pub(crate) async fn credits(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<CodeEnvelope<Credits>>, ApiError> {
    let user = state.authenticate(&headers).await?;
    Ok(Json(CodeEnvelope::ok(balance(&state, &user))))
}

pub(crate) async fn state(
    State(state): State<Arc<AppState>>,
    Path((user_alias, session_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<CodeEnvelope<Value>>, ApiError> {
    let user = state.authenticate(&headers).await?;
    check_user_alias(&user_alias, &user, &session_id)?;
    let session = state.owned_session(&user, &session_id).await?;
    let (version, draft) = state.store.current_draft(&session.id).await?;
    let media = state.store.session_media(&session.id).await?;
    let (video_infos, generated): (Vec<&MediaRow>, Vec<&MediaRow>) =
        media.iter().partition(|m| m.origin != "generated");
    let body = json!({
        "session_id": session.id,
        "task_id": session.task_id,
        "task_name": session.task_name,
        "user_id": user.id,
        "draft_version": version,
        "state": {
            "video_infos": video_infos.iter().map(|m| media_info_json(&state, m)).collect::<Vec<_>>(),
            "draft": draft,
            "canvas_config": {"width": 1920, "height": 1080, "aspect_ratio": "16:9"},
            "video_analyses": Map::new(),
            "generated_media": generated.iter().map(|m| media_info_json(&state, m)).collect::<Vec<_>>(),
        }
    });
    Ok(Json(CodeEnvelope::ok(body)))
}

/// A media row as the protocol's `video_infos`/upload `files` entry (no local paths).
pub(crate) fn media_info_json(state: &AppState, media: &MediaRow) -> Value {
    let mut info = json!({
        "media_id": media.id,
        "filename": media.filename,
        "file_type": media.file_type,
        "cdn_url": state.media_url(&media.sha256, extension_of(&media.filename, &media.file_type)),
        "hash": media.sha256,
        "size": media.size_bytes,
        "origin": media.origin,
    });
    if let Some(d) = media.duration_ms {
        info["duration"] = json!(d as f64 / 1000.0);
    }
    if let (Some(w), Some(h)) = (media.width, media.height) {
        info["width"] = json!(w);
        info["height"] = json!(h);
    }
    if let Some(fps) = media.fps {
        info["fps"] = json!((fps * 1000.0).round() / 1000.0);
    }
    if let Some(meta) = &media.meta {
        info["meta"] = meta.clone();
    }
    info
}

/// The extension used in a media URL (only a hint for the content type).
pub(crate) fn extension_of<'a>(filename: &'a str, file_type: &'a str) -> &'a str {
    match filename.rsplit_once('.') {
        Some((_, ext)) if nemo_protocol::media_kind_for_extension(ext).is_some() => ext,
        _ => match file_type {
            "audio" => "wav",
            "image" => "png",
            _ => "mp4",
        },
    }
}
