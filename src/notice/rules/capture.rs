//! A pattern whose groups are read: the date and time of a login notice,
//! the FranceConnect site, identity provider and greeting.
//!
//! The match is found as a [`Pattern`] finds it (a built-in pattern's
//! precompiled DFA, from where its matches can begin); only then are the
//! groups read, over that match alone, by an NFA that reads groups and
//! nothing else: a built-in pattern's is read from the table of
//! precompiled automata ([`super::nfa`]), a pattern of the config's is
//! compiled on first use (no lazy DFA to warm, no reverse automaton, no
//! prefilter: the costly parts of compiling a regex).
//!
//! A span that is all ASCII (most greetings, sites and dates) has its
//! groups read by the same pattern with every class cut to ASCII: over
//! ASCII bytes a class can only match its ASCII members, so the groups are
//! the same, and the automaton costs a fraction to build (the greeting's
//! `\p{L}` classes, repeated by `{0,4}`, were most of a short scan's
//! compiling). Look-arounds (`\b`, `^`) are kept as they are: they may
//! look at the text around the span, which need not be ASCII.
//!
//! Where the precompiled DFA cannot tell (it gives up on non-ASCII text
//! when the pattern has a Unicode `\b`: the FranceConnect 2021 extract's
//! `Merci\b` over "Compte utilisé"), a short text is searched by the
//! groups' automaton itself, from each place a match may begin, within
//! the same [`Budget`] as the anchored searches; a long one (or past the
//! budget) by the pattern compiled for whole-text searches.

use std::sync::OnceLock;

use regex_automata::util::captures::Captures;
use regex_automata::{Anchored, Input};

use super::RulesError;
use super::automata::Purpose;
use super::automata::{self, Syntax};
use super::nfa::{self, Engine};
use super::pattern::{self, Budget, OutOfBudget, Pattern};

/// Texts up to this long whose match the precompiled DFA cannot find are
/// searched from their beginnings by the groups' automaton (a few times
/// their length in all, at its speed); longer ones by the pattern compiled
/// for whole-text searches.
const SHORT_TEXT: usize = 16 << 10;

#[derive(Debug)]
pub(crate) struct CapturePattern {
    span: Pattern,
    /// What the groups are read with, when not `span`'s source.
    groups_source: Option<String>,
    groups: OnceLock<Option<Engine>>,
    /// For a plain-text pattern: the groups' automaton with its classes
    /// cut to ASCII, for ASCII spans.
    ascii_groups: OnceLock<Option<Engine>>,
    /// Every `<name>` of the groups' source: its group names, and any
    /// text that only looks like one ([`names_in`]).
    names: Vec<String>,
}

/// Every `<name>` in `source` (a name: ASCII letters, digits and `_`), in
/// order: a superset of the names of its groups, which are written
/// `(?P<name>` or `(?<name>`.
fn names_in(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (at, _) in source.match_indices('<') {
        let rest = source.get(at + 1..).unwrap_or_default();
        let len = rest.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
        if len > 0 && rest.as_bytes().get(len) == Some(&b'>') {
            names.push(rest.get(..len).unwrap_or_default().to_owned());
        }
    }
    names
}

/// The built-in patterns made with [`CapturePattern::lazy`], as (syntax,
/// groups' source): for the table of precompiled automata.
#[cfg(test)]
static BUILTIN: std::sync::Mutex<Vec<(Syntax, String)>> = std::sync::Mutex::new(Vec::new());

/// Every built-in pattern made with [`CapturePattern::lazy`] (the login
/// time's: `crate::notice::when::patterns` makes them all), in order.
#[cfg(test)]
pub(crate) fn builtin_groups() -> Vec<(Syntax, String)> {
    let _ = crate::notice::when::patterns().count();
    let mut made = BUILTIN.lock().expect("not poisoned").clone();
    made.sort_by(|a, b| (a.0.code(), &a.1).cmp(&(b.0.code(), &b.1)));
    made.dedup();
    made
}

