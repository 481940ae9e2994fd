//! One chat turn: parse the message, do the work (analysis, music generation, draft edits),
//! stream tool and text events, and return the reply. The caller persists the result; the
//! event sink may be gone (client disconnected) without affecting the edit.

use std::hash::{DefaultHasher, Hash, Hasher};

use nemo_protocol::{RawDraft, SimpleEvent};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::edit::{self, Change, GeneratedInfo, Problem};
use super::intent::{self, Intent, Lang, MusicRequest, MusicSource};
use super::music::{self, DEFAULT_MUSIC_MS, MusicSpec};
use super::reply;
use crate::media_store::MediaStore;
use crate::store::{MediaRow, Store, StoreError, now_ms};
use crate::timeline;

/// What a turn needs: the store and the media store (nothing in memory).
#[derive(Debug, Clone)]
pub struct TurnContext {
    pub store: Store,
    pub media: MediaStore,
}

/// The end of a turn.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnOutcome {
    /// The text reply (also sent as the last `text` event).
    pub reply: String,
    /// Every event sent, for the message log.
    pub events: Vec<SimpleEvent>,
    /// Draft version after the turn, when it changed.
    pub draft_version: Option<i64>,
}

/// Errors that end a turn without a reply.
#[derive(Debug, thiserror::Error)]
pub enum TurnError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Media(#[from] crate::media_store::MediaStoreError),
    #[error("music generation failed: {0}")]
    Music(#[from] music::GenerateError),
    #[error("music generation stopped unexpectedly: {0}")]
    Task(String),
}

/// Streams events to the client (when still connected) and records them.
pub(super) struct Events<'a> {
    sink: &'a mpsc::Sender<SimpleEvent>,
    log: Vec<SimpleEvent>,
}

impl Events<'_> {
    async fn send(&mut self, event: SimpleEvent) {
        // A closed channel means the client went away; the turn carries on regardless.
        let _ = self.sink.send(event.clone()).await;
        self.log.push(event);
    }

    pub(super) async fn tool_call(&mut self, name: &str, args: Value) {
        self.send(SimpleEvent::ToolCall {
            name: name.to_owned(),
            args,
        })
        .await;
    }

    pub(super) async fn tool_result(&mut self, name: &str, result: Value) {
        self.send(SimpleEvent::ToolResult {
            name: name.to_owned(),
            result,
        })
        .await;
    }
}

/// Runs one turn for `session_id`.
pub async fn run_turn(
    ctx: &TurnContext,
    session_id: &str,
    message: &str,
    sink: &mpsc::Sender<SimpleEvent>,
) -> Result<TurnOutcome, TurnError> {
    let lang = Lang::detect(message);
    let parsed = intent::parse(message);
    let mut events = Events {
        sink,
        log: Vec::new(),
    };
    let (reply, draft_version) = match &parsed {
        Intent::Help => (reply::help(lang), None),
        Intent::Unknown => (reply::unknown(lang), None),
        Intent::Describe => {
            let (_, draft) = ctx.store.current_draft(session_id).await?;
            (reply::describe(lang, &draft), None)
        }
        Intent::Undo => {
            events
                .tool_call("edit_multitrack", json!({"action": "undo"}))
                .await;
            let undone = ctx.store.undo_draft(session_id).await?;
            let version = ctx.store.current_draft(session_id).await?.0;
            events
                .tool_result(
                    "edit_multitrack",
                    json!({"status": "done", "undone": undone, "draft_version": version}),
                )
                .await;
            (
                reply::undone(lang, undone.as_deref()),
                undone.map(|_| version),
            )
        }
        Intent::AddMusic(request) => {
            add_music(ctx, session_id, request, message, lang, &mut events).await?
        }
        Intent::Vague => (reply::vague(lang), None),
        Intent::RestyleMusic(tweak) => {
            super::restyle::restyle(ctx, session_id, tweak, lang, &mut events).await?
        }
        Intent::MakeVideo(request) => {
            super::video::make_video(ctx, session_id, request, message, lang, &mut events).await?
        }
        Intent::StartOver => super::video::start_over(ctx, session_id, lang, &mut events).await?,
        Intent::VideoOptions(options) => {
            super::video::set_options(ctx, session_id, *options, lang, &mut events).await?
        }
        other => edit_turn(ctx, session_id, other, lang, &mut events).await?,
    };
    events
        .send(SimpleEvent::Text {
            content: reply.clone(),
        })
        .await;
    Ok(TurnOutcome {
        reply,
        events: events.log,
        draft_version,
    })
}

