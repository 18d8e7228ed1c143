//! Where own logins come from besides the command line: the user's browser
//! history. A visit to the page ameli or FranceConnect shows on the return
//! from a completed login is an own login (`source = browser`); a visit to
//! the login form is an own login *attempt* (it explains a security-code
//! mail, never a login notice).
//!
//! - [`discover`] finds the histories under a home directory (Firefox
//!   profiles from `profiles.ini`; Chrome, Chromium, Brave, Edge profile
//!   directories; native, Snap and Flatpak installs).
//! - [`collect`] reads each one read-only, on a private copy, asking only for
//!   the rows of the hosts the `[[browser_visit]]` rules name (the query
//!   filters by host: no other row ever reaches vigie), under a size cap and
//!   a deadline per history and in total. A missing, locked, damaged, huge
//!   or slow history is reported in its [`HistoryStatus`], never waited for.
//! - What proves a login and what only an attempt is data
//!   ([`crate::notice::Rules::browser_visits`], from `builtin.toml` plus the
//!   config's `[recognition]`), applied by [`visits`].
//! - [`journal_logins`] turns visits into journal rows for an account that
//!   has `browser_history = true`.
//!
//! Nothing read is kept but the visits that prove something: the copies
//! live in a 0700 scratch directory removed after each read.

pub mod discover;
mod read;
pub mod sample;
pub mod visits;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

pub use discover::{Browser, History};
pub use read::CHROMIUM_EPOCH_OFFSET_MICROS;
pub use visits::{Proves, VisitRule, VisitSpec};

use crate::journal::NewOwnLogin;
use crate::matching::{LoginService, LoginSource, Via};
use crate::notice::Service;

/// A visit that proves an own login or an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    pub browser: Browser,
    pub profile: String,
    pub service: Service,
    pub proves: Proves,
    pub at: DateTime<Utc>,
}

/// Why a history could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    #[error("the history file is missing")]
    Missing,
    #[error("the history is locked")]
    Locked,
    #[error("the history is damaged or not a browser history: {0}")]
    Damaged(String),
    #[error("the history is too big to read ({bytes} bytes, at most {cap})")]
    TooBig { bytes: u64, cap: u64 },
    #[error("reading the history took too long")]
    TimedOut,
    #[error("the history cannot be read: {0}")]
    Unreadable(String),
}

/// What became of one history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryStatus {
    pub history: History,
    /// The number of rows of the listed hosts read, or why none were.
    pub outcome: Result<usize, HistoryError>,
}

/// Bounds on reading.
#[derive(Debug, Clone)]
pub struct Limits {
    /// A history (database plus WAL) bigger than this is reported, not read.
    pub max_bytes: u64,
    /// Time for one history, copy included.
    pub per_history: Duration,
    /// Time for all of them: what is not read by then is reported as timed
    /// out, and the caller goes on.
    pub total: Duration,
    /// Where the private copies go (a 0700 directory is made inside);
    /// default `$XDG_RUNTIME_DIR`, else the system's temporary directory.
    pub scratch: Option<PathBuf>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 512 << 20,
            per_history: Duration::from_secs(3),
            total: Duration::from_secs(8),
            scratch: None,
        }
    }
}

/// Everything [`collect`] found.
#[derive(Debug, Clone, Default)]
pub struct Collected {
    /// Oldest first.
    pub visits: Vec<Visit>,
    /// One per history found, in discovery order.
    pub statuses: Vec<HistoryStatus>,
}

/// The histories under `home`.
pub fn discover(home: &Path) -> Vec<History> {
    discover::histories(home)
}

/// Reads every history under `home` for visits after `since` that the
/// `[[browser_visit]]` entries say prove a login or an attempt (the
/// recognition rules checked them when they were loaded). Returns within
/// about `limits.total`, whatever the files do.
pub fn collect(home: &Path, since: DateTime<Utc>, specs: &[VisitSpec], limits: &Limits) -> Collected {
    collect_from(discover(home), since, specs, limits)
}

