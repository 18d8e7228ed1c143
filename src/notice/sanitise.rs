//! Text from a mail is data: the one place where it is cleaned before it
//! leaves `notice`, and the helpers sinks use to show it.
//!
//! Everything a [`Recognition`](super::Recognition) carries that came from
//! a message (subject, sender, Message-ID, site, identity provider, the
//! domains and hosts inside reasons) goes through [`one_line`]: C0 and C1
//! control characters and bidirectional controls are removed, and the
//! length is capped. A site or identity provider is kept only when it is a
//! short plain name ([`plain_name`]): a few words in one script, no phone
//! number.
//!
//! [`terminal_safe`] is for printing: it never removes, it replaces every
//! control and bidi character with a visible placeholder, so that escape
//! sequences (clear screen, window title, OSC 8 links, colours) and
//! right-to-left overrides from a mail or a file name never reach a
//! terminal.

use std::borrow::Cow;

use unicode_security::MixedScript;

use super::text::words_in_eight;
use super::{Envelope, Notice, Reason, Recognition};

/// Subjects longer than this are cut (notices' subjects are < 100).
pub const MAX_SUBJECT_CHARS: usize = 200;
/// Display names longer than this are cut.
pub const MAX_NAME_CHARS: usize = 100;
/// An e-mail address or a domain name is at most this long (RFC 5321).
pub const MAX_ADDRESS_CHARS: usize = 254;
/// Message-IDs longer than this are cut.
pub const MAX_MESSAGE_ID_CHARS: usize = 250;
/// A site or identity provider longer than this is not a plain name.
pub const MAX_PLAIN_NAME_CHARS: usize = 60;

/// What is shown where a cut string ends.
const ELLIPSIS: char = '…';

/// Bidirectional formatting characters: embeddings and overrides
/// (U+202A–U+202E), isolates (U+2066–U+2069) and the marks U+200E, U+200F,
/// U+061C. They reorder what a reader sees ("moc.ilema" shown as
/// "ameli.com").
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// A C0 or C1 control character (newline and tab included), DEL, or a
/// Unicode line or paragraph separator.
pub fn is_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// One line of text from a mail: white-space controls (newline, tab,
/// line separators) become one space, other controls and bidi controls are
/// removed, the ends trimmed, and at most `max_chars` characters kept (the
/// last one an ellipsis when cut).
pub fn one_line(s: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max_chars * 4));
    let mut space = false;
    for c in s.chars() {
        if is_bidi_control(c) || (is_control(c) && !c.is_whitespace()) {
            continue;
        }
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    cap(out, max_chars)
}

/// Whether [`one_line`] would leave `s` as it is: no control or bidi
/// character, no white space but single spaces between words, at most
/// `max_chars` characters. Most of what a mail carries is.
fn is_one_line(s: &str, max_chars: usize) -> bool {
    // Printable ASCII, the common case, is checked eight bytes at a time;
    // its bytes are its characters. Anything else is looked at closely.
    if s.len() <= max_chars && words_and_single_spaces(s.as_bytes()) {
        return true;
    }
    let (mut count, mut space) = (0usize, true); // a leading space is not clean
    for c in s.chars() {
        count += 1;
        if c.is_ascii_graphic() {
            space = false;
        } else if c == ' ' {
            if space {
                return false;
            }
            space = true;
        } else if c.is_whitespace() || is_control(c) || is_bidi_control(c) {
            return false;
        } else {
            space = false;
        }
    }
    count <= max_chars && !s.ends_with(' ')
}

/// Whether `bytes` are printable ASCII words separated by single spaces,
/// without a space at either end.
fn words_and_single_spaces(bytes: &[u8]) -> bool {
    if bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ') {
        return false;
    }
    let mut chunks = bytes.chunks_exact(8);
    let mut space = false; // the byte before is a space
    for chunk in &mut chunks {
        let Some(&eight) = chunk.first_chunk::<8>() else { return false };
        match words_in_eight(u64::from_le_bytes(eight)) {
            (8, last_space) if !(space && eight[0] == b' ') => space = last_space,
            _ => return false,
        }
    }
    for &b in chunks.remainder() {
        match b {
            b' ' if space => return false,
            b' ' => space = true,
            b'!'..=b'~' => space = false,
            _ => return false,
        }
    }
    true
}

/// [`one_line`] in place: nothing is copied when `s` is already clean.
fn to_one_line(s: &mut String, max_chars: usize) {
    if !is_one_line(s, max_chars) {
        *s = one_line(s, max_chars);
    }
}

