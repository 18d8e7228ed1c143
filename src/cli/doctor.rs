//! `vigie doctor`: checks everything vigie needs, one line each, ✔ or ✘
//! with what to do. With `browser_history = true` on an account, one line
//! per browser history found: read, or why not.

use clap::Args;

use super::{Cli, CliError, service};
use crate::Exit;
use crate::agent::{self, AgentError};
use crate::agent_status;
use crate::alert::DesktopAlerter;
use crate::config;
use crate::journal::Journal;
use crate::messages::{self, Check};
use crate::own_logins;

/// Check the config, passwords, mailboxes, notifications, journal, service
#[derive(Debug, Args)]
pub struct Doctor {}

impl Doctor {
    pub fn execute(&self, cli: &Cli) -> Result<Exit, CliError> {
        let lang = cli.lang;
        let mut checks: Vec<Check> = Vec::new();

        let config = match cli.load_config() {
            Ok(c) if c.accounts.is_empty() => {
                checks.push(Check::NoAccounts);
                Some(c)
            }
            Ok(c) => {
                checks.push(Check::Config(c.accounts.len()));
                Some(c)
            }
            Err(e) => {
                checks.push(Check::ConfigBroken(e.render(lang)));
                None
            }
        };
        for account in config.iter().flat_map(|c| &c.accounts) {
            match agent::connect(account).and_then(|mut imap| {
                let folders = imap.folders(account.folders.as_deref())?;
                imap.logout();
                Ok(folders)
            }) {
                Ok(folders) => checks.push(Check::Mailbox { account: account.name.clone(), folders }),
                Err(e @ AgentError::Secret(_)) => checks.push(Check::Password {
                    account: account.name.clone(),
                    problem: messages::mailbox_problem(&account.name, &e, lang),
                }),
                Err(e) => checks.push(Check::MailboxBroken {
                    account: account.name.clone(),
                    problem: messages::mailbox_problem(&account.name, &e, lang),
                }),
            }
        }

        checks.push(match DesktopAlerter::new(false).probe() {
            Ok(buttons) => Check::Notifications { buttons },
            Err(e) => Check::NoNotifications(e),
        });

        let data_dir = config::data_dir(cli.data_dir.as_deref())?;
        let private =
            crate::private_fs::create_private_dir(&data_dir).map_err(|e| messages::private_fs_problem(&e, lang));
        checks.push(
            match private.and_then(|()| Journal::open_in(&data_dir).map_err(|e| messages::journal_problem(&e, lang))) {
                Ok(j) => Check::Journal(j.path().to_path_buf()),
                Err(e) => Check::JournalBroken(e),
            },
        );

        // Only when an account asked for it: reading the histories is the
        // user's choice (`browser_history = true`).
        let mut history_lines: Vec<(bool, String)> = Vec::new();
        if let Some(config) = config.as_ref().filter(|c| c.accounts.iter().any(|a| a.browser_history)) {
            let home = dirs::home_dir().unwrap_or_default();
            let rules = config.rules()?;
            let read = own_logins::collect(&home, chrono::Utc::now(), rules.browser_visits(), &Default::default());
            if read.statuses.is_empty() {
                history_lines.push(messages::no_history_line(lang));
            }
            history_lines.extend(read.statuses.iter().map(|s| messages::history_line(s, lang)));
        }

        let running = service::agent_running(&data_dir);
        checks.push(Check::Service { running });

        let mut all_well = true;
        let mut lines: Vec<(bool, String)> = checks.iter().map(|check| messages::doctor_line(check, lang)).collect();
        lines.extend(history_lines);
        if let Some(config) = &config {
            lines.extend(messages::agent_view_line(&agent_status::view(&data_dir, running, config), lang));
        }
        for (ok, line) in lines {
            all_well &= ok;
            println!("{} {}", if ok { "✔" } else { "✘" }, crate::notice::terminal_safe_text(&line));
        }
        Ok(if all_well { Exit::Ok } else { Exit::Attention })
    }
}
