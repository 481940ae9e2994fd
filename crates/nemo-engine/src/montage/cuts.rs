//! A cut list: shots back to back with one transition style, one framing and texts over the
//! timeline, in whole output frames. It is what both a [`super::MontagePlan`] and a saved draft
//! become before [`nemo_media::segments::render_segments`] renders them, so the two share one
//! conversion to a [`SegmentPlan`] ([`CutList::segment_plan`]).
//!
//! ```text
//! MontagePlan --MontagePlan::segment_plan--\
//!                                           CutList --segment_plan--> SegmentPlan
//! RawDraft ----CutList::from_draft---------/
//! ```
//!
//! Draft keys read by [`CutList::from_draft`] (the agent's follow-ups write the first two, the
//! montage planner the `montage` objects):
//! - draft `m.transition`: `"crossfade"`, `"dip"` or `"cut"`; else `m.montage.transition`.
//! - draft `m.framing`: `"blur"` or `"letterbox"`; else `m.montage.framing`.
//! - video segment `m.montage.transition_ms`: transition length (first non-zero wins; 400 ms
//!   when none is recorded).

use nemo_media::render::{EncodeSettings, TextPosition};
use nemo_media::segments::{
    Framing, Segment, SegmentAudio, SegmentPlan, SegmentSource, SegmentText,
};
use nemo_protocol::{RawDraft, RawSegment, TrackType};
use serde_json::Value;

use super::{CARD_TEXT_SIZE, RenderSource, Transition};

/// Transition length when a draft asks for one without saying how long.
pub const DEFAULT_TRANSITION_MS: u64 = 400;

/// One shot of a cut list.
#[derive(Debug, Clone, PartialEq)]
pub struct CutShot {
    /// What it shows.
    pub source: RenderSource,
    /// First source frame shown (output frames from the start of the source).
    pub in_frame: u64,
    /// First output frame.
    pub start_frame: u64,
    /// Length in output frames.
    pub frames: u64,
}

/// A text over the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct CutText {
    /// The text.
    pub text: String,
    /// First output frame.
    pub start_frame: u64,
    /// Length in output frames.
    pub frames: u64,
    /// Font size in pixels.
    pub size: u32,
    /// Placement.
    pub position: TextPosition,
}

/// Shots, transition, framing and texts, in output frames.
#[derive(Debug, Clone, PartialEq)]
pub struct CutList {
    /// Output frame rate.
    pub fps: u32,
    /// Shots back to back (each `start_frame` is the sum of the previous lengths).
    pub shots: Vec<CutShot>,
    /// Transition between shots (the cut sits in its middle).
    pub transition: Transition,
    /// Frames of one transition.
    pub transition_frames: u64,
    /// Framing of pictures that are not 16:9.
    pub framing: Framing,
    /// Texts over the timeline.
    pub texts: Vec<CutText>,
}

/// Why a draft cannot become a cut list (shown to the user as the job's error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CutListError {
    /// A picture segment has no `src`.
    #[error("a segment has no media reference")]
    NoSource,
    /// A picture segment names media that the caller could not resolve.
    #[error("media {0} is not part of this project or is no longer stored")]
    UnknownMedia(String),
    /// Nothing to show.
    #[error("the timeline has no pictures")]
    Empty,
}

/// Transition a draft asks for (follow-up key first, then the montage's record).
pub fn draft_transition(draft: &RawDraft) -> Transition {
    match draft_setting(draft, "transition") {
        Some("crossfade") => Transition::Crossfade,
        Some("dip") => Transition::Dip,
        _ => Transition::None,
    }
}

/// Framing a draft asks for (follow-up key first, then the montage's record).
pub fn draft_framing(draft: &RawDraft) -> Framing {
    match draft_setting(draft, "framing") {
        Some("blur") => Framing::BlurPad,
        _ => Framing::Letterbox,
    }
}

