//! From a parsed message to the plain facts recognition works on: envelope,
//! visible text (HTML rendered to text, entities decoded, spaces collapsed)
//! in two forms, and the links with the text they show.

use std::cell::Cell;
use std::ops::Deref;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use html5gum::Tokenizer;
use mail_parser::{Message, PartType};

use super::rules::LureCategory;
use super::{Envelope, Sender};

mod headers;
mod html;
mod links;
mod mime;
mod quoted_printable;

use html::Render;
pub(crate) use html::decode_references;
pub(crate) use mime::Parser;

/// Text beyond this many bytes is not looked at: notices are a few
/// kilobytes, and it keeps time and memory bounded on hostile input.
const MAX_TEXT_BYTES: usize = 256 * 1024;
/// HTML beyond this many bytes is not rendered.
const MAX_HTML_BYTES: usize = 1024 * 1024;
/// At most this many links are checked per message.
const MAX_LINKS: usize = 200;

/// The message parser recognition uses (see [`mime`]): bodies left
/// quoted-printable are decoded by [`mime::part_text`] when read.
pub(crate) fn parser() -> &'static Parser {
    static PARSER: LazyLock<Parser> = LazyLock::new(Parser::new);
    &PARSER
}

/// A link found in the message: where it goes and, for HTML, what it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    pub target: String,
    pub shown: Option<String>,
    /// A `<form action>`: where what is typed into the form goes.
    pub form: bool,
}

/// Everything recognition needs from one message, owned and normalised.
#[derive(Debug, Default)]
pub(crate) struct Content {
    pub envelope: Envelope,
    pub has_headers: bool,
    pub reply_to: Option<String>,
    /// Raw `Authentication-Results` values, topmost first.
    pub authentication_results: Vec<String>,
    /// Subject and body with case and accents kept (see [`normalise`]).
    pub subject_plain: String,
    pub body_plain: String,
    /// The same, folded: lower case, no accents.
    pub subject_folded: String,
    pub body_folded: String,
    pub sender_name_folded: String,
    pub links: Vec<Link>,
    /// An image that shows a QR code (by its name or alternative text).
    pub qr_image: bool,
    /// What the input fields of a form in the message ask for.
    pub fields: Vec<LureCategory>,
}

impl Content {
    pub fn of(message: &Message<'_>) -> Content {
        let from = message.from().and_then(|a| a.first());
        let sender = Sender {
            name: from.and_then(|a| a.name()).map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()),
            address: from.and_then(|a| a.address()).map(|a| a.trim().to_ascii_lowercase()).filter(|a| !a.is_empty()),
        };
        let subject = message.subject().unwrap_or_default();
        let envelope = Envelope {
            message_id: message.message_id().map(str::to_owned),
            sender,
            subject: subject.trim().to_owned(),
            date: message.date().and_then(|d| DateTime::<Utc>::from_timestamp(d.to_timestamp(), 0)),
        };
        let has_headers = envelope.sender.address.is_some()
            || envelope.sender.name.is_some()
            || message.subject().is_some()
            || message.date().is_some()
            || envelope.message_id.is_some();
        // As `headers_raw()`, which checks every header's raw value (long
        // `Received` headers included) for UTF-8 before the name is looked
        // at: here only the values kept are checked.
        let authentication_results = message
            .parts
            .first()
            .map(|root| root.headers.as_slice())
            .unwrap_or_default()
            .iter()
            .filter(|h| h.name.as_str().eq_ignore_ascii_case("Authentication-Results"))
            .filter_map(|h| message.raw_message.get(h.offset_start as usize..h.offset_end as usize))
            .filter_map(|value| std::str::from_utf8(value).ok())
            .map(str::to_owned)
            .collect();
        let reply_to =
            message.reply_to().and_then(|a| a.first()).and_then(|a| a.address()).map(str::to_ascii_lowercase);

        let mut body = Body::default();
        // A subject is shown by notification servers that render markup:
        // a link in it, even spelt with character references, counts.
        body.find_links(subject);
        let mut parts: Vec<usize> = message.text_body.iter().chain(&message.html_body).map(|&id| id as usize).collect();
        parts.sort_unstable();
        parts.dedup();
        for id in parts {
            let Some(part) = message.parts.get(id) else { continue };
            match (mime::part_text(message, part), &part.body) {
                (Some(html), PartType::Html(_)) => body.add_html(&html),
                (Some(text), _) => body.add_text(&text),
                (None, _) => {}
            }
        }
        let body_raw = body.visible();