/// Text that may span lines: as [`one_line`], but newlines are kept
/// (a CR LF pair is one newline).
pub fn multi_line(s: &str, max_chars: usize) -> String {
    let lines: Vec<String> = s.split('\n').map(|line| one_line(line, max_chars)).collect();
    cap(lines.join("\n").trim().to_owned(), max_chars)
}

fn cap(mut s: String, max_chars: usize) -> String {
    if let Some((cut, _)) = s.char_indices().nth(max_chars) {
        s.truncate(cut);
        s.pop();
        s.push(ELLIPSIS);
    }
    s
}

/// Identity providers FranceConnect names in its notices.
pub const KNOWN_IDENTITY_PROVIDERS: &[&str] = &[
    "impots.gouv.fr",
    "Ameli.fr",
    "L'Identité Numérique La Poste",
    "MSA",
    "YRIS",
    "France Identité",
    "TrustMe",
    "Aidants Connect",
];

/// A name with this many digits or more is a phone number, not a name
/// (French service numbers have four: `3646`).
pub const MAX_PLAIN_NAME_DIGITS: usize = 3;
/// A name of more words than this is a sentence.
pub const MAX_PLAIN_NAME_WORDS: usize = 6;

/// `s` (trimmed) if it may be shown as a site or identity provider name: a
/// known identity provider, or a short plain name — letters, digits,
/// single spaces, dots, hyphens and apostrophes, starting with a letter or
/// digit (`impots.gouv.fr`, `L'Identité Numérique La Poste`), of at most
/// [`MAX_PLAIN_NAME_WORDS`] words and [`MAX_PLAIN_NAME_DIGITS`] digits
/// (no phone number), in one script (no Cyrillic `А` in `Аmeli.fr`).
/// Anything else (markup, a URL, a sentence, a phone number, quotes,
/// controls, mixed scripts) is not shown at all.
pub fn plain_name(s: &str) -> Option<&str> {
    let s = s.trim();
    if KNOWN_IDENTITY_PROVIDERS.iter().any(|k| k.eq_ignore_ascii_case(s)) {
        return Some(s);
    }
    let mut chars = s.chars();
    let first_ok = chars.next().is_some_and(char::is_alphanumeric);
    let rest_ok = s.chars().all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '\'' | '’'));
    let short = s.chars().count() <= MAX_PLAIN_NAME_CHARS
        && !s.contains("  ")
        && s.split_whitespace().count() <= MAX_PLAIN_NAME_WORDS;
    let no_phone_number = s.chars().filter(|c| c.is_numeric()).count() <= MAX_PLAIN_NAME_DIGITS;
    // ASCII is Latin and Common characters: one script.
    (first_ok && rest_ok && short && no_phone_number && (s.is_ascii() || s.is_single_script())).then_some(s)
}

/// `s` made safe to print on a terminal, on one line: every control
/// character (ESC, CSI, OSC, BEL, newline, C1…) and every bidi control is
/// replaced with a visible placeholder — `␛` for ESC, the matching
/// control picture for other C0 characters, `�` for the rest. Borrowed when
/// there is nothing to replace.
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    replace_unsafe(s, false)
}

/// As [`terminal_safe`], but newlines are kept: for text that is meant to
/// span lines. One-line data (a subject, a file name) should use
/// [`terminal_safe`], so that it cannot fake a line of its own.
pub fn terminal_safe_text(s: &str) -> Cow<'_, str> {
    replace_unsafe(s, true)
}

fn replace_unsafe(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    let unsafe_char = |c: char| (is_control(c) && !(keep_newlines && c == '\n')) || is_bidi_control(c);
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(|c| if unsafe_char(c) { placeholder(c) } else { c }).collect())
}

fn placeholder(c: char) -> char {
    match c {
        // U+2400.. are the "control pictures": ␀ ␁ … ␛ … ␟, and ␡.
        '\0'..='\u{1F}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'),
        '\u{7F}' => '\u{2421}',
        _ => '\u{FFFD}',
    }
}

/// The sanitising step where a recognition leaves `notice`.
pub(crate) fn recognition(seen: &mut Recognition) {
    envelope(&mut seen.envelope);
    if let Some(notice) = seen.notice.as_mut() {
        self::notice(notice);
    }
    if let Some(id) = seen.checked_by.as_mut() {
        to_one_line(id, MAX_ADDRESS_CHARS);
    }
}

