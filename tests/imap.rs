//! The watch against a real Dovecot on 127.0.0.1 over TLS (started per
//! test by tests/support/dovecot-up.sh): `vigie check` and `vigie run`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{AgentProcess, Dovecot, Session, need};
use serde_json::Value;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).expect("fixture")
}

const NOTICE: &str = "ameli-login-date-with-weekday.eml";
const FAKE: &str = "fake-ameli-lookalike-ameli-fr-com.eml";
const UNRELATED: &str = "unrelated-doctolib-rappel-rdv-carte-vitale.eml";

/// A data dir and a config for accounts on `dovecot`: (name, user, password).
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new(dovecot: &Dovecot, accounts: &[(&str, &str, &str)], extra: &str) -> Setup {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = format!("poll_interval_secs = 10\n{extra}\n");
        for (name, user, password) in accounts {
            config.push_str(&format!(
                "[[account]]\nname = \"{name}\"\nimap_host = \"127.0.0.1\"\nimap_port = {}\nusername = \"{user}\"\n\
                 password_command = \"printf {password}\"\ntls_ca_file = \"{}\"\n\n",
                dovecot.port(),
                dovecot.cert_path().display()
            ));
        }
        std::fs::write(dir.path().join("config.toml"), config).expect("config");
        Setup { dir }
    }

    fn command(&self, session: Option<&Session>) -> Command {
        let mut cmd = match session {
            Some(s) => s.command(env!("CARGO_BIN_EXE_vigie")),
            None => {
                let mut c = Command::new(env!("CARGO_BIN_EXE_vigie"));
                c.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/vigie-test-bus");
                c
            }
        };
        cmd.arg("--config").arg(self.dir.path().join("config.toml")).arg("--data-dir").arg(self.data());
        cmd
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn vigie(&self, args: &[&str]) -> Output {
        self.command(None).args(args).stdin(Stdio::null()).output().expect("vigie runs")
    }

    fn log(&self) -> Vec<Value> {
        lines(&self.vigie(&["log", "--json"]))
    }
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn findings(out: &Output) -> Vec<(String, String)> {
    lines(out)
        .iter()
        .map(|f| (f["finding"].as_str().unwrap_or("").into(), f["account"].as_str().unwrap_or("").into()))
        .collect()
}

#[test]
fn first_run_looks_back_and_check_raises_each_finding_once() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    dovecot.deliver("alice", "INBOX", &fixture(NOTICE));
    dovecot.deliver("alice", "INBOX", &fixture(UNRELATED));
    dovecot.deliver("alice", "INBOX", &fixture(FAKE));
    let setup = Setup::new(&dovecot, &[("Mamie", "alice", "secret")], "");

    let out = setup.vigie(&["check", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}\n{}", text(&out.stderr), dovecot.log());
    let raised = lines(&out);
    let kinds: Vec<&str> = raised.iter().filter_map(|f| f["finding"].as_str()).collect();
    assert_eq!(kinds.len(), 2, "{raised:?}");
    assert!(kinds.contains(&"unrecognised_login") && kinds.contains(&"impersonation"), "{raised:?}");
    let login = raised.iter().find(|f| f["finding"] == "unrecognised_login").expect("login");
    assert_eq!(login["account"], "Mamie");
    assert_eq!(login["service"], "ameli");
    assert_eq!(login["login_at"], "2026-11-20T09:14:00Z");
    assert_eq!(login["folder"], "INBOX");
    assert!(login["message_id"].as_str().is_some_and(|m| m.starts_with('<') && m.ends_with('>')));

    // The same mail again: nothing new.
    let again = setup.vigie(&["check", "--json"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert!(lines(&again).is_empty());
    // A new notice only.
    dovecot.deliver("alice", "INBOX", &fixture("fc-login-current-site-impots-idp-ameli.eml"));
    let third = setup.vigie(&["check", "--json"]);
    assert_eq!(findings(&third), vec![("unrecognised_login".into(), "Mamie".into())]);
}

#[test]
fn a_notice_in_junk_is_found() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    dovecot.deliver("alice", "Junk", &fixture(NOTICE));
    let setup = Setup::new(&dovecot, &[("Mamie", "alice", "secret")], "");
    let out = setup.vigie(&["check", "--json"]);
    let raised = lines(&out);
    assert_eq!(raised.len(), 1, "{}\n{}", text(&out.stderr), dovecot.log());
    assert_eq!(raised[0]["folder"], "Junk");
}

#[test]
fn check_leaves_flags_unchanged() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let Some(curl) = need("curl", "reads the flags over IMAP") else { return };
    dovecot.deliver("alice", "INBOX", &fixture(NOTICE));
    dovecot.deliver("alice", "INBOX", &fixture(FAKE));
    let flags = || {
        let out = Command::new(&curl)
            .args(["-sS", "--cacert"])
            .arg(dovecot.cert_path())
            .args(["-u", "alice:secret", "-X", "FETCH 1:* (FLAGS)"])
            .arg(format!("imaps://127.0.0.1:{}/INBOX", dovecot.port()))
            .output()
            .expect("curl");
        // \Recent is a session flag the server clears for whoever SELECTs
        // first (curl itself); it is not the mailbox's state.
        text(&out.stdout).replace("\\Recent", "")
    };
    let before = flags();
    assert!(before.contains("FLAGS"), "{before}");
    let setup = Setup::new(&dovecot, &[("Mamie", "alice", "secret")], "");
    assert_eq!(setup.vigie(&["check"]).status.code(), Some(1));
    assert_eq!(flags(), before, "read-only: no \\Seen or any other flag set");
    assert!(!before.contains("\\Seen"));
}

#[test]
fn a_wrong_password_exits_3_with_a_clear_message_and_a_blind_finding() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let setup = Setup::new(&dovecot, &[("Mamie", "alice", "wrong")], "");
    let out = setup.vigie(&["check", "--json"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("le serveur refuse le mot de passe"), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("wrong"), "the password is never shown");
    assert_eq!(findings(&out), vec![("blind".into(), "Mamie".into())]);
    let status = setup.vigie(&["status"]);
    assert!(text(&status.stdout).contains("✘ Mamie"), "{}", text(&status.stdout));
}

#[test]
fn an_untrusted_certificate_is_refused() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let setup = Setup::new(&dovecot, &[("Mamie", "alice", "secret")], "");
    let config = setup.dir.path().join("config.toml");
    let without_ca: String = std::fs::read_to_string(&config)
        .expect("config")
        .lines()
        .filter(|l| !l.starts_with("tls_ca_file"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&config, without_ca).expect("rewrite");
    let out = setup.vigie(&["check"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("certificat"), "{}", text(&out.stderr));
}

#[test]
fn a_uidvalidity_change_neither_repeats_nor_loses() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    dovecot.deliver("alice", "INBOX", &fixture(NOTICE));
    let setup = Setup::new(&dovecot, &[("Mamie", "alice", "secret")], "");
    assert_eq!(findings(&setup.vigie(&["check", "--json"])).len(), 1);

    // The server renumbers the folder, and a new notice arrives.
    let status = Command::new("doveadm")
        .arg("-c")
        .arg(dovecot.dir().join("dovecot.conf"))
        .args(["mailbox", "update", "-u", "alice", "--uid-validity", "4242", "INBOX"])
        .status();
    let Ok(status) = status else { return common::missing::<()>("doveadm", "changes UIDVALIDITY").unwrap_or(()) };
    assert!(status.success(), "{}", dovecot.log());
    dovecot.deliver("alice", "INBOX", &fixture("fc-login-current-site-impots-idp-ameli.eml"));
    let out = setup.vigie(&["check", "--json"]);
    let raised = lines(&out);
    assert_eq!(raised.len(), 1, "only the new notice: {raised:?} {}", text(&out.stderr));
    assert_eq!(raised[0]["service"], "franceconnect");
    let cursors: Vec<Value> = setup.log().into_iter().filter(|l| l["type"] == "notice").collect();
    assert_eq!(cursors.len(), 2);
}

/// `vigie run` on `setup`'s config, alerting on `session`.
fn start_agent(setup: &Setup, session: &Session) -> AgentProcess {
    let mut command = setup.command(Some(session));
    command.arg("run");
    AgentProcess::spawn(command)
}

fn append(dovecot: &Dovecot, user: &str, raw: &[u8]) -> bool {
    let Some(curl) = need("curl", "APPENDs over IMAP like a real sender") else { return false };
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), raw).expect("write");
    let status = Command::new(curl)
        .args(["-sS", "--cacert"])
        .arg(dovecot.cert_path())
        .args(["-u", &format!("{user}:secret"), "-T"])
        .arg(file.path())
        .arg(format!("imaps://127.0.0.1:{}/INBOX", dovecot.port()))
        .status()
        .expect("curl");
    assert!(status.success());
    true
}

