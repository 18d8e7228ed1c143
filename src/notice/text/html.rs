//! The HTML side of [`super::Body`]: html5gum's events turned into text,
//! links, QR-code images and form fields as they come ([`Render`], the
//! tokenizer's emitter), without parse errors; and character references
//! decoded in plain text ([`decode_references`]).

use std::borrow::Cow;
use std::cell::Cell;
use std::convert::Infallible;

use html5gum::emitters::callback::{CallbackEmitter, CallbackEvent};
use html5gum::{Emitter, ForwardingEmitter, Span, State, Tokenizer, naive_next_state};

use super::{Body, MAX_TEXT_BYTES, normalise};
use crate::notice::rules::LureCategory;

/// [`Body::add_html`] while the tokenizer runs: html5gum's events handled
/// as they come, without building tokens, as its `CallbackEmitter` would
/// report them (text gathered until the next tag, comment or doctype, a
/// duplicate attribute ignored, attributes kept until the tag closes,
/// `naively_switch_states` on) and without parse errors: recognition
/// never reads the errors, checking every character for them is a good
/// part of the tokenizer's work. Only the attributes of the tags
/// recognition reads ([`reads_attributes`]) are kept: mail HTML carries
/// long `style` attributes.
pub(super) struct Render<'a> {
    body: &'a mut Body,
    /// The visible text, written as the tokenizer reads it: its pieces
    /// are the `&str` it reads, cut at ASCII bytes, and the characters
    /// references stand for, so it is checked as UTF-8 once, whole, at the
    /// end ([`text_of`]), not run by run.
    out: &'a mut Vec<u8>,
    /// The open link: its target and the text it shows so far.
    anchor: &'a mut Option<(String, Vec<u8>)>,
    /// How many `<style>`, `<script>`… are open: their text is dropped.
    hidden: usize,
    /// Whether the text read since the last tag, comment or doctype (a
    /// run) was cut, in the output and in the open link's shown text, at
    /// [`MAX_TEXT_BYTES`]: the rest of the run is dropped, as a run is
    /// capped whole.
    cut: bool,
    shown_cut: bool,
    /// The current tag's name, and whether it is an end tag.
    tag: Vec<u8>,
    end: bool,
    self_closing: bool,
    /// The last start tag emitted (for the end tag that closes raw text).
    last_start_tag: Vec<u8>,
    /// Whether the current tag's attributes are kept.
    keep: bool,
    /// The name of the attribute being read, until its value or the next
    /// attribute starts.
    name: Vec<u8>,
    /// The current start tag's attributes.
    attributes: Attributes,
    /// The attribute whose value is being read, `None` for a duplicate.
    attribute: Option<usize>,
}

impl<'a> Render<'a> {
    pub(super) fn new(body: &'a mut Body, out: &'a mut Vec<u8>, anchor: &'a mut Option<(String, Vec<u8>)>) -> Self {
        let Buffers { mut tag, mut last_start_tag, mut name, mut attributes } =
            BUFFERS.try_with(Cell::take).unwrap_or_default();
        tag.clear();
        last_start_tag.clear();
        name.clear();
        attributes.clear();
        Render {
            body,
            out,
            anchor,
            hidden: 0,
            cut: false,
            shown_cut: false,
            tag,
            end: false,
            self_closing: false,
            last_start_tag,
            keep: false,
            name,
            attributes,
            attribute: None,
        }
    }

    /// A tag, comment or doctype ends the run of text: the next one
    /// starts uncut.
    fn flush_text(&mut self) {
        self.cut = false;
        self.shown_cut = false;
    }

    /// The open link, if any, with the text it shows, goes to the links.
    fn close_anchor(&mut self) {
        if let Some((href, shown)) = self.anchor.take() {
            self.body.push_link(&href, Some(text_of(shown)));
        }
    }

    /// The attribute whose name was being read becomes the current one,
    /// unless the tag already has one of that name.
    fn flush_attribute_name(&mut self) {
        if self.name.is_empty() {
            return;
        }
        self.attribute = if self.attributes.as_slice().iter().any(|(key, _)| *key == self.name) {
            None
        } else {
            Some(self.attributes.push(&self.name))
        };
        self.name.clear();
    }
}

