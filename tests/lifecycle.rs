//! The lifecycle of an alert (DESIGN "Alerts — lifecycle", "Rules",
//! "Idempotence"), on real SQLite journals, through the record → evaluate
//! → deliver layer the agent uses. The desktop here is a recording sink
//! that hands out notification ids like a server does; the same rules
//! against a real notification server are in tests/desktop.rs.

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use vigie::alert::{AlertText, Alerter, Delivery};
use vigie::journal::{AnswerOutcome, Journal, Location, NewOwnLogin};
use vigie::matching::{Answer, LoginService, LoginSource, MatchRules, Resolution, Urgency, Via};
use vigie::messages::Lang;
use vigie::notice::{Rules, Trust};
use vigie::watch::deliver::{apply_answer, deliver, on_click};
use vigie::watch::evaluate::{GROUP_AFTER, Hold, alerts_due, evaluate};
use vigie::watch::record::{Incoming, Ingested, record};

/// One call to the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Call {
    Show { id: u32, replaces: Option<u32>, summary: String, urgency: Urgency, actions: Vec<String> },
    Close(u32),
}

/// A desktop that records what it was asked to do, and can be switched off.
#[derive(Clone, Default)]
struct Screen {
    calls: Arc<Mutex<Vec<Call>>>,
    down: Arc<Mutex<bool>>,
    next: Arc<Mutex<u32>>,
    attempts: Arc<Mutex<u32>>,
}

impl Screen {
    fn shows(&self) -> Vec<(u32, Option<u32>, String)> {
        let calls = self.calls.lock().expect("lock");
        calls
            .iter()
            .filter_map(|c| match c {
                Call::Show { id, replaces, summary, .. } => Some((*id, *replaces, summary.clone())),
                Call::Close(_) => None,
            })
            .collect()
    }
    fn last(&self) -> Option<Call> {
        self.calls.lock().expect("lock").last().cloned()
    }
    fn set_down(&self, down: bool) {
        *self.down.lock().expect("lock") = down;
    }
}

impl Alerter for Screen {
    fn channel(&self) -> &'static str {
        "desktop"
    }
    fn deliver(&self, text: &AlertText, replaces: Option<u32>) -> Delivery {
        *self.attempts.lock().expect("lock") += 1;
        if *self.down.lock().expect("lock") {
            return Delivery::Failed("no notification server".into());
        }
        let id = replaces.unwrap_or_else(|| {
            let mut next = self.next.lock().expect("lock");
            *next += 1;
            *next
        });
        self.calls.lock().expect("lock").push(Call::Show {
            id,
            replaces,
            summary: text.summary.clone(),
            urgency: text.urgency,
            actions: text.actions.iter().map(|(k, _)| k.clone()).collect(),
        });
        Delivery::Shown { notification_id: Some(id), buttons: !text.actions.is_empty() }
    }
    fn close(&self, id: u32) {
        self.calls.lock().expect("lock").push(Call::Close(id));
    }
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("time").with_timezone(&Utc)
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).expect("fixture")
}

const NOW: &str = "2026-11-22T12:00:00Z";
const LOGIN: &str = "ameli-login-date-with-weekday.eml"; // a login on 20/11/2026 at 10:14 Paris
const FAKE: &str = "fake-ameli-lookalike-ameli-fr-com.eml";

/// One pass as the watcher does it: record `messages` for Papi, evaluate,
/// show what is due on `screen` (none: a run that died before alerting).
fn pass_at(
    data: &Path,
    screen: Option<&Screen>,
    messages: &[&[u8]],
    now: DateTime<Utc>,
    starting: bool,
) -> Vec<Ingested> {
    pass_held(data, screen, messages, now, starting, &Hold::none())
}

