//! Small files nemo keeps in its config directory: the client id and saved credentials.
//!
//! The client id file holds only the id (the skill's `~/.config/nemovideo/client_id`).
//! Credentials are saved because the cloud hands out one anonymous token per client id per
//! 7 days (HTTP 429 otherwise): a CLI that forgot its token between runs would lock itself out.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{Error, Secret};

/// Name of the client id file inside the config directory.
pub const CLIENT_ID_FILE: &str = "client_id";
/// Name of the config file inside the config directory.
pub const CONFIG_FILE: &str = "config.toml";
/// Name of the saved-credentials file inside the config directory.
pub const CREDENTIALS_FILE: &str = "credentials.toml";

/// Reads the persisted client id, creating (UUID v4) and saving one when there is none.
pub fn load_or_create_client_id(dir: &Path) -> Result<String, Error> {
    let path = dir.join(CLIENT_ID_FILE);
    match fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => Ok(text.trim().to_owned()),
        Ok(_) => regenerate_client_id(dir),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => regenerate_client_id(dir),
        Err(source) => Err(Error::Read { path, source }),
    }
}

/// Generates a new client id and persists it, replacing any old one (the policy for HTTP 400
/// on the anonymous-token call).
pub fn regenerate_client_id(dir: &Path) -> Result<String, Error> {
    let id = uuid::Uuid::new_v4().to_string();
    write_private(&dir.join(CLIENT_ID_FILE), id.as_bytes())?;
    Ok(id)
}

/// Credentials saved for one API target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedCredentials {
    pub token: Secret,
    /// The account's user id (`anon_…` for anonymous tokens), for registration links.
    pub user_id: Option<String>,
    /// True when the token came from the anonymous-token endpoint.
    pub anonymous: bool,
}

/// On-disk form; the token is a plain string here because [`Secret`] serialises redacted.
#[derive(Debug, Default, Serialize, Deserialize)]
struct CredentialsFile {
    #[serde(default)]
    servers: BTreeMap<String, StoredEntry>,
}

#[derive(Serialize, Deserialize)]
struct StoredEntry {
    token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_id: Option<String>,
    #[serde(default)]
    anonymous: bool,
}

impl std::fmt::Debug for StoredEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredEntry")
            .field("token", &Secret::new(self.token.clone()))
            .field("user_id", &self.user_id)
            .field("anonymous", &self.anonymous)
            .finish()
    }
}

/// Tokens saved per API target (a base URL, or `embedded`) in `credentials.toml`, mode 0600.
#[derive(Debug, Clone)]
pub struct CredentialStore {
    path: PathBuf,
}

impl CredentialStore {
    /// The store inside `config_dir`.
    pub fn new(config_dir: &Path) -> Self {
        Self {
            path: config_dir.join(CREDENTIALS_FILE),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Credentials saved for `target`, if any.
    pub fn load(&self, target: &str) -> Result<Option<SavedCredentials>, Error> {
        let file = self.read()?;
        Ok(file.servers.get(target).map(|e| SavedCredentials {
            token: Secret::new(e.token.clone()),
            user_id: e.user_id.clone(),
            anonymous: e.anonymous,
        }))
    }

    /// Saves (or replaces) the credentials of `target`.
    pub fn save(&self, target: &str, credentials: &SavedCredentials) -> Result<(), Error> {
        let mut file = self.read()?;
        file.servers.insert(
            target.to_owned(),
            StoredEntry {
                token: credentials.token.expose().to_owned(),
                user_id: credentials.user_id.clone(),
                anonymous: credentials.anonymous,
            },
        );
        self.write(&file)
    }

    /// Forgets the credentials of `target` (e.g. after the server rejected the token).
    pub fn remove(&self, target: &str) -> Result<(), Error> {
        let mut file = self.read()?;
        if file.servers.remove(target).is_some() {
            self.write(&file)?;
        }
        Ok(())
    }

    fn read(&self) -> Result<CredentialsFile, Error> {
        match fs::read_to_string(&self.path) {
            Ok(text) => toml::from_str(&text).map_err(|source| Error::Parse {
                path: self.path.clone(),
                source,
            }),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                Ok(CredentialsFile::default())
            }
            Err(source) => Err(Error::Read {
                path: self.path.clone(),
                source,
            }),
        }
    }

    fn write(&self, file: &CredentialsFile) -> Result<(), Error> {
        let text = toml::to_string(file).map_err(Error::Serialize)?;
        write_private(&self.path, text.as_bytes())
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename, readable by the owner only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let write_err = |source| Error::Write {
        path: path.to_owned(),
        source,
    };
    fs::create_dir_all(dir).map_err(write_err)?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        uuid::Uuid::new_v4().simple()
    ));
    let result = (|| {
        let mut f = open_private(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(write_err)
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<fs::File> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}
