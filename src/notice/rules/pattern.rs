//! A pattern over folded (or plain) text.
//!
//! A built-in pattern comes with DFAs compiled ahead of time
//! ([`super::automata`]) and costs nothing to start: it is searched from
//! where its matches can begin (prefix literals, literals a fixed number
//! of bytes in ([`super::beginnings`]), first bytes, or the start of the
//! text; in order, found as far as the first match needs) with an
//! anchored DFA, or, when its matches begin almost
//! anywhere, in one pass of an unanchored pair. Those searches read at most
//! a few times the text ([`Budget`]) from at most [`MOST_BEGINNINGS`]
//! places.
//!
//! A built-in pattern anchored at the start whose DFA would be too large
//! (ameli's widest display name: it is searched over short texts only) has
//! its NFA in the table instead ([`super::nfa`]).
//!
//! Past that, or without a DFA (the config's patterns), the pattern is
//! compiled here, on first use, and run over
//! the whole text; only for a text holding one of the literals every match
//! contains (a text without any of them is not searched at all). The
//! config's patterns are compiled when the rules are built, so that a bad
//! one is reported then; the built-in ones are proved valid by unit tests.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind};

use super::literals::Literals;
use regex_automata::dfa::{Automaton, dense, regex::Regex as DfaRegex, sparse::DFA};
use regex_automata::meta::{self, Regex as AsciiRegex};
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::{Anchored, Input};
use regex_syntax::hir::{Hir, HirKind};

use super::automata::Purpose;
use super::automata::{self, AnchoredBytes, Starts, Syntax};
use super::nfa;
use super::{RulesError, compile_ascii};

#[derive(Debug)]
pub(crate) struct Pattern {
    source: String,
    syntax: Syntax,
    /// Where its matches can begin.
    starts: Starts,
    /// `starts`' literals as one automaton (precompiled, or built on
    /// first use).
    beginnings: OnceLock<Option<Literals>>,
    /// A built-in pattern's precompiled anchored DFA, checked on first use.
    dfa_bytes: Option<AnchoredBytes>,
    dfa: OnceLock<Option<AnchoredDfa>>,
    /// A built-in pattern's unanchored pair (when small), checked on
    /// first use: one pass finds a match anywhere.
    whole_bytes: Option<(&'static [u8], &'static [u8])>,
    whole: OnceLock<Option<DfaRegex<dense::DFA<&'static [u32]>>>>,
    /// A built-in pattern anchored at the start that has no DFA: its NFA
    /// from the table, loaded on first use.
    short_bytes: Option<&'static [u8]>,
    short: OnceLock<Option<nfa::Engine>>,
    /// Compiled here, when there is no DFA or a search needs more than
    /// anchored ones.
    compiled: OnceLock<Option<AsciiRegex>>,
    /// Literals one of which every match contains, worked out on first
    /// use: a text without any of them is not searched (nor the pattern
    /// compiled for it).
    needs: OnceLock<Option<AhoCorasick>>,
}

/// Shorter needed literals are too common to be worth a search.
const MIN_REQUIRED: usize = 3;