/// As [`pass_at`], holding back what `hold` holds.
fn pass_held(
    data: &Path,
    screen: Option<&Screen>,
    messages: &[&[u8]],
    now: DateTime<Utc>,
    starting: bool,
    hold: &Hold,
) -> Vec<Ingested> {
    let mut journal = Journal::open_in(data).expect("journal");
    let rules = Rules::builtin();
    let inbox = Location { folder: Some("INBOX".into()), uid: None };
    let ingested = messages
        .iter()
        .map(|raw| {
            record(&journal, &rules, &Trust::Topmost, Incoming::whole("Papi", &inbox, raw), now).expect("record")
        })
        .collect();
    evaluate(&mut journal, &MatchRules::default(), now, hold).expect("evaluate");
    if let Some(screen) = screen {
        let sinks: Vec<Box<dyn Alerter>> = vec![Box::new(screen.clone())];
        let due = alerts_due(&journal, now, Duration::hours(24), starting).expect("due");
        deliver(&journal, &sinks, due, Lang::Fr, now).expect("deliver");
    }
    ingested
}

fn pass(data: &Path, screen: &Screen, messages: &[&[u8]]) -> Vec<Ingested> {
    pass_at(data, Some(screen), messages, t(NOW), false)
}

fn own_login(data: &Path, source: LoginSource, at: &str, recorded: DateTime<Utc>) {
    let journal = Journal::open_in(data).expect("journal");
    let login = NewOwnLogin {
        account: "Papi".into(),
        service: LoginService::Ameli,
        at: t(at),
        via: Via::Web,
        source,
        note: None,
    };
    journal.record_own_login(&login, recorded).expect("login");
}

fn only_finding(data: &Path) -> vigie::journal::StoredFinding {
    let findings = Journal::open_in(data).expect("journal").findings().expect("findings");
    assert_eq!(findings.len(), 1, "{findings:?}");
    findings.into_iter().next().expect("one")
}

#[test]
fn restart_does_not_repeat_alerts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    let raw = fixture(LOGIN);
    pass(dir.path(), &screen, &[&raw]);
    assert_eq!(screen.shows().len(), 1);
    // Restart (a new journal connection), and the same message read again.
    let out = pass(dir.path(), &screen, &[&raw]);
    assert!(matches!(out[0], Ingested::AlreadyKnown(_)));
    assert_eq!(screen.shows().len(), 1, "no second alert");
}

#[test]
fn a_message_without_message_id_is_known_by_its_content() {
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    let raw = String::from_utf8(fixture(LOGIN)).expect("utf8");
    let without: String = raw
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("message-id:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    pass(dir.path(), &screen, &[without.as_bytes()]);
    let out = pass(dir.path(), &screen, &[without.as_bytes()]);
    assert!(matches!(out[0], Ingested::AlreadyKnown(_)));
    assert_eq!(screen.shows().len(), 1);
}

#[test]
fn unrelated_and_unreadable_messages_are_not_recorded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    let out = pass(dir.path(), &screen, &[&fixture("unrelated-newsletter-jardinage.eml"), b""]);
    assert!(matches!(out[0], Ingested::Unrelated(_)));
    assert!(matches!(out[1], Ingested::Unreadable(_)));
    assert!(Journal::open_in(dir.path()).expect("journal").notices().expect("notices").is_empty());
    assert!(screen.shows().is_empty());
}

#[test]
fn a_crash_between_raised_and_shown_repeats_the_alert_instead_of_losing_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The previous run recorded the notice and raised its finding, then
    // died before any channel showed it.
    pass_at(dir.path(), None, &[&fixture(LOGIN)], t(NOW), false);
    let screen = Screen::default();
    pass(dir.path(), &screen, &[]);
    assert_eq!(screen.shows().len(), 1, "the undelivered finding is alerted now");
    pass(dir.path(), &screen, &[]);
    assert_eq!(screen.shows().len(), 1, "and only once");
}

#[test]
fn own_logins_explain_only_what_they_preceded() {
    // The family scenario: Papi's alert is shown, answered "not mine"; the
    // helper goes to ameli through the launcher to change the password.
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    pass(dir.path(), &screen, &[&fixture(LOGIN)]);
    let id = only_finding(dir.path()).id;
    let mut journal = Journal::open_in(dir.path()).expect("journal");
    let sinks: Vec<Box<dyn Alerter>> = vec![Box::new(screen.clone())];
    apply_answer(&mut journal, &sinks, id, Answer::NotMine, Lang::Fr, t(NOW)).expect("answer");
    // The launcher visit, recorded after the alert, claims a login right
    // next to the notice's time (the worst case).
    own_login(dir.path(), LoginSource::Launcher, "2026-11-20T09:13:00Z", t(NOW) + Duration::minutes(5));
    pass_at(dir.path(), Some(&screen), &[], t(NOW) + Duration::minutes(6), false);
    let finding = only_finding(dir.path());
    assert!(finding.is_open(), "the alert stays open: {finding:?}");
    assert_eq!(finding.answer, Some(Answer::NotMine));
}