impl CapturePattern {
    /// `eager`: compile now and report a bad pattern as `owner`'s.
    pub(crate) fn new(source: String, syntax: Syntax, eager: bool, owner: &str) -> Result<CapturePattern, RulesError> {
        let groups = OnceLock::new();
        if eager {
            let made = nfa::compile(&source, syntax, Purpose::Groups);
            if made.is_none() {
                pattern::report(&source, syntax, owner)?;
            }
            // Freshly made: the cell is empty.
            let _ = groups.set(made.and_then(Engine::new));
        }
        Ok(CapturePattern {
            names: names_in(&source),
            span: Pattern::with_syntax(source, syntax, false, owner)?,
            groups_source: None,
            groups,
            ascii_groups: OnceLock::new(),
        })
    }

    /// A pattern compiled on first use (a built-in one: a unit test proves
    /// it valid).
    pub(crate) fn lazy(source: String, syntax: Syntax) -> CapturePattern {
        CapturePattern::lazy_with(source, None, syntax)
    }

    /// A built-in pattern whose groups are read, over the matches `source`
    /// finds, with `groups`: a looser pattern with the same groups that
    /// reads the same over those matches and costs less to compile (a unit
    /// test proves each such pair).
    pub(crate) fn lazy_with_groups(source: String, groups: String, syntax: Syntax) -> CapturePattern {
        CapturePattern::lazy_with(source, Some(groups), syntax)
    }

    fn lazy_with(source: String, groups_source: Option<String>, syntax: Syntax) -> CapturePattern {
        #[cfg(test)]
        BUILTIN.lock().expect("not poisoned").push((syntax, groups_source.clone().unwrap_or_else(|| source.clone())));
        CapturePattern {
            names: names_in(groups_source.as_deref().unwrap_or(&source)),
            span: Pattern::lazy(source, syntax),
            groups_source,
            groups: OnceLock::new(),
            ascii_groups: OnceLock::new(),
        }
    }

    fn groups_source(&self) -> &str {
        self.groups_source.as_deref().unwrap_or(self.span.source())
    }

    /// The NFA for `purpose`: the table's for a built-in pattern, else
    /// compiled now; `None` if the pattern is bad.
    fn engine(&self, purpose: Purpose) -> Option<Engine> {
        let (source, syntax) = (self.groups_source(), self.span.syntax());
        let tabled = automata::nfa(source, syntax, purpose).and_then(nfa::from_bytes);
        Engine::new(tabled.or_else(|| nfa::compile(source, syntax, purpose))?)
    }

    /// The automaton that reads the groups, loaded now if need be; `None`
    /// if the pattern is bad.
    pub(crate) fn groups(&self) -> Option<&Engine> {
        self.groups.get_or_init(|| self.engine(Purpose::Groups)).as_ref()
    }

    /// The automaton that reads the groups of a match over `span`, all of
    /// whose bytes are ASCII: a plain-text pattern's classes cut to ASCII
    /// (folded text's are ASCII already); the full automaton if that one
    /// does not build.
    fn groups_for_ascii(&self) -> Option<&Engine> {
        if self.span.syntax() == Syntax::Folded {
            return self.groups();
        }
        let cut = self.ascii_groups.get_or_init(|| self.engine(Purpose::AsciiGroups));
        cut.as_ref().or_else(|| self.groups())
    }

    /// Whether the table holds this pattern's NFAs (a built-in pattern's:
    /// none is compiled at run time).
    #[cfg(test)]
    pub(crate) fn is_tabled(&self) -> bool {
        let (source, syntax) = (self.groups_source(), self.span.syntax());
        let ascii = syntax == Syntax::Folded || automata::nfa(source, syntax, Purpose::AsciiGroups).is_some();
        ascii && automata::nfa(source, syntax, Purpose::Groups).is_some()
    }

    /// The syntax and source the groups are read with (the table's key).
    #[cfg(test)]
    pub(crate) fn groups_key(&self) -> (Syntax, String) {
        (self.span.syntax(), self.groups_source().to_owned())
    }

