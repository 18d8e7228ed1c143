//! The logins setup found in the last month, and what the journal already
//! knows of each: setup run again must not ask twice, nor say "vigie will
//! alert you" of a login already answered.

use chrono::{DateTime, Utc};

use crate::journal::{Journal, JournalError, NewOwnLogin};
use crate::matching::{Answer, FindingKind, LoginService, LoginSource, MatchRules, Resolution, Via};
use crate::messages::PastAnswer;
use crate::notice::Service;

fn login_service(service: Service) -> LoginService {
    match service {
        Service::Ameli => LoginService::Ameli,
        Service::FranceConnect => LoginService::FranceConnect,
    }
}

/// What the journal knows of each of `account`'s `past` logins: an own
/// login in the matching window explains it, or the user answered its
/// alert.
pub fn classify(
    journal: &Journal,
    account: &str,
    past: &[(Service, DateTime<Utc>)],
    rules: &MatchRules,
) -> Result<Vec<(Service, DateTime<Utc>, PastAnswer)>, JournalError> {
    let own = journal.own_logins()?;
    let findings = journal.findings()?;
    Ok(past
        .iter()
        .map(|&(service, at)| {
            let answered = findings
                .iter()
                .filter(|f| f.finding.kind == FindingKind::UnrecognisedLogin)
                .filter(|f| f.finding.account == account && f.finding.service == Some(service))
                .find(|f| f.finding.at == Some(at))
                .and_then(|f| match (f.answer, f.resolution) {
                    (Some(Answer::Mine), _) | (_, Some(Resolution::Mine | Resolution::Explained)) => {
                        Some(PastAnswer::Yours)
                    }
                    (Some(Answer::Handled), _) | (_, Some(Resolution::Handled)) => Some(PastAnswer::Handled),
                    (Some(Answer::NotMine), _) => Some(PastAnswer::NotYours),
                    _ => None,
                });
            let explained = own.iter().any(|(o, _)| {
                o.account == account
                    && (o.service == login_service(service) || o.service == LoginService::Any)
                    && o.at >= at - rules.before
                    && o.at <= at + rules.after
            });
            let known = answered.unwrap_or(if explained { PastAnswer::Yours } else { PastAnswer::New });
            (service, at, known)
        })
        .collect())
}

/// Records `logins` as `account`'s own (the user said they were theirs).
pub fn record_as_own(
    journal: &Journal,
    account: &str,
    logins: &[(Service, DateTime<Utc>)],
    now: DateTime<Utc>,
) -> Result<(), JournalError> {
    for &(service, at) in logins {
        let login = NewOwnLogin {
            account: account.to_owned(),
            service: login_service(service),
            at,
            via: Via::Web,
            source: LoginSource::Import,
            note: Some("vigie setup".into()),
        };
        journal.record_own_login(&login, now)?;
    }
    Ok(())
}
