//! Montages cut to composed music, and videos made from a description alone.
//!
//! ```text
//! clips/images --analyze_source_sampled (bursts after keyframes, 2 clips at a time; short
//!                clips: analyze_source, one full decode) --> MontageSource
//!   --layout------> shots per clip, zones, order, ideal cuts     (plan.rs, pure)
//!   --compose-----> music as long as the montage, accents = ideal cuts (nemo-music)
//!   --plan--------> cuts snapped to beats, best stretch per shot, exact total (plan.rs, pure)
//!   --render------> nemo_media::segments (parallel pieces, GOP copy, concat, music)
//!   or --to_draft-> RawDraft (nemo segment keys) for the engine's draft renderer
//!
//! prompt, no files --video_from_prompt--> music + generated visuals (nemo_media::generate)
//! ```
//!
//! Entry points: [`make_montage`] (files to MP4 in one call), [`plan_montage`] and
//! [`MontagePlan::to_draft`] (plan into the session's draft, rendered later), and
//! [`video_from_prompt`] (no files).

mod cuts;
mod plan;
mod quality;
mod run;
mod sampled;

use nemo_media::MediaInfo;
use nemo_media::render::{EncodeSettings, TextPosition};
use nemo_media::segments::{Framing, SegmentAudio, SegmentPlan};
use nemo_protocol::{RawDraft, RawSegment, RawTrack, TrackType};
use serde_json::{Map, Value, json};
use std::path::PathBuf;

pub use cuts::{
    CutList, CutListError, CutShot, CutText, DEFAULT_TRANSITION_MS, draft_framing,
    draft_transition, needs_segment_renderer,
};
pub use plan::{
    BeatTimes, Card, KEYFRAME_SCORE_SLACK, Layout, MAX_IDEAL_SHOT_SECONDS, MIN_IDEAL_SHOT_SECONDS,
    MIN_SHOT_SECONDS, MontageOptions, MontagePlan, MontageShot, PlanError, STILL_SHARE_SECONDS,
    ShotOrder, ShotSlot, SourceSummary, Stretch, Transition, best_stretch, layout, montage_accents,
    plan_from_layout, plan_montage, snap_cuts,
};
pub use quality::{
    MONTAGE_ANALYSIS_FPS, MontageSource, QualityMeter, QualityWindow, WINDOW_MS, analyze_source,
    windows_from_profile,
};
pub use run::{
    MontageError, MontageMusic, MontageOutcome, PromptVideo, PromptVideoOptions, StageTimings,
    compose_music, duration_from_text, make_montage, music_brief, title_from_prompt,
    video_from_prompt,
};
pub use sampled::{
    BURST_FRAMES, MAX_SAMPLE_GAP_MS, MIN_SAMPLE_GAP_MS, SAMPLED_MIN_MS, analyze_source_sampled,
    burst_window, fill_windows, sample_times,
};

/// Font size of titles and end cards at 1080p.
pub const CARD_TEXT_SIZE: u32 = 96;

/// A source as the renderer needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderSource {
    /// The file.
    pub path: PathBuf,
    /// Its ffprobe data.
    pub info: MediaInfo,
}

impl From<&MontageSource> for RenderSource {
    fn from(source: &MontageSource) -> Self {
        Self {
            path: source.path.clone(),
            info: source.info.clone(),
        }
    }
}

impl MontagePlan {
    /// The plan as a [`CutList`] (`sources[i]` is the file of source `i`).
    pub fn cut_list(&self, sources: &[RenderSource]) -> CutList {
        let shots = self
            .shots
            .iter()
            .map(|s| CutShot {
                source: sources[s.source].clone(),
                in_frame: s.in_frame,
                start_frame: s.start_frame,
                frames: s.frames,
            })
            .collect();
        let texts = [&self.title, &self.end_card]
            .into_iter()
            .flatten()
            .map(|card| CutText {
                text: card.text.clone(),
                start_frame: card.start_frame,
                frames: card.frames,
                size: CARD_TEXT_SIZE,
                position: TextPosition::Center,
            })
            .collect();
        CutList {
            fps: self.fps,
            shots,
            transition: self.transition,
            transition_frames: self.transition_frames,
            framing: self.framing,
            texts,
        }
    }

    /// The cut list for [`nemo_media::segments::render_segments`] (see
    /// [`CutList::segment_plan`], shared with drafts): one segment per shot body, plus one per
    /// crossfade; dips fade each side to and from black; title and end card are split over the
    /// segments they cover. `sources[i]` is the file of source `i`; `music` is the soundtrack.
    pub fn segment_plan(
        &self,
        sources: &[RenderSource],
        music: Option<&std::path::Path>,
        encode: EncodeSettings,
    ) -> SegmentPlan {
        let audio = music.map(|path| SegmentAudio {
            path: path.to_owned(),
            volume: 1.0,
            fade_in_ms: 0,
            fade_out_ms: 0,
        });
        self.cut_list(sources).segment_plan(audio, encode)
    }

