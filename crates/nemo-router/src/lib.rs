//! nemo-router.
