//! The C ABI between `nemo` and its platform plugins: data only, no dependencies, no `unsafe`.
//!
//! A plugin is a `cdylib` exporting one symbol, [`ENTRY_SYMBOL`] (`nemo_plugin_v1`), an
//! `extern "C" fn() -> *const PluginVTable`. The major version is part of the symbol name, so a
//! plugin built for another major has no symbol this host looks for.
//!
//! The vtable starts with an [`AbiHeader`] whose layout is frozen for every major version. The
//! host reads the header first and only then trusts the rest of the table. New minor versions
//! append fields to [`PluginVTable`] and never reorder or remove them (the `abi_stable` prefix-type
//! rule), so `struct_size` tells the host which fields exist.
//!
//! Every function exchanges UTF-8 JSON documents (see `docs/PLUGIN_ABI.md`):
//! - inputs are borrowed `(ptr, len)` pairs, valid only for the duration of the call;
//! - outputs are plugin-allocated [`PluginBuf`]s that the host hands back through `free_buf`;
//! - every function returns a [`status`] code; on failure `last_error` explains why.
//!
//! Any change to this file must update the snapshot of the textual layout and the hash in
//! `docs/PLUGIN_ABI.md`.

use core::fmt;
use core::mem::{align_of, size_of};

/// Historical ABI versions, newest last. Never edit a published constant; add a new one.
pub mod version {
    /// Major 1: JSON documents over a `#[repr(C)]` vtable found through `nemo_plugin_v1`.
    pub const MAJOR_1: u16 = 1;
    /// Minor 0 of major 1: `describe`, `attribution`, `adapt`, `last_error`, `free_buf`.
    pub const INITIAL: u16 = 0;

    /// The major this crate describes.
    pub const CURRENT_MAJOR: u16 = MAJOR_1;
    /// The newest minor this crate describes.
    pub const CURRENT_MINOR: u16 = INITIAL;
}

/// Major ABI version. Host and plugin majors must be equal.
pub const ABI_MAJOR: u16 = version::CURRENT_MAJOR;
/// Minor ABI version. Host and plugin agree on `min(host, plugin)`.
pub const ABI_MINOR: u16 = version::CURRENT_MINOR;

/// Name of the exported entry point. It contains the major version.
pub const ENTRY_SYMBOL: &str = "nemo_plugin_v1";
/// [`ENTRY_SYMBOL`] with the trailing NUL that symbol lookups need.
pub const ENTRY_SYMBOL_NUL: &[u8] = b"nemo_plugin_v1\0";

/// Every symbol prefix an entry point of any major starts with (`nemo_plugin_v<major>`).
pub const ENTRY_SYMBOL_PREFIX: &str = "nemo_plugin_v";

/// Status codes returned by every vtable function except `free_buf`.
pub mod status {
    /// The call succeeded and the output buffer holds the result.
    pub const OK: i32 = 0;
    /// The plugin panicked; the panic was caught and `last_error` holds its message.
    pub const PANICKED: i32 = 1;
    /// The plugin reported an error (for example malformed input); see `last_error`.
    pub const ERROR: i32 = 2;
}

/// A major.minor pair, displayed as `1.0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AbiVersion {
    /// Major version: must match exactly.
    pub major: u16,
    /// Minor version: the lower of host and plugin wins.
    pub minor: u16,
}

impl AbiVersion {
    /// The version this crate describes.
    pub const CURRENT: AbiVersion = AbiVersion {
        major: ABI_MAJOR,
        minor: ABI_MINOR,
    };
}

impl fmt::Display for AbiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// The first field of every vtable, of every major. Its layout never changes.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AbiHeader {
    /// The plugin's major ABI version.
    pub abi_major: u16,
    /// The plugin's minor ABI version.
    pub abi_minor: u16,
    /// `size_of` the whole vtable as the plugin compiled it, header included.
    pub struct_size: u32,
}

impl AbiHeader {
    /// The header a plugin built against this crate exports.
    pub const CURRENT: AbiHeader = AbiHeader {
        abi_major: ABI_MAJOR,
        abi_minor: ABI_MINOR,
        struct_size: size_of::<PluginVTable>() as u32,
    };

    /// The version this header declares.
    pub const fn version(&self) -> AbiVersion {
        AbiVersion {
            major: self.abi_major,
            minor: self.abi_minor,
        }
    }
}

/// A plugin-allocated output buffer of UTF-8 bytes. The host must pass it back to `free_buf`
/// exactly once and must not touch it afterwards. A null `ptr` means "no buffer".
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PluginBuf {
    /// Start of the bytes; null for an empty result.
    pub ptr: *mut u8,
    /// Number of bytes.
    pub len: usize,
}

impl PluginBuf {
    /// The empty buffer: what the host passes in as the output slot, and what a failed call
    /// leaves there.
    pub const EMPTY: PluginBuf = PluginBuf {
        ptr: core::ptr::null_mut(),
        len: 0,
    };
}

/// `describe(out)`: writes the manifest JSON document into `*out`.
pub type DescribeFn = unsafe extern "C" fn(out: *mut PluginBuf) -> i32;
/// `attribution(input, input_len, out)`: attribution context JSON in, header map JSON out.
pub type AttributionFn =
    unsafe extern "C" fn(input: *const u8, input_len: usize, out: *mut PluginBuf) -> i32;
/// `adapt(input, input_len, out)`: UX event JSON in, adapted text document JSON out.
pub type AdaptFn =
    unsafe extern "C" fn(input: *const u8, input_len: usize, out: *mut PluginBuf) -> i32;
