//! The phrase table: each row is a message and the intent it must parse to.

use super::*;

fn generate(mood: Option<&str>, match_video: bool, length_ms: Option<i64>) -> Intent {
    Intent::AddMusic(MusicRequest {
        replace: false,
        source: MusicSource::Generate,
        mood: mood.map(str::to_owned),
        match_video,
        length_ms,
        volume: None,
    })
}

fn music(f: impl FnOnce(&mut MusicRequest)) -> Intent {
    let mut req = MusicRequest {
        replace: false,
        source: MusicSource::Generate,
        mood: None,
        match_video: false,
        length_ms: None,
        volume: None,
    };
    f(&mut req);
    Intent::AddMusic(req)
}

fn title(text: &str) -> Intent {
    Intent::AddTitle {
        text: text.to_owned(),
        duration_ms: None,
        at: TitleAt::Next,
    }
}

fn trim(clip: Option<ClipRef>, trim: Trim) -> Intent {
    Intent::TrimClip { clip, trim }
}

#[test]
fn phrase_table() {
    use ClipRef::{Index, Last};
    let table: Vec<(&str, Intent)> = vec![
        // music: add / generate
        ("add background music", generate(None, false, None)),
        (
            "Add some calm background music",
            generate(Some("calm"), false, None),
        ),
        (
            "add music that matches my video",
            generate(None, true, None),
        ),
        (
            "add calm background music that matches the mood",
            generate(Some("calm"), true, None),
        ),
        (
            "I want upbeat music, 30 seconds",
            generate(Some("upbeat"), false, Some(30_000)),
        ),
        (
            "generate a 1 minute epic soundtrack",
            generate(Some("epic"), false, Some(60_000)),
        ),
        ("添加背景音乐", generate(None, false, None)),
        (
            "生成一段与我的视频情绪匹配的背景音乐",
            generate(None, true, None),
        ),
        ("加一段欢快的配乐", generate(Some("happy"), false, None)),
        (
            "来一首轻松的背景音乐，六十秒",
            generate(Some("calm"), false, Some(60_000)),
        ),
        ("add music at 50% volume", music(|m| m.volume = Some(0.5))),
        (
            "use my song as background music",
            music(|m| m.source = MusicSource::Uploaded { hint: None }),
        ),
        (
            "use \"beach.mp3\" as the music",
            music(|m| {
                m.source = MusicSource::Uploaded {
                    hint: Some("beach.mp3".to_owned()),
                }
            }),
        ),
        (
            "用我上传的音乐做背景音乐",
            music(|m| m.source = MusicSource::Uploaded { hint: None }),
        ),
        // music: replace / remove
        (
            "replace the music with something calmer",
            // A comparative is a change to the current music's brief.
            Intent::RestyleMusic(MusicTweak {
                mood: Some("calm".to_owned()),
                tempo: None,
                style: None,
            }),
        ),
        (
            "换一首悲伤的音乐",
            music(|m| {
                m.replace = true;
                m.mood = Some("sad".to_owned());
            }),
        ),
        ("remove the music", Intent::RemoveMusic),
        ("please delete the background music", Intent::RemoveMusic),
        ("no music please", Intent::RemoveMusic),
        ("去掉背景音乐", Intent::RemoveMusic),
        ("删除音乐", Intent::RemoveMusic),
        // volume
        (
            "set the music volume to 30%",
            Intent::MusicVolume(VolumeChange::Set(0.3)),
        ),
        (
            "music volume 0.5",
            Intent::MusicVolume(VolumeChange::Set(0.5)),
        ),
        (
            "set volume to 80",
            Intent::MusicVolume(VolumeChange::Set(0.8)),
        ),
        (
            "make the music quieter",
            Intent::MusicVolume(VolumeChange::Quieter),
        ),
        (
            "turn the music down a bit",
            Intent::MusicVolume(VolumeChange::Quieter),
        ),
        (
            "make the music louder",
            Intent::MusicVolume(VolumeChange::Louder),
        ),
        (
            "mute the music",
            Intent::MusicVolume(VolumeChange::Set(0.0)),
        ),
        (
            "背景音乐小声一点",
            Intent::MusicVolume(VolumeChange::Quieter),
        ),
        (
            "音乐音量调到百分之二十",
            Intent::MusicVolume(VolumeChange::Set(0.2)),
        ),
        ("音量调大", Intent::MusicVolume(VolumeChange::Louder)),
        // fades
        (
            "fade in the music",
            Intent::Fade {
                fade_in_ms: Some(1000),
                fade_out_ms: None,
            },
        ),
        (
            "add a 2 second fade in",
            Intent::Fade {
                fade_in_ms: Some(2000),
                fade_out_ms: None,
            },
        ),
        (
            "fade out the music over 3 seconds",
            Intent::Fade {
                fade_in_ms: None,
                fade_out_ms: Some(3000),
            },
        ),
        (
            "add fades",
            Intent::Fade {
                fade_in_ms: Some(1000),
                fade_out_ms: Some(2000),
            },
        ),
        (
            "remove the fade",
            Intent::Fade {
                fade_in_ms: Some(0),
                fade_out_ms: Some(0),
            },
        ),
        (
            "音乐淡入2秒，淡出3秒",
            Intent::Fade {
                fade_in_ms: Some(2000),
                fade_out_ms: Some(3000),
            },
        ),
        (
            "加个淡出",
            Intent::Fade {
                fade_in_ms: None,
                fade_out_ms: Some(2000),
            },
        ),
        // titles
        ("add a title \"Summer in Rome\"", title("Summer in Rome")),
        ("add a title saying Hello World", title("Hello World")),
        ("put a caption that says It's done!", title("It's done")),
        ("add a title 'Undo the music'", title("Undo the music")),
        ("添加标题：夏日旅行", title("夏日旅行")),
        ("加一个标题“我的旅行”", title("我的旅行")),
        ("add a title", title("")),
        (
            "add the title \"Day 1\" for 5 seconds",
            Intent::AddTitle {
                text: "Day 1".to_owned(),
                duration_ms: Some(5000),
                at: TitleAt::Next,
            },
        ),
        ("remove the title", Intent::RemoveTitle),
        ("删除标题", Intent::RemoveTitle),
        // trims
        (
            "trim clip 1 to 3 seconds",
            trim(Some(Index(0)), Trim::KeepFirst(3000)),
        ),
        (
            "shorten the second clip to 2.5s",
            trim(Some(Index(1)), Trim::KeepFirst(2500)),
        ),
        (
            "cut the first 2 seconds of clip 1",
            trim(Some(Index(0)), Trim::CutStart(2000)),
        ),
        (
            "cut 1 second off the end of the last clip",
            trim(Some(Last), Trim::CutEnd(1000)),
        ),
        (
            "trim clip 2 from 1s to 3s",
            trim(
                Some(Index(1)),
                Trim::Range {
                    start: 1000,
                    end: 3000,
                },
            ),
        ),
        (
            "keep only the first 4 seconds",
            trim(None, Trim::KeepFirst(4000)),
        ),
        (
            "把第一个片段剪到3秒",
            trim(Some(Index(0)), Trim::KeepFirst(3000)),
        ),
        (
            "剪掉第一个片段的前2秒",
            trim(Some(Index(0)), Trim::CutStart(2000)),
        ),
        (
            "剪掉第二个视频最后1秒",
            trim(Some(Index(1)), Trim::CutEnd(1000)),
        ),
        (
            "第二个片段保留1秒到3秒",
            trim(
                Some(Index(1)),
                Trim::Range {
                    start: 1000,
                    end: 3000,
                },
            ),
        ),
        // reorder
        (
            "move clip 3 to the start",
            Intent::MoveClip {
                clip: Index(2),
                to: ClipPlace::Start,
            },
        ),
        (
            "move the last clip to the beginning",
            Intent::MoveClip {
                clip: Last,
                to: ClipPlace::Start,
            },
        ),
        (
            "move the first clip to the end",
            Intent::MoveClip {
                clip: Index(0),
                to: ClipPlace::End,
            },
        ),
        (
            "put clip 2 before clip 1",
            Intent::MoveClip {
                clip: Index(1),
                to: ClipPlace::Before(Index(0)),
            },
        ),
        (
            "move clip 1 after clip 3",
            Intent::MoveClip {
                clip: Index(0),
                to: ClipPlace::After(Index(2)),
            },
        ),
        (
            "move clip 3 to position 1",
            Intent::MoveClip {
                clip: Index(2),
                to: ClipPlace::Index(0),
            },
        ),
        (
            "swap clip 1 and clip 2",
            Intent::SwapClips(Index(0), Index(1)),
        ),
        (
            "swap the first and second clips",
            Intent::SwapClips(Index(0), Index(1)),
        ),
        (
            "把第三个片段移到开头",
            Intent::MoveClip {
                clip: Index(2),
                to: ClipPlace::Start,
            },
        ),
        (
            "把第一个视频放到最后",
            Intent::MoveClip {
                clip: Index(0),
                to: ClipPlace::End,
            },
        ),
        (
            "交换第一个和第二个片段",
            Intent::SwapClips(Index(0), Index(1)),
        ),
        // undo, describe, help, unknown
        ("undo", Intent::Undo),
        ("Undo that please", Intent::Undo),
        ("撤销", Intent::Undo),
        ("撤回上一步", Intent::Undo),
        ("what's in my project?", Intent::Describe),
        ("show me the timeline", Intent::Describe),
        ("项目里有什么？", Intent::Describe),
        ("help", Intent::Help),
        ("what can you do?", Intent::Help),
        ("你能做什么", Intent::Help),
        ("make it pop", Intent::Unknown),
        ("把视频变成黑白的", Intent::Unknown),
    ];
    let mut failures = Vec::new();
    for (message, expected) in &table {
        let got = parse(message);
        if &got != expected {
            failures.push(format!(
                "{message:?}\n   expected {expected:?}\n   got      {got:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} phrases misparsed:\n{}",
        failures.len(),
        table.len(),
        failures.join("\n")
    );
}

#[test]
fn normalize_handles_chinese_numerals_and_full_width() {
    assert_eq!(normalize("第三个"), "第3个");
    assert_eq!(normalize("二十五秒"), "25秒");
    assert_eq!(normalize("一百二十"), "120");
    assert_eq!(normalize("十秒"), "10秒");
    assert_eq!(normalize("百分之三十"), "30%");
    assert_eq!(normalize("３０％"), "30%");
    assert_eq!(normalize("小声一点"), "小声一点");
    assert_eq!(normalize("Trim Clip"), "trim clip");
}

#[test]
fn language_follows_the_message() {
    assert_eq!(Lang::detect("add music"), Lang::En);
    assert_eq!(Lang::detect("添加 music"), Lang::Zh);
}

#[test]
fn word_boundaries_keep_short_words_from_matching_inside_others() {
    assert!(!contains_word("piano", "no"));
    assert!(contains_word("no music", "no"));
    assert!(!contains_word("crusade", "sad"));
}
