//! nemo-media.