fn draft_setting<'a>(draft: &'a RawDraft, key: &str) -> Option<&'a str> {
    let m = draft.m.as_ref()?;
    m.get(key).and_then(Value::as_str).or_else(|| {
        m.get("montage")
            .and_then(|montage| montage.get(key))
            .and_then(Value::as_str)
    })
}

/// True when the draft asks for something only the segment renderer draws: a crossfade, a dip
/// to black or blur-padded framing.
pub fn needs_segment_renderer(draft: &RawDraft) -> bool {
    draft_transition(draft) != Transition::None || draft_framing(draft) == Framing::BlurPad
}

fn frame_at(ms: i64, fps: u32) -> u64 {
    (ms.max(0) as f64 * f64::from(fps) / 1000.0).round() as u64
}

fn recorded_transition_ms(clips: &[RawSegment]) -> Option<u64> {
    clips
        .iter()
        .filter_map(|s| s.m.as_ref()?.get("montage")?.get("transition_ms")?.as_u64())
        .find(|&ms| ms > 0)
}

fn text_of(seg: &RawSegment, fps: u32) -> Option<CutText> {
    let text = seg.tx.as_deref().filter(|t| !t.trim().is_empty())?;
    let meta = seg.m.as_ref();
    let position = match meta.and_then(|m| m.get("position")).and_then(Value::as_str) {
        Some("bottom") => TextPosition::Bottom,
        Some("top") => TextPosition::Top,
        _ => TextPosition::Center,
    };
    let size = meta
        .and_then(|m| m.get("size"))
        .and_then(Value::as_u64)
        .unwrap_or(u64::from(CARD_TEXT_SIZE))
        .clamp(12, 300) as u32;
    let start = seg.st.unwrap_or(0);
    let start_frame = frame_at(start, fps);
    let frames = frame_at(start + seg.d.unwrap_or(0), fps).saturating_sub(start_frame);
    (frames > 0).then(|| CutText {
        text: text.to_owned(),
        start_frame,
        frames,
        size,
        position,
    })
}

impl CutList {
    /// The draft's first picture track as a cut list: shots back to back as the draft renderer
    /// plays them (each segment's `d`, frame positions rounded from the running total so the
    /// lengths add up exactly), in-points from `in`, `resolve(media id)` giving each file,
    /// texts from the text tracks, transition and framing from the keys in the module docs.
    pub fn from_draft(
        draft: &RawDraft,
        fps: u32,
        mut resolve: impl FnMut(&str) -> Option<RenderSource>,
    ) -> Result<Self, CutListError> {
        let clips: &[RawSegment] = draft
            .t
            .iter()
            .find(|t| t.track_type() == TrackType::Video)
            .map_or(&[], |t| t.sg.as_slice());
        let mut shots = Vec::with_capacity(clips.len());
        let (mut at_ms, mut start_frame) = (0_i64, 0_u64);
        for seg in clips {
            let id = seg.src.as_deref().ok_or(CutListError::NoSource)?;
            let source = resolve(id).ok_or_else(|| CutListError::UnknownMedia(id.to_owned()))?;
            at_ms += seg.d.unwrap_or(0).max(0);
            let end_frame = frame_at(at_ms, fps);
            let frames = end_frame.saturating_sub(start_frame);
            if frames > 0 {
                shots.push(CutShot {
                    source,
                    in_frame: frame_at(seg.source_in.unwrap_or(0), fps),
                    start_frame,
                    frames,
                });
            }
            start_frame = end_frame;
        }
        if shots.is_empty() {
            return Err(CutListError::Empty);
        }
        let transition = draft_transition(draft);
        let wanted = frame_at(
            recorded_transition_ms(clips).unwrap_or(DEFAULT_TRANSITION_MS) as i64,
            fps,
        );
        let transition_frames = match transition {
            Transition::None => 0,
            // Both halves are whole frames, as the montage planner makes them.
            Transition::Crossfade => 2 * wanted.div_ceil(2),
            Transition::Dip => wanted.max(2),
        };
        let texts = draft
            .t
            .iter()
            .filter(|t| t.track_type() == TrackType::Text)
            .flat_map(|t| &t.sg)
            .filter_map(|s| text_of(s, fps))
            .collect();
        Ok(Self {
            fps,
            shots,
            transition,
            transition_frames,
            framing: draft_framing(draft),
            texts,
        })
    }

