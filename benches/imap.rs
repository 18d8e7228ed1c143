//! Benchmarks of the watch against a real Dovecot (and a private D-Bus
//! session for the alerts), not timed tests:
//!
//! ```text
//! cargo bench --bench imap -- latency      # 50 APPENDs: push -> alert, APPEND -> alert
//! cargo bench --bench imap -- first-scan   # first scan of 50,000 messages holding 20 notices
//! cargo bench --bench imap -- idle [MIN]   # RSS and CPU time of `vigie run` idle for MIN minutes (10)
//! ```
//!
//! Targets: push -> alert median and p99 <= 0.1 s; first scan <= 3 s and
//! <= 1 % of the mailbox's bytes fetched; idle RSS <= 10 MB and CPU close
//! to zero.

#[path = "../tests/common/mod.rs"]
mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{AgentProcess, Dovecot, Session};

const NOTICE: &[u8] = include_bytes!("../tests/fixtures/ameli-login-date-with-weekday.eml");

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        println!("imap benchmarks: run with `cargo bench --bench imap -- latency|first-scan|idle`");
        return;
    }
    let wanted = |name: &str| args.iter().any(|a| a == name);
    let all = !wanted("latency") && !wanted("first-scan") && !wanted("idle");
    if all || wanted("latency") {
        latency();
    }
    if all || wanted("first-scan") {
        first_scan();
    }
    if wanted("idle") {
        let minutes = args.iter().find_map(|a| a.parse::<u64>().ok()).unwrap_or(10);
        idle(minutes);
    }
}

fn epoch(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or_default()
}

/// A config and data dir for one account on `dovecot`.
fn setup(dovecot: &Dovecot, dir: &Path) -> PathBuf {
    let config = dir.join("config.toml");
    fs::write(
        &config,
        format!(
            "[[account]]\nname = \"Mamie\"\nimap_host = \"127.0.0.1\"\nimap_port = {}\nusername = \"alice\"\n\
             password_command = \"printf secret\"\ntls_ca_file = \"{}\"\nfolders = [\"INBOX\"]\n",
            dovecot.port(),
            dovecot.cert_path().display()
        ),
    )
    .expect("config");
    config
}

/// `vigie run` on `config`, alerting on `session`.
fn start_agent(session: &Session, config: &Path, data: &Path) -> AgentProcess {
    let mut command = session.command(env!("CARGO_BIN_EXE_vigie"));
    command.arg("--config").arg(config).arg("--data-dir").arg(data).arg("run");
    AgentProcess::spawn(command)
}

