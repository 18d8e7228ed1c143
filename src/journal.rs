//! The journal: a SQLite file in the data directory holding the user's own
//! logins, the notices seen, the findings, the alerts delivered, the
//! user's answers and the mailbox cursors.
//!
//! The agent and the CLI use it at the same time: WAL mode and a busy
//! timeout let one write while the other reads. The file is created 0600.
//! A journal that cannot be read is never replaced: vigie says what is
//! wrong and leaves the user's file as it is.

use std::path::{Path, PathBuf};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::matching::{Finding, FindingKind, LoginService, LoginSource, NoticeFacts, OwnLogin, Via};
use crate::notice::{Authenticity, Kind, Reason, Recognition, Service};

/// The file name of the journal inside the data directory.
pub const FILE_NAME: &str = "journal.sqlite3";

/// Schema migrations, in order; `PRAGMA user_version` is the number applied.
const MIGRATIONS: &[&str] = &[include_str!("journal/v1.sql")];

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("cannot create the data directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the journal {path} cannot be read ({detail}). vigie has left it untouched. \
         Move it aside (for example: mv {path} {path}.damaged) so that vigie starts a new one, \
         or put back a backup copy."
    )]
    Damaged { path: PathBuf, detail: String },
    #[error(
        "the journal {path} was written by a newer version of vigie (schema {found}, this one knows {known}). \
         Update vigie."
    )]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error("the journal {path} is busy or cannot be written: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
}

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
    /// Evidence against first, then for.
    pub reasons: Vec<Reason>,
    pub seen_at: DateTime<Utc>,
}

/// A finding as the journal holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFinding {
    pub id: i64,
    pub finding: Finding,
    pub raised_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
}

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

/// The user's answer to an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// "C'était moi": records an acknowledged own login, resolves.
    Mine,
    /// "Ce n'était pas moi": kept unresolved until the user acts.
    NotMine,
}

pub struct Journal {
    conn: Connection,
    path: PathBuf,
}

impl Journal {
    /// Opens (creating if needed) the journal in `data_dir`.
    pub fn open_in(data_dir: &Path) -> Result<Journal, JournalError> {
        create_private_dir(data_dir)?;
        Journal::open(&data_dir.join(FILE_NAME))
    }

