//! [`Error`]: one opaque error type for every client call, with predicates in the style of
//! `reqwest::Error` so callers match on meaning, not on variants.
//!
//! The HTTP status and the body `code` are kept separately (protocol §13): a 402 is a plan
//! limit, a body 2001 is "out of credits", and either can arrive with the other or alone.
//! Messages never contain tokens: server messages are scrubbed of anything token-shaped, and
//! URLs are dropped from transport errors.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use nemo_protocol::ApiCode;

/// Boxed source errors we keep for `source()` chains.
type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An error from the `NemoVideo` client.
pub struct Error {
    inner: Box<Kind>,
}

/// Broad kinds of error, for callers that map errors to wording or exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Category {
    /// The server could not be reached or the connection broke.
    Network,
    /// A request or stream exceeded its time limit.
    Timeout,
    /// The token was rejected (body code 1001 or HTTP 401).
    Auth,
    /// The session does not exist (body code 1002).
    SessionNotFound,
    /// Out of credits (body code 2001).
    OutOfCredits,
    /// Export blocked by the account's plan (HTTP 402).
    PlanBlocked,
    /// Too many requests (HTTP 429).
    RateLimited,
    /// Unsupported file type (4001), detected locally or by the server.
    UnsupportedFile,
    /// File too large (4002), detected locally or by the server.
    FileTooLarge,
    /// Any other error the server reported.
    Api,
    /// The chat stream reported an error.
    Stream,
    /// A render failed, was cancelled or did not finish in time.
    Render,
    /// There is nothing to export yet.
    NothingToExport,
    /// A local file could not be read or written.
    Io,
    /// The response did not have the expected shape.
    Decode,
    /// The client was configured wrongly (bad URL, missing attribution header).
    Config,
}