fn action_name(intent: &Intent) -> &'static str {
    match intent {
        Intent::RemoveMusic => "remove_music",
        Intent::MusicVolume(_) => "set_music_volume",
        Intent::Fade { .. } => "set_music_fades",
        Intent::TrimClip { .. } => "trim_clip",
        Intent::MoveClip { .. } | Intent::SwapClips(..) => "reorder_clips",
        Intent::AddTitle { .. } => "add_title",
        Intent::RemoveTitle => "remove_title",
        Intent::DuckMusic(_) => "duck_music",
        Intent::OriginalAudio { .. } => "original_audio",
        Intent::SetLength { .. } => "set_length",
        _ => "edit",
    }
}

async fn edit_turn(
    ctx: &TurnContext,
    session_id: &str,
    parsed: &Intent,
    lang: Lang,
    events: &mut Events<'_>,
) -> Result<(String, Option<i64>), TurnError> {
    let action = action_name(parsed);
    events
        .tool_call(
            "edit_multitrack",
            json!({"action": action, "request": format!("{parsed:?}")}),
        )
        .await;
    let outcome = ctx
        .store
        .edit_draft(session_id, action, |draft| {
            edit::apply(draft, parsed).map(Some)
        })
        .await?;
    let clip_problem = matches!(
        outcome,
        Err(Problem::ClipOutOfRange { .. } | Problem::WhichClip { .. })
    );
    let (mut text, version) = finish_edit(outcome, lang, events).await;
    if clip_problem {
        // A clarifying question names the choices.
        let (_, draft) = ctx.store.current_draft(session_id).await?;
        let names = edit::clip_names(&draft);
        if !names.is_empty() {
            text = format!("{text}\n{}", reply::clip_choices(lang, &names));
        }
    }
    Ok((text, version))
}

pub(super) async fn finish_edit(
    outcome: Result<Option<(i64, Change)>, Problem>,
    lang: Lang,
    events: &mut Events<'_>,
) -> (String, Option<i64>) {
    match outcome {
        Ok(Some((version, change))) => {
            events
                .tool_result(
                    "edit_multitrack",
                    json!({"status": "done", "draft_version": version}),
                )
                .await;
            (reply::change(lang, &change), Some(version))
        }
        Ok(None) => (reply::help(lang), None),
        Err(problem) => {
            events
                .tool_result(
                    "edit_multitrack",
                    json!({"status": "skipped", "reason": format!("{problem:?}")}),
                )
                .await;
            (reply::problem(lang, &problem), None)
        }
    }
}

async fn add_music(
    ctx: &TurnContext,
    session_id: &str,
    request: &MusicRequest,
    message: &str,
    lang: Lang,
    events: &mut Events<'_>,
) -> Result<(String, Option<i64>), TurnError> {
    let media = ctx.store.session_media(session_id).await?;
    let (version, draft) = ctx.store.current_draft(session_id).await?;
    let (track, name, generated) = match &request.source {
        MusicSource::Uploaded { hint } => {
            match edit::pick_uploaded_audio(&media, hint.as_deref()) {
                Some(row) => (row.clone(), row.filename.clone(), None),
                None => return Ok((reply::problem(lang, &Problem::NoUploadedAudio), None)),
            }
        }
        MusicSource::Generate => {
            let (row, info) = generate_music(
                ctx, session_id, request, message, &draft, &media, version, events,
            )
            .await?;
            let name = row.filename.trim_end_matches(".wav").to_owned();
            (row, name, Some(info))
        }
    };
    events
        .tool_call(
            "edit_multitrack",
            json!({"action": "set_music", "media_id": track.id}),
        )
        .await;
    let volume = request.volume.or_else(|| {
        generated
            .as_ref()
            .and_then(|g| g.fitted.as_ref())
            .map(|_| 0.3)
    });
    let outcome = ctx
        .store
        .edit_draft(session_id, "add_music", |draft| {
            Ok::<_, Problem>(Some(edit::set_music(
                draft,
                &track,
                &name,
                volume,
                generated.clone(),
            )))
        })
        .await?;
    Ok(finish_edit(outcome, lang, events).await)
}

/// Clip boundaries on the timeline: natural accents for the music.
fn clip_boundaries(draft: &RawDraft) -> Vec<u64> {
    let mut at = 0_i64;
    let clips = timeline::clips(draft);
    clips
        .iter()
        .take(clips.len().saturating_sub(1))
        .map(|s| {
            at += s.d.unwrap_or(0);
            at.max(0) as u64
        })
        .collect()
}

fn seed_for(session_id: &str, version: i64, request: &MusicRequest) -> u64 {
    let mut h = DefaultHasher::new();
    (session_id, version, format!("{request:?}")).hash(&mut h);
    h.finish()
}

