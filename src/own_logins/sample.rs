//! A sample Firefox history, written with Firefox's own schema: what
//! `vigie demo` reads to show a login made through a bookmark, and what
//! the tests build their histories from.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

/// Firefox's places schema (tables and indices of `moz_places`,
/// `moz_historyvisits` and `moz_origins`).
pub const FIREFOX_SCHEMA: &str = "
CREATE TABLE moz_origins ( id INTEGER PRIMARY KEY, prefix TEXT NOT NULL, host TEXT NOT NULL,
  frecency INTEGER NOT NULL, recalc_frecency INTEGER NOT NULL DEFAULT 0, alt_frecency INTEGER,
  recalc_alt_frecency INTEGER NOT NULL DEFAULT 0, UNIQUE (prefix, host) );
CREATE TABLE moz_places ( id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR, rev_host LONGVARCHAR,
  visit_count INTEGER DEFAULT 0, hidden INTEGER DEFAULT 0 NOT NULL, typed INTEGER DEFAULT 0 NOT NULL,
  frecency INTEGER DEFAULT -1 NOT NULL, last_visit_date INTEGER , guid TEXT,
  foreign_count INTEGER DEFAULT 0 NOT NULL, url_hash INTEGER DEFAULT 0 NOT NULL , description TEXT,
  preview_image_url TEXT, site_name TEXT, origin_id INTEGER REFERENCES moz_origins(id),
  recalc_frecency INTEGER NOT NULL DEFAULT 0, alt_frecency INTEGER, recalc_alt_frecency INTEGER NOT NULL DEFAULT 0 );
CREATE TABLE moz_historyvisits ( id INTEGER PRIMARY KEY, from_visit INTEGER, place_id INTEGER,
  visit_date INTEGER, visit_type INTEGER, session INTEGER, source INTEGER DEFAULT 0 NOT NULL,
  triggeringPlaceId INTEGER );
CREATE INDEX moz_places_url_hashindex ON moz_places (url_hash);
CREATE INDEX moz_places_hostindex ON moz_places (rev_host);
CREATE INDEX moz_places_visitcount ON moz_places (visit_count);
CREATE INDEX moz_places_frecencyindex ON moz_places (frecency);
CREATE INDEX moz_places_lastvisitdateindex ON moz_places (last_visit_date);
CREATE UNIQUE INDEX moz_places_guid_uniqueindex ON moz_places (guid);
CREATE INDEX moz_places_originidindex ON moz_places (origin_id);
CREATE INDEX moz_historyvisits_placedateindex ON moz_historyvisits (place_id, visit_date);
CREATE INDEX moz_historyvisits_fromindex ON moz_historyvisits (from_visit);
CREATE INDEX moz_historyvisits_dateindex ON moz_historyvisits (visit_date);
";

/// Firefox `visit_type`: a followed link, a typed address, a temporary
/// redirect.
pub const FF_LINK: i64 = 1;
pub const FF_TYPED: i64 = 2;
pub const FF_REDIRECT_TEMPORARY: i64 = 6;

/// A Firefox profile `name` under `home` (native root), listed in
/// `profiles.ini`: the path of its `places.sqlite`.
pub fn firefox_profile(home: &Path, name: &str) -> std::io::Result<std::path::PathBuf> {
    let root = home.join(".mozilla/firefox");
    std::fs::create_dir_all(root.join(format!("abc.{name}")))?;
    std::fs::write(root.join("profiles.ini"), format!("[Profile0]\nName={name}\nIsRelative=1\nPath=abc.{name}\n"))?;
    Ok(root.join(format!("abc.{name}/places.sqlite")))
}

/// A Firefox `places.sqlite` in WAL mode, as Firefox keeps it.
pub fn firefox(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.execute_batch("PRAGMA page_size = 32768; PRAGMA journal_mode = WAL;")?;
    conn.execute_batch(FIREFOX_SCHEMA)?;
    Ok(conn)
}

/// Adds a Firefox visit (and its place if new); returns the visit id.
pub fn firefox_visit(
    conn: &Connection,
    url: &str,
    at: DateTime<Utc>,
    visit_type: i64,
    from: Option<i64>,
) -> rusqlite::Result<i64> {
    let host = url.split('/').nth(2).unwrap_or_default();
    let rev_host: String = host.chars().rev().chain(std::iter::once('.')).collect();
    let place: i64 = match conn.query_row("SELECT id FROM moz_places WHERE url = ?1", [url], |r| r.get(0)) {
        Ok(id) => id,
        Err(_) => {
            conn.execute(
                "INSERT INTO moz_places (url, rev_host, guid, visit_count, last_visit_date)
                 VALUES (?1, ?2, lower(hex(randomblob(6))), 1, ?3)",
                params![url, rev_host, at.timestamp_micros()],
            )?;
            conn.last_insert_rowid()
        }
    };
    conn.execute(
        "INSERT INTO moz_historyvisits (from_visit, place_id, visit_date, visit_type, session)
         VALUES (?1, ?2, ?3, ?4, 0)",
        params![from.unwrap_or(0), place, at.timestamp_micros(), visit_type],
    )?;
    Ok(conn.last_insert_rowid())
}
