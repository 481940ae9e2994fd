//! Edit tests: each intent on a small draft.

use super::*;
use crate::agent::intent::parse;
use crate::timeline::{append_media, clips, music, tests::media};

fn project() -> RawDraft {
    let mut draft = RawDraft::default();
    append_media(
        &mut draft,
        &[
            media("a", "video", Some(4000)),
            media("b", "video", Some(3000)),
            media("c", "image", None),
        ],
        2000,
    );
    draft
}

fn with_music() -> RawDraft {
    let mut draft = project();
    set_music(
        &mut draft,
        &media("m", "audio", Some(20_000)),
        "calm piano",
        None,
        None,
    );
    draft
}

fn names(draft: &RawDraft) -> Vec<String> {
    clips(draft)
        .iter()
        .map(|s| s.nm.clone().unwrap_or_default())
        .collect()
}

#[test]
fn music_is_set_replaced_adjusted_and_removed() {
    let mut draft = with_music();
    assert_eq!(
        (music(&draft)[0].d, music(&draft)[0].vol),
        (Some(9000), Some(DEFAULT_MUSIC_VOLUME))
    );
    let change = set_music(
        &mut draft,
        &media("n", "audio", Some(5000)),
        "epic strings",
        Some(0.5),
        None,
    );
    assert!(
        matches!(change, Change::MusicAdded { replaced: Some(ref old), volume, .. } if old == "calm piano" && (volume - 0.5).abs() < 1e-9)
    );
    assert_eq!(music(&draft).len(), 1);
    assert_eq!(
        apply(&mut draft, &parse("set the music volume to 20%")).unwrap(),
        Change::MusicVolume {
            name: "epic strings".to_owned(),
            before: 0.5,
            after: 0.2
        }
    );
    assert!(
        matches!(apply(&mut draft, &parse("make the music louder")).unwrap(), Change::MusicVolume { after, .. } if (after - 0.3).abs() < 1e-9)
    );
    assert_eq!(
        apply(&mut draft, &parse("fade out over 3 seconds")).unwrap(),
        Change::Fades {
            name: "epic strings".to_owned(),
            fade_in_ms: 1000,
            fade_out_ms: 3000
        }
    );
    assert_eq!(
        apply(&mut draft, &parse("remove the music")).unwrap(),
        Change::MusicRemoved {
            name: "epic strings".to_owned()
        }
    );
    assert!(music(&draft).is_empty());
    assert_eq!(
        apply(&mut draft, &parse("remove the music")),
        Err(Problem::NoMusic)
    );
}

#[test]
fn trims_change_in_points_and_lengths_and_music_follows() {
    let mut draft = with_music();
    assert!(matches!(
        apply(&mut draft, &parse("cut the first 1 second of clip 1")).unwrap(),
        Change::Trimmed {
            before_ms: 4000,
            after_ms: 3000,
            ..
        }
    ));
    assert_eq!(
        (clips(&draft)[0].source_in, clips(&draft)[0].d),
        (Some(1000), Some(3000))
    );
    assert_eq!(clips(&draft)[1].st, Some(3000), "later clips move up");
    assert_eq!(music(&draft)[0].d, Some(8000), "music follows the picture");
    apply(&mut draft, &parse("trim clip 2 from 0.5s to 2s")).unwrap();
    assert_eq!(
        (clips(&draft)[1].source_in, clips(&draft)[1].d),
        (Some(500), Some(1500))
    );
    assert_eq!(
        apply(&mut draft, &parse("trim clip 2 to 9 seconds")),
        Err(Problem::TooLong {
            name: "b.mp4".to_owned(),
            available_ms: 2500
        })
    );
    apply(&mut draft, &parse("trim the last clip to 5 seconds")).unwrap();
    assert_eq!(clips(&draft)[2].d, Some(5000), "stills can be any length");
    assert_eq!(
        apply(&mut draft, &parse("keep only the first 2 seconds")),
        Err(Problem::WhichClip { count: 3 })
    );
    assert_eq!(
        apply(&mut draft, &parse("trim clip 7 to 1 second")),
        Err(Problem::ClipOutOfRange { asked: 7, count: 3 })
    );
    assert!(matches!(
        apply(&mut draft, &parse("cut the last 5 seconds of clip 1")),
        Err(Problem::TooShort { .. })
    ));
}

#[test]
fn clips_move_and_swap() {
    let mut draft = project();
    apply(&mut draft, &parse("move clip 3 to the start")).unwrap();
    assert_eq!(names(&draft), ["c.png", "a.mp4", "b.mp4"]);
    apply(&mut draft, &parse("swap clip 1 and clip 3")).unwrap();
    assert_eq!(names(&draft), ["b.mp4", "a.mp4", "c.png"]);
    apply(&mut draft, &parse("put clip 1 after clip 3")).unwrap();
    assert_eq!(names(&draft), ["a.mp4", "c.png", "b.mp4"]);
    apply(&mut draft, &parse("move clip 3 before clip 1")).unwrap();
    assert_eq!(names(&draft), ["b.mp4", "a.mp4", "c.png"]);
    assert_eq!(
        clips(&draft)
            .iter()
            .map(|s| s.st.unwrap_or(-1))
            .collect::<Vec<_>>(),
        [0, 3000, 7000]
    );
    assert_eq!(
        apply(&mut draft, &parse("move the first clip to the start")),
        Err(Problem::SamePlace)
    );
}

