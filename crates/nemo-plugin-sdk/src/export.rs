//! [`export_plugin!`](crate::export_plugin) and the `extern "C"` shims behind it: the only
//! `unsafe` on the plugin side.
//!
//! Each shim borrows the host's input bytes, decodes JSON, runs the plugin inside
//! `catch_unwind`, and writes a plugin-allocated buffer to the host's output slot. A panic
//! becomes status 1 and an error status 2; either way the message is kept in a thread-local
//! that `last_error` returns. A panic hook records panic messages (with their location) instead
//! of printing them while a shim runs; panics elsewhere go to the previous hook. Every cdylib
//! carries its own copy of std, so the hook never touches the host's panics.
#![allow(unsafe_code)]

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use nemo_plugin_abi::{AbiHeader, PluginBuf, PluginVTable, status};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Plugin;
use crate::schema::{Adapted, AttributionContext, UxEvent};

thread_local! {
    static IN_SHIM: Cell<bool> = const { Cell::new(false) };
    static PANIC_MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
    static LAST_ERROR: RefCell<Option<String>> = const { RefCell::new(None) };
}

static PANIC_HOOK: Once = Once::new();

/// Exports a [`Plugin`] type as a nemo plugin: the `nemo_plugin_v1` entry point and its vtable.
///
/// Use it exactly once per plugin crate. The type must implement `Plugin + Default`.
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        $crate::export_plugin!(@entry $plugin, "nemo_plugin_v1", $crate::abi::AbiHeader::CURRENT);
    };
    // Not part of the API: lets the ABI tests build a plugin that declares another version.
    (@entry $plugin:ty, $symbol:literal, $header:expr) => {
        const _: () = {
            static NEMO_PLUGIN_VTABLE: $crate::abi::PluginVTable =
                $crate::export::vtable::<$plugin>($header);

            /// The plugin's entry point: returns the static vtable.
            // The one place a plugin exports a symbol. `export_name` is an unsafe attribute
            // because two exports of one name would clash; the host looks up exactly this name.
            #[allow(unsafe_code)]
            #[unsafe(export_name = $symbol)]
            extern "C" fn nemo_plugin_entry() -> *const $crate::abi::PluginVTable {
                &NEMO_PLUGIN_VTABLE
            }
        };
    };
}

/// The vtable for plugin type `P` with the given header. Used by `export_plugin!`.
#[doc(hidden)]
pub const fn vtable<P: Plugin + Default>(header: AbiHeader) -> PluginVTable {
    PluginVTable {
        header,
        describe: describe::<P>,
        attribution: attribution::<P>,
        adapt: adapt::<P>,
        last_error,
        free_buf,
    }
}

/// `describe`: writes the manifest JSON.
///
/// # Safety
/// `out` must be null or valid for writing one [`PluginBuf`].
pub unsafe extern "C" fn describe<P: Plugin + Default>(out: *mut PluginBuf) -> i32 {
    // SAFETY: `out` is forwarded under this function's own contract.
    unsafe { respond(out, || to_json(&P::default().manifest())) }
}

/// `attribution`: attribution context JSON in, header map JSON out.
///
/// # Safety
/// `(input, input_len)` must be readable for the duration of the call (or `input_len` zero),
/// and `out` must be null or valid for writing one [`PluginBuf`].
pub unsafe extern "C" fn attribution<P: Plugin + Default>(
    input: *const u8,
    input_len: usize,
    out: *mut PluginBuf,
) -> i32 {
    // SAFETY: the caller guarantees `(input, input_len)` is readable for this call.
    let input = unsafe { borrow_input(input, input_len) };
    let work = || {
        let ctx: AttributionContext = from_json(input?, "attribution context")?;
        to_json(&P::default().attribution(&ctx))
    };
    // SAFETY: `out` is forwarded under this function's own contract.
    unsafe { respond(out, work) }
}

/// `adapt`: UX event JSON in, `{"text": ...}` JSON out.
///
/// # Safety
/// As for [`attribution`].
pub unsafe extern "C" fn adapt<P: Plugin + Default>(
    input: *const u8,
    input_len: usize,
    out: *mut PluginBuf,
) -> i32 {
    // SAFETY: the caller guarantees `(input, input_len)` is readable for this call.
    let input = unsafe { borrow_input(input, input_len) };
    let work = || {
        let event: UxEvent = from_json(input?, "UX event")?;
        to_json(&Adapted {
            text: P::default().adapt(&event),
        })
    };
    // SAFETY: `out` is forwarded under this function's own contract.
    unsafe { respond(out, work) }
}

