//! A running agent follows its config (DESIGN "Mailbox"): accounts added,
//! changed or removed are picked up on SIGHUP and when the file changes,
//! a config that cannot be used keeps the previous watch running and says
//! so, and `setup` and `doctor` say what the running agent watches. Real
//! `vigie run`, real Dovecot, real notification recorder.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::{AgentProcess, Dovecot, Session};
use serde_json::Value;

const NOTICE: &str = "ameli-login-date-with-weekday.eml";
const FAKE: &str = "fake-ameli-lookalike-ameli-fr-com.eml";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).expect("fixture")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A config dir and data dir for accounts on one Dovecot.
struct Home {
    dir: tempfile::TempDir,
    port: u16,
    cert: PathBuf,
}

impl Home {
    fn new(dovecot: &Dovecot) -> Home {
        Home { dir: tempfile::tempdir().expect("tempdir"), port: dovecot.port(), cert: dovecot.cert_path() }
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("config.toml")
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn account(&self, name: &str, user: &str) -> String {
        format!(
            "[[account]]\nname = \"{name}\"\nimap_host = \"127.0.0.1\"\nimap_port = {}\nusername = \"{user}\"\n\
             password_command = \"printf secret\"\ntls_ca_file = \"{}\"\n\n",
            self.port,
            self.cert.display()
        )
    }

    /// Replaces the config with `accounts` (name, user), atomically as
    /// `setup` and editors do.
    fn write(&self, accounts: &[(&str, &str)]) {
        let mut text = String::from("poll_interval_secs = 10\n");
        for (name, user) in accounts {
            text.push_str(&self.account(name, user));
        }
        self.write_text(&text);
    }

    fn write_text(&self, text: &str) {
        let tmp = self.dir.path().join("config.toml.tmp");
        std::fs::write(&tmp, text).expect("config");
        std::fs::rename(&tmp, self.config()).expect("rename");
    }

    fn command(&self, session: &Session) -> Command {
        let mut cmd = session.command(env!("CARGO_BIN_EXE_vigie"));
        cmd.arg("--config").arg(self.config()).arg("--data-dir").arg(self.data());
        cmd
    }

    fn run(&self, session: &Session) -> AgentProcess {
        let mut cmd = self.command(session);
        cmd.arg("run");
        AgentProcess::spawn(cmd)
    }

    fn vigie(&self, session: &Session, args: &[&str]) -> Output {
        self.command(session).args(args).stdin(Stdio::null()).output().expect("vigie runs")
    }

    /// The agent's status file.
    fn status(&self) -> Value {
        let raw = std::fs::read(self.data().join("agent.json")).expect("agent.json");
        serde_json::from_slice(&raw).expect("JSON")
    }

    fn watched(&self) -> Vec<String> {
        self.status()["accounts"]
            .as_array()
            .expect("accounts")
            .iter()
            .map(|a| a["name"].as_str().expect("name").to_owned())
            .collect()
    }
}

fn unknown_login(account: &str) -> impl Fn(&Value) -> bool {
    let summary = format!("{account} — connexion inconnue à ameli");
    move |n: &Value| n["summary"] == summary.as_str()
}

fn hup(agent: &AgentProcess) {
    let status = Command::new("kill").args(["-HUP", &agent.child.id().to_string()]).status().expect("kill");
    assert!(status.success());
}

#[test]
fn an_account_added_then_sighup_is_watched_and_doctor_says_so() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let Some(session) = Session::start() else { return };
    dovecot.deliver("bob", "INBOX", &fixture(NOTICE));
    let home = Home::new(&dovecot);
    home.write(&[("Mamie", "alice")]);
    let agent = home.run(&session);
    agent.wait_for_log("synced", 1, Duration::from_secs(30));
    assert_eq!(home.watched(), ["Mamie"]);

    // The signal comes within a millisecond of the write: well before the
    // file watcher's next look, so this is the signal's doing.
    home.write(&[("Mamie", "alice"), ("Papi", "bob")]);
    let sent = std::time::Instant::now();
    hup(&agent);
    session.wait_for(unknown_login("Papi"), Duration::from_secs(30)).expect("Papi's notice is alerted");
    eprintln!("SIGHUP to Papi's alert: {:?}", sent.elapsed());
    agent.wait_for_log("configuration changed", 1, Duration::from_secs(1));
    assert!(
        agent.lines().iter().any(|l| l.contains("configuration changed") && l.contains("SIGHUP")),
        "{}",
        agent.lines().join("\n")
    );
    assert_eq!(home.watched(), ["Mamie", "Papi"]);

    let out = home.vigie(&session, &["doctor"]);
    let doctor = text(&out.stdout);
    assert!(
        doctor.contains("✔ l'agent surveille : Mamie (boîte de réception et courrier indésirable), Papi ("),
        "{doctor}"
    );

