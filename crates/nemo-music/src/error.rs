//! Errors of the music engine.

/// What can go wrong while composing or rendering.
#[derive(Debug, thiserror::Error)]
pub enum MusicError {
    /// The requested length is outside what the composer writes.
    #[error("duration {duration_ms} ms is out of range: use {min_ms}..={max_ms} ms")]
    InvalidDuration {
        /// Requested length.
        duration_ms: u64,
        /// Shortest allowed.
        min_ms: u64,
        /// Longest allowed.
        max_ms: u64,
    },
    /// A key name that could not be read.
    #[error(
        "cannot read key {0:?}: use a note name and mode such as \"D minor\", \"F# major\" or \"Bbm\""
    )]
    InvalidKey(String),
    /// A `SoundFont` that rustysynth cannot load (SF3 fonts are not supported).
    #[error("cannot load SoundFont: {0} (only uncompressed .sf2 fonts are supported)")]
    SoundFont(String),
    /// The synthesiser failed.
    #[error("synthesis failed: {0}")]
    Synth(String),
    /// Loudness processing failed.
    #[error(transparent)]
    Mix(#[from] nemo_mix::MixError),
    /// MIDI encoding failed.
    #[error("cannot encode MIDI: {0}")]
    Midi(String),
}
