//! The project (session) each API target is working on, remembered between invocations so
//! `nemo upload`, `nemo status` and `nemo export` act on the project `nemo chat` or `nemo run`
//! started. Session ids are not secrets; tokens are saved separately by nemo-config's
//! `CredentialStore` (mode 0600).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use nemo_client::SessionIds;
use serde::{Deserialize, Serialize};

const FILE: &str = "projects.json";

#[derive(Debug, Default, Serialize, Deserialize)]
struct ProjectsFile {
    #[serde(default)]
    targets: BTreeMap<String, Saved>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Saved {
    session_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    task_id: Option<String>,
}

/// Remembered projects, one per API target, in `<config dir>/projects.json`.
#[derive(Debug, Clone)]
pub(crate) struct Projects {
    path: PathBuf,
}

impl Projects {
    pub(crate) fn new(config_dir: &Path) -> Self {
        Self {
            path: config_dir.join(FILE),
        }
    }

    pub(crate) fn load(&self, target: &str) -> Option<SessionIds> {
        let file = self.read().ok()?;
        let saved = file.targets.get(target)?;
        Some(SessionIds {
            task_id: saved.task_id.clone(),
            session_id: saved.session_id.clone(),
        })
    }

    pub(crate) fn save(&self, target: &str, ids: &SessionIds) -> Result<()> {
        let mut file = self.read().unwrap_or_default();
        file.targets.insert(
            target.to_owned(),
            Saved {
                session_id: ids.session_id.clone(),
                task_id: ids.task_id.clone(),
            },
        );
        let json = serde_json::to_string_pretty(&file)?;
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        // Write then rename, so a crash never leaves a truncated file.
        let tmp = self.path.with_extension("json.tmp");
        std::fs::write(&tmp, json).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, &self.path)
            .with_context(|| format!("writing {}", self.path.display()))
    }

    fn read(&self) -> Result<ProjectsFile> {
        let text = std::fs::read_to_string(&self.path)?;
        Ok(serde_json::from_str(&text)?)
    }
}
