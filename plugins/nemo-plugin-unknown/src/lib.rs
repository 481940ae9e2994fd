//! The `unknown` platform plugin: plain text that reads well unrendered (a terminal, a log, an
//! agent that shows raw text).
//!
//! It declares no markers: it is what detection falls back to. The host also links this crate
//! as an `rlib`, so requests carry attribution headers and events get worded even when no
//! plugin file loads.

use nemo_plugin_sdk::{Manifest, Markers, Plugin, UxEvent, text};

/// The plugin's name, file-name stem and `X-Skill-Platform` value.
pub const NAME: &str = "unknown";

/// The unknown plugin.
#[derive(Debug, Default, Clone, Copy)]
pub struct UnknownPlugin;

impl Plugin for UnknownPlugin {
    fn manifest(&self) -> Manifest {
        Manifest::new(
            NAME,
            NAME,
            env!("CARGO_PKG_VERSION"),
            "Any other host: plain text that reads well unrendered",
            Markers::default(),
        )
    }

    fn adapt(&self, event: &UxEvent) -> String {
        adapt(event)
    }
}

nemo_plugin_sdk::export_plugin!(UnknownPlugin);

/// Words an event as plain text.
pub fn adapt(event: &UxEvent) -> String {
    match event {
        UxEvent::SettingUp => "Setting things up...".to_owned(),
        UxEvent::Connected => "Connected. This may take a few minutes.".to_owned(),
        UxEvent::StillWorking { elapsed_s } => {
            format!("Still working... ({} so far)", text::elapsed(*elapsed_s))
        }
        UxEvent::Progress { label, percent } => match percent {
            Some(percent) => format!("{label}... {}", text::percent(*percent)),
            None => format!("{label}..."),
        },
        UxEvent::RenderStarted { estimate_s } => match estimate_s {
            Some(seconds) => format!("Rendering (about {seconds} s)..."),
            None => "Rendering...".to_owned(),
        },
        UxEvent::RenderProgress { percent } => format!("Rendering: {}", text::percent(*percent)),
        UxEvent::Reply { text } => plain(text),
        UxEvent::EditSummary { lines } if lines.is_empty() => "No changes.".to_owned(),
        UxEvent::EditSummary { lines } => listed("Changes:", lines),
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
        } => {
            let mut lines = vec!["Video ready!".to_owned(), format!("File: {path}")];
            lines.extend(duration_s.map(|s| format!("Length: {}", text::duration(s))));
            lines.extend(size_bytes.map(|b| format!("Size: {}", text::size(b))));
            if !composed.is_empty() {
                lines.push(format!("Composed: {}", composed.join("; ")));
            }
            lines.extend(rendered.as_ref().map(|r| format!("Rendered: {r}")));
            lines.join("\n")
        }
        UxEvent::Credits {
            available,
            frozen,
            total,
        } => format!("Credits: {available} available, {frozen} frozen, {total} total."),
        UxEvent::Status { summary } if summary.trim().is_empty() => {
            "The timeline is empty.".to_owned()
        }
        UxEvent::Status { summary } => summary.trim().to_owned(),
    }
}

fn listed(title: &str, lines: &[String]) -> String {
    let mut out = title.to_owned();
    for line in lines {
        out.push_str("\n  - ");
        out.push_str(line);
    }
    out
}

fn error(code: Option<i64>, http_status: Option<u16>, message: &str, hint: Option<&str>) -> String {
    let mut out = format!("Error: {message}");
    if let Some(hint) = hint {
        out.push_str("\nHint: ");
        out.push_str(hint);
    }
    let details: Vec<String> = [
        code.map(|code| format!("code {code}")),
        http_status.map(|status| format!("HTTP {status}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !details.is_empty() {
        out.push_str("\n(");
        out.push_str(&details.join(", "));
        out.push(')');
    }
    out
}

/// Removes the Markdown that looks noisy unrendered: heading marks, bold, inline code, links
/// (kept as `text (url)`), and table pipes. Written by hand because plugins depend only on the
/// SDK, and these few rules do not justify a Markdown parser.
pub fn plain(markdown: &str) -> String {
    markdown
        .trim()
        .lines()
        .filter_map(plain_line)
        .collect::<Vec<_>>()
        .join("\n")
}

fn plain_line(line: &str) -> Option<String> {
    let trimmed = line.trim();
    if trimmed.starts_with('|') && trimmed.ends_with('|') && trimmed.len() > 1 {
        let cells: Vec<&str> = trimmed[1..trimmed.len() - 1]
            .split('|')
            .map(str::trim)
            .collect();
        let separator = cells
            .iter()
            .all(|cell| !cell.is_empty() && cell.chars().all(|c| matches!(c, '-' | ':')));
        return (!separator).then(|| cells.join("  "));
    }
    let without_heading = trimmed.trim_start_matches('#');
    let line = if without_heading.len() < trimmed.len() && without_heading.starts_with(' ') {
        without_heading.trim_start()
    } else {
        line
    };
    let line = line.replace("**", "").replace("__", "").replace('`', "");
    Some(text::bare_links(&line))
}

#[cfg(test)]
mod tests;
