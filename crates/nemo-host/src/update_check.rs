//! The weekly update check of a skill installed from ClawHub: at most once a week, run
//! `clawhub search <skill> --json` and mention a newer version once (protocol reference §10,
//! "Update check").
//!
//! It never gets in the way: it only runs on the `clawhub` platform, in the background of a
//! command that talks to the user, gives up after a few seconds, and a missing or failing
//! `clawhub` CLI counts as "checked" (no retry until next week). What was checked and
//! mentioned is kept in `update-check.json` in the config directory.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// How often the registry is asked.
const CHECK_EVERY: Duration = Duration::from_hours(7 * 24);
/// How long `clawhub search` may take before the check is abandoned.
const SEARCH_TIMEOUT: Duration = Duration::from_secs(5);
/// The state file in the config directory.
const STATE_FILE: &str = "update-check.json";

/// What the check needs, taken from the command's context before it runs.
#[derive(Debug, Clone)]
pub(crate) struct UpdateCheck {
    /// The skill's registry slug (`nemo-video`).
    pub(crate) skill: String,
    /// The version running now.
    pub(crate) current: String,
    /// Where `update-check.json` lives.
    pub(crate) config_dir: PathBuf,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    /// Unix time of the last check, in milliseconds.
    checked_at_ms: u64,
    /// The newest version already mentioned, so each is mentioned once.
    mentioned: Option<String>,
}

impl UpdateCheck {
    /// The sentence to show when a newer version is out and was not mentioned before; runs
    /// `clawhub` at most once per [`CHECK_EVERY`].
    pub(crate) async fn notice(self) -> Option<String> {
        let path = self.config_dir.join(STATE_FILE);
        let mut state = load(&path);
        let now = now_ms();
        let due = now.saturating_sub(state.checked_at_ms) >= CHECK_EVERY.as_millis() as u64;
        if !due {
            return None;
        }
        state.checked_at_ms = now;
        let latest = search(&self.skill)
            .await
            .and_then(|listing| latest_version(&listing, &self.skill));
        let notice = latest
            .filter(|latest| is_newer(latest, &self.current))
            .filter(|latest| state.mentioned.as_deref() != Some(latest.as_str()))
            .map(|latest| {
                let text = format!(
                    "{skill} {latest} is available (this is {current}): \
                     run `clawhub update {skill}` to get it.",
                    skill = self.skill,
                    current = self.current
                );
                state.mentioned = Some(latest);
                text
            });
        save(&path, &state);
        notice
    }
}

/// `clawhub search <skill> --json`'s output, or `None` when it is missing, fails or is slow.
async fn search(skill: &str) -> Option<String> {
    let run = tokio::process::Command::new("clawhub")
        .args(["search", skill, "--json"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(SEARCH_TIMEOUT, run).await.ok()?.ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The version the registry lists for `skill`. Takes the JSON shape (`{"results": [{"slug",
/// "version"}]}`, or a bare array) and, from CLI versions without `--json`, the text lines
/// `slug vX.Y.Z  Name  (score)`.
fn latest_version(listing: &str, skill: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Entry {
        slug: Option<String>,
        version: Option<String>,
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Listing {
        Wrapped { results: Vec<Entry> },
        Bare(Vec<Entry>),
    }
    if let Ok(listing) = serde_json::from_str::<Listing>(listing) {
        let (Listing::Wrapped { results: entries } | Listing::Bare(entries)) = listing;
        return entries
            .into_iter()
            .find(|e| e.slug.as_deref() == Some(skill))
            .and_then(|e| e.version);
    }
    listing.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        (words.next()? == skill)
            .then(|| words.next()?.strip_prefix('v').map(str::to_owned))
            .flatten()
    })
}

/// Whether `candidate` is a newer semantic version than `current` (unparsable: no).
fn is_newer(candidate: &str, current: &str) -> bool {
    match (
        semver::Version::parse(candidate),
        semver::Version::parse(current),
    ) {
        (Ok(candidate), Ok(current)) => candidate > current,
        _ => false,
    }
}

fn load(path: &Path) -> State {
    std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// Best effort, written to a temp file and renamed so a crash never leaves half a file; a
/// state that cannot be written only means the next run checks again.
fn save(path: &Path, state: &State) {
    let Ok(bytes) = serde_json::to_vec_pretty(state) else {
        return;
    };
    let temp = path.with_extension(format!("json.tmp-{}", std::process::id()));
    let written = std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))
        .and_then(|()| std::fs::write(&temp, bytes))
        .and_then(|()| std::fs::rename(&temp, path));
    if let Err(e) = written {
        tracing::debug!(error = %e, "could not save the update check state");
        let _ = std::fs::remove_file(&temp);
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_skill_in_json_and_in_text_listings() {
        let wrapped = r#"{"results":[{"slug":"nemo-videos","version":"9.0.0"},
                          {"slug":"nemo-video","version":"2.1.0","score":0.9}]}"#;
        assert_eq!(
            latest_version(wrapped, "nemo-video").as_deref(),
            Some("2.1.0")
        );
        let bare = r#"[{"slug":"nemo-video","version":"2.2.0"}]"#;
        assert_eq!(latest_version(bare, "nemo-video").as_deref(), Some("2.2.0"));
        let text = "nemo-videos v9.0.0  Other  (0.500)\nnemo-video v2.3.0  NemoVideo  (0.912)\n";
        assert_eq!(latest_version(text, "nemo-video").as_deref(), Some("2.3.0"));
        assert_eq!(latest_version("[]", "nemo-video"), None);
        assert_eq!(latest_version("no results", "nemo-video"), None);
    }

    #[test]
    fn only_a_strictly_newer_semantic_version_counts() {
        assert!(is_newer("1.10.0", "1.9.3"));
        assert!(!is_newer("1.9.3", "1.9.3"));
        assert!(!is_newer("1.9.2", "1.9.3"));
        assert!(!is_newer("latest", "1.9.3"));
    }
}
