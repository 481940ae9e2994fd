//! New videos from chat: "make a 60-second montage of these clips" plans a montage of the
//! session's clips with [`crate::montage`] (best stretches, cuts on the beats of music composed
//! for it, exact length) and writes it as the draft; with no clips, "a 30-second upbeat video
//! for my bakery opening" composes music and renders generated visuals
//! ([`crate::montage::video_from_prompt`]), and the reply says the visuals are generated.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use nemo_media::segments::Framing as MediaFraming;
use nemo_protocol::RawDraft;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::edit::{Change, Problem};
use super::intent::{ClipOrder, Framing, Lang, Transition, VideoRequest};
use super::reply;
use super::turn::{Events, TurnContext, TurnError, finish_edit};
use crate::montage::{
    self, MontageMusic, MontageOptions, MontageSource, PromptVideoOptions, RenderSource, ShotOrder,
};
use crate::store::{MediaRow, now_ms};
use crate::timeline;

/// Montage length when none was asked for.
pub const DEFAULT_MONTAGE_MS: i64 = 30_000;

/// The montage planner's options for a request.
pub fn montage_options(request: &VideoRequest, seed: u64) -> MontageOptions {
    let length = request.length_ms.unwrap_or(DEFAULT_MONTAGE_MS).max(1000);
    let mut options = MontageOptions::new(length as u64);
    let o = request.options;
    options.ordering = match o.order {
        Some(ClipOrder::EnergyArc) => ShotOrder::EnergyArc,
        Some(ClipOrder::AsUploaded) | None => ShotOrder::UserOrder,
    };
    options.transition = match o.transition {
        Some(Transition::Crossfade) => montage::Transition::Crossfade,
        Some(Transition::DipToBlack) => montage::Transition::Dip,
        Some(Transition::Cut) | None => montage::Transition::None,
    };
    options.framing = match o.framing {
        Some(Framing::BlurPad) => MediaFraming::BlurPad,
        Some(Framing::Letterbox) | None => MediaFraming::Letterbox,
    };
    options.title.clone_from(&request.title);
    options.mood.clone_from(&request.mood);
    options.seed = seed;
    options
}

fn seed_for(session_id: &str, version: i64, request: &VideoRequest) -> u64 {
    let mut h = DefaultHasher::new();
    (session_id, version, format!("{request:?}")).hash(&mut h);
    h.finish()
}

/// The picture media of the project: the draft's clips in order, else every upload.
fn picture_media(draft: &RawDraft, media: &[MediaRow]) -> Vec<MediaRow> {
    let mut ids: Vec<&str> = Vec::new();
    for seg in timeline::clips(draft) {
        if let Some(src) = seg.src.as_deref()
            && !ids.contains(&src)
        {
            ids.push(src);
        }
    }
    let in_draft: Vec<MediaRow> = ids
        .iter()
        .filter_map(|id| media.iter().find(|m| m.id == *id))
        .filter(|m| m.origin != "generated")
        .cloned()
        .collect();
    if !in_draft.is_empty() {
        return in_draft;
    }
    media
        .iter()
        .filter(|m| m.origin != "generated" && matches!(m.file_type.as_str(), "video" | "image"))
        .cloned()
        .collect()
}

/// A montage of the clips, or a generated video when there are none.
pub(super) async fn make_video(
    ctx: &TurnContext,
    session_id: &str,
    request: &VideoRequest,
    message: &str,
    lang: Lang,
    events: &mut Events<'_>,
) -> Result<(String, Option<i64>), TurnError> {
    let (version, draft) = ctx.store.current_draft(session_id).await?;
    let media = ctx.store.session_media(session_id).await?;
    let pictures = picture_media(&draft, &media);
    let seed = seed_for(session_id, version, request);
    let dir = std::env::temp_dir().join(format!("nemo-video-{}", uuid::Uuid::new_v4().simple()));
    let result = if pictures.is_empty() {
        generated_video(ctx, session_id, request, message, seed, &dir, lang, events).await
    } else {
        montage_draft(
            ctx, session_id, request, &pictures, seed, &dir, lang, events,
        )
        .await
    };
    let _ = tokio::fs::remove_dir_all(&dir).await;
    result
}

