//! The polling state machine (no IO, no clock).

use std::time::Duration;

use nemo_protocol::{RenderState, RenderStatus};

/// How to poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollPolicy {
    /// Time between polls (the skill uses 30 s).
    pub interval: Duration,
    /// Overall budget from the first observation; the render fails as timed out after it.
    pub timeout: Duration,
    /// Consecutive transient errors tolerated before giving up.
    pub max_consecutive_errors: u32,
    /// Polls that may report `completed` without a URL before finishing without one (the caller
    /// then downloads through the proxy endpoint).
    pub missing_url_grace: u32,
}

impl Default for PollPolicy {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(30),
            timeout: Duration::from_mins(10),
            max_consecutive_errors: 5,
            missing_url_grace: 2,
        }
    }
}

impl PollPolicy {
    /// The default policy with this interval and overall timeout.
    pub fn new(interval: Duration, timeout: Duration) -> Self {
        Self {
            interval,
            timeout,
            ..Self::default()
        }
    }
}

/// What the caller should do next.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// Sleep this long, then poll again.
    Wait(Duration),
    /// The render finished. `url` is `None` when the job completed without reporting one within
    /// the grace polls; download through `/api/render/proxy/{id}/download` then.
    Done { url: Option<String> },
    /// The render will not finish.
    Failed(Failure),
}

/// Why a render will not finish.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The job reported `failed`, with the server's reason when it gave one.
    Render { reason: Option<String> },
    /// The job was cancelled.
    Cancelled,
    /// The overall timeout passed; `last` is the last state seen.
    TimedOut {
        elapsed: Duration,
        last: Option<RenderState>,
    },
    /// Too many transient errors in a row.
    TooManyErrors { count: u32 },
    /// The caller reported an error that retrying cannot fix.
    Fatal,
}

/// Progress as last observed, for progress bars ("⏳ 50%").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub state: Option<RenderState>,
    /// 0..=100 when the server reported it.
    pub percent: Option<f64>,
}

/// The polling state machine of one render job.
#[derive(Debug, Clone)]
pub struct Poller {
    policy: PollPolicy,
    started: Duration,
    consecutive_errors: u32,
    completed_without_url: u32,
    progress: Progress,
}

impl Poller {
    /// A poller whose timeout counts from `now`.
    pub fn new(policy: PollPolicy, now: Duration) -> Self {
        Self {
            policy,
            started: now,
            consecutive_errors: 0,
            completed_without_url: 0,
            progress: Progress {
                state: None,
                percent: None,
            },
        }
    }

    pub fn policy(&self) -> &PollPolicy {
        &self.policy
    }

    /// The last observed state and percentage.
    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// Feeds one poll response.
    pub fn observe_status(&mut self, now: Duration, status: &RenderStatus) -> Next {
        self.consecutive_errors = 0;
        if status.state.is_some() {
            self.progress.state = status.state;
        }
        if let Some(percent) = status.progress {
            self.progress.percent = Some(percent.clamp(0.0, 100.0));
        }
        match (status.state, &status.url) {
            (Some(RenderState::Failed), _) => Next::Failed(Failure::Render {
                reason: status.error.clone(),
            }),
            (Some(RenderState::Cancelled), _) => Next::Failed(Failure::Cancelled),
            // No recognisable status but a URL: tolerate servers that only send the result.
            (Some(RenderState::Completed) | None, Some(url)) => {
                self.progress.percent = Some(100.0);
                Next::Done {
                    url: Some(url.clone()),
                }
            }
            (Some(RenderState::Completed), None) => {
                self.completed_without_url += 1;
                if self.completed_without_url > self.policy.missing_url_grace {
                    Next::Done { url: None }
                } else {
                    self.wait(now)
                }
            }
            (Some(RenderState::Pending | RenderState::Processing) | None, _) => self.wait(now),
        }
    }

    /// Feeds a failed poll. `transient` errors (network, 5xx) are retried on the same id.
    pub fn observe_error(&mut self, now: Duration, transient: bool) -> Next {
        if !transient {
            return Next::Failed(Failure::Fatal);
        }
        self.consecutive_errors += 1;
        if self.consecutive_errors > self.policy.max_consecutive_errors {
            return Next::Failed(Failure::TooManyErrors {
                count: self.consecutive_errors,
            });
        }
        self.wait(now)
    }

    /// Waits one interval, cut short at the deadline; fails once the deadline has passed.
    fn wait(&self, now: Duration) -> Next {
        let elapsed = now.saturating_sub(self.started);
        if elapsed >= self.policy.timeout {
            return Next::Failed(Failure::TimedOut {
                elapsed,
                last: self.progress.state,
            });
        }
        Next::Wait(
            self.policy
                .interval
                .min(self.policy.timeout.saturating_sub(elapsed)),
        )
    }
}

#[cfg(test)]
mod tests;
