//! [`Session`]: the client plus the protocol's error policy and the project it works on.
//!
//! | failure | what the session does |
//! |---|---|
//! | body 1001 (or HTTP 401) | get a new anonymous token once, then retry |
//! | body 1002 | create a new session once, then retry (the old timeline is gone: [`Notice::SessionRenewed`]) |
//! | HTTP 400 on anonymous-token | regenerate (and persist) the client id, then retry |
//! | HTTP 429 | wait (30 s by default), then retry once |
//! | HTTP 402 | fail with the plan message ([`Error::is_plan_blocked`]); never retried |
//! | body 2001 | fail with a registration link `…/register?bind=<user_id>` (anonymous) or "Top up credits in your account" (registered) |
//!
//! A chat message is never sent twice: only failures *before* the stream starts are retried.
//! When a turn ends without text, the session reads the state and diffs the draft against the
//! one from before the turn (`nemo-draft`), so the caller can say what changed.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use nemo_config::{Config, CredentialStore, SavedCredentials};
use nemo_draft::{Change, Draft};
use nemo_protocol::{Credits, SessionState, UploadResponse, paths};
use nemo_render_poller::{PollPolicy, Progress};
use serde_json::Value;

use crate::api::ClaimLink;
use crate::client::Client;
use crate::download::Downloaded;
use crate::error::{CreditsAdvice, Error, Kind};
use crate::progress::{ProgressFn, Transfer};
use crate::sse::{TurnEvent, TurnSummary};

/// Default `task_name` of new projects.
pub const DEFAULT_TASK_NAME: &str = "nemo project";
/// The protocol's wait before retrying after HTTP 429.
pub const RATE_LIMIT_WAIT: Duration = Duration::from_secs(30);

/// How a [`Session`] behaves. Every wait is injectable for tests.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// Web app base URL for claim and registration links.
    pub web_url: String,
    /// `task_name` of projects this session creates.
    pub task_name: String,
    /// `language` sent when creating a project.
    pub language: Option<String>,
    /// Where a regenerated client id is persisted (`~/.config/nemovideo`); `None` = memory only.
    pub config_dir: Option<PathBuf>,
    /// Where tokens are saved and looked up, and under which key (the API target).
    pub credentials: Option<(CredentialStore, String)>,
    /// Wait before the single retry after HTTP 429.
    pub rate_limit_wait: Duration,
    /// Render polling.
    pub poll_policy: PollPolicy,
    /// Waits between state reads after a chat stream broke (protocol §4.2: 30 s, then 60 s,
    /// five reads in all). Empty = report the error at once.
    pub recovery_waits: Vec<Duration>,
}

impl Default for SessionOptions {
    fn default() -> Self {
        Self {
            web_url: nemo_protocol::CLOUD_WEB_URL.to_owned(),
            task_name: DEFAULT_TASK_NAME.to_owned(),
            language: None,
            config_dir: None,
            credentials: None,
            rate_limit_wait: RATE_LIMIT_WAIT,
            poll_policy: PollPolicy::default(),
            recovery_waits: vec![
                Duration::from_secs(30),
                Duration::from_mins(1),
                Duration::from_mins(1),
                Duration::from_mins(1),
                Duration::from_mins(1),
            ],
        }
    }
}

impl SessionOptions {
    /// Options from a loaded config: web URL, language, render interval and timeout; the client
    /// id and credentials persist in `config_dir` under `credentials_key` (the API target).
    pub fn from_config(config: &Config, config_dir: Option<&Path>, credentials_key: &str) -> Self {
        Self {
            web_url: config.web_url.clone(),
            language: config.language.clone(),
            config_dir: config_dir.map(Path::to_owned),
            credentials: config_dir
                .map(|dir| (CredentialStore::new(dir), credentials_key.to_owned())),
            poll_policy: PollPolicy::new(config.render_poll_interval(), config.render_timeout()),
            ..Self::default()
        }
    }
}

/// The project a session works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionIds {
    pub task_id: Option<String>,
    pub session_id: String,
}

