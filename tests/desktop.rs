//! Desktop alerts against a real `org.freedesktop.Notifications` server on
//! a private D-Bus session (tests/support/notify-capture.py, which renders
//! markup and shows buttons): what is shown, what a click does, and what a
//! flood costs.
//!
//! Everything runs in one test function: the desktop sink connects once
//! per process, to the bus named in the environment.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::Value;
use vigie::alert::{Alerter, DesktopAlerter, TerminalAlerter};
use vigie::journal::{Journal, Location};
use vigie::matching::{Answer, MatchRules, Resolution};
use vigie::messages::Lang;
use vigie::notice::{Rules, Trust};
use vigie::watch::deliver::{deliver, listen_for_clicks};
use vigie::watch::evaluate::{Hold, alerts_due, evaluate};
use vigie::watch::record::{Incoming, record};

use common::Session;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("time").with_timezone(&Utc)
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).expect("fixture")
}

const NOW: &str = "2026-11-22T12:00:00Z";

/// Records `messages` for Mamie, evaluates, and shows what is due on the
/// desktop (with buttons, as the agent does) and the terminal.
fn alert_on(data: &Path, messages: &[&[u8]]) {
    let mut journal = Journal::open_in(data).expect("journal");
    let rules = Rules::builtin();
    for (uid, raw) in (1..).zip(messages) {
        let location = Location { folder: Some("INBOX".into()), uid: Some(uid) };
        record(&journal, &rules, &Trust::Topmost, Incoming::whole("Mamie", &location, raw), t(NOW)).expect("record");
    }
    evaluate(&mut journal, &MatchRules::default(), t(NOW), &Hold::none()).expect("evaluate");
    let sinks: Vec<Box<dyn Alerter>> = vec![Box::new(DesktopAlerter::new(true)), Box::new(TerminalAlerter::stderr())];
    let due = alerts_due(&journal, t(NOW), chrono::Duration::hours(24), false).expect("due");
    deliver(&journal, &sinks, due, Lang::Fr, t(NOW)).expect("deliver");
}

fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn id_of(n: &Value) -> u32 {
    n["id"].as_u64().and_then(|i| u32::try_from(i).ok()).expect("notification id")
}

fn finding(data: &Path) -> vigie::journal::StoredFinding {
    let findings = Journal::open_in(data).expect("journal").findings().expect("findings");
    findings.into_iter().next().expect("a finding")
}

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").map(|d| d.count()).unwrap_or(0)
}

