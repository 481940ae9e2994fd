//! Timeline layout tests.

use serde_json::json;

use super::*;
use crate::store::MediaRow;

pub(crate) fn media(id: &str, file_type: &str, duration_ms: Option<i64>) -> MediaRow {
    MediaRow {
        id: id.to_owned(),
        session_id: "s".to_owned(),
        sha256: "0".repeat(64),
        object_key: format!("sha256/00/{}", "0".repeat(64)),
        filename: format!(
            "{id}.{}",
            match file_type {
                "image" => "png",
                "audio" => "mp3",
                _ => "mp4",
            }
        ),
        file_type: file_type.to_owned(),
        origin: "upload".to_owned(),
        size_bytes: 1,
        duration_ms,
        width: None,
        height: None,
        fps: None,
        has_audio: file_type != "image",
        probe: json!({}),
        meta: None,
        created_at: 0,
    }
}

#[test]
fn uploads_line_up_back_to_back_and_audio_becomes_the_music_bed() {
    let mut draft = RawDraft::default();
    let added = append_media(
        &mut draft,
        &[
            media("a", "video", Some(2000)),
            media("b", "image", None),
            media("song", "audio", Some(1500)),
        ],
        3000,
    );
    assert!(added);
    let clips = clips(&draft);
    assert_eq!(
        clips.iter().map(|s| (s.st, s.d)).collect::<Vec<_>>(),
        [(Some(0), Some(2000)), (Some(2000), Some(3000))]
    );
    assert_eq!(segment_kind(&clips[1]), Some("image"));
    let bed = &music(&draft)[0];
    assert_eq!(
        (bed.st, bed.d, bed.src.as_deref()),
        (Some(0), Some(5000), Some("song")),
        "music spans the picture"
    );
    assert_eq!(draft.d, Some(5000));
    // A second audio upload does not replace the bed.
    assert!(!append_media(
        &mut draft,
        &[media("other", "audio", Some(900))],
        3000
    ));
    assert_eq!(music(&draft)[0].src.as_deref(), Some("song"));
}

#[test]
fn audio_only_projects_keep_the_audio_length() {
    let mut draft = RawDraft::default();
    append_media(&mut draft, &[media("song", "audio", Some(1500))], 3000);
    assert_eq!(draft.d, Some(1500));
}