/// A built-in pattern's anchored DFA, read in place from the table.
#[derive(Debug)]
enum AnchoredDfa {
    Sparse(DFA<&'static [u8]>),
    Dense(dense::DFA<&'static [u32]>),
}

/// More places where a pattern's matches may begin than this in one text:
/// one search over the whole text instead (the list of places stays small
/// whatever the text: a hostile 10 MB body of "confirmez").
pub(crate) const MOST_BEGINNINGS: usize = 4096;

/// What the anchored searches over one text may read in all, in bytes:
/// a few times the text. Anchored searches from every beginning of a long
/// run of them ("ssss…" for `s.acquitter`) could cost the square of its
/// length; past the budget, one search over the whole text is made.
#[derive(Debug)]
pub(crate) struct Budget(usize);

/// The budget ran out.
#[derive(Debug)]
pub(crate) struct OutOfBudget;

impl Budget {
    pub(crate) fn for_text(text: &[u8]) -> Budget {
        Budget(text.len().saturating_mul(4).saturating_add(4096))
    }

    pub(crate) fn take(&mut self, bytes: usize) -> Result<(), OutOfBudget> {
        self.0 = self.0.checked_sub(bytes).ok_or(OutOfBudget)?;
        Ok(())
    }
}

impl Pattern {
    /// A pattern over folded text. `eager`: compile now and report a bad
    /// pattern as `owner`'s.
    pub(super) fn new(source: String, eager: bool, owner: &str) -> Result<Pattern, RulesError> {
        Pattern::with_syntax(source, Syntax::Folded, eager, owner)
    }

    pub(super) fn with_syntax(source: String, syntax: Syntax, eager: bool, owner: &str) -> Result<Pattern, RulesError> {
        let pattern = Pattern::lazy(source, syntax);
        if eager {
            // Freshly made: the cell is empty.
            let _ = pattern.compiled.set(compile(&pattern.source, syntax, pattern.engines(), owner)?);
        }
        Ok(pattern)
    }

    /// A pattern compiled on first use (a built-in one: a unit test proves
    /// it valid).
    pub(crate) fn lazy(source: String, syntax: Syntax) -> Pattern {
        let (starts, dfa_bytes, whole_bytes) = match automata::lookup(&source, syntax) {
            Some(precompiled) => (precompiled.starts, precompiled.dfa, precompiled.whole),
            None => (automata::starts_of(&source, syntax), None, None),
        };
        let short_bytes = match (&starts, dfa_bytes) {
            (Starts::AtStart, None) => automata::nfa(&source, syntax, Purpose::Short),
            _ => None,
        };
        Pattern {
            source,
            syntax,
            starts,
            beginnings: OnceLock::new(),
            dfa_bytes,
            dfa: OnceLock::new(),
            whole_bytes,
            whole: OnceLock::new(),
            short_bytes,
            short: OnceLock::new(),
            compiled: OnceLock::new(),
            needs: OnceLock::new(),
        }
    }

    fn compiled(&self) -> Option<&AsciiRegex> {
        self.compiled.get_or_init(|| compile(&self.source, self.syntax, self.engines(), "").ok().flatten()).as_ref()
    }

    /// What to compile here: for a pattern anchored at the start (a
    /// display name, a subject: short texts) only the NFA's engines,
    /// cheap to build; else the lazy DFA too, for whole-text searches.
    fn engines(&self) -> Engines {
        match self.starts {
            Starts::AtStart => Engines::Short,
            _ => Engines::Search,
        }
    }

    fn dfa(&self) -> Option<&AnchoredDfa> {
        self.dfa
            .get_or_init(|| {
                // SAFETY: `bytes` is part of this program: written by
                // `automata::generate` with this version of regex-automata
                // (the test that compares automata.bin with what it
                // generates today fails otherwise) and deserialised with
                // the checked `from_bytes` by
                // `every_builtin_pattern_is_in_the_table_with_a_dfa_that_loads`.
                // The header (format version, byte order) is still checked
                // here (and a dense one's alignment: misaligned bytes are
                // refused, not read); only the tables' validation, which
                // cost more than the searches, is skipped.
                match self.dfa_bytes? {
                    AnchoredBytes::Sparse(bytes) => {
                        unsafe { DFA::from_bytes_unchecked(bytes) }.ok().map(|(dfa, _)| AnchoredDfa::Sparse(dfa))
                    }
                    AnchoredBytes::Dense(bytes) => {
                        unsafe { dense::DFA::from_bytes_unchecked(bytes) }.ok().map(|(dfa, _)| AnchoredDfa::Dense(dfa))
                    }
                }
            })
            .as_ref()
    }

    fn whole(&self) -> Option<&DfaRegex<dense::DFA<&'static [u32]>>> {
        self.whole
            .get_or_init(|| {
                let (forward, reverse) = self.whole_bytes?;
                // SAFETY: as in `dfa` above, these bytes are part of the
                // program and checked by the same test.
                // Misaligned bytes are refused, not read.
                let forward = unsafe { dense::DFA::from_bytes_unchecked(forward) }.ok()?.0;
                let reverse = unsafe { dense::DFA::from_bytes_unchecked(reverse) }.ok()?.0;
                Some(DfaRegex::builder().build_from_dfas(forward, reverse))
            })
            .as_ref()
    }

    fn short(&self) -> Option<&nfa::Engine> {
        self.short.get_or_init(|| nfa::Engine::new(nfa::from_bytes(self.short_bytes?)?)).as_ref()
    }

    /// The pattern as compiled at run time (kept apart from the searches',
    /// which may not need it); `None` if the pattern is bad.
    #[cfg(test)]
    pub(crate) fn regex(&self) -> Option<AsciiRegex> {
        compile(&self.source, self.syntax, self.engines(), "").ok().flatten()
    }

    /// Whether a precompiled DFA serves this pattern.
    #[cfg(test)]
    pub(crate) fn is_precompiled(&self) -> bool {
        self.dfa().is_some()
    }

    /// The automaton to search the whole of `text` with; `None` when
    /// `text` cannot match (it lacks all the literals one of which every
    /// match contains) or the pattern is bad.
    pub(crate) fn regex_for(&self, text: &[u8]) -> Option<&AsciiRegex> {
        let needs = self.needs.get_or_init(|| {
            let hir = self.syntax.parse(&self.source)?;
            let set = one_of(&hir).filter(|set| shortest(set) >= MIN_REQUIRED)?;
            AhoCorasick::builder().kind(Some(AhoCorasickKind::ContiguousNFA)).build(set).ok()
        });
        if needs.as_ref().is_some_and(|needs| !needs.is_match(text)) {
            return None;
        }
        self.compiled()
    }

    pub(crate) fn is_match(&self, text: &[u8]) -> bool {
        if let Some(Ok(found)) = self.whole().map(|w| w.forward().try_search_fwd(&Input::new(text).earliest(true))) {
            return found.is_some();
        }
        match &self.starts {
            Starts::AtStart => {
                let mut budget = Budget(usize::MAX);
                self.match_at(text, 0, true, &mut budget).map_or_else(|_| self.is_match_anywhere(text), |m| m.is_some())
            }
            Starts::Literals(_) => {
                let Some(beginnings) = self.beginnings() else { return self.is_match_anywhere(text) };
                let mut budget = Budget::for_text(text);
                let mut previous = None;
                // In any order: the first match found answers.
                for start in beginnings.starts(text) {
                    if previous == Some(start) {
                        continue;
                    }
                    previous = Some(start);
                    match self.match_at(text, start, true, &mut budget) {
                        Ok(Some(_)) => return true,
                        Ok(None) => {}
                        Err(OutOfBudget) => return self.is_match_anywhere(text),
                    }
                }
                false
            }
            Starts::Anywhere => self.is_match_anywhere(text),
        }
    }

    fn is_match_anywhere(&self, text: &[u8]) -> bool {
        if let Some(short) = self.short() {
            return short.is_match(&Input::new(text));
        }
        self.regex_for(text).is_some_and(|re| re.is_match(text))
    }

    pub(crate) fn beginnings(&self) -> Option<&Literals> {
        self.beginnings
            .get_or_init(|| match &self.starts {
                Starts::Literals(literals) => Literals::new(literals),
                _ => None,
            })
            .as_ref()
    }

    /// Whether a precompiled unanchored pair finds its matches in one pass.
    pub(crate) fn has_whole(&self) -> bool {
        self.whole_bytes.is_some()
    }

    /// Where the matches of this pattern can begin.
    pub(crate) fn starts(&self) -> &Starts {
        &self.starts
    }

    /// The end of the match that begins at `start` (leftmost-first, as
    /// `find` reports it; with `earliest`, of some match: only whether
    /// there is one is asked). Each byte the search reads is taken from
    /// `budget`; `Err` when it runs out.
    pub(crate) fn match_at(
        &self,
        text: &[u8],
        start: usize,
        earliest: bool,
        budget: &mut Budget,
    ) -> Result<Option<usize>, OutOfBudget> {
        self.match_at_or(text, start, earliest, budget, true)
    }

    /// As [`Pattern::match_at`]; without `compile`, `Err` where the
    /// precompiled DFA cannot tell (instead of compiling the pattern).
    fn match_at_or(
        &self,
        text: &[u8],
        start: usize,
        earliest: bool,
        budget: &mut Budget,
        compile: bool,
    ) -> Result<Option<usize>, OutOfBudget> {
        let start = start.min(text.len());
        let precompiled = match self.dfa() {
            Some(AnchoredDfa::Sparse(dfa)) => dfa_match_at(dfa, text, start, earliest, budget),
            Some(AnchoredDfa::Dense(dfa)) => dfa_match_at(dfa, text, start, earliest, budget),
            None => Err(OutOfBudget),
        };
        if let Ok(found) = precompiled {
            return Ok(found);
        }
        if !compile {
            return Err(OutOfBudget);
        }
        // What it may read: all the rest of the text.
        budget.take(text.len() - start + 1)?;
        let input = Input::new(text).range(start..).anchored(Anchored::Yes).earliest(earliest);
        if let Some(short) = self.short() {
            return Ok(short.find(&input).map(|m| m.end()));
        }
        Ok(self.regex_for(text).and_then(|re| re.find(input)).map(|m| m.end()))
    }

    /// The leftmost-first match at or after `at`, as `(start, end)`;
    /// `Err` when anchored searches cannot tell (too many beginnings, or
    /// none to start from): a search over the whole text is then needed.
    pub(crate) fn find_at(&self, text: &[u8], at: usize) -> Result<Option<(usize, usize)>, OutOfBudget> {
        self.find_at_or(text, at, usize::MAX, true)
    }

    /// As [`Pattern::find_at`], by the precompiled DFAs alone: `Err` too
    /// where they cannot tell (a Unicode `\b` near non-ASCII text), and
    /// the pattern is not compiled. Only a match beginning before
    /// `before` is asked for: the search stops there.
    pub(crate) fn find_precompiled(
        &self,
        text: &[u8],
        at: usize,
        before: usize,
    ) -> Result<Option<(usize, usize)>, OutOfBudget> {
        self.find_at_or(text, at, before, false)
    }

    fn find_at_or(
        &self,
        text: &[u8],
        at: usize,
        before: usize,
        compile: bool,
    ) -> Result<Option<(usize, usize)>, OutOfBudget> {
        let at = at.min(text.len());
        if let Some(Ok(found)) = self.whole().map(|w| w.try_search(&Input::new(text).range(at..))) {
            return Ok(found.filter(|m| m.start() < before).map(|m| (m.start(), m.end())));
        }
        let mut budget = match self.starts {
            Starts::AtStart => Budget(usize::MAX),
            _ => Budget::for_text(text),
        };
        for start in self.starts_from(text, at)? {
            let start = start?;
            if start >= before {
                break;
            }
            if let Some(end) = self.match_at_or(text, start, false, &mut budget, compile)? {
                return Ok(Some((start, end)));
            }
        }
        Ok(None)
    }

    /// Where the matches at or after `at` may begin, in order, each once,
    /// found as they are asked for (the first match is usually near);
    /// `Err` when there is no list of them, and as the next item past
    /// [`MOST_BEGINNINGS`] of them.
    pub(crate) fn starts_from<'a>(
        &'a self,
        text: &'a [u8],
        at: usize,
    ) -> Result<impl Iterator<Item = Result<usize, OutOfBudget>> + 'a, OutOfBudget> {
        let at = at.min(text.len());
        let (at_start, literals) = match &self.starts {
            Starts::AtStart => ((at == 0).then_some(0), None),
            Starts::Literals(_) => (None, Some(self.beginnings().ok_or(OutOfBudget)?.ordered(&text[at..]))),
            Starts::Anywhere => return Err(OutOfBudget),
        };
        let mut count = 0;
        let from_literals = literals.into_iter().flatten().map(move |start| {
            count += 1;
            if count > MOST_BEGINNINGS { Err(OutOfBudget) } else { Ok(at + start) }
        });
        Ok(at_start.map(Ok).into_iter().chain(from_literals))
    }

    /// Whether the pattern was compiled here (for whole-text searches).
    #[cfg(test)]
    pub(crate) fn is_compiled(&self) -> bool {
        self.compiled.get().is_some()
    }

    pub(crate) fn source(&self) -> &str {
        &self.source
    }

    pub(crate) fn syntax(&self) -> Syntax {
        self.syntax
    }
}

