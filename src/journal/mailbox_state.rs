//! Where the watcher is in each folder (cursors), and how reading each
//! account went (health).

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::spelling::{opt_time_at, ts};
use super::{Journal, JournalError};
use crate::notice::Observation;

/// Observations kept per account: enough to learn from, bounded.
const OBSERVATIONS_KEPT: i64 = 500;

/// How an account's mailbox reading went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountHealth {
    pub account: String,
    pub last_ok: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
}

impl Journal {
    /// The mailbox cursor (UIDVALIDITY, last UID seen) of a folder.
    pub fn cursor(&self, account: &str, folder: &str) -> Result<Option<(u32, u32)>, JournalError> {
        self.conn
            .query_row(
                "SELECT uidvalidity, last_uid FROM cursor WHERE account = ?1 AND folder = ?2",
                params![account, folder],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    pub fn set_cursor(
        &self,
        account: &str,
        folder: &str,
        uidvalidity: u32,
        last_uid: u32,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        self.conn
            .execute(
                "INSERT INTO cursor (account, folder, uidvalidity, last_uid, checked_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (account, folder) DO UPDATE
                 SET uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid, checked_at = excluded.checked_at",
                params![account, folder, uidvalidity, last_uid, ts(now)],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Records the outcome of reading an account's mailbox: `None` when it
    /// went well, else what went wrong. `last_error_at` is when the current
    /// spell of failures began.
    pub fn set_health(&self, account: &str, error: Option<&str>, now: DateTime<Utc>) -> Result<(), JournalError> {
        let sql = match error {
            None => {
                "INSERT INTO account_health (account, last_ok) VALUES (?1, ?2)
                 ON CONFLICT (account) DO UPDATE SET last_ok = excluded.last_ok, last_error = NULL"
            }
            Some(_) => {
                "INSERT INTO account_health (account, last_error_at, last_error) VALUES (?1, ?2, ?3)
                 ON CONFLICT (account) DO UPDATE SET
                   last_error_at = CASE WHEN account_health.last_error IS NULL
                                        THEN excluded.last_error_at ELSE account_health.last_error_at END,
                   last_error = excluded.last_error"
            }
        };
        match error {
            None => self.conn.execute(sql, params![account, ts(now)]),
            Some(e) => self.conn.execute(sql, params![account, ts(now), e]),
        }
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Per account: last successful check, last error and when.
    pub fn health(&self) -> Result<Vec<AccountHealth>, JournalError> {
        let mut stmt = self
            .conn
            .prepare("SELECT account, last_ok, last_error, last_error_at FROM account_health ORDER BY account")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(AccountHealth {
                    account: r.get(0)?,
                    last_ok: opt_time_at(r, 1)?,
                    last_error: r.get(2)?,
                    last_error_at: opt_time_at(r, 3)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Remembers what some of `account`'s messages say about the server
    /// that checked them (the newest [`OBSERVATIONS_KEPT`] are kept).
    pub fn record_observations(&self, account: &str, observations: &[Observation]) -> Result<(), JournalError> {
        if observations.is_empty() {
            return Ok(());
        }
        let mut insert = self
            .conn
            .prepare_cached(
                "INSERT INTO authserv_observation (account, authserv_id, sender_domain) VALUES (?1, ?2, ?3)",
            )
            .map_err(|e| self.err(e))?;
        for o in observations {
            insert.execute(params![account, o.authserv_id, o.sender_domain]).map_err(|e| self.err(e))?;
        }
        self.conn
            .execute(
                "DELETE FROM authserv_observation WHERE account = ?1 AND id <=
                   (SELECT id FROM authserv_observation WHERE account = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
                params![account, OBSERVATIONS_KEPT],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// What `account`'s messages said about their receiving server.
    pub fn observations(&self, account: &str) -> Result<Vec<Observation>, JournalError> {
        let mut stmt = self
            .conn
            .prepare("SELECT authserv_id, sender_domain FROM authserv_observation WHERE account = ?1 ORDER BY id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([account], |r| Ok(Observation { authserv_id: r.get(0)?, sender_domain: r.get(1)? }))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The receiving server learned for `account`, if pinned.
    pub fn learned_authserv(&self, account: &str) -> Result<Option<String>, JournalError> {
        self.conn
            .query_row("SELECT authserv_id FROM learned_authserv WHERE account = ?1", [account], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Pins the receiving server learned for `account` (the first one
    /// stays).
    pub fn pin_learned_authserv(&self, account: &str, id: &str, now: DateTime<Utc>) -> Result<(), JournalError> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO learned_authserv (account, authserv_id, learned_at) VALUES (?1, ?2, ?3)",
                params![account, id, ts(now)],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }
}
