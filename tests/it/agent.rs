//! Integration tests: the chat agent. A corpus of phrasings (English, Chinese, mixed, typos)
//! each parsed to its expected intent and applied to the fixture draft
//! (`tests/fixtures/agent/draft.json`: three clips, a calm piano bed, a title); the draft
//! diff (`nemo_draft::diff` + `summarize`) or reply of every phrasing is snapshotted. Then a
//! conversation through the protocol against the embedded engine.

use std::fmt::Write as _;

use nemo_draft::{Draft, diff, summarize};
use nemo_engine::agent::edit::{self, GeneratedInfo, Problem};
use nemo_engine::agent::intent::{
    self, ClipOrder, ClipPlace, ClipRef, Framing, Intent, Lang, MusicRequest, MusicSource,
    MusicTweak, Tempo, TitleAt, Transition, Trim, VideoOptions, VideoRequest, VolumeChange,
};
use nemo_engine::agent::{reply, restyle, video};
use nemo_engine::store::MediaRow;
use nemo_music::TempoSpec;
use nemo_protocol::RawDraft;
use serde_json::{Value, json};

use crate::engine::{Client, clip, start, test_config};

fn fixture() -> RawDraft {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/agent/draft.json"),
    )
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn media_row(id: &str, filename: &str, file_type: &str, duration_ms: i64, audio: bool) -> MediaRow {
    MediaRow {
        id: id.to_owned(),
        session_id: "s".to_owned(),
        sha256: "0".repeat(64),
        object_key: format!("sha256/00/{id}"),
        filename: filename.to_owned(),
        file_type: file_type.to_owned(),
        origin: if file_type == "audio" {
            "generated".to_owned()
        } else {
            "upload".to_owned()
        },
        size_bytes: 1000,
        duration_ms: Some(duration_ms),
        width: None,
        height: None,
        fps: None,
        has_audio: audio,
        probe: json!({}),
        meta: None,
        created_at: 0,
    }
}

/// The session's media behind the fixture draft.
fn fixture_media() -> Vec<MediaRow> {
    vec![
        media_row("med_a", "beach.mp4", "video", 8000, true),
        media_row("med_b", "street.mp4", "video", 4000, true),
        media_row("med_c", "sunset.jpg", "image", 0, false),
        media_row("med_music", "calm piano.wav", "audio", 12000, true),
    ]
}

/// Per-clip energies (analysed arousal) used for "order by energy".
const ENERGIES: [f64; 3] = [0.6, -0.2, -1.0];

fn summary(before: &RawDraft, after: &RawDraft) -> Vec<String> {
    let parse = |d: &RawDraft| Draft::parse(&serde_json::to_value(d).unwrap()).0;
    summarize(&diff(&parse(before), &parse(after)))
}

/// Puts a stand-in for generated music in (the corpus checks the brief; generation itself
/// is covered by the conversation test below).
fn stand_in_music(draft: &mut RawDraft, name: &str, bpm: f64, volume: Option<f64>) -> edit::Change {
    let row = media_row(
        "med_new_music",
        &format!("{name}.wav"),
        "audio",
        12000,
        true,
    );
    let mut words = name.splitn(2, ' ');
    let info = GeneratedInfo {
        mood: words.next().unwrap_or_default().to_owned(),
        style: words.next().unwrap_or_default().to_owned(),
        key: "A minor".to_owned(),
        bpm,
        fitted: None,
    };
    edit::set_music(draft, &row, name, volume, Some(info))
}

