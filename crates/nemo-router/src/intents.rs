//! Classifying one clause: a local intent, a throwaway acknowledgement, or something for the
//! backend.
//!
//! English intents must come first in the clause, after filler ("please", "can you", "I'd
//! like to", "how do I"), so "export please" is an export while "the exported clip is too
//! dark" and "why did the export fail" are not. Chinese intents start their clause (the
//! splitter cuts before the keyword) and are rejected when the next character makes the
//! keyword descriptive: "导出的视频" (the exported video), "上传了" (uploaded).

use crate::clauses::Clause;

/// What one clause asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Export,
    Credits,
    Status,
    Upload,
    /// Politeness or agreement only ("ok", "thanks", "好的", "帮我").
    Ack,
    /// Anything else: an instruction or question for the backend.
    Other,
}

/// Where a rule's phrase must appear.
#[derive(Clone, Copy)]
enum At {
    /// First, after leading filler words.
    Head,
    /// Anywhere, as whole consecutive words.
    Anywhere,
}

/// What may follow a head phrase.
#[derive(Clone, Copy)]
enum Rest {
    /// Anything except a word that turns the keyword into a noun ("export failed").
    NotNoun,
    /// Only these words (so "credits at the end" is not a credits question).
    Only(&'static [&'static str]),
}

struct Rule {
    kind: Kind,
    at: At,
    rest: Rest,
    phrase: &'static [&'static str],
}

const fn head(kind: Kind, rest: Rest, phrase: &'static [&'static str]) -> Rule {
    Rule {
        kind,
        at: At::Head,
        rest,
        phrase,
    }
}

const fn anywhere(kind: Kind, phrase: &'static [&'static str]) -> Rule {
    Rule {
        kind,
        at: At::Anywhere,
        rest: Rest::NotNoun,
        phrase,
    }
}

/// Words skipped at the start of a clause before looking for an intent.
const LEAD_FILLER: &[&str] = &[
    "please", "pls", "plz", "kindly", "can", "could", "would", "will", "you", "u", "now", "ok",
    "okay", "so", "then", "lets", "let", "us", "me", "go", "ahead", "and", "just", "i", "id", "im",
    "want", "wanna", "like", "to", "need", "hey", "hi", "also", "finally", "alright", "yes",
    "yeah", "yep", "sure", "great", "cool", "perfect", "nice", "good", "time", "ready", "how",
    "do", "does", "where", "we", "right", "a", "quick", "quickly", "帮我", "请", "麻烦",
];

/// Words after "export"/"download"/"upload" that make it a noun or subject.
const NOUN_FOLLOWERS: &[&str] = &[
    "is", "was", "looks", "look", "seems", "failed", "fails", "fail", "didnt", "doesnt", "isnt",
    "wasnt", "has", "had", "took", "takes", "quality", "settings", "setting", "button", "format",
    "status", "speed", "progress", "history", "dialog", "menu", "options", "option", "error",
    "errors", "keeps", "kept", "stuck", "came", "broke", "broken", "limit", "size", "cost",
    "costs", "time",
];

/// Words that may follow "send me", "render", "give me" in an export request.
const EXPORT_OBJECTS: &[&str] = &[
    "it",
    "the",
    "a",
    "my",
    "this",
    "that",
    "video",
    "videos",
    "file",
    "mp4",
    "mov",
    "movie",
    "clip",
    "result",
    "final",
    "finished",
    "output",
    "cut",
    "version",
    "project",
    "now",
    "please",
    "pls",
    "thanks",
    "thank",
    "you",
    "to",
    "me",
    "in",
    "at",
    "as",
    "hd",
    "full",
    "1080p",
    "720p",
    "4k",
    "2k",
    "high",
    "quality",
    "resolution",
    "again",
    "right",
    "away",
    "asap",
    "one",
    "link",
    "over",
    "here",
    "back",
    "when",
    "done",
    "its",
    "is",
    "so",
    "i",
    "can",
    "watch",
    "share",
    "download",
    "一下",
    "吧",
];

