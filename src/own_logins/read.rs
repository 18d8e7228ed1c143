//! Reading one history: a private copy of the database (with its `-wal`
//! and `-shm`), opened read-only, one query per listed host, under a size
//! cap and a deadline.
//!
//! Why a copy: Chromium holds an exclusive lock on its `History` while it
//! runs, and Firefox writes `places.sqlite` in WAL mode; a copy is read
//! whatever the browser does, and vigie never touches the browser's files.
//! The copy keeps the WAL: opening it with `immutable=1` would ignore the
//! WAL and drop the newest visits, the very ones vigie looks for. The copy
//! is opened read-only and SQLite rebuilds the WAL index from the copied
//! WAL (no other connection has the copy open), which the tests prove.

use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::{Instant, SystemTime};

use rusqlite::{Connection, OpenFlags, ffi::ErrorCode};

use super::HistoryError;
use super::visits::{Row, url_range};

/// Microseconds between 1601-01-01 and 1970-01-01 (Chromium's time base is
/// the Windows epoch).
pub const CHROMIUM_EPOCH_OFFSET_MICROS: i64 = 11_644_473_600_000_000;

/// Most rows kept from one history: a person's visits to the login pages
/// are few; a history full of them is not worth more memory.
const MAX_ROWS: i64 = 10_000;

/// How a history database is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `moz_places` + `moz_historyvisits`, `visit_date` in µs since 1970.
    Firefox,
    /// `urls` + `visits`, `visit_time` in µs since 1601.
    Chromium,
}

