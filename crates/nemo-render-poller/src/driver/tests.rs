//! Driver tests with a scripted fake API and a fake clock; no runtime, no real time.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use nemo_protocol::{RenderOutput, RenderRequest, RenderState, RenderStatus};

use super::*;

/// Runs a future whose awaits all complete immediately (true of the fakes below).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum FakeError {
    Network,
    BadRequest,
    PaymentRequired,
}

#[derive(Default)]
struct FakeApi {
    polls: Mutex<VecDeque<Result<RenderStatus, FakeError>>>,
    submits: Mutex<VecDeque<Result<(), FakeError>>>,
    submitted_ids: Mutex<Vec<String>>,
    polled_ids: Mutex<Vec<String>>,
}

impl FakeApi {
    fn with_polls(polls: Vec<Result<RenderStatus, FakeError>>) -> Self {
        Self {
            polls: Mutex::new(polls.into()),
            ..Self::default()
        }
    }
}

impl RenderApi for FakeApi {
    type Error = FakeError;

    async fn submit(&self, request: &RenderRequest) -> Result<(), FakeError> {
        self.submitted_ids.lock().unwrap().push(request.id.clone());
        self.submits.lock().unwrap().pop_front().unwrap_or(Ok(()))
    }

    async fn poll(&self, render_id: &str) -> Result<RenderStatus, FakeError> {
        self.polled_ids.lock().unwrap().push(render_id.to_owned());
        self.polls
            .lock()
            .unwrap()
            .pop_front()
            .expect("the script ran out of poll responses")
    }

    async fn cancel(&self, _render_id: &str) -> Result<(), FakeError> {
        Ok(())
    }

    fn is_transient(&self, error: &FakeError) -> bool {
        *error == FakeError::Network
    }

    fn should_resubmit(&self, error: &FakeError) -> bool {
        *error != FakeError::PaymentRequired
    }
}

/// A clock that only moves when slept on; records every sleep.
#[derive(Default)]
struct FakeClock {
    now: Mutex<Duration>,
    sleeps: Mutex<Vec<Duration>>,
}

impl Sleeper for FakeClock {
    fn now(&self) -> Duration {
        *self.now.lock().unwrap()
    }

    async fn sleep(&self, duration: Duration) {
        *self.now.lock().unwrap() += duration;
        self.sleeps.lock().unwrap().push(duration);
    }
}

fn clock() -> FakeClock {
    FakeClock::default()
}

fn status(state: &str, progress: f64, url: Option<&str>) -> RenderStatus {
    RenderStatus {
        id: None,
        state: RenderState::parse(state),
        raw_status: Some(state.into()),
        progress: Some(progress),
        url: url.map(str::to_owned),
        error: None,
    }
}

fn policy() -> PollPolicy {
    PollPolicy::new(Duration::from_secs(30), Duration::from_mins(5))
}

#[test]
fn drives_to_completion_reporting_progress_and_sleeping_the_interval() {
    let api = FakeApi::with_polls(vec![
        Ok(status("pending", 5.0, None)),
        Err(FakeError::Network),
        Ok(status("processing", 50.0, None)),
        Ok(status("completed", 100.0, Some("https://cdn/out.mp4"))),
    ]);
    let clock = clock();
    let mut seen = Vec::new();
    let url = block_on(drive(&api, &clock, "render_1", &policy(), |p| {
        seen.push(p.percent);
    }))
    .unwrap();
    assert_eq!(url.as_deref(), Some("https://cdn/out.mp4"));
    assert_eq!(seen, vec![Some(5.0), Some(50.0), Some(100.0)]);
    assert_eq!(
        *clock.sleeps.lock().unwrap(),
        vec![Duration::from_secs(30); 3]
    );
    assert!(
        api.polled_ids
            .lock()
            .unwrap()
            .iter()
            .all(|id| id == "render_1"),
        "transient errors retry the same id"
    );
}

#[test]
fn a_failed_render_is_reported_with_its_reason() {
    let mut failed = status("failed", 40.0, None);
    failed.error = Some("invalid draft".into());
    let api = FakeApi::with_polls(vec![Ok(status("processing", 10.0, None)), Ok(failed)]);
    let err = block_on(drive(&api, &clock(), "render_1", &policy(), |_| {})).unwrap_err();
    assert!(
        matches!(&err, DriveError::Failed { reason: Some(r), .. } if r == "invalid draft"),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "render `render_1` failed: invalid draft");
}

#[test]
fn it_times_out_after_the_overall_budget() {
    let api = FakeApi::with_polls(
        (0..20)
            .map(|_| Ok(status("processing", 10.0, None)))
            .collect(),
    );
    let clock = clock();
    let err = block_on(drive(&api, &clock, "render_9", &policy(), |_| {})).unwrap_err();
    let DriveError::TimedOut { elapsed, last, .. } = err else {
        panic!("{err:?}")
    };
    assert_eq!(elapsed, Duration::from_mins(5));
    assert_eq!(last.state, Some(RenderState::Processing));
    assert_eq!(
        api.polled_ids.lock().unwrap().len(),
        11,
        "one poll at 0 s then every 30 s up to 300 s"
    );
}

#[test]
fn a_fatal_poll_error_is_returned_as_is() {
    let api = FakeApi::with_polls(vec![Err(FakeError::BadRequest)]);
    let err = block_on(drive(&api, &clock(), "render_1", &policy(), |_| {})).unwrap_err();
    assert!(
        matches!(err, DriveError::Api(FakeError::BadRequest)),
        "{err:?}"
    );
}

#[test]
fn endless_transient_errors_end_with_the_last_error() {
    let api = FakeApi::with_polls((0..10).map(|_| Err(FakeError::Network)).collect());
    let err = block_on(drive(&api, &clock(), "render_1", &policy(), |_| {})).unwrap_err();
    assert!(
        matches!(err, DriveError::Api(FakeError::Network)),
        "{err:?}"
    );
    assert_eq!(
        api.polled_ids.lock().unwrap().len(),
        6,
        "5 tolerated + the one that gives up"
    );
}

fn request() -> RenderRequest {
    RenderRequest {
        id: "render_100".into(),
        session_id: "s1".into(),
        draft: serde_json::json!({"t": []}),
        output: RenderOutput::default(),
    }
}

#[test]
fn submit_retries_once_with_a_new_id() {
    let api = FakeApi {
        submits: Mutex::new(vec![Err(FakeError::BadRequest), Ok(())].into()),
        ..FakeApi::default()
    };
    let id = block_on(submit(&api, request(), || "render_101".to_owned())).unwrap();
    assert_eq!(id, "render_101");
    assert_eq!(
        *api.submitted_ids.lock().unwrap(),
        vec!["render_100", "render_101"]
    );
}

#[test]
fn submit_gives_up_after_the_second_failure() {
    let api = FakeApi {
        submits: Mutex::new(vec![Err(FakeError::Network), Err(FakeError::Network)].into()),
        ..FakeApi::default()
    };
    let err = block_on(submit(&api, request(), || "render_101".to_owned())).unwrap_err();
    assert_eq!(err, FakeError::Network);
    assert_eq!(api.submitted_ids.lock().unwrap().len(), 2);
}

#[test]
fn submit_never_retries_a_402() {
    let api = FakeApi {
        submits: Mutex::new(vec![Err(FakeError::PaymentRequired)].into()),
        ..FakeApi::default()
    };
    let err = block_on(submit(&api, request(), || unreachable!("no new id on 402"))).unwrap_err();
    assert_eq!(err, FakeError::PaymentRequired);
    assert_eq!(*api.submitted_ids.lock().unwrap(), vec!["render_100"]);
}
