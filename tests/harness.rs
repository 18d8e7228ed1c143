//! The test harness itself (`tests/common`, `tests/support`) against the real
//! components: if these fail, tests built on the harness prove nothing.
//! Each test skips loudly when a component is missing (fails under CI=true).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use common::{Dovecot, Session, need, which};

/// Generous: a notification lands within milliseconds.
const WAIT: Duration = Duration::from_secs(5);

fn ok(out: Output, what: &str) -> String {
    assert!(out.status.success(), "{what} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn critical_notification_is_recorded_with_its_urgency() {
    let Some(notify_send) = need("notify-send", "sends the test notification; package libnotify-bin") else { return };
    let Some(session) = Session::start() else { return };
    let out = session.command(notify_send).args(["-u", "critical", "-a", "vigie-test", "S", "B"]).output().unwrap();
    ok(out, "notify-send");
    let n = session.wait_for(|n| n["call"] == "Notify" && n["summary"] == "S", WAIT).expect("notification recorded");
    assert_eq!((&n["app_name"], &n["body"], &n["hints"]["urgency"]), (&"vigie-test".into(), &"B".into(), &2.into()));
}

#[test]
fn invoked_action_reaches_the_sender_and_is_recorded() {
    let Some(notify_send) = need("notify-send", "sends the test notification; package libnotify-bin") else { return };
    let Some(session) = Session::start() else { return };
    // With -A, notify-send waits for the click and prints the action's key.
    let mut sender = session
        .command(notify_send)
        .args(["-A", "open=Open", "Click me", "body"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let n = session.wait_for(|n| n["summary"] == "Click me", WAIT).expect("notification recorded");
    assert_eq!(n["actions"]["open"], "Open");
    let id = u32::try_from(n["id"].as_u64().unwrap()).unwrap();

    session.invoke_action(id, "open");
    let deadline = Instant::now() + WAIT;
    while sender.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = sender.kill();
            panic!("notify-send never heard of the click");
        }
        sleep(Duration::from_millis(20));
    }
    assert_eq!(ok(sender.wait_with_output().unwrap(), "notify-send -A").trim(), "open");
    let click = session.wait_for(|n| n["call"] == "InvokeAction", WAIT).expect("InvokeAction recorded");
    assert_eq!((&click["id"], &click["action_key"]), (&id.into(), &"open".into()));

    session.close(id, 2);
    let close = session.wait_for(|n| n["call"] == "Close", WAIT).expect("Close recorded");
    assert_eq!((&close["id"], &close["reason"]), (&id.into(), &2.into()));
}

#[test]
fn without_the_recorder_there_is_no_notification_server() {
    let Some(notify_send) = need("notify-send", "sends the test notification; package libnotify-bin") else { return };
    let Some(session) = Session::start() else { return };
    session.stop_notifications();
    let out = session.command(notify_send).args(["S", "B"]).stderr(Stdio::null()).output().unwrap();
    assert!(!out.status.success(), "notify-send succeeded with no notification server");
    assert!(session.notifications().is_empty());
}

#[test]
fn keyring_is_unlocked_and_kept_in_the_session_home() {
    let Some(secret_tool) = need("secret-tool", "talks to the Secret Service; package libsecret-tools") else { return };
    let Some(session) = Session::start() else { return };
    let attrs = ["service", "vigie-test", "account", "alice"];
    let mut store = session
        .command(&secret_tool)
        .args(["store", "--label=vigie test"])
        .args(attrs)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut store.stdin.take().unwrap(), b"pw-1").unwrap();
    ok(store.wait_with_output().unwrap(), "secret-tool store");
    let out = session.command(&secret_tool).arg("lookup").args(attrs).output().unwrap();
    assert_eq!(ok(out, "secret-tool lookup"), "pw-1");
    assert!(session.home().join(".local/share/keyrings/login.keyring").is_file());
}

const MESSAGE: &[u8] = b"From: Carol <carol@example.org>\r\nTo: alice@example.org\r\n\
Subject: harness check\r\nMessage-ID: <h1@example.org>\r\n\r\nHello.\r\n";

