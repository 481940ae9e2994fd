//! nemo-client.
