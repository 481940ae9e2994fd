//! Tests of probing, the runner and audio helpers against the real ffmpeg.

use std::path::Path;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::testing::{self, ClipFormat};
use crate::*;

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".partial-"))
        .collect()
}

#[tokio::test]
async fn probe_reads_video_and_audio_streams() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("clip.mp4");
    testing::lavfi_clip(&clip, "testsrc2", 2.0, ClipFormat::SMALL, true).unwrap();
    let info = probe(&clip).await.unwrap();
    let video = info.video.as_ref().unwrap();
    assert_eq!((video.width, video.height), (320, 180));
    assert_eq!(video.codec, "h264");
    assert_eq!(video.pix_fmt.as_deref(), Some("yuv420p"));
    assert!((video.fps.unwrap() - 30.0).abs() < 0.01);
    assert_eq!(video.rotation, 0);
    assert!(!video.is_portrait());
    let audio = info.audio.as_ref().unwrap();
    assert_eq!((audio.sample_rate, audio.channels), (48_000, 1));
    assert!(info.format_name.contains("mp4"));
    let duration = info.duration_ms.unwrap();
    assert!((1990..=2100).contains(&duration), "{duration}");
    assert!(info.is_video() && !info.is_image && !info.is_audio_only());
}

#[tokio::test]
async fn probe_reports_portrait_and_missing_audio() {
    let dir = tempfile::tempdir().unwrap();
    let portrait = dir.path().join("portrait.mp4");
    testing::portrait_clip(&portrait, 1.0).unwrap();
    let info = probe(&portrait).await.unwrap();
    assert!(info.video.unwrap().is_portrait());

    let silent = dir.path().join("silent.mp4");
    testing::no_audio_clip(&silent, 1.0).unwrap();
    assert!(probe(&silent).await.unwrap().audio.is_none());
}

#[tokio::test]
async fn probe_applies_rotation_to_display_size() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.mp4");
    testing::lavfi_clip(&plain, "testsrc2", 1.0, ClipFormat::SMALL, false).unwrap();
    let rotated = dir.path().join("rotated.mp4");
    testing::ffmpeg_blocking([
        "-i".as_ref(),
        plain.as_os_str(),
        "-c".as_ref(),
        "copy".as_ref(),
        "-metadata:s:v:0".as_ref(),
        "rotate=90".as_ref(),
        rotated.as_os_str(),
    ])
    .unwrap();
    let video = probe(&rotated).await.unwrap().video.unwrap();
    assert_eq!(video.rotation % 180, 90);
    assert_eq!((video.display_width(), video.display_height()), (180, 320));
}

#[tokio::test]
async fn probe_detects_images_and_audio_only_files() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("still.png");
    testing::png_image(&png, 64, 48).unwrap();
    let info = probe(&png).await.unwrap();
    assert!(info.is_image && !info.is_video());
    assert_eq!(info.duration_ms, None);

    let wav = dir.path().join("tone.wav");
    testing::sine_wav(&wav, 440, 1.5, 44_100).unwrap();
    let info = probe(&wav).await.unwrap();
    assert!(info.is_audio_only() && !info.is_image);
    assert_eq!(info.duration_ms, Some(1500));
}

#[tokio::test]
async fn probe_rejects_text_and_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("fake.mp4");
    std::fs::write(&fake, "this is not a video\n").unwrap();
    let err = probe(&fake).await.unwrap_err();
    assert!(matches!(err, MediaError::NotMedia { .. }), "{err:?}");
    assert!(err.to_string().contains("fake.mp4"), "{err}");

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "plain words\nmore words\n").unwrap();
    assert!(matches!(
        probe(&text).await.unwrap_err(),
        MediaError::NotMedia { .. }
    ));

    let missing = probe(&dir.path().join("missing.mp4")).await.unwrap_err();
    assert!(matches!(missing, MediaError::Io { .. }), "{missing:?}");
}

#[test]
fn missing_tool_error_names_the_apt_package() {
    let err = MediaError::ToolMissing {
        tool: "ffprobe",
        env_var: "NEMO_FFPROBE",
    };
    let text = err.to_string();
    assert!(
        text.contains("apt-get install ffmpeg")
            && text.contains("ffprobe")
            && text.contains("NEMO_FFPROBE"),
        "{text}"
    );
}

#[test]
fn progress_parser_reports_fraction_per_block() {
    let mut parser = ProgressParser::new(Some(4000));
    let mut reports = Vec::new();
    for line in [
        "frame=10",
        "out_time_us=1000000",
        "out_time_ms=1000000",
        "speed=2.5x",
        "progress=continue",
        "out_time_us=N/A",
        "out_time_ms=3000000",
        "progress=end",
    ] {
        reports.extend(parser.feed(line));
    }
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0].out_time_ms, 1000);
    assert_eq!(reports[0].fraction, Some(0.25));
    assert_eq!(reports[0].speed, Some(2.5));
    assert!(!reports[0].done);
    assert_eq!(reports[1].out_time_ms, 3000);
    assert_eq!(reports[1].fraction, Some(1.0));
    assert!(reports[1].done);
}

