//! mockito scenario builders for the `nemo_agent` API.
//!
//! Every builder here matches `Authorization: Bearer <token>` and all three attribution
//! headers, so a request missing any of them finds no mock (mockito answers 501) and the
//! test's `assert_async` fails.

use std::time::Duration;

use mockito::{Matcher, Mock, Server};
use serde_json::{Value, json};

/// Token the mocks expect.
pub const TOKEN: &str = "nmv_usr_TESTtokenDoNotLeak0123456789";
/// A second token, issued by re-authentication scenarios.
pub const TOKEN_2: &str = "nmv_usr_SECONDtokenDoNotLeak987654";
/// Client id the mocks expect on anonymous-token.
pub const CLIENT_ID: &str = "3f1c2a9e-8d4b-4c7a-9e21-5b6d7f8a9c0d";
/// A session id in the documented 19-digit shape.
pub const SESSION_ID: &str = "5529798706024415232";
pub const TASK_ID: &str = "task_7f3a";
pub const USER_ID: &str = "anon_abc123def4567890";

/// The attribution headers the test client sends (an opaque two-dot version on purpose).
pub const ATTRIBUTION: [(&str, &str); 3] = [
    ("x-skill-source", "nemo-video"),
    ("x-skill-version", "1.8.13"),
    ("x-skill-platform", "clawhub"),
];

/// Requires the three attribution headers and `Authorization: Bearer <token>`.
pub fn attributed(mock: Mock, token: &str) -> Mock {
    attribution_only(mock).match_header("authorization", format!("Bearer {token}").as_str())
}

/// Requires the three attribution headers.
pub fn attribution_only(mut mock: Mock) -> Mock {
    for (name, value) in ATTRIBUTION {
        mock = mock.match_header(name, value);
    }
    mock
}

/// The anonymous-token shape: attribution, `X-Client-Id`, and no `Authorization`.
pub fn anonymous(mock: Mock, client_id: &str) -> Mock {
    attribution_only(mock)
        .match_header("x-client-id", client_id)
        .match_header("authorization", Matcher::Missing)
}

/// `{"code":0,"data":<data>}`.
pub fn ok(data: &Value) -> String {
    json!({"code": 0, "data": data}).to_string()
}

/// `{"code":<code>,"message":<message>}`.
pub fn err(code: i64, message: &str) -> String {
    json!({"code": code, "message": message}).to_string()
}

/// Anonymous-token data.
pub fn anonymous_token_body(token: &str) -> String {
    ok(
        &json!({"token": token, "user_id": USER_ID, "credits": 100, "expires_at": "2026-03-26T10:00:00Z"}),
    )
}

/// Create-session data.
pub fn session_body(session_id: &str) -> String {
    ok(&json!({"task_id": TASK_ID, "session_id": session_id, "user_id": USER_ID}))
}

/// A state body around `draft`.
pub fn state_body(session_id: &str, draft: &Value) -> String {
    ok(
        &json!({"session_id": session_id, "task_id": TASK_ID, "user_id": USER_ID, "task_name": "project",
        "state": {"video_infos": [], "draft": draft, "canvas_config": {"width": 1920, "height": 1080},
                  "generated_media": []}}),
    )
}

/// SSE frames as one body: `data: <frame>\n\n` each. An empty frame is an empty `data:` line.
pub fn sse_body(frames: &[&str]) -> String {
    frames
        .iter()
        .map(|f| {
            if f.is_empty() {
                "data:\n\n".to_owned()
            } else {
                format!("data: {f}\n\n")
            }
        })
        .collect()
}

/// Streams `body` (an SSE text) in chunks, one per blank-line-separated event, sleeping
/// `gap` between events: the server side of a slow turn with heartbeats.
pub fn chunked_sse(mock: Mock, body: String, gap: Duration) -> Mock {
    mock.with_header("content-type", "text/event-stream")
        .with_chunked_body(move |w| {
            for event in body.split_inclusive("\n\n") {
                w.write_all(event.as_bytes())?;
                w.flush()?;
                std::thread::sleep(gap);
            }
            Ok(())
        })
}

/// One poll answer of a render sequence.
#[derive(Debug, Clone, PartialEq)]
pub enum RenderStep {
    Pending,
    Processing(f64),
    /// Completed with the given output URL.
    Completed(String),
    Failed(String),
    /// An HTTP error status (transient 5xx, or anything else).
    HttpError(usize),
}

/// The two documented poll shapes (protocol §3.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenderShape {
    /// Top-level `{taskId,status,progress,output:{url}}`.
    A,
    /// `{success,data:{id,status,progress,outputUrl,error}}`.
    B,
}

/// The poll body of one step in one shape.
pub fn render_poll_body(render_id: &str, step: &RenderStep, shape: RenderShape) -> String {
    let (status, progress, url, error) = match step {
        RenderStep::Pending => ("pending", 5.0, None, None),
        RenderStep::Processing(p) => ("processing", *p, None, None),
        RenderStep::Completed(url) => ("completed", 100.0, Some(url.as_str()), None),
        RenderStep::Failed(reason) => ("failed", 0.0, None, Some(reason.as_str())),
        RenderStep::HttpError(_) => return err(500, "render service unavailable"),
    };
    let body = match shape {
        RenderShape::A => {
            let mut b = json!({"taskId": render_id, "status": status, "progress": progress});
            if let Some(url) = url {
                b["output"] = json!({"url": url, "duration": 4.0, "size": 1024});
            }
            if let Some(error) = error {
                b["error"] = json!(error);
            }
            b
        }
        RenderShape::B => {
            let mut data = json!({"id": render_id, "status": status, "progress": progress,
                "createdAt": 1_773_423_613_616_i64});
            if let Some(url) = url {
                data["outputUrl"] = json!(url);
                data["completedAt"] = json!(1_773_423_641_222_i64);
            }
            if let Some(error) = error {
                data["error"] = json!(error);
            }
            json!({"success": true, "data": data})
        }
    };
    body.to_string()
}

/// Ordered poll mocks for any render id (`expect(1)` each: mockito serves the first mock that
/// still misses hits, so they answer in order). Call `assert_async` on each at the end.
pub async fn render_sequence(
    server: &mut Server,
    token: &str,
    steps: &[RenderStep],
    shape: RenderShape,
) -> Vec<Mock> {
    let mut mocks = Vec::new();
    for step in steps {
        let status = match step {
            RenderStep::HttpError(status) => *status,
            _ => 200,
        };
        let mock = server
            .mock(
                "GET",
                Matcher::Regex(r"^/api/render/proxy/lambda/render_\d+$".to_owned()),
            )
            .with_status(status)
            .with_header("content-type", "application/json")
            .with_body_from_request({
                let step = step.clone();
                move |req| {
                    let id = req.path().rsplit('/').next().unwrap_or_default().to_owned();
                    render_poll_body(&id, &step, shape).into_bytes()
                }
            })
            .expect(1);
        mocks.push(attributed(mock, token).create_async().await);
    }
    mocks
}
