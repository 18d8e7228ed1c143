//! Own logins from the browsers' history, read when a notice may need them.
//!
//! For an account with `browser_history = true`, a new login notice,
//! security-code mail or FranceConnect access change that no own login
//! explains may still be the user's own visit through a bookmark or a
//! search: the browser's history says so. It is read when such a notice
//! arrives, and again about [`HISTORY_WAIT`] later (Chromium writes its
//! history every ten seconds or so); meanwhile the agent holds the
//! finding back ([`crate::watch::evaluate::Hold`]). What the history proves
//! becomes own logins (`source = browser`) or own login attempts, recorded
//! once however often the history is read. Visits belong to the computer,
//! not to a mailbox: every account that asks gets them.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};

use crate::config::Config;
use crate::journal::{Journal, JournalError};
use crate::matching::MatchRules;
use crate::notice::{Authenticity, Kind, Rules};
use crate::own_logins::{self, Limits};
use crate::watch::evaluate::Hold;

/// How long the agent holds a finding back while the browser may still
/// write its history. The alert waits at most this plus one evaluation
/// tick (well under 20 s).
pub const HISTORY_WAIT: Duration = Duration::seconds(15);

/// The hold for the accounts whose browser history is read.
pub fn hold(config: &Config) -> Hold {
    Hold { accounts: accounts(config), wait: HISTORY_WAIT }
}

fn accounts(config: &Config) -> Vec<String> {
    config.accounts.iter().filter(|a| a.browser_history).map(|a| a.name.clone()).collect()
}

/// What one reading did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Reading {
    /// Own logins and attempts newly recorded.
    pub recorded: usize,
    /// When the newest notice that waits for the history stops waiting.
    pub hold_ends: Option<DateTime<Utc>>,
}

/// Reads the histories under `home` if a notice seen in the last `recent`
/// for an account with `browser_history` may need them, and records what
/// they prove. A history that cannot be read is logged (and listed by
/// `vigie doctor`); vigie then alerts as it would without it.
pub fn read_when_needed(
    journal: &Journal,
    config: &Config,
    rules: &Rules,
    home: &Path,
    recent: Duration,
    now: DateTime<Utc>,
) -> Result<Reading, JournalError> {
    let accounts = accounts(config);
    if accounts.is_empty() {
        return Ok(Reading::default());
    }
    let pending: Vec<_> = journal
        .notices_seen_since(now - recent)?
        .into_iter()
        .map(|n| n.facts)
        .filter(|n| accounts.contains(&n.account))
        .filter(|n| n.authenticity != Authenticity::Suspicious)
        .filter(|n| matches!(n.kind, Kind::Login | Kind::SecurityCode | Kind::Settings))
        .collect();
    let Some(earliest) = pending.iter().map(|n| n.login_at.unwrap_or(n.sent_at).min(n.sent_at)).min() else {
        return Ok(Reading::default());
    };
    let windows = MatchRules::default();
    let reach = config.match_rules().before.max(windows.attempt_before) + Duration::hours(1);
    let collected = own_logins::collect(home, earliest - reach, rules.browser_visits(), &Limits::default());
    let mut reading = Reading {
        hold_ends: pending.iter().map(|n| n.seen_at + HISTORY_WAIT).max().filter(|end| *end > now),
        ..Reading::default()
    };
    for account in &accounts {
        for row in own_logins::journal_logins(account, &collected.visits) {
            if journal.record_own_login_once(&row.login, row.attempt, now)?.is_some() {
                reading.recorded += 1;
            }
        }
    }
    if reading.recorded > 0 {
        tracing::info!(recorded = reading.recorded, "own logins found in the browser history");
    }
    Ok(reading)
}
