//! The draft (timeline) as it travels on the wire: short keys `t`, `tt`, `sg`, `d`, `m`.
//!
//! Only those five keys are public (protocol §5). Segment fields are not documented by the
//! cloud, so nemo uses its own compact keys (below) and keeps every key it does not know in
//! `extra`, so a draft read from any backend round-trips byte-for-byte in meaning.
//!
//! | key | meaning |
//! |---|---|
//! | `id` | segment id |
//! | `st` | start on the timeline, ms |
//! | `d` | duration, ms |
//! | `src` | media reference (media id from upload, or URL) |
//! | `in` | in-point inside the source, ms |
//! | `nm` | label shown to users ("calm piano", "beach.mp4") |
//! | `vol` | volume, 1.0 = unity |
//! | `fi` / `fo` | fade in / fade out, ms |
//! | `tx` | text of a title |
//! | `m` | metadata (music brief, text style, ...) |

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Track type codes (`tt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrackType {
    Video,
    Audio,
    Text,
    Other(i64),
}

impl TrackType {
    pub fn from_code(code: i64) -> Self {
        match code {
            0 => Self::Video,
            1 => Self::Audio,
            7 => Self::Text,
            other => Self::Other(other),
        }
    }

    pub fn code(self) -> i64 {
        match self {
            Self::Video => 0,
            Self::Audio => 1,
            Self::Text => 7,
            Self::Other(c) => c,
        }
    }
}

/// The whole draft.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RawDraft {
    #[serde(default)]
    pub t: Vec<RawTrack>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub m: Option<Map<String, Value>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One track.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RawTrack {
    pub tt: i64,
    #[serde(default)]
    pub sg: Vec<RawSegment>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl RawTrack {
    pub fn track_type(&self) -> TrackType {
        TrackType::from_code(self.tt)
    }
}

/// One segment (clip, music bed, title...).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RawSegment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub st: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src: Option<String>,
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    pub source_in: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vol: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fi: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fo: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub m: Option<Map<String, Value>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
