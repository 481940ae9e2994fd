//! Human summaries of a draft: the one-line track summary and the seed's numbered timeline.

use nemo_protocol::TrackType;

use crate::fmt::{clock, count, percent};
use crate::model::{Draft, Segment, Span, Track};

#[cfg(test)]
mod tests;

/// How many named items a line lists before `+N more`.
const LIST_LIMIT: usize = 3;

impl Draft {
    /// One line per kind of track, in order of first appearance:
    /// `Video 0:42 · 3 clips; Audio: 'calm piano' 0:42; Text: 2 titles`.
    pub fn summary_line(&self) -> String {
        let mut kinds: Vec<TrackType> = Vec::new();
        for track in &self.tracks {
            if !kinds.contains(&track.kind) {
                kinds.push(track.kind);
            }
        }
        if self.is_empty() {
            return "Empty timeline".to_owned();
        }
        kinds
            .iter()
            .map(|&kind| self.kind_summary(kind))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn kind_summary(&self, kind: TrackType) -> String {
        let tracks: Vec<&Track> = self.tracks_of(kind).collect();
        let segments: Vec<(&Segment, Span)> = tracks
            .iter()
            .flat_map(|t| t.segments.iter().zip(t.spans()))
            .collect();
        match kind {
            TrackType::Video => {
                let end = tracks
                    .iter()
                    .filter_map(|t| t.extent())
                    .map(|s| s.end_ms)
                    .max();
                let clips = count(segments.len(), "clip", "clips");
                format!("Video {} · {clips}", clock(end.unwrap_or(0)))
            }
            TrackType::Audio if segments.is_empty() => "Audio: none".to_owned(),
            TrackType::Audio => {
                let items = segments.iter().map(|(segment, span)| {
                    format!(
                        "'{}' {}",
                        label_or(segment, "untitled"),
                        clock(span.len_ms())
                    )
                });
                format!("Audio: {}", list(items))
            }
            TrackType::Text => format!("Text: {}", count(segments.len(), "title", "titles")),
            TrackType::Other(code) => {
                format!(
                    "Track {code}: {}",
                    count(segments.len(), "segment", "segments")
                )
            }
        }
    }

    /// The seed's timeline listing, one numbered line per track:
    ///
    /// ```text
    /// Timeline (3 tracks):
    /// 1. Video: city timelapse (0-10s)
    /// 2. BGM: Lo-fi (0-10s, 35%)
    /// 3. Title: "Urban Dreams" (0-3s)
    /// ```
    ///
    /// Replace the newlines with spaces for the seed's one-line form.
    pub fn timeline(&self) -> String {
        let mut lines = vec![format!(
            "Timeline ({}):",
            count(self.tracks.len(), "track", "tracks")
        )];
        for (i, track) in self.tracks.iter().enumerate() {
            lines.push(format!("{}. {}", i + 1, track_line(track)));
        }
        lines.join("\n")
    }
}

/// `Video: a, b (0-20s, 2 clips)`, `BGM: Lo-fi (0-10s, 35%)`, `Title: "X" (0-3s)`.
fn track_line(track: &Track) -> String {
    let spans = track.spans();
    let items: Vec<(&Segment, Span)> = track.segments.iter().zip(spans).collect();
    if items.is_empty() {
        return format!("{}: (empty)", track_noun(track.kind, 1));
    }
    let noun = track_noun(track.kind, items.len());
    match track.kind {
        TrackType::Video => {
            let names = list(items.iter().map(|(s, _)| label_or(s, "clip")));
            let mut notes = vec![track.extent().unwrap_or_default().to_string()];
            if items.len() > 1 {
                notes.push(count(items.len(), "clip", "clips"));
            }
            if items.iter().all(|(s, _)| s.volume_or_unity() == 0.0) {
                notes.push("muted".to_owned());
            }
            format!("{noun}: {names} ({})", notes.join(", "))
        }
        TrackType::Audio => {
            let parts = items.iter().map(|(s, span)| {
                format!(
                    "{} ({span}, {})",
                    label_or(s, "untitled"),
                    percent(s.volume_or_unity())
                )
            });
            format!("{noun}: {}", list(parts))
        }
        TrackType::Text => {
            let parts = items.iter().map(|(s, span)| {
                format!(
                    "\"{}\" ({span})",
                    s.text.clone().or_else(|| s.label()).unwrap_or_default()
                )
            });
            format!("{noun}: {}", list(parts))
        }
        TrackType::Other(_) => {
            let extent = track.extent().unwrap_or_default();
            format!(
                "{noun}: {} ({extent})",
                count(items.len(), "segment", "segments")
            )
        }
    }
}

/// What the timeline calls a track of `kind` holding `n` segments.
fn track_noun(kind: TrackType, n: usize) -> String {
    match kind {
        TrackType::Video => "Video".to_owned(),
        TrackType::Audio => "BGM".to_owned(),
        TrackType::Text if n == 1 => "Title".to_owned(),
        TrackType::Text => "Titles".to_owned(),
        TrackType::Other(code) => format!("Track type {code}"),
    }
}

fn label_or(segment: &Segment, fallback: &str) -> String {
    segment.label().unwrap_or_else(|| fallback.to_owned())
}

/// Joins up to [`LIST_LIMIT`] items with `, ` and counts the rest as `+N more`.
fn list(items: impl Iterator<Item = String>) -> String {
    let all: Vec<String> = items.collect();
    let shown = all
        .iter()
        .take(LIST_LIMIT)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if all.len() > LIST_LIMIT {
        format!("{shown} +{} more", all.len() - LIST_LIMIT)
    } else {
        shown
    }
}
