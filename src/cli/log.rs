//! `vigie log [--json]`: everything the journal holds — own logins,
//! notices, findings — with times in Paris time.

use chrono::{DateTime, Utc};
use clap::Args;
use serde_json::json;

use super::{Cli, CliError};
use crate::Exit;
use crate::messages::{self, paris_time};

/// Show the journal: your logins, the notices seen, the alerts
#[derive(Debug, Args)]
pub struct Log {
    /// One JSON object per line (times in UTC, plus Paris time)
    #[arg(long)]
    pub json: bool,
}

fn utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
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
            for (l, note) in &logins {
                println!(
                    "{}",
                    json!({"type": "own_login", "id": l.id, "account": l.account, "service": l.service.as_str(),
                           "at": utc(l.at), "at_paris": paris_time(l.at, lang), "via": l.via.as_str(),
                           "source": l.source.as_str(), "note": note})
                );
            }
            for n in &notices {
                let f = &n.facts;
                println!(
                    "{}",
                    json!({"type": "notice", "id": f.id, "account": f.account, "service": f.service.as_str(),
                           "kind": f.kind.as_str(), "authenticity": f.authenticity.as_str(),
                           "login_at": f.login_at.map(utc), "login_at_paris": f.login_at.map(|t| paris_time(t, lang)),
                           "folder": n.folder, "sender": n.sender, "subject": n.subject, "message_id": n.message_id,
                           "site": f.site, "identity_provider": n.identity_provider,
                           "codes": n.reasons.iter().map(|r| r.code()).collect::<Vec<_>>()})
                );
            }
            for s in &findings {
                let f = &s.finding;
                println!(
                    "{}",
                    json!({"type": "finding", "id": s.id, "finding": f.kind.as_str(), "account": f.account,
                           "service": f.service.map(|s| s.as_str()), "at": f.at.map(utc),
                           "at_paris": f.at.map(|t| paris_time(t, lang)), "notice_id": f.notice_id,
                           "own_login_id": f.own_login_id, "unverified": f.unverified,
                           "raised_at": utc(s.raised_at), "resolved_at": s.resolved_at.map(utc),
                           "resolution": s.resolution})
                );
            }
            return Ok(Exit::Ok);
        }
        println!("{}", messages::log_text(&logins, &notices, &findings, lang));
        Ok(Exit::Ok)
    }
}
