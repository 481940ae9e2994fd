//! Platform detection: which `X-Skill-Platform` value to send, which plugin words events, and
//! why. A pure function over its inputs; the caller gathers the environment and the file
//! system probe.
//!
//! First match wins:
//! 1. the `--plugin` flag;
//! 2. `SKILL_SOURCE`, passed through as given (`github` stays `github`);
//! 3. the seed skill's install-path rule: under `~/.clawhub/` -> `clawhub`, under
//!    `~/.cursor/skills/` -> `cursor` (kept as code because it is the protocol's own rule);
//! 4. the manifests' markers, kind by kind so that evidence about the skill's own install
//!    beats ambient environment variables, and within a kind in manifest order:
//!    files in the skill directory, files in the workspace around `skills/<slug>/`, path
//!    fragments, exact variable names, variable prefixes;
//! 5. otherwise `unknown`.

use std::fmt;
use std::path::{Component, Path, PathBuf};

use nemo_plugin_sdk::Manifest;

use crate::name::PluginName;

/// The seed skill's install-path rule: directories under the home directory and the platform
/// they mean.
pub const SEED_INSTALL_PATHS: [(&str, &str); 2] =
    [(".clawhub", "clawhub"), (".cursor/skills", "cursor")];

/// What detection looks at.
pub struct DetectInputs<'a> {
    /// `--plugin <name>`.
    pub flag: Option<String>,
    /// The `SKILL_SOURCE` environment variable.
    pub skill_source_env: Option<String>,
    /// The skill's directory (the folder holding `SKILL.md`), absolute.
    pub skill_dir: Option<PathBuf>,
    /// The user's home directory.
    pub home: Option<PathBuf>,
    /// Names of the environment variables that are set (values are not needed).
    pub env_names: Vec<String>,
    /// Whether a file exists; `Path::is_file` in production.
    pub file_exists: &'a dyn Fn(&Path) -> bool,
}

impl fmt::Debug for DetectInputs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DetectInputs")
            .field("flag", &self.flag)
            .field("skill_source_env", &self.skill_source_env)
            .field("skill_dir", &self.skill_dir)
            .field("home", &self.home)
            .field("env_names", &self.env_names)
            .finish_non_exhaustive()
    }
}

/// Which rule decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetectionRule {
    /// `--plugin`.
    Flag,
    /// `SKILL_SOURCE`.
    SkillSource,
    /// The seed skill's `~/.clawhub/` / `~/.cursor/skills/` rule.
    SeedInstallPath,
    /// A manifest's `path_files` entry exists in the skill directory.
    MarkerFile,
    /// A manifest's `workspace_files` entry exists around `skills/<slug>/`.
    WorkspaceFile,
    /// The skill directory matches a manifest's `paths` entry.
    MarkerPath,
    /// A manifest's `env_vars` entry is set.
    EnvVar,
    /// A set variable starts with a manifest's `env_prefixes` entry.
    EnvPrefix,
    /// Nothing matched.
    Fallback,
}

/// The outcome of detection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    /// The `X-Skill-Platform` value.
    pub platform: String,
    /// The rule that matched.
    pub rule: DetectionRule,
    /// Why, as a phrase for `nemo plugins list` ("`CURSOR_TRACE_ID` is set, which marks `cursor`").
    pub reason: String,
}

impl Detection {
    /// The plugin that words events for this platform (`unknown` for platforms without one).
    pub fn plugin(&self) -> PluginName {
        PluginName::for_platform(&self.platform)
    }
}

/// Detects the platform. `manifests` supply the marker table, in priority order.
pub fn detect(inputs: &DetectInputs<'_>, manifests: &[Manifest]) -> Detection {
    if let Some(flag) = non_empty(inputs.flag.as_deref()) {
        return found(
            flag,
            DetectionRule::Flag,
            format!("`--plugin {flag}` was given"),
        );
    }
    if let Some(source) = non_empty(inputs.skill_source_env.as_deref()) {
        let reason = format!("`SKILL_SOURCE` is set to `{source}`");
        return found(source, DetectionRule::SkillSource, reason);
    }
    let skill_dir = inputs.skill_dir.as_deref();
    let home = inputs.home.as_deref();
    seed_install_path(skill_dir, home)
        .or_else(|| skill_dir.and_then(|dir| marker_file(dir, manifests, inputs.file_exists)))
        .or_else(|| skill_dir.and_then(|dir| workspace_file(dir, manifests, inputs.file_exists)))
        .or_else(|| skill_dir.and_then(|dir| marker_path(dir, home, manifests)))
        .or_else(|| env_var(&inputs.env_names, manifests))
        .or_else(|| env_prefix(&inputs.env_names, manifests))
        .unwrap_or_else(|| fallback(skill_dir.is_some()))
}

fn found(platform: &str, rule: DetectionRule, reason: String) -> Detection {
    Detection {
        platform: platform.to_owned(),
        rule,
        reason,
    }
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|value| !value.is_empty())
}

