//! Messages that claim ameli or FranceConnect, once per account and key.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::spelling::{enum_at, opt_time_at, time_at, ts};
use super::{Journal, JournalError};
use crate::matching::NoticeFacts;
use crate::notice::{Reason, Recognition};

/// Where a notice was found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    pub folder: Option<String>,
    pub uid: Option<u32>,
}

/// A notice as the journal holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredNotice {
    pub facts: NoticeFacts,
    pub folder: Option<String>,
    pub message_id: Option<String>,
    pub sender: Option<String>,
    pub subject: String,
    pub identity_provider: Option<String>,
    /// Whom the notice greets (FranceConnect's « Bonjour Jeanne Dupont »).
    pub addressee: Option<String>,
    /// Evidence against first, then for.
    pub reasons: Vec<Reason>,
    pub seen_at: DateTime<Utc>,
}

const COLUMNS: &str = "n.id, n.account, n.service, n.kind, n.authenticity, n.login_at, n.site, n.folder, n.message_id,
     n.sender, n.subject, n.identity_provider, n.reasons, n.seen_at,
     (SELECT MIN(f.first_shown_at) FROM finding f WHERE f.notice_id = n.id), n.received_at, n.addressee";

fn read(r: &Row) -> rusqlite::Result<StoredNotice> {
    let reasons: String = r.get(12)?;
    let reasons = serde_json::from_str(&reasons)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(12, rusqlite::types::Type::Text, Box::new(e)))?;
    Ok(StoredNotice {
        facts: NoticeFacts {
            id: r.get(0)?,
            account: r.get(1)?,
            service: enum_at(r, 2)?,
            kind: enum_at(r, 3)?,
            authenticity: enum_at(r, 4)?,
            login_at: opt_time_at(r, 5)?,
            site: r.get(6)?,
            alert_shown_at: opt_time_at(r, 14)?,
            sent_at: sent_at(opt_time_at(r, 15)?, time_at(r, 13)?),
            seen_at: time_at(r, 13)?,
        },
        folder: r.get(7)?,
        message_id: r.get(8)?,
        sender: r.get(9)?,
        subject: r.get(10)?,
        identity_provider: r.get(11)?,
        addressee: r.get(16)?,
        reasons,
        seen_at: time_at(r, 13)?,
    })
}

/// When a notice was sent: its Date header, unless that is missing or
/// later than a few minutes after vigie saw it (a wrong clock).
fn sent_at(date: Option<DateTime<Utc>>, seen_at: DateTime<Utc>) -> DateTime<Utc> {
    date.filter(|d| *d <= seen_at + chrono::Duration::minutes(5)).unwrap_or(seen_at)
}

impl Journal {
    /// Records a message that claims a service, once per `account` and
    /// `key`. Returns the new notice's id, or `None` when the journal
    /// already had it.
    pub fn record_notice(
        &self,
        account: &str,
        key: &str,
        location: &Location,
        seen: &Recognition,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, JournalError> {
        let Some(notice) = &seen.notice else { return Ok(None) };
        let reasons = serde_json::to_string(&notice.reasons).unwrap_or_else(|_| "[]".into());
        let changed = self
            .conn
            .execute(
                "INSERT OR IGNORE INTO notice (account, key, folder, uid, message_id, sender, subject, service, kind,
                   authenticity, reasons, login_at, login_at_source, site, identity_provider, received_at, seen_at, addressee)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
                params![
                    account,
                    key,
                    location.folder,
                    location.uid,
                    seen.envelope.message_id,
                    seen.envelope.sender.address,
                    seen.envelope.subject,
                    notice.service.as_str(),
                    notice.kind.as_str(),
                    notice.authenticity.as_str(),
                    reasons,
                    notice.login_at.map(|t| ts(t.at)),
                    notice.login_at.map(|t| t.source.as_str()),
                    notice.site,
                    notice.identity_provider,
                    seen.envelope.date.map(ts),
                    ts(now),
                    notice.addressee,
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok((changed == 1).then(|| self.conn.last_insert_rowid()))
    }

    /// Every notice, by login time.
    pub fn notices(&self) -> Result<Vec<StoredNotice>, JournalError> {
        let sql = format!("SELECT {COLUMNS} FROM notice n ORDER BY COALESCE(n.login_at, n.seen_at), n.id");
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], read).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The notices a pass must match: seen since `seen_since`, or about a
    /// time (login, Date header) since `time_since`, or behind an open
    /// finding. Older ones are settled: their finding was raised, or an
    /// own login explained them.
    pub fn notices_to_match(
        &self,
        seen_since: DateTime<Utc>,
        time_since: DateTime<Utc>,
    ) -> Result<Vec<StoredNotice>, JournalError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM notice n
             WHERE n.seen_at >= ?1 OR n.login_at >= ?2 OR n.received_at >= ?2
                OR n.id IN (SELECT notice_id FROM finding WHERE resolved_at IS NULL AND notice_id IS NOT NULL)
             ORDER BY COALESCE(n.login_at, n.seen_at), n.id"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt.query_map(params![ts(seen_since), ts(time_since)], read).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The notices first seen since `since`.
    pub fn notices_seen_since(&self, since: DateTime<Utc>) -> Result<Vec<StoredNotice>, JournalError> {
        let sql = format!("SELECT {COLUMNS} FROM notice n WHERE n.seen_at >= ?1 ORDER BY n.id");
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt.query_map([ts(since)], read).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The login time of `account`'s first trusted ameli login notice.
    pub fn first_ameli_notice(&self, account: &str) -> Result<Option<DateTime<Utc>>, JournalError> {
        let first: Option<String> = self
            .conn
            .query_row(
                "SELECT MIN(login_at) FROM notice
                 WHERE account = ?1 AND service = 'ameli' AND kind = 'login' AND authenticity <> 'suspicious'",
                [account],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        match first {
            None => Ok(None),
            Some(t) => DateTime::parse_from_rfc3339(&t)
                .map(|t| Some(t.with_timezone(&Utc)))
                .map_err(|e| JournalError::Damaged { path: self.path.clone(), detail: e.to_string() }),
        }
    }

    /// One notice.
    pub fn notice(&self, id: i64) -> Result<Option<StoredNotice>, JournalError> {
        let sql = format!("SELECT {COLUMNS} FROM notice n WHERE n.id = ?1");
        self.conn.query_row(&sql, [id], read).optional().map_err(|e| self.err(e))
    }
}