/// Stores a file the turn produced as a generated media row.
async fn store_generated(
    ctx: &TurnContext,
    session_id: &str,
    path: &Path,
    filename: &str,
    file_type: &str,
    info: Option<&nemo_media::MediaInfo>,
    duration_ms: u64,
) -> Result<MediaRow, TurnError> {
    let (sha256, size) = crate::media_store::hash_file(path).await?;
    let key = ctx.media.put_file(path, &sha256, size).await?;
    let video = info.and_then(|i| i.video.as_ref());
    let row = MediaRow {
        id: format!("med_{}", uuid::Uuid::new_v4().simple()),
        session_id: session_id.to_owned(),
        sha256,
        object_key: key,
        filename: filename.to_owned(),
        file_type: file_type.to_owned(),
        origin: "generated".to_owned(),
        size_bytes: size as i64,
        duration_ms: Some(duration_ms as i64),
        width: video.map(|v| i64::from(v.display_width())),
        height: video.map(|v| i64::from(v.display_height())),
        fps: video.and_then(|v| v.fps),
        has_audio: true,
        probe: info.map_or_else(
            || json!({"format_name": "wav", "duration_ms": duration_ms}),
            |i| serde_json::to_value(i).unwrap_or_default(),
        ),
        meta: Some(
            json!({"kind": if file_type == "audio" { "music" } else { "generated_visuals" }}),
        ),
        created_at: now_ms(),
    };
    ctx.store.insert_media(&row).await?;
    Ok(row)
}

fn problem_reply(lang: Lang, problem: &Problem) -> (String, Option<i64>) {
    (reply::problem(lang, problem), None)
}

#[allow(clippy::too_many_arguments)] // one call site; a struct would only rename the locals
async fn montage_draft(
    ctx: &TurnContext,
    session_id: &str,
    request: &VideoRequest,
    pictures: &[MediaRow],
    seed: u64,
    dir: &Path,
    lang: Lang,
    events: &mut Events<'_>,
) -> Result<(String, Option<i64>), TurnError> {
    let options = montage_options(request, seed);
    events
        .tool_call(
            "analyze_video",
            json!({"clips": pictures.len(), "purpose": "montage"}),
        )
        .await;
    let mut sources: Vec<MontageSource> = Vec::with_capacity(pictures.len());
    for row in pictures {
        let path: PathBuf = ctx.media.local_path(&row.object_key)?;
        match montage::analyze_source(&path).await {
            Ok(source) => sources.push(source),
            Err(e) => {
                events
                    .tool_result("analyze_video", json!({"status": "failed"}))
                    .await;
                tracing::warn!(error = %e, media = %row.id, "montage analysis failed");
                return Ok(problem_reply(lang, &Problem::NoAnalysis));
            }
        }
    }
    events
        .tool_result("analyze_video", json!({"status": "done"}))
        .await;
    let summaries: Vec<_> = sources.iter().map(MontageSource::summary).collect();
    let layout = match montage::layout(&summaries, &options) {
        Ok(layout) => layout,
        Err(e) => {
            let footage: i64 = summaries
                .iter()
                .map(|s| {
                    if s.is_image {
                        i64::MAX / 8
                    } else {
                        s.duration_ms as i64
                    }
                })
                .sum();
            tracing::info!(error = %e, "montage layout refused");
            return Ok(problem_reply(
                lang,
                &Problem::NotEnoughFootage {
                    asked_ms: options.target_ms as i64,
                    max_ms: footage.min(options.target_ms as i64),
                },
            ));
        }
    };
    let brief = montage::music_brief(&sources, &options, &layout);
    events
        .tool_call(
            "generate_music",
            json!({"mood": brief.mood.label(), "length_ms": brief.duration_ms,
                   "accents_ms": brief.accents_ms.len()}),
        )
        .await;
    let music: MontageMusic = montage::compose_music(brief, dir)
        .await
        .map_err(|e| TurnError::Task(e.to_string()))?;
    let music_row = store_generated(
        ctx,
        session_id,
        &music.path,
        &format!("{}.wav", music.name),
        "audio",
        None,
        music.duration_ms,
    )
    .await?;
    events
        .tool_result(
            "generate_music",
            json!({"status": "done", "progress": 100, "media_id": music_row.id,
                   "name": music.name, "bpm": music.bpm}),
        )
        .await;
    let plan = montage::plan_from_layout(&summaries, &options, &layout, &music.beats);
    let ids: Vec<String> = pictures.iter().map(|m| m.id.clone()).collect();
    let render_sources: Vec<RenderSource> = sources.iter().map(RenderSource::from).collect();
    let mut fresh = plan.to_draft(&ids, &render_sources, Some(&music_row.id), Some(&music));
    // Shots are named after the uploads (the stored files are content-addressed).
    for (seg, shot) in fresh
        .t
        .iter_mut()
        .filter(|t| t.tt == 0)
        .flat_map(|t| t.sg.iter_mut())
        .zip(&plan.shots)
    {
        seg.nm = pictures.get(shot.source).map(|m| m.filename.clone());
    }
    let change = Change::MontageBuilt {
        clips: pictures.len() - plan.dropped_sources.len(),
        shots: plan.shots.len(),
        length_ms: plan.duration_ms() as i64,
        music: music.name.clone(),
        beat_hit_ratio: plan.beat_hit_ratio(),
    };
    events
        .tool_call(
            "edit_multitrack",
            json!({"action": "montage", "shots": plan.shots.len()}),
        )
        .await;
    let outcome = ctx
        .store
        .edit_draft(session_id, "montage", |draft| {
            *draft = fresh;
            Ok::<_, Problem>(Some(change))
        })
        .await?;
    Ok(finish_edit(outcome, lang, events).await)
}

