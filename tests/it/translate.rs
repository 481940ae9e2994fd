//! Integration tests: translate.