/// `last_error`: writes this thread's last error message (UTF-8 text, possibly empty).
///
/// # Safety
/// `out` must be null or valid for writing one [`PluginBuf`].
pub unsafe extern "C" fn last_error(out: *mut PluginBuf) -> i32 {
    if out.is_null() {
        return status::ERROR;
    }
    let message = LAST_ERROR.with_borrow(Clone::clone).unwrap_or_default();
    // SAFETY: `out` is non-null and the caller guarantees it is valid for writes.
    unsafe { out.write(into_buf(message.into_bytes())) };
    status::OK
}

/// `free_buf`: releases a buffer this plugin returned.
///
/// # Safety
/// `buf` must be [`PluginBuf::EMPTY`] or a buffer returned by this plugin's functions that has
/// not been freed yet.
pub unsafe extern "C" fn free_buf(buf: PluginBuf) {
    if buf.ptr.is_null() {
        return;
    }
    let slice = std::ptr::slice_from_raw_parts_mut(buf.ptr, buf.len);
    // SAFETY: per the contract, `(ptr, len)` came from `into_buf`, i.e. from `Box::into_raw` of a
    // `Box<[u8]>` of exactly `len` bytes allocated by this plugin's allocator, and is freed once.
    drop(unsafe { Box::from_raw(slice) });
}

/// Hands bytes to the host as a leaked boxed slice; `free_buf` takes it back.
fn into_buf(bytes: Vec<u8>) -> PluginBuf {
    let boxed = bytes.into_boxed_slice();
    let len = boxed.len();
    PluginBuf {
        ptr: Box::into_raw(boxed).cast::<u8>(),
        len,
    }
}

/// Views the host's input as a slice, or explains why it cannot.
///
/// # Safety
/// When `len > 0` and `ptr` is non-null, `(ptr, len)` must be readable for the returned lifetime.
unsafe fn borrow_input<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], String> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(format!("input pointer is null but its length is {len}"));
    }
    // SAFETY: `ptr` is non-null and the caller guarantees `len` readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Runs `work` under `catch_unwind`, stores any failure for `last_error` and writes the result.
///
/// # Safety
/// `out` must be null or valid for writing one [`PluginBuf`].
unsafe fn respond(out: *mut PluginBuf, work: impl FnOnce() -> Result<Vec<u8>, String>) -> i32 {
    if out.is_null() {
        set_last_error(Some("output pointer is null".to_owned()));
        return status::ERROR;
    }
    let (code, buf) = match run_caught(work) {
        Ok(Ok(bytes)) => {
            set_last_error(None);
            (status::OK, into_buf(bytes))
        }
        Ok(Err(message)) => {
            set_last_error(Some(message));
            (status::ERROR, PluginBuf::EMPTY)
        }
        Err(panic_message) => {
            set_last_error(Some(panic_message));
            (status::PANICKED, PluginBuf::EMPTY)
        }
    };
    // SAFETY: `out` is non-null and the caller guarantees it is valid for writes.
    unsafe { out.write(buf) };
    code
}

/// Runs `work`, turning a panic into its message.
fn run_caught<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    install_panic_hook();
    PANIC_MESSAGE.set(None);
    IN_SHIM.set(true);
    let result = panic::catch_unwind(AssertUnwindSafe(work));
    IN_SHIM.set(false);
    result.map_err(|payload| {
        PANIC_MESSAGE
            .take()
            .unwrap_or_else(|| payload_text(&*payload))
    })
}

fn install_panic_hook() {
    PANIC_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if IN_SHIM.get() {
                let text = info
                    .payload_as_str()
                    .unwrap_or("panic with a non-string payload");
                let message = match info.location() {
                    Some(at) => format!("{text} (at {}:{})", at.file(), at.line()),
                    None => text.to_owned(),
                };
                PANIC_MESSAGE.set(Some(message));
            } else {
                previous(info);
            }
        }));
    });
}

fn payload_text(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "panic with a non-string payload".to_owned()
    }
}

fn set_last_error(message: Option<String>) {
    LAST_ERROR.set(message);
}

fn to_json(value: &impl Serialize) -> Result<Vec<u8>, String> {
    serde_json::to_vec(value).map_err(|error| format!("cannot encode the answer: {error}"))
}

fn from_json<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, String> {
    serde_json::from_slice(bytes).map_err(|error| format!("invalid {what} document: {error}"))
}

#[cfg(test)]
mod tests;
