//! The allow-list of plugin names and the file names they map to.

use std::ffi::OsString;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use crate::error::PluginError;

/// The prefix of every plugin library's stem: `nemo_plugin_<name>`.
pub const FILE_STEM_PREFIX: &str = "nemo_plugin_";

/// A plugin the host is allowed to load by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PluginName {
    /// `OpenClaw` agents and `ClawHub` installs.
    Clawhub,
    /// Cursor's agent.
    Cursor,
    /// Everything else; also built in.
    Unknown,
}

impl PluginName {
    /// Every allowed name, in detection order.
    pub const ALL: [PluginName; 3] = [PluginName::Clawhub, PluginName::Cursor, PluginName::Unknown];

    /// The name as written in file names, manifests and `--plugin`.
    pub fn as_str(self) -> &'static str {
        match self {
            PluginName::Clawhub => "clawhub",
            PluginName::Cursor => "cursor",
            PluginName::Unknown => "unknown",
        }
    }

    /// The plugin that words events for a platform value: the plugin of that name (ignoring
    /// ASCII case), else `unknown`. `SKILL_SOURCE=github` gets the `unknown` plugin.
    pub fn for_platform(platform: &str) -> PluginName {
        PluginName::ALL
            .into_iter()
            .find(|name| name.as_str().eq_ignore_ascii_case(platform.trim()))
            .unwrap_or(PluginName::Unknown)
    }

    /// The platform's library file name: `libnemo_plugin_cursor.so`, `nemo_plugin_cursor.dll`.
    pub fn file_name(self) -> OsString {
        plugin_file_name(self.as_str())
    }
}

impl fmt::Display for PluginName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PluginName {
    type Err = PluginError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        PluginName::ALL
            .into_iter()
            .find(|known| known.as_str() == name)
            .ok_or_else(|| PluginError::NotAllowed {
                name: name.to_owned(),
            })
    }
}

/// The library file name for any plugin stem, allow-listed or not (the ABI tests load test
/// plugins by path with this).
pub fn plugin_file_name(name: &str) -> OsString {
    libloading::library_filename(format!("{FILE_STEM_PREFIX}{name}"))
}

/// The `<name>` of a file named like `plugin_file_name(<name>)`, if it is.
pub(crate) fn name_from_file(file: &Path) -> Option<String> {
    let file_name = file.file_name()?.to_str()?;
    let stem = file_name
        .strip_prefix(std::env::consts::DLL_PREFIX)?
        .strip_suffix(std::env::consts::DLL_SUFFIX)?;
    stem.strip_prefix(FILE_STEM_PREFIX).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_file_names() {
        for name in PluginName::ALL {
            let file = Path::new("/plugins").join(name.file_name());
            assert_eq!(name_from_file(&file).as_deref(), Some(name.as_str()));
            assert_eq!(name.as_str().parse::<PluginName>().unwrap(), name);
        }
        assert_eq!(name_from_file(Path::new("/lib/libc.so.6")), None);
        assert_eq!(
            name_from_file(&Path::new("/t").join(plugin_file_name("panicky"))).as_deref(),
            Some("panicky")
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn linux_file_names() {
        assert_eq!(PluginName::Cursor.file_name(), "libnemo_plugin_cursor.so");
    }

    #[test]
    fn only_allow_listed_names_parse() {
        let error = "github".parse::<PluginName>().unwrap_err();
        assert!(matches!(&error, PluginError::NotAllowed { name } if name == "github"));
        assert_eq!(
            error.to_string(),
            "`github` is not a known plugin; expected one of `clawhub`, `cursor`, `unknown`"
        );
        assert!("Cursor".parse::<PluginName>().is_err());
    }

    #[test]
    fn platforms_map_to_plugins() {
        assert_eq!(PluginName::for_platform("clawhub"), PluginName::Clawhub);
        assert_eq!(PluginName::for_platform("Cursor"), PluginName::Cursor);
        assert_eq!(PluginName::for_platform("github"), PluginName::Unknown);
        assert_eq!(PluginName::for_platform(""), PluginName::Unknown);
    }
}