    // A signal with nothing changed restarts nothing.
    hup(&agent);
    agent.wait_for_log("configuration unchanged", 1, Duration::from_secs(5));
    agent.stop();
    assert!(!home.data().join("agent.json").exists(), "a stopped agent leaves no status behind");
}

#[test]
fn a_mailbox_added_with_setup_is_watched_without_a_signal_and_setup_says_so() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let Some(session) = Session::start() else { return };
    dovecot.deliver("bob", "INBOX", &fixture(NOTICE));
    let home = Home::new(&dovecot);
    home.write(&[("Mamie", "alice")]);
    let agent = home.run(&session);
    agent.wait_for_log("synced", 1, Duration::from_secs(30));

    let started = std::time::Instant::now();
    let port = dovecot.port().to_string();
    let cert = dovecot.cert_path();
    let out = home.vigie(
        &session,
        &[
            "setup",
            "--email",
            "bob@example.org",
            "--name",
            "Papi",
            "--imap-host",
            "127.0.0.1",
            "--imap-port",
            &port,
            "--username",
            "bob",
            "--password-command",
            "printf secret",
            "--tls-ca-file",
            cert.to_str().expect("utf-8 path"),
        ],
    );
    let said = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{said}\n{}", text(&out.stderr));
    assert!(
        said.contains(
            "✔ L'agent vigie surveille maintenant : Mamie (boîte de réception et courrier indésirable), Papi"
        ),
        "{said}"
    );
    session.wait_for(unknown_login("Papi"), Duration::from_secs(30)).expect("Papi's notice is alerted");
    eprintln!("setup started to Papi's alert: {:?}", started.elapsed());
    agent.stop();
}

#[test]
fn an_account_removed_from_the_file_is_no_longer_watched() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let Some(session) = Session::start() else { return };
    let home = Home::new(&dovecot);
    home.write(&[("Mamie", "alice"), ("Papi", "bob")]);
    let agent = home.run(&session);
    agent.wait_for_log("synced", 2, Duration::from_secs(30));

    home.write(&[("Mamie", "alice")]);
    agent.wait_for_log("configuration changed", 1, Duration::from_secs(30));
    agent.wait_for_log("synced", 3, Duration::from_secs(30));
    assert_eq!(home.watched(), ["Mamie"]);
    dovecot.deliver("bob", "INBOX", &fixture(FAKE));
    dovecot.deliver("alice", "INBOX", &fixture(NOTICE));
    session.wait_for(unknown_login("Mamie"), Duration::from_secs(30)).expect("Mamie is still watched");
    std::thread::sleep(Duration::from_secs(1));
    let papi =
        session.notifications().into_iter().filter(|n| n["summary"].as_str().is_some_and(|s| s.contains("Papi")));
    assert_eq!(papi.count(), 0, "Papi's mailbox is no longer watched");
    agent.stop();
}

#[test]
fn a_broken_config_keeps_the_previous_watch_and_says_so() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let Some(session) = Session::start() else { return };
    let home = Home::new(&dovecot);
    home.write(&[("Mamie", "alice")]);
    let agent = home.run(&session);
    agent.wait_for_log("synced", 1, Duration::from_secs(30));

    home.write_text("poll_interval_secs = [\n");
    agent.wait_for_log("still watching with the previous one", 1, Duration::from_secs(30));
    let status = home.status();
    assert!(status["reload_error"]["message"].as_str().is_some_and(|m| m.contains("config.toml")), "{status}");
    assert_eq!(home.watched(), ["Mamie"]);
    dovecot.deliver("alice", "INBOX", &fixture(NOTICE));
    session.wait_for(unknown_login("Mamie"), Duration::from_secs(30)).expect("the watch went on");

    // Fixed: picked up, and the error is gone.
    home.write(&[("Mamie", "alice")]);
    agent.wait_for_log("configuration unchanged", 1, Duration::from_secs(30));
    assert!(home.status()["reload_error"].is_null());
    agent.stop();
}

#[test]
fn a_config_others_can_change_is_not_reloaded() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let Some(session) = Session::start() else { return };
    let home = Home::new(&dovecot);
    home.write(&[("Mamie", "alice")]);
    let agent = home.run(&session);
    agent.wait_for_log("synced", 1, Duration::from_secs(30));
    let mut text = std::fs::read_to_string(home.config()).expect("read");
    text.push_str(&home.account("Papi", "bob"));
    let tmp = home.dir.path().join("config.toml.tmp");
    std::fs::write(&tmp, text).expect("write");
    std::fs::set_permissions(&tmp, std::os::unix::fs::PermissionsExt::from_mode(0o666)).expect("chmod");
    std::fs::rename(&tmp, home.config()).expect("rename");
    agent.wait_for_log("still watching with the previous one", 1, Duration::from_secs(30));
    assert_eq!(home.watched(), ["Mamie"]);
    assert!(home.status()["reload_error"]["message"].as_str().is_some_and(|m| m.contains("chmod go-w")));
    agent.stop();
}