        let (subject_plain, subject_folded) = normalised(subject, true);
        let (body_plain, body_folded) = normalised(&body_raw, true);
        Joined::recycle(body_raw);
        Content {
            subject_folded: subject_folded.unwrap_or_default(),
            body_folded: body_folded.unwrap_or_default(),
            subject_plain,
            body_plain,
            sender_name_folded: normalise(envelope.sender.name.as_deref().unwrap_or(""), true),
            envelope,
            has_headers,
            reply_to,
            authentication_results,
            links: body.links,
            qr_image: body.qr_image,
            fields: body.fields,
        }
    }
}

/// The visible text and links of a message's body parts.
#[derive(Default)]
struct Body {
    html_text: String,
    plain_text: String,
    links: Vec<Link>,
    qr_image: bool,
    fields: Vec<LureCategory>,
}

/// What ends a sentence after an address written out in text.
const TRAILING_PUNCTUATION: &[char] = &['.', ',', ';', ':', '!', '?'];

impl Body {
    fn add_text(&mut self, text: &str) {
        let text = truncate(text, MAX_TEXT_BYTES);
        self.find_links(text);
        push_capped(&mut self.plain_text, text);
    }

    /// Links written out in text, found after character references are
    /// decoded: `https&#58;&#47;&#47;evil.example` is a link to whatever
    /// renders it as HTML.
    fn find_links(&mut self, text: &str) {
        let decoded = decode_references(text);
        for url in links::urls_in(&decoded) {
            self.push_link(url.trim_end_matches(TRAILING_PUNCTUATION), None);
        }
    }

    /// Renders HTML to text with a tokenizer: tags become spaces (inline
    /// ones nothing), entities are decoded, `<style>`/`<script>`/`<head>`
    /// are skipped; `<a href>` and `<form action>` become links. The
    /// tokenizer's events are handled as they come ([`Render`] is its
    /// emitter): no token is built, no string copied for tags and text
    /// nobody reads.
    fn add_html(&mut self, html: &str) {
        let html = truncate(html, MAX_HTML_BYTES);
        // Room for the visible text at once: mail HTML is mostly markup,
        // its text well under half of it. The buffer is the one kept from
        // the last message (see [`Joined`]).
        let mut out = Joined::buffer().into_bytes();
        out.reserve(html.len().min(MAX_TEXT_BYTES) / 2);
        let mut anchor = None; // (href, shown text)
        let render = Render::new(self, &mut out, &mut anchor);
        let Ok(()) = Tokenizer::new_with_emitter(html, render).finish();
        if let Some((href, shown)) = anchor.take() {
            self.push_link(&href, Some(html::text_of(shown)));
        }
        let out = html::text_of(out);
        // Addresses written out in the visible text (entities already
        // decoded by the tokenizer): mail clients make them clickable.
        for url in links::urls_in(&out) {
            self.push_link(url.trim_end_matches(TRAILING_PUNCTUATION), None);
        }
        if self.html_text.is_empty() {
            // `out` is capped as `html_text` is: kept as it is.
            self.html_text = out;
        } else {
            push_capped(&mut self.html_text, &out);
            Joined::recycle(out);
        }
    }

    fn push_link(&mut self, target: &str, shown: Option<String>) {
        if self.links.len() < MAX_LINKS {
            self.links.push(Link {
                target: target.to_owned(),
                shown: shown.map(|s| normalise(&s, false)),
                form: false,
            });
        }
    }

    /// What the reader sees: the HTML rendering when there is one (mail
    /// clients show it), then the plain text part. The HTML rendering is
    /// taken, not copied.
    fn visible(&mut self) -> String {
        let mut text = std::mem::take(&mut self.html_text);
        if text.capacity() == 0 {
            text = Joined::buffer();
        }
        if !self.plain_text.is_empty() {
            text.reserve(1 + self.plain_text.len());
            text.push('\n');
            push_capped(&mut text, &self.plain_text);
        }
        text
    }
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn push_capped(out: &mut String, s: &str) {
    let room = MAX_TEXT_BYTES.saturating_sub(out.len());
    out.push_str(truncate(s, room));
}

/// Texts joined into a buffer reused from one message to the next (one a
/// thread): what is joined is a message's whole text, and a buffer of that
/// size made and freed for each message costs an allocation, and glibc a
/// consolidation of its small free chunks, every time. Derefs to the
/// joined text; dropping it gives the buffer back. [`Content::of`] renders
/// a message's HTML into the same buffer, and gives it back once the text
/// is normalised.
pub(crate) struct Joined(String);

/// A buffer larger than this is freed, not kept: an idle agent keeps no
/// copy of the largest message it ever read.
const KEEP_JOINED_BYTES: usize = 64 * 1024;

thread_local! {
    static JOINED: Cell<String> = const { Cell::new(String::new()) };
}

impl Joined {
    /// `parts` with `separator` between them, as `parts.join(separator)`.
    pub(crate) fn new(parts: &[&str], separator: &str) -> Joined {
        let mut text = Joined::buffer();
        let len = parts.iter().map(|p| p.len()).sum::<usize>() + separator.len() * parts.len().saturating_sub(1);
        text.reserve(len);
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                text.push_str(separator);
            }
            text.push_str(part);
        }
        Joined(text)
    }
}

