//! Finding GUI instructions in a line and turning them into actions.
//!
//! Each sentence is searched with one pattern per instruction kind (English and Chinese).
//! When one is found, the sentence is cut at the start of the clause holding it: the part
//! before stays if it says something ("I've added calm piano, click Apply to confirm" keeps
//! "I've added calm piano."), and goes if it is only lead-in ("If you like it, click
//! Apply", "您可以在时间线中预览").

use std::sync::LazyLock;

use regex::Regex;

use crate::Action;
use crate::text::{compile, is_chinese, sentences};

/// Translation state across the lines of one reply.
#[derive(Debug, Default)]
pub(crate) struct Context {
    pub(crate) actions: Vec<Action>,
    export_hint_given: bool,
    upload_hint_given: bool,
}

/// The kinds of instruction, in priority order: when two overlap, the earlier kind wins
/// ("open the billing page" is a credits check, not a panel).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Credits,
    Export,
    Preview,
    Drag,
    Click,
    Open,
}

const RULES: [Rule; 6] = [
    Rule::Credits,
    Rule::Export,
    Rule::Preview,
    Rule::Drag,
    Rule::Click,
    Rule::Open,
];

static CREDITS: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?ix)
        \b(?:check|view|visit|go\s+to|open|see|manage)\s+(?:your\s+|the\s+|my\s+)?
            (?:account|billing|credits?|balance|subscription|plan)\b
            (?:\s+(?:page|settings|section|panel|tab|center))?
      | \bbilling\s+(?:page|settings|section|panel|tab)\b
      | \btop\s+up\b
      | (?:查看|检查|前往|打开|去)(?:您的|你的)?(?:账户|账号|积分|余额|计费|订阅|会员)(?:页面|设置|中心)?
      | 充值",
    )
});

static EXPORT: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r#"(?ix)
        \bexport\s+(?:button|menu|option|icon|panel|settings)\b
      | \b(?:click|tap|press|hit|use|select)\s+(?:on\s+)?(?:the\s+)?["'“*]*export\b
      | \b(?:you\s+can|you\s+may|feel\s+free\s+to|go\s+ahead\s+and|ready\s+to|simply|just)\s+(?:now\s+|also\s+|then\s+)?export\b
      | ^\s*(?:now\s+|then\s+)?export\s+(?:it|the\s+video|your\s+video|your\s+project|the\s+project)\b
      | 导出按钮
      | (?:点击|点|按)[^，。,.！!？?]{0,8}?导出
      | (?:可以|即可|就可以|去|进行|直接|请)导出
      | 导出(?:即可|吧)"#,
    )
});

static PREVIEW: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?ix)
        \bpreview\b[^.!?]{0,40}?\btime\s?line\b
      | \btime\s?line\b[^.!?]{0,20}?\bpreview\b
      | \b(?:check|look\s+at|see|view|review|watch)\s+(?:it\s+|the\s+result\s+|the\s+changes\s+)?
            (?:in|on)\s+the\s+(?:time\s?line|preview(?:\s+(?:window|player|panel))?|player)\b
      | \b(?:hit|press|click)\s+(?:the\s+)?play\b
      | \bpreview\s+(?:it|the\s+(?:video|result|changes)|your\s+video)\b
      | (?:在)?时间(?:线|轴)(?:上|中|里)?(?:预览|查看)
      | 预览(?:一下|效果|视频)?
      | 播放查看",
    )
});

static DRAG: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?ix)
        \bdrag(?:\s*(?:and|&|/)\s*drop)?\b
      | \bdrop\s+(?:it|the|your|them)\b
      | 拖拽 | 拖动 | 拖放 | 拖到 | 拖入 | 拖至",
    )
});

