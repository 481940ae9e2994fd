//! `GET /media/{sha256}.{ext}`: content-addressed downloads without a bearer token, like the
//! cloud's CDN URLs. The 256-bit content hash is the capability: only someone who was handed
//! the URL (or already has the bytes) can name it.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::error::ApiError;
use crate::media_store::{is_sha256, key_for};

pub(crate) fn content_type_for(extension: &str) -> &'static str {
    match extension.to_ascii_lowercase().as_str() {
        "mp4" | "m4v" => "video/mp4",
        "mov" => "video/quicktime",
        "webm" => "video/webm",
        "mkv" => "video/x-matroska",
        "avi" => "video/x-msvideo",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "wav" => "audio/wav",
        "mp3" => "audio/mpeg",
        "m4a" | "aac" => "audio/mp4",
        _ => "application/octet-stream",
    }
}

/// Streams a stored object as the response body.
pub(crate) async fn stream_object(
    state: &AppState,
    key: &str,
    content_type: &'static str,
    attachment_name: Option<&str>,
) -> Result<Response, ApiError> {
    let size = match state.media.size(key).await {
        Ok(size) => size,
        Err(crate::media_store::MediaStoreError::Store(object_store::Error::NotFound {
            ..
        })) => {
            return Err(ApiError::not_found("that file is no longer stored"));
        }
        Err(e) => return Err(e.into()),
    };
    let stream = state.media.stream(key).await?;
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    if let Some(name) = attachment_name
        && let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

pub(crate) async fn media(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let (hash, extension) = name.split_once('.').unwrap_or((name.as_str(), ""));
    if !is_sha256(hash) {
        return Err(ApiError::not_found("no such file"));
    }
    stream_object(&state, &key_for(hash), content_type_for(extension), None).await
}
