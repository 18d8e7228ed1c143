//! The journal on real SQLite files, through the real binary: own logins,
//! answers, `log` and `status`, concurrent writers, a process killed in
//! the middle of a transaction, a damaged file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::Value;
use vigie::alert::{Alerter, TerminalAlerter};
use vigie::journal::{Journal, Location, NewOwnLogin};
use vigie::matching::{LoginService, LoginSource, MatchRules, Via};
use vigie::messages::Lang;
use vigie::notice::{Rules, Trust};
use vigie::watch::deliver::deliver;
use vigie::watch::evaluate::{Hold, alerts_due, evaluate};
use vigie::watch::record::{Incoming, Ingested, record};

fn vigie(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigie"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("VIGIE_CONFIG")
        .env("XDG_CONFIG_HOME", data.join("no-config"))
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/vigie-test-bus")
        .stdin(Stdio::null())
        .output()
        .expect("vigie runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json_lines(out: &Output) -> Vec<Value> {
    text(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("a JSON object per line")).collect()
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("time").with_timezone(&Utc)
}

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    std::fs::read(path).expect("fixture")
}

/// Records a genuine ameli notice (20/11/2026 10:14 Paris) for "Mamie" and
/// raises its finding, as the watcher would; with `shown`, its alert is
/// shown (on the terminal).
fn journal_with_finding(data: &Path, shown: bool) -> i64 {
    let mut journal = Journal::open_in(data).expect("journal");
    let now = t("2026-11-20T12:00:00Z");
    let raw = fixture("ameli-login-date-with-weekday.eml");
    let location = Location { folder: Some("INBOX".into()), uid: Some(1) };
    let ingested = record(&journal, &Rules::builtin(), &Trust::Topmost, Incoming::whole("Mamie", &location, &raw), now);
    assert!(matches!(ingested, Ok(Ingested::Recorded { .. })), "{ingested:?}");
    let raised = evaluate(&mut journal, &MatchRules::default(), now, &Hold::none()).expect("evaluate").raised;
    assert_eq!(raised.len(), 1);
    if shown {
        let sinks: Vec<Box<dyn Alerter>> = vec![Box::new(TerminalAlerter::stderr())];
        let due = alerts_due(&journal, now, chrono::Duration::hours(24), false).expect("due");
        deliver(&journal, &sinks, due, Lang::Fr, now).expect("deliver");
    }
    raised[0]
}

fn journal_with_unrecognised_login(data: &Path) -> i64 {
    journal_with_finding(data, true)
}

#[test]
fn login_is_recorded_in_paris_time_and_shown_by_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = vigie(dir.path(), &["login", "--account", "Mamie", "--service", "ameli", "--at", "2026-11-20 10:12"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("20/11/2026 à 10:12"), "{}", text(&out.stdout));
    let log = vigie(dir.path(), &["log", "--json"]);
    let lines = json_lines(&log);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["type"], "own_login");
    assert_eq!(lines[0]["at"], "2026-11-20T09:12:00Z");
    assert_eq!(lines[0]["service"], "ameli");
    assert_eq!(lines[0]["source"], "cli");
}

#[test]
fn a_bad_time_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = vigie(dir.path(), &["login", "--at", "yesterday"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("26/11/2026 10:30"), "the error shows the expected form: {}", text(&out.stderr));
}

