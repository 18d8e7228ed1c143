//! Own logins from the browser history: real history files (the browsers'
//! schemas, WAL and locks included) read through `own_logins::collect`.

mod history_fixtures;

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use history_fixtures::*;
use vigie::journal::Journal;
use vigie::matching::LoginSource;
use vigie::notice::{Rules, Service};
use vigie::own_logins::{self, Browser, Collected, HistoryError, Limits, Proves, Visit};

const RETURN: &str =
    "https://assure.ameli.fr/PortailAS/appmanager/PortailAS/assure?_nfpb=true&_pageLabel=as_login_page&cb=true";
const CALLBACK: &str = "https://assure.ameli.fr/compte/redirect_uri?code=4f2a&state=9c";
const FORM: &str = "https://ameliconnect.ameli.fr/oauth2/authorize?client_id=ameli&response_type=code";
const HOME_PAGE: &str =
    "https://assure.ameli.fr/PortailAS/appmanager/PortailAS/assure?_nfpb=true&_pageLabel=as_accueil_page";
const FC_CALLBACK: &str = "https://oidc.franceconnect.gouv.fr/api/v2/oidc-callback?code=abc&state=s";

fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, h, m, s).single().expect("time")
}

fn since() -> DateTime<Utc> {
    at(8, 0, 0)
}

fn limits(scratch: &Path) -> Limits {
    Limits { scratch: Some(scratch.to_path_buf()), ..Limits::default() }
}

fn collect(home: &Path) -> Collected {
    let scratch = tempfile::tempdir().expect("scratch");
    collect_with(home, &limits(scratch.path()))
}

fn collect_with(home: &Path, limits: &Limits) -> Collected {
    let rules = Rules::builtin();
    own_logins::collect(home, since(), rules.browser_visits(), limits)
}

fn summary(collected: &Collected) -> Vec<(Service, Proves, DateTime<Utc>)> {
    collected.visits.iter().map(|v| (v.service, v.proves, v.at)).collect()
}

#[test]
fn a_firefox_return_from_login_is_an_own_login_at_its_time() {
    let home = tempfile::tempdir().expect("home");
    let ff = firefox(&firefox_profile(home.path(), "default-release"));
    let form = firefox_visit(&ff, FORM, at(9, 13, 40), FF_REDIRECT_TEMPORARY, None);
    let callback = firefox_visit(&ff, CALLBACK, at(9, 14, 2), FF_REDIRECT_TEMPORARY, Some(form));
    firefox_visit(&ff, RETURN, at(9, 14, 3), FF_REDIRECT_TEMPORARY, Some(callback));
    let collected = collect(home.path());
    assert_eq!(collected.statuses.len(), 1);
    assert_eq!(collected.statuses[0].outcome, Ok(3), "{:?}", collected.statuses);
    assert_eq!(
        collected.visits.last(),
        Some(&Visit {
            browser: Browser::Firefox,
            profile: "default-release".into(),
            service: Service::Ameli,
            proves: Proves::Login,
            at: at(9, 14, 3),
        })
    );
    assert_eq!(
        summary(&collected),
        vec![
            (Service::Ameli, Proves::Attempt, at(9, 13, 40)),
            (Service::Ameli, Proves::Login, at(9, 14, 2)),
            (Service::Ameli, Proves::Login, at(9, 14, 3)),
        ]
    );
}

#[test]
fn time_bases_are_read_right_in_both_browsers() {
    // 2026-11-20T09:14:03Z: 1795166043000000 µs since 1970 (Firefox),
    // 13439639643000000 µs since 1601 (Chromium).
    let instant = at(9, 14, 3);
    assert_eq!(instant.timestamp_micros(), 1_795_166_043_000_000);
    assert_eq!(chromium_time(instant), 13_439_639_643_000_000);
    let home = tempfile::tempdir().expect("home");
    let ff = firefox(&firefox_profile(home.path(), "p"));
    ff.execute("INSERT INTO moz_places (id, url, rev_host, guid) VALUES (1, ?1, 'rf.ilema.erussa.', 'g1')", [CALLBACK])
        .expect("place");
    ff.execute("INSERT INTO moz_historyvisits (place_id, visit_date, visit_type) VALUES (1, 1795166043000000, 1)", [])
        .expect("visit");
    let cr = chromium(&chrome_profile(home.path()));
    cr.execute("INSERT INTO urls (id, url, last_visit_time) VALUES (1, ?1, 0)", [FC_CALLBACK]).expect("url");
    cr.execute("INSERT INTO visits (url, visit_time, transition) VALUES (1, 13439639643000000, 805306368)", [])
        .expect("visit");
    let collected = collect(home.path());
    let found: Vec<(Browser, Service, DateTime<Utc>)> =
        collected.visits.iter().map(|v| (v.browser, v.service, v.at)).collect();
    assert_eq!(
        found,
        vec![(Browser::Firefox, Service::Ameli, instant), (Browser::Chrome, Service::FranceConnect, instant)]
    );
}

