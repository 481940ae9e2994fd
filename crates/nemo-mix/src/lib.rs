//! nemo-mix: loudness measurement and normalisation (EBU R128 with a true-peak limiter), fades,
//! ducking under speech, and the final music-under-dialogue mix.
//!
//! Everything here is pure compute over planar stereo PCM ([`StereoBuffer`]); no files, no
//! processes. The music engine (`nemo-music`) uses [`normalize`] to land a finished track at its
//! loudness target; the render path uses [`mix_under_dialogue`] to lay that track under a clip's
//! own audio.

mod buffer;
mod duck;
mod error;
mod fade;
mod limiter;
mod loudness;
mod mix;

pub use buffer::{SAMPLE_RATE, StereoBuffer};
pub use duck::{DuckSettings, SpeechRegion, duck_gain_curve};
pub use error::MixError;
pub use fade::{apply_fades, fade_gain};
pub use limiter::limit_true_peak;
pub use loudness::{
    LoudnessReport, LoudnessTarget, Measurement, db_to_gain, gain_to_db, measure, normalize,
};
pub use mix::{MixOutput, MixSettings, mix_under_dialogue, music_stem};
