//! `cargo xtask fixtures record|check`: records the real `nemo-client` talking to a server and
//! writes redacted, versioned recordings to `tests/fixtures/recorded/<scenario>.json`, which
//! `tests/it/recorded.rs` replays on mockito.
//!
//! By default the server is the embedded engine, started in-process on loopback with a temp
//! data dir, behind a [`Recorder`] proxy (the engine's public URL is the recorder's, so output
//! URLs it hands out are recorded too). Renders: the engine runs without a worker, so the first
//! poll is always `pending`; a second engine on the same data dir then runs the worker to the
//! end before the client polls again. Together with placeholders for every volatile value and
//! no SSE heartbeats (the heartbeat interval is longer than any turn), re-recording gives the
//! same bytes, which is what `fixtures check` asserts.
//!
//! `--live` records against the real API instead. It needs an explicit `NEMO_TOKEN` (never an
//! anonymous token), prints the target host before sending anything, costs credits, and writes
//! to `tests/fixtures/recorded/live/` so it never replaces the engine recordings.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Subcommand, ValueEnum};
use nemo_client::Secret;
use nemo_engine::{Engine, EngineConfig};
use nemo_media::testing::{ClipFormat, lavfi_clip};
use nemo_test_support::recorded::Recording;
use nemo_test_support::recorder::Recorder;
use nemo_test_support::scenarios::{self, RECORDED_WITH, RenderGate, Scenario, ScenarioEnv};
use xshell::Shell;

/// Longest a recorded render may take.
const RENDER_LIMIT: Duration = Duration::from_mins(2);
/// Poll interval of live renders (the protocol's 30 s).
const LIVE_POLL: Duration = Duration::from_secs(30);

