//! Integration tests: `sse`. `run_sse` over both event shapes from fixture files, heartbeats and
//! empty `data:`, time limits, errors mid-stream, silent turns and the never-resend rule.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mockito::{Matcher, Server};
use nemo_client::{Category, Notice, TurnEvent};
use nemo_test_support::fixture;
use nemo_test_support::mock::{self, SESSION_ID, TOKEN, attributed, chunked_sse};
use serde_json::json;

use crate::client_http::{builder, client, fast_options, session};

fn sse_mock(server: &mut mockito::ServerGuard) -> mockito::Mock {
    attributed(server.mock("POST", "/run_sse"), TOKEN)
        .match_header("accept", "text/event-stream")
        .match_body(Matcher::Json(
            json!({"app_name": "nemo_agent", "user_id": "me", "session_id": SESSION_ID,
            "new_message": {"parts": [{"text": "make a sunset clip"}]}}),
        ))
        .with_header("content-type", "text/event-stream")
}

fn state_path() -> String {
    format!("/api/state/nemo_agent/me/{SESSION_ID}/latest")
}

#[tokio::test]
async fn adk_events_are_classified_and_thoughts_skipped() {
    let mut server = Server::new_async().await;
    let m = sse_mock(&mut server)
        .with_body(fixture("sse/adk_text_turn.sse"))
        .expect(1)
        .create_async()
        .await;
    let mut events = Vec::new();
    let summary = client(&server)
        .run_turn(SESSION_ID, "make a sunset clip", |e| events.push(e.clone()))
        .await
        .unwrap();
    assert_eq!(
        events,
        vec![
            TurnEvent::Text("Sure — generating a 10-second clip.".into()),
            TurnEvent::ToolCall {
                name: "generate_video_with_seedance".into(),
                args: json!({"prompt": "sunset timelapse, 10 s"})
            },
            TurnEvent::ToolResult {
                name: "generate_video_with_seedance".into(),
                result: json!({"status": "ok", "clip_id": "clip_1"})
            },
            TurnEvent::Text("Your 10-second sunset timelapse is on the timeline.".into()),
        ]
    );
    assert_eq!(
        summary.text,
        "Sure — generating a 10-second clip.\n\nYour 10-second sunset timelapse is on the timeline."
    );
    assert!(!summary.text.contains("internal reasoning"));
    assert_eq!(summary.tool_calls, vec!["generate_video_with_seedance"]);
    assert!(!summary.is_silent());
    m.assert_async().await;
}

#[tokio::test]
async fn simple_events_with_heartbeats_comments_and_empty_data_keep_waiting() {
    let mut server = Server::new_async().await;
    let m = chunked_sse(
        sse_mock(&mut server),
        fixture("sse/simple_events_heartbeat.sse"),
        Duration::from_millis(20),
    )
    .expect(1)
    .create_async()
    .await;
    let mut events = Vec::new();
    let summary = client(&server)
        .run_turn(SESSION_ID, "make a sunset clip", |e| events.push(e.clone()))
        .await
        .unwrap();
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| match e {
            TurnEvent::Text(_) => "text",
            TurnEvent::Chunk(_) => "chunk",
            TurnEvent::ToolCall { .. } => "call",
            TurnEvent::ToolResult { .. } => "result",
            TurnEvent::Heartbeat => "heartbeat",
        })
        .collect();
    // Comment lines produce no event; empty `data:` is a heartbeat; invalid JSON is skipped.
    assert_eq!(
        kinds,
        vec![
            "heartbeat",
            "heartbeat",
            "text",
            "call",
            "heartbeat",
            "result",
            "text"
        ]
    );
    assert_eq!(summary.heartbeats, 3);
    assert_eq!(
        summary.text,
        "I'll generate your video now...\n\n✅ Video ready on the timeline."
    );
    assert!(events.iter().filter(|e| e.is_tool()).count() == 2);
    m.assert_async().await;
}

