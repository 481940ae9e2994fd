//! Request and response bodies of the JSON endpoints (protocol §3).
//! Unknown fields are kept in `extra` maps so nothing the server adds is lost.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::RawDraft;

/// `POST /api/auth/anonymous-token` response data.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AnonymousToken {
    pub token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits: Option<i64>,
    /// ISO-8601 UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

/// `POST /api/tasks/me/with-session/nemo_agent` body.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CreateSessionRequest {
    pub task_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// Create-session response data.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SessionCreated {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    pub session_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

/// `POST /api/auth/claim-token` body.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClaimTokenRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    pub session_id: String,
}

/// Claim-token response data.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClaimToken {
    pub claim_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<i64>,
}

/// One part of a chat message.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Part {
    pub text: String,
}

/// A chat message (`new_message`). `role` is optional (ADK `Content`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Content {
    pub parts: Vec<Part>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

impl Content {
    /// All text parts joined with newlines.
    pub fn text(&self) -> String {
        self.parts
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// `POST /run_sse` body.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunSseRequest {
    pub app_name: String,
    pub user_id: String,
    pub session_id: String,
    pub new_message: Content,
}

impl RunSseRequest {
    pub fn new(session_id: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            app_name: crate::APP_NAME.to_owned(),
            user_id: crate::USER_ME.to_owned(),
            session_id: session_id.into(),
            new_message: Content {
                parts: vec![Part { text: text.into() }],
                role: None,
            },
        }
    }
}

/// Upload in URL mode.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UploadUrlsRequest {
    pub urls: Vec<String>,
    pub source_type: String,
}

/// `video`, `image` or `audio`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum FileType {
    Video,
    Image,
    Audio,
}

/// One uploaded file as the server describes it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UploadedFile {
    pub filename: String,
    pub file_type: FileType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cdn_url: Option<String>,
    /// Seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fps: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Upload response data.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UploadResponse {
    pub files: Vec<UploadedFile>,
    #[serde(default)]
    pub session_state_applied: bool,
}

/// `GET /api/credits/balance/simple` data.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Credits {
    pub available: i64,
    pub frozen: i64,
    pub total: i64,
}

/// `GET /api/state/.../latest` data.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SessionState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default)]
    pub state: StateBody,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `state` object inside the state response.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct StateBody {
    #[serde(default)]
    pub video_infos: Vec<Value>,
    /// The timeline; absent or `{}` before anything was generated.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_draft"
    )]
    pub draft: Option<RawDraft>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canvas_config: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_analyses: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_media: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A draft that is `null`, `{}` or not a timeline object reads as "no draft".
fn lenient_draft<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<RawDraft>, D::Error> {
    let value = Option::<Value>::deserialize(d)?;
    Ok(match value {
        Some(Value::Object(map)) if !map.is_empty() => {
            serde_json::from_value(Value::Object(map)).ok()
        }
        _ => None,
    })
}
