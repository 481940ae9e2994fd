//! Integration tests: rendering a draft to a real 1080p MP4 through the engine (upload ->
//! chat -> state -> render -> poll -> download) and checking the file with ffprobe.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use nemo_media::testing::{ClipFormat, lavfi_clip};
use reqwest::StatusCode;
use serde_json::Value;

use crate::engine::{Client, clip, png, start, test_config};

/// `ffprobe` fields the output contract is about.
fn ffprobe_streams(path: &Path) -> Value {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "stream=codec_type,codec_name,profile,pix_fmt,width,height,sample_rate,channels:format=duration", "-of", "json"])
        .arg(path)
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

fn stream<'a>(probe: &'a Value, kind: &str) -> &'a Value {
    probe["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["codec_type"] == kind)
        .unwrap()
}

fn duration_ms(probe: &Value) -> i64 {
    (probe["format"]["duration"]
        .as_str()
        .unwrap()
        .parse::<f64>()
        .unwrap()
        * 1000.0)
        .round() as i64
}

/// md5 of a file's video packets (equal when the stream was copied).
fn video_packets_md5(path: &Path) -> String {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-map", "0:v:0", "-c", "copy", "-f", "md5", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn assert_output_contract(probe: &Value, expected_ms: i64) {
    let video = stream(probe, "video");
    assert_eq!(
        (video["width"].as_i64(), video["height"].as_i64()),
        (Some(1920), Some(1080)),
        "{probe}"
    );
    assert_eq!(
        (video["codec_name"].as_str(), video["pix_fmt"].as_str()),
        (Some("h264"), Some("yuv420p")),
        "{probe}"
    );
    assert_eq!(video["profile"], "High", "{probe}");
    let audio = stream(probe, "audio");
    assert_eq!(
        (
            audio["codec_name"].as_str(),
            audio["sample_rate"].as_str(),
            audio["channels"].as_i64()
        ),
        (Some("aac"), Some("48000"), Some(2)),
        "{probe}"
    );
    let d = duration_ms(probe);
    assert!(
        (d - expected_ms).abs() <= 50,
        "duration {d} ms, expected {expected_ms} ms"
    );
}

#[tokio::test]
async fn upload_chat_render_download_gives_a_verified_1080p_mp4() {
    let dir = tempfile::tempdir().unwrap();
    let engine = start(test_config(dir.path())).await;
    let client = Client::new(&engine, "c").await;
    let session = client.session().await;
    let (status, body) = client
        .upload(
            &session,
            &[
                ("a.mp4", clip(dir.path(), "a.mp4", 2.0, true)),
                ("b.png", png(dir.path())),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    client
        .say(&session, "trim the second clip to 1 second")
        .await;
    client.say(&session, "add calm background music").await;
    client
        .say(&session, "add a title \"Ünïcödé: 'quotes' & 100%\"")
        .await;
    let started = Instant::now();
    let done = client.render(&session, "render_full").await;
    let elapsed = started.elapsed();
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["progress"], 100.0);
    assert!(done["completedAt"].as_i64().unwrap() >= done["createdAt"].as_i64().unwrap());
    let url = done["outputUrl"].as_str().unwrap();
    assert!(
        url.starts_with(engine.base_url())
            && std::path::Path::new(url)
                .extension()
                .is_some_and(|e| e == "mp4"),
        "{url}"
    );

    let (status, bytes) = client.download("render_full").await;
    assert_eq!(status, StatusCode::OK);
    let out = dir.path().join("out.mp4");
    std::fs::write(&out, &bytes).unwrap();
    assert_output_contract(&ffprobe_streams(&out), 3000);
    let via_url = reqwest::get(url).await.unwrap().bytes().await.unwrap();
    assert_eq!(
        via_url.as_ref(),
        bytes.as_slice(),
        "outputUrl serves the same file"
    );
    // faststart: the moov atom comes before mdat.
    let moov = bytes.windows(4).position(|w| w == b"moov").unwrap();
    let mdat = bytes.windows(4).position(|w| w == b"mdat").unwrap();
    assert!(moov < mdat);
    assert!(elapsed.as_secs() < 60, "3 s render took {elapsed:?}");
    engine.shutdown().await.unwrap();
}

#[tokio::test]
async fn adding_music_to_a_1080p_h264_clip_copies_the_video_stream() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("hd.mp4");
    let hd = ClipFormat {
        width: 1920,
        height: 1080,
        ..ClipFormat::SMALL
    };
    lavfi_clip(&source, "testsrc2", 2.0, hd, true).unwrap();
    let engine = start(test_config(dir.path())).await;
    let client = Client::new(&engine, "c").await;
    let session = client.session().await;
    client
        .upload(&session, &[("hd.mp4", std::fs::read(&source).unwrap())])
        .await;
    client.say(&session, "add upbeat background music").await;
    let done = client.render(&session, "render_copy").await;
    assert_eq!(done["status"], "completed", "{done}");
    let (_, bytes) = client.download("render_copy").await;
    let out = dir.path().join("out.mp4");
    std::fs::write(&out, &bytes).unwrap();
    let probe = ffprobe_streams(&out);
    assert_eq!(
        video_packets_md5(&out),
        video_packets_md5(&source),
        "video was re-encoded"
    );
    assert_eq!(stream(&probe, "audio")["codec_name"], "aac");
    assert!((duration_ms(&probe) - 2000).abs() <= 50, "{probe}");
    engine.shutdown().await.unwrap();
}

#[tokio::test]
async fn portrait_clips_are_padded_not_stretched() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("tall.mp4");
    lavfi_clip(
        &source,
        "color=c=white",
        1.0,
        ClipFormat {
            width: 180,
            height: 320,
            ..ClipFormat::SMALL
        },
        false,
    )
    .unwrap();
    let engine = start(test_config(dir.path())).await;
    let client = Client::new(&engine, "c").await;
    let session = client.session().await;
    client
        .upload(&session, &[("tall.mp4", std::fs::read(&source).unwrap())])
        .await;
    assert_eq!(
        client.render(&session, "render_tall").await["status"],
        "completed"
    );
    let (_, bytes) = client.download("render_tall").await;
    let out = dir.path().join("out.mp4");
    std::fs::write(&out, &bytes).unwrap();
    assert_output_contract(&ffprobe_streams(&out), 1000);
    // Sample a pixel in the left border (black padding) and the centre (white picture).
    let frame = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&out)
        .args([
            "-frames:v",
            "1",
            "-vf",
            "scale=192:108",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "gray",
            "-",
        ])
        .output()
        .unwrap()
        .stdout;
    assert_eq!(frame.len(), 192 * 108);
    let at = |x: usize, y: usize| frame[y * 192 + x];
    assert!(
        at(5, 54) < 30,
        "left border should be black padding, got {}",
        at(5, 54)
    );
    assert!(
        at(96, 54) > 220,
        "centre should be the white picture, got {}",
        at(96, 54)
    );
    engine.shutdown().await.unwrap();
}
