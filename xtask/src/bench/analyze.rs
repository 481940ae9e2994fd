//! `bench analyze`: one clip analysis (`nemo_engine::analyze::analyze_clip`, in-process) against
//! a bare low-res decode of the same clip (the floor of any one-pass analysis) and ffmpeg's
//! `scdet` scene-change filter, on a clean and a grainy 60 s 1080p30 clip.
//! Targets (issue 6): within 1.3x of the bare decode, faster than `scdet`.

use std::ffi::OsStr;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;

use super::{Ctx, Table, bare_decode, ratio, run_ffmpeg, runtime, secs};

pub(crate) fn run(ctx: &Ctx) -> Result<()> {
    let clips = [("clean", ctx.clip_60s(0)?), ("grainy", ctx.clip_60s(12)?)];
    let runtime = runtime()?;
    let mut table = Table::new(&[
        "clip",
        "bare decode",
        "scdet",
        "nemo analyze",
        "analyze/decode (<=1.30x)",
        "analyze/scdet (<1x)",
        "cuts",
    ]);
    for (label, clip) in &clips {
        eprintln!("bench analyze: {label}");
        let decode = bare_decode(clip)?;
        let scdet = scdet(clip)?;
        let started = Instant::now();
        let profile = runtime.block_on(nemo_engine::analyze::analyze_clip(clip))?;
        let analyze = started.elapsed();
        table.row(vec![
            (*label).to_owned(),
            secs(decode),
            secs(scdet),
            secs(analyze),
            ratio(analyze, decode),
            ratio(analyze, scdet),
            profile.cuts.len().to_string(),
        ]);
    }
    table.print(
        "bench analyze: 60 s 1920x1080 30 fps H.264 (testsrc2; grainy = noise=alls=12:allf=t)",
    );
    println!(
        "bare decode = ffmpeg -i clip -vf fps=10,scale=160:90 -f rawvideo /dev/null; \
         scdet = ffmpeg -i clip -vf scdet -an -f null -"
    );
    Ok(())
}

/// ffmpeg's scene-change detector at full resolution, video only.
fn scdet(clip: &Path) -> Result<Duration> {
    run_ffmpeg(&[
        OsStr::new("-i"),
        clip.as_os_str(),
        OsStr::new("-vf"),
        OsStr::new("scdet"),
        OsStr::new("-an"),
        OsStr::new("-f"),
        OsStr::new("null"),
        OsStr::new("-"),
    ])
}