    /// Opens (creating if needed, mode 0600) the journal at `path`.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        let path = path.to_path_buf();
        create_private_file(&path)?;
        let sqlite = |source| JournalError::Sqlite { path: path.clone(), source };
        let conn = Connection::open(&path).map_err(sqlite)?;
        conn.busy_timeout(StdDuration::from_secs(10)).map_err(sqlite)?;
        let mut journal = Journal { conn, path };
        journal.check_and_migrate()?;
        Ok(journal)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, source: rusqlite::Error) -> JournalError {
        match source.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
                JournalError::Damaged { path: self.path.clone(), detail: source.to_string() }
            }
            _ => JournalError::Sqlite { path: self.path.clone(), source },
        }
    }

    fn check_and_migrate(&mut self) -> Result<(), JournalError> {
        let check: String = self.conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(|e| self.err(e))?;
        if check != "ok" {
            return Err(JournalError::Damaged { path: self.path.clone(), detail: check });
        }
        self.conn
            .execute_batch("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;")
            .map_err(|e| self.err(e))?;
        let version: i64 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| self.err(e))?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(JournalError::TooNew { path: self.path.clone(), found: version, known });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx =
                self.conn.transaction().map_err(|e| JournalError::Sqlite { path: self.path.clone(), source: e })?;
            // Another process may have migrated meanwhile: re-read inside
            // the write transaction.
            let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap_or(version);
            if now <= i as i64 {
                tx.execute_batch(sql).map_err(|e| JournalError::Sqlite { path: self.path.clone(), source: e })?;
                tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))
                    .map_err(|e| JournalError::Sqlite { path: self.path.clone(), source: e })?;
            }
            tx.commit().map_err(|e| JournalError::Sqlite { path: self.path.clone(), source: e })?;
        }
        Ok(())
    }

    /// Records one of the user's own logins; returns its id.
    pub fn record_own_login(&self, login: &NewOwnLogin, now: DateTime<Utc>) -> Result<i64, JournalError> {
        self.conn
            .execute(
                "INSERT INTO own_login (account, service, at, via, source, note, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    login.account,
                    login.service.as_str(),
                    ts(login.at),
                    login.via.as_str(),
                    login.source.as_str(),
                    login.note,
                    ts(now)
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn own_logins(&self) -> Result<Vec<(OwnLogin, Option<String>)>, JournalError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, account, service, at, via, source, note FROM own_login ORDER BY at, id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    OwnLogin {
                        id: r.get(0)?,
                        account: r.get(1)?,
                        service: parse_enum(r.get_ref(2)?.as_str()?, LoginService::Any),
                        at: parse_ts(&r.get::<_, String>(3)?),
                        via: parse_enum(r.get_ref(4)?.as_str()?, Via::Web),
                        source: parse_enum(r.get_ref(5)?.as_str()?, LoginSource::Cli),
                    },
                    r.get(6)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Records a message that claims a service, once per `account` and
    /// `key` (its Message-ID, else a hash of its content). Returns the new
    /// notice's id, or `None` when the journal already had it.
    pub fn record_notice(
        &self,
        account: &str,
        key: &str,
        location: &Location,
        seen: &Recognition,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, JournalError> {
        let Some(notice) = &seen.notice else { return Ok(None) };
        let reasons = serde_json::to_string(&notice.reasons).unwrap_or_default();
        let changed = self
            .conn
            .execute(
                "INSERT OR IGNORE INTO notice (account, key, folder, uid, message_id, sender, subject, service, kind,
                   authenticity, reasons, login_at, login_at_source, site, identity_provider, received_at, seen_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
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
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok((changed == 1).then(|| self.conn.last_insert_rowid()))
    }

    pub fn notices(&self) -> Result<Vec<StoredNotice>, JournalError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, account, service, kind, authenticity, login_at, site, folder, message_id, sender,
                        subject, identity_provider, reasons, seen_at
                 FROM notice ORDER BY COALESCE(login_at, seen_at), id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(StoredNotice {
                    facts: NoticeFacts {
                        id: r.get(0)?,
                        account: r.get(1)?,
                        service: parse_enum(r.get_ref(2)?.as_str()?, Service::Ameli),
                        kind: parse_enum(r.get_ref(3)?.as_str()?, Kind::Other),
                        authenticity: match r.get_ref(4)?.as_str()? {
                            "genuine" => Authenticity::Genuine,
                            "unverified" => Authenticity::Unverified,
                            _ => Authenticity::Suspicious,
                        },
                        login_at: r.get::<_, Option<String>>(5)?.map(|s| parse_ts(&s)),
                        site: r.get(6)?,
                    },
                    folder: r.get(7)?,
                    message_id: r.get(8)?,
                    sender: r.get(9)?,
                    subject: r.get(10)?,
                    identity_provider: r.get(11)?,
                    reasons: serde_json::from_str(&r.get::<_, String>(12)?).unwrap_or_default(),
                    seen_at: parse_ts(&r.get::<_, String>(13)?),
                })
            })
            .map_err(|e| self.err(e))?;
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

    /// Every finding, unresolved first, newest first within each group.
    pub fn findings(&self) -> Result<Vec<StoredFinding>, JournalError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, kind, account, service, notice_id, own_login_id, at, unverified, raised_at,
                        resolved_at, resolution
                 FROM finding ORDER BY resolved_at IS NOT NULL, raised_at DESC, id DESC",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(StoredFinding {
                    id: r.get(0)?,
                    finding: Finding {
                        kind: FindingKind::parse(r.get_ref(1)?.as_str()?).unwrap_or(FindingKind::UnrecognisedLogin),
                        account: r.get(2)?,
                        service: r.get::<_, Option<String>>(3)?.map(|s| parse_enum(&s, Service::Ameli)),
                        notice_id: r.get(4)?,
                        own_login_id: r.get(5)?,
                        at: r.get::<_, Option<String>>(6)?.map(|s| parse_ts(&s)),
                        unverified: r.get(7)?,
                    },
                    raised_at: parse_ts(&r.get::<_, String>(8)?),
                    resolved_at: r.get::<_, Option<String>>(9)?.map(|s| parse_ts(&s)),
                    resolution: r.get(10)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    pub fn finding(&self, id: i64) -> Result<Option<StoredFinding>, JournalError> {
        Ok(self.findings()?.into_iter().find(|f| f.id == id))
    }

    /// Marks a finding resolved (no-op if it already is).
    pub fn resolve(&self, id: i64, resolution: &str, now: DateTime<Utc>) -> Result<(), JournalError> {
        self.conn
            .execute(
                "UPDATE finding SET resolved_at = ?2, resolution = ?3 WHERE id = ?1 AND resolved_at IS NULL",
                params![id, ts(now), resolution],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Resolves every open finding of `kind` for `account` (one statement:
    /// the watch loop calls it after each sync).
    pub fn resolve_all(
        &self,
        kind: FindingKind,
        account: &str,
        resolution: &str,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        self.conn
            .execute(
                "UPDATE finding SET resolved_at = ?3, resolution = ?4
                 WHERE kind = ?1 AND account = ?2 AND resolved_at IS NULL",
                params![kind.as_str(), account, ts(now), resolution],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Records the user's answer to a finding's alert. "Mine" records the
    /// login as the user's own and resolves the finding, in one
    /// transaction.
    pub fn answer(&mut self, id: i64, answer: Answer, now: DateTime<Utc>) -> Result<(), JournalError> {
        let path = self.path.clone();
        let sqlite = |source| JournalError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(sqlite)?;
        let row: Option<(String, Option<String>, Option<String>)> = tx
            .query_row("SELECT account, service, at FROM finding WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
            .map_err(sqlite)?;
        let Some((account, service, at)) = row else { return Ok(()) };
        let label = match answer {
            Answer::Mine => "mine",
            Answer::NotMine => "not_mine",
        };
        tx.execute("INSERT INTO answer (finding_id, answer, at) VALUES (?1, ?2, ?3)", params![id, label, ts(now)])
            .map_err(sqlite)?;
        if answer == Answer::Mine {
            let service = service.as_deref().map_or(LoginService::Any, |s| parse_enum(s, LoginService::Any));
            tx.execute(
                "INSERT INTO own_login (account, service, at, via, source, note, recorded_at)
                 VALUES (?1, ?2, ?3, 'web', 'acknowledged_alert', NULL, ?4)",
                params![account, service.as_str(), at.unwrap_or_else(|| ts(now)), ts(now)],
            )
            .map_err(sqlite)?;
            tx.execute(
                "UPDATE finding SET resolved_at = ?2, resolution = 'mine' WHERE id = ?1 AND resolved_at IS NULL",
                params![id, ts(now)],
            )
            .map_err(sqlite)?;
        }
        tx.commit().map_err(sqlite)
    }

    /// Records an attempt to deliver a finding's alert on a channel.
    pub fn record_delivery(
        &self,
        finding_id: i64,
        channel: &str,
        outcome: &str,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        self.conn
            .execute(
                "INSERT INTO alert (finding_id, channel, outcome, at) VALUES (?1, ?2, ?3, ?4)",
                params![finding_id, channel, outcome, ts(now)],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The last delivery outcome per channel for a finding.
    pub fn deliveries(&self, finding_id: i64) -> Result<Vec<(String, String)>, JournalError> {
        let mut stmt = self
            .conn
            .prepare("SELECT channel, outcome FROM alert WHERE finding_id = ?1 ORDER BY id")
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([finding_id], |r| Ok((r.get(0)?, r.get(1)?))).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

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
                    last_ok: r.get::<_, Option<String>>(1)?.map(|s| parse_ts(&s)),
                    last_error: r.get(2)?,
                    last_error_at: r.get::<_, Option<String>>(3)?.map(|s| parse_ts(&s)),
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Runs `f` in one write transaction (all or nothing).
    pub fn transaction<T>(&mut self, f: impl FnOnce(&Journal) -> Result<T, JournalError>) -> Result<T, JournalError> {
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(|e| self.err(e))?;
        match f(self) {
            Ok(value) => {
                self.conn.execute_batch("COMMIT").map_err(|e| self.err(e))?;
                Ok(value)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }
}

/// How an account's mailbox reading went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountHealth {
    pub account: String,
    pub last_ok: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Times are written by vigie itself; an unreadable one (hand-edited
/// journal) reads as the epoch rather than failing every command.
fn parse_ts(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
}

fn parse_enum<T: serde::de::DeserializeOwned>(s: &str, default: T) -> T {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).unwrap_or(default)
}

fn create_private_dir(dir: &Path) -> Result<(), JournalError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|source| JournalError::CreateDir { path: dir.to_path_buf(), source })
}

/// Creates the file 0600 before SQLite does (SQLite would use 0644).
fn create_private_file(path: &Path) -> Result<(), JournalError> {
    if path.exists() {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(JournalError::CreateDir { path: path.to_path_buf(), source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notice::{Rules, recognise};

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("time").with_timezone(&Utc)
    }

    const NOTICE: &[u8] = b"Authentication-Results: mx; dkim=pass header.d=info.ameli.fr\r\n\
From: Votre Assurance Maladie <assurance-maladie@info.ameli.fr>\r\n\
Subject: Votre compte ameli - Information de connexion\r\nMessage-ID: <n1@ameli>\r\n\r\n\
Connexion le 20 novembre 2026 a 10:14.\r\n";

    #[test]
    fn notices_are_recorded_once_per_account_and_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let journal = Journal::open_in(dir.path()).expect("journal");
        let seen = recognise(NOTICE, &Rules::builtin()).expect("mail");
        let now = t("2026-11-20T10:00:00Z");
        let loc = Location { folder: Some("INBOX".into()), uid: Some(4) };
        assert!(journal.record_notice("Mamie", "n1@ameli", &loc, &seen, now).expect("insert").is_some());
        assert_eq!(journal.record_notice("Mamie", "n1@ameli", &loc, &seen, now).expect("again"), None);
        assert!(journal.record_notice("Moi", "n1@ameli", &loc, &seen, now).expect("other account").is_some());
        let notices = journal.notices().expect("notices");
        assert_eq!(notices.len(), 2);
        assert_eq!(notices[0].facts.login_at, Some(t("2026-11-20T09:14:00Z")));
        assert_eq!(notices[0].facts.authenticity, Authenticity::Genuine);
        let codes: Vec<&str> = notices[0].reasons.iter().map(|r| r.code()).collect();
        assert_eq!(codes, vec!["dkim_pass"]);
    }

    #[test]
    fn findings_are_raised_once_and_mine_resolves_with_an_own_login() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut journal = Journal::open_in(dir.path()).expect("journal");
        let now = t("2026-11-20T10:00:00Z");
        let finding = Finding {
            kind: FindingKind::UnrecognisedLogin,
            account: "Mamie".into(),
            service: Some(Service::Ameli),
            notice_id: None,
            own_login_id: None,
            at: Some(t("2026-11-20T09:14:00Z")),
            unverified: false,
        };
        let id = journal.raise(&finding, now).expect("raise").expect("new");
        assert_eq!(journal.raise(&finding, now).expect("again"), None);
        journal.answer(id, Answer::Mine, now).expect("answer");
        let stored = journal.finding(id).expect("read").expect("exists");
        assert_eq!(stored.resolution.as_deref(), Some("mine"));
        let logins = journal.own_logins().expect("logins");
        assert_eq!(logins.len(), 1);
        assert_eq!(logins[0].0.at, t("2026-11-20T09:14:00Z"));
        assert_eq!(logins[0].0.source, LoginSource::AcknowledgedAlert);
        assert_eq!(logins[0].0.service, LoginService::Ameli);
    }

    #[test]
    fn resolve_all_closes_only_that_accounts_open_findings_of_that_kind() {
        let dir = tempfile::tempdir().expect("tempdir");
        let journal = Journal::open_in(dir.path()).expect("journal");
        let now = t("2026-11-20T10:00:00Z");
        let blind = |account: &str| Finding {
            kind: FindingKind::Blind,
            account: account.into(),
            service: None,
            notice_id: None,
            own_login_id: None,
            at: Some(now),
            unverified: false,
        };
        let mamie = journal.raise(&blind("Mamie"), now).expect("raise").expect("new");
        let papi = journal.raise(&blind("Papi"), now).expect("raise").expect("new");
        journal.resolve_all(FindingKind::Blind, "Mamie", "readable again", now).expect("resolve");
        assert_eq!(journal.finding(mamie).expect("read").and_then(|f| f.resolution), Some("readable again".into()));
        assert_eq!(journal.finding(papi).expect("read").and_then(|f| f.resolved_at), None);
    }

    #[test]
    fn cursors_and_health_round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        let journal = Journal::open_in(dir.path()).expect("journal");
        let now = t("2026-11-20T10:00:00Z");
        assert_eq!(journal.cursor("Mamie", "INBOX").expect("read"), None);
        journal.set_cursor("Mamie", "INBOX", 7, 42, now).expect("write");
        journal.set_cursor("Mamie", "INBOX", 7, 43, now).expect("update");
        assert_eq!(journal.cursor("Mamie", "INBOX").expect("read"), Some((7, 43)));
        journal.set_health("Mamie", Some("login refused"), now).expect("error");
        journal.set_health("Mamie", None, now).expect("ok");
        let health = journal.health().expect("health");
        assert_eq!(health[0].last_ok, Some(now));
        assert_eq!(health[0].last_error, None);
    }

    #[cfg(unix)]
    #[test]
    fn the_journal_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let journal = Journal::open_in(&data).expect("journal");
        let mode = std::fs::metadata(journal.path()).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let mode = std::fs::metadata(&data).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }
}
