//! The draft (timeline) model: a tolerant parse of the wire draft (`t`/`tt`/`sg`/`d`/`m` plus
//! nemo's segment keys), user-facing summaries, and structured diffs.
//!
//! Pure: no IO. Unknown keys are kept at every level so `parse` then `to_json` loses nothing.
//!
//! ```text
//! let (draft, diagnostics) = Draft::parse(&state["draft"]);
//! draft.summary_line()   // "Video 0:42 · 3 clips; Audio: 'calm piano' 0:42; Text: 2 titles"
//! draft.timeline()       // "Timeline (3 tracks):\n1. Video: ...\n2. BGM: ...\n3. Title: ..."
//! summarize(&diff(&before, &after))  // ["✅ Title added: \"Tokyo 2026\" (0-3s)", ...]
//! ```

mod diff;
mod fmt;
mod model;
mod parse;
mod summary;

pub use diff::{Change, SegmentRef, diff, summarize};
pub use fmt::{clock, percent};
pub use model::{Draft, Segment, Span, Track};
pub use nemo_protocol::TrackType;
pub use parse::{Diagnostic, DiagnosticKind};
