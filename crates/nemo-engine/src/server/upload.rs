//! Uploads: multipart `files` fields or JSON `{"urls":[...]}`.
//!
//! Each file streams into a temp file under `<data>/tmp` while being hashed and counted; going
//! over the size limit stops it (4002) and deletes the temp file. The extension must be an
//! accepted one and ffprobe must agree the content is that kind of media (4001 otherwise, with
//! the formats list). Only then is the file copied into the content-addressed store, recorded
//! and appended to the session's draft. A request either applies all its files or none.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Json;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, header};
use bytes::Bytes;
use futures_util::StreamExt;
use nemo_media::MediaInfo;
use nemo_protocol::envelope::CodeEnvelope;
use nemo_protocol::{FileType, UploadUrlsRequest, media_kind_for_extension};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::{AppState, check_user_alias};
use crate::error::ApiError;
use crate::store::{MediaRow, now_ms};
use crate::timeline;

/// How much of an over-limit or rejected body is read and discarded so the client gets the
/// error response instead of a reset connection.
const MAX_DRAIN_BYTES: u64 = 256 * 1024 * 1024;
/// JSON bodies (URL mode) are small.
const MAX_JSON_BODY: usize = 64 * 1024;
const MAX_URLS: usize = 20;

/// A file being received; its temp file is removed when dropped.
struct TempUpload {
    path: PathBuf,
}

impl Drop for TempUpload {
    fn drop(&mut self) {
        // Missing is fine: it may never have been created.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A received and validated file, not yet stored.
struct Staged {
    temp: TempUpload,
    filename: String,
    kind: FileType,
    sha256: String,
    size: u64,
    info: MediaInfo,
    origin: &'static str,
}

/// Makes a user-supplied filename safe to store and show: the last path component only, no
/// control or path characters, no leading dots, at most 120 characters.
pub(crate) fn sanitize_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    let mut name: String = trimmed.chars().take(120).collect();
    if let Some((_, ext)) = trimmed.rsplit_once('.')
        && !name.ends_with(ext)
    {
        // Truncation cut the extension: keep it, it decides how the file is treated.
        let keep = 120_usize.saturating_sub(ext.chars().count() + 1);
        name = format!("{}.{ext}", trimmed.chars().take(keep).collect::<String>());
    }
    if name.is_empty() || name.chars().all(|c| c == '_' || c == '.') {
        "file".to_owned()
    } else {
        name
    }
}

fn extension_of(filename: &str) -> Option<String> {
    filename
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
}

fn kind_of(filename: &str) -> Result<FileType, ApiError> {
    extension_of(filename)
        .as_deref()
        .and_then(media_kind_for_extension)
        .ok_or_else(|| ApiError::unsupported(format!("{filename} is not a supported file type")))
}

fn kind_name(kind: FileType) -> &'static str {
    match kind {
        FileType::Video => "video",
        FileType::Image => "image",
        FileType::Audio => "audio",
    }
}

/// Checks ffprobe's view of the content against what the extension promised.
fn content_matches(kind: FileType, info: &MediaInfo) -> bool {
    match kind {
        FileType::Video => info.is_video() && info.duration_ms.is_some_and(|d| d > 0),
        // A still, or an animated gif (a gif container with several frames).
        FileType::Image => info.is_image || info.video.is_some() && info.format_name == "gif",
        FileType::Audio => info.is_audio_only() && info.duration_ms.is_some_and(|d| d > 0),
    }
}

