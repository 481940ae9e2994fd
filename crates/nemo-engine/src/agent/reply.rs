//! The agent's words, in English or Chinese: what changed, what went wrong, what is in the
//! project, what it can do. Replies name concrete details (names, times, before -> after)
//! and end with next steps, sometimes phrased like a GUI ("click Export") as the cloud
//! agent does; the client's translator turns those into actions.

use nemo_protocol::{RawDraft, TrackType};

use super::edit::{Change, GeneratedInfo, Problem};
use super::intent::{Framing, Lang, MusicTweak, Tempo, Transition};
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
    let key = if info.key.is_empty() {
        String::new()
    } else {
        format!(" in {}", info.key)
    };
    format!(
        " (new {} {}{key}, {:.0} BPM{fitted})",
        info.mood, info.style, info.bpm
    )
}

fn generated_zh(info: &GeneratedInfo) -> String {
    let fitted = info
        .fitted
        .as_deref()
        .map(|f| format!("，{f}"))
        .unwrap_or_default();
    let key = if info.key.is_empty() {
        String::new()
    } else {
        format!("，{}", info.key)
    };
    format!(
        "（新生成的 {} {}{key}，{:.0} BPM{fitted}）",
        info.mood, info.style, info.bpm
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
        (Lang::En, Change::Ducking { name, on: true }) => format!(
            "\"{name}\" now dips under speech, so voices stay clear.\nSay \"stop ducking\" to keep it level."
        ),
        (Lang::En, Change::Ducking { name, on: false }) => {
            format!("\"{name}\" now stays at one level, even while people talk.")
        }
        (Lang::Zh, Change::Ducking { name, on: true }) => {
            format!("有人说话时“{name}”会自动压低，人声更清楚。\n说“取消闪避”可恢复。")
        }
        (Lang::Zh, Change::Ducking { name, on: false }) => {
            format!("“{name}”现在保持同一音量，说话时不再压低。")
        }
        (Lang::En, Change::OriginalAudio { muted: true, clips }) => format!(
            "Muted the original audio of {clips} clip{}; only the music plays.\nSay \"unmute the original audio\" to bring it back.",
            plural(*clips)
        ),
        (
            Lang::En,
            Change::OriginalAudio {
                muted: false,
                clips,
            },
        ) => format!(
            "Restored the original audio of {clips} clip{}.",
            plural(*clips)
        ),
        (Lang::Zh, Change::OriginalAudio { muted: true, clips }) => {
            format!("已静音 {clips} 个片段的原声，只保留背景音乐。\n说“恢复原声”即可找回。")
        }
        (
            Lang::Zh,
            Change::OriginalAudio {
                muted: false,
                clips,
            },
        ) => {
            format!("已恢复 {clips} 个片段的原声。")
        }
        (
            Lang::En,
            Change::LengthSet {
                before_ms,
                after_ms,
                clips,
            },
        ) => format!(
            "Video length {} s -> {} s ({clips} clip{} {} in proportion; the music follows).\nNext: click Export, or ask for another length.",
            secs(*before_ms),
            secs(*after_ms),
            plural(*clips),
            if after_ms < before_ms {
                "shortened"
            } else {
                "lengthened"
            }
        ),
        (
            Lang::Zh,
            Change::LengthSet {
                before_ms,
                after_ms,
                clips,
            },
        ) => format!(
            "视频时长 {} 秒 -> {} 秒（{clips} 个片段按比例{}，背景音乐随之调整）。\n接下来可以点击导出，或换一个时长。",
            secs(*before_ms),
            secs(*after_ms),
            if after_ms < before_ms {
                "缩短"
            } else {
                "延长"
            }
        ),
        (Lang::En, Change::StartedOver { clips }) => format!(
            "Started over: {clips} clip{} as uploaded, no trims, music or titles. Say \"undo\" to get the previous version back.",
            plural(*clips)
        ),
        (Lang::Zh, Change::StartedOver { clips }) => format!(
            "已重新开始：{clips} 个片段恢复为上传时的样子，去掉了剪辑、音乐和标题。说“撤销”可找回之前的版本。"
        ),
        (
            Lang::En,
            Change::MontageBuilt {
                clips,
                shots,
                length_ms,
                music,
                beat_hit_ratio,
            },
        ) => format!(
            "Made a {} s montage: {shots} shots from {clips} clip{}, cut on the beat of \"{music}\" composed for it ({}% of cuts on a beat).\n\
             Next: ask for crossfades, blur-pad for portrait clips, energy order, a title, or click Export.",
            secs(*length_ms),
            plural(*clips),
            (beat_hit_ratio * 100.0).round() as i64
        ),
        (
            Lang::Zh,
            Change::MontageBuilt {
                clips,
                shots,
                length_ms,
                music,
                beat_hit_ratio,
            },
        ) => format!(
            "已做成 {} 秒混剪：{clips} 个片段剪成 {shots} 个镜头，卡在为它创作的“{music}”的节拍上（{}% 的剪辑点在拍上）。\n\
             接下来可以加转场、竖屏模糊背景、按能量排序、加标题，或者点击导出。",
            secs(*length_ms),
            (beat_hit_ratio * 100.0).round() as i64
        ),
        (
            Lang::En,
            Change::VideoGenerated {
                length_ms,
                music,
                title,
            },
        ) => generated_video(Lang::En, *length_ms, music, title.as_deref()),
        (
            Lang::Zh,
            Change::VideoGenerated {
                length_ms,
                music,
                title,
            },
        ) => generated_video(Lang::Zh, *length_ms, music, title.as_deref()),
        (Lang::En, Change::OptionsSet { options, order }) => {
            let mut parts = Vec::new();
            if let Some(order_names) = order {
                parts.push(format!(
                    "clips ordered by energy: {}",
                    order_line(order_names)
                ));
            } else if options.order.is_some() {
                parts.push("clips kept in upload order".to_owned());
            }
            if let Some(t) = options.transition {
                parts.push(
                    match t {
                        Transition::Crossfade => "crossfades between clips",
                        Transition::DipToBlack => "dips to black between clips",
                        Transition::Cut => "hard cuts between clips",
                    }
                    .to_owned(),
                );
            }
            if let Some(f) = options.framing {
                parts.push(
                    match f {
                        Framing::BlurPad => "portrait clips over a blurred background",
                        Framing::Letterbox => "portrait clips letterboxed with black bars",
                    }
                    .to_owned(),
                );
            }
            format!("Montage settings: {}.", parts.join("; "))
        }
        (Lang::Zh, Change::OptionsSet { options, order }) => {
            let mut parts = Vec::new();
            if let Some(order_names) = order {
                parts.push(format!("按能量排序：{}", order_line(order_names)));
            } else if options.order.is_some() {
                parts.push("保持上传顺序".to_owned());
            }
            if let Some(t) = options.transition {
                parts.push(
                    match t {
                        Transition::Crossfade => "片段之间交叉淡化",
                        Transition::DipToBlack => "片段之间闪黑",
                        Transition::Cut => "片段之间直接切换",
                    }
                    .to_owned(),
                );
            }
            if let Some(f) = options.framing {
                parts.push(
                    match f {
                        Framing::BlurPad => "竖屏片段用模糊背景填充",
                        Framing::Letterbox => "竖屏片段加黑边",
                    }
                    .to_owned(),
                );
            }
            format!("混剪设置：{}。", parts.join("；"))
        }
    }
}

