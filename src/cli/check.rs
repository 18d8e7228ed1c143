//! `vigie check [--json]`: one pass over every account, then exit. Each
//! finding is raised once: a second check over the same mail prints
//! nothing new.
//!
//! Exit status: 3 when a mailbox could not be read, else 1 when this pass
//! raised a finding, else 0 (2: bad usage or config).

use clap::Args;

use super::{Cli, CliError};
use crate::Exit;
use crate::agent::{self, Shared};
use crate::messages;
use crate::notice::terminal_safe_text;
use crate::report::{self, CheckFinding};
use crate::watch::SystemClock;

/// Look at every mailbox once, alert on what is new, then exit
#[derive(Debug, Args)]
pub struct Check {
    /// One object per finding raised in this pass, one per line
    #[arg(long)]
    pub json: bool,
}

impl Check {
    pub fn execute(&self, cli: &Cli) -> Result<Exit, CliError> {
        let context = cli.context()?;
        if context.config.accounts.is_empty() {
            return Err(CliError::Usage(messages::no_accounts(cli.lang)));
        }
        let rules = context.config.rules()?;
        let mut journal = context.journal()?;
        let before = journal.last_finding_id()?;
        let mut shared = Shared::new(context.config, rules, context.data_dir, cli.lang, false);
        shared.beside_agent = super::service::agent_running(&shared.data_dir);
        let mut unreadable = false;
        for account in &shared.config.accounts {
            match agent::check_account(&shared, &mut journal, account) {
                Ok(_) => {}
                Err(agent::AgentError::Journal(e)) => return Err(e.into()),
                Err(e) => {
                    unreadable = true;
                    eprintln!("{}", terminal_safe_text(&messages::mailbox_problem(&account.name, &e, cli.lang)));
                }
            }
        }
        shared.evaluate(&mut journal, &SystemClock)?;
        // Raised in this pass: by matching, or `blind` by a failed read.
        let raised = journal.findings_after(before)?;
        if self.json {
            for stored in &raised {
                let notice = match stored.finding.notice_id {
                    Some(n) => journal.notice(n)?,
                    None => None,
                };
                println!("{}", report::line(&CheckFinding::new(stored, notice.as_ref())));
            }
        } else {
            println!("{}", messages::check_summary(shared.config.accounts.len(), raised.len(), unreadable, cli.lang));
        }
        Ok(if unreadable {
            Exit::Mailbox
        } else if !raised.is_empty() {
            Exit::Attention
        } else {
            Exit::Ok
        })
    }
}
