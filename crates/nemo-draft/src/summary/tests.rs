use serde_json::{Value, json};

use crate::Draft;

fn draft(value: &Value) -> Draft {
    let (draft, diagnostics) = Draft::parse(value);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    draft
}

/// The seed's example timeline.
fn urban_dreams() -> Draft {
    draft(&json!({
        "t": [
            {"tt": 0, "sg": [{"nm": "city timelapse", "d": 10000}]},
            {"tt": 1, "sg": [{"nm": "Lo-fi", "d": 10000, "vol": 0.35}]},
            {"tt": 7, "sg": [{"tx": "Urban Dreams", "d": 3000}]}
        ],
        "d": 10000,
        "m": {"title": "Urban Dreams", "width": 1920, "height": 1080}
    }))
}

fn check_timeline(draft: &Draft, expected: &str) {
    assert_eq!(draft.timeline(), expected);
}

fn check_line(draft: &Draft, expected: &str) {
    assert_eq!(draft.summary_line(), expected);
}

#[test]
fn seed_timeline_matches_the_skill_text() {
    let draft = urban_dreams();
    check_timeline(
        &draft,
        "Timeline (3 tracks):\n1. Video: city timelapse (0-10s)\n2. BGM: Lo-fi (0-10s, 35%)\n3. Title: \"Urban Dreams\" (0-3s)",
    );
    assert_eq!(
        draft.timeline().replace('\n', " "),
        "Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: Lo-fi (0-10s, 35%) 3. Title: \"Urban Dreams\" (0-3s)"
    );
}

#[test]
fn issue_summary_line() {
    let draft = draft(&json!({"t": [
        {"tt": 0, "sg": [{"src": "media/beach.mp4", "d": 14000}, {"src": "https://cdn.x/city.mov?sig=1", "d": 14000}, {"nm": "forest", "d": 14000}]},
        {"tt": 1, "sg": [{"nm": "calm piano", "d": 42000, "vol": 0.4}]},
        {"tt": 7, "sg": [{"tx": "Tokyo 2026", "d": 3000}, {"tx": "The end", "st": 39000, "d": 3000}]}
    ]}));
    check_line(
        &draft,
        "Video 0:42 · 3 clips; Audio: 'calm piano' 0:42; Text: 2 titles",
    );
    check_timeline(
        &draft,
        "Timeline (3 tracks):\n1. Video: beach.mp4, city.mov, forest (0-42s, 3 clips)\n2. BGM: calm piano (0-42s, 40%)\n3. Titles: \"Tokyo 2026\" (0-3s), \"The end\" (39-42s)",
    );
    assert_eq!(draft.duration_ms(), 42_000);
    assert_eq!(draft.clip_count(), 3);
    assert!(draft.is_exportable());
}

#[test]
fn long_lists_are_capped() {
    let clips: Vec<Value> = (1..=5)
        .map(|i| json!({"nm": format!("c{i}"), "d": 2500}))
        .collect();
    let draft = draft(&json!({"t": [{"tt": 0, "sg": clips, "mute": true}]}));
    check_timeline(
        &draft,
        "Timeline (1 track):\n1. Video: c1, c2, c3 +2 more (0-12.5s, 5 clips)",
    );
    check_line(&draft, "Video 0:13 · 5 clips");
}

#[test]
fn empty_and_odd_tracks() {
    let empty = draft(&json!({"t": []}));
    check_line(&empty, "Empty timeline");
    check_timeline(&empty, "Timeline (0 tracks):");
    assert!(!empty.is_exportable());
    assert_eq!(empty.duration_ms(), 0);

    let odd = draft(
        &json!({"t": [{"tt": 0, "sg": []}, {"tt": 3, "sg": [{"d": 5000}]}, {"tt": 1, "sg": []}]}),
    );
    check_timeline(
        &odd,
        "Timeline (3 tracks):\n1. Video: (empty)\n2. Track type 3: 1 segment (0-5s)\n3. BGM: (empty)",
    );
    check_line(
        &odd,
        "Video 0:00 · 0 clips; Track 3: 1 segment; Audio: none",
    );
}

#[test]
fn muted_video_and_untitled_audio() {
    let draft = draft(&json!({"t": [
        {"tt": 0, "sg": [{"id": "clip-7", "d": 4000, "vol": 0.0}]},
        {"tt": 1, "sg": [{"d": 4000}]}
    ]}));
    check_timeline(
        &draft,
        "Timeline (2 tracks):\n1. Video: clip-7 (0-4s, muted)\n2. BGM: untitled (0-4s, 100%)",
    );
    check_line(&draft, "Video 0:04 · 1 clip; Audio: 'untitled' 0:04");
}

#[test]
fn duration_prefers_segment_ends_over_declared() {
    let timed = draft(&json!({"t": [{"tt": 0, "sg": [{"d": 30000}]}], "d": 60000}));
    assert_eq!(timed.duration_ms(), 30_000);
    // Cloud drafts whose segment keys nemo does not know fall back to `d`.
    let untimed = draft(&json!({"t": [{"tt": 0, "sg": [{"duration": 5}]}], "d": 60000}));
    assert_eq!(untimed.duration_ms(), 60_000);
    let explicit = draft(&json!({"t": [{"tt": 7, "sg": [{"st": 50000, "d": 3000}]}]}));
    assert_eq!(explicit.duration_ms(), 53_000);
}
