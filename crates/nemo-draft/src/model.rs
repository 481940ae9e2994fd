//! The typed draft model: tracks of segments with nemo's compact keys decoded, every unknown
//! key kept in `extra` so that writing a draft back loses nothing.

use std::fmt;

use nemo_protocol::{RawDraft, RawSegment, RawTrack, TrackType};
use serde_json::{Map, Value};

/// A whole draft (timeline).
///
/// Fields mirror the wire keys (`t`, `d`, `m`); keys nemo does not know, and known keys whose
/// value had the wrong type, live in `extra` and are written back verbatim by
/// [`Draft::to_json`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draft {
    /// `t`: the tracks, in wire order.
    pub tracks: Vec<Track>,
    /// `d`: the duration the backend declared, in ms. See [`Draft::duration_ms`].
    pub declared_duration_ms: Option<i64>,
    /// `m`: draft metadata (`title`, `width`, `height`, ...).
    pub meta: Option<Map<String, Value>>,
    /// Every other key of the draft object.
    pub extra: Map<String, Value>,
}

/// One track (`t[i]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Track {
    /// `tt`: what the track holds.
    pub kind: TrackType,
    /// `sg`: the segments, in wire order.
    pub segments: Vec<Segment>,
    /// Every other key of the track object.
    pub extra: Map<String, Value>,
}

/// One segment (`t[i].sg[j]`): a clip, a music bed, a title...
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Segment {
    /// `id`.
    pub id: Option<String>,
    /// `st`: start on the timeline, ms. When absent the segment follows the previous one.
    pub start_ms: Option<i64>,
    /// `d`: duration, ms.
    pub duration_ms: Option<i64>,
    /// `src`: media id or URL.
    pub src: Option<String>,
    /// `in`: in-point inside the source, ms.
    pub source_in_ms: Option<i64>,
    /// `nm`: label shown to users.
    pub name: Option<String>,
    /// `vol`: volume, 1.0 = unity.
    pub volume: Option<f64>,
    /// `fi`: fade in, ms.
    pub fade_in_ms: Option<i64>,
    /// `fo`: fade out, ms.
    pub fade_out_ms: Option<i64>,
    /// `tx`: title text.
    pub text: Option<String>,
    /// `m`: segment metadata.
    pub meta: Option<Map<String, Value>>,
    /// Every other key of the segment object.
    pub extra: Map<String, Value>,
}

/// A time range on the timeline, in ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start_ms: i64,
    pub end_ms: i64,
}

impl Span {
    /// Length of the range in ms (never negative).
    pub fn len_ms(self) -> i64 {
        (self.end_ms - self.start_ms).max(0)
    }
}

/// Formats as the seed does: `0-10s`, `2.5-7s`.
impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}s",
            crate::fmt::seconds(self.start_ms),
            crate::fmt::seconds(self.end_ms)
        )
    }
}

impl Track {
    /// An empty track of `kind`.
    pub fn new(kind: TrackType) -> Self {
        Self {
            kind,
            segments: Vec::new(),
            extra: Map::new(),
        }
    }

    /// Where each segment sits on the timeline, in segment order.
    ///
    /// A segment without `st` starts where the previous one ends (0 for the first), because
    /// clip tracks are usually written as a plain sequence; one without `d` is zero-length.
    pub fn spans(&self) -> Vec<Span> {
        let mut cursor = 0;
        self.segments
            .iter()
            .map(|segment| {
                let start_ms = segment.start_ms.unwrap_or(cursor);
                let end_ms = start_ms + segment.duration_ms.unwrap_or(0).max(0);
                cursor = end_ms;
                Span { start_ms, end_ms }
            })
            .collect()
    }

    /// The range covered by the track's segments, or `None` when it has none.
    pub fn extent(&self) -> Option<Span> {
        let spans = self.spans();
        let start_ms = spans.iter().map(|s| s.start_ms).min()?;
        let end_ms = spans.iter().map(|s| s.end_ms).max()?;
        Some(Span { start_ms, end_ms })
    }
}