/// What one phrasing does to the fixture: the reply's first line and the diff summary.
fn outcome(phrase: &str, parsed: &Intent) -> String {
    let lang = Lang::detect(phrase);
    let before = fixture();
    let mut after = before.clone();
    let result: Result<edit::Change, Problem> = match parsed {
        Intent::RestyleMusic(tweak) => {
            let brief = restyle::restyle_brief(&before, tweak, 7);
            let name = format!("{} {}", brief.mood.label(), brief.effective_style().name());
            let bpm = match brief.tempo {
                TempoSpec::Bpm(b) => b,
                _ => 72.0,
            };
            let volume = restyle::current_music(&before).map(|c| c.volume);
            Ok(stand_in_music(&mut after, &name, bpm, volume))
        }
        Intent::AddMusic(request) => match &request.source {
            MusicSource::Generate => {
                let name = format!("{} generated", request.mood.as_deref().unwrap_or("fitted"));
                Ok(stand_in_music(&mut after, &name, 96.0, request.volume))
            }
            MusicSource::Uploaded { .. } => Err(Problem::NoUploadedAudio),
        },
        Intent::StartOver => {
            edit::start_over(&before, &fixture_media(), 3000).map(|(fresh, change)| {
                after = fresh;
                change
            })
        }
        Intent::VideoOptions(options) => edit::set_options(&mut after, *options, Some(&ENERGIES)),
        Intent::MakeVideo(request) => {
            let options = video::montage_options(request, 1);
            return format!(
                "montage: {} ms, order {:?}, transition {:?}, framing {:?}, mood {:?}, title {:?}",
                options.target_ms,
                options.ordering,
                options.transition,
                options.framing,
                options.mood,
                options.title
            );
        }
        Intent::Undo => return "undo (store history)".to_owned(),
        Intent::Describe => return reply::describe(lang, &before),
        Intent::Help => return "help".to_owned(),
        Intent::Vague => return reply::vague(lang),
        Intent::Unknown => return reply::unknown(lang).lines().next().unwrap().to_owned(),
        other => edit::apply(&mut after, other),
    };
    match result {
        Ok(change) => {
            let first = reply::change(lang, &change)
                .lines()
                .next()
                .unwrap()
                .to_owned();
            let lines = summary(&before, &after);
            assert!(!lines.is_empty(), "{phrase:?} changed nothing");
            format!("reply: {first}\n{}", lines.join("\n"))
        }
        Err(problem) => {
            let mut text = reply::problem(lang, &problem);
            if matches!(
                problem,
                Problem::ClipOutOfRange { .. } | Problem::WhichClip { .. }
            ) {
                text = format!(
                    "{text}\n{}",
                    reply::clip_choices(lang, &edit::clip_names(&before))
                );
            }
            assert_eq!(before, after, "{phrase:?}: a refused edit left changes");
            format!("clarify: {text}")
        }
    }
}

fn tweak(mood: Option<&str>, tempo: Option<Tempo>, style: Option<&str>) -> Intent {
    Intent::RestyleMusic(MusicTweak {
        mood: mood.map(str::to_owned),
        tempo,
        style: style.map(str::to_owned),
    })
}

fn add_music(f: impl FnOnce(&mut MusicRequest)) -> Intent {
    let mut request = MusicRequest {
        replace: false,
        source: MusicSource::Generate,
        mood: None,
        match_video: false,
        length_ms: None,
        volume: None,
    };
    f(&mut request);
    Intent::AddMusic(request)
}

fn title(text: &str, at: TitleAt) -> Intent {
    Intent::AddTitle {
        text: text.to_owned(),
        duration_ms: None,
        at,
    }
}

fn make_video(f: impl FnOnce(&mut VideoRequest)) -> Intent {
    let mut request = VideoRequest::default();
    f(&mut request);
    Intent::MakeVideo(request)
}

fn options(
    order: Option<ClipOrder>,
    transition: Option<Transition>,
    framing: Option<Framing>,
) -> Intent {
    Intent::VideoOptions(VideoOptions {
        order,
        transition,
        framing,
    })
}

