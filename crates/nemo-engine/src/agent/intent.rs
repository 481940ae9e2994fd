//! What the user asked for: a pure, table-testable parser from a chat message (English or
//! Chinese) to an [`Intent`].
//!
//! The parser normalises the text first (lowercase, full-width digits, Chinese numerals to
//! digits), lifts quoted text out (so a title that says "undo" is not an undo), then tries
//! the intents from the most specific to the most general. Every rule is a keyword list or a
//! small regex; `tests.rs` holds the phrase table.

use std::sync::LazyLock;

use regex::Regex;

/// Reply language, from the message itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    /// Chinese when the message contains Han characters.
    pub fn detect(text: &str) -> Self {
        if text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
            Self::Zh
        } else {
            Self::En
        }
    }
}

/// Where background music comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum MusicSource {
    /// Newly generated for this video.
    Generate,
    /// An audio file the user uploaded; the hint is a filename fragment when one was named.
    Uploaded { hint: Option<String> },
}

/// An add/replace music request.
#[derive(Debug, Clone, PartialEq)]
pub struct MusicRequest {
    /// Replace existing music (otherwise add; adding when music exists also replaces it,
    /// the draft has one music bed).
    pub replace: bool,
    pub source: MusicSource,
    /// A mood word as written ("calm", "欢快"), resolved by the music generator.
    pub mood: Option<String>,
    /// Fit the music to the video (length, mood, cuts, speech) using clip analysis.
    pub match_video: bool,
    /// Requested length in ms, when given.
    pub length_ms: Option<i64>,
    /// Requested volume (1.0 = unity), when given.
    pub volume: Option<f64>,
}

/// A volume change for the music bed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum VolumeChange {
    /// Absolute gain (0.3 = 30 %).
    Set(f64),
    Louder,
    Quieter,
}

/// Which clip (0-based index, or the last one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClipRef {
    Index(usize),
    Last,
}

/// How to trim a clip (all times in ms, relative to the clip as it plays now).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trim {
    /// Keep only the first N ms ("trim clip 1 to 3 seconds").
    KeepFirst(i64),
    /// Drop the first N ms.
    CutStart(i64),
    /// Drop the last N ms.
    CutEnd(i64),
    /// Keep `start..end`.
    Range { start: i64, end: i64 },
}

/// Where to move a clip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClipPlace {
    Start,
    End,
    /// To this position (0-based).
    Index(usize),
    Before(ClipRef),
    After(ClipRef),
}

/// Where a new title goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TitleAt {
    /// After the last title (or at the start when there is none).
    #[default]
    Next,
    Start,
    End,
}

/// A tempo change for regenerated music.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tempo {
    Faster,
    Slower,
}

/// A change to the current music's brief; the music is composed again with it
/// ("make the music calmer", "faster tempo", "use piano instead", "换一首更欢快的音乐").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MusicTweak {
    /// Canonical mood name (as in the mood table), when one was named.
    pub mood: Option<String>,
    pub tempo: Option<Tempo>,
    /// Canonical `nemo-music` style name ("piano", "electronic"), when one was named.
    pub style: Option<String>,
}

/// How the clips of a montage are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClipOrder {
    /// As uploaded.
    AsUploaded,
    /// Calm to energetic to a calmer close (by each clip's analysed arousal).
    EnergyArc,
}

/// How a picture that is not 16:9 fills the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    Letterbox,
    BlurPad,
}

/// Transitions between clips.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Cut,
    Crossfade,
    DipToBlack,
}

/// Montage settings named in a message (each `None` when not mentioned).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VideoOptions {
    pub order: Option<ClipOrder>,
    pub transition: Option<Transition>,
    pub framing: Option<Framing>,
}

/// "make a 60-second montage of these clips", "a 30-second upbeat video for my bakery
/// opening", "生成一个60秒的旅行混剪视频": a montage of the uploaded clips, or, when there
/// are none, a video with generated visuals.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VideoRequest {
    pub length_ms: Option<i64>,
    /// Canonical mood for the music, when named.
    pub mood: Option<String>,
    /// Quoted title, when given.
    pub title: Option<String>,
    /// What the video is about, from the prompt ("bakery opening", "旅行"), for a title.
    pub subject: Option<String>,
    pub options: VideoOptions,
}

/// One parsed request.
#[derive(Debug, Clone, PartialEq)]
pub enum Intent {
    AddMusic(MusicRequest),
    RemoveMusic,
    MusicVolume(VolumeChange),
    /// Fade lengths in ms; `Some(0)` removes a fade.
    Fade {
        fade_in_ms: Option<i64>,
        fade_out_ms: Option<i64>,
    },
    TrimClip {
        clip: Option<ClipRef>,
        trim: Trim,
    },
    MoveClip {
        clip: ClipRef,
        to: ClipPlace,
    },
    SwapClips(ClipRef, ClipRef),
    /// `text` is empty when the user did not say what the title should read.
    AddTitle {
        text: String,
        duration_ms: Option<i64>,
        at: TitleAt,
    },
    RemoveTitle,
    /// Compose the music again with a changed brief.
    RestyleMusic(MusicTweak),
    /// Lower the music while people talk (`true`) or stop doing so.
    DuckMusic(bool),
    /// Mute (`true`) or restore the clips' own sound.
    OriginalAudio {
        mute: bool,
    },
    /// Make the whole video `ms` long, trimming or extending every clip in proportion;
    /// `only_shorter` when the words asked to shorten ("shorten to 30 s", "缩短到").
    SetLength {
        ms: i64,
        only_shorter: bool,
    },
    /// Back to the uploads as they came in: no trims, music or titles (undoable).
    StartOver,
    /// Build a montage (or, with no clips, a generated video).
    MakeVideo(VideoRequest),
    /// Montage settings for the current video (order, transitions, framing).
    VideoOptions(VideoOptions),
    Undo,
    Describe,
    Help,
    /// A request too vague to act on ("make it better"): answered with choices.
    Vague,
    Unknown,
}