#[test]
fn an_appended_notice_is_pushed_through_idle_and_alerted_then_sigterm_stops_cleanly() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let Some(session) = Session::start() else { return };
    let setup = Setup::new(&dovecot, &[("Mamie", "alice", "secret")], "");
    let agent = start_agent(&setup, &session);
    agent.wait_for_log("synced", 1, Duration::from_secs(15));
    std::thread::sleep(Duration::from_millis(300)); // let it enter IDLE
    let sent = Instant::now();
    if !append(&dovecot, "alice", &fixture(NOTICE)) {
        return;
    }
    let n = session
        .wait_for(|n| n["summary"] == "Mamie — connexion inconnue à ameli", Duration::from_secs(5))
        .expect("the notice was alerted");
    assert!(sent.elapsed() < Duration::from_secs(5));
    assert_eq!(n["actions"]["mine"], "C'était moi", "the agent offers the buttons");
    agent.stop();
}

#[test]
fn restart_does_not_repeat_alerts_and_two_accounts_are_watched_at_once() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let Some(session) = Session::start() else { return };
    dovecot.deliver("alice", "INBOX", &fixture(NOTICE));
    dovecot.deliver("bob", "INBOX", &fixture(FAKE));
    let setup = Setup::new(&dovecot, &[("Mamie", "alice", "secret"), ("Papi", "bob", "secret")], "");
    let agent = start_agent(&setup, &session);
    session.wait_for(|n| n["summary"] == "Mamie — connexion inconnue à ameli", Duration::from_secs(15)).expect("Mamie");
    session.wait_for(|n| n["summary"] == "Papi — faux message ameli reçu", Duration::from_secs(15)).expect("Papi");
    agent.stop();
    let new_notifications = |session: &Session| {
        session.notifications().iter().filter(|n| n["call"] == "Notify" && n["replaces_id"] == 0).count()
    };
    let count = new_notifications(&session);
    let shown: Vec<Value> = session.notifications().into_iter().filter(|n| n["call"] == "Notify").collect();

    let agent = start_agent(&setup, &session);
    agent.wait_for_log("synced", 2, Duration::from_secs(15));
    std::thread::sleep(Duration::from_millis(500));
    agent.stop();
    assert_eq!(new_notifications(&session), count, "no alert repeated after a restart");
    // Open alerts are shown again at start, each replacing its own.
    let reshown: Vec<Value> =
        session.notifications().into_iter().filter(|n| n["call"] == "Notify" && n["replaces_id"] != 0).collect();
    assert_eq!(reshown.len(), shown.len(), "{reshown:?}");
    for n in &reshown {
        assert!(shown.iter().any(|s| s["id"] == n["replaces_id"]), "replaces one shown before: {n}");
    }
}

