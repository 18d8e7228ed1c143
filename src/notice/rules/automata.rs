//! The built-in patterns' automata, compiled ahead of time.
//!
//! Compiling builtin.toml's patterns (parsing, Thompson NFAs, prefilters,
//! then the lazy DFA's states as the first texts are searched) was most of
//! what a short `vigie scan` cost, in every process. Their automata are
//! now compiled once, into `automata.bin`, which is part of the program:
//! for each built-in pattern, where its matches can begin ([`Starts`]) and
//! a dense DFA that finds the match beginning at one of those places
//! (anchored). A pattern whose DFA would be too large has none and is
//! compiled at run time as before, and so is any pattern of the config.
//!
//! `automata.bin` is generated from the patterns themselves by the test
//! `the_precompiled_automata_are_those_of_the_builtin_patterns`, which
//! fails when the file is stale and rewrites it when run with
//! `VIGIE_REGENERATE_AUTOMATA=1`. A DFA that does not deserialise (another
//! byte order, another regex-automata format) is compiled at run time too.
//!
//! The file is a sequence of entries, integers little endian:
//! source length (u32), source (UTF-8); where matches start (u8: 0 at the
//! start of the text, 1 after prefix literals, 2 anywhere), and for 1 the
//! literal count (u32) and each literal, length (u32) and bytes; the DFA's
//! length (u32, 0 for none) and the DFA.

use std::sync::OnceLock;

use regex_syntax::hir::Look;
use regex_syntax::hir::literal::{ExtractKind, Extractor};

/// Where the matches of a pattern can begin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Starts {
    /// Only at the start of the text (the pattern begins with `^`).
    AtStart,
    /// Only where one of these literals begins.
    Literals(Vec<Vec<u8>>),
    /// Anywhere: the pattern has no finite list of beginnings.
    Anywhere,
}

/// Where the matches of `source` (as compiled over folded text: no
/// Unicode) can begin; `Anywhere` when it does not parse (it is then
/// reported, or never matches, as before).
pub(crate) fn starts_of(source: &str) -> Starts {
    let Ok(hir) = regex_syntax::ParserBuilder::new().unicode(false).utf8(false).build().parse(source) else {
        return Starts::Anywhere;
    };
    if hir.properties().look_set_prefix().contains(Look::Start) {
        return Starts::AtStart;
    }
    let seq = Extractor::new().kind(ExtractKind::Prefix).extract(&hir);
    match seq.literals() {
        Some(literals) if !literals.is_empty() && literals.iter().all(|l| !l.as_bytes().is_empty()) => {
            Starts::Literals(fewest(literals.iter().map(|l| l.as_bytes())))
        }
        _ => Starts::Anywhere,
    }
}

/// Longer beginnings than this are cut: the anchored search checks the
/// rest, and a short list is quicker to build and to search for.
const BEGINNING_BYTES: usize = 6;

/// The same beginnings, cut to [`BEGINNING_BYTES`], without those that
/// begin with another (where one begins, the shorter one does too):
/// "dossier\t", "dossier\n"… are "dossie".
fn fewest<'a>(literals: impl Iterator<Item = &'a [u8]>) -> Vec<Vec<u8>> {
    let mut cut: Vec<Vec<u8>> = literals.map(|l| l[..l.len().min(BEGINNING_BYTES)].to_vec()).collect();
    cut.sort();
    cut.dedup();
    let mut kept: Vec<Vec<u8>> = Vec::with_capacity(cut.len());
    for literal in cut {
        // Sorted: a literal's prefixes come before it.
        if !kept.iter().any(|k| literal.starts_with(k)) {
            kept.push(literal);
        }
    }
    kept
}

/// A built-in pattern's entry in the table.
#[derive(Debug)]
pub(crate) struct Precompiled {
    pub(crate) starts: Starts,
    /// A serialised anchored sparse DFA (little endian).
    pub(crate) dfa: Option<&'static [u8]>,
}

static TABLE: &[u8] = include_bytes!("automata.bin");

/// The table's entry for `source`, if it is a built-in pattern.
pub(crate) fn lookup(source: &str) -> Option<Precompiled> {
    static INDEX: OnceLock<Vec<(&'static str, Precompiled)>> = OnceLock::new();
    let index = INDEX.get_or_init(|| read_table(TABLE).unwrap_or_default());
    let (_, entry) = index.iter().find(|(s, _)| *s == source)?;
    Some(Precompiled { starts: entry.starts.clone(), dfa: entry.dfa })
}

/// The entries of a table; `None` if it is damaged (it never is: it is
/// part of the program, and a test reads it back).
fn read_table(bytes: &'static [u8]) -> Option<Vec<(&'static str, Precompiled)>> {
    let mut reader = Reader { bytes, at: 0 };
    let mut entries = Vec::new();
    while reader.at < bytes.len() {
        let source = std::str::from_utf8(reader.chunk()?).ok()?;
        let starts = match reader.byte()? {
            0 => Starts::AtStart,
            1 => {
                let count = reader.u32()?;
                Starts::Literals((0..count).map(|_| reader.chunk().map(<[u8]>::to_vec)).collect::<Option<_>>()?)
            }
            _ => Starts::Anywhere,
        };
        let len = reader.u32()? as usize;
        let dfa = reader.take(len)?;
        entries.push((source, Precompiled { starts, dfa: (len > 0).then_some(dfa) }));
    }
    Some(entries)
}

struct Reader {
    bytes: &'static [u8],
    at: usize,
}

impl Reader {
    fn take(&mut self, len: usize) -> Option<&'static [u8]> {
        let taken = self.bytes.get(self.at..self.at.checked_add(len)?)?;
        self.at += len;
        Some(taken)
    }

    fn byte(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4)?.try_into().ok().map(u32::from_le_bytes)
    }

    fn chunk(&mut self) -> Option<&'static [u8]> {
        let len = self.u32()? as usize;
        self.take(len)
    }
}