/// [`collect`] over histories already found.
pub fn collect_from(histories: Vec<History>, since: DateTime<Utc>, specs: &[VisitSpec], limits: &Limits) -> Collected {
    let rules = match VisitRule::compile_all(specs) {
        Ok(rules) => rules,
        Err(e) => {
            tracing::warn!(error = %e, "browser_visit rules");
            return Collected::default();
        }
    };
    let deadline = Instant::now() + limits.total;
    let (sender, receiver) = mpsc::channel();
    let worker_histories = histories.clone();
    let limits_copy = limits.clone();
    // Reading runs on its own thread so that a file system that hangs (a
    // stalled network home) cannot hold the caller past the deadline.
    let spawned = std::thread::Builder::new().name("vigie-history".into()).spawn(move || {
        for (index, history) in worker_histories.into_iter().enumerate() {
            let result = read_history(&history, since, &rules, &limits_copy, deadline);
            if sender.send((index, result)).is_err() {
                return;
            }
        }
    });
    let mut results: Vec<Option<HistoryRead>> = vec![None; histories.len()];
    if spawned.is_ok() {
        while results.iter().any(Option::is_none) {
            let left = deadline.saturating_duration_since(Instant::now());
            match receiver.recv_timeout(left) {
                Ok((index, result)) => results[index] = Some(result),
                Err(_) => break,
            }
        }
    }
    let mut collected = Collected::default();
    for (history, result) in histories.into_iter().zip(results) {
        let (browser, profile, path) = (history.browser.name(), &history.profile, history.path.display());
        let outcome = match result.unwrap_or(Err(HistoryError::TimedOut)) {
            Ok((rows, visits)) => {
                tracing::debug!(browser, %profile, %path, rows, found = visits.len(), "browser history read");
                collected.visits.extend(visits);
                Ok(rows)
            }
            Err(e) => {
                tracing::warn!(browser, %profile, %path, error = %e, "browser history not read");
                Err(e)
            }
        };
        collected.statuses.push(HistoryStatus { history, outcome });
    }
    collected.visits.sort_by_key(|v| v.at);
    collected
}

/// What reading one history gave: (rows of the listed hosts read, the
/// visits that prove something).
type HistoryRead = Result<(usize, Vec<Visit>), HistoryError>;

/// Reads one history.
fn read_history(
    history: &History,
    since: DateTime<Utc>,
    rules: &[VisitRule],
    limits: &Limits,
    total_deadline: Instant,
) -> HistoryRead {
    let deadline = total_deadline.min(Instant::now() + limits.per_history);
    let scratch = scratch_dir(limits.scratch.as_deref())?;
    let layout = if history.browser.is_firefox() { read::Layout::Firefox } else { read::Layout::Chromium };
    let rows = read::read_rows(
        &history.path,
        layout,
        &visits::hosts(rules),
        since.timestamp_micros(),
        limits.max_bytes,
        scratch.path(),
        deadline,
    )?;
    let found = visits::proving(rules, &rows)
        .into_iter()
        .filter_map(|(rule, micros)| {
            Some(Visit {
                browser: history.browser,
                profile: history.profile.clone(),
                service: rule.service,
                proves: rule.proves,
                at: DateTime::from_timestamp_micros(micros)?,
            })
        })
        .collect();
    Ok((rows.len(), found))
}

/// A fresh 0700 directory for the copies, removed when dropped.
fn scratch_dir(base: Option<&Path>) -> Result<tempfile::TempDir, HistoryError> {
    let base = match base {
        Some(b) => b.to_path_buf(),
        None => std::env::var_os("XDG_RUNTIME_DIR")
            .map(PathBuf::from)
            .filter(|d| crate::private_fs::check_private_dir(d).is_ok())
            .unwrap_or_else(std::env::temp_dir),
    };
    let dir = tempfile::Builder::new()
        .prefix("vigie-history-")
        .tempdir_in(&base)
        .map_err(|e| HistoryError::Unreadable(e.to_string()))?;
    crate::private_fs::check_private_dir(dir.path()).map_err(|e| HistoryError::Unreadable(e.to_string()))?;
    Ok(dir)
}

/// Proving visits this close together are one login.
pub const SAME_LOGIN: chrono::Duration = chrono::Duration::minutes(2);

/// An own login or attempt to record for an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserLogin {
    pub login: NewOwnLogin,
    /// Only the login form was visited: an own login attempt, which
    /// explains a security-code mail but never a login notice.
    pub attempt: bool,
}

/// The journal rows for `account` (one with `browser_history = true`): a
/// web login with `source = browser` and the note "Firefox (default)".
/// One login leaves several proving pages a second apart (the callback,
/// then the return page): visits of the same kind in the same profile
/// within [`SAME_LOGIN`] of the one kept are the same login.
pub fn journal_logins(account: &str, visits: &[Visit]) -> Vec<BrowserLogin> {
    let mut kept: Vec<&Visit> = Vec::new();
    let mut sorted: Vec<&Visit> = visits.iter().collect();
    sorted.sort_by_key(|v| v.at);
    for visit in sorted {
        let same = |k: &&Visit| {
            k.browser == visit.browser
                && k.profile == visit.profile
                && k.service == visit.service
                && k.proves == visit.proves
                && visit.at - k.at < SAME_LOGIN
        };
        if !kept.iter().any(same) {
            kept.push(visit);
        }
    }
    kept.into_iter()
        .map(|v| BrowserLogin {
            login: NewOwnLogin {
                account: account.to_owned(),
                service: match v.service {
                    Service::Ameli => LoginService::Ameli,
                    Service::FranceConnect => LoginService::FranceConnect,
                },
                at: v.at,
                via: Via::Web,
                source: LoginSource::Browser,
                note: Some(format!("{} ({})", v.browser.name(), v.profile)),
            },
            attempt: v.proves == Proves::Attempt,
        })
        .collect()
}