impl Deref for Joined {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl Joined {
    /// An empty buffer: the thread's kept one, unless it is in use (a
    /// second `Joined` alive at the same time gets a new buffer).
    fn buffer() -> String {
        let mut text = JOINED.try_with(Cell::take).unwrap_or_default();
        text.clear();
        text
    }

    /// Keeps `text`'s buffer for the next [`Joined::buffer`], unless it is
    /// larger than [`KEEP_JOINED_BYTES`].
    fn recycle(text: String) {
        if text.capacity() <= KEEP_JOINED_BYTES {
            // During the thread's teardown the buffer is simply freed.
            let _ = JOINED.try_with(|kept| kept.set(text));
        }
    }
}

impl Drop for Joined {
    fn drop(&mut self) {
        Joined::recycle(std::mem::take(&mut self.0));
    }
}

/// Normalises text for matching: every dash to `-`, typographic quotes to
/// `"` and `'`, invisible characters dropped, runs of white space (NBSP
/// included) to one space. With `fold`, also lower case without accents,
/// `€` as `eur`, and any other non-ASCII character as `?`: folded text is
/// ASCII.
pub(crate) fn normalise(s: &str, fold: bool) -> String {
    let out = normalised_forms(s, !fold, fold);
    out.folded.or(out.plain).unwrap_or_default()
}

/// Normalised text as it is written: the plain form, the folded one, or
/// both alongside (folding is character by character and never makes or
/// removes white space, so both are written in the same pass).
struct Normalised {
    plain: Option<String>,
    folded: Option<String>,
}

impl Normalised {
    /// A run of ASCII, copied whole (lower-cased in place when folded).
    fn push_run(&mut self, run: &str) {
        if let Some(plain) = self.plain.as_mut() {
            plain.push_str(run);
        }
        if let Some(folded) = self.folded.as_mut() {
            let at = folded.len();
            folded.push_str(run);
            folded[at..].make_ascii_lowercase();
        }
    }

    fn push(&mut self, c: char) {
        if let Some(plain) = self.plain.as_mut() {
            plain.push(c);
        }
        if let Some(folded) = self.folded.as_mut() {
            push_folded(folded, c);
        }
    }

    /// Both forms end alike: folding makes no white space.
    fn ends_with_space(&self) -> bool {
        self.plain.as_ref().or(self.folded.as_ref()).is_some_and(|text| text.ends_with(' '))
    }