/// The corpus: phrasing and the intent it must parse to.
#[allow(clippy::too_many_lines)] // one table
fn corpus() -> Vec<(&'static str, Intent)> {
    use ClipRef::{Index, Last};
    use Tempo::{Faster, Slower};
    vec![
        // music restyles: the brief changes, the music is composed again
        ("make the music calmer", tweak(Some("calm"), None, None)),
        (
            "Make the music a bit calmer please",
            tweak(Some("calm"), None, None),
        ),
        ("make it calmer", tweak(Some("calm"), None, None)),
        ("make the musci calmr", tweak(Some("calm"), None, None)),
        ("换一首更欢快的音乐", tweak(Some("happy"), None, None)),
        ("音乐再欢快一点", tweak(Some("happy"), None, None)),
        ("背景音乐更平静一些", tweak(Some("calm"), None, None)),
        ("make the music happier", tweak(Some("happy"), None, None)),
        ("music more epic", tweak(Some("epic"), None, None)),
        (
            "make the bgm more upbeat",
            tweak(Some("upbeat"), None, None),
        ),
        ("faster tempo", tweak(None, Some(Faster), None)),
        ("fastr tempo pls", tweak(None, Some(Faster), None)),
        ("speed up the music", tweak(None, Some(Faster), None)),
        ("slow the tempo down", tweak(None, Some(Slower), None)),
        ("节奏快一点", tweak(None, Some(Faster), None)),
        ("音乐节奏慢一点", tweak(None, Some(Slower), None)),
        ("use piano instead", tweak(None, None, Some("piano"))),
        ("use paino insted", tweak(None, None, Some("piano"))),
        ("换成钢琴", tweak(None, None, Some("piano"))),
        ("音乐换成吉他", tweak(None, None, Some("acoustic"))),
        (
            "switch the music to electronic",
            tweak(None, None, Some("electronic")),
        ),
        ("bgm换成lofi的", tweak(None, None, Some("lo-fi"))),
        (
            "replace the music with something calmer",
            tweak(Some("calm"), None, None),
        ),
        // music add / volume / ducking / remove
        ("add background music", add_music(|_| {})),
        (
            "add upbeat music",
            add_music(|m| m.mood = Some("upbeat".to_owned())),
        ),
        (
            "加一段欢快的配乐",
            add_music(|m| m.mood = Some("happy".to_owned())),
        ),
        ("add musci", add_music(|_| {})),
        ("louder music", Intent::MusicVolume(VolumeChange::Louder)),
        ("music louder", Intent::MusicVolume(VolumeChange::Louder)),
        ("lowder music", Intent::MusicVolume(VolumeChange::Louder)),
        ("音乐大声一点", Intent::MusicVolume(VolumeChange::Louder)),
        (
            "turn the music down",
            Intent::MusicVolume(VolumeChange::Quieter),
        ),
        ("music quiter", Intent::MusicVolume(VolumeChange::Quieter)),
        ("音乐小声一点", Intent::MusicVolume(VolumeChange::Quieter)),
        (
            "set the music volume to 20%",
            Intent::MusicVolume(VolumeChange::Set(0.2)),
        ),
        (
            "bgm音量调到50%",
            Intent::MusicVolume(VolumeChange::Set(0.5)),
        ),
        ("lower the music under the talking", Intent::DuckMusic(true)),
        ("duck the music when people talk", Intent::DuckMusic(true)),
        ("有人说话时把音乐压低", Intent::DuckMusic(true)),
        ("stop ducking the music", Intent::DuckMusic(false)),
        ("remove the music", Intent::RemoveMusic),
        ("去掉背景音乐", Intent::RemoveMusic),
        (
            "fade out the music over 3 seconds",
            Intent::Fade {
                fade_in_ms: None,
                fade_out_ms: Some(3000),
            },
        ),
        // original audio
        (
            "mute the original audio",
            Intent::OriginalAudio { mute: true },
        ),
        (
            "mute the orignal audio",
            Intent::OriginalAudio { mute: true },
        ),
        (
            "remove the original sound",
            Intent::OriginalAudio { mute: true },
        ),
        ("静音原声", Intent::OriginalAudio { mute: true }),
        ("去掉视频原声", Intent::OriginalAudio { mute: true }),
        (
            "unmute the original audio",
            Intent::OriginalAudio { mute: false },
        ),
        ("恢复原声", Intent::OriginalAudio { mute: false }),
        // total length
        (
            "shorten to 30 seconds",
            Intent::SetLength {
                ms: 30_000,
                only_shorter: true,
            },
        ),
        (
            "shorten to 6 seconds",
            Intent::SetLength {
                ms: 6000,
                only_shorter: true,
            },
        ),
        (
            "shortn to 6 secnds",
            Intent::SetLength {
                ms: 6000,
                only_shorter: true,
            },
        ),
        (
            "make it 10 seconds",
            Intent::SetLength {
                ms: 10_000,
                only_shorter: false,
            },
        ),
        (
            "make the video 14 s long",
            Intent::SetLength {
                ms: 14_000,
                only_shorter: false,
            },
        ),
        (
            "缩短到8秒",
            Intent::SetLength {
                ms: 8000,
                only_shorter: true,
            },
        ),
        (
            "视频改成10秒",
            Intent::SetLength {
                ms: 10_000,
                only_shorter: false,
            },
        ),
        (
            "把整个视频压缩到6秒",
            Intent::SetLength {
                ms: 6000,
                only_shorter: true,
            },
        ),
        (
            "make the video 40 seconds",
            Intent::SetLength {
                ms: 40_000,
                only_shorter: false,
            },
        ),
        (
            "把music调小一点",
            Intent::MusicVolume(VolumeChange::Quieter),
        ),
        (
            "swap clip 1 和 clip 3",
            Intent::SwapClips(Index(0), Index(2)),
        ),
        ("add 一个标题 \"Kyoto\"", title("Kyoto", TitleAt::Next)),
        ("music 换成 piano", tweak(None, None, Some("piano"))),
        (
            "cut it down to 9s",
            Intent::SetLength {
                ms: 9000,
                only_shorter: true,
            },
        ),
        // titles
        (
            "add a title 'Tokyo 2026' at the start",
            title("Tokyo 2026", TitleAt::Start),
        ),
        (
            "add a tittle \"Tokyo 2026\" at the beginning",
            title("Tokyo 2026", TitleAt::Start),
        ),
        ("在开头加标题“东京2026”", title("东京2026", TitleAt::Start)),
        (
            "add an end card saying Thanks for watching",
            title("Thanks for watching", TitleAt::End),
        ),
        ("片尾加字幕：谢谢观看", title("谢谢观看", TitleAt::End)),
        ("add a title \"Day 1\"", title("Day 1", TitleAt::Next)),
        ("add a title", title("", TitleAt::Next)),
        ("remove the title", Intent::RemoveTitle),
        ("remove the titel", Intent::RemoveTitle),
        ("删除标题", Intent::RemoveTitle),
        ("去掉字幕", Intent::RemoveTitle),
        // clips
        ("swap clip 2 and 3", Intent::SwapClips(Index(1), Index(2))),
        ("swap clips 1 and 3", Intent::SwapClips(Index(0), Index(2))),
        ("swap clip 2 and 7", Intent::SwapClips(Index(1), Index(6))),
        (
            "交换第1个和第2个片段",
            Intent::SwapClips(Index(0), Index(1)),
        ),
        (
            "把第二段和第三段视频互换",
            Intent::SwapClips(Index(1), Index(2)),
        ),
        (
            "swap the first and last clips",
            Intent::SwapClips(Index(0), Last),
        ),
        (
            "move clip 3 to the start",
            Intent::MoveClip {
                clip: Index(2),
                to: ClipPlace::Start,
            },
        ),
        (
            "把第三个片段移到开头",
            Intent::MoveClip {
                clip: Index(2),
                to: ClipPlace::Start,
            },
        ),
        (
            "trim clip 1 to 3 seconds",
            Intent::TrimClip {
                clip: Some(Index(0)),
                trim: Trim::KeepFirst(3000),
            },
        ),
        (
            "cut the first 2 seconds of clip 1",
            Intent::TrimClip {
                clip: Some(Index(0)),
                trim: Trim::CutStart(2000),
            },
        ),
        (
            "trim to 3 seconds",
            Intent::TrimClip {
                clip: None,
                trim: Trim::KeepFirst(3000),
            },
        ),
        // montage settings on the current video
        (
            "order the clips by energy",
            options(Some(ClipOrder::EnergyArc), None, None),
        ),
        (
            "按能量排序",
            options(Some(ClipOrder::EnergyArc), None, None),
        ),
        (
            "add crossfades between clips",
            options(None, Some(Transition::Crossfade), None),
        ),
        (
            "用交叉淡化转场",
            options(None, Some(Transition::Crossfade), None),
        ),
        (
            "dip to black between shots",
            options(None, Some(Transition::DipToBlack), None),
        ),
        (
            "use blur background for portrait clips",
            options(None, None, Some(Framing::BlurPad)),
        ),
        (
            "竖屏的用模糊背景",
            options(None, None, Some(Framing::BlurPad)),
        ),
        (
            "letterbox the portrait clips",
            options(None, None, Some(Framing::Letterbox)),
        ),
        (
            "keep the original order",
            options(Some(ClipOrder::AsUploaded), None, None),
        ),
        // new videos: montage (clips) or generated visuals (no clips)
        (
            "make a 60-second montage of these clips",
            make_video(|r| r.length_ms = Some(60_000)),
        ),
        (
            "make a 10 second montage with crossfades, ordered by energy",
            make_video(|r| {
                r.length_ms = Some(10_000);
                r.options.order = Some(ClipOrder::EnergyArc);
                r.options.transition = Some(Transition::Crossfade);
            }),
        ),
        (
            "make a montge of my clips, blur the portrait ones",
            make_video(|r| r.options.framing = Some(Framing::BlurPad)),
        ),
        (
            "a 30-second upbeat video for my bakery opening",
            make_video(|r| {
                r.length_ms = Some(30_000);
                r.mood = Some("upbeat".to_owned());
                r.subject = Some("bakery opening".to_owned());
            }),
        ),
        (
            "生成一个60秒的旅行混剪视频",
            make_video(|r| {
                r.length_ms = Some(60_000);
                r.subject = Some("旅行".to_owned());
            }),
        ),
        (
            "做一个30秒欢快的混剪",
            make_video(|r| {
                r.length_ms = Some(30_000);
                r.mood = Some("happy".to_owned());
            }),
        ),
        (
            "generate a calm 20 second video about the ocean",
            make_video(|r| {
                r.length_ms = Some(20_000);
                r.mood = Some("calm".to_owned());
                r.subject = Some("ocean".to_owned());
            }),
        ),
        // history and state
        ("undo", Intent::Undo),
        ("udno that", Intent::Undo),
        ("撤销", Intent::Undo),
        ("start over", Intent::StartOver),
        ("let's start again from scratch", Intent::StartOver),
        ("重新开始", Intent::StartOver),
        ("what's in my project", Intent::Describe),
        ("what's in my project / 状态", Intent::Describe),
        ("状态", Intent::Describe),
        ("project status?", Intent::Describe),
        // vague and unknown: clarifying replies with choices
        ("make it better", Intent::Vague),
        ("优化一下", Intent::Vague),
        ("make it look more professional", Intent::Vague),
        ("make it pop", Intent::Unknown),
        ("把视频变成黑白的", Intent::Unknown),
    ]
}

