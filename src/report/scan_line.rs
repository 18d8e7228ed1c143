//! `vigie scan --json`'s lines written directly: the same bytes as
//! [`super::push_line`] gives a [`ScanRecord`] (serde_json, then
//! [`super::escape_terminal_unsafe`]), without serde_json's general string
//! escaping, a good part of a scan's cost, nor the second pass over the
//! line. The struct and its derived `Serialize` stay the definition: the
//! tests compare both writers.

use super::{ScanRecord, is_terminal_unsafe};
use crate::notice::{Authenticity, Kind, Service, TimeSource};

impl ScanRecord<'_> {
    /// Appends this record's JSON line, newline included, to `out`:
    /// exactly what [`super::push_line`] appends.
    pub fn push_line(&self, out: &mut Vec<u8>) {
        self.push_object(out);
        out.push(b'\n');
    }

    fn push_object(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"file\":");
        push_str(out, self.file);
        out.extend_from_slice(b",\"claims\":");
        push_name(out, self.claims.map(Service::as_str));
        out.extend_from_slice(b",\"kind\":");
        push_name(out, self.kind.map(Kind::as_str));
        out.extend_from_slice(b",\"authenticity\":");
        push_name(out, self.authenticity.map(Authenticity::as_str));
        out.extend_from_slice(b",\"login_at\":");
        push_opt_str(out, self.login_at.as_deref());
        out.extend_from_slice(b",\"login_at_source\":");
        push_name(out, self.login_at_source.map(TimeSource::as_str));
        out.extend_from_slice(b",\"site\":");
        push_opt_str(out, self.site);
        out.extend_from_slice(b",\"identity_provider\":");
        push_opt_str(out, self.identity_provider);
        out.extend_from_slice(b",\"addressee\":");
        push_opt_str(out, self.addressee);
        out.extend_from_slice(b",\"format\":");
        push_opt_str(out, self.format);
        out.extend_from_slice(b",\"sender\":");
        push_opt_str(out, self.sender);
        out.extend_from_slice(b",\"message_id\":");
        push_opt_str(out, self.message_id);
        out.extend_from_slice(b",\"checked_by\":");
        push_opt_str(out, self.checked_by);
        out.extend_from_slice(b",\"reasons\":");
        push_list(out, self.reasons.iter().map(String::as_str));
        out.extend_from_slice(b",\"codes\":");
        push_list(out, self.codes.iter().copied());
        out.extend_from_slice(b",\"forwarded\":");
        push_opt_str(out, self.forwarded);
        out.extend_from_slice(b",\"original\":");
        match &self.original {
            Some(original) => original.push_object(out),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"forwarded_claims\":");
        push_name(out, self.forwarded_claims.map(Service::as_str));
        out.push(b'}');
    }
}

/// An enum's name (ASCII letters and `_`, nothing to escape), `null`
/// for none.
fn push_name(out: &mut Vec<u8>, name: Option<&str>) {
    match name {
        Some(name) => {
            out.push(b'"');
            out.extend_from_slice(name.as_bytes());
            out.push(b'"');
        }
        None => out.extend_from_slice(b"null"),
    }
}

fn push_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => push_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

fn push_list<'s>(out: &mut Vec<u8>, items: impl Iterator<Item = &'s str>) {
    out.push(b'[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_str(out, item);
    }
    out.push(b']');
}

/// A JSON string as serde_json writes it (`"` and `\` escaped, C0
/// controls as `\n`, `\t`… or `\u00XX`), with the characters of
/// [`is_terminal_unsafe`] that it leaves raw (DEL, C1 controls, bidi
/// controls, line separators) as `\uXXXX`, as `escape_terminal_unsafe`
/// writes them.
fn push_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let (mut run, mut i) = (0, 0);
    while let Some(&b) = bytes.get(i) {
        if (0x20..0x7F).contains(&b) && b != b'"' && b != b'\\' {
            i += 1;
            // Then eight bytes at a time while they are all plain; a chunk
            // that is not stops on its first byte to look at (characters
            // beyond ASCII are plain unless they begin with an unsafe lead
            // byte, so the chunk may end inside one).
            while let Some(chunk) = bytes.get(i..).and_then(<[u8]>::first_chunk::<8>) {
                let x = u64::from_le_bytes(*chunk);
                if ascii_plain_eight(x) {
                    i += 8;
                    continue;
                }
                let plain = plain_in_eight(x);
                i += plain;
                if plain < 8 {
                    break;
                }
            }
            continue;
        }
        let len = match b {
            ..0x80 => 1,
            0xF0.. => 4,
            0xE0.. => 3,
            0xC0.. => 2,
            // A continuation byte: the chunks above may stop after a
            // character's first bytes.
            _ => 1,
        };
        if b >= 0x80 && !UNSAFE_LEAD_BYTES.contains(&b) {
            i += len;
            continue;
        }
        let c = s.get(i..).and_then(|rest| rest.chars().next()).unwrap_or('\u{FFFD}');
        if b >= 0x80 && !is_terminal_unsafe(c) {
            i += len;
            continue;
        }
        out.extend_from_slice(bytes.get(run..i).unwrap_or_default());
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0C => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => push_unicode_escape(out, u32::from(c)),
        }
        i += len;
        run = i;
    }
    out.extend_from_slice(bytes.get(run..).unwrap_or_default());
    out.push(b'"');
}

