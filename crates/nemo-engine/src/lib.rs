//! nemo-engine.
