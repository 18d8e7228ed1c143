//! `vigie check` against a scripted IMAPS server on 127.0.0.1
//! (tests/support/hostile-imap.py) that logs in normally, then misbehaves:
//! a huge literal, an endless line, a trickle, a stall, a cut mid-transfer,
//! big mail. Whatever it does, `check` ends within a bound, with its memory
//! under 128 MiB, and says the mailbox could not be read (exit 3) instead of
//! "rien à signaler".

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use common::{AgentProcess, need};

const MEMORY_CAP_KIB: u64 = 128 * 1024;

fn support(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support").join(name)
}

/// The scripted server in one mode; killed when dropped.
struct Hostile {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
}

impl Hostile {
    fn start(mode: &str, fixture: Option<&str>) -> Option<Hostile> {
        need("python3", "runs the scripted IMAP server")?;
        need("openssl", "makes the scripted server's certificate")?;
        let dir = tempfile::tempdir().expect("tempdir");
        let mut cmd = Command::new("python3");
        cmd.arg(support("hostile-imap.py")).arg(dir.path()).arg(mode);
        if let Some(name) = fixture {
            cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name));
        }
        let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).spawn().expect("python3 runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("the server's port");
        let port = line.trim().parse().unwrap_or_else(|_| panic!("no port from hostile-imap.py: {line:?}"));
        Some(Hostile { child, dir, port })
    }

    /// Every command the server received.
    fn commands(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("commands.log")).unwrap_or_default()
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What one `vigie check` did.
struct Checked {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
    peak_kib: u64,
}

/// A data dir and a config with one account on `server`, polled every
/// `poll` seconds where there is no push.
fn account(server: &Hostile, poll: u64) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "poll_interval_secs = {poll}\n[[account]]\nname = \"Mamie\"\nimap_host = \"127.0.0.1\"\nimap_port = {}\n\
             username = \"alice\"\npassword_command = \"printf secret\"\ntls_ca_file = \"{}\"\n",
            server.port,
            server.dir.path().join("tls/cert.pem").display(),
        ),
    )
    .expect("config");
    (dir, config)
}

/// `vigie run` on an account of `server`, its log collected.
fn run(server: &Hostile, poll: u64) -> (tempfile::TempDir, AgentProcess) {
    let (dir, config) = account(server, poll);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vigie"));
    cmd.arg("--config").arg(&config).arg("--data-dir").arg(dir.path().join("data")).arg("run");
    cmd.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/vigie-test-bus");
    (dir, AgentProcess::spawn(cmd))
}

/// Runs `vigie check [args]` on an account of `server`, killed if still
/// running after `limit`, its peak memory measured.
fn check(server: &Hostile, args: &[&str], limit: Duration) -> Checked {
    let (dir, config) = account(server, 30);
    let rss = dir.path().join("maxrss");
    let (out, err) = (dir.path().join("stdout"), dir.path().join("stderr"));
    let started = Instant::now();
    let mut child = Command::new("python3")
        .arg(support("maxrss.py"))
        .arg(&rss)
        .arg(env!("CARGO_BIN_EXE_vigie"))
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("check")
        .args(args)
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/vigie-test-bus")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).expect("stdout file"))
        .stderr(std::fs::File::create(&err).expect("stderr file"))
        .spawn()
        .expect("vigie check starts");
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("vigie check still running after {limit:?}:\n{}", std::fs::read_to_string(&err).unwrap_or_default());
        }
        sleep(Duration::from_millis(50));
    };
    let took = started.elapsed();
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    let peak_kib = read(&rss).trim().parse().expect("peak memory written");
    let checked = Checked { code: status.code(), stdout: read(&out), stderr: read(&err), took, peak_kib };
    eprintln!("vigie check: exit {:?} in {:.1?}, peak {} KiB", checked.code, checked.took, checked.peak_kib);
    checked
}

/// The common verdict on a server that misbehaves: exit 3, the user's
/// `sentence` on stderr, no "nothing to report", memory under the cap.
fn assert_unreadable(run: &Checked, sentence: &str) {
    assert_eq!(run.code, Some(3), "stdout: {}\nstderr: {}", run.stdout, run.stderr);
    assert!(run.stderr.contains(sentence), "no {sentence:?} in:\n{}", run.stderr);
    assert!(!run.stdout.to_lowercase().contains("rien"), "claims nothing to report: {}", run.stdout);
    assert!(run.stdout.contains("n'a pas pu être lue"), "{}", run.stdout);
    assert!(run.peak_kib < MEMORY_CAP_KIB, "peak memory {} KiB", run.peak_kib);
}

#[test]
fn a_huge_literal_is_refused_when_announced() {
    let Some(server) = Hostile::start("literal", None) else { return };
    let run = check(&server, &[], Duration::from_secs(30));
    assert_unreadable(&run, "démesurée");
    assert!(run.took < Duration::from_secs(10), "{:?}", run.took);
}

#[test]
fn an_endless_line_is_cut_at_its_cap() {
    let Some(server) = Hostile::start("line", None) else { return };
    let run = check(&server, &[], Duration::from_secs(30));
    assert_unreadable(&run, "démesurée");
}

