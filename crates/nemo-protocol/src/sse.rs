//! SSE events of `/run_sse`. Two candidate schemas are live (protocol §4.3): simple typed events
//! (`{"type":"text","content":...}`) and Google ADK `Event` objects (`content.parts[]`).
//! [`classify_sse_data`] reads either; [`SimpleEvent`] is what the embedded engine writes.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One classified SSE `data:` payload. A payload can hold several ADK parts, so classification
/// returns a list.
#[derive(Debug, Clone, PartialEq)]
pub enum SseEvent {
    /// Text for the user (after GUI translation).
    Text(String),
    /// A partial chunk of text (`partial: true`).
    Chunk(String),
    /// A tool call; kept internal.
    ToolCall { name: String, args: Value },
    /// A tool result; kept internal (progress may be read from it).
    ToolResult { name: String, result: Value },
    /// Keep-alive: `{"type":"heartbeat"}`, empty `data:` or a comment.
    Heartbeat,
    /// The run failed mid-stream.
    Error(String),
    /// Valid JSON of no known shape, or invalid JSON: ignored (and logged) by clients.
    Unknown,
}

/// Classifies one `data:` payload (without the `data:` prefix).
pub fn classify_sse_data(data: &str) -> Vec<SseEvent> {
    let trimmed = data.trim();
    if trimmed.is_empty() {
        return vec![SseEvent::Heartbeat];
    }
    let Ok(value) = serde_json::from_str::<Value>(trimmed) else {
        return vec![SseEvent::Unknown];
    };
    classify_value(&value)
}

fn classify_value(value: &Value) -> Vec<SseEvent> {
    if let Some(error) = error_of(value) {
        return vec![SseEvent::Error(error)];
    }
    if let Some(kind) = value.get("type").and_then(Value::as_str) {
        return vec![classify_simple(kind, value)];
    }
    let partial = value
        .get("partial")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if let Some(parts) = value.pointer("/content/parts").and_then(Value::as_array) {
        return parts
            .iter()
            .filter_map(|p| classify_part(p, partial))
            .collect();
    }
    if let Some(text) = value.get("text").and_then(Value::as_str) {
        return vec![if partial {
            SseEvent::Chunk(text.to_owned())
        } else {
            SseEvent::Text(text.to_owned())
        }];
    }
    vec![SseEvent::Unknown]
}

fn error_of(value: &Value) -> Option<String> {
    let obj = value.as_object()?;
    for key in ["error", "errorMessage", "error_message"] {
        match obj.get(key) {
            Some(Value::String(s)) => return Some(s.clone()),
            Some(Value::Object(o)) => {
                return Some(
                    o.get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("error")
                        .to_owned(),
                );
            }
            _ => {}
        }
    }
    ["errorCode", "error_code"]
        .iter()
        .find_map(|k| obj.get(*k))
        .map(|code| format!("error {code}"))
}

fn classify_simple(kind: &str, value: &Value) -> SseEvent {
    let text = || {
        value
            .get("content")
            .or_else(|| value.get("text"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let name = || {
        value
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    match kind {
        "heartbeat" | "ping" | "keepalive" => SseEvent::Heartbeat,
        "text" => SseEvent::Text(text()),
        "chunk" | "partial" => SseEvent::Chunk(text()),
        "tool_call" => SseEvent::ToolCall {
            name: name(),
            args: value.get("args").cloned().unwrap_or(Value::Null),
        },
        "tool_result" => SseEvent::ToolResult {
            name: name(),
            result: value.get("result").cloned().unwrap_or(Value::Null),
        },
        "error" => SseEvent::Error(text()),
        _ => SseEvent::Unknown,
    }
}

fn classify_part(part: &Value, partial: bool) -> Option<SseEvent> {
    if part.get("thought").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    if let Some(text) = part.get("text").and_then(Value::as_str) {
        return Some(if partial {
            SseEvent::Chunk(text.to_owned())
        } else {
            SseEvent::Text(text.to_owned())
        });
    }
    if let Some(call) = part
        .get("functionCall")
        .or_else(|| part.get("function_call"))
    {
        return Some(SseEvent::ToolCall {
            name: call
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            args: call.get("args").cloned().unwrap_or(Value::Null),
        });
    }
    if let Some(resp) = part
        .get("functionResponse")
        .or_else(|| part.get("function_response"))
    {
        return Some(SseEvent::ToolResult {
            name: resp
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            result: resp.get("response").cloned().unwrap_or(Value::Null),
        });
    }
    None
}

/// Candidate-1 simple event, as the embedded engine writes it (`data: <json>\n\n`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SimpleEvent {
    Text { content: String },
    ToolCall { name: String, args: Value },
    ToolResult { name: String, result: Value },
    Heartbeat,
    Error { content: String },
}

#[cfg(test)]
mod tests;
