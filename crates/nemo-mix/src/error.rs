//! Errors of the mixing crate.

/// What can go wrong while measuring or mixing audio.
#[derive(Debug, thiserror::Error)]
pub enum MixError {
    /// The loudness meter rejected its configuration or input.
    #[error("loudness measurement failed: {0}")]
    Meter(String),
    /// Two buffers that must share a sample rate do not.
    #[error("sample rates differ: music is {music} Hz, original audio is {original} Hz")]
    RateMismatch {
        /// Rate of the music buffer.
        music: u32,
        /// Rate of the original-audio buffer.
        original: u32,
    },
    /// A buffer with a sample rate of zero or an otherwise unusable shape.
    #[error("invalid audio buffer: {0}")]
    InvalidBuffer(&'static str),
}

impl From<ebur128::Error> for MixError {
    fn from(e: ebur128::Error) -> Self {
        Self::Meter(e.to_string())
    }
}
