//! Structured differences between two drafts, with a one-line human description for each.
//!
//! The client uses this after a silent SSE turn: fetch the state, diff it against the draft
//! from before the turn, and tell the user what changed. The engine uses it for edit replies.

use std::fmt;

use nemo_protocol::TrackType;
use serde_json::{Map, Value};

use crate::fmt::{clock, percent, seconds};
use crate::model::{Draft, Segment, Span, Track};

#[cfg(test)]
mod tests;

/// Volumes closer than this are treated as equal (half a percent).
const VOLUME_EPSILON: f64 = 0.005;

/// Which segment a change is about, as users would name it.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentRef {
    pub kind: TrackType,
    /// Index among the tracks of the same kind (0 = the first video track, ...).
    pub track: usize,
    /// 1-based position inside its track.
    pub position: usize,
    /// The user-facing label ([`Segment::label`]), or the title text for titles.
    pub label: Option<String>,
    /// Where it sits on the timeline.
    pub span: Span,
}

/// One difference between two drafts.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A track appeared; its segments are reported as [`Change::SegmentAdded`] too.
    TrackAdded {
        kind: TrackType,
        segments: usize,
    },
    /// A track disappeared; its segments are reported as [`Change::SegmentRemoved`] too.
    TrackRemoved {
        kind: TrackType,
        segments: usize,
    },
    /// Unknown or unmodelled track keys changed (listed by name).
    TrackUpdated {
        kind: TrackType,
        track: usize,
        keys: Vec<String>,
    },
    SegmentAdded(SegmentRef),
    SegmentRemoved(SegmentRef),
    /// Same place, different media (`src` or `nm` changed): "music replaced".
    SegmentReplaced {
        before: SegmentRef,
        after: SegmentRef,
    },
    /// Duration or in-point changed.
    SegmentTrimmed {
        before: SegmentRef,
        after: SegmentRef,
    },
    /// Start changed with the same length (audio and text tracks; clip order is
    /// [`Change::SegmentReordered`]).
    SegmentMoved {
        before: SegmentRef,
        after: SegmentRef,
    },
    /// A clip changed position in its track; positions are 1-based.
    SegmentReordered {
        segment: SegmentRef,
        from: usize,
        to: usize,
    },
    /// Exactly two clips exchanged places (refs as they were before).
    SegmentsSwapped {
        first: SegmentRef,
        second: SegmentRef,
    },
    VolumeChanged {
        segment: SegmentRef,
        from: f64,
        to: f64,
    },
    FadeChanged {
        segment: SegmentRef,
        fade_in_ms: (i64, i64),
        fade_out_ms: (i64, i64),
    },
    TextChanged {
        segment: SegmentRef,
        from: String,
        to: String,
    },
    /// Segment metadata (`m`) or unknown keys changed (listed by name).
    SegmentUpdated {
        segment: SegmentRef,
        keys: Vec<String>,
    },
    /// Draft metadata (`m`) or unknown draft keys changed (listed by name).
    MetadataChanged {
        keys: Vec<String>,
    },
    /// [`Draft::duration_ms`] changed.
    DurationChanged {
        from_ms: i64,
        to_ms: i64,
    },
}

/// Every difference from `before` to `after`, removals and additions first within a track.
///
/// Tracks are paired by kind and order (the 2nd audio track with the 2nd audio track).
/// Segments are paired by `id`, then by identical media/label/text, then leftovers one-to-one
/// in order when both sides have the same number left (an edited title or a swapped song).
pub fn diff(before: &Draft, after: &Draft) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut kinds: Vec<TrackType> = Vec::new();
    for track in before.tracks.iter().chain(&after.tracks) {
        if !kinds.contains(&track.kind) {
            kinds.push(track.kind);
        }
    }
    for kind in kinds {
        let old: Vec<&Track> = before.tracks_of(kind).collect();
        let new: Vec<&Track> = after.tracks_of(kind).collect();
        for index in 0..old.len().max(new.len()) {
            match (old.get(index), new.get(index)) {
                (Some(b), Some(a)) => diff_track(kind, index, b, a, &mut changes),
                (None, Some(a)) => {
                    changes.push(Change::TrackAdded {
                        kind,
                        segments: a.segments.len(),
                    });
                    changes.extend(refs(kind, index, a).into_iter().map(Change::SegmentAdded));
                }
                (Some(b), None) => {
                    changes.push(Change::TrackRemoved {
                        kind,
                        segments: b.segments.len(),
                    });
                    changes.extend(refs(kind, index, b).into_iter().map(Change::SegmentRemoved));
                }
                (None, None) => {}
            }
        }
    }
    let keys = changed_keys(
        before.meta.as_ref(),
        after.meta.as_ref(),
        &before.extra,
        &after.extra,
    );
    if !keys.is_empty() {
        changes.push(Change::MetadataChanged { keys });
    }
    let (from_ms, to_ms) = (before.duration_ms(), after.duration_ms());
    if from_ms != to_ms {
        changes.push(Change::DurationChanged { from_ms, to_ms });
    }
    changes
}