#[test]
fn a_server_restart_mid_run_loses_nothing() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let Some(session) = Session::start() else { return };
    let setup = Setup::new(&dovecot, &[("Mamie", "alice", "secret")], "");
    let agent = start_agent(&setup, &session);
    agent.wait_for_log("synced", 1, Duration::from_secs(15));
    dovecot.stop();
    // Mail arrives while the IMAP server is down: the MTA drops it into the
    // Maildir (tmp/, then a rename into new/).
    let maildir = dovecot.dir().join("mail/alice");
    let name = format!("{}.vigie-test", std::process::id());
    std::fs::write(maildir.join("tmp").join(&name), fixture(NOTICE)).expect("write to tmp/");
    std::fs::rename(maildir.join("tmp").join(&name), maildir.join("new").join(&name)).expect("into new/");
    agent.wait_for_log("reconnecting later", 1, Duration::from_secs(15));
    dovecot.restart();
    session
        .wait_for(|n| n["summary"] == "Mamie — connexion inconnue à ameli", Duration::from_secs(30))
        .expect("the notice delivered during the outage is alerted after the reconnection");
    agent.stop();
}

/// The account's config gets one more line (its table is the last one).
fn add_to_account(setup: &Setup, line: &str) {
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new().append(true).open(setup.dir.path().join("config.toml")).expect("config");
    writeln!(file, "{line}").expect("write");
}

