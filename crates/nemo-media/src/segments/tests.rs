//! Piece splitting, keyframe parsing and argument building (pure), plus real renders of tiny
//! clips: a re-encoded montage and a smart one that copies GOPs of a matching 1080p source.

use super::*;
use crate::testing::{self, ClipFormat};

#[test]
fn splits_into_head_copied_gops_and_tail() {
    let keys = [0, 30, 60, 90, 120];
    assert_eq!(
        split_at_keyframes(15, 90, &keys),
        vec![
            PieceRange::Encode {
                offset: 0,
                frames: 15
            },
            PieceRange::Copy {
                offset: 15,
                frames: 60,
                keyframe: 1
            },
            PieceRange::Encode {
                offset: 75,
                frames: 15
            },
        ]
    );
}

#[test]
fn keyframe_aligned_segment_is_copied_whole() {
    let keys = [0, 30, 60, 90];
    assert_eq!(
        split_at_keyframes(30, 60, &keys),
        vec![PieceRange::Copy {
            offset: 0,
            frames: 60,
            keyframe: 1
        }]
    );
}

#[test]
fn segment_without_a_whole_gop_is_encoded() {
    let keys = [0, 30, 60];
    assert_eq!(
        split_at_keyframes(5, 40, &keys),
        vec![PieceRange::Encode {
            offset: 0,
            frames: 40
        }]
    );
    assert_eq!(
        split_at_keyframes(35, 10, &keys),
        vec![PieceRange::Encode {
            offset: 0,
            frames: 10
        }]
    );
    assert_eq!(
        split_at_keyframes(0, 10, &[]),
        vec![PieceRange::Encode {
            offset: 0,
            frames: 10
        }]
    );
}

#[test]
fn split_pieces_cover_the_segment_exactly() {
    let keys: Vec<u64> = (0..20).map(|k| k * 25 + 3).collect();
    for in_frame in [0, 3, 10, 27, 28, 100] {
        for frames in [1, 24, 25, 26, 50, 77, 200] {
            let pieces = split_at_keyframes(in_frame, frames, &keys);
            let mut at = 0;
            for piece in &pieces {
                let (PieceRange::Encode { offset, frames }
                | PieceRange::Copy { offset, frames, .. }) = *piece;
                assert_eq!(offset, at, "{in_frame} {frames} {pieces:?}");
                assert!(frames > 0);
                at += frames;
                if let PieceRange::Copy { keyframe, .. } = piece {
                    assert_eq!(
                        keys[*keyframe],
                        in_frame + offset,
                        "copy starts on a keyframe"
                    );
                    assert!(
                        keys.contains(&(in_frame + offset + frames)),
                        "copy ends on a keyframe"
                    );
                }
            }
            assert_eq!(at, frames);
        }
    }
}

#[test]
fn parses_ffprobe_packets() {
    let text = "1/15360\n\n-1024,K_\n512,__\n0,__\n15360,K_\n16384,__\n30720,K_\n";
    let index = parse_keyframes(text, 30).unwrap();
    assert_eq!(index.time_base, (1, 15360));
    assert_eq!(index.start_pts, -1024);
    // -1024 is two frames before 0 at 30 fps: frame indices count from the first frame.
    assert_eq!(index.keyframes, vec![(0, -1024), (32, 15360), (62, 30720)]);
    assert!(parse_keyframes("", 30).is_none());
}

#[test]
fn copy_seek_rounds_up_to_the_keyframe() {
    let keys = KeyframeIndex {
        time_base: (1, 15360),
        start_pts: 0,
        keyframes: vec![(0, 0), (31, 15872)],
    };
    let args = copy_args(Path::new("in.mp4"), &keys, 1, 30, Path::new("out.mp4"));
    let text: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    // 15872 / 15360 s = 1.0333333.. s: rounded up so the backward seek cannot miss it.
    let ss = text.iter().position(|a| a == "-ss").unwrap();
    assert_eq!(text[ss + 1], "1.033334");
    assert!(text.windows(2).any(|w| w[0] == "-frames:v" && w[1] == "30"));
    assert!(text.windows(2).any(|w| w[0] == "-c:v" && w[1] == "copy"));
}

fn clip(path: &Path, info: MediaInfo, in_ms: f64) -> SegmentSource {
    SegmentSource::Clip {
        path: path.to_owned(),
        info,
        in_ms,
    }
}