static CLICK: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r#"(?x)
        \b(?i:click|tap|press)\s+(?i:on\s+)?(?i:the\s+)?
            (?P<t>"[^"]+"|“[^”]+”|'[^']+'|\*\*[^*]+\*\*|\[[^\]]+\]|[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*|[\w-]+)
            (?:\s+(?i:button|icon|tab|link|option))?
      | \b(?i:hit)\s+(?i:the\s+)?(?P<t2>[\w-]+(?:\s+[\w-]+)?)\s+(?i:button)
      | (?:点击|点一下|单击|按下)(?:一下)?\s*(?:右上角|左上角|下方|上方|底部|顶部|页面)?的?\s*
            (?:(?P<q>「[^」]+」|“[^”]+”|"[^"]+"|【[^】]+】)(?:按钮|图标|选项)?
              |(?P<u>[^\s，。,.！!？?「“"【]{1,8}?)(?:按钮|图标|选项)
              |(?P<g>[^\s，。,.！!？?「“"【]{0,6}))"#,
    )
});

static OPEN: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?x)
        \b(?i:open|go\s+to|navigate\s+to|switch\s+to|head\s+(?:over\s+)?to)\s+(?i:the\s+|your\s+)?
            (?P<p>[\w-]+(?:\s+[\w-]+){0,2}?)\s+(?i:panel|tab|menu|sidebar|window|library|page|section|editor)\b
      | \b(?i:in|from)\s+the\s+(?P<p2>[\w-]+(?:\s+[\w-]+)?)\s+(?i:panel|tab|sidebar|menu)\b
      | 打开(?P<p3>[^，。,.！!？?\s]{0,10}?)(?:面板|菜单|窗口|标签页|标签|页面|设置|侧边栏)
      | 在(?P<p4>[^，。,.！!？?\s]{1,8}?)(?:面板|菜单|侧边栏)(?:中|里|上)?",
    )
});

/// Where a clause ends inside a sentence.
static CLAUSE_BOUNDARY: LazyLock<Regex> = LazyLock::new(|| {
    compile(r"[,;:(—–]|\s-\s|(?i:\s(?:and|then|so|or)\s)|[，；：（]|然后|并且|接着")
});

