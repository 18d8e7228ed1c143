//! The configuration file (TOML) and where vigie keeps its files.
//!
//! Path: `--config`, else `$VIGIE_CONFIG`, else `vigie/config.toml` in the
//! XDG config directory. A missing file at the default path means defaults;
//! a missing file that the user named is an error.

use std::path::{Path, PathBuf};

use chrono::Duration;
use serde::Deserialize;

use crate::matching::MatchRules;
use crate::notice::{AuthservId, Rules, RulesError, RulesExtension, Trust};
use crate::private_fs::{self, PrivateFsError};

mod fingerprint;

pub use fingerprint::Fingerprint;

/// The whole configuration.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// How often to look at a mailbox whose server has no IDLE, and at the
    /// folders other than INBOX, in seconds.
    #[serde(default = "default_poll_interval")]
    pub poll_interval_secs: u64,
    /// Alert when a mailbox cannot be read for this long, in hours.
    #[serde(default = "default_blind_after")]
    pub blind_after_hours: u64,
    /// Open alerts are shown again this often, in hours.
    #[serde(default = "default_remind_every")]
    pub remind_every_hours: u64,
    /// Whether a genuine payment notice raises a calm reminder to check
    /// the reimbursements (at most once per account every 15 days).
    #[serde(default = "yes")]
    pub payment_reminders: bool,
    #[serde(default)]
    pub matching: MatchingConfig,
    /// The watched mailboxes.
    #[serde(default, rename = "account")]
    pub accounts: Vec<AccountConfig>,
    /// Additions to the built-in recognition rules.
    #[serde(default)]
    pub recognition: RulesExtension,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            poll_interval_secs: default_poll_interval(),
            blind_after_hours: default_blind_after(),
            remind_every_hours: default_remind_every(),
            payment_reminders: true,
            matching: MatchingConfig::default(),
            accounts: Vec::new(),
            recognition: RulesExtension::default(),
        }
    }
}

fn yes() -> bool {
    true
}

fn default_poll_interval() -> u64 {
    120
}

fn default_blind_after() -> u64 {
    6
}

fn default_remind_every() -> u64 {
    24
}

/// The matching window around a notice, in minutes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchingConfig {
    #[serde(default = "default_before")]
    pub before_minutes: i64,
    #[serde(default = "default_after")]
    pub after_minutes: i64,
    #[serde(default = "default_missing")]
    pub missing_notice_minutes: i64,
}

impl Default for MatchingConfig {
    fn default() -> Self {
        MatchingConfig {
            before_minutes: default_before(),
            after_minutes: default_after(),
            missing_notice_minutes: default_missing(),
        }
    }
}

fn default_before() -> i64 {
    30
}
fn default_after() -> i64 {
    10
}
fn default_missing() -> i64 {
    30
}

/// One watched mailbox.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    /// Whose account: named in alerts ("Mamie").
    pub name: String,
    pub imap_host: String,
    #[serde(default = "default_port")]
    pub imap_port: u16,
    pub username: String,
    /// A command that prints the password (else the OS keyring is used).
    pub password_command: Option<String>,
    /// A command that prints an OAuth2 access token (XOAUTH2).
    pub oauth2_token_command: Option<String>,
    /// Where the OAuth2 token comes from when no command prints it: the
    /// desktop's online accounts (`"gnome-online-accounts"`).
    pub oauth2_source: Option<OAuth2Source>,
    /// An extra trusted CA certificate (PEM), for self-hosted servers.
    pub tls_ca_file: Option<PathBuf>,
    /// The SHA-256 fingerprint of the one server certificate trusted for
    /// this account (a self-signed one the user accepted in `setup`):
    /// exactly that certificate is accepted, whatever its name and dates.
    pub tls_cert_sha256: Option<Fingerprint>,
    /// Folders to watch [default: INBOX and the \Junk folder].
    pub folders: Option<Vec<String>>,
    /// How far back the first run looks, in days.
    #[serde(default = "default_lookback")]
    pub lookback_days: u32,
    /// Whose `Authentication-Results` to believe: the authserv-ids of this
    /// mailbox's receiving servers (`*.domain` for any server under it,
    /// `(microsoft)` for Microsoft's headers, which carry none). `setup`
    /// fills it for known providers; empty trusts none.
    #[serde(default)]
    pub trusted_authserv_ids: Vec<String>,
    /// This computer's browsers log into this account: their history is
    /// read for own logins (see [`crate::own_logins`]).
    #[serde(default)]
    pub browser_history: bool,
}