/// Default fade lengths when none is given.
pub const DEFAULT_FADE_IN_MS: i64 = 1000;
pub const DEFAULT_FADE_OUT_MS: i64 = 2000;

macro_rules! re {
    ($name:ident, $pattern:expr) => {
        static $name: LazyLock<Regex> = LazyLock::new(|| {
            #[allow(clippy::expect_used)]
            Regex::new($pattern).expect("intent regexes are constant and tested")
        });
    };
}

const SECONDS_UNIT: &str = r"(?:s|sec|secs|second|seconds|秒钟|秒)";
const NUM: &str = r"(\d+(?:\.\d+)?)";
const CLIP_NOUN: &str = r"(?:clips?|videos?|segments?|shots?|scenes?|片段|视频|镜头|素材|段)";

re!(
    QUOTED,
    r#""([^"]+)"|“([^”]+)”|「([^」]+)」|『([^』]+)』|‘([^’]+)’|(?:^|\s)'([^']{2,})'(?:$|[\s.,!?])"#
);
re!(
    TITLE_AFTER,
    r"(?:saying|that says|which says|reading|that reads|called|named|title:|caption:|text:|标题[：:为是]|字幕[：:为是]|文字[：:为是])\s*(.+)$"
);
re!(PERCENT, &format!(r"{NUM}\s*(?:%|percent|％)"));
re!(PLAIN_NUMBER, NUM);
re!(
    LENGTH,
    &format!(r"{NUM}\s*-?\s*(?:(minutes?|mins?|分钟)|{SECONDS_UNIT})")
);
re!(
    FADE_IN_NUM_AFTER,
    &format!(r"(?:fade[- ]?in|淡入)\D{{0,24}}?{NUM}\s*-?\s*{SECONDS_UNIT}")
);
re!(
    FADE_IN_NUM_BEFORE,
    &format!(r"{NUM}\s*-?\s*{SECONDS_UNIT}\s*(?:long\s+)?(?:的)?\s*(?:fade[- ]?in|淡入)")
);
re!(
    FADE_OUT_NUM_AFTER,
    &format!(r"(?:fade[- ]?out|淡出)\D{{0,24}}?{NUM}\s*-?\s*{SECONDS_UNIT}")
);
re!(
    FADE_OUT_NUM_BEFORE,
    &format!(r"{NUM}\s*-?\s*{SECONDS_UNIT}\s*(?:long\s+)?(?:的)?\s*(?:fade[- ]?out|淡出)")
);
re!(
    CLIP_NUMBER,
    &format!(r"{CLIP_NOUN}\s*(?:#|no\.?|number)?\s*(\d+)")
);
re!(
    ORDINAL_DIGITS,
    &format!(r"(?:第\s*(\d+)\s*(?:个|段|条)?\s*{CLIP_NOUN}?|(\d+)(?:st|nd|rd|th)\s+{CLIP_NOUN}?)")
);
re!(
    ORDINAL_WORDS,
    r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|final)\b"
);
re!(
    RANGE,
    &format!(
        r"(?:from\s+{NUM}\s*{SECONDS_UNIT}?|{NUM}\s*{SECONDS_UNIT})\s*(?:-|to|–|until|到|至)\s*{NUM}\s*{SECONDS_UNIT}"
    )
);

