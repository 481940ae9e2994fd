//! The recorded scenarios: one function per scenario that drives the real `nemo-client`
//! against a server and says what the client understood.
//!
//! `cargo xtask fixtures record` runs them against the embedded engine (through a
//! [`crate::recorder::Recorder`]) to write `tests/fixtures/recorded/<name>.json`;
//! `tests/it/recorded.rs` runs the very same functions against a mockito replay of each file.
//! Any response the client cannot parse fails the scenario with the step that failed.
//!
//! Everything that differs between the two servers is passed in through [`ScenarioEnv`] and
//! [`RenderGate`]: the base URL, the files to upload, and what happens while a render is pending
//! (the recorder runs the render worker to completion there, so the poll sequence is always
//! `pending` then `completed`, and a replay does nothing).

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use nemo_client::{Client, Error, ProgressFn, Secret, Session, SessionOptions, TurnEvent};
use nemo_protocol::{ApiCode, RenderState};
use serde_json::Value;

/// Attribution headers of every recorded request (fixed, so replays can match them exactly).
pub const ATTRIBUTION: [(&str, &str); 3] = [
    ("x-skill-source", "nemo-video"),
    ("x-skill-version", "1.8.13"),
    ("x-skill-platform", "unknown"),
];

/// `recorded_with` of new recordings.
pub const RECORDED_WITH: &str = concat!("nemo-client ", env!("CARGO_PKG_VERSION"));

/// A token the engine rejects (1001). The tidy secret scan accepts it: it says `fake`.
const FAKE_TOKEN: &str = "nmv_usr_fixtureFAKEtokenNotReal0000";
/// A session id nobody owns (1002).
const UNKNOWN_SESSION: &str = "1000000000000000001";
/// Polls after the gate before giving up (a live render may take minutes).
const MAX_POLLS: u32 = 60;

/// One recorded scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scenario {
    Session,
    Credits,
    Upload,
    Chat,
    Render,
    Errors,
}

impl Scenario {
    pub const ALL: [Self; 6] = [
        Self::Session,
        Self::Credits,
        Self::Upload,
        Self::Chat,
        Self::Render,
        Self::Errors,
    ];

    /// File stem under `tests/fixtures/recorded/`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Session => "session",
            Self::Credits => "credits",
            Self::Upload => "upload",
            Self::Chat => "chat",
            Self::Render => "render",
            Self::Errors => "errors",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// `tests/fixtures/<this>`.
    pub fn fixture_rel(self) -> String {
        format!("recorded/{}.json", self.name())
    }

    /// The recording's `docs` line.
    pub fn docs(self) -> &'static str {
        match self {
            Self::Session => {
                "Anonymous token (X-Client-Id, no Authorization), create a session, claim link."
            }
            Self::Credits => "Anonymous token, then the credits balance.",
            Self::Upload => {
                "Multipart upload of a 1 s 320x180 H.264/AAC clip, then the session state \
                 (draft, video_infos)."
            }
            Self::Chat => {
                "After an upload, two chat turns over SSE (simple typed events): add a title, \
                 then ask what is in the project. The client reads the state before each turn."
            }
            Self::Render => {
                "After an upload: read the draft, submit it unchanged, poll (pending), poll \
                 again once the worker finished (completed, outputUrl), download the MP4 from \
                 the output URL (binary body noted as size and hash)."
            }
            Self::Errors => {
                "Error envelopes: a token the server does not know (1001), an unknown session \
                 (1002), an .mp4 that is not media (4001). No retries: plain client calls."
            }
        }
    }
}

/// What the scenarios need from their surroundings.
#[derive(Debug, Clone)]
pub struct ScenarioEnv {
    /// Server (or recorder) URL.
    pub base_url: String,
    /// A token to use instead of an anonymous one (live recordings).
    pub token: Option<Secret>,
    /// A small clip the client accepts (`.mp4`).
    pub clip: PathBuf,
    /// A `.mp4` file that is not media (the server answers 4001).
    pub not_media: PathBuf,
    /// Where downloads go.
    pub download_dir: PathBuf,
}

/// What happens after the first poll of a render, while it is pending.
pub trait RenderGate: Sync {
    /// Called once with the render id after the first poll.
    fn render_pending(&self, render_id: &str) -> impl Future<Output = Result<(), String>> + Send;

    /// Wait between the following polls.
    fn poll_interval(&self) -> Duration {
        Duration::ZERO
    }
}

/// A gate that does nothing (replays: the recording already holds the next poll's answer).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoGate;

impl RenderGate for NoGate {
    async fn render_pending(&self, _render_id: &str) -> Result<(), String> {
        Ok(())
    }
}

