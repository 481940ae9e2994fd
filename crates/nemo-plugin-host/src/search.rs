//! Where plugin files are looked for, and loading them by allow-listed name.

use std::path::{Path, PathBuf};

use crate::error::{PluginError, SearchedDirs};
use crate::loaded::{LoadedPlugin, load};
use crate::name::PluginName;

/// The directories searched for plugin files, in order; the first hit wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchPaths {
    dirs: Vec<PathBuf>,
}

impl SearchPaths {
    /// Exactly these directories, in this order (duplicates dropped).
    pub fn new(dirs: impl IntoIterator<Item = PathBuf>) -> SearchPaths {
        let mut unique: Vec<PathBuf> = Vec::new();
        for dir in dirs {
            if !unique.contains(&dir) {
                unique.push(dir);
            }
        }
        SearchPaths { dirs: unique }
    }

    /// The standard order: the `extra` directories the user configured, then the executable's
    /// directory (where release archives put the plugins), `<exe dir>/plugins`, and
    /// `<home>/.config/nemovideo/plugins`.
    pub fn standard(exe: Option<&Path>, home: Option<&Path>, extra: &[PathBuf]) -> SearchPaths {
        let exe_dir = exe.and_then(Path::parent);
        let defaults = [
            exe_dir.map(Path::to_path_buf),
            exe_dir.map(|dir| dir.join("plugins")),
            home.map(|home| home.join(".config").join("nemovideo").join("plugins")),
        ];
        SearchPaths::new(extra.iter().cloned().chain(defaults.into_iter().flatten()))
    }

    /// [`SearchPaths::standard`] for the running executable.
    pub fn for_current_exe(home: Option<&Path>, extra: &[PathBuf]) -> SearchPaths {
        let exe = std::env::current_exe().ok();
        SearchPaths::standard(exe.as_deref(), home, extra)
    }

    /// The directories, in search order.
    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    /// The first existing file for `name`.
    pub fn find(&self, name: PluginName) -> Option<PathBuf> {
        let file_name = name.file_name();
        self.dirs
            .iter()
            .map(|dir| dir.join(&file_name))
            .find(|candidate| candidate.is_file())
    }
}

/// Finds and loads an allow-listed plugin.
pub fn load_by_name(name: PluginName, search: &SearchPaths) -> Result<LoadedPlugin, PluginError> {
    match search.find(name) {
        Some(file) => load(&file),
        None => Err(PluginError::NotFound {
            name,
            file_name: name.file_name().to_string_lossy().into_owned(),
            searched: SearchedDirs(search.dirs.clone()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_order_puts_configured_dirs_first() {
        let search = SearchPaths::standard(
            Some(Path::new("/opt/nemo/bin/nemo")),
            Some(Path::new("/home/ana")),
            &[
                PathBuf::from("/srv/plugins"),
                PathBuf::from("/opt/nemo/bin"),
            ],
        );
        assert_eq!(
            search.dirs(),
            [
                PathBuf::from("/srv/plugins"),
                PathBuf::from("/opt/nemo/bin"),
                PathBuf::from("/opt/nemo/bin/plugins"),
                PathBuf::from("/home/ana/.config/nemovideo/plugins"),
            ]
        );
        assert!(SearchPaths::standard(None, None, &[]).dirs().is_empty());
    }

    #[test]
    fn find_takes_the_first_directory_with_the_file() {
        let first = tempfile::tempdir().unwrap();
        let second = tempfile::tempdir().unwrap();
        let file_name = PluginName::Cursor.file_name();
        std::fs::write(second.path().join(&file_name), b"").unwrap();
        let search = SearchPaths::new([first.path().to_path_buf(), second.path().to_path_buf()]);
        assert_eq!(
            search.find(PluginName::Cursor),
            Some(second.path().join(&file_name))
        );
        assert_eq!(search.find(PluginName::Clawhub), None);

        std::fs::write(first.path().join(&file_name), b"").unwrap();
        assert_eq!(
            search.find(PluginName::Cursor),
            Some(first.path().join(&file_name))
        );
    }

    #[test]
    fn not_found_names_the_file_and_every_directory() {
        let search = SearchPaths::new([PathBuf::from("/nope/a"), PathBuf::from("/nope/b")]);
        let error = load_by_name(PluginName::Clawhub, &search).unwrap_err();
        let file_name = PluginName::Clawhub.file_name();
        assert_eq!(
            error.to_string(),
            format!(
                "no `clawhub` plugin (`{}`) in `/nope/a`, `/nope/b`",
                file_name.to_string_lossy()
            )
        );
    }

    #[test]
    fn a_file_that_is_not_a_library_fails_to_open() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(PluginName::Cursor.file_name()),
            b"not an ELF",
        )
        .unwrap();
        let search = SearchPaths::new([dir.path().to_path_buf()]);
        let error = load_by_name(PluginName::Cursor, &search).unwrap_err();
        assert!(matches!(error, PluginError::Open { .. }), "{error:?}");
        assert!(error.to_string().starts_with("cannot open plugin `"));
    }
}
