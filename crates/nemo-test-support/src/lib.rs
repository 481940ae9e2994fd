//! Test helpers shared by the crates' tests and the `it` integration binary (dev-only).
//!
//! - [`fixtures`]: files under `tests/fixtures/`, found from the workspace root.
//! - [`insta_settings`]: one place for snapshot redactions (`[token]`, `[session_id]`,
//!   `[render_id]`, `[timestamp]`).
//! - [`mock`]: mockito scenario builders for the `nemo_agent` API: header matchers for
//!   `Authorization` and all attribution headers, envelopes, SSE bodies with heartbeats and
//!   ordered render-poll sequences in both documented shapes.
//! - [`recorded`]: the recorded-traffic format, its redaction and a replay helper.
//! - [`recorder`]: a loopback proxy that records a client's traffic in that format.
//! - [`scenarios`]: the recorded scenarios, real-client calls shared by `cargo xtask fixtures`
//!   (against the engine) and the replay tests (against mockito).

#![expect(
    clippy::missing_panics_doc,
    reason = "test helpers panic on broken fixtures by design"
)]

pub mod fixtures;
pub mod mock;
pub mod recorded;
pub mod recorder;
pub mod scenarios;

pub use fixtures::{fixture, fixture_json, fixture_path, workspace_root};

/// Snapshot settings with nemo's redactions. Bind them around assertions
/// (`insta_settings().bind(|| …)`, or `bind_async` in async tests).
pub fn insta_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    for selector in [".**.token", ".**.claim_token"] {
        settings.add_redaction(selector, "[token]");
    }
    for selector in [".**.session_id", ".**.sessionId"] {
        settings.add_redaction(selector, "[session_id]");
    }
    settings.add_redaction(".**.render_id", "[render_id]");
    for selector in [
        ".**.timestamp",
        ".**.createdAt",
        ".**.completedAt",
        ".**.expires_at",
        ".**.created_at",
    ] {
        settings.add_redaction(selector, "[timestamp]");
    }
    // Text filters, most specific first: a render id contains a millisecond timestamp.
    settings.add_filter(r"nmv_usr_[A-Za-z0-9_\-]+", "[token]");
    settings.add_filter(r"clm_[A-Za-z0-9_\-]+", "[token]");
    settings.add_filter(r"render_\d+", "[render_id]");
    settings.add_filter(r"\b\d{19}\b", "[session_id]");
    settings.add_filter(
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?",
        "[timestamp]",
    );
    settings.add_filter(r"\b1\d{12}\b", "[timestamp]");
    settings
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::recorded::{Exchange, Message, Recording};

    use super::*;

    #[test]
    fn text_filters_redact_volatile_values() {
        insta_settings().bind(|| {
            insta::assert_snapshot!(
                "redactions",
                "token nmv_usr_Ab-1_x claim clm_q9 render render_1773423613616 \
                 session 5529798706024415232 at 2026-03-19T10:00:00Z ms 1773423641222"
            );
        });
    }

    #[test]
    fn json_redactions_cover_nested_keys() {
        let value = serde_json::json!({"data": {"token": "nmv_usr_x", "session_id": "55", "createdAt": 1,
            "nested": [{"render_id": "render_1"}]}});
        insta_settings().bind(|| insta::assert_json_snapshot!("json_redactions", value));
    }

    fn sample() -> Recording {
        let mut r = Recording::new("credits then state", "mock", "nemo-client 0.1.0");
        let auth = BTreeMap::from([(
            "authorization".to_owned(),
            "Bearer nmv_usr_abcDEF123".to_owned(),
        )]);
        r.events.push(Exchange {
            request: Message {
                method: Some("GET".into()),
                path: Some("/api/credits/balance/simple".into()),
                headers: auth.clone(),
                ..Message::default()
            },
            response: Message {
                status: Some(200),
                body: Some(r#"{"code":0,"data":{"available":1,"frozen":0,"total":1}}"#.into()),
                ..Message::default()
            },
        });
        r.events.push(Exchange {
            request: Message {
                method: Some("GET".into()),
                path: Some("/api/state/nemo_agent/me/5529798706024415232/latest".into()),
                headers: auth,
                ..Message::default()
            },
            response: Message {
                status: Some(200),
                body: Some(r#"{"code":0,"data":{"session_id":"5529798706024415232"}}"#.into()),
                ..Message::default()
            },
        });
        r
    }

    #[test]
    fn redaction_replaces_tokens_and_ids_everywhere() {
        let mut r = sample();
        r.redact();
        let text = r.to_json();
        assert!(
            !text.contains("abcDEF123") && !text.contains("5529798706024415232"),
            "{text}"
        );
        assert!(text.contains("/api/state/nemo_agent/me/[session_id]/latest"));
        assert_eq!(
            Recording::from_json(&text).unwrap(),
            r,
            "the JSON form round-trips"
        );
    }

    #[test]
    fn binary_bodies_are_stored_as_base64() {
        let mut m = Message::default();
        m.set_body(&[0, 159, 146, 150]);
        assert!(m.body.is_none());
        assert_eq!(m.body_bytes(), vec![0, 159, 146, 150]);
        m.set_body(b"text");
        assert_eq!(m.body.as_deref(), Some("text"));
    }

    #[tokio::test]
    async fn a_redacted_recording_replays_in_order() {
        let mut r = sample();
        r.redact();
        let mut server = mockito::Server::new_async().await;
        let mocks = r.mount(&mut server).await;
        let http = reqwest::Client::new();
        for path in [
            "/api/credits/balance/simple",
            "/api/state/nemo_agent/me/1234567890123456789/latest",
        ] {
            let resp = http
                .get(format!("{}{path}", server.url()))
                .bearer_auth("nmv_usr_other")
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200, "{path}");
        }
        let missing_auth = http
            .get(format!("{}/api/credits/balance/simple", server.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(
            missing_auth.status(),
            501,
            "a request without the recorded header finds no mock"
        );
        for m in mocks {
            m.assert_async().await;
        }
    }
}
