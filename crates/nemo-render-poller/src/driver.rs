//! The async driver: runs [`Poller`] against a [`RenderApi`], sleeping through a [`Sleeper`].
//! Generic over both so this crate needs no HTTP client and no runtime.

use std::future::Future;
use std::time::Duration;

use nemo_protocol::{RenderRequest, RenderStatus};

use crate::{Failure, Next, PollPolicy, Poller, Progress};

/// The render endpoints, as the driver needs them.
pub trait RenderApi {
    type Error;

    /// `POST /api/render/proxy/lambda` with `request` (its `id` chosen by the caller).
    fn submit(
        &self,
        request: &RenderRequest,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// `GET /api/render/proxy/lambda/{id}`, read into a [`RenderStatus`].
    fn poll(
        &self,
        render_id: &str,
    ) -> impl Future<Output = Result<RenderStatus, Self::Error>> + Send;

    /// `POST /api/render/proxy/lambda/{id}/cancel`.
    fn cancel(&self, render_id: &str) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// True when polling again with the same id may succeed (network errors, 5xx, 429).
    fn is_transient(&self, error: &Self::Error) -> bool;

    /// True when a failed submit is worth one retry with a new id (everything but HTTP 402).
    fn should_resubmit(&self, error: &Self::Error) -> bool;
}

/// The driver's clock: `now` (any fixed origin) and `sleep`. Production uses tokio's timer;
/// tests use a fake whose `sleep` only advances `now`.
pub trait Sleeper {
    fn now(&self) -> Duration;
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send;
}

/// Why [`drive`] stopped without a result.
#[derive(Debug, thiserror::Error)]
pub enum DriveError<E> {
    /// The API returned an error that retrying cannot fix, or transient errors went on too long.
    #[error("render polling failed")]
    Api(#[source] E),
    /// The job reported `failed`.
    #[error("render `{render_id}` failed{}", reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default())]
    Failed {
        render_id: String,
        reason: Option<String>,
    },
    /// The job was cancelled.
    #[error("render `{render_id}` was cancelled")]
    Cancelled { render_id: String },
    /// The overall budget ran out.
    #[error("render `{render_id}` did not finish within {}s", elapsed.as_secs())]
    TimedOut {
        render_id: String,
        elapsed: Duration,
        last: Progress,
    },
}

/// Polls `render_id` until it finishes, fails or times out. Returns the output URL (`None` when
/// the job completed without one; download through the proxy endpoint then). `on_progress` is
/// called after every successful poll.
///
/// # Cancel safety
/// Cancel safe: dropping the future stops polling and leaves the server-side job running
/// (call [`RenderApi::cancel`] to stop it).
pub async fn drive<A: RenderApi, S: Sleeper>(
    api: &A,
    sleeper: &S,
    render_id: &str,
    policy: &PollPolicy,
    mut on_progress: impl FnMut(Progress),
) -> Result<Option<String>, DriveError<A::Error>> {
    let mut poller = Poller::new(policy.clone(), sleeper.now());
    loop {
        let (next, error) = match api.poll(render_id).await {
            Ok(status) => {
                let next = poller.observe_status(sleeper.now(), &status);
                on_progress(poller.progress());
                (next, None)
            }
            Err(err) => {
                let next = poller.observe_error(sleeper.now(), api.is_transient(&err));
                (next, Some(err))
            }
        };
        match next {
            Next::Wait(duration) => sleeper.sleep(duration).await,
            Next::Done { url } => return Ok(url),
            Next::Failed(failure) => {
                return Err(failure_to_error(failure, render_id, &poller, error));
            }
        }
    }
}

fn failure_to_error<E>(
    failure: Failure,
    render_id: &str,
    poller: &Poller,
    last_error: Option<E>,
) -> DriveError<E> {
    let render_id = render_id.to_owned();
    match (failure, last_error) {
        (Failure::Render { reason }, _) => DriveError::Failed { render_id, reason },
        (Failure::Cancelled, _) => DriveError::Cancelled { render_id },
        (Failure::Fatal | Failure::TooManyErrors { .. }, Some(err)) => DriveError::Api(err),
        (Failure::TimedOut { elapsed, .. }, _) => DriveError::TimedOut {
            render_id,
            elapsed,
            last: poller.progress(),
        },
        // Fatal/TooManyErrors always follow an error; keep a sensible answer if not.
        (Failure::Fatal | Failure::TooManyErrors { .. }, None) => DriveError::TimedOut {
            render_id,
            elapsed: Duration::ZERO,
            last: poller.progress(),
        },
    }
}

/// Submits `request`; if that fails and [`RenderApi::should_resubmit`] agrees, retries once with
/// a new id from `new_id` (the protocol forbids reusing an id). Returns the id that was accepted.
///
/// # Cancel safety
/// Not cancel safe: if dropped after the POST was sent, a render may have been created whose id
/// the caller never learns.
pub async fn submit<A: RenderApi>(
    api: &A,
    mut request: RenderRequest,
    mut new_id: impl FnMut() -> String,
) -> Result<String, A::Error> {
    match api.submit(&request).await {
        Ok(()) => Ok(request.id),
        Err(err) if api.should_resubmit(&err) => {
            request.id = new_id();
            api.submit(&request).await.map(|()| request.id)
        }
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests;
