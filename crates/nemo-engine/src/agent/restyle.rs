//! Follow-ups that change the current music ("make the music calmer", "faster tempo",
//! "use piano instead", "换一首更欢快的音乐"): the current bed's brief (mood, style, tempo,
//! read back from its segment) is changed as asked and the music is composed again, as long
//! as the picture, with the clip boundaries as accents.
//!
//! With a picture, the new music goes through the same fitted path as "add music that matches
//! my video" ([`crate::fit`]): the clips are analysed, the brief keeps the fit's exact length,
//! cut accents (with a tempo range around the asked-for tempo so cuts can still land on beats),
//! and [`super::music::generate_brief`] picks the seed whose sections change near the big cuts
//! and shapes the music with the picture's energy. The mood, style and tempo asked for win over
//! the video's mood ([`fitted_restyle_brief`], pure). Without a picture (or when analysis
//! fails) the brief is [`restyle_brief`] with the clip boundaries as accents.

use std::hash::{DefaultHasher, Hash, Hasher};

use nemo_music::{Mood, MusicBrief, NamedMood, Style, TempoSpec};
use nemo_protocol::RawDraft;
use serde_json::json;

use super::edit::{self, Problem};
use super::intent::{Lang, MusicTweak, Tempo};
use super::music::{self, DEFAULT_MUSIC_MS, GeneratedTrack, MIN_MUSIC_MS};
use super::reply;
use super::turn::{Events, TurnContext, TurnError, finish_edit};
use crate::fit::FitPlan;
use crate::timeline;

/// How much faster or slower "faster"/"slower" makes the music.
const TEMPO_STEP: f64 = 1.25;
/// Tempo range the composer is asked for.
const MIN_BPM: f64 = 50.0;
const MAX_BPM: f64 = 180.0;
/// Tempo assumed for a bed whose tempo is unknown (an uploaded song).
const ASSUMED_BPM: f64 = 100.0;
/// With cuts to hit, an asked-for tempo becomes this range (factor each way): the beat grid
/// may move a little so cuts land on beats, and "faster" stays faster than before
/// (1.25 / 1.08 > 1).
pub const RESTYLE_TEMPO_SLACK: f64 = 1.08;

/// What the current music bed is, as far as its segment says.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentMusic {
    pub name: String,
    pub mood: Option<NamedMood>,
    pub style: Option<Style>,
    pub bpm: Option<f64>,
    pub volume: f64,
}

/// The current bed, read from `m.mood`/`m.style`/`m.bpm` (generated music) or its name
/// ("calm piano").
pub fn current_music(draft: &RawDraft) -> Option<CurrentMusic> {
    let seg = timeline::music(draft).first()?;
    let name = seg.nm.clone().unwrap_or_else(|| "the music".to_owned());
    let m = seg.m.as_ref();
    let text = |key: &str| m.and_then(|m| m.get(key)).and_then(|v| v.as_str());
    let mood = text("mood")
        .and_then(NamedMood::parse)
        .or_else(|| NamedMood::find_in(&name));
    let style = text("style")
        .and_then(Style::parse)
        .or_else(|| Style::find_in(&name));
    Some(CurrentMusic {
        name,
        mood,
        style,
        bpm: m
            .and_then(|m| m.get("bpm"))
            .and_then(serde_json::Value::as_f64),
        volume: seg.vol.unwrap_or(timeline::DEFAULT_MUSIC_VOLUME),
    })
}

/// Clip boundaries on the timeline: where beats should land.
fn clip_boundaries(draft: &RawDraft) -> Vec<u64> {
    let clips = timeline::clips(draft);
    let mut at = 0_i64;
    clips
        .iter()
        .take(clips.len().saturating_sub(1))
        .map(|s| {
            at += s.d.unwrap_or(0);
            at.max(0) as u64
        })
        .collect()
}

