//! `bench montage`: a 60 s montage of five 20 s grainy 1080p30 H.264 clips.
//!
//! - nemo: `nemo_engine::montage::make_montage` in-process (analysis of every clip, layout,
//!   composed music, beat-snapped cuts, smart rendering through `nemo_media::segments`); its
//!   stage timings (analysis / music / render) are printed after the ratios.
//! - (a) the naive floor: one hand-written ffmpeg filtergraph that trims 12 s of each clip
//!   (4-16 s), scales, concatenates, adds a music file, libx264 `-preset veryfast`.
//! - (b) MoviePy 2 doing the same cuts with the same preset, in a venv under
//!   `target/bench-venv` (skipped with a message when it cannot be installed).
//!
//! Quality: SSIM (ffmpeg `ssim`) of each output against the same cuts taken from the sources
//! (nemo's own cuts for nemo, 4-16 s of each clip for the peers).
//! Targets (issue 7): >= 3x faster than MoviePy, >= 1.5x faster than the filtergraph, SSIM not
//! lower by more than 0.01.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use nemo_engine::montage::{MontageOptions, MontageOutcome, StageTimings, make_montage};
use nemo_media::render::EncodeSettings;
use tokio_util::sync::CancellationToken;

use super::{
    Ctx, Table, lavfi_h264, probe_seconds, ratio, run_ffmpeg, runtime, secs, strings, time_command,
};

/// The five looks (lavfi sources); moving patterns so no stretch is frozen.
const LOOKS: [&str; 5] = ["testsrc2", "testsrc", "life", "cellauto", "smptehdbars"];
/// Each peer cut: `CUT_START` .. `CUT_START + CUT_SECONDS` of every clip.
const CUT_START: f64 = 4.0;
const CUT_SECONDS: f64 = 12.0;
const FPS: f64 = 30.0;

/// One measured way of making the montage.
struct Contender {
    name: &'static str,
    time: Option<Duration>,
    ssim: Option<f64>,
    seconds: Option<f64>,
    note: String,
}

pub(crate) fn run(ctx: &Ctx) -> Result<()> {
    let clips = montage_clips(ctx)?;
    let music = ctx.music_wav()?;
    let work = ctx.work_dir("montage")?;
    let peer_cuts: Vec<Cut> = clips
        .iter()
        .map(|c| Cut {
            source: c.clone(),
            start_frame: (CUT_START * FPS) as u64,
            frames: (CUT_SECONDS * FPS) as u64,
        })
        .collect();

    eprintln!("bench montage: nemo");
    let (nemo, nemo_stages) = nemo_montage(&clips, &work)?;
    eprintln!("bench montage: ffmpeg filtergraph");
    let filtergraph_out = work.join("filtergraph.mp4");
    let filtergraph_time = filtergraph(&clips, &music, &filtergraph_out)?;
    let filtergraph = Contender {
        name: "(a) ffmpeg filtergraph",
        time: Some(filtergraph_time),
        ssim: Some(ssim(&filtergraph_out, &peer_cuts)?),
        seconds: Some(probe_seconds(&filtergraph_out)?),
        note: "trim 4-16 s, scale, concat, music; libx264 veryfast".to_owned(),
    };
    eprintln!("bench montage: MoviePy");
    let moviepy = moviepy(ctx, &clips, &music, &work, &peer_cuts);

    let mut table = Table::new(&["contender", "time", "SSIM vs its cuts", "output", "notes"]);
    for c in [&nemo, &filtergraph, &moviepy] {
        table.row(vec![
            c.name.to_owned(),
            c.time.map_or_else(|| "-".to_owned(), secs),
            c.ssim.map_or_else(|| "-".to_owned(), |s| format!("{s:.4}")),
            c.seconds
                .map_or_else(|| "-".to_owned(), |s| format!("{s:.3} s")),
            c.note.clone(),
        ]);
    }
    table.print(
        "bench montage: 60 s of 5 x 20 s 1920x1080 30 fps H.264 clips (noise=alls=8:allf=t, 2 s GOPs)",
    );
    let mut ratios = Table::new(&["ratio", "value", "target"]);
    if let Some(ours) = nemo.time {
        ratios.row(vec![
            "filtergraph / nemo".to_owned(),
            ratio(filtergraph_time, ours),
            ">= 1.5x".to_owned(),
        ]);
        if let Some(theirs) = moviepy.time {
            ratios.row(vec![
                "MoviePy / nemo".to_owned(),
                ratio(theirs, ours),
                ">= 3x".to_owned(),
            ]);
        }
    }
    if let (Some(ours), Some(theirs)) = (nemo.ssim, filtergraph.ssim) {
        ratios.row(vec![
            "SSIM nemo - filtergraph".to_owned(),
            format!("{:+.4}", ours - theirs),
            ">= -0.01".to_owned(),
        ]);
    }
    ratios.print("bench montage: ratios");
    if let Some(t) = nemo_stages {
        let mut stages = Table::new(&["nemo stage", "time", "share"]);
        let total = t.analysis + t.music + t.render;
        for (name, time) in [
            (
                "analysis (probe + sampled decode of every clip)",
                t.analysis,
            ),
            ("music (layout, compose, WAV, plan)", t.music),
            ("render (segments: copy + encode + concat + mux)", t.render),
        ] {
            stages.row(vec![
                name.to_owned(),
                secs(time),
                format!(
                    "{:.0}%",
                    100.0 * time.as_secs_f64() / total.as_secs_f64().max(1e-9)
                ),
            ]);
        }
        stages.print("bench montage: nemo stage timings");
    }
    Ok(())
}