/// What is known about the account behind the token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Account {
    /// `anon_…` for anonymous users.
    pub user_id: Option<String>,
    /// `Some(true)` when the token came from the anonymous-token endpoint.
    pub anonymous: Option<bool>,
}

impl Account {
    /// Anonymous when the token was issued anonymously or the user id says `anon_`.
    pub fn is_anonymous(&self) -> bool {
        self.anonymous.unwrap_or_else(|| {
            self.user_id
                .as_deref()
                .is_some_and(|u| u.starts_with("anon_"))
        })
    }
}

/// Things that happened behind the caller's back, for status lines ("Setting things up...").
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notice {
    /// A new anonymous token was issued (first use).
    AnonymousTokenIssued,
    /// The token was rejected (1001) and replaced by a new anonymous one.
    Reauthenticated,
    /// HTTP 400 on anonymous-token: the client id was regenerated.
    ClientIdRegenerated,
    /// A project was created.
    SessionCreated { session_id: String },
    /// The session was gone (1002); a new, empty one replaced it.
    SessionRenewed { session_id: String },
    /// HTTP 429: waiting before one retry.
    RateLimited { wait: Duration },
    /// The chat stream broke, but the state changed, so the turn is reported from the state.
    RecoveredFromState,
}

/// How the draft changed over a turn that said nothing (or whose stream broke).
#[derive(Debug, Clone, PartialEq)]
pub struct DraftChange {
    pub before: Draft,
    pub after: Draft,
    pub changes: Vec<Change>,
    /// One line per change ("✅ Title added: …"), from [`nemo_draft::summarize`].
    pub lines: Vec<String>,
    /// The whole state after the turn.
    pub state: SessionState,
}

/// The result of [`Session::chat`].
#[derive(Debug, Clone, PartialEq)]
pub struct ChatOutcome {
    pub summary: TurnSummary,
    /// Present when the turn was silent (or recovered after a broken stream).
    pub change: Option<DraftChange>,
}

/// Progress of [`Session::export`].
#[derive(Debug, Clone, PartialEq)]
pub enum ExportProgress {
    Submitted { render_id: String },
    Rendering(Progress),
    Downloading(Transfer),
}

/// The result of [`Session::export`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOutcome {
    pub render_id: String,
    /// The output URL the server reported, if any.
    pub url: Option<String>,
    pub download: Downloaded,
}

/// Retries already spent by one operation (each policy applies once).
#[derive(Debug, Default)]
struct Retried {
    auth: bool,
    session: bool,
    rate_limit: bool,
}

/// A client, the project it works on and the account behind it, with the error policy.
#[derive(Debug)]
pub struct Session {
    client: Client,
    options: SessionOptions,
    ids: Option<SessionIds>,
    account: Account,
    notices: Vec<Notice>,
}

impl Session {
    pub fn new(client: Client, options: SessionOptions) -> Self {
        Self {
            client,
            options,
            ids: None,
            account: Account::default(),
            notices: Vec::new(),
        }
    }

    /// Continues an existing project instead of creating one on first use.
    #[must_use]
    pub fn with_ids(mut self, ids: SessionIds) -> Self {
        self.ids = Some(ids);
        self
    }

