//! Recorded traffic (`tests/fixtures/recorded/<scenario>.json`): the DVR-like format written by
//! `cargo xtask fixtures record`, its redaction, and a replay helper that mounts a recording on
//! a mockito server (workspace style §6.6).
//!
//! Bodies are UTF-8 text, or base64 in `body_base64` when binary (the recorder in
//! [`crate::recorder`] stores media downloads as a size note instead). Volatile values are
//! replaced by stable placeholders at record time ([`Recording::redact`]), so re-recording the
//! same scenario gives the same file: tokens, claim tokens, client ids, user/task/session/render
//! ids, uuids, content hashes, multipart boundaries, ISO timestamps, millisecond timestamps (as
//! numbers: [`TIMESTAMP_MS`]) and the loopback origin (`[base_url]`, so ports vanish).
//!
//! On replay a path segment or header holding a placeholder matches any value, and `[base_url]`
//! in response bodies becomes the replay server's URL so absolute links stay reachable.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use base64::Engine as _;
use mockito::{Matcher, Mock, Server};
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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

/// What a millisecond timestamp in a JSON number becomes (2023-11-14T22:13:20Z): a number, so
/// typed fields still parse on replay.
pub const TIMESTAMP_MS: i64 = 1_700_000_000_000;

/// The placeholder of the recorded server's origin in bodies.
pub const BASE_URL: &str = "[base_url]";

/// Placeholder of the `X-Client-Id` header (uuids elsewhere become `[uuid]`).
const CLIENT_ID: &str = "[client_id]";

/// Placeholder patterns, most specific first (a render id holds a millisecond timestamp, a
/// client id is a uuid).
static REDACTIONS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (r"https?://(?:127\.0\.0\.1|localhost|\[::1\]):\d+", BASE_URL),
        (r"nmv_usr_[A-Za-z0-9_\-]+", "[token]"),
        (r"clm_[A-Za-z0-9_\-]+", "[claim_token]"),
        (r"\brender_\d+\b", "[render_id]"),
        (r"\banon_[0-9a-f]{12,}\b", "[user_id]"),
        (r"\btask_[0-9a-f]{12,}\b", "[task_id]"),
        (r"\bmed_[0-9a-f]{12,}\b", "[media_id]"),
        (r"\bsg_[0-9a-f]{12,}\b", "[segment_id]"),
        // Any other `prefix_<random hex>` id the server hands out.
        (r"\b[a-z]{2,12}_[0-9a-f]{12,}\b", "[id]"),
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[uuid]",
        ),
        (r"\b[0-9a-f]{64}\b", "[hash]"),
        (r"\b\d{19}\b", "[session_id]"),
        (r"boundary=[A-Za-z0-9'()+_,\-./:=?]+", "boundary=[boundary]"),
        (
            r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?",
            "[timestamp]",
        ),
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

    /// Redacts every path, header value and text body. JSON bodies (and the JSON of each SSE
    /// `data:` line) are redacted value by value and written back compactly, so placeholders
    /// never break the JSON and numbers stay numbers. Idempotent.
    pub fn redact(&mut self) {
        self.redact_origin(None);
    }

    /// [`Recording::redact`], also replacing `origin` (e.g. a live API's `https://host`) with
    /// `[base_url]`.
    pub fn redact_origin(&mut self, origin: Option<&str>) {
        let text = |t: &str| {
            let t = origin.map_or_else(|| t.to_owned(), |o| t.replace(o, BASE_URL));
            redact_text(&t)
        };
        for message in self
            .events
            .iter_mut()
            .flat_map(|e| [&mut e.request, &mut e.response])
        {
            if let Some(path) = &mut message.path {
                *path = text(path);
            }
            for (name, value) in &mut message.headers {
                *value = if name == "x-client-id" {
                    CLIENT_ID.to_owned()
                } else {
                    text(value)
                };
            }
            if let Some(body) = &mut message.body {
                *body = redact_body(body, &text);
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
    /// `[base_url]` in response bodies becomes the server's URL.
    pub async fn mount(&self, server: &mut Server) -> Vec<Mock> {
        let base_url = server.url();
        self.mount_as(server, &base_url).await
    }

    /// [`Recording::mount`] with `[base_url]` in response bodies replaced by `base_url` (the
    /// URL clients reach the server at, e.g. a recorder in front of it).
    pub async fn mount_as(&self, server: &mut Server, base_url: &str) -> Vec<Mock> {
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
            let body = match &response.body {
                Some(text) => text.replace(BASE_URL, base_url).into_bytes(),
                None => response.body_bytes(),
            };
            mocks.push(mock.with_body(body).expect(1).create_async().await);
        }
        mocks
    }
}

/// Redacts a body: JSON value by value, SSE line by line, anything else as text.
fn redact_body(body: &str, text: &impl Fn(&str) -> String) -> String {
    if let Ok(value) = serde_json::from_str::<Value>(body) {
        return redact_json(value, text).to_string();
    }
    if !body.lines().any(|l| l.starts_with("data:")) {
        return text(body);
    }
    let mut out = String::with_capacity(body.len());
    for line in body.split_inclusive('\n') {
        let (content, newline) = line.strip_suffix('\n').map_or((line, ""), |c| (c, "\n"));
        match content
            .strip_prefix("data:")
            .and_then(|d| serde_json::from_str::<Value>(d.trim()).ok())
        {
            Some(value) => {
                out.push_str("data: ");
                out.push_str(&redact_json(value, text).to_string());
            }
            None => out.push_str(&text(content)),
        }
        out.push_str(newline);
    }
    out
}

fn redact_json(value: Value, text: &impl Fn(&str) -> String) -> Value {
    match value {
        Value::String(s) => Value::String(text(&s)),
        Value::Number(n) if n.as_i64().is_some_and(is_timestamp_ms) => TIMESTAMP_MS.into(),
        Value::Array(items) => items.into_iter().map(|v| redact_json(v, text)).collect(),
        Value::Object(map) => map
            .into_iter()
            .map(|(k, v)| (k, redact_json(v, text)))
            .collect(),
        other => other,
    }
}

/// Milliseconds since 1970 between 2001 and 2286: no size or duration here comes close.
fn is_timestamp_ms(n: i64) -> bool {
    (1_000_000_000_000..10_000_000_000_000).contains(&n)
}

fn has_placeholder(text: &str) -> bool {
    text.contains(CLIENT_ID) || REDACTIONS.iter().any(|(_, to)| text.contains(to))
}

fn path_matcher(path: &str) -> Matcher {
    if !has_placeholder(path) {
        return Matcher::Exact(path.to_owned());
    }
    let mut pattern = regex::escape(path);
    for (_, to) in REDACTIONS.iter() {
        pattern = pattern.replace(&regex::escape(to), "[^/?]+");
    }
    pattern = pattern.replace(&regex::escape(CLIENT_ID), "[^/?]+");
    Matcher::Regex(format!("^{pattern}$"))
}

fn header_matcher(value: &str) -> Matcher {
    if has_placeholder(value) {
        Matcher::Regex(".+".to_owned())
    } else {
        Matcher::Exact(value.to_owned())
    }
}
