//! XOAUTH2 end to end: a real Dovecot whose `oauth2` passdb checks each
//! token against a local introspection endpoint (RFC 7662,
//! `tests/support/oauth2-introspect.py`), with tokens from an
//! `oauth2_token_command` or from a stand-in GNOME Online Accounts service
//! on a private session bus (`tests/support/online-accounts.py`, the real
//! interface names).

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{AgentProcess, Dovecot, Session};

const FAKE: &str = "fake-ameli-lookalike-ameli-fr-com.eml";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).expect("fixture")
}

fn support(script: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support").join(script)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn said(out: &Output) -> String {
    format!("{}\n{}", text(&out.stdout), text(&out.stderr))
}

/// A helper process started from `tests/support`, killed when dropped.
struct Helper(Child);

impl Drop for Helper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `/usr/bin/python3 script args…` and waits for its first line
/// (`ready …`), which it returns.
fn start_helper(script: &str, args: &[&Path], bus: Option<&str>) -> (Helper, String) {
    let mut cmd = Command::new("/usr/bin/python3");
    cmd.arg(support(script)).args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::inherit());
    if let Some(address) = bus {
        cmd.env("DBUS_SESSION_BUS_ADDRESS", address);
    }
    let mut child = cmd.spawn().expect("helper starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut ready = String::new();
    BufReader::new(stdout).read_line(&mut ready).expect("helper's first line");
    assert!(ready.starts_with("ready"), "{script} did not start: {ready:?}");
    (Helper(child), ready.trim().to_owned())
}

/// A Dovecot that also takes XOAUTH2, checking tokens with its own
/// introspection endpoint. `tokens` holds one `TOKEN USER` a line.
struct OAuthServer {
    dovecot: Dovecot,
    _introspection: Helper,
    tokens: PathBuf,
}

impl OAuthServer {
    fn start() -> Option<OAuthServer> {
        let dovecot = Dovecot::start(&[])?;
        let dir = dovecot.dir().to_path_buf();
        let tokens = dir.join("tokens");
        std::fs::write(&tokens, "").expect("tokens");
        let (helper, ready) = start_helper("oauth2-introspect.py", &[&tokens, &dir.join("introspect.log")], None);
        let port = ready.trim_start_matches("ready ").to_owned();
        std::fs::write(
            dir.join("oauth2.conf.ext"),
            format!(
                "introspection_mode = post\nintrospection_url = http://127.0.0.1:{port}/introspect\n\
                 username_attribute = username\nactive_attribute = active\nactive_value = true\n\
                 force_introspection = yes\n"
            ),
        )
        .expect("oauth2 conf");
        std::fs::write(
            dir.join("extra.conf"),
            format!(
                "auth_mechanisms = plain login xoauth2 oauthbearer\n\
                 passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {}\n}}\n",
                dir.join("oauth2.conf.ext").display()
            ),
        )
        .expect("extra conf");
        dovecot.restart();
        Some(OAuthServer { dovecot, _introspection: helper, tokens })
    }

    /// The valid tokens from now on: (token, user).
    fn valid(&self, tokens: &[(&str, &str)]) {
        let lines: String = tokens.iter().map(|(t, u)| format!("{t} {u}\n")).collect();
        std::fs::write(&self.tokens, lines).expect("tokens");
    }

    /// Logins with XOAUTH2 the server accepted.
    fn xoauth2_logins(&self) -> usize {
        self.dovecot.log().lines().filter(|l| l.contains("Login: user=<alice>") && l.contains("XOAUTH2")).count()
    }
}

/// A config and data dir for one account, Mamie, on alice's mailbox.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new(server: &OAuthServer, auth: &str) -> Home {
        let home = Home { dir: tempfile::tempdir().expect("tempdir") };
        home.write(server, auth);
        home
    }

    /// An account whose token command prints the next of `tokens` at each
    /// run (the last one once they are used up), counting its runs.
    fn with_token_command(server: &OAuthServer, tokens: &[&str]) -> Home {
        let home = Home { dir: tempfile::tempdir().expect("tempdir") };
        let list = home.dir.path().join("issued");
        std::fs::write(&list, tokens.join("\n") + "\n").expect("issued");
        let count = home.dir.path().join("runs");
        let auth = format!(
            "oauth2_token_command = \"n=$(cat {c} 2>/dev/null | wc -l); echo x >> {c}; \
             sed -n $((n + 1))p {l} | grep . || tail -n 1 {l}\"",
            c = count.display(),
            l = list.display()
        );
        home.write(server, &auth);
        home
    }

    fn write(&self, server: &OAuthServer, auth: &str) {
        let config = format!(
            "poll_interval_secs = 10\n[[account]]\nname = \"Mamie\"\nimap_host = \"127.0.0.1\"\nimap_port = {}\n\
             username = \"alice\"\n{auth}\ntls_ca_file = \"{}\"\n",
            server.dovecot.port(),
            server.dovecot.cert_path().display()
        );
        std::fs::write(self.dir.path().join("config.toml"), config).expect("config");
    }

    fn command(&self, bus: Option<&str>) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_vigie"));
        cmd.arg("--config")
            .arg(self.dir.path().join("config.toml"))
            .arg("--data-dir")
            .arg(self.dir.path().join("data"));
        match bus {
            Some(address) => cmd.env("DBUS_SESSION_BUS_ADDRESS", address),
            None => cmd.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent"),
        };
        cmd
    }

    fn vigie(&self, bus: Option<&str>, args: &[&str]) -> Output {
        self.command(bus).args(args).stdin(Stdio::null()).output().expect("vigie runs")
    }

    fn command_runs(&self) -> usize {
        std::fs::read_to_string(self.dir.path().join("runs")).unwrap_or_default().lines().count()
    }
}

