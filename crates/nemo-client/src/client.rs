//! [`Client`]: the HTTP client of the `nemo_agent` API, and its builder.
//!
//! The client is a thin, cheap-to-clone handle over `reqwest::Client`. It adds `Authorization`
//! and the attribution headers to every request, unwraps the three response envelopes and maps
//! failures to [`Error`]. It applies no retry policy of its own; that is [`crate::Session`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use nemo_config::{Config, Secret};
use nemo_protocol::headers;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, Kind};

/// Default limit of ordinary JSON requests.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_mins(1);
/// Default limit of one SSE turn (the skill's `--max-time 900`).
pub const DEFAULT_SSE_TIMEOUT: Duration = Duration::from_mins(15);
/// A turn that sends only heartbeats for this long is treated as timed out (protocol §4.2).
pub const DEFAULT_SSE_IDLE_TIMEOUT: Duration = Duration::from_mins(10);
/// Default limit of one upload or download request (500 MB on a slow link).
pub const DEFAULT_TRANSFER_TIMEOUT: Duration = Duration::from_mins(30);
/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// Builds a [`Client`]. Everything the tests need to inject is here: base URL, attribution
/// headers, token, client id, timeouts and the upload size limit.
#[derive(Debug)]
pub struct ClientBuilder {
    base_url: String,
    attribution: Vec<(String, String)>,
    token: Option<Secret>,
    client_id: Option<String>,
    request_timeout: Duration,
    sse_timeout: Duration,
    sse_idle_timeout: Duration,
    transfer_timeout: Duration,
    connect_timeout: Duration,
    max_upload_bytes: u64,
    user_agent: String,
}

impl ClientBuilder {
    fn new(base_url: &str) -> Self {
        Self {
            base_url: base_url.trim().trim_end_matches('/').to_owned(),
            attribution: Vec::new(),
            token: None,
            client_id: None,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            sse_timeout: DEFAULT_SSE_TIMEOUT,
            sse_idle_timeout: DEFAULT_SSE_IDLE_TIMEOUT,
            transfer_timeout: DEFAULT_TRANSFER_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_upload_bytes: nemo_protocol::MAX_UPLOAD_BYTES,
            user_agent: concat!("nemo/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }

    /// Applies the token and timeouts of a loaded [`Config`] (the base URL is given separately:
    /// for the embedded engine it is only known once the engine listens).
    #[must_use]
    pub fn config(mut self, config: &Config) -> Self {
        self.token.clone_from(&config.token);
        if let Some(id) = &config.client_id {
            self.client_id = Some(id.clone());
        }
        self.request_timeout = config.request_timeout();
        self.sse_timeout = config.sse_timeout();
        self
    }

    /// The attribution headers (`X-Skill-Source`, `X-Skill-Version`, `X-Skill-Platform`, and
    /// any extra ones), as supplied by the platform plugin. All three `X-Skill-*` are required.
    #[must_use]
    pub fn attribution<K: Into<String>, V: Into<String>>(
        mut self,
        headers: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.attribution = headers
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        self
    }

    #[must_use]
    pub fn token(mut self, token: Option<Secret>) -> Self {
        self.token = token;
        self
    }

    /// The `X-Client-Id` for the anonymous-token call.
    #[must_use]
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    #[must_use]
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Limit of one whole SSE turn (per request, not a global client timeout).
    #[must_use]
    pub fn sse_timeout(mut self, timeout: Duration) -> Self {
        self.sse_timeout = timeout;
        self
    }

    /// How long a turn may send nothing but heartbeats before it counts as timed out.
    #[must_use]
    pub fn sse_idle_timeout(mut self, timeout: Duration) -> Self {
        self.sse_idle_timeout = timeout;
        self
    }

    /// Limit of one upload or download.
    #[must_use]
    pub fn transfer_timeout(mut self, timeout: Duration) -> Self {
        self.transfer_timeout = timeout;
        self
    }

    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Largest file accepted before sending (default 500 MB).
    #[must_use]
    pub fn max_upload_bytes(mut self, limit: u64) -> Self {
        self.max_upload_bytes = limit;
        self
    }

    #[must_use]
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    pub fn build(self) -> Result<Client, Error> {
        if !(self.base_url.starts_with("http://") || self.base_url.starts_with("https://")) {
            return Err(Error::config(format!(
                "base URL `{}` must start with http:// or https://",
                self.base_url
            )));
        }
        let attribution = attribution_headers(&self.attribution)?;
        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .user_agent(self.user_agent)
            .build()
            .map_err(|e| {
                Error::config(format!("cannot build the HTTP client: {}", e.without_url()))
            })?;
        let client_id = self
            .client_id
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url: self.base_url,
                attribution,
                auth: RwLock::new(Auth {
                    token: self.token.filter(|t| !t.is_empty()),
                    client_id,
                }),
                request_timeout: self.request_timeout,
                sse_timeout: self.sse_timeout,
                sse_idle_timeout: self.sse_idle_timeout,
                transfer_timeout: self.transfer_timeout,
                max_upload_bytes: self.max_upload_bytes,
                last_render_ms: AtomicU64::new(0),
            }),
        })
    }
}

