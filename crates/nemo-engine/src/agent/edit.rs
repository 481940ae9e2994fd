//! Applying an intent to a draft: pure functions that edit a [`RawDraft`] and say what
//! changed ([`Change`]) or why nothing could change ([`Problem`]).

use nemo_protocol::{RawDraft, RawSegment, TrackType};
use serde_json::{Map, json};

use super::intent::{ClipPlace, ClipRef, Intent, Trim, VolumeChange};
use crate::store::MediaRow;
use crate::timeline::{self, DEFAULT_MUSIC_VOLUME};

/// Shortest clip or title the editor will make.
pub const MIN_SEGMENT_MS: i64 = 100;
/// How long a title shows when no length was asked for.
pub const DEFAULT_TITLE_MS: i64 = 3000;
const MAX_VOLUME: f64 = 2.0;

/// Facts about a generated track, for the reply.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedInfo {
    pub mood: String,
    pub style: String,
    pub key: String,
    pub bpm: f64,
    /// How the music was fitted to the video ("fitted to 3 cuts", ...), when it was.
    pub fitted: Option<String>,
}

/// What an edit did.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    MusicAdded {
        name: String,
        length_ms: i64,
        volume: f64,
        fade_in_ms: i64,
        fade_out_ms: i64,
        replaced: Option<String>,
        generated: Option<GeneratedInfo>,
        clips: usize,
    },
    MusicRemoved {
        name: String,
    },
    MusicVolume {
        name: String,
        before: f64,
        after: f64,
    },
    Fades {
        name: String,
        fade_in_ms: i64,
        fade_out_ms: i64,
    },
    Trimmed {
        index: usize,
        name: String,
        before_ms: i64,
        after_ms: i64,
    },
    Moved {
        name: String,
        from: usize,
        to: usize,
        order: Vec<String>,
    },
    Swapped {
        a: usize,
        b: usize,
        order: Vec<String>,
    },
    TitleAdded {
        text: String,
        start_ms: i64,
        duration_ms: i64,
    },
    TitleRemoved {
        count: usize,
    },
}

/// Why an edit could not be made.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    NoMusic,
    NoClips,
    ClipOutOfRange {
        asked: usize,
        count: usize,
    },
    WhichClip {
        count: usize,
    },
    TooShort {
        name: String,
        length_ms: i64,
    },
    TooLong {
        name: String,
        available_ms: i64,
    },
    TitleTextMissing,
    NoTitle,
    NoUploadedAudio,
    SamePlace,
    /// Not an edit (undo, describe, help, music generation are handled by the turn).
    NotAnEdit,
}

fn clip_names(draft: &RawDraft) -> Vec<String> {
    timeline::clips(draft)
        .iter()
        .enumerate()
        .map(|(i, s)| s.nm.clone().unwrap_or_else(|| format!("clip {}", i + 1)))
        .collect()
}

fn resolve(clip: ClipRef, count: usize) -> Result<usize, Problem> {
    match clip {
        ClipRef::Index(i) if i < count => Ok(i),
        ClipRef::Index(i) => Err(Problem::ClipOutOfRange {
            asked: i + 1,
            count,
        }),
        ClipRef::Last if count > 0 => Ok(count - 1),
        ClipRef::Last => Err(Problem::NoClips),
    }
}

fn music_mut(draft: &mut RawDraft) -> Result<&mut RawSegment, Problem> {
    timeline::track_mut(draft, TrackType::Audio)
        .and_then(|t| t.sg.first_mut())
        .ok_or(Problem::NoMusic)
}

fn music_name(seg: &RawSegment) -> String {
    seg.nm.clone().unwrap_or_else(|| "the music".to_owned())
}