#[tokio::test]
async fn transcode_reports_progress_and_writes_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("tone.wav");
    testing::sine_wav(&wav, 440, 3.0, 48_000).unwrap();
    for ext in ["mp3", "m4a", "wav", "flac"] {
        let out = dir.path().join(format!("tone.{ext}"));
        let out = if ext == "wav" {
            dir.path().join("copy.wav")
        } else {
            out
        };
        let mut reports = Vec::new();
        transcode_audio_with_progress(&wav, &out, Some(3000), |p| reports.push(p))
            .await
            .unwrap();
        let info = probe(&out).await.unwrap();
        assert!(info.is_audio_only(), "{ext}");
        let duration = info.duration_ms.unwrap();
        assert!((2950..=3100).contains(&duration), "{ext}: {duration}");
        assert!(reports.last().unwrap().done, "{ext}");
        assert!(
            reports
                .windows(2)
                .all(|w| w[0].out_time_ms <= w[1].out_time_ms)
        );
    }
    assert!(leftovers(dir.path()).is_empty());
}

#[tokio::test]
async fn failed_transcode_leaves_existing_output_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let silent = dir.path().join("silent.mp4");
    testing::no_audio_clip(&silent, 1.0).unwrap();
    let out = dir.path().join("out.mp3");
    std::fs::write(&out, b"previous").unwrap();
    let err = transcode_audio(&silent, &out).await.unwrap_err();
    assert!(matches!(err, MediaError::NoAudioStream { .. }), "{err:?}");
    assert_eq!(std::fs::read(&out).unwrap(), b"previous");
    assert!(leftovers(dir.path()).is_empty());

    let bad = transcode_audio(&silent, &dir.path().join("out.xyz"))
        .await
        .unwrap_err();
    assert!(matches!(bad, MediaError::UnsupportedOutput { .. }));
}

#[tokio::test]
async fn cancelled_job_is_killed_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("long.mp4");
    let token = CancellationToken::new();
    let job = Ffmpeg::new()
        .args([
            "-f",
            "lavfi",
            "-i",
            "testsrc2=s=640x360:r=30:d=600",
            "-c:v",
            "libx264",
            "-preset",
            "medium",
        ])
        .total_duration_ms(600_000)
        .cancel_on(token.clone());
    let canceller = async {
        tokio::time::sleep(Duration::from_millis(400)).await;
        token.cancel();
    };
    let started = std::time::Instant::now();
    let (result, ()) = tokio::join!(job.run_to_file(&out, |_| {}), canceller);
    assert!(
        matches!(result, Err(MediaError::Cancelled { .. })),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(!out.exists());
    assert!(leftovers(dir.path()).is_empty());
}

#[tokio::test]
async fn failing_job_reports_stderr_tail() {
    let dir = tempfile::tempdir().unwrap();
    let err = Ffmpeg::new()
        .args(["-i", "/nonexistent/input.mp4"])
        .run_to_file(&dir.path().join("out.mp4"), |_| {})
        .await
        .unwrap_err();
    match err {
        MediaError::Failed { stderr_tail, .. } => {
            assert!(stderr_tail.contains("No such file"), "{stderr_tail}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn extract_pcm_returns_samples_at_the_requested_rate() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("tone.wav");
    testing::sine_wav(&wav, 1000, 1.0, 44_100).unwrap();
    let mono = extract_pcm(&wav, 16_000, 1).await.unwrap();
    assert!((15_900..=16_100).contains(&mono.len()), "{}", mono.len());
    let rms = (mono.iter().map(|s| s * s).sum::<f32>() / mono.len() as f32).sqrt();
    // lavfi's sine has amplitude 1/8, so RMS = 0.125 / sqrt(2).
    assert!((rms - 0.0884).abs() < 0.005, "{rms}");
    let stereo = extract_pcm_i16(&wav, 48_000, 2).await.unwrap();
    assert!(
        (95_800..=96_200).contains(&stereo.len()),
        "{}",
        stereo.len()
    );
    assert!(stereo.chunks_exact(2).all(|lr| lr[0] == lr[1]));

    let silent = dir.path().join("silent.mp4");
    testing::no_audio_clip(&silent, 1.0).unwrap();
    let err = extract_pcm(&silent, 16_000, 1).await.unwrap_err();
    assert!(matches!(err, MediaError::NoAudioStream { .. }), "{err:?}");
}

#[tokio::test]
async fn frame_decoder_streams_frames_and_audio_taps_from_one_pass() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("red.mp4");
    testing::lavfi_clip(&clip, "color=c=red", 2.0, ClipFormat::SMALL, true).unwrap();
    let mix = dir.path().join("mix.wav");
    let options = DecodeOptions {
        vad_audio: true,
        mix_audio: Some(mix.clone()),
        ..DecodeOptions::fitting(320, 180, 32, 10.0)
    };
    assert_eq!((options.width, options.height), (32, 18));
    let mut decoder = FrameDecoder::open(&clip, options).unwrap();
    let mut frames = Vec::new();
    while let Some(frame) = decoder.next_frame().await.unwrap() {
        assert_eq!(frame.data.len(), 32 * 18 * 3);
        let (r, g, b) = (frame.data[0], frame.data[1], frame.data[2]);
        assert!(r > 200 && g < 60 && b < 60, "{r} {g} {b}");
        frames.push((frame.index, frame.time_ms));
    }
    assert_eq!(frames.len(), 20);
    assert_eq!(frames[5], (5, 500));
    let audio = decoder.finish().await.unwrap();
    let vad = audio.vad_pcm.unwrap();
    assert!((31_000..=33_000).contains(&vad.len()), "{}", vad.len());
    // The generator's tone peaks at 0.1 * 1/8 of full scale (about 410).
    assert!(vad.iter().any(|&s| s.unsigned_abs() > 300));
    assert_eq!(audio.mix_wav.as_deref(), Some(mix.as_path()));
    let info = probe(&mix).await.unwrap();
    let stream = info.audio.unwrap();
    assert_eq!(
        (stream.sample_rate, stream.channels, stream.codec.as_str()),
        (48_000, 2, "pcm_f32le")
    );
    assert!(leftovers(dir.path()).is_empty());
}

#[tokio::test]
async fn dropping_a_decoder_leaves_no_partial_audio() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("clip.mp4");
    testing::lavfi_clip(&clip, "testsrc2", 3.0, ClipFormat::SMALL, true).unwrap();
    let mix = dir.path().join("mix.wav");
    let options = DecodeOptions {
        vad_audio: true,
        mix_audio: Some(mix.clone()),
        ..DecodeOptions::fitting(320, 180, 160, 30.0)
    };
    let mut decoder = FrameDecoder::open(&clip, options).unwrap();
    assert!(decoder.next_frame().await.unwrap().is_some());
    drop(decoder);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!mix.exists());
    assert!(leftovers(dir.path()).is_empty());
}

