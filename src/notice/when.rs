//! When did the login happen? French dates and times in a notice's body,
//! read as Europe/Paris local time and kept in UTC.
//!
//! Formats: `le 01 janvier 2021 à 14:14`, `le vendredi 1er mars 2026 à 9h05`,
//! `mer. 10 déc. 2026 à 14h05` (month and weekday spellings are the tables
//! [`MONTHS`] and [`WEEKDAYS`]), `Le 04/08/2022 à 22:09`, `10/12/26 14:05`,
//! `10.12.2026`, `2026-12-10 14:05`, `14 h 14`, `14:05:33`, with or without
//! `(heure de Paris)`; also `20 November 2026 at 10:14` and `December 10,
//! 2026 at 2:05 PM` for English. A body without a date and time falls back
//! to the `Date` header, flagged as such, and flagged as unreadable when it
//! does state a time vigie could not read.
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
use serde::Serialize;

use super::rules::{CapturePattern, Pattern, Syntax};

mod groups;

use groups::{Groups, Shape};

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
    /// The body states a time vigie could not read: the `Date` header
    /// stands in for it.
    Unreadable,
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

/// Month spellings as they appear in folded text (lower case, no
/// accents), with their number: full names, the usual abbreviations
/// (`déc.`, `janv.`, `févr.`, `sept.`; the dot is optional) and English.
pub const MONTHS: &[(&str, u32)] = &[
    ("janvier", 1),
    ("janv", 1),
    ("jan", 1),
    ("january", 1),
    ("fevrier", 2),
    ("fevr", 2),
    ("fev", 2),
    ("february", 2),
    ("feb", 2),
    ("mars", 3),
    ("march", 3),
    ("mar", 3),
    ("avril", 4),
    ("avr", 4),
    ("april", 4),
    ("apr", 4),
    ("mai", 5),
    ("may", 5),
    ("juin", 6),
    ("june", 6),
    ("jun", 6),
    ("juillet", 7),
    ("juil", 7),
    ("july", 7),
    ("jul", 7),
    ("aout", 8),
    ("august", 8),
    ("aug", 8),
    ("septembre", 9),
    ("sept", 9),
    ("sep", 9),
    ("september", 9),
    ("octobre", 10),
    ("oct", 10),
    ("october", 10),
    ("novembre", 11),
    ("nov", 11),
    ("november", 11),
    ("decembre", 12),
    ("dec", 12),
    ("december", 12),
];

/// Weekday spellings, full and abbreviated (`mer.`), French and English:
/// they may precede a date and are skipped.
pub const WEEKDAYS: &[&str] = &[
    "lundi",
    "lun",
    "mardi",
    "mar",
    "mercredi",
    "mer",
    "jeudi",
    "jeu",
    "vendredi",
    "ven",
    "samedi",
    "sam",
    "dimanche",
    "dim",
    "monday",
    "mon",
    "tuesday",
    "tue",
    "tues",
    "wednesday",
    "wed",
    "thursday",
    "thu",
    "thurs",
    "friday",
    "fri",
    "saturday",
    "sat",
    "sunday",
    "sun",
];

/// Longest spellings first, so that `sept` is not read as `sep`.
fn alternation(words: impl Iterator<Item = &'static str>) -> String {
    alternation_order(words).join("|")
}

