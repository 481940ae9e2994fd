//! The shims driven the way the host drives them, through the vtable, without a dylib.

use super::*;
use crate::schema::{Headers, Manifest, Markers};

#[derive(Default)]
struct Probe;

impl Plugin for Probe {
    fn manifest(&self) -> Manifest {
        Manifest::new("probe", "probe", "0.0.1", "test plugin", Markers::default())
    }

    fn adapt(&self, event: &UxEvent) -> String {
        match event {
            UxEvent::Reply { text } if text == "boom" => panic!("adapter exploded"),
            UxEvent::Reply { text } if text == "boom-string" => {
                std::panic::panic_any(format!("owned {}", 42))
            }
            UxEvent::Reply { text } => text.to_uppercase(),
            _ => String::from("other"),
        }
    }
}

static VTABLE: PluginVTable = vtable::<Probe>(AbiHeader::CURRENT);

/// Calls a vtable function with `input`, returning the status and the buffer's text.
fn call(
    function: unsafe extern "C" fn(*const u8, usize, *mut PluginBuf) -> i32,
    input: &[u8],
) -> (i32, String) {
    let mut out = PluginBuf::EMPTY;
    // SAFETY: `input` is a live slice and `out` a local slot.
    let code = unsafe { function(input.as_ptr(), input.len(), &raw mut out) };
    (code, take(out))
}

fn take(buf: PluginBuf) -> String {
    if buf.ptr.is_null() {
        return String::new();
    }
    // SAFETY: a non-null buffer from this plugin holds `len` initialised bytes until freed.
    let text = String::from_utf8(unsafe { std::slice::from_raw_parts(buf.ptr, buf.len) }.to_vec())
        .unwrap();
    // SAFETY: freed exactly once, by the plugin that allocated it.
    unsafe { (VTABLE.free_buf)(buf) };
    text
}

fn last_error_text() -> String {
    let mut out = PluginBuf::EMPTY;
    // SAFETY: `out` is a local slot.
    assert_eq!(unsafe { (VTABLE.last_error)(&raw mut out) }, status::OK);
    take(out)
}

#[test]
fn describe_returns_the_manifest() {
    let mut out = PluginBuf::EMPTY;
    // SAFETY: `out` is a local slot.
    let code = unsafe { (VTABLE.describe)(&raw mut out) };
    assert_eq!(code, status::OK);
    let manifest: Manifest = serde_json::from_str(&take(out)).unwrap();
    assert_eq!(manifest, Probe.manifest());
    assert_eq!(manifest.abi, crate::ManifestAbi::CURRENT);
}

#[test]
fn attribution_passes_version_through_unchanged() {
    for version in ["1.9", "1.8.13", "2026.03-rc1"] {
        let ctx = format!(
            r#"{{"skill_name":"nemo-video","skill_version":"{version}","platform":"clawhub"}}"#
        );
        let (code, text) = call(VTABLE.attribution, ctx.as_bytes());
        assert_eq!(code, status::OK);
        let headers: Headers = serde_json::from_str(&text).unwrap();
        assert_eq!(headers["X-Skill-Version"], version);
        assert_eq!(headers["X-Skill-Source"], "nemo-video");
        assert_eq!(headers["X-Skill-Platform"], "clawhub");
    }
}

#[test]
fn adapt_wraps_text_in_a_document() {
    let (code, text) = call(VTABLE.adapt, br#"{"type":"reply","text":"hi"}"#);
    assert_eq!(code, status::OK);
    assert_eq!(text, r#"{"text":"HI"}"#);
}

#[test]
fn panics_become_status_one_with_message_and_location() {
    let (code, text) = call(VTABLE.adapt, br#"{"type":"reply","text":"boom"}"#);
    assert_eq!(code, status::PANICKED);
    assert_eq!(text, "");
    let message = last_error_text();
    assert!(message.starts_with("adapter exploded (at "), "{message}");
    assert!(message.contains("tests.rs"), "{message}");

    let (code, _) = call(VTABLE.adapt, br#"{"type":"reply","text":"boom-string"}"#);
    assert_eq!(code, status::PANICKED);
    assert!(last_error_text().starts_with("owned 42"));

    // The plugin keeps working after a caught panic, and success clears the error.
    let (code, text) = call(VTABLE.adapt, br#"{"type":"reply","text":"ok"}"#);
    assert_eq!((code, text.as_str()), (status::OK, r#"{"text":"OK"}"#));
    assert_eq!(last_error_text(), "");
}

#[test]
fn malformed_input_is_status_two() {
    let (code, _) = call(VTABLE.adapt, b"{not json");
    assert_eq!(code, status::ERROR);
    assert!(last_error_text().starts_with("invalid UX event document"));

    let (code, _) = call(VTABLE.adapt, br#"{"type":"teleport"}"#);
    assert_eq!(code, status::ERROR);
    assert!(last_error_text().contains("teleport"));

    let (code, _) = call(VTABLE.attribution, br#"{"skill_name":"x"}"#);
    assert_eq!(code, status::ERROR);
    assert!(last_error_text().starts_with("invalid attribution context document"));
}

#[test]
fn null_pointers_are_errors_not_crashes() {
    let mut out = PluginBuf::EMPTY;
    // SAFETY: a null input with a non-zero length is exactly what the shim must reject.
    let code = unsafe { (VTABLE.adapt)(std::ptr::null(), 5, &raw mut out) };
    assert_eq!(code, status::ERROR);
    assert!(last_error_text().contains("null"));

    // SAFETY: a null output slot must be rejected without a write.
    let code = unsafe { (VTABLE.describe)(std::ptr::null_mut()) };
    assert_eq!(code, status::ERROR);

    // SAFETY: freeing the empty buffer is a no-op.
    unsafe { (VTABLE.free_buf)(PluginBuf::EMPTY) };
}

#[test]
fn panics_outside_shims_still_reach_the_previous_hook() {
    // Install the hook, then panic outside any shim: catch_unwind still sees it, and the
    // recorded-message slot stays empty because the hook forwarded it.
    let _ = call(VTABLE.adapt, br#"{"type":"reply","text":"x"}"#);
    let result = std::panic::catch_unwind(|| panic!("outside"));
    assert!(result.is_err());
    assert!(PANIC_MESSAGE.take().is_none());
}
