//! Render (export): submit with the documented body, poll through `nemo-render-poller`,
//! cancel. Download is in [`crate::download`].

use std::time::Duration;

use nemo_protocol::{RenderOutput, RenderRequest, RenderStatus, paths};
use nemo_render_poller::{DriveError, PollPolicy, Progress, RenderApi, Sleeper};
use reqwest::Method;
use serde_json::Value;
use tokio::time::Instant;

use crate::client::{Client, Endpoint, send_for_body, unwrap_response};
use crate::error::{Category, Error, Kind};

/// The production [`Sleeper`]: tokio's clock (so paused-time tests work too).
#[derive(Debug, Clone, Copy)]
pub struct TokioSleeper {
    origin: Instant,
}

impl Default for TokioSleeper {
    fn default() -> Self {
        Self {
            origin: Instant::now(),
        }
    }
}

impl Sleeper for TokioSleeper {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }

    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

impl Client {
    /// Submits a render of `draft` (exactly as read from the state endpoint) with id
    /// `render_<unix ms>`; on failure retries once with a **new** id, except on HTTP 402
    /// (plan limit) and on errors the [`crate::Session`] handles (1001, 1002, 429).
    /// Returns the accepted render id.
    ///
    /// # Cancel safety
    /// Not cancel safe: a render may be created whose id is lost.
    pub async fn submit_render(
        &self,
        session_id: &str,
        draft: Value,
        output: Option<RenderOutput>,
    ) -> Result<String, Error> {
        let request = RenderRequest {
            id: self.new_render_id(),
            session_id: session_id.to_owned(),
            draft,
            output: output.unwrap_or_default(),
        };
        nemo_render_poller::submit(self, request, || self.new_render_id()).await
    }

    /// One poll of a render, read tolerantly from either documented shape.
    ///
    /// # Cancel safety
    /// Cancel safe.
    pub async fn poll_render(&self, render_id: &str) -> Result<RenderStatus, Error> {
        let endpoint = Endpoint::new(Method::GET, paths::render_poll(render_id));
        let label = endpoint.label();
        let (status, bytes) = send_for_body(&label, self.request(&endpoint)).await?;
        let body: Option<Value> = serde_json::from_slice(&bytes).ok();
        if !status.is_success() {
            return Err(unwrap_response(&label, status, body)
                .err()
                .unwrap_or_else(|| Error::decode(&label, "error")));
        }
        let body = body.ok_or_else(|| Error::decode(&label, "the body is not JSON"))?;
        let render = RenderStatus::from_body(&body);
        if render.state.is_none() && render.url.is_none() {
            // Not a status at all: surface an error envelope, if that is what it is.
            unwrap_response(&label, status, Some(body))?;
        }
        Ok(render)
    }

    /// `POST /api/render/proxy/lambda/{id}/cancel` (no body; the response is undocumented, so
    /// any successful status counts).
    ///
    /// # Cancel safety
    /// Cancel safe.
    pub async fn cancel_render(&self, render_id: &str) -> Result<(), Error> {
        let endpoint = Endpoint::new(Method::POST, paths::render_cancel(render_id));
        let label = endpoint.label();
        let (status, bytes) = send_for_body(&label, self.request(&endpoint)).await?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(body) => unwrap_response(&label, status, Some(body)).map(drop),
            Err(_) if status.is_success() => Ok(()),
            Err(_) => unwrap_response(&label, status, None).map(drop),
        }
    }

    /// Polls a render until it finishes (see [`nemo_render_poller::drive`]): returns the output
    /// URL, or `None` when the job completed without one (download through the proxy then).
    ///
    /// # Cancel safety
    /// Cancel safe: dropping it stops polling; the render keeps running server-side.
    pub async fn wait_render(
        &self,
        render_id: &str,
        policy: &PollPolicy,
        on_progress: impl FnMut(Progress),
    ) -> Result<Option<String>, Error> {
        self.wait_render_with(&TokioSleeper::default(), render_id, policy, on_progress)
            .await
    }

    /// [`Client::wait_render`] with an injected clock.
    ///
    /// # Cancel safety
    /// Cancel safe (see [`Client::wait_render`]).
    pub async fn wait_render_with(
        &self,
        sleeper: &impl Sleeper,
        render_id: &str,
        policy: &PollPolicy,
        on_progress: impl FnMut(Progress),
    ) -> Result<Option<String>, Error> {
        nemo_render_poller::drive(self, sleeper, render_id, policy, on_progress)
            .await
            .map_err(|e| match e {
                DriveError::Api(error) => error,
                DriveError::Failed { render_id, reason } => {
                    Error::new(Kind::RenderFailed { render_id, reason })
                }
                DriveError::Cancelled { render_id } => {
                    Error::new(Kind::RenderCancelled { render_id })
                }
                DriveError::TimedOut {
                    render_id, elapsed, ..
                } => Error::new(Kind::RenderTimedOut { render_id, elapsed }),
            })
    }
}

impl RenderApi for Client {
    type Error = Error;

    async fn submit(&self, request: &RenderRequest) -> Result<(), Error> {
        let endpoint = Endpoint::new(Method::POST, paths::RENDER_SUBMIT);
        self.call(&endpoint, self.request(&endpoint).json(request))
            .await
            .map(drop)
    }

    async fn poll(&self, render_id: &str) -> Result<RenderStatus, Error> {
        self.poll_render(render_id).await
    }

    async fn cancel(&self, render_id: &str) -> Result<(), Error> {
        self.cancel_render(render_id).await
    }

    fn is_transient(&self, error: &Error) -> bool {
        error.is_retryable()
    }

    fn should_resubmit(&self, error: &Error) -> bool {
        !matches!(
            error.category(),
            Category::PlanBlocked
                | Category::Auth
                | Category::SessionNotFound
                | Category::RateLimited
                | Category::OutOfCredits
                | Category::Config
        )
    }
}