/// The brief for the changed music: the asked-for mood (else the current one, else calm);
/// the asked-for style (else the current one unless the mood changed, then the mood's own);
/// a tempo 25 % faster or slower than the current one when asked (or when the mood asked for
/// is the current one: "calmer" calm music is slower); as long as the picture.
pub fn restyle_brief(draft: &RawDraft, tweak: &MusicTweak, seed: u64) -> MusicBrief {
    let current = current_music(draft);
    let mood = tweak
        .mood
        .as_deref()
        .and_then(NamedMood::parse)
        .or_else(|| current.as_ref().and_then(|c| c.mood))
        .unwrap_or(NamedMood::Calm);
    let video_ms = timeline::video_length_ms(draft);
    let length_ms = if video_ms > 0 {
        video_ms as u64
    } else {
        timeline::music(draft)
            .first()
            .and_then(|s| s.d)
            .map_or(DEFAULT_MUSIC_MS, |d| d.max(0) as u64)
    };
    let mut brief = MusicBrief::new(Mood::Named(mood), length_ms.max(MIN_MUSIC_MS));
    brief.style = match (&tweak.style, &tweak.mood) {
        (Some(style), _) => Style::parse(style),
        (None, Some(_)) => None,
        (None, None) => current.as_ref().and_then(|c| c.style),
    };
    // "calmer" when the music is calm already: more of the same mood, which the brief can
    // only say through tempo (slower for low-arousal moods, faster for the others).
    let same_mood = tweak.mood.is_some() && current.as_ref().and_then(|c| c.mood) == Some(mood);
    let tempo = tweak.tempo.or_else(|| {
        same_mood.then(|| {
            if mood.valence_arousal().1 < 0.0 {
                Tempo::Slower
            } else {
                Tempo::Faster
            }
        })
    });
    if let Some(tempo) = tempo {
        let from = current.as_ref().and_then(|c| c.bpm).unwrap_or(ASSUMED_BPM);
        let to = match tempo {
            Tempo::Faster => from * TEMPO_STEP,
            Tempo::Slower => from / TEMPO_STEP,
        };
        brief.tempo = TempoSpec::Bpm(to.clamp(MIN_BPM, MAX_BPM).round());
    }
    brief.accents_ms = clip_boundaries(draft);
    brief.seed = seed;
    brief
}

/// The restyle brief fitted to the video: [`crate::fit::fit_brief`] (exact length, cut accents,
/// tempo range) with the mood asked for (else the current music's, else the video's own), the
/// style of [`restyle_brief`], and an asked-for tempo as a narrow range around it
/// ([`RESTYLE_TEMPO_SLACK`]) when there are cuts to hit.
pub fn fitted_restyle_brief(
    draft: &RawDraft,
    tweak: &MusicTweak,
    seed: u64,
    plan: &FitPlan,
) -> MusicBrief {
    let wanted = restyle_brief(draft, tweak, seed);
    let named = tweak
        .mood
        .as_deref()
        .and_then(NamedMood::parse)
        .or_else(|| current_music(draft).and_then(|c| c.mood));
    let mut brief = crate::fit::fit_brief(plan, named, seed);
    brief.style = wanted.style;
    brief.tempo = match wanted.tempo {
        TempoSpec::Bpm(bpm) if !brief.accents_ms.is_empty() => TempoSpec::Range {
            min: (bpm / RESTYLE_TEMPO_SLACK).max(MIN_BPM),
            max: (bpm * RESTYLE_TEMPO_SLACK).min(MAX_BPM),
        },
        TempoSpec::Bpm(bpm) => TempoSpec::Bpm(bpm),
        _ => brief.tempo,
    };
    brief
}