impl Segment {
    /// The label users see: `nm`, else the title text, else the file name of `src`, else `id`.
    pub fn label(&self) -> Option<String> {
        self.name
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .or_else(|| self.text.as_deref().filter(|s| !s.trim().is_empty()))
            .map(str::to_owned)
            .or_else(|| self.src.as_deref().and_then(file_name_of))
            .or_else(|| self.id.clone())
    }

    /// Volume with the default of 1.0 (unity) applied.
    pub fn volume_or_unity(&self) -> f64 {
        self.volume.unwrap_or(1.0)
    }
}

/// The last path component of a path or URL, without query or fragment.
fn file_name_of(src: &str) -> Option<String> {
    let without_query = src.split(['?', '#']).next().unwrap_or(src);
    let name = without_query
        .trim_end_matches('/')
        .rsplit(['/', '\\'])
        .next()?;
    (!name.is_empty()).then(|| name.to_owned())
}

impl Draft {
    /// Length of the timeline in ms: the latest segment end when any segment declares a
    /// duration, else the draft's own `d`, else 0. Segment ends win because edits change them
    /// while a stale `d` may linger.
    pub fn duration_ms(&self) -> i64 {
        let any_timed = self.segments().any(|s| s.duration_ms.is_some());
        if any_timed {
            self.tracks
                .iter()
                .filter_map(Track::extent)
                .map(|s| s.end_ms)
                .max()
                .unwrap_or(0)
        } else {
            self.declared_duration_ms.unwrap_or(0).max(0)
        }
    }

    /// Tracks of one kind, in wire order.
    pub fn tracks_of(&self, kind: TrackType) -> impl Iterator<Item = &Track> {
        self.tracks.iter().filter(move |t| t.kind == kind)
    }

    /// Every segment of every track.
    pub fn segments(&self) -> impl Iterator<Item = &Segment> {
        self.tracks.iter().flat_map(|t| t.segments.iter())
    }

    /// Number of segments on video tracks (the user's "clips").
    pub fn clip_count(&self) -> usize {
        self.tracks_of(TrackType::Video)
            .map(|t| t.segments.len())
            .sum()
    }

    /// Whether the render endpoint will accept the draft: some track has a segment (protocol
    /// §3.7 readiness rule).
    pub fn is_exportable(&self) -> bool {
        self.tracks.iter().any(|t| !t.segments.is_empty())
    }

    /// Whether there is nothing on the timeline.
    pub fn is_empty(&self) -> bool {
        !self.is_exportable()
    }

    /// `m.title`, when it is a non-empty string.
    pub fn title(&self) -> Option<&str> {
        self.meta
            .as_ref()?
            .get("title")?
            .as_str()
            .filter(|s| !s.trim().is_empty())
    }

    /// The draft as wire JSON, with unknown keys written back where they were read.
    ///
    /// Known keys come first; an `extra` entry never overrides a known field that is set. A
    /// missing `t` or `sg` is written as `[]`, which means the same to every reader.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        if !self.tracks.is_empty() || !self.extra.contains_key("t") {
            out.insert(
                "t".to_owned(),
                Value::Array(self.tracks.iter().map(Track::to_json).collect()),
            );
        }
        put_int(&mut out, "d", self.declared_duration_ms);
        put_map(&mut out, "m", self.meta.as_ref());
        merge_extra(&mut out, &self.extra);
        Value::Object(out)
    }

    /// The draft as the protocol's raw type. An `extra` entry that collides with a raw field
    /// (only possible after a tolerant parse kept a malformed value) is dropped here; use
    /// [`Draft::to_json`] when nothing may be lost.
    pub fn to_raw(&self) -> RawDraft {
        RawDraft {
            t: self.tracks.iter().map(Track::to_raw).collect(),
            d: self.declared_duration_ms,
            m: self.meta.clone(),
            extra: without_keys(&self.extra, &["t", "d", "m"]),
        }
    }
}

