//! Render (export) submit and poll bodies (protocol §3.8, §3.9, §6).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `POST /api/render/proxy/lambda` body. `sessionId` is the one camelCase field.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RenderRequest {
    pub id: String,
    #[serde(rename = "sessionId")]
    pub session_id: String,
    /// The draft exactly as read from the state endpoint.
    pub draft: Value,
    #[serde(default)]
    pub output: RenderOutput,
}

/// Requested output; `{"format":"mp4","quality":"high"}` by default.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RenderOutput {
    pub format: String,
    pub quality: String,
}

impl Default for RenderOutput {
    fn default() -> Self {
        Self {
            format: "mp4".to_owned(),
            quality: "high".to_owned(),
        }
    }
}

/// Lifecycle of a render job.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum RenderState {
    Pending,
    Processing,
    Completed,
    Failed,
    Cancelled,
}

impl RenderState {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "pending" | "queued" => Self::Pending,
            "processing" | "running" | "rendering" => Self::Processing,
            "completed" | "done" | "success" | "succeeded" => Self::Completed,
            "failed" | "error" => Self::Failed,
            "cancelled" | "canceled" => Self::Cancelled,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Processing => "processing",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }
}

/// A poll response reduced to what a client needs, read tolerantly from either shape:
/// A (`{taskId,status,progress,output:{url}}` at top level) or B
/// (`{success,data:{id,status,progress,outputUrl,error}}`).
#[derive(Debug, Clone, PartialEq)]
pub struct RenderStatus {
    pub id: Option<String>,
    pub state: Option<RenderState>,
    /// Raw status string, kept for messages when it is not one we know.
    pub raw_status: Option<String>,
    /// 0..=100.
    pub progress: Option<f64>,
    pub url: Option<String>,
    pub error: Option<String>,
}

impl RenderStatus {
    /// Reads a poll body (the whole body, envelope included).
    pub fn from_body(body: &Value) -> Self {
        let data = body.get("data").filter(|d| d.is_object());
        let field = |key: &str| data.and_then(|d| d.get(key)).or_else(|| body.get(key));
        let str_field = |key: &str| field(key).and_then(Value::as_str).map(str::to_owned);
        let url = [
            data.and_then(|d| d.get("outputUrl")),
            body.get("outputUrl"),
            data.and_then(|d| d.pointer("/output/url")),
            body.pointer("/output/url"),
        ]
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .find(|s| !s.is_empty())
        .map(str::to_owned);
        let raw_status = str_field("status");
        Self {
            id: str_field("id").or_else(|| str_field("taskId")),
            state: raw_status.as_deref().and_then(RenderState::parse),
            raw_status,
            progress: field("progress").and_then(Value::as_f64),
            url,
            error: field("error").and_then(|e| match e {
                Value::String(s) => Some(s.clone()),
                Value::Null => None,
                other => Some(other.to_string()),
            }),
        }
    }
}

/// Shape-B poll data as the embedded engine writes it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RenderJobData {
    pub id: String,
    pub status: RenderState,
    pub progress: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<i64>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_shape_a() {
        let s = RenderStatus::from_body(&json!({"taskId":"render_1","status":"completed",
            "progress":100,"output":{"url":"https://cdn/x.mp4","duration":30.5}}));
        assert_eq!(s.state, Some(RenderState::Completed));
        assert_eq!(s.url.as_deref(), Some("https://cdn/x.mp4"));
        assert_eq!(s.id.as_deref(), Some("render_1"));
    }

    #[test]
    fn reads_shape_b() {
        let s = RenderStatus::from_body(&json!({"success":true,"data":{"id":"render_2",
            "status":"processing","progress":50}}));
        assert_eq!(s.state, Some(RenderState::Processing));
        assert_eq!(s.progress, Some(50.0));
        assert_eq!(s.url, None);
        let f = RenderStatus::from_body(
            &json!({"success":true,"data":{"status":"failed","error":"invalid draft"}}),
        );
        assert_eq!(f.error.as_deref(), Some("invalid draft"));
    }
}
