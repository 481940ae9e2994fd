//! The version handshake, as pure functions over a vtable header.

use std::path::Path;

use nemo_plugin_abi::{ABI_MAJOR, ABI_MINOR, AbiHeader, AbiVersion, min_struct_size};

use crate::error::PluginError;

/// Checks a plugin's header against the host's ABI and returns the effective minor:
/// majors must be equal, the minor is `min(host, plugin)`, and `struct_size` must cover every
/// field that minor has.
pub(crate) fn negotiate(file: &Path, header: AbiHeader) -> Result<u16, PluginError> {
    if header.abi_major != ABI_MAJOR {
        return Err(incompatible(file, header.version()));
    }
    #[expect(
        clippy::unnecessary_min_or_max,
        reason = "ABI_MINOR is 0 today, but the rule is min(host, plugin)"
    )]
    let effective = header.abi_minor.min(ABI_MINOR);
    if header.abi_minor != ABI_MINOR {
        tracing::debug!(
            file = %file.display(),
            plugin_abi = %header.version(),
            host_abi = %AbiVersion::CURRENT,
            effective_minor = effective,
            "plugin and host ABI minors differ"
        );
    }
    // `effective <= ABI_MINOR`, so the ABI crate knows its size; the fallback is unreachable.
    let required = min_struct_size(effective).unwrap_or(usize::MAX);
    if (header.struct_size as usize) < required {
        return Err(PluginError::VTableTooSmall {
            file: file.to_path_buf(),
            plugin_abi: header.version(),
            struct_size: header.struct_size,
            required,
        });
    }
    Ok(effective)
}

/// The error for a plugin of another major.
pub(crate) fn incompatible(file: &Path, plugin_abi: AbiVersion) -> PluginError {
    PluginError::Incompatible {
        file: file.to_path_buf(),
        plugin_abi,
        host_abi: AbiVersion::CURRENT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(abi_major: u16, abi_minor: u16, struct_size: u32) -> AbiHeader {
        AbiHeader {
            abi_major,
            abi_minor,
            struct_size,
        }
    }

    const FILE: &str = "/plugins/libnemo_plugin_x.so";

    #[test]
    fn current_header_is_accepted() {
        assert_eq!(
            negotiate(Path::new(FILE), AbiHeader::CURRENT).unwrap(),
            ABI_MINOR
        );
    }

    #[test]
    fn a_newer_minor_with_a_longer_table_negotiates_down() {
        let size = AbiHeader::CURRENT.struct_size + 16;
        let minor = negotiate(Path::new(FILE), header(ABI_MAJOR, ABI_MINOR + 3, size)).unwrap();
        assert_eq!(minor, ABI_MINOR);
    }

    #[test]
    fn other_majors_are_incompatible_and_say_so() {
        for major in [0, ABI_MAJOR + 1] {
            let error = negotiate(Path::new(FILE), header(major, 0, 48)).unwrap_err();
            let PluginError::Incompatible {
                file,
                plugin_abi,
                host_abi,
            } = &error
            else {
                panic!("unexpected {error:?}");
            };
            assert_eq!(file, Path::new(FILE));
            assert_eq!(*plugin_abi, AbiVersion { major, minor: 0 });
            assert_eq!(*host_abi, AbiVersion::CURRENT);
            assert_eq!(
                error.to_string(),
                format!(
                    "plugin `{FILE}` has ABI {major}.0, which is not compatible with host ABI 1.0"
                )
            );
        }
    }

    #[test]
    fn a_truncated_table_is_rejected() {
        let short = AbiHeader::CURRENT.struct_size - 8;
        let error = negotiate(Path::new(FILE), header(ABI_MAJOR, ABI_MINOR, short)).unwrap_err();
        assert!(
            matches!(error, PluginError::VTableTooSmall { struct_size, required, .. }
                if struct_size == short && required == AbiHeader::CURRENT.struct_size as usize),
            "{error:?}"
        );
    }
}