/// Lowercases and rewrites numbers so one set of rules serves both languages:
/// full-width digits and percent signs, `百分之N` -> `N%`, Chinese numerals -> digits.
pub fn normalize(text: &str) -> String {
    let lowered: String = text
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '％' => '%',
            '：' => ':',
            '，' => ',',
            '。' => '.',
            other => other,
        })
        .collect::<String>()
        .to_lowercase();
    let mut out = String::with_capacity(lowered.len());
    let chars: Vec<char> = lowered.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i..].starts_with(&['百', '分', '之']) {
            let (value, used) = chinese_number(&chars[i + 3..]);
            if used > 0 {
                out.push_str(&value.to_string());
                out.push('%');
                i += 3 + used;
                continue;
            }
        }
        // "一点" (a bit), "一些" (some), "一下" (once) are not numbers.
        let idiom = chars[i] == '一' && matches!(chars.get(i + 1), Some('点' | '些' | '下'));
        let (value, used) = if idiom {
            (0, 0)
        } else {
            chinese_number(&chars[i..])
        };
        if used > 0 {
            out.push_str(&value.to_string());
            i += used;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

fn digit_of(c: char) -> Option<u32> {
    Some(match c {
        '零' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// Reads a Chinese numeral up to 999 ("三", "十五", "二十", "一百二十") at the start of
/// `chars`; returns the value and the characters used (0 when there is none).
fn chinese_number(chars: &[char]) -> (u32, usize) {
    let mut total = 0;
    let mut current = 0;
    let mut used = 0;
    for &c in chars {
        if let Some(d) = digit_of(c) {
            current = d;
        } else if c == '十' {
            total += if current == 0 { 10 } else { current * 10 };
            current = 0;
        } else if c == '百' && used > 0 {
            total += current.max(1) * 100;
            current = 0;
        } else {
            break;
        }
        used += 1;
    }
    (total + current, used)
}

fn has_any(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| contains_word(text, w))
}

/// ASCII phrases match on word boundaries ("no" is not in "piano"); CJK ones as substrings.
fn contains_word(text: &str, word: &str) -> bool {
    if !word.is_ascii() {
        return text.contains(word);
    }
    let bytes = text.as_bytes();
    text.match_indices(word).any(|(i, _)| {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let after = bytes.get(i + word.len()).copied();
        let boundary = |b: Option<u8>| b.is_none_or(|b| !b.is_ascii_alphanumeric());
        boundary(before) && boundary(after)
    })
}

fn parse_f64(s: &str) -> Option<f64> {
    s.parse().ok()
}

/// Splits quoted text out: returns the text with quotes blanked and the first quoted part.
fn lift_quotes(original: &str) -> (String, Option<String>) {
    let mut quoted = None;
    let unquoted = QUOTED
        .replace_all(original, |caps: &regex::Captures<'_>| {
            if quoted.is_none() {
                quoted = caps
                    .iter()
                    .skip(1)
                    .flatten()
                    .next()
                    .map(|m| m.as_str().trim().to_owned());
            }
            " \u{1} "
        })
        .into_owned();
    (unquoted, quoted)
}

const MUSIC_WORDS: &[&str] = &[
    "music",
    "song",
    "soundtrack",
    "bgm",
    "background track",
    "tune",
    "melody",
    "score",
    "音乐",
    "配乐",
    "背景乐",
    "歌",
    "曲子",
    "旋律",
    "bgm音乐",
];
const TITLE_WORDS: &[&str] = &[
    "title",
    "end card",
    "title card",
    "intro card",
    "titles",
    "caption",
    "captions",
    "heading",
    "text overlay",
    "subtitle",
    "subtitles",
    "标题",
    "字幕",
    "文字",
    "片名",
];
const UNDO_WORDS: &[&str] = &[
    "undo",
    "udno",
    "undoo",
    "revert",
    "take that back",
    "go back",
    "roll back",
    "撤销",
    "撤回",
    "还原",
    "回退",
    "上一步",
];
const DESCRIBE_WORDS: &[&str] = &[
    "what's in my project",
    "what is in my project",
    "whats in my project",
    "what's in the project",
    "what is in the project",
    "show me the timeline",
    "show the timeline",
    "show timeline",
    "show tracks",
    "show my project",
    "describe my project",
    "describe the project",
    "project summary",
    "list clips",
    "list my clips",
    "what do i have",
    "what have i got",
    "timeline",
    "项目里有什么",
    "项目有什么",
    "有哪些",
    "时间线",
    "查看项目",
    "当前项目",
    "项目内容",
    "轨道",
];
const HELP_WORDS: &[&str] = &[
    "help",
    "what can you do",
    "how does this work",
    "commands",
    "帮助",
    "你能做什么",
    "能做什么",
    "怎么用",
];
const REMOVE_WORDS: &[&str] = &[
    "remove",
    "delete",
    "drop",
    "get rid of",
    "take out",
    "without",
    "no music",
    "turn off",
    "kill",
    "去掉",
    "删除",
    "删掉",
    "移除",
    "不要",
    "取消",
    "关掉",
    "去除",
];
const REPLACE_WORDS: &[&str] = &[
    "replace",
    "change the music",
    "change music",
    "switch",
    "swap the music",
    "different",
    "another",
    "new song",
    "new music",
    "换",
    "替换",
    "换成",
    "换一首",
    "另一首",
];
const VOLUME_WORDS: &[&str] = &[
    "volume",
    "louder",
    "quieter",
    "softer",
    "turn up",
    "turn down",
    "turn it up",
    "turn it down",
    "lower the music",
    "raise the music",
    "mute",
    "音量",
    "大声",
    "小声",
    "调大",
    "调小",
    "轻一点",
    "响一点",
    "静音",
];
const VOLUME_CHANGE_WORDS: &[&str] = &[
    "louder",
    "quieter",
    "softer",
    "turn up",
    "turn down",
    "turn it up",
    "turn it down",
    "lower the",
    "raise the",
    "mute",
    "大声",
    "小声",
    "调大",
    "调小",
    "轻一点",
    "响一点",
    "静音",
    "大一点",
    "小一点",
];
const ADD_WORDS: &[&str] = &[
    "add", "generate", "create", "compose", "make", "put", "give me", "want", "need", "use",
    "添加", "加", "生成", "配", "来1段", "来1首", "做", "创作", "用",
];
const LOUDER_WORDS: &[&str] = &[
    "louder",
    "turn up",
    "turn it up",
    "raise",
    "increase",
    "more",
    "大声",
    "调大",
    "响一点",
    "大一点",
    "提高",
];
const QUIETER_WORDS: &[&str] = &[
    "quieter",
    "softer",
    "turn down",
    "turn it down",
    "lower",
    "decrease",
    "less",
    "reduce",
    "小声",
    "调小",
    "轻一点",
    "小一点",
    "降低",
];
const MATCH_WORDS: &[&str] = &[
    "match",
    "matches",
    "matching",
    "fit",
    "fits",
    "suit",
    "suits",
    "goes with",
    "for my video",
    "for this video",
    "based on my video",
    "匹配",
    "配合",
    "符合",
    "适合",
    "贴合",
    "契合",
];
const UPLOADED_WORDS: &[&str] = &[
    "my song",
    "my music",
    "my audio",
    "my track",
    "uploaded",
    "the song i",
    "the audio i",
    "the track i",
    "the file i",
    "我的音乐",
    "我的歌",
    "我上传",
    "上传的",
    "我的音频",
];
/// Mood words and the canonical mood name the music generator understands.
const MOODS: &[(&str, &str)] = &[
    ("calm", "calm"),
    ("calmer", "calm"),
    ("relaxing", "calm"),
    ("relaxed", "calm"),
    ("peaceful", "calm"),
    ("gentle", "calm"),
    ("soothing", "calm"),
    ("quiet", "calm"),
    ("upbeat", "upbeat"),
    ("lively", "upbeat"),
    ("energetic", "energetic"),
    ("powerful", "energetic"),
    ("happy", "happy"),
    ("happier", "happy"),
    ("cheerful", "happy"),
    ("joyful", "happy"),
    ("bright", "happy"),
    ("sad", "sad"),
    ("sadder", "sad"),
    ("melancholic", "sad"),
    ("melancholy", "sad"),
    ("emotional", "sad"),
    ("epic", "epic"),
    ("cinematic", "epic"),
    ("dramatic", "epic"),
    ("heroic", "epic"),
    ("romantic", "romantic"),
    ("mysterious", "mysterious"),
    ("dark", "dark"),
    ("darker", "dark"),
    ("tense", "tense"),
    ("suspenseful", "tense"),
    ("dreamy", "dreamy"),
    ("playful", "playful"),
    ("fun", "playful"),
    ("nostalgic", "nostalgic"),
    ("inspiring", "inspiring"),
    ("uplifting", "inspiring"),
    ("chill", "calm"),
    ("lofi", "nostalgic"),
    ("lo-fi", "nostalgic"),
    ("平静", "calm"),
    ("安静", "calm"),
    ("舒缓", "calm"),
    ("放松", "calm"),
    ("轻柔", "calm"),
    ("轻松", "calm"),
    ("欢快", "happy"),
    ("快乐", "happy"),
    ("开心", "happy"),
    ("愉快", "happy"),
    ("轻快", "upbeat"),
    ("动感", "energetic"),
    ("活力", "energetic"),
    ("激昂", "epic"),
    ("史诗", "epic"),
    ("大气", "epic"),
    ("悲伤", "sad"),
    ("伤感", "sad"),
    ("忧郁", "sad"),
    ("浪漫", "romantic"),
    ("温馨", "romantic"),
    ("神秘", "mysterious"),
    ("黑暗", "dark"),
    ("紧张", "tense"),
    ("悬疑", "tense"),
    ("梦幻", "dreamy"),
    ("俏皮", "playful"),
    ("怀旧", "nostalgic"),
    ("励志", "inspiring"),
];

/// The canonical mood named in the text, if any.
fn mood_of(text: &str) -> Option<&'static str> {
    MOODS
        .iter()
        .find(|(word, _)| contains_word(text, word))
        .map(|(_, mood)| *mood)
}
const TRIM_WORDS: &[&str] = &[
    "trim",
    "cut",
    "shorten",
    "shorter",
    "keep only",
    "keep the first",
    "only keep",
    "crop",
    "剪",
    "裁",
    "截取",
    "保留",
    "缩短",
];
const MOVE_WORDS: &[&str] = &[
    "move", "put", "reorder", "place", "移到", "放到", "挪到", "移动", "调到", "放在", "排到",
];
const SWAP_WORDS: &[&str] = &["swap", "switch", "exchange", "交换", "调换", "互换", "对调"];

const START_OVER_WORDS: &[&str] = &[
    "start over",
    "start again",
    "start from scratch",
    "from scratch",
    "begin again",
    "reset the project",
    "reset everything",
    "reset",
    "重新开始",
    "从头开始",
    "从头再来",
    "重来",
    "重置",
];
const STATUS_WORDS: &[&str] = &[
    "status",
    "state of my project",
    "where are we",
    "状态",
    "进度",
    "现在是什么样",
];
const MONTAGE_WORDS: &[&str] = &[
    "montage",
    "montages",
    "highlight reel",
    "highlights video",
    "highlight video",
    "supercut",
    "recap video",
    "mashup",
    "混剪",
    "集锦",
    "快剪",
    "卡点视频",
];
const VIDEO_NOUNS: &[&str] = &[
    "video", "movie", "film", "clip", "reel", "vlog", "视频", "短片", "影片", "片子",
];
/// Words that introduce a new video rather than name the current one.
const NEW_VIDEO_WORDS: &[&str] = &[
    "a", "an", "generate", "create", "produce", "一个", "一段", "1个", "1段", "生成", "制作", "做",
];
const ORIGINAL_AUDIO_WORDS: &[&str] = &[
    "original audio",
    "original sound",
    "original soundtrack",
    "clip audio",
    "clips audio",
    "clips' audio",
    "clip sound",
    "camera audio",
    "camera sound",
    "video sound",
    "video's sound",
    "the clips",
    "原声",
    "原音",
    "视频声音",
    "视频的声音",
    "现场声",
    "原视频声音",
];
const UNMUTE_WORDS: &[&str] = &[
    "unmute",
    "restore",
    "bring back",
    "turn on",
    "keep the original",
    "恢复",
    "打开",
    "保留原声",
];
const MUTE_WORDS: &[&str] = &[
    "mute", "silence", "remove", "turn off", "drop", "no", "without", "静音", "去掉", "关掉",
    "关闭", "删掉", "不要",
];
const DUCK_WORDS: &[&str] = &[
    "duck",
    "ducking",
    "under the talking",
    "under talking",
    "under the speech",
    "under speech",
    "under the voice",
    "under the voices",
    "under the dialogue",
    "under the narration",
    "when people talk",
    "when someone talks",
    "when they talk",
    "when people speak",
    "when someone speaks",
    "while talking",
    "during speech",
    "during the talking",
    "说话",
    "讲话",
    "人声",
    "对白",
    "旁白",
];
const TEMPO_WORDS: &[&str] = &["tempo", "bpm", "pace", "beat", "节奏", "节拍", "速度"];
const FASTER_WORDS: &[&str] = &[
    "faster",
    "quicker",
    "speed up",
    "up the tempo",
    "more energy",
    "快一点",
    "快些",
    "更快",
    "加快",
    "快点",
];
const SLOWER_WORDS: &[&str] = &[
    "slower",
    "slow down",
    "slow it down",
    "less energy",
    "慢一点",
    "慢些",
    "更慢",
    "放慢",
    "慢点",
];
/// Signals that a style or mood word is a change to the current music.
const INSTEAD_WORDS: &[&str] = &[
    "instead",
    "rather",
    "switch to",
    "change to",
    "switch",
    "use",
    "with",
    "换成",
    "改成",
    "换",
    "改用",
    "用",
];
/// Comparative forms: the mood is relative to the current music.
const COMPARATIVE_WORDS: &[&str] = &[
    "calmer", "happier", "sadder", "darker", "brighter", "gentler", "more", "less", "bit more",
    "更", "再", "一点", "一些", "些",
];
const VAGUE_WORDS: &[&str] = &[
    "better",
    "nicer",
    "improve",
    "improve it",
    "fix it",
    "more professional",
    "look good",
    "awesome",
    "cooler",
    "优化",
    "好看",
    "更好",
    "美化",
    "高级",
    "改进",
];
const LENGTH_WORDS: &[&str] = &[
    "shorten",
    "shorter",
    "make it",
    "make the video",
    "the whole",
    "whole video",
    "total",
    "overall",
    "cut it down",
    "cut down",
    "down to",
    "the video to",
    "it to",
    "video length",
    "缩短",
    "总长",
    "总时长",
    "整个",
    "视频改成",
    "改成",
    "剪成",
    "变成",
    "压缩到",
    "控制在",
];

/// Parses one message.
pub fn parse(message: &str) -> Intent {
    let (unquoted, quoted) = lift_quotes(message.trim());
    let text = typos::repair(&normalize(&unquoted));

    if has_any(&text, TITLE_WORDS) && !has_any(&text, MUSIC_WORDS) && !has_any(&text, MONTAGE_WORDS)
    {
        if has_any(&text, REMOVE_WORDS) {
            return Intent::RemoveTitle;
        }
        return Intent::AddTitle {
            text: title_text(message, quoted),
            duration_ms: seconds_in(&text),
            at: title_at(&text),
        };
    }
    if has_any(&text, UNDO_WORDS) {
        return Intent::Undo;
    }
    if has_any(&text, START_OVER_WORDS) {
        return Intent::StartOver;
    }
    if has_any(&text, HELP_WORDS) {
        return Intent::Help;
    }
    if (has_any(&text, DESCRIBE_WORDS) || has_any(&text, STATUS_WORDS))
        && !has_any(&text, &["add", "添加", "加"])
    {
        return Intent::Describe;
    }
    if let Some(request) = make_video(&text, quoted.clone()) {
        return Intent::MakeVideo(request);
    }
    if has_any(&text, ORIGINAL_AUDIO_WORDS) && !has_any(&text, MUSIC_WORDS) {
        if has_any(&text, UNMUTE_WORDS) {
            return Intent::OriginalAudio { mute: false };
        }
        if has_any(&text, MUTE_WORDS) {
            return Intent::OriginalAudio { mute: true };
        }
    }
    let mentions_music = has_any(&text, MUSIC_WORDS);
    if has_any(&text, DUCK_WORDS) && (mentions_music || has_any(&text, &["duck", "ducking"])) {
        let off = has_any(
            &text,
            &["stop", "don't", "dont", "no", "不要", "取消", "别"],
        );
        return Intent::DuckMusic(!off);
    }
    let adding = has_any(&text, ADD_WORDS);
    if let Some((fade_in_ms, fade_out_ms)) = fades(&text)
        && !(adding && mentions_music)
    {
        return Intent::Fade {
            fade_in_ms,
            fade_out_ms,
        };
    }
    if mentions_music {
        if has_any(&text, REMOVE_WORDS) && !has_any(&text, &["replace", "换", "替换"]) {
            return Intent::RemoveMusic;
        }
        let changing_volume = has_any(&text, VOLUME_CHANGE_WORDS) || turn_up_down(&text).is_some();
        if (changing_volume || !adding && has_any(&text, VOLUME_WORDS))
            && let Some(change) = volume_change(&text)
        {
            return Intent::MusicVolume(change);
        }
        if let Some(tweak) = music_tweak(&text, true) {
            return Intent::RestyleMusic(tweak);
        }
        return Intent::AddMusic(music_request(&text, quoted));
    }
    if let Some(tweak) = music_tweak(&text, false) {
        return Intent::RestyleMusic(tweak);
    }
    if has_any(&text, &["volume", "音量"])
        && !mentions_clip(&text)
        && let Some(change) = volume_change(&text)
    {
        return Intent::MusicVolume(change);
    }
    if mood_of(&text).is_some() && has_any(&text, &["background", "背景"]) {
        return Intent::AddMusic(music_request(&text, quoted));
    }
    let options = video_options(&text);
    if options != VideoOptions::default() {
        return Intent::VideoOptions(options);
    }
    if has_any(&text, SWAP_WORDS) {
        if let [a, b, ..] = clip_refs(&text)[..] {
            return Intent::SwapClips(a, b);
        }
        if let Some((a, b)) = clip_pair(&text) {
            return Intent::SwapClips(a, b);
        }
    }
    if has_any(&text, MOVE_WORDS)
        && let Some(intent) = move_clip(&text)
    {
        return intent;
    }
    if let Some(ms) = total_length(&text) {
        let only_shorter = has_any(
            &text,
            &[
                "shorten",
                "shorter",
                "cut it down",
                "cut down",
                "down to",
                "缩短",
                "压缩",
                "剪短",
            ],
        );
        return Intent::SetLength { ms, only_shorter };
    }
    if has_any(&text, TRIM_WORDS)
        && let Some(trim) = trim(&text)
    {
        return Intent::TrimClip {
            clip: clip_refs(&text).first().copied(),
            trim,
        };
    }
    if has_any(&text, VAGUE_WORDS) {
        return Intent::Vague;
    }
    Intent::Unknown
}

fn title_at(text: &str) -> TitleAt {
    if has_any(
        text,
        &[
            "at the start",
            "at the beginning",
            "in the beginning",
            "opening",
            "intro",
            "开头",
            "片头",
            "开始",
        ],
    ) {
        TitleAt::Start
    } else if has_any(
        text,
        &[
            "at the end",
            "end card",
            "ending",
            "outro",
            "结尾",
            "片尾",
            "最后",
        ],
    ) {
        TitleAt::End
    } else {
        TitleAt::Next
    }
}

/// A new video: a montage word, or "a/generate ... video" with a length, mood or subject.
fn make_video(text: &str, quoted: Option<String>) -> Option<VideoRequest> {
    let montage = has_any(text, MONTAGE_WORDS);
    // "generate music that matches my video" is about music, not a new video.
    let new_video = has_any(text, VIDEO_NOUNS)
        && !has_any(text, MUSIC_WORDS)
        && has_any(text, NEW_VIDEO_WORDS)
        && !mentions_clip(text)
        && (seconds_in(text).is_some() || mood_of(text).is_some() || subject_of(text).is_some());
    if !(montage || new_video) {
        return None;
    }
    Some(VideoRequest {
        length_ms: seconds_in(text),
        mood: mood_of(text).map(str::to_owned),
        title: quoted,
        subject: subject_of(text),
        options: video_options(text),
    })
}

/// What a new video is about: the words after "for"/"about"/"of" (English), or the words
/// before "视频/混剪" after the length (Chinese: "60秒的旅行混剪视频" -> "旅行").
fn subject_of(text: &str) -> Option<String> {
    static EN: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"\b(?:for|about|of|celebrating|showing)\s+(?:(?:my|our|the|a|an)\s+)?([a-z][a-z' -]{2,60})").ok()
    });
    static ZH: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"(?:秒钟?|分钟)?的?([\p{Han}]{1,12}?)(?:的)?(?:混剪|集锦|快剪|视频|短片|影片)")
            .ok()
    });
    let cleanup = |s: &str| {
        let mut s = s.trim().to_owned();
        for tail in [
            " video", " clips", " clip", " footage", " montage", " please",
        ] {
            if let Some(stripped) = s.strip_suffix(tail) {
                s = stripped.trim().to_owned();
            }
        }
        s
    };
    if let Some(caps) = EN.as_ref().and_then(|re| re.captures(text))
        && let Some(m) = caps.get(1)
    {
        let subject = cleanup(m.as_str());
        let generic = [
            "clips",
            "videos",
            "footage",
            "those",
            "this",
            "these",
            "these clips",
            "my clips",
            "the clips",
            "them",
            "it",
            "all",
        ];
        if !subject.is_empty() && !generic.contains(&subject.as_str()) {
            return Some(subject);
        }
        return None;
    }
    let caps = ZH.as_ref()?.captures(text)?;
    let subject = caps
        .get(1)?
        .as_str()
        .trim_start_matches(['个', '段', '生', '成', '做', '一']);
    let generic = ["这些", "我的", "这个", "一个", "个"];
    (!subject.is_empty() && !generic.contains(&subject) && mood_of(subject).is_none())
        .then(|| subject.to_owned())
}