/// `target/bench-media/montage-<i>.mp4`: 20 s grainy 1080p30 clips in five looks.
fn montage_clips(ctx: &Ctx) -> Result<Vec<PathBuf>> {
    LOOKS
        .iter()
        .enumerate()
        .map(|(i, look)| {
            let picture = format!("{look}=s=1920x1080:r=30,noise=alls=8:allf=t");
            ctx.media_file(
                &format!("montage-{i}-{look}.mp4"),
                "a grainy 20 s 1080p30 montage clip",
                &lavfi_h264(&picture, 20.0),
            )
        })
        .collect()
}

/// A stretch of a source, in frames (30 fps sources).
struct Cut {
    source: PathBuf,
    start_frame: u64,
    frames: u64,
}

fn nemo_montage(clips: &[PathBuf], work: &Path) -> Result<(Contender, Option<StageTimings>)> {
    let out = work.join("nemo.mp4");
    let started = Instant::now();
    let outcome: MontageOutcome = runtime()?.block_on(make_montage(
        clips,
        &MontageOptions::new(60_000),
        EncodeSettings::default(),
        &out,
        &work.join("nemo-work"),
        CancellationToken::new(),
        |_| {},
    ))?;
    let time = started.elapsed();
    let cuts: Vec<Cut> = outcome
        .plan
        .shots
        .iter()
        .map(|shot| Cut {
            source: clips[shot.source].clone(),
            start_frame: shot.in_frame,
            frames: shot.frames,
        })
        .collect();
    let report = &outcome.report;
    let contender = Contender {
        name: "nemo make_montage",
        time: Some(time),
        ssim: Some(ssim(&out, &cuts)?),
        seconds: Some(probe_seconds(&out)?),
        note: format!(
            "{} shots, {} of {} frames copied, {} pieces, music {}",
            outcome.plan.shots.len(),
            report.copied_frames,
            report.frames,
            report.pieces,
            outcome.music.name
        ),
    };
    Ok((contender, Some(outcome.timings)))
}

/// (a): the single-filtergraph montage.
fn filtergraph(clips: &[PathBuf], music: &Path, out: &Path) -> Result<Duration> {
    let mut args: Vec<String> = Vec::new();
    let mut graph = String::new();
    for (i, clip) in clips.iter().enumerate() {
        args.extend(["-i".to_owned(), clip.display().to_string()]);
        let _ = write!(
            graph,
            "[{i}:v]trim=start={CUT_START}:end={},setpts=PTS-STARTPTS,scale=1920:1080,setsar=1[v{i}];",
            CUT_START + CUT_SECONDS
        );
    }
    args.extend(["-i".to_owned(), music.display().to_string()]);
    for i in 0..clips.len() {
        let _ = write!(graph, "[v{i}]");
    }
    let _ = write!(graph, "concat=n={}:v=1:a=0[v]", clips.len());
    args.extend(strings(&[
        "-filter_complex",
        &graph,
        "-map",
        "[v]",
        "-map",
        &format!("{}:a", clips.len()),
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-shortest",
    ]));
    args.push(out.display().to_string());
    run_ffmpeg(&args)
}