const CREDIT_REST: &[&str] = &[
    "please",
    "pls",
    "now",
    "left",
    "remaining",
    "balance",
    "check",
    "again",
    "thanks",
    "status",
    "info",
    "一下",
];

const STATUS_REST: &[&str] = &[
    "please", "pls", "now", "check", "again", "update", "of", "the", "project", "my", "timeline",
    "tracks", "current", "thanks", "report", "so", "far", "一下",
];

/// Words that, on their own, only acknowledge ("ok, export" is just an export).
const ACK_WORDS: &[&str] = &[
    "ok",
    "okay",
    "great",
    "cool",
    "perfect",
    "nice",
    "thanks",
    "thank",
    "you",
    "good",
    "looks",
    "look",
    "that",
    "thats",
    "awesome",
    "love",
    "it",
    "yes",
    "yeah",
    "yep",
    "sure",
    "alright",
    "fine",
    "now",
    "so",
    "then",
    "and",
    "wow",
    "amazing",
    "excellent",
    "done",
    "beautiful",
    "lovely",
    "please",
    "pls",
    "hey",
    "hi",
    "great",
    "all",
    "right",
    "good",
    "very",
    "much",
    "lgtm",
    "im",
    "i",
    "am",
    "happy",
    "ready",
    "finished",
    "with",
    "this",
    "satisfied",
    "lets",
    "go",
    "do",
];

/// Chinese filler that may surround a keyword or make up an acknowledgement on its own.
const ZH_FILLER: &[&str] = &[
    "可以帮我",
    "能不能",
    "麻烦",
    "帮忙",
    "帮我",
    "给我",
    "现在",
    "可以",
    "能否",
    "我要",
    "我想",
    "直接",
    "马上",
    "立即",
    "立刻",
    "那就",
    "好的",
    "好了",
    "谢谢",
    "不错",
    "完美",
    "很好",
    "太棒了",
    "没问题",
    "一下",
    "查看",
    "看看",
    "显示",
    "查询",
    "检查",
    "告诉我",
    "我的",
    "还有",
    "怎么",
    "如何",
    "请",
    "你",
    "您",
    "就",
    "好",
    "把",
    "将",
    "再",
    "吧",
    "嗯",
    "行",
    "那",
    "先",
    "去",
    "来",
    "我",
    "帮",
    "棒",
    "啊",
    "呢",
    "吗",
];

