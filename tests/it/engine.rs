//! Integration tests: the embedded engine on a loopback port with a temp data dir, a real
//! `SQLite` file (persistence tests also on Postgres, see [`with_database`]) and real ffmpeg,
//! driven over HTTP exactly as the client does.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use nemo_engine::store::scratch::ScratchPostgres;
use nemo_engine::{CreditPolicy, Engine, EngineConfig, RunningEngine, UNLIMITED_CREDITS};
use nemo_media::testing::{ClipFormat, lavfi_clip, png_image, sine_wav};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

/// Engine settings for tests: fast heartbeats and polling, short leases, ultrafast x264.
pub(crate) fn test_config(dir: &Path) -> EngineConfig {
    let mut config = EngineConfig::new(dir);
    config.sse_heartbeat = Duration::from_millis(20);
    config.job_heartbeat = Duration::from_millis(100);
    config.job_poll = Duration::from_millis(50);
    config.job_lease = Duration::from_secs(2);
    "ultrafast".clone_into(&mut config.x264_preset);
    config
}

pub(crate) async fn start(config: EngineConfig) -> RunningEngine {
    Engine::start(config).await.unwrap()
}

/// A client of one engine with one token.
pub(crate) struct Client {
    pub(crate) http: reqwest::Client,
    pub(crate) base: String,
    pub(crate) token: String,
}

