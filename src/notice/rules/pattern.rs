//! A pattern over folded text, compiled on first use: a `vigie scan` of a
//! few files should not pay for the automata its messages never reach.
//! The config's patterns are compiled when the rules are built, so that a
//! bad one is reported then; the built-in ones are proved valid by a unit
//! test (one that did not compile would never match).
//!
//! With each automaton goes, when there is one, a literal every match
//! contains ("code" for the security-code body pattern): a text without it
//! is not searched at all. The regex engine finds prefixes itself, not a
//! literal required by every branch of an alternation, and its lazy DFA
//! is the dearest part of a cold search.

use std::sync::OnceLock;

use memchr::memmem::Finder;
use regex_automata::meta::{self, Regex as AsciiRegex};
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::util::syntax;
use regex_syntax::hir::{Hir, HirKind};

use super::{RulesError, compile_ascii};

#[derive(Debug)]
pub(crate) struct Pattern {
    source: String,
    compiled: OnceLock<Option<Compiled>>,
}

#[derive(Debug)]
struct Compiled {
    regex: AsciiRegex,
    /// A literal every match contains.
    required: Option<Finder<'static>>,
}

/// As `compile_ascii`'s `size_limit`.
const SIZE_LIMIT: usize = 1 << 22;

/// Shorter required literals are too common to be worth a search.
const MIN_REQUIRED: usize = 3;

impl Pattern {
    /// `eager`: compile now and report a bad pattern as `owner`'s.
    pub(super) fn new(source: String, eager: bool, owner: &str) -> Result<Pattern, RulesError> {
        let compiled = OnceLock::new();
        if eager {
            // Freshly made: the cell is empty.
            let _ = compiled.set(Compiled::new(&source, owner)?);
        }
        Ok(Pattern { source, compiled })
    }

    fn compiled(&self) -> Option<&Compiled> {
        self.compiled.get_or_init(|| Compiled::new(&self.source, "").ok().flatten()).as_ref()
    }

    /// The automaton, compiled now if need be; `None` if the pattern is bad.
    #[cfg(test)]
    pub(crate) fn regex(&self) -> Option<&AsciiRegex> {
        self.compiled().map(|c| &c.regex)
    }

    /// The automaton to search `text` with; `None` when `text` cannot
    /// match (it lacks a literal every match contains) or the pattern is
    /// bad.
    pub(crate) fn regex_for(&self, text: &[u8]) -> Option<&AsciiRegex> {
        let compiled = self.compiled()?;
        compiled.required.as_ref().is_none_or(|f| f.find(text).is_some()).then_some(&compiled.regex)
    }

    pub(crate) fn is_match(&self, text: &[u8]) -> bool {
        self.regex_for(text).is_some_and(|re| re.is_match(text))
    }

    pub(super) fn source(&self) -> &str {
        &self.source
    }
}

impl Compiled {
    /// As `regex::bytes::RegexBuilder` with `unicode(false)` would compile
    /// it (`compile_ascii`), but without capture groups: only where
    /// matches are is ever asked, and the automata are smaller. `Ok(None)`
    /// if only the regex crate could compile it (never seen: fewer groups
    /// make a smaller automaton).
    fn new(source: &str, owner: &str) -> Result<Option<Compiled>, RulesError> {
        let built = meta::Builder::new()
            .configure(
                meta::Config::new()
                    .match_kind(regex_automata::MatchKind::LeftmostFirst)
                    .utf8_empty(false)
                    .which_captures(WhichCaptures::Implicit)
                    .nfa_size_limit(Some(SIZE_LIMIT))
                    .hybrid_cache_capacity(2 << 20),
            )
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .build(source);
        let regex = match built {
            Ok(regex) => regex,
            // The regex crate's error says what is wrong.
            Err(_) => return compile_ascii(source, owner).map(|_| None),
        };
        // Parsed as compiled (no Unicode: bytes); it compiled, so it parses.
        let hir = regex_syntax::ParserBuilder::new().unicode(false).utf8(false).build().parse(source).ok();
        let required = hir
            .map(|hir| required(&hir))
            .and_then(|literals| literals.into_iter().max_by_key(Vec::len))
            .filter(|l| l.len() >= MIN_REQUIRED)
            .map(|l| Finder::new(&l).into_owned());
        Ok(Some(Compiled { regex, required }))
    }
}

/// Byte strings that every match of `hir` contains, each of them.
fn required(hir: &Hir) -> Vec<Vec<u8>> {
    match hir.kind() {
        HirKind::Literal(literal) => vec![literal.0.to_vec()],
        HirKind::Capture(capture) => required(&capture.sub),
        HirKind::Repetition(repetition) if repetition.min >= 1 => required(&repetition.sub),
        HirKind::Concat(parts) => parts.iter().flat_map(required).collect(),
        HirKind::Alternation(branches) => {
            // Required by the alternation: a literal of the first branch
            // that each other branch requires, or requires within a longer
            // literal.
            let mut branches = branches.iter().map(required);
            let first = branches.next().unwrap_or_default();
            branches
                .fold(first, |kept, other| kept.into_iter().filter(|l| other.iter().any(|o| contains(o, l))).collect())
        }
        _ => Vec::new(),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn required_of(pattern: &str) -> Vec<String> {
        let hir = regex_syntax::ParserBuilder::new().unicode(false).utf8(false).build().parse(pattern).expect("parses");
        required(&hir).into_iter().map(|l| String::from_utf8(l).expect("ascii")).collect()
    }

    #[test]
    fn a_literal_every_branch_needs_is_required() {
        assert_eq!(required_of(r"\bcode\s+(de|a)\s*\d+|\bvotre\s+code\s*:|\d+\s+est\s+votre\s+code\b"), ["code"]);
        assert_eq!(required_of(r"(ab|cd)x+y"), ["x", "y"]);
        assert!(required_of(r"abc|def").is_empty());
        assert!(required_of(r"(?:abc)?d*").is_empty());
        assert!(required_of(r"(?i)code").is_empty());
    }

    #[test]
    fn a_text_without_the_required_literal_is_not_searched() {
        let pattern = Pattern::new(r"\bcode\s*:\s*\d{6}|\d{6} est votre code".into(), true, "test").expect("valid");
        assert!(pattern.is_match(b"votre code : 482917"));
        assert!(pattern.is_match(b"482917 est votre code"));
        assert!(!pattern.is_match(b"votre mot : 482917"));
        assert!(pattern.regex_for(b"rien ici").is_none());
    }
}
