//! The one path every message takes: recognise → record → match → alert.
//! `vigie demo`, `check` and `run` all go through [`Pipeline`]; only where
//! the raw messages come from differs.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::alert::{Alert, Alerter};
use crate::journal::{Journal, JournalError, Location, StoredFinding};
use crate::matching::{self, FindingKind, MatchRules};
use crate::messages::{self, Lang};
use crate::notice::{NotAnEmail, Recognition, Rules, recognise};

/// What became of one message.
#[derive(Debug)]
pub enum Ingested {
    /// Nothing to do with ameli or FranceConnect.
    Unrelated(Recognition),
    /// A message claiming a service, new to the journal.
    Recorded { id: i64, seen: Recognition },
    /// The journal already had it (same account and Message-ID or content).
    AlreadyKnown(Recognition),
    /// Not an e-mail at all.
    Unreadable(NotAnEmail),
}

/// A source of the current time, so that tests and the demo can fix it.
pub trait Clock {
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock stopped at one instant.
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

pub struct Pipeline<'a> {
    pub journal: &'a mut Journal,
    pub rules: &'a Rules,
    pub match_rules: MatchRules,
    pub alerters: Vec<Box<dyn Alerter + 'a>>,
    pub clock: &'a dyn Clock,
    pub lang: Lang,
}

/// The journal's key for a message: its Message-ID, else a hash of it.
pub fn message_key(seen: &Recognition, raw: &[u8]) -> String {
    match &seen.envelope.message_id {
        Some(id) if !id.trim().is_empty() => format!("id:{}", id.trim()),
        _ => format!("sha256:{:x}", Sha256::digest(raw)),
    }
}

impl Pipeline<'_> {
    /// Recognises one raw message and records it if it claims a service.
    pub fn ingest(&mut self, account: &str, location: &Location, raw: &[u8]) -> Result<Ingested, JournalError> {
        let seen = match recognise(raw, self.rules) {
            Ok(seen) => seen,
            Err(e) => return Ok(Ingested::Unreadable(e)),
        };
        if seen.notice.is_none() {
            return Ok(Ingested::Unrelated(seen));
        }
        let key = message_key(&seen, raw);
        Ok(match self.journal.record_notice(account, &key, location, &seen, self.clock.now())? {
            Some(id) => Ingested::Recorded { id, seen },
            None => Ingested::AlreadyKnown(seen),
        })
    }

    /// Matches everything in the journal, records new findings, resolves
    /// the ones an own login now explains, and alerts on every unresolved
    /// finding not yet delivered (so that a crash between "raised" and
    /// "shown" repeats an alert rather than losing it). Returns the
    /// findings alerted in this pass.
    pub fn evaluate(&mut self) -> Result<Vec<StoredFinding>, JournalError> {
        let now = self.clock.now();
        let notices = self.journal.notices()?;
        let facts: Vec<_> = notices.iter().map(|n| n.facts.clone()).collect();
        let logins: Vec<_> = self.journal.own_logins()?.into_iter().map(|(l, _)| l).collect();
        let findings = matching::find(&facts, &logins, now, &self.match_rules);
        let keys: Vec<String> = findings.iter().map(|f| f.key()).collect();
        self.journal.transaction(|journal| {
            for finding in &findings {
                journal.raise(finding, now)?;
            }
            for stored in journal.findings()? {
                let explainable =
                    matches!(stored.finding.kind, FindingKind::UnrecognisedLogin | FindingKind::MissingNotice);
                if stored.resolved_at.is_none() && explainable && !keys.contains(&stored.finding.key()) {
                    journal.resolve(stored.id, "explained", now)?;
                }
            }
            Ok(())
        })?;

        let mut alerted = Vec::new();
        let mut pending: Vec<StoredFinding> =
            self.journal.findings()?.into_iter().filter(|f| f.resolved_at.is_none()).collect();
        // In the order they were raised: the order the messages arrived.
        pending.sort_by_key(|f| f.id);
        for stored in pending {
            if !self.journal.deliveries(stored.id)?.is_empty() {
                continue;
            }
            let notice = stored.finding.notice_id.and_then(|id| notices.iter().find(|n| n.facts.id == id));
            let alert = Alert {
                finding_id: stored.id,
                finding: stored.finding.clone(),
                site: notice.and_then(|n| n.facts.site.clone()),
                identity_provider: notice.and_then(|n| n.identity_provider.clone()),
                subject: notice.map(|n| n.subject.clone()),
                reasons: notice
                    .map(|n| {
                        n.reasons.iter().filter(|r| r.is_warning()).map(|r| messages::reason(r, self.lang)).collect()
                    })
                    .unwrap_or_default(),
            };
            let text = messages::alert_text(&alert, self.lang);
            for alerter in &self.alerters {
                let delivery = alerter.deliver(&alert, &text);
                tracing::info!(finding = stored.id, channel = alerter.channel(), outcome = %delivery.outcome(), "alert delivered");
                self.journal.record_delivery(stored.id, alerter.channel(), &delivery.outcome(), self.clock.now())?;
            }
            alerted.push(stored);
        }
        Ok(alerted)
    }
}

/// An [`AnswerHandler`](crate::alert::AnswerHandler) that writes the user's
/// answers (the alert's buttons) to the journal in `data_dir`. It runs on
/// the notification's thread, so it opens its own connection.
pub fn journal_answers(data_dir: std::path::PathBuf) -> crate::alert::AnswerHandler {
    std::sync::Arc::new(move |finding_id, answer| {
        let result = Journal::open_in(&data_dir).and_then(|mut j| j.answer(finding_id, answer, Utc::now()));
        if let Err(e) = result {
            eprintln!("vigie: {e}");
        }
    })
}
