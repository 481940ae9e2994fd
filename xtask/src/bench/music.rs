//! `bench music`: composing and synthesising 60 s of music with the release `nemo music`
//! (system `SoundFont` when installed), against realtime and, when the `fluidsynth` CLI is
//! installed, fluidsynth rendering the same MIDI with the same `SoundFont`.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result};
use serde::Deserialize;
use xshell::{Shell, cmd};

use super::{Ctx, Table, ratio, secs, time_command};

const SECONDS: f64 = 60.0;
const SOUNDFONT: &str = "/usr/share/sounds/sf2/TimGM6mb.sf2";

/// The part of `nemo --json music` this bench reads.
#[derive(Debug, Deserialize)]
struct MusicJson {
    render_seconds: f64,
}

pub(crate) fn run(ctx: &Ctx) -> Result<()> {
    let sh = Shell::new()?;
    sh.change_dir(crate::project_root());
    cmd!(sh, "cargo build --release --locked -p nemo-host --bin nemo").run()?;
    let nemo = crate::target_dir(&sh).join("release/nemo");
    let work = ctx.work_dir("music")?;
    let wav = work.join("nemo.wav");
    let midi = work.join("nemo.mid");

    let mut command = Command::new(&nemo);
    command
        .args([
            "--json",
            "music",
            "--mood",
            "upbeat",
            "--seed",
            "7",
            "--seconds",
        ])
        .arg(SECONDS.to_string())
        .arg("-o")
        .arg(&wav)
        .arg("--midi")
        .arg(&midi);
    let (wall, synthesis) = time_with_stdout(&mut command)?;
    let realtime = Duration::from_secs_f64(SECONDS);

    let mut table = Table::new(&["contender", "time", "x realtime", "notes"]);
    let synthesis = synthesis.map(Duration::from_secs_f64);
    if let Some(synthesis) = synthesis {
        table.row(vec![
            "nemo compose + synthesise + loudness".to_owned(),
            secs(synthesis),
            ratio(realtime, synthesis),
            "in-process time reported by `nemo --json music`".to_owned(),
        ]);
    }
    table.row(vec![
        "nemo music (whole process)".to_owned(),
        secs(wall),
        ratio(realtime, wall),
        "start-up, SoundFont load, WAV + MIDI write".to_owned(),
    ]);
    match fluidsynth(&midi, &work.join("fluidsynth.wav")) {
        Ok(Some(time)) => table.row(vec![
            "fluidsynth (same MIDI, same SoundFont)".to_owned(),
            secs(time),
            ratio(realtime, time),
            "fluidsynth -ni -F out.wav -r 48000".to_owned(),
        ]),
        Ok(None) => table.row(vec![
            "fluidsynth".to_owned(),
            "-".to_owned(),
            "-".to_owned(),
            "skipped: the fluidsynth CLI is not installed".to_owned(),
        ]),
        Err(e) => table.row(vec![
            "fluidsynth".to_owned(),
            "-".to_owned(),
            "-".to_owned(),
            format!("failed: {e:#}"),
        ]),
    }
    table.print("bench music: 60 s, mood upbeat, seed 7 (x realtime = 60 s / time)");
    Ok(())
}

/// Wall time of the command and the `render_seconds` of its JSON output, if any.
fn time_with_stdout(command: &mut Command) -> Result<(Duration, Option<f64>)> {
    let started = std::time::Instant::now();
    let output = command.output().context("running nemo music")?;
    let wall = started.elapsed();
    if !output.status.success() {
        anyhow::bail!(
            "nemo music failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let parsed = serde_json::from_slice::<MusicJson>(&output.stdout)
        .ok()
        .map(|j| j.render_seconds);
    Ok((wall, parsed))
}

fn fluidsynth(midi: &Path, out: &Path) -> Result<Option<Duration>> {
    let installed = Command::new("sh")
        .args(["-c", "command -v fluidsynth"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        return Ok(None);
    }
    let mut command = Command::new("fluidsynth");
    command
        .args(["-ni", "-r", "48000", "-F"])
        .arg(out)
        .arg(SOUNDFONT)
        .arg(midi);
    time_command(&mut command).map(|(t, _)| Some(t))
}
