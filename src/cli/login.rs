//! `vigie login`: records one of the user's own logins, so that the notice
//! it causes is not taken for someone else's.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use clap::Args;

use super::{Cli, CliError};
use crate::Exit;
use crate::journal::NewOwnLogin;
use crate::matching::{LoginService, LoginSource, Via};
use crate::messages;

/// Record one of your own logins (now, by default)
#[derive(Debug, Args)]
pub struct Login {
    /// Whose account [default: the only configured account]
    #[arg(long)]
    pub account: Option<String>,
    /// Which service you logged into
    #[arg(long, value_enum, default_value_t = LoginService::Any)]
    pub service: LoginService,
    /// When, in Paris time: "26/11/2026 10:30" or "2026-11-26 10:30" (or RFC 3339) [default: now]
    #[arg(long, value_parser = parse_when)]
    pub at: Option<DateTime<Utc>>,
    /// How: web, app, or app-fingerprint (which sends no notice)
    #[arg(long, value_enum, default_value_t = Via::Web)]
    pub via: Via,
    /// A note for yourself
    #[arg(long)]
    pub note: Option<String>,
}

/// The Paris wall-clock formats `--at` accepts: the one vigie prints
/// (`26/11/2026 à 10:30`, with or without « à »), and ISO dates.
const PARIS_FORMATS: &[&str] = &[
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y à %H:%M",
    "%d/%m/%Y at %H:%M",
    "%d/%m/%Y %Hh%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
];

/// Reads `--at`: RFC 3339, or a Paris wall-clock time. The error is the
/// technical detail; the user reads [`messages::usage_error`].
pub fn parse_when(s: &str) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let spaced = s.split_whitespace().collect::<Vec<_>>().join(" ");
    for format in PARIS_FORMATS {
        if let Ok(local) = NaiveDateTime::parse_from_str(&spaced, format) {
            return Paris
                .from_local_datetime(&local)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| format!("{s} does not exist in Paris (clock change)"));
        }
    }
    Err(format!("{s:?} is not a date and time: write 2026-11-20T10:14:00+01:00 or \"2026-11-20 10:14\" (Paris time)"))
}

impl Login {
    pub fn execute(&self, cli: &Cli) -> Result<Exit, CliError> {
        let context = cli.context()?;
        let account = context.account(self.account.as_deref())?;
        let now = Utc::now();
        let login = NewOwnLogin {
            account,
            service: self.service,
            at: self.at.unwrap_or(now),
            via: self.via,
            source: LoginSource::Cli,
            note: self.note.clone(),
        };
        let mut journal = context.journal()?;
        journal.record_own_login(&login, now)?;
        context.settle(&mut journal)?;
        println!("{}", messages::login_recorded(&login, cli.lang));
        Ok(Exit::Ok)
    }
}