    /// The plan as a draft with the nemo segment keys, for the engine's draft renderer:
    /// `tt=0` one segment per shot (`src` = `media_ids[shot.source]`, `in`, `d`, original audio
    /// muted with `vol` 0, `m.montage` = beat/transition/framing facts), `tt=1` the music bed
    /// (`src` = `music_media_id`, `m.kind` = `music`, `m.generated`, BPM and beats), `tt=7`
    /// title and end card (`m.kind` = `title`). Draft `m` carries the canvas and the montage
    /// settings. Millisecond times are rounded from frame positions, so they add up exactly.
    ///
    /// The engine's worker renders such drafts through [`CutList::from_draft`] and the segment
    /// renderer, so transitions and blur-padding (recorded in `m.montage`) are drawn.
    pub fn to_draft(
        &self,
        media_ids: &[String],
        sources: &[RenderSource],
        music_media_id: Option<&str>,
        music: Option<&MontageMusic>,
    ) -> RawDraft {
        let ms = |frame: u64| self.frame_ms(frame) as i64;
        let framing = match self.framing {
            Framing::Letterbox => "letterbox",
            Framing::BlurPad => "blur",
        };
        let mut video = Vec::with_capacity(self.shots.len());
        for (i, shot) in self.shots.iter().enumerate() {
            let info = sources.get(shot.source).map(|s| &s.info);
            let is_image = info.is_none_or(|i| i.is_image || i.duration_ms.is_none());
            let mut m = Map::new();
            m.insert(
                "kind".to_owned(),
                json!(if is_image { "image" } else { "video" }),
            );
            if let Some(d) = info.and_then(|i| i.duration_ms).filter(|_| !is_image) {
                m.insert("source_ms".to_owned(), json!(d));
            }
            m.insert(
                "montage".to_owned(),
                json!({
                    "on_beat": shot.on_beat,
                    "on_downbeat": shot.on_downbeat,
                    "transition_in": if i == 0 { "none" } else { self.transition.name() },
                    "transition_ms": if i == 0 { 0 } else { self.frame_ms(self.transition_frames) },
                    "framing": framing,
                    "start_frame": shot.start_frame,
                    "frames": shot.frames,
                    "in_frame": shot.in_frame,
                    "score": (shot.score * 1000.0).round() / 1000.0,
                }),
            );
            let name = sources
                .get(shot.source)
                .and_then(|s| s.path.file_name())
                .map(|n| n.to_string_lossy().into_owned());
            video.push(RawSegment {
                id: Some(crate::timeline::new_segment_id()),
                st: Some(ms(shot.start_frame)),
                d: Some(ms(shot.start_frame + shot.frames) - ms(shot.start_frame)),
                src: media_ids.get(shot.source).cloned(),
                source_in: Some(shot.in_ms.round() as i64),
                nm: name,
                vol: (!is_image).then_some(0.0),
                m: Some(m),
                ..RawSegment::default()
            });
        }
        let total = ms(self.total_frames);
        let mut tracks = vec![track(TrackType::Video, video)];
        if let Some(id) = music_media_id {
            let mut m = Map::new();
            m.insert("kind".to_owned(), json!("music"));
            m.insert("generated".to_owned(), json!(true));
            if let Some(music) = music {
                m.insert("bpm".to_owned(), json!(music.bpm));
                m.insert("summary".to_owned(), json!(music.summary));
                m.insert("beat_times_ms".to_owned(), json!(music.beats.beats_ms));
                m.insert(
                    "downbeat_times_ms".to_owned(),
                    json!(music.beats.downbeats_ms),
                );
            }
            tracks.push(track(
                TrackType::Audio,
                vec![RawSegment {
                    id: Some(crate::timeline::new_segment_id()),
                    st: Some(0),
                    d: Some(total),
                    src: Some(id.to_owned()),
                    source_in: Some(0),
                    nm: music.map(|m| m.name.clone()),
                    vol: Some(1.0),
                    fi: Some(0),
                    fo: Some(0),
                    m: Some(m),
                    ..RawSegment::default()
                }],
            ));
        }
        let texts: Vec<RawSegment> = [(&self.title, "title"), (&self.end_card, "end_card")]
            .into_iter()
            .filter_map(|(card, role)| card.as_ref().map(|c| (c, role)))
            .map(|(card, role)| {
                let mut m = Map::new();
                m.insert("kind".to_owned(), json!("title"));
                m.insert("role".to_owned(), json!(role));
                m.insert("position".to_owned(), json!("center"));
                m.insert("size".to_owned(), json!(CARD_TEXT_SIZE));
                RawSegment {
                    id: Some(crate::timeline::new_segment_id()),
                    st: Some(ms(card.start_frame)),
                    d: Some(ms(card.start_frame + card.frames) - ms(card.start_frame)),
                    nm: Some(card.text.chars().take(40).collect()),
                    tx: Some(card.text.clone()),
                    m: Some(m),
                    ..RawSegment::default()
                }
            })
            .collect();
        if !texts.is_empty() {
            tracks.push(track(TrackType::Text, texts));
        }
        let mut m = Map::new();
        m.insert("width".to_owned(), json!(1920));
        m.insert("height".to_owned(), json!(1080));
        m.insert(
            "montage".to_owned(),
            json!({
                "fps": self.fps,
                "frames": self.total_frames,
                "transition": self.transition.name(),
                "framing": framing,
                "beat_hit_ratio": self.beat_hit_ratio(),
            }),
        );
        RawDraft {
            t: tracks,
            d: Some(total),
            m: Some(m),
            extra: Map::new(),
        }
    }
}

fn track(tt: TrackType, sg: Vec<RawSegment>) -> RawTrack {
    RawTrack {
        tt: tt.code(),
        sg,
        extra: Map::<String, Value>::new(),
    }
}

#[cfg(test)]
mod tests;
