use crate::{Action, Translation, translate};

/// Translates `input` and checks the text and actions.
fn check(input: &str, text: &str, actions: &[Action]) {
    let translation = translate(input);
    assert_eq!(translation.text, text, "text of {input:?}");
    assert_eq!(translation.actions, actions, "actions of {input:?}");
}

fn execute(target: &str) -> Action {
    Action::Execute {
        target: target.to_owned(),
    }
}

#[test]
fn plain_text_is_untouched() {
    check(
        "I've added calm piano music at 35% volume.",
        "I've added calm piano music at 35% volume.",
        &[],
    );
    check("", "", &[]);
}

#[test]
fn click_clause_is_cut_and_content_kept() {
    check(
        "I've added calm piano music, just click Apply to confirm.",
        "I've added calm piano music.",
        &[execute("Apply")],
    );
    check(
        "Click the \"Generate\" button to start.",
        "",
        &[execute("Generate")],
    );
    check(
        "If you like it, click Apply Changes.",
        "",
        &[execute("Apply Changes")],
    );
}

#[test]
fn chinese_click_and_open() {
    check(
        "已为您添加背景音乐，请点击「应用」按钮确认。",
        "已为您添加背景音乐。",
        &[execute("应用")],
    );
    check(
        "打开音乐面板可以更换曲目。",
        "",
        &[Action::QueryState {
            panel: "音乐".to_owned(),
        }],
    );
}

#[test]
fn drag_becomes_an_edit_request() {
    check(
        "Drag the music file onto the audio track.",
        "",
        &[Action::SendEdit {
            request: "Move the music file onto the audio track".to_owned(),
        }],
    );
    check(
        "请将片段拖拽到时间线开头。",
        "",
        &[Action::SendEdit {
            request: "将片段移到时间线开头".to_owned(),
        }],
    );
}

#[test]
fn export_instructions_become_a_hint_once() {
    check(
        "Your video is ready! Click the Export button in the top right. You can also export it later.",
        "Your video is ready! Say \"export\" when you're ready and I'll render the video.",
        &[Action::Export],
    );
    check(
        "满意的话，点击导出按钮即可。",
        "准备好后说“导出”，我就开始渲染视频。",
        &[Action::Export],
    );
}

#[test]
fn preview_and_billing() {
    check(
        "The title now fades in. You can preview it in the timeline.",
        "The title now fades in.",
        &[Action::ShowTrackSummary],
    );
    check(
        "You're out of credits. Please check your account billing page to top up.",
        "You're out of credits.",
        &[Action::CheckCredits],
    );
}

#[test]
fn spurious_trailing_error_is_dropped_only_after_normal_output() {
    check(
        "Done! I've swapped the music for an upbeat ukulele track.\n\nI encountered a temporary issue. Please try again.",
        "Done! I've swapped the music for an upbeat ukulele track.",
        &[],
    );
    check(
        "I encountered a temporary issue. Please try again.",
        "I encountered a temporary issue. Please try again.",
        &[],
    );
    check("已添加标题。抱歉，我遇到了临时问题。", "已添加标题。", &[]);
}

#[test]
fn markdown_structure_survives() {
    check(
        "Here's what I changed:\n\n- Music: calm piano\n- Click **Apply** to confirm\n- Title: \"Tokyo 2026\"",
        "Here's what I changed:\n\n- Music: calm piano\n- Title: \"Tokyo 2026\"",
        &[execute("Apply")],
    );
}

#[test]
fn duplicate_actions_collapse() {
    check(
        "Click Apply. Then click Apply again.",
        "",
        &[execute("Apply")],
    );
}

#[test]
fn clicks_and_drags_become_one_follow_up_but_exports_never_do() {
    let follow_up = |input: &str| translate(input).follow_up().map(str::to_owned);
    assert_eq!(
        follow_up("I've added calm piano music, just click Apply to confirm.").as_deref(),
        Some("Apply")
    );
    assert_eq!(
        follow_up("Click Apply. Then click Generate.").as_deref(),
        Some("Apply"),
        "only the first step"
    );
    assert_eq!(follow_up("Added the music.").as_deref(), None);
    assert_eq!(
        follow_up("Your video is ready! Click the Export button in the top right.").as_deref(),
        None
    );
    assert_eq!(follow_up("满意的话，点击导出按钮即可。").as_deref(), None);
    let exporting = Translation {
        text: String::new(),
        actions: vec![execute("Export MP4")],
    };
    assert_eq!(exporting.follow_up(), None);
    let dragging = translate("Drag the second clip to the start of the timeline.");
    if let Some(Action::SendEdit { request }) = dragging.actions.first() {
        assert_eq!(dragging.follow_up(), Some(request.as_str()));
    } else {
        panic!("a drag is an edit to send: {:?}", dragging.actions);
    }
}