#[test]
fn desktop_alerts_their_buttons_and_floods() {
    let Some(session) = Session::start() else { return };
    // SAFETY: this test binary runs this single test; no other thread reads
    // the environment while it is set.
    unsafe { std::env::set_var("DBUS_SESSION_BUS_ADDRESS", session.bus_address()) };
    let data = tempfile::tempdir().expect("tempdir");
    let events = DesktopAlerter::events().expect("the desktop's events");
    {
        let data = data.path().to_path_buf();
        std::thread::spawn(move || listen_for_clicks(events, data, Lang::Fr));
    }

    // 1. An unrecognised ameli login: urgent, persistent, named, with steps
    //    and buttons; "C'était moi" records the login, closes the alert and
    //    takes it off the screen.
    alert_on(data.path(), &[&fixture("ameli-login-date-with-weekday.eml")]);
    let n = session
        .wait_for(|n| n["summary"] == "Mamie — connexion inconnue à ameli", Duration::from_secs(5))
        .expect("the alert reached the notification server");
    assert_eq!(n["app_name"], "vigie");
    assert_eq!(n["hints"]["urgency"], 2, "critical");
    assert_eq!(n["expire_timeout"], 0, "never expires");
    assert_eq!(n["hints"]["resident"], true);
    let body = n["body"].as_str().expect("body");
    for step in ["20/11/2026 à 10:14", "mot de passe ameli", "coordonnées bancaires", "3646"] {
        assert!(body.contains(step), "body lacks {step:?}: {body}");
    }
    assert!(!body.contains("http"), "no link in an ameli alert: {body}");
    assert!(!body.contains("vigie answer"), "buttons instead of the command line: {body}");
    assert_eq!(n["actions"]["mine"], "C'était moi");
    assert_eq!(n["actions"]["not-mine"], "Ce n'était pas moi");
    let id = id_of(&n);
    session.invoke_action(id, "mine");
    wait_until("the answer to reach the journal", || finding(data.path()).resolution == Some(Resolution::Mine));
    session.wait_for(|c| c["call"] == "CloseNotification" && c["id"] == id, Duration::from_secs(5)).expect("closed");
    let journal = Journal::open_in(data.path()).expect("journal");
    let logins = journal.own_logins().expect("logins");
    assert_eq!(logins.len(), 1);
    assert_eq!(logins[0].0.at, t("2026-11-20T09:14:00Z"));

    // 2. A FranceConnect login: "Ce n'était pas moi" keeps the finding open
    //    and replaces the alert with the steps; "C'est fait" closes both.
    // The one click listener answers into this journal: sections 1-3 share it.
    let first = data.path();
    alert_on(first, &[&fixture("fc-login-current-site-impots-idp-ameli.eml")]);
    let n = session
        .wait_for(
            |n| n["summary"].as_str().is_some_and(|s| s.starts_with("Mamie — connexion FranceConnect inconnue")),
            Duration::from_secs(5),
        )
        .expect("FranceConnect alert");
    let body = n["body"].as_str().expect("body");
    assert!(body.contains("aide.franceconnect.gouv.fr (« Je signale une usurpation »)"), "{body}");
    assert!(body.contains("Ameli.fr"), "names the identity provider: {body}");
    let id = id_of(&n);
    session.invoke_action(id, "not-mine");
    let follow = session
        .wait_for(|n| n["summary"] == "Mamie — à faire maintenant", Duration::from_secs(5))
        .expect("the steps replace the alert");
    assert_eq!(follow["replaces_id"], id, "replaces it: nothing waits invisibly behind it");
    assert_eq!(follow["actions"]["handled"], "C'est fait");
    let open = Journal::open_in(first)
        .expect("journal")
        .findings()
        .expect("findings")
        .into_iter()
        .find(|f| f.finding.service == Some(vigie::notice::Service::FranceConnect))
        .expect("the FranceConnect finding");
    assert_eq!(open.answer, Some(Answer::NotMine));
    assert!(open.is_open());
    session.invoke_action(id, "handled");
    wait_until("handled", || {
        Journal::open_in(first).expect("j").finding(open.id).expect("f").is_some_and(|f| !f.is_open())
    });

    // 3. A fake whose subject carries markup: the server renders markup,
    //    so it arrives escaped; critical, no link, "C'est fait" only.
    let fake = String::from_utf8(fixture("fake-ameli-lookalike-ameli-fr-com.eml")).expect("utf8");
    let fake: String = fake
        .lines()
        .map(|l| {
            if l.to_ascii_lowercase().starts_with("subject:") {
                "Subject: Votre compte ameli <a href=\"https://evil.example/\">3646</a> <img src=\"https://t.example/x.png\">"
                    .to_owned()
            } else {
                l.to_owned()
            }
        })
        .map(|l| format!("{l}\r\n"))
        .collect();
    alert_on(first, &[fake.as_bytes()]);
    let n = session
        .wait_for(|n| n["summary"] == "Mamie — faux message ameli reçu", Duration::from_secs(5))
        .expect("impersonation alert");
    assert_eq!(n["hints"]["urgency"], 2);
    let body = n["body"].as_str().unwrap_or_default();
    assert!(!body.contains("<a") && !body.contains("<img"), "no markup from a mail renders: {body}");
    assert!(body.contains("&lt;a href="), "shown as text: {body}");
    let actions: Vec<&String> = n["actions"].as_object().map(|a| a.keys().collect()).unwrap_or_default();
    assert_eq!(actions, vec!["handled"], "{n}");

    // 4. A flood: 300 fakes then a genuine login, under a 256-descriptor
    //    limit. Five fakes one by one, the rest in one summary; the login
    //    is never grouped away; one connection for all (threads stay few).
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let hard = getrlimit(Resource::Nofile).maximum;
    setrlimit(Resource::Nofile, Rlimit { current: Some(256), maximum: hard }).expect("ulimit -n 256");
    let flood_dir = tempfile::tempdir().expect("tempdir");
    let base = String::from_utf8(fixture("fake-ameli-lookalike-ameli-fr-com.eml")).expect("utf8");
    let fakes: Vec<String> = (0..300)
        .map(|i| {
            base.lines()
                .map(|l| {
                    if l.to_ascii_lowercase().starts_with("message-id:") {
                        format!("Message-ID: <flood{i}@x>")
                    } else {
                        l.to_owned()
                    }
                })
                .map(|l| format!("{l}\r\n"))
                .collect()
        })
        .collect();
    let mut raws: Vec<&[u8]> = fakes.iter().map(|f| f.as_bytes()).collect();
    let login = fixture("ameli-login-date-with-weekday.eml");
    raws.push(&login);
    let before = session.notifications().len();
    alert_on(flood_dir.path(), &raws);
    session
        .wait_for(
            |n| n["summary"] == "Mamie — connexion inconnue à ameli" && n["replaces_id"] == 0,
            Duration::from_secs(5),
        )
        .expect("the genuine alert is shown");
    let calls: Vec<Value> =
        session.notifications().into_iter().skip(before).filter(|c| c["call"] == "Notify").collect();
    let singles = calls.iter().filter(|c| c["summary"] == "Mamie — faux message ameli reçu").count();
    let summaries = calls
        .iter()
        .filter(|c| c["summary"].as_str().is_some_and(|s| s.starts_with("Mamie — 300 faux messages")))
        .count();
    assert_eq!((singles, summaries), (5, 1), "{calls:?}");
    assert!(threads() < 16, "threads: {}", threads());

    // 5. vigie test-alert through the real binary: TEST in its body, no
    //    buttons (nobody would listen), returns at once.
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["test-alert", "--account", "Mamie"])
        .env("DBUS_SESSION_BUS_ADDRESS", session.bus_address())
        .env_remove("VIGIE_CONFIG")
        .env("XDG_CONFIG_HOME", flood_dir.path().join("no-config"))
        .output()
        .expect("vigie runs");
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let n = session
        .wait_for(|n| n["summary"].as_str().is_some_and(|s| s.starts_with("TEST vigie")), Duration::from_secs(5))
        .expect("test alert shown");
    assert!(n["body"].as_str().unwrap_or_default().contains("TEST"));
    assert!(n["actions"].as_object().is_none_or(|a| a.is_empty()), "{n}");

    // 6. No notification server: the alert still reaches the terminal and
    //    the journal, the desktop failure is recorded for a retry, and
    //    vigie never hangs.
    session.stop_notifications();
    let data = tempfile::tempdir().expect("tempdir");
    let started = Instant::now();
    alert_on(data.path(), &[&fixture("ameli-login-date-with-weekday.eml")]);
    assert!(started.elapsed() < Duration::from_secs(8), "never hangs: {:?}", started.elapsed());
    let stored = finding(data.path());
    assert_eq!(stored.failed_attempts, 1, "retried later: {stored:?}");
    assert!(stored.next_attempt_at.is_some());
    assert!(stored.desktop_shown_at.is_none());
}
