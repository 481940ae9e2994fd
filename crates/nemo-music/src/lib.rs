//! nemo-music.
