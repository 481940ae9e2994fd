//! [`Recorder`]: a loopback HTTP proxy that forwards every request to an upstream server and
//! logs each exchange in the [`crate::recorded`] format.
//!
//! `cargo xtask fixtures record` puts it between the real client and the embedded engine; the
//! replay test puts it between the client and a replayed recording, to show that recording a
//! replay reproduces the file. Responses are buffered whole before they are passed on (an SSE
//! turn arrives at once), which changes no byte the client parses.
//!
//! Only headers that carry meaning for the protocol are kept (see [`REQUEST_HEADERS`] and
//! [`RESPONSE_HEADERS`]); framing headers such as `content-length` depend on the server and
//! would make recordings differ between the engine and a replay of it.
//!
//! Bodies: JSON, SSE and other text stay text. Multipart uploads become a note listing each
//! part's headers (the file bytes and the random boundary are not worth keeping). Binary
//! downloads become a note with their size and SHA-256 (redacted to `[hash]` like every
//! content hash), and a body that already is such a note (a replay) is kept as it is.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tokio::task::JoinHandle;

use crate::recorded::{Exchange, Message};

/// Request headers kept in recordings (lowercase).
pub const REQUEST_HEADERS: [&str; 7] = [
    "authorization",
    "x-client-id",
    "x-skill-source",
    "x-skill-version",
    "x-skill-platform",
    "content-type",
    "accept",
];

/// Response headers kept in recordings (lowercase).
pub const RESPONSE_HEADERS: [&str; 4] = [
    "content-type",
    "content-disposition",
    "cache-control",
    "retry-after",
];

/// How a binary body is noted (also how a replayed note is recognised).
pub const BINARY_NOTE_PREFIX: &str = "[binary body: ";

/// Headers never forwarded to the upstream or back to the client: hop-by-hop and framing
/// headers, which each side sets for itself.
const NOT_FORWARDED: [&str; 5] = [
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
];

#[derive(Debug)]
struct Shared {
    upstream: RwLock<Option<String>>,
    log: Mutex<Vec<Exchange>>,
    http: reqwest::Client,
}

/// A running recording proxy on `127.0.0.1`. Dropping it stops the server.
#[derive(Debug)]
pub struct Recorder {
    url: String,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl Recorder {
    /// Binds a free loopback port and starts serving. Requests fail with 502 until
    /// [`Recorder::forward_to`] names the upstream (so the upstream may be started knowing the
    /// recorder's URL, e.g. as its public URL).
    pub async fn start() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(Shared {
            upstream: RwLock::new(None),
            log: Mutex::new(Vec::new()),
            http: reqwest::Client::new(),
        });
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(Arc::clone(&shared));
        let server = tokio::spawn(async move {
            // The server only ends when the task is aborted; an accept error ends recording,
            // which the scenario then sees as failed requests.
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            url,
            shared,
            server,
        })
    }

    /// `http://127.0.0.1:PORT`: where clients send requests.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Sets the server requests go to (`http://host:port`, no trailing slash).
    pub fn forward_to(&self, upstream: &str) {
        *self
            .shared
            .upstream
            .write()
            .unwrap_or_else(PoisonError::into_inner) =
            Some(upstream.trim_end_matches('/').to_owned());
    }

