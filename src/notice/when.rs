//! When did the login happen? French dates and times in a notice's body,
//! read as Europe/Paris local time and kept in UTC.
//!
//! Formats: `le 01 janvier 2021 à 14:14`, `le vendredi 1er mars 2026 à 9h05`,
//! `Le 04/08/2022 à 22:09`, `14 h 14`, with or without `(heure de Paris)`;
//! also `20 November 2026 at 10:14` for the English notice. A body without a
//! date and time falls back to the `Date` header, flagged as such.
//!
//! Daylight saving:
//! - a time in the spring-forward gap (e.g. 29 March 2026 02:30, which
//!   never shows on a Paris clock) is read with the offset in force before
//!   the change (UTC+1), and flagged: a genuine sender cannot write it;
//! - a time in the autumn overlap (25 October 2026 02:30 happens twice) is
//!   resolved with the `Date` header, since a notice is sent right after the
//!   login: the later of the two instants that is not after the header
//!   (allowing a few minutes of clock skew). Without a usable header it is
//!   the earlier one, flagged.

use std::sync::LazyLock;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use regex::bytes::{Captures, Regex, RegexBuilder};
use serde::Serialize;

/// Where a login time was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeSource {
    /// Stated in the message body.
    Body,
    /// The body states none: the `Date` header, an estimate.
    DateHeader,
}

impl TimeSource {
    pub fn as_str(self) -> &'static str {
        match self {
            TimeSource::Body => "body",
            TimeSource::DateHeader => "date_header",
        }
    }
}

/// Something unusual about how a Paris time became UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeNote {
    /// The time falls in the spring-forward gap.
    DstGap,
    /// The time happens twice (autumn) and nothing told which.
    Ambiguous,
}

/// A login time, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginTime {
    pub at: DateTime<Utc>,
    pub source: TimeSource,
    pub note: Option<TimeNote>,
}

/// Clock skew allowed between the login time in the body and the `Date`
/// header when resolving an autumn overlap.
const SKEW: Duration = Duration::minutes(5);

// Folded text is ASCII: no Unicode classes (smaller, faster automata).
static FRENCH_MONTH_DATE: LazyLock<Regex> = LazyLock::new(|| {
    ascii(
        r"(?x)
        \b(?P<d>\d{1,2})(?:er)?\s+
        (?P<mon>janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre
          |january|february|march|april|may|june|july|august|september|october|november|december)
        (?:\s+(?P<y>\d{4}))?
        \s*,?\s*(?:a|at|vers|-)?\s*
        (?P<h>\d{1,2})\s*(?P<sep>[h:])\s*(?P<mi>\d{2})?",
    )
});

static NUMERIC_DATE: LazyLock<Regex> = LazyLock::new(|| {
    ascii(
        r"(?x)
        \b(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})
        \s*,?\s*(?:a|at|vers|-)?\s*
        (?P<h>\d{1,2})\s*(?P<sep>[h:])\s*(?P<mi>\d{2})?",
    )
});

fn ascii(pattern: &str) -> Regex {
    RegexBuilder::new(pattern).unicode(false).build().expect("constant regex")
}

/// Reads the login time from a folded body (see `text::normalise`), else
/// takes the `Date` header.
pub fn read_login_time(folded_body: &str, date_header: Option<DateTime<Utc>>) -> Option<LoginTime> {
    let first = |re: &Regex| re.captures_iter(folded_body.as_bytes()).find_map(|c| local_time(&c, date_header));
    let found = [first(&FRENCH_MONTH_DATE), first(&NUMERIC_DATE)].into_iter().flatten().min_by_key(|(pos, _)| *pos);
    match found {
        Some((_, local)) => {
            let (at, note) = paris_to_utc(local, date_header);
            Some(LoginTime { at, source: TimeSource::Body, note })
        }
        None => date_header.map(|at| LoginTime { at, source: TimeSource::DateHeader, note: None }),
    }
}