/// Applies an editing intent (everything except music generation, undo, describe, help).
pub fn apply(draft: &mut RawDraft, intent: &Intent) -> Result<Change, Problem> {
    let change = match intent {
        Intent::RemoveMusic => {
            let track = timeline::track_mut(draft, TrackType::Audio).ok_or(Problem::NoMusic)?;
            let first = track.sg.first().ok_or(Problem::NoMusic)?;
            let name = music_name(first);
            track.sg.clear();
            Change::MusicRemoved { name }
        }
        Intent::MusicVolume(change) => {
            let seg = music_mut(draft)?;
            let before = seg.vol.unwrap_or(1.0);
            let after = match change {
                VolumeChange::Set(v) => *v,
                VolumeChange::Louder => (before * 1.5).max(0.2),
                VolumeChange::Quieter => before * 0.6,
            }
            .clamp(0.0, MAX_VOLUME);
            let after = (after * 100.0).round() / 100.0;
            seg.vol = Some(after);
            Change::MusicVolume {
                name: music_name(seg),
                before,
                after,
            }
        }
        Intent::Fade {
            fade_in_ms,
            fade_out_ms,
        } => {
            let seg = music_mut(draft)?;
            let length = seg.d.unwrap_or(0);
            if let Some(fi) = fade_in_ms {
                seg.fi = Some((*fi).clamp(0, length / 2));
            }
            if let Some(fo) = fade_out_ms {
                seg.fo = Some((*fo).clamp(0, length / 2));
            }
            Change::Fades {
                name: music_name(seg),
                fade_in_ms: seg.fi.unwrap_or(0),
                fade_out_ms: seg.fo.unwrap_or(0),
            }
        }
        Intent::TrimClip { clip, trim } => trim_clip(draft, *clip, *trim)?,
        Intent::MoveClip { clip, to } => move_clip(draft, *clip, *to)?,
        Intent::SwapClips(a, b) => {
            let count = timeline::clips(draft).len();
            let (a, b) = (resolve(*a, count)?, resolve(*b, count)?);
            if a == b {
                return Err(Problem::SamePlace);
            }
            let i = timeline::track_index(draft, TrackType::Video);
            draft.t[i].sg.swap(a, b);
            Change::Swapped {
                a,
                b,
                order: clip_names(draft),
            }
        }
        Intent::AddTitle { text, duration_ms } => add_title(draft, text, *duration_ms)?,
        Intent::RemoveTitle => {
            let track = timeline::track_mut(draft, TrackType::Text).ok_or(Problem::NoTitle)?;
            let count = track.sg.len();
            if count == 0 {
                return Err(Problem::NoTitle);
            }
            track.sg.clear();
            Change::TitleRemoved { count }
        }
        _ => return Err(Problem::NotAnEdit),
    };
    timeline::normalize(draft);
    Ok(change)
}

/// Puts `media` in as the music bed (replacing any), covering the picture.
pub fn set_music(
    draft: &mut RawDraft,
    media: &MediaRow,
    name: &str,
    volume: Option<f64>,
    generated: Option<GeneratedInfo>,
) -> Change {
    let replaced = timeline::music(draft).first().map(music_name);
    let video_ms = timeline::video_length_ms(draft);
    let length_ms = if video_ms > 0 {
        video_ms
    } else {
        media.duration_ms.unwrap_or(0)
    };
    let volume = volume
        .unwrap_or(DEFAULT_MUSIC_VOLUME)
        .clamp(0.0, MAX_VOLUME);
    let mut seg = timeline::music_segment(media, name, length_ms, volume);
    if let Some(info) = &generated {
        let m = seg.m.get_or_insert_with(Map::new);
        m.insert("mood".to_owned(), json!(info.mood));
        m.insert("style".to_owned(), json!(info.style));
        m.insert("bpm".to_owned(), json!(info.bpm));
        m.insert("key".to_owned(), json!(info.key));
    }
    let (fade_in_ms, fade_out_ms) = (seg.fi.unwrap_or(0), seg.fo.unwrap_or(0));
    timeline::set_music(draft, seg);
    timeline::normalize(draft);
    Change::MusicAdded {
        name: name.to_owned(),
        length_ms,
        volume,
        fade_in_ms,
        fade_out_ms,
        replaced,
        generated,
        clips: timeline::clips(draft).len(),
    }
}

/// The uploaded audio file a request means: one whose name contains the hint, else the
/// most recent audio upload.
pub fn pick_uploaded_audio<'a>(media: &'a [MediaRow], hint: Option<&str>) -> Option<&'a MediaRow> {
    let mut audio = media
        .iter()
        .filter(|m| m.file_type == "audio" && m.origin != "generated");
    match hint.map(str::to_lowercase) {
        Some(hint) => audio
            .clone()
            .find(|m| m.filename.to_lowercase().contains(&hint))
            .or_else(|| audio.next_back()),
        None => audio.next_back(),
    }
}

fn source_limit_ms(seg: &RawSegment) -> Option<i64> {
    seg.m.as_ref()?.get("source_ms")?.as_i64()
}

