//! A pattern whose groups are read: the date and time of a login notice,
//! the FranceConnect site, identity provider and greeting.
//!
//! The match is found as a [`Pattern`] finds it (a built-in pattern's
//! precompiled DFA, from where its matches can begin); only then are the
//! groups read, over that match alone, by an automaton compiled on first
//! use that reads groups and nothing else (no lazy DFA to warm, no reverse
//! automaton, no prefilter: the costly parts of compiling a regex, paid
//! by each short `vigie scan`).

use std::sync::OnceLock;

use regex_automata::meta::Regex;
use regex_automata::util::captures::Captures;
use regex_automata::{Anchored, Input};

use super::RulesError;
use super::automata::Syntax;
use super::pattern::{self, Engines, OutOfBudget, Pattern};

#[derive(Debug)]
pub(crate) struct CapturePattern {
    span: Pattern,
    groups: OnceLock<Option<Regex>>,
}

impl CapturePattern {
    /// `eager`: compile now and report a bad pattern as `owner`'s.
    pub(crate) fn new(source: String, syntax: Syntax, eager: bool, owner: &str) -> Result<CapturePattern, RulesError> {
        let groups = OnceLock::new();
        if eager {
            // Freshly made: the cell is empty.
            let _ = groups.set(pattern::compile(&source, syntax, Engines::Groups, owner)?);
        }
        Ok(CapturePattern { span: Pattern::with_syntax(source, syntax, false, owner)?, groups })
    }

    /// A pattern compiled on first use (a built-in one: a unit test proves
    /// it valid).
    pub(crate) fn lazy(source: String, syntax: Syntax) -> CapturePattern {
        CapturePattern { span: Pattern::lazy(source, syntax), groups: OnceLock::new() }
    }

    /// The automaton that reads the groups, compiled now if need be;
    /// `None` if the pattern is bad.
    pub(crate) fn groups(&self) -> Option<&Regex> {
        self.groups
            .get_or_init(|| {
                pattern::compile(self.span.source(), self.span.syntax(), Engines::Groups, "").ok().flatten()
            })
            .as_ref()
    }

    /// The leftmost-first match at or after `at`, with its groups.
    fn captures_at(&self, text: &[u8], at: usize) -> Option<Captures> {
        let input = match self.span.find_at(text, at) {
            Ok(None) => return None,
            Ok(Some((start, end))) => Input::new(text).range(start..end).anchored(Anchored::Yes),
            // One search over the rest of the text, by the pattern compiled
            // for whole-text searches (its lazy DFA: the groups' engines
            // alone would be slow over 256 KiB of hostile text).
            Err(OutOfBudget) => {
                let rest = Input::new(text).range(at.min(text.len())..);
                let found = self.span.regex_for(text)?.find(rest)?;
                Input::new(text).range(found.range()).anchored(Anchored::Yes)
            }
        };
        let groups = self.groups()?;
        let mut captures = groups.create_captures();
        groups.search_captures(&input, &mut captures);
        captures.is_match().then_some(captures)
    }

    /// The leftmost-first match, with its groups.
    pub(crate) fn captures(&self, text: &[u8]) -> Option<Captures> {
        self.captures_at(text, 0)
    }

    /// Every match, left to right, none overlapping (as `captures_iter`).
    pub(crate) fn captures_iter<'t>(&'t self, text: &'t [u8]) -> impl Iterator<Item = Captures> + 't {
        let mut at = 0;
        std::iter::from_fn(move || {
            if at > text.len() {
                return None;
            }
            let captures = self.captures_at(text, at)?;
            let found = captures.get_match()?;
            at = found.end().max(found.start() + 1);
            Some(captures)
        })
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
    fn plain_text_groups_keep_accents_and_case() {
        let greeting = pattern(r"[Bb]onjour\s+(?P<name>\p{Lu}\p{L}*(?:\s\p{Lu}\p{L}*)?)\s*,", Syntax::Plain);
        let text = "Objet\nBonjour Élodie Lefèvre, voici".as_bytes();
        let captures = greeting.captures(text).expect("a match");
        assert_eq!(group(&captures, text, "name"), Some("Élodie Lefèvre".as_bytes()));
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