fn impersonations(out: &Output) -> usize {
    text(&out.stdout).lines().filter(|l| l.contains("\"impersonation\"")).count()
}

#[test]
fn xoauth2_with_a_token_command_logs_in_and_sees_mail() {
    let Some(server) = OAuthServer::start() else { return };
    server.valid(&[("tok-1", "alice")]);
    server.dovecot.deliver("alice", "INBOX", &fixture(FAKE));
    let home = Home::with_token_command(&server, &["tok-1"]);

    let out = home.vigie(None, &["check", "--json"]);
    assert_eq!(impersonations(&out), 1, "{}", said(&out));
    assert_eq!(server.xoauth2_logins(), 1, "{}", server.dovecot.log());
    assert_eq!(home.command_runs(), 1);
}

#[test]
fn a_rejected_token_is_fetched_once_more_then_a_refused_login() {
    let Some(server) = OAuthServer::start() else { return };
    server.valid(&[("tok-1", "alice")]);
    let home = Home::with_token_command(&server, &["revoked", "still-revoked"]);

    let out = home.vigie(None, &["check", "--json"]);
    assert_eq!(out.status.code(), Some(3), "the mailbox could not be read: {}", said(&out));
    assert_eq!(home.command_runs(), 2, "the token is asked for once more after a refusal");
    assert_eq!(server.xoauth2_logins(), 0);
    let log = server.dovecot.log();
    assert!(log.contains("Provided token is not valid"), "{log}");
    // Refused credentials raise `blind` at once (a lost connection would
    // only after hours).
    assert!(text(&out.stdout).contains("\"blind\""), "a refused token, not a lost connection: {}", said(&out));
}

#[test]
fn a_token_expired_between_fetch_and_login_is_renewed() {
    let Some(server) = OAuthServer::start() else { return };
    server.valid(&[("tok-2", "alice")]);
    server.dovecot.deliver("alice", "INBOX", &fixture(FAKE));
    let home = Home::with_token_command(&server, &["expired", "tok-2"]);
    let out = home.vigie(None, &["check", "--json"]);
    assert_eq!(impersonations(&out), 1, "{}", said(&out));
    assert_eq!(home.command_runs(), 2);
    assert_eq!(server.xoauth2_logins(), 1);
}

/// The stand-in Online Accounts service on `session`, serving `accounts`
/// (JSON, see the script); its calls are logged in `dir/goa.jsonl`.
fn online_accounts(session: &Session, accounts: &serde_json::Value) -> Helper {
    let file = session.dir().join("goa-accounts.json");
    std::fs::write(&file, accounts.to_string()).expect("accounts");
    start_helper("online-accounts.py", &[&file, &session.dir().join("goa.jsonl")], Some(session.bus_address())).0
}

fn goa_calls(session: &Session, call: &str) -> usize {
    let log = std::fs::read_to_string(session.dir().join("goa.jsonl")).unwrap_or_default();
    log.lines().filter(|l| l.contains(&format!("\"call\": \"{call}\""))).count()
}

fn hotmail(server: &OAuthServer, token: &str, refreshed: Option<&str>) -> serde_json::Value {
    serde_json::json!([
        {"id": "account_1700000000_0", "provider_type": "google", "provider_name": "Google",
         "email": "someone.else@gmail.com", "token": "other"},
        {"id": "account_1700000001_0", "provider_type": "ms_graph", "provider_name": "Microsoft 365",
         "email": "mamie@hotmail.fr", "imap_host": format!("127.0.0.1:{}", server.dovecot.port()),
         "imap_user": "alice", "token": token, "refreshed_token": refreshed}
    ])
}

