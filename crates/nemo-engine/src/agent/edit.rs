//! Applying an intent to a draft: pure functions that edit a [`RawDraft`] and say what
//! changed ([`Change`]) or why nothing could change ([`Problem`]).

use nemo_protocol::{RawDraft, RawSegment, TrackType};
use serde_json::{Map, json};

use super::intent::{
    ClipOrder, ClipPlace, ClipRef, Framing, Intent, TitleAt, Transition, Trim, VideoOptions,
    VolumeChange,
};
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
    /// Music lowered under speech (`on`) or not.
    Ducking {
        name: String,
        on: bool,
    },
    /// The clips' own sound muted or restored on `clips` clips.
    OriginalAudio {
        muted: bool,
        clips: usize,
    },
    /// The whole video's length changed.
    LengthSet {
        before_ms: i64,
        after_ms: i64,
        clips: usize,
    },
    /// Back to the uploads: `clips` clips, no music or titles.
    StartedOver {
        clips: usize,
    },
    /// A montage of the clips replaced the draft.
    MontageBuilt {
        clips: usize,
        shots: usize,
        length_ms: i64,
        music: String,
        /// Share of cuts on a beat, 0..=1.
        beat_hit_ratio: f64,
    },
    /// A video with generated visuals (no clips) replaced the draft.
    VideoGenerated {
        length_ms: i64,
        music: String,
        title: Option<String>,
    },
    /// Montage settings stored on the draft (`m.order`, `m.transition`, `m.framing`).
    OptionsSet {
        options: VideoOptions,
        /// The clip order after an energy-arc reorder.
        order: Option<Vec<String>>,
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
    /// The draft already is that way (already muted, already 30 s, ...).
    AlreadySo,
    /// No clip has sound of its own.
    NoClipAudio,
    /// The footage cannot stretch to the requested length (stills can; videos end).
    NotEnoughFootage {
        asked_ms: i64,
        max_ms: i64,
    },
    /// Shorter than every clip can shrink to.
    TooShortTotal {
        asked_ms: i64,
        min_ms: i64,
    },
    /// "shorten to 30 s" when the video is shorter already.
    AlreadyShorter {
        length_ms: i64,
        asked_ms: i64,
    },
    /// Ordering by energy needs each clip's analysis, which was not available.
    NoAnalysis,
    /// Not an edit (undo, describe, help, music generation are handled by the turn).
    NotAnEdit,
}

/// The clips' names in timeline order ("clip N" for unnamed ones).
pub fn clip_names(draft: &RawDraft) -> Vec<String> {
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
        Intent::AddTitle {
            text,
            duration_ms,
            at,
        } => add_title(draft, text, *duration_ms, *at)?,
        Intent::DuckMusic(on) => {
            let seg = music_mut(draft)?;
            let m = seg.m.get_or_insert_with(Map::new);
            // The mix ducks unless `duck` is false; an explicit request is stored either way
            // so later edits (and the reply) know it was asked for.
            if m.get("duck").and_then(serde_json::Value::as_bool) == Some(*on) {
                return Err(Problem::AlreadySo);
            }
            m.insert("duck".to_owned(), json!(on));
            Change::Ducking {
                name: music_name(seg),
                on: *on,
            }
        }
        Intent::OriginalAudio { mute } => original_audio(draft, *mute)?,
        Intent::SetLength { ms, only_shorter } => set_length(draft, *ms, *only_shorter)?,
        Intent::VideoOptions(options) => set_options(draft, *options, None)?,
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
    at: TitleAt,
) -> Result<Change, Problem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Problem::TitleTextMissing);
    }
    let video_ms = timeline::video_length_ms(draft);
    let wanted = duration_ms.unwrap_or(DEFAULT_TITLE_MS).max(MIN_SEGMENT_MS);
    let start_ms = match at {
        TitleAt::Start => 0,
        TitleAt::End => (video_ms - wanted).max(0),
        TitleAt::Next => timeline::track(draft, TrackType::Text)
            .and_then(|t| {
                t.sg.iter()
                    .map(|s| s.st.unwrap_or(0) + s.d.unwrap_or(0))
                    .max()
            })
            .filter(|end| video_ms == 0 || *end < video_ms)
            .unwrap_or(0),
    };
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

/// Draft `m` flag the render mix reads: drop every clip's own audio (`worker/mix.rs`).
pub const MUTE_ORIGINAL_KEY: &str = "mute_original";

