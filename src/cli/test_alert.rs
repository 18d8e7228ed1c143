//! `vigie test-alert`: shows a sample alert on the desktop and the
//! terminal, and returns at once. It says TEST in its summary and its body,
//! and has no buttons: nobody would listen for the click.

use clap::Args;

use super::{Cli, CliError};
use crate::Exit;
use crate::alert::{Alerter, Delivery, DesktopAlerter, TerminalAlerter};
use crate::matching::Urgency;
use crate::messages;
use crate::watch::deliver::finished;

/// Show a sample alert, to check that alerts reach you
#[derive(Debug, Args)]
pub struct TestAlert {
    /// Whose account the sample alert names
    #[arg(long)]
    pub account: Option<String>,
}

impl TestAlert {
    pub fn execute(&self, cli: &Cli) -> Result<Exit, CliError> {
        let context = cli.context()?;
        // A name typed wrong is refused; with several accounts and none
        // named, the sample names the first.
        let account = match (&self.account, context.account(self.account.as_deref())) {
            (Some(_), Err(e)) => return Err(e),
            (_, Ok(name)) => name,
            (None, Err(_)) => context.config.accounts.first().map(|a| a.name.clone()).unwrap_or_default(),
        };
        let text = finished(messages::test_alert(&account, cli.lang), Urgency::Normal);
        let delivery = DesktopAlerter::new(false).deliver(&text, None);
        TerminalAlerter::stderr().deliver(&text, None);
        println!("{}", messages::test_alert_result(matches!(delivery, Delivery::Shown { .. }), cli.lang));
        Ok(match delivery {
            Delivery::Shown { .. } => Exit::Ok,
            Delivery::Failed(_) => Exit::Attention,
        })
    }
}