fn envelope(e: &mut Envelope) {
    let clean = |v: &mut Option<String>, max_chars: usize| {
        if let Some(s) = v.as_mut() {
            to_one_line(s, max_chars);
        }
        if v.as_deref().is_some_and(str::is_empty) {
            *v = None;
        }
    };
    to_one_line(&mut e.subject, MAX_SUBJECT_CHARS);
    clean(&mut e.message_id, MAX_MESSAGE_ID_CHARS);
    clean(&mut e.sender.name, MAX_NAME_CHARS);
    clean(&mut e.sender.address, MAX_ADDRESS_CHARS);
}

fn notice(n: &mut Notice) {
    // Text already on one line is judged as it is, without a copy.
    let shown = |v: &Option<String>| {
        let v = v.as_deref()?;
        if is_one_line(v, MAX_ADDRESS_CHARS) {
            return plain_name(v).map(str::to_owned);
        }
        plain_name(&one_line(v, MAX_ADDRESS_CHARS)).map(str::to_owned)
    };
    n.site = shown(&n.site);
    n.identity_provider = shown(&n.identity_provider);
    // A greeting names a person: letters only, no digits at all.
    n.addressee = shown(&n.addressee).filter(|v| !v.chars().any(char::is_numeric) && !v.contains('.'));
    for r in &mut n.reasons {
        reason(r);
    }
}

