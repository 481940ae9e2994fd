use crate::clauses::{split, urls, words};
use crate::{Route, route, upload_follow_up};

/// Splits `message` and compares the clause texts (as written in the message).
fn check_split(message: &str, expected: &[&str]) {
    let clauses = split(message);
    let texts: Vec<&str> = clauses.iter().map(|c| &message[c.span.clone()]).collect();
    assert_eq!(texts, expected, "{message}");
}

#[test]
fn splits_on_punctuation_and_connectors() {
    check_split("add music, then export", &["add music", "export"]);
    check_split("add music and then export it.", &["add music", "export it"]);
    check_split(
        "make it 1.5x faster. Export",
        &["make it 1.5x faster", "Export"],
    );
    check_split("加点音乐然后导出", &["加点音乐", "导出"]);
    check_split("把音乐调小再导出", &["把音乐调小", "导出"]);
    check_split("帮我导出视频。谢谢！", &["帮我", "导出视频", "谢谢"]);
    check_split("导出状态", &["导出状态"]);
}

#[test]
fn urls_are_never_split() {
    let message = "upload https://cdn.example.com/a,b/clip.mp4?sig=1.2&x=y, thanks";
    check_split(
        message,
        &[
            "upload https://cdn.example.com/a,b/clip.mp4?sig=1.2&x=y",
            "thanks",
        ],
    );
    assert_eq!(
        urls(message),
        ["https://cdn.example.com/a,b/clip.mp4?sig=1.2&x=y"]
    );
}

#[test]
fn words_split_scripts_and_drop_apostrophes() {
    assert_eq!(
        words("what's export一下 ok"),
        ["whats", "export", "一下", "ok"]
    );
    assert_eq!(words("let’s go!"), ["lets", "go"]);
}

#[test]
fn route_metadata() {
    assert!(Route::Export.skips_sse());
    assert!(!Route::Chat(String::new()).skips_sse());
    assert!(!Route::ChatThenExport(String::new()).skips_sse());
    assert_eq!(route("积分", &[]).name(), "credits");
}

#[test]
fn follow_up_keeps_only_the_instruction() {
    assert_eq!(
        upload_follow_up("upload this and add calm music").as_deref(),
        Some("add calm music")
    );
    assert_eq!(upload_follow_up("upload please"), None);
    assert_eq!(upload_follow_up("  "), None);
    assert_eq!(
        upload_follow_up("https://x.com/a.mp4 use this as the intro").as_deref(),
        Some("use this as the intro")
    );
    assert_eq!(
        upload_follow_up("上传视频，然后加点音乐").as_deref(),
        Some("加点音乐")
    );
}
