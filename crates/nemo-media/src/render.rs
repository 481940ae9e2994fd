//! Draft render plan -> ffmpeg command line.
