//! `nemo music`: compose and synthesise a background track from the command line.
//!
//! Composition, synthesis and loudness live in `nemo-music`/`nemo-mix` (pure); this module does
//! the IO around them: finding and reading the `SoundFont`, the progress bar, writing WAV (and
//! transcoding to MP3/M4A through the system `ffmpeg`), writing the MIDI file. Files are written
//! to a temporary name next to the target and renamed, so a failed run never leaves a partial
//! file under the requested name.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use nemo_music::{
    FontChoice, Key, LoudnessTarget, Mood, MusicBrief, MusicReport, NO_SOUNDFONT_HINT, NamedMood,
    RenderOptions, SoundFont, Stage, StereoBuffer, Style, TempoSpec,
};

/// Arguments of `nemo music`.
#[derive(Debug, Clone, clap::Args)]
pub struct MusicArgs {
    /// Mood: calm, happy, upbeat, energetic, epic, romantic, sad, dark, tense, dreamy, playful,
    /// nostalgic, inspiring, mysterious (or 平静, 欢快, 动感, 激昂, 浪漫, 悲伤, 紧张, 梦幻 ...), or
    /// "VALENCE,AROUSAL" with both in -1..1.
    #[arg(long, default_value = "calm", allow_hyphen_values = true)]
    pub mood: String,
    /// Style: ambient, piano, lo-fi, pop, cinematic, electronic, acoustic, corporate, chiptune
    /// (default: chosen from the mood).
    #[arg(long)]
    pub style: Option<String>,
    /// Exact length in seconds.
    #[arg(long, default_value_t = 30.0)]
    pub seconds: f64,
    /// Tempo: a BPM ("96") or a range ("90-110") for accent fitting.
    #[arg(long)]
    pub bpm: Option<String>,
    /// Key, e.g. "D minor", "F# major", "Bbm".
    #[arg(long)]
    pub key: Option<String>,
    /// Times in seconds that should land on beats (scene cuts), e.g. 2.0,7.5,12.25.
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub accents: Vec<f64>,
    /// Random seed; the same arguments and seed give the same audio (default: random).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output audio file: .wav, .mp3 or .m4a.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Also write the score as a Standard MIDI File.
    #[arg(long)]
    pub midi: Option<PathBuf>,
    /// General MIDI sound font (.sf2). Default: config, then the SOUNDFONT variable, then system fonts.
    #[arg(long)]
    pub soundfont: Option<PathBuf>,
    /// Integrated loudness target in LUFS (-14 streaming, -23 broadcast).
    #[arg(long, default_value_t = -14.0, allow_hyphen_values = true)]
    pub lufs: f64,
}

/// What `nemo music` produced.
#[derive(Debug, Clone)]
pub struct MusicSummary {
    /// The report of the rendered track (key, tempo, beat grid, loudness ...).
    pub report: MusicReport,
    /// The seed used (print it so the track can be reproduced).
    pub seed: u64,
    /// The audio file written.
    pub output: PathBuf,
    /// The MIDI file written, if requested.
    pub midi: Option<PathBuf>,
    /// Wall-clock time of compose + synthesis + loudness.
    pub render_time: Duration,
    /// A warning to show the user (e.g. no sound font found).
    pub warning: Option<String>,
}

impl MusicSummary {
    /// One line: style, key, BPM, bars, duration, LUFS, true peak, file.
    pub fn line(&self) -> String {
        format!(
            "{} -> {} (seed {})",
            self.report.summary_line(),
            self.output.display(),
            self.seed
        )
    }
}

impl std::fmt::Display for MusicSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.line())
    }
}

/// Output container, from the file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Wav,
    Mp3,
    M4a,
}

fn container(path: &Path) -> Result<Container> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("wav") => Ok(Container::Wav),
        Some("mp3") => Ok(Container::Mp3),
        Some("m4a" | "aac" | "mp4") => Ok(Container::M4a),
        _ => bail!(
            "unsupported output {}: use a .wav, .mp3 or .m4a file name",
            path.display()
        ),
    }
}

/// Runs `nemo music` with no sound font set in the config file.
pub fn run(args: &MusicArgs) -> Result<MusicSummary> {
    run_with_config(args, None)
}

