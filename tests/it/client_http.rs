//! Integration tests: `client_http`. The `nemo-client` HTTP behaviour against mockito servers:
//! headers on every endpoint, auth and sessions, uploads, envelopes, render submit, download,
//! the session's error policy and token redaction.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mockito::{Matcher, Server, ServerGuard};
use nemo_client::{
    Account, Category, Client, ClientBuilder, Notice, PollPolicy, ProgressFn, Secret, Session,
    SessionIds, SessionOptions, Transfer,
};
use nemo_protocol::ApiCode;
use nemo_test_support::mock::{
    self, ATTRIBUTION, CLIENT_ID, SESSION_ID, TASK_ID, TOKEN, TOKEN_2, USER_ID, anonymous,
    attributed,
};
use nemo_test_support::{fixture, fixture_json};
use serde_json::json;

/// A client for `server` with the test token, client id and attribution.
pub(crate) fn builder(server: &ServerGuard, token: Option<&str>) -> ClientBuilder {
    Client::builder(&server.url())
        .attribution(ATTRIBUTION)
        .token(token.map(Secret::new))
        .client_id(CLIENT_ID)
}

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a failure means a broken test setup"
)]
pub(crate) fn client(server: &ServerGuard) -> Client {
    builder(server, Some(TOKEN)).build().unwrap()
}

/// Session options with every wait shortened so policy tests take milliseconds.
pub(crate) fn fast_options() -> SessionOptions {
    SessionOptions {
        rate_limit_wait: Duration::from_millis(50),
        poll_policy: PollPolicy::new(Duration::from_millis(5), Duration::from_secs(5)),
        recovery_waits: vec![Duration::from_millis(10); 3],
        ..SessionOptions::default()
    }
}

/// A session already on project `SESSION_ID`, authenticated with `TOKEN`.
pub(crate) fn session(server: &ServerGuard, options: SessionOptions) -> Session {
    Session::new(client(server), options).with_ids(SessionIds {
        task_id: Some(TASK_ID.into()),
        session_id: SESSION_ID.into(),
    })
}

