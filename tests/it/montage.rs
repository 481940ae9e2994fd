//! Integration tests: montages cut to composed music, and videos from a description, with
//! real ffmpeg on tiny generated clips (different sizes, orientations and frame rates).
//!
//! The full-size benchmark (60 s of five grainy 20 s 1080p30 clips, smart render against one
//! naive filter graph) runs only when `NEMO_MONTAGE_BENCH_DIR` points at a directory holding
//! `clip1.mp4`..`clip5.mp4`: `cargo test -p nemo-tests --test it montage::bench -- --ignored`.

// Helpers outside `#[test]` functions fail the test on error like the tests themselves.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use nemo_engine::analyze::analyze_clip;
use nemo_engine::montage::{
    self, MontageOptions, MontageSource, PromptVideoOptions, RenderSource, ShotOrder, Transition,
};
use nemo_media::render::EncodeSettings;
use nemo_media::segments::{Framing, count_frames, render_segments};
use nemo_media::testing::{self, ClipFormat};
use tokio_util::sync::CancellationToken;

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(work).await.unwrap()
}

fn fast() -> EncodeSettings {
    EncodeSettings {
        preset: "ultrafast".to_owned(),
        ..EncodeSettings::default()
    }
}

/// Five visually distinct clips: landscape, portrait, wide, square at 25 fps, and a still.
async fn five_sources(dir: &Path, seconds: f64) -> Vec<PathBuf> {
    let dir = dir.to_owned();
    blocking(move || {
        let specs: [(&str, u32, u32, u32); 4] = [
            ("testsrc2", 320, 240, 30),
            ("smptebars", 240, 320, 30),
            ("rgbtestsrc", 426, 240, 30),
            ("testsrc", 240, 240, 25),
        ];
        let mut paths = Vec::new();
        for (i, (source, width, height, fps)) in specs.into_iter().enumerate() {
            let path = dir.join(format!("clip{i}.mp4"));
            let format = ClipFormat {
                width,
                height,
                fps,
                b_frames: 0,
            };
            testing::lavfi_clip(&path, source, seconds, format, i % 2 == 0).unwrap();
            paths.push(path);
        }
        let still = dir.join("still.png");
        testing::png_image(&still, 300, 400).unwrap();
        paths.push(still);
        paths
    })
    .await
}