fn trim_clip(draft: &mut RawDraft, clip: Option<ClipRef>, trim: Trim) -> Result<Change, Problem> {
    let count = timeline::clips(draft).len();
    if count == 0 {
        return Err(Problem::NoClips);
    }
    let index = match clip {
        Some(c) => resolve(c, count)?,
        None if count == 1 => 0,
        None => return Err(Problem::WhichClip { count }),
    };
    let track = timeline::track_index(draft, TrackType::Video);
    let seg = &mut draft.t[track].sg[index];
    let name = seg
        .nm
        .clone()
        .unwrap_or_else(|| format!("clip {}", index + 1));
    let is_image = timeline::segment_kind(seg) == Some("image");
    let before = seg.d.unwrap_or(0);
    let source_in = seg.source_in.unwrap_or(0);
    // How far the clip could extend: to the end of its source (stills: any length).
    let available = if is_image {
        i64::MAX
    } else {
        source_limit_ms(seg).map_or(before, |s| s - source_in)
    };
    let (new_in, new_d) = match trim {
        Trim::KeepFirst(ms) => (source_in, ms),
        Trim::CutStart(ms) => (source_in + if is_image { 0 } else { ms }, before - ms),
        Trim::CutEnd(ms) => (source_in, before - ms),
        Trim::Range { start, end } => (source_in + if is_image { 0 } else { start }, end - start),
    };
    if new_d < MIN_SEGMENT_MS {
        return Err(Problem::TooShort {
            name,
            length_ms: before,
        });
    }
    if !is_image && new_in - source_in + new_d > available {
        return Err(Problem::TooLong {
            name,
            available_ms: available,
        });
    }
    seg.source_in = Some(new_in);
    seg.d = Some(new_d);
    Ok(Change::Trimmed {
        index,
        name,
        before_ms: before,
        after_ms: new_d,
    })
}

fn move_clip(draft: &mut RawDraft, clip: ClipRef, to: ClipPlace) -> Result<Change, Problem> {
    let count = timeline::clips(draft).len();
    if count == 0 {
        return Err(Problem::NoClips);
    }
    let from = resolve(clip, count)?;
    let target = match to {
        ClipPlace::Start => 0,
        ClipPlace::End => count - 1,
        ClipPlace::Index(i) => i.min(count - 1),
        ClipPlace::Before(other) => {
            let o = resolve(other, count)?;
            if o > from { o - 1 } else { o }
        }
        ClipPlace::After(other) => {
            let o = resolve(other, count)?;
            if o >= from { o } else { o + 1 }
        }
    };
    if target == from {
        return Err(Problem::SamePlace);
    }
    let track = timeline::track_index(draft, TrackType::Video);
    let seg = draft.t[track].sg.remove(from);
    let name = seg
        .nm
        .clone()
        .unwrap_or_else(|| format!("clip {}", from + 1));
    draft.t[track].sg.insert(target, seg);
    Ok(Change::Moved {
        name,
        from,
        to: target,
        order: clip_names(draft),
    })
}

fn add_title(
    draft: &mut RawDraft,
    text: &str,
    duration_ms: Option<i64>,
) -> Result<Change, Problem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Problem::TitleTextMissing);
    }
    let video_ms = timeline::video_length_ms(draft);
    let start_ms = timeline::track(draft, TrackType::Text)
        .and_then(|t| {
            t.sg.iter()
                .map(|s| s.st.unwrap_or(0) + s.d.unwrap_or(0))
                .max()
        })
        .filter(|end| video_ms == 0 || *end < video_ms)
        .unwrap_or(0);
    let wanted = duration_ms.unwrap_or(DEFAULT_TITLE_MS).max(MIN_SEGMENT_MS);
    let duration_ms = if video_ms > 0 {
        wanted.min(video_ms - start_ms)
    } else {
        wanted
    };
    let mut m = Map::new();
    m.insert("kind".to_owned(), json!("title"));
    m.insert("position".to_owned(), json!("center"));
    m.insert("size".to_owned(), json!(96));
    let seg = RawSegment {
        id: Some(timeline::new_segment_id()),
        st: Some(start_ms),
        d: Some(duration_ms),
        nm: Some(text.chars().take(40).collect()),
        tx: Some(text.chars().take(200).collect()),
        m: Some(m),
        ..RawSegment::default()
    };
    let i = timeline::track_index(draft, TrackType::Text);
    draft.t[i].sg.push(seg);
    Ok(Change::TitleAdded {
        text: text.to_owned(),
        start_ms,
        duration_ms,
    })
}

#[cfg(test)]
mod tests;