    /// The leftmost-first match at or after `at`, with its groups, if it
    /// begins before `before` (the search stops there).
    fn captures_at(&self, text: &[u8], at: usize, before: usize) -> Option<Captures> {
        let input = match self.span.find_precompiled(text, at, before) {
            Ok(None) => return None,
            Ok(Some((start, end))) => Input::new(text).range(start..end).anchored(Anchored::Yes),
            Err(OutOfBudget) if text.len() <= SHORT_TEXT => match self.search_from_beginnings(text, at, before) {
                Ok(found) => return found,
                Err(OutOfBudget) => self.whole_text(text, at, before)?,
            },
            Err(OutOfBudget) => self.whole_text(text, at, before)?,
        };
        self.read(text, &input)
    }

    /// The groups of the match `input` (anchored) finds, if any.
    fn read(&self, text: &[u8], input: &Input) -> Option<Captures> {
        let span = text.get(input.get_span().range()).unwrap_or_default();
        let groups = if span.is_ascii() { self.groups_for_ascii()? } else { self.groups()? };
        let mut captures = groups.create_captures();
        groups.captures(input, &mut captures);
        captures.is_match().then_some(captures)
    }

    /// The leftmost-first match at or after `at`, by the groups' automaton
    /// run from each place a match may begin; `Err` when there is no list
    /// of them or the budget runs out.
    fn search_from_beginnings(&self, text: &[u8], at: usize, before: usize) -> Result<Option<Captures>, OutOfBudget> {
        let mut budget = Budget::for_text(text);
        for start in self.span.starts_from(text, at)? {
            let start = start?;
            if start >= before {
                break;
            }
            // What it may read: all the rest of the text.
            budget.take(text.len() - start + 1)?;
            if let Some(captures) = self.read(text, &Input::new(text).range(start..).anchored(Anchored::Yes)) {
                return Ok(Some(captures));
            }
        }
        Ok(None)
    }

    /// The leftmost-first match at or after `at`, found by one search over
    /// the rest of the text by the pattern compiled for whole-text
    /// searches (its lazy DFA: the groups' engines alone would be slow over
    /// 256 KiB of hostile text); as the input its groups are read over.
    fn whole_text<'t>(&self, text: &'t [u8], at: usize, before: usize) -> Option<Input<'t>> {
        let rest = Input::new(text).range(at.min(text.len())..);
        let found = self.span.regex_for(text)?.find(rest).filter(|m| m.start() < before)?;
        Some(Input::new(text).range(found.range()).anchored(Anchored::Yes))
    }

    /// The leftmost-first match, with its groups.
    pub(crate) fn captures(&self, text: &[u8]) -> Option<Captures> {
        self.captures_at(text, 0, usize::MAX)
    }

    /// Every match, left to right, none overlapping (as `captures_iter`).
    #[cfg(test)]
    pub(crate) fn captures_iter<'t>(&'t self, text: &'t [u8]) -> impl Iterator<Item = Captures> + 't {
        self.captures_before(text, usize::MAX)
    }

    /// As [`CapturePattern::captures_iter`], the matches that begin
    /// before `before` only: the text past it is not searched (more than
    /// the longest match past it is not read).
    pub(crate) fn captures_before<'t>(&'t self, text: &'t [u8], before: usize) -> impl Iterator<Item = Captures> + 't {
        let mut at = 0;
        std::iter::from_fn(move || {
            if at > text.len() || at >= before {
                return None;
            }
            let captures = self.captures_at(text, at, before)?;
            let found = captures.get_match()?;
            at = found.end().max(found.start() + 1);
            Some(captures)
        })
    }

    /// Whether the pattern may have a group called `name`: true for each
    /// group it has, as `(?P<name>` or `(?<name>` (and for a `<name>`
    /// that only looks like one), so that a caller may skip a pattern
    /// whose groups it needs no more without loading its automaton.
    pub(crate) fn may_name(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    /// Where the match is found: what the precompiled table holds.
    pub(crate) fn span(&self) -> &Pattern {
        &self.span
    }
}

