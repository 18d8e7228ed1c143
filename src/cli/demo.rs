//! `vigie demo`: the whole pipeline — recognise → journal → match → alert —
//! over a small bundled mailbox, with a temporary journal and a fixed
//! clock. Needs no account, no network and no root.

use chrono::{DateTime, Duration, Utc};
use clap::Args;

use super::{Cli, CliError};
use crate::Exit;
use crate::alert::{Alerter, DesktopAlerter, TerminalAlerter};
use crate::journal::{Journal, Location, NewOwnLogin};
use crate::matching::{self, FindingKind, LoginService, LoginSource, MatchRules, Via};
use crate::messages;
use crate::notice::{Authenticity, Kind, Rules, Trust};
use crate::watch::deliver::deliver;
use crate::watch::evaluate::{alerts_due, evaluate};
use crate::watch::record::{Incoming, Ingested, record};

/// The sample mailbox: (whose account, file name, raw message).
const MAILBOX: &[(&str, &str, &[u8])] = &[
    ("Moi", "01-moi-ameli-connexion.eml", include_bytes!("demo/01-moi-ameli-connexion.eml")),
    ("Mamie", "02-mamie-ameli-connexion.eml", include_bytes!("demo/02-mamie-ameli-connexion.eml")),
    ("Mamie", "03-mamie-franceconnect-connexion.eml", include_bytes!("demo/03-mamie-franceconnect-connexion.eml")),
    ("Mamie", "04-mamie-ameli-connexion-nuit.eml", include_bytes!("demo/04-mamie-ameli-connexion-nuit.eml")),
    ("Mamie", "05-mamie-faux-ameli.eml", include_bytes!("demo/05-mamie-faux-ameli.eml")),
    ("Moi", "06-moi-information-paiement.eml", include_bytes!("demo/06-moi-information-paiement.eml")),
    ("Moi", "07-moi-rappel-rendez-vous.eml", include_bytes!("demo/07-moi-rappel-rendez-vous.eml")),
];

/// The demo's "now": Sunday 22 November 2026, 15:45 in Paris.
const NOW: &str = "2026-11-22T14:45:00Z";

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
}

/// The user's own logins, as if recorded beforehand.
fn own_logins() -> Vec<NewOwnLogin> {
    let login = |account: &str, at: &str, source| NewOwnLogin {
        account: account.into(),
        service: LoginService::Ameli,
        at: t(at),
        via: Via::Web,
        source,
        note: None,
    };
    vec![
        login("Moi", "2026-11-18T17:03:00Z", LoginSource::Cli),
        login("Mamie", "2026-11-20T09:12:00Z", LoginSource::Launcher),
        login("Moi", "2026-11-22T11:30:00Z", LoginSource::Launcher),
    ]
}

/// Run the whole pipeline on a bundled sample mailbox (no account needed)
#[derive(Debug, Args)]
pub struct Demo {
    /// Also show the alerts as desktop notifications
    #[arg(long)]
    pub desktop: bool,
}

impl Demo {
    pub fn execute(&self, cli: &Cli) -> Result<Exit, CliError> {
        let lang = cli.lang;
        let dir = tempfile::tempdir()?;
        let mut journal = Journal::open_in(dir.path())?;
        let now = t(NOW);
        println!("{}", messages::demo_intro(lang));
        for login in own_logins() {
            journal.record_own_login(&login, now)?;
            println!("{}", messages::demo_login_line(&login, lang));
        }
        let rules = Rules::builtin();
        let match_rules = MatchRules::default();
        let mut recorded = Vec::new();
        for (uid, (account, _, raw)) in (1..).zip(MAILBOX) {
            let location = Location { folder: Some("INBOX".into()), uid: Some(uid) };
            match record(&journal, &rules, &Trust::Topmost, Incoming::whole(account, &location, raw), now)? {
                Ingested::Recorded { id, seen } => recorded.push((account, seen, Some(id))),
                Ingested::Unrelated(seen) | Ingested::AlreadyKnown(seen) => recorded.push((account, seen, None)),
                Ingested::Unreadable(_) => {}
            }
        }
        evaluate(&mut journal, &match_rules, now, &crate::watch::evaluate::Hold::none())?;

        // What the real matching made of each message, from the journal.
        println!("{}", messages::demo_messages_header(lang));
        let logins: Vec<_> = journal.own_logins()?.into_iter().map(|(l, _)| l).collect();
        let findings = journal.findings()?;
        for (account, seen, id) in &recorded {
            let notice = match id {
                Some(id) => journal.notice(*id)?,
                None => None,
            };
            let alerted = notice.as_ref().is_some_and(|n| {
                findings.iter().any(|f| {
                    f.finding.notice_id == Some(n.facts.id) && f.finding.kind == FindingKind::UnrecognisedLogin
                })
            });
            let explained_by = notice
                .as_ref()
                .filter(|n| !alerted && n.facts.kind == Kind::Login && n.facts.authenticity != Authenticity::Suspicious)
                .and_then(|n| matching::explained_by(&n.facts, &logins, &match_rules));
            let verdict = messages::scan_verdict(seen, lang);
            println!(
                "{}",
                messages::demo_message_line(account, &seen.envelope.subject, &verdict, explained_by, alerted, lang)
            );
        }

        println!("{}", messages::demo_alerts_header(lang));
        let mut sinks: Vec<Box<dyn Alerter>> = vec![Box::new(TerminalAlerter { stdout: true, answer_hints: false })];
        if self.desktop {
            sinks.push(Box::new(DesktopAlerter::new(false)));
        }
        let due = alerts_due(&journal, now, Duration::hours(24), false)?;
        let shown = deliver(&journal, &sinks, due, lang, now)?;
        println!("{}", messages::demo_summary(shown.len(), lang));
        Ok(Exit::Ok)
    }
}
