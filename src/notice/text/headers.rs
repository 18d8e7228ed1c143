//! A message's header block read as [`super::Parser`]'s decoding parser
//! reads it (mail-parser's `MessageStream::parse_headers` with its header
//! choices), with the headers recognition ignores skipped by line ends
//! (memchr) rather than byte by byte: `Received`, `DKIM-Signature` and
//! the like are most of a delivered message's header block.

use mail_parser::parsers::MessageStream;
use mail_parser::{Header, HeaderName, HeaderValue};
use memchr::memchr;

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
        if let Some(name) = stream.parse_header_name() {
            let offset_start = stream.offset();
            let value = match name {
                HeaderName::From | HeaderName::ReplyTo => stream.parse_address(),
                HeaderName::Subject
                | HeaderName::ContentDescription
                | HeaderName::ContentLocation
                | HeaderName::ContentTransferEncoding => stream.parse_unstructured(),
                HeaderName::Date => stream.parse_date(),
                HeaderName::MessageId | HeaderName::ContentId => stream.parse_id(),
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
        let samples: [&[u8]; 8] = [
            b"Received: from a\r\n\tby b\r\n  for c;\r\nX-A: b\r\nFrom: x@example.com\r\n\r\nbody",
            b"X-Empty:\r\nX-Folded:\r\n \r\nSubject: s\r\n\r\n",
            b"X-No-End: abc",
            b"X-Lf: a\n b\nX-B: c\n\nbody",
            b"\r\n",
            b"  X-Lead: a\r\nBad line\r\nX-C: d\r\n\r\n",
            b"X-Name",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0",
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
}
