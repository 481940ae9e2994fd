//! Endpoint paths, relative to the API base URL.

use crate::{APP_NAME, USER_ME};

pub const ANONYMOUS_TOKEN: &str = "/api/auth/anonymous-token";
pub const CREATE_SESSION: &str = "/api/tasks/me/with-session/nemo_agent";
pub const CLAIM_TOKEN: &str = "/api/auth/claim-token";
pub const RUN_SSE: &str = "/run_sse";
pub const CREDITS: &str = "/api/credits/balance/simple";
pub const RENDER_SUBMIT: &str = "/api/render/proxy/lambda";

pub fn upload(session_id: &str) -> String {
    format!("/api/upload-video/{APP_NAME}/{USER_ME}/{session_id}")
}

pub fn state(session_id: &str) -> String {
    format!("/api/state/{APP_NAME}/{USER_ME}/{session_id}/latest")
}

pub fn render_poll(render_id: &str) -> String {
    format!("{RENDER_SUBMIT}/{render_id}")
}

pub fn render_cancel(render_id: &str) -> String {
    format!("{RENDER_SUBMIT}/{render_id}/cancel")
}

pub fn render_download(render_id: &str) -> String {
    format!("/api/render/proxy/{render_id}/download")
}

/// Browser link that opens a project from a claim token.
pub fn claim_link(web_base: &str, claim_token: &str) -> String {
    format!(
        "{}/workspace/claim?ct={claim_token}",
        web_base.trim_end_matches('/')
    )
}

/// Registration link for an anonymous user who ran out of credits (code 2001).
pub fn register_link(web_base: &str, user_id: &str) -> String {
    format!("{}/register?bind={user_id}", web_base.trim_end_matches('/'))
}