async fn decode_all(path: &Path, options: DecodeOptions) -> Vec<Vec<u8>> {
    let mut decoder = FrameDecoder::open(path, options).unwrap();
    let mut frames = Vec::new();
    while let Some(frame) = decoder.next_frame().await.unwrap() {
        frames.push(frame.data);
    }
    decoder.finish().await.unwrap();
    frames
}

#[tokio::test]
async fn skipped_unreferenced_frames_arrive_as_repeats_of_the_frame_before() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("b-frames.mp4");
    let format = ClipFormat {
        b_frames: 2,
        ..ClipFormat::SMALL
    };
    testing::lavfi_clip(&clip, "testsrc2", 2.0, format, false).unwrap();
    assert!(probe(&clip).await.unwrap().video.unwrap().b_frames);
    let options = |reference_frames_only| DecodeOptions {
        reference_frames_only,
        ..DecodeOptions::fitting(320, 180, 160, 30.0)
    };
    let every = decode_all(&clip, options(false)).await;
    let skipping = decode_all(&clip, options(true)).await;
    assert_eq!((every.len(), skipping.len()), (60, 60));
    assert!(every.windows(2).all(|pair| pair[0] != pair[1]));
    let mut repeats = 0;
    let mut run = 0;
    for i in 1..60 {
        if skipping[i] == skipping[i - 1] {
            repeats += 1;
            run += 1;
            assert!(run <= 2, "slot {i}: more repeats in a row than B-frames");
        } else {
            run = 0;
            // A decoded frame is exactly the frame a full decode gives.
            assert!(
                skipping[i] == every[i],
                "slot {i} differs from the full decode"
            );
        }
    }
    // Two of every three frames are unreferenced B-frames, except around keyframes.
    assert!(repeats >= 30, "{repeats} repeats");
}

#[tokio::test]
async fn frame_decoder_handles_portrait_and_single_frame_clips() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.mp4");
    testing::one_frame_clip(&one).unwrap();
    let mut decoder =
        FrameDecoder::open(&one, DecodeOptions::fitting(320, 180, 160, 30.0)).unwrap();
    let mut count = 0;
    while decoder.next_frame().await.unwrap().is_some() {
        count += 1;
    }
    assert_eq!(count, 1);
    assert_eq!(decoder.finish().await.unwrap(), DecodedAudio::default());

    let portrait = dir.path().join("portrait.mp4");
    testing::portrait_clip(&portrait, 1.0).unwrap();
    let options = DecodeOptions::fitting(180, 320, 160, 10.0);
    assert_eq!((options.width, options.height), (90, 160));
    let mut decoder = FrameDecoder::open(&portrait, options).unwrap();
    let frame = decoder.next_frame().await.unwrap().unwrap();
    assert_eq!(
        (frame.width, frame.height, frame.data.len()),
        (90, 160, 90 * 160 * 3)
    );
}
