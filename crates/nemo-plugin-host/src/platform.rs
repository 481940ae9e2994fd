//! The platform the host talks through: a loaded plugin library, or the built-in `unknown`
//! plugin linked as an rlib. Requests always carry attribution headers, because the built-in
//! plugin answers whenever a library is missing or fails.

use std::path::Path;

use nemo_plugin_abi::AbiVersion;
use nemo_plugin_sdk::{AttributionContext, Headers, Manifest, Plugin, UxEvent};
use nemo_plugin_unknown::UnknownPlugin;

use crate::detect::Detection;
use crate::error::PluginError;
use crate::loaded::LoadedPlugin;
use crate::name::PluginName;
use crate::search::{SearchPaths, load_by_name};

/// The `unknown` plugin, statically linked: plain-text wording and pass-through attribution.
#[derive(Debug, Clone)]
pub struct BuiltinPlugin {
    manifest: Manifest,
}

impl Default for BuiltinPlugin {
    fn default() -> Self {
        BuiltinPlugin {
            manifest: UnknownPlugin.manifest(),
        }
    }
}

impl BuiltinPlugin {
    /// The built-in plugin's manifest (name `unknown`, no markers).
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The standard attribution headers for `ctx`.
    pub fn attribution(&self, ctx: &AttributionContext) -> Headers {
        UnknownPlugin.attribution(ctx)
    }

    /// Plain-text wording of `event`.
    pub fn adapt(&self, event: &UxEvent) -> String {
        UnknownPlugin.adapt(event)
    }
}

/// Either a plugin library or the built-in fallback.
#[derive(Debug, Clone)]
pub enum Platform {
    /// A loaded plugin library.
    Dylib(LoadedPlugin),
    /// The statically linked `unknown` plugin.
    Builtin(BuiltinPlugin),
}

impl Platform {
    /// The built-in fallback.
    pub fn builtin() -> Platform {
        Platform::Builtin(BuiltinPlugin::default())
    }

    /// The plugin's manifest.
    pub fn manifest(&self) -> &Manifest {
        match self {
            Platform::Dylib(plugin) => plugin.describe(),
            Platform::Builtin(builtin) => builtin.manifest(),
        }
    }

    /// The plugin's name.
    pub fn name(&self) -> &str {
        &self.manifest().name
    }

    /// Whether this is the built-in fallback.
    pub fn is_builtin(&self) -> bool {
        matches!(self, Platform::Builtin(_))
    }

    /// The library file, for a loaded plugin.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Platform::Dylib(plugin) => Some(plugin.file()),
            Platform::Builtin(_) => None,
        }
    }

    /// The ABI the plugin declares; the built-in plugin speaks the host's.
    pub fn abi(&self) -> AbiVersion {
        match self {
            Platform::Dylib(plugin) => plugin.abi(),
            Platform::Builtin(_) => AbiVersion::CURRENT,
        }
    }

    /// The plugin's attribution headers, or its error.
    pub fn attribution(&self, ctx: &AttributionContext) -> Result<Headers, PluginError> {
        match self {
            Platform::Dylib(plugin) => plugin.attribution(ctx),
            Platform::Builtin(builtin) => Ok(builtin.attribution(ctx)),
        }
    }

    /// The plugin's wording of `event`, or its error.
    pub fn adapt(&self, event: &UxEvent) -> Result<String, PluginError> {
        match self {
            Platform::Dylib(plugin) => plugin.adapt(event),
            Platform::Builtin(builtin) => Ok(builtin.adapt(event)),
        }
    }

    /// Attribution headers that are always there: a failing plugin is logged and the built-in
    /// plugin answers instead (missing headers can turn an export into HTTP 402).
    pub fn headers(&self, ctx: &AttributionContext) -> Headers {
        self.attribution(ctx).unwrap_or_else(|error| {
            tracing::warn!(%error, "using built-in attribution headers");
            BuiltinPlugin::default().attribution(ctx)
        })
    }

    /// Wording that is always there: a failing plugin is logged and the built-in plain text is
    /// used instead.
    pub fn text(&self, event: &UxEvent) -> String {
        self.adapt(event).unwrap_or_else(|error| {
            tracing::warn!(%error, "using built-in wording");
            BuiltinPlugin::default().adapt(event)
        })
    }
}

