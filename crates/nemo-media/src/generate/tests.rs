//! Palette table, beat expressions and a real (tiny) generated video.

use super::*;
use crate::testing;

#[test]
fn palette_follows_valence_and_arousal() {
    let happy = palette_for_mood(0.8, 0.6);
    let sad = palette_for_mood(-0.7, -0.5);
    assert!(
        happy.hue < 90.0,
        "warm hue for positive moods: {}",
        happy.hue
    );
    assert!(sad.hue > 200.0, "cool hue for negative moods: {}", sad.hue);
    let warm = happy.colors[0];
    assert!(warm.r > warm.b, "{warm:?}");
    let cool = sad.colors[0];
    assert!(cool.b > cool.r, "{cool:?}");
    let calm = palette_for_mood(0.3, -0.9);
    let excited = palette_for_mood(0.3, 0.9);
    let value = |c: Rgb| c.r.max(c.g).max(c.b);
    assert!(value(excited.colors[0]) > value(calm.colors[0]));
    assert_eq!(palette_for_mood(f32::NAN, 0.0), palette_for_mood(0.0, 0.0));
}

#[test]
fn hsv_conversion() {
    assert_eq!(Rgb::from_hsv(0.0, 1.0, 1.0), Rgb { r: 255, g: 0, b: 0 });
    assert_eq!(Rgb::from_hsv(120.0, 1.0, 1.0), Rgb { r: 0, g: 255, b: 0 });
    assert_eq!(Rgb::from_hsv(240.0, 1.0, 0.5), Rgb { r: 0, g: 0, b: 128 });
    assert_eq!(
        Rgb {
            r: 1,
            g: 171,
            b: 255
        }
        .hex(),
        "0x01ABFF"
    );
}

#[test]
fn pulse_grid_comes_from_the_beats() {
    let beats: Vec<f64> = (0..16).map(|k| 250.0 + 500.0 * f64::from(k)).collect();
    let pulse = Pulse::through(&beats, 1.0);
    assert!((pulse.period - 0.5).abs() < 1e-9);
    assert!((pulse.phase - 0.25).abs() < 1e-9);
    let none = Pulse::through(&[], 0.6);
    assert!((none.period - 0.6).abs() < 1e-9);
    assert!(none.phase.abs() < 1e-9);
}

fn spec(music: PathBuf, title: Option<&str>, reactive: Reactive) -> VisualsSpec {
    VisualsSpec {
        music,
        duration_ms: 2500,
        beat_times_ms: (0..5).map(|k| 100.0 + 500.0 * f64::from(k)).collect(),
        downbeat_times_ms: vec![100.0, 2100.0],
        palette: palette_for_mood(0.7, 0.6),
        title: title.map(str::to_owned),
        reactive,
        fps: 30,
        encode: EncodeSettings {
            preset: "ultrafast".to_owned(),
            ..EncodeSettings::default()
        },
    }
}

#[test]
fn graph_syncs_to_the_beat_and_keeps_the_title_out() {
    let s = spec(
        PathBuf::from("m.wav"),
        Some("Bakery: opening, 'day' [1]"),
        Reactive::Waves,
    );
    let graph = visuals_graph(&s, Some(Path::new("/tmp/title.txt")));
    assert!(
        graph.contains("eq=brightness='0.14*exp(-5*mod(t-0.100000+500.000000,0.500000)/0.500000)'"),
        "{graph}"
    );
    assert!(
        graph.contains("hue=h='floor((t-0.100000+2000.000000)/2.000000)*35"),
        "{graph}"
    );
    assert!(graph.contains("showwaves"), "{graph}");
    assert!(graph.contains("textfile=/tmp/title.txt"), "{graph}");
    assert!(!graph.contains("Bakery"), "{graph}");
    let spectrum = visuals_graph(
        &spec(PathBuf::from("m.wav"), None, Reactive::Spectrum),
        None,
    );
    assert!(
        spectrum.contains("showspectrum") && !spectrum.contains("drawtext"),
        "{spectrum}"
    );
    let scope = visuals_graph(&spec(PathBuf::from("m.wav"), None, Reactive::Scope), None);
    assert!(scope.contains("avectorscope"), "{scope}");
}

#[test]
fn long_titles_get_smaller_type() {
    assert!(title_size("Hi") >= title_size("A much longer title for the bakery opening day"));
    assert!(title_size("生成一个六十秒的旅行混剪视频") <= 140);
    assert!(title_size(&"x".repeat(500)) >= 40);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generates_a_verified_1080p_video_of_the_music_length() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("music.wav");
    let w = wav.clone();
    tokio::task::spawn_blocking(move || testing::sine_wav(&w, 330, 3.0, 48_000).unwrap())
        .await
        .unwrap();
    let out = dir.path().join("generated.mp4");
    for reactive in [Reactive::Waves, Reactive::Scope] {
        let info = generate_visuals(
            &spec(wav.clone(), Some("Grand opening 开业"), reactive),
            &out,
            &dir.path().join("work"),
            CancellationToken::new(),
            |_| {},
        )
        .await
        .unwrap();
        let video = info.video.as_ref().unwrap();
        assert_eq!(
            (video.width, video.height, video.codec.as_str()),
            (1920, 1080, "h264")
        );
        let audio = info.audio.as_ref().unwrap();
        assert_eq!(
            (audio.codec.as_str(), audio.sample_rate, audio.channels),
            ("aac", 48_000, 2)
        );
        assert!(info.duration_ms.unwrap().abs_diff(2500) <= 40, "{info:?}");
    }
}
