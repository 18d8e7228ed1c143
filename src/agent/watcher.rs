//! One account's watch for `vigie run`: connect, sync, wait in IDLE (or
//! poll), sync again; on failure record it and reconnect after a capped,
//! jittered backoff. Sessions and time come from a [`WatchEnv`], so that
//! tests drive the loop with a scripted mailbox and a fake clock.
//!
//! The rules it keeps:
//! - IDLE is re-issued every [`IDLE_REFRESH`] (under the 10 minutes after
//!   which servers drop idle clients); without IDLE the account is polled;
//! - folders not in IDLE (Junk) are read again on an absolute timer: a
//!   wait that ends early (a keepalive, a spurious wake) does not restart it;
//! - the backoff doubles up to [`BACKOFF_CAP`] and starts again from
//!   [`BACKOFF_START`] after any successful sync, unless the server then
//!   dropped the connection within [`STEADY_SESSION`];
//! - a connection cut while idle reconnects at once when it was cut on
//!   purpose (a resume from suspend shuts the sockets down) or after at
//!   least [`STEADY_SESSION`] of watching; a server that drops every
//!   connection sooner is a failure like any other, so that the password
//!   command, TLS and login are not run again in a tight loop (providers
//!   lock accounts after repeated logins);
//! - a stalled server (a command past its deadline) is a failure like any
//!   other: recorded, so that `blind` follows after `blind_after_hours`.

use std::time::{Duration, Instant, SystemTime};

use super::{AgentError, Shared, record_failure, record_success, sync};
use crate::config::AccountConfig;
use crate::journal::{Journal, JournalError};
use crate::mailbox::{Folder, IdleOutcome, Imap, Mailbox, MailboxError};
use crate::watch::{Clock, SystemClock};

/// IDLE is re-issued this often: servers drop idle clients well before the
/// 29 minutes RFC 2177 allows.
pub const IDLE_REFRESH: Duration = Duration::from_secs(9 * 60);
/// Reconnection delays: from 2 s, doubling, at most 5 min (±25% jitter).
pub const BACKOFF_START: Duration = Duration::from_secs(2);
pub const BACKOFF_CAP: Duration = Duration::from_secs(5 * 60);
/// A connection lost while idle after at least this long since the login
/// is reconnected at once; sooner, it is a failure and backs off.
pub const STEADY_SESSION: Duration = Duration::from_secs(60);
/// After the server refused the credentials, try again this much later.
const REJECTED_RETRY: Duration = Duration::from_secs(30 * 60);
/// A wall clock that jumps this much further than the monotonic clock
/// means the machine was asleep.
const SUSPEND_JUMP: Duration = Duration::from_secs(30);

/// Where a watcher gets its sessions, its time and its stop signal.
pub trait WatchEnv {
    type Session: Mailbox;
    fn connect(&self, account: &AccountConfig) -> Result<Self::Session, AgentError>;
    /// A monotonic reading, from any origin.
    fn elapsed(&self) -> Duration;
    /// The wall clock, for what the journal records.
    fn clock(&self) -> &dyn Clock;
    /// Sleeps up to `duration`; true when asked to stop.
    fn sleep(&self, duration: Duration) -> bool;
    fn stopping(&self) -> bool;
    /// How many times the sessions were cut on purpose so far (a resume
    /// from suspend): a connection lost after that is not the server's doing.
    fn interruptions(&self) -> u64 {
        0
    }
    /// Lets another thread interrupt this session's blocking reads.
    fn register(&self, _account: &str, _session: &Self::Session) {}
    fn unregister(&self, _account: &str) {}
    /// Matches and alerts after a sync or a recorded failure.
    fn evaluate(&self, shared: &Shared, journal: &mut Journal) -> Result<(), JournalError> {
        shared.evaluate(journal, self.clock()).map(drop)
    }
}

/// The real world: IMAP, the system clock, the shared stop signal.
pub struct LiveEnv<'a> {
    pub shared: &'a Shared,
    origin: Instant,
}

impl<'a> LiveEnv<'a> {
    pub fn new(shared: &'a Shared) -> LiveEnv<'a> {
        LiveEnv { shared, origin: Instant::now() }
    }
}

impl WatchEnv for LiveEnv<'_> {
    type Session = Imap;
    fn connect(&self, account: &AccountConfig) -> Result<Imap, AgentError> {
        super::connect(account)
    }
    fn elapsed(&self) -> Duration {
        self.origin.elapsed()
    }
    fn clock(&self) -> &dyn Clock {
        &SystemClock
    }
    fn sleep(&self, duration: Duration) -> bool {
        self.shared.sleep(duration)
    }
    fn stopping(&self) -> bool {
        self.shared.stopping()
    }
    fn interruptions(&self) -> u64 {
        self.shared.interruptions()
    }
    fn register(&self, account: &str, session: &Imap) {
        self.shared.register(account, session.interrupter().ok());
    }
    fn unregister(&self, account: &str) {
        self.shared.unregister(account);
    }
}

/// One account's watcher for `vigie run`.
pub struct Watcher<'a> {
    pub shared: &'a Shared,
    pub account: &'a AccountConfig,
}

/// How a session ended without an error.
enum Ended {
    Stop,
    Reconnect,
}

/// When a session's connection was made, to tell a server that drops it at
/// once from a long watch or a deliberate interruption.
struct Connected {
    at: Duration,
    interruptions: u64,
}