#[test]
fn titles_are_added_after_each_other_and_need_text() {
    let mut draft = project();
    assert_eq!(
        apply(&mut draft, &parse("add a title \"Day 1\"")).unwrap(),
        Change::TitleAdded {
            text: "Day 1".to_owned(),
            start_ms: 0,
            duration_ms: 3000
        }
    );
    assert_eq!(
        apply(&mut draft, &parse("添加标题：第二天")).unwrap(),
        Change::TitleAdded {
            text: "第二天".to_owned(),
            start_ms: 3000,
            duration_ms: 3000
        }
    );
    assert_eq!(
        apply(&mut draft, &parse("add a title")),
        Err(Problem::TitleTextMissing)
    );
    assert_eq!(
        apply(&mut draft, &parse("remove the titles")).unwrap(),
        Change::TitleRemoved { count: 2 }
    );
}

#[test]
fn uploaded_audio_is_picked_by_hint_or_recency() {
    let rows = [
        media("beach", "audio", Some(1)),
        media("city", "audio", Some(1)),
        media("v", "video", Some(1)),
    ];
    assert_eq!(
        pick_uploaded_audio(&rows, None).map(|m| m.id.as_str()),
        Some("city")
    );
    assert_eq!(
        pick_uploaded_audio(&rows, Some("BEACH")).map(|m| m.id.as_str()),
        Some("beach")
    );
    assert!(pick_uploaded_audio(&rows[2..], None).is_none());
}

#[test]
fn total_length_is_spread_over_the_clips_exactly() {
    let mut draft = with_music();
    let change = apply(&mut draft, &parse("make it 6 seconds")).unwrap();
    assert_eq!(
        change,
        Change::LengthSet {
            before_ms: 9000,
            after_ms: 6000,
            clips: 3
        }
    );
    assert_eq!(timeline::video_length_ms(&draft), 6000);
    assert_eq!(music(&draft)[0].d, Some(6000), "the bed follows");
    // Shortening words never lengthen.
    assert_eq!(
        apply(&mut draft, &parse("shorten to 20 seconds")),
        Err(Problem::AlreadyShorter {
            length_ms: 6000,
            asked_ms: 20_000
        })
    );
}

#[test]
fn original_audio_and_ducking_are_flags_the_mix_reads() {
    let mut draft = with_music();
    apply(&mut draft, &parse("mute the original audio")).unwrap();
    assert_eq!(
        draft.m.as_ref().unwrap()[MUTE_ORIGINAL_KEY],
        serde_json::json!(true)
    );
    assert_eq!(
        apply(&mut draft, &parse("静音原声")),
        Err(Problem::AlreadySo)
    );
    apply(&mut draft, &parse("unmute the original audio")).unwrap();
    assert_eq!(
        draft.m.as_ref().unwrap()[MUTE_ORIGINAL_KEY],
        serde_json::json!(false)
    );
    apply(&mut draft, &parse("lower the music under the talking")).unwrap();
    assert_eq!(
        music(&draft)[0].m.as_ref().unwrap()["duck"],
        serde_json::json!(true)
    );
}

#[test]
fn energy_arc_rises_to_the_peak_then_eases_off() {
    let mut draft = project();
    let options = VideoOptions {
        order: Some(ClipOrder::EnergyArc),
        ..VideoOptions::default()
    };
    assert_eq!(
        set_options(&mut draft, options, None),
        Err(Problem::NoAnalysis)
    );
    // a = loud, b = calm, c = middle: calm, loud, middle.
    set_options(&mut draft, options, Some(&[0.9, -0.5, 0.1])).unwrap();
    assert_eq!(names(&draft), ["b.mp4", "a.mp4", "c.png"]);
}

#[test]
fn start_over_rebuilds_from_uploads_and_ignores_generated_media() {
    let mut draft = with_music();
    apply(&mut draft, &parse("trim clip 1 to 1 second")).unwrap();
    let mut generated = media("m", "audio", Some(20_000));
    generated.origin = "generated".to_owned();
    let uploads = [
        media("a", "video", Some(4000)),
        media("b", "video", Some(3000)),
        media("c", "image", None),
        generated,
    ];
    let (fresh, change) = start_over(&draft, &uploads, 2000).unwrap();
    assert_eq!(change, Change::StartedOver { clips: 3 });
    assert_eq!(timeline::video_length_ms(&fresh), 9000);
    assert!(music(&fresh).is_empty());
    assert_eq!(
        start_over(&fresh, &uploads, 2000).map(|_| ()),
        Err(Problem::AlreadySo)
    );
}