fn nearest_distance(times: &[f64], t: f64) -> f64 {
    times.iter().map(|b| (b - t).abs()).fold(f64::MAX, f64::min)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn montage_of_mixed_clips_hits_the_length_and_cuts_on_beats() {
    let dir = tempfile::tempdir().unwrap();
    let paths = five_sources(dir.path(), 3.0).await;
    let mut options = MontageOptions::new(7_000);
    options.framing = Framing::BlurPad;
    options.title = Some("Tokyo 2026".to_owned());
    options.mood = Some("upbeat".to_owned());
    let out = dir.path().join("montage.mp4");
    let outcome = montage::make_montage(
        &paths,
        &options,
        fast(),
        &out,
        &dir.path().join("work"),
        CancellationToken::new(),
        |_| {},
    )
    .await
    .unwrap();

    // Length: 7.000 s within one frame, exactly 210 frames, 1920x1080 with AAC stereo.
    let info = nemo_media::probe(&out).await.unwrap();
    let video = info.video.as_ref().unwrap();
    assert_eq!((video.width, video.height), (1920, 1080));
    assert_eq!(count_frames(&out).await.unwrap(), 210);
    assert!(info.duration_ms.unwrap().abs_diff(7_000) <= 34, "{info:?}");
    assert_eq!(info.audio.as_ref().unwrap().sample_rate, 48_000);
    assert_eq!(outcome.music.duration_ms, 7_000);

    // Every source is used, and every planned cut is within 50 ms of a beat of the music.
    let plan = &outcome.plan;
    for i in 0..paths.len() {
        assert!(
            plan.shots.iter().any(|s| s.source == i),
            "source {i} unused: {plan:?}"
        );
    }
    let beats = &outcome.music.beats.beats_ms;
    assert!(!beats.is_empty());
    for cut in plan.cut_times_ms() {
        assert!(
            nearest_distance(beats, cut) <= 50.0,
            "planned cut {cut} vs beats {beats:?}"
        );
    }

    // The cuts really are there: scene detection on the rendered file finds them on beats.
    let profile = analyze_clip(&out).await.unwrap();
    let found: Vec<f64> = profile.cuts.iter().map(|c| c.time_ms as f64).collect();
    assert!(
        found.len() + 1 >= plan.cut_times_ms().len(),
        "found {found:?}, planned {:?}",
        plan.cut_times_ms()
    );
    for cut in &found {
        assert!(
            nearest_distance(beats, *cut) <= 50.0,
            "rendered cut {cut} is off the beat grid {beats:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_second_montage_of_five_clips() {
    // The case at reduced picture sizes: five 20 s clips of different sizes and
    // orientations, 60 s montage, energy arc, crossfades.
    let dir = tempfile::tempdir().unwrap();
    let paths = five_sources(dir.path(), 20.0).await;
    let mut options = MontageOptions::new(60_000);
    options.ordering = ShotOrder::EnergyArc;
    options.transition = Transition::Crossfade;
    options.end_card = Some("See you next year".to_owned());
    let out = dir.path().join("sixty.mp4");
    let started = Instant::now();
    let outcome = montage::make_montage(
        &paths,
        &options,
        fast(),
        &out,
        &dir.path().join("work"),
        CancellationToken::new(),
        |_| {},
    )
    .await
    .unwrap();
    let elapsed = started.elapsed();
    let info = nemo_media::probe(&out).await.unwrap();
    let video = info.video.as_ref().unwrap();
    assert_eq!((video.width, video.height), (1920, 1080));
    assert_eq!(count_frames(&out).await.unwrap(), 1800);
    assert!(info.duration_ms.unwrap().abs_diff(60_000) <= 34, "{info:?}");
    let beats = &outcome.music.beats.beats_ms;
    let cuts = outcome.plan.cut_times_ms();
    assert!(cuts.len() >= 10, "{cuts:?}");
    for cut in &cuts {
        assert!(nearest_distance(beats, *cut) <= 50.0, "cut {cut}");
    }
    assert!(elapsed.as_secs() < 120, "took {elapsed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn montage_plan_becomes_a_draft_the_engine_renderer_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let paths = five_sources(dir.path(), 2.0).await;
    let mut sources: Vec<MontageSource> = Vec::new();
    for path in &paths {
        sources.push(montage::analyze_source(path).await.unwrap());
    }
    let summaries: Vec<_> = sources.iter().map(MontageSource::summary).collect();
    let options = MontageOptions::new(5_000);
    let layout = montage::layout(&summaries, &options).unwrap();
    let music = montage::compose_music(
        montage::music_brief(&sources, &options, &layout),
        dir.path(),
    )
    .await
    .unwrap();
    let plan = montage::plan_from_layout(&summaries, &options, &layout, &music.beats);
    let ids: Vec<String> = (0..sources.len()).map(|i| format!("md_{i}")).collect();
    let renderable: Vec<RenderSource> = sources.iter().map(RenderSource::from).collect();
    let draft = plan.to_draft(&ids, &renderable, Some("md_music"), Some(&music));
    assert_eq!(draft.d, Some(5_000));
    let json = serde_json::to_value(&draft).unwrap();
    assert_eq!(json["t"][0]["tt"], 0);
    assert_eq!(json["t"][1]["tt"], 1);
    assert_eq!(json["t"][1]["sg"][0]["src"], "md_music");

    // The same plan through the smart renderer: frame-exact.
    let segments = plan.segment_plan(&renderable, Some(&music.path), fast());
    let out = dir.path().join("plan.mp4");
    let report = render_segments(
        &segments,
        &out,
        &dir.path().join("work"),
        CancellationToken::new(),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(report.frames, 150);
    assert_eq!(count_frames(&out).await.unwrap(), 150);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn description_without_files_becomes_a_generated_1080p_video() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = PromptVideoOptions::new("a 4-second upbeat video for my bakery opening");
    options.encode = fast();
    assert_eq!(options.duration_ms, 4_000);
    let out = dir.path().join("bakery.mp4");
    let video = montage::video_from_prompt(
        &options,
        &out,
        &dir.path().join("work"),
        CancellationToken::new(),
        |_| {},
    )
    .await
    .unwrap();
    assert!(video.visuals_generated);
    assert_eq!(video.title.as_deref(), Some("Bakery Opening"));
    let info = nemo_media::probe(&out).await.unwrap();
    let v = info.video.as_ref().unwrap();
    assert_eq!((v.width, v.height, v.codec.as_str()), (1920, 1080, "h264"));
    let a = info.audio.as_ref().unwrap();
    assert_eq!(
        (a.codec.as_str(), a.sample_rate, a.channels),
        ("aac", 48_000, 2)
    );
    assert!(info.duration_ms.unwrap().abs_diff(4_000) <= 40, "{info:?}");
    // The picture follows the music: brightness pulses, so frames differ over time.
    let profile = analyze_clip(&out).await.unwrap();
    assert!(profile.features.motion > 0.001, "{:?}", profile.features);

    let mut zh = PromptVideoOptions::new("生成一个3秒的旅行混剪视频");
    zh.encode = fast();
    let out = dir.path().join("travel.mp4");
    let video = montage::video_from_prompt(
        &zh,
        &out,
        &dir.path().join("work"),
        CancellationToken::new(),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(video.title.as_deref(), Some("旅行混剪"));
    assert!(video.info.duration_ms.unwrap().abs_diff(3_000) <= 40);
}

// ---- chat-built montages exported through the protocol (segment renderer in the worker) ----

/// A 320x180 clip: a moving `testsrc2` box over a solid `colour` background (moving, so the
/// montage's quality analysis sees a usable clip; mostly one colour, so blends are measurable).
fn coloured_clip(path: &Path, colour: &str, seconds: f64) {
    let graph = format!(
        "color=c={colour}:s=320x180:r=30:d={seconds}[bg];testsrc2=s=64x48:r=30:d={seconds}[box];\
         [bg][box]overlay=x='mod(t*90,256)':y=66,format=yuv420p[v]"
    );
    testing::ffmpeg_blocking([
        "-filter_complex",
        &graph,
        "-map",
        "[v]",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        path.to_str().unwrap(),
    ])
    .unwrap();
}

/// Frame `n` of `video` scaled to `w`x`h`, RGB24.
fn frame_rgb(video: &Path, n: u64, w: u32, h: u32) -> Vec<u8> {
    let out = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(video)
        .args([
            "-vf",
            &format!("select=eq(n\\,{n}),scale={w}:{h}:flags=area"),
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout.len(), (w * h * 3) as usize, "frame {n} decoded");
    out.stdout
}

/// Mean of channel `c` (0 = R, 2 = B) over columns `x0..x1` of an RGB24 frame `w` wide.
fn mean_channel(rgb: &[u8], w: u32, c: usize, x0: u32, x1: u32) -> f64 {
    let values: Vec<f64> = rgb
        .chunks(3)
        .enumerate()
        .filter(|(i, _)| (x0..x1).contains(&((*i as u32) % w)))
        .map(|(_, px)| f64::from(px[c]))
        .collect();
    values.iter().sum::<f64>() / values.len() as f64
}

async fn download(client: &crate::engine::Client, id: &str, dir: &Path) -> PathBuf {
    let (status, bytes) = client.download(id).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let path = dir.join(format!("{id}.mp4"));
    std::fs::write(&path, bytes).unwrap();
    path
}

fn shots_of(state: &serde_json::Value) -> Vec<serde_json::Value> {
    state["state"]["draft"]["t"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["tt"] == 0))
        .and_then(|t| t["sg"].as_array().cloned())
        .unwrap()
}

/// "make a 4-second montage ... with crossfades" in chat, exported through the protocol: the
/// worker renders the crossfade (frame count exact; the frame at the cut is a blend of the red
/// and the blue clip, the frames outside the transition are not).
#[tokio::test]
async fn a_chat_montage_with_crossfades_exports_the_crossfade() {
    let dir = tempfile::tempdir().unwrap();
    let (red, blue) = (dir.path().join("red.mp4"), dir.path().join("blue.mp4"));
    {
        let (red, blue) = (red.clone(), blue.clone());
        blocking(move || {
            coloured_clip(&red, "red", 3.0);
            coloured_clip(&blue, "blue", 3.0);
        })
        .await;
    }
    let engine = crate::engine::start(crate::engine::test_config(&dir.path().join("e"))).await;
    let client = crate::engine::Client::new(&engine, "montage-xfade").await;
    let session = client.session().await;
    client
        .upload(
            &session,
            &[
                ("red.mp4", std::fs::read(&red).unwrap()),
                ("blue.mp4", std::fs::read(&blue).unwrap()),
            ],
        )
        .await;
    let reply = client
        .say(
            &session,
            "make a 4-second montage of these clips with crossfades",
        )
        .await;
    assert!(reply.starts_with("Made a 4 s montage"), "{reply}");
    let state = client.state(&session).await;
    let shots = shots_of(&state);
    let cut = (1..shots.len())
        .find(|&i| shots[i]["src"] != shots[i - 1]["src"])
        .expect("a cut between the two clips");
    let montage = &shots[cut]["m"]["montage"];
    assert_eq!(montage["transition_in"], "crossfade");
    let cut_frame = montage["start_frame"].as_u64().unwrap();
    let half = (montage["transition_ms"].as_u64().unwrap() * 30).div_ceil(1000) / 2;
    assert!(half >= 2, "{montage}");

    let started = Instant::now();
    let done = client.render(&session, "xfade").await;
    let render_s = started.elapsed().as_secs_f64();
    assert_eq!(done["status"], "completed", "{done}");
    let out = download(&client, "xfade", dir.path()).await;
    let frames = count_frames(&out).await.unwrap();
    assert_eq!(frames, 120, "4 s at 30 fps, frame-exact");
    let info = nemo_media::probe(&out).await.unwrap();
    let video = info.video.as_ref().unwrap();
    assert_eq!((video.width, video.height), (1920, 1080));
    assert!(info.audio.is_some());

    let red_at = |n: u64| mean_channel(&frame_rgb(&out, n, 64, 36), 64, 0, 0, 64);
    let (before, mid, after) = (
        red_at(cut_frame - half - 2),
        red_at(cut_frame),
        red_at(cut_frame + half + 1),
    );
    let gap = (before - after).abs();
    eprintln!(
        "crossfade: cut at frame {cut_frame}, half {half}, mean R before {before:.1}, \
         at the cut {mid:.1}, after {after:.1}; render {render_s:.2} s"
    );
    assert!(
        gap > 120.0,
        "one side red, the other blue: {before} vs {after}"
    );
    let (lo, hi) = (before.min(after), before.max(after));
    assert!(
        mid > lo + 0.25 * gap && mid < hi - 0.25 * gap,
        "the frame at the cut is a blend: {mid:.1} between {lo:.1} and {hi:.1}"
    );
    engine.shutdown().await.unwrap();
}

/// Portrait clips: the letterboxed export has black sides; after "use blur background for
/// portrait clips" the export's sides are a blurred copy of the picture (not black).
#[tokio::test]
async fn blur_pad_exports_differ_from_letterbox() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.mp4"), dir.path().join("b.mp4"));
    {
        let (a, b) = (a.clone(), b.clone());
        blocking(move || {
            testing::portrait_clip(&a, 3.0).unwrap();
            testing::portrait_clip(&b, 3.0).unwrap();
        })
        .await;
    }
    let engine = crate::engine::start(crate::engine::test_config(&dir.path().join("e"))).await;
    let client = crate::engine::Client::new(&engine, "montage-blur").await;
    let session = client.session().await;
    client
        .upload(
            &session,
            &[
                ("a.mp4", std::fs::read(&a).unwrap()),
                ("b.mp4", std::fs::read(&b).unwrap()),
            ],
        )
        .await;
    let reply = client
        .say(&session, "make a 4-second montage of these clips")
        .await;
    assert!(reply.starts_with("Made a 4 s montage"), "{reply}");
    let done = client.render(&session, "letterbox").await;
    assert_eq!(done["status"], "completed", "{done}");
    let letterbox = download(&client, "letterbox", dir.path()).await;

    let reply = client
        .say(&session, "use blur background for portrait clips")
        .await;
    let state = client.state(&session).await;
    assert_eq!(state["state"]["draft"]["m"]["framing"], "blur", "{reply}");
    let done = client.render(&session, "blurred").await;
    assert_eq!(done["status"], "completed", "{done}");
    let blurred = download(&client, "blurred", dir.path()).await;

    for file in [&letterbox, &blurred] {
        assert_eq!(count_frames(file).await.unwrap(), 120);
    }
    // 96 columns wide: a 9:16 picture fitted to the height covers the middle ~30; the outer
    // 24 columns each side are padding.
    let mut sides = Vec::new();
    for file in [&letterbox, &blurred] {
        let mut level = 0.0;
        for n in [15, 60, 105] {
            let rgb = frame_rgb(file, n, 96, 54);
            for c in 0..3 {
                level += mean_channel(&rgb, 96, c, 0, 24) + mean_channel(&rgb, 96, c, 72, 96);
            }
        }
        sides.push(level / 18.0);
    }
    eprintln!(
        "side regions: letterbox mean {:.1}, blur-pad mean {:.1}",
        sides[0], sides[1]
    );
    assert!(sides[0] < 3.0, "letterbox sides are black: {}", sides[0]);
    assert!(
        sides[1] > 25.0,
        "blur-pad sides show the picture: {}",
        sides[1]
    );
    engine.shutdown().await.unwrap();
}