/// The bytes that begin an unsafe character beyond ASCII: 0xC2 (C1
/// controls), 0xD8 (U+061C) and 0xE2 (U+200E to U+2069). Other characters
/// are written as they are.
const UNSAFE_LEAD_BYTES: [u8; 3] = [0xC2, 0xD8, 0xE2];

/// Whether eight bytes are all printable ASCII (0x20 to 0x7E) other than
/// `"` and `\\`: the common case, checked first ([`plain_in_eight`]
/// counts exactly, at a higher cost).
fn ascii_plain_eight(x: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Whether a byte of `v` is zero (exact as a whole, bytes may carry).
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH != 0;
    x & HIGH == 0
        && x.wrapping_sub(0x20 * ONES) & HIGH == 0
        && !has_zero(x ^ (0x7F * ONES))
        && !has_zero(x ^ (u64::from(b'"') * ONES))
        && !has_zero(x ^ (u64::from(b'\\') * ONES))
}

/// How many of eight bytes (little-endian), from the first, are written
/// as they are: printable ASCII other than `"` and `\\`, and bytes beyond
/// ASCII other than [`UNSAFE_LEAD_BYTES`].
fn plain_in_eight(x: u64) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const LOW: u64 = !HIGH;
    // The high bit of each byte equal to `b` (no sum carries into another
    // byte: exact whatever the bytes).
    let equal = |b: u8| {
        let y = x ^ (u64::from(b) * ONES);
        !((y & LOW).wrapping_add(LOW) | y) & HIGH
    };
    let control = !(x & LOW).wrapping_add(0x60 * ONES) & !x & HIGH;
    let mut special = control | equal(0x7F) | equal(b'"') | equal(b'\\');
    if x & HIGH != 0 {
        special |= UNSAFE_LEAD_BYTES.iter().fold(0, |m, &b| m | equal(b));
    }
    (special.trailing_zeros() / 8) as usize
}

