//! The `clawhub` platform plugin: agents run by `OpenClaw` and skills installed from `ClawHub`.
//!
//! `OpenClaw` relays replies over chat channels (`WhatsApp`, Telegram, Discord), so the adapter
//! writes short sentences with an emoji status, light Markdown, no tables and bare URLs. The
//! manifest's markers cover where `ClawHub` and `OpenClaw` really put skills (see
//! `docs/PLUGIN_ABI.md`), not only the seed skill's `~/.clawhub/`.

use nemo_plugin_sdk::{Manifest, Markers, Plugin, UxEvent, text};

/// The plugin's name, file-name stem and `X-Skill-Platform` value.
pub const NAME: &str = "clawhub";

/// `WhatsApp` passes video attachments through only up to this size.
const CHAT_ATTACHMENT_LIMIT_BYTES: u64 = 16_000_000;

/// The clawhub plugin.
#[derive(Debug, Default, Clone, Copy)]
pub struct ClawhubPlugin;

impl Plugin for ClawhubPlugin {
    fn manifest(&self) -> Manifest {
        Manifest::new(
            NAME,
            NAME,
            env!("CARGO_PKG_VERSION"),
            "OpenClaw agents and ClawHub installs: short chat messages with emoji status",
            markers(),
        )
    }

    fn adapt(&self, event: &UxEvent) -> String {
        adapt(event)
    }
}

nemo_plugin_sdk::export_plugin!(ClawhubPlugin);

fn markers() -> Markers {
    let strings = |items: &[&str]| items.iter().map(|item| (*item).to_owned()).collect();
    Markers {
        // `clawhub install --global` and OpenClaw's managed skills live in `~/.openclaw/skills`;
        // the default OpenClaw workspace is `~/.openclaw/workspace`.
        paths: strings(&["~/.clawhub/", ".openclaw/"]),
        // `clawhub install` writes `<skill>/.clawhub/origin.json` (legacy `.clawdhub`).
        path_files: strings(&[".clawhub/origin.json", ".clawdhub/origin.json"]),
        // ... and `<workdir>/.clawhub/lock.json` for a workspace `skills/<slug>/`.
        workspace_files: strings(&[".clawhub/lock.json", ".clawdhub/lock.json"]),
        // OpenClaw's exec tool sets variables such as `OPENCLAW_SHELL=exec`.
        env_prefixes: strings(&["OPENCLAW_"]),
        env_vars: Vec::new(),
    }
}

/// Words an event as a short chat message.
pub fn adapt(event: &UxEvent) -> String {
    match event {
        UxEvent::SettingUp => "Setting things up...".to_owned(),
        UxEvent::Connected => "✅ Connected. This may take a few minutes.".to_owned(),
        UxEvent::StillWorking { elapsed_s } => {
            format!("⏳ Still working... ({} so far)", text::elapsed(*elapsed_s))
        }
        UxEvent::Progress { label, percent } => match percent {
            Some(percent) => format!("⏳ {label} {}", text::percent(*percent)),
            None => format!("⏳ {label}..."),
        },
        UxEvent::RenderStarted { estimate_s } => match estimate_s {
            Some(seconds) => format!("⏳ Rendering ~{seconds}s"),
            None => "⏳ Rendering...".to_owned(),
        },
        UxEvent::RenderProgress { percent } => format!("⏳ {}", text::percent(*percent)),
        UxEvent::Reply { text } => chat_markdown(text),
        UxEvent::EditSummary { lines } => edit_summary(lines),
        UxEvent::Error { message, hint, .. } => match hint {
            Some(hint) => format!("❌ {message}\n💡 {hint}"),
            None => format!("❌ {message}"),
        },
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
        } => format!("💰 {available} credits available ({frozen} frozen, {total} total)"),
        UxEvent::Status { summary } if summary.trim().is_empty() => {
            "📋 Nothing in the timeline yet.".to_owned()
        }
        UxEvent::Status { summary } => format!("📋 {}", summary.trim()),
    }
}

fn edit_summary(lines: &[String]) -> String {
    if lines.is_empty() {
        return "✏️ Nothing changed.".to_owned();
    }
    let mut out = "✏️ Done:".to_owned();
    for line in lines {
        out.push_str("\n• ");
        out.push_str(line);
    }
    out
}

fn result(
    path: &str,
    duration_s: Option<f64>,
    size_bytes: Option<u64>,
    composed: &[String],
    rendered: Option<&str>,
) -> String {
    let mut lines = vec!["✅ Video ready!".to_owned()];
    if !composed.is_empty() {
        lines.push(format!("🎬 {}", composed.join(", ")));
    }
    let facts: Vec<String> = [
        duration_s.map(text::duration),
        size_bytes.map(text::size),
        rendered.map(str::to_owned),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !facts.is_empty() {
        lines.push(format!("📦 {}", facts.join(" · ")));
    }
    lines.push(format!("📁 {path}"));
    if size_bytes.is_some_and(|size| size > CHAT_ATTACHMENT_LIMIT_BYTES) {
        lines.push(
            "⚠️ It is over 16 MB, so WhatsApp may refuse it as an attachment: share the file or a link instead."
                .to_owned(),
        );
    }
    lines.join("\n")
}

/// Chat channels render little Markdown: headings lose their `#` marks, links become bare URLs
/// and tables become lines (see [`flatten_table_row`]). Written by hand: three rules do not
/// justify a parser.
fn chat_markdown(text: &str) -> String {
    text.trim()
        .lines()
        .filter_map(|line| {
            let trimmed = line.trim_start();
            let unheaded = trimmed.trim_start_matches('#');
            if unheaded.len() < trimmed.len() && unheaded.starts_with(' ') {
                return Some(unheaded.trim_start().to_owned());
            }
            flatten_table_row(line).map(|line| text::bare_links(&line))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Chat channels show Markdown tables as pipes and dashes, so a row becomes an `a · b` line
/// and a separator row disappears.
fn flatten_table_row(line: &str) -> Option<String> {
    let trimmed = line.trim();
    if !(trimmed.starts_with('|') && trimmed.ends_with('|') && trimmed.len() > 1) {
        return Some(line.to_owned());
    }
    let cells: Vec<&str> = trimmed[1..trimmed.len() - 1]
        .split('|')
        .map(str::trim)
        .collect();
    let is_separator = cells
        .iter()
        .all(|cell| !cell.is_empty() && cell.chars().all(|c| matches!(c, '-' | ':')));
    (!is_separator).then(|| cells.join(" · "))
}

#[cfg(test)]
mod tests;
