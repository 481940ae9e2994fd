//! Clip analysis glue: one decode pass through nemo-media feeding nemo-analysis.