impl AccountConfig {
    /// Whose `Authentication-Results` this account believes (its
    /// `trusted_authserv_ids`); the caller adds any id learned from the
    /// account's mail.
    pub fn trust(&self) -> Trust {
        Trust::servers(self.trusted_authserv_ids.iter().map(String::as_str))
    }
}

fn default_port() -> u16 {
    993
}

/// Where an OAuth2 access token comes from, besides a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum OAuth2Source {
    /// GNOME Settings → Online Accounts (`org.gnome.OnlineAccounts` on the
    /// session bus): the account whose e-mail address is the username.
    GnomeOnlineAccounts,
}

impl OAuth2Source {
    pub fn as_str(self) -> &'static str {
        match self {
            OAuth2Source::GnomeOnlineAccounts => "gnome-online-accounts",
        }
    }
}

fn default_lookback() -> u32 {
    30
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
        /// The line the parser stopped at (1-based) and the key written
        /// on it, when there is one.
        line: Option<usize>,
        key: Option<String>,
        #[source]
        source: Box<toml::de::Error>,
    },
    #[error("configuration file {path}: {key}: {problem}")]
    Invalid { path: PathBuf, key: String, problem: Problem },
    /// The file or its directory could be changed by someone else.
    #[error(transparent)]
    NotPrivate(#[from] PrivateFsError),
}

/// What is wrong with a value serde accepted (said to the user by
/// [`crate::messages::config_problem`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("must be at least {min} {unit}")]
    AtLeast { min: u64, unit: Unit },
    #[error("must be between {min} and {max} {unit}")]
    Between { min: u64, max: u64, unit: Unit },
    #[error("must not be empty")]
    Empty,
    #[error("{0:?} is used by two accounts")]
    NameTwice(String),
    #[error("must be a port number (993 for IMAP over TLS)")]
    NotAPort,
    #[error("set either password_command or oauth2_token_command")]
    BothCommands,
    #[error("must list at least one folder name")]
    NoFolder,
    #[error("{0}")]
    BadAuthservId(String),
    #[error("must be a list of [[account]] tables")]
    NotAccountTables,
    #[error("the file is not valid TOML: {0}")]
    NotToml(String),
}

/// The unit of a number in the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Seconds,
    Minutes,
    Hours,
    Days,
}

impl std::fmt::Display for Unit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Unit::Seconds => "seconds",
            Unit::Minutes => "minutes",
            Unit::Hours => "hours",
            Unit::Days => "days",
        })
    }
}

/// The 1-based line of byte `offset` in `text`, and the key written at
/// the start of that line (`imap_port = "x"` → `imap_port`).
fn line_and_key(text: &str, offset: usize) -> (usize, Option<String>) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let key = text.lines().nth(line - 1).and_then(|l| l.split_once('=')).map(|(k, _)| k.trim().to_owned());
    (line, key.filter(|k| !k.is_empty() && !k.starts_with('[')))
}

