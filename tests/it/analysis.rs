//! Integration tests: analysis.