#[test]
fn a_shown_unanswered_alert_is_not_closed_by_a_later_own_login() {
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    pass(dir.path(), &screen, &[&fixture(LOGIN)]);
    own_login(dir.path(), LoginSource::Cli, "2026-11-20T09:13:00Z", t(NOW) + Duration::minutes(1));
    pass_at(dir.path(), Some(&screen), &[], t(NOW) + Duration::minutes(2), false);
    assert!(only_finding(dir.path()).is_open());
}

#[test]
fn an_own_login_recorded_before_the_alert_was_shown_explains_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Recorded (vigie login) before the notice even arrived.
    own_login(dir.path(), LoginSource::Cli, "2026-11-20T09:13:00Z", t("2026-11-20T09:13:00Z"));
    let screen = Screen::default();
    pass(dir.path(), &screen, &[&fixture(LOGIN)]);
    assert!(screen.shows().is_empty());
    assert!(Journal::open_in(dir.path()).expect("journal").findings().expect("f").is_empty());
}

#[test]
fn not_mine_is_final_until_handled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    pass(dir.path(), &screen, &[&fixture(LOGIN)]);
    let id = only_finding(dir.path()).id;
    let mut journal = Journal::open_in(dir.path()).expect("journal");
    let sinks: Vec<Box<dyn Alerter>> = vec![Box::new(screen.clone())];
    apply_answer(&mut journal, &sinks, id, Answer::NotMine, Lang::Fr, t(NOW)).expect("answer");
    let refused = apply_answer(&mut journal, &sinks, id, Answer::Mine, Lang::Fr, t(NOW)).expect("answer");
    assert!(matches!(refused, AnswerOutcome::Refused(_)), "{refused:?}");
    assert!(journal.own_logins().expect("logins").is_empty(), "the fraudster's login is not recorded as mine");
    apply_answer(&mut journal, &sinks, id, Answer::Handled, Lang::Fr, t(NOW)).expect("answer");
    assert_eq!(only_finding(dir.path()).resolution, Some(Resolution::Handled));
}

#[test]
fn open_alerts_are_shown_again_every_remind_interval_replacing_the_one_shown_before() {
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    pass(dir.path(), &screen, &[&fixture(LOGIN)]);
    let (first_id, _, _) = screen.shows()[0].clone();
    pass_at(dir.path(), Some(&screen), &[], t(NOW) + Duration::hours(23), false);
    assert_eq!(screen.shows().len(), 1, "not before the interval");
    pass_at(dir.path(), Some(&screen), &[], t(NOW) + Duration::hours(24), false);
    let shows = screen.shows();
    assert_eq!(shows.len(), 2, "shown again");
    assert_eq!(shows[1].1, Some(first_id), "replacing the notification shown before");
}

#[test]
fn open_alerts_are_shown_again_when_the_agent_starts_one_notification_per_finding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    pass(dir.path(), &screen, &[&fixture(LOGIN)]);
    let (first_id, _, _) = screen.shows()[0].clone();
    // The agent restarts an hour later.
    pass_at(dir.path(), Some(&screen), &[], t(NOW) + Duration::hours(1), true);
    let shows = screen.shows();
    assert_eq!(shows.len(), 2);
    assert_eq!(shows[1].1, Some(first_id), "the same notification, replaced: never a second one");
}

#[test]
fn a_failed_desktop_delivery_is_retried_with_backoff() {
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    screen.set_down(true);
    pass(dir.path(), &screen, &[&fixture(LOGIN)]);
    let stored = only_finding(dir.path());
    assert!(stored.desktop_shown_at.is_none() && stored.last_shown_at.is_none(), "a failed delivery is not shown");
    screen.set_down(false);
    pass_at(dir.path(), Some(&screen), &[], t(NOW) + Duration::seconds(10), false);
    assert!(screen.shows().is_empty(), "waits out the first delay (30 s)");
    pass_at(dir.path(), Some(&screen), &[], t(NOW) + Duration::seconds(31), false);
    assert_eq!(screen.shows().len(), 1, "retried");
    pass_at(dir.path(), Some(&screen), &[], t(NOW) + Duration::seconds(62), false);
    assert_eq!(screen.shows().len(), 1, "and shown once");
}

