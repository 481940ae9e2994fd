//! Tolerant parsing of a draft from JSON: partial success with diagnostics, never a panic,
//! and nothing dropped that can be kept.

use std::fmt;

use nemo_protocol::TrackType;
use serde_json::{Map, Value};

use crate::model::{Draft, Segment, Track};

#[cfg(test)]
mod tests;

/// Something odd found while parsing; the draft is still usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// JSON pointer of the offending value, e.g. `/t/1/sg/0/vol`.
    pub path: String,
    pub kind: DiagnosticKind,
}

/// What was odd, and what the parser did about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiagnosticKind {
    /// The draft was a string that does not hold JSON; an empty draft was used.
    NotJson,
    /// The value should have been an object; a track or segment is skipped, a draft is empty.
    NotAnObject { found: &'static str },
    /// A track without an integer `tt`; the track is skipped because its kind is unknowable.
    MissingTrackType,
    /// A known key held the wrong type; the value is kept verbatim in `extra`.
    WrongType {
        key: &'static str,
        expected: &'static str,
        found: &'static str,
    },
    /// A number was written as a float or a numeric string; it was read as whole ms.
    Coerced { key: &'static str },
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "/"
        } else {
            &self.path
        };
        match &self.kind {
            DiagnosticKind::NotJson => write!(f, "draft string is not JSON at `{path}`"),
            DiagnosticKind::NotAnObject { found } => {
                write!(f, "expected an object at `{path}`, found {found}: skipped")
            }
            DiagnosticKind::MissingTrackType => {
                write!(f, "track without an integer `tt` at `{path}`: skipped")
            }
            DiagnosticKind::WrongType {
                key,
                expected,
                found,
            } => write!(
                f,
                "`{key}` at `{path}` should be {expected}, found {found}: kept unchanged"
            ),
            DiagnosticKind::Coerced { key } => {
                write!(
                    f,
                    "`{key}` at `{path}` was not an integer: read as whole ms"
                )
            }
        }
    }
}

/// Collects diagnostics while walking the JSON.
struct Parser {
    diagnostics: Vec<Diagnostic>,
}

impl Draft {
    /// Reads a draft from JSON, keeping whatever can be kept.
    ///
    /// Accepts an object, `null` (empty draft, no diagnostic) or a string holding JSON (some
    /// backends double-encode). Unknown keys, and known keys with a value of the wrong type,
    /// are kept in `extra`; tracks without a `tt` and non-object tracks or segments are skipped
    /// with a diagnostic.
    pub fn parse(value: &Value) -> (Self, Vec<Diagnostic>) {
        let mut parser = Parser {
            diagnostics: Vec::new(),
        };
        let draft = parser.draft(value);
        (draft, parser.diagnostics)
    }

    /// Finds and parses the draft inside a state object: `draft` (the `nemo_agent` state
    /// endpoint's `data.state`), `timeline_draft` or `project.timeline_draft` (the gateway's
    /// form). A state without any of them gives an empty draft.
    pub fn from_state(state: &Value) -> (Self, Vec<Diagnostic>) {
        let found = state
            .get("draft")
            .or_else(|| state.get("timeline_draft"))
            .or_else(|| state.get("project").and_then(|p| p.get("timeline_draft")));
        found.map_or_else(|| (Self::default(), Vec::new()), Self::parse)
    }
}

impl Parser {
    fn note(&mut self, path: &str, kind: DiagnosticKind) {
        self.diagnostics.push(Diagnostic {
            path: path.to_owned(),
            kind,
        });
    }

    fn draft(&mut self, value: &Value) -> Draft {
        match value {
            Value::Null => Draft::default(),
            Value::String(text) => {
                if let Ok(inner @ Value::Object(_)) = serde_json::from_str::<Value>(text) {
                    self.draft(&inner)
                } else {
                    self.note("", DiagnosticKind::NotJson);
                    Draft::default()
                }
            }
            Value::Object(object) => self.draft_object(object),
            other => {
                self.note(
                    "",
                    DiagnosticKind::NotAnObject {
                        found: type_name(other),
                    },
                );
                Draft::default()
            }
        }
    }

    fn draft_object(&mut self, object: &Map<String, Value>) -> Draft {
        let mut draft = Draft::default();
        for (key, value) in object {
            match key.as_str() {
                "t" => match value {
                    Value::Array(items) => draft.tracks = self.tracks(items),
                    other => self.keep_wrong(&mut draft.extra, "", "t", "an array", other),
                },
                "d" => draft.declared_duration_ms = self.int(&mut draft.extra, "", "d", value),
                "m" => draft.meta = self.map(&mut draft.extra, "", "m", value),
                _ => {
                    draft.extra.insert(key.clone(), value.clone());
                }
            }
        }
        draft
    }

