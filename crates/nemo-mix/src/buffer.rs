//! Planar stereo PCM, the one audio type passed between nemo's audio crates.

/// The sample rate every nemo audio buffer uses unless stated otherwise (48 kHz, video standard).
pub const SAMPLE_RATE: u32 = 48_000;

/// Planar stereo `f32` PCM; `left` and `right` always have the same length.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StereoBuffer {
    /// Frames per second.
    pub sample_rate: u32,
    /// Left channel samples, nominally within -1.0..=1.0.
    pub left: Vec<f32>,
    /// Right channel samples, nominally within -1.0..=1.0.
    pub right: Vec<f32>,
}

impl StereoBuffer {
    /// A silent buffer of `frames` frames.
    pub fn silent(sample_rate: u32, frames: usize) -> Self {
        Self {
            sample_rate,
            left: vec![0.0; frames],
            right: vec![0.0; frames],
        }
    }

    /// Builds a buffer from two channels, truncating the longer one so both match.
    pub fn from_channels(sample_rate: u32, mut left: Vec<f32>, mut right: Vec<f32>) -> Self {
        let frames = left.len().min(right.len());
        left.truncate(frames);
        right.truncate(frames);
        Self {
            sample_rate,
            left,
            right,
        }
    }

    /// Builds a buffer from interleaved `L R L R ...` samples (a trailing odd sample is dropped).
    pub fn from_interleaved(sample_rate: u32, samples: &[f32]) -> Self {
        let (left, right) = samples.chunks_exact(2).map(|f| (f[0], f[1])).unzip();
        Self {
            sample_rate,
            left,
            right,
        }
    }

    /// Number of frames (samples per channel).
    pub fn frames(&self) -> usize {
        self.left.len().min(self.right.len())
    }

    /// Length in milliseconds (fractional).
    pub fn duration_ms(&self) -> f64 {
        if self.sample_rate == 0 {
            return 0.0;
        }
        self.frames() as f64 * 1000.0 / f64::from(self.sample_rate)
    }

    /// Interleaved `L R L R ...` samples, e.g. for a WAV writer.
    pub fn interleaved(&self) -> Vec<f32> {
        self.left
            .iter()
            .zip(&self.right)
            .flat_map(|(l, r)| [*l, *r])
            .collect()
    }

    /// Multiplies every sample by `gain`.
    pub fn scale(&mut self, gain: f32) {
        for s in self.left.iter_mut().chain(self.right.iter_mut()) {
            *s *= gain;
        }
    }

    /// Largest absolute sample value over both channels.
    pub fn sample_peak(&self) -> f32 {
        self.left
            .iter()
            .chain(&self.right)
            .fold(0.0_f32, |m, s| m.max(s.abs()))
    }

    /// Resizes both channels to `frames`, padding with silence.
    pub fn resize(&mut self, frames: usize) {
        self.left.resize(frames, 0.0);
        self.right.resize(frames, 0.0);
    }

    /// Converts a time in milliseconds to a frame index at this buffer's rate (rounded).
    pub fn ms_to_frame(&self, ms: f64) -> usize {
        (ms.max(0.0) * f64::from(self.sample_rate) / 1000.0).round() as usize
    }
}
