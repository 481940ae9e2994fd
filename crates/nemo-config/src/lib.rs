//! Configuration of nemo, layered with figment (lowest to highest priority):
//!
//! 1. built-in defaults ([`Config::default`]);
//! 2. `~/.config/nemovideo/config.toml` (directory overridable with `NEMO_CONFIG_DIR`);
//! 3. `NEMO_*` environment variables (see [`env_vars`]);
//! 4. `SKILL_SOURCE` (the platform override the skill documents);
//! 5. CLI flags, passed as [`Overrides`].
//!
//! Also here: the [`Secret`] newtype for tokens, the persisted client id
//! ([`load_or_create_client_id`]) and saved credentials ([`CredentialStore`]).

pub mod env_vars;
mod files;
mod secret;

use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

pub use files::{
    CLIENT_ID_FILE, CONFIG_FILE, CREDENTIALS_FILE, CredentialStore, SavedCredentials,
    load_or_create_client_id, regenerate_client_id,
};
pub use secret::Secret;

/// Default `X-Skill-Source`: the seed skill's frontmatter `name` (protocol §8).
pub const DEFAULT_SKILL_NAME: &str = "nemo-video";
/// Default render poll interval (the skill polls every 30 s).
pub const DEFAULT_RENDER_POLL_INTERVAL_SECS: u64 = 30;
/// Default overall render budget (protocol §6: 5-10 min).
pub const DEFAULT_RENDER_TIMEOUT_SECS: u64 = 600;
/// Default limit of one SSE turn (the skill's `--max-time 900`).
pub const DEFAULT_SSE_TIMEOUT_SECS: u64 = 900;
/// Default limit of an ordinary JSON request.
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 60;
/// Default loudness target of the mix (streaming platforms' -14 LUFS).
pub const DEFAULT_LOUDNESS_TARGET_LUFS: f64 = -14.0;

/// Errors of loading configuration or its files.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A layer holds a bad value; figment's message names the file or variable it came from.
    #[error("invalid configuration: {0}")]
    Invalid(#[source] Box<figment::Error>),
    /// No home directory to put `~/.config/nemovideo` in, and `NEMO_CONFIG_DIR` is unset.
    #[error("cannot find a home directory: set `NEMO_CONFIG_DIR`")]
    NoHomeDir,
    #[error("cannot read `{path}`")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write `{path}`")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{path}` is not valid TOML")]
    Parse {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
    #[error("cannot serialise the configuration")]
    Serialize(#[source] toml::ser::Error),
}

impl From<figment::Error> for Error {
    fn from(err: figment::Error) -> Self {
        Self::Invalid(Box::new(err))
    }
}

/// Which backend the client talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiTarget {
    /// The engine embedded in `nemo`, started on loopback.
    Embedded,
    /// A remote API at this base URL (the cloud, or any compatible server).
    Remote(String),
}

/// The resolved configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// API base URL. `None`, empty or `embedded`/`local` = the embedded engine;
    /// `cloud` = the production API. See [`Config::api_target`].
    pub api_url: Option<String>,
    /// Web app base URL for claim and registration links.
    pub web_url: String,
    /// API token; `None` = get an anonymous token (and save it with [`CredentialStore`]).
    pub token: Option<Secret>,
    /// Client id for `X-Client-Id`; `None` = the persisted one ([`load_or_create_client_id`]).
    pub client_id: Option<String>,
    /// `X-Skill-Source` (the skill name).
    pub skill_name: String,
    /// `X-Skill-Version`, an opaque string (`1.9`, `1.8.13`); `None` = the plugin's value.
    pub skill_version: Option<String>,
    /// Platform override (`SKILL_SOURCE` or `--plugin`); `None` = detect.
    pub platform: Option<String>,
    /// Language code sent when creating a session; `None` = omit it.
    pub language: Option<String>,
    pub render_poll_interval_secs: u64,
    pub render_timeout_secs: u64,
    pub sse_timeout_secs: u64,
    pub request_timeout_secs: u64,
    /// Embedded engine data directory; `None` = the platform data dir (see [`Config::data_dir`]).
    pub data_dir: Option<PathBuf>,
    /// `SoundFont` for music synthesis; `None` = search the system locations.
    pub soundfont: Option<PathBuf>,
    pub loudness_target_lufs: f64,
    /// Extra directories searched for plugins.
    pub plugin_dirs: Vec<PathBuf>,
    /// The embedded engine never reports "out of credits" (local work costs nothing).
    pub local_unlimited_credits: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            api_url: None,
            web_url: nemo_protocol::CLOUD_WEB_URL.to_owned(),
            token: None,
            client_id: None,
            skill_name: DEFAULT_SKILL_NAME.to_owned(),
            skill_version: None,
            platform: None,
            language: None,
            render_poll_interval_secs: DEFAULT_RENDER_POLL_INTERVAL_SECS,
            render_timeout_secs: DEFAULT_RENDER_TIMEOUT_SECS,
            sse_timeout_secs: DEFAULT_SSE_TIMEOUT_SECS,
            request_timeout_secs: DEFAULT_REQUEST_TIMEOUT_SECS,
            data_dir: None,
            soundfont: None,
            loudness_target_lufs: DEFAULT_LOUDNESS_TARGET_LUFS,
            plugin_dirs: Vec::new(),
            local_unlimited_credits: true,
        }
    }
}

