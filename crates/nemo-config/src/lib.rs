//! nemo-config.
