//! Fixture files, addressed relative to `tests/fixtures/` at the workspace root, so every test
//! finds them whatever its package's directory.

use std::path::{Path, PathBuf};

/// The workspace root (two levels above this crate).
#[expect(
    clippy::expect_used,
    reason = "a moved crate is a setup error tests should stop on"
)]
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .expect("nemo-test-support lives at crates/nemo-test-support")
}

/// `tests/fixtures/<rel>`.
pub fn fixture_path(rel: &str) -> PathBuf {
    workspace_root().join("tests").join("fixtures").join(rel)
}

/// The text of `tests/fixtures/<rel>`; panics with the path when missing.
pub fn fixture(rel: &str) -> String {
    let path = fixture_path(rel);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()))
}

/// `tests/fixtures/<rel>` parsed as JSON.
pub fn fixture_json(rel: &str) -> serde_json::Value {
    let text = fixture(rel);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("fixture {rel} is not JSON: {e}"))
}
