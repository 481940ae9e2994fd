//! The plugin author's side of the nemo plugin ABI.
//!
//! Implement [`Plugin`] for a `Default` type and call [`export_plugin!`] once in the plugin
//! crate's root:
//!
//! ```ignore
//! #[derive(Default)]
//! pub struct MyPlugin;
//! impl nemo_plugin_sdk::Plugin for MyPlugin { /* manifest, adapt */ }
//! nemo_plugin_sdk::export_plugin!(MyPlugin);
//! ```
//!
//! The macro exports the `nemo_plugin_v1` entry point and a static vtable of `extern "C"` shims
//! (in [`export`]) that decode the host's JSON, call the trait inside `catch_unwind`, and encode
//! the answer. Plugin code itself never sees pointers and never needs `unsafe`.
//!
//! A plugin crate is built both as a `cdylib` (loaded by the host) and an `rlib` (unit tests,
//! and the host's built-in fallback). Do not link two plugin rlibs into one binary: each
//! defines the same entry symbol.

pub use nemo_plugin_abi as abi;

pub mod export;
pub mod schema;
pub mod testing;
pub mod text;

pub use schema::{
    ATTRIBUTION_HEADERS, Adapted, AttributionContext, HEADER_SKILL_PLATFORM, HEADER_SKILL_SOURCE,
    HEADER_SKILL_VERSION, Headers, Manifest, ManifestAbi, Markers, UxEvent, standard_headers,
};

/// What a platform plugin provides. Implementations must be cheap to create with `Default`:
/// the exported shims create one per call.
pub trait Plugin {
    /// Who this plugin is and how the host recognises its platform.
    fn manifest(&self) -> Manifest;

    /// The attribution headers for a request. The default passes the context through as
    /// `X-Skill-Source`, `X-Skill-Version` (unchanged) and `X-Skill-Platform`.
    fn attribution(&self, ctx: &AttributionContext) -> Headers {
        standard_headers(ctx)
    }

    /// Words a UX event for this platform.
    fn adapt(&self, event: &UxEvent) -> String;
}

impl Manifest {
    /// A manifest at the SDK's ABI version.
    pub fn new(
        name: &str,
        platform: &str,
        version: &str,
        description: &str,
        markers: Markers,
    ) -> Self {
        Manifest {
            name: name.to_owned(),
            platform: platform.to_owned(),
            version: version.to_owned(),
            abi: ManifestAbi::CURRENT,
            description: description.to_owned(),
            markers,
        }
    }
}

// The macro spells the entry symbol as a literal; keep it in step with the ABI crate.
const _: () = assert!(
    nemo_plugin_abi::ABI_MAJOR == 1,
    "update the symbol in export_plugin! when the ABI major changes"
);
