//! The agent's words, in English or Chinese: what changed, what went wrong, what is in the
//! project, what it can do. Replies name concrete details (names, times, before -> after)
//! and end with next steps, sometimes phrased like a GUI ("click Export") as the cloud
//! agent does; the client's translator turns those into actions.

use nemo_protocol::{RawDraft, TrackType};

use super::edit::{Change, GeneratedInfo, Problem};
use super::intent::Lang;
use crate::timeline;

fn secs(ms: i64) -> String {
    let s = ms as f64 / 1000.0;
    if (s - s.round()).abs() < 0.05 {
        format!("{}", s.round() as i64)
    } else {
        format!("{s:.1}")
    }
}

fn pct(v: f64) -> String {
    format!("{}%", (v * 100.0).round() as i64)
}

fn order_line(order: &[String]) -> String {
    order
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{}. {n}", i + 1))
        .collect::<Vec<_>>()
        .join(", ")
}

fn generated_en(info: &GeneratedInfo) -> String {
    let fitted = info
        .fitted
        .as_deref()
        .map(|f| format!(", {f}"))
        .unwrap_or_default();
    format!(
        " (new {} {} in {}, {:.0} BPM{fitted})",
        info.mood, info.style, info.key, info.bpm
    )
}

fn generated_zh(info: &GeneratedInfo) -> String {
    let fitted = info
        .fitted
        .as_deref()
        .map(|f| format!("，{f}"))
        .unwrap_or_default();
    format!(
        "（新生成的 {} {}，{}，{:.0} BPM{fitted}）",
        info.mood, info.style, info.key, info.bpm
    )
}

