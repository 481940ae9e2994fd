//! nemo-draft.
