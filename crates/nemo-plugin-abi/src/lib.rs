//! nemo-plugin-abi.