/// Runs `nemo music`; `config_soundfont` is the `soundfont` setting of the config file.
pub fn run_with_config(args: &MusicArgs, config_soundfont: Option<&Path>) -> Result<MusicSummary> {
    let format = container(&args.output)?;
    let seed = args.seed.unwrap_or_else(random_seed);
    let brief = brief_from_args(args, seed)?;
    let env_font = std::env::var_os("SOUNDFONT").map(PathBuf::from);
    let (font, warning) = load_font(
        args.soundfont.as_deref(),
        config_soundfont,
        env_font.as_deref(),
    )?;

    let bar = progress_bar();
    let options = RenderOptions {
        loudness: LoudnessTarget::lufs(args.lufs),
        ..RenderOptions::default()
    };
    let started = Instant::now();
    let rendered = nemo_music::compose_and_render_with_progress(
        &brief,
        font.as_ref(),
        &options,
        &mut |stage, fraction| show_progress(&bar, stage, fraction),
    )
    .context("music generation failed")?;
    let render_time = started.elapsed();
    bar.set_message("writing");
    write_audio(&rendered.pcm, &args.output, format)?;
    if let Some(midi_path) = &args.midi {
        let bytes = nemo_music::to_midi(&rendered.composition)?;
        write_atomically(midi_path, &bytes)?;
    }
    bar.finish_and_clear();
    Ok(MusicSummary {
        report: rendered.report,
        seed,
        output: args.output.clone(),
        midi: args.midi.clone(),
        render_time,
        warning,
    })
}

/// Builds the brief from the command-line arguments.
pub fn brief_from_args(args: &MusicArgs, seed: u64) -> Result<MusicBrief> {
    if !args.seconds.is_finite() || args.seconds <= 0.0 {
        bail!("--seconds must be a positive number, got {}", args.seconds);
    }
    let duration_ms = (args.seconds * 1000.0).round() as u64;
    let mut brief = MusicBrief::new(parse_mood(&args.mood)?, duration_ms);
    brief.seed = seed;
    if let Some(style) = &args.style {
        brief.style = Some(Style::parse(style).with_context(|| {
            format!(
                "unknown style {style:?}: use one of {}",
                Style::ALL.map(Style::name).join(", ")
            )
        })?);
    }
    if let Some(key) = &args.key {
        brief.key = Some(Key::parse(key)?);
    }
    if let Some(bpm) = &args.bpm {
        brief.tempo = parse_tempo(bpm)?;
    }
    brief.accents_ms = args
        .accents
        .iter()
        .filter(|s| s.is_finite() && **s >= 0.0)
        .map(|s| (s * 1000.0).round() as u64)
        .collect();
    Ok(brief)
}

fn parse_mood(text: &str) -> Result<Mood> {
    if let Some(m) = NamedMood::parse(text) {
        return Ok(Mood::Named(m));
    }
    if let Some((v, a)) = text.split_once(',')
        && let (Ok(valence), Ok(arousal)) = (v.trim().parse::<f32>(), a.trim().parse::<f32>())
    {
        return Ok(Mood::ValenceArousal { valence, arousal });
    }
    bail!(
        "unknown mood {text:?}: use one of {} (or 平静, 欢快, 动感, 激昂, 浪漫, 悲伤, 紧张, 梦幻), or VALENCE,AROUSAL such as 0.5,-0.3",
        NamedMood::ALL.map(NamedMood::name).join(", ")
    )
}

fn parse_tempo(text: &str) -> Result<TempoSpec> {
    let bad = || format!("cannot read --bpm {text:?}: use a number like 96 or a range like 90-110");
    if let Some((lo, hi)) = text.split_once('-') {
        let min: f64 = lo.trim().parse().with_context(bad)?;
        let max: f64 = hi.trim().parse().with_context(bad)?;
        return Ok(TempoSpec::Range { min, max });
    }
    Ok(TempoSpec::Bpm(text.trim().parse().with_context(bad)?))
}

/// Finds and parses the sound font; `None` means the built-in synthesiser (with a warning).
fn load_font(
    flag: Option<&Path>,
    config: Option<&Path>,
    env: Option<&Path>,
) -> Result<(Option<SoundFont>, Option<String>)> {
    match nemo_music::find_soundfont(flag, config, env, Path::is_file) {
        FontChoice::Found { path, .. } => {
            let bytes = std::fs::read(&path)
                .with_context(|| format!("cannot read SoundFont {}", path.display()))?;
            let font = SoundFont::from_bytes(&bytes)
                .with_context(|| format!("cannot use SoundFont {}", path.display()))?;
            Ok((Some(font), None))
        }
        FontChoice::Missing { path, source } => bail!(
            "SoundFont {} (from {source:?}) does not exist; fix the path or install one with `sudo apt-get install fluid-soundfont-gm`",
            path.display()
        ),
        FontChoice::None => Ok((None, Some(NO_SOUNDFONT_HINT.to_owned()))),
    }
}

fn random_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    (nanos as u64) ^ u64::from(std::process::id()).rotate_left(32)
}

fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new(1000);
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg:<12} [{bar:30}] {percent:>3}%")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

