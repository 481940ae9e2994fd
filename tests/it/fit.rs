//! Music fitted to the video, end to end: the in-process engine, "add background music that
//! matches my video", export, and measurements on the rendered file with ffmpeg.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on unexpected input"
)]

use std::path::Path;

use nemo_media::testing::{ClipFormat, DISTINCT_LOOKS, cuts_clip, speech_clip};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::engine::{Client, start, test_config};

const ASK: &str = "add background music that matches my video";

/// Renders `draft` as `id` and returns the downloaded file's path.
async fn export(
    client: &Client,
    session: &str,
    id: &str,
    draft: &Value,
    dir: &Path,
) -> std::path::PathBuf {
    let (status, body) = client
        .post(
            "/api/render/proxy/lambda",
            &json!({"id": id, "sessionId": session, "draft": draft,
                    "output": {"format": "mp4", "quality": "high"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let done = client.wait_render(id).await;
    assert_eq!(done["status"], "completed", "{done}");
    let (status, bytes) = client.download(id).await;
    assert_eq!(status, StatusCode::OK);
    let path = dir.join(format!("{id}.mp4"));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// ffmpeg's EBU R128 summary of a file: (integrated LUFS, true peak dBTP).
fn ebur128(path: &Path) -> (f64, f64) {
    let out = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats", "-i"])
        .arg(path)
        .args([
            "-map",
            "0:a:0",
            "-af",
            "ebur128=peak=true",
            "-f",
            "null",
            "-",
        ])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    let summary = &log[log.rfind("Summary:").unwrap()..];
    let value = |label: &str| -> f64 {
        let at = summary.find(label).unwrap() + label.len();
        summary[at..]
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    (value("I:"), value("Peak:"))
}

/// The rendered audio as 48 kHz mono f32 (decoded by ffmpeg).
async fn decoded(path: &Path) -> Vec<f32> {
    nemo_media::extract_pcm(path, 48_000, 1).await.unwrap()
}

fn rms_db(pcm: &[f32], from_ms: u64, to_ms: u64) -> f64 {
    let window = &pcm[(from_ms * 48) as usize..(to_ms * 48) as usize];
    let power = window.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / window.len() as f64;
    10.0 * power.max(1e-20).log10()
}

fn music_segment(draft: &Value) -> Value {
    draft["t"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tt"] == 1)
        .unwrap()["sg"][0]
        .clone()
}

async fn generated_report(client: &Client, session: &str) -> Value {
    let state = client.state(session).await;
    let media = state["generated_media"]
        .as_array()
        .or_else(|| state["state"]["generated_media"].as_array())
        .unwrap_or_else(|| panic!("no generated media in {state}"));
    media.last().unwrap()["meta"]["report"].clone()
}

/// A 10 s clip of four distinct shots; returns its path and the true cut times (ms).
fn four_shot_clip(dir: &Path) -> (std::path::PathBuf, Vec<u64>) {
    let clip = dir.join("cuts.mp4");
    let shots = [
        (DISTINCT_LOOKS[0], 2.0),
        (DISTINCT_LOOKS[1], 2.5),
        (DISTINCT_LOOKS[2], 3.0),
        (DISTINCT_LOOKS[3], 2.5),
    ];
    let cuts = cuts_clip(&clip, &shots, ClipFormat::SMALL).unwrap();
    (clip, cuts)
}

/// An engine under `dir`, a client named `name` and a session holding `clip`.
async fn engine_with_clip(
    dir: &Path,
    name: &str,
    clip: &Path,
) -> (nemo_engine::RunningEngine, Client, String) {
    let engine = start(test_config(&dir.join("engine"))).await;
    let client = Client::new(&engine, name).await;
    let session = client.session().await;
    let file_name = clip.file_name().unwrap().to_str().unwrap();
    let (status, body) = client
        .upload(&session, &[(file_name, std::fs::read(clip).unwrap())])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (engine, client, session)
}

#[tokio::test]
async fn fitted_music_ducks_under_speech_and_lands_at_the_loudness_target() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("talk.mp4");
    let truth = speech_clip(
        &clip,
        &[
            (4.0, "this is a test of the ducking of background music"),
            (10.0, "and here the music should be quiet again"),
        ],
        16.0,
        ClipFormat::SMALL,
    )
    .unwrap();
    let (engine, client, session) = engine_with_clip(dir.path(), "fit-speech", &clip).await;

    let reply = client.say(&session, ASK).await;
    assert!(reply.contains("kept low under speech"), "{reply}");
    let draft = client.state(&session).await["state"]["draft"].clone();
    let video_ms = draft["d"].as_i64().unwrap();
    assert_eq!(music_segment(&draft)["d"].as_i64(), Some(video_ms));
    let report = generated_report(&client, &session).await;
    assert_eq!(report["duration_ms"].as_i64(), Some(video_ms), "{report}");

    // The full mix: at the target on the rendered file.
    let mixed = export(&client, &session, "fit_mix", &draft, dir.path()).await;
    let (lufs, peak) = ebur128(&mixed);
    assert!((lufs + 14.0).abs() <= 1.0, "integrated {lufs} LUFS");
    assert!(peak <= -1.0, "true peak {peak} dBTP");
    let info = nemo_media::probe(&mixed).await.unwrap();
    let audio_ms = info.duration_ms.unwrap();
    assert!(
        audio_ms.abs_diff(video_ms as u64) <= 50,
        "{audio_ms} vs {video_ms}"
    );

    // The music bed as it sits in the mix (the instrumental stem export), against the same
    // music with ducking off. The music is composed per session (its seed follows the session
    // id), so its own dynamics vary between runs; comparing the ducked bed with the unducked
    // one region by region measures the ducking itself: at least 9 dB down in every speech
    // region, level outside speech. The bed is also checked against its own level away from
    // speech, as a listener would hear it.
    let mut stem_draft = draft.clone();
    stem_draft["m"]["export_stem"] = json!("music");
    let stem = export(&client, &session, "fit_stem", &stem_draft, dir.path()).await;
    let ducked = decoded(&stem).await;
    let mut open_draft = stem_draft.clone();
    open_draft["t"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .filter(|t| t["tt"] == 1)
        .for_each(|t| t["sg"][0]["m"]["duck"] = json!(false));
    let unducked_stem = export(&client, &session, "fit_stem_open", &open_draft, dir.path()).await;
    let unducked = decoded(&unducked_stem).await;
    // Both renders are normalised to the loudness target, so the unducked one is turned down a
    // little overall; that common offset is read away from speech and taken out.
    let away = [(1500, 3300), (7200, 9300)];
    let offsets: Vec<f64> = away
        .iter()
        .map(|&(from, to)| rms_db(&unducked, from, to) - rms_db(&ducked, from, to))
        .collect();
    assert!(
        (offsets[0] - offsets[1]).abs() <= 1.0,
        "away from speech the bed must not move: offsets {offsets:?} dB"
    );
    let offset = offsets.iter().sum::<f64>() / offsets.len() as f64;
    for (k, &(s, e)) in truth.iter().enumerate() {
        let (from, to) = (s + 200, e.saturating_sub(100));
        let depth = rms_db(&unducked, from, to) - rms_db(&ducked, from, to) - offset;
        assert!(
            depth >= 9.0,
            "speech region {k} {:?}: ducked by only {depth:.1} dB",
            truth[k]
        );
    }
    let outside_db = f64::midpoint(rms_db(&ducked, 1500, 3300), rms_db(&ducked, 7200, 9300));
    for (k, &(s, e)) in truth.iter().enumerate() {
        let level = rms_db(&ducked, s + 200, e.saturating_sub(100));
        assert!(
            outside_db - level >= 6.0,
            "speech region {k}: bed {level:.1} dB inside vs {outside_db:.1} dB outside"
        );
    }

    // Muting the original audio: no speech to protect, the bed plays at full level.
    let mut muted = draft.clone();
    muted["m"]["mute_original"] = json!(true);
    let open = export(&client, &session, "fit_muted", &muted, dir.path()).await;
    let pcm = decoded(&open).await;
    let (s, e) = truth[0];
    let drop = rms_db(&pcm, 1500, 3300) - rms_db(&pcm, s + 200, e - 100);
    assert!(drop < 6.0, "muted original still ducks by {drop:.1} dB");
    engine.shutdown().await.unwrap();
}

#[tokio::test]
async fn beats_land_on_the_cuts() {
    let dir = tempfile::tempdir().unwrap();
    let (clip, cuts) = four_shot_clip(dir.path());
    let (engine, client, session) = engine_with_clip(dir.path(), "fit-cuts", &clip).await;
    let reply = client.say(&session, ASK).await;
    assert!(reply.contains("3 of 3 cuts on the beat"), "{reply}");
    let report = generated_report(&client, &session).await;
    let beats: Vec<f64> = report["beat_times_ms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_f64().unwrap())
        .collect();
    for cut in &cuts {
        let nearest = beats
            .iter()
            .map(|b| (b - *cut as f64).abs())
            .fold(f64::INFINITY, f64::min);
        assert!(
            nearest <= 50.0,
            "cut at {cut} ms is {nearest:.0} ms from a beat"
        );
    }
    assert!((report["accent_hit_ratio"].as_f64().unwrap() - 1.0).abs() < 1e-9);
    let draft = client.state(&session).await["state"]["draft"].clone();
    assert_eq!(report["duration_ms"].as_i64(), draft["d"].as_i64());
    let rendered = export(&client, &session, "cuts_mix", &draft, dir.path()).await;
    let (lufs, peak) = ebur128(&rendered);
    assert!(
        (lufs + 14.0).abs() <= 1.0 && peak <= -1.0,
        "{lufs} LUFS, {peak} dBTP"
    );
    engine.shutdown().await.unwrap();
}

/// "make the music faster" after fitted music: the restyle goes through the fitted path, so
/// the new track is faster, exactly as long as the video, and its beats still land on the cuts.
#[tokio::test]
async fn a_restyle_keeps_the_cut_accents() {
    let dir = tempfile::tempdir().unwrap();
    let (clip, cuts) = four_shot_clip(dir.path());
    let (engine, client, session) = engine_with_clip(dir.path(), "fit-restyle", &clip).await;
    let reply = client.say(&session, ASK).await;
    assert!(reply.contains("on the beat"), "{reply}");
    let first = generated_report(&client, &session).await;
    let first_bpm = first["bpm"].as_f64().unwrap();

    let reply = client.say(&session, "make the music faster").await;
    assert!(
        reply.contains("on the beat"),
        "the reply says how it fits: {reply}"
    );
    let report = generated_report(&client, &session).await;
    let bpm = report["bpm"].as_f64().unwrap();
    let hit_ratio = report["fit"]["report"]["accent_hit_ratio"]
        .as_f64()
        .unwrap();
    let beats: Vec<f64> = report["beat_times_ms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_f64().unwrap())
        .collect();
    let hits = cuts
        .iter()
        .filter(|&&cut| beats.iter().any(|b| (b - cut as f64).abs() <= 50.0))
        .count();
    eprintln!(
        "restyle: {first_bpm:.1} -> {bpm:.1} BPM, {hits} of {} cuts within 50 ms of a beat \
         (reported hit ratio {hit_ratio:.2})",
        cuts.len()
    );
    assert!(bpm > first_bpm * 1.1, "faster: {first_bpm} -> {bpm}");
    assert!(hit_ratio >= 2.0 / 3.0 - 1e-9, "{hit_ratio}");
    assert!(
        hits * 3 >= cuts.len() * 2,
        "{hits} of {} cuts on beats",
        cuts.len()
    );
    let draft = client.state(&session).await["state"]["draft"].clone();
    assert_eq!(
        report["duration_ms"].as_i64(),
        draft["d"].as_i64(),
        "exact length"
    );
    assert!(
        report["fit"]["plan"]["energy"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
    );
    engine.shutdown().await.unwrap();
}