/// The human one-liners for `changes`, skipping track-level lines whose segments are
/// already described.
pub fn summarize(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .filter(|c| {
            !matches!(c, Change::TrackAdded { segments, .. } | Change::TrackRemoved { segments, .. } if *segments > 0)
        })
        .map(ToString::to_string)
        .collect()
}

fn refs(kind: TrackType, track: usize, t: &Track) -> Vec<SegmentRef> {
    t.segments
        .iter()
        .zip(t.spans())
        .enumerate()
        .map(|(i, (s, span))| seg_ref(kind, track, i, s, span))
        .collect()
}

fn seg_ref(
    kind: TrackType,
    track: usize,
    index: usize,
    segment: &Segment,
    span: Span,
) -> SegmentRef {
    let label = if kind == TrackType::Text {
        segment.text.clone().or_else(|| segment.label())
    } else {
        segment.label()
    };
    SegmentRef {
        kind,
        track,
        position: index + 1,
        label,
        span,
    }
}

/// Pairs of (before index, after index), plus the unpaired indices of each side.
struct Matching {
    pairs: Vec<(usize, usize)>,
    removed: Vec<usize>,
    added: Vec<usize>,
}

fn match_segments(before: &[Segment], after: &[Segment]) -> Matching {
    let mut taken_b = vec![false; before.len()];
    let mut taken_a = vec![false; after.len()];
    let mut pairs = Vec::new();
    let same_id = |b: &Segment, a: &Segment| b.id.is_some() && b.id == a.id;
    let same_identity = |b: &Segment, a: &Segment| {
        (b.id.is_none() || a.id.is_none()) && b.src == a.src && b.name == a.name && b.text == a.text
    };
    for rule in [
        &same_id as &dyn Fn(&Segment, &Segment) -> bool,
        &same_identity,
    ] {
        for (ib, b) in before.iter().enumerate() {
            if taken_b[ib] {
                continue;
            }
            if let Some(ia) = (0..after.len()).find(|&ia| !taken_a[ia] && rule(b, &after[ia])) {
                taken_b[ib] = true;
                taken_a[ia] = true;
                pairs.push((ib, ia));
            }
        }
    }
    let removed: Vec<usize> = (0..before.len()).filter(|&i| !taken_b[i]).collect();
    let added: Vec<usize> = (0..after.len()).filter(|&i| !taken_a[i]).collect();
    // Same number left on both sides: an edit in place (new song, new title text).
    if removed.len() == added.len() {
        pairs.extend(removed.iter().copied().zip(added.iter().copied()));
        pairs.sort_by_key(|&(_, ia)| ia);
        return Matching {
            pairs,
            removed: Vec::new(),
            added: Vec::new(),
        };
    }
    pairs.sort_by_key(|&(_, ia)| ia);
    Matching {
        pairs,
        removed,
        added,
    }
}

fn diff_track(kind: TrackType, track: usize, before: &Track, after: &Track, out: &mut Vec<Change>) {
    let (old_refs, new_refs) = (refs(kind, track, before), refs(kind, track, after));
    let matching = match_segments(&before.segments, &after.segments);
    out.extend(
        matching
            .removed
            .iter()
            .map(|&i| Change::SegmentRemoved(old_refs[i].clone())),
    );
    out.extend(
        matching
            .added
            .iter()
            .map(|&i| Change::SegmentAdded(new_refs[i].clone())),
    );
    for &(ib, ia) in &matching.pairs {
        let (b, a) = (&before.segments[ib], &after.segments[ia]);
        diff_segment(b, a, &old_refs[ib], &new_refs[ia], out);
    }
    if matches!(kind, TrackType::Video | TrackType::Other(_)) {
        order_changes(&matching.pairs, &old_refs, &new_refs, out);
    }
    let keys = changed_keys(None, None, &before.extra, &after.extra);
    if !keys.is_empty() {
        out.push(Change::TrackUpdated { kind, track, keys });
    }
}

