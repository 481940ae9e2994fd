//! Integration tests: montage.
