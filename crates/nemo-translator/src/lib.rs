//! nemo-translator.