/// The text of group `name` of `captures` over `text`.
pub(crate) fn group<'t>(captures: &Captures, text: &'t [u8], name: &str) -> Option<&'t [u8]> {
    captures.get_group_by_name(name).and_then(|span| text.get(span.range()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(source: &str, syntax: Syntax) -> CapturePattern {
        CapturePattern::new(source.into(), syntax, true, "test").expect("valid")
    }

    #[test]
    fn groups_are_read_from_the_leftmost_match() {
        let date = pattern(r"\b(?P<d>\d{1,2})/(?P<m>\d{2})\b", Syntax::Folded);
        let text = b"le 3/12 puis le 10/11";
        let captures = date.captures(text).expect("a match");
        assert_eq!(group(&captures, text, "d"), Some(&b"3"[..]));
        assert_eq!(group(&captures, text, "m"), Some(&b"12"[..]));
        let days: Vec<_> = date.captures_iter(text).filter_map(|c| group(&c, text, "d").map(<[u8]>::to_vec)).collect();
        assert_eq!(days, [b"3".to_vec(), b"10".to_vec()]);
        assert!(date.captures(b"rien").is_none());
    }

    #[test]
    fn matches_before_a_place_are_those_of_the_whole_search_that_begin_there() {
        let date = pattern(r"\b(?P<d>\d{1,2})/(?P<m>\d{2})\b", Syntax::Folded);
        let text = b"le 3/12 puis le 10/11, 7/05";
        let starts = |before| date.captures_before(text, before).filter_map(|c| c.get_match()).map(|m| m.start());
        let all: Vec<usize> = starts(usize::MAX).collect();
        assert_eq!(all, [3, 16, 23]);
        for before in 0..=text.len() + 1 {
            let expected: Vec<usize> = all.iter().copied().filter(|&s| s < before).collect();
            assert_eq!(starts(before).collect::<Vec<_>>(), expected, "before {before}");
        }
    }

    #[test]
    fn plain_text_groups_keep_accents_and_case() {
        let greeting = pattern(r"[Bb]onjour\s+(?P<name>\p{Lu}\p{L}*(?:\s\p{Lu}\p{L}*)?)\s*,", Syntax::Plain);
        let text = "Objet\nBonjour Élodie Lefèvre, voici".as_bytes();
        let captures = greeting.captures(text).expect("a match");
        assert_eq!(group(&captures, text, "name"), Some("Élodie Lefèvre".as_bytes()));
    }

    #[test]
    fn an_ascii_span_has_its_groups_read_with_classes_cut_to_ascii() {
        let greeting = pattern(r"[Bb]onjour\s+(?P<name>\p{Lu}\p{L}*(?:\s\p{Lu}\p{L}*){0,4})\s*,", Syntax::Plain);
        let text = "Objet\nBonjour Jeanne Dupont, voici".as_bytes();
        let captures = greeting.captures(text).expect("a match");
        assert_eq!(group(&captures, text, "name"), Some(&b"Jeanne Dupont"[..]));
        // The ASCII automaton read it; the full one was not needed.
        assert!(greeting.ascii_groups.get().is_some_and(Option::is_some));
        let text = "Bonjour Élodie Lefèvre,".as_bytes();
        let captures = greeting.captures(text).expect("a match");
        assert_eq!(group(&captures, text, "name"), Some("Élodie Lefèvre".as_bytes()));
        // Look-arounds still look past the span: "é" is a word character.
        let word = pattern(r"\b(?P<w>ab)\b", Syntax::Plain);
        assert!(word.captures("éab".as_bytes()).is_none());
        assert!(word.captures("é ab".as_bytes()).is_some());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        /// Greetings, sites and providers with and without accents: the
        /// built-in extracts read the groups the regex crate reads with
        /// its Unicode classes.
        #[test]
        fn the_builtin_extracts_read_the_groups_the_unicode_classes_read(
            words in proptest::collection::vec(proptest::sample::select(vec![
                "Bonjour", "bonjour", "Jeanne", "Dupont", "Élodie", "Lefèvre", "O\u{2019}Neil", "Jean-Luc", "MARTIN",
                "de", "la", ",", ".", "\n", "é", "Service", ":", "impots.gouv.fr", "Compte utilisé", "Compte utilise",
                "Ameli.fr", "Merci", "Mercié", "Mercix", "au service", "\"", "avec FranceConnect", "grâce à",
                "FRANCECONNECT", "sur le site", "avec votre compte", "K", "\u{212a}", "ſ", "x",
            ]), 0..24),
            separators in proptest::collection::vec(proptest::sample::select(vec![" ", "", "  ", "\n", "\u{a0}"]), 24),
        ) {
            let rules = crate::notice::Rules::builtin();
            let mut text = String::new();
            for (word, separator) in words.iter().zip(&separators) {
                text.push_str(word);
                text.push_str(separator);
            }
            for extract in rules.formats.iter().flat_map(|f| &f.extract) {
                let reference = regex::Regex::new(extract.span().source()).expect("valid");
                let expected = reference.captures(&text).map(|c| {
                    c.iter().map(|g| g.map(|m| (m.start(), m.end()))).collect::<Vec<_>>()
                });
                let found = extract.captures(text.as_bytes()).map(|c| {
                    (0..c.group_len()).map(|i| c.get_group(i).map(|s| (s.start, s.end))).collect::<Vec<_>>()
                });
                proptest::prop_assert_eq!(found, expected, "{:?} on {:?}", extract.span().source(), text);
            }
        }
    }

    #[test]
    fn a_short_text_the_precompiled_dfa_cannot_read_is_searched_from_its_beginnings() {
        let rules = crate::notice::Rules::builtin();
        let extract = rules
            .formats
            .iter()
            .flat_map(|f| &f.extract)
            .find(|e| e.span().source().contains("Compte utilis"))
            .expect("the 2021 extract");
        // The DFA gives up on the accented text around `Merci\b`.
        let text = "Date : 10/12/2021\nService : impots.gouv.fr Compte utilisé : Ameli.fr Merci de votre confiance";
        assert!(extract.span().find_precompiled(text.as_bytes(), 0, usize::MAX).is_err());
        let captures = extract.captures(text.as_bytes()).expect("a match");
        assert_eq!(group(&captures, text.as_bytes(), "site"), Some(&b"impots.gouv.fr"[..]));
        assert_eq!(group(&captures, text.as_bytes(), "identity_provider"), Some(&b"Ameli.fr"[..]));
        // Not compiled for whole-text searches.
        assert!(!extract.span().is_compiled());
        // A long one is, and reads the same.
        let long = format!("{}{text}", "é ".repeat(SHORT_TEXT));
        let captures = extract.captures(long.as_bytes()).expect("a match");
        assert_eq!(group(&captures, long.as_bytes(), "identity_provider"), Some(&b"Ameli.fr"[..]));
        assert!(extract.span().is_compiled());
    }

    #[test]
    fn a_pattern_may_name_every_group_it_has() {
        let rules = crate::notice::Rules::builtin();
        let patterns = [
            pattern(r"(?P<site>a)(?<identity_provider>b)<addressee>", Syntax::Plain),
            pattern(r"(?P<d>\d)", Syntax::Folded),
        ];
        let builtin = rules.formats.iter().flat_map(|f| &f.extract).map(|e| &**e);
        for extract in patterns.iter().chain(builtin) {
            let captures = extract.groups().expect("valid").create_captures();
            let names: Vec<&str> = captures.group_info().all_names().filter_map(|(_, _, name)| name).collect();
            assert!(!names.is_empty());
            for name in names {
                assert!(extract.may_name(name), "{name} in {:?}", extract.span().source());
            }
            assert!(!extract.may_name("nothing"));
        }
        assert!(!patterns[1].may_name("site"));
        // Not a group, but it looks like one.
        assert!(patterns[0].may_name("addressee"));
        assert_eq!(names_in("(?P<a_1>x)<>< b><c>(?<d>"), ["a_1", "c", "d"]);
    }

    #[test]
    fn a_text_with_too_many_beginnings_is_searched_whole() {
        let digits = pattern(r"\b(?P<n>\d)x\b", Syntax::Folded);
        // Thousands of beginnings ("1") for one match at the very end.
        let text = format!("{} 7x", "1 ".repeat(5000));
        let captures = digits.captures(text.as_bytes()).expect("a match");
        assert_eq!(group(&captures, text.as_bytes(), "n"), Some(&b"7"[..]));
    }
}