/// The spellings in the order [`alternation`] lists them.
fn alternation_order(words: impl Iterator<Item = &'static str>) -> Vec<&'static str> {
    let mut words: Vec<&str> = words.collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    words.dedup();
    words
}

/// The time after a date: `à 14:05`, `14h05`, `14 h 05`, `9h`, `14:05:33`,
/// `2:05 pm`, `14 heures 05`.
const TIME: &str = r"\s*,?\s*(?:a|at|vers|-|,)?\s*
    (?P<h>\d{1,2})\s*(?P<sep>heures?|h|:|\.)\s*(?P<mi>\d{2})?(?:\s*min\b)?(?::\d{2})?
    (?:\s*(?P<ampm>am|pm|a\.m\.|p\.m\.))?";

/// Where a match of a date pattern has a weekday or a month, its groups
/// are read with any word in their place: within a match, the spelling
/// there is a whole run of letters (it begins the match or follows a
/// space, and a `\b`, `.`, `,` or a space follows it), which `[a-z]+`
/// takes whole too, so the groups are the same, and their automaton costs
/// a third to compile (the spellings' alternations were most of it).
/// `dates_are_read_as_the_regex_crate_reads_them` checks it against the
/// patterns as written.
const ANY_WORD: &str = "[a-z]+";

/// `le 01 janvier 2021`, `mer. 10 déc. 2026`, with `weekdays` and `months`
/// the spellings' alternations.
fn month_name_date(weekdays: &str, months: &str) -> String {
    format!(
        r"(?x)
        (?:\b(?:{weekdays})\.?\s*,?\s+)?
        \b(?P<d>\d{{1,2}})(?:er|st|nd|rd|th)?\s+
        (?P<mon>{months})\b\.?
        (?:\s+(?P<y>\d{{4}}|\d{{2}}\b))?
        {TIME}"
    )
}

/// English order: `December 10, 2026 at 2:05 PM`, `Dec. 10 2026 14:05`.
fn month_first_date(months: &str) -> String {
    format!(
        r"(?x)
        \b(?P<mon>{months})\b\.?\s+
        (?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s+
        (?P<y>\d{{4}})
        {TIME}"
    )
}

// Folded text is ASCII: no Unicode classes (smaller, faster automata).
static MONTH_NAME_DATE: LazyLock<CapturePattern> = LazyLock::new(|| {
    let months = alternation(MONTHS.iter().map(|(m, _)| *m));
    let weekdays = alternation(WEEKDAYS.iter().copied());
    CapturePattern::lazy_with_groups(
        month_name_date(&weekdays, &months),
        month_name_date(ANY_WORD, ANY_WORD),
        Syntax::Folded,
    )
});

static MONTH_FIRST_DATE: LazyLock<CapturePattern> = LazyLock::new(|| {
    let months = alternation(MONTHS.iter().map(|(m, _)| *m));
    CapturePattern::lazy_with_groups(month_first_date(&months), month_first_date(ANY_WORD), Syntax::Folded)
});

/// `10/12/2026`, `10/12/26`, `10.12.2026`, `10-12-26`.
static NUMERIC_DATE: LazyLock<CapturePattern> = LazyLock::new(|| {
    ascii(format!(
        r"(?x)
        \b(?P<d>\d{{1,2}})(?P<s1>[/.-])(?P<m>\d{{1,2}})[/.-](?P<y>\d{{4}}|\d{{2}})\b
        {TIME}"
    ))
});

/// `2026-12-10 14:05`, `2026-12-10T14:05:00`.
static ISO_DATE: LazyLock<CapturePattern> = LazyLock::new(|| {
    ascii(
        r"(?x)
        \b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:t|\s+a\s+|\s+)(?P<h>\d{2})(?P<sep>:)(?P<mi>\d{2})",
    )
});

/// Something in the text that states a time vigie did not read: `14:05`
/// or `14h05` away from a date it could read, `à 14 h`, `à quatorze
/// heures`, `2 pm`, "heure de Paris". A date alone states no time, and
/// "24h/24" is not a time.
static TIME_LIKE: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::lazy(
        r"(?x)
        \b([01]?\d|2[0-3])\s*(h|:)\s*[0-5]\d\b
        | \b(a|vers|at)\s+\d{1,2}\s*(h|heures?)\b
        | \b(a|vers)\s+[a-z]+\s+heures?\b
        | \b\d{1,2}\s*(am|pm)\b
        | \bheure de paris\b | \bparis time\b"
            .into(),
        Syntax::Folded,
    )
});

/// A date pattern over folded text, compiled on first use; built in,
/// proved valid by `every_date_pattern_compiles`.
fn ascii(pattern: impl Into<String>) -> CapturePattern {
    CapturePattern::lazy(pattern.into(), Syntax::Folded)
}

