//! Web addresses written out in text, found as the regular expression
//! `(?i)\bhttps?://[^\s<>"'\]\)]+` finds them (its leftmost matches,
//! without overlaps), from each `://`: the regex's Unicode classes cost a
//! millisecond to compile in every `vigie scan`, and its search starts
//! over at each `h`.

use std::sync::LazyLock;

use memchr::memmem;

/// The addresses written in `text`, left to right.
pub(super) fn urls_in(text: &str) -> impl Iterator<Item = &str> {
    // Built once: `memmem::find` builds a searcher at every call.
    static SEPARATOR: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new(b"://"));
    let mut from = 0;
    std::iter::from_fn(move || {
        loop {
            let at = from + SEPARATOR.find(text.as_bytes().get(from..)?)?;
            if let Some(start) = scheme_start(text, at).filter(|&start| start >= from) {
                let rest = text.get(at + 3..).unwrap_or_default();
                let len = rest.find(ends_an_address).unwrap_or(rest.len());
                if len > 0 {
                    from = at + 3 + len;
                    return text.get(start..from);
                }
            }
            from = at + 1;
        }
    })
}

/// Where `http` or `https` (in any case, `ſ` for `s` as Unicode case
/// folding has it) starts right before the `://` at `at`, at a word
/// boundary.
fn scheme_start(text: &str, at: usize) -> Option<usize> {
    let before = text.get(..at)?;
    let http = before
        .strip_suffix(['s', 'S', 'ſ'])
        .unwrap_or(before)
        .len()
        .checked_sub(4)
        .filter(|&start| before.get(start..start + 4).is_some_and(|s| s.eq_ignore_ascii_case("http")))?;
    let word = |c: char| regex_syntax::try_is_word_character(c).unwrap_or(c.is_alphanumeric() || c == '_');
    let boundary = before.get(..http)?.chars().next_back().is_none_or(|c| !word(c));
    boundary.then_some(http)
}

/// What an address written out in text stops at.
fn ends_an_address(c: char) -> bool {
    c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | ']' | ')')
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use regex::Regex;

    use super::urls_in;

    fn by_regex(text: &str) -> Vec<&str> {
        let re = Regex::new(r#"(?i)\bhttps?://[^\s<>"'\]\)]+"#).expect("constant regex");
        re.find_iter(text).map(|m| m.as_str()).collect()
    }

    #[test]
    fn addresses_are_found_as_the_regular_expression_finds_them() {
        let samples = [
            "Cliquez ici : https://statsndm.info.ameli.fr/m/abc) merci",
            "HTTPS://A.example/x\u{a0}suite http://b.example",
            "httpſ://c.example éhttp://d.example _http://e.example 1http://f.example",
            "(http://g.example)<http://h.example>\"http://i.example\"'http://j.example'[http://k.example]",
            "http:// https:/// ://x http://l.example/http://m.example http://n.example:80://o",
            "hhttps://p.example https://https://q.example",
            "",
        ];
        for text in samples {
            assert_eq!(urls_in(text).collect::<Vec<_>>(), by_regex(text), "{text:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn addresses_agree_with_the_regular_expression_on_generated_text(
            pieces in proptest::collection::vec(
                prop_oneof![
                    Just("http"), Just("HtTp"), Just("s"), Just("S"), Just("ſ"), Just("://"), Just(":"),
                    Just("/"), Just("x.fr"), Just("é"), Just("_"), Just("1"), Just(" "), Just("\u{a0}"),
                    Just("\u{2028}"), Just("<"), Just(")"), Just("]"), Just("'"), Just("\""), Just("h"),
                    Just("\u{301}"), Just("中"), Just("."),
                ],
                0..30,
            )
        ) {
            let text = pieces.concat();
            prop_assert_eq!(urls_in(&text).collect::<Vec<_>>(), by_regex(&text));
        }
    }
}