static MARKDOWN_PREFIX: LazyLock<Regex> =
    LazyLock::new(|| compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+|>\s*|#{1,6}\s+)?"));

static TERMINATOR: LazyLock<Regex> =
    LazyLock::new(|| compile(r#"[.!?。！？]+["')\]”’」』*]*\s*$"#));

/// Lead-in words that say nothing on their own.
const FILLER_WORDS: &[&str] = &[
    "you",
    "can",
    "may",
    "please",
    "simply",
    "just",
    "now",
    "then",
    "next",
    "finally",
    "also",
    "feel",
    "free",
    "to",
    "go",
    "ahead",
    "and",
    "youll",
    "ll",
    "need",
    "make",
    "sure",
    "dont",
    "forget",
    "remember",
    "so",
    "or",
    "the",
    "i",
    "recommend",
    "suggest",
    "would",
    "ok",
    "okay",
    "first",
    "after",
    "that",
    "there",
    "here",
    "will",
    "able",
    "be",
    "want",
    "might",
    "once",
    "all",
    "done",
    "it",
];

/// Chinese lead-ins that say nothing on their own.
const ZH_FILLER: &[&str] = &[
    "您可以",
    "你可以",
    "可以",
    "请您",
    "请",
    "然后",
    "接下来",
    "现在",
    "最后",
    "只需要",
    "只需",
    "只要",
    "直接",
    "再",
    "并",
    "就",
    "您",
    "你",
];

/// Clause openers that leave the clause dangling without the instruction.
const SUBORDINATORS: &[&str] = &[
    "if", "when", "once", "after", "before", "whenever", "to", "as", "until", "should", "for",
];
const ZH_SUBORDINATORS: &[&str] = &[
    "如需",
    "如要",
    "为了",
    "如果",
    "若",
    "当",
    "一旦",
    "满意",
    "确认",
    "完成后",
    "想要",
    "要",
];

/// Translates one line; `None` when translation left nothing of a non-empty line.
pub(crate) fn translate_line(line: &str, ctx: &mut Context) -> Option<String> {
    if line.trim().is_empty() {
        return Some(String::new());
    }
    let prefix_len = MARKDOWN_PREFIX.find(line).map_or(0, |m| m.end());
    let (prefix, body) = line.split_at(prefix_len);
    let mut out = String::new();
    let mut changed = false;
    for range in sentences(body) {
        let sentence = &body[range];
        match translate_sentence(sentence, ctx) {
            Some(kept) => {
                changed |= kept != sentence;
                out.push_str(&kept);
            }
            None => changed = true,
        }
    }
    if !changed {
        return Some(line.to_owned());
    }
    let out = out.trim_end();
    (!out.is_empty()).then(|| format!("{prefix}{out}"))
}

/// One instruction found in a sentence.
struct Found {
    start: usize,
    end: usize,
    action: Action,
}

/// Boundaries after which a new, independent clause starts ("..., then tell me which clip",
/// "... — the video is now 0:36 long"): an instruction before one does not take the rest of
/// the sentence with it.
static PART_BOUNDARY: LazyLock<Regex> = LazyLock::new(|| {
    compile(r"(?:,\s*|\s+)(?:and\s+)?then\s+|;\s+|\s+[—–-]{1,2}\s+|——|；|，?然后|，再")
});

/// The sentence without its instruction clauses (`None` if nothing is left), recording the
/// actions. An export or upload instruction is replaced, the first time only, by a hint line
/// telling the user what to say instead.
fn translate_sentence(sentence: &str, ctx: &mut Context) -> Option<String> {
    let terminator_at = TERMINATOR
        .find(sentence)
        .map_or(sentence.len(), |m| m.start());
    let (body, terminator) = sentence.split_at(terminator_at);
    let chinese = is_chinese(sentence);
    // Kept pieces of the sentence, each to be written as its own sentence.
    let mut pieces: Vec<String> = Vec::new();
    let mut any_found = false;
    let mut start = 0;
    let boundaries = PART_BOUNDARY.find_iter(body).map(|m| (m.start(), m.end()));
    for (index, (cut, next)) in boundaries.chain([(body.len(), body.len())]).enumerate() {
        let part = &body[start..cut];
        start = next;
        let found = find_instructions(part);
        let kept = match found.first() {
            None => part,
            Some(first) => {
                any_found = true;
                kept_before(part, first.start)
            }
        };
        let kept = kept.trim();
        if !kept.is_empty() {
            // A piece that now starts a sentence gets a capital letter.
            pieces.push(if index > 0 {
                capitalize(kept)
            } else {
                kept.to_owned()
            });
        }
        for action in found.into_iter().map(|f| f.action) {
            if let Some(hint) = hint_for(&action, ctx, chinese) {
                pieces.push(hint.to_owned());
            }
            ctx.actions.push(action);
        }
    }
    if !any_found {
        return Some(sentence.to_owned());
    }
    if pieces.is_empty() {
        return None;
    }
    let stop = match terminator.trim_end() {
        "" if chinese => "。",
        "" => ".",
        other => other,
    };
    let separator = if chinese { "" } else { " " };
    let mut out = pieces
        .iter()
        .map(|p| format!("{p}{stop}"))
        .collect::<Vec<_>>()
        .join(separator);
    if sentence.ends_with(char::is_whitespace) {
        out.push(' ');
    }
    Some(out)
}

/// The part of `part` before the clause holding an instruction at `instruction_start`.
fn kept_before(part: &str, instruction_start: usize) -> &str {
    let cut = clause_cut(&part[..instruction_start]);
    part[..cut].trim_end_matches(|c: char| c.is_whitespace() || ",;:(—–-，；：（".contains(c))
}

/// The hint that replaces an export or upload instruction, the first time one appears.
fn hint_for(action: &Action, ctx: &mut Context, chinese: bool) -> Option<&'static str> {
    let (given, en, zh) = match action {
        Action::Export => (&mut ctx.export_hint_given, EXPORT_HINT_EN, EXPORT_HINT_ZH),
        Action::RequestUpload => (&mut ctx.upload_hint_given, UPLOAD_HINT_EN, UPLOAD_HINT_ZH),
        _ => return None,
    };
    if *given {
        return None;
    }
    *given = true;
    Some(if chinese { zh } else { en })
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

// Hints are written without a full stop: the sentence's own terminator is added.
const EXPORT_HINT_EN: &str = "Say \"export\" when you're ready and I'll render the video";
const EXPORT_HINT_ZH: &str = "准备好后说“导出”，我就开始渲染视频";
const UPLOAD_HINT_EN: &str = "Send me your files here (paths or URLs) and I'll add them";
const UPLOAD_HINT_ZH: &str = "把文件路径或链接发给我，我来添加";

/// Every instruction in `text`, in order. Overlapping matches merge into one instruction
/// with the earlier rule's action ("点击右上角的导出按钮" is one export instruction).
fn find_instructions(text: &str) -> Vec<Found> {
    let mut found: Vec<Found> = Vec::new();
    for rule in RULES {
        for caps in pattern(rule).captures_iter(text) {
            let Some(whole) = caps.get(0) else { continue };
            if whole.as_str().trim().is_empty() {
                continue;
            }
            // A drag instruction's object may come before the verb ("将片段拖拽到..."), so the
            // whole clause is the instruction.
            let start = if rule == Rule::Drag {
                CLAUSE_BOUNDARY
                    .find_iter(&text[..whole.start()])
                    .last()
                    .map_or(0, |m| m.end())
            } else {
                whole.start()
            };
            if let Some(existing) = found
                .iter_mut()
                .find(|f| start < f.end && f.start < whole.end())
            {
                existing.start = existing.start.min(start);
                existing.end = existing.end.max(whole.end());
                continue;
            }
            let action = match action_for(rule, &caps, &text[start..]) {
                Action::SendEdit { request } => Action::SendEdit {
                    request: purpose(&text[..start]).unwrap_or(request),
                },
                other => other,
            };
            found.push(Found {
                start,
                end: whole.end(),
                action,
            });
        }
    }
    found.sort_by_key(|f| f.start);
    found
}

fn pattern(rule: Rule) -> &'static Regex {
    match rule {
        Rule::Credits => &CREDITS,
        Rule::Export => &EXPORT,
        Rule::Preview => &PREVIEW,
        Rule::Drag => &DRAG,
        Rule::Click => &CLICK,
        Rule::Open => &OPEN,
    }
}

fn action_for(rule: Rule, caps: &regex::Captures<'_>, from_match: &str) -> Action {
    let named = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| caps.name(n))
            .map(|m| clean_name(m.as_str()))
            .unwrap_or_default()
    };
    match rule {
        Rule::Credits => Action::CheckCredits,
        Rule::Export => Action::Export,
        Rule::Preview => Action::ShowTrackSummary,
        Rule::Drag if is_upload(from_match) => Action::RequestUpload,
        Rule::Drag => Action::SendEdit {
            request: edit_request(from_match),
        },
        Rule::Click => classify_target(named(&["t", "t2", "q", "u", "g"]), |target| {
            Action::Execute { target }
        }),
        Rule::Open => classify_target(named(&["p", "p2", "p3", "p4"]), |panel| {
            Action::QueryState { panel }
        }),
    }
}