    /// Sets what is known about the account (e.g. restored with the saved token).
    #[must_use]
    pub fn with_account(mut self, account: Account) -> Self {
        self.account = account;
        self
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn ids(&self) -> Option<&SessionIds> {
        self.ids.as_ref()
    }

    pub fn account(&self) -> &Account {
        &self.account
    }

    pub fn options(&self) -> &SessionOptions {
        &self.options
    }

    /// Notices since the last call, oldest first.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }

    /// Makes sure a token is set: the client's, else a saved one, else a new anonymous token.
    ///
    /// # Cancel safety
    /// Cancel safe, but a token issued for a dropped call is lost.
    pub async fn ensure_token(&mut self) -> Result<(), Error> {
        if self.client.token().is_some() {
            return Ok(());
        }
        if let Some((store, key)) = &self.options.credentials
            && let Some(saved) = store.load(key).map_err(|e| config_error(&e))?
        {
            self.client.set_token(Some(saved.token));
            self.account = Account {
                user_id: saved.user_id,
                anonymous: Some(saved.anonymous),
            };
            return Ok(());
        }
        self.issue_anonymous_token().await?;
        self.notices.push(Notice::AnonymousTokenIssued);
        Ok(())
    }

    /// Makes sure a project exists, creating one if needed.
    ///
    /// # Cancel safety
    /// Cancel safe; a dropped call may have created a project server-side.
    pub async fn ensure_session(&mut self) -> Result<SessionIds, Error> {
        self.in_session(|_, _| async { Ok(()) }).await?;
        self.ids
            .clone()
            .ok_or_else(|| Error::config("no session after creating one"))
    }

    /// `GET` credits.
    ///
    /// # Cancel safety
    /// Cancel safe.
    pub async fn credits(&mut self) -> Result<Credits, Error> {
        self.run(false, |c, _| async move { c.credits().await })
            .await
    }

    /// The session state (draft, `video_infos`, `generated_media`).
    ///
    /// # Cancel safety
    /// Cancel safe.
    pub async fn state(&mut self) -> Result<SessionState, Error> {
        let raw = self
            .in_session(|c, sid| async move { c.state_raw(&sid).await })
            .await?;
        parse_state(raw)
    }

    /// A browser link that opens the project (claim token, 7 days).
    ///
    /// # Cancel safety
    /// Cancel safe.
    pub async fn claim_link(&mut self) -> Result<ClaimLink, Error> {
        let web_url = self.options.web_url.clone();
        self.ensure_session().await?;
        let task_id = self.ids.as_ref().and_then(|i| i.task_id.clone());
        self.in_session(move |c, sid| {
            let (task_id, web_url) = (task_id.clone(), web_url.clone());
            async move { c.claim_token(task_id.as_deref(), &sid, &web_url).await }
        })
        .await
    }

    /// Uploads local files (checked for type and size before anything is sent).
    ///
    /// # Cancel safety
    /// Cancel safe (see [`Client::upload_files`]).
    pub async fn upload_files(
        &mut self,
        files: &[PathBuf],
        on_progress: ProgressFn,
    ) -> Result<UploadResponse, Error> {
        for file in files {
            self.client.check_upload(file)?;
        }
        let files = files.to_vec();
        self.in_session(move |c, sid| {
            let (files, on_progress) = (files.clone(), on_progress.clone());
            async move { c.upload_files(&sid, &files, on_progress).await }
        })
        .await
    }

    /// Registers media by URL.
    ///
    /// # Cancel safety
    /// Cancel safe.
    pub async fn upload_urls(&mut self, urls: &[String]) -> Result<UploadResponse, Error> {
        let urls = urls.to_vec();
        self.in_session(move |c, sid| {
            let urls = urls.clone();
            async move { c.upload_urls(&sid, &urls).await }
        })
        .await
    }

    /// Sends one chat message and runs the turn to its end. Failures before the stream starts
    /// follow the policy table; the message is never sent twice. A silent turn (no text) comes
    /// back with a [`DraftChange`]. If the stream breaks, the state is watched for a change
    /// (protocol §4.2) before the error is reported.
    ///
    /// # Cancel safety
    /// Not cancel safe: once sent, the turn runs (and costs credits) even if this is dropped.
    pub async fn chat(
        &mut self,
        text: &str,
        mut on_event: impl FnMut(&TurnEvent),
    ) -> Result<ChatOutcome, Error> {
        let before = self
            .in_session(|c, sid| async move { c.state_raw(&sid).await })
            .await?;
        let before_session = self.current_session_id();
        let text = text.to_owned();
        let stream = self
            .in_session(move |c, sid| {
                let text = text.clone();
                async move { c.run_sse(&sid, &text).await }
            })
            .await?;
        // A 1002 while starting the turn moved us to a new, empty project.
        let before = if self.current_session_id() == before_session {
            before
        } else {
            Value::Null
        };
        let (summary, error) = stream.collect_partial(&mut on_event).await;
        if let Some(error) = error {
            if !error.is_retryable() {
                return Err(self.advise(error).await);
            }
            return match self.watch_for_change(&before).await {
                Some(after) => {
                    self.notices.push(Notice::RecoveredFromState);
                    Ok(ChatOutcome {
                        summary,
                        change: Some(draft_change(&before, after)?),
                    })
                }
                None => Err(error),
            };
        }
        let change = if summary.is_silent() {
            // The turn itself succeeded; a failed state read only loses the description.
            match self
                .in_session(|c, sid| async move { c.state_raw(&sid).await })
                .await
            {
                Ok(after) => Some(draft_change(&before, after)?),
                Err(error) => {
                    tracing::debug!(%error, "could not read the state after a silent turn");
                    None
                }
            }
        } else {
            None
        };
        Ok(ChatOutcome { summary, change })
    }

    /// Exports the project: reads the draft, submits it unchanged, polls until done and
    /// downloads the video to `dest` (through a temporary file).
    ///
    /// # Cancel safety
    /// Not cancel safe: a dropped export may leave a render running server-side; `dest` is only
    /// ever replaced by a complete file.
    pub async fn export(
        &mut self,
        dest: &Path,
        on_progress: impl Fn(ExportProgress) + Send + Sync + 'static,
    ) -> Result<ExportOutcome, Error> {
        let on_progress = Arc::new(on_progress);
        let state = self
            .in_session(|c, sid| async move { c.state_raw(&sid).await })
            .await?;
        let draft = state
            .pointer("/state/draft")
            .cloned()
            .unwrap_or(Value::Null);
        if !Draft::parse(&draft).0.is_exportable() {
            return Err(Error::new(Kind::NothingToExport));
        }
        let render_id = self
            .in_session(move |c, sid| {
                let draft = draft.clone();
                async move { c.submit_render(&sid, draft, None).await }
            })
            .await?;
        on_progress(ExportProgress::Submitted {
            render_id: render_id.clone(),
        });
        let policy = self.options.poll_policy.clone();
        let report = Arc::clone(&on_progress);
        let url = match self
            .client
            .wait_render(&render_id, &policy, |p| {
                report(ExportProgress::Rendering(p));
            })
            .await
        {
            Ok(url) => url,
            Err(error) => return Err(self.advise(error).await),
        };
        let report = Arc::clone(&on_progress);
        let download_progress = ProgressFn::new(move |t| report(ExportProgress::Downloading(t)));
        let download = self
            .client
            .download_render(&render_id, url.as_deref(), dest, download_progress)
            .await?;
        Ok(ExportOutcome {
            render_id,
            url,
            download,
        })
    }

    fn current_session_id(&self) -> Option<String> {
        self.ids.as_ref().map(|i| i.session_id.clone())
    }

    /// Runs `op` inside the current project (created on demand) with the error policy.
    ///
    /// Operations are closures over owned arguments returning owned futures (rather than async
    /// closures over references) so the resulting futures are `Send`.
    async fn in_session<T, F, Fut>(&mut self, mut op: F) -> Result<T, Error>
    where
        F: FnMut(Client, String) -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        self.run(true, move |c, sid| op(c, sid.unwrap_or_default()))
            .await
    }

