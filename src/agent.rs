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
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};

use crate::alert::{Alerter, DesktopAlerter, TerminalAlerter};
use crate::config::{AccountConfig, Config};
use crate::journal::{Journal, JournalError, Location};
use crate::mailbox::{IdleOutcome, Imap, MailboxError};
use crate::matching::{Finding, FindingKind, Resolution};
use crate::messages::Lang;
use crate::notice::{Rules, may_concern};
use crate::secrets::{self, SecretError};
use crate::watch::deliver::deliver;
use crate::watch::evaluate::{alerts_due, evaluate};
use crate::watch::record::{Ingested, record};
use crate::watch::{Clock, SystemClock};

/// IDLE is re-issued this often: servers drop idle clients well before the
/// 29 minutes RFC 2177 allows.
pub const IDLE_REFRESH: Duration = Duration::from_secs(9 * 60);
/// Reconnection delays: from 2 s, doubling, at most 5 min (±25% jitter).
const BACKOFF_START: Duration = Duration::from_secs(2);
const BACKOFF_CAP: Duration = Duration::from_secs(5 * 60);
/// After the server refused the credentials, try again this much later.
const REJECTED_RETRY: Duration = Duration::from_secs(30 * 60);
/// A wall clock that jumps this much further than the monotonic clock
/// means the machine was asleep.
const SUSPEND_JUMP: Duration = Duration::from_secs(30);

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
    /// One evaluation at a time: two would alert the same finding twice.
    evaluating: Mutex<()>,
    stop: Mutex<bool>,
    wake: Condvar,
    sockets: Mutex<HashMap<String, TcpStream>>,
}

