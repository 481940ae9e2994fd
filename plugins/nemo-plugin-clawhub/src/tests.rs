//! Wording and manifest tests through the rlib.

use nemo_plugin_sdk::{AttributionContext, Plugin, UxEvent, testing};

use super::*;

#[test]
fn adapter_wording_snapshot() {
    insta::assert_snapshot!("clawhub_samples", testing::render_samples(adapt));
}

#[test]
fn progress_sequence_matches_the_skill() {
    let sequence = [
        UxEvent::SettingUp,
        UxEvent::StillWorking { elapsed_s: 120 },
        UxEvent::RenderStarted {
            estimate_s: Some(30),
        },
        UxEvent::RenderProgress { percent: 50 },
    ];
    let words: Vec<String> = sequence.iter().map(adapt).collect();
    assert_eq!(words[0], "Setting things up...");
    assert!(words[1].starts_with("⏳ Still working..."));
    assert_eq!(words[2], "⏳ Rendering ~30s");
    assert_eq!(words[3], "⏳ 50%");
}

#[test]
fn chat_output_has_no_tables() {
    for event in testing::sample_events() {
        let text = adapt(&event);
        assert!(
            !text.lines().any(|line| line.trim_start().starts_with('|')),
            "table in {text}"
        );
    }
    assert_eq!(
        chat_markdown("# Title\nbefore\n| a | b |\n|:--|--:|\n| 1 | 2 |\nafter"),
        "Title\nbefore\na · b\n1 · 2\nafter"
    );
}

#[test]
fn results_start_with_video_ready_and_warn_above_16_mb() {
    let small = adapt(&UxEvent::Result {
        path: "/tmp/a.mp4".to_owned(),
        duration_s: None,
        size_bytes: Some(16_000_000),
        composed: vec![],
        rendered: None,
    });
    assert!(small.starts_with("✅ Video ready!"));
    assert!(small.contains("📁 /tmp/a.mp4"));
    assert!(!small.contains("16 MB"));
    let big = adapt(&UxEvent::Result {
        path: "/tmp/a.mp4".to_owned(),
        duration_s: None,
        size_bytes: Some(16_000_001),
        composed: vec![],
        rendered: None,
    });
    assert!(big.contains("over 16 MB"));
}

#[test]
fn manifest_declares_clawhub_markers() {
    let manifest = ClawhubPlugin.manifest();
    assert_eq!(
        (manifest.name.as_str(), manifest.platform.as_str()),
        (NAME, NAME)
    );
    assert_eq!(manifest.version, env!("CARGO_PKG_VERSION"));
    let markers = &manifest.markers;
    assert!(
        markers
            .path_files
            .contains(&".clawhub/origin.json".to_owned())
    );
    assert!(
        markers
            .path_files
            .contains(&".clawdhub/origin.json".to_owned())
    );
    assert!(markers.paths.contains(&".openclaw/".to_owned()));
    assert_eq!(markers.env_prefixes, ["OPENCLAW_"]);
}

#[test]
fn attribution_passes_the_version_through() {
    for version in ["1.9", "1.8.13"] {
        let headers = ClawhubPlugin.attribution(&AttributionContext {
            skill_name: "nemo-video".to_owned(),
            skill_version: version.to_owned(),
            platform: NAME.to_owned(),
        });
        assert_eq!(headers["X-Skill-Version"], version);
        assert_eq!(headers["X-Skill-Platform"], "clawhub");
        assert_eq!(headers["X-Skill-Source"], "nemo-video");
    }
}