    /// The policy loop: make sure of a token (and a session), run `op`, and on a failure the
    /// policy covers, fix the cause and run it again, each fix at most once.
    async fn run<T, F, Fut>(&mut self, needs_session: bool, mut op: F) -> Result<T, Error>
    where
        F: FnMut(Client, Option<String>) -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let mut retried = Retried::default();
        loop {
            self.ensure_token().await?;
            let session_id = if needs_session {
                match self.session_id_or_create().await {
                    Ok(id) => Some(id),
                    Err(error) => {
                        if self.recover(&error, false, &mut retried).await? {
                            continue;
                        }
                        return Err(self.advise(error).await);
                    }
                }
            } else {
                None
            };
            let error = match op(self.client.clone(), session_id).await {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            if !self.recover(&error, needs_session, &mut retried).await? {
                return Err(self.advise(error).await);
            }
        }
    }

    async fn session_id_or_create(&mut self) -> Result<String, Error> {
        if let Some(ids) = &self.ids {
            return Ok(ids.session_id.clone());
        }
        let created = self
            .client
            .create_session(&self.options.task_name, self.options.language.as_deref())
            .await?;
        if created.user_id.is_some() {
            self.account.user_id.clone_from(&created.user_id);
        }
        self.ids = Some(SessionIds {
            task_id: created.task_id,
            session_id: created.session_id.clone(),
        });
        self.notices.push(Notice::SessionCreated {
            session_id: created.session_id.clone(),
        });
        Ok(created.session_id)
    }