/// [`Pattern::match_at`] with a precompiled DFA, one byte at a time, no
/// further than the budget allows; what it read is taken from the budget.
/// `Err` when the budget runs out before the search ends or the DFA
/// cannot search this text (then the compiled pattern does).
fn dfa_match_at(
    dfa: &impl Automaton,
    text: &[u8],
    start: usize,
    earliest: bool,
    budget: &mut Budget,
) -> Result<Option<usize>, OutOfBudget> {
    let input = Input::new(text).range(start..).anchored(Anchored::Yes);
    let mut state = dfa.start_state_forward(&input).map_err(|_| OutOfBudget)?;
    let stop = start.saturating_add(budget.0).min(text.len());
    // The bytes up to `at` were read.
    let mut spend = |at: usize| budget.0 -= at - start;
    let mut end = None;
    for (at, &byte) in text[..stop].iter().enumerate().skip(start) {
        // SAFETY: `state` is the DFA's start state or a state its
        // transitions led to, and a valid DFA's transitions lead to valid
        // states: the table's DFAs are valid (see `Pattern::dfa`; the
        // library's own searches rely on the same to skip the bounds
        // checks).
        state = unsafe { dfa.next_state_unchecked(state, byte) };
        if dfa.is_special_state(state) {
            // Match states come one byte late: a match ended before `byte`.
            if dfa.is_match_state(state) {
                end = Some(at);
                if earliest {
                    spend(at + 1);
                    return Ok(end);
                }
            } else if dfa.is_dead_state(state) {
                spend(at + 1);
                return Ok(end);
            } else if dfa.is_quit_state(state) {
                spend(at + 1);
                return Err(OutOfBudget);
            }
        }
    }
    spend(stop);
    if stop < text.len() {
        return Err(OutOfBudget);
    }
    if dfa.is_match_state(dfa.next_eoi_state(state)) {
        end = Some(text.len());
    }
    Ok(end)
}

