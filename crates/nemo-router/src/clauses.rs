//! Splitting a message into clauses (with byte spans into the original text) and turning each
//! clause into words.
//!
//! Clauses end at sentence punctuation (ASCII and full-width), at connectors ("and then",
//! "然后", ...), and right before a Chinese intent keyword, because Chinese has no spaces
//! to mark where "把音乐调小" ends and "导出" begins. URLs are never split.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

/// Separators between clauses. A `.` only ends a clause before whitespace or at the end, so
/// `1.5x` and `a.mp4` stay whole.
static SEPARATOR: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?x)
        [,;!?。，；！？、\n]+
      | \.(?:\s+|$)
      | (?i:\s+(?:and\s+then|and\s+also|and|then|after\s+that|afterwards|plus|but)\s+)
      | 然后 | 之后再 | 之后 | 之前 | 接着 | 并且 | 以后 | 但是
      | [再后就并和](?:\s*)(?:导出|下载)",
    )
});

/// Chinese keywords a clause is split in front of (see the module docs).
pub(crate) const ZH_KEYWORDS: &[&str] = &["导出", "下载", "上传", "积分", "余额", "状态"];

static URL: LazyLock<Regex> =
    LazyLock::new(|| compile(r#"https?://[^\s，。！？、]*[^\s，。！？、.,;:!?)'"]"#));

#[expect(
    clippy::expect_used,
    reason = "the patterns are literals; any test run checks them"
)]
fn compile(pattern: &str) -> Regex {
    Regex::new(pattern).expect("router pattern compiles")
}

/// A clause of the message.
#[derive(Debug, Clone)]
pub(crate) struct Clause {
    /// Byte range in the original message.
    pub(crate) span: Range<usize>,
    /// The clause text, lowercased, with URLs blanked out.
    pub(crate) text: String,
    /// Words: runs of ASCII letters/digits or of other letters (CJK), lowercased, apostrophes
    /// removed (`what's` -> `whats`).
    pub(crate) words: Vec<String>,
}

/// URLs in the message, in order.
pub(crate) fn urls(message: &str) -> Vec<String> {
    URL.find_iter(message)
        .map(|m| m.as_str().to_owned())
        .collect()
}

/// The clauses of `message`, in order, without empty ones.
pub(crate) fn split(message: &str) -> Vec<Clause> {
    let url_spans: Vec<Range<usize>> = URL.find_iter(message).map(|m| m.range()).collect();
    let in_url = |at: usize| url_spans.iter().any(|r| r.contains(&at));
    let mut cuts: Vec<Range<usize>> = SEPARATOR
        .find_iter(message)
        .filter(|m| !in_url(m.start()))
        .map(|m| {
            // A connector glued to a keyword ("再导出") ends at the keyword, which stays.
            let keyword_at = ZH_KEYWORDS.iter().filter_map(|k| m.as_str().find(k)).min();
            m.start()..keyword_at.map_or(m.end(), |k| m.start() + k)
        })
        .collect();
    for keyword in ZH_KEYWORDS {
        for (at, _) in message.match_indices(keyword) {
            // "导出状态" (export status) is one word pair, not two clauses.
            let after_keyword = ZH_KEYWORDS.iter().any(|k| message[..at].ends_with(k));
            if !in_url(at) && !after_keyword {
                cuts.push(at..at);
            }
        }
    }
    cuts.sort_by_key(|r| (r.start, r.end));
    let mut clauses = Vec::new();
    let mut start = 0;
    for cut in cuts {
        if cut.start >= start {
            push_clause(message, start..cut.start, &url_spans, &mut clauses);
            start = cut.end;
        } else if cut.end > start {
            start = cut.end;
        }
    }
    push_clause(message, start..message.len(), &url_spans, &mut clauses);
    clauses
}

fn push_clause(message: &str, span: Range<usize>, urls: &[Range<usize>], out: &mut Vec<Clause>) {
    let raw = &message[span.clone()];
    let lead = raw.len() - raw.trim_start().len();
    let span = span.start + lead..span.start + raw.trim_end().len();
    if span.is_empty() {
        return;
    }
    let mut text = String::with_capacity(span.len());
    for (offset, ch) in message[span.clone()].char_indices() {
        let inside_url = urls.iter().any(|r| r.contains(&(span.start + offset)));
        text.push(if inside_url { ' ' } else { ch });
    }
    let text = text.to_lowercase();
    let words = words(&text);
    out.push(Clause { span, text, words });
}

/// Splits text into words at every change between ASCII alphanumerics, other letters, and
/// anything else; apostrophes vanish so `let's` is `lets`.
pub(crate) fn words(text: &str) -> Vec<String> {
    #[derive(PartialEq, Clone, Copy)]
    enum Class {
        Latin,
        Other,
        Gap,
    }
    let class = |c: char| {
        if c.is_ascii_alphanumeric() {
            Class::Latin
        } else if c.is_alphanumeric() {
            Class::Other
        } else {
            Class::Gap
        }
    };
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut current_class = Class::Gap;
    for c in text.chars() {
        if matches!(c, '\'' | '’' | '‘') {
            continue;
        }
        let next = class(c);
        if next != current_class && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        current_class = next;
        if next != Class::Gap {
            current.push(c);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}
