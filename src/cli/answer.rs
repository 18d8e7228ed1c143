//! `vigie answer N mine|not-mine|handled` (French: `moi|pas-moi|fait`, in
//! any language): the command-line twin of the alert's buttons. The answer
//! goes to the journal; then the alert's notification, if one is on
//! screen, is closed or replaced by the steps, as a click would.

use chrono::Utc;
use clap::{Args, ValueEnum};

use super::{Cli, CliError};
use crate::Exit;
use crate::alert::{Alerter, DesktopAlerter};
use crate::journal::AnswerOutcome;
use crate::matching::Answer as Reply;
use crate::messages;
use crate::watch::deliver::apply_answer;

/// The answer, as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Typed {
    /// It was me: record the login as mine and close the alert
    #[value(alias = "moi")]
    Mine,
    /// It was not me: keep the alert open until I have acted
    #[value(alias = "pas-moi")]
    NotMine,
    /// I have done what the alert asks: close it
    #[value(alias = "fait")]
    Handled,
}

impl From<Typed> for Reply {
    fn from(typed: Typed) -> Reply {
        match typed {
            Typed::Mine => Reply::Mine,
            Typed::NotMine => Reply::NotMine,
            Typed::Handled => Reply::Handled,
        }
    }
}

/// Answer an alert: was this login yours, or have you dealt with it?
#[derive(Debug, Args)]
pub struct Answer {
    /// The alert's number, as shown by the alert and `vigie status`
    pub finding: i64,
    /// mine (moi), not-mine (pas-moi) or handled (fait)
    #[arg(value_enum)]
    pub reply: Typed,
}

impl Answer {
    pub fn execute(&self, cli: &Cli) -> Result<Exit, CliError> {
        let context = cli.context()?;
        let mut journal = context.journal()?;
        let reply = Reply::from(self.reply);
        // The desktop, to close or replace the alert's notification; no
        // buttons: nobody listens in this short-lived command.
        let sinks: Vec<Box<dyn Alerter>> = vec![Box::new(DesktopAlerter::new(false))];
        match apply_answer(&mut journal, &sinks, self.finding, reply, cli.lang, Utc::now())? {
            AnswerOutcome::Recorded(stored) => {
                println!("{}", messages::answer_recorded(&stored, reply, cli.lang));
                Ok(if stored.is_open() { Exit::Attention } else { Exit::Ok })
            }
            AnswerOutcome::Refused(refused) => {
                Err(CliError::Usage(messages::answer_refused(self.finding, refused, cli.lang)))
            }
        }
    }
}