#[test]
fn only_visits_after_since_are_returned() {
    let home = tempfile::tempdir().expect("home");
    let ff = firefox(&firefox_profile(home.path(), "p"));
    firefox_visit(&ff, CALLBACK, at(7, 59, 59), FF_REDIRECT_TEMPORARY, None);
    firefox_visit(&ff, CALLBACK, at(8, 0, 1), FF_REDIRECT_TEMPORARY, None);
    let collected = collect(home.path());
    assert_eq!(summary(&collected), vec![(Service::Ameli, Proves::Login, at(8, 0, 1))]);
    assert_eq!(collected.statuses[0].outcome, Ok(1), "the older row is not even read");
}

#[test]
fn rows_only_in_the_wal_are_read() {
    let home = tempfile::tempdir().expect("home");
    let path = firefox_profile(home.path(), "p");
    let ff = firefox(&path);
    // Firefox's writer: WAL, no checkpoint while we look.
    ff.execute_batch("PRAGMA wal_autocheckpoint = 0;").expect("no checkpoint");
    ff.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").expect("schema in the main file");
    firefox_visit(&ff, CALLBACK, at(9, 14, 2), FF_REDIRECT_TEMPORARY, None);
    let wal = path.with_file_name("places.sqlite-wal");
    assert!(std::fs::metadata(&wal).expect("wal").len() > 0, "the visit sits in the WAL");
    // What immutable=1 would see: the main file alone, without the visit.
    let immutable = rusqlite::Connection::open_with_flags(
        format!("file:{}?immutable=1", path.display()),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI,
    )
    .expect("immutable");
    let in_main: i64 = immutable.query_row("SELECT count(*) FROM moz_historyvisits", [], |r| r.get(0)).expect("count");
    assert_eq!(in_main, 0, "the main file does not have the visit yet");
    let collected = collect(home.path());
    assert_eq!(summary(&collected), vec![(Service::Ameli, Proves::Login, at(9, 14, 2))]);
    // The browser's files are untouched and its writer goes on.
    firefox_visit(&ff, RETURN, at(9, 14, 3), FF_REDIRECT_TEMPORARY, None);
    assert_eq!(collect(home.path()).visits.len(), 2);
}

#[test]
fn a_history_locked_by_the_browser_is_still_read() {
    let home = tempfile::tempdir().expect("home");
    let path = chrome_profile(home.path());
    let cr = chromium(&path);
    // Chromium keeps its History locked while it runs.
    cr.execute_batch("PRAGMA locking_mode = EXCLUSIVE;").expect("exclusive");
    let form = chromium_visit(&cr, FORM, at(9, 13, 40), CR_LINK | CR_CHAIN_START | CR_CHAIN_END, None);
    let submit = CR_FORM_SUBMIT | CR_CHAIN_START;
    chromium_visit(&cr, CALLBACK, at(9, 14, 2), submit | CR_SERVER_REDIRECT, Some(form));
    let other = rusqlite::Connection::open(&path).expect("open");
    other.busy_timeout(Duration::ZERO).expect("no wait");
    let locked = other.query_row("SELECT count(*) FROM visits", [], |r| r.get::<_, i64>(0));
    assert!(locked.is_err(), "another connection is locked out: {locked:?}");
    let collected = collect(home.path());
    assert_eq!(collected.statuses[0].outcome, Ok(2), "{:?}", collected.statuses);
    assert_eq!(
        summary(&collected),
        vec![(Service::Ameli, Proves::Attempt, at(9, 13, 40)), (Service::Ameli, Proves::Login, at(9, 14, 2))]
    );
    assert_eq!(collected.visits[0].browser, Browser::Chrome);
    assert_eq!(collected.visits[0].profile, "Default");
}