#[test]
fn every_corpus_phrasing_parses_to_its_intent() {
    let corpus = corpus();
    assert!(corpus.len() >= 80, "corpus has {} phrasings", corpus.len());
    let wrong: Vec<String> = corpus
        .iter()
        .filter_map(|(phrase, expected)| {
            let got = intent::parse(phrase);
            (got != *expected)
                .then(|| format!("{phrase:?}\n   expected {expected:?}\n   got      {got:?}"))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} phrasings misparsed:\n{}",
        wrong.len(),
        corpus.len(),
        wrong.join("\n")
    );
}

#[test]
fn every_corpus_phrasing_edits_the_fixture_draft() {
    let mut out = String::new();
    for (phrase, expected) in corpus() {
        let _ = write!(out, "## {phrase}\n{}\n\n", outcome(phrase, &expected));
    }
    insta::assert_snapshot!("corpus_draft_diffs", out);
}

#[test]
fn restyles_change_only_what_was_asked() {
    let draft = fixture();
    let calmer = restyle::restyle_brief(&draft, &MusicTweak::default(), 1);
    assert_eq!(calmer.mood.label(), "calm", "the current mood is kept");
    assert_eq!(
        calmer.effective_style().name(),
        "piano",
        "the current style is kept"
    );
    assert_eq!(calmer.duration_ms, 12_000, "as long as the picture");
    assert_eq!(
        calmer.accents_ms,
        [5000, 9000],
        "beats on the clip boundaries"
    );
    let faster = restyle::restyle_brief(
        &draft,
        &MusicTweak {
            tempo: Some(Tempo::Faster),
            ..MusicTweak::default()
        },
        1,
    );
    assert_eq!(faster.tempo, TempoSpec::Bpm(90.0), "72 BPM * 1.25");
    let calmer_still = restyle::restyle_brief(
        &draft,
        &MusicTweak {
            mood: Some("calm".to_owned()),
            ..MusicTweak::default()
        },
        1,
    );
    assert_eq!(
        calmer_still.tempo,
        TempoSpec::Bpm(58.0),
        "calmer than calm is slower: 72 / 1.25"
    );
    assert_eq!(faster.effective_style().name(), "piano");
    let happier = restyle::restyle_brief(
        &draft,
        &MusicTweak {
            mood: Some("happy".to_owned()),
            ..MusicTweak::default()
        },
        1,
    );
    assert_eq!(happier.mood.label(), "happy");
    assert_eq!(happier.style, None, "a new mood picks its own style");
    let piano = restyle::restyle_brief(
        &draft,
        &MusicTweak {
            style: Some("electronic".to_owned()),
            ..MusicTweak::default()
        },
        1,
    );
    assert_eq!(piano.mood.label(), "calm");
    assert_eq!(piano.effective_style().name(), "electronic");
}

