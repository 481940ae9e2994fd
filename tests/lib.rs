//! Shared helpers for the `it` integration-test binary.