/// [`Render`]'s buffers, kept from one rendering to the next (one set a
/// thread): an HTML part costs no allocation for them once they are as
/// large as its tags and attributes.
#[derive(Default)]
struct Buffers {
    tag: Vec<u8>,
    last_start_tag: Vec<u8>,
    name: Vec<u8>,
    attributes: Attributes,
}

/// A buffer larger than this is freed, not kept: an idle agent keeps no
/// copy of the longest attribute it ever read.
const KEEP_BUFFER_BYTES: usize = 4 * 1024;

thread_local! {
    static BUFFERS: Cell<Buffers> = const {
        Cell::new(Buffers {
            tag: Vec::new(),
            last_start_tag: Vec::new(),
            name: Vec::new(),
            attributes: Attributes { pairs: Vec::new(), len: 0 },
        })
    };
}

impl Drop for Render<'_> {
    fn drop(&mut self) {
        let buffers = Buffers {
            tag: std::mem::take(&mut self.tag),
            last_start_tag: std::mem::take(&mut self.last_start_tag),
            name: std::mem::take(&mut self.name),
            attributes: std::mem::take(&mut self.attributes),
        };
        let small = |b: &Vec<u8>| b.capacity() <= KEEP_BUFFER_BYTES;
        let attributes = &buffers.attributes.pairs;
        if [&buffers.tag, &buffers.last_start_tag, &buffers.name].into_iter().all(small)
            && attributes.len() <= 16
            && attributes.iter().all(|(key, value)| small(key) && small(value))
        {
            // During the thread's teardown the buffers are simply freed.
            let _ = BUFFERS.try_with(|kept| kept.set(buffers));
        }
    }
}

/// A start tag's attributes, names and values, their buffers kept from one
/// tag to the next: a kept tag costs no allocation once the buffers are
/// as large as its attributes.
#[derive(Default)]
pub(super) struct Attributes {
    pairs: Vec<(Vec<u8>, Vec<u8>)>,
    /// How many of `pairs` are the current tag's.
    len: usize,
}

impl Attributes {
    fn as_slice(&self) -> &[(Vec<u8>, Vec<u8>)] {
        self.pairs.get(..self.len).unwrap_or_default()
    }

    /// Adds an attribute `name` with an empty value; its index.
    fn push(&mut self, name: &[u8]) -> usize {
        match self.pairs.get_mut(self.len) {
            Some((key, value)) => {
                key.clear();
                key.extend_from_slice(name);
                value.clear();
            }
            None => self.pairs.push((name.to_vec(), Vec::new())),
        }
        self.len += 1;
        self.len - 1
    }

    fn value_mut(&mut self, i: usize) -> Option<&mut Vec<u8>> {
        self.pairs.get_mut(..self.len)?.get_mut(i).map(|(_, value)| value)
    }

    fn clear(&mut self) {
        self.len = 0;
    }
}

