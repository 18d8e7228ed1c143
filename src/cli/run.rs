//! `vigie run`: the agent. One watcher per account (IDLE where the server
//! offers it, polling where not), a monitor that reconnects after a
//! suspend, and a clean stop on SIGTERM or SIGINT. Logs go to standard
//! error through `tracing` (`VIGIE_LOG=debug` for more); they never hold
//! mail bodies or secrets.

use clap::Args;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use super::{Cli, CliError};

/// Held by the running agent in the data directory: one agent at a time
/// (a desktop may start it both from systemd and from autostart).
pub const LOCK_FILE: &str = "vigie.lock";
use crate::Exit;
use crate::agent::{Shared, Watcher, watch_for_resume};
use crate::messages;

/// Watch every configured mailbox until stopped (what the service runs)
#[derive(Debug, Args)]
pub struct Run {}

impl Run {
    pub fn execute(&self, cli: &Cli) -> Result<Exit, CliError> {
        let context = cli.context()?;
        if context.config.accounts.is_empty() {
            return Err(CliError::Usage(messages::no_accounts(cli.lang)));
        }
        let filter = tracing_subscriber::EnvFilter::try_from_env("VIGIE_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
        // Colours only on a terminal: the service manager's log wants plain text.
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
        let _ =
            tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi).with_writer(std::io::stderr).try_init();

        let rules = context.config.rules()?;
        // Fail now, with a clear message, if the journal cannot be used.
        drop(context.journal()?);
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(context.data_dir.join(LOCK_FILE))?;
        if let Err(std::fs::TryLockError::WouldBlock) = lock.try_lock() {
            println!("{}", messages::already_running(cli.lang));
            return Ok(Exit::Ok);
        }
        let mut signals =
            Signals::new([SIGTERM, SIGINT]).map_err(|e| CliError::Usage(format!("cannot catch signals: {e}")))?;
        let handle = signals.handle();
        let shared = Shared::new(context.config, rules, context.data_dir, cli.lang, true);
        tracing::info!(accounts = shared.config.accounts.len(), "vigie is watching");
        std::thread::scope(|s| {
            for account in &shared.config.accounts {
                let shared = &shared;
                s.spawn(move || Watcher { shared, account }.run());
            }
            s.spawn(|| watch_for_resume(&shared));
            s.spawn(|| {
                if let Some(signal) = signals.forever().next() {
                    tracing::info!(signal, "stopping");
                }
                shared.request_stop();
            });
        });
        handle.close();
        Ok(Exit::Ok)
    }
}
