//! Row types of the store and their decoding from `AnyRow` (no derive macros: the `Any`
//! driver only knows int/float/text/blob/bool, so every column is read explicitly).

use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::StoreError;

/// The media columns in `SELECT` order; a macro so the query text stays a `&'static str`.
macro_rules! media_columns {
    () => {
        "id, session_id, sha256, object_key, filename, file_type, origin, size_bytes, duration_ms, \
         width, height, fps, has_audio, probe, meta, created_at"
    };
}

/// A user (anonymous, identified by the client id that asked for the token).
#[derive(Debug, Clone, PartialEq)]
pub struct UserRow {
    pub id: String,
    pub client_id: String,
    pub credits: i64,
    pub frozen: i64,
    pub created_at: i64,
}

impl UserRow {
    pub(crate) fn from_row(row: &AnyRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.try_get("id")?,
            client_id: row.try_get("client_id")?,
            credits: row.try_get("credits")?,
            frozen: row.try_get("frozen")?,
            created_at: row.try_get("created_at")?,
        })
    }
}

/// A token as handed to the client once (only its hash is stored).
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    pub user: UserRow,
    pub expires_at: i64,
}

/// A project (task) and its chat session; the cloud pairs them one to one.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRow {
    pub id: String,
    pub task_id: String,
    pub user_id: String,
    pub task_name: String,
    pub language: Option<String>,
    pub draft_version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl SessionRow {
    pub(crate) fn from_row(row: &AnyRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.try_get("id")?,
            task_id: row.try_get("task_id")?,
            user_id: row.try_get("user_id")?,
            task_name: row.try_get("task_name")?,
            language: row.try_get("language")?,
            draft_version: row.try_get("draft_version")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

/// One chat message.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageRow {
    pub role: String,
    pub content: String,
    pub events: Option<Value>,
    pub created_at: i64,
}

impl MessageRow {
    pub(crate) fn from_row(row: &AnyRow) -> Result<Self, StoreError> {
        let events: Option<String> = row.try_get("events")?;
        Ok(Self {
            role: row.try_get("role")?,
            content: row.try_get("content")?,
            events: events.as_deref().map(serde_json::from_str).transpose()?,
            created_at: row.try_get("created_at")?,
        })
    }
}

/// A stored media file of a session (upload, URL import or generated track).
#[derive(Debug, Clone, PartialEq)]
pub struct MediaRow {
    pub id: String,
    pub session_id: String,
    pub sha256: String,
    pub object_key: String,
    /// Sanitised display name.
    pub filename: String,
    /// `video`, `image` or `audio`.
    pub file_type: String,
    /// `upload`, `url` or `generated`.
    pub origin: String,
    pub size_bytes: i64,
    pub duration_ms: Option<i64>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub fps: Option<f64>,
    pub has_audio: bool,
    /// The ffprobe summary the render planner needs (codec, pixel format, profile).
    pub probe: Value,
    /// Free-form details (music brief, generator report).
    pub meta: Option<Value>,
    pub created_at: i64,
}

impl MediaRow {
    pub(crate) fn from_row(row: &AnyRow) -> Result<Self, StoreError> {
        let probe: String = row.try_get("probe")?;
        let meta: Option<String> = row.try_get("meta")?;
        Ok(Self {
            id: row.try_get("id")?,
            session_id: row.try_get("session_id")?,
            sha256: row.try_get("sha256")?,
            object_key: row.try_get("object_key")?,
            filename: row.try_get("filename")?,
            file_type: row.try_get("file_type")?,
            origin: row.try_get("origin")?,
            size_bytes: row.try_get("size_bytes")?,
            duration_ms: row.try_get("duration_ms")?,
            width: row.try_get("width")?,
            height: row.try_get("height")?,
            fps: row.try_get("fps")?,
            has_audio: row.try_get::<i64, _>("has_audio")? != 0,
            probe: serde_json::from_str(&probe)?,
            meta: meta.as_deref().map(serde_json::from_str).transpose()?,
            created_at: row.try_get("created_at")?,
        })
    }
}