pub(crate) async fn upload(
    State(state): State<Arc<AppState>>,
    Path((user_alias, session_id)): Path<(String, String)>,
    headers: HeaderMap,
    request: Request,
) -> Result<Json<CodeEnvelope<Value>>, ApiError> {
    let user = state.authenticate(&headers).await?;
    check_user_alias(&user_alias, &user, &session_id)?;
    let session = state.owned_session(&user, &session_id).await?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let staged = if content_type.starts_with("multipart/form-data") {
        let multipart = Multipart::from_request(request, &state)
            .await
            .map_err(|e| {
                ApiError::bad_request(format!("unreadable multipart body: {}", e.body_text()))
            })?;
        receive_multipart(&state, multipart).await?
    } else if content_type.starts_with("application/json") {
        let bytes = axum::body::to_bytes(request.into_body(), MAX_JSON_BODY)
            .await
            .map_err(|_| ApiError::bad_request("the JSON body is too large or unreadable"))?;
        let body: UploadUrlsRequest = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::bad_request(format!("expected {{\"urls\":[...]}}: {e}")))?;
        receive_urls(&state, &body.urls).await?
    } else {
        return Err(ApiError::bad_request(
            "send files as multipart/form-data (field `files`) or URLs as JSON {\"urls\":[...]}",
        ));
    };
    if staged.is_empty() {
        return Err(ApiError::bad_request(
            "no files: use the multipart field name `files`",
        ));
    }
    let rows = store_all(&state, &session.id, staged).await?;
    let applied =
        timeline::append_uploads(&state.store, &session.id, &rows, state.config.image_segment)
            .await?;
    let files: Vec<Value> = rows
        .iter()
        .map(|m| super::sessions::media_info_json(&state, m))
        .collect();
    Ok(Json(CodeEnvelope::ok(
        json!({"files": files, "session_state_applied": applied}),
    )))
}

async fn receive_multipart(
    state: &AppState,
    mut multipart: Multipart,
) -> Result<Vec<Staged>, ApiError> {
    let mut staged = Vec::new();
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                return Err(ApiError::bad_request(format!(
                    "the upload was interrupted: {}",
                    e.body_text()
                )));
            }
        };
        if field.name() != Some("files") {
            continue;
        }
        let filename = sanitize_filename(field.file_name().unwrap_or("file"));
        let received = match kind_of(&filename) {
            Ok(kind) => receive_stream(state, &filename, field_chunks(&mut field))
                .await
                .map(|r| (kind, r)),
            Err(e) => Err(e),
        };
        let outcome = match received {
            Ok((kind, (temp, sha256, size))) => {
                drop(field);
                validate(temp, filename, kind, sha256, size, "upload").await
            }
            Err(e) => {
                drain_field(&mut field).await;
                drop(field);
                Err(e)
            }
        };
        match outcome {
            Ok(item) => staged.push(item),
            Err(e) => {
                drain_rest(&mut multipart).await;
                return Err(e);
            }
        }
    }
    Ok(staged)
}

/// A multipart field's chunks as a stream.
fn field_chunks<'a>(
    field: &'a mut axum::extract::multipart::Field<'_>,
) -> impl futures_util::Stream<Item = Result<Bytes, String>> + 'a {
    futures_util::stream::unfold(field, |field| async move {
        match field.chunk().await {
            Ok(Some(chunk)) => Some((Ok(chunk), field)),
            Ok(None) => None,
            Err(e) => Some((Err(e.body_text()), field)),
        }
    })
}

/// Reads and discards the rest of a rejected field (bounded), so the client gets the error
/// response instead of a connection reset while it is still sending.
async fn drain_field(field: &mut axum::extract::multipart::Field<'_>) {
    let mut drained = 0_u64;
    while let Ok(Some(chunk)) = field.chunk().await {
        drained += chunk.len() as u64;
        if drained > MAX_DRAIN_BYTES {
            return;
        }
    }
}

/// Reads and discards the remaining fields (bounded).
async fn drain_rest(multipart: &mut Multipart) {
    while let Ok(Some(mut next)) = multipart.next_field().await {
        drain_field(&mut next).await;
    }
}