#[test]
fn a_click_on_mine_closes_the_notification_and_records_the_login() {
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    pass(dir.path(), &screen, &[&fixture(LOGIN)]);
    let (id, _, _) = screen.shows()[0].clone();
    let mut journal = Journal::open_in(dir.path()).expect("journal");
    let sinks: Vec<Box<dyn Alerter>> = vec![Box::new(screen.clone())];
    on_click(&mut journal, &sinks, id, "mine", Lang::Fr, t(NOW)).expect("click");
    assert_eq!(screen.last(), Some(Call::Close(id)));
    assert_eq!(only_finding(dir.path()).resolution, Some(Resolution::Mine));
    assert_eq!(journal.own_logins().expect("logins").len(), 1);
}

#[test]
fn a_click_on_not_mine_replaces_the_alert_with_the_steps() {
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    pass(dir.path(), &screen, &[&fixture(LOGIN)]);
    let (id, _, _) = screen.shows()[0].clone();
    let mut journal = Journal::open_in(dir.path()).expect("journal");
    let sinks: Vec<Box<dyn Alerter>> = vec![Box::new(screen.clone())];
    on_click(&mut journal, &sinks, id, "not-mine", Lang::Fr, t(NOW)).expect("click");
    match screen.last() {
        Some(Call::Show { replaces, summary, actions, .. }) => {
            assert_eq!(replaces, Some(id), "replaces the alert, not a second notification behind it");
            assert_eq!(summary, "Papi — à faire maintenant");
            assert_eq!(actions, vec!["handled".to_owned()]);
        }
        other => panic!("expected the follow-up, got {other:?}"),
    }
    on_click(&mut journal, &sinks, id, "handled", Lang::Fr, t(NOW)).expect("click");
    assert_eq!(screen.last(), Some(Call::Close(id)));
    assert_eq!(only_finding(dir.path()).resolution, Some(Resolution::Handled));
}

#[test]
fn past_five_open_impersonations_further_ones_share_one_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    let raw = String::from_utf8(fixture(FAKE)).expect("utf8");
    let fakes: Vec<String> = (0..12)
        .map(|i| {
            raw.lines()
                .map(|l| {
                    if l.to_ascii_lowercase().starts_with("message-id:") {
                        format!("Message-ID: <fake{i}@x>")
                    } else {
                        l.to_owned()
                    }
                })
                .map(|l| format!("{l}\r\n"))
                .collect()
        })
        .collect();
    let refs: Vec<&[u8]> = fakes.iter().map(|f| f.as_bytes()).collect();
    // Plus a genuine unknown login in the same flood.
    let login = fixture(LOGIN);
    let mut all = refs.clone();
    all.push(&login);
    pass(dir.path(), &screen, &all);
    let shows = screen.shows();
    let single_fakes = shows.iter().filter(|(_, _, s)| s == "Papi — faux message ameli reçu").count();
    let summaries: Vec<_> = shows.iter().filter(|(_, _, s)| s.starts_with("Papi — 12 faux messages")).collect();
    assert_eq!(single_fakes, GROUP_AFTER);
    assert_eq!(summaries.len(), 1, "{shows:?}");
    assert!(shows.iter().any(|(_, _, s)| s == "Papi — connexion inconnue à ameli"), "never grouped away");
    // Shown again at start: still one summary, replaced.
    pass_at(dir.path(), Some(&screen), &[], t(NOW) + Duration::hours(1), true);
    let summaries: Vec<_> =
        screen.shows().into_iter().filter(|(_, _, s)| s.starts_with("Papi — 12 faux messages")).collect();
    assert_eq!(summaries.len(), 2);
    assert_eq!(summaries[1].1, Some(summaries[0].0), "the summary replaces itself");
}

