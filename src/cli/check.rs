//! `vigie check [--json]`: one pass over every account, then exit. Each
//! finding is raised once: a second check over the same mail prints
//! nothing new.
//!
//! Exit status: 3 when a mailbox could not be read, else 1 when this pass
//! raised a finding, else 0 (2: bad usage or config).

use clap::Args;
use serde_json::json;

use super::{Cli, CliError};
use crate::Exit;
use crate::agent::{self, Shared};
use crate::messages;
use crate::pipeline::SystemClock;

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
        let shared = Shared::new(context.config, rules, context.data_dir, cli.lang, false);
        let mut unreadable = false;
        for account in &shared.config.accounts {
            match agent::check_account(&shared, &mut journal, account) {
                Ok(_) => {}
                Err(agent::AgentError::Journal(e)) => return Err(e.into()),
                Err(e) => {
                    unreadable = true;
                    eprintln!("{}", messages::mailbox_problem(&account.name, &e, cli.lang));
                }
            }
        }
        let alerted = shared.evaluate(&mut journal, &SystemClock)?;
        if self.json {
            let notices = journal.notices()?;
            for stored in &alerted {
                let f = &stored.finding;
                let notice = f.notice_id.and_then(|id| notices.iter().find(|n| n.facts.id == id));
                println!(
                    "{}",
                    json!({
                        "finding": f.kind.as_str(),
                        "account": f.account,
                        "service": f.service.map(|s| s.as_str()),
                        "login_at": f.at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                        "message_id": notice.and_then(|n| n.message_id.as_ref()).map(|id| format!("<{id}>")),
                        "folder": notice.and_then(|n| n.folder.clone()),
                        "id": stored.id,
                    })
                );
            }
        } else {
            println!("{}", messages::check_summary(shared.config.accounts.len(), alerted.len(), unreadable, cli.lang));
        }
        Ok(if unreadable {
            Exit::Mailbox
        } else if !alerted.is_empty() {
            Exit::Attention
        } else {
            Exit::Ok
        })
    }
}
