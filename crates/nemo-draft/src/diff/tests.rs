use serde_json::{Value, json};

use crate::{Change, Draft, diff, summarize};

fn draft(value: &Value) -> Draft {
    let (draft, diagnostics) = Draft::parse(value);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    draft
}

/// Diffs two drafts and compares the human lines.
fn check(before: &Value, after: &Value, expected: &[&str]) -> Vec<Change> {
    let changes = diff(&draft(before), &draft(after));
    assert_eq!(summarize(&changes), expected, "{changes:#?}");
    changes
}

fn base() -> Value {
    json!({"t": [
        {"tt": 0, "sg": [
            {"id": "a", "src": "a.mp4", "d": 10000},
            {"id": "b", "src": "b.mp4", "d": 10000},
            {"id": "c", "src": "c.mp4", "d": 10000}
        ]},
        {"tt": 1, "sg": [{"id": "m", "nm": "calm piano", "d": 30000}]}
    ], "m": {"title": "Trip"}})
}

#[test]
fn identical_drafts_have_no_changes() {
    check(&base(), &base(), &[]);
}

#[test]
fn title_added_on_a_new_track() {
    let mut after = base();
    after["t"]
        .as_array_mut()
        .unwrap()
        .push(json!({"tt": 7, "sg": [{"tx": "Tokyo 2026", "d": 3000}]}));
    let changes = check(&base(), &after, &["✅ Title added: \"Tokyo 2026\" (0-3s)"]);
    assert!(matches!(changes[0], Change::TrackAdded { segments: 1, .. }));
}

#[test]
fn music_volume_and_replacement() {
    let mut after = base();
    after["t"][1]["sg"][0]["vol"] = json!(0.35);
    check(&base(), &after, &["Music 'calm piano' volume 100% → 35%"]);

    let mut swapped = base();
    swapped["t"][1]["sg"][0] = json!({"id": "m2", "nm": "upbeat ukulele", "d": 30000});
    check(
        &base(),
        &swapped,
        &["Music replaced: calm piano → upbeat ukulele"],
    );
}

#[test]
fn clip_swap_is_one_line() {
    let mut after = base();
    let clips = after["t"][0]["sg"].as_array_mut().unwrap();
    clips.swap(1, 2);
    check(&base(), &after, &["Clips 2 and 3 swapped (b.mp4 ↔ c.mp4)"]);
}

#[test]
fn moving_one_clip_reports_only_that_clip() {
    let mut after = base();
    let clips = after["t"][0]["sg"].as_array_mut().unwrap();
    let first = clips.remove(0);
    clips.push(first);
    check(&base(), &after, &["Clip a.mp4 moved from position 1 to 3"]);
}

#[test]
fn shortening_trims_and_changes_duration() {
    let mut after = base();
    for i in 0..3 {
        after["t"][0]["sg"][i]["d"] = json!(5000);
    }
    after["t"][1]["sg"][0]["d"] = json!(15000);
    check(
        &base(),
        &after,
        &[
            "Clip 1 (a.mp4) trimmed: 0-10s → 0-5s",
            "Clip 2 (b.mp4) trimmed: 10-20s → 5-10s",
            "Clip 3 (c.mp4) trimmed: 20-30s → 10-15s",
            "Music 'calm piano' trimmed: 0-30s → 0-15s",
            "Duration 0:30 → 0:15",
        ],
    );
}

#[test]
fn removals_and_additions_without_ids() {
    let before = json!({"t": [{"tt": 7, "sg": [{"tx": "Hello", "d": 3000}, {"tx": "Bye", "st": 27000, "d": 3000}]}]});
    let after = json!({"t": [{"tt": 7, "sg": [{"tx": "Bye", "st": 27000, "d": 3000}]}]});
    check(&before, &after, &["🗑️ Title removed: \"Hello\" (0-3s)"]);
    check(&after, &before, &["✅ Title added: \"Hello\" (0-3s)"]);
}

#[test]
fn title_text_edit_and_move() {
    let before = json!({"t": [{"tt": 7, "sg": [{"id": "t", "tx": "Tokyo", "d": 3000}]}]});
    let after =
        json!({"t": [{"tt": 7, "sg": [{"id": "t", "tx": "Tokyo 2026", "st": 2000, "d": 3000}]}]});
    check(
        &before,
        &after,
        &[
            "Title text changed: \"Tokyo\" → \"Tokyo 2026\"",
            "Title \"Tokyo 2026\" moved: 0-3s → 2-5s",
            "Duration 0:03 → 0:05",
        ],
    );
}

#[test]
fn mute_fades_and_unknown_keys() {
    let mut after = base();
    after["t"][0]["sg"][0]["vol"] = json!(0.0);
    after["t"][1]["sg"][0]["fi"] = json!(2000);
    after["t"][1]["sg"][0]["m"] = json!({"tempo": 90});
    after["t"][0]["locked"] = json!(true);
    after["m"]["title"] = json!("Tokyo trip");
    check(
        &base(),
        &after,
        &[
            "Clip 1 (a.mp4) volume 100% → 0% (muted)",
            "Video track updated: locked",
            "Music 'calm piano' fade in 0s → 2s",
            "Music 'calm piano' updated: tempo",
            "Project updated: title",
        ],
    );
}

#[test]
fn track_removed_lists_its_segments() {
    let mut after = base();
    after["t"].as_array_mut().unwrap().pop();
    let changes = check(&base(), &after, &["🗑️ Music removed: calm piano (0-30s)"]);
    assert!(matches!(
        changes[0],
        Change::TrackRemoved { segments: 1, .. }
    ));

    let empty_track = json!({"t": [{"tt": 1, "sg": []}]});
    check(&json!({"t": []}), &empty_track, &["✅ Audio track added"]);
}

#[test]
fn clip_replaced_in_place() {
    let mut after = base();
    after["t"][0]["sg"][1] = json!({"id": "x", "src": "x.mp4", "d": 10000});
    check(&base(), &after, &["Clip 2 replaced: b.mp4 → x.mp4"]);
}

#[test]
fn added_clip_extends_duration() {
    let mut after = base();
    after["t"][0]["sg"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "d", "src": "d.mp4", "d": 5000}));
    check(
        &base(),
        &after,
        &["✅ Clip added: d.mp4 (30-35s)", "Duration 0:30 → 0:35"],
    );
}
