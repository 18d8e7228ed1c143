//! The records of every `--json` output, one typed struct each, so that
//! the formats scripts rely on (DESIGN "Interfaces") are written down once.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::journal::{StoredFinding, StoredNotice};
use crate::matching::{Answer, FindingKind, LoginService, LoginSource, OwnLogin, Resolution, Via};
use crate::messages::{Lang, paris_time};
use crate::notice::sanitise::is_bidi_control;
use crate::notice::{Authenticity, Forwarded, Kind, Recognition, Service, TimeSource};

mod scan_line;

/// RFC 3339 UTC, to the second.
fn utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// `vigie check --json`: one finding raised in this pass.
#[derive(Debug, Serialize)]
pub struct CheckFinding {
    pub finding: FindingKind,
    pub account: String,
    pub service: Option<Service>,
    pub login_at: Option<String>,
    pub message_id: Option<String>,
    pub folder: Option<String>,
    /// The number to give `vigie answer`.
    pub id: i64,
}

impl CheckFinding {
    pub fn new(stored: &StoredFinding, notice: Option<&StoredNotice>) -> CheckFinding {
        let f = &stored.finding;
        CheckFinding {
            finding: f.kind,
            account: f.account.clone(),
            service: f.service,
            login_at: f.at.map(utc),
            message_id: notice.and_then(|n| n.message_id.as_ref()).map(|id| format!("<{id}>")),
            folder: notice.and_then(|n| n.folder.clone()),
            id: stored.id,
        }
    }
}

/// `vigie log --json`: one line per own login, notice and finding.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LogRecord {
    OwnLogin {
        id: i64,
        account: String,
        service: LoginService,
        at: String,
        at_paris: String,
        via: Via,
        source: LoginSource,
        recorded_at: String,
        note: Option<String>,
    },
    Notice {
        id: i64,
        account: String,
        service: Service,
        kind: Kind,
        authenticity: Authenticity,
        login_at: Option<String>,
        login_at_paris: Option<String>,
        folder: Option<String>,
        sender: Option<String>,
        subject: String,
        message_id: Option<String>,
        site: Option<String>,
        identity_provider: Option<String>,
        codes: Vec<&'static str>,
    },
    Finding {
        id: i64,
        finding: FindingKind,
        account: String,
        service: Option<Service>,
        at: Option<String>,
        at_paris: Option<String>,
        notice_id: Option<i64>,
        own_login_id: Option<i64>,
        unverified: bool,
        raised_at: String,
        first_shown_at: Option<String>,
        resolved_at: Option<String>,
        resolution: Option<Resolution>,
        answer: Option<Answer>,
    },
}

impl LogRecord {
    pub fn own_login(login: &OwnLogin, note: Option<&str>, lang: Lang) -> LogRecord {
        LogRecord::OwnLogin {
            id: login.id,
            account: login.account.clone(),
            service: login.service,
            at: utc(login.at),
            at_paris: paris_time(login.at, lang),
            via: login.via,
            source: login.source,
            recorded_at: utc(login.recorded_at),
            note: note.map(str::to_owned),
        }
    }

    pub fn notice(n: &StoredNotice, lang: Lang) -> LogRecord {
        let f = &n.facts;
        LogRecord::Notice {
            id: f.id,
            account: f.account.clone(),
            service: f.service,
            kind: f.kind,
            authenticity: f.authenticity,
            login_at: f.login_at.map(utc),
            login_at_paris: f.login_at.map(|t| paris_time(t, lang)),
            folder: n.folder.clone(),
            sender: n.sender.clone(),
            subject: n.subject.clone(),
            message_id: n.message_id.clone(),
            site: f.site.clone(),
            identity_provider: n.identity_provider.clone(),
            codes: n.reasons.iter().map(|r| r.code()).collect(),
        }
    }

    pub fn finding(s: &StoredFinding, lang: Lang) -> LogRecord {
        let f = &s.finding;
        LogRecord::Finding {
            id: s.id,
            finding: f.kind,
            account: f.account.clone(),
            service: f.service,
            at: f.at.map(utc),
            at_paris: f.at.map(|t| paris_time(t, lang)),
            notice_id: f.notice_id,
            own_login_id: f.own_login_id,
            unverified: f.unverified,
            raised_at: utc(s.raised_at),
            first_shown_at: s.first_shown_at.map(utc),
            resolved_at: s.resolved_at.map(utc),
            resolution: s.resolution,
            answer: s.answer,
        }
    }
}

