//! Quoted-printable decoding (RFC 2045 §6.7) of the body parts that
//! recognition reads, as mail-parser decodes them, without its
//! byte-by-byte state machine: the text between `=` and line ends is
//! copied whole.

use memchr::memchr3;

/// Decodes a quoted-printable body as mail-parser 0.11 does:
/// - `=` and two hexadecimal digits (either case) is that byte;
/// - `=` followed only by spaces, tabs, form feeds or CRs up to the line
///   end (or the end of the text) is a soft line break: nothing is written;
/// - a line's trailing spaces, tabs and form feeds are dropped (not those
///   written as `=20`, nor those before a soft line break), the last
///   line's included;
/// - every CR is dropped, and line breaks are written `\r\n` once a CR has
///   been seen, `\n` before;
/// - any other `=` is kept as it is, and decoding goes on right after it.
///
/// mail-parser differs on malformed escapes only: a second `=` while an
/// escape is pending (`==`, `=4=`) makes it give up decoding the whole
/// part (which then leaves the message's text), white space inside an
/// escape (`= 41`, `=4\r1`) is skipped, an escape cut by a line break
/// carries its state over the line, one cut by the end of the text is
/// dropped, and the last line of a part in a multipart keeps no trailing
/// white space where a part alone in its message keeps it.
pub(crate) fn decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut line_break: &[u8] = b"\n";
    // `out[..kept]` is final: decoded bytes, earlier lines, text before a
    // soft line break. Only what follows may be trailing white space.
    let mut kept = 0;
    let mut at = 0;
    while let Some(found) = input.get(at..).and_then(|rest| memchr3(b'=', b'\n', b'\r', rest)) {
        let stop = at + found;
        out.extend_from_slice(input.get(at..stop).unwrap_or_default());
        at = stop + 1;
        let line_end = match input.get(stop) {
            Some(b'\r') => {
                line_break = b"\r\n";
                // A CR LF is one line end, not two searches.
                let lf = input.get(at) == Some(&b'\n');
                at += usize::from(lf);
                lf
            }
            Some(b'\n') => true,
            _ => {
                if let (Some(high), Some(low)) = (hex(input.get(at)), hex(input.get(at + 1))) {
                    out.push((high << 4) | low);
                    at += 2;
                    // Escapes in a row (a character's UTF-8 bytes) are
                    // decoded without searching for the next one.
                    while let (Some(b'='), Some(high), Some(low)) =
                        (input.get(at), hex(input.get(at + 1)), hex(input.get(at + 2)))
                    {
                        out.push((high << 4) | low);
                        at += 3;
                    }
                } else {
                    let blank = input.get(at..).unwrap_or_default().iter().take_while(|&&b| is_blank(b) || b == b'\r');
                    let end = at + blank.count();
                    match input.get(end) {
                        None | Some(b'\n') => {
                            if input.get(at..end).is_some_and(|b| b.contains(&b'\r')) {
                                line_break = b"\r\n";
                            }
                            at = end + 1;
                        }
                        Some(_) => out.push(b'='),
                    }
                }
                kept = out.len();
                false
            }
        };
        if line_end {
            drop_trailing_space(&mut out, kept);
            out.extend_from_slice(line_break);
            kept = out.len();
        }
    }
    out.extend_from_slice(input.get(at..).unwrap_or_default());
    drop_trailing_space(&mut out, kept);
    out
}

/// White space that a line's end drops (CR aside, which is always dropped).
fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\x0C')
}

fn drop_trailing_space(out: &mut Vec<u8>, kept: usize) {
    while out.len() > kept && out.last().is_some_and(|&b| is_blank(b)) {
        out.pop();
    }
}