#[derive(Debug, Subcommand)]
pub(crate) enum Action {
    /// Record scenarios into tests/fixtures/recorded/<scenario>.json.
    Record {
        /// One scenario (session, credits, upload, chat, render, errors); default all.
        #[arg(long)]
        scenario: Option<String>,
        /// write: replace the files; check: fail when they would change; dry-run: show what
        /// was recorded without writing.
        #[arg(long, value_enum, default_value_t = Mode::Write)]
        mode: Mode,
        /// Record against the live API (needs `NEMO_TOKEN`; `NEMO_API_URL` overrides the host).
        /// Costs credits.
        #[arg(long)]
        live: bool,
    },
    /// Re-record into target/fixtures-check/ and fail if anything differs from the committed
    /// files.
    Check {
        #[arg(long)]
        scenario: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Mode {
    Write,
    Check,
    DryRun,
}

/// A live target: host and token.
struct Live {
    host: String,
    token: Secret,
}

pub(crate) fn run(sh: &Shell, action: &Action) -> Result<()> {
    let (scenario, mode, live) = match action {
        Action::Record {
            scenario,
            mode,
            live,
        } => (scenario.as_deref(), *mode, *live),
        Action::Check { scenario } => (scenario.as_deref(), Mode::Check, false),
    };
    let scenarios = match scenario {
        Some(name) => vec![Scenario::from_name(name).with_context(|| {
            let names: Vec<_> = Scenario::ALL.iter().map(|s| s.name()).collect();
            format!("unknown scenario `{name}` (known: {})", names.join(", "))
        })?],
        None => Scenario::ALL.to_vec(),
    };
    let live = if live { Some(live_target(sh)?) } else { None };
    let work = tempfile::tempdir().context("creating a temp dir")?;
    let media = Media::create(work.path())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let out_dir = recorded_dir(live.is_some());
    let mut changed = Vec::new();
    for scenario in scenarios {
        let recording = runtime.block_on(record(scenario, &media, work.path(), live.as_ref()))?;
        let path = out_dir.join(format!("{}.json", scenario.name()));
        match mode {
            Mode::Write => {
                std::fs::create_dir_all(&out_dir)?;
                std::fs::write(&path, recording.to_json())
                    .with_context(|| format!("writing {}", path.display()))?;
                eprintln!("fixtures: wrote {}", display(&path));
            }
            Mode::DryRun => print_summary(scenario, &recording),
            Mode::Check => {
                if let Some(difference) = compare(&path, &recording.to_json(), scenario)? {
                    changed.push(difference);
                } else {
                    eprintln!("fixtures: {} unchanged", display(&path));
                }
            }
        }
    }
    if !changed.is_empty() {
        bail!(
            "recordings differ from the committed files (re-record with `cargo xtask fixtures \
             record` if the change is intended):\n{}",
            changed.join("\n")
        );
    }
    Ok(())
}

fn live_target(sh: &Shell) -> Result<Live> {
    let token = sh.var("NEMO_TOKEN").unwrap_or_default();
    if token.trim().is_empty() {
        bail!("--live needs an explicit NEMO_TOKEN (it records your real account's traffic)");
    }
    let host = sh
        .var("NEMO_API_URL")
        .unwrap_or_else(|_| nemo_protocol::CLOUD_BASE_URL.to_owned())
        .trim_end_matches('/')
        .to_owned();
    eprintln!("fixtures: LIVE recording against {host} (uses credits of the NEMO_TOKEN account)");
    Ok(Live {
        host,
        token: Secret::new(token),
    })
}

fn recorded_dir(live: bool) -> PathBuf {
    let dir = crate::project_root().join("tests/fixtures/recorded");
    if live { dir.join("live") } else { dir }
}

/// The files scenarios upload, made once per run.
struct Media {
    clip: PathBuf,
    not_media: PathBuf,
}

impl Media {
    fn create(dir: &Path) -> Result<Self> {
        let clip = dir.join("clip.mp4");
        // One second keeps the render scenario quick; ffmpeg's lavfi output is deterministic.
        lavfi_clip(&clip, "testsrc2", 1.0, ClipFormat::SMALL, true)
            .context("generating the upload clip with ffmpeg")?;
        let not_media = dir.join("notes.mp4");
        std::fs::write(&not_media, "these are notes, not a video\n")?;
        Ok(Self { clip, not_media })
    }
}

async fn record(
    scenario: Scenario,
    media: &Media,
    work: &Path,
    live: Option<&Live>,
) -> Result<Recording> {
    let recorder = Recorder::start().await.context("starting the recorder")?;
    let download_dir = work.join(format!("downloads-{}", scenario.name()));
    std::fs::create_dir_all(&download_dir)?;
    let env = ScenarioEnv {
        base_url: recorder.url().to_owned(),
        token: live.map(|l| l.token.clone()),
        clip: media.clip.clone(),
        not_media: media.not_media.clone(),
        download_dir,
    };
    let lines = if let Some(live) = live {
        recorder.forward_to(&live.host);
        scenarios::run(scenario, &env, &LiveGate).await?
    } else {
        let config = engine_config(&work.join(format!("engine-{}", scenario.name())), &recorder);
        let engine = Engine::start(config.clone()).await?;
        recorder.forward_to(engine.base_url());
        let result = scenarios::run(scenario, &env, &WorkerGate { config }).await;
        engine.shutdown().await?;
        result?
    };
    for line in lines {
        eprintln!("  {}: {line}", scenario.name());
    }
    let source = if live.is_some() { "live" } else { "engine" };
    let mut recording = Recording::new(scenario.docs(), source, RECORDED_WITH);
    recording.events = recorder.take_exchanges();
    recording.redact_origin(live.map(|l| l.host.as_str()));
    Ok(recording)
}

/// The engine as the recordings see it: no worker (renders stay pending until the gate runs
/// one), no heartbeats within a turn, ultrafast x264, links through the recorder.
fn engine_config(data_dir: &Path, recorder: &Recorder) -> EngineConfig {
    let mut config = EngineConfig::new(data_dir);
    config.public_url = Some(recorder.url().to_owned());
    config.run_worker = false;
    config.sse_heartbeat = Duration::from_mins(5);
    config.job_poll = Duration::from_millis(20);
    config.job_heartbeat = Duration::from_millis(200);
    "ultrafast".clone_into(&mut config.x264_preset);
    config
}

/// Runs a worker engine on the recording engine's data dir until the render is finished.
struct WorkerGate {
    config: EngineConfig,
}

impl RenderGate for WorkerGate {
    async fn render_pending(&self, render_id: &str) -> Result<(), String> {
        let mut config = self.config.clone();
        config.run_worker = true;
        let worker = Engine::start(config).await.map_err(|e| e.to_string())?;
        let started = Instant::now();
        let outcome = loop {
            match worker.store().job(render_id).await {
                Ok(Some(job)) if job.state.is_terminal() => break Ok(()),
                Ok(_) if started.elapsed() > RENDER_LIMIT => {
                    break Err(format!("render not finished after {RENDER_LIMIT:?}"));
                }
                Ok(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                Err(e) => break Err(e.to_string()),
            }
        };
        worker.shutdown().await.map_err(|e| e.to_string())?;
        outcome
    }
}

/// Live renders finish on their own; poll at the protocol's interval.
struct LiveGate;

impl RenderGate for LiveGate {
    async fn render_pending(&self, _render_id: &str) -> Result<(), String> {
        Ok(())
    }

    fn poll_interval(&self) -> Duration {
        LIVE_POLL
    }
}

fn print_summary(scenario: Scenario, recording: &Recording) {
    println!(
        "{} ({} exchanges): {}",
        scenario.name(),
        recording.events.len(),
        recording.docs
    );
    for exchange in &recording.events {
        println!(
            "  {} {} -> {}",
            exchange.request.method.as_deref().unwrap_or("?"),
            exchange.request.path.as_deref().unwrap_or("?"),
            exchange.response.status.unwrap_or(0)
        );
    }
}

/// `None` when `path` holds `fresh`; else a description of the first difference (the fresh
/// recording is kept under target/fixtures-check/ for `diff -u`).
fn compare(path: &Path, fresh: &str, scenario: Scenario) -> Result<Option<String>> {
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    if committed == fresh {
        return Ok(None);
    }
    let check_dir = crate::project_root().join("target/fixtures-check");
    std::fs::create_dir_all(&check_dir)?;
    let fresh_path = check_dir.join(format!("{}.json", scenario.name()));
    std::fs::write(&fresh_path, fresh)?;
    let (line, old, new) = first_difference(&committed, fresh);
    Ok(Some(format!(
        "- {} differs from line {line}:\n    committed: {old}\n    recorded:  {new}\n    \
         full: diff -u {} {}",
        display(path),
        display(path),
        display(&fresh_path)
    )))
}

fn first_difference<'a>(old: &'a str, new: &'a str) -> (usize, &'a str, &'a str) {
    let (mut old_lines, mut new_lines) = (old.lines(), new.lines());
    let mut line = 1;
    loop {
        match (old_lines.next(), new_lines.next()) {
            (Some(before), Some(after)) if before == after => line += 1,
            (before, after) => {
                return (line, before.unwrap_or("<end>"), after.unwrap_or("<end>"));
            }
        }
    }
}

fn display(path: &Path) -> String {
    path.strip_prefix(crate::project_root())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_difference_names_the_line() {
        assert_eq!(first_difference("a\nb\nc", "a\nx\nc"), (2, "b", "x"));
        assert_eq!(first_difference("a\n", "a\nb\n"), (2, "<end>", "b"));
    }
}