impl Config {
    /// Loads the config from `explicit`, `$VIGIE_CONFIG` or the default
    /// path; defaults when the default file does not exist. The file and
    /// its directory must be the user's and not writable by others (it may
    /// run a `password_command`): see [`crate::private_fs`].
    pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let Some(path) = config_path(explicit) else { return Ok(Config::default()) };
        let must_exist = explicit.is_some() || std::env::var_os("VIGIE_CONFIG").is_some();
        match private_fs::read_private_config(&path) {
            Ok(text) => Config::parse(&text, &path),
            Err(e) if !must_exist && e.is_not_found() => Ok(Config::default()),
            Err(PrivateFsError::Io { source, .. }) => Err(ConfigError::Read { path, source }),
            Err(e) => Err(ConfigError::NotPrivate(e)),
        }
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|source| {
            let (line, key) = match source.span() {
                Some(span) => {
                    let (line, key) = line_and_key(text, span.start);
                    (Some(line), key)
                }
                None => (None, None),
            };
            ConfigError::Parse { path: path.to_path_buf(), line, key, source: Box::new(source) }
        })?;
        config.validate().map_err(|(key, problem)| ConfigError::Invalid { path: path.to_path_buf(), key, problem })?;
        Ok(config)
    }

    /// Checks values serde cannot: (key, what is wrong) for the first bad one.
    fn validate(&self) -> Result<(), (String, Problem)> {
        let bad = |key: &str, problem: Problem| Err((key.to_owned(), problem));
        let between = |min, max, unit| Problem::Between { min, max, unit };
        if self.poll_interval_secs < 10 {
            return bad("poll_interval_secs", Problem::AtLeast { min: 10, unit: Unit::Seconds });
        }
        if self.blind_after_hours == 0 {
            return bad("blind_after_hours", Problem::AtLeast { min: 1, unit: Unit::Hours });
        }
        if !(1..=24 * 30).contains(&self.remind_every_hours) {
            return bad("remind_every_hours", between(1, 720, Unit::Hours));
        }
        let m = &self.matching;
        for (key, value) in [
            ("matching.before_minutes", m.before_minutes),
            ("matching.after_minutes", m.after_minutes),
            ("matching.missing_notice_minutes", m.missing_notice_minutes),
        ] {
            if !(0..=24 * 60).contains(&value) {
                return bad(key, between(0, 1440, Unit::Minutes));
            }
        }
        for (i, a) in self.accounts.iter().enumerate() {
            let key = |k: &str| format!("account[{i}].{k}");
            if a.name.trim().is_empty() {
                return Err((key("name"), Problem::Empty));
            }
            if self.accounts[..i].iter().any(|b| b.name == a.name) {
                return Err((key("name"), Problem::NameTwice(a.name.clone())));
            }
            if a.imap_host.trim().is_empty() {
                return Err((key("imap_host"), Problem::Empty));
            }
            if a.imap_port == 0 {
                return Err((key("imap_port"), Problem::NotAPort));
            }
            if a.username.trim().is_empty() {
                return Err((key("username"), Problem::Empty));
            }
            let ways = [a.password_command.is_some(), a.oauth2_token_command.is_some(), a.oauth2_source.is_some()];
            if ways.iter().filter(|w| **w).count() > 1 {
                let key = if a.oauth2_source.is_some() { key("oauth2_source") } else { key("oauth2_token_command") };
                return Err((key, Problem::BothCommands));
            }
            if a.lookback_days > 3650 {
                return Err((key("lookback_days"), between(0, 3650, Unit::Days)));
            }
            if a.folders.as_ref().is_some_and(|f| f.is_empty() || f.iter().any(|f| f.trim().is_empty())) {
                return Err((key("folders"), Problem::NoFolder));
            }
            if let Some(Err(e)) = a.trusted_authserv_ids.iter().map(|id| AuthservId::parse(id)).find(Result::is_err) {
                return Err((key("trusted_authserv_ids"), Problem::BadAuthservId(e.to_string())));
            }
        }
        Ok(())
    }

    /// The matching rules this config asks for.
    pub fn match_rules(&self) -> MatchRules {
        MatchRules {
            before: Duration::minutes(self.matching.before_minutes),
            after: Duration::minutes(self.matching.after_minutes),
            missing_wait: Duration::minutes(self.matching.missing_notice_minutes),
            payment_reminders: self.payment_reminders,
            ..MatchRules::default()
        }
    }

    /// How often open alerts are shown again.
    pub fn remind_every(&self) -> Duration {
        Duration::hours(i64::try_from(self.remind_every_hours).unwrap_or(24))
    }

    /// The account own logins go to when none is named: the only
    /// configured one, if there is exactly one.
    pub fn default_account(&self) -> Option<&str> {
        match self.accounts.as_slice() {
            [only] => Some(&only.name),
            _ => None,
        }
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

/// The config file's path: `explicit`, else `$VIGIE_CONFIG`, else
/// [`default_config_path`].
pub fn config_path(explicit: Option<&Path>) -> Option<PathBuf> {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("VIGIE_CONFIG").map(PathBuf::from))
        .or_else(default_config_path)
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
    fn accounts_parse_with_defaults() {
        let config = Config::parse(
            "[[account]]\nname = \"Mamie\"\nimap_host = \"imap.orange.fr\"\nusername = \"j@orange.fr\"\n",
            Path::new("c.toml"),
        )
        .expect("valid");
        assert_eq!(config.accounts[0].imap_port, 993);
        assert_eq!(config.accounts[0].lookback_days, 30);
        assert_eq!(config.accounts[0].folders, None);
        assert_eq!(config.accounts[0].trust(), Trust::Servers(vec![]), "none trusted until setup or learning");
        assert_eq!(config.default_account(), Some("Mamie"));
        assert_eq!(config.poll_interval_secs, 120);
    }

    #[test]
    fn bad_values_name_their_key() {
        for (toml, key) in [
            ("poll_interval_secs = 1", "poll_interval_secs"),
            ("[matching]\nbefore_minutes = -5", "matching.before_minutes"),
            ("[[account]]\nname = \"\"\nimap_host = \"h\"\nusername = \"u\"", "account[0].name"),
            ("[[account]]\nname = \"A\"\nimap_host = \"h\"\nusername = \"u\"\nimap_port = 0", "account[0].imap_port"),
            ("[[account]]\nname = \"A\"\nimap_host = \"h\"\nusername = \"u\"\nfolders = []", "account[0].folders"),
            ("[[account]]\nname = \"A\"\nimap_host = \"h\"\nusername = \"u\"\nimap_prt = 993", "imap_prt"),
            ("[[account]]\nname = \"A\"\nimap_host = \"h\"\nusername = \"u\"\nimap_port = \"x\"", "imap_port"),
            (
                "[[account]]\nname = \"A\"\nimap_host = \"h\"\nusername = \"u\"\ntrusted_authserv_ids = [\"mx.example; dkim=pass\"]",
                "account[0].trusted_authserv_ids",
            ),
        ] {
            let err = Config::parse(toml, Path::new("c.toml")).expect_err(toml).to_string();
            assert!(err.contains(key), "{toml:?}: {err}");
        }
    }

    #[test]
    fn a_config_others_can_change_is_refused_with_the_fix() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).expect("chmod");
        let err = Config::load(Some(&path)).expect_err("refused");
        assert!(matches!(err, ConfigError::NotPrivate(_)), "{err}");
        assert!(err.to_string().contains(&format!("chmod go-w {}", path.display())), "{err}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        Config::load(Some(&path)).expect("private again");
    }

    #[test]
    fn a_pinned_certificate_reads_as_openssl_prints_it() {
        let colons = "6A:6C:AE:80:2B:21:8A:7E:A5:D2:D3:D6:62:32:60:DB:85:83:78:38:34:19:B0:1B:67:71:49:3C:1C:F0:64:48";
        let pin = Fingerprint::parse(colons).expect("with colons");
        assert_eq!(pin.to_string(), colons);
        assert_eq!(Fingerprint::parse(&colons.replace(':', "").to_lowercase()), Some(pin));
        assert!(pin.grouped().starts_with("6A6C AE80 2B21"), "{}", pin.grouped());
        assert_eq!(Fingerprint::parse("6A:6C"), None);
        let account = |extra: &str| format!("[[account]]\nname = \"A\"\nimap_host = \"h\"\nusername = \"u\"\n{extra}");
        let config =
            Config::parse(&account(&format!("tls_cert_sha256 = \"{colons}\"")), Path::new("c.toml")).expect("valid");
        assert_eq!(config.accounts[0].tls_cert_sha256, Some(pin));
        let err = Config::parse(&account("tls_cert_sha256 = \"abc\""), Path::new("c.toml")).expect_err("bad pin");
        assert!(err.to_string().contains("tls_cert_sha256"), "{err}");
    }

    #[test]
    fn one_way_to_log_in_per_account() {
        let account = |extra: &str| format!("[[account]]\nname = \"A\"\nimap_host = \"h\"\nusername = \"u\"\n{extra}");
        let config =
            Config::parse(&account("oauth2_source = \"gnome-online-accounts\""), Path::new("c.toml")).expect("valid");
        assert_eq!(config.accounts[0].oauth2_source, Some(OAuth2Source::GnomeOnlineAccounts));
        let err = Config::parse(
            &account("oauth2_source = \"gnome-online-accounts\"\npassword_command = \"pass x\""),
            Path::new("c.toml"),
        )
        .expect_err("two ways");
        assert!(err.to_string().contains("account[0].oauth2_source"), "{err}");
    }

    #[test]
    fn a_named_missing_file_is_an_error() {
        let err = Config::load(Some(Path::new("/nonexistent/vigie.toml"))).expect_err("missing");
        assert!(matches!(err, ConfigError::Read { .. }));
    }
}