#[allow(clippy::too_many_arguments)] // one call site; a struct would only rename the locals
async fn generated_video(
    ctx: &TurnContext,
    session_id: &str,
    request: &VideoRequest,
    message: &str,
    seed: u64,
    dir: &Path,
    lang: Lang,
    events: &mut Events<'_>,
) -> Result<(String, Option<i64>), TurnError> {
    let mut options = PromptVideoOptions::new(message);
    if let Some(ms) = request.length_ms {
        options.duration_ms = ms.max(1000) as u64;
    }
    options.title.clone_from(&request.title);
    options.mood.clone_from(&request.mood);
    options.seed = seed;
    events
        .tool_call(
            "generate_video",
            json!({"length_ms": options.duration_ms, "visuals": "generated"}),
        )
        .await;
    let output = dir.join("generated.mp4");
    let video =
        montage::video_from_prompt(&options, &output, dir, CancellationToken::new(), |_| {})
            .await
            .map_err(|e| TurnError::Task(e.to_string()))?;
    let video_row = store_generated(
        ctx,
        session_id,
        &output,
        "generated visuals.mp4",
        "video",
        Some(&video.info),
        options.duration_ms,
    )
    .await?;
    let music_row = store_generated(
        ctx,
        session_id,
        &video.music.path,
        &format!("{}.wav", video.music.name),
        "audio",
        None,
        video.music.duration_ms,
    )
    .await?;
    events
        .tool_result(
            "generate_video",
            json!({"status": "done", "media_id": video_row.id, "music": video.music.name,
                   "visuals_generated": video.visuals_generated}),
        )
        .await;
    let length_ms = options.duration_ms as i64;
    let mut clip = timeline::clip_segment(&video_row, length_ms);
    // The picture file carries the same music; the bed plays it (so music follow-ups work).
    clip.vol = Some(0.0);
    clip.d = Some(length_ms);
    if let Some(m) = clip.m.as_mut() {
        m.insert("generated".to_owned(), json!(true));
    }
    let mut bed = timeline::music_segment(&music_row, &video.music.name, length_ms, 1.0);
    bed.fi = Some(0);
    bed.fo = Some(0);
    if let Some(m) = bed.m.as_mut() {
        m.insert("bpm".to_owned(), json!(video.music.bpm));
        m.insert("generated".to_owned(), json!(true));
    }
    let change = Change::VideoGenerated {
        length_ms,
        music: video.music.name.clone(),
        title: video.title.clone(),
    };
    let outcome = ctx
        .store
        .edit_draft(session_id, "generate_video", |draft| {
            let mut fresh = RawDraft::default();
            let i = timeline::track_index(&mut fresh, nemo_protocol::TrackType::Video);
            fresh.t[i].sg.push(clip);
            timeline::set_music(&mut fresh, bed);
            timeline::normalize(&mut fresh);
            *draft = fresh;
            Ok::<_, Problem>(Some(change))
        })
        .await?;
    Ok(finish_edit(outcome, lang, events).await)
}

