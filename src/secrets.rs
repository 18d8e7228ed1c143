//! Where a mailbox password (or OAuth2 token) comes from: a command the
//! user configured (`password_command`, `oauth2_token_command`), or the OS
//! keyring entry `vigie setup` made. Never the config file; never logged.
//!
//! Keyring back ends (the `keyring` crate, v3): on Linux the Secret Service
//! over D-Bus, async, with pure-Rust crypto (no libdbus or OpenSSL headers
//! to install), on macOS the Keychain, on Windows the Credential Manager.
//! Every call runs on its own thread with a timeout: a locked or missing
//! keyring is a clear error, never a hang.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::config::AccountConfig;

/// How long a password command or the keyring may take.
const TIMEOUT: Duration = Duration::from_secs(20);

/// The keyring's service name for vigie's entries.
pub const KEYRING_SERVICE: &str = "vigie";

/// What logs vigie in.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    Password(String),
    OAuth2Token(String),
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Credential::Password(_) => "Password(<hidden>)",
            Credential::OAuth2Token(_) => "OAuth2Token(<hidden>)",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("the command {which} could not be run: {detail}")]
    CommandFailed { which: &'static str, detail: String },
    #[error("the command {which} printed nothing")]
    CommandEmpty { which: &'static str },
    #[error("the command {which} did not finish within {0} seconds", TIMEOUT.as_secs())]
    CommandTimedOut { which: &'static str },
    #[error("no password in the keyring for {user}: run vigie setup, or set password_command")]
    NotInKeyring { user: String },
    #[error("the keyring cannot be read: {0} (is it unlocked?)")]
    Keyring(String),
    #[error("the keyring did not answer within {0} seconds (is it locked?)", TIMEOUT.as_secs())]
    KeyringTimedOut,
}

/// The keyring entry's user name for an account.
pub fn keyring_user(account: &AccountConfig) -> String {
    format!("{}@{}", account.username, account.imap_host)
}

/// The credential for `account`, by the rules in the module doc.
pub fn credential(account: &AccountConfig) -> Result<Credential, SecretError> {
    if let Some(command) = &account.oauth2_token_command {
        return run_command(command, "oauth2_token_command").map(Credential::OAuth2Token);
    }
    if let Some(command) = &account.password_command {
        return run_command(command, "password_command").map(Credential::Password);
    }
    keyring_get(&keyring_user(account)).map(Credential::Password)
}

/// Runs `sh -c command` and returns the first line it prints. The output is
/// a secret: it is never put in an error message.
fn run_command(command: &str, which: &'static str) -> Result<String, SecretError> {
    let failed = |detail: String| SecretError::CommandFailed { which, detail };
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed(e.to_string()))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait().map_err(|e| failed(e.to_string()))? {
            Some(status) => break status,
            None if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(SecretError::CommandTimedOut { which });
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    let mut out = String::new();
    let mut err = String::new();
    if let Some(mut s) = child.stdout.take() {
        s.read_to_string(&mut out).map_err(|e| failed(e.to_string()))?;
    }
    if let Some(mut s) = child.stderr.take() {
        let _ = s.read_to_string(&mut err);
    }
    if !status.success() {
        let why = err.lines().next().unwrap_or("").trim();
        return Err(failed(format!("{status}{}{why}", if why.is_empty() { "" } else { ": " })));
    }
    let secret = out.lines().next().unwrap_or("").trim_end_matches('\r').to_owned();
    if secret.is_empty() {
        return Err(SecretError::CommandEmpty { which });
    }
    Ok(secret)
}

/// Runs a keyring call on its own thread, at most [`TIMEOUT`].
fn with_keyring<T: Send + 'static>(
    call: impl FnOnce() -> Result<T, keyring::Error> + Send + 'static,
) -> Result<Result<T, keyring::Error>, SecretError> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(call());
    });
    rx.recv_timeout(TIMEOUT).map_err(|_| SecretError::KeyringTimedOut)
}

/// Reads the password stored for `user`.
pub fn keyring_get(user: &str) -> Result<String, SecretError> {
    let owned = user.to_owned();
    match with_keyring(move || keyring::Entry::new(KEYRING_SERVICE, &owned)?.get_password())? {
        Ok(password) => Ok(password),
        Err(keyring::Error::NoEntry) => Err(SecretError::NotInKeyring { user: user.to_owned() }),
        Err(e) => Err(SecretError::Keyring(e.to_string())),
    }
}

/// Stores `password` for `user`.
pub fn keyring_set(user: &str, password: &str) -> Result<(), SecretError> {
    let (user, password) = (user.to_owned(), password.to_owned());
    with_keyring(move || keyring::Entry::new(KEYRING_SERVICE, &user)?.set_password(&password))?
        .map_err(|e| SecretError::Keyring(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(password_command: Option<&str>) -> AccountConfig {
        AccountConfig {
            name: "Mamie".into(),
            imap_host: "127.0.0.1".into(),
            imap_port: 993,
            username: "alice".into(),
            password_command: password_command.map(str::to_owned),
            oauth2_token_command: None,
            tls_ca_file: None,
            folders: None,
            lookback_days: 30,
            trusted_authserv_ids: Vec::new(),
        }
    }

    #[test]
    fn password_command_gives_its_first_line() {
        let c = credential(&account(Some("printf 's3cret\\nignored'"))).expect("password");
        assert_eq!(c, Credential::Password("s3cret".into()));
        assert_eq!(format!("{c:?}"), "Password(<hidden>)");
    }

    #[test]
    fn a_failing_command_says_so_without_its_output() {
        let err = credential(&account(Some("echo hunter2; echo 'no such entry' >&2; exit 3"))).expect_err("fails");
        let text = err.to_string();
        assert!(text.contains("password_command") && text.contains("no such entry"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        let err = credential(&account(Some("true"))).expect_err("empty");
        assert!(matches!(err, SecretError::CommandEmpty { .. }));
    }
}
