//! `vigie log [--json]`: everything the journal holds — own logins,
//! notices, findings — with times in Paris time.

use clap::Args;

use super::{Cli, CliError};
use crate::Exit;
use crate::messages;
use crate::notice::terminal_safe_text;
use crate::report::{self, LogRecord};

/// Show the journal: your logins, the notices seen, the alerts
#[derive(Debug, Args)]
pub struct Log {
    /// One JSON object per line (times in UTC, plus Paris time)
    #[arg(long)]
    pub json: bool,
}

impl Log {
    pub fn execute(&self, cli: &Cli) -> Result<Exit, CliError> {
        let context = cli.context()?;
        let journal = context.journal()?;
        let logins = journal.own_logins()?;
        let notices = journal.notices()?;
        let findings = journal.findings()?;
        let lang = cli.lang;
        if self.json {
            let records = logins
                .iter()
                .map(|(l, note)| LogRecord::own_login(l, note.as_deref(), lang))
                .chain(notices.iter().map(|n| LogRecord::notice(n, lang)))
                .chain(findings.iter().map(|f| LogRecord::finding(f, lang)));
            for record in records {
                // JSON escapes every control character: safe as it is.
                println!("{}", report::line(&record));
            }
            return Ok(Exit::Ok);
        }
        println!("{}", terminal_safe_text(&messages::log_text(&logins, &notices, &findings, lang)));
        Ok(Exit::Ok)
    }
}