    /// Total length in frames.
    pub fn total_frames(&self) -> u64 {
        self.shots.iter().map(|s| s.frames).sum()
    }

    fn shot_source(&self, shot: usize, offset_frames: i64) -> SegmentSource {
        let s = &self.shots[shot];
        if s.source.info.is_image || s.source.info.duration_ms.is_none() {
            return SegmentSource::Still {
                path: s.source.path.clone(),
            };
        }
        // A crossfade needs the incoming shot's frames before its in-point; a shot that starts
        // at its source's first frame shows that frame a little longer instead.
        let in_ms =
            (s.in_frame as i64 + offset_frames).max(0) as f64 * 1000.0 / f64::from(self.fps);
        SegmentSource::Clip {
            path: s.source.path.clone(),
            info: s.source.info.clone(),
            in_ms,
        }
    }

    /// The cut list for [`nemo_media::segments::render_segments`]: one segment per shot body,
    /// plus one per crossfade (both neighbours blended around the cut, which sits in its
    /// middle); dips fade each side to and from black; texts are split over the segments they
    /// cover. The total is exactly [`Self::total_frames`].
    pub fn segment_plan(&self, audio: Option<SegmentAudio>, encode: EncodeSettings) -> SegmentPlan {
        let half = self.transition_frames / 2;
        let last = self.shots.len().saturating_sub(1);
        let mut segments: Vec<(u64, Segment)> = Vec::new();
        for (i, shot) in self.shots.iter().enumerate() {
            let crossfade = self.transition == Transition::Crossfade && half > 0;
            // A shot too short for both halves keeps a hard cut on that side.
            let fits = |n: usize| self.shots.get(n).is_some_and(|s| s.frames >= 2 * half);
            let lead = if crossfade && i > 0 && fits(i) && fits(i - 1) {
                half
            } else {
                0
            };
            let trail = if crossfade && i < last && fits(i) && fits(i + 1) {
                half
            } else {
                0
            };
            let body = shot.frames.saturating_sub(lead + trail);
            if body > 0 {
                let mut segment = Segment::new(self.shot_source(i, lead as i64), body);
                segment.framing = self.framing;
                if self.transition == Transition::Dip {
                    segment.fade_in_frames = if i > 0 { half.min(body) } else { 0 };
                    segment.fade_out_frames = if i < last { half.min(body) } else { 0 };
                }
                segments.push((shot.start_frame + lead, segment));
            }
            if trail > 0 {
                let from = self.shot_source(i, (shot.frames - trail) as i64);
                let to = self.shot_source(i + 1, -(half as i64));
                let mut segment = Segment::new(
                    SegmentSource::Crossfade {
                        from: Box::new(from),
                        to: Box::new(to),
                    },
                    2 * half,
                );
                segment.framing = self.framing;
                segments.push((shot.start_frame + shot.frames - trail, segment));
            }
        }
        for text in &self.texts {
            for (start, segment) in &mut segments {
                let from = text.start_frame.max(*start);
                let to = (text.start_frame + text.frames).min(*start + segment.frames);
                if from < to {
                    segment.texts.push(SegmentText {
                        text: text.text.clone(),
                        start_frame: from - *start,
                        frames: to - from,
                        size: text.size,
                        position: text.position,
                    });
                }
            }
        }
        let mut plan = SegmentPlan::new(
            segments.into_iter().map(|(_, s)| s).collect(),
            self.fps,
            audio,
        );
        plan.encode = encode;
        plan
    }
}