/// Wall-clock times of the agent's log lines containing `needle`.
fn times(agent: &AgentProcess, needle: &str) -> Vec<f64> {
    agent
        .lines()
        .iter()
        .filter(|l| l.contains(needle))
        .filter_map(|l| l.split_whitespace().next())
        .filter_map(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp_micros() as f64 / 1e6)
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn report(name: &str, mut values: Vec<f64>) {
    values.sort_by(f64::total_cmp);
    println!(
        "{name}: n={} median={:.1} ms p99={:.1} ms min={:.1} ms max={:.1} ms",
        values.len(),
        percentile(&values, 50.0) * 1e3,
        percentile(&values, 99.0) * 1e3,
        values[0] * 1e3,
        values[values.len() - 1] * 1e3
    );
}

/// (a) 50 notices APPENDed one by one while `vigie run` waits in IDLE.
fn latency() {
    let (Some(dovecot), Some(session)) = (Dovecot::start(&[]), Session::start()) else { return };
    let Some(curl) = common::need("curl", "APPENDs like a real sender") else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let config = setup(&dovecot, dir.path());
    let agent = start_agent(&session, &config, &dir.path().join("data"));
    agent.wait_for_log("synced", 1, Duration::from_secs(60));
    let template = String::from_utf8_lossy(NOTICE).into_owned();
    let (mut internal, mut end_to_end) = (Vec::new(), Vec::new());
    for i in 0..50 {
        std::thread::sleep(Duration::from_millis(700));
        let raw = template.replace("Message-ID: <", &format!("Message-ID: <bench{i}."));
        let file = dir.path().join("msg.eml");
        fs::write(&file, raw).expect("write");
        let before = session.notifications().len();
        let status = Command::new(&curl)
            .args(["-sS", "--cacert"])
            .arg(dovecot.cert_path())
            .args(["-u", "alice:secret", "-T"])
            .arg(&file)
            .arg(format!("imaps://127.0.0.1:{}/INBOX", dovecot.port()))
            .status()
            .expect("curl");
        let appended = epoch(SystemTime::now());
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        let notified = loop {
            let all = session.notifications();
            if all.len() > before {
                break all[before]["time"].as_f64().expect("time");
            }
            assert!(Instant::now() < deadline, "no alert for APPEND {i}");
            std::thread::sleep(Duration::from_millis(2));
        };
        // One log line per channel (desktop, terminal) and alert.
        agent.wait_for_log("vigie::watch::deliver: alert finding=", 2 * (i + 1), Duration::from_secs(60));
        let pushed = times(&agent, "mail pushed").into_iter().filter(|&t| t <= notified).fold(f64::NAN, f64::max);
        internal.push(notified - pushed);
        end_to_end.push(notified - appended);
    }
    println!("\n== latency over {} APPENDs (vigie run, IDLE, desktop alert)", internal.len());
    report("IDLE push reaching vigie -> alert handed to the notification server", internal);
    report("APPEND completed -> alert handed to the notification server", end_to_end);
}

/// (b) A first `vigie check` over 50,000 messages (20 notices).
fn first_scan() {
    let Some(dovecot) = Dovecot::start(&[]) else { return };
    let cur = dovecot.dir().join("mail/alice/cur");
    fs::create_dir_all(&cur).expect("cur/");
    let now = SystemTime::now();
    let day = Duration::from_secs(86_400);
    let filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(60);
    let mut total: u64 = 0;
    let started = Instant::now();
    for i in 0..50_000u32 {
        let (from, subject, body, age_days) = match i {
            // 20 notices over the last 20 days.
            i if i % 2_500 == 7 => (String::new(), String::new(), String::new(), u64::from(i / 2_500)),
            // Mail that mentions ameli in the subject (mutuelle, family): fetched too.
            i if i % 250 == 3 => (
                "Ma Mutuelle <news@mutuelle.example>".into(),
                format!("Vos remboursements ameli et mutuelle n°{i}"),
                filler.clone(),
                u64::from(i % 30),
            ),
            i => (
                format!("Newsletter {} <news{}@shop.example>", i % 97, i % 97),
                format!("Offre de la semaine n°{i}"),
                format!("<html><body><p>{filler}</p><p>{filler}</p></body></html>"),
                u64::from(i % 730),
            ),
        };
        let raw = if from.is_empty() {
            String::from_utf8_lossy(NOTICE).replace("Message-ID: <", &format!("Message-ID: <scan{i}."))
        } else {
            format!(
                "From: {from}\r\nTo: jeanne.dupont@orange.fr\r\nSubject: {subject}\r\nDate: Mon, 2 Nov 2026 10:00:00 +0100\r\n\
                 Message-ID: <m{i}@example>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{body}\r\n"
            )
        };
        let path = cur.join(format!("{i}.bench.localhost:2,S"));
        fs::write(&path, &raw).expect("write message");
        let file = fs::File::options().write(true).open(&path).expect("open");
        file.set_modified(now - day * u32::try_from(age_days).unwrap_or(0)).expect("internal date");
        total += raw.len() as u64;
    }
    println!(
        "\n== first scan: 50,000 messages, {:.1} MB, written in {:.1} s",
        total as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    // Dovecot indexes a new Maildir on first access: that is the server's
    // cost, done before vigie's clock starts.
    let indexed = Instant::now();
    let status = Command::new("doveadm")
        .arg("-c")
        .arg(dovecot.dir().join("dovecot.conf"))
        .args(["mailbox", "status", "-u", "alice", "messages", "INBOX"])
        .output()
        .expect("doveadm");
    println!(
        "server indexing (not vigie): {:.1} s, {}",
        indexed.elapsed().as_secs_f64(),
        String::from_utf8_lossy(&status.stdout).trim()
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let config = setup(&dovecot, dir.path());
    let cfg = vigie::config::Config::load(Some(&config)).expect("config");
    let account = cfg.accounts[0].clone();
    let rules = cfg.rules().expect("rules");
    let data = dir.path().join("data");
    let shared = vigie::agent::Shared::new(cfg, rules, data.clone(), vigie::messages::Lang::Fr, false);
    let mut journal = vigie::journal::Journal::open_in(&data).expect("journal");
    let t = Instant::now();
    let report = vigie::agent::check_account(&shared, &mut journal, &account).expect("sync");
    let sync = t.elapsed();
    println!(
        "vigie first sync: {:.2} s, {} notices recorded, {:.1} KB fetched = {:.3} % of the mailbox",
        sync.as_secs_f64(),
        report.new_notices,
        report.bytes_fetched as f64 / 1e3,
        100.0 * report.bytes_fetched as f64 / total as f64
    );

    // The whole command, a fresh journal, alerts included (no desktop).
    let data2 = dir.path().join("data2");
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(&data2)
        .args(["check", "--json"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bench-bus")
        .stderr(Stdio::null())
        .output()
        .expect("vigie check");
    println!(
        "vigie check (whole command, 20 alerts): {:.2} s, {} findings",
        t.elapsed().as_secs_f64(),
        String::from_utf8_lossy(&out.stdout).lines().count()
    );
}

/// (c) `vigie run` idle for `minutes`: resident memory and CPU time.
fn idle(minutes: u64) {
    let (Some(dovecot), Some(session)) = (Dovecot::start(&[]), Session::start()) else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let config = setup(&dovecot, dir.path());
    let agent = start_agent(&session, &config, &dir.path().join("data"));
    agent.wait_for_log("synced", 1, Duration::from_secs(60));
    let pid = agent.child.id();
    let ticks: f64 = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0);
    let cpu = || -> f64 {
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
        let n = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
        (n(11) + n(12)) / ticks // utime + stime
    };
    let rss = || -> u64 {
        fs::read_to_string(format!("/proc/{pid}/status"))
            .unwrap_or_default()
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0)
    };
    let (cpu0, start) = (cpu(), Instant::now());
    let mut max_rss = rss();
    while start.elapsed() < Duration::from_secs(60 * minutes) {
        std::thread::sleep(Duration::from_secs(5));
        max_rss = max_rss.max(rss());
    }
    println!(
        "\n== idle {minutes} min: RSS {:.1} MB (max {:.1} MB), CPU {:.3} s over {:.0} s ({:.4} %)",
        rss() as f64 / 1024.0,
        max_rss as f64 / 1024.0,
        cpu() - cpu0,
        start.elapsed().as_secs_f64(),
        100.0 * (cpu() - cpu0) / start.elapsed().as_secs_f64()
    );
}
