//! The plain JSON endpoints: auth, sessions, claim links, credits, state, URL uploads.

use nemo_config::Secret;
use nemo_protocol::{
    ClaimTokenRequest, CreateSessionRequest, Credits, SessionCreated, SessionState, UploadResponse,
    UploadUrlsRequest, paths,
};
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use crate::client::{Client, Endpoint};
use crate::error::Error;

/// A token issued by the anonymous-token endpoint (7-day trial, 100 credits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnonymousAuth {
    pub token: Secret,
    /// `anon_…`, used for the registration link when credits run out.
    pub user_id: Option<String>,
    pub credits: Option<i64>,
    /// ISO-8601 UTC.
    pub expires_at: Option<String>,
}

/// A claim token and the browser link that opens the project with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimLink {
    /// `clm_…`; browser-only, no API access.
    pub claim_token: Secret,
    /// Seconds the claim token stays valid (7 days).
    pub expires_in: Option<i64>,
    /// `<web>/workspace/claim?ct=<claim_token>`: meant to be shown to the user.
    pub url: String,
}

/// Wire form of the anonymous-token data; converted at once so the token never sits in a
/// type with a revealing `Debug`.
#[derive(Deserialize)]
struct AnonymousTokenWire {
    token: String,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    credits: Option<i64>,
    #[serde(default)]
    expires_at: Option<String>,
}

#[derive(Deserialize)]
struct ClaimTokenWire {
    claim_token: String,
    #[serde(default)]
    expires_in: Option<i64>,
}

impl Client {
    /// `POST /api/auth/anonymous-token` with `X-Client-Id`. Does not install the token; see
    /// [`Client::set_token`] (the [`crate::Session`] does both, with the 400/429 policies).
    ///
    /// # Cancel safety
    /// Cancel safe, but a token issued for a dropped call is lost (and the server allows one per
    /// client id per 7 days).
    pub async fn anonymous_token(&self) -> Result<AnonymousAuth, Error> {
        let endpoint = Endpoint::new(Method::POST, paths::ANONYMOUS_TOKEN);
        // The protocol documents no body for this call (§3.1).
        let rb = self.anonymous_request(&endpoint);
        let wire: AnonymousTokenWire = self.call_json(&endpoint, rb).await?;
        Ok(AnonymousAuth {
            token: Secret::new(wire.token),
            user_id: wire.user_id,
            credits: wire.credits,
            expires_at: wire.expires_at,
        })
    }

    /// `POST /api/tasks/me/with-session/nemo_agent`: a new project and its chat session.
    ///
    /// # Cancel safety
    /// Cancel safe; a dropped call may still have created a project server-side.
    pub async fn create_session(
        &self,
        task_name: &str,
        language: Option<&str>,
    ) -> Result<SessionCreated, Error> {
        let endpoint = Endpoint::new(Method::POST, paths::CREATE_SESSION);
        let body = CreateSessionRequest {
            task_name: task_name.to_owned(),
            language: language.map(str::to_owned),
        };
        self.call_json(&endpoint, self.request(&endpoint).json(&body))
            .await
    }

    /// `POST /api/auth/claim-token` and the browser link built from it on `web_url`.
    ///
    /// # Cancel safety
    /// Cancel safe.
    pub async fn claim_token(
        &self,
        task_id: Option<&str>,
        session_id: &str,
        web_url: &str,
    ) -> Result<ClaimLink, Error> {
        let endpoint = Endpoint::new(Method::POST, paths::CLAIM_TOKEN);
        let body = ClaimTokenRequest {
            task_id: task_id.map(str::to_owned),
            session_id: session_id.to_owned(),
        };
        let wire: ClaimTokenWire = self
            .call_json(&endpoint, self.request(&endpoint).json(&body))
            .await?;
        Ok(ClaimLink {
            url: paths::claim_link(web_url, &wire.claim_token),
            claim_token: Secret::new(wire.claim_token),
            expires_in: wire.expires_in,
        })
    }

    /// `GET /api/credits/balance/simple`.
    ///
    /// # Cancel safety
    /// Cancel safe.
    pub async fn credits(&self) -> Result<Credits, Error> {
        let endpoint = Endpoint::new(Method::GET, paths::CREDITS);
        self.call_json(&endpoint, self.request(&endpoint)).await
    }

    /// `GET /api/state/nemo_agent/me/{sid}/latest`, parsed (draft, `video_infos`, `generated_media`…).
    ///
    /// # Cancel safety
    /// Cancel safe.
    pub async fn state(&self, session_id: &str) -> Result<SessionState, Error> {
        let endpoint = Endpoint::new(Method::GET, paths::state(session_id));
        let data = self.call(&endpoint, self.request(&endpoint)).await?;
        serde_json::from_value(data).map_err(|e| Error::decode(&endpoint.label(), e))
    }

    /// The state payload exactly as the server sent it (the render body must carry the draft
    /// unchanged, including keys no type here knows).
    ///
    /// # Cancel safety
    /// Cancel safe.
    pub async fn state_raw(&self, session_id: &str) -> Result<Value, Error> {
        let endpoint = Endpoint::new(Method::GET, paths::state(session_id));
        self.call(&endpoint, self.request(&endpoint)).await
    }

    /// Registers media by URL (`{"urls":[…],"source_type":"url"}`).
    ///
    /// # Cancel safety
    /// Cancel safe; the server may still fetch the URLs of a dropped call.
    pub async fn upload_urls(
        &self,
        session_id: &str,
        urls: &[String],
    ) -> Result<UploadResponse, Error> {
        let endpoint = Endpoint::new(Method::POST, paths::upload(session_id));
        let body = UploadUrlsRequest {
            urls: urls.to_vec(),
            source_type: "url".to_owned(),
        };
        self.call_json(&endpoint, self.request(&endpoint).json(&body))
            .await
    }
}
