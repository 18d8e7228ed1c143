//! Real servers for integration tests: a private Dovecot (IMAP over TLS on
//! 127.0.0.1) and a private D-Bus session (notification recorder and an
//! unlocked gnome-keyring). Each test gets its own instance in its own
//! directory under /tmp, stopped when the value is dropped, so tests can run
//! in parallel and never touch the real desktop, keyring or /etc/dovecot.
//!
//! The work is done by the scripts in `tests/support/`; this module only
//! runs them and reads what they leave behind.
//!
//! Missing components follow one policy (see [`missing`]): a loud SKIP on a
//! developer machine, a failure under `CI=true`. A test reads:
//!
//! ```ignore
//! let Some(session) = Session::start() else { return };
//! ```

// Each test crate includes this module with `mod common;` and uses only
// part of it; the rest would warn as dead code in that crate.
#![allow(dead_code)]

use std::fs;
use std::io::Write;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::thread::sleep;
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

/// The skip policy for a missing component. Under `CI=true` it panics, since
/// a test that silently skips there proves nothing. Elsewhere it prints a
/// loud SKIP line and returns `None`, so the caller can `return` early.
pub fn missing<T>(what: &str, why: &str) -> Option<T> {
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("<test>");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{test}: {what} is missing ({why}); under CI=true a skip is a failure; tests/run installs it");
    }
    // Straight to fd 2 in one write: libtest captures eprintln! of passing
    // tests, and a skip must be seen.
    let line = format!("SKIP: {test}: {what} is missing ({why}); run tests/run to install it\n");
    let _ = std::io::stderr().write_all(line.as_bytes());
    None
}

/// The path of `program`, or the skip policy if it is not installed.
pub fn need(program: &str, why: &str) -> Option<PathBuf> {
    which(program).or_else(|| missing(program, why))
}

/// The path of an executable `program` on PATH. The sbin directories are
/// searched too: `dovecot` lives there and an ordinary user's PATH may lack
/// them.
pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(program))
        .find(|p| fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
}

/// A script in `tests/support/`.
fn support(script: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support").join(script)
}

/// A fresh directory directly under /tmp, whatever TMPDIR says: Unix socket
/// paths inside it must stay short (Dovecot refuses a DIR over 70 chars), and
/// as root Dovecot's unprivileged users must be able to enter every parent.
fn temp_dir(prefix: &str) -> TempDir {
    tempfile::Builder::new().prefix(prefix).tempdir_in("/tmp").expect("temp dir under /tmp")
}

fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A private D-Bus session bus with `notify-capture.py` owning
/// `org.freedesktop.Notifications` and gnome-keyring serving an unlocked
/// login keyring (password "test"). Stopped when dropped.
pub struct Session {
    dir: TempDir,
    home: PathBuf,
    address: String,
    /// Recorders started by [`Session::start_notifications`], reaped on drop.
    recorders: std::sync::Mutex<Vec<std::process::Child>>,
}

const NOTIFICATIONS: &str = "org.freedesktop.Notifications";
const NOTIFICATIONS_PATH: &str = "/org/freedesktop/Notifications";

impl Session {
    /// Starts bus, notification recorder and keyring (about 0.1 s); `None`
    /// (after a SKIP line) if a component is not installed.
    pub fn start() -> Option<Session> {
        need("dbus-daemon", "runs the private session bus")?;
        need("gdbus", "waits for bus names and plays the user on notifications")?;
        need("gnome-keyring-daemon", "provides the Secret Service")?;
        if !python_gi() {
            return missing("python3-gi", "/usr/bin/python3 runs the notification recorder with it");
        }
        let dir = temp_dir(".vigie-session.");
        let out = run(Command::new(support("session-up.sh")).arg(dir.path()));
        let logs = || {
            ["dbus.log", "notify.log", "keyring.log"]
                .map(|f| format!("--- {f}\n{}", fs::read_to_string(dir.path().join(f)).unwrap_or_default()))
                .join("\n")
        };
        assert!(out.status.success(), "session-up.sh failed: {}\n{}", text(&out.stderr), logs());
        let stdout = text(&out.stdout);
        let address = stdout
            .trim()
            .strip_prefix("export DBUS_SESSION_BUS_ADDRESS=")
            .unwrap_or_else(|| panic!("unexpected session-up.sh output: {stdout:?}"))
            .to_owned();
        Some(Session { home: dir.path().join("home"), address, dir, recorders: Default::default() })
    }

    /// The `DBUS_SESSION_BUS_ADDRESS` to give the program under test.
    pub fn bus_address(&self) -> &str {
        &self.address
    }

