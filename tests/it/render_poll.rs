//! Integration tests: `render_poll`. Render submit, polling through both documented envelope
//! shapes (pending -> processing -> completed/failed), transient errors, the overall timeout,
//! and the whole export flow down to the downloaded file.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mockito::{Matcher, Mock, Server, ServerGuard};
use nemo_client::{Category, ExportProgress, PollPolicy, ProgressFn, RenderProgress};
use nemo_protocol::RenderState;
use nemo_test_support::mock::{
    self, RenderShape, RenderStep, SESSION_ID, TOKEN, attributed, render_sequence,
};
use nemo_test_support::{fixture, fixture_json};
use serde_json::json;

use crate::client_http::{client, fast_options, session};

const POLL_PATH: &str = r"^/api/render/proxy/lambda/render_\d+$";

fn fast_policy() -> PollPolicy {
    PollPolicy::new(Duration::from_millis(5), Duration::from_secs(5))
}

/// Mounts a fixture of poll bodies as ordered mocks, filling in `{render_id}` from the request
/// path and `{base}` with the server URL.
#[expect(
    clippy::unwrap_used,
    reason = "test helper: a failure means a broken test setup"
)]
async fn mount_poll_fixture(server: &mut ServerGuard, file: &str) -> Vec<Mock> {
    let base = server.url();
    let mut mocks = Vec::new();
    for body in fixture_json(file).as_array().unwrap().clone() {
        let template = body.to_string().replace("{base}", &base);
        let mock = server
            .mock("GET", Matcher::Regex(POLL_PATH.into()))
            .with_body_from_request(move |req| {
                let id = req.path().rsplit('/').next().unwrap().to_owned();
                template.replace("{render_id}", &id).into_bytes()
            })
            .expect(1);
        mocks.push(attributed(mock, TOKEN).create_async().await);
    }
    mocks
}

