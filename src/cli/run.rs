//! `vigie run`: the agent. One watcher per account (IDLE where the server
//! offers it, polling where not), a monitor that reconnects after a
//! suspend, and a clean stop on SIGTERM or SIGINT. Logs go to standard
//! error through `tracing` (`VIGIE_LOG=debug` for more) unless that is a
//! terminal and nobody asked (`--verbose`); they never hold mail bodies or
//! secrets.
//!
//! The agent follows its config: on SIGHUP, and when the file changes (its
//! inode, size or times, looked at every [`CONFIG_POLL`]), it reads it
//! again and, if it differs, stops every watcher and starts them again on
//! the new one. Nothing is lost in between: the journal keeps every cursor,
//! and a restarted watcher resumes from it. A config that cannot be used
//! leaves the previous one running, and says so in the log and in the
//! agent's status file ([`crate::agent_status`]), which `doctor` and
//! `setup` read.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::time::{Duration, Instant};

use chrono::Utc;
use clap::Args;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use super::{Cli, CliError};
use crate::Exit;
use crate::agent::{Shared, Watcher, watch_for_resume};
use crate::agent_status::{AgentStatus, ReloadError};
use crate::alert::DesktopAlerter;
use crate::config::{self, Config};
use crate::journal::Journal;
use crate::messages::{self, Lang};
use crate::notice::Rules;
use crate::watch::SystemClock;
use crate::watch::deliver::listen_for_clicks;

/// Held by the running agent in the data directory: one agent at a time
/// (a desktop may start it both from systemd and from autostart).
pub const LOCK_FILE: &str = "vigie.lock";
/// How often the config file is looked at for a change.
pub const CONFIG_POLL: Duration = Duration::from_secs(2);
/// A change is acted on once the file has stayed the same this long (an
/// editor that writes in two steps).
const CONFIG_SETTLE: Duration = Duration::from_millis(300);
/// How often the agent matches and shows what is due between syncs.
const EVALUATE_EVERY: Duration = Duration::from_secs(20);

/// Watch every configured mailbox until stopped (what the service runs)
#[derive(Debug, Args)]
pub struct Run {}