    fn tracks(&mut self, items: &[Value]) -> Vec<Track> {
        items
            .iter()
            .enumerate()
            .filter_map(|(i, value)| self.track(&format!("/t/{i}"), value))
            .collect()
    }

    fn track(&mut self, path: &str, value: &Value) -> Option<Track> {
        let Value::Object(object) = value else {
            self.note(
                path,
                DiagnosticKind::NotAnObject {
                    found: type_name(value),
                },
            );
            return None;
        };
        let Some(code) = object.get("tt").and_then(Value::as_i64) else {
            self.note(path, DiagnosticKind::MissingTrackType);
            return None;
        };
        let mut track = Track::new(TrackType::from_code(code));
        for (key, value) in object {
            match key.as_str() {
                "tt" => {}
                "sg" => match value {
                    Value::Array(items) => {
                        track.segments = items
                            .iter()
                            .enumerate()
                            .filter_map(|(j, v)| self.segment(&format!("{path}/sg/{j}"), v))
                            .collect();
                    }
                    other => self.keep_wrong(&mut track.extra, path, "sg", "an array", other),
                },
                _ => {
                    track.extra.insert(key.clone(), value.clone());
                }
            }
        }
        Some(track)
    }

    fn segment(&mut self, path: &str, value: &Value) -> Option<Segment> {
        let Value::Object(object) = value else {
            self.note(
                path,
                DiagnosticKind::NotAnObject {
                    found: type_name(value),
                },
            );
            return None;
        };
        let mut s = Segment::default();
        for (key, value) in object {
            let extra = &mut s.extra;
            match key.as_str() {
                "id" => s.id = self.id(extra, path, value),
                "st" => s.start_ms = self.int(extra, path, "st", value),
                "d" => s.duration_ms = self.int(extra, path, "d", value),
                "src" => s.src = self.string(extra, path, "src", value),
                "in" => s.source_in_ms = self.int(extra, path, "in", value),
                "nm" => s.name = self.string(extra, path, "nm", value),
                "vol" => s.volume = self.float(extra, path, "vol", value),
                "fi" => s.fade_in_ms = self.int(extra, path, "fi", value),
                "fo" => s.fade_out_ms = self.int(extra, path, "fo", value),
                "tx" => s.text = self.string(extra, path, "tx", value),
                "m" => s.meta = self.map(extra, path, "m", value),
                _ => {
                    extra.insert(key.clone(), value.clone());
                }
            }
        }
        Some(s)
    }

    fn keep_wrong(
        &mut self,
        extra: &mut Map<String, Value>,
        path: &str,
        key: &'static str,
        expected: &'static str,
        value: &Value,
    ) {
        let found = type_name(value);
        self.note(
            &format!("{path}/{key}"),
            DiagnosticKind::WrongType {
                key,
                expected,
                found,
            },
        );
        extra.insert(key.to_owned(), value.clone());
    }

    /// Whole milliseconds. Floats and numeric strings are accepted (rounded) with a note,
    /// because a timeline that is merely written oddly is still a timeline.
    fn int(
        &mut self,
        extra: &mut Map<String, Value>,
        path: &str,
        key: &'static str,
        value: &Value,
    ) -> Option<i64> {
        if let Some(v) = value.as_i64() {
            return Some(v);
        }
        let coerced = match value {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        }
        .filter(|f| f.is_finite() && f.abs() < 9.0e15);
        if let Some(f) = coerced {
            self.note(&format!("{path}/{key}"), DiagnosticKind::Coerced { key });
            return Some(f.round() as i64);
        }
        self.keep_wrong(extra, path, key, "an integer", value);
        None
    }

    fn float(
        &mut self,
        extra: &mut Map<String, Value>,
        path: &str,
        key: &'static str,
        value: &Value,
    ) -> Option<f64> {
        let parsed = value.as_f64();
        if parsed.is_none() {
            self.keep_wrong(extra, path, key, "a number", value);
        }
        parsed
    }

    fn string(
        &mut self,
        extra: &mut Map<String, Value>,
        path: &str,
        key: &'static str,
        value: &Value,
    ) -> Option<String> {
        if let Value::String(s) = value {
            return Some(s.clone());
        }
        self.keep_wrong(extra, path, key, "a string", value);
        None
    }

    /// Ids are strings in nemo; a numeric id from another backend is kept verbatim in `extra`
    /// (so it is written back as a number) and noted.
    fn id(&mut self, extra: &mut Map<String, Value>, path: &str, value: &Value) -> Option<String> {
        self.string(extra, path, "id", value)
    }

    fn map(
        &mut self,
        extra: &mut Map<String, Value>,
        path: &str,
        key: &'static str,
        value: &Value,
    ) -> Option<Map<String, Value>> {
        if let Value::Object(map) = value {
            return Some(map.clone());
        }
        self.keep_wrong(extra, path, key, "an object", value);
        None
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