async fn submit_mock(server: &mut ServerGuard) -> Mock {
    attributed(server.mock("POST", "/api/render/proxy/lambda"), TOKEN)
        .with_body(r#"{"success":true,"data":{"status":"pending","progress":5}}"#)
        .create_async()
        .await
}

#[tokio::test]
async fn both_shapes_go_pending_processing_completed_with_progress() {
    for file in [
        "render/shape_a_sequence.json",
        "render/shape_b_sequence.json",
    ] {
        let mut server = Server::new_async().await;
        let _submit = submit_mock(&mut server).await;
        let polls = mount_poll_fixture(&mut server, file).await;
        let c = client(&server);
        let id = c
            .submit_render(
                SESSION_ID,
                json!({"t": [{"tt": 0, "sg": [{"d": 1000}]}]}),
                None,
            )
            .await
            .unwrap();
        let mut seen: Vec<RenderProgress> = Vec::new();
        let url = c
            .wait_render(&id, &fast_policy(), |p| seen.push(p))
            .await
            .unwrap();
        assert_eq!(
            url,
            Some(format!("{}/cdn/render-result/{id}.mp4", server.url())),
            "{file}"
        );
        let states: Vec<_> = seen.iter().map(|p| p.state).collect();
        assert_eq!(
            states,
            vec![
                Some(RenderState::Pending),
                Some(RenderState::Processing),
                Some(RenderState::Completed)
            ]
        );
        let percents: Vec<_> = seen.iter().map(|p| p.percent).collect();
        assert_eq!(percents, vec![Some(5.0), Some(50.0), Some(100.0)], "{file}");
        for m in polls {
            m.assert_async().await;
        }
    }
}

#[tokio::test]
async fn both_shapes_report_a_failed_render_with_its_reason() {
    for (file, reason) in [
        ("render/shape_a_failed.json", "codec error"),
        ("render/shape_b_failed.json", "invalid draft"),
    ] {
        let mut server = Server::new_async().await;
        let polls = mount_poll_fixture(&mut server, file).await;
        let err = client(&server)
            .wait_render("render_1773423613616", &fast_policy(), |_| {})
            .await
            .unwrap_err();
        assert_eq!(err.category(), Category::Render, "{file}");
        assert!(err.to_string().ends_with(reason), "{err}");
        assert!(!err.is_retryable());
        for m in polls {
            m.assert_async().await;
        }
    }
}

#[tokio::test]
async fn transient_errors_are_retried_on_the_same_id() {
    let mut server = Server::new_async().await;
    let url = format!("{}/cdn/out.mp4", server.url());
    let steps = [
        RenderStep::Pending,
        RenderStep::HttpError(503),
        RenderStep::Processing(60.0),
        RenderStep::HttpError(502),
        RenderStep::Completed(url.clone()),
    ];
    let polls = render_sequence(&mut server, TOKEN, &steps, RenderShape::B).await;
    let got = client(&server)
        .wait_render("render_42", &fast_policy(), |_| {})
        .await
        .unwrap();
    assert_eq!(got, Some(url));
    for m in polls {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn the_overall_timeout_ends_polling() {
    let mut server = Server::new_async().await;
    let _m = server
        .mock("GET", Matcher::Regex(POLL_PATH.into()))
        .with_body(mock::render_poll_body(
            "render_1",
            &RenderStep::Processing(10.0),
            RenderShape::A,
        ))
        .expect_at_least(2)
        .create_async()
        .await;
    let policy = PollPolicy::new(Duration::from_millis(20), Duration::from_millis(100));
    let err = client(&server)
        .wait_render("render_1", &policy, |_| {})
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(err.category(), Category::Render);
}

#[tokio::test]
async fn a_completed_job_without_url_is_downloaded_through_the_proxy() {
    let mut server = Server::new_async().await;
    let _m = server
        .mock("GET", Matcher::Regex(POLL_PATH.into()))
        .with_body(r#"{"success":true,"data":{"status":"completed","progress":100}}"#)
        .expect(3)
        .create_async()
        .await;
    let proxy = attributed(
        server.mock("GET", "/api/render/proxy/render_7/download"),
        TOKEN,
    )
    .with_body("mp4-bytes")
    .expect(1)
    .create_async()
    .await;
    let c = client(&server);
    let url = c
        .wait_render("render_7", &fast_policy(), |_| {})
        .await
        .unwrap();
    assert_eq!(url, None);
    let dir = tempfile::tempdir().unwrap();
    let done = c
        .download_render(
            "render_7",
            None,
            &dir.path().join("o.mp4"),
            ProgressFn::none(),
        )
        .await
        .unwrap();
    assert!(done.via_proxy);
    proxy.assert_async().await;
}

#[tokio::test]
async fn export_reads_the_draft_submits_polls_and_downloads() {
    let mut server = Server::new_async().await;
    let state = fixture_json("state/draft_basic.json");
    let _state = server
        .mock(
            "GET",
            format!("/api/state/nemo_agent/me/{SESSION_ID}/latest").as_str(),
        )
        .with_body(state.to_string())
        .create_async()
        .await;
    let submit = attributed(server.mock("POST", "/api/render/proxy/lambda"), TOKEN)
        .match_body(Matcher::PartialJson(
            json!({"sessionId": SESSION_ID, "draft": state["data"]["state"]["draft"]}),
        ))
        .with_body(r#"{"success":true,"data":{"status":"pending","progress":5}}"#)
        .expect(1)
        .create_async()
        .await;
    let polls = mount_poll_fixture(&mut server, "render/shape_b_sequence.json").await;
    let cdn = server
        .mock(
            "GET",
            Matcher::Regex(r"^/cdn/render-result/render_\d+\.mp4$".into()),
        )
        .with_body("the rendered video")
        .expect(1)
        .create_async()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("final.mp4");
    let events: Arc<Mutex<Vec<ExportProgress>>> = Arc::default();
    let sink = Arc::clone(&events);
    let outcome = session(&server, fast_options())
        .export(&dest, move |p| sink.lock().unwrap().push(p))
        .await
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(&dest).unwrap(),
        "the rendered video"
    );
    assert_eq!(outcome.download.bytes, 18);
    assert!(outcome.render_id.starts_with("render_"));
    let events = events.lock().unwrap().clone();
    assert_eq!(
        events[0],
        ExportProgress::Submitted {
            render_id: outcome.render_id.clone()
        }
    );
    let rendering = events
        .iter()
        .filter(|e| matches!(e, ExportProgress::Rendering(_)))
        .count();
    assert_eq!(rendering, 3);
    assert!(matches!(events.last(), Some(ExportProgress::Downloading(t)) if t.done == 18));
    submit.assert_async().await;
    cdn.assert_async().await;
    for m in polls {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn exporting_an_empty_timeline_submits_nothing() {
    let mut server = Server::new_async().await;
    let _state = server
        .mock(
            "GET",
            format!("/api/state/nemo_agent/me/{SESSION_ID}/latest").as_str(),
        )
        .with_body(fixture("state/draft_empty.json"))
        .create_async()
        .await;
    let submit = server
        .mock("POST", "/api/render/proxy/lambda")
        .expect(0)
        .create_async()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let err = session(&server, fast_options())
        .export(&dir.path().join("x.mp4"), |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.category(), Category::NothingToExport);
    assert!(err.hint().is_some());
    submit.assert_async().await;
}

#[tokio::test]
async fn export_blocked_by_plan_is_not_resubmitted() {
    let mut server = Server::new_async().await;
    let _state = server
        .mock(
            "GET",
            format!("/api/state/nemo_agent/me/{SESSION_ID}/latest").as_str(),
        )
        .with_body(fixture("state/draft_basic.json"))
        .create_async()
        .await;
    let submit = server
        .mock("POST", "/api/render/proxy/lambda")
        .with_status(402)
        .with_body(r#"{"message":"free plan export blocked"}"#)
        .expect(1)
        .create_async()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let err = session(&server, fast_options())
        .export(&dir.path().join("x.mp4"), |_| {})
        .await
        .unwrap_err();
    assert!(err.is_plan_blocked());
    assert_eq!(err.api_message(), Some("free plan export blocked"));
    submit.assert_async().await;
}
