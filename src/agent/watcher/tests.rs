//! The watch loop driven by a scripted mailbox and a fake clock: each test
//! runs hours of watching in milliseconds, and reads what happened when.

use std::cell::{Cell, RefCell};
use std::path::Path;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::*;
use crate::config::Config;
use crate::mailbox::{Candidate, Fetched, FolderState};
use crate::matching::FindingKind;
use crate::messages::Lang;
use crate::notice::Rules;

#[derive(Debug, Clone, PartialEq)]
enum Event {
    Connect,
    Examine(String),
    Idle(Duration),
    Sleep(Duration),
}

type IdleScript = Box<dyn Fn(&Script, Duration) -> Result<IdleOutcome, MailboxError>>;
type ConnectScript = Box<dyn Fn(&Script) -> Result<(), AgentError>>;
type ExamineScript = Box<dyn Fn(&Script, &str) -> Result<(), MailboxError>>;

/// The fake world: a clock that only moves when the loop sleeps or waits,
/// and a log of what the loop did at which time.
struct Script {
    now: Cell<Duration>,
    horizon: Duration,
    has_idle: bool,
    log: RefCell<Vec<(Duration, Event)>>,
    connect: ConnectScript,
    examine: ExamineScript,
    idle: IdleScript,
    evaluations: Cell<usize>,
    /// Deliberate interruptions so far (what a resume from suspend counts).
    interruptions: Cell<u64>,
}

impl Script {
    fn new(has_idle: bool, horizon: Duration) -> Script {
        Script {
            now: Cell::new(Duration::ZERO),
            horizon,
            has_idle,
            log: RefCell::new(Vec::new()),
            connect: Box::new(|_| Ok(())),
            examine: Box::new(|_, _| Ok(())),
            // A quiet mailbox: every wait runs to its end.
            idle: Box::new(|s, timeout| {
                s.advance(timeout);
                Ok(IdleOutcome::TimedOut)
            }),
            evaluations: Cell::new(0),
            interruptions: Cell::new(0),
        }
    }

    fn advance(&self, by: Duration) {
        self.now.set(self.now.get() + by);
    }

    fn note(&self, event: Event) {
        self.log.borrow_mut().push((self.now.get(), event));
    }

    fn events(&self) -> Vec<(Duration, Event)> {
        self.log.borrow().clone()
    }

    fn times_of(&self, wanted: &Event) -> Vec<Duration> {
        self.events().into_iter().filter(|(_, e)| e == wanted).map(|(t, _)| t).collect()
    }

    fn sleeps(&self) -> Vec<Duration> {
        self.events()
            .into_iter()
            .filter_map(|(_, e)| match e {
                Event::Sleep(d) => Some(d),
                _ => None,
            })
            .collect()
    }
}

impl Clock for Script {
    fn now(&self) -> DateTime<Utc> {
        let origin = Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).single().expect("a valid time");
        origin + chrono::Duration::from_std(self.now.get()).expect("in range")
    }
}

struct FakeMailbox<'a>(&'a Script);
struct FakeFolder<'a>(&'a Script);

impl<'s> Mailbox for FakeMailbox<'s> {
    type Folder<'a>
        = FakeFolder<'s>
    where
        Self: 'a;
    fn has_idle(&self) -> bool {
        self.0.has_idle
    }
    fn folders(&mut self, configured: Option<&[String]>) -> Result<Vec<String>, MailboxError> {
        Ok(configured.map_or_else(|| vec!["INBOX".to_owned(), "Junk".to_owned()], <[String]>::to_vec))
    }
    fn examine(&mut self, folder: &str) -> Result<FakeFolder<'s>, MailboxError> {
        self.0.note(Event::Examine(folder.to_owned()));
        (self.0.examine)(self.0, folder)?;
        Ok(FakeFolder(self.0))
    }
    fn bytes_fetched(&self) -> u64 {
        0
    }
    fn logout(self) {}
}

impl Folder for FakeFolder<'_> {
    fn state(&self) -> FolderState {
        FolderState { uidvalidity: 7, uidnext: 1, exists: 0 }
    }
    fn search_candidates(&mut self, _since: NaiveDate, _terms: &[&str]) -> Result<Vec<u32>, MailboxError> {
        Ok(Vec::new())
    }
    fn uids_after(&mut self, _last: u32) -> Result<Vec<u32>, MailboxError> {
        Ok(Vec::new())
    }
    fn candidates(
        &mut self,
        _uids: &[u32],
        _keep: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Result<Vec<Candidate>, MailboxError> {
        Ok(Vec::new())
    }
    fn bodies(&mut self, _batch: &[Candidate]) -> Result<Vec<Fetched>, MailboxError> {
        Ok(Vec::new())
    }
    fn idle(&mut self, timeout: Duration) -> Result<IdleOutcome, MailboxError> {
        self.0.note(Event::Idle(timeout));
        (self.0.idle)(self.0, timeout)
    }
}