/// A desktop that shows the alert, then the process dies before the
/// journal hears of it.
struct DiesAfterShowing(Screen);

impl Alerter for DiesAfterShowing {
    fn channel(&self) -> &'static str {
        "desktop"
    }
    fn deliver(&self, text: &AlertText, replaces: Option<u32>) -> Delivery {
        self.0.deliver(text, replaces);
        panic!("killed between delivery and journal write");
    }
}

#[test]
fn a_crash_between_delivery_and_journal_write_repeats_the_alert_at_most_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    let data = dir.path().to_path_buf();
    let dying = DiesAfterShowing(screen.clone());
    let crashed = std::panic::catch_unwind(move || {
        let mut journal = Journal::open_in(&data).expect("journal");
        let inbox = Location { folder: Some("INBOX".into()), uid: None };
        let raw = fixture(LOGIN);
        record(&journal, &Rules::builtin(), &Trust::Topmost, Incoming::whole("Papi", &inbox, &raw), t(NOW))
            .expect("record");
        evaluate(&mut journal, &MatchRules::default(), t(NOW), &Hold::none()).expect("evaluate");
        let sinks: Vec<Box<dyn Alerter>> = vec![Box::new(dying)];
        let due = alerts_due(&journal, t(NOW), Duration::hours(24), false).expect("due");
        let _ = deliver(&journal, &sinks, due, Lang::Fr, t(NOW));
    });
    assert!(crashed.is_err());
    assert_eq!(screen.shows().len(), 1, "shown before the crash");
    // The agent starts again: the alert comes back once, then never again.
    pass_at(dir.path(), Some(&screen), &[], t(NOW) + Duration::minutes(1), true);
    pass_at(dir.path(), Some(&screen), &[], t(NOW) + Duration::minutes(2), false);
    pass_at(dir.path(), Some(&screen), &[], t(NOW) + Duration::minutes(3), false);
    assert_eq!(screen.shows().len(), 2, "repeated once, not lost, not more");
}

/// The terminal/log, recording what it printed.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Alerter for Log {
    fn channel(&self) -> &'static str {
        "terminal"
    }
    fn deliver(&self, text: &AlertText, _: Option<u32>) -> Delivery {
        self.0.lock().expect("lock").push(text.summary.clone());
        Delivery::Shown { notification_id: None, buttons: false }
    }
}

fn pass_with(data: &Path, sinks: Vec<Box<dyn Alerter>>, messages: &[&[u8]], now: DateTime<Utc>) {
    let mut journal = Journal::open_in(data).expect("journal");
    let inbox = Location { folder: Some("INBOX".into()), uid: None };
    for raw in messages {
        record(&journal, &Rules::builtin(), &Trust::Topmost, Incoming::whole("Papi", &inbox, raw), now)
            .expect("record");
    }
    evaluate(&mut journal, &MatchRules::default(), now, &Hold::none()).expect("evaluate");
    let due = alerts_due(&journal, now, Duration::hours(24), false).expect("due");
    deliver(&journal, &sinks, due, Lang::Fr, now).expect("deliver");
}

#[test]
fn a_failed_reminder_is_retried_with_backoff_not_at_every_pass() {
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    pass(dir.path(), &screen, &[&fixture(LOGIN)]);
    screen.set_down(true);
    let day = t(NOW) + Duration::hours(24);
    for seconds in [0, 5, 10, 20, 29] {
        pass_at(dir.path(), Some(&screen), &[], day + Duration::seconds(seconds), false);
    }
    assert_eq!(*screen.attempts.lock().expect("lock"), 2, "the reminder, then nothing before its retry delay");
    pass_at(dir.path(), Some(&screen), &[], day + Duration::seconds(31), false);
    assert_eq!(*screen.attempts.lock().expect("lock"), 3, "retried after 30 s");
    screen.set_down(false);
    pass_at(dir.path(), Some(&screen), &[], day + Duration::seconds(100), false);
    let shows = screen.shows();
    assert_eq!(shows.len(), 2, "shown again once the desktop is back");
    assert_eq!(shows[1].1, Some(shows[0].0), "replacing the notification shown before");
}

