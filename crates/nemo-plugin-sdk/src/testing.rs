//! Fixtures for adapter tests: one of every UX event, with realistic values, and a renderer
//! that lays an adapter's answers out for a snapshot.

use crate::schema::UxEvent;

/// Every UX event variant at least once, including the edge cases adapters must handle
/// (missing optional fields, empty lists, a file over the 16 MB chat attachment limit).
pub fn sample_events() -> Vec<UxEvent> {
    vec![
        UxEvent::SettingUp,
        UxEvent::Connected,
        UxEvent::StillWorking { elapsed_s: 120 },
        UxEvent::StillWorking { elapsed_s: 245 },
        UxEvent::Progress {
            label: "Uploading beach.mp4".to_owned(),
            percent: Some(40),
        },
        UxEvent::Progress {
            label: "Analysing clips".to_owned(),
            percent: None,
        },
        UxEvent::RenderStarted {
            estimate_s: Some(30),
        },
        UxEvent::RenderStarted { estimate_s: None },
        UxEvent::RenderProgress { percent: 50 },
        UxEvent::Reply {
            text: "## Done\nI added **calm piano** music.\n\n| Track | Length |\n|---|---|\n| Video | 0:42 |\n| Audio | 0:42 |\n\nSee [the docs](https://nemovideo.com/docs) or run `nemo status`.".to_owned(),
        },
        UxEvent::EditSummary {
            lines: vec![
                "Added music 'calm piano' (0:42)".to_owned(),
                "Added title 'Summer 2025'".to_owned(),
            ],
        },
        UxEvent::EditSummary { lines: vec![] },
        UxEvent::Error {
            code: Some(2001),
            http_status: None,
            message: "You are out of credits.".to_owned(),
            hint: Some("Register at https://nemovideo.com/register?bind=abc123 to get more.".to_owned()),
        },
        UxEvent::Error {
            code: None,
            http_status: Some(402),
            message: "Export is not available on the free plan.".to_owned(),
            hint: None,
        },
        UxEvent::Result {
            path: "/home/ana/videos/summer.mp4".to_owned(),
            duration_s: Some(42.4),
            size_bytes: Some(12_345_678),
            composed: vec!["3 clips".to_owned(), "music 'calm piano'".to_owned(), "2 titles".to_owned()],
            rendered: Some("MP4 1920x1080".to_owned()),
        },
        UxEvent::Result {
            path: "/home/ana/videos/long.mp4".to_owned(),
            duration_s: Some(185.0),
            size_bytes: Some(48_000_000),
            composed: vec![],
            rendered: None,
        },
        UxEvent::Credits {
            available: 80,
            frozen: 20,
            total: 100,
        },
        UxEvent::Status {
            summary: "Video 0:42 · 3 clips\nAudio: 'calm piano' 0:42\nText: 2 titles".to_owned(),
        },
        UxEvent::Status {
            summary: String::new(),
        },
    ]
}

/// Lays out an adapter's answer to every sample event, each under its event's JSON.
pub fn render_samples(adapt: impl Fn(&UxEvent) -> String) -> String {
    let mut out = String::new();
    for event in sample_events() {
        let json = serde_json::to_string(&event).unwrap_or_default();
        out.push_str("=== ");
        out.push_str(&json);
        out.push('\n');
        out.push_str(&adapt(&event));
        out.push_str("\n\n");
    }
    out
}
