//! Opening plugin libraries and calling through their vtables: the only `unsafe` on the host
//! side.
//!
//! The soundness argument rests on four facts:
//! - plugins are first-party, loaded only by explicit path or from allow-listed names in the
//!   configured directories, and built against `nemo-plugin-abi` by the same pipeline;
//! - a library is never unloaded (it is leaked on open), so every function pointer copied
//!   out of it stays valid for the rest of the process;
//! - the vtable is read only after its header says it is at least as large as the struct the
//!   host reads, and the header layout is frozen across every major version;
//! - plugins catch their own panics (the SDK's shims), so no unwind crosses the boundary.
#![allow(unsafe_code)]

use std::path::Path;

use libloading::Library;
use nemo_plugin_abi::{
    ABI_MAJOR, AbiHeader, ENTRY_SYMBOL, ENTRY_SYMBOL_NUL, ENTRY_SYMBOL_PREFIX, EntryFn, PluginBuf,
    PluginVTable, status,
};

use crate::error::PluginError;
use crate::handshake;

/// How many majors to probe for when `nemo_plugin_v1` is missing, to tell "built for another
/// ABI" from "not a plugin at all".
const PROBED_MAJORS: u16 = 16;

/// An opened plugin: a copy of its vtable, whose pointers stay valid because the library is
/// leaked.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawPlugin {
    vtable: PluginVTable,
    effective_minor: u16,
}

/// A non-zero status and the plugin's `last_error` text.
#[derive(Debug)]
pub(crate) struct CallFailure {
    pub(crate) status: i32,
    pub(crate) message: String,
}

