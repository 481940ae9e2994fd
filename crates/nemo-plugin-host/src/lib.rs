//! The host side of the plugin system: load platform plugins, detect the platform, and talk to
//! the plugin through a safe API.
//!
//! - [`load`] opens one plugin library by path; [`load_by_name`] and [`Registry::discover`]
//!   find allow-listed plugins (`clawhub`, `cursor`, `unknown`) in [`SearchPaths`].
//! - [`detect`] decides the `X-Skill-Platform` value and says why.
//! - [`Platform`] is what the rest of the host uses: a loaded plugin or the built-in `unknown`
//!   plugin, so attribution headers and wording never go missing.
//!
//! All `unsafe` lives in `dylib.rs`. Libraries are never unloaded. The JSON documents are the
//! SDK's types, re-exported here; see `docs/PLUGIN_ABI.md`.

mod detect;
mod dylib;
mod error;
mod handshake;
mod loaded;
mod name;
mod platform;
mod search;

pub use detect::{DetectInputs, Detection, DetectionRule, SEED_INSTALL_PATHS, detect};
pub use error::{CallStatus, PluginError, PluginFunction, SearchedDirs};
pub use loaded::{LoadedPlugin, load};
pub use name::{FILE_STEM_PREFIX, PluginName, plugin_file_name};
pub use nemo_plugin_abi::{ABI_MAJOR, ABI_MINOR, AbiHeader, AbiVersion, ENTRY_SYMBOL};
pub use nemo_plugin_sdk::{
    ATTRIBUTION_HEADERS, AttributionContext, HEADER_SKILL_PLATFORM, HEADER_SKILL_SOURCE,
    HEADER_SKILL_VERSION, Headers, Manifest, ManifestAbi, Markers, UxEvent,
};
pub use platform::{BuiltinPlugin, Platform, Registry};
pub use search::{SearchPaths, load_by_name};