/// The headline of a music restyle: what was asked and the tempo before -> after.
pub fn restyled(lang: Lang, tweak: &MusicTweak, before_bpm: Option<f64>, after_bpm: f64) -> String {
    let words = tweak_words(lang, tweak);
    let tempo = before_bpm.map_or_else(
        || format!("{after_bpm:.0} BPM"),
        |b| format!("{b:.0} -> {after_bpm:.0} BPM"),
    );
    match lang {
        Lang::En => format!("Recomposed the music ({words}): {tempo}."),
        Lang::Zh => format!("已重新创作音乐（{words}）：{tempo}。"),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A clarifying line listing the clips, for "which clip?" problems.
pub fn clip_choices(lang: Lang, names: &[String]) -> String {
    match lang {
        Lang::En => format!("Your clips: {}. Which one did you mean?", order_line(names)),
        Lang::Zh => format!("你的片段：{}。你指的是哪一个？", order_line(names)),
    }
}

/// The reply to a request too vague to act on: concrete choices.
pub fn vague(lang: Lang) -> String {
    match lang {
        Lang::En => "What should I change? Pick one or say it your way:\n\
             1. \"make the music calmer\" or \"use piano instead\"\n\
             2. \"shorten to 30 seconds\"\n\
             3. \"add a title 'My trip' at the start\"\n\
             4. \"add crossfades\" or \"order the clips by energy\"\n\
             5. \"lower the music under the talking\""
            .to_owned(),
        Lang::Zh => "想改哪里？可以选一个，或者直接告诉我：\n\
             1. “音乐换成更平静的”或“换成钢琴”\n\
             2. “缩短到30秒”\n\
             3. “在开头加标题‘我的旅行’”\n\
             4. “加交叉淡化转场”或“按能量排序”\n\
             5. “说话时把音乐压低”"
            .to_owned(),
    }
}

/// What a music restyle asked for, as a short phrase ("calmer, faster, piano").
pub fn tweak_words(lang: Lang, tweak: &MusicTweak) -> String {
    let mut words = Vec::new();
    if let Some(mood) = &tweak.mood {
        words.push(match lang {
            Lang::En => mood.clone(),
            Lang::Zh => format!("更{mood}"),
        });
    }
    match (lang, tweak.tempo) {
        (Lang::En, Some(Tempo::Faster)) => words.push("faster".to_owned()),
        (Lang::En, Some(Tempo::Slower)) => words.push("slower".to_owned()),
        (Lang::Zh, Some(Tempo::Faster)) => words.push("节奏更快".to_owned()),
        (Lang::Zh, Some(Tempo::Slower)) => words.push("节奏更慢".to_owned()),
        (_, None) => {}
    }
    if let Some(style) = &tweak.style {
        words.push(style.clone());
    }
    words.join(", ")
}

/// The reply after a video with generated visuals was made (no clips uploaded).
pub fn generated_video(lang: Lang, length_ms: i64, music: &str, title: Option<&str>) -> String {
    let title_en = title
        .map(|t| format!(" titled \"{t}\""))
        .unwrap_or_default();
    let title_zh = title.map(|t| format!("，标题“{t}”")).unwrap_or_default();
    match lang {
        Lang::En => format!(
            "Made a {} s video{title_en} with \"{music}\" composed for it. The visuals are generated (colours and shapes that follow the music); upload clips to use your own footage.\nNext: click Export, or ask for calmer or faster music.",
            secs(length_ms)
        ),
        Lang::Zh => format!(
            "已生成一段 {} 秒的视频{title_zh}，配乐“{music}”为它创作。画面是生成的（随音乐变化的色彩和图形）；上传你的片段即可使用自己的素材。\n接下来可以点击导出，或让音乐更平静、更快。",
            secs(length_ms)
        ),
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
        (Lang::En, Problem::AlreadySo) => "It's already that way; nothing to change.".to_owned(),
        (Lang::Zh, Problem::AlreadySo) => "已经是这样了，无需修改。".to_owned(),
        (Lang::En, Problem::NoClipAudio) => "None of the clips has sound of its own, so there is nothing to mute or restore.".to_owned(),
        (Lang::Zh, Problem::NoClipAudio) => "这些片段本身都没有声音，无需静音或恢复。".to_owned(),
        (Lang::En, Problem::NotEnoughFootage { asked_ms, max_ms }) => format!(
            "The clips hold only {} s of footage, so I can't make {} s. Choose: 1. make it {} s, 2. upload more clips, 3. add a still image (stills can last any length).",
            secs(*max_ms), secs(*asked_ms), secs(*max_ms)
        ),
        (Lang::Zh, Problem::NotEnoughFootage { asked_ms, max_ms }) => format!(
            "素材一共只有 {} 秒，做不到 {} 秒。可以选：1. 做成 {} 秒；2. 再上传一些片段；3. 加一张图片（图片可以任意时长）。",
            secs(*max_ms), secs(*asked_ms), secs(*max_ms)
        ),
        (Lang::En, Problem::TooShortTotal { asked_ms, min_ms }) => format!(
            "{} s is too short for all the clips (at least {} s). Remove a clip first, or choose a longer length.",
            secs(*asked_ms), secs(*min_ms)
        ),
        (Lang::Zh, Problem::TooShortTotal { asked_ms, min_ms }) => format!(
            "{} 秒放不下所有片段（至少 {} 秒）。可以先删掉一个片段，或选一个更长的时长。",
            secs(*asked_ms), secs(*min_ms)
        ),
        (Lang::En, Problem::AlreadyShorter { length_ms, asked_ms }) => format!(
            "The video is {} s, already shorter than {} s. Choose: 1. keep it, 2. say \"make it {} seconds\" to lengthen the clips, 3. name a shorter length.",
            secs(*length_ms), secs(*asked_ms), secs(*asked_ms)
        ),
        (Lang::Zh, Problem::AlreadyShorter { length_ms, asked_ms }) => format!(
            "视频现在是 {} 秒，已经比 {} 秒短。可以选：1. 保持不变；2. 说“视频改成{}秒”把片段加长；3. 换一个更短的时长。",
            secs(*length_ms), secs(*asked_ms), secs(*asked_ms)
        ),
        (Lang::En, Problem::NoAnalysis) => "I couldn't analyse the clips' energy, so I left the order as it is. Try \"move clip 3 to the start\" to reorder by hand.".to_owned(),
        (Lang::Zh, Problem::NoAnalysis) => "无法分析片段的能量，顺序保持不变。可以说“把第三个片段移到开头”手动调整。".to_owned(),
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
