//! Integration tests: translate. Every backend reply under `tests/fixtures/translator/` is
//! translated and snapshotted (text plus actions), one file snapshot per fixture.

use nemo_draft::Draft;
use nemo_translator::{Action, translate};

/// The snapshot body: the translated text, then one action per line.
fn render(input: &str) -> String {
    let translation = translate(input);
    let actions: Vec<String> = translation
        .actions
        .iter()
        .map(|a| format!("{a:?}\n"))
        .collect();
    format!(
        "--- text ---\n{}\n--- actions ---\n{}",
        translation.text,
        actions.concat()
    )
}

#[test]
fn translated_backend_replies() {
    insta::glob!("../fixtures/translator", "*.txt", |path| {
        let input = std::fs::read_to_string(path).unwrap();
        insta::assert_snapshot!(render(&input));
    });
}

#[test]
fn fixture_corpus_is_large_enough_and_every_gui_kind_appears() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/translator");
    let mut seen: Vec<&'static str> = Vec::new();
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        count += 1;
        for action in translate(&std::fs::read_to_string(&path).unwrap()).actions {
            let kind = match action {
                Action::Execute { .. } => "execute",
                Action::QueryState { .. } => "query_state",
                Action::SendEdit { .. } => "send_edit",
                Action::ShowTrackSummary => "show_track_summary",
                Action::Export => "export",
                Action::CheckCredits => "check_credits",
                Action::RequestUpload => "request_upload",
            };
            if !seen.contains(&kind) {
                seen.push(kind);
            }
        }
    }
    assert!(count >= 20, "only {count} fixtures");
    seen.sort_unstable();
    assert_eq!(
        seen,
        [
            "check_credits",
            "execute",
            "export",
            "query_state",
            "request_upload",
            "send_edit",
            "show_track_summary"
        ]
    );
}

#[test]
fn preview_request_appends_the_timeline() {
    let translation = translate("I've lowered the music. You can preview it in the timeline.");
    let (draft, _) = Draft::parse(&serde_json::json!({"t": [
        {"tt": 0, "sg": [{"nm": "city timelapse", "d": 10000}]},
        {"tt": 1, "sg": [{"nm": "Lo-fi", "d": 10000, "vol": 0.35}]}
    ]}));
    assert_eq!(
        translation.with_track_summary(&draft),
        "I've lowered the music.\n\nTimeline (2 tracks):\n1. Video: city timelapse (0-10s)\n2. BGM: Lo-fi (0-10s, 35%)"
    );
    assert_eq!(
        translate("All good.").with_track_summary(&draft),
        "All good."
    );
}
