//! The journal: a SQLite file in the data directory holding the user's own
//! logins, the notices seen, the findings with their alerts and answers,
//! and where the watcher is in each mailbox. One file per table group:
//! [`notices`], [`logins`], [`findings`] (findings, answers, deliveries),
//! [`mailbox_state`] (cursors, health, and what the account's mail says
//! about its receiving server).
//!
//! The agent and the CLI use it at the same time: WAL mode and a busy
//! timeout let one write while the other reads. A commit that follows
//! something the user saw or did (an alert about to be shown or shown, an
//! answer, a login recorded by `vigie login`) is synced to disk before it
//! returns ([`Journal::durably`]): after a system crash, an alert recorded
//! as shown stays recorded, and is not shown again. The others (notices,
//! findings, cursors: what vigie can read again from the mailbox) are only
//! ordered (`synchronous=NORMAL`): in WAL mode what survives a crash is
//! always a prefix of the commits, and a synced commit syncs every one
//! before it. A crash can only lose the last few of them, which vigie
//! redoes from the mail; an alert's path waits for one sync, not six. The file is created 0600
//! and opened without following symlinks. A journal that cannot be read,
//! or holds a value vigie does not know, is never replaced or guessed at:
//! vigie says what is wrong and leaves the user's file as it is.

mod findings;
mod logins;
mod mailbox_state;
mod notices;
mod spelling;

use std::path::{Path, PathBuf};
use std::time::Duration as StdDuration;

use rusqlite::{Connection, OpenFlags};

use crate::private_fs::{self, PrivateFsError};

pub use findings::{AnswerOutcome, DeliveryRecord, StoredFinding};
pub use logins::NewOwnLogin;
pub use mailbox_state::AccountHealth;
pub use notices::{Location, StoredNotice};
pub use spelling::DeliveryOutcome;

/// The file name of the journal inside the data directory.
pub const FILE_NAME: &str = "journal.sqlite3";