const RULES: &[Rule] = &[
    // Export: the seed's "export" / "download" / "send me the video".
    head(Kind::Export, Rest::NotNoun, &["export"]),
    head(Kind::Export, Rest::Only(EXPORT_OBJECTS), &["download"]),
    head(Kind::Export, Rest::Only(EXPORT_OBJECTS), &["send"]),
    head(Kind::Export, Rest::Only(EXPORT_OBJECTS), &["give", "me"]),
    head(Kind::Export, Rest::Only(EXPORT_OBJECTS), &["render"]),
    // "before exporting, lower the music": the export comes after the edit.
    head(
        Kind::Export,
        Rest::Only(EXPORT_OBJECTS),
        &["before", "exporting"],
    ),
    head(
        Kind::Export,
        Rest::Only(EXPORT_OBJECTS),
        &["before", "export"],
    ),
    head(
        Kind::Export,
        Rest::Only(EXPORT_OBJECTS),
        &["before", "you", "export"],
    ),
    anywhere(Kind::Export, &["send", "me", "the", "video"]),
    anywhere(Kind::Export, &["send", "me", "the", "file"]),
    anywhere(Kind::Export, &["send", "me", "the", "mp4"]),
    // Status before credits/export so "export status" is a status question.
    head(Kind::Status, Rest::Only(STATUS_REST), &["status"]),
    head(Kind::Status, Rest::Only(STATUS_REST), &["state"]),
    head(Kind::Status, Rest::Only(STATUS_REST), &["tracks"]),
    head(Kind::Status, Rest::Only(STATUS_REST), &["timeline"]),
    head(Kind::Status, Rest::Only(STATUS_REST), &["show", "status"]),
    head(
        Kind::Status,
        Rest::Only(STATUS_REST),
        &["show", "the", "status"],
    ),
    head(
        Kind::Status,
        Rest::Only(STATUS_REST),
        &["show", "me", "the", "status"],
    ),
    head(Kind::Status, Rest::Only(STATUS_REST), &["check", "status"]),
    head(
        Kind::Status,
        Rest::Only(STATUS_REST),
        &["check", "the", "status"],
    ),
    anywhere(Kind::Status, &["show", "tracks"]),
    anywhere(Kind::Status, &["show", "the", "tracks"]),
    anywhere(Kind::Status, &["show", "me", "the", "tracks"]),
    anywhere(Kind::Status, &["show", "my", "tracks"]),
    anywhere(Kind::Status, &["list", "tracks"]),
    anywhere(Kind::Status, &["list", "the", "tracks"]),
    anywhere(Kind::Status, &["show", "timeline"]),
    anywhere(Kind::Status, &["show", "the", "timeline"]),
    anywhere(Kind::Status, &["show", "me", "the", "timeline"]),
    anywhere(Kind::Status, &["show", "my", "project"]),
    anywhere(Kind::Status, &["show", "me", "my", "project"]),
    anywhere(Kind::Status, &["project", "status"]),
    anywhere(Kind::Status, &["current", "status"]),
    anywhere(Kind::Status, &["render", "status"]),
    anywhere(Kind::Status, &["export", "status"]),
    anywhere(Kind::Status, &["whats", "the", "status"]),
    anywhere(Kind::Status, &["what", "is", "the", "status"]),
    anywhere(Kind::Status, &["whats", "in", "my", "project"]),
    anywhere(Kind::Status, &["what", "is", "in", "my", "project"]),
    anywhere(Kind::Status, &["whats", "in", "the", "project"]),
    anywhere(Kind::Status, &["whats", "on", "the", "timeline"]),
    anywhere(Kind::Status, &["what", "do", "i", "have", "so", "far"]),
    // Credits; "balance the audio" and "end credits" stay with the backend.
    head(Kind::Credits, Rest::Only(CREDIT_REST), &["credits"]),
    head(Kind::Credits, Rest::Only(CREDIT_REST), &["credit"]),
    head(Kind::Credits, Rest::Only(CREDIT_REST), &["balance"]),
    anywhere(Kind::Credits, &["how", "many", "credits"]),
    anywhere(Kind::Credits, &["how", "much", "credit"]),
    anywhere(Kind::Credits, &["credits", "left"]),
    anywhere(Kind::Credits, &["credits", "remaining"]),
    anywhere(Kind::Credits, &["remaining", "credits"]),
    anywhere(Kind::Credits, &["enough", "credits"]),
    anywhere(Kind::Credits, &["my", "credits"]),
    anywhere(Kind::Credits, &["my", "balance"]),
    anywhere(Kind::Credits, &["credit", "balance"]),
    anywhere(Kind::Credits, &["credits", "balance"]),
    anywhere(Kind::Credits, &["account", "balance"]),
    anywhere(Kind::Credits, &["check", "credits"]),
    anywhere(Kind::Credits, &["check", "balance"]),
    anywhere(Kind::Credits, &["check", "the", "balance"]),
    anywhere(Kind::Credits, &["check", "my", "account"]),
    anywhere(Kind::Credits, &["billing"]),
    // Upload.
    head(Kind::Upload, Rest::NotNoun, &["upload"]),
];

