//! How the engine lays media out in a draft (pure functions over [`RawDraft`]).
//!
//! Conventions (segment keys from `nemo_protocol::draft`):
//! - the first `tt=0` track holds the picture: clips and stills back to back; `st` is
//!   recomputed from the order after every edit, `in` is the in-point, `d` the length;
//! - the first `tt=1` track is the music bed (`vol`, `fi`, `fo`), other `tt=1` tracks are
//!   extra sounds;
//! - the first `tt=7` track holds titles (`tx`, `st`, `d`, `m.position`);
//! - `src` is a media id of the session; `m.kind` is `video`, `image`, `music` or `title`;
//! - draft `d` is the total length in ms, draft `m` carries the 1920x1080 canvas.

use std::time::Duration;

use nemo_protocol::{RawDraft, RawSegment, RawTrack, TrackType};
use serde_json::{Map, Value, json};

use crate::store::{MediaRow, Store, StoreError};

/// Default music volume when music is added (a bed under the clips' own sound).
pub const DEFAULT_MUSIC_VOLUME: f64 = 0.35;

/// A new segment id.
pub fn new_segment_id() -> String {
    format!("sg_{}", &uuid::Uuid::new_v4().simple().to_string()[..12])
}

fn meta(kind: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("kind".to_owned(), json!(kind));
    m
}

/// The `m.kind` of a segment.
pub fn segment_kind(seg: &RawSegment) -> Option<&str> {
    seg.m.as_ref()?.get("kind")?.as_str()
}

/// Index of the first track of a type, creating it (in canonical order) when missing.
pub fn track_index(draft: &mut RawDraft, tt: TrackType) -> usize {
    if let Some(i) = draft.t.iter().position(|t| t.track_type() == tt) {
        return i;
    }
    draft.t.push(RawTrack {
        tt: tt.code(),
        sg: Vec::new(),
        extra: Map::new(),
    });
    draft.t.len() - 1
}

/// The first track of a type, if any.
pub fn track(draft: &RawDraft, tt: TrackType) -> Option<&RawTrack> {
    draft.t.iter().find(|t| t.track_type() == tt)
}

/// The first track of a type, mutably, if any.
pub fn track_mut(draft: &mut RawDraft, tt: TrackType) -> Option<&mut RawTrack> {
    draft.t.iter_mut().find(|t| t.track_type() == tt)
}

/// The picture segments in order.
pub fn clips(draft: &RawDraft) -> &[RawSegment] {
    track(draft, TrackType::Video).map_or(&[], |t| t.sg.as_slice())
}

/// The music bed's segments.
pub fn music(draft: &RawDraft) -> &[RawSegment] {
    track(draft, TrackType::Audio).map_or(&[], |t| t.sg.as_slice())
}

/// Total picture length (ms).
pub fn video_length_ms(draft: &RawDraft) -> i64 {
    clips(draft).iter().map(|s| s.d.unwrap_or(0)).sum()
}

/// Recomputes derived fields after an edit: clip start times, music and titles clamped to
/// the picture, the draft length and canvas, and drops empty tracks.
pub fn normalize(draft: &mut RawDraft) {
    if let Some(video) = track_mut(draft, TrackType::Video) {
        let mut at = 0;
        for seg in &mut video.sg {
            seg.st = Some(at);
            at += seg.d.unwrap_or(0);
        }
    }
    let video_ms = video_length_ms(draft);
    if video_ms > 0 {
        fit_music_to_picture(draft, video_ms);
        for track in &mut draft.t {
            if matches!(track.track_type(), TrackType::Audio | TrackType::Text) {
                for seg in &mut track.sg {
                    let st = seg.st.unwrap_or(0).clamp(0, video_ms);
                    seg.st = Some(st);
                    seg.d = Some(seg.d.unwrap_or(video_ms - st).clamp(0, video_ms - st));
                }
                track.sg.retain(|s| s.d.unwrap_or(0) > 0);
            }
        }
    }
    draft.t.retain(|t| !t.sg.is_empty());
    let end = draft
        .t
        .iter()
        .flat_map(|t| t.sg.iter())
        .map(|s| s.st.unwrap_or(0) + s.d.unwrap_or(0))
        .max()
        .unwrap_or(0);
    draft.d = Some(end);
    let m = draft.m.get_or_insert_with(Map::new);
    m.insert("width".to_owned(), json!(1920));
    m.insert("height".to_owned(), json!(1080));
}