    /// Applies the policy for `error`. `Ok(true)` = fixed, run again; `Ok(false)` = not covered.
    async fn recover(
        &mut self,
        error: &Error,
        session_scoped: bool,
        retried: &mut Retried,
    ) -> Result<bool, Error> {
        if error.is_auth_rejected() && !retried.auth {
            retried.auth = true;
            self.reauthenticate().await?;
            return Ok(true);
        }
        if error.is_session_not_found() && session_scoped && !retried.session {
            retried.session = true;
            self.ids = None;
            let session_id = self.session_id_or_create().await?;
            // Replace the generic "created" notice: the caller must learn the old timeline is gone.
            self.notices.retain(
                |n| !matches!(n, Notice::SessionCreated { session_id: s } if *s == session_id),
            );
            self.notices.push(Notice::SessionRenewed { session_id });
            return Ok(true);
        }
        if error.is_rate_limited() && !retried.rate_limit {
            retried.rate_limit = true;
            self.wait_rate_limit().await;
            return Ok(true);
        }
        Ok(false)
    }

    async fn wait_rate_limit(&mut self) {
        let wait = self.options.rate_limit_wait;
        self.notices.push(Notice::RateLimited { wait });
        tokio::time::sleep(wait).await;
    }

    /// 1001: forget the rejected token and get a new anonymous one.
    async fn reauthenticate(&mut self) -> Result<(), Error> {
        self.client.set_token(None);
        if let Some((store, key)) = &self.options.credentials {
            store.remove(key).map_err(|e| config_error(&e))?;
        }
        self.issue_anonymous_token().await?;
        self.notices.push(Notice::Reauthenticated);
        Ok(())
    }

    /// The anonymous-token call with its own policies: HTTP 400 -> new client id, 429 -> wait;
    /// each once.
    async fn issue_anonymous_token(&mut self) -> Result<(), Error> {
        let (mut regenerated, mut waited) = (false, false);
        loop {
            match self.client.anonymous_token().await {
                Ok(auth) => {
                    self.client.set_token(Some(auth.token.clone()));
                    self.account = Account {
                        user_id: auth.user_id.clone(),
                        anonymous: Some(true),
                    };
                    if let Some((store, key)) = &self.options.credentials {
                        let saved = SavedCredentials {
                            token: auth.token,
                            user_id: auth.user_id,
                            anonymous: true,
                        };
                        store.save(key, &saved).map_err(|e| config_error(&e))?;
                    }
                    return Ok(());
                }
                Err(error) if error.http_status() == Some(400) && !regenerated => {
                    regenerated = true;
                    self.regenerate_client_id()?;
                }
                Err(error) if error.is_rate_limited() && !waited => {
                    waited = true;
                    self.wait_rate_limit().await;
                }
                Err(error) => return Err(error),
            }
        }
    }

    fn regenerate_client_id(&mut self) -> Result<(), Error> {
        let id = match &self.options.config_dir {
            Some(dir) => nemo_config::regenerate_client_id(dir).map_err(|e| config_error(&e))?,
            None => uuid::Uuid::new_v4().to_string(),
        };
        self.client.set_client_id(id);
        self.notices.push(Notice::ClientIdRegenerated);
        Ok(())
    }

