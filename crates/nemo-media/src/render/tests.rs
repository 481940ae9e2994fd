//! Unit tests of the render planner: mode choice, durations, escaping and the command line.

use super::*;
use crate::{AudioStream, VideoStream};

fn clip(codec: &str, w: u32, h: u32, duration_ms: u64) -> MediaInfo {
    MediaInfo {
        format_name: "mov,mp4,m4a,3gp,3g2,mj2".to_owned(),
        duration_ms: Some(duration_ms),
        size_bytes: None,
        video: Some(VideoStream {
            index: 0,
            codec: codec.to_owned(),
            width: w,
            height: h,
            fps: Some(30.0),
            pix_fmt: Some("yuv420p".to_owned()),
            rotation: 0,
            frame_count: None,
            b_frames: false,
        }),
        audio: Some(AudioStream {
            index: 1,
            codec: "aac".to_owned(),
            sample_rate: 48_000,
            channels: 2,
        }),
        is_image: false,
    }
}

fn visual(info: MediaInfo, in_ms: u64, duration_ms: u64) -> VisualSegment {
    VisualSegment {
        path: PathBuf::from("/m/clip"),
        info,
        in_ms,
        duration_ms,
        volume: 1.0,
    }
}

fn music(duration_ms: u64) -> AudioSegment {
    AudioSegment {
        path: PathBuf::from("/m/music"),
        source_duration_ms: Some(duration_ms),
        start_ms: 0,
        in_ms: 0,
        duration_ms,
        volume: 0.5,
        fade_in_ms: 1000,
        fade_out_ms: 2000,
    }
}

fn plan(
    visuals: Vec<VisualSegment>,
    audio: Vec<AudioSegment>,
    texts: Vec<TextSegment>,
) -> RenderPlan {
    RenderPlan {
        visuals,
        audio,
        texts,
        fps: 30,
        encode: EncodeSettings::default(),
    }
}

