//! Replays of the recorded traffic (`tests/fixtures/recorded/*.json`, written by
//! `cargo xtask fixtures record` from the real client and the embedded engine): each recording
//! is mounted on mockito and the same scenario runs the real client against it, so every
//! recorded response must parse and every recorded request must be made again, in order, with
//! its headers. Recording a replay through the recorder gives back the committed file.

use std::path::{Path, PathBuf};

use nemo_test_support::recorded::{Recording, VERSION};
use nemo_test_support::recorder::Recorder;
use nemo_test_support::scenarios::{self, NoGate, RECORDED_WITH, Scenario, ScenarioEnv};
use nemo_test_support::{fixture, fixture_path};

fn load(scenario: Scenario) -> (String, Recording) {
    let text = fixture(&scenario.fixture_rel());
    let recording =
        Recording::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", scenario.fixture_rel()));
    (text, recording)
}

/// Upload files for a replay: the server ignores their content, the client only checks the
/// extension and size before sending.
#[expect(
    clippy::unwrap_used,
    reason = "a test helper: setup failures stop the test"
)]
fn env(dir: &Path, base_url: &str) -> ScenarioEnv {
    let clip = dir.join("clip.mp4");
    std::fs::write(&clip, b"replayed: the content is not sent anywhere real").unwrap();
    let not_media = dir.join("notes.mp4");
    std::fs::write(&not_media, b"these are notes, not a video\n").unwrap();
    ScenarioEnv {
        base_url: base_url.to_owned(),
        token: None,
        clip,
        not_media,
        download_dir: dir.to_owned(),
    }
}

/// Runs `scenario` against its recording and returns what the client understood.
#[expect(
    clippy::unwrap_used,
    reason = "a test helper: setup failures stop the test"
)]
async fn replay(scenario: Scenario) -> Vec<String> {
    let (_, recording) = load(scenario);
    let mut server = mockito::Server::new_async().await;
    let mocks = recording.mount(&mut server).await;
    let dir = tempfile::tempdir().unwrap();
    let lines = scenarios::run(scenario, &env(dir.path(), &server.url()), &NoGate)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    for mock in mocks {
        mock.assert_async().await;
    }
    lines
}

#[test]
fn every_scenario_has_a_current_recording_and_nothing_else_is_there() {
    let mut expected: Vec<PathBuf> = Scenario::ALL
        .iter()
        .map(|s| fixture_path(&s.fixture_rel()))
        .collect();
    expected.sort();
    let mut found: Vec<PathBuf> = std::fs::read_dir(fixture_path("recorded"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    found.sort();
    assert_eq!(found, expected);
    for scenario in Scenario::ALL {
        let (text, recording) = load(scenario);
        assert_eq!(recording.version, VERSION);
        assert_eq!(recording.source, "engine");
        assert_eq!(recording.recorded_with, RECORDED_WITH);
        assert_eq!(recording.docs, scenario.docs());
        assert!(!recording.events.is_empty(), "{}", scenario.name());
        assert_eq!(text, recording.to_json(), "stored in canonical form");
    }
}

#[test]
fn recordings_hold_placeholders_not_secrets_or_volatile_values() {
    for scenario in Scenario::ALL {
        let (text, _) = load(scenario);
        for volatile in ["127.0.0.1", "localhost:", "clm_", "boundary=-"] {
            assert!(
                !text.contains(volatile),
                "{}: holds `{volatile}`",
                scenario.name()
            );
        }
        assert_eq!(
            text.matches("nmv_usr_").count(),
            text.matches("nmv_usr_fixtureFAKE").count(),
            "{}: a real token was recorded",
            scenario.name()
        );
        assert_eq!(
            runs(&text, 32, |c| c.is_ascii_hexdigit()),
            0,
            "{}: hex ids or hashes left",
            scenario.name()
        );
        let without_placeholder =
            text.replace(&nemo_test_support::recorded::TIMESTAMP_MS.to_string(), "");
        assert_eq!(
            runs(&without_placeholder, 13, |c| c.is_ascii_digit()),
            0,
            "{}: long digit runs (ids, timestamps) left",
            scenario.name()
        );
    }
}

/// Runs of at least `min` characters matching `class`.
fn runs(text: &str, min: usize, class: impl Fn(char) -> bool) -> usize {
    let mut count = 0;
    let mut run = 0;
    for c in text.chars().chain(std::iter::once(' ')) {
        if class(c) {
            run += 1;
        } else {
            if run >= min {
                count += 1;
            }
            run = 0;
        }
    }
    count
}

#[tokio::test]
async fn session_recording_replays() {
    let lines = replay(Scenario::Session).await;
    assert!(
        lines[0].starts_with("anonymous token: user id given"),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("claim link: https://nemovideo.com/"))
    );
}

#[tokio::test]
async fn credits_recording_replays() {
    let lines = replay(Scenario::Credits).await;
    assert!(
        lines.iter().any(|l| l.starts_with("credits: available ")),
        "{lines:?}"
    );
}

#[tokio::test]
async fn upload_recording_replays() {
    let lines = replay(Scenario::Upload).await;
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("uploaded clip.mp4 (Video)")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("state: 1 video info(s)")),
        "{lines:?}"
    );
}

#[tokio::test]
async fn chat_recording_replays() {
    let lines = replay(Scenario::Chat).await;
    let turns: Vec<_> = lines.iter().filter(|l| l.starts_with("chat ")).collect();
    assert_eq!(turns.len(), 2, "{lines:?}");
    assert!(turns.iter().all(|t| t.contains("text")), "{turns:?}");
}

#[tokio::test]
async fn render_recording_replays() {
    let lines = replay(Scenario::Render).await;
    let polls: Vec<_> = lines.iter().filter(|l| l.starts_with("poll: ")).collect();
    assert_eq!(polls.len(), 2, "{lines:?}");
    assert!(
        polls[0].contains("Pending") && polls[1].contains("Completed"),
        "{polls:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("downloaded ") && l.ends_with("(via proxy: false)")),
        "{lines:?}"
    );
}

#[tokio::test]
async fn errors_recording_replays() {
    let lines = replay(Scenario::Errors).await;
    for code in ["code 1001", "code 1002", "code 4001"] {
        assert!(lines.iter().any(|l| l.ends_with(code)), "{code}: {lines:?}");
    }
}

#[tokio::test]
async fn recording_a_replay_reproduces_every_file() {
    for scenario in Scenario::ALL {
        let (text, recording) = load(scenario);
        let recorder = Recorder::start().await.unwrap();
        let mut server = mockito::Server::new_async().await;
        let mocks = recording.mount_as(&mut server, recorder.url()).await;
        recorder.forward_to(&server.url());
        let dir = tempfile::tempdir().unwrap();
        scenarios::run(scenario, &env(dir.path(), recorder.url()), &NoGate)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        for mock in mocks {
            mock.assert_async().await;
        }
        let mut again =
            Recording::new(&recording.docs, &recording.source, &recording.recorded_with);
        again.events = recorder.take_exchanges();
        again.redact();
        assert_eq!(again.to_json(), text, "{}", scenario.name());
    }
}