/// Reads the rows of `hosts` visited after `since_micros` (µs since the
/// Unix epoch) from the history at `path`, copied into `scratch` (a private
/// directory). Gives up at `deadline`.
pub fn read_rows(
    path: &Path,
    layout: Layout,
    hosts: &[String],
    since_micros: i64,
    max_bytes: u64,
    scratch: &Path,
    deadline: Instant,
) -> Result<Vec<Row>, HistoryError> {
    let copy = scratch.join("history.sqlite");
    copy_database(path, &copy, max_bytes)?;
    if Instant::now() >= deadline {
        return Err(HistoryError::TimedOut);
    }
    let conn = Connection::open_with_flags(&copy, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(classify)?;
    conn.busy_timeout(std::time::Duration::from_millis(50)).map_err(classify)?;
    let _watchdog = Watchdog::start(&conn, deadline);
    // Host first, whatever `since` is: the work grows with the rows of the
    // listed hosts, not with the history. Left alone, SQLite walks the
    // visits by date (the whole history when `since` is far back): `CROSS
    // JOIN` fixes the order (Firefox has no index on `url`; its pages are
    // scanned, then each page's visits looked up), and the unary `+` keeps
    // the date index out.
    let (sql, since) = match layout {
        Layout::Firefox => (
            "SELECT v.id, v.from_visit, v.visit_type IN (5, 6), v.visit_date, p.url
             FROM moz_places p CROSS JOIN moz_historyvisits v ON v.place_id = p.id
             WHERE p.url >= ?1 AND p.url < ?2 AND v.visit_date > ?3
               AND v.visit_type NOT IN (4, 7)
             ORDER BY +v.visit_date DESC LIMIT ?4",
            since_micros,
        ),
        // transition & 0xFF is the core type (3: a subframe loaded by the
        // page, not a navigation); 0xC0000000 the redirect qualifiers.
        Layout::Chromium => (
            "SELECT v.id, NULLIF(v.from_visit, 0), (v.transition & 3221225472) != 0,
                    v.visit_time - 11644473600000000, u.url
             FROM urls u JOIN visits v ON v.url = u.id
             WHERE u.url >= ?1 AND u.url < ?2 AND +v.visit_time > ?3
               AND (v.transition & 255) != 3
             ORDER BY v.visit_time DESC LIMIT ?4",
            since_micros.saturating_add(CHROMIUM_EPOCH_OFFSET_MICROS),
        ),
    };
    let mut stmt = conn.prepare(sql).map_err(classify)?;
    let mut rows = Vec::new();
    for host in hosts {
        let (low, high) = url_range(host);
        let found = stmt
            .query_map(rusqlite::params![low, high, since, MAX_ROWS], |r| {
                Ok(Row {
                    id: r.get(0)?,
                    from_visit: r.get(1)?,
                    redirected: r.get(2)?,
                    at_micros: r.get(3)?,
                    url: r.get(4)?,
                })
            })
            .map_err(classify)?;
        for row in found {
            rows.push(row.map_err(classify)?);
        }
    }
    Ok(rows)
}

/// Interrupts the connection's statement at the deadline (the query then
/// fails with `SQLITE_INTERRUPT`); stopped when dropped.
struct Watchdog {
    done: Option<std::sync::mpsc::Sender<()>>,
}

impl Watchdog {
    fn start(conn: &Connection, deadline: Instant) -> Watchdog {
        let handle = conn.get_interrupt_handle();
        let (done, wait) = std::sync::mpsc::channel::<()>();
        let _ = std::thread::Builder::new().name("vigie-history-deadline".into()).spawn(move || {
            let left = deadline.saturating_duration_since(Instant::now());
            if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(left) {
                handle.interrupt();
            }
        });
        Watchdog { done: Some(done) }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        if let Some(done) = self.done.take() {
            let _ = done.send(());
        }
    }
}

/// What a database error means for the user.
fn classify(e: rusqlite::Error) -> HistoryError {
    match e.sqlite_error_code() {
        Some(ErrorCode::OperationInterrupted) => HistoryError::TimedOut,
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => HistoryError::Locked,
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => HistoryError::Damaged(e.to_string()),
        // A database without the expected tables is not a browser history
        // vigie can read: damaged, as far as the user is concerned.
        _ => HistoryError::Damaged(e.to_string()),
    }
}

/// The size and modification time of a file, if it exists.
fn stamp(path: &Path) -> Result<Option<(u64, Option<SystemTime>)>, HistoryError> {
    match std::fs::metadata(path) {
        Ok(meta) => Ok(Some((meta.len(), meta.modified().ok()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(HistoryError::Unreadable(e.to_string())),
    }
}

fn sidecar(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

/// Copies the database and its `-wal` and `-shm` (when present) into
/// `copy` (and `copy-wal`, `copy-shm`), 0600, never following a link at the
/// destination. A browser may write while we copy: when a file changed
/// during the copy, copy again (a checkpoint between the database and its
/// WAL would pair an old database with a new WAL).
fn copy_database(path: &Path, copy: &Path, max_bytes: u64) -> Result<(), HistoryError> {
    let parts = ["", "-wal", "-shm"];
    for _ in 0..3 {
        let before = parts.iter().map(|s| stamp(&sidecar(path, s))).collect::<Result<Vec<_>, _>>()?;
        let Some((db_len, _)) = before[0] else { return Err(HistoryError::Missing) };
        let total = db_len + before[1].map_or(0, |(len, _)| len);
        if total > max_bytes {
            return Err(HistoryError::TooBig { bytes: total, cap: max_bytes });
        }
        for (suffix, seen) in parts.iter().zip(&before) {
            let target = sidecar(copy, suffix);
            let _ = std::fs::remove_file(&target);
            if seen.is_some() {
                copy_file(&sidecar(path, suffix), &target, max_bytes)?;
            }
        }
        let after = parts.iter().map(|s| stamp(&sidecar(path, s))).collect::<Result<Vec<_>, _>>()?;
        if after == before {
            return Ok(());
        }
    }
    // Still changing after three tries: read the last copy; SQLite ignores
    // WAL frames that do not check out.
    Ok(())
}

fn copy_file(from: &Path, to: &Path, max_bytes: u64) -> Result<(), HistoryError> {
    // O_NONBLOCK: a FIFO planted at the path must not block the open; a
    // regular file reads the same with it.
    let mut options = std::fs::OpenOptions::new();
    options.read(true).custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    let source = match options.open(from) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(HistoryError::Missing),
        Err(e) => return Err(HistoryError::Unreadable(e.to_string())),
    };
    if !source.metadata().is_ok_and(|m| m.is_file()) {
        return Err(HistoryError::Unreadable(format!("{} is not a regular file", from.display())));
    }
    let mut target =
        crate::private_fs::open_private_file(to, true).map_err(|e| HistoryError::Unreadable(e.to_string()))?;
    // Never more than the cap, even if the file grows while we copy.
    let copied = std::io::copy(&mut std::io::Read::take(source, max_bytes + 1), &mut target)
        .map_err(|e| HistoryError::Unreadable(e.to_string()))?;
    if copied > max_bytes {
        return Err(HistoryError::TooBig { bytes: copied, cap: max_bytes });
    }
    Ok(())
}
