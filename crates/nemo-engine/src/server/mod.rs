//! The axum application: routes of the `nemo_agent` protocol plus `/media/{hash}` for
//! content-addressed downloads (the `cdn_url`/`outputUrl` the engine hands out).

mod auth;
mod chat;
mod files;
mod render;
mod sessions;
mod upload;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use nemo_protocol::paths;
use tokio_util::task::TaskTracker;

use crate::config::EngineConfig;
use crate::error::ApiError;
use crate::media_store::MediaStore;
use crate::store::{SessionRow, Store, UserRow};

/// Everything a request handler needs. Nothing here is state another engine instance would
/// need: sessions, drafts, jobs and progress live in the store, media in the media store.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) config: EngineConfig,
    pub(crate) store: Store,
    pub(crate) media: MediaStore,
    /// Base URL for links this engine hands out (`http://127.0.0.1:PORT`).
    pub(crate) public_url: String,
    pub(crate) http: reqwest::Client,
    /// Chat turns run detached from their HTTP request; shutdown waits for them.
    pub(crate) turns: TaskTracker,
    /// Wakes the in-process worker when a job is queued (a hint only: workers also poll, so
    /// jobs queued by another engine are found too).
    pub(crate) job_queued: tokio::sync::Notify,
}

impl AppState {
    /// The user behind the request's bearer token (1001 otherwise).
    pub(crate) async fn authenticate(&self, headers: &HeaderMap) -> Result<UserRow, ApiError> {
        let token = auth::bearer(headers).ok_or_else(ApiError::bad_token)?;
        self.store
            .user_for_token(&auth::hash_token(token))
            .await?
            .ok_or_else(ApiError::bad_token)
    }

    /// A session the user owns (1002 for unknown sessions and for other users' sessions alike,
    /// so ids of other users' sessions are not confirmed).
    pub(crate) async fn owned_session(
        &self,
        user: &UserRow,
        session_id: &str,
    ) -> Result<SessionRow, ApiError> {
        match self.store.session(session_id).await? {
            Some(session) if session.user_id == user.id => Ok(session),
            _ => Err(ApiError::session_not_found(session_id)),
        }
    }

    /// The public URL of a stored object.
    pub(crate) fn media_url(&self, sha256: &str, extension: &str) -> String {
        format!("{}/media/{sha256}.{extension}", self.public_url)
    }
}

/// `{user}` in paths is `me` or the caller's own id.
pub(crate) fn check_user_alias(
    alias: &str,
    user: &UserRow,
    session_id: &str,
) -> Result<(), ApiError> {
    if alias == nemo_protocol::USER_ME || alias == user.id {
        Ok(())
    } else {
        Err(ApiError::session_not_found(session_id))
    }
}

pub(crate) use render::RENDER_JOB;

pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route(paths::ANONYMOUS_TOKEN, post(auth::anonymous_token))
        .route(paths::CLAIM_TOKEN, post(auth::claim_token))
        .route(
            "/api/tasks/{user}/with-session/nemo_agent",
            post(sessions::create_session),
        )
        .route(paths::CREDITS, get(sessions::credits))
        .route(
            "/api/state/nemo_agent/{user}/{session_id}/latest",
            get(sessions::state),
        )
        .route(paths::RUN_SSE, post(chat::run_sse))
        .route(
            "/api/upload-video/nemo_agent/{user}/{session_id}",
            // Size limits are enforced per file while streaming, not on the whole body.
            post(upload::upload).layer(DefaultBodyLimit::disable()),
        )
        .route(paths::RENDER_SUBMIT, post(render::submit))
        .route("/api/render/proxy/lambda/{render_id}", get(render::poll))
        .route(
            "/api/render/proxy/lambda/{render_id}/cancel",
            post(render::cancel),
        )
        .route(
            "/api/render/proxy/{render_id}/download",
            get(render::download),
        )
        .route("/media/{name}", get(files::media))
        .with_state(state)
}