impl Client {
    pub(crate) async fn new(engine: &RunningEngine, client_id: &str) -> Self {
        let http = reqwest::Client::new();
        let base = engine.base_url().to_owned();
        let resp = http
            .post(format!("{base}/api/auth/anonymous-token"))
            .header("X-Client-Id", client_id)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let body: Value = resp.json().await.unwrap();
        let token = body["data"]["token"].as_str().unwrap().to_owned();
        Self { http, base, token }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) async fn get(&self, path: &str) -> (StatusCode, Value) {
        let resp = self
            .http
            .get(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        (resp.status(), resp.json().await.unwrap_or(Value::Null))
    }

    pub(crate) async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        let resp = self
            .http
            .post(self.url(path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap();
        (resp.status(), resp.json().await.unwrap_or(Value::Null))
    }

    pub(crate) async fn session(&self) -> String {
        let (status, body) = self
            .post(
                "/api/tasks/me/with-session/nemo_agent",
                &json!({"task_name": "test", "language": "en"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["data"]["session_id"].as_str().unwrap().to_owned()
    }

    pub(crate) async fn upload(
        &self,
        session: &str,
        files: &[(&str, Vec<u8>)],
    ) -> (StatusCode, Value) {
        let mut form = Form::new();
        for (name, bytes) in files {
            form = form.part(
                "files",
                Part::bytes(bytes.clone()).file_name((*name).to_owned()),
            );
        }
        let resp = self
            .http
            .post(self.url(&format!("/api/upload-video/nemo_agent/me/{session}")))
            .bearer_auth(&self.token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        (resp.status(), resp.json().await.unwrap_or(Value::Null))
    }

    /// Sends a chat message and reads the whole SSE stream (it closes at the end of the turn).
    pub(crate) async fn chat(&self, session: &str, text: &str) -> Vec<Value> {
        let resp = self.chat_request(session, text).await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()["content-type"], "text/event-stream");
        let body = tokio::time::timeout(Duration::from_mins(2), resp.text())
            .await
            .unwrap()
            .unwrap();
        body.lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .map(|d| serde_json::from_str(d.trim()).unwrap())
            .collect()
    }

    pub(crate) async fn chat_request(&self, session: &str, text: &str) -> reqwest::Response {
        self.http
            .post(self.url("/run_sse"))
            .bearer_auth(&self.token)
            .header("Accept", "text/event-stream")
            .json(
                &json!({"app_name": "nemo_agent", "user_id": "me", "session_id": session,
                          "new_message": {"parts": [{"text": text}]}}),
            )
            .send()
            .await
            .unwrap()
    }

    /// The reply text of a chat turn.
    pub(crate) async fn say(&self, session: &str, text: &str) -> String {
        let events = self.chat(session, text).await;
        events
            .iter()
            .filter(|e| e["type"] == "text")
            .map(|e| e["content"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub(crate) async fn state(&self, session: &str) -> Value {
        let (status, body) = self
            .get(&format!("/api/state/nemo_agent/me/{session}/latest"))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["data"].clone()
    }

    /// Submits a render of the session's current draft as `id`, without waiting for it.
    pub(crate) async fn submit_render(&self, session: &str, id: &str) {
        let draft = self.state(session).await["state"]["draft"].clone();
        let (status, body) = self
            .post("/api/render/proxy/lambda", &json!({"id": id, "sessionId": session, "draft": draft,
                                                     "output": {"format": "mp4", "quality": "high"}}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["success"], true);
    }

    /// Submits a render and polls until it is terminal; returns the last poll data.
    pub(crate) async fn render(&self, session: &str, id: &str) -> Value {
        self.submit_render(session, id).await;
        self.wait_render(id).await
    }

    pub(crate) async fn wait_render(&self, id: &str) -> Value {
        let deadline = Instant::now() + Duration::from_mins(2);
        let mut last_progress = 0.0;
        loop {
            let (status, body) = self.get(&format!("/api/render/proxy/lambda/{id}")).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let data = body["data"].clone();
            let progress = data["progress"].as_f64().unwrap();
            assert!(
                progress >= last_progress,
                "progress went back: {last_progress} -> {progress}"
            );
            last_progress = progress;
            if matches!(
                data["status"].as_str(),
                Some("completed" | "failed" | "cancelled")
            ) {
                return data;
            }
            assert!(Instant::now() < deadline, "render {id} stuck: {data}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub(crate) async fn download(&self, id: &str) -> (StatusCode, Vec<u8>) {
        let resp = self
            .http
            .get(self.url(&format!("/api/render/proxy/{id}/download")))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        (resp.status(), resp.bytes().await.unwrap().to_vec())
    }
}

/// Tiny test media, generated once per test into `dir`.
pub(crate) fn clip(dir: &Path, name: &str, seconds: f64, with_audio: bool) -> Vec<u8> {
    let path = dir.join(name);
    lavfi_clip(&path, "testsrc2", seconds, ClipFormat::SMALL, with_audio).unwrap();
    std::fs::read(path).unwrap()
}

pub(crate) fn png(dir: &Path) -> Vec<u8> {
    let path = dir.join("still.png");
    png_image(&path, 200, 300).unwrap();
    std::fs::read(path).unwrap()
}

pub(crate) fn wav(dir: &Path, seconds: f64) -> Vec<u8> {
    let path = dir.join("song.wav");
    sine_wav(&path, 330, seconds, 48_000).unwrap();
    std::fs::read(path).unwrap()
}

fn tmp_files(data_dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(data_dir.join("tmp"))
        .map_or_else(|_| Vec::new(), |d| d.flatten().map(|e| e.path()).collect())
}

fn music_track(state: &Value) -> Option<&Value> {
    state["state"]["draft"]["t"]
        .as_array()?
        .iter()
        .find(|t| t["tt"] == 1)
}

fn track(state: &Value, tt: i64) -> Vec<Value> {
    state["state"]["draft"]["t"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["tt"] == tt))
        .and_then(|t| t["sg"].as_array().cloned())
        .unwrap_or_default()
}

// ---- auth, sessions, credits ----------------------------------------------------------------

#[tokio::test]
async fn anonymous_tokens_need_a_client_id_and_are_issued_once() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(test_config(dir.path())).await;
    let http = reqwest::Client::new();
    let url = format!("{}/api/auth/anonymous-token", engine.base_url());
    let missing = http.post(&url).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    let body: Value = missing.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("X-Client-Id"));

    let first = http
        .post(&url)
        .header("X-Client-Id", "client-a")
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let body: Value = first.json().await.unwrap();
    assert_eq!(body["code"], 0);
    let token = body["data"]["token"].as_str().unwrap();
    assert!(token.starts_with("nmv_usr_") && token.len() > 40, "{token}");
    assert!(
        body["data"]["user_id"]
            .as_str()
            .unwrap()
            .starts_with("anon_")
    );
    assert_eq!(body["data"]["credits"], UNLIMITED_CREDITS);
    assert!(body["data"]["expires_at"].as_str().unwrap().ends_with('Z'));

    let second = http
        .post(&url)
        .header("X-Client-Id", "client-a")
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), StatusCode::TOO_MANY_REQUESTS);
    let other = http
        .post(&url)
        .header("X-Client-Id", "client-b")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::OK);
    engine.shutdown().await.unwrap();
}

#[tokio::test]
async fn every_call_checks_the_bearer_token() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(test_config(dir.path())).await;
    let good = Client::new(&engine, "c").await;
    let session = good.session().await;
    for token in ["", "nmv_usr_not-a-real-token", "garbage"] {
        let bad = Client {
            http: reqwest::Client::new(),
            base: good.base.clone(),
            token: token.to_owned(),
        };
        for (status, body) in [
            bad.get("/api/credits/balance/simple").await,
            bad.get(&format!("/api/state/nemo_agent/me/{session}/latest"))
                .await,
            bad.post(
                "/api/tasks/me/with-session/nemo_agent",
                &json!({"task_name": "x"}),
            )
            .await,
            bad.post("/api/auth/claim-token", &json!({"session_id": session}))
                .await,
            bad.post(
                "/api/render/proxy/lambda",
                &json!({"id": "r1", "sessionId": session, "draft": {}}),
            )
            .await,
            bad.get("/api/render/proxy/lambda/r1").await,
        ] {
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
            assert_eq!(body["code"], 1001, "{body}");
        }
        let sse = bad.chat_request(&session, "hi").await;
        assert_eq!(sse.status(), StatusCode::UNAUTHORIZED);
        let (status, body) = bad.upload(&session, &[("a.mp4", vec![1, 2, 3])]).await;
        assert_eq!(
            (status, body["code"].clone()),
            (StatusCode::UNAUTHORIZED, json!(1001))
        );
    }
    engine.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_token_sees_only_its_own_sessions_and_renders() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(test_config(dir.path())).await;
    let alice = Client::new(&engine, "alice").await;
    let bob = Client::new(&engine, "bob").await;
    let session = alice.session().await;
    let (status, body) = alice
        .upload(&session, &[("a.mp4", clip(dir.path(), "a.mp4", 1.0, true))])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let done = alice.render(&session, "render_alice").await;
    assert_eq!(done["status"], "completed");

    let (status, body) = bob
        .get(&format!("/api/state/nemo_agent/me/{session}/latest"))
        .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::NOT_FOUND, json!(1002))
    );
    let (_, body) = bob.upload(&session, &[("a.mp4", vec![0; 10])]).await;
    assert_eq!(body["code"], 1002);
    assert_eq!(
        bob.chat_request(&session, "add music").await.status(),
        StatusCode::NOT_FOUND
    );
    let (_, body) = bob
        .post("/api/auth/claim-token", &json!({"session_id": session}))
        .await;
    assert_eq!(body["code"], 1002);
    let (_, body) = bob
        .post(
            "/api/render/proxy/lambda",
            &json!({"id": "r_bob", "sessionId": session, "draft": {"t": [{"tt": 0, "sg": [{}]}]}}),
        )
        .await;
    assert_eq!(
        (body["success"].clone(), body["code"].clone()),
        (json!(false), json!(1002))
    );
    let (status, body) = bob.get("/api/render/proxy/lambda/render_alice").await;
    assert_eq!(
        (status, body["success"].clone()),
        (StatusCode::NOT_FOUND, json!(false))
    );
    assert_eq!(bob.download("render_alice").await.0, StatusCode::NOT_FOUND);
    let (_, body) = bob
        .get("/api/state/nemo_agent/me/no-such-session/latest")
        .await;
    assert_eq!(body["code"], 1002);

    let (status, body) = alice
        .post("/api/auth/claim-token", &json!({"session_id": session}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body["data"]["claim_token"]
            .as_str()
            .unwrap()
            .starts_with("clm_")
    );
    assert_eq!(body["data"]["expires_in"], 604_800);
    engine.shutdown().await.unwrap();
}

#[tokio::test]
async fn metered_credits_freeze_during_a_render_and_run_out_with_2001() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.credits = CreditPolicy::Metered {
        initial: 100,
        render_cost: 60,
    };
    let engine = start(config).await;
    let client = Client::new(&engine, "c").await;
    let (_, body) = client.get("/api/credits/balance/simple").await;
    assert_eq!(
        body["data"],
        json!({"available": 100, "frozen": 0, "total": 100})
    );
    let session = client.session().await;
    client
        .upload(
            &session,
            &[("a.mp4", clip(dir.path(), "a.mp4", 1.0, false))],
        )
        .await;
    let draft = client.state(&session).await["state"]["draft"].clone();
    let (_, submitted) = client
        .post(
            "/api/render/proxy/lambda",
            &json!({"id": "r1", "sessionId": session, "draft": draft}),
        )
        .await;
    assert_eq!(submitted["data"]["status"], "pending");
    let (_, during) = client.get("/api/credits/balance/simple").await;
    // Frozen until the job settles (it may already have completed on a fast machine).
    let d = &during["data"];
    assert!(
        d == &json!({"available": 40, "frozen": 60, "total": 100})
            || d == &json!({"available": 40, "frozen": 0, "total": 40}),
        "{d}"
    );
    assert_eq!(client.wait_render("r1").await["status"], "completed");
    let (_, after) = client.get("/api/credits/balance/simple").await;
    assert_eq!(
        after["data"],
        json!({"available": 40, "frozen": 0, "total": 40})
    );
    let (status, body) = client
        .post(
            "/api/render/proxy/lambda",
            &json!({"id": "r2", "sessionId": session, "draft": draft}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        (body["success"].clone(), body["code"].clone()),
        (json!(false), json!(2001))
    );
    assert!(body["error"].as_str().unwrap().contains("credits"));
    let (status, body) = client
        .post(
            "/api/render/proxy/lambda",
            &json!({"id": "r1", "sessionId": session, "draft": draft}),
        )
        .await;
    assert_eq!(
        (status, body["success"].clone()),
        (StatusCode::CONFLICT, json!(false)),
        "reused id"
    );
    engine.shutdown().await.unwrap();
}

// ---- uploads ----------------------------------------------------------------------------------

#[tokio::test]
async fn uploads_validate_store_and_append_to_the_draft() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(test_config(dir.path())).await;
    let client = Client::new(&engine, "c").await;
    let session = client.session().await;
    let video = clip(dir.path(), "v.mp4", 2.0, true);
    let (status, body) = client
        .upload(
            &session,
            &[
                ("../../holiday.mp4", video.clone()),
                ("still.png", png(dir.path())),
                ("song.wav", wav(dir.path(), 1.0)),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["session_state_applied"], true);
    let files = body["data"]["files"].as_array().unwrap();
    assert_eq!(
        files[0]["filename"], "holiday.mp4",
        "path components are stripped"
    );
    assert_eq!(
        (
            files[0]["file_type"].as_str(),
            files[0]["width"].as_i64(),
            files[0]["height"].as_i64()
        ),
        (Some("video"), Some(320), Some(180))
    );
    assert!((files[0]["duration"].as_f64().unwrap() - 2.0).abs() < 0.1);
    assert_eq!(files[1]["file_type"], "image");
    assert_eq!(files[2]["file_type"], "audio");
    let cdn = files[0]["cdn_url"].as_str().unwrap();
    assert!(
        cdn.starts_with(&format!("{}/media/", engine.base_url())),
        "{cdn}"
    );
    let fetched = reqwest::get(cdn).await.unwrap().bytes().await.unwrap();
    assert_eq!(
        fetched.as_ref(),
        video.as_slice(),
        "content-addressed copy is byte-identical"
    );
    let stored = dir
        .path()
        .join("media/sha256")
        .join(&files[0]["hash"].as_str().unwrap()[..2]);
    assert!(stored.is_dir());
    assert!(tmp_files(dir.path()).is_empty());

    let state = client.state(&session).await;
    assert_eq!(state["state"]["video_infos"].as_array().unwrap().len(), 3);
    let clips = track(&state, 0);
    assert_eq!(clips.len(), 2);
    assert_eq!(
        (clips[1]["st"].as_i64(), clips[1]["d"].as_i64()),
        (clips[0]["d"].as_i64(), Some(3000)),
        "stills last 3 s"
    );
    let music = music_track(&state).unwrap();
    assert_eq!(music["sg"][0]["nm"], "song.wav");
    assert!(
        !body.to_string().contains(dir.path().to_str().unwrap()),
        "no local paths in responses"
    );
    engine.shutdown().await.unwrap();
}

#[tokio::test]
async fn bad_uploads_get_4001_or_4002_and_leave_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.max_upload_bytes = 150_000;
    let engine = start(config).await;
    let client = Client::new(&engine, "c").await;
    let session = client.session().await;
    let video = clip(dir.path(), "v.mp4", 1.0, true);
    assert!(
        video.len() < 150_000,
        "test clip must fit the lowered limit ({} bytes)",
        video.len()
    );
    let cases: Vec<(&str, Vec<u8>, i64)> = vec![
        (
            "notes.mp4",
            b"this is plain text, not a video at all\n".repeat(20),
            4001,
        ),
        ("virus.exe", vec![0x4d, 0x5a, 0, 0], 4001),
        ("empty.mp4", Vec::new(), 4001),
        ("half.mp4", video[..video.len() / 3].to_vec(), 4001),
        ("song.mp3", video.clone(), 4001),
        ("picture.png", video.clone(), 4001),
        ("huge.mp4", vec![0; 400_000], 4002),
    ];
    for (name, bytes, code) in cases {
        let (status, body) = client.upload(&session, &[(name, bytes)]).await;
        assert_eq!(body["code"], code, "{name}: {body}");
        assert!(status.is_client_error(), "{name}: {status}");
        if code == 4001 {
            let formats = body["data"]["formats"].as_array().unwrap();
            assert!(
                formats.contains(&json!("mp4")) && formats.contains(&json!("wav")),
                "{body}"
            );
            assert!(
                body["message"].as_str().unwrap().contains("mp4, mov"),
                "{body}"
            );
        }
        assert!(
            tmp_files(dir.path()).is_empty(),
            "{name} left {:?}",
            tmp_files(dir.path())
        );
    }
    // A bad file in a batch rejects the whole batch; the draft is untouched.
    let (_, body) = client
        .upload(
            &session,
            &[("ok.mp4", video.clone()), ("bad.mp4", b"nope".to_vec())],
        )
        .await;
    assert_eq!(body["code"], 4001);
    let state = client.state(&session).await;
    assert!(track(&state, 0).is_empty());
    assert_eq!(state["draft_version"], 0);
    let (status, _) = client.upload(&session, &[("ok.mp4", video)]).await;
    assert_eq!(status, StatusCode::OK);
    engine.shutdown().await.unwrap();
}

#[tokio::test]
async fn url_uploads_fetch_http_only_with_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(test_config(dir.path())).await;
    let client = Client::new(&engine, "c").await;
    let session = client.session().await;
    let mut server = mockito::Server::new_async().await;
    let video = clip(dir.path(), "v.mp4", 1.0, true);
    let _ok = server
        .mock("GET", "/media/beach%20day.mp4")
        .with_body(video.clone())
        .create_async()
        .await;
    let _untyped = server
        .mock("GET", "/download")
        .with_header("content-type", "video/mp4")
        .with_body(video)
        .create_async()
        .await;
    let _missing = server
        .mock("GET", "/gone.mp4")
        .with_status(404)
        .create_async()
        .await;
    let path = format!("/api/upload-video/nemo_agent/me/{session}");
    let upload = |urls: Vec<String>| {
        let client = &client;
        let path = path.clone();
        async move {
            client
                .post(&path, &json!({"urls": urls, "source_type": "url"}))
                .await
        }
    };

    let (status, body) = upload(vec![
        format!("{}/media/beach%20day.mp4", server.url()),
        format!("{}/download", server.url()),
    ])
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let files = body["data"]["files"].as_array().unwrap();
    assert_eq!(
        (files[0]["filename"].as_str(), files[1]["filename"].as_str()),
        (Some("beach day.mp4"), Some("download.mp4"))
    );
    assert_eq!(files[0]["origin"], "url");

    let (status, body) = upload(vec!["ftp://example.com/a.mp4".to_owned()]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"].as_str().unwrap().contains("http and https"),
        "{body}"
    );
    let (status, body) = upload(vec!["file:///etc/passwd".to_owned()]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = upload(vec![format!("{}/gone.mp4", server.url())]).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::BAD_GATEWAY, json!(4003))
    );
    assert!(
        body["message"].as_str().unwrap().contains("HTTP 404"),
        "{body}"
    );
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let (status, body) = upload(vec![format!("http://{closed}/clip.mp4")]).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::BAD_GATEWAY, json!(4003))
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("could not reach 127.0.0.1"),
        "{body}"
    );
    engine.shutdown().await.unwrap();
}