/// The largest DFA kept; a pattern with a larger one is compiled at run
/// time (none of the built-in ones today).
#[cfg(test)]
const MAX_DFA_BYTES: usize = 2 << 20;

/// Compiles `source` as [`super::pattern`] searches it: bytes, no
/// Unicode, leftmost-first, anchored searches only (an unanchored DFA of
/// `carte vitale.{0,60}(…)` does not fit in memory; anchored ones are
/// small). Sparse: a third of the size, and the searches are a few dozen
/// bytes long.
#[cfg(test)]
pub(crate) fn compile_dfa(source: &str) -> Option<regex_automata::dfa::sparse::DFA<Vec<u8>>> {
    use regex_automata::dfa::{StartKind, dense};
    use regex_automata::nfa::thompson::{self, WhichCaptures};
    use regex_automata::util::syntax;
    dense::Builder::new()
        .configure(
            dense::Config::new()
                .start_kind(StartKind::Anchored)
                .match_kind(regex_automata::MatchKind::LeftmostFirst)
                .minimize(true)
                .dfa_size_limit(Some(MAX_DFA_BYTES))
                .determinize_size_limit(Some(16 * MAX_DFA_BYTES)),
        )
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .thompson(thompson::Config::new().which_captures(WhichCaptures::None))
        .build(source)
        .ok()?
        .to_sparse()
        .ok()
}

/// The table for these patterns, as `automata.bin` holds it.
#[cfg(test)]
pub(crate) fn generate<'a>(sources: impl IntoIterator<Item = &'a str>) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, bytes: &[u8]) {
        out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        out.extend_from_slice(bytes);
    }
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for source in sources {
        if seen.contains(&source) {
            continue;
        }
        seen.push(source);
        chunk(&mut out, source.as_bytes());
        match starts_of(source) {
            Starts::AtStart => out.push(0),
            Starts::Literals(literals) => {
                out.push(1);
                out.extend_from_slice(&(literals.len() as u32).to_le_bytes());
                for literal in &literals {
                    chunk(&mut out, literal);
                }
            }
            Starts::Anywhere => out.push(2),
        }
        let dfa = compile_dfa(source).map(|dfa| dfa.to_bytes_little_endian()).unwrap_or_default();
        chunk(&mut out, &dfa);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notice::rules::Rules;

    const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/notice/rules/automata.bin");

    #[test]
    fn the_precompiled_automata_are_those_of_the_builtin_patterns() {
        let rules = Rules::builtin();
        let fresh = generate(rules.patterns().map(|p| p.source()));
        if std::env::var_os("VIGIE_REGENERATE_AUTOMATA").is_some() {
            std::fs::write(PATH, &fresh).expect("automata.bin is writable");
            return;
        }
        assert!(
            fresh == TABLE,
            "src/notice/rules/automata.bin is stale (builtin.toml or regex-automata changed): \
             run `VIGIE_REGENERATE_AUTOMATA=1 cargo test --lib precompiled_automata` and commit it"
        );
    }

    #[test]
    fn every_builtin_pattern_is_in_the_table_with_a_dfa_that_loads() {
        let rules = Rules::builtin();
        let mut without = Vec::new();
        for pattern in rules.patterns() {
            let entry = lookup(pattern.source()).unwrap_or_else(|| panic!("{:?} not in the table", pattern.source()));
            assert_eq!(entry.starts, starts_of(pattern.source()));
            match entry.dfa {
                Some(dfa) => {
                    assert!(regex_automata::dfa::sparse::DFA::from_bytes(dfa).is_ok(), "{:?}", pattern.source())
                }
                None => without.push(pattern.source()),
            }
        }
        // ameli's official-looking display names: `.{0,30}` on both sides
        // of a brand word does not determinise in bounded memory. Compiled
        // at run time, and only for a name with a brand word in it.
        assert_eq!(without.len(), 1, "{without:?}");
        assert!(without[0].contains(r"(ameli|assurance maladie|cpam|caisse primaire)\b.{0,30}"), "{without:?}");
    }

    #[test]
    fn a_pattern_begins_at_the_start_after_its_prefix_literals_or_anywhere() {
        assert_eq!(starts_of("^(?:ab|cd)$"), Starts::AtStart);
        let Starts::Literals(literals) = starts_of(r"\b(dossier|ref)\s*\d") else { panic!("finite") };
        // Cut to six bytes, those that begin with another left out.
        assert_eq!(literals[0], b"dossie");
        assert!(literals[1..].iter().all(|l| l.starts_with(b"ref") && l.len() == 4), "{literals:?}");
        let Starts::Literals(literals) = starts_of(r"(reference|ref)s?\b") else { panic!("finite") };
        assert_eq!(literals, [b"ref".to_vec()]);
        assert_eq!(starts_of(r".{0,30}\bameli"), Starts::Anywhere);
        assert_eq!(starts_of(r"(a|)b?"), Starts::Anywhere);
        assert_eq!(starts_of(r"(unclosed"), Starts::Anywhere);
    }

    #[test]
    fn a_damaged_table_is_refused_not_read_past_its_end() {
        let good: &'static [u8] = Box::leak(generate(["^abc$", "x(y|z)"]).into_boxed_slice());
        assert_eq!(read_table(good).map(|t| t.len()), Some(2));
        for cut in [1, 5, 9, good.len() / 2] {
            let damaged: &'static [u8] = Box::leak(good[..cut].to_vec().into_boxed_slice());
            assert!(read_table(damaged).is_none(), "cut at {cut}");
        }
    }
}