/// Who the account belongs to, which decides how "out of credits" is worded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CreditsAdvice {
    /// Anonymous users register (binding their anonymous id) to get more credits.
    Register { url: String },
    /// Registered users top up.
    TopUp { web_url: String },
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum Kind {
    #[error("cannot reach the server ({endpoint})")]
    Transport {
        endpoint: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{endpoint} timed out{}", after.map(|d| format!(" after {}s", d.as_secs())).unwrap_or_default())]
    Timeout {
        endpoint: String,
        after: Option<Duration>,
        #[source]
        source: Option<reqwest::Error>,
    },
    #[error("{}", describe_api(*status, *code, message.as_deref(), endpoint))]
    Api {
        endpoint: String,
        status: Option<u16>,
        code: Option<ApiCode>,
        message: Option<String>,
    },
    #[error("{}", describe_out_of_credits(advice))]
    OutOfCredits {
        status: Option<u16>,
        message: Option<String>,
        advice: CreditsAdvice,
    },
    #[error("unsupported file type `{}` for `{}`: accepted formats are {accepted}", display_ext(extension), file.display())]
    UnsupportedFile {
        file: PathBuf,
        extension: String,
        accepted: String,
    },
    #[error("`{}` is too large ({} MB, the limit is {} MB)", file.display(), size / 1_000_000, limit / 1_000_000)]
    FileTooLarge {
        file: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("the chat stream failed: {message}")]
    Stream { message: String },
    #[error("render `{render_id}` failed{}", reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default())]
    RenderFailed {
        render_id: String,
        reason: Option<String>,
    },
    #[error("render `{render_id}` was cancelled")]
    RenderCancelled { render_id: String },
    #[error("render `{render_id}` did not finish within {}s", elapsed.as_secs())]
    RenderTimedOut {
        render_id: String,
        elapsed: Duration,
    },
    #[error("nothing to export: the timeline has no clips yet")]
    NothingToExport,
    #[error("cannot {op} `{}`", path.display())]
    Io {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("unexpected response from {endpoint}")]
    Decode {
        endpoint: String,
        #[source]
        source: BoxError,
    },
    #[error("the download from {endpoint} was cut short: got {got} of {expected} bytes")]
    Truncated {
        endpoint: String,
        got: u64,
        expected: u64,
    },
    #[error("invalid client configuration: {what}")]
    Config { what: String },
    #[error("the `{header}` attribution header is missing; every request must carry it")]
    MissingAttribution { header: &'static str },
}

fn display_ext(ext: &str) -> String {
    if ext.is_empty() {
        "(none)".to_owned()
    } else {
        format!(".{ext}")
    }
}

fn describe_api(
    status: Option<u16>,
    code: Option<ApiCode>,
    message: Option<&str>,
    endpoint: &str,
) -> String {
    let what = match (status, code) {
        (Some(402), _) => {
            "export is blocked on this plan (HTTP 402): register or upgrade to unlock export"
                .to_owned()
        }
        (_, Some(ApiCode::NoCredits)) => "out of credits (code 2001)".to_owned(),
        (_, Some(ApiCode::BadToken)) | (Some(401), _) => "the API token was rejected".to_owned(),
        (_, Some(ApiCode::SessionNotFound)) => {
            "the session no longer exists (code 1002)".to_owned()
        }
        (Some(429), _) => "rate limited by the server (HTTP 429)".to_owned(),
        (_, Some(ApiCode::UnsupportedFile)) => {
            "the server does not accept this file type (code 4001)".to_owned()
        }
        (_, Some(ApiCode::FileTooLarge)) => {
            "the server says the file is too large (code 4002)".to_owned()
        }
        (status, code) => {
            let status = status
                .filter(|s| !(200..300).contains(s))
                .map(|s| format!(": HTTP {s}"));
            let code = code.map(|c| format!(", code {c}"));
            format!(
                "{endpoint} failed{}{}",
                status.unwrap_or_default(),
                code.unwrap_or_default()
            )
        }
    };
    match message.filter(|m| !m.is_empty()) {
        Some(m) => format!("{what}: {m}"),
        None => what,
    }
}

fn describe_out_of_credits(advice: &CreditsAdvice) -> String {
    match advice {
        CreditsAdvice::Register { url } => format!("out of credits: register at {url} to get more"),
        CreditsAdvice::TopUp { web_url } => {
            format!("out of credits: Top up credits in your account at {web_url}")
        }
    }
}

/// Replaces anything token-shaped in server text, in case a server echoes a token back.
pub(crate) fn scrub(text: &str) -> String {
    const PREFIXES: [&str; 2] = ["nmv_usr_", "clm_"];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((pos, prefix)) = PREFIXES
        .iter()
        .filter_map(|p| rest.find(p).map(|i| (i, *p)))
        .min_by_key(|(i, _)| *i)
    {
        out.push_str(&rest[..pos]);
        out.push_str(prefix);
        out.push_str("…[redacted]");
        let after = &rest[pos + prefix.len()..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(after.len());
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

impl Error {
    pub(crate) fn new(kind: Kind) -> Self {
        Self {
            inner: Box::new(kind),
        }
    }

    pub(crate) fn kind(&self) -> &Kind {
        &self.inner
    }

    pub(crate) fn transport(endpoint: &str, source: reqwest::Error) -> Self {
        let source = source.without_url();
        if source.is_timeout() {
            return Self::new(Kind::Timeout {
                endpoint: endpoint.to_owned(),
                after: None,
                source: Some(source),
            });
        }
        Self::new(Kind::Transport {
            endpoint: endpoint.to_owned(),
            source,
        })
    }

    pub(crate) fn timeout(endpoint: &str, after: Duration) -> Self {
        Self::new(Kind::Timeout {
            endpoint: endpoint.to_owned(),
            after: Some(after),
            source: None,
        })
    }

    pub(crate) fn api(
        endpoint: &str,
        status: Option<u16>,
        code: Option<ApiCode>,
        message: Option<&str>,
    ) -> Self {
        Self::new(Kind::Api {
            endpoint: endpoint.to_owned(),
            status,
            code: code.filter(|c| *c != ApiCode::Success),
            message: message.filter(|m| !m.trim().is_empty()).map(scrub),
        })
    }

    pub(crate) fn decode(endpoint: &str, source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Decode {
            endpoint: endpoint.to_owned(),
            source: source.into(),
        })
    }

    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::new(Kind::Io {
            op,
            path: path.into(),
            source,
        })
    }

    pub(crate) fn config(what: impl Into<String>) -> Self {
        Self::new(Kind::Config { what: what.into() })
    }

    pub(crate) fn stream(message: &str) -> Self {
        Self::new(Kind::Stream {
            message: scrub(message),
        })
    }

    /// Rewrites an out-of-credits error with account-specific advice.
    pub(crate) fn with_credits_advice(self, advice: CreditsAdvice) -> Self {
        match *self.inner {
            Kind::Api {
                status,
                message,
                code: Some(ApiCode::NoCredits),
                ..
            } => Self::new(Kind::OutOfCredits {
                status,
                message,
                advice,
            }),
            other => Self::new(other),
        }
    }

    /// The broad kind of this error.
    pub fn category(&self) -> Category {
        match self.kind() {
            Kind::Transport { .. } | Kind::Truncated { .. } => Category::Network,
            Kind::Timeout { .. } => Category::Timeout,
            Kind::Api { status, code, .. } => match (status, code) {
                (Some(402), _) => Category::PlanBlocked,
                (_, Some(ApiCode::NoCredits)) => Category::OutOfCredits,
                (_, Some(ApiCode::BadToken)) | (Some(401), _) => Category::Auth,
                (_, Some(ApiCode::SessionNotFound)) => Category::SessionNotFound,
                (Some(429), _) => Category::RateLimited,
                (_, Some(ApiCode::UnsupportedFile)) => Category::UnsupportedFile,
                (_, Some(ApiCode::FileTooLarge)) => Category::FileTooLarge,
                _ => Category::Api,
            },
            Kind::OutOfCredits { .. } => Category::OutOfCredits,
            Kind::UnsupportedFile { .. } => Category::UnsupportedFile,
            Kind::FileTooLarge { .. } => Category::FileTooLarge,
            Kind::Stream { .. } => Category::Stream,
            Kind::RenderFailed { .. }
            | Kind::RenderCancelled { .. }
            | Kind::RenderTimedOut { .. } => Category::Render,
            Kind::NothingToExport => Category::NothingToExport,
            Kind::Io { .. } => Category::Io,
            Kind::Decode { .. } => Category::Decode,
            Kind::Config { .. } | Kind::MissingAttribution { .. } => Category::Config,
        }
    }

    /// The HTTP status of the response, when there was one (including 200 with a failing body).
    pub fn http_status(&self) -> Option<u16> {
        match self.kind() {
            Kind::Api { status, .. } | Kind::OutOfCredits { status, .. } => *status,
            _ => None,
        }
    }

    /// The body `code` (or the code a local check stands for: 4001, 4002).
    pub fn api_code(&self) -> Option<ApiCode> {
        match self.kind() {
            Kind::Api { code, .. } => *code,
            Kind::OutOfCredits { .. } => Some(ApiCode::NoCredits),
            Kind::UnsupportedFile { .. } => Some(ApiCode::UnsupportedFile),
            Kind::FileTooLarge { .. } => Some(ApiCode::FileTooLarge),
            _ => None,
        }
    }

    /// The server's message (`message`, `msg` or `error`), scrubbed of tokens.
    pub fn api_message(&self) -> Option<&str> {
        match self.kind() {
            Kind::Api { message, .. } | Kind::OutOfCredits { message, .. } => message.as_deref(),
            Kind::Stream { message } => Some(message),
            _ => None,
        }
    }

    /// True when repeating the same request may succeed: network errors, timeouts, HTTP 5xx
    /// and 429. (Policies such as re-authenticating on 1001 are the [`crate::Session`]'s job.)
    pub fn is_retryable(&self) -> bool {
        match self.kind() {
            Kind::Transport { .. } | Kind::Timeout { .. } | Kind::Truncated { .. } => true,
            Kind::Api {
                status: Some(s), ..
            } => *s >= 500 || *s == 429,
            _ => false,
        }
    }

    /// True when a time limit was hit (request, SSE stream, or render budget).
    pub fn is_timeout(&self) -> bool {
        matches!(
            self.kind(),
            Kind::Timeout { .. } | Kind::RenderTimedOut { .. }
        )
    }

    /// Body code 1001 or HTTP 401: the token was rejected.
    pub fn is_auth_rejected(&self) -> bool {
        self.category() == Category::Auth
    }

    /// Body code 1002: the session is gone.
    pub fn is_session_not_found(&self) -> bool {
        self.category() == Category::SessionNotFound
    }

    /// HTTP 429.
    pub fn is_rate_limited(&self) -> bool {
        self.http_status() == Some(429)
    }

    /// HTTP 402: export blocked by plan (not a credits problem).
    pub fn is_plan_blocked(&self) -> bool {
        self.http_status() == Some(402)
    }

    /// Body code 2001.
    pub fn is_out_of_credits(&self) -> bool {
        self.api_code() == Some(ApiCode::NoCredits)
    }

    /// The registration link (`…/register?bind=<user_id>`) for anonymous users out of credits.
    pub fn registration_url(&self) -> Option<&str> {
        match self.kind() {
            Kind::OutOfCredits {
                advice: CreditsAdvice::Register { url },
                ..
            } => Some(url),
            _ => None,
        }
    }

    /// A short, actionable next step for the user, when there is one.
    pub fn hint(&self) -> Option<String> {
        Some(match self.kind() {
            Kind::UnsupportedFile { accepted, .. } => format!("Supported formats: {accepted}."),
            Kind::Api { code: Some(ApiCode::UnsupportedFile), .. } => {
                format!("Supported formats: {}.", nemo_protocol::accepted_formats_list())
            }
            Kind::FileTooLarge { .. } | Kind::Api { code: Some(ApiCode::FileTooLarge), .. } => {
                "Compress it (for example `ffmpeg -i in.mp4 -crf 28 -preset fast out.mp4`) or trim it, then upload again."
                    .to_owned()
            }
            Kind::OutOfCredits { advice: CreditsAdvice::Register { url }, .. } => {
                format!("Register at {url} to keep your work and get more credits.")
            }
            Kind::OutOfCredits { advice: CreditsAdvice::TopUp { web_url }, .. } => {
                format!("Top up credits in your account at {web_url}.")
            }
            Kind::Api { status: Some(402), .. } => "Register or upgrade your plan to unlock export.".to_owned(),
            Kind::Api { status: Some(429), .. } => "Wait a little and try again.".to_owned(),
            Kind::NothingToExport => "Add clips or generate a video first, then export.".to_owned(),
            Kind::Transport { .. } => "Check the network connection and the API URL.".to_owned(),
            _ => return None,
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Kind's derived Debug holds no secrets: no variant stores a token, URLs are stripped
        // from reqwest errors and server text is scrubbed.
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&*self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_redacts_tokens_anywhere_in_text() {
        assert_eq!(
            scrub("bad token nmv_usr_AbC-12_x, retry"),
            "bad token nmv_usr_…[redacted], retry"
        );
        assert_eq!(
            scrub("clm_zz and nmv_usr_q"),
            "clm_…[redacted] and nmv_usr_…[redacted]"
        );
        assert_eq!(scrub("nothing here"), "nothing here");
    }

    #[test]
    fn status_and_code_are_kept_apart() {
        let e = Error::api(
            "POST /api/render/proxy/lambda",
            Some(402),
            None,
            Some("free plan export blocked"),
        );
        assert_eq!((e.http_status(), e.api_code()), (Some(402), None));
        assert!(e.is_plan_blocked() && !e.is_out_of_credits());
        let e = Error::api(
            "GET /api/credits/balance/simple",
            Some(200),
            Some(ApiCode::NoCredits),
            None,
        );
        assert_eq!(
            (e.http_status(), e.api_code()),
            (Some(200), Some(ApiCode::NoCredits))
        );
        assert!(!e.is_plan_blocked() && e.is_out_of_credits());
        assert_eq!(e.category(), Category::OutOfCredits);
    }

    #[test]
    fn retryable_means_transient() {
        assert!(Error::api("x", Some(503), None, None).is_retryable());
        assert!(Error::api("x", Some(429), None, None).is_retryable());
        assert!(!Error::api("x", Some(400), None, None).is_retryable());
        assert!(!Error::api("x", Some(200), Some(ApiCode::BadToken), None).is_retryable());
        assert!(Error::timeout("POST /run_sse", Duration::from_mins(15)).is_timeout());
    }

    #[test]
    fn credits_advice_rewrites_only_2001() {
        let advice = CreditsAdvice::Register {
            url: "https://nemovideo.com/register?bind=anon_1".into(),
        };
        let e = Error::api("x", Some(200), Some(ApiCode::NoCredits), None)
            .with_credits_advice(advice.clone());
        assert_eq!(
            e.registration_url(),
            Some("https://nemovideo.com/register?bind=anon_1")
        );
        assert_eq!(
            e.to_string(),
            "out of credits: register at https://nemovideo.com/register?bind=anon_1 to get more"
        );
        let other = Error::api("x", Some(500), None, None).with_credits_advice(advice);
        assert_eq!(other.registration_url(), None);
    }
}
