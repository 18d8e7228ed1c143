//! `vigie status`: what needs attention first (unresolved findings), then
//! each watched account's last check and health.

use clap::Args;

use super::{Cli, CliError};
use crate::Exit;
use crate::messages;
use crate::notice::terminal_safe_text;

/// Show unresolved alerts, then each account's last check and health
#[derive(Debug, Args)]
pub struct Status {}

impl Status {
    pub fn execute(&self, cli: &Cli) -> Result<Exit, CliError> {
        let context = cli.context()?;
        let journal = context.journal()?;
        let findings = journal.findings()?;
        let notices = journal.notices()?;
        let health = journal.health()?;
        let open = findings.iter().filter(|f| f.resolved_at.is_none()).count();
        println!("{}", terminal_safe_text(&messages::status_text(&findings, &notices, &health, cli.lang)));
        Ok(if open > 0 { Exit::Attention } else { Exit::Ok })
    }
}