fn joined(args: &[OsString]) -> String {
    args.iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn one_full_hd_h264_clip_with_new_music_is_stream_copied() {
    let p = plan(
        vec![visual(clip("h264", 1920, 1080, 5000), 0, 5000)],
        vec![music(5000)],
        vec![],
    );
    assert_eq!(p.video_mode(), VideoMode::Copy);
    let args = joined(&ffmpeg_args(&p, &[]));
    assert!(args.contains("-map 0:v:0 -map [aout] -c:v copy"), "{args}");
    assert!(!args.contains("libx264"), "{args}");
}

#[test]
fn anything_that_changes_the_picture_is_re_encoded() {
    let hevc = plan(
        vec![visual(clip("hevc", 1920, 1080, 5000), 0, 5000)],
        vec![],
        vec![],
    );
    let small = plan(
        vec![visual(clip("h264", 320, 240, 5000), 0, 5000)],
        vec![],
        vec![],
    );
    let trimmed = plan(
        vec![visual(clip("h264", 1920, 1080, 5000), 500, 4000)],
        vec![],
        vec![],
    );
    let two = plan(
        vec![
            visual(clip("h264", 1920, 1080, 5000), 0, 5000),
            visual(clip("h264", 1920, 1080, 5000), 0, 5000),
        ],
        vec![],
        vec![],
    );
    let titled = plan(
        vec![visual(clip("h264", 1920, 1080, 5000), 0, 5000)],
        vec![],
        vec![TextSegment {
            text: "Hi".to_owned(),
            start_ms: 0,
            duration_ms: 1000,
            size: 72,
            position: TextPosition::Center,
        }],
    );
    for p in [hevc, small, trimmed, two, titled] {
        assert_eq!(p.video_mode(), VideoMode::Encode);
        let args = joined(&ffmpeg_args(&p, &[PathBuf::from("/w/text-0.txt")]));
        assert!(args.contains("-c:v libx264"), "{args}");
        assert!(
            args.contains("-profile:v high -x264-params 8x8dct=1 -pix_fmt yuv420p"),
            "{args}"
        );
        assert!(
            args.contains("force_original_aspect_ratio=decrease"),
            "{args}"
        );
        assert!(args.contains("pad=1920:1080:(ow-iw)/2:(oh-ih)/2"), "{args}");
    }
}

#[test]
fn output_is_aac_48k_stereo_faststart_of_the_planned_length() {
    let p = plan(
        vec![visual(clip("h264", 320, 240, 3000), 1000, 1500)],
        vec![music(1500)],
        vec![],
    );
    let args = joined(&ffmpeg_args(&p, &[]));
    assert!(args.contains("-c:a aac"), "{args}");
    assert!(args.contains("-ar 48000 -ac 2"), "{args}");
    assert!(
        args.contains("-t 1.500 -movflags +faststart -f mp4"),
        "{args}"
    );
    assert!(args.contains("-ss 1.000 -t 1.500 -i /m/clip"), "{args}");
    assert!(args.contains("afade=t=in:st=0:d=1.000"), "{args}");
    assert!(
        args.contains("afade=t=out:st=0.000:d=1.500"),
        "fade-out is clamped to the segment: {args}"
    );
    assert!(args.contains("normalize=0"), "{args}");
}

#[test]
fn durations_sum_visuals_or_fall_back_to_audio_and_text() {
    let images = plan(
        vec![
            VisualSegment {
                path: "/a.png".into(),
                info: MediaInfo {
                    is_image: true,
                    duration_ms: None,
                    ..clip("png", 640, 480, 0)
                },
                in_ms: 0,
                duration_ms: 3000,
                volume: 1.0,
            },
            visual(clip("h264", 320, 240, 2000), 0, 2000),
        ],
        vec![],
        vec![],
    );
    assert_eq!(images.duration_ms(), 5000);
    let args = joined(&ffmpeg_args(&images, &[]));
    assert!(
        args.contains("tpad=stop_mode=clone:stop_duration=3.000"),
        "{args}"
    );
    let audio_only = plan(
        vec![],
        vec![AudioSegment {
            start_ms: 500,
            ..music(2000)
        }],
        vec![],
    );
    assert_eq!(audio_only.duration_ms(), 2500);
    assert!(joined(&ffmpeg_args(&audio_only, &[])).contains("color=c=black:s=1920x1080"));
    assert_eq!(
        plan(vec![], vec![], vec![]).validate(),
        Err(PlanError::Empty)
    );
}

#[test]
fn music_shorter_than_its_segment_loops() {
    let mut m = music(10_000);
    m.source_duration_ms = Some(4000);
    let p = plan(
        vec![visual(clip("h264", 320, 240, 10_000), 0, 10_000)],
        vec![m],
        vec![],
    );
    assert!(joined(&ffmpeg_args(&p, &[])).contains("-stream_loop -1 -i /m/music"));
}

#[test]
fn filter_values_are_escaped_at_both_levels() {
    assert_eq!(escape_filter_value("plain/path.txt"), "plain/path.txt");
    assert_eq!(escape_filter_value("a:b"), "a\\\\:b");
    assert_eq!(escape_filter_value("it's"), "it\\\\\\'s");
    assert_eq!(escape_filter_value("x,y;z[0]"), "x\\,y\\;z\\[0\\]");
}

#[test]
fn texts_read_from_files_with_expansion_off_and_pick_a_cjk_font_for_chinese() {
    let text = |t: &str| TextSegment {
        text: t.to_owned(),
        start_ms: 1000,
        duration_ms: 2000,
        size: 72,
        position: TextPosition::Bottom,
    };
    let p = plan(
        vec![visual(clip("h264", 320, 240, 5000), 0, 5000)],
        vec![],
        vec![text("Hello: 100% 'world'"), text("你好")],
    );
    let args = joined(&ffmpeg_args(
        &p,
        &[
            PathBuf::from("/w/text-0.txt"),
            PathBuf::from("/w/text-1.txt"),
        ],
    ));
    assert!(
        args.contains("textfile=/w/text-0.txt:expansion=none"),
        "{args}"
    );
    assert!(
        !args.contains("Hello"),
        "user text never reaches the command line: {args}"
    );
    assert!(args.contains("enable='between(t,1.000,3.000)'"), "{args}");
    let cjk = cjk_font_file().expect("a CJK font (CI installs fonts-wqy-microhei)");
    let font = format!("fontfile={}", escape_filter_value(&cjk.to_string_lossy()));
    assert!(args.contains(&font), "{args}");
}

/// Generates a tiny input with ffmpeg's lavfi sources.
fn lavfi(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let status = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success(), "ffmpeg could not generate {name}");
    out
}