/// Mutes or restores the clips' own sound with the draft's `m.mute_original` flag, so the
/// clips keep their volumes and unmuting brings back exactly what was there.
fn original_audio(draft: &mut RawDraft, mute: bool) -> Result<Change, Problem> {
    let clips = timeline::clips(draft);
    if clips.is_empty() {
        return Err(Problem::NoClips);
    }
    // Clips without a sound track carry no `vol` (see `timeline::clip_segment`).
    let with_sound = clips.iter().filter(|s| s.vol.is_some()).count();
    if with_sound == 0 {
        return Err(Problem::NoClipAudio);
    }
    let m = draft.m.get_or_insert_with(Map::new);
    let muted = m
        .get(MUTE_ORIGINAL_KEY)
        .and_then(serde_json::Value::as_bool)
        == Some(true);
    if muted == mute {
        return Err(Problem::AlreadySo);
    }
    m.insert(MUTE_ORIGINAL_KEY.to_owned(), json!(mute));
    Ok(Change::OriginalAudio {
        muted: mute,
        clips: with_sound,
    })
}

/// Longest a clip may play from its current in-point (stills: unlimited).
fn clip_room_ms(seg: &RawSegment) -> i64 {
    if timeline::segment_kind(seg) == Some("image") {
        return i64::MAX / 4;
    }
    let d = seg.d.unwrap_or(0);
    source_limit_ms(seg)
        .map_or(d, |s| s - seg.source_in.unwrap_or(0))
        .max(d)
}

/// Lengths for `current` clips so they sum to `target` exactly: in proportion, each kept
/// within `MIN_SEGMENT_MS..=room`, the rounding and clamping remainder spread over clips
/// that still have slack.
pub fn fit_lengths(current: &[i64], room: &[i64], target: i64) -> Result<Vec<i64>, Problem> {
    let total: i64 = current.iter().sum();
    let min_total = MIN_SEGMENT_MS * current.len() as i64;
    let max_total = room.iter().fold(0_i64, |a, r| a.saturating_add(*r));
    if target < min_total {
        return Err(Problem::TooShortTotal {
            asked_ms: target,
            min_ms: min_total,
        });
    }
    if target > max_total {
        return Err(Problem::NotEnoughFootage {
            asked_ms: target,
            max_ms: max_total,
        });
    }
    let mut out: Vec<i64> = current
        .iter()
        .zip(room)
        .map(|(d, r)| {
            let scaled = (*d as f64 * target as f64 / total.max(1) as f64).floor() as i64;
            scaled.clamp(MIN_SEGMENT_MS, *r)
        })
        .collect();
    // Each pass moves every clip with slack by an equal share (at least 1 ms); the bounds
    // were checked above, so some clip always has slack and every pass makes progress.
    loop {
        let diff = target - out.iter().sum::<i64>();
        if diff == 0 {
            return Ok(out);
        }
        let slack: Vec<usize> = (0..out.len())
            .filter(|&i| {
                if diff > 0 {
                    out[i] < room[i]
                } else {
                    out[i] > MIN_SEGMENT_MS
                }
            })
            .collect();
        if slack.is_empty() {
            return Err(Problem::NotEnoughFootage {
                asked_ms: target,
                max_ms: max_total,
            });
        }
        let per = diff / slack.len() as i64;
        let per = if per == 0 { diff.signum() } else { per };
        let mut left = diff;
        for i in slack {
            if left == 0 {
                break;
            }
            let step = if per.abs() > left.abs() { left } else { per };
            let next = (out[i] + step).clamp(MIN_SEGMENT_MS, room[i]);
            left -= next - out[i];
            out[i] = next;
        }
    }
}

fn set_length(draft: &mut RawDraft, target_ms: i64, only_shorter: bool) -> Result<Change, Problem> {
    let clips = timeline::clips(draft);
    if clips.is_empty() {
        return Err(Problem::NoClips);
    }
    let before_ms = timeline::video_length_ms(draft);
    if only_shorter && target_ms > before_ms {
        return Err(Problem::AlreadyShorter {
            length_ms: before_ms,
            asked_ms: target_ms,
        });
    }
    if before_ms == target_ms {
        return Err(Problem::AlreadySo);
    }
    let current: Vec<i64> = clips.iter().map(|s| s.d.unwrap_or(0)).collect();
    let room: Vec<i64> = clips.iter().map(clip_room_ms).collect();
    let lengths = fit_lengths(&current, &room, target_ms)?;
    let track = timeline::track_index(draft, TrackType::Video);
    for (seg, d) in draft.t[track].sg.iter_mut().zip(&lengths) {
        seg.d = Some(*d);
    }
    Ok(Change::LengthSet {
        before_ms,
        after_ms: target_ms,
        clips: lengths.len(),
    })
}