#[test]
fn total_length_is_exact_and_proportional() {
    let lengths =
        edit::fit_lengths(&[5000, 4000, 3000], &[8000, 4000, i64::MAX / 4], 7001).unwrap();
    assert_eq!(lengths.iter().sum::<i64>(), 7001);
    assert!(
        lengths[0] > lengths[1] && lengths[1] > lengths[2],
        "{lengths:?}"
    );
    // Longer than the videos allow: the still absorbs the rest.
    let longer =
        edit::fit_lengths(&[5000, 4000, 3000], &[8000, 4000, i64::MAX / 4], 30_000).unwrap();
    assert_eq!(longer.iter().sum::<i64>(), 30_000);
    assert!(longer[0] <= 8000 && longer[1] <= 4000, "{longer:?}");
    assert_eq!(
        edit::fit_lengths(&[5000, 4000], &[8000, 4000], 20_000),
        Err(Problem::NotEnoughFootage {
            asked_ms: 20_000,
            max_ms: 12_000
        })
    );
}

// ---- through the protocol ---------------------------------------------------------------------

fn draft_of(state: &Value) -> Draft {
    Draft::parse(&state["state"]["draft"]).0
}

/// Add music, make it calmer, undo: each turn's draft diff.
#[tokio::test]
async fn a_three_turn_conversation_edits_and_undoes() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(test_config(dir.path())).await;
    let client = Client::new(&engine, "agent-test").await;
    let session = client.session().await;
    client
        .upload(
            &session,
            &[
                ("one.mp4", clip(dir.path(), "1.mp4", 2.0, false)),
                ("two.mp4", clip(dir.path(), "2.mp4", 2.0, false)),
            ],
        )
        .await;
    let uploaded = draft_of(&client.state(&session).await);

    let reply = client.say(&session, "add upbeat background music").await;
    assert!(reply.contains("Added background music"), "{reply}");
    let with_music = draft_of(&client.state(&session).await);
    let added = summarize(&diff(&uploaded, &with_music));
    assert!(
        added.iter().any(|l| l.contains("upbeat")) && added.len() <= 3,
        "{added:?}"
    );

    let reply = client.say(&session, "make the music calmer").await;
    assert!(reply.starts_with("Recomposed the music (calm)"), "{reply}");
    assert!(reply.contains("Replaced"), "{reply}");
    let calmer = draft_of(&client.state(&session).await);
    let changes = diff(&with_music, &calmer);
    assert!(
        changes.iter().any(
            |c| matches!(c, nemo_draft::Change::SegmentReplaced { before, after }
            if before.label.as_deref().is_some_and(|l| l.starts_with("upbeat"))
                && after.label.as_deref().is_some_and(|l| l.starts_with("calm")))
        ),
        "{changes:?}"
    );
    assert!(
        !changes.iter().any(|c| matches!(
            c,
            nemo_draft::Change::SegmentReordered { .. } | nemo_draft::Change::SegmentTrimmed { .. }
        )),
        "only the music changed: {changes:?}"
    );

    let reply = client.say(&session, "undo").await;
    assert!(
        reply.contains("Undid the last change (restyle_music)"),
        "{reply}"
    );
    let undone = draft_of(&client.state(&session).await);
    assert_eq!(
        diff(&with_music, &undone),
        [],
        "undo restores the upbeat draft"
    );

    let reply = client.say(&session, "swap clip 2 and 7").await;
    assert!(
        reply.contains("There is no clip 7") && reply.contains("1. one.mp4, 2. two.mp4"),
        "{reply}"
    );
    assert_eq!(diff(&undone, &draft_of(&client.state(&session).await)), []);
    engine.shutdown().await.unwrap();
}