/// Schema migrations, in order; `PRAGMA user_version` is the number applied.
const MIGRATIONS: &[&str] = &[
    include_str!("v1.sql"),
    include_str!("v2.sql"),
    include_str!("v3.sql"),
    include_str!("v4.sql"),
    include_str!("v5.sql"),
    include_str!("v6.sql"),
];

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("cannot create the data directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is a symbolic link: vigie does not follow links for its journal")]
    Symlink { path: PathBuf },
    /// The data directory or the journal file is not the user's alone.
    #[error(transparent)]
    NotPrivate(#[from] PrivateFsError),
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
    #[error("the journal {path} is busy (another vigie is writing to it): {source}")]
    Busy {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("the journal {path} cannot be written: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
}

pub struct Journal {
    conn: Connection,
    path: PathBuf,
    /// How many commits were synced (for tests).
    #[cfg(test)]
    synced_commits: std::cell::Cell<u32>,
}

impl Journal {
    /// Opens (creating if needed) the journal in `data_dir`.
    pub fn open_in(data_dir: &Path) -> Result<Journal, JournalError> {
        create_private_dir(data_dir)?;
        Journal::open(&data_dir.join(FILE_NAME))
    }

    /// Opens (creating if needed, mode 0600) the journal at `path`, never
    /// through a symbolic link.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        let path = path.to_path_buf();
        create_private_file(&path)?;
        let flags = OpenFlags::default() | OpenFlags::SQLITE_OPEN_NOFOLLOW;
        let conn = Connection::open_with_flags(&path, flags).map_err(|source| classify(&path, source))?;
        conn.busy_timeout(StdDuration::from_secs(10)).map_err(|source| classify(&path, source))?;
        let mut journal = Journal {
            conn,
            path,
            #[cfg(test)]
            synced_commits: std::cell::Cell::new(0),
        };
        journal.check_and_migrate()?;
        Ok(journal)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, source: rusqlite::Error) -> JournalError {
        classify(&self.path, source)
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
            let path = self.path.clone();
            let tx = self.conn.transaction().map_err(|e| classify(&path, e))?;
            // Another process may have migrated meanwhile: re-read inside
            // the write transaction.
            let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap_or(version);
            if now <= i as i64 {
                tx.execute_batch(sql).map_err(|e| classify(&path, e))?;
                tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1)).map_err(|e| classify(&path, e))?;
            }
            tx.commit().map_err(|e| classify(&path, e))?;
        }
        Ok(())
    }

    /// Runs `f` in one write transaction (all or nothing), ordered after
    /// the commits before it (see the module's doc).
    pub fn transaction<T>(&mut self, f: impl FnOnce(&Journal) -> Result<T, JournalError>) -> Result<T, JournalError> {
        self.write(false, f)
    }

    /// Runs `f` in one write transaction synced to disk before this
    /// returns, with every commit before it: for what follows something
    /// the user saw or did. Inside another transaction, it is part of that
    /// one, and synced as that one is.
    pub(crate) fn durably<T>(&self, f: impl FnOnce(&Journal) -> Result<T, JournalError>) -> Result<T, JournalError> {
        self.write(true, f)
    }

    fn write<T>(&self, durable: bool, f: impl FnOnce(&Journal) -> Result<T, JournalError>) -> Result<T, JournalError> {
        if !self.conn.is_autocommit() {
            // Nested: the open transaction commits it, synced or not as it
            // was begun (SQLite cannot change that once it is open).
            return f(self);
        }
        if durable {
            self.conn.execute_batch("PRAGMA synchronous=FULL").map_err(|e| self.err(e))?;
        }
        let result = self.conn.execute_batch("BEGIN IMMEDIATE").map_err(|e| self.err(e)).and_then(|()| {
            let result = f(self).and_then(|value| {
                self.conn.execute_batch("COMMIT").map_err(|e| self.err(e))?;
                Ok(value)
            });
            if result.is_err() {
                let _ = self.conn.execute_batch("ROLLBACK");
            }
            result
        });
        if durable {
            // Back to ordered commits; failing that, the next ones are
            // synced too, which loses nothing.
            let _ = self.conn.execute_batch("PRAGMA synchronous=NORMAL");
        }
        #[cfg(test)]
        if durable && result.is_ok() {
            self.synced_commits.set(self.synced_commits.get() + 1);
        }
        result
    }
}

/// What a SQLite error means for the user.
fn classify(path: &Path, source: rusqlite::Error) -> JournalError {
    let path = path.to_path_buf();
    match &source {
        rusqlite::Error::FromSqlConversionFailure(..) | rusqlite::Error::InvalidColumnType(..) => {
            JournalError::Damaged { path, detail: source.to_string() }
        }
        _ => match source.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
                JournalError::Damaged { path, detail: source.to_string() }
            }
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                JournalError::Busy { path, source }
            }
            Some(rusqlite::ErrorCode::CannotOpen) if is_symlink(&path) => JournalError::Symlink { path },
            _ => JournalError::Sqlite { path, source },
        },
    }
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// The data directory: created 0700, or checked to be the user's alone.
fn create_private_dir(dir: &Path) -> Result<(), JournalError> {
    private_fs::create_private_dir(dir).map_err(|e| match e {
        PrivateFsError::Io { path, source } => JournalError::CreateDir { path, source },
        other => JournalError::NotPrivate(other),
    })
}

/// Creates the file 0600 before SQLite does (SQLite would use 0644),
/// without following a link planted at its path: a symbolic link there,
/// even dangling, is refused and its target never created.
fn create_private_file(path: &Path) -> Result<(), JournalError> {
    match private_fs::open_private_file(path, true) {
        Ok(_) => Ok(()),
        Err(PrivateFsError::Symlink { path }) => Err(JournalError::Symlink { path }),
        Err(e) if is_symlink(path) => {
            tracing::debug!(error = %e, "journal path");
            Err(JournalError::Symlink { path: path.to_path_buf() })
        }
        Err(e) => Err(JournalError::NotPrivate(e)),
    }
}

#[cfg(test)]
mod tests;
