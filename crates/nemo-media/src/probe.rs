//! `ffprobe` metadata: duration, streams, image detection.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::process::run_capture;
use crate::{MediaError, tools};

/// What ffprobe says about a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaInfo {
    /// ffprobe's `format_name`, e.g. `mov,mp4,m4a,3gp,3g2,mj2`, `png_pipe`, `wav`.
    pub format_name: String,
    /// Container duration in milliseconds; `None` for still images and unknown durations.
    pub duration_ms: Option<u64>,
    /// File size in bytes when ffprobe reports it.
    pub size_bytes: Option<u64>,
    /// The first video stream that is not cover art.
    pub video: Option<VideoStream>,
    /// The first audio stream.
    pub audio: Option<AudioStream>,
    /// True for still images (png, jpeg, webp, bmp, tiff, single-frame gif).
    pub is_image: bool,
}

/// The first real video stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VideoStream {
    /// Stream index in the container.
    pub index: u32,
    /// Codec name, e.g. `h264`, `hevc`, `png`.
    pub codec: String,
    /// Coded width in pixels (before rotation).
    pub width: u32,
    /// Coded height in pixels (before rotation).
    pub height: u32,
    /// Average frame rate; `None` when ffprobe reports `0/0`.
    pub fps: Option<f64>,
    /// Pixel format, e.g. `yuv420p`.
    pub pix_fmt: Option<String>,
    /// Display rotation in degrees, normalised to 0, 90, 180 or 270.
    pub rotation: u32,
    /// Number of frames when the container says.
    pub frame_count: Option<u64>,
    /// The stream reorders frames (B-frames), so some of its frames are never referenced by
    /// others and a decoder can skip them.
    #[serde(default)]
    pub b_frames: bool,
}

impl VideoStream {
    /// Width as displayed (after rotation), which is what ffmpeg outputs by default.
    pub fn display_width(&self) -> u32 {
        if self.rotation % 180 == 90 {
            self.height
        } else {
            self.width
        }
    }

    /// Height as displayed (after rotation).
    pub fn display_height(&self) -> u32 {
        if self.rotation % 180 == 90 {
            self.width
        } else {
            self.height
        }
    }

    /// True when the displayed picture is taller than wide.
    pub fn is_portrait(&self) -> bool {
        self.display_height() > self.display_width()
    }
}

/// The first audio stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudioStream {
    /// Stream index in the container.
    pub index: u32,
    /// Codec name, e.g. `aac`, `pcm_s16le`.
    pub codec: String,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Channel count.
    pub channels: u32,
}

impl MediaInfo {
    /// True when the file has a video stream that is not a still image.
    pub fn is_video(&self) -> bool {
        self.video.is_some() && !self.is_image
    }

    /// True when the file has audio and no picture at all.
    pub fn is_audio_only(&self) -> bool {
        self.audio.is_some() && self.video.is_none()
    }
}

/// Runs `ffprobe -show_format -show_streams -of json` on `path`.
///
/// A file ffprobe cannot read, or one with neither audio nor video, is [`MediaError::NotMedia`].
///
/// # Cancel safety
/// Dropping the future kills ffprobe.
pub async fn probe(path: &Path) -> Result<MediaInfo, MediaError> {
    tokio::fs::metadata(path)
        .await
        .map_err(|source| MediaError::io("reading", path, source))?;
    let ffprobe = &tools()?.ffprobe;
    let mut args: Vec<std::ffi::OsString> = [
        "-v",
        "error",
        "-show_format",
        "-show_streams",
        "-of",
        "json",
    ]
    .into_iter()
    .map(Into::into)
    .collect();
    args.push(path.as_os_str().to_owned());
    let json = match run_capture("ffprobe", ffprobe, &args).await {
        Ok(bytes) => bytes,
        Err(MediaError::Failed { stderr_tail, .. }) => {
            return Err(MediaError::NotMedia {
                path: path.to_owned(),
                detail: last_line(&stderr_tail),
            });
        }
        Err(other) => return Err(other),
    };
    parse_probe_json(path, &json)
}

fn last_line(text: &str) -> String {
    let line = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("unreadable file");
    // ffprobe prefixes the message with the path; the error already names it.
    line.rsplit_once(": ")
        .map_or(line, |(_, msg)| msg)
        .trim()
        .to_owned()
}

