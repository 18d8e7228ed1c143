//! Own logins from the browser history, end to end: a real Dovecot, the
//! real binary, a HOME holding Firefox and Chrome profiles built with the
//! browsers' own schemas. The user logs into ameli through a bookmark
//! (no launcher, no `vigie login`): the notice raises nothing. A security
//! code nobody asked for raises the live warning; one that follows a visit
//! to the login form does not.

mod common;
mod history_fixtures;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use chrono::{DateTime, Utc};
use common::{AgentProcess, Dovecot, Session};
use history_fixtures::*;
use serde_json::Value;

const RETURN: &str =
    "https://assure.ameli.fr/PortailAS/appmanager/PortailAS/assure?_nfpb=true&_pageLabel=as_login_page&cb=true";
const CALLBACK: &str = "https://assure.ameli.fr/compte/redirect_uri?code=4f2a&state=9c";
const FORM: &str = "https://ameliconnect.ameli.fr/oauth2/authorize?client_id=ameli&response_type=code";
/// A login on 20/11/2026 at 10:14 Paris time (09:14 UTC).
const NOTICE: &str = "ameli-login-date-with-weekday.eml";
const CODE: &str = "ameli-security-code-genuine.eml";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).expect("fixture")
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("time").with_timezone(&Utc)
}

/// `name` dated `at`, with a Message-ID of its own.
fn dated(name: &str, at: DateTime<Utc>, id: &str) -> Vec<u8> {
    common::redated(&fixture(name), at, Some(id))
}

/// A HOME and a data dir, and a config watching alice (browser history
/// read) as "Moi" and bob (not read) as "Mamie".
struct Machine {
    dir: tempfile::TempDir,
}

impl Machine {
    fn new(dovecot: &Dovecot) -> Machine {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("home")).expect("home");
        let account = |name: &str, user: &str, browser: bool| {
            format!(
                "[[account]]\nname = \"{name}\"\nimap_host = \"127.0.0.1\"\nimap_port = {}\nusername = \"{user}\"\n\
                 password_command = \"printf secret\"\ntls_ca_file = \"{}\"\nbrowser_history = {browser}\n\n",
                dovecot.port(),
                dovecot.cert_path().display()
            )
        };
        let config =
            format!("poll_interval_secs = 10\n{}{}", account("Moi", "alice", true), account("Mamie", "bob", false));
        std::fs::write(dir.path().join("config.toml"), config).expect("config");
        Machine { dir }
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
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
        cmd.env("HOME", self.home()).env_remove("XDG_RUNTIME_DIR");
        cmd.arg("--config")
            .arg(self.dir.path().join("config.toml"))
            .arg("--data-dir")
            .arg(self.dir.path().join("data"));
        cmd
    }

    fn vigie(&self, args: &[&str]) -> Output {
        self.command(None).args(args).stdin(Stdio::null()).output().expect("vigie runs")
    }
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect()
}

fn findings(out: &Output) -> Vec<(String, String)> {
    lines(out)
        .iter()
        .map(|f| (f["finding"].as_str().unwrap_or("").into(), f["account"].as_str().unwrap_or("").into()))
        .collect()
}

#[test]
fn a_login_through_the_browser_explains_the_notice_only_for_accounts_whose_history_is_read() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let machine = Machine::new(&dovecot);
    // Firefox: the user went to ameli by a bookmark and logged in at 10:13.
    let ff = firefox(&firefox_profile(&machine.home(), "default-release"));
    let form = firefox_visit(&ff, FORM, t("2026-11-20T09:13:10Z"), FF_LINK, None);
    let callback = firefox_visit(&ff, CALLBACK, t("2026-11-20T09:13:50Z"), FF_REDIRECT_TEMPORARY, Some(form));
    firefox_visit(&ff, RETURN, t("2026-11-20T09:13:51Z"), FF_REDIRECT_TEMPORARY, Some(callback));
    drop(ff);
    dovecot.deliver("alice", "INBOX", &fixture(NOTICE));
    dovecot.deliver("bob", "INBOX", &fixture(NOTICE));

    let out = machine.vigie(&["check", "--json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(findings(&out), vec![("unrecognised_login".into(), "Mamie".into())], "{stderr}");
    let log = lines(&machine.vigie(&["log", "--json"]));
    let browser: Vec<&Value> = log.iter().filter(|l| l["type"] == "own_login" && l["source"] == "browser").collect();
    assert_eq!(browser.len(), 1, "one login, for the account whose history is read: {log:?}");
    assert_eq!(browser[0]["account"], "Moi");
    assert_eq!(browser[0]["at"], "2026-11-20T09:13:50Z", "the callback and the return page are one login");
}

#[test]
fn a_security_code_without_a_visit_to_the_login_form_raises_the_live_warning() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let machine = Machine::new(&dovecot);
    let now = Utc::now();
    // Chrome saw the user at the login form two minutes before this code.
    let history = chromium(&chrome_profile(&machine.home()));
    chromium_visit(&history, FORM, now - chrono::Duration::minutes(2), CR_LINK | CR_CHAIN_START | CR_CHAIN_END, None);
    drop(history);
    dovecot.deliver("alice", "INBOX", &dated(CODE, now, "code1"));
    // Mamie's history is not read: her code is someone else at the form.
    dovecot.deliver("bob", "INBOX", &dated(CODE, now, "code2"));
    let out = machine.vigie(&["check", "--json"]);
    assert_eq!(findings(&out), vec![("login_attempt".into(), "Mamie".into())]);
    let status = String::from_utf8_lossy(&machine.vigie(&["status"]).stdout).into_owned();
    assert!(status.contains("tentative de connexion"), "{status}");
}

