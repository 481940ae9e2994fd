//! nemo-plugin-sdk.