    /// The HOME the keyring daemon runs with; its keyrings live in
    /// `home()/.local/share/keyrings`.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The session directory (`*.log`, `notifications.jsonl`, pid files).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `program` set up to talk to this session's bus.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &self.address);
        cmd
    }

    /// Every call recorded so far, one JSON object each, oldest first: see
    /// `tests/support/notify-capture.py` for the fields.
    pub fn notifications(&self) -> Vec<Value> {
        let log = fs::read_to_string(self.dir.path().join("notifications.jsonl")).unwrap_or_default();
        // Only whole lines: the recorder may be writing the last one.
        let whole = &log[..log.rfind('\n').map_or(0, |i| i + 1)];
        whole.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line {l:?}: {e}"))).collect()
    }

    /// The first recorded call matching `pred`, polling every 50 ms until
    /// `timeout`.
    pub fn wait_for(&self, pred: impl Fn(&Value) -> bool, timeout: Duration) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(found) = self.notifications().into_iter().find(|n| pred(n)) {
                return Some(found);
            }
            if Instant::now() >= deadline {
                return None;
            }
            sleep(Duration::from_millis(50));
        }
    }

    /// Plays the user clicking action `key` of notification `id`: the server
    /// emits `ActionInvoked`, then `NotificationClosed` with reason 2.
    pub fn invoke_action(&self, id: u32, key: &str) {
        self.gdbus(
            NOTIFICATIONS,
            NOTIFICATIONS_PATH,
            "test.NotifyCapture.InvokeAction",
            &[&id.to_string(), &gvariant_string(key)],
        );
    }

    /// Closes notification `id` with `reason` (1 expired, 2 dismissed by the
    /// user, 3 closed by a call): the server emits `NotificationClosed`.
    pub fn close(&self, id: u32, reason: u32) {
        self.gdbus(
            NOTIFICATIONS,
            NOTIFICATIONS_PATH,
            "test.NotifyCapture.Close",
            &[&id.to_string(), &reason.to_string()],
        );
    }

    /// Kills the notification recorder only (bus and keyring stay), and
    /// returns once the bus has released its name: there is then no
    /// notification server on this bus.
    pub fn stop_notifications(&self) {
        let pid_file = self.dir.path().join("notify.pid");
        if let Ok(pid) = fs::read_to_string(&pid_file) {
            let pid = pid.trim();
            // Signal it only if it still is the process session-up.sh started.
            if fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "python3") {
                run(Command::new("sh").args(["-c", "kill -TERM \"$1\"", "sh", pid]));
            }
            let _ = fs::remove_file(&pid_file);
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.name_has_owner(NOTIFICATIONS) {
            assert!(Instant::now() < deadline, "{NOTIFICATIONS} still owned 5 s after stopping the recorder");
            sleep(Duration::from_millis(20));
        }
    }

    /// Starts a notification recorder again (after
    /// [`Session::stop_notifications`]), advertising `capabilities` (e.g.
    /// `"actions body"`; `None`: the recorder's own list), logging to the
    /// same `notifications.jsonl`; returns once it owns the name.
    pub fn start_notifications(&self, capabilities: Option<&str>) {
        use std::io::BufRead;
        let log = fs::File::create(self.dir.path().join("notify.log")).expect("notify.log");
        let mut cmd = Command::new("/usr/bin/python3");
        cmd.arg(support("notify-capture.py"))
            .arg(self.dir.path().join("notifications.jsonl"))
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log);
        if let Some(caps) = capabilities {
            cmd.env("NOTIFY_CAPTURE_CAPS", caps);
        }
        let mut child = cmd.spawn().expect("notify-capture.py starts");
        fs::write(self.dir.path().join("notify.pid"), child.id().to_string()).expect("notify.pid");
        let stdout = child.stdout.take().expect("stdout");
        self.recorders.lock().unwrap_or_else(|p| p.into_inner()).push(child);
        let mut ready = String::new();
        std::io::BufReader::new(stdout).read_line(&mut ready).expect("read notify-capture.py");
        assert_eq!(ready.trim(), "ready", "notify-capture.py did not start: {}", self.notify_log());
    }

    /// Freezes the notification recorder (SIGSTOP): it keeps its name but
    /// answers nothing until [`Session::resume_notifications`].
    pub fn pause_notifications(&self) {
        self.signal_recorder("STOP");
    }

    /// Lets a frozen recorder run again (SIGCONT).
    pub fn resume_notifications(&self) {
        self.signal_recorder("CONT");
    }

    /// Freezes the bus daemon itself (SIGSTOP): connecting to it and every
    /// call through it hang until [`Session::resume_bus`].
    pub fn pause_bus(&self) {
        self.signal_process("dbus", "dbus-daemon", "STOP");
    }

    /// Lets a frozen bus daemon run again (SIGCONT).
    pub fn resume_bus(&self) {
        self.signal_process("dbus", "dbus-daemon", "CONT");
    }

    fn signal_recorder(&self, signal: &str) {
        self.signal_process("notify", "python3", signal);
    }

    /// Sends `signal` to the process in `DIR/<name>.pid`, if it still is
    /// the `comm` the scripts started.
    fn signal_process(&self, name: &str, comm: &str, signal: &str) {
        let pid = fs::read_to_string(self.dir.path().join(format!("{name}.pid"))).expect("pid file");
        let pid = pid.trim();
        assert!(
            fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == comm),
            "{comm} ({pid}) is not running"
        );
        let out = run(Command::new("kill").arg(format!("-{signal}")).arg(pid));
        assert!(out.status.success(), "kill -{signal} {pid}: {}", text(&out.stderr));
    }

    /// Stops the whole session (bus, recorder, keyring) and starts it again
    /// in the same directory: same bus address, new bus. Connections to
    /// the old bus are broken.
    pub fn restart(&self) {
        run(Command::new(support("session-down.sh")).arg(self.dir.path()));
        let out = run(Command::new(support("session-up.sh")).arg(self.dir.path()));
        assert!(out.status.success(), "session-up.sh failed: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains(&self.address), "the address changed: {}", text(&out.stdout));
    }

    fn notify_log(&self) -> String {
        fs::read_to_string(self.dir.path().join("notify.log")).unwrap_or_default()
    }

    /// Whether some connection owns the bus `name`.
    pub fn name_has_owner(&self, name: &str) -> bool {
        let reply = self.gdbus(
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            &[&gvariant_string(name)],
        );
        reply.trim() == "(true,)"
    }

    fn gdbus(&self, dest: &str, path: &str, method: &str, args: &[&str]) -> String {
        let out = run(Command::new("gdbus")
            .args(["call", "--address", &self.address, "--dest", dest, "--object-path", path, "--method", method])
            .args(args));
        assert!(out.status.success(), "gdbus {method} failed: {}", text(&out.stderr));
        text(&out.stdout)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new(support("session-down.sh")).arg(self.dir.path()).stdin(Stdio::null()).status();
        for mut recorder in self.recorders.lock().unwrap_or_else(|p| p.into_inner()).drain(..) {
            let _ = recorder.kill();
            let _ = recorder.wait();
        }
    }
}

