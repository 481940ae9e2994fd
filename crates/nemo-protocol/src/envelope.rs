//! Response envelopes. The backend mixes three shapes (protocol §2.3):
//! `{code, data, message|msg}`, `{success, data, error}` and a bare object.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ApiCode;

/// A failed envelope: the body said `code != 0` or `success == false`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("api error {code}: {message}")]
pub struct EnvelopeError {
    pub code: ApiCode,
    pub message: String,
    /// `data` of the failed envelope, when present (some errors carry details).
    pub data: Option<Value>,
}

/// Unwraps any of the three envelope shapes, returning the payload.
///
/// - `{code, data, message|msg}`: error when `code != 0`, else `data` (or `null`).
/// - `{success, data, error}`: error when `success` is false, else `data` (or the whole body).
/// - anything else is returned unchanged.
pub fn parse_envelope(body: Value) -> Result<Value, EnvelopeError> {
    let Value::Object(mut map) = body else {
        return Ok(body);
    };
    if let Some(code) = map.get("code").and_then(Value::as_i64) {
        let message = message_of(&map, &["message", "msg"]);
        let data = map.remove("data");
        if code != 0 {
            return Err(EnvelopeError {
                code: ApiCode::from_i64(code),
                message,
                data,
            });
        }
        return Ok(data.unwrap_or(Value::Null));
    }
    if let Some(success) = map.get("success").and_then(Value::as_bool) {
        if !success {
            let message = message_of(&map, &["error", "message", "msg"]);
            let code = map.get("code").and_then(Value::as_i64).unwrap_or(-1);
            return Err(EnvelopeError {
                code: ApiCode::from_i64(code),
                message,
                data: map.remove("data"),
            });
        }
        return Ok(map.remove("data").unwrap_or(Value::Object(map)));
    }
    Ok(Value::Object(map))
}

fn message_of(map: &serde_json::Map<String, Value>, keys: &[&str]) -> String {
    keys.iter()
        .find_map(|k| match map.get(*k) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::Object(o)) => o.get("message").and_then(Value::as_str).map(str::to_owned),
            _ => None,
        })
        .unwrap_or_default()
}

/// The `{code, data, message}` envelope as a server writes it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CodeEnvelope<T> {
    pub code: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<T>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

impl<T> CodeEnvelope<T> {
    pub fn ok(data: T) -> Self {
        Self {
            code: 0,
            data: Some(data),
            message: String::new(),
        }
    }

    pub fn err(code: ApiCode, message: impl Into<String>) -> Self {
        Self {
            code: code.as_i64(),
            data: None,
            message: message.into(),
        }
    }
}

/// The `{success, data, error}` envelope the render endpoints use (shape B).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SuccessEnvelope<T> {
    pub success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[cfg(test)]
mod tests;