/// Parses ffprobe's JSON (exposed for tests of odd files).
pub fn parse_probe_json(path: &Path, json: &[u8]) -> Result<MediaInfo, MediaError> {
    let raw: ProbeJson = serde_json::from_slice(json).map_err(|e| MediaError::ProbeOutput {
        path: path.to_owned(),
        detail: e.to_string(),
    })?;
    let not_media = |detail: &str| MediaError::NotMedia {
        path: path.to_owned(),
        detail: detail.to_owned(),
    };
    let format = raw.format.ok_or_else(|| not_media("no container format"))?;
    // ffmpeg's `tty` demuxer accepts any text file as "ANSI art"; that is never a user's media.
    if format.format_name == "tty" {
        return Err(not_media("plain text, not audio or video"));
    }
    let video = raw
        .streams
        .iter()
        .find(|s| s.codec_type.as_deref() == Some("video") && !s.is_cover_art())
        .map(StreamJson::to_video);
    let audio = raw
        .streams
        .iter()
        .find(|s| s.codec_type.as_deref() == Some("audio"))
        .map(StreamJson::to_audio);
    if video.is_none() && audio.is_none() {
        return Err(not_media("no audio or video streams"));
    }
    let is_image = is_image_format(&format.format_name, video.as_ref());
    let duration_ms = if is_image {
        None
    } else {
        format.duration.as_deref().and_then(seconds_to_ms)
    };
    Ok(MediaInfo {
        format_name: format.format_name,
        duration_ms,
        size_bytes: format.size.as_deref().and_then(|s| s.parse().ok()),
        video,
        audio,
        is_image,
    })
}

fn is_image_format(format_name: &str, video: Option<&VideoStream>) -> bool {
    const STILL_CODECS: [&str; 6] = ["png", "mjpeg", "webp", "bmp", "tiff", "gif"];
    let Some(video) = video else { return false };
    if format_name == "image2" || format_name.ends_with("_pipe") {
        return true;
    }
    // A gif container holds a still image when it has a single frame.
    format_name == "gif"
        && STILL_CODECS.contains(&video.codec.as_str())
        && video.frame_count.is_none_or(|n| n <= 1)
}

fn seconds_to_ms(text: &str) -> Option<u64> {
    let secs: f64 = text.parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| (secs * 1000.0).round() as u64)
}

fn parse_ratio(text: &str) -> Option<f64> {
    let (num, den) = text.split_once('/')?;
    let (num, den): (f64, f64) = (num.parse().ok()?, den.parse().ok()?);
    (num > 0.0 && den > 0.0).then_some(num / den)
}

#[derive(Deserialize)]
struct ProbeJson {
    #[serde(default)]
    streams: Vec<StreamJson>,
    format: Option<FormatJson>,
}

#[derive(Deserialize)]
struct FormatJson {
    format_name: String,
    duration: Option<String>,
    size: Option<String>,
}

#[derive(Deserialize)]
struct StreamJson {
    index: u32,
    codec_type: Option<String>,
    codec_name: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    pix_fmt: Option<String>,
    avg_frame_rate: Option<String>,
    r_frame_rate: Option<String>,
    sample_rate: Option<String>,
    channels: Option<u32>,
    nb_frames: Option<String>,
    has_b_frames: Option<u32>,
    #[serde(default)]
    tags: HashMap<String, String>,
    #[serde(default)]
    side_data_list: Vec<SideData>,
    #[serde(default)]
    disposition: HashMap<String, i64>,
}

#[derive(Deserialize)]
struct SideData {
    rotation: Option<f64>,
}

impl StreamJson {
    fn is_cover_art(&self) -> bool {
        self.disposition.get("attached_pic").copied() == Some(1)
    }

    fn rotation(&self) -> u32 {
        let from_matrix = self.side_data_list.iter().find_map(|d| d.rotation);
        let from_tag = self.tags.get("rotate").and_then(|r| r.parse::<f64>().ok());
        let degrees = from_matrix.or(from_tag).unwrap_or(0.0);
        // Snap to the nearest quarter turn; only those change the displayed width and height.
        ((degrees / 90.0).round() as i64 * 90).rem_euclid(360) as u32
    }

    fn to_video(&self) -> VideoStream {
        let fps = self
            .avg_frame_rate
            .as_deref()
            .and_then(parse_ratio)
            .or_else(|| self.r_frame_rate.as_deref().and_then(parse_ratio));
        VideoStream {
            index: self.index,
            codec: self.codec_name.clone().unwrap_or_default(),
            width: self.width.unwrap_or(0),
            height: self.height.unwrap_or(0),
            fps,
            pix_fmt: self.pix_fmt.clone(),
            rotation: self.rotation(),
            frame_count: self.nb_frames.as_deref().and_then(|n| n.parse().ok()),
            b_frames: self.has_b_frames.is_some_and(|n| n > 0),
        }
    }

    fn to_audio(&self) -> AudioStream {
        AudioStream {
            index: self.index,
            codec: self.codec_name.clone().unwrap_or_default(),
            sample_rate: self
                .sample_rate
                .as_deref()
                .and_then(|r| r.parse().ok())
                .unwrap_or(0),
            channels: self.channels.unwrap_or(0),
        }
    }
}