#[test]
fn a_locked_history_in_wal_mode_without_shm_is_read() {
    // In exclusive locking mode a WAL database keeps its index in memory:
    // there is a -wal but no -shm to copy.
    let home = tempfile::tempdir().expect("home");
    let path = chrome_profile(home.path());
    let cr = chromium(&path);
    cr.execute_batch("PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;")
        .expect("exclusive wal");
    chromium_visit(&cr, CALLBACK, at(9, 14, 2), CR_LINK | CR_SERVER_REDIRECT | CR_CHAIN_END, None);
    assert!(path.with_file_name("History-wal").exists(), "a WAL");
    assert!(!path.with_file_name("History-shm").exists(), "no -shm");
    let collected = collect(home.path());
    assert_eq!(collected.statuses[0].outcome, Ok(1), "{:?}", collected.statuses);
    assert_eq!(summary(&collected), vec![(Service::Ameli, Proves::Login, at(9, 14, 2))]);
}

#[test]
fn redirects_and_logged_out_pages_prove_nothing() {
    let home = tempfile::tempdir().expect("home");
    let ff = firefox(&firefox_profile(home.path(), "p"));
    // A logged-out visit to a bookmarked logged-in page, and to a stale
    // bookmark of the return page: both bounced to the login form.
    let bookmark = firefox_visit(&ff, HOME_PAGE, at(9, 0, 0), FF_TYPED, None);
    firefox_visit(&ff, FORM, at(9, 0, 1), FF_REDIRECT_TEMPORARY, Some(bookmark));
    let stale = firefox_visit(&ff, RETURN, at(9, 5, 0), FF_LINK, None);
    firefox_visit(&ff, FORM, at(9, 5, 1), FF_REDIRECT_TEMPORARY, Some(stale));
    firefox_visit(&ff, "https://www.ameli.fr/", at(9, 6, 0), FF_TYPED, None);
    firefox_visit(&ff, "https://assure.ameli.fr/compte/redirect_uri?error=access_denied", at(9, 7, 0), 6, None);
    let cr = chromium(&chrome_profile(home.path()));
    let start = chromium_visit(&cr, RETURN, at(9, 8, 0), CR_TYPED | CR_CHAIN_START, None);
    chromium_visit(&cr, FORM, at(9, 8, 0), CR_TYPED | CR_SERVER_REDIRECT | CR_CHAIN_END, Some(start));
    let found = summary(&collect(home.path()));
    assert!(found.iter().all(|(_, proves, _)| *proves == Proves::Attempt), "no login: {found:?}");
    assert_eq!(found.len(), 3, "the three form visits are attempts: {found:?}");
}

#[test]
fn nothing_outside_the_listed_hosts_is_read() {
    let home = tempfile::tempdir().expect("home");
    let ff = firefox(&firefox_profile(home.path(), "p"));
    let cr = chromium(&chrome_profile(home.path()));
    ff.execute_batch("BEGIN").expect("begin");
    cr.execute_batch("BEGIN").expect("begin");
    for i in 0..500 {
        let url = format!("https://news.example/article/{i}");
        firefox_visit(&ff, &url, at(9, 0, 0), FF_LINK, None);
        chromium_visit(&cr, &url, at(9, 0, 0), CR_LINK, None);
    }
    ff.execute_batch("COMMIT").expect("commit");
    cr.execute_batch("COMMIT").expect("commit");
    // Look-alikes whose path would match a rule.
    for url in [
        "https://evil.example/compte/redirect_uri?code=1",
        "https://assure.ameli.fr.evil.example/compte/redirect_uri?code=1",
        "https://assure.ameli.fr@evil.example/compte/redirect_uri?code=1",
        "http://assure.ameli.fr/compte/redirect_uri?code=1",
        "https://xassure.ameli.fr/compte/redirect_uri?code=1",
        "https://ameli.fr/compte/redirect_uri?code=1",
    ] {
        firefox_visit(&ff, url, at(9, 10, 0), FF_LINK, None);
        chromium_visit(&cr, url, at(9, 10, 0), CR_LINK, None);
    }
    firefox_visit(&ff, CALLBACK, at(9, 14, 2), FF_REDIRECT_TEMPORARY, None);
    chromium_visit(&cr, FC_CALLBACK, at(9, 14, 2), CR_LINK | CR_SERVER_REDIRECT, None);
    let collected = collect(home.path());
    let rows: Vec<_> = collected.statuses.iter().map(|s| s.outcome.clone()).collect();
    assert_eq!(rows, vec![Ok(1), Ok(1)], "one row of a listed host each, nothing else read");
    assert_eq!(
        summary(&collected),
        vec![(Service::Ameli, Proves::Login, at(9, 14, 2)), (Service::FranceConnect, Proves::Login, at(9, 14, 2))]
    );
}

