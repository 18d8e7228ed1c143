//! `vigie service install|uninstall|status`: make the agent start with the
//! user's session. A systemd user unit where a systemd user manager runs,
//! else an XDG autostart entry; a launchd agent on macOS. The launchers
//! "Mon compte ameli" and "FranceConnect" of each watched account are
//! installed too ([`super::launchers`]). The files are those of
//! `packaging/`, with the path of this very binary written in. Uninstall
//! stops the running agent, however it was started.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::{Args, Subcommand, ValueEnum};

use super::{Cli, CliError};
use crate::Exit;
use crate::config::Config;
use crate::messages::{self, Lang};

const UNIT: &str = include_str!("../../packaging/systemd/vigie.service");
const AUTOSTART: &str = include_str!("../../packaging/autostart/vigie.desktop");
const PLIST: &str = include_str!("../../packaging/macos/fr.vigie.agent.plist");

/// How the agent is started with the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// A systemd user unit (Linux with a systemd user manager)
    Systemd,
    /// An XDG autostart entry (other Linux desktops)
    Autostart,
    /// A launchd agent (macOS)
    Launchd,
}

/// Start vigie with your session (or stop doing so)
#[derive(Debug, Args)]
pub struct Service {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, Subcommand)]
pub enum Action {
    /// Install and start the agent, and the ameli/FranceConnect launchers
    Install(Options),
    /// Stop the agent and remove what install wrote
    Uninstall(Options),
    /// Say what is installed and whether the agent runs
    Status,
}

#[derive(Debug, Args)]
pub struct Options {
    /// Print what would be written and run, change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Force the kind of service [default: detected]
    #[arg(long, value_enum)]
    pub kind: Option<Kind>,
}

use super::launchers::{self, File};

/// What install writes and runs for a kind.
struct Plan {
    kind: Kind,
    files: Vec<File>,
    commands: Vec<Vec<String>>,
}

fn home(lang: Lang) -> Result<PathBuf, CliError> {
    dirs::home_dir().ok_or_else(|| CliError::System(messages::no_home(lang)))
}