/// Which of the regex engines a pattern compiled at run time needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Engines {
    /// Searches over whole texts: the lazy DFA and prefilters too.
    Search,
    /// Short texts (a display name) or a match already found: the
    /// NFA's engines only (no lazy DFA to warm, no reverse automaton, no
    /// prefilter: the costly parts of compiling a regex).
    Short,
}

/// As the `regex` crate would compile it (`compile_ascii` for folded
/// text), with the `engines` asked and no capture groups but the match's
/// (the automata are smaller without). `Ok(None)` if only the regex crate
/// could compile it (never seen).
fn compile(source: &str, syntax: Syntax, engines: Engines, owner: &str) -> Result<Option<AsciiRegex>, RulesError> {
    match meta::Builder::new().configure(config(syntax, engines)).syntax(syntax.config()).build(source) {
        Ok(regex) => Ok(Some(regex)),
        Err(_) => report(source, syntax, owner).map(|()| None),
    }
}

/// The error of a pattern that did not compile, as the regex crate words
/// it (`Ok` if only regex-automata refused it: never seen).
pub(super) fn report(source: &str, syntax: Syntax, owner: &str) -> Result<(), RulesError> {
    match syntax {
        Syntax::Folded => compile_ascii(source, owner).map(|_| ()),
        Syntax::Plain => super::compile(source, owner).map(|_| ()),
    }
}