/// Adds `account` to the config file at `path` (creating it, mode 0600), or
/// replaces the account of the same name. Everything else in the file —
/// other accounts, settings, comments — is kept as it was. The new text is
/// validated before it replaces the old, atomically.
pub fn upsert_account(path: &Path, account: &AccountConfig) -> Result<(), ConfigError> {
    let read_error = |source| ConfigError::Read { path: path.to_path_buf(), source };
    let old = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(read_error(e)),
    };
    let mut doc: toml_edit::DocumentMut = old.parse().map_err(|e: toml_edit::TomlError| ConfigError::Invalid {
        path: path.to_path_buf(),
        key: "(file)".into(),
        problem: Problem::NotToml(e.to_string()),
    })?;
    let fields = account_fields(account);
    let accounts = doc
        .entry("account")
        .or_insert_with(|| toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::new()))
        .as_array_of_tables_mut()
        .ok_or_else(|| ConfigError::Invalid {
            path: path.to_path_buf(),
            key: "account".into(),
            problem: Problem::NotAccountTables,
        })?;
    let same_name = accounts.iter().position(|t| t.get("name").and_then(|n| n.as_str()) == Some(account.name.as_str()));
    // An account set up again keeps its table: keys vigie does not manage
    // (options added by hand) and comments stay; the managed keys are set
    // or removed.
    let table = match same_name.and_then(|i| accounts.get_mut(i)) {
        Some(existing) => existing,
        None => {
            accounts.push(toml_edit::Table::new());
            let last = accounts.len() - 1;
            accounts.get_mut(last).ok_or_else(|| ConfigError::Invalid {
                path: path.to_path_buf(),
                key: "account".into(),
                problem: Problem::NotAccountTables,
            })?
        }
    };
    for (key, value) in fields {
        match value {
            Some(v) => table[key] = v,
            None => {
                table.remove(key);
            }
        }
    }
    let text = doc.to_string();
    Config::parse(&text, path)?;

    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        private_fs::create_config_dir(dir)?;
    }
    let tmp = path.with_extension("toml.new");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp).map_err(read_error)?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(read_error)?;
    file.sync_all().map_err(read_error)?;
    std::fs::rename(&tmp, path).map_err(read_error)
}

