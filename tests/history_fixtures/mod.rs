//! Browser history files built with the browsers' own schemas (Firefox's
//! `places.sqlite`, Chromium's `History`), for the browser history tests
//! and bench. The CREATE TABLE statements are written from the public
//! schemas (Firefox's `nsPlacesTables.h`, Chromium's `url_database.cc` and
//! `visit_database.cc`), the columns vigie does not read included.

#![allow(dead_code)]

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

/// Chromium's History schema (the tables vigie reads and their
/// neighbours).
pub const CHROMIUM_SCHEMA: &str = "
CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
CREATE TABLE urls(id INTEGER PRIMARY KEY AUTOINCREMENT,url LONGVARCHAR,title LONGVARCHAR,
  visit_count INTEGER DEFAULT 0 NOT NULL,typed_count INTEGER DEFAULT 0 NOT NULL,
  last_visit_time INTEGER NOT NULL,hidden INTEGER DEFAULT 0 NOT NULL);
CREATE TABLE visits(id INTEGER PRIMARY KEY AUTOINCREMENT,url INTEGER NOT NULL,visit_time INTEGER NOT NULL,
  from_visit INTEGER,external_referrer_url TEXT,transition INTEGER DEFAULT 0 NOT NULL,segment_id INTEGER,
  visit_duration INTEGER DEFAULT 0 NOT NULL,incremented_omnibox_typed_score BOOLEAN DEFAULT FALSE NOT NULL,
  opener_visit INTEGER,originator_cache_guid TEXT,originator_visit_id INTEGER,originator_from_visit INTEGER,
  originator_opener_visit INTEGER,is_known_to_sync BOOLEAN DEFAULT FALSE NOT NULL,
  consider_for_ntp_most_visited BOOLEAN DEFAULT FALSE NOT NULL,visited_link_id INTEGER DEFAULT 0 NOT NULL,
  app_id TEXT);
CREATE TABLE visit_source(id INTEGER PRIMARY KEY,source INTEGER NOT NULL);
CREATE TABLE keyword_search_terms (keyword_id INTEGER NOT NULL,url_id INTEGER NOT NULL,
  term LONGVARCHAR NOT NULL,normalized_term LONGVARCHAR NOT NULL);
CREATE TABLE segments (id INTEGER PRIMARY KEY,name VARCHAR,url_id INTEGER NON NULL);
CREATE TABLE segment_usage (id INTEGER PRIMARY KEY,segment_id INTEGER NOT NULL,time_slot INTEGER NOT NULL,
  visit_count INTEGER DEFAULT 0 NOT NULL);
CREATE INDEX visits_url_index ON visits (url);
CREATE INDEX visits_from_index ON visits (from_visit);
CREATE INDEX visits_time_index ON visits (visit_time);
CREATE INDEX urls_url_index ON urls (url);
CREATE INDEX keyword_search_terms_index1 ON keyword_search_terms (keyword_id,normalized_term);
CREATE INDEX segments_name ON segments(name);
CREATE INDEX segment_usage_time_slot_segment_id ON segment_usage(time_slot, segment_id);
INSERT INTO meta VALUES ('version', '69'), ('last_compatible_version', '16');
";

#[allow(unused_imports)]
pub use vigie::own_logins::sample::{FF_LINK, FF_REDIRECT_TEMPORARY, FF_TYPED};

/// Chromium `transition`: core types and qualifiers.
pub const CR_LINK: i64 = 0;
pub const CR_TYPED: i64 = 1;
pub const CR_FORM_SUBMIT: i64 = 7;
pub const CR_CHAIN_START: i64 = 0x1000_0000;
pub const CR_CHAIN_END: i64 = 0x2000_0000;
/// Stored as a signed 32-bit value, as Chromium does.
pub const CR_SERVER_REDIRECT: i64 = 0x8000_0000_u32 as i32 as i64;

/// Chromium's time base: µs since 1601-01-01 UTC.
pub fn chromium_time(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros() + 11_644_473_600_000_000
}

/// A Firefox `places.sqlite` in WAL mode, as Firefox keeps it.
pub fn firefox(path: &Path) -> Connection {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    vigie::own_logins::sample::firefox(path).expect("firefox places")
}

/// Adds a Firefox visit (and its place if new); returns the visit id.
pub fn firefox_visit(conn: &Connection, url: &str, at: DateTime<Utc>, visit_type: i64, from: Option<i64>) -> i64 {
    vigie::own_logins::sample::firefox_visit(conn, url, at, visit_type, from).expect("visit")
}

/// A Chromium `History` (default rollback journal, as Chromium keeps it).
pub fn chromium(path: &Path) -> Connection {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let conn = Connection::open(path).expect("open History");
    conn.execute_batch(CHROMIUM_SCHEMA).expect("chromium schema");
    conn
}

/// Adds a Chromium visit (and its url row if new); returns the visit id.
pub fn chromium_visit(conn: &Connection, url: &str, at: DateTime<Utc>, transition: i64, from: Option<i64>) -> i64 {
    let url_id: i64 = match conn.query_row("SELECT id FROM urls WHERE url = ?1", [url], |r| r.get(0)) {
        Ok(id) => id,
        Err(_) => {
            conn.execute(
                "INSERT INTO urls (url, title, visit_count, last_visit_time) VALUES (?1, '', 1, ?2)",
                params![url, chromium_time(at)],
            )
            .expect("url");
            conn.last_insert_rowid()
        }
    };
    conn.execute(
        "INSERT INTO visits (url, visit_time, from_visit, transition, segment_id) VALUES (?1, ?2, ?3, ?4, 0)",
        params![url_id, chromium_time(at), from.unwrap_or(0), transition],
    )
    .expect("visit");
    conn.last_insert_rowid()
}

/// A Firefox profile under `home` (native root), listed in `profiles.ini`.
pub fn firefox_profile(home: &Path, name: &str) -> std::path::PathBuf {
    vigie::own_logins::sample::firefox_profile(home, name).expect("firefox profile")
}

/// A Chrome `Default` profile under `home`: its `History` path.
pub fn chrome_profile(home: &Path) -> std::path::PathBuf {
    let dir = home.join(".config/google-chrome/Default");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("Preferences"), "{}").expect("Preferences");
    dir.join("History")
}
