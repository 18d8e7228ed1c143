//! Where a mailbox password (or OAuth2 token) comes from: a command the
//! user configured (`password_command`, `oauth2_token_command`), GNOME
//! Online Accounts (`oauth2_source`, see [`online_accounts`]), or the OS
//! keyring entry `vigie setup` made. Never the config file; never logged.
//!
//! Keyring back ends (the `keyring` crate, v3): on Linux the Secret Service
//! over D-Bus, async, with pure-Rust crypto (no libdbus or OpenSSL headers
//! to install), on macOS the Keychain, on Windows the Credential Manager.
//! Every call runs on its own thread with a timeout: a locked or missing
//! keyring is a clear error, never a hang.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::process::{Pid, Signal, WaitId, WaitIdOptions, kill_process_group, waitid};

use crate::config::{AccountConfig, OAuth2Source};

pub mod online_accounts;

/// How long a password command or the keyring may take.
const TIMEOUT: Duration = Duration::from_secs(20);

/// How much a command may print: a password or a token is far smaller,
/// and a command that prints more is not a password command.
const OUTPUT_CAP: usize = 64 * 1024;

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
    #[error("the command {which} failed ({detail}): run it in a terminal to see why")]
    CommandFailed { which: &'static str, detail: String },
    #[error("the command {which} printed more than {} KiB: it should print only the secret", OUTPUT_CAP / 1024)]
    CommandTooLong { which: &'static str },
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
    /// GNOME Online Accounts is not there or did not answer.
    #[error("GNOME Online Accounts cannot be reached: {0}")]
    OnlineAccounts(String),
    #[error("no account for {user} in GNOME Online Accounts (Settings, Online Accounts)")]
    NoOnlineAccount { user: String },
    #[error("GNOME Online Accounts wants {user} to sign in again (Settings, Online Accounts)")]
    OnlineAccountSignIn { user: String },
}

impl SecretError {
    /// Only the user can fix it (sign in again in Settings → Online
    /// Accounts): like refused credentials, nothing will be read until
    /// then, so it is worth an alert at once rather than after hours.
    pub fn needs_the_user(&self) -> bool {
        matches!(self, SecretError::OnlineAccountSignIn { .. } | SecretError::NoOnlineAccount { .. })
    }
}

/// The keyring entry's user name for an account.
pub fn keyring_user(account: &AccountConfig) -> String {
    format!("{}@{}", account.username, account.imap_host)
}

/// The credential for `account`, by the rules in the module doc.
pub fn credential(account: &AccountConfig) -> Result<Credential, SecretError> {
    fetch(account, false)
}

/// Whether a refused credential of `account` may be worth fetching again
/// ([`renewed_credential`]): an OAuth2 token may have expired between its
/// source's bookkeeping and the login; a password does not change by
/// itself.
pub fn renewable(account: &AccountConfig) -> bool {
    account.oauth2_token_command.is_some() || account.oauth2_source.is_some()
}

/// The credential for `account` again, after the server refused the last
/// one: the command runs again; GNOME Online Accounts first checks the
/// account's credentials (and refreshes them if it can).
pub fn renewed_credential(account: &AccountConfig) -> Result<Credential, SecretError> {
    fetch(account, true)
}

fn fetch(account: &AccountConfig, renew: bool) -> Result<Credential, SecretError> {
    if let Some(OAuth2Source::GnomeOnlineAccounts) = account.oauth2_source {
        return online_accounts::access_token(&account.username, renew, TIMEOUT).map(Credential::OAuth2Token);
    }
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
    run_command_within(command, which, TIMEOUT)
}

/// [`run_command`] under `timeout`: one deadline for the command and its
/// whole output. The command runs in its own process group, and nothing of
/// that group outlives this call: when `sh` exits, whatever it left running
/// in the background is killed (it would otherwise hold standard output
/// open and hang vigie), and on the deadline or on too much output, the
/// whole group is. Standard error is read and dropped: it may hold what the
/// command was asked to hide, so it is neither shown nor stored.
fn run_command_within(command: &str, which: &'static str, timeout: Duration) -> Result<String, SecretError> {
    let failed = |detail: String| SecretError::CommandFailed { which, detail };
    let deadline = Instant::now() + timeout;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed(e.to_string()))?;
    let collected = collect(&mut child, deadline, which);
    // The group's id is `sh`'s pid, still reserved: `collect` saw `sh`
    // exit without reaping it (WNOWAIT), so this cannot signal a stranger.
    let _ = kill_process_group(Pid::from_child(&child), Signal::KILL);
    let status = child.wait();
    let output = collected?;
    if output.stderr_bytes > 0 {
        tracing::debug!(which, bytes = output.stderr_bytes, "the command wrote to its error output (not kept)");
    }
    let status = status.map_err(|e| failed(e.to_string()))?;
    if !status.success() {
        return Err(failed(status.to_string()));
    }
    let out = String::from_utf8_lossy(&output.stdout);
    let secret = out.lines().next().unwrap_or("").trim_end_matches('\r').to_owned();
    if secret.is_empty() {
        return Err(SecretError::CommandEmpty { which });
    }
    Ok(secret)
}

/// What a command printed.
struct Collected {
    stdout: Vec<u8>,
    stderr_bytes: usize,
}