    fn pop(&mut self) {
        if let Some(plain) = self.plain.as_mut() {
            plain.pop();
        }
        if let Some(folded) = self.folded.as_mut() {
            folded.pop();
        }
    }
}

/// [`normalise`]'s plain form, and with `fold` its folded form too, in
/// one pass. Runs of plain ASCII (most of a mail) are copied whole, single
/// spaces between words included; only other white space and non-ASCII
/// characters are looked at one by one.
fn normalised(s: &str, fold: bool) -> (String, Option<String>) {
    let out = normalised_forms(s, true, fold);
    (out.plain.unwrap_or_default(), out.folded)
}

/// [`normalise`]'s plain form when `plain`, its folded form when `fold`.
fn normalised_forms(s: &str, plain: bool, fold: bool) -> Normalised {
    let form = |wanted: bool| wanted.then(|| String::with_capacity(s.len()));
    let mut out = Normalised { plain: form(plain), folded: form(fold) };
    let bytes = s.as_bytes();
    let mut space = true; // drops leading white space
    let (mut run, mut i) = (0, 0); // run: start of the pending plain ASCII
    let printable = |b: u8| (b'!'..=b'~').contains(&b);
    while i < bytes.len() {
        let b = bytes[i];
        if printable(b) {
            i += 1;
            // Then eight bytes at a time while they are words and single
            // spaces (the byte before each chunk is printable, or a space
            // before a printable one); a chunk that is not stops the run
            // on its first byte that needs a look.
            while let Some(chunk) = bytes.get(i..).and_then(<[u8]>::first_chunk::<8>) {
                match words_in_eight(u64::from_le_bytes(*chunk)) {
                    (8, false) => i += 8,
                    (8, true) if bytes.get(i + 8).is_some_and(|&next| printable(next)) => i += 8,
                    (8, true) => {
                        i += 7;
                        break;
                    }
                    (taken, _) => {
                        i += taken;
                        break;
                    }
                }
            }
            continue;
        }
        // A single space after a printable character (in the run, or
        // already written) and before another stays as it is.
        if b == b' ' && (i > run || !space) && bytes.get(i + 1).is_some_and(|&next| printable(next)) {
            i += 2;
            continue;
        }
        let ascii_space = matches!(b, b'\t'..=b'\r' | b' ');
        if run < i {
            out.push_run(s.get(run..i).unwrap_or_default());
            space = false;
            run = i;
        }
        let c = if ascii_space {
            // The whole run of ASCII white space (mail HTML is indented).
            i += 1;
            while bytes.get(i).is_some_and(|&b| matches!(b, b'\t'..=b'\r' | b' ')) {
                i += 1;
            }
            ' '
        } else {
            // `i` is on a character boundary: runs stop only before a
            // non-ASCII lead byte, and whole characters are skipped.
            let Some(c) = s.get(i..).and_then(|rest| rest.chars().next()) else { break };
            i += c.len_utf8();
            match c {
                '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => '-',
                '«' | '»' | '“' | '”' | '„' | '‟' | '″' => '"',
                '‘' | '’' | '‚' | '‛' | '′' => '\'',
                '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => {
                    run = i;
                    continue;
                }
                c if c.is_whitespace() => ' ',
                c => c,
            }
        };
        run = i;
        if c == ' ' {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    if run < bytes.len() {
        out.push_run(s.get(run..).unwrap_or_default());
    }
    if out.ends_with_space() {
        out.pop();
    }
    out
}

/// How many of eight bytes (little-endian) go on a run of words and
/// single spaces, the byte before them being printable: printable ASCII,
/// and spaces each followed by a printable byte. With all eight, whether
/// the last one is a space (the byte after the chunk then decides). Else
/// the first byte not taken is a control, DEL, non-ASCII, or a space
/// before one of those or before another space.
pub(crate) fn words_in_eight(x: u64) -> (usize, bool) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const LOW: u64 = !HIGH;
    // Each byte's low seven bits: sums on them carry into no other byte.
    let low = x & LOW;
    let below_space = !low.wrapping_add(0x60 * ONES) & HIGH;
    let del = low.wrapping_add(ONES) & HIGH;
    let other = x & HIGH | below_space | del;
    let not_space = {
        let y = x ^ (0x20 * ONES);
        ((y & LOW).wrapping_add(LOW) | y) & HIGH
    };
    let spaces = !not_space & HIGH;
    // A space followed, in the chunk, by a space or another byte that
    // stops the run.
    let stops = other | spaces & ((other | spaces) >> 8);
    if stops == 0 {
        return (8, spaces >> 63 == 1);
    }
    ((stops.trailing_zeros() / 8) as usize, false)
}

fn push_folded(out: &mut String, c: char) {
    let base = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
        'ç' | 'Ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ñ' | 'Ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' | 'Ÿ' => 'y',
        'œ' | 'Œ' => return out.push_str("oe"),
        'æ' | 'Æ' => return out.push_str("ae"),
        c if c.is_ascii() => c.to_ascii_lowercase(),
        '€' => return out.push_str("eur"),
        // Folded text is pure ASCII: patterns then run on the regex
        // crate's fast DFA (Unicode word boundaries make it give up on
        // non-ASCII bytes). Any other character is not a word character.
        _ => '?',
    };
    out.push(base);
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    #[test]
    fn normalise_folds_dashes_quotes_spaces_and_accents() {
        let s = "  Votre compte AMELI \u{2014}\u{a0} Information   de connexion « Été » ";
        assert_eq!(normalise(s, true), "votre compte ameli - information de connexion \" ete \"");
        assert_eq!(normalise(s, false), "Votre compte AMELI - Information de connexion \" Été \"");
    }

