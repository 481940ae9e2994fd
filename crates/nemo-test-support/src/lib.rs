//! nemo-test-support.