impl Shared {
    pub fn new(config: Config, rules: Rules, data_dir: PathBuf, lang: Lang, answer_buttons: bool) -> Shared {
        Shared {
            config,
            rules,
            data_dir,
            lang,
            answer_buttons,
            evaluating: Mutex::new(()),
            stop: Mutex::new(false),
            wake: Condvar::new(),
            sockets: Mutex::new(HashMap::new()),
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

    fn register(&self, account: &str, imap: &Imap) {
        if let (Ok(mut sockets), Ok(socket)) = (self.sockets.lock(), imap.interrupter()) {
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
        let evaluation = evaluate(journal, &self.config.match_rules(), now)?;
        let everything = self.answer_buttons && !SHOWN_AT_START.swap(true, std::sync::atomic::Ordering::SeqCst);
        let due = alerts_due(journal, now, self.config.remind_every(), everything)?;
        deliver(journal, &self.alerters(), due, self.lang, now)?;
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
pub fn sync(
    imap: &mut Imap,
    account: &AccountConfig,
    shared: &Shared,
    journal: &mut Journal,
    clock: &dyn Clock,
) -> Result<SyncReport, AgentError> {
    let before = imap.bytes_fetched;
    let folders = imap.folders(account.folders.as_deref())?;
    let terms = shared.rules.search_terms();
    let terms: Vec<&str> = terms.iter().map(String::as_str).collect();
    let mut report = SyncReport::default();
    for folder in &folders {
        let state = imap.examine(folder)?;
        let cursor = journal.cursor(&account.name, folder)?;
        let (uids, mut last) = match cursor {
            Some((validity, last)) if validity == state.uidvalidity => (imap.uids_after(last)?, last),
            _ => {
                if cursor.is_some() {
                    tracing::info!(account = %account.name, folder, "UIDVALIDITY changed: reading the look-back window again");
                }
                let since = (clock.now() - chrono::Duration::days(i64::from(account.lookback_days))).date_naive();
                (imap.search_candidates(since, &terms)?, state.uidnext.saturating_sub(1))
            }
        };
        if !uids.is_empty() {
            let bodies = relevant_bodies(imap, &uids, &shared.rules)?;
            for (uid, raw) in &bodies {
                let location = Location { folder: Some(folder.clone()), uid: Some(*uid) };
                if let Ingested::Recorded { .. } =
                    record(journal, &shared.rules, &account.name, &location, raw, clock.now())?
                {
                    report.new_notices += 1;
                }
            }
            last = last.max(uids.iter().copied().max().unwrap_or(0));
        }
        journal.set_cursor(&account.name, folder, state.uidvalidity, last, clock.now())?;
    }
    report.bytes_fetched = imap.bytes_fetched - before;
    Ok(report)
}

/// Fetches the headers of `uids`, then the whole messages of those that may
/// concern ameli or FranceConnect: bytes fetched grow with the relevant
/// messages, not with the mailbox.
fn relevant_bodies(imap: &mut Imap, uids: &[u32], rules: &Rules) -> Result<Vec<(u32, Vec<u8>)>, MailboxError> {
    let wanted: Vec<u32> =
        imap.headers(uids)?.into_iter().filter(|(_, header)| may_concern(header, rules)).map(|(uid, _)| uid).collect();
    if wanted.is_empty() { Ok(Vec::new()) } else { imap.bodies(&wanted) }
}

/// The ameli and FranceConnect messages of the last `days` days in every
/// watched folder, recognised but recorded nowhere (for `vigie setup`).
pub fn survey(
    imap: &mut Imap,
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
        imap.examine(&folder)?;
        let uids = imap.search_candidates(since, &terms)?;
        for (_, raw) in relevant_bodies(imap, &uids, rules)? {
            if let Ok(seen) = crate::notice::recognise(&raw, rules) {
                found.extend(seen.notice);
            }
        }
    }
    Ok(found)
}

/// Connects to `account` with its credential.
pub fn connect(account: &AccountConfig) -> Result<Imap, AgentError> {
    let credential = secrets::credential(account)?;
    Ok(Imap::connect(account, &credential)?)
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
    journal.set_health(account, Some(&error.to_string()), now)?;
    let since =
        journal.health()?.into_iter().find(|h| h.account == account).and_then(|h| h.last_error_at).unwrap_or(now);
    let rejected = matches!(error, AgentError::Mailbox(e) if e.credentials_rejected());
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

/// One account's watcher for `vigie run`.
pub struct Watcher<'a> {
    pub shared: &'a Shared,
    pub account: &'a AccountConfig,
}

impl Watcher<'_> {
    /// Watches until asked to stop. Errors never end the watch: they are
    /// recorded, and the watcher reconnects after a delay.
    pub fn run(&self) {
        let name = &self.account.name;
        let mut backoff = BACKOFF_START;
        while !self.shared.stopping() {
            match self.session() {
                Ok(()) => backoff = BACKOFF_START,
                Err(e) => {
                    if self.shared.stopping() {
                        break;
                    }
                    tracing::warn!(account = %name, error = %e, "cannot read the mailbox");
                    if e.is_mailbox()
                        && let Ok(mut journal) = Journal::open_in(&self.shared.data_dir)
                    {
                        let now = SystemClock.now();
                        let recorded = record_failure(self.shared, &mut journal, name, &e, now)
                            .and_then(|()| self.shared.evaluate(&mut journal, &SystemClock));
                        if let Err(je) = recorded {
                            tracing::error!(account = %name, error = %je, "journal");
                        }
                    }
                    // A refused password is retried slowly: providers lock
                    // accounts after repeated failed logins.
                    let rejected = matches!(&e, AgentError::Mailbox(m) if m.credentials_rejected());
                    let delay = if rejected { REJECTED_RETRY } else { jitter(backoff) };
                    tracing::info!(account = %name, seconds = delay.as_secs(), "reconnecting later");
                    if self.shared.sleep(delay) {
                        break;
                    }
                    backoff = (backoff * 2).min(BACKOFF_CAP);
                }
            }
        }
        tracing::info!(account = %name, "watch stopped");
    }

    /// One connection: sync, then wait for mail and sync again, until the
    /// connection fails or the watch stops. `Ok` means "reconnect now"
    /// (interrupted: resume from suspend).
    fn session(&self) -> Result<(), AgentError> {
        let name = &self.account.name;
        let clock = SystemClock;
        let mut journal = Journal::open_in(&self.shared.data_dir)?;
        let mut imap = connect(self.account)?;
        self.shared.register(name, &imap);
        let result = (|| {
            let poll = Duration::from_secs(self.shared.config.poll_interval_secs);
            let several_folders = self.account.folders.as_ref().is_none_or(|f| f.len() > 1);
            let idle_folder = self.account.folders.as_ref().and_then(|f| f.first()).map_or("INBOX", String::as_str);
            loop {
                let report = sync(&mut imap, self.account, self.shared, &mut journal, &clock)?;
                record_success(&mut journal, name, clock.now())?;
                self.shared.evaluate(&mut journal, &clock)?;
                tracing::info!(account = %name, new = report.new_notices, bytes = report.bytes_fetched, "synced");
                if self.shared.stopping() {
                    return Ok(());
                }
                if imap.has_idle() {
                    imap.examine(idle_folder)?;
                    // Other folders (Junk) have no push on this connection:
                    // wake up at the poll interval to look at them too.
                    let wait = if several_folders { poll.min(IDLE_REFRESH) } else { IDLE_REFRESH };
                    match imap.idle(wait) {
                        Ok(IdleOutcome::Changed) => tracing::info!(account = %name, "mail pushed"),
                        Ok(IdleOutcome::TimedOut) => {}
                        Err(e) if self.shared.stopping() => return Err(e.into()),
                        Err(MailboxError::Lost(why)) => {
                            tracing::info!(account = %name, why, "connection interrupted");
                            return Ok(());
                        }
                        Err(e) => return Err(e.into()),
                    }
                } else if self.shared.sleep(poll) {
                    return Ok(());
                }
            }
        })();
        self.shared.unregister(name);
        result
    }
}

/// Watches the wall clock against the monotonic one; on a jump (the machine
/// slept), interrupts every watcher so that it reconnects at once. Returns
/// when the watch stops.
pub fn watch_for_resume(shared: &Shared) {
    let tick = Duration::from_secs(5);
    let (mut wall, mut mono) = (SystemTime::now(), Instant::now());
    loop {
        if shared.sleep(tick) {
            return;
        }
        let (now_wall, now_mono) = (SystemTime::now(), Instant::now());
        let wall_elapsed = now_wall.duration_since(wall).unwrap_or_default();
        if wall_elapsed > now_mono.duration_since(mono) + SUSPEND_JUMP {
            tracing::info!(seconds = wall_elapsed.as_secs(), "resumed from suspend: reconnecting");
            shared.interrupt_all();
        }
        (wall, mono) = (now_wall, now_mono);
    }
}

/// `base` ±25%, from the clock's nanoseconds (no need for a random crate).
fn jitter(base: Duration) -> Duration {
    let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let factor = 0.75 + f64::from(nanos % 1000) / 2000.0;
    base.mul_f64(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_a_quarter() {
        for _ in 0..100 {
            let d = jitter(Duration::from_secs(100));
            assert!(d >= Duration::from_secs(75) && d <= Duration::from_secs(125), "{d:?}");
        }
    }
}