// ---- chat ---------------------------------------------------------------------------------------

#[tokio::test]
async fn chat_streams_tool_events_heartbeats_and_text_then_closes() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(test_config(dir.path())).await;
    let client = Client::new(&engine, "c").await;
    let session = client.session().await;
    client
        .upload(&session, &[("a.mp4", clip(dir.path(), "a.mp4", 2.0, true))])
        .await;
    let events = client
        .chat(&session, "add background music that matches my video")
        .await;
    let kinds: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"heartbeat"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"text"), "{kinds:?}");
    let names: Vec<&str> = events.iter().filter_map(|e| e["name"].as_str()).collect();
    assert!(
        names.contains(&"analyze_video") && names.contains(&"generate_music"),
        "{names:?}"
    );
    let done = events
        .iter()
        .find(|e| {
            e["type"] == "tool_result"
                && e["name"] == "generate_music"
                && e["result"]["status"] == "done"
        })
        .unwrap();
    assert_eq!(done["result"]["progress"], 100);
    let reply = events.last().unwrap()["content"].as_str().unwrap();
    assert!(
        reply.contains("Added background music") && reply.contains("Export"),
        "{reply}"
    );

    let state = client.state(&session).await;
    let bed = &music_track(&state).unwrap()["sg"][0];
    assert_eq!(
        bed["d"],
        track(&state, 0)[0]["d"],
        "music fits the video length"
    );
    let generated = state["state"]["generated_media"].as_array().unwrap();
    assert_eq!(generated.len(), 1);
    assert!(generated[0]["meta"]["report"]["bpm"].as_f64().unwrap() > 40.0);
    let wav = reqwest::get(generated[0]["cdn_url"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&wav[..4], b"RIFF");
    engine.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_client_that_disconnects_does_not_stop_the_edit() {
    let dir = tempfile::tempdir().unwrap();
    let config = test_config(dir.path());
    let engine = start(config).await;
    let client = Client::new(&engine, "c").await;
    let session = client.session().await;
    client
        .upload(&session, &[("a.mp4", clip(dir.path(), "a.mp4", 2.0, true))])
        .await;
    let resp = client
        .chat_request(&session, "add calm background music")
        .await;
    let mut stream = resp.bytes_stream();
    let first = stream.next().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).starts_with("data:"));
    drop(stream); // hang up mid-turn
    let deadline = Instant::now() + Duration::from_mins(1);
    loop {
        let state = client.state(&session).await;
        if music_track(&state).is_some() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the turn was lost after the disconnect"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    engine.shutdown().await.unwrap();
}