/// `vigie …` in the packaged files becomes this binary's full path: the
/// session's PATH may not hold it (~/.cargo/bin).
fn with_binary(text: &str, exe: &str) -> String {
    text.lines()
        .map(|line| match line.split_once('=') {
            Some((key @ ("Exec" | "ExecStart"), value)) => {
                let args = value.split_once(' ').map_or("", |(_, a)| a);
                if exe.contains(' ') { format!("{key}=\"{exe}\" {args}") } else { format!("{key}={exe} {args}") }
            }
            _ => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn systemctl(args: &[&str]) -> Vec<String> {
    ["systemctl", "--user"].iter().chain(args).map(|s| (*s).to_owned()).collect()
}

/// What install writes for `kind`; the launchers of `accounts` where the
/// desktop has a menu (not launchd).
fn plan(kind: Kind, exe: &str, accounts: Option<&Config>, lang: Lang) -> Result<Plan, CliError> {
    let config = dirs::config_dir().ok_or_else(|| CliError::System(messages::no_home(lang)))?;
    let launchers = |files: &mut Vec<File>| -> Result<(), CliError> {
        if let Some(accounts) = accounts {
            files.extend(launchers::launcher_files(accounts, exe, &launchers::applications_dir()?));
        }
        Ok(())
    };
    Ok(match kind {
        Kind::Systemd => {
            let mut files =
                vec![File { path: config.join("systemd/user/vigie.service"), contents: with_binary(UNIT, exe) }];
            launchers(&mut files)?;
            Plan {
                kind,
                files,
                commands: vec![systemctl(&["daemon-reload"]), systemctl(&["enable", "--now", "vigie.service"])],
            }
        }
        Kind::Autostart => {
            let mut files =
                vec![File { path: config.join("autostart/vigie.desktop"), contents: with_binary(AUTOSTART, exe) }];
            launchers(&mut files)?;
            Plan { kind, files, commands: vec![vec![exe.to_owned(), "run".to_owned()]] }
        }
        Kind::Launchd => {
            let home = home(lang)?;
            let path = home.join("Library/LaunchAgents/fr.vigie.agent.plist");
            let contents = PLIST.replace("/usr/local/bin/vigie", exe).replace("__HOME__", &home.display().to_string());
            let commands = vec![vec!["launchctl".into(), "load".into(), "-w".into(), path.display().to_string()]];
            Plan { kind, files: vec![File { path, contents }], commands }
        }
    })
}

/// A systemd user manager answers.
fn systemd_user_manager() -> bool {
    Command::new("systemctl")
        .args(["--user", "show-environment"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn detect() -> Kind {
    if cfg!(target_os = "macos") {
        Kind::Launchd
    } else if systemd_user_manager() {
        Kind::Systemd
    } else {
        Kind::Autostart
    }
}

/// Runs `command`; its failure as technical detail (the user reads
/// [`messages::service_command_failed`]).
fn run(command: &[String]) -> Result<(), String> {
    let (program, args) = command.split_first().ok_or("empty command")?;
    let status = Command::new(program).args(args).status().map_err(|e| format!("{program}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{}: {status}", command.join(" "))) }
}

/// Stops an agent still running after the service manager stopped its own
/// (one started by the autostart entry or by hand): SIGTERM to the pid its
/// status file gives, then waits for it to let go of its lock.
fn stop_running_agent(data_dir: &Path) -> Result<bool, String> {
    if !agent_running(data_dir) {
        return Ok(false);
    }
    let status = crate::agent_status::AgentStatus::read(data_dir).ok_or("no status file")?;
    let pid = i32::try_from(status.pid).ok().and_then(rustix::process::Pid::from_raw).ok_or("bad pid")?;
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).map_err(|e| format!("kill {pid:?}: {e}"))?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while agent_running(data_dir) {
        if std::time::Instant::now() > deadline {
            return Err("the agent did not stop within 10 s".into());
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Ok(true)
}

/// Starts the agent in the background, in a process group of its own so
/// that closing the terminal does not stop it.
fn spawn_detached(command: &[String]) -> Result<(), String> {
    let (program, args) = command.split_first().ok_or("empty command")?;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    cmd.spawn().map(|_| ()).map_err(|e| format!("{program}: {e}"))
}

fn write(file: &File) -> Result<(), CliError> {
    if let Some(dir) = file.path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&file.path, &file.contents)?;
    Ok(())
}

impl Service {
    pub fn execute(&self, cli: &Cli) -> Result<Exit, CliError> {
        let lang = cli.lang;
        let exe = std::env::current_exe()?.display().to_string();
        let data_dir = crate::config::data_dir(cli.data_dir.as_deref())?;
        match &self.action {
            Action::Install(o) => {
                let config = cli.load_config()?;
                let kind = o.kind.unwrap_or_else(detect);
                install(&plan(kind, &exe, (kind != Kind::Launchd).then_some(&config), lang)?, o.dry_run, lang)
            }
            Action::Uninstall(o) => {
                let kind = o.kind.unwrap_or_else(detect);
                uninstall(&plan(kind, &exe, None, lang)?, &data_dir, o.dry_run, lang)
            }
            Action::Status => status(&exe, &data_dir, lang),
        }
    }
}

fn install(plan: &Plan, dry_run: bool, lang: Lang) -> Result<Exit, CliError> {
    if !dry_run && let Some(apps) = plan.files.first().and_then(|_| launchers::applications_dir().ok()) {
        // Launchers of accounts no longer configured go.
        for stale in launchers::existing_launchers(&apps) {
            if !plan.files.iter().any(|f| f.path == stale) {
                std::fs::remove_file(&stale)?;
                println!("{}", messages::service_removed(&stale, lang));
            }
        }
    }
    for file in &plan.files {
        if dry_run {
            println!("{}\n{}", messages::service_would_write(&file.path, lang), file.contents);
        } else {
            write(file)?;
            println!("{}", messages::service_wrote(&file.path, lang));
        }
    }
    for command in &plan.commands {
        if dry_run {
            println!("{}", messages::service_would_run(&command.join(" "), lang));
            continue;
        }
        let outcome = match plan.kind {
            Kind::Autostart => spawn_detached(command),
            _ => run(command),
        };
        if let Err(e) = outcome {
            eprintln!("{}", messages::service_command_failed(&command.join(" "), &e, lang));
            return Ok(Exit::Attention);
        }
    }
    if !dry_run {
        println!("{}", messages::service_installed(plan.kind == Kind::Autostart, lang));
    }
    Ok(Exit::Ok)
}

fn uninstall(plan: &Plan, data_dir: &Path, dry_run: bool, lang: Lang) -> Result<Exit, CliError> {
    let mut exit = Exit::Ok;
    let stop = match plan.kind {
        Kind::Systemd => Some(systemctl(&["disable", "--now", "vigie.service"])),
        Kind::Launchd => plan
            .files
            .first()
            .map(|f| vec!["launchctl".into(), "unload".into(), "-w".into(), f.path.display().to_string()]),
        Kind::Autostart => None,
    };
    if let Some(command) = stop {
        if dry_run {
            println!("{}", messages::service_would_run(&command.join(" "), lang));
        } else if let Err(e) = run(&command) {
            eprintln!("{}", messages::service_command_failed(&command.join(" "), &e, lang));
        }
    }
    let mut files: Vec<PathBuf> = plan.files.iter().map(|f| f.path.clone()).collect();
    if plan.kind != Kind::Launchd {
        files.extend(launchers::existing_launchers(&launchers::applications_dir()?));
    }
    for path in &files {
        if dry_run {
            println!("{}", messages::service_would_remove(path, lang));
        } else if path.exists() {
            std::fs::remove_file(path)?;
            println!("{}", messages::service_removed(path, lang));
        }
    }
    if dry_run {
        return Ok(exit);
    }
    if plan.kind == Kind::Systemd {
        let _ = run(&systemctl(&["daemon-reload"]));
    }
    match stop_running_agent(data_dir) {
        Ok(true) => println!("{}", messages::service_agent_stopped(lang)),
        Ok(false) => {}
        Err(e) => {
            eprintln!("{}", messages::service_agent_still_running(&e, lang));
            exit = Exit::Attention;
        }
    }
    Ok(exit)
}

/// Whether an agent holds the journal's single-instance lock.
pub fn agent_running(data_dir: &Path) -> bool {
    match std::fs::File::open(data_dir.join(super::run::LOCK_FILE)) {
        Ok(file) => matches!(file.try_lock(), Err(std::fs::TryLockError::WouldBlock)),
        Err(_) => false,
    }
}

fn status(exe: &str, data_dir: &Path, lang: Lang) -> Result<Exit, CliError> {
    let mut installed = None;
    for kind in [Kind::Systemd, Kind::Autostart, Kind::Launchd] {
        if let Some(file) = plan(kind, exe, None, lang)?.files.first().filter(|f| f.path.exists()) {
            installed = Some((kind, file.path.clone()));
            break;
        }
    }
    let running = agent_running(data_dir);
    println!("{}", messages::service_status(installed.as_ref().map(|(_, p)| p.as_path()), running, lang));
    Ok(if installed.is_some() && running { Exit::Ok } else { Exit::Attention })
}
