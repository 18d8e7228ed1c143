//! Desktop alerts against a real `org.freedesktop.Notifications` server on
//! a private D-Bus session (tests/support/notify-capture.py): what is
//! shown, and what the buttons do.
//!
//! Everything runs in one test function: the notification library reads
//! the bus address from the environment, which is process-wide.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::Value;
use vigie::alert::{Alerter, DesktopAlerter, TerminalAlerter};
use vigie::journal::{Journal, Location};
use vigie::matching::MatchRules;
use vigie::messages::Lang;
use vigie::notice::Rules;
use vigie::pipeline::{FixedClock, Pipeline, journal_answers};

use common::Session;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("time").with_timezone(&Utc)
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).expect("fixture")
}

/// Ingests `raw` for Mamie and evaluates with the desktop alerter wired
/// to the journal, as the agent does.
fn alert_on(data: &Path, raw: &[u8]) {
    let mut journal = Journal::open_in(data).expect("journal");
    let rules = Rules::builtin();
    let clock = FixedClock(t("2026-11-22T12:00:00Z"));
    let desktop = DesktopAlerter::new(Lang::Fr, Some(journal_answers(data.to_path_buf())));
    let alerters: Vec<Box<dyn Alerter>> = vec![Box::new(desktop), Box::new(TerminalAlerter::stderr(Lang::Fr))];
    let mut pipeline = Pipeline {
        journal: &mut journal,
        rules: &rules,
        match_rules: MatchRules::default(),
        alerters,
        clock: &clock,
        lang: Lang::Fr,
    };
    pipeline.ingest("Mamie", &Location { folder: Some("INBOX".into()), uid: Some(1) }, raw).expect("ingest");
    pipeline.evaluate().expect("evaluate");
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

#[test]
fn desktop_alerts_and_their_buttons() {
    let Some(session) = Session::start() else { return };
    // SAFETY: this test binary runs this single test; no other thread reads
    // the environment while it is set.
    unsafe { std::env::set_var("DBUS_SESSION_BUS_ADDRESS", session.bus_address()) };

    // 1. An unrecognised ameli login: urgent, persistent, named, with steps
    //    and buttons; "C'était moi" records the login and resolves it.
    let data = tempfile::tempdir().expect("tempdir");
    alert_on(data.path(), &fixture("ameli-login-date-with-weekday.eml"));
    let n = session
        .wait_for(|n| n["summary"] == "Connexion inconnue au compte ameli de Mamie", Duration::from_secs(5))
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
    assert_eq!(n["actions"]["mine"], "C'était moi");
    assert_eq!(n["actions"]["not_mine"], "Ce n'était pas moi");

    session.invoke_action(id_of(&n), "mine");
    wait_until("the answer to reach the journal", || {
        let j = Journal::open_in(data.path()).expect("journal");
        j.findings().expect("findings").iter().all(|f| f.resolution.as_deref() == Some("mine"))
    });
    let journal = Journal::open_in(data.path()).expect("journal");
    let logins = journal.own_logins().expect("logins");
    assert_eq!(logins.len(), 1);
    assert_eq!(logins[0].0.at, t("2026-11-20T09:14:00Z"));
    let deliveries = journal.deliveries(journal.findings().expect("f")[0].id).expect("deliveries");
    assert!(deliveries.contains(&("desktop".into(), "shown with buttons".into())), "{deliveries:?}");
    assert!(deliveries.iter().any(|(c, _)| c == "terminal"));

    // 2. A FranceConnect login: "Ce n'était pas moi" keeps the finding open
    //    and shows the steps again.
    let data = tempfile::tempdir().expect("tempdir");
    alert_on(data.path(), &fixture("fc-login-current-site-impots-idp-ameli.eml"));
    let n = session
        .wait_for(
            |n| n["summary"].as_str().is_some_and(|s| s.starts_with("Connexion FranceConnect inconnue")),
            Duration::from_secs(5),
        )
        .expect("FranceConnect alert");
    let body = n["body"].as_str().expect("body");
    assert!(body.contains("aide.franceconnect.gouv.fr/erreurs/signalement"), "{body}");
    assert!(body.contains("Ameli.fr"), "names the identity provider: {body}");
    session.invoke_action(id_of(&n), "not_mine");
    session
        .wait_for(|n| n["summary"] == "Que faire maintenant — compte de Mamie", Duration::from_secs(5))
        .expect("the steps are shown again");
    let journal = Journal::open_in(data.path()).expect("journal");
    assert!(journal.findings().expect("f").iter().all(|f| f.resolved_at.is_none()));
    assert!(journal.own_logins().expect("logins").is_empty());

    // 3. An impersonation: normal urgency, no buttons, no link.
    let data = tempfile::tempdir().expect("tempdir");
    alert_on(data.path(), &fixture("fake-ameli-lookalike-ameli-fr-com.eml"));
    let n = session
        .wait_for(|n| n["summary"] == "Faux message ameli reçu — boîte de Mamie", Duration::from_secs(5))
        .expect("impersonation alert");
    assert_eq!(n["hints"]["urgency"], 1);
    assert!(n["actions"].as_object().is_none_or(|a| a.is_empty()), "{n}");
    assert!(!n["body"].as_str().unwrap_or_default().contains("http"), "no link from the fake is shown");

    // 4. vigie test-alert through the real binary returns at once.
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["test-alert", "--account", "Mamie"])
        .env("DBUS_SESSION_BUS_ADDRESS", session.bus_address())
        .env_remove("VIGIE_CONFIG")
        .output()
        .expect("vigie runs");
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    session
        .wait_for(|n| n["summary"] == "[TEST] Connexion inconnue au compte ameli de Mamie", Duration::from_secs(5))
        .expect("test alert shown");

    // 5. No notification server: the alert still reaches the terminal and
    //    the journal, and vigie says why.
    session.stop_notifications();
    let data = tempfile::tempdir().expect("tempdir");
    let started = Instant::now();
    alert_on(data.path(), &fixture("ameli-login-date-with-weekday.eml"));
    assert!(started.elapsed() < Duration::from_secs(8), "never hangs: {:?}", started.elapsed());
    let journal = Journal::open_in(data.path()).expect("journal");
    let deliveries = journal.deliveries(journal.findings().expect("f")[0].id).expect("deliveries");
    assert!(deliveries.iter().any(|(c, o)| c == "desktop" && o.starts_with("failed")), "{deliveries:?}");
    assert!(deliveries.contains(&("terminal".into(), "shown".into())), "{deliveries:?}");
}
