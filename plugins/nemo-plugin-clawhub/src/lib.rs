//! nemo-plugin-clawhub.
