//! nemo-plugin-unknown.
