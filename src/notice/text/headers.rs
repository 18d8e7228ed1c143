//! A message's header block read as [`super::Parser`]'s decoding parser
//! reads it (mail-parser's `MessageStream::parse_headers` with its header
//! choices), with the headers recognition ignores skipped by line ends
//! (memchr) rather than byte by byte: `Received`, `DKIM-Signature` and
//! the like are most of a delivered message's header block. A field's
//! name, when it is written plainly (no white space in it), is found by
//! its colon (memchr) and looked up at once ([`known_name`]).

use std::borrow::Cow;

use mail_parser::parsers::MessageStream;
use mail_parser::{Header, HeaderName, HeaderValue};
use memchr::{memchr, memchr2};

/// Reads the header fields from the stream's position to the empty line
/// that ends them, which is consumed: `false` when the input ends first.
/// Each field is parsed by the parser `Parser::new` chooses for it.
pub(super) fn read<'x>(raw: &'x [u8], stream: &mut MessageStream<'x>, headers: &mut Vec<Header<'x>>) -> bool {
    loop {
        loop {
            match stream.peek().map(|&&b| b) {
                Some(b'\n') => {
                    stream.next();
                    return true;
                }
                None => return false,
                Some(b) if !b.is_ascii_whitespace() => break,
                Some(_) => {
                    stream.next();
                }
            }
        }
        let offset_field = stream.offset();
        if let Some(name) = plain_name(raw, stream).or_else(|| stream.parse_header_name()) {
            let offset_start = stream.offset();
            let value = match name {
                HeaderName::From | HeaderName::ReplyTo => stream.parse_address(),
                HeaderName::Subject
                | HeaderName::ContentDescription
                | HeaderName::ContentLocation
                | HeaderName::ContentTransferEncoding => {
                    plain_unstructured(raw, stream).unwrap_or_else(|| stream.parse_unstructured())
                }
                HeaderName::Date => plain_date(raw, stream).unwrap_or_else(|| stream.parse_date()),
                HeaderName::MessageId | HeaderName::ContentId => {
                    plain_id(raw, stream).unwrap_or_else(|| stream.parse_id())
                }
                HeaderName::ContentType | HeaderName::ContentDisposition => stream.parse_content_type(),
                _ => {
                    // Past the input's end, the stream's position may be
                    // beyond it (offset() is clamped): nothing to skip.
                    let end = field_end(raw, stream.offset());
                    if end > stream.offset() {
                        stream.skip_bytes(end - stream.offset());
                    }
                    HeaderValue::Empty
                }
            };
            headers.push(Header {
                name,
                value,
                offset_field: offset(offset_field),
                offset_start: offset(offset_start),
                offset_end: offset(stream.offset()),
            });
        } else if stream.is_eof() {
            return false;
        }
    }
}

/// The name of the field at the stream's position (on a byte that is not
/// white space), read as mail-parser's `parse_header_name` reads it, when
/// it is written plainly: bytes other than white space up to a colon,
/// which is consumed, and it is one [`known_name`] knows or an `X-` name.
/// `None`, the stream untouched, for anything else (another name, white
/// space or a line end before the colon, no colon, a colon first), which
/// mail-parser's own reading then handles.
fn plain_name<'x>(raw: &'x [u8], stream: &mut MessageStream<'x>) -> Option<HeaderName<'x>> {
    let start = stream.offset();
    let rest = raw.get(start..)?;
    let colon = memchr2(b':', b'\n', rest).filter(|&at| at > 0 && rest.get(at) == Some(&b':'))?;
    let name = rest.get(..colon)?;
    if name.iter().any(u8::is_ascii_whitespace) {
        return None;
    }
    let header = match known_name(name) {
        Some(known) => known,
        // mail-parser knows no `X-` name.
        None if name.get(..2).is_some_and(|x| x.eq_ignore_ascii_case(b"x-")) => HeaderName::Other(lossy(name)),
        None => return None,
    };
    stream.skip_bytes(colon + 1);
    Some(header)
}