#[test]
fn the_start_showing_is_retried_when_the_desktop_is_not_ready_yet() {
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    pass(dir.path(), &screen, &[&fixture(LOGIN)]);
    screen.set_down(true);
    pass_at(dir.path(), Some(&screen), &[], t(NOW) + Duration::hours(1), true);
    screen.set_down(false);
    pass_at(dir.path(), Some(&screen), &[], t(NOW) + Duration::hours(1) + Duration::seconds(31), false);
    assert_eq!(screen.shows().len(), 2, "the start showing comes through once the desktop answers");
}

#[test]
fn without_a_desktop_open_alerts_are_still_reminded_on_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    screen.set_down(true);
    let log = Log::default();
    let sinks = || -> Vec<Box<dyn Alerter>> { vec![Box::new(screen.clone()), Box::new(log.clone())] };
    pass_with(dir.path(), sinks(), &[&fixture(LOGIN)], t(NOW));
    pass_with(dir.path(), sinks(), &[], t(NOW) + Duration::hours(1));
    assert_eq!(log.0.lock().expect("lock").len(), 1, "a desktop retry is not printed again");
    pass_with(dir.path(), sinks(), &[], t(NOW) + Duration::hours(25));
    assert_eq!(log.0.lock().expect("lock").len(), 2, "the daily reminder is");
}

#[test]
fn a_notification_id_reused_by_a_restarted_server_never_answers_another_alert() {
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    pass(dir.path(), &screen, &[&fixture(FAKE)]);
    let (fake_id, _, _) = screen.shows()[0].clone();
    let mut journal = Journal::open_in(dir.path()).expect("journal");
    let sinks: Vec<Box<dyn Alerter>> = vec![Box::new(screen.clone())];
    on_click(&mut journal, &sinks, fake_id, "handled", Lang::Fr, t(NOW)).expect("click");
    // The notification server restarts: its ids start again.
    *screen.next.lock().expect("lock") = 0;
    pass(dir.path(), &screen, &[&fixture(LOGIN)]);
    let (login_id, _, summary) = screen.shows().last().cloned().expect("shown");
    assert_eq!(summary, "Papi — connexion inconnue à ameli");
    assert_eq!(login_id, fake_id, "the same id again");
    on_click(&mut journal, &sinks, login_id, "not-mine", Lang::Fr, t(NOW)).expect("click");
    let login = journal
        .findings()
        .expect("findings")
        .into_iter()
        .find(|f| f.finding.kind == vigie::matching::FindingKind::UnrecognisedLogin)
        .expect("the login");
    assert_eq!(login.answer, Some(Answer::NotMine), "the click answered the alert on screen");
}

#[test]
fn a_refused_click_shows_the_alert_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    pass(dir.path(), &screen, &[&fixture(LOGIN)]);
    let (id, _, _) = screen.shows()[0].clone();
    let mut journal = Journal::open_in(dir.path()).expect("journal");
    let sinks: Vec<Box<dyn Alerter>> = vec![Box::new(screen.clone())];
    on_click(&mut journal, &sinks, id, "not-mine", Lang::Fr, t(NOW)).expect("click");
    let before = screen.shows().len();
    // A stale "C'était moi" (the server closed the notification on click).
    let outcome = on_click(&mut journal, &sinks, id, "mine", Lang::Fr, t(NOW)).expect("click");
    assert!(matches!(outcome, Some(AnswerOutcome::Refused(_))), "{outcome:?}");
    let shows = screen.shows();
    assert_eq!(shows.len(), before + 1, "shown again");
    assert_eq!(shows.last().map(|s| (s.1, s.2.clone())), Some((Some(id), "Papi — à faire maintenant".into())));
}

/// A desktop that takes its time; meanwhile the user (or the launcher)
/// records an own login right next to the notice's time.
struct SlowScreen(std::path::PathBuf);

impl Alerter for SlowScreen {
    fn channel(&self) -> &'static str {
        "desktop"
    }
    fn deliver(&self, _: &AlertText, _: Option<u32>) -> Delivery {
        own_login(&self.0, LoginSource::Launcher, "2026-11-20T09:13:00Z", t(NOW));
        let mut journal = Journal::open_in(&self.0).expect("journal");
        evaluate(&mut journal, &MatchRules::default(), t(NOW), &Hold::none()).expect("settle, as vigie login does");
        Delivery::Shown { notification_id: Some(1), buttons: true }
    }
}