impl Track {
    fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("tt".to_owned(), Value::from(self.kind.code()));
        if !self.segments.is_empty() || !self.extra.contains_key("sg") {
            let segments = self.segments.iter().map(Segment::to_json).collect();
            out.insert("sg".to_owned(), Value::Array(segments));
        }
        merge_extra(&mut out, &self.extra);
        Value::Object(out)
    }

    fn to_raw(&self) -> RawTrack {
        RawTrack {
            tt: self.kind.code(),
            sg: self.segments.iter().map(Segment::to_raw).collect(),
            extra: without_keys(&self.extra, &["tt", "sg"]),
        }
    }
}

impl Segment {
    fn to_json(&self) -> Value {
        let mut out = Map::new();
        put_str(&mut out, "id", self.id.as_deref());
        put_int(&mut out, "st", self.start_ms);
        put_int(&mut out, "d", self.duration_ms);
        put_str(&mut out, "src", self.src.as_deref());
        put_int(&mut out, "in", self.source_in_ms);
        put_str(&mut out, "nm", self.name.as_deref());
        if let Some(vol) = self.volume {
            out.insert("vol".to_owned(), Value::from(vol));
        }
        put_int(&mut out, "fi", self.fade_in_ms);
        put_int(&mut out, "fo", self.fade_out_ms);
        put_str(&mut out, "tx", self.text.as_deref());
        put_map(&mut out, "m", self.meta.as_ref());
        merge_extra(&mut out, &self.extra);
        Value::Object(out)
    }

    fn to_raw(&self) -> RawSegment {
        RawSegment {
            id: self.id.clone(),
            st: self.start_ms,
            d: self.duration_ms,
            src: self.src.clone(),
            source_in: self.source_in_ms,
            nm: self.name.clone(),
            vol: self.volume,
            fi: self.fade_in_ms,
            fo: self.fade_out_ms,
            tx: self.text.clone(),
            m: self.meta.clone(),
            extra: without_keys(
                &self.extra,
                &[
                    "id", "st", "d", "src", "in", "nm", "vol", "fi", "fo", "tx", "m",
                ],
            ),
        }
    }
}

fn put_int(out: &mut Map<String, Value>, key: &str, value: Option<i64>) {
    if let Some(v) = value {
        out.insert(key.to_owned(), Value::from(v));
    }
}

fn put_str(out: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        out.insert(key.to_owned(), Value::from(v));
    }
}

fn put_map(out: &mut Map<String, Value>, key: &str, value: Option<&Map<String, Value>>) {
    if let Some(v) = value {
        out.insert(key.to_owned(), Value::Object(v.clone()));
    }
}

/// Adds `extra` entries whose key is not already written by a known field.
fn merge_extra(out: &mut Map<String, Value>, extra: &Map<String, Value>) {
    for (key, value) in extra {
        if !out.contains_key(key) {
            out.insert(key.clone(), value.clone());
        }
    }
}

fn without_keys(extra: &Map<String, Value>, keys: &[&str]) -> Map<String, Value> {
    extra
        .iter()
        .filter(|(k, _)| !keys.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

impl From<RawDraft> for Draft {
    fn from(raw: RawDraft) -> Self {
        Self {
            tracks: raw.t.into_iter().map(Track::from).collect(),
            declared_duration_ms: raw.d,
            meta: raw.m,
            extra: raw.extra,
        }
    }
}

impl From<RawTrack> for Track {
    fn from(raw: RawTrack) -> Self {
        Self {
            kind: TrackType::from_code(raw.tt),
            segments: raw.sg.into_iter().map(Segment::from).collect(),
            extra: raw.extra,
        }
    }
}

impl From<RawSegment> for Segment {
    fn from(raw: RawSegment) -> Self {
        Self {
            id: raw.id,
            start_ms: raw.st,
            duration_ms: raw.d,
            src: raw.src,
            source_in_ms: raw.source_in,
            name: raw.nm,
            volume: raw.vol,
            fade_in_ms: raw.fi,
            fade_out_ms: raw.fo,
            text: raw.tx,
            meta: raw.m,
            extra: raw.extra,
        }
    }
}

impl From<&Draft> for RawDraft {
    fn from(draft: &Draft) -> Self {
        draft.to_raw()
    }
}