/// Values given on the command line; `None` fields leave lower layers alone.
///
/// There is deliberately no token flag: a token on the command line leaks through `ps` and shell
/// history. Use `NEMO_TOKEN` or the config file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skill_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub render_poll_interval_secs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub render_timeout_secs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sse_timeout_secs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub soundfont: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plugin_dirs: Option<Vec<PathBuf>>,
}

impl Config {
    /// All five layers, reading `config.toml` from [`config_dir`].
    pub fn figment(overrides: &Overrides) -> Result<Figment, Error> {
        Ok(Self::figment_in(&config_dir()?, overrides))
    }

    /// All five layers, reading `config.toml` from `config_dir` (a missing file is skipped).
    pub fn figment_in(config_dir: &Path, overrides: &Overrides) -> Figment {
        let mut figment = Figment::from(Serialized::defaults(Self::default()));
        let file = config_dir.join(CONFIG_FILE);
        // `Toml::file` would search parent directories for a relative path; read exactly this
        // file, and only when it exists (no config file is the normal case).
        if file.is_file() {
            figment = figment.merge(Toml::file_exact(file));
        }
        figment
            .merge(env_vars::EnvLayer::nemo())
            .merge(env_vars::EnvLayer::skill_source())
            .merge(Serialized::defaults(overrides))
    }

    /// Extracts a config from any figment (tests and hosts that add their own layers).
    pub fn from_figment(figment: &Figment) -> Result<Self, Error> {
        let mut config: Self = figment.extract()?;
        config.normalise();
        Ok(config)
    }

    /// Loads all layers from the default config directory.
    pub fn load(overrides: &Overrides) -> Result<Self, Error> {
        Self::from_figment(&Self::figment(overrides)?)
    }

    /// Loads all layers with `config.toml` read from `config_dir`.
    pub fn load_in(config_dir: &Path, overrides: &Overrides) -> Result<Self, Error> {
        Self::from_figment(&Self::figment_in(config_dir, overrides))
    }

    /// Empty strings mean "unset" in every layer (an exported but empty `NEMO_TOKEN=`).
    fn normalise(&mut self) {
        if self.token.as_ref().is_some_and(Secret::is_empty) {
            self.token = None;
        }
        for field in [
            &mut self.client_id,
            &mut self.skill_version,
            &mut self.platform,
            &mut self.language,
        ] {
            if field.as_deref().is_some_and(|v| v.trim().is_empty()) {
                *field = None;
            }
        }
    }

    /// Where the client should connect.
    pub fn api_target(&self) -> ApiTarget {
        match self.api_url.as_deref().map(str::trim) {
            None | Some("" | "embedded" | "local") => ApiTarget::Embedded,
            Some("cloud" | "prod") => ApiTarget::Remote(nemo_protocol::CLOUD_BASE_URL.to_owned()),
            Some(url) => ApiTarget::Remote(url.trim_end_matches('/').to_owned()),
        }
    }

    pub fn render_poll_interval(&self) -> Duration {
        Duration::from_secs(self.render_poll_interval_secs)
    }

    pub fn render_timeout(&self) -> Duration {
        Duration::from_secs(self.render_timeout_secs)
    }

    pub fn sse_timeout(&self) -> Duration {
        Duration::from_secs(self.sse_timeout_secs)
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    /// The embedded engine's data directory: the configured one, else
    /// `<platform data dir>/nemovideo` (`~/.local/share/nemovideo` on Linux).
    pub fn data_dir(&self) -> Result<PathBuf, Error> {
        if let Some(dir) = &self.data_dir {
            return Ok(dir.clone());
        }
        dirs::data_dir()
            .map(|d| d.join("nemovideo"))
            .ok_or(Error::NoHomeDir)
    }

    /// The client id: the configured one (`NEMO_CLIENT_ID`), else the one persisted in
    /// `config_dir` (created on first use).
    pub fn resolve_client_id(&self, config_dir: &Path) -> Result<String, Error> {
        match &self.client_id {
            Some(id) => Ok(id.clone()),
            None => load_or_create_client_id(config_dir),
        }
    }

    /// The configuration as TOML for `nemo config show`; tokens appear redacted.
    pub fn to_redacted_toml(&self) -> Result<String, Error> {
        toml::to_string_pretty(self).map_err(Error::Serialize)
    }
}

/// `NEMO_CONFIG_DIR`, else `~/.config/nemovideo` (the path the skill documents, on every OS).
pub fn config_dir() -> Result<PathBuf, Error> {
    if let Some(dir) = env_vars::config_dir_override() {
        return Ok(dir);
    }
    dirs::home_dir()
        .map(|home| home.join(".config").join("nemovideo"))
        .ok_or(Error::NoHomeDir)
}

#[cfg(test)]
mod tests;