/// The keys of an account that `setup` writes, with their values (`None`:
/// the key is removed, its default applies).
fn account_fields(account: &AccountConfig) -> Vec<(&'static str, Option<toml_edit::Item>)> {
    use toml_edit::value;
    let text = |s: &Option<String>| s.as_deref().map(value);
    let list = |items: &[String]| value(items.iter().map(String::as_str).collect::<toml_edit::Array>());
    vec![
        ("name", Some(value(account.name.as_str()))),
        ("imap_host", Some(value(account.imap_host.as_str()))),
        ("imap_port", Some(value(i64::from(account.imap_port)))),
        ("username", Some(value(account.username.as_str()))),
        ("password_command", text(&account.password_command)),
        ("oauth2_token_command", text(&account.oauth2_token_command)),
        ("oauth2_source", account.oauth2_source.map(|s| value(s.as_str()))),
        ("tls_ca_file", account.tls_ca_file.as_ref().map(|p| value(p.display().to_string()))),
        ("tls_cert_sha256", account.tls_cert_sha256.map(|f| value(f.to_string()))),
        ("folders", account.folders.as_deref().map(list)),
        (
            "lookback_days",
            (account.lookback_days != default_lookback()).then(|| value(i64::from(account.lookback_days))),
        ),
        (
            "trusted_authserv_ids",
            (!account.trusted_authserv_ids.is_empty()).then(|| list(&account.trusted_authserv_ids)),
        ),
        ("browser_history", account.browser_history.then(|| value(true))),
    ]
}