fn track_of(state: &Value, tt: i64) -> Vec<Value> {
    state["state"]["draft"]["t"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["tt"] == tt))
        .and_then(|t| t["sg"].as_array().cloned())
        .unwrap_or_default()
}

/// "make a 4-second montage of these clips": a montage plan written as the draft, undoable.
#[tokio::test]
async fn a_montage_request_writes_a_beat_cut_draft_of_the_clips() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(test_config(dir.path())).await;
    let client = Client::new(&engine, "agent-montage").await;
    let session = client.session().await;
    client
        .upload(
            &session,
            &[
                ("harbour.mp4", clip(dir.path(), "1.mp4", 3.0, true)),
                ("market.mp4", clip(dir.path(), "2.mp4", 3.0, false)),
            ],
        )
        .await;
    let uploaded_state = client.state(&session).await;
    let uploaded = draft_of(&uploaded_state);

    let reply = client
        .say(
            &session,
            "make a 4-second montage of these clips with crossfades",
        )
        .await;
    assert!(reply.starts_with("Made a 4 s montage"), "{reply}");
    let state = client.state(&session).await;
    assert_eq!(state["state"]["draft"]["d"], 4000, "exact length");
    let shots = track_of(&state, 0);
    assert!(shots.len() >= 2, "{shots:?}");
    let ids: Vec<Value> = track_of(&uploaded_state, 0)
        .iter()
        .map(|s| s["src"].clone())
        .collect();
    assert!(
        shots.iter().all(|s| ids.contains(&s["src"])),
        "every shot comes from an upload"
    );
    assert_eq!(
        shots.iter().map(|s| s["d"].as_i64().unwrap()).sum::<i64>(),
        4000
    );
    let music = track_of(&state, 1);
    assert_eq!(music.len(), 1, "one composed bed");
    assert_eq!(music[0]["m"]["generated"], true);
    assert_eq!(
        state["state"]["draft"]["m"]["montage"]["transition"],
        "crossfade"
    );
    let lines = summarize(&diff(&uploaded, &draft_of(&state)));
    assert!(
        lines.iter().any(|l| l.contains("Duration 0:06 → 0:04")),
        "{lines:?}"
    );

    let reply = client.say(&session, "undo").await;
    assert!(reply.contains("(montage)"), "{reply}");
    assert_eq!(
        diff(&uploaded, &draft_of(&client.state(&session).await)),
        []
    );
    engine.shutdown().await.unwrap();
}