fn video_options(text: &str) -> VideoOptions {
    let order = if has_any(
        text,
        &[
            "energy arc",
            "by energy",
            "energy",
            "build up",
            "builds up",
            "calm to intense",
            "能量",
            "由静到动",
            "情绪递进",
        ],
    ) {
        Some(ClipOrder::EnergyArc)
    } else if has_any(
        text,
        &[
            "original order",
            "upload order",
            "order i uploaded",
            "my order",
            "上传顺序",
            "原来的顺序",
        ],
    ) {
        Some(ClipOrder::AsUploaded)
    } else {
        None
    };
    let transition = if has_any(
        text,
        &[
            "crossfade",
            "crossfades",
            "cross-fade",
            "cross fade",
            "dissolve",
            "dissolves",
            "交叉淡化",
            "叠化",
            "溶解",
        ],
    ) {
        Some(Transition::Crossfade)
    } else if has_any(
        text,
        &["dip to black", "fade to black", "dips", "黑场", "闪黑"],
    ) {
        Some(Transition::DipToBlack)
    } else if has_any(
        text,
        &[
            "hard cuts",
            "straight cuts",
            "no transitions",
            "直接切",
            "硬切",
            "不要转场",
        ],
    ) {
        Some(Transition::Cut)
    } else {
        None
    };
    let framing = if has_any(
        text,
        &[
            "blur",
            "blurred",
            "blurry background",
            "blur-pad",
            "blur pad",
            "模糊背景",
            "背景模糊",
            "模糊填充",
        ],
    ) {
        Some(Framing::BlurPad)
    } else if has_any(
        text,
        &[
            "letterbox",
            "letterboxed",
            "black bars",
            "pillarbox",
            "黑边",
            "加黑边",
        ],
    ) {
        Some(Framing::Letterbox)
    } else {
        None
    };
    VideoOptions {
        order,
        transition,
        framing,
    }
}

