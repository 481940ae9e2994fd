//! Generated visuals for prompts without footage: a 1080p video whose picture follows the
//! music. These are abstract, generated pictures (callers must say so to the user).
//!
//! One ffmpeg run builds the picture from the composed track:
//!
//! - a slowly turning colour gradient (`gradients`) in a palette chosen from the mood
//!   ([`palette_for_mood`]), drawn at quarter size and scaled up (smooth gradients lose nothing);
//! - beat sync: brightness pulses on every beat (`eq` with a decaying expression over the beat
//!   period) and the hue steps at every downbeat (`hue` with a bar-stepped expression), both
//!   evaluated from the music's beat grid, so the changes land on the beats one hears;
//! - an audio-reactive layer drawn from the music itself (`showwaves`, `showspectrum` or
//!   `avectorscope`) overlaid on the gradient;
//! - the title (from the prompt) with `drawtext` reading a text file (`textfile=`,
//!   `expansion=none`), so no user text passes through filter escaping; `DejaVu Sans` for Latin
//!   text, a CJK font for Chinese;
//! - H.264 High yuv420p + AAC 48 kHz stereo, `+faststart`, exact requested length, written to a
//!   temp file and renamed after ffprobe verification.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use tokio_util::sync::CancellationToken;

use crate::render::font_option;
use crate::render::{
    EncodeSettings, OUTPUT_HEIGHT, OUTPUT_SAMPLE_RATE, OUTPUT_WIDTH, RenderError,
    escape_filter_value, verify_output,
};
use crate::segments::x264_args;
use crate::{AtomicOutput, Ffmpeg, MediaError, MediaInfo, Progress};

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb {
    /// Red.
    pub r: u8,
    /// Green.
    pub g: u8,
    /// Blue.
    pub b: u8,
}

impl Rgb {
    /// `0xRRGGBB` as ffmpeg colour syntax.
    pub fn hex(self) -> String {
        format!("0x{:02X}{:02X}{:02X}", self.r, self.g, self.b)
    }

    /// From hue (degrees), saturation and value (0..=1).
    #[allow(clippy::many_single_char_names)] // the textbook HSV formula's names
    pub fn from_hsv(hue: f32, saturation: f32, value: f32) -> Self {
        let h = hue.rem_euclid(360.0) / 60.0;
        let s = saturation.clamp(0.0, 1.0);
        let v = value.clamp(0.0, 1.0);
        let c = v * s;
        let x = c * (1.0 - (h % 2.0 - 1.0).abs());
        let (r, g, b) = match h as u32 {
            0 => (c, x, 0.0),
            1 => (x, c, 0.0),
            2 => (0.0, c, x),
            3 => (0.0, x, c),
            4 => (x, 0.0, c),
            _ => (c, 0.0, x),
        };
        let m = v - c;
        let byte = |u: f32| ((u + m) * 255.0).round().clamp(0.0, 255.0) as u8;
        Self {
            r: byte(r),
            g: byte(g),
            b: byte(b),
        }
    }
}

/// Colours of a generated video.
#[derive(Debug, Clone, PartialEq)]
pub struct Palette {
    /// Gradient colours (3).
    pub colors: [Rgb; 3],
    /// Colour of the audio-reactive layer.
    pub accent: Rgb,
    /// Base hue in degrees (for descriptions).
    pub hue: f32,
}

/// The palette for a mood on the valence/arousal plane (each -1..=1):
///
/// | mood                      | hue                         | saturation / value |
/// |---------------------------|-----------------------------|--------------------|
/// | positive (valence 1)      | warm: 30° (amber/orange)    |                    |
/// | neutral (valence 0)       | 160° (teal)                 |                    |
/// | negative (valence -1)     | cool: 250° (indigo)         |                    |
/// | excited (arousal 1)       | +-50° spread between colours | vivid, bright      |
/// | calm (arousal -1)         | +-20° spread (analogous)     | soft, darker       |
pub fn palette_for_mood(valence: f32, arousal: f32) -> Palette {
    let v = if valence.is_nan() {
        0.0
    } else {
        valence.clamp(-1.0, 1.0)
    };
    let a = if arousal.is_nan() {
        0.0
    } else {
        arousal.clamp(-1.0, 1.0)
    };
    // Piecewise-linear hue: 250 (v=-1) -> 160 (v=0) -> 30 (v=1).
    let hue = if v >= 0.0 {
        160.0 - 130.0 * v
    } else {
        160.0 - 90.0 * v
    };
    let spread = 35.0 + 15.0 * a;
    let saturation = 0.55 + 0.3 * (a + 1.0) / 2.0;
    let value = 0.45 + 0.35 * (a + 1.0) / 2.0;
    Palette {
        colors: [
            Rgb::from_hsv(hue, saturation, value),
            Rgb::from_hsv(hue + spread, saturation * 0.9, value * 0.8),
            Rgb::from_hsv(hue - spread, saturation, value * 0.6),
        ],
        accent: Rgb::from_hsv(hue + 180.0, 0.25, 1.0),
        hue,
    }
}