    /// The definition of [`normalise`], one character at a time: the fast
    /// version must agree with it.
    fn normalise_by_char(s: &str, fold: bool) -> String {
        let mut out = String::new();
        let mut space = true;
        for c in s.chars() {
            let c = match c {
                '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => '-',
                '«' | '»' | '“' | '”' | '„' | '‟' | '″' => '"',
                '‘' | '’' | '‚' | '‛' | '′' => '\'',
                '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => continue,
                c if c.is_whitespace() => ' ',
                c => c,
            };
            if c == ' ' {
                if !space {
                    out.push(' ');
                }
                space = true;
                continue;
            }
            space = false;
            if fold {
                push_folded(&mut out, c);
            } else {
                out.push(c);
            }
        }
        if out.ends_with(' ') {
            out.pop();
        }
        out
    }

    #[test]
    fn normalise_agrees_with_its_character_by_character_definition() {
        let samples = [
            "",
            " ",
            "\u{200B}",
            " \u{200B} a",
            "a \u{200B} b",
            "a\u{00A0}\u{00A0}b\t\r\n",
            "\x0Bvertical\x0Ctab\x1Cfile",
            "Œuvre ÆTHER – « Été » 12€ \u{2028}fin\u{3000}",
            "\u{FEFF}\u{FEFF}  Le 01/02 à 14h14\u{202F}: https://ameli.fr/x?a=b&c  ",
            "ascii only, UPPER and lower.",
            "mixed ÀÉÎõü ñ ç ÿ Ÿ 中文 עברית \u{0301}",
            "end with invisible\u{00AD}",
            "end with nbsp\u{00A0}",
            "é b à c\u{200B} d \u{200B}e f  g\t h \u{00A0}i j\u{7f} k \u{1c} l",
            "a b",
            " a b ",
            "\u{200B} a b \u{200B}",
            "a \r\n b . c ",
        ];
        for s in samples {
            for fold in [false, true] {
                assert_eq!(normalise(s, fold), normalise_by_char(s, fold), "{s:?} fold={fold}");
            }
        }
    }