#[tokio::test]
async fn partial_chunks_are_joined_when_no_full_text_arrives() {
    let mut server = Server::new_async().await;
    let _m = sse_mock(&mut server)
        .with_body(fixture("sse/simple_partial_chunks.sse"))
        .create_async()
        .await;
    let summary = client(&server)
        .run_turn(SESSION_ID, "make a sunset clip", |_| {})
        .await
        .unwrap();
    assert_eq!(summary.text, "Adding calm piano.");
}

#[tokio::test]
async fn an_error_event_mid_stream_fails_the_turn_without_resending() {
    let mut server = Server::new_async().await;
    let m = sse_mock(&mut server)
        .with_body(fixture("sse/adk_error_midstream.sse"))
        .expect(1)
        .create_async()
        .await;
    let mut texts = Vec::new();
    let err = client(&server)
        .run_turn(SESSION_ID, "make a sunset clip", |e| {
            if let TurnEvent::Text(t) = e {
                texts.push(t.clone());
            }
        })
        .await
        .unwrap_err();
    assert_eq!(err.category(), Category::Stream);
    assert_eq!(
        err.api_message(),
        Some("model overloaded, please retry later")
    );
    assert_eq!(
        texts,
        vec!["Working on the edit."],
        "events before the error were delivered"
    );
    m.assert_async().await;
}

