//! Integration tests: the real `nemo` binary. Built by `cargo xtask test` (cargo does not build
//! another package's binary for `cargo test`); `NEMO_BIN` overrides where it is found.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use mockito::Matcher;
use nemo_engine::EngineConfig;
use nemo_media::testing::{ClipFormat, lavfi_clip};
use nemo_test_support::mock;

use crate::engine::{Client, clip, config_on, start, with_database};

/// The `nemo` executable next to this test binary's `deps/` directory.
fn nemo_bin() -> PathBuf {
    if let Some(path) = std::env::var_os("NEMO_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap();
    let bin = dir.join(format!("nemo{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: run `cargo xtask test` (it builds the nemo binary first)",
        bin.display()
    );
    bin
}

/// A sandbox: its own config dir, data dir, HOME and working directory, so tests never touch
/// the user's files and never see each other's tokens.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Self {
        Self::in_dir(tempfile::tempdir().unwrap())
    }

    fn in_dir(dir: tempfile::TempDir) -> Self {
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn nemo(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(nemo_bin());
        cmd.args(["--data-dir", self.path("data").to_str().unwrap()])
            .args(args)
            .current_dir(self.dir.path())
            .env("HOME", self.dir.path())
            .env("NEMO_CONFIG_DIR", self.path("config"))
            .env_remove("NEMO_API_URL")
            .env_remove("NEMO_TOKEN")
            .env_remove("SKILL_SOURCE")
            .env_remove("CURSOR_SESSION_ID")
            .env_remove("CURSOR_TRACE_ID")
            .env_remove("RUST_LOG");
        for (key, _) in std::env::vars() {
            if key.starts_with("OPENCLAW_") {
                cmd.env_remove(key);
            }
        }
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.nemo(args).output().unwrap()
    }
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn help_snapshots() {
    let sandbox = Sandbox::new();
    for args in [
        &["--help"][..],
        &["run", "--help"],
        &["chat", "--help"],
        &["upload", "--help"],
        &["export", "--help"],
        &["music", "--help"],
        &["analyze", "--help"],
        &["serve", "--help"],
        &["worker", "--help"],
        &["plugins", "list", "--help"],
        &["config", "show", "--help"],
    ] {
        let output = sandbox.run(args);
        assert!(output.status.success(), "{args:?}");
        let name = args
            .iter()
            .filter(|a| !a.starts_with('-'))
            .copied()
            .collect::<Vec<_>>()
            .join("_");
        let name = if name.is_empty() {
            "nemo".to_owned()
        } else {
            name
        };
        insta::assert_snapshot!(format!("help_{name}"), text(&output).0);
    }
}

#[test]
fn usage_errors_exit_2_with_a_message() {
    let sandbox = Sandbox::new();
    let output = sandbox.run(&["run", "clip.mp4"]);
    assert_eq!(output.status.code(), Some(2));
    let (_, stderr) = text(&output);
    assert!(stderr.contains("--prompt"), "{stderr}");
    let output = sandbox.run(&["frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn plugins_list_explains_detection() {
    let sandbox = Sandbox::new();
    let output = sandbox
        .nemo(&["plugins", "list", "--json"])
        .env("CURSOR_TRACE_ID", "abc")
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["platform"], "cursor");
    assert!(
        json["reason"].as_str().unwrap().contains("CURSOR_TRACE_ID"),
        "{json}"
    );
    assert_eq!(json["host_abi"], "1.0");

    let output = sandbox
        .nemo(&["plugins", "list", "--json", "--plugin", "clawhub"])
        .env("CURSOR_TRACE_ID", "abc")
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        json["platform"], "clawhub",
        "the flag wins over the environment"
    );
}

#[test]
fn unsupported_upload_is_refused_before_sending_with_the_formats_list() {
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.path("notes.txt"), "hello").unwrap();
    let output = sandbox.run(&["upload", "notes.txt"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let (_, stderr) = text(&output);
    assert!(
        stderr.contains("mp4") && stderr.contains("webp"),
        "{stderr}"
    );
}

/// The main job end to end on the embedded engine: upload, ask for music, export a 1080p MP4;
/// then `status` in a second process continues the same project. No output or log line of the
/// whole session (at -vv) may contain the token.
#[test]
fn run_then_status_on_the_embedded_engine_never_prints_the_token() {
    let sandbox = Sandbox::new();
    let clip = sandbox.path("clip.mp4");
    lavfi_clip(&clip, "testsrc2", 3.0, ClipFormat::SMALL, true).unwrap();
    let run = sandbox
        .nemo(&[
            "-vv",
            "run",
            clip.to_str().unwrap(),
            "--prompt",
            "add calm background music",
            "-o",
            "out.mp4",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stdout.contains("calm"), "{stdout}");
    let out = sandbox.path("out.mp4");
    let info = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(nemo_media::probe(&out))
        .unwrap();
    let video = info.video.unwrap();
    assert_eq!((video.width, video.height), (1920, 1080));
    assert!(info.audio.is_some());

    let status = sandbox.run(&["status"]);
    let (status_out, status_err) = text(&status);
    assert!(status.status.success(), "{status_err}");
    assert!(
        status_out.contains("BGM") || status_out.contains("Audio"),
        "status continues the project: {status_out}"
    );

    let credentials = std::fs::read_to_string(sandbox.path("config/credentials.toml")).unwrap();
    let token = credentials
        .split('"')
        .find(|s| s.starts_with("nmv_usr_"))
        .expect("a saved token");
    for (name, text) in [
        ("run stdout", &stdout),
        ("run stderr", &stderr),
        ("status", &status_out),
        ("status stderr", &status_err),
    ] {
        assert!(!text.contains(token), "{name} leaks the token");
        assert!(
            !text.contains(&token[8..]),
            "{name} leaks the token's secret part"
        );
    }
}

// ---- GUI instructions done through the API -------------------------------------------------

#[test]
fn a_click_the_backend_asks_for_is_done_through_the_api_once() {
    let mut server = mockito::Server::new();
    let token = server
        .mock("POST", "/api/auth/anonymous-token")
        .with_body(mock::anonymous_token_body(mock::TOKEN))
        .create();
    let project = server
        .mock("POST", "/api/tasks/me/with-session/nemo_agent")
        .with_body(mock::session_body(mock::SESSION_ID))
        .create();
    let state_path = format!("/api/state/nemo_agent/me/{}/latest", mock::SESSION_ID);
    let _state = server
        .mock("GET", state_path.as_str())
        .with_body(mock::state_body(mock::SESSION_ID, &serde_json::json!({})))
        .expect_at_least(0)
        .create();
    let mut sse = |said: &str, reply: &str| {
        let frame = serde_json::json!({"type": "text", "content": reply}).to_string();
        server
            .mock("POST", "/run_sse")
            .match_body(Matcher::Regex(format!(r#""text":"{said}""#)))
            .with_header("content-type", "text/event-stream")
            .with_body(mock::sse_body(&[&frame]))
            .expect(1)
            .create()
    };
    let asked = sse(
        "add calm music",
        "I've added calm piano music. Click Apply to confirm, then click Apply again.",
    );
    let applied = sse("Apply", "Applied. Click Apply to keep it.");

    let sandbox = Sandbox::new();
    let mut chat = sandbox
        .nemo(&["--api-url", &server.url(), "chat"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(chat.stdin.as_mut().unwrap(), b"add calm music\n").unwrap();
    let output = chat.wait_with_output().unwrap();
    let (stdout, stderr) = text(&output);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains("I've added calm piano music."), "{stdout}");
    assert!(stdout.contains("Applied."), "{stdout}");
    assert!(
        !stdout.contains("Click"),
        "GUI wording is translated away: {stdout}"
    );
    assert!(stderr.contains("→ Apply"), "{stderr}");
    // Exactly one follow-up, although both replies asked for more clicks.
    for mock in [&token, &project, &asked, &applied] {
        mock.assert();
    }
}

// ---- the weekly ClawHub update check --------------------------------------------------------

#[test]
fn on_clawhub_a_newer_version_is_mentioned_once_and_the_registry_asked_weekly() {
    let sandbox = Sandbox::new();
    // A stand-in `clawhub` CLI that logs its calls and lists a newer nemo-video.
    let bin = sandbox.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let calls = sandbox.path("clawhub-calls.txt");
    let script = bin.join("clawhub");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\n\
             echo '{{\"results\":[{{\"slug\":\"nemo-video\",\"version\":\"99.0.0\"}}]}}'\n",
            calls.display()
        ),
    )
    .unwrap();
    let mut permissions = std::fs::metadata(&script).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&script, permissions).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let credits = |plugin: &str| {
        let output = sandbox
            .nemo(&["--plugin", plugin, "credits"])
            .env("PATH", &path)
            .output()
            .unwrap();
        let (_, stderr) = text(&output);
        assert!(output.status.success(), "{stderr}");
        stderr
    };
    let logged_calls = || std::fs::read_to_string(&calls).unwrap_or_default();

    assert!(!credits("unknown").contains("99.0.0"));
    assert_eq!(logged_calls(), "", "only a ClawHub install asks ClawHub");

    let first = credits("clawhub");
    assert!(
        first.contains("nemo-video 99.0.0 is available") && first.contains("clawhub update"),
        "{first}"
    );
    assert_eq!(logged_calls(), "search nemo-video --json\n");

    let second = credits("clawhub");
    assert!(!second.contains("99.0.0"), "mentioned once: {second}");
    assert_eq!(logged_calls().lines().count(), 1, "asked once a week");
}

// ---- scale-out: `nemo serve --no-worker` + `nemo worker` -----------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_process_renders_what_an_engine_without_a_worker_queued_on_sqlite() {
    with_database(
        false,
        a_worker_process_renders_what_an_engine_without_a_worker_queued,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_process_renders_what_an_engine_without_a_worker_queued_on_postgres() {
    with_database(
        true,
        a_worker_process_renders_what_an_engine_without_a_worker_queued,
    )
    .await;
}

async fn a_worker_process_renders_what_an_engine_without_a_worker_queued(
    dir: tempfile::TempDir,
    database_url: Option<String>,
) {
    let sandbox = Sandbox::in_dir(dir);
    let engine = start(EngineConfig {
        run_worker: false,
        ..config_on(&sandbox.path("data"), database_url.as_ref())
    })
    .await;
    let client = Client::new(&engine, "c").await;
    let session = client.session().await;
    let clip_bytes = clip(&sandbox.path(""), "a.mp4", 1.0, true);
    client.upload(&session, &[("a.mp4", clip_bytes)]).await;
    client.submit_render(&session, "queued").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, body) = client.get("/api/render/proxy/lambda/queued").await;
    assert_ne!(body["data"]["status"], "completed", "nothing renders here");

    let mut worker = sandbox.nemo(&["worker"]);
    if let Some(url) = &database_url {
        worker.env("NEMO_DATABASE_URL", url);
    }
    let worker = worker.stdout(Stdio::piped()).spawn().unwrap();
    let done = client.wait_render("queued").await;
    assert_eq!(done["status"], "completed", "{done}");
    let (status, bytes) = client.download("queued").await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert_eq!(&bytes[4..8], b"ftyp");

    // Ctrl-C stops the worker cleanly.
    let pid = worker.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let output = tokio::task::spawn_blocking(move || worker.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(output.status.success(), "{:?}", output.status);
    let (stdout, _) = text(&output);
    assert!(stdout.contains("nemo worker rendering jobs"), "{stdout}");
    engine.shutdown().await.unwrap();
}