#[tokio::test]
async fn renders_clip_image_title_and_music_to_verified_1080p() {
    let dir = tempfile::tempdir().unwrap();
    let clip_path = lavfi(
        dir.path(),
        "clip.mp4",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc=s=320x240:r=30:d=2",
            "-f",
            "lavfi",
            "-i",
            "sine=f=440:d=2",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
        ],
    );
    let image_path = lavfi(
        dir.path(),
        "still.png",
        &["-f", "lavfi", "-i", "testsrc2=s=200x400", "-frames:v", "1"],
    );
    let music_path = lavfi(
        dir.path(),
        "music.wav",
        &["-f", "lavfi", "-i", "sine=f=220:d=1.5"],
    );
    let clip_info = probe(&clip_path).await.unwrap();
    let image_info = probe(&image_path).await.unwrap();
    let p = RenderPlan {
        visuals: vec![
            VisualSegment {
                path: clip_path,
                info: clip_info,
                in_ms: 500,
                duration_ms: 1500,
                volume: 1.0,
            },
            VisualSegment {
                path: image_path,
                info: image_info,
                in_ms: 0,
                duration_ms: 1000,
                volume: 1.0,
            },
        ],
        audio: vec![AudioSegment {
            path: music_path,
            source_duration_ms: Some(1500),
            start_ms: 0,
            in_ms: 0,
            duration_ms: 2500,
            volume: 0.4,
            fade_in_ms: 300,
            fade_out_ms: 500,
        }],
        texts: vec![TextSegment {
            text: "It's 100% \"fine\": [ok], {x}; \\n".to_owned(),
            start_ms: 0,
            duration_ms: 1000,
            size: 72,
            position: TextPosition::Center,
        }],
        fps: 30,
        encode: EncodeSettings {
            preset: "ultrafast".to_owned(),
            ..EncodeSettings::default()
        },
    };
    let out = dir.path().join("out.mp4");
    let mut last = 0.0;
    let report = render(
        &p,
        &out,
        &dir.path().join("work"),
        CancellationToken::new(),
        |pr| {
            last = pr.fraction.unwrap_or(last);
        },
    )
    .await
    .unwrap();
    assert_eq!(report.mode, VideoMode::Encode);
    assert!((last - 1.0).abs() < 1e-9, "progress reached {last}");
    let video = report.info.video.unwrap();
    assert_eq!(
        (video.width, video.height, video.codec.as_str()),
        (1920, 1080, "h264")
    );
    assert!(
        report.info.duration_ms.unwrap().abs_diff(2500) <= 50,
        "{:?}",
        report.info.duration_ms
    );
    assert!(!dir.path().join("out.verify.mp4").exists());
}

/// What drawtext draws for `text` in the font nemo picks for it, as a 320x80 grey frame.
fn drawn(text: &str) -> Vec<u8> {
    let filter = format!(
        "drawtext={}:text={}:fontsize=48:fontcolor=white:x=10:y=10",
        font_option(text),
        escape_filter_value(text)
    );
    let output = std::process::Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "color=black:s=320x80:d=0.04",
        ])
        .args([
            "-vf",
            &filter,
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "gray",
            "-",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    output.stdout
}

#[test]
fn chinese_text_is_drawn_with_real_glyphs_not_boxes() {
    // A font without the glyphs draws the same box for every character, so two different
    // words of the same length would come out identical.
    let (hello, world) = (drawn("你好"), drawn("世界"));
    assert!(hello.iter().any(|&p| p > 128), "nothing drawn");
    assert!(hello != world, "both words drew the same boxes");
    assert!(drawn("ab") != drawn("cd"), "Latin text is drawn too");
}