/// How the tests speak IMAPS: curl if present, else openssl s_client.
enum Client {
    Curl(PathBuf),
    OpenSsl(PathBuf),
}

fn client() -> Option<Client> {
    match which("curl") {
        Some(curl) => Some(Client::Curl(curl)),
        None => need("openssl", "speaks IMAPS when curl is absent").map(Client::OpenSsl),
    }
}

impl Client {
    /// `SEARCH ALL` in `folder` as alice, trusting `ca` as the only root:
    /// the message numbers, or `Err` with the client's complaint.
    fn search_all(&self, imap: &Dovecot, ca: &Path, folder: &str) -> Result<Vec<u32>, String> {
        let out = match self {
            Client::Curl(curl) => Command::new(curl)
                .args(["-sS", "--max-time", "10", "-u", "alice:secret", "--cacert"])
                .arg(ca)
                .arg(format!("imaps://127.0.0.1:{}/{folder}?ALL", imap.port()))
                .output(),
            Client::OpenSsl(openssl) => {
                let mut child = Command::new(openssl)
                    .args(["s_client", "-quiet", "-verify_return_error", "-verify_ip", "127.0.0.1", "-CAfile"])
                    .arg(ca)
                    .args(["-connect", &format!("127.0.0.1:{}", imap.port())])
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap();
                let script = format!("a LOGIN alice secret\r\nb SELECT {folder}\r\nc SEARCH ALL\r\nd LOGOUT\r\n");
                std::io::Write::write_all(&mut child.stdin.take().unwrap(), script.as_bytes()).unwrap();
                child.wait_with_output()
            }
        }
        .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let line = stdout.lines().find_map(|l| l.strip_prefix("* SEARCH"));
        match line {
            Some(numbers) if out.status.success() => {
                Ok(numbers.split_whitespace().map(|n| n.parse().unwrap()).collect())
            }
            _ => Err(format!("{}{stdout}", String::from_utf8_lossy(&out.stderr))),
        }
    }
}

/// A self-signed certificate the server does not use.
fn other_cert(dir: &Path) -> PathBuf {
    let cert = dir.join("other.pem");
    let out = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"])
        .args(["-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"])
        .arg("-keyout")
        .arg(dir.join("other.key"))
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    ok(out, "openssl req");
    cert
}

#[test]
fn delivered_mail_is_served_over_verified_imaps() {
    let Some(client) = client() else { return };
    let Some(imap) = Dovecot::start(&[("alice", "secret")]) else { return };
    imap.deliver("alice", "INBOX", MESSAGE);
    imap.deliver("alice", "Junk", MESSAGE);
    imap.deliver("alice", "Junk", MESSAGE);
    let cert = imap.cert_path();
    assert_eq!(client.search_all(&imap, &cert, "INBOX"), Ok(vec![1]), "{}", imap.log());
    assert_eq!(client.search_all(&imap, &cert, "Junk"), Ok(vec![1, 2]), "{}", imap.log());

    let scratch = tempfile::tempdir().unwrap();
    let wrong = client.search_all(&imap, &other_cert(scratch.path()), "INBOX");
    let complaint = wrong.expect_err("TLS accepted a server the trusted root did not sign");
    assert!(complaint.contains("verif"), "not a certificate complaint: {complaint}");
}

#[test]
fn restart_keeps_port_and_mail() {
    let Some(client) = client() else { return };
    let Some(imap) = Dovecot::start(&[("alice", "secret")]) else { return };
    imap.deliver("alice", "INBOX", MESSAGE);
    let port = imap.port();
    imap.restart();
    assert_eq!(imap.port(), port);
    assert_eq!(client.search_all(&imap, &imap.cert_path(), "INBOX"), Ok(vec![1]), "{}", imap.log());
    imap.deliver("alice", "INBOX", MESSAGE);
    assert_eq!(client.search_all(&imap, &imap.cert_path(), "INBOX"), Ok(vec![1, 2]), "{}", imap.log());
}
