//! The HTML side of [`super::Body`]: html5gum's events turned into text,
//! links, QR-code images and form fields as they come ([`Render`]), with
//! an emitter that drops what recognition never reads ([`Quiet`]).

use std::borrow::Cow;
use std::convert::Infallible;

use html5gum::emitters::callback::{Callback, CallbackEmitter, CallbackEvent};
use html5gum::{Emitter, ForwardingEmitter, Span, Tokenizer};

use super::{Body, normalise, push_capped};
use crate::notice::rules::LureCategory;

/// [`Body::add_html`] while the tokenizer runs: what html5gum's
/// `DefaultEmitter` makes of the events (a duplicate attribute ignored,
/// attributes kept until the tag closes), handled without building tokens.
pub(super) struct Render<'a> {
    pub(super) body: &'a mut Body,
    pub(super) out: &'a mut String,
    pub(super) anchor: &'a mut Option<(String, String)>,
    /// How many `<style>`, `<script>`… are open.
    pub(super) hidden: usize,
    /// The current start tag's name.
    pub(super) tag: Vec<u8>,
    /// Its attributes (only tags that [`reads_attributes`] get any).
    pub(super) attributes: Attributes,
    /// The attribute whose value is being read, `None` for a duplicate.
    pub(super) attribute: Option<usize>,
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

impl Callback<Infallible, ()> for Render<'_> {
    fn handle_event(&mut self, event: CallbackEvent<'_>, _span: Span<()>) -> Option<Infallible> {
        match event {
            CallbackEvent::OpenStartTag { name } => {
                self.tag.clear();
                self.tag.extend_from_slice(name);
            }
            CallbackEvent::AttributeName { name } => {
                self.attribute = if self.attributes.as_slice().iter().any(|(key, _)| key == name) {
                    None
                } else {
                    Some(self.attributes.push(name))
                };
            }
            CallbackEvent::AttributeValue { value } => {
                if let Some(v) = self.attribute.and_then(|i| self.attributes.value_mut(i)) {
                    v.extend_from_slice(value);
                }
            }
            CallbackEvent::CloseStartTag { self_closing } => {
                let tag = std::mem::take(&mut self.tag);
                self.start_tag(&tag, self_closing);
                self.tag = tag;
                self.tag.clear();
                self.attributes.clear();
                self.attribute = None;
            }
            CallbackEvent::EndTag { name } => {
                self.attributes.clear();
                self.attribute = None;
                self.end_tag(name);
            }
            CallbackEvent::String { value } if self.hidden == 0 => {
                let s = lossy(value);
                if let Some((_, shown)) = self.anchor.as_mut() {
                    push_capped(shown, &s);
                }
                push_capped(self.out, &s);
            }
            _ => {}
        }
        None
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
                if let Some((href, shown)) = self.anchor.take() {
                    self.body.push_link(&href, Some(shown));
                }
                *self.anchor = attr(self.attributes.as_slice(), b"href").map(|h| (h.into_owned(), String::new()));
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
            self.out.push(' ');
        }
    }

    fn end_tag(&mut self, name: &[u8]) {
        if is_hidden(name) {
            self.hidden = self.hidden.saturating_sub(1);
        }
        if name == b"a"
            && let Some((href, shown)) = self.anchor.take()
        {
            self.body.push_link(&href, Some(shown));
        }
        if !is_inline(name) {
            self.out.push(' ');
        }
    }
}

/// The tokenizer's emitter without parse errors, keeping attributes only
/// on the tags whose attributes recognition reads: recognition never reads
/// the errors, checking every character for them is a good part of the
/// tokenizer's work, and mail HTML carries long `style` attributes.
pub(super) struct Quiet<E> {
    inner: E,
    /// The current tag's name (its beginning: wanted names are short).
    tag: Vec<u8>,
    /// Whether the current tag's attributes are kept.
    keep: bool,
}

impl<E> Quiet<E> {
    pub(super) fn new(inner: E) -> Quiet<E> {
        Quiet { inner, tag: Vec::new(), keep: false }
    }
}

/// The tags whose attributes [`Body::add_html`] reads.
fn reads_attributes(tag: &[u8]) -> bool {
    matches!(tag, b"a" | b"img" | b"input" | b"select" | b"textarea" | b"form")
}

impl<E: Emitter> ForwardingEmitter for Quiet<E> {
    type Token = E::Token;

    fn inner(&mut self) -> &mut impl Emitter<Token = Self::Token> {
        &mut self.inner
    }

    fn should_emit_errors(&mut self) -> bool {
        false
    }

    fn emit_error(&mut self, _error: html5gum::Error) {}

    fn init_start_tag(&mut self) {
        self.tag.clear();
        Emitter::init_start_tag(&mut self.inner);
    }

    fn init_end_tag(&mut self) {
        self.tag.clear();
        Emitter::init_end_tag(&mut self.inner);
    }

    fn push_tag_name(&mut self, s: &[u8]) {
        const LONGEST_WANTED: usize = 16;
        let room = LONGEST_WANTED.saturating_sub(self.tag.len());
        self.tag.extend_from_slice(s.get(..room).unwrap_or(s));
        Emitter::push_tag_name(&mut self.inner, s);
    }

    fn init_attribute(&mut self) {
        self.keep = reads_attributes(&self.tag);
        if self.keep {
            Emitter::init_attribute(&mut self.inner);
        }
    }

    fn push_attribute_name(&mut self, s: &[u8]) {
        if self.keep {
            Emitter::push_attribute_name(&mut self.inner, s);
        }
    }

    fn init_attribute_value(&mut self) {
        if self.keep {
            Emitter::init_attribute_value(&mut self.inner);
        }
    }

    fn push_attribute_value(&mut self, s: &[u8]) {
        if self.keep {
            Emitter::push_attribute_value(&mut self.inner, s);
        }
    }
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
    let Ok(()) = Tokenizer::new_with_emitter(escaped.as_str(), Quiet::new(emitter)).finish();
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