fn config(syntax: Syntax, engines: Engines) -> meta::Config {
    let config = meta::Config::new()
        .match_kind(regex_automata::MatchKind::LeftmostFirst)
        .utf8_empty(syntax == Syntax::Plain)
        .nfa_size_limit(Some(super::nfa::SIZE_LIMIT))
        .hybrid_cache_capacity(2 << 20);
    let nfa_only = |config: meta::Config| config.hybrid(false).dfa(false).auto_prefilter(false);
    match engines {
        Engines::Search => config.which_captures(WhichCaptures::Implicit),
        Engines::Short => nfa_only(config.which_captures(WhichCaptures::Implicit)),
    }
}

/// Literals one of which every match of `hir` contains; `None` when
/// there is no such list.
fn one_of(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    match hir.kind() {
        HirKind::Literal(literal) => Some(vec![literal.0.to_vec()]),
        HirKind::Capture(capture) => one_of(&capture.sub),
        HirKind::Repetition(repetition) if repetition.min >= 1 => one_of(&repetition.sub),
        // The part whose literals are the least common: the longest
        // shortest one.
        HirKind::Concat(parts) => {
            parts.iter().filter_map(one_of).max_by_key(|set| (shortest(set), usize::MAX - set.len()))
        }
        HirKind::Alternation(branches) => {
            let mut all: Vec<Vec<u8>> = branches.iter().map(one_of).collect::<Option<Vec<_>>>()?.concat();
            all.sort();
            all.dedup();
            Some(all)
        }
        _ => None,
    }
}