/// The audio-reactive layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reactive {
    /// A waveform band across the lower part of the picture.
    #[default]
    Waves,
    /// A scrolling spectrum band.
    Spectrum,
    /// A stereo vectorscope in the centre.
    Scope,
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct VisualsSpec {
    /// The composed music (any file ffmpeg reads; WAV from the composer).
    pub music: PathBuf,
    /// Exact length of the video.
    pub duration_ms: u64,
    /// Every beat of the music (ms).
    pub beat_times_ms: Vec<f64>,
    /// Every downbeat of the music (ms).
    pub downbeat_times_ms: Vec<f64>,
    /// Colours.
    pub palette: Palette,
    /// Title drawn over the picture.
    pub title: Option<String>,
    /// Audio-reactive layer.
    pub reactive: Reactive,
    /// Output frame rate.
    pub fps: u32,
    /// Encoder settings.
    pub encode: EncodeSettings,
}

/// A regular pulse: period and the time of one pulse, both in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pulse {
    /// Seconds between pulses.
    pub period: f64,
    /// Time of a pulse.
    pub phase: f64,
}

impl Pulse {
    /// The regular grid through `times_ms` (median spacing, anchored on the first time);
    /// `fallback_period` seconds from 0 when there are fewer than two.
    pub fn through(times_ms: &[f64], fallback_period: f64) -> Self {
        let mut gaps: Vec<f64> = times_ms
            .windows(2)
            .map(|w| (w[1] - w[0]) / 1000.0)
            .filter(|g| *g > 0.0)
            .collect();
        gaps.sort_by(f64::total_cmp);
        let period = gaps.get(gaps.len() / 2).copied().unwrap_or(fallback_period);
        let phase = times_ms.first().map_or(0.0, |t| t / 1000.0);
        Self {
            period: period.max(0.05),
            phase,
        }
    }

    /// Expression for the time since the last pulse, in seconds (`t` is the frame time).
    fn since_expr(self) -> String {
        // Shifting by many periods keeps mod()'s argument positive before the first pulse.
        format!(
            "mod(t-{:.6}+{:.6},{:.6})",
            self.phase,
            self.period * 1000.0,
            self.period
        )
    }

    /// Expression counting pulses since the first one.
    fn count_expr(self) -> String {
        format!(
            "floor((t-{:.6}+{:.6})/{:.6})",
            self.phase,
            self.period * 1000.0,
            self.period
        )
    }
}

/// The filter graph of [`generate_visuals`] (input 0 is the music). `title_file` holds the title.
pub fn visuals_graph(spec: &VisualsSpec, title_file: Option<&Path>) -> String {
    let (w, h) = (OUTPUT_WIDTH, OUTPUT_HEIGHT);
    let seconds = spec.duration_ms as f64 / 1000.0;
    let fps = spec.fps.max(1);
    let beat = Pulse::through(&spec.beat_times_ms, 0.5);
    let bar = Pulse::through(&spec.downbeat_times_ms, beat.period * 4.0);
    let [c0, c1, c2] = spec.palette.colors;
    let mut graph = format!(
        "gradients=s={qw}x{qh}:r={fps}:d={d}:n=3:c0={c0}:c1={c1}:c2={c2}:speed=0.012:seed=7,\
         hue=h='{step}*35+t*4':s='1+0.35*exp(-4*{since_bar}/{beat_p:.6})',\
         eq=brightness='0.14*exp(-5*{since_beat}/{beat_p:.6})':eval=frame,\
         scale={w}:{h}:flags=bilinear,format=yuv420p,setsar=1[bg];",
        qw = w / 4,
        qh = h / 4,
        d = format_secs(seconds),
        c0 = c0.hex(),
        c1 = c1.hex(),
        c2 = c2.hex(),
        step = bar.count_expr(),
        since_bar = bar.since_expr(),
        since_beat = beat.since_expr(),
        beat_p = beat.period,
    );
    let accent = spec.palette.accent.hex();
    let (layer, x, y) = match spec.reactive {
        Reactive::Waves => (
            format!(
                "showwaves=s={w}x{}:mode=cline:rate={fps}:scale=sqrt:colors={accent}@0.85",
                h / 3
            ),
            "0".to_owned(),
            format!("{}", h - h / 3 - h / 12),
        ),
        Reactive::Spectrum => (
            format!(
                "showspectrum=s={w}x{}:slide=scroll:mode=combined:color=intensity:scale=cbrt:fps={fps},\
                 format=yuva420p,colorchannelmixer=aa=0.55",
                h / 4
            ),
            "0".to_owned(),
            format!("{}", h - h / 4),
        ),
        Reactive::Scope => (
            format!(
                "avectorscope=s={s}x{s}:r={fps}:zoom=1.5:draw=line:rc=255:gc=255:bc=255:rf=40:gf=40:bf=40,\
                 format=yuva420p,colorchannelmixer=aa=0.7",
                s = h / 2
            ),
            format!("{}", (w - h / 2) / 2),
            format!("{}", h / 4),
        ),
    };
    let _ = write!(
        graph,
        "[0:a]aformat=channel_layouts=stereo,{layer}[fx];\
         [bg][fx]overlay=x={x}:y={y}:shortest=1:format=yuv420"
    );
    if let (Some(title), Some(file)) = (spec.title.as_deref(), title_file) {
        let _ = write!(
            graph,
            ",drawtext={font}:textfile={file}:expansion=none:fontsize={size}:fontcolor=white:\
             alpha='min(1,t/1.2)':borderw=5:bordercolor=black@0.45:shadowx=4:shadowy=4:\
             shadowcolor=black@0.35:x=(w-text_w)/2:y=(h-text_h)/2-{lift}",
            font = font_option(title),
            file = escape_filter_value(&file.to_string_lossy()),
            size = title_size(title),
            lift = h / 10,
        );
    }
    graph.push_str(",format=yuv420p[v]");
    graph
}

