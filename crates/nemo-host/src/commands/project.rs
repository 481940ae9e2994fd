//! Commands on the current project: `run`, `upload`, `status`, `credits`, `export`, and one chat
//! turn (shared with the REPL).

use std::path::{Path, PathBuf};
use std::time::Instant;

use nemo_client::{ExportProgress, ProgressFn, TurnEvent};
use nemo_draft::Draft;
use nemo_plugin_host::UxEvent;
use nemo_translator::{Action, StillWorking, translate};
use serde_json::{Value, json};

use crate::app::Connected;
use crate::cli::RunArgs;
use crate::exit::Failure;
use crate::output::Output;

/// `nemo run`: a new project, uploads, the request, then export.
pub(crate) async fn run(app: &mut Connected, args: &RunArgs) -> Result<(), Failure> {
    app.ensure_project().await?;
    if !args.clips.is_empty() {
        upload(app, &args.clips).await?;
    }
    let reply = chat_turn(app, &args.prompt).await?;
    let exported = export(app, &args.output).await?;
    app.out()
        .json(&json!({ "reply": reply, "output": exported }));
    Ok(())
}

/// `nemo upload`: local files are checked (type, size) before anything is sent.
pub(crate) async fn upload(app: &mut Connected, items: &[String]) -> Result<(), Failure> {
    app.ensure_project().await?;
    let (urls, files): (Vec<String>, Vec<String>) = items
        .iter()
        .cloned()
        .partition(|i| i.starts_with("http://") || i.starts_with("https://"));
    let mut uploaded = Vec::new();
    if !files.is_empty() {
        let paths: Vec<PathBuf> = files.iter().map(PathBuf::from).collect();
        let label = match paths.as_slice() {
            [one] => format!("Uploading {}", file_name(one)),
            many => format!("Uploading {} files", many.len()),
        };
        let bar = app.out().progress(&label);
        let report = bar.clone();
        let result = app
            .session
            .upload_files(
                &paths,
                ProgressFn::new(move |t| report.set_bytes(t.done, t.total)),
            )
            .await;
        bar.finish();
        uploaded.extend(result?.files);
    }
    if !urls.is_empty() {
        uploaded.extend(app.session.upload_urls(&urls).await?.files);
    }
    let lines: Vec<String> = uploaded.iter().map(describe_upload).collect();
    app.out().say(&UxEvent::EditSummary { lines });
    app.out().json(&json!({ "uploaded": uploaded }));
    Ok(())
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn describe_upload(file: &nemo_protocol::UploadedFile) -> String {
    let mut facts = vec![format!("{:?}", file.file_type).to_lowercase()];
    if let Some(seconds) = file.duration.filter(|d| *d > 0.0) {
        facts.push(nemo_draft::clock((seconds * 1000.0) as i64));
    }
    if let (Some(w), Some(h)) = (file.width, file.height) {
        facts.push(format!("{w}x{h}"));
    }
    format!("✅ Added {} ({})", file.filename, facts.join(", "))
}

/// `nemo status`: the timeline in words.
pub(crate) async fn status(app: &mut Connected) -> Result<(), Failure> {
    app.ensure_project().await?;
    let state = app.session.state().await?;
    let draft = draft_of(&state);
    let summary = if draft.is_empty() {
        "The project is empty: upload clips or describe the video you want.".to_owned()
    } else {
        draft.timeline()
    };
    app.out().say(&UxEvent::Status {
        summary: summary.clone(),
    });
    app.out().json(&json!({ "summary": summary, "line": draft.summary_line(), "assets": state.state.video_infos.len() }));
    Ok(())
}

fn draft_of(state: &nemo_protocol::SessionState) -> Draft {
    let raw = state.state.draft.as_ref().map_or(Value::Null, |d| {
        serde_json::to_value(d).unwrap_or(Value::Null)
    });
    Draft::parse(&raw).0
}

/// `nemo credits`.
pub(crate) async fn credits(app: &mut Connected) -> Result<(), Failure> {
    app.ensure_project().await?;
    let credits = app.session.credits().await?;
    if !app.is_remote() && credits.available >= nemo_engine::UNLIMITED_CREDITS {
        app.out().say(&UxEvent::Reply {
            text:
                "Credits: unlimited. The embedded engine works on this machine and never charges."
                    .to_owned(),
        });
        app.out()
            .json(&serde_json::to_value(credits).unwrap_or(Value::Null));
        return Ok(());
    }
    app.out().say(&UxEvent::Credits {
        available: credits.available,
        frozen: credits.frozen,
        total: credits.total,
    });
    app.out()
        .json(&serde_json::to_value(credits).unwrap_or(Value::Null));
    Ok(())
}

/// `nemo export`: render, poll, download (to a temporary file, renamed when complete).
pub(crate) async fn export(app: &mut Connected, output: &Path) -> Result<Value, Failure> {
    app.ensure_project().await?;
    let out = app.out().clone();
    out.status(&UxEvent::RenderStarted {
        estimate_s: Some(30),
    });
    let rendering = out.progress("Rendering");
    let downloading = std::sync::OnceLock::new();
    let (render_bar, download_out) = (rendering.clone(), out.clone());
    let result = app
        .session
        .export(output, move |p| match p {
            ExportProgress::Rendering(p) => {
                render_bar.set_fraction(p.percent.unwrap_or(0.0) / 100.0);
            }
            ExportProgress::Downloading(t) => {
                render_bar.finish();
                downloading
                    .get_or_init(|| download_out.progress("Downloading"))
                    .set_bytes(t.done, t.total);
            }
            ExportProgress::Submitted { .. } => {}
        })
        .await;
    rendering.finish();
    let outcome = result?;
    let path =
        std::fs::canonicalize(&outcome.download.path).unwrap_or(outcome.download.path.clone());
    let info = nemo_media::probe(&path).await.ok();
    let duration_s = info
        .as_ref()
        .and_then(|i| i.duration_ms)
        .map(|ms| ms as f64 / 1000.0);
    let rendered = info
        .as_ref()
        .and_then(|i| i.video.as_ref())
        .map(|v| format!("MP4 {}x{}", v.width, v.height));
    let composed = composed_summary(app).await;
    out.say(&UxEvent::Result {
        path: path.display().to_string(),
        duration_s,
        size_bytes: Some(outcome.download.bytes),
        composed: composed.clone(),
        rendered: rendered.clone(),
    });
    let project_link = project_link(app).await;
    if let Some(link) = &project_link {
        out.say(&UxEvent::Reply {
            text: format!("Open the project in your browser: {link}"),
        });
    }
    let value = json!({
        "project_link": project_link,
        "path": path.display().to_string(),
        "bytes": outcome.download.bytes,
        "duration_s": duration_s,
        "rendered": rendered,
        "composed": composed,
        "render_id": outcome.render_id,
    });
    Ok(value)
}

/// The browser link to the project (a `clm_` claim token, never the API token). Only the cloud
/// has a web app to open; a failure here never fails the export.
async fn project_link(app: &mut Connected) -> Option<String> {
    if !app.is_remote() {
        return None;
    }
    match app.session.claim_link().await {
        Ok(link) => Some(link.url),
        Err(error) => {
            tracing::debug!(%error, "no claim link");
            None
        }
    }
}

/// What the timeline holds, for the result message ("3 clips", "music 'calm piano'").
async fn composed_summary(app: &mut Connected) -> Vec<String> {
    let Ok(state) = app.session.state().await else {
        return Vec::new();
    };
    let draft = draft_of(&state);
    let mut parts = Vec::new();
    let clips = draft.clip_count();
    if clips > 0 {
        parts.push(format!("{clips} clip{}", if clips == 1 { "" } else { "s" }));
    }
    let music = draft
        .tracks_of(nemo_draft::TrackType::Audio)
        .flat_map(|t| t.segments.iter());
    parts.extend(
        music
            .filter_map(nemo_draft::Segment::label)
            .map(|label| format!("music '{label}'")),
    );
    parts
}

/// Sends one message over SSE and shows the result: the translated reply, or (for a silent
/// turn) what changed in the draft; "⏳ Still working..." every two minutes of waiting.
///
/// When the reply asks for a GUI step ("click Apply", "drag the clip to the start"), that step
/// is done through the API: said to the backend as a second turn. Only once: the second
/// turn's own GUI steps are shown, never followed, so two replies cannot loop.
pub(crate) async fn chat_turn(app: &mut Connected, text: &str) -> Result<String, Failure> {
    let (reply, follow_up) = one_turn(app, text).await?;
    let Some(follow_up) = follow_up else {
        return Ok(reply);
    };
    Output::note(&format!("→ {follow_up}"));
    let (more, _) = one_turn(app, &follow_up).await?;
    Ok(format!("{reply}\n\n{more}"))
}

/// One SSE turn, shown; returns the reply and the GUI step it asks for, if any.
async fn one_turn(app: &mut Connected, text: &str) -> Result<(String, Option<String>), Failure> {
    app.ensure_project().await?;
    let out = app.out().clone();
    let started = Instant::now();
    let mut still = StillWorking::new(StillWorking::DEFAULT_INTERVAL);
    let outcome = app
        .session
        .chat(text, |event| {
            if matches!(event, TurnEvent::Heartbeat) && still.tick(started.elapsed()).is_some() {
                out.status(&UxEvent::StillWorking {
                    elapsed_s: started.elapsed().as_secs(),
                });
            }
            if let TurnEvent::ToolCall { name, .. } = event {
                tracing::info!(tool = %name, "agent is working");
            }
        })
        .await?;
    if let Some(change) = &outcome.change {
        out.say(&UxEvent::EditSummary {
            lines: change.lines.clone(),
        });
        return Ok((change.lines.join("\n"), None));
    }
    let translation = translate(&outcome.summary.text);
    let mut reply = translation.text.clone();
    if translation.wants(&Action::ShowTrackSummary)
        || translation
            .actions
            .iter()
            .any(|a| matches!(a, Action::QueryState { .. }))
    {
        let state = app.session.state().await?;
        reply = translation.with_track_summary(&draft_of(&state));
        if !translation.wants(&Action::ShowTrackSummary) {
            reply = format!("{reply}\n\n{}", draft_of(&state).timeline());
        }
    }
    out.say(&UxEvent::Reply {
        text: reply.clone(),
    });
    if translation.wants(&Action::CheckCredits) {
        credits(app).await?;
    }
    Ok((reply, translation.follow_up().map(str::to_owned)))
}

/// A fresh file name next to `path` when it already exists (`out.mp4` -> `out-1.mp4`), so an
/// export from the chat never silently overwrites an earlier one.
pub(crate) fn unused_path(path: &Path) -> PathBuf {
    if !path.exists() {
        return path.to_path_buf();
    }
    let stem = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let ext = path.extension().map(|e| e.to_string_lossy().into_owned());
    (1..=u32::MAX)
        .map(|n| {
            let name = ext
                .as_ref()
                .map_or_else(|| format!("{stem}-{n}"), |e| format!("{stem}-{n}.{e}"));
            path.with_file_name(name)
        })
        .find(|p| !p.exists())
        .unwrap_or_else(|| path.to_path_buf())
}