/// A change to the current music: a comparative mood ("calmer", "更欢快"), a tempo change,
/// or another style ("use piano instead"). `about_music`: the message names the music.
fn music_tweak(text: &str, about_music: bool) -> Option<MusicTweak> {
    if !about_music && mentions_clip(text) {
        return None; // "make clip 2 faster" is about the clip
    }
    let tempo = tempo_change(text);
    // "use piano instead", "换成钢琴": a style word counts only as a change ("add piano
    // music" is a new track, which the add path composes).
    let switching = has_any(text, INSTEAD_WORDS)
        && (!about_music || !has_any(text, &["use", "with", "用"]) || has_any(text, &["instead"]));
    let style = nemo_music::Style::find_in(text)
        .filter(|_| switching)
        .map(|s| s.name().to_owned());
    let comparative = has_any(text, COMPARATIVE_WORDS);
    // With a style named, a mood counts only as a comparative ("lofi" is the style here, not
    // the nostalgic mood).
    let mood = mood_of(text)
        .filter(|_| comparative || style.is_none() && about_music && has_any(text, INSTEAD_WORDS))
        .map(str::to_owned);
    // Mood words alone with the music named ("add calm music") are a new track, handled by
    // the caller; comparatives, tempo and styles are changes to the current one.
    let is_change = tempo.is_some()
        || style.is_some()
        || mood.is_some() && (comparative || has_any(text, &["instead", "换一首", "换成", "改成"]));
    is_change.then_some(MusicTweak { mood, tempo, style })
}