    #[test]
    fn normalise_agrees_with_its_definition_on_generated_text() {
        // Runs of words, single and double spaces, controls, DEL and
        // non-ASCII, in every order.
        let pieces = [
            "a",
            "Bc",
            "def",
            "ghij",
            " ",
            "  ",
            "\t",
            "\r\n",
            "\u{7f}",
            "\u{1}",
            "é",
            "’",
            "\u{a0}",
            "\u{200b}",
            "~!",
            " klmnopq",
            "rstuvwx ",
            "ÀÉ×",
            "–",
            "中",
            "Œ€",
            "\u{2028}",
            "\u{85}",
            " \t \n  ",
            "ab cd ef gh ij kl",
            "mnopqrs tuvwxyz0 ",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..10_000 {
            let mut s = String::new();
            for _ in 0..(seed % 40) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            for fold in [false, true] {
                assert_eq!(normalise(&s, fold), normalise_by_char(&s, fold), "{s:?} fold={fold}");
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]
        /// Mostly words and single spaces (the fast path), with every kind
        /// of byte that stops a run of them, anywhere in a chunk of eight.
        #[test]
        fn normalise_agrees_with_its_definition_on_random_text(
            s in "([a-zA-Z0-9.,:'/-]{1,12}| |  |\t|\r\n|\u{7f}|\u{1}|é|À|’|–|\u{a0}|\u{200b}|\u{2028}|中|Œ|€){0,40}",
            fold: bool,
        ) {
            proptest::prop_assert_eq!(normalise(&s, fold), normalise_by_char(&s, fold), "{:?}", s);
        }
    }

    #[test]
    fn eight_bytes_at_a_time_are_words_and_single_spaces_only() {
        let words = |s: &[u8; 8]| words_in_eight(u64::from_le_bytes(*s));
        assert_eq!(words(b"abc de.f"), (8, false));
        assert_eq!(words(b" bc de.f"), (8, false));
        assert_eq!(words(b"abc def "), (8, true));
        assert_eq!(words(b"abc  def"), (3, false));
        assert_eq!(words(b"abc\tdefg"), (3, false));
        assert_eq!(words(b"abc \tdef"), (3, false));
        assert_eq!(words(b"abc~\x7fdef"), (4, false));
        assert_eq!(words(b"ab\xc3\xa9defg"), (2, false));
        assert_eq!(words(b"\x1fbcdefgh"), (0, false));
        assert_eq!(words(b"abcdefg\xff"), (7, false));
        assert_eq!(words(b"  abcdef"), (0, false));
    }

    #[test]
    fn normalise_drops_invisible_characters_used_to_split_words() {
        assert_eq!(normalise("mot\u{200B} de pa\u{AD}sse", true), "mot de passe");
    }

    #[test]
    fn html_is_rendered_with_entities_and_links() {
        let mut body = Body::default();
        body.add_html(
            "<html><head><style>p{color:red}</style><title>x</title></head><body>\
             <p>Le&nbsp;01 janvier 2021 &agrave; <strong>14:14</strong></p>\
             <p>Voir <a href=\"https://evil.example/x\">https://www.ameli.fr</a>.</p>\
             <script>var a = '<p>';</script></body></html>",
        );
        let text = normalise(&body.visible(), false);
        assert_eq!(text, "Le 01 janvier 2021 à 14:14 Voir https://www.ameli.fr.");
        assert_eq!(
            body.links,
            vec![
                Link {
                    target: "https://evil.example/x".into(),
                    shown: Some("https://www.ameli.fr".into()),
                    form: false
                },
                Link { target: "https://www.ameli.fr".into(), shown: None, form: false },
            ]
        );
    }

    #[test]
    fn only_the_attributes_recognition_reads_are_kept() {
        let mut body = Body::default();
        body.add_html("<DIV STYLE=\"a:b\" title=\"qr code\"><A style=\"c:d\" HREF=\"https://x.example\">x</A>");
        assert!(!body.qr_image);
        assert_eq!(body.links[0].target, "https://x.example");
        body.add_html("<table bgcolor=red><IMG Alt=\"QR code\">");
        assert!(body.qr_image);
    }

    #[test]
    fn a_repeated_attribute_keeps_its_first_value() {
        let mut body = Body::default();
        body.add_html(
            "<a href=\"https://first.example\" HREF=\"https://second.example\">x</a>\
             <img alt=\"logo\" alt=\"QR code\"><form action=\"\" action=\"https://evil.example\"></form>",
        );
        let targets: Vec<_> = body.links.iter().map(|l| (l.target.as_str(), l.form)).collect();
        assert_eq!(targets, [("https://first.example", false), ("", true)]);
        assert!(!body.qr_image);
    }

    #[test]
    fn text_links_are_found() {
        let mut body = Body::default();
        body.add_text("Cliquez ici : https://statsndm.info.ameli.fr/m/abc) merci");
        assert_eq!(body.links[0].target, "https://statsndm.info.ameli.fr/m/abc");
    }

    #[test]
    fn character_references_do_not_hide_links_in_plain_text() {
        let mut body = Body::default();
        body.add_text("Appelez le 3646 : https&#58;&#47;&#47;evil.example/x ou https&colon;//evil2.example");
        let targets: Vec<_> = body.links.iter().map(|l| l.target.as_str()).collect();
        assert_eq!(targets, ["https://evil.example/x", "https://evil2.example"]);
    }

    #[test]
    fn character_references_do_not_hide_links_in_html() {
        let mut body = Body::default();
        body.add_html(
            "<p>Voir https&#58;&#47;&#47;evil.example/a et \
                       <a href=\"https&#x3A;//evil2.example/b\">ici</a></p>",
        );
        let targets: Vec<_> = body.links.iter().map(|l| l.target.as_str()).collect();
        assert_eq!(targets, ["https://evil2.example/b", "https://evil.example/a"]);
    }

    #[test]
    fn decoding_references_keeps_angle_brackets_as_text() {
        assert_eq!(decode_references("a <b> &amp; &#60;c&#62; &lt;"), "a <b> & <c> <");
        assert!(matches!(decode_references("no references"), Cow::Borrowed(_)));
    }

    #[test]
    fn joined_text_is_the_parts_with_separators_between() {
        assert_eq!(&*Joined::new(&["a", "bc", ""], " \n "), "a \n bc \n ");
        let outer = Joined::new(&["x", "y"], "-");
        // A second one alive at the same time does not disturb the first.
        assert_eq!(&*Joined::new(&["z"], "-"), "z");
        assert_eq!(&*outer, "x-y");
        drop(outer);
        assert_eq!(&*Joined::new(&[], "-"), "");
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("éé", 3), "é");
        assert_eq!(truncate("abc", 10), "abc");
    }
}
