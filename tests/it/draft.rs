//! Integration tests: draft.