/// A scenario step that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    pub scenario: &'static str,
    pub step: String,
    pub detail: String,
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "scenario {}: {} failed: {}",
            self.scenario, self.step, self.detail
        )
    }
}

impl std::error::Error for ScenarioError {}

/// Runs `scenario` and returns what the client understood, one line per step (no secrets).
pub async fn run(
    scenario: Scenario,
    env: &ScenarioEnv,
    gate: &impl RenderGate,
) -> Result<Vec<String>, ScenarioError> {
    let mut run = Run {
        scenario,
        env,
        lines: Vec::new(),
    };
    match scenario {
        Scenario::Session => run.session_and_claim_link().await?,
        Scenario::Credits => run.credits().await?,
        Scenario::Upload => run.upload().await?,
        Scenario::Chat => run.chat().await?,
        Scenario::Render => run.render(gate).await?,
        Scenario::Errors => run.errors().await?,
    }
    Ok(run.lines)
}

struct Run<'a> {
    scenario: Scenario,
    env: &'a ScenarioEnv,
    lines: Vec<String>,
}

impl Run<'_> {
    fn fail(&self, step: &str, detail: impl std::fmt::Display) -> ScenarioError {
        ScenarioError {
            scenario: self.scenario.name(),
            step: step.to_owned(),
            detail: detail.to_string(),
        }
    }

    fn check<T>(&self, step: &str, result: Result<T, Error>) -> Result<T, ScenarioError> {
        result.map_err(|e| self.fail(step, e))
    }

    fn client(&self, token: Option<Secret>) -> Result<Client, ScenarioError> {
        let client = Client::builder(&self.env.base_url)
            .attribution(ATTRIBUTION)
            .token(token)
            .build();
        self.check("building the client", client)
    }

    fn new_session(&self) -> Result<Session, ScenarioError> {
        let client = self.client(self.env.token.clone())?;
        let options = SessionOptions {
            task_name: "nemo fixtures".to_owned(),
            language: Some("en".to_owned()),
            recovery_waits: Vec::new(),
            ..SessionOptions::default()
        };
        Ok(Session::new(client, options))
    }

    /// A client with a token: the env's, else a new anonymous one.
    async fn authorised_client(&mut self) -> Result<Client, ScenarioError> {
        let client = self.client(self.env.token.clone())?;
        if client.token().is_none() {
            let auth = self.check("anonymous token", client.anonymous_token().await)?;
            self.lines.push(format!(
                "anonymous token: user id {}, credits {:?}, expires {}",
                if auth.user_id.is_some() {
                    "given"
                } else {
                    "missing"
                },
                auth.credits,
                auth.expires_at.as_deref().unwrap_or("never"),
            ));
            client.set_token(Some(auth.token));
        }
        Ok(client)
    }

    async fn new_project(&mut self) -> Result<(Client, String), ScenarioError> {
        let client = self.authorised_client().await?;
        let created = self.check(
            "create session",
            client.create_session("nemo fixtures", Some("en")).await,
        )?;
        self.lines.push(format!(
            "session created: task id {}",
            created.task_id.as_deref().unwrap_or("missing")
        ));
        Ok((client, created.session_id))
    }

    async fn session_and_claim_link(&mut self) -> Result<(), ScenarioError> {
        let (client, session_id) = self.new_project().await?;
        let link = self.check(
            "claim token",
            client
                .claim_token(None, &session_id, nemo_protocol::CLOUD_WEB_URL)
                .await,
        )?;
        self.lines.push(format!(
            "claim link: {} (expires in {:?} s)",
            link.url.split("?ct=").next().unwrap_or_default(),
            link.expires_in
        ));
        Ok(())
    }

    async fn credits(&mut self) -> Result<(), ScenarioError> {
        let mut session = self.new_session()?;
        let credits = self.check("credits", session.credits().await)?;
        self.lines.push(format!(
            "credits: available {}, frozen {}, total {}",
            credits.available, credits.frozen, credits.total
        ));
        Ok(())
    }

    async fn uploaded_session(&mut self) -> Result<Session, ScenarioError> {
        let mut session = self.new_session()?;
        let uploaded = self.check(
            "upload",
            session
                .upload_files(std::slice::from_ref(&self.env.clip), ProgressFn::none())
                .await,
        )?;
        for file in &uploaded.files {
            self.lines.push(format!(
                "uploaded {} ({:?}): {:?} s, {:?}x{:?}",
                file.filename, file.file_type, file.duration, file.width, file.height
            ));
        }
        Ok(session)
    }

    async fn upload(&mut self) -> Result<(), ScenarioError> {
        let mut session = self.uploaded_session().await?;
        let state = self.check("state", session.state().await)?;
        let draft = nemo_draft_summary(state.state.draft.is_some());
        self.lines.push(format!(
            "state: {} video info(s), {draft}",
            state.state.video_infos.len()
        ));
        Ok(())
    }

    async fn chat(&mut self) -> Result<(), ScenarioError> {
        let mut session = self.uploaded_session().await?;
        for message in [
            "add a title 'Hello nemo' at the start",
            "what's in my project",
        ] {
            let mut kinds = Vec::new();
            let outcome = self.check(
                "chat",
                session
                    .chat(message, |event| kinds.push(event_kind(event)))
                    .await,
            )?;
            self.lines.push(format!(
                "chat {message:?}: events [{}], tools {:?}, text {:?}, change {:?}",
                kinds.join(", "),
                outcome.summary.tool_calls,
                outcome.summary.text,
                outcome.change.map(|c| c.lines),
            ));
        }
        Ok(())
    }

    async fn render(&mut self, gate: &impl RenderGate) -> Result<(), ScenarioError> {
        let session = self.uploaded_session().await?;
        let session_id = session
            .ids()
            .map(|i| i.session_id.clone())
            .ok_or_else(|| self.fail("render", "no session after the upload"))?;
        let client = session.client().clone();
        let state = self.check("state", client.state_raw(&session_id).await)?;
        let draft = state
            .pointer("/state/draft")
            .cloned()
            .unwrap_or(Value::Null);
        let render_id = self.check(
            "render submit",
            client.submit_render(&session_id, draft, None).await,
        )?;
        let first = self.check("first poll", client.poll_render(&render_id).await)?;
        self.lines.push(format!("poll: {:?}", first.state));
        gate.render_pending(&render_id)
            .await
            .map_err(|e| self.fail("waiting for the render", e))?;
        let mut status = first;
        for _ in 0..MAX_POLLS {
            if status.state.is_some_and(|s| {
                matches!(
                    s,
                    RenderState::Completed | RenderState::Failed | RenderState::Cancelled
                )
            }) {
                break;
            }
            tokio::time::sleep(gate.poll_interval()).await;
            status = self.check("poll", client.poll_render(&render_id).await)?;
            self.lines.push(format!(
                "poll: {:?}, progress {:?}, url {}",
                status.state,
                status.progress,
                if status.url.is_some() {
                    "given"
                } else {
                    "missing"
                }
            ));
        }
        if status.state != Some(RenderState::Completed) {
            return Err(self.fail("render", format!("ended as {:?}", status.state)));
        }
        let dest = self.env.download_dir.join("render.mp4");
        let downloaded = self.check(
            "download",
            client
                .download_render(&render_id, status.url.as_deref(), &dest, ProgressFn::none())
                .await,
        )?;
        self.lines.push(format!(
            "downloaded {} bytes (via proxy: {})",
            downloaded.bytes, downloaded.via_proxy
        ));
        Ok(())
    }

    async fn errors(&mut self) -> Result<(), ScenarioError> {
        let stranger = self.client(Some(Secret::new(FAKE_TOKEN)))?;
        self.expect_code(
            "credits with an unknown token",
            stranger.credits().await.map(drop),
            ApiCode::BadToken,
        )?;
        let (client, session_id) = self.new_project().await?;
        self.expect_code(
            "state of an unknown session",
            client.state(UNKNOWN_SESSION).await.map(drop),
            ApiCode::SessionNotFound,
        )?;
        self.expect_code(
            "upload of a file that is not media",
            client
                .upload_files(
                    &session_id,
                    std::slice::from_ref(&self.env.not_media),
                    ProgressFn::none(),
                )
                .await
                .map(drop),
            ApiCode::UnsupportedFile,
        )?;
        Ok(())
    }

    fn expect_code(
        &mut self,
        step: &str,
        result: Result<(), Error>,
        expected: ApiCode,
    ) -> Result<(), ScenarioError> {
        match result {
            Err(error) if error.api_code() == Some(expected) => {
                self.lines.push(format!(
                    "{step}: HTTP {:?}, code {}",
                    error.http_status(),
                    expected.as_i64()
                ));
                Ok(())
            }
            Err(error) => Err(self.fail(step, format!("expected {expected:?}, got: {error}"))),
            Ok(()) => Err(self.fail(step, format!("expected {expected:?}, got success"))),
        }
    }
}

fn nemo_draft_summary(has_draft: bool) -> &'static str {
    if has_draft { "a draft" } else { "no draft" }
}

fn event_kind(event: &TurnEvent) -> String {
    match event {
        TurnEvent::Text(_) => "text".to_owned(),
        TurnEvent::Chunk(_) => "chunk".to_owned(),
        TurnEvent::ToolCall { name, .. } => format!("tool_call {name}"),
        TurnEvent::ToolResult { name, .. } => format!("tool_result {name}"),
        TurnEvent::Heartbeat => "heartbeat".to_owned(),
    }
}