/// One match to (its position, the Paris local time it states), if valid.
fn local_time(c: &Captures<'_>, date_header: Option<DateTime<Utc>>) -> Option<(usize, NaiveDateTime)> {
    let text = |name: &str| c.name(name).and_then(|m| std::str::from_utf8(m.as_bytes()).ok());
    let num = |name: &str| text(name).and_then(|t| t.parse::<u32>().ok());
    let day = num("d")?;
    let month = match text("mon") {
        Some(m) => month_number(m)?,
        None => num("m")?,
    };
    let hour = num("h")?;
    let minute = match (num("mi"), text("sep")) {
        (Some(mi), _) => mi,
        (None, Some("h")) => 0, // "à 14h"
        _ => return None,
    };
    let time = chrono::NaiveTime::from_hms_opt(hour, minute, 0)?;
    let date = match num("y") {
        Some(year) => NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?,
        None => date_without_year(month, day, date_header?)?,
    };
    Some((c.get(0)?.start(), date.and_time(time)))
}

/// "le 31 décembre à 23:50" in a mail dated 1 January: last year.
fn date_without_year(month: u32, day: u32, date_header: DateTime<Utc>) -> Option<NaiveDate> {
    let sent = date_header.with_timezone(&Paris).date_naive();
    let this_year = NaiveDate::from_ymd_opt(sent.year(), month, day)?;
    if this_year > sent + Duration::days(1) {
        NaiveDate::from_ymd_opt(sent.year() - 1, month, day)
    } else {
        Some(this_year)
    }
}

fn month_number(name: &str) -> Option<u32> {
    Some(match name {
        "janvier" | "january" => 1,
        "fevrier" | "february" => 2,
        "mars" | "march" => 3,
        "avril" | "april" => 4,
        "mai" | "may" => 5,
        "juin" | "june" => 6,
        "juillet" | "july" => 7,
        "aout" | "august" => 8,
        "septembre" | "september" => 9,
        "octobre" | "october" => 10,
        "novembre" | "november" => 11,
        "decembre" | "december" => 12,
        _ => return None,
    })
}