/// Draft metadata keys for montage settings, read by the montage renderer.
pub const ORDER_KEY: &str = "order";
pub const TRANSITION_KEY: &str = "transition";
pub const FRAMING_KEY: &str = "framing";

/// Wire names of the montage settings.
pub fn order_name(order: ClipOrder) -> &'static str {
    match order {
        ClipOrder::AsUploaded => "uploaded",
        ClipOrder::EnergyArc => "energy_arc",
    }
}

pub fn transition_name(transition: Transition) -> &'static str {
    match transition {
        Transition::Cut => "cut",
        Transition::Crossfade => "crossfade",
        Transition::DipToBlack => "dip",
    }
}

pub fn framing_name(framing: Framing) -> &'static str {
    match framing {
        Framing::Letterbox => "letterbox",
        Framing::BlurPad => "blur",
    }
}

/// Stores montage settings on the draft; with `energies` (one per clip, in the current
/// order) an energy-arc order also reorders the clips.
pub fn set_options(
    draft: &mut RawDraft,
    options: VideoOptions,
    energies: Option<&[f64]>,
) -> Result<Change, Problem> {
    let mut reordered = None;
    if options.order == Some(ClipOrder::EnergyArc) {
        let energies = energies.ok_or(Problem::NoAnalysis)?;
        reordered = Some(energy_arc(draft, energies)?);
    }
    let m = draft.m.get_or_insert_with(Map::new);
    let before = m.clone();
    if let Some(order) = options.order {
        m.insert(ORDER_KEY.to_owned(), json!(order_name(order)));
    }
    if let Some(t) = options.transition {
        m.insert(TRANSITION_KEY.to_owned(), json!(transition_name(t)));
    }
    if let Some(f) = options.framing {
        m.insert(FRAMING_KEY.to_owned(), json!(framing_name(f)));
    }
    if *m == before && reordered.is_none() {
        return Err(Problem::AlreadySo);
    }
    Ok(Change::OptionsSet {
        options,
        order: reordered,
    })
}

/// Reorders clips into an arc: rising energy to the most energetic clip about two thirds
/// in, then the rest falling, so the montage builds and resolves.
fn energy_arc(draft: &mut RawDraft, energies: &[f64]) -> Result<Vec<String>, Problem> {
    let count = timeline::clips(draft).len();
    if count == 0 {
        return Err(Problem::NoClips);
    }
    if energies.len() != count {
        return Err(Problem::NoAnalysis);
    }
    let mut by_energy: Vec<usize> = (0..count).collect();
    by_energy.sort_by(|a, b| energies[*a].total_cmp(&energies[*b]));
    // Every other clip rising from the calmest, the rest falling back: the peak sits where
    // the two halves meet, about the middle, and the ends are the calmest clips.
    let rising = by_energy.iter().copied().step_by(2);
    let mut falling: Vec<usize> = by_energy.iter().copied().skip(1).step_by(2).collect();
    falling.reverse();
    let order: Vec<usize> = rising.chain(falling).collect();
    let track = timeline::track_index(draft, TrackType::Video);
    let old = std::mem::take(&mut draft.t[track].sg);
    let mut slots: Vec<Option<RawSegment>> = old.into_iter().map(Some).collect();
    draft.t[track].sg = order.iter().filter_map(|&i| slots[i].take()).collect();
    Ok(clip_names(draft))
}

/// A fresh draft from the session's own uploads (generated media excluded), in upload
/// order; `None` when it would equal `draft` already.
pub fn start_over(
    draft: &RawDraft,
    media: &[MediaRow],
    image_ms: i64,
) -> Result<(RawDraft, Change), Problem> {
    let uploads: Vec<MediaRow> = media
        .iter()
        .filter(|m| m.origin != "generated" && matches!(m.file_type.as_str(), "video" | "image"))
        .cloned()
        .collect();
    let mut fresh = RawDraft::default();
    timeline::append_media(&mut fresh, &uploads, image_ms);
    let strip = |d: &RawDraft| {
        // Segment ids are new on every rebuild; compare everything else.
        let mut d = d.clone();
        for t in &mut d.t {
            for s in &mut t.sg {
                s.id = None;
            }
        }
        d
    };
    if strip(&fresh) == strip(draft) || draft.t.is_empty() && fresh.t.is_empty() {
        return Err(Problem::AlreadySo);
    }
    let clips = timeline::clips(&fresh).len();
    Ok((fresh, Change::StartedOver { clips }))
}

#[cfg(test)]
mod tests;