/// The value at the stream's position when it is one line (not folded):
/// the line without the spaces, tabs and CRs around it (which mail-parser's
/// value parsers skip), and how many bytes the value takes with its line
/// end. `None` for a folded value or one the input ends in.
fn one_line<'x>(raw: &'x [u8], stream: &MessageStream<'x>) -> Option<(&'x [u8], usize)> {
    let rest = raw.get(stream.offset()..)?;
    let end = memchr(b'\n', rest)?;
    if matches!(rest.get(end + 1), Some(b' ' | b'\t')) {
        return None;
    }
    let line = rest.get(..end)?;
    let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\r');
    let value = match (line.iter().position(|b| !blank(b)), line.iter().rposition(|b| !blank(b))) {
        (Some(first), Some(last)) => line.get(first..=last)?,
        _ => &[],
    };
    Some((value, end + 1))
}

/// `bytes` as text, as `String::from_utf8_lossy` makes it, checking
/// valid text faster.
fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    std::str::from_utf8(bytes).map_or_else(|_| String::from_utf8_lossy(bytes), Cow::Borrowed)
}

/// The value at the stream's position, read as mail-parser's
/// `parse_unstructured` reads it, when it is one line with no `=` (so no
/// encoded word): its text, or `Empty`; the line end is consumed. `None`,
/// the stream untouched, for anything else, which mail-parser then reads.
fn plain_unstructured<'x>(raw: &'x [u8], stream: &mut MessageStream<'x>) -> Option<HeaderValue<'x>> {
    let (value, len) = one_line(raw, stream).filter(|(value, _)| memchr(b'=', value).is_none())?;
    stream.skip_bytes(len);
    Some(if value.is_empty() { HeaderValue::Empty } else { HeaderValue::Text(lossy(value)) })
}

/// The value at the stream's position, read as mail-parser's `parse_id`
/// reads it, when it is one line holding one identifier, `<` and `>`
/// around something without white space or angle brackets: that
/// something; the line end is consumed. `None`, the stream untouched, for
/// anything else, which mail-parser then reads.
fn plain_id<'x>(raw: &'x [u8], stream: &mut MessageStream<'x>) -> Option<HeaderValue<'x>> {
    let (value, len) = one_line(raw, stream)?;
    let id = value.strip_prefix(b"<")?.strip_suffix(b">")?;
    if id.is_empty() || id.iter().any(|b| matches!(b, b'<' | b'>' | b' ' | b'\t' | b'\r')) {
        return None;
    }
    stream.skip_bytes(len);
    Some(HeaderValue::Text(lossy(id)))
}

/// The value at the stream's position, read as mail-parser's `parse_date`
/// reads it, when it is one line holding a date as mail programs write
/// it: `Tue, 9 Jan 2026 20:04:07 +0100` (the day of the week optional,
/// the month's name as RFC 5322 spells it); the line end is consumed.
/// `None`, the stream untouched, for anything else, which mail-parser
/// then reads. Like mail-parser, no field is checked for its range, and a
/// year under 100 is taken in 1950-2049.
fn plain_date<'x>(raw: &'x [u8], stream: &mut MessageStream<'x>) -> Option<HeaderValue<'x>> {
    let (value, len) = one_line(raw, stream)?;
    let value = match value {
        [a, b, c, b',', b' ', rest @ ..] if [a, b, c].iter().all(|x| x.is_ascii_alphabetic()) => rest,
        _ => value,
    };
    let (day, rest) = match value {
        [d @ b'0'..=b'9', b' ', rest @ ..] => (number(&[*d])?, rest),
        [d, e, b' ', rest @ ..] => (number(&[*d, *e])?, rest),
        _ => return None,
    };
    let [m0, m1, m2, b' ', y0, y1, y2, y3, b' ', h0, h1, b':', n0, n1, b':', s0, s1, b' ', sign, z0, z1, z2, z3] =
        *rest
    else {
        return None;
    };
    const MONTHS: [&[u8; 3]; 12] =
        [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];
    let month = MONTHS.iter().position(|m| **m == [m0, m1, m2])?;
    let year = number(&[y0, y1, y2, y3])?;
    let zone = number(&[z0, z1, z2, z3])?;
    let tz_before_gmt = match sign {
        b'+' => false,
        b'-' => true,
        _ => return None,
    };
    let date = mail_parser::DateTime {
        year: u16::try_from(match year {
            0..=49 => year + 2000,
            50..=99 => year + 1900,
            _ => year,
        })
        .ok()?,
        month: u8::try_from(month + 1).ok()?,
        day: u8::try_from(day).ok()?,
        hour: u8::try_from(number(&[h0, h1])?).ok()?,
        minute: u8::try_from(number(&[n0, n1])?).ok()?,
        second: u8::try_from(number(&[s0, s1])?).ok()?,
        tz_before_gmt,
        tz_hour: u8::try_from(zone / 100 % 24).ok()?,
        tz_minute: u8::try_from(zone % 100 % 60).ok()?,
    };
    stream.skip_bytes(len);
    Some(HeaderValue::DateTime(date))
}