/// Streams bytes into a new temp file, hashing and enforcing the size limit.
async fn receive_stream(
    state: &AppState,
    filename: &str,
    stream: impl futures_util::Stream<Item = Result<Bytes, String>>,
) -> Result<(TempUpload, String, u64), ApiError> {
    let ext = extension_of(filename).unwrap_or_default();
    let temp = TempUpload {
        path: state
            .config
            .tmp_dir()
            .join(format!("upload-{}.{ext}", uuid::Uuid::new_v4().simple())),
    };
    let mut file = tokio::fs::File::create(&temp.path)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let mut hasher = Sha256::new();
    let mut size = 0_u64;
    let limit = state.config.max_upload_bytes;
    let mut stream = std::pin::pin!(stream);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request(format!("the upload of {filename} was interrupted: {e}"))
        })?;
        size += chunk.len() as u64;
        if size > limit {
            return Err(ApiError::too_large(limit));
        }
        hasher.update(&chunk);
        file.write_all(&chunk)
            .await
            .map_err(|e| ApiError::internal(&e))?;
    }
    file.flush().await.map_err(|e| ApiError::internal(&e))?;
    drop(file);
    Ok((temp, hex::encode(hasher.finalize()), size))
}

async fn validate(
    temp: TempUpload,
    filename: String,
    kind: FileType,
    sha256: String,
    size: u64,
    origin: &'static str,
) -> Result<Staged, ApiError> {
    if size == 0 {
        return Err(ApiError::unsupported(format!("{filename} is empty")));
    }
    let info = match nemo_media::probe(&temp.path).await {
        Ok(info) => info,
        Err(nemo_media::MediaError::NotMedia { detail, .. }) => {
            return Err(ApiError::unsupported(format!(
                "{filename} is not a {} file ffmpeg can read ({detail})",
                kind_name(kind)
            )));
        }
        Err(e) => return Err(ApiError::internal(&e)),
    };
    if !content_matches(kind, &info) {
        return Err(ApiError::unsupported(format!(
            "{filename} does not contain {} ({} found)",
            match kind {
                FileType::Video => "a playable video",
                FileType::Image => "an image",
                FileType::Audio => "audio only",
            },
            describe(&info)
        )));
    }
    Ok(Staged {
        temp,
        filename,
        kind,
        sha256,
        size,
        info,
        origin,
    })
}

fn describe(info: &MediaInfo) -> String {
    match (&info.video, &info.audio, info.is_image) {
        (Some(_), _, true) => "a still image".to_owned(),
        (Some(v), Some(_), false) => format!("{} video with audio", v.codec),
        (Some(v), None, false) => format!("{} video", v.codec),
        (None, Some(a), _) => format!("{} audio", a.codec),
        (None, None, _) => "nothing playable".to_owned(),
    }
}

async fn store_all(
    state: &AppState,
    session_id: &str,
    staged: Vec<Staged>,
) -> Result<Vec<MediaRow>, ApiError> {
    let mut rows = Vec::with_capacity(staged.len());
    for item in staged {
        let key = state
            .media
            .put_file(&item.temp.path, &item.sha256, item.size)
            .await?;
        let video = item.info.video.as_ref();
        let row = MediaRow {
            id: format!("med_{}", uuid::Uuid::new_v4().simple()),
            session_id: session_id.to_owned(),
            sha256: item.sha256,
            object_key: key,
            filename: item.filename,
            file_type: kind_name(item.kind).to_owned(),
            origin: item.origin.to_owned(),
            size_bytes: item.size as i64,
            duration_ms: item.info.duration_ms.map(|d| d as i64),
            width: video.map(|v| i64::from(v.display_width())),
            height: video.map(|v| i64::from(v.display_height())),
            fps: video.and_then(|v| v.fps).filter(|_| !item.info.is_image),
            has_audio: item.info.audio.is_some(),
            probe: serde_json::to_value(&item.info).map_err(|e| ApiError::internal(&e))?,
            meta: None,
            created_at: now_ms(),
        };
        state.store.insert_media(&row).await?;
        rows.push(row);
    }
    Ok(rows)
}

// ---- URL mode -----------------------------------------------------------------------------

async fn receive_urls(state: &AppState, urls: &[String]) -> Result<Vec<Staged>, ApiError> {
    if urls.len() > MAX_URLS {
        return Err(ApiError::bad_request(format!(
            "at most {MAX_URLS} URLs per request"
        )));
    }
    let mut staged = Vec::with_capacity(urls.len());
    for raw in urls {
        staged.push(fetch_url(state, raw).await?);
    }
    Ok(staged)
}