/// No clips: the prompt becomes a generated-visuals video with composed music, said plainly,
/// and the draft renders to a 1080p MP4 with audio of the requested length.
#[tokio::test]
async fn a_prompt_without_clips_makes_an_honest_generated_video() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(test_config(dir.path())).await;
    let client = Client::new(&engine, "agent-prompt").await;
    let session = client.session().await;

    let reply = client
        .say(&session, "a 3-second upbeat video for my bakery opening")
        .await;
    assert!(
        reply.contains("The visuals are generated") && reply.contains("upload clips"),
        "{reply}"
    );
    let state = client.state(&session).await;
    assert_eq!(state["state"]["draft"]["d"], 3000);
    assert_eq!(track_of(&state, 0).len(), 1);
    assert_eq!(
        track_of(&state, 0)[0]["vol"],
        0.0,
        "the bed plays the music once"
    );
    assert_eq!(track_of(&state, 1).len(), 1);

    let done = client.render(&session, "agent-prompt-render").await;
    assert_eq!(done["status"], "completed", "{done}");
    let (status, bytes) = client.download("agent-prompt-render").await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let out = dir.path().join("out.mp4");
    std::fs::write(&out, bytes).unwrap();
    let info = nemo_media::probe(&out).await.unwrap();
    let video = info.video.as_ref().unwrap();
    assert_eq!(
        (video.display_width(), video.display_height()),
        (1920, 1080)
    );
    assert!(info.audio.is_some(), "has audio");
    let length = info.duration_ms.unwrap();
    assert!((2900..=3100).contains(&length), "{length} ms");
    engine.shutdown().await.unwrap();
}