fn tempo_change(text: &str) -> Option<Tempo> {
    // "欢快一点" (happier) is a mood, not "快一点" (faster).
    let text = ["欢快", "轻快", "愉快", "快乐"]
        .iter()
        .fold(text.to_owned(), |t, w| t.replace(w, " "));
    let text = text.as_str();
    let tempo_named = has_any(text, TEMPO_WORDS);
    let up = ["up", "higher", "increase", "quick", "fast", "快", "提高"];
    let down = ["down", "lower", "decrease", "slow", "慢", "降低"];
    if has_any(text, FASTER_WORDS) || tempo_named && has_any(text, &up) {
        Some(Tempo::Faster)
    } else if has_any(text, SLOWER_WORDS) || tempo_named && has_any(text, &down) {
        Some(Tempo::Slower)
    } else {
        None
    }
}

/// "shorten to 30 seconds", "make it 45 s", "缩短到30秒": the whole video's length.
fn total_length(text: &str) -> Option<i64> {
    if !has_any(text, LENGTH_WORDS) || mentions_clip(text) {
        return None;
    }
    // "cut the first 2 seconds" trims a clip's edge, not the whole video.
    if has_any(text, &["first", "last", "beginning", "前", "后"]) {
        return None;
    }
    seconds_in(text)
}

