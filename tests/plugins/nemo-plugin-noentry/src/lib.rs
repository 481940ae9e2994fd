//! Test-only library (not shipped): a valid shared library that exports no plugin entry point,
//! so the host must refuse it with `PluginError::MissingEntry`.

/// Some code, so the library is not empty.
pub fn answer() -> u32 {
    42
}