#[cfg(test)]
mod upsert_tests {
    use super::*;

    fn account(name: &str, host: &str) -> AccountConfig {
        AccountConfig {
            name: name.into(),
            imap_host: host.into(),
            imap_port: 993,
            username: "j@orange.fr".into(),
            password_command: None,
            oauth2_token_command: None,
            oauth2_source: None,
            tls_ca_file: None,
            tls_cert_sha256: None,
            folders: None,
            lookback_days: 30,
            trusted_authserv_ids: Vec::new(),
            browser_history: false,
        }
    }

    #[test]
    fn browser_history_is_off_unless_asked_and_written_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        upsert_account(&path, &account("Papi", "imap.orange.fr")).expect("create");
        let mut moi = account("Moi", "imap.orange.fr");
        moi.browser_history = true;
        upsert_account(&path, &moi).expect("add");
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(text.matches("browser_history").count(), 1, "{text}");
        let config = Config::load(Some(&path)).expect("valid");
        let asked: Vec<bool> = config.accounts.iter().map(|a| a.browser_history).collect();
        assert_eq!(asked, [false, true]);
    }

    #[test]
    fn trusted_authserv_ids_are_written_and_read_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        let mut gmail = account("Moi", "imap.gmail.com");
        gmail.trusted_authserv_ids = vec!["mx.google.com".into(), "(microsoft)".into()];
        upsert_account(&path, &gmail).expect("create");
        let config = Config::load(Some(&path)).expect("valid");
        assert_eq!(config.accounts[0].trusted_authserv_ids, ["mx.google.com", "(microsoft)"]);
        assert_eq!(
            config.accounts[0].trust(),
            Trust::Servers(vec![AuthservId::Exact("mx.google.com".into()), AuthservId::MicrosoftStyle])
        );
    }

    #[test]
    fn setup_again_adds_or_edits_and_keeps_everything_else() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("vigie/config.toml");
        upsert_account(&path, &account("Mamie", "imap.orange.fr")).expect("create");
        let mut text = std::fs::read_to_string(&path).expect("read");
        text.insert_str(0, "# my notes\npoll_interval_secs = 60\n\n");
        std::fs::write(&path, text).expect("edit by hand");
        upsert_account(&path, &account("Moi", "imap.free.fr")).expect("add");
        upsert_account(&path, &account("Mamie", "imap.sfr.fr")).expect("edit");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains("# my notes"), "{text}");
        let config = Config::parse(&text, &path).expect("valid");
        assert_eq!(config.poll_interval_secs, 60);
        let hosts: Vec<(&str, &str)> =
            config.accounts.iter().map(|a| (a.name.as_str(), a.imap_host.as_str())).collect();
        assert_eq!(hosts, vec![("Mamie", "imap.sfr.fr"), ("Moi", "imap.free.fr")]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_broken_config_is_not_overwritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "poll_interval_secs = [").expect("write");
        assert!(upsert_account(&path, &account("Mamie", "imap.orange.fr")).is_err());
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "poll_interval_secs = [");
    }
}