/// "clip 2 and 7", "clips 1 & 3", "片段1和3": two clip numbers sharing one noun.
fn clip_pair(text: &str) -> Option<(ClipRef, ClipRef)> {
    static PAIR: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(&format!(
            r"{CLIP_NOUN}\s*#?(\d+)\s*(?:and|&|with|,|和|与|跟|、)\s*(?:{CLIP_NOUN}\s*)?#?(\d+)"
        ))
        .ok()
    });
    let caps = PAIR.as_ref()?.captures(text)?;
    let index = |i: usize| -> Option<ClipRef> {
        let n: usize = caps.get(i)?.as_str().parse().ok()?;
        Some(ClipRef::Index(n.checked_sub(1)?))
    };
    Some((index(1)?, index(2)?))
}

fn mentions_clip(text: &str) -> bool {
    !clip_refs(text).is_empty()
}

/// The title's words: quoted text, else what follows "saying"/"标题：", from the original
/// message so case and punctuation survive.
fn title_text(original: &str, quoted: Option<String>) -> String {
    if let Some(q) = quoted.filter(|q| !q.is_empty()) {
        return q;
    }
    let lower = original.to_lowercase();
    if let Some(caps) = TITLE_AFTER.captures(&lower)
        && let Some(m) = caps.get(1)
    {
        // Byte offsets line up because lowercasing kept every character's length here; fall
        // back to the lowercased text when it did not.
        let start = m.start();
        let text = original
            .get(start..)
            .filter(|_| lower.len() == original.len())
            .unwrap_or(m.as_str());
        return text
            .trim()
            .trim_end_matches(['.', '!', '。', '！'])
            .trim()
            .to_owned();
    }
    String::new()
}

fn seconds_in(text: &str) -> Option<i64> {
    let caps = LENGTH.captures(text)?;
    let value = parse_f64(caps.get(1)?.as_str())?;
    let minutes = caps.get(2).is_some();
    Some((value * if minutes { 60_000.0 } else { 1000.0 }).round() as i64)
}

fn fades(text: &str) -> Option<(Option<i64>, Option<i64>)> {
    let wants_in = has_any(text, &["fade in", "fade-in", "fadein", "淡入"]);
    let wants_out = has_any(text, &["fade out", "fade-out", "fadeout", "淡出"]);
    let both = has_any(text, &["fades", "fade", "渐变"]) && !wants_in && !wants_out;
    if !(wants_in || wants_out || both) {
        return None;
    }
    let removing = has_any(
        text,
        &["remove", "no fade", "without", "去掉", "取消", "不要"],
    );
    let length = |after: &Regex, before: &Regex| {
        after
            .captures(text)
            .or_else(|| before.captures(text))
            .and_then(|c| c.get(1))
            .and_then(|m| parse_f64(m.as_str()))
            .map(|s| (s * 1000.0).round() as i64)
    };
    let pick = |wanted: bool, len: Option<i64>, default: i64| {
        wanted.then(|| if removing { 0 } else { len.unwrap_or(default) })
    };
    Some((
        pick(
            wants_in || both,
            length(&FADE_IN_NUM_AFTER, &FADE_IN_NUM_BEFORE),
            DEFAULT_FADE_IN_MS,
        ),
        pick(
            wants_out || both,
            length(&FADE_OUT_NUM_AFTER, &FADE_OUT_NUM_BEFORE),
            DEFAULT_FADE_OUT_MS,
        ),
    ))
}

fn volume_change(text: &str) -> Option<VolumeChange> {
    if has_any(text, &["mute", "静音"]) {
        return Some(VolumeChange::Set(0.0));
    }
    if let Some(caps) = PERCENT.captures(text) {
        let pct = parse_f64(caps.get(1)?.as_str())?;
        return Some(VolumeChange::Set((pct / 100.0).clamp(0.0, 2.0)));
    }
    if has_any(
        text,
        &[
            "to",
            "at",
            "set",
            "volume",
            "音量",
            "调到",
            "设为",
            "设置为",
            "改为",
            "到",
        ],
    ) && let Some(m) = PLAIN_NUMBER.find(text)
    {
        let value = parse_f64(m.as_str())?;
        // "volume to 0.5" is a gain, "volume to 50" a percentage.
        let gain = if value <= 2.0 && m.as_str().contains('.') || value <= 1.0 {
            value
        } else {
            value / 100.0
        };
        return Some(VolumeChange::Set(gain.clamp(0.0, 2.0)));
    }
    if let Some(change) = turn_up_down(text) {
        return Some(change);
    }
    if has_any(text, QUIETER_WORDS) {
        return Some(VolumeChange::Quieter);
    }
    if has_any(text, LOUDER_WORDS) {
        return Some(VolumeChange::Louder);
    }
    None
}

/// "turn the music down" / "turn it up a bit".
fn turn_up_down(text: &str) -> Option<VolumeChange> {
    if !contains_word(text, "turn") {
        return None;
    }
    if contains_word(text, "down") {
        Some(VolumeChange::Quieter)
    } else if contains_word(text, "up") {
        Some(VolumeChange::Louder)
    } else {
        None
    }
}