/// The reply for a successful edit.
pub fn change(lang: Lang, change: &Change) -> String {
    match (lang, change) {
        (
            Lang::En,
            Change::MusicAdded {
                name,
                length_ms,
                volume,
                fade_in_ms,
                fade_out_ms,
                replaced,
                generated,
                clips,
            },
        ) => {
            let verb = replaced
                .as_ref()
                .map_or("Added background music".to_owned(), |old| {
                    format!("Replaced \"{old}\" with")
                });
            let info = generated.as_ref().map(generated_en).unwrap_or_default();
            let under = if *clips > 0 {
                format!(
                    " under your {clips} clip{}",
                    if *clips == 1 { "" } else { "s" }
                )
            } else {
                String::new()
            };
            format!(
                "{verb} \"{name}\"{info}{under}: {} s at {} volume, {} s fade-in and {} s fade-out.\n\
                 Next: ask me to change the volume or the fades, add a title, or click Export to render the video.",
                secs(*length_ms),
                pct(*volume),
                secs(*fade_in_ms),
                secs(*fade_out_ms)
            )
        }
        (
            Lang::Zh,
            Change::MusicAdded {
                name,
                length_ms,
                volume,
                fade_in_ms,
                fade_out_ms,
                replaced,
                generated,
                clips,
            },
        ) => {
            let verb = replaced
                .as_ref()
                .map_or("已添加背景音乐".to_owned(), |old| {
                    format!("已把“{old}”替换为")
                });
            let info = generated.as_ref().map(generated_zh).unwrap_or_default();
            let under = if *clips > 0 {
                format!("，铺在你的 {clips} 个片段下")
            } else {
                String::new()
            };
            format!(
                "{verb}“{name}”{info}{under}：时长 {} 秒，音量 {}，淡入 {} 秒、淡出 {} 秒。\n\
                 接下来可以让我调整音量或淡入淡出、添加标题，或者点击导出生成视频。",
                secs(*length_ms),
                pct(*volume),
                secs(*fade_in_ms),
                secs(*fade_out_ms)
            )
        }
        (Lang::En, Change::MusicRemoved { name }) => format!(
            "Removed the background music \"{name}\". The clips keep their own sound.\n\
             Next: ask me to add new music, or click Export."
        ),
        (Lang::Zh, Change::MusicRemoved { name }) => {
            format!(
                "已删除背景音乐“{name}”，片段保留原声。\n接下来可以让我重新配乐，或者点击导出。"
            )
        }
        (
            Lang::En,
            Change::MusicVolume {
                name,
                before,
                after,
            },
        ) => format!(
            "Music volume for \"{name}\": {} -> {}.\nNext: say \"louder\" or \"quieter\" to adjust again, or click Export.",
            pct(*before),
            pct(*after)
        ),
        (
            Lang::Zh,
            Change::MusicVolume {
                name,
                before,
                after,
            },
        ) => format!(
            "“{name}”的音量：{} -> {}。\n还可以说“大声一点”或“小声一点”继续调整，或者点击导出。",
            pct(*before),
            pct(*after)
        ),
        (
            Lang::En,
            Change::Fades {
                name,
                fade_in_ms,
                fade_out_ms,
            },
        ) => format!(
            "\"{name}\" now fades in over {} s and out over {} s.\nNext: click Export to hear it in the video.",
            secs(*fade_in_ms),
            secs(*fade_out_ms)
        ),
        (
            Lang::Zh,
            Change::Fades {
                name,
                fade_in_ms,
                fade_out_ms,
            },
        ) => format!(
            "“{name}”现在淡入 {} 秒、淡出 {} 秒。\n点击导出即可在视频里听到效果。",
            secs(*fade_in_ms),
            secs(*fade_out_ms)
        ),
        (
            Lang::En,
            Change::Trimmed {
                index,
                name,
                before_ms,
                after_ms,
            },
        ) => format!(
            "Trimmed clip {} \"{name}\": {} s -> {} s. The music follows the new length.\n\
             Next: trim another clip, reorder clips, or click Export.",
            index + 1,
            secs(*before_ms),
            secs(*after_ms)
        ),
        (
            Lang::Zh,
            Change::Trimmed {
                index,
                name,
                before_ms,
                after_ms,
            },
        ) => format!(
            "已剪辑第 {} 个片段“{name}”：{} 秒 -> {} 秒，背景音乐随之调整。\n接下来可以继续剪辑、调整顺序，或者点击导出。",
            index + 1,
            secs(*before_ms),
            secs(*after_ms)
        ),
        (
            Lang::En,
            Change::Moved {
                name,
                from,
                to,
                order,
            },
        ) => format!(
            "Moved \"{name}\" from position {} to {}. New order: {}.\nNext: click Export, or ask me to move another clip.",
            from + 1,
            to + 1,
            order_line(order)
        ),
        (
            Lang::Zh,
            Change::Moved {
                name,
                from,
                to,
                order,
            },
        ) => format!(
            "已把“{name}”从第 {} 位移到第 {} 位。新顺序：{}。\n接下来可以点击导出，或继续调整顺序。",
            from + 1,
            to + 1,
            order_line(order)
        ),
        (Lang::En, Change::Swapped { a, b, order }) => format!(
            "Swapped clips {} and {}. New order: {}.\nNext: click Export, or keep rearranging.",
            a + 1,
            b + 1,
            order_line(order)
        ),
        (Lang::Zh, Change::Swapped { a, b, order }) => {
            format!(
                "已交换第 {} 和第 {} 个片段。新顺序：{}。\n接下来可以点击导出，或继续调整。",
                a + 1,
                b + 1,
                order_line(order)
            )
        }
        (
            Lang::En,
            Change::TitleAdded {
                text,
                start_ms,
                duration_ms,
            },
        ) => format!(
            "Added the title \"{text}\" ({}-{} s, centred).\nNext: add music, or click Export to see it burnt into the video.",
            secs(*start_ms),
            secs(start_ms + duration_ms)
        ),
        (
            Lang::Zh,
            Change::TitleAdded {
                text,
                start_ms,
                duration_ms,
            },
        ) => format!(
            "已添加标题“{text}”（{}-{} 秒，居中）。\n接下来可以配乐，或者点击导出查看效果。",
            secs(*start_ms),
            secs(start_ms + duration_ms)
        ),
        (Lang::En, Change::TitleRemoved { count }) => format!(
            "Removed {count} title{}.",
            if *count == 1 { "" } else { "s" }
        ),
        (Lang::Zh, Change::TitleRemoved { count }) => format!("已删除 {count} 个标题。"),
    }
}

