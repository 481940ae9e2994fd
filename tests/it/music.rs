//! Integration tests: music.