fn seed_install_path(skill_dir: Option<&Path>, home: Option<&Path>) -> Option<Detection> {
    let (dir, home) = (skill_dir?, home?);
    SEED_INSTALL_PATHS.iter().find_map(|(under, platform)| {
        dir.starts_with(home.join(under)).then(|| {
            let reason = format!(
                "the skill is installed under `~/{under}/` (the seed skill's install-path rule)"
            );
            found(platform, DetectionRule::SeedInstallPath, reason)
        })
    })
}

/// Every `(manifest, marker)` pair of one marker kind, manifests in order.
fn markers<'m>(
    manifests: &'m [Manifest],
    kind: impl Fn(&'m Manifest) -> &'m [String],
) -> impl Iterator<Item = (&'m Manifest, &'m str)> {
    manifests.iter().flat_map(move |manifest| {
        kind(manifest)
            .iter()
            .map(move |marker| (manifest, marker.as_str()))
    })
}

fn marker_file(
    dir: &Path,
    manifests: &[Manifest],
    file_exists: &dyn Fn(&Path) -> bool,
) -> Option<Detection> {
    markers(manifests, |m| &m.markers.path_files).find_map(|(manifest, file)| {
        file_exists(&dir.join(file)).then(|| {
            let reason = format!(
                "the skill directory has `{file}`, which marks `{}`",
                manifest.platform
            );
            found(&manifest.platform, DetectionRule::MarkerFile, reason)
        })
    })
}

fn workspace_file(
    dir: &Path,
    manifests: &[Manifest],
    file_exists: &dyn Fn(&Path) -> bool,
) -> Option<Detection> {
    let skills = dir.parent()?;
    if skills.file_name()? != "skills" {
        return None;
    }
    let root = skills.parent()?;
    markers(manifests, |m| &m.markers.workspace_files).find_map(|(manifest, file)| {
        file_exists(&root.join(file)).then(|| {
            let reason = format!(
                "the skill is in the `skills/` folder of a workspace with `{file}`, which marks `{}`",
                manifest.platform
            );
            found(&manifest.platform, DetectionRule::WorkspaceFile, reason)
        })
    })
}

fn marker_path(dir: &Path, home: Option<&Path>, manifests: &[Manifest]) -> Option<Detection> {
    markers(manifests, |m| &m.markers.paths).find_map(|(manifest, fragment)| {
        path_matches(dir, home, fragment).then(|| {
            let reason = format!(
                "the skill path is under `{fragment}`, which marks `{}`",
                manifest.platform
            );
            found(&manifest.platform, DetectionRule::MarkerPath, reason)
        })
    })
}

/// `~/x/y/` matches paths under `<home>/x/y`; any other fragment matches when its components
/// appear consecutively anywhere in the path (`.cursor/skills/` matches a project's
/// `/work/app/.cursor/skills/nemo`).
fn path_matches(path: &Path, home: Option<&Path>, fragment: &str) -> bool {
    if let Some(rest) = fragment.strip_prefix("~/") {
        return home.is_some_and(|home| path.starts_with(home.join(rest)));
    }
    let wanted: Vec<Component<'_>> = Path::new(fragment).components().collect();
    let have: Vec<Component<'_>> = path.components().collect();
    !wanted.is_empty() && have.windows(wanted.len()).any(|window| window == wanted)
}

fn env_var(env_names: &[String], manifests: &[Manifest]) -> Option<Detection> {
    markers(manifests, |m| &m.markers.env_vars).find_map(|(manifest, var)| {
        env_names.iter().any(|name| name == var).then(|| {
            let reason = format!("`{var}` is set, which marks `{}`", manifest.platform);
            found(&manifest.platform, DetectionRule::EnvVar, reason)
        })
    })
}

fn env_prefix(env_names: &[String], manifests: &[Manifest]) -> Option<Detection> {
    markers(manifests, |m| &m.markers.env_prefixes).find_map(|(manifest, prefix)| {
        let mut names: Vec<&String> = env_names
            .iter()
            .filter(|name| name.len() > prefix.len() && name.starts_with(prefix))
            .collect();
        names.sort();
        names.first().map(|name| {
            let reason = format!(
                "`{name}` is set; the prefix `{prefix}` marks `{}`",
                manifest.platform
            );
            found(&manifest.platform, DetectionRule::EnvPrefix, reason)
        })
    })
}

fn fallback(knows_skill_dir: bool) -> Detection {
    let reason = if knows_skill_dir {
        "no `--plugin`, `SKILL_SOURCE` or platform marker matched"
    } else {
        "no `--plugin`, `SKILL_SOURCE` or platform marker matched, and the skill directory is unknown"
    };
    found(
        PluginName::Unknown.as_str(),
        DetectionRule::Fallback,
        reason.to_owned(),
    )
}

#[cfg(test)]
mod tests;
