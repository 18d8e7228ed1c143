//! `vigie open ameli|franceconnect`: what the desktop launchers run. It
//! records an own web login, then opens the official address in the
//! default browser, so that going to ameli through vigie is enough. What
//! goes wrong is also shown as a desktop notification: a launcher has no
//! terminal, and a silent failure means a false alarm later.

use chrono::Utc;
use clap::{Args, ValueEnum};

use super::{Cli, CliError};
use crate::Exit;
use crate::alert::{AlertText, Alerter, Delivery, DesktopAlerter};
use crate::journal::NewOwnLogin;
use crate::matching::{LoginService, LoginSource, Urgency, Via};
use crate::messages;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Site {
    Ameli,
    #[value(name = "franceconnect")]
    FranceConnect,
}

impl Site {
    /// The official address, known in advance.
    pub fn url(self) -> &'static str {
        match self {
            Site::Ameli => "https://assure.ameli.fr/",
            Site::FranceConnect => "https://franceconnect.gouv.fr/",
        }
    }
}

/// Open ameli or FranceConnect in the browser and record the visit as yours
#[derive(Debug, Args)]
pub struct Open {
    #[arg(value_enum)]
    pub site: Site,
    /// Whose account [default: the only configured account]
    #[arg(long)]
    pub account: Option<String>,
}

impl Open {
    pub fn execute(&self, cli: &Cli) -> Result<Exit, CliError> {
        let lang = cli.lang;
        let site = match self.site {
            Site::Ameli => "ameli",
            Site::FranceConnect => "franceconnect",
        };
        // The user clicked a launcher to reach ameli: open it even if the
        // visit cannot be recorded, and say so where it will be seen — a
        // launcher has no terminal, so on the desktop too.
        let mut exit = Exit::Ok;
        match self.record(cli) {
            Ok(login) => println!("{}", messages::login_recorded(&login, lang)),
            Err(e) => {
                let problem = e.render(lang);
                eprintln!("{}", messages::error_line(&problem, lang));
                let (summary, body) = messages::open_failed(site, &problem, lang);
                notify(summary, body);
                exit = e.exit();
            }
        }
        if let Err(e) = open::that(self.site.url()) {
            let text = messages::browser_failed(self.site.url(), &e.to_string(), lang);
            eprintln!("{text}");
            notify(messages::browser_failed_title(lang).to_owned(), text);
            exit = Exit::Attention;
        }
        Ok(exit)
    }

    /// Records the visit as the user's own web login, now.
    fn record(&self, cli: &Cli) -> Result<NewOwnLogin, CliError> {
        let context = cli.context()?;
        let now = Utc::now();
        let login = NewOwnLogin {
            account: context.account(self.account.as_deref())?,
            service: match self.site {
                Site::Ameli => LoginService::Ameli,
                Site::FranceConnect => LoginService::FranceConnect,
            },
            at: now,
            via: Via::Web,
            source: LoginSource::Launcher,
            note: None,
        };
        let mut journal = context.journal()?;
        journal.record_own_login(&login, now)?;
        context.settle(&mut journal)?;
        Ok(login)
    }
}

/// A one-shot desktop notification (no buttons: nobody listens).
fn notify(summary: String, body: String) {
    let text = AlertText { summary, body, urgency: Urgency::Normal, actions: Vec::new(), answer_line: None };
    if let Delivery::Failed(e) = DesktopAlerter::new(false).deliver(&text, None) {
        tracing::debug!(error = %e, "no desktop notification for a launcher problem");
    }
}