/// The fit plan of the draft's picture (`None` without clips or when analysis fails).
async fn fit_for(
    ctx: &TurnContext,
    session_id: &str,
    draft: &RawDraft,
    events: &mut Events<'_>,
) -> Result<Option<FitPlan>, TurnError> {
    if timeline::video_length_ms(draft) <= 0 {
        return Ok(None);
    }
    let media = ctx.store.session_media(session_id).await?;
    events
        .tool_call(
            "analyze_video",
            json!({"clips": timeline::clips(draft).len(), "purpose": "restyle"}),
        )
        .await;
    // The SoundFont loads on the other core while the clips decode.
    let preload = tokio::task::spawn_blocking(music::preload_soundfont);
    let plan = crate::fit::analyze_draft(&ctx.media, draft, &media)
        .await
        .map(|profile| crate::fit::fit_plan(&profile, None));
    let _ = preload.await;
    let result = plan.as_ref().map_or_else(
        || json!({"status": "skipped"}),
        |f| json!({"status": "done", "cuts": f.accents_ms.len(), "summary": f.summary}),
    );
    events.tool_result("analyze_video", result).await;
    Ok(plan)
}

/// Runs the generator on a blocking thread.
async fn compose(brief: MusicBrief, fit: Option<FitPlan>) -> Result<GeneratedTrack, TurnError> {
    tokio::task::spawn_blocking(move || music::generate_brief(&brief, fit.as_ref(), &mut |_| {}))
        .await
        .map_err(|e| TurnError::Task(e.to_string()))?
        .map_err(|e| TurnError::Task(e.to_string()))
}

fn seed_for(session_id: &str, version: i64, tweak: &MusicTweak) -> u64 {
    let mut h = DefaultHasher::new();
    (session_id, version, format!("{tweak:?}")).hash(&mut h);
    h.finish()
}

/// Composes the changed music and puts it in as the bed (one undoable edit).
pub(super) async fn restyle(
    ctx: &TurnContext,
    session_id: &str,
    tweak: &MusicTweak,
    lang: Lang,
    events: &mut Events<'_>,
) -> Result<(String, Option<i64>), TurnError> {
    let (version, draft) = ctx.store.current_draft(session_id).await?;
    let before = current_music(&draft);
    let seed = seed_for(session_id, version, tweak);
    let fit = fit_for(ctx, session_id, &draft, events).await?;
    let brief = match &fit {
        Some(plan) => fitted_restyle_brief(&draft, tweak, seed, plan),
        None => restyle_brief(&draft, tweak, seed),
    };
    events
        .tool_call(
            "generate_music",
            json!({"restyle": reply::tweak_words(Lang::En, tweak),
                   "mood": brief.mood.label(), "style": brief.style.map(Style::name),
                   "length_ms": brief.duration_ms, "accents_ms": brief.accents_ms,
                   "fitted": fit.is_some()}),
        )
        .await;
    let track = compose(brief, fit).await?;
    let row = super::turn::store_track(ctx, session_id, &track).await?;
    events
        .tool_result(
            "generate_music",
            json!({"status": "done", "progress": 100, "media_id": row.id, "name": track.name,
                   "duration_ms": track.duration_ms, "bpm": track.info.bpm,
                   "accent_hit_ratio": track.fit.as_ref().map(|f| f.accent_hit_ratio)}),
        )
        .await;
    let info = track.info.clone();
    let music = track;
    let volume = before.as_ref().map(|b| b.volume);
    let name = music.name.clone();
    events
        .tool_call(
            "edit_multitrack",
            json!({"action": "restyle_music", "media_id": row.id}),
        )
        .await;
    let outcome = ctx
        .store
        .edit_draft(session_id, "restyle_music", |draft| {
            Ok::<_, Problem>(Some(edit::set_music(
                draft,
                &row,
                &name,
                volume,
                Some(info.clone()),
            )))
        })
        .await?;
    let (text, version) = finish_edit(outcome, lang, events).await;
    let headline = reply::restyled(
        lang,
        tweak,
        before.as_ref().and_then(|b| b.bpm),
        music.info.bpm,
    );
    Ok((format!("{headline}\n{text}"), version))
}