/// The login time's patterns, for the table of precompiled automata.
#[cfg(test)]
pub(crate) fn patterns() -> impl Iterator<Item = &'static Pattern> {
    [&*MONTH_NAME_DATE, &*MONTH_FIRST_DATE, &*NUMERIC_DATE, &*ISO_DATE]
        .into_iter()
        .map(|p| p.span())
        .chain([&*TIME_LIKE])
}

/// Reads the login time from a folded body (see `text::normalise`), else
/// takes the `Date` header: flagged [`TimeNote::Unreadable`] when the body
/// states a time vigie could not read.
pub fn read_login_time(folded_body: &str, date_header: Option<DateTime<Utc>>) -> Option<LoginTime> {
    let body = folded_body.as_bytes();
    // The first date in the text: each pattern is searched only before
    // the earliest found so far (a tie goes to the earlier pattern).
    let mut found: Option<(usize, NaiveDateTime)> = None;
    for (pattern, shape) in date_patterns() {
        let before = found.map_or(usize::MAX, |(pos, _)| pos);
        // The text past a date found so far cannot change the answer:
        // only what a match beginning before it may read is searched.
        let text = &body[..searched_until(body, before)];
        let first = matches_before(pattern, text, before).find_map(|(start, end)| {
            local_time(&read_groups(pattern, shape, text, start, end)?, start, text, date_header)
        });
        if let Some(first) = first.filter(|(pos, _)| *pos < before) {
            found = Some(first);
        }
    }
    match found {
        Some((_, local)) => {
            let (at, note) = paris_to_utc(local, date_header);
            Some(LoginTime { at, source: TimeSource::Body, note })
        }
        None => {
            let note = TIME_LIKE.is_match(folded_body.as_bytes()).then_some(TimeNote::Unreadable);
            date_header.map(|at| LoginTime { at, source: TimeSource::DateHeader, note })
        }
    }
}

/// Where the search for a date beginning before `before` may stop: at
/// the first byte from `before` on that no date pattern can match (see
/// [`in_a_date`]) and that is not a word character. No match beginning
/// before it reaches it, and a `\b` there sees a non-word character
/// either way (it, or the end of the text): the text up to it has the
/// same matches beginning before `before` as the whole text.
fn searched_until(body: &[u8], before: usize) -> usize {
    let Some(rest) = body.get(before..) else { return body.len() };
    rest.iter().position(|&b| !in_a_date(b)).map_or(body.len(), |n| before + n)
}

/// The bytes a date pattern can match: word characters (letters, digits,
/// `_`), ASCII white space and the separators `.,:/-`. Every other byte
/// ends any date. `no_date_pattern_matches_a_byte_outside_a_date` checks
/// it against the patterns.
fn in_a_date(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'\t'..=b'\r' | b' ' | b'.' | b',' | b':' | b'/' | b'-')
}

/// The date patterns, in the order they are tried, with the shape of
/// their matches.
fn date_patterns() -> [(&'static CapturePattern, Shape); 4] {
    [
        (&*MONTH_NAME_DATE, Shape::MonthName),
        (&*MONTH_FIRST_DATE, Shape::MonthFirst),
        (&*NUMERIC_DATE, Shape::Numeric),
        (&*ISO_DATE, Shape::Iso),
    ]
}

/// Every match of `pattern` in `text` that begins before `before`, left
/// to right, none overlapping (as `captures_before` finds them), as
/// `(start, end)`: their groups are read by [`groups::read`].
fn matches_before<'t>(
    pattern: &'t CapturePattern,
    text: &'t [u8],
    before: usize,
) -> impl Iterator<Item = (usize, usize)> + 't {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at > text.len() || at >= before {
            return None;
        }
        let (start, end) = match pattern.span().find_precompiled(text, at, before) {
            Ok(found) => found?,
            // The precompiled DFA cannot tell here (rare): the matches
            // as the pattern reads them with its groups.
            Err(_) => pattern
                .captures_before(text, before)
                .filter_map(|c| c.get_match())
                .map(|m| (m.start(), m.end()))
                .find(|&(start, _)| start >= at)?,
        };
        at = end.max(start + 1);
        Some((start, end))
    })
}