/// The reply when an edit could not be made.
pub fn problem(lang: Lang, problem: &Problem) -> String {
    match (lang, problem) {
        (Lang::En, Problem::NoMusic) => "There is no background music yet. Say \"add background music\" and I'll make some.".to_owned(),
        (Lang::Zh, Problem::NoMusic) => "项目里还没有背景音乐。说“添加背景音乐”，我来生成一段。".to_owned(),
        (Lang::En, Problem::NoClips) => "There are no clips yet. Upload a video or an image first.".to_owned(),
        (Lang::Zh, Problem::NoClips) => "还没有片段，请先上传视频或图片。".to_owned(),
        (Lang::En, Problem::ClipOutOfRange { asked, count }) => {
            format!("There is no clip {asked}: the project has {count} clip{}.", if *count == 1 { "" } else { "s" })
        }
        (Lang::Zh, Problem::ClipOutOfRange { asked, count }) => format!("没有第 {asked} 个片段，项目里共有 {count} 个片段。"),
        (Lang::En, Problem::WhichClip { count }) => {
            format!("Which clip? The project has {count} clips; say for example \"trim clip 2 to 3 seconds\".")
        }
        (Lang::Zh, Problem::WhichClip { count }) => format!("要剪哪个片段？项目里有 {count} 个片段，比如可以说“把第二个片段剪到3秒”。"),
        (Lang::En, Problem::TooShort { name, length_ms }) => {
            format!("\"{name}\" is only {} s long, so that would leave nothing of it.", secs(*length_ms))
        }
        (Lang::Zh, Problem::TooShort { name, length_ms }) => format!("“{name}”只有 {} 秒，这样剪就什么都不剩了。", secs(*length_ms)),
        (Lang::En, Problem::TooLong { name, available_ms }) => {
            format!("\"{name}\" only has {} s of footage from its current start.", secs(*available_ms))
        }
        (Lang::Zh, Problem::TooLong { name, available_ms }) => format!("“{name}”从当前起点起只有 {} 秒素材。", secs(*available_ms)),
        (Lang::En, Problem::TitleTextMissing) => "What should the title say? For example: add a title \"Summer in Rome\".".to_owned(),
        (Lang::Zh, Problem::TitleTextMissing) => "标题要写什么？比如：添加标题“夏日旅行”。".to_owned(),
        (Lang::En, Problem::NoTitle) => "There is no title to remove.".to_owned(),
        (Lang::Zh, Problem::NoTitle) => "项目里没有标题。".to_owned(),
        (Lang::En, Problem::NoUploadedAudio) => {
            "I can't find an uploaded audio file. Upload an mp3/wav/m4a/aac, or ask me to generate music instead.".to_owned()
        }
        (Lang::Zh, Problem::NoUploadedAudio) => "没有找到你上传的音频。请上传 mp3/wav/m4a/aac 文件，或者让我生成一段音乐。".to_owned(),
        (Lang::En, Problem::SamePlace) => "That clip is already there; nothing to change.".to_owned(),
        (Lang::Zh, Problem::SamePlace) => "这个片段已经在那个位置了，无需调整。".to_owned(),
        (lang, Problem::NotAnEdit) => help(lang),
    }
}

/// What the agent can do.
pub fn help(lang: Lang) -> String {
    match lang {
        Lang::En => "I can edit this project for you. Try:\n\
             - \"add background music that matches my video\" (or calm / upbeat / epic ..., or \"use my song\")\n\
             - \"replace the music\", \"remove the music\", \"set the music volume to 30%\", \"fade out over 3 seconds\"\n\
             - \"trim clip 2 to 3 seconds\", \"cut the first 2 seconds of clip 1\", \"move clip 3 to the start\"\n\
             - \"add a title \\\"Summer in Rome\\\"\", \"undo\", \"what's in my project?\"\n\
             When it looks right, click Export to render the video."
            .to_owned(),
        Lang::Zh => "我可以帮你编辑这个项目，比如：\n\
             - “生成与我的视频情绪匹配的背景音乐”（也可以说平静/欢快/史诗…，或“用我上传的音乐”）\n\
             - “换一首音乐”“去掉背景音乐”“音乐音量调到30%”“淡出3秒”\n\
             - “把第二个片段剪到3秒”“剪掉第一个片段的前2秒”“把第三个片段移到开头”\n\
             - “添加标题：夏日旅行”“撤销”“项目里有什么？”\n\
             满意后点击导出即可生成视频。"
            .to_owned(),
    }
}