/// `last_error(out)`: writes the calling thread's last error message (plain UTF-8) into `*out`.
pub type LastErrorFn = unsafe extern "C" fn(out: *mut PluginBuf) -> i32;
/// `free_buf(buf)`: releases a buffer the plugin allocated.
pub type FreeBufFn = unsafe extern "C" fn(buf: PluginBuf);
/// The entry point's type: returns a pointer to a `'static` vtable, or null.
pub type EntryFn = unsafe extern "C" fn() -> *const PluginVTable;

/// The function table a plugin exports. Append-only across minor versions.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct PluginVTable {
    /// Version and size of this table. Always the first field.
    pub header: AbiHeader,
    /// Since 1.0.
    pub describe: DescribeFn,
    /// Since 1.0.
    pub attribution: AttributionFn,
    /// Since 1.0.
    pub adapt: AdaptFn,
    /// Since 1.0.
    pub last_error: LastErrorFn,
    /// Since 1.0.
    pub free_buf: FreeBufFn,
}

/// The smallest `struct_size` a vtable of the given minor may declare, or `None` for a minor
/// this crate does not know. When minor 1 appends a field, minor 0 keeps returning the offset
/// of that field.
pub const fn min_struct_size(minor: u16) -> Option<usize> {
    match minor {
        version::INITIAL => Some(size_of::<PluginVTable>()),
        _ => None,
    }
}

// Layout guards: any change here is an ABI change and must bump a version.
const _: () = assert!(size_of::<AbiHeader>() == 8);
const _: () = assert!(align_of::<AbiHeader>() == 4);
const _: () = assert!(size_of::<PluginBuf>() == 2 * size_of::<usize>());
const _: () = assert!(align_of::<PluginBuf>() == align_of::<usize>());
const _: () = assert!(core::mem::offset_of!(PluginVTable, header) == 0);
const _: () = assert!(core::mem::offset_of!(PluginVTable, describe) == 8);
const _: () = assert!(size_of::<PluginVTable>() == 8 + 5 * size_of::<usize>());
const _: () = assert!(align_of::<PluginVTable>() == align_of::<usize>());
const _: () = assert!(ENTRY_SYMBOL.len() + 1 == ENTRY_SYMBOL_NUL.len());
const _: () = assert!(ABI_MAJOR == 1, "rename ENTRY_SYMBOL when the major changes");

/// A textual description of the ABI: versions, symbol, and every field with offset and size.
/// A snapshot test pins it, so any layout change shows up in review.
pub fn describe_layout() -> String {
    use core::mem::offset_of;
    let fields: [(&str, &str, usize, usize); 6] = [
        (
            "header",
            "AbiHeader",
            offset_of!(PluginVTable, header),
            size_of::<AbiHeader>(),
        ),
        (
            "describe",
            "fn(out) -> i32",
            offset_of!(PluginVTable, describe),
            size_of::<DescribeFn>(),
        ),
        (
            "attribution",
            "fn(ptr, len, out) -> i32",
            offset_of!(PluginVTable, attribution),
            size_of::<AttributionFn>(),
        ),
        (
            "adapt",
            "fn(ptr, len, out) -> i32",
            offset_of!(PluginVTable, adapt),
            size_of::<AdaptFn>(),
        ),
        (
            "last_error",
            "fn(out) -> i32",
            offset_of!(PluginVTable, last_error),
            size_of::<LastErrorFn>(),
        ),
        (
            "free_buf",
            "fn(buf)",
            offset_of!(PluginVTable, free_buf),
            size_of::<FreeBufFn>(),
        ),
    ];
    let header_fields: [(&str, &str, usize, usize); 3] = [
        ("abi_major", "u16", offset_of!(AbiHeader, abi_major), 2),
        ("abi_minor", "u16", offset_of!(AbiHeader, abi_minor), 2),
        ("struct_size", "u32", offset_of!(AbiHeader, struct_size), 4),
    ];
    let buf_fields: [(&str, &str, usize, usize); 2] = [
        (
            "ptr",
            "*mut u8",
            offset_of!(PluginBuf, ptr),
            size_of::<*mut u8>(),
        ),
        (
            "len",
            "usize",
            offset_of!(PluginBuf, len),
            size_of::<usize>(),
        ),
    ];

    let mut lines = vec![
        format!("abi {}", AbiVersion::CURRENT),
        format!("entry symbol {ENTRY_SYMBOL}"),
        format!(
            "status ok={} panicked={} error={}",
            status::OK,
            status::PANICKED,
            status::ERROR
        ),
    ];
    push_struct(
        &mut lines,
        "AbiHeader",
        size_of::<AbiHeader>(),
        align_of::<AbiHeader>(),
        &header_fields,
    );
    push_struct(
        &mut lines,
        "PluginBuf",
        size_of::<PluginBuf>(),
        align_of::<PluginBuf>(),
        &buf_fields,
    );
    push_struct(
        &mut lines,
        "PluginVTable",
        size_of::<PluginVTable>(),
        align_of::<PluginVTable>(),
        &fields,
    );
    lines.push(String::new());
    lines.join("\n")
}

fn push_struct(
    lines: &mut Vec<String>,
    name: &str,
    size: usize,
    align: usize,
    fields: &[(&str, &str, usize, usize)],
) {
    lines.push(format!("struct {name} size={size} align={align}"));
    for (field, ty, offset, field_size) in fields {
        lines.push(format!(
            "  @{offset:<3} {field:<12} {ty} ({field_size} bytes)"
        ));
    }
}

#[cfg(test)]
mod tests;
