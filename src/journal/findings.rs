//! Findings, the user's answers, and each attempt to show an alert.
//!
//! The lifecycle (DESIGN "Alerts"): a finding is raised once (by its key);
//! `first_shown_at` is written *before* the first attempt to show it (own
//! logins recorded later explain nothing, even while a sink is still
//! answering); it stays one notification on the desktop (`notification_id`,
//! replaced at each showing); while open it is due again every
//! `remind_every` after its last showing on any channel (`last_shown_at`),
//! and a failed desktop delivery is due again at `next_attempt_at` (a
//! growing delay); only an answer (or, before any attempt to show it, an
//! explanation) closes it.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::NewOwnLogin;
use super::spelling::{DeliveryOutcome, enum_at, opt_enum_at, opt_time_at, time_at, ts};
use super::{Journal, JournalError};
use crate::matching::{
    Answer, AnswerRefused, Finding, FindingKind, LoginService, LoginSource, Resolution, Via, check_answer,
};
use crate::notice::Service;

/// A finding as the journal holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFinding {
    pub id: i64,
    pub finding: Finding,
    pub raised_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<Resolution>,
    pub answer: Option<Answer>,
    pub answered_at: Option<DateTime<Utc>>,
    /// First attempt to show it: from then on the user may have seen it.
    pub first_shown_at: Option<DateTime<Utc>>,
    /// Last shown on any channel.
    pub last_shown_at: Option<DateTime<Utc>>,
    /// Last shown on the desktop.
    pub desktop_shown_at: Option<DateTime<Utc>>,
    /// The desktop notification that shows it now (replaced at each showing).
    pub notification_id: Option<u32>,
    pub failed_attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
}

impl StoredFinding {
    pub fn is_open(&self) -> bool {
        self.resolved_at.is_none()
    }
}

/// One attempt to show a finding's alert, for the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub channel: String,
    pub outcome: DeliveryOutcome,
    /// Why it failed.
    pub detail: Option<String>,
    pub notification_id: Option<u32>,
}

/// What became of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerOutcome {
    /// Recorded; the finding as it is now.
    Recorded(Box<StoredFinding>),
    Refused(AnswerRefused),
}

const COLUMNS: &str = "id, kind, account, service, notice_id, own_login_id, at, unverified, raised_at, resolved_at,
     resolution, answer, answered_at, first_shown_at, desktop_shown_at, notification_id, failed_attempts,
     next_attempt_at, last_shown_at";

fn read(r: &Row) -> rusqlite::Result<StoredFinding> {
    Ok(StoredFinding {
        id: r.get(0)?,
        finding: Finding {
            kind: enum_at(r, 1)?,
            account: r.get(2)?,
            service: opt_enum_at::<Service>(r, 3)?,
            notice_id: r.get(4)?,
            own_login_id: r.get(5)?,
            at: opt_time_at(r, 6)?,
            unverified: r.get(7)?,
        },
        raised_at: time_at(r, 8)?,
        resolved_at: opt_time_at(r, 9)?,
        resolution: opt_enum_at(r, 10)?,
        answer: opt_enum_at(r, 11)?,
        answered_at: opt_time_at(r, 12)?,
        first_shown_at: opt_time_at(r, 13)?,
        desktop_shown_at: opt_time_at(r, 14)?,
        notification_id: r.get(15)?,
        failed_attempts: r.get(16)?,
        next_attempt_at: opt_time_at(r, 17)?,
        last_shown_at: opt_time_at(r, 18)?,
    })
}

