//! `SoundFont` lookup (pure: the caller supplies the candidate paths and an `exists` check) and
//! loading from bytes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::MusicError;

/// System fonts tried after the user's choices, best first.
pub const SYSTEM_SOUNDFONTS: [&str; 3] = [
    "/usr/share/sounds/sf2/default-GM.sf2",
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/TimGM6mb.sf2",
];

/// Message shown when no `SoundFont` is found (the fallback synthesiser is used instead).
pub const NO_SOUNDFONT_HINT: &str = "no General MIDI SoundFont found; using the built-in synthesiser. \
For realistic instruments install one (`sudo apt-get install fluid-soundfont-gm`, or the smaller \
`timgm6mb-soundfont`) or pass --soundfont PATH / set SOUNDFONT";

/// Where a `SoundFont` choice came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FontSource {
    /// `--soundfont` on the command line.
    Flag,
    /// The configuration file.
    Config,
    /// The `SOUNDFONT` environment variable.
    Env,
    /// A system location.
    System,
}

/// The result of [`find_soundfont`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FontChoice {
    /// Use this font.
    Found {
        /// Path of the font.
        path: PathBuf,
        /// Where it came from.
        source: FontSource,
    },
    /// A font the user named explicitly does not exist: an error, not a silent fallback.
    Missing {
        /// The path named.
        path: PathBuf,
        /// Where it was named.
        source: FontSource,
    },
    /// Nothing found anywhere: use the fallback synthesiser and show [`NO_SOUNDFONT_HINT`].
    None,
}

/// Chooses a `SoundFont`: `--soundfont`, then config, then `SOUNDFONT`, then the system fonts.
/// User-named paths that do not exist are reported as [`FontChoice::Missing`].
pub fn find_soundfont(
    flag: Option<&Path>,
    config: Option<&Path>,
    env: Option<&Path>,
    exists: impl Fn(&Path) -> bool,
) -> FontChoice {
    for (path, source) in [
        (flag, FontSource::Flag),
        (config, FontSource::Config),
        (env, FontSource::Env),
    ] {
        if let Some(path) = path.filter(|p| !p.as_os_str().is_empty()) {
            return if exists(path) {
                FontChoice::Found {
                    path: path.to_path_buf(),
                    source,
                }
            } else {
                FontChoice::Missing {
                    path: path.to_path_buf(),
                    source,
                }
            };
        }
    }
    SYSTEM_SOUNDFONTS
        .iter()
        .map(Path::new)
        .find(|p| exists(p))
        .map_or(FontChoice::None, |p| FontChoice::Found {
            path: p.to_path_buf(),
            source: FontSource::System,
        })
}

/// A parsed `SoundFont`, cheap to clone and share between renders.
#[derive(Clone)]
pub struct SoundFont(pub(crate) Arc<rustysynth::SoundFont>);

impl std::fmt::Debug for SoundFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoundFont")
            .field("name", &self.0.get_info().get_bank_name())
            .finish()
    }
}

impl SoundFont {
    /// Parses an SF2 font from a reader.
    pub fn from_reader(reader: &mut impl std::io::Read) -> Result<Self, MusicError> {
        rustysynth::SoundFont::new(reader)
            .map(|f| Self(Arc::new(f)))
            .map_err(|e| MusicError::SoundFont(e.to_string()))
    }

    /// Parses an SF2 font from bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, MusicError> {
        Self::from_reader(&mut std::io::Cursor::new(bytes))
    }

    /// The font's bank name.
    pub fn name(&self) -> &str {
        self.0.get_info().get_bank_name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_order_and_missing_paths() {
        let none = |_: &Path| false;
        let all = |_: &Path| true;
        assert_eq!(find_soundfont(None, None, None, none), FontChoice::None);
        let flag = Path::new("/x/flag.sf2");
        let env = Path::new("/x/env.sf2");
        assert_eq!(
            find_soundfont(Some(flag), None, Some(env), all),
            FontChoice::Found {
                path: flag.into(),
                source: FontSource::Flag
            }
        );
        assert_eq!(
            find_soundfont(Some(flag), None, Some(env), none),
            FontChoice::Missing {
                path: flag.into(),
                source: FontSource::Flag
            }
        );
        assert_eq!(
            find_soundfont(None, None, Some(env), all),
            FontChoice::Found {
                path: env.into(),
                source: FontSource::Env
            }
        );
        let only_tim = |p: &Path| p.ends_with("TimGM6mb.sf2");
        assert_eq!(
            find_soundfont(None, None, None, only_tim),
            FontChoice::Found {
                path: SYSTEM_SOUNDFONTS[2].into(),
                source: FontSource::System
            }
        );
        assert!(NO_SOUNDFONT_HINT.contains("fluid-soundfont-gm"));
        assert!(NO_SOUNDFONT_HINT.contains("timgm6mb-soundfont"));
    }

    #[test]
    fn garbage_is_a_clear_error() {
        let err = SoundFont::from_bytes(b"not a soundfont").unwrap_err();
        assert!(err.to_string().contains("SoundFont"));
    }
}
