//! Download of a finished render: a plain GET on the output URL, falling back to
//! `/api/render/proxy/{id}/download` with auth. Bytes go to a temporary file next to the
//! destination, renamed into place only when complete, so a failed download never leaves a
//! truncated video behind.

use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use nemo_protocol::paths;
use reqwest::{Method, RequestBuilder};
use serde_json::Value;
use tokio::io::AsyncWriteExt;

use crate::client::{Client, Endpoint, is_json, unwrap_response};
use crate::error::{Error, Kind};
use crate::progress::{ProgressFn, Transfer};

/// A finished download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downloaded {
    pub path: PathBuf,
    pub bytes: u64,
    /// True when the proxy endpoint was used instead of the output URL.
    pub via_proxy: bool,
}

enum Fetched {
    Saved(u64),
    /// The server answered with JSON instead of media (some proxies return `{output:{url}}`).
    Json(Value),
}

/// Label used in errors for output URLs, which may carry signatures and are never printed.
const OUTPUT_LABEL: &str = "GET render output";

impl Client {
    /// Downloads render `render_id` to `dest`: first `url` (when given), then the proxy
    /// endpoint. The token is only sent to the API's own origin, never to a CDN.
    ///
    /// # Cancel safety
    /// Cancel safe: dropping the future deletes the temporary file; `dest` is untouched.
    pub async fn download_render(
        &self,
        render_id: &str,
        url: Option<&str>,
        dest: &Path,
        on_progress: ProgressFn,
    ) -> Result<Downloaded, Error> {
        if let Some(url) = url {
            let direct = self.request_to(Method::GET, url, self.is_same_origin(url));
            match self
                .fetch_to(direct, OUTPUT_LABEL, dest, &on_progress)
                .await
            {
                Ok(Fetched::Saved(bytes)) => {
                    return Ok(Downloaded {
                        path: dest.to_owned(),
                        bytes,
                        via_proxy: false,
                    });
                }
                Ok(Fetched::Json(_)) => {
                    tracing::debug!("output URL returned JSON; using the proxy download");
                }
                Err(error) => {
                    tracing::debug!(%error, "output URL failed; using the proxy download");
                }
            }
        }
        let endpoint = Endpoint::new(Method::GET, paths::render_download(render_id));
        let label = endpoint.label();
        let bytes = match self
            .fetch_to(self.request(&endpoint), &label, dest, &on_progress)
            .await?
        {
            Fetched::Saved(bytes) => bytes,
            Fetched::Json(body) => {
                let url = output_url(&label, &body)?;
                let rb = self.request_to(Method::GET, &url, self.is_same_origin(&url));
                match self.fetch_to(rb, OUTPUT_LABEL, dest, &on_progress).await? {
                    Fetched::Saved(bytes) => bytes,
                    Fetched::Json(_) => {
                        return Err(Error::decode(
                            &label,
                            "the output URL returned JSON, not media",
                        ));
                    }
                }
            }
        };
        Ok(Downloaded {
            path: dest.to_owned(),
            bytes,
            via_proxy: true,
        })
    }

    /// Streams a GET into a temporary file beside `dest`, then renames it over `dest`.
    async fn fetch_to(
        &self,
        rb: RequestBuilder,
        label: &str,
        dest: &Path,
        on_progress: &ProgressFn,
    ) -> Result<Fetched, Error> {
        let response = rb
            .timeout(self.transfer_timeout())
            .send()
            .await
            .map_err(|e| Error::transport(label, e))?;
        let status = response.status();
        if !status.is_success() || is_json(&response) {
            let bytes = response
                .bytes()
                .await
                .map_err(|e| Error::transport(label, e))?;
            return unwrap_response(label, status, serde_json::from_slice(&bytes).ok())
                .map(Fetched::Json);
        }
        let total = response.content_length();
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".nemo-download-")
            .suffix(".part")
            .tempfile_in(&dir)
            .map_err(|e| Error::io("create a file in", &dir, e))?;
        let std_file = tmp
            .as_file()
            .try_clone()
            .map_err(|e| Error::io("write", tmp.path(), e))?;
        let mut file = tokio::fs::File::from_std(std_file);
        let mut done = 0u64;
        let mut body = response.bytes_stream();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| Error::transport(label, e))?;
            file.write_all(&chunk)
                .await
                .map_err(|e| Error::io("write", tmp.path(), e))?;
            done += chunk.len() as u64;
            on_progress.report(Transfer { done, total });
        }
        file.flush()
            .await
            .map_err(|e| Error::io("write", tmp.path(), e))?;
        file.sync_all()
            .await
            .map_err(|e| Error::io("write", tmp.path(), e))?;
        drop(file);
        if let Some(expected) = total.filter(|t| *t != done) {
            return Err(Error::new(Kind::Truncated {
                endpoint: label.to_owned(),
                got: done,
                expected,
            }));
        }
        tmp.persist(dest)
            .map_err(|e| Error::io("write", dest, e.error))?;
        Ok(Fetched::Saved(done))
    }
}

/// The media URL inside a JSON download answer (`output.url`, `outputUrl` or `url`).
fn output_url(label: &str, body: &Value) -> Result<String, Error> {
    [
        "/output/url",
        "/outputUrl",
        "/url",
        "/data/output/url",
        "/data/outputUrl",
        "/data/url",
    ]
    .iter()
    .find_map(|p| {
        body.pointer(p)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    })
    .map(str::to_owned)
    .ok_or_else(|| Error::decode(label, "the download answer holds no media URL"))
}