    /// The exchanges so far, oldest first, unredacted; the log is emptied.
    pub fn take_exchanges(&self) -> Vec<Exchange> {
        std::mem::take(
            &mut *self
                .shared
                .log
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn forward(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    match forward_and_log(&shared, request).await {
        Ok(response) => response,
        Err(message) => (StatusCode::BAD_GATEWAY, message).into_response(),
    }
}

async fn forward_and_log(shared: &Shared, request: Request) -> Result<Response, String> {
    let upstream = shared
        .upstream
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
        .ok_or("the recorder has no upstream yet")?;
    let (parts, body) = request.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), ToString::to_string);
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(|e| format!("reading the request body: {e}"))?;
    let method =
        reqwest::Method::from_bytes(parts.method.as_str().as_bytes()).map_err(|e| e.to_string())?;
    let mut outgoing = shared
        .http
        .request(method, format!("{upstream}{path}"))
        .body(body.clone());
    for (name, value) in forwarded(&parts.headers) {
        outgoing = outgoing.header(name.as_str(), value.as_bytes());
    }
    let upstream_response = outgoing
        .send()
        .await
        .map_err(|e| format!("forwarding {path}: {e}"))?;
    let status = upstream_response.status().as_u16();
    let response_headers: Vec<(String, Vec<u8>)> = upstream_response
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
        .collect();
    let response_body = upstream_response
        .bytes()
        .await
        .map_err(|e| format!("reading the response of {path}: {e}"))?;

    let request_message = Message {
        method: Some(parts.method.as_str().to_owned()),
        path: Some(path),
        headers: kept(
            parts
                .headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_bytes())),
            &REQUEST_HEADERS,
        ),
        ..Message::default()
    }
    .with_recorded_body(&body);
    let response_message = Message {
        status: Some(status),
        headers: kept(
            response_headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_slice())),
            &RESPONSE_HEADERS,
        ),
        ..Message::default()
    }
    .with_recorded_body(&response_body);
    shared
        .log
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(Exchange {
            request: request_message,
            response: response_message,
        });

    let mut response = Response::new(Body::from(response_body));
    *response.status_mut() = StatusCode::from_u16(status).map_err(|e| e.to_string())?;
    for (name, value) in &response_headers {
        if NOT_FORWARDED.contains(&name.as_str()) {
            continue;
        }
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    Ok(response)
}

fn forwarded(headers: &HeaderMap) -> impl Iterator<Item = (&HeaderName, &HeaderValue)> {
    headers
        .iter()
        .filter(|(n, _)| !NOT_FORWARDED.contains(&n.as_str()))
}

fn kept<'a>(
    headers: impl Iterator<Item = (&'a str, &'a [u8])>,
    keep: &[&str],
) -> std::collections::BTreeMap<String, String> {
    headers
        .filter(|(n, _)| keep.contains(n))
        .map(|(n, v)| (n.to_owned(), String::from_utf8_lossy(v).into_owned()))
        .collect()
}

impl Message {
    /// Sets the body the way recordings keep it (see the module docs), deciding by this
    /// message's `content-type`.
    #[must_use]
    pub fn with_recorded_body(mut self, bytes: &[u8]) -> Self {
        if bytes.is_empty() {
            return self;
        }
        let original = self
            .headers
            .get("content-type")
            .cloned()
            .unwrap_or_default();
        let content_type = original.to_ascii_lowercase();
        if content_type.starts_with("multipart/") {
            self.body = Some(multipart_note(&original, bytes));
        } else if is_text(&content_type) || bytes.starts_with(BINARY_NOTE_PREFIX.as_bytes()) {
            self.set_body(bytes);
        } else {
            self.body = Some(binary_note(bytes));
        }
        self
    }
}

fn is_text(content_type: &str) -> bool {
    content_type.is_empty()
        || content_type.starts_with("text/")
        || content_type.contains("json")
        || content_type.contains("x-www-form-urlencoded")
}

/// `[binary body: N bytes, sha256 <hex>]`.
pub fn binary_note(bytes: &[u8]) -> String {
    format!(
        "{BINARY_NOTE_PREFIX}{} bytes, sha256 {}]",
        bytes.len(),
        hex::encode(Sha256::digest(bytes))
    )
}

/// `[multipart body]` and one line of headers per part (the part contents are left out).
fn multipart_note(content_type: &str, bytes: &[u8]) -> String {
    let mut note = "[multipart body]".to_owned();
    let Some(boundary) = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| format!("--{}", b.trim_matches('"')))
    else {
        return note;
    };
    let text = String::from_utf8_lossy(bytes);
    for part in text.split(boundary.as_str()).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let headers = part
            .trim_start_matches("\r\n")
            .split("\r\n\r\n")
            .next()
            .unwrap_or_default();
        let _ = write!(note, "\npart: {}", headers.replace("\r\n", "; "));
    }
    note
}