impl Journal {
    fn query_findings(&self, filter: &str, params: impl rusqlite::Params) -> Result<Vec<StoredFinding>, JournalError> {
        let sql = format!("SELECT {COLUMNS} FROM finding {filter}");
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt.query_map(params, read).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Records `finding` unless the journal has it already (by its key).
    /// Returns the new finding's id.
    pub fn raise(&self, finding: &Finding, now: DateTime<Utc>) -> Result<Option<i64>, JournalError> {
        let changed = self
            .conn
            .execute(
                "INSERT OR IGNORE INTO finding (key, kind, account, service, notice_id, own_login_id, at, unverified,
                   raised_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    finding.key(),
                    finding.kind.as_str(),
                    finding.account,
                    finding.service.map(Service::as_str),
                    finding.notice_id,
                    finding.own_login_id,
                    finding.at.map(ts),
                    finding.unverified,
                    ts(now)
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok((changed == 1).then(|| self.conn.last_insert_rowid()))
    }

    /// Every finding, open first, newest first within each group.
    pub fn findings(&self) -> Result<Vec<StoredFinding>, JournalError> {
        self.query_findings("ORDER BY resolved_at IS NOT NULL, raised_at DESC, id DESC", [])
    }

    /// Account and time of the payment checks about a time since `since`.
    pub fn payment_checks_since(&self, since: DateTime<Utc>) -> Result<Vec<(String, DateTime<Utc>)>, JournalError> {
        let found = self.query_findings("WHERE kind = 'payment_check' AND at >= ?1", [ts(since)])?;
        Ok(found.into_iter().filter_map(|f| Some((f.finding.account, f.finding.at?))).collect())
    }

    /// The open findings, oldest first.
    pub fn open_findings(&self) -> Result<Vec<StoredFinding>, JournalError> {
        self.query_findings("WHERE resolved_at IS NULL ORDER BY id", [])
    }

    /// The findings raised after the one numbered `after` (a pass's new
    /// ones, whatever raised them), oldest first.
    pub fn findings_after(&self, after: i64) -> Result<Vec<StoredFinding>, JournalError> {
        self.query_findings("WHERE id > ?1 ORDER BY id", [after])
    }

    /// The number of the last finding raised (0 for none).
    pub fn last_finding_id(&self) -> Result<i64, JournalError> {
        self.conn.query_row("SELECT COALESCE(MAX(id), 0) FROM finding", [], |r| r.get(0)).map_err(|e| self.err(e))
    }

    pub fn finding(&self, id: i64) -> Result<Option<StoredFinding>, JournalError> {
        Ok(self.query_findings("WHERE id = ?1", [id])?.pop())
    }

    /// The finding whose desktop notification has this id (an open one
    /// first: ids are only unique on screen).
    pub fn finding_by_notification(&self, notification_id: u32) -> Result<Option<StoredFinding>, JournalError> {
        let filter = "WHERE notification_id = ?1 ORDER BY resolved_at IS NULL DESC, id DESC LIMIT 1";
        Ok(self.query_findings(filter, [notification_id])?.pop())
    }

    /// The open findings due a showing at `now`: a desktop retry whose
    /// time has come; or, with no retry pending, never shown or last shown
    /// on any channel `remind_every` ago or more; with `everything`, all
    /// open ones (the agent starts). Kinds that are not reminded
    /// ([`FindingKind::reminded`]) are due only until shown. Oldest first.
    pub fn due(
        &self,
        now: DateTime<Utc>,
        remind_every: Duration,
        everything: bool,
    ) -> Result<Vec<StoredFinding>, JournalError> {
        let once: Vec<String> =
            FindingKind::ALL.iter().filter(|k| !k.reminded()).map(|k| format!("'{}'", k.as_str())).collect();
        self.query_findings(
            &format!(
                "WHERE resolved_at IS NULL AND (next_attempt_at <= ?1
                    OR (next_attempt_at IS NULL AND last_shown_at IS NULL)
                    OR (kind NOT IN ({}) AND (?3 OR (next_attempt_at IS NULL AND last_shown_at <= ?2))))
                 ORDER BY id",
                once.join(",")
            ),
            params![ts(now), ts(now - remind_every), everything],
        )
    }

    /// Claims the showing of finding `id` for this process until `until`,
    /// if no other process (a `vigie check` beside the agent) showed or
    /// claimed it since it was found due with these `next_attempt_at` and
    /// `last_shown_at`. Returns whether this process may show it.
    pub fn claim_showing(
        &self,
        id: i64,
        due_state: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
        until: DateTime<Utc>,
    ) -> Result<bool, JournalError> {
        let (next_attempt_at, last_shown_at) = due_state;
        let changed = self
            .conn
            .execute(
                "UPDATE finding SET next_attempt_at = ?2
                 WHERE id = ?1 AND next_attempt_at IS ?3 AND last_shown_at IS ?4 AND resolved_at IS NULL",
                params![id, ts(until), next_attempt_at.map(ts), last_shown_at.map(ts)],
            )
            .map_err(|e| self.err(e))?;
        Ok(changed == 1)
    }

    /// Marks the start of an attempt to show a finding, before any sink is
    /// called: from now on an own login recorded later explains nothing.
    /// Synced before it returns: after a crash, the alert counts as shown.
    pub fn mark_showing(&self, id: i64, now: DateTime<Utc>) -> Result<(), JournalError> {
        self.durably(|journal| {
            journal
                .conn
                .execute(
                    "UPDATE finding SET first_shown_at = COALESCE(first_shown_at, ?2) WHERE id = ?1",
                    params![id, ts(now)],
                )
                .map_err(|e| journal.err(e))?;
            Ok(())
        })
    }

    /// Closes a finding that an own login explains — only if its alert was
    /// never shown and it was never answered (after an alert is shown, only
    /// an answer closes it). Returns whether it closed.
    pub fn resolve_explained(&self, id: i64, now: DateTime<Utc>) -> Result<bool, JournalError> {
        let changed = self
            .conn
            .execute(
                "UPDATE finding SET resolved_at = ?2, resolution = 'explained'
                 WHERE id = ?1 AND resolved_at IS NULL AND first_shown_at IS NULL AND answer IS NULL",
                params![id, ts(now)],
            )
            .map_err(|e| self.err(e))?;
        Ok(changed == 1)
    }

    /// Closes every open finding of `kind` for `account` (one statement:
    /// the watch loop calls it after each sync).
    pub fn resolve_all(
        &self,
        kind: FindingKind,
        account: &str,
        resolution: Resolution,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        self.conn
            .execute(
                "UPDATE finding SET resolved_at = ?3, resolution = ?4
                 WHERE kind = ?1 AND account = ?2 AND resolved_at IS NULL",
                params![kind.as_str(), account, ts(now), resolution.as_str()],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Records the user's answer, if the rules take it (see
    /// [`check_answer`]): "mine" records the login as the user's own and
    /// closes; "not-mine" keeps it open; "handled" closes. One transaction.
    pub fn answer(&mut self, id: i64, answer: Answer, now: DateTime<Utc>) -> Result<AnswerOutcome, JournalError> {
        self.durably(|journal| {
            let Some(stored) = journal.finding(id)? else {
                return Ok(AnswerOutcome::Refused(AnswerRefused::NoSuchFinding));
            };
            if let Err(refused) = check_answer(stored.finding.kind, stored.resolution, stored.answer, answer) {
                return Ok(AnswerOutcome::Refused(refused));
            }
            let conn = &journal.conn;
            let sqlite = |e| journal.err(e);
            conn.execute(
                "INSERT INTO answer (finding_id, answer, at) VALUES (?1, ?2, ?3)",
                params![id, answer.as_str(), ts(now)],
            )
            .map_err(sqlite)?;
            conn.execute(
                "UPDATE finding SET answer = ?2, answered_at = ?3 WHERE id = ?1",
                params![id, answer.as_str(), ts(now)],
            )
            .map_err(sqlite)?;
            // "Mine" records the login as the user's own — at the time the
            // notice gives; with no time there is nothing to record (a
            // login "now" would explain the next intruder's notice).
            if let (Answer::Mine, Some(at)) = (answer, stored.finding.at) {
                let service = match stored.finding.service {
                    Some(Service::Ameli) => LoginService::Ameli,
                    Some(Service::FranceConnect) => LoginService::FranceConnect,
                    None => LoginService::Any,
                };
                let login = NewOwnLogin {
                    account: stored.finding.account.clone(),
                    service,
                    at,
                    via: Via::Web,
                    source: LoginSource::AcknowledgedAlert,
                    note: None,
                };
                journal.record_own_login(&login, now)?;
            }
            if let Some(resolution) = answer.resolution() {
                conn.execute(
                    "UPDATE finding SET resolved_at = ?2, resolution = ?3 WHERE id = ?1 AND resolved_at IS NULL",
                    params![id, ts(now), resolution.as_str()],
                )
                .map_err(sqlite)?;
            }
            let now_stored = journal.finding(id)?.ok_or_else(|| journal.err(rusqlite::Error::QueryReturnedNoRows))?;
            Ok(AnswerOutcome::Recorded(Box::new(now_stored)))
        })
    }

    /// Records one attempt to show a finding on a channel, and what it
    /// means for the lifecycle: any success marks it shown; a desktop
    /// success keeps its notification id and ends retries; a desktop
    /// failure schedules the next attempt at `retry_at`. One transaction,
    /// synced before it returns.
    pub fn record_delivery(
        &self,
        finding_id: i64,
        delivery: &DeliveryRecord,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        self.durably(|journal| journal.insert_delivery(finding_id, delivery, retry_at, now))
    }

    fn insert_delivery(
        &self,
        finding_id: i64,
        delivery: &DeliveryRecord,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        let sqlite = |e| self.err(e);
        self.conn
            .execute(
                "INSERT INTO alert (finding_id, channel, outcome, detail, notification_id, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    finding_id,
                    delivery.channel,
                    delivery.outcome.as_str(),
                    delivery.detail,
                    delivery.notification_id,
                    ts(now)
                ],
            )
            .map_err(sqlite)?;
        let desktop = delivery.channel == "desktop";
        match (delivery.outcome, desktop) {
            (DeliveryOutcome::Failed, true) => self.conn.execute(
                "UPDATE finding SET failed_attempts = failed_attempts + 1, next_attempt_at = ?2 WHERE id = ?1",
                params![finding_id, retry_at.map(ts)],
            ),
            (DeliveryOutcome::Failed, false) => Ok(0),
            (_, true) => {
                if let Some(notification) = delivery.notification_id {
                    // Ids are unique on screen only: no other finding may
                    // keep this one (a click would answer the wrong alert).
                    self.conn
                        .execute(
                            "UPDATE finding SET notification_id = NULL WHERE notification_id = ?2 AND id <> ?1",
                            params![finding_id, notification],
                        )
                        .map_err(sqlite)?;
                }
                self.conn.execute(
                    "UPDATE finding SET first_shown_at = COALESCE(first_shown_at, ?2), last_shown_at = ?2,
                       desktop_shown_at = ?2, notification_id = COALESCE(?3, notification_id), failed_attempts = 0,
                       next_attempt_at = NULL
                     WHERE id = ?1",
                    params![finding_id, ts(now), delivery.notification_id],
                )
            }
            (_, false) => self.conn.execute(
                "UPDATE finding SET first_shown_at = COALESCE(first_shown_at, ?2), last_shown_at = ?2 WHERE id = ?1",
                params![finding_id, ts(now)],
            ),
        }
        .map_err(sqlite)?;
        Ok(())
    }

    /// Forgets the notification that showed a finding (closed on screen).
    pub fn forget_notification(&self, finding_id: i64) -> Result<(), JournalError> {
        self.conn
            .execute("UPDATE finding SET notification_id = NULL WHERE id = ?1", [finding_id])
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The summary notification grouping `kind` for `account`, if shown.
    pub fn summary_notification(&self, account: &str, kind: FindingKind) -> Result<Option<u32>, JournalError> {
        self.conn
            .query_row(
                "SELECT notification_id FROM summary_notification WHERE account = ?1 AND kind = ?2",
                params![account, kind.as_str()],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    pub fn set_summary_notification(
        &self,
        account: &str,
        kind: FindingKind,
        notification_id: u32,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        self.conn
            .execute(
                "INSERT INTO summary_notification (account, kind, notification_id, shown_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (account, kind) DO UPDATE SET notification_id = excluded.notification_id,
                   shown_at = excluded.shown_at",
                params![account, kind.as_str(), notification_id, ts(now)],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }
}