#[test]
fn a_trickling_server_is_cut_at_the_command_deadline() {
    let Some(server) = Hostile::start("trickle", None) else { return };
    let run = check(&server, &[], Duration::from_secs(120));
    assert_unreadable(&run, "ne répond plus");
    assert!(run.took >= Duration::from_secs(55) && run.took < Duration::from_secs(90), "{:?}", run.took);
}

#[test]
fn a_stalled_server_is_cut_at_the_command_deadline() {
    let Some(server) = Hostile::start("stall", None) else { return };
    let run = check(&server, &[], Duration::from_secs(120));
    assert_unreadable(&run, "ne répond plus");
    assert!(run.took < Duration::from_secs(90), "{:?}", run.took);
}

#[test]
fn a_cut_mid_transfer_is_a_clear_failure() {
    let Some(server) = Hostile::start("drop", None) else { return };
    let run = check(&server, &[], Duration::from_secs(30));
    assert_unreadable(&run, "coupée");
}

#[test]
fn forty_big_mails_from_an_ameli_sender_stay_under_the_memory_cap() {
    let Some(server) = Hostile::start("big40", None) else { return };
    let run = check(&server, &[], Duration::from_secs(300));
    assert_ne!(run.code, Some(3), "{}", run.stderr);
    assert!(run.peak_kib < MEMORY_CAP_KIB, "peak memory {} KiB", run.peak_kib);
    let commands = server.commands();
    let body_fetches: Vec<&str> = commands.lines().filter(|l| l.contains("BODY.PEEK[])")).collect();
    assert_eq!(body_fetches.len(), 40, "one 9 MB body per FETCH:\n{commands}");
}

#[test]
fn a_big_notice_is_recognised_from_its_prefix() {
    let Some(server) = Hostile::start("bigprefix", Some("ameli-login-date-with-weekday.eml")) else { return };
    let run = check(&server, &["--json"], Duration::from_secs(60));
    assert_eq!(run.code, Some(1), "stdout: {}\nstderr: {}", run.stdout, run.stderr);
    let finding: serde_json::Value =
        serde_json::from_str(run.stdout.lines().next().expect("one finding")).expect("JSON");
    assert_eq!(finding["finding"], "unrecognised_login");
    assert_eq!(finding["login_at"], "2026-11-20T09:14:00Z");
    let commands = server.commands();
    assert!(commands.contains("BODY.PEEK[]<0.1048576>"), "a prefix was asked for:\n{commands}");
    assert!(!commands.contains("BODY.PEEK[])"), "the whole body was asked for:\n{commands}");
    assert!(run.peak_kib < MEMORY_CAP_KIB, "peak memory {} KiB", run.peak_kib);
}

#[test]
fn a_server_offering_only_tls_1_1_is_refused() {
    let Some(server) = Hostile::start("tls11", None) else { return };
    let run = check(&server, &[], Duration::from_secs(30));
    assert_eq!(run.code, Some(3), "stdout: {}\nstderr: {}", run.stdout, run.stderr);
    assert!(run.stderr.contains("TLS 1.2"), "{}", run.stderr);
    assert!(!server.commands().contains("LOGIN"), "no password sent: {}", server.commands());
}

#[test]
fn under_run_a_stalled_server_is_a_failure_and_is_retried() {
    let Some(server) = Hostile::start("stall", None) else { return };
    let (_dir, agent) = run(&server, 30);
    agent.wait_for_log("did not finish answering within 60 s", 1, Duration::from_secs(100));
    agent.wait_for_log("reconnecting later", 1, Duration::from_secs(5));
    // The retry reaches the server again.
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.commands().matches("EXAMINE").count() < 2 {
        assert!(Instant::now() < deadline, "no retry:\n{}", agent.lines().join("\n"));
        sleep(Duration::from_millis(100));
    }
    agent.stop();
}

#[test]
fn under_run_a_server_answering_idle_at_once_is_a_failure_not_a_crash() {
    let Some(server) = Hostile::start("idleok", None) else { return };
    let (_dir, agent) = run(&server, 30);
    agent.wait_for_log("answered IDLE without waiting", 1, Duration::from_secs(30));
    // Backed off, reconnected, synced again: the watch goes on.
    agent.wait_for_log("synced", 2, Duration::from_secs(30));
    agent.stop();
}

#[test]
fn under_run_junk_is_read_again_despite_keepalives() {
    // Dovecot's keepalive during IDLE used to restart the poll timer:
    // Junk was never read again while INBOX stayed quiet.
    let Some(server) = Hostile::start("keepalive", None) else { return };
    let (_dir, agent) = run(&server, 10);
    let started = Instant::now();
    while server.commands().matches("EXAMINE \"Junk\"").count() < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "Junk not read every 10 s:\n{}\n{}",
            server.commands(),
            agent.lines().join("\n")
        );
        sleep(Duration::from_millis(100));
    }
    assert!(started.elapsed() >= Duration::from_secs(15), "{:?}", started.elapsed());
    agent.stop();
}
