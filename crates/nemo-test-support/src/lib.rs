//! Test helpers shared by the crates' tests and the `it` integration binary (dev-only).
//!
//! - [`fixtures`]: files under `tests/fixtures/`, found from the workspace root.
//! - [`insta_settings`]: one place for snapshot redactions (`[token]`, `[session_id]`,
//!   `[render_id]`, `[timestamp]`).
//! - [`mock`]: mockito scenario builders for the `nemo_agent` API: header matchers for
//!   `Authorization` and all attribution headers, envelopes, SSE bodies with heartbeats and
//!   ordered render-poll sequences in both documented shapes.

#![expect(
    clippy::missing_panics_doc,
    reason = "test helpers panic on broken fixtures by design"
)]

pub mod fixtures;
pub mod mock;

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
}