#[test]
fn a_missing_history_is_reported() {
    let home = tempfile::tempdir().expect("home");
    firefox_profile(home.path(), "gone");
    let collected = collect(home.path());
    assert_eq!(collected.statuses.len(), 1);
    assert_eq!(collected.statuses[0].history.profile, "gone");
    assert_eq!(collected.statuses[0].outcome, Err(HistoryError::Missing));
    assert!(collected.visits.is_empty());
}

#[test]
fn a_damaged_history_is_reported() {
    let home = tempfile::tempdir().expect("home");
    let path = firefox_profile(home.path(), "p");
    std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
    std::fs::write(&path, b"\x00garbage, not SQLite\xff".repeat(400)).expect("garbage");
    let cr = chrome_profile(home.path());
    // A real SQLite file that is not a history.
    rusqlite::Connection::open(&cr).expect("db").execute_batch("CREATE TABLE t(x);").expect("table");
    let collected = collect(home.path());
    for status in &collected.statuses {
        assert!(matches!(status.outcome, Err(HistoryError::Damaged(_))), "{status:?}");
    }
    assert_eq!(collected.statuses.len(), 2);
}

#[test]
fn a_huge_history_is_reported_not_read() {
    let home = tempfile::tempdir().expect("home");
    let path = chrome_profile(home.path());
    drop(chromium(&path));
    // 2 GiB, sparse: over the default cap.
    std::fs::OpenOptions::new().write(true).open(&path).expect("open").set_len(2 << 30).expect("grow");
    let started = Instant::now();
    let collected = collect(home.path());
    assert!(
        matches!(collected.statuses[0].outcome, Err(HistoryError::TooBig { bytes, .. }) if bytes == 2 << 30),
        "{:?}",
        collected.statuses
    );
    assert!(started.elapsed() < Duration::from_secs(2), "not copied");
}

#[test]
fn a_fifo_in_place_of_a_history_never_hangs() {
    let home = tempfile::tempdir().expect("home");
    let path = firefox_profile(home.path(), "p");
    std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
    rustix::fs::mknodat(rustix::fs::CWD, &path, rustix::fs::FileType::Fifo, rustix::fs::Mode::from(0o600), 0)
        .expect("fifo");
    let started = Instant::now();
    let collected = collect(home.path());
    assert!(matches!(collected.statuses[0].outcome, Err(HistoryError::Unreadable(_))), "{:?}", collected.statuses);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn reading_stops_at_the_deadline() {
    let home = tempfile::tempdir().expect("home");
    let ff = firefox(&firefox_profile(home.path(), "p"));
    firefox_visit(&ff, CALLBACK, at(9, 14, 2), FF_REDIRECT_TEMPORARY, None);
    let scratch = tempfile::tempdir().expect("scratch");
    let zero = Limits { per_history: Duration::ZERO, ..limits(scratch.path()) };
    assert_eq!(collect_with(home.path(), &zero).statuses[0].outcome, Err(HistoryError::TimedOut));
    let zero = Limits { total: Duration::ZERO, ..limits(scratch.path()) };
    assert_eq!(collect_with(home.path(), &zero).statuses[0].outcome, Err(HistoryError::TimedOut));
}

#[test]
fn the_private_copy_is_removed_after_reading() {
    let home = tempfile::tempdir().expect("home");
    let ff = firefox(&firefox_profile(home.path(), "p"));
    firefox_visit(&ff, CALLBACK, at(9, 14, 2), FF_REDIRECT_TEMPORARY, None);
    let scratch = tempfile::tempdir().expect("scratch");
    assert_eq!(collect_with(home.path(), &limits(scratch.path())).visits.len(), 1);
    assert_eq!(std::fs::read_dir(scratch.path()).expect("ls").count(), 0, "nothing left behind");
}

#[test]
fn browser_visits_become_own_logins_once_and_attempts_apart() {
    let data = tempfile::tempdir().expect("data");
    let journal = Journal::open_in(data.path()).expect("journal");
    let visits = vec![
        Visit {
            browser: Browser::Firefox,
            profile: "default-release".into(),
            service: Service::Ameli,
            proves: Proves::Attempt,
            at: at(9, 13, 40),
        },
        Visit {
            browser: Browser::Firefox,
            profile: "default-release".into(),
            service: Service::Ameli,
            proves: Proves::Login,
            at: at(9, 14, 3),
        },
    ];
    let now = at(9, 15, 0);
    for _ in 0..2 {
        for entry in own_logins::journal_logins("Mamie", &visits) {
            journal.record_own_login_once(&entry.login, entry.attempt, now).expect("record");
        }
    }
    let logins = journal.own_logins().expect("logins");
    assert_eq!(logins.len(), 1, "recorded once, the attempt apart: {logins:?}");
    assert_eq!(logins[0].0.source, LoginSource::Browser);
    assert_eq!(logins[0].0.at, at(9, 14, 3));
    assert_eq!(logins[0].1.as_deref(), Some("Firefox (default-release)"));
    let attempts = journal.own_login_attempts().expect("attempts");
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].0.at, at(9, 13, 40));
    assert_eq!(attempts[0].0.source, LoginSource::Browser);
}