/// A Paris wall-clock time to UTC, by the rules in the module doc.
pub fn paris_to_utc(local: NaiveDateTime, date_header: Option<DateTime<Utc>>) -> (DateTime<Utc>, Option<TimeNote>) {
    match Paris.from_local_datetime(&local) {
        LocalResult::Single(t) => (t.with_timezone(&Utc), None),
        LocalResult::Ambiguous(earlier, later) => {
            let (earlier, later) = (earlier.with_timezone(&Utc), later.with_timezone(&Utc));
            match date_header {
                Some(sent) if later <= sent + SKEW => (later, None),
                Some(sent) if earlier <= sent + SKEW => (earlier, None),
                _ => (earlier, Some(TimeNote::Ambiguous)),
            }
        }
        LocalResult::None => {
            // Gaps are at most a few hours long: three hours earlier the
            // clock still showed the offset in force before the change.
            let before = Paris.offset_from_utc_datetime(&(local - Duration::hours(3))).fix();
            let at = local - Duration::seconds(i64::from(before.local_minus_utc()));
            (at.and_utc(), Some(TimeNote::DstGap))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("test date").with_timezone(&Utc)
    }

    fn read(body: &str, date: Option<&str>) -> Option<LoginTime> {
        read_login_time(body, date.map(utc))
    }

    #[test]
    fn french_month_date_in_winter_is_utc_plus_one() {
        let t = read("une connexion a eu lieu le 01 janvier 2021 a 14:14 (heure de paris)", None).expect("time");
        assert_eq!(t.at, utc("2021-01-01T13:14:00Z"));
        assert_eq!(t.source, TimeSource::Body);
        assert_eq!(t.note, None);
    }

    #[test]
    fn numeric_date_in_summer_is_utc_plus_two() {
        let t = read("le 04/08/2022 a 22:09", None).expect("time");
        assert_eq!(t.at, utc("2022-08-04T20:09:00Z"));
    }

    #[test]
    fn hour_with_h_weekday_and_first_of_month() {
        let t = read("le vendredi 1er mars 2026 a 9h05", None).expect("time");
        assert_eq!(t.at, utc("2026-03-01T08:05:00Z"));
        let t = read("le 20 novembre 2026 a 14 h 14", None).expect("time");
        assert_eq!(t.at, utc("2026-11-20T13:14:00Z"));
        let t = read("le 20 novembre 2026 a 22h", None).expect("time");
        assert_eq!(t.at, utc("2026-11-20T21:00:00Z"));
    }

    #[test]
    fn english_date() {
        let t = read("a login took place on 20 november 2026 at 10:14", None).expect("time");
        assert_eq!(t.at, utc("2026-11-20T09:14:00Z"));
    }

    #[test]
    fn the_first_date_in_the_text_wins() {
        let t = read("le 04/08/2022 a 22:09 puis le 05 aout 2022 a 10:00", None).expect("time");
        assert_eq!(t.at, utc("2022-08-04T20:09:00Z"));
    }

    #[test]
    fn invalid_dates_are_skipped() {
        assert_eq!(read("le 31/02/2022 a 22:09", None), None);
        assert_eq!(read("le 12 mars 2026 a 25:00", None), None);
        assert_eq!(read("le 12 mars 2026 a 10:61", None), None);
    }

    #[test]
    fn no_time_in_body_falls_back_to_date_header() {
        let t = read("bonjour, une connexion a eu lieu", Some("2026-11-20T09:15:00Z")).expect("time");
        assert_eq!(t.at, utc("2026-11-20T09:15:00Z"));
        assert_eq!(t.source, TimeSource::DateHeader);
        assert_eq!(read("rien", None), None);
    }

    #[test]
    fn missing_year_comes_from_the_date_header() {
        let t = read("le 20 novembre a 10:14", Some("2026-11-20T09:15:00Z")).expect("time");
        assert_eq!(t.at, utc("2026-11-20T09:14:00Z"));
        let t = read("le 31 decembre a 23:50", Some("2027-01-01T00:05:00Z")).expect("time");
        assert_eq!(t.at, utc("2026-12-31T22:50:00Z"));
    }

    #[test]
    fn spring_forward_gap_uses_the_offset_before_the_change() {
        let t = read("le 29 mars 2026 a 02:30", None).expect("time");
        assert_eq!(t.at, utc("2026-03-29T01:30:00Z"));
        assert_eq!(t.note, Some(TimeNote::DstGap));
    }

    #[test]
    fn just_before_and_after_the_spring_change() {
        assert_eq!(read("le 29 mars 2026 a 01:59", None).expect("t").at, utc("2026-03-29T00:59:00Z"));
        assert_eq!(read("le 29 mars 2026 a 03:00", None).expect("t").at, utc("2026-03-29T01:00:00Z"));
    }

    #[test]
    fn autumn_overlap_is_resolved_by_the_date_header() {
        let body = "le 25 octobre 2026 a 02:30";
        let second = read(body, Some("2026-10-25T01:31:00Z")).expect("time");
        assert_eq!((second.at, second.note), (utc("2026-10-25T01:30:00Z"), None));
        let first = read(body, Some("2026-10-25T00:31:00Z")).expect("time");
        assert_eq!((first.at, first.note), (utc("2026-10-25T00:30:00Z"), None));
        let unknown = read(body, None).expect("time");
        assert_eq!((unknown.at, unknown.note), (utc("2026-10-25T00:30:00Z"), Some(TimeNote::Ambiguous)));
    }

    #[test]
    fn just_after_the_autumn_overlap() {
        assert_eq!(read("le 25 octobre 2026 a 03:00", None).expect("t").at, utc("2026-10-25T02:00:00Z"));
    }
}