/// "start over": the uploads as they came in (undo brings the previous draft back).
pub(super) async fn start_over(
    ctx: &TurnContext,
    session_id: &str,
    lang: Lang,
    events: &mut Events<'_>,
) -> Result<(String, Option<i64>), TurnError> {
    let media = ctx.store.session_media(session_id).await?;
    events
        .tool_call("edit_multitrack", json!({"action": "start_over"}))
        .await;
    let outcome = ctx
        .store
        .edit_draft(session_id, "start_over", |draft| {
            let (fresh, change) = super::edit::start_over(draft, &media, DEFAULT_STILL_MS)?;
            *draft = fresh;
            Ok(Some(change))
        })
        .await?;
    Ok(finish_edit(outcome, lang, events).await)
}

/// How long a still lasts when the draft is rebuilt from uploads.
pub const DEFAULT_STILL_MS: i64 = 3000;

/// Montage settings; an energy-arc order first analyses each clip's energy.
pub(super) async fn set_options(
    ctx: &TurnContext,
    session_id: &str,
    options: super::intent::VideoOptions,
    lang: Lang,
    events: &mut Events<'_>,
) -> Result<(String, Option<i64>), TurnError> {
    let mut energies = None;
    if options.order == Some(ClipOrder::EnergyArc) {
        let (_, draft) = ctx.store.current_draft(session_id).await?;
        let media = ctx.store.session_media(session_id).await?;
        events
            .tool_call(
                "analyze_video",
                json!({"clips": timeline::clips(&draft).len(), "purpose": "energy"}),
            )
            .await;
        energies = clip_energies(ctx, &draft, &media).await;
        events
            .tool_result(
                "analyze_video",
                json!({"status": if energies.is_some() { "done" } else { "skipped" }}),
            )
            .await;
    }
    events
        .tool_call("edit_multitrack", json!({"action": "montage_settings"}))
        .await;
    let outcome = ctx
        .store
        .edit_draft(session_id, "montage_settings", |draft| {
            super::edit::set_options(draft, options, energies.as_deref()).map(Some)
        })
        .await?;
    Ok(finish_edit(outcome, lang, events).await)
}

/// Each clip's energy (analysed arousal; stills count as calm), in timeline order.
async fn clip_energies(
    ctx: &TurnContext,
    draft: &RawDraft,
    media: &[MediaRow],
) -> Option<Vec<f64>> {
    let mut energies = Vec::new();
    for seg in timeline::clips(draft) {
        let row = media.iter().find(|m| Some(&m.id) == seg.src.as_ref())?;
        if row.file_type == "image" {
            energies.push(-1.0);
            continue;
        }
        let path = ctx.media.local_path(&row.object_key).ok()?;
        let profile = crate::analyze::analyze_clip(&path).await.ok()?;
        energies.push(profile.mood.arousal);
    }
    Some(energies)
}