#[test]
fn doctor_lists_the_histories_and_whether_each_could_be_read() {
    let home = tempfile::tempdir().expect("home");
    let ff = firefox(&firefox_profile(home.path(), "default-release"));
    firefox_visit(&ff, CALLBACK, at(9, 14, 2), FF_REDIRECT_TEMPORARY, None);
    std::fs::write(chrome_profile(home.path()), b"not a database".repeat(100)).expect("garbage");
    let config = home.path().join("config.toml");
    let account = "[[account]]\nname = \"Moi\"\nimap_host = \"127.0.0.1\"\nimap_port = 1\nusername = \"moi\"\n\
                   password_command = \"echo x\"\n";
    let run = |text: &str, lang: &str| {
        std::fs::write(&config, text).expect("config");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_vigie"))
            .args(["--lang", lang, "--config"])
            .arg(&config)
            .arg("--data-dir")
            .arg(home.path().join("data"))
            .arg("doctor")
            .env("HOME", home.path())
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
            .env_remove("XDG_CONFIG_HOME")
            .output()
            .expect("vigie doctor");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let off = run(account, "fr");
    assert!(!off.contains("historique"), "not read unless asked:\n{off}");
    let on = run(&format!("{account}browser_history = true\n"), "fr");
    assert!(on.contains("✔ historique Firefox (default-release) :"), "{on}");
    assert!(on.contains("✘ historique Chrome (Default) :") && on.contains("abîmé"), "{on}");
    let en = run(&format!("{account}browser_history = true\n"), "en");
    assert!(en.contains("✔ Firefox history (default-release):"), "{en}");
    assert!(en.contains("✘ Chrome history (Default):") && en.contains("damaged"), "{en}");
}

#[test]
fn a_journal_from_before_attempts_keeps_its_own_logins() {
    let data = tempfile::tempdir().expect("data");
    let path = data.path().join(vigie::journal::FILE_NAME);
    {
        let conn = rusqlite::Connection::open(&path).expect("v3 journal");
        for sql in [
            include_str!("../src/journal/v1.sql"),
            include_str!("../src/journal/v2.sql"),
            include_str!("../src/journal/v3.sql"),
        ] {
            conn.execute_batch(sql).expect("migration");
        }
        conn.execute_batch(
            "PRAGMA user_version = 3;
             INSERT INTO own_login (account, service, at, via, source, note, recorded_at)
             VALUES ('Mamie', 'ameli', '2026-11-20T09:14:00Z', 'web', 'launcher', NULL, '2026-11-20T09:14:00Z');",
        )
        .expect("v3 row");
    }
    let journal = Journal::open(&path).expect("migrated");
    let logins = journal.own_logins().expect("logins");
    assert_eq!(logins.len(), 1);
    assert_eq!(logins[0].0.source, LoginSource::Launcher);
    assert!(journal.own_login_attempts().expect("attempts").is_empty());
}
