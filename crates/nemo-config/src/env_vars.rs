//! Every environment variable nemo reads, and the only code that reads the environment.
//!
//! Other crates never call `std::env::var`: they take values from [`crate::Config`] or call
//! [`var`] / [`has_var_with_prefix`] here, so this file is the complete list of what the
//! environment can change.
//!
//! Config values are fed to figment through [`EnvLayer`] instead of figment's `Env` provider
//! because `Env` parses every value as TOML-ish data: `NEMO_SKILL_VERSION=1.10` would become the
//! float `1.1` and a numeric `NEMO_CLIENT_ID` a number. Here string settings stay strings and only
//! numeric/boolean settings are parsed.

use std::path::PathBuf;

use figment::value::{Dict, Map, Value};
use figment::{Error, Metadata, Profile, Provider};

/// API token (`nmv_usr_…`). Created automatically (anonymous token) when unset.
pub const NEMO_TOKEN: &str = "NEMO_TOKEN";
/// API base URL; unset (or `embedded`) means the embedded engine, `cloud` the production API.
pub const NEMO_API_URL: &str = "NEMO_API_URL";
/// Web app base URL (claim and registration links).
pub const NEMO_WEB_URL: &str = "NEMO_WEB_URL";
/// Client id sent as `X-Client-Id`; generated once and persisted when unset.
pub const NEMO_CLIENT_ID: &str = "NEMO_CLIENT_ID";
/// Overrides platform detection (`X-Skill-Platform`), e.g. `clawhub`, `cursor`.
pub const SKILL_SOURCE: &str = "SKILL_SOURCE";
/// `X-Skill-Source` value (the skill name).
pub const NEMO_SKILL_NAME: &str = "NEMO_SKILL_NAME";
/// `X-Skill-Version` value, passed through as an opaque string.
pub const NEMO_SKILL_VERSION: &str = "NEMO_SKILL_VERSION";
/// Language code sent when creating a session (`en`, `zh-CN`, ...).
pub const NEMO_LANGUAGE: &str = "NEMO_LANGUAGE";
/// Render poll interval, seconds.
pub const NEMO_RENDER_POLL_INTERVAL_SECS: &str = "NEMO_RENDER_POLL_INTERVAL_SECS";
/// Overall render timeout, seconds.
pub const NEMO_RENDER_TIMEOUT_SECS: &str = "NEMO_RENDER_TIMEOUT_SECS";
/// Per-request limit of one SSE chat turn, seconds.
pub const NEMO_SSE_TIMEOUT_SECS: &str = "NEMO_SSE_TIMEOUT_SECS";
/// Per-request limit of ordinary JSON calls, seconds.
pub const NEMO_REQUEST_TIMEOUT_SECS: &str = "NEMO_REQUEST_TIMEOUT_SECS";
/// Data directory of the embedded engine (database, media store).
pub const NEMO_DATA_DIR: &str = "NEMO_DATA_DIR";
/// `SoundFont` used by the music synthesiser.
pub const NEMO_SOUNDFONT: &str = "NEMO_SOUNDFONT";
/// Loudness target of the mix, LUFS.
pub const NEMO_LOUDNESS_TARGET_LUFS: &str = "NEMO_LOUDNESS_TARGET_LUFS";
/// Extra plugin directories, separated like `PATH`.
pub const NEMO_PLUGIN_DIRS: &str = "NEMO_PLUGIN_DIRS";
/// `true`/`false`: whether the embedded engine never runs out of credits.
pub const NEMO_LOCAL_UNLIMITED_CREDITS: &str = "NEMO_LOCAL_UNLIMITED_CREDITS";
/// Directory holding `config.toml`, `client_id` and saved credentials; default `~/.config/nemovideo`.
pub const NEMO_CONFIG_DIR: &str = "NEMO_CONFIG_DIR";

/// Platform-detection signals (read by the host through [`var`] / [`has_var_with_prefix`]).
pub const CURSOR_SESSION_ID: &str = "CURSOR_SESSION_ID";
pub const CURSOR_TRACE_ID: &str = "CURSOR_TRACE_ID";
pub const CLAUDE_CODE: &str = "CLAUDE_CODE";
/// Any variable with this prefix signals an `OpenClaw` (clawhub) install.
pub const OPENCLAW_PREFIX: &str = "OPENCLAW_";

/// How a variable's text becomes a config value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Kept verbatim as a string.
    Text,
    /// Parsed as a number or boolean (`30`, `-14.0`, `true`).
    Parsed,
    /// Split like `PATH` into a list of paths.
    PathList,
}

/// One variable that feeds a config key.
#[derive(Debug, Clone, Copy)]
struct EnvVar {
    name: &'static str,
    key: &'static str,
    kind: Kind,
}

