//! Backend text -> what the user sees.
//!
//! The backend believes a web editor is open and tells the user to click, open, drag and
//! preview. There is no GUI here, so [`translate`] keeps what the backend says about the
//! content, drops the GUI instructions, and returns the matching [`Action`]s for the client
//! (the seed's translation table, protocol §10):
//!
//! | Backend says | Action |
//! |---|---|
//! | "click [button]" / 点击 | [`Action::Execute`] (perform it through the API) |
//! | "open [panel]" / 打开 | [`Action::QueryState`] (show the state) |
//! | "drag/drop" / 拖拽 | [`Action::SendEdit`] (send the edit over SSE) |
//! | "preview in timeline" | [`Action::ShowTrackSummary`] |
//! | "Export button" / 导出 | [`Action::Export`] (run the export flow) |
//! | "check account/billing" | [`Action::CheckCredits`] |
//! | "click Upload" / "drag your files in" | [`Action::RequestUpload`] |
//!
//! It also removes the backend's spurious trailing "I encountered a temporary issue" after an
//! otherwise normal reply (a known quirk, protocol §4.2). [`status`] has the default wording
//! of status lines; platform plugins may reword both.
//!
//! Pure: no IO.

mod gui;
pub mod status;
mod text;

#[cfg(test)]
mod tests;

use nemo_draft::Draft;

pub use status::{StatusLine, StillWorking};

/// What the client does instead of a GUI step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// "Click Apply": perform the step through the API. `target` is the button as named
    /// ("Apply", "生成").
    Execute { target: String },
    /// "Open the Music panel": fetch and show the session state. `panel` as named, may be
    /// empty.
    QueryState { panel: String },
    /// "Drag the clip to the start": ask the backend to make the edit, worded as a request
    /// ("Move the clip to the start").
    SendEdit { request: String },
    /// "Preview it in the timeline": show the draft's track summary.
    ShowTrackSummary,
    /// "Click the Export button": offer (or run) the local export flow.
    Export,
    /// "Check your account/billing": show the credit balance.
    CheckCredits,
    /// "Click Upload" / "drag your files here": ask the user for files (paths or URLs).
    RequestUpload,
}

/// A translated backend reply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Translation {
    /// The reply without GUI instructions; export and upload instructions become one short
    /// line each ("Say \"export\" when you're ready...") in the reply's language.
    pub text: String,
    /// What the GUI instructions asked for, in order of appearance, without duplicates.
    pub actions: Vec<Action>,
}

impl Translation {
    /// Whether there is nothing to show or do (a silent turn: diff the state instead).
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty() && self.actions.is_empty()
    }

    /// Whether the actions ask for `action`.
    pub fn wants(&self, action: &Action) -> bool {
        self.actions.contains(action)
    }

    /// What to say to the backend on the user's behalf so a GUI step happens through the API:
    /// the first "click X" (say "X") or "drag ..." (say the edit). Export and upload have
    /// flows of their own, and a button that exports is never said ("never send the word
    /// export to the backend").
    pub fn follow_up(&self) -> Option<&str> {
        self.actions.iter().find_map(|action| {
            let text = match action {
                Action::Execute { target } => target,
                Action::SendEdit { request } => request,
                _ => return None,
            };
            let lower = text.to_lowercase();
            let exports = lower.contains("export") || text.contains("导出");
            (!text.trim().is_empty() && !exports).then_some(text.as_str())
        })
    }

    /// The text, followed by the draft's timeline when the backend asked to preview it.
    pub fn with_track_summary(&self, draft: &Draft) -> String {
        if !self.wants(&Action::ShowTrackSummary) {
            return self.text.clone();
        }
        if self.text.trim().is_empty() {
            draft.timeline()
        } else {
            format!("{}\n\n{}", self.text, draft.timeline())
        }
    }
}

/// Translates one backend reply (the text of a whole turn).
pub fn translate(backend_text: &str) -> Translation {
    let cleaned = text::drop_spurious_error(&text::normalize_newlines(backend_text));
    let mut ctx = gui::Context::default();
    let lines: Vec<Option<String>> = cleaned
        .lines()
        .map(|line| gui::translate_line(line, &mut ctx))
        .collect();
    let mut deduped: Vec<Action> = Vec::new();
    for action in ctx.actions {
        if !deduped.contains(&action) {
            deduped.push(action);
        }
    }
    Translation {
        text: text::reassemble(&lines),
        actions: deduped,
    }
}