fn music_request(text: &str, quoted: Option<String>) -> MusicRequest {
    let uploaded =
        has_any(text, UPLOADED_WORDS) || quoted.is_some() && has_any(text, &["use", "用"]);
    let volume = PERCENT
        .captures(text)
        .and_then(|c| c.get(1))
        .and_then(|m| parse_f64(m.as_str()))
        .map(|p| (p / 100.0).clamp(0.0, 2.0));
    MusicRequest {
        replace: has_any(text, REPLACE_WORDS),
        source: if uploaded {
            MusicSource::Uploaded { hint: quoted }
        } else {
            MusicSource::Generate
        },
        mood: mood_of(text).map(str::to_owned),
        match_video: has_any(text, MATCH_WORDS),
        length_ms: seconds_in(text),
        volume,
    }
}

fn ordinal_word(word: &str) -> Option<ClipRef> {
    Some(match word {
        "first" => ClipRef::Index(0),
        "second" => ClipRef::Index(1),
        "third" => ClipRef::Index(2),
        "fourth" => ClipRef::Index(3),
        "fifth" => ClipRef::Index(4),
        "sixth" => ClipRef::Index(5),
        "seventh" => ClipRef::Index(6),
        "eighth" => ClipRef::Index(7),
        "ninth" => ClipRef::Index(8),
        "tenth" => ClipRef::Index(9),
        "last" | "final" => ClipRef::Last,
        _ => return None,
    })
}

/// Clip references in order of appearance: "clip 2", "the second clip", "第2个片段",
/// "最后一个片段".
fn clip_refs(text: &str) -> Vec<ClipRef> {
    let mut found: Vec<(usize, ClipRef)> = Vec::new();
    for caps in CLIP_NUMBER.captures_iter(text) {
        // "the video 14 s long" is a length, not video number 14.
        let followed_by_unit = caps.get(1).is_some_and(|n| {
            LENGTH
                .find(&text[n.start()..])
                .is_some_and(|l| l.start() == 0)
        });
        if followed_by_unit {
            continue;
        }
        if let Some(n) = caps
            .get(1)
            .and_then(|m| m.as_str().parse::<usize>().ok())
            .filter(|n| *n > 0)
        {
            found.push((caps.get(0).map_or(0, |m| m.start()), ClipRef::Index(n - 1)));
        }
    }
    for caps in ORDINAL_DIGITS.captures_iter(text) {
        if let Some(n) = caps
            .get(1)
            .or_else(|| caps.get(2))
            .and_then(|m| m.as_str().parse::<usize>().ok())
            .filter(|n| *n > 0)
        {
            found.push((caps.get(0).map_or(0, |m| m.start()), ClipRef::Index(n - 1)));
        }
    }
    for caps in ORDINAL_WORDS.captures_iter(text) {
        if let Some(m) = caps.get(1) {
            // "the first 2 seconds" is a time, not a clip; so is the unit in "1 second".
            let rest = &text[m.end()..];
            let after_number = text[..m.start()]
                .trim_end()
                .trim_end_matches('-')
                .trim_end()
                .ends_with(|c: char| c.is_ascii_digit());
            let is_time = after_number || LENGTH.find(rest).is_some_and(|l| l.start() <= 2);
            if !is_time && let Some(r) = ordinal_word(m.as_str()) {
                found.push((m.start(), r));
            }
        }
    }
    for word in ["最后一个", "最后1个", "最后的", "末尾的"] {
        if let Some(i) = text.find(word) {
            found.push((i, ClipRef::Last));
        }
    }
    found.sort_by_key(|(i, _)| *i);
    found.dedup_by_key(|(i, _)| *i);
    found.into_iter().map(|(_, r)| r).collect()
}

fn move_clip(text: &str) -> Option<Intent> {
    let refs = clip_refs(text);
    let clip = *refs.first()?;
    let to = if has_any(
        text,
        &[
            "start",
            "beginning",
            "front",
            "开头",
            "最前",
            "开始",
            "第1位",
        ],
    ) {
        ClipPlace::Start
    } else if has_any(text, &["end", "back", "结尾", "最后面", "末尾", "最后"]) && refs.len() < 2
    {
        ClipPlace::End
    } else if let Some(other) = refs.get(1).copied() {
        if has_any(text, &["after", "behind", "后面", "之后", "后"]) {
            ClipPlace::After(other)
        } else if has_any(text, &["before", "前面", "之前", "前"]) {
            ClipPlace::Before(other)
        } else {
            match other {
                ClipRef::Index(i) => ClipPlace::Index(i),
                ClipRef::Last => ClipPlace::End,
            }
        }
    } else if let Some(pos) = Regex::new(r"(?:position|place|spot|第)\s*(\d+)")
        .ok()?
        .captures(text)
    {
        ClipPlace::Index(pos.get(1)?.as_str().parse::<usize>().ok()?.checked_sub(1)?)
    } else {
        return None;
    };
    Some(Intent::MoveClip { clip, to })
}

fn trim(text: &str) -> Option<Trim> {
    if let Some(caps) = RANGE.captures(text) {
        let a = parse_f64(caps.get(1).or_else(|| caps.get(2))?.as_str())?;
        let b = parse_f64(caps.get(3)?.as_str())?;
        if b > a {
            return Some(Trim::Range {
                start: (a * 1000.0) as i64,
                end: (b * 1000.0) as i64,
            });
        }
    }
    let ms = seconds_in(text)?;
    let start_words = ["first", "start", "beginning", "前", "开头"];
    let end_words = ["last", "end", "后", "结尾", "最后"];
    let cutting = has_any(
        text,
        &[
            "cut", "remove", "drop", "off", "剪掉", "去掉", "删掉", "删除", "裁掉", "切掉",
        ],
    ) && !has_any(text, &["keep", "保留", "只要"]);
    // Position of the time and of the start/end words: "the first 2 s" vs "clip 2 to 3 s".
    if cutting {
        // "the last clip" names a clip, not the end of one.
        let scrubbed = text
            .replace("last clip", "")
            .replace("first clip", "")
            .replace("最后1个", "");
        if has_any(&scrubbed, &end_words) {
            return Some(Trim::CutEnd(ms));
        }
        if has_any(&scrubbed, &start_words) {
            return Some(Trim::CutStart(ms));
        }
    }
    Some(Trim::KeepFirst(ms))
}

#[cfg(test)]
mod tests;
mod typos;