/// `vigie scan --json`: one message (the contract in DESIGN.md, plus
/// `addressee`, `format`, `message_id`, the stable reason `codes`, `checked_by`: the
/// authserv-id of the `Authentication-Results` whose verdict this is, or
/// `"(microsoft)"`, or null; and for a forward, `forwarded`,
/// `forwarded_claims` and the attached `original`).
#[derive(Debug, Serialize)]
pub struct ScanRecord<'a> {
    pub file: &'a str,
    pub claims: Option<Service>,
    pub kind: Option<Kind>,
    pub authenticity: Option<Authenticity>,
    pub login_at: Option<String>,
    pub login_at_source: Option<TimeSource>,
    pub site: Option<&'a str>,
    pub identity_provider: Option<&'a str>,
    /// Whom a FranceConnect notice greets: whose identity was used.
    pub addressee: Option<&'a str>,
    pub format: Option<&'a str>,
    pub sender: Option<&'a str>,
    pub message_id: Option<&'a str>,
    pub checked_by: Option<&'a str>,
    pub reasons: Vec<String>,
    pub codes: Vec<&'static str>,
    /// `"attached"` when the message forwards an ameli or FranceConnect
    /// mail as an attachment (judged in `original`), `"inline"` when it
    /// copies one into its text (its sender cannot be checked), else null.
    pub forwarded: Option<&'static str>,
    /// The attached original's own verdict (same fields), else null.
    pub original: Option<Box<ScanRecord<'a>>>,
    /// For `"inline"`: the service the copied mail names.
    pub forwarded_claims: Option<Service>,
}

impl<'a> ScanRecord<'a> {
    /// Borrows the strings of `seen`: a line is written and dropped.
    pub fn new(file: &'a str, seen: &'a Recognition, lang: Lang) -> ScanRecord<'a> {
        let notice = seen.notice.as_ref();
        let login = notice.and_then(|n| n.login_at);
        ScanRecord {
            file,
            claims: notice.map(|n| n.service),
            kind: notice.map(|n| n.kind),
            authenticity: notice.map(|n| n.authenticity),
            login_at: login.map(|t| utc(t.at)),
            login_at_source: login.map(|t| t.source),
            site: notice.and_then(|n| n.site.as_deref()),
            identity_provider: notice.and_then(|n| n.identity_provider.as_deref()),
            addressee: notice.and_then(|n| n.addressee.as_deref()),
            format: notice.and_then(|n| n.format.as_deref()),
            sender: seen.envelope.sender.address.as_deref(),
            message_id: seen.envelope.message_id.as_deref(),
            checked_by: seen.checked_by.as_deref(),
            reasons: notice.map(|n| crate::messages::reasons(n, lang)).unwrap_or_default(),
            codes: notice.map(|n| n.reasons.iter().map(|r| r.code()).collect()).unwrap_or_default(),
            forwarded: seen.forwarded.as_ref().map(|f| match f {
                Forwarded::Attached(_) => "attached",
                Forwarded::Inline(_) => "inline",
            }),
            original: match &seen.forwarded {
                Some(Forwarded::Attached(original)) => Some(Box::new(ScanRecord::new(file, original, lang))),
                _ => None,
            },
            forwarded_claims: match &seen.forwarded {
                Some(Forwarded::Attached(original)) => original.notice.as_ref().map(|n| n.service),
                Some(Forwarded::Inline(service)) => Some(*service),
                None => None,
            },
        }
    }
}

/// `vigie scan --json`: a file that could not be scanned.
#[derive(Debug, Serialize)]
pub struct ScanError {
    pub file: String,
    pub error: String,
}

