//! Routing a user message before anything reaches the backend (the seed's "Sorting Your
//! Requests" table, protocol §10).
//!
//! | User says | Route |
//! |---|---|
//! | "export" / "导出" / "download" / "send me the video" | [`Route::Export`] |
//! | "credits" / "积分" / "balance" / "余额" | [`Route::Credits`] |
//! | "status" / "状态" / "show tracks" | [`Route::Status`] |
//! | "upload" / "上传" / attached files / a bare URL | [`Route::Upload`] |
//! | everything else (generate, edit, add BGM...) | [`Route::Chat`] |
//!
//! Matching is case- and punctuation-insensitive and works on words and clauses, so a
//! keyword only counts when it is the request: "export please" exports, "the exported clip
//! is too dark, brighten it" is chat, "add end credits" is chat, "balance the music and the
//! voice" is chat, "导出的视频太暗了" is chat.
//!
//! **Edit then export.** The backend must never see an export request (protocol §10), so a
//! message such as "can you add music and then export" becomes
//! [`Route::ChatThenExport`] carrying only the edit ("can you add music"): the host sends that
//! over SSE, waits for the turn to finish, then runs the export flow. Other local intents
//! mixed with an edit ("add music and show me the tracks") go to chat whole, since only
//! export is forbidden there.
//!
//! Pure: no IO.

mod clauses;
mod intents;

#[cfg(test)]
mod tests;

use clauses::Clause;
use intents::Kind;

/// Where a user message goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Run the local export (render) flow. Never forwarded to the backend.
    Export,
    /// Send the text (the message minus its export request) over SSE, then export.
    ChatThenExport(String),
    /// Show the credit balance.
    Credits,
    /// Show the current timeline state.
    Status,
    /// Upload these files or URLs; empty when the user asked to upload without giving one
    /// (ask for it). See [`upload_follow_up`] for an instruction that came with the files.
    Upload(Vec<String>),
    /// Forward the (trimmed) message to the backend over SSE.
    Chat(String),
}

impl Route {
    /// Whether the route is handled without an SSE turn (the seed's "Skip SSE?" column).
    pub fn skips_sse(&self) -> bool {
        !matches!(self, Self::Chat(_) | Self::ChatThenExport(_))
    }

    /// A short lowercase name for logs and `--json` output.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Export => "export",
            Self::ChatThenExport(_) => "chat_then_export",
            Self::Credits => "credits",
            Self::Status => "status",
            Self::Upload(_) => "upload",
            Self::Chat(_) => "chat",
        }
    }
}

/// Routes a message and the files attached to it (paths or URLs, as given).
///
/// Attached files always mean [`Route::Upload`] with those files. Otherwise an export
/// request wins over everything else in the message; credits and status questions route
/// locally only when the rest of the message is just politeness; a message that is only URLs
/// (or "upload <url>") uploads them.
pub fn route(message: &str, attachments: &[String]) -> Route {
    if !attachments.is_empty() {
        return Route::Upload(attachments.to_vec());
    }
    let message = message.trim();
    let clauses = clauses::split(message);
    let kinds: Vec<Kind> = clauses.iter().map(intents::classify).collect();
    let has = |kind: Kind| kinds.contains(&kind);
    let any_other = has(Kind::Other);
    let urls = clauses::urls(message);

    if has(Kind::Export) {
        let keep: Vec<bool> = kinds
            .iter()
            .map(|k| matches!(k, Kind::Other | Kind::Ack))
            .collect();
        return if any_other {
            Route::ChatThenExport(join(message, &clauses, &keep))
        } else {
            Route::Export
        };
    }
    if has(Kind::Upload) || (!urls.is_empty() && !any_other) {
        return Route::Upload(urls);
    }
    let local = kinds
        .iter()
        .find(|k| matches!(k, Kind::Credits | Kind::Status));
    match local {
        Some(Kind::Credits) if !any_other => return Route::Credits,
        Some(Kind::Status) if !any_other => return Route::Status,
        _ => {}
    }
    Route::Chat(message.to_owned())
}

/// The instruction that came with an upload, to send over SSE once the upload is done:
/// the message without its upload request and URLs, or `None` when nothing is left but
/// politeness ("upload this please").
pub fn upload_follow_up(message: &str) -> Option<String> {
    let message = message.trim();
    let clauses = clauses::split(message);
    let kinds: Vec<Kind> = clauses.iter().map(intents::classify).collect();
    let keep: Vec<bool> = clauses
        .iter()
        .zip(&kinds)
        .map(|(c, k)| matches!(k, Kind::Other | Kind::Ack) && !c.words.is_empty())
        .collect();
    let useful = kinds
        .iter()
        .zip(&keep)
        .any(|(k, kept)| *kept && *k == Kind::Other);
    useful.then(|| strip_urls(&join(message, &clauses, &keep)))
}

/// The original text of the clauses marked in `keep`: neighbours are copied together with
/// the separator between them, gaps left by dropped clauses become ", ".
fn join(message: &str, clauses: &[Clause], keep: &[bool]) -> String {
    let mut out = String::new();
    let mut previous: Option<(usize, usize)> = None;
    for (index, clause) in clauses.iter().enumerate().filter(|(i, _)| keep[*i]) {
        match previous {
            Some((prev_index, prev_end)) if prev_index + 1 == index => {
                out.push_str(&message[prev_end..clause.span.end]);
            }
            Some(_) => {
                out.push_str(", ");
                out.push_str(&message[clause.span.clone()]);
            }
            None => out.push_str(&message[clause.span.clone()]),
        }
        previous = Some((index, clause.span.end));
    }
    out.trim().to_owned()
}

fn strip_urls(text: &str) -> String {
    let mut out = text.to_owned();
    for url in clauses::urls(text) {
        out = out.replace(&url, "");
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}
