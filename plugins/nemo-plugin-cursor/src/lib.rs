//! The `cursor` platform plugin: skills run by Cursor's agent.
//!
//! Cursor's chat renders Markdown, so the adapter writes for an IDE agent: a bold status line,
//! the result's absolute path in backticks (clickable there), and a short bullet summary.

use nemo_plugin_sdk::{Manifest, Markers, Plugin, UxEvent, text};

/// The plugin's name, file-name stem and `X-Skill-Platform` value.
pub const NAME: &str = "cursor";

/// The cursor plugin.
#[derive(Debug, Default, Clone, Copy)]
pub struct CursorPlugin;

impl Plugin for CursorPlugin {
    fn manifest(&self) -> Manifest {
        Manifest::new(
            NAME,
            NAME,
            env!("CARGO_PKG_VERSION"),
            "Cursor's agent: concise Markdown with a bold status line and clickable paths",
            markers(),
        )
    }

    fn adapt(&self, event: &UxEvent) -> String {
        adapt(event)
    }
}

nemo_plugin_sdk::export_plugin!(CursorPlugin);

fn markers() -> Markers {
    let strings = |items: &[&str]| items.iter().map(|item| (*item).to_owned()).collect();
    Markers {
        // Cursor loads skills from `~/.cursor/skills/` and from a project's `.cursor/skills/`.
        paths: strings(&[".cursor/skills/"]),
        path_files: Vec::new(),
        workspace_files: Vec::new(),
        env_prefixes: Vec::new(),
        // The NemoVideo CLI recognises Cursor by these two variables.
        env_vars: strings(&["CURSOR_SESSION_ID", "CURSOR_TRACE_ID"]),
    }
}

/// Words an event as concise Markdown for Cursor's chat.
pub fn adapt(event: &UxEvent) -> String {
    match event {
        UxEvent::SettingUp => "**Setting things up...**".to_owned(),
        UxEvent::Connected => "**Connected.** This may take a few minutes.".to_owned(),
        UxEvent::StillWorking { elapsed_s } => {
            format!(
                "**⏳ Still working...** ({} so far)",
                text::elapsed(*elapsed_s)
            )
        }
        UxEvent::Progress { label, percent } => match percent {
            Some(percent) => format!("**{label}** {}", text::percent(*percent)),
            None => format!("**{label}...**"),
        },
        UxEvent::RenderStarted { estimate_s } => match estimate_s {
            Some(seconds) => format!("**⏳ Rendering ~{seconds}s**"),
            None => "**⏳ Rendering...**".to_owned(),
        },
        UxEvent::RenderProgress { percent } => format!("**⏳ {}**", text::percent(*percent)),
        UxEvent::Reply { text } => text.trim().to_owned(),
        UxEvent::EditSummary { lines } if lines.is_empty() => "**No changes.**".to_owned(),
        UxEvent::EditSummary { lines } => with_bullets("**✏️ Edited**", lines),
        UxEvent::Error {
            code,
            http_status,
            message,
            hint,
        } => error(*code, *http_status, message, hint.as_deref()),
        UxEvent::Result {
            path,
            duration_s,
            size_bytes,
            composed,
            rendered,
        } => result(
            path,
            *duration_s,
            *size_bytes,
            composed,
            rendered.as_deref(),
        ),
        UxEvent::Credits {
            available,
            frozen,
            total,
        } => format!("**Credits:** {available} available · {frozen} frozen · {total} total"),
        UxEvent::Status { summary } => {
            let lines: Vec<String> = summary
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(str::to_owned)
                .collect();
            if lines.is_empty() {
                "**Status:** the timeline is empty.".to_owned()
            } else {
                with_bullets("**Status**", &lines)
            }
        }
    }
}

fn with_bullets(title: &str, lines: &[String]) -> String {
    let mut out = format!("{title}\n");
    for line in lines {
        out.push_str("\n- ");
        out.push_str(line.trim_start_matches("- "));
    }
    out
}

fn error(code: Option<i64>, http_status: Option<u16>, message: &str, hint: Option<&str>) -> String {
    let mut bullets = Vec::new();
    if let Some(code) = code {
        bullets.push(format!("Code: `{code}`"));
    }
    if let Some(status) = http_status {
        bullets.push(format!("HTTP status: `{status}`"));
    }
    if let Some(hint) = hint {
        bullets.push(format!("Next step: {hint}"));
    }
    let title = format!("**❌ Error:** {message}");
    if bullets.is_empty() {
        title
    } else {
        with_bullets(&title, &bullets)
    }
}

fn result(
    path: &str,
    duration_s: Option<f64>,
    size_bytes: Option<u64>,
    composed: &[String],
    rendered: Option<&str>,
) -> String {
    let mut bullets = Vec::new();
    if let Some(seconds) = duration_s {
        bullets.push(format!("Duration: {}", text::duration(seconds)));
    }
    if let Some(bytes) = size_bytes {
        bullets.push(format!("Size: {}", text::size(bytes)));
    }
    if !composed.is_empty() {
        bullets.push(format!("Composed: {}", composed.join(", ")));
    }
    if let Some(rendered) = rendered {
        bullets.push(format!("Rendered: {rendered}"));
    }
    let head = format!("**✅ Video ready!**\n\n`{path}`");
    if bullets.is_empty() {
        head
    } else {
        with_bullets(&head, &bullets)
    }
}

#[cfg(test)]
mod tests;