/// Smaller type for long titles so they fit the width.
fn title_size(title: &str) -> u32 {
    let chars = title.chars().count().max(1) as u32;
    let wide = title.chars().filter(|c| !c.is_ascii()).count() as u32;
    // Roughly 0.55 em per Latin character and 1 em per CJK character across 85% of the width.
    let ems = (chars - wide) as f32 * 0.55 + wide as f32;
    ((OUTPUT_WIDTH as f32 * 0.85 / ems.max(1.0)) as u32).clamp(40, 140)
}

fn format_secs(seconds: f64) -> String {
    format!("{:.6}", seconds.max(0.0))
}

/// ffmpeg arguments of [`generate_visuals`], without the output path.
pub fn visuals_args(spec: &VisualsSpec, title_file: Option<&Path>) -> Vec<OsString> {
    let seconds = format_secs(spec.duration_ms as f64 / 1000.0);
    let mut args: Vec<OsString> = vec!["-i".into(), spec.music.as_os_str().to_owned()];
    let audio = format!(
        "[0:a]aresample={OUTPUT_SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo,\
         apad,atrim=duration={seconds}[a]"
    );
    args.extend([
        "-filter_complex".into(),
        format!("{};{audio}", visuals_graph(spec, title_file)).into(),
        "-map".into(),
        "[v]".into(),
        "-map".into(),
        "[a]".into(),
    ]);
    args.extend(x264_args(&spec.encode, spec.fps.max(1)));
    args.extend(
        [
            "-c:a",
            "aac",
            "-b:a",
            &format!("{}k", spec.encode.audio_kbps),
            "-ar",
            &OUTPUT_SAMPLE_RATE.to_string(),
            "-ac",
            "2",
            "-t",
            &seconds,
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
        ]
        .map(OsString::from),
    );
    args
}

/// Renders the generated video to `output` (`.mp4`), verified with ffprobe (H.264 1080p, AAC
/// 48 kHz stereo, the requested length); on failure `output` is untouched.
///
/// # Cancel safety
/// Dropping the future kills ffmpeg and removes the partial file.
pub async fn generate_visuals(
    spec: &VisualsSpec,
    output: &Path,
    work_dir: &Path,
    cancel: CancellationToken,
    on_progress: impl FnMut(Progress) + Send,
) -> Result<MediaInfo, RenderError> {
    tokio::fs::create_dir_all(work_dir)
        .await
        .map_err(|source| MediaError::io("creating", work_dir, source))?;
    let title_file = match spec.title.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(title) => {
            let file = work_dir.join("title.txt");
            tokio::fs::write(&file, title.trim().as_bytes())
                .await
                .map_err(|source| MediaError::io("writing", &file, source))?;
            Some(file)
        }
        None => None,
    };
    let target = AtomicOutput::new(output)?;
    Ffmpeg::new()
        .args(visuals_args(spec, title_file.as_deref()))
        .total_duration_ms(spec.duration_ms)
        .cancel_on(cancel)
        .arg(target.temp_path())
        .run_with_progress(on_progress)
        .await?;
    let info = verify_output(target.temp_path(), spec.duration_ms).await?;
    target.commit().await?;
    Ok(info)
}

#[cfg(test)]
mod tests;
