//! Test-only plugin (not shipped): describes itself, then panics in `attribution` and `adapt`,
//! so the host tests can check that panics come back as `PluginError::Call` with the message.

use nemo_plugin_sdk::{AttributionContext, Headers, Manifest, Markers, Plugin, UxEvent};

/// A plugin whose every call after `describe` panics.
#[derive(Debug, Default)]
pub struct PanickingPlugin;

impl Plugin for PanickingPlugin {
    fn manifest(&self) -> Manifest {
        Manifest::new(
            "panicky",
            "panicky",
            env!("CARGO_PKG_VERSION"),
            "test plugin that panics",
            Markers::default(),
        )
    }

    fn attribution(&self, _ctx: &AttributionContext) -> Headers {
        panic!("attribution exploded on purpose");
    }

    fn adapt(&self, event: &UxEvent) -> String {
        let kind = serde_json::to_value(event)
            .ok()
            .and_then(|value| value["type"].as_str().map(str::to_owned))
            .unwrap_or_default();
        panic!("adapt exploded on purpose while wording `{kind}`");
    }
}

nemo_plugin_sdk::export_plugin!(PanickingPlugin);
