//! Integration tests: draft. State responses from `tests/fixtures/state/` go through the
//! protocol's envelope and types into `nemo-draft`: summaries, round-trips and the silent-turn
//! diff the client shows.

use nemo_draft::{Change, Draft, TrackType, diff, summarize};
use nemo_protocol::{SessionState, parse_envelope};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/state")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading `{}`: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing `{}`: {e}", path.display()))
}

/// The `data` of a state response fixture.
fn state_data(name: &str) -> Value {
    parse_envelope(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The draft of a state response fixture, asserting a clean parse.
fn draft(name: &str) -> Draft {
    let (draft, diagnostics) = Draft::from_state(&state_data(name)["state"]);
    assert!(diagnostics.is_empty(), "{name}: {diagnostics:?}");
    draft
}

#[test]
fn seed_draft_summaries() {
    let draft = draft("draft_basic.json");
    assert_eq!(
        draft.timeline(),
        "Timeline (3 tracks):\n1. Video: city timelapse (0-10s)\n2. BGM: Lo-fi (0-10s, 35%)\n3. Title: \"Urban Dreams\" (0-3s)"
    );
    assert_eq!(
        draft.summary_line(),
        "Video 0:10 · 1 clip; Audio: 'Lo-fi' 0:10; Text: 1 title"
    );
    assert_eq!(draft.title(), Some("Urban Dreams"));
    assert_eq!(draft.duration_ms(), 10_000);
    assert!(draft.is_exportable());
}

#[test]
fn typed_state_and_tolerant_parse_agree() {
    for name in [
        "draft_basic.json",
        "draft_cloud_unknown_keys.json",
        "silent_turn_after.json",
    ] {
        let data = state_data(name);
        let typed: SessionState = serde_json::from_value(data.clone()).unwrap();
        let from_raw = Draft::from(typed.state.draft.unwrap());
        assert_eq!(from_raw, draft(name), "{name}");
        // The render request sends the draft back: it must be the same JSON.
        assert_eq!(from_raw.to_json(), data["state"]["draft"], "{name}");
    }
}

#[test]
fn cloud_draft_with_unknown_segment_keys() {
    let draft = draft("draft_cloud_unknown_keys.json");
    // No nemo timing keys: the declared `d` gives the length; labels come from the URL.
    assert_eq!(draft.duration_ms(), 42_000);
    assert_eq!(draft.clip_count(), 2);
    assert_eq!(draft.tracks[2].kind, TrackType::Other(9));
    assert_eq!(
        draft.summary_line(),
        "Video 0:00 · 2 clips; Audio: 'untitled' 0:00; Track 9: 1 segment"
    );
    assert_eq!(draft.extra["version"], 7);
    assert_eq!(
        draft.tracks[0].segments[0].extra["transition"]["type"],
        "fade"
    );
}

#[test]
fn empty_draft_is_not_exportable() {
    let draft = draft("draft_empty.json");
    assert!(!draft.is_exportable());
    assert_eq!(draft.summary_line(), "Empty timeline");
    let typed: SessionState = serde_json::from_value(state_data("draft_empty.json")).unwrap();
    // Whatever the typed state makes of `{}`, the model is empty.
    let from_raw = typed.state.draft.map(Draft::from).unwrap_or_default();
    assert!(from_raw.is_empty());
}

#[test]
fn silent_turn_is_summarised_from_the_diff() {
    let before = draft("silent_turn_before.json");
    let after = draft("silent_turn_after.json");
    let changes = diff(&before, &after);
    assert_eq!(
        summarize(&changes),
        [
            "Clips 2 and 3 swapped (city.mov ↔ forest.mp4)",
            "Music 'calm piano' volume 100% → 35%",
            "✅ Title added: \"Tokyo 2026\" (0-3s)",
        ]
    );
    assert!(changes.contains(&Change::TrackAdded {
        kind: TrackType::Text,
        segments: 1
    }));
    assert!(diff(&after, &after).is_empty());
}