    /// Adds account-specific advice to an out-of-credits error.
    async fn advise(&mut self, error: Error) -> Error {
        if !error.is_out_of_credits() {
            return error;
        }
        let web_url = self.options.web_url.clone();
        if self.account.user_id.is_none() && self.account.anonymous != Some(false) {
            // The bind id is required; the state response may carry it.
            if let Some(sid) = self.current_session_id()
                && let Ok(state) = self.client.state(&sid).await
            {
                self.account.user_id = state.user_id;
            }
        }
        let advice = match (&self.account.user_id, self.account.is_anonymous()) {
            (Some(user_id), true) => CreditsAdvice::Register {
                url: paths::register_link(&web_url, user_id),
            },
            (None, true) => CreditsAdvice::Register {
                url: format!("{}/register", web_url.trim_end_matches('/')),
            },
            (_, false) => CreditsAdvice::TopUp { web_url },
        };
        error.with_credits_advice(advice)
    }

    /// After a broken stream: never resend; read the state on the recovery schedule and return
    /// it as soon as it differs from `before`.
    async fn watch_for_change(&mut self, before: &Value) -> Option<Value> {
        let session_id = self.current_session_id()?;
        for wait in self.options.recovery_waits.clone() {
            tokio::time::sleep(wait).await;
            match self.client.state_raw(&session_id).await {
                Ok(after) if state_changed(before, &after) => return Some(after),
                Ok(_) => {}
                Err(error) => tracing::debug!(%error, "state read during recovery failed"),
            }
        }
        None
    }
}

/// The parts of a state that a turn changes.
fn state_changed(before: &Value, after: &Value) -> bool {
    [
        "/state/draft",
        "/state/video_infos",
        "/state/generated_media",
    ]
    .iter()
    .any(|p| before.pointer(p) != after.pointer(p))
}

fn parse_state(raw: Value) -> Result<SessionState, Error> {
    serde_json::from_value(raw).map_err(|e| Error::decode("GET state", e))
}

fn draft_change(before: &Value, after: Value) -> Result<DraftChange, Error> {
    let draft_of = |v: &Value| {
        v.get("state")
            .map(|s| Draft::from_state(s).0)
            .unwrap_or_default()
    };
    let (before, after_draft) = (draft_of(before), draft_of(&after));
    let changes = nemo_draft::diff(&before, &after_draft);
    let lines = nemo_draft::summarize(&changes);
    Ok(DraftChange {
        before,
        after: after_draft,
        changes,
        lines,
        state: parse_state(after)?,
    })
}

fn config_error(error: &nemo_config::Error) -> Error {
    // Keeps the message (with its path) but not the type: config errors are rare and final.
    Error::config(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>(_: &T) {}

    /// Hosts may run session calls on spawned tasks, so their futures must be `Send`.
    #[test]
    fn session_futures_are_send() {
        let client = Client::builder("http://127.0.0.1:9")
            .attribution([
                ("x-skill-source", "a"),
                ("x-skill-version", "1"),
                ("x-skill-platform", "p"),
            ])
            .build()
            .unwrap();
        let mut session = Session::new(client, SessionOptions::default());
        assert_send(&session.chat("hi", |_| {}));
        assert_send(&session.export(Path::new("out.mp4"), |_| {}));
        assert_send(&session.upload_files(&[], ProgressFn::none()));
        assert_send(&session.credits());
        assert_send(&session.claim_link());
    }

    #[test]
    fn anonymous_is_the_flag_or_the_anon_prefix() {
        assert!(
            Account {
                user_id: Some("anon_1".into()),
                anonymous: None
            }
            .is_anonymous()
        );
        assert!(
            !Account {
                user_id: Some("u_1".into()),
                anonymous: None
            }
            .is_anonymous()
        );
        assert!(
            !Account {
                user_id: Some("anon_1".into()),
                anonymous: Some(false)
            }
            .is_anonymous()
        );
        assert!(
            Account {
                user_id: None,
                anonymous: Some(true)
            }
            .is_anonymous()
        );
    }
}