#[test]
fn piece_graph_has_fades_texts_and_crossfades() {
    let info = MediaInfo {
        format_name: "mov".to_owned(),
        duration_ms: Some(5000),
        size_bytes: None,
        video: None,
        audio: None,
        is_image: false,
    };
    let mut segment = Segment::new(clip(Path::new("a.mp4"), info.clone(), 0.0), 60);
    segment.fade_in_frames = 6;
    segment.fade_out_frames = 6;
    segment.framing = Framing::BlurPad;
    segment.texts.push(SegmentText {
        text: "Tokyo: 2026, it's [on]".to_owned(),
        start_frame: 10,
        frames: 20,
        size: 96,
        position: TextPosition::Center,
    });
    let graph = piece_graph(&segment, 0, 60, 30, &[PathBuf::from("/tmp/t.txt")]);
    assert!(graph.contains("fade=t=in:s=0:n=6"), "{graph}");
    assert!(graph.contains("fade=t=out:s=54:n=6"), "{graph}");
    assert!(graph.contains("boxblur"), "{graph}");
    assert!(graph.contains("enable='between(n,10,29)'"), "{graph}");
    assert!(
        !graph.contains("Tokyo"),
        "user text only goes through the file: {graph}"
    );
    assert!(graph.ends_with("[v]"));

    let fade = Segment::new(
        SegmentSource::Crossfade {
            from: Box::new(clip(Path::new("a.mp4"), info.clone(), 1000.0)),
            to: Box::new(SegmentSource::Still {
                path: PathBuf::from("b.png"),
            }),
        },
        12,
    );
    let graph = piece_graph(&fade, 0, 12, 30, &[]);
    assert!(
        graph.contains("xfade=transition=fade:duration=0.400000:offset=0"),
        "{graph}"
    );
}