/// `\uXXXX`, four lower-case hex digits (every unsafe character is in the
/// Basic Multilingual Plane).
fn push_unicode_escape(out: &mut Vec<u8>, code: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(b"\\u");
    for shift in [12, 8, 4, 0] {
        out.push(HEX[((code >> shift) & 0xF) as usize]);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn record<'a>(
        strings: &'a [String],
        reasons: Vec<String>,
        original: Option<Box<ScanRecord<'a>>>,
    ) -> ScanRecord<'a> {
        let s = |i: usize| strings.get(i).map(String::as_str);
        ScanRecord {
            file: s(0).unwrap_or_default(),
            claims: Some(Service::Ameli),
            kind: Some(Kind::Login),
            authenticity: Some(Authenticity::Suspicious),
            login_at: s(1).map(str::to_owned),
            login_at_source: Some(TimeSource::DateHeader),
            site: s(2),
            identity_provider: s(3),
            addressee: s(4),
            format: s(5),
            sender: s(6),
            message_id: s(7),
            checked_by: None,
            reasons,
            codes: vec!["dkim_pass", "lure"],
            forwarded: Some("attached"),
            original,
            forwarded_claims: None,
        }
    }

    fn by_serde(record: &ScanRecord<'_>) -> Vec<u8> {
        let mut out = b"before\n".to_vec();
        super::super::push_line(&mut out, record);
        out
    }

    fn direct(record: &ScanRecord<'_>) -> Vec<u8> {
        let mut out = b"before\n".to_vec();
        record.push_line(&mut out);
        out
    }

    /// The enums are written by name as they are: each name is the one
    /// serde gives, with nothing to escape.
    #[test]
    fn every_enum_is_written_with_the_name_serde_gives_it() {
        let names = [Service::Ameli.as_str(), Service::FranceConnect.as_str()]
            .into_iter()
            .chain([Kind::Login, Kind::Payment, Kind::Settings, Kind::SecurityCode, Kind::Other].map(Kind::as_str))
            .chain(
                [Authenticity::Genuine, Authenticity::Unverified, Authenticity::Suspicious].map(Authenticity::as_str),
            )
            .chain([TimeSource::Body, TimeSource::DateHeader].map(TimeSource::as_str));
        for name in names {
            assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{name}");
        }
        for service in [Service::Ameli, Service::FranceConnect] {
            assert_eq!(serde_json::to_string(&service).ok(), Some(format!("\"{}\"", service.as_str())));
        }
        for kind in [Kind::Login, Kind::Payment, Kind::Settings, Kind::SecurityCode, Kind::Other] {
            assert_eq!(serde_json::to_string(&kind).ok(), Some(format!("\"{}\"", kind.as_str())));
        }
        for a in [Authenticity::Genuine, Authenticity::Unverified, Authenticity::Suspicious] {
            assert_eq!(serde_json::to_string(&a).ok(), Some(format!("\"{}\"", a.as_str())));
        }
        for source in [TimeSource::Body, TimeSource::DateHeader] {
            assert_eq!(serde_json::to_string(&source).ok(), Some(format!("\"{}\"", source.as_str())));
        }
    }

    #[test]
    fn plain_bytes_are_printable_ascii_without_quote_or_backslash_or_safe_beyond_ascii() {
        for b in 0..=255u8 {
            let plain = ((0x20..0x7F).contains(&b) && b != b'"' && b != b'\\')
                || (b >= 0x80 && !UNSAFE_LEAD_BYTES.contains(&b));
            for at in 0..8 {
                let mut chunk = *b"abcdefgh";
                chunk[at] = b;
                let expected = if plain { 8 } else { at };
                assert_eq!(plain_in_eight(u64::from_le_bytes(chunk)), expected, "{b:#x} at {at}");
                // Only the first byte to look at counts.
                chunk[7] = b'"';
                assert_eq!(plain_in_eight(u64::from_le_bytes(chunk)), expected.min(7), "{b:#x} at {at}");
            }
        }
    }

    #[test]
    fn eight_ascii_plain_bytes_are_printable_ascii_without_quote_or_backslash() {
        for b in 0..=255u8 {
            let plain = (0x20..0x7F).contains(&b) && b != b'"' && b != b'\\';
            for at in 0..8 {
                let mut chunk = *b"abcdefgh";
                chunk[at] = b;
                assert_eq!(ascii_plain_eight(u64::from_le_bytes(chunk)), plain, "{b:#x} at {at}");
            }
        }
    }

    /// `push_str` looks closer only at characters beginning with one of
    /// [`UNSAFE_LEAD_BYTES`]: every unsafe character beyond ASCII must, or
    /// it would reach the terminal raw.
    #[test]
    fn every_terminal_unsafe_character_begins_with_a_byte_the_writer_checks() {
        let mut buf = [0u8; 4];
        for c in (0x80..=0x10_FFFF).filter_map(char::from_u32).filter(|&c| is_terminal_unsafe(c)) {
            let lead = c.encode_utf8(&mut buf).as_bytes()[0];
            assert!(UNSAFE_LEAD_BYTES.contains(&lead), "{c:?} begins with {lead:#x}");
        }
    }

    #[test]
    fn a_scan_line_is_what_serde_json_and_the_terminal_escape_write() {
        let strings: Vec<String> = [
            "/tmp/a\u{7f}b\u{85}c\u{202e}d\u{2028}e\u{61c}f\ng\"h\\i\u{8}\u{c}\r\t\u{1b}[31m",
            "2026-01-19T19:03:00Z",
            "é – ✓ \u{200b} \u{2069} ’ \u{a0} 中文 😀",
            "\u{9f}\u{a0}\u{200e}\u{200f}\u{2029}\u{2066}",
            "",
        ]
        .map(str::to_owned)
        .to_vec();
        let original = record(&strings[2..], vec!["x\u{0}y".to_owned()], None);
        let rec = record(&strings, vec!["l'expéditeur".to_owned(), String::new()], Some(Box::new(original)));
        assert_eq!(String::from_utf8_lossy(&direct(&rec)), String::from_utf8_lossy(&by_serde(&rec)));
        let empty = record(&[], Vec::new(), None);
        assert_eq!(direct(&empty), by_serde(&empty));
    }

    proptest! {
        #[test]
        fn scan_lines_agree_with_serde_json_on_generated_text(
            strings in proptest::collection::vec(
                proptest::collection::vec(
                    prop_oneof![
                        Just('a'), Just(' '), Just('"'), Just('\\'), Just('é'), Just('\u{7f}'), Just('\u{85}'),
                        Just('\u{a0}'), Just('\u{202e}'), Just('\u{2028}'), Just('\u{2029}'), Just('\u{2019}'),
                        Just('\u{61c}'), Just('\u{600}'), Just('😀'), Just('\u{ffff}'),
                        (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap_or('x')),
                        any::<char>(),
                    ],
                    0..24,
                ).prop_map(|cs| cs.into_iter().collect::<String>()),
                0..9,
            ),
        ) {
            let reasons = strings.iter().rev().cloned().collect();
            let original = record(&strings, Vec::new(), None);
            let rec = record(&strings, reasons, Some(Box::new(original)));
            let (direct, by_serde) = (direct(&rec), by_serde(&rec));
            prop_assert_eq!(String::from_utf8_lossy(&direct), String::from_utf8_lossy(&by_serde));
        }
    }
}