fn diff_segment(b: &Segment, a: &Segment, rb: &SegmentRef, ra: &SegmentRef, out: &mut Vec<Change>) {
    if b.src != a.src || b.name != a.name {
        out.push(Change::SegmentReplaced {
            before: rb.clone(),
            after: ra.clone(),
        });
        return;
    }
    if b.text != a.text {
        let (from, to) = (
            b.text.clone().unwrap_or_default(),
            a.text.clone().unwrap_or_default(),
        );
        out.push(Change::TextChanged {
            segment: ra.clone(),
            from,
            to,
        });
    }
    if b.duration_ms != a.duration_ms || b.source_in_ms != a.source_in_ms {
        out.push(Change::SegmentTrimmed {
            before: rb.clone(),
            after: ra.clone(),
        });
    } else if rb.span.start_ms != ra.span.start_ms
        && !matches!(ra.kind, TrackType::Video | TrackType::Other(_))
    {
        out.push(Change::SegmentMoved {
            before: rb.clone(),
            after: ra.clone(),
        });
    }
    let (from, to) = (b.volume_or_unity(), a.volume_or_unity());
    if (from - to).abs() > VOLUME_EPSILON {
        out.push(Change::VolumeChanged {
            segment: ra.clone(),
            from,
            to,
        });
    }
    let fade_in_ms = (b.fade_in_ms.unwrap_or(0), a.fade_in_ms.unwrap_or(0));
    let fade_out_ms = (b.fade_out_ms.unwrap_or(0), a.fade_out_ms.unwrap_or(0));
    if fade_in_ms.0 != fade_in_ms.1 || fade_out_ms.0 != fade_out_ms.1 {
        out.push(Change::FadeChanged {
            segment: ra.clone(),
            fade_in_ms,
            fade_out_ms,
        });
    }
    let keys = changed_keys(b.meta.as_ref(), a.meta.as_ref(), &b.extra, &a.extra);
    if !keys.is_empty() {
        out.push(Change::SegmentUpdated {
            segment: ra.clone(),
            keys,
        });
    }
}

/// Reports clips whose order changed: a single swap as such, otherwise the clips outside the
/// longest run that kept its relative order (the fewest moves that explain the new order).
fn order_changes(
    pairs: &[(usize, usize)],
    old: &[SegmentRef],
    new: &[SegmentRef],
    out: &mut Vec<Change>,
) {
    // `pairs` is sorted by after index; `seq` is the before index of each, in after order.
    let seq: Vec<usize> = pairs.iter().map(|&(ib, _)| ib).collect();
    let mut sorted = seq.clone();
    sorted.sort_unstable();
    let misplaced: Vec<usize> = (0..seq.len()).filter(|&k| seq[k] != sorted[k]).collect();
    if misplaced.is_empty() {
        return;
    }
    if let [x, y] = misplaced[..] {
        let (first, second) = (seq[x].min(seq[y]), seq[x].max(seq[y]));
        out.push(Change::SegmentsSwapped {
            first: old[first].clone(),
            second: old[second].clone(),
        });
        return;
    }
    let keep = longest_increasing(&seq);
    for (k, &(ib, ia)) in pairs.iter().enumerate() {
        if !keep.contains(&k) {
            let segment = new[ia].clone();
            out.push(Change::SegmentReordered {
                segment,
                from: old[ib].position,
                to: new[ia].position,
            });
        }
    }
}

/// Indices into `seq` of one longest strictly increasing subsequence (O(n²); tracks are short).
fn longest_increasing(seq: &[usize]) -> Vec<usize> {
    let n = seq.len();
    let mut length = vec![1_usize; n];
    let mut prev = vec![usize::MAX; n];
    for i in 0..n {
        for j in 0..i {
            if seq[j] < seq[i] && length[j] + 1 > length[i] {
                length[i] = length[j] + 1;
                prev[i] = j;
            }
        }
    }
    let Some(mut at) = (0..n).max_by_key(|&i| (length[i], std::cmp::Reverse(i))) else {
        return Vec::new();
    };
    let mut chain = vec![at];
    while prev[at] != usize::MAX {
        at = prev[at];
        chain.push(at);
    }
    chain
}