#[test]
fn answering_mine_records_the_login_and_resolves_the_finding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let id = journal_with_unrecognised_login(dir.path());
    let status = vigie(dir.path(), &["status"]);
    assert_eq!(status.status.code(), Some(1), "an open finding needs attention");
    let shown = text(&status.stdout);
    assert!(shown.contains(&format!("n° {id}")) && shown.contains("connexion inconnue à ameli"), "{shown}");

    let out = vigie(dir.path(), &["answer", &id.to_string(), "mine"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let status = vigie(dir.path(), &["status"]);
    assert_eq!(status.status.code(), Some(0), "{}", text(&status.stdout));

    let lines = json_lines(&vigie(dir.path(), &["log", "--json"]));
    let login = lines.iter().find(|l| l["type"] == "own_login").expect("an own login");
    assert_eq!(login["source"], "acknowledged_alert");
    assert_eq!(login["at"], "2026-11-20T09:14:00Z");
    let finding = lines.iter().find(|l| l["type"] == "finding").expect("the finding");
    assert_eq!(finding["resolution"], "mine");
    assert_eq!(finding["at_paris"], "20/11/2026 à 10:14");
}

#[test]
fn answering_not_mine_keeps_the_finding_open_and_an_unknown_number_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let id = journal_with_unrecognised_login(dir.path());
    let out = vigie(dir.path(), &["answer", &id.to_string(), "not-mine"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("3646"));
    assert_eq!(vigie(dir.path(), &["status"]).status.code(), Some(1));
    let out = vigie(dir.path(), &["answer", "999", "mine"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("999"));
}

#[test]
fn recording_an_own_login_before_the_alert_is_shown_explains_the_finding() {
    let dir = tempfile::tempdir().expect("tempdir");
    journal_with_finding(dir.path(), false);
    let out = vigie(dir.path(), &["login", "--account", "Mamie", "--at", "2026-11-20T09:10:00Z"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(vigie(dir.path(), &["status"]).status.code(), Some(0));
    let lines = json_lines(&vigie(dir.path(), &["log", "--json"]));
    let finding = lines.iter().find(|l| l["type"] == "finding").expect("the finding");
    assert_eq!(finding["resolution"], "explained");
}

#[test]
fn an_own_login_recorded_after_the_alert_was_shown_never_closes_it() {
    // The family scenario: "Ce n'était pas moi", then the launcher to go
    // and change the password; the alert stays open until "fait".
    let dir = tempfile::tempdir().expect("tempdir");
    let id = journal_with_unrecognised_login(dir.path());
    let out = vigie(dir.path(), &["answer", &id.to_string(), "pas-moi"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let out = vigie(dir.path(), &["login", "--account", "Mamie", "--service", "ameli", "--at", "2026-11-20T09:13:00Z"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let status = vigie(dir.path(), &["status"]);
    assert_eq!(status.status.code(), Some(1), "still open");
    let shown = text(&status.stdout);
    assert!(shown.contains("reste à faire le nécessaire") && shown.contains(&format!("n° {id}")), "{shown}");
    let lines = json_lines(&vigie(dir.path(), &["log", "--json"]));
    let finding = lines.iter().find(|l| l["type"] == "finding").expect("the finding");
    assert_eq!(finding["resolved_at"], Value::Null);
    assert_eq!(finding["answer"], "not-mine");
    let out = vigie(dir.path(), &["answer", &id.to_string(), "mine"]);
    assert_eq!(out.status.code(), Some(2), "not-mine is final");
    assert!(text(&out.stderr).contains("définitive"), "{}", text(&out.stderr));
    let out = vigie(dir.path(), &["answer", &id.to_string(), "fait"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines = json_lines(&vigie(dir.path(), &["log", "--json"]));
    let finding = lines.iter().find(|l| l["type"] == "finding").expect("the finding");
    assert_eq!(finding["resolution"], "handled");
    assert_eq!(finding["answer"], "handled");
    let out = vigie(dir.path(), &["answer", &id.to_string(), "fait"]);
    assert_eq!(out.status.code(), Some(2), "an answer to a closed alert changes nothing");
}

#[test]
fn open_records_a_launcher_login_and_opens_the_official_address() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).expect("bin dir");
    let opened = dir.path().join("opened");
    let script = format!("#!/bin/sh\nprintf '%s\\n' \"$@\" >> '{}'\n", opened.display());
    let fake = bin.join("xdg-open");
    std::fs::write(&fake, script).expect("fake xdg-open");
    std::os::unix::fs::PermissionsExt::set_mode(&mut std::fs::metadata(&fake).expect("meta").permissions(), 0o755);
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["--data-dir"])
        .arg(dir.path())
        .args(["open", "ameli", "--account", "Mamie"])
        .env("PATH", &bin)
        .env_remove("VIGIE_CONFIG")
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .expect("vigie runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let deadline = Instant::now() + Duration::from_secs(5);
    while !opened.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(std::fs::read_to_string(&opened).expect("the browser was asked").trim(), "https://assure.ameli.fr/");
    let lines = json_lines(&vigie(dir.path(), &["log", "--json"]));
    assert_eq!(lines[0]["source"], "launcher");
    assert_eq!(lines[0]["service"], "ameli");
    assert_eq!(lines[0]["account"], "Mamie");
}

#[test]
fn a_browser_that_cannot_open_still_leaves_the_login_recorded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["open", "franceconnect"])
        .env("PATH", dir.path().join("empty"))
        .env_remove("VIGIE_CONFIG")
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .expect("vigie runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("https://franceconnect.gouv.fr/"), "{}", text(&out.stderr));
    assert_eq!(json_lines(&vigie(dir.path(), &["log", "--json"])).len(), 1);
}

#[test]
fn a_damaged_journal_is_reported_and_left_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("journal.sqlite3");
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    std::fs::write(&path, &garbage).expect("write garbage");
    for args in [&["log"][..], &["status"], &["login"]] {
        let out = vigie(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.contains("journal.sqlite3") && err.contains("mv "), "{err}");
    }
    assert_eq!(std::fs::read(&path).expect("still there"), garbage, "the user's file is unchanged");
}

#[test]
fn a_damaged_row_is_refused_with_a_clear_message_and_nothing_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let id = journal_with_unrecognised_login(dir.path());
    let conn = rusqlite::Connection::open(dir.path().join("journal.sqlite3")).expect("sqlite");
    conn.execute("UPDATE finding SET kind = 'alien_kind' WHERE id = ?1", [id]).expect("damage");
    drop(conn);
    let before = std::fs::read(dir.path().join("journal.sqlite3")).expect("read");
    for args in [&["status"][..], &["log", "--json"], &["answer", &id.to_string(), "fait"]] {
        let out = vigie(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(err.contains("abîmé") && err.contains("mv "), "{err}");
        assert!(!text(&out.stdout).contains("Rien à signaler"), "never a false all-clear");
    }
    let after = std::fs::read(dir.path().join("journal.sqlite3")).expect("read");
    assert_eq!(before, after, "nothing changed");
}

#[test]
fn a_journal_from_a_newer_vigie_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(Journal::open_in(dir.path()).expect("create"));
    let conn = rusqlite::Connection::open(dir.path().join("journal.sqlite3")).expect("sqlite");
    conn.execute_batch("PRAGMA user_version = 99").expect("bump");
    drop(conn);
    let out = vigie(dir.path(), &["status"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("version plus récente de vigie"), "{}", text(&out.stderr));
}

#[test]
fn concurrent_writers_all_land() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(Journal::open_in(dir.path()).expect("create"));
    let children: Vec<_> = (0..8)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_vigie"))
                .arg("--data-dir")
                .arg(dir.path())
                .args(["login", "--account", &format!("p{i}"), "--note", "concurrent"])
                .env_remove("VIGIE_CONFIG")
                .env("XDG_CONFIG_HOME", dir.path())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    // And from threads of one process at the same time.
    std::thread::scope(|s| {
        for i in 0..4 {
            let data = dir.path().to_path_buf();
            s.spawn(move || {
                let journal = Journal::open_in(&data).expect("open");
                for j in 0..25 {
                    let login = NewOwnLogin {
                        account: format!("t{i}"),
                        service: LoginService::Any,
                        at: t("2026-11-20T09:00:00Z") + chrono::Duration::minutes(j),
                        via: Via::Web,
                        source: LoginSource::Import,
                        note: None,
                    };
                    journal.record_own_login(&login, Utc::now()).expect("write under contention");
                }
            });
        }
    });
    let journal = Journal::open_in(dir.path()).expect("open");
    assert_eq!(journal.own_logins().expect("read").len(), 8 + 4 * 25);
}

/// Run by `a_process_killed_mid_transaction_loses_only_that_transaction`
/// in a child process: writes inside a transaction, signals, then hangs.
#[test]
fn child_writes_then_hangs_in_a_transaction() {
    let Ok(data) = std::env::var("VIGIE_TEST_CHILD_DATA") else { return };
    let mut journal = Journal::open_in(Path::new(&data)).expect("open");
    let _ = journal.transaction(|j| {
        for i in 0..50 {
            let login = NewOwnLogin {
                account: "killed".into(),
                service: LoginService::Any,
                at: t("2026-11-20T09:00:00Z") + chrono::Duration::minutes(i),
                via: Via::Web,
                source: LoginSource::Import,
                note: None,
            };
            j.record_own_login(&login, Utc::now())?;
        }
        std::fs::write(Path::new(&data).join("in-transaction"), b"").expect("marker");
        std::thread::sleep(Duration::from_secs(60));
        Ok(())
    });
}

#[test]
fn a_process_killed_mid_transaction_loses_only_that_transaction() {
    let dir = tempfile::tempdir().expect("tempdir");
    let before = vigie(dir.path(), &["login", "--account", "kept"]);
    assert!(before.status.success());
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", "child_writes_then_hangs_in_a_transaction", "--nocapture"])
        .env("VIGIE_TEST_CHILD_DATA", dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child");
    let marker = dir.path().join("in-transaction");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !marker.exists() {
        assert!(Instant::now() < deadline, "the child never got into its transaction");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("kill -9");
    child.wait().expect("reap");

    let lines = json_lines(&vigie(dir.path(), &["log", "--json"]));
    let accounts: Vec<&str> = lines.iter().filter_map(|l| l["account"].as_str()).collect();
    assert_eq!(accounts, vec!["kept"], "the killed transaction left nothing behind");
    let after = vigie(dir.path(), &["login", "--account", "after"]);
    assert!(after.status.success(), "the journal is still writable: {}", text(&after.stderr));
}

#[test]
fn demo_shows_the_whole_pipeline_on_a_fresh_machine() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = vigie(dir.path(), &["demo"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    for expected in [
        "expliquée par votre connexion du 20/11/2026 à 10:12",
        "Mamie — connexion inconnue à ameli",
        "21/11/2026 à 03:01",
        "Appelez votre caisse au 3646",
        "Mamie — faux message ameli reçu",
        "ameli-securite.com imite l'adresse officielle ameli.fr",
        "Moi — pas d'e-mail de connexion ameli",
        "sans rapport avec ameli ou FranceConnect",
        "Moi — pensez à vérifier les remboursements ameli",
        "(vu dans l'historique du navigateur)",
        "expliquée par votre connexion du 22/11/2026 à 09:40",
        "Mamie — quelqu'un essaie d'entrer dans le compte ameli",
        "Ne donnez ce code à personne",
        "5 alertes",
    ] {
        assert!(shown.contains(expected), "demo output lacks {expected:?}:\n{shown}");
    }
    assert!(!dir.path().join("journal.sqlite3").exists(), "the demo leaves the user's journal alone");
    let en = vigie(dir.path(), &["--lang", "en", "demo"]);
    assert!(text(&en.stdout).contains("Mamie — unknown login to ameli"));
}

#[test]
fn test_alert_without_a_notification_server_returns_at_once_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let started = Instant::now();
    let out = vigie(dir.path(), &["test-alert"]);
    assert!(started.elapsed() < Duration::from_secs(8), "took {:?}", started.elapsed());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("Pas d'alerte sur le bureau"), "{}", text(&out.stdout));
    let terminal = text(&out.stderr);
    assert!(
        terminal.contains("TEST vigie") && terminal.contains("Ceci est un TEST"),
        "the terminal still shows it: {terminal}"
    );
}

fn two_accounts(dir: &Path) -> PathBuf {
    let config = dir.join("config.toml");
    let account = |name: &str| {
        format!(
            "[[account]]\nname = \"{name}\"\nimap_host = \"127.0.0.1\"\nimap_port = 9\nusername = \"u\"\n\
             password_command = \"printf x\"\n"
        )
    };
    std::fs::write(&config, account("Mamie") + &account("Papi")).expect("config");
    config
}

#[test]
fn with_several_accounts_login_asks_which_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = two_accounts(dir.path());
    let config = config.to_str().expect("utf-8 path");
    let out = vigie(dir.path(), &["--config", config, "login"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--account (Mamie, Papi)"), "{}", text(&out.stderr));
    let out = vigie(dir.path(), &["--config", config, "login", "--account", "Papi"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn a_second_agent_leaves_the_watch_to_the_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = two_accounts(dir.path());
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_vigie"))
            .arg("--config")
            .arg(&config)
            .arg("--data-dir")
            .arg(dir.path())
            .arg("run")
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/vigie-test-bus")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("vigie run")
    };
    let mut first = spawn();
    let lock = dir.path().join("vigie.lock");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !lock.exists() {
        assert!(Instant::now() < deadline, "the first agent never took its lock");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    let second = spawn().wait_with_output().expect("second agent");
    assert_eq!(second.status.code(), Some(0));
    assert!(text(&second.stdout).contains("vigie surveille déjà"), "{}", text(&second.stdout));
    assert!(first.try_wait().expect("poll").is_none(), "the first agent keeps watching");
    first.kill().expect("kill");
    first.wait().expect("reap");
}

#[test]
fn a_reader_that_goes_away_is_not_a_crash() {
    let dir = tempfile::tempdir().expect("tempdir");
    journal_with_unrecognised_login(dir.path());
    for _ in 0..5 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vigie"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(["log"])
            .env_remove("VIGIE_CONFIG")
            .env("XDG_CONFIG_HOME", dir.path().join("no-config"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("vigie runs");
        drop(child.stdout.take()); // `vigie log | true`
        let out = child.wait_with_output().expect("wait");
        assert_ne!(out.status.code(), Some(101), "{}", text(&out.stderr));
        assert!(!text(&out.stderr).contains("panicked"), "{}", text(&out.stderr));
    }
}