#[expect(
    clippy::too_many_arguments,
    reason = "the user's words nudge the fitted mood"
)]
async fn generate_music(
    ctx: &TurnContext,
    session_id: &str,
    request: &MusicRequest,
    message: &str,
    draft: &RawDraft,
    media: &[MediaRow],
    version: i64,
    events: &mut Events<'_>,
) -> Result<(MediaRow, GeneratedInfo), TurnError> {
    let video_ms = timeline::video_length_ms(draft);
    let length_ms = request
        .length_ms
        .map(|l| l.max(0) as u64)
        .or((video_ms > 0).then_some(video_ms as u64))
        .unwrap_or(DEFAULT_MUSIC_MS);
    let accents = clip_boundaries(draft);
    let fit = if video_ms > 0 && (request.match_video || request.mood.is_none()) {
        events
            .tool_call(
                "analyze_video",
                json!({"clips": timeline::clips(draft).len()}),
            )
            .await;
        // The SoundFont loads on the other core while the clips decode.
        let preload = tokio::task::spawn_blocking(music::preload_soundfont);
        let fit = crate::fit::analyze_draft(&ctx.media, draft, media)
            .await
            .map(|profile| crate::fit::fit_plan(&profile, Some(message)));
        let _ = preload.await;
        let result = fit.as_ref().map_or_else(
            || json!({"status": "skipped"}),
            |f| {
                json!({"status": "done", "mood": f.mood_label, "summary": f.summary,
                       "cuts": f.accents_ms.len(), "speech": !f.speech.is_empty()})
            },
        );
        events.tool_result("analyze_video", result).await;
        fit
    } else {
        None
    };
    let spec = MusicSpec {
        mood: request.mood.clone(),
        valence_arousal: None,
        length_ms,
        accents_ms: fit.as_ref().map_or(accents, |f| f.accents_ms.clone()),
        seed: seed_for(session_id, version, request),
        fit,
    };
    events
        .tool_call(
            "generate_music",
            json!({"mood": spec.mood, "length_ms": length_ms, "accents_ms": spec.accents_ms}),
        )
        .await;
    let track = synthesize(spec, events).await?;
    let info = track.info.clone();
    let row = store_track(ctx, session_id, &track).await?;
    events
        .tool_result(
            "generate_music",
            json!({"status": "done", "progress": 100, "media_id": row.id, "name": track.name,
                   "duration_ms": track.duration_ms, "bpm": info.bpm, "key": info.key}),
        )
        .await;
    Ok((row, info))
}

/// Runs the CPU-bound generator on a blocking thread, forwarding progress as tool events.
/// Stores a generated track content-addressed and records it as the session's media.
pub(super) async fn store_track(
    ctx: &TurnContext,
    session_id: &str,
    track: &music::GeneratedTrack,
) -> Result<MediaRow, TurnError> {
    let (sha256, key) = ctx.media.put_bytes(track.wav.clone()).await?;
    let row = MediaRow {
        id: format!("med_{}", uuid::Uuid::new_v4().simple()),
        session_id: session_id.to_owned(),
        sha256,
        object_key: key,
        filename: format!("{}.wav", track.name),
        file_type: "audio".to_owned(),
        origin: "generated".to_owned(),
        size_bytes: track.wav.len() as i64,
        duration_ms: Some(track.duration_ms as i64),
        width: None,
        height: None,
        fps: None,
        has_audio: true,
        probe: json!({"format_name": "wav", "duration_ms": track.duration_ms}),
        meta: Some(json!({"kind": "music", "report": track.report})),
        created_at: now_ms(),
    };
    ctx.store.insert_media(&row).await?;
    Ok(row)
}

async fn synthesize(
    spec: MusicSpec,
    events: &mut Events<'_>,
) -> Result<music::GeneratedTrack, TurnError> {
    let (progress_tx, mut progress_rx) = mpsc::unbounded_channel::<f32>();
    let mut task = tokio::task::spawn_blocking(move || {
        music::generate(&spec, &mut |p| {
            let _ = progress_tx.send(p);
        })
    });
    let mut reported = 0;
    loop {
        tokio::select! {
            Some(p) = progress_rx.recv() => {
                let step = (p * 4.0).floor() as i32; // report every 25 %
                if step > reported && step < 4 {
                    reported = step;
                    events.tool_result("generate_music", json!({"status": "running", "progress": step * 25})).await;
                }
            }
            joined = &mut task => {
                return match joined {
                    Ok(result) => Ok(result?),
                    Err(e) => Err(TurnError::Task(e.to_string())),
                };
            }
        }
    }
}