/// A match longer than this (only white space can make one so long, and
/// folded text has no runs of it) has its groups read by the pattern's
/// group automaton: the walk by hand may try each way through a run.
const LONGEST_READ_BY_HAND: usize = 512;

/// The groups of the match of `pattern` over `text[start..end]`.
fn read_groups(pattern: &CapturePattern, shape: Shape, text: &[u8], start: usize, end: usize) -> Option<Groups> {
    if end - start <= LONGEST_READ_BY_HAND {
        return groups::read(shape, text, start, end);
    }
    let c = pattern.captures_before(text, start + 1).find(|c| c.get_match().is_some_and(|m| m.start() == start))?;
    let span = |name: &str| c.get_group_by_name(name).map(|s| (s.start, s.end));
    Some(Groups {
        d: span("d"),
        mon: span("mon"),
        m: span("m"),
        s1: span("s1"),
        y: span("y"),
        h: span("h"),
        sep: span("sep"),
        mi: span("mi"),
        ampm: span("ampm"),
    })
}

/// One match, beginning at `start`, to (its position, the Paris local
/// time it states), if valid.
fn local_time(
    g: &Groups,
    start: usize,
    body: &[u8],
    date_header: Option<DateTime<Utc>>,
) -> Option<(usize, NaiveDateTime)> {
    let text = |span: Option<(usize, usize)>| {
        span.and_then(|(from, to)| body.get(from..to)).and_then(|m| std::str::from_utf8(m).ok())
    };
    let num = |span| text(span).and_then(|t| t.parse::<u32>().ok());
    let day = num(g.d)?;
    let month = match text(g.mon) {
        Some(m) => month_number(m)?,
        None => num(g.m)?,
    };
    let mut hour = num(g.h)?;
    let minute = match (num(g.mi), text(g.sep)) {
        (Some(mi), _) => mi,
        (None, Some(sep)) if sep.starts_with('h') => 0, // "à 14h"
        _ => return None,
    };
    match text(g.ampm).map(|m| m.starts_with('p')) {
        Some(_) if !(1..=12).contains(&hour) => return None,
        Some(true) if hour < 12 => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    let time = chrono::NaiveTime::from_hms_opt(hour, minute, 0)?;
    let year = |y: u32| if y < 100 { 2000 + y } else { y };
    let date = match num(g.y) {
        Some(y) => NaiveDate::from_ymd_opt(i32::try_from(year(y)).ok()?, month, day)?,
        None => date_without_year(month, day, date_header?)?,
    };
    Some((start, date.and_time(time)))
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
    MONTHS.iter().find(|(m, _)| *m == name).map(|(_, n)| *n)
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

    /// Every match of `pattern` in `text` with its groups, as the regex
    /// crate reads them (how these patterns were run before they were
    /// precompiled).
    fn by_the_regex_crate(pattern: &str, text: &[u8]) -> Vec<Vec<Option<(usize, usize)>>> {
        let re = regex::bytes::RegexBuilder::new(pattern).unicode(false).build().expect("valid");
        re.captures_iter(text).map(|c| c.iter().map(|g| g.map(|m| (m.start(), m.end()))).collect()).collect()
    }

    /// Every match of `pattern` in `text`, as the regex crate finds it,
    /// with its named groups.
    fn groups_by_the_regex_crate(pattern: &str, text: &[u8]) -> Vec<((usize, usize), Option<Groups>)> {
        let re = regex::bytes::RegexBuilder::new(pattern).unicode(false).build().expect("valid");
        re.captures_iter(text)
            .map(|c| {
                let span = |name: &str| c.name(name).map(|m| (m.start(), m.end()));
                let whole = c.get(0).map(|m| (m.start(), m.end())).unwrap_or_default();
                let groups = Groups {
                    d: span("d"),
                    mon: span("mon"),
                    m: span("m"),
                    s1: span("s1"),
                    y: span("y"),
                    h: span("h"),
                    sep: span("sep"),
                    mi: span("mi"),
                    ampm: span("ampm"),
                };
                (whole, Some(groups))
            })
            .collect()
    }

    /// Every match as `read_login_time` finds it, with its groups read
    /// by hand.
    fn groups_read_by_hand(
        pattern: &CapturePattern,
        shape: Shape,
        text: &[u8],
    ) -> Vec<((usize, usize), Option<Groups>)> {
        matches_before(pattern, text, usize::MAX).map(|(s, e)| ((s, e), groups::read(shape, text, s, e))).collect()
    }

    fn by_the_capture_pattern(pattern: &CapturePattern, text: &[u8]) -> Vec<Vec<Option<(usize, usize)>>> {
        pattern
            .captures_iter(text)
            .map(|c| (0..c.group_len()).map(|i| c.get_group(i).map(|s| (s.start, s.end))).collect())
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

        /// Date-like texts in any order: the precompiled automata and the
        /// group automaton find the matches and groups the regex crate finds.
        #[test]
        fn dates_are_read_as_the_regex_crate_reads_them(
            words in proptest::collection::vec(proptest::sample::select(vec![
                "mercredi", "mer.", "wed", "10", "1er", "3", "31", "decembre", "dec.", "sept", "june", "2026", "26",
                "a", "at", "vers", "14h05", "14 h 05", "9h", "14:05", "14:05:33", "2:05", "pm", "a.m.", "min",
                "10/12/2026", "10.12.26", "2026-12-10", "t", "14", "05", ",", ".", "-", "heures", "le", "x",
                "sep", "mars", "mar", "marx", "dec2", "lundi", "_", "sam", "e", "1", "december", "jan", "l",
                "heure", "h", "p.m.", "am", "2nd", "th", "er", "\u{b}", "\n", "vers", "2026-12-10t14:05", "minute",
            ]), 0..24),
            separators in proptest::collection::vec(proptest::sample::select(vec![" ", "", "  ", ", "]), 24),
        ) {
            let mut text = String::new();
            for (word, separator) in words.iter().zip(&separators) {
                text.push_str(word);
                text.push_str(separator);
            }
            for (pattern, shape) in date_patterns() {
                let expected = by_the_regex_crate(pattern.span().source(), text.as_bytes());
                proptest::prop_assert_eq!(by_the_capture_pattern(pattern, text.as_bytes()), expected, "{:?}", text);
                let expected = groups_by_the_regex_crate(pattern.span().source(), text.as_bytes());
                let by_hand = groups_read_by_hand(pattern, shape, text.as_bytes());
                proptest::prop_assert_eq!(by_hand, expected, "{:?} {:?}", shape, text);
            }
            let time_like = by_the_regex_crate(TIME_LIKE.source(), text.as_bytes());
            proptest::prop_assert_eq!(TIME_LIKE.is_match(text.as_bytes()), !time_like.is_empty(), "{:?}", text);
        }
    }

    /// Whether every byte `hir` can match is one [`in_a_date`] allows,
    /// and its only look-around is the ASCII `\b`.
    fn within_a_date(hir: &regex_syntax::hir::Hir) -> bool {
        use regex_syntax::hir::{Class, HirKind, Look};
        let allowed = |lo: u32, hi: u32| (lo..=hi).all(|b| u8::try_from(b).is_ok_and(in_a_date));
        match hir.kind() {
            HirKind::Empty => true,
            HirKind::Literal(literal) => literal.0.iter().all(|&b| in_a_date(b)),
            HirKind::Class(Class::Bytes(class)) => {
                class.iter().all(|r| allowed(u32::from(r.start()), u32::from(r.end())))
            }
            HirKind::Class(Class::Unicode(class)) => class.iter().all(|r| allowed(r.start().into(), r.end().into())),
            HirKind::Look(look) => *look == Look::WordAscii,
            HirKind::Repetition(repetition) => within_a_date(&repetition.sub),
            HirKind::Capture(capture) => within_a_date(&capture.sub),
            HirKind::Concat(parts) | HirKind::Alternation(parts) => parts.iter().all(within_a_date),
        }
    }

    #[test]
    fn no_date_pattern_matches_a_byte_outside_a_date() {
        for pattern in [&*MONTH_NAME_DATE, &*MONTH_FIRST_DATE, &*NUMERIC_DATE, &*ISO_DATE] {
            let source = pattern.span().source();
            let hir = Syntax::Folded.parse(source).expect("parses");
            assert!(within_a_date(&hir), "{source}");
        }
        // Word characters are never where the search stops: a `\b` there
        // would read differently at the end of the text.
        assert!((0..=255u8).filter(|&b| !in_a_date(b)).all(|b| !b.is_ascii_alphanumeric() && b != b'_'));
    }

    /// The login time as first defined: every pattern searched over the
    /// whole text, the first date in it read (a tie goes to the earlier
    /// pattern).
    fn read_by_definition(body: &str, date_header: Option<DateTime<Utc>>) -> Option<NaiveDateTime> {
        let bytes = body.as_bytes();
        let mut found: Option<(usize, NaiveDateTime)> = None;
        for (pattern, _) in date_patterns() {
            let first = groups_by_the_regex_crate(pattern.span().source(), bytes)
                .into_iter()
                .find_map(|((start, _), g)| local_time(&g?, start, bytes, date_header));
            if let Some(first) = first.filter(|(pos, _)| found.is_none_or(|(best, _)| *pos < best)) {
                found = Some(first);
            }
        }
        found.map(|(_, local)| local)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

        /// Several dates, in any order, between words and punctuation: the
        /// search that stops after the first date found reads the date
        /// the search over the whole text reads.
        #[test]
        fn the_login_time_is_read_as_a_search_of_the_whole_text_reads_it(
            words in proptest::collection::vec(proptest::sample::select(vec![
                "mercredi", "mer.", "10", "1er", "31", "decembre", "dec.", "june", "2026", "26", "a", "at", "14h05",
                "14 h 05", "9h", "14:05", "2:05", "pm", "10/12/2026", "10.12.26", "2026-12-10", "14", "05", ",", ".",
                "-", "(", ")", "'", ";", "!", "?", "\"", "_", "x", "le", "heures", "december", "10,", "at 2:05 pm",
            ]), 0..24),
            separators in proptest::collection::vec(proptest::sample::select(vec![" ", "", "  ", "\n", "(", "'"]), 24),
        ) {
            let mut text = String::new();
            for (word, separator) in words.iter().zip(&separators) {
                text.push_str(word);
                text.push_str(separator);
            }
            let header = Some(utc("2026-12-10T13:06:00Z"));
            let read = read_login_time(&text, header).filter(|t| t.source == TimeSource::Body).map(|t| t.at);
            let expected = read_by_definition(&text, header).map(|local| paris_to_utc(local, header).0);
            proptest::prop_assert_eq!(read, expected, "{:?}", text);
        }
    }

    #[test]
    fn weekdays_and_months_read_with_any_word_give_the_groups_of_their_spellings() {
        for text in [
            "le mardi 3 mars 2026 a 14h05",
            "wed, 10 dec. 2026 14:05",
            "sam. 3 sept 2026 a 9h",
            "mar 3 mar 2026 14:05 puis december 10, 2026 at 2:05 pm",
            "10 marx 2026 a 14h, 10 dec2 2026 a 14h, lundix 3 mars 2026 a 14h",
            "x_lundi 3 mars 26 a 14h et sept 3, 2026 14:05",
        ] {
            for (pattern, shape) in date_patterns() {
                let expected = by_the_regex_crate(pattern.span().source(), text.as_bytes());
                assert_eq!(by_the_capture_pattern(pattern, text.as_bytes()), expected, "{text:?}");
                let expected = groups_by_the_regex_crate(pattern.span().source(), text.as_bytes());
                assert_eq!(groups_read_by_hand(pattern, shape, text.as_bytes()), expected, "{shape:?} {text:?}");
            }
        }
    }

    #[test]
    fn a_long_date_match_is_read_as_a_short_one() {
        let spaces = " ".repeat(LONGEST_READ_BY_HAND);
        let long = format!("le mercredi{spaces}10 decembre 2026{spaces}a 14h05 (heure de paris)");
        let short = "le mercredi 10 decembre 2026 a 14h05 (heure de paris)";
        assert_eq!(read(&long, None), read(short, None));
        assert_eq!(read(short, None).map(|t| t.at), Some(utc("2026-12-10T13:05:00Z")));
    }

    #[test]
    fn every_date_pattern_compiles() {
        for pattern in [&*MONTH_NAME_DATE, &*MONTH_FIRST_DATE, &*NUMERIC_DATE, &*ISO_DATE] {
            assert!(pattern.groups().is_some(), "{}", pattern.span().source());
        }
        assert!(TIME_LIKE.regex().is_some());
    }

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

    /// Whichever pattern reads it, the date nearest the start of the
    /// text is the login's (a notice may mention another date later, or
    /// quote an earlier mail).
    #[test]
    fn the_first_date_in_the_text_is_the_logins_whichever_pattern_reads_it() {
        let numeric_first = "le 04/12/2026 a 10:00 ; rappel : le 05 decembre 2026 a 11:00, 2026-12-06 12:00";
        assert_eq!(read(numeric_first, None).expect("time").at, utc("2026-12-04T09:00:00Z"));
        let month_first = "le 05 decembre 2026 a 11:00 ; 2026-12-06 12:00 ; 07/12/2026 a 13:00";
        assert_eq!(read(month_first, None).expect("time").at, utc("2026-12-05T10:00:00Z"));
        let iso_first = "2026-12-06 12:00, puis le 07/12/2026 a 13:00 et le 08 decembre 2026 a 14:00";
        assert_eq!(read(iso_first, None).expect("time").at, utc("2026-12-06T11:00:00Z"));
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
    fn abbreviated_months_and_weekdays_with_or_without_the_dot() {
        for body in [
            "le mer. 10 dec. 2026 a 14:05",
            "mer 10 dec 2026 14h05",
            "mercredi 10 decembre 2026, 14 h 05",
            "le 10 dec. 2026 a 14:05:33",
            "wed, dec 10, 2026 at 2:05 pm",
            "10 dec 2026 at 2:05 pm",
            "le 10 decembre 2026 a 14.05",
            "le 10th december 2026, 14:05",
        ] {
            assert_eq!(read(body, None).map(|t| t.at), Some(utc("2026-12-10T13:05:00Z")), "{body}");
        }
        for (body, at) in [
            ("le 3 janv. 2027 a 9h", "2027-01-03T08:00:00Z"),
            ("le 14 fevr. 2026 a 08:30", "2026-02-14T07:30:00Z"),
            ("le 2 sept. 2026 a 10:00", "2026-09-02T08:00:00Z"),
            ("le 2 sept 2026 a 10:00", "2026-09-02T08:00:00Z"),
            ("le 1er juil. 2026 a 12:00", "2026-07-01T10:00:00Z"),
        ] {
            assert_eq!(read(body, None).map(|t| t.at), Some(utc(at)), "{body}");
        }
    }

    #[test]
    fn two_digit_years_dotted_and_iso_dates() {
        for body in ["le 10/12/26 a 14:05", "le 10.12.2026 a 14h05", "10-12-26 14:05", "2026-12-10 14:05"] {
            assert_eq!(read(body, None).map(|t| t.at), Some(utc("2026-12-10T13:05:00Z")), "{body}");
        }
    }

    #[test]
    fn a_time_present_but_unreadable_is_flagged_apart_from_no_time() {
        let t = read("connexion le 10 decembre a quatorze heures cinq", Some("2026-12-10T13:06:00Z"));
        assert_eq!(t.map(|t| (t.source, t.note)), Some((TimeSource::DateHeader, Some(TimeNote::Unreadable))));
        for no_time in
            ["une connexion a eu lieu. service disponible 24h/24", "une connexion a eu lieu le 10 decembre 2026"]
        {
            let t = read(no_time, Some("2026-12-10T13:06:00Z"));
            assert_eq!(t.map(|t| (t.source, t.note)), Some((TimeSource::DateHeader, None)), "{no_time}");
        }
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