/// The number written with the decimal digits `digits` (all of them).
fn number(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0, |n, &d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
}

/// The longest name [`known_name`] knows.
const LONGEST_KNOWN_NAME: usize = 34;

/// The header mail-parser names `name` (in any case), for the names a
/// delivered message mostly has: the RFC 5322 and MIME ones and those
/// that trace and authenticate it. `None` for any other name, which
/// mail-parser may know too.
fn known_name(name: &[u8]) -> Option<HeaderName<'static>> {
    let mut lower = [0u8; LONGEST_KNOWN_NAME];
    let lower = lower.get_mut(..name.len())?;
    lower.copy_from_slice(name);
    lower.make_ascii_lowercase();
    // By length first: each name is then compared with a few others.
    match lower.len() {
        2 => match &*lower {
            b"to" => Some(HeaderName::To),
            b"cc" => Some(HeaderName::Cc),
            _ => None,
        },
        3 => (&*lower == b"bcc").then_some(HeaderName::Bcc),
        4 => match &*lower {
            b"from" => Some(HeaderName::From),
            b"date" => Some(HeaderName::Date),
            _ => None,
        },
        6 => (&*lower == b"sender").then_some(HeaderName::Sender),
        7 => match &*lower {
            b"subject" => Some(HeaderName::Subject),
            b"list-id" => Some(HeaderName::ListId),
            _ => None,
        },
        8 => match &*lower {
            b"reply-to" => Some(HeaderName::ReplyTo),
            b"comments" => Some(HeaderName::Comments),
            b"keywords" => Some(HeaderName::Keywords),
            b"received" => Some(HeaderName::Received),
            b"arc-seal" => Some(HeaderName::ArcSeal),
            _ => None,
        },
        9 => match &*lower {
            b"resent-to" => Some(HeaderName::ResentTo),
            b"resent-cc" => Some(HeaderName::ResentCc),
            b"list-help" => Some(HeaderName::ListHelp),
            b"list-post" => Some(HeaderName::ListPost),
            _ => None,
        },
        10 => match &*lower {
            b"message-id" => Some(HeaderName::MessageId),
            b"references" => Some(HeaderName::References),
            b"content-id" => Some(HeaderName::ContentId),
            b"resent-bcc" => Some(HeaderName::ResentBcc),
            b"list-owner" => Some(HeaderName::ListOwner),
            _ => None,
        },
        11 => match &*lower {
            b"in-reply-to" => Some(HeaderName::InReplyTo),
            b"return-path" => Some(HeaderName::ReturnPath),
            b"resent-from" => Some(HeaderName::ResentFrom),
            b"resent-date" => Some(HeaderName::ResentDate),
            _ => None,
        },
        12 => match &*lower {
            b"mime-version" => Some(HeaderName::MimeVersion),
            b"content-type" => Some(HeaderName::ContentType),
            b"list-archive" => Some(HeaderName::ListArchive),
            b"received-spf" => Some(HeaderName::ReceivedSpf),
            b"delivered-to" => Some(HeaderName::DeliveredTo),
            _ => None,
        },
        13 => (&*lower == b"resent-sender").then_some(HeaderName::ResentSender),
        14 => match &*lower {
            b"list-subscribe" => Some(HeaderName::ListSubscribe),
            b"dkim-signature" => Some(HeaderName::DkimSignature),
            _ => None,
        },
        16 => match &*lower {
            b"content-language" => Some(HeaderName::ContentLanguage),
            b"content-location" => Some(HeaderName::ContentLocation),
            b"list-unsubscribe" => Some(HeaderName::ListUnsubscribe),
            _ => None,
        },
        17 => (&*lower == b"resent-message-id").then_some(HeaderName::ResentMessageId),
        19 => match &*lower {
            b"content-description" => Some(HeaderName::ContentDescription),
            b"content-disposition" => Some(HeaderName::ContentDisposition),
            _ => None,
        },
        21 => (&*lower == b"arc-message-signature").then_some(HeaderName::ArcMessageSignature),
        22 => (&*lower == b"authentication-results").then_some(HeaderName::AuthenticationResults),
        25 => (&*lower == b"content-transfer-encoding").then_some(HeaderName::ContentTransferEncoding),
        26 => (&*lower == b"arc-authentication-results").then_some(HeaderName::ArcAuthenticationResults),
        _ => None,
    }
}

