//! `vigie demo`: the whole pipeline — recognise → journal → match → alert —
//! over a small bundled mailbox, with a temporary journal and a fixed
//! clock. Needs no account, no network and no root.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use clap::Args;

use super::{Cli, CliError};
use crate::Exit;
use crate::alert::{Alerter, DesktopAlerter, TerminalAlerter};
use crate::journal::{Journal, Location, NewOwnLogin};
use crate::matching::{self, LoginService, LoginSource, MatchRules, Via};
use crate::messages;
use crate::notice::{Authenticity, Kind, Rules, Trust};
use crate::own_logins::{self, Limits, sample};
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
    ("Moi", "08-moi-ameli-connexion-favori.eml", include_bytes!("demo/08-moi-ameli-connexion-favori.eml")),
    ("Mamie", "09-mamie-code-securite.eml", include_bytes!("demo/09-mamie-code-securite.eml")),
];

/// "Moi" went to ameli through a Firefox bookmark on Sunday morning and
/// logged in (no launcher, nothing noted): the visits Firefox keeps.
const FIREFOX_VISITS: &[(&str, &str, i64)] = &[
    ("https://ameliconnect.ameli.fr/oauth2/authorize?client_id=ameli&response_type=code", "2026-11-22T08:40:10Z", 1),
    ("https://assure.ameli.fr/compte/redirect_uri?code=demo&state=demo", "2026-11-22T08:40:55Z", 6),
    (
        "https://assure.ameli.fr/PortailAS/appmanager/PortailAS/assure?_nfpb=true&_pageLabel=as_login_page&cb=true",
        "2026-11-22T08:40:56Z",
        6,
    ),
];

/// Writes the sample Firefox history under `home`.
fn firefox_history(home: &Path) -> Result<(), CliError> {
    let places = sample::firefox_profile(home, "default-release")?;
    let history = sample::firefox(&places).map_err(|e| CliError::System(e.to_string()))?;
    let mut from = None;
    for (url, at, visit_type) in FIREFOX_VISITS {
        from = Some(
            sample::firefox_visit(&history, url, t(at), *visit_type, from)
                .map_err(|e| CliError::System(e.to_string()))?,
        );
    }
    Ok(())
}

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
        // Moi's browser history (browser_history = true for Moi): the
        // login through a bookmark is found there.
        let home = dir.path().join("home");
        firefox_history(&home)?;
        let limits = Limits { scratch: Some(dir.path().to_path_buf()), ..Limits::default() };
        let found = own_logins::collect(&home, now - Duration::days(7), rules.browser_visits(), &limits);
        for row in own_logins::journal_logins("Moi", &found.visits) {
            if !row.attempt {
                journal.record_own_login_once(&row.login, false, now)?;
                println!("{}", messages::demo_login_line(&row.login, lang));
            }
        }
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
                findings.iter().any(|f| f.finding.notice_id == Some(n.facts.id) && f.finding.kind.answerable())
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
