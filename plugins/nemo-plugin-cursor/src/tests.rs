//! Wording and manifest tests through the rlib.

use nemo_plugin_sdk::{AttributionContext, Plugin, UxEvent, testing};

use super::*;

#[test]
fn adapter_wording_snapshot() {
    insta::assert_snapshot!("cursor_samples", testing::render_samples(adapt));
}

#[test]
fn every_message_starts_with_a_bold_status_line() {
    for event in testing::sample_events() {
        if matches!(event, UxEvent::Reply { .. }) {
            continue; // the backend's own Markdown passes through
        }
        let text = adapt(&event);
        assert!(text.starts_with("**"), "no bold status line: {text}");
    }
}

#[test]
fn result_shows_the_absolute_path_in_backticks_and_bullets() {
    let text = adapt(&UxEvent::Result {
        path: "/home/ana/out.mp4".to_owned(),
        duration_s: Some(42.0),
        size_bytes: Some(2_000_000),
        composed: vec!["3 clips".to_owned()],
        rendered: None,
    });
    assert!(text.starts_with("**✅ Video ready!**"));
    assert!(text.contains("\n`/home/ana/out.mp4`\n"));
    assert!(text.contains("\n- Duration: 0:42"));
    assert!(text.contains("\n- Size: 2.0 MB"));
    assert!(text.contains("\n- Composed: 3 clips"));
}

#[test]
fn manifest_declares_cursor_markers() {
    let manifest = CursorPlugin.manifest();
    assert_eq!(
        (manifest.name.as_str(), manifest.platform.as_str()),
        (NAME, NAME)
    );
    assert_eq!(manifest.markers.paths, [".cursor/skills/"]);
    assert_eq!(
        manifest.markers.env_vars,
        ["CURSOR_SESSION_ID", "CURSOR_TRACE_ID"]
    );
}

#[test]
fn attribution_passes_the_version_through() {
    for version in ["1.9", "1.8.13"] {
        let headers = CursorPlugin.attribution(&AttributionContext {
            skill_name: "nemo-video".to_owned(),
            skill_version: version.to_owned(),
            platform: NAME.to_owned(),
        });
        assert_eq!(headers["X-Skill-Version"], version);
        assert_eq!(headers["X-Skill-Platform"], "cursor");
    }
}