fn offset(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

/// Where the field whose value starts at `from` ends, as mail-parser's
/// `parse_and_ignore` finds it: after the first line end not followed by
/// a space or a tab (folding), or at the end of the input.
fn field_end(raw: &[u8], mut from: usize) -> usize {
    while let Some(at) = raw.get(from..).and_then(|rest| memchr(b'\n', rest)) {
        let after = from + at + 1;
        match raw.get(after) {
            Some(b' ' | b'\t') => from = after + 1,
            _ => return after,
        }
    }
    raw.len()
}

#[cfg(test)]
mod tests {
    use mail_parser::parsers::MessageStream;

    use super::read;

    #[test]
    fn ignored_fields_end_where_mail_parser_ends_them() {
        let samples: [&[u8]; 17] = [
            b"Received: from a\r\n\tby b\r\n  for c;\r\nX-A: b\r\nFrom: x@example.com\r\n\r\nbody",
            b"X-Empty:\r\nX-Folded:\r\n \r\nSubject: s\r\n\r\n",
            b"X-No-End: abc",
            b"X-Lf: a\n b\nX-B: c\n\nbody",
            b"\r\n",
            b"  X-Lead: a\r\nBad line\r\nX-C: d\r\n\r\n",
            b"X-Name",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0",
            b"X A: b\r\nFROM: a@b.example\r\n:Subject: s\r\nSUBJECT : t\r\nReply-To\t: c@d.example\r\n\r\n",
            b"Content-Transfer-Encoding-Or-Much-More: x\r\n\xffName\xe9: v\r\nMessage-Id:<1@x>\r\nDate:\r\n\r\n",
            b"No colon here\r\nX: a:b\r\n\r\n",
            b"Subject:  a  b \t\r\nContent-Description:\r\nContent-Location: \r \r\nSubject: x\r\n y\r\n\r\n",
            b"Subject: =?utf-8?q?caf=C3=A9?= x\r\nSubject: a = b\r\nContent-Transfer-Encoding: \x0cqp\xe9\x0c\n\n",
            b"Subject: \xff\xfe\r\nContent-Transfer-Encoding:\tquoted-printable\nSubject: end",
            b"Message-ID: <a@b>\r\nContent-ID:<c\xe9@d> \t\r\nMessage-ID: <>\r\nMessage-ID: <a b@c>\r\n\r\n",
            b"Message-ID: x <a@b>\r\nMessage-ID: <a@b> <c@d>\r\nMessage-ID: <<a@b>>\r\nMessage-ID:\r\n <e@f>\r\n\r\n",
            b"Message-ID: <a@b>y\r\nContent-ID: a@b\r\nMessage-ID: <a@b",
        ];
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
        let files =
            ["", "/malformed"].iter().flat_map(|sub| std::fs::read_dir(format!("{dir}{sub}")).expect("fixtures"));
        let fixtures: Vec<Vec<u8>> = files
            .map(|e| e.expect("entry").path())
            .filter(|p| p.is_file())
            .map(|p| std::fs::read(p).expect("read"))
            .collect();
        let parser = super::super::parser();
        for raw in samples.iter().copied().chain(fixtures.iter().map(Vec::as_slice)) {
            let mut ours = Vec::new();
            let mut stream = MessageStream::new(raw);
            let ended = read(raw, &mut stream, &mut ours);
            let at = stream.offset();
            let mut theirs = Vec::new();
            let mut stream = MessageStream::new(raw);
            let name = String::from_utf8_lossy(raw.get(..60).unwrap_or(raw));
            assert_eq!(ended, stream.parse_headers(parser.decoding(), &mut theirs), "{name:?}");
            assert_eq!((ours, at), (theirs, stream.offset()), "{name:?}");
        }
    }

    /// The names [`super::known_name`] knows, as mail-parser spells them.
    const NAMES: [&str; 44] = [
        "Subject",
        "From",
        "To",
        "Cc",
        "Date",
        "Bcc",
        "Reply-To",
        "Sender",
        "Comments",
        "In-Reply-To",
        "Keywords",
        "Received",
        "Message-ID",
        "References",
        "Return-Path",
        "MIME-Version",
        "Content-Description",
        "Content-ID",
        "Content-Language",
        "Content-Location",
        "Content-Transfer-Encoding",
        "Content-Type",
        "Content-Disposition",
        "Resent-To",
        "Resent-From",
        "Resent-Bcc",
        "Resent-Cc",
        "Resent-Sender",
        "Resent-Date",
        "Resent-Message-ID",
        "List-Archive",
        "List-Help",
        "List-ID",
        "List-Owner",
        "List-Post",
        "List-Subscribe",
        "List-Unsubscribe",
        "DKIM-Signature",
        "ARC-Authentication-Results",
        "ARC-Message-Signature",
        "ARC-Seal",
        "Authentication-Results",
        "Received-SPF",
        "Delivered-To",
    ];

    #[test]
    fn known_names_are_mail_parsers_in_any_case() {
        use mail_parser::HeaderName;

        use super::known_name;

        for name in NAMES {
            for spelt in [name.to_owned(), name.to_lowercase(), name.to_uppercase()] {
                let theirs = HeaderName::parse(spelt.clone()).expect("a name");
                assert!(!matches!(theirs, HeaderName::Other(_)), "{spelt}");
                assert_eq!(known_name(spelt.as_bytes()), Some(theirs), "{spelt}");
            }
        }
        for other in ["Subjec", "Subjects", "a", "_-09", "Organization"] {
            assert_eq!(known_name(other.as_bytes()), None, "{other}");
        }
        assert_eq!(known_name(&[b'a'; 40]), None);
    }

    #[test]
    fn x_names_are_unknown_to_mail_parser() {
        use mail_parser::HeaderName;

        for name in ["X-Mailer", "X-MS-Exchange-Organization-AuthAs", "x-pm-origin", "X-Spam-Status", "X-Original-To"] {
            assert!(matches!(HeaderName::parse(name), Some(HeaderName::Other(_))), "{name}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// Dates as mail programs write them, and near misses, with any
        /// digits: read as mail-parser's `parse_date` reads them.
        #[test]
        fn dates_are_read_as_mail_parser_reads_them(
            value in "((Mon|Tue|Sun|xYz|Mo), )?[0-9]{1,3} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|jan|DEC|Foo) \
                       [0-9]{2,4} [0-9]{1,2}:[0-9]{2}(:[0-9]{2})? ([+-]|GMT|\\(|)[0-9]{2,4}( \\(CET\\)| )?",
            end in "(\r\n|\n|\r\n |)",
        ) {
            let raw = format!("{value}{end}X: y\r\n\r\n");
            let raw = raw.as_bytes();
            let mut ours = MessageStream::new(raw);
            let ours = (super::plain_date(raw, &mut ours), ours.offset());
            let mut theirs = MessageStream::new(raw);
            let theirs_value = theirs.parse_date();
            if let (Some(value), at) = ours {
                proptest::prop_assert_eq!((value, at), (theirs_value, theirs.offset()), "{:?}", String::from_utf8_lossy(raw));
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// Dates as mail programs write them, every field any digits:
        /// all read without mail-parser, as it reads them.
        #[test]
        fn usual_dates_are_read_as_mail_parser_reads_them(
            value in "((Mon|Sun|Abc), )?[0-9]{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} \
                       [0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}",
            end in "(\r\n|\n)",
        ) {
            let raw = format!(" {value} \t{end}X: y\r\n\r\n");
            let raw = raw.as_bytes();
            let mut ours = MessageStream::new(raw);
            let value = super::plain_date(raw, &mut ours);
            proptest::prop_assert!(value.is_some());
            let mut theirs = MessageStream::new(raw);
            let theirs = (Some(theirs.parse_date()), theirs.offset());
            proptest::prop_assert_eq!((value, ours.offset()), theirs, "{:?}", String::from_utf8_lossy(raw));
        }
    }

    #[test]
    fn a_usual_date_is_read_without_mail_parser() {
        let raw = b" Tue, 9 Jan 2026 20:04:07 -0130\r\nX: y\r\n";
        let mut stream = MessageStream::new(raw);
        let value = super::plain_date(raw, &mut stream).expect("a usual date");
        assert_eq!(value, MessageStream::new(raw).parse_date());
        assert!(super::plain_date(b"9 Jan 26 20:04 +0100\r\n", &mut MessageStream::new(b"")).is_none());
    }
}
