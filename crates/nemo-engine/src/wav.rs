//! Composed music as WAV bytes, for the media store and the renderers.

use std::io::Cursor;

/// 16-bit stereo PCM WAV of `pcm` in memory (samples clamped to full scale).
pub(crate) fn encode_wav(pcm: &nemo_music::StereoBuffer) -> Result<Vec<u8>, hound::Error> {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: pcm.sample_rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut out = Cursor::new(Vec::with_capacity(pcm.frames() * 4 + 64));
    {
        let mut writer = hound::WavWriter::new(&mut out, spec)?;
        for (l, r) in pcm.left.iter().zip(&pcm.right) {
            writer.write_sample((l.clamp(-1.0, 1.0) * f32::from(i16::MAX)) as i16)?;
            writer.write_sample((r.clamp(-1.0, 1.0) * f32::from(i16::MAX)) as i16)?;
        }
        writer.finalize()?;
    }
    Ok(out.into_inner())
}