impl Emitter for Render<'_> {
    type Token = Infallible;

    fn should_emit_errors(&mut self) -> bool {
        false
    }

    fn emit_error(&mut self, _error: html5gum::Error) {}

    fn pop_token(&mut self) -> Option<Infallible> {
        None
    }

    fn set_last_start_tag(&mut self, last_start_tag: Option<&[u8]>) {
        self.last_start_tag.clear();
        self.last_start_tag.extend_from_slice(last_start_tag.unwrap_or_default());
    }

    fn emit_eof(&mut self) {
        self.flush_text();
    }

    fn emit_string(&mut self, s: &[u8]) {
        // `hidden` and the open link change only at a tag, which ends
        // the run: the text goes where the whole run would go.
        if self.hidden == 0 {
            if let Some((_, shown)) = self.anchor.as_mut() {
                push_capped_bytes(shown, s, &mut self.shown_cut);
            }
            push_capped_bytes(self.out, s, &mut self.cut);
        }
    }

    fn init_start_tag(&mut self) {
        self.tag.clear();
        self.end = false;
        self.self_closing = false;
    }

    fn init_end_tag(&mut self) {
        self.tag.clear();
        self.end = true;
    }

    fn init_comment(&mut self) {
        self.flush_text();
    }

    fn emit_current_tag(&mut self) -> Option<State> {
        self.flush_text();
        self.flush_attribute_name();
        let tag = std::mem::take(&mut self.tag);
        if self.end {
            self.last_start_tag.clear();
            self.end_tag(&tag);
        } else {
            self.last_start_tag.clear();
            self.last_start_tag.extend_from_slice(&tag);
            self.start_tag(&tag, self.self_closing);
        }
        self.tag = tag;
        self.attributes.clear();
        self.attribute = None;
        self.keep = false;
        naive_next_state(&self.last_start_tag)
    }

    fn emit_current_comment(&mut self) {}

    fn emit_current_doctype(&mut self) {}

    fn set_self_closing(&mut self) {
        if !self.end {
            self.self_closing = true;
        }
    }

    fn set_force_quirks(&mut self) {}

    fn push_tag_name(&mut self, s: &[u8]) {
        self.tag.extend_from_slice(s);
    }

    fn push_comment(&mut self, _s: &[u8]) {}

    fn push_doctype_name(&mut self, _s: &[u8]) {}

    fn init_doctype(&mut self) {
        self.flush_text();
    }

    fn init_attribute(&mut self) {
        self.flush_text();
        self.flush_attribute_name();
        // Attributes of an end tag are never read.
        self.keep = !self.end && reads_attributes(&self.tag);
    }

    fn push_attribute_name(&mut self, s: &[u8]) {
        if self.keep {
            self.name.extend_from_slice(s);
        }
    }

    fn push_attribute_value(&mut self, s: &[u8]) {
        if self.keep {
            self.flush_attribute_name();
            if let Some(value) = self.attribute.and_then(|i| self.attributes.value_mut(i)) {
                value.extend_from_slice(s);
            }
        }
    }

    fn set_doctype_public_identifier(&mut self, _value: &[u8]) {}

    fn set_doctype_system_identifier(&mut self, _value: &[u8]) {}

    fn push_doctype_public_identifier(&mut self, _s: &[u8]) {}

    fn push_doctype_system_identifier(&mut self, _s: &[u8]) {}

    fn current_is_appropriate_end_tag_token(&mut self) -> bool {
        self.end && !self.last_start_tag.is_empty() && self.last_start_tag == self.tag
    }
}

/// The value of attribute `key`, trimmed, borrowed when it is valid text.
fn attr<'v>(attributes: &'v [(Vec<u8>, Vec<u8>)], key: &[u8]) -> Option<Cow<'v, str>> {
    let (_, value) = attributes.iter().find(|(k, _)| k == key)?;
    Some(match lossy(value) {
        Cow::Borrowed(v) => Cow::Borrowed(v.trim()),
        Cow::Owned(v) => Cow::Owned(v.trim().to_owned()),
    })
}

impl Render<'_> {
    fn start_tag(&mut self, name: &[u8], self_closing: bool) {
        if is_hidden(name) && !self_closing {
            self.hidden += 1;
        }
        match name {
            b"a" => {
                self.close_anchor();
                *self.anchor = attr(self.attributes.as_slice(), b"href").map(|h| (h.into_owned(), Vec::new()));
            }
            b"img" => {
                self.body.qr_image |= [&b"alt"[..], b"src", b"title", b"name"]
                    .iter()
                    .filter_map(|k| attr(self.attributes.as_slice(), k))
                    .any(|v| names_a_qr_code(&v));
            }
            b"input" | b"select" | b"textarea" => {
                let field = [&b"type"[..], b"name", b"id", b"placeholder", b"autocomplete"]
                    .iter()
                    .filter_map(|k| attr(self.attributes.as_slice(), k))
                    .collect::<Vec<_>>()
                    .join(" ");
                if let Some(asked) = field_asks(&field)
                    && !self.body.fields.contains(&asked)
                {
                    self.body.fields.push(asked);
                }
            }
            b"form" => {
                if let Some(action) = attr(self.attributes.as_slice(), b"action") {
                    self.body.push_link(&action, None);
                    if let Some(last) = self.body.links.last_mut() {
                        last.form = true;
                    }
                }
            }
            _ => {}
        }
        if !is_inline(name) {
            self.out.push(b' ');
        }
    }

    fn end_tag(&mut self, name: &[u8]) {
        if is_hidden(name) {
            self.hidden = self.hidden.saturating_sub(1);
        }
        if name == b"a" {
            self.close_anchor();
        }
        if !is_inline(name) {
            self.out.push(b' ');
        }
    }
}

/// The tags whose attributes [`Body::add_html`] reads.
fn reads_attributes(tag: &[u8]) -> bool {
    matches!(tag, b"a" | b"img" | b"input" | b"select" | b"textarea" | b"form")
}

