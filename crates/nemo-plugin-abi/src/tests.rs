//! Layout and documentation guards for the plugin ABI.

use super::*;

#[test]
#[cfg(target_pointer_width = "64")]
fn abi_layout_snapshot() {
    insta::assert_snapshot!("abi_layout", describe_layout());
}

#[test]
fn entry_symbol_names_the_major() {
    assert_eq!(ENTRY_SYMBOL, format!("{ENTRY_SYMBOL_PREFIX}{ABI_MAJOR}"));
    assert_eq!(ENTRY_SYMBOL_NUL, format!("{ENTRY_SYMBOL}\0").as_bytes());
}

#[test]
fn current_header_matches_constants() {
    let header = AbiHeader::CURRENT;
    assert_eq!(header.version(), AbiVersion::CURRENT);
    assert_eq!(header.struct_size as usize, size_of::<PluginVTable>());
    assert_eq!(min_struct_size(ABI_MINOR), Some(size_of::<PluginVTable>()));
    assert_eq!(min_struct_size(ABI_MINOR + 1), None);
}

#[test]
fn versions_display_as_major_dot_minor() {
    let v = AbiVersion {
        major: 2,
        minor: 13,
    };
    assert_eq!(v.to_string(), "2.13");
    assert_eq!(AbiVersion::CURRENT.to_string(), "1.0");
}

#[test]
fn empty_buffer_is_null() {
    assert!(PluginBuf::EMPTY.ptr.is_null());
    assert_eq!(PluginBuf::EMPTY.len, 0);
}

/// `docs/PLUGIN_ABI.md` records the SHA-256 of this crate's `src/lib.rs`, so an ABI edit cannot
/// land without a look at the document (rust-analyzer's `lsp-extensions.md` trick).
#[test]
fn plugin_abi_doc_hash_is_current() {
    use sha2::Digest as _;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read(root.join("src/lib.rs")).unwrap();
    let hash = hex::encode(sha2::Sha256::digest(&source));
    let doc = std::fs::read_to_string(root.join("../../docs/PLUGIN_ABI.md")).unwrap();
    let expected = format!("<!-- nemo-plugin-abi/src/lib.rs sha256: {hash} -->");
    assert!(
        doc.contains(&expected),
        "docs/PLUGIN_ABI.md is stale: review it against crates/nemo-plugin-abi/src/lib.rs, then \
         replace its hash line with\n{expected}"
    );
}