#[test]
fn an_own_login_recorded_while_the_alert_is_being_shown_does_not_close_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    pass_with(dir.path(), vec![Box::new(SlowScreen(dir.path().to_path_buf()))], &[&fixture(LOGIN)], t(NOW));
    assert!(only_finding(dir.path()).is_open());
}

#[test]
fn two_processes_never_both_show_the_same_new_alert() {
    // `vigie check` run by hand while the agent watches the same journal:
    // both find the alert due; only one shows it.
    let dir = tempfile::tempdir().expect("tempdir");
    pass_at(dir.path(), None, &[&fixture(LOGIN)], t(NOW), false);
    let (check, agent) = (Journal::open_in(dir.path()).expect("j"), Journal::open_in(dir.path()).expect("j"));
    let due_in_check = alerts_due(&check, t(NOW), Duration::hours(24), false).expect("due");
    let due_in_agent = alerts_due(&agent, t(NOW), Duration::hours(24), false).expect("due");
    let screen = Screen::default();
    let sinks: Vec<Box<dyn Alerter>> = vec![Box::new(screen.clone())];
    deliver(&check, &sinks, due_in_check, Lang::Fr, t(NOW)).expect("deliver");
    deliver(&agent, &sinks, due_in_agent, Lang::Fr, t(NOW)).expect("deliver");
    assert_eq!(screen.shows().len(), 1);
}

/// A copy of fixture `name` dated `at` (its Date header).
fn dated(name: &str, at: DateTime<Utc>) -> Vec<u8> {
    let raw = String::from_utf8(fixture(name)).expect("utf8");
    raw.lines()
        .map(|l| if l.starts_with("Date:") { format!("Date: {}", at.to_rfc2822()) } else { l.to_owned() })
        .map(|l| format!("{l}\r\n"))
        .collect::<String>()
        .into_bytes()
}

fn shown(screen: &Screen) -> Vec<(String, Urgency, Vec<String>)> {
    let calls = screen.calls.lock().expect("lock");
    calls
        .iter()
        .filter_map(|c| match c {
            Call::Show { summary, urgency, actions, .. } => Some((summary.clone(), *urgency, actions.clone())),
            Call::Close(_) => None,
        })
        .collect()
}

const CODE: &str = "ameli-security-code-genuine.eml";

#[test]
fn a_code_mail_without_an_own_attempt_raises_the_live_warning_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    let now = t(NOW);
    pass(dir.path(), &screen, &[&dated(CODE, now - Duration::seconds(20))]);
    let shows = shown(&screen);
    assert_eq!(shows.len(), 1, "{shows:?}");
    let (summary, urgency, actions) = &shows[0];
    assert_eq!(summary, "Papi — quelqu'un essaie d'entrer dans le compte ameli");
    assert_eq!(*urgency, Urgency::Critical);
    assert_eq!(actions, &["mine", "not-mine"]);
    assert_eq!(only_finding(dir.path()).finding.kind, vigie::matching::FindingKind::LoginAttempt);
}

#[test]
fn an_own_attempt_in_the_previous_15_minutes_explains_the_code_mail() {
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    let now = t(NOW);
    // The launcher opened ameli ten minutes before the code arrived.
    own_login(dir.path(), LoginSource::Launcher, "2026-11-22T11:50:00Z", now - Duration::minutes(10));
    pass(dir.path(), &screen, &[&dated(CODE, now)]);
    assert!(screen.shows().is_empty());
    assert!(Journal::open_in(dir.path()).expect("journal").findings().expect("findings").is_empty());
}

#[test]
fn an_old_code_mail_is_told_as_past_not_as_happening_now() {
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    pass(dir.path(), &screen, &[&dated(CODE, t(NOW) - Duration::days(3))]);
    let shows = shown(&screen);
    assert_eq!(shows[0].0, "Papi — quelqu'un a essayé d'entrer dans le compte ameli");
}