fn state_path(session_id: &str) -> String {
    format!("/api/state/nemo_agent/me/{session_id}/latest")
}

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a failure means a broken test setup"
)]
fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[tokio::test]
async fn every_endpoint_carries_authorization_and_all_attribution_headers() {
    let mut server = Server::new_async().await;
    let json = |m: mockito::Mock| m.with_header("content-type", "application/json").expect(1);
    let mocks = vec![
        anonymous(
            json(server.mock("POST", "/api/auth/anonymous-token")),
            CLIENT_ID,
        )
        .with_body(mock::anonymous_token_body(TOKEN)),
        attributed(
            json(server.mock("POST", "/api/tasks/me/with-session/nemo_agent")),
            TOKEN,
        )
        .with_body(mock::session_body(SESSION_ID)),
        attributed(json(server.mock("POST", "/api/auth/claim-token")), TOKEN).with_body(mock::ok(
            &json!({"claim_token": "clm_abc", "expires_in": 604_800}),
        )),
        attributed(server.mock("POST", "/run_sse").expect(1), TOKEN)
            .match_header("accept", "text/event-stream")
            .with_header("content-type", "text/event-stream")
            .with_body(fixture("sse/adk_text_turn.sse")),
        attributed(
            json(server.mock(
                "POST",
                format!("/api/upload-video/nemo_agent/me/{SESSION_ID}").as_str(),
            )),
            TOKEN,
        )
        .match_header(
            "content-type",
            Matcher::Regex("^multipart/form-data".into()),
        )
        .with_body(mock::ok(
            &json!({"files": [], "session_state_applied": true}),
        )),
        attributed(
            json(server.mock(
                "POST",
                format!("/api/upload-video/nemo_agent/me/{SESSION_ID}").as_str(),
            )),
            TOKEN,
        )
        .match_header("content-type", "application/json")
        .with_body(mock::ok(
            &json!({"files": [], "session_state_applied": true}),
        )),
        attributed(
            json(server.mock("GET", "/api/credits/balance/simple")),
            TOKEN,
        )
        .with_body(fixture("envelopes/credits_code.json")),
        attributed(
            json(server.mock("GET", state_path(SESSION_ID).as_str())),
            TOKEN,
        )
        .with_body(fixture("state/draft_basic.json")),
        attributed(json(server.mock("POST", "/api/render/proxy/lambda")), TOKEN)
            .with_body(r#"{"success":true,"data":{"status":"pending","progress":5}}"#),
        attributed(
            json(server.mock(
                "GET",
                Matcher::Regex(r"^/api/render/proxy/lambda/render_\d+$".into()),
            )),
            TOKEN,
        )
        .with_body(r#"{"success":true,"data":{"status":"processing","progress":50}}"#),
        attributed(
            json(server.mock(
                "POST",
                Matcher::Regex(r"^/api/render/proxy/lambda/render_\d+/cancel$".into()),
            )),
            TOKEN,
        )
        .with_body(r#"{"success":true}"#),
        attributed(server.mock("GET", "/media/out.mp4").expect(1), TOKEN).with_body("direct-bytes"),
        attributed(
            server
                .mock(
                    "GET",
                    Matcher::Regex(r"^/api/render/proxy/render_\d+/download$".into()),
                )
                .expect(1),
            TOKEN,
        )
        .with_body("proxy-bytes"),
    ];
    let mut created = Vec::new();
    for m in mocks {
        created.push(m.create_async().await);
    }

    let dir = tempfile::tempdir().unwrap();
    let clip = write_file(dir.path(), "clip.mp4", b"fake mp4");
    let anon = builder(&server, None).build().unwrap();
    assert_eq!(anon.anonymous_token().await.unwrap().token.expose(), TOKEN);
    let c = client(&server);
    c.create_session("project", Some("en")).await.unwrap();
    c.claim_token(Some(TASK_ID), SESSION_ID, "https://nemovideo.com")
        .await
        .unwrap();
    c.run_turn(SESSION_ID, "make a video", |_| {})
        .await
        .unwrap();
    c.upload_files(SESSION_ID, &[clip], ProgressFn::none())
        .await
        .unwrap();
    c.upload_urls(SESSION_ID, &["https://example.com/a.mp4".to_owned()])
        .await
        .unwrap();
    c.credits().await.unwrap();
    let state = c.state_raw(SESSION_ID).await.unwrap();
    let render_id = c
        .submit_render(SESSION_ID, state["state"]["draft"].clone(), None)
        .await
        .unwrap();
    c.poll_render(&render_id).await.unwrap();
    c.cancel_render(&render_id).await.unwrap();
    let direct = format!("{}/media/out.mp4", server.url());
    c.download_render(
        &render_id,
        Some(&direct),
        &dir.path().join("a.mp4"),
        ProgressFn::none(),
    )
    .await
    .unwrap();
    c.download_render(
        &render_id,
        None,
        &dir.path().join("b.mp4"),
        ProgressFn::none(),
    )
    .await
    .unwrap();
    for m in &created {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn anonymous_token_uses_the_persisted_client_id() {
    let mut server = Server::new_async().await;
    let dir = tempfile::tempdir().unwrap();
    let id = nemo_config::load_or_create_client_id(dir.path()).unwrap();
    assert_eq!(
        nemo_config::load_or_create_client_id(dir.path()).unwrap(),
        id,
        "generated once"
    );
    let m = anonymous(server.mock("POST", "/api/auth/anonymous-token"), &id)
        .with_body(mock::anonymous_token_body(TOKEN))
        .expect(1)
        .create_async()
        .await;
    let c = Client::builder(&server.url())
        .attribution(ATTRIBUTION)
        .client_id(id)
        .build()
        .unwrap();
    let auth = c.anonymous_token().await.unwrap();
    assert_eq!(auth.user_id.as_deref(), Some(USER_ID));
    assert_eq!(auth.credits, Some(100));
    m.assert_async().await;
}

#[tokio::test]
async fn a_configured_nemo_token_is_used_and_no_anonymous_token_is_requested() {
    let mut server = Server::new_async().await;
    let anon = server
        .mock("POST", "/api/auth/anonymous-token")
        .expect(0)
        .create_async()
        .await;
    let create = attributed(
        server.mock("POST", "/api/tasks/me/with-session/nemo_agent"),
        TOKEN,
    )
    .match_body(Matcher::PartialJson(
        json!({"task_name": "nemo project", "language": "zh-CN"}),
    ))
    .with_body(mock::session_body(SESSION_ID))
    .expect(1)
    .create_async()
    .await;
    let config = nemo_config::Config {
        token: Some(Secret::new(TOKEN)),
        language: Some("zh-CN".into()),
        ..Default::default()
    };
    let c = Client::builder(&server.url())
        .attribution(ATTRIBUTION)
        .config(&config)
        .build()
        .unwrap();
    let mut s = Session::new(c, SessionOptions::from_config(&config, None, "test"));
    let ids = s.ensure_session().await.unwrap();
    assert_eq!(
        ids,
        SessionIds {
            task_id: Some(TASK_ID.into()),
            session_id: SESSION_ID.into()
        }
    );
    assert_eq!(
        s.take_notices(),
        vec![Notice::SessionCreated {
            session_id: SESSION_ID.into()
        }]
    );
    anon.assert_async().await;
    create.assert_async().await;
}

#[tokio::test]
async fn without_a_token_the_session_gets_one_creates_a_project_and_saves_the_token() {
    let mut server = Server::new_async().await;
    let anon = anonymous(server.mock("POST", "/api/auth/anonymous-token"), CLIENT_ID)
        .with_body(mock::anonymous_token_body(TOKEN))
        .expect(1)
        .create_async()
        .await;
    let create = attributed(
        server.mock("POST", "/api/tasks/me/with-session/nemo_agent"),
        TOKEN,
    )
    .with_body(mock::session_body(SESSION_ID))
    .expect(1)
    .create_async()
    .await;
    let dir = tempfile::tempdir().unwrap();
    let store = nemo_config::CredentialStore::new(dir.path());
    let options = SessionOptions {
        credentials: Some((store.clone(), "mock".into())),
        ..fast_options()
    };
    let mut s = Session::new(builder(&server, None).build().unwrap(), options);
    s.ensure_session().await.unwrap();
    assert_eq!(
        s.account(),
        &Account {
            user_id: Some(USER_ID.into()),
            anonymous: Some(true)
        }
    );
    let saved = store.load("mock").unwrap().unwrap();
    assert_eq!(saved.token.expose(), TOKEN);
    assert_eq!(
        s.take_notices(),
        vec![
            Notice::AnonymousTokenIssued,
            Notice::SessionCreated {
                session_id: SESSION_ID.into()
            }
        ]
    );

    // A new session (a new CLI run) reuses the saved token instead of asking again.
    let mut again = Session::new(
        builder(&server, None).build().unwrap(),
        SessionOptions {
            credentials: Some((store, "mock".into())),
            ..fast_options()
        },
    );
    again.ensure_token().await.unwrap();
    assert_eq!(again.client().token().unwrap().expose(), TOKEN);
    anon.assert_async().await;
    create.assert_async().await;
}

#[tokio::test]
async fn claim_link_uses_the_ct_parameter_and_keeps_the_claim_token_secret() {
    let mut server = Server::new_async().await;
    let m = attributed(server.mock("POST", "/api/auth/claim-token"), TOKEN)
        .match_body(Matcher::Json(
            json!({"task_id": TASK_ID, "session_id": SESSION_ID}),
        ))
        .with_body(mock::ok(
            &json!({"claim_token": "clm_SeCrEt42", "expires_in": 604_800}),
        ))
        .create_async()
        .await;
    let mut s = session(
        &server,
        SessionOptions {
            web_url: "https://web.example/".into(),
            ..fast_options()
        },
    );
    let link = s.claim_link().await.unwrap();
    assert_eq!(
        link.url,
        "https://web.example/workspace/claim?ct=clm_SeCrEt42"
    );
    assert_eq!(link.expires_in, Some(604_800));
    assert!(!format!("{:?}", link.claim_token).contains("SeCrEt42"));
    m.assert_async().await;
}

#[tokio::test]
async fn upload_streams_a_multipart_files_field_and_reports_progress() {
    let mut server = Server::new_async().await;
    let payload = vec![7u8; 200_000];
    let m = attributed(server.mock("POST", format!("/api/upload-video/nemo_agent/me/{SESSION_ID}").as_str()), TOKEN)
        .match_header("content-type", Matcher::Regex("^multipart/form-data; boundary=".into()))
        .match_body(Matcher::AllOf(vec![
            Matcher::Regex(r#"name="files"; filename="beach.MP4""#.into()),
            Matcher::Regex(r#"name="files"; filename="song.mp3""#.into()),
            Matcher::Regex("Content-Type: video/mp4".into()),
        ]))
        .with_body(mock::ok(&json!({"files": [
            {"filename": "beach.MP4", "file_type": "video", "cdn_url": "https://cdn/x.mp4", "duration": 30.5,
             "width": 1920, "height": 1080},
            {"filename": "song.mp3", "file_type": "audio", "duration": 61.0}],
            "session_state_applied": true})))
        .expect(1)
        .create_async()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let files = vec![
        write_file(dir.path(), "beach.MP4", &payload),
        write_file(dir.path(), "song.mp3", b"ID3"),
    ];
    let seen: Arc<Mutex<Vec<Transfer>>> = Arc::default();
    let progress = ProgressFn::new({
        let seen = Arc::clone(&seen);
        move |t| seen.lock().unwrap().push(t)
    });
    let mut s = session(&server, fast_options());
    let response = s.upload_files(&files, progress).await.unwrap();
    assert_eq!(response.files.len(), 2);
    assert_eq!(response.files[0].duration, Some(30.5));
    assert!(response.session_state_applied);
    let seen = seen.lock().unwrap().clone();
    let total = payload.len() as u64 + 3;
    assert_eq!(
        seen.last(),
        Some(&Transfer {
            done: total,
            total: Some(total)
        })
    );
    assert!(
        seen.windows(2).all(|w| w[0].done <= w[1].done),
        "progress never goes back"
    );
    m.assert_async().await;
}

#[tokio::test]
async fn an_unsupported_extension_is_refused_before_sending_with_the_formats_list() {
    let mut server = Server::new_async().await;
    let m = server
        .mock("POST", Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let good = write_file(dir.path(), "ok.mp4", b"x");
    let bad = write_file(dir.path(), "notes.pdf", b"x");
    let err = session(&server, fast_options())
        .upload_files(&[good, bad], ProgressFn::none())
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(ApiCode::UnsupportedFile));
    assert_eq!(err.http_status(), None, "detected locally");
    assert_eq!(err.category(), Category::UnsupportedFile);
    assert!(err.to_string().contains("`.pdf`"), "{err}");
    let hint = err.hint().unwrap();
    for ext in nemo_protocol::ACCEPTED_EXTENSIONS {
        assert!(hint.contains(ext), "{hint} lacks {ext}");
    }
    m.assert_async().await;
}

#[tokio::test]
async fn a_file_over_500_mb_is_refused_before_sending_with_a_compress_or_trim_hint() {
    let mut server = Server::new_async().await;
    let m = server
        .mock("POST", Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("huge.mov");
    // Sparse: takes no disk space, but its length is one byte over the limit.
    std::fs::File::create(&big)
        .unwrap()
        .set_len(nemo_protocol::MAX_UPLOAD_BYTES + 1)
        .unwrap();
    let err = client(&server)
        .upload_files(SESSION_ID, &[big], ProgressFn::none())
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(ApiCode::FileTooLarge));
    assert_eq!(err.category(), Category::FileTooLarge);
    let hint = err.hint().unwrap();
    assert!(hint.contains("Compress") && hint.contains("trim"), "{hint}");
    m.assert_async().await;
}

#[tokio::test]
async fn server_side_4001_and_4002_keep_their_codes_and_hints() {
    let mut server = Server::new_async().await;
    let path = format!("/api/upload-video/nemo_agent/me/{SESSION_ID}");
    let _a = server
        .mock("POST", path.as_str())
        .with_body(mock::err(4001, "unsupported"))
        .expect(1)
        .create_async()
        .await;
    let _b = server
        .mock("POST", path.as_str())
        .with_body(mock::err(4002, "too big"))
        .expect(1)
        .create_async()
        .await;
    let c = client(&server);
    let urls = ["https://example.com/x.mp4".to_owned()];
    let e1 = c.upload_urls(SESSION_ID, &urls).await.unwrap_err();
    assert_eq!(
        (e1.http_status(), e1.api_code()),
        (Some(200), Some(ApiCode::UnsupportedFile))
    );
    assert!(e1.hint().unwrap().contains("mp4, mov"));
    let e2 = c.upload_urls(SESSION_ID, &urls).await.unwrap_err();
    assert_eq!(e2.api_code(), Some(ApiCode::FileTooLarge));
    assert!(e2.hint().unwrap().contains("trim"));
}

#[tokio::test]
async fn upload_urls_posts_the_documented_json_body() {
    let mut server = Server::new_async().await;
    let m = attributed(
        server.mock(
            "POST",
            format!("/api/upload-video/nemo_agent/me/{SESSION_ID}").as_str(),
        ),
        TOKEN,
    )
    .match_body(Matcher::Json(
        json!({"urls": ["https://example.com/v.mp4"], "source_type": "url"}),
    ))
    .with_body(mock::ok(
        &json!({"files": [{"filename": "v.mp4", "file_type": "video"}]}),
    ))
    .create_async()
    .await;
    let r = client(&server)
        .upload_urls(SESSION_ID, &["https://example.com/v.mp4".to_owned()])
        .await
        .unwrap();
    assert_eq!(r.files[0].filename, "v.mp4");
    m.assert_async().await;
}

#[tokio::test]
async fn credits_read_all_three_envelope_shapes() {
    for file in [
        "envelopes/credits_code.json",
        "envelopes/credits_success.json",
        "envelopes/credits_bare.json",
    ] {
        let mut server = Server::new_async().await;
        let _m = server
            .mock("GET", "/api/credits/balance/simple")
            .with_body(fixture(file))
            .create_async()
            .await;
        let credits = client(&server).credits().await.unwrap();
        assert_eq!(
            (credits.available, credits.frozen, credits.total),
            (25_000, 40, 25_040),
            "{file}"
        );
    }
}

#[tokio::test]
async fn error_envelopes_keep_status_code_and_message_apart() {
    let cases = [
        (
            "envelopes/error_code_msg.json",
            200,
            Some(ApiCode::SessionNotFound),
            "session not found",
        ),
        (
            "envelopes/error_code_message.json",
            402,
            Some(ApiCode::NoCredits),
            "insufficient credits",
        ),
        (
            "envelopes/error_success_false.json",
            200,
            None,
            "invalid draft",
        ),
        (
            "envelopes/error_code_msg.json",
            404,
            Some(ApiCode::SessionNotFound),
            "session not found",
        ),
    ];
    for (file, status, code, message) in cases {
        let mut server = Server::new_async().await;
        let _m = server
            .mock("GET", "/api/credits/balance/simple")
            .with_status(status)
            .with_body(fixture(file))
            .create_async()
            .await;
        let err = client(&server).credits().await.unwrap_err();
        assert_eq!(err.http_status(), Some(status as u16), "{file}");
        assert_eq!(err.api_code(), code, "{file}");
        assert_eq!(err.api_message(), Some(message), "{file}");
    }
}

#[tokio::test]
async fn state_parses_draft_video_infos_and_canvas() {
    let mut server = Server::new_async().await;
    let _m = attributed(server.mock("GET", state_path(SESSION_ID).as_str()), TOKEN)
        .with_body(fixture("state/draft_basic.json"))
        .create_async()
        .await;
    let state = client(&server).state(SESSION_ID).await.unwrap();
    let draft = state.state.draft.unwrap();
    assert_eq!(
        draft.t.iter().map(|t| t.tt).collect::<Vec<_>>(),
        vec![0, 1, 7]
    );
    assert_eq!(state.state.video_infos.len(), 1);
    assert_eq!(state.state.canvas_config.unwrap()["ratio"], "16:9");
}

/// Records the JSON bodies a mock receives.
#[expect(
    clippy::unwrap_used,
    reason = "test helper: a failure means a broken test setup"
)]
fn recording(
    mock: mockito::Mock,
    seen: &Arc<Mutex<Vec<serde_json::Value>>>,
    body: &'static str,
) -> mockito::Mock {
    let seen = Arc::clone(seen);
    mock.with_body_from_request(move |req| {
        seen.lock()
            .unwrap()
            .push(serde_json::from_slice(req.body().unwrap()).unwrap());
        body.as_bytes().to_vec()
    })
}

#[tokio::test]
async fn render_submit_sends_the_documented_body_and_retries_once_with_a_new_id() {
    let mut server = Server::new_async().await;
    let seen: Arc<Mutex<Vec<serde_json::Value>>> = Arc::default();
    let failing = recording(
        server
            .mock("POST", "/api/render/proxy/lambda")
            .with_status(500)
            .expect(1),
        &seen,
        r#"{"success":false,"error":"busy"}"#,
    )
    .create_async()
    .await;
    let ok = recording(
        attributed(
            server.mock("POST", "/api/render/proxy/lambda").expect(1),
            TOKEN,
        ),
        &seen,
        r#"{"success":true,"data":{"status":"pending","progress":5}}"#,
    )
    .create_async()
    .await;
    let state = fixture_json("state/draft_basic.json");
    let draft = state["data"]["state"]["draft"].clone();
    let id = client(&server)
        .submit_render(SESSION_ID, draft.clone(), None)
        .await
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    for body in &seen {
        assert_eq!(body["sessionId"], SESSION_ID);
        assert_eq!(body["draft"], draft, "the draft goes back unchanged");
        assert_eq!(body["output"], json!({"format": "mp4", "quality": "high"}));
        assert!(
            body["id"]
                .as_str()
                .unwrap()
                .strip_prefix("render_")
                .unwrap()
                .parse::<u64>()
                .is_ok()
        );
    }
    assert_ne!(seen[0]["id"], seen[1]["id"], "the retry uses a new id");
    assert_eq!(seen[1]["id"], id);
    failing.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn a_402_on_render_is_a_plan_message_and_is_not_retried() {
    let mut server = Server::new_async().await;
    let m = server
        .mock("POST", "/api/render/proxy/lambda")
        .with_status(402)
        .with_body(r#"{"code":402,"message":"free plan export blocked"}"#)
        .expect(1)
        .create_async()
        .await;
    let err = client(&server)
        .submit_render(SESSION_ID, json!({"t": []}), None)
        .await
        .unwrap_err();
    assert!(err.is_plan_blocked());
    assert!(!err.is_out_of_credits());
    assert_eq!(err.category(), Category::PlanBlocked);
    assert!(err.to_string().contains("plan"), "{err}");
    assert!(!err.to_string().contains("credit"), "{err}");
    assert!(err.hint().unwrap().contains("unlock export"));
    m.assert_async().await;
}

#[tokio::test]
async fn download_writes_a_temp_file_and_renames_it_only_when_complete() {
    let mut server = Server::new_async().await;
    let _m = server
        .mock("GET", "/media/out.mp4")
        .with_chunked_body(|w| {
            w.write_all(b"first-half;")?;
            w.flush()?;
            std::thread::sleep(Duration::from_millis(400));
            w.write_all(b"second-half")
        })
        .create_async()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out.mp4");
    std::fs::write(&dest, b"old video").unwrap();
    let c = client(&server);
    let url = format!("{}/media/out.mp4", server.url());
    let download = tokio::spawn({
        let (c, dest) = (c.clone(), dest.clone());
        async move {
            c.download_render("render_1", Some(&url), &dest, ProgressFn::none())
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let parts: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| Path::new(n).extension().is_some_and(|e| e == "part"))
        .collect();
    assert_eq!(
        parts.len(),
        1,
        "mid-download a temp file exists beside the target"
    );
    assert_eq!(
        std::fs::read(&dest).unwrap(),
        b"old video",
        "the target is untouched mid-download"
    );
    let done = download.await.unwrap().unwrap();
    assert_eq!(done.bytes, 22);
    assert!(!done.via_proxy);
    assert_eq!(std::fs::read(&dest).unwrap(), b"first-half;second-half");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temp file left"
    );
}

#[tokio::test]
async fn a_failed_download_leaves_nothing_behind() {
    let mut server = Server::new_async().await;
    let _a = server
        .mock("GET", "/media/out.mp4")
        .with_status(404)
        .create_async()
        .await;
    let _b = server
        .mock("GET", "/api/render/proxy/render_1/download")
        .with_status(500)
        .create_async()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out.mp4");
    let url = format!("{}/media/out.mp4", server.url());
    let err = client(&server)
        .download_render("render_1", Some(&url), &dest, ProgressFn::none())
        .await
        .unwrap_err();
    assert_eq!(err.http_status(), Some(500));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[tokio::test]
async fn the_cdn_never_gets_the_token_and_the_proxy_fallback_does() {
    let mut api = Server::new_async().await;
    let mut cdn = Server::new_async().await;
    let cdn_mock = cdn
        .mock("GET", "/render-result/render_1.mp4")
        .match_header("authorization", Matcher::Missing)
        .with_status(403)
        .expect(1)
        .create_async()
        .await;
    let proxy = attributed(
        api.mock("GET", "/api/render/proxy/render_1/download"),
        TOKEN,
    )
    .with_header("content-type", "video/mp4")
    .with_body("proxied")
    .expect(1)
    .create_async()
    .await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("v.mp4");
    let url = format!("{}/render-result/render_1.mp4", cdn.url());
    let progress: Arc<Mutex<Vec<Transfer>>> = Arc::default();
    let p = Arc::clone(&progress);
    let done = client(&api)
        .download_render(
            "render_1",
            Some(&url),
            &dest,
            ProgressFn::new(move |t| p.lock().unwrap().push(t)),
        )
        .await
        .unwrap();
    assert!(done.via_proxy);
    assert_eq!(std::fs::read(&dest).unwrap(), b"proxied");
    assert_eq!(
        progress.lock().unwrap().last(),
        Some(&Transfer {
            done: 7,
            total: Some(7)
        })
    );
    cdn_mock.assert_async().await;
    proxy.assert_async().await;
}

#[tokio::test]
async fn policy_1001_reauthenticates_once_then_retries() {
    let mut server = Server::new_async().await;
    let rejected = attributed(server.mock("GET", "/api/credits/balance/simple"), TOKEN)
        .with_body(mock::err(1001, "token expired"))
        .expect(1)
        .create_async()
        .await;
    let anon = anonymous(server.mock("POST", "/api/auth/anonymous-token"), CLIENT_ID)
        .with_body(mock::anonymous_token_body(TOKEN_2))
        .expect(1)
        .create_async()
        .await;
    let accepted = attributed(server.mock("GET", "/api/credits/balance/simple"), TOKEN_2)
        .with_body(fixture("envelopes/credits_code.json"))
        .expect(1)
        .create_async()
        .await;
    let mut s = session(&server, fast_options());
    assert_eq!(s.credits().await.unwrap().available, 25_000);
    assert_eq!(s.client().token().unwrap().expose(), TOKEN_2);
    assert!(s.take_notices().contains(&Notice::Reauthenticated));
    for m in [rejected, anon, accepted] {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn policy_1001_twice_gives_up_with_the_auth_error() {
    let mut server = Server::new_async().await;
    let _c = server
        .mock("GET", "/api/credits/balance/simple")
        .with_body(mock::err(1001, "bad"))
        .expect(2)
        .create_async()
        .await;
    let anon = server
        .mock("POST", "/api/auth/anonymous-token")
        .with_body(mock::anonymous_token_body(TOKEN_2))
        .expect(1)
        .create_async()
        .await;
    let err = session(&server, fast_options())
        .credits()
        .await
        .unwrap_err();
    assert!(err.is_auth_rejected());
    anon.assert_async().await;
}

#[tokio::test]
async fn policy_1002_creates_a_new_session_then_retries() {
    let mut server = Server::new_async().await;
    let gone = attributed(server.mock("GET", state_path(SESSION_ID).as_str()), TOKEN)
        .with_body(fixture("envelopes/error_code_msg.json"))
        .expect(1)
        .create_async()
        .await;
    let create = attributed(
        server.mock("POST", "/api/tasks/me/with-session/nemo_agent"),
        TOKEN,
    )
    .with_body(mock::session_body("7000000000000000001"))
    .expect(1)
    .create_async()
    .await;
    let fresh = attributed(
        server.mock("GET", state_path("7000000000000000001").as_str()),
        TOKEN,
    )
    .with_body(fixture("state/draft_empty.json"))
    .expect(1)
    .create_async()
    .await;
    let mut s = session(&server, fast_options());
    s.state().await.unwrap();
    assert_eq!(s.ids().unwrap().session_id, "7000000000000000001");
    assert_eq!(
        s.take_notices(),
        vec![Notice::SessionRenewed {
            session_id: "7000000000000000001".into()
        }]
    );
    for m in [gone, create, fresh] {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn policy_http_400_on_anonymous_token_regenerates_and_persists_the_client_id() {
    let mut server = Server::new_async().await;
    let dir = tempfile::tempdir().unwrap();
    let old_id = nemo_config::load_or_create_client_id(dir.path()).unwrap();
    let refused = anonymous(server.mock("POST", "/api/auth/anonymous-token"), &old_id)
        .with_status(400)
        .with_body(r#"{"code":400,"message":"missing X-Client-Id"}"#)
        .expect(1)
        .create_async()
        .await;
    let accepted = server
        .mock("POST", "/api/auth/anonymous-token")
        .match_request({
            let old_id = old_id.clone();
            move |req| {
                req.header("x-client-id")
                    .first()
                    .is_some_and(|v| v.to_str().unwrap() != old_id)
            }
        })
        .with_body(mock::anonymous_token_body(TOKEN))
        .expect(1)
        .create_async()
        .await;
    let options = SessionOptions {
        config_dir: Some(dir.path().to_owned()),
        ..fast_options()
    };
    let c = Client::builder(&server.url())
        .attribution(ATTRIBUTION)
        .client_id(old_id.clone())
        .build()
        .unwrap();
    let mut s = Session::new(c, options);
    s.ensure_token().await.unwrap();
    let new_id = nemo_config::load_or_create_client_id(dir.path()).unwrap();
    assert_ne!(new_id, old_id);
    assert_eq!(s.client().client_id(), new_id);
    assert_eq!(
        s.take_notices(),
        vec![Notice::ClientIdRegenerated, Notice::AnonymousTokenIssued]
    );
    refused.assert_async().await;
    accepted.assert_async().await;
}

#[tokio::test]
async fn policy_429_waits_then_retries_once() {
    let mut server = Server::new_async().await;
    let limited = server
        .mock("GET", "/api/credits/balance/simple")
        .with_status(429)
        .expect(1)
        .create_async()
        .await;
    let ok = server
        .mock("GET", "/api/credits/balance/simple")
        .with_body(fixture("envelopes/credits_code.json"))
        .expect(1)
        .create_async()
        .await;
    let mut s = session(&server, fast_options());
    let started = std::time::Instant::now();
    s.credits().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(50),
        "waited the configured time"
    );
    assert_eq!(
        s.take_notices(),
        vec![Notice::RateLimited {
            wait: Duration::from_millis(50)
        }]
    );
    limited.assert_async().await;
    ok.assert_async().await;

    // Only once: a second 429 is returned.
    let mut server = Server::new_async().await;
    let twice = server
        .mock("GET", "/api/credits/balance/simple")
        .with_status(429)
        .expect(2)
        .create_async()
        .await;
    let err = session(&server, fast_options())
        .credits()
        .await
        .unwrap_err();
    assert!(err.is_rate_limited() && err.is_retryable());
    twice.assert_async().await;
}

#[tokio::test]
async fn policy_2001_for_anonymous_users_links_registration_with_bind() {
    let mut server = Server::new_async().await;
    let _m = server
        .mock("GET", "/api/credits/balance/simple")
        .with_body(mock::err(2001, "no credits"))
        .create_async()
        .await;
    let mut s = session(
        &server,
        SessionOptions {
            web_url: "https://nemovideo.com".into(),
            ..fast_options()
        },
    )
    .with_account(Account {
        user_id: Some(USER_ID.into()),
        anonymous: Some(true),
    });
    let err = s.credits().await.unwrap_err();
    let expected = format!("https://nemovideo.com/register?bind={USER_ID}");
    assert_eq!(err.registration_url(), Some(expected.as_str()));
    assert!(err.to_string().contains(&expected), "{err}");
    assert_eq!(err.api_code(), Some(ApiCode::NoCredits));
    assert_eq!(err.category(), Category::OutOfCredits);
}

#[tokio::test]
async fn policy_2001_for_anonymous_users_finds_the_bind_id_in_the_state() {
    let mut server = Server::new_async().await;
    let _m = server
        .mock("GET", "/api/credits/balance/simple")
        .with_body(mock::err(2001, "no credits"))
        .create_async()
        .await;
    let _s = server
        .mock("GET", state_path(SESSION_ID).as_str())
        .with_body(mock::state_body(SESSION_ID, &json!({})))
        .create_async()
        .await;
    let mut s = session(&server, fast_options()).with_account(Account {
        user_id: None,
        anonymous: Some(true),
    });
    let err = s.credits().await.unwrap_err();
    assert_eq!(
        err.registration_url(),
        Some(format!("https://nemovideo.com/register?bind={USER_ID}").as_str())
    );
}

#[tokio::test]
async fn policy_2001_for_registered_users_says_top_up() {
    let mut server = Server::new_async().await;
    let _m = server
        .mock("GET", "/api/credits/balance/simple")
        .with_body(mock::err(2001, "no credits"))
        .create_async()
        .await;
    let mut s = session(&server, fast_options()).with_account(Account {
        user_id: Some("u_42".into()),
        anonymous: Some(false),
    });
    let err = s.credits().await.unwrap_err();
    assert_eq!(err.registration_url(), None);
    assert!(
        err.to_string().contains("Top up credits in your account"),
        "{err}"
    );
    assert!(err.hint().unwrap().contains("Top up"));
}

#[tokio::test]
async fn tokens_never_appear_in_debug_or_display() {
    let mut server = Server::new_async().await;
    let _m = server
        .mock("GET", "/api/credits/balance/simple")
        .with_status(401)
        .with_body(fixture("envelopes/error_token_echo.json"))
        .create_async()
        .await;
    let _a = server
        .mock("POST", "/api/auth/anonymous-token")
        .with_body(mock::anonymous_token_body(TOKEN_2))
        .create_async()
        .await;
    let c = client(&server);
    let err = c.credits().await.unwrap_err();
    let auth = builder(&server, None)
        .build()
        .unwrap()
        .anonymous_token()
        .await
        .unwrap();
    let config = nemo_config::Config {
        token: Some(Secret::new(TOKEN)),
        ..Default::default()
    };
    let s = session(&server, fast_options());
    let texts = [
        format!("{c:?}"),
        format!("{err}"),
        format!("{err:?}"),
        err.api_message().unwrap_or_default().to_owned(),
        format!("{auth:?}"),
        format!("{config:?}"),
        config.to_redacted_toml().unwrap(),
        format!("{s:?}"),
        format!("{:?}", c.token()),
    ];
    for text in &texts {
        for secret in [TOKEN, TOKEN_2, "TESTtoken", "SECONDtoken"] {
            assert!(!text.contains(secret), "`{secret}` leaked in: {text}");
        }
    }
    assert!(err.is_auth_rejected());
}

#[tokio::test]
async fn a_client_without_attribution_cannot_be_built() {
    let err = Client::builder("http://127.0.0.1:9")
        .attribution([("x-skill-source", "nemo-video"), ("x-skill-version", "1.9")])
        .build()
        .unwrap_err();
    assert_eq!(err.category(), Category::Config);
    assert!(err.to_string().contains("x-skill-platform"), "{err}");
}
