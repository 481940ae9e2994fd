//! The one error type of plugin loading and calling. Every variant names the file or plugin.

use std::fmt;
use std::path::PathBuf;

use nemo_plugin_abi::{AbiVersion, status};

use crate::name::PluginName;

/// Why a plugin could not be loaded or answered badly.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// The path does not exist or cannot be resolved.
    #[error("plugin file `{}` is not accessible", file.display())]
    Inaccessible {
        /// The path as given.
        file: PathBuf,
        /// Why canonicalisation failed.
        #[source]
        source: std::io::Error,
    },
    /// The dynamic loader refused the file.
    #[error("cannot open plugin `{}`", file.display())]
    Open {
        /// Canonical path of the file.
        file: PathBuf,
        /// The loader's error.
        #[source]
        source: libloading::Error,
    },
    /// The file exports no entry point of any ABI major.
    #[error("`{}` is not a nemo plugin: it exports no `{symbol}` entry point", file.display())]
    MissingEntry {
        /// Canonical path of the file.
        file: PathBuf,
        /// The symbol the host looked for.
        symbol: &'static str,
    },
    /// The plugin was built for another ABI major.
    #[error(
        "plugin `{}` has ABI {plugin_abi}, which is not compatible with host ABI {host_abi}",
        file.display()
    )]
    Incompatible {
        /// Canonical path of the file.
        file: PathBuf,
        /// What the plugin's header declares.
        plugin_abi: AbiVersion,
        /// What this host speaks.
        host_abi: AbiVersion,
    },
    /// The vtable is shorter than its declared minor version requires.
    #[error(
        "plugin `{}` declares a {struct_size}-byte vtable, but ABI {plugin_abi} needs at least {required} bytes",
        file.display()
    )]
    VTableTooSmall {
        /// Canonical path of the file.
        file: PathBuf,
        /// What the plugin's header declares.
        plugin_abi: AbiVersion,
        /// The declared size.
        struct_size: u32,
        /// The size the negotiated minor needs.
        required: usize,
    },
    /// The entry point returned a null vtable.
    #[error("plugin `{}` returned no vtable from `{symbol}`", file.display())]
    NullVTable {
        /// Canonical path of the file.
        file: PathBuf,
        /// The entry symbol called.
        symbol: &'static str,
    },
    /// A plugin function returned a non-zero status.
    #[error("plugin `{plugin}` {status} in `{function}`: {message}")]
    Call {
        /// The plugin's name (its file path while `describe` has not answered yet).
        plugin: String,
        /// Which function failed.
        function: PluginFunction,
        /// What the status code said.
        status: CallStatus,
        /// The plugin's `last_error` text.
        message: String,
    },
    /// A plugin answered with a document the host cannot decode.
    #[error("plugin `{plugin}` returned an invalid document from `{function}`")]
    BadDocument {
        /// The plugin's name (or file path during `describe`).
        plugin: String,
        /// Which function answered.
        function: PluginFunction,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
    },
    /// The attribution answer lacks one of the three `X-Skill-*` headers.
    #[error("plugin `{plugin}` left out the `{header}` attribution header")]
    MissingHeader {
        /// The plugin's name.
        plugin: String,
        /// The missing header.
        header: &'static str,
    },
    /// The manifest's name does not match the file name.
    #[error("plugin file `{}` should hold plugin `{expected}`, but it describes itself as `{found}`", file.display())]
    NameMismatch {
        /// Canonical path of the file.
        file: PathBuf,
        /// The `<name>` of `nemo_plugin_<name>` in the file name (the whole file name if it is
        /// not named like that).
        expected: String,
        /// The manifest's `name`.
        found: String,
    },
    /// No plugin file of that name in any search directory.
    #[error("no `{name}` plugin (`{file_name}`) in {searched}")]
    NotFound {
        /// The plugin looked for.
        name: PluginName,
        /// The file name looked for.
        file_name: String,
        /// Where the host looked.
        searched: SearchedDirs,
    },
    /// A plugin name outside the allow-list.
    #[error("`{name}` is not a known plugin; expected one of `clawhub`, `cursor`, `unknown`")]
    NotAllowed {
        /// The name given.
        name: String,
    },
}

impl PluginError {
    /// A next step for the user, printed by the host as a `hint:` line.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            PluginError::Incompatible { .. }
            | PluginError::VTableTooSmall { .. }
            | PluginError::NameMismatch { .. } => Some(
                "reinstall the plugins that came with this nemo release (`cargo xtask plugins install` in a checkout)",
            ),
            PluginError::MissingEntry { .. } => {
                Some("remove the file from the plugin directory; it is not a nemo plugin")
            }
            PluginError::NotFound { .. } => Some(
                "nemo still works with its built-in plain-text wording; install the plugin to get platform-specific wording",
            ),
            PluginError::NotAllowed { .. } => {
                Some("pass `--plugin clawhub`, `--plugin cursor` or `--plugin unknown`")
            }
            PluginError::Call { .. }
            | PluginError::BadDocument { .. }
            | PluginError::MissingHeader { .. } => {
                Some("this is a plugin bug; nemo falls back to its built-in wording")
            }
            PluginError::Inaccessible { .. }
            | PluginError::Open { .. }
            | PluginError::NullVTable { .. } => None,
        }
    }
}

/// A vtable function, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PluginFunction {
    /// `describe`
    Describe,
    /// `attribution`
    Attribution,
    /// `adapt`
    Adapt,
}

impl fmt::Display for PluginFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PluginFunction::Describe => "describe",
            PluginFunction::Attribution => "attribution",
            PluginFunction::Adapt => "adapt",
        })
    }
}

/// A non-zero status code, decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallStatus {
    /// Status 1: the plugin panicked and caught it.
    Panicked,
    /// Status 2: the plugin reported an error.
    Failed,
    /// Any other code, which this ABI does not define.
    Other(i32),
}

impl CallStatus {
    /// Decodes a status code other than `0`.
    pub fn from_code(code: i32) -> CallStatus {
        match code {
            status::PANICKED => CallStatus::Panicked,
            status::ERROR => CallStatus::Failed,
            other => CallStatus::Other(other),
        }
    }
}

impl fmt::Display for CallStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallStatus::Panicked => f.write_str("panicked"),
            CallStatus::Failed => f.write_str("failed"),
            CallStatus::Other(code) => write!(f, "returned unknown status {code}"),
        }
    }
}

/// The directories a search covered, displayed as a list of backticked paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchedDirs(pub Vec<PathBuf>);

impl fmt::Display for SearchedDirs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("no search directory");
        }
        for (index, dir) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "`{}`", dir.display())?;
        }
        Ok(())
    }
}
