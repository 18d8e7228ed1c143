//! Evaluate: journal → findings, and the alerts due a showing.
//!
//! Matching runs over everything the journal holds; new findings are
//! raised (once, by key), and a finding that an own login now explains is
//! closed — but only if its alert was never shown and it was never
//! answered: after an alert is shown, only the user's answer closes it.
//!
//! Then one query gives the open findings due a showing (never shown,
//! retry due, reminder due; all of them when the agent starts). Past
//! [`GROUP_AFTER`] open impersonations in one mailbox, the further ones
//! share one summary notification. Unknown logins are never grouped.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::journal::{Journal, JournalError, StoredFinding};
use crate::matching::{self, AlertFacts, FindingKind, MatchRules, NoticeFacts, OwnLogin, Past};
use crate::notice::Kind;

/// Open impersonations shown one by one in a mailbox; further ones are
/// grouped in one summary.
pub const GROUP_AFTER: usize = 5;

/// What one evaluation changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// Findings raised in this pass.
    pub raised: Vec<i64>,
    /// Findings closed because an own login now explains them.
    pub explained: Vec<i64>,
}

/// Findings that an own login may still explain, held back a moment: the
/// browser writes its history a few seconds after the visit, so for the
/// accounts whose browser history is read, a new unknown login, login
/// attempt or access change waits `wait` after the mail was seen before it
/// is raised (the history is read meanwhile).
#[derive(Debug, Clone, Default)]
pub struct Hold {
    pub accounts: Vec<String>,
    pub wait: Duration,
}

impl Hold {
    /// Nothing is held (`vigie check`, accounts without browser history).
    pub fn none() -> Hold {
        Hold::default()
    }

    fn holds(&self, account: &str, seen_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        self.accounts.iter().any(|a| a == account) && now < seen_at + self.wait
    }
}

/// Matches everything in the journal, raises new findings (except those
/// `hold` keeps back for now) and closes the never-shown ones that an own
/// login now explains.
pub fn evaluate(
    journal: &mut Journal,
    rules: &MatchRules,
    now: DateTime<Utc>,
    hold: &Hold,
) -> Result<Evaluation, JournalError> {
    journal.transaction(|journal| {
        let (facts, logins) = to_match(journal, rules, now)?;
        let earliest_payment = facts.iter().filter(|n| n.kind == Kind::Payment).map(|n| n.sent_at).min();
        let mut accounts: Vec<&str> = logins.iter().map(|l| l.account.as_str()).collect();
        accounts.sort_unstable();
        accounts.dedup();
        let mut past = Past::default();
        if let Some(t) = earliest_payment {
            past.payment_checks = journal.payment_checks_since(t - rules.payment_every)?;
        }
        for account in accounts {
            if let Some(first) = journal.first_ameli_notice(account)? {
                past.first_ameli_notice.push((account.to_owned(), first));
            }
        }
        let findings = matching::find(&facts, &logins, &past, now, rules);
        let seen_at: HashMap<i64, DateTime<Utc>> = facts.iter().map(|n| (n.id, n.seen_at)).collect();
        let held = |f: &matching::Finding| {
            f.kind.explainable()
                && f.notice_id.and_then(|id| seen_at.get(&id)).is_some_and(|&t| hold.holds(&f.account, t, now))
        };
        let mut evaluation = Evaluation::default();
        for finding in findings.iter().filter(|f| !held(f)) {
            evaluation.raised.extend(journal.raise(finding, now)?);
        }
        // Only what this pass matched can be found explained.
        let matched = |f: &matching::Finding| {
            f.notice_id.is_some_and(|id| seen_at.contains_key(&id))
                || f.own_login_id.is_some_and(|id| logins.iter().any(|l| l.id == id))
        };
        for stored in journal.open_findings()? {
            let still_found = findings.iter().any(|f| f.key() == stored.finding.key());
            if stored.finding.kind.explainable()
                && matched(&stored.finding)
                && !still_found
                && journal.resolve_explained(stored.id, now)?
            {
                evaluation.explained.push(stored.id);
            }
        }
        Ok(evaluation)
    })
}

/// How far back a pass looks at what is new: notices seen and own logins
/// recorded in this time are matched again; older ones are settled.
pub const SETTLED_AFTER: Duration = Duration::days(1);

/// What a pass matches: the notices and own logins whose outcome can still
/// change, so that a pass costs what the new mail costs, not what the
/// journal's history does. Notices seen in the last [`SETTLED_AFTER`] or
/// behind an open finding, with the own logins that can explain them; own
/// logins of the last day (a missing notice, `vigie login --at`), with the
/// notices around them.
fn to_match(
    journal: &Journal,
    rules: &MatchRules,
    now: DateTime<Utc>,
) -> Result<(Vec<NoticeFacts>, Vec<OwnLogin>), JournalError> {
    let recent = now - SETTLED_AFTER;
    let slack = Duration::hours(1);
    let reach = rules.before.max(rules.attempt_before).max(rules.after) + slack;
    let near_now = journal.own_logins_since(recent - rules.missing_wait, recent)?;
    let logins_from = near_now.iter().map(|l| l.at).min().map_or(recent, |t| t.min(recent));
    let facts: Vec<NoticeFacts> =
        journal.notices_to_match(recent, logins_from - reach)?.into_iter().map(|n| n.facts).collect();
    let notices_from = facts.iter().map(|n| n.login_at.unwrap_or(n.sent_at).min(n.sent_at)).min();
    let logins = match notices_from {
        Some(t) if t - reach < recent - rules.missing_wait => journal.own_logins_since(t - reach, recent)?,
        _ => near_now,
    };
    Ok((facts, logins))
}

