//! The one place that runs ffmpeg and ffprobe.
//!
//! - [`tools`]: finds the binaries (`NEMO_FFMPEG`/`NEMO_FFPROBE` override `PATH`).
//! - [`probe`]: ffprobe metadata as [`MediaInfo`].
//! - [`Ffmpeg`]: async runner with `-progress` reports, cancellation and atomic outputs.
//! - [`transcode_audio`], [`extract_pcm`]: audio helpers.
//! - [`FrameDecoder`]: one streaming low-res decode pass (frames + PCM taps) for analysis.
//! - `testing` (feature `testing`): lavfi/espeak-ng generators for test media.

mod audio;
mod decode;
mod error;
mod ffmpeg;
pub mod generate;
mod probe;
mod process;
pub mod render;
pub mod segments;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod tools;

pub use audio::{
    audio_codec_args, extract_pcm, extract_pcm_i16, transcode_audio, transcode_audio_with_progress,
};
pub use decode::{
    DecodeOptions, DecodedAudio, FrameDecoder, MIX_SAMPLE_RATE, RgbFrame, VAD_SAMPLE_RATE,
};
pub use error::MediaError;
pub use ffmpeg::{AtomicOutput, Ffmpeg, Progress, ProgressParser};
pub use probe::{AudioStream, MediaInfo, VideoStream, parse_probe_json, probe};
pub use tools::{Tools, tools};

#[cfg(test)]
mod tests;