impl Watcher<'_> {
    /// Watches until asked to stop, with the real mailbox and clock.
    pub fn run(&self) {
        self.run_in(&LiveEnv::new(self.shared));
    }

    /// Watches until `env` says stop. Errors never end the watch: they are
    /// recorded, and the watcher reconnects after a delay.
    pub fn run_in<E: WatchEnv>(&self, env: &E) {
        let name = &self.account.name;
        let mut backoff = BACKOFF_START;
        while !env.stopping() {
            let mut proven = false;
            let result = self.session(env, &mut proven);
            if proven {
                backoff = BACKOFF_START;
            }
            match result {
                Ok(Ended::Stop) => break,
                Ok(Ended::Reconnect) => {}
                Err(e) => {
                    if env.stopping() {
                        break;
                    }
                    tracing::warn!(account = %name, error = %e, "cannot read the mailbox");
                    if e.is_mailbox()
                        && let Ok(mut journal) = Journal::open_in(&self.shared.data_dir)
                    {
                        let now = env.clock().now();
                        let recorded = record_failure(self.shared, &mut journal, name, &e, now)
                            .and_then(|()| env.evaluate(self.shared, &mut journal));
                        if let Err(je) = recorded {
                            tracing::error!(account = %name, error = %je, "journal");
                        }
                    }
                    // A refused password is retried slowly: providers lock
                    // accounts after repeated failed logins.
                    let rejected = matches!(&e, AgentError::Mailbox(m) if m.credentials_rejected());
                    let delay = if rejected { REJECTED_RETRY } else { jitter(backoff) };
                    tracing::info!(account = %name, seconds = delay.as_secs(), "reconnecting later");
                    if env.sleep(delay) {
                        break;
                    }
                    backoff = (backoff * 2).min(BACKOFF_CAP);
                }
            }
        }
        tracing::info!(account = %name, "watch stopped");
    }

    /// One connection: sync, then wait for mail and sync again, until the
    /// connection fails or the watch stops. `proven` tells whether the
    /// server works: at least one sync went through, and the server did not
    /// then drop the connection too soon.
    fn session<E: WatchEnv>(&self, env: &E, proven: &mut bool) -> Result<Ended, AgentError> {
        let name = &self.account.name;
        let mut journal = Journal::open_in(&self.shared.data_dir)?;
        let mut imap = env.connect(self.account)?;
        let connected = Connected { at: env.elapsed(), interruptions: env.interruptions() };
        env.register(name, &imap);
        let result = self.watch(env, &mut imap, &mut journal, &connected, proven);
        env.unregister(name);
        if result.is_ok() {
            imap.logout();
        }
        result
    }

    fn watch<E: WatchEnv>(
        &self,
        env: &E,
        imap: &mut E::Session,
        journal: &mut Journal,
        connected: &Connected,
        proven: &mut bool,
    ) -> Result<Ended, AgentError> {
        let name = &self.account.name;
        let poll = Duration::from_secs(self.shared.config.poll_interval_secs);
        let several_folders = self.account.folders.as_ref().is_none_or(|f| f.len() > 1);
        let idle_folder = self.account.folders.as_ref().and_then(|f| f.first()).map_or("INBOX", String::as_str);
        loop {
            let report = sync(imap, self.account, self.shared, journal, env.clock())?;
            *proven = true;
            record_success(journal, name, env.clock().now())?;
            env.evaluate(self.shared, journal)?;
            tracing::info!(account = %name, new = report.new_notices, bytes = report.bytes_fetched, "synced");
            // Every folder was just read: the next full read is due then.
            let due = env.elapsed() + poll;
            if env.stopping() {
                return Ok(Ended::Stop);
            }
            if !imap.has_idle() {
                if env.sleep(poll) {
                    return Ok(Ended::Stop);
                }
                continue;
            }
            let mut folder = imap.examine(idle_folder)?;
            // Waiting needs none of what the sync touched.
            super::memory::give_back();
            // Wait in IDLE until mail is pushed or, when other folders have
            // no push on this connection, until the absolute poll time.
            loop {
                let left = if several_folders { due.saturating_sub(env.elapsed()) } else { IDLE_REFRESH };
                if several_folders && left.is_zero() {
                    break;
                }
                match folder.idle(left.min(IDLE_REFRESH)) {
                    Ok(IdleOutcome::Changed) => {
                        tracing::info!(account = %name, "mail pushed");
                        break;
                    }
                    Ok(IdleOutcome::TimedOut) if several_folders => {}
                    Ok(IdleOutcome::TimedOut) => break,
                    Err(_) if env.stopping() => return Ok(Ended::Stop),
                    Err(MailboxError::Lost(why)) => {
                        let on_purpose = env.interruptions() != connected.interruptions;
                        let lasted = env.elapsed().saturating_sub(connected.at);
                        if on_purpose || lasted >= STEADY_SESSION {
                            tracing::info!(account = %name, why, "connection interrupted");
                            return Ok(Ended::Reconnect);
                        }
                        // Dropped soon after the login: reconnecting at once
                        // would log in again and again.
                        tracing::info!(account = %name, why, seconds = lasted.as_secs(), "connection dropped early");
                        *proven = false;
                        return Err(MailboxError::Lost(why).into());
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
}

/// Whether the wall clock ran further than the monotonic one by enough to
/// mean the machine was asleep in between.
pub fn resumed(wall_elapsed: Duration, mono_elapsed: Duration) -> bool {
    wall_elapsed > mono_elapsed + SUSPEND_JUMP
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
        if resumed(wall_elapsed, now_mono.duration_since(mono)) {
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
mod tests;