fn attribution_headers(pairs: &[(String, String)]) -> Result<HeaderMap, Error> {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        let name = HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes())
            .map_err(|_| Error::config(format!("`{name}` is not a valid header name")))?;
        let value = HeaderValue::from_str(value).map_err(|_| {
            Error::config(format!("the value of `{name}` is not a valid header value"))
        })?;
        map.insert(name, value);
    }
    if let Some(missing) = headers::ATTRIBUTION.iter().find(|h| !map.contains_key(**h)) {
        return Err(Error::new(Kind::MissingAttribution { header: missing }));
    }
    Ok(map)
}

/// The `NemoVideo` API client. Cheap to clone; clones share the token and client id, so a
/// re-authentication through one is seen by all.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    attribution: HeaderMap,
    auth: RwLock<Auth>,
    request_timeout: Duration,
    sse_timeout: Duration,
    sse_idle_timeout: Duration,
    transfer_timeout: Duration,
    max_upload_bytes: u64,
    /// Last `render_<ms>` id handed out, so a quick retry never reuses an id.
    last_render_ms: AtomicU64,
}

#[derive(Debug)]
struct Auth {
    token: Option<Secret>,
    client_id: String,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let auth = self
            .inner
            .auth
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("attribution", &self.inner.attribution)
            .field("token", &auth.token)
            .field("client_id", &auth.client_id)
            .finish_non_exhaustive()
    }
}

/// A request target: method and path, used in error messages (never a full URL).
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    pub(crate) method: Method,
    pub(crate) path: String,
}

impl Endpoint {
    pub(crate) fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
        }
    }

    pub(crate) fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

impl Client {
    /// Starts building a client for the API at `base_url` (e.g. `https://mega-api-prod.nemovideo.ai`
    /// or the embedded engine's `http://127.0.0.1:PORT`).
    pub fn builder(base_url: &str) -> ClientBuilder {
        ClientBuilder::new(base_url)
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The current token, if any (to persist it after an anonymous-token call).
    pub fn token(&self) -> Option<Secret> {
        self.auth().token.clone()
    }

    /// Replaces the token used by this client and all its clones.
    pub fn set_token(&self, token: Option<Secret>) {
        self.inner
            .auth
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .token = token;
    }

    pub fn client_id(&self) -> String {
        self.auth().client_id.clone()
    }

    /// Replaces the client id (after HTTP 400 on the anonymous-token call).
    pub fn set_client_id(&self, client_id: impl Into<String>) {
        self.inner
            .auth
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .client_id = client_id.into();
    }

    pub(crate) fn max_upload_bytes(&self) -> u64 {
        self.inner.max_upload_bytes
    }

    pub(crate) fn sse_timeout(&self) -> Duration {
        self.inner.sse_timeout
    }

    pub(crate) fn sse_idle_timeout(&self) -> Duration {
        self.inner.sse_idle_timeout
    }

    pub(crate) fn transfer_timeout(&self) -> Duration {
        self.inner.transfer_timeout
    }

    fn auth(&self) -> std::sync::RwLockReadGuard<'_, Auth> {
        self.inner
            .auth
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.inner.base_url)
    }

    /// True when `url` points at the API server itself (same scheme, host and port), so it may
    /// receive our token. CDN URLs never do.
    pub(crate) fn is_same_origin(&self, url: &str) -> bool {
        let origin = |u: &str| reqwest::Url::parse(u).ok().map(|u| u.origin());
        matches!((origin(url), origin(&self.inner.base_url)), (Some(a), Some(b)) if a == b)
    }

    /// A request with the attribution headers and `Authorization` (when a token is set).
    pub(crate) fn request(&self, endpoint: &Endpoint) -> RequestBuilder {
        self.request_to(endpoint.method.clone(), &self.url(&endpoint.path), true)
    }

    /// A request to any URL. Only the API's own origin gets the token and attribution headers;
    /// anything else (a CDN) gets a plain request, so the token never leaves for another host.
    pub(crate) fn request_to(&self, method: Method, url: &str, own_origin: bool) -> RequestBuilder {
        let rb = self.inner.http.request(method, url);
        if !own_origin {
            return rb;
        }
        let rb = rb.headers(self.inner.attribution.clone());
        match &self.auth().token {
            Some(token) => rb.bearer_auth(token.expose()),
            None => rb,
        }
    }

    /// The anonymous-token request: attribution and `X-Client-Id`, no `Authorization`.
    pub(crate) fn anonymous_request(&self, endpoint: &Endpoint) -> RequestBuilder {
        self.inner
            .http
            .request(endpoint.method.clone(), self.url(&endpoint.path))
            .headers(self.inner.attribution.clone())
            .header(headers::X_CLIENT_ID, self.client_id())
    }

    /// Sends a JSON request and returns the unwrapped envelope payload.
    pub(crate) async fn call(
        &self,
        endpoint: &Endpoint,
        rb: RequestBuilder,
    ) -> Result<Value, Error> {
        self.call_with_timeout(endpoint, rb, self.inner.request_timeout)
            .await
    }

    /// [`Client::call`] with a specific per-request time limit.
    pub(crate) async fn call_with_timeout(
        &self,
        endpoint: &Endpoint,
        rb: RequestBuilder,
        timeout: Duration,
    ) -> Result<Value, Error> {
        let label = endpoint.label();
        tracing::debug!(endpoint = %label, "request");
        let (status, bytes) = send_for_body(&label, rb.timeout(timeout)).await?;
        tracing::debug!(endpoint = %label, status = status.as_u16(), "response");
        let body: Option<Value> = serde_json::from_slice(&bytes).ok();
        unwrap_response(&label, status, body)
    }

    /// Like [`Client::call`], deserialising the payload.
    pub(crate) async fn call_json<T: DeserializeOwned>(
        &self,
        endpoint: &Endpoint,
        rb: RequestBuilder,
    ) -> Result<T, Error> {
        let data = self.call(endpoint, rb).await?;
        serde_json::from_value(data).map_err(|e| Error::decode(&endpoint.label(), e))
    }

    /// A fresh `render_<unix ms>` id, strictly greater than any handed out before.
    pub(crate) fn new_render_id(&self) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let last = &self.inner.last_render_ms;
        let mut prev = last.load(Ordering::SeqCst);
        let ms = loop {
            let next = now.max(prev + 1);
            match last.compare_exchange(prev, next, Ordering::SeqCst, Ordering::SeqCst) {
                Ok(_) => break next,
                Err(actual) => prev = actual,
            }
        };
        format!("render_{ms}")
    }
}