const fn text(name: &'static str, key: &'static str) -> EnvVar {
    EnvVar {
        name,
        key,
        kind: Kind::Text,
    }
}

const fn parsed(name: &'static str, key: &'static str) -> EnvVar {
    EnvVar {
        name,
        key,
        kind: Kind::Parsed,
    }
}

/// The `NEMO_*` layer.
const NEMO_VARS: &[EnvVar] = &[
    text(NEMO_TOKEN, "token"),
    text(NEMO_API_URL, "api_url"),
    text(NEMO_WEB_URL, "web_url"),
    text(NEMO_CLIENT_ID, "client_id"),
    text(NEMO_SKILL_NAME, "skill_name"),
    text(NEMO_SKILL_VERSION, "skill_version"),
    text(NEMO_LANGUAGE, "language"),
    parsed(NEMO_RENDER_POLL_INTERVAL_SECS, "render_poll_interval_secs"),
    parsed(NEMO_RENDER_TIMEOUT_SECS, "render_timeout_secs"),
    parsed(NEMO_SSE_TIMEOUT_SECS, "sse_timeout_secs"),
    parsed(NEMO_REQUEST_TIMEOUT_SECS, "request_timeout_secs"),
    text(NEMO_DATA_DIR, "data_dir"),
    text(NEMO_SOUNDFONT, "soundfont"),
    parsed(NEMO_LOUDNESS_TARGET_LUFS, "loudness_target_lufs"),
    EnvVar {
        name: NEMO_PLUGIN_DIRS,
        key: "plugin_dirs",
        kind: Kind::PathList,
    },
    parsed(NEMO_LOCAL_UNLIMITED_CREDITS, "local_unlimited_credits"),
];

/// The `SKILL_SOURCE` layer (above `NEMO_*`, below CLI flags).
const SKILL_SOURCE_VARS: &[EnvVar] = &[text(SKILL_SOURCE, "platform")];

/// A figment provider over a fixed table of environment variables.
#[derive(Debug, Clone, Copy)]
pub struct EnvLayer {
    vars: &'static [EnvVar],
    name: &'static str,
}

impl EnvLayer {
    /// The `NEMO_*` variables.
    pub fn nemo() -> Self {
        Self {
            vars: NEMO_VARS,
            name: "`NEMO_*` environment variable",
        }
    }

    /// `SKILL_SOURCE` (platform override).
    pub fn skill_source() -> Self {
        Self {
            vars: SKILL_SOURCE_VARS,
            name: "`SKILL_SOURCE` environment variable",
        }
    }
}

impl Provider for EnvLayer {
    fn metadata(&self) -> Metadata {
        let vars = self.vars;
        Metadata::named(self.name).interpolater(move |_profile, keys| {
            let key = keys.first().copied().unwrap_or_default();
            vars.iter()
                .find(|v| v.key == key)
                .map_or_else(|| key.to_owned(), |v| v.name.to_owned())
        })
    }

    fn data(&self) -> Result<Map<Profile, Dict>, Error> {
        let mut dict = Dict::new();
        for var in self.vars {
            let Some(raw) = non_empty(var.name) else {
                continue;
            };
            let value = match var.kind {
                Kind::Text => Value::from(raw),
                Kind::Parsed => raw.parse::<Value>().unwrap_or_else(|never| match never {}),
                Kind::PathList => Value::from(
                    std::env::split_paths(&raw)
                        .map(|p| p.to_string_lossy().into_owned())
                        .collect::<Vec<_>>(),
                ),
            };
            dict.insert(var.key.to_owned(), value);
        }
        Ok(Profile::Default.collect(dict))
    }
}

/// The value of `name`, or `None` when unset, empty or not Unicode.
pub fn var(name: &str) -> Option<String> {
    non_empty(name)
}

/// True when any variable name starts with `prefix` (e.g. [`OPENCLAW_PREFIX`]).
pub fn has_var_with_prefix(prefix: &str) -> bool {
    std::env::vars_os().any(|(k, _)| k.to_str().is_some_and(|k| k.starts_with(prefix)))
}

/// Names (never values) of the set variables that start with `prefix`, sorted; platform
/// detection only needs to know that, say, an `OPENCLAW_*` variable exists.
pub fn names_with_prefix(prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::env::vars_os()
        .filter_map(|(k, _)| k.into_string().ok())
        .filter(|k| k.starts_with(prefix))
        .collect();
    names.sort();
    names
}

/// `NEMO_CONFIG_DIR`, when set.
pub fn config_dir_override() -> Option<PathBuf> {
    non_empty(NEMO_CONFIG_DIR).map(PathBuf::from)
}

fn non_empty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}