/// `s` as a GVariant text literal, so gdbus never reads it as another type.
fn gvariant_string(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// Whether Debian's /usr/bin/python3 has GObject introspection with Gio
/// (a pyenv or virtualenv python3 usually has not, hence the fixed path).
fn python_gi() -> bool {
    static OK: OnceLock<bool> = OnceLock::new();
    *OK.get_or_init(|| {
        Command::new("/usr/bin/python3")
            .args(["-c", "import gi; gi.require_version('Gio', '2.0'); from gi.repository import Gio"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// A private Dovecot serving IMAPS on 127.0.0.1 with a self-signed
/// certificate (CN and SAN localhost, SAN IP 127.0.0.1). Mail is kept as
/// Maildirs in `dir()/mail/<user>`; INBOX plus Drafts, Sent, Trash and Junk
/// exist for every user. Stopped when dropped (about 1.1 s: Dovecot says BYE
/// to its clients and waits for its children).
pub struct Dovecot {
    dir: TempDir,
    port: u16,
    /// `DOVECOT_TEST_USERS` for dovecot-up.sh: "user:password ...".
    users: String,
}

impl Dovecot {
    /// Starts a server for `users` (user, password) on a free port (about
    /// 0.1 s); `None` (after a SKIP line) if Dovecot is not installed. An
    /// empty list means alice/secret and bob/secret.
    pub fn start(users: &[(&str, &str)]) -> Option<Dovecot> {
        need("dovecot", "the IMAP server the tests talk to; package dovecot-imapd")?;
        need("doveadm", "stores test messages through Dovecot; package dovecot-core")?;
        need("openssl", "makes the server's test certificate")?;
        let users = users.iter().map(|(u, p)| format!("{u}:{p}")).collect::<Vec<_>>().join(" ");
        let mut dovecot = Dovecot { dir: temp_dir(".vigie-imap."), port: 0, users };
        // The free port may be taken by someone else before Dovecot binds it.
        for attempt in 1.. {
            dovecot.port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
            match dovecot.up() {
                Ok(()) => return Some(dovecot),
                Err(e) if e.contains("Address already in use") && attempt < 5 => continue,
                Err(e) => panic!("dovecot-up.sh failed: {e}\n--- dovecot.log\n{}", dovecot.log()),
            }
        }
        unreachable!()
    }

    fn up(&self) -> Result<(), String> {
        let mut cmd = Command::new(support("dovecot-up.sh"));
        cmd.arg(self.dir.path()).arg(self.port.to_string());
        if !self.users.is_empty() {
            cmd.env("DOVECOT_TEST_USERS", &self.users);
        }
        let out = run(&mut cmd);
        if out.status.success() { Ok(()) } else { Err(text(&out.stderr)) }
    }

    /// The IMAPS port on 127.0.0.1 (connect to 127.0.0.1, not localhost:
    /// there is no listener on ::1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The self-signed server certificate, to trust as the only root.
    pub fn cert_path(&self) -> PathBuf {
        self.dir.path().join("tls/cert.pem")
    }

    /// The server directory: `dovecot.conf`, `dovecot.log`, `mail/`, `tls/`.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Stores `raw` in `folder` ("INBOX", "Junk", ...) of `user` through
    /// Dovecot itself (`doveadm save`), as a delivery would; clients in IDLE
    /// hear of it about 0.5 s later. The server must be running.
    pub fn deliver(&self, user: &str, folder: &str, raw: &[u8]) {
        let conf = self.dir.path().join("dovecot.conf");
        let mut child = Command::new(which("doveadm").expect("doveadm"))
            .arg("-c")
            .arg(&conf)
            .args(["save", "-u", user, "-m", folder])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run doveadm");
        // A write error means doveadm exited early; its status says why.
        let _ = child.stdin.take().expect("stdin").write_all(raw);
        let out = child.wait_with_output().expect("doveadm finishes");
        assert!(
            out.status.success(),
            "doveadm save -u {user} -m {folder} failed: {}\n--- dovecot.log\n{}",
            text(&out.stderr),
            self.log()
        );
    }

    /// Stops the server; mail and configuration stay for [`Dovecot::restart`].
    pub fn stop(&self) {
        let out = run(Command::new(support("dovecot-down.sh")).arg(self.dir.path()));
        assert!(out.status.success(), "dovecot-down.sh failed: {}", text(&out.stderr));
    }

    /// Stops the server and starts it again in the same directory on the
    /// same port, keeping mail, users and certificate.
    pub fn restart(&self) {
        self.stop();
        if let Err(e) = self.up() {
            panic!("restart failed: {e}\n--- dovecot.log\n{}", self.log());
        }
    }

    /// The server log, the first thing to print when a test fails.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = Command::new(support("dovecot-down.sh")).arg(self.dir.path()).stdin(Stdio::null()).status();
    }
}

/// A `vigie run` child whose standard error (its log) is collected line by
/// line; killed when dropped.
pub struct AgentProcess {
    pub child: std::process::Child,
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl AgentProcess {
    /// Spawns `command` (a `vigie … run`) with its stderr captured.
    pub fn spawn(mut command: Command) -> AgentProcess {
        let mut child = command
            .env("VIGIE_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("vigie run starts");
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = std::sync::Arc::clone(&log);
        let stderr = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().expect("log").push(line);
            }
        });
        AgentProcess { child, log }
    }

    /// The log so far.
    pub fn lines(&self) -> Vec<String> {
        self.log.lock().expect("log").clone()
    }

    /// Waits until `count` log lines contain `needle`.
    pub fn wait_for_log(&self, needle: &str, count: usize, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while self.lines().iter().filter(|l| l.contains(needle)).count() < count {
            assert!(
                Instant::now() < deadline,
                "no {count}× {needle:?} in the agent's log:\n{}",
                self.lines().join("\n")
            );
            sleep(Duration::from_millis(5));
        }
    }

    /// SIGTERM; the agent must exit cleanly within 10 s.
    pub fn stop(mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                assert!(status.success(), "exit {status}:\n{}", self.lines().join("\n"));
                return;
            }
            assert!(Instant::now() < deadline, "vigie run did not stop on SIGTERM");
            sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for AgentProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `raw` dated `at` (its Date header), with the Message-ID `<id@…>` when
/// `id` is given: the same fixture delivered as a new message now.
pub fn redated(raw: &[u8], at: chrono::DateTime<chrono::Utc>, id: Option<&str>) -> Vec<u8> {
    String::from_utf8_lossy(raw)
        .lines()
        .map(|l| match (l, id) {
            (l, _) if l.starts_with("Date:") => format!("Date: {}", at.to_rfc2822()),
            (l, Some(id)) if l.to_ascii_lowercase().starts_with("message-id:") => {
                format!("Message-ID: <{id}@info.ameli.fr>")
            }
            (l, _) => l.to_owned(),
        })
        .map(|l| format!("{l}\r\n"))
        .collect::<String>()
        .into_bytes()
}
