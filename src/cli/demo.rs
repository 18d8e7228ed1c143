//! `vigie demo`: the whole pipeline — recognise → journal → match → alert —
//! over a small bundled mailbox, with a temporary journal and a fixed
//! clock. Needs no account, no network and no root.

use chrono::{DateTime, Utc};
use clap::Args;

use super::{Cli, CliError};
use crate::Exit;
use crate::alert::{Alerter, DesktopAlerter, TerminalAlerter};
use crate::journal::{Journal, Location, NewOwnLogin};
use crate::matching::{self, LoginService, LoginSource, MatchRules, Via};
use crate::messages;
use crate::notice::Rules;
use crate::pipeline::{FixedClock, Ingested, Pipeline};

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
        let clock = FixedClock(t(NOW));
        println!("{}", messages::demo_intro(lang));
        for login in own_logins() {
            journal.record_own_login(&login, clock.0)?;
            println!("{}", messages::demo_login_line(&login, lang));
        }
        let logins: Vec<_> = journal.own_logins()?.into_iter().map(|(l, _)| l).collect();

        let rules = Rules::builtin();
        let mut alerters: Vec<Box<dyn Alerter>> =
            vec![Box::new(TerminalAlerter { lang, stdout: true, answer_hints: false })];
        if self.desktop {
            alerters.push(Box::new(DesktopAlerter::new(lang, None)));
        }
        let match_rules = MatchRules::default();
        let mut pipeline =
            Pipeline { journal: &mut journal, rules: &rules, match_rules, alerters, clock: &clock, lang };

        println!("{}", messages::demo_messages_header(lang));
        for (uid, (account, _, raw)) in (1..).zip(MAILBOX) {
            let location = Location { folder: Some("INBOX".into()), uid: Some(uid) };
            let seen = match pipeline.ingest(account, &location, raw)? {
                Ingested::Recorded { seen, .. } | Ingested::Unrelated(seen) | Ingested::AlreadyKnown(seen) => seen,
                Ingested::Unreadable(_) => continue,
            };
            let explained_by = seen.notice.as_ref().and_then(|n| {
                let facts = matching::NoticeFacts {
                    id: 0,
                    account: (*account).to_owned(),
                    service: n.service,
                    kind: n.kind,
                    authenticity: n.authenticity,
                    login_at: n.login_at.map(|l| l.at),
                    site: n.site.clone(),
                };
                let trusted = n.authenticity != crate::notice::Authenticity::Suspicious;
                logins.iter().find(|l| {
                    trusted && n.kind == crate::notice::Kind::Login && matching::explains(l, &facts, &match_rules)
                })
            });
            let verdict = messages::scan_verdict(&seen, lang);
            let unexplained = seen.notice.as_ref().is_some_and(|n| {
                n.kind == crate::notice::Kind::Login && n.authenticity != crate::notice::Authenticity::Suspicious
            }) && explained_by.is_none();
            println!(
                "{}",
                messages::demo_message_line(account, &seen.envelope.subject, &verdict, explained_by, unexplained, lang)
            );
        }

        println!("{}", messages::demo_alerts_header(lang));
        let alerted = pipeline.evaluate()?;
        println!("{}", messages::demo_summary(alerted.len(), lang));
        Ok(Exit::Ok)
    }
}
