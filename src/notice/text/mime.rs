//! From raw bytes to a parsed message, and from a body part to its text.
//!
//! mail-parser decodes every quoted-printable part byte by byte, whether
//! it is read or not; most notices are quoted-printable. So a message is
//! first parsed with the transfer encoding ignored: its parts' bodies are
//! left as they are, and [`part_text`] decodes the text parts recognition
//! reads ([`quoted_printable`](super::quoted_printable)), then their
//! charset, as mail-parser would have. The parts' boundaries and kinds do
//! not depend on the transfer encoding; where mail-parser's decoding does
//! more than quoted-printable can (base64 anywhere, an encoded attached
//! message, an unusual encoding name), the message is parsed by
//! mail-parser's own decoding parser instead, and read as it reads it.

use std::borrow::Cow;
use std::sync::LazyLock;

use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::parsers::MessageStream;
use mail_parser::{
    Encoding, GetHeader, HeaderName, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType,
};
use memchr::memmem;

use super::{headers, quoted_printable};

/// The two parsers, with the same header choices: only the headers
/// recognition reads are parsed (addresses, subject, date, Message-ID,
/// MIME structure); the others are skipped, and read raw by offset where
/// needed (`Authentication-Results`). Received headers are the bulk of a
/// delivered message's header block.
pub(crate) struct Parser {
    /// `Content-Transfer-Encoding` ignored: no body is decoded.
    undecoded: MessageParser,
    /// mail-parser's usual decoding.
    decoding: MessageParser,
}

impl Parser {
    pub(super) fn new() -> Parser {
        let decoding = MessageParser::new()
            .with_mime_headers()
            .header_address(HeaderName::From)
            .header_address(HeaderName::ReplyTo)
            .header_text(HeaderName::Subject)
            .header_date(HeaderName::Date)
            .header_id(HeaderName::MessageId)
            .default_header_ignore();
        let undecoded = decoding.clone().ignore_header(HeaderName::ContentTransferEncoding);
        Parser { undecoded, decoding }
    }

    /// As [`MessageParser::parse`]; the text of its body parts is read
    /// with [`part_text`].
    pub(crate) fn parse<'x>(&self, raw: &'x (impl AsRef<[u8]> + ?Sized)) -> Option<Message<'x>> {
        let raw = raw.as_ref();
        if !names_multipart(raw)
            && let Some(message) = self.single_part(raw)
        {
            return Some(message);
        }
        if names_base64(raw) {
            return self.decoding.parse(raw);
        }
        let message = self.undecoded.parse(raw)?;
        if encodings_are_ours(&message) { Some(message) } else { self.decoding.parse(raw) }
    }

    /// mail-parser's decoding parser, which [`headers::read`] follows.
    #[cfg(test)]
    pub(super) fn decoding(&self) -> &MessageParser {
        &self.decoding
    }

    /// As [`MessageParser::parse_headers`].
    pub(crate) fn parse_headers<'x>(&self, raw: &'x (impl AsRef<[u8]> + ?Sized)) -> Option<Message<'x>> {
        self.decoding.parse_headers(raw)
    }
}

