//! The pipeline's promises (DESIGN.md "Idempotence"): the same message
//! never raises two alerts, across restarts and re-scans; a crash between
//! "raised" and "shown" repeats an alert, never loses one.

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use chrono::{DateTime, Utc};
use vigie::alert::{Alert, AlertText, Alerter, Delivery};
use vigie::journal::{Journal, Location};
use vigie::matching::{FindingKind, MatchRules};
use vigie::messages::Lang;
use vigie::notice::Rules;
use vigie::pipeline::{FixedClock, Ingested, Pipeline};

/// Records what it was asked to show.
#[derive(Clone, Default)]
struct Recorder(Rc<RefCell<Vec<(FindingKind, String)>>>);

impl Alerter for Recorder {
    fn channel(&self) -> &'static str {
        "recorder"
    }
    fn deliver(&self, alert: &Alert, text: &AlertText) -> Delivery {
        self.0.borrow_mut().push((alert.finding.kind, text.summary.clone()));
        Delivery::Shown { buttons: false }
    }
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("time").with_timezone(&Utc)
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).expect("fixture")
}

/// One pass as the watcher does it: ingest `messages`, evaluate.
fn pass(data: &Path, recorder: &Recorder, messages: &[&[u8]]) -> Vec<Ingested> {
    pass_with(data, vec![Box::new(recorder.clone())], messages)
}

/// The same with any alert channels (none: a run that died before alerting).
fn pass_with(data: &Path, alerters: Vec<Box<dyn Alerter>>, messages: &[&[u8]]) -> Vec<Ingested> {
    let mut journal = Journal::open_in(data).expect("journal");
    let rules = Rules::builtin();
    let clock = FixedClock(t("2026-11-22T12:00:00Z"));
    let mut pipeline = Pipeline {
        journal: &mut journal,
        rules: &rules,
        match_rules: MatchRules::default(),
        alerters,
        clock: &clock,
        lang: Lang::Fr,
    };
    let inbox = Location { folder: Some("INBOX".into()), uid: None };
    let ingested = messages.iter().map(|raw| pipeline.ingest("Mamie", &inbox, raw).expect("ingest")).collect();
    pipeline.evaluate().expect("evaluate");
    ingested
}

#[test]
fn restart_does_not_repeat_alerts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let recorder = Recorder::default();
    let notice = fixture("ameli-login-date-with-weekday.eml");
    let fake = fixture("fake-ameli-lookalike-ameli-fr-com.eml");
    let first = pass(dir.path(), &recorder, &[&notice, &fake]);
    assert!(first.iter().all(|i| matches!(i, Ingested::Recorded { .. })));
    let mut kinds: Vec<&str> = recorder.0.borrow().iter().map(|(k, _)| k.as_str()).collect();
    kinds.sort_unstable();
    assert_eq!(kinds, vec!["impersonation", "unrecognised_login"]);

    // A new process reads the same mailbox again.
    let second = pass(dir.path(), &recorder, &[&notice, &fake]);
    assert!(second.iter().all(|i| matches!(i, Ingested::AlreadyKnown(_))));
    assert_eq!(recorder.0.borrow().len(), 2, "no alert raised twice");
}

#[test]
fn a_message_without_message_id_is_known_by_its_content() {
    let dir = tempfile::tempdir().expect("tempdir");
    let recorder = Recorder::default();
    let raw = b"Authentication-Results: mx; dkim=pass header.d=info.ameli.fr\r\n\
From: Votre Assurance Maladie <assurance-maladie@info.ameli.fr>\r\n\
Subject: Votre compte ameli - Information de connexion\r\n\r\nConnexion le 20 novembre 2026 a 10:14.\r\n";
    pass(dir.path(), &recorder, &[raw]);
    let again = pass(dir.path(), &recorder, &[raw]);
    assert!(matches!(again[0], Ingested::AlreadyKnown(_)));
    assert_eq!(recorder.0.borrow().len(), 1);
}

#[test]
fn unrelated_and_unreadable_messages_are_not_recorded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let recorder = Recorder::default();
    let out = pass(dir.path(), &recorder, &[&fixture("unrelated-doctolib-rappel-rdv-carte-vitale.eml"), b""]);
    assert!(matches!(out[0], Ingested::Unrelated(_)), "{:?}", out[0]);
    assert!(matches!(out[1], Ingested::Unreadable(_)));
    assert!(Journal::open_in(dir.path()).expect("journal").notices().expect("notices").is_empty());
    assert!(recorder.0.borrow().is_empty());
}

#[test]
fn a_crash_between_raised_and_shown_repeats_the_alert_instead_of_losing_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The previous run recorded the notice and raised its finding, then
    // died before any channel showed it (here: it had no channel at all).
    pass_with(dir.path(), Vec::new(), &[&fixture("ameli-login-date-with-weekday.eml")]);
    let recorder = Recorder::default();
    pass(dir.path(), &recorder, &[]);
    assert_eq!(recorder.0.borrow().len(), 1, "the undelivered finding is alerted now");
    pass(dir.path(), &recorder, &[]);
    assert_eq!(recorder.0.borrow().len(), 1, "and only once");
}
