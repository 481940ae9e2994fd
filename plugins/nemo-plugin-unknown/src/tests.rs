//! Wording and manifest tests through the rlib.

use nemo_plugin_sdk::{AttributionContext, Plugin, UxEvent, testing};

use super::*;

#[test]
fn adapter_wording_snapshot() {
    insta::assert_snapshot!("unknown_samples", testing::render_samples(adapt));
}

#[test]
fn plain_text_has_no_markdown_or_emoji() {
    for event in testing::sample_events() {
        let text = adapt(&event);
        for noise in ["**", "`", "](", "| ", "## "] {
            assert!(!text.contains(noise), "{noise:?} in {text}");
        }
        // Non-ASCII may only come from the event itself (names, the summary's `·`), never
        // from the adapter's own wording: no emoji.
        let input = serde_json::to_string(&event).unwrap();
        for c in text.chars().filter(|c| !c.is_ascii()) {
            assert!(input.contains(c), "adapter added {c:?} in {text}");
        }
    }
}

#[test]
fn markdown_is_stripped_but_information_kept() {
    assert_eq!(
        plain("## Done\nAdded **calm piano**. See [docs](https://x.y/z) and `nemo status`."),
        "Done\nAdded calm piano. See docs (https://x.y/z) and nemo status."
    );
    assert_eq!(plain("| a | b |\n|---|---|\n| 1 | 2 |"), "a  b\n1  2");
    assert_eq!(plain("#hashtag stays"), "#hashtag stays");
    assert_eq!(plain("[unclosed link"), "[unclosed link");
}

#[test]
fn progress_wording() {
    assert_eq!(adapt(&UxEvent::SettingUp), "Setting things up...");
    assert_eq!(
        adapt(&UxEvent::StillWorking { elapsed_s: 240 }),
        "Still working... (4 min so far)"
    );
    assert_eq!(
        adapt(&UxEvent::RenderProgress { percent: 50 }),
        "Rendering: 50%"
    );
}

#[test]
fn manifest_has_no_markers() {
    let manifest = UnknownPlugin.manifest();
    assert_eq!(manifest.name, NAME);
    assert_eq!(manifest.markers, Markers::default());
}

#[test]
fn attribution_passes_the_version_through() {
    for version in ["1.9", "1.8.13"] {
        let headers = UnknownPlugin.attribution(&AttributionContext {
            skill_name: "nemo-video".to_owned(),
            skill_version: version.to_owned(),
            platform: "github".to_owned(),
        });
        assert_eq!(headers["X-Skill-Version"], version);
        assert_eq!(headers["X-Skill-Platform"], "github");
    }
}
