//! The watch: for each account, connect → sync every folder → recognise →
//! record → match → alert; then wait in IDLE (or poll) and do it again.
//! `vigie check` is one [`check_account`] per account; `vigie run` is one
//! [`Watcher`] thread per account, reconnecting with capped exponential
//! backoff, and a monitor that notices a resume from suspend.
//!
//! Nothing is lost: a folder's cursor moves only after its messages are in
//! the journal, and the journal ignores a message it already has, so a
//! crash or a reconnect at any point re-reads rather than skips.

use std::collections::HashMap;
use std::net::{Shutdown, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::alert::{Alerter, DesktopAlerter, TerminalAlerter};
use crate::config::{AccountConfig, Config};
use crate::journal::{Journal, JournalError, Location};
use crate::mailbox::{Candidate, Folder, Imap, Mailbox, MailboxError, body_batches};
use crate::matching::{Finding, FindingKind, Resolution};
use crate::messages::Lang;
use crate::notice::{Observation, Rules, Trust, learn_authserv_id, may_concern, observe};
use crate::secrets::{self, SecretError};
use crate::watch::deliver::deliver;
use crate::watch::evaluate::{Hold, alerts_due, evaluate};
use crate::watch::history;
use crate::watch::record::{Incoming, Ingested, record};
use crate::watch::{Clock, SystemClock};

pub mod memory;
mod watcher;

pub use watcher::{IDLE_REFRESH, LiveEnv, WatchEnv, Watcher, watch_for_resume};

#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error(transparent)]
    Mailbox(#[from] MailboxError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Journal(#[from] JournalError),
}

impl AgentError {
    /// The mailbox could not be read (as opposed to the journal failing).
    pub fn is_mailbox(&self) -> bool {
        !matches!(self, AgentError::Journal(_))
    }
}

/// Set once this process has shown every open finding again: once per
/// agent start, not at each config reload (which makes a new [`Shared`]).
static SHOWN_AT_START: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// What every watcher shares.
pub struct Shared {
    pub config: Config,
    pub rules: Rules,
    pub data_dir: PathBuf,
    pub lang: Lang,
    /// Show "C'était moi" buttons and wait for clicks (the agent), or not
    /// (a one-shot `check`).
    pub answer_buttons: bool,
    /// A one-shot `check` while the agent runs: what the agent holds back
    /// for the browser history is left to it, not raised early here.
    pub beside_agent: bool,
    /// One evaluation at a time: two would alert the same finding twice.
    evaluating: Mutex<()>,
    /// When a finding held back for the browser history is due: the next
    /// evaluation should not wait for its usual tick.
    hold_ends: Mutex<Option<DateTime<Utc>>>,
    stop: Mutex<bool>,
    wake: Condvar,
    sockets: Mutex<HashMap<String, TcpStream>>,
    /// How many times [`Shared::interrupt_all`] cut the sockets on purpose.
    interruptions: AtomicU64,
}

impl Shared {
    pub fn new(config: Config, rules: Rules, data_dir: PathBuf, lang: Lang, answer_buttons: bool) -> Shared {
        Shared {
            config,
            rules,
            data_dir,
            lang,
            answer_buttons,
            beside_agent: false,
            evaluating: Mutex::new(()),
            hold_ends: Mutex::new(None),
            stop: Mutex::new(false),
            wake: Condvar::new(),
            sockets: Mutex::new(HashMap::new()),
            interruptions: AtomicU64::new(0),
        }
    }

    fn alerters(&self) -> Vec<Box<dyn Alerter>> {
        vec![Box::new(DesktopAlerter::new(self.answer_buttons)), Box::new(TerminalAlerter::stderr())]
    }

    pub fn stopping(&self) -> bool {
        self.stop.lock().map(|s| *s).unwrap_or(true)
    }

    /// Asks every watcher to stop, and interrupts their blocking reads.
    pub fn request_stop(&self) {
        if let Ok(mut stop) = self.stop.lock() {
            *stop = true;
        }
        self.wake.notify_all();
        self.interrupt_all();
    }

    /// Shuts down every watcher's socket: blocked reads fail at once and
    /// the watchers reconnect (or stop).
    pub fn interrupt_all(&self) {
        // Counted first: a watcher whose read fails sees why.
        self.interruptions.fetch_add(1, Ordering::SeqCst);
        if let Ok(sockets) = self.sockets.lock() {
            for socket in sockets.values() {
                let _ = socket.shutdown(Shutdown::Both);
            }
        }
    }

    /// Sleeps up to `duration`; returns early (true) when asked to stop.
    fn sleep(&self, duration: Duration) -> bool {
        let Ok(guard) = self.stop.lock() else { return true };
        match self.wake.wait_timeout_while(guard, duration, |stop| !*stop) {
            Ok((stop, _)) => *stop,
            Err(_) => true,
        }
    }

    /// Whether a finding held back for the browser history is due at `now`.
    pub fn hold_ended(&self, now: DateTime<Utc>) -> bool {
        self.hold_ends.lock().ok().and_then(|e| *e).is_some_and(|end| end <= now)
    }

    /// How many times the sockets were cut on purpose so far.
    fn interruptions(&self) -> u64 {
        self.interruptions.load(Ordering::SeqCst)
    }

    fn register(&self, account: &str, socket: Option<TcpStream>) {
        if let (Ok(mut sockets), Some(socket)) = (self.sockets.lock(), socket) {
            sockets.insert(account.to_owned(), socket);
        }
    }

    fn unregister(&self, account: &str) {
        if let Ok(mut sockets) = self.sockets.lock() {
            sockets.remove(account);
        }
    }

    /// Matches, then shows what is due, one thread at a time (two would
    /// show the same finding twice). Returns the findings raised in this
    /// pass. The first call in this process shows every open finding again
    /// (the agent starts).
    pub fn evaluate(&self, journal: &mut Journal, clock: &dyn Clock) -> Result<Vec<i64>, JournalError> {
        let _one_at_a_time = self.evaluating.lock();
        let now = clock.now();
        // The agent holds new findings back while the browser may still
        // write its history; a one-shot `check` reads it once and decides,
        // except what the agent running beside it is holding.
        let (hold, recent) = if self.answer_buttons {
            (history::hold(&self.config), history::HISTORY_WAIT + chrono::Duration::seconds(25))
        } else if self.beside_agent {
            (history::hold(&self.config), chrono::Duration::minutes(30))
        } else {
            (Hold::none(), chrono::Duration::minutes(30))
        };
        let home = dirs::home_dir().unwrap_or_default();
        let reading = history::read_when_needed(journal, &self.config, &self.rules, &home, recent, now)?;
        if let Ok(mut ends) = self.hold_ends.lock() {
            *ends = reading.hold_ends;
        }
        let evaluation = evaluate(journal, &self.config.match_rules(), now, &hold)?;
        if !evaluation.explained.is_empty() {
            tracing::info!(findings = ?evaluation.explained, "explained by own logins recorded before any alert");
        }
        let everything = self.answer_buttons && !SHOWN_AT_START.load(std::sync::atomic::Ordering::SeqCst);
        let due = alerts_due(journal, now, self.config.remind_every(), everything)?;
        deliver(journal, &self.alerters(), due, self.lang, now)?;
        if everything {
            // Only once the start showing went through (a busy journal
            // would otherwise lose it for the life of the process).
            SHOWN_AT_START.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(evaluation.raised)
    }
}

/// What one sync of an account did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// Messages claiming a service, new to the journal.
    pub new_notices: usize,
    /// Bytes of mail fetched.
    pub bytes_fetched: u64,
}

/// Reads every watched folder of `account` from its cursor on (or over the
/// look-back window on a first run or a UIDVALIDITY change) and records
/// what concerns ameli or FranceConnect.
pub fn sync<M: Mailbox>(
    imap: &mut M,
    account: &AccountConfig,
    shared: &Shared,
    journal: &mut Journal,
    clock: &dyn Clock,
) -> Result<SyncReport, AgentError> {
    let before = imap.bytes_fetched();
    let folders = imap.folders(account.folders.as_deref())?;
    let terms = shared.rules.search_terms();
    let terms: Vec<&str> = terms.iter().map(String::as_str).collect();
    let mut report = SyncReport::default();
    for folder in &folders {
        let mut open = imap.examine(folder)?;
        let state = open.state();
        let cursor = journal.cursor(&account.name, folder)?;
        let (uids, mut last) = match cursor {
            Some((validity, last)) if validity == state.uidvalidity => (open.uids_after(last)?, last),
            _ => {
                if cursor.is_some() {
                    tracing::info!(account = %account.name, folder, "UIDVALIDITY changed: reading the look-back window again");
                }
                let since = (clock.now() - chrono::Duration::days(i64::from(account.lookback_days))).date_naive();
                (open.search_candidates(since, &terms)?, state.uidnext.saturating_sub(1))
            }
        };
        let mut observed = Vec::new();
        let wanted = relevant(&mut open, &uids, &shared.rules, &mut observed)?;
        journal.record_observations(&account.name, &observed)?;
        let trust = account_trust(journal, account)?;
        // One batch at a time: fetched, recorded, dropped.
        for batch in body_batches(&wanted) {
            let bodies = open.bodies(batch)?;
            for fetched in &bodies {
                let (uid, raw) = (&fetched.uid, &fetched.raw);
                if fetched.truncated {
                    tracing::info!(account = %account.name, folder, uid, size = fetched.size, "big message: its beginning only was read");
                }
                let location = Location { folder: Some(folder.clone()), uid: Some(*uid) };
                let message =
                    Incoming { account: &account.name, location: &location, raw, truncated: fetched.truncated };
                if let Ingested::Recorded { .. } = record(journal, &shared.rules, &trust, message, clock.now())? {
                    report.new_notices += 1;
                }
            }
        }
        last = last.max(uids.iter().copied().max().unwrap_or(0));
        journal.set_cursor(&account.name, folder, state.uidvalidity, last, clock.now())?;
    }
    report.bytes_fetched = imap.bytes_fetched() - before;
    Ok(report)
}

/// The messages among `uids` whose headers say they may concern ameli or
/// FranceConnect: their bodies are fetched, the others' never, so bytes
/// fetched grow with the relevant messages, not with the mailbox.
/// Each header also says which server checked the message: collected in
/// `observed`, to learn the account's receiving server.
fn relevant<F: Folder>(
    folder: &mut F,
    uids: &[u32],
    rules: &Rules,
    observed: &mut Vec<Observation>,
) -> Result<Vec<Candidate>, MailboxError> {
    if uids.is_empty() {
        return Ok(Vec::new());
    }
    folder.candidates(uids, &mut |header| {
        observed.extend(observe(header));
        may_concern(header, rules)
    })
}

/// Whose Authentication-Results count for `account`: the configured
/// servers, else the one learned from its own mail, else none (its notices
/// are then at best unverified).
pub fn account_trust(journal: &Journal, account: &AccountConfig) -> Result<Trust, JournalError> {
    if !account.trusted_authserv_ids.is_empty() {
        return Ok(account.trust());
    }
    if let Some(id) = journal.learned_authserv(&account.name)? {
        return Ok(Trust::servers([id.as_str()]));
    }
    let observations = journal.observations(&account.name)?;
    Ok(match learn_authserv_id(&observations) {
        Some(id) => {
            // Pinned: a later flood of forged headers cannot take over.
            tracing::info!(account = %account.name, authserv_id = %id, "receiving server learned from the mail");
            journal.pin_learned_authserv(&account.name, &id, Utc::now())?;
            Trust::servers([id.as_str()])
        }
        None => Trust::Servers(Vec::new()),
    })
}

/// The ameli and FranceConnect messages of the last `days` days in every
/// watched folder, recognised but recorded nowhere (for `vigie setup`).
pub fn survey<M: Mailbox>(
    imap: &mut M,
    account: &AccountConfig,
    rules: &Rules,
    days: i64,
    now: DateTime<Utc>,
) -> Result<Vec<crate::notice::Notice>, MailboxError> {
    let terms = rules.search_terms();
    let terms: Vec<&str> = terms.iter().map(String::as_str).collect();
    let since = (now - chrono::Duration::days(days)).date_naive();
    let mut found = Vec::new();
    for folder in imap.folders(account.folders.as_deref())? {
        let mut open = imap.examine(&folder)?;
        let uids = open.search_candidates(since, &terms)?;
        let wanted = relevant(&mut open, &uids, rules, &mut Vec::new())?;
        for batch in body_batches(&wanted) {
            for fetched in open.bodies(batch)? {
                if let Ok(seen) = crate::notice::recognise_for(&fetched.raw, rules, &account.trust()) {
                    found.extend(seen.notice);
                }
            }
        }
    }
    Ok(found)
}

/// Connects to `account` with its credential, fetched afresh for this
/// login; a refused OAuth2 token is fetched once more (it may have expired
/// since its source last looked) before the refusal counts.
pub fn connect(account: &AccountConfig) -> Result<Imap, AgentError> {
    let credential = secrets::credential(account)?;
    match Imap::connect(account, &credential) {
        Err(MailboxError::TokenRejected { .. }) if secrets::renewable(account) => {
            Ok(Imap::connect(account, &secrets::renewed_credential(account)?)?)
        }
        other => Ok(other?),
    }
}

/// Records that `account` could not be read, and raises a `blind` finding
/// when its credentials were refused or it has been unreadable for
/// `blind_after`.
pub fn record_failure(
    shared: &Shared,
    journal: &mut Journal,
    account: &str,
    error: &AgentError,
    now: DateTime<Utc>,
) -> Result<(), JournalError> {
    // `vigie status` shows it: plain words in the agent's language (the
    // technical error is in the log).
    tracing::debug!(account, %error, "mailbox unreadable");
    journal.set_health(account, Some(&crate::messages::mailbox_reason(error, shared.lang)), now)?;
    let since =
        journal.health()?.into_iter().find(|h| h.account == account).and_then(|h| h.last_error_at).unwrap_or(now);
    let rejected = matches!(error, AgentError::Mailbox(e) if e.credentials_rejected())
        || matches!(error, AgentError::Secret(e) if e.needs_the_user());
    let blind_after = chrono::Duration::hours(i64::try_from(shared.config.blind_after_hours).unwrap_or(6));
    if rejected || now - since >= blind_after {
        let finding = Finding {
            kind: FindingKind::Blind,
            account: account.to_owned(),
            service: None,
            notice_id: None,
            own_login_id: None,
            at: Some(since),
            unverified: false,
        };
        journal.raise(&finding, now)?;
    }
    Ok(())
}

/// Records that `account` was read, and closes its open `blind` finding.
pub fn record_success(journal: &mut Journal, account: &str, now: DateTime<Utc>) -> Result<(), JournalError> {
    journal.set_health(account, None, now)?;
    journal.resolve_all(FindingKind::Blind, account, Resolution::ReadableAgain, now)
}

/// One pass over one account, as `vigie check` does it: connect, sync,
/// log out. Failures are recorded (and may raise `blind`) and returned.
pub fn check_account(
    shared: &Shared,
    journal: &mut Journal,
    account: &AccountConfig,
) -> Result<SyncReport, AgentError> {
    let clock = SystemClock;
    let result = connect(account).and_then(|mut imap| {
        let report = sync(&mut imap, account, shared, journal, &clock);
        imap.logout();
        report
    });
    match &result {
        Ok(_) => record_success(journal, &account.name, clock.now())?,
        Err(e) if e.is_mailbox() => record_failure(shared, journal, &account.name, e, clock.now())?,
        Err(_) => {}
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notice::Observation;

    fn account() -> AccountConfig {
        toml::from_str("name = \"Moi\"\nimap_host = \"mail.example.org\"\nusername = \"moi\"\n").expect("account")
    }

    fn seen(id: &str, domains: std::ops::Range<u32>) -> Vec<Observation> {
        domains
            .map(|i| Observation { authserv_id: Some(id.into()), sender_domain: Some(format!("sender{i}.example")) })
            .collect()
    }

    #[test]
    fn a_learned_receiving_server_is_pinned_against_a_later_flood() {
        let dir = tempfile::tempdir().expect("tempdir");
        let journal = Journal::open_in(dir.path()).expect("journal");
        let account = account();
        assert_eq!(account_trust(&journal, &account).expect("trust"), Trust::Servers(Vec::new()), "nothing learned");
        journal.record_observations("Moi", &seen("mx.example.org", 0..6)).expect("observe");
        let learned = account_trust(&journal, &account).expect("trust");
        assert_eq!(learned, Trust::servers(["mx.example.org"]));
        // A flood of mail bearing a forged header from many domains.
        journal.record_observations("Moi", &seen("forged.example", 0..600)).expect("observe");
        assert_eq!(account_trust(&journal, &account).expect("trust"), learned, "the first one stays");
    }
}