impl Script {
    fn elapsed(&self) -> Duration {
        self.now.get()
    }
    fn sleep(&self, duration: Duration) -> bool {
        self.note(Event::Sleep(duration));
        self.advance(duration);
        self.stopping()
    }
    fn stopping(&self) -> bool {
        self.now.get() >= self.horizon
    }
}

/// The environment a watcher sees: the script, borrowed.
struct ScriptEnv<'s>(&'s Script);

impl<'s> WatchEnv for ScriptEnv<'s> {
    type Session = FakeMailbox<'s>;
    fn connect(&self, _account: &AccountConfig) -> Result<FakeMailbox<'s>, AgentError> {
        self.0.note(Event::Connect);
        (self.0.connect)(self.0)?;
        Ok(FakeMailbox(self.0))
    }
    fn elapsed(&self) -> Duration {
        self.0.elapsed()
    }
    fn clock(&self) -> &dyn Clock {
        self.0
    }
    fn sleep(&self, duration: Duration) -> bool {
        self.0.sleep(duration)
    }
    fn stopping(&self) -> bool {
        self.0.stopping()
    }
    fn interruptions(&self) -> u64 {
        self.0.interruptions.get()
    }
    fn evaluate(&self, _shared: &Shared, _journal: &mut Journal) -> Result<(), JournalError> {
        // What would be shown is the alert layer's business: count only.
        self.0.evaluations.set(self.0.evaluations.get() + 1);
        Ok(())
    }
}

/// A data dir and a config with one account; `folders` as configured.
fn shared(folders: Option<&[&str]>, extra: &str) -> (tempfile::TempDir, Shared) {
    let dir = tempfile::tempdir().expect("tempdir");
    let folders = folders.map_or(String::new(), |f| {
        format!("folders = [{}]\n", f.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", "))
    });
    let text = format!(
        "poll_interval_secs = 120\n{extra}\n[[account]]\nname = \"Mamie\"\nimap_host = \"127.0.0.1\"\n\
         username = \"alice\"\npassword_command = \"true\"\n{folders}"
    );
    let config = Config::parse(&text, Path::new("config.toml")).expect("config");
    let shared = Shared::new(config, Rules::builtin(), dir.path().to_path_buf(), Lang::Fr, false);
    (dir, shared)
}

fn watch(shared: &Shared, script: &Script) {
    let account = &shared.config.accounts[0];
    Watcher { shared, account }.run_in(&ScriptEnv(script));
}

fn gaps(times: &[Duration]) -> Vec<Duration> {
    times.windows(2).map(|w| w[1] - w[0]).collect()
}

fn within_jitter(delay: Duration, base: Duration) -> bool {
    delay >= base.mul_f64(0.75) && delay <= base.mul_f64(1.25)
}

const HOUR: Duration = Duration::from_secs(3600);
const MIN: Duration = Duration::from_secs(60);

#[test]
fn idle_is_reissued_before_ten_minutes() {
    let (_dir, shared) = shared(Some(&["INBOX"]), "");
    let script = Script::new(true, 2 * HOUR);
    watch(&shared, &script);
    let idles: Vec<Duration> = script
        .events()
        .into_iter()
        .filter_map(|(_, e)| match e {
            Event::Idle(d) => Some(d),
            _ => None,
        })
        .collect();
    assert!(idles.len() >= 12, "{idles:?}");
    assert!(idles.iter().all(|d| *d < 10 * MIN), "{idles:?}");
    let starts = script.times_of(&Event::Idle(IDLE_REFRESH));
    assert!(gaps(&starts).iter().all(|g| *g < 10 * MIN), "{starts:?}");
}

#[test]
fn a_server_without_idle_is_polled() {
    let (_dir, shared) = shared(None, "");
    let script = Script::new(false, HOUR);
    watch(&shared, &script);
    let reads = script.times_of(&Event::Examine("Junk".into()));
    assert_eq!(reads.len(), 30, "{reads:?}");
    assert!(gaps(&reads).iter().all(|g| *g == 2 * MIN), "{reads:?}");
    assert!(!script.events().iter().any(|(_, e)| matches!(e, Event::Idle(_))));
}