/// The reply to a request the agent did not understand.
pub fn unknown(lang: Lang) -> String {
    match lang {
        Lang::En => format!("Sorry, I can't do that yet.\n{}", help(lang)),
        Lang::Zh => format!("抱歉，这个我暂时还做不到。\n{}", help(lang)),
    }
}

/// The reply after undo.
pub fn undone(lang: Lang, reason: Option<&str>) -> String {
    match (lang, reason) {
        (Lang::En, Some(reason)) => format!(
            "Undid the last change ({reason}).\nSay \"what's in my project?\" to see where things stand."
        ),
        (Lang::Zh, Some(reason)) => {
            format!("已撤销上一步（{reason}）。\n可以问“项目里有什么？”查看当前状态。")
        }
        (Lang::En, None) => "There is nothing to undo yet.".to_owned(),
        (Lang::Zh, None) => "还没有可以撤销的操作。".to_owned(),
    }
}

/// The timeline summary in the skill's format:
/// `Timeline (3 tracks): 1. Video: a.mp4 (0-5s), ... 2. BGM: calm piano (0-10s, 35%) 3. Title: "X" (0-3s)`.
pub fn describe(lang: Lang, draft: &RawDraft) -> String {
    let tracks: Vec<String> = draft
        .t
        .iter()
        .filter(|t| !t.sg.is_empty())
        .enumerate()
        .map(|(i, track)| {
            let items: Vec<String> = track
                .sg
                .iter()
                .map(|s| {
                    let (st, d) = (s.st.unwrap_or(0), s.d.unwrap_or(0));
                    let range = format!("{}-{}s", secs(st), secs(st + d));
                    match track.track_type() {
                        TrackType::Audio => format!(
                            "{} ({range}, {})",
                            s.nm.as_deref().unwrap_or("audio"),
                            pct(s.vol.unwrap_or(1.0))
                        ),
                        TrackType::Text => {
                            format!("\"{}\" ({range})", s.tx.as_deref().unwrap_or_default())
                        }
                        _ => format!("{} ({range})", s.nm.as_deref().unwrap_or("clip")),
                    }
                })
                .collect();
            let label = match (lang, track.track_type()) {
                (Lang::En, TrackType::Video) => "Video",
                (Lang::En, TrackType::Audio) => "BGM",
                (Lang::En, TrackType::Text) => "Title",
                (Lang::En, TrackType::Other(_)) => "Track",
                (Lang::Zh, TrackType::Video) => "视频",
                (Lang::Zh, TrackType::Audio) => "背景音乐",
                (Lang::Zh, TrackType::Text) => "标题",
                (Lang::Zh, TrackType::Other(_)) => "轨道",
            };
            format!("{}. {label}: {}", i + 1, items.join(", "))
        })
        .collect();
    let total = secs(draft.d.unwrap_or_else(|| timeline::video_length_ms(draft)));
    match (lang, tracks.is_empty()) {
        (Lang::En, true) => {
            "The project is empty. Upload a clip or an image, or ask me for music.".to_owned()
        }
        (Lang::Zh, true) => "项目还是空的。请上传视频或图片，或者让我生成音乐。".to_owned(),
        (Lang::En, false) => format!(
            "Timeline ({} track{}, {total} s): {}\nNext: ask for a change, or click Export to render it.",
            tracks.len(),
            if tracks.len() == 1 { "" } else { "s" },
            tracks.join(" ")
        ),
        (Lang::Zh, false) => {
            format!(
                "时间线（{} 条轨道，共 {total} 秒）：{}\n可以继续让我修改，或者点击导出生成视频。",
                tracks.len(),
                tracks.join(" ")
            )
        }
    }
}
