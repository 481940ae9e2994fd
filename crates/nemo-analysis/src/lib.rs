//! nemo-analysis.
