//! Errors: [`EngineError`] for starting and running the engine, [`ApiError`] for what a
//! request answers (HTTP status + the protocol's body code + a clear message).
//!
//! Body codes follow the protocol (1001 bad token, 1002 unknown session, 2001 no credits,
//! 4001 unsupported file, 4002 too large); HTTP-only conditions (400 missing client id, 429
//! rate limit) carry their status number as the body code too, so a client reading either
//! field sees the same thing.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use nemo_protocol::ApiCode;
use serde_json::{Value, json};

use crate::media_store::MediaStoreError;
use crate::store::StoreError;

/// Errors starting or running the engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("could not create the data directory {path}: {source}")]
    DataDir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Media(#[from] MediaStoreError),
    #[error("the server stopped unexpectedly: {0}")]
    Serve(std::io::Error),
}

/// A request failure as the client sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
    /// Render endpoints answer `{success:false,error,code}` instead of `{code,message}`.
    pub render_envelope: bool,
}

impl ApiError {
    fn new(status: StatusCode, code: i64, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            data: None,
            render_envelope: false,
        }
    }

    #[must_use]
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    /// The same error in the render endpoints' `{success,...}` envelope.
    #[must_use]
    pub fn for_render(mut self) -> Self {
        self.render_envelope = true;
        self
    }

    pub fn bad_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ApiCode::BadToken.as_i64(),
            "the token is missing, invalid or expired; request a new anonymous token",
        )
    }

    pub fn session_not_found(session_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ApiCode::SessionNotFound.as_i64(),
            format!("session {session_id} was not found for this token; create a new session"),
        )
    }

    pub fn no_credits(needed: i64, available: i64) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ApiCode::NoCredits.as_i64(),
            format!("not enough credits: this needs {needed}, {available} available"),
        )
        .with_data(json!({"needed": needed, "available": available}))
    }

    pub fn unsupported(detail: impl Into<String>) -> Self {
        let formats: Vec<&str> = nemo_protocol::ACCEPTED_EXTENSIONS.to_vec();
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiCode::UnsupportedFile.as_i64(),
            format!(
                "{}; supported formats: {}",
                detail.into(),
                nemo_protocol::accepted_formats_list()
            ),
        )
        .with_data(json!({"formats": formats}))
    }

    pub fn too_large(limit: u64) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ApiCode::FileTooLarge.as_i64(),
            format!(
                "the file is larger than the {} MB limit; compress or trim it and try again",
                limit / (1024 * 1024)
            ),
        )
        .with_data(json!({"max_bytes": limit}))
    }

    /// A URL could not be fetched (unreachable host, HTTP error, timeout).
    pub fn fetch_failed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_GATEWAY, 4003, message)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, 400, message)
    }

    pub fn rate_limited(message: impl Into<String>) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, 429, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, 404, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, 409, message)
    }

    /// An internal failure: logged in full, answered with a generic message.
    pub fn internal(error: &dyn std::fmt::Display) -> Self {
        tracing::error!(%error, "request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            500,
            "the engine hit an internal error; see its log for details",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::SessionNotFound(id) => Self::session_not_found(&id),
            other => Self::internal(&other),
        }
    }
}

impl From<MediaStoreError> for ApiError {
    fn from(e: MediaStoreError) -> Self {
        Self::internal(&e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = if self.render_envelope {
            json!({"success": false, "code": self.code, "error": self.message, "data": self.data})
        } else {
            let mut body = json!({"code": self.code, "message": self.message});
            if let Some(data) = self.data {
                body["data"] = data;
            }
            body
        };
        (self.status, Json(body)).into_response()
    }
}