impl Parser {
    /// A message made of one text part (plain or HTML), as mail-parser's
    /// decoding parser makes it, with its quoted-printable decoded here;
    /// `None` for any other message. mail-parser's parse of such a message
    /// is its header block, then the body decoded, then read in its
    /// charset: the same steps, through the same functions, but the body's
    /// bytes are not checked or copied before their decoding.
    fn single_part<'x>(&self, raw: &'x [u8]) -> Option<Message<'x>> {
        let mut stream = MessageStream::new(raw);
        // A delivered message has a dozen fields or so.
        let mut headers = Vec::with_capacity(16);
        if !headers::read(raw, &mut stream, &mut headers) {
            return None;
        }
        let offset_body = stream.offset();
        let content_type = headers.header_value(&HeaderName::ContentType).and_then(HeaderValue::as_content_type);
        let html = match content_type.map(|ct| (ct.ctype(), ct.subtype())) {
            None | Some(("text", Some("plain"))) => false,
            Some(("text", Some("html"))) => true,
            _ => return None,
        };
        let (encoding, bytes) = match headers.header_value(&HeaderName::ContentTransferEncoding) {
            Some(HeaderValue::Text(name)) if name.eq_ignore_ascii_case("base64") => {
                let (end, bytes) = stream.decode_base64_mime(b"");
                // A body mail-parser cannot decode is read by its
                // recovery, in `parse`.
                (end != usize::MAX).then_some((Encoding::Base64, bytes))?
            }
            Some(HeaderValue::Text(name)) if name.eq_ignore_ascii_case("quoted-printable") => {
                (Encoding::QuotedPrintable, Cow::Owned(quoted_printable::decode(raw.get(offset_body..)?)))
            }
            _ => (Encoding::None, Cow::Borrowed(raw.get(offset_body..)?)),
        };
        let charset = content_type.and_then(|ct| ct.attribute("charset")).and_then(|c| charset_decoder(c.as_bytes()));
        let text: Cow<'x, str> = match (bytes, charset) {
            (bytes, Some(decode)) => Cow::Owned(decode(&bytes)),
            (Cow::Owned(bytes), None) => Cow::Owned(
                String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            ),
            // `from_utf8_lossy`, checking valid text much faster.
            (Cow::Borrowed(bytes), None) => match std::str::from_utf8(bytes) {
                Ok(text) => Cow::Borrowed(text),
                Err(_) => String::from_utf8_lossy(bytes),
            },
        };
        // Shown unless it is an attachment: then it is one.
        let inline = headers
            .header_value(&HeaderName::ContentDisposition)
            .is_none_or(|d| !d.as_content_type().is_some_and(|ct| ct.is_attachment()));
        let body = if html { PartType::Html(text) } else { PartType::Text(text) };
        let shown: Vec<u32> = if inline { vec![0] } else { Vec::new() };
        Some(Message {
            html_body: shown.clone(),
            text_body: shown,
            attachments: if inline { Vec::new() } else { vec![0] },
            parts: vec![MessagePart {
                headers,
                is_encoding_problem: false,
                body,
                encoding,
                offset_header: 0,
                offset_body: u32::try_from(offset_body).ok()?,
                offset_end: u32::try_from(raw.len()).ok()?,
            }],
            raw_message: Cow::Borrowed(raw),
        })
    }
}

/// Whether `multipart` or `Multipart` is written anywhere in `raw`: then
/// its header block is not worth reading twice, by
/// [`Parser::single_part`] and by a parser. (Another spelling is read
/// twice, rightly.)
fn names_multipart(raw: &[u8]) -> bool {
    static FINDER: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new(b"ultipart"));
    FINDER.find(raw).is_some()
}

/// Whether `base64` (in any case) is written anywhere in `raw`: then
/// some part may be base64, which mail-parser decodes.
fn names_base64(raw: &[u8]) -> bool {
    static FINDER: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new(b"64"));
    FINDER.find_iter(raw).any(|at| at >= 4 && raw.get(at - 4..at).is_some_and(|b| b.eq_ignore_ascii_case(b"base")))
}

/// A part's `Content-Transfer-Encoding`, as mail-parser reads it.
#[derive(Debug, PartialEq, Eq)]
enum TransferEncoding {
    /// None, `7bit`, `8bit` or `binary`: the body is the text.
    Identity,
    QuotedPrintable,
    /// `base64`, or a value that is not a plain name.
    Other,
}

/// The last `Content-Transfer-Encoding` of `part` (the one mail-parser
/// reads), from its raw value: mail-parser decodes a part when the value,
/// without the white space around it, is one of its encodings' names.
fn transfer_encoding(message: &Message<'_>, part: &MessagePart<'_>) -> TransferEncoding {
    let Some(header) = part.headers.header(HeaderName::ContentTransferEncoding) else {
        return TransferEncoding::Identity;
    };
    let raw = message.raw_message.get(header.offset_start as usize..header.offset_end as usize).unwrap_or_default();
    let value = raw.trim_ascii();
    if value.eq_ignore_ascii_case(b"quoted-printable") {
        TransferEncoding::QuotedPrintable
    } else if value.is_empty() || [&b"7bit"[..], b"8bit", b"binary"].iter().any(|v| value.eq_ignore_ascii_case(v)) {
        TransferEncoding::Identity
    } else {
        TransferEncoding::Other
    }
}

