//! The configuration file (TOML) and where vigie keeps its files.
//!
//! Path: `--config`, else `$VIGIE_CONFIG`, else `vigie/config.toml` in the
//! XDG config directory. A missing file at the default path means defaults;
//! a missing file that the user named is an error.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::notice::{Rules, RulesError, RulesExtension};

/// The whole configuration.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Additions to the built-in recognition rules.
    #[serde(default)]
    pub recognition: RulesExtension,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no data directory: pass --data-dir or set VIGIE_DATA_DIR")]
    NoDataDir,
    #[error("configuration file {path}: {source}")]
    Parse {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
}

impl Config {
    /// Loads the config from `explicit`, `$VIGIE_CONFIG` or the default
    /// path; defaults when the default file does not exist.
    pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let named = explicit.map(Path::to_path_buf).or_else(|| std::env::var_os("VIGIE_CONFIG").map(PathBuf::from));
        let (path, must_exist) = match named {
            Some(path) => (path, true),
            None => match default_config_path() {
                Some(path) => (path, false),
                None => return Ok(Config::default()),
            },
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => Config::parse(&text, &path),
            Err(e) if !must_exist && e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(source) => Err(ConfigError::Read { path, source }),
        }
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|source| ConfigError::Parse { path: path.to_path_buf(), source })
    }

    /// The recognition rules this config asks for.
    pub fn rules(&self) -> Result<Rules, RulesError> {
        Rules::with_extension(&self.recognition)
    }
}

/// The directory holding the journal: `explicit`, else `$VIGIE_DATA_DIR`,
/// else `vigie` in the platform's data directory.
pub fn data_dir(explicit: Option<&Path>) -> Result<PathBuf, ConfigError> {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("VIGIE_DATA_DIR").map(PathBuf::from))
        .or_else(|| dirs::data_dir().map(|d| d.join("vigie")))
        .ok_or(ConfigError::NoDataDir)
}

/// `vigie/config.toml` in the platform's config directory.
pub fn default_config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("vigie").join("config.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_named() {
        let err = Config::parse("[recognition]\nofficial = []\n", Path::new("c.toml")).expect_err("unknown key");
        assert!(err.to_string().contains("official"), "{err}");
    }

    #[test]
    fn a_named_missing_file_is_an_error() {
        let err = Config::load(Some(Path::new("/nonexistent/vigie.toml"))).expect_err("missing");
        assert!(matches!(err, ConfigError::Read { .. }));
    }
}
