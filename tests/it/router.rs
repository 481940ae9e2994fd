//! Integration tests: router. One table of phrasings (English, Chinese, mixed) and the route
//! each must take.

use nemo_router::{Route, route};

fn chat(text: &str) -> Route {
    Route::Chat(text.to_owned())
}

fn then_export(text: &str) -> Route {
    Route::ChatThenExport(text.to_owned())
}

fn upload(files: &[&str]) -> Route {
    Route::Upload(files.iter().map(|f| (*f).to_owned()).collect())
}

/// Messages with no attachments and where they must go.
fn table() -> Vec<(&'static str, Route)> {
    vec![
        // Export, English.
        ("export", Route::Export),
        ("Export!", Route::Export),
        ("export please", Route::Export),
        ("please export the video in 1080p", Route::Export),
        ("Can you export it?", Route::Export),
        ("EXPORT IT NOW", Route::Export),
        ("download", Route::Export),
        ("I want to download the mp4", Route::Export),
        ("send me the video", Route::Export),
        ("ok, send me the video please", Route::Export),
        (
            "Please send me the final video when it's done",
            Route::Export,
        ),
        ("looks great, export it", Route::Export),
        ("I'm done, export", Route::Export),
        ("i'm happy with this, export please", Route::Export),
        ("how do I export?", Route::Export),
        ("let's export", Route::Export),
        ("render it", Route::Export),
        ("Export the video and send me the link", Route::Export),
        // Export, Chinese and mixed.
        ("导出", Route::Export),
        ("导出视频", Route::Export),
        ("帮我导出一下", Route::Export),
        ("请导出1080p的视频", Route::Export),
        ("下载", Route::Export),
        ("把视频发给我", Route::Export),
        ("export 一下", Route::Export),
        ("好的，导出吧", Route::Export),
        ("ok 导出", Route::Export),
        ("导出 mp4 please", Route::Export),
        // An edit followed by export: the edit goes to chat without the export request.
        (
            "can you add music and then export",
            then_export("can you add music"),
        ),
        (
            "make the music calmer, then export",
            then_export("make the music calmer"),
        ),
        (
            "add a title 'Tokyo 2026' and export it in 1080p",
            then_export("add a title 'Tokyo 2026'"),
        ),
        (
            "can you make it brighter? also export",
            then_export("can you make it brighter"),
        ),
        (
            "looks good, now add a fade out and export",
            then_export("looks good, now add a fade out"),
        ),
        ("加点音乐然后导出", then_export("加点音乐")),
        ("把音乐调小再导出", then_export("把音乐调小")),
        ("加个标题后导出", then_export("加个标题")),
        ("先把音乐调小，然后导出", then_export("先把音乐调小")),
        ("换成钢琴曲 then export", then_export("换成钢琴曲")),
        (
            "export it but first make the music quieter",
            then_export("first make the music quieter"),
        ),
        (
            "before exporting, lower the music",
            then_export("lower the music"),
        ),
        ("导出之前把音乐调小", then_export("把音乐调小")),
        // Keywords that are not requests stay with the backend.
        (
            "the exported clip is too dark, brighten it",
            chat("the exported clip is too dark, brighten it"),
        ),
        ("why did the export fail?", chat("why did the export fail?")),
        (
            "导出的视频太暗了，调亮一点",
            chat("导出的视频太暗了，调亮一点"),
        ),
        ("为什么导出失败了", chat("为什么导出失败了")),
        ("export的视频太暗", chat("export的视频太暗")),
        (
            "add end credits with my name",
            chat("add end credits with my name"),
        ),
        (
            "roll the credits at the end",
            chat("roll the credits at the end"),
        ),
        (
            "balance the music and the voice",
            chat("balance the music and the voice"),
        ),
        (
            "the status bar overlay looks ugly, remove it",
            chat("the status bar overlay looks ugly, remove it"),
        ),
        (
            "I uploaded a clip earlier, use it as the intro",
            chat("I uploaded a clip earlier, use it as the intro"),
        ),
        (
            "我上传了一个视频，用它做开头",
            chat("我上传了一个视频，用它做开头"),
        ),
        (
            "download some royalty-free music for the background",
            chat("download some royalty-free music for the background"),
        ),
        ("send me a funny cat meme", chat("send me a funny cat meme")),
        (
            "add music and show me the tracks",
            chat("add music and show me the tracks"),
        ),
        // Everything else.
        (
            "generate a 60-second travel montage video into a 1080p MP4",
            chat("generate a 60-second travel montage video into a 1080p MP4"),
        ),
        ("  make the music calmer  ", chat("make the music calmer")),
        ("换一首更欢快的音乐", chat("换一首更欢快的音乐")),
        (
            "生成一个60秒的旅行混剪视频",
            chat("生成一个60秒的旅行混剪视频"),
        ),
        ("thanks!", chat("thanks!")),
        ("", chat("")),
        // Credits.
        ("credits", Route::Credits),
        ("Credits?", Route::Credits),
        ("how many credits do I have left?", Route::Credits),
        ("what's my balance", Route::Credits),
        ("balance", Route::Credits),
        ("check my credits please", Route::Credits),
        ("积分", Route::Credits),
        ("我的积分还剩多少", Route::Credits),
        ("查看余额", Route::Credits),
        ("余额多少？", Route::Credits),
        ("ok thanks, 积分呢", Route::Credits),
        // Status.
        ("status", Route::Status),
        ("STATUS!!", Route::Status),
        ("show tracks", Route::Status),
        ("Show me the tracks.", Route::Status),
        ("what's in my project?", Route::Status),
        ("project status pls", Route::Status),
        ("export status?", Route::Status),
        ("show me the status", Route::Status),
        ("状态", Route::Status),
        ("查看状态", Route::Status),
        ("导出状态", Route::Status),
        // Upload.
        ("upload", upload(&[])),
        ("I want to upload a clip", upload(&[])),
        ("上传", upload(&[])),
        ("上传视频", upload(&[])),
        (
            "upload https://example.com/beach.mp4",
            upload(&["https://example.com/beach.mp4"]),
        ),
        (
            "https://example.com/beach.mp4",
            upload(&["https://example.com/beach.mp4"]),
        ),
        (
            "https://example.com/a.mp4 https://example.com/b.mov thanks",
            upload(&["https://example.com/a.mp4", "https://example.com/b.mov"]),
        ),
    ]
}

#[test]
fn every_phrasing_takes_its_route() {
    let table = table();
    assert!(table.len() >= 40, "the table keeps at least 40 phrasings");
    let failures: Vec<String> = table
        .iter()
        .filter_map(|(message, expected)| {
            let actual = route(message, &[]);
            (actual != *expected)
                .then(|| format!("{message:?}: expected {expected:?}, got {actual:?}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} misrouted:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn attached_files_always_upload() {
    let files = vec!["clips/beach.mp4".to_owned(), "music.mp3".to_owned()];
    assert_eq!(
        route("add music to this", &files),
        Route::Upload(files.clone())
    );
    assert_eq!(route("export", &files), Route::Upload(files.clone()));
    assert_eq!(route("", &files), Route::Upload(files));
}

#[test]
fn export_never_reaches_chat() {
    // Whatever the table routes to chat must not carry an export request.
    for (message, expected) in table() {
        if let Route::ChatThenExport(text) = &expected {
            assert_eq!(
                route(text, &[]),
                Route::Chat(text.clone()),
                "{message:?} left an export in {text:?}"
            );
        }
    }
}
