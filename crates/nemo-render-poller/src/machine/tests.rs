//! State-machine tests: no clock, time is a number we pass in.

use std::time::Duration;

use nemo_protocol::{RenderState, RenderStatus};

use super::*;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn status(state: &str, progress: Option<f64>, url: Option<&str>) -> RenderStatus {
    RenderStatus {
        id: Some("render_1".into()),
        state: RenderState::parse(state),
        raw_status: Some(state.into()),
        progress,
        url: url.map(str::to_owned),
        error: None,
    }
}

fn policy() -> PollPolicy {
    PollPolicy::new(secs(30), Duration::from_mins(5))
}

#[test]
fn pending_processing_completed_waits_then_finishes_with_the_url() {
    let mut p = Poller::new(policy(), secs(100));
    assert_eq!(
        p.observe_status(secs(100), &status("pending", Some(5.0), None)),
        Next::Wait(secs(30))
    );
    assert_eq!(
        p.progress(),
        Progress {
            state: Some(RenderState::Pending),
            percent: Some(5.0)
        }
    );
    assert_eq!(
        p.observe_status(secs(130), &status("processing", Some(50.0), None)),
        Next::Wait(secs(30))
    );
    assert_eq!(p.progress().percent, Some(50.0));
    assert_eq!(
        p.observe_status(
            secs(160),
            &status("completed", Some(100.0), Some("https://cdn/x.mp4"))
        ),
        Next::Done {
            url: Some("https://cdn/x.mp4".into())
        }
    );
    assert_eq!(p.progress().state, Some(RenderState::Completed));
}

#[test]
fn failed_carries_the_server_reason() {
    let mut p = Poller::new(policy(), secs(0));
    let mut failed = status("failed", None, None);
    failed.error = Some("invalid draft".into());
    assert_eq!(
        p.observe_status(secs(1), &failed),
        Next::Failed(Failure::Render {
            reason: Some("invalid draft".into())
        })
    );
    assert_eq!(
        p.observe_status(secs(2), &status("cancelled", None, None)),
        Next::Failed(Failure::Cancelled)
    );
}

#[test]
fn the_last_wait_is_cut_at_the_deadline_and_then_it_times_out() {
    let mut p = Poller::new(policy(), secs(0));
    assert_eq!(
        p.observe_status(secs(290), &status("processing", None, None)),
        Next::Wait(secs(10))
    );
    assert_eq!(
        p.observe_status(
            Duration::from_mins(5),
            &status("processing", Some(80.0), None)
        ),
        Next::Failed(Failure::TimedOut {
            elapsed: Duration::from_mins(5),
            last: Some(RenderState::Processing)
        })
    );
}

#[test]
fn transient_errors_retry_on_the_same_job_until_the_limit() {
    let policy = PollPolicy {
        max_consecutive_errors: 2,
        ..policy()
    };
    let mut p = Poller::new(policy, secs(0));
    assert_eq!(p.observe_error(secs(0), true), Next::Wait(secs(30)));
    assert_eq!(p.observe_error(secs(30), true), Next::Wait(secs(30)));
    // A good response resets the count.
    assert_eq!(
        p.observe_status(secs(60), &status("processing", None, None)),
        Next::Wait(secs(30))
    );
    assert_eq!(p.observe_error(secs(90), true), Next::Wait(secs(30)));
    assert_eq!(p.observe_error(secs(120), true), Next::Wait(secs(30)));
    assert_eq!(
        p.observe_error(secs(150), true),
        Next::Failed(Failure::TooManyErrors { count: 3 })
    );
}

#[test]
fn a_fatal_error_fails_at_once() {
    let mut p = Poller::new(policy(), secs(0));
    assert_eq!(
        p.observe_error(secs(0), false),
        Next::Failed(Failure::Fatal)
    );
}

#[test]
fn transient_errors_also_respect_the_deadline() {
    let mut p = Poller::new(policy(), secs(0));
    assert_eq!(
        p.observe_error(secs(301), true),
        Next::Failed(Failure::TimedOut {
            elapsed: secs(301),
            last: None
        })
    );
}

#[test]
fn completed_without_url_waits_for_the_grace_polls_then_finishes_without_one() {
    let mut p = Poller::new(policy(), secs(0));
    let done = status("completed", Some(100.0), None);
    assert_eq!(p.observe_status(secs(0), &done), Next::Wait(secs(30)));
    assert_eq!(p.observe_status(secs(30), &done), Next::Wait(secs(30)));
    assert_eq!(p.observe_status(secs(60), &done), Next::Done { url: None });
}

#[test]
fn unknown_status_keeps_waiting_and_a_bare_url_finishes() {
    let mut p = Poller::new(policy(), secs(0));
    assert_eq!(
        p.observe_status(secs(0), &status("warming", None, None)),
        Next::Wait(secs(30))
    );
    assert_eq!(p.progress().state, None);
    assert_eq!(
        p.observe_status(secs(30), &status("", None, Some("https://cdn/y.mp4"))),
        Next::Done {
            url: Some("https://cdn/y.mp4".into())
        }
    );
}

#[test]
fn progress_is_clamped_and_kept_when_a_response_omits_it() {
    let mut p = Poller::new(policy(), secs(0));
    p.observe_status(secs(0), &status("processing", Some(140.0), None));
    assert_eq!(p.progress().percent, Some(100.0));
    p.observe_status(secs(30), &status("processing", None, None));
    assert_eq!(p.progress().percent, Some(100.0));
}

#[test]
fn reads_both_envelope_shapes_through_the_protocol_parser() {
    let shape_a = serde_json::json!({"taskId":"render_1","status":"completed","progress":100,
        "output":{"url":"https://cdn/a.mp4"}});
    let shape_b = serde_json::json!({"success":true,"data":{"id":"render_1","status":"completed",
        "progress":100,"outputUrl":"https://cdn/b.mp4"}});
    for (body, url) in [
        (shape_a, "https://cdn/a.mp4"),
        (shape_b, "https://cdn/b.mp4"),
    ] {
        let mut p = Poller::new(policy(), secs(0));
        assert_eq!(
            p.observe_status(secs(0), &RenderStatus::from_body(&body)),
            Next::Done {
                url: Some(url.into())
            }
        );
    }
}