/// Which vtable function to call.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Call<'a> {
    Describe,
    Attribution(&'a [u8]),
    Adapt(&'a [u8]),
}

/// Opens `file` (already canonical), finds the entry point and checks the ABI handshake.
pub(crate) fn open(file: &Path) -> Result<RawPlugin, PluginError> {
    // SAFETY: loading runs the library's initialisers. Only plugin files the user installed in
    // a plugin directory, or passed by path, get here; first-party plugins have no initialisers
    // beyond Rust's std.
    let library = unsafe { Library::new(file) }.map_err(|source| PluginError::Open {
        file: file.to_path_buf(),
        source,
    })?;
    // Never unload: function pointers and the static vtable must outlive every copy.
    let library: &'static Library = Box::leak(Box::new(library));

    // SAFETY: every major's entry point is `extern "C" fn() -> *const <vtable>`, which is what
    // `EntryFn` declares; the symbol's address is only turned into that function type.
    let entry = match unsafe { library.get::<EntryFn>(ENTRY_SYMBOL_NUL) } {
        Ok(symbol) => *symbol,
        Err(_) => return Err(other_major_or_missing(library, file)),
    };
    // SAFETY: the entry point takes no arguments and returns a pointer to a static vtable.
    let table = unsafe { entry() };
    if table.is_null() {
        return Err(PluginError::NullVTable {
            file: file.to_path_buf(),
            symbol: ENTRY_SYMBOL,
        });
    }
    // SAFETY: `table` is non-null and points at a vtable, whose first field is an `AbiHeader`
    // in every ABI version; `AbiHeader` is plain integers, valid for any bit pattern.
    let header = unsafe { table.cast::<AbiHeader>().read() };
    let effective_minor = handshake::negotiate(file, header)?;
    // Reading the host's whole struct needs the plugin's table to be at least that large.
    // `negotiate` guarantees this while the host knows a single minor; keep the check explicit
    // for when it knows more.
    if (header.struct_size as usize) < size_of::<PluginVTable>() {
        return Err(PluginError::VTableTooSmall {
            file: file.to_path_buf(),
            plugin_abi: header.version(),
            struct_size: header.struct_size,
            required: size_of::<PluginVTable>(),
        });
    }
    // SAFETY: `table` points at a live static vtable of at least `size_of::<PluginVTable>()`
    // bytes with this layout (same major, size checked above); its function pointers are valid
    // for as long as the leaked library.
    let vtable = unsafe { table.read() };
    Ok(RawPlugin {
        vtable,
        effective_minor,
    })
}

/// Tells a plugin of another major (`nemo_plugin_v2`, ...) from a library that is no plugin.
fn other_major_or_missing(library: &'static Library, file: &Path) -> PluginError {
    for major in (0..PROBED_MAJORS).filter(|major| *major != ABI_MAJOR) {
        let symbol = format!("{ENTRY_SYMBOL_PREFIX}{major}\0");
        // SAFETY: as for the main entry point: every major's entry point has the `EntryFn` type.
        let Ok(entry) = (unsafe { library.get::<EntryFn>(symbol.as_bytes()) }) else {
            continue;
        };
        // SAFETY: the entry point takes no arguments and returns a pointer to a static vtable.
        let table = unsafe { (*entry)() };
        let plugin_abi = if table.is_null() {
            nemo_plugin_abi::AbiVersion { major, minor: 0 }
        } else {
            // SAFETY: the header is the first field of every major's vtable and is frozen.
            unsafe { table.cast::<AbiHeader>().read() }.version()
        };
        return handshake::incompatible(file, plugin_abi);
    }
    PluginError::MissingEntry {
        file: file.to_path_buf(),
        symbol: ENTRY_SYMBOL,
    }
}

impl RawPlugin {
    /// The minor both sides speak: `min(host, plugin)`.
    pub(crate) fn effective_minor(&self) -> u16 {
        self.effective_minor
    }

    /// The header as the plugin declared it.
    pub(crate) fn header(&self) -> AbiHeader {
        self.vtable.header
    }

    /// Calls one function and copies its answer out of the plugin's buffer.
    pub(crate) fn call(&self, call: Call<'_>) -> Result<Vec<u8>, CallFailure> {
        let mut out = PluginBuf::EMPTY;
        // SAFETY: the function pointers are valid (leaked library); inputs are live slices for
        // the duration of the call; `out` is a local slot the plugin may write once.
        let code = unsafe {
            match call {
                Call::Describe => (self.vtable.describe)(&raw mut out),
                Call::Attribution(input) => {
                    (self.vtable.attribution)(input.as_ptr(), input.len(), &raw mut out)
                }
                Call::Adapt(input) => {
                    (self.vtable.adapt)(input.as_ptr(), input.len(), &raw mut out)
                }
            }
        };
        let bytes = self.take(out);
        if code == status::OK {
            Ok(bytes)
        } else {
            Err(CallFailure {
                status: code,
                message: self.last_error(),
            })
        }
    }

    /// The calling thread's last error text from the plugin.
    fn last_error(&self) -> String {
        let mut out = PluginBuf::EMPTY;
        // SAFETY: valid function pointer (leaked library); `out` is a local slot.
        let code = unsafe { (self.vtable.last_error)(&raw mut out) };
        let bytes = self.take(out);
        if code != status::OK {
            return "the plugin could not report its error".to_owned();
        }
        let message = String::from_utf8_lossy(&bytes).trim().to_owned();
        if message.is_empty() {
            "the plugin gave no error message".to_owned()
        } else {
            message
        }
    }

    /// Copies a plugin buffer and hands it back to the plugin's allocator.
    fn take(&self, buf: PluginBuf) -> Vec<u8> {
        if buf.ptr.is_null() {
            return Vec::new();
        }
        // SAFETY: a non-null buffer returned by the plugin holds `len` initialised bytes until
        // it is freed, which happens only below.
        let bytes = unsafe { std::slice::from_raw_parts(buf.ptr, buf.len) }.to_vec();
        // SAFETY: the buffer came from this plugin and is freed exactly once.
        unsafe { (self.vtable.free_buf)(buf) };
        bytes
    }
}