#[tokio::test]
async fn heartbeats_alone_for_too_long_count_as_a_timeout() {
    let mut server = Server::new_async().await;
    let beats = mock::sse_body(&[r#"{"type":"heartbeat"}"#; 12]);
    let _m = chunked_sse(sse_mock(&mut server), beats, Duration::from_millis(40))
        .create_async()
        .await;
    let c = builder(&server, Some(TOKEN))
        .sse_idle_timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    let mut heartbeats = 0;
    let err = c
        .run_turn(SESSION_ID, "make a sunset clip", |e| {
            heartbeats += u32::from(*e == TurnEvent::Heartbeat);
        })
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(
        (2..12).contains(&heartbeats),
        "heartbeats kept it waiting until the idle limit: {heartbeats}"
    );
}

#[tokio::test]
async fn the_per_request_limit_ends_a_stream_that_never_finishes() {
    let mut server = Server::new_async().await;
    let text = mock::sse_body(&[r#"{"type":"text","content":"working"}"#; 20]);
    let _m = chunked_sse(sse_mock(&mut server), text, Duration::from_millis(50))
        .create_async()
        .await;
    let c = builder(&server, Some(TOKEN))
        .sse_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = c
        .run_turn(SESSION_ID, "make a sunset clip", |_| {})
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_server_error_is_not_retried() {
    let mut server = Server::new_async().await;
    let m = sse_mock(&mut server)
        .with_status(500)
        .with_body(mock::err(500, "boom"))
        .expect(1)
        .create_async()
        .await;
    let _s = server
        .mock("GET", state_path().as_str())
        .with_body(mock::state_body(SESSION_ID, &json!({})))
        .create_async()
        .await;
    let err = session(&server, fast_options())
        .chat("make a sunset clip", |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.http_status(), Some(500));
    m.assert_async().await;
}

#[tokio::test]
async fn a_1002_before_streaming_moves_to_a_new_session_and_sends_once_there() {
    let mut server = Server::new_async().await;
    let new_sid = "7000000000000000002";
    let _state_old = server
        .mock("GET", state_path().as_str())
        .with_body(mock::state_body(SESSION_ID, &json!({})))
        .create_async()
        .await;
    let _state_new = server
        .mock(
            "GET",
            format!("/api/state/nemo_agent/me/{new_sid}/latest").as_str(),
        )
        .with_body(mock::state_body(new_sid, &json!({})))
        .create_async()
        .await;
    let old = attributed(server.mock("POST", "/run_sse"), TOKEN)
        .match_body(Matcher::PartialJson(json!({"session_id": SESSION_ID})))
        .with_header("content-type", "application/json")
        .with_body(mock::err(1002, "session not found"))
        .expect(1)
        .create_async()
        .await;
    let _create = server
        .mock("POST", "/api/tasks/me/with-session/nemo_agent")
        .with_body(mock::session_body(new_sid))
        .create_async()
        .await;
    let new = attributed(server.mock("POST", "/run_sse"), TOKEN)
        .match_body(Matcher::PartialJson(json!({"session_id": new_sid})))
        .with_header("content-type", "text/event-stream")
        .with_body(fixture("sse/adk_text_turn.sse"))
        .expect(1)
        .create_async()
        .await;
    let mut s = session(&server, fast_options());
    let outcome = s.chat("make a sunset clip", |_| {}).await.unwrap();
    assert!(outcome.summary.text.contains("sunset timelapse"));
    assert!(s.take_notices().contains(&Notice::SessionRenewed {
        session_id: new_sid.into()
    }));
    old.assert_async().await;
    new.assert_async().await;
}

#[tokio::test]
async fn a_silent_turn_reports_what_changed_in_the_draft() {
    let mut server = Server::new_async().await;
    let before = server
        .mock("GET", state_path().as_str())
        .with_body(fixture("state/silent_turn_before.json"))
        .expect(1)
        .create_async()
        .await;
    let after = server
        .mock("GET", state_path().as_str())
        .with_body(fixture("state/silent_turn_after.json"))
        .expect(1)
        .create_async()
        .await;
    let turn = sse_mock(&mut server)
        .with_body(fixture("sse/adk_silent_turn.sse"))
        .expect(1)
        .create_async()
        .await;
    let outcome = session(&server, fast_options())
        .chat("make a sunset clip", |_| {})
        .await
        .unwrap();
    assert!(outcome.summary.is_silent());
    assert_eq!(outcome.summary.tool_calls, vec!["edit_multitrack"]);
    let change = outcome
        .change
        .expect("a silent turn is described from the state");
    let raw = |f: &str| {
        nemo_draft::Draft::from_state(&nemo_test_support::fixture_json(f)["data"]["state"]).0
    };
    let expected = nemo_draft::diff(
        &raw("state/silent_turn_before.json"),
        &raw("state/silent_turn_after.json"),
    );
    assert_eq!(change.changes, expected);
    assert_eq!(change.lines, nemo_draft::summarize(&expected));
    assert!(
        change.lines.iter().any(|l| l.contains("Tokyo 2026")),
        "{:?}",
        change.lines
    );
    assert_eq!(change.after.tracks.len(), 3);
    assert_eq!(change.before.tracks.len(), 2);
    for m in [before, after, turn] {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn a_broken_stream_is_not_resent_and_the_state_is_watched_instead() {
    let mut server = Server::new_async().await;
    let _before = server
        .mock("GET", state_path().as_str())
        .with_body(fixture("state/silent_turn_before.json"))
        .expect(2)
        .create_async()
        .await;
    let _after = server
        .mock("GET", state_path().as_str())
        .with_body(fixture("state/silent_turn_after.json"))
        .create_async()
        .await;
    let turn = sse_mock(&mut server)
        .with_chunked_body(|w| {
            w.write_all(b"data: {\"type\":\"text\",\"content\":\"Adding a title\"}\n\n")?;
            w.flush()?;
            std::thread::sleep(Duration::from_millis(50));
            Err(std::io::Error::other("connection reset"))
        })
        .expect(1)
        .create_async()
        .await;
    let mut s = session(&server, fast_options());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let outcome = s
        .chat("make a sunset clip", |e| {
            seen.lock().unwrap().push(e.clone());
        })
        .await
        .unwrap();
    assert_eq!(outcome.summary.text, "Adding a title");
    let change = outcome.change.expect("the change is read from the state");
    assert!(
        change.lines.iter().any(|l| l.contains("Tokyo 2026")),
        "{:?}",
        change.lines
    );
    assert!(s.take_notices().contains(&Notice::RecoveredFromState));
    turn.assert_async().await;
}
