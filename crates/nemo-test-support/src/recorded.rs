//! Recorded traffic (`tests/fixtures/recorded/<scenario>.json`): the DVR-like format written by
//! `cargo xtask fixtures record`, its redaction, and a replay helper that mounts a recording on
//! a mockito server (workspace style §6.6).
//!
//! Bodies are UTF-8 text, or base64 in `body_base64` when binary. Tokens, claim tokens, client
//! ids and session ids are replaced by placeholders at record time ([`Recording::redact`]); on
//! replay a header whose recorded value holds a placeholder only has to be present.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use base64::Engine as _;
use mockito::{Matcher, Mock, Server};
use regex::Regex;
use serde::{Deserialize, Serialize};

/// Current format version.
pub const VERSION: u32 = 1;

/// One recorded scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recording {
    pub version: u32,
    /// What the scenario exercises.
    pub docs: String,
    /// `mock` or `live`.
    pub source: String,
    /// Crate and version that recorded it, e.g. `nemo-client 0.1.0`.
    pub recorded_with: String,
    pub events: Vec<Exchange>,
}

/// One request and its response, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    pub request: Message,
    pub response: Message,
}

/// A request (method, path) or a response (status); headers lowercased.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Message {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
}

impl Message {
    /// The body bytes (text or decoded base64).
    pub fn body_bytes(&self) -> Vec<u8> {
        match (&self.body, &self.body_base64) {
            (Some(text), _) => text.clone().into_bytes(),
            (None, Some(b64)) => base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap_or_default(),
            (None, None) => Vec::new(),
        }
    }

    /// Stores `bytes` as text when they are UTF-8, else as base64.
    pub fn set_body(&mut self, bytes: &[u8]) {
        if let Ok(text) = std::str::from_utf8(bytes) {
            (self.body, self.body_base64) = (Some(text.to_owned()), None);
        } else {
            self.body = None;
            self.body_base64 = Some(base64::engine::general_purpose::STANDARD.encode(bytes));
        }
    }
}

/// Placeholder patterns, most specific first (a render id holds a millisecond timestamp).
static REDACTIONS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (r"nmv_usr_[A-Za-z0-9_\-]+", "[token]"),
        (r"clm_[A-Za-z0-9_\-]+", "[claim_token]"),
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[client_id]",
        ),
        (r"\b\d{19}\b", "[session_id]"),
    ]
    .into_iter()
    .filter_map(|(re, to)| Regex::new(re).ok().map(|re| (re, to)))
    .collect()
});

/// Replaces secrets and volatile ids in `text` with placeholders.
pub fn redact_text(text: &str) -> String {
    REDACTIONS.iter().fold(text.to_owned(), |acc, (re, to)| {
        re.replace_all(&acc, *to).into_owned()
    })
}

impl Recording {
    /// A recording with no events yet.
    pub fn new(docs: &str, source: &str, recorded_with: &str) -> Self {
        Self {
            version: VERSION,
            docs: docs.to_owned(),
            source: source.to_owned(),
            recorded_with: recorded_with.to_owned(),
            events: Vec::new(),
        }
    }

    /// Redacts every path, header value and text body.
    pub fn redact(&mut self) {
        for message in self
            .events
            .iter_mut()
            .flat_map(|e| [&mut e.request, &mut e.response])
        {
            if let Some(path) = &mut message.path {
                *path = redact_text(path);
            }
            for value in message.headers.values_mut() {
                *value = redact_text(value);
            }
            if let Some(body) = &mut message.body {
                *body = redact_text(body);
            }
        }
    }

    /// Parses a recording, refusing versions this code does not know.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let recording: Self = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if recording.version != VERSION {
            return Err(format!(
                "recording version {} is not {VERSION}",
                recording.version
            ));
        }
        Ok(recording)
    }

    /// Pretty JSON with a trailing newline (stable for `fixtures check`).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Mounts every exchange as an ordered `expect(1)` mock. Paths with placeholders match any
    /// value in their place; recorded request headers must be present (exact unless redacted).
    pub async fn mount(&self, server: &mut Server) -> Vec<Mock> {
        let mut mocks = Vec::new();
        for exchange in &self.events {
            let request = &exchange.request;
            let method = request.method.as_deref().unwrap_or("GET");
            let mut mock =
                server.mock(method, path_matcher(request.path.as_deref().unwrap_or("/")));
            for (name, value) in &request.headers {
                mock = mock.match_header(name.as_str(), header_matcher(value));
            }
            let response = &exchange.response;
            mock = mock.with_status(usize::from(response.status.unwrap_or(200)));
            for (name, value) in &response.headers {
                mock = mock.with_header(name.as_str(), value);
            }
            mocks.push(
                mock.with_body(response.body_bytes())
                    .expect(1)
                    .create_async()
                    .await,
            );
        }
        mocks
    }
}

fn has_placeholder(text: &str) -> bool {
    REDACTIONS.iter().any(|(_, to)| text.contains(to))
}

fn path_matcher(path: &str) -> Matcher {
    if !has_placeholder(path) {
        return Matcher::Exact(path.to_owned());
    }
    let mut pattern = regex::escape(path);
    for (_, to) in REDACTIONS.iter() {
        pattern = pattern.replace(&regex::escape(to), "[^/?]+");
    }
    Matcher::Regex(format!("^{pattern}$"))
}

fn header_matcher(value: &str) -> Matcher {
    if has_placeholder(value) {
        Matcher::Regex(".+".to_owned())
    } else {
        Matcher::Exact(value.to_owned())
    }
}
