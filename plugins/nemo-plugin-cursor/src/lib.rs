//! nemo-plugin-cursor.
