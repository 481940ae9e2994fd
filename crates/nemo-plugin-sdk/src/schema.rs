//! The JSON documents that cross the plugin boundary, documented in `docs/PLUGIN_ABI.md`.
//!
//! Both sides decode with these types: plugins through the SDK's shims, the host through
//! `nemo-plugin-host`. Unknown fields are ignored everywhere so a newer peer can add optional
//! fields within a minor version. An unknown UX event `type` is an error (status 2), which the
//! host answers by wording the event with its built-in fallback.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Header carrying the skill's name (`X-Skill-Source`).
pub const HEADER_SKILL_SOURCE: &str = "X-Skill-Source";
/// Header carrying the skill's version, passed through unchanged (`X-Skill-Version`).
pub const HEADER_SKILL_VERSION: &str = "X-Skill-Version";
/// Header carrying the detected platform (`X-Skill-Platform`).
pub const HEADER_SKILL_PLATFORM: &str = "X-Skill-Platform";
/// The three attribution headers every request carries.
pub const ATTRIBUTION_HEADERS: [&str; 3] = [
    HEADER_SKILL_SOURCE,
    HEADER_SKILL_VERSION,
    HEADER_SKILL_PLATFORM,
];

/// `describe` output: who the plugin is and how to recognise its platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Plugin name; must equal the `<name>` in the file name `nemo_plugin_<name>`.
    pub name: String,
    /// The `X-Skill-Platform` value this plugin stands for.
    pub platform: String,
    /// The plugin crate's version.
    pub version: String,
    /// The ABI the plugin was built against (informational; the vtable header is authoritative).
    pub abi: ManifestAbi,
    /// One line for `nemo plugins list`.
    #[serde(default)]
    pub description: String,
    /// How the host recognises this platform.
    #[serde(default)]
    pub markers: Markers,
}

/// The ABI version as written in a manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestAbi {
    /// Major version.
    pub major: u16,
    /// Minor version.
    pub minor: u16,
}

impl ManifestAbi {
    /// The ABI of the SDK the plugin is compiled with.
    pub const CURRENT: ManifestAbi = ManifestAbi {
        major: nemo_plugin_abi::ABI_MAJOR,
        minor: nemo_plugin_abi::ABI_MINOR,
    };
}

/// Detection markers, checked by the host in the order documented in `docs/PLUGIN_ABI.md`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Markers {
    /// Path fragments matched against the skill directory's components, such as `.openclaw/`
    /// or `.cursor/skills/`. A leading `~/` anchors the fragment at the home directory.
    pub paths: Vec<String>,
    /// Files relative to the skill directory whose existence marks the platform, such as
    /// `.clawhub/origin.json`.
    pub path_files: Vec<String>,
    /// Files relative to a workspace root whose existence marks the platform when the skill
    /// directory is `<root>/skills/<slug>`, such as `.clawhub/lock.json`.
    pub workspace_files: Vec<String>,
    /// Environment variable name prefixes, such as `OPENCLAW_`.
    pub env_prefixes: Vec<String>,
    /// Exact environment variable names, such as `CURSOR_TRACE_ID`.
    pub env_vars: Vec<String>,
}

/// `attribution` input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributionContext {
    /// The skill's frontmatter `name`, such as `nemo-video`.
    pub skill_name: String,
    /// The skill's frontmatter `version`: an opaque string (`1.9`, `1.8.13`), never parsed.
    pub skill_version: String,
    /// The detected platform, such as `clawhub`, or whatever `SKILL_SOURCE` said.
    pub platform: String,
}

/// `attribution` output: header name to value.
pub type Headers = BTreeMap<String, String>;

/// The standard attribution headers for a context; what every first-party plugin returns.
pub fn standard_headers(ctx: &AttributionContext) -> Headers {
    Headers::from([
        (HEADER_SKILL_SOURCE.to_owned(), ctx.skill_name.clone()),
        (HEADER_SKILL_VERSION.to_owned(), ctx.skill_version.clone()),
        (HEADER_SKILL_PLATFORM.to_owned(), ctx.platform.clone()),
    ])
}

/// `adapt` input: something the host wants to tell the user. Tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum UxEvent {
    /// Before the first request: token, session.
    SettingUp,
    /// The session exists; long work may follow.
    Connected,
    /// Emitted by the host after every 2 minutes of heartbeats without text.
    StillWorking {
        /// Seconds since the request started.
        elapsed_s: u64,
    },
    /// Generic progress, such as an upload.
    Progress {
        /// What is progressing, such as `Uploading clip.mp4`.
        label: String,
        /// Percentage when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        percent: Option<u8>,
    },
    /// A render job was submitted.
    RenderStarted {
        /// Rough expected duration in seconds, when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        estimate_s: Option<u64>,
    },
    /// A render poll reported progress.
    RenderProgress {
        /// Percentage done.
        percent: u8,
    },
    /// Text from the backend agent, already translated by the host.
    Reply {
        /// Markdown-ish text.
        text: String,
    },
    /// What an edit turn changed, one line per change.
    EditSummary {
        /// Change descriptions.
        lines: Vec<String>,
    },
    /// Something failed.
    Error {
        /// Body `code` from the API, when there was one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<i64>,
        /// HTTP status, when there was one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        http_status: Option<u16>,
        /// What went wrong, for a user.
        message: String,
        /// What to do about it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hint: Option<String>,
    },
    /// A video file exists on disk. Only proven facts go here.
    Result {
        /// Absolute path of the file.
        path: String,
        /// Length in seconds, if probed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration_s: Option<f64>,
        /// File size in bytes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        size_bytes: Option<u64>,
        /// What was composed, such as `3 clips` or `music 'calm piano'`.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        composed: Vec<String>,
        /// What was rendered, such as `MP4 1920x1080`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rendered: Option<String>,
    },
    /// The credit balance.
    Credits {
        /// Spendable now.
        available: i64,
        /// Reserved by running jobs.
        frozen: i64,
        /// Sum of both.
        total: i64,
    },
    /// A state summary, such as the track summary, one item per line.
    Status {
        /// Multi-line summary.
        summary: String,
    },
}

/// `adapt` output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adapted {
    /// The text to show the user.
    pub text: String,
}
