//! nemo-mix.