/// What the control loop hears.
enum Event {
    Stop(i32),
    Reload(&'static str),
}

/// What ends one generation of watchers.
enum Next {
    Stop,
    Reload(Box<Config>, Box<Rules>),
}

impl Run {
    pub fn execute(&self, cli: &Cli) -> Result<Exit, CliError> {
        let context = cli.context()?;
        if context.config.accounts.is_empty() {
            return Err(CliError::Usage(messages::no_accounts(cli.lang)));
        }
        init_log(cli.verbose);
        crate::agent::memory::one_arena();

        let mut rules = context.config.rules()?;
        // Fail now, with a clear message, if the journal cannot be used.
        drop(context.journal()?);
        let lock = crate::private_fs::open_private_file(&context.data_dir.join(LOCK_FILE), true)
            .map_err(|e| CliError::Usage(messages::private_fs_problem(&e, cli.lang)))?;
        if let Err(std::fs::TryLockError::WouldBlock) = lock.try_lock() {
            println!("{}", messages::already_running(cli.lang));
            return Ok(Exit::Ok);
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let mut signals = Signals::new([SIGTERM, SIGINT, SIGHUP])
            .map_err(|e| CliError::System(messages::cannot_catch_signals(&e.to_string(), cli.lang)))?;
        let handle = signals.handle();
        let signal_tx = tx.clone();
        std::thread::spawn(move || {
            for signal in signals.forever() {
                let event = if signal == SIGHUP { Event::Reload("SIGHUP") } else { Event::Stop(signal) };
                let stop = matches!(event, Event::Stop(_));
                if signal_tx.send(event).is_err() || stop {
                    return;
                }
            }
        });
        let config_path = config::config_path(cli.config.as_deref());
        let watching = Arc::new(AtomicBool::new(true));
        if let Some(path) = config_path.clone() {
            let (tx, watching) = (tx.clone(), Arc::clone(&watching));
            std::thread::spawn(move || watch_config_file(path, tx, &watching));
        }
        drop(tx);

        let (data_dir, lang) = (context.data_dir, cli.lang);
        {
            // One listener for the clicks on every notification, for the
            // life of the process (config reloads included).
            let (data_dir, watching) = (data_dir.clone(), Arc::clone(&watching));
            std::thread::spawn(move || listen_for_clicks_when_possible(&data_dir, lang, &watching));
        }
        let mut config = context.config;
        // Parsing the command line, the config and the rules is over: the
        // peak of the first sync need not hold their pages too.
        crate::agent::memory::give_back();
        loop {
            let shared = Shared::new(config, rules, data_dir.clone(), lang, true);
            let mut status = AgentStatus::new(&shared.config, config_path.clone(), Utc::now());
            if let Err(e) = status.write(&data_dir) {
                tracing::warn!(error = %e, "cannot write the agent's status file");
            }
            tracing::info!(accounts = shared.config.accounts.len(), "vigie is watching");
            let next = std::thread::scope(|s| {
                for account in &shared.config.accounts {
                    let shared = &shared;
                    s.spawn(move || Watcher { shared, account }.run());
                }
                s.spawn(|| watch_for_resume(&shared));
                s.spawn(|| evaluate_periodically(&shared));
                let next = next_generation(&rx, &shared, cli, &mut status);
                shared.request_stop();
                next
            });
            match next {
                Next::Stop => break,
                Next::Reload(new_config, new_rules) => (config, rules) = (*new_config, *new_rules),
            }
        }
        watching.store(false, Ordering::Relaxed);
        AgentStatus::remove(&data_dir);
        handle.close();
        Ok(Exit::Ok)
    }
}

/// Between syncs, matches and shows what is due every [`EVALUATE_EVERY`]:
/// desktop retries, reminders of open alerts, missing notices whose wait
/// is over. Returns when the watch stops.
fn evaluate_periodically(shared: &Shared) {
    let mut last = Instant::now();
    while !shared.stopping() {
        std::thread::sleep(Duration::from_millis(500));
        if last.elapsed() < EVALUATE_EVERY && !shared.hold_ended(chrono::Utc::now()) {
            continue;
        }
        last = Instant::now();
        let evaluated = Journal::open_in(&shared.data_dir).and_then(|mut j| shared.evaluate(&mut j, &SystemClock));
        if let Err(e) = evaluated {
            tracing::error!(error = %e, "journal");
        }
        crate::agent::memory::give_back();
    }
}

/// Takes the desktop's clicks as soon as a session bus answers, then turns
/// each into an answer, until the process ends.
fn listen_for_clicks_when_possible(data_dir: &Path, lang: Lang, watching: &AtomicBool) {
    while watching.load(Ordering::Relaxed) {
        if let Some(events) = DesktopAlerter::events() {
            listen_for_clicks(events, data_dir.to_path_buf(), lang);
            return;
        }
        // The attempt's code is not needed for the next 30 s.
        crate::agent::memory::give_back();
        std::thread::sleep(Duration::from_secs(30));
    }
}

/// The agent's log (English, technical) goes to standard error when that
/// is the service manager's journal or a file, or when asked for
/// (`--verbose`, `VIGIE_LOG`, `RUST_LOG`). On a terminal otherwise, the
/// user sees only the alerts, in their language, not log lines mixed in.
fn init_log(verbose: bool) {
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let asked = ["VIGIE_LOG", "RUST_LOG"].iter().find(|v| std::env::var_os(v).is_some());
    if terminal && !verbose && asked.is_none() {
        return;
    }
    let filter = asked
        .and_then(|v| tracing_subscriber::EnvFilter::try_from_env(v).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new(if verbose { "debug" } else { "info" }));
    // Colours only on a terminal: the service manager's log wants plain text.
    let _ =
        tracing_subscriber::fmt().with_env_filter(filter).with_ansi(terminal).with_writer(std::io::stderr).try_init();
}

/// Waits for a stop or for a config that differs from the running one. A
/// config that cannot be used is logged and written to the status file,
/// and the watch goes on with the previous one.
fn next_generation(rx: &Receiver<Event>, shared: &Shared, cli: &Cli, status: &mut AgentStatus) -> Next {
    loop {
        let why = match rx.recv() {
            Ok(Event::Reload(why)) => why,
            Ok(Event::Stop(signal)) => {
                tracing::info!(signal, "stopping");
                return Next::Stop;
            }
            Err(_) => return Next::Stop,
        };
        let loaded = cli.load_config().and_then(|c| c.rules().map(|r| (c, r)).map_err(CliError::from));
        match loaded {
            // The same settings: nothing to restart (a touch, a SIGHUP).
            Ok((config, _)) if format!("{config:?}") == format!("{:?}", shared.config) => {
                // The status first: whoever reads the log line finds the
                // status that goes with it.
                if status.reload_error.take().is_some() {
                    let _ = status.write(&shared.data_dir);
                }
                tracing::info!(why, "configuration unchanged");
            }
            Ok((config, rules)) => {
                tracing::info!(why, accounts = config.accounts.len(), "configuration changed: restarting the watch");
                return Next::Reload(Box::new(config), Box::new(rules));
            }
            Err(e) => {
                status.reload_error = Some(ReloadError { at: Utc::now(), message: e.render(shared.lang) });
                if let Err(e) = status.write(&shared.data_dir) {
                    tracing::warn!(error = %e, "cannot write the agent's status file");
                }
                tracing::warn!(why, error = %e, "the configuration cannot be used: still watching with the previous one");
            }
        }
    }
}

/// What identifies a version of the config file: device, inode, size,
/// modification and change times (none while it does not exist).
fn fingerprint(path: &std::path::Path) -> Option<(u64, u64, u64, i64, i64, i64, i64)> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    Some((m.dev(), m.ino(), m.size(), m.mtime(), m.mtime_nsec(), m.ctime(), m.ctime_nsec()))
}

/// Sends a reload each time the config file at `path` changes, until
/// `watching` is cleared or nobody listens. Polling, rather than inotify:
/// one `stat` every two seconds, and it sees a file replaced by a rename
/// (`vigie setup`, editors) or reached through a symbolic link that moved.
fn watch_config_file(path: PathBuf, tx: Sender<Event>, watching: &AtomicBool) {
    let mut last = fingerprint(&path);
    while watching.load(Ordering::Relaxed) {
        std::thread::sleep(CONFIG_POLL);
        let now = fingerprint(&path);
        if now == last {
            continue;
        }
        std::thread::sleep(CONFIG_SETTLE);
        if fingerprint(&path) != now {
            continue;
        }
        last = now;
        if tx.send(Event::Reload("config file changed")).is_err() {
            return;
        }
    }
}