fn show_progress(bar: &ProgressBar, stage: Stage, fraction: f32) {
    // Composition is instant, synthesis is most of the work, loudness the rest.
    let (label, start, span) = match stage {
        Stage::Compose => ("composing", 0.0, 0.02),
        Stage::Synthesize => ("synthesising", 0.02, 0.83),
        Stage::Loudness => ("loudness", 0.85, 0.15),
    };
    bar.set_message(label);
    bar.set_position(((start + span * fraction.clamp(0.0, 1.0)) * 1000.0) as u64);
}

/// A temporary path next to `path` (same directory, so the final rename is atomic).
fn temp_path(path: &Path, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp{suffix}", std::process::id()))
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = temp_path(path, "");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

fn write_audio(pcm: &StereoBuffer, path: &Path, format: Container) -> Result<()> {
    let wav = temp_path(path, ".wav");
    let result = write_wav(pcm, &wav).and_then(|()| match format {
        Container::Wav => {
            std::fs::rename(&wav, path).with_context(|| format!("cannot write {}", path.display()))
        }
        Container::Mp3 | Container::M4a => transcode(&wav, path, format),
    });
    let _ = std::fs::remove_file(&wav);
    result
}

/// 16-bit PCM WAV. The limiter keeps peaks at or below -1 dBTP, so the conversion cannot clip;
/// the clamp only guards against rounding at full scale.
fn write_wav(pcm: &StereoBuffer, path: &Path) -> Result<()> {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: pcm.sample_rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec)
        .with_context(|| format!("cannot create {}", path.display()))?;
    for (l, r) in pcm.left.iter().zip(&pcm.right) {
        for s in [l, r] {
            let v = (s * 32_767.0).round().clamp(-32_768.0, 32_767.0) as i16;
            writer.write_sample(v)?;
        }
    }
    writer
        .finalize()
        .with_context(|| format!("cannot finish {}", path.display()))
}

fn transcode(wav: &Path, path: &Path, format: Container) -> Result<()> {
    let ext = if format == Container::Mp3 {
        "mp3"
    } else {
        "m4a"
    };
    let out = temp_path(path, &format!(".{ext}"));
    let codec: &[&str] = match format {
        Container::Mp3 => &["-c:a", "libmp3lame", "-b:a", "192k"],
        _ => &["-c:a", "aac", "-b:a", "192k", "-movflags", "+faststart"],
    };
    let output = Command::new("ffmpeg")
        .args(["-y", "-hide_banner", "-loglevel", "error", "-i"])
        .arg(wav)
        .args(codec)
        .arg(&out)
        .output()
        .context("cannot run ffmpeg (install it with `sudo apt-get install ffmpeg`)")?;
    if !output.status.success() {
        let _ = std::fs::remove_file(&out);
        bail!(
            "ffmpeg could not encode {}: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    std::fs::rename(&out, path).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> MusicArgs {
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            music: MusicArgs,
        }
        let mut argv = vec!["nemo", "-o", "x.wav"];
        argv.extend_from_slice(extra);
        <Cli as clap::Parser>::parse_from(argv).music
    }

    #[test]
    fn arguments_become_a_brief() {
        let a = args(&[
            "--mood",
            "悲伤",
            "--style",
            "piano",
            "--seconds",
            "12.5",
            "--bpm",
            "80-90",
            "--key",
            "D minor",
            "--accents",
            "2.0,7.5",
        ]);
        let b = brief_from_args(&a, 5).unwrap();
        assert_eq!(b.mood, Mood::Named(NamedMood::Sad));
        assert_eq!(b.style, Some(Style::Piano));
        assert_eq!(b.duration_ms, 12_500);
        assert_eq!(
            b.tempo,
            TempoSpec::Range {
                min: 80.0,
                max: 90.0
            }
        );
        assert_eq!(b.key.unwrap().to_string(), "D minor");
        assert_eq!(b.accents_ms, vec![2_000, 7_500]);
        assert_eq!(b.seed, 5);
        let v = brief_from_args(&args(&["--mood", "0.5,-0.3"]), 1).unwrap();
        assert_eq!(
            v.mood,
            Mood::ValenceArousal {
                valence: 0.5,
                arousal: -0.3
            }
        );
    }

    #[test]
    fn bad_arguments_are_explained() {
        let err = brief_from_args(&args(&["--mood", "grumpy"]), 1).unwrap_err();
        assert!(err.to_string().contains("calm"));
        assert!(brief_from_args(&args(&["--style", "polka"]), 1).is_err());
        assert!(brief_from_args(&args(&["--bpm", "fast"]), 1).is_err());
        assert!(container(Path::new("a.ogg")).is_err());
    }
}