/// One JSON line, safe for a terminal too: serde_json escapes C0 controls
/// but writes C1 controls, bidi overrides and line separators raw, so
/// those are written as `\uXXXX` as well ([`escape_terminal_unsafe`]).
pub fn line<T: Serialize>(record: &T) -> String {
    let mut out = Vec::with_capacity(256);
    push_json(&mut out, record);
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// [`line`] appended to `out`, newline included: `vigie scan` writes
/// thousands of lines into one buffer instead of a `String` each.
pub fn push_line<T: Serialize>(out: &mut Vec<u8>, record: &T) {
    push_json(out, record);
    out.push(b'\n');
}

/// One JSON object appended to `out`; on an error, what was written is
/// taken back and an object naming the error replaces it.
fn push_json<T: Serialize>(out: &mut Vec<u8>, record: &T) {
    let start = out.len();
    if let Err(e) = serde_json::to_writer(&mut *out, record) {
        out.truncate(start);
        out.extend_from_slice(format!("{{\"error\":\"{e}\"}}").as_bytes());
    }
    escape_terminal_unsafe(out, start);
}

/// A character that must not reach a terminal raw: a control (C0, DEL,
/// C1), a bidi control, a line or paragraph separator.
fn is_terminal_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Writes the characters of [`is_terminal_unsafe`] in `out[start..]` as
/// `\uXXXX`: in JSON they can only occur inside strings, where it means
/// the same character.
fn escape_terminal_unsafe(out: &mut Vec<u8>, start: usize) {
    let Some(from) = first_terminal_unsafe(out, start) else { return };
    let tail = out.split_off(from);
    let Ok(text) = std::str::from_utf8(&tail) else {
        out.extend_from_slice(&tail);
        return;
    };
    let mut written = 0;
    for (i, c) in text.char_indices().filter(|&(_, c)| is_terminal_unsafe(c)) {
        out.extend_from_slice(&tail[written..i]);
        out.extend_from_slice(format!("\\u{:04x}", u32::from(c)).as_bytes());
        written = i + c.len_utf8();
    }
    out.extend_from_slice(&tail[written..]);
}

/// In UTF-8, each character of [`is_terminal_unsafe`] is a C0 control or
/// DEL, or starts with 0xC2 (C1 controls), 0xD8 (U+061C) or 0xE2
/// (U+200E–U+2069): 1 for those bytes, else 0. Bitwise, so that 16 bytes
/// are compared at once.
fn candidate(b: u8) -> u8 {
    u8::from(b < 0x20) | u8::from(b == 0x7F) | u8::from(b == 0xC2) | u8::from(b == 0xD8) | u8::from(b == 0xE2)
}

/// Where the first character of [`is_terminal_unsafe`] in `bytes[from..]`
/// (valid UTF-8) begins. Most lines have none, and most that have a
/// candidate byte have a harmless character (`’`, a no-break space).
fn first_terminal_unsafe(bytes: &[u8], mut from: usize) -> Option<usize> {
    const BLOCK: usize = 16;
    loop {
        let rest = bytes.get(from..)?;
        let (blocks, last) = rest.as_chunks::<BLOCK>();
        let (offset, block) =
            match blocks.iter().position(|block| block.iter().fold(0, |found, &b| found | candidate(b)) != 0) {
                Some(k) => (k * BLOCK, &blocks[k][..]),
                None if last.iter().any(|&b| candidate(b) != 0) => (blocks.len() * BLOCK, last),
                None => return None,
            };
        let block_start = from + offset;
        for (i, &b) in block.iter().enumerate() {
            let at = block_start + i;
            let len = match b {
                _ if candidate(b) == 0 => continue,
                ..0x80 => 1,
                0xE2 => 3,
                _ => 2,
            };
            let c = bytes.get(at..at + len).and_then(|c| std::str::from_utf8(c).ok()).and_then(|c| c.chars().next());
            if c.is_some_and(is_terminal_unsafe) {
                return Some(at);
            }
        }
        from = block_start + block.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_line_escapes_what_could_act_on_a_terminal() {
        let record = ScanError {
            file: "a\u{7f}b\u{85}c\u{202e}d\u{2028}e\u{61c}f\ng\"h".to_owned(),
            error: "é – ✓ \u{200b} \u{2069}".to_owned(),
        };
        let expected = r#"{"file":"a\u007fb\u0085c\u202ed\u2028e\u061cf\ng\"h","error":"é – ✓ "#.to_owned()
            + "\u{200b} \\u2069\"}";
        assert_eq!(line(&record), expected);
        let mut lines = b"before\n".to_vec();
        push_line(&mut lines, &record);
        assert_eq!(lines, format!("before\n{expected}\n").into_bytes());
    }

    #[test]
    fn harmless_characters_that_look_like_candidates_stay_raw() {
        // `’` and a no-break space start like a bidi control and a C1
        // control; the bidi control comes blocks after them.
        let long = format!("{}\u{a0}{}\u{202d}x", "l’avis ".repeat(5), "abc ".repeat(9));
        let record = ScanError { file: long.clone(), error: "’".repeat(16) };
        let expected = format!(r#"{{"file":"{}","error":"{}"}}"#, long.replace('\u{202d}', "\\u202d"), "’".repeat(16));
        assert_eq!(line(&record), expected);
    }
}
