//! `nemo analyze CLIPS [--json] [--nudge TEXT]`: what the music would be matched to.
//!
//! Runs the embedded analysis (`nemo_engine::analyze`: one low-resolution ffmpeg decode per
//! clip) locally; no API connection is needed. Without `--json` it prints one readable line per
//! clip, e.g. "bright, warm, fast-moving, 14 cuts, speech 0:12-0:31 -> upbeat, 118 BPM, C major",
//! plus a line for all clips together when there are several.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result};
use nemo_analysis::{VideoProfile, apply_nudge, combine, parse_nudge, suggest_music};
use nemo_engine::analyze::analyze_clip;

/// Arguments of `nemo analyze`.
#[derive(Debug, Clone, clap::Args)]
pub struct AnalyzeArgs {
    /// Video clips (or images / audio files) to analyse, in playback order.
    #[arg(required = true)]
    pub clips: Vec<PathBuf>,
    /// Print the full analysis as JSON: the profile for one clip, or
    /// `{"clips": [...], "combined": {...}}` for several. Set from the global `--json`.
    #[arg(skip)]
    pub json: bool,
    /// Adjust the mood in words, as a user would ("but calmer", "更欢快一点").
    #[arg(long)]
    pub nudge: Option<String>,
}

/// Analyses the clips and returns the text to print (JSON or a summary).
pub async fn run(args: AnalyzeArgs) -> Result<String> {
    let mut profiles = Vec::with_capacity(args.clips.len());
    for clip in &args.clips {
        let profile = analyze_clip(clip)
            .await
            .with_context(|| format!("analysing {}", clip.display()))?;
        profiles.push(profile);
    }
    if let Some(text) = &args.nudge {
        for profile in &mut profiles {
            nudge_profile(profile, text);
        }
    }
    let mut combined = combine(&profiles).context("no clips given")?;
    if let Some(text) = &args.nudge
        && profiles.len() > 1
    {
        nudge_profile(&mut combined, text);
    }
    if args.json {
        let json = if profiles.len() == 1 {
            serde_json::to_string_pretty(&profiles[0])
        } else {
            serde_json::to_string_pretty(
                &serde_json::json!({ "clips": profiles, "combined": combined }),
            )
        };
        return json.context("encoding the analysis as JSON");
    }
    Ok(summary_lines(&args.clips, &profiles, &combined))
}

fn nudge_profile(profile: &mut VideoProfile, text: &str) {
    profile.mood = apply_nudge(&profile.mood, parse_nudge(text));
    profile.music = suggest_music(&profile.mood);
}

fn summary_lines(clips: &[PathBuf], profiles: &[VideoProfile], combined: &VideoProfile) -> String {
    if let [only] = profiles {
        return only.summary();
    }
    let mut text = String::new();
    for (clip, profile) in clips.iter().zip(profiles) {
        let name = clip.file_name().map_or_else(
            || clip.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let _ = writeln!(text, "{name}: {}", profile.summary());
    }
    let _ = write!(text, "all {} clips: {}", profiles.len(), combined.summary());
    text
}