/// Names of keys whose value differs between two metadata maps and two extra maps.
fn changed_keys(
    meta_b: Option<&Map<String, Value>>,
    meta_a: Option<&Map<String, Value>>,
    extra_b: &Map<String, Value>,
    extra_a: &Map<String, Value>,
) -> Vec<String> {
    let empty = Map::new();
    let mut keys = differing(meta_b.unwrap_or(&empty), meta_a.unwrap_or(&empty));
    for key in differing(extra_b, extra_a) {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

fn differing(b: &Map<String, Value>, a: &Map<String, Value>) -> Vec<String> {
    let only_in_a = a.keys().filter(|k| !b.contains_key(*k));
    b.keys()
        .chain(only_in_a)
        .filter(|k| b.get(*k) != a.get(*k))
        .cloned()
        .collect()
}

/// How a change's segment is named at the start of a line: `Clip 2 (beach.mp4)`,
/// `Music 'calm piano'`, `Title "Tokyo 2026"`.
fn subject(r: &SegmentRef) -> String {
    match (r.kind, r.label.as_deref()) {
        (TrackType::Video, Some(label)) => format!("Clip {} ({label})", r.position),
        (TrackType::Video, None) => format!("Clip {}", r.position),
        (TrackType::Audio, Some(label)) => format!("Music '{label}'"),
        (TrackType::Audio, None) => "Music".to_owned(),
        (TrackType::Text, Some(label)) => format!("Title \"{label}\""),
        (TrackType::Text, None) => "Title".to_owned(),
        (TrackType::Other(_), Some(label)) => format!("Segment {} ({label})", r.position),
        (TrackType::Other(_), None) => format!("Segment {}", r.position),
    }
}

/// The noun for a segment of `kind`: Clip, Music, Title, Segment.
fn noun(kind: TrackType) -> &'static str {
    match kind {
        TrackType::Video => "Clip",
        TrackType::Audio => "Music",
        TrackType::Text => "Title",
        TrackType::Other(_) => "Segment",
    }
}

/// The label as listed after a colon: titles quoted, others bare.
fn named(r: &SegmentRef) -> String {
    match (r.kind, r.label.as_deref()) {
        (TrackType::Text, Some(label)) => format!("\"{label}\""),
        (_, Some(label)) => label.to_owned(),
        (_, None) => format!("#{}", r.position),
    }
}

fn track_noun(kind: TrackType) -> String {
    match kind {
        TrackType::Video => "Video track".to_owned(),
        TrackType::Audio => "Audio track".to_owned(),
        TrackType::Text => "Text track".to_owned(),
        TrackType::Other(code) => format!("Track of type {code}"),
    }
}

/// One line per change, e.g. `✅ Title added: "Tokyo 2026" (0-3s)`, `Music volume 100% → 35%`.
impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TrackAdded { kind, .. } => write!(f, "✅ {} added", track_noun(*kind)),
            Self::TrackRemoved { kind, .. } => write!(f, "🗑️ {} removed", track_noun(*kind)),
            Self::TrackUpdated { kind, keys, .. } => {
                write!(f, "{} updated: {}", track_noun(*kind), keys.join(", "))
            }
            Self::SegmentAdded(r) => {
                write!(f, "✅ {} added: {} ({})", noun(r.kind), named(r), r.span)
            }
            Self::SegmentRemoved(r) => {
                write!(f, "🗑️ {} removed: {} ({})", noun(r.kind), named(r), r.span)
            }
            Self::SegmentReplaced { before, after } => match before.kind {
                TrackType::Video | TrackType::Other(_) => write!(
                    f,
                    "{} {} replaced: {} → {}",
                    noun(before.kind),
                    before.position,
                    named(before),
                    named(after)
                ),
                _ => write!(
                    f,
                    "{} replaced: {} → {}",
                    noun(before.kind),
                    named(before),
                    named(after)
                ),
            },
            Self::SegmentTrimmed { before, after } => {
                write!(
                    f,
                    "{} trimmed: {} → {}",
                    subject(after),
                    before.span,
                    after.span
                )
            }
            Self::SegmentMoved { before, after } => {
                write!(
                    f,
                    "{} moved: {} → {}",
                    subject(after),
                    before.span,
                    after.span
                )
            }
            Self::SegmentReordered { segment, from, to } => {
                let name = segment
                    .label
                    .as_deref()
                    .map_or_else(String::new, |l| format!(" {l}"));
                write!(
                    f,
                    "{}{name} moved from position {from} to {to}",
                    noun(segment.kind)
                )
            }
            Self::SegmentsSwapped { first, second } => write!(
                f,
                "{}s {} and {} swapped ({} ↔ {})",
                noun(first.kind),
                first.position,
                second.position,
                named(first),
                named(second)
            ),
            Self::VolumeChanged { segment, from, to } => {
                let muted = if *to == 0.0 { " (muted)" } else { "" };
                write!(
                    f,
                    "{} volume {} → {}{muted}",
                    subject(segment),
                    percent(*from),
                    percent(*to)
                )
            }
            Self::FadeChanged {
                segment,
                fade_in_ms,
                fade_out_ms,
            } => {
                let mut parts = Vec::new();
                for (name, (from, to)) in [("fade in", fade_in_ms), ("fade out", fade_out_ms)] {
                    if from != to {
                        parts.push(format!("{name} {}s → {}s", seconds(*from), seconds(*to)));
                    }
                }
                write!(f, "{} {}", subject(segment), parts.join(", "))
            }
            Self::TextChanged { from, to, .. } => {
                write!(f, "Title text changed: \"{from}\" → \"{to}\"")
            }
            Self::SegmentUpdated { segment, keys } => {
                write!(f, "{} updated: {}", subject(segment), keys.join(", "))
            }
            Self::MetadataChanged { keys } => write!(f, "Project updated: {}", keys.join(", ")),
            Self::DurationChanged { from_ms, to_ms } => {
                write!(f, "Duration {} → {}", clock(*from_ms), clock(*to_ms))
            }
        }
    }
}
