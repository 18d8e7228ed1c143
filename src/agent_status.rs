//! What the running agent watches, written by `vigie run` to a small file in
//! the data directory (`agent.json`, 0600) each time it (re)loads its
//! config, and read by `vigie doctor` and the end of `vigie setup` to tell
//! the user whether the running agent has picked up their change.
//!
//! Accounts are compared by a digest of their settings, so an account
//! changed in place (another server, another folder) is seen as well as one
//! added or removed. The digest holds no secret in clear (a
//! `password_command` is a command line, but it is hashed all the same).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::{AccountConfig, Config};
use crate::private_fs::{self, PrivateFsError};

/// The file's name in the data directory.
pub const FILE_NAME: &str = "agent.json";

/// What the running agent watches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentStatus {
    pub pid: u32,
    /// The config file it reads (none: no config directory on this system).
    pub config: Option<PathBuf>,
    /// When it loaded the config it runs with.
    pub loaded_at: DateTime<Utc>,
    /// Digest of the whole config it runs with.
    pub config_digest: String,
    pub accounts: Vec<WatchedAccount>,
    /// The last change it could not use (it kept the previous config).
    pub reload_error: Option<ReloadError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchedAccount {
    pub name: String,
    /// The folders configured; none means INBOX and the \Junk folder.
    pub folders: Option<Vec<String>>,
    pub digest: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReloadError {
    pub at: DateTime<Utc>,
    pub message: String,
}

fn digest(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

/// The digest of one account's settings.
pub fn account_digest(account: &AccountConfig) -> String {
    digest(&format!("{account:?}"))
}

/// The digest of a whole config.
pub fn config_digest(config: &Config) -> String {
    digest(&format!("{config:?}"))
}

impl AgentStatus {
    /// The status of this process running `config`, loaded now.
    pub fn new(config: &Config, config_path: Option<PathBuf>, now: DateTime<Utc>) -> AgentStatus {
        AgentStatus {
            pid: std::process::id(),
            config: config_path,
            loaded_at: now,
            config_digest: config_digest(config),
            accounts: config
                .accounts
                .iter()
                .map(|a| WatchedAccount { name: a.name.clone(), folders: a.folders.clone(), digest: account_digest(a) })
                .collect(),
            reload_error: None,
        }
    }

    /// Writes it to `data_dir` (atomically, 0600, never through a link).
    pub fn write(&self, data_dir: &Path) -> Result<(), PrivateFsError> {
        let json = serde_json::to_vec_pretty(self).unwrap_or_default();
        private_fs::write_private_file(&data_dir.join(FILE_NAME), &json)
    }

    /// Reads the status in `data_dir`; none if there is none or it is not
    /// readable (an agent of an older version writes none).
    pub fn read(data_dir: &Path) -> Option<AgentStatus> {
        let text = std::fs::read(data_dir.join(FILE_NAME)).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// Removes the file (the agent stops).
    pub fn remove(data_dir: &Path) {
        let _ = std::fs::remove_file(data_dir.join(FILE_NAME));
    }
}

/// The running agent against the config on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentView {
    /// No agent runs.
    NotRunning,
    /// An agent runs but says nothing of what it watches.
    Silent,
    /// It runs with the config on disk.
    UpToDate(AgentStatus),
    /// It runs with an older config.
    Behind {
        status: AgentStatus,
        /// In the config, not watched.
        missing: Vec<String>,
        /// Watched, changed in the config since.
        changed: Vec<String>,
        /// Watched, no longer in the config.
        removed: Vec<String>,
    },
}

/// Compares what the agent in `data_dir` watches with `config`.
/// `running`: whether an agent holds the lock.
pub fn view(data_dir: &Path, running: bool, config: &Config) -> AgentView {
    if !running {
        return AgentView::NotRunning;
    }
    let Some(status) = AgentStatus::read(data_dir) else { return AgentView::Silent };
    if status.config_digest == config_digest(config) {
        return AgentView::UpToDate(status);
    }
    let watched = |name: &str| status.accounts.iter().find(|w| w.name == name);
    let mut missing = Vec::new();
    let mut changed = Vec::new();
    for account in &config.accounts {
        match watched(&account.name) {
            None => missing.push(account.name.clone()),
            Some(w) if w.digest != account_digest(account) => changed.push(account.name.clone()),
            Some(_) => {}
        }
    }
    let removed = status
        .accounts
        .iter()
        .filter(|w| !config.accounts.iter().any(|a| a.name == w.name))
        .map(|w| w.name.clone())
        .collect();
    AgentView::Behind { status, missing, changed, removed }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Config {
        Config::parse(text, Path::new("c.toml")).expect("valid")
    }

    const MAMIE: &str = "[[account]]\nname = \"Mamie\"\nimap_host = \"h\"\nusername = \"u\"\n";
    const PAPI: &str = "[[account]]\nname = \"Papi\"\nimap_host = \"h\"\nusername = \"p\"\n";

    #[test]
    fn doctor_sees_accounts_added_changed_and_removed_since_the_agent_loaded() {
        let dir = tempfile::tempdir().expect("tempdir");
        let running = config(&format!("{MAMIE}{PAPI}"));
        AgentStatus::new(&running, None, Utc::now()).write(dir.path()).expect("write");
        assert!(matches!(view(dir.path(), true, &running), AgentView::UpToDate(_)));
        assert_eq!(view(dir.path(), false, &running), AgentView::NotRunning);

        let on_disk = config(&format!(
            "{}\n[[account]]\nname = \"Moi\"\nimap_host = \"h\"\nusername = \"m\"\n",
            MAMIE.replace("\"h\"", "\"h2\"")
        ));
        let AgentView::Behind { missing, changed, removed, .. } = view(dir.path(), true, &on_disk) else {
            panic!("behind expected")
        };
        assert_eq!((missing, changed, removed), (vec!["Moi".into()], vec!["Mamie".into()], vec!["Papi".into()]));
    }

    #[test]
    fn an_agent_without_a_status_file_is_silent() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(view(dir.path(), true, &Config::default()), AgentView::Silent);
    }
}
