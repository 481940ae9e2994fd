//! The one integration-test binary. Each module covers one area; see docs/TESTING.md.
