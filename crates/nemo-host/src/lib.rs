//! Library half of the `nemo` binary (CLI definitions and wiring), so tests can reach it.