/// A button or panel that is really about export, credits or the timeline gets that action.
fn classify_target(name: String, otherwise: impl FnOnce(String) -> Action) -> Action {
    let lower = name.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if has(&["upload", "import", "上传", "导入"]) {
        Action::RequestUpload
    } else if has(&["export", "download", "导出", "下载"]) {
        Action::Export
    } else if has(&[
        "billing", "credit", "account", "top up", "充值", "积分", "账户", "账号",
    ]) {
        Action::CheckCredits
    } else if has(&[
        "preview",
        "play",
        "timeline",
        "预览",
        "播放",
        "时间线",
        "时间轴",
    ]) {
        Action::ShowTrackSummary
    } else {
        otherwise(name)
    }
}

/// "To move the sunset clip to the beginning, drag it ...": the purpose names the edit
/// better than the drag does ("drag it").
fn purpose(before: &str) -> Option<String> {
    let clause = before.trim().trim_end_matches([',', '，']).trim();
    let rest = clause
        .strip_prefix("To ")
        .or_else(|| clause.strip_prefix("to "))?;
    (!rest.is_empty() && !rest.contains([',', ';'])).then(|| capitalize(rest))
}

/// Whether a drag instruction is about bringing files in rather than editing.
fn is_upload(instruction: &str) -> bool {
    let lower = instruction.to_lowercase();
    [
        "your files",
        "your videos",
        "your photos",
        "files into",
        "files here",
        "upload",
        "computer",
        "desktop",
        "your device",
        "上传",
        "电脑",
        "本地文件",
        "您的文件",
        "你的文件",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// Strips quotes, brackets and emphasis around a button or panel name.
fn clean_name(raw: &str) -> String {
    raw.trim_matches(|c: char| "\"'“”‘’*[]「」【】 ".contains(c))
        .to_owned()
}

/// "drag the music onto the audio track." -> "Move the music onto the audio track".
fn edit_request(from_match: &str) -> String {
    static DRAG_WORDS: LazyLock<Regex> =
        LazyLock::new(|| compile(r"(?i)\bdrag(?:\s*(?:and|&|/)\s*drop)?\b"));
    static DROP_WORD: LazyLock<Regex> = LazyLock::new(|| compile(r"(?i)\bdrop\b"));
    let body = TERMINATOR
        .find(from_match)
        .map_or(from_match, |m| &from_match[..m.start()]);
    let body = DRAG_WORDS.replace_all(body, "move");
    let body = DROP_WORD.replace_all(&body, "put");
    let body = body
        .replace("拖拽到", "移到")
        .replace("拖动到", "移到")
        .replace("拖放到", "移到")
        .replace("拖拽", "移动")
        .replace("拖动", "移动")
        .replace("拖放", "移动")
        .replace("拖到", "移到")
        .replace("拖至", "移到")
        .replace("拖入", "放入");
    let body = strip_lead_in(body.trim());
    let mut chars = body.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// Drops lead-in words ("you can just", "请", "您可以") from the start of an instruction.
fn strip_lead_in(mut text: &str) -> &str {
    loop {
        let before = text;
        if let Some(rest) = ZH_FILLER.iter().find_map(|f| text.strip_prefix(f)) {
            text = rest.trim_start();
        }
        let first_word = text.split_whitespace().next().unwrap_or("");
        let word = first_word.to_lowercase().replace(['\'', '’'], "");
        if !first_word.is_empty() && FILLER_WORDS.contains(&word.as_str()) && word != "the" {
            text = text[first_word.len()..].trim_start();
        }
        if text == before {
            return text;
        }
    }
}

/// Where to cut a sentence whose instruction starts at `prefix.len()`: after the last clause
/// that says something, dropping trailing lead-in and dangling clauses.
fn clause_cut(prefix: &str) -> usize {
    let mut bounds: Vec<(usize, usize)> = CLAUSE_BOUNDARY
        .find_iter(prefix)
        .map(|m| (m.start(), m.end()))
        .collect();
    let mut end = prefix.len();
    loop {
        let (clause_start, cut_at) = bounds.last().map_or((0, 0), |&(s, e)| (e, s));
        let clause = &prefix[clause_start..end];
        if !is_lead_in(clause) {
            return end;
        }
        if clause_start == 0 {
            return 0;
        }
        end = cut_at;
        bounds.pop();
    }
}

/// Whether a clause is only lead-in ("you can", "请") or a dangling "if/when ..." opener.
fn is_lead_in(clause: &str) -> bool {
    let clause = clause.trim();
    if !clause.chars().any(char::is_alphanumeric) {
        return true;
    }
    let mut zh = clause;
    while let Some(rest) = ZH_FILLER.iter().find_map(|f| zh.strip_prefix(f)) {
        zh = rest.trim_start();
    }
    if ZH_SUBORDINATORS.iter().any(|s| zh.starts_with(s)) {
        return true;
    }
    let words: Vec<String> = clause
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().replace(['\'', '’'], ""))
        .collect();
    if words
        .first()
        .is_some_and(|w| SUBORDINATORS.contains(&w.as_str()))
    {
        return true;
    }
    zh.is_empty() || (!words.is_empty() && words.iter().all(|w| FILLER_WORDS.contains(&w.as_str())))
}
