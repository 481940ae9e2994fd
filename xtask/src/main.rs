//! `cargo xtask`: CI, tests, benchmarks, plugin builds, fixtures and release.

fn main() {}
