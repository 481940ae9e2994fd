//! Wire types of the NemoVideo `nemo_agent` API: endpoints, headers, envelopes, error codes,
//! SSE events (both known shapes), the draft timeline and render polling.
//!
//! This crate is sans-IO: it only describes and (de)serialises what travels on the wire.
//! Every fact here comes from `shared/reference/protocol.md`; where the public sources disagree
//! the types are tolerant (they accept every documented shape).

pub mod codes;
pub mod draft;
pub mod envelope;
pub mod headers;
pub mod paths;
pub mod render;
pub mod sse;
pub mod types;

pub use codes::ApiCode;
pub use draft::{RawDraft, RawSegment, RawTrack, TrackType};
pub use envelope::{EnvelopeError, parse_envelope};
pub use render::{RenderOutput, RenderRequest, RenderState, RenderStatus};
pub use sse::{SimpleEvent, SseEvent, classify_sse_data};
pub use types::*;

/// The app name used in paths and in the SSE body.
pub const APP_NAME: &str = "nemo_agent";
/// The user alias the backend resolves from the token.
pub const USER_ME: &str = "me";
/// Production base URL of the cloud API.
pub const CLOUD_BASE_URL: &str = "https://mega-api-prod.nemovideo.ai";
/// Web app base URL (claim links, registration).
pub const CLOUD_WEB_URL: &str = "https://nemovideo.com";

/// File extensions the upload endpoint accepts (lowercase, without the dot).
pub const ACCEPTED_EXTENSIONS: &[&str] = &[
    "mp4", "mov", "avi", "webm", "mkv", "jpg", "jpeg", "png", "gif", "webp", "mp3", "wav", "m4a",
    "aac",
];
/// Largest accepted upload, in bytes (500 MB).
pub const MAX_UPLOAD_BYTES: u64 = 500 * 1024 * 1024;

/// The kind of media an extension denotes, or `None` when the extension is not accepted.
pub fn media_kind_for_extension(ext: &str) -> Option<FileType> {
    match ext.to_ascii_lowercase().as_str() {
        "mp4" | "mov" | "avi" | "webm" | "mkv" => Some(FileType::Video),
        "jpg" | "jpeg" | "png" | "gif" | "webp" => Some(FileType::Image),
        "mp3" | "wav" | "m4a" | "aac" => Some(FileType::Audio),
        _ => None,
    }
}

/// The accepted formats as a human list, for 4001 messages.
pub fn accepted_formats_list() -> String {
    ACCEPTED_EXTENSIONS.join(", ")
}