fn shortest(set: &[Vec<u8>]) -> usize {
    set.iter().map(Vec::len).min().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_of_in(pattern: &str) -> Option<Vec<String>> {
        let hir = regex_syntax::ParserBuilder::new().unicode(false).utf8(false).build().parse(pattern).expect("parses");
        one_of(&hir).map(|set| set.into_iter().map(|l| String::from_utf8(l).expect("ascii")).collect())
    }

    #[test]
    fn every_match_contains_one_of_the_needed_literals() {
        let code = r"\bcode\s+(de|a)\s*\d+|\bvotre\s+code\s*:|\d+\s+est\s+votre\s+code\b";
        assert_eq!(one_of_in(code), Some(vec!["code".into(), "votre".into()]));
        // Of two parts, the one whose shortest literal is longer.
        let name = r".{0,30}\b(service|equipe)s? (de la |du )?(ameli|cpam)\b.{0,30}";
        assert_eq!(one_of_in(name), Some(vec!["equipe".into(), "service".into()]));
        assert_eq!(one_of_in(r"(ab|cd)x+y"), Some(vec!["ab".into(), "cd".into()]));
        assert_eq!(one_of_in(r"abc|d*"), None);
        assert_eq!(one_of_in(r"(?:abc)?d*"), None);
        assert_eq!(one_of_in(r"(?i)code"), None);
    }

    #[test]
    fn a_text_without_any_needed_literal_is_not_searched() {
        let pattern = Pattern::new(r"\bcode\s*:\s*\d{6}|\d{6} est votre code".into(), true, "test").expect("valid");
        assert!(pattern.is_match(b"votre code : 482917"));
        assert!(pattern.is_match(b"482917 est votre code"));
        assert!(!pattern.is_match(b"votre mot : 482917"));
        assert!(pattern.regex_for(b"rien ici").is_none());
    }

    #[test]
    fn an_anchored_search_reads_no_more_than_its_budget() {
        let rules = crate::notice::Rules::builtin();
        let refund = rules.patterns().find(|p| p.source().starts_with(r"rembours\w*")).expect("the refund lure");
        assert!(refund.is_precompiled());
        let text = format!("rembours{} a valider", "s".repeat(100));
        // Found, and only what was read is taken.
        let mut budget = Budget(1000);
        assert_eq!(refund.match_at(text.as_bytes(), 0, false, &mut budget).ok(), Some(Some(text.len())));
        assert_eq!(budget.0, 1000 - text.len());
        let mut budget = Budget(1000);
        assert_eq!(refund.match_at(text.as_bytes(), 5, false, &mut budget).ok(), Some(None));
        assert!(budget.0 < 1000, "a dead end is read too");
        // Exactly enough: found; one byte short: out of budget, all spent.
        let mut budget = Budget(text.len());
        assert_eq!(refund.match_at(text.as_bytes(), 0, false, &mut budget).ok(), Some(Some(text.len())));
        assert_eq!(budget.0, 0);
        let mut budget = Budget(text.len() - 1);
        assert!(dfa_match_at_or_budget(refund, text.as_bytes(), &mut budget));
        assert_eq!(budget.0, 0);
    }

    /// Whether the precompiled DFA alone ran out of `budget` over `text`.
    fn dfa_match_at_or_budget(pattern: &Pattern, text: &[u8], budget: &mut Budget) -> bool {
        match pattern.dfa() {
            Some(AnchoredDfa::Sparse(dfa)) => dfa_match_at(dfa, text, 0, false, budget).is_err(),
            Some(AnchoredDfa::Dense(dfa)) => dfa_match_at(dfa, text, 0, false, budget).is_err(),
            None => false,
        }
    }

    /// The folded subjects, bodies and sender names of every fixture, and
    /// texts made to hit each pattern's beginnings over and over.
    fn texts() -> Vec<String> {
        use crate::notice::text::{Content, parser};
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
        let mut texts = Vec::new();
        for entry in std::fs::read_dir(dir).expect("fixtures") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "eml") {
                continue;
            }
            let raw = std::fs::read(path).expect("readable");
            let Some(message) = parser().parse(&raw) else { continue };
            let content = Content::of(&message);
            let plain = format!("{}\n{}", content.subject_plain, content.body_plain);
            texts.extend([content.subject_folded, content.body_folded, content.sender_name_folded, plain]);
        }
        texts.push("remboursement de 45,20 eur a valider ".repeat(40));
        texts.push("rembourssssssssssss".repeat(50) + " - a valider");
        texts.push(format!("carte vitale {} expire", "x".repeat(58)));
        texts.push(format!("carte vitale {} expire", "x".repeat(59)));
        texts.push(format!("rembours {} a valider", "y ".repeat(39)));
        texts.push(format!("rembours {} a valider", "y ".repeat(40)));
        texts.push("s'acquitter de 45,20 eur, ".repeat(40));
        texts.push("acquit".repeat(300) + " de 3 eur");
        texts.push("s ".repeat(3000) + "s'acquitter de 3 eur");
        texts
    }

    #[test]
    fn the_precompiled_dfas_find_what_the_patterns_compiled_here_find() {
        let rules = crate::notice::Rules::builtin();
        let texts = texts();
        let mut checked = 0;
        let login_time = crate::notice::when::patterns().map(|p| -> &Pattern { p });
        for pattern in rules.patterns().chain(login_time).filter(|p| p.is_precompiled()) {
            let here = pattern.regex().expect("compiles");
            for text in &texts {
                let text = text.as_bytes();
                assert_eq!(pattern.is_match(text), here.is_match(text), "{:?} on {:?}", pattern.source(), text);
                let leftmost = here.find(text).map(|m| (m.start(), m.end()));
                assert_eq!(pattern.find_at(text, 0).ok().flatten(), leftmost, "{:?}", pattern.source());
                for start in here.find_iter(text).map(|m| m.start()).chain([0, text.len() / 2]) {
                    let anchored = Input::new(text).range(start..).anchored(Anchored::Yes);
                    let expected = here.find(anchored).map(|m| m.end());
                    let found = pattern.match_at(text, start, false, &mut Budget(usize::MAX)).ok().flatten();
                    assert_eq!(found, expected, "{:?} at {start}", pattern.source());
                }
                checked += 1;
            }
        }
        assert!(checked > 40 * 500, "{checked}");
    }
    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        /// Patterns whose matches are searched from literals a few bytes
        /// in (the payment lure's "acquit", built in; others as the config
        /// could add them): every match, from the start and from anywhere,
        /// as the compiled regex finds it.
        #[test]
        fn a_pattern_searched_from_literals_within_finds_what_the_regex_finds(
            words in proptest::collection::vec(proptest::sample::select(vec![
                "s'acquitter", "s acquitter", "acquitter", "s", "acquit", "reglez", "payez", "de", "45,20", "eur",
                "euros", "d'ici", "dici", "d ici", "xx", "yy", "24", "48", "12h30pile", "1h05pile", "pile", "x",
                ",", ".", "\n", "e",
            ]), 0..30),
            separators in proptest::collection::vec(proptest::sample::select(vec![" ", "", "  ", "\n"]), 30),
        ) {
            let mut text = String::new();
            for (word, separator) in words.iter().zip(&separators) {
                text.push_str(word);
                text.push_str(separator);
            }
            let text = text.as_bytes();
            let rules = crate::notice::Rules::builtin();
            let payment = rules.patterns().find(|p| p.source().contains("s.acquitter")).expect("the payment lure");
            let added = [r"(?:xx|yy)?[Dd].ici\s+(24|48)", r"\d{1,2}h[0-5]\dpile", r"xyz|.acquitter"]
                .map(|source| Pattern::new(source.into(), true, "test").expect("valid"));
            for pattern in std::iter::once(payment).chain(&added) {
                proptest::prop_assert!(
                    matches!(pattern.starts(), Starts::Literals(l) if l.iter().all(|b| b.literal.len() >= 3)),
                    "{:?}", pattern.source()
                );
                let here = pattern.regex().expect("compiles");
                proptest::prop_assert_eq!(pattern.is_match(text), here.is_match(text));
                for at in 0..=text.len() {
                    let expected = here.find(Input::new(text).range(at..)).map(|m| (m.start(), m.end()));
                    proptest::prop_assert_eq!(pattern.find_at(text, at).ok().flatten(), expected, "{:?} at {}", pattern.source(), at);
                }
            }
        }
    }
}
