//! Test-only plugin (not shipped): built as if for ABI 2.0, so it exports `nemo_plugin_v2`
//! and a header saying 2.0. The host must refuse it with `PluginError::Incompatible`.

use nemo_plugin_sdk::abi::{AbiHeader, PluginVTable};
use nemo_plugin_sdk::{Manifest, Markers, Plugin, UxEvent};

/// A plugin from the future.
#[derive(Debug, Default)]
pub struct FuturePlugin;

impl Plugin for FuturePlugin {
    fn manifest(&self) -> Manifest {
        Manifest::new(
            "wrongabi",
            "wrongabi",
            env!("CARGO_PKG_VERSION"),
            "test plugin built for ABI 2.0",
            Markers::default(),
        )
    }

    fn adapt(&self, _event: &UxEvent) -> String {
        "a 2.0 plugin must never be called by a 1.x host".to_owned()
    }
}

nemo_plugin_sdk::export_plugin!(
    @entry FuturePlugin,
    "nemo_plugin_v2",
    AbiHeader {
        abi_major: 2,
        abi_minor: 0,
        struct_size: size_of::<PluginVTable>() as u32,
    }
);