/// The tokenizer's emitter without parse errors: nothing reads them, and
/// checking every character for them is a good part of the tokenizer's
/// work.
pub(super) struct Quiet<E>(pub(super) E);

impl<E: Emitter> ForwardingEmitter for Quiet<E> {
    type Token = E::Token;

    fn inner(&mut self) -> &mut impl Emitter<Token = Self::Token> {
        &mut self.0
    }

    fn should_emit_errors(&mut self) -> bool {
        false
    }

    fn emit_error(&mut self, _error: html5gum::Error) {}
}

/// `bytes` (of a run of text, or a whole rendering) appended to `out`,
/// capped as [`super::push_capped`] caps a run's text: at [`MAX_TEXT_BYTES`], on
/// a character boundary; once a run is cut (`cut`), the rest of it is
/// dropped.
fn push_capped_bytes(out: &mut Vec<u8>, bytes: &[u8], cut: &mut bool) {
    if *cut {
        return;
    }
    let room = MAX_TEXT_BYTES.saturating_sub(out.len());
    if bytes.len() <= room {
        out.extend_from_slice(bytes);
        return;
    }
    // A UTF-8 continuation byte is no character's first.
    let end = (0..=room).rev().find(|&at| bytes.get(at).is_none_or(|&b| b & 0xC0 != 0x80)).unwrap_or(0);
    out.extend_from_slice(bytes.get(..end).unwrap_or_default());
    *cut = true;
}

/// Rendered text as a `String`: checked once (it is valid, made of the
/// `&str` the tokenizer reads), `String::from_utf8_lossy` otherwise.
pub(super) fn text_of(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// `String::from_utf8_lossy`, checking valid text (all of it, as the
/// tokenizer reads a `&str`) with `str::from_utf8`, several times faster
/// on ASCII than the lossy decoder's chunk-by-chunk pass.
fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// `text` with HTML character references (`&#58;`, `&#x2F;`, `&colon;`…)
/// decoded, as an HTML renderer would show it. The HTML tokenizer does the
/// decoding (its table is the standard's); `<` is escaped first so that
/// nothing in plain text is taken for a tag.
pub(crate) fn decode_references(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let escaped = text.replace('<', "&lt;");
    let mut out = String::with_capacity(text.len());
    let emitter = CallbackEmitter::new(|event: CallbackEvent<'_>, _: Span<()>| -> Option<Infallible> {
        if let CallbackEvent::String { value } = event {
            out.push_str(&lossy(value));
        }
        None
    });
    let Ok(()) = Tokenizer::new_with_emitter(escaped.as_str(), Quiet(emitter)).finish();
    Cow::Owned(out)
}

/// What an input field asks for, by its type, name or placeholder:
/// `type=password`, `name=iban`, `placeholder="N° de sécurité sociale"`.
fn field_asks(field: &str) -> Option<LureCategory> {
    let f = normalise(field, true);
    let has = |words: &[&str]| words.iter().any(|w| f.split(|c: char| !c.is_ascii_alphanumeric()).any(|t| t == *w));
    if has(&["password", "passwd", "pwd", "motdepasse", "mdp", "pass"]) || f.contains("mot de passe") {
        Some(LureCategory::Password)
    } else if has(&["iban", "rib", "bic", "cvv", "cvc", "cryptogramme", "ccnum", "cardnumber"])
        || f.contains("cc-number")
        || f.contains("carte bancaire")
    {
        Some(LureCategory::BankDetails)
    } else if has(&["nir", "ssn", "secu", "numsecu", "insee"]) || f.contains("securite sociale") {
        Some(LureCategory::Ssn)
    } else {
        None
    }
}

/// "QR code", "qrcode.png", "code_qr", "qr-ameli.png": a word (a run of
/// letters, as `(?i)[a-z]` reads them) that is "qr", "qrcode" or "codeqr"
/// in any case. Separated forms ("qr code", "code-qr") contain the word
/// "qr". Checked without a regex: compiling one cost every process more
/// than all the images it ever looks at.
fn names_a_qr_code(value: &str) -> bool {
    value
        .split(|c: char| !is_letter(c))
        .any(|word| ["qr", "qrcode", "codeqr"].iter().any(|w| word.eq_ignore_ascii_case(w)))
}