/// Domains and hosts inside reasons come from the message too.
fn reason(r: &mut Reason) {
    let clean = |s: &mut String| to_one_line(s, MAX_ADDRESS_CHARS);
    match r {
        Reason::DkimPass { domain }
        | Reason::SenderNotOfficial { domain }
        | Reason::ReplyToNotOfficial { domain }
        | Reason::DkimFail { domain: Some(domain) } => clean(domain),
        Reason::LookalikeDomain { domain, official } => {
            clean(domain);
            clean(official);
        }
        Reason::LinkNotOfficial { host } => clean(host),
        Reason::LinkTextMismatch { shown, target } => {
            clean(shown);
            clean(target);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_already_on_one_line_is_kept_and_anything_else_is_cleaned() {
        let samples = [
            ("", 10),
            ("Information de connexion", 100),
            ("a  b", 10),
            (" a", 10),
            ("a ", 10),
            ("a\tb", 10),
            ("a\u{202E}b", 10),
            ("a\u{00A0}b", 10),
            ("a\u{7}b", 10),
            ("exactly10!", 10),
            ("eleven char", 10),
            ("Été à Noël", 10),
            ("a\u{7f}b", 10),
            (" ", 10),
            ("a b c", 5),
            ("a b c", 4),
            ("a\nb", 10),
            ("~!\"#$ %&'()", 20),
            ("abcdefg hijklmno pqrstuvw xyz", 40),
            ("abcdefg  hijklmno", 40),
            ("abcdefgh ijklmnop", 40),
            ("abcdefgh  ijklmnop", 40),
            ("abcdefghijklmnopq ", 40),
            ("abcdefghijklmnop\tq", 40),
            ("abcdefghijklmnopqrstuvwxyz", 25),
        ];
        for (s, max) in samples {
            let mut in_place = s.to_owned();
            to_one_line(&mut in_place, max);
            assert_eq!(in_place, one_line(s, max), "{s:?}");
            assert_eq!(is_one_line(s, max), one_line(s, max) == s, "{s:?}");
        }
    }

    proptest::proptest! {
        /// Text is judged clean exactly when cleaning it changes nothing.
        #[test]
        fn a_clean_line_is_one_that_cleaning_leaves_as_it_is(
            chars in proptest::collection::vec(
                proptest::sample::select(vec![
                    'a', 'Z', '~', ' ', '\t', '\n', '\r', '\u{7f}', '\u{1}', 'é', '\u{a0}', '\u{85}', '\u{9f}',
                    '\u{202e}', '\u{2028}', '\u{2003}', '\u{61c}', '日', '\u{1f600}',
                ]),
                0..40,
            ),
            max in 0usize..40,
        ) {
            let s: String = chars.into_iter().collect();
            proptest::prop_assert_eq!(is_one_line(&s, max), one_line(&s, max) == s, "{:?} {}", s, max);
        }
    }

    proptest::proptest! {
        /// Every ASCII text is in one script (Latin and Common
        /// characters): a plain name in ASCII needs no script check.
        #[test]
        fn an_ascii_name_is_written_in_one_script(s in "[\\x00-\\x7f]{0,40}") {
            proptest::prop_assert!(s.is_single_script(), "{:?}", s);
        }
    }

    #[test]
    fn controls_are_removed_but_newlines_become_spaces_in_one_line_fields() {
        assert_eq!(
            one_line("Alerte\x1b[2J\x1b]0;titre\x07 de\r\nconnexion\u{85}\u{9b}31m", 100),
            "Alerte[2J]0;titre de connexion 31m"
        );
        assert_eq!(one_line("  a\tb  ", 100), "a b");
    }

    #[test]
    fn bidi_controls_are_removed() {
        assert_eq!(
            one_line("ameli\u{202E}rf.evil\u{202C}\u{2066}x\u{2069}\u{200F}\u{200E}\u{61C}", 100),
            "amelirf.evilx"
        );
    }

    #[test]
    fn length_is_capped_with_an_ellipsis() {
        assert_eq!(one_line("abcdef", 4), "abc…");
        assert_eq!(one_line("ééé", 3), "ééé");
        assert_eq!(one_line(&"x".repeat(10_000), MAX_SUBJECT_CHARS).chars().count(), MAX_SUBJECT_CHARS);
    }

    #[test]
    fn multi_line_keeps_newlines_only() {
        assert_eq!(multi_line("a\x1b[1m\r\nb\u{202E}c\n", 100), "a[1m\nbc");
    }

    #[test]
    fn plain_names_are_short_words_dots_hyphens_and_apostrophes() {
        for ok in ["impots.gouv.fr", "Ameli.fr", "L'Identité Numérique La Poste", "Mon compte ameli", "MSA", "caf.fr"]
        {
            assert_eq!(plain_name(ok), Some(ok), "{ok}");
        }
        assert_eq!(plain_name("  France Identité "), Some("France Identité"));
    }

    #[test]
    fn markup_links_and_sentences_are_not_plain_names() {
        for bad in [
            "<a href=\"https://evil.example\">3646</a>",
            "https://evil.example",
            "evil.example/login",
            "&#58;&#47;&#47;",
            "\"quoted\"",
            "appelez le 01 23 45 67 89, urgent : votre compte sera suspendu aujourd'hui même",
            "-leading-hyphen",
            "",
            "two  spaces",
            "a\u{202E}b",
        ] {
            assert_eq!(plain_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_name_with_four_digits_or_more_is_a_phone_number_not_a_plain_name() {
        for bad in ["Appelez le 3646", "Ameli 0612345678", "Rappel urgent au 01 23 45 67 89", "3939"] {
            assert_eq!(plain_name(bad), None, "{bad}");
        }
        assert_eq!(plain_name("Service 123"), Some("Service 123"));
    }

    #[test]
    fn a_name_mixing_scripts_is_not_a_plain_name() {
        // A Cyrillic А (U+0410), then a Greek ο (U+03BF).
        for bad in ["\u{410}meli.fr", "impots.g\u{3bf}uv.fr", "Mon compte \u{430}meli"] {
            assert_eq!(plain_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_name_of_more_than_six_words_is_not_a_plain_name() {
        assert_eq!(plain_name("votre compte sera suspendu sans action aujourd'hui"), None);
        assert_eq!(plain_name("un deux trois quatre cinq six"), Some("un deux trois quatre cinq six"));
    }

    #[test]
    fn known_identity_providers_and_ordinary_sites_stay_plain_names() {
        for ok in KNOWN_IDENTITY_PROVIDERS
            .iter()
            .copied()
            .chain(["impots.gouv.fr", "Mon compte ameli", "L'Identité Numérique La Poste", "ANTS", "France Identité"])
            .chain(["L’Assurance Maladie", "mesdroitssociaux.gouv.fr", "caf.fr"])
        {
            assert_eq!(plain_name(ok), Some(ok), "{ok}");
        }
    }

    #[test]
    fn terminal_safe_replaces_escapes_controls_and_bidi_with_placeholders() {
        assert_eq!(terminal_safe("ok"), Cow::Borrowed("ok"));
        assert_eq!(terminal_safe("\x1b]8;;https://evil\x07lien\x1b]8;;\x07"), "␛]8;;https://evil␇lien␛]8;;␇");
        assert_eq!(terminal_safe("a\nb\u{9b}2J\u{202E}c\x7f"), "a␊b\u{FFFD}2J\u{FFFD}c␡");
        assert_eq!(terminal_safe_text("a\nb\x1b[2J"), "a\nb␛[2J");
    }
}