#[test]
fn a_payment_reminder_is_shown_once_at_low_urgency_and_never_reminded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    let now = t(NOW);
    pass(dir.path(), &screen, &[&dated("ameli-payment-information-de-paiement.eml", now - Duration::hours(2))]);
    let shows = shown(&screen);
    assert_eq!(shows.len(), 1, "{shows:?}");
    assert_eq!(shows[0].0, "Papi — pensez à vérifier les remboursements ameli");
    assert_eq!((shows[0].1, shows[0].2.clone()), (Urgency::Low, vec!["handled".to_owned()]));
    // Not again at agent start, nor a day later.
    pass_at(dir.path(), Some(&screen), &[], now + Duration::minutes(1), true);
    pass_at(dir.path(), Some(&screen), &[], now + Duration::days(2), false);
    assert_eq!(shown(&screen).len(), 1);
    // A second payment notice a week later: no second reminder.
    let next = dated("ameli-payment-multipart-html.eml", now + Duration::days(7));
    pass_at(dir.path(), Some(&screen), &[&next], now + Duration::days(7), false);
    assert_eq!(shown(&screen).len(), 1, "at most one every 15 days");
}

#[test]
fn an_access_change_without_an_own_franceconnect_login_is_a_normal_alert() {
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    pass(dir.path(), &screen, &[&fixture("fc-settings-modification-acces.eml")]);
    let shows = shown(&screen);
    assert_eq!(shows.len(), 1, "{shows:?}");
    assert_eq!(shows[0].0, "Papi — accès FranceConnect modifiés");
    assert_eq!(shows[0].1, Urgency::Normal);
}

#[test]
fn with_browser_history_an_unknown_login_waits_for_the_history_before_it_is_raised() {
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    let now = t(NOW);
    let hold = Hold { accounts: vec!["Papi".into()], wait: Duration::seconds(15) };
    let code = dated(CODE, now);
    pass_held(dir.path(), Some(&screen), &[&code], now, false, &hold);
    assert!(screen.shows().is_empty(), "held while the browser may still write its history");
    // The history, read meanwhile, had the visit to the login form.
    own_login(dir.path(), LoginSource::Cli, "2026-11-22T11:59:00Z", now + Duration::seconds(12));
    pass_held(dir.path(), Some(&screen), &[], now + Duration::seconds(16), false, &hold);
    assert!(screen.shows().is_empty(), "explained before any alert");
    // Another account's hold does not hold Papi's.
    let other = Hold { accounts: vec!["Mamie".into()], wait: Duration::seconds(15) };
    let dir = tempfile::tempdir().expect("tempdir");
    pass_held(dir.path(), Some(&screen), &[&code], now, false, &other);
    assert_eq!(screen.shows().len(), 1);
}

#[test]
fn an_old_login_recorded_today_finds_the_old_notice_it_explains() {
    // A notice from three days ago, explained at the time by an own login.
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    let then = t("2026-11-20T09:20:00Z");
    own_login(dir.path(), LoginSource::Launcher, "2026-11-20T09:12:00Z", then);
    pass_at(dir.path(), Some(&screen), &[&fixture(LOGIN)], then, false);
    assert!(screen.shows().is_empty());
    // Today the user notes another login of that morning by hand: the
    // notice of that time is matched again, so no "missing notice".
    own_login(dir.path(), LoginSource::Cli, "2026-11-20T09:13:00Z", t(NOW));
    pass_at(dir.path(), Some(&screen), &[], t(NOW) + Duration::hours(1), false);
    assert!(screen.shows().is_empty(), "{:?}", screen.shows());
    assert!(Journal::open_in(dir.path()).expect("journal").findings().expect("findings").is_empty());
}

#[test]
fn an_open_finding_outside_the_pass_window_stays_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    let screen = Screen::default();
    let then = t("2026-11-20T10:00:00Z");
    pass_at(dir.path(), Some(&screen), &[&fixture(LOGIN)], then, false);
    assert_eq!(screen.shows().len(), 1);
    // Weeks later, still open: shown again, never closed by a pass that
    // no longer reads its notice's neighbourhood.
    pass_at(dir.path(), Some(&screen), &[], then + Duration::days(20), false);
    let open = Journal::open_in(dir.path()).expect("journal").open_findings().expect("open");
    assert_eq!(open.len(), 1);
    assert_eq!(screen.shows().len(), 2, "reminded");
}
