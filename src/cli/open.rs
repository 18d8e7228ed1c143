//! `vigie open ameli|franceconnect`: what the desktop launchers run. It
//! records an own web login, then opens the official address in the
//! default browser, so that going to ameli through vigie is enough.

use chrono::Utc;
use clap::{Args, ValueEnum};

use super::{Cli, CliError};
use crate::Exit;
use crate::journal::NewOwnLogin;
use crate::matching::{LoginService, LoginSource, Via};
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
        // The user clicked a launcher to reach ameli: open it even if the
        // visit cannot be recorded, and say so.
        let recorded = context.journal().and_then(|mut journal| {
            journal.record_own_login(&login, now)?;
            context.settle(&mut journal)
        });
        let mut exit = Exit::Ok;
        match recorded {
            Ok(()) => println!("{}", messages::login_recorded(&login, cli.lang)),
            Err(e) => {
                eprintln!("vigie: {e}");
                exit = Exit::Attention;
            }
        }
        if let Err(e) = open::that(self.site.url()) {
            eprintln!("{}", messages::browser_failed(self.site.url(), &e.to_string(), cli.lang));
            exit = Exit::Attention;
        }
        Ok(exit)
    }
}