/// The allow-listed plugins found in the search directories, and what went wrong with the rest.
#[derive(Debug, Default)]
pub struct Registry {
    plugins: Vec<LoadedPlugin>,
    failures: Vec<(PluginName, PluginError)>,
}

impl Registry {
    /// Loads every allow-listed plugin found in `search`. Missing and broken plugins are kept
    /// as failures (missing ones as [`PluginError::NotFound`]).
    pub fn discover(search: &SearchPaths) -> Registry {
        let mut registry = Registry::default();
        for name in PluginName::ALL {
            match load_by_name(name, search) {
                Ok(plugin) => registry.plugins.push(plugin),
                Err(error) => registry.failures.push((name, error)),
            }
        }
        registry
    }

    /// Loaded plugins, in allow-list order.
    pub fn plugins(&self) -> &[LoadedPlugin] {
        &self.plugins
    }

    /// Plugins that are missing or failed to load.
    pub fn failures(&self) -> &[(PluginName, PluginError)] {
        &self.failures
    }

    /// A loaded plugin by name.
    pub fn get(&self, name: PluginName) -> Option<&LoadedPlugin> {
        self.plugins
            .iter()
            .find(|plugin| plugin.name() == name.as_str())
    }

    /// The loaded plugins' manifests, the marker table for [`detect`](crate::detect).
    pub fn manifests(&self) -> Vec<Manifest> {
        self.plugins
            .iter()
            .map(|plugin| plugin.describe().clone())
            .collect()
    }

    /// The platform for a detection: the detected plugin if it loaded, else the built-in
    /// fallback (with a warning when a specific plugin was wanted).
    pub fn platform_for(&self, detection: &Detection) -> Platform {
        let wanted = detection.plugin();
        if let Some(plugin) = self.get(wanted) {
            return Platform::Dylib(plugin.clone());
        }
        if wanted != PluginName::Unknown {
            tracing::warn!(
                plugin = %wanted,
                "the plugin is not loaded; using built-in plain-text wording"
            );
        }
        Platform::builtin()
    }
}

#[cfg(test)]
mod tests {
    use nemo_plugin_sdk::testing::sample_events;

    use super::*;
    use crate::detect::DetectionRule;

    fn ctx(version: &str, platform: &str) -> AttributionContext {
        AttributionContext {
            skill_name: "nemo-video".to_owned(),
            skill_version: version.to_owned(),
            platform: platform.to_owned(),
        }
    }

    #[test]
    fn builtin_always_attributes_with_the_detected_platform() {
        let platform = Platform::builtin();
        assert!(platform.is_builtin());
        assert_eq!(platform.name(), "unknown");
        assert_eq!(platform.abi(), AbiVersion::CURRENT);
        assert_eq!(platform.file(), None);
        for version in ["1.9", "1.8.13"] {
            let headers = platform.headers(&ctx(version, "cursor"));
            assert_eq!(headers["X-Skill-Source"], "nemo-video");
            assert_eq!(headers["X-Skill-Version"], version);
            assert_eq!(headers["X-Skill-Platform"], "cursor");
        }
    }

    #[test]
    fn builtin_words_every_event_as_plain_text() {
        let platform = Platform::builtin();
        for event in sample_events() {
            let text = platform.text(&event);
            assert_eq!(text, nemo_plugin_unknown::adapt(&event));
            assert!(!text.is_empty());
        }
    }

    #[test]
    fn an_empty_registry_falls_back_to_the_builtin() {
        let registry = Registry::discover(&SearchPaths::new([]));
        assert!(registry.plugins().is_empty());
        assert_eq!(registry.failures().len(), 3);
        assert!(
            registry
                .failures()
                .iter()
                .all(|(_, error)| matches!(error, PluginError::NotFound { .. }))
        );
        let detection = Detection {
            platform: "clawhub".to_owned(),
            rule: DetectionRule::SkillSource,
            reason: String::new(),
        };
        let platform = registry.platform_for(&detection);
        assert!(platform.is_builtin());
        assert_eq!(
            platform.headers(&ctx("1.9", &detection.platform))["X-Skill-Platform"],
            "clawhub"
        );
    }
}