/// Sends `rb` and reads the whole body; failures to connect or to read are transport errors
/// of the call named `label`.
pub(crate) async fn send_for_body(
    label: &str,
    rb: RequestBuilder,
) -> Result<(StatusCode, bytes::Bytes), Error> {
    let response = rb.send().await.map_err(|e| Error::transport(label, e))?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| Error::transport(label, e))?;
    Ok((status, bytes))
}

/// Maps a finished response to its payload or an [`Error`], reading `{code,message}` from error
/// bodies and treating `code != 0` / `success == false` as failures even on HTTP 200.
pub(crate) fn unwrap_response(
    label: &str,
    status: StatusCode,
    body: Option<Value>,
) -> Result<Value, Error> {
    if !status.is_success() {
        let (code, message) = body.as_ref().map(error_fields).unwrap_or_default();
        return Err(Error::api(
            label,
            Some(status.as_u16()),
            code,
            message.as_deref(),
        ));
    }
    let Some(body) = body else {
        return Err(Error::decode(label, "the body is not JSON"));
    };
    nemo_protocol::parse_envelope(body).map_err(|e| {
        Error::api(
            label,
            Some(status.as_u16()),
            known_code(e.code),
            Some(&e.message),
        )
    })
}

/// `code` and `message|msg|error` of an error body, whatever its envelope.
pub(crate) fn error_fields(body: &Value) -> (Option<nemo_protocol::ApiCode>, Option<String>) {
    let code = body
        .get("code")
        .and_then(Value::as_i64)
        .map(nemo_protocol::ApiCode::from_i64);
    let message = ["message", "msg", "error", "detail"]
        .iter()
        .find_map(|k| match body.get(*k) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::Object(o)) => o.get("message").and_then(Value::as_str).map(str::to_owned),
            _ => None,
        });
    (code, message)
}

/// `{success:false}` envelopes carry no code; the protocol crate reports that as `-1`.
fn known_code(code: nemo_protocol::ApiCode) -> Option<nemo_protocol::ApiCode> {
    (code != nemo_protocol::ApiCode::Other(-1)).then_some(code)
}

/// Reads a response body as JSON when the server says it is JSON.
pub(crate) fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"))
}
