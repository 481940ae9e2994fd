//! nemo-plugin-host.