async fn generate<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(work).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renders_mixed_sources_frame_exact_with_smart_copy() {
    let dir = tempfile::tempdir().unwrap();
    let (hd, small, png, wav) = (
        dir.path().join("hd.mp4"),
        dir.path().join("small.mp4"),
        dir.path().join("still.png"),
        dir.path().join("music.wav"),
    );
    let (a, b, c, d) = (hd.clone(), small.clone(), png.clone(), wav.clone());
    generate(move || {
        // A 1080p30 H.264 source with a keyframe every 15 frames: its middle GOPs can be copied.
        testing::ffmpeg_blocking([
            "-f",
            "lavfi",
            "-i",
            "testsrc2=s=1920x1080:r=30:d=3",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-g",
            "15",
            "-pix_fmt",
            "yuv420p",
            a.to_str().unwrap(),
        ])
        .unwrap();
        testing::lavfi_clip(
            &b,
            "smptebars",
            2.0,
            ClipFormat {
                width: 240,
                height: 320,
                fps: 25,
                b_frames: 0,
            },
            true,
        )
        .unwrap();
        testing::png_image(&c, 300, 200).unwrap();
        testing::sine_wav(&d, 440, 3.0, 48_000).unwrap();
    })
    .await;
    let hd_info = crate::probe(&hd).await.unwrap();
    let small_info = crate::probe(&small).await.unwrap();
    let mut portrait = Segment::new(clip(&small, small_info.clone(), 500.0), 20);
    portrait.framing = Framing::BlurPad;
    portrait.fade_out_frames = 5;
    let segments = vec![
        // 10 frames in: head 5 frames, copied frames 15..45, tail 45..50.
        Segment::new(clip(&hd, hd_info.clone(), 333.3), 40),
        portrait,
        Segment::new(
            SegmentSource::Crossfade {
                from: Box::new(clip(&small, small_info, 1200.0)),
                to: Box::new(SegmentSource::Still { path: png.clone() }),
            },
            9,
        ),
        Segment::new(SegmentSource::Still { path: png }, 11),
    ];
    let mut plan = SegmentPlan::new(
        segments,
        30,
        Some(SegmentAudio {
            path: wav,
            volume: 0.8,
            fade_in_ms: 100,
            fade_out_ms: 300,
        }),
    );
    plan.encode.preset = "ultrafast".to_owned();
    let out = dir.path().join("out.mp4");
    let mut reports = 0;
    let report = render_segments(
        &plan,
        &out,
        &dir.path().join("work"),
        CancellationToken::new(),
        |_| {
            reports += 1;
        },
    )
    .await
    .unwrap();
    assert_eq!(report.frames, 80);
    assert_eq!(report.copied_frames, 30, "{report:?}");
    assert_eq!(report.encoded_frames, 50);
    assert_eq!(report.pieces, 6);
    assert!(reports >= 6);
    assert_eq!(count_frames(&out).await.unwrap(), 80);
    let video = report.info.video.as_ref().unwrap();
    assert_eq!((video.width, video.height), (1920, 1080));
    let duration = report.info.duration_ms.unwrap();
    assert!(duration.abs_diff(2667) <= 34, "{duration}");
    // No piece files left behind, and the whole output decodes cleanly.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("work"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("piece-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let decoded = out.clone();
    generate(move || {
        testing::ffmpeg_blocking([
            "-xerror",
            "-i",
            decoded.to_str().unwrap(),
            "-f",
            "null",
            "-",
        ])
        .unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copied_gops_are_the_source_frames() {
    let dir = tempfile::tempdir().unwrap();
    let hd = dir.path().join("hd.mp4");
    let a = hd.clone();
    generate(move || {
        testing::ffmpeg_blocking([
            "-f",
            "lavfi",
            "-i",
            "testsrc2=s=1920x1080:r=30:d=2",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-g",
            "10",
            "-pix_fmt",
            "yuv420p",
            a.to_str().unwrap(),
        ])
        .unwrap();
    })
    .await;
    let info = crate::probe(&hd).await.unwrap();
    // Frames 20..40 are two whole GOPs: all copied.
    let mut plan = SegmentPlan::new(vec![Segment::new(clip(&hd, info, 666.7), 20)], 30, None);
    plan.encode.preset = "ultrafast".to_owned();
    let out = dir.path().join("copy.mp4");
    let report = render_segments(&plan, &out, dir.path(), CancellationToken::new(), |_| {})
        .await
        .unwrap();
    assert_eq!(report.copied_frames, 20);
    assert_eq!(report.encoded_frames, 0);
    // Bit-identical pictures: the decoded frames hash like frames 20..40 of the source.
    let (o, s, dir_path) = (out.clone(), hd.clone(), dir.path().to_owned());
    let (ours, theirs) = generate(move || {
        let (a, b) = (dir_path.join("ours.md5"), dir_path.join("source.md5"));
        testing::ffmpeg_blocking([
            "-i",
            o.to_str().unwrap(),
            "-f",
            "framemd5",
            a.to_str().unwrap(),
        ])
        .unwrap();
        testing::ffmpeg_blocking([
            "-i",
            s.to_str().unwrap(),
            "-vf",
            "trim=start_frame=20:end_frame=40",
            "-f",
            "framemd5",
            b.to_str().unwrap(),
        ])
        .unwrap();
        (
            std::fs::read_to_string(a).unwrap(),
            std::fs::read_to_string(b).unwrap(),
        )
    })
    .await;
    let hashes = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.trim_start().starts_with("0,"))
            .filter_map(|l| l.rsplit(',').next().map(|h| h.trim().to_owned()))
            .collect()
    };
    assert_eq!(hashes(&ours).len(), 20);
    assert_eq!(hashes(&ours), hashes(&theirs));
}

#[test]
fn validation_rejects_empty_plans() {
    assert!(matches!(
        validate(&SegmentPlan::new(Vec::new(), 30, None)),
        Err(SegmentError::Empty)
    ));
    let still = Segment::new(
        SegmentSource::Still {
            path: PathBuf::from("x.png"),
        },
        0,
    );
    assert!(matches!(
        validate(&SegmentPlan::new(vec![still.clone()], 30, None)),
        Err(SegmentError::ZeroFrames { index: 0 })
    ));
    let mut ok = still;
    ok.frames = 3;
    assert!(matches!(
        validate(&SegmentPlan::new(vec![ok], 0, None)),
        Err(SegmentError::ZeroFps)
    ));
    assert_eq!(frames_to_ms(1800, 30), 60_000);
    assert_eq!(frames_to_ms(1, 30), 33);
}

#[test]
fn single_graph_baseline_seeks_every_input_and_concatenates() {
    let info = MediaInfo {
        format_name: "mov".to_owned(),
        duration_ms: Some(5000),
        size_bytes: None,
        video: None,
        audio: None,
        is_image: false,
    };
    let plan = SegmentPlan::new(
        vec![
            Segment::new(clip(Path::new("a.mp4"), info.clone(), 1500.0), 30),
            Segment::new(
                SegmentSource::Still {
                    path: PathBuf::from("b.png"),
                },
                15,
            ),
        ],
        30,
        Some(SegmentAudio {
            path: PathBuf::from("m.wav"),
            volume: 1.0,
            fade_in_ms: 0,
            fade_out_ms: 0,
        }),
    );
    let args: Vec<String> = single_graph_args(&plan)
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    assert!(
        args.windows(2).any(|w| w[0] == "-ss" && w[1] == "1.500000"),
        "{args:?}"
    );
    let graph = &args[args.iter().position(|a| a == "-filter_complex").unwrap() + 1];
    assert!(graph.contains("concat=n=2:v=1:a=0[v]"), "{graph}");
    assert!(
        args.windows(2).any(|w| w[0] == "-map" && w[1] == "2:a:0"),
        "{args:?}"
    );
    assert!(
        args.windows(2).any(|w| w[0] == "-t" && w[1] == "1.500000"),
        "{args:?}"
    );
}