/// One finding to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueAlert {
    pub facts: AlertFacts,
    /// The notification that shows it now, to replace.
    pub replaces: Option<u32>,
    /// Also for the terminal/log: first showing, reminder or agent start
    /// (not a mere retry of a failed desktop delivery).
    pub terminal: bool,
    pub failed_attempts: u32,
    /// `next_attempt_at` and `last_shown_at` when it was found due: the
    /// showing is claimed only if they have not changed since.
    pub due_state: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
}

/// Something to show: one finding, or a summary of many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Showing {
    One(DueAlert),
    /// Many open impersonations in one mailbox: (finding, failed attempts).
    Summary {
        account: String,
        count: usize,
        findings: Vec<(i64, u32)>,
        replaces: Option<u32>,
        terminal: bool,
    },
}

/// Findings grouped in one mailbox's summary: (account, (finding, failed
/// attempts), also for the terminal).
type Group = (String, Vec<(i64, u32)>, bool);

/// The alerts due at `now`: never shown (or a failed desktop delivery
/// whose retry is due), reminders every `remind_every`, and with
/// `everything` every open finding (the agent starts).
pub fn alerts_due(
    journal: &Journal,
    now: DateTime<Utc>,
    remind_every: Duration,
    everything: bool,
) -> Result<Vec<Showing>, JournalError> {
    let due = journal.due(now, remind_every, everything)?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    // Rank of each open impersonation in its mailbox, oldest first.
    let mut rank: HashMap<i64, usize> = HashMap::new();
    let mut per_account: HashMap<String, usize> = HashMap::new();
    for open in journal.open_findings()?.iter().filter(|f| f.finding.kind.groupable()) {
        let n = per_account.entry(open.finding.account.clone()).or_default();
        *n += 1;
        rank.insert(open.id, *n);
    }
    let reminder_before = now - remind_every;
    let for_terminal = |f: &StoredFinding| everything || f.last_shown_at.is_none_or(|t| t <= reminder_before);
    let mut showings = Vec::new();
    let mut grouped: Vec<Group> = Vec::new();
    for stored in due {
        if rank.get(&stored.id).is_some_and(|&r| r > GROUP_AFTER) {
            let terminal = for_terminal(&stored);
            match grouped.iter_mut().find(|(a, _, _)| *a == stored.finding.account) {
                Some((_, ids, t)) => {
                    ids.push((stored.id, stored.failed_attempts));
                    *t |= terminal;
                }
                None => {
                    grouped.push((stored.finding.account.clone(), vec![(stored.id, stored.failed_attempts)], terminal))
                }
            }
            continue;
        }
        let terminal = for_terminal(&stored);
        showings.push(Showing::One(due_alert(journal, stored, terminal)?));
    }
    for (account, findings, terminal) in grouped {
        let count = per_account.get(&account).copied().unwrap_or(findings.len());
        let replaces = journal.summary_notification(&account, FindingKind::Impersonation)?;
        showings.push(Showing::Summary { account, count, findings, replaces, terminal });
    }
    Ok(showings)
}

/// The showing of one finding as it stands (after an answer, say).
/// (On the desktop only: the terminal has it already.)
pub fn showing_of(journal: &Journal, stored: StoredFinding) -> Result<DueAlert, JournalError> {
    due_alert(journal, stored, false)
}

fn due_alert(journal: &Journal, stored: StoredFinding, terminal: bool) -> Result<DueAlert, JournalError> {
    let notice = match stored.finding.notice_id {
        Some(id) => journal.notice(id)?,
        None => None,
    };
    let reasons = notice
        .as_ref()
        .filter(|_| stored.finding.kind == FindingKind::Impersonation)
        .map(|n| n.reasons.iter().filter(|r| r.is_warning()).cloned().collect())
        .unwrap_or_default();
    Ok(DueAlert {
        replaces: stored.notification_id,
        terminal,
        failed_attempts: stored.failed_attempts,
        due_state: (stored.next_attempt_at, stored.last_shown_at),
        facts: AlertFacts {
            id: stored.id,
            answer: stored.answer,
            site: notice.as_ref().and_then(|n| n.facts.site.clone()),
            identity_provider: notice.as_ref().and_then(|n| n.identity_provider.clone()),
            addressee: notice.as_ref().and_then(|n| n.addressee.clone()),
            noticed_at: notice.as_ref().map(|n| n.facts.seen_at),
            subject: notice
                .as_ref()
                .filter(|_| stored.finding.kind == FindingKind::Impersonation)
                .map(|n| n.subject.clone()),
            reasons,
            finding: stored.finding,
        },
    })
}