/// Whether a message parsed with its transfer encodings ignored reads
/// as mail-parser's decoding parser would have made it: no part needs
/// decoding but quoted-printable text, and no attached message is
/// encoded (mail-parser decodes it before parsing it).
fn encodings_are_ours(message: &Message<'_>) -> bool {
    message.parts.iter().all(|part| match (&part.body, transfer_encoding(message, part)) {
        (_, TransferEncoding::Other) | (PartType::Message(_), TransferEncoding::QuotedPrintable) => false,
        (PartType::Message(attached), TransferEncoding::Identity) => encodings_are_ours(attached),
        _ => true,
    })
}

/// The text of a text or HTML part of `message`: its body, decoded from
/// quoted-printable and then from its charset when the parser left it
/// encoded.
pub(crate) fn part_text<'a>(message: &'a Message<'_>, part: &'a MessagePart<'_>) -> Option<Cow<'a, str>> {
    let (PartType::Text(text) | PartType::Html(text)) = &part.body else { return None };
    let undecoded = part.encoding == Encoding::None
        && !part.is_encoding_problem
        && matches!(part.headers.header_value(&HeaderName::ContentTransferEncoding), Some(HeaderValue::Empty))
        && transfer_encoding(message, part) == TransferEncoding::QuotedPrintable;
    let raw = message.raw_message.get(part.offset_body as usize..part.offset_end as usize);
    let (true, Some(raw)) = (undecoded, raw) else { return Some(Cow::Borrowed(text.as_ref())) };
    let bytes = quoted_printable::decode(raw);
    let charset =
        part.content_type().and_then(|ct| ct.attribute("charset")).and_then(|c| charset_decoder(c.as_bytes()));
    Some(Cow::Owned(match charset {
        Some(decode) => decode(&bytes),
        None => String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// `text` in `charset` (UTF-8, or ISO-8859-1 / windows-1252 for text
    /// within Latin-1), quoted-printable with lines of at most 76
    /// characters, soft line breaks between them, `\r\n` for line breaks.
    fn quoted_printable(text: &str, charset: &str) -> String {
        let bytes: Vec<u8> =
            if charset == "utf-8" { text.as_bytes().to_vec() } else { text.chars().map(|c| c as u8).collect() };
        let mut out = String::new();
        let mut line = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let piece = match b {
                b'\n' => {
                    out.push_str("\r\n");
                    line = 0;
                    continue;
                }
                b' ' if bytes.get(i + 1).is_none_or(|&n| n == b'\n') => "=20".to_owned(),
                b'!'..=b'<' | b'>'..=b'~' | b' ' => char::from(b).to_string(),
                _ => format!("={b:02X}"),
            };
            if line + piece.len() > 75 {
                out.push_str("=\r\n");
                line = 0;
            }
            line += piece.len();
            out.push_str(&piece);
        }
        out
    }

    fn base64(bytes: &[u8]) -> String {
        const DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
            for i in 0..4 {
                let digit = DIGITS[(n >> (18 - 6 * i) & 63) as usize];
                out.push(if i <= chunk.len() { char::from(digit) } else { '=' });
            }
        }
        out
    }

    fn leaf(content_type: &str, charset: &str, encoding: &str, text: &str) -> String {
        let body = if encoding.eq_ignore_ascii_case("quoted-printable") {
            quoted_printable(text, charset)
        } else if encoding == "base64" {
            base64(text.as_bytes())
        } else {
            text.replace('\n', "\r\n")
        };
        format!(
            "Content-Type: {content_type}; charset={charset}\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n{body}\r\n"
        )
    }

    fn multipart(subtype: &str, boundary: &str, parts: &[String]) -> String {
        let mut out = format!("Content-Type: multipart/{subtype}; boundary=\"{boundary}\"\r\n\r\npreamble\r\n");
        for part in parts {
            out.push_str(&format!("--{boundary}\r\n{part}"));
        }
        out.push_str(&format!("--{boundary}--\r\n"));
        out
    }

    /// The text of every body part, the body lists, and the same of every
    /// attached message.
    fn read(message: &Message<'_>) -> Vec<String> {
        let mut seen = vec![format!("{:?} {:?} {:?}", message.text_body, message.html_body, message.attachments)];
        for part in &message.parts {
            match &part.body {
                PartType::Message(attached) => seen.extend(read(attached)),
                _ => seen.push(part_text(message, part).map_or_else(|| "-".to_owned(), |t| format!("{t:?}"))),
            }
        }
        seen
    }

    /// Header blocks: folded ignored fields, every parsed one, LF only.
    const HEADERS: [&str; 3] = [
        "From: a@example.com\r\nSubject: s\r\nMIME-Version: 1.0\r\n",
        "Received: from mx.example (mx.example [192.0.2.1])\r\n\tby mx2.example; Mon, 19 Jan 2026 20:04:07 +0100\r\n\
         Authentication-Results: mx.example; dkim=pass\r\n  header.d=example.com\r\n\
         From: \"Ameli\" <a@example.com>\r\nReply-To: b@example.com\r\nDate: Mon, 19 Jan 2026 20:04:00 +0100\r\n\
         Message-ID: <1@example.com>\r\nSubject: =?utf-8?q?Votre_compte_ameli?=\r\nContent-ID: <c@x>\r\n\
         Content-Description: d\r\nContent-Location: l\r\nX-Empty:\r\nMIME-Version: 1.0\r\n",
        "From: a@example.com\nX-Folded: a\n b\nSubject: s\n",
    ];

    fn structure() -> impl Strategy<Value = String> {
        let text = "[a-zA-Z0-9 .,:;=?!'\"()<>/@&-]{0,30}(\n?[a-z àéèêçôûœ€«»’=]{0,90}){0,4}";
        let charset = prop_oneof![Just("utf-8"), Just("iso-8859-1"), Just("windows-1252")];
        let encoding = prop_oneof![
            3 => Just("quoted-printable"),
            1 => Just("8bit"),
            1 => Just("Quoted-Printable"),
            1 => Just("base64")
        ];
        let content_type = prop_oneof![
            Just("text/plain"),
            Just("text/html"),
            Just("TEXT/HTML"),
            Just("text/calendar"),
            Just("text/html; name=x.html\r\nContent-Disposition: attachment")
        ];
        let leaf = (content_type, charset, encoding, text).prop_map(|(content_type, charset, encoding, text)| {
            // Latin-1 charsets cannot carry `œ`, `€` or `’`.
            let text = if charset == "utf-8" { text } else { text.replace(['œ', '€', '’'], "oe") };
            leaf(content_type, charset, encoding, &text)
        });
        let leaves = proptest::collection::vec(leaf, 1..4);
        (leaves, 0..4usize, 0..HEADERS.len()).prop_map(|(leaves, shape, block)| {
            let header = HEADERS[block];
            match shape {
                0 => format!("{header}{}", leaves[0]),
                1 => format!("{header}{}", multipart("alternative", "b1", &leaves)),
                2 => {
                    let inner =
                        format!("From: b@example.com\r\nSubject: t\r\n{}", multipart("alternative", "b2", &leaves));
                    let attached = format!("Content-Type: message/rfc822\r\n\r\n{inner}");
                    format!("{header}{}", multipart("mixed", "b1", &[leaves[0].clone(), attached]))
                }
                _ => format!("{header}{}", multipart("related", "b1", &[multipart("alternative", "b2", &leaves)])),
            }
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn a_message_reads_as_through_mail_parsers_own_decoding(raw in structure()) {
            let parser = Parser::new();
            let ours = parser.parse(raw.as_bytes()).expect("headers");
            let theirs = parser.decoding.parse(raw.as_bytes()).expect("headers");
            prop_assert_eq!(read(&ours), read(&theirs));
            if let Some(single) = parser.single_part(raw.as_bytes()) {
                // One text part, read by `single_part`: all of it alike.
                prop_assert_eq!(single, theirs);
            }
        }
    }

    fn html_of(raw: &str) -> Option<String> {
        let parser = Parser::new();
        let message = parser.parse(raw.as_bytes())?;
        let id = *message.html_body.first()?;
        part_text(&message, message.parts.get(id as usize)?).map(Cow::into_owned)
    }

    #[test]
    fn a_quoted_printable_part_is_decoded_then_read_in_its_charset() {
        let part = "Content-Type: text/html; charset=ISO-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
                    <p class=3D\"x\">connexion =E0 votre compte le 19 janvier =\r\n=E0 20:03</p>\r\n";
        let text = "<p class=\"x\">connexion à votre compte le 19 janvier à 20:03</p>";
        // Alone (read by `single_part`) and in a multipart (left undecoded
        // by the parser, decoded by `part_text`).
        assert!(Parser::new().single_part(part.as_bytes()).is_some());
        assert_eq!(html_of(part).as_deref(), Some(format!("{text}\r\n").as_str()));
        let raw = multipart("alternative", "b1", &[part.to_owned()]);
        assert!(Parser::new().single_part(raw.as_bytes()).is_none());
        assert_eq!(html_of(&raw).as_deref(), Some(text));
    }

    #[test]
    fn base64_parts_are_decoded_by_mail_parser() {
        let raw = "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: BASE64\r\n\r\nPHA+w6k8L3A+\r\n";
        assert!(names_base64(raw.as_bytes()));
        assert_eq!(html_of(raw).as_deref(), Some("<p>é</p>"));
    }

    #[test]
    fn an_unusual_encoding_name_is_read_by_mail_parser() {
        // mail-parser decodes only the bare names: this part is read as it
        // is written, as it always was.
        let raw = "Content-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable (x)\r\n\r\n<p>=E9</p>\r\n";
        let message = Parser::new().undecoded.parse(raw.as_bytes()).expect("headers");
        assert!(!encodings_are_ours(&message));
        assert_eq!(html_of(raw).as_deref(), Some("<p>=E9</p>\r\n"));
    }

    #[test]
    fn an_encoded_attached_message_is_parsed_once_decoded() {
        let inner = "From: b@example.com\r\nSubject: t\r\nContent-Type: text/plain\r\n\r\nsign=C3=A9\r\n";
        let raw = format!(
            "From: a@example.com\r\n{}",
            multipart(
                "mixed",
                "b1",
                &[format!(
                    "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{}",
                    inner.replace('=', "=3D")
                )]
            )
        );
        let parser = Parser::new();
        assert!(!encodings_are_ours(&parser.undecoded.parse(raw.as_bytes()).expect("headers")));
        let message = parser.parse(raw.as_bytes()).expect("headers");
        let Some(PartType::Message(attached)) = message.parts.get(1).map(|p| &p.body) else {
            panic!("no attached message")
        };
        // Decoded once, by mail-parser: the attached text is not itself
        // quoted-printable.
        let text = attached.parts.first().and_then(|p| part_text(attached, p));
        assert_eq!(text.as_deref(), Some("sign=C3=A9"));
    }

    #[test]
    fn a_doubled_equals_sign_does_not_hide_a_quoted_printable_part() {
        // mail-parser gives up decoding the part, and no longer counts it
        // as the message's HTML: a reader's mail program shows it.
        let html = "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
                    <p>a==b connexion =C3=A0 ameli</p>\r\n";
        let raw = "From: a@example.com\r\n".to_owned()
            + &multipart("alternative", "b1", &[leaf("text/plain", "utf-8", "8bit", "x"), html.to_owned()]);
        let theirs = Parser::new().decoding.parse(raw.as_bytes()).expect("headers");
        assert!(theirs.html_body.iter().all(|&id| !matches!(theirs.parts[id as usize].body, PartType::Html(_))));
        assert_eq!(html_of(&raw).as_deref(), Some("<p>a==b connexion à ameli</p>"));
    }
}