/// A segment for an uploaded clip or still.
pub fn clip_segment(media: &MediaRow, image_ms: i64) -> RawSegment {
    let is_image = media.file_type == "image";
    let mut m = meta(if is_image { "image" } else { "video" });
    if let (false, Some(source_ms)) = (is_image, media.duration_ms) {
        // Lets a later trim extend a clip up to the end of its source.
        m.insert("source_ms".to_owned(), json!(source_ms));
    }
    RawSegment {
        id: Some(new_segment_id()),
        d: Some(if is_image {
            image_ms
        } else {
            media.duration_ms.unwrap_or(image_ms)
        }),
        src: Some(media.id.clone()),
        source_in: Some(0),
        nm: Some(media.filename.clone()),
        vol: (!is_image && media.has_audio).then_some(1.0),
        m: Some(m),
        ..RawSegment::default()
    }
}

/// A music-bed segment covering `length_ms` from the start.
pub fn music_segment(media: &MediaRow, name: &str, length_ms: i64, volume: f64) -> RawSegment {
    RawSegment {
        id: Some(new_segment_id()),
        st: Some(0),
        d: Some(length_ms),
        src: Some(media.id.clone()),
        source_in: Some(0),
        nm: Some(name.to_owned()),
        vol: Some(volume),
        fi: Some(1000.min(length_ms / 4)),
        fo: Some(2000.min(length_ms / 4)),
        m: Some(meta("music")),
        ..RawSegment::default()
    }
}

/// Puts `segment` as the only music-bed segment.
pub fn set_music(draft: &mut RawDraft, segment: RawSegment) {
    let i = track_index(draft, TrackType::Audio);
    draft.t[i].sg = vec![segment];
}

/// Appends uploaded media: clips and stills go to the picture track; audio becomes the music
/// bed when there is none yet (or when the picture is empty, an audio-only project).
/// Returns whether anything was added.
pub fn append_media(draft: &mut RawDraft, media: &[MediaRow], image_ms: i64) -> bool {
    let mut changed = false;
    for m in media {
        match m.file_type.as_str() {
            "video" | "image" => {
                let i = track_index(draft, TrackType::Video);
                draft.t[i].sg.push(clip_segment(m, image_ms));
                changed = true;
            }
            "audio" if music(draft).is_empty() => {
                // As long as the picture (normalize() keeps it so); its own length otherwise.
                let video_ms = video_length_ms(draft);
                let length = if video_ms > 0 {
                    video_ms
                } else {
                    m.duration_ms.unwrap_or(0)
                };
                set_music(
                    draft,
                    music_segment(m, &m.filename, length, DEFAULT_MUSIC_VOLUME),
                );
                changed = true;
            }
            _ => {}
        }
    }
    if changed {
        normalize(draft);
    }
    changed
}

/// The music bed always spans the whole picture (the renderer loops a shorter source), so
/// trimming or adding clips never leaves a silent tail.
fn fit_music_to_picture(draft: &mut RawDraft, video_ms: i64) {
    if let Some(track) = track_mut(draft, TrackType::Audio) {
        for seg in &mut track.sg {
            if segment_kind(seg) == Some("music") {
                seg.st = Some(0);
                seg.d = Some(video_ms);
            }
        }
    }
}

/// Appends uploads to a session's draft in one write transaction.
pub async fn append_uploads(
    store: &Store,
    session_id: &str,
    media: &[MediaRow],
    image_segment: Duration,
) -> Result<bool, StoreError> {
    let image_ms = i64::try_from(image_segment.as_millis()).unwrap_or(3000);
    let outcome = store
        .edit_draft(session_id, "upload", |draft| {
            Ok::<_, std::convert::Infallible>(append_media(draft, media, image_ms).then_some(()))
        })
        .await?;
    Ok(matches!(outcome, Ok(Some(_))))
}

#[cfg(test)]
pub(crate) mod tests;
