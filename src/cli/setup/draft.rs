//! What the user typed in a setup that did not finish (never the
//! password), kept beside the config so that the next `vigie setup` offers
//! it again instead of asking everything from scratch. Removed once an
//! account is saved.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::{AccountConfig, Fingerprint};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub email: String,
    pub name: String,
    pub imap_host: String,
    pub imap_port: u16,
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_cert_sha256: Option<String>,
}

impl Draft {
    pub fn of(email: &str, account: &AccountConfig) -> Draft {
        Draft {
            email: email.to_owned(),
            name: account.name.clone(),
            imap_host: account.imap_host.clone(),
            imap_port: account.imap_port,
            username: account.username.clone(),
            tls_cert_sha256: account.tls_cert_sha256.map(|f| f.to_string()),
        }
    }

    pub fn fingerprint(&self) -> Option<Fingerprint> {
        self.tls_cert_sha256.as_deref().and_then(Fingerprint::parse)
    }
}

/// Where the draft for the config at `config` lives.
pub fn path_for(config: &Path) -> PathBuf {
    config.with_file_name("setup-draft.toml")
}

/// The draft at `path`, if there is a readable one.
pub fn load(path: &Path) -> Option<Draft> {
    toml::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// Keeps `draft` at `path` (0600, in the config's private directory).
/// Best effort: losing a draft loses only convenience.
pub fn save(path: &Path, draft: &Draft) {
    let Ok(text) = toml::to_string(draft) else { return };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && crate::private_fs::create_config_dir(dir).is_err()
    {
        return;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    if let Ok(mut file) = options.open(path) {
        let _ = std::io::Write::write_all(&mut file, text.as_bytes());
    }
}

pub fn remove(path: &Path) {
    let _ = std::fs::remove_file(path);
}