/// What `(?i)[a-z]` matches: ASCII letters, and the two characters whose
/// simple case folding is one (long s, Kelvin sign).
fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '\u{17F}' || c == '\u{212A}'
}

fn is_hidden(tag: &[u8]) -> bool {
    matches!(tag, b"style" | b"script" | b"head" | b"title" | b"noscript")
}

fn is_inline(tag: &[u8]) -> bool {
    matches!(
        tag,
        b"a" | b"b"
            | b"strong"
            | b"i"
            | b"em"
            | b"u"
            | b"span"
            | b"font"
            | b"small"
            | b"big"
            | b"sup"
            | b"sub"
            | b"abbr"
            | b"mark"
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use regex::Regex;

    use super::*;

    /// The regex [`names_a_qr_code`] stands for.
    fn qr_regex() -> Regex {
        Regex::new(r"(?i)(^|[^a-z])(qr[\s_-]?code|code[\s_-]?qr|qr)([^a-z]|$)").expect("constant regex")
    }

    #[test]
    fn a_letter_is_what_a_case_insensitive_a_to_z_matches() {
        let letters = Regex::new(r"(?i)^[a-z]$").expect("constant regex");
        let others = Regex::new(r"(?i)^[^a-z]$").expect("constant regex");
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let one = c.encode_utf8(&mut [0; 4]).to_owned();
            assert_eq!(is_letter(c), letters.is_match(&one), "{c:?}");
            assert_eq!(!is_letter(c), others.is_match(&one), "{c:?}");
        }
    }

    #[test]
    fn qr_code_names_are_recognised_as_the_regex_did() {
        let re = qr_regex();
        for value in [
            "QR code",
            "qrcode.png",
            "code_qr",
            "qr-ameli.png",
            "QR",
            "qr\u{2003}code",
            "scan the QR",
            "codeqr",
            "qrcodes",
            "aqr",
            "qra",
            "liqr code",
            "Code QR",
            "code  qr",
            "\u{17F}qr",
            "qr\u{212A}",
            "éqré",
            "qr1",
            "",
            "logo",
            "q r",
            "cod eqr",
        ] {
            assert_eq!(names_a_qr_code(value), re.is_match(value), "{value:?}");
        }
    }

    /// What [`Render`] makes of `html`, as it is the tokenizer's emitter:
    /// the text, the link still open, and the body's findings.
    type Rendered = (String, Option<(String, String)>, Vec<super::super::Link>, bool, Vec<LureCategory>);

    fn finished(out: Vec<u8>, anchor: Option<(String, Vec<u8>)>, body: Body) -> Rendered {
        (text_of(out), anchor.map(|(href, shown)| (href, text_of(shown))), body.links, body.qr_image, body.fields)
    }

    fn rendered(html: &str) -> Rendered {
        let (mut body, mut out, mut anchor) = (Body::default(), Vec::new(), None);
        let Ok(()) = Tokenizer::new_with_emitter(html, Render::new(&mut body, &mut out, &mut anchor)).finish();
        finished(out, anchor, body)
    }

    /// The same fed html5gum's own tokens (its `DefaultEmitter`, raw text
    /// switched on as ours): a tag at a time, with its attributes as the
    /// tokenizer keeps them (the first of a name).
    fn rendered_from_tokens(html: &str) -> Rendered {
        use html5gum::{DefaultEmitter, Token};

        let mut emitter = DefaultEmitter::default();
        emitter.naively_switch_states(true);
        let tokens: Vec<Token> = Tokenizer::new_with_emitter(html, emitter).flatten().collect();
        let (mut body, mut out, mut anchor) = (Body::default(), Vec::new(), None);
        let mut render = Render::new(&mut body, &mut out, &mut anchor);
        for token in tokens {
            match token {
                Token::StartTag(tag) => {
                    render.init_start_tag();
                    render.push_tag_name(&tag.name);
                    for (name, value) in &tag.attributes {
                        render.init_attribute();
                        render.push_attribute_name(name);
                        render.push_attribute_value(value);
                    }
                    if tag.self_closing {
                        render.set_self_closing();
                    }
                    let _ = render.emit_current_tag();
                }
                Token::EndTag(tag) => {
                    render.init_end_tag();
                    render.push_tag_name(&tag.name);
                    let _ = render.emit_current_tag();
                }
                Token::String(text) => render.emit_string(&text),
                Token::Comment(_) => render.init_comment(),
                Token::Doctype(_) => render.init_doctype(),
                Token::Error(_) => {}
            }
        }
        render.emit_eof();
        drop(render);
        finished(out, anchor, body)
    }

    #[test]
    fn a_run_of_text_cut_at_the_cap_drops_its_rest() {
        // The run's last character does not fit whole: neither it nor
        // the ASCII after it (which would) is written; the next run is.
        let before = "a".repeat(MAX_TEXT_BYTES - 1);
        let (text, ..) = rendered(&format!("{before}&eacute;&amp;b<br>c"));
        assert_eq!(text, format!("{before} "));
        let (text, ..) = rendered(&format!("{}<p>c", "a".repeat(MAX_TEXT_BYTES - 3)));
        assert_eq!(text.len(), MAX_TEXT_BYTES - 1);
        assert!(text.ends_with(" c"));
    }

    #[test]
    fn rendering_follows_the_tokens_html5gum_makes() {
        let html = "<!DOCTYPE html><html><head><title>t &amp; x</title><style>p{}</p></style></head>\r\n\
                    <body>Le&nbsp;1er <b>janvier</b><!-- c --><a href='https://a.example' HREF=x>lien <i>ici</i></a>\
                    <img alt=\"QR code\"/><form action=https://f.example><input type=password name=pwd>\
                    <textarea>mot</b> de passe</textarea></form><script>var a = '<p>';</script><p>fin<a href=y>";
        assert_eq!(rendered(html), rendered_from_tokens(html));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Tags read and ignored, in any case, duplicated attributes,
        /// attributes on end tags, raw text, comments, references, line
        /// ends and malformed markup, in any order.
        #[test]
        fn rendering_follows_html5gums_tokens_on_generated_markup(
            pieces in proptest::collection::vec(
                prop_oneof![
                    Just("<a href=\"https://x.example/a\">"), Just("<A HREF='h' href=\"g\" title=t>"),
                    Just("</a>"), Just("</a href=z>"), Just("<img alt=\"QR code\" src=x.png>"), Just("<img SRC=qr.png/>"),
                    Just("<input type=password name=\"mdp\">"), Just("<select name=iban>"), Just("<textarea>"),
                    Just("</textarea>"), Just("<form action=\"https://f.example\">"), Just("<style>"), Just("</style>"),
                    Just("<style/>"), Just("<script>"), Just("</script>"), Just("<title>"), Just("</title>"),
                    Just("<head>"), Just("</head>"), Just("<div style=\"a:b\">"), Just("</div>"), Just("<b>"),
                    Just("<br/>"), Just("<!-- c -->"), Just("<!DOCTYPE html>"), Just("<!x>"), Just("<?x>"), Just("</>"),
                    Just("<é"), Just("< a"), Just("texte"), Just(" "), Just("\r\n"), Just("\r"), Just("é"),
                    Just("&amp;"), Just("&eacute;"), Just("&#58;"), Just("&nope"), Just("&"), Just("<"), Just(">"),
                    Just("\""), Just("'"), Just("="), Just("\0"), Just("<a"), Just(" href"), Just("=\"v&amp;w\""),
                    Just("</p"), Just("<noscript>"), Just("</noscript>"), Just("<plaintext>"),
                ],
                0..24,
            )
        ) {
            let html = pieces.concat();
            prop_assert_eq!(rendered(&html), rendered_from_tokens(&html), "{:?}", html);
        }
    }

    proptest! {
        #[test]
        fn qr_code_names_agree_with_the_regex_on_generated_text(
            pieces in proptest::collection::vec(
                prop_oneof![
                    Just("qr"), Just("QR"), Just("Qr"), Just("code"), Just("CODE"), Just("cOdE"), Just("q"),
                    Just("r"), Just("c"), Just("ode"), Just(" "), Just("_"), Just("-"), Just("."), Just("\u{a0}"),
                    Just("\u{3000}"), Just("é"), Just("\u{17F}"), Just("\u{212A}"), Just("a"), Just("Z"), Just("1"),
                    Just("/"), Just("png"),
                ],
                0..12,
            )
        ) {
            let value = pieces.concat();
            prop_assert_eq!(names_a_qr_code(&value), qr_regex().is_match(&value), "{:?}", value);
        }
    }
}
