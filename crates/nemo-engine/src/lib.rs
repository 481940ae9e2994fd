//! The embedded engine: the `nemo_agent` protocol served on loopback.

pub mod analyze;