fn hex(b: Option<&u8>) -> Option<u8> {
    match *b? {
        b @ b'0'..=b'9' => Some(b - b'0'),
        b @ b'A'..=b'F' => Some(b - b'A' + 10),
        b @ b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use mail_parser::decoders::quoted_printable::quoted_printable_decode;
    use mail_parser::parsers::MessageStream;
    use proptest::prelude::*;

    use super::decode;

    /// mail-parser's decoder for a body alone in its message.
    fn mail_parser_body(input: &[u8]) -> Option<Vec<u8>> {
        let (end, bytes) = MessageStream::new(input).decode_quoted_printable_mime(b"");
        (end != usize::MAX).then(|| bytes.into_owned())
    }

    /// Pieces of well-formed quoted-printable text: plain bytes (8-bit
    /// ones, white space and CRs included), escapes in either case, soft
    /// and hard line breaks, with white space before them.
    fn well_formed() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            4 => proptest::collection::vec(any::<u8>().prop_filter("not =", |&b| b != b'='), 1..8),
            2 => (any::<u8>(), any::<bool>()).prop_map(|(b, lower)| {
                let s = format!("={b:02X}");
                if lower { s.to_lowercase().into_bytes() } else { s.into_bytes() }
            }),
            1 => prop_oneof![Just("=\r\n"), Just("=\n"), Just("= \t\r\n"), Just("=\x0C\n")].prop_map(|s| s.as_bytes().to_vec()),
            1 => prop_oneof![Just("\r\n"), Just("\n"), Just("  \r\n"), Just("\t\n"), Just(" =20\n")].prop_map(|s| s.as_bytes().to_vec()),
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
    }

    /// Malformed escapes on which mail-parser keeps the text as it is.
    fn with_invalid_escapes() -> impl Strategy<Value = Vec<u8>> {
        let invalid = prop_oneof![Just("=G"), Just("=x"), Just("=4G"), Just("=a-"), Just("=\u{e9}"), Just("=?")];
        let piece = prop_oneof![
            3 => well_formed(),
            1 => invalid.prop_map(|s| s.as_bytes().to_vec()),
        ];
        proptest::collection::vec(piece, 0..6).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Ended by a line break, as a part before its boundary or a file
        /// is: mail-parser keeps a last line's trailing white space only
        /// when nothing follows it.
        #[test]
        fn decoding_agrees_with_mail_parsers_quoted_printable_decode(mut input in well_formed()) {
            input.push(b'\n');
            let reference = quoted_printable_decode(&input);
            prop_assert!(reference.is_some());
            prop_assert_eq!(Some(decode(&input)), reference);
        }

        #[test]
        fn invalid_escapes_are_kept_as_mail_parser_keeps_them(mut input in with_invalid_escapes()) {
            input.push(b'\n');
            prop_assert_eq!(Some(decode(&input)), mail_parser_body(&input));
        }

        #[test]
        fn decoding_is_bounded_by_the_input(input in proptest::collection::vec(any::<u8>(), 0..200)) {
            prop_assert!(decode(&input).len() <= input.len() + input.iter().filter(|&&b| b == b'\n').count());
        }
    }

    #[test]
    fn soft_line_breaks_join_lines_and_escapes_are_decoded() {
        assert_eq!(
            decode(b"connexion =C3=A0 votre compte a =C3=A9t=C3=\r\n=A9 effectu=c3=a9e\r\n"),
            "connexion à votre compte a été effectuée\r\n".as_bytes()
        );
    }

    #[test]
    fn trailing_white_space_is_dropped_but_not_when_encoded() {
        assert_eq!(decode(b"a  \nb =20\t\nc \t"), b"a\nb  \nc");
        assert_eq!(decode(b"keep  =\nnext"), b"keep  next");
    }

    #[test]
    fn line_breaks_follow_the_first_carriage_return() {
        assert_eq!(decode(b"a\nb\r\nc\nd\re"), b"a\nb\r\nc\r\nde");
    }

    #[test]
    fn a_soft_line_break_at_the_end_writes_nothing() {
        assert_eq!(decode(b"abc="), b"abc");
        assert_eq!(decode(b"abc= \t"), b"abc");
        assert_eq!(mail_parser_body(b"abc="), Some(b"abc".to_vec()));
    }

    #[test]
    fn a_doubled_equals_sign_is_kept_where_mail_parser_gives_up() {
        assert_eq!(decode(b"a==3D b=4=41\n"), b"a== b=4A\n");
        assert_eq!(mail_parser_body(b"a==3D b\n"), None);
    }

    #[test]
    fn an_escape_cut_by_a_line_break_is_kept_as_it_is() {
        assert_eq!(decode(b"a=4\nb=C3\n=A9"), b"a=4\nb\xC3\n\xA9");
    }
}