#[test]
fn junk_is_polled_on_an_absolute_timer() {
    let (_dir, shared) = shared(None, "");
    let mut script = Script::new(true, HOUR);
    // The wait ends early every 45 s (as a keepalive would wake a naive
    // client): neither a read of Junk nor a later one may follow from it.
    script.idle = Box::new(|s, timeout| {
        s.advance(timeout.min(Duration::from_secs(45)));
        Ok(IdleOutcome::TimedOut)
    });
    watch(&shared, &script);
    let reads = script.times_of(&Event::Examine("Junk".into()));
    assert!(reads.len() >= 29, "{reads:?}");
    assert!(gaps(&reads).iter().all(|g| *g == 2 * MIN), "Junk read at {reads:?}");
}

#[test]
fn the_backoff_is_capped() {
    let (_dir, shared) = shared(None, "");
    let mut script = Script::new(true, 2 * HOUR);
    script.connect = Box::new(|_| {
        Err(MailboxError::Connect { host: "127.0.0.1".into(), port: 993, detail: "refused".into() }.into())
    });
    watch(&shared, &script);
    let sleeps = script.sleeps();
    let mut base = BACKOFF_START;
    for delay in &sleeps {
        assert!(within_jitter(*delay, base), "{delay:?} for {base:?}: {sleeps:?}");
        base = (base * 2).min(BACKOFF_CAP);
    }
    assert!(sleeps.iter().filter(|d| within_jitter(**d, BACKOFF_CAP)).count() >= 10, "{sleeps:?}");
}

#[test]
fn the_backoff_starts_again_after_any_successful_sync() {
    let (_dir, shared) = shared(None, "");
    let mut script = Script::new(true, HOUR);
    // Six refused connections, then one that syncs and fails while
    // waiting (not a cut: an error), then refusals again.
    script.connect = Box::new(|s| {
        let attempts = s.times_of(&Event::Connect).len();
        if attempts == 7 {
            Ok(())
        } else {
            Err(MailboxError::Connect { host: "h".into(), port: 993, detail: "refused".into() }.into())
        }
    });
    script.idle = Box::new(|_, _| Err(MailboxError::Protocol("garbage".into())));
    watch(&shared, &script);
    let sleeps = script.sleeps();
    assert!(within_jitter(sleeps[5], Duration::from_secs(64)), "{sleeps:?}");
    assert!(within_jitter(sleeps[6], BACKOFF_START), "after a sync, from the minimum again: {sleeps:?}");
    assert!(within_jitter(sleeps[7], BACKOFF_START * 2), "{sleeps:?}");
}

/// The delays the backoff gives from its minimum, `count` of them.
fn backoff_from_start(count: usize) -> Vec<Duration> {
    std::iter::successors(Some(BACKOFF_START), |d| Some((*d * 2).min(BACKOFF_CAP))).take(count).collect()
}

fn follow_the_backoff(sleeps: &[Duration], bases: &[Duration]) -> bool {
    sleeps.len() == bases.len() && sleeps.iter().zip(bases).all(|(d, b)| within_jitter(*d, *b))
}

#[test]
fn a_server_dropping_every_idle_at_once_is_not_reconnected_in_a_tight_loop() {
    // Each connection logs in and syncs, then the server drops it as soon
    // as the client waits in IDLE.
    let (_dir, shared) = shared(Some(&["INBOX"]), "");
    let mut script = Script::new(true, 10 * MIN);
    script.idle = Box::new(|_, _| Err(MailboxError::Lost("closed by the server".into())));
    watch(&shared, &script);
    let connects = script.times_of(&Event::Connect);
    // 2 + 4 + … + 256 s at -25% is 382 s, then the 5-min cap: at most 10
    // logins in 10 minutes, not one every few milliseconds.
    assert!(connects.len() >= 8 && connects.len() <= 10, "{} logins: {connects:?}", connects.len());
    let sleeps = script.sleeps();
    assert!(
        follow_the_backoff(&sleeps, &backoff_from_start(sleeps.len())),
        "the syncs in between do not reset the backoff: {sleeps:?}"
    );
    let journal = Journal::open_in(&shared.data_dir).expect("journal");
    let health = journal.health().expect("health");
    assert!(health.iter().any(|h| h.account == "Mamie" && h.last_error_at.is_some()), "recorded: {health:?}");
}

