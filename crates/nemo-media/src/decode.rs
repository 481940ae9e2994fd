//! Streaming low-resolution decode for analysis.
