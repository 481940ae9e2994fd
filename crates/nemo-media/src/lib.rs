//! The one place that runs ffmpeg and ffprobe.

pub mod render;