/// (b): MoviePy 2 in `target/bench-venv`.
fn moviepy(ctx: &Ctx, clips: &[PathBuf], music: &Path, work: &Path, cuts: &[Cut]) -> Contender {
    let mut contender = Contender {
        name: "(b) MoviePy 2",
        time: None,
        ssim: None,
        seconds: None,
        note: String::new(),
    };
    let python = match moviepy_venv(ctx) {
        Ok(python) => python,
        Err(e) => {
            contender.note = format!("skipped: MoviePy could not be installed ({e:#})");
            eprintln!("bench montage: {}", contender.note);
            return contender;
        }
    };
    let script = work.join("moviepy_montage.py");
    let out = work.join("moviepy.mp4");
    let result = std::fs::write(&script, MOVIEPY_SCRIPT)
        .context("writing the MoviePy script")
        .and_then(|()| {
            let mut command = Command::new(&python);
            command.arg(&script).args(clips).arg(music).arg(&out);
            command
                .arg(CUT_START.to_string())
                .arg(CUT_SECONDS.to_string());
            // The same ffmpeg as the other contenders, not the one imageio-ffmpeg bundles.
            if let Ok(ffmpeg) = which_ffmpeg() {
                command.env("IMAGEIO_FFMPEG_EXE", ffmpeg);
            }
            time_command(&mut command).map(|(t, _)| t)
        });
    match result {
        Ok(time) => {
            contender.time = Some(time);
            contender.seconds = probe_seconds(&out).ok();
            contender.ssim = ssim(&out, cuts).ok();
            contender.note = format!("{} cuts, libx264 veryfast", clips.len());
        }
        Err(e) => contender.note = format!("failed: {e:#}"),
    }
    contender
}

const MOVIEPY_SCRIPT: &str = r#"
import sys
from moviepy import AudioFileClip, VideoFileClip, concatenate_videoclips

*clips, music, out, start, seconds = sys.argv[1:]
start, seconds = float(start), float(seconds)
parts = [VideoFileClip(p).subclipped(start, start + seconds) for p in clips]
video = concatenate_videoclips(parts)
video = video.with_audio(AudioFileClip(music).subclipped(0, video.duration))
video.write_videofile(out, codec="libx264", preset="veryfast", audio_codec="aac", fps=30, logger=None)
"#;

/// The venv's python with MoviePy 2 installed (created on first use).
fn moviepy_venv(ctx: &Ctx) -> Result<PathBuf> {
    let venv = ctx
        .media
        .parent()
        .map_or_else(|| PathBuf::from("target"), Path::to_path_buf)
        .join("bench-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        eprintln!("bench montage: creating {}", venv.display());
        time_command(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    let has_moviepy = Command::new(&python)
        .args([
            "-c",
            "import moviepy, sys; sys.exit(0 if moviepy.__version__.startswith('2') else 1)",
        ])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_moviepy {
        eprintln!(
            "bench montage: pip install moviepy 2 into {}",
            venv.display()
        );
        time_command(Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "moviepy>=2,<3",
        ]))?;
    }
    Ok(python)
}

fn which_ffmpeg() -> Result<PathBuf> {
    let output = Command::new("sh")
        .args(["-c", "command -v ffmpeg"])
        .output()?;
    let path = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if path.is_empty() {
        bail!("ffmpeg is not on PATH");
    }
    Ok(PathBuf::from(path))
}

/// Mean SSIM (all planes) of `output` against `cuts` taken from the sources and joined: each
/// cut is seeked to (accurate seek, half a frame early so rounding never skips a frame) and
/// trimmed to its frame count.
fn ssim(output: &Path, cuts: &[Cut]) -> Result<f64> {
    let mut command = Command::new("ffmpeg");
    command.args(["-hide_banner", "-nostdin", "-nostats", "-i"]);
    command.arg(output);
    let mut graph = String::new();
    for (i, cut) in cuts.iter().enumerate() {
        let start = (cut.start_frame as f64 - 0.5).max(0.0) / FPS;
        command.args(["-ss", &format!("{start:.6}"), "-i"]);
        command.arg(&cut.source);
        let _ = write!(
            graph,
            "[{}:v]trim=end_frame={},setpts=PTS-STARTPTS,scale=1920:1080,setsar=1[r{i}];",
            i + 1,
            cut.frames
        );
    }
    for i in 0..cuts.len() {
        let _ = write!(graph, "[r{i}]");
    }
    let _ = write!(
        graph,
        "concat=n={}:v=1:a=0[ref];[0:v]setpts=PTS-STARTPTS,setsar=1[out];[out][ref]ssim",
        cuts.len()
    );
    command.args(["-filter_complex", &graph, "-an", "-f", "null", "-"]);
    let (_, stderr) = time_command(&mut command)?;
    stderr
        .lines()
        .filter_map(|l| l.split("All:").nth(1))
        .filter_map(|rest| rest.split_whitespace().next())
        .filter_map(|v| v.parse::<f64>().ok())
        .next_back()
        .with_context(|| format!("no SSIM in ffmpeg's output for {}", output.display()))
}