/// Chinese keywords, their intent, and the next characters that make them descriptive.
const ZH_RULES: &[(&str, Kind, &[&str])] = &[
    (
        "导出",
        Kind::Export,
        &[
            "的", "了", "失败", "不了", "按钮", "设置", "出错", "错误", "过",
        ],
    ),
    (
        "下载",
        Kind::Export,
        &["的", "了", "失败", "不了", "按钮", "链接失效", "过"],
    ),
    (
        "上传",
        Kind::Upload,
        &["的", "了", "失败", "不了", "按钮", "过"],
    ),
    ("积分", Kind::Credits, &[]),
    ("余额", Kind::Credits, &[]),
    ("状态", Kind::Status, &["栏"]),
];

/// Chinese export phrasings that are not a keyword at the clause start.
const ZH_SEND_ME: &[&str] = &["发给我", "发我", "传给我"];

/// What `clause` asks for.
pub(crate) fn classify(clause: &Clause) -> Kind {
    if let Some(kind) = zh_intent(&clause.text) {
        return kind;
    }
    if let Some(kind) = en_intent(&clause.words) {
        return kind;
    }
    if is_ack(clause) {
        Kind::Ack
    } else {
        Kind::Other
    }
}

fn en_intent(words: &[String]) -> Option<Kind> {
    let start = words
        .iter()
        .position(|w| !LEAD_FILLER.contains(&w.as_str()))
        .unwrap_or(words.len());
    let tail = &words[start..];
    RULES
        .iter()
        .find(|rule| matches_rule(rule, words, tail))
        .map(|rule| rule.kind)
}

fn matches_rule(rule: &Rule, words: &[String], tail: &[String]) -> bool {
    match rule.at {
        At::Anywhere => words
            .windows(rule.phrase.len())
            .any(|w| same(w, rule.phrase)),
        At::Head => {
            let n = rule.phrase.len();
            if tail.len() < n || !same(&tail[..n], rule.phrase) {
                return false;
            }
            let rest = &tail[n..];
            match rule.rest {
                Rest::NotNoun => rest.first().is_none_or(|w| !is_noun_follower(w)),
                Rest::Only(allowed) => rest.iter().all(|w| allowed.contains(&w.as_str())),
            }
        }
    }
}

/// "export failed", "export的视频" (the exported video): the keyword is not a request.
fn is_noun_follower(word: &str) -> bool {
    NOUN_FOLLOWERS.contains(&word) || word.starts_with(['的', '了'])
}

fn same(words: &[String], phrase: &[&str]) -> bool {
    words.len() == phrase.len() && words.iter().zip(phrase).all(|(w, p)| w == p)
}

fn zh_intent(text: &str) -> Option<Kind> {
    let body = strip_zh_filler(text.trim_start());
    for (keyword, kind, blockers) in ZH_RULES {
        if let Some(after) = body.strip_prefix(keyword) {
            let after = after.trim_start();
            // "导出状态", "上传进度": asking how it is going.
            if ["状态", "进度"].iter().any(|s| after.starts_with(s)) {
                return Some(Kind::Status);
            }
            if blockers.iter().any(|b| after.starts_with(b)) {
                return Some(Kind::Other);
            }
            return Some(*kind);
        }
    }
    let mentions_video = ["视频", "成片", "它", "文件", "mp4"]
        .iter()
        .any(|w| text.contains(w));
    (mentions_video && ZH_SEND_ME.iter().any(|p| text.contains(p))).then_some(Kind::Export)
}

/// Removes leading Chinese filler (longest match first, repeatedly).
fn strip_zh_filler(mut text: &str) -> &str {
    loop {
        let before = text;
        for filler in ZH_FILLER {
            if let Some(rest) = text.strip_prefix(filler) {
                text = rest.trim_start();
                break;
            }
        }
        if text == before {
            return text;
        }
    }
}

fn is_ack(clause: &Clause) -> bool {
    clause.words.iter().all(|w| {
        ACK_WORDS.contains(&w.as_str()) || (!w.is_ascii() && strip_zh_filler(w).is_empty())
    })
}