#[tokio::test]
async fn agent_edits_in_english_and_chinese_with_undo() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(test_config(dir.path())).await;
    let client = Client::new(&engine, "c").await;
    let session = client.session().await;
    client
        .upload(
            &session,
            &[
                ("first.mp4", clip(dir.path(), "1.mp4", 2.0, true)),
                ("second.mp4", clip(dir.path(), "2.mp4", 1.0, true)),
            ],
        )
        .await;
    let names = |state: &Value| {
        track(state, 0)
            .iter()
            .map(|s| s["nm"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };

    let reply = client.say(&session, "把第二个片段移到开头").await;
    assert!(reply.contains("新顺序"), "{reply}");
    assert_eq!(
        names(&client.state(&session).await),
        ["second.mp4", "first.mp4"]
    );

    let reply = client.say(&session, "trim clip 2 to 1.5 seconds").await;
    assert!(reply.contains("2 s -> 1.5 s"), "{reply}");
    assert_eq!(track(&client.state(&session).await, 0)[1]["d"], 1500);

    let reply = client
        .say(&session, "add a title \"Hello, world: it's 100%\"")
        .await;
    assert!(reply.contains("Hello, world"), "{reply}");
    assert_eq!(
        track(&client.state(&session).await, 7)[0]["tx"],
        "Hello, world: it's 100%"
    );

    client
        .say(&session, "use my song as background music")
        .await; // nothing uploaded yet
    client
        .upload(&session, &[("tune.wav", wav(dir.path(), 1.0))])
        .await;
    let reply = client.say(&session, "音乐音量调到百分之二十").await;
    assert!(reply.contains("35% -> 20%"), "{reply}");
    let default_fade_out =
        music_track(&client.state(&session).await).unwrap()["sg"][0]["fo"].clone();
    let reply = client.say(&session, "fade out over 1 second").await;
    assert!(reply.contains("out over 1 s"), "{reply}");

    let reply = client.say(&session, "what's in my project?").await;
    assert!(reply.starts_with("Timeline (3 tracks"), "{reply}");
    assert!(
        reply.contains("BGM: tune.wav") && reply.contains("Title: \"Hello, world: it's 100%\""),
        "{reply}"
    );
    let reply = client.say(&session, "项目里有什么？").await;
    assert!(reply.starts_with("时间线"), "{reply}");

    let reply = client.say(&session, "undo").await;
    assert!(reply.contains("Undid"), "{reply}");
    assert_eq!(
        music_track(&client.state(&session).await).unwrap()["sg"][0]["fo"],
        default_fade_out,
        "fade-out back to its default"
    );
    let reply = client.say(&session, "撤销").await;
    assert!(reply.contains("已撤销"), "{reply}");
    assert_eq!(
        music_track(&client.state(&session).await).unwrap()["sg"][0]["vol"],
        0.35
    );

    let reply = client.say(&session, "remove the music").await;
    assert!(reply.contains("Removed the background music"), "{reply}");
    assert!(music_track(&client.state(&session).await).is_none());

    let reply = client.say(&session, "make it pop").await;
    assert!(
        reply.contains("can't do that yet") && reply.contains("add background music"),
        "{reply}"
    );
    let reply = client.say(&session, "把视频变成黑白").await;
    assert!(reply.contains("暂时还做不到"), "{reply}");
    engine.shutdown().await.unwrap();
}

// ---- persistence and recovery ---------------------------------------------------------------------

/// Runs `test` with a data dir and the database to use: the data dir's `SQLite` file, or a
/// fresh Postgres database when asked and `NEMO_TEST_POSTGRES_URL` names a server (without it
/// the Postgres variant has nothing to run on and returns).
pub(crate) async fn with_database<F: Future<Output = ()>>(
    postgres: bool,
    test: impl FnOnce(tempfile::TempDir, Option<String>) -> F,
) {
    let dir = tempfile::tempdir().unwrap();
    if !postgres {
        return test(dir, None).await;
    }
    let Some(db) = ScratchPostgres::create().await else {
        return;
    };
    test(dir, Some(db.url().to_owned())).await;
    db.drop_database().await;
}

/// [`test_config`] on the given database.
pub(crate) fn config_on(dir: &Path, database_url: Option<&String>) -> EngineConfig {
    EngineConfig {
        database_url: database_url.cloned(),
        ..test_config(dir)
    }
}

#[tokio::test]
async fn a_restart_keeps_tokens_sessions_drafts_messages_and_renders_on_sqlite() {
    with_database(
        false,
        a_restart_keeps_tokens_sessions_drafts_messages_and_renders,
    )
    .await;
}

#[tokio::test]
async fn a_restart_keeps_tokens_sessions_drafts_messages_and_renders_on_postgres() {
    with_database(
        true,
        a_restart_keeps_tokens_sessions_drafts_messages_and_renders,
    )
    .await;
}

async fn a_restart_keeps_tokens_sessions_drafts_messages_and_renders(
    dir: tempfile::TempDir,
    database_url: Option<String>,
) {
    let config = || config_on(dir.path(), database_url.as_ref());
    let engine = start(config()).await;
    let client = Client::new(&engine, "c").await;
    let session = client.session().await;
    client
        .upload(&session, &[("a.mp4", clip(dir.path(), "a.mp4", 1.0, true))])
        .await;
    client.say(&session, "add a title \"Kept\"").await;
    assert_eq!(
        client.render(&session, "render_before").await["status"],
        "completed"
    );
    let before = client.state(&session).await;
    engine.shutdown().await.unwrap();

    let engine = start(config()).await;
    let again = Client {
        http: reqwest::Client::new(),
        base: engine.base_url().to_owned(),
        token: client.token.clone(),
    };
    assert_eq!(
        again.state(&session).await["state"]["draft"],
        before["state"]["draft"]
    );
    let (status, body) = again.get("/api/render/proxy/lambda/render_before").await;
    assert_eq!(
        (status, body["data"]["status"].as_str()),
        (StatusCode::OK, Some("completed"))
    );
    let (status, bytes) = again.download("render_before").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&bytes[4..8], b"ftyp");
    assert!(
        again.say(&session, "undo").await.contains("Undid"),
        "history survives the restart"
    );
    let messages = engine.store().messages(&session).await.unwrap();
    assert_eq!(messages.len(), 4, "two turns, user + assistant each");
    engine.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_crashed_workers_render_is_reclaimed_after_its_lease_or_failed_with_a_reason_on_sqlite() {
    with_database(
        false,
        a_crashed_workers_render_is_reclaimed_after_its_lease_or_failed_with_a_reason,
    )
    .await;
}

#[tokio::test]
async fn a_crashed_workers_render_is_reclaimed_after_its_lease_or_failed_with_a_reason_on_postgres()
{
    with_database(
        true,
        a_crashed_workers_render_is_reclaimed_after_its_lease_or_failed_with_a_reason,
    )
    .await;
}

async fn a_crashed_workers_render_is_reclaimed_after_its_lease_or_failed_with_a_reason(
    dir: tempfile::TempDir,
    database_url: Option<String>,
) {
    let config = || config_on(dir.path(), database_url.as_ref());
    let engine = start(EngineConfig {
        run_worker: false,
        ..config()
    })
    .await;
    let client = Client::new(&engine, "c").await;
    let session = client.session().await;
    client
        .upload(&session, &[("a.mp4", clip(dir.path(), "a.mp4", 1.0, true))])
        .await;
    for id in ["resumed", "doomed"] {
        client.submit_render(&session, id).await;
    }
    // A worker claims both and dies without heartbeating.
    let store = engine.store();
    for _ in 0..2 {
        store
            .claim_job("render", "worker-that-crashed", 60_000)
            .await
            .unwrap()
            .unwrap();
    }
    // "doomed" crashed its worker twice more and is on its last attempt.
    for attempt in [2, 3] {
        assert!(store.expire_lease("doomed").await.unwrap());
        let job = store
            .claim_job("render", "worker-that-crashed", 60_000)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((job.id.as_str(), job.attempts), ("doomed", attempt));
    }
    // The crash: both leases run out with nobody heartbeating.
    assert!(store.expire_lease("resumed").await.unwrap());
    assert!(store.expire_lease("doomed").await.unwrap());
    let (_, body) = client.get("/api/render/proxy/lambda/resumed").await;
    assert_eq!(body["data"]["status"], "processing");
    engine.abort().await;

    let engine = start(config()).await;
    let client = Client {
        http: reqwest::Client::new(),
        base: engine.base_url().to_owned(),
        token: client.token,
    };
    let resumed = client.wait_render("resumed").await;
    assert_eq!(resumed["status"], "completed", "{resumed}");
    assert_eq!(
        engine
            .store()
            .job("resumed")
            .await
            .unwrap()
            .unwrap()
            .attempts,
        2
    );
    let doomed = client.wait_render("doomed").await;
    assert_eq!(doomed["status"], "failed");
    assert!(
        doomed["error"].as_str().unwrap().contains("interrupted"),
        "{doomed}"
    );
    engine.shutdown().await.unwrap();
}

#[tokio::test]
async fn cancelled_renders_stop_and_cannot_be_downloaded() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.run_worker = false;
    let engine = start(config).await;
    let client = Client::new(&engine, "c").await;
    let session = client.session().await;
    client
        .upload(&session, &[("a.mp4", clip(dir.path(), "a.mp4", 1.0, true))])
        .await;
    let draft = client.state(&session).await["state"]["draft"].clone();
    client
        .post(
            "/api/render/proxy/lambda",
            &json!({"id": "r1", "sessionId": session, "draft": draft}),
        )
        .await;
    let (status, body) = client
        .post("/api/render/proxy/lambda/r1/cancel", &json!({}))
        .await;
    assert_eq!(
        (status, body["data"]["status"].as_str()),
        (StatusCode::OK, Some("cancelled"))
    );
    let (status, body) = client.get("/api/render/proxy/lambda/r1").await;
    assert_eq!(
        (status, body["data"]["status"].as_str()),
        (StatusCode::OK, Some("cancelled"))
    );
    assert_eq!(client.download("r1").await.0, StatusCode::CONFLICT);
    let (status, body) = client
        .post(
            "/api/render/proxy/lambda",
            &json!({"id": "bad id!", "sessionId": session, "draft": draft}),
        )
        .await;
    assert_eq!(
        (status, body["success"].clone()),
        (StatusCode::BAD_REQUEST, json!(false))
    );
    let (status, _) = client
        .post(
            "/api/render/proxy/lambda",
            &json!({"id": "empty", "sessionId": session, "draft": {"t": []}}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    engine.shutdown().await.unwrap();
}