fn notice_verdict(setup: &Setup) -> (String, Vec<String>) {
    let log = setup.log();
    let notice = log.iter().find(|l| l["type"] == "notice").expect("the notice");
    let codes = notice["codes"].as_array().expect("codes").iter().filter_map(|c| c.as_str()).map(str::to_owned);
    (notice["authenticity"].as_str().unwrap_or_default().to_owned(), codes.collect())
}

#[test]
fn authentication_results_count_only_from_the_accounts_own_server() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    // The notice carries a header by mx1.free.fr; this Dovecot adds none,
    // so for this account that header could have been written by anyone.
    dovecot.deliver("alice", "INBOX", &fixture(NOTICE));
    let setup = Setup::new(&dovecot, &[("Mamie", "alice", "secret")], "");
    assert_eq!(setup.vigie(&["check"]).status.code(), Some(1), "still acted upon");
    let (authenticity, codes) = notice_verdict(&setup);
    assert_eq!(authenticity, "unverified", "{codes:?}");
    assert!(codes.iter().any(|c| c == "no_trusted_server"), "{codes:?}");

    // The same mail for an account whose receiving server is mx1.free.fr.
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    dovecot.deliver("alice", "INBOX", &fixture(NOTICE));
    let setup = Setup::new(&dovecot, &[("Mamie", "alice", "secret")], "");
    add_to_account(&setup, "trusted_authserv_ids = [\"mx1.free.fr\"]");
    assert_eq!(setup.vigie(&["check"]).status.code(), Some(1));
    assert_eq!(notice_verdict(&setup).0, "genuine");
}

#[test]
fn the_receiving_server_is_learned_from_the_accounts_own_mail() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let setup = Setup::new(&dovecot, &[("Mamie", "alice", "secret")], "");
    assert_eq!(setup.vigie(&["check"]).status.code(), Some(0), "an empty mailbox");
    // Ordinary mail from five senders, all checked by the same server.
    for i in 0..5 {
        let mail = format!(
            "Authentication-Results: mx1.free.fr; spf=pass smtp.mailfrom=news@sender{i}.example\r\n\
             From: News <news@sender{i}.example>\r\nTo: alice@example.org\r\nSubject: Lettre {i}\r\n\
             Message-ID: <letter{i}@sender{i}.example>\r\nDate: Fri, 20 Nov 2026 08:00:00 +0100\r\n\r\nBonjour.\r\n"
        );
        dovecot.deliver("alice", "INBOX", mail.as_bytes());
    }
    dovecot.deliver("alice", "INBOX", &fixture(NOTICE));
    assert_eq!(setup.vigie(&["check"]).status.code(), Some(1));
    assert_eq!(notice_verdict(&setup).0, "genuine", "mx1.free.fr learned from five senders");
}

/// A copy of fixture `name` dated `at` (its Date header).
fn dated(name: &str, at: chrono::DateTime<chrono::Utc>) -> Vec<u8> {
    common::redated(&fixture(name), at, None)
}

#[test]
fn a_security_code_nobody_asked_for_raises_a_login_attempt_and_an_own_attempt_explains_the_next() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let setup = Setup::new(&dovecot, &[("Mamie", "alice", "secret")], "");
    let now = chrono::Utc::now();
    dovecot.deliver("alice", "INBOX", &dated("ameli-security-code-genuine.eml", now));
    let out = setup.vigie(&["check", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(findings(&out), vec![("login_attempt".into(), "Mamie".into())]);
    let terminal = setup.vigie(&["status"]);
    assert!(text(&terminal.stdout).contains("tentative de connexion"), "{}", text(&terminal.stdout));

    // The user is logging in: `vigie login` first, then the code arrives.
    assert!(setup.vigie(&["login", "--account", "Mamie"]).status.success());
    let raw = String::from_utf8(dated("ameli-security-code-digits-first.eml", chrono::Utc::now())).expect("utf8");
    let raw = raw.replace("Message-ID: <", "Message-ID: <second.");
    dovecot.deliver("alice", "INBOX", raw.as_bytes());
    let out = setup.vigie(&["check", "--json"]);
    assert!(lines(&out).is_empty(), "explained by the own attempt: {}", text(&out.stdout));
}
