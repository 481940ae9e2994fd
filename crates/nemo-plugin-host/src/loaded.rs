//! A loaded plugin behind a safe API: JSON in and out, typed errors.

use std::path::{Path, PathBuf};

use nemo_plugin_abi::{AbiHeader, AbiVersion};
use nemo_plugin_sdk::{
    ATTRIBUTION_HEADERS, Adapted, AttributionContext, Headers, Manifest, UxEvent,
};
use serde::de::DeserializeOwned;

use crate::dylib::{self, Call, CallFailure, RawPlugin};
use crate::error::{CallStatus, PluginError, PluginFunction};
use crate::name::name_from_file;

/// A plugin library that passed the handshake and described itself. Never unloaded.
#[derive(Debug, Clone)]
pub struct LoadedPlugin {
    file: PathBuf,
    raw: RawPlugin,
    manifest: Manifest,
}

/// Loads the plugin library at `path`: canonicalise, open, find `nemo_plugin_v1`, check the
/// header (equal major, `min` minor, large enough vtable), call `describe`, and check that the
/// manifest's name matches the file name `nemo_plugin_<name>`.
///
/// Any path is accepted; the allow-list applies when loading by name
/// ([`load_by_name`](crate::load_by_name)).
pub fn load(path: &Path) -> Result<LoadedPlugin, PluginError> {
    let file = path
        .canonicalize()
        .map_err(|source| PluginError::Inaccessible {
            file: path.to_path_buf(),
            source,
        })?;
    let raw = dylib::open(&file)?;
    let label = file.display().to_string();
    let bytes = raw
        .call(Call::Describe)
        .map_err(|failure| call_error(&label, PluginFunction::Describe, failure))?;
    let manifest: Manifest = decode(&label, PluginFunction::Describe, &bytes)?;
    let expected = name_from_file(&file).unwrap_or_else(|| {
        file.file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    if manifest.name != expected {
        return Err(PluginError::NameMismatch {
            file,
            expected,
            found: manifest.name,
        });
    }
    if (manifest.abi.major, manifest.abi.minor) != (raw.header().abi_major, raw.header().abi_minor)
    {
        tracing::debug!(
            file = %file.display(),
            "manifest ABI {}.{} differs from the vtable header {}; the header wins",
            manifest.abi.major,
            manifest.abi.minor,
            raw.header().version()
        );
    }
    Ok(LoadedPlugin {
        file,
        raw,
        manifest,
    })
}

impl LoadedPlugin {
    /// The manifest `describe` returned at load time.
    pub fn describe(&self) -> &Manifest {
        &self.manifest
    }

    /// The manifest's name.
    pub fn name(&self) -> &str {
        &self.manifest.name
    }

    /// Canonical path of the library.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The ABI the plugin's vtable header declares.
    pub fn abi(&self) -> AbiVersion {
        self.raw.header().version()
    }

    /// The plugin's vtable header.
    pub fn header(&self) -> AbiHeader {
        self.raw.header()
    }

    /// The minor version host and plugin agreed on.
    pub fn effective_minor(&self) -> u16 {
        self.raw.effective_minor()
    }

    /// The attribution headers for `ctx`; fails if any `X-Skill-*` header is missing.
    pub fn attribution(&self, ctx: &AttributionContext) -> Result<Headers, PluginError> {
        let input = encode(ctx);
        let bytes = self
            .raw
            .call(Call::Attribution(&input))
            .map_err(|failure| call_error(self.name(), PluginFunction::Attribution, failure))?;
        let headers: Headers = decode(self.name(), PluginFunction::Attribution, &bytes)?;
        if let Some(header) = ATTRIBUTION_HEADERS
            .into_iter()
            .find(|header| !headers.contains_key(*header))
        {
            return Err(PluginError::MissingHeader {
                plugin: self.name().to_owned(),
                header,
            });
        }
        Ok(headers)
    }

    /// The plugin's wording of `event`.
    pub fn adapt(&self, event: &UxEvent) -> Result<String, PluginError> {
        let input = encode(event);
        let bytes = self
            .raw
            .call(Call::Adapt(&input))
            .map_err(|failure| call_error(self.name(), PluginFunction::Adapt, failure))?;
        let adapted: Adapted = decode(self.name(), PluginFunction::Adapt, &bytes)?;
        Ok(adapted.text)
    }
}

/// Host documents are plain data; serialising them cannot fail.
fn encode(document: &impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(document).unwrap_or_default()
}

fn decode<T: DeserializeOwned>(
    plugin: &str,
    function: PluginFunction,
    bytes: &[u8],
) -> Result<T, PluginError> {
    serde_json::from_slice(bytes).map_err(|source| PluginError::BadDocument {
        plugin: plugin.to_owned(),
        function,
        source,
    })
}

fn call_error(plugin: &str, function: PluginFunction, failure: CallFailure) -> PluginError {
    PluginError::Call {
        plugin: plugin.to_owned(),
        function,
        status: CallStatus::from_code(failure.status),
        message: failure.message,
    }
}