#[test]
fn setup_offers_the_online_account_and_the_watch_uses_its_token() {
    let Some(server) = OAuthServer::start() else { return };
    let Some(session) = Session::start() else { return };
    server.valid(&[("goa-1", "alice")]);
    server.dovecot.deliver("alice", "INBOX", &fixture(FAKE));
    let _goa = online_accounts(&session, &hotmail(&server, "goa-1", None));
    let home = session.home().to_path_buf();
    let cert = server.dovecot.cert_path().display().to_string();
    let mut setup = session.command(env!("CARGO_BIN_EXE_vigie"));
    setup
        .args(["setup", "--tls-ca-file", &cert])
        .env("HOME", &home)
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("XDG_DATA_HOME")
        .env_remove("VIGIE_CONFIG")
        .env_remove("VIGIE_DATA_DIR");
    // Address, whose, use the online account: yes. No password asked.
    let out = run_with_stdin(setup, "mamie@hotmail.fr\nMamie\no\n");
    let all = said(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("Comptes en ligne de GNOME (Microsoft 365, mamie@hotmail.fr)"), "{all}");
    assert!(!all.contains("oama") && !all.contains("Mot de passe"), "no token program, no password: {all}");
    let config = std::fs::read_to_string(home.join(".config/vigie/config.toml")).expect("config");
    for line in [
        "oauth2_source = \"gnome-online-accounts\"".to_owned(),
        "username = \"alice\"".to_owned(),
        format!("imap_port = {}", server.dovecot.port()),
    ] {
        assert!(config.contains(&line), "{line}:\n{config}");
    }
    assert!(!config.contains("oauth2_token_command"), "{config}");
    assert_eq!(server.xoauth2_logins(), 1, "setup tested the token");

    let mut check = session.command(env!("CARGO_BIN_EXE_vigie"));
    check.args(["check", "--json"]).env("HOME", &home).env_remove("VIGIE_CONFIG").env_remove("VIGIE_DATA_DIR");
    let out = run_with_stdin(check, "");
    assert_eq!(impersonations(&out), 1, "{}", said(&out));
    assert_eq!(goa_calls(&session, "GetAccessToken"), 2, "a fresh token for each login");
}

fn run_with_stdin(mut cmd: Command, stdin: &str) -> Output {
    use std::io::Write;
    let mut child =
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("vigie runs");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("stdin");
    child.wait_with_output().expect("vigie finishes")
}

#[test]
fn an_online_token_expired_during_idle_is_fetched_again() {
    let Some(server) = OAuthServer::start() else { return };
    let Some(session) = Session::start() else { return };
    server.valid(&[("goa-1", "alice")]);
    let _goa = online_accounts(&session, &hotmail(&server, "goa-1", Some("goa-2")));
    let home = Home::new(&server, "oauth2_source = \"gnome-online-accounts\"");
    let mut run = home.command(Some(session.bus_address()));
    run.arg("run");
    let agent = AgentProcess::spawn(run);
    agent.wait_for_log("synced", 1, Duration::from_secs(30));
    assert_eq!(server.xoauth2_logins(), 1);

    // The token expires: the provider revokes it and ends the session, as
    // Outlook does; the daemon still holds the old one until asked to check.
    server.valid(&[("goa-2", "alice")]);
    let kick = Command::new(common::which("doveadm").expect("doveadm"))
        .arg("-c")
        .arg(server.dovecot.dir().join("dovecot.conf"))
        .args(["kick", "alice"])
        .output()
        .expect("doveadm kick");
    assert!(kick.status.success(), "{}", said(&kick));
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.xoauth2_logins() < 2 {
        assert!(Instant::now() < deadline, "no login with the new token:\n{}", agent.lines().join("\n"));
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(goa_calls(&session, "EnsureCredentials") >= 1, "the daemon was asked to refresh");
    // The new session watches: a fake delivered now is alerted.
    server.dovecot.deliver("alice", "INBOX", &fixture(FAKE));
    session
        .wait_for(|n| n["call"] == "Notify", Duration::from_secs(30))
        .unwrap_or_else(|| panic!("no alert after the new login:\n{}", agent.lines().join("\n")));
    agent.stop();
}

#[test]
fn an_online_account_that_wants_a_new_sign_in_is_blind_at_once() {
    let Some(server) = OAuthServer::start() else { return };
    let Some(session) = Session::start() else { return };
    let mut accounts = hotmail(&server, "goa-1", None);
    accounts[1]["attention_needed"] = serde_json::Value::Bool(true);
    let _goa = online_accounts(&session, &accounts);
    let home = Home::new(&server, "oauth2_source = \"gnome-online-accounts\"");
    let out = home.vigie(Some(session.bus_address()), &["check", "--json"]);
    assert_eq!(out.status.code(), Some(3), "{}", said(&out));
    assert!(text(&out.stdout).contains("\"blind\""), "the user must act now: {}", said(&out));
    assert_eq!(server.xoauth2_logins(), 0);
}