/// Reads `child`'s standard output (at most [`OUTPUT_CAP`]) and error
/// output (counted, dropped) until `sh` has exited and both are closed, or
/// `deadline`. Leaves `sh` unreaped.
fn collect(child: &mut Child, deadline: Instant, which: &'static str) -> Result<Collected, SecretError> {
    let failed = |e: std::io::Error| SecretError::CommandFailed { which, detail: e.to_string() };
    let (Some(mut stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(failed(std::io::Error::other("no pipes")));
    };
    let pid = Pid::from_child(child);
    let mut collected = Collected { stdout: Vec::new(), stderr_bytes: 0 };
    let (mut out_open, mut err_open, mut exited) = (true, true, false);
    let mut buf = [0u8; 8192];
    while out_open || err_open || !exited {
        let now = Instant::now();
        if now >= deadline {
            return Err(SecretError::CommandTimedOut { which });
        }
        if !exited {
            let options = WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT;
            exited = matches!(waitid(WaitId::Pid(pid), options), Ok(Some(_)) | Err(_));
            if exited {
                // Background children would keep the pipes open: the
                // command is over when `sh` is.
                let _ = kill_process_group(pid, Signal::KILL);
            }
        }
        // Short slices: `sh` exiting does not wake poll.
        let slice = (deadline - now).min(Duration::from_millis(20));
        let timeout = Timespec { tv_sec: 0, tv_nsec: i64::from(slice.subsec_nanos()) };
        let mut fds = Vec::with_capacity(2);
        if out_open {
            fds.push(PollFd::new(&stdout, PollFlags::IN));
        }
        if err_open {
            fds.push(PollFd::new(&stderr, PollFlags::IN));
        }
        if fds.is_empty() {
            std::thread::sleep(slice);
            continue;
        }
        match poll(&mut fds, Some(&timeout)) {
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(failed(e.into())),
        }
        let ready: Vec<bool> = fds.iter().map(|f| !f.revents().is_empty()).collect();
        drop(fds);
        let mut ready = ready.into_iter();
        if out_open && ready.next() == Some(true) {
            match stdout.read(&mut buf) {
                Ok(0) => out_open = false,
                Ok(n) => {
                    collected.stdout.extend_from_slice(&buf[..n]);
                    if collected.stdout.len() > OUTPUT_CAP {
                        return Err(SecretError::CommandTooLong { which });
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(failed(e)),
            }
        }
        if err_open && ready.next() == Some(true) {
            match stderr.read(&mut buf) {
                Ok(0) => err_open = false,
                Ok(n) => collected.stderr_bytes += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(failed(e)),
            }
        }
    }
    Ok(collected)
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
    fn password_command_gives_its_first_line() {
        let c = credential(&account(Some("printf 's3cret\\nignored'"))).expect("password");
        assert_eq!(c, Credential::Password("s3cret".into()));
        assert_eq!(format!("{c:?}"), "Password(<hidden>)");
    }

    #[test]
    fn password_command_stderr_is_never_stored() {
        let err = credential(&account(Some("echo hunter2; echo 'gpg: no such entry' >&2; exit 3"))).expect_err("fails");
        let text = err.to_string();
        assert!(text.contains("password_command") && text.contains('3'), "{text}");
        assert!(!text.contains("hunter2") && !text.contains("no such entry"), "{text}");
        let err = credential(&account(Some("true"))).expect_err("empty");
        assert!(matches!(err, SecretError::CommandEmpty { .. }));
    }

    /// Whether process `pid` is gone (or a zombie waiting for its reaper).
    fn dead(pid: &str) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            Ok(stat) => stat.rsplit(')').next().is_some_and(|rest| rest.trim_start().starts_with('Z')),
        }
    }

    fn wait_dead(pid: &str) -> bool {
        let until = Instant::now() + Duration::from_secs(2);
        while Instant::now() < until {
            if dead(pid) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    #[test]
    fn password_command_background_child_does_not_hang() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pid_file = dir.path().join("pid");
        let command = format!("sh -c 'echo $$ > {}; exec sleep 60' & printf s3cret", pid_file.display());
        let started = Instant::now();
        let secret = run_command_within(&command, "password_command", Duration::from_secs(10)).expect("password");
        assert_eq!(secret, "s3cret");
        assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
        // Under load the group may be killed before the child wrote its
        // pid: then it did not outlive the command either.
        if let Ok(pid) = std::fs::read_to_string(&pid_file) {
            assert!(wait_dead(pid.trim()), "the background child {pid} outlived the command");
        }
    }

    #[test]
    fn password_command_timeout_kills_the_whole_group() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pid_file = dir.path().join("pid");
        // The child closes nothing and `sh` waits for it: only the deadline ends this.
        let command = format!("sh -c 'echo $$ > {}; exec sleep 60'; echo late", pid_file.display());
        let started = Instant::now();
        let err = run_command_within(&command, "password_command", Duration::from_millis(500)).expect_err("timeout");
        assert!(matches!(err, SecretError::CommandTimedOut { .. }), "{err}");
        assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
        let pid = std::fs::read_to_string(&pid_file).expect("pid");
        assert!(wait_dead(pid.trim()), "the grandchild {pid} outlived the timeout");
    }

    #[test]
    fn password_command_closing_its_output_still_has_one_deadline() {
        let started = Instant::now();
        let err = run_command_within("exec >&- 2>&-; sleep 60", "password_command", Duration::from_millis(500))
            .expect_err("timeout");
        assert!(matches!(err, SecretError::CommandTimedOut { .. }), "{err}");
        assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    }

    #[test]
    fn password_command_output_is_capped() {
        let started = Instant::now();
        let err = run_command_within("yes", "password_command", Duration::from_secs(10)).expect_err("too long");
        assert!(matches!(err, SecretError::CommandTooLong { .. }), "{err}");
        assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    }
}
