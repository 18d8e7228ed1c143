//! The user's own logins, and own login attempts (`attempt = 1`: a visit
//! to the login form in the browser history), which explain a
//! security-code mail but never a login notice.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::spelling::{enum_at, time_at, ts};
use super::{Journal, JournalError};
use crate::matching::{LoginService, LoginSource, OwnLogin, Via};

/// An own login to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOwnLogin {
    pub account: String,
    pub service: LoginService,
    pub at: DateTime<Utc>,
    pub via: Via,
    pub source: LoginSource,
    pub note: Option<String>,
}

impl Journal {
    /// Records one of the user's own logins; returns its id.
    /// Synced before it returns: the user was told it is recorded.
    pub fn record_own_login(&self, login: &NewOwnLogin, now: DateTime<Utc>) -> Result<i64, JournalError> {
        self.durably(|journal| {
            // Not `once`: the row is always inserted, or the call fails.
            Ok(journal.insert_own_login(login, false, now, false)?.unwrap_or_else(|| journal.conn.last_insert_rowid()))
        })
    }

    /// Records an own login (or, with `attempt`, an own login attempt)
    /// unless the same one is already there (same account, service, time,
    /// source, note): reading a browser history twice records its visits
    /// once. Returns the new row's id, or `None` when it was there.
    pub fn record_own_login_once(
        &self,
        login: &NewOwnLogin,
        attempt: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, JournalError> {
        self.insert_own_login(login, attempt, now, true)
    }

    /// The one INSERT of an own login; with `once`, skipped when the same
    /// login is already there.
    fn insert_own_login(
        &self,
        login: &NewOwnLogin,
        attempt: bool,
        now: DateTime<Utc>,
        once: bool,
    ) -> Result<Option<i64>, JournalError> {
        let inserted = self
            .conn
            .execute(
                "INSERT INTO own_login (account, service, at, via, source, note, recorded_at, attempt)
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8
                 WHERE NOT ?9 OR NOT EXISTS (SELECT 1 FROM own_login WHERE account = ?1 AND service = ?2 AND at = ?3
                                             AND source = ?5 AND note IS ?6 AND attempt = ?8)",
                params![
                    login.account,
                    login.service.as_str(),
                    ts(login.at),
                    login.via.as_str(),
                    login.source.as_str(),
                    login.note,
                    ts(now),
                    attempt,
                    once
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok((inserted == 1).then(|| self.conn.last_insert_rowid()))
    }

    /// Every own login with its note, oldest first (attempts excluded).
    pub fn own_logins(&self) -> Result<Vec<(OwnLogin, Option<String>)>, JournalError> {
        self.query_logins("WHERE attempt = 0 ORDER BY at, id", [])
    }

    /// Every own login attempt (a login form visited) with its note,
    /// oldest first. A login (launcher, `vigie login`, browser) is an
    /// attempt too: the `login_attempt` rule looks at both.
    pub fn own_login_attempts(&self) -> Result<Vec<(OwnLogin, Option<String>)>, JournalError> {
        self.query_logins("WHERE attempt = 1 ORDER BY at, id", [])
    }

    /// The own logins and attempts a pass must match: made since
    /// `at_since`, or recorded since `recorded_since` (`vigie login --at`
    /// an earlier time).
    pub fn own_logins_since(
        &self,
        at_since: DateTime<Utc>,
        recorded_since: DateTime<Utc>,
    ) -> Result<Vec<OwnLogin>, JournalError> {
        let logins = self.query_logins(
            "WHERE at >= ?1 OR recorded_at >= ?2 ORDER BY at, id",
            params![ts(at_since), ts(recorded_since)],
        )?;
        Ok(logins.into_iter().map(|(l, _)| l).collect())
    }

    fn query_logins(
        &self,
        filter: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<(OwnLogin, Option<String>)>, JournalError> {
        let sql =
            format!("SELECT id, account, service, at, via, source, note, recorded_at, attempt FROM own_login {filter}");
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params, |r| {
                Ok((
                    OwnLogin {
                        id: r.get(0)?,
                        account: r.get(1)?,
                        service: enum_at(r, 2)?,
                        at: time_at(r, 3)?,
                        via: enum_at(r, 4)?,
                        source: enum_at(r, 5)?,
                        recorded_at: time_at(r, 7)?,
                        attempt: r.get(8)?,
                    },
                    r.get(6)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }
}
