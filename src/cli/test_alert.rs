//! `vigie test-alert`: shows a sample alert on the desktop and the
//! terminal, and returns at once without waiting for an answer.

use std::sync::Arc;

use chrono::Utc;
use clap::Args;

use super::{Cli, CliError};
use crate::Exit;
use crate::alert::{Alert, AlertText, Alerter, Delivery, DesktopAlerter, TerminalAlerter};
use crate::matching::{Finding, FindingKind};
use crate::messages;
use crate::notice::Service;

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
        let alert = Alert {
            finding_id: 0,
            finding: Finding {
                kind: FindingKind::UnrecognisedLogin,
                account: context
                    .account(self.account.as_deref())
                    .unwrap_or_else(|_| context.config.accounts.first().map(|a| a.name.clone()).unwrap_or_default()),
                service: Some(Service::Ameli),
                notice_id: None,
                own_login_id: None,
                at: Some(Utc::now()),
                unverified: false,
            },
            site: None,
            identity_provider: None,
            subject: None,
            reasons: Vec::new(),
        };
        let mut text = messages::alert_text(&alert, cli.lang);
        text.summary = messages::test_alert_summary(&text.summary, cli.lang);
        // Buttons are shown so the user sees what a real alert looks like;
        // nobody waits for the click.
        let desktop = DesktopAlerter::new(cli.lang, Some(Arc::new(|_, _| {})));
        let delivery = desktop.deliver(&alert, &text);
        let terminal_text = AlertText { answerable: false, ..text.clone() };
        TerminalAlerter::stderr(cli.lang).deliver(&alert, &terminal_text);
        println!("{}", messages::test_alert_result(&delivery, cli.lang));
        Ok(match delivery {
            Delivery::Shown { .. } => Exit::Ok,
            Delivery::Failed(_) => Exit::Attention,
        })
    }
}