#[test]
fn the_agent_waits_for_a_history_written_a_few_seconds_late() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let Some(session) = Session::start() else { return };
    let machine = Machine::new(&dovecot);
    let mut command = machine.command(Some(&session));
    command.arg("run");
    let agent = AgentProcess::spawn(command);
    agent.wait_for_log("synced", 2, Duration::from_secs(20));
    // A code mail arrives; Chrome writes the visit to the form 8 s later,
    // as it does (every ~10 s).
    let now = Utc::now();
    dovecot.deliver("alice", "INBOX", &dated(CODE, now, "live1"));
    std::thread::sleep(Duration::from_secs(8));
    let history = chromium(&chrome_profile(&machine.home()));
    chromium_visit(&history, FORM, now - chrono::Duration::seconds(30), CR_LINK | CR_CHAIN_START | CR_CHAIN_END, None);
    drop(history);
    std::thread::sleep(Duration::from_secs(14));
    let shown = session.notifications();
    assert!(
        !shown.iter().any(|n| n["summary"].as_str().is_some_and(|s| s.contains("essaie d'entrer"))),
        "the visit explained it: {shown:?}"
    );
    // Without a visit, the warning comes within 20 s of the mail.
    let later = Utc::now();
    dovecot.deliver("bob", "INBOX", &dated(CODE, later, "live2"));
    let warned = session.wait_for(
        |n| n["summary"] == "Mamie — quelqu'un essaie d'entrer dans le compte ameli",
        Duration::from_secs(20),
    );
    agent.stop();
    assert!(warned.is_some(), "{:?}", session.notifications());
}

#[test]
fn check_beside_the_agent_leaves_what_the_agent_holds_to_it() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let Some(session) = Session::start() else { return };
    let machine = Machine::new(&dovecot);
    let mut command = machine.command(Some(&session));
    command.arg("run");
    let agent = AgentProcess::spawn(command);
    agent.wait_for_log("synced", 2, Duration::from_secs(20));
    let now = Utc::now();
    dovecot.deliver("alice", "INBOX", &dated(CODE, now, "beside1"));
    // The user runs `vigie check` at once: Moi's code waits for her
    // browser's history, in the agent and in the check.
    let out = machine.vigie(&["check", "--json"]);
    assert_eq!(findings(&out), vec![], "{}", String::from_utf8_lossy(&out.stderr));
    // Chrome writes the visit to the form a few seconds later: nobody warns.
    std::thread::sleep(Duration::from_secs(4));
    let history = chromium(&chrome_profile(&machine.home()));
    chromium_visit(&history, FORM, now - chrono::Duration::seconds(30), CR_LINK | CR_CHAIN_START | CR_CHAIN_END, None);
    drop(history);
    std::thread::sleep(Duration::from_secs(16));
    agent.stop();
    let shown = session.notifications();
    assert!(
        !shown.iter().any(|n| n["summary"].as_str().is_some_and(|s| s.contains("essaie d'entrer"))),
        "the visit explained it: {shown:?}"
    );
    let status = String::from_utf8_lossy(&machine.vigie(&["status"]).stdout).into_owned();
    assert!(!status.contains("tentative de connexion"), "{status}");
}