#[test]
fn a_connection_cut_by_a_resume_reconnects_at_once_however_short_the_session() {
    // A resume from suspend cuts the sockets on purpose, here 10 s after
    // the login: not the server's doing, no delay.
    let (_dir, shared) = shared(Some(&["INBOX"]), "");
    let mut script = Script::new(true, HOUR);
    script.idle = Box::new(|s, timeout| {
        if s.times_of(&Event::Connect).len() == 1 {
            s.advance(Duration::from_secs(10));
            s.interruptions.set(s.interruptions.get() + 1);
            return Err(MailboxError::Lost("interrupted".into()));
        }
        s.advance(timeout);
        Ok(IdleOutcome::TimedOut)
    });
    watch(&shared, &script);
    let connects = script.times_of(&Event::Connect);
    assert!(connects.len() == 2 && connects[1] == Duration::from_secs(10), "{:?}", script.events());
    assert!(script.sleeps().is_empty(), "no delay before reconnecting: {:?}", script.sleeps());
}

#[test]
fn the_backoff_starts_again_after_a_session_that_lasted() {
    // Four connections dropped at once, then one dropped after 5 minutes
    // of watching (reconnected at once), then early drops again: the
    // backoff starts again from its minimum.
    let (_dir, shared) = shared(Some(&["INBOX"]), "");
    let mut script = Script::new(true, 10 * MIN);
    script.idle = Box::new(|s, _| {
        if s.times_of(&Event::Connect).len() == 5 {
            s.advance(5 * MIN);
        }
        Err(MailboxError::Lost("closed by the server".into()))
    });
    watch(&shared, &script);
    let connects = script.times_of(&Event::Connect);
    assert!(connects.len() >= 6 && connects[5] == connects[4] + 5 * MIN, "{connects:?}");
    let sleeps = script.sleeps();
    let mut expected = backoff_from_start(4);
    expected.extend(backoff_from_start(sleeps.len().saturating_sub(4)));
    assert!(sleeps.len() >= 6 && follow_the_backoff(&sleeps, &expected), "{sleeps:?}");
}

#[test]
fn a_connection_cut_while_idle_reconnects_at_once() {
    // After a long watch (here 5 minutes), a lost connection is reconnected
    // without delay: what a resume or a network change leaves behind.
    let (_dir, shared) = shared(Some(&["INBOX"]), "");
    let mut script = Script::new(true, HOUR);
    script.idle = Box::new(|s, timeout| {
        if s.times_of(&Event::Connect).len() == 1 && s.now.get() >= 5 * MIN {
            return Err(MailboxError::Lost("interrupted".into()));
        }
        s.advance(timeout.min(5 * MIN));
        Ok(IdleOutcome::TimedOut)
    });
    watch(&shared, &script);
    let connects = script.times_of(&Event::Connect);
    assert!(connects.len() >= 2 && connects[1] == 5 * MIN, "{:?}", script.events());
    assert!(script.sleeps().is_empty(), "no delay before reconnecting: {:?}", script.sleeps());
}

#[test]
fn a_resume_from_suspend_is_seen_as_a_clock_jump() {
    assert!(resumed(Duration::from_secs(3605), Duration::from_secs(5)));
    assert!(!resumed(Duration::from_secs(5), Duration::from_secs(5)));
    assert!(!resumed(Duration::from_secs(20), Duration::from_secs(5)));
}

#[test]
fn a_stalled_server_becomes_blind() {
    let (_dir, shared) = shared(None, "blind_after_hours = 1");
    let mut script = Script::new(true, 3 * HOUR);
    // Logs in, then never finishes answering: each attempt costs the
    // command deadline.
    script.examine = Box::new(|s, _| {
        s.advance(Duration::from_secs(60));
        Err(MailboxError::Stalled { seconds: 60 })
    });
    watch(&shared, &script);
    let sleeps = script.sleeps();
    assert!(sleeps.iter().all(|d| !d.is_zero()) && sleeps.len() >= 10, "a stall backs off: {sleeps:?}");
    let journal = Journal::open_in(&shared.data_dir).expect("journal");
    let blind: Vec<_> = journal
        .findings()
        .expect("findings")
        .into_iter()
        .filter(|f| f.finding.kind == FindingKind::Blind && f.finding.account == "Mamie")
        .collect();
    assert_eq!(blind.len(), 1, "{blind:?}");
    let raised = blind[0].raised_at - script_start();
    assert!(raised >= chrono::Duration::hours(1) && raised < chrono::Duration::minutes(70), "raised after {raised}");
    let health = journal.health().expect("health");
    assert!(health.iter().any(|h| h.account == "Mamie" && h.last_error_at.is_some()), "{health:?}");
}

fn script_start() -> DateTime<Utc> {
    Script::new(false, HOUR).now()
}
