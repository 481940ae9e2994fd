//! Text plumbing: newlines, sentences, the spurious-error quirk, and putting lines back
//! together.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

#[expect(
    clippy::expect_used,
    reason = "the patterns are literals; any test run checks them"
)]
pub(crate) fn compile(pattern: &str) -> Regex {
    Regex::new(pattern).expect("translator pattern compiles")
}

/// A sentence ends at `.!?` before whitespace or the end, or right after a full-width
/// terminator. Closing quotes and brackets stay with their sentence.
static SENTENCE_END: LazyLock<Regex> =
    LazyLock::new(|| compile(r#"(?:[.!?]+["')\]”’*]*(?:\s+|$))|(?:[。！？]+["')\]”’」』*]*\s*)"#));

/// The backend's known spurious closing line.
static TEMPORARY_ISSUE: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)(?:I\s+)?(?:encountered|ran\s+into|hit|experienced|am\s+experiencing)\s+(?:a\s+)?temporary\s+(?:issue|problem|error|glitch)|遇到了?(?:一个|一些)?(?:临时|暂时性?的?)(?:问题|错误|故障)|暂时出现(?:了)?(?:一些)?问题",
    )
});

pub(crate) fn normalize_newlines(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Byte ranges of the sentences of `line`, each including its terminator and trailing space.
pub(crate) fn sentences(line: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for m in SENTENCE_END.find_iter(line) {
        out.push(start..m.end());
        start = m.end();
    }
    if start < line.len() {
        out.push(start..line.len());
    }
    out
}

/// Removes a trailing "I encountered a temporary issue..." when something normal came before
/// it. A reply that is only that line is a real failure and is kept.
pub(crate) fn drop_spurious_error(text: &str) -> String {
    let Some(found) = TEMPORARY_ISSUE.find_iter(text).last() else {
        return text.to_owned();
    };
    // Start of the sentence holding the match.
    let line_start = text[..found.start()].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..];
    let sentence_start = sentences(line)
        .into_iter()
        .find(|r| r.contains(&(found.start() - line_start)))
        .map_or(found.start(), |r| line_start + r.start);
    let before = text[..sentence_start].trim_end();
    let after = &text[found.end()..];
    // Only a closing remark: at most a short apology or "please try again" follows.
    let trailing = after.trim().chars().count() <= 120 && !after.contains("\n\n");
    if before.trim().is_empty() || !trailing {
        return text.to_owned();
    }
    before.to_owned()
}

/// Joins translated lines: `None` lines (emptied by translation) vanish, runs of blank lines
/// collapse to one, and leading or trailing blank lines go.
pub(crate) fn reassemble(lines: &[Option<String>]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for line in lines.iter().flatten() {
        let blank = line.trim().is_empty();
        if blank && out.last().is_none_or(|l| l.trim().is_empty()) {
            continue;
        }
        out.push(line.trim_end());
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out.join("\n")
}

/// Whether `text` is mostly Chinese (decides the language of lines the translator writes).
pub(crate) fn is_chinese(text: &str) -> bool {
    let cjk = text
        .chars()
        .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
        .count();
    let latin = text.chars().filter(char::is_ascii_alphabetic).count();
    cjk > 0 && cjk * 2 >= latin
}