fn filename_from_url(url: &reqwest::Url, content_type: Option<&str>) -> String {
    let last = url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .unwrap_or_default();
    let decoded = percent_decode(last);
    let name = sanitize_filename(&decoded);
    if extension_of(&name)
        .as_deref()
        .and_then(media_kind_for_extension)
        .is_some()
    {
        return name;
    }
    let ext = match content_type
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
    {
        "video/mp4" => "mp4",
        "video/quicktime" => "mov",
        "video/webm" => "webm",
        "video/x-matroska" => "mkv",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "audio/mpeg" => "mp3",
        "audio/wav" | "audio/x-wav" | "audio/wave" => "wav",
        "audio/mp4" | "audio/x-m4a" => "m4a",
        "audio/aac" => "aac",
        _ => return name,
    };
    let stem = if name == "file" || name.is_empty() {
        "download"
    } else {
        name.as_str()
    };
    format!("{stem}.{ext}")
}

/// `%XX` decoding of a URL path segment (lossy on invalid UTF-8); a handful of lines instead
/// of a dependency.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(
                std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                16,
            )
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn fetch_url(state: &AppState, raw: &str) -> Result<Staged, ApiError> {
    let url = reqwest::Url::parse(raw.trim())
        .map_err(|_| ApiError::bad_request(format!("{raw} is not a valid URL")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ApiError::bad_request(format!(
            "only http and https URLs can be imported ({} given)",
            url.scheme()
        )));
    }
    let host = url.host_str().unwrap_or("the host").to_owned();
    let response = state
        .http
        .get(url.clone())
        .timeout(state.config.url_timeout)
        .send()
        .await
        .map_err(|e| {
            ApiError::fetch_failed(if e.is_timeout() {
                format!("{host} did not answer in time; check the URL or upload the file instead")
            } else {
                format!("could not reach {host}; check the URL and your connection, or upload the file instead")
            })
        })?;
    if !response.status().is_success() {
        return Err(ApiError::fetch_failed(format!(
            "{host} answered HTTP {} for that URL; check that the link is public",
            response.status().as_u16()
        )));
    }
    let limit = state.config.max_upload_bytes;
    if response.content_length().is_some_and(|len| len > limit) {
        return Err(ApiError::too_large(limit));
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let filename = filename_from_url(response.url(), content_type.as_deref());
    let kind = kind_of(&filename)?;
    let stream = response
        .bytes_stream()
        .map(|r| r.map_err(|e| e.to_string()));
    let (temp, sha256, size) = receive_stream(state, &filename, stream).await?;
    validate(temp, filename, kind, sha256, size, "url").await
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn filenames_lose_paths_and_control_characters() {
        assert_eq!(sanitize_filename("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_filename("..\\..\\win.ini"), "win.ini");
        assert_eq!(sanitize_filename("a\u{0}b\nc.mp4"), "a_b_c.mp4");
        assert_eq!(sanitize_filename(".hidden.mp4"), "hidden.mp4");
        assert_eq!(sanitize_filename(""), "file");
        assert_eq!(sanitize_filename(".."), "file");
        assert_eq!(sanitize_filename("旅行 video.MOV"), "旅行 video.MOV");
        let long = format!("{}.mp4", "x".repeat(300));
        let cut = sanitize_filename(&long);
        assert!(
            Path::new(&cut).extension() == Some("mp4".as_ref()) && cut.chars().count() == 120,
            "{cut}"
        );
    }

    #[test]
    fn url_filenames_fall_back_to_the_content_type() {
        let url = reqwest::Url::parse("http://h/files/My%20Clip.mp4?x=1").unwrap();
        assert_eq!(filename_from_url(&url, None), "My Clip.mp4");
        let url = reqwest::Url::parse("http://h/download").unwrap();
        assert_eq!(filename_from_url(&url, Some("video/mp4")), "download.mp4");
        let url = reqwest::Url::parse("http://h/").unwrap();
        assert_eq!(
            filename_from_url(&url, Some("audio/mpeg; charset=x")),
            "download.mp3"
        );
    }
}
