//! `vigie answer FINDING mine|not-mine`: the command-line twin of the
//! alert's buttons.

use chrono::Utc;
use clap::{Args, ValueEnum};

use super::{Cli, CliError};
use crate::Exit;
use crate::journal;
use crate::messages;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Reply {
    /// It was me: record the login as mine
    Mine,
    /// It was not me: keep the alert open until I have acted
    NotMine,
}

/// Answer an alert: was this login yours?
#[derive(Debug, Args)]
pub struct Answer {
    /// The alert's number, as shown by the alert and `vigie status`
    pub finding: i64,
    #[arg(value_enum)]
    pub reply: Reply,
}

impl Answer {
    pub fn execute(&self, cli: &Cli) -> Result<Exit, CliError> {
        let context = cli.context()?;
        let mut journal = context.journal()?;
        let Some(stored) = journal.finding(self.finding)? else {
            return Err(CliError::Usage(messages::no_such_finding(self.finding, cli.lang)));
        };
        let answer = match self.reply {
            Reply::Mine => journal::Answer::Mine,
            Reply::NotMine => journal::Answer::NotMine,
        };
        journal.answer(stored.id, answer, Utc::now())?;
        println!("{}", messages::answer_recorded(&stored, answer, cli.lang));
        Ok(match answer {
            journal::Answer::Mine => Exit::Ok,
            journal::Answer::NotMine => Exit::Attention,
        })
    }
}
