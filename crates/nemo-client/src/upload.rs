//! File upload: local checks first (extension, 500 MB), then one multipart request with a
//! `files` part per file, streamed from disk with progress.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::StreamExt;
use nemo_protocol::{FileType, UploadResponse, media_kind_for_extension, paths};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use tokio_util::io::ReaderStream;

use crate::client::{Client, Endpoint};
use crate::error::{Error, Kind};
use crate::progress::{ProgressFn, Transfer};

/// A file that passed the local checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadCheck {
    pub path: PathBuf,
    pub kind: FileType,
    pub size: u64,
}

/// MIME type sent for each accepted extension.
fn mime_for(ext: &str) -> &'static str {
    match ext {
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        "avi" => "video/x-msvideo",
        "webm" => "video/webm",
        "mkv" => "video/x-matroska",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "m4a" => "audio/mp4",
        "aac" => "audio/aac",
        _ => "application/octet-stream",
    }
}

fn extension_of(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Checks one file against the accepted formats (4001) and the size limit (4002) without
/// sending anything.
pub fn check_upload(path: &Path, max_bytes: u64) -> Result<UploadCheck, Error> {
    let extension = extension_of(path);
    let Some(kind) = media_kind_for_extension(&extension) else {
        return Err(Error::new(Kind::UnsupportedFile {
            file: path.to_owned(),
            extension,
            accepted: nemo_protocol::accepted_formats_list(),
        }));
    };
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io("read", path, e))?
        .len();
    if size > max_bytes {
        return Err(Error::new(Kind::FileTooLarge {
            file: path.to_owned(),
            size,
            limit: max_bytes,
        }));
    }
    Ok(UploadCheck {
        path: path.to_owned(),
        kind,
        size,
    })
}

impl Client {
    /// Checks a file the way [`Client::upload_files`] will, with this client's size limit.
    pub fn check_upload(&self, path: &Path) -> Result<UploadCheck, Error> {
        check_upload(path, self.max_upload_bytes())
    }

    /// Uploads files to the session in one multipart request (field `files`, repeated). Every
    /// file is checked first; if any fails, nothing is sent. `on_progress` sees the bytes sent
    /// across all files.
    ///
    /// # Cancel safety
    /// Cancel safe: dropping the future aborts the transfer; a partly sent upload is discarded
    /// by the server.
    pub async fn upload_files(
        &self,
        session_id: &str,
        files: &[PathBuf],
        on_progress: ProgressFn,
    ) -> Result<UploadResponse, Error> {
        let checks = files
            .iter()
            .map(|p| self.check_upload(p))
            .collect::<Result<Vec<_>, _>>()?;
        let total: u64 = checks.iter().map(|c| c.size).sum();
        let sent = Arc::new(AtomicU64::new(0));
        let mut form = Form::new();
        for check in &checks {
            form = form.part(
                "files",
                streamed_part(check, total, &sent, &on_progress).await?,
            );
        }
        let endpoint = Endpoint::new(Method::POST, paths::upload(session_id));
        let rb = self.request(&endpoint).multipart(form);
        let data = self
            .call_with_timeout(&endpoint, rb, self.transfer_timeout())
            .await?;
        serde_json::from_value(data).map_err(|e| Error::decode(&endpoint.label(), e))
    }
}

/// A multipart part that streams the file from disk, counting bytes as they leave.
async fn streamed_part(
    check: &UploadCheck,
    total: u64,
    sent: &Arc<AtomicU64>,
    on_progress: &ProgressFn,
) -> Result<Part, Error> {
    let file = tokio::fs::File::open(&check.path)
        .await
        .map_err(|e| Error::io("read", &check.path, e))?;
    let sent = Arc::clone(sent);
    let on_progress = on_progress.clone();
    let stream = ReaderStream::new(file).inspect(move |chunk| {
        if let Ok(bytes) = chunk {
            let done = sent.fetch_add(bytes.len() as u64, Ordering::Relaxed) + bytes.len() as u64;
            on_progress.report(Transfer {
                done,
                total: Some(total),
            });
        }
    });
    let file_name = check
        .path
        .file_name()
        .map_or_else(|| "upload".to_owned(), |n| n.to_string_lossy().into_owned());
    Part::stream_with_length(reqwest::Body::wrap_stream(stream), check.size)
        .file_name(file_name)
        .mime_str(mime_for(&extension_of(&check.path)))
        .map_err(|e| Error::config(format!("bad MIME type: {}", e.without_url())))
}
